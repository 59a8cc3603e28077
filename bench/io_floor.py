"""How long this machine takes just to write a built site's files: the output-tree floor.

    python bench/io_floor.py --output bench/work/site-10000/public [--jobs 2]

Copies every file of an output folder into a new folder beside it (one folder per page and a
file written with the same bytes, as a build does), split over --jobs processes, and prints the
wall time. No build can write the same site faster on this disk, whatever its language, so this
is the part of a cold build that no Markdown or template work can win back.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from multiprocessing import get_context
from pathlib import Path


def _files(root: Path) -> list[tuple[str, bytes]]:
    out = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as fh:
                out.append((os.path.relpath(path, root), fh.read()))
    return out


_JOB: dict = {}


def _write(part: int) -> float:
    started = time.process_time()
    target, files, jobs = _JOB["target"], _JOB["files"], _JOB["jobs"]
    made = set()
    for rel, data in files[part::jobs]:
        path = os.path.join(target, rel)
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(path, "wb") as fh:
            fh.write(data)
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Time writing a built site's files (the output-tree floor).")
    p.add_argument("--output", type=Path, required=True, help="a built output folder to copy")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)
    if not args.output.is_dir():
        print(f"{args.output}: not a folder", file=sys.stderr)
        return 2
    files = _files(args.output)
    target = args.output.parent / f".{args.output.name}.io-floor"
    shutil.rmtree(target, ignore_errors=True)
    _JOB.update(target=str(target), files=files, jobs=args.jobs)
    started = time.perf_counter()
    with get_context("fork").Pool(args.jobs) as pool:
        cpu = sum(pool.map(_write, range(args.jobs)))
    wall = time.perf_counter() - started
    shutil.rmtree(target, ignore_errors=True)
    size = sum(len(d) for _, d in files)
    print(f"wrote {len(files):,} files ({size / 2**20:.0f} MB) in {wall:.2f} s on {args.jobs} processes "
          f"({cpu:.2f} s CPU in them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
