"""Related articles from a small inverted index (tag -> articles), never by comparing every pair.

score(a, b) = tag_weight * sum of rarity(t) over shared tags t
            + category_weight if same category
            + time_weight * exp(-days apart / time_scale_days)

rarity(t) = 1 / log2(1 + df(t)): 0.63 for a tag on two articles, 0.08 for a tag on 5,000, with
df(t) rounded down to two significant figures past 100 (no list should turn on the 4,512th use of
a tag rather than the 4,511th); tags on more than max_tag_share of all articles are dropped.
Candidates come from the articles sharing a tag, at most `window` on each side in time per tag, so
the cost per article is bounded whatever the site's size. Rarity depends on the tag alone, not on
the site's size, so adding an article changes only the lists of the articles within `window` of
it on one of its tags: that is what lets a publish build recompute a few hundred lists, not all. Articles with too few tag-sharing candidates are topped up
with the nearest in time from their category. Ties: newer first, then source path.
"""

from __future__ import annotations

import copy

import bisect
import math

from generator.config import Related
from generator.model import Article


class RelatedIndex:
    """Built once per site; answers 'related to article i' in bounded time."""

    def __init__(self, articles: tuple[Article, ...], settings: Related):
        self.articles = articles  # newest first
        self.settings = settings
        n = len(articles)
        self._times = [a.date.timestamp() for a in articles]
        self._cats = [a.category.slug if a.category else None for a in articles]
        postings: dict[str, list[int]] = {}
        by_category: dict[str, list[int]] = {}
        for i, article in enumerate(articles):
            for tag in article.tags:
                postings.setdefault(tag.slug, []).append(i)
            if article.category is not None:
                by_category.setdefault(article.category.slug, []).append(i)
        self._weights = {slug: rarity(len(p)) for slug, p in postings.items() if not dropped(len(p), n, settings)}
        self._postings = postings
        self._by_category = by_category
        # Scoring runs on arrays (some 400 candidates an article: 2.5x the speed of a loop). numpy is
        # imported here, not at the top: builds that reuse every saved list never load it.
        import numpy as np
        self._np = np
        self._arrays = {slug: np.array(postings[slug], dtype=np.int64) for slug in self._weights}
        self._time_array = np.array(self._times, dtype=np.float64)
        cat_ids: dict[str | None, int] = {None: -1}
        self._cat_array = np.array([cat_ids.setdefault(c, len(cat_ids)) for c in self._cats], dtype=np.int64)
        self._cat_ids = cat_ids
        self.filled: set[str] = set()

    def for_index(self, i: int) -> tuple[Article, ...]:
        """The related articles of articles[i], best first; never the article itself."""
        s = self.settings
        if s.count <= 0:
            return ()
        article = self.articles[i]
        window = max(1, s.window)
        np = self._np
        segments, weights, sizes = [], [], []
        for tag in article.tags:
            weight = self._weights.get(tag.slug)
            if weight is None:
                continue
            k = bisect.bisect_left(self._postings[tag.slug], i)
            segment = self._arrays[tag.slug][k - window if k > window else 0:k + window + 1]
            segments.append(segment)
            weights.append(weight)
            sizes.append(len(segment))
        chosen: list[int] = []
        cat = article.category.slug if article.category else None
        if segments:
            # shared[j]: the weights of the tags j shares, summed in tag order (as a loop would):
            # a stable sort keeps each candidate's entries in tag order, then each run is summed
            found = np.concatenate(segments)
            order = found.argsort(kind="stable")
            found = found[order]
            starts = np.flatnonzero(np.concatenate(([True], found[1:] != found[:-1])))
            candidates = found[starts]
            shared = np.add.reduceat(np.repeat(weights, sizes)[order], starts)
            others = candidates != i
            candidates, shared = candidates[others], shared[others]
            scale = max(s.time_scale_days, 0.001) * 86400.0
            cw = s.category_weight if cat is not None else 0.0  # no category: two uncategorised are not alike
            same_cat = self._cat_array[candidates] == self._cat_ids[cat]
            closeness = np.exp(-np.abs(self._time_array[candidates] - self._times[i]) / scale)
            score = s.tag_weight * shared + np.where(same_cat, cw, 0.0) + s.time_weight * closeness
            # best first; index j breaks ties: lower j is newer, then source order
            chosen = candidates[np.lexsort((candidates, -score))[:s.count]].tolist()
        if len(chosen) < s.count:
            self.filled.add(article.source)  # this list depends on the category too
        if len(chosen) < s.count and cat is not None:
            chosen += self._nearest_in_category(i, cat, s.count - len(chosen), set(chosen))
        return tuple(self.articles[j] for j in chosen)

    def _nearest_in_category(self, i: int, cat: str, want: int, taken: set[int]) -> list[int]:
        """The category's articles closest in time to articles[i] (walking out both ways)."""
        members = self._by_category.get(cat, [])
        k = bisect.bisect_left(members, i)
        lo, hi = k - 1, k + 1 if k < len(members) and members[k] == i else k
        out: list[int] = []
        t0 = self._times[i]
        while len(out) < want and (lo >= 0 or hi < len(members)):
            take_lo = hi >= len(members) or (lo >= 0 and abs(self._times[members[lo]] - t0) <= abs(self._times[members[hi]] - t0))
            j = members[lo] if take_lo else members[hi]
            if take_lo:
                lo -= 1
            else:
                hi += 1
            if j != i and j not in taken:
                out.append(j)
        return out


