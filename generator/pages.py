"""What pages the site has (routes) and what each page's template receives (contexts)."""

from __future__ import annotations

import gettext
import math
from dataclasses import dataclass, replace
from itertools import islice
from typing import Callable

from generator.archives import month_key, month_name, month_url, year_url
from generator.assemble import Listing, Site
from generator.config import RESERVED_FILES, RESERVED_FOLDERS, SiteConfig
from generator.errors import Problem
from generator.locales import edition_locale
from generator.model import Article, Author
from generator.paging import date_span, span_of, spans
from generator.taxonomy import KINDS, TERM_KINDS


@dataclass(frozen=True, slots=True)
class Route:
    """One output file: its URL, the template that renders it, and what it is about."""

    url: str
    template: str
    kind: str  # article | page | home | a term kind (taxonomy.KINDS) | terms | search | widget | 404
    key: str = ""  # source path for articles/pages, term slug for listings
    number: int = 1  # page number within a paginated listing (generator/paging.py)
    total: int = 1  # "numbered" pagination: how many pages; "anchored": 0 (a page must not change with it)
    newer: int = 0  # the number of the listing's page with newer articles; 0: none
    older: int = 0
    lang: str = ""  # the edition (language code) the page belongs to


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int  # 0 under "anchored" pagination
    prev_url: str  # newer articles
    next_url: str  # older articles
    first_url: str
    links: tuple[tuple[int, str], ...]  # (number, url) around the current page; 0 marks a gap; () if anchored
    label: str = ""  # "page 3 of 12", or under "anchored" the dates the page covers ("June 7–14, 2026")
    page_name: str = ""  # "page 3" in the edition's language

    @property
    def name(self) -> str:
        """What titles and breadcrumbs call the page: "page 3", or its dates."""
        return (self.page_name or f"page {self.number}") if self.total else self.label


def paged_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def output_path(url: str) -> str:
    """'/2025/07/x/' -> '2025/07/x/index.html'; '/404.html' -> '404.html'."""
    path = url.lstrip("/")
    return path + "index.html" if url.endswith("/") else path


def plan_routes(site, problems: list[Problem]) -> list[Route]:
    """Every HTML page of the site (a Site, or Editions: each language's pages); two pages claiming
    one URL is an error (the first keeps it)."""
    sites = list(site) if not isinstance(site, Site) else [site]
    routes: list[Route] = []
    for edition in sites:
        routes += _edition_routes(edition)
    return _without_reserved(_without_collisions(routes, problems), sites, problems)


def _edition_routes(site: Site) -> list[Route]:
    """The pages of one edition: its articles, pages, home, listings, search, widget and 404 page."""
    config = site.config
    per = config.per_page
    lang, home = config.language, config.home
    routes: list[Route] = []
    for article in site.articles + site.archived:
        routes.append(Route(article.url, "article.html", "article", article.source, lang=lang))
    for page in site.pages:
        routes.append(Route(page.url, "page.html", "page", page.source, lang=lang))
    routes += _paged(config, home, "home.html", "home", "", len(site.articles))
    for kind in TERM_KINDS:
        listings = site.listings(kind.name)  # empty when the kind's pages are turned off
        for slug, listing in listings.items():
            routes += _paged(config, listing.term.url, "list.html", kind.name, slug, len(listing.articles))
        index_url = _index_url(config.permalinks, kind.name, config.home)
        if index_url and listings:
            routes.append(Route(index_url, "terms.html", "terms", kind.name, lang=lang))
    routes += _archive_routes(site)
    if config.search.enabled:
        routes.append(Route(home + "search/", "search.html", "search", lang=lang))
    if config.sidebar_lists == "frame":
        routes.append(Route(home + "widgets/lists/", "widget.html", "widget", lang=lang))
    routes.append(Route(home + "404.html", "404.html", "404", lang=lang))
    return routes


def _paged(config: SiteConfig, base: str, template: str, kind: str, key: str, count: int) -> list[Route]:
    """The pages of a listing of `count` articles at `base` (generator/paging.py)."""
    anchored = config.pagination == "anchored"
    total = 0 if anchored else max(1, math.ceil(count / config.per_page))
    return [Route(paged_url(base, s.number), template, kind, key, s.number, total, s.newer, s.older, config.language)
            for s in spans(count, config.per_page, anchored)]


