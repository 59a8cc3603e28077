"""How a source file's version is told from its stat, without reading it."""

from __future__ import annotations

import os


def source_stamp(st: os.stat_result) -> int:
    """When a source file last changed, as far as its stat tells: the later of its mtime and ctime.
    An edit that puts the old mtime back (touch -r, an in-place rsync -t, a restore tool) of a file
    of the same size still moves its ctime, which no tool can set. (Not for the output's own files:
    the hard links between its two trees move their ctime at every build.)"""
    return max(st.st_mtime_ns, st.st_ctime_ns)
