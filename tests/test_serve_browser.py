"""The preview server seen from a real browser: Debian's Chromium, driven by Playwright.

Every test opens pages of a running `generator serve`, changes files on disk the way editors
and git do, and waits for the open pages to reload by themselves (never page.reload()) and show
the new state. Each page counts its own loads in sessionStorage, so "it reloaded" is observed,
not assumed. Timeouts only catch hangs; nothing asserts on speed.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time

import pytest

from conftest import article
from servetools import HANG, STOP
from test_serve import (SAVE_STYLES, TARGET, TARGET_TITLE, TARGET_URL, broken_front_matter, burst_changes, checkout,
                        save, small_site, target_article)

WAIT_MS = int(HANG * 1000)

# The `browser` fixture (conftest.py) calls need_chromium(): a skip without Chromium, a failure under CI=true.
pytestmark = [pytest.mark.browser]

CONNECTED = "() => window.LiveReload && LiveReload.connector && LiveReload.connector.protocol > 0"
COUNT_LOADS = """
(() => { try {
  if (window.top !== window) return;  // count the page's own loads, not its iframes'
  const n = +(sessionStorage.getItem('__loads') || 0) + 1;
  sessionStorage.setItem('__loads', String(n));
} catch (e) {} })();
"""


@pytest.fixture
def context(browser):
    ctx = browser.new_context()
    ctx.add_init_script(COUNT_LOADS)
    # nothing leaves the machine (the ticker script would ask a price API)
    ctx.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    ctx.set_default_timeout(WAIT_MS)
    yield ctx
    ctx.close()


class Tab:
    """One open page of the preview, connected to its livereload WebSocket."""

    def __init__(self, context, server, path: str):
        self.server = server
        self.page = context.new_page()
        self.page.goto(server.url(path))
        self.wait_connected()

    def wait_connected(self) -> None:
        self.page.wait_for_function(CONNECTED, timeout=WAIT_MS)
        time.sleep(0.1)  # the 'info' message that registers the tab follows the handshake

    @property
    def loads(self) -> int:
        return int(self.page.evaluate("() => +sessionStorage.getItem('__loads')"))

    def text(self) -> str:
        """What the reader sees: the page's text and its frames' (the sidebar lists are an iframe)."""
        return "\n".join(f.evaluate("() => document.body ? document.body.innerText : ''") for f in self.page.frames)

    def wait_until(self, js: str, arg=None, what: str = "") -> None:
        """Until the page function is true; fails at once when the server says its update failed."""
        from playwright.sync_api import Error as PlaywrightError

        deadline = time.monotonic() + HANG
        last = None
        while True:
            try:
                self.page.wait_for_function(js, arg=arg, timeout=250)
                return
            except PlaywrightError as exc:  # a timeout, or the page navigated away mid-check: look again
                last = exc
            failed = self.server.update_failed
            if failed or time.monotonic() > deadline:
                why = "the server failed to update" if failed else f"nothing after {HANG} s"
                raise AssertionError(f"{self.page.url}: never {what} ({why}); loads={self.loads}, page text starts "
                                     f"{self.text()[:300]!r}\nlast check: {str(last)[:200]}\n"
                                     f"server stderr:\n{self.server.stderr}")

    def wait_reload_showing(self, text: str, after: int, what: str = "") -> None:
        """Until the page has loaded again (more than `after` loads) and shows `text`."""
        self.wait_until("([t, n]) => +sessionStorage.getItem('__loads') > n && "
                        "[document, ...Array.from(document.querySelectorAll('iframe'), f => f.contentDocument)]"
                        ".some(d => d && d.body && d.body.innerText.includes(t))",
                        [text, after], f"reloaded showing {text!r} ({what})")


def open_tabs(context, server, paths) -> dict[str, Tab]:
    return {path: Tab(context, server, path) for path in paths}


# ==================================================================================================
# Changes reach every open page
# ==================================================================================================

def test_edited_article_reaches_every_open_page(serve, site, context):
    small_site(site)
    s = serve(site.root)
    # the article, the listings that show it, an article listing it as related, a page with it in the sidebar
    paths = [TARGET_URL, "/", "/category/bitcoin/", "/tag/etf/", "/tag/mining/", "/2025/02/beta-etf-flows-story/",
             "/category/policy/"]
    tabs = open_tabs(context, s, paths)
    assert all(TARGET_TITLE in t.text() for t in tabs.values())
    before = {p: t.loads for p, t in tabs.items()}
    site.write(TARGET, target_article("Edited Headline BR1", body="Edited body text BR1."))
    tabs[TARGET_URL].wait_reload_showing("Edited body text BR1.", before[TARGET_URL], "the new body")
    for path, tab in tabs.items():
        tab.wait_reload_showing("Edited Headline BR1", before[path], "the new title")
        assert TARGET_TITLE not in tab.text(), f"{path} still shows the old title"
    assert tabs[TARGET_URL].page.locator("h1.article__title").inner_text() == "Edited Headline BR1"


def test_new_article_appears_in_open_listings(serve, site, context):
    small_site(site)
    s = serve(site.root)
    tabs = open_tabs(context, s, ["/", "/category/policy/", "/tag/etf/"])
    before = {p: t.loads for p, t in tabs.items()}
    site.write("content/articles/2025/fresh.md",
               article("Fresh Policy Story BR2", "2025-03-06T08:00:00Z", "Policy", tags=["ETF", "Fresh Tag"],
                       body="Fresh body BR2."))
    for path, tab in tabs.items():
        tab.wait_reload_showing("Fresh Policy Story BR2", before[path], "the new article")
    home = tabs["/"].page
    home.get_by_role("link", name="Fresh Policy Story BR2").first.click()
    home.wait_for_url("**/2025/03/fresh-policy-story-br2/")
    assert "Fresh body BR2." in home.inner_text("body")
    home.goto(s.url("/tag/fresh-tag/"))
    assert "Fresh Policy Story BR2" in home.inner_text("body")


def test_deleted_article_becomes_404_in_the_open_page(serve, site, context):
    small_site(site)
    s = serve(site.root)
    tabs = open_tabs(context, s, [TARGET_URL, "/", "/category/bitcoin/", "/tag/mining/"])
    before = {p: t.loads for p, t in tabs.items()}
    (site.root / TARGET).unlink()
    tabs[TARGET_URL].wait_reload_showing("Page not found", before[TARGET_URL], "the 404 page")
    for path in ("/", "/category/bitcoin/", "/tag/mining/"):
        tab = tabs[path]
        tab.wait_until("([t, n]) => +sessionStorage.getItem('__loads') > n && document.body && "
                       "!document.body.innerText.includes(t)", [TARGET_TITLE, before[path]],
                       "reloaded without the deleted article")
    response = tabs[TARGET_URL].page.goto(s.url(TARGET_URL))
    assert response.status == 404


def test_changed_slug_moves_the_open_page(serve, site, context):
    small_site(site)
    s = serve(site.root)
    tabs = open_tabs(context, s, [TARGET_URL, "/"])
    before = {p: t.loads for p, t in tabs.items()}
    site.write(TARGET, target_article(slug="slug-moved-br3"))
    tabs[TARGET_URL].wait_reload_showing("Page not found", before[TARGET_URL], "the old URL answering 404")
    home = tabs["/"].page
    tabs["/"].wait_until("n => +sessionStorage.getItem('__loads') > n && "
                         "!!document.querySelector('a[href=\"/2025/03/slug-moved-br3/\"]')", before["/"],
                         "reloaded linking to the new URL")
    home.locator('a.card__title, .card__title a').first.click()
    home.wait_for_url("**/2025/03/slug-moved-br3/")
    assert TARGET_TITLE in home.inner_text("h1")


def test_layout_change_applies_to_every_open_page(serve, site, context):
    small_site(site)
    s = serve(site.root)
    tabs = open_tabs(context, s, [TARGET_URL, "/", "/tag/etf/"])
    before = {p: t.loads for p, t in tabs.items()}
    footer = site.root / "layouts/partials/footer.html"
    footer.write_text(footer.read_text().replace('<p class="copyright">', '<p class="copyright">Layout marker BR4 '))
    for path, tab in tabs.items():
        tab.wait_reload_showing("Layout marker BR4", before[path], "the footer change")


def test_css_change_applies(serve, site, context):
    small_site(site)
    s = serve(site.root)
    tab = Tab(context, s, "/")
    probe = "() => { const e = document.querySelector('.brand__name'); return e && getComputedStyle(e).letterSpacing; }"
    assert tab.page.evaluate(probe) != "7px"
    n = tab.loads
    css = site.root / "assets/css/site.css"
    css.write_text(css.read_text() + "\n.brand__name { letter-spacing: 7px !important; }\n")
    tab.wait_until(f"n => +sessionStorage.getItem('__loads') > n && ({probe})() === '7px'", n,
                   "reloaded with the new style applied")


def test_site_toml_change_applies(serve, site, context):
    small_site(site)
    s = serve(site.root)
    tabs = open_tabs(context, s, ["/", TARGET_URL])
    before = {p: t.loads for p, t in tabs.items()}
    toml = site.root / "site.toml"
    toml.write_text(toml.read_text().replace('title = "Test News"', 'title = "Renamed Site BR5"'))
    for path, tab in tabs.items():
        tab.wait_reload_showing("Renamed Site BR5", before[path], "the new site title")
    assert tabs["/"].page.title() == "Renamed Site BR5"


# ==================================================================================================
# Editors' ways of saving, bursts, saves in quick succession
# ==================================================================================================

def test_every_way_of_saving_reaches_the_browser(serve, site, context, tmp_path):
    small_site(site)
    s = serve(site.root)
    tab = Tab(context, s, TARGET_URL)
    for style in SAVE_STYLES:
        n = tab.loads
        save(site.root / TARGET, target_article(body=f"Saved by {style} BR6."), style, tmp_path / "scratch")
        tab.wait_reload_showing(f"Saved by {style} BR6.", n, style)
        tab.wait_connected()


def test_burst_of_200_files_is_one_rebuild_and_one_reload(serve, site, context, tmp_path):
    """With a one-second quiet window (GENERATOR_TEST_QUIET_MS), files 5 ms apart are one burst that only
    a whole second's stall could split: at most two refreshes, and at most one reload a refresh."""
    small_site(site)
    s = serve(site.root, env={"GENERATOR_TEST_QUIET_MS": "1000"})
    tabs = open_tabs(context, s, ["/", "/category/markets/"])
    s.wait_quiet(0.5)
    before = {p: t.loads for p, t in tabs.items()}
    since = s.mark()
    checkout(site.root, burst_changes(), tmp_path / "scratch", gap=0.005)  # like a git checkout: 200 files
    tabs["/category/markets/"].wait_reload_showing("197 articles", before["/category/markets/"], "the burst")
    tabs["/"].wait_reload_showing("Burst Story", before["/"], "the burst")
    s.wait_quiet(1.5)
    refreshes = s.updates(since)
    assert 1 <= refreshes <= 2, "\n".join(s.lines[since:])
    for path, tab in tabs.items():
        assert 1 <= tab.loads - before[path] <= refreshes, (path, tab.loads - before[path], refreshes)


