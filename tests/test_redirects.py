"""Old URLs kept by the build: aliases / redirect_from, permalink / url, slugs from file names, and
the front matter keys the build does not read, listed rather than dropped."""

from __future__ import annotations

import re

import pytest

from conftest import article


def refresh_target(site, path: str) -> str:
    page = site.html(path)
    metas = [a for _, a, _ in page.find_all("meta") if a.get("http-equiv") == "refresh"]
    assert metas, f"{path} is not a redirect page"
    return metas[0]["content"].split("url=", 1)[1]


def test_aliases_and_redirect_from_make_redirect_pages(site):
    site.write("content/a.md", article("Alpha", "2024-05-01", "Bitcoin",
                                       aliases="[/2019/05/old-alpha/, 'https://old.example/%D0%B1/', /old.html]"))
    site.write("content/b.md", article("Beta", "2024-05-02", "Bitcoin", redirect_from="/beta-old"))
    done = site.build()
    assert done.returncode == 0, done.stderr
    assert refresh_target(site, "/2019/05/old-alpha/") == "/2024/05/alpha/"
    assert refresh_target(site, "/б/") == "/2024/05/alpha/"
    assert refresh_target(site, "/old.html") == "/2024/05/alpha/"
    assert refresh_target(site, "/beta-old/") == "/2024/05/beta/"
    page = site.html("/2019/05/old-alpha/")
    assert [a["href"] for _, a, _ in page.find_all("link") if a.get("rel") == "canonical"] == \
        ["https://test.example/2024/05/alpha/"]
    assert any(a.get("name") == "robots" and a.get("content") == "noindex" for _, a, _ in page.find_all("meta"))
    assert [t for _, a, t in page.find_all("a") if a["href"] == "/2024/05/alpha/"] == ["Alpha"]
    redirects = (site.out / "_redirects").read_text(encoding="utf-8").splitlines()
    assert "/2019/05/old-alpha/ /2024/05/alpha/ 301" in redirects
    assert "/%D0%B1/ /2024/05/alpha/ 301" in redirects
    nginx = (site.out / "redirects.nginx.map").read_text(encoding="utf-8")
    assert '"/beta-old" "/2024/05/beta/";' in nginx and '"/beta-old/" "/2024/05/beta/";' in nginx
    assert "old-alpha" not in (site.out / "sitemap.xml").read_text(encoding="utf-8")
    from generator.check import check_output
    assert check_output(site.out)[0] == []


def test_an_alias_on_a_real_page_or_another_alias_is_an_error_naming_both(site):
    site.write("content/a.md", article("Alpha", "2024-05-01", "Bitcoin"))
    site.write("content/b.md", article("Beta", "2024-05-02", "Bitcoin", aliases="[/2024/05/alpha/, /shared/]"))
    site.write("content/c.md", article("Gamma", "2024-05-03", "Bitcoin", aliases="[/shared/, /category/bitcoin/]"))
    done = site.build()
    assert done.returncode == 1
    assert "content/b.md: error: its alias /2024/05/alpha/ is the URL of content/a.md" in done.stderr
    assert "content/c.md: error: its alias /shared/ is also an alias of content/b.md" in done.stderr
    assert "content/c.md: error: its alias /category/bitcoin/ is the URL of the category page" in done.stderr
    assert "<h1" in site.page("/2024/05/alpha/").read_text(encoding="utf-8")  # the page itself is intact
    assert refresh_target(site, "/shared/") == "/2024/05/beta/"


def test_permalink_and_url_set_the_url_exactly(site):
    site.write("content/a.md", article("Alpha", "2024-05-01", "Bitcoin", permalink="/custom/alpha.html"))
    site.write("content/pages/about.md", "---\ntitle: About us\nurl: about-us\n---\n\nWho we are.\n")
    site.write("content/c.md", article("Gamma", "2024-05-03", "Bitcoin", url="'/:year/:title/'"))
    site.write("content/d.md", article("Delta", "2024-05-04", "Bitcoin", permalink="/feed.xml"))
    done = site.build()
    assert site.page("/2024/05/delta/").is_file() and "content/d.md:5: warning: permalink '/feed.xml'" in done.stderr
    assert (site.out / "feed.xml").read_text(encoding="utf-8").startswith("<?xml")
    assert site.page("/custom/alpha.html").is_file()
    assert "About us" in site.html("/about-us/").title
    assert site.page("/2024/05/gamma/").is_file()
    assert "content/c.md:5: warning: url '/:year/:title/' is not a page path" in done.stderr


def test_day_in_permalink_patterns(site):
    toml = (site.root / "site.toml").read_text(encoding="utf-8")
    site.write("site.toml", toml + '\n[permalinks]\narticle = "/{year}/{month}/{day}/{slug}/"\n')
    site.write("content/a.md", article("Alpha", "2024-05-07T10:00:00Z", "Bitcoin"))
    assert site.build().returncode == 0
    assert site.page("/2024/05/07/alpha/").is_file()


@pytest.mark.parametrize("slug_from, expected", [
    ("title", ["/2024/05/the-headline/", "/2024/05/hugo-headline/", "/2024/05/bundle-headline/"]),
    ("filename", ["/2024/05/jekyll-name/", "/2024/05/hugo-name/", "/2024/05/bundle-name/"]),
])
def test_slug_from_the_file_name(site, slug_from, expected):
    toml = (site.root / "site.toml").read_text(encoding="utf-8")
    site.write("site.toml", f'slug_from = "{slug_from}"\n' + toml)
    site.write("content/2024-05-01-jekyll-name.md", article("The headline", "2024-05-01", "Bitcoin"))
    site.write("content/hugo-name.md", article("Hugo headline", "2024-05-02", "Bitcoin"))
    site.write("content/bundle-name/index.md", article("Bundle headline", "2024-05-03", "Bitcoin"))
    assert site.build().returncode == 0
    for url in expected:
        assert site.page(url).is_file(), url


def test_slug_from_must_be_known(site):
    toml = (site.root / "site.toml").read_text(encoding="utf-8")
    site.write("site.toml", 'slug_from = "path"\n' + toml)
    done = site.build()
    assert done.returncode == 2 and 'slug_from must be "title" or "filename"' in done.stderr


def test_unused_front_matter_keys_are_listed_with_counts(site):
    for n in range(3):
        site.write(f"content/a{n}.md", article(f"Post {n}", "2024-05-01", "Bitcoin", layout="post",
                                               **({"series": "Halving"} if n == 0 else {})))
    done = site.build()
    assert "front matter keys not used (layouts can read them as article.extra): layout (3 files), series (1)" \
        in done.stderr
    again = site.build()  # nothing changed: the summary is replayed, keys included
    assert "layout (3 files), series (1)" in again.stderr


def test_other_generators_key_names_are_read(site):
    site.write("content/a.md", article("Alpha", "2024-05-01", "Bitcoin", lastmod="2024-06-01", excerpt="'Short one.'",
                                       keywords="[Mining]", authors="[Ann, Bo]"))
    site.write("content/b.md", article("Beta", "2024-05-02", "Bitcoin", summary="Own.", description="Ignored."))
    done = site.build()
    assert done.returncode == 0, done.stderr
    page = site.html("/2024/05/alpha/")
    assert "/tag/mining/" in page.links
    assert "Short one." in site.text("/2024/05/alpha/")
    assert re.search(r'By <a [^>]*href="/author/ann/"[^>]*>Ann</a> and <a [^>]*href="/author/bo/"[^>]*>Bo</a>',
                     site.text("/2024/05/alpha/"))
    assert "description (1 file)" in done.stderr  # set beside 'summary': not read, and said so