def _archive_routes(site: Site) -> list[Route]:
    """A page per year (its months) and per month (its articles, paginated), when their patterns are set."""
    config = site.config
    routes: list[Route] = []
    if config.permalinks.year:
        routes += [Route(year_url(config, year), "archive.html", "year", year, lang=config.language)
                   for year in site.years()]
    if config.permalinks.month:
        for key, articles in site.months.items():
            routes += _paged(config, month_url(config, key), "archive.html", "month", key, len(articles))
    return routes


def _reserved(rel: str, feeds: dict[str, str]) -> str | None:
    """What generated file or folder the output path rel (or a folder it needs) belongs to, if any."""
    rel = rel.casefold()
    cut = rel.find("/")
    if cut == -1:
        return None
    first = rel[:cut]
    if first in RESERVED_FOLDERS:
        return RESERVED_FOLDERS[first]
    if first.startswith("sitemap-") and first.endswith(".xml"):
        return RESERVED_FILES.get(first) or "a sitemap part"
    while cut != -1:  # each folder the path needs, shortest first (hot: once per page of the site)
        folder = rel[:cut]
        owner = RESERVED_FILES.get(folder) or feeds.get(folder)
        if owner is not None:
            return owner
        cut = rel.find("/", cut + 1)
    return None


def _without_reserved(routes: list[Route], sites: list[Site], problems: list[Problem]) -> list[Route]:
    """Pages and term pages claiming a generated path are errors naming both, and are not published."""
    feeds: dict[str, str] = {}
    for site in sites:
        config = site.config
        if config.home != "/":
            for name in ("feed.xml", "feed.json"):
                feeds[(config.home + name).lstrip("/").casefold()] = f"the {config.language} edition's {name}"
        for kind in TERM_KINDS:
            if kind.has_feeds(config):
                for listing in site.listings(kind.name).values():
                    if listing.articles:
                        feeds[feed_url(listing.term.url).lstrip("/").casefold()] = \
                            f"the feed of the {kind.name} {listing.term.name!r}"
    kept = []
    for route in routes:
        owner = _reserved(output_path(route.url), feeds) if route.kind not in ("widget", "404") else None
        if owner is None:
            kept.append(route)
            continue
        where = route.key if route.kind in ("article", "page") else "site.toml"
        problems.append(Problem(where, f"URL {route.url} is reserved for {owner}; this {_describe(route)} "
                                       "was not published", hint="change its slug, or a permalink pattern in site.toml"))
    return kept


def _index_url(permalinks, kind: str, home: str = "/") -> str:
    """'/category/{slug}/' -> '/category/': the index of all terms of a kind, when the pattern allows
    one ('/{slug}/' under an edition's home '/fr/' has none: that is the home page)."""
    pattern = getattr(permalinks, kind)
    head = pattern.split("{slug}")[0]
    return head if head not in ("", "/", home) and "{" not in head else ""


def _without_collisions(routes: list[Route], problems: list[Problem]) -> list[Route]:
    """The site's own pages (home, listings, indexes, search, 404) win over content claiming their URL."""
    owners: dict[str, Route] = {}
    dropped: set[int] = set()
    order = sorted(range(len(routes)), key=lambda i: routes[i].kind in ("article", "page"))
    for i in order:
        route = routes[i]
        key = output_path(route.url).casefold()
        if key in owners:
            where = route.key if route.kind in ("article", "page") else "site.toml"
            problems.append(Problem(where, f"URL {route.url} is already used by {_describe(owners[key])}; "
                                           f"this {_describe(route)} was not published",
                                    hint="change a slug, or a permalink pattern in site.toml"))
            dropped.add(i)
            continue
        owners[key] = route
    return [r for i, r in enumerate(routes) if i not in dropped] if dropped else routes


def absolute(base_url: str, path: str) -> str:
    """Site path -> absolute URL under base_url (which may have a sub-path)."""
    if path.startswith(("http://", "https://")):
        return path
    return base_url + path.lstrip("/")


def _describe(route: Route) -> str:
    if route.kind in ("article", "page"):
        return f"{route.kind} {route.key}"
    if route.kind == "terms":
        return f"the {route.key} index"
    if route.kind in KINDS:
        return f"the {route.kind} page of {route.key!r}"
    if route.kind in ("year", "month"):
        return f"the archive page of {route.key}"
    return {"home": "the home page", "search": "the search page", "404": "the 404 page"}.get(route.kind, route.kind)


