"""The core build, end to end: tiny sites written into tmp_path, built by the real CLI, read back as HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Page, Site, article, run_cli

# --- reading pages the way a reader does ----------------------------------------------------------


class Doc(Page):
    """A parsed page with helpers for the blocks these tests read."""

    def cards(self, variant: str | None = None) -> list[str]:
        """The article URL of every card (its title link), optionally only cards of one variant (lead, list, grid)."""
        out = []
        for (tag, attrs, _), around in zip(self.elements, self.context):
            if tag == "a" and "card__title" in around and (variant is None or f"card--{variant}" in around):
                out.append(attrs["href"])
        return out

    def step(self, rel: str) -> list[str]:
        """Previous/next pagination links as shown in the page body."""
        return [a["href"] for _, a, _ in self.find_all("a", cls="pagination__step", rel=rel)]


def doc(site: Site, url: str) -> Doc:
    path = site.page(url)
    assert path.is_file(), f"{url} was not built ({path} missing)"
    return Doc.parse(path.read_text(encoding="utf-8"))


def built_urls(site: Site) -> set[str]:
    """Every page URL in the output, '/x/y/' for x/y/index.html."""
    out = set()
    for path in site.out.rglob("index.html"):
        rel = path.parent.relative_to(site.out).as_posix()
        out.add("/" if rel == "." else f"/{rel}/")
    return out


def article_urls(site: Site) -> set[str]:
    return {u for u in built_urls(site) if re.fullmatch(r"/\d{4}/\d{2}/[^/]+/", u)}


def set_toml(site: Site, **changes: str) -> None:
    """Replace or add top-level keys of the fixture's site.toml (values are TOML literals)."""
    path = site.root / "site.toml"
    text = path.read_text(encoding="utf-8")
    for key, value in changes.items():
        pattern = re.compile(rf"^{key} = .*$", re.M)
        if pattern.search(text):
            text = pattern.sub(f"{key} = {value}", text)
        else:
            text = f"{key} = {value}\n" + text
    path.write_text(text, encoding="utf-8")


def words(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n))


# --- article URLs and slugs -----------------------------------------------------------------------


def test_article_pages_at_year_month_slug(site):
    site.write("content/articles/btc.md", article("Bitcoin (BTC) Hits $100k!", "2025-07-17T09:30:00Z", "Bitcoin"))
    site.write("content/articles/march.md", article("Quiet Day in March", "2025-03-05", "Markets"))
    site.write("content/articles/custom.md",
               article("A Headline That Is Not the Slug", "2024-11-30T12:00:00Z", "Policy", slug="my-own-slug"))
    site.build(check=True)

    assert article_urls(site) == {"/2025/07/bitcoin-btc-hits-100k/", "/2025/03/quiet-day-in-march/",
                                  "/2024/11/my-own-slug/"}
    page = doc(site, "/2025/07/bitcoin-btc-hits-100k/")
    assert page.text("h1") == ["Bitcoin (BTC) Hits $100k!"]
    assert doc(site, "/2024/11/my-own-slug/").text("h1") == ["A Headline That Is Not the Slug"]
    assert not site.page("/2024/11/a-headline-that-is-not-the-slug/").exists()


def test_recurring_titles_in_a_month_get_numbered_urls_oldest_first(site):
    # written newest first and in reverse file order: the rule is by date, not by file name or order
    site.write("content/articles/a-wrap-3.md", article("Market wrap", "2025-07-21T18:00:00Z", "Markets"))
    site.write("content/articles/b-wrap-1.md", article("Market wrap", "2025-07-07T18:00:00Z", "Markets"))
    site.write("content/articles/c-wrap-2.md", article("Market Wrap!", "2025-07-14T18:00:00Z", "Markets"))
    site.write("content/articles/d-wrap-aug.md", article("Market wrap", "2025-08-04T18:00:00Z", "Markets"))
    result = site.build(check=True)
    assert "already taken" not in result.stderr
    first, second, third = (doc(site, f"/2025/07/market-wrap{n}/") for n in ("", "-2", "-3"))
    assert [p.find_all("time")[0][1]["datetime"][:10] for p in (first, second, third)] == \
        ["2025-07-07", "2025-07-14", "2025-07-21"]
    assert doc(site, "/2025/08/market-wrap/").text("h1") == ["Market wrap"]  # another month: its own plain slug
    # numbering follows the dates, not the order files were added: a back-dated wrap takes its place
    site.write("content/articles/e-wrap-late.md", article("Market wrap", "2025-07-10T18:00:00Z", "Markets"))
    site.build(check=True)
    assert [doc(site, f"/2025/07/market-wrap{n}/").find_all("time")[0][1]["datetime"][:10]
            for n in ("", "-2", "-3", "-4")] == ["2025-07-07", "2025-07-10", "2025-07-14", "2025-07-21"]


