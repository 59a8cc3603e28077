"""The feeds-and-sitemaps side process of an incremental build (build._Aside), on real forks.

Sites under build.PARALLEL_EXTRAS_MIN pages make their extras in-process, so the tests that build
example sites never take this path; these drive it directly.
"""

from __future__ import annotations

import os
import signal
import threading
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


HANG = 60  # seconds: only catches a close() that never returns; nothing here is timed


def _close_or_fail(aside: _Aside) -> None:
    closer = threading.Thread(target=aside.close, daemon=True)
    closer.start()
    closer.join(HANG)
    assert not closer.is_alive(), "close() hangs"


def test_closing_unasked_stops_the_child(tmp_path):
    aside = _Aside(lambda c: time.sleep(3600) or {}, Cache(tmp_path / "build.sqlite"), jobs=2)
    process = aside.process
    _close_or_fail(aside)
    assert not process.is_alive()
    assert aside.process is None


def test_closing_stops_a_child_that_ignores_sigterm(tmp_path):
    """A SIGTERM handler that never finishes (a coverage tool's, a library's) cannot make the build wait."""
    def make(cache):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        (tmp_path / "ready").write_text("yes")
        time.sleep(3600)
        return {}
    aside = _Aside(make, Cache(tmp_path / "build.sqlite"), jobs=2)
    process = aside.process
    try:
        deadline = time.monotonic() + HANG
        while not (tmp_path / "ready").exists():  # the handler is in place before close() sends SIGTERM
            assert time.monotonic() < deadline and process.is_alive()
            time.sleep(0.01)
        _close_or_fail(aside)
        assert not process.is_alive()
        assert process.exitcode == -signal.SIGKILL
    finally:
        if process.is_alive():  # the test failed: do not leave the child behind
            os.kill(process.pid, signal.SIGKILL)
