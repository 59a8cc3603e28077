"""`generator import wordpress`: real exports imported into a tiny site, built, and read back as a
reader (and a search engine following old links) would."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import Page, run_cli
from tools.sitetools import html_pages

FIXTURES = Path(__file__).parent / "wordpress"
EXPORTS = ["export-wxr12.xml", "export-https-wxr11.xml"]
SHORTCODE = re.compile(r"\[/?(?:caption|wp_caption|gallery|embed|audio|video|playlist|contact-form-7)\b[^\]]*\]")


def wp_items(export: Path) -> list[dict]:
    """The export's posts and pages, read independently of the importer (any wp namespace)."""
    out = []
    for item in ET.parse(export).getroot().iter("item"):
        fields = {}
        for child in item:
            local = child.tag.rsplit("}", 1)[-1]
            if child.tag.startswith("{") and "wordpress.org/export" in child.tag and "excerpt" not in child.tag:
                fields.setdefault("wp:" + local, (child.text or "").strip())
            elif local == "category":
                fields.setdefault("terms", []).append((child.get("domain"), (child.text or "").strip()))
            else:
                fields.setdefault(local, (child.text or "").strip())
        if fields.get("wp:post_type") in ("post", "page"):
            out.append(fields)
    return out


def published(item: dict) -> bool:
    return item["wp:status"] == "publish" and not item.get("wp:post_password")


def title_of(item: dict) -> str:
    import html
    return " ".join(html.unescape(item["title"]).split())


