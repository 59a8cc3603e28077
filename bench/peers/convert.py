"""Turn a benchmark corpus (bench/corpus.py) into a Hugo site and a Pelican site, and count pages.

    python bench/peers/convert.py --corpus bench/work/site-10000 --hugo bench/work/hugo-10000 \
        --pelican bench/work/pelican-10000

Hugo: content/posts/<slug>.md with the same YAML front matter (category -> categories: [X], and an
explicit slug so URLs match ours), hugo.toml and layouts/ from bench/peers/hugo/.
Pelican: content/posts/<slug>.md with Pelican's own Markdown metadata ("Title: ...", "Date: ...",
"Category: ...", "Tags: a, b", ...; Pelican reads YAML front matter only through a plugin),
pelicanconf.py and theme/ from bench/peers/pelican/.

Both twins use the same URL scheme as the example site.toml (/YYYY/MM/slug/, /category/slug/,
/tag/slug/, /page/N/), so one counter (count_pages) classifies any of the three outputs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def split_front_matter(text: str) -> tuple[list[str], str]:
    """(front matter lines, body) of a corpus file (it always starts with '---')."""
    head, _, body = text[4:].partition("\n---\n")
    return head.split("\n"), body.lstrip("\n")


def _unquote(value: str) -> str:
    value = value.strip()
    if value.startswith('"') and value.endswith('"'):
        return json.loads(value)
    return value


def _flow_list(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    return [v.strip() for v in value.split(",") if v.strip()]


def hugo_post(text: str, slug: str) -> str:
    lines, body = split_front_matter(text)
    out = ["---"]
    for line in lines:
        key, _, value = line.partition(":")
        if key == "category":
            out.append(f"categories: [{value.strip()}]")
        else:
            out.append(line)
    out += [f"slug: {slug}", "---", ""]
    return "\n".join(out) + "\n" + body


def pelican_post(text: str, slug: str) -> str:
    lines, body = split_front_matter(text)
    meta = {}
    for line in lines:
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    out = [f"Title: {_unquote(meta['title'])}", f"Date: {meta['date']}", f"Category: {meta['category']}",
           "Tags: " + ", ".join(_flow_list(meta.get("tags", ""))), f"Slug: {slug}",
           f"Summary: {_unquote(meta.get('summary', ''))}"]
    if meta.get("author"):
        out.append(f"Author: {meta['author']}")
    if meta.get("reading_time"):
        out.append(f"Reading_time: {meta['reading_time']}")
    if meta.get("image"):
        out.append(f"Image: {meta['image']}")
    return "\n".join(out) + "\n\n" + body


def _articles(corpus: Path) -> list[Path]:
    return sorted((corpus / "content" / "articles").glob("*/*.md"))


def _fresh_site(dst: Path, template: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(template, dst, ignore=shutil.ignore_patterns("__pycache__"))
    (dst / "content" / "posts").mkdir(parents=True)


def to_hugo(corpus: Path, dst: Path) -> int:
    return _convert(corpus, dst, HERE / "hugo", hugo_post)


def to_pelican(corpus: Path, dst: Path) -> int:
    return _convert(corpus, dst, HERE / "pelican", pelican_post)


def _convert(corpus: Path, dst: Path, template: Path, post) -> int:
    """A fresh twin site from `template`, with every corpus article written by `post(text, stem)`."""
    _fresh_site(dst, template)
    posts = dst / "content" / "posts"
    files = _articles(corpus)
    for src in files:
        (posts / src.name).write_text(post(src.read_text(encoding="utf-8"), src.stem), encoding="utf-8")
    return len(files)


def add_post(kind: str, site: Path, text: str, slug: str) -> Path:
    """Add one corpus-format article to a Hugo or Pelican twin (the 'publish' step)."""
    path = site / "content" / "posts" / f"{slug}.md"
    path.write_text(hugo_post(text, slug) if kind == "hugo" else pelican_post(text, slug), encoding="utf-8")
    return path


# --- page counts ------------------------------------------------------------------------------

_KINDS = [("article", re.compile(r"\d{4}/\d{2}/[^/]+/index\.html")),
          ("home", re.compile(r"(page/\d+/)?index\.html")),
          ("category", re.compile(r"category/[^/]+/(page/\d+/)?index\.html")),
          ("tag", re.compile(r"tag/[^/]+/(page/\d+/)?index\.html"))]


def count_pages(out: Path) -> dict[str, int]:
    """HTML pages of an output folder by kind (article, home, category, tag, other) and XML feeds/sitemaps."""
    counts = {"article": 0, "home": 0, "category": 0, "tag": 0, "other_html": 0, "xml": 0, "files": 0}
    for dirpath, _dirs, names in os.walk(out):
        rel_dir = os.path.relpath(dirpath, out)
        for name in names:
            counts["files"] += 1
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if name.endswith(".xml"):
                counts["xml"] += 1
            elif name.endswith(".html"):
                for kind, pattern in _KINDS:
                    if pattern.fullmatch(rel):
                        counts[kind] += 1
                        break
                else:
                    counts["other_html"] += 1
    return counts


def expected_pages(meta: dict, added: int = 0, added_category: str = "Markets",
                   added_tags: tuple[str, ...] = ()) -> dict[str, int]:
    """The article, home, category and tag pages the corpus (plus `added` new articles) must produce."""
    per = 10
    n = meta["n"] + added
    cats = dict(meta["categories"])
    tags = dict(meta["tags"])
    if added:
        cats[added_category] = cats.get(added_category, 0) + added
        for t in added_tags:
            tags[t] = tags.get(t, 0) + added
    return {"article": n, "home": max(1, math.ceil(n / per)),
            "category": sum(math.ceil(c / per) for c in cats.values()),
            "tag": sum(math.ceil(c / per) for c in tags.values())}


def check_counts(found: dict[str, int], expected: dict[str, int]) -> list[str]:
    """Differences as readable strings; empty when every expected kind has exactly the expected count."""
    return [f"{kind}: {found.get(kind, 0):,} pages, expected {want:,}"
            for kind, want in expected.items() if found.get(kind, 0) != want]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Convert a benchmark corpus into Hugo and Pelican sites.")
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--hugo", type=Path)
    p.add_argument("--pelican", type=Path)
    p.add_argument("--count", type=Path, metavar="OUT", help="print the page counts of a built output folder")
    args = p.parse_args(argv)
    if args.hugo:
        print(f"hugo: {to_hugo(args.corpus, args.hugo):,} posts in {args.hugo}", file=sys.stderr)
    if args.pelican:
        print(f"pelican: {to_pelican(args.corpus, args.pelican):,} posts in {args.pelican}", file=sys.stderr)
    if args.count:
        meta = json.loads((args.corpus / "corpus.json").read_text())
        found = count_pages(args.count)
        print(json.dumps({"found": found, "expected": expected_pages(meta),
                          "problems": check_counts(found, expected_pages(meta))}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
