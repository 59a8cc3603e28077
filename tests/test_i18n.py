"""Multilingual editions (issue 21): tiny sites in eight languages, built for real and read back.

Every file gets its own page, hreflang links are reciprocal with x-default, each language's lists
(home, listings, feeds, related, news sitemap) hold only that language, no internal link is broken,
a single-language site is an edition of one, and mistakes are path:line errors.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import MINIMAL_TOML, Site, article
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
    site = Site.new(tmp_path_factory.mktemp("i18n") / "site")
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
    bylines = Doc.parse(fr).find("a", "article__author")
    assert bylines and all(a["href"].startswith("/fr/author/") for a in bylines)  # the French author pages
    tags = Doc.load(out / "fr" / "tag" / "index.html")
    assert tags.meta("description") == ["Tous les mots-clés de Blockline News en français."]
    assert Doc.load(out / "fr" / "tag" / "staking" / "index.html").region("title").startswith("Mot-clé : Staking")
    assert Doc.load(out / "fr" / "author" / "index.html").text("h1") == ["Auteurs"]
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


# --- a newsroom in nine languages, as Bitcoin Optech publishes ---------------------------------------
# Its files follow every rule at once: one folder per language below content/articles/ with the same
# file name and lang: (Optech's layout), '.{lang}.md' suffixes without lang:, files with only lang:
# (some named in their own script), a recurring headline, pages; titles in their own scripts and no
# slug: anywhere. Arabic is written right to left.

NEWSROOM_CODES = ("en", "ja", "zh", "es", "de", "fr", "cs", "ko", "ar")
NEWSROOM_TOML = """\
title = "Chain Weekly"
base_url = "https://news.example/"
description = "Bitcoin technology news."
timezone = "UTC"
per_page = 2

[[categories]]
name = "Newsletters"

[[categories]]
name = "Markets"

