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
             future: bool = False, problems: list[Problem] | None = None,
             authors: tuple[Author, ...] | None = ()) -> Site:
    """The site model of a single-language site (the default edition of a multilingual one)."""
    return assemble_editions(entries, config, now, drafts=drafts, future=future, problems=problems,
                             authors=authors).default


def assemble_editions(entries: list[Article], config: SiteConfig, now: datetime, *, drafts: bool = False,
                      future: bool = False, problems: list[Problem] | None = None,
                      authors: tuple[Author, ...] | None = ()) -> Editions:
    """Claim URLs over every language, then one site model per language, then the translations."""
    problems = problems if problems is not None else []
    kept, people = _published(entries, config, now, drafts, future, problems, authors)
    codes = [config.default_language] + [l.code for l in config.languages if l.code != config.default_language]
    by_lang: dict[str, list[Article]] = {code: [] for code in codes}
    for article in kept:
        by_lang.setdefault(article.lang or config.default_language, []).append(article)
    sites = {code: _site(members, config.edition(code), now, authors, people) for code, members in by_lang.items()}
    order = {code: i for i, code in enumerate(codes)}
    return Editions(sites, link_translations(kept, order, problems) if len(sites) > 1 else {})


def _published(entries: list[Article], config: SiteConfig, now: datetime, drafts: bool, future: bool,
               problems: list[Problem], authors: tuple[Author, ...] | None = ()) -> tuple[list[Article], dict]:
    """Filter drafts and future articles, match bylines to the authors data file, claim URLs (first
    source by path wins); and the authors by slug."""
    visible = [a for a in entries if (drafts or not a.draft) and (future or a.kind == "page" or a.date <= now)]
    people = {a.slug: a for a in authors or ()}
    visible = _with_authors(visible, authors, people, problems, config)
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
    return kept, people


def _site(kept: list[Article], config: SiteConfig, now: datetime, authors: tuple[Author, ...] | None,
          people: dict) -> Site:
    """One edition's site model: its articles newest first, its pages, its listings; expired
    articles set apart (archived)."""
    expired = {a.source for a in kept if a.kind == "article" and a.expires is not None and a.expires <= now}
    archived = tuple(sorted((a for a in kept if a.source in expired), key=sort_key))
    articles = tuple(sorted((a for a in kept if a.kind == "article" and a.source not in expired), key=sort_key))
    pages = tuple(sorted((a for a in kept if a.kind == "page"), key=lambda p: (p.title.casefold(), p.source)))
    prefix = config.home.rstrip("/")  # an edition's author pages are under its home
    declared = {"category": category_terms(config),
                "author": tuple(replace(author_term(a), url=prefix + a.url if a.url else a.url) for a in authors or ())}
    terms = {kind.name: _group(articles, kind, declared.get(kind.name, ()),
                               keep_empty=kind.name not in ("author", "label"))
             if kind.has_pages(config) else {} for kind in TERM_KINDS}
    return Site(config=config, now=now, articles=articles, pages=pages, terms=terms, by_source={a.source: a for a in kept},
                people=_people_of(config, people), months=by_month(articles), archived=archived)


def _people_of(config: SiteConfig, people: dict[str, Author]) -> dict[str, Author]:
    """The authors as an edition shows them: their pages under its home ('/fr/author/jane-doe/')."""
    pattern = config.permalinks.author
    out = {}
    for slug, person in people.items():
        url = expand_permalink(pattern, slug=person.slug) if pattern and person.url else ""
        out[slug] = person if url == person.url else replace(person, url=url)
    return out


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
            return replace(article, slug=slug, url=url, digest=_renumbered(article.digest, url))
    return article


def _renumbered(digest: str, url: str) -> str:
    return hashlib.sha256(f"{digest}\0{url}".encode()).hexdigest()[:24]


# What only shows on an article's page and cards (mostly what its body makes of it): no list, URL or term uses it.
DISPLAY_FIELDS = ("digest", "summary", "reading_time", "words", "has_toc")
_OTHER_FIELDS = tuple(f.name for f in dataclasses.fields(Article) if f.name not in DISPLAY_FIELDS)


def restate(assembled: Article, before: Article, after: Article) -> Article | None:
    """What assembly would make of `after`, the same file as `before` saved again, given that it
    made `assembled` of `before`: the new body's values on the old placing. None when the save
    changed anything but DISPLAY_FIELDS (front matter, body images): then only assembly can say."""
    if any(getattr(before, name) != getattr(after, name) for name in _OTHER_FIELDS):
        return None  # `extra` is compared too: its field is left out of Article's own ==
    digest = after.digest if assembled.url == before.url else _renumbered(after.digest, assembled.url)
    return replace(assembled, digest=digest, summary=after.summary, reading_time=after.reading_time,
                   words=after.words, has_toc=after.has_toc)


def _in_edition(url: str, article: Article, config: SiteConfig | None) -> str:
    """A site path under the article's edition's home ('/author/x/' -> '/fr/author/x/')."""
    if not url or config is None or not config.multilingual or not article.lang:
        return url
    return config.edition(article.lang).home.rstrip("/") + url


def _with_authors(articles: list[Article], authors: tuple[Author, ...] | None, people: dict[str, Author],
                  problems: list[Problem], config: SiteConfig | None = None) -> list[Article]:
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
                    found = Term("author", person.name, person.slug, _in_edition(person.url, article, config))
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