@dataclass(frozen=True)
class Lookups:
    """What page inputs need from the model beyond the site: related lists, trending, ticker figures."""

    related: Callable[[Article], tuple[Article, ...]]
    trending: tuple[Article, ...] = ()
    trending_ranked: tuple[Article, ...] = ()  # the ranking continued, for pages that leave some out
    coin: Callable[[str], object] = lambda symbol: None
    prices_as_of: object = None  # when the ticker snapshot's figures were taken (a datetime), if known
    languages: Callable[[Route], tuple] = lambda route: ()  # language_links() of a multilingual site


@dataclass(frozen=True, slots=True)
class Alternate:
    """This page in one language: its translation, or that edition's closest page when it has none."""

    lang: str
    name: str  # the language's own name ('Français')
    url: str
    translated: bool  # the same page in that language (an hreflang alternate), not just its edition
    current: bool  # the page itself


def language_links(route: Route, editions, names: dict[str, str]) -> tuple[Alternate, ...]:
    """The page in every language of a multilingual site (Editions), its own language included: an
    article's translation, the same home, listing, index or search page in another edition, else
    that edition's home (not an alternate of this page, but where the switcher leads)."""
    kind = route.kind
    group = {a.lang: a.url for a in editions.translations.get(route.key, ())} if kind in ("article", "page") else {}
    out = []
    for site in editions:
        config = site.config
        lang = config.language
        url, translated = config.home, False
        if lang == route.lang:
            url, translated = route.url, True
        elif kind in ("article", "page"):
            if lang in group:
                url, translated = group[lang], True
        elif kind == "home":
            translated = True
        elif kind in ("category", "tag", "coin", "label"):
            listing = site.listings(kind).get(route.key)
            if listing is not None:
                url, translated = listing.term.url, True
        elif kind == "terms":
            index = _index_url(config.permalinks, route.key, config.home)
            if index and site.listings(route.key):
                url, translated = index, True
        elif kind == "search" and config.search.enabled:
            url, translated = config.home + "search/", True
        out.append(Alternate(lang, names.get(lang, lang), url, translated, lang == route.lang))
    alone = (kind in ("article", "page") and len(group) < 2) or kind in ("404", "widget") or route.number > 1
    if alone:  # no page of its own in other languages: the switcher leads to their homes
        out = [Alternate(a.lang, a.name, a.url if a.current else _home_of(editions, a.lang), False, a.current)
               for a in out]
    return tuple(out)


def _home_of(editions, lang: str) -> str:
    return editions.of(lang).config.home


def route_inputs(route: Route, site: Site, lookups: Lookups) -> tuple:
    """Everything a page's context is made of, besides the route and the config: a few articles,
    terms and numbers, and the page in the site's other languages. build_context() reads nothing
    else, so hashing these (articles by digest) tells exactly whether a page can have changed, in
    microseconds rather than a render."""
    return _own_inputs(route, site, lookups), lookups.languages(route)


def _own_inputs(route: Route, site: Site, lookups: Lookups) -> tuple:
    kind = route.kind
    if kind in ("article", "page"):
        article = site.by_source[route.key]
        if kind == "article" and article in site.archived:  # expired: in no list, related to nothing
            return (article, (), _people(site, article), True)
        return (article, lookups.related(article) if kind == "article" else (), _people(site, article), False)
    if kind == "home":
        items = listed(site, route)
        return (items, _home_blocks(site, items) if route.number == 1 else (),
                lookups.trending_ranked or lookups.trending, site.config.trending.count)
    if kind in KINDS:
        listing: Listing = site.listings(kind)[route.key]
        about = (lookups.coin(listing.term.name), lookups.prices_as_of) if kind == "coin" else \
            site.people.get(route.key) if kind == "author" else None
        # the count changes with every article: only the first page of an anchored listing shows it
        count = len(listing.articles) if route.number == 1 or route.total else None
        return (listing.term, count, listed(site, route), about)
    if kind == "terms":
        return (tuple((l.term, len(l.articles)) for l in site.listings(route.key).values()),)
    if kind == "month":  # its articles, its count, and the months before and after it
        keys = list(site.months)
        i = keys.index(route.key)
        count = len(site.months[route.key]) if route.number == 1 or route.total else None  # as for term lists
        return (count, listed(site, route), keys[i + 1] if i + 1 < len(keys) else "", keys[i - 1] if i > 0 else "")
    if kind == "year":  # its months with their counts, and the years before and after it
        years = list(site.years())
        i = years.index(route.key)
        return (tuple((key, len(site.months[key])) for key in site.years()[route.key]),
                years[i + 1] if i + 1 < len(years) else "", years[i - 1] if i > 0 else "")
    if kind == "widget":
        return (lookups.trending, site.articles[:site.config.latest_count])
    return ()


