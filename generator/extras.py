"""Outputs that are not pages: Atom and JSON feeds, sitemaps (with Google News), robots.txt.

Table-driven: one Atom writer serves the site feed and every term's feed (taxonomy.TERM_KINDS).
"""

from __future__ import annotations

import html
import json
import re
import math
from datetime import datetime, timedelta, timezone
from typing import Callable
from urllib.parse import urljoin

from generator.assemble import Site, sort_key
from generator.model import Article, Body
from generator.output import MARKER, marker_text
from generator.pages import Route, feed_url, listed
from generator.redirects import Redirect, redirect_outputs
from generator.taxonomy import KINDS, TERM_KINDS
from generator.ticker import PUBLIC_FILE, TickerData, public_json


def escape(text: str, entities: dict[str, str] | None = None) -> str:
    """XML text escaping (&, <, >, and any extra entities); xml.sax.saxutils would pull in urllib."""
    text = html.escape(text, quote=False)
    for char, entity in (entities or {}).items():
        text = text.replace(char, entity)
    return text


def quoteattr(text: str) -> str:
    """An XML attribute value, double-quoted."""
    return '"' + escape(text, {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}) + '"'

SITEMAP_LIMIT = 50_000
NEWS_WINDOW = timedelta(days=2)


def rfc3339(d: datetime) -> str:
    return d.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: str) -> str:
    """XML-escape text, dropping characters XML 1.0 cannot hold."""
    return escape(_NOT_XML.sub("", text))


def extra_outputs(site, routes: list[Route], abs_url: Callable[[str], str],
                  load_body: Callable[[Article], Body], now: datetime,
                  redirects: tuple[Redirect, ...] = (), ticker: TickerData | None = None) -> dict[str, bytes]:
    """Every non-page output, output path -> bytes (redirect pages for old URLs among them, and the
    ticker's figures for browsers to re-read).

    `site` is a Site, or the Editions of a multilingual site: each language has its own feeds,
    and the sitemaps list every language's pages."""
    sites = [site] if isinstance(site, Site) else list(site)
    config = sites[0].config
    out: dict[str, bytes] = {}
    for edition in sites:
        out.update(_feeds(edition, abs_url, load_body))
    out.update(sitemaps(sites, routes, abs_url))
    out["sitemap-news.xml"] = news_sitemap(sites, abs_url, now)
    out[MARKER] = marker_text(config.base_url)
    out["robots.txt"] = (f"User-agent: *\nAllow: /\n\nSitemap: {abs_url('/sitemap.xml')}\n"
                         f"Sitemap: {abs_url('/sitemap-news.xml')}\n").encode()
    if ticker is not None and ticker.public_file:
        out[PUBLIC_FILE] = public_json(ticker)
    for rel, data in redirect_outputs(redirects, config.base_path, abs_url, config.language).items():
        out.setdefault(rel, data)  # an alias never replaces a feed or sitemap
    return out


def _feeds(site: Site, abs_url, load_body) -> dict[str, bytes]:
    """One edition's Atom feeds (the edition's, its categories' and tags') and its JSON feed."""
    config = site.config
    home = config.home
    out: dict[str, bytes] = {}
    feeds = [(home.lstrip("/") + "feed.xml", "", site.articles, config.title)]
    for kind in TERM_KINDS:
        if kind.has_feeds(config):
            feeds += [(feed_url(l.term.url).lstrip("/"), l.term.url, l.articles, f"{l.term.name} – {config.title}")
                      for l in site.listings(kind.name).values() if l.articles]
    for rel, page, articles, title in feeds:
        out[rel] = atom_feed(site, rel, page or home, articles[:config.feeds.count], title, abs_url, load_body)
    out[home.lstrip("/") + "feed.json"] = json_feed(site, site.articles[:config.feeds.count], abs_url, load_body)
    return out


_LINK_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)"')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')


