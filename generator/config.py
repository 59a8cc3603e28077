"""site.toml: loaded with tomllib, validated, frozen into typed settings.

Every problem in the file is collected and reported together; an unknown key
is an error with a "did you mean" suggestion.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import functools
import hashlib
import json
import tomllib
import typing
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import ConfigError, preview
from generator.slugs import slugify

CONFIG_FILE = "site.toml"
# Not text in HTML or XML 1.0 (tabs and newlines are): C0/C1 controls, surrogates, noncharacters.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" +
                       "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)) + "]")


@dataclass(frozen=True)
class Permalinks:
    """URL patterns; each must start and end with '/'."""

    article: str = "/{year}/{month}/{slug}/"
    category: str = "/category/{slug}/"
    tag: str = "/tag/{slug}/"
    coin: str = "/coin/{slug}/"
    page: str = "/{slug}/"
    author: str = "/author/{slug}/"  # '' turns author pages off
    # Date archives; '' turns them off. Unset, they are the article pattern's dated prefix
    # ('/{year}/{month}/{slug}/' gives '/{year}/' and '/{year}/{month}/'; see with_archive_patterns).
    year: str = "/{year}/"
    month: str = "/{year}/{month}/"
    label: str = "/{slug}/"  # the lists of sponsored articles (slug 'sponsored') and press releases ('press-releases')


PERMALINK_NAMES = tuple(f.name for f in dataclasses.fields(Permalinks))
# Patterns that may be '' (no such pages), and the fields each must hold (others: {slug}).
OPTIONAL_PERMALINKS = ("author", "year", "month", "label")
PERMALINK_FIELDS = {"year": ("{year}",), "month": ("{year}", "{month}")}


@dataclass(frozen=True)
class Category:
    name: str
    slug: str = ""
    description: str = ""
    menu: str = ""  # menu group this category appears under ("News"), if any


@dataclass(frozen=True)
class MenuItem:
    """A header menu entry: a URL, a category, a static page, or a group of categories."""

    name: str
    url: str = ""
    category: str = ""
    page: str = ""
    group: str = ""


@dataclass(frozen=True)
class Link:
    name: str
    url: str


@dataclass(frozen=True)
class Related:
    count: int = 4
    tag_weight: float = 1.0
    category_weight: float = 0.3
    time_weight: float = 0.4
    time_scale_days: float = 30.0
    max_tag_share: float = 0.5  # tags on more than this share of articles are ignored
    window: int = 60  # candidates considered per shared tag, nearest in time


@dataclass(frozen=True)
class Trending:
    count: int = 5
    pageviews: str = ""  # CSV (path,views) or JSON export, relative to the site folder
    window_days: int = 30
    half_life_days: float = 7.0


@dataclass(frozen=True)
class Ticker:
    coins: tuple[str, ...] = ()
    snapshot: str = ""
    api_url: str = ""  # the price API `generator ticker` asks (server-side)
    refresh: bool = False  # browsers re-read the prices: the site's own data/ticker.json by default
    browser_api: bool = False  # browsers ask api_url themselves (a third party sees every reader): off by default
    timeout: float = 10.0  # seconds `generator ticker` waits for the price API, all told
    stale_minutes: int = 20  # figures older than this show their age in the strip


@dataclass(frozen=True)
class Newsletter:
    action: str = ""
    pitch: str = "The day's crypto news in one e-mail."


@dataclass(frozen=True)
class Feeds:
    count: int = 20
    full_content: bool = False
    per_category: bool = True
    per_tag: bool = False
    per_author: bool = True


@dataclass(frozen=True)
class Search:
    enabled: bool = True
    text_limit: int = 1200  # characters of an article's text indexed (its start and its end); 0: all of it


@dataclass(frozen=True)
class Images:
    widths: tuple[int, ...] = (320, 640, 1200)
    quality: int = 80


@dataclass(frozen=True)
class Language:
    """One edition of the site: a language, its own title and settings, at the root or under /{code}/."""

    code: str  # a language tag: 'en', 'pt-BR', 'zh-Hans'
    name: str = ""  # its name in that language, for the switcher ('Français'); default: from Babel
    title: str = ""  # default: the site's title
    description: str = ""  # default: the site's description
    date_format: str = "long"  # Babel: short, medium, long, full, or a CLDR pattern such as 'd MMMM y'
    words_per_minute: int = 0  # 0: the site's words_per_minute
    root: bool = False  # served at the site root; the others under /{code}/ (default: the first language)
    locale: str = ""  # for Babel and og:locale ('fr_FR'); default: the code


@dataclass(frozen=True)
class SiteConfig:
    """The whole of site.toml, typed and frozen."""

    title: str
    base_url: str
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    output: str = "public"
    logo: str = ""
    default_image: str = ""
    copyright: str = ""
    words_per_minute: int = 220
    per_page: int = 10
    pagination: str = "anchored"  # "anchored": pages numbered from the oldest (a publish rewrites a few); "numbered"
    home_category_blocks: int = 4
    latest_count: int = 5
    sidebar_lists: str = "frame"  # "frame": trending/latest on their own page in an iframe; "inline": in every page
    slug_from: str = "title"  # where a slug comes from when front matter has none: "title" or "filename" (Jekyll, Hugo)
    expired: str = "archive"  # an article past its 'expires:': "archive" (page kept, noindex, a notice) or "remove"
    permalinks: Permalinks = field(default_factory=Permalinks)
    categories: tuple[Category, ...] = ()
    menu: tuple[MenuItem, ...] = ()
    footer_links: tuple[Link, ...] = ()
    social: dict[str, str] = field(default_factory=dict)
    related: Related = field(default_factory=Related)
    trending: Trending = field(default_factory=Trending)
    ticker: Ticker = field(default_factory=Ticker)
    newsletter: Newsletter = field(default_factory=Newsletter)
    feeds: Feeds = field(default_factory=Feeds)
    search: Search = field(default_factory=Search)
    images: Images = field(default_factory=Images)
    languages: tuple[Language, ...] = ()  # several editions; none: one edition in `language`
    extra: dict[str, object] = field(default_factory=dict)
    home: str = "/"  # an edition's home path ('/fr/'): set by edition(), never read from site.toml

    @property
    def base_path(self) -> str:
        """The URL path the site is served under, '/' or '/news/'."""
        return urlsplit(self.base_url).path or "/"

    @property
    def host(self) -> str:
        """The host the site is served from ('news.example'), as base_url names it."""
        return urlsplit(self.base_url).netloc

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def multilingual(self) -> bool:
        return len(self.languages) > 1

    @property
    def default_language(self) -> str:
        """The x-default edition's code, served at the site root: the one with root = true, else the first declared."""
        if not self.languages:
            return self.language
        return next((lang.code for lang in self.languages if lang.root), self.languages[0].code)

    def language_codes(self) -> tuple[str, ...]:
        """The codes of the declared languages (none when the site has one edition)."""
        return tuple(lang.code for lang in self.languages) if self.multilingual else ()

    def edition(self, code: str) -> "SiteConfig":
        """The settings of one language's edition: its title, description, language, words per
        minute and permalinks under its home ('/fr/'). A single-language site is its own edition."""
        return _edition(self, code)

    def category_by_name(self, name: str) -> Category | None:
        for cat in self.categories:
            if cat.name.casefold() == name.casefold():
                return cat
        return None

    @functools.cached_property
    def _fingerprint(self) -> str:
        data = json.dumps(dataclasses.asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()[:16]

    def fingerprint(self) -> str:
        """A hash of every setting: any change invalidates what depends on config (computed once)."""
        return self._fingerprint


def _edition(config: SiteConfig, code: str) -> SiteConfig:
    if not config.multilingual:
        return config
    config = config.__dict__.get("_base", config)  # an edition's edition is the base config's
    made = config.__dict__.setdefault("_editions", {})  # made once per config and language
    found = made.get(code)
    if found is not None:
        return found
    lang = next(lang for lang in config.languages if lang.code == code)
    home = "/" if lang.code == config.default_language else f"/{code.lower()}/"
    prefix = home.rstrip("/")
    links = Permalinks(**{f.name: prefix + getattr(config.permalinks, f.name) if getattr(config.permalinks, f.name) else ""
                          for f in dataclasses.fields(Permalinks)})
    found = dataclasses.replace(config, title=lang.title or config.title,
                                description=lang.description or config.description, language=lang.code,
                                words_per_minute=lang.words_per_minute or config.words_per_minute,
                                permalinks=links, home=home)
    found.__dict__["_base"] = config
    made[code] = found
    return found


def load_config(site_dir: Path, overrides: dict[str, object] | None = None) -> SiteConfig:
    """Read and validate site.toml in site_dir; raise ConfigError listing every problem."""
    path = site_dir / CONFIG_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: error: no {CONFIG_FILE} here; pass --source DIR pointing at the site folder") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: error: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: error: cannot read: {exc}") from None
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits, tables nested thousands deep
        raise ConfigError(f"{path}: error: cannot read: {preview(str(exc), 120)}") from None
    raw.update(overrides or {})
    problems: list[str] = []
    config = _build(SiteConfig, raw, "", problems)
    if config is not None:
        problems.extend(_check(config))
    if problems:
        raise ConfigError("\n".join(f"{path}: error: {p}" for p in problems))
    return with_archive_patterns(with_categories_slugged(config), raw.get("permalinks"))


