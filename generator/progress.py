"""Progress bars on long phases (only on a terminal, never with -q)."""

from __future__ import annotations

import sys

MIN_ITEMS = 200  # small phases finish before a bar would be worth drawing


class _Task:
    def __init__(self, bar):
        self._bar = bar

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def done(self) -> None:
        if self._bar is not None:
            self._bar.close()


class Progress:
    def __init__(self, enabled: bool):
        self.enabled = enabled

    @staticmethod
    def for_terminal(quiet: bool) -> "Progress":
        return Progress(not quiet and sys.stderr.isatty())

    def task(self, label: str, total: int) -> _Task:
        if not self.enabled or total < MIN_ITEMS:
            return _Task(None)
        from tqdm import tqdm  # only when a bar is drawn: its import costs more than a small build
        return _Task(tqdm(total=total, desc=f"{label:>8}", unit=" files" if label == "parse" else " pages",
                          file=sys.stderr, leave=False, dynamic_ncols=True, mininterval=0.2))
