"""The persistent build cache: parsed files, rendered bodies and the last build's page manifest.

One SQLite file in <site>/.cache/. It is only ever a shortcut: every entry is keyed by what
produced it (file bytes or stat, generator version, Markdown settings, config), and a cache
that is missing, corrupt or from another version is simply rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sqlite3
from pathlib import Path

from generator import __version__
from generator.markup import SETTINGS_KEY
from generator.model import Body, Parsed

CACHE_DIR = ".cache"
SCHEMA = f"{__version__}:{SETTINGS_KEY}:13"

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, config TEXT,
                                  body_key TEXT, parsed BLOB);
CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, html TEXT, toc TEXT, first TEXT, words INTEGER,
                                   extra TEXT);
CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, fingerprint TEXT, hash TEXT, stat TEXT);
CREATE TABLE IF NOT EXISTS snippets (key TEXT PRIMARY KEY, html TEXT, gkey TEXT);
"""


class Cache:
    """A thin, typed face over the SQLite file; `path=None` keeps everything in memory."""

    def __init__(self, path: Path | None):
        self.path = path
        self.db = self._open(path)

    @staticmethod
    def for_site(site_dir: Path) -> "Cache":
        return Cache(site_dir / CACHE_DIR / "build.sqlite")

    def _open(self, path: Path | None) -> sqlite3.Connection:
        if path is None:
            return self._init(sqlite3.connect(":memory:"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            gitignore = path.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n")
            # one connection is used by one thread at a time, but the preview server hands it from
            # the thread that starts it to the one that refreshes it
            db = self._init(sqlite3.connect(path, timeout=30, check_same_thread=False))
            if self._get(db, "schema") != SCHEMA:
                db.executescript("DROP TABLE files; DROP TABLE bodies; DROP TABLE pages; DROP TABLE IF EXISTS snippets; DELETE FROM meta;")
                self._init(db)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA,))
                db.commit()
            return db
        except (sqlite3.DatabaseError, OSError):
            try:  # a corrupt or unreadable cache is thrown away, never trusted
                path.unlink(missing_ok=True)
                db = self._init(sqlite3.connect(path, timeout=30))
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA,))
                db.commit()
                return db
            except (sqlite3.DatabaseError, OSError):
                self.path = None
                return self._init(sqlite3.connect(":memory:"))

    @staticmethod
    def _init(db: sqlite3.Connection) -> sqlite3.Connection:
        db.execute("PRAGMA page_size=16384")  # a new file only: rows are pages of HTML; fewer, larger writes
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_TABLES)
        return db

    @staticmethod
    def _get(db: sqlite3.Connection, key: str):
        row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def reader(self) -> "Cache":
        """A separate connection for another process (SQLite connections do not survive fork)."""
        return Cache(self.path) if self.path else self

    # --- parsed files -------------------------------------------------------------------
    def files(self) -> dict[str, tuple[int, int, str, str]]:
        """rel -> (mtime_ns, size, config fingerprint, body key)."""
        return {r[0]: r[1:] for r in self.db.execute("SELECT rel, mtime_ns, size, config, body_key FROM files")}

    def parsed(self, rels: list[str]) -> dict[str, Parsed]:
        out = {}
        for i in range(0, len(rels), 500):
            chunk = rels[i:i + 500]
            q = f"SELECT rel, parsed FROM files WHERE rel IN ({','.join('?' * len(chunk))})"
            out.update((rel, pickle.loads(blob)) for rel, blob in self.db.execute(q, chunk))
        return out

    def put_files(self, rows: list[tuple[str, int, int, str, str, bytes]]) -> None:
        """Rows of (rel, mtime_ns, size, config fingerprint, body key, the pickled Parsed)."""
        self.db.executemany("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)", rows)

    def forget_files(self, rels: list[str]) -> None:
        self.db.executemany("DELETE FROM files WHERE rel=?", [(r,) for r in rels])

    # --- bodies ---------------------------------------------------------------------------
    def body(self, key: str) -> Body | None:
        row = self.db.execute("SELECT html, toc, first, words, extra FROM bodies WHERE key=?", (key,)).fetchone()
        if not row:
            return None
        if not row[4]:
            return Body(*row[:4])
        extra = json.loads(row[4])  # the warnings and images of the body, as lists
        return Body(*row[:4], tuple(map(tuple, extra.get("notes", ()))), tuple(map(tuple, extra.get("images", ()))))

    def has_bodies(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            q = f"SELECT key FROM bodies WHERE key IN ({','.join('?' * len(chunk))})"
            found.update(r[0] for r in self.db.execute(q, chunk))
        return found

    def any_bodies(self) -> bool:
        return self.db.execute("SELECT 1 FROM bodies LIMIT 1").fetchone() is not None

    def put_bodies(self, rows: list[tuple[str, Body]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO bodies VALUES (?,?,?,?,?,?)",
                            [(k, b.html, b.toc, b.first_paragraph, b.words, _extra(b))
                             for k, b in rows])

    def prune_bodies(self, keep: set[str]) -> None:
        stale = [r[0] for r in self.db.execute("SELECT key FROM bodies") if r[0] not in keep]
        self.db.executemany("DELETE FROM bodies WHERE key=?", [(k,) for k in stale])

    # --- rendered snippets (cards) --------------------------------------------------------
    def snippet(self, key: str) -> str | None:
        row = self.db.execute("SELECT html FROM snippets WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def any_snippets(self) -> bool:
        return self.db.execute("SELECT 1 FROM snippets LIMIT 1").fetchone() is not None

    def put_snippets(self, snippets: dict[str, str], global_key: str) -> None:
        self.db.executemany("INSERT OR REPLACE INTO snippets VALUES (?,?,?)",
                            [(k, html, global_key) for k, html in snippets.items()])

    def prune_snippets(self, global_key: str, cap: int) -> None:
        """Forget snippets of other layouts or settings; start over past `cap` (edited articles
        leave their old cards behind)."""
        if self._get(self.db, "snippets_gkey") != global_key.encode():  # a scan: only when it changed
            self.db.execute("DELETE FROM snippets WHERE gkey != ?", (global_key,))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('snippets_gkey', ?)", (global_key.encode(),))
        if self.db.execute("SELECT COUNT(*) FROM snippets").fetchone()[0] > cap:
            self.db.execute("DELETE FROM snippets")

    # --- last build's pages -----------------------------------------------------------------
    def manifest(self) -> dict[str, tuple[str, str, str]]:
        """output path -> (fingerprint, content hash, 'size:mtime_ns') as the last complete build left it."""
        return {r[0]: (r[1], r[2], r[3]) for r in self.db.execute("SELECT url, fingerprint, hash, stat FROM pages")}

    def set_manifest(self, manifest: dict[str, tuple[str, str, str]],
                     previous: dict[str, tuple[str, str, str]] | None = None) -> None:
        """Store the manifest; given the one read at the start of the build, only what differs."""
        if previous is None:
            self.db.execute("DELETE FROM pages")
            previous = {}
        self.db.executemany("DELETE FROM pages WHERE url=?", [(k,) for k in previous.keys() - manifest.keys()])
        self.db.executemany("INSERT OR REPLACE INTO pages VALUES (?,?,?,?)",
                            [(k, *v) for k, v in manifest.items() if previous.get(k) != v])

    # --- anything else ------------------------------------------------------------------------
    def get(self, key: str):
        value = self._get(self.db, key)
        return pickle.loads(value) if value is not None else None

    def get_with_digest(self, key: str):
        """(value, a digest of it as stored); (None, "") if absent."""
        value = self._get(self.db, key)
        if value is None:
            return None, ""
        return pickle.loads(value), hashlib.blake2b(value, digest_size=16).hexdigest()

    def set(self, key: str, value) -> str:
        """Store value; returns the digest get_with_digest will give for it."""
        blob = pickle.dumps(value)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, blob))
        return hashlib.blake2b(blob, digest_size=16).hexdigest()

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def _extra(body: Body) -> str:
    """A body's warnings and images as JSON ('' when it has neither: most bodies)."""
    if not body.notes and not body.images:
        return ""
    return json.dumps({"notes": body.notes, "images": body.images})
