"""The build, as a recipe: config → content → site model → related/trending → render → write."""

from __future__ import annotations

import dataclasses
import functools
import gc
import gettext
import hashlib
import multiprocessing
import os
import pickle
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from markupsafe import Markup, escape

from generator import snapshot
from generator.assemble import Editions, Site, assemble_editions
from generator.assets import AssetMap, collect_assets
from generator.authors import load_authors
from generator.cache import CACHE_DIR, Cache
from generator.config import SiteConfig, load_config
from generator.content import SourceFile, body_key, body_words_key, discover, expand_permalink, parse_files, read_source
from generator.errors import ConfigError, Problem, ProblemError, Report
from generator.extras import extra_outputs
from generator.i18n import body_strings, direction, install_language, language_name, load_strings, og_locale
from generator.images import ImageInfo, ImageSet, prepare_images
from generator.options import BuildOptions, build_clock
from generator.markup import Converter, fast_path_warning
from generator.model import Article, Body, Parsed
from generator.output import check_output_folder, clear_leftovers, real_output, set_aside_foreign
from generator.pages import Lookups, Route, absolute, plan_routes
from generator.progress import Progress
from generator.redirects import Redirect, plan_redirects
from generator.related import RelatedLists, inputs_of
from generator.render import LAYOUTS_DIR, Renderer, layouts_fingerprint
from generator.taxonomy import category_terms
from generator.testhooks import hook, parallel_min
from generator.ticker import TickerData, load_ticker
from generator.trending import TrendingResult, compute_trending
from generator.workers import Workers

PARALLEL_PARSE_MIN = parallel_min(48)  # below this, forking workers costs more than it saves
PARSE_CHUNK = 16  # files per task: each worker commits its cache rows once per chunk
PARALLEL_EXTRAS_MIN = parallel_min(2000)  # pages: below this, feeds and sitemaps take less time than a fork


@dataclass
class BuildResult:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    report: Report | None = None
    output: Path | None = None
    trending_source: str = ""
    slowest: list[tuple[float, str]] = field(default_factory=list)
    unused_keys: dict[str, int] = field(default_factory=dict)  # front matter key -> files that set it

    @property
    def exit_code(self) -> int:
        return 1 if self.report and self.report.failed else 0


def load_site_config(options: BuildOptions) -> SiteConfig:
    overrides = {"base_url": options.base_url} if options.base_url else None
    return load_config(options.source, overrides)


def output_dir(options: BuildOptions, config: SiteConfig) -> Path:
    return options.output if options.output is not None else options.source / config.output


# --- content: parse (in parallel), cached per file ----------------------------------------------