def test_explicit_slugs_that_clash_are_an_error(site):
    site.write("content/articles/a.md", article("One headline", "2025-07-01", "Markets", slug="weekly"))
    site.write("content/articles/b.md", article("Another headline", "2025-07-02", "Markets", slug="weekly"))
    result = site.build()
    assert result.returncode == 1
    assert re.search(r"content/articles/b\.md: error: its URL /2025/07/weekly/ is already taken by "
                     r"content/articles/a\.md", result.stderr), result.stderr
    assert doc(site, "/2025/07/weekly/").text("h1") == ["One headline"]
    assert not site.page("/2025/07/weekly-2/").exists()


def test_article_page_shows_its_metadata(site):
    site.write("content/articles/a.md", article("Policy Moves", "2025-07-17T09:30:00Z", "Policy",
                                                tags=["Regulation", "Bitcoin (BTC)"], author="Jane Doe"))
    site.build(check=True)
    page = doc(site, "/2025/07/policy-moves/")
    assert page.find_all("time", datetime="2025-07-17T09:30:00+00:00")
    assert "July 17, 2025" in page.text("time")
    assert "in Policy" in page.text("span")
    assert "/category/policy/" in page.links_within("article__meta")
    assert page.links_within("breadcrumb") == ["/", "/category/policy/", "/2025/07/policy-moves/"]
    assert page.links_within("taglist") == ["/tag/regulation/", "/tag/bitcoin-btc/"]
    assert "Jane Doe" in page.text(cls="article__author")


# --- categories, tags, pagination -----------------------------------------------------------------


def _seven_bitcoin_two_policy(site: Site) -> None:
    for n in range(1, 8):
        tags = ["ETF"] if n in (2, 5, 7) else ["Mining"]
        site.write(f"content/articles/btc-{n}.md", article(f"Bitcoin Story {n}", f"2025-07-0{n}T10:00:00Z", "Bitcoin", tags=tags))
    site.write("content/articles/pol-1.md", article("Policy Story 1", "2025-07-03T12:00:00Z", "Policy", tags=["ETF"]))
    site.write("content/articles/pol-2.md", article("Policy Story 2", "2025-06-20T12:00:00Z", "Policy", tags=["Regulation"]))


def btc(n: int) -> str:
    return f"/2025/07/bitcoin-story-{n}/"


def test_numbered_pagination_category_pages_newest_first(site):
    set_toml(site, pagination='"numbered"')
    _seven_bitcoin_two_policy(site)
    site.build(check=True)

    first, second, third = doc(site, "/category/bitcoin/"), doc(site, "/category/bitcoin/page/2/"), \
        doc(site, "/category/bitcoin/page/3/")
    assert first.cards() == [btc(7), btc(6), btc(5)]
    assert second.cards() == [btc(4), btc(3), btc(2)]
    assert third.cards() == [btc(1)]
    assert not site.page("/category/bitcoin/page/4/").exists()
    assert not site.page("/category/bitcoin/page/1/").exists()

    assert first.step("prev") == [] and first.step("next") == ["/category/bitcoin/page/2/"]
    assert second.step("prev") == ["/category/bitcoin/"] and second.step("next") == ["/category/bitcoin/page/3/"]
    assert third.step("prev") == ["/category/bitcoin/page/2/"] and third.step("next") == []
    # the numbered links reach every page
    assert {"/category/bitcoin/", "/category/bitcoin/page/2/", "/category/bitcoin/page/3/"} <= \
        set(second.links_within("pagination"))
    assert "7 articles" in first.text(cls="list-header__count")

    policy = doc(site, "/category/policy/")
    assert policy.cards() == ["/2025/07/policy-story-1/", "/2025/06/policy-story-2/"]
    assert policy.step("next") == [] and not site.page("/category/policy/page/2/").exists()
    # a declared category without articles still has its page
    assert doc(site, "/category/markets/").cards() == []


