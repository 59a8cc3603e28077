"""Languages through Babel: locales, dates in each language, and the layouts' UI strings.

An edition's UI strings come from layouts/strings/{code}.po (gettext, read with Babel, so plural
forms follow the language's own rules); a language without a file shows the layouts' English.
"""

from __future__ import annotations

import gettext
import io
from datetime import datetime
from pathlib import Path
from typing import Callable

from generator.errors import Problem
from generator.locales import locale_of
from generator.render import memoized_date_filter

STRINGS_DIR = "strings"  # under layouts/: one {code}.po per language


def check_language(lang) -> list[str]:
    """What is wrong with a declared language's locale and date format (for config errors)."""
    from babel.dates import format_date
    problems = []
    loc = locale_of(lang.code, lang.locale)
    if lang.locale and locale_of(lang.locale) is None:
        problems.append(f"locale {lang.locale!r} is not a locale Babel knows, like 'fr_FR' or 'pt_BR'")
    elif loc is None:
        problems.append(f"code {lang.code!r} is not a language Babel knows; set locale = \"...\" to one it does "
                        f"(like 'fr' or 'pt_BR')")
    if "%" in lang.date_format:
        problems.append(f"date_format {lang.date_format!r} looks like strftime; write a Babel format: short, medium, "
                        f"long, full or a pattern like 'd MMMM y'")
    elif loc is not None:
        try:
            format_date(datetime(2025, 7, 1), lang.date_format, locale=loc)
        except Exception as exc:  # noqa: BLE001 - Babel raises several kinds for a bad pattern
            problems.append(f"date_format {lang.date_format!r} is not a Babel date format "
                            f"(short, medium, long, full or a pattern like 'd MMMM y'): {exc}")
    return problems


def language_name(lang) -> str:
    """A language's own name for the switcher: `name` if set, else Babel's ('français')."""
    if lang.name:
        return lang.name
    loc = locale_of(lang.code, lang.locale)
    name = loc.get_display_name(loc) if loc is not None else ""
    return (name[:1].upper() + name[1:]) if name else lang.code


def direction(lang) -> str:
    """'rtl' or 'ltr'."""
    loc = locale_of(lang.code, lang.locale)
    return loc.text_direction if loc is not None else "ltr"


def og_locale(lang) -> str:
    """og:locale wants language_TERRITORY: 'fr_FR', Babel's likeliest territory when the code has none."""
    from babel.core import get_global
    loc = locale_of(lang.code, lang.locale)
    if loc is None:
        return lang.code.replace("-", "_")
    territory = loc.territory
    if not territory:
        likely = str(get_global("likely_subtags").get(loc.language, "")).split("_")
        territory = next((p for p in likely[1:] if len(p) == 2 and p.isupper()), "")
    return f"{loc.language}_{territory}" if territory else loc.language


def load_strings(layouts: Path, lang, problems: list[Problem]) -> gettext.NullTranslations:
    """The translations of layouts/strings/{code}.po; the layouts' own English when there is no file."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po
    from babel.support import Translations
    path = layouts / STRINGS_DIR / f"{lang.code}.po"
    if not path.is_file():
        return gettext.NullTranslations()
    rel = f"{layouts.name}/{STRINGS_DIR}/{path.name}"
    loc = locale_of(lang.code, lang.locale)
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=loc, abort_invalid=True)
    except PoFileError as exc:
        problems.append(Problem(rel, f"cannot read the strings file: {exc}", getattr(exc, "lineno", None) or None,
                                "fix the .po syntax (msgid \"...\" then msgstr \"...\")"))
        return gettext.NullTranslations()
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems.append(Problem(rel, f"cannot read the strings file: {exc}", hint="save it as UTF-8 gettext .po"))
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def date_formatter(lang) -> Callable:
    """The `date` filter of an edition: its date_format by default; a strftime format ('%b %-d')
    becomes Babel's medium date (and time, when it asks for the hour) in the edition's language."""
    from babel.dates import format_date, format_datetime
    loc = locale_of(lang.code, lang.locale)

    def show(d, fmt: str | None) -> str:
        if fmt is None:
            return format_date(d, lang.date_format, locale=loc)
        if "%H" in fmt or "%I" in fmt:
            return format_datetime(d, "medium", tzinfo=getattr(d, "tzinfo", None), locale=loc)
        return format_date(d, "medium", locale=loc)
    return memoized_date_filter(show, None)


def install_language(env, lang, strings: gettext.NullTranslations) -> None:
    """An edition's Jinja environment speaks its language: _(), ngettext() and the date filter."""
    env.install_gettext_translations(strings, newstyle=True)
    env.filters["date"] = date_formatter(lang)
