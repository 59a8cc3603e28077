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
    labels: dict[str, Listing] = field(default_factory=dict)  # 'sponsored', 'press-releases': those with articles
    archived: tuple[Article, ...] = ()  # past their 'expires:': a page of their own, in no list (expired = "archive")

    def listings(self, kind: str) -> dict[str, Listing]:
        """The listings of a term kind: 'category', 'tag' or 'coin'."""
        return {"category": self.categories, "tag": self.tags, "coin": self.coins, "label": self.labels}[kind]

    def page_by_slug(self, slug: str) -> Article | None:
        return next((p for p in self.pages if p.slug == slug), None)


def sort_key(article: Article) -> tuple:
    """Newest first; ties broken by source path so every build orders the same way."""
    return (-article.date.timestamp(), article.source)


def assemble(entries: list[Article], config: SiteConfig, now: datetime, *, drafts: bool = False,
             future: bool = False, problems: list[Problem] | None = None) -> Site:
    """Filter drafts and future articles, claim URLs (first source by path wins), set expired
    articles apart (archived, or removed as site.toml says), group by term."""
    problems = problems if problems is not None else []
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
    expired = {a.source for a in kept if a.kind == "article" and a.expires is not None and a.expires <= now}
    if expired and config.expired == "remove":
        kept = [a for a in kept if a.source not in expired]
    archived = tuple(sorted((a for a in kept if a.source in expired), key=sort_key))
    articles = tuple(sorted((a for a in kept if a.kind == "article" and a.source not in expired), key=sort_key))
    pages = tuple(sorted((a for a in kept if a.kind == "page"), key=lambda p: (p.title.casefold(), p.source)))
    return Site(config=config, now=now, articles=articles, pages=pages,
                categories=_categories(articles, config), tags=_group(articles, "tags"),
                coins=_group(articles, "coins"), by_source={a.source: a for a in kept}, archived=archived,
                labels=_labels(articles, config))


def _next_free_url(article: Article, owners: dict[str, Article], config: SiteConfig) -> Article:
    """A recurring headline ("Market wrap") whose slug came from its title or file name: the first
    free '-2', '-3'... of its slug. The digest changes with the URL, since pages show it."""
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


# Articles that are not the newsroom's own: each kind's list page (permalinks.label), label and test.
LABELS = (("sponsored", "Sponsored", "Articles paid for by sponsors.", lambda a: a.sponsored),
          ("press-releases", "Press releases", "Press releases published as received.",
           lambda a: a.doc_type == "press-release"))


def _labels(articles: tuple[Article, ...], config: SiteConfig) -> dict[str, Listing]:
    out = {}
    for slug, name, description, test in LABELS:
        members = tuple(a for a in articles if test(a))
        if members:
            term = Term("label", name, slug, expand_permalink(config.permalinks.label, slug=slug), description)
            out[slug] = Listing(term, members)
    return out


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
