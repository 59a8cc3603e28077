"""Multilingual editions (issue 21): tiny sites in eight languages, built for real and read back.

Every file gets its own page, hreflang links are reciprocal with x-default, each language's lists
(home, listings, feeds, related, news sitemap) hold only that language, no internal link is broken,
a single-language site is an edition of one, and mistakes are path:line errors.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import MINIMAL_TOML, REPO, Site, article
from generator.check import check_output
from htmldoc import Doc
from sitetools import html_pages, tree_hashes

LANGUAGES = """
[[languages]]
code = "en"
name = "English"

[[languages]]
code = "fr"

[[languages]]
code = "de"
date_format = "d. MMMM y"

[[languages]]
code = "es"

[[languages]]
code = "pt-BR"

[[languages]]
code = "ja"
title = "テストニュース"

[[languages]]
code = "ar"
title = "أخبار الاختبار"

[[languages]]
code = "ru"
"""

# One story in all eight languages, found by each rule (folder, suffix, lang: with a -es file name,
# translation_key); one in English and Japanese only.
STORY = {
    "content/articles/etf-flows.md": ("ETF flows hit a record", {"translation_key": "etf-flows"}),
    "content/fr/articles/etf-flows.md": ("Les flux des ETF battent un record", {}),  # folder, same file name
    "content/articles/etf-flows.de.md": ("ETF-Zuflüsse erreichen einen Rekord", {}),  # suffix
    "content/articles/etf-flows-es.md": ("Los flujos de los ETF marcan un récord", {"lang": "es"}),  # lang:, -es name
    "content/articles/fluxos.md": ("Fluxos de ETF batem recorde", {"lang": "pt-BR", "translation_key": "etf-flows"}),
    "content/ja/articles/etf.md": ("ETFへの資金流入が過去最高に", {"translation_key": "etf-flows"}),
    "content/ar/articles/etf.md": ("تدفقات صناديق المؤشرات تسجل رقما قياسيا", {"translation_key": "etf-flows"}),
    "content/ru/articles/etf.md": ("Приток в ETF достиг рекорда", {"translation_key": "etf-flows"}),
}
DATE = "2025-07-01T09:00:00Z"


def _multilingual(site, extra: str = "") -> None:
    site.write("site.toml", MINIMAL_TOML + LANGUAGES + extra)
    for rel, (title, fields) in STORY.items():
        site.write(rel, article(title, DATE, "Bitcoin", tags=("ETFs",), **fields))
    site.write("content/articles/mining.md", article("Miners move north", "2025-06-01T09:00:00Z", "Markets",
                                                      tags=("ETFs", "Mining"), translation_key="mining"))
    site.write("content/ja/articles/mining.md", article("採掘業者が北へ", "2025-06-01T09:00:00Z", "Markets",
                                                         tags=("ETFs", "Mining"), translation_key="mining"))
    site.write("content/pages/about.md", "---\ntitle: About us\nslug: about\n---\n\nWho we are.\n")
    site.write("content/fr/pages/about.md", "---\ntitle: À propos\nslug: a-propos\ntranslation_key: about\n---\n\nQui.\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The eight-language site, built once for the read-only tests of this module."""
    root = tmp_path_factory.mktemp("i18n") / "site"
    root.mkdir()
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "assets", root / "assets", ignore=shutil.ignore_patterns("_*"))
    site = Site(root)
    _multilingual(site)
    done = site.build()
    assert done.returncode == 0, done.stderr
    return site


def _alternates(doc: Doc) -> dict[str, str]:
    return {link["hreflang"]: link["href"] for link in doc.link_rel("alternate") if link.get("hreflang")}


def _article_pages(site) -> dict[str, Doc]:
    pages = {}
    for url, path in html_pages(site.out).items():
        doc = Doc.load(path)
        if doc.kind == "article":
            pages[url] = doc
    return pages


def test_every_file_gets_its_own_page(built):
    pages = _article_pages(built)
    titles = {doc.region("h1").strip() for doc in pages.values()}
    assert len(pages) == len(STORY) + 2
    for title, _ in STORY.values():
        assert title in titles
    assert "採掘業者が北へ" in titles and "Miners move north" in titles
    assert built.page("/fr/a-propos/").is_file() and built.page("/about/").is_file()


