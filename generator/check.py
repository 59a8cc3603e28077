"""Link checking of a built output folder: every internal href/src and #anchor must resolve."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.alternates: dict[str, str] = {}  # hreflang -> URL

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "alternate" and a.get("hreflang") and a.get("href"):
            self.alternates[a["hreflang"]] = a["href"]
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key) and not (tag == "link" and a.get("rel") in ("preconnect", "dns-prefetch")):
                self.links.append(a[key])
        if a.get("srcset"):
            self.links += [part.strip().split(" ")[0] for part in a["srcset"].split(",") if part.strip()]


def page_links(path: Path) -> tuple[list[str], set[str]]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser.links, parser.ids


def resolve(out: Path, page_rel: str, link: str, base_path: str) -> tuple[Path | None, str]:
    """The file an internal link points to (None for external links) and its #fragment."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None, ""
    path = unquote(parts.path)
    if not path:
        return out / page_rel, parts.fragment
    if path.startswith("/"):
        if not path.startswith(base_path):
            return out / "\0outside-base", ""
        path = path[len(base_path):]
        target = out / path
    else:
        target = (out / page_rel).parent / path
    if path.endswith("/") or path == "":
        target = target / "index.html"
    return target, parts.fragment


def check_output(out: Path, base_path: str = "/") -> tuple[list[tuple[str, str]], int]:
    """[(page, broken link)] over every HTML page of out, and how many pages were read."""
    pages = sorted(p for p in out.rglob("*.html") if "pagefind" not in p.relative_to(out).parts)
    ids_cache: dict[Path, set[str]] = {}
    broken = []
    root = out.resolve()
    for page in pages:
        rel = page.relative_to(out).as_posix()
        links, ids = page_links(page)
        ids_cache[page.resolve()] = ids
        for link in links:
            target, fragment = resolve(out, rel, link, base_path)
            if target is None:
                continue
            real = target.resolve()
            if not real.is_relative_to(root) or not real.is_file():
                if real.is_dir() and (real / "index.html").is_file():
                    real = real / "index.html"
                else:
                    broken.append((rel, link))
                    continue
            if fragment and real.suffix == ".html":
                if real not in ids_cache:
                    ids_cache[real] = page_links(real)[1]
                if unquote(fragment) not in ids_cache[real]:
                    broken.append((rel, link))
    return broken, len(pages)


def _alternates(path: Path) -> dict[str, str]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser.alternates


def check_hreflang(out: Path, base_url: str) -> list[tuple[str, str]]:
    """[(page, what is wrong)]: every hreflang link to this site must lead to a page that links
    back to this one under this page's language, with the same set of languages (reciprocal)."""
    found: dict[str, dict[str, str]] = {}
    for page in sorted(out.rglob("*.html")):
        rel = page.relative_to(out).as_posix()
        if "pagefind" in page.relative_to(out).parts:
            continue
        links = _alternates(page)
        if links:
            found[rel] = links
    problems = []
    for rel, links in found.items():
        own = base_url + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)
        mine = [lang for lang, url in links.items() if url == own and lang != "x-default"]
        if not mine:
            problems.append((rel, "its hreflang links do not name the page itself"))
            continue
        for lang, url in links.items():
            if lang == "x-default" or url == own or not url.startswith(base_url):
                continue
            path = url[len(base_url):]
            target = path + "index.html" if path.endswith("/") or not path else path
            back = found.get(target)
            if back is None:
                problems.append((rel, f"hreflang {lang} leads to {url}, which has no hreflang links back"))
            elif back.get(mine[0]) != own:
                problems.append((rel, f"hreflang {lang} leads to {url}, which does not link back to this page "
                                      f"as {mine[0]} (not reciprocal)"))
    return problems
