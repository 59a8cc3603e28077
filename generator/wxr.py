"""WordPress exports (WXR 1.0-1.2): read as a stream of typed records, never loaded whole.

WXR is RSS 2.0 with WordPress's own namespace, which real exports spell
http://wordpress.org/export/1.2/ or https://wordpress.org/export/1.2/ (and 1.0, 1.1 before).
Parsed with defusedxml: no entity expansion, no DTD, no external resources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

_WP_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
_EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
_CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
_DC_NS = "http://purl.org/dc/elements/1.1/"
# Characters XML 1.0 forbids; some exports carry them inside CDATA, which no parser accepts.
_NOT_XML_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


class ExportError(Exception):
    """The file is not a readable WordPress export (exit 2)."""


@dataclass(frozen=True, slots=True)
class Term:
    domain: str  # 'category' | 'post_tag' | a custom taxonomy
    slug: str  # nicename
    name: str


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    author: str
    author_url: str
    date_gmt: str
    content: str
    approved: str
    parent: str
    type: str


@dataclass(frozen=True, slots=True)
class Item:
    """One <item>: a post, page, attachment or anything else WordPress exports."""

    id: int
    type: str
    status: str
    title: str
    link: str
    guid: str
    name: str  # wp:post_name, percent-encoded as WordPress stores it
    date: str  # wp:post_date, the blog's local time
    date_gmt: str
    creator: str  # author login
    content: str
    excerpt: str
    password: str
    parent: int
    attachment_url: str
    terms: tuple[Term, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)
    comments: tuple[Comment, ...] = ()


@dataclass(frozen=True, slots=True)
class Author:
    login: str
    display_name: str
    first_name: str = ""
    last_name: str = ""


@dataclass
class Channel:
    """What the export says about the blog itself (filled in as the stream passes it)."""

    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    version: str = ""
    authors: list[Author] = field(default_factory=list)


class _Clean:
    """A binary stream with the bytes XML forbids removed (they cannot be part of a UTF-8 sequence)."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw

    def read(self, size: int = -1) -> bytes:
        return self.raw.read(size).translate(None, _NOT_XML_BYTES)


def _split(tag: str) -> tuple[str, str]:
    """'{ns}local' -> (kind of namespace, local name): kinds are wp, excerpt, content, dc and ''."""
    if tag[:1] != "{":
        return "", tag
    ns, _, local = tag[1:].partition("}")
    if _WP_NS.match(ns):
        return "wp", local
    if _EXCERPT_NS.match(ns):
        return "excerpt", local
    return {_CONTENT_NS: "content", _DC_NS: "dc"}.get(ns, ns), local


def _text(el: Element | None) -> str:
    return (el.text or "") if el is not None else ""


def _children(el: Element) -> dict[tuple[str, str], Element]:
    out: dict[tuple[str, str], Element] = {}
    for child in el:
        out.setdefault(_split(child.tag), child)
    return out


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return 0


def _item(el: Element) -> Item:
    kids = _children(el)
    terms = []
    meta: dict[str, str] = {}
    comments = []
    for child in el:
        kind, local = _split(child.tag)
        if kind == "" and local == "category":
            domain = child.get("domain", "category")
            terms.append(Term(domain, child.get("nicename", ""), " ".join(_text(child).split())))
        elif kind == "wp" and local == "postmeta":
            parts = _children(child)
            key = _text(parts.get(("wp", "meta_key"))).strip()
            if key:
                meta.setdefault(key, _text(parts.get(("wp", "meta_value"))))
        elif kind == "wp" and local == "comment":
            c = _children(child)
            get = lambda name: _text(c.get(("wp", name)))  # noqa: E731
            comments.append(Comment(get("comment_id").strip(), get("comment_author"), get("comment_author_url"),
                                    get("comment_date_gmt"), get("comment_content"), get("comment_approved").strip(),
                                    get("comment_parent").strip(), get("comment_type").strip()))

    def wp(name: str) -> str:
        return _text(kids.get(("wp", name)))
    return Item(id=_int(wp("post_id")), type=wp("post_type").strip(), status=wp("status").strip(),
                title=_text(kids.get(("", "title"))), link=_text(kids.get(("", "link"))).strip(),
                guid=_text(kids.get(("", "guid"))).strip(), name=wp("post_name").strip(), date=wp("post_date").strip(),
                date_gmt=wp("post_date_gmt").strip(), creator=_text(kids.get(("dc", "creator"))).strip(),
                content=_text(kids.get(("content", "encoded"))), excerpt=_text(kids.get(("excerpt", "encoded"))),
                password=wp("post_password"), parent=_int(wp("post_parent") or "0"),
                attachment_url=wp("attachment_url").strip(), terms=tuple(terms), meta=meta, comments=tuple(comments))


def _author(el: Element) -> Author:
    kids = _children(el)

    def wp(name: str) -> str:
        return " ".join(_text(kids.get(("wp", name))).split())
    login = wp("author_login")
    return Author(login, wp("author_display_name") or login, wp("author_first_name"), wp("author_last_name"))


def read_export(path: Path, channel: Channel) -> Iterator[Item]:
    """Every <item> of the export, in order, one at a time; `channel` is filled in on the way.

    Raises ExportError for a file that is not well-formed XML, not RSS, or not from WordPress."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise ExportError(f"{path}: error: cannot read: {exc.strerror}") from None
    seen_wp = False
    depth = 0
    parent: Element | None = None
    try:
        with fh:
            for event, el in iterparse(_Clean(fh), events=("start", "end")):
                if event == "start":
                    depth += 1
                    if depth == 1 and el.tag != "rss":
                        raise ExportError(f"{path}: error: not a WordPress export: the root element is "
                                          f"<{_split(el.tag)[1]}>, not <rss>\n  hint: export the site from "
                                          "WordPress's Tools → Export, which writes a WXR (.xml) file")
                    if depth == 2:
                        parent = el
                    if _split(el.tag)[0] == "wp":
                        seen_wp = True
                    continue
                depth -= 1
                if depth != 2:  # only the channel's own children are handled (and cleared)
                    continue
                kind, local = _split(el.tag)
                if kind == "" and local == "item":
                    if not seen_wp:
                        raise ExportError(_not_wordpress(path))
                    yield _item(el)
                elif kind == "wp" and local == "author":
                    channel.authors.append(_author(el))
                elif kind == "" and local in ("title", "link"):
                    setattr(channel, local, _text(el).strip())
                elif kind == "wp" and local in ("base_site_url", "base_blog_url", "wxr_version"):
                    setattr(channel, "version" if local == "wxr_version" else local, _text(el).strip())
                if parent is not None:
                    parent.remove(el)  # what was read is let go: a 100 MB export streams in little memory
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        what = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise ExportError(f"{path}:{line}:{column}: error: not well-formed XML: {what}"
                          "\n  hint: is the export complete? WordPress's Tools → Export writes it whole") from None
    except DefusedXmlException as exc:
        raise ExportError(f"{path}: error: refused: the file declares {type(exc).__name__} "
                          "(entities or a DTD), which a WordPress export never does") from None
    if not seen_wp:
        raise ExportError(_not_wordpress(path))


def _not_wordpress(path: Path) -> str:
    return (f"{path}: error: not a WordPress export: no element in the wordpress.org/export namespace\n"
            "  hint: export the site from WordPress's Tools → Export (a WXR file); an RSS feed is not enough")
