"""Build options and the build clock (standard library only: the fast path imports this)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class BuildOptions:
    source: Path = Path(".")
    output: Path | None = None
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    strict: bool = False
    quiet: bool = False
    verbose: bool = False
    force: bool = False
    search: bool = True
    jobs: int = 0  # 0: one per core


def build_clock() -> datetime:
    """Now, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc)


def options_key(options: BuildOptions) -> str:
    """The options that shape the output (not -q, -v, --strict, --force or -j)."""
    return repr((options.drafts, options.future, options.base_url, options.search,
                 os.fspath(options.output) if options.output else None))
