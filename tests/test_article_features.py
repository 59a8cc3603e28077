"""Newsroom features of an article: embeds, in-article images, corrections, expiry, sponsored
content and press releases, per-article SEO overrides. Tiny sites built for real, read back as
HTML (and, for embeds, in a real browser that logs every request)."""

from __future__ import annotations

import json
import re
import subprocess
from urllib.parse import urlsplit

import pytest

from conftest import Doc, Site, article
from sitetools import LOCAL, StaticServer, VNU_JAR, axe, describe_violations, need_axe, need_vnu

EMBED_BODY = """\
The chart and the clip below.

https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m5s

https://x.com/jack/status/20

https://www.tradingview.com/symbols/BINANCE-BTCUSDT/

https://cdn.example.com/clips/launch.mp4

https://example.com/not-an-embed

https://www.youtube.com/watch?v=short

A closing paragraph with <https://example.com/plain> as a link.
"""


def _facades(page: Doc) -> list[dict]:
    return [attrs for tag, attrs, _ in page.find_all() if tag == "a" and "embed__facade" in attrs.get("class", "")]


def test_bare_urls_become_click_to_load_facades(site: Site):
    site.write("content/embeds.md", article("Embeds", "2025-03-01", "Bitcoin", body=EMBED_BODY))
    done = site.build()
    assert done.returncode == 0, done.stderr
    page = site.html("/2025/03/embeds/")
    facades = _facades(page)
    assert [a["href"] for a in facades] == [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=65s", "https://x.com/jack/status/20",
        "https://www.tradingview.com/chart/?symbol=BINANCE%3ABTCUSDT", "https://cdn.example.com/clips/launch.mp4"]
    assert facades[0]["data-embed-src"].startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?")
    assert "start=65" in facades[0]["data-embed-src"]
    for a in facades:  # a size for the player, and a name for the link
        assert int(a["data-embed-width"]) > 0 and int(a["data-embed-height"]) > 0
    names = [" ".join("".join(text).split()) for tag, attrs, text in page.find_all()
             if tag == "span" and attrs.get("class") == "embed__label"]
    assert names == ["Play YouTube video", "Show post by @jack on X", "Show TradingView chart of BINANCE:BTCUSDT",
                     "Play video: launch.mp4"]
    # nothing from another site is in the page as written: no iframe, no remote image or script
    html = site.text("/2025/03/embeds/")
    assert "<iframe" not in html.split('class="article__body')[1].split("</article>")[0]
    for tag, attrs, _ in page.find_all():
        for key in ("src", "srcset", "poster"):
            if tag in ("img", "iframe", "script", "video", "source") and key in attrs:
                assert not attrs[key].startswith(("http:", "https:", "//")), (tag, attrs)
    # what could not be embedded is a plain link and a warning at its line
    assert "https://example.com/not-an-embed" in page.links
    assert "https://www.youtube.com/watch?v=short" in page.links
    lines = (site.root / "content/embeds.md").read_text().split("\n")
    unknown = lines.index("https://example.com/not-an-embed") + 1
    malformed = lines.index("https://www.youtube.com/watch?v=short") + 1
    assert re.search(rf"content/embeds\.md:{unknown}: warning: https://example\.com/not-an-embed is not", done.stderr)
    assert re.search(rf"content/embeds\.md:{malformed}: warning: .*video id 'short'", done.stderr)
    assert "2 warnings" in done.stderr
    assert "https://example.com/plain" in page.links  # an autolink is not an embed request


def test_embed_warnings_survive_a_rebuild_from_the_body_cache(site: Site):
    site.write("content/embeds.md", article("Embeds", "2025-03-01", "Bitcoin", body=EMBED_BODY))
    first = site.build()
    toml = (site.root / "site.toml").read_text()
    site.write("site.toml", toml.replace('title = "Test News"', 'title = "Other News"'))  # every file parsed again
    second = site.build()
    warnings = lambda text: sorted(line for line in text.splitlines() if ": warning: " in line)  # noqa: E731
    assert warnings(second.stderr) == warnings(first.stderr) and len(warnings(first.stderr)) == 2