def _build(cls: type, data: object, where: str, problems: list[str]):
    """Turn a TOML table into the dataclass cls, recording every mismatch."""
    if not isinstance(data, dict):
        problems.append(f"{where or 'top level'}: expected a table, got {type(data).__name__}")
        return None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    allowed = [n for n in fields if n not in ("extra", "home")]
    values: dict[str, object] = {}
    for key, value in data.items():
        name = f"{where}.{key}" if where else key
        if key not in fields or key in ("extra", "home"):
            if key == "extra" and "extra" in fields and isinstance(value, dict):
                values["extra"] = value
                continue
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(allowed)}"
            problems.append(f"unknown key '{name}'{hint}")
            continue
        converted = _convert(hints[key], value, name, problems)
        if converted is not _BAD:
            values[key] = converted
    missing = [n for n, f in fields.items() if n not in values and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    for name in missing:
        problems.append(f"missing required key '{where + '.' if where else ''}{name}'")
    return None if missing else cls(**values)


_BAD = object()


def _convert(hint, value, name: str, problems: list[str]):
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, name, problems) or _BAD
    if origin is tuple:
        (item,) = typing.get_args(hint)[:1]
        if not isinstance(value, list):
            problems.append(f"'{name}' must be a list")
            return _BAD
        out = [_convert(item, v, f"{name}[{i}]", problems) for i, v in enumerate(value)]
        return _BAD if any(v is _BAD for v in out) else tuple(out)
    if origin is dict:
        if not isinstance(value, dict):
            problems.append(f"'{name}' must be a table")
            return _BAD
        return dict(value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is str and isinstance(value, str) and _NOT_TEXT.search(value):
        problems.append(f"'{name}' holds control characters or non-characters (U+{ord(_NOT_TEXT.search(value).group()):04X}) "
                        f"that HTML and XML cannot carry: {preview(value)}")
        return _BAD
    if isinstance(hint, type) and isinstance(value, hint) and not (hint is int and isinstance(value, bool)):
        return value
    expected = getattr(hint, "__name__", str(hint))
    problems.append(f"'{name}' must be of type {expected}, got {type(value).__name__} {preview(value)}")
    return _BAD


def _check(config: SiteConfig) -> list[str]:
    """Rules that span fields."""
    problems = []
    url = urlsplit(config.base_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        problems.append(f"base_url must be an absolute http(s) URL like 'https://example.org/', got {config.base_url!r}")
    elif not config.base_url.endswith("/"):
        problems.append(f"base_url must end with '/': use {config.base_url + '/'!r}")
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(f"timezone {config.timezone!r} is not an IANA time zone name like 'Europe/Berlin' or 'UTC'")
    for name in PERMALINK_NAMES:
        pattern = getattr(config.permalinks, name)
        if pattern == "" and name in OPTIONAL_PERMALINKS:
            continue
        literal = re.sub(r"\{(year|month|day|slug|category)\}", "x", pattern)
        segments = literal.strip("/").split("/")
        if (not (pattern.startswith("/") and pattern.endswith("/")) or not re.fullmatch(r"[A-Za-z0-9_/.~-]*", literal)
                or any(seg in ("", ".", "..") for seg in segments)):
            problems.append(f"permalinks.{name} must be like '/news/{{year}}/{{slug}}/': start and end with '/', "
                            f"use letters, digits, '-', '_' and the fields {{year}} {{month}} {{day}} {{slug}} "
                            f"{{category}}, no empty, '.' or '..' parts; got {pattern!r}")
        first = pattern.strip("/").split("/")[0].casefold()
        if "{" not in first and (first in RESERVED_FOLDERS or first in RESERVED_FILES or
                                 first.startswith("sitemap-") and first.endswith(".xml")):
            owner = RESERVED_FOLDERS.get(first) or RESERVED_FILES.get(first) or "a sitemap part"
            problems.append(f"permalinks.{name} puts pages under /{first}/, which is reserved for {owner}: got {pattern!r}")
        needed = PERMALINK_FIELDS.get(name, ("{slug}",))
        if any(f not in pattern for f in needed):
            problems.append(f"permalinks.{name} must contain {' and '.join(needed)}: got {pattern!r}")
        if name in PERMALINK_FIELDS and re.search(r"\{(day|slug|category)\}", pattern):
            problems.append(f"permalinks.{name} may only use {' and '.join(needed)}: got {pattern!r}")
    if config.sidebar_lists not in ("frame", "inline"):
        problems.append(f"sidebar_lists must be \"frame\" or \"inline\", got {config.sidebar_lists!r}")
    if config.pagination not in ("anchored", "numbered"):
        problems.append(f"pagination must be \"anchored\" or \"numbered\", got {config.pagination!r}")
    if config.slug_from not in ("title", "filename"):
        problems.append(f"slug_from must be \"title\" or \"filename\", got {config.slug_from!r}")
    if config.expired not in ("archive", "remove"):
        problems.append(f"expired must be \"archive\" or \"remove\", got {config.expired!r}")
    problems.extend(_check_ranges(config))
    problems.extend(_check_languages(config))
    seen: dict[str, str] = {}
    for i, cat in enumerate(config.categories):
        slug = cat.slug or slugify(cat.name)
        if not cat.name.strip() or len(cat.name) > MAX_NAME or not cat.name.isprintable():
            problems.append(f"categories[{i}].name must be 1 to {MAX_NAME} printable characters, got {preview(cat.name)}")
        if not slug:
            problems.append(f"category {preview(cat.name)} has no usable slug; set slug = \"...\"")
        elif cat.slug and not _SLUG.fullmatch(cat.slug):
            problems.append(f"categories[{i}].slug must be 1 to {MAX_SLUG} letters, digits, '-' or '_' "
                            f"(no '/', '.', spaces), got {preview(cat.slug)}")
        if slug in seen:
            problems.append(f"categories {seen[slug]!r} and {cat.name!r} share the slug {slug!r}")
        seen[slug] = cat.name
    groups = {c.menu for c in config.categories if c.menu}
    for item in config.menu:
        kinds = [k for k in ("url", "category", "page", "group") if getattr(item, k)]
        if len(kinds) != 1:
            problems.append(f"menu item {item.name!r} needs exactly one of url, category, page, group")
        if item.category and config.category_by_name(item.category) is None:
            problems.append(f"menu item {item.name!r} names unknown category {item.category!r}")
        if item.group and item.group not in groups:
            problems.append(f"menu item {item.name!r} names group {item.group!r}, which no category has as menu")
    out = config.output.strip()
    if out in ("", ".", "/") or out.startswith("~") or not config.output.isprintable() or \
            any(len(part.encode()) > 255 for part in out.split("/")):
        problems.append(f"output must be a folder name such as 'public' (a path relative to the site folder, "
                        f"no '~', no control characters), got {preview(config.output)}")
    return problems


# Output paths the build makes itself (besides pages): no page or term may claim them, or a folder
# of the same name, or a place inside them (pages._without_reserved). Sitemap parts are sitemap-N.xml.
RESERVED_FOLDERS = {"pagefind": "the search index (pagefind/)", "assets": "the site's assets (assets/)",
                    "widgets": "the sidebar widgets (widgets/)"}
RESERVED_FILES = {"feed.xml": "the Atom feed", "feed.json": "the JSON feed", "sitemap.xml": "the sitemap",
                  "sitemap-news.xml": "the news sitemap", "robots.txt": "robots.txt",
                  ".generator-output": "the output folder's marker", "404.html": "the 404 page",
                  "data/ticker.json": "the ticker's price file"}

MAX_NAME = 200  # characters in a category, menu or link name
MAX_SLUG = 100
_SLUG = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{MAX_SLUG - 1}}}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
_SYMBOL = re.compile(r"[A-Za-z0-9._-]{1,20}")
_URL_SAFE = re.compile(r"[^\s<>\"'`\\{}|^\x00-\x1f\x7f-\x9f]*")  # nothing that breaks out of an href
_DATA_PATH = re.compile(r"[^\x00-\x1f\x7f-\x9f]*")

