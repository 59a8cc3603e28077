"""Search: real builds with the real pagefind binary, searched in a real Chromium.

A site gets articles over several months (so the index is several shards merged in the browser);
each test then publishes, edits or deletes articles, rebuilds, and searches /search/?q= as a
reader would. Made-up words make every expectation exact.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL_TOML, Site, article

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
from sitetools import StaticServer, axe, describe_violations, offline_context  # noqa: E402

SEARCH_TOML = MINIMAL_TOML.replace("[search]\nenabled = false", "[search]\nenabled = true")
MONTHS = ["2025-01", "2025-02", "2025-03", "2025-05", "2025-08", "2025-11", "2026-01"]
# made-up words, one per article (letters only: Pagefind splits words at digits)
OWN = ["alphazorb", "brontequil", "cramplexo", "drovenquist", "eskatrom", "fumbrewick", "glornisham"]


def busy_year(site: Site) -> Site:
    """Articles over two years (two shards: 2025 and 2026), each with a word of its own."""
    site.write("site.toml", SEARCH_TOML)
    for i, month in enumerate(MONTHS):
        category = ["Bitcoin", "Policy", "Markets"][i % 3]
        site.write(f"content/articles/a{i}.md",
                   article(f"Story number {i} from {month}", f"{month}-10T10:00:00Z", category,
                           tags=["Mining"] if i % 2 else ["ETF"], slug=f"story-{i}",
                           body=f"Body of story {i}. Its own word is {OWN[i]}." + (LONG if i == 1 else "")))
    return site


# a long body (~9,000 characters) with a made-up word in its middle
LONG = " ".join(["Filler sentence about markets and more."] * 110 + ["Midway comes snorfleglimp."]
                + ["Another filler sentence about prices."] * 110)


@pytest.fixture
def searchable(site: Site) -> Site:
    busy_year(site)
    done = site.build()
    assert done.returncode == 0, done.stderr
    return site


def build(site: Site, *args: str) -> None:
    done = site.build(*args)
    assert done.returncode == 0, done.stderr
    assert ": warning:" not in done.stderr, done.stderr


def manifest(site: Site) -> dict:
    return json.loads((site.out / "pagefind" / "shards.json").read_text(encoding="utf-8"))


# --- the index on disk ---------------------------------------------------------------------------

def test_index_is_several_shards_listed_newest_first(searchable):
    m = manifest(searchable)
    paths = [b["path"] for b in m["bundles"]]
    assert paths == ["2026/", "2025/"], paths
    assert m["primary"] == paths[0] and paths[0].startswith("2026"), paths
    assert sum(b["articles"] for b in m["bundles"]) == len(MONTHS)
    for b in m["bundles"]:
        assert (searchable.out / "pagefind" / b["path"] / "pagefind-entry.json").is_file()
    # the runtime only in the primary bundle; Pagefind's own UI files nowhere
    assert (searchable.out / "pagefind" / paths[0] / "pagefind.js").is_file()
    assert not (searchable.out / "pagefind" / paths[1] / "pagefind.js").exists()
    assert not list((searchable.out / "pagefind").rglob("pagefind-ui.js"))
    # nothing of the records in the output or left in the cache
    assert list((searchable.out / "pagefind" / "2025").rglob("*.pf_fragment"))
    assert not [p for p in (searchable.root / ".cache" / "search").iterdir() if p.name.startswith("tmp-")]


def test_an_edit_rebuilds_only_its_shard(searchable):
    before = {p: p.stat().st_ino for p in (searchable.out / "pagefind").rglob("*") if p.is_file()}
    path = searchable.root / "content/articles/a1.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nAppended zqxedit word.\n", encoding="utf-8")
    build(searchable)
    after = {p: p.stat().st_ino for p in (searchable.out / "pagefind").rglob("*") if p.is_file()}
    changed = {p.relative_to(searchable.out / "pagefind").parts[0] for p in after
               if before.get(p) != after[p] and p.name != "shards.json"}
    assert changed == {"2025"}, changed


def test_a_build_with_nothing_changed_touches_nothing(searchable):
    first = {p: p.stat().st_ino for p in searchable.out.rglob("*") if p.is_file()}
    build(searchable)
    assert {p: p.stat().st_ino for p in searchable.out.rglob("*") if p.is_file()} == first


def test_search_page_without_javascript_says_so_and_links_categories(searchable):
    html = searchable.page("/search/").read_text(encoding="utf-8")
    noscript = re.search(r"<noscript>(.*?)</noscript>", html, re.S).group(1)
    assert "JavaScript" in noscript
    for slug in ("bitcoin", "policy", "markets"):
        assert f'href="/category/{slug}/"' in noscript
    assert 'action="/search/"' in html and 'name="q"' in html


def test_missing_pagefind_binary_warns_and_publishes_the_pages(site):
    busy_year(site)
    done = site.build(env={"GENERATOR_PAGEFIND": str(site.root / "no-such-pagefind")})
    assert done.returncode == 0, done.stderr
    assert re.search(r"site\.toml: warning: search is enabled but the pagefind binary is not installed", done.stderr)
    assert "hint: pip install 'pagefind[bin]'" in done.stderr
    assert site.page("/2025/01/story-0/").is_file() and site.page("/search/").is_file()
    assert manifest(site)["bundles"] == []
    strict = site.build("--strict", env={"GENERATOR_PAGEFIND": str(site.root / "no-such-pagefind")})
    assert strict.returncode == 1


def test_failing_pagefind_warns_names_the_shard_and_publishes_the_pages(site, tmp_path):
    busy_year(site)
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'pagefind: cannot index today' >&2\nexit 3\n")
    broken.chmod(0o755)
    done = site.build(env={"GENERATOR_PAGEFIND": str(broken)})
    assert done.returncode == 0, done.stderr
    assert re.search(r"warning: pagefind failed on the search shard \S+ \(\d+ articles\).*cannot index today", done.stderr)
    assert site.page("/2025/01/story-0/").is_file()
    # once Pagefind works again, the next build makes the index
    build(site)
    assert sum(b["articles"] for b in manifest(site)["bundles"]) == len(MONTHS)


def test_no_search_builds_no_index(site):
    busy_year(site)
    done = site.build("--no-search")
    assert done.returncode == 0, done.stderr
    assert not (site.out / "pagefind").exists()


# --- in the browser ------------------------------------------------------------------------------

class Searcher:
    """The built site served on 127.0.0.1 and searched through /search/?..., as a link would."""

    def __init__(self, page, host):
        self.page, self.host = page, host
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def search(self, query: str) -> list[dict]:
        self.page.goto(self.host.url("/search/?" + query))
        self.page.wait_for_function(
            "() => /found|no articles/i.test(document.getElementById('search-status').textContent)")
        self.page.wait_for_function(
            "() => document.querySelectorAll('.search-hit').length > 0 || /No articles/.test(document.getElementById('search-status').textContent)")
        return self.page.evaluate("""() => [...document.querySelectorAll('.search-hit')].map(li => ({
            url: li.querySelector('a').getAttribute('href'), title: li.querySelector('a').textContent,
            meta: (li.querySelector('.search-hit__meta') || {}).textContent || '',
            img: (li.querySelector('img') || {src: ''}).src}))""")

    def urls(self, query: str) -> list[str]:
        return [h["url"] for h in self.search(query)]


@contextlib.contextmanager
def searching(browser, site: Site):
    """A Searcher on the built site, served on 127.0.0.1 in an offline browser context."""
    ctx = offline_context(browser)
    try:
        with StaticServer(site.out) as host:
            yield Searcher(ctx.new_page(), host)
    finally:
        ctx.close()


@pytest.mark.browser
def test_publish_edit_and_delete_show_in_search(searchable, browser):
    with searching(browser, searchable) as s:
        assert s.urls(f"q={OWN[3]}") == ["/2025/05/story-3/"]
        assert s.urls(f"q={OWN[0]}") == ["/2025/01/story-0/"]  # the oldest shard is merged in too
        # publish: a made-up word in the new article's title
        searchable.write("content/articles/new.md",
                         article("Blorptastic exchange opens", "2026-01-20T09:00:00Z", "Markets", slug="blorp",
                                 body="A new exchange."))
        build(searchable)
        hits = s.search("q=blorptastic")
        assert [h["url"] for h in hits] == ["/2026/01/blorp/"]
        assert hits[0]["title"] == "Blorptastic exchange opens"
        assert "January 20, 2026" in hits[0]["meta"] and "Markets" in hits[0]["meta"]
        # edit: a made-up word appended to the end of an old article
        old = searchable.root / "content/articles/a1.md"
        old.write_text(old.read_text(encoding="utf-8") + "\nLate update: vexillographic.\n", encoding="utf-8")
        build(searchable)
        assert s.urls("q=vexillographic") == ["/2025/02/story-1/"]
        # delete, and unpublish as a draft
        (searchable.root / "content/articles/a3.md").unlink()
        a4 = searchable.root / "content/articles/a4.md"
        a4.write_text(a4.read_text(encoding="utf-8").replace("---\n\n", "draft: true\n---\n\n", 1), encoding="utf-8")
        build(searchable)
        assert s.urls(f"q={OWN[3]}") == []
        assert s.urls(f"q={OWN[4]}") == []
        assert s.urls(f"q={OWN[5]}") == ["/2025/11/story-5/"]
        assert s.errors == []


@pytest.mark.browser
def test_no_results_offer_what_to_try_and_the_categories(searchable, browser):
    with searching(browser, searchable) as s:
        assert s.urls("q=zzqxnotaword") == []
        help_links = s.page.eval_on_selector_all("#search-empty:not([hidden]) a", "els => els.map(a => a.getAttribute('href'))")
        assert "/category/bitcoin/" in help_links and len(help_links) >= 3
        assert "fewer or different words" in s.page.inner_text("#search-empty")
        assert s.urls(f"q={OWN[3]}") == ["/2025/05/story-3/"]  # found again: the help is hidden
        assert s.page.is_hidden("#search-empty")
        assert s.errors == []


@pytest.mark.browser
def test_filters_sort_and_result_fields(searchable, browser):
    with searching(browser, searchable) as s:
        everything = s.urls("q=story")
        assert len(everything) == len(MONTHS)
        hits = s.search("q=story&category=Policy")
        assert {h["url"] for h in hits} == {"/2025/02/story-1/", "/2025/08/story-4/"}
        assert all("Policy" in h["meta"] for h in hits)
        # the page shows the filters chosen through the link
        assert s.page.eval_on_selector("#search-category", "e => e.value") == "Policy"
        assert set(s.urls("q=story&tag=Mining")) == {"/2025/02/story-1/", "/2025/05/story-3/", "/2025/11/story-5/"}
        newest = s.urls("q=story&sort=newest")
        assert newest == [f"/{m[:4]}/{m[5:]}/story-{i}/" for i, m in reversed(list(enumerate(MONTHS)))]
        # a filter with no query lists that category's articles
        assert set(s.urls("category=Markets")) == {"/2025/03/story-2/", "/2025/11/story-5/"}
        assert all(h["img"].endswith(".jpg") or h["img"].endswith(".png") or h["img"] == "" for h in s.search("q=story"))
        assert s.errors == []


@pytest.mark.browser
def test_search_page_is_keyboard_usable_and_axe_clean(searchable, browser):
    with searching(browser, searchable) as s:
        s.page.goto(s.host.url("/search/"))
        s.page.wait_for_selector("#search-refine:not([hidden])")
        s.page.focus("#search-q")
        s.page.keyboard.type("story")
        s.page.keyboard.press("Enter")
        s.page.wait_for_selector(".search-hit")
        assert "q=story" in s.page.url
        s.page.keyboard.press("Tab")  # from the box to the filters: each is a labelled control
        assert s.page.evaluate("document.activeElement.closest('form') !== null")
        more = s.page.locator("#search-more")
        if more.is_visible():
            more.focus()
            s.page.keyboard.press("Enter")
        violations = axe(s.page)
        assert violations == [], describe_violations(violations)


@pytest.mark.browser
def test_search_in_the_preview_server_follows_a_save(site, browser, serve):
    busy_year(site)
    server = serve(site.root)
    ctx = offline_context(browser)
    try:
        def find(word: str) -> list[str]:
            page = ctx.new_page()  # a new tab: an open one reloads by itself on the save
            page.goto(server.url(f"/search/?q={word}"))
            page.wait_for_function("() => /found|No articles/.test(document.getElementById('search-status').textContent)")
            page.wait_for_function("() => document.querySelectorAll('.search-hit').length > 0 || /No articles/.test(document.getElementById('search-status').textContent)")
            hrefs = page.eval_on_selector_all(".search-hit a", "as => as.map(a => a.getAttribute('href'))")
            page.close()
            return hrefs

        assert find(f"{OWN[2]}") == ["/2025/03/story-2/"]
        since = server.mark()
        target = site.root / "content/articles/a2.md"
        target.write_text(target.read_text(encoding="utf-8") + "\nSaved: quizzaciously.\n", encoding="utf-8")
        server.wait_updates(1, since)
        assert find("quizzaciously") == ["/2025/03/story-2/"]
    finally:
        ctx.close()


@pytest.mark.browser
def test_text_limit_indexes_the_start_and_end_or_everything(searchable, browser):
    with searching(browser, searchable) as s:
        # by default the start and the end of a long article are indexed, not its middle
        assert s.urls(f"q={OWN[1]}") == ["/2025/02/story-1/"]
        assert s.urls("q=snorfleglimp") == []
        searchable.write("site.toml", SEARCH_TOML.replace("[search]\nenabled = true", "[search]\nenabled = true\ntext_limit = 0"))
        build(searchable)
        assert s.urls("q=snorfleglimp") == ["/2025/02/story-1/"]


def test_a_clipped_record_keeps_the_storys_own_end_not_its_footnotes():
    """An update appended to a long story with notes must be findable: Python-Markdown writes the
    notes after the text, so the kept end of the HTML would otherwise be the notes."""
    import markdown

    from generator.model import Body
    from generator.search import record_html

    story = "Lead about zorblaxine.[^1]\n\n" + "A filler sentence of the story. " * 300
    notes = "[^1]: " + "A long note with its sources. " * 40
    article = _articles({"2025-07": 1})[0]
    # an update appended as a paragraph of its own, and one written on the line under the last
    # note (Markdown makes it part of that note)
    for appended in (f"{story}\n\nUpdate: glimmerquent.\n\n{notes}\n", f"{story}\n\n{notes}\nUpdate: glimmerquent.\n"):
        html = markdown.markdown(appended, extensions=["footnotes"])
        record = record_html(article, Body(html, "", "", 0), "", "en", 1200)
        # (and one long paragraph is cut in its text, not dropped)
        assert "zorblaxine" in record and "glimmerquent" in record and "filler sentence" in record
        assert len(record) < 3000  # still clipped
        everything = record_html(article, Body(html, "", "", 0), "", "en", 0)
        assert everything.count("A long note") == 40  # text_limit = 0: every word, the notes too


# --- the shard plan ------------------------------------------------------------------------------

def _articles(per_month: dict[str, int], words: int = 800):
    from datetime import datetime, timezone

    from generator.model import Article

    out = []
    for month, n in per_month.items():
        year, mon = map(int, month.split("-"))
        for i in range(n):
            when = datetime(year, mon, 1 + i % 28, i % 24, i % 60, tzinfo=timezone.utc)
            out.append(Article(f"content/{month}-{i}.md", "article", f"d{month}{i}", f"T {i}", when, when, f"s{i}",
                               f"/{month}/s{i}/", None, (), (), "", 1, words, None, "", False, False, False))
    return out


def test_shards_are_years_quarters_or_months_by_size_and_bounded():
    from generator.search import MAX_SHARD_RECORDS, plan_shards

    small = plan_shards(_articles({"2024-03": 5, "2024-09": 5, "2025-01": 3}), lambda a: "", "")
    assert [s.label for s in small] == ["2025", "2024"]
    busy = plan_shards(_articles({"2025-01": 150, "2025-02": 150, "2025-03": 150, "2025-05": 100}), lambda a: "", "")
    assert [s.label for s in busy] == ["2025-q2", "2025-03", "2025-02", "2025-01"]
    huge = plan_shards(_articles({"2025-07": 2 * MAX_SHARD_RECORDS + 10}), lambda a: "", "")
    assert [s.label for s in huge] == ["2025-07-3", "2025-07-2", "2025-07"]
    assert all(len(s.articles) <= MAX_SHARD_RECORDS for s in huge)
    wordy = plan_shards(_articles({"2025-07": 500}, words=5000), lambda a: "", "")
    assert len(wordy) > 1 and all(sum(a.words for a in s.articles) <= 800_000 for s in wordy)


def test_a_new_article_changes_only_the_newest_shard_and_an_edit_only_its_own():
    from dataclasses import replace

    from generator.search import plan_shards

    arts = _articles({"2025-01": 300, "2025-02": 300, "2025-03": 300, "2025-04": 30})
    before = {s.label: s.key for s in plan_shards(arts, lambda a: "", "")}
    newest = _articles({"2025-04": 31})[-1]
    after = {s.label: s.key for s in plan_shards(arts + [newest], lambda a: "", "")}
    assert {k for k in after if after[k] != before.get(k)} == {"2025-q2"}
    edited = [replace(a, digest="changed") if a.source == "content/2025-02-7.md" else a for a in arts]
    after = {s.label: s.key for s in plan_shards(edited, lambda a: "", "")}
    assert {k for k in after if after[k] != before.get(k)} == {"2025-02"}