def imported(site, export: str, *args: str):
    done = run_cli("import", "wordpress", str(FIXTURES / export), "--source", str(site.root), *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def content_state(root: Path) -> dict[str, tuple[int, str]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted((root / "content").rglob("*")) if p.is_file()}


def follow(site, path: str) -> tuple[str, Page]:
    """The page at an old path, after following its redirect (if it is one): (final path, page)."""
    page = site.html(path)
    refresh = [a for _, a, _ in page.find_all("meta") if a.get("http-equiv") == "refresh"]
    if not refresh:
        return path, page
    target = refresh[0]["content"].split("url=", 1)[1]
    canonical = [a["href"] for _, a, _ in page.find_all("link") if a.get("rel") == "canonical"]
    assert canonical and canonical[0].endswith(target), (canonical, target)
    assert any(a.get("name") == "robots" and "noindex" in a.get("content", "") for _, a, _ in page.find_all("meta"))
    assert target in page.links  # a visible link for readers without refresh
    return target, site.html(target)


@pytest.mark.parametrize("export", EXPORTS)
def test_every_old_url_leads_to_its_post(site, export):
    imported(site, export)
    build = site.build()
    assert build.returncode == 0, build.stderr
    assert "Traceback" not in build.stderr
    check = run_cli("check", "--source", str(site.root))
    assert check.returncode == 0, check.stderr
    items = [i for i in wp_items(FIXTURES / export) if published(i)]
    assert len(items) >= 3
    for item in items:
        old = unquote(urlsplit(item["link"]).path)
        final, page = follow(site, old)
        headings = [text for _, _, text in page.find_all("h1")]
        assert title_of(item) in headings, (old, final, headings)


@pytest.mark.parametrize("export", EXPORTS)
def test_drafts_scheduled_and_protected_posts_are_not_published(site, export):
    done = imported(site, export)
    assert site.build().returncode == 0
    hidden = [i for i in wp_items(FIXTURES / export) if not published(i)]
    assert hidden
    text = "\n".join(p.read_text(encoding="utf-8") for p in html_pages(site.out).values())
    feeds = (site.out / "feed.xml").read_text(encoding="utf-8") + (site.out / "sitemap.xml").read_text(encoding="utf-8")
    for item in hidden:
        assert title_of(item) not in text and title_of(item) not in feeds, item["title"]
    for item in hidden:
        if item.get("wp:post_password"):
            assert f"{item['wp:post_id']} {title_of(item)[:60]!r}: password-protected" in done.stdout


def test_bodies_read_as_on_the_old_site(site):
    """Shortcodes and blocks became real markup: figures with captions, a gallery of figures, media
    elements, embeds as links, links between posts pointing at the new pages."""
    imported(site, "export-wxr12.xml")
    assert site.build().returncode == 0
    pages = html_pages(site.out)
    articles = {url: path for url, path in pages.items() if re.match(r"^/\d{4}/\d\d/[^/]+/$", url)}
    assert articles
    for url in articles:
        text = " ".join(t for _, _, t in site.html(url).find_all("main"))
        assert not SHORTCODE.search(text), (url, SHORTCODE.search(text).group(0))
        assert "wp:" not in site.text(url).split("<main", 1)[-1], url
    shrug = site.html("/2024/04/markets-shrug/")
    captions = [t for _, _, t in shrug.find_all("figcaption")]
    assert "Bitcoin over the last month" in captions
    gallery = [a for t, a, _ in shrug.find_all("ul") if "gallery" in a.get("class", "")]
    assert gallery and len([1 for _, a, _ in shrug.find_all("img") if a.get("alt") == "Trading floor"]) == 1
    assert shrug.find_all("audio") and shrug.find_all("video")
    assert "https://www.youtube.com/watch?v=9bZkp7q19f0" in shrug.links
    assert "https://twitter.com/oldnews/status/1781234567890" in shrug.links
    assert "/2024/04/bitcoin-halving-explained/" in shrug.links  # '?p=11' on the old site
    assert "Tips" not in " ".join(t for _, _, t in shrug.find_all("main"))  # the unknown shortcode's tag is gone
    halving = site.html("/2024/04/bitcoin-halving-explained/")
    assert "/2024/04/markets-shrug/" in halving.links
    assert [t for _, _, t in halving.find_all("th")] == ["Halving", "Reward"]
    assert "The halving, in four minutes." in " ".join(t for _, _, t in halving.find_all("p"))
    assert halving.find_all("sub")


def test_post_tags_show_as_tag_links_that_list_the_post(site):
    imported(site, "export-wxr12.xml")
    assert site.build().returncode == 0
    pairs = 0
    for item in wp_items(FIXTURES / "export-wxr12.xml"):
        if not published(item) or item["wp:post_type"] != "post":
            continue
        _, page = follow(site, unquote(urlsplit(item["link"]).path))
        url = [a["href"] for _, a, _ in page.find_all("link") if a.get("rel") == "canonical"][0]
        path = urlsplit(url).path
        for domain, name in item.get("terms", []):
            if domain != "post_tag":
                continue
            pairs += 1
            tag_links = [a["href"] for _, a, t in page.find_all("a") if t == name and a["href"].startswith("/tag/")]
            assert tag_links, (path, name)
            assert path in site.html(tag_links[0]).links, (name, path)
    assert pairs >= 4


def test_front_matter_authors_and_comments(site):
    imported(site, "export-wxr12.xml")
    text = (site.root / "content/articles/2024/bitcoin-halving-explained.md").read_text(encoding="utf-8")
    assert "category: Bitcoin" in text  # 'Uncategorized' came first and is passed over
    assert "tags: [News, Halving, Mining]" in text  # the other category, then the post tags
    assert "author: Jane Doe" in text and "aliases: [/2024/04/20/bitcoin-halving-explained/]" in text
    assert "date: '2024-04-20T09:30:00+00:00'" in text  # the GMT time, in the site's timezone (UTC)
    assert "<!--" not in text
    comments = (site.root / "content/articles/2024/bitcoin-halving-explained.comments.json").read_text(encoding="utf-8")
    assert "Great explainer, thanks!" in comments and '"parent": "501"' in comments
    authors = (site.root / "content/_data/authors.toml").read_text(encoding="utf-8")
    import tomllib
    assert [(a["name"], a["slug"]) for a in tomllib.loads(authors)["authors"]] == [
        ("Jane Doe", "jane-doe"), ("Márta Kovács", "marta-kovacs")]
    assert "draft: true" in (site.root / "content/articles/2024/whale-wallets.md").read_text(encoding="utf-8")
    assert "2099-01-01T08:00:00+00:00" in (site.root / "content/articles/2099/outlook-2099.md").read_text(encoding="utf-8")
    assert (site.root / "content/pages/team.md").is_file()


def test_a_second_import_writes_nothing_and_edits_are_kept(site):
    imported(site, "export-wxr12.xml")
    before = content_state(site.root)
    again = imported(site, "export-wxr12.xml")
    assert re.search(r"\b0 written", again.stdout), again.stdout
    assert content_state(site.root) == before
    edited = site.root / "content/articles/2024/markets-shrug.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAn editor's note.\n", encoding="utf-8")
    kept = imported(site, "export-wxr12.xml")
    assert "kept content/articles/2024/markets-shrug.md: edited since the last import" in kept.stdout
    assert "An editor's note." in edited.read_text(encoding="utf-8")
    imported(site, "export-wxr12.xml", "--force")
    assert "An editor's note." not in edited.read_text(encoding="utf-8")


