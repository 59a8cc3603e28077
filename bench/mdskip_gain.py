"""What each of the Markdown fast path's skips gains, on the bodies of a corpus, in one process.

    python bench/mdskip_gain.py --source bench/work/heavy-2000 [--rounds 5]

Converts every body with stock Python-Markdown, with the whole fast path, and with the fast path
minus one skip at a time (the others kept), in alternated rounds; prints the median CPU time a
body for each, and what removing each skip costs. A skip worth keeping costs clearly more than
the spread between rounds when it is removed.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import markdown  # noqa: E402

from generator import markup, mdskip  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from floor import bodies  # noqa: E402

# One skip each: the step of mdskip.install (or of markup) that a variant leaves out.
ABLATIONS = {
    "inline pattern skips": (None, None),  # made in make()
    "block test skips": ("_block_requirements", lambda processor: ()),
    "block loop (listed once, and the skips)": ("_parse_blocks_with_guards", lambda md: None),
    "toc marker search": ("_guard_toc_marker", lambda md: None),
    "fenced-code pass / raw-HTML pass": ("_skip_pass_without", lambda *a: None),
    "block-level answers": ("_remember_block_level", lambda md: None),
}


def make(variant: str) -> markdown.Markdown:
    if variant == "stock":
        return markup._markdown(stock=True)
    if variant == "inline pattern skips":  # the fast path with the stock inline pass put back
        from markdown.treeprocessors import InlineProcessor
        md = markup._markdown()
        priority = next(item.priority for item in md.treeprocessors._priority if item.name == "inline")
        md.treeprocessors.register(InlineProcessor(md), "inline", priority)
        return md
    if variant == "fast":
        return markup._markdown()
    name, replacement = ABLATIONS[variant]
    saved = getattr(mdskip, name)
    setattr(mdskip, name, replacement)
    try:
        return markup._markdown()
    finally:
        setattr(mdskip, name, saved)


def cpu_per_body(md: markdown.Markdown, texts: list[str]) -> float:
    gc.collect()
    started = time.process_time()
    for text in texts:
        md.reset()
        md.convert(text)
    return (time.process_time() - started) / max(len(texts), 1)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Time each skip of the Markdown fast path.")
    p.add_argument("--source", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--limit", type=int, default=1000, help="bodies to convert (default 1000)")
    p.add_argument("--variant", help="convert the bodies once with this variant only and print nothing: for "
                                     "counting instructions, e.g. under valgrind --tool=callgrind (see bench/README.md)")
    args = p.parse_args(argv)
    if not mdskip.active():
        print(f"the fast path is off on Markdown {markdown.__version__}", file=sys.stderr)
        return 2
    texts = bodies(args.source)[: args.limit]
    if args.variant:
        cpu_per_body(make(args.variant), texts)
        return 0
    variants = ["stock", "fast", *ABLATIONS]
    converters = {v: make(v) for v in variants}
    for md in converters.values():  # warm up: lexers, regex caches
        cpu_per_body(md, texts[:50])
    times: dict[str, list[float]] = {v: [] for v in variants}
    for _ in range(args.rounds):
        for v in variants:
            times[v].append(cpu_per_body(converters[v], texts))
    med = {v: statistics.median(t) for v, t in times.items()}
    spread = {v: (max(t) - min(t)) for v, t in times.items()}
    result = {"markdown": markdown.__version__, "bodies": len(texts), "rounds": args.rounds,
              "ms_per_body": {v: round(m * 1000, 3) for v, m in med.items()},
              "spread_ms": {v: round(s * 1000, 3) for v, s in spread.items()},
              "cost_of_removing_ms": {v: round((med[v] - med["fast"]) * 1000, 3) for v in ABLATIONS}}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
