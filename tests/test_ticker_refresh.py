"""The ticker's live refresh: `generator ticker` against a real HTTP upstream on 127.0.0.1, the
build's data/ticker.json, and the strip in a real Chromium with no network beyond 127.0.0.1.

- good answers update the snapshot and the built site's data/ticker.json (no page rebuilt);
  malformed, bad-figure, slow, trickling, 500 and refused answers leave both byte for byte and
  exit 1 with one line;
- the next build keeps the file the command wrote (same inode: not foreign, not stale), rewrites
  only the pages (they show the new figures), and the one after writes nothing;
- the strip re-reads the same-origin file (under a base_url path too), never asks a third party by
  default, logs no console error, never blanks a figure when the refresh fails, and says how old
  stale figures are, from the data's own time.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import MINIMAL_TOML, Page, article
from sitetools import StaticServer, copy_example, offline_context, run_cli, tree_hashes

SNAPSHOT = {"as_of": "2024-01-05T00:00:00Z",
            "coins": {"BTC": {"name": "Bitcoin", "price_usd": 42000.5, "change_24h": -1.25, "id": "bitcoin"},
                      "ETH": {"name": "Ethereum", "price_usd": 2250.0, "change_24h": 0.5, "id": "ethereum"},
                      "SOL": {"name": "Solana", "price_usd": 98.76, "change_24h": 3.0, "id": "solana"}}}
GOOD = {"bitcoin": {"usd": 50123.45, "usd_24h_change": 2.5}, "ethereum": {"usd": 3001.25, "usd_24h_change": -0.75},
        "solana": {"usd": 150.5, "usd_24h_change": 0}}


def _with(coin: str, usd) -> dict:
    return {**GOOD, coin: {"usd": usd, "usd_24h_change": 1.0}}


# What the upstream answers, by the first part of the path: (status, body, seconds to wait first)
ANSWERS: dict[str, tuple[int, bytes, float]] = {
    "good": (200, json.dumps(GOOD).encode(), 0),
    "malformed": (200, b'{"bitcoin": {"usd": 1', 0),
    "html": (200, b"<html><body>rate limited</body></html>", 0),
    "list": (200, b"[1, 2, 3]", 0),
    "string-price": (200, json.dumps(_with("bitcoin", "50123.45")).encode(), 0),
    "nan-price": (200, json.dumps(_with("ethereum", float("nan"))).encode(), 0),  # json.dumps writes NaN
    "negative-price": (200, json.dumps(_with("solana", -3.5)).encode(), 0),
    "huge-price": (200, json.dumps(GOOD).replace("50123.45", "1" + "0" * 400).encode(), 0),
    "missing-coin": (200, json.dumps({k: v for k, v in GOOD.items() if k != "solana"}).encode(), 0),
    "http-500": (500, b"internal error", 0),
    "slow": (200, json.dumps(GOOD).encode(), 8),
}


class Upstream(BaseHTTPRequestHandler):
    """A price API on 127.0.0.1: /MODE/simple/price?...&ids=a,b answers as ANSWERS says;
    /trickle/ sends its headers, then a byte every 0.3 s."""

    seen: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        Upstream.seen.append(self.path)
        mode = self.path.split("/")[1]
        if mode == "trickle":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.3)
            return
        status, body, wait = ANSWERS[mode]
        time.sleep(wait)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def ticker_toml(api_url: str, extra: str = "") -> str:
    return MINIMAL_TOML + f'''
[ticker]
coins = ["BTC", "ETH", "SOL"]
snapshot = "content/_data/ticker.json"
api_url = "{api_url}/simple/price?vs_currencies=usd&include_24hr_change=true&ids="
refresh = true
timeout = 2
{extra}'''


def make_site(site, api_url: str, extra: str = "", snapshot: dict | None = None):
    site.write("site.toml", ticker_toml(api_url, extra))
    site.write("content/_data/ticker.json", json.dumps(snapshot or SNAPSHOT, indent=2))
    site.write("content/a.md", article("Bitcoin rallies", "2024-01-02", "Bitcoin", ["Markets"], coins="[BTC]"))
    site.write("content/b.md", article("Policy news", "2024-01-03", "Policy", ["Rules"]))
    return site


def ticker(site, *args: str, timeout: float = 60):
    return run_cli("ticker", "--source", str(site.root), *args, timeout=timeout)


def files(site) -> dict[str, tuple[bytes, int]]:
    """The two files the command owns: bytes and inode (a rename makes a new one)."""
    out = {}
    for path in (site.root / "content/_data/ticker.json", site.out / "data/ticker.json"):
        out[str(path)] = (path.read_bytes(), path.stat().st_ino) if path.exists() else (b"", 0)
    return out


def no_temporaries(*folders: Path) -> list[str]:
    return [str(p) for folder in folders for p in folder.rglob(".tmp-*")]


# --- the command -----------------------------------------------------------------------------------

def test_refresh_writes_the_snapshot_and_the_public_file_and_no_page(site, upstream):
    make_site(site, upstream + "/good")
    site.build(check=True)
    pages_before = tree_hashes(site.out)
    inodes = {path: inode for path, (_, inode) in files(site).items()}
    done = ticker(site)
    assert done.returncode == 0, done.stderr
    # each file was renamed into place (a new inode), never rewritten where a reader could see half of it
    assert all(inode != inodes[path] for path, (_, inode) in files(site).items())
    assert "written to" in done.stderr and "no page rebuilt" in done.stderr
    snap = json.loads((site.root / "content/_data/ticker.json").read_text())
    assert {s: (r["price_usd"], r.get("change_24h"), r["id"]) for s, r in snap["coins"].items()} == {
        "BTC": (50123.45, 2.5, "bitcoin"), "ETH": (3001.25, -0.75, "ethereum"), "SOL": (150.5, 0, "solana")}
    taken = datetime.fromisoformat(snap["as_of"].replace("Z", "+00:00"))
    assert abs((datetime.now(timezone.utc) - taken).total_seconds()) < 600
    public = json.loads((site.out / "data/ticker.json").read_text())
    assert public == {"as_of": snap["as_of"], "coins": {"BTC": {"price_usd": 50123.45, "change_24h": 2.5},
                                                         "ETH": {"price_usd": 3001.25, "change_24h": -0.75},
                                                         "SOL": {"price_usd": 150.5, "change_24h": 0}}}
    after = tree_hashes(site.out)
    assert {k for k in after if after[k] != pages_before.get(k)} == {"data/ticker.json"}  # no page touched
    assert no_temporaries(site.root / "content", site.out) == []
    assert any("ids=bitcoin,ethereum,solana" in p for p in Upstream.seen)


@pytest.mark.parametrize("mode, reason", [
    ("malformed", "not valid JSON"), ("html", "not valid JSON"), ("list", "JSON list"),
    ("string-price", "BTC usd '50123.45'"), ("nan-price", "ETH usd nan"), ("negative-price", "SOL usd -3.5"),
    ("huge-price", "BTC usd inf"), ("missing-coin", "SOL (id 'solana') is missing"),
    ("http-500", "HTTP 500"), ("slow", "within 2 s"), ("trickle", "within 2 s"), ("refused", "cannot reach it"),
])
def test_any_failure_keeps_both_files_and_says_why_in_one_line(site, upstream, mode, reason):
    api = "http://127.0.0.1:9" if mode == "refused" else f"{upstream}/{mode}"  # port 9 (discard): nothing listens
    make_site(site, api)
    site.build(check=True)
    before, tree = files(site), tree_hashes(site.out)
    started = time.monotonic()
    done = ticker(site)
    took = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("content/_data/ticker.json: error: prices not refreshed") or \
        "/content/_data/ticker.json: error: prices not refreshed" in lines[0], lines[0]
    assert reason in lines[0], lines[0]
    assert files(site) == before  # same bytes, same inodes: nothing was even rewritten
    assert tree_hashes(site.out) == tree
    assert no_temporaries(site.root / "content", site.out) == []
    if mode in ("slow", "trickle"):
        assert took < 30, took  # the time limit is for the whole answer (a trickle would take 12 s)


def test_a_missing_24h_change_is_left_out_with_a_note(site, upstream):
    ANSWERS["no-change"] = (200, json.dumps({**GOOD, "solana": {"usd": 151.0, "usd_24h_change": None}}).encode(), 0)
    make_site(site, upstream + "/no-change")
    done = ticker(site)
    assert done.returncode == 0, done.stderr
    assert "note: SOL: 24-hour change None left out" in done.stderr
    snap = json.loads((site.root / "content/_data/ticker.json").read_text())
    assert snap["coins"]["SOL"] == {"name": "Solana", "price_usd": 151.0, "id": "solana"}


def test_quiet_verbose_help_and_usage_errors(site, upstream):
    make_site(site, upstream + "/good")
    helped = run_cli("ticker", "--help")
    assert helped.returncode == 0 and "--timeout" in helped.stdout and "--lock-wait" in helped.stdout
    quiet = ticker(site, "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""
    loud = ticker(site, "-v")
    assert loud.returncode == 0 and f"asked {upstream}/good/simple/price?" in loud.stderr
    site.write("site.toml", ticker_toml(upstream + "/good").replace("api_url =", "# api_url ="))
    assert ticker(site).returncode == 2
    site.write("site.toml", ticker_toml(upstream + "/good", "browser_api = true").replace("api_url =", "# api_url ="))
    done = ticker(site)
    assert done.returncode == 2 and "browser_api = true needs ticker.api_url" in done.stderr
    assert ticker(site, "--timeout", "0").returncode == 2


def test_waits_for_a_running_build_and_gives_up_without_writing(site, upstream):
    from generator.lock import BuildLock

    make_site(site, upstream + "/good")
    site.build(check=True)
    before = files(site)
    with BuildLock(site.root, 0, quiet=True):  # a build holding the site
        done = ticker(site, "--lock-wait", "0")
    assert done.returncode == 2 and "build.lock" in done.stderr, done.stderr
    assert files(site) == before


def test_no_build_yet_makes_an_output_folder_the_build_accepts(site, upstream):
    make_site(site, upstream + "/good")
    done = ticker(site)
    assert done.returncode == 0, done.stderr
    assert sorted(p.relative_to(site.out).as_posix() for p in site.out.rglob("*") if p.is_file()) == \
        [".generator-output", "data/ticker.json"]
    built = site.build()
    assert built.returncode == 0, built.stderr  # not refused as someone else's folder
    assert json.loads((site.out / "data/ticker.json").read_text())["coins"]["BTC"]["price_usd"] == 50123.45


def test_a_folder_the_generator_did_not_make_is_refused(site, upstream):
    make_site(site, upstream + "/good")
    site.write("public/index.html", "someone else's site")
    before = (site.root / "content/_data/ticker.json").read_bytes()
    done = ticker(site)
    assert done.returncode == 2 and "not made by this generator" in done.stderr
    assert (site.root / "content/_data/ticker.json").read_bytes() == before
    assert not (site.out / "data").exists()


@pytest.mark.parametrize("layout", ["folder", "symlink"])
def test_the_next_build_keeps_the_file_and_rewrites_only_pages(site, upstream, layout, tmp_path):
    make_site(site, upstream + "/good")
    if layout == "symlink":  # public -> a folder elsewhere, a usual deploy layout
        (tmp_path / "www").mkdir()
        site.out.symlink_to(tmp_path / "www")
    site.build(check=True)
    assert "$42,000.50" in site.page("/").read_text()
    done = ticker(site)
    assert done.returncode == 0, done.stderr
    if layout == "symlink":
        assert site.out.is_symlink() and (tmp_path / "www/data/ticker.json").is_file()
    written = site.out / "data/ticker.json"
    inode, data = written.stat().st_ino, written.read_bytes()
    before = tree_hashes(site.out)
    again = site.build("-v")
    assert again.returncode == 0, again.stderr
    assert written.stat().st_ino == inode and written.read_bytes() == data  # kept as the build's own file
    after = tree_hashes(site.out)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed and all(k.endswith(".html") for k in changed), changed  # the pages show the new figures
    assert set(after) == set(before)
    assert "$50,123.45" in site.page("/").read_text()
    m = re.search(r"(\d+) written", again.stderr)
    assert m and int(m.group(1)) == len(changed), again.stderr
    third = site.build()
    assert re.search(r"\b0 written", third.stderr), third.stderr
    assert site.out.is_symlink() == (layout == "symlink")


def test_refresh_off_writes_no_file_and_the_page_asks_for_none(site, upstream):
    make_site(site, upstream + "/good")
    site.write("site.toml", ticker_toml(upstream + "/good").replace("refresh = true", "refresh = false"))
    site.build(check=True)
    assert not (site.out / "data/ticker.json").exists()
    html = site.page("/").read_text()
    assert "data-src" not in html and "ticker.js" not in html and "$42,000.50" in html
    done = ticker(site)
    assert done.returncode == 0 and "does not publish data/ticker.json" in done.stderr
    assert not (site.out / "data/ticker.json").exists()


def test_a_page_at_the_files_url_is_refused(site, upstream):
    make_site(site, upstream + "/good")
    site.write("content/pages/x.md", "---\ntitle: X\nurl: /data/ticker.json/\n---\n\nText.\n")
    done = site.build()
    assert "reserved for the ticker's price file" in done.stderr, done.stderr
    assert json.loads((site.out / "data/ticker.json").read_text())["coins"]["BTC"]["price_usd"] == 42000.5


# --- the strip in a browser ------------------------------------------------------------------------

def _rows(page) -> dict[str, tuple[str, str]]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.ticker [data-symbol]')].map(li =>
        [li.dataset.symbol, [li.querySelector('[data-price]').textContent.trim(),
                             li.querySelector('[data-change]').textContent.replace(/\\s+/g, ' ').trim()]]))""")


