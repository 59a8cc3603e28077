"""The site model's types: plain frozen values passed from phase to phase."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Literal

Kind = Literal["article", "page"]


@dataclass(frozen=True, slots=True)
class Term:
    """A category, tag or coin: what it is called and where its page lives."""

    kind: str  # a taxonomy.TERM_KINDS name: "category", "tag", "coin"
    name: str
    slug: str
    url: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Author:
    """A person who writes for the site (content/_data/authors.toml), or just a name for one it does not list."""

    name: str
    slug: str
    url: str  # their page, '/author/jane-doe/' ('' when author pages are turned off)
    role: str = ""
    bio: str = ""
    avatar: str = ""  # site path or URL of their picture
    links: tuple[tuple[str, str], ...] = ()  # (label, URL) of their profiles elsewhere: schema.org sameAs
    login: str = ""  # the CMS login an importer matched them by


@dataclass(frozen=True, slots=True)
class Image:
    src: str  # site-absolute path as written ('/assets/img/x.jpg') or an absolute URL
    alt: str = ""
    width: int = 0
    height: int = 0


@dataclass(frozen=True, slots=True)
class Update:
    """One dated correction or update notice ('updates:' in front matter)."""

    date: datetime
    note: str


@dataclass(frozen=True, slots=True)
class Body:
    """What Markdown made of one document's body (cacheable per file)."""

    html: str
    toc: str
    first_paragraph: str
    words: int
    notes: tuple[tuple[int, str, str], ...] = ()  # (line in the body, warning, hint): kept with the body
    images: tuple[tuple[str, int], ...] = ()  # the body's local images: (site path, line in the body)


@dataclass(frozen=True, slots=True)
class Article:
    """One article or static page: what the author wrote, validated, plus derived values.

    The body HTML is not kept here (it is loaded on demand from the body store),
    so ten thousand articles stay small in memory.
    """

    source: str  # path relative to the site folder, posix
    kind: Kind
    digest: str  # hash of the source bytes and the settings that shaped this value
    title: str
    date: datetime
    updated: datetime
    slug: str
    url: str  # site path, '/2025/07/slug/'
    category: Term | None
    tags: tuple[Term, ...]
    coins: tuple[Term, ...]
    summary: str
    reading_time: int
    words: int
    image: Image | None
    author: str
    trending: bool
    draft: bool
    has_toc: bool
    aliases: tuple[str, ...] = ()  # old site paths that redirect here ('aliases:' / 'redirect_from:')
    body_images: tuple[tuple[str, int], ...] = ()  # local images in the body: (site path, line in the file)
    updates: tuple[Update, ...] = ()  # corrections and updates, oldest first; the last sets `updated`
    expires: datetime | None = None  # leaves every list, feed and sitemap at this time
    sponsored: bool = False
    doc_type: str = "article"  # "article" | "press-release"
    noindex: bool = False
    canonical: str = ""  # absolute URL of the original, for a syndicated copy
    og_image: str = ""  # the share image, when not the featured one
    url_given: bool = False  # 'slug:' or 'url:' was written, so a clash is an error, never a '-2'
    authors: tuple[Term, ...] = ()  # 'author:' names as terms; assembly swaps in the data file's (authors.toml)
    author_line: int = 0  # where 'author:' is set, for the warning about an author the data file lacks
    labels: tuple[Term, ...] = ()  # sponsored, press release: terms of kind 'label' (content.LABELS)
    lang: str = ""  # the edition's language code ('' on a single-language site)
    translation_key: str = ""  # 'translation_key:' as written; translations share one
    family: str = ""  # folder and file name without language, for finding translations without a key
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> str:
        return self.source


@dataclass(frozen=True, slots=True)
class Parsed:
    """The outcome of reading one file: an article (or None) and what was wrong with it."""

    source: str
    article: Article | None
    body: Body | None
    problems: tuple = ()


def _positional_pickle(cls: type) -> None:
    """Pickle as (class, field values): unpickling ten thousand cached articles through the
    constructor is several times faster than dataclasses' generic slot-by-slot state."""
    names = tuple(f.name for f in fields(cls))

    def __reduce__(self):
        return cls, tuple(getattr(self, n) for n in names)
    cls.__reduce__ = __reduce__


for _cls in (Image, Update, Body, Article, Parsed):
    _positional_pickle(_cls)

_TERMS: dict[tuple, Term] = {}
_TERM_FIELDS = tuple(f.name for f in fields(Term))


def _term(*values) -> Term:
    """One Term object per distinct value when unpickling: ten thousand cached articles share a
    few hundred categories and tags, and building each article's copies was a third of the load."""
    term = _TERMS.get(values)
    if term is None:
        term = _TERMS[values] = Term(*values)
    return term


Term.__reduce__ = lambda self: (_term, tuple(getattr(self, n) for n in _TERM_FIELDS))
