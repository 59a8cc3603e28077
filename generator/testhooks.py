"""Switches for the test suite, read from the environment; none is set in normal use.

They let tests reach states that otherwise depend on the machine: a kernel without
renameat2 exchange, a process stopped at one exact moment, forked workers on a tiny site,
a debounce window that a busy machine cannot split.

- GENERATOR_TEST_HOOK=POINT=ACTION: at the named point, ACTION is `pause` (say
  `test-hook: POINT` on stderr, then sleep until killed or interrupted) or `raise` (a
  RuntimeError, as an unforeseen bug would). Points: build-publish, between-renames,
  serve-first-refresh, serve-before-publish (a save's model is made, not yet served).
- GENERATOR_TEST_HOOK_RELEASE=PATH: a pause ends once PATH exists (and is passed at once
  while it does), so a test can look at a process held at a point, then let it go on.
- GENERATOR_TEST_NO_EXCHANGE=1: behave as if renameat2(RENAME_EXCHANGE) were unsupported.
- GENERATOR_TEST_PARALLEL_MIN=N: every "enough work to fork workers" threshold at most N.
- GENERATOR_TEST_QUIET_MS=N: serve's debounce waits N ms of quiet for any save or burst.
"""

from __future__ import annotations

import os
import sys
import time


def hook(point: str) -> None:
    """Pause or fail here if a test asked for it at this point."""
    wanted = os.environ.get("GENERATOR_TEST_HOOK", "")
    name, _, action = wanted.partition("=")
    if name != point:
        return
    if action == "raise":
        raise RuntimeError(f"test hook: failure injected at {point}")
    if action == "pause":
        release = os.environ.get("GENERATOR_TEST_HOOK_RELEASE", "")
        if release and os.path.exists(release):
            return
        print(f"test-hook: {point}", file=sys.stderr, flush=True)
        while not (release and os.path.exists(release)):
            time.sleep(0.05 if release else 3600)


def no_exchange() -> bool:
    return os.environ.get("GENERATOR_TEST_NO_EXCHANGE") == "1"


def parallel_min(default: int) -> int:
    """A fork threshold: the default, or lower when a test wants the parallel paths on a small site."""
    value = os.environ.get("GENERATOR_TEST_PARALLEL_MIN", "")
    return min(default, int(value)) if value.isdigit() else default


def quiet_ms() -> int | None:
    value = os.environ.get("GENERATOR_TEST_QUIET_MS", "")
    return int(value) if value.isdigit() else None
