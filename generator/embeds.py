"""Embeds: a bare URL alone in a paragraph (as WordPress writes them) becomes a click-to-load facade.

A YouTube video, an X (Twitter) post, a TradingView chart or a video file (.mp4, .webm) is
rendered as a plain link styled as a player box of a fixed shape: nothing is fetched from the
other site, and no cookie set, until the reader clicks (assets/js/embeds.js then puts the player
in the box). Without JavaScript the link opens the original page. Any other URL alone in a
paragraph is rendered as a link, with a warning naming its line: it was probably meant as an embed.

Made at Markdown time (a Python-Markdown extension, so the Markdown settings key in the body
cache changes with it); no network at build time. The texts a facade shows (STRINGS) are UI
strings in the article's language: markup.Converter gives the extension that language's gettext.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, quote, urlsplit

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

# A paragraph of one line holding just an http(s) URL, or a site path to a video file.
_BARE = re.compile(r"(?:https?://[^\s<>\"'`]+|/[^\s<>\"'`]+\.(?:mp4|webm))", re.I)
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_POST_ID = re.compile(r"\d{1,25}")
_USER = re.compile(r"[A-Za-z0-9_]{1,15}")
_SYMBOL = re.compile(r"[A-Za-z0-9_.!:-]{1,40}")
_SNAPSHOT = re.compile(r"[A-Za-z0-9]{6,12}")
_VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}
_TIME = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?")

# What a facade says (msgids of layouts/strings/{code}.po, README 'Languages').
STRINGS = ("Play video: %(name)s", "Play YouTube video", "Show post by @%(user)s on X", "Show post on X",
           "Show TradingView chart snapshot", "Show TradingView chart of %(symbol)s",
           "Loads content from %(host)s when clicked")


def english(text: str) -> str:
    """The gettext of the generator's own language: each text as written."""
    return text


@dataclass(frozen=True, slots=True)
class Embed:
    """What a facade needs: the original page, what loads on click, and how it is named."""

    kind: str  # "youtube" | "x" | "tradingview" | "video"
    shape: str  # CSS modifier for the box's aspect ratio: "wide" | "tall" | "post"
    href: str  # the original page: the link without JavaScript
    src: str  # what the click loads (an iframe's src, or the video file)
    label: str  # the link's accessible name
    width: int
    height: int


class NotEmbeddable(ValueError):
    """The URL is not one this module can embed; the message says why."""