def _people(site: Site, article: Article) -> tuple:
    """Who wrote the article, as the authors data file has them."""
    return tuple(site.people[t.slug] for t in article.authors if t.slug in site.people)


def _home_blocks(site: Site, shown: tuple[Article, ...]) -> tuple:
    """The home page's category blocks: up to four articles each that the lead and the latest list
    above them do not already show (no story twice in the main column); empty blocks are left out."""
    seen = {a.source for a in shown}
    blocks = []
    for listing in site.categories.values():
        if len(blocks) >= site.config.home_category_blocks:
            break
        fresh = tuple(islice((a for a in listing.articles if a.source not in seen), 4))
        if fresh:
            blocks.append((listing.term, fresh))
    return tuple(blocks)


def listed(site: Site, route: Route) -> tuple[Article, ...]:
    """The articles a home or listing page shows (its page of the list); none for other pages."""
    if route.kind == "home":
        items = site.articles
    elif route.kind in KINDS:
        items = site.listings(route.kind)[route.key].articles
    elif route.kind == "month":
        items = site.months[route.key]
    else:
        return ()
    span = span_of(len(items), site.config.per_page, site.config.pagination == "anchored", route.number)
    return items[span.start:span.stop] if span else ()


def shown_date(site: Site) -> Callable[[Route], float]:
    """A sort key: the timestamp of the newest article a route shows (an article page: its own
    date; a listing page: its first article's); +inf for pages that show none in particular.

    Rendering newest first by this key keeps cards (memoised macro calls) in reach: an article's
    cards appear on its home page, category page, tag pages and its neighbours' related blocks,
    which all sort close together, whereas in route order they sit thousands of pages apart.
    """
    def when(route: Route) -> float:
        if route.kind in ("article", "page"):
            return site.by_source[route.key].date.timestamp()
        if route.kind in ("home", "month") or route.kind in KINDS:
            items = listed(site, route)
            return items[0].date.timestamp() if items else -math.inf
        return math.inf
    return when


def build_context(route: Route, inputs: tuple, config: SiteConfig, strings=None) -> dict:
    """The variables a page's template receives (documented in README.md, 'Layouts'), made from
    route_inputs() and the (edition's) config alone."""
    own, languages = inputs
    context = _own_context(route, own, config, strings or _ENGLISH)
    translated = [a for a in languages if a.translated]
    page = context["page"]
    page["languages"] = languages  # the switcher: every language, the page's own included
    # hreflang: the page and its translations, with x-default the default language's (or the first)
    page["alternates"] = tuple(translated) if len(translated) > 1 else ()
    page["x_default"] = next((a for a in translated if a.url and a.lang == config.default_language),
                             translated[0] if translated else None) if page["alternates"] else None
    return context


_ENGLISH = gettext.NullTranslations()  # the layouts' own language
# A term index's description, one msgid per kind (a language agrees its words with each noun)
_ALL_TERMS = {"category": "All categories on %(title)s.", "tag": "All tags on %(title)s.",
              "coin": "All coins on %(title)s.", "author": "All authors on %(title)s."}