def absolute_links(body_html: str, page_url: str, abs_url) -> str:
    """Feed readers show content away from the site: every link and image must be absolute.

    Root-relative links are site paths (as in pages, where they get the base sub-path)."""
    def fix(url: str) -> str:
        url = html.unescape(url)
        if url.startswith("/") and not url.startswith("//"):
            url = abs_url(url)
        elif url and not url.startswith(("#", "mailto:", "data:")):
            url = urljoin(page_url, url)
        return escape(url, {'"': "&quot;"})

    out = _LINK_ATTR.sub(lambda m: f'{m.group(1)}{fix(m.group(2))}"', body_html)
    return _SRCSET.sub(lambda m: m.group(1) + ", ".join(
        " ".join([fix(part.strip().split(" ")[0]), *part.strip().split(" ")[1:]]) for part in m.group(2).split(",")
        if part.strip()) + '"', out)


def _content(article: Article, full: bool, load_body, abs_url) -> tuple[str, str]:
    if full:
        return "html", absolute_links(load_body(article).html, abs_url(article.url), abs_url)
    return "text", article.summary


def atom_feed(site: Site, rel: str, home: str, articles, title: str, abs_url, load_body) -> bytes:
    config = site.config
    updated = max((a.updated for a in articles), default=datetime(1970, 1, 1, tzinfo=timezone.utc))
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
             f"<title>{_x(title)}</title>",
             f"<subtitle>{_x(config.description)}</subtitle>" if config.description else "",
             f'<link rel="alternate" type="text/html" href={quoteattr(abs_url(home))}/>',
             f'<link rel="self" type="application/atom+xml" href={quoteattr(abs_url("/" + rel))}/>',
             f"<id>{_x(abs_url('/' + rel))}</id>",
             f"<updated>{rfc3339(updated)}</updated>",
             f"<author><name>{_x(config.title)}</name></author>",
             "<generator>blockline-generator</generator>"]
    for a in articles:
        kind, text = _content(a, config.feeds.full_content, load_body, abs_url)
        link = abs_url(a.url)
        lines += ["<entry>", f"<title>{_x(a.title)}</title>", f'<link rel="alternate" type="text/html" href={quoteattr(link)}/>',
                  f"<id>{_x(link)}</id>", f"<published>{rfc3339(a.date)}</published>",
                  f"<updated>{rfc3339(a.updated)}</updated>"]
        for name, page in _bylines(a, abs_url):  # one <author> each, with their page
            lines.append(f"<author><name>{_x(name)}</name>" + (f"<uri>{_x(page)}</uri>" if page else "") + "</author>")
        if a.category:
            lines.append(f"<category term={quoteattr(a.category.slug)} label={quoteattr(a.category.name)}/>")
        lines += [f"<category term={quoteattr(t.slug)} label={quoteattr(t.name)}/>" for t in a.tags]
        lines.append(f"<summary type=\"text\">{_x(a.summary)}</summary>")
        if kind == "html":
            lines.append(f'<content type="html">{_x(text)}</content>')
        lines.append("</entry>")
    lines.append("</feed>")
    return ("\n".join(line for line in lines if line) + "\n").encode()


def _bylines(article: Article, abs_url) -> list[tuple[str, str]]:
    """(name, absolute URL of their page or '') per author; the joined byline for an article made without terms."""
    if article.authors:
        return [(t.name, abs_url(t.url) if t.url else "") for t in article.authors]
    return [(article.author, "")] if article.author else []


def json_feed(site: Site, articles, abs_url, load_body) -> bytes:
    config = site.config
    items = []
    for a in articles:
        item = {"id": abs_url(a.url), "url": abs_url(a.url), "title": a.title, "summary": a.summary,
                "date_published": rfc3339(a.date), "date_modified": rfc3339(a.updated),
                "tags": [t.name for t in a.tags]}
        if config.feeds.full_content:
            item["content_html"] = absolute_links(load_body(a).html, abs_url(a.url), abs_url)
        else:
            item["content_text"] = a.summary
        if a.image:
            item["image"] = abs_url(a.image.src)
        if a.author:
            item["authors"] = [{"name": name, **({"url": page} if page else {})} for name, page in _bylines(a, abs_url)]
        items.append(item)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": config.title, "home_page_url": abs_url(config.home),
            "feed_url": abs_url(config.home + "feed.json"), "description": config.description, "language": config.language,
            "items": items}
    text = json.dumps(feed, ensure_ascii=False, indent=1)
    # the same escapes as Jinja's |tojson: no '<script' or '&' survives even in a naive viewer
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (text + "\n").encode()


