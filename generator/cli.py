"""The command line: build, serve, new, check, import, ticker. Exit codes: 0 ok, 1 content or template errors, 2 usage/config."""

from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from generator import __version__
from generator.errors import ConfigError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _site_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", "-s", type=Path, default=Path("."), metavar="DIR",
                   help="the site folder holding site.toml (default: current folder)")
    p.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    p.add_argument("--future", action="store_true", help="include articles dated in the future")
    p.add_argument("--base-url", metavar="URL", help="override base_url from site.toml")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    p.add_argument("-v", "--verbose", action="store_true", help="more detail: phase timings, slowest templates, tracebacks")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="generator", description="Static site generator for crypto news sites.")
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("build", help="build the site into its output folder",
                       description="Build the site into its output folder (default public/, or 'output' in site.toml).")
    _site_args(b)
    b.add_argument("--output", "-o", type=Path, metavar="DIR", help="output folder (default: from site.toml)")
    b.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    b.add_argument("--force", action="store_true", help="use a non-empty output folder this generator did not create")
    b.add_argument("--no-search", action="store_true", help="skip building the Pagefind search index")
    b.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: one per core)")
    b.add_argument("--lock-wait", type=float, default=None, metavar="SECONDS",
                   help="how long to wait for another build of the same site to finish (default 600; 0: exit 2 at once)")

    s = sub.add_parser("serve", help="preview the site with live reload",
                       description="Serve a live preview that reloads the browser on every save.")
    _site_args(s)
    s.add_argument("--port", "-p", type=int, default=8000, help="port (default 8000; the next free one if taken)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    s.add_argument("--poll", action="store_true", help="poll for changes (network drives, containers)")
    s.add_argument("--open", action="store_true", help="open the browser")

    n = sub.add_parser("new", help="write a new article with its front matter filled in",
                       description="Create content/articles/YYYY/slug.md with front matter filled in.")
    n.add_argument("title", help="the headline")
    n.add_argument("--category", "-c", required=True, help="one of the categories in site.toml")
    n.add_argument("--tags", "-t", default="", help="comma-separated tags")
    n.add_argument("--source", "-s", type=Path, default=Path("."), metavar="DIR", help="the site folder")

    i = sub.add_parser("import", help="import content from another system (wordpress)",
                       description="Import content from another system into the site's content/ folder.")
    isub = i.add_subparsers(dest="system", metavar="SYSTEM", required=True)
    w = isub.add_parser("wordpress", help="a WordPress export (WXR .xml)",
                        description="Write a WordPress export's posts, pages, authors and comments as Markdown "
                                    "files under content/; never overwrites a file edited since the last import.")
    w.add_argument("export", type=Path, help="the export file (WordPress: Tools → Export → All content)")
    w.add_argument("--source", "-s", type=Path, default=Path("."), metavar="DIR", help="the site folder")
    w.add_argument("--media", type=Path, metavar="DIR",
                   help="a local copy of wp-content/uploads: media is copied into assets/uploads/")
    w.add_argument("--force", action="store_true", help="overwrite files even where they were edited since")

    t = sub.add_parser("ticker", help="fetch the ticker's prices and write them, without rebuilding pages",
                       description="Ask the price API (site.toml [ticker] api_url) for the ticker's coins, check every "
                                   "figure, and write the snapshot (ticker.snapshot) and the built site's "
                                   "data/ticker.json, each atomically, under the build lock. No page is rebuilt. On any "
                                   "failure both files stay as they were and the exit code is 1.")
    t.add_argument("--source", "-s", type=Path, default=Path("."), metavar="DIR", help="the site folder")
    t.add_argument("--output", "-o", type=Path, metavar="DIR", help="the built folder (default: from site.toml)")
    t.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="how long the whole request may take (default: ticker.timeout, 10)")
    t.add_argument("--lock-wait", type=float, default=None, metavar="SECONDS",
                   help="how long to wait for a build of the same site to finish (default 600; 0: exit 2 at once)")
    t.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    t.add_argument("-v", "--verbose", action="store_true", help="also print the URL asked and tracebacks")

    c = sub.add_parser("check", help="check every internal link and #anchor of the built output",
                       description="Check every internal link and #anchor in the built output folder.")
    c.add_argument("--source", "-s", type=Path, default=Path("."), metavar="DIR", help="the site folder")
    c.add_argument("--output", "-o", type=Path, metavar="DIR", help="the built folder (default: from site.toml)")
    c.add_argument("--base-url", metavar="URL", help="the base_url the output was built with (default: site.toml's)")
    c.add_argument("-q", "--quiet", action="store_true", help="print broken links only")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return EXIT_USAGE
    try:
        return {"build": cmd_build, "serve": cmd_serve, "new": cmd_new, "check": cmd_check,
                "import": cmd_import, "ticker": cmd_ticker}[args.command](args)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # the disk, not the content: full, read-only, no permission
        if getattr(args, "verbose", False):
            traceback.print_exc()
        print(os_error_message(exc), file=sys.stderr)
        return EXIT_CONTENT
    except Exception as exc:  # noqa: BLE001 - last resort: say what broke, never a bare traceback
        if type(exc).__module__ == "sqlite3":  # the build cache's disk is full or failing
            where = getattr(args, "source", Path(".")) / ".cache" / "build.sqlite"
            print(f"{where}: error: the build cache cannot be written: {exc}; the build stopped (the output folder holds "
                  "the last complete build)\n  hint: free disk space, or delete the .cache folder", file=sys.stderr)
            return EXIT_CONTENT
        if getattr(args, "verbose", False):
            traceback.print_exc()
        else:
            print(f"error: internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)", file=sys.stderr)
        return EXIT_CONTENT


