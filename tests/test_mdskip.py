"""Markdown with the skipped searches gives exactly what stock Python-Markdown gives, on every text we have.

On a Python-Markdown release the fast path was not verified on, it is not applied at all: the
comparisons here then compare stock with stock, and the tests that need the fast path itself skip
(CI runs this file on the declared floor release as well as on the newest one)."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from markdown.extensions import codehilite, toc
from markdown.treeprocessors import InlineProcessor

from conftest import REPO, Site, article
from generator import mdskip
from generator.markup import _markdown

CASES = Path(__file__).resolve().parent / "markdown_cases"
needs_fast_path = pytest.mark.skipif(not mdskip.active(), reason=f"fast path off on Markdown {markdown.__version__}")

# Pieces that trigger every inline pattern and the places where they interact.
PIECES = list("ab [](){}<>!*_`\\&;#:/@^~|-=+.\n\n  \t\"'1x") + [
    "http://x.y", "&amp;", "&#x41;", "<b>", "</b>", "<!-- c -->", "[^1]", "[^1]: note", "```", "~~~", "`` a ``",
    "| a | b |\n|---|---|\n", "*[HTML]: Hyper Text", "\n    code", "> ", "1. ", "- ", '<div markdown="1">', "</div>",
    "ſ", "K", "é", "\u00a0", "\x02", "\x03", "[x]: /u", "![i](/p.png)", "<http://a.b>", "<me@x.y>", "  \n",
    "### h\n", "[TOC]", "**b**", "__u__", "\\*", "\n===\n", "\n---\n", "\nTerm\n: def\n", "* * *", "    ",
    "|", "\n| x |\n", "2) ", "+ ", "#", "\\[", "\\]", "TOC", "\n\n[TOC]\n\n", "\n\n\\[TOC\\]\n\n", "[^1]: x\n\n[TOC]",
    "\n   \n", "\r\n", "\r", "\n \t\n",  # lines of only spaces: the whitespace normaliser's regex
    "***", "**a*", "*a**", "_a*", "**", "*", "_",  # the emphasis delimiter runs Markdown 3.11.4 reworked
]
HEADINGS = ["Plain words", "  spaced  out  ", "Q&A", "A &amp; B", "1 < 2 > 0", "*emphasis* and `code`", "[link](/x)",
            "with a note[^1]", "<span>raw</span>", "escaped \\*star\\*", "Caf\u00e9 \u20ac 10", "&copy; 2026", "trailing #",
            "a  \u00a0 b", "", "x\x02y", "\u00bfQu\u00e9?"]


def _pair():
    return _markdown(stock=True), _markdown()


def _outcome(md, text: str):
    """What a converter makes of text: its HTML and table of contents, or the error it raises."""
    md.reset()
    try:
        return md.convert(text), md.toc
    except Exception as exc:  # noqa: BLE001 - older releases raise on some odd markup: the same error, then
        return type(exc).__name__


def _same(stock, fast, text: str) -> None:
    expected = _outcome(stock, text)
    assert _outcome(fast, text) == expected, f"differs from stock Python-Markdown on {text[:200]!r}"


@needs_fast_path
def test_installed_in_the_converter():
    md = _markdown()
    assert isinstance(md.treeprocessors["inline"], mdskip.SkippingInlineProcessor)
    assert "run" in vars(md.preprocessors["fenced_code_block"])
    assert "run" in vars(md.preprocessors["html_block"])
    assert "replace_marker" in vars(md.treeprocessors["toc"])
    assert "is_block_level" in vars(md)
    assert "parseBlocks" in vars(md.parser) and "mdskip_block_processors" in md.preprocessors
    guarded = {name for name in ("table", "hashheader", "setextheader", "hr", "olist", "ulist", "quote", "deflist",
                                 "footnote", "abbr", "reference")
               if mdskip._block_requirements(md.parser.blockprocessors[name])}
    assert len(guarded) == 11
    assert not isinstance(_markdown(stock=True).treeprocessors["inline"], mdskip.SkippingInlineProcessor)


def test_no_module_global_of_markdown_is_changed():
    """Only the generator's own instances are changed: Markdown instances other code makes stay stock."""
    from pygments.lexers import get_lexer_by_name

    render_inner_html, handle_inline = toc.render_inner_html, InlineProcessor.__dict__.copy()
    fast = _markdown()
    fast.convert("# A\n\n## B\n\n```python\nx = 1\n```\n\n[TOC]\n\n*e* [l](/u) | a |\n|---|\n")
    assert toc.render_inner_html is render_inner_html
    assert codehilite.get_lexer_by_name is get_lexer_by_name
    assert InlineProcessor.__dict__ == handle_inline
    other = markdown.Markdown(extensions=["toc", "tables"])
    assert type(other.treeprocessors["inline"]) is InlineProcessor
    assert "parseBlocks" not in vars(other.parser) and "is_block_level" not in vars(other)
    assert not any("test" in vars(p) for p in other.parser.blockprocessors)


