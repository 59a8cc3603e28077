"""Python-Markdown minus the work that cannot change its output.

The inline pass tries every inline pattern (links, emphasis, code, entities...) on every run of
text, and the block parser tries every block type's test on every block; nearly all of those
searches fail, and they are most of the time Markdown takes on a news article. Most cannot match
without some character ('[' for a link, '&' for an entity, '|' for a table); that
character is read off the compiled regex itself, and the search is skipped when the text lacks it.
Skipping gives exactly what the failed search gives, so the output is unchanged (tests compare it
with stock Python-Markdown on every corpus we have). The same holds for whole passes over the text
(fenced code, raw HTML, the table of contents' marker) when their marker characters are absent,
and for answers asked again and again (the block processors' list, whether a tag is
block-level). Each skip is kept only while it saves more than 0.5% of a body's instructions
(bench/mdskip_gain.py; the figures are in bench/README.md).

It reads Python-Markdown's internals, so it is applied only on the releases it was verified
identical on (VERIFIED); on any other release install() leaves the instance stock. It changes
only the instances handed to install(), never a module global of Markdown's.
"""

from __future__ import annotations

import re
from functools import lru_cache

import re._constants as sre  # the regex parser's own view of a pattern (Python 3.11+)
import re._parser as sre_parse

import markdown
from markdown import blockparser, blockprocessors, util
from markdown.extensions import abbr, def_list, fenced_code, footnotes, md_in_html, tables, toc
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor
from markdown.treeprocessors import InlineProcessor

# Releases checked byte for byte against stock: tests/test_mdskip.py (random and tricky texts,
# tests/markdown_cases/, every Markdown file of the repository) and the library's own test inputs.
# How to add one: README, "Upgrading Python-Markdown".
VERIFIED = frozenset({"3.11.3", "3.11.4"})


def active() -> bool:
    """Whether the installed Python-Markdown is a release the fast path was verified on."""
    return markdown.__version__ in VERIFIED


Need = frozenset[str]  # the text must hold at least one of these characters
_NO_NEEDS: tuple[Need, ...] = ()
_MAX_CLASS = 64  # character classes larger than this are not worth a test
_ALTERNATIVES = 8


@lru_cache(maxsize=256)
def needs(compiled: re.Pattern) -> tuple[Need, ...]:
    """Sets of characters a match of this regex must read: each set, one of its characters at least."""
    try:
        tree = sre_parse.parse(compiled.pattern, compiled.flags)
    except Exception:  # an exotic pattern: never skipped
        return _NO_NEEDS
    # Case-insensitive parts keep only characters without case (Unicode folds 'K' and 'ſ' too).
    found = _sequence(list(tree), bool(compiled.flags & re.IGNORECASE))
    return tuple(sorted(found, key=len))[:3]


def _sequence(items, caseless: bool) -> set[Need]:
    """Requirements of a run of regex items: every item's requirements hold."""
    out: set[Need] = set()
    for op, av in items:
        out |= _item(op, av, caseless)
    return out


def _item(op, av, caseless: bool) -> set[Need]:
    if op is sre.LITERAL:
        return _chars([chr(av)], caseless)
    if op is sre.IN:
        return _char_class(av, caseless)
    if op is sre.SUBPATTERN:  # (group, flags it adds, flags it removes, pattern): (?i:...), (?-i:...)
        return _sequence(av[3], (caseless or bool(av[1] & re.IGNORECASE)) and not av[2] & re.IGNORECASE)
    if op is sre.ATOMIC_GROUP:
        return _sequence(av, caseless)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        return _sequence(av[2], caseless) if av[0] >= 1 else set()
    if op is sre.ASSERT:  # a lookaround reads the same text (behind or ahead of the match)
        return _sequence(av[1], caseless)
    if op is sre.BRANCH:  # one branch matches: the union of one requirement from each
        union: set[str] = set()
        for branch in av[1]:
            found = _sequence(branch, caseless)
            if not found:
                return set()
            union |= min(found, key=len)
        return {frozenset(union)} if len(union) <= _ALTERNATIVES else set()
    return set()  # anything else (wildcards, anchors, negative lookarounds...) requires nothing


def _chars(chars: list[str], caseless: bool) -> set[Need]:
    if caseless and any(c.lower() != c.upper() or not c.isascii() for c in chars):
        return set()
    return {frozenset(chars)}


