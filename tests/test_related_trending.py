"""Related articles under each article, and the Trending list in the sidebar: built for real, read from the HTML."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timezone

import pytest

from conftest import Doc as Parsed, Site, article

# The build clock for every trending test: 2025-07-15T12:00:00Z, so page-view windows are reproducible.
NOW = {"SOURCE_DATE_EPOCH": str(int(datetime(2025, 7, 15, 12, tzinfo=timezone.utc).timestamp()))}


class Doc(Parsed):
    """A parsed page with helpers for the blocks these tests read."""

    def related(self) -> list[str]:
        """The article URLs in the related block, in the order shown."""
        return [a["href"] for t, a, around in self.elements if t == "a" and {"related", "card__title"} <= around]

    def trending(self) -> list[str]:
        return self.links_within("widget--trending", "mini__title")


# A page with the site-wide sidebar (the home page has its own, without the stories it shows).
SITEWIDE = "/404.html"


def doc(site: Site, url: str) -> Doc:
    path = site.page(url)
    assert path.is_file(), f"{url} was not built"
    return Doc.parse(site.text(url))


def set_section(site: Site, section: str, body: str) -> None:
    """Replace the body of a [section] table in the fixture's site.toml (appending it if absent)."""
    path = site.root / "site.toml"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^\[{re.escape(section)}\]\n(?:(?!\[).*\n?)*", re.M)
    block = f"[{section}]\n{body.strip()}\n\n"
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text + "\n" + block
    path.write_text(text, encoding="utf-8")


def url(slug: str, month: str = "07", year: str = "2025") -> str:
    return f"/{year}/{month}/{slug}/"


# --- related --------------------------------------------------------------------------------------


def _rare_vs_common(site: Site) -> None:
    """Eight Markets articles; 'Crypto' is on six of them, 'ZK Proofs' on two.

    The focus article shares only the common tag with `common-neighbour` (a day away), and only the
    rare tag with `rare-cousin` (ten days away). Rarity must outweigh the day's difference.
    """
    site.write("content/articles/focus.md", article("Focus", "2025-07-20T10:00:00Z", "Markets", tags=["Crypto", "ZK Proofs"]))
    site.write("content/articles/common.md", article("Common Neighbour", "2025-07-21T10:00:00Z", "Markets", tags=["Crypto"]))
    site.write("content/articles/rare.md", article("Rare Cousin", "2025-07-10T10:00:00Z", "Markets", tags=["ZK Proofs"]))
    for n, day in enumerate((18, 17, 22, 23), start=1):
        site.write(f"content/articles/filler-{n}.md", article(f"Filler {n}", f"2025-07-{day}T10:00:00Z", "Markets",
                                                             tags=["Crypto"]))
    site.write("content/articles/loner.md", article("Loner", "2025-07-19T10:00:00Z", "Markets", tags=["Mining"]))


def test_related_prefers_rare_shared_tags(site):
    _rare_vs_common(site)
    site.build(check=True)
    related = doc(site, url("focus")).related()
    assert len(related) == 3
    assert related[0] == url("rare-cousin"), related
    assert url("focus") not in related


def test_related_prefers_rare_tags_on_a_bigger_site(site):
    """Twelve articles, the common tag on ten of them (over half the site): it must count for little or nothing."""
    site.write("content/articles/focus.md", article("Focus", "2025-07-20T10:00:00Z", "Markets",
                                                    tags=["Crypto", "Stablecoin Audits"]))
    site.write("content/articles/rare.md", article("Rare Cousin", "2025-06-25T10:00:00Z", "Policy",
                                                   tags=["Stablecoin Audits"]))
    for n in range(1, 10):
        site.write(f"content/articles/c{n}.md", article(f"Crypto {n}", f"2025-07-{10 + n:02d}T10:00:00Z", "Policy",
                                                        tags=["Crypto"]))
    site.write("content/articles/other.md", article("Other", "2025-05-01T10:00:00Z", "Bitcoin", tags=["Mining"]))
    site.build(check=True)
    related = doc(site, url("focus")).related()
    assert related and related[0] == url("rare-cousin", "06"), related
    assert url("focus") not in related


def test_related_never_contains_the_article_itself(site):
    for n in range(1, 7):
        site.write(f"content/articles/a{n}.md", article(f"Same {n}", f"2025-07-0{n}T10:00:00Z", "Bitcoin",
                                                        tags=["Halving", "Miners"]))
    site.build(check=True)
    for n in range(1, 7):
        related = doc(site, url(f"same-{n}")).related()
        assert len(related) == 3, (n, related)
        assert url(f"same-{n}") not in related
        assert len(set(related)) == len(related)


def test_related_ties_are_deterministic(site, tmp_path):
    """Five articles with the same date, category and tags score the same: the order must not vary between builds."""
    for name in ("delta", "alpha", "echo", "charlie", "bravo"):
        site.write(f"content/articles/{name}.md", article(name.title(), "2025-07-01T10:00:00Z", "Bitcoin", tags=["Tie"]))
    site.build(check=True)
    first = {name: doc(site, url(name)).related() for name in ("alpha", "charlie", "echo")}

    # the same sources in a second, fresh site folder (no cache, no previous output), files created in another order
    other = Site(tmp_path / "again")
    shutil.copytree(site.root / "layouts", other.root / "layouts")
    shutil.copytree(site.root / "assets", other.root / "assets")
    shutil.copy2(site.root / "site.toml", other.root / "site.toml")
    for name in ("bravo", "echo", "alpha", "delta", "charlie"):
        shutil.copy2(site.root / "content/articles" / f"{name}.md", other.write(f"content/articles/{name}.md", ""))
    other.build(check=True)
    second = {name: doc(other, url(name)).related() for name in ("alpha", "charlie", "echo")}
    assert first == second

    # the documented tie-break: newer first, then by source path
    assert first["alpha"] == [url("bravo"), url("charlie"), url("delta")]
    assert first["echo"] == [url("alpha"), url("bravo"), url("charlie")]


@pytest.mark.parametrize("count", [2, 4])
def test_related_count_from_site_toml(site, count):
    set_section(site, "related", f"count = {count}")
    for n in range(1, 8):
        site.write(f"content/articles/a{n}.md", article(f"Story {n}", f"2025-07-0{n}T10:00:00Z", "Bitcoin", tags=["Halving"]))
    site.build(check=True)
    for n in (1, 4, 7):
        related = doc(site, url(f"story-{n}")).related()
        assert len(related) == count, related


def test_related_block_absent_when_count_is_zero(site):
    set_section(site, "related", "count = 0")
    for n in range(1, 4):
        site.write(f"content/articles/a{n}.md", article(f"Story {n}", f"2025-07-0{n}T10:00:00Z", "Bitcoin", tags=["Halving"]))
    site.build(check=True)
    page = doc(site, url("story-2"))
    assert page.related() == [] and not page.find_all(cls="related")


def test_related_topped_up_from_category_without_shared_tags(site):
    site.write("content/articles/focus.md", article("Focus", "2025-07-10T10:00:00Z", "Policy", tags=["Unique Tag"]))
    site.write("content/articles/near.md", article("Near", "2025-07-11T10:00:00Z", "Policy"))
    site.write("content/articles/far.md", article("Far", "2025-03-01T10:00:00Z", "Policy"))
    site.write("content/articles/elsewhere.md", article("Elsewhere", "2025-07-10T11:00:00Z", "Bitcoin"))
    site.build(check=True)
    related = doc(site, url("focus")).related()
    assert related[:2] == [url("near"), url("far", "03")], related
    assert url("focus") not in related


# --- trending -------------------------------------------------------------------------------------


def _four_articles(site: Site, pins: tuple[str, ...] = ()) -> None:
    """oldest .. newest: old-hit, mid, recent, newest (all inside a 30-day window before NOW)."""
    for slug, day in (("old-hit", "01"), ("mid", "05"), ("recent", "09"), ("newest", "13")):
        extra = {"trending": "true"} if slug in pins else {}
        site.write(f"content/articles/{slug}.md", article(slug.replace("-", " ").title(), f"2025-07-{day}T10:00:00Z",
                                                          "Bitcoin", **extra))


def _trending_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.lower().startswith("trending")]
    assert len(lines) == 1, stderr
    return lines[0]