def test_embeds_in_fenced_code_lists_and_quotes_stay_text(site: Site):
    body = "```\nhttps://youtu.be/dQw4w9WgXcQ\n```\n\n- https://youtu.be/dQw4w9WgXcQ\n\n> https://youtu.be/dQw4w9WgXcQ\n"
    site.write("content/code.md", article("Code", "2025-03-01", "Bitcoin", body=body))
    done = site.build()
    assert done.returncode == 0 and ": warning:" not in done.stderr, done.stderr
    assert _facades(site.html("/2025/03/code/")) == []


@pytest.fixture(scope="module")
def embed_site(tmp_path_factory):
    site = Site.new(tmp_path_factory.mktemp("embeds") / "site")
    site.write("content/embeds.md", article("Embeds", "2025-03-01", "Bitcoin", body=EMBED_BODY))
    done = site.build()
    assert done.returncode == 0, done.stderr
    return site


@pytest.mark.browser
def test_no_third_party_request_before_a_click(embed_site: Site, browser):
    """The network log of a real browser: nothing leaves 127.0.0.1 until the reader clicks a
    facade; then the player comes in the same box (no layout shift)."""
    requests: list[str] = []
    with StaticServer(embed_site.out) as server:
        context = browser.new_context()
        context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]|data:|blob:|about:).*"), lambda route: route.abort())
        context.on("request", lambda request: requests.append(request.url))
        try:
            page = context.new_page()
            page.goto(server.url("/2025/03/embeds/"), wait_until="load")
            page.mouse.wheel(0, 4000)  # scroll every facade into view: nothing lazy loads either
            page.wait_for_timeout(500)
            offsite = [u for u in requests if not LOCAL.match(u)]
            assert offsite == [], offsite
            assert context.cookies() == []
            facade = page.locator("a.embed__facade").first
            facade.scroll_into_view_if_needed()
            before = facade.bounding_box()
            facade.click()
            player = page.locator("iframe.embed__player")
            player.wait_for(state="attached")
            after = player.bounding_box()
            assert player.get_attribute("title") == "Play YouTube video"
            assert player.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
            assert abs(before["height"] - after["height"]) < 1 and abs(before["width"] - after["width"]) < 1
            page.wait_for_timeout(300)
            assert any(urlsplit(u).hostname == "www.youtube-nocookie.com" for u in requests), requests
            need_axe()
            violations = axe(page)
            assert violations == [], describe_violations(violations)
        finally:
            context.close()


@pytest.mark.browser
def test_a_facade_is_a_plain_link_without_javascript(embed_site: Site, browser):
    with StaticServer(embed_site.out) as server:
        context = browser.new_context(java_script_enabled=False)
        context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]|data:|blob:|about:).*"), lambda route: route.abort())
        try:
            page = context.new_page()
            page.goto(server.url("/2025/03/embeds/"), wait_until="load")
            link = page.get_by_role("link", name=re.compile("Show post by @jack on X"))
            assert link.get_attribute("href") == "https://x.com/jack/status/20"
        finally:
            context.close()


def vnu_errors(*pages) -> list[str]:
    """The Nu Html Checker's errors on these files."""
    java = need_vnu()
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, pages)],
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    report = json.loads(done.stderr or done.stdout or '{"messages": []}')
    return [f"{m.get('url', '').rsplit('/', 3)[-3:]}:{m.get('lastLine')}: {m.get('message')}"
            for m in report.get("messages", []) if m.get("type") in ("error", "non-document-error")]


def test_embed_page_is_valid_html(embed_site: Site):
    assert vnu_errors(embed_site.page("/2025/03/embeds/")) == []


# --- images inside articles --------------------------------------------------------------------

def _jpeg(width: int, height: int) -> bytes:
    import io

    from PIL import Image as PILImage
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


