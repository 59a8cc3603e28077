"""Render the routes and write the output tree: only what changed, staged, swapped in atomically."""

from __future__ import annotations

import functools
import gc
import hashlib
import math
import multiprocessing
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator.errors import Problem, ProblemError
from generator.model import Article, Body
from generator.output import PREVIOUS, SHADOW, Staging, UnsafePath, digest, stat_token
from generator.pages import Lookups, Route, build_context, language_links, output_path, route_inputs, shown_date
from generator.progress import Progress
from generator.render import LazyBody
from generator.stamps import source_stamp
from generator.testhooks import parallel_min
from generator.workers import Workers

KEEP, REFILL, RENDER, CARRY = "keep", "refill", "render", "carry"
PARALLEL_RENDER_MIN = parallel_min(300)  # pages: below this, forking workers costs more than it saves
PARALLEL_RELATED_MIN = parallel_min(1000)  # related lists to compute (~0.1 ms each) before fingerprints fork
RENDER_CHUNK_MAX = 250  # pages per task (~0.25 s of work): the last task is the idle tail
WRITE_RUN = 64  # pages rendered before they are written (see Publisher._write_run)


@dataclass
class Outcome:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    template_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))


class Publisher:
    """Decides, per output file, whether to keep, refill or render it, then writes the new tree."""

    def __init__(self, model, out: Path, manifest: dict[str, tuple[str, str, str]], old_fragments: str | None,
                 load_body: Callable[[Article], Body],
                 reopen: Callable[[], tuple[Callable[[Article], Body], Callable[[str], str | None]]],
                 store_snippets: Callable[[dict[str, str]], None], jobs: int, progress: Progress, problems: list[Problem],
                 spare_manifest: dict[str, tuple[str, str]] | None = None, spare_digest: str = ""):
        self.model = model
        self.out = out
        self.manifest = manifest
        self.spare_manifest = spare_manifest
        self.spare_digest = spare_digest  # Cache.get_with_digest's, for the spare's LEVEL mark
        self.new_spare: dict[str, tuple[str, str]] | None = None  # the spare tree after this build
        self._out = os.fspath(out)
        self._checked: dict[str, str | None] = {}
        self.old_fragments = old_fragments
        self.load_body = load_body
        self.reopen = reopen  # in a worker: its own body loader and snippet lookup
        self.store_snippets = store_snippets  # the snippets workers rendered, as they come back
        self.jobs = jobs
        self.progress = progress
        self.problems = problems
        self.new_manifest: dict[str, tuple[str, str, str]] = {}
        self.staging: Staging | None = None  # set when the build changed the output

    def _previous(self, rel: str) -> str | None:
        """The previous build's file, if it is still exactly what that build wrote (asked once per file)."""
        if rel in self._checked:
            return self._checked[rel]
        entry = self.manifest.get(rel)
        found = None
        if entry is not None:
            path = f"{self._out}/{rel}"  # manifest paths were checked with safe_join when first written
            try:
                found = path if stat_token(os.stat(path)) == entry[2] else None
            except OSError:
                found = None
        self._checked[rel] = found
        return found

    def plan(self) -> tuple[list[tuple[Route, str, str | None]], str]:
        """(route, action, fingerprint) for every page, and the key of the site-wide slots.

        A page's fingerprint hashes its route and inputs (pages.route_inputs: a few articles by
        digest, terms, counts), which is all its context is made of, so an edit, a new article or
        a new related list re-renders exactly the pages that show it. Pages with no previous
        version are simply rendered (their fingerprint is taken then, in the worker).
        """
        fragments_key = fragments_key_of(self.model)
        known: list[tuple[Route, str]] = []  # routes with a previous version: compare fingerprints
        decisions = []
        for route in self.model.routes:
            rel = output_path(route.url)
            entry = self.manifest.get(rel)
            if entry is None or not entry[0] or self._previous(rel) is None:
                decisions.append((route, RENDER, None))
            else:
                known.append((route, entry[0]))
        fresh = self._fingerprints([r for r, _ in known])
        for route, old in known:
            fp = fresh[route.url]
            action = RENDER if fp != old else KEEP if self.old_fragments == fragments_key else REFILL
            decisions.append((route, action, fp))
        return decisions, fragments_key

    def _fingerprints(self, routes: list[Route]) -> dict[str, str]:
        """url -> fingerprint: a few microseconds a page, plus the related lists not in the cache,
        which are computed on every core when there are many."""
        missing = sum(ed.related.missing(r.key for r in routes if r.kind == "article" and r.lang == lang)
                      for lang, ed in self.model.editions.items())
        if self.jobs < 2 or missing < PARALLEL_RELATED_MIN:
            return {r.url: page_fingerprint(self.model, r) for r in routes}
        _STATE.update(publisher=self)
        chunks = [routes[i::self.jobs] for i in range(self.jobs)]
        gc.freeze()  # see _pages
        with Workers(_fingerprint_chunk, self.jobs) as workers:
            parts = list(workers.results(chunks))
        gc.unfreeze()
        _STATE.clear()
        out = {}
        for fps, lists in parts:
            _absorb_related(self.model, lists)
            out.update(fps)
        return out

    def run(self, extras: Callable[[], dict[str, bytes]], assets: dict[str, Path], search) -> Outcome:
        """Write the new output tree; `extras` gives the non-page files (asked once the pages are planned)."""
        outcome = Outcome()
        try:
            decisions, fragments_key = self.plan()
        except ProblemError as exc:  # a broken slot partial breaks every page: keep the previous site's pages
            self.problems.append(exc.problem)
            decisions, fragments_key = [], None
            for route in self.model.routes:
                rel = output_path(route.url)
                if self._previous(rel) is not None:
                    decisions.append((route, CARRY, self.manifest[rel][0]))
        self.fragments_key = fragments_key
        extras = extras()
        extra_digests = {rel: digest(data) for rel, data in extras.items()}
        asset_digests = {rel: _file_digest(path.stat()) for rel, path in assets.items()}
        wanted = {output_path(r.url) for r, _, _ in decisions} | set(extras) | set(assets)
        # Search bundles already in the cache are known now; shards still being built (in a
        # forked process, while the pages render) mean the output changes anyway.
        search_links: dict[str, tuple[Path, str]] = {}
        search_data: dict[str, bytes] = {}
        if search is not None and not search.pending:
            search_links, search_data = search.outputs()
        search_digests = {rel: d for rel, (_, d) in search_links.items()}
        search_digests.update((rel, digest(data)) for rel, data in search_data.items())
        wanted |= set(search_digests)
        unchanged = (all(a == KEEP for _, a, _ in decisions)
                     and (search is None or not search.pending)
                     and all(self._previous(rel) is not None and self.manifest[rel][1] == d
                             for rel, d in (extra_digests | asset_digests | search_digests).items())
                     and set(self.manifest) == wanted)
        if unchanged:
            if search is not None:
                self.problems.extend(search.wait())  # a missing binary is reported on every build
            outcome.unchanged = len(self.manifest)
            self.new_manifest = dict(self.manifest)
            return outcome  # nothing changed: nothing is touched
        staging = Staging(self.out, self.spare_manifest, shadow=not self.out.exists(), spare_digest=self.spare_digest)
        self._pages(staging, decisions, outcome)
        for rel, data in extras.items():
            self._put(staging, rel, lambda data=data: data, extra_digests[rel], outcome)
        for rel, path in assets.items():
            self._put(staging, rel, path.read_bytes, asset_digests[rel], outcome)
        if search is not None:
            self.problems.extend(search.wait())
            search_links, search_data = search.outputs()
            for rel, (path, d) in search_links.items():
                self._link(staging, rel, path, d, outcome)
            for rel, data in search_data.items():
                self._put(staging, rel, lambda data=data: data, digest(data), outcome)
        outcome.removed = len(set(self.manifest) - set(self.new_manifest))
        spare = staging.commit(set(self.new_manifest))
        if spare == PREVIOUS:  # what the spare now holds
            old = {rel: e[2] for rel, e in self.manifest.items()}
        elif spare == SHADOW:  # hard links to every file staged
            old = {rel: e[2] for rel, e in self.new_manifest.items()}
        else:
            old = {}
        staging.mirror({rel: e[2] for rel, e in self.new_manifest.items()}, old)
        self.new_spare = {rel: (h, token) for rel, (_, h, token) in self.new_manifest.items()}
        self.staging = staging
        return outcome

    def _put(self, staging: Staging, rel: str, data, data_digest: str, outcome: Outcome, fp: str = "") -> None:
        """Place one non-page file: carried over when its bytes are unchanged, else written."""
        previous = self._previous(rel)
        if previous is not None and self.manifest[rel][1] == data_digest:
            token = staging.keep(rel, previous, data_digest)
            outcome.unchanged += 1
        else:
            token = staging.write(rel, data(), data_digest)
            outcome.written += 1
        self.new_manifest[rel] = (fp, data_digest, token)

    def _link(self, staging: Staging, rel: str, path: Path, data_digest: str, outcome: Outcome) -> None:
        """Place a file made outside the output (a cached search bundle's): the previous output's
        file when its bytes are the same, else a hard link to (or copy of) the cached one."""
        previous = self._previous(rel)
        if previous is not None and self.manifest[rel][1] == data_digest:
            token = staging.keep(rel, previous, data_digest)
            outcome.unchanged += 1
        else:
            token = staging.keep(rel, path, data_digest)
            outcome.written += 1
        self.new_manifest[rel] = ("", data_digest, token)

    def _pages(self, staging: Staging, decisions, outcome: Outcome) -> None:
        to_render = [(r, a, fp) for r, a, fp in decisions if a in (RENDER, REFILL)]
        whens = {lang: shown_date(ed.site) for lang, ed in self.model.editions.items()}

        def when(route: Route) -> float:  # newest first: cards are reused while still memoised
            return whens.get(route.lang, whens[self.model.site.config.language])(route)
        to_render.sort(key=lambda item: when(item[0]), reverse=True)
        for route, action, fp in decisions:
            if action in (KEEP, CARRY):
                rel = output_path(route.url)
                token = staging.keep(rel, self._previous(rel), self.manifest[rel][1])
                # a carried page (its template failed) is re-rendered next time: no fingerprint kept
                self.new_manifest[rel] = (fp if action == KEEP else "", self.manifest[rel][1], token)
                outcome.unchanged += 1
        task = self.progress.task("render", len(to_render))
        if len(to_render) >= PARALLEL_RENDER_MIN and self.jobs > 1:
            # Contiguous runs, short enough that the last one leaves the other workers idle for a
            # moment only. Half the workers take them from the newest end, half from the oldest,
            # until they meet: each sweeps its own stretch of the site, whose cards it has
            # memoised, where sweeping side by side rendered a third of the cards twice.
            size = max(1, min(RENDER_CHUNK_MAX, math.ceil(len(to_render) / (self.jobs * 8))))
            chunks = [to_render[i:i + size] for i in range(0, len(to_render), size)]
            ctx = multiprocessing.get_context("fork")
            ends, sides = ctx.Array("l", [0, len(chunks)]), ctx.Value("l", 0)
            _STATE.update(publisher=self, staging=staging, chunks=chunks, ends=ends, sides=sides)
            gc.freeze()  # the workers' collector leaves the model alone: its pages stay shared, not copied
            with Workers(_render_chunk, self.jobs, _render_init) as workers:
                for payload in workers.results(range(len(chunks))):
                    self._absorb(payload, outcome)
                    task.advance(len(payload[0]))
            _STATE.clear()
            gc.unfreeze()
        else:
            results = self.render_many(staging, to_render, self.load_body)
            self._absorb((results, {}, {}), outcome)  # the snippets stay in each renderer's fresh_snippets
            task.advance(len(results))
        task.done()

    def _absorb(self, payload, outcome: Outcome) -> None:
        results, lists, snippets = payload
        _absorb_related(self.model, lists)
        if snippets:
            self.store_snippets(snippets)
        for rel, entry, problem, template, seconds, written in results:
            outcome.template_seconds[template] += seconds
            if problem is not None:
                self.problems.append(problem)
                outcome.failed += 1
            if entry is not None:
                self.new_manifest[rel] = entry
                if written:
                    outcome.written += 1
                else:
                    outcome.unchanged += 1

    def render_many(self, staging: Staging, items, load_body) -> list:
        for lang, ed in self.model.editions.items():
            ed.related.warm(r.key for r, a, _ in items if r.kind == "article" and a == RENDER and r.lang == lang)
        out: list = []
        made: list = []  # (route, rel, fingerprint, bytes, digest, seconds), written in runs of WRITE_RUN
        # one template after the other: each one's code stays in the CPU's caches for its pages
        for route, action, fp in sorted(items, key=lambda item: item[0].template):
            rel = output_path(route.url)
            started = time.perf_counter()
            edition = self.model.edition(route)
            renderer = edition.renderer
            try:
                if action == REFILL:
                    previous = self._previous(rel)
                    with open(previous, encoding="utf-8") as fh:
                        html = renderer.fill(fh.read())
                else:
                    inputs = page_inputs(self.model, route)
                    fp = renderer.route_fingerprint(route, inputs)
                    context = build_context(route, inputs, edition.site.config, edition.strings)
                    html = render_context(self.model, route, context, load_body)
                data = html.encode("utf-8")
                made.append((route, rel, fp, data, digest(data), time.perf_counter() - started))
            except ProblemError as exc:
                out.append(self._failed(staging, route, rel, exc.problem, time.perf_counter() - started))
            if len(made) >= WRITE_RUN:
                self._write_run(staging, made, out)
        self._write_run(staging, made, out)
        return out

    def _write_run(self, staging: Staging, made: list, out: list) -> None:
        """Write pages rendered back to back: the templates' code and the file system's then take
        turns in the CPU's caches once a run, not once a page."""
        for route, rel, fp, data, d, seconds in made:
            try:
                previous = self._previous(rel)
                if previous is not None and self.manifest[rel][1] == d:
                    token, written = staging.keep(rel, previous, d), False
                else:
                    token, written = staging.write(rel, data, d), True
                out.append((rel, (fp, d, token), None, route.template, seconds, written))
            except UnsafePath:
                out.append(self._failed(staging, route, rel, Problem(
                    route.key or route.url, f"output path {rel!r} would leave the output folder; not written", None,
                    "change its slug or permalink"), seconds))
        made.clear()

    def _failed(self, staging: Staging, route: Route, rel: str, problem: Problem, seconds: float) -> tuple:
        """A page that could not be made: its last good version stays online (re-rendered next build)."""
        entry = None
        previous = self._previous(rel)
        if previous is not None:
            entry = ("", self.manifest[rel][1], staging.keep(rel, previous, self.manifest[rel][1]))
        return rel, entry, problem, route.template, seconds, False


