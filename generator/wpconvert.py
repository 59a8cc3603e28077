"""WordPress post HTML to Markdown: block comments out, shortcodes made into real markup, classic
paragraphs restored, links to the old site rewritten, then markdownify.

Markdown has no figure, caption, media or complex-table syntax: those stay raw HTML blocks, which
the site's Markdown passes through as they are.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from bs4 import BeautifulSoup, Comment
from markdownify import MarkdownConverter

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->|<!--\s*(?:more|nextpage|noteaser)\b.*?-->", re.S)
_SHORTCODE = re.compile(r"\[(/?)([A-Za-z][\w-]*)((?:\s[^\[\]]*)?)\]")
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))|"([^"]*)"|(\S+)""")
_FANCY_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u2032": "'"})
_CORE = {"caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist"}
# Plugin shortcodes that are often written bare ('[toc]'); any with attributes, a closing tag, '_' or '-' is found anyway.
_BARE = {"toc", "ad", "ads", "adsense", "advert", "newsletter", "subscribe", "donate", "divider", "clear", "spacer",
         "sponsored", "related", "ticker", "price", "poll", "form", "contact", "share", "social"}
_MEDIA_EXT = {"audio": ("mp3", "ogg", "oga", "wav", "m4a", "flac", "wma"), "video": ("mp4", "m4v", "webm", "ogv", "mov", "flv", "wmv")}
_AUTOP_BLOCK = re.compile(r"\s*</?(?:p|div|h[1-6]|ul|ol|li|dl|dd|dt|table|thead|tbody|tr|td|th|blockquote|pre|figure|"
                          r"figcaption|hr|iframe|video|audio|section|article|aside|header|footer|form|address|"
                          r"details|summary|style|script|object|embed|noscript|center)\b", re.I)
_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"']+)[ \t]*$", re.M)
_LEAD_MEDIA = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)


@dataclass(frozen=True)
class Attachment:
    id: int
    url: str
    title: str
    caption: str
    alt: str
    parent: int
    mime: str = ""


@dataclass
class Context:
    """What converting one post needs to know about the rest of the export."""

    attachments: dict[int, Attachment]
    children: dict[int, list[int]]  # post id -> its attachments' ids, in export order
    link_for: Callable[[str], str | None]  # an href on the old site -> its new site path, or None
    media_for: Callable[[str], str]  # a media URL -> its new URL (a copied file's path, or as it was)
    unknown: Counter = field(default_factory=Counter)  # shortcodes without an equivalent (their content kept)


def to_markdown(content: str, post_id: int, ctx: Context) -> str:
    """The body of a post as Markdown (raw HTML where Markdown has no equivalent)."""
    blocks = "<!-- wp:" in content
    text = _BLOCK_COMMENT.sub("", content)
    if not blocks:
        text = _URL_LINE.sub(lambda m: _embed(m.group(1)), text)  # WordPress embeds a URL on a line of its own
    text = expand_shortcodes(text, post_id, ctx)  # inside <pre> too, as WordPress does: no shortcode stays text
    if not blocks:
        text = autop(text)
    soup = BeautifulSoup(text, "html.parser")
    _tidy(soup, ctx)
    markdown = _Markdown(heading_style="ATX", bullets="-", autolinks=True).convert_soup(soup)
    markdown = re.sub(r"^[ \t\xa0]+$", "", markdown, flags=re.M)  # (two spaces before a newline are a line break)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"


def plain_text(content: str, post_id: int, ctx: Context) -> str:
    """An excerpt as one line of text: shortcodes and tags gone."""
    text = expand_shortcodes(_BLOCK_COMMENT.sub("", content), post_id, ctx)
    return " ".join(BeautifulSoup(text, "html.parser").get_text(" ").split())


# --- shortcodes ------------------------------------------------------------------------------------

def parse_attrs(text: str) -> dict[str, str]:
    """WordPress's shortcode attributes: name="v", name='v', name=v, and positional values (0, 1, ...)."""
    out: dict[str, str] = {}
    position = 0
    for m in _ATTR.finditer(html.unescape(text).translate(_FANCY_QUOTES).strip().rstrip("/")):
        if m.group(1):
            out[m.group(1).lower()] = next(g for g in m.group(2, 3, 4) if g is not None)
        else:
            out[str(position)] = m.group(5) if m.group(5) is not None else m.group(6)
            position += 1
    return out


def _is_shortcode(name: str, attrs: str, paired: bool) -> bool:
    """Real shortcodes, not bracketed prose like '[sic]' or '[Update: ...]'."""
    return name.lower() in _CORE or name.lower() in _BARE or paired or "=" in attrs or "_" in name or "-" in name