# Every number in site.toml and the values it may take: (low, high), both included.
RANGES: dict[str, tuple[float, float]] = {
    "words_per_minute": (1, 10_000), "per_page": (1, 1000), "home_category_blocks": (0, 100),
    "latest_count": (1, 100),
    "related.count": (0, 100), "related.tag_weight": (0, 1000), "related.category_weight": (0, 1000),
    "related.time_weight": (0, 1000), "related.time_scale_days": (0.001, 36_500), "related.max_tag_share": (0.001, 1),
    "related.window": (1, 10_000),
    "trending.count": (0, 100), "trending.window_days": (1, 3650), "trending.half_life_days": (0.001, 3650),
    "feeds.count": (1, 1000),
    "images.quality": (1, 100),
    "search.text_limit": (0, 100_000_000),
    "ticker.timeout": (1, 120), "ticker.stale_minutes": (1, 10_080),
}
IMAGE_WIDTHS = (16, 8192)
MAX_IMAGE_WIDTHS = 12


def _check_ranges(config: SiteConfig) -> list[str]:
    """Every value within the range the build can honour (a number out of range would crash or
    run for ever later; a string that would break out of an attribute or a path is refused here)."""
    problems = []
    for key, (low, high) in RANGES.items():
        value = config
        for part in key.split("."):
            value = getattr(value, part)
        if not (low <= value <= high):  # NaN fails too
            problems.append(f"{key} must be between {low:g} and {high:g}, got {preview(value)}")
    widths = config.images.widths
    low, high = IMAGE_WIDTHS
    if len(widths) > MAX_IMAGE_WIDTHS or any(not (low <= w <= high) for w in widths) or len(set(widths)) != len(widths):
        problems.append(f"images.widths must be at most {MAX_IMAGE_WIDTHS} different widths, each between {low} and "
                        f"{high} pixels, got {preview(list(widths))}")
    if not config.title.strip() or not config.title.isprintable():
        problems.append(f"title must be a non-empty line of text, got {preview(config.title)}")
    if not _LANGUAGE.fullmatch(config.language):
        problems.append(f"language must be a language tag like 'en' or 'pt-BR', got {preview(config.language)}")
    if len(config.base_url) > 2000 or not _URL_SAFE.fullmatch(config.base_url):
        problems.append(f"base_url must be a URL without spaces, quotes or control characters, got {preview(config.base_url)}")
    urls = [("logo", config.logo), ("default_image", config.default_image), ("ticker.api_url", config.ticker.api_url),
            ("newsletter.action", config.newsletter.action)]
    urls += [(f"menu[{i}].url", m.url) for i, m in enumerate(config.menu)]
    urls += [(f"footer_links[{i}].url", link.url) for i, link in enumerate(config.footer_links)]
    urls += [(f"social.{k}", v) for k, v in config.social.items()]
    for key, value in urls:
        if not isinstance(value, str):
            problems.append(f"{key} must be a string, got {preview(value)}")
        elif len(value) > 2000 or not _URL_SAFE.fullmatch(value):
            problems.append(f"{key} must be a URL or site path without spaces, quotes or control characters "
                            f"(write a space as %20), got {preview(value)}")
    for key in ("ticker.api_url", "newsletter.action"):
        value = getattr(getattr(config, key.split(".")[0]), key.split(".")[1])
        if value and urlsplit(value).scheme not in ("http", "https"):
            problems.append(f"{key} must be an http(s) URL, got {preview(value)}")
    if config.ticker.browser_api and not config.ticker.api_url:
        problems.append("ticker.browser_api = true needs ticker.api_url: the price API readers' browsers would ask")
    for key, value in (("trending.pageviews", config.trending.pageviews), ("ticker.snapshot", config.ticker.snapshot)):
        if len(value) > 1000 or not _DATA_PATH.fullmatch(value):
            problems.append(f"{key} must be a file path relative to the site folder, got {preview(value)}")
    for i, symbol in enumerate(config.ticker.coins):
        if not _SYMBOL.fullmatch(symbol):
            problems.append(f"ticker.coins[{i}] must be a coin symbol like 'BTC' (1 to 20 letters or digits), "
                            f"got {preview(symbol)}")
    for what, items in (("menu", config.menu), ("footer_links", config.footer_links)):
        for i, item in enumerate(items):
            if not item.name.strip() or len(item.name) > MAX_NAME or not item.name.isprintable():
                problems.append(f"{what}[{i}].name must be 1 to {MAX_NAME} printable characters, got {preview(item.name)}")
    for i, item in enumerate(config.menu):
        if item.page and not _SLUG.fullmatch(item.page):
            problems.append(f"menu[{i}].page must be a page's slug (letters, digits, '-', '_'), got {preview(item.page)}")
    for name in PERMALINK_NAMES:
        if len(getattr(config.permalinks, name)) > 200:
            problems.append(f"permalinks.{name} must be at most 200 characters")
    return problems


