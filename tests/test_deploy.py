"""Deploy anywhere: the example site built for a sub-path (https://example.org/news/) and served
from a folder's sub-folder by a plain static host (python -m http.server on 127.0.0.1).

Every internal link, asset, feed, sitemap and the search index must work there; absolute URLs
must use the sub-path base; CSS and JS carry content-hashed names; `generator check` finds planted
broken links and anchors and passes a clean build.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from collections import deque
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))

from htmldoc import Doc  # noqa: E402
from sitetools import (StaticServer, copy_example, html_pages, launch, need_chromium, offline_context,  # noqa: E402
                       run_cli)

BASE = "https://example.org/news/"
PREFIX = "/news/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
HASHED = re.compile(r"\.[0-9a-f]{8,}\.(css|js)$")


class Deployed:
    def __init__(self, src: Path, root: Path, done):
        self.src, self.root, self.out, self.done = src, root, root / "news", done

    @property
    def pages(self) -> dict[str, Path]:
        return html_pages(self.out)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> Deployed:
    tmp = tmp_path_factory.mktemp("deploy")
    src = copy_example(tmp / "src")
    (tmp / "root").mkdir()
    done = run_cli("build", "--source", str(src), "--base-url", BASE, "--output", str(tmp / "root" / "news"))
    return Deployed(src, tmp / "root", done)


@pytest.fixture(scope="module")
def host(deployed):
    assert deployed.done.returncode == 0, deployed.done.stderr
    with StaticServer(deployed.root) as srv:
        yield srv


def to_host(url: str) -> str:
    """https://example.org/news/x/ -> /news/x/ (where the test host serves it)."""
    assert url.startswith(BASE), url
    return PREFIX + url[len(BASE):]


def test_sub_path_build_succeeds(deployed):
    assert deployed.done.returncode == 0, deployed.done.stderr
    assert (deployed.out / "index.html").is_file() and (deployed.out / "pagefind" / "shards.json").is_file()
    assert not (deployed.root / "index.html").exists()  # nothing written outside the output folder


@pytest.fixture(scope="module")
def crawl(deployed, host):
    """Follow every internal reference from the home and 404 pages: (pages, broken, anchors to check)."""
    # every edition's 404 page (the French one at fr/404.html) is a start: no page links to one
    queue = deque([(PREFIX, "(start)")] + [(PREFIX + u.lstrip("/"), "(start)") for u in sorted(deployed.pages)
                                           if u.endswith("/404.html") or u == "/404.html"])
    seen: set[str] = set()
    pages: dict[str, Doc] = {}
    broken: list[tuple[str, str, int]] = []
    fragments: list[tuple[str, str, str, str]] = []  # (page, ref, target path, fragment)
    outside: list[tuple[str, str]] = []
    while queue:
        path, referrer = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        status, body, ctype = host.get(quote(path, safe="/%:@!$&'()*+,;=-._~"))
        if status != 200:
            broken.append((referrer, path, status))
            continue
        if not ctype.startswith("text/html"):
            continue
        doc = Doc.parse(body.decode("utf-8"))
        pages[path] = doc
        refs = [ref for _, _, ref in doc.refs]
        refs += [a["data-index"] + "shards.json" for a in doc.find("div") if a.get("data-index")]
        for ref in refs:
            absolute = urljoin(host.url(path), ref)
            parts = urlsplit(absolute)
            if parts.scheme not in ("http", "https"):
                continue
            if parts.netloc != f"127.0.0.1:{host.port}":
                continue  # an absolute URL elsewhere: checked by test_absolute_urls_use_the_base_url
            target = unquote(parts.path)
            if not target.startswith(PREFIX):
                outside.append((path, ref))
                continue
            if parts.fragment:
                fragments.append((path, ref, target, unquote(parts.fragment)))
            if target not in seen:
                queue.append((target, path))
    return pages, broken, fragments, outside, seen


def test_every_internal_link_resolves_on_a_static_host(crawl, deployed):
    pages, broken, fragments, outside, seen = crawl
    assert outside == [], outside[:20]
    assert broken == [], broken[:20]
    on_disk = {PREFIX + u.lstrip("/") for u in deployed.pages}
    assert len(seen) > len(on_disk) + 40  # pages, and the stylesheet, scripts, images and variants they use
    assert any(s.endswith(".webp") for s in seen) and any(HASHED.search(s) for s in seen)
    assert set(pages) == on_disk, (sorted(on_disk - set(pages))[:10], sorted(set(pages) - on_disk)[:10])