IMAGE_BODY = """\
Text before.

![A chart of fund flows](/assets/img/flows.jpg "Weekly flows into spot funds")

Inline ![a coin](/assets/img/flows.jpg) in a sentence.
"""


def _imgs(page: Doc) -> list[dict]:
    return [attrs for tag, attrs, _ in page.find_all() if tag == "img"]


def test_images_in_the_body_get_size_variants_and_a_caption(site: Site):
    site.write("assets/img/flows.jpg", _jpeg(1600, 900))
    site.write("assets/img/lead.jpg", _jpeg(1400, 700))
    site.write("content/flows.md", article("Flows", "2025-03-01", "Bitcoin", body=IMAGE_BODY, image="/assets/img/lead.jpg"))
    done = site.build()
    assert done.returncode == 0, done.stderr
    html = site.text("/2025/03/flows/")
    body = Doc.parse(html.split('class="article__body')[1].split("</article>")[0])
    figure, inline = _imgs(body)
    for img in (figure, inline):
        assert (img["width"], img["height"]) == ("1600", "900")
        assert img["loading"] == "lazy" and img["decoding"] == "async"
        widths = [int(part.split()[-1][:-1]) for part in img["srcset"].split(", ")]
        assert widths == [320, 640, 1200, 1600]
        for part in img["srcset"].split(", "):
            assert site.page(part.split()[0]).is_file(), part
    sources = [attrs for tag, attrs, _ in body.find_all() if tag == "source"]
    assert sources and all(s["type"] == "image/webp" and ".webp 320w" in s["srcset"] for s in sources)
    captions = [" ".join("".join(text).split()) for tag, _, text in body.find_all() if tag == "figcaption"]
    assert captions == ["Weekly flows into spot funds"]
    assert figure["alt"] == "A chart of fund flows" and "title" not in figure
    assert re.search(r'<figure class="figure"><picture>.*?</picture><figcaption>', html, re.S)
    # the featured image is the page's main one: fetched first, never lazy
    lead = [img for img in _imgs(site.html("/2025/03/flows/")) if "lead" in img["src"]][0]
    assert lead.get("fetchpriority") == "high" and "loading" not in lead


def test_a_missing_body_image_is_a_warning_at_its_line(site: Site):
    """Imported posts often link files the host serves from elsewhere: the page keeps the image as
    written, and the build says where it is (--strict fails on it)."""
    site.write("content/a.md", article("Missing", "2025-03-01", "Bitcoin", body="Text.\n\n![gone](/assets/img/gone.png)\n"))
    site.write("content/b.md", article("Fine", "2025-03-02", "Bitcoin"))
    done = site.build()
    assert done.returncode == 0
    lines = (site.root / "content/a.md").read_text().split("\n")
    line = lines.index("![gone](/assets/img/gone.png)") + 1
    assert f"content/a.md:{line}: warning: image /assets/img/gone.png does not exist" in done.stderr
    assert "/assets/img/gone.png" in site.text("/2025/03/missing/")
    assert site.build("--strict").returncode == 1
    assert site.page("/2025/03/fine/").is_file() and site.page("/2025/03/missing/").is_file()


def test_a_changed_body_image_rebuilds_like_a_cold_build(site: Site, tmp_path):
    import shutil

    from conftest import tree_hashes
    site.write("assets/img/flows.jpg", _jpeg(1600, 900))
    site.write("content/flows.md", article("Flows", "2025-03-01", "Bitcoin", body=IMAGE_BODY))
    assert site.build().returncode == 0
    site.write("assets/img/flows.jpg", _jpeg(800, 800))
    assert site.build().returncode == 0
    img = _imgs(site.html("/2025/03/flows/"))
    assert any(i.get("width") == "800" and i.get("height") == "800" for i in img)
    cold = tmp_path / "cold"
    shutil.copytree(site.root, cold, ignore=shutil.ignore_patterns(".cache", "public"))
    assert Site(cold).build().returncode == 0
    assert tree_hashes(site.out) == tree_hashes(cold / "public")