class ContentLoader:
    """Turns the source files into Parsed values, reusing the cache where the file is unchanged.

    `words` (i18n.body_strings) are each language's translations of the texts bodies hold; they
    are part of every body's key and of `fingerprint`, which a cached file must match."""

    def __init__(self, site_dir: Path, config: SiteConfig, cache: Cache, jobs: int, progress: Progress,
                 words: dict[str, dict[str, str]] | None = None):
        self.site_dir, self.config, self.cache, self.jobs, self.progress = site_dir, config, cache, jobs, progress
        self.body_keys: dict[str, str] = {}
        self.words = words or {}
        self.words_key = body_words_key(self.words, config)
        self.fingerprint = config.fingerprint() + (f":{self.words_key}" if self.words_key else "")

    def load(self, sources: list[SourceFile]) -> list[Parsed]:
        config_fp = self.fingerprint
        known = self.cache.files()
        fresh, stale = [], []
        for src in sources:
            row = known.get(src.rel)
            if row and row[0] == src.mtime_ns and row[1] == src.size and row[2] == config_fp:
                fresh.append(src.rel)
                self.body_keys[src.rel] = row[3]
            else:
                stale.append(src)
        results = list(self.cache.parsed(fresh).values()) if fresh else []
        results += self.parse(stale, config_fp)
        present = {s.rel for s in sources}
        gone = [rel for rel in known if rel not in present]
        if gone:
            self.cache.forget_files(gone)
        return sorted(results, key=lambda p: p.source)

    def body_loader(self, cache: Cache, keys: dict[str, str] | None = None) -> Callable[[Article], Body]:
        """Loads an article's body from the cache (an empty one if it is not there); `keys`, the
        bodies of one earlier state (serve's snapshot), instead of the latest ones."""
        keys = self.body_keys if keys is None else keys

        def load(article: Article) -> Body:
            return cache.body(keys.get(article.source, "")) or Body("", "", "", 0)
        return load

    def parse(self, stale: list[SourceFile], config_fp: str) -> list[Parsed]:
        """Parse these files (on every core when there are many) and store what they gave in the cache."""
        if not stale:
            return []
        out: list[Parsed] = []
        use_pool = len(stale) >= PARALLEL_PARSE_MIN and self.jobs > 1
        chunks = [stale[i:i + PARSE_CHUNK] for i in range(0, len(stale), PARSE_CHUNK)]
        task = self.progress.task("parse", len(stale))
        if use_pool:
            self.cache.commit()
            lookup = self.cache.any_bodies()  # a cold build has none to look up
            init = functools.partial(_parse_init, self.config, config_fp, self.cache.path, None, lookup, self.words)
            with Workers(_parse_chunk, self.jobs, init) as workers:
                # started once the workers exist: a fork never copies a thread in mid-call
                prefetch = threading.Thread(target=_prefetch, args=(stale,), name="prefetch", daemon=True)
                prefetch.start()
                self._collect(workers.results(chunks), out, task)
                prefetch.join()
        else:
            _parse_init(self.config, config_fp, None, self.cache, words=self.words)
            self._collect(map(_parse_chunk, chunks), out, task)
        task.done()
        self.cache.commit()
        return out

    def _collect(self, results, out: list[Parsed], task) -> None:
        """Take _parse_chunk's results; store the cache rows it could not store itself."""
        for items, (rows, bodies) in results:
            for rel, key, blob in items:
                if key:
                    self.body_keys[rel] = key
                out.append(pickle.loads(blob))
            if bodies:
                self.cache.put_bodies(bodies)
            if rows:
                self.cache.put_files(rows)
            task.advance(len(items))


def _prefetch(sources: list[SourceFile]) -> None:
    """Ask the kernel to start reading these files now, in the order the workers will want them.

    On a cold page cache a worker otherwise waits on the disk for every file it opens, and a
    core sits idle; with the reads queued up front, disk and Markdown run side by side.
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    for src in sources:
        try:
            fd = os.open(src.path, os.O_RDONLY)
        except OSError:
            continue  # the worker reports it
        try:
            advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


_WORKER: dict = {}


def _parse_init(config: SiteConfig, config_fp: str, cache_path: Path | None, cache: Cache | None = None,
                lookup: bool = True, words: dict[str, dict[str, str]] | None = None) -> None:
    _WORKER["config"], _WORKER["config_fp"], _WORKER["lookup"] = config, config_fp, lookup
    _WORKER["words"], _WORKER["words_key"] = words or {}, body_words_key(words or {}, config)
    _WORKER["converter"] = Converter()
    _WORKER["cache"] = cache if cache is not None else Cache(cache_path)


def _parse_chunk(sources: list[SourceFile]):
    """Parse a run of files: ((source, body key, pickled Parsed without its body) each, unsaved
    cache rows).

    With a cache file, the bodies and parsed values are stored here (in a worker, through its
    own connection), so that only the small Parsed values travel back to the main process. Each
    is pickled once, for the cache and the journey alike (a fifth of a file's parsing outside
    Markdown was pickling it twice).
    """
    cache: Cache = _WORKER["cache"]
    items, rows, bodies = [], [], []
    for src, key, parsed, new_body in _parse_worker(sources):
        lean = Parsed(parsed.source, parsed.article, None, parsed.problems)  # bodies live in the cache
        blob = pickle.dumps(lean, protocol=pickle.HIGHEST_PROTOCOL)
        if new_body is not None:
            bodies.append((key, new_body))
        if key:
            rows.append((src.rel, src.mtime_ns, src.size, _WORKER["config_fp"], key, blob))
        items.append((src.rel, key, blob))
    if cache.path is not None:
        cache.put_bodies(bodies)
        cache.put_files(rows)
        cache.commit()
        rows, bodies = [], []
    return items, (rows, bodies)


def _parse_worker(sources: list[SourceFile]):
    """(source, body key, Parsed, newly converted Body or None) for each file, in order."""
    cache: Cache = _WORKER["cache"]
    out: list = []
    todo = []  # (place in out, source, raw bytes, body key, cached body)
    for src in sources:
        try:
            raw = read_source(src)
        except ProblemError as exc:
            out.append((src, "", Parsed(src.rel, None, None, (exc.problem,)), None))
            continue
        key = body_key(raw, src.rel, _WORKER["words_key"])
        todo.append((len(out), src, raw, key, cache.body(key) if _WORKER["lookup"] else None))
        out.append(None)
    parsed_files = parse_files([(src, raw, body) for _, src, raw, _, body in todo], _WORKER["config"], _WORKER["converter"],
                               _WORKER["words"])
    for (place, src, _, key, body), parsed in zip(todo, parsed_files):
        new_body = parsed.body if body is None and parsed.body is not None else None
        out[place] = (src, key if parsed.body is not None else "", parsed, new_body)
    return out


# --- the model ----------------------------------------------------------------------------------

@dataclass
class Edition:
    """One language's share of the model: its site, lists, slots and renderer (its own strings)."""

    site: Site
    related: RelatedLists
    trending: TrendingResult
    ticker: TickerData
    renderer: Renderer
    strings: gettext.NullTranslations
    lookups: Lookups | None = None  # publish.lookups()