def _check_languages(config: SiteConfig) -> list[str]:
    """[[languages]]: distinct valid codes, at most one at the root, folders that no permalink or
    reserved path already uses, date formats and locales Babel knows."""
    problems = []
    seen: set[str] = set()
    for i, lang in enumerate(config.languages):
        where = f"languages[{i}]"
        if not _LANGUAGE.fullmatch(lang.code):
            problems.append(f"{where}.code must be a language tag like 'en', 'fr' or 'pt-BR', got {preview(lang.code)}")
            continue
        if lang.code.casefold() in seen:
            problems.append(f"{where}.code {lang.code!r} is declared twice; each language once")
        seen.add(lang.code.casefold())
        folder = lang.code.casefold()
        if folder in RESERVED_FOLDERS or folder in RESERVED_FILES:
            problems.append(f"{where}.code {lang.code!r} would put its edition under /{folder}/, which is reserved "
                            f"for {RESERVED_FOLDERS.get(folder) or RESERVED_FILES.get(folder)}")
        for key in ("name", "title", "description"):
            value = getattr(lang, key)
            if value and (not value.strip() or not value.isprintable() or len(value) > 2000):
                problems.append(f"{where}.{key} must be a line of printable text, got {preview(value)}")
        if lang.words_per_minute and not (1 <= lang.words_per_minute <= 10_000):
            problems.append(f"{where}.words_per_minute must be between 1 and 10000 (0: the site's), "
                            f"got {lang.words_per_minute}")
        from generator.i18n import check_language  # Babel is loaded only for sites that declare languages
        problems.extend(f"{where}.{message}" for message in check_language(lang))
    roots = [lang.code for lang in config.languages if lang.root]
    if len(roots) > 1:
        problems.append(f"languages: only one language can have root = true, got {', '.join(map(repr, roots))}")
    default = config.default_language if config.languages else ""
    firsts = {getattr(config.permalinks, n).strip("/").split("/")[0].casefold() for n in
              ("article", "category", "tag", "coin", "page")}
    for lang in config.languages:
        if lang.code != default and lang.code.casefold() in firsts and len(config.languages) > 1:
            problems.append(f"languages: the folder /{lang.code.casefold()}/ of {lang.code!r} is also the first part "
                            f"of a permalink pattern; change the pattern")
    return problems


def with_categories_slugged(config: SiteConfig) -> SiteConfig:
    """Fill in category slugs left empty in site.toml."""
    cats = tuple(c if c.slug else dataclasses.replace(c, slug=slugify(c.name)) for c in config.categories)
    return dataclasses.replace(config, categories=cats)


def with_archive_patterns(config: SiteConfig, written: object) -> SiteConfig:
    """Date archive patterns site.toml leaves unset follow the article pattern's dated prefix
    ('/news/{year}/{month}/{slug}/' gives '/news/{year}/' and '/news/{year}/{month}/'), so the
    parent folders of dated article URLs are real pages; an undated pattern keeps the defaults."""
    written = written if isinstance(written, dict) else {}
    article = config.permalinks.article
    changes = {}
    for name, field_ in (("year", "{year}"), ("month", "{month}")):
        if name in written or field_ not in article:
            continue
        prefix = article[:article.index(field_) + len(field_)] + "/"
        if "{slug}" not in prefix and "{category}" not in prefix and "{day}" not in prefix \
                and ("{year}" in prefix if name == "month" else "{month}" not in prefix):
            changes[name] = prefix
    return dataclasses.replace(config, permalinks=dataclasses.replace(config.permalinks, **changes)) if changes else config