class Watch:
    """A page's console messages, script errors and requests, with the file's answer once it came."""

    def __init__(self, context, url: str):
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        with self.page.expect_response(lambda r: r.url.endswith("/data/ticker.json")) as self.answer:
            self.page.goto(url, wait_until="load")
        self.page.wait_for_function("() => document.querySelector('[data-age]') !== null")
        self.page.wait_for_timeout(300)  # the script's promise chain settles (not a timing assertion)

    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind in ("error", "warning")]


@pytest.fixture
def served(site, upstream, tmp_path):
    """The tiny site built for http://127.0.0.1:PORT/news/ (a base_url with a path), served from a
    folder in which news/ is the output."""
    make_site(site, upstream + "/good")
    www = tmp_path / "www"
    www.mkdir()
    (www / "news").symlink_to(site.out)
    with StaticServer(www) as server:
        built = site.build("--base-url", server.url("/news/"))
        assert built.returncode == 0, built.stderr
        yield site, server


def _write_public(site, as_of: datetime, btc: float) -> None:
    """What a `generator ticker` run at `as_of` leaves (the file's form is the build's public_json)."""
    stamp = as_of.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    coins = {"BTC": {"price_usd": btc, "change_24h": 4.5}, "ETH": {"price_usd": 3001.25, "change_24h": -0.75},
             "SOL": {"price_usd": 150.5, "change_24h": 0}}
    path = site.out / "data/ticker.json"
    tmp = path.with_name(".tmp-test")
    tmp.write_text(json.dumps({"as_of": stamp, "coins": coins}))
    os.replace(tmp, path)


