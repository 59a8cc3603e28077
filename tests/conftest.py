"""Shared fixtures: tiny sites written into tmp_path, built for real, read back as a reader would."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "tools"))  # the shared helpers: sitetools, servetools

from htmldoc import Doc  # noqa: E402 - the one HTML parser
from sitetools import free_port, need_chromium, run_cli, tree_hashes  # noqa: E402,F401 - shared with every test module

# Builds read the clock from SOURCE_DATE_EPOCH when it is set, as reproducible-build setups do; a
# value left in the shell would make "future" articles of these tests' sites vanish. Tests that
# need a fixed clock pass their own.
os.environ.pop("SOURCE_DATE_EPOCH", None)

# A suite started in the background of a non-interactive shell (`pytest &`, many CI runners) inherits
# SIGINT ignored, and every process it starts would too: the Ctrl-C tests would then wait on a build
# or server that cannot hear Ctrl-C. A handler (unlike "ignore") is reset to the default in children.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

MINIMAL_TOML = """\
title = "Test News"
base_url = "https://test.example/"
description = "A test site."
timezone = "UTC"
per_page = 3

[[categories]]
name = "Bitcoin"
menu = "News"

[[categories]]
name = "Policy"
menu = "News"

[[categories]]
name = "Markets"
menu = "News"

[[menu]]
name = "Home"
url = "/"

[[menu]]
name = "News"
group = "News"

[trending]
count = 3

[related]
count = 3

[search]
enabled = false
"""


def article(title: str, date: str, category: str, tags=(), body: str = "Some body text.", **extra) -> str:
    """A Markdown article with YAML front matter."""
    lines = ["---", f"title: {title!r}" if "'" not in title else f'title: "{title}"', f"date: {date}",
             f"category: {category}"]
    if tags:
        lines.append("tags: [" + ", ".join(tags) + "]")
    for key, value in extra.items():
        lines.append(f"{key}: {value}")
    lines += ["---", "", textwrap.dedent(body).strip(), ""]
    return "\n".join(lines)


class Site:
    """A site folder in tmp_path using the example layouts and assets."""

    def __init__(self, root: Path):
        self.root = root

    @classmethod
    def new(cls, root: Path, toml: str = MINIMAL_TOML) -> "Site":
        """A new site folder at root: the example layouts and assets (no generated variants) and site.toml."""
        root.mkdir(parents=True)
        shutil.copytree(REPO / "layouts", root / "layouts")
        shutil.copytree(REPO / "assets", root / "assets", ignore=shutil.ignore_patterns("_*"))
        (root / "site.toml").write_text(toml, encoding="utf-8")
        return cls(root)

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def build(self, *args: str, env: dict | None = None, check: bool = False) -> subprocess.CompletedProcess:
        """Run `python -m generator build` on this site for real; returns the finished process."""
        return run_cli("build", "--source", str(self.root), *args, env=env, check=check)

    @property
    def out(self) -> Path:
        return self.root / "public"

    def page(self, url: str) -> Path:
        path = self.out / url.lstrip("/")
        return path / "index.html" if url.endswith("/") else path

    def html(self, url: str) -> Doc:
        return Doc.parse(self.text(url))

    def text(self, url: str) -> str:
        """A page's HTML with its internal iframes' pages inlined where they stand, as a reader sees it."""
        html = self.page(url).read_text(encoding="utf-8")

        def inline(m: re.Match) -> str:
            src = m.group(1)
            if src.startswith(("http:", "https:", "//")) or not self.page(src).is_file():
                return m.group(0)
            inner = self.page(src).read_text(encoding="utf-8")
            body = re.search(r"<body[^>]*>(.*)</body>", inner, re.S)
            return m.group(0) + (body.group(1) if body else inner)

        return re.sub(r'<iframe[^>]*\ssrc="([^"]+)"[^>]*>\s*</iframe>', inline, html)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """An empty site with the example layouts and assets and a minimal site.toml."""
    return Site.new(tmp_path / "site")


@pytest.fixture
def serve():
    """start(root, *args, port=None, env=None, ready=True) -> Served: a real `generator serve`
    subprocess (tests/tools/servetools.py); every server is stopped afterwards."""
    from servetools import Served
    started: list[Served] = []

    def start(root: Path, *args: str, port: int | None = None, env: dict | None = None, ready: bool = True) -> Served:
        s = Served(root, *args, port=port, env=env)
        started.append(s)
        return s.wait_ready() if ready else s

    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright, one per test module; fails under CI=true when missing."""
    need_chromium()
    from playwright.sync_api import sync_playwright
    from sitetools import launch

    with sync_playwright() as p:
        b = launch(p)
        try:
            yield b
        finally:
            b.close()
