"""Old URLs kept: each front matter alias becomes a redirect page at the old path, a line of a
`_redirects` file (Netlify, Cloudflare Pages) and of an nginx `map` snippet."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from generator.assemble import Site
from generator.errors import Problem
from generator.pages import Route, _describe, output_path

REDIRECTS_FILE = "_redirects"  # Netlify and Cloudflare Pages read it at the output root
NGINX_MAP = "redirects.nginx.map"  # entries for an nginx `map $uri ...` block (README, "Deploying")


@dataclass(frozen=True, slots=True)
class Redirect:
    """An old site path that now leads to a page of this site."""

    path: str  # the old path, '/2019/05/old-slug/'
    target: str  # the page's path now
    title: str  # the page's title, for the visible link
    source: str  # the file whose front matter asked for it


def plan_redirects(site: Site, routes: list[Route], problems: list[Problem],
                   articles=None) -> tuple[Redirect, ...]:
    """Every published page's aliases (those of `articles`, else the site's), sorted by path. An
    alias that collides with a page of the site, or with another file's alias, is an error naming
    both files (the page or the first file by path keeps the URL)."""
    pages = {output_path(r.url).casefold(): r for r in routes}
    claimed: dict[str, Redirect] = {}
    everything = site.articles + site.pages + site.archived if articles is None else articles
    for article in sorted(everything, key=lambda a: a.source):
        for alias in article.aliases:
            key = output_path(alias).casefold()  # case-insensitive file systems would merge these
            route = pages.get(key)
            if route is not None:
                owner = route.key if route.kind in ("article", "page") else f"{_describe(route)} (site.toml)"
                problems.append(Problem(article.source, f"its alias {alias} is the URL of {owner}; no redirect was made",
                                        hint=f"remove the alias from {article.source}, or change the other page's URL"))
                continue
            other = claimed.get(key)
            if other is not None:
                if other.source != article.source:
                    problems.append(Problem(article.source, f"its alias {alias} is also an alias of {other.source}; "
                                                            f"it keeps redirecting there",
                                            hint=f"keep the alias in one of {other.source} and {article.source}"))
                continue
            claimed[key] = Redirect(alias, article.url, article.title, article.source)
    return tuple(sorted(claimed.values(), key=lambda r: r.path))


def redirect_outputs(redirects: tuple[Redirect, ...], base_path: str,
                     abs_url: Callable[[str], str], language: str) -> dict[str, bytes]:
    """Output path -> bytes: one HTML page per redirect, plus the host files when there are any."""
    if not redirects:
        return {}
    base = base_path.rstrip("/")
    out = {output_path(r.path): _page(r, base + r.target, abs_url(r.target), language).encode() for r in redirects}
    lines = ["# Old URLs of this site and where they lead now; written by the generator from the"
             " front matter's aliases."]
    entries: dict[str, str] = {}
    for r in redirects:
        old, new = base + r.path, quote(base + r.target, safe="/~")
        lines.append(f"{quote(old, safe='/~')} {new} 301")
        for key in (old, old.rstrip("/")):  # nginx's $uri is decoded, with or without the last slash as asked
            entries.setdefault(key, new)
    nginx = ["# nginx: map $uri $new_uri { include /path/to/redirects.nginx.map; }",
             "# and in the server block: if ($new_uri) { return 301 $new_uri; }"]
    nginx += [f"{_nginx_quote(old)} {_nginx_quote(new)};" for old, new in sorted(entries.items())]
    out[REDIRECTS_FILE] = ("\n".join(lines) + "\n").encode()
    out[NGINX_MAP] = ("\n".join(nginx) + "\n").encode()
    return out


def _nginx_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _page(r: Redirect, link: str, absolute: str, language: str) -> str:
    """A page that sends readers and crawlers on: refresh at once, canonical, a link to follow, noindex."""
    e = html.escape
    return (f'<!DOCTYPE html>\n<html lang="{e(language)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>Moved: {e(r.title)}</title>\n"
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="robots" content="noindex">\n'
            f'<link rel="canonical" href="{e(absolute)}">\n'
            f'<meta http-equiv="refresh" content="0; url={e(link)}">\n'
            f"</head>\n<body>\n<main>\n<h1>This page has moved</h1>\n"
            f'<p>It is now at <a href="{e(link)}">{e(r.title)}</a>.</p>\n</main>\n</body>\n</html>\n')
