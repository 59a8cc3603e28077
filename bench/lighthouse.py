"""Lighthouse scores of the example site: home, an article, a category and a tag page.

    python bench/lighthouse.py                     # mobile (Lighthouse's default), one run per page
    python bench/lighthouse.py --runs 3            # median of 3 runs per page
    python bench/lighthouse.py --preset desktop    # Lighthouse's desktop preset
    python bench/lighthouse.py --strict            # exit 1 when a target is missed

What it does:
  1. installs Lighthouse (npm `lighthouse@12.2.3`, with --ignore-scripts) into bench/work/node/ once;
  2. copies the example site (content/, layouts/, assets/, site.toml) to bench/work/lighthouse/site/;
  3. takes a free port on 127.0.0.1, builds the copy with --base-url http://127.0.0.1:PORT/ (the
     address it is served from, as a real deployment sets base_url) and serves the output with
     Python's http.server on that port (loopback only);
  4. runs Lighthouse with Debian's Chromium (CHROME_PATH=/usr/bin/chromium) on the home page, the
     home page's lead article, that article's category and its first tag, and prints the four
     category scores of each page, with the audits that cost points.

The price ticker's script re-reads the site's own data/ticker.json by default (`--api site`):
same origin, served by the same local server, so nothing leaves the machine. `--api stub` and
`--api real` measure the optional mode in which readers' browsers ask a price API themselves
(site.toml [ticker] browser_api = true): `stub` points it at a stand-in on the local server that
answers like CoinGecko's `simple/price` (the snapshot's figures), `real` at CoinGecko itself,
which this machine cannot reach (Chromium then logs the failed request, which Lighthouse's
best-practices category counts as "errors-in-console").

Targets (from the issue): 100 in accessibility, best practices and SEO; at least 95 in performance.
Results go to bench/work/lighthouse/RESULTS.json (and each page's full report beside it).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
from datetime import datetime, timezone
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work" / "lighthouse"
NODE_PREFIX = BENCH / "work" / "node"
LIGHTHOUSE_VERSION = "12.2.3"
CHROME_PATH = "/usr/bin/chromium"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
STUB_PATH = "/__price-api/simple/price"


def lighthouse_cli() -> Path:
    """bench/work/node/node_modules/lighthouse/cli/index.js, installed on first use."""
    pkg = NODE_PREFIX / "node_modules" / "lighthouse" / "package.json"
    cli = NODE_PREFIX / "node_modules" / "lighthouse" / "cli" / "index.js"
    if pkg.is_file() and json.loads(pkg.read_text())["version"] == LIGHTHOUSE_VERSION and cli.is_file():
        return cli
    if not shutil.which("npm"):
        sys.exit("npm is not installed: it is needed to install Lighthouse")
    NODE_PREFIX.mkdir(parents=True, exist_ok=True)
    print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {NODE_PREFIX.relative_to(REPO)} ...", file=sys.stderr)
    subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save",
                    "--prefix", str(NODE_PREFIX), f"lighthouse@{LIGHTHOUSE_VERSION}"],
                   check=True, stdin=subprocess.DEVNULL)
    return cli


class _Links(HTMLParser):
    """hrefs of <a> elements, with the classes of the elements around each."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.links: list[tuple[str, set[str]]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        around = {c for _, cls in self.stack for c in cls.split()} | set((a.get("class") or "").split())
        if tag == "a" and a.get("href"):
            self.links.append((a["href"], around))
        if tag not in ("img", "meta", "link", "input", "br", "hr", "source"):
            self.stack.append((tag, a.get("class") or ""))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break


def links(path: Path, within: str) -> list[str]:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return [href for href, around in p.links if within in around]


def page_file(out: Path, url: str) -> Path:
    return out / url.lstrip("/") / "index.html"


def pick_pages(out: Path) -> dict[str, str]:
    """home, the lead article of the home page, its category and its first tag (site paths)."""
    article = next(h for h in links(out / "index.html", "lead-story") if re.fullmatch(r"/\d{4}/\d{2}/[^/]+/", h))
    art = page_file(out, article)
    category = next(h for h in links(art, "article__meta") if h.startswith("/category/"))
    tag = next(h for h in links(art, "taglist") if h.startswith("/tag/"))
    return {"home": "/", "article": article, "category": category, "tag": tag}


