"""A save that moved nothing: new article values swapped into the preview's model, no assembly.

Most saves in the preview change what an article shows (its body, summary, reading time), not
where it is listed: its URL, date, terms and every list stay as they were. Re-assembling ten
thousand articles for that cost more than the rest of the save. assemble.restate says whether a
save is such a one and what the article becomes; this module puts the new values where the model
holds the old ones. Anything else (a new, deleted or re-dated file, layouts, config, the clock
passing a scheduled time) still goes through build.make_model, the one way a model is made.
"""

from __future__ import annotations

import dataclasses

from generator.archives import month_key
from generator.assemble import Editions, Listing, Site
from generator.build import Edition, Model
from generator.model import Article
from generator.render import Renderer
from generator.taxonomy import TERM_KINDS


def swap_articles(model: Model, swaps: dict[str, Article]) -> Model:
    """The model with each article whose source is in `swaps` replaced by its new value.

    Every new value must come from assemble.restate (same URL, terms, date and order), so each
    list keeps its length and order and only its members are new objects."""
    if not swaps:
        return model
    sites = {code: _site(site, swaps) for code, site in model.sites.sites.items()}
    translations = {src: _swapped(group, swaps) for src, group in model.sites.translations.items()}
    editions = {code: _edition(old, sites[code], swaps) for code, old in model.editions.items()}
    first = editions[next(iter(editions))]
    return dataclasses.replace(model, site=first.site, related=first.related, trending=first.trending,
                               renderer=first.renderer, lookups=None, editions=editions,
                               sites=Editions(sites, translations))


def _swapped(articles: tuple[Article, ...], swaps: dict[str, Article]) -> tuple[Article, ...]:
    """The same tuple when none of its members changed (most listings), else a new one."""
    if not any(a.source in swaps for a in articles):
        return articles
    return tuple(swaps.get(a.source, a) for a in articles)


def _site(site: Site, swaps: dict[str, Article]) -> Site:
    if not any(source in site.by_source for source in swaps):
        return site
    # an article is in the listings of its own terms and month (as assembly grouped them), no other
    terms = {kind: dict(listings) for kind, listings in site.terms.items()}
    months = dict(site.months)
    for article in swaps.values():
        for kind in TERM_KINDS:
            listings = terms.get(kind.name, {})
            for term in kind.of(article):
                if term.slug in listings:
                    listings[term.slug] = _listing(listings[term.slug], swaps)
        key = month_key(article)
        if key in months:
            months[key] = _swapped(months[key], swaps)
    return dataclasses.replace(site, articles=_swapped(site.articles, swaps), pages=_swapped(site.pages, swaps),
                               archived=_swapped(site.archived, swaps), terms=terms, months=months,
                               by_source={**site.by_source, **{s: a for s, a in swaps.items() if s in site.by_source}})


def _listing(listing: Listing, swaps: dict[str, Article]) -> Listing:
    articles = _swapped(listing.articles, swaps)
    return listing if articles is listing.articles else dataclasses.replace(listing, articles=articles)


def _edition(old: Edition, site: Site, swaps: dict[str, Article]) -> Edition:
    """The edition over its new site: related lists and compiled templates kept, the trending and
    latest slots re-filled (a changed summary shows there), the per-page lookups made afresh."""
    if site is old.site:
        return old
    trending = dataclasses.replace(old.trending, articles=_swapped(old.trending.articles, swaps),
                                   ranked=_swapped(old.trending.ranked, swaps))
    renderer = Renderer(old.renderer.layouts.parent, {}, old.renderer.global_key, reuse=old.renderer)
    renderer.stored_snippet = old.renderer.stored_snippet
    renderer.slot_context = {**old.renderer.slot_context, "trending": trending.articles,
                             "latest": _swapped(old.renderer.slot_context.get("latest", ()), swaps)}
    return dataclasses.replace(old, site=site, related=old.related.restated(site.articles), trending=trending,
                               renderer=renderer, lookups=None)
