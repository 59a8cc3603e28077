"""What search engines, feed readers and readers get from a small news site built for real.

Feeds (Atom per site, category and, on request, tag; JSON Feed 1.1), sitemaps (with the split into
an index beyond the URL limit and the Google News sitemap of the last two days), robots.txt, each
page's head (title, description, canonical, Open Graph, Twitter card, JSON-LD), list pages, coin
pages, the ticker snapshot and the featured images' resized variants.

The build time is fixed with SOURCE_DATE_EPOCH so the news sitemap's two-day window is exact.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))

from conftest import MINIMAL_TOML, REPO, Site  # noqa: E402
from sitetools import Doc, html_pages  # noqa: E402

import feedparser  # noqa: E402

BASE = "https://test.example/"
NOW = datetime(2025, 7, 20, 12, 0, tzinfo=timezone.utc)
EPOCH = {"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

TRICKY = 'Miners </script><script>alert("x")</script> & \'Quotes\' "Q"'
TRICKY_URL = "/2025/07/miners-and-etfs/"

# (file, front matter, body): dates relative to NOW = 2025-07-20T12:00Z
ARTICLES = [
    ("a.md", {"title": TRICKY, "slug": "miners-and-etfs", "date": "2025-07-19T10:00:00+02:00", "category": "Bitcoin",
              "tags": ["Mining", "ETFs"], "coins": ["BTC", "ETH"], "image": "/assets/img/hero.jpg",
              "image_alt": "A red field", "author": "Jane Doe", "updated": "2025-07-20",
              "summary": "Miners & ETFs: what changed this week."},
     "Hashrate hit a record. See [the category](/category/bitcoin/) and [policy](../../../category/policy/).\n\n"
     "![A chart](/assets/img/hero.jpg)\n\n## Outlook\n\nMore to come."),
    ("c.md", {"title": "Fresh Policy News", "date": "2025-07-18T13:00:00Z", "category": "Policy",
              "tags": ["Regulation"], "coins": ["ETH"]}, "Lawmakers met on Friday."),
    ("d.md", {"title": "Policy News From Before", "date": "2025-07-18T11:00:00Z", "category": "Policy",
              "tags": ["Regulation"]}, "An older policy story."),
    ("p1.md", {"title": "Policy One", "image": "/assets/img/hero.jpg", "image_alt": "A red field", "date": "2025-07-10T09:00:00Z", "category": "Policy", "tags": ["Regulation"],
               "coins": ["ETH"]}, "One."),
    ("p2.md", {"title": "Policy Two", "image": "/assets/img/hero.jpg", "image_alt": "A red field", "date": "2025-07-11T09:00:00Z", "category": "Policy", "tags": ["Regulation"],
               "coins": ["ETH"]}, "Two."),
    ("p3.md", {"title": "Policy Three", "image": "/assets/img/hero.jpg", "image_alt": "A red field", "date": "2025-07-12T09:00:00Z", "category": "Policy", "tags": ["Regulation"],
               "coins": ["ETH"]}, "Three."),
    ("b.md", {"title": "Older Bitcoin Story", "date": "2025-07-01T08:00:00Z", "category": "Bitcoin", "tags": ["Mining"]},
     "Old news."),
    ("f.md", {"title": "Tomorrow's Story", "date": "2025-07-21T09:00:00Z", "category": "Bitcoin", "tags": ["Mining"]},
     "Not yet."),
]
SNAPSHOT = {"as_of": "2025-07-20T08:00:00Z", "coins": {
    "BTC": {"name": "Bitcoin", "price_usd": 97123.45, "change_24h": -1.23, "id": "bitcoin"},
    "ETH": {"name": "Ethereum", "price_usd": 3456.7, "change_24h": 2.5, "id": "ethereum"},
    "SOL": {"name": "Solana", "price_usd": 150.0, "change_24h": 0.0, "id": "solana"}}}


def site_toml(extra: str = "") -> str:
    toml = MINIMAL_TOML.replace('per_page = 3\n', 'per_page = 3\nlogo = "/assets/img/logo.svg"\n'
                                'default_image = "/assets/img/default-card.jpg"\n')
    toml = toml.replace("[search]\nenabled = false", "[search]\nenabled = true")
    toml += ('\n[social]\ntwitter = "testnews"\n\n[ticker]\ncoins = ["BTC", "ETH", "SOL"]\n'
             'snapshot = "content/_data/ticker.json"\n')
    return toml + extra


def front_matter(fields: dict) -> str:
    # JSON scalars and lists are valid YAML: every title stays exactly what it is
    return "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in fields.items()) + "---\n"


def write_news_site(root: Path, extra_toml: str = "") -> Site:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "assets", root / "assets", ignore=shutil.ignore_patterns("_*"))
    site = Site(root)
    site.write("site.toml", site_toml(extra_toml))
    site.write("content/_data/ticker.json", json.dumps(SNAPSHOT))
    Image.new("RGB", (1600, 900), (180, 40, 40)).save(root / "assets/img/hero.jpg", quality=85)
    for name, fields, body in ARTICLES:
        site.write(f"content/articles/{name}", front_matter(fields) + "\n" + body + "\n")
    return site


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Site:
    site = write_news_site(tmp_path_factory.mktemp("seo") / "site")
    done = site.build(env=EPOCH)
    assert done.returncode == 0, done.stderr
    return site


@pytest.fixture(scope="module")
def variant(tmp_path_factory) -> Site:
    """The same site with [feeds] per_tag and full_content on, built with --future."""
    site = write_news_site(tmp_path_factory.mktemp("seo-variant") / "site",
                           "\n[feeds]\nper_tag = true\nfull_content = true\n")
    done = site.build("--future", env=EPOCH)
    assert done.returncode == 0, done.stderr
    return site


def doc(site: Site, url: str) -> Doc:
    return Doc.load(site.page(url))


def article_urls(site: Site) -> set[str]:
    return {u for u in html_pages(site.out) if re.fullmatch(r"/\d{4}/\d{2}/[^/]+/", u)}


def parse_feed(path: Path):
    d = feedparser.parse(path.read_bytes())
    assert not d.bozo, f"{path}: {d.get('bozo_exception')}"
    assert d.version == "atom10", path
    return d


def entry_paths(d) -> list[str]:
    return [urlsplit(e.link).path for e in d.entries]


# --- feeds -------------------------------------------------------------------------------------

def test_site_atom_feed_is_valid_and_complete(news):
    d = parse_feed(news.out / "feed.xml")
    assert d.feed.title == "Test News"
    assert d.feed.id == BASE + "feed.xml"
    assert {(l.rel, l.href) for l in d.feed.links} >= {("self", BASE + "feed.xml"), ("alternate", BASE)}
    assert RFC3339.match(ET.parse(news.out / "feed.xml").getroot().findtext(f"{ATOM}updated"))
    paths = entry_paths(d)
    assert paths == [TRICKY_URL, "/2025/07/fresh-policy-news/", "/2025/07/policy-news-from-before/",
                     "/2025/07/policy-three/", "/2025/07/policy-two/", "/2025/07/policy-one/",
                     "/2025/07/older-bitcoin-story/"]
    first = d.entries[0]
    assert first.title == TRICKY
    assert first.id == first.link == BASE + TRICKY_URL.lstrip("/")
    assert first.author == "Jane Doe"
    assert first.summary == "Miners & ETFs: what changed this week."
    assert {t.term for t in first.tags} >= {"bitcoin", "mining", "etfs"}
    for e in d.entries:
        assert e.link.startswith(BASE) and e.id.startswith(BASE)
        assert e.get("summary") and e.get("published") and e.get("updated")


def test_feed_dates_are_rfc3339(news):
    root = ET.parse(news.out / "feed.xml").getroot()
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}published") == "2025-07-19T08:00:00Z"  # 10:00 at +02:00
    assert entry.findtext(f"{ATOM}updated") == "2025-07-20T00:00:00Z"
    for el in root.iter():
        if el.tag in (f"{ATOM}published", f"{ATOM}updated"):
            assert RFC3339.match(el.text), el.text
    item = json.loads((news.out / "feed.json").read_text(encoding="utf-8"))["items"][0]
    assert item["date_published"] == "2025-07-19T08:00:00Z"
    assert item["date_modified"] == "2025-07-20T00:00:00Z"


def test_category_feeds_hold_their_own_articles(news):
    bitcoin = parse_feed(news.out / "category/bitcoin/feed.xml")
    assert entry_paths(bitcoin) == [TRICKY_URL, "/2025/07/older-bitcoin-story/"]
    assert any(l.rel == "self" and l.href == BASE + "category/bitcoin/feed.xml" for l in bitcoin.feed.links)
    assert any(l.rel == "alternate" and l.href == BASE + "category/bitcoin/" for l in bitcoin.feed.links)
    policy = parse_feed(news.out / "category/policy/feed.xml")
    assert len(policy.entries) == 5 and all("/policy-" in p or "-policy-" in p for p in entry_paths(policy))


def test_tag_feeds_only_with_the_per_tag_switch(news, variant):
    assert not list((news.out / "tag").rglob("feed.xml"))
    mining = parse_feed(variant.out / "tag/mining/feed.xml")
    assert entry_paths(mining) == ["/2025/07/tomorrow-s-story/", TRICKY_URL, "/2025/07/older-bitcoin-story/"]
    regulation = parse_feed(variant.out / "tag/regulation/feed.xml")
    assert len(regulation.entries) == 5
    assert {p.parent.name for p in (variant.out / "tag").rglob("feed.xml")} == {"mining", "etfs", "regulation"}


def test_feeds_carry_summaries_unless_full_content_is_on(news, variant):
    summary_only = ET.parse(news.out / "feed.xml").getroot().find(f"{ATOM}entry")
    assert summary_only.find(f"{ATOM}content") is None
    assert summary_only.findtext(f"{ATOM}summary") == "Miners & ETFs: what changed this week."
    item = json.loads((news.out / "feed.json").read_text(encoding="utf-8"))["items"][0]
    assert item["content_text"] == "Miners & ETFs: what changed this week." and "content_html" not in item

    full = parse_feed(variant.out / "feed.xml").entries[1]
    assert full.link == BASE + TRICKY_URL.lstrip("/")
    assert "Hashrate hit a record." in full.content[0].value and "<h2" in full.content[0].value
    item = json.loads((variant.out / "feed.json").read_text(encoding="utf-8"))["items"][1]
    assert "Hashrate hit a record." in item["content_html"] and "content_text" not in item


def _content_refs(html: str) -> list[str]:
    d = Doc.parse(html)
    return [ref for _, _, ref in d.refs]


def test_full_content_feeds_use_absolute_urls(variant):
    entry = ET.parse(variant.out / "feed.xml").getroot().findall(f"{ATOM}entry")[1]
    content = entry.find(f"{ATOM}content")
    refs = _content_refs(content.text)
    item = json.loads((variant.out / "feed.json").read_text(encoding="utf-8"))["items"][1]
    refs += _content_refs(item["content_html"])
    assert len(refs) >= 6
    relative = [r for r in refs if not r.startswith(BASE)]
    assert relative == []


def test_json_feed_1_1(news):
    feed = json.loads((news.out / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Test News"
    assert feed["home_page_url"] == BASE and feed["feed_url"] == BASE + "feed.json"
    items = feed["items"]
    assert [urlsplit(i["url"]).path for i in items] == entry_paths(parse_feed(news.out / "feed.xml"))
    first = items[0]
    assert first["id"] == first["url"] == BASE + TRICKY_URL.lstrip("/")
    assert first["title"] == TRICKY
    assert first["image"] == BASE + "assets/img/hero.jpg"
    assert first["authors"] == [{"name": "Jane Doe"}]
    assert first["tags"] == ["Mining", "ETFs"]
    for item in items:
        assert isinstance(item["id"], str) and ("content_text" in item or "content_html" in item)
        assert RFC3339.match(item["date_published"]) and RFC3339.match(item["date_modified"])


def reader_pages(site: Site) -> dict[str, Doc]:
    """Every page a reader lands on (not the sidebar lists' iframe page, which has no head of its own)."""
    docs = {url: Doc.load(path) for url, path in html_pages(site.out).items()}
    return {url: d for url, d in docs.items() if d.kind}


def test_every_page_head_advertises_the_site_feed(news):
    pages = reader_pages(news)
    assert len(pages) > 15
    for url, d in pages.items():
        links = d.link_rel("alternate", "application/atom+xml")
        assert links, url
        assert urlsplit(links[0]["href"]).path == "/feed.xml", (url, links)
        assert links[0].get("title")


def test_every_feed_is_discoverable_from_a_page_head(news):
    home = doc(news, "/")
    assert [urlsplit(l["href"]).path for l in home.link_rel("alternate", "application/feed+json")] == ["/feed.json"]
    bitcoin = doc(news, "/category/bitcoin/")
    assert "/category/bitcoin/feed.xml" in [urlsplit(l["href"]).path for l in bitcoin.link_rel("alternate", "application/atom+xml")]


# --- sitemaps and robots.txt -------------------------------------------------------------------

def sitemap_rows(path: Path) -> dict[str, str | None]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SM}urlset", root.tag
    return {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.findall(f"{SM}url")}


