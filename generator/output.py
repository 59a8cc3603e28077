"""The output folder: staged, swapped in atomically, never written outside, never someone else's.

A build writes a complete new tree into a staging folder beside the output folder (files whose
bytes did not change are hard links to the previous ones), then exchanges the two folders in
one atomic rename. A build that fails or is killed leaves the previous output exactly as it was;
the next build clears the leftovers.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
from pathlib import Path

from generator.errors import ConfigError

MARKER = ".generator-output"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class UnsafePath(ValueError):
    """A content-derived path that would leave the output folder."""


def safe_join(root: Path, rel: str) -> Path:
    """root/rel, refusing anything that could land outside root (.., absolute, NUL, backslash)."""
    if not rel or "\x00" in rel or "\\" in rel or rel.startswith("/") or ":" in rel.split("/", 1)[0]:
        raise UnsafePath(rel)
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts[:-1]) or parts[-1] in ("", ".", ".."):
        raise UnsafePath(rel)
    if any(len(p.encode()) > 255 for p in parts):
        raise UnsafePath(rel)
    return root.joinpath(*parts)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def check_output_folder(site_dir: Path, out: Path, force: bool) -> None:
    """Refuse output folders that hold sources or are not ours (exit 2 with the reason)."""
    site = site_dir.resolve()
    target = out.resolve()
    home = Path.home().resolve()
    protected = {site: "the site folder", Path("/"): "/", home: "your home folder"}
    for name in ("content", "layouts", "assets", "generator", "tests", ".git"):
        protected[site / name] = f"{name}/"
    for path, what in protected.items():
        inside_sources = path != site and path not in (Path("/"), home) and target.is_relative_to(path)
        if target == path or path.is_relative_to(target) or inside_sources:
            raise ConfigError(f"{out}: error: refusing to use {what} as the output folder (it would be overwritten)\n"
                              "  hint: choose a folder of its own, e.g. --output public")
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{out}: error: output path exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists() and not force:
        raise ConfigError(f"{out}: error: output folder is not empty and was not made by this generator\n"
                          "  hint: pick an empty or new folder, or pass --force to replace its contents")


class Staging:
    """A new output tree being written; commit() swaps it in, discard() throws it away."""

    def __init__(self, out: Path):
        self.out = out
        self.parent = out.parent
        self.parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(out)
        self.root = self.parent / f".{out.name}.staging-{os.getpid()}"
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir()
        marker = self.root / MARKER
        try:
            os.link(out / MARKER, marker)  # unchanged: carried over like any other file
        except OSError:
            marker.write_text("This folder is generated; the generator replaces it on every build.\n")
        self._dirs: set[Path] = {self.root}

    def path(self, rel: str) -> Path:
        return safe_join(self.root, rel)

    def _parent(self, target: Path) -> None:
        parent = target.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)

    def write(self, rel: str, data: bytes) -> os.stat_result:
        target = self.path(rel)
        self._parent(target)
        with open(target, "wb") as fh:
            fh.write(data)
        return os.stat(target)

    def keep(self, rel: str, previous: Path) -> os.stat_result:
        """Carry a file over from the previous output unchanged (a hard link: same bytes, same mtime)."""
        target = self.path(rel)
        self._parent(target)
        try:
            os.link(previous, target)
        except OSError:
            shutil.copy2(previous, target)
        return os.stat(target)

    def commit(self) -> None:
        """Atomically exchange the staging tree and the output folder, then delete the old tree."""
        if self.out.exists() and _exchange(self.root, self.out):
            shutil.rmtree(self.root, ignore_errors=True)
            return
        if self.out.exists():  # no atomic exchange here: two renames, recovered by clear_leftovers
            previous = self.parent / f".{self.out.name}.previous-{os.getpid()}"
            os.rename(self.out, previous)
            os.rename(self.root, self.out)
            shutil.rmtree(previous, ignore_errors=True)
        else:
            os.rename(self.root, self.out)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def clear_leftovers(out: Path) -> None:
    """Remove staging trees of killed builds; restore an output folder caught between two renames."""
    parent = out.parent
    if not parent.is_dir():
        return
    previous = sorted(parent.glob(f".{out.name}.previous-*"))
    if not out.exists() and previous and (previous[-1] / MARKER).exists():
        os.rename(previous[-1], out)
        previous = previous[:-1]
    for leftover in [*parent.glob(f".{out.name}.staging-*"), *previous]:
        if leftover.is_dir() and not leftover.is_symlink() and (leftover / MARKER).exists():
            shutil.rmtree(leftover, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): both names swap in one step (Linux); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        rename2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = rename2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0
