"""Python-Markdown's own test inputs through stock and fast converters: the same HTML on every one.

    pip download --no-deps --no-binary :all: markdown==X.Y.Z && tar xzf markdown-X.Y.Z.tar.gz
    python tests/tools/markdown_equivalence.py markdown-X.Y.Z/tests

Part of verifying a new Python-Markdown release for the fast path (README, "Upgrading
Python-Markdown"). Every legacy `.txt` input is converted with the generator's extensions; every
`assertMarkdownRenders` call of the library's test suite is run on stock and on a fast-path copy
of the converter it asks for (its own extensions and options) and on the generator's, and the
outputs compared. Prints the counts and each difference; exits 1 on any.
"""

from __future__ import annotations

import os
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import markdown  # noqa: E402
from markdown import test_tools  # noqa: E402

from generator import mdskip  # noqa: E402
from generator.markup import _markdown  # noqa: E402

compared, differences = 0, []


def compare(label: str, make, text: str) -> None:
    """Convert text with a stock converter and a fast-path one, both made by make()."""
    global compared
    outcomes = []
    for md in (make(), mdskip.install(make())):
        try:
            outcomes.append((md.convert(text), getattr(md, "toc", None)))
        except Exception as exc:  # noqa: BLE001 - an exception is an outcome to compare too
            outcomes.append(type(exc).__name__)
    compared += 1
    if outcomes[0] != outcomes[1]:
        differences.append(f"{label}: {text[:120]!r}")


def main(tests: Path) -> int:
    if not mdskip.active():
        print(f"the fast path is off on Markdown {markdown.__version__}: nothing to compare", file=sys.stderr)
        return 2
    for path in sorted(tests.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        compare(str(path), lambda: _markdown(stock=True), text)
        compare(f"{path} (no extensions)", markdown.Markdown, text)

    def renders(self, source, expected, expected_attrs=None, **kwargs):
        compare(f"{type(self).__name__}.{self._testMethodName}", lambda: markdown.Markdown(**{**self.default_kwargs, **kwargs}),
                source)
        compare(f"{type(self).__name__}.{self._testMethodName} (site extensions)", lambda: _markdown(stock=True), source)

    test_tools.TestCase.assertMarkdownRenders = renders
    sys.path.insert(0, str(tests.parent))
    suite = unittest.defaultTestLoader.discover(str(tests), top_level_dir=str(tests.parent))
    with open(os.devnull, "w") as quiet:  # the library's own assertions are replaced: only ours count
        unittest.TextTestRunner(stream=quiet, verbosity=0).run(suite)
    print(f"Markdown {markdown.__version__}: {compared} conversions compared, {len(differences)} differ")
    for line in differences:
        print("  " + line)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