def expand_shortcodes(text: str, post_id: int, ctx: Context) -> str:
    """Every shortcode replaced by markup: core ones by their HTML, unknown ones by their content."""
    out: list[str] = []
    pos = 0
    while True:
        m = _SHORTCODE.search(text, pos)
        if m is None:
            break
        out.append(text[pos:m.start()])
        closing, name, attrs = m.group(1), m.group(2), m.group(3)
        if text[m.start() - 1:m.start()] == "[" and text[m.end():m.end() + 1] == "]":  # [[name]]: written literally
            out[-1] = out[-1][:-1]
            out.append(m.group(0))
            pos = m.end() + 1
            continue
        if closing:  # a closer without its opener
            if not _is_shortcode(name, "", False):
                out.append(m.group(0))
            pos = m.end()
            continue
        end_tag = f"[/{name}]"
        close = -1 if attrs.rstrip().endswith("/") else text.find(end_tag, m.end())
        if not _is_shortcode(name, attrs, close >= 0):
            out.append(m.group(0))
            pos = m.end()
            continue
        inner = text[m.end():close] if close >= 0 else ""
        out.append(_render(name.lower(), parse_attrs(attrs), expand_shortcodes(inner, post_id, ctx), post_id, ctx))
        pos = close + len(end_tag) if close >= 0 else m.end()
    out.append(text[pos:])
    return "".join(out)


def _render(name: str, attrs: dict[str, str], inner: str, post_id: int, ctx: Context) -> str:
    e = html.escape
    if name in ("caption", "wp_caption"):
        found = _LEAD_MEDIA.match(inner)
        media, caption = (found.group(1), found.group(2)) if found else (inner, "")
        caption = (caption.strip() or attrs.get("caption", "")).strip()
        align = attrs.get("align", "")
        cls = f' class="wp-caption {e(align)}"' if align else ' class="wp-caption"'
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f"\n\n<figure{cls}>{media.strip()}{figcaption}</figure>\n\n"
    if name == "gallery":
        ids = _ids(attrs.get("ids") or attrs.get("include", "")) or ctx.children.get(_int(attrs.get("id", "")) or post_id, [])
        items = [ctx.attachments[i] for i in ids if i in ctx.attachments and _is_image(ctx.attachments[i])]
        if not items:
            return ""
        cells = "".join(f'<li><figure><img src="{e(ctx.media_for(a.url))}" alt="{e(a.alt or a.title)}" loading="lazy">'
                        + (f"<figcaption>{e(a.caption)}</figcaption>" if a.caption else "") + "</figure></li>"
                        for a in items)
        return f'\n\n<ul class="gallery">{cells}</ul>\n\n'
    if name == "embed":
        url = (inner.strip() or attrs.get("src", "") or attrs.get("0", "")).strip()
        return _embed(url) if url.startswith(("http://", "https://")) else ""
    if name in ("audio", "video"):
        src = attrs.get("src") or next((attrs[k] for k in _MEDIA_EXT[name] if attrs.get(k)), "") or inner.strip()
        if not src:
            return ""
        src = ctx.media_for(src)
        extra = ""
        if name == "video":
            extra = "".join(f' {k}="{e(attrs[k])}"' for k in ("width", "height") if attrs.get(k, "").isdigit())
            if attrs.get("poster"):
                extra += f' poster="{e(ctx.media_for(attrs["poster"]))}"'
        label = "Download the audio" if name == "audio" else "Download the video"
        return (f'\n\n<figure class="wp-{name}"><{name} controls preload="none" src="{e(src)}"{extra}></{name}>'
                f'<figcaption><a href="{e(src)}">{label}</a></figcaption></figure>\n\n')
    if name == "playlist":
        ids = _ids(attrs.get("ids", "")) or ctx.children.get(post_id, [])
        items = [ctx.attachments[i] for i in ids if i in ctx.attachments]
        if not items:
            return ""
        return '\n\n<ul class="playlist">' + "".join(
            f'<li><a href="{e(ctx.media_for(a.url))}">{e(a.title or a.url.rsplit("/", 1)[-1])}</a></li>' for a in items) + "</ul>\n\n"
    ctx.unknown[name] += 1
    return inner


def _embed(url: str) -> str:
    """An embedded URL as the site shows embeds today: a link on a line of its own (no third-party request)."""
    e = html.escape(url)
    return f'\n\n<p class="embed"><a href="{e}">{e}</a></p>\n\n'


