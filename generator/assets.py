"""Static assets: copied as they are, CSS and JS under content-hashed names for long cache lifetimes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

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
            tag = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            out_rel = f"{rel[: -len(path.suffix)]}.{tag}{path.suffix}"
            amap.names["/" + rel] = "/" + out_rel
        st = found.st
        h.update(f"{rel}\0{out_rel}\0{st.st_size}\0{source_stamp(st)}\0{st.st_ino}\n".encode())
        amap.files[out_rel] = path
    amap.key = h.hexdigest()[:16]
    return amap