def _own_context(route: Route, inputs: tuple, config: SiteConfig, strings) -> dict:
    _, home = strings.gettext, config.home
    locale = edition_locale(config)  # date words in the edition's language (None: English, as always)

    def breadcrumbs(*crumbs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
        return ((_("Home"), home),) + tuple(crumbs)

    if route.kind in ("article", "page"):
        article, related, authors, archived = inputs
        crumbs = breadcrumbs((article.category.name, article.category.url)) if article.category else breadcrumbs()
        crumbs = crumbs + ((article.title, article.url),)
        data = [_breadcrumb_ld(config, crumbs)]
        if route.kind == "article":
            data.insert(0, _article_ld(config, article, authors))
        archive = ""
        if route.kind == "article":  # its date links to its month's (or year's) archive page
            archive = month_url(config, month_key(article)) or year_url(config, f"{article.date.year:04d}")
        page = _page(route, article.title, article.summary, crumbs, image=article.image, jsonld=data)
        # per-article search-engine overrides (generator/newsroom.py); an expired article is archived
        page.update(noindex=article.noindex or archived, canonical=article.canonical, og_image=article.og_image)
        return {"page": page, "article": article, "related": related, "authors": authors, "archived": archived,
                "archive_url": archive}
    if route.kind == "home":
        items, blocks, trending, trending_count = inputs
        pagination = _pagination(home, route, items, _, locale)
        title = config.title if route.number == 1 else _("%(title)s, %(page)s") % {"title": config.title,
                                                                                    "page": pagination.name}
        crumbs = breadcrumbs((_capital(pagination.name), route.url)) if route.number > 1 else ()
        # the home sidebar's Trending leaves out what the main column shows (lead, list, blocks)
        shown = {a.source for a in items} | {a.source for _, block in blocks for a in block}
        trending = tuple(a for a in trending if a.source not in shown)[:trending_count]
        ld = [{"@context": "https://schema.org", "@type": "WebSite", "name": config.title,
               "url": absolute(config.base_url, home), "description": config.description}]
        if config.search.enabled:
            ld[0]["potentialAction"] = {"@type": "SearchAction", "query-input": "required name=q",
                                        "target": absolute(config.base_url, home + "search/") + "?q={q}"}
        if route.number > 1:
            ld = [_collection_ld(config, route, title, config.description)]
        return {"page": _page(route, title, config.description, crumbs, pagination=pagination, jsonld=ld),
                "lead": items[0] if items and route.number == 1 else None,
                "articles": items[1:] if route.number == 1 else items,
                "blocks": blocks, "trending": trending}
    if route.kind in KINDS:
        kind = KINDS[route.kind]
        term, count, items, about = inputs
        if kind.name == "label":  # the generator's own names (content.LABELS): in the edition's language
            term = replace(term, name=_(term.name), description=_(term.description) if term.description else "")
        coin, prices_as_of = about if kind.name == "coin" and about else (None, None)
        name = coin_title(term.name, coin)
        pagination = _pagination(term.url, route, items, _, locale)
        title = _(kind.title_prefix + "%(name)s") % {"name": name} if kind.title_prefix else name  # 'Tag: %(name)s'
        if route.number > 1:
            title = _("%(title)s, %(page)s") % {"title": title, "page": pagination.name}
        if term.description:
            description = term.description
        elif count is not None:
            description = strings.ngettext("%(num)d articles on %(name)s from %(title)s.",  # English: always plural
                                           "%(num)d articles on %(name)s from %(title)s.", count) % {
                "num": count, "name": term.name, "title": config.title}
        else:
            description = _("Articles on %(name)s from %(title)s, %(page)s.") % {
                "name": term.name, "title": config.title, "page": pagination.name}
        index_url = _index_url(config.permalinks, kind.name, config.home)
        crumbs = breadcrumbs(*([(_(kind.plural), index_url)] if index_url else []), (name, term.url))
        if route.number > 1:
            crumbs += ((_capital(pagination.name), route.url),)
        ld = [_collection_ld(config, route, title, description), _breadcrumb_ld(config, crumbs)]
        if kind.name == "author" and about is not None:
            description = term.description or (
                strings.ngettext("%(num)d articles by %(name)s on %(title)s.",  # English: always plural
                                 "%(num)d articles by %(name)s on %(title)s.", count)
                % {"num": count, "name": term.name, "title": config.title} if count is not None else
                _("Articles by %(name)s on %(title)s, %(page)s.") % {"name": term.name, "title": config.title,
                                                                      "page": pagination.name})
            ld[0] = {"@context": "https://schema.org", "@type": "ProfilePage", "name": title,
                     "url": absolute(config.base_url, route.url), "mainEntity": _person_ld(config, about)}
        has_feed = kind.has_feeds(config) and (count is None or count)  # None: a later page of a long list
        context = {"page": _page(route, title, description, crumbs, pagination=pagination, jsonld=ld,
                                 feed=feed_url(term.url) if has_feed else ""),
                   "term": term, "count": count, "articles": items}
        if route.kind == "coin":
            context.update(coin=coin, coin_name=name, prices_as_of=prices_as_of)
        elif route.kind == "author":
            context.update(author=about)
        return context
    if route.kind == "terms":
        (terms,) = inputs
        name = _(KINDS[route.key].plural)
        about = _(_ALL_TERMS.get(route.key, "All %(kinds)s on %(title)s.")) % {"kinds": name.lower(),
                                                                                "title": config.title}
        return {"page": _page(route, name, about, breadcrumbs((name, route.url))),
                "terms": terms, "terms_kind": route.key}
    if route.kind in ("year", "month"):
        return _archive_context(route, inputs, config, breadcrumbs, strings, locale)
    if route.kind == "widget":
        trending, latest = inputs
        return {"page": _page(route, _("Trending and latest"), "", ()), "trending": trending, "latest": latest}
    if route.kind == "search":
        return {"page": _page(route, _("Search"), _("Search every article on %(title)s.") % {"title": config.title},
                                  breadcrumbs((_("Search"), route.url)))}
    return {"page": _page(route, _("Page not found"), _("The page you asked for is not here."), ())}


def _archive_context(route: Route, inputs: tuple, config: SiteConfig, breadcrumbs, strings, locale) -> dict:
    """A year page (its months, with counts and links) or a month page (its articles); `breadcrumbs`
    starts at the edition's home, `strings` are its UI strings, `locale` its date words (archives.month_name)."""
    _, ngettext = strings.gettext, strings.ngettext

    def month_of(key: str) -> str:
        return month_name(key, locale)

    year_crumb = (route.key[:4], year_url(config, route.key[:4]))
    if route.kind == "year":
        months, older, newer = inputs
        pagination = None
        count = sum(n for _, n in months)
        title = _("Archive: %(name)s") % {"name": route.key}
        description = ngettext("%(num)d article from %(name)s on %(title)s.",
                               "%(num)d articles from %(name)s on %(title)s.", count) % {
            "num": count, "name": route.key, "title": config.title}
        crumbs = breadcrumbs((route.key, route.url))
        entries = tuple({"key": key, "name": month_of(key), "url": month_url(config, key), "count": n}
                        for key, n in months)
        around = {"older": _archive_link(older, year_url(config, older) if older else ""),
                  "newer": _archive_link(newer, year_url(config, newer) if newer else "")}
        context = {"months": entries, "articles": (), "count": count}
    else:
        count, items, older, newer = inputs
        name = month_of(route.key)
        pagination = _pagination(month_url(config, route.key), route, items, _, locale)
        title = _("Archive: %(name)s") % {"name": name}
        if route.number > 1:
            title = _("%(title)s, %(page)s") % {"title": title, "page": pagination.name}
        description = (ngettext("%(num)d article from %(name)s on %(title)s.",
                                "%(num)d articles from %(name)s on %(title)s.", count)
                       % {"num": count, "name": name, "title": config.title} if count is not None else
                       _("Articles from %(name)s on %(title)s, %(page)s.") % {"name": name, "title": config.title,
                                                                            "page": pagination.name})
        crumbs = breadcrumbs(*([year_crumb] if year_crumb[1] else []), (name, month_url(config, route.key)))
        if route.number > 1:
            crumbs += ((_capital(pagination.name), route.url),)
        around = {"older": _archive_link(month_of(older) if older else "", month_url(config, older) if older else ""),
                  "newer": _archive_link(month_of(newer) if newer else "", month_url(config, newer) if newer else "")}
        context = {"months": (), "articles": items, "count": count}
    ld = [_collection_ld(config, route, title, description), _breadcrumb_ld(config, crumbs)]
    context.update(page=_page(route, title, description, crumbs, pagination=pagination, jsonld=ld),
                   archive={"key": route.key, "name": route.key if route.kind == "year" else month_of(route.key),
                            **around})
    return context


def _archive_link(name: str, url: str) -> dict | None:
    return {"name": name, "url": url} if name and url else None


def coin_title(symbol: str, coin) -> str:
    """'Bitcoin (BTC)' for a coin the ticker names; the bare symbol otherwise."""
    name = getattr(coin, "name", "") or ""
    return f"{name} ({symbol})" if name and name != symbol else symbol


def _page(route: Route, title: str, description: str, crumbs, *, image=None, pagination=None, jsonld=(),
          feed: str = "") -> dict:
    return {"kind": route.kind, "url": route.url, "title": title, "description": description,
            "breadcrumbs": crumbs, "image": image, "pagination": pagination, "jsonld": tuple(jsonld), "feed": feed}


def feed_url(term_url: str) -> str:
    """A category's (or tag's) Atom feed beside its page."""
    return term_url + "feed.xml"


def _publisher(config) -> dict:
    org = {"@type": "NewsMediaOrganization", "name": config.title, "url": absolute(config.base_url, config.home)}
    if config.logo:
        org["logo"] = {"@type": "ImageObject", "url": absolute(config.base_url, config.logo)}
    return org


def _person_ld(config, person: Author) -> dict:
    """schema.org Person: name, their page and their profiles elsewhere (sameAs)."""
    data = {"@type": "Person", "name": person.name}
    if person.url:
        data["url"] = absolute(config.base_url, person.url)
    if person.links:
        data["sameAs"] = [url for _, url in person.links]
    if person.role:
        data["jobTitle"] = person.role
    if person.avatar:
        data["image"] = absolute(config.base_url, person.avatar)
    return data


def _article_ld(config, article: Article, authors: tuple[Author, ...] = ()) -> dict:
    """schema.org NewsArticle (printed with |tojson, which escapes <, > and & for a script tag)."""
    image = article.image.src if article.image else config.default_image
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title[:110],
            "description": article.summary, "datePublished": article.date.isoformat(timespec="seconds"),
            "dateModified": article.updated.isoformat(timespec="seconds"),
            "mainEntityOfPage": {"@type": "WebPage", "@id": absolute(config.base_url, article.url)},
            "url": absolute(config.base_url, article.url),
            "author": (_person_ld(config, authors[0]) if len(authors) == 1 else
                       [_person_ld(config, p) for p in authors] if authors else
                       {"@type": "Person", "name": article.author} if article.author else _publisher(config)),
            "publisher": _publisher(config), "inLanguage": config.language, "wordCount": article.words}
    if image:
        data["image"] = [absolute(config.base_url, image)]
    if article.category:
        data["articleSection"] = article.category.name
    if article.tags:
        data["keywords"] = [t.name for t in article.tags]
    return data