def test_body_images_under_a_sub_path(site: Site):
    toml = (site.root / "site.toml").read_text().replace("https://test.example/", "https://test.example/news/")
    site.write("site.toml", toml)
    site.write("assets/img/flows.jpg", _jpeg(1600, 900))
    site.write("content/flows.md", article("Flows", "2025-03-01", "Bitcoin", body=IMAGE_BODY))
    assert site.build().returncode == 0
    img = _imgs(site.html("/2025/03/flows/"))[-1]
    assert img["src"] == "/news/assets/img/flows.jpg"
    assert all(part.startswith("/news/assets/img/") for part in img["srcset"].split(", "))


# --- corrections and updates -------------------------------------------------------------------

UPDATES = """\
updates:
  - date: 2025-03-02T10:00:00Z
    note: Corrected the fund's name.
  - date: 2025-03-04T08:30:00Z
    note: Added the regulator's comment."""


def _jsonld(page_html: str, kind: str) -> dict:
    for raw in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page_html, re.S):
        data = json.loads(raw)
        if data.get("@type") == kind:
            return data
    raise AssertionError(f"no {kind} JSON-LD")


def test_updates_show_as_a_dated_notice_and_set_date_modified(site: Site):
    text = article("Flows", "2025-03-01T09:00:00Z", "Bitcoin").replace("category: Bitcoin", "category: Bitcoin\n" + UPDATES)
    site.write("content/flows.md", text)
    site.write("content/other.md", article("Other", "2025-02-01", "Bitcoin"))
    done = site.build()
    assert done.returncode == 0, done.stderr
    html = site.text("/2025/03/flows/")
    page = Doc.parse(html)
    notice = [attrs for tag, attrs, _ in page.find_all() if tag == "aside" and "notice--updates" in attrs.get("class", "")]
    assert notice and notice[0]["aria-label"] == "Corrections and updates"
    items = re.findall(r'<li><time datetime="([^"]+)">[^<]+</time>: ([^<]+)</li>', html)
    assert [note for _, note in items] == ["Added the regulator&#39;s comment.", "Corrected the fund&#39;s name."]
    assert _jsonld(html, "NewsArticle")["dateModified"] == "2025-03-04T08:30:00+00:00"
    feed = (site.out / "feed.xml").read_text()
    entry = feed.split("<entry>")[1]
    assert "<title>Flows</title>" in entry and "<updated>2025-03-04T08:30:00Z</updated>" in entry
    assert json.loads((site.out / "feed.json").read_text())["items"][0]["date_modified"] == "2025-03-04T08:30:00Z"
    sitemap = (site.out / "sitemap.xml").read_text()
    assert re.search(r"<loc>https://test\.example/2025/03/flows/</loc><lastmod>2025-03-04T08:30:00Z</lastmod>", sitemap)


def test_bad_update_entries_are_errors_at_their_line(site: Site):
    bad = ("updates:\n  - date: 2025-03-02\n    note: Fine.\n  - date: someday\n    note: Bad date.\n"
           "  - just words\n  - date: 2025-03-03")
    site.write("content/flows.md", article("Flows", "2025-03-01", "Bitcoin").replace("category: Bitcoin", "category: Bitcoin\n" + bad))
    site.write("content/other.md", article("Other", "2025-02-01", "Bitcoin"))
    done = site.build()
    assert done.returncode == 1
    lines = (site.root / "content/flows.md").read_text().split("\n")
    at = {text: n for n, text in enumerate(lines, 1)}
    assert f"content/flows.md:{at['  - date: someday']}: error: updates entry 2: date 'someday' is not a date" in done.stderr
    assert f"content/flows.md:{at['  - just words']}: error: updates entry 3 is 'just words'" in done.stderr
    assert f"content/flows.md:{at['  - date: 2025-03-03']}: error: updates entry 4: no note" in done.stderr
    assert "hint: each entry" in done.stderr
    html = site.text("/2025/03/flows/")
    assert "Fine." in html and site.page("/2025/02/other/").is_file()


