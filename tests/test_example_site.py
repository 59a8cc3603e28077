"""The repository's example site, built once (in a copy, never inside the repository) and checked page by page."""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import REPO, Doc, run_cli
from sitetools import copy_example, html_pages

from generator.check import check_output


@dataclass
class Example:
    root: Path
    out: Path
    returncode: int
    stderr: str


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Example:
    root = copy_example(tmp_path_factory.mktemp("example") / "site")
    done = run_cli("build", "--source", str(root), "--no-search")
    return Example(root, root / "public", done.returncode, done.stderr)


@pytest.fixture(scope="module")
def pages(example) -> dict[str, tuple[Path, Doc]]:
    """Every HTML page of the output: '/x/' -> (file, parsed)."""
    return {url: (path, Doc.load(path)) for url, path in html_pages(example.out).items()}


@pytest.fixture(scope="module")
def articles(pages) -> dict[str, Doc]:
    """The English article pages: body class kind-article (the French edition, under /fr/, is
    checked by test_i18n.py and the quality gates)."""
    return {url: d for url, (_, d) in pages.items() if d.find_all("body", cls="kind-article") and not url.startswith("/fr/")}


def test_builds_without_errors_or_warnings(example):
    assert example.returncode == 0, example.stderr
    problems = [line for line in example.stderr.splitlines() if re.search(r":\s*(warning|error)\b", line)]
    assert problems == [], example.stderr
    assert re.search(r"\b0 errors, 0 warnings\b", example.stderr), example.stderr


def test_at_least_40_article_pages(example, articles):
    assert len(articles) >= 40, f"{len(articles)} article pages"
    for url in articles:
        assert re.fullmatch(r"/\d{4}/\d{2}/[a-z0-9-]+/", url), url


def test_every_category_has_a_page(example):
    config = tomllib.loads((REPO / "site.toml").read_text(encoding="utf-8"))
    names = [c["name"] for c in config["categories"]]
    assert len(names) == 12
    for name in names:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        page = example.out / "category" / slug / "index.html"
        assert page.is_file(), f"no page for category {name}"
        assert Doc.parse(page.read_text(encoding="utf-8")).text("h1") == [name]
    index = Doc.parse((example.out / "category" / "index.html").read_text(encoding="utf-8"))
    assert len(index.links_within("terms")) >= 12


def test_link_checker_finds_no_broken_links(example):
    assert example.out.is_dir(), example.stderr
    broken, count = check_output(example.out, "/")
    assert count >= 40
    assert broken == [], broken[:20]
    done = run_cli("check", "--source", str(example.root))
    assert done.returncode == 0, done.stderr


def _internal_target(out: Path, page: Path, ref: str) -> tuple[Path | None, str]:
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith(("mailto:", "tel:", "data:", "javascript:")):
        return None, ""
    path = unquote(parts.path)
    if not path:
        return page, parts.fragment
    target = out / path.lstrip("/") if path.startswith("/") else page.parent / path
    if path.endswith("/"):
        target = target / "index.html"
    return target, parts.fragment


def test_every_internal_reference_resolves_independently(example, pages):
    assert pages, example.stderr
    out = example.out.resolve()
    ids: dict[Path, set[str]] = {}
    parsed: dict[Path, list[str]] = {}
    for path, doc in pages.values():  # every href, src, poster, srcset candidate and GET form action, and the ids
        ids[path.resolve()] = doc.ids
        parsed[path] = [url for _, _, url in doc.refs]
    broken = []
    checked = 0
    for path, refs in parsed.items():
        for ref in refs:
            target, fragment = _internal_target(example.out, path, ref)
            if target is None:
                continue
            checked += 1
            real = target.resolve()
            if not real.is_relative_to(out) or not real.is_file():
                broken.append((path.relative_to(example.out).as_posix(), ref))
                continue
            if fragment and real.suffix == ".html" and unquote(fragment) not in ids.get(real, set()):
                broken.append((path.relative_to(example.out).as_posix(), ref))
    assert checked > 1000
    assert broken == [], broken[:20]


def test_every_article_page_is_complete(example, articles):
    assert articles, example.stderr
    problems: list[str] = []
    category_urls = {f"/category/{p.name}/" for p in (example.out / "category").iterdir() if p.is_dir()}
    for url, page in sorted(articles.items()):
        def bad(what: str) -> None:
            problems.append(f"{url}: {what}")

        crumbs = page.links_within("breadcrumb")
        if len(crumbs) < 3 or crumbs[0] != "/" or crumbs[1] not in category_urls or crumbs[-1] != url:
            bad(f"breadcrumb {crumbs}")
        titles = page.text("h1")
        if len(titles) != 1 or not titles[0]:
            bad(f"h1 {titles}")
        times = [a.get("datetime", "") for _, a, _ in page.find_all("time", cls=None)]
        if not any(re.match(r"\d{4}-\d{2}-\d{2}T", t) for t in times):
            bad("no <time datetime>")
        if not [h for h in page.links_within("article__meta") if h in category_urls]:
            bad("no category link in the article header")
        reading = [t for t in page.text("span") if re.fullmatch(r"Reading Time: \d+ mins? read", t)]
        if len(reading) != 1:
            bad("no 'Reading Time: N mins read'")
        share = page.links_within("share")
        absolute = "https%3A//blockline.example" + url
        if not any(h.startswith("https://www.facebook.com/sharer/") and absolute.replace("%3A", "") in h.replace("%3A", "")
                   for h in share):
            bad(f"no Facebook share link for the article: {share}")
        if not any(("twitter.com/intent/tweet" in h or "x.com/intent" in h) and absolute.replace("%3A", "") in h.replace("%3A", "")
                   for h in share):
            bad(f"no X share link for the article: {share}")
        tags = [h for h in page.links_within("taglist") if h.startswith("/tag/")]
        if not tags:
            bad("no tag links")
        related = page.links_within("related")
        related = [h for h in related if re.fullmatch(r"/\d{4}/\d{2}/[^/]+/", h)]
        related = list(dict.fromkeys(related))
        if not 2 <= len(related) <= 4:
            bad(f"{len(related)} related articles")
        if url in related:
            bad("related block links to the article itself")
        if not all(r in articles for r in related):
            bad(f"related links to pages that are not articles: {related}")
    assert problems == [], "\n".join(problems[:40])


def test_robots_sitemap_and_feed(example, articles):
    robots = example.out / "robots.txt"
    assert robots.is_file()
    assert "Sitemap: https://blockline.example/sitemap.xml" in robots.read_text(encoding="utf-8")

    sitemap = example.out / "sitemap.xml"
    assert sitemap.is_file()
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {e.text for e in ET.parse(sitemap).getroot().findall("sm:url/sm:loc", ns)}
    missing = {u for u in articles if f"https://blockline.example{u}" not in locs}
    assert not missing, sorted(missing)[:10]

    feed = example.out / "feed.xml"
    assert feed.is_file()
    atom = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.parse(feed).getroot().findall("a:entry", atom)
    assert len(entries) >= 10
    for entry in entries:
        link = entry.find("a:link", atom).get("href")
        assert link.startswith("https://blockline.example/") and urlsplit(link).path in articles, link
