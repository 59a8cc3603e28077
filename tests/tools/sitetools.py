"""Helpers shared by the quality-gate tests (test_quality.py, test_deploy.py, test_seo_feeds.py).

- where the external tools are (tests/tools/node_modules, installed by tests/tools/install.sh),
  and `need()`: skip when a tool is missing, but fail under CI so CI can never skip silently;
- `copy_example()`: a copy of the repository's example site in a temporary folder;
- `run_cli()`: the generator run for real in a subprocess; `tree_hashes()`: a folder's files by hash;
- `StaticServer`: `python -m http.server` bound to 127.0.0.1 on a free port, as a static host;
- `Doc`: a parsed HTML page (head tags, links, JSON-LD, text of marked regions);
- Playwright helpers: Debian's Chromium with fixed flags, every request off 127.0.0.1 aborted;
- `axe()`: runs axe-core (from tests/tools/node_modules) in a page.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent.parent
NODE_MODULES = TOOLS / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL = re.compile(r"^(https?://127\.0\.0\.1[:/]|data:|blob:|about:)")
OFFSITE = re.compile(r"^(?!https?://127\.0\.0\.1[:/]|data:|blob:|about:).*")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def need(ok: bool, what: str) -> None:
    """Skip the test when `what` is missing; under CI (CI=true) fail instead: CI must never skip silently."""
    if ok:
        return
    message = f"{what} is not available (run tests/tools/install.sh; apt-get install chromium default-jre-headless)"
    if in_ci():
        pytest.fail(f"CI: {message}", pytrace=False)
    pytest.skip(message)


def need_chromium() -> None:
    need(Path(CHROMIUM).exists(), f"Debian's chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        need(False, "Playwright for Python")


def need_vnu() -> str:
    java = shutil.which("java")
    need(java is not None, "java")
    need(VNU_JAR.is_file(), f"the Nu Html Checker ({VNU_JAR.relative_to(REPO)})")
    return java


def need_axe() -> Path:
    need(AXE_JS.is_file(), f"axe-core ({AXE_JS.relative_to(REPO)})")
    return AXE_JS


# --- the example site ---------------------------------------------------------------------------

def copy_example(root: Path, site_toml: str | None = None) -> Path:
    """The repository's example site (content/, layouts/, assets/, site.toml) copied into root."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("content", "layouts", "assets"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("_v", "__pycache__"))
    (root / "site.toml").write_text(site_toml if site_toml is not None else (REPO / "site.toml").read_text(encoding="utf-8"),
                                    encoding="utf-8")
    return root