def stub_handler(snapshot: dict):
    """A request handler serving the output, plus a CoinGecko-style simple/price stand-in."""
    by_id = {row.get("id"): row for row in snapshot.get("coins", {}).values() if isinstance(row, dict)}

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            parts = urlsplit(self.path)
            if parts.path != STUB_PATH:
                return super().do_GET()
            ids = parse_qs(parts.query).get("ids", [""])[0].split(",")
            body = json.dumps({i: {"usd": by_id[i]["price_usd"], "usd_24h_change": by_id[i]["change_24h"]}
                               for i in ids if i in by_id}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # Lighthouse drops connections on purpose: not news


def prepare_site(port: int, api: str) -> Path:
    site = WORK / "site"
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    for name in ("content", "layouts", "assets"):
        shutil.copytree(REPO / name, site / name, ignore=shutil.ignore_patterns("_v", "*.py"))
    toml = (REPO / "site.toml").read_text(encoding="utf-8")
    if api != "site":
        toml, n = re.subn(r"(?m)^(\[ticker\]\n)", r"\1browser_api = true\n", toml)
        if n != 1:
            sys.exit("site.toml has no [ticker] table to turn browser_api on in")
    if api == "stub":
        toml, n = re.subn(r'(?m)^api_url = ".*"$',
                          f'api_url = "http://127.0.0.1:{port}{STUB_PATH}?vs_currencies=usd&include_24hr_change=true&ids="',
                          toml)
        if n != 1:
            sys.exit("site.toml has no [ticker] api_url line to point at the stand-in")
    (site / "site.toml").write_text(toml, encoding="utf-8")
    return site


def build(site: Path, out: Path, port: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--source", str(site), "--output", str(out),
                           "--base-url", f"http://127.0.0.1:{port}/", "--force", "-q"],
                          capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        sys.exit(f"build failed ({done.returncode}):\n{done.stderr}")


def run_lighthouse(cli: Path, url: str, report: Path, preset: str) -> dict:
    args = ["node", str(cli), url, "--output=json", f"--output-path={report}", "--quiet",
            f"--only-categories={','.join(CATEGORIES)}", "--chrome-flags=" + " ".join(CHROME_FLAGS)]
    if preset == "desktop":
        args.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROME_PATH}
    done = subprocess.run(args, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300)
    if done.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse failed on {url} ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def summarize(lhr: dict) -> tuple[dict[str, int | None], list[str]]:
    scores = {}
    for cat in CATEGORIES:
        s = lhr["categories"][cat]["score"]
        scores[cat] = None if s is None else round(s * 100)
    lost = []
    for cat in CATEGORIES:
        for ref in lhr["categories"][cat]["auditRefs"]:
            audit = lhr["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                value = audit.get("displayValue") or ""
                lost.append(f"{cat}: {ref['id']} ({audit['score']:.2f}{', ' + value if value else ''})")
    errors = lhr["audits"].get("errors-in-console", {}).get("details", {}).get("items", [])
    lost += [f"console: {e.get('source')}: {e.get('description', '')[:160]} {e.get('sourceLocation', {}).get('url', '') if isinstance(e.get('sourceLocation'), dict) else ''}"
             for e in errors]
    return scores, lost


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page; the median score is reported")
    ap.add_argument("--preset", choices=("mobile", "desktop"), default="mobile")
    ap.add_argument("--api", choices=("site", "stub", "real"), default="site",
                    help="site: the ticker re-reads the site's own data/ticker.json (the default setup); stub / real: "
                         "browsers ask a price API themselves (browser_api), a local stand-in / CoinGecko (unreachable here)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a page misses a target")
    args = ap.parse_args()
    if not Path(CHROME_PATH).exists():
        sys.exit(f"needs Debian's chromium at {CHROME_PATH} (apt-get install chromium)")
    cli = lighthouse_cli()

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    site = prepare_site(port, args.api)
    out = WORK / "public"
    build(site, out, port)
    snapshot = json.loads((site / "content" / "_data" / "ticker.json").read_text(encoding="utf-8"))
    server = QuietServer(("127.0.0.1", port), functools.partial(stub_handler(snapshot), directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        pages = pick_pages(out)
        results = {}
        for name, path in pages.items():
            url = f"http://127.0.0.1:{port}{path}"
            runs = []
            for n in range(args.runs):
                report = WORK / f"{name}-{args.preset}-{n + 1}.json"
                runs.append(summarize(run_lighthouse(cli, url, report, args.preset)))
            scores = {cat: (statistics.median(s[cat] for s, _ in runs) if all(s[cat] is not None for s, _ in runs) else None)
                      for cat in CATEGORIES}
            lost = sorted({item for _, l in runs for item in l})
            results[name] = {"path": path, "scores": scores, "runs": [s for s, _ in runs], "lost": lost}
            print(f"{name:9} {path}", flush=True)
            print("          " + "  ".join(f"{cat} {scores[cat]}" for cat in CATEGORIES), flush=True)
            for item in lost:
                print(f"          - {item}", flush=True)
    finally:
        server.shutdown()
        server.server_close()

    missed = [f"{name} {cat} {r['scores'][cat]} < {TARGETS[cat]}" for name, r in results.items() for cat in CATEGORIES
              if r["scores"][cat] is None or r["scores"][cat] < TARGETS[cat]]
    print()
    print(f"{'page':9} " + " ".join(f"{c:>15}" for c in CATEGORIES))
    for name, r in results.items():
        print(f"{name:9} " + " ".join(f"{str(r['scores'][c]):>15}" for c in CATEGORIES))
    print("targets met" if not missed else "targets missed: " + "; ".join(missed))
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "RESULTS.json").write_text(json.dumps({
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "lighthouse": LIGHTHOUSE_VERSION,
        "chromium": subprocess.run([CHROME_PATH, "--version"], capture_output=True, text=True).stdout.strip(),
        "preset": args.preset, "api": args.api, "runs": args.runs, "targets": TARGETS, "pages": results,
        "missed": missed}, indent=1) + "\n", encoding="utf-8")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