@pytest.mark.browser
def test_the_strip_shows_the_refreshed_figures_from_the_site_itself(served, browser):
    site, server = served
    section = Page.parse(site.page("/").read_text()).find_all("section", cls="ticker")[0][1]
    assert section["data-src"] == "/news/data/ticker.json" and "data-api" not in section
    done = ticker(site)  # the upstream's figures, taken now
    assert done.returncode == 0, done.stderr
    ctx = offline_context(browser)
    try:
        w = Watch(ctx, server.url("/news/"))
        assert w.answer.value.status == 200
        w.page.wait_for_function("() => document.querySelector('[data-symbol=BTC] [data-price]').textContent === '$50,123.45'")
        assert _rows(w.page) == {"BTC": ["$50,123.45", "▲ +2.50%"], "ETH": ["$3,001.25", "▼ -0.75%"],
                                 "SOL": ["$150.50", "■ 0.00%"]}
        assert w.page.inner_text("[data-age]") == ""  # fresh figures need no age
        assert w.page.get_attribute("[data-asof]", "datetime") == json.loads(
            (site.out / "data/ticker.json").read_text())["as_of"].replace("Z", ".000Z")
        assert w.errors == [] and w.console_errors() == [] and w.failed == []
        assert all(u.startswith(server.origin + "/news/") for u in w.requests), w.requests  # nothing third-party
    finally:
        ctx.close()


