"""Related lists reused between builds are exactly the lists a fresh computation gives.

RelatedLists keeps the previous build's lists for every article that `affected()` says cannot
have changed. These property tests make random sites, change them at random (add, remove, retag,
re-date, re-categorise articles; popular tags cross the rarity rounding and max_tag_share lines)
and compare every reused list with one computed from scratch.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config import Related
from generator.model import Article, Term
from generator.related import RelatedLists, rarity

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
CATEGORIES = ["bitcoin", "policy", "markets"]


def _article(source: str, day: float, category: int, tags: tuple[int, ...]) -> Article:
    when = START + timedelta(days=day)
    cat = CATEGORIES[category]
    return Article(source=source, kind="article", digest=source, title=source, date=when, updated=when,
                   slug=source, url=f"/{source}/", category=Term("category", cat, cat, f"/category/{cat}/"),
                   tags=tuple(Term("tag", f"t{t}", f"t{t}", f"/tag/t{t}/") for t in sorted(set(tags))), coins=(),
                   summary="", reading_time=1, words=100, image=None, author="", trending=False, draft=False,
                   has_toc=False)


def _ordered(articles: list[Article]) -> tuple[Article, ...]:
    return tuple(sorted(articles, key=lambda a: (-a.date.timestamp(), a.source)))


def _fresh(articles: tuple[Article, ...], config: Related) -> dict[str, tuple[str, ...]]:
    lists = RelatedLists(articles, config)
    return {a.source: tuple(x.source for x in lists.get(a.source)) for a in articles}


entries = st.tuples(st.floats(0, 60, allow_nan=False), st.integers(0, 2),
                    st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple))
changes = st.lists(st.tuples(st.sampled_from(["add", "remove", "retag", "redate", "recat"]),
                             st.integers(0, 10_000), entries), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entries, min_size=2, max_size=60), changes, st.integers(1, 5), st.integers(1, 8),
       st.sampled_from([0.3, 0.5, 1.0]))
def test_reused_lists_equal_fresh_lists(site, edits, count, window, share):
    config = Related(count=count, window=window, max_tag_share=share)
    old = {f"a{i}": _article(f"a{i}", *e) for i, e in enumerate(site)}
    before = RelatedLists(_ordered(list(old.values())), config)
    saved = before.export()
    new = dict(old)
    for n, (kind, pick, (day, cat, tags)) in enumerate(edits):
        victim = sorted(new)[pick % len(new)] if new else None
        if kind == "add" or victim is None:
            new[f"n{n}"] = _article(f"n{n}", day, cat, tags)
        elif kind == "remove":
            del new[victim]
        else:
            a = new[victim]
            days = (a.date - START).total_seconds() / 86400
            args = {"retag": (days, CATEGORIES.index(a.category.slug), tags),
                    "redate": (day, CATEGORIES.index(a.category.slug), tuple(int(t.slug[1:]) for t in a.tags)),
                    "recat": (days, cat, tuple(int(t.slug[1:]) for t in a.tags))}[kind]
            new[victim] = _article(victim, *args)
    articles = _ordered(list(new.values()))
    reused = RelatedLists(articles, config, saved)
    got = {a.source: tuple(x.source for x in reused.get(a.source)) for a in articles}
    assert got == _fresh(articles, config)


def test_a_tag_crossing_a_rarity_step_refreshes_its_members():
    """Past 100 uses rarity moves in steps: the step's crossing must reach every member's list."""
    assert rarity(199) == rarity(190) != rarity(200)
    config = Related(count=3, window=2, max_tag_share=1.0)
    # a199..a0 on tag 1; a few also on tag 2 so that tag 1's weight decides their order
    old = [_article(f"a{i:03}", i / 10, i % 3, (1, 2) if i % 50 == 0 else (1,)) for i in range(199)]
    saved = RelatedLists(_ordered(old), config).export()
    articles = _ordered(old + [_article("new", 30, 0, (1,))])
    reused = RelatedLists(articles, config, saved)
    got = {a.source: tuple(x.source for x in reused.get(a.source)) for a in articles}
    assert got == _fresh(articles, config)


def test_publishing_one_article_recomputes_few_lists():
    """Adding an article on a tag used 5,000 times recomputes the lists near it, not the tag's 5,000."""
    config = Related()
    old = [_article(f"a{i:05}", i / 100, i % 3, (1, 2 + i % 40)) for i in range(5_000)]
    saved = RelatedLists(_ordered(old), config).export()
    articles = _ordered(old + [_article("new", 60, 0, (1, 5))])
    reused = RelatedLists(articles, config, saved)
    recomputed = [a.source for a in articles if reused.missing([a.source])]
    assert 0 < len(recomputed) < 4 * config.window
    got = {a.source: tuple(x.source for x in reused.get(a.source)) for a in articles}
    assert got == _fresh(articles, config)


def _reference(articles: tuple[Article, ...], s: Related) -> dict[str, tuple[str, ...]]:
    """The related lists as the module docstring defines them, one loop at a time (no arrays)."""
    import bisect
    import math

    from generator.related import dropped
    n = len(articles)
    postings: dict[str, list[int]] = {}
    for i, a in enumerate(articles):
        for t in a.tags:
            postings.setdefault(t.slug, []).append(i)
    out = {}
    for i, a in enumerate(articles):
        shared: dict[int, float] = {}
        for t in a.tags:
            p = postings[t.slug]
            if dropped(len(p), n, s):
                continue
            k = bisect.bisect_left(p, i)
            for j in p[max(0, k - max(1, s.window)):k + max(1, s.window) + 1]:
                shared[j] = shared.get(j, 0.0) + rarity(len(p))
        scale = max(s.time_scale_days, 0.001) * 86400.0
        scored = []
        for j, weight in shared.items():
            if j == i:
                continue
            b = articles[j]
            same = b.category is not None and a.category is not None and b.category.slug == a.category.slug
            score = (s.tag_weight * weight + (s.category_weight if same else 0.0)
                     + s.time_weight * math.exp(-abs(b.date.timestamp() - a.date.timestamp()) / scale))
            scored.append((-score, j))
        chosen = [j for _, j in sorted(scored)[:s.count]]
        if len(chosen) < s.count:  # topped up from the category, nearest in time first
            members = [j for j, b in enumerate(articles) if b.category.slug == a.category.slug and j != i and j not in chosen]
            members.sort(key=lambda j: (abs(articles[j].date.timestamp() - a.date.timestamp()), -j if j < i else j))
            chosen += members[:s.count - len(chosen)]
        out[a.source] = tuple(articles[j].source for j in chosen)
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entries, min_size=2, max_size=60), st.integers(1, 5), st.integers(1, 8), st.sampled_from([0.3, 0.5, 1.0]))
def test_lists_follow_the_documented_score(site, count, window, share):
    """The array code scores exactly as the plain definition: shared rare tags, category, time."""
    config = Related(count=count, window=window, max_tag_share=share)
    articles = _ordered([_article(f"a{i}", *e) for i, e in enumerate(site)])
    assert _fresh(articles, config) == _reference(articles, config)
