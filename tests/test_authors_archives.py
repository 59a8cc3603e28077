"""Authors (content/_data/authors.toml, author pages and feeds, bylines, JSON-LD Person) and date
archives (a page per year and per month of the dated article URLs), on tiny inline sites read back
as a reader would: following links, parsing HTML, feeds and the sitemap."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import MINIMAL_TOML, article, tree_hashes
from generator.check import check_output
from sitetools import (VNU_JAR, Doc, StaticServer, axe, describe_violations, launch, need_axe, need_chromium,
                       need_vnu, offline_context)

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

AUTHORS = """\
# as `generator import wordpress` writes it, plus what a site adds
[[authors]]
name = "Jane Doe"
slug = "jdoe"
login = "jane"
role = "Markets Editor"
bio = "Jane covers markets."
avatar = "/assets/img/default-card.jpg"
x = "https://x.com/janedoe"
website = "https://jane.example/"

[[authors]]
name = "Omar Haddad"
slug = "omar-haddad"
login = "omar"
bio = "Omar writes about policy."

[[authors]]
name = "Nobody Yet"
slug = "nobody-yet"
"""

# (file, date, category, author front matter, authors expected by slug)
ARTICLES = [
    ("a1", "2025-01-05T10:00:00Z", "Bitcoin", "Jane Doe", {"jdoe"}),
    ("a2", "2025-01-20T10:00:00Z", "Policy", "jdoe", {"jdoe"}),  # by slug
    ("a3", "2025-02-03T10:00:00Z", "Markets", "[jane doe, Omar Haddad]", {"jdoe", "omar-haddad"}),  # name, any case
    ("a4", "2025-02-10T10:00:00Z", "Policy", "omar", {"omar-haddad"}),  # by login
    ("a5", "2024-12-31T23:30:00Z", "Bitcoin", "Guest Writer", {"guest-writer"}),  # not in the file
    ("a6", "2025-02-11T10:00:00Z", "Markets", "Jane Doe", {"jdoe"}),
    ("a7", "2025-02-12T10:00:00Z", "Markets", "Jane Doe", {"jdoe"}),
    ("a8", "2025-02-13T10:00:00Z", "Markets", "Jane Doe", {"jdoe"}),  # Jane: 6 articles, two pages of 3
    ("a9", "2025-03-01T10:00:00Z", "Bitcoin", "", set()),
]


def write_site(site, articles=ARTICLES, authors: str | None = AUTHORS) -> None:
    if authors is not None:
        site.write("content/_data/authors.toml", authors)
    for name, date, category, author, _ in articles:
        extra = {"author": author} if author else {}
        site.write(f"content/articles/{name}.md", article(f"Story {name}", date, category, body=f"Body of {name}.", **extra))


def cards(site, url: str) -> list[str]:
    """The article links of a listing page and every page after it (following its pagination)."""
    found: list[str] = []
    seen = set()
    todo = [url]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        doc = site.html(page)
        found += [href for href in doc.links_within("card-list") if re.fullmatch(r"/\d{4}/\d{2}/story-\w+/", href)]
        todo += doc.links_within("pagination")
    return sorted(set(found))


def url_of(site, name: str) -> str:
    date = next(d for n, d, *_ in ARTICLES if n == name)
    return f"/{date[:4]}/{date[5:7]}/story-{name}/"


def test_every_author_page_lists_exactly_that_authors_articles(site):
    write_site(site)
    done = site.build("--no-search", env=EPOCH)
    assert done.returncode == 0, done.stderr
    expected: dict[str, set[str]] = {}
    for name, _, _, _, slugs in ARTICLES:
        for slug in slugs:
            expected.setdefault(slug, set()).add(url_of(site, name))
    for slug, urls in expected.items():
        assert cards(site, f"/author/{slug}/") == sorted(urls), slug
        feed = ET.parse(site.out / "author" / slug / "feed.xml").getroot()
        links = {e.find(f"{ATOM}link").get("href").removeprefix("https://test.example") for e in feed.iter(f"{ATOM}entry")}
        assert links == urls, slug
    assert (site.out / "author/jdoe/page/2/index.html").is_file()  # six articles, three a page
    assert not (site.out / "author/nobody-yet").exists()  # declared, but no articles: no empty page
    # the author index lists the authors with pages
    assert set(site.html("/author/").links_within("terms")) == {f"/author/{s}/" for s in expected}
    # her page: the bio, role, avatar and profile links from the data file; a feed link in the head
    page = site.html("/author/jdoe/")
    assert "Jane covers markets." in page.text("p", cls="list-header__desc")
    assert page.text("p", cls="list-header__role") == ["Markets Editor"]
    assert set(page.links_within("author-links")) == {"https://x.com/janedoe", "https://jane.example/"}
    assert page.find_all("img", cls="author-avatar")
    doc = Doc.parse(site.text("/author/jdoe/"))
    profile = doc.jsonld_of("ProfilePage")[0]["mainEntity"]
    assert profile["url"] == "https://test.example/author/jdoe/"
    assert profile["sameAs"] == ["https://jane.example/", "https://x.com/janedoe"]
    assert any(link["href"].endswith("/author/jdoe/feed.xml") for link in doc.link_rel("alternate", "application/atom+xml"))
    assert "Guest Writer" in site.html("/author/guest-writer/").text("h1")[0]
    # the undeclared author is a warning naming the file and the author: line
    assert re.search(r"content/articles/a5\.md:\d+: warning: author 'Guest Writer' is not in "
                     r"content/_data/authors\.toml", done.stderr), done.stderr
    line = int(re.search(r"a5\.md:(\d+): warning", done.stderr).group(1))
    assert (site.root / "content/articles/a5.md").read_text().splitlines()[line - 1].startswith("author:")


def test_bylines_link_to_author_pages_and_json_ld_names_a_person(site):
    write_site(site)
    site.build("--no-search", env=EPOCH, check=True)
    page = site.html(url_of(site, "a3"))
    bylines = page.links_within("article__meta")
    assert "/author/jdoe/" in bylines and "/author/omar-haddad/" in bylines
    doc = Doc.parse(site.text(url_of(site, "a3")))
    people = doc.jsonld_of("NewsArticle")[0]["author"]
    assert [p["@type"] for p in people] == ["Person", "Person"]
    assert people[0]["name"] == "Jane Doe" and people[0]["url"] == "https://test.example/author/jdoe/"
    assert people[0]["sameAs"] == ["https://jane.example/", "https://x.com/janedoe"]
    assert people[1]["url"] == "https://test.example/author/omar-haddad/" and "sameAs" not in people[1]
    guest = Doc.parse(site.text(url_of(site, "a5"))).jsonld_of("NewsArticle")[0]["author"]
    assert guest == {"@type": "Person", "name": "Guest Writer", "url": "https://test.example/author/guest-writer/"}
    none = Doc.parse(site.text(url_of(site, "a9"))).jsonld_of("NewsArticle")[0]["author"]
    assert none["@type"] == "NewsMediaOrganization"  # no byline: the publisher
    broken, count = check_output(site.out, "/")
    assert broken == [] and count > 20


def test_no_authors_file_means_pages_from_bylines_and_no_warnings(site):
    write_site(site, authors=None)
    done = site.build("--no-search", env=EPOCH, check=True)
    assert ": warning:" not in done.stderr
    assert cards(site, "/author/jane-doe/") == sorted(url_of(site, n) for n in ("a1", "a3", "a6", "a7", "a8"))
    assert cards(site, "/author/jdoe/") == [url_of(site, "a2")]  # without the file a slug is just a name


def test_author_pages_can_be_turned_off(site):
    write_site(site)
    site.write("site.toml", MINIMAL_TOML + '\n[permalinks]\nauthor = ""\n')
    site.build("--no-search", env=EPOCH, check=True)
    assert not (site.out / "author").exists()
    assert site.html(url_of(site, "a1")).text("span", cls="article__author") == ["Jane Doe"]
    assert check_output(site.out, "/")[0] == []


@pytest.mark.parametrize("text, line, message", [
    ('[[authors]]\nname = "A"\nbio = "x"\ntwiter = "https://x.com/a"\n', 4, "unknown key 'twiter'.*\n.*did you mean 'twitter'"),
    ('[[authors]]\nname = "A"\n\n[[authors]]\nrole = "Editor"\n', 4, "author entry 2 has no usable name"),
    ('[[authors]]\nname = "A"\nslug = "a/b"\n', 3, "slug 'a/b' of author 'A'"),
    ('[[authors]]\nname = "A"\nx = "javascript:alert(1)"\n', 3, "x 'javascript:alert\\(1\\)' of author 'A' must be a full"),
    ('[[authors]]\nname = "A"\nbio = ["a", "list"]\n', 3, "bio must be text"),
    ('[[authors]]\nname = "A"\n\n[[authors]]\nname = "B"\nslug = "a"\n', 4, "share the name, login or slug 'a'"),
    ('[[authors]]\nname = "A\nbio = "x"\n', 2, "not valid TOML"),
    ('[[authors]]\nname = "A"\n[author]\nname = "B"\n', 3, "unknown top-level key 'author'"),
])
def test_bad_authors_file_entries_are_errors_naming_the_file_and_line(site, text, line, message):
    write_site(site, ARTICLES[:2], authors=text)
    done = site.build("--no-search", env=EPOCH)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert re.search(rf"content/_data/authors\.toml:{line}: error: .*{message}", done.stderr), done.stderr
    assert (site.out / url_of(site, "a1").strip("/") / "index.html").is_file()  # the rest is published


# --- date archives ------------------------------------------------------------------------------

def test_every_year_and_month_of_the_dated_urls_lists_exactly_those_articles(site):
    write_site(site)
    site.write("site.toml", MINIMAL_TOML + '\n[permalinks]\narticle = "/news/{year}/{month}/{slug}/"\n')
    site.build("--no-search", env=EPOCH, check=True)
    urls = [f"/news/{d[:4]}/{d[5:7]}/story-{n}/" for n, d, *_ in ARTICLES]
    months: dict[str, set[str]] = {}
    for url in urls:
        assert (site.out / url.strip("/") / "index.html").is_file()
        months.setdefault(url.rsplit("/", 2)[0] + "/", set()).add(url)
    for month, expected in months.items():
        found = set()
        for n in range(1, 5):
            page = month if n == 1 else f"{month}page/{n}/"
            if not (site.out / page.strip("/") / "index.html").is_file():
                break
            found |= {h for h in site.html(page).links_within("card-list") if h.startswith("/news/") and h.count("/") == 5}
        assert found == expected, month
    for year in {u[:10] for u in urls}:  # '/news/2025'
        doc = site.html(year + "/")
        listed = {h: None for h in doc.links_within("terms--months")}
        assert set(listed) == {m for m in months if m.startswith(year + "/")}
        text = " ".join(doc.text("li"))
        for month in listed:
            assert f"{len(months[month])} article" in text
    assert (site.out / "news/2025/02/page/2/index.html").is_file()  # five February articles, three a page
    sitemap = {loc.text for loc in ET.parse(site.out / "sitemap.xml").getroot().iter(f"{SM}loc")}
    assert {"https://test.example/news/2025/", "https://test.example/news/2025/02/",
            "https://test.example/news/2025/02/page/2/", "https://test.example/news/2024/12/"} <= sitemap
    broken, count = check_output(site.out, "/")
    assert broken == [] and count > 20
    # a month page's breadcrumb leads to its year
    assert "/news/2025/" in site.html("/news/2025/01/").links_within("breadcrumb")


def test_archives_follow_their_own_patterns_and_can_be_turned_off(site):
    write_site(site)
    site.write("site.toml", MINIMAL_TOML + '\n[permalinks]\narticle = "/{slug}/"\nyear = ""\n'
                                           'month = "/archive/{year}/{month}/"\n')
    site.build("--no-search", env=EPOCH, check=True)
    assert (site.out / "story-a1/index.html").is_file()
    assert not (site.out / "2025").exists() and not (site.out / "archive/2025/index.html").exists()
    assert {h for h in site.html("/archive/2025/01/").links_within("card-list") if h.startswith("/story-")} == \
        {"/story-a1/", "/story-a2/"}
    assert check_output(site.out, "/")[0] == []
    site.write("site.toml", MINIMAL_TOML + '\n[permalinks]\nyear = ""\nmonth = ""\n')
    site.build("--no-search", env=EPOCH, check=True)
    assert not (site.out / "2025/index.html").exists() and not (site.out / "2025/01/index.html").exists()
    assert (site.out / "2025/01/story-a1/index.html").is_file()


@pytest.mark.parametrize("toml, message", [
    ('year = "/{slug}/"', "permalinks.year must contain {year}"),
    ('month = "/{year}/"', "permalinks.month must contain {year} and {month}"),
    ('month = "/{year}/{month}/{slug}/"', "permalinks.month may only use"),
    ('author = "/by/"', "permalinks.author must contain {slug}"),
])
def test_bad_archive_and_author_patterns_are_config_errors(site, toml, message):
    site.write("site.toml", MINIMAL_TOML + f"\n[permalinks]\n{toml}\n")
    done = site.build("--no-search")
    assert done.returncode == 2 and message in done.stderr, done.stderr


# --- incremental builds -------------------------------------------------------------------------

def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


STEPS = [
    ("edit a bio", lambda s: _edit(s.root / "content/_data/authors.toml", "Jane covers markets.", "Jane covers all markets.")),
    ("change a slug", lambda s: _edit(s.root / "content/_data/authors.toml", 'slug = "omar-haddad"', 'slug = "omar"')),
    ("add a link", lambda s: _edit(s.root / "content/_data/authors.toml", 'login = "omar"',
                                   'login = "omar"\ngithub = "https://github.com/omar"')),
    ("declare the guest", lambda s: (s.root / "content/_data/authors.toml").write_text(
        (s.root / "content/_data/authors.toml").read_text() + '\n[[authors]]\nname = "Guest Writer"\nbio = "A guest."\n')),
    ("change a byline", lambda s: _edit(s.root / "content/articles/a9.md", "category:", "author: Omar Haddad\ncategory:")),
    ("add an article in a new month", lambda s: s.write("content/articles/b1.md", article(
        "Story b1", "2025-04-02T10:00:00Z", "Bitcoin", body="New.", author="Jane Doe"))),
    ("delete the authors file", lambda s: (s.root / "content/_data/authors.toml").unlink()),
]


def test_incremental_builds_equal_cold_builds_and_change_only_what_depends(site, tmp_path):
    write_site(site)
    site.build("--no-search", env=EPOCH, check=True)
    for name, step in STEPS:
        before = tree_hashes(site.out)
        step(site)
        site.build("--no-search", env=EPOCH, check=True)
        after = tree_hashes(site.out)
        other = tmp_path / f"cold-{len(name)}-{name.split()[0]}"
        shutil.copytree(site.root, other, ignore=shutil.ignore_patterns("public", ".cache", ".public*"))
        subprocess.run(["python", "-m", "generator", "build", "--source", str(other), "--no-search"],
                       env={**__import__("os").environ, **EPOCH}, check=True, capture_output=True)
        assert after == tree_hashes(other / "public"), name
        if name == "edit a bio":  # her page (both pages' headers), the authors index, her articles' about boxes
            changed = {rel for rel in after if before.get(rel) != after[rel]}
            jane = {url_of(site, n).strip("/") + "/index.html" for n in ("a1", "a2", "a3", "a6", "a7", "a8")}
            assert changed == jane | {"author/jdoe/index.html", "author/jdoe/page/2/index.html", "author/index.html"}, \
                sorted(changed)


# --- HTML checker and axe on the new page types --------------------------------------------------

NEW_PAGES = ["/author/jdoe/", "/author/", "/2025/", "/2025/02/", "/2025/02/page/2/", "/author/guest-writer/"]


def test_nu_html_checker_finds_no_errors_on_author_and_archive_pages(site):
    java = need_vnu()
    write_site(site)
    site.build("--no-search", env=EPOCH, check=True)
    files = [str(site.page(u)) for u in NEW_PAGES] + [str(site.page(url_of(site, "a3")))]
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    report = json.loads(done.stderr or done.stdout or '{"messages": []}')
    errors = [f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in report.get("messages", [])
              if m.get("type") in ("error", "non-document-error")]
    assert errors == []


@pytest.mark.browser
def test_axe_finds_no_violations_on_author_and_archive_pages(site):
    need_chromium()
    need_axe()
    write_site(site)
    site.build("--no-search", env=EPOCH, check=True)
    from playwright.sync_api import sync_playwright
    found = []
    with StaticServer(site.out) as server, sync_playwright() as p:
        browser = launch(p)
        context = offline_context(browser)
        for url in NEW_PAGES + [url_of(site, "a3")]:
            page = context.new_page()
            page.goto(server.url(url), wait_until="load")
            violations = axe(page)
            if violations:
                found.append(f"{url}:\n{describe_violations(violations)}")
            page.close()
        browser.close()
    assert found == [], "\n".join(found)