def _ids(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", text or "")]


def _int(text: str) -> int:
    return int(text) if text and text.isdigit() else 0


def _is_image(a: Attachment) -> bool:
    return a.mime.startswith("image/") or a.url.lower().rsplit(".", 1)[-1] in ("jpg", "jpeg", "png", "gif", "webp", "avif", "svg")


# --- classic editor paragraphs ---------------------------------------------------------------------

def autop(text: str) -> str:
    """WordPress's wpautop, in short: blank lines make paragraphs, single newlines line breaks
    (classic-editor posts are stored without <p>)."""
    out = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        if not chunk.strip():
            continue
        if _AUTOP_BLOCK.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br>\n", chunk.strip()) + "</p>")
    return "\n\n".join(out)


# --- links, media and leftovers --------------------------------------------------------------------

def _tidy(soup: BeautifulSoup, ctx: Context) -> None:
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(["script", "style", "noscript"]):
        tag.decompose()
    for fig in soup.find_all("figure", class_="wp-block-embed"):  # block-editor embeds: the URL in a wrapper
        url = fig.get_text(" ").split()
        caption = fig.find("figcaption")
        first = next((u for u in url if u.startswith(("http://", "https://"))), "")
        replacement = BeautifulSoup(_embed(first) if first else "", "html.parser")
        if caption is not None and caption.get_text(strip=True):
            p = soup.new_tag("p")
            p.string = caption.get_text(" ", strip=True)
            replacement.append(p)
        fig.replace_with(replacement)
    for frame in soup.find_all("iframe"):  # a player or widget: a link instead, no third-party request
        src = frame.get("src") or ""
        if not isinstance(src, str) or not src.startswith(("http://", "https://", "//")):
            frame.decompose()
            continue
        src = "https:" + src if src.startswith("//") else src
        found = re.match(r"https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)", src)
        frame.replace_with(BeautifulSoup(_embed(f"https://www.youtube.com/watch?v={found.group(1)}" if found else src),
                                         "html.parser"))
    headings = soup.find_all(re.compile(r"^h[1-6]$"))
    levels = sorted({int(h.name[1]) for h in headings})
    for h in headings:  # the page's title is the h1: the body's outline starts at h2, without gaps
        h.name = f"h{min(6, 2 + levels.index(int(h.name[1])))}"
    for tag in soup.find_all(True):
        for attr in ("href", "src", "poster"):
            value = tag.get(attr)
            if not isinstance(value, str) or not value:
                continue
            new = ctx.link_for(value) if attr == "href" else None
            tag[attr] = new if new is not None else ctx.media_for(value)
        if tag.get("srcset"):
            tag["srcset"] = ", ".join(" ".join([ctx.media_for(part.split()[0]), *part.split()[1:]])
                                      for part in tag["srcset"].split(",") if part.split())
        if tag.name == "img" and not tag.has_attr("alt"):
            tag["alt"] = ""


class _Markdown(MarkdownConverter):
    """markdownify, keeping as raw HTML what Markdown cannot say."""

    def _raw_block(self, el, text, parent_tags):
        raw = re.sub(r"\s*\n\s*", "\n", str(el)).strip()
        if "_inline" in parent_tags or parent_tags & {"p", "li", "a"}:
            return raw.replace("\n", " ")
        return "\n\n" + raw + "\n\n"

    def escape(self, text, parent_tags):
        """Text that looked like markup in the HTML ('&lt;tag&gt;', '&amp;copy;') stays text in Markdown."""
        text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
        return super().escape(re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text), parent_tags)

    def _raw_inline(self, el, text, parent_tags):
        return re.sub(r"\s+", " ", str(el))

    convert_figure = convert_iframe = convert_video = convert_audio = convert_table = convert_object = _raw_block
    convert_details = convert_dl = _raw_block
    def convert_ul(self, el, text, parent_tags):
        if {"gallery", "playlist"} & set(el.get("class") or ()):  # lists of figures or media: as they are
            return self._raw_block(el, text, parent_tags)
        return super().convert_ul(el, text, parent_tags)

    convert_sup = convert_sub = convert_mark = convert_u = convert_ins = convert_del = convert_s = _raw_inline
    convert_abbr = convert_cite = _raw_inline


def leftover_shortcodes(markdown: str) -> list[str]:
    """Names of core shortcodes still in a converted body (there should be none)."""
    return sorted({m.group(2).lower() for m in _SHORTCODE.finditer(markdown) if m.group(2).lower() in _CORE})