@dataclass
class Model:
    """Everything rendering needs, computed once per build (or per change in the preview server).

    `site`, `related`, `trending`, `ticker` and `renderer` are the default edition's; a
    multilingual site has one Edition per language in `editions` (a single-language site: one)."""

    site: Site
    related: RelatedLists
    trending: TrendingResult
    ticker: TickerData
    assets: AssetMap
    renderer: Renderer
    routes: list[Route]
    images: ImageSet | None = None
    assets_key: str = ""
    image_srcs: set[str] = field(default_factory=set)
    lookups: Lookups | None = None  # publish.lookups() of the default edition
    redirects: tuple[Redirect, ...] = ()  # old URLs (front matter aliases) and where they lead
    editions: dict[str, Edition] = field(default_factory=dict)
    sites: Editions | None = None
    language_names: dict[str, str] = field(default_factory=dict)  # code -> its own name, for the switcher

    def edition(self, route: Route) -> Edition:
        """The edition a page belongs to."""
        return self.editions.get(route.lang) or next(iter(self.editions.values()))

    def __post_init__(self):
        if not self.editions:  # a model made by hand (tests): one edition of its parts
            self.editions = {self.site.config.language: Edition(self.site, self.related, self.trending, self.ticker,
                                                                self.renderer, gettext.NullTranslations())}


def make_model(site_dir: Path, config: SiteConfig, articles: list[Article], now: datetime, options: BuildOptions,
               problems: list[Problem], cache: Cache | None, previous: Model | None = None) -> Model:
    """The site model and its renderer; related lists are computed when first asked for.

    `previous` (the preview server's last model) lends what provably did not change: measured
    images while assets/ is as it was, compiled templates and rendered cards while the global
    key (layouts, config, assets, images) is the same, related lists (and the index that makes
    them) while every article's date, category and tags are.
    """
    authors = load_authors(site_dir, config, problems)
    sites = assemble_editions(articles, config, now, drafts=options.drafts, future=options.future, problems=problems,
                              authors=authors)
    everything = tuple(a for site in sites for a in site.articles + site.pages + site.archived)
    assets = collect_assets(site_dir, config, problems)
    wanted = {a.image.src for a in everything if a.image}
    wanted.update(src for a in everything for src, _ in a.body_images)
    wanted.update(a.og_image for a in everything if a.og_image.startswith("/"))
    if previous is not None and previous.assets_key == assets.key and previous.image_srcs == wanted \
            and previous.site.config == sites.default.config:
        images = previous.images
    else:
        images = prepare_images(everything, config, site_dir, problems,
                                cache.get("images") if cache is not None else None)
    files_key = assets.key
    assets.files.update(images.files)
    layouts_key = layouts_fingerprint(site_dir / LAYOUTS_DIR)
    saved_related = cache.get("related") if cache is not None else None
    names = {lang.code: language_name(lang) for lang in config.languages} if config.multilingual else {}
    routes = plan_routes(sites, problems)
    if sites.translations:
        sites = dataclasses.replace(sites, translations=with_pages(sites.translations, routes, problems))
    editions: dict[str, Edition] = {}
    for site in sites:
        code = site.config.language
        said = problems if not editions else []  # a missing page-view or ticker file is reported once
        saved = saved_related.get(code) if config.multilingual and isinstance(saved_related, dict) else saved_related
        kept = previous.editions.get(code) if previous is not None else None
        if kept is not None and kept.related.settings == config.related \
                and kept.related.inputs == inputs_of(site.articles):  # the preview's last model: same lists
            related = kept.related.restated(site.articles)
        else:
            related = RelatedLists(site.articles, config.related, saved)
        trending = compute_trending(site.articles, site.config, site_dir, now, said)
        coin_urls = {listing.term.name: listing.term.url for listing in site.coins.values()}
        ticker = load_ticker(config, site_dir, coin_urls, said)
        strings = load_strings(site_dir / LAYOUTS_DIR, _language(config, code), said) if config.multilingual \
            else gettext.NullTranslations()
        globals_ = template_globals(site.config, now, assets, sites if config.multilingual else None, names)
        globals_["image"] = images.get
        key = f"{layouts_key}:{site.config.fingerprint()}:{assets.key}:{images.key}:{now.year}"
        old = previous.editions.get(code) if previous is not None else None
        reuse = old.renderer if old is not None and old.renderer.global_key == key else None
        renderer = Renderer(site_dir, globals_, key, reuse)
        if config.multilingual and reuse is None:
            install_language(renderer.env, _language(config, code), strings)
        elif reuse is None:
            renderer.env.install_null_translations(newstyle=True)
        renderer.slot_context = {"ticker": ticker, "trending": trending.articles,
                                 "labels": [listing.term for listing in site.labels.values()],
                                 "latest": site.articles[:config.latest_count]}
        editions[code] = Edition(site, related, trending, ticker, renderer, strings)
    redirects = plan_redirects(sites.default, routes, problems, list(everything))
    first = editions[sites.default.config.language]
    return Model(first.site, first.related, first.trending, first.ticker, assets, first.renderer, routes, images,
                 files_key, wanted, redirects=redirects, editions=editions, sites=sites, language_names=names)