def test_sitemap_lists_every_page_with_lastmod(news):
    rows = sitemap_rows(news.out / "sitemap.xml")
    docs = {BASE + u.lstrip("/"): Doc.load(p) for u, p in html_pages(news.out).items()}
    noindex = {u for u, d in docs.items() if d.noindex}
    assert BASE + "404.html" in noindex
    # every page that may be indexed (listing a noindex page is test_sitemap_lists_no_noindex_page's business)
    assert set(rows) - noindex == set(docs) - noindex
    assert all(m and RFC3339.match(m) for m in rows.values()), rows
    assert rows[BASE + TRICKY_URL.lstrip("/")] == "2025-07-20T00:00:00Z"  # updated
    assert rows[BASE + "2025/07/fresh-policy-news/"] == "2025-07-18T13:00:00Z"
    assert BASE + "2025/07/tomorrow-s-story/" not in rows
    assert BASE + "category/policy/page/2/" in rows and BASE + "page/3/" in rows


def test_sitemap_lists_no_noindex_page(news):
    rows = sitemap_rows(news.out / "sitemap.xml")
    noindex = [u for u, p in html_pages(news.out).items() if Doc.load(p).noindex]
    assert "/search/" in noindex
    assert [u for u in noindex if BASE + u.lstrip("/") in rows] == []


