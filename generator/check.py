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

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
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