def test_two_saves_in_quick_succession_both_reach_the_browser(serve, site, context):
    """The second save comes right after the first one's reload (livereload itself would drop a reload
    within 3 s of the last): both refresh, and the page shows the second."""
    small_site(site)
    s = serve(site.root)
    tab = Tab(context, s, TARGET_URL)
    n = tab.loads
    since = s.mark()
    site.write(TARGET, target_article(body="First save BR7."))
    tab.wait_reload_showing("First save BR7.", n, "the first save")
    s.wait_updates(1, since)
    tab.wait_connected()
    after_first, m = s.mark(), tab.loads
    site.write(TARGET, target_article(body="Second save BR7."))
    tab.wait_reload_showing("Second save BR7.", m, "the second save")
    assert "Second save BR7." in tab.text() and "First save BR7." not in tab.text()
    assert s.updates(after_first) >= 1, "\n".join(s.lines[since:])


def test_a_save_while_the_page_is_still_loading_reaches_it(serve, site, context):
    """A reload sent while the page is loading reaches no one: the page is not listening yet (two
    saves close together, on a busy machine). The page must catch up once it listens. Here its
    livereload.js is held back until the second save's reload has been sent, so the race is certain."""
    small_site(site)
    s = serve(site.root)
    tab = Tab(context, s, TARGET_URL)
    n = tab.loads
    held: list = []
    released = []

    def hold(route) -> None:  # answered below, once released
        route.continue_() if released else held.append(route)
    tab.page.route("**/livereload.js*", hold)
    since = s.mark()
    site.write(TARGET, target_article(body="First save BR9."))
    tab.wait_until("n => +sessionStorage.getItem('__loads') > n", n, "reloaded for the first save")
    s.wait_updates(1, since)
    deadline = time.monotonic() + HANG
    while not held and time.monotonic() < deadline:  # the reloaded page now waits for its livereload.js
        tab.page.wait_for_timeout(20)
    assert held, "the reloaded page never asked for livereload.js"
    after_first = s.mark()
    site.write(TARGET, target_article(body="Second save BR9."))
    s.wait_updates(1, after_first)  # its reload went out while the page was not listening
    tab.page.wait_for_timeout(300)
    released.append(True)
    for route in held:
        route.continue_()
    tab.wait_reload_showing("Second save BR9.", n + 1, "the second save, sent while it loaded")


