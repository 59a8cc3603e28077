"""What a reader sees, in real Chromium: phone and desktop widths, light and dark schemes, print.

One tiny inline site carries what breaks layouts on real crypto copy: 66-character hashes and
long URLs in titles, summaries, bodies, tables and captions, a wide table of names and figures,
a long indented code line, and no featured image anywhere (while `default_image` is set).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import MINIMAL_TOML, REPO, Page, Site, article

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
from sitetools import StaticServer, axe, describe_violations, need_axe, offline_context  # noqa: E402

HASH = "0x" + "9f3c2a7be41d" * 5 + "ab12"
URL = "https://explorer.example/tx/" + HASH + "?network=mainnet&format=json&include=logs,traces,receipts"
PHONE, DESKTOP = {"width": 412, "height": 915}, {"width": 1366, "height": 900}
A4 = {"width": 794, "height": 1123}  # an A4 page at 96 dpi

WIDE_TABLE = """
| Fund manager | Chain | Ticker | Assets under management (USD) | Share of market | Contract |
|---|---|---|---|---|---|
| Franklin Templeton | Stellar | BENJI | 123,456,789.00 | 12.5% | `{h}` |
| WisdomTree | Ethereum | WTGXX | 98,765,432.10 | 9.8% | `{h}` |
| Superstate | Ethereum | USTB | 456,789,012.34 | 31.2% | `{h}` |
""".format(h=HASH)

LONG_CODE = """
```python
def settle(batch):
    for transfer in batch:
        if transfer.amount > 0:
            ledger.record(transfer.sender, transfer.receiver, transfer.amount, memo="{h}", source="{u}")
```
""".format(h=HASH, u=URL)

BODY = f"""The sender {HASH} moved funds; the trail is at {URL} for anyone to follow.

**Key takeaways**

- Address `{HASH}` held the funds.
- See <{URL}>, or [the explorer]({URL}).

## The figures

{WIDE_TABLE}

## The code

{LONG_CODE}