[search]
enabled = false
""" + "".join(f'\n[[languages]]\ncode = "{code}"\n' for code in NEWSROOM_CODES)
NEWSLETTERS = {  # issue -> language -> (title, tag, author, first paragraph)
    361: {
        "en": ("Bitcoin Optech Newsletter #361", "Lightning", "Mark Erhardt",
               "This week's newsletter summarizes a proposal for splicing and a new Bitcoin Core release candidate."),
        "ja": ("Bitcoin Optech ニュースレター #361", "ライトニング", "山田太郎",
               "今週のニュースレターでは、スプライシングの提案とBitcoin Coreの新しいリリース候補を紹介します。"),
        "zh": ("Bitcoin Optech 周报 #361", "闪电网络", "李明", "本周的周报总结了一项关于拼接的提案以及 Bitcoin Core 的新候选版本。"),
        "es": ("Boletín de Bitcoin Optech n.º 361", "Lightning", "Ana García",
               "El boletín de esta semana resume una propuesta de splicing y un nuevo candidato de Bitcoin Core."),
        "de": ("Bitcoin Optech Newsletter #361", "Lightning", "Mark Erhardt",
               "Der Newsletter dieser Woche fasst einen Vorschlag zum Splicing und einen Release-Kandidaten zusammen."),
        "fr": ("Bulletin Hebdomadaire Bitcoin Optech #361", "Lightning", "Claire Martin",
               "Le bulletin de cette semaine résume une proposition de splicing et une version candidate de Bitcoin Core."),
        "cs": ("Zpravodaj „Bitcoin Optech“ č. 361", "Lightning", "Jan Novák",
               "Zpravodaj tento týden shrnuje návrh na splicing a nového kandidáta na vydání Bitcoin Core."),
        "ko": ("Bitcoin Optech 뉴스레터 #361", "라이트닝", "김민준", "이번 주 뉴스레터는 스플라이싱 제안과 Bitcoin Core의 새 릴리스 후보를 요약합니다."),
        "ar": ("نشرة Bitcoin Optech الإخبارية رقم 361", "البرق", "سارة أحمد",
               "تلخص نشرة هذا الأسبوع اقتراحًا للربط وإصدارًا مرشحًا جديدًا من Bitcoin Core."),
    },
    362: {
        "en": ("Bitcoin Optech Newsletter #362", "Mempool", "Mark Erhardt",
               "This week's newsletter describes a change to mempool policy."),
        "ja": ("Bitcoin Optech ニュースレター #362", "メモリプール", "山田太郎", "今週のニュースレターでは、メモリプールのポリシー変更について説明します。"),
        "zh": ("Bitcoin Optech 周报 #362", "内存池", "李明", "本周的周报介绍了内存池策略的一项变更。"),
        "es": ("Boletín de Bitcoin Optech n.º 362", "Mempool", "Ana García",
               "El boletín de esta semana describe un cambio en la política de la mempool."),
        "de": ("Bitcoin Optech Newsletter #362", "Mempool", "Mark Erhardt",
               "Der Newsletter dieser Woche beschreibt eine Änderung der Mempool-Richtlinien."),
    },
}
FEE_MARKET = {  # '.{lang}.md' suffixes, no lang:
    "en": "Fee market cools as blocks empty", "ja": "ブロックが空になり手数料市場が落ち着く", "zh": "区块清空，手续费市场降温",
    "cs": "Trh s poplatky se ochlazuje, bloky se vyprazdňují", "ko": "블록이 비면서 수수료 시장 진정",
    "ar": "سوق الرسوم يهدأ مع خلو الكتل",
}
LOOSE = [  # only lang:, each its own file name (some in their own script), no translation
    ("taproot-adoption.md", "en", "Taproot adoption keeps climbing", "2025-05-12"),
    ("タップルート.md", "ja", "タップルートの採用が拡大", "2025-05-13"),
    ("比特币减半.md", "zh-Hans-CN", "比特币减半之后的矿工收入", "2025-05-14"),  # falls back to the declared zh
    ("mineria.md", "es", "La minería de Bitcoin se traslada al norte", "2025-05-15"),
    ("verwahrung.md", "de", "Selbstverwahrung im Alltag", "2025-05-16"),
    ("portefeuilles.md", "fr", "Les portefeuilles matériels à l’épreuve", "2025-05-17"),
    ("uzly.md", "cs", "Počet uzlů roste", "2025-05-18"),
    ("지갑.md", "ko", "하드웨어 지갑 보안 점검", "2025-05-19"),
    ("التعدين.md", "ar", "تعدين البيتكوين في الشرق الأوسط", "2025-05-20"),
    ("weekly-1.md", "ja", "週刊まとめ", "2025-04-01"),  # one headline twice: the later one gets '-2'
    ("weekly-2.md", "ja", "週刊まとめ", "2025-04-08"),
]
NEWSROOM_PAGES = {
    "content/pages/about.md": ("en", "About", "---\ntitle: About\n---\n\nWho we are.\n"),
    "content/pages/about.ja.md": ("ja", "私たちについて", "---\ntitle: 私たちについて\n---\n\n私たちは誰か。\n"),
    "content/ar/pages/about.md": ("ar", "من نحن", "---\ntitle: من نحن\n---\n\nمن نحن.\n"),
}


def _newsroom(site) -> dict[str, tuple[str, str]]:
    """Write the newsroom; source path -> (language, title) of each file."""
    def put(rel: str, lang: str, title: str, text: str) -> None:
        site.write(rel, text)
        files[rel] = (lang, title)

    files: dict[str, tuple[str, str]] = {}
    site.write("site.toml", NEWSROOM_TOML)
    for issue, by_lang in NEWSLETTERS.items():
        day = f"2025-07-{2 + 7 * (issue - 361):02d}"
        for lang, (title, tag, author, lead) in by_lang.items():
            body = f"{lead}[^1]\n\n[^1]: Optech.\n\nhttps://youtu.be/dQw4w9WgXcQ\n"
            put(f"content/articles/{lang}/{day}-newsletter.md", lang, title,
                article(title.replace('"', '\\"'), f"{day}T12:00:00Z", "Newsletters", (f'"{tag}"',), body,
                        lang=lang, author=f'"{author}"'))
    for lang, title in FEE_MARKET.items():
        rel = "content/articles/fee-market.md" if lang == "en" else f"content/articles/fee-market.{lang}.md"
        put(rel, lang, title, article(title, "2025-06-20T08:00:00Z", "Markets", ("Fees",), title + "."))
    for name, lang, title, day in LOOSE:
        put(f"content/articles/{name}", lang.split("-")[0], title,
            article(title, f"{day}T08:00:00Z", "Markets", (), title + ".", lang=lang))
    for rel, (lang, title, text) in NEWSROOM_PAGES.items():
        put(rel, lang, title, text)
    return files


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    """The nine-language newsroom, built once: (site, source -> (language, title), the build's stderr)."""
    site = Site.new(tmp_path_factory.mktemp("newsroom") / "site")
    files = _newsroom(site)
    done = site.build()
    assert done.returncode == 0, done.stderr
    return site, files, done.stderr


def _lang_of_url(url: str) -> str:
    """The edition a site path belongs to: its first folder if that is a language, else the root's (en)."""
    first = url.strip("/").split("/")[0]
    return first if first in NEWSROOM_CODES and first != "en" else "en"


def _reader_pages(site) -> dict[str, Doc]:
    return {url: doc for url, path in html_pages(site.out).items() if (doc := Doc.load(path)).kind}


def test_newsroom_builds_without_warnings_and_every_file_gets_its_own_page(newsroom):
    site, files, stderr = newsroom
    assert "0 errors, 0 warnings" in stderr, stderr
    pages = {url: doc for url, doc in _reader_pages(site).items() if doc.kind in ("article", "page")}
    assert len(pages) == len(files)
    found = sorted((doc_lang(site, url), doc.text("h1")[0]) for url, doc in pages.items())
    assert found == sorted(files.values())
    for url, doc in pages.items():
        assert _lang_of_url(url) == doc_lang(site, url), url  # each in its own edition's folder
    weekly = {pages[url].jsonld_of("NewsArticle")[0]["datePublished"][:10]: url
              for url in pages if pages[url].text("h1") == ["週刊まとめ"]}
    assert weekly["2025-04-08"] == weekly["2025-04-01"].rstrip("/") + "-2/"  # the later one is numbered


def test_newsroom_translations_link_each_other_reciprocally_with_x_default(newsroom):
    site, files, _ = newsroom
    base = "https://news.example"
    pages = {url: doc for url, doc in _reader_pages(site).items() if doc.kind in ("article", "page")}
    sizes = sorted(len(_alternates(doc)) for doc in pages.values() if _alternates(doc))
    # #361 in 9 languages, #362 in 5, the fee market in 6, about in 3: each plus x-default, on each version
    assert sizes == sorted([10] * 9 + [6] * 5 + [7] * 6 + [4] * 3)
    for url, doc in pages.items():
        links = _alternates(doc)
        if not links:
            continue
        assert links[doc_lang(site, url)] == base + url  # itself, under its own language
        assert links["x-default"] == links["en"]
        for href in links.values():
            assert _alternates(pages[href.removeprefix(base)]) == links, f"{href} does not link back the same way"
    loose = {title for _, _, title, _ in LOOSE}
    assert all(not _alternates(doc) for doc in pages.values() if doc.text("h1")[0] in loose)
    everything = _reader_pages(site)  # homes, listings, archives, term indexes: alternates both ways too
    listings = {url: _alternates(doc) for url, doc in everything.items() if doc.kind not in ("article", "page")}
    assert sum(bool(links) for links in listings.values()) > 30
    for url, links in listings.items():
        for href in links.values():
            assert _alternates(everything[href.removeprefix(base)]) == links, f"{url}: {href} does not link back"


def test_newsroom_lists_feeds_and_sitemaps_hold_each_language_only(newsroom):
    site, files, _ = newsroom
    docs = _reader_pages(site)
    articles = {url: doc_lang(site, url) for url, doc in docs.items() if doc.kind == "article"}
    kinds_seen: dict[str, set[str]] = {}
    for url, doc in docs.items():
        if doc.kind in ("article", "page"):
            continue
        lang = _lang_of_url(url)
        html = site.text(url)  # with the sidebar's trending and latest lists inlined
        listed = {href for href in re.findall(r'href="([^"#?]+)"', html) if href in articles}
        assert {articles[href] for href in listed} <= {lang}, f"{url} lists another language's articles"
        if listed:
            kinds_seen.setdefault(lang, set()).add(doc.kind)
    for lang in NEWSROOM_CODES:  # every edition has its own home, category, tag, author and archive lists
        assert {"home", "category", "tag", "author", "month", "year"} <= kinds_seen[lang], (lang, kinds_seen[lang])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for lang in NEWSROOM_CODES:
        prefix = "" if lang == "en" else f"{lang}/"
        for feed in (f"{prefix}feed.xml", f"{prefix}category/newsletters/feed.xml"):
            entries = [e.find("a:link", ns).get("href") for e in ET.parse(site.out / feed).getroot().findall("a:entry", ns)]
            assert entries and {articles[h.removeprefix("https://news.example")] for h in entries} == {lang}, feed
        items = json.loads((site.out / prefix / "feed.json").read_text(encoding="utf-8"))["items"]
        assert {articles[i["url"].removeprefix("https://news.example")] for i in items} == {lang}
    sitemap = re.findall(r"<loc>https://news\.example([^<]+)</loc>", (site.out / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(sitemap) == len(set(sitemap)) and set(articles) <= set(sitemap)
    news = (site.out / "sitemap-news.xml").read_text(encoding="utf-8")
    for loc, lang in re.findall(r"<loc>https://news\.example([^<]+)</loc>.*?<news:language>([^<]+)<", news, re.S):
        assert articles[loc] == lang


def test_newsroom_pages_speak_their_language_right_to_left_for_arabic(newsroom):
    site, _, _ = newsroom
    for url in ("/ar/", next(u for u in html_pages(site.out) if u.startswith("/ar/2025/07/") and u.count("/") == 5)):
        assert re.search(r'<html lang="ar" dir="rtl">', site.page(url).read_text(encoding="utf-8")), url
    assert re.search(r'<html lang="ja">', site.page("/ja/").read_text(encoding="utf-8"))
    ar = site.html("/ar/")
    assert ar.region("title") == "Chain Weekly"  # no title of its own: the site's
    ja_newsletter = next(u for u in html_pages(site.out) if u.startswith("/ja/2025/07/") and "361" in u)
    assert Doc.load(site.page(ja_newsletter)).jsonld_of("NewsArticle")[0]["inLanguage"] == "ja"


def test_newsroom_check_finds_no_broken_link_and_no_warning(newsroom):
    from sitetools import run_cli
    site, _, _ = newsroom
    broken, checked = check_output(site.out)
    assert checked > 100 and broken == []
    done = run_cli("check", "--source", str(site.root))
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr


def test_newsroom_pages_link_within_their_own_edition(newsroom):
    """Apart from the language switcher, a page's links (bylines, categories, tags, archives, menus,
    pager, related and sidebar lists) stay in its own edition."""
    site, _, _ = newsroom
    pages = html_pages(site.out)
    leaks = []
    for url, path in pages.items():
        doc = Doc.load(path)
        if not doc.kind:
            continue
        lang = _lang_of_url(url)
        switcher = set(doc.links_within("languages"))
        for href in doc.links:
            target = href.split("#")[0].split("?")[0]
            if target in pages and target not in switcher and _lang_of_url(target) != lang:
                leaks.append(f"{url} -> {href}")
    assert leaks == []


def test_a_lang_tag_falls_back_to_the_declared_language_it_names(site):
    """'en-GB' is English where 'en' is declared (RFC 4647 lookup), 'pt' is the one declared
    Portuguese (pt-BR); a tag of no declared language is still an error."""
    site.write("site.toml", MINIMAL_TOML + LANGUAGES)
    site.write("content/articles/uk.md", article("Sterling stablecoin", DATE, "Bitcoin", lang="en-GB"))
    site.write("content/articles/pt.md", article("Stablecoin em reais", DATE, "Bitcoin", lang="pt"))
    site.write("content/articles/cn.md", article("稳定币", DATE, "Bitcoin", lang="zh-Hans-CN"))
    done = site.build()
    assert done.returncode == 1
    assert site.page("/2025/07/sterling-stablecoin/").is_file()
    assert doc_lang(site, "/pt-br/2025/07/stablecoin-em-reais/") == "pt-BR"
    assert re.search(r"content/articles/cn\.md:5: error: language 'zh-Hans-CN' is not declared", done.stderr), \
        done.stderr


def test_norwegian_lang_no_is_not_read_as_false_and_hebrew_is_right_to_left(site):
    """YAML 1.1 reads 'lang: no' as false: on a site declaring Norwegian ('no') it is Norwegian."""
    site.write("site.toml", MINIMAL_TOML + '[[languages]]\ncode = "en"\n[[languages]]\ncode = "no"\n'
                                           '[[languages]]\ncode = "he"\n')
    site.write("content/articles/nyheter.md", article("Nyheter", DATE, "Bitcoin", lang="no"))
    site.write("content/articles/hadashot.md", article("חדשות ביטקוין", DATE, "Bitcoin", lang="he"))
    done = site.build()
    assert done.returncode == 0 and "0 errors, 0 warnings" in done.stderr, done.stderr
    assert doc_lang(site, "/no/2025/07/nyheter/") == "no"
    he = next(u for u in html_pages(site.out) if u.startswith("/he/2025/07/") and u.count("/") == 5)
    assert re.search(r'<html lang="he" dir="rtl">', site.page(he).read_text(encoding="utf-8"))