def with_pages(translations: dict[str, tuple[Article, ...]], routes: list[Route],
               problems: list[Problem]) -> dict[str, tuple[Article, ...]]:
    """Translations that have a page: one whose page was not published (its URL is reserved or
    taken) cannot be an hreflang alternate, or the pair would not be reciprocal."""
    routed = {r.key for r in routes if r.kind in ("article", "page")}
    out: dict[str, tuple[Article, ...]] = {}
    for source, group in translations.items():
        if source not in routed:
            continue
        kept = tuple(a for a in group if a.source in routed)
        if len(kept) > 1:
            out[source] = kept
        for a in group:
            if a.source not in routed:
                problems.append(Problem(source, f"its {a.lang!r} translation {a.source} has no page, so the pair is "
                                                "left out of the hreflang links (they must be reciprocal)",
                                        hint="fix the error reported for that file", level="warning"))
    return out


def _language(config: SiteConfig, code: str):
    return next(lang for lang in config.languages if lang.code == code)


def _no_snippet(_key: str) -> None:
    return None


def template_globals(config: SiteConfig, now: datetime, assets: AssetMap, sites: Editions | None = None,
                     names: dict[str, str] | None = None) -> dict:
    """The names every template sees (README.md, 'Layouts'); `config` is the edition's."""
    base = config.base_path.rstrip("/")

    def url(path: str) -> str:
        if type(path) is str and path[:1] == "/" and path[1:2] != "/":  # root-relative: most calls
            return base + path
        if not isinstance(path, str) or path.startswith(("http://", "https://", "//", "mailto:", "#", "data:")):
            return path
        return base + (path if path.startswith("/") else "/" + path)

    def abs_url(path: str) -> str:
        return absolute(config.base_url, path)

    srcsets: dict[tuple[str, bool], Markup] = {}

    def srcset(info: ImageInfo, webp: bool = False) -> Markup:
        """An image's srcset: its variants, then the original when it is wider (once per image:
        as a macro this was a third of the time of every card with a picture)."""
        key = (info.src, webp)  # one info per src in a model
        found = srcsets.get(key)
        if found is None:
            parts = [f"{escape(url(v.webp_url if webp else v.url))} {v.width}w" for v in info.variants]
            if info.variants and info.width > info.variants[-1].width:
                src = info.src if "://" in info.src or info.src.startswith("data:") else url(info.src)
                parts.append(f"{escape(src)} {info.width}w")
            found = srcsets[key] = Markup(", ".join(parts))
        return found

    def page_url(slug: str) -> str:
        """A menu's page: this edition's of that slug, else the translation of the default
        edition's, else the default edition's own (a page not translated yet)."""
        if sites is not None:
            own = sites.of(config.language).page_by_slug(slug)
            if own is not None:
                return own.url
            page = sites.default.page_by_slug(slug)
            if page is not None:
                twin = next((a for a in sites.translations.get(page.source, ()) if a.lang == config.language), page)
                return twin.url
        return config.permalinks.page.replace("{slug}", slug)

    def menu_entries():
        entries = []
        for item in config.menu:
            children = ()
            target = item.url
            if item.group:
                children = tuple(SimpleNamespace(name=c.name, url=_category_url(config, c.slug))
                                 for c in config.categories if c.menu == item.group)
            elif item.category:
                cat = config.category_by_name(item.category)
                target = _category_url(config, cat.slug)
            elif item.page:
                target = page_url(item.page)
            elif target == "/":
                target = config.home
            entries.append(SimpleNamespace(name=item.name, url=target, children=children))
        return entries

    site = SimpleNamespace(
        title=config.title, description=config.description, language=config.language, logo=config.logo,
        default_image=config.default_image, copyright=config.copyright, year=now.year,
        social=dict(config.social), newsletter=config.newsletter, search_enabled=config.search.enabled,
        feed_url=config.home + "feed.xml", json_feed_url=config.home + "feed.json", base_url=config.base_url,
        menu=menu_entries(), home=config.home, search_url=config.home + "search/",
        widgets_url=config.home + "widgets/lists/",
        search_index="/pagefind/" if config.home == "/" else f"/pagefind/{config.language.lower()}/",
        categories=list(category_terms(config)),
        footer_links=list(config.footer_links), extra=dict(config.extra), sidebar_lists=config.sidebar_lists,
        languages=tuple(SimpleNamespace(code=s.config.language, name=(names or {}).get(s.config.language, ""),
                                        home=s.config.home) for s in sites) if sites is not None else (),
        direction="ltr", locale=config.language.replace("-", "_"))
    if sites is not None:
        lang = _language(config, config.language)
        site.direction, site.locale = direction(lang), og_locale(lang)
    return {"site": site, "url": url, "abs_url": abs_url, "asset": lambda p: url(assets.url(p)), "srcset": srcset}