<figure markdown="1">
<figcaption>Transaction {HASH}, as the explorer at {URL} shows it.</figcaption>
</figure>
"""

SNAPSHOT = {"as_of": "2025-07-20T06:00:00Z",
            "coins": {"BTC": {"name": "Bitcoin", "price_usd": 91234.12, "change_24h": -1.23, "id": "bitcoin"},
                      "ETH": {"name": "Ethereum", "price_usd": 3087.45, "change_24h": 1.87, "id": "ethereum"}}}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Site:
    """Nine articles in three categories (home pages 1-3 and full category blocks), none with an image."""
    root = tmp_path_factory.mktemp("reader") / "site"
    root.mkdir()
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "assets", root / "assets", ignore=shutil.ignore_patterns("_*"))
    toml = MINIMAL_TOML.replace('description = "A test site."',
                                'description = "A test site."\ndefault_image = "/assets/img/default-card.jpg"')
    toml += ('\n[ticker]\ncoins = ["BTC", "ETH"]\nsnapshot = "content/_data/ticker.json"\n'
             'api_url = "https://prices.example/simple/price?ids="\nrefresh = true\n')
    (root / "site.toml").write_text(toml, encoding="utf-8")
    site = Site(root)
    site.write("content/_data/ticker.json", json.dumps(SNAPSHOT))
    cats = ("Bitcoin", "Policy", "Markets")
    for i in range(9):
        title = f"Wallet {HASH} moves funds" if i == 0 else f"Story number {i} about {cats[i % 3]}"
        site.write(f"content/a{i}.md", article(title, f"2025-07-{10 + i:02d}T09:00:00Z", cats[i % 3],
                                               tags=["Hashes", f"Tag{i % 2}"], body=BODY,
                                               summary=f'"Summary naming {HASH} and {URL} in one go."',
                                               coins="[BTC]"))
    site.write("content/pages/about.md", f"---\ntitle: About\n---\n\nWrite to us about {URL}.\n\n{WIDE_TABLE}\n")
    done = site.build()
    assert done.returncode == 0, done.stderr
    return site


@pytest.fixture(scope="module")
def server(tiny):
    with StaticServer(tiny.out) as srv:
        yield srv


def _article_url(tiny) -> str:
    return next("/" + p.parent.relative_to(tiny.out).as_posix() + "/" for p in sorted(tiny.out.glob("2025/07/*/index.html")))


def _pages(tiny) -> dict[str, str]:
    return {"home": "/", "home-2": "/page/2/", "article": _article_url(tiny), "category": "/category/bitcoin/",
            "tag": "/tag/hashes/", "coin": "/coin/btc/", "page": "/about/", "404": "/404.html"}


def _open(browser, url: str, *, viewport=PHONE, scheme="light", **kwargs):
    ctx = offline_context(browser, viewport=viewport, color_scheme=scheme, **kwargs)
    page = ctx.new_page()
    page.goto(url, wait_until="load")
    return ctx, page


# --- layout: nothing widens a page ----------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_page_scrolls_sideways(tiny, server, browser, viewport):
    wide = []
    runs = [("light", "screen", viewport), ("dark", "screen", viewport)]
    if viewport is DESKTOP:
        runs.append(("light", "print", A4))  # print lays out at the paper's width, not the window's
    for scheme, media, size in runs:
        ctx = offline_context(browser, viewport=size, color_scheme=scheme)
        page = ctx.new_page()
        page.emulate_media(media=media)
        for kind, url in _pages(tiny).items():
            page.goto(server.url(url), wait_until="load")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > size["width"]:
                wide.append(f"{kind} {url} ({scheme}, {media}): {width}px")
        ctx.close()
    assert wide == []


@pytest.mark.browser
def test_the_main_column_stays_beside_the_sidebar_on_desktop(tiny, server, browser):
    ctx, page = _open(browser, server.url("/"), viewport=DESKTOP)
    main, side = (page.locator(sel).bounding_box() for sel in ("main", ".sidebar"))
    assert main["x"] + main["width"] <= side["x"], (main, side)
    ctx.close()


# --- tables and code ----------------------------------------------------------------------------

def test_every_body_table_is_in_a_labelled_focusable_region(tiny):
    for url in (_article_url(tiny), "/about/"):
        text = tiny.page(url).read_text(encoding="utf-8")
        tables = text.count("<table")
        regions = re.findall(r'<div aria-label="([^"]+)" class="table-scroll" role="region" tabindex="0">\s*<table', text)
        assert tables >= 1 and len(regions) == tables, url
        assert regions[0].startswith("Table 1: Fund manager, Chain")


@pytest.mark.browser
def test_wide_tables_scroll_inside_their_region_and_keep_words_whole(tiny, server, browser):
    ctx, page = _open(browser, server.url(_article_url(tiny)))
    region = page.locator(".table-scroll").first
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")  # it is wider than a phone, so it scrolls
    region.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.table-scroll').scrollLeft > 0")
    # a word or figure (no spaces) in a cell lies on one line: never broken mid-letter
    broken = page.evaluate("""() => [...document.querySelectorAll('.prose td, .prose th')].filter(c => {
        const t = c.textContent.trim(); if (!t || /\\s/.test(t)) return false;
        const walk = document.createTreeWalker(c, NodeFilter.SHOW_TEXT), r = document.createRange();
        for (let n = walk.nextNode(); n; n = walk.nextNode()) { r.selectNodeContents(n);
          if (new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1) return true; }
        return false; }).map(c => c.textContent)""")
    assert broken == []
    ctx.close()


@pytest.mark.browser
def test_code_blocks_keep_their_lines_and_scroll(tiny, server, browser):
    ctx, page = _open(browser, server.url(_article_url(tiny)))
    pre = page.locator(".prose pre").first
    assert pre.evaluate("e => getComputedStyle(e).whiteSpace") == "pre"
    assert pre.evaluate("e => e.scrollWidth > e.clientWidth && e.tabIndex === 0")
    # the indented line is one line: its text starts at the indentation, not back at column 0
    lines = pre.evaluate("e => e.innerText.split('\\n')")
    assert any(line.startswith("            ledger.record(") for line in lines)
    ctx.close()


# --- colour schemes -----------------------------------------------------------------------------

@pytest.mark.browser
def test_dark_scheme_changes_the_colours(tiny, server, browser):
    seen = {}
    for scheme in ("light", "dark"):
        ctx, page = _open(browser, server.url(_article_url(tiny)), scheme=scheme)
        seen[scheme] = page.evaluate("""() => ['body', '.prose a', '.highlight', '.article__title', '.site-header']
            .map(s => { const c = getComputedStyle(document.querySelector(s)); return [c.backgroundColor, c.color]; })""")
        ctx.close()
    assert all(light != dark for light, dark in zip(seen["light"], seen["dark"])), seen


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_in_either_scheme(tiny, server, browser, scheme):
    need_axe()
    found = []
    for viewport in (PHONE, DESKTOP):
        ctx = offline_context(browser, viewport=viewport, color_scheme=scheme)
        page = ctx.new_page()
        for kind, url in _pages(tiny).items():
            page.goto(server.url(url), wait_until="load")
            violations = axe(page)
            if violations:
                found.append(f"{kind} {url} {viewport['width']}px:\n{describe_violations(violations)}")
        ctx.close()
    assert found == [], "\n".join(found)


def _luminance(rgb: tuple[float, ...]) -> float:
    c = [v / 255 for v in rgb[:3]]
    c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def _contrast(a, b) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


FOCUS_RING = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const backdrop = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0.5) return c.slice(0, 3); } return [255, 255, 255]; };
  const seen = new Set(), out = [];
  for (const el of document.querySelectorAll('a[href], button, input, summary, [tabindex="0"]')) {
    const where = (el.closest('.ticker, .site-header, main, .sidebar, .site-footer') || document.body).className || 'body';
    if (seen.has(where + el.tagName) || !el.getClientRects().length) continue;
    seen.add(where + el.tagName);
    el.focus();
    const s = getComputedStyle(el);
    out.push([where + ' ' + el.tagName, rgb(s.outlineColor), s.outlineStyle, backdrop(el.parentElement)]);
  }
  return out; }"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_ring_has_3_to_1_contrast_on_every_background(tiny, server, browser, scheme):
    weak = []
    for url in ("/", _article_url(tiny)):
        ctx, page = _open(browser, server.url(url), viewport=DESKTOP, scheme=scheme)
        page.keyboard.press("Tab")  # keyboard modality: focus() now shows :focus-visible
        for where, ring, style, behind in page.evaluate(FOCUS_RING):
            if style == "none" or _contrast(ring, behind) < 3:
                weak.append((url, where, ring, style, behind))
        ctx.close()
    assert weak == []


# --- print --------------------------------------------------------------------------------------

@pytest.mark.browser
def test_an_article_prints_as_an_article(tiny, server, browser):
    url = _article_url(tiny)
    ctx, page = _open(browser, server.url(url))
    page.emulate_media(media="print")
    for chrome in (".ticker", ".site-header", ".breadcrumb", ".share", ".sidebar", ".site-footer"):
        assert not page.locator(chrome).first.is_visible(), chrome
    for part in (".article__title", ".article__meta", ".standfirst", ".prose", ".article__url"):
        assert page.locator(part).first.is_visible(), part
    assert page.inner_text(".article__url") == "https://test.example" + url
    after = page.evaluate("""() => [...document.querySelectorAll('.prose a[href^="http"]')].map(
        a => [a.textContent, getComputedStyle(a, '::after').content])""")
    named = [content for text, content in after if text == "the explorer"]
    bare = [content for text, content in after if text == URL]
    assert named and URL in named[0], after  # the target is printed after a named link...
    assert bare and bare[0] == "none", after  # ...not after one that already spells it out
    ctx.close()


# --- home page ----------------------------------------------------------------------------------

def test_home_shows_no_story_twice_and_its_sidebar_does_not_repeat_the_list(tiny):
    home = Page.parse(tiny.text("/"))
    main = [h for h in home.links_within("card__title")]
    assert len(main) == len(set(main)) and len(main) >= 4, main
    assert home.find_all("section", cls="cat-block"), "the blocks are shown, with other stories"
    side = set(home.links_within("sidebar", "mini__title"))
    assert not side & set(main), "the sidebar repeats a story of the main column"


def test_a_site_without_images_shows_no_placeholder(tiny):
    for url in ("/", "/category/bitcoin/", "/tag/hashes/", _article_url(tiny)):
        page = Page.parse(tiny.text(url))
        assert [a for _, a, _ in page.find_all("img") if "brand__logo" not in a.get("class", "")] == [], url
        assert page.find_all(cls="card__media") == [], url
        cards = page.find_all("article", cls="card")
        assert cards and all("card--text" in a["class"] for _, a, _ in cards), url
    lead = Page.parse(tiny.text("/")).find_all("article", cls="card--lead")
    assert lead and "card--text" in lead[0][1]["class"]


def test_page_two_has_a_breadcrumb_and_the_coin_page_names_the_coin(tiny):
    two = Page.parse(tiny.text("/page/2/"))
    assert two.links_within("breadcrumb") == ["/", "/page/2/"]
    cat2 = Page.parse(tiny.text("/category/bitcoin/page/2/")) if tiny.page("/category/bitcoin/page/2/").exists() else None
    if cat2:
        assert cat2.links_within("breadcrumb")[-1] == "/category/bitcoin/page/2/"
    coin = Page.parse(tiny.text("/coin/btc/"))
    assert coin.find_all("h1")[0][2].startswith("Bitcoin (BTC)")
    assert coin.title.startswith("Coin: Bitcoin (BTC)")
    assert [a["datetime"] for _, a, _ in coin.find_all("time") if a.get("datetime", "").startswith("2025-07-20T06:00")]


# --- menus and ticker ---------------------------------------------------------------------------

@pytest.mark.browser
def test_dropdown_closes_on_escape_and_outside_click_and_returns_focus(tiny, server, browser):
    ctx, page = _open(browser, server.url(_article_url(tiny)), viewport=DESKTOP)
    news = page.locator("details.submenu > summary")
    is_open = "() => document.querySelector('details.submenu').open"
    news.click()
    assert page.evaluate(is_open)
    page.keyboard.press("Tab")  # into the dropdown
    page.keyboard.press("Escape")
    assert not page.evaluate(is_open)
    assert page.evaluate("() => document.activeElement === document.querySelector('details.submenu > summary')")
    news.click()
    assert page.evaluate(is_open)
    page.locator(".article__title").click()
    assert not page.evaluate(is_open)
    ctx.close()
    ctx, page = _open(browser, server.url("/"))  # the phone menu, too
    page.locator(".menu__toggle").click()
    assert page.evaluate("() => document.querySelector('details.menu').open")
    page.keyboard.press("Escape")
    assert not page.evaluate("() => document.querySelector('details.menu').open")
    ctx.close()


def _prices(answer: dict):
    """A route handler answering for the site's data/ticker.json with `answer`."""
    body = json.dumps(answer)
    return lambda route: route.fulfill(status=200, content_type="application/json", body=body)


