"""Full-text search: a Pagefind index of the article pages, built over the finished output tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from generator.config import SiteConfig
from generator.errors import Problem

PREFIX = "pagefind/"


def pagefind_command() -> list[str] | None:
    """The pagefind binary shipped by the PyPI package (pagefind[bin]), or one on PATH."""
    try:
        from pagefind_bin import get_executable  # type: ignore[import-not-found]
        return [str(get_executable())]
    except Exception:  # noqa: BLE001 - any failure means: look elsewhere
        pass
    found = shutil.which("pagefind") or shutil.which("pagefind_extended")
    return [found] if found else None


class SearchIndexer:
    prefix = PREFIX

    def __init__(self, config: SiteConfig):
        self.config = config

    def run(self, root: Path, problems: list[Problem]) -> list[tuple[str, Path]]:
        """Index root in place; return the files Pagefind wrote. A missing binary is a warning, not a failure."""
        shutil.rmtree(root / PREFIX, ignore_errors=True)  # never rewrite files in place: they may be shared links
        command = pagefind_command()
        if command is None:
            problems.append(Problem("site.toml", "search is enabled but the pagefind binary is not installed; "
                                                 "no search index was built", level="warning",
                                    hint="pip install 'pagefind[bin]', or build with --no-search"))
            return []
        args = command + ["--site", str(root), "--output-subdir", PREFIX.rstrip("/"), "--silent"]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            problems.append(Problem("site.toml", f"pagefind failed: {exc}", level="warning"))
            return []
        if done.returncode != 0:
            problems.append(Problem("site.toml", f"pagefind failed: {(done.stderr or done.stdout).strip()[:500]}",
                                    level="warning", hint="run with --no-search to skip the search index"))
        base = root / PREFIX
        files = []
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.is_file():
                files.append((path.relative_to(root).as_posix(), path))
        return files
