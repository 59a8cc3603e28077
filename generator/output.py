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
    for name in ("content", "layouts", "assets", "generator", "tests", ".git", ".cache"):
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
    """The spare tree beside the output, brought up to the new state, then exchanged with it.

    Two complete trees take turns: the live output folder and a spare one holding the build
    before it (mostly hard links to the same files). A build changes in the spare only what
    differs from the state it needs, then swaps the two names in one atomic rename, so the cost is
    the number of changed files, not the size of the site, and the live tree is never touched.
    Files are never written in place (they may be hard links shared with the live tree): new
    bytes go to a temporary name that then replaces the old one.
    """

    def __init__(self, out: Path, spare_manifest: dict[str, tuple[str, str]] | None):
        self.out = out
        self.parent = out.parent
        self.parent.mkdir(parents=True, exist_ok=True)
        self.root = spare_path(out)
        self._dirs: set[Path] = set()
        if self.root.is_symlink() or (self.root.exists() and not (self.root / MARKER).exists()):
            raise ConfigError(f"{self.root}: error: this folder is in the way of the build's spare output tree\n"
                              "  hint: move it away; the generator keeps its previous build there")
        if not self.root.exists():
            self.root.mkdir()
            (self.root / MARKER).write_text("This folder is generated; the generator replaces it on every build.\n")
        # What is really there (a killed build may have left anything); a file is trusted to hold
        # the bytes its manifest entry says only while its stat token still matches.
        self.present = set(_walk(self.root))
        self.known = {rel: e for rel, e in (spare_manifest or {}).items() if rel in self.present}
        self._dirs.add(self.root)

    def path(self, rel: str) -> Path:
        return safe_join(self.root, rel)

    def _same(self, rel: str, data_digest: str) -> str | None:
        """The spare file's stat token if it already holds exactly these bytes."""
        entry = self.known.get(rel)
        if entry is None or entry[0] != data_digest:
            return None
        try:
            token = stat_token(os.stat(self.path(rel)))
        except OSError:
            return None
        return token if token == entry[1] else None

    def _parent(self, target: Path) -> None:
        parent = target.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)

    def write(self, rel: str, data: bytes, data_digest: str) -> str:
        """Make the spare's rel hold data; return its stat token."""
        same = self._same(rel, data_digest)
        if same is not None:
            return same
        target = self.path(rel)
        self._parent(target)
        tmp = target.with_name(f".tmp-{os.getpid()}-{target.name}")
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
        return stat_token(os.stat(target))

    def keep(self, rel: str, previous: Path, data_digest: str) -> str:
        """Make the spare's rel the same file as the live one (a hard link: same bytes, same mtime)."""
        same = self._same(rel, data_digest)
        if same is not None:
            return same
        target = self.path(rel)
        self._parent(target)
        tmp = target.with_name(f".tmp-{os.getpid()}-{target.name}")
        try:
            os.link(previous, tmp)
        except FileExistsError:
            os.unlink(tmp)
            os.link(previous, tmp)
        except OSError:
            shutil.copy2(previous, tmp)
        os.replace(tmp, target)
        return stat_token(os.stat(target))

    def prune(self, wanted: set[str]) -> int:
        """Delete what the new state does not have; returns how many files went."""
        gone = 0
        for rel in sorted(self.present - wanted - {MARKER}):
            try:
                os.unlink(self.path(rel))
                gone += 1
            except (OSError, UnsafePath):
                continue
            parent = self.path(rel).parent
            while parent != self.root:
                try:
                    parent.rmdir()
                except OSError:
                    break
                parent = parent.parent
        return gone

    def commit(self, wanted: set[str]) -> bool:
        """Swap the spare in as the output. True if the old output is now the spare."""
        self.prune(wanted)
        if self.out.exists() and _exchange(self.root, self.out):
            return True
        if self.out.exists():  # no atomic exchange here: two renames, recovered by clear_leftovers
            previous = self.parent / f".{self.out.name}.previous-{os.getpid()}"
            os.rename(self.out, previous)
            os.rename(self.root, self.out)
            os.rename(previous, self.root)
            return True
        os.rename(self.root, self.out)
        return False


def spare_path(out: Path) -> Path:
    return out.parent / f".{out.name}.spare"


def stat_token(st: os.stat_result) -> str:
    """Identifies a file's exact version: same token, same bytes (files are never changed in place)."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def clone_tree(src: Path, dst: Path) -> dict[str, str]:
    """Hard-link copy of src at dst (the first spare after a build into an empty folder): rel -> stat token."""
    tokens = {}
    for dirpath, dirnames, filenames in os.walk(src):
        rel_dir = os.path.relpath(dirpath, src)
        target_dir = dst if rel_dir == "." else dst / rel_dir
        target_dir.mkdir(exist_ok=True)
        for name in filenames:
            source = os.path.join(dirpath, name)
            os.link(source, target_dir / name)
            rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
            tokens[rel] = stat_token(os.stat(source))
    return tokens


def _walk(root: Path) -> list[str]:
    """Every file under root as a relative path; removes a killed build's half-written temporaries."""
    out: list[str] = []
    stack = [(os.fspath(root), "")]
    while stack:
        path, prefix = stack.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.name.startswith(".tmp-"):
                    os.unlink(entry.path)
                else:
                    out.append(prefix + entry.name)
    return out


def clear_leftovers(out: Path) -> None:
    """Restore an output folder caught between two renames; remove trees left by older versions."""
    parent = out.parent
    if not parent.is_dir():
        return
    previous = sorted(parent.glob(f".{out.name}.previous-*"))
    if not out.exists() and previous and (previous[-1] / MARKER).exists():
        os.rename(previous[-1], out)
        previous = previous[:-1]
    for leftover in [*parent.glob(f".{out.name}.staging-*"), *previous]:
        if leftover.is_dir() and not leftover.is_symlink():
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
