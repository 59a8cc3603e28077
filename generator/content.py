"""Content files: finding them, reading them, and turning front matter into validated articles."""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote, urlsplit

from generator import __version__
from generator.config import SiteConfig
from generator.errors import Problem, ProblemError, preview
from generator.frontmatter_split import key_line, split
from generator.markup import Converter, MarkdownError, SETTINGS_KEY, shorten
from generator.model import Article, Body, Image, Parsed, Term
from generator.newsroom import read_newsroom
from generator.slugs import slugify
from generator.stamps import source_stamp

CONTENT_DIR = "content"
PAGES_DIR = "pages"  # content/pages/: static pages
SUFFIXES = (".md", ".markdown")
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_TITLE = 300
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SLASHES = re.compile(r"/{2,}")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])  # _CONTROL's characters
_URL_KEEP = "/:?#[]@!$&'()*+,;=%~"  # reserved URL characters and existing %XX escapes stay as they are
# Not text in HTML or XML 1.0: C0 and C1 controls, lone surrogates, noncharacters (U+FDD0..U+FDEF,
# U+xFFFE and U+xFFFF on every plane). Front matter values and bodies lose them.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" +
                       "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)) + "]")
_FILENAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")


@dataclass(frozen=True, slots=True)
class SourceFile:
    rel: str  # posix path relative to the site folder
    path: Path
    kind: str  # "article" | "page"
    mtime_ns: int  # stamps.source_stamp: the later of mtime and ctime
    size: int


def discover(site_dir: Path, problems: list[Problem], languages: tuple[str, ...] = ()) -> list[SourceFile]:
    """Every Markdown file under content/, sorted; folders starting with '_' or '.' are data, not content.

    Static pages are in content/pages/, or content/{lang}/pages/ for a declared language.

    Symlinks are followed only when they stay inside content/; loops and escapes are reported.
    """
    root = (site_dir / CONTENT_DIR)
    if not root.is_dir():
        if root.exists() or root.is_symlink():
            problems.append(Problem(CONTENT_DIR, "content/ is not a folder (a file, or a broken link); no articles",
                                    hint="make content/ a folder holding the Markdown files"))
        return []
    real_root = root.resolve()
    found: list[SourceFile] = []
    stack = [(os.fspath(root), f"{CONTENT_DIR}/", True)]  # (folder, its path relative to the site, top level)
    while stack:
        folder, prefix, top = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(prefix.rstrip("/"), f"cannot read folder: {exc.strerror}"))
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = prefix + name
            if entry.is_dir(follow_symlinks=False):
                if name.startswith("_"):
                    continue
                subfolders.append((entry.path, rel + "/", False))
                continue
            if entry.is_symlink():
                try:
                    linked_dir = entry.is_dir()
                except OSError:  # a loop: reported below as a broken file link
                    linked_dir = False
                if linked_dir:
                    if not name.startswith("_"):  # linked folders are not walked: they could loop or lead anywhere
                        _check_link(Path(entry.path), real_root, site_dir, problems, "folder")
                    continue
            if not name.lower().endswith(SUFFIXES):
                continue
            if entry.is_symlink() and not _check_link(Path(entry.path), real_root, site_dir, problems, "file"):
                continue
            try:
                st = entry.stat()
            except OSError as exc:
                problems.append(Problem(rel, f"cannot read: {exc.strerror}", hint="fix or remove the file"))
                continue
            if not stat.S_ISREG(st.st_mode):  # a named pipe would block the read for ever
                problems.append(Problem(rel, "not a regular file (a named pipe, socket or device?); skipped",
                                        level="warning", hint="remove it from content/"))
                continue
            if not _utf8(rel):
                problems.append(Problem(rel, "file name is not UTF-8; skipped",
                                        hint="rename the file (and its folders) with UTF-8 characters"))
                continue
            in_pages = not top and is_page_path(rel, languages)
            found.append(SourceFile(rel, Path(entry.path), "page" if in_pages else "article", source_stamp(st), st.st_size))
        stack.extend(reversed(subfolders))
    return found


def is_page_path(rel: str, languages: tuple[str, ...]) -> bool:
    parts = rel.split("/")
    if parts[1] == PAGES_DIR:
        return True
    return len(parts) > 3 and parts[2] == PAGES_DIR and parts[1].casefold() in {c.casefold() for c in languages}


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.fsdecode kept undecodable bytes as lone surrogates
        return False
    return True