def _char_class(items, caseless: bool) -> set[Need]:
    chars: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            chars.append(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < _MAX_CLASS:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY, wide ranges: too broad
            return set()
        if len(chars) > _MAX_CLASS:
            return set()
    return _chars(chars, caseless) if chars else set()


def _possible(data: str, required: tuple[Need, ...]) -> bool:
    for need in required:
        for char in need:
            if char in data:
                break
        else:
            return False
    return True


class SkippingInlineProcessor(InlineProcessor):
    """InlineProcessor that skips a pattern when the text lacks a character its regex needs."""

    def run(self, tree, ancestors=None):
        self._patterns = list(self.inlinePatterns)  # fixed for the pass; the registry may change between
        self._needs = [needs(p.getCompiledRegExp()) for p in self._patterns]
        return super().run(tree, ancestors)

    # Overrides the name-mangled private method that the stock run() and __applyPattern call.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        patterns, required = self._patterns, self._needs
        apply = self._InlineProcessor__applyPattern
        startIndex = 0
        count = len(patterns)
        while patternIndex < count:
            possible = True  # _possible(data, need), inlined: this loop runs some 700 times a document
            for need in required[patternIndex]:
                for char in need:
                    if char in data:
                        break
                else:
                    possible = False
                    break
            if not possible:  # what __applyPattern returns when its search finds nothing
                patternIndex += 1
                startIndex = 0
                continue
            data, matched, startIndex = apply(patterns[patternIndex], data, patternIndex, startIndex)
            if not matched:
                patternIndex += 1
        return data


def _block_requirements(processor) -> tuple[Need, ...]:
    """What a block must hold for this stock processor to take it; () when that cannot be told.

    Its test is False (or, for the searching runs, its run puts the block back and returns
    False, which the parser treats alike) whenever its regex finds nothing. Only stock methods
    count, never an override, and only these: the parser calls test() itself, so the depth
    checks some of them make (nearing_recursion_limit) see the stack as stock does."""
    test, run = type(processor).test, type(processor).run
    if test is tables.TableProcessor.test:
        return (frozenset("|"),)  # a header row of two cells or with a border has a pipe
    searched = {
        blockprocessors.HashHeaderProcessor.test: "RE",
        blockprocessors.SetextHeaderProcessor.test: "RE",
        blockprocessors.HRProcessor.test: "SEARCH_RE",
        blockprocessors.OListProcessor.test: "RE",  # and the unordered and "sane" lists, which inherit it
        blockprocessors.BlockQuoteProcessor.test: "RE",
        def_list.DefListProcessor.test: "RE",
    }
    if test in searched:
        return needs(getattr(processor, searched[test]))
    searching_runs = {  # test always True; run searches its regex
        blockprocessors.ReferenceProcessor.run: blockprocessors.ReferenceProcessor.test,
        footnotes.FootnoteBlockProcessor.run: footnotes.FootnoteBlockProcessor.test,
        abbr.AbbrBlockprocessor.run: abbr.AbbrBlockprocessor.test,
    }
    if searching_runs.get(run) is test:
        return needs(processor.RE)
    return ()


def install(md: markdown.Markdown) -> markdown.Markdown:
    """Make md skip the work that cannot change its output; md unchanged on an unverified release."""
    if not active():
        return md
    stock = md.treeprocessors["inline"] if "inline" in md.treeprocessors else None
    if type(stock) is InlineProcessor:
        priority = next((item.priority for item in md.treeprocessors._priority if item.name == "inline"), 20)
        md.treeprocessors.register(SkippingInlineProcessor(md), "inline", priority)
    _guard_toc_marker(md)
    # The fenced-code search tries every line when there is no fence (three backticks or tildes).
    _skip_pass_without(md, "fenced_code_block", (fenced_code.FencedBlockPreprocessor,), ("```", "~~~"))
    # The raw-HTML pass runs the text through an HTML parser: without a '<' there is no tag,
    # comment or declaration to find. (Nor an '&': the parser rewrites a character reference
    # that lacks its ';', so text with one still goes through it.)
    _skip_pass_without(md, "html_block", (HtmlBlockPreprocessor, md_in_html.HtmlBlockPreprocessor), ("<", "&"))
    _parse_blocks_with_guards(md)
    _remember_block_level(md)
    return md


def _remember_block_level(md: markdown.Markdown) -> None:
    """is_block_level lowercases the tag and scans the list of some 50 block-level names; the
    prettifier and the inline pass ask it about every element. The answers are kept per tag
    while that list is the same list, of the same length (extensions add names when loaded)."""
    if type(md).is_block_level is not markdown.Markdown.is_block_level or "is_block_level" in vars(md):
        return
    known: dict[str, bool] = {}
    seen = [md.block_level_elements, len(md.block_level_elements)]

    def is_block_level(tag) -> bool:
        if not isinstance(tag, str):  # ElementTree's comments and processing instructions
            return False
        names = md.block_level_elements
        if names is not seen[0] or len(names) != seen[1]:
            known.clear()
            seen[:] = [names, len(names)]
        found = known.get(tag)
        if found is None:
            found = known[tag] = tag.lower().rstrip("/") in names
        return found
    md.is_block_level = is_block_level


def _parse_blocks_with_guards(md: markdown.Markdown) -> None:
    """The stock block loop, with two savings: a processor whose test needs a character the block
    lacks is passed over (a tenth of a body's conversion), and the processors are listed once per
    document (stock lists them again from their registry for every block; nothing registers one
    while a document is parsed). It is the stock loop in shape, one frame per call and test()
    called from it, so the depth checks of the list, quote and definition tests stop at the same
    nesting as stock."""
    parser = md.parser
    if type(parser) is not blockparser.BlockParser or "parseBlocks" in vars(parser):
        return
    registry = parser.blockprocessors
    known = {processor: _block_requirements(processor) for processor in registry}
    lister = _Lister(md, known)
    md.preprocessors.register(lister, "mdskip_block_processors", -1000)

    def parseBlocks(parent, blocks: list[str]) -> None:
        listed = lister.listed if lister.listed is not None else lister.list()
        while blocks:
            for processor, required in listed:
                if required:
                    block = blocks[0]
                    skip = False
                    for need in required:  # _possible(block, required), inlined: the hottest loop
                        for char in need:
                            if char in block:
                                break
                        else:
                            skip = True
                            break
                    if skip:
                        continue
                if processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:  # run returns True or None
                        break
    parser.parseBlocks = parseBlocks


class _Lister(Preprocessor):
    """Lists the block processors, with what each needs, for the document about to be parsed."""

    def __init__(self, md: markdown.Markdown, known: dict):
        super().__init__(md)
        self.known = known  # what each processor registered at install() needs
        self.listed: list | None = None

    def list(self) -> list[tuple[object, tuple[Need, ...]]]:
        known = self.known
        return [(p, known[p] if p in known else _block_requirements(p)) for p in self.md.parser.blockprocessors]

    def run(self, lines: list[str]) -> list[str]:
        self.listed = self.list()
        return lines


def _skip_pass_without(md: markdown.Markdown, name: str, kinds: tuple[type, ...], markers: tuple[str, ...]) -> None:
    """Skip the stock preprocessor `name` (of one of `kinds`) on a text holding none of `markers`,
    where its run gives the text back line for line."""
    processor = md.preprocessors[name] if name in md.preprocessors else None
    if type(processor) not in kinds:
        return
    stock = processor.run

    def run(lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if not any(marker in text for marker in markers):
            return text.split("\n")  # what the stock run gives back for such a text
        return stock(lines)
    processor.run = run


class _Sighting(Preprocessor):
    """Notes whether the source holds a word (run first, on the text as written)."""

    def __init__(self, md: markdown.Markdown, word: str):
        super().__init__(md)
        self.word, self.seen = word, True

    def run(self, lines: list[str]) -> list[str]:
        self.seen = any(self.word in line for line in lines)
        return lines


def _guard_toc_marker(md: markdown.Markdown) -> None:
    """The table of contents extension reads the text of every element in search of its marker
    ('[TOC]'): a fifth of its time. The marker's letters cannot appear in the text unless the
    source has them, side by side on one line, so without them the search is skipped."""
    processor = md.treeprocessors["toc"] if "toc" in md.treeprocessors else None
    if type(processor) is not toc.TocTreeprocessor or not processor.marker:
        return
    word = max(re.findall(r"\w+", processor.marker), key=len, default="")
    if not word:
        return
    sighting = _Sighting(md, word)
    md.preprocessors.register(sighting, "mdskip_marker", 1000)
    replace = processor.replace_marker

    def replace_marker(root, elem) -> None:
        if sighting.seen:
            replace(root, elem)
    processor.replace_marker = replace_marker