def _breadcrumb_ld(config, crumbs) -> dict:
    return {"@context": "https://schema.org", "@type": "BreadcrumbList",
            "itemListElement": [{"@type": "ListItem", "position": i, "name": name,
                                 "item": absolute(config.base_url, url)} for i, (name, url) in enumerate(crumbs, 1)]}


def _collection_ld(config, route: Route, title: str, description: str) -> dict:
    return {"@context": "https://schema.org", "@type": "CollectionPage", "name": title, "description": description,
            "url": absolute(config.base_url, route.url),
            "isPartOf": {"@type": "WebSite", "name": config.title, "url": absolute(config.base_url, config.home)}}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pagination(base: str, route: Route, items: tuple[Article, ...], _=lambda text: text,
                locale=None) -> Pagination | None:
    """The pager of a listing page; None when the listing fits on one page. `_`: the edition's
    gettext; `locale`: its Babel locale for the dates an anchored page covers (None: English)."""
    if not route.newer and not route.older:
        return None
    n, total = route.number, route.total
    links: list[tuple[int, str]] = []
    if total:  # numbered: 1 … n-2 n-1 n n+1 n+2 … total
        for i in sorted({1, total, *range(max(1, n - 2), min(total, n + 2) + 1)}):
            if links and i - links[-1][0] > 1:
                links.append((0, ""))
            links.append((i, paged_url(base, i)))
        label = _("page %(number)d of %(total)d") % {"number": n, "total": total}
    else:
        label = date_span(items[0].date, items[-1].date, locale) if items else _("page %(number)d") % {"number": n}
    return Pagination(number=n, total=total, prev_url=paged_url(base, route.newer) if route.newer else "",
                      next_url=paged_url(base, route.older) if route.older else "", first_url=base,
                      links=tuple(links), label=label, page_name=_("page %(number)d") % {"number": n})