def test_trending_from_pageview_csv(site):
    set_section(site, "trending", 'count = 3\npageviews = "data/views.csv"')
    _four_articles(site, pins=("newest",))
    site.write("data/views.csv", "path,views\n"
                                 "/2025/07/mid/,900\n"
                                 "https://test.example/2025/07/old-hit?utm_source=x,5000\n"
                                 "/2025/07/recent/,300\n"
                                 "/about/,99999\n")
    done = site.build(env=NOW, check=True)
    assert "page views" in _trending_line(done.stderr) and "data/views.csv" in _trending_line(done.stderr)
    assert doc(site, SITEWIDE).trending() == [url("old-hit"), url("mid"), url("recent")]
    # the sidebar is site-wide: an article page shows the same list
    assert doc(site, url("newest")).trending() == [url("old-hit"), url("mid"), url("recent")]


def test_trending_from_pageview_json(site):
    set_section(site, "trending", 'count = 2\npageviews = "data/views.json"')
    _four_articles(site)
    site.write("data/views.json", json.dumps({"/2025/07/recent/": 40, "/2025/07/mid/": 700, "/2025/07/newest/": 10}))
    done = site.build(env=NOW, check=True)
    assert "page views (data/views.json)" in _trending_line(done.stderr)
    assert doc(site, SITEWIDE).trending() == [url("mid"), url("recent")]


