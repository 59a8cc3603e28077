"""Quality gates on the example site's output, built once per module (a copy, search on).

- the Nu Html Checker (npm vnu-jar, run with the system's Java): no errors on any page;
- axe-core (npm axe-core) in Debian's Chromium: no violations on the home, article, category, tag,
  coin, search and 404 pages;
- feeds and sitemaps valid (feedparser, XML, the JSON Feed 1.1 rules), the Google News sitemap
  holding exactly the articles of the two days before the build;
- search: a Pagefind index that answers on a static host (python -m http.server), from the search
  page and the header box, over article content only; --no-search builds none;
- the price ticker: figures in the static HTML, kept when the site's data/ticker.json is blocked
  or fails, refreshed when it answers (tests/test_ticker_refresh.py has the rest);
- small pages: nothing third-party loaded, little CSS, a light home page.

The external tools come from tests/tools/install.sh. Without them (or without java/chromium) the
tests that need them are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))

from htmldoc import Doc  # noqa: E402
from sitetools import (VNU_JAR, StaticServer, axe, copy_example, describe_violations, html_pages,  # noqa: E402
                       need_axe, need_vnu, offline_context, run_cli)

import feedparser  # noqa: E402

BASE = "https://blockline.example/"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
KB = 1024


@dataclass
class Example:
    root: Path
    out: Path
    returncode: int
    stderr: str
    built_after: datetime  # the build's clock is between these two
    built_before: datetime
    config: dict
    pages: dict[str, Path]

    def doc(self, url: str) -> Doc:
        return Doc.load(self.pages[url])


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Example:
    root = copy_example(tmp_path_factory.mktemp("quality") / "site")
    before = datetime.now(timezone.utc).replace(microsecond=0)
    done = run_cli("build", "--source", str(root))
    after = datetime.now(timezone.utc)
    config = tomllib.loads((root / "site.toml").read_text(encoding="utf-8"))
    out = root / "public"
    return Example(root, out, done.returncode, done.stderr, before, after, config, html_pages(out) if out.is_dir() else {})


@pytest.fixture(scope="module")
def articles(example) -> dict[str, Doc]:
    """Article pages by URL."""
    return {url: doc for url, doc in ((u, example.doc(u)) for u in example.pages if re.fullmatch(r"/\d{4}/\d{2}/[^/]+/", u))
            if doc.find("body", cls="kind-article")}


@pytest.fixture(scope="module")
def kinds(example, articles) -> dict[str, str]:
    """One page of each kind the gates look at: the home page's lead story, its category, tag and coin."""
    home = example.doc("/")
    lead = next(a["href"] for a in home.find("a", within="lead-story") if a["href"] in articles)
    art = articles[lead]
    category = next(a["href"] for a in art.find("a", within="article__meta") if a["href"].startswith("/category/"))
    tag = next((a["href"] for a in art.find("a", within="taglist") if a["href"].startswith("/tag/")), None) \
        or next(a["href"] for a in example.doc("/tag/").find("a", within="terms"))
    coin = next((a["href"] for a in art.find("a", within="taglist--coins")), None) \
        or next(a["href"] for a in example.doc("/coin/").find("a", within="terms"))
    author = next(a["href"] for a in art.find("a", within="article__meta") if a["href"].startswith("/author/"))
    footnotes = next(url for url in sorted(articles) if 'class="footnote-backref"' in example.pages[url].read_text())
    return {"home": "/", "article": lead, "footnotes": footnotes, "category": category, "tag": tag, "coin": coin,
            "author": author,
            "year": lead[:6], "month": lead[:9],
            "search": "/search/", "404": "/404.html",
            # the sidebar's Trending and Latest lists, when they are a page of their own shown in an iframe
            "sidebar-lists": "/widgets/lists/" if "/widgets/lists/" in example.pages else ""}


@pytest.fixture(scope="module")
def server(example):
    assert example.out.is_dir(), example.stderr
    with StaticServer(example.out) as srv:
        yield srv


