"""Static assets: copied as they are, CSS and JS under content-hashed names for long cache lifetimes,
CSS minified (rcssmin: comments and spaces out, a sixth of the example theme's bytes)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import rcssmin

from generator.config import SiteConfig
from generator.errors import Problem
from generator.stamps import source_stamp
from generator.walk import walk_files

ASSETS_DIR = "assets"
HASHED = (".css", ".js")


@dataclass
class AssetMap:
    """Site path as written in templates -> site path in the output, and the files to copy."""

    names: dict[str, str] = field(default_factory=dict)  # '/assets/css/site.css' -> '/assets/css/site.1a2b3c4d.css'
    files: dict[str, Path] = field(default_factory=dict)  # output rel path -> source file
    key: str = ""

    def url(self, path: str) -> str:
        return self.names.get(path, path)


def collect_assets(site_dir: Path, config: SiteConfig, problems: list[Problem]) -> AssetMap:
    """Every file under assets/ (symlinked folders inside the site followed; loops, odd files and
    links leading out of the site reported)."""
    root = site_dir / ASSETS_DIR
    amap = AssetMap()
    h = hashlib.sha256()
    if not root.is_dir():
        amap.key = h.hexdigest()[:16]
        return amap
    for found in walk_files(root, ASSETS_DIR, problems, skip=(".", "_"), within=site_dir):
        rel = f"{ASSETS_DIR}/{found.rel}"
        path = Path(found.path)
        out_rel = rel
        if path.suffix in HASHED:
            data = path.read_bytes()
            if path.suffix == ".css":
                path, data = _minified_css(site_dir, path, data)
            tag = hashlib.sha256(data).hexdigest()[:10]
            out_rel = f"{rel[: -len(path.suffix)]}.{tag}{path.suffix}"
            amap.names["/" + rel] = "/" + out_rel
        st = found.st
        h.update(f"{rel}\0{out_rel}\0{st.st_size}\0{source_stamp(st)}\0{st.st_ino}\n".encode())
        amap.files[out_rel] = path
    amap.key = h.hexdigest()[:16]
    return amap


def _minified_css(site_dir: Path, source: Path, data: bytes) -> tuple[Path, bytes]:
    """The stylesheet without comments and spare spaces, kept in .cache/assets/ (the output links
    or copies files, so the minified text needs a file of its own); the source as it is when it is
    not UTF-8 or the cache cannot be written."""
    try:
        small = rcssmin.cssmin(data.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        return source, data
    folder = site_dir / ".cache" / "assets"
    target = folder / f"{hashlib.sha256(small).hexdigest()[:32]}.css"
    if not target.is_file():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(small)
            os.replace(tmp, target)  # two builds at once write the same bytes: either rename wins
        except OSError:
            return source, data
    return target, small
