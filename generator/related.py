"""Related articles from a small inverted index (tag -> articles), never by comparing every pair.

score(a, b) = tag_weight * sum of rarity(t) over shared tags t
            + category_weight if same category
            + time_weight * exp(-days apart / time_scale_days)

rarity(t) = ln(1 + N / df(t)) / ln(1 + N): near 1 for a tag on two articles, small for a tag on
half the site; tags on more than max_tag_share of all articles are dropped. Candidates come from
the articles sharing a tag, at most `window` on each side in time per tag, so the cost per article
is bounded whatever the site's size. Articles with too few tag-sharing candidates are topped up
with the nearest in time from their category. Ties: newer first, then source path.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
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
        postings: dict[str, list[int]] = {}
        by_category: dict[str, list[int]] = {}
        for i, article in enumerate(articles):
            for tag in article.tags:
                postings.setdefault(tag.slug, []).append(i)
            if article.category is not None:
                by_category.setdefault(article.category.slug, []).append(i)
        limit = settings.max_tag_share * n
        norm = math.log(1 + n) if n > 1 else 1.0
        self._weights = {slug: math.log(1 + n / len(p)) / norm for slug, p in postings.items()
                         if 2 <= len(p) and (len(p) <= limit or n < 10)}
        self._postings = postings
        self._by_category = by_category

    def for_index(self, i: int) -> tuple[Article, ...]:
        """The related articles of articles[i], best first; never the article itself."""
        s = self.settings
        if s.count <= 0:
            return ()
        article = self.articles[i]
        window = max(1, s.window)
        shared: dict[int, float] = {}
        for tag in article.tags:
            weight = self._weights.get(tag.slug)
            if weight is None:
                continue
            posting = self._postings[tag.slug]
            k = bisect.bisect_left(posting, i)
            for j in posting[max(0, k - window):k + window + 1]:
                if j != i:
                    shared[j] = shared.get(j, 0.0) + weight
        cat = article.category.slug if article.category else None
        t0 = self._times[i]
        scale = max(s.time_scale_days, 0.001) * 86400.0

        def score(j: int, tag_score: float) -> float:
            other = self.articles[j]
            same = cat is not None and other.category is not None and other.category.slug == cat
            return (s.tag_weight * tag_score + (s.category_weight if same else 0.0)
                    + s.time_weight * math.exp(-abs(self._times[j] - t0) / scale))

        ranked = [(-score(j, w), j) for j, w in shared.items()]
        best = heapq.nsmallest(s.count, ranked)  # index j breaks ties: lower j is newer, then source order
        chosen = [j for _, j in best]
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


def inputs_key(articles: tuple[Article, ...], settings: Related) -> str:
    """A hash of everything related lists depend on: when it is unchanged, cached lists are still right."""
    h = hashlib.sha256(repr(settings).encode())
    for a in articles:
        h.update(f"{a.source}\0{a.date.timestamp()}\0{a.category.slug if a.category else ''}\0"
                 f"{','.join(t.slug for t in a.tags)}\n".encode())
    return h.hexdigest()[:24]
