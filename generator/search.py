"""Full-text search: Pagefind bundles made from the site model, one per shard of the articles.

Pagefind has no incremental mode, its memory grows with the text it indexes (~60 bytes of RSS
a character) and its time too. So the articles are split into shards (a year, quarter or month
of publication, whichever is the largest with few articles; a busy month in bounded runs), each
shard gets its own Pagefind run over minimal record pages written from the model (title, date,
category, tags, coins, thumbnail and the text: no header, menus or sidebars to parse), and each
finished bundle is kept in `.cache/search/` under a hash of its records. A build runs Pagefind
only for the shards whose records changed (a publish: the newest shard; an edit: the article's
own), in a forked process while the pages render, and links the bundles into
`pagefind/<shard>/` of the output. The search page merges the bundles in the browser with
Pagefind's `mergeIndex`, reading their list from `pagefind/shards.json`.
"""

from __future__ import annotations

import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from generator.config import SiteConfig
from generator.errors import Problem
from generator.model import Article, Body
from generator.taxonomy import TERM_KINDS

PREFIX = "pagefind/"
MANIFEST = PREFIX + "shards.json"
FORMAT = "records-6"  # bump when the record pages change shape: every shard is rebuilt
SMALL_SHARD_RECORDS = 400  # a year, quarter or month this small is one shard (~1 s of Pagefind)
MAX_SHARD_RECORDS = 1000  # articles per Pagefind run: ~1 s and ~110 MB (~2.5 s, 310 MB with their whole text)
MAX_SHARD_WORDS = 800_000  # words per Pagefind run: keeps each run well under 500 MB RSS
MAX_BODY_CHARS = 200_000  # of an article's body HTML indexed (a book-length article stays bounded)
THUMB_WIDTH = 320
# Files of a bundle the search page needs: the index itself in every shard; the runtime (the
# JavaScript API, its worker and the WebAssembly) only in the primary one, which loads it once for all.
RUNTIME = ("pagefind.js", "pagefind-worker.js")
UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")
PAGEFIND_TIMEOUT = 600
PAGEFIND_ENV = "GENERATOR_PAGEFIND"
RECORDS_TMP = "/dev/shm"  # a memory file system, where there is one; else the system's temporary folder


def pagefind_command() -> list[str] | None:
    """The pagefind binary: $GENERATOR_PAGEFIND if set, else the one shipped by the PyPI package
    (pagefind[bin]), else one on PATH."""
    chosen = os.environ.get(PAGEFIND_ENV)
    if chosen:
        found = shutil.which(chosen)
        return [found] if found else None
    try:
        from pagefind_bin import get_executable  # type: ignore[import-not-found]
        found = str(get_executable())
        if os.access(found, os.X_OK):
            return [found]
    except Exception:  # noqa: BLE001 - any failure means: look elsewhere
        pass
    found = shutil.which("pagefind") or shutil.which("pagefind_extended")
    return [found] if found else None


@dataclass(frozen=True)
class Shard:
    """One Pagefind bundle's worth of articles (oldest first) and the hash of their records."""

    label: str  # '2025-07', or '2025-07-2' for a month's second shard: its folder under pagefind/
    articles: tuple[Article, ...]
    key: str
    lang: str = ""  # a multilingual site's shards are per language: label 'fr/2025-07', under pagefind/fr/


