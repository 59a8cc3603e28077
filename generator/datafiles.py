"""Third-party data files (page-view exports, ticker snapshots): parsed without trusting a number.

JSON from analytics tools and price APIs may hold NaN, Infinity, 1e308 or integers of thousands of
digits; every figure the build uses goes through `figure`, which gives a finite number in range or
None (and the caller warns, naming the file and the row or key).
"""

from __future__ import annotations

import json
import math
import os
import stat

MAX_DIGITS = 30  # longer integers are not a count or a price: read as infinity, then refused


class DataFileError(ValueError):
    """The file is not JSON at all (message and line for the warning)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


MAX_BYTES = 64 * 1024 * 1024


def read_text(path) -> str:
    """A data file's text; refuses what is not a regular file (a named pipe would block for ever)
    or is too big to be an export, with an OSError that says so."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise OSError("not a regular file (a named pipe?)")
    if st.st_size > MAX_BYTES:
        raise OSError(f"{st.st_size // (1024 * 1024)} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB")
    with open(path, encoding="utf-8-sig") as fh:
        return fh.read()


def _int(text: str) -> int | float:
    return int(text) if len(text.lstrip("-")) <= MAX_DIGITS else (-math.inf if text.startswith("-") else math.inf)


def load_json(text: str):
    """JSON, with huge integers read as infinity (Python refuses to convert 4,300+ digits) and
    nesting too deep for the parser reported as a bad file."""
    try:
        return json.loads(text, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"not valid JSON: {exc.msg}", exc.lineno) from None
    except (ValueError, RecursionError) as exc:
        raise DataFileError(f"not usable JSON: {type(exc).__name__}") from None


def figure(value, low: float, high: float) -> float | None:
    """value as a finite float within [low, high]; None for anything else (text, NaN, inf, bool...)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) and low <= number <= high else None