_OS_HINTS = {
    errno.ENOSPC: "the disk is full: free some space and build again",
    errno.EDQUOT: "the disk quota is used up: free some space and build again",
    errno.EROFS: "the file system is read-only: build onto a writable disk (--output DIR)",
    errno.EACCES: "no permission: make the folder writable for this user, or build elsewhere (--output DIR)",
    errno.EPERM: "no permission: make the folder writable for this user, or build elsewhere (--output DIR)",
}


def os_error_message(exc: OSError) -> str:
    """`path: error: what the system said` plus a hint: the build stopped on the disk, not the content."""
    where = exc.filename if exc.filename is not None else "error"
    from generator.errors import shown_path
    text = f"{shown_path(str(where))}: error: {exc.strerror or exc}" if exc.filename is not None else \
        f"error: {exc.strerror or exc}"
    hint = _OS_HINTS.get(exc.errno, "check the disk and the folder's permissions, then build again")
    return f"{text}; the build stopped (the output folder holds the last complete build)\n  hint: {hint}"


def run() -> None:
    """The console entry point: main(), then exit without tearing the heap down.

    A build leaves millions of objects behind, and freeing them one by one at interpreter exit
    takes a sixth of an incremental build. Everything that matters is already closed by then
    (worker pools, the cache, written files), so only the standard streams need flushing.
    """
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler or coverage tool writes its data at exit
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a reader that went away; nothing left to tell it
        pass
    os._exit(code)


def cmd_build(args) -> int:
    from generator.lock import DEFAULT_WAIT, BuildLock

    wait = DEFAULT_WAIT if args.lock_wait is None else args.lock_wait
    if not wait >= 0:
        raise ConfigError(f"error: --lock-wait must be a number of seconds, 0 or more, got {args.lock_wait}")
    if not (args.source / "site.toml").is_file():  # nothing to lock; the build says what is missing
        return _cmd_build(args)
    with BuildLock(args.source, wait, args.quiet):
        return _cmd_build(args)


def _cmd_build(args) -> int:
    import time

    from generator import snapshot
    from generator.options import BuildOptions, build_clock, options_key

    started = time.perf_counter()
    options = BuildOptions(source=args.source, output=args.output, drafts=args.drafts, future=args.future,
                           base_url=args.base_url, strict=args.strict, quiet=args.quiet, verbose=args.verbose,
                           force=args.force, search=not args.no_search, jobs=args.jobs)
    inputs = snapshot.inputs_key(args.source, options_key(options))
    out = snapshot.output_folder(args.source, args.output)
    if out is not None and out.is_symlink():
        from generator.output import real_output
        out = real_output(out)
    last = snapshot.unchanged(args.source, inputs, out, build_clock()) if out is not None else None
    if last is not None:  # nothing changed since the last build: replay its report, touch nothing
        from generator.output import clear_leftovers
        clear_leftovers(out)  # but a killed build's leftovers still go
        return _replay(args, last, out, time.perf_counter() - started)
    from generator.build import build
    result = build(options, inputs)
    report = result.report
    if not args.quiet:
        t = result.timings
        print(f"trending: from {result.trending_source}", file=sys.stderr)
        print(f"built {result.output}: {result.written:,} written, {result.unchanged:,} unchanged, "
              f"{result.removed:,} removed in {t['total']:.2f} s "
              f"(content {t['content']:.2f} s, model {t['model']:.2f} s, render+write {t['render+write']:.2f} s); "
              f"{len(report.errors)} errors, {len(report.warnings)} warnings", file=sys.stderr)
        _print_unused(result.unused_keys)
        if args.verbose and result.slowest:
            print("slowest templates (total seconds): " +
                  ", ".join(f"{name} {secs:.2f}" for secs, name in result.slowest[:5]), file=sys.stderr)
    if report.failed and args.strict and not report.errors:
        print("failed: warnings are errors under --strict", file=sys.stderr)
    return result.exit_code


