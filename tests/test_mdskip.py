"""Markdown with the skipped searches gives exactly what stock Python-Markdown gives, on every text we have."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from markdown.extensions.toc import slugify as toc_slugify

from generator import mdskip
from generator.markup import _markdown

REPO = Path(__file__).resolve().parent.parent

# Pieces that trigger every inline pattern and the places where they interact.
PIECES = list("ab [](){}<>!*_`\\&;#:/@^~|-=+.\n\n  \t\"'1x") + [
    "http://x.y", "&amp;", "&#x41;", "<b>", "</b>", "<!-- c -->", "[^1]", "[^1]: note", "```", "~~~", "`` a ``",
    "| a | b |\n|---|---|\n", "*[HTML]: Hyper Text", "\n    code", "> ", "1. ", "- ", '<div markdown="1">', "</div>",
    "ſ", "K", "é", "\u00a0", "\x02", "\x03", "[x]: /u", "![i](/p.png)", "<http://a.b>", "<me@x.y>", "  \n",
    "### h\n", "[TOC]", "**b**", "__u__", "\\*", "\n===\n", "\n---\n", "\nTerm\n: def\n", "* * *", "    ",
    "|", "\n| x |\n", "2) ", "+ ", "#", "\\[", "\\]", "TOC", "\n\n[TOC]\n\n", "\n\n\\[TOC\\]\n\n", "[^1]: x\n\n[TOC]",
    "\n   \n", "\r\n", "\r", "\n \t\n",  # lines of only spaces: the whitespace normaliser's regex
]


def _pair():
    return _markdown(stock=True), _markdown()


def _same(stock, fast, text: str) -> None:
    stock.reset()
    fast.reset()
    try:
        expected = stock.convert(text), stock.toc
    except RecursionError:
        return
    assert (fast.convert(text), fast.toc) == expected, f"differs from stock Python-Markdown on {text[:200]!r}"


def test_installed_in_the_converter():
    md = _markdown()
    assert isinstance(md.treeprocessors["inline"], mdskip.SkippingInlineProcessor)
    guarded = {name for name in ("table", "hashheader", "setextheader", "hr", "olist", "ulist", "deflist",
                                 "footnote", "abbr", "reference")
               if "test" in vars(md.parser.blockprocessors[name])}
    assert len(guarded) == 10
    assert "test" in vars(md.parser.blockprocessors["quote"])
    assert "run" in vars(md.preprocessors["normalize_whitespace"])
    assert "run" in vars(md.preprocessors["fenced_code_block"])
    assert "run" in vars(md.preprocessors["html_block"])
    assert "is_block_level" in vars(md)
    assert "unescape" in vars(md.treeprocessors["unescape"])
    assert md.treeprocessors["toc"].slugify is not toc_slugify
    assert "parseBlocks" in vars(md.parser) and "mdskip_block_processors" in md.preprocessors
    assert not isinstance(_markdown(stock=True).treeprocessors["inline"], mdskip.SkippingInlineProcessor)


def test_same_html_on_every_markdown_file_in_the_repository():
    files = [*REPO.glob("*.md"), *(REPO / "bench").glob("*.md"), *(REPO / "content").rglob("*.md"),
             *(REPO / "tests").rglob("*.md")]
    assert len(files) > 30
    stock, fast = _pair()
    for path in files:
        _same(stock, fast, path.read_text(encoding="utf-8", errors="replace"))


@pytest.mark.parametrize("seed", range(4))
def test_same_html_on_random_markup(seed):
    stock, fast = _pair()
    rnd = random.Random(seed)
    for _ in range(500):
        _same(stock, fast, "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 160))))


def test_required_characters_read_off_the_regex():
    def need(pattern, flags=0):
        return {"".join(sorted(s)) for s in mdskip.needs(re.compile(pattern, flags))}

    assert need(r"\[\^([^\]]*)\]") == {"[", "^", "]"}
    assert need(r"(?<!\!)\[") == {"["}  # a negative lookbehind needs nothing
    assert need(r"\*|_") == {"*_"}  # one of the branches
    assert need(r"a*b?") == set()  # optional parts need nothing
    assert need(r"[0-9]+x") == {"0123456789", "x"}
    assert need(r"[^a]x") == {"x"}  # a negated class needs nothing
    assert need(r"k&", re.IGNORECASE) == {"&"}  # letters fold under IGNORECASE ('K' is also KELVIN SIGN)
    assert need(r"(?i:k)&") == {"&"}
    assert need(r"(?-i:k)&", re.IGNORECASE) == {"k", "&"}  # a group that turns case back on
    assert need(r"(?=`+)\\") == {"`", "\\"}  # a lookahead reads the text too


def test_same_html_at_the_nesting_limits():
    """Deep nesting is where the parser measures its stack: the skips must not move that edge."""
    stock, fast = _pair()
    for depth in (50, 120, 200, 400, 900):
        for unit in ("> ", "- ", "1. ", "    ", "* > "):
            _same(stock, fast, unit * depth + "x [y](/z) *w*\n\n" + unit * (depth // 2) + "# h")


def test_table_of_contents_marker_still_replaced():
    stock, fast = _pair()
    for text in ("# A\n\n[TOC]\n\n## B", "# A\n\n\\[TOC\\]\n\n## B", "[TOC]", "*[TOC]: table\n\n[TOC]", "# A\n\n[TOC ]"):
        _same(stock, fast, text)
    assert '<div class="toc">' in fast.convert("# A\n\n[TOC]\n\n## B")


def test_a_pattern_without_requirements_still_runs():
    """A custom pattern whose regex needs no particular character is tried on every text."""
    import markdown
    from markdown.inlinepatterns import SimpleTagInlineProcessor

    class Ext(markdown.extensions.Extension):
        def extendMarkdown(self, md):
            md.inlinePatterns.register(SimpleTagInlineProcessor(r"()(\d+)", "kbd"), "digits", 5)

    fast = mdskip.install(markdown.Markdown(extensions=[Ext()]))
    stock = markdown.Markdown(extensions=[Ext()])
    for text in ("a 12 b", "no digits", "[x](/u) 7 &amp;"):
        assert fast.convert(text) == stock.convert(text)
    assert "<kbd>12</kbd>" in fast.convert("a 12 b")


def test_fenced_code_with_and_without_fences():
    stock, fast = _pair()
    for text in ("no fence here", "``` not closed", "~~~\ncode\n~~~", "a\n\n```python\nx = 1\n```\n\nb",
                 "```\n```", "``` {.py hl_lines=\"1\"}\nx\n```", "````\n```\n````", "text ``inline `` and ~~ tilde"):
        _same(stock, fast, text)
    assert "<pre" in fast.convert("```python\nx = 1\n```")


def test_raw_html_and_character_references_with_and_without_the_parser():
    stock, fast = _pair()
    for text in ("plain text\n\nmore", "a &amp b", "x &#65 y", "&copy", "<div>\n*x*\n</div>", "a < b", "<!-- c -->",
                 '<div markdown="1">\n**b**\n</div>', "Q&A", "&#x41;", "tail &", "1 &lt 2"):
        _same(stock, fast, text)


def test_reused_lexers_highlight_as_fresh_ones(monkeypatch):
    """Lexers are made once per name and options; each block must still come out as a lexer
    made just for it would make it (compared with Pygments' own lookup, not the remembered one)."""
    import pygments.lexers
    from markdown.extensions import codehilite

    fast = _markdown()
    blocks = ["```python\ndef f(x):\n    return x  # one\n```", "```python\nclass A:\n    pass\n```",
              "```js\nlet a = `t${x}`;\n```", "```python hl_lines=\"2\"\na = 1\nb = 2\n```",
              "```nosuchlang\n<x> & y\n```", "```python\ndef f(x):\n    return x  # one\n```"]
    got = []
    for text in blocks:
        fast.reset()
        got.append(fast.convert(text))
    assert codehilite.get_lexer_by_name is not pygments.lexers.get_lexer_by_name  # the remembering one
    monkeypatch.setattr(codehilite, "get_lexer_by_name", pygments.lexers.get_lexer_by_name)
    stock = _markdown(stock=True)
    for text, html in zip(blocks, got):
        stock.reset()
        assert stock.convert(text) == html
    assert got[0] == got[-1] and '<span class="k">def</span>' in got[0]


HEADINGS = ["Plain words", "  spaced  out  ", "Q&A", "A &amp; B", "1 < 2 > 0", "*emphasis* and `code`", "[link](/x)",
            "with a note[^1]", "<span>raw</span>", "escaped \\*star\\*", "Caf\u00e9 \u20ac 10", "&copy; 2026", "trailing #",
            "a  \u00a0 b", "", "x\x02y", "\u00bfQu\u00e9?"]


def test_heading_texts_read_directly_as_stock_serialises_them(monkeypatch):
    """A plain heading's text goes to the table of contents directly; with stock's serialise, cut
    and postprocess, every heading (and table of contents) must come out the same."""
    from markdown.extensions import toc

    rnd = random.Random(7)
    texts = ["\n\n".join(f"{'#' * rnd.randint(1, 4)} {h}" for h in rnd.sample(HEADINGS, 6)) + "\n\n[^1]: n\n"
             for _ in range(200)]
    texts += ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 160))) for _ in range(500)]
    fast = _markdown()
    got = []
    for text in texts:
        fast.reset()
        got.append((fast.convert(text), fast.toc))
    assert getattr(toc.render_inner_html, "plain_first", False)
    monkeypatch.setattr(toc, "render_inner_html", toc.render_inner_html.stock)
    stock = _markdown(stock=True)
    for text, html in zip(texts, got):
        stock.reset()
        assert (stock.convert(text), stock.toc) == html, f"differs from stock Python-Markdown on {text[:200]!r}"
    assert '<a href="#plain-words">Plain words</a>' in "".join(toc for _, toc in got)


def test_block_level_answers_follow_the_list():
    import markdown

    fast = _markdown()
    stock = markdown.Markdown.is_block_level
    for tag in ("div", "DIV", "p/", "span", "x-box", "", 5, None):
        assert fast.is_block_level(tag) == stock(fast, tag)
    assert not fast.is_block_level("x-box")
    fast.block_level_elements.append("x-box")  # an extension adding a name after the first answers
    assert fast.is_block_level("x-box") and fast.is_block_level("X-BOX")
    fast.block_level_elements = ["p"]
    assert fast.is_block_level("p") and not fast.is_block_level("div")
