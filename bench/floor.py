"""The Markdown floor: Python-Markdown time for every article body of a corpus, in one process.

    python bench/floor.py --source bench/work/site-10000 [--repeat 1]

One markdown.Markdown() instance, reused through reset() (as generator/markup.py does), with
the generator's own EXTENSIONS and EXTENSION_CONFIGS (imported, so the floor follows any change
there), and once more with no extensions at all. Prints one JSON object:
{"bodies": N, "words": W, "ext_seconds": [..], "plain_seconds": [..], "ext_cpu_seconds": [..],
"plain_cpu_seconds": [..], "extensions": [...]}.
The benchmark divides the median by the number of cores to get the floor a parallel build could
reach if everything but Markdown were free.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

# bench/run.py points this at its frozen copy of generator/; alone, the repository's own
sys.path.insert(0, os.environ.get("BENCH_GENERATOR_ROOT") or str(Path(__file__).resolve().parent.parent))

import markdown  # noqa: E402

from generator.markup import EXTENSION_CONFIGS, EXTENSIONS  # noqa: E402


def bodies(site: Path) -> list[str]:
    out = []
    for path in sorted((site / "content" / "articles").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            _, _, text = text[4:].partition("\n---\n")
        out.append(text)
    return out


def convert_all(md: markdown.Markdown, texts: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) to convert every text; CPU time is the steadier figure on a busy machine."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        md.reset()
        md.convert(text)
    return time.perf_counter() - started, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Time Python-Markdown over every article body of a site.")
    p.add_argument("--source", type=Path, required=True)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--no-plain", action="store_true", help="skip the run without extensions")
    args = p.parse_args(argv)
    texts = bodies(args.source)
    with_ext = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")
    plain = markdown.Markdown(output_format="html")
    with_ext.convert(texts[0] if texts else "")  # load lazily imported pieces (Pygments lexers) outside the clock
    plain.convert(texts[0] if texts else "")
    result = {"bodies": len(texts), "words": sum(len(t.split()) for t in texts), "extensions": EXTENSIONS,
              "markdown_version": markdown.__version__, "ext_seconds": [], "plain_seconds": [],
              "ext_cpu_seconds": [], "plain_cpu_seconds": []}
    for _ in range(args.repeat):
        wall, cpu = convert_all(with_ext, texts)
        result["ext_seconds"].append(round(wall, 3))
        result["ext_cpu_seconds"].append(round(cpu, 3))
        if not args.no_plain:
            wall, cpu = convert_all(plain, texts)
            result["plain_seconds"].append(round(wall, 3))
            result["plain_cpu_seconds"].append(round(cpu, 3))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