def plan_shards(articles: Iterable[Article], thumb: Callable[[Article], str], salt: str) -> list[Shard]:
    """The shards, newest first: a year of articles, or its quarters, or their months, whichever
    is the largest period that fits in a small shard (SMALL_SHARD_RECORDS); a month too big for
    one shard goes oldest first into shards of at most MAX_SHARD_RECORDS. So a new article
    changes only the last shard of its period, an edit only its own shard, and shard boundaries
    move only when a period outgrows a small shard."""
    by_year: dict[int, list[Article]] = {}
    for article in sorted(articles, key=lambda a: (a.date, a.source)):
        by_year.setdefault(article.date.year, []).append(article)
    runs: list[tuple[str, list[Article]]] = []
    for year, members in by_year.items():
        if _small(members):
            runs.append((f"{year:04d}", members))
            continue
        for quarter in range(4):
            in_quarter = [a for a in members if (a.date.month - 1) // 3 == quarter]
            if not in_quarter:
                continue
            if _small(in_quarter):
                runs.append((f"{year:04d}-q{quarter + 1}", in_quarter))
                continue
            for month in range(quarter * 3 + 1, quarter * 3 + 4):
                in_month = [a for a in in_quarter if a.date.month == month]
                runs += _chunks(f"{year:04d}-{month:02d}", in_month)
    shards = []
    for label, run in runs:
        h = hashlib.sha256(f"{FORMAT}\0{salt}\0{label}".encode())
        for a in run:
            h.update(f"\0{a.digest}\0{a.url}\0{thumb(a)}".encode())
        shards.append(Shard(label, tuple(run), h.hexdigest()[:24]))
    shards.reverse()
    return shards


def _size(article: Article) -> int:
    return min(article.words, MAX_BODY_CHARS // 5)


def _small(articles: list[Article]) -> bool:
    return len(articles) <= SMALL_SHARD_RECORDS and sum(map(_size, articles)) <= SMALL_SHARD_RECORDS * 1000


def _chunks(month: str, articles: list[Article]) -> list[tuple[str, list[Article]]]:
    """A month's articles, oldest first, in shards of bounded count and words."""
    runs: list[list[Article]] = []
    words = 0
    for article in articles:
        if not runs or len(runs[-1]) >= MAX_SHARD_RECORDS or words + _size(article) > MAX_SHARD_WORDS:
            runs.append([])
            words = 0
        runs[-1].append(article)
        words += _size(article)
    return [(month if i == 0 else f"{month}-{i + 1}", run) for i, run in enumerate(runs)]


def record_html(article: Article, body: Body, thumb: str, language: str, text_limit: int) -> str:
    """The page Pagefind indexes for one article: what a result shows (meta), what it can be
    filtered and sorted by, and the text to search (summary and body, clipped to text_limit)."""
    e = html.escape
    # The title is a meta field, not body text: Pagefind (1.5) ranks matches in it, and the
    # excerpt then comes from the text instead of repeating the title.
    hidden = [f'<span data-pagefind-meta="title">{e(article.title)}</span>',
              f'<span data-pagefind-meta="date">{e(article.date.strftime("%B %-d, %Y"))}</span>',
              f'<span data-pagefind-sort="date">{e(_utc_iso(article))}</span>']
    for kind in TERM_KINDS:  # every term a filter; the category also shown on the result
        for t in kind.of(article):
            hidden.append(f'<span data-pagefind-filter="{kind.name}">{e(t.name)}</span>'
                          + (f'<span data-pagefind-meta="category">{e(t.name)}</span>' if kind.name == "category" else ""))
    if thumb:
        alt = article.image.alt if article.image is not None else ""
        hidden.append(f'<img data-pagefind-meta="image[src], image_alt[alt]" src="{e(thumb)}" alt="{e(alt)}">')
    text = _indexed_text(body.html[:MAX_BODY_CHARS], text_limit)
    summary = " ".join(article.summary.split())
    if summary and not text.startswith(summary[:80]):  # a summary of its own (else it is the first paragraph)
        text = f"{text} {summary}".strip()
    text = text or article.title  # Pagefind skips a page without text
    return (f'<!doctype html><html lang="{e(language)}"><head><meta charset="utf-8"><title>{e(article.title)}</title>'
            f'</head><body><main data-pagefind-body><div data-pagefind-ignore>{"".join(hidden)}</div>'
            f'<p>{e(text)}</p></main></body></html>')


_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.I | re.S)
_BREAK = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|table|thead|tbody|tr|td|th|blockquote|pre|br|hr|figure|"
                    r"figcaption|section|aside|details|summary|sup)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
FOOTNOTES = '<div class="footnote">'  # Python-Markdown's footnotes block


def _indexed_text(body_html: str, limit: int) -> str:
    """The text a record holds: all of it, or (clipped to `limit`) the start and the end of the
    story plus the end of its footnotes. Python-Markdown puts the notes after the text wherever
    they were written, so the story's own end (where an update is appended) is kept apart from
    theirs (where a line added under the last note lands)."""
    notes = body_html.rfind(FOOTNOTES) if limit and len(body_html) > limit else -1
    story = clip(body_text(_ends(body_html if notes < 0 else body_html[:notes], limit)), limit)
    if notes < 0:
        return story
    tail = body_text(body_html[max(notes, len(body_html) - limit * 2):].split(">", 1)[-1])  # (cut between tags)
    if len(tail) > limit // 4:
        tail = tail[-(limit // 4):].split(" ", 1)[-1]
    return f"{story} {tail}".strip()


def _ends(body_html: str, limit: int) -> str:
    """Only the start and the end of a long body's HTML (cut between tags), enough to fill `limit`
    characters of text: the rest would be converted to text only to be clipped away."""
    if not limit or len(body_html) <= limit * 8:
        return body_html
    head, tail = limit * 4, len(body_html) - limit * 3
    opened = body_html.rfind("<", 0, head)
    if opened > body_html.rfind(">", 0, head):  # not inside a tag (a long paragraph is cut in its text)
        head = opened
    closed, opens = body_html.find(">", tail), body_html.find("<", tail)
    if closed != -1 and (opens == -1 or closed < opens):
        tail = closed + 1
    return body_html[:head] + " " + body_html[tail:]


def body_text(body_html: str) -> str:
    """A body's words as a reader sees them: block boundaries are spaces, inline tags nothing."""
    text = _TAG.sub("", _BREAK.sub(" ", _HIDDEN.sub(" ", body_html)))
    return " ".join(html.unescape(text).split())


def clip(text: str, limit: int) -> str:
    """At most about `limit` characters: the start (three quarters) and the end (a quarter), cut
    between words. The start holds the lead a news reader searches for; the end, the latest
    update appended to a story."""
    if not limit or len(text) <= limit:
        return text
    tail = limit // 4
    head = text[:limit - tail].rsplit(" ", 1)[0]
    end = text[-tail:].split(" ", 1)[-1]
    return f"{head} … {end}"


def _utc_iso(article: Article) -> str:
    """Sortable as text: Pagefind sorts non-numeric values alphabetically."""
    from datetime import timezone
    return article.date.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class SearchIndex:
    """The search bundles of one build (or of the preview server's current model)."""

    def __init__(self, root: Path, config: SiteConfig, images=None):
        self.root = root  # .cache/search
        self.config = config
        self.images = images
        self.command = pagefind_command()
        self.shards: list[Shard] = []
        self.todo: list[Shard] = []
        self._process = None
        self._receive = None
        self._problems: list[Problem] = []
        self.incomplete = False  # a shard could not be built: the next build must try again
        self._thumbs: dict[str, str] = {}

    # --- planning ---------------------------------------------------------------------------
    def thumb(self, article: Article) -> str:
        """The site path (or URL) of the article's card-sized image, or the site's default image."""
        src = article.image.src if article.image is not None else self.config.default_image
        if not src:
            return ""
        found = self._thumbs.get(src)  # many articles share an image (the default one above all)
        if found is None:
            info = self.images.get(src) if self.images is not None else None
            variant = info.best(THUMB_WIDTH) if info is not None else None
            found = self._thumbs[src] = variant.url if variant is not None else src
        return found

    def plan(self, articles: list[Article]) -> list[Shard]:
        """Decide the shards and which of them need a Pagefind run (their bundle is not cached)."""
        salt = f"{self._binary_id()}\0{self.config.language}\0{self.config.search.text_limit}"
        codes = self.config.language_codes()
        if not codes:
            self.shards = plan_shards(articles, self.thumb, salt)
        else:  # one index per language: Pagefind stems and splits words by the language's rules
            default = self.config.default_language  # its index stays at pagefind/, the others' under pagefind/{lang}/
            self.shards = [Shard(s.label if code == default else f"{code.lower()}/{s.label}", s.articles, s.key, code)
                           for code in codes
                           for s in plan_shards([a for a in articles if a.lang == code], self.thumb, f"{salt}\0{code}")]
        self.todo = [s for s in self.shards if not (self.root / s.key / "files.json").is_file()]
        return self.todo

    def _binary_id(self) -> str:
        if self.command is None:
            return "none"
        try:
            st = os.stat(self.command[0])
            return f"{self.command[0]}:{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            return self.command[0]

    @property
    def pending(self) -> bool:
        """Some shard still has to be (or is being) built: the output is not as the cache says."""
        return bool(self.todo) and self.command is not None

    # --- building -----------------------------------------------------------------------------
    def build(self, load_body: Callable[[Article], Body], parallel: int = 1,
              give_way: Callable[[], None] | None = None) -> list[Problem]:
        """Build the planned shards here, up to `parallel` Pagefind runs at a time (the next
        shard's records are written while they run); returns the problems met.

        With `give_way` (the preview's index made in the background) Pagefind runs at a lower
        priority and the function is called between records, so that it can wait while the
        preview handles a save: the save then has the processor and the interpreter to itself."""
        problems: list[Problem] = []
        if self.command is None:
            if self.shards:
                problems.append(missing_binary())
            return problems
        self.root.mkdir(parents=True, exist_ok=True)
        running: list[tuple[Shard, subprocess.Popen | OSError, Path]] = []
        for shard in self.todo:
            tmp = self._write_records(shard, load_body, give_way)
            while len(running) >= max(1, parallel):
                problems += self._finish(*running.pop(0))
            running.append((shard, self._start(tmp, shard.lang or self.config.language, give_way is not None), tmp))
        for item in running:
            problems += self._finish(*item)
        return problems

    def start(self, load_body_factory: Callable[[], Callable[[Article], Body]], jobs: int) -> None:
        """Build the planned shards: with several cores, in a forked process (while this one
        renders pages) running up to `jobs` Pagefind processes at once; else here and now."""
        background = jobs > 1
        if not self.pending:
            if self.command is None and self.shards:
                self._problems.append(missing_binary())
            return
        if not background:
            self._problems += self.build(load_body_factory())
            self.todo = []
            return
        ctx = multiprocessing.get_context("fork")
        self._receive, send = ctx.Pipe(duplex=False)

        def child() -> None:
            try:
                found = self.build(load_body_factory(), jobs)
            except Exception as exc:  # noqa: BLE001 - reported by the parent as a warning
                found = [Problem("site.toml", f"search index failed: {type(exc).__name__}: {exc}", level="warning")]
            send.send(found)

        self._process = ctx.Process(target=child, name="search", daemon=True)
        self._process.start()
        send.close()

    def wait(self) -> list[Problem]:
        """Wait for the shards being built; the problems met (missing binary, Pagefind errors)."""
        if self._process is not None:
            try:
                self._problems += self._receive.recv()
            except (EOFError, OSError):
                self._problems.append(Problem("site.toml", "the search indexer stopped unexpectedly; "
                                                           "some search results may be missing", level="warning"))
            finally:
                self.close()
            self.todo = []
        problems, self._problems = self._problems, []
        self.incomplete = self.incomplete or bool(problems)
        return problems

    def close(self) -> None:
        if self._process is not None:
            self._receive.close()
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None

    def _write_records(self, shard: Shard, load_body: Callable[[Article], Body],
                       give_way: Callable[[], None] | None = None) -> Path:
        """The shard's record pages, in a temporary folder (in memory where the system has one:
        they are read once), laid out as the site's URLs (Pagefind takes a page's URL from its path)."""
        tmp = self.root / f"tmp-{shard.key}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        site = Path(tempfile.mkdtemp(prefix="blockline-search-", dir=RECORDS_TMP if os.path.isdir(RECORDS_TMP) else None))
        (tmp / "site").symlink_to(site)
        made: set[str] = set()
        language = shard.lang or self.config.language
        limit = self.config.search.text_limit
        for article in shard.articles:
            if give_way is not None:
                give_way()
            rel = article.url.strip("/")
            folder = site.joinpath(*rel.split("/")) if rel else site
            folder_s = os.fspath(folder)
            if folder_s not in made:
                os.makedirs(folder_s, exist_ok=True)
                made.add(folder_s)
            page = record_html(article, load_body(article), self.thumb(article), language, limit)
            with open(os.path.join(folder_s, "index.html"), "w", encoding="utf-8") as fh:
                fh.write(page)
        return tmp

    def _start(self, tmp: Path, language: str, low_priority: bool = False) -> subprocess.Popen | OSError:
        args = self.command + ["--site", os.readlink(tmp / "site"), "--output-path", str(tmp / "bundle"), "--silent",
                               "--force-language", language.split("-")[0].lower() or "en"]
        try:
            proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except OSError as exc:
            return exc
        if low_priority and hasattr(os, "setpriority"):
            try:
                os.setpriority(os.PRIO_PROCESS, proc.pid, 10)
            except OSError:
                pass  # it has already ended, or the system refuses: it just runs at the usual priority
        return proc

    def _finish(self, shard: Shard, proc: subprocess.Popen | OSError, tmp: Path) -> list[Problem]:
        try:
            if isinstance(proc, OSError):
                return [failed(shard, str(proc))]
            try:
                output, _ = proc.communicate(timeout=PAGEFIND_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                return [failed(shard, f"no answer after {PAGEFIND_TIMEOUT} s")]
            bundle = tmp / "bundle"
            if proc.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
                text = output.decode("utf-8", "replace").strip()[-500:] or f"exit code {proc.returncode}"
                return [failed(shard, text)]
            files = {}
            for path in sorted(bundle.rglob("*")):
                rel = path.relative_to(bundle).as_posix()
                if path.is_file():
                    if rel.startswith(UNUSED) or rel.startswith("playground/"):
                        path.unlink()
                    else:
                        files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
            (bundle / "files.json").write_text(json.dumps(files, sort_keys=True), encoding="utf-8")
            target = self.root / shard.key
            shutil.rmtree(target, ignore_errors=True)
            os.rename(bundle, target)  # files.json last: a bundle with it is whole
            return []
        finally:
            _drop_records(tmp)
            shutil.rmtree(tmp, ignore_errors=True)

    # --- the output -----------------------------------------------------------------------------
    def outputs(self) -> tuple[dict[str, tuple[Path, str]], dict[str, bytes]]:
        """(files to link into the output: rel -> (cached file, digest), files to write: rel -> bytes).

        The newest shard is the primary bundle and carries Pagefind's runtime; the others only
        their index. A shard whose bundle is missing (Pagefind failed) is left out of the list.
        """
        links: dict[str, tuple[Path, str]] = {}
        manifests: dict[str, bytes] = {}
        langs = list(dict.fromkeys(s.lang for s in self.shards)) or [""]
        default = self.config.default_language
        for lang in langs:  # one index per language, each with its own manifest and runtime
            folder = f"{lang.lower()}/" if lang and lang != default else ""
            shards = [s for s in self.shards if s.lang == lang]
            manifests[PREFIX + folder + "shards.json"] = self._bundles(shards, folder, links)
        if self.config.language_codes():  # a language without articles still has an (empty) index
            for code in self.config.language_codes():
                folder = f"{code.lower()}/" if code != default else ""
                manifests.setdefault(f"{PREFIX}{folder}shards.json", self._bundles([], "", links))
        return links, manifests

    def _bundles(self, shards: list[Shard], folder: str, links: dict[str, tuple[Path, str]]) -> bytes:
        """Link these shards' bundles into `links`; their manifest (paths relative to pagefind/{folder})."""
        bundles = []
        primary = None
        for shard in shards:
            cached = self.root / shard.key
            try:
                files = json.loads((cached / "files.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if primary is None:
                primary = shard.label
            for rel, d in files.items():
                if shard.label != primary and (rel in RUNTIME or rel.startswith("wasm.")):
                    continue
                links[f"{PREFIX}{shard.label}/{rel}"] = (cached / rel, d)
            bundles.append({"path": f"{shard.label[len(folder):]}/", "articles": len(shard.articles),
                            "from": _utc_iso(shard.articles[0])[:10], "to": _utc_iso(shard.articles[-1])[:10]})
        manifest = {"version": 1, "primary": f"{primary[len(folder):]}/" if primary else None, "bundles": bundles,
                    "articles": sum(b["articles"] for b in bundles)}
        return json.dumps(manifest, indent=1).encode() + b"\n"

    def prune(self) -> None:
        """Drop cached bundles no shard uses any more (and records left by killed builds)."""
        keep = {s.key for s in self.shards}
        try:
            entries = list(os.scandir(self.root))
        except OSError:
            return
        stale = time.time() - 3600  # another process's records may still be in use (a preview next to a build)
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name not in keep:
                try:
                    if entry.name.startswith("tmp-") and entry.stat(follow_symlinks=False).st_mtime > stale:
                        continue
                except OSError:
                    continue
                _drop_records(Path(entry.path))
                shutil.rmtree(entry.path, ignore_errors=True)


def _drop_records(tmp: Path) -> None:
    """Delete the records a shard's temporary folder points at (in the system's temporary folder)."""
    link = tmp / "site"
    if link.is_symlink():
        target = os.readlink(link)
        if os.path.basename(target).startswith("blockline-search-"):
            shutil.rmtree(target, ignore_errors=True)


def missing_binary() -> Problem:
    return Problem("site.toml", "search is enabled but the pagefind binary is not installed or cannot run; "
                                "no search index was built (the pages are published)", level="warning",
                   hint="pip install 'pagefind[bin]', or build with --no-search")


def failed(shard: Shard, detail: str) -> Problem:
    return Problem("site.toml", f"pagefind failed on the search shard {shard.label} "
                                f"({len(shard.articles)} articles); they are missing from search results: {detail}",
                   level="warning", hint="fix what Pagefind reports above, or build with --no-search")
