"""Static assets: copied as they are, CSS and JS under content-hashed names for long cache lifetimes."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import SiteConfig
from generator.errors import Problem
from generator.stamps import source_stamp

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
    root = site_dir / ASSETS_DIR
    amap = AssetMap()
    h = hashlib.sha256()
    if not root.is_dir():
        amap.key = h.hexdigest()[:16]
        return amap
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for name in sorted(filenames):
            if name.startswith((".", "_")):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(site_dir).as_posix()
            if path.is_symlink():
                try:
                    if not path.resolve(strict=True).is_relative_to(real_root):
                        problems.append(Problem(rel, "symlink points outside assets/; not copied"))
                        continue
                except (OSError, RuntimeError):
                    problems.append(Problem(rel, "symlink is broken or loops; not copied"))
                    continue
            out_rel = rel
            if path.suffix in HASHED:
                tag = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
                out_rel = f"{rel[: -len(path.suffix)]}.{tag}{path.suffix}"
                amap.names["/" + rel] = "/" + out_rel
            st = path.stat()
            h.update(f"{rel}\0{out_rel}\0{st.st_size}\0{source_stamp(st)}\n".encode())
            amap.files[out_rel] = path
    amap.key = h.hexdigest()[:16]
    return amap