def run_cli(*args: str, env: dict | None = None, check: bool = False, timeout: float = 600) -> subprocess.CompletedProcess:
    """`python -m generator ARGS` for real, from this worktree; `check` fails the test on a non-zero exit."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    done = subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, env=full_env,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise AssertionError(f"generator {' '.join(args)} exited {done.returncode}\n{done.stderr}")
    return done


run_generator = run_cli  # the older name, kept for branches that still use it


def tree_hashes(root: Path, folders: bool = False, modes: bool = False, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file under root (relative path -> sha256 of its bytes), as two trees are compared.

    folders: folders ('rel/' -> 'dir') and symbolic links ('rel' -> 'link:target', never followed)
    are entries too, so a new empty folder or a link shows; modes: a file's permission bits join
    its hash; skip: folders left out with everything in them.
    """
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if here / d not in skip)
        for name in dirnames + sorted(filenames):
            path = here / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                if folders:
                    out[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                if folders:
                    out[rel + "/"] = "dir"
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                out[rel] = f"{digest}:{path.stat().st_mode:o}" if modes else digest
    return out


def html_pages(out: Path) -> dict[str, Path]:
    """Every HTML page of an output folder by its site path ('/x/', '/404.html'), Pagefind's files left out."""
    pages = {}
    for path in sorted(out.rglob("*.html")):
        rel = path.relative_to(out).as_posix()
        if rel.startswith("pagefind/"):
            continue
        pages["/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)] = path
    return pages


# --- a static host ------------------------------------------------------------------------------

def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class StaticServer:
    """`python -m http.server` serving a folder on 127.0.0.1 (nothing else), on a free port."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def __enter__(self) -> "StaticServer":
        for _ in range(5):
            self.port = free_port()
            self.proc = subprocess.Popen([sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1",
                                          "--directory", str(self.directory)],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return self
                except OSError:
                    time.sleep(0.05)
            self._stop()  # the port was taken meanwhile, or the server did not come up: try another
        raise RuntimeError(f"python -m http.server did not start for {self.directory}")

    def __exit__(self, *exc) -> None:
        self._stop()

    def _stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def get(self, path_or_url: str) -> tuple[int, bytes, str]:
        """(status, body, content type) of a GET; HTTP errors are returned, not raised."""
        url = path_or_url if path_or_url.startswith("http") else self.url(path_or_url)
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers.get("Content-Type", "")


# --- parsed pages ------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Doc(HTMLParser):
    """A page as crawlers and readers see it: head tags, references, ids, JSON-LD, region texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.metas: list[dict] = []
        self.head_links: list[dict] = []
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, URL)
        self.ids: set[str] = set()
        self.jsonld_raw: list[str] = []
        self.scripts: list[dict] = []
        self.elements: list[tuple[str, dict, frozenset[str]]] = []  # (tag, attrs, classes of the ancestors)
        self._stack: list[tuple[str, dict]] = []
        self._in_head = False
        self._in_title = False
        self._jsonld: list[str] | None = None
        self._regions: dict[str, list[str]] = {}
        self.region_text: dict[str, str] = {}

    @classmethod
    def parse(cls, text: str) -> "Doc":
        doc = cls()
        doc.feed(text)
        doc.close()
        doc.region_text = {k: " ".join("".join(v).split()) for k, v in doc._regions.items()}
        return doc

    @classmethod
    def load(cls, path: Path) -> "Doc":
        return cls.parse(path.read_text(encoding="utf-8"))

    def _ancestors(self) -> frozenset[str]:
        return frozenset(c for _, a in self._stack for c in (a.get("class") or "").split())

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        self.elements.append((tag, a, self._ancestors()))
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "head":
            self._in_head = True
        if tag == "title":
            self._in_title = True
        if tag == "meta" and self._in_head:
            self.metas.append(a)
        if tag == "link" and self._in_head:
            self.head_links.append(a)
        if tag == "script":
            self.scripts.append(a)
            if a.get("type") == "application/ld+json":
                self._jsonld = []
        for key in ("href", "src", "poster"):
            if a.get(key):
                self.refs.append((tag, key, a[key]))
        if tag == "form" and a.get("action") and (a.get("method") or "get").lower() == "get":
            self.refs.append((tag, "action", a["action"]))
        for key in ("srcset",):
            for part in (a.get(key) or "").split(","):
                if part.strip():
                    self.refs.append((tag, key, part.strip().split()[0]))
        if tag not in VOID:
            self._stack.append((tag, a))

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        if tag == "title":
            self._in_title = False
        if tag == "script" and self._jsonld is not None:
            self.jsonld_raw.append("".join(self._jsonld))
            self._jsonld = None
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._jsonld is not None:
            self._jsonld.append(data)
            return
        for tag, a in self._stack:
            for cls in (a.get("class") or "").split():
                self._regions.setdefault("." + cls, []).append(data)
            if tag in ("main", "footer", "header", "aside", "nav", "h1"):
                self._regions.setdefault(tag, []).append(data)
            if "data-pagefind-body" in a:
                self._regions.setdefault("[data-pagefind-body]", []).append(data)

    # lookups
    @property
    def kind(self) -> str | None:
        """The page kind from <body class="kind-...">; None for pages that are not reader pages (an iframe's widget)."""
        for a in self.find("body"):
            for cls in (a.get("class") or "").split():
                if cls.startswith("kind-"):
                    return cls[len("kind-"):]
        return None

    @property
    def noindex(self) -> bool:
        return any("noindex" in c for c in self.meta("robots"))

    def meta(self, key: str) -> list[str]:
        """content of <meta name=key> or <meta property=key> in the head."""
        return [m.get("content", "") for m in self.metas if m.get("name") == key or m.get("property") == key]

    def link_rel(self, rel: str, type_: str | None = None) -> list[dict]:
        return [l for l in self.head_links if rel in (l.get("rel") or "").split() and (type_ is None or l.get("type") == type_)]

    @property
    def jsonld(self) -> list[dict]:
        return [json.loads(raw) for raw in self.jsonld_raw]

    def jsonld_of(self, type_: str) -> list[dict]:
        return [d for d in self.jsonld if d.get("@type") == type_]

    def find(self, tag: str, cls: str | None = None, within: str | None = None) -> list[dict]:
        return [a for t, a, around in self.elements
                if t == tag and (cls is None or cls in (a.get("class") or "").split()) and (within is None or within in around)]

    def text(self, region: str) -> str:
        return self.region_text.get(region, "")


# --- the browser --------------------------------------------------------------------------------

def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def offline_context(browser, **kwargs):
    """A browser context in which every request that would leave 127.0.0.1 is aborted."""
    context = browser.new_context(**kwargs)
    context.route(OFFSITE, lambda route: route.abort())
    context.set_default_timeout(30_000)
    return context


AXE_RUN = """async (options) => {
  const r = await axe.run(document, options);
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' '))}));
}"""


def axe(page, options: dict | None = None) -> list[dict]:
    """axe-core's violations on the page as it is now (default rule set unless options say otherwise)."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(AXE_RUN, options or {})


def describe_violations(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations)
