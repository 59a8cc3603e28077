"""The kinds of terms articles are grouped by: one table that assembly, routes, titles and feeds loop over.

A kind is a row (Zola drives its taxonomies from one declaration the same way): a new way of
grouping articles is a new row here, plus its front-matter parsing, not another copy of every loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.config import SiteConfig
from generator.content import term
from generator.model import Article, Term


@dataclass(frozen=True, slots=True)
class TermKind:
    """One kind of term and how the site presents it."""

    name: str  # Term.kind, Route.kind and the permalinks.<name> pattern: 'category'
    field: str  # the Article attribute holding its terms: one Term or None ('category'), or a tuple ('tags')
    title_prefix: str  # before a term page's title: 'Tag: '
    plural: str  # the index page's title: 'Tags'
    feed: str = ""  # the [feeds] switch that gives each term an Atom feed ('per_category'); '' for never

    def of(self, article: Article) -> tuple[Term, ...]:
        """The article's terms of this kind."""
        value = getattr(article, self.field)
        if isinstance(value, tuple):
            return value
        return () if value is None else (value,)

    def has_feeds(self, config: SiteConfig) -> bool:
        return bool(self.feed) and getattr(config.feeds, self.feed)

    def has_pages(self, config: SiteConfig) -> bool:
        """Whether its terms get pages (an optional permalink pattern set to '' turns them off)."""
        return bool(getattr(config.permalinks, self.name))


TERM_KINDS: tuple[TermKind, ...] = (
    TermKind("category", "category", "", "Categories", feed="per_category"),
    TermKind("tag", "tags", "Tag: ", "Tags", feed="per_tag"),
    TermKind("coin", "coins", "Coin: ", "Coins"),
    TermKind("author", "authors", "", "Authors", feed="per_author"),
)
KINDS: dict[str, TermKind] = {k.name: k for k in TERM_KINDS}


def category_terms(config: SiteConfig) -> tuple[Term, ...]:
    """The categories of site.toml as terms, in its order."""
    return tuple(term(config, "category", c.name, c.slug, c.description) for c in config.categories)