def _category_url(config: SiteConfig, slug: str) -> str:
    return expand_permalink(config.permalinks.category, slug=slug)


# --- the recipe -----------------------------------------------------------------------------------

def build(options: BuildOptions, inputs: str | None = None) -> BuildResult:
    """Build the site in options.source. Raises ConfigError (exit 2) when nothing can be built.

    `inputs` is snapshot.inputs_key() as taken before reading anything: the record saved at the
    end lets the next build skip everything when nothing has changed since.
    """
    # A build makes millions of small objects that live until it ends, and few cycles: the
    # default thresholds spend a sixth of an incremental build scanning them again and again.
    thresholds = gc.get_threshold()
    gc.set_threshold(20_000, 50, 100)
    try:
        return _build(options, inputs)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def _build(options: BuildOptions, inputs: str | None) -> BuildResult:
    from generator.publish import Publisher
    from generator.search import SearchIndex

    started = time.perf_counter()
    timings: dict[str, float] = {}
    site_dir = options.source
    report = Report(quiet=options.quiet, strict=options.strict)
    config = load_site_config(options)
    if not options.quiet:
        _warn_once_about_markdown()
        _note_once_about_robots(config.base_url, config.base_path)
    out = real_output(output_dir(options, config))
    check_output_folder(site_dir, out, options.force)
    aside = set_aside_foreign(out) if options.force else None
    if aside is not None:
        print(f"{out}: note: --force: the folder held files this generator did not make; they were moved to {aside}",
              file=sys.stderr)
    clear_leftovers(out)  # staging trees of killed builds go even when nothing else changes
    if not (site_dir / LAYOUTS_DIR).is_dir():
        raise ConfigError(f"{site_dir / LAYOUTS_DIR}: error: no layouts/ folder; the site needs its Jinja templates")
    jobs = options.jobs or os.cpu_count() or 1
    progress = Progress.for_terminal(options.quiet)
    cache = Cache.for_site(site_dir)
    now = build_clock()
    problems: list[Problem] = []

    t = time.perf_counter()
    sources = discover(site_dir, problems, config.language_codes())
    loader = ContentLoader(site_dir, config, cache, jobs, progress, body_strings(site_dir / LAYOUTS_DIR, config, problems))
    parsed = loader.load(sources)
    for p in parsed:
        problems.extend(p.problems)
    articles = [p.article for p in parsed if p.article is not None]
    timings["content"] = time.perf_counter() - t

    t = time.perf_counter()
    model = make_model(site_dir, config, articles, now, options, problems, cache)
    gc.freeze()  # the model lives as long as the build: collections need not walk it again and again
    timings["model"] = time.perf_counter() - t

    t = time.perf_counter()
    abs_url = model.renderer.env.globals["abs_url"]
    extras = _Aside(lambda c: extra_outputs(model.sites, model.routes, abs_url, loader.body_loader(c), now,
                                            model.redirects, model.ticker), cache,
                    jobs if len(model.routes) >= PARALLEL_EXTRAS_MIN else 1)
    search = None
    if config.search.enabled and options.search:
        # Pagefind runs (for the shards whose articles changed) in a forked process while the pages render
        search = SearchIndex(site_dir / CACHE_DIR / "search", config, model.images)
        if search.plan([a for site in model.sites for a in site.articles]):
            cache.commit()
            search.start(lambda: loader.body_loader(cache.reader()), jobs)
    manifest = cache.manifest()
    def reopen():  # a worker process's own cache connection (SQLite connections do not survive fork)
        reader = cache.reader()
        return loader.body_loader(reader), reader.snippet if stored else _no_snippet

    def store_snippets(snippets: dict[str, str]) -> None:
        # Workers send theirs here, into one transaction committed with the manifest: per-worker
        # commits into a table keyed by hashes cost 18 CPU-s at 100,000 articles (1 at 10,000).
        cache.put_snippets(snippets, snippets_key)

    renderers = [ed.renderer for ed in model.editions.values()]
    snippets_key = renderers[0].global_key if len(renderers) == 1 else \
        hashlib.sha256("\0".join(r.global_key for r in renderers).encode()).hexdigest()[:24]
    articles_count = sum(len(site.articles) for site in model.sites)
    cache.prune_snippets(snippets_key, cap=12 * articles_count + 1000)
    cache.commit()
    # With none stored (a cold build), every card would be looked up in vain: 40,000 queries at 10k.
    stored = cache.any_snippets()
    for renderer in renderers:
        renderer.stored_snippet = cache.snippet if stored else _no_snippet
    publisher = Publisher(model, out, manifest, cache.get("fragments"), loader.body_loader(cache), reopen,
                          store_snippets, jobs, progress, problems, *cache.get_with_digest("spare"))
    # A build killed after the swap leaves these manifests one build behind: safe, because every
    # entry is trusted only while its file's stat token (size, mtime, inode) still matches.
    hook("build-publish")
    try:
        outcome = publisher.run(extras, model.assets.files, search)
    finally:
        extras.close()  # (already done unless the run failed before it asked)
        if search is not None:
            search.close()
    timings["render+write"] = time.perf_counter() - t

    for renderer in renderers:
        cache.put_snippets(renderer.fresh_snippets, snippets_key)
    if len(model.editions) == 1:
        if not model.related.as_saved:
            cache.set("related", model.related.export())
    elif not all(ed.related.as_saved for ed in model.editions.values()):
        cache.set("related", {lang: ed.related.export() for lang, ed in model.editions.items()})
    cache.set("images", model.images.measured)
    spare_digest = cache.set("spare", publisher.new_spare) if publisher.new_spare is not None else ""
    cache.set_manifest(publisher.new_manifest, manifest)
    cache.set("fragments", publisher.fragments_key)
    cache.commit()
    cache.close()
    if search is not None:
        search.prune()
    if publisher.staging is not None:  # only now that the cache holds its manifest
        publisher.staging.mark_level(spare_digest)
    problems = sorted(_dedupe(problems), key=lambda p: (p.path, p.line or 0, p.message))
    for problem in problems:
        report.add(problem)
    # an incomplete search index (Pagefind missing or failing) is retried by the next build
    until = now if search is not None and search.incomplete else next_change(articles, model, now)
    snapshot.save(site_dir, inputs, until, out,
                  {rel: entry[2] for rel, entry in publisher.new_manifest.items()},
                  {"trending": model.trending.source, "files": len(publisher.new_manifest),
                   "problems": [dataclasses.astuple(p) for p in problems], "unused_keys": unused_keys(articles)})
    timings["total"] = time.perf_counter() - started
    slowest = sorted(((s, n) for n, s in outcome.template_seconds.items()), reverse=True)
    return BuildResult(outcome.written, outcome.unchanged, outcome.removed, timings, report, out,
                       model.trending.source, slowest, unused_keys(articles))