@pytest.mark.browser
def test_stale_figures_show_their_age_from_the_datas_time(served, browser):
    site, server = served
    taken = datetime.now(timezone.utc) - timedelta(hours=3)
    _write_public(site, taken, 47000.25)
    ctx = offline_context(browser)
    try:
        w = Watch(ctx, server.url("/news/"))
        w.page.wait_for_function("() => document.querySelector('[data-age]').textContent !== ''")
        assert _rows(w.page)["BTC"] == ["$47,000.25", "▲ +4.50%"]
        asof = w.page.inner_text(".ticker__asof")
        assert w.page.inner_text("[data-age]") == " (3 h ago)", asof
        stamp = taken.astimezone(timezone.utc).strftime("%H:%M")
        assert re.fullmatch(rf"Prices as of \w{{3}} \d+, \d{{4}}, {stamp} UTC \(3 h ago\)", asof), asof
        assert w.errors == [] and w.console_errors() == []
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.parametrize("failure", ["http-500", "bad-json", "blocked", "older"])
def test_a_failed_refresh_keeps_the_figures_logs_nothing_and_shows_the_age(served, browser, failure):
    site, server = served
    if failure == "older":  # a file older than the page's own snapshot (a stale cache) never wins
        _write_public(site, datetime(2023, 6, 1, tzinfo=timezone.utc), 1.0)
    static = Page.parse(site.page("/").read_text())
    ctx = offline_context(browser)
    try:
        if failure == "http-500":
            ctx.route("**/data/ticker.json", lambda r: r.fulfill(status=500, body="down"))
        elif failure == "bad-json":
            ctx.route("**/data/ticker.json", lambda r: r.fulfill(status=200, content_type="application/json",
                                                                 body='{"as_of": "2030-01-01T00:00:00Z", "coins": {'))
        elif failure == "blocked":
            ctx.route("**/data/ticker.json", lambda r: r.abort())
        page = ctx.new_page()
        console: list[tuple[str, str]] = []
        errors: list[str] = []
        page.on("console", lambda m: console.append((m.type, m.text)))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.url("/news/"), wait_until="load")
        page.wait_for_function("() => document.querySelector('[data-age]').textContent !== ''")
        page.wait_for_timeout(300)
        assert _rows(page) == {li[1]["data-symbol"]: _static_row(static, li[1]["data-symbol"])
                               for li in static.find_all("li", cls="ticker__coin")}
        assert page.get_attribute("[data-asof]", "datetime") == "2024-01-05T00:00:00+00:00"
        assert re.fullmatch(r" \(\d+ days ago\)", page.inner_text("[data-age]"))
        assert errors == []
        # a 500 or an aborted request is logged by Chromium itself ("Failed to load resource"): the
        # network's noise, not the script's; nothing else may appear
        ours = [t for k, t in console if k in ("error", "warning") and not t.startswith("Failed to load resource")]
        assert ours == [], console
        if failure in ("bad-json", "older"):
            assert console == []
    finally:
        ctx.close()