def _check_link(path: Path, real_root: Path, site_dir: Path, problems: list[Problem], what: str) -> bool:
    rel = path.relative_to(site_dir).as_posix()
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        problems.append(Problem(rel, f"symlinked {what} is broken or loops", hint="remove the link or point it at a real file"))
        return False
    if what == "folder":
        problems.append(Problem(rel, "symlinked folder is not followed", level="warning",
                                hint="move the files into content/ instead of linking a folder"))
        return False
    if not target.is_relative_to(real_root):
        problems.append(Problem(rel, "symlink points outside content/; refused", hint="copy the file into content/"))
        return False
    return True


def body_key(raw: bytes, rel: str = "", words_key: str = "") -> str:
    """Cache key of a body: its bytes, the generator version and the Markdown settings; where bodies
    hold words in several languages (words_key, from body_words_key), also the file's path, as its
    language may come from its folder or name."""
    salt = f"\0{rel}\0{words_key}" if words_key else ""
    return hashlib.sha256(raw + f"\0{__version__}\0{SETTINGS_KEY}{salt}".encode()).hexdigest()[:32]


def body_words_key(words: dict[str, dict[str, str]], config: SiteConfig) -> str:
    """What, besides a file's bytes and path, decides the words in its body: each language's
    translations of markup.BODY_STRINGS and the default language ('' when no language has any:
    every body is then English, as on a single-language site)."""
    if not words:
        return ""
    data = json.dumps([config.default_language, config.language_codes(), words], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def read_source(src: SourceFile) -> bytes:
    if src.size > MAX_FILE_BYTES:
        raise ProblemError(Problem(src.rel, f"file is {src.size // (1024 * 1024)} MB; the limit is "
                                            f"{MAX_FILE_BYTES // (1024 * 1024)} MB", hint="split it or move media out of the Markdown"))
    try:
        return src.path.read_bytes()
    except OSError as exc:
        raise ProblemError(Problem(src.rel, f"cannot read: {exc.strerror}")) from None


def decode(raw: bytes, rel: str, problems: list[Problem]) -> str:
    """UTF-8 (a BOM is dropped); other bytes are read as Windows-1252 with a warning; CRLF becomes LF."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(rel, "file is not UTF-8; read as Windows-1252 (Latin-1)", line, level="warning",
                                hint="save the file as UTF-8"))
        text = raw.decode("cp1252", errors="replace")
    # C0 controls and DEL are single bytes in UTF-8 and Windows-1252 alike (never part of a longer
    # sequence): finding none in the raw bytes, a C-speed deletion, spares the regex (a sixth of
    # this function's time).
    found = _CONTROL.search(text) if len(raw.translate(None, _CONTROL_BYTES)) != len(raw) else None
    if found:
        line = text.count("\n", 0, found.start()) + 1
        what = "NUL bytes" if "\x00" in text else "control characters"
        problems.append(Problem(rel, f"file contains {what} (first on this line); they were removed", line,
                                level="warning", hint="is this a binary file? save it as plain UTF-8 text"))
        text = _CONTROL.sub("", text)
    # In UTF-8, C1 controls start with C2, U+FDD0..U+FDEF with EF B7, and U+xFFFE/U+xFFFF end in
    # BF BE/BF BF: finding none of these (byte searches at memory speed) spares the regex. A file
    # read as Windows-1252 holds none of them.
    if (b"\xc2" in raw or b"\xef\xb7" in raw or b"\xbf\xbe" in raw or b"\xbf\xbf" in raw) and not text.isascii():
        found = _NOT_TEXT.search(text)
        if found:
            line = text.count("\n", 0, found.start()) + 1
            problems.append(Problem(rel, f"file contains characters that HTML and XML cannot hold (U+{ord(found.group()):04X}, "
                                         "first on this line); they were removed", line, level="warning",
                                    hint="delete them; they are invisible control codes or non-characters"))
            text = _NOT_TEXT.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def parse_files(files: list[tuple[SourceFile, bytes, Body | None]], config: SiteConfig,
                converter: Converter, words: dict[str, dict[str, str]] | None = None) -> list[Parsed]:
    """Split, convert and validate a run of files already read (with their body, where known);
    never raises for bad content: each file's problems are in its Parsed. `words`: each language's
    translations of the texts a body holds (i18n.body_strings), used for the file's language.

    One stage at a time over the whole run: Markdown's code pushes everything else out of the
    CPU's caches, and front matter, body text and validation cost a quarter less done back to back
    for every file than each between two conversions.
    """
    problems: list[list[Problem]] = [[] for _ in files]
    failed: dict[int, Problem] = {}

    def each(stage: Callable[[int, SourceFile, bytes], object]) -> list:
        out = []
        for i, (src, raw, _) in enumerate(files):
            value = None
            if i not in failed:
                try:
                    value = stage(i, src, raw)
                except ProblemError as exc:
                    failed[i] = exc.problem
            out.append(value)
        return out

    splits = each(lambda i, src, raw: split(decode(raw, src.rel, problems[i]), src.rel))

    def markdown(i: int, src: SourceFile, _raw: bytes):
        if files[i][2] is not None:
            return None
        said = words.get(body_language(src, splits[i][0], config)) if words else None
        try:
            return (*converter.html(splits[i][1], said), converter.notes, converter.images)
        except MarkdownError as exc:
            raise ProblemError(Problem(src.rel, str(exc), splits[i][2], exc.hint)) from None
    converted = each(markdown)
    bodies = each(lambda i, _src, _raw: files[i][2] if converted[i] is None else converter.body(*converted[i]))
    for i, body in enumerate(bodies):  # warnings about the body, kept with it in the cache
        if body is not None and body.notes:
            problems[i].extend(Problem(files[i][0].rel, message, splits[i][2] + line - 1 if line else splits[i][2],
                                       hint, "warning") for line, message, hint in body.notes)
    articles = each(lambda i, src, raw: validate(src, splits[i][0], splits[i][3], bodies[i], config, problems[i],
                                                 hashlib.sha256(raw).hexdigest()[:24], splits[i][2]))
    out = []
    for i, (src, _, _) in enumerate(files):
        if i in failed:
            out.append(Parsed(src.rel, None, None, (*problems[i], failed[i])))
        else:
            out.append(Parsed(src.rel, articles[i], bodies[i], tuple(problems[i])))
    return out


# --- front matter validation -------------------------------------------------------------

# Other generators' names (Jekyll, Hugo, Pelican, Eleventy) for the keys validate() reads, in order
# of precedence: each is read as the key it stands for unless the file sets that key itself (then
# it is ignored and listed as such). One table, applied before validation, so no key is dropped silently.
KEY_ALIASES: dict[str, str] = {
    "redirect_from": "aliases",  # Jekyll (jekyll-redirect-from); Hugo says aliases
    "permalink": "url",  # Jekyll, Eleventy; Hugo says url
    "lastmod": "updated", "modified": "updated", "last_modified_at": "updated", "date_modified": "updated",
    "description": "summary", "excerpt": "summary",
    "featured_image": "image", "cover": "image", "thumbnail": "image",
    "authors": "author",
    "keywords": "tags",
    "expirydate": "expires", "expiry_date": "expires", "expiry": "expires",  # Hugo: expiryDate
    "corrections": "updates",
}
# Keys validate() reads, besides those of KEY_ALIASES' right-hand side.
KNOWN_KEYS = frozenset({"title", "date", "published", "updated", "category", "categories", "tags", "coins", "slug",
                        "summary", "reading_time", "image", "image_alt", "author", "draft", "trending", "url",
                        "aliases", "updates", "expires", "sponsored", "type", "noindex", "canonical", "og_image",
                        "lang", "translation_key"})
KEY_ALIASES.update({"language": "lang", "locale": "lang", "translationkey": "translation_key"})  # Jekyll, Hugo


def normalise_keys(meta: dict) -> tuple[dict, dict[str, str]]:
    """Front matter with lower-case keys and other generators' names mapped by KEY_ALIASES; and
    for each key so filled, the name the file used (for error lines)."""
    out = {str(k).strip().lower(): v for k, v in meta.items()}
    written: dict[str, str] = {}
    for name, key in KEY_ALIASES.items():
        if name in out and out.get(key) in (None, "", []):
            out[key] = out.pop(name)
            written[key] = name
    return out, written


def validate(src: SourceFile, meta: dict, fm: str, body: Body, config: SiteConfig,
             problems: list[Problem], raw_digest: str, body_line: int = 1) -> Article | None:
    """Typed, checked article from raw front matter; problems are appended, fatal ones raised."""
    rel = src.rel
    meta, written = normalise_keys(meta)

    def fail(key: str, message: str, hint: str) -> ProblemError:
        return ProblemError(Problem(rel, message, key_line(fm, written.get(key, key)) or 1, hint))

    def warn(key: str, message: str, hint: str = "") -> None:
        problems.append(Problem(rel, message, key_line(fm, written.get(key, key)) or 1, hint, "warning"))

    if not fm:
        raise ProblemError(Problem(rel, "no front matter: the file must start with a '---' line", 1,
                                   "add '---', then 'title: ...', 'date: ...', 'category: ...', then '---'"))
    lang, folder, stem = language_of(src, meta, config, fail, warn)
    base = config
    config = config.edition(lang)  # its permalinks, words per minute
    title = clean_text(meta.get("title"))
    if not title:
        raise fail("title", "missing title", "add 'title: Your headline' to the front matter")
    if len(title) > MAX_TITLE:
        warn("title", f"title is {len(title):,} characters; it was cut to {MAX_TITLE}", "keep headlines under 120 characters")
        title = shorten(title, MAX_TITLE)

    file_date, file_slug = _from_filename(stem)
    raw_date = meta.get("date", meta.get("published", None) if not isinstance(meta.get("published"), bool) else None)
    if raw_date in (None, ""):
        if src.kind == "page":
            when = datetime(1970, 1, 1, tzinfo=timezone.utc)
        elif file_date is not None:
            when = datetime.combine(file_date, time(), config.tz)
        else:
            raise fail("date", "missing date", "add 'date: 2025-07-17T09:30:00Z' (a date, or a date-time with a time zone)")
    else:
        when = parse_date(raw_date, config)
        if when is None:
            raise fail("date", f"{preview(raw_date)} is not a date",
                       "write dates as 2025-07-17 or 2025-07-17T09:30:00+02:00 (years 1–9999)")
    updated = when
    if meta.get("updated") not in (None, ""):
        parsed = parse_date(meta["updated"], config)
        if parsed is None:
            warn("updated", f"{written.get('updated', 'updated')} {preview(meta['updated'])} is not a date; ignored",
                 "use 2025-07-17 or 2025-07-17T09:30:00Z")
        updated = parsed or updated

    category = None
    if src.kind == "article":
        category = _category(meta, fm, rel, config, problems, fail)

    tags = tuple(_terms(meta, fm, "tags", rel, problems, config, "tag"))
    coins = tuple(_terms(meta, fm, "coins", rel, problems, config, "coin", upper=True))

    slug_source = meta.get("slug")
    if slug_source not in (None, ""):
        slug = slugify(str(slug_source))
        if not slug:
            raise fail("slug", f"slug {preview(slug_source)} has no letters or digits to use in a URL",
                       "use lowercase words joined by hyphens, e.g. 'slug: bitcoin-etf-flows'")
    elif config.slug_from == "filename":  # Jekyll's 2024-05-01-slug.md, Hugo's slug.md or slug/index.md
        name = file_slug or (src.path.parent.name if stem in ("index", "_index") else stem)
        slug = slugify(name) or slugify(title) or _hashed_slug(title)
    else:
        slug = slugify(title) or (slugify(file_slug) if file_slug else "") or _hashed_slug(title)

    summary_raw = meta.get("summary") if meta.get("summary") not in (None, "") else None
    summary = shorten(clean_text(summary_raw), 500) if summary_raw is not None else shorten(body.first_paragraph, 300)

    reading_time = max(1, math.ceil(body.words / config.words_per_minute))
    if meta.get("reading_time") not in (None, ""):
        value = meta["reading_time"]
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1000:
            reading_time = value
        else:
            warn("reading_time", f"reading_time {preview(value, 30)} is not a whole number of minutes; computed {reading_time}",
                 "write 'reading_time: 5'")

    image = None
    image_src = meta.get("image") or None
    if isinstance(image_src, dict):  # Hugo/Jekyll style: image: {src: ..., alt: ...}
        meta.setdefault("image_alt", image_src.get("alt", ""))
        image_src = image_src.get("src") or image_src.get("path")
    if image_src is not None:
        if not _image_src_ok(image_src):
            warn("image", f"image {preview(image_src)} must be a site path like /assets/img/photo.jpg or an "
                          "http(s) URL; ignored", "fix the image: field")
        else:
            # spaces and quotes in a path or URL are percent-encoded, so every href and src is valid
            image = Image(src=quote(image_src.strip(), safe=_URL_KEEP), alt=clean_text(meta.get("image_alt")) or title)

    names = _author_names(meta.get("author"))
    author = ", ".join(names)
    authors = tuple({t.slug: t for t in (term(config, "author", n) for n in names)}.values())

    flags = {key: _boolean_key(meta, key, fm, rel, problems) for key in BOOLEAN_KEYS}
    draft = flags["draft"] or _flag_word(meta.get("published")) is False
    published = meta.get("published")
    if published is not None and _flag_word(published) is None and parse_date(published, config) is None:
        problems.append(Problem(rel, f"published must be true, false or a date, got {preview(published)}; the article "
                                     "is treated as a draft and not published", key_line(fm, "published") or 1,
                                "write 'published: true' or 'published: false' (or use draft:)"))
        draft = True
    trending = flags["trending"]

    url = None
    if meta.get("url") not in (None, ""):
        url = site_path(meta["url"])
        if url is None or url == "/" or not url.endswith(("/", ".html", ".htm")):  # a page, not a feed or a file
            warn("url", f"{written.get('url', 'url')} {str(meta['url'])[:60]!r} is not a page path like /2019/05/old-slug/; "
                        "the permalink pattern is used",
                 "write a path that starts with '/' and ends with '/' or '.html', without '..', '?' or '#'")
            url = None
    if url is None:
        url = expand_permalink(config.permalinks.page if src.kind == "page" else config.permalinks.article,
                               slug=slug, when=when, category=category.slug if category else "")
    aliases = _aliases(meta.get("aliases"), url, warn, written.get("aliases", "aliases"))
    news = read_newsroom(meta, fm, rel, config, problems, lambda key: key_line(fm, written.get(key, key)) or 1,
                         flags.__getitem__, parse_date, clean_text, _image_src_ok)
    if news.updates:
        updated = max(updated, news.updates[-1].date)  # the last correction is the modification date
    extra = {k: v for k, v in meta.items() if k not in KNOWN_KEYS}
    key = meta.get("translation_key")
    if key not in (None, "") and not isinstance(key, (str, int)) or isinstance(key, bool):
        warn("translation_key", f"translation_key must be a word or a number, got {preview(key)}; ignored",
             "write 'translation_key: etf-flows-2025' (the same in every translation)")
        key = None
    digest = hashlib.sha256(f"{raw_digest}\0{rel}\0{base.fingerprint()}\0{__version__}".encode()).hexdigest()[:24]
    return Article(source=rel, kind=src.kind, digest=digest, title=title, date=when, updated=max(updated, when),
                   slug=slug, url=url, category=category, tags=tags, coins=coins, summary=summary,
                   reading_time=reading_time, words=body.words, image=image, author=author, trending=trending,
                   draft=draft, has_toc=bool(body.toc), aliases=aliases,
                   url_given=slug_source not in (None, "") or meta.get("url") not in (None, ""), authors=authors,
                   author_line=key_line(fm, written.get("author", "author")) or 1 if authors else 0, lang=lang,
                   translation_key=clean_text(key) if key not in (None, "") else "",
                   family=f"{folder}\0{stem}", extra=extra,
                   body_images=tuple((path, body_line + line - 1 if line else body_line) for path, line in body.images),
                   updates=news.updates, expires=news.expires, sponsored=news.sponsored, doc_type=news.doc_type,
                   noindex=news.noindex, canonical=news.canonical, og_image=news.og_image,
                   labels=label_terms(config, news.sponsored, news.doc_type))


def body_language(src: SourceFile, meta: dict, config: SiteConfig) -> str:
    """The language validate() gives the file, known before its body is converted (the body's own
    words are in it); the default language where validate() will refuse it."""
    def fail(*_args) -> ProblemError:
        return ProblemError(Problem(src.rel, ""))
    try:
        return language_of(src, normalise_keys(meta)[0], config, fail, lambda *_args: None)[0]
    except ProblemError:
        return config.default_language


def language_of(src: SourceFile, meta: dict, config: SiteConfig, fail, warn) -> tuple[str, str, str]:
    """(language code, folder family, file stem without language) of a file.

    The language is 'lang:' in the front matter, else a folder named as a declared language
    (content/fr/..., or deeper: content/articles/fr/..., the first one), else a '.{lang}.md'
    suffix, else the default language. The folder family is the file's folder below content/
    without its language folders: translations without a translation_key are found in it.
    """
    parts = src.rel.split("/")[1:-1]  # folders below content/
    stem = src.path.stem
    if src.path.suffix.lower() not in SUFFIXES:  # 'x.fr.md' has stem 'x.fr'; the suffix is .md
        stem = src.path.name
    declared = config.languages if config.languages else ()
    codes = {lang.code.casefold(): lang.code for lang in declared} or {config.language.casefold(): config.language}
    lang = ""
    if config.multilingual:
        lang = next((codes[part.casefold()] for part in parts if part.casefold() in codes), "")
        parts = [part for part in parts if part.casefold() not in codes]
        head, dot, tail = stem.rpartition(".")
        if dot and head and tail.casefold() in codes:
            stem = head
            lang = lang or codes[tail.casefold()]
    written = meta.get("lang")
    if written is False and "no" in codes:  # YAML 1.1 reads 'lang: no' (Norwegian) as false
        written = "no"
    if written not in (None, ""):
        code = str(written).strip().replace("_", "-") if isinstance(written, str) else None
        if code is not None and not declared and code.split("-")[0].casefold() == config.language.split("-")[0].casefold():
            code = config.language  # 'en-US' on an English site that declares no [[languages]]
        elif code is not None and declared:
            code = _declared_tag(code, codes)
        if (code is None or code.casefold() not in codes) and not declared:
            warn("lang", f"language {preview(written)} is not this site's language ({config.language}); ignored",
                 "declare the site's languages under [[languages]] in site.toml to publish several")
            code = config.language
        if code is None or code.casefold() not in codes:
            raise fail("lang", f"language {preview(written)} is not declared in site.toml",
                       f"use one of {', '.join(codes.values())}, or declare it under [[languages]] "
                       f"(code = \"{preview(written, 20).strip(chr(39))}\") in site.toml")
        lang = codes[code.casefold()]
    return lang or config.default_language, "/".join(parts), stem


def _declared_tag(tag: str, codes: dict[str, str]) -> str:
    """The declared language a tag falls back to, as RFC 4647 'lookup' does: 'zh-Hans-CN', then
    'zh-Hans', then 'zh'; else the one declared tag of its language ('pt' when only 'pt-BR' is);
    the tag itself when none is declared."""
    parts = tag.split("-")
    while parts:
        if "-".join(parts).casefold() in codes:
            return "-".join(parts)
        parts.pop()
    primary = tag.split("-")[0].casefold()
    same = [code for key, code in codes.items() if key.split("-")[0] == primary]
    return same[0] if len(same) == 1 else tag


def _author_names(value) -> list[str]:
    """'author:' as names: one name, or a list of them (from a list, empty and non-text items drop)."""
    items = value if isinstance(value, list) else [value]
    names = [clean_text(a)[:200] for a in items if isinstance(a, (str, int)) and not isinstance(a, bool)]
    return [n for n in names if n]


# Articles that are not the newsroom's own: each label's slug (its list page at permalinks.label),
# name and description.
LABELS = {"sponsored": ("Sponsored", "Articles paid for by sponsors."),
          "press-releases": ("Press releases", "Press releases published as received.")}


def label_terms(config: SiteConfig, sponsored: bool, doc_type: str) -> tuple[Term, ...]:
    """The label terms of an article: sponsored, a press release, both or neither."""
    if not config.permalinks.label:  # no label pages: cards still show the label (article.sponsored)
        return ()
    slugs = (("sponsored",) if sponsored else ()) + (("press-releases",) if doc_type == "press-release" else ())
    return tuple(term(config, "label", LABELS[slug][0], slug, LABELS[slug][1]) for slug in slugs)


_PATH_BAD = re.compile(r"[\x00-\x20\x7f\\?#<>\"'`]")  # control characters, spaces, backslash, query, fragment, markup


def site_path(value) -> str | None:
    """A site path from a front matter URL ('/old/path/', a full http(s) URL, or 'old/path'); None
    when it is not one. Percent-escapes are decoded: the path names a file in the output. A last
    part without a dot gets its trailing '/' (a folder with an index.html)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in ("date", "pretty", "ordinal", "weekdate", "none"):  # Jekyll's permalink styles, not paths
        return None
    if text.startswith(("http://", "https://", "//")):
        text = urlsplit(text).path or "/"
    text = unquote(text)
    if not text or _PATH_BAD.search(text):
        return None
    text = _SLASHES.sub("/", "/" + text.lstrip("/"))
    parts = text.strip("/").split("/")
    if any(part in (".", "..") or part.startswith(":") for part in parts):  # ':title' is a Jekyll pattern, not a path
        return None
    if text != "/" and not text.endswith("/") and "." not in parts[-1]:
        text += "/"
    return unicodedata.normalize("NFC", text)


def _aliases(value, url: str, warn, key: str) -> tuple[str, ...]:
    """Old paths that redirect to this page: a list (or one string) of site paths or full URLs."""
    if value in (None, "", []):
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        path = site_path(item)
        if path is None or path == "/":
            warn("aliases", f"{key} holds {str(item)[:60]!r}, which is not an old page path; it was skipped",
                 "write old paths like /2019/05/old-slug/ (or full URLs)")
        elif path != url and path not in out:
            out.append(path)
    return tuple(out)


def _image_src_ok(src) -> bool:
    """A site path, or an http(s) or data: URL, of a sane length and free of control characters."""
    if not isinstance(src, str) or not 0 < len(src.strip()) <= 2000 or _NOT_TEXT.search(src) or "\n" in src:
        return False
    try:
        parts = urlsplit(src.strip())
    except ValueError:  # 'http://[not-an-address'
        return False
    if parts.scheme:
        return parts.scheme.lower() in ("http", "https", "data") and (parts.scheme.lower() == "data" or bool(parts.netloc))
    return not parts.netloc and src.strip().startswith("/")


def clean_text(value) -> str:
    """A one-line string from a front matter scalar: control characters gone, whitespace collapsed."""
    if value is None or isinstance(value, (list, dict, bool)):
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return " ".join(_NOT_TEXT.sub("", text).split())


# Front matter keys that are yes/no, and what a bad value counts as: an error never publishes a draft.
BOOLEAN_KEYS = {"draft": True, "trending": False, "sponsored": False, "noindex": False}
TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")


def _flag_word(value) -> bool | None:
    """A YAML/TOML boolean, 1/0, or one of TRUE_WORDS/FALSE_WORDS (any case); None for anything else."""
    if value is True or value is False:
        return value
    if type(value) is int and value in (0, 1):
        return value == 1
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


def _boolean_key(meta: dict, key: str, fm: str, rel: str, problems: list[Problem]) -> bool:
    """A yes/no key's value (False when absent); a value that is not a yes or a no is an error, and
    counts as BOOLEAN_KEYS[key] (so a mistyped `draft:` keeps the article unpublished)."""
    if key not in meta or meta[key] is None:
        return False
    value = _flag_word(meta[key])
    if value is not None:
        return value
    fallback = BOOLEAN_KEYS[key]
    outcome = "the article is treated as a draft and not published" if key == "draft" and fallback else \
        f"taken as {str(fallback).lower()}"
    problems.append(Problem(rel, f"{key} must be true or false, got {preview(meta[key])}; {outcome}",
                            key_line(fm, key) or 1, f"write '{key}: true' or '{key}: false' "
                            f"(also accepted: {', '.join(TRUE_WORDS[1:] + FALSE_WORDS[1:])})"))
    return fallback


def _hashed_slug(text: str) -> str:
    return "x-" + hashlib.sha1(text.encode()).hexdigest()[:10]


def _from_filename(stem: str) -> tuple[date | None, str]:
    """Jekyll-style '2024-05-01-some-slug' file names give a date and a slug."""
    found = _FILENAME_DATE.match(stem)
    if not found:
        return None, ""
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3))), found.group(4)
    except ValueError:
        return None, ""


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S",
                 "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%b %d, %Y")


