"""Articles in, site model out: what is published, listings per category, tag and coin, URL ownership."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime

from generator.config import SiteConfig
from generator.content import expand_permalink
from generator.errors import Problem
from generator.model import Article, Term


@dataclass(frozen=True)
class Listing:
    """A category, tag or coin and its articles, newest first."""

    term: Term
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Site:
    """Everything the renderer needs to know about the site, built once per build."""

    config: SiteConfig
    now: datetime
    articles: tuple[Article, ...]  # published articles, newest first
    pages: tuple[Article, ...]  # static pages, by title
    categories: dict[str, Listing]  # slug -> listing; declared order, then undeclared by name
    tags: dict[str, Listing]  # slug -> listing, by name
    coins: dict[str, Listing]
    by_source: dict[str, Article] = field(default_factory=dict)

    def listings(self, kind: str) -> dict[str, Listing]:
        """The listings of a term kind: 'category', 'tag' or 'coin'."""
        return {"category": self.categories, "tag": self.tags, "coin": self.coins}[kind]

    def page_by_slug(self, slug: str) -> Article | None:
        return next((p for p in self.pages if p.slug == slug), None)


def sort_key(article: Article) -> tuple:
    """Newest first; ties broken by source path so every build orders the same way."""
    return (-article.date.timestamp(), article.source)


@dataclass(frozen=True)
class Editions:
    """One Site per language, the default first, and which articles translate which."""

    sites: dict[str, Site]  # language code -> that edition's site model
    translations: dict[str, tuple[Article, ...]]  # source -> its translations and itself, in language order

    @property
    def default(self) -> Site:
        return next(iter(self.sites.values()))

    def of(self, lang: str) -> Site:
        return self.sites[lang]

    def __iter__(self):
        return iter(self.sites.values())

    def __len__(self) -> int:
        return len(self.sites)


def assemble(entries: list[Article], config: SiteConfig, now: datetime, *, drafts: bool = False,
             future: bool = False, problems: list[Problem] | None = None) -> Site:
    """The site model of a single-language site (the default edition of a multilingual one)."""
    return assemble_editions(entries, config, now, drafts=drafts, future=future, problems=problems).default


def assemble_editions(entries: list[Article], config: SiteConfig, now: datetime, *, drafts: bool = False,
                      future: bool = False, problems: list[Problem] | None = None) -> Editions:
    """Claim URLs over every language, then one site model per language, then the translations."""
    problems = problems if problems is not None else []
    kept = _published(entries, config, now, drafts, future, problems)
    codes = [config.default_language] + [l.code for l in config.languages if l.code != config.default_language]
    by_lang: dict[str, list[Article]] = {code: [] for code in codes}
    for article in kept:
        by_lang.setdefault(article.lang or config.default_language, []).append(article)
    sites = {code: _site(members, config.edition(code), now) for code, members in by_lang.items()}
    order = {code: i for i, code in enumerate(codes)}
    return Editions(sites, link_translations(kept, order, problems) if len(sites) > 1 else {})


def _published(entries: list[Article], config: SiteConfig, now: datetime, drafts: bool, future: bool,
               problems: list[Problem]) -> list[Article]:
    """Filter drafts and future articles, claim URLs (first source by path wins)."""
    visible = [a for a in entries if (drafts or not a.draft) and (future or a.kind == "page" or a.date <= now)]
    owners: dict[str, Article] = {}
    kept: list[Article] = []
    # Oldest first, so the first published keeps its URL whatever is added later (WordPress's rule).
    for article in sorted(visible, key=lambda a: (a.date.timestamp(), a.source)):
        other = owners.get(article.url.casefold())  # case-insensitive file systems would merge these
        if other is not None and not article.url_given:
            article = _next_free_url(article, owners, config)
            other = owners.get(article.url.casefold())
        if other is not None:
            problems.append(Problem(article.source, f"its URL {article.url} is already taken by {other.source}; "
                                                    "this file was not published",
                                    hint="give one of them a different 'slug:' or title"))
            continue
        owners[article.url.casefold()] = article
        kept.append(article)
    return kept


def _site(kept: list[Article], config: SiteConfig, now: datetime) -> Site:
    """One edition's site model: its articles newest first, its pages, its listings."""
    articles = tuple(sorted((a for a in kept if a.kind == "article"), key=sort_key))
    pages = tuple(sorted((a for a in kept if a.kind == "page"), key=lambda p: (p.title.casefold(), p.source)))
    return Site(config=config, now=now, articles=articles, pages=pages,
                categories=_categories(articles, config), tags=_group(articles, "tags"),
                coins=_group(articles, "coins"), by_source={a.source: a for a in kept})


