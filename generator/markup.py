"""Markdown bodies to HTML with Python-Markdown: tables, highlighted code, footnotes, heading ids."""

from __future__ import annotations

import hashlib
import html
import json
import re

import markdown
from pygments.formatters.html import HtmlFormatter

from generator import mdskip
from generator.model import Body

# "extra" without attr_list: that one eats Liquid leftovers such as "{% endhighlight %}" in imported posts.
EXTENSIONS = ["abbr", "def_list", "fenced_code", "footnotes", "md_in_html", "tables", "codehilite", "toc", "sane_lists", "generator.wide"]
EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"toc_depth": "2-3"},
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
}
# Part of every cache key: a change of Markdown settings re-renders every body.
SETTINGS_KEY = hashlib.sha256(
    json.dumps([markdown.__version__, EXTENSIONS, EXTENSION_CONFIGS], sort_keys=True).encode()
).hexdigest()[:16]

_BLOCK_TAG = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|blockquote|pre|table|tr|td|th|br|hr|dd|dt|dl|figure|figcaption|section)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_FOOTNOTE_REF = re.compile(r'<sup id="fnref[^"]*">.*?</sup>', re.S)
_PARA = re.compile(r"<p>(.*?)</p>", re.S)
_SPACE = re.compile(r"\s+")
_HEADING = re.compile(r"<h[23]\b")


class MarkdownTooComplex(Exception):
    """The body nests too deeply for the Markdown parser."""


class _Formatters:
    """codehilite's pygments_formatter: one HtmlFormatter per set of options, reused. Making one
    reads the whole colour style, which stock codehilite does for every code block (a third of
    its highlighting time); the formatter keeps no state between blocks."""

    def __init__(self) -> None:
        self._made: dict[str, HtmlFormatter] = {}

    def __call__(self, **options) -> HtmlFormatter:
        options.pop("lang_str", None)  # given to custom formatters only: stock's 'html' never sees it
        key = repr(sorted(options.items()))
        formatter = self._made.get(key)
        if formatter is None:
            if len(self._made) >= 64:  # highlighted-line sets vary per block
                self._made.clear()
            formatter = self._made[key] = HtmlFormatter(**options)
        return formatter


def _remember_lexers() -> None:
    """codehilite asks Pygments for a lexer by name for every code block, and finding one scans
    the aliases of all of Pygments' 600 lexers before making a new one (a third of highlighting a
    short block). A lexer keeps no state between texts: one per name and options is reused. The
    lookup is a module global of codehilite, so this holds for every Markdown instance."""
    from markdown.extensions import codehilite
    find = codehilite.get_lexer_by_name
    if getattr(find, "remembers", False):
        return
    made: dict[tuple[str, str], object] = {}

    def get_lexer_by_name(alias, **options):
        key = (alias, repr(sorted(options.items())))
        lexer = made.get(key)
        if lexer is None:
            if len(made) >= 64:  # highlighted-line sets vary per block
                made.clear()
            lexer = made[key] = find(alias, **options)  # an unknown name raises, as before
        return lexer
    get_lexer_by_name.remembers = True
    codehilite.get_lexer_by_name = get_lexer_by_name


def _markdown(stock: bool = False) -> markdown.Markdown:
    configs = EXTENSION_CONFIGS
    if not stock:
        configs = {**configs, "codehilite": {**configs["codehilite"], "pygments_formatter": _Formatters()}}
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=configs, output_format="html")
    if stock:
        return md
    _remember_lexers()
    return mdskip.install(md)


class Converter:
    """One reusable Markdown instance (reset between documents: footnotes leak otherwise)."""

    def __init__(self) -> None:
        self._md = _markdown()

    def html(self, text: str) -> tuple[str, str]:
        """The body's HTML and its table of contents (empty under three headings); raises
        MarkdownTooComplex where the parser recurses too deep."""
        self._md.reset()
        try:
            out = self._md.convert(text)
        except RecursionError:
            self._md = _markdown()  # a parser that blew its stack is not reused
            raise MarkdownTooComplex("the Markdown nests too deeply (lists or quotes hundreds of levels deep)") from None
        # the renderer's slot markers are HTML comments: a body may not fake one
        out = out.replace("<!--slot:", "<!-- slot:").replace("<!--/slot:", "<!-- /slot:")
        return out, self._md.toc if len(_HEADING.findall(out)) >= 3 else ""

    @staticmethod
    def body(html: str, toc: str) -> Body:
        """The Body of converted HTML: with its first paragraph and word count."""
        return Body(html=html, toc=toc, first_paragraph=first_paragraph(html), words=count_words(html))


def plain_text(fragment: str) -> str:
    """HTML fragment to one line of plain text: block tags part words, inline tags do not."""
    return _SPACE.sub(" ", _text(fragment)).strip()


def _text(fragment: str) -> str:
    if "fnref" in fragment:
        fragment = _FOOTNOTE_REF.sub("", fragment)
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", fragment))
    return html.unescape(text) if "&" in text else text


def first_paragraph(body_html: str) -> str:
    """The first paragraph with any text in it, as plain text."""
    for match in _PARA.finditer(body_html):
        text = plain_text(match.group(1))
        if text:
            return text
    return ""


def count_words(body_html: str) -> int:
    return len(_text(body_html).split())


def shorten(text: str, limit: int = 300) -> str:
    """Cut text at a word boundary, adding an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",.;:")
    return cut + "…"
