"""Helpers shared by the quality-gate tests (test_quality.py, test_deploy.py, test_seo_feeds.py).

- where the external tools are (tests/tools/node_modules, installed by tests/tools/install.sh),
  and `need()`: skip when a tool is missing, but fail under CI so CI can never skip silently;
- `copy_example()`: a copy of the repository's example site in a temporary folder;
- `run_cli()`: the generator run for real in a subprocess; `tree_hashes()`: a folder's files by hash;
- `StaticServer`: `python -m http.server` bound to 127.0.0.1 on a free port, as a static host;
- Playwright helpers: Debian's Chromium with fixed flags, every request off 127.0.0.1 aborted;
- `axe()`: runs axe-core (from tests/tools/node_modules) in a page.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".*", "_v", "__pycache__"))
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