def test_anchored_pagination_numbers_pages_from_the_oldest_and_keeps_them(site):
    _seven_bitcoin_two_policy(site)  # the default: pagination = "anchored"; per_page = 3
    site.build(check=True)
    first, third, second = (doc(site, f"/category/bitcoin/{p}") for p in ("", "page/3/", "page/2/"))
    # the listing's own URL shows the newest; page 2 the oldest three; page 3 what lies between
    assert first.cards() == [btc(7), btc(6), btc(5)]
    assert third.cards() == [btc(4)]
    assert second.cards() == [btc(3), btc(2), btc(1)]
    assert not site.page("/category/bitcoin/page/4/").exists()
    assert first.step("prev") == [] and first.step("next") == ["/category/bitcoin/page/3/"]
    assert third.step("prev") == ["/category/bitcoin/"] and third.step("next") == ["/category/bitcoin/page/2/"]
    assert second.step("prev") == ["/category/bitcoin/page/3/"] and second.step("next") == []
    # pages are named by their dates, and the count (which every publish changes) is on the first only
    assert second.text("title")[0].startswith("Bitcoin, July 1–3, 2025")
    assert "7 articles" in first.text(cls="list-header__count") and not second.text(cls="list-header__count")
    oldest = site.page("/category/bitcoin/page/2/").read_bytes()

    # three publishes: page 3 fills up, then page 4 starts; page 2 is never touched
    for n in (8, 9, 10):
        site.write(f"content/articles/btc-{n}.md", article(f"Bitcoin Story {n}", f"2025-07-{n:02d}T10:00:00Z", "Bitcoin"))
        site.build(check=True)
        if n == 9:
            assert doc(site, "/category/bitcoin/page/3/").cards() == [btc(6), btc(5), btc(4)]
            assert not site.page("/category/bitcoin/page/4/").exists()
    assert doc(site, "/category/bitcoin/").cards() == [btc(10), btc(9), btc(8)]
    assert doc(site, "/category/bitcoin/page/4/").cards() == [btc(7)]
    assert doc(site, "/category/bitcoin/page/3/").cards() == [btc(6), btc(5), btc(4)]
    assert site.page("/category/bitcoin/page/2/").read_bytes() == oldest
    # following "Older" from the first page reaches every article exactly once
    seen, url = [], "/category/bitcoin/"
    while url:
        page = doc(site, url)
        seen += page.cards()
        url = (page.step("next") or [None])[0]
    assert seen == [btc(n) for n in range(10, 0, -1)]


def test_tag_pages_list_exactly_their_articles(site):
    _seven_bitcoin_two_policy(site)
    site.build(check=True)

    etf1, etf2 = doc(site, "/tag/etf/"), doc(site, "/tag/etf/page/2/")
    assert etf1.cards() + etf2.cards() == [btc(7), btc(5), "/2025/07/policy-story-1/", btc(2)]
    assert etf1.cards() == [btc(7), btc(5), "/2025/07/policy-story-1/"]
    assert etf1.step("next") == ["/tag/etf/page/2/"] and etf2.step("prev") == ["/tag/etf/"]
    assert doc(site, "/tag/regulation/").cards() == ["/2025/06/policy-story-2/"]
    mining = doc(site, "/tag/mining/").cards() + doc(site, "/tag/mining/page/2/").cards()
    assert mining == [btc(6), btc(4), btc(3), btc(1)]