def unused_keys(articles: list[Article]) -> dict[str, int]:
    """Front matter keys the generator does not read (layouts may, as article.extra), by how many
    files set them, most first: the build summary lists them so nothing is dropped silently."""
    counts: dict[str, int] = {}
    for article in articles:
        for key in article.extra:
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@functools.cache
def _warn_once_about_markdown() -> None:
    """Says once a process (serve rebuilds many times) that the Markdown fast path is off."""
    message = fast_path_warning()
    if message:
        print(message, file=sys.stderr)


@functools.cache
def _note_once_about_robots(base_url: str, base_path: str) -> None:
    """Says once a process, for a site under a sub-path, that its robots.txt is not where crawlers look."""
    if base_path == "/":
        return
    root = base_url[:len(base_url) - len(base_path)] + "/"
    print(f"site.toml: warning: base_url {base_url} has a path, and crawlers read robots.txt only at {root}robots.txt; "
          f"the built {base_path.strip('/')}/robots.txt is not read there\n"
          f"  hint: copy its Sitemap: lines into {root}robots.txt (README, 'Deploying', 'Under a sub-path')",
          file=sys.stderr)


class _Aside:
    """Feeds and sitemaps made in a forked process while this one plans the pages; call it for
    them. An incremental build is otherwise serial and leaves the other cores idle."""

    def __init__(self, make: Callable[[Cache], dict[str, bytes]], cache: Cache, jobs: int):
        self.make, self.cache, self.process = make, cache, None
        if jobs < 2:
            return
        ctx = multiprocessing.get_context("fork")
        self.receive, send = ctx.Pipe(duplex=False)

        def child() -> None:  # its own cache connection: SQLite connections do not survive fork
            try:
                data = make(cache.reader())
            except Exception:  # noqa: BLE001 - the parent makes them again and reports what it hits
                data = None
            send.send(data)

        cache.commit()
        self.process = ctx.Process(target=child, name="extras", daemon=True)
        self.process.start()
        send.close()

    def __call__(self) -> dict[str, bytes]:
        if self.process is None:
            return self.make(self.cache)
        try:
            data = self.receive.recv()
        except (EOFError, OSError):
            data = None
        finally:
            self.close()
        return data if data is not None else self.make(self.cache)  # the child failed: raise what it hit here

    def close(self) -> None:
        if self.process is not None:
            self.receive.close()
            if self.process.is_alive():
                self.process.terminate()
            self.process.join(timeout=2)
            if self.process.is_alive():  # a SIGTERM handler (a coverage tool's, say) is still busy
                self.process.kill()
                self.process.join()
            self.process = None


def next_change(articles: list[Article], model: Model, now: datetime) -> datetime:
    """The first moment the output could differ for the same sources: a future article's time comes,
    an article leaves the news sitemap's or trending's window or expires, or the year (in the footer) turns."""
    from generator.extras import NEWS_WINDOW
    events = [datetime(now.year + 1, 1, 1, tzinfo=timezone.utc) if now.year < 9999 else datetime.max.replace(tzinfo=timezone.utc)]
    window = timedelta(days=model.site.config.trending.window_days)
    for a in articles:
        if a.date.year < 9000:  # a later date's windows end past datetime.max; the new year comes first anyway
            events += [a.date, a.date + NEWS_WINDOW, a.date + window]
        if a.expires is not None:
            events.append(a.expires)  # it leaves every list, feed and sitemap
    return min((e for e in events if e > now), default=events[0])


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """One line per distinct problem: a template error hit by 10,000 pages is reported once, with a count."""
    counts: dict[Problem, int] = {}
    for p in problems:
        counts[p] = counts.get(p, 0) + 1
    out = []
    for p, n in counts.items():
        if n > 1:
            p = Problem(p.path, f"{p.message} (on {n:,} pages)", p.line, p.hint, p.level)
        out.append(p)
    return out
