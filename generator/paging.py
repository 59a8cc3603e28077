"""How a listing (the home page, a category, tag or coin) is cut into pages.

"numbered" is the classic scheme: page 2 holds the 11th to 20th newest articles, so publishing
one article moves every article down a slot and rewrites every page of every listing it is in
(a thousand home pages on a site of 10,000 articles).

"anchored" (the default) numbers pages from the oldest end: page 2 holds the oldest articles,
page 3 the next ones, and the newest page fills up until it is full, when a new number starts.
The listing's own URL always shows the newest articles. A publish then changes the first page,
the newest numbered page and at most the one before it, whatever the site's size, and a page's
URL keeps showing the same articles for good (caches and search engines like that too). Pages
are labelled by the dates they cover instead of "page 3 of 1,000".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from generator.locales import day_span


@dataclass(frozen=True, slots=True)
class Span:
    """One page of a listing: its URL number, its slice of the newest-first list, its neighbours."""

    number: int  # 1 is the listing's own URL, n the URL '.../page/n/'
    start: int
    stop: int
    newer: int  # the number of the page with newer articles; 0: none
    older: int  # the number of the page with older articles; 0: none


def spans(count: int, per: int, anchored: bool) -> list[Span]:
    """Every page of a listing of `count` articles, the newest first."""
    pages = _pages(count, per, anchored)
    numbers = [1, *range(pages, 1, -1)] if anchored else range(1, pages + 1)
    return [span_of(count, per, anchored, n) for n in numbers]


def span_of(count: int, per: int, anchored: bool, number: int) -> Span | None:
    """The page with URL number `number` (None if the listing has no such page)."""
    pages = _pages(count, per, anchored)
    if not 1 <= number <= pages:
        return None
    if not anchored or pages == 1:
        return Span(number, (number - 1) * per, min(number * per, count), number - 1,
                    number + 1 if number < pages else 0)
    if number == 1:
        return Span(1, 0, per, 0, pages)
    k, rest = number - 1, count - per  # chunk k from the oldest end
    return Span(number, count - min(k * per, rest), count - (k - 1) * per,
                1 if number == pages else number + 1, number - 1 if k > 1 else 0)


def _pages(count: int, per: int, anchored: bool) -> int:
    if count <= per:
        return 1
    return 1 + -(-(count - per) // per) if anchored else -(-count // per)


def date_span(newest: datetime, oldest: datetime, locale=None) -> str:
    """'June 7–14, 2026', 'May 30 – June 4, 2026', 'December 28, 2025 – January 3, 2026'; in a
    Babel locale's words when one is given (a multilingual site's edition: '7–14 juin 2026')."""
    if locale is not None:
        return day_span(newest.date(), oldest.date(), locale)
    if newest.date() == oldest.date():
        return f"{newest:%B} {newest.day}, {newest.year}"
    if (newest.year, newest.month) == (oldest.year, oldest.month):
        return f"{oldest:%B} {oldest.day}–{newest.day}, {newest.year}"
    if newest.year == oldest.year:
        return f"{oldest:%B} {oldest.day} – {newest:%B} {newest.day}, {newest.year}"
    return f"{oldest:%B} {oldest.day}, {oldest.year} – {newest:%B} {newest.day}, {newest.year}"