def test_every_anchor_resolves(crawl):
    pages, _, fragments, _, _ = crawl
    assert len(fragments) > 50
    missing = [(page, ref) for page, ref, target, fragment in fragments
               if target in pages and fragment not in pages[target].ids]
    assert missing == [], missing[:20]


def _self_urls(doc: Doc) -> list[str]:
    urls = [l["href"] for l in doc.link_rel("canonical")]
    urls += [m for key in ("og:url", "og:image") for m in doc.meta(key)]

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if k in ("url", "@id", "item", "image", "target") and isinstance(v, str):
                    yield v.split("?")[0]
                elif k == "image" and isinstance(v, list):
                    yield from (x for x in v if isinstance(x, str))
                else:
                    yield from walk(v)
        elif isinstance(value, list):
            for v in value:
                yield from walk(v)

    for ld in doc.jsonld:
        urls += list(walk(ld))
    return urls


def test_absolute_urls_use_the_base_url(deployed, host):
    out = deployed.out
    urls: list[tuple[str, str]] = []
    for url, path in deployed.pages.items():
        urls += [(url, u) for u in _self_urls(Doc.load(path))]
    for feed in sorted(out.rglob("feed.xml")):
        root = ET.parse(feed).getroot()
        urls += [(feed.name, el.get("href")) for el in root.iter(f"{ATOM}link")]
        urls += [(feed.name, el.text) for el in root.iter(f"{ATOM}id")]
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    urls += [("feed.json", feed["home_page_url"]), ("feed.json", feed["feed_url"])]
    urls += [("feed.json", item[k]) for item in feed["items"] for k in ("id", "url", "image") if k in item]
    for name in ("sitemap.xml", "sitemap-news.xml"):
        root = ET.parse(out / name).getroot()
        urls += [(name, el.text) for el in root.iter(f"{SM}loc")]
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    urls += [("robots.txt", line.split(": ", 1)[1]) for line in robots.splitlines() if line.startswith("Sitemap: ")]
    assert len(urls) > 1000
    assert {u for _, u in urls if not (u or "").startswith(BASE)} == set()
    # and each of them is there, on the static host
    missing = []
    for where, u in dict.fromkeys(urls):
        status, _, _ = host.get(quote(to_host(u)))
        if status != 200:
            missing.append((where, u, status))
    assert missing == [], missing[:20]
    assert "Sitemap: https://example.org/news/sitemap.xml" in robots
    assert "Sitemap: https://example.org/news/sitemap-news.xml" in robots


def test_no_url_of_the_configured_base_is_left(deployed):
    leftovers = []
    for path in deployed.out.rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".txt", ".css", ".js") and "pagefind" not in path.parts:
            if re.search(r"//blockline\.example[/\"'<]", path.read_text(encoding="utf-8", errors="replace")):
                leftovers.append(path.relative_to(deployed.out).as_posix())
    assert leftovers == [], leftovers[:10]


def test_css_and_js_have_content_hashed_names(deployed):
    found = set()
    for url, path in deployed.pages.items():
        doc = Doc.load(path)
        refs = [l["href"] for l in doc.head_links if "stylesheet" in (l.get("rel") or "").split()]
        refs += [s["src"] for s in doc.scripts if s.get("src")]
        for ref in refs:
            assert ref.startswith(PREFIX + "assets/"), (url, ref)
            assert HASHED.search(ref), (url, ref)
            assert (deployed.out / ref[len(PREFIX):]).is_file(), (url, ref)
            found.add(ref)
    assert any(r.endswith(".css") for r in found) and any(r.endswith(".js") for r in found), found
    for name in ("site.css", "ticker.js", "search.js"):
        assert not list(deployed.out.rglob(name)), name  # only the hashed copies are published