def lookups(model, route: Route | None = None) -> Lookups:
    """What page inputs need from the model, from the route's edition (made once per edition: this
    is asked for every page)."""
    edition = model.edition(route) if route is not None else model.editions[model.site.config.language]
    if edition.lookups is None:
        related, ticker = edition.related, edition.ticker
        languages = (lambda r: ())
        if len(model.editions) > 1 and model.sites is not None:
            languages = functools.partial(language_links, editions=model.sites, names=model.language_names)
        edition.lookups = Lookups(related=lambda a: related.get(a.source, ()),
                                  trending=edition.trending.articles, trending_ranked=edition.trending.ranked,
                                  coin=ticker.by_symbol, prices_as_of=ticker.as_of, languages=languages)
    return edition.lookups


def page_inputs(model, route: Route) -> tuple:
    return route_inputs(route, model.edition(route).site, lookups(model, route))


def page_fingerprint(model, route: Route) -> str:
    return model.edition(route).renderer.route_fingerprint(route, page_inputs(model, route))


def page_context(model, route: Route) -> dict:
    """What the route's template receives (pages.build_context of its inputs)."""
    edition = model.edition(route)
    return build_context(route, page_inputs(model, route), edition.site.config, edition.strings)


def fragments_key_of(model) -> str:
    """The key of every edition's site-wide slots: a change in any refills the pages."""
    keys = [ed.renderer.fragments_key() for ed in model.editions.values()]
    return keys[0] if len(keys) == 1 else hashlib.sha256("\0".join(keys).encode()).hexdigest()[:24]