def test_index_of_categories_and_tags(site):
    _seven_bitcoin_two_policy(site)
    site.build(check=True)

    cats = doc(site, "/category/")
    assert set(cats.links_within("terms")) == {"/category/bitcoin/", "/category/policy/", "/category/markets/"}
    counts = " | ".join(cats.text("li"))
    assert "Bitcoin 7 articles" in counts and "Policy 2 articles" in counts

    tags = doc(site, "/tag/")
    assert set(tags.links_within("terms")) == {"/tag/etf/", "/tag/mining/", "/tag/regulation/"}
    assert "ETF 4 articles" in " | ".join(tags.text("li"))


def test_numbered_pagination_home_page_lead_and_latest(site):
    set_toml(site, pagination='"numbered"')
    for n in range(1, 8):
        cat = "Bitcoin" if n % 2 else "Policy"
        site.write(f"content/articles/s{n}.md", article(f"Story {n}", f"2025-05-1{n}T08:00:00Z", cat))
    site.build(check=True)
    url = lambda n: f"/2025/05/story-{n}/"  # noqa: E731

    home = doc(site, "/")
    assert home.cards("lead") == [url(7)]
    assert home.cards("list") == [url(6), url(5)]
    assert home.step("next") == ["/page/2/"] and home.step("prev") == []

    page2 = doc(site, "/page/2/")
    assert page2.cards("lead") == []
    assert page2.cards("list") == [url(4), url(3), url(2)]
    assert page2.step("prev") == ["/"] and page2.step("next") == ["/page/3/"]

    page3 = doc(site, "/page/3/")
    assert page3.cards("list") == [url(1)]
    assert page3.step("prev") == ["/page/2/"] and page3.step("next") == []
    assert not site.page("/page/4/").exists()


# --- tags and their slugs -------------------------------------------------------------------------


def test_tag_slugs_are_clean(site):
    site.write("content/articles/a.md", article("Green Mining", "2025-07-01", "Bitcoin",
                                                tags=["Bitcoin (BTC)", "Renewable Energy in Blockchain", "Layer-2 & Rollups"]))
    site.build(check=True)
    page = doc(site, "/2025/07/green-mining/")
    assert page.links_within("taglist") == ["/tag/bitcoin-btc/", "/tag/renewable-energy-in-blockchain/",
                                            "/tag/layer-2-rollups/"]
    assert doc(site, "/tag/bitcoin-btc/").text("h1") == ["Bitcoin (BTC)"]
    assert doc(site, "/tag/renewable-energy-in-blockchain/").cards() == ["/2025/07/green-mining/"]


def test_comma_separated_tags_are_split(site):
    site.write("content/articles/a.md", "---\ntitle: Comma Tags\ndate: 2025-07-01\ncategory: Bitcoin\n"
                                        "tags: Stablecoins, Bitcoin (BTC) ,  DeFi Lending\n---\n\nBody.\n")
    site.build(check=True)
    page = doc(site, "/2025/07/comma-tags/")
    assert page.links_within("taglist") == ["/tag/stablecoins/", "/tag/bitcoin-btc/", "/tag/defi-lending/"]
    assert [t for t in page.text("a") if t in ("Stablecoins", "Bitcoin (BTC)", "DeFi Lending")] == \
        ["Stablecoins", "Bitcoin (BTC)", "DeFi Lending"]
    for slug in ("stablecoins", "bitcoin-btc", "defi-lending"):
        assert doc(site, f"/tag/{slug}/").cards() == ["/2025/07/comma-tags/"]


# --- reading time and summary ---------------------------------------------------------------------


def _reading(page: Doc) -> str:
    found = [t for t in page.text("span") if t.startswith("Reading Time:")]
    assert len(found) == 1, found
    return found[0]