def test_hashed_names_follow_the_content(site):
    site.write("content/articles/a.md", "---\ntitle: One\ndate: 2025-07-01T10:00:00Z\ncategory: Bitcoin\n---\n\nBody.\n")
    done = site.build()
    assert done.returncode == 0, done.stderr

    def stylesheet() -> str:
        doc = Doc.load(site.page("/"))
        [href] = [l["href"] for l in doc.head_links if "stylesheet" in (l.get("rel") or "").split()]
        return href

    first = stylesheet()
    again = site.build()
    assert again.returncode == 0 and stylesheet() == first  # same bytes, same name
    css = site.root / "assets/css/site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.x-test { color: red; }\n", encoding="utf-8")
    done = site.build()
    assert done.returncode == 0, done.stderr
    second = stylesheet()
    assert second != first and HASHED.search(second)
    assert (site.out / second.lstrip("/")).is_file() and not (site.out / first.lstrip("/")).exists()
    assert ".x-test" in (site.out / second.lstrip("/")).read_text(encoding="utf-8")
    assert Doc.load(site.page("/2025/07/one/")).head_links and stylesheet() in site.page("/2025/07/one/").read_text(encoding="utf-8")


@pytest.mark.browser
def test_search_works_under_the_sub_path(deployed, host):
    need_chromium()
    from playwright.sync_api import sync_playwright

    liquidation = next(u for u in deployed.pages if "record-liquidations" in u)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx = offline_context(browser)
            errors: list[str] = []
            page = ctx.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(host.url(PREFIX + "search/?q=liquidations"))
            page.wait_for_selector(".search-hit a")
            links = [a.get_attribute("href") for a in page.query_selector_all(".search-hit a")]
            assert PREFIX + liquidation.lstrip("/") in links, links
            assert all(l.startswith(PREFIX) for l in links), links
            for link in dict.fromkeys(urlsplit(l).path for l in links):
                assert host.get(link)[0] == 200, link
            # the header box, from a page deep in the site
            page.goto(host.url(PREFIX + liquidation.lstrip("/")))
            box = page.locator("#bl-header-q")
            if not box.is_visible():
                page.click(".menu__toggle")
            box.fill("liquidations")
            box.press("Enter")
            page.wait_for_url(re.compile(re.escape(PREFIX) + r"search/\?q=liquidations"))
            page.wait_for_selector(".search-hit a")
            assert errors == []
            ctx.close()
        finally:
            browser.close()


# --- generator check -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def check_source(deployed, tmp_path_factory) -> Path:
    """A site folder whose site.toml itself says base_url = https://example.org/news/ (check reads it)."""
    src = tmp_path_factory.mktemp("check") / "src"
    src.mkdir()
    toml = (deployed.src / "site.toml").read_text(encoding="utf-8")
    toml, n = re.subn(r'(?m)^base_url = ".*"$', f'base_url = "{BASE}"', toml)
    assert n == 1
    (src / "site.toml").write_text(toml, encoding="utf-8")
    return src


def test_check_passes_a_clean_build(deployed, check_source):
    done = run_cli("check", "--source", str(check_source), "--output", str(deployed.out))
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"checked \d+ pages: 0 broken links", done.stderr), done.stderr


def test_check_reports_a_planted_broken_link_and_anchor(deployed, check_source, tmp_path):
    out = tmp_path / "planted" / "news"
    shutil.copytree(deployed.out, out, ignore=shutil.ignore_patterns("pagefind"))
    article = next(u for u in deployed.pages if "record-liquidations" in u)
    article_file = out / article.lstrip("/") / "index.html"
    about_file = out / "about" / "index.html"
    plant_link = f'<a href="{PREFIX}no-such-page/">gone</a><a href="#main">ok</a>'
    plant_anchor = f'<a href="{PREFIX}{article.lstrip("/")}#no-such-anchor">missing anchor</a><a href="{PREFIX}{article.lstrip("/")}#main">ok</a>'
    for path, planted in ((article_file, plant_link), (about_file, plant_anchor)):
        text = path.read_text(encoding="utf-8")
        assert "</main>" in text
        path.write_text(text.replace("</main>", planted + "</main>", 1), encoding="utf-8")
    done = run_cli("check", "--source", str(check_source), "--output", str(out))
    assert done.returncode == 1, done.stderr[-3000:]
    errors = [l for l in done.stderr.splitlines() if ": error: " in l]
    article_rel = article.lstrip("/") + "index.html"
    assert sorted(errors) == sorted([f"{article_rel}: error: broken link to {PREFIX}no-such-page/",
                                     f"about/index.html: error: broken link to {PREFIX}{article.lstrip('/')}#no-such-anchor"]), errors


def test_check_passes_a_clean_build_made_with_base_url_override(deployed):
    done = run_cli("check", "--source", str(deployed.src), "--output", str(deployed.out))
    assert done.returncode == 0, done.stderr[-1500:]
