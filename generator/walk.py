"""Walking layouts/ and assets/: symlinked folders followed (a shared theme, a media share), loops
detected, and only regular files with UTF-8 names taken.

Discovery, the "nothing changed" check, the layouts' fingerprint and asset copying all walk with
this one function, so they always see the same files: an edit inside a linked folder is a change,
and a linked folder is copied whole or (a loop) not at all, with a warning.
Standard library only: the fast path walks with it.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Iterator

from generator.errors import Problem


@dataclass(frozen=True, slots=True)
class Found:
    rel: str  # posix path below the walked root
    path: str  # the path to open (through any links)
    st: os.stat_result


def walk_files(root: str | os.PathLike, label: str, problems: list[Problem] | None = None,
               skip: tuple[str, ...] = (".",), within: str | os.PathLike | None = None) -> Iterator[Found]:
    """Every regular file under root, sorted, following symlinked folders; names starting with
    one of `skip` are left out. `label` is root's name in messages ('assets'); problems (a loop,
    a broken link, a named pipe, a name that is not UTF-8) go to `problems` as warnings. With
    `within` (the site folder), a link whose target is outside it is refused with an error: what
    is under assets/ is published, and a link must not publish the rest of the disk."""
    def warn(rel: str, message: str, hint: str, level: str = "warning") -> None:
        if problems is not None:
            problems.append(Problem(f"{label}/{rel}", message, level=level, hint=hint))

    fence = os.path.realpath(within) if within is not None else None

    root = os.fspath(root)
    try:
        top = os.stat(root)
    except OSError:
        return
    if not stat.S_ISDIR(top.st_mode):
        return
    real_root = os.path.realpath(root)
    # (folder path, its rel prefix, the (device, inode) of the folders above it and itself)
    stack = [(root, "", ((top.st_dev, top.st_ino),))]
    while stack:
        folder, prefix, chain = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            warn(prefix.rstrip("/") or ".", f"cannot read folder: {exc.strerror}", "check its permissions")
            continue
        folders = []
        for entry in entries:
            name = entry.name
            if name.startswith(skip):
                continue
            rel = prefix + name
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                warn(rel, "file name is not UTF-8; skipped", "rename it with UTF-8 characters")
                continue
            try:
                st = os.stat(entry.path)  # through links
            except OSError:
                warn(rel, "symlink is broken or loops; skipped", "point the link at a real file or folder, or remove it")
                continue
            if fence is not None and entry.is_symlink() and not _holds(fence, os.path.realpath(entry.path)):
                warn(rel, f"symlink leads outside the site folder (to {os.path.realpath(entry.path)}); not copied",
                     "copy the files into the site, or move the linked folder inside the site folder", "error")
                continue
            if stat.S_ISDIR(st.st_mode):
                ident = (st.st_dev, st.st_ino)
                if ident in chain or entry.is_symlink() and _holds(os.path.realpath(entry.path), real_root):
                    warn(rel, "symlinked folder loops back to a folder above it; not followed",
                         "point the link somewhere outside the folder that holds it")
                    continue
                folders.append((entry.path, rel + "/", chain + (ident,)))
            elif stat.S_ISREG(st.st_mode):
                yield Found(rel, entry.path, st)
            else:
                warn(rel, "not a regular file (a named pipe, socket or device?); skipped", "remove it from the folder")
        stack.extend(reversed(folders))


def _holds(folder: str, inner: str) -> bool:
    """folder is inner or one of the folders above it (following it would walk the whole tree again)."""
    return inner == folder or inner.startswith(folder.rstrip("/") + "/")


def linked_folders(root: str | os.PathLike, within: str | os.PathLike | None = None) -> list[tuple[str, str]]:
    """(rel, real path) of every symlinked folder walk_files follows under root (for watchers:
    a file watcher does not follow links, so each linked folder is watched where it really is)."""
    out: list[tuple[str, str]] = []
    folders = {os.path.dirname(found.rel) for found in walk_files(root, "", within=within)}
    for rel in sorted(folders):
        parts = rel.split("/") if rel else []
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            path = os.path.join(os.fspath(root), sub)
            if os.path.islink(path) and all(r != sub for r, _ in out):
                out.append((sub, os.path.realpath(path)))
    return out