def link_translations(articles: list[Article], order: dict[str, int],
                      problems: list[Problem]) -> dict[str, tuple[Article, ...]]:
    """Group translations: by 'translation_key:', else by file name or by slug and day within one
    folder family (content/fr/news/x.md, content/news/x.fr.md and content/news/x.md are one story).
    A group holds one article per language; another one of the same language is an error."""
    parent: dict[str, str] = {}

    def find(s: str) -> str:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    first_of: dict[tuple, str] = {}
    keyed: dict[str, str] = {}  # group root -> its translation_key: two keys never merge
    for article in sorted(articles, key=lambda a: a.source):
        parent[article.source] = article.source
        if article.translation_key:
            keyed[article.source] = article.translation_key
        folder, _, stem = article.family.partition("\0")
        keys = [("key", article.translation_key)] if article.translation_key else []
        keys += [("name", article.kind, folder, _without_language(stem, article.lang)),
                 ("slug", article.kind, folder, article.slug, article.date.date())]
        for key in keys:
            other = first_of.setdefault(key, article.source)
            a, b = find(article.source), find(other)
            if a != b and (key[0] == "key" or keyed.get(a) is None or keyed.get(b) is None):
                parent[a] = b
                if keyed.get(a) is not None:
                    keyed.setdefault(b, keyed[a])
    groups: dict[str, list[Article]] = {}
    for article in sorted(articles, key=lambda a: a.source):
        groups.setdefault(find(article.source), []).append(article)
    out: dict[str, tuple[Article, ...]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        chosen: dict[str, Article] = {}
        for article in members:
            other = chosen.get(article.lang)
            if other is None:
                chosen[article.lang] = article
                continue
            how = f"translation_key {article.translation_key!r}" if article.translation_key else \
                "its file name or slug and date"
            problems.append(Problem(article.source, f"{how} makes it a second {article.lang!r} translation of the story "
                                                    f"{other.source} already is; it is published without translations",
                                    hint="give each translation its own language, or this file its own translation_key"))
        group = tuple(sorted(chosen.values(), key=lambda a: (order.get(a.lang, len(order)), a.lang)))
        if len(group) > 1:
            for article in group:
                out[article.source] = group
    return out


def _without_language(stem: str, lang: str) -> str:
    """'x-fr' or 'x_fr' -> 'x' for a French file: a language written into the file name."""
    for sep in "-_":
        if lang and stem.casefold().endswith(sep + lang.casefold()) and len(stem) > len(lang) + 1:
            return stem[:-len(lang) - 1]
    return stem


def _next_free_url(article: Article, owners: dict[str, Article], config: SiteConfig) -> Article:
    """A recurring headline ("Market wrap") whose slug came from its title or file name: the first
    free '-2', '-3'... of its slug. The digest changes with the URL, since pages show it."""
    config = config.edition(article.lang) if article.lang else config  # its permalinks, under its edition's home
    pattern = config.permalinks.page if article.kind == "page" else config.permalinks.article
    category = article.category.slug if article.category else ""
    for n in range(2, len(owners) + 3):
        slug = f"{article.slug}-{n}"
        url = expand_permalink(pattern, slug=slug, when=article.date, category=category)
        if url == article.url:  # the pattern has no {slug}: numbering cannot help
            break
        if url.casefold() not in owners:
            digest = hashlib.sha256(f"{article.digest}\0{url}".encode()).hexdigest()[:24]
            return replace(article, slug=slug, url=url, digest=digest)
    return article


def _categories(articles: tuple[Article, ...], config: SiteConfig) -> dict[str, Listing]:
    members: dict[str, list[Article]] = {}
    terms: dict[str, Term] = {}
    for article in articles:
        if article.category is not None:
            members.setdefault(article.category.slug, []).append(article)
            terms.setdefault(article.category.slug, article.category)
    out: dict[str, Listing] = {}
    for cat in config.categories:  # declared categories always get a page, even while empty
        term = Term("category", cat.name, cat.slug, expand_permalink(config.permalinks.category, slug=cat.slug),
                    cat.description)
        out[cat.slug] = Listing(term, tuple(members.get(cat.slug, ())))
    for slug in sorted(set(members) - set(out), key=lambda s: terms[s].name.casefold()):
        out[slug] = Listing(terms[slug], tuple(members[slug]))
    return out


def _group(articles: tuple[Article, ...], attr: str) -> dict[str, Listing]:
    """Group articles by tag or coin; a term's display name is its most used spelling."""
    members: dict[str, list[Article]] = {}
    spellings: dict[str, dict[str, int]] = {}
    first: dict[str, Term] = {}
    for article in articles:
        for term in getattr(article, attr):
            slug = term.slug
            if slug in members:
                members[slug].append(article)
                names = spellings[slug]
                names[term.name] = names.get(term.name, 0) + 1
            else:
                members[slug] = [article]
                spellings[slug] = {term.name: 1}
                first[slug] = term
    out = {}
    for slug, names in spellings.items():
        t = first[slug]
        name = t.name if len(names) == 1 else min(names.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        out[slug] = Listing(Term(t.kind, name, slug, t.url), tuple(members[slug]))
    return dict(sorted(out.items(), key=lambda kv: (kv[1].term.name.casefold(), kv[0])))