def test_fast_path_applies_only_to_verified_releases(monkeypatch):
    monkeypatch.setattr(markdown, "__version__", "3.99.0")
    md = _markdown()
    assert type(md.treeprocessors["inline"]) is InlineProcessor and "parseBlocks" not in vars(md.parser)
    assert mdskip.install(markdown.Markdown()).treeprocessors["inline"].__class__ is InlineProcessor


def test_same_html_on_the_committed_tricky_documents():
    """tests/markdown_cases/: the documents an upgrade of Python-Markdown is most likely to break."""
    files = sorted(CASES.glob("*.md"))
    assert len(files) >= 7
    stock, fast = _pair()
    for path in files:
        text = path.read_text(encoding="utf-8")
        expected = _outcome(stock, text)
        assert isinstance(expected, tuple) and expected[0].strip(), path.name
        assert _outcome(fast, text) == expected, f"{path.name} differs from stock Python-Markdown"


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


def test_same_html_on_headings():
    stock, fast = _pair()
    rnd = random.Random(7)
    for _ in range(200):
        _same(stock, fast, "\n\n".join(f"{'#' * rnd.randint(1, 4)} {h}" for h in rnd.sample(HEADINGS, 6))
              + "\n\n[^1]: n\n")


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
    """Deep nesting is where the parser measures its stack: the skips must not move that edge.
    Every outcome is compared, a RecursionError included (stock's, for releases that raise one)."""
    stock, fast = _pair()
    outcomes = set()
    for depth in (50, 120, 200, 400, 900):
        for unit in ("> ", "- ", "1. ", "    ", "* > ", "> - ", "Term\n:   "):
            text = unit * depth + "x [y](/z) *w*\n\n" + unit * (depth // 2) + "# h"
            expected = _outcome(stock, text)
            outcomes.add(expected if isinstance(expected, str) else "html")
            assert _outcome(fast, text) == expected, f"differs from stock at depth {depth} of {unit!r}"
    assert "html" in outcomes


def test_table_of_contents_marker_still_replaced():
    stock, fast = _pair()
    for text in ("# A\n\n[TOC]\n\n## B", "# A\n\n\\[TOC\\]\n\n## B", "[TOC]", "*[TOC]: table\n\n[TOC]", "# A\n\n[TOC ]"):
        _same(stock, fast, text)
    assert '<div class="toc">' in fast.convert("# A\n\n[TOC]\n\n## B")


@needs_fast_path
def test_a_pattern_without_requirements_still_runs():
    """A custom pattern whose regex needs no particular character is tried on every text."""
    from markdown.inlinepatterns import SimpleTagInlineProcessor

    class Ext(markdown.extensions.Extension):
        def extendMarkdown(self, md):
            md.inlinePatterns.register(SimpleTagInlineProcessor(r"()(\d+)", "kbd"), "digits", 5)

    fast = mdskip.install(markdown.Markdown(extensions=[Ext()]))
    stock = markdown.Markdown(extensions=[Ext()])
    assert isinstance(fast.treeprocessors["inline"], mdskip.SkippingInlineProcessor)
    for text in ("a 12 b", "no digits", "[x](/u) 7 &amp;"):
        assert fast.convert(text) == stock.convert(text)
    assert "<kbd>12</kbd>" in fast.convert("a 12 b")


def test_fenced_code_with_and_without_fences():
    stock, fast = _pair()
    for text in ("no fence here", "``` not closed", "~~~\ncode\n~~~", "a\n\n```python\nx = 1\n```\n\nb",
                 "```\n```", "``` {.py hl_lines=\"1\"}\nx\n```", "````\n```\n````", "text ``inline `` and ~~ tilde",
                 "```python\ndef f(x):\n    return x\n```\n\n```python\ndef f(x):\n    return x\n```"):
        _same(stock, fast, text)
    assert '<span class="k">def</span>' in fast.convert("```python\ndef f(x):\n    return x\n```")


def test_raw_html_and_character_references_with_and_without_the_parser():
    stock, fast = _pair()
    for text in ("plain text\n\nmore", "a &amp b", "x &#65 y", "&copy", "<div>\n*x*\n</div>", "a < b", "<!-- c -->",
                 '<div markdown="1">\n**b**\n</div>', "Q&A", "&#x41;", "tail &", "1 &lt 2"):
        _same(stock, fast, text)


@needs_fast_path
def test_block_level_answers_follow_the_list():
    fast = _markdown()
    stock = markdown.Markdown.is_block_level
    for tag in ("div", "DIV", "p/", "span", "x-box", "", 5, None):
        assert fast.is_block_level(tag) == stock(fast, tag)
    assert not fast.is_block_level("x-box")
    fast.block_level_elements.append("x-box")  # an extension adding a name after the first answers
    assert fast.is_block_level("x-box") and fast.is_block_level("X-BOX")
    fast.block_level_elements = ["p"]
    assert fast.is_block_level("p") and not fast.is_block_level("div")


def test_a_markdown_failure_is_one_files_error():
    """A release's bug on odd input (3.7 raised AssertionError on '<![i') is an error for that body;
    the converter is made anew and goes on with the next body."""
    from markdown.preprocessors import Preprocessor

    from generator.markup import Converter, MarkdownError

    class Raises(Preprocessor):  # a real preprocessor that fails on one marker, as a library bug would
        def run(self, lines):
            if any("BOOM" in line for line in lines):
                raise AssertionError("unknown status keyword")
            return lines

    converter = Converter()
    converter._md.preprocessors.register(Raises(converter._md), "raises", 100)
    with pytest.raises(MarkdownError, match=r"failed on this body: AssertionError: unknown status keyword") as caught:
        converter.html("a BOOM b")
    assert caught.value.hint
    assert converter.html("*fine*")[0] == "<p><em>fine</em></p>"


# Runs the generator as `python -m generator` with Python-Markdown claiming a release nobody verified.
_UNKNOWN_RELEASE = ("import runpy, sys, markdown\n"
                    "markdown.__version__ = '3.99.0'\n"
                    "sys.argv = ['generator', *sys.argv[1:]]\n"
                    "runpy.run_module('generator', run_name='__main__')\n")


def test_an_unknown_release_builds_the_same_pages_with_one_warning(site: Site, tmp_path: Path):
    for i, name in enumerate(sorted(CASES.glob("*.md"))[:5]):
        site.write(f"content/articles/case-{i}.md",
                   article(f"Case {name.stem}", f"2024-03-0{i + 1}", "Bitcoin", ["ETF"], body=name.read_text()))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out_known, out_unknown = tmp_path / "known", tmp_path / "unknown"
    known = subprocess.run([sys.executable, "-m", "generator", "build", "--source", str(site.root), "--output",
                            str(out_known), "--no-search"], capture_output=True, text=True, env=env)
    unknown = subprocess.run([sys.executable, "-c", _UNKNOWN_RELEASE, "build", "--source", str(site.root),
                              "--output", str(out_unknown), "--no-search"], capture_output=True, text=True, env=env)
    assert known.returncode == 0 and unknown.returncode == 0, known.stderr + unknown.stderr
    assert unknown.stderr.count("3.99.0 is not a release the Markdown fast path was verified on") == 1, unknown.stderr
    assert "fast path" not in known.stderr or not mdskip.active()
    pages = sorted(p.relative_to(out_known) for p in out_known.rglob("*.html"))
    assert len(pages) > 10
    for rel in pages:
        assert (out_unknown / rel).read_bytes() == (out_known / rel).read_bytes(), rel