# --- expiry ------------------------------------------------------------------------------------

def _listed_everywhere(site: Site, url: str) -> dict[str, bool]:
    """Where an article's URL appears: home, category, tag, feeds, sitemaps, related lists."""
    absolute = "https://test.example" + url
    where = {
        "home": url in Doc.parse(site.text("/")).links,
        "category": url in site.html("/category/bitcoin/").links,
        "tag": site.page("/tag/etfs/").is_file() and url in site.html("/tag/etfs/").links,
        "feed.xml": absolute in (site.out / "feed.xml").read_text(),
        "feed.json": absolute in (site.out / "feed.json").read_text(),
        "category feed": absolute in (site.out / "category/bitcoin/feed.xml").read_text(),
        "sitemap": absolute in (site.out / "sitemap.xml").read_text(),
        "news sitemap": absolute in (site.out / "sitemap-news.xml").read_text(),
        "related": url in site.html("/2025/03/other/").links,
    }
    return where


def test_an_expired_article_leaves_every_list_and_is_archived(site: Site):
    clock = {"SOURCE_DATE_EPOCH": "1741003200"}  # 2025-03-03T12:00:00Z
    site.write("content/old.md", article("Old offer", "2025-03-02T09:00:00Z", "Bitcoin", tags=["ETFs"],
                                         expires="2025-03-03T10:00:00Z"))
    site.write("content/live.md", article("Live offer", "2025-03-02T08:00:00Z", "Bitcoin", tags=["ETFs"],
                                          expires="2025-03-05T00:00:00Z"))
    site.write("content/other.md", article("Other", "2025-03-02T07:00:00Z", "Bitcoin", tags=["ETFs"]))
    done = site.build(env=clock)
    assert done.returncode == 0, done.stderr
    assert not any(_listed_everywhere(site, "/2025/03/old-offer/").values()), _listed_everywhere(site, "/2025/03/old-offer/")
    live = _listed_everywhere(site, "/2025/03/live-offer/")
    assert all(live.values()), live
    html = site.text("/2025/03/old-offer/")
    assert '<meta name="robots" content="noindex">' in html
    assert "notice--archived" in html and "no longer current" in html
    assert '<meta name="robots"' not in site.text("/2025/03/live-offer/")


def test_an_expired_article_can_be_removed(site: Site):
    site.write("site.toml", (site.root / "site.toml").read_text().replace('per_page = 3', 'per_page = 3\nexpired = "remove"'))
    site.write("content/old.md", article("Old offer", "2025-03-02", "Bitcoin", expires="2025-03-03"))
    site.write("content/other.md", article("Other", "2025-03-01", "Bitcoin"))
    assert site.build(env={"SOURCE_DATE_EPOCH": "1741003200"}).returncode == 0
    assert not site.page("/2025/03/old-offer/").exists() and site.page("/2025/03/other/").is_file()


def test_a_rebuild_at_the_expiry_time_changes_the_output_like_a_cold_build(site: Site, tmp_path):
    """The build's next_change includes the expiry: the same sources built after it differ, and
    the incremental result equals a cold build at that time."""
    import shutil

    from conftest import tree_hashes
    site.write("content/old.md", article("Old offer", "2025-03-02T09:00:00Z", "Bitcoin", expires="2025-03-03T10:00:00Z"))
    site.write("content/other.md", article("Other", "2025-03-01", "Bitcoin"))
    before = {"SOURCE_DATE_EPOCH": "1740992400"}  # 2025-03-03T09:00:00Z
    after = {"SOURCE_DATE_EPOCH": "1740996000"}  # 2025-03-03T10:00:00Z: the expiry
    assert site.build(env=before).returncode == 0
    assert "/2025/03/old-offer/" in Doc.parse(site.text("/")).links
    assert site.build(env=after).returncode == 0
    assert "/2025/03/old-offer/" not in Doc.parse(site.text("/")).links
    cold = tmp_path / "cold"
    shutil.copytree(site.root, cold, ignore=shutil.ignore_patterns(".cache", "public"))
    assert Site(cold).build(env=after).returncode == 0
    assert tree_hashes(site.out) == tree_hashes(cold / "public")