@pytest.fixture
def context(browser):
    ctx = offline_context(browser)
    yield ctx
    ctx.close()


def open_page(context, url: str, errors: list[str] | None = None):
    page = context.new_page()
    if errors is not None:
        page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    return page


def test_example_builds_with_a_search_index(example):
    assert example.returncode == 0, example.stderr
    assert re.search(r"\b0 errors, 0 warnings\b", example.stderr), example.stderr
    shards = json.loads((example.out / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert shards["bundles"] and shards["primary"] == shards["bundles"][0]["path"]
    assert (example.out / "pagefind" / shards["primary"] / "pagefind.js").is_file()
    for bundle in shards["bundles"]:
        assert (example.out / "pagefind" / bundle["path"] / "pagefind-entry.json").is_file()
    assert len(example.pages) >= 100


# --- the Nu Html Checker -----------------------------------------------------------------------

def test_nu_html_checker_finds_no_errors(example):
    java = need_vnu()
    assert example.out.is_dir(), example.stderr
    assert sum(url.startswith("/fr/") for url in example.pages) >= 30  # the French edition is checked too
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--format", "json",
                           str(example.out)], capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    report = json.loads(done.stderr or done.stdout or '{"messages": []}')
    errors = [m for m in report.get("messages", []) if m.get("type") in ("error", "non-document-error")]
    shown = "\n".join(f"{urlsplit(m.get('url', '')).path.replace(str(example.out), '')}:{m.get('lastLine', '?')}: "
                      f"{m.get('message')} [{m.get('extract', '')[:120]!r}]" for m in errors[:30])
    assert errors == [], f"{len(errors)} errors from the Nu Html Checker:\n{shown}"
    assert done.returncode == 0, done.stderr[-2000:]


# --- axe-core ----------------------------------------------------------------------------------

KINDS = ("home", "article", "footnotes", "category", "tag", "coin", "author", "year", "month", "search", "404", "sidebar-lists")


def _ready(page, kind: str) -> None:
    if kind == "search":
        page.wait_for_selector(".search-hit a")


def _kind_url(kinds, kind: str, word: str) -> str:
    return kinds[kind] + (f"?q={quote(word)}" if kind == "search" else "")


@pytest.mark.browser
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_violations(kind, kinds, server, context, search_word):
    need_axe()
    if not kinds[kind]:
        pytest.skip("the sidebar lists are inline in every page (sidebar_lists = \"inline\")")
    errors: list[str] = []
    page = open_page(context, server.url(_kind_url(kinds, kind, search_word[0])), errors)
    _ready(page, kind)
    violations = axe(page)
    assert violations == [], f"{kinds[kind]}:\n{describe_violations(violations)}"
    assert errors == []


@pytest.mark.browser
def test_axe_second_language_finds_no_violations(example, server, context):
    """The French edition (issue 21): its home, an article with its translation, one with an embed's
    facade (its texts in French), a category, a tag, a coin, an author, its year
    and month archives, its sidebar lists, its search page (with a query), its About page and its 404 page."""
    need_axe()
    home = example.doc("/fr/")
    french = [u for u in example.pages if re.fullmatch(r"/fr/\d{4}/\d{2}/[^/]+/", u)]
    article = next(u for u in french if example.doc(u).find("a", within="taglist--coins"))
    meta = [a["href"] for a in example.doc(article).find("a", within="article__meta")]
    category = next(u for u in meta if u.startswith("/fr/category/"))
    author = next(u for u in meta if u.startswith("/fr/author/"))
    tag = next(a["href"] for a in example.doc(article).find("a", within="taglist") if a["href"].startswith("/fr/tag/"))
    coin = next(a["href"] for a in example.doc(article).find("a", within="taglist--coins"))
    embed = next(u for u in french if example.doc(u).find("a", "embed__facade"))
    assert example.doc(embed).text("span", "embed__label") == ["Lire la vidéo YouTube"]
    assert home.find("a", within="languages")
    found = []
    for url in ("/fr/", article, embed, category, tag, coin, author, article[:9], article[:12], "/fr/widgets/lists/",
                "/fr/search/?q=staking", "/fr/a-propos/", "/fr/404.html"):
        errors: list[str] = []
        page = open_page(context, server.url(url), errors)
        if "search" in url:
            page.wait_for_selector(".search-hit a")
        violations = axe(page)
        if violations or errors:
            found.append(f"{url}:\n{describe_violations(violations)}\n{errors}")
        page.close()
    assert found == [], "\n".join(found)


@pytest.mark.browser
def test_axe_phone_screen_touch_targets(kinds, server, browser, search_word):
    """The rules Lighthouse applies (axe with WCAG 2.2 target-size) on a phone-sized screen."""
    need_axe()
    ctx = offline_context(browser, viewport={"width": 412, "height": 823}, device_scale_factor=1.75, is_mobile=True,
                          has_touch=True)
    try:
        found = []
        for kind in (k for k in KINDS if kinds[k]):
            page = open_page(ctx, server.url(_kind_url(kinds, kind, search_word[0])))
            _ready(page, kind)
            violations = axe(page, {"rules": {"target-size": {"enabled": True}}})
            if violations:
                found.append(f"{kinds[kind]}:\n{describe_violations(violations)}")
            page.close()
    finally:
        ctx.close()
    assert found == [], "\n".join(found)


# --- feeds and sitemaps ------------------------------------------------------------------------

def _atom_feeds(out: Path) -> list[Path]:
    return sorted(out.rglob("feed.xml"))


def test_atom_feeds_are_valid(example):
    feeds = _atom_feeds(example.out)
    categories = [p for p in (example.out / "category").iterdir() if p.is_dir()]
    assert len(feeds) >= 1 + len([c for c in categories if (c / "feed.xml").exists()]) and len(feeds) > 5
    count = example.config.get("feeds", {}).get("count", 20)
    for path in feeds:
        rel = "/" + path.relative_to(example.out).as_posix()
        d = feedparser.parse(path.read_bytes())
        assert not d.bozo, f"{rel}: {d.get('bozo_exception')}"
        assert d.version == "atom10", rel
        assert d.feed.get("title") and d.feed.get("id") and d.feed.get("updated"), rel
        assert any(l.get("rel") == "self" and l.get("href") == BASE + rel.lstrip("/") for l in d.feed.links), rel
        assert 1 <= len(d.entries) <= count, rel
        for e in d.entries:
            assert e.get("title") and e.get("id") and e.get("updated") and e.get("published"), (rel, e.get("id"))
            assert e.link.startswith(BASE) and e.link[len(BASE) - 1:] in example.pages, (rel, e.link)
            assert e.get("summary"), (rel, e.link)
        root = ET.parse(path).getroot()
        for el in root.iter():
            if el.tag in (f"{ATOM}updated", f"{ATOM}published"):
                assert RFC3339.match(el.text or ""), (rel, el.tag, el.text)
        dates = [e.published_parsed for e in d.entries]
        assert dates == sorted(dates, reverse=True), f"{rel}: entries not newest first"


def test_json_feed_is_valid_json_feed_1_1(example):
    feed = json.loads((example.out / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert feed["home_page_url"] == BASE and feed["feed_url"] == BASE + "feed.json"
    assert 1 <= len(feed["items"]) <= example.config.get("feeds", {}).get("count", 20)
    ids = [i["id"] for i in feed["items"]]
    assert len(set(ids)) == len(ids)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "content_html" in item or "content_text" in item, item["id"]
        assert item["url"].startswith(BASE) and item["url"][len(BASE) - 1:] in example.pages, item["url"]
        for key in ("date_published", "date_modified"):
            assert RFC3339.match(item.get(key, "")), (item["id"], key, item.get(key))
        if "image" in item:
            assert item["image"].startswith(BASE), item["image"]
        for author in item.get("authors", []):
            assert author.get("name"), item["id"]


def _sitemap_urls(example) -> dict[str, str | None]:
    root = ET.parse(example.out / "sitemap.xml").getroot()
    urls = {}
    if root.tag == f"{SM}sitemapindex":
        parts = [s.findtext(f"{SM}loc") for s in root.findall(f"{SM}sitemap")]
        roots = [ET.parse(example.out / urlsplit(p).path.lstrip("/")).getroot() for p in parts]
    else:
        roots = [root]
    for r in roots:
        assert r.tag == f"{SM}urlset"
        for u in r.findall(f"{SM}url"):
            urls[u.findtext(f"{SM}loc")] = u.findtext(f"{SM}lastmod")
    return urls


def test_sitemap_lists_every_page_with_lastmod(example):
    urls = _sitemap_urls(example)
    noindex = {BASE + u.lstrip("/") for u, p in example.pages.items() if Doc.load(p).noindex}
    assert BASE + "404.html" in noindex
    expected = {BASE + u.lstrip("/") for u in example.pages} - noindex
    listed = set(urls) - noindex  # listing a noindex page is a bug of its own (test_seo_feeds.py)
    assert listed == expected, (sorted(expected - listed)[:10], sorted(listed - expected)[:10])
    bad = {u: m for u, m in urls.items() if not (m and RFC3339.match(m))}
    assert bad == {}, list(bad.items())[:10]


def test_news_sitemap_holds_the_articles_of_the_last_two_days(example, articles):
    root = ET.parse(example.out / "sitemap-news.xml").getroot()
    assert root.tag == f"{SM}urlset"
    listed = {}
    for u in root.findall(f"{SM}url"):
        news = u.find(f"{NEWS}news")
        assert news is not None
        pub = news.find(f"{NEWS}publication")
        assert pub.findtext(f"{NEWS}name") == example.config["title"]
        assert pub.findtext(f"{NEWS}language") == example.config.get("language", "en")
        assert news.findtext(f"{NEWS}title")
        date = news.findtext(f"{NEWS}publication_date")
        assert RFC3339.match(date), date
        listed[u.findtext(f"{SM}loc")] = datetime.fromisoformat(date.replace("Z", "+00:00"))
    published = {}
    for url, doc in articles.items():
        ld = doc.jsonld_of("NewsArticle")[0]
        published[BASE + url.lstrip("/")] = datetime.fromisoformat(ld["datePublished"])
    # the build's clock lies between built_after and built_before
    surely_in = {u for u, d in published.items() if example.built_before - timedelta(days=2) <= d <= example.built_after}
    maybe_in = {u for u, d in published.items() if example.built_after - timedelta(days=2) <= d <= example.built_before}
    assert surely_in <= set(listed) <= maybe_in, (sorted(surely_in - set(listed)), sorted(set(listed) - maybe_in))
    for u, d in listed.items():
        assert published[u] == d, u


def test_robots_txt_names_both_sitemaps(example):
    lines = (example.out / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {BASE}sitemap.xml" in lines
    assert f"Sitemap: {BASE}sitemap-news.xml" in lines
    assert "User-agent: *" in lines


# --- search ------------------------------------------------------------------------------------

PREFIX = 5  # Pagefind stems words: two words sharing their first letters may match each other


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


@pytest.fixture(scope="module")
def indexed_words(articles) -> dict[str, set[str]]:
    """Per article: the words of what Pagefind may index for it (body, title, image alt texts)."""
    out = {}
    for url, doc in articles.items():
        alts = " ".join(a.get("alt", "") for a in doc.find("img"))
        out[url] = set(_words(doc.region("[data-pagefind-body]") + " " + doc.region("h1") + " " + doc.title + " " + alts))
    return out


@pytest.fixture(scope="module")
def search_word(articles, indexed_words) -> tuple[str, str]:
    """(word, article URL): a word of one article's body that no other article has, even stemmed
    (from the body's first 600 characters: a long body is indexed by its start and its end)."""
    for url in sorted(articles, reverse=True):
        body = set(_words(articles[url].region("[data-pagefind-body]")[:600]))
        others = {w[:PREFIX] for u, words in indexed_words.items() if u != url for w in words}
        unique = sorted(w for w in body if len(w) >= 8 and w[:PREFIX] not in others)
        if unique:
            return unique[0], url
    raise AssertionError("no article has a word of its own")


def _result_links(page) -> list[str]:
    page.wait_for_selector(".search-hit a")
    return [a.get_attribute("href") for a in page.query_selector_all(".search-hit a")]


@pytest.mark.browser
def test_search_page_finds_an_article_by_a_word_of_its_body(server, context, search_word):
    word, url = search_word
    errors: list[str] = []
    page = open_page(context, server.url(f"/search/?q={quote(word)}"), errors)
    links = _result_links(page)
    assert urlsplit(links[0]).path == url, (word, links)  # the article with the word comes first
    status, _, _ = server.get(links[0])
    assert status == 200
    assert errors == []


@pytest.mark.browser
def test_header_search_box_leads_to_results(server, context, search_word):
    word, url = search_word
    page = open_page(context, server.url("/"))
    box = page.locator("#bl-header-q")
    if not box.is_visible():
        page.click(".menu__toggle")
    box.fill(word)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert url in {urlsplit(h).path for h in _result_links(page)}


def test_search_index_holds_the_article_pages_only(example, articles):
    shards = json.loads((example.out / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    counts = []
    for bundle in shards["bundles"]:
        entry = json.loads((example.out / "pagefind" / bundle["path"] / "pagefind-entry.json").read_text(encoding="utf-8"))
        counts += [v["page_count"] for v in entry["languages"].values()]
    assert sum(counts) == len(articles), counts


@pytest.mark.browser
def test_search_indexes_article_content_only(server, context, example, articles, search_word):
    """What Pagefind holds for an article is its text: no menu, ticker, sidebar, newsletter box or footer."""
    page = open_page(context, server.url("/search/"))
    results = page.evaluate("""async (words) => {
        const shards = await (await fetch('/pagefind/shards.json')).json();
        const pagefind = await import('/pagefind/' + shards.primary + 'pagefind.js');
        await pagefind.options({basePath: '/pagefind/' + shards.primary});
        for (const b of shards.bundles) if (b.path !== shards.primary) await pagefind.mergeIndex('/pagefind/' + b.path);
        await pagefind.init();
        const out = [];
        for (const w of words) {
            for (const r of (await pagefind.search(w)).results.slice(0, 8)) {
                const d = await r.data();
                out.push([w, d.url, d.content]);
            }
        }
        return out;
    }""", [search_word[0], "bitcoin", "stablecoin", "ethereum"])
    assert len(results) >= 10, results
    home = example.doc("/")
    lists = home if home.region(".widget--latest") else example.doc("/widgets/lists/")  # inline, or in an iframe
    sitewide = {
        "newsletter pitch": example.config["newsletter"]["pitch"],
        "site description": example.config["description"],
        "ticker": home.region(".ticker__asof"),
        "menu": home.region(".menu__list"),
        "footer": home.region(".site-footer__bottom"),
        "sidebar": lists.region(".widget--latest"),
        "skip link": "Skip to content",
        "share links": "Share on Facebook",
    }
    assert all(len(v) > 10 for v in sitewide.values()), sitewide
    for word, url, content in results:
        assert url in articles, (word, url)
        body = articles[url].region("[data-pagefind-body]")
        assert " ".join(content.split())[:60] == body[:60], (url, content[:120], body[:120])
        leaked = [name for name, text in sitewide.items() if text in content]
        assert leaked == [], (url, leaked)


@pytest.mark.browser
def test_words_only_in_menus_ticker_sidebar_and_footer_find_nothing(site, browser):
    """A site whose menu, ticker, newsletter pitch, footer links and description have words of their own."""
    toml = (site.root / "site.toml").read_text(encoding="utf-8").replace("[search]\nenabled = false", "[search]\nenabled = true")
    toml = toml.replace('description = "A test site."', 'description = "Quorbleflax reporting."')
    toml += """
[[menu]]
name = "Zylophant"
url = "/about/"

[[footer_links]]
name = "Wombulate"
url = "/terms/"

[newsletter]
action = "https://lists.example.org/subscribe"
pitch = "Plinkerdoodle briefings every morning."

[ticker]
coins = ["BTC"]
snapshot = "content/_data/ticker.json"
"""
    site.write("site.toml", toml)
    site.write("content/_data/ticker.json", '{"as_of": "2025-07-01T10:00:00Z", "coins": {"BTC": '
                                            '{"name": "Snorkelcoin", "price_usd": 1.5, "change_24h": 0.5, "id": "snorkelcoin"}}}')
    site.write("content/pages/about.md", "---\ntitle: About\n---\n\nAbout us.\n")
    site.write("content/pages/terms.md", "---\ntitle: Terms\n---\n\nTerms.\n")
    for i in range(3):
        site.write(f"content/articles/a{i}.md", f"---\ntitle: Mining report {i}\ndate: 2025-06-2{i}T10:00:00Z\n"
                                                f"category: Bitcoin\ncoins: [BTC]\n---\n\nHashrate rose again in week {i}; "
                                                "the miners' tanglewood strategy held.\n")
    done = site.build()
    assert done.returncode == 0, done.stderr
    home = site.out.joinpath("index.html").read_text(encoding="utf-8")
    words = ["quorbleflax", "zylophant", "wombulate", "plinkerdoodle", "snorkelcoin"]
    for w in words:
        assert w in home.lower(), w
    ctx = offline_context(browser)
    try:
        with StaticServer(site.out) as srv:
            page = open_page(ctx, srv.url("/search/?q=tanglewood"))
            assert len(_result_links(page)) >= 3
            for w in words:
                ui = open_page(ctx, srv.url(f"/search/?q={w}"))
                ui.wait_for_function("() => /No articles found/.test(document.getElementById('search-status').textContent)")
                assert ui.query_selector_all(".search-hit a") == [], w
                ui.close()
    finally:
        ctx.close()


def test_no_search_builds_no_index(site):
    site.write("site.toml", (site.root / "site.toml").read_text(encoding="utf-8").replace(
        "[search]\nenabled = false", "[search]\nenabled = true"))
    site.write("content/articles/a.md", "---\ntitle: Zanzibar Token Launch\ndate: 2025-07-01T10:00:00Z\n"
                                        "category: Bitcoin\n---\n\nA launch on the island.\n")
    done = site.build("--no-search")
    assert done.returncode == 0, done.stderr
    assert (site.out / "index.html").is_file()
    assert not (site.out / "pagefind").exists()
    done = site.build()
    assert done.returncode == 0, done.stderr
    shards = json.loads((site.out / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert (site.out / "pagefind" / shards["primary"] / "pagefind-entry.json").is_file()


# --- the price ticker --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def snapshot(example) -> dict:
    return json.loads((example.root / example.config["ticker"]["snapshot"]).read_text(encoding="utf-8"))


def _dom_ticker(page) -> list[list[str]]:
    return page.evaluate("""() => [...document.querySelectorAll('.ticker [data-coin]')].map(li => [
        li.getAttribute('data-coin'), li.querySelector('[data-price]').textContent.trim(),
        li.querySelector('[data-change]').textContent.replace(/\\s+/g, ' ').trim()])""")


def test_ticker_figures_are_in_the_static_html(example, snapshot):
    doc = example.doc("/")
    text = doc.region(".ticker")
    symbols = example.config["ticker"]["coins"]
    coins = [a for a in doc.find("li", cls="ticker__coin")]
    assert len(coins) == len(symbols)
    for symbol, li in zip(symbols, coins):
        row = snapshot["coins"][symbol]
        assert li["data-coin"] == row["id"]
        assert f"${row['price_usd']:,.2f}" in text, (symbol, text)
        assert f"{row['change_24h']:+.2f}%" in text, (symbol, text)
    asof = doc.find("time", within="ticker__asof")
    assert asof and datetime.fromisoformat(asof[0]["datetime"]) == datetime.fromisoformat(snapshot["as_of"].replace("Z", "+00:00"))
    assert "Prices as of" in text
    # the same strip is on every page
    for url in ("/404.html", "/search/", "/category/", "/about/"):
        assert example.doc(url).region(".ticker") == text, url


@pytest.fixture(scope="module")
def static_ticker(server, browser) -> list[list[str]]:
    """The ticker's rows (coin id, price, change) as a reader without JavaScript sees them."""
    ctx = offline_context(browser, java_script_enabled=False)
    try:
        return _dom_ticker(open_page(ctx, server.url("/")))
    finally:
        ctx.close()


@pytest.mark.browser
def test_ticker_shows_the_snapshot_without_javascript(example, static_ticker, snapshot):
    rows = {coin: (price, change) for coin, price, change in static_ticker}
    for symbol in example.config["ticker"]["coins"]:
        row = snapshot["coins"][symbol]
        price, change = rows[row["id"]]
        assert price == f"${row['price_usd']:,.2f}", (symbol, price)
        assert change.endswith(f"{row['change_24h']:+.2f}%"), (symbol, change)


@pytest.mark.browser
@pytest.mark.parametrize("failure", ["blocked", "http-500", "bad-json"])
def test_ticker_keeps_the_snapshot_when_the_refresh_fails(failure, example, server, browser, static_ticker):
    static = Doc.load(example.pages["/"])
    ctx = offline_context(browser)
    try:
        if failure == "blocked":
            ctx.route("**/data/ticker.json", lambda r: r.abort())
        elif failure == "http-500":
            ctx.route("**/data/ticker.json", lambda r: r.fulfill(status=500, body="down"))
        else:
            ctx.route("**/data/ticker.json", lambda r: r.fulfill(status=200, content_type="application/json",
                                                                 body="{not json"))
        errors: list[str] = []
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        event = "requestfailed" if failure == "blocked" else "requestfinished"
        with page.expect_event(event, predicate=lambda r: r.url.endswith("/data/ticker.json")):
            page.goto(server.url("/"), wait_until="load")
        page.wait_for_timeout(300)  # let the script's promise chain settle (not a timing assertion)
        assert _dom_ticker(page) == static_ticker
        assert page.get_attribute("[data-asof]", "datetime") == static.find("time", within="ticker__asof")[0]["datetime"]
        assert errors == []
    finally:
        ctx.close()


@pytest.mark.browser
def test_ticker_refreshes_from_the_sites_own_file(example, server, browser, snapshot):
    seen: list[str] = []

    def answer(route):
        seen.append(route.request.url)
        body = {"as_of": "2030-01-01T12:00:00Z",
                "coins": {s: {"price_usd": round(row["price_usd"] * 2, 2), "change_24h": 4.5}
                          for s, row in snapshot["coins"].items()}}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    ctx = offline_context(browser)
    try:
        ctx.route("**/data/ticker.json", answer)
        page = open_page(ctx, server.url("/"))
        btc = snapshot["coins"]["BTC"]
        want = f"${btc['price_usd'] * 2:,.2f}"
        page.wait_for_function("(want) => [...document.querySelectorAll('.ticker [data-price]')].some(e => e.textContent === want)",
                               arg=want)
        row = next(r for r in _dom_ticker(page) if r[0] == btc["id"])
        assert row[1] == want and row[2].endswith("+4.50%"), row
        assert page.get_attribute("[data-asof]", "datetime") == "2030-01-01T12:00:00.000Z"
        assert len(seen) == 1 and seen[0] == server.url("/data/ticker.json")
    finally:
        ctx.close()


# --- small pages -------------------------------------------------------------------------------

def _offsite(ref: str) -> bool:
    parts = urlsplit(ref)
    return bool(parts.scheme or parts.netloc) and not ref.startswith("data:")


def test_no_third_party_script_stylesheet_or_font(example):
    found = []
    for url, path in example.pages.items():
        doc = Doc.load(path)
        for s in doc.scripts:
            if s.get("src") and _offsite(s["src"]):
                found.append((url, "script", s["src"]))
        for l in doc.head_links:
            rel = set((l.get("rel") or "").split())
            if rel & {"stylesheet", "preload", "modulepreload", "preconnect", "dns-prefetch"} and _offsite(l.get("href", "")):
                found.append((url, "link " + " ".join(sorted(rel)), l.get("href")))
    for css in example.out.glob("assets/**/*.css"):
        text = css.read_text(encoding="utf-8")
        for ref in re.findall(r"@import\s+(?:url\()?['\"]?([^'\")\s;]+)", text) + re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            if _offsite(ref):
                found.append((css.name, "css", ref))
    assert found == [], found[:20]


@pytest.mark.browser
def test_pages_load_nothing_third_party(example, kinds, server, context, search_word):
    offsite = []
    context.on("request", lambda r: offsite.append((r.resource_type, r.url)) if not r.url.startswith(server.origin)
               and not r.url.startswith(("data:", "blob:")) else None)
    for kind in (k for k in KINDS if kinds[k]):
        page = open_page(context, server.url(_kind_url(kinds, kind, search_word[0])))
        _ready(page, kind)
        page.close()
    assert offsite == [], offsite  # the ticker re-reads the site's own data/ticker.json


def _stylesheets(example) -> dict[str, int]:
    sheets = {}
    for path in example.pages.values():
        for l in Doc.load(path).head_links:
            if "stylesheet" in (l.get("rel") or "").split():
                sheets[l["href"]] = (example.out / urlsplit(l["href"]).path.lstrip("/")).stat().st_size
    return sheets


def test_site_css_is_under_30_kb(example):
    sheets = _stylesheets(example)
    assert sheets, "no stylesheet"
    assert sum(sheets.values()) < 30 * KB, sheets


def _loaded_bytes(page, kinds_of: tuple[str, ...] | None = None, exclude_images: bool = True) -> tuple[int, list]:
    entries = page.evaluate("""() => [performance.getEntriesByType('navigation')[0],
        ...performance.getEntriesByType('resource')].map(e => [e.name, e.initiatorType, e.transferSize, e.encodedBodySize])""")
    rows = []
    for name, initiator, transfer, body in entries:
        path = urlsplit(name).path
        is_image = initiator in ("img", "image") or re.search(r"\.(jpe?g|png|webp|gif|svg|avif)$", path)
        if exclude_images and is_image:
            continue
        if kinds_of and not path.endswith(kinds_of):
            continue
        rows.append((path, initiator, max(transfer, body)))
    return sum(r[2] for r in rows), rows


@pytest.mark.browser
def test_home_page_under_150_kb_without_images(server, context):
    page = open_page(context, server.url("/"))
    page.wait_for_load_state("networkidle")
    total, rows = _loaded_bytes(page)
    assert any(r[0] == "/" for r in rows) and any(r[0].endswith(".css") for r in rows), rows
    assert total < 150 * KB, rows


@pytest.mark.browser
def test_every_page_loads_under_30_kb_of_css(kinds, server, context, search_word):
    over = {}
    for kind in (k for k in KINDS if kinds[k]):
        page = open_page(context, server.url(_kind_url(kinds, kind, search_word[0])))
        _ready(page, kind)
        page.wait_for_load_state("networkidle")
        total, rows = _loaded_bytes(page, (".css",))
        if total >= 30 * KB:
            over[kinds[kind]] = rows
        page.close()
    assert over == {}, over