def test_hreflang_links_are_reciprocal_with_x_default(built):
    pages = _article_pages(built)
    base = "https://test.example"
    story = [doc for doc in pages.values() if len(_alternates(doc)) == 9]  # eight languages and x-default
    assert len(story) == 8
    for doc in pages.values():
        links = _alternates(doc)
        if not links:
            continue
        assert links["x-default"] == links["en"]
        own = base + next(url for url, d in pages.items() if d is doc)
        assert own in links.values()
        for lang, href in links.items():
            other = _alternates(pages[href.removeprefix(base)])
            assert other == links, f"{href} does not link back the same way"


def test_html_lang_direction_locale_and_json_ld(built):
    ar = Doc.load(built.page("/ar/"))
    text = built.page("/ar/").read_text(encoding="utf-8")
    assert re.search(r'<html lang="ar" dir="rtl">', text)
    assert ar.meta("og:locale") == ["ar_EG"]
    ja_page = next(p for u, p in html_pages(built.out).items() if u.startswith("/ja/20"))
    ja = Doc.load(ja_page)
    assert re.search(r'<html lang="ja">', ja_page.read_text(encoding="utf-8"))
    assert ja.jsonld_of("NewsArticle")[0]["inLanguage"] == "ja"
    assert ja.meta("og:locale") == ["ja_JP"]


def test_switcher_is_visible_and_leads_to_each_language(built):
    doc = Doc.load(built.page("/fr/"))
    switcher = [a for a in doc.find("a", within="languages") if a.get("hreflang")]
    assert {a["hreflang"] for a in switcher} == {"en", "fr", "de", "es", "pt-BR", "ja", "ar", "ru"}
    current = [a for a in switcher if a.get("aria-current") == "page"]
    assert [a["hreflang"] for a in current] == ["fr"]