def test_reading_time_computed_and_overridden(site):
    site.write("content/articles/long.md", article("Long Read", "2025-07-01", "Bitcoin", body=words(441)))
    site.write("content/articles/exact.md", article("Exact Read", "2025-07-02", "Bitcoin", body=words(440)))
    site.write("content/articles/short.md", article("Short Read", "2025-07-03", "Bitcoin", body="Just five words here now."))
    site.write("content/articles/set.md", article("Set Read", "2025-07-04", "Bitcoin", body=words(441), reading_time=12))
    site.build(check=True)
    assert _reading(doc(site, "/2025/07/long-read/")) == "Reading Time: 3 mins read"  # 441 / 220 -> 3
    assert _reading(doc(site, "/2025/07/exact-read/")) == "Reading Time: 2 mins read"  # 440 / 220 -> 2
    assert _reading(doc(site, "/2025/07/short-read/")) == "Reading Time: 1 min read"  # at least 1
    assert _reading(doc(site, "/2025/07/set-read/")) == "Reading Time: 12 mins read"
    # cards on listings show the same figure
    readings = doc(site, "/category/bitcoin/").text(cls="card__reading")
    assert readings == ["12 mins read", "1 min read", "2 mins read"]


def test_reading_time_follows_words_per_minute(site):
    set_toml(site, words_per_minute="100")
    site.write("content/articles/long.md", article("Long Read", "2025-07-01", "Bitcoin", body=words(441)))
    site.build(check=True)
    assert _reading(doc(site, "/2025/07/long-read/")) == "Reading Time: 5 mins read"


def test_summary_from_front_matter_or_first_paragraph(site):
    site.write("content/articles/given.md", article("Given Summary", "2025-07-01", "Bitcoin",
                                                    summary='"An editor wrote this standfirst."',
                                                    body="The body starts differently.\n\nMore text."))
    site.write("content/articles/derived.md", article(
        "Derived Summary", "2025-07-02", "Bitcoin",
        body="## A heading first\n\nFirst **bold** paragraph with a [link](https://example.org/) & more.\n\nSecond paragraph."))
    site.build(check=True)

    assert doc(site, "/2025/07/given-summary/").text("p", cls="standfirst") == ["An editor wrote this standfirst."]
    derived = doc(site, "/2025/07/derived-summary/")
    assert derived.text("p", cls="standfirst") == ["First bold paragraph with a link & more."]
    raw = site.page("/2025/07/derived-summary/").read_text(encoding="utf-8")
    standfirst = re.search(r'<p class="standfirst">(.*?)</p>', raw, re.S).group(1)
    assert "<strong>" not in standfirst and "&lt;" not in standfirst
    # cards show the summaries too
    summaries = doc(site, "/category/bitcoin/").text(cls="card__summary")
    assert summaries == ["First bold paragraph with a link & more.", "An editor wrote this standfirst."]


def test_derived_summary_has_no_stray_spaces_from_inline_markup(site):
    site.write("content/articles/a.md", article(
        "Inline Markup", "2025-07-01", "Bitcoin",
        body="Shares of **Coinbase**, the exchange, rose on *Tuesday*. Analysts at [Bernstein](https://example.org/) agreed."))
    site.build(check=True)
    assert doc(site, "/2025/07/inline-markup/").text("p", cls="standfirst") == \
        ["Shares of Coinbase, the exchange, rose on Tuesday. Analysts at Bernstein agreed."]


def test_derived_summary_leaves_out_footnote_markers(site):
    site.write("content/articles/a.md", article(
        "Footnoted", "2025-07-01", "Bitcoin",
        body="Bitcoin rose 5%[^1] in a day.\n\nMore.\n\n[^1]: Exchange data."))
    site.build(check=True)
    assert doc(site, "/2025/07/footnoted/").text("p", cls="standfirst") == ["Bitcoin rose 5% in a day."]


# --- drafts and future articles -------------------------------------------------------------------


def _draft_and_future(site: Site) -> None:
    site.write("content/articles/live.md", article("Live Story", "2025-07-01T10:00:00Z", "Bitcoin", tags=["Live"]))
    site.write("content/articles/draft.md", article("Draft Story", "2025-07-02T10:00:00Z", "Bitcoin",
                                                    tags=["Secret"], draft="true"))
    site.write("content/articles/future.md", article("Future Story", "2999-01-01T10:00:00Z", "Bitcoin", tags=["Later"]))