def _replay(args, last: dict, out: Path, seconds: float) -> int:
    from generator.errors import Problem, Report

    report = Report(quiet=args.quiet, strict=args.strict)
    for fields in last.get("problems", []):
        report.add(Problem(*fields))
    if not args.quiet:
        print(f"trending: from {last.get('trending', '')}", file=sys.stderr)
        print(f"built {out}: 0 written, {last.get('files', 0):,} unchanged, 0 removed in {seconds:.2f} s "
              f"(nothing changed since the last build); {len(report.errors)} errors, {len(report.warnings)} warnings",
              file=sys.stderr)
        _print_unused(last.get("unused_keys") or {})
    return EXIT_CONTENT if report.failed else EXIT_OK


def _print_unused(counts: dict[str, int]) -> None:
    """'front matter keys not used: layout (12 files), series (3)': nothing is dropped silently."""
    if counts:
        shown = [f"{key} ({n} file{'s' if n != 1 else ''})" if i == 0 else f"{key} ({n})"
                 for i, (key, n) in enumerate(list(counts.items())[:20])]
        more = f", and {len(counts) - 20} more" if len(counts) > 20 else ""
        print("front matter keys not used (layouts can read them as article.extra): " + ", ".join(shown) + more,
              file=sys.stderr)


def cmd_serve(args) -> int:
    from generator.serve import serve

    return serve(args)


def cmd_new(args) -> int:
    from generator.config import load_config
    from generator.slugs import slugify

    config = load_config(args.source)
    category = config.category_by_name(args.category)
    if category is None:
        import difflib
        close = difflib.get_close_matches(args.category, [c.name for c in config.categories], n=1, cutoff=0.0)
        raise ConfigError(f"error: unknown category {args.category!r}" + (f"; did you mean {close[0]!r}?" if close else ""))
    slug = slugify(args.title)
    if not slug:
        raise ConfigError("error: the title has no letters or digits to make a file name from")
    now = datetime.now(config.tz).replace(microsecond=0)
    path = args.source / "content" / "articles" / f"{now.year:04d}" / f"{slug}.md"
    tags = [t.strip() for t in args.tags.split(",") if t.strip()]
    lines = ["---", f"title: {_yaml_str(args.title)}", f"date: {now.isoformat()}", f"category: {category.name}",
             "tags: [" + ", ".join(_yaml_str(t) for t in tags) + "]", "summary: \"\"", "draft: false", "---", "",
             "Write the first paragraph here.", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
    except FileExistsError:
        print(f"{path}: error: already exists; not overwritten", file=sys.stderr)
        return EXIT_CONTENT
    print(path)
    return EXIT_OK


def _yaml_str(text: str) -> str:
    import json
    return json.dumps(text, ensure_ascii=False)


def cmd_import(args) -> int:
    from generator.wpimport import import_wordpress

    return import_wordpress(args.export, args.source, args.media, args.force)


def cmd_ticker(args) -> int:
    from generator.tickerfetch import cmd_ticker as run_ticker

    return run_ticker(args)


def cmd_check(args) -> int:
    from generator.check import check_hreflang, check_output
    from generator.config import load_config

    config = load_config(args.source)
    out = args.output if args.output is not None else args.source / config.output
    if not out.is_dir():
        raise ConfigError(f"{out}: error: no built site here; run 'generator build' first")
    from generator.output import marker_base_url

    base_url = args.base_url or marker_base_url(out) or config.base_url  # what the pages were built for
    base_path = urlsplit(base_url).path or "/"
    broken, pages = check_output(out, base_path if base_path.endswith("/") else base_path + "/")
    for page, target in broken:
        print(f"{page}: error: broken link to {target}", file=sys.stderr)
    for page, message in check_hreflang(out, base_url if base_url.endswith("/") else base_url + "/"):
        print(f"{page}: warning: {message}", file=sys.stderr)
    if not args.quiet:
        print(f"checked {pages:,} pages: {len(broken)} broken links", file=sys.stderr)
    return EXIT_CONTENT if broken else EXIT_OK