def test_trending_from_editor_pins(site):
    _four_articles(site, pins=("mid", "old-hit"))
    done = site.build(env=NOW, check=True)
    assert "editor pins" in _trending_line(done.stderr)
    assert doc(site, SITEWIDE).trending() == [url("mid"), url("old-hit")]


def test_trending_falls_back_to_pins_when_pageview_file_missing(site):
    set_section(site, "trending", 'count = 3\npageviews = "data/views.csv"')
    _four_articles(site, pins=("recent",))
    done = site.build(env=NOW)
    assert done.returncode == 0, done.stderr
    assert "editor pins" in _trending_line(done.stderr)
    assert "data/views.csv" in done.stderr and "warning" in done.stderr
    assert doc(site, SITEWIDE).trending() == [url("recent")]


def test_trending_falls_back_to_newest(site):
    _four_articles(site)
    done = site.build(env=NOW, check=True)
    assert "newest" in _trending_line(done.stderr)
    assert doc(site, SITEWIDE).trending() == [url("newest"), url("recent"), url("mid")]


def test_trending_leaves_out_drafts_even_when_viewed(site):
    set_section(site, "trending", 'count = 3\npageviews = "data/views.csv"')
    _four_articles(site)
    site.write("content/articles/draft.md", article("Hidden", "2025-07-12T10:00:00Z", "Bitcoin", draft="true"))
    site.write("data/views.csv", "path,views\n/2025/07/hidden/,100000\n/2025/07/mid/,50\n")
    done = site.build(env=NOW, check=True)
    assert "page views" in _trending_line(done.stderr)
    assert url("hidden") not in doc(site, SITEWIDE).trending()
    assert doc(site, SITEWIDE).trending()[0] == url("mid")


def test_trending_json_rows_with_zero_views_are_not_problems(site):
    set_section(site, "trending", 'count = 3\npageviews = "data/views.json"')
    _four_articles(site)
    site.write("data/views.json", json.dumps([{"path": "/2025/07/mid/", "views": 700},
                                              {"path": "/2025/07/recent/", "views": 40},
                                              {"path": "/2025/07/newest/", "views": 0}]))
    done = site.build(env=NOW, check=True)
    assert "page views (data/views.json)" in _trending_line(done.stderr)
    assert doc(site, SITEWIDE).trending() == [url("mid"), url("recent")]
    assert ": warning:" not in done.stderr, done.stderr


def test_trending_json_list_of_rows(site):
    set_section(site, "trending", 'count = 3\npageviews = "data/views.json"')
    _four_articles(site)
    site.write("data/views.json", json.dumps([{"url": "/2025/07/recent/", "pageviews": 400},
                                              {"path": "/2025/07/old-hit", "views": 90}]))
    done = site.build(env=NOW, check=True)
    assert "page views (data/views.json)" in _trending_line(done.stderr)
    assert doc(site, SITEWIDE).trending() == [url("recent"), url("old-hit")]