def test_drafts_and_future_articles_left_out(site):
    _draft_and_future(site)
    site.build(check=True)
    assert article_urls(site) == {"/2025/07/live-story/"}
    assert doc(site, "/category/bitcoin/").cards() == ["/2025/07/live-story/"]
    assert doc(site, "/").cards("lead") == ["/2025/07/live-story/"]
    assert not site.page("/tag/secret/").exists() and not site.page("/tag/later/").exists()
    everything = "".join(p.read_text(encoding="utf-8") for p in site.out.rglob("*") if p.suffix in (".html", ".xml", ".json"))
    assert "Draft Story" not in everything and "Future Story" not in everything


def test_drafts_included_on_request(site):
    _draft_and_future(site)
    site.build("--drafts", check=True)
    assert article_urls(site) == {"/2025/07/live-story/", "/2025/07/draft-story/"}
    assert doc(site, "/category/bitcoin/").cards() == ["/2025/07/draft-story/", "/2025/07/live-story/"]


def test_future_included_on_request(site):
    _draft_and_future(site)
    site.build("--future", check=True)
    assert article_urls(site) == {"/2025/07/live-story/", "/2999/01/future-story/"}
    assert doc(site, "/").cards("lead") == ["/2999/01/future-story/"]


# --- dates and time zones -------------------------------------------------------------------------


def test_naive_dates_are_in_the_site_timezone(site):
    set_toml(site, timezone='"Europe/Berlin"')
    site.write("content/articles/summer.md", article("Summer Story", "2025-07-17 09:30", "Bitcoin"))
    site.write("content/articles/winter.md", article("Winter Story", "2025-01-10", "Bitcoin"))
    site.write("content/articles/aware.md", article("Aware Story", "2025-07-18T09:30:00Z", "Bitcoin"))
    site.build(check=True)
    summer = doc(site, "/2025/07/summer-story/")
    assert summer.find_all("time", datetime="2025-07-17T09:30:00+02:00"), [a for _, a, _ in summer.find_all("time")]
    winter = doc(site, "/2025/01/winter-story/")
    assert winter.find_all("time", datetime="2025-01-10T00:00:00+01:00"), [a for _, a, _ in winter.find_all("time")]
    aware = doc(site, "/2025/07/aware-story/")
    stamps = [a["datetime"] for _, a, _ in aware.find_all("time", cls=None) if "datetime" in a]
    assert any(s in ("2025-07-18T09:30:00+00:00", "2025-07-18T11:30:00+02:00") for s in stamps), stamps


def test_naive_dates_decide_what_is_in_the_future_in_site_time(site):
    """Build clock 2025-07-15T12:00Z is 14:00 in Berlin: 13:30 Berlin is past, 14:30 Berlin is still to come."""
    set_toml(site, timezone='"Europe/Berlin"')
    site.write("content/articles/past.md", article("Half an Hour Ago", "2025-07-15 13:30", "Bitcoin"))
    site.write("content/articles/later.md", article("Half an Hour Ahead", "2025-07-15 14:30", "Bitcoin"))
    site.build(env={"SOURCE_DATE_EPOCH": "1752580800"}, check=True)
    assert article_urls(site) == {"/2025/07/half-an-hour-ago/"}


# --- categories that are not declared -------------------------------------------------------------


def test_undeclared_category_gets_page_and_warning(site):
    site.write("content/articles/a.md", article("Misfiled", "2025-07-01", "Polcy"))
    site.write("content/articles/b.md", article("Filed", "2025-07-02", "Policy"))
    done = site.build()
    assert done.returncode == 0, done.stderr
    warning = [line for line in done.stderr.splitlines() if "Polcy" in line]
    assert warning and "warning" in warning[0] and "content/articles/a.md" in warning[0], done.stderr
    assert "did you mean 'Policy'" in done.stderr
    assert doc(site, "/category/polcy/").cards() == ["/2025/07/misfiled/"]
    assert doc(site, "/category/policy/").cards() == ["/2025/07/filed/"]
    assert "/category/polcy/" in doc(site, "/2025/07/misfiled/").links_within("article__meta")


