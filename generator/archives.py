"""Date archives: articles by month, and where a year's and a month's pages live.

A dated article URL ('/2026/11/slug/') implies the pages '/2026/' and '/2026/11/'; their patterns are
permalinks.year and permalinks.month ('' turns one off). Articles are filed under the year and month
of their date as written (the same values their URL was made from), not converted to another zone.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timezone

from generator.config import SiteConfig
from generator.content import expand_permalink
from generator.locales import month_year
from generator.model import Article


def month_key(article: Article) -> str:
    """'2026-11': the archive month an article is filed under."""
    return f"{article.date.year:04d}-{article.date.month:02d}"


def by_month(articles: tuple[Article, ...]) -> dict[str, tuple[Article, ...]]:
    """Month key -> its articles (in the given order, newest first), newest month first."""
    months: dict[str, list[Article]] = {}
    for article in articles:
        months.setdefault(month_key(article), []).append(article)
    return {key: tuple(months[key]) for key in sorted(months, reverse=True)}


def _when(year: int, month: int = 1) -> datetime:
    return datetime(year, month, 1, tzinfo=timezone.utc)


def year_url(config: SiteConfig, year: str) -> str:
    """The year page's URL ('' when year pages are off)."""
    pattern = config.permalinks.year
    return expand_permalink(pattern, slug="", when=_when(int(year))) if pattern else ""


def month_url(config: SiteConfig, key: str) -> str:
    """The month page's URL for '2026-11' ('' when month pages are off)."""
    pattern = config.permalinks.month
    year, month = key.split("-")
    return expand_permalink(pattern, slug="", when=_when(int(year), int(month))) if pattern else ""


def month_name(key: str, locale=None) -> str:
    """'November 2026' (English month names, as the rest of the example layouts use); in a Babel
    locale's words when one is given (a multilingual site's edition: 'novembre 2026')."""
    year, month = key.split("-")
    if locale is not None:
        return month_year(int(year), int(month), locale)
    return f"{calendar.month_name[int(month)]} {int(year)}"