def _static_row(static: Page, symbol: str) -> list[str]:
    texts = {}
    inside = False
    for tag, attrs, text in static.find_all():
        if tag == "li" and attrs.get("data-symbol") == symbol:
            inside = True
        elif tag == "li":
            inside = False
        elif inside and "data-price" in attrs:
            texts["price"] = text
        elif inside and "data-change" in attrs:
            texts["change"] = text
    return [texts["price"], texts["change"]]


@pytest.mark.browser
def test_browser_api_is_possible_by_configuration(site, upstream, browser):
    make_site(site, upstream + "/good", "browser_api = true")
    site.write("site.toml", site.root.joinpath("site.toml").read_text().replace(
        upstream + "/good", "https://prices.example/api/v3"))
    site.build(check=True)
    assert not (site.out / "data/ticker.json").exists()
    section = Page.parse(site.page("/").read_text()).find_all("section", cls="ticker")[0][1]
    assert section["data-api"].startswith("https://prices.example/api/v3/simple/price?") and "data-src" not in section
    seen: list[str] = []

    def answer(route):
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(GOOD),
                      headers={"Access-Control-Allow-Origin": "*"})

    with StaticServer(site.out) as server:
        ctx = offline_context(browser)
        try:
            ctx.route(re.compile(r"^https://prices\.example/"), answer)
            page = ctx.new_page()
            page.goto(server.url("/"), wait_until="load")
            page.wait_for_function("() => document.querySelector('[data-symbol=BTC] [data-price]').textContent === '$50,123.45'")
            assert len(seen) == 1 and seen[0].endswith("ids=bitcoin,ethereum,solana"), seen
        finally:
            ctx.close()