def rarity(df: int) -> float:
    if df >= 100:
        step = 10 ** (len(str(df)) - 2)
        df -= df % step
    return 1.0 / math.log2(1 + df)


def dropped(df: int, n: int, settings: Related) -> bool:
    """Tags on one article relate nothing; tags on most of the site relate everything, so nothing."""
    return df < 2 or (n >= 10 and df > settings.max_tag_share * n)


Inputs = dict[str, tuple[float, str, tuple[str, ...]]]


def inputs_of(articles: tuple[Article, ...]) -> Inputs:
    """What related lists depend on, per article: date, category, tags."""
    return {a.source: (a.date.timestamp(), a.category.slug if a.category else "", tuple(t.slug for t in a.tags))
            for a in articles}


def affected(old: Inputs, new: Inputs, old_filled: set[str], settings: Related) -> set[str]:
    """The articles whose related lists may differ between two versions of the site.

    An article's list is made from the articles within `window` places of it in time on each of
    its tags, weighted by the tags' rarity, and topped up from its category when that gives too
    few. So a changed (added, removed, edited) article C matters to: the articles within `window`
    of C on C's tags, before and after; every member of a tag whose rarity or dropped state
    changed; and the topped-up articles of C's category.
    """
    changed = {s for s in old.keys() | new.keys() if old.get(s) != new.get(s)}
    if not changed:
        return set()
    out = set(changed)
    cats: set[str] = set()
    near: dict[str, set[str]] = {}  # tag -> changed articles on it
    for s in changed:
        for value in (old.get(s), new.get(s)):
            if value is not None:
                cats.add(value[1])
                for t in value[2]:
                    near.setdefault(t, set()).add(s)
    whole: set[str] = set()  # tags whose every member is affected
    for inputs, postings in ((old, _postings(old, near)), (new, _postings(new, near))):
        for t, members in postings.items():
            position = {s: i for i, s in enumerate(members)}
            for s in near[t]:
                i = position.get(s)
                if i is not None:
                    out.update(members[max(0, i - settings.window):i + settings.window + 1])
    df_old = _frequencies(old)
    df_new = _frequencies(new)
    n_old, n_new = len(old), len(new)
    for t in df_old.keys() | df_new.keys():
        a, b = df_old.get(t, 0), df_new.get(t, 0)
        drop_a, drop_b = dropped(a, n_old, settings), dropped(b, n_new, settings)
        if drop_a != drop_b or (not drop_b and rarity(a or 1) != rarity(b)):
            whole.add(t)
    for s, (_, cat, slugs) in new.items():
        if (s in old_filled and cat in cats) or any(t in whole for t in slugs):
            out.add(s)
    return out & new.keys()