def test_each_language_lists_only_its_own_articles(built):
    pages = _article_pages(built)
    lang_of = {url: doc_lang(built, url) for url in pages}
    for home in ("/", "/fr/", "/ja/", "/ar/", "/pt-br/"):
        code = doc_lang(built, home)
        html = built.page(home).read_text(encoding="utf-8")
        linked = {u for u in re.findall(r'href="([^"#?]+)"', html) if u in lang_of}
        assert linked, home
        assert {lang_of[u] for u in linked} == {code}, home
    ja_article = next(u for u in pages if u.startswith("/ja/20") and "採掘" in pages[u].region("h1"))
    related = [a["href"] for a in Doc.load(built.page(ja_article)).find("a", within="related")]
    assert related and all(lang_of[u] == "ja" for u in related if u in lang_of)
    feed = ET.parse(built.out / "fr" / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    links = [e.find("a:link", ns).get("href") for e in feed.findall("a:entry", ns)]
    assert links and all("/fr/" in link for link in links)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    root_feed = ET.parse(built.out / "feed.xml").getroot()
    assert all("/fr/" not in e.find("a:link", ns).get("href") for e in root_feed.findall("a:entry", ns))
    category = built.page("/ja/category/markets/").read_text(encoding="utf-8")
    assert "採掘業者が北へ" in category and "Miners move north" not in category


def doc_lang(site, url: str) -> str:
    return re.search(r'<html lang="([^"]+)"', site.page(url).read_text(encoding="utf-8")).group(1)


def test_sitemaps_list_every_language(built):
    sitemap = (built.out / "sitemap.xml").read_text(encoding="utf-8")
    for prefix in ("/fr/", "/ja/", "/ar/", "/pt-br/", "/ru/"):
        assert f"https://test.example{prefix}</loc>" in sitemap


def test_news_sitemap_names_each_language(site):
    site.write("site.toml", MINIMAL_TOML + LANGUAGES)
    site.write("content/articles/now.md", article("Fresh news", "2025-07-01T08:00:00Z", "Bitcoin"))
    site.write("content/ru/articles/now.md", article("Свежие новости", "2025-07-01T08:00:00Z", "Bitcoin"))
    done = site.build(env={"SOURCE_DATE_EPOCH": "1751364000"})  # 2025-07-01T10:00Z
    assert done.returncode == 0, done.stderr
    news = (site.out / "sitemap-news.xml").read_text(encoding="utf-8")
    assert "<news:language>ru</news:language>" in news and "<news:language>en</news:language>" in news


def test_no_broken_internal_links(built):
    broken, checked = check_output(built.out)
    assert checked > 20
    assert broken == []


def test_ui_strings_come_from_the_language_files(tmp_path):
    """The example site's French edition: its UI strings from layouts/strings/fr.po, dates by Babel."""
    from sitetools import copy_example, run_cli
    root = copy_example(tmp_path)
    done = run_cli("build", "--source", str(root), "--no-search")
    assert done.returncode == 0, done.stderr
    out = root / "public"
    fr = next((out / "fr" / "2026" / "06").glob("*/index.html")).read_text(encoding="utf-8")  # the staking guide
    assert "Temps de lecture" in fr and "Articles liés" in fr
    assert re.search(r"\d+ (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) 2026", fr)
    assert "Reading Time" not in fr
    en = (out / "index.html").read_text(encoding="utf-8")
    assert "mins read" in en and "min de lecture" not in en


def test_a_single_language_site_is_an_edition_of_one(site, tmp_path):
    """Declaring just one language changes nothing in the output, byte for byte, and it carries no
    hreflang or switcher."""
    site.write("content/articles/a.md", article("One story", DATE, "Bitcoin", tags=("ETFs",)))
    site.write("content/articles/b.md", article("Two stories", "2025-06-01T09:00:00Z", "Bitcoin", tags=("ETFs",)))
    assert site.build("-o", str(tmp_path / "plain")).returncode == 0
    site.write("site.toml", MINIMAL_TOML + '[[languages]]\ncode = "en"\nname = "English"\n')
    assert site.build("-o", str(tmp_path / "one")).returncode == 0
    plain, one = tree_hashes(tmp_path / "plain"), tree_hashes(tmp_path / "one")
    assert plain == one
    home = (tmp_path / "plain" / "index.html").read_text(encoding="utf-8")
    assert "hreflang" not in home and 'class="languages' not in home


def test_undeclared_language_is_a_path_line_error(site):
    site.write("site.toml", MINIMAL_TOML + LANGUAGES)
    site.write("content/articles/ok.md", article("Fine", DATE, "Bitcoin"))
    site.write("content/articles/bad.md", article("Nope", DATE, "Bitcoin", lang="xx"))
    done = site.build()
    assert done.returncode == 1
    assert re.search(r"content/articles/bad\.md:5: error: language 'xx' is not declared in site\.toml", done.stderr), done.stderr
    assert site.page("/2025/07/fine/").is_file()


def test_two_translations_of_one_key_in_one_language_is_an_error(site):
    site.write("site.toml", MINIMAL_TOML + LANGUAGES)
    site.write("content/articles/a.md", article("A", DATE, "Bitcoin", translation_key="k"))
    site.write("content/fr/articles/b.md", article("B", DATE, "Bitcoin", translation_key="k"))
    site.write("content/fr/articles/c.md", article("C", DATE, "Bitcoin", translation_key="k"))
    done = site.build()
    assert done.returncode == 1
    assert re.search(r"content/fr/articles/c\.md: error: translation_key 'k' makes it a second 'fr' translation",
                     done.stderr), done.stderr
    assert site.page("/fr/2025/07/c/").is_file()  # still published, without translations


@pytest.mark.parametrize("toml, message", [
    ('[[languages]]\ncode = "en"\n[[languages]]\ncode = "e n"\n', "languages[1].code must be a language tag"),
    ('[[languages]]\ncode = "en"\nroot = true\n[[languages]]\ncode = "fr"\nroot = true\n', "only one language can have root"),
    ('[[languages]]\ncode = "en"\n[[languages]]\ncode = "en"\n', "is declared twice"),
    ('[[languages]]\ncode = "en"\n[[languages]]\ncode = "fr"\ndate_format = "%d %B"\n', "looks like strftime"),
    ('[[languages]]\ncode = "en"\n[[languages]]\ncode = "fr"\nnmae = "x"\n', "did you mean 'name'"),
])
def test_language_settings_are_checked(site, toml, message):
    site.write("site.toml", MINIMAL_TOML + toml)
    done = site.build()
    assert done.returncode == 2
    assert message in done.stderr, done.stderr
    assert not site.out.exists()


def test_check_command_finds_hreflang_links_reciprocal_and_flags_one_that_is_not(built, tmp_path):
    from sitetools import run_cli
    done = run_cli("check", "--source", str(built.root))
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr
    out = tmp_path / "public"
    shutil.copytree(built.out, out)
    fr = next((out / "fr").glob("20*/*/*/index.html"))
    html = fr.read_text(encoding="utf-8")
    fr.write_text(re.sub(r'<link rel="alternate" hreflang="de"[^>]*>\n', "", html), encoding="utf-8")
    done = run_cli("check", "--source", str(built.root), "--output", str(out))
    assert re.search(r"de/\S+index\.html: warning: hreflang fr leads to \S+, which does not link back", done.stderr), \
        done.stderr


def test_a_translation_without_a_page_is_left_out_of_hreflang(site):
    site.write("site.toml", MINIMAL_TOML + LANGUAGES)
    site.write("content/pages/about.md", "---\ntitle: About\nslug: about\ntranslation_key: about\n---\n\nWho.\n")
    site.write("content/fr/pages/about.md", "---\ntitle: À propos\nurl: /fr/\ntranslation_key: about\n---\n\nQui.\n")
    done = site.build()
    assert done.returncode == 1  # the French page claims the French home's URL
    assert re.search(r"content/pages/about\.md: warning: its 'fr' translation content/fr/pages/about\.md has no page",
                     done.stderr), done.stderr
    assert not re.search(r"<link rel=\"alternate\" hreflang", site.page("/about/").read_text(encoding="utf-8"))
    broken, _ = check_output(site.out)
    assert broken == []


def test_pager_dates_and_archive_months_are_in_each_editions_language(site):
    """The dates an anchored page covers and the archive's month names are the edition's words
    (CLDR's, through Babel), not English month names; French archive pages have French UI strings."""
    site.write("site.toml", MINIMAL_TOML + '[[languages]]\ncode = "en"\n[[languages]]\ncode = "fr"\n'
                                           '[[languages]]\ncode = "ja"\n')
    days = ("2025-06-28", "2025-06-30", "2025-07-01", "2025-07-02", "2025-07-03")
    for lang in ("en", "fr", "ja"):
        for i, day in enumerate(days):
            site.write(f"content/{lang}/articles/story-{i}.md", article(f"Story {i} {lang}", f"{day}T09:00:00Z", "Bitcoin"))
    done = site.build()
    assert done.returncode == 0, done.stderr
    assert "0 errors, 0 warnings" in done.stderr, done.stderr
    # CLDR puts thin spaces around the English dash (Doc collapses white space)
    expected = {"": "June 28 – 30, 2025", "fr/": "28–30 juin 2025", "ja/": "2025年6月28日～30日"}
    for prefix, label in expected.items():
        doc = site.html(f"/{prefix}page/2/")  # anchored: page 2 holds the two oldest
        assert doc.region("title").startswith(f"Test News, {label}"), (prefix, doc.region("title"))
    months = {"": ("June 2025", "Archive"), "fr/": ("juin 2025", "Archives"), "ja/": ("2025年6月", None)}
    for prefix, (month, kicker) in months.items():
        doc = site.html(f"/{prefix}2025/06/")
        assert doc.text("h1", "page-title") == [month]
        if kicker:
            assert doc.text("p", "kicker") == [kicker]
        year = site.html(f"/{prefix}2025/")
        assert [name for _, a, name in year.find_all("a") if a.get("href") == f"/{prefix}2025/06/"] == [month]
    fr = site.html("/fr/2025/06/")
    assert fr.meta("description") == ["2 articles parus en juin 2025 dans Test News."]
    assert fr.region(".archive-nav") == "Plus récent : juillet 2025"


EMBEDS = "A note.[^1]\n\n[^1]: The source.\n\nhttps://youtu.be/dQw4w9WgXcQ\n\nhttps://x.com/satoshi/status/123\n"


def _facade_texts(doc: Doc) -> list[str]:
    return doc.text("span", "embed__label") + doc.text("span", "embed__note") + \
        [a["title"] for a in doc.find("a", "footnote-backref")]


def test_embed_facades_and_footnotes_speak_the_articles_language(site):
    """The texts the Markdown body holds (an embed's label and note, a footnote's back-link title)
    come from layouts/strings/{code}.po in the article's language; moving a file to another
    language's folder, or editing the .po file, re-renders its body (the body cache is keyed by both)."""
    site.write("site.toml", MINIMAL_TOML + '[[languages]]\ncode = "en"\n[[languages]]\ncode = "fr"\n'
                                           '[[languages]]\ncode = "de"\n')
    site.write("content/articles/clip.md", article("Clip", DATE, "Bitcoin", body=EMBEDS))
    site.write("content/fr/articles/clip.md", article("Clip en français", DATE, "Bitcoin", body=EMBEDS))
    site.write("content/articles/clip.de.md", article("Clip auf Deutsch", DATE, "Bitcoin", body=EMBEDS))
    assert site.build().returncode == 0
    english = ["Play YouTube video", "Show post by @satoshi on X",
               "Loads content from www.youtube-nocookie.com when clicked",
               "Loads content from platform.twitter.com when clicked", "Back to reference 1"]
    assert _facade_texts(site.html("/2025/07/clip/")) == english
    assert _facade_texts(site.html("/fr/2025/07/clip-en-francais/")) == [
        "Lire la vidéo YouTube", "Afficher le message de @satoshi sur X",
        "Charge du contenu de www.youtube-nocookie.com au clic", "Charge du contenu de platform.twitter.com au clic",
        "Retour à la référence 1"]
    assert _facade_texts(site.html("/de/2025/07/clip-auf-deutsch/")) == english  # no de.po: English
    # the French file moves to the German edition: the same bytes, now a German (English-worded) body
    (site.root / "content/de/articles").mkdir(parents=True)
    (site.root / "content/fr/articles/clip.md").rename(site.root / "content/de/articles/clip.md")
    (site.root / "content/articles/clip.de.md").unlink()
    assert site.build().returncode == 0
    assert _facade_texts(site.html("/de/2025/07/clip-en-francais/")) == english
    # a new French translation in fr.po reaches bodies built before it, through the cache
    site.write("content/fr/articles/again.md", article("Encore", DATE, "Bitcoin", body=EMBEDS))
    assert site.build().returncode == 0
    po = site.root / "layouts/strings/fr.po"
    po.write_text(po.read_text(encoding="utf-8").replace('"Lire la vidéo YouTube"', '"Voir la vidéo YouTube"'),
                  encoding="utf-8")
    done = site.build()
    assert done.returncode == 0 and "0 warnings" in done.stderr, done.stderr
    assert _facade_texts(site.html("/fr/2025/07/encore/"))[0] == "Voir la vidéo YouTube"


def test_a_body_string_translated_with_other_placeholders_is_a_warning_and_english_is_used(site):
    site.write("site.toml", MINIMAL_TOML + '[[languages]]\ncode = "en"\n[[languages]]\ncode = "fr"\n')
    site.write("layouts/strings/fr.po", 'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
                                        'msgid "Show post by @%(user)s on X"\nmsgstr "Message de @%(nom)s sur X"\n\n'
                                        'msgid "Play YouTube video"\nmsgstr "Lire la vidéo"\n')
    site.write("content/fr/articles/clip.md", article("Clip", DATE, "Bitcoin", body=EMBEDS))
    done = site.build()
    assert done.returncode == 0
    assert re.search(r"layouts/strings/fr\.po:5: warning: the translation of 'Show post by @%\(user\)s on X' does "
                     r"not have the placeholders of the English \(%\(user\)s\); the English is used", done.stderr), \
        done.stderr
    assert _facade_texts(site.html("/fr/2025/07/clip/"))[:2] == ["Lire la vidéo", "Show post by @satoshi on X"]