def sitemaps(sites: list[Site], routes: list[Route], abs_url) -> dict[str, bytes]:
    """sitemap.xml: one urlset (every language's pages), or an index of parts when there are more
    than 50,000 URLs."""
    if isinstance(sites, Site):
        sites = [sites]
    by_lang = {site.config.language: site for site in sites}
    newest_of = {lang: site.articles[0].updated if site.articles else None for lang, site in by_lang.items()}
    stamps: dict[datetime, str] = {}  # many pages share a date: format each once
    rows = []
    for route in routes:
        if route.kind in ("404", "widget", "search"):  # pages marked noindex
            continue
        site = by_lang.get(route.lang, sites[0])
        if route.kind in ("article", "page") and _unlisted(site.by_source[route.key], site):
            continue
        lastmod = _lastmod(site, route, newest_of[site.config.language])
        stamp = stamps.get(lastmod) if lastmod else ""
        if stamp is None:
            stamp = stamps[lastmod] = f"<lastmod>{rfc3339(lastmod)}</lastmod>"
        rows.append((abs_url(route.url), lastmod, stamp))

    def urlset(part) -> bytes:
        body = "".join(f"<url><loc>{_x(loc)}</loc>{stamp}</url>\n" for loc, _, stamp in part)
        return ('<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                + body + "</urlset>\n").encode()
    if len(rows) <= SITEMAP_LIMIT:
        return {"sitemap.xml": urlset(rows)}
    out = {}
    parts = math.ceil(len(rows) / SITEMAP_LIMIT)
    index = ['<?xml version="1.0" encoding="utf-8"?>', '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for n in range(parts):
        part = rows[n * SITEMAP_LIMIT:(n + 1) * SITEMAP_LIMIT]
        name = f"sitemap-{n + 1}.xml"
        out[name] = urlset(part)
        newest_part = max((m for _, m, _ in part if m), default=None)
        index.append(f"<sitemap><loc>{_x(abs_url('/' + name))}</loc>"
                     + (f"<lastmod>{rfc3339(newest_part)}</lastmod>" if newest_part else "") + "</sitemap>")
    index.append("</sitemapindex>")
    out["sitemap.xml"] = ("\n".join(index) + "\n").encode()
    return out


def _unlisted(article: Article, site: Site) -> bool:
    """Pages marked noindex (by front matter, or archived when expired) are left out of sitemaps."""
    return article.noindex or article in site.archived


def _lastmod(site: Site, route: Route, newest: datetime | None) -> datetime | None:
    if route.kind in ("article", "page"):
        article = site.by_source[route.key]
        return article.updated if article.kind == "article" or article.updated.year > 1970 else newest
    if route.kind in ("home", "month") or route.kind in KINDS:
        return max((a.updated for a in listed(site, route)), default=newest)
    if route.kind == "year":
        return max((a.updated for key in site.years().get(route.key, ()) for a in site.months[key]), default=newest)
    return newest


def news_sitemap(sites: list[Site], abs_url, now: datetime) -> bytes:
    """Google News sitemap: articles published in the two days before the build time, each with its
    edition's name and language."""
    if isinstance(sites, Site):
        sites = [sites]
    configs = {site.config.language: site.config for site in sites}
    recent = []
    for site in sites:
        for a in site.articles:
            if a.date > now or a.sponsored or a.doc_type == "press-release" or a.noindex:  # not the newsroom's news
                continue
            if now - a.date > NEWS_WINDOW:
                break  # newest first: the rest are older
            recent.append(a)
    if len(sites) > 1:
        recent.sort(key=sort_key)
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">']
    for a in recent:
        config = configs.get(a.lang, sites[0].config)
        lines.append(f"<url><loc>{_x(abs_url(a.url))}</loc><news:news><news:publication>"
                     f"<news:name>{_x(config.title)}</news:name><news:language>{_x(config.language)}</news:language>"
                     f"</news:publication><news:publication_date>{rfc3339(a.date)}</news:publication_date>"
                     f"<news:title>{_x(a.title)}</news:title></news:news></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()