def _related_fresh(model) -> dict:
    """The related lists computed in this process since the last call, per edition (for the parent)."""
    out = {}
    for lang, ed in model.editions.items():
        lists = dict(ed.related.fresh)
        ed.related.fresh.clear()
        if lists:
            out[lang] = (lists, {s for s in lists if s in ed.related.filled})
    return out


def _absorb_related(model, lists: dict) -> None:
    for lang, (found, filled) in lists.items():
        model.editions[lang].related.absorb(found, filled)


def _file_digest(st) -> str:
    """An asset's version for the manifest: its stat, as a source's (it is copied, never linked)."""
    return f"file:{stat_token(st)}:{source_stamp(st)}"


def render_route(model, route: Route, load_body: Callable[[Article], Body]) -> str:
    """One page's final HTML from the current model (raises ProblemError on template errors)."""
    return render_context(model, route, page_context(model, route), load_body)


def render_context(model, route: Route, context: dict, load_body: Callable[[Article], Body]) -> str:
    if "article" in context:
        config = model.site.config
        context["content"] = LazyBody(context["article"], load_body, config.base_path,
                                      model.images.get if model.images is not None else None,
                                      config.host)
    return model.edition(route).renderer.page(route, context)


_STATE: dict = {}


def _fingerprint_chunk(routes: list[Route]):
    """Fingerprints computed in a worker, with the related lists computed on the way."""
    model = _STATE["publisher"].model
    _related_fresh(model)
    fps = [(r.url, page_fingerprint(model, r)) for r in routes]
    return fps, _related_fresh(model)