def test_existing_files_are_never_overwritten(site):
    mine = site.write("content/pages/about-the-desk.md", "---\ntitle: Our own page\n---\n\nHand written.\n")
    done = imported(site, "export-wxr12.xml")
    assert "kept content/pages/about-the-desk.md: exists and was not written by an import" in done.stdout
    assert "Hand written." in mine.read_text(encoding="utf-8")


def test_media_is_copied_with_media_folder(site, tmp_path):
    from PIL import Image
    uploads = tmp_path / "uploads"
    for rel in ("2024/04/miner-sunrise.jpg", "2024/04/miner-sunrise-1024x683.jpg", "2024/04/chart.png", "2024/04/floor.jpg"):
        (uploads / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (64, 48), (200, 120, 40)).save(uploads / rel)
    done = imported(site, "export-wxr12.xml", "--media", str(uploads))
    assert (site.root / "assets/uploads/2024/04/chart.png").is_file()
    assert "media not found under --media: 2024/04/episode-12.mp3" in done.stdout
    text = (site.root / "content/articles/2024/bitcoin-halving-explained.md").read_text(encoding="utf-8")
    assert "image: /assets/uploads/2024/04/miner-sunrise.jpg" in text
    build = site.build()
    assert build.returncode == 0, build.stderr
    assert run_cli("check", "--source", str(site.root)).returncode == 0
    page = site.html("/2024/04/markets-shrug/")
    assert any(a.get("src") == "/assets/uploads/2024/04/chart.png" for _, a, _ in page.find_all("img"))
    assert (site.out / "assets/uploads/2024/04/chart.png").is_file()


def test_without_media_the_report_says_urls_stay_absolute(site):
    done = imported(site, "export-wxr12.xml")
    assert "no --media folder given" in done.stdout
    assert not (site.root / "assets/uploads").exists()


@pytest.mark.parametrize("text, message", [
    ("<rss><channel><item><title>x</title></channel></rss>", "not well-formed XML"),
    ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>A feed</title><item><title>x</title></item></channel></rss>',
     "not a WordPress export"),
    ('<?xml version="1.0"?>\n<html><body>hello</body></html>', "not a WordPress export"),
    ('<?xml version="1.0"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
     "<wp:wxr_version>1.2</wp:wxr_version></channel></rss>", "holds no posts"),
    ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
     '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>&b;</title></item></channel></rss>', "refused"),
    ("", "not well-formed XML"),
])
def test_bad_exports_exit_2_and_write_nothing(site, tmp_path, text, message):
    bad = tmp_path / "bad.xml"
    bad.write_text(text, encoding="utf-8")
    done = run_cli("import", "wordpress", str(bad), "--source", str(site.root))
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and str(bad) in done.stderr
    assert "Traceback" not in done.stderr
    assert not (site.root / "content").exists()


