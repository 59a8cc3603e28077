"""Front matter read directly (frontmatter_split.plain_yaml) is exactly what PyYAML reads, or left to it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from generator import frontmatter_split
from generator.frontmatter_split import _Loader, plain_yaml

ROOT = Path(__file__).resolve().parent.parent


class _PythonLoader(yaml.SafeLoader):
    """_Loader without libyaml: what a machine whose PyYAML lacks it reads."""


_PythonLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _yaml(fm: str, loader=_Loader):
    try:
        return ("ok", yaml.load(fm, Loader=loader))  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        return ("error", None)


def _check(fm: str) -> bool:
    """True when plain_yaml read it itself; then it must equal PyYAML's answer."""
    fast = plain_yaml(fm)
    if fast is None:
        return False
    for loader in (_Loader, _PythonLoader):
        assert _yaml(fm, loader) == ("ok", fast), f"plain_yaml differs from {loader.__name__} on {fm!r}: {fast!r}"
    return True


def _front_matters() -> list[str]:
    texts = []
    for path in sorted(ROOT.glob("content/**/*.md")) + sorted(ROOT.glob("tests/**/*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---\n") and "\n---" in text[4:]:
            texts.append(text[3:text.index("\n---", 4)])
    return texts


def test_the_example_site_is_read_directly_and_identically():
    fms = _front_matters()
    assert len(fms) > 20
    direct = sum(_check(fm) for fm in fms)
    assert direct >= len(fms) * 0.8  # the common case really takes the short way


@pytest.mark.parametrize("fm, value", [
    ('\ntitle: "A \\"quoted\\" word, and a back\\\\slash"\n', {"title": 'A "quoted" word, and a back\\slash'}),
    ("\ntitle: 'It''s here' # a comment\n", {"title": "It's here"}),
    ("\ntags: [Bitcoin (BTC), \"a, b\", 'c''d', People's Bank]\n", {"tags": ["Bitcoin (BTC)", "a, b", "c'd", "People's Bank"]}),
    ("\ndate: 2025-07-17T09:30:00+02:00\nreading_time: 7\ndraft: no\nimage:\n",
     {"date": "2025-07-17T09:30:00+02:00", "reading_time": 7, "draft": False, "image": None}),
    ("\n# a comment\ntitle: x\n\ntitle: y\n", {"title": "y"}),
    ("\ntags: []\nauthor: Smith, John\nurl: https://example.com/a#b\n", {"tags": [], "author": "Smith, John", "url": "https://example.com/a#b"}),
])
def test_simple_front_matter_is_read_directly(fm, value):
    assert plain_yaml(fm) == value
    assert _yaml(fm) == ("ok", value)


@pytest.mark.parametrize("fm", [
    "\ntitle: a: b\n",  # an error in YAML
    "\ntags:\n  - a\n  - b\n",  # a block list
    "\ntitle: foo\n  continued\n",  # a folded plain scalar
    "\ntitle: \"tab\\tescape\"\n",  # an escape other than \" and \\
    "\nyes: 1\n",  # a key that is not a string
    "\nprice: 1.5\nmode: 0755\n",  # floats and octals
    "\ntitle: x #comment\n",  # a comment after a plain value
    "\ntitle: x\u2028y\n",  # a line separator
    "\ntitle: \t x\n",  # a tab
    "\ntitle: x\n\u00a0\n",  # a line holding a no-break space (not a blank line in YAML)
    "\ntitle: &a x\nother: *a\n",  # anchors and aliases
    "\ntags: [a, b,]\n",  # a trailing comma
    "\ntags: [a:b]\n",  # YAML versions disagree on this one
    "\n",  # nothing at all
])
def test_anything_else_is_left_to_pyyaml(fm):
    assert plain_yaml(fm) is None


PIECES = ["title", "tags", "date", "yes", "on", "null", "x-y", "_k", ":", ": ", " ", "  ", "\n", "#", " #", "'", "''", '"',
          '\\"', "\\\\", "\\n", "[", "]", "{", "}", ",", ", ", "-", "- ", "?", "&a", "*a", "!", "|", ">", "%", "@", "`",
          "~", "0", "7", "012", "1.5", "1_0", "1:20", "+3", "-3", ".inf", "Yes", "NO", "Off", "é", "€", "🙂", "\u00a0",
          "\u0085", "\u2028", "\ufeff", "\t", "a", "b", "Bitcoin (BTC)", "People's", "2025-07-17", "T09:30:00Z", "<<", "="]


def test_random_front_matter_agrees_with_pyyaml():
    rnd = random.Random(20261129)
    direct = 0
    for _ in range(40_000):
        lines = []
        for _ in range(rnd.randint(1, 5)):
            key = rnd.choice(["title", "tags", "date", "summary", "k", "yes", "x-y", rnd.choice(PIECES)])
            value = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 6)))
            shape = rnd.random()
            if shape < 0.25:
                value = '"' + value + '"'
            elif shape < 0.35:
                value = "'" + value + "'"
            elif shape < 0.6:
                value = "[" + ", ".join("".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 3)))
                                        for _ in range(rnd.randint(0, 3))) + "]"
            lines.append(f"{key}:{rnd.choice([' ', '  ', ''])}{value}{rnd.choice(['', ' ', ' # c'])}")
        direct += _check("\n" + "\n".join(lines) + "\n")
    assert direct > 1000  # the generator does reach the short way, not only the fallback


def test_the_short_way_is_taken_in_a_build(monkeypatch):
    """split() uses it: a front matter PyYAML is never asked about."""
    def refuse(*args, **kwargs):
        raise AssertionError("PyYAML was asked")
    monkeypatch.setattr(frontmatter_split.yaml, "load", refuse)
    meta, body, line, _ = frontmatter_split.split('---\ntitle: "T"\ntags: [a, b]\n---\nBody\n', "x.md")
    assert meta == {"title": "T", "tags": ["a", "b"]} and body == "Body\n" and line == 5