def _postings(inputs: Inputs, tags: dict[str, set[str]]) -> dict[str, list[str]]:
    """The members of these tags in site order (newest first, then by source)."""
    members: dict[str, list[str]] = {t: [] for t in tags}
    for s, (_, _, slugs) in inputs.items():
        for t in slugs:
            if t in members:
                members[t].append(s)
    for lst in members.values():
        lst.sort(key=lambda s: (-inputs[s][0], s))
    return members


def _frequencies(inputs: Inputs) -> dict[str, int]:
    df: dict[str, int] = {}
    for _, _, slugs in inputs.values():
        for t in slugs:
            df[t] = df.get(t, 0) + 1
    return df


class RelatedLists:
    """Every article's related list: the previous build's where still right, the rest computed on demand.

    Lists are held as source paths and turned into the current Article values when asked for,
    so a reused list always shows current titles and images.
    """

    def __init__(self, articles: tuple[Article, ...], settings: Related, saved: dict | None = None):
        self.articles = articles
        self.settings = settings
        self.by_source = {a.source: a for a in articles}
        self.position = {a.source: i for i, a in enumerate(articles)}
        self._inputs: Inputs | None = None
        self._index: RelatedIndex | None = None
        self._lists: dict[str, tuple[str, ...]] = {}
        self.fresh: dict[str, tuple[str, ...]] = {}  # computed in this process
        self.filled: set[str] = set()
        self.as_saved = False  # the saved state is still exactly right: no need to save it again
        if isinstance(saved, dict) and saved.get("settings") == repr(settings):
            if saved["inputs"] == self.inputs:
                self._lists, self.filled, self.as_saved = saved["lists"], saved["filled"], True
                return
            stale = affected(saved["inputs"], self.inputs, saved["filled"], settings)
            self._lists = {s: tuple(lst) for s, lst in saved["lists"].items() if s in self.inputs and s not in stale}
            self.filled = {s for s in saved["filled"] if s in self._lists}

    @property
    def inputs(self) -> Inputs:
        if self._inputs is None:
            self._inputs = inputs_of(self.articles)
        return self._inputs

    def get(self, source: str, default=()) -> tuple[Article, ...]:
        lst = self._lists.get(source)
        if lst is None:
            i = self.position.get(source)
            if i is None:
                return default
            if self._index is None:
                self._index = RelatedIndex(self.articles, self.settings)
            lst = tuple(a.source for a in self._index.for_index(i))
            self._lists[source] = self.fresh[source] = lst
            if source in self._index.filled:
                self.filled.add(source)
        return tuple(self.by_source[s] for s in lst)

    def restated(self, articles: tuple[Article, ...]) -> "RelatedLists":
        """These lists over new values of the same articles in the same order (a save that moved
        none of them): lists and index are shared, since they hold positions and source paths."""
        other = copy.copy(self)
        other.articles = articles
        other.by_source = {a.source: a for a in articles}
        return other

    def warm(self, sources) -> None:
        """Compute the lists of these articles now, one after the other: between page renders each
        one costs over twice as much (numpy's code and data are out of the CPU's caches by then)."""
        for source in sources:
            if source not in self._lists:
                self.get(source)

    def missing(self, sources) -> int:
        """How many of these articles have no list yet (each costs a computation)."""
        return sum(1 for s in sources if s not in self._lists)

    def absorb(self, lists: dict[str, tuple[str, ...]], filled: set[str]) -> None:
        """Take lists computed in a worker process."""
        self._lists.update(lists)
        self.filled |= filled

    def export(self) -> dict:
        """Everything the next build needs to reuse these lists (computing any not asked for yet)."""
        for a in self.articles:
            self.get(a.source)
        return {"settings": repr(self.settings), "inputs": self.inputs, "lists": dict(self._lists),
                "filled": set(self.filled)}