def test_a_bad_expiry_is_an_error_and_the_article_stays(site: Site):
    site.write("content/old.md", article("Old offer", "2025-03-02", "Bitcoin", expires="next week"))
    done = site.build()
    assert done.returncode == 1
    assert re.search(r"content/old\.md:\d+: error: expires 'next week' is not a date", done.stderr)
    assert "/2025/03/old-offer/" in Doc.parse(site.text("/")).links


# --- sponsored content and press releases ------------------------------------------------------

def test_sponsored_and_press_releases_are_labelled_disclosed_and_listed(site: Site):
    clock = {"SOURCE_DATE_EPOCH": "1741003200"}  # 2025-03-03T12:00:00Z: all three are in the news window
    site.write("content/paid.md", article("Paid Post", "2025-03-03T09:00:00Z", "Bitcoin", sponsored="true",
                                          body="See [the sponsor](https://sponsor.example/) and [our news](/), "
                                               "[our desk](https://TEST.example/about/)."))
    site.write("content/wire.md", article("Wire Copy", "2025-03-03T08:00:00Z", "Bitcoin", type="press-release",
                                          body='Read [the filing](https://sec.example/f "Filing").'))
    site.write("content/news.md", article("Own News", "2025-03-03T07:00:00Z", "Bitcoin",
                                          body="See [a source](https://source.example/)."))
    done = site.build(env=clock)
    assert done.returncode == 0, done.stderr
    labels = lambda url: [" ".join("".join(t).split()) for tag, a, t in site.html(url).find_all()  # noqa: E731
                          if tag == "span" and a.get("class") == "label"]
    assert sorted(labels("/")) == ["Press release", "Sponsored"]  # on the cards
    assert labels("/2025/03/paid-post/")[0] == "Sponsored"
    assert labels("/2025/03/wire-copy/")[0] == "Press release"
    paid, wire, own = (site.text(u) for u in ("/2025/03/paid-post/", "/2025/03/wire-copy/", "/2025/03/own-news/"))
    assert 'aria-label="Disclosure"' in paid and "Sponsored content." in paid
    assert 'aria-label="Disclosure"' in wire and "Press release." in wire
    assert 'aria-label="Disclosure"' not in own and 'class="article__label"' not in own
    assert '<a href="https://sponsor.example/" rel="sponsored">' in paid and '<a href="/">our news</a>' in paid
    assert '<a href="https://TEST.example/about/">our desk</a>' in paid  # the site's own, written absolute
    assert re.search(r'<a href="https://sec\.example/f" title="Filing" rel="sponsored">', wire)
    assert '<a href="https://source.example/">' in own
    news = (site.out / "sitemap-news.xml").read_text()
    assert "/2025/03/own-news/" in news and "paid-post" not in news and "wire-copy" not in news
    sponsored, press = (Doc.parse(site.text(u).split("<main")[1].split("</main>")[0])
                        for u in ("/sponsored/", "/press-releases/"))
    assert "/2025/03/paid-post/" in sponsored.links and "/2025/03/wire-copy/" not in sponsored.links
    assert "/2025/03/wire-copy/" in press.links and "/2025/03/own-news/" not in press.links
    assert "https://test.example/sponsored/" in (site.out / "sitemap.xml").read_text()