def _render_init() -> None:
    _STATE["load_body"], stored = _STATE["publisher"].reopen()
    for ed in _STATE["publisher"].model.editions.values():
        ed.renderer.stored_snippet = stored
        ed.renderer.fresh_snippets = {}
    with _STATE["sides"].get_lock():
        _STATE["from_end"] = _STATE["sides"].value % 2 == 1
        _STATE["sides"].value += 1


def _next_chunk() -> list:
    """This worker's next run of pages: from its end of the list, or none once the two ends met."""
    ends = _STATE["ends"]
    with ends.get_lock():
        if ends[0] >= ends[1]:
            return []
        if _STATE["from_end"]:
            ends[1] -= 1
            return _STATE["chunks"][ends[1]]
        ends[0] += 1
        return _STATE["chunks"][ends[0] - 1]


def _render_chunk(_task: int):
    """Render the next run of pages in a worker (each task takes one, so there are as many tasks
    as runs): the snippets rendered and related lists computed on the way go back to the main
    process (for the next build)."""
    items = _next_chunk()
    publisher = _STATE["publisher"]
    _related_fresh(publisher.model)
    results = publisher.render_many(_STATE["staging"], items, _STATE["load_body"])
    snippets = {}
    for ed in publisher.model.editions.values():
        snippets.update(ed.renderer.fresh_snippets)
        ed.renderer.fresh_snippets = {}
    return results, _related_fresh(publisher.model), snippets