def test_undeclared_category_fails_under_strict(site):
    site.write("content/articles/a.md", article("Misfiled", "2025-07-01", "Polcy"))
    done = site.build("--strict")
    assert done.returncode == 1, done.stderr
    assert "Polcy" in done.stderr and "did you mean 'Policy'" in done.stderr


# --- site.toml errors -----------------------------------------------------------------------------


def test_unknown_config_key_exits_2_with_suggestion(site):
    set_toml(site, titel='"Oops"')
    done = site.build()
    assert done.returncode == 2, done.stderr
    assert "titel" in done.stderr and "did you mean 'title'" in done.stderr
    assert not site.out.exists()


def test_unknown_nested_config_key_exits_2_with_suggestion(site):
    path = site.root / "site.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("[related]\ncount = 3", "[related]\ncuont = 3"),
                    encoding="utf-8")
    done = site.build()
    assert done.returncode == 2, done.stderr
    assert "cuont" in done.stderr and "did you mean 'count'" in done.stderr


def test_missing_site_toml_exits_2(site):
    (site.root / "site.toml").unlink()
    site.write("content/articles/a.md", article("Anything", "2025-07-01", "Bitcoin"))
    done = site.build()
    assert done.returncode == 2, done.stderr
    assert "site.toml" in done.stderr
    assert "Traceback" not in done.stderr
    assert not site.out.exists()


# --- bodies ---------------------------------------------------------------------------------------


def test_template_syntax_in_body_is_literal_text(site):
    site.write("content/articles/a.md", article(
        "Price {{ price }} Explained", "2025-07-01", "Bitcoin",
        body="The price is {{ price }} today.\n\n{% if bull %}To the moon{% endif %} and {# not a comment #}."))
    done = site.build(check=True)
    assert "undefined" not in done.stderr.lower()
    urls = article_urls(site)
    assert len(urls) == 1
    page = doc(site, urls.pop())
    body = " ".join(page.text(cls="article__body"))
    assert "The price is {{ price }} today." in body
    assert "{% if bull %}To the moon{% endif %}" in body
    assert "{# not a comment #}" in body
    assert page.text("h1") == ["Price {{ price }} Explained"]


MARKDOWN_BODY = """\
Intro paragraph.

## Market Overview

| Coin | Price |
|------|------:|
| BTC  | 100,000 |
| ETH  | 3,500 |

```python
def halving(reward):
    return reward / 2
```

A claim that needs a source[^src].

### Small Print

[^src]: The source of the claim.
"""


def test_markdown_tables_code_footnotes_heading_ids(site):
    site.write("content/articles/a.md", article("Markdown Features", "2025-07-01", "Bitcoin", body=MARKDOWN_BODY))
    site.build(check=True)
    page = doc(site, "/2025/07/markdown-features/")
    raw = site.page("/2025/07/markdown-features/").read_text(encoding="utf-8")

    # table
    assert page.text("th") == ["Coin", "Price"]
    assert page.text("td") == ["BTC", "100,000", "ETH", "3,500"]
    # fenced code, highlighted
    highlight = page.find_all(cls="highlight")
    assert highlight, "no element with class 'highlight'"
    assert "def halving(reward):" in highlight[0][2]
    assert re.search(r'<span class="\w+">def</span>', raw), "code is not tokenised by a highlighter"
    # heading ids
    assert "market-overview" in page.ids and "small-print" in page.ids
    assert page.find_all("h2", id="market-overview") and page.find_all("h3", id="small-print")
    # footnotes: a reference that links to a note holding the text, and a way back
    refs = [h for h in page.links if h.startswith("#fn")]
    notes = [h.lstrip("#") for h in refs]
    assert notes and all(n in page.ids for n in notes), (refs, page.ids)
    note_text = [t for _, a, t in page.find_all("li") if a.get("id") in notes]
    assert note_text and "The source of the claim." in note_text[0]
    assert "[^src]" not in raw


