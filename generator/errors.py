"""Problems found in the sources, and how they are collected and reported."""

from __future__ import annotations

import reprlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Level = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, with where and what to do."""

    path: str
    message: str
    line: int | None = None
    hint: str = ""
    level: Level = "error"

    def __str__(self) -> str:
        path = shown_path(self.path)
        where = f"{path}:{self.line}" if self.line else path
        text = f"{where}: {self.level}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


def shown_path(path: str) -> str:
    """A file name as a message prints it: as it is when it is plain, else in double quotes with
    escapes, so a newline cannot split a `path:line:` message and an escape sequence never reaches
    the terminal (an undecodable byte shows as \\xNN)."""
    if path.isprintable() and '"' not in path:
        return path
    out = []
    for ch in path:
        code = ord(ch)
        if ch.isprintable() and ch not in '"\\':
            out.append(ch)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode keeps it
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch in '"\\':
            out.append("\\" + ch)
        else:
            out.append(repr(ch)[1:-1] if code < 0x10000 or code > 0x10FFFF else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def preview(value: object, limit: int = 60) -> str:
    """A value as a message quotes it: its repr, cut to a short prefix (a value may be megabytes)."""
    shorten = reprlib.Repr()
    shorten.maxstring = shorten.maxother = limit
    shorten.maxlong = 40
    shorten.maxlist = shorten.maxtuple = shorten.maxdict = 8
    shorten.maxlevel = 3
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a number of about {int(value.bit_length() * 0.30103):,} digits"
    try:
        text = shorten.repr(value)
    except ValueError:  # an int too long to print, deep inside
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit + 20 else text[:limit] + "…"


class ProblemError(Exception):
    """Raised inside a phase to report one problem about one file."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class ConfigError(Exception):
    """site.toml or the command line is unusable: nothing can be built (exit 2)."""


@dataclass
class Report:
    """Collects problems over a build; prints them as they come."""

    quiet: bool = False
    strict: bool = False
    stream: object = None
    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        if self.quiet and problem.level != "error":
            return
        print(str(problem), file=self.stream or sys.stderr)

    def error(self, path: str | Path, message: str, line: int | None = None, hint: str = "") -> None:
        self.add(Problem(str(path), message, line, hint, "error"))

    def warning(self, path: str | Path, message: str, line: int | None = None, hint: str = "") -> None:
        self.add(Problem(str(path), message, line, hint, "warning"))

    def note(self, path: str | Path, message: str, line: int | None = None, hint: str = "") -> None:
        self.add(Problem(str(path), message, line, hint, "note"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def failed(self) -> bool:
        """Errors fail a build; under --strict, warnings do too."""
        return bool(self.errors or (self.strict and self.warnings))