def test_seo_overrides(site: Site):
    site.write("content/copy.md", article("Syndicated", "2025-03-01", "Bitcoin", noindex="yes",
                                          canonical="https://origin.example/2025/03/story/",
                                          og_image="/assets/img/share.jpg"))
    site.write("assets/img/share.jpg", _jpeg(1200, 630))
    site.write("content/plain.md", article("Plain", "2025-03-02", "Bitcoin"))
    done = site.build()
    assert done.returncode == 0, done.stderr
    html = site.text("/2025/03/syndicated/")
    assert '<meta name="robots" content="noindex">' in html
    assert '<link rel="canonical" href="https://origin.example/2025/03/story/">' in html
    assert '<meta property="og:image" content="https://test.example/assets/img/share.jpg">' in html
    assert "/2025/03/syndicated/" not in (site.out / "sitemap.xml").read_text()
    assert "/2025/03/syndicated/" not in (site.out / "sitemap-news.xml").read_text()
    assert "/2025/03/syndicated/" in site.html("/").links  # still listed for readers
    plain = site.text("/2025/03/plain/")
    assert '<link rel="canonical" href="https://test.example/2025/03/plain/">' in plain and "noindex" not in plain


@pytest.mark.parametrize("key, value, message", [
    ("sponsored", "perhaps", "sponsored must be true or false, got 'perhaps'; taken as false"),
    ("noindex", "[1, 2]", "noindex must be true or false"),
    ("canonical", "origin.example/story", "canonical 'origin.example/story' is not an absolute http(s) URL"),
    ("og_image", "javascript:alert(1)", "og_image 'javascript:alert(1)' must be a site path"),
])
def test_bad_values_of_the_new_keys_are_errors_at_their_line(site: Site, key, value, message):
    site.write("content/bad.md", article("Bad", "2025-03-01", "Bitcoin", **{key: value}))
    site.write("content/good.md", article("Good", "2025-03-02", "Bitcoin"))
    done = site.build()
    assert done.returncode == 1
    line = (site.root / "content/bad.md").read_text().split("\n").index(f"{key}: {value}") + 1
    assert f"content/bad.md:{line}: error: {message}" in done.stderr, done.stderr
    assert "hint: " in done.stderr.split(message)[1].split("\n")[1]
    assert site.page("/2025/03/good/").is_file() and site.page("/2025/03/bad/").is_file()


def test_an_unknown_type_is_a_warning_and_an_ordinary_article(site: Site):
    site.write("content/post.md", article("Hugo Post", "2025-03-01", "Bitcoin", type="post"))
    site.write("content/blog.md", article("Blog", "2025-03-02", "Bitcoin", type="blog"))
    done = site.build()
    assert done.returncode == 0
    assert re.search(r"content/blog\.md:\d+: warning: type 'blog' is not one of: article, press-release", done.stderr)
    assert "post.md" not in done.stderr
    assert not site.page("/press-releases/").exists()


# --- sub-path deploys --------------------------------------------------------------------------

def test_a_sub_path_site_is_told_where_robots_txt_must_go(site: Site):
    site.write("content/a.md", article("A", "2025-03-01", "Bitcoin"))
    done = site.build()
    assert "robots.txt" not in done.stderr  # at the host's root: nothing to say
    site.write("site.toml", (site.root / "site.toml").read_text().replace("https://test.example/", "https://test.example/news/"))
    done = site.build("--strict")
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "robots.txt" in line]
    assert len(said) == 2 and said[0].startswith("site.toml: warning: base_url https://test.example/news/ has a path")
    assert "https://test.example/robots.txt" in said[0] and said[1].strip().startswith("hint: ")
    assert "Sitemap: https://test.example/news/sitemap.xml" in (site.out / "robots.txt").read_text()


# --- the new page parts are valid and accessible -----------------------------------------------

