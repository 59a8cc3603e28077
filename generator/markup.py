"""Markdown bodies to HTML with Python-Markdown: tables, highlighted code, footnotes, heading ids."""

from __future__ import annotations

import hashlib
import html
import json
import re
from typing import Mapping

import markdown
from markdown.extensions.footnotes import FootnoteExtension
from pygments.formatters.html import HtmlFormatter

from generator import mdskip
from generator import embeds
from generator.embeds import EmbedExtension
from generator.figures import FigureExtension
from generator.model import Body

# "extra" without attr_list: that one eats Liquid leftovers such as "{% endhighlight %}" in imported posts.
EXTENSIONS = ["abbr", "def_list", "fenced_code", "footnotes", "md_in_html", "tables", "codehilite", "toc", "sane_lists", "generator.wide",
              "generator.embeds", "generator.figures"]
EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"toc_depth": "2-3"},
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
}
# The texts a body holds that the Markdown author did not write (an embed's "Play video", a
# footnote's back-link title): UI strings in the article's language (Converter.html's `words`).
FOOTNOTE_BACKLINK = EXTENSION_CONFIGS["footnotes"]["BACKLINK_TITLE"]
BODY_STRINGS = (*embeds.STRINGS, FOOTNOTE_BACKLINK)
# What Converter.html does after Python-Markdown; bump it when that changes.
AFTER_MARKDOWN = 1
# Part of every cache key: a change of Markdown settings re-renders every body.
SETTINGS_KEY = hashlib.sha256(
    json.dumps([markdown.__version__, EXTENSIONS, EXTENSION_CONFIGS, AFTER_MARKDOWN], sort_keys=True).encode()
).hexdigest()[:16]

_BLOCK_TAG = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|blockquote|pre|table|tr|td|th|br|hr|dd|dt|dl|figure|figcaption|section)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_FOOTNOTE_REF = re.compile(r'<sup id="fnref[^"]*">.*?</sup>', re.S)
_PARA = re.compile(r"<p>(.*?)</p>", re.S)
_SPACE = re.compile(r"\s+")
_HEADING = re.compile(r"<h[23]\b")
_BACKREF = re.compile(r'&#160;<a class="footnote-backref" href="#(fnref[^"]*)"[^>]*>&#8617;</a>')
_REF_ID = re.compile(r'<sup id="(fnref[^"]*)"')


class MarkdownError(Exception):
    """Python-Markdown could not convert a body; the hint says what the editor can do."""

    hint = "simplify the unusual markup (raw HTML, escapes) the message points at, or upgrade Python-Markdown"


class MarkdownTooComplex(MarkdownError):
    """The body nests too deeply for the Markdown parser."""

    hint = "flatten the nesting"


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


def _markdown(stock: bool = False) -> markdown.Markdown:
    """A converter with the site's extensions: stock Python-Markdown, or with the fast path
    where the installed release is one it was verified on."""
    fast = not stock and mdskip.active()
    configs = EXTENSION_CONFIGS
    if fast:
        configs = {**configs, "codehilite": {**configs["codehilite"], "pygments_formatter": _Formatters()}}
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=configs, output_format="html")
    return mdskip.install(md) if fast else md


def _extension(md: markdown.Markdown, kind: type):
    return next((e for e in md.registeredExtensions if isinstance(e, kind)), None)


def fast_path_warning() -> str | None:
    """The one warning a build prints when Python-Markdown is a release the fast path does not know."""
    if mdskip.active():
        return None
    known = ", ".join(sorted(mdskip.VERIFIED))
    return (f"warning: Python-Markdown {markdown.__version__} is not a release the Markdown fast path was verified "
            f"on ({known}); using stock Python-Markdown: the same pages, built more slowly\n"
            f"  hint: install one of those releases, or verify this one (README, 'Upgrading Python-Markdown')")


class Converter:
    """One reusable Markdown instance (reset between documents: footnotes leak otherwise)."""

    def __init__(self) -> None:
        self._md = _markdown()
        self._words: Mapping[str, str] = {}  # the translations the Markdown instance was last given
        self.notes: tuple[tuple[int, str, str], ...] = ()  # the last body's (line in body, warning, hint)
        self.images: tuple[tuple[str, int], ...] = ()  # the last body's local images: (site path, line in body)

    def html(self, text: str, words: Mapping[str, str] | None = None) -> tuple[str, str]:
        """The body's HTML and its table of contents (empty under three headings); raises
        MarkdownError where Python-Markdown fails (MarkdownTooComplex where it recurses too deep).
        `words`: the translations of BODY_STRINGS in the article's language (none: English).
        Afterwards `notes` holds the warnings about the body (URLs that could not be embedded) and
        `images` its local images."""
        self.notes, self.images = (), ()
        self._speak(words or {})
        self._md.reset()
        try:
            out = self._md.convert(text)
        except RecursionError:
            self._md, self._words = _markdown(), {}  # a parser that blew its stack is not reused
            raise MarkdownTooComplex("the Markdown nests too deeply (lists or quotes hundreds of levels deep)") from None
        except Exception as exc:  # noqa: BLE001 - a library bug on odd input costs this one file, not the build
            self._md, self._words = _markdown(), {}
            raise MarkdownError(f"Python-Markdown {markdown.__version__} failed on this body: "
                                f"{type(exc).__name__}: {str(exc)[:200]}") from None
        # the renderer's slot markers are HTML comments: a body may not fake one
        out = out.replace("<!--slot:", "<!-- slot:").replace("<!--/slot:", "<!-- /slot:")
        if "footnote-backref" in out:
            out = _drop_dangling_backrefs(out)
        embeds, figures = _extension(self._md, EmbedExtension), _extension(self._md, FigureExtension)
        self.notes = tuple(embeds.notes) if embeds is not None else ()
        self.images = tuple(figures.images) if figures is not None else ()
        return out, self._md.toc if len(_HEADING.findall(out)) >= 3 else ""

    def _speak(self, words: Mapping[str, str]) -> None:
        """Give the extensions the texts of the article's language (only when it changes)."""
        if words == self._words:
            return
        self._words = words
        embed, notes = _extension(self._md, EmbedExtension), _extension(self._md, FootnoteExtension)
        if embed is not None:
            embed.gettext = (lambda text: words.get(text, text)) if words else embeds.english
        if notes is not None:  # Python-Markdown reads it as a str.format template, made from %d
            notes.setConfig("BACKLINK_TITLE", words.get(FOOTNOTE_BACKLINK, FOOTNOTE_BACKLINK).replace("%d", "{}"))

    @staticmethod
    def body(html: str, toc: str, notes: tuple = (), images: tuple = ()) -> Body:
        """The Body of converted HTML: with its first paragraph, word count, warnings and images."""
        return Body(html=html, toc=toc, first_paragraph=first_paragraph(html), words=count_words(html), notes=notes,
                    images=images)


def _drop_dangling_backrefs(body_html: str) -> str:
    """A footnote whose reference is gone (never written, or after a table row's last '|', where
    the table swallows it) keeps its note but not a back-link to nowhere."""
    present = set(_REF_ID.findall(body_html))
    return _BACKREF.sub(lambda m: m.group(0) if m.group(1) in present else "", body_html)


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
