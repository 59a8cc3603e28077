"""The "nothing changed" fast path: a build whose inputs and output are exactly as the last build
left them, at a time before anything time-dependent could change, does nothing at all.

Only the standard library (and the small output module) is imported here, so that check costs a walk of the source folders and
a stat of each output file, not the start-up of Markdown, Jinja and Pillow.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from datetime import datetime
from pathlib import Path

from generator import __version__
from generator.output import stat_token
from generator.stamps import source_stamp
from generator.walk import walk_files

RECORD = ".cache/last-build.json"
WATCHED_DIRS = ("content", "layouts", "assets")


def inputs_key(site_dir: Path, options_key: str) -> str | None:
    """A hash over every input's path and stat (plus the options); None if site.toml is unreadable."""
    h = hashlib.blake2b(f"{__version__}\0{options_key}\0".encode(), digest_size=20)
    try:
        raw = (site_dir / "site.toml").read_bytes()
        config = tomllib.loads(raw.decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):  # unreadable or odd: the build says what
        return None
    h.update(raw)
    extra_files = [config.get("trending", {}).get("pageviews", ""), config.get("ticker", {}).get("snapshot", "")]
    for name in WATCHED_DIRS:
        root = site_dir / name
        if name == "content":  # content/ does not follow linked folders (content.discover)
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames.sort()
                h.update(f"D{dirpath}\n".encode("utf-8", "surrogateescape"))
                for filename in sorted(filenames):
                    _stat_into(h, os.path.join(dirpath, filename))
            continue
        within = site_dir if name == "assets" else None  # as collect_assets walks it
        for found in walk_files(root, name, [], within=within):  # the files the build uses, through linked folders
            st = found.st
            h.update(f"{name}/{found.rel}\0{st.st_size}\0{source_stamp(st)}\0{st.st_ino}\n".encode())
    for rel in extra_files:
        if isinstance(rel, str) and rel:
            _stat_into(h, os.path.join(site_dir, rel))
    return h.hexdigest()


def _stat_into(h, path: str) -> None:
    try:
        st = os.stat(path)
        h.update(f"{path}\0{st.st_size}\0{source_stamp(st)}\0{st.st_ino}\n".encode("utf-8", "surrogateescape"))
    except OSError:
        h.update(f"{path}\0missing\n".encode("utf-8", "surrogateescape"))


def output_folder(site_dir: Path, output: Path | None) -> Path | None:
    """The output folder as build would choose it, from --output or site.toml's `output`."""
    if output is not None:
        return output
    try:
        value = tomllib.loads((site_dir / "site.toml").read_text(encoding="utf-8-sig")).get("output", "public")
    except (OSError, ValueError, RecursionError):  # unreadable or odd: the build says what
        return None
    return site_dir / value if isinstance(value, str) and value.strip() not in ("", ".", "/") else None


def save(site_dir: Path, key: str | None, valid_until: datetime | None, out: Path,
         tokens: dict[str, str], summary: dict) -> None:
    """Record what the last build saw and left; `summary` is replayed by a build that does nothing."""
    path = site_dir / RECORD
    if key is None:
        path.unlink(missing_ok=True)
        return
    record = {"key": key, "valid_until": valid_until.isoformat() if valid_until else None,
              "out": os.fspath(out.resolve()), "tokens": tokens, "summary": summary}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, path)


def unchanged(site_dir: Path, key: str | None, out: Path, now: datetime) -> dict | None:
    """The last build's summary if this build would change nothing, else None."""
    if key is None:
        return None
    try:
        record = json.loads((site_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("key") != key or record.get("out") != os.fspath(out.resolve()):
        return None
    until = record.get("valid_until")
    if until is not None and now >= datetime.fromisoformat(until):
        return None
    base = os.fspath(out)
    for rel, token in record.get("tokens", {}).items():
        try:
            st = os.stat(f"{base}/{rel}")
        except OSError:
            return None
        if stat_token(st) != token:
            return None
    return record.get("summary")
