"""`generator import wordpress EXPORT.xml`: a WordPress export (WXR) into ordinary Markdown files.

A one-way converter: the build never learns about WordPress. Two passes over the export stream:
the first learns every item's old URL, new URL and attachment, the second writes the files, so
links between posts can be rewritten and a bad export is refused before anything is written.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import sys
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO
from urllib.parse import parse_qs, quote, unquote, urlsplit

import yaml

from generator.config import SiteConfig, load_config
from generator.content import CONTENT_DIR, PAGES_DIR, expand_permalink
from generator.errors import ConfigError
from generator.slugs import slugify
from generator.wpconvert import Attachment, Context, leftover_shortcodes, plain_text, to_markdown
from generator.wxr import Channel, ExportError, Item, read_export

MANIFEST = f"{CONTENT_DIR}/_data/wordpress-import.json"  # what the last import wrote: path -> sha256
AUTHORS_FILE = f"{CONTENT_DIR}/_data/authors.toml"
UPLOADS = "/wp-content/uploads/"
MEDIA_DIR = "assets/uploads"  # copied media, served at /assets/uploads/...
# Items WordPress keeps for itself (menus, revisions, editor templates): counted, never written.
_SYSTEM_TYPES = {"nav_menu_item", "revision", "custom_css", "customize_changeset", "oembed_cache", "user_request",
                 "wp_block", "wp_template", "wp_template_part", "wp_global_styles", "wp_navigation",
                 "wp_font_family", "wp_font_face", "attachment"}
_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class Planned:
    """A post or page to write, as learnt on the first pass."""

    item_id: int
    kind: str  # 'article' | 'page'
    rel: str  # file path relative to the site folder
    slug: str
    url: str  # its new site path
    old_path: str  # its old URL path ('' when it had none a static host can serve)
    published: bool


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (path, why it was not overwritten)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (item, why)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    undeclared: set[str] = field(default_factory=set)  # categories site.toml does not declare


def import_wordpress(export: Path, site_dir: Path, media: Path | None, force: bool, out: TextIO = sys.stdout) -> int:
    """Import the export into the site in site_dir; print the report; 0 ok, 1 some items failed.

    Raises ConfigError (exit 2) for an unusable site, export or media folder."""
    config = load_config(site_dir)
    if media is not None and not media.is_dir():
        raise ConfigError(f"{media}: error: no such folder\n  hint: --media takes a local copy of wp-content/uploads")
    if media is not None and (media / "uploads").is_dir() and not any(media.glob("[12][0-9][0-9][0-9]")):
        media = media / "uploads"  # given wp-content/ rather than wp-content/uploads/
    importer = _Importer(export, site_dir, media, force, config)
    try:
        importer.learn()
        importer.write_all()
    except ExportError as exc:
        raise ConfigError(str(exc)) from None
    importer.print_report(out)
    return 1 if importer.report.errors else 0


class _Importer:
    def __init__(self, export: Path, site_dir: Path, media: Path | None, force: bool, config: SiteConfig):
        self.export, self.site_dir, self.media, self.force, self.config = export, site_dir, media, force, config
        self.channel = Channel()
        self.report = Report()
        self.plans: dict[int, Planned] = {}
        self.attachments: dict[int, Attachment] = {}
        self.children: dict[int, list[int]] = {}
        self.by_old_path: dict[str, str] = {}  # decoded old path -> new site path (published items)
        self.old_hosts: set[str] = set()
        self.copies: dict[str, Path] = {}  # uploads-relative path -> the file to copy
        self.missing_media: set[str] = set()
        self.remote_media = 0
        self.manifest = self._read_manifest()
        self.new_manifest: dict[str, str] = {}

    # --- pass one: what is there, and where it goes -------------------------------------------

    def learn(self) -> None:
        taken: set[str] = set()
        items = 0
        for item in read_export(self.export, self.channel):
            items += 1
            if item.link:
                self.old_hosts.add(urlsplit(item.link).netloc.lower())
            if item.type == "attachment":
                self.attachments[item.id] = Attachment(
                    item.id, item.attachment_url or item.guid, _clean(item.title), _clean(plain_html(item.excerpt)),
                    _clean(item.meta.get("_wp_attachment_image_alt", "")), item.parent)
                self.children.setdefault(item.parent, []).append(item.id)
                continue
            if item.type not in ("post", "page") or item.status in ("trash", "auto-draft", "inherit"):
                continue
            plan = self._plan(item, taken)
            self.plans[item.id] = plan
            if plan.published and plan.old_path:  # keyed by the path as the old site's links spell it
                self.by_old_path.setdefault(_path_key(unquote(urlsplit(item.link).path)), plan.url)
        for url in (self.channel.link, self.channel.base_site_url, self.channel.base_blog_url):
            if url:
                self.old_hosts.add(urlsplit(url).netloc.lower())
        self.old_hosts.discard("")
        if items == 0:
            raise ExportError(f"{self.export}: error: the export holds no posts, pages or media\n"
                              "  hint: in WordPress's Tools → Export, choose 'All content'")

    def _plan(self, item: Item, taken: set[str]) -> Planned:
        kind = "page" if item.type == "page" else "article"
        title = _clean(item.title)
        name = unicodedata.normalize("NFC", unquote(item.name))
        slug = slugify(name) or slugify(title) or f"{item.type}-{item.id}"
        when = self._date(item)
        folder = f"{CONTENT_DIR}/{PAGES_DIR}" if kind == "page" else f"{CONTENT_DIR}/articles/{when.year:04d}"
        base_slug = slug
        while f"{folder}/{slug}.md" in taken:  # same name under two parent pages, or twice in a year
            slug = f"{base_slug}-{item.id}" if slug == base_slug else f"{slug}-{item.id}"
        rel = f"{folder}/{slug}.md"
        taken.add(rel)
        if kind == "page":
            url = expand_permalink(self.config.permalinks.page, slug=slug)
        else:
            category = self._category(item)
            declared = self.config.category_by_name(category)
            cat_slug = declared.slug if declared else slugify(category)
            url = expand_permalink(self.config.permalinks.article, slug=slug, when=when, category=cat_slug)
        link = urlsplit(item.link)
        old_path = unicodedata.normalize("NFC", unquote(link.path)) if item.link and not link.query else ""
        base = self.config.base_path
        if base != "/" and (old_path + "/").startswith(base):  # the new site lives under the same sub-path
            old_path = "/" + old_path[len(base):]
        if old_path in ("", "/"):
            old_path = ""
        published = item.status in ("publish", "future") and not item.password
        return Planned(item.id, kind, rel, slug, url, old_path, published)

    def _date(self, item: Item) -> datetime:
        """The post's time in the site's timezone (from the GMT time when WordPress recorded one)."""
        for text, zone in ((item.date_gmt, timezone.utc), (item.date, self.config.tz)):
            if text and not text.startswith("0000"):
                try:
                    return datetime.strptime(text, _DATE_FORMAT).replace(tzinfo=zone).astimezone(self.config.tz)
                except ValueError:
                    continue
        return datetime(1970, 1, 1, tzinfo=timezone.utc).astimezone(self.config.tz)

    @staticmethod
    def _category(item: Item) -> str:
        names = [_clean(t.name) for t in item.terms if t.domain == "category" and _clean(t.name)]
        real = [n for n in names if n.casefold() != "uncategorized"]
        return (real or names or ["Uncategorized"])[0]

    # --- pass two: the files ------------------------------------------------------------------

    def write_all(self) -> None:
        ctx = Context(self.attachments, self.children, self._link_for, self._media_for)
        authors = {a.login: a for a in self.channel.authors}
        used_authors: set[str] = set()
        for item in read_export(self.export, Channel()):
            what = f"{item.type} {item.id} {_clean(item.title)[:60]!r}"
            if item.type == "attachment":
                self.report.counts["attachments"] += 1
                continue
            if item.type not in ("post", "page"):
                self.report.counts[f"skipped {item.type}"] += 1
                if item.type not in _SYSTEM_TYPES:
                    self.report.skipped.append((what, f"post type {item.type!r} has no equivalent here"))
                continue
            if item.status in ("trash", "auto-draft", "inherit"):
                self.report.skipped.append((what, f"status {item.status!r}: not content"))
                continue
            try:
                self._write_item(item, self.plans[item.id], ctx, authors)
                used_authors.add(item.creator)
            except Exception as exc:  # noqa: BLE001 - one bad post never stops the others; it is named
                self.report.errors.append(f"{self.export}: error: {what}: could not convert: {type(exc).__name__}: {exc}")
        self._copy_media()
        self._write_authors(authors, used_authors)
        for name, n in sorted(ctx.unknown.items()):
            self.report.notes.append(f"shortcode [{name}] has no equivalent: its content was kept, the tag dropped "
                                     f"({n} time{'s' if n != 1 else ''})")
        self._write(MANIFEST, (json.dumps({"files": dict(sorted({**self.manifest, **self.new_manifest}.items()))},
                                          indent=1, ensure_ascii=False) + "\n").encode(), track=False)

    def _write_item(self, item: Item, plan: Planned, ctx: Context, authors: dict) -> None:
        kind = plan.kind
        title = _clean(item.title) or f"Untitled {item.type} {item.id}"
        when = self._date(item)
        fm: dict[str, object] = {"title": title, "date": when.isoformat()}
        fm["slug"] = plan.slug
        what = f"{item.type} {item.id} {title[:60]!r}"
        if kind == "article":
            fm["category"] = self._category(item)
            if self.config.category_by_name(fm["category"]) is None:
                self.report.undeclared.add(fm["category"])
            tags: dict[str, str] = {}
            for term in item.terms:
                name = _clean(term.name)
                if name and ((term.domain == "category" and name != fm["category"] and name.casefold() != "uncategorized")
                             or term.domain == "post_tag"):
                    tags.setdefault(slugify(name) or name, name)
            if tags:
                fm["tags"] = list(tags.values())
        author = authors.get(item.creator)
        if item.creator:
            fm["author"] = author.display_name if author else item.creator
        summary = plain_text(item.excerpt, item.id, ctx) if item.excerpt.strip() else ""
        if summary:
            fm["summary"] = summary
        thumb = item.meta.get("_thumbnail_id", "").strip()
        if thumb.isdigit() and int(thumb) in self.attachments:
            attachment = self.attachments[int(thumb)]
            fm["image"] = self._media_for(attachment.url)
            if attachment.alt:
                fm["image_alt"] = attachment.alt
        elif thumb.isdigit() and thumb != "0":
            self.report.notes.append(f"{what}: featured image {thumb} is not in the export; left out")
        kinds = "pages" if kind == "page" else "posts"
        if item.password:
            fm["draft"] = True
            self.report.skipped.append((what, "password-protected: not published (written with draft: true)"))
            self.report.counts[f"{kinds}, password-protected"] += 1
        elif item.status in ("draft", "pending", "private"):
            fm["draft"] = True
            self.report.counts[f"{kinds}, {item.status}"] += 1
            if item.status == "private":
                self.report.skipped.append((what, "private: not published (written with draft: true)"))
        else:
            self.report.counts[f"{kinds}, scheduled" if item.status == "future" else kinds] += 1
        if plan.old_path:
            fm["aliases"] = [plan.old_path]
        elif item.status == "publish":
            self.report.notes.append(f"{what}: its old URL {item.link} has a query string; "
                                     "static hosts cannot redirect it")
        body = to_markdown(item.content, item.id, ctx)
        left = leftover_shortcodes(body)
        if left:
            self.report.notes.append(f"{what}: shortcodes left as text: {', '.join(left)}")
        text = "---\n" + yaml.safe_dump(fm, allow_unicode=True, sort_keys=False, width=10_000,
                                        default_flow_style=None) + "---\n\n" + body
        self._write(plan.rel, text.encode())
        if item.comments:
            self.report.counts["comments"] += len(item.comments)
            data = {"post": title, "wordpress_id": item.id, "comments": [
                {"id": c.id, "parent": c.parent, "author": c.author, "author_url": c.author_url,
                 "date": _utc(c.date_gmt), "approved": c.approved, "type": c.type or "comment", "content": c.content}
                for c in item.comments]}
            self._write(plan.rel[:-3] + ".comments.json",
                        (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode())

    def _write_authors(self, authors: dict, used: set[str]) -> None:
        logins = [a.login for a in self.channel.authors] + sorted(used - set(authors) - {""})
        if not logins:
            return
        entries = []  # the file's authors first (another export's, or written by hand), then this export's new ones
        try:
            entries = [a for a in tomllib.loads((self.site_dir / AUTHORS_FILE).read_text(encoding="utf-8"))
                       .get("authors", []) if isinstance(a, dict)]
        except (OSError, ValueError):
            pass
        known = {str(a.get("login", a.get("name", ""))) for a in entries}
        for login in logins:
            if login not in known:
                author = authors.get(login)
                name = author.display_name if author else login
                entries.append({"name": name, "slug": slugify(name) or slugify(login) or login, "login": login})
        lines = ["# Authors: display name, slug (for /author/{slug}/) and WordPress login.", ""]
        for entry in entries:
            lines.append("[[authors]]")
            lines += [f"{key} = {_toml(str(value))}" for key, value in entry.items()
                      if isinstance(value, (str, int)) and re.fullmatch(r"[A-Za-z0-9_-]+", key)]
            lines.append("")
        self.report.counts["authors"] = len(logins)
        self._write(AUTHORS_FILE, "\n".join(lines).encode())

    # --- links and media ----------------------------------------------------------------------

    def _is_old(self, parts) -> bool:
        return not parts.netloc or parts.netloc.lower() in self.old_hosts

    def _link_for(self, href: str) -> str | None:
        """A link to one of the old site's posts or pages -> its new site path; None otherwise."""
        parts = urlsplit(href.strip())
        if parts.scheme not in ("", "http", "https") or not self._is_old(parts) or not (parts.path or parts.query):
            return None
        if not parts.netloc and not parts.path.startswith("/"):
            return None  # relative to the page: left as written
        fragment = ""  # the old theme's anchors (#comments, #more-12) are not on the new pages
        query = parse_qs(parts.query)
        for key in ("p", "page_id"):
            ident = (query.get(key) or [""])[0]
            if ident.isdigit() and int(ident) in self.plans and self.plans[int(ident)].published:
                return self.plans[int(ident)].url + fragment
        found = self.by_old_path.get(_path_key(unquote(parts.path)))
        if found is not None:
            return found + fragment
        if UPLOADS in parts.path:
            return None  # media: _media_for
        if not parts.netloc and self._origin:  # a path of the old site that was not imported: keep it there
            return self._origin + href.strip()
        return None

    def _media_for(self, url: str) -> str:
        """An uploads URL -> the copied file's site path (with --media), else an absolute URL as it was."""
        parts = urlsplit(url.strip())
        if not self._is_old(parts) or UPLOADS not in parts.path:
            return url
        rel = re.sub(r"/+", "/", unquote(parts.path.split(UPLOADS, 1)[1])).strip("/")
        source = self._in_media(rel)
        if source is not None:
            self.copies[rel] = source
            return f"/{MEDIA_DIR}/" + quote(rel, safe="/")
        if self.media is not None:
            self.missing_media.add(rel)
        self.remote_media += 1
        if not parts.netloc and self._origin:
            return self._origin + url.strip()
        return url

    def _in_media(self, rel: str) -> Path | None:
        """The file under --media for an uploads path; None when absent or when it would lead outside."""
        if self.media is None or not rel or ".." in rel.split("/") or "\0" in rel:
            return None
        path = self.media / rel
        try:
            if path.is_file() and path.resolve().is_relative_to(self.media.resolve()):
                return path
        except (OSError, ValueError):
            pass
        return None

    @property
    def _origin(self) -> str:
        """'https://old.example': where the old site's root-relative links lead."""
        parts = urlsplit(self.channel.base_site_url or self.channel.link)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

    def _copy_media(self) -> None:
        for rel, src in sorted(self.copies.items()):
            try:
                self._write(f"{MEDIA_DIR}/{rel}", src.read_bytes(), track=False, media=True)
            except OSError as exc:
                self.report.errors.append(f"{src}: error: media file not copied: {exc.strerror or exc}")
        if self.media is not None:
            self.report.counts["media files"] = len(self.copies)

    # --- writing, never over an edit ----------------------------------------------------------

    def _read_manifest(self) -> dict[str, str]:
        try:
            data = json.loads((self.site_dir / MANIFEST).read_text(encoding="utf-8"))
            return {str(k): str(v) for k, v in data.get("files", {}).items()}
        except (OSError, ValueError, AttributeError):
            return {}

    def _write(self, rel: str, data: bytes, track: bool = True, media: bool = False) -> None:
        """Write a file unless it is the same already, or was edited since the last import (--force writes it)."""
        path = self.site_dir / rel
        digest = hashlib.sha256(data).hexdigest()
        if track:
            self.new_manifest[rel] = digest
        if rel == MANIFEST:  # the record of what was written: brought up to date, never "kept"
            if path.is_file() and path.read_bytes() == data:
                return
        elif path.is_file():
            current = hashlib.sha256(path.read_bytes()).hexdigest()
            if current == digest:
                self.report.unchanged.append(rel)
                return
            ours = media or self.manifest.get(rel) == current
            if not self.force and (not ours or media):
                why = "differs from the export's file" if media else (
                    "edited since the last import" if rel in self.manifest else "exists and was not written by an import")
                self.report.kept.append((rel, why))
                if track:
                    self.new_manifest[rel] = self.manifest.get(rel, "")
                return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        if rel != MANIFEST:
            self.report.written.append(rel)

    # --- the report ---------------------------------------------------------------------------

    def print_report(self, out: TextIO) -> None:
        r = self.report
        print(f"imported {self.export}" + (f" ({self.channel.title})" if self.channel.title else ""), file=out)
        for key in sorted(r.counts):
            print(f"  {key}: {r.counts[key]}", file=out)
        print(f"files: {len(r.written)} written, {len(r.unchanged)} unchanged, {len(r.kept)} kept as they were",
              file=out)
        for rel, why in r.kept:
            print(f"  kept {rel}: {why} (--force overwrites it)", file=out)
        if r.skipped:
            print(f"not published or not imported ({len(r.skipped)}):", file=out)
            for what, why in r.skipped:
                print(f"  {what}: {why}", file=out)
        if self.media is None and self.remote_media:
            print(f"media: no --media folder given: {self.remote_media} media links keep their absolute URLs "
                  "on the old site; pass --media path/to/wp-content/uploads to copy the files", file=out)
        for rel in sorted(self.missing_media):
            print(f"  media not found under --media: {rel} (its absolute URL is kept)", file=out)
        for note in r.notes:
            print(f"note: {note}", file=out)
        undeclared = sorted(r.undeclared)
        if undeclared:
            print("categories not declared in site.toml (each gets its own page, with a warning): "
                  + ", ".join(undeclared) + "\n  hint: add them under [[categories]] in site.toml", file=out)
        for error in r.errors:
            print(error, file=sys.stderr)


def plain_html(text: str) -> str:
    return re.sub(r"<[^>]*>", " ", text or "")


def _clean(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", text or "")).split())


def _path_key(path: str) -> str:
    """Old paths compared without case, doubled or trailing slashes."""
    return re.sub(r"/+", "/", unicodedata.normalize("NFC", path)).rstrip("/").casefold() or "/"


def _utc(text: str) -> str:
    try:
        return datetime.strptime(text, _DATE_FORMAT).replace(tzinfo=timezone.utc).isoformat()
    except ValueError:
        return text


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)