def test_sitemap_splits_into_an_index_beyond_the_limit(news, tmp_path, monkeypatch):
    """An in-process build with generator.extras.SITEMAP_LIMIT lowered to 7: an index and its parts."""
    import generator.extras
    from generator.build import BuildOptions, build

    expected = sitemap_rows(news.out / "sitemap.xml")
    assert len(expected) > 14
    root = tmp_path / "site"
    shutil.copytree(news.root, root, ignore=shutil.ignore_patterns("public", ".cache", ".public*"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH["SOURCE_DATE_EPOCH"])
    monkeypatch.setattr(generator.extras, "SITEMAP_LIMIT", 7)
    result = build(BuildOptions(source=root, quiet=True, search=False, jobs=1))
    assert result.exit_code == 0
    out = root / "public"
    index = ET.parse(out / "sitemap.xml").getroot()
    assert index.tag == f"{SM}sitemapindex"
    parts = index.findall(f"{SM}sitemap")
    assert len(parts) == -(-len(expected) // 7)
    union: dict[str, str | None] = {}
    for n, part in enumerate(parts, 1):
        loc = part.findtext(f"{SM}loc")
        assert loc == f"{BASE}sitemap-{n}.xml"
        rows = sitemap_rows(out / f"sitemap-{n}.xml")
        assert 1 <= len(rows) <= 7
        assert part.findtext(f"{SM}lastmod") == max(rows.values())
        union.update(rows)
    assert union == expected
    assert f"Sitemap: {BASE}sitemap.xml" in (out / "robots.txt").read_text(encoding="utf-8").splitlines()

    # exactly at the limit: one urlset, no parts
    monkeypatch.setattr(generator.extras, "SITEMAP_LIMIT", len(expected))
    result = build(BuildOptions(source=root, quiet=True, search=False, jobs=1))
    assert result.exit_code == 0
    assert sitemap_rows(out / "sitemap.xml") == expected
    assert not list(out.glob("sitemap-[0-9]*.xml"))


def news_rows(path: Path) -> dict[str, dict]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SM}urlset"
    out = {}
    for u in root.findall(f"{SM}url"):
        n = u.find(f"{NEWS}news")
        pub = n.find(f"{NEWS}publication")
        out[u.findtext(f"{SM}loc")] = {"name": pub.findtext(f"{NEWS}name"), "language": pub.findtext(f"{NEWS}language"),
                                       "date": n.findtext(f"{NEWS}publication_date"), "title": n.findtext(f"{NEWS}title")}
    return out


def test_news_sitemap_holds_the_last_two_days(news, variant):
    rows = news_rows(news.out / "sitemap-news.xml")
    assert list(rows) == [BASE + TRICKY_URL.lstrip("/"), BASE + "2025/07/fresh-policy-news/"]  # not the one 49 h old
    first = rows[BASE + TRICKY_URL.lstrip("/")]
    assert first == {"name": "Test News", "language": "en", "date": "2025-07-19T08:00:00Z", "title": TRICKY}
    # built with --future: tomorrow's article has its page but is not news yet
    assert variant.page("/2025/07/tomorrow-s-story/").is_file()
    assert list(news_rows(variant.out / "sitemap-news.xml")) == list(rows)


def test_news_sitemap_follows_the_build_clock(tmp_path):
    site = write_news_site(tmp_path / "site")
    later = {"SOURCE_DATE_EPOCH": str(int(datetime(2025, 7, 21, 10, 0, tzinfo=timezone.utc).timestamp()))}
    done = site.build(env=later)
    assert done.returncode == 0, done.stderr
    # a day later: tomorrow's article is out and news, the one from 50 hours before is not news any more
    assert list(news_rows(site.out / "sitemap-news.xml")) == [BASE + "2025/07/tomorrow-s-story/"]


def test_robots_txt_names_both_sitemaps(news):
    lines = (news.out / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}sitemap.xml" in lines and f"Sitemap: {BASE}sitemap-news.xml" in lines


# --- the article's head ------------------------------------------------------------------------

def test_article_head_title_description_canonical_and_cards(news):
    d = doc(news, TRICKY_URL)
    canonical = BASE + TRICKY_URL.lstrip("/")
    assert d.title == f"{TRICKY} – Test News"
    assert d.meta("description") == ["Miners & ETFs: what changed this week."]
    assert [l["href"] for l in d.link_rel("canonical")] == [canonical]
    assert d.meta("og:type") == ["article"]
    assert d.meta("og:title") == [TRICKY]
    assert d.meta("og:description") == ["Miners & ETFs: what changed this week."]
    assert d.meta("og:url") == [canonical]
    assert d.meta("og:site_name") == ["Test News"]
    assert d.meta("og:image") == [BASE + "assets/img/hero.jpg"]
    assert d.meta("og:image:alt") == ["A red field"]
    assert d.meta("article:published_time") and d.meta("article:section") == ["Bitcoin"]
    assert d.meta("twitter:card") == ["summary_large_image"]
    assert d.meta("twitter:title") == [TRICKY]
    assert d.meta("twitter:site") == ["@testnews"]
    # an article without an image of its own shows the site's default card image
    plain = doc(news, "/2025/07/fresh-policy-news/")
    assert plain.meta("og:image") == [BASE + "assets/img/default-card.jpg"]


def test_article_has_newsarticle_structured_data(news):
    d = doc(news, TRICKY_URL)
    [ld] = d.jsonld_of("NewsArticle")
    assert ld["@context"] == "https://schema.org"
    assert ld["headline"] == TRICKY
    assert datetime.fromisoformat(ld["datePublished"]) == datetime(2025, 7, 19, 8, 0, tzinfo=timezone.utc)
    assert datetime.fromisoformat(ld["dateModified"]) == datetime(2025, 7, 20, 0, 0, tzinfo=timezone.utc)
    assert ld["author"] == {"@type": "Person", "name": "Jane Doe", "url": BASE + "author/jane-doe/"}
    assert ld["image"] == [BASE + "assets/img/hero.jpg"] or ld["image"] == BASE + "assets/img/hero.jpg"
    assert ld["publisher"]["@type"] in ("Organization", "NewsMediaOrganization")
    assert ld["publisher"]["name"] == "Test News"
    assert ld["publisher"]["logo"]["url"] == BASE + "assets/img/logo.svg"
    assert ld["articleSection"] == "Bitcoin"
    assert ld["keywords"] == ["Mining", "ETFs"] or ld["keywords"] == "Mining, ETFs"
    assert ld["mainEntityOfPage"]["@id"] == BASE + TRICKY_URL.lstrip("/")


def test_article_has_breadcrumb_structured_data(news):
    [ld] = doc(news, TRICKY_URL).jsonld_of("BreadcrumbList")
    items = ld["itemListElement"]
    assert [i["position"] for i in items] == [1, 2, 3]
    assert [i["name"] for i in items] == ["Home", "Bitcoin", TRICKY]
    assert [i["item"] for i in items] == [BASE, BASE + "category/bitcoin/", BASE + TRICKY_URL.lstrip("/")]


def test_title_with_script_and_quotes_stays_escaped(news):
    text = news.page(TRICKY_URL).read_text(encoding="utf-8")
    d = Doc.parse(text)
    # the only scripts are the page's own (JSON-LD and files): nothing from the title became markup
    assert all(s.get("type") == "application/ld+json" or s.get("src") for s in d.scripts), d.scripts
    assert "<script>alert" not in text and "</script><script>" not in text
    for raw in d.jsonld_raw:
        assert "<" not in raw and ">" not in raw
    assert [ld["headline"] for ld in d.jsonld_of("NewsArticle")] == [TRICKY]
    assert d.title.startswith(TRICKY)
    assert d.meta("og:title") == [TRICKY]
    assert Doc.load(news.page(TRICKY_URL)).jsonld_of("BreadcrumbList")[0]["itemListElement"][-1]["name"] == TRICKY
    # the same title in the cards of list pages and in the feeds
    assert TRICKY in doc(news, "/category/bitcoin/").text("main")


# --- list pages --------------------------------------------------------------------------------

def test_list_pages_have_collection_data_and_prev_next(news):
    first, second = doc(news, "/category/policy/"), doc(news, "/category/policy/page/2/")
    for d, url in ((first, "/category/policy/"), (second, "/category/policy/page/2/")):
        [ld] = d.jsonld_of("CollectionPage")
        assert ld["url"] == BASE + url.lstrip("/")
        assert ld["name"] and ld["isPartOf"]["url"] == BASE
        assert d.jsonld_of("BreadcrumbList")
        assert [l["href"] for l in d.link_rel("canonical")] == [BASE + url.lstrip("/")]
    assert [l["href"] for l in first.link_rel("next")] == ["/category/policy/page/2/"] and not first.link_rel("prev")
    assert [l["href"] for l in second.link_rel("prev")] == ["/category/policy/"] and not second.link_rel("next")
    # three home pages, anchored (the default): "/" (newest), then /page/3/, then /page/2/ (the oldest)
    middle = doc(news, "/page/3/")
    assert [l["href"] for l in middle.link_rel("prev")] == ["/"] and [l["href"] for l in middle.link_rel("next")] == ["/page/2/"]
    assert not doc(news, "/page/2/").link_rel("next") and not news.page("/page/4/").exists()
    assert middle.jsonld_of("CollectionPage")
    for url in ("/tag/regulation/", "/coin/eth/", "/category/bitcoin/"):
        assert doc(news, url).jsonld_of("CollectionPage"), url


# --- coins -------------------------------------------------------------------------------------

def _card_links(d: Doc) -> list[str]:
    return [a["href"] for a in d.find("a", within="card__title")]


def test_each_coin_has_a_page_listing_its_articles(news):
    assert _card_links(doc(news, "/coin/btc/")) == [TRICKY_URL]
    eth = _card_links(doc(news, "/coin/eth/")) + _card_links(doc(news, "/coin/eth/page/2/"))
    assert eth == [TRICKY_URL, "/2025/07/fresh-policy-news/", "/2025/07/policy-three/", "/2025/07/policy-two/",
                   "/2025/07/policy-one/"]
    index = [a["href"] for a in doc(news, "/coin/").find("a", within="terms")]
    assert index == ["/coin/btc/", "/coin/eth/"] or sorted(index) == ["/coin/btc/", "/coin/eth/"]
    article = doc(news, TRICKY_URL)
    assert [a["href"] for a in article.find("a", within="taglist--coins")] == ["/coin/btc/", "/coin/eth/"]
    # the ticker links a coin to its page when it has one
    assert {a["href"] for a in doc(news, "/").find("a", cls="ticker__name")} == {"/coin/btc/", "/coin/eth/"}


def test_coin_page_has_the_ticker_figures_at_the_top(news):
    d = doc(news, "/coin/btc/")
    assert "$97,123.45" in d.text(".ticker") and "-1.23%" in d.text(".ticker")


def test_coin_page_main_shows_that_coins_figures_above_its_articles(news):
    d = doc(news, "/coin/btc/")
    main = d.text("main")
    assert "$97,123.45" in main and "-1.23%" in main, main
    html = news.page("/coin/btc/").read_text(encoding="utf-8")
    body = html[html.index("<main"):]
    assert body.index("$97,123.45") < body.index(TRICKY_URL), "the figures come before the article list"
    eth = doc(news, "/coin/eth/page/2/").text("main")
    assert "$3,456.70" in eth and "+2.50%" in eth, eth


# --- the ticker snapshot -----------------------------------------------------------------------

def test_ticker_snapshot_is_in_the_static_html_of_every_page(news):
    for url, d in reader_pages(news).items():
        coins = [li["data-coin"] for li in d.find("li", cls="ticker__coin")]
        assert coins == ["bitcoin", "ethereum", "solana"], url
        text = d.text(".ticker")
        for figure in ("$97,123.45", "-1.23%", "$3,456.70", "+2.50%", "$150.00"):
            assert figure in text, (url, figure, text)
        times = d.find("time", within="ticker__asof")
        assert [datetime.fromisoformat(t["datetime"]) for t in times] == [datetime(2025, 7, 20, 8, 0, tzinfo=timezone.utc)]
        assert "as of" in text and "2025" in d.text(".ticker__asof"), url


# --- images ------------------------------------------------------------------------------------

def _srcset(value: str) -> list[tuple[str, int]]:
    out = []
    for part in value.split(","):
        url, width = part.split()
        out.append((url, int(width.rstrip("w"))))
    return out


def test_featured_image_has_resized_webp_and_jpeg_variants(news):
    d = doc(news, "/category/bitcoin/")
    [picture_source] = [s for s in d.find("source", within="card-list") if "hero" in s.get("srcset", "")]
    [img] = [i for i in d.find("img", within="card-list") if "hero" in i.get("src", "")]
    assert picture_source["type"] == "image/webp"
    webp, jpeg = _srcset(picture_source["srcset"]), _srcset(img["srcset"])
    widths = {320, 640, 1200}
    assert {w for u, w in webp if "/_v/" in u and u.endswith(".webp")} == widths
    assert {w for u, w in jpeg if "/_v/" in u and u.endswith(".jpg")} == widths
    assert max(w for _, w in jpeg) == 1600  # the original is the largest candidate
    for url, width in webp + jpeg:
        path = news.out / url.lstrip("/")
        assert path.is_file(), url
        with Image.open(path) as im:
            assert im.width == width, url
            if width in widths:
                assert im.format == ("WEBP" if url.endswith(".webp") else "JPEG"), url
                assert im.height == round(900 * width / 1600), url
    assert (img["width"], img["height"]) == ("1600", "900")


def test_unreadable_featured_image_is_an_error_naming_the_article(tmp_path):
    """A corrupt image (next to good ones, whose variants are made on every core) fails the
    build with the article named; the article and every other page are still published."""
    site = write_news_site(tmp_path / "site")
    whole = site.root / "assets/img/whole.jpg"
    Image.new("RGB", (1500, 1000), (90, 160, 20)).save(whole, quality=85)
    (site.root / "assets/img/broken.jpg").write_bytes(whole.read_bytes()[:700])  # a header, then nothing
    whole.unlink()
    Image.new("RGB", (1400, 800), (20, 90, 160)).save(site.root / "assets/img/second.jpg", quality=85)
    site.write("content/articles/2025-07-15-broken.md", front_matter(
        {"title": "Broken picture", "date": "2025-07-15", "category": "Bitcoin", "image": "/assets/img/broken.jpg"}))
    site.write("content/articles/2025-07-16-second.md", front_matter(
        {"title": "Second picture", "date": "2025-07-16", "category": "Bitcoin", "image": "/assets/img/second.jpg"}))
    done = site.build(env=EPOCH)
    assert done.returncode == 1, done.stderr
    [line] = [l for l in done.stderr.splitlines() if "broken.jpg" in l]
    assert "content/articles/2025-07-15-broken.md" in line and "cannot be read" in line, line
    assert site.page("/2025/07/broken-picture/").is_file() and site.page("/2025/07/second-picture/").is_file()
    variants = sorted(p.name for p in (site.out / "assets/img/_v").iterdir())
    assert not [v for v in variants if v.startswith("broken-")], variants
    assert {v.rsplit("-", 1)[1] for v in variants if v.startswith("second-")} == {"320.jpg", "320.webp", "640.jpg",
                                                                                  "640.webp", "1200.jpg", "1200.webp"}


def _imgs(d: Doc, within: str) -> list[dict]:
    return d.find("img", within=within)


def test_cards_related_and_trending_images_are_sized_and_lazy_below_the_fold(news):
    home = doc(news, "/")
    lead = _imgs(home, "lead-story")
    assert lead and all("loading" not in i for i in lead), lead  # the top story loads at once
    sidebar = home if _imgs(home, "widget--trending") else doc(news, "/widgets/lists/")  # inline, or in an iframe
    # (cards of articles without an image have none: four of the articles here have one)
    below = [i for region in ("latest", "cat-block") for i in _imgs(home, region)] + _imgs(sidebar, "widget--trending")
    assert len(below) >= 4
    for i in below:
        assert i.get("loading") == "lazy", i
    for i in lead + below:
        assert i.get("width", "").isdigit() and i.get("height", "").isdigit(), i
        assert i.get("alt") is not None
    article = doc(news, "/2025/07/fresh-policy-news/")
    related = _imgs(article, "related")
    assert related and all(i.get("loading") == "lazy" and i.get("srcset") for i in related), related
    trending = _imgs(sidebar, "widget--trending")
    assert trending and all(i.get("loading") == "lazy" for i in trending)
    for region in ("related", "widget--trending", "card-list"):
        for d in (article, doc(news, "/category/policy/"), sidebar):
            for s in d.find("source", within=region):
                variants = [u for u, _ in _srcset(s["srcset"]) if "/_v/" in u]
                assert s["type"] == "image/webp" and variants and all(u.endswith(".webp") for u in variants), s
    featured = _imgs(doc(news, TRICKY_URL), "article__image")
    assert len(featured) == 1 and "loading" not in featured[0] and featured[0]["width"] == "1600"


def test_missing_featured_image_is_an_error_naming_the_article(site):
    site.write("content/articles/2025/lost.md", front_matter(
        {"title": "Lost Picture", "date": "2025-07-01T10:00:00Z", "category": "Bitcoin",
         "image": "/assets/img/not-there.jpg"}) + "\nBody.\n")
    site.write("content/articles/2025/fine.md", front_matter(
        {"title": "Fine", "date": "2025-07-02T10:00:00Z", "category": "Bitcoin"}) + "\nBody.\n")
    done = site.build()
    assert done.returncode == 1, done.stderr
    lines = [l for l in done.stderr.splitlines() if "not-there.jpg" in l]
    assert lines and "content/articles/2025/lost.md" in lines[0] and "error" in lines[0], done.stderr
    assert "fine.md" not in done.stderr
    assert site.page("/2025/07/fine/").is_file()  # the rest is published


def test_image_variants_are_cached_between_builds(site):
    Image.new("RGB", (1400, 800), (20, 90, 160)).save(site.root / "assets/img/pic.png")
    site.write("content/articles/a.md", front_matter({"title": "With Picture", "date": "2025-07-01T10:00:00Z",
                                                      "category": "Bitcoin", "image": "/assets/img/pic.png"}) + "\nBody.\n")
    first = site.build()
    assert first.returncode == 0, first.stderr
    cache = site.root / ".cache" / "images"
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    made = sorted(re.sub(r"-[0-9a-f]{8}-", "-H-", n) for n in before if n.startswith("pic-"))
    assert made == sorted(f"pic-H-{w}.{e}" for w in (320, 640, 1200) for e in ("png", "webp"))
    site.write("content/articles/b.md", front_matter({"title": "Another", "date": "2025-07-02T10:00:00Z",
                                                      "category": "Policy"}) + "\nBody.\n")
    second = site.build()
    assert second.returncode == 0, second.stderr
    after = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert after == before
    variants = sorted(p.name for p in (site.out / "assets/img/_v").iterdir())
    assert [n for n in variants if n.startswith("pic-")] == sorted(n for n in before if n.startswith("pic-"))
