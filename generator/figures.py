"""Images inside article bodies: figures at Markdown time, sizes and variants at render time.

Markdown time (a Python-Markdown extension, cached with the body): an image alone in its
paragraph becomes a <figure>, its title text the <figcaption>; every image loads lazily and
decodes off the main thread; the site paths of the body's images are noted with their lines.
Render time (enhance): a local image gets its width and height and, where the build made
resized variants (generator/images.py), a <picture> with a WebP srcset, as featured images do.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from html import escape, unescape
from typing import Callable

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

SIZES = "(min-width: 960px) 760px, 100vw"  # an article body's column
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'\s([a-zA-Z-]+)="([^"]*)"')


class _Lines(Preprocessor):
    def __init__(self, md: Markdown, extension: "FigureExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        self.extension.lines = lines
        self.extension.images = []
        return lines


class _Figures(Treeprocessor):
    """Figures for images alone in a paragraph; lazy loading for all; local sources noted."""

    def __init__(self, md: Markdown, extension: "FigureExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        if next(root.iter("img"), None) is None:  # most bodies: nothing to do
            return
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "p" and len(child) == 1 and child[0].tag == "img" \
                        and not (child.text or "").strip() and not (child[0].tail or "").strip():
                    img = child[0]
                    figure = etree.Element("figure", {"class": "figure"})
                    img.tail = None
                    figure.append(img)
                    title = img.attrib.pop("title", "")
                    if title.strip():
                        caption = etree.SubElement(figure, "figcaption")
                        caption.text = title
                    figure.tail = child.tail
                    parent.remove(child)
                    parent.insert(index, figure)
        seen = set()
        for img in root.iter("img"):
            img.set("loading", img.get("loading", "lazy"))
            img.set("decoding", img.get("decoding", "async"))
            src = img.get("src", "")
            if src.startswith("/") and not src.startswith("//") and src not in seen:
                seen.add(src)
                self.extension.images.append((src, self._line(src)))

    def _line(self, src: str) -> int:
        """The first line of the body that names the image (0 when it cannot be told)."""
        for number, line in enumerate(self.extension.lines, 1):
            if src in line or unescape(src) in line:
                return number
        return 0


class FigureExtension(Extension):
    """After each conversion, `images` holds (site path, line in the body) of the body's local images."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lines: list[str] = []
        self.images: list[tuple[str, int]] = []

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.preprocessors.register(_Lines(md, self), "figure_lines", 1002)
        md.treeprocessors.register(_Figures(md, self), "figures", 13)  # after the inline pass makes the images

    def reset(self) -> None:
        self.lines, self.images = [], []


def makeExtension(**kwargs) -> FigureExtension:  # noqa: N802 - Python-Markdown's name for the entry point
    return FigureExtension(**kwargs)


def enhance(html: str, info_for: Callable, url: Callable[[str], str]) -> str:
    """Width, height and variants for each local image of a body whose size the build knows.

    `info_for(src)` is the build's ImageSet.get; `url` makes a site path a link (the sub-path)."""
    if "<img" not in html:
        return html

    def one(match: re.Match) -> str:
        attrs = dict(_ATTR.findall(" " + match.group(1)))
        src = unescape(attrs.get("src", ""))
        info = info_for(src) if src.startswith("/") and not src.startswith("//") else None
        if info is None or not info.width or "width" in attrs:
            return match.group(0)
        extra = f' width="{info.width}" height="{info.height}"'
        if not info.variants:
            return f"<img{match.group(1)}{extra}>"
        widths = [f"{escape(url(v.url))} {v.width}w" for v in info.variants]
        webps = [f"{escape(url(v.webp_url))} {v.width}w" for v in info.variants]
        if info.width > info.variants[-1].width:  # the original serves the widest screens (as featured images)
            widths.append(f"{escape(url(src))} {info.width}w")
            webps.append(widths[-1])
        return (f'<picture><source type="image/webp" srcset="{", ".join(webps)}" sizes="{SIZES}">'
                f'<img{match.group(1)} srcset="{", ".join(widths)}" sizes="{SIZES}"{extra}></picture>')
    return _IMG.sub(one, html)
