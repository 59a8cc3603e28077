"""Profile one build of a benchmark corpus with cProfile and summarise the generator's own functions.

    python bench/profile.py --source bench/work/site-10000 [--cold | --edit | --publish] [--jobs 1]
                            [--code bench/work/frozen] [--top 25]

Runs `python -m cProfile -o bench/work/prof.out -m generator build --source SITE --no-search -v`
(with SOURCE_DATE_EPOCH as in bench/run.py). cProfile sees only the main process: pass --jobs 1
to see the work the build otherwise hands to its worker processes. Prints the top entries by
cumulative time among functions in generator/ (and, with --all, every function), plus the
slowest leaf functions (own time) anywhere, so I/O waits and C calls show up too.
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="cProfile one build and summarise it.")
    p.add_argument("--source", type=Path, required=True)
    p.add_argument("--cold", action="store_true", help="delete the output folder, its spare tree and .cache/ first")
    p.add_argument("--jobs", type=int, default=0, help="--jobs for the build (1: everything in the profiled process)")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--all", action="store_true", help="rank every function, not only the generator's")
    p.add_argument("--out", type=Path, default=BENCH / "work" / "prof.out")
    p.add_argument("--code", type=Path, default=REPO, metavar="DIR",
                   help="the folder holding the generator/ to profile (bench/work/frozen: the copy the last "
                        "bench/run.py used; default: the repository)")
    p.add_argument("--edit", action="store_true", help="append a sentence to the middle article first")
    p.add_argument("--publish", action="store_true", help="add one new article first")
    args = p.parse_args(argv)
    site = args.source.resolve()
    if args.cold:
        for stale in (site / "public", site / ".public.spare", site / ".cache"):
            if stale.exists():
                shutil.rmtree(stale)
    if args.edit or args.publish:
        import json
        meta = json.loads((site / "corpus.json").read_text())
        if args.edit:
            victim = site / meta["articles"][len(meta["articles"]) // 2]["rel"]
            with open(victim, "a", encoding="utf-8") as fh:
                fh.write(f"\nEditor's note: updated for profiling at {time.time():.0f}.\n")
        if args.publish:
            for i in range(20, 71):  # run.py uses 0..; END + 5 min × 71 is still before the build's "now"
                art = corpus.new_article(i)
                path = site / art["rel"]
                if not path.exists():
                    break
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(corpus.article_text(art), encoding="utf-8")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    code = args.code.resolve()
    cmd = [sys.executable, "-m", "cProfile", "-o", str(args.out), "-m", "generator", "build", "--source", str(site),
           "--output", str(site / "public"), "--no-search", "-v"]
    if args.jobs:
        cmd += ["--jobs", str(args.jobs)]
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(int(corpus.BUILD_EPOCH.timestamp())), PYTHONPATH=str(code))
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=code, env=env, capture_output=True, text=True)
    print(f"build exited {done.returncode} in {time.perf_counter() - started:.2f} s (under the profiler)")
    print("\n".join(line for line in done.stderr.splitlines() if line.startswith(("built", "slowest", "trending"))))
    stats = pstats.Stats(str(args.out))
    gen_dir = str(code / "generator")
    rows = []
    for (filename, line, func), (cc, nc, tt, ct, _callers) in stats.stats.items():
        if args.all or filename.startswith(gen_dir):
            rows.append((ct, tt, nc, f"{os.path.relpath(filename, code) if filename.startswith(str(code)) else filename}:{line}({func})"))
    rows.sort(reverse=True)
    print(f"\ntop {args.top} by cumulative time ({'all functions' if args.all else 'generator/ only'}):")
    print(f"{'cumulative':>11} {'own':>9} {'calls':>9}  function")
    for ct, tt, nc, name in rows[:args.top]:
        print(f"{ct:10.2f}s {tt:8.2f}s {nc:9d}  {name}")
    leaves = sorted(((tt, ct, nc, f"{os.path.basename(fn)}:{ln}({fu})") for (fn, ln, fu), (cc, nc, tt, ct, _) in
                     stats.stats.items()), reverse=True)[:15]
    print("\ntop 15 by own time (anywhere):")
    for tt, ct, nc, name in leaves:
        print(f"{tt:10.2f}s {ct:8.2f}s {nc:9d}  {name}")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
