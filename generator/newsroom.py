"""Front matter of the news desk: corrections and updates, expiry, sponsored content and press
releases, per-article search-engine overrides. Validated here into plain values for the Article;
a bad value is reported at its line with a hint, and the article is published without it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from urllib.parse import quote, urlsplit

from generator.config import SiteConfig
from generator.errors import Problem, preview
from generator.model import Update

DOC_TYPES = {"article": "article", "news": "article", "post": "article",
             "press-release": "press-release", "press_release": "press-release", "pressrelease": "press-release",
             "press release": "press-release"}
MAX_UPDATES = 100
MAX_NOTE = 1000


@dataclass(frozen=True, slots=True)
class Newsroom:
    updates: tuple[Update, ...] = ()  # oldest first
    expires: datetime | None = None
    sponsored: bool = False
    doc_type: str = "article"  # "article" | "press-release"
    noindex: bool = False
    canonical: str = ""  # an absolute http(s) URL: the original of a syndicated copy
    og_image: str = ""  # a site path or http(s) URL for og:image / twitter:image


def item_lines(fm: str, key: str) -> list[int]:
    """The file lines of a front matter list's items (YAML '- ' lines, TOML [[key]] tables)."""
    lines = fm.split("\n")
    out: list[int] = []
    toml = re.compile(rf"^\s*\[\[\s*{re.escape(key)}\s*\]\]")
    inside = False
    for number, line in enumerate(lines, 1):  # fm starts with line 1's newline: lines[i] is file line i + 1
        if toml.match(line):
            out.append(number)
            continue
        if re.match(rf"^[\"']?{re.escape(key)}[\"']?\s*:", line):
            inside = True
            continue
        if inside:
            if re.match(r"^\s*-", line):
                out.append(number)
            elif line.strip() and not line[:1].isspace():
                inside = False
    return out


def read_newsroom(meta: dict, fm: str, rel: str, config: SiteConfig, problems: list[Problem],
                  line_of: Callable[[str], int], flag: Callable[[str], bool],
                  parse_date: Callable, clean: Callable[[str], str], image_ok: Callable[[object], bool]) -> Newsroom:
    """The news desk's keys of one file; what is wrong is appended to problems."""

    def error(key: str, message: str, hint: str, line: int | None = None) -> None:
        problems.append(Problem(rel, message, line or line_of(key), hint))

    updates: list[Update] = []
    raw = meta.get("updates")
    if raw not in (None, "", []):
        items = raw if isinstance(raw, list) else None
        if items is None:
            error("updates", f"updates must be a list of entries with a date and a note, got {preview(raw)}; ignored",
                  "write:  updates:\n    - date: 2025-07-18\n      note: Corrected the fund's name.")
            items = []
        lines = item_lines(fm, "updates")
        for n, item in enumerate(items[:MAX_UPDATES]):
            line = lines[n] if n < len(lines) else None
            if not isinstance(item, dict):
                error("updates", f"updates entry {n + 1} is {preview(item)}, not a date and a note; skipped",
                      "each entry is '- date: 2025-07-18' with 'note: What changed.' under it", line)
                continue
            when = parse_date(item.get("date"), config) if item.get("date") not in (None, "") else None
            note = clean(item.get("note") if not isinstance(item.get("note"), (list, dict)) else "")
            if when is None or not note:
                what = "no date" if item.get("date") in (None, "") else \
                    f"date {preview(item.get('date'))} is not a date" if when is None else "no note"
                error("updates", f"updates entry {n + 1}: {what}; skipped",
                      "each entry needs 'date: 2025-07-18' (or a date-time) and 'note: What changed.'", line)
                continue
            updates.append(Update(when, note[:MAX_NOTE]))
        if len(items) > MAX_UPDATES:
            error("updates", f"updates lists {len(items)} entries; the first {MAX_UPDATES} are used",
                  "keep the corrections that matter")
    updates.sort(key=lambda u: u.date)

    expires = None
    if meta.get("expires") not in (None, ""):
        expires = parse_date(meta["expires"], config)
        if expires is None:
            error("expires", f"expires {preview(meta['expires'])} is not a date; the article does not expire",
                  "write 'expires: 2026-12-31' or a date-time with a time zone")

    doc_type = "article"
    if meta.get("type") not in (None, ""):
        value = meta["type"]
        found = DOC_TYPES.get(str(value).strip().lower()) if isinstance(value, str) else None
        if found is None:  # Hugo's 'type' picks a layout: an imported site keeps building, with a note
            problems.append(Problem(rel, f"type {preview(value)} is not one of: article, press-release; "
                                         "the file is an ordinary article", line_of("type"),
                                    "write 'type: press-release' for a press release, or remove 'type:'", "warning"))
        else:
            doc_type = found

    canonical = ""
    if meta.get("canonical") not in (None, ""):
        value = meta["canonical"]
        parts = urlsplit(value.strip()) if isinstance(value, str) and len(value) < 2000 else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s<>\"']", value.strip()):
            error("canonical", f"canonical {preview(value)} is not an absolute http(s) URL; the page's own URL is used",
                  "write the original's full address: 'canonical: https://example.com/2025/07/original/'")
        else:
            canonical = quote(value.strip(), safe="/:?#[]@!$&'()*+,;=%~")

    og_image = ""
    if meta.get("og_image") not in (None, ""):
        value = meta["og_image"]
        if not image_ok(value) or str(value).strip().startswith("data:"):
            error("og_image", f"og_image {preview(value)} must be a site path like /assets/img/share.jpg or an "
                              "http(s) URL; the featured image is shared instead", "fix the og_image: field")
        else:
            og_image = quote(value.strip(), safe="/:?#[]@!$&'()*+,;=%~")

    return Newsroom(updates=tuple(updates), expires=expires, sponsored=flag("sponsored"), doc_type=doc_type,
                    noindex=flag("noindex"), canonical=canonical, og_image=og_image)
