"""The feeds-and-sitemaps side process of an incremental build (build._Aside), on real forks.

Sites under build.PARALLEL_EXTRAS_MIN pages make their extras in-process, so the tests that build
example sites never take this path; these drive it directly.
"""

from __future__ import annotations

import os
import time

import pytest

from generator.build import _Aside
from generator.cache import Cache


def test_the_result_is_made_in_a_child_and_reaches_the_parent(tmp_path):
    cache = Cache(tmp_path / "build.sqlite")
    aside = _Aside(lambda c: {"pid": str(os.getpid()).encode(), "cache": str(c.path).encode()}, cache, jobs=2)
    data = aside()
    assert data["pid"] != str(os.getpid()).encode()  # really made elsewhere
    assert data["cache"] == str(tmp_path / "build.sqlite").encode()  # through its own connection to the same file
    assert aside.process is None  # joined


def test_one_job_makes_them_here(tmp_path):
    aside = _Aside(lambda c: {"pid": str(os.getpid()).encode()}, Cache(None), jobs=1)
    assert aside.process is None
    assert aside() == {"pid": str(os.getpid()).encode()}


def test_a_failure_in_the_child_is_raised_here_by_making_them_again(tmp_path):
    parent = os.getpid()

    def make(cache):
        raise ValueError(f"broken feed in {'parent' if os.getpid() == parent else 'child'}")
    aside = _Aside(make, Cache(tmp_path / "build.sqlite"), jobs=2)
    with pytest.raises(ValueError, match="broken feed in parent"):
        aside()


def test_closing_unasked_stops_the_child(tmp_path):
    aside = _Aside(lambda c: time.sleep(30) or {}, Cache(tmp_path / "build.sqlite"), jobs=2)
    process = aside.process
    started = time.monotonic()
    aside.close()
    assert time.monotonic() - started < 5
    assert not process.is_alive()