@pytest.fixture(scope="module")
def newsroom_site(tmp_path_factory):
    """One small site using every feature above, built once at a fixed time."""
    site = Site.new(tmp_path_factory.mktemp("newsroom") / "site")
    site.write("assets/img/flows.jpg", _jpeg(1600, 900))
    paid = article("Paid Post", "2025-03-03T09:00:00Z", "Bitcoin", sponsored="true", body=IMAGE_BODY + "\n" + EMBED_BODY)
    site.write("content/paid.md", paid.replace("category: Bitcoin", "category: Bitcoin\n" + UPDATES))
    site.write("content/wire.md", article("Wire Copy", "2025-03-03T08:00:00Z", "Bitcoin", type="press-release"))
    site.write("content/old.md", article("Old Offer", "2025-03-02T08:00:00Z", "Bitcoin", expires="2025-03-03T00:00:00Z"))
    site.write("content/news.md", article("Own News", "2025-03-03T07:00:00Z", "Bitcoin"))
    done = site.build(env={"SOURCE_DATE_EPOCH": "1741003200"})
    assert done.returncode == 0, done.stderr
    return site


NEW_PAGES = ("/2025/03/paid-post/", "/2025/03/wire-copy/", "/2025/03/old-offer/", "/sponsored/", "/press-releases/", "/")


def test_new_page_parts_are_valid_html(newsroom_site: Site):
    assert vnu_errors(*(newsroom_site.page(u) for u in NEW_PAGES)) == []


@pytest.mark.browser
@pytest.mark.parametrize("url", NEW_PAGES)
def test_new_page_parts_have_no_axe_violations(newsroom_site: Site, browser, url):
    need_axe()
    with StaticServer(newsroom_site.out) as server:
        context = browser.new_context()
        context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]|data:|blob:|about:).*"), lambda route: route.abort())
        try:
            page = context.new_page()
            page.goto(server.url(url), wait_until="load")
            violations = axe(page)
            assert violations == [], f"{url}:\n{describe_violations(violations)}"
        finally:
            context.close()


def test_an_archived_article_keeps_its_image_sizes_and_old_urls(site: Site):
    site.write("assets/img/lead.jpg", _jpeg(1400, 700))
    site.write("content/old.md", article("Old offer", "2025-03-02", "Bitcoin", expires="2025-03-03",
                                         image="/assets/img/lead.jpg", aliases="[/old/offer/]"))
    site.write("content/other.md", article("Other", "2025-03-01", "Bitcoin"))
    assert site.build(env={"SOURCE_DATE_EPOCH": "1741003200"}).returncode == 0
    lead = [i for i in _imgs(site.html("/2025/03/old-offer/")) if "lead" in i["src"]][0]
    assert (lead["width"], lead["height"]) == ("1400", "700") and "srcset" in lead
    assert "/2025/03/old-offer/" in site.page("/old/offer/").read_text()


def test_a_missing_share_image_is_an_error(site: Site):
    site.write("content/a.md", article("A", "2025-03-01", "Bitcoin", og_image="/assets/img/none.jpg"))
    done = site.build()
    assert done.returncode == 1
    assert "content/a.md: error: image /assets/img/none.jpg does not exist" in done.stderr
    assert "or fix the og_image: field" in done.stderr


def test_turning_an_article_sponsored_rebuilds_like_a_cold_build(site: Site, tmp_path):
    import shutil

    from conftest import tree_hashes
    site.write("content/paid.md", article("Paid Post", "2025-03-03", "Bitcoin", body=EMBED_BODY))
    site.write("content/news.md", article("Own News", "2025-03-02", "Bitcoin"))
    assert site.build().returncode == 0
    site.write("content/paid.md", article("Paid Post", "2025-03-03", "Bitcoin", sponsored="true", body=EMBED_BODY,
                                          updates='[{date: 2025-03-04, note: "Added a chart."}]'))
    assert site.build().returncode == 0
    assert "Partner content" in site.text("/2025/03/own-news/")  # the footer slot of an unchanged page
    cold = tmp_path / "cold"
    shutil.copytree(site.root, cold, ignore=shutil.ignore_patterns(".cache", "public"))
    assert Site(cold).build().returncode == 0
    assert tree_hashes(site.out) == tree_hashes(cold / "public")