def embed_for(url: str, _: Callable[[str], str] = english) -> Embed:
    """The embed for a URL, or NotEmbeddable saying what is wrong with it; `_` translates its label."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise NotEmbeddable("is not a well-formed URL") from None
    if host.startswith("www."):
        host = host[4:]
    elif host.startswith(("m.", "mobile.")):
        host = host.split(".", 1)[1]
    path = parts.path
    suffix = path[path.rfind("."):].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if host in ("youtube.com", "youtu.be", "youtube-nocookie.com"):
        return _youtube(host, parts, _)
    if host in ("x.com", "twitter.com"):
        return _x_post(parts, _)
    if host == "tradingview.com":
        return _tradingview(parts, _)
    if suffix in _VIDEO_TYPES:
        name = path.rsplit("/", 1)[-1]
        return Embed("video", "wide", url, url, _("Play video: %(name)s") % {"name": name}, 1280, 720)
    raise NotEmbeddable("is not a YouTube, X, TradingView or video file (.mp4, .webm) URL")


def _youtube(host: str, parts, _) -> Embed:
    query = parse_qs(parts.query)
    segments = [s for s in parts.path.split("/") if s]
    shape = "wide"
    if host == "youtu.be":
        video = segments[0] if segments else ""
    elif segments[:1] == ["watch"]:
        video = (query.get("v") or [""])[0]
    elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v"):
        video = segments[1]
        shape = "tall" if segments[0] == "shorts" else "wide"
    else:
        raise NotEmbeddable("is a YouTube URL but not one of a video (watch?v=…, youtu.be/…, shorts/…)")
    if not _YOUTUBE_ID.fullmatch(video):
        raise NotEmbeddable(f"is a YouTube URL whose video id {video[:20]!r} is not 11 letters, digits, '-' or '_'")
    start = _seconds((query.get("t") or query.get("start") or [""])[0])
    params = "autoplay=1" + (f"&start={start}" if start else "")
    href = f"https://www.youtube.com/{'shorts/' + video if shape == 'tall' else 'watch?v=' + video}"
    if start:
        href += f"{'?' if shape == 'tall' else '&'}t={start}s"
    width, height = (315, 560) if shape == "tall" else (1280, 720)
    return Embed("youtube", shape, href, f"https://www.youtube-nocookie.com/embed/{video}?{params}",
                 _("Play YouTube video"), width, height)


def _seconds(value: str) -> int:
    found = _TIME.fullmatch(value.strip()) if value else None
    if not found or not any(found.groups()):
        return 0
    h, m, s = (int(g or 0) for g in found.groups())
    return h * 3600 + m * 60 + s


def _x_post(parts, _) -> Embed:
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 3 and segments[1] in ("status", "statuses") and _POST_ID.fullmatch(segments[2]):
        user, post = segments[0], segments[2]
        if user == "i" or _USER.fullmatch(user):
            label = _("Show post on X") if user == "i" else _("Show post by @%(user)s on X") % {"user": user}
            return Embed("x", "post", f"https://x.com/{user}/status/{post}",
                         f"https://platform.twitter.com/embed/Tweet.html?id={post}&dnt=true", label, 550, 640)
    raise NotEmbeddable("is an X (Twitter) URL but not one of a post (x.com/user/status/123…)")


def _tradingview(parts, _) -> Embed:
    segments = [s for s in parts.path.split("/") if s]
    symbol = ""
    if len(segments) == 2 and segments[0] == "x" and _SNAPSHOT.fullmatch(segments[1]):
        snap = segments[1]
        return Embed("tradingview", "wide", f"https://www.tradingview.com/x/{snap}/",
                     f"https://www.tradingview.com/x/{snap}/", _("Show TradingView chart snapshot"), 1280, 720)
    if len(segments) >= 2 and segments[0] == "symbols":
        symbol = segments[1].replace("-", ":", 1) if "-" in segments[1] else segments[1]
    elif segments[:1] == ["chart"]:
        symbol = (parse_qs(parts.query).get("symbol") or [""])[0]
    if not symbol or not _SYMBOL.fullmatch(symbol):
        raise NotEmbeddable("is a TradingView URL but not one of a symbol (/symbols/BTCUSD/, /chart/?symbol=…) "
                            "or a chart snapshot (/x/…/)")
    symbol = symbol.upper()
    src = (f"https://s.tradingview.com/widgetembed/?symbol={quote(symbol, safe='')}&interval=D"
           f"&hidesidetoolbar=1&saveimage=0&theme=light&style=1&locale=en")
    href = f"https://www.tradingview.com/chart/?symbol={quote(symbol, safe='')}"
    return Embed("tradingview", "wide", href, src, _("Show TradingView chart of %(symbol)s") % {"symbol": symbol},
                 1280, 720)


def facade(embed: Embed, _: Callable[[str], str] = english) -> etree.Element:
    """The click-to-load box: a figure holding one link, its accessible name the label."""
    figure = etree.Element("figure", {"class": f"embed embed--{embed.kind} embed--{embed.shape}"})
    link = etree.SubElement(figure, "a", {
        "class": "embed__facade", "href": embed.href, "data-embed-kind": "video" if embed.kind == "video" else "frame",
        "data-embed-src": embed.src, "data-embed-title": embed.label,
        "data-embed-width": str(embed.width), "data-embed-height": str(embed.height),
    })
    play = etree.SubElement(link, "span", {"class": "embed__play", "aria-hidden": "true"})
    play.text = "▶"
    text = etree.SubElement(link, "span", {"class": "embed__label"})
    text.text = embed.label
    host = urlsplit(embed.src).hostname if embed.kind != "video" or "://" in embed.src else ""
    if host:
        note = etree.SubElement(link, "span", {"class": "embed__note"})
        note.text = _("Loads content from %(host)s when clicked") % {"host": host}
    return figure


class _UrlLines(Preprocessor):
    """Notes the line of every line that is just a URL, in the text as written (first of all
    preprocessors), so that the block processor can say where a URL it refuses stands."""

    def __init__(self, md: Markdown, extension: "EmbedExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        found: dict[str, list[int]] = {}
        for number, line in enumerate(lines, 1):
            text = line.strip()
            if text[:1] in ("h", "H", "/") and _BARE.fullmatch(text):
                found.setdefault(text, []).append(number)
        self.extension.lines = found
        self.extension.notes = []
        return lines


class _EmbedBlock(BlockProcessor):
    """A top-level paragraph that is one URL: a facade, or a link and a note when it cannot be embedded."""

    def __init__(self, parser, extension: "EmbedExtension"):
        super().__init__(parser)
        self.extension = extension

    def test(self, parent, block: str) -> bool:
        return parent is self.parser.root and "\n" not in block.strip() and bool(_BARE.fullmatch(block.strip()))

    def run(self, parent, blocks: list[str]) -> None:
        url = blocks.pop(0).strip()
        lines = self.extension.lines.get(url) or [0]
        line = lines.pop(0) if len(lines) > 1 else lines[0]
        try:
            say = self.extension.gettext
            parent.append(facade(embed_for(url, say), say))
        except NotEmbeddable as exc:
            self.extension.notes.append((line, f"{url[:80]} {exc}; rendered as a link",
                                         "for a plain link write <URL> or [text](URL); embeds: README, 'Embeds'"))
            paragraph = etree.SubElement(parent, "p")
            link = etree.SubElement(paragraph, "a", {"href": url})
            link.text = url


class EmbedExtension(Extension):
    """Registers the embed block processor; after each conversion, `notes` holds
    (line in the body, message, hint) for each URL that could not be embedded. `gettext`
    translates the facades' texts (the article's language; set before each conversion)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.gettext: Callable[[str], str] = english
        self.lines: dict[str, list[int]] = {}
        self.notes: list[tuple[int, str, str]] = []

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.preprocessors.register(_UrlLines(md, self), "embed_lines", 1001)
        md.parser.blockprocessors.register(_EmbedBlock(md.parser, self), "embed", 12)

    def reset(self) -> None:
        self.lines, self.notes = {}, []


def makeExtension(**kwargs) -> EmbedExtension:  # noqa: N802 - Python-Markdown's name for the entry point
    return EmbedExtension(**kwargs)
