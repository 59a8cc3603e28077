"""Save-to-screen latency of the live preview: from an article file landing on disk to its text on screen.

    python bench/serve_latency.py [--n 10000] [--edits 12] [--seed 1] [--profile heavy] [--sites example,corpus]

For each site, (a) a copy of the repository's example site and (b) a generated site of N articles
(bench/corpus.py, or a small built-in generator when that script is missing), this starts
`python -m generator serve` on 127.0.0.1, opens one article page in Debian's headless Chromium
(Playwright, /usr/bin/chromium), then edits that article's body again and again. Each edit
writes a unique marker into the file; the time is taken right after the file is closed, and an
init script in the page (a MutationObserver, then one requestAnimationFrame) records when the
marker is in the reloaded document and when the next frame after that begins. Nothing polls, so
the figure carries no polling delay.

Reported per site, in ms: min / median / max of write-to-frame (what the reader sees), plus the
parts: write-to-navigation (server refresh, WebSocket message, reload begins) and the server's own
"updated in N ms" lines. One warm-up edit is made first and not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PROBE_SLUG = "serve-latency-probe"

# Runs in every document before its own scripts: records when the expected marker is in the DOM
# and when the frame after that starts (performance.timeOrigin + now(): wall clock, sub-ms).
RECORDER = """
(() => {
  let marker = null;
  try { marker = sessionStorage.getItem('__marker'); } catch (e) { return; }
  if (!marker) return;
  const now = () => performance.timeOrigin + performance.now();
  let done = false;
  const check = () => {
    if (done || !document.body || !document.body.textContent.includes(marker)) return;
    done = true;
    observer.disconnect();
    sessionStorage.setItem('__seen_dom', String(now()));
    sessionStorage.setItem('__nav_start', String(performance.timeOrigin));
    requestAnimationFrame(() => sessionStorage.setItem('__seen_frame', String(now())));
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {childList: true, subtree: true, characterData: true});
  document.addEventListener('DOMContentLoaded', check);
})();
"""


# --- sites ---------------------------------------------------------------------------------------

def copy_example_site(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("content", "layouts", "assets"):
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    shutil.copy2(REPO / "site.toml", dest / "site.toml")
    return dest


def make_corpus(dest: Path, n: int, seed: int, profile: str = "light") -> Path:
    """N articles: bench/corpus.py when it exists, else the small generator below."""
    script = REPO / "bench" / "corpus.py"
    if script.exists():
        command = [sys.executable, str(script), "--n", str(n), "--out", str(dest), "--seed", str(seed), "-q",
                   "--profile", profile]
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"bench/corpus.py failed:\n{done.stderr}")
        for name in ("layouts", "assets"):  # make sure the example layouts apply
            if not (dest / name).exists():
                shutil.copytree(REPO / name, dest / name)
        if not (dest / "site.toml").exists():
            shutil.copy2(REPO / "site.toml", dest / "site.toml")
        return dest
    return small_corpus(dest, n, seed)


WORDS = ("bitcoin ether stablecoin liquidity validator rollup exchange custody regulator yield token network "
         "market traders miners protocol upgrade wallet bridge treasury fund volume price issuance fees block "
         "layer settlement governance staking lending derivatives options futures inflows outflows").split()


def small_corpus(dest: Path, n: int, seed: int) -> Path:
    """A plain generated site: the example layouts and site.toml, N articles over three years."""
    rnd = random.Random(seed)
    dest.mkdir(parents=True)
    for name in ("layouts", "assets"):
        shutil.copytree(REPO / name, dest / name)
    shutil.copy2(REPO / "site.toml", dest / "site.toml")
    shutil.copytree(REPO / "content" / "pages", dest / "content" / "pages")
    shutil.copytree(REPO / "content" / "_data", dest / "content" / "_data")
    categories = ["Altcoins", "Adoption", "Bitcoin", "Blockchain", "DeFi", "Ethereum", "Markets", "NFTs", "Policy"]
    tags = [f"Topic {i}" for i in range(300)]
    end = datetime(2026, 6, 30, tzinfo=timezone.utc)
    for i in range(n):
        when = end - timedelta(minutes=rnd.randrange(3 * 365 * 24 * 60))
        title = " ".join(rnd.choice(WORDS) for _ in range(7)).capitalize() + f" {i}"
        chosen = sorted({tags[min(int(rnd.paretovariate(1.2)) - 1, 299)] for _ in range(rnd.randint(2, 5))})
        paragraphs = []
        for s in range(rnd.randint(4, 8)):
            paragraphs.append(f"## Section {s + 1}")
            paragraphs += [" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(40, 90))).capitalize() + "."
                           for _ in range(2)]
        text = "\n".join(["---", f'title: "{title}"', f"date: {when.isoformat()}",
                          f"category: {rnd.choice(categories)}", "tags: [" + ", ".join(chosen) + "]", "---", "",
                          "\n\n".join(paragraphs), ""])
        path = dest / "content" / "articles" / f"{when.year}" / f"article-{i:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return dest


def prepare_probe(site: Path) -> tuple[Path, str, str, str]:
    """Pick an article from the middle of the site, give it a known slug; (file, url, front matter, body)."""
    sys.path.insert(0, str(REPO))
    from generator.config import load_config
    from generator.content import expand_permalink, parse_date
    from generator.frontmatter_split import split

    config = load_config(site)
    files = sorted((site / "content" / "articles").rglob("*.md"))
    for path in files[len(files) // 2:] + files[: len(files) // 2]:
        text = path.read_text(encoding="utf-8")
        meta, body, _, _ = split(text, path.name)
        category = config.category_by_name(str(meta.get("category", "")))
        when = parse_date(meta.get("date"), config) if meta.get("date") else None
        if category is None or when is None or meta.get("draft") or "slug" in meta:
            continue
        head = text[: len(text) - len(body)].rstrip()
        assert head.endswith("---")
        front = head[: -3].rstrip("\n") + f"\nslug: {PROBE_SLUG}\n---\n"
        url = expand_permalink(config.permalinks.article, slug=PROBE_SLUG, when=when, category=category.slug)
        base = config.base_path.rstrip("/")
        path.write_text(front + "\n" + body, encoding="utf-8")
        return path, base + url, front, body
    raise SystemExit(f"no usable article in {site}")


# --- the server ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, site: Path, pythonpath: Path):
        self.lines: list[tuple[float, str]] = []
        env = {**os.environ, "PYTHONPATH": str(pythonpath), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--source", str(site),
                                      "--port", str(free_port())], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                     cwd=str(pythonpath))  # `-m` puts the working folder first on sys.path
        threading.Thread(target=self._pump, daemon=True).start()
        self.port = 0

    def _pump(self) -> None:
        for raw in iter(self.proc.stderr.readline, b""):
            self.lines.append((time.time(), raw.decode("utf-8", "replace").rstrip("\n")))

    def wait_ready(self, timeout: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            for _, line in self.lines:
                m = re.match(r"serving .* at http://[^:]+:(\d+)/", line)
                if m:
                    self.port = int(m.group(1))
                    return time.monotonic() - started
            if self.proc.poll() is not None:
                raise SystemExit("serve exited:\n" + "\n".join(l for _, l in self.lines))
            time.sleep(0.1)
        raise SystemExit(f"serve did not start within {timeout} s")

    def refresh_times(self, since: float) -> list[float]:
        return [float(m.group(1)) for t, line in list(self.lines) if t >= since
                for m in [re.match(r"updated in (\d+) ms", line)] if m]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


# --- one site ----------------------------------------------------------------------------------------

def measure(name: str, site: Path, edits: int, timeout: float, pythonpath: Path, start_timeout: float,
            prebuild: bool = True) -> dict:
    from playwright.sync_api import sync_playwright

    probe, url, front, body = prepare_probe(site)
    articles = sum(1 for _ in (site / "content" / "articles").rglob("*.md"))
    print(f"[{name}] {articles:,} articles; probe {probe.relative_to(site)} at {url}", file=sys.stderr)
    if prebuild:  # as a newsroom previews a site it builds: the cache holds its bodies and search bundles
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "generator", "build", "--source", str(site), "-q"], cwd=str(pythonpath),
                       env={**os.environ, "PYTHONPATH": str(pythonpath)}, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"[{name}] built first in {time.monotonic() - started:.1f} s", file=sys.stderr)
    server = Server(site, pythonpath)
    result: dict = {"site": name, "articles": articles, "url": url, "samples": [], "timeouts": 0}
    try:
        result["startup_s"] = round(server.wait_ready(start_timeout), 1)
        print(f"[{name}] serve ready in {result['startup_s']} s on port {server.port}", file=sys.stderr)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context()
            context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
            context.add_init_script(RECORDER)
            page = context.new_page()
            response = page.goto(f"http://127.0.0.1:{server.port}{url}")
            if response is None or response.status != 200:
                raise SystemExit(f"[{name}] {url} answered {response.status if response else 'nothing'}")
            misses = 0
            for i in range(edits + 1):  # edit 0 warms up and is not counted
                connected = "() => window.LiveReload && LiveReload.connector && LiveReload.connector.protocol > 0"
                page.wait_for_function(connected, timeout=30_000)
                time.sleep(0.5)  # let the previous reload settle: one edit at a time
                marker = f"LATENCY-{i}-{uuid.uuid4().hex[:12]}"
                page.evaluate("m => { sessionStorage.clear(); sessionStorage.setItem('__marker', m); }", marker)
                text = front + "\n" + f"Latency marker paragraph: {marker}.\n\n" + body
                with open(probe, "w", encoding="utf-8") as fh:
                    fh.write(text)
                written = time.time() * 1000  # the file is closed: the write has landed
                try:
                    page.wait_for_function("() => sessionStorage.getItem('__seen_frame')", timeout=timeout * 1000)
                except Exception:  # noqa: BLE001 - a lost edit is a result, not a crash
                    misses += 1
                    result["timeouts"] += 1
                    print(f"[{name}] edit {i}: marker not on screen after {timeout} s", file=sys.stderr)
                    if misses >= 2:
                        print(f"[{name}] giving up: two edits in a row never reached the page", file=sys.stderr)
                        break
                    page.goto(f"http://127.0.0.1:{server.port}{url}")
                    continue
                misses = 0
                seen = page.evaluate("() => ({dom: +sessionStorage.getItem('__seen_dom'), "
                                     "frame: +sessionStorage.getItem('__seen_frame'), "
                                     "nav: +sessionStorage.getItem('__nav_start')})")
                sample = {"frame": seen["frame"] - written, "dom": seen["dom"] - written, "nav": seen["nav"] - written}
                refresh = server.refresh_times(written / 1000 - 0.05)
                sample["server_refresh"] = refresh[0] if refresh else None
                if i == 0:
                    result["warmup_ms"] = round(sample["frame"], 1)
                else:
                    result["samples"].append(sample)
                print(f"[{name}] edit {i}{' (warm-up)' if i == 0 else ''}: on screen after {sample['frame']:.0f} ms "
                      f"(reload began {sample['nav']:.0f} ms, in DOM {sample['dom']:.0f} ms, server refresh "
                      f"{sample['server_refresh']} ms)", file=sys.stderr)
            browser.close()
    finally:
        code = server.stop()
        result["exit_code"] = code
        probe.write_text(front + "\n" + body, encoding="utf-8")
    errors = list(dict.fromkeys(line for _, line in server.lines if "error" in line.lower()))
    if errors:
        result["server_errors"] = errors[:5]
    return result


def summary(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{min(values):7.0f} {statistics.median(values):7.0f} {max(values):7.0f}"


def report(results: list[dict]) -> str:
    out = ["", "serve: save-to-screen latency (ms), min / median / max",
           f"{'site':<28} {'edits':>5} {'on screen (frame)':>24} {'reload begins':>24} {'server refresh':>24}"]
    for r in results:
        s = r["samples"]
        label = f"{r['site']} ({r['articles']:,})"
        out.append(f"{label:<28} {len(s):>5} {summary([x['frame'] for x in s]):>24} "
                   f"{summary([x['nav'] for x in s]):>24} "
                   f"{summary([x['server_refresh'] for x in s if x['server_refresh'] is not None]):>24}")
        notes = [f"startup {r.get('startup_s', '?')} s", f"warm-up edit {r.get('warmup_ms', '—')} ms"]
        if r["timeouts"]:
            notes.append(f"{r['timeouts']} edits NEVER reached the page")
        if r.get("server_errors"):
            notes.append("server said: " + " | ".join(e[:160] for e in r["server_errors"][:2]))
        out.append("    " + "; ".join(notes))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=10_000, help="articles in the generated site (default 10000)")
    p.add_argument("--edits", type=int, default=12, help="timed edits per site (default 12, at least 10 advised)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--profile", choices=("light", "heavy"), default="heavy",
                   help="bench/corpus.py's corpus (default heavy: real-sized news copy)")
    p.add_argument("--sites", default="example,corpus", help="which sites: example, corpus or both (default)")
    p.add_argument("--timeout", type=float, default=30, help="seconds to wait for one edit to show (default 30)")
    p.add_argument("--start-timeout", type=float, default=900, help="seconds to wait for serve to start")
    p.add_argument("--generator", type=Path, default=REPO,
                   help="folder holding the generator package to run (default: this repository)")
    p.add_argument("--json", type=Path, help="also write the raw results here")
    p.add_argument("--no-prebuild", action="store_true",
                   help="start serve on a never-built site (its first search index is then made in the background "
                        "while the edits are timed); by default the site is built first, as a newsroom's is")
    p.add_argument("--keep", action="store_true", help="keep the temporary sites")
    args = p.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"error: needs Debian's chromium at {CHROMIUM}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="serve-latency-"))
    results = []
    try:
        for name in [s.strip() for s in args.sites.split(",") if s.strip()]:
            if name == "example":
                site = copy_example_site(work / "example")
                results.append(measure("example site", site, args.edits, args.timeout, args.generator.resolve(),
                                       args.start_timeout, not args.no_prebuild))
            elif name == "corpus":
                started = time.monotonic()
                site = make_corpus(work / f"corpus-{args.n}", args.n, args.seed, args.profile)
                print(f"[corpus] generated {args.n:,} articles in {time.monotonic() - started:.1f} s", file=sys.stderr)
                results.append(measure("generated site", site, args.edits, args.timeout, args.generator.resolve(),
                                       args.start_timeout, not args.no_prebuild))
            else:
                p.error(f"unknown site {name!r}")
    finally:
        if args.keep:
            print(f"sites kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0 if all(r["samples"] and not r["timeouts"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