def test_footnote_whose_reference_is_lost_has_no_dangling_back_link(site):
    # a reference after a table row's closing '|' is swallowed by the table (stock Python-Markdown);
    # the note stays, but a back-link to an anchor that does not exist would be a broken link
    body = "Said twice[^a].\n\n| A | B |\n|---|---|\n| 1 | 2 |[^b]\n\n[^a]: First.\n[^b]: Second.\n[^c]: Never cited.\n"
    site.write("content/articles/a.md", article("Footnotes", "2025-07-01", "Bitcoin", body=body))
    site.build(check=True)
    page = doc(site, "/2025/07/footnotes/")
    backs = [h for h in page.links if h.startswith("#fnref")]
    assert backs == ["#fnref:a"]
    assert all(h.lstrip("#") in page.ids for h in page.links if h.startswith("#fn"))
    assert "Second." in page.text("li") and "Never cited." in page.text("li")
    assert run_cli("check", "--source", str(site.root)).returncode == 0


def test_raw_html_in_body_passes_through(site):
    site.write("content/articles/a.md", article(
        "Raw Html", "2025-07-01", "Bitcoin",
        body='Before.\n\n<div class="callout" data-kind="note"><strong>Heads up:</strong> markets are closed.</div>\n\n'
             '<iframe src="https://www.youtube-nocookie.com/embed/xyz" title="Video"></iframe>\n\nAfter.'))
    site.build(check=True)
    page = doc(site, "/2025/07/raw-html/")
    callout = page.find_all("div", cls="callout")
    assert callout and callout[0][1]["data-kind"] == "note"
    assert callout[0][2] == "Heads up: markets are closed."
    assert page.find_all("iframe", src="https://www.youtube-nocookie.com/embed/xyz")
    assert "&lt;div" not in site.page("/2025/07/raw-html/").read_text(encoding="utf-8")


# --- the `new` command ----------------------------------------------------------------------------


def test_new_writes_article_that_builds(site):
    done = run_cli("new", "Pakistan and El Salvador Share Know-How", "--category", "Policy",
                   "--tags", "Bitcoin (BTC), Adoption", "--source", str(site.root))
    assert done.returncode == 0, done.stderr
    printed = done.stdout.strip().splitlines()
    assert len(printed) == 1
    path = Path(printed[0])
    path = path if path.is_absolute() else Path.cwd() / path
    assert path.is_file()
    assert path.resolve().is_relative_to((site.root / "content").resolve())
    assert path.suffix == ".md"
    original = path.read_bytes()
    text = original.decode("utf-8")
    assert "Pakistan and El Salvador Share Know-How" in text and "Policy" in text

    again = run_cli("new", "Pakistan and El Salvador Share Know-How", "--category", "Policy", "--source", str(site.root))
    assert again.returncode != 0
    assert "exists" in again.stderr
    assert path.read_bytes() == original

    site.build(check=True)
    date = re.search(r"^date: *['\"]?(\d{4})-(\d{2})-", text, re.M)
    assert date, text
    url = f"/{date.group(1)}/{date.group(2)}/pakistan-and-el-salvador-share-know-how/"
    page = doc(site, url)
    assert page.text("h1") == ["Pakistan and El Salvador Share Know-How"]
    assert "/category/policy/" in page.links_within("article__meta")
    assert page.links_within("taglist") == ["/tag/bitcoin-btc/", "/tag/adoption/"]


def test_new_rejects_unknown_category(site):
    done = run_cli("new", "Some Story", "--category", "Polcy", "--source", str(site.root))
    assert done.returncode == 2, done.stderr
    assert "did you mean 'Policy'" in done.stderr
    assert not (site.root / "content").exists() or not list((site.root / "content").rglob("*.md"))


# --- help -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("verb", ["build", "serve", "new", "check"])
def test_help_for_each_verb(verb):
    done = run_cli(verb, "--help")
    assert done.returncode == 0, done.stderr
    assert f"usage: generator {verb}" in done.stdout
    assert "--source" in done.stdout


def test_top_level_help():
    done = run_cli("--help")
    assert done.returncode == 0
    for verb in ("build", "serve", "new", "check"):
        assert verb in done.stdout