@pytest.mark.browser
def test_ticker_moves_its_time_only_when_every_coin_refreshed(tiny, server, browser):
    """A file that lacks a coin updates the coins it has but keeps the older time (and says how old);
    a complete one moves the time to its own."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    stamp = now.isoformat().replace("+00:00", "Z")
    for answer, complete in (({"as_of": stamp, "coins": {"BTC": {"price_usd": 1.5, "change_24h": 2.0}}}, False),
                             ({"as_of": stamp, "coins": {"BTC": {"price_usd": 1.5, "change_24h": 2.0},
                                                         "ETH": {"price_usd": 2.5}}}, True)):
        ctx = offline_context(browser, viewport=PHONE)
        ctx.route("**/data/ticker.json", _prices(answer))
        page = ctx.new_page()
        page.goto(server.url("/"), wait_until="load")
        page.wait_for_function("() => document.querySelector('.ticker [data-price]').textContent === '$1.50'")
        page.wait_for_function("() => document.querySelector('[data-age]') !== null")
        when = page.get_attribute("[data-asof]", "datetime")
        age = page.inner_text("[data-age]")
        if complete:
            assert when == now.isoformat().replace("+00:00", ".000Z") and age == "", (when, age)
        else:
            assert when == "2025-07-20T06:00:00+00:00" and age.endswith("days ago)"), (when, age)
        ctx.close()


@pytest.mark.browser
def test_phone_ticker_shows_whole_coins_and_that_it_scrolls(tiny, server, browser):
    ctx, page = _open(browser, server.url("/"))
    page.evaluate("""() => { const list = document.querySelector('.ticker__list');  // a full strip of ten coins
        for (let i = 0; i < 4; i++) list.append(...[...list.children].map(li => li.cloneNode(true))); }""")
    state = page.evaluate("""() => { const list = document.querySelector('.ticker__list'), box = list.getBoundingClientRect();
        const cut = [...list.children].filter(li => { const r = li.getBoundingClientRect();
            return r.right > box.left + 1 && r.left < box.right - 1 && (r.left < box.left - 1 || r.right > box.right + 1); });
        return [list.scrollWidth > list.clientWidth, getComputedStyle(list).scrollSnapType, cut.length,
                getComputedStyle(document.querySelector('.ticker__inner'), '::after').content]; }""")
    scrolls, snap, cut, hint = state
    assert scrolls and snap.startswith("x") and cut == 0 and "›" in hint, state
    ctx.close()


def test_home_trending_is_filled_from_further_down_the_ranking(site):
    """Trending (here: the newest, no page views) leaves out the home page's own stories, and the
    next ones in the ranking take their places: the home sidebar still shows `count` stories."""
    site.write("site.toml", MINIMAL_TOML.replace("per_page = 3", "per_page = 3\nhome_category_blocks = 1"))
    for i in range(12):
        site.write(f"content/s{i:02d}.md", article(f"Story {i:02d}", f"2025-07-{i + 1:02d}T09:00:00Z", "Bitcoin"))
    site.build(check=True)
    home = Page.parse(site.text("/"))
    main = home.links_within("card__title")
    trending = home.links_within("widget--trending", "mini__title")
    assert len(main) == 7 and len(trending) == 3 and not set(trending) & set(main), (main, trending)
    assert trending == [f"/2025/07/story-{i:02d}/" for i in (4, 3, 2)]  # the next newest, in order
    elsewhere = Page.parse(site.text("/404.html")).links_within("widget--trending", "mini__title")
    assert elsewhere == [f"/2025/07/story-{i:02d}/" for i in (11, 10, 9)]  # the site-wide list is unchanged
