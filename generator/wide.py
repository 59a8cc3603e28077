"""Markdown extension: wide tables and code scroll sideways inside themselves, never the page.

Every table is wrapped in a labelled region a keyboard can focus and scroll
(``<div class="table-scroll" role="region" aria-label="Table 1: Fund, Chain, Assets" tabindex="0">``),
so a phone shows whole words and figures instead of breaking them mid-letter. Code blocks
(``<pre>``) get ``tabindex="0"`` for the same reason: they keep their lines and scroll.
The layout's stylesheet does the scrolling; this only makes it reachable without a mouse.
Links that spell out their own address get ``class="bare"``, so a print stylesheet that
prints link targets does not print those twice.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

_STASHED = re.compile("\x02[^\x03]*\x03")  # placeholders of inline HTML not yet put back
_PRE = re.compile(r"<pre(?=[\s>])(?![^>]*\stabindex=)")
_LABEL_CHARS = 80


def table_label(number: int, table: etree.Element) -> str:
    """'Table 2: Fund, Chain, Assets': the table's number and its header cells, cut short."""
    heads = [" ".join(_STASHED.sub("", "".join(th.itertext())).split()) for th in table.iter("th")]
    heads = [h for h in heads if h]
    label = f"Table {number}"
    if heads:
        text = ", ".join(heads)
        label += ": " + (text if len(text) <= _LABEL_CHARS else text[:_LABEL_CHARS].rsplit(" ", 1)[0] + "…")
    return label


class _TableRegions(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        found = [(parent, i, child) for parent in root.iter() for i, child in enumerate(parent) if child.tag == "table"]
        for number, (parent, i, table) in enumerate(found, 1):
            region = etree.Element("div", {"class": "table-scroll", "role": "region",
                                           "aria-label": table_label(number, table), "tabindex": "0"})
            region.tail, table.tail = table.tail, None
            parent[i] = region
            region.append(table)


class _BareLinks(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for link in root.iter("a"):
            href = link.get("href", "")
            if href and len(link) == 0 and (link.text or "").strip() in (href, href.removeprefix("mailto:")):
                link.set("class", (link.get("class", "") + " bare").strip())


class _FocusableCode(Postprocessor):
    def run(self, text: str) -> str:
        return _PRE.sub('<pre tabindex="0"', text) if "<pre" in text else text


class WideExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # after the inline pass (20), so header cells hold their final text
        md.treeprocessors.register(_TableRegions(md), "table_regions", 15)
        md.treeprocessors.register(_BareLinks(md), "bare_links", 14)
        # after raw and highlighted HTML is put back (30)
        md.postprocessors.register(_FocusableCode(md), "focusable_code", 5)


def makeExtension(**kwargs) -> WideExtension:
    return WideExtension(**kwargs)
