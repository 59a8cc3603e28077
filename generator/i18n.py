"""Languages through Babel: locales, dates in each language, and the layouts' UI strings.

An edition's UI strings come from layouts/strings/{code}.po (gettext, read with Babel, so plural
forms follow the language's own rules); a language without a file shows the layouts' English.
"""

from __future__ import annotations

import gettext
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Callable

from generator.errors import Problem
from generator.locales import locale_of
from generator.markup import BODY_STRINGS
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
    from babel.support import Translations
    catalog = _catalog(layouts, lang, problems)
    if catalog is None:
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def _catalog(layouts: Path, lang, problems: list[Problem]):
    """The Babel catalog of layouts/strings/{code}.po; None when there is none (or it cannot be read)."""
    from babel.messages.pofile import PoFileError, read_po
    path = layouts / STRINGS_DIR / f"{lang.code}.po"
    if not path.is_file():
        return None
    rel = _rel(layouts, lang)
    try:
        with path.open("rb") as fh:
            return read_po(fh, locale=locale_of(lang.code, lang.locale), abort_invalid=True)
    except PoFileError as exc:
        problems.append(Problem(rel, f"cannot read the strings file: {exc}", getattr(exc, "lineno", None) or None,
                                "fix the .po syntax (msgid \"...\" then msgstr \"...\")"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems.append(Problem(rel, f"cannot read the strings file: {exc}", hint="save it as UTF-8 gettext .po"))
    return None


def _rel(layouts: Path, lang) -> str:
    return f"{layouts.name}/{STRINGS_DIR}/{lang.code}.po"


_SLOT = re.compile(r"%(?:\((\w+)\))?[sd]")


def body_strings(layouts: Path, config, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """Language code -> its translations of the texts bodies hold (markup.BODY_STRINGS: an embed's
    "Play video", a footnote's back-link title), from layouts/strings/{code}.po; empty on a
    single-language site, and for a language that translates none of them (its bodies say them in
    English). A translation whose placeholders differ from the English is a warning and not used."""
    if not config.multilingual:
        return {}
    out: dict[str, dict[str, str]] = {}
    for lang in config.languages:
        catalog = _catalog(layouts, lang, [])  # a file that cannot be read is reported by load_strings
        words = {}
        for msgid in BODY_STRINGS if catalog is not None else ():
            message = catalog.get(msgid)
            text = message.string if message is not None and not message.fuzzy else ""
            if not text or not isinstance(text, str):
                continue
            rest = _SLOT.sub("", text)
            if sorted(_SLOT.findall(text)) != sorted(_SLOT.findall(msgid)) or "%" in rest or (
                    "%d" in msgid and ("{" in rest or "}" in rest)):
                slots = ", ".join(m.group() for m in _SLOT.finditer(msgid)) or "none"
                problems.append(Problem(_rel(layouts, lang), f"the translation of {msgid!r} does not have the "
                                        f"placeholders of the English ({slots}); the English is used",
                                        message.lineno or None, "keep each %(name)s or %d of the msgid once, and "
                                        "no other % or braces", "warning"))
                continue
            words[msgid] = text
        if words:
            out[lang.code] = words
    return out


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