def parse_date(value, config: SiteConfig) -> datetime | None:
    """A timezone-aware datetime from a front matter date; naive values are in the site's timezone."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime.combine(value, time())
    elif isinstance(value, str) and 0 < len(value) < 60:
        text = value.strip()
        result = None
        try:
            result = datetime.fromisoformat(text.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", text) else text)
        except ValueError:
            for fmt in _DATE_FORMATS:
                try:
                    result = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            if result is None:
                try:
                    result = parsedate_to_datetime(text)
                except (TypeError, ValueError, IndexError):
                    return None
    else:
        return None
    if result is None or result.year < 1:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=config.tz)
    try:
        result.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    return result


def _category(meta: dict, fm: str, rel: str, config: SiteConfig, problems: list[Problem], fail) -> Term:
    value = meta.get("category")
    key = "category"
    if value in (None, "", []) and meta.get("categories") not in (None, "", []):
        key = "categories"
        value = meta["categories"]
        if isinstance(value, str):
            value = [v for v in re.split(r"[,\n]", value) if v.strip()] or value
        if isinstance(value, list):
            if len(value) > 1:
                problems.append(Problem(rel, f"'categories' lists {len(value)}; the first, {preview(clean_text(value[0]))}, is used",
                                        key_line(fm, key), "set 'category:' to the one you want", "note"))
            value = value[0] if value else None
    if isinstance(value, list):
        value = value[0] if value else None
    name = clean_text(value) if isinstance(value, (str, int, float)) else ""
    if not name:
        raise fail("category", "missing category",
                   "add 'category: Name' with one of: " + ", ".join(c.name for c in config.categories))
    declared = config.category_by_name(name)
    if declared is not None:
        return term(config, "category", declared.name, declared.slug, declared.description)
    close = difflib.get_close_matches(name, [c.name for c in config.categories], n=1, cutoff=0.0)
    hint = f"did you mean {close[0]!r}? or declare it under [[categories]] in site.toml" if close else \
        "declare it under [[categories]] in site.toml"
    problems.append(Problem(rel, f"category {preview(name)} is not declared in site.toml; it gets its own page",
                            key_line(fm, key), hint, "warning"))
    return term(config, "category", name)


def _terms(meta: dict, fm: str, key: str, rel: str, problems: list[Problem], config: SiteConfig,
           kind: str, upper: bool = False) -> list[Term]:
    value = meta.get(key)
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        value = value.split(",")
    elif not isinstance(value, list):
        value = [value]
    pattern = getattr(config.permalinks, kind)
    out: dict[str, Term] = {}
    for item in value:
        if isinstance(item, (list, dict)) or item is None or isinstance(item, bool):
            problems.append(Problem(rel, f"{key} holds {'an empty item' if item is None else 'a ' + type(item).__name__}; "
                                         "it was skipped", key_line(fm, key), f"write {key} as a list of names: [Bitcoin, ETFs]",
                                    "warning"))
            continue
        name = clean_text(item)
        if upper:
            name = name.upper()
        if not name:
            continue
        term = _term(kind, name, pattern)
        if term.slug not in out:
            out[term.slug] = term
    return list(out.values())


def term(config: SiteConfig, kind: str, name: str, slug: str = "", description: str = "") -> Term:
    """A term of a kind: its slug (from its name unless given) and its URL from permalinks.<kind>."""
    slug = slug or slugify(name) or _hashed_slug(name)
    return Term(kind, name, slug, expand_permalink(getattr(config.permalinks, kind), slug=slug), description)


@lru_cache(maxsize=65536)
def _term(kind: str, name: str, pattern: str) -> Term:
    """One Term per name: a few hundred tags recur on thousands of articles (Terms are immutable)."""
    slug = slugify(name) or _hashed_slug(name)
    return Term(kind, name, slug, expand_permalink(pattern, slug=slug))


def expand_permalink(pattern: str, *, slug: str, when: datetime | None = None, category: str = "") -> str:
    """Fill a permalink pattern; the values are slugs and digits, so the result never leaves the site."""
    values = {"slug": slug, "category": category or "uncategorized"}
    if when is not None:
        values.update(year=f"{when.year:04d}", month=f"{when.month:02d}", day=f"{when.day:02d}")
    url = pattern
    for key, value in values.items():
        url = url.replace("{" + key + "}", value)
    return _SLASHES.sub("/", url) if "//" in url else url