def test_a_large_export_streams(tmp_path):
    """Reading holds one item at a time: a 60 MB export is read in far less memory than its size."""
    import subprocess
    import sys
    big = tmp_path / "big.xml"
    body = "<p>" + "Lorem ipsum dolor sit amet. " * 140 + "</p>"  # ~4 KB a post
    with open(big, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/" '
                 'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>\n')
        for n in range(15_000):
            fh.write(f"<item><title>Post {n}</title><content:encoded><![CDATA[{body}]]></content:encoded>"
                     f"<wp:post_id>{n}</wp:post_id><wp:post_type>post</wp:post_type></item>\n")
        fh.write("</channel></rss>\n")
    assert big.stat().st_size > 60_000_000
    if not Path("/proc/self/status").is_file():
        pytest.skip("reads the peak memory from /proc (Linux)")
    # VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec
    code = ("import re, sys; from generator.wxr import Channel, read_export; "
            "n = sum(1 for _ in read_export(__import__('pathlib').Path(sys.argv[1]), Channel())); "
            "print(n, re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))")
    done = subprocess.run([sys.executable, "-c", code, str(big)], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    count, peak_kb = map(int, done.stdout.split())
    assert count == 15_000
    assert peak_kb < 60_000, f"peak {peak_kb} KB reading a {big.stat().st_size // 1_000_000} MB export"


@pytest.mark.parametrize("text, expected", [
    ("a [toc] b", "a  b"),  # a bare plugin shortcode: gone
    ("[su_box title=\"T\"]inner[/su_box]", "inner"),  # unknown, paired: its content kept
    ("volatility [sic] and [Update: none] and [1]", "volatility [sic] and [Update: none] and [1]"),  # prose
    ("[[gallery]]", "[gallery]"),  # escaped: written literally, as WordPress shows it
    ("[embed]https://youtu.be/x[/embed]", '\n\n<p class="embed"><a href="https://youtu.be/x">https://youtu.be/x</a></p>\n\n'),
    ("[caption caption=\u201cOld style\u201d]<img src=\"a.jpg\" alt=\"\">[/caption]",
     '\n\n<figure class="wp-caption"><img src="a.jpg" alt=""><figcaption>Old style</figcaption></figure>\n\n'),
])
def test_shortcodes(text, expected):
    from generator.wpconvert import Context, expand_shortcodes
    ctx = Context({}, {}, lambda href: None, lambda url: url)
    assert expand_shortcodes(text, 1, ctx) == expected


def test_media_never_comes_from_outside_the_media_folder(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web", encoding="utf-8")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "linked.jpg").symlink_to(secret)
    body = ('<p><img src="https://old.example/wp-content/uploads/%2e%2e/secret.txt" alt="a"> '
            '<img src="https://old.example/wp-content/uploads/linked.jpg" alt="b"> '
            f'<img src="https://old.example/wp-content/uploads/{secret}" alt="c"></p>')
    export = tmp_path / "export.xml"
    export.write_text(
        '<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><link>https://old.example</link>'
        f"<item><title>Post</title><link>https://old.example/post/</link><content:encoded><![CDATA[{body}]]>"
        "</content:encoded><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>"
        "<wp:post_name>post</wp:post_name><wp:post_date_gmt>2024-01-01 00:00:00</wp:post_date_gmt>"
        '<category domain="category" nicename="bitcoin">Bitcoin</category></item></channel></rss>', encoding="utf-8")
    done = run_cli("import", "wordpress", str(export), "--source", str(site.root), "--media", str(uploads))
    assert done.returncode == 0, done.stderr
    assert not (site.root / "assets/uploads").exists()
    text = (site.root / "content/articles/2024/post.md").read_text(encoding="utf-8")
    assert "https://old.example/wp-content/uploads/linked.jpg" in text  # left where it was


def test_iframes_become_links_and_escaped_markup_stays_text():
    from generator.wpconvert import Context, to_markdown
    import markdown
    ctx = Context({}, {}, lambda href: None, lambda url: url)
    body = ('<p>Price &lt;b&gt;five&lt;/b&gt; &amp;copy; a &lt; b</p>\n'
            '<iframe src="https://www.youtube-nocookie.com/embed/abc123" width="560"></iframe>')
    html = markdown.markdown(to_markdown(body, 1, ctx))
    assert "<iframe" not in html
    assert '<a href="https://www.youtube.com/watch?v=abc123">' in html
    assert "Price &lt;b&gt;five&lt;/b&gt; &amp;copy; a &lt; b" in html