# --- the example site: what Lighthouse's best-practices audits look at ----------------------------

@pytest.mark.browser
def test_example_site_offline_no_console_error_no_third_party_no_deprecation(tmp_path, browser):
    """The example site as built from this repository, in Chromium with every request off 127.0.0.1
    aborted: no console message of level error or warning, no failed request, no request off the
    site's origin, and no issue Chromium's Audits domain reports (deprecations among them)."""
    root = copy_example(tmp_path / "example")
    with _served_example(root) as server:
        ctx = offline_context(browser)
        try:
            for path in ("/", _first_article(root / "public")):
                page = ctx.new_page()
                cdp = ctx.new_cdp_session(page)
                issues: list[dict] = []
                cdp.on("Audits.issueAdded", lambda e: issues.append(e["issue"]))
                cdp.send("Audits.enable")
                console: list[tuple[str, str]] = []
                requests: list[str] = []
                failed: list[str] = []
                page.on("console", lambda m: console.append((m.type, m.text)))
                page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
                page.on("request", lambda r: requests.append(r.url))
                page.on("requestfailed", lambda r: failed.append(r.url))
                answers: dict[str, int] = {}
                page.on("response", lambda r: answers.__setitem__(r.url, r.status))
                page.goto(server.url(path), wait_until="networkidle")
                assert [c for c in console if c[0] in ("error", "warning", "pageerror")] == [], (path, console)
                assert failed == [], (path, failed)
                assert [u for u in requests if not u.startswith(server.origin)] == [], (path, requests)
                assert [i["code"] for i in issues] == [], (path, issues)
                assert answers.get(server.url("/data/ticker.json")) == 200, answers  # the strip did re-read it
                page.close()
        finally:
            ctx.close()


class _served_example:
    """Build the example for the address it is served from (as a deployment sets base_url), then serve it."""

    def __init__(self, root: Path):
        self.root = root
        self.server = StaticServer(root / "public")

    def __enter__(self) -> StaticServer:
        (self.root / "public").mkdir()
        self.server.__enter__()
        built = run_cli("build", "--source", str(self.root), "--base-url", self.server.url("/"), "--no-search", "-q")
        assert built.returncode == 0, built.stderr
        return self.server

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)


def _first_article(out: Path) -> str:
    home = Page.parse((out / "index.html").read_text())
    return next(h for h in home.links_within("lead-story") if re.fullmatch(r"/\d{4}/\d{2}/[^/]+/", h))
