"""The authors data file (content/_data/authors.toml): who writes for the site, read and checked.

The format is the one `generator import wordpress` writes: a list of [[authors]] tables with
`name`, `slug` and `login`, to which a site adds `role`, `bio`, `avatar` and social links. A bad
entry is an error naming the file and its line; the build goes on without it.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path

from generator.config import _SLUG as _SLUG_OK, SiteConfig
from generator.content import _image_src_ok, clean_text, expand_permalink
from generator.datafiles import read_text
from generator.errors import Problem, preview
from generator.model import Author, Term
from generator.slugs import slugify

AUTHORS_FILE = "content/_data/authors.toml"
# Social profile keys, in the order a page shows them; each value is an http(s) URL.
LINK_KEYS = ("website", "x", "twitter", "mastodon", "bluesky", "linkedin", "github", "facebook", "instagram",
             "youtube", "telegram", "nostr")
LINK_LABELS = {"website": "Website", "x": "X", "twitter": "X (Twitter)", "mastodon": "Mastodon", "bluesky": "Bluesky",
               "linkedin": "LinkedIn", "github": "GitHub", "facebook": "Facebook", "instagram": "Instagram",
               "youtube": "YouTube", "telegram": "Telegram", "nostr": "Nostr"}
TEXT_KEYS = ("name", "slug", "login", "role", "bio", "avatar")
KNOWN = TEXT_KEYS + LINK_KEYS
MAX_BIO = 2000
_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*[\"']?authors[\"']?[ \t]*\]\]", re.M)
_URL = re.compile(r"https?://[^\s<>\"'`\\{}|^]+")


def load_authors(site_dir: Path, config: SiteConfig, problems: list[Problem]) -> tuple[Author, ...] | None:
    """The declared authors, in the file's order; () without the file, None when it cannot be read
    (then articles' authors are not reported as undeclared: the file is what needs fixing)."""
    path = site_dir / AUTHORS_FILE
    if not path.exists():
        return ()
    try:
        text = read_text(path)
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(AUTHORS_FILE, f"cannot read the authors file: {exc}", None,
                                "save it as UTF-8 text"))
        return None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"\(at line (\d+)", str(exc))
        problems.append(Problem(AUTHORS_FILE, f"not valid TOML: {exc}", int(line.group(1)) if line else None,
                                'write each author as [[authors]] followed by lines like name = "Jane Doe"'))
        return None
    except (ValueError, RecursionError) as exc:
        problems.append(Problem(AUTHORS_FILE, f"not usable TOML: {preview(str(exc), 120)}"))
        return None
    starts = [text.count("\n", 0, m.start()) + 1 for m in _HEADER.finditer(text)]
    lines = text.split("\n")
    extra = sorted(set(data) - {"authors"})
    if extra:
        found = re.search(rf"^[ \t]*(\[+[ \t]*)?[\"']?{re.escape(extra[0])}[\"']?[ \t]*[\]=.]", text, re.M)
        problems.append(Problem(AUTHORS_FILE, f"unknown top-level key {extra[0]!r}; the file holds [[authors]] tables only",
                                text.count("\n", 0, found.start()) + 1 if found else None,
                                "move it into an [[authors]] entry or remove it"))
    entries = data.get("authors", [])
    if not isinstance(entries, list):
        problems.append(Problem(AUTHORS_FILE, "'authors' must be a list of [[authors]] tables", None,
                                'write [[authors]] then name = "..." for each author'))
        return None
    out: list[Author] = []
    seen: dict[str, str] = {}
    for i, entry in enumerate(entries):
        start = starts[i] if i < len(starts) else None
        author = _entry(entry, i, start, lines, config, problems)
        if author is None:
            continue
        for key in {author.slug, author.name.casefold(), author.login.casefold()} - {""}:
            if key in seen and seen[key] != author.name:
                problems.append(Problem(AUTHORS_FILE, f"authors {seen[key]!r} and {author.name!r} share the name, "
                                                      f"login or slug {key!r}; the second is left out", start,
                                        "give each author a different slug"))
                break
        else:
            for key in {author.slug, author.name.casefold(), author.login.casefold()} - {""}:
                seen[key] = author.name
            out.append(author)
    return tuple(out)


