"""Babel locales of a site's declared languages, and dates in words in them (CLDR's patterns).

The generator's own date words (an anchored pager's 'July 1–3, 2025', an archive's 'November
2026') are written in the edition's language on a multilingual site; a single-language site keeps
its English words exactly as they always were (its output must not change). Babel is imported
only when a locale is asked for.
"""

from __future__ import annotations

import functools
import re
from datetime import date


def locale_of(code: str, locale: str = ""):
    """The Babel locale of a language (its `locale` if set, else its code), or None if Babel knows none."""
    return _parse(code, locale)


@functools.lru_cache(maxsize=64)
def _parse(code: str, locale: str):
    from babel import Locale, UnknownLocaleError
    for tag in (locale, code):
        if not tag:
            continue
        try:
            return Locale.parse(tag.replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return None


def edition_locale(config):
    """The Babel locale of an edition of a multilingual site (`config` is the edition's); None on a
    single-language site, whose date words stay English."""
    if not config.multilingual:
        return None
    memo = config.__dict__  # once per edition config (frozen; config.edition keeps its editions the same way)
    if "_locale" not in memo:
        lang = next((lang for lang in config.languages if lang.code == config.language), None)
        memo["_locale"] = locale_of(lang.code, lang.locale) if lang is not None else None
    return memo["_locale"]


DAY = "yMMMMd"  # CLDR skeletons: day, month in full, year
MONTH = "yMMMM"


@functools.lru_cache(maxsize=4096)  # the same spans and months label many listings' pages
def day_span(newest: date, oldest: date, locale) -> str:
    """The days from `oldest` to `newest` in the locale's words: '1–3 juillet 2025', '2025年7月1日～3日'."""
    from babel.dates import format_skeleton
    if newest == oldest:
        return format_skeleton(DAY, newest, locale=locale)
    parts = _interval(locale)
    field = "y" if newest.year != oldest.year else "M" if newest.month != oldest.month else "d"
    if field not in parts:  # no interval pattern: both dates in full, joined the locale's way
        joined = locale.interval_formats.get(None) or "{0} – {1}"
        return joined.replace("{0}", format_skeleton(DAY, oldest, locale=locale)).replace(
            "{1}", format_skeleton(DAY, newest, locale=locale))
    from babel.dates import parse_pattern
    first, second = parts[field]
    return parse_pattern(first).apply(oldest, locale) + parse_pattern(second).apply(newest, locale)


@functools.lru_cache(maxsize=4096)
def month_year(year: int, month: int, locale) -> str:
    """'novembre 2026', '2026年11月', 'listopad 2026' (the stand-alone form where the language has one)."""
    from babel.dates import format_skeleton
    return format_skeleton(MONTH, date(year, month, 1), locale=locale)


@functools.lru_cache(maxsize=64)
def _interval(locale) -> dict[str, tuple[str, str]]:
    """The locale's interval patterns for DAY, by greatest differing field ('y', 'M', 'd').

    Babel takes the closest skeleton CLDR has (often yMMMd) without adjusting its fields' widths
    as UTS #35 asks ('intervalFormats'): where the locale writes a single day with the month's
    full name, an abbreviated month ('MMM', 'LLL') is widened here, so 'Jul 1 – 3' reads 'July
    1 – 3' (Chinese, which writes '7月', keeps its pattern).
    """
    from babel.dates import match_skeleton
    formats = locale.interval_formats
    skeleton = DAY if DAY in formats else match_skeleton(DAY, formats)
    if not skeleton:
        return {}
    single = locale.datetime_skeletons.get(DAY) or ""
    wide = "MMMM" in str(single) or "LLLL" in str(single)
    return {field: tuple(_widen_month(p) if wide else p for p in pair) for field, pair in formats[skeleton].items()
            if field in ("y", "M", "d") and len(pair) == 2}


_QUOTED_OR_MONTH = re.compile(r"'[^']*'|(?<![ML])([ML])\1\1(?![ML])")


def _widen_month(pattern: str) -> str:
    """'MMM d' -> 'MMMM d'; quoted text ('de') is left alone."""
    return _QUOTED_OR_MONTH.sub(lambda m: m.group(0) + m.group(1) if m.group(1) else m.group(0), pattern)
