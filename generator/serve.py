"""The preview server: the site model lives in memory, pages are rendered on request.

A save re-reads only the changed files, brings the in-memory model up to date (no page is
rendered then: a save that moves no article is swapped in by patch.swap_articles, any other makes
the model again), and tells every open browser to reload through the livereload package's
WebSocket protocol. The browser's next request renders the page from the current model, so no page can
be stale and a save costs one file's parse plus the pages the browser asks for. Pages come out
of the same code path as `build` (publish.render_route), so what you see is what build writes.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import re
import html
import ipaddress
import logging
import mimetypes
import os
import sys
import threading
import time
import webbrowser
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable
from urllib.parse import unquote, urlsplit

from livereload.handlers import ForceReloadHandler, LiveReloadHandler, LiveReloadJSHandler
from tornado import ioloop, web
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from generator.assemble import restate
from generator.build import BuildOptions, ContentLoader, Model, build_clock, load_site_config, make_model, next_change
from generator.cache import CACHE_DIR, Cache
from generator.config import CONFIG_FILE, SiteConfig
from generator.content import CONTENT_DIR, SUFFIXES, SourceFile, is_page_path, discover
from generator.errors import ConfigError, Problem, ProblemError
from generator.extras import extra_outputs
from generator.i18n import body_strings
from generator.model import Article, Body, Parsed
from generator.pages import Route, output_path
from generator.patch import swap_articles
from generator.progress import Progress
from generator.publish import render_route
from generator.render import LAYOUTS_DIR
from generator.stamps import source_stamp
from generator.walk import linked_folders
from generator.testhooks import hook, quiet_ms
from generator.search import PREFIX as SEARCH_PREFIX, SearchIndex

QUIET_MS = 15  # a save ends when the folders are quiet this long
BURST_QUIET_MS = 200  # ... and a burst of many files (a git checkout), which a busy machine may pause mid-way
MAX_WAIT_MS = 1000
BUSY_S = 1.0  # how long after a file event a background index keeps out of the way
SEARCH_WAIT_S = 60  # longest a search file request waits for the index of a save (one Pagefind run)
LIVE_SCRIPT = b'<script src="/livereload.js?port={port}"></script>'
# A reload sent while a page is still loading (two saves close together) reaches no one: the page
# is not listening yet. So once it is (livereload.js fires LiveReloadConnect just before it says
# hello), it asks which model is current and reloads if it was rendered from an older one.
GENERATION_URL = "/livereload/generation"
CATCH_UP_SCRIPT = (b'<script>document.addEventListener("LiveReloadConnect",function(){fetch("' + GENERATION_URL.encode()
                   + b'").then(function(r){return r.text()}).then(function(g){if(+g>{generation})location.reload()})'
                   b'.catch(function(){})})</script>')
WATCHED = (CONTENT_DIR, LAYOUTS_DIR, "assets")


@dataclass
class Snapshot:
    """One consistent state of the site: what requests are answered from."""

    generation: int
    model: Model | None
    problems: tuple[Problem, ...]
    fatal: str  # site.toml broken: nothing can be rendered
    routes: dict[str, Route] = field(default_factory=dict)  # output path -> route
    extras: dict[str, bytes] | None = None  # feeds, sitemaps...: made when first asked for
    # source -> cache key of its body, as parsed for this model: the loader's own map moves on as
    # the next save is parsed, and a page asked for meanwhile must not put a new body under an old title
    body_keys: dict[str, str] = field(default_factory=dict)


class Preview:
    """Keeps the model current; renders pages on request."""

    def __init__(self, site_dir: Path, options: BuildOptions):
        self.site_dir = site_dir
        self.options = options
        self.lock = threading.Lock()
        self.parsed: dict[str, tuple[SourceFile, Parsed]] = {}
        self.loader: ContentLoader | None = None
        self.config: SiteConfig | None = None
        self.snapshot = Snapshot(0, None, (), "")
        self.pages: OrderedDict[tuple, bytes] = OrderedDict()
        self.reader: Cache | None = None
        self.writer_cache: Cache | None = None
        # The search index of the current model: output path -> cached bundle file, or bytes
        # (pagefind/shards.json). None while the first index is being made in the background.
        self.search_files: dict[str, Path | bytes] | None = {}
        self.search_lock = threading.Lock()
        self.search_for = 0  # the snapshot generation search_files were last brought up to
        self.model_problems: list[Problem] = []  # what make_model said of the current model
        self.next_change = build_clock()  # when the model's clock-driven parts change (build.next_change)
        self.last_update = ""  # "patched" (patch.swap_articles) or "assembled" (make_model): what the last save took
        self.busy_until = 0.0  # monotonic time until which a save is being handled (give_way)
        self._indexer: threading.Thread | None = None  # index_soon's thread, and what wakes it
        self._index_wanted = threading.Event()

    # --- model upkeep (watcher thread) -------------------------------------------------------
    def refresh(self, changed: set[str] | None) -> None:
        """Bring the model up to date; changed=None rescans everything."""
        gc.disable()  # a full collection over 10,000 articles' objects would double the time of a save
        try:
            self._refresh(changed)
        finally:
            gc.enable()

    def _refresh(self, changed: set[str] | None) -> None:
        started = time.perf_counter()
        problems: list[Problem] = []
        try:
            config = load_site_config(self.options)
        except ConfigError as exc:
            self.snapshot = Snapshot(self.snapshot.generation + 1, None, (), str(exc))
            print(str(exc), file=sys.stderr)
            return
        if self.writer_cache is None:
            self.writer_cache = Cache.for_site(self.site_dir)
        words = body_strings(self.site_dir / LAYOUTS_DIR, config, problems)  # layouts/strings/ may have changed
        if config != self.config or self.loader is None or words != self.loader.words:
            self.config = config
            self.loader = ContentLoader(self.site_dir, config, self.writer_cache, 1, Progress(False), words)
            self.parsed.clear()
            changed = None
        before = {rel: self.parsed[rel][1] for rel in changed or () if rel in self.parsed}
        self._update_content(changed, problems)
        for _, parsed in self.parsed.values():
            problems.extend(parsed.problems)
        now = build_clock()
        model = self._patched(changed, before, now)
        self.last_update = "patched" if model is not None else "assembled"
        if model is not None:
            problems += self.model_problems
            routes = self.snapshot.routes
        else:
            articles = [p.article for _, p in self.parsed.values() if p.article is not None]
            first = len(problems)
            try:
                model = make_model(self.site_dir, config, articles, now, self.options, problems, None,
                                   self.snapshot.model)
                self.next_change = next_change(articles, model, now)
            except Exception as exc:  # noqa: BLE001 - the server must survive anything a save can do
                problems.append(Problem(self.site_dir.as_posix(), f"{type(exc).__name__}: {exc}"))
                model = None
            self.model_problems = problems[first:]
            routes = {output_path(r.url): r for r in model.routes} if model is not None else {}
        body_keys = dict(self.loader.body_keys)
        if self.snapshot.generation:
            hook("serve-before-publish")
        self.snapshot = Snapshot(self.snapshot.generation + 1, model, tuple(problems), "", routes,
                                 body_keys=body_keys)
        self.pages.clear()
        errors = [p for p in problems if p.level == "error"]
        for p in errors:
            print(str(p), file=sys.stderr)
        if not self.options.quiet:
            print(f"updated in {(time.perf_counter() - started) * 1000:.0f} ms"
                  + (f" with {len(errors)} errors" if errors else ""), file=sys.stderr)

    def _patched(self, changed: set[str] | None, before: dict[str, Parsed], now) -> Model | None:
        """The current model with the saved articles' new values swapped in (patch.swap_articles),
        when the save moved none of them; None when only a new model can say (make_model)."""
        model = self.snapshot.model
        if not changed or model is None or model.sites is None or now >= self.next_change \
                or any(rel not in before or rel not in self.parsed for rel in changed):
            return None  # not only saved content files; or the clock passed a scheduled time
        swaps: dict[str, Article] = {}
        for rel in changed:
            old, new = before[rel].article, self.parsed[rel][1].article
            if old is None or new is None:
                return None  # a file that was (or now is) in error: its page appears or goes
            placed = next((site.by_source[rel] for site in model.sites if rel in site.by_source), None)
            if placed is None:
                if restate(old, old, new) is None:
                    return None
                continue  # a draft or scheduled article the model leaves out, and still does
            swaps[rel] = restate(placed, old, new)
            if swaps[rel] is None:
                return None
        return swap_articles(model, swaps)

    def index(self, cache: Cache | None = None) -> None:
        """Bring the search index up to the current model, after the browser was told to reload:
        the page shows the save at once, and the preview's search answers from this model's index
        as soon as it is made (requests for its files wait for it, see PageHandler._search_file)."""
        snap = self.snapshot
        try:
            problems = self._index(snap, cache or self.writer_cache) if snap.model is not None else []
        finally:
            self.search_for = snap.generation
        if problems:
            snap.problems += tuple(problems)
            self.pages.clear()

    def index_soon(self) -> None:
        """index() on a thread of its own, for the latest model: the watcher is free for the next
        save at once (a shard's Pagefind run can outlast the pause between two saves)."""
        if self._indexer is None:
            self._indexer = threading.Thread(target=self._index_loop, name="search-update", daemon=True)
            self._indexer.start()
        self._index_wanted.set()

    def _index_loop(self) -> None:
        cache = Cache.for_site(self.site_dir)  # this thread's own connection
        while True:
            self._index_wanted.wait()
            self._index_wanted.clear()
            try:
                self.index(cache)
            except Exception as exc:  # noqa: BLE001 - the preview goes on; its search keeps the last index
                self.search_for = self.snapshot.generation
                print(f"error: search index update failed: {type(exc).__name__}: {exc}", file=sys.stderr)

    def search_current(self) -> bool:
        return self.search_for >= self.snapshot.generation

    def _index(self, snap: Snapshot, cache: Cache) -> list[Problem]:
        """Bring the search index up to the model: the shards a save changed are rebuilt (one
        Pagefind run over a month or so of articles), so the save shows in the preview's search. Many shards to make (the first index of a site without cached
        bundles, a changed site.toml) are made in the background: the preview is up at once, and
        until then serves the previous index, or says search is not ready."""
        model = snap.model
        config = model.site.config
        if not (config.search.enabled and self.options.search):
            self.search_files = {}
            return []
        index = SearchIndex(self.site_dir / CACHE_DIR / "search", config, model.images)
        todo = index.plan([a for site in model.sites for a in site.articles])
        if len(todo) > 2:
            if not self.search_files:
                self.search_files = None
            threading.Thread(target=self._index_aside, args=(index, snap.body_keys), name="search-index",
                             daemon=True).start()
            return []
        return self._index_now(index, cache, snap.body_keys, give_way=self.give_way)

    def _index_aside(self, index: SearchIndex, body_keys: dict[str, str]) -> None:
        cache = Cache.for_site(self.site_dir)  # this thread's own connection
        try:
            self._index_now(index, cache, body_keys, parallel=os.cpu_count() or 1, give_way=self.give_way)
        finally:
            cache.close()

    def give_way(self) -> None:
        """Wait while a save is being handled (see Watcher.on_any_event): a background index must
        not slow the save down, and its record writing holds the interpreter."""
        while time.monotonic() < self.busy_until:
            time.sleep(0.02)

    def _index_now(self, index: SearchIndex, cache: Cache, body_keys: dict[str, str], parallel: int = 1,
                   give_way: Callable[[], None] | None = None) -> list[Problem]:
        with self.search_lock:
            problems = index.build(self.loader.body_loader(cache, body_keys), parallel=parallel, give_way=give_way)
            links, data = index.outputs()
            files: dict[str, Path | bytes] = {rel: path for rel, (path, _) in links.items()}
            files.update(data)
            self.search_files = files
        for p in problems:
            print(str(p), file=sys.stderr)
        return problems

    def _update_content(self, changed: set[str] | None, problems: list[Problem]) -> None:
        """Re-read only what changed: named files are stat'ed again, a folder event rescans the tree."""
        if not self.parsed:  # the first load: the build cache has every unchanged file ready
            sources = discover(self.site_dir, problems, self.config.language_codes())
            by_rel = {s.rel: s for s in sources}
            self.parsed = {p.source: (by_rel[p.source], p) for p in self.loader.load(sources)}
            return
        if changed is None or any(not c.endswith(SUFFIXES) for c in changed if c.startswith(CONTENT_DIR + "/")):
            found = {s.rel: s for s in discover(self.site_dir, problems, self.config.language_codes())}
        else:  # only the named files: stat them again, no walk of the whole tree
            found = {rel: src for rel, (src, _) in self.parsed.items()}
            for rel in changed:
                if rel.startswith(CONTENT_DIR + "/"):
                    found.pop(rel, None)
                    found.update((s.rel, s) for s in discover_one(self.site_dir, rel, problems,
                                                                  self.config.language_codes()))
        for rel in [r for r in self.parsed if r not in found]:
            del self.parsed[rel]
        stale = [s for rel, s in found.items() if rel not in self.parsed
                 or (self.parsed[rel][0].mtime_ns, self.parsed[rel][0].size) != (s.mtime_ns, s.size)]
        if stale:
            for parsed in self.loader.parse(stale, self.loader.fingerprint):
                self.parsed[parsed.source] = (found[parsed.source], parsed)

    # --- requests (IOLoop thread) --------------------------------------------------------------
    def body_loader(self, snap: Snapshot) -> Callable[[Article], Body]:
        """Bodies for the request thread, through its own cache connection."""
        if self.reader is None:
            self.reader = Cache.for_site(self.site_dir)
        return self.loader.body_loader(self.reader, snap.body_keys)


def discover_one(site_dir: Path, rel: str, problems: list[Problem], languages: tuple[str, ...] = ()) -> list[SourceFile]:
    """The SourceFile for one changed path, with the same rules as a full discover()."""
    path = site_dir / rel
    parts = Path(rel).parts
    if any(p.startswith((".", "_")) for p in parts[1:]) or not rel.lower().endswith(SUFFIXES):
        return []
    if path.is_symlink():
        return [s for s in discover(site_dir, problems, languages) if s.rel == rel]
    try:
        st = path.stat()
    except OSError:
        return []
    kind = "page" if len(parts) > 2 and is_page_path(rel, languages) else "article"
    return [SourceFile(rel, path, kind, source_stamp(st), st.st_size)]


class Watcher(FileSystemEventHandler):
    """Collects file events; a worker thread turns each burst into one refresh and one reload."""

    def __init__(self, preview: Preview, on_reload, on_new_folder=lambda rel: None):
        self.preview = preview
        self.on_reload = on_reload
        self.on_new_folder = on_new_folder
        self.pending: set[str] = set()
        self.full = False
        self.event = threading.Event()
        self.lock = threading.Lock()
        self.last = 0.0
        self.stopped = False
        self.links: list[tuple[str, str]] = []  # (site-relative folder, its real path) of linked folders
        fixed = quiet_ms()  # a test's fixed window, long enough that no stall can split its burst
        self.quiet_ms, self.burst_quiet_ms = (fixed, fixed) if fixed is not None else (QUIET_MS, BURST_QUIET_MS)
        self.max_wait_ms = MAX_WAIT_MS if fixed is None else max(MAX_WAIT_MS, 10 * fixed)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or (event.is_directory and event.event_type == "modified"):
            return  # a folder's "modified" only repeats what its files' own events say
        roots = {os.path.abspath(self.preview.site_dir), str(self.preview.site_dir.resolve())}
        paths = [event.src_path] + ([event.dest_path] if getattr(event, "dest_path", "") else [])
        relevant = False
        with self.lock:
            for raw in paths:
                raw = os.path.abspath(os.fsdecode(raw))
                # inside a symlinked folder of layouts/ or assets/ (watched where it really is), or the site
                rel = next((f"{site_rel}/{os.path.relpath(raw, real)}".replace(os.sep, "/").removesuffix("/.")
                            for site_rel, real in self.links if raw == real or raw.startswith(real + os.sep)), None)
                if rel is None:
                    rel = next((os.path.relpath(raw, root).replace(os.sep, "/") for root in roots
                                if raw == root or raw.startswith(root + os.sep)), None)
                if rel is None:
                    continue
                top = rel.split("/", 1)[0]
                if rel == CONFIG_FILE or top in WATCHED:
                    relevant = True
                    if event.is_directory and top == CONTENT_DIR:
                        self.full = True
                    if rel in WATCHED and event.is_directory and event.event_type in ("created", "moved"):
                        self.on_new_folder(rel)  # a watched folder (re)created: watch inside it again
                    self.pending.add(rel)
            if relevant:
                self.last = time.monotonic()
                # the save, its reload and the pages it asks for: a background index waits meanwhile
                self.preview.busy_until = self.last + BUSY_S
        if relevant:
            self.event.set()

    def run(self) -> None:
        while not self.stopped:
            self.event.wait()
            if self.stopped:
                return
            first = time.monotonic()
            while True:  # debounce: wait for the burst to end
                time.sleep(QUIET_MS / 1000)
                with self.lock:
                    window = self.quiet_ms if len(self.pending) <= 2 else self.burst_quiet_ms
                    quiet = time.monotonic() - self.last >= window / 1000
                if quiet or time.monotonic() - first > self.max_wait_ms / 1000:
                    break
            with self.lock:
                self.event.clear()
                changed, full = self.pending, self.full
                self.pending, self.full = set(), False
            try:
                self.preview.refresh(None if full else changed)
            except Exception as exc:  # noqa: BLE001
                print(f"error: preview update failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            self.on_reload(changed)
            self.preview.index_soon()


def allowed_host(host: str, bound: str) -> bool:
    """Whether a request's Host header names this preview: an IP address, localhost, or the name it
    was bound to. A web page on any other name that resolves here (DNS rebinding) is refused, so it
    cannot read the preview's pages or drafts."""
    if host.startswith("["):  # [::1]:8000
        name = host[1:].split("]", 1)[0]
    else:  # name:port, a bare name, or a bare IPv6 address
        name = host.split(":", 1)[0] if host.count(":") == 1 else host
    name = name.rstrip(".").lower()
    if name in ("localhost", bound.strip("[]").lower()) or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class LocalOnly:
    """Refuses requests whose Host is not this preview's (mixed into every handler)."""

    bound_host = "127.0.0.1"  # set by serve()

    def prepare(self) -> None:
        if not allowed_host(self.request.host, self.bound_host):
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"refused: Host {self.request.host!r} is not this preview's address\n")


class GenerationHandler(LocalOnly, web.RequestHandler):
    """The current model's generation, for pages that were loading while a reload was sent."""

    preview: Preview = None  # set by serve()

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(str(self.preview.snapshot.generation))


class PageHandler(LocalOnly, web.RequestHandler):
    """Answers every request from the current snapshot; never reads outside the model's own files."""

    preview: Preview = None  # set by serve()
    live_port: int = 0

    def compute_etag(self):
        return None

    async def head(self, _path: str = "") -> None:
        """The headers a GET would give (tornado sends no body for HEAD, and the length of the one it would)."""
        return await self.get(_path)

    async def get(self, _path: str = "") -> None:
        snap = self.preview.snapshot
        self.generation = snap.generation  # what the page is made from (CATCH_UP_SCRIPT)
        self.set_header("Cache-Control", "no-store")
        if snap.fatal:
            return self._error_page(500, [snap.fatal])
        model = snap.model
        if model is None:
            return self._error_page(500, [str(p) for p in snap.problems if p.level == "error"])
        base = model.site.config.base_path
        raw_path = urlsplit(self.request.uri).path
        path = unquote(raw_path)
        if "\x00" in path or "\\" in path or any(p == ".." for p in path.split("/")):
            return self._not_found(model, snap)
        if base != "/" and path in ("/", "") :
            return self.redirect(base)
        if not path.startswith(base):
            return self._not_found(model, snap)
        site_path = "/" + path[len(base):]
        rel = output_path(site_path) if site_path.endswith("/") else site_path.lstrip("/")
        route = snap.routes.get(rel)
        if route is None and not site_path.endswith("/") and "." not in site_path.rsplit("/", 1)[-1]:
            if output_path(site_path + "/") in snap.routes:
                return self.redirect(raw_path + "/")
        if route is not None:
            return self._page(model, snap, route, 200)
        if rel in model.assets.files:
            return self._file(model.assets.files[rel])
        if rel.startswith(SEARCH_PREFIX):
            return await self._search_file(rel)
        extras = self._extras(snap)
        if rel in extras:
            self.set_header("Content-Type", _type(rel))
            return self.finish(extras[rel])
        return self._not_found(model, snap)

    async def _search_file(self, rel: str) -> None:
        # the index of the model this page came from is made just after the reload: wait for it
        # (other requests go on meanwhile), so a search never answers from before the last save
        waited = 0.0
        while not self.preview.search_current() and waited < SEARCH_WAIT_S:
            await asyncio.sleep(0.01)
            waited += 0.01
        files = self.preview.search_files
        if files is None:  # the first index is still being made
            self.set_status(503)
            self.set_header("Retry-After", "5")
            return self.finish(b"the search index is being built")
        found = files.get(rel)
        if found is None:
            self.set_status(404)
            return self.finish(b"not found")
        if isinstance(found, bytes):
            self.set_header("Content-Type", _type(rel))
            return self.finish(found)
        return self._file(found)

    def _extras(self, snap: Snapshot) -> dict[str, bytes]:
        if snap.extras is None:
            model = snap.model
            abs_url = model.renderer.env.globals["abs_url"]
            snap.extras = extra_outputs(model.sites, model.routes, abs_url, self.preview.body_loader(snap), model.site.now,
                                        model.redirects, model.ticker)
        return snap.extras

    def _page(self, model: Model, snap: Snapshot, route: Route, status: int) -> None:
        key = (snap.generation, route.url)
        data = self.preview.pages.get(key)
        if data is None:
            try:
                text = render_route(model, route, self.preview.body_loader(snap))
            except ProblemError as exc:
                print(str(exc.problem), file=sys.stderr)
                return self._error_page(500, [str(exc.problem)])
            errors = [str(p) for p in snap.problems if p.level == "error"]
            if errors:
                text = re.sub(r"<body\b[^>]*>", lambda m: m.group(0) + _error_banner(errors), text, count=1)
            data = text.encode("utf-8")
            self.preview.pages[key] = data
            while len(self.preview.pages) > 256:
                self.preview.pages.popitem(last=False)
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self._inject(data))

    def _inject(self, data: bytes) -> bytes:
        script = CATCH_UP_SCRIPT.replace(b"{generation}", str(self.generation).encode()) \
            + LIVE_SCRIPT.replace(b"{port}", str(self.live_port).encode())
        return data.replace(b"</head>", script + b"</head>", 1)

    def _file(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError:
            self.set_status(404)
            return self.finish(b"not found")
        self.set_header("Content-Type", _type(path.name))
        self.finish(data)

    def _not_found(self, model: Model, snap: Snapshot) -> None:
        route = next((r for r in model.routes if r.kind == "404"), None)
        if route is None:
            self.set_status(404)
            return self.finish(b"404 not found")
        return self._page(model, snap, route, 404)

    def _error_page(self, status: int, messages: list[str]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build error</title></head>"
                f"<body>{_error_banner(messages)}</body></html>").encode()
        self.finish(self._inject(page))


def _local(handler: type) -> type:
    return type(f"Local{handler.__name__}", (LocalOnly, handler), {})


def _error_banner(messages: list[str]) -> str:
    items = "".join(f"<li><pre>{html.escape(m)}</pre></li>" for m in messages[:50])
    return ('<div id="build-errors" role="alert" style="background:#fff0f0;color:#700;border:3px solid #c00;'
            'padding:1em;margin:0;font:14px/1.4 monospace;white-space:pre-wrap">'
            f"<strong>Build error</strong> — fix the file and save; this page reloads by itself.<ul>{items}</ul></div>")


def _type(name: str) -> str:
    if name.endswith(".xml"):
        return "application/xml; charset=utf-8"
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return guessed + ("; charset=utf-8" if guessed.startswith("text/") or guessed.endswith(("json", "javascript")) else "")


def serve(args) -> int:
    """`generator serve`: preview with live reload until Ctrl-C."""
    site_dir = args.source
    options = BuildOptions(source=site_dir, drafts=args.drafts, future=args.future, base_url=args.base_url,
                           quiet=args.quiet, verbose=args.verbose)
    config = load_site_config(options)  # a broken site.toml at start is a usage error (exit 2)
    # as in build: the model's hundreds of thousands of objects live on, and each default-paced
    # full collection over them would stall a page request by tens of milliseconds
    gc.set_threshold(20_000, 50, 100)
    preview = Preview(site_dir, options)
    try:
        hook("serve-first-refresh")
        preview.refresh(None)
        preview.index()
    except KeyboardInterrupt:
        print("\nstopping", file=sys.stderr)
        return 0

    loop = ioloop.IOLoop.current()
    LiveReloadHandler._last_reload_time = time.time()  # keeps livereload's own polling watcher off
    LiveReloadHandler.watcher = SimpleNamespace(filepath="")  # read by its log line only
    logging.getLogger("tornado.access").setLevel(logging.INFO if args.verbose else logging.ERROR)
    LiveReloadHandler.live_css = False

    def reload(changed: set[str]) -> None:
        # livereload.js swaps images in place and reloads the page for anything else; CSS names are
        # content-hashed, so a stylesheet change is a page reload too
        images = [p for p in sorted(changed) if p.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"))]
        path = images[0] if changed and len(images) == len(changed) else "*"
        loop.add_callback(LiveReloadHandler.reload_waiters, path)

    PageHandler.preview = GenerationHandler.preview = preview
    LocalOnly.bound_host = args.host
    app = web.Application([(r"/livereload", _local(LiveReloadHandler)), (r"/forcereload", _local(ForceReloadHandler)),
                           (r"/livereload.js", _local(LiveReloadJSHandler)), (GENERATION_URL, GenerationHandler),
                           (r"/(.*)", PageHandler)])
    port = None
    for candidate in range(args.port, args.port + 20):
        try:
            app.listen(candidate, address=args.host)
            port = candidate
            break
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise ConfigError(f"error: cannot listen on {args.host}:{candidate}: {exc.strerror}") from None
            print(f"port {candidate} is in use; trying {candidate + 1}", file=sys.stderr)
    if port is None:
        raise ConfigError(f"error: ports {args.port}–{args.port + 19} are all in use; pass --port")
    PageHandler.live_port = port

    observer = PollingObserver(timeout=0.25) if args.poll else Observer()
    watches: dict[str, object] = {}

    def watch(name: str) -> None:
        if name in watches:
            try:
                observer.unschedule(watches.pop(name))
            except (KeyError, ValueError):
                pass
        if (site_dir / name).is_dir():
            watches[name] = observer.schedule(watcher, str(site_dir / name), recursive=True)

    watcher = Watcher(preview, reload, watch)
    for name in WATCHED:
        watch(name)
    for name in (LAYOUTS_DIR, "assets"):  # a shared theme, a media share: watched where they really are
        for rel, real in linked_folders(site_dir / name, site_dir if name == "assets" else None):
            if os.path.isdir(real):
                watcher.links.append((f"{name}/{rel}", real))
                watches[f"{name}/{rel}"] = observer.schedule(watcher, real, recursive=True)
    observer.schedule(watcher, str(site_dir), recursive=False)  # site.toml (the output folder is never watched)
    observer.start()
    worker = threading.Thread(target=watcher.run, name="preview-refresh", daemon=True)
    worker.start()
    base = config.base_path
    url = f"http://{args.host}:{port}{base}"
    print(f"serving {site_dir.resolve()} at {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    if args.open:
        threading.Timer(0.5, lambda: webbrowser.open(url)).start()
    try:
        loop.start()
    except KeyboardInterrupt:
        print("\nstopping", file=sys.stderr)
    finally:
        watcher.stopped = True
        watcher.event.set()
        observer.stop()
        observer.join(timeout=2)
    return 0