def test_image_and_script_saved_together_reach_the_browser(serve, site, context):
    """One burst changes a picture and a script: the page must reload to load the script's new hashed URL."""
    small_site(site)
    toml = site.root / "site.toml"
    toml.write_text(toml.read_text() + '\n[ticker]\ncoins = ["BTC"]\napi_url = "https://api.invalid/p?ids="\n'
                    'refresh = true\n')
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")
    site.write("assets/img/logo-mark.png", png)
    # --poll: one emitter sees both files in one scan (with inotify an 'assets/img' folder event sorts first)
    s = serve(site.root, "--poll")
    tab = Tab(context, s, TARGET_URL)
    script = "() => document.querySelector('script[src*=\"/assets/js/ticker.\"]').getAttribute('src')"
    old = tab.page.evaluate(script)
    n = tab.loads
    site.write("assets/img/logo-mark.png", png + b"\0")  # a new picture ...
    js = site.root / "assets/js/ticker.js"
    js.write_text(js.read_text() + "\n// updated BR8\n")  # ... and a script fix, in one save (a git pull)
    tab.wait_until(f"([old, n]) => +sessionStorage.getItem('__loads') > n && ({script})() !== old", [old, n],
                   "reloaded with the new script")


# ==================================================================================================
# Errors show in the page and heal by themselves
# ==================================================================================================

