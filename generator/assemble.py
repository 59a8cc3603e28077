"""Articles in, site model out: what is published, listings per term kind (category, tag, coin), URL ownership."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime

from generator.archives import by_month
from generator.authors import AUTHORS_FILE, author_term, undeclared
from generator.config import SiteConfig
from generator.content import expand_permalink
from generator.errors import Problem
from generator.model import Article, Author, Term
from generator.taxonomy import TERM_KINDS, TermKind, category_terms


@dataclass(frozen=True)
class Listing:
    """A term (category, tag, coin...) and its articles, newest first."""

    term: Term
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Site:
    """Everything the renderer needs to know about the site, built once per build."""

    config: SiteConfig
    now: datetime
    articles: tuple[Article, ...]  # published articles, newest first
    pages: tuple[Article, ...]  # static pages, by title
    terms: dict[str, dict[str, Listing]]  # kind (taxonomy.TERM_KINDS) -> slug -> listing; declared first
    by_source: dict[str, Article] = field(default_factory=dict)
    people: dict[str, Author] = field(default_factory=dict)  # author slug -> who they are (authors.toml)
    months: dict[str, tuple[Article, ...]] = field(default_factory=dict)  # '2026-11' -> articles; newest first
    archived: tuple[Article, ...] = ()  # past their 'expires:': a page of their own, in no list (expired = "archive")

    def years(self) -> dict[str, tuple[str, ...]]:
        """'2026' -> its month keys, newest first."""
        out: dict[str, list[str]] = {}
        for key in self.months:
            out.setdefault(key[:4], []).append(key)
        return {year: tuple(keys) for year, keys in out.items()}

    def listings(self, kind: str) -> dict[str, Listing]:
        """The listings of a term kind ('category', 'tag', ...), by slug."""
        return self.terms[kind]

    @property
    def categories(self) -> dict[str, Listing]:
        return self.terms["category"]

    @property
    def tags(self) -> dict[str, Listing]:
        return self.terms["tag"]

    @property
    def coins(self) -> dict[str, Listing]:
        return self.terms["coin"]

    @property
    def labels(self) -> dict[str, Listing]:
        """Sponsored articles and press releases (newsroom.LABELS), those with articles."""
        return self.terms["label"]

    def page_by_slug(self, slug: str) -> Article | None:
        return next((p for p in self.pages if p.slug == slug), None)


def sort_key(article: Article) -> tuple:
    """Newest first; ties broken by source path so every build orders the same way."""
    return (-article.date.timestamp(), article.source)


def assemble(entries: list[Article], config: SiteConfig, now: datetime, *, drafts: bool = False,
             future: bool = False, problems: list[Problem] | None = None,
             authors: tuple[Author, ...] | None = ()) -> Site:
    """Filter drafts and future articles, claim URLs (first source by path wins), match bylines to
    the authors data file, set expired articles apart (archived, or removed as site.toml says),
    group by term."""
    problems = problems if problems is not None else []
    visible = [a for a in entries if (drafts or not a.draft) and (future or a.kind == "page" or a.date <= now)]
    people = {a.slug: a for a in authors or ()}
    visible = _with_authors(visible, authors, people, problems)
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
    declared = {"category": category_terms(config), "author": tuple(author_term(a) for a in authors or ())}
    terms = {kind.name: _group(articles, kind, declared.get(kind.name, ()),
                               keep_empty=kind.name not in ("author", "label"))
             if kind.has_pages(config) else {} for kind in TERM_KINDS}
    return Site(config=config, now=now, articles=articles, pages=pages, terms=terms,
                by_source={a.source: a for a in kept}, people=people, months=by_month(articles), archived=archived)


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


def _with_authors(articles: list[Article], authors: tuple[Author, ...] | None, people: dict[str, Author],
                  problems: list[Problem]) -> list[Article]:
    """Articles whose bylines name a data file entry (by name, slug or login) carry that entry's
    slug and URL; a name the file lacks gets a page of its own, with a warning when the file exists."""
    index: dict[str, Author] = {}
    for person in authors or ():
        for key in (person.login.casefold(), person.slug, person.name.casefold()):
            if key:
                index[key] = person
    swapped: dict[Term, Term] = {}
    out = []
    for article in articles:
        if not article.authors:
            out.append(article)
            continue
        terms = []
        for t in article.authors:
            found = swapped.get(t)
            if found is None:
                person = index.get(t.name.casefold()) or index.get(t.slug)
                if person is None:
                    people.setdefault(t.slug, undeclared(t))
                    found = t
                else:
                    found = Term("author", person.name, person.slug, person.url)
                swapped[t] = found
            if found is t and authors:
                close = difflib.get_close_matches(t.name, [p.name for p in authors], n=1)
                problems.append(Problem(article.source, f"author {t.name!r} is not in {AUTHORS_FILE}; they get a page "
                                                        "with their name only", article.author_line or None,
                                        (f"did you mean {close[0]!r}? or add" if close else "add") +
                                        f" an [[authors]] entry for them to {AUTHORS_FILE}", "warning"))
            if found not in terms:
                terms.append(found)
        terms = tuple(terms)
        out.append(article if terms == article.authors else dataclasses.replace(article, authors=terms))
    return out


def _group(articles: tuple[Article, ...], kind: TermKind, declared: tuple[Term, ...],
           keep_empty: bool = True) -> dict[str, Listing]:
    """Group articles by their terms of a kind. Declared terms come first, in their order (with a
    page even while empty, if keep_empty); the others follow by name, each named by its most used spelling."""
    members: dict[str, list[Article]] = {}
    spellings: dict[str, dict[str, int]] = {}
    first: dict[str, Term] = {}
    for article in articles:
        for term in kind.of(article):
            slug = term.slug
            if slug in members:
                members[slug].append(article)
                names = spellings[slug]
                names[term.name] = names.get(term.name, 0) + 1
            else:
                members[slug] = [article]
                spellings[slug] = {term.name: 1}
                first[slug] = term
    out = {t.slug: Listing(t, tuple(members.get(t.slug, ()))) for t in declared if keep_empty or t.slug in members}
    others = {}
    for slug, names in spellings.items():
        if slug in out:
            continue
        t = first[slug]
        name = t.name if len(names) == 1 else min(names.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        others[slug] = Listing(t if name == t.name else Term(t.kind, name, slug, t.url, t.description),
                               tuple(members[slug]))
    out.update(sorted(others.items(), key=lambda kv: (kv[1].term.name.casefold(), kv[0])))
    return out