def _line_of(lines: list[str], start: int | None, key: str) -> int | None:
    """The line where key is set in the entry beginning at line `start` (1-based), else the entry's line."""
    begin = (start or 1)
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=")
    for n in range(begin, len(lines) + 1):
        text = lines[n - 1]
        if n > begin and _HEADER.match(text) or (n > begin and text.lstrip().startswith("[")):
            break
        if pattern.match(text):
            return n
    return start


def _entry(entry, i: int, start: int | None, lines: list[str], config: SiteConfig,
           problems: list[Problem]) -> Author | None:
    """One [[authors]] table as an Author; None (with an error) when it cannot be used."""
    def error(key: str | None, message: str, hint: str) -> None:
        problems.append(Problem(AUTHORS_FILE, message, _line_of(lines, start, key) if key else start, hint))

    if not isinstance(entry, dict):
        error(None, f"authors[{i}] is not a table", 'write [[authors]] then name = "..."')
        return None
    for key in entry:
        if key not in KNOWN:
            close = difflib.get_close_matches(key, KNOWN, n=1)
            error(key, f"unknown key {key!r} in an author entry; it was ignored",
                  f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(KNOWN)}")
    values: dict[str, str] = {}
    for key in KNOWN:
        value = entry.get(key)
        if value is None:
            continue
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            error(key, f"{key} must be text, got {preview(value)}", f'write {key} = "..."')
            return None
        values[key] = str(value) if key == "bio" else clean_text(value)
    name = clean_text(values.get("name", ""))
    if not name or len(name) > 200:
        error("name" if "name" in entry else None, f"author entry {i + 1} has no usable name (1 to 200 characters)",
              'add name = "Jane Doe"')
        return None
    slug = values.get("slug", "")
    if slug and not _SLUG_OK.fullmatch(slug):
        error("slug", f"slug {preview(slug)} of author {name!r} must be letters, digits, '-' or '_'",
              'write slug = "jane-doe"')
        return None
    slug = slug or slugify(name) or slugify(values.get("login", ""))
    if not slug:
        error("name", f"author {name!r} has no letters or digits to make a URL from", 'add slug = "..."')
        return None
    avatar = values.get("avatar", "")
    if avatar and not _image_src_ok(avatar):
        error("avatar", f"avatar {preview(avatar)} of author {name!r} must be a site path like /assets/img/jane.jpg "
                        "or an http(s) URL; left out", "fix the avatar path")
        avatar = ""
    bio = " ".join(clean_text(part) for part in values.get("bio", "").split("\n\n")).strip()
    if len(bio) > MAX_BIO:
        error("bio", f"the bio of {name!r} is {len(bio):,} characters; it was cut to {MAX_BIO}", "keep bios short")
        bio = bio[:MAX_BIO]
    links = []
    for key in LINK_KEYS:
        url = values.get(key, "")
        if not url:
            continue
        if not _URL.fullmatch(url) or len(url) > 2000:
            error(key, f"{key} {preview(url)} of author {name!r} must be a full http(s) URL; left out",
                  f'write {key} = "https://..."')
            continue
        links.append((LINK_LABELS[key], url))
    url = expand_permalink(config.permalinks.author, slug=slug) if config.permalinks.author else ""
    return Author(name=name, slug=slug, url=url, role=values.get("role", ""), bio=bio, avatar=avatar,
                  links=tuple(links), login=values.get("login", ""))


def author_term(author: Author) -> Term:
    return Term("author", author.name, author.slug, author.url, author.bio)


def undeclared(term: Term) -> Author:
    """The page of an author no data file entry names: just a name."""
    return Author(name=term.name, slug=term.slug, url=term.url)