def _break_front_matter(site):
    site.write(TARGET, broken_front_matter())
    return (r"content/articles/2025/target\.md:\d+: error: front matter is not valid YAML",
            lambda: site.write(TARGET, target_article(body="Healed body BR9.")), "Healed body BR9.")


def _break_template(site):
    layout = site.root / "layouts/article.html"
    good = layout.read_text()
    lines = good.split("\n")
    lines.insert(2, "{% if %}")
    layout.write_text("\n".join(lines))
    return (r"layouts/article\.html:3: error: template syntax error", lambda: layout.write_text(good),
            "The original target body.")


def _remove_layout(site):
    partial = site.root / "layouts/partials/share.html"
    good = partial.read_text()
    partial.unlink()
    return (r"layouts/article\.html:\d+: error: template 'partials/share\.html' not found",
            lambda: partial.write_text(good), "The original target body.")


@pytest.mark.parametrize("breakage", [
    pytest.param(_break_front_matter, id="bad-front-matter"),
    pytest.param(_break_template, id="template-syntax-error"),
    pytest.param(_remove_layout, id="missing-layout"),
])
def test_error_shows_in_the_page_and_the_next_good_save_heals_it(serve, site, context, breakage):
    small_site(site)
    s = serve(site.root)
    tab = Tab(context, s, TARGET_URL)
    n = tab.loads
    since = s.mark()
    pattern, fix, healed = breakage(site)
    tab.wait_until("([re, n]) => +sessionStorage.getItem('__loads') > n && document.body && "
                   "new RegExp(re).test(document.body.innerText)", [pattern, n], f"reloaded showing /{pattern}/")
    assert tab.page.locator("#build-errors").is_visible()
    deadline = time.monotonic() + HANG
    while not re.search(pattern, "\n".join(s.lines[since:])):  # the terminal says the same
        assert time.monotonic() < deadline, f"stderr never showed /{pattern}/:\n{s.stderr}"
        time.sleep(0.05)
    assert s.alive
    tab.wait_connected()  # the error page keeps its livereload connection
    n = tab.loads
    fix()
    tab.wait_reload_showing(healed, n, "the page healed by the next good save")
    assert tab.page.locator("#build-errors").count() == 0
    assert tab.page.locator("h1.article__title").inner_text() == TARGET_TITLE


def test_ctrl_c_with_a_browser_connected_exits_0(serve, site, context):
    small_site(site)
    s = serve(site.root)
    Tab(context, s, TARGET_URL)
    Tab(context, s, "/")
    s.proc.send_signal(signal.SIGINT)
    try:
        assert s.proc.wait(STOP) == 0, s.stderr
    except subprocess.TimeoutExpired:
        pytest.fail(f"the server did not stop within {STOP:.0f} s of SIGINT with browsers connected")
