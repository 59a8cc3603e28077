"""The command line's promises (README "Commands"), each on a real `python -m generator` process.

Exit codes: 0 success, 1 content or template errors (and an internal error), 2 usage or
configuration errors, 130 after Ctrl-C; -q prints errors only, -v adds timings and tracebacks,
-j N sets the worker count; a missing or failing Pagefind is said clearly and the pages are
still published; `sidebar_lists = "inline"` puts the lists in every page.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL_TOML, REPO, Site, article, run_cli, tree_hashes

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01
HANG = 120  # seconds: only catches a process that never gets where the test waits for it


def small_site(site: Site) -> Site:
    site.write("content/articles/one.md", article("Story One", "2025-07-01T10:00:00Z", "Bitcoin", tags=["Mining"]))
    site.write("content/articles/two.md", article("Story Two", "2025-07-02T10:00:00Z", "Policy", tags=["Mining"]))
    site.write("content/articles/three.md", article("Story Three", "2025-07-03T10:00:00Z", "Markets", tags=["ETF"]))
    return site


# --- exit codes ----------------------------------------------------------------------------------

def test_no_verb_is_a_usage_error():
    done = run_cli()
    assert done.returncode == 2, done.stderr
    assert "build" in done.stdout + done.stderr and "serve" in done.stdout + done.stderr  # the usage is shown


def test_unknown_verb_and_bad_option_are_usage_errors(site):
    assert run_cli("publish").returncode == 2
    assert run_cli("build", "--source", str(site.root), "-j", "many").returncode == 2


def test_an_internal_error_exits_1_with_one_clear_line(site):
    """An unforeseen exception (injected by a test hook where the pages are about to be published)."""
    small_site(site)
    hook = {"GENERATOR_TEST_HOOK": "build-publish=raise"}
    done = site.build("--no-search", env=hook)
    assert done.returncode == 1, done.stderr
    assert re.search(r"^error: internal error: RuntimeError: test hook: .*\(run with -v for the traceback\)$",
                     done.stderr, re.M), done.stderr
    assert "Traceback" not in done.stderr
    verbose = site.build("--no-search", "-v", env=hook)
    assert verbose.returncode == 1
    assert "Traceback (most recent call last)" in verbose.stderr and "RuntimeError: test hook" in verbose.stderr


def test_ctrl_c_exits_130_and_leaves_the_output_as_it_was(site):
    small_site(site)
    site.build("--no-search", env=EPOCH, check=True)
    before = tree_hashes(site.out)
    site.write("content/articles/four.md", article("Story Four", "2025-07-04T10:00:00Z", "Bitcoin"))
    env = {**os.environ, "PYTHONPATH": str(REPO), **EPOCH, "GENERATOR_TEST_HOOK": "build-publish=pause"}
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--source", str(site.root), "--no-search"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        lines = []
        for raw in iter(proc.stderr.readline, b""):  # until the build is mid-way (held by the hook)
            lines.append(raw.decode())
            if raw.strip() == b"test-hook: build-publish":
                break
        else:
            pytest.fail("the build ended before the hook:\n" + "".join(lines))
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal signals the whole foreground group
        rest = proc.communicate(timeout=HANG)[1].decode()
        code = proc.returncode
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(HANG)
        proc.stderr.close()
    assert code == 130, rest
    assert "interrupted" in rest and "Traceback" not in rest, rest
    assert tree_hashes(site.out) == before
    again = site.build("--no-search", env=EPOCH, check=True)  # and the next build is whole
    assert site.page("/2025/07/story-four/").is_file(), again.stderr


def test_a_disk_error_names_the_path_exits_1_and_leaves_the_output(site):
    """The disk refuses a write half-way through a build (a file-size limit makes it refuse, as a full disk
    would): the file is named with a hint, the exit code is 1 and the live output is the last build's."""
    small_site(site)
    site.build("--no-search", env=EPOCH, check=True)
    before = tree_hashes(site.out)
    site.write("content/articles/four.md", article("Story Four", "2025-07-04T10:00:00Z", "Bitcoin"))
    (site.root / "assets/files").mkdir(parents=True, exist_ok=True)
    (site.root / "assets/files/report.pdf").write_bytes(os.urandom(300_000))

    def small_files() -> None:  # in the child: writes past 200 kB fail with EFBIG instead of a signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    done = subprocess.run([sys.executable, "-m", "generator", "build", "--source", str(site.root), "--no-search"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=HANG,
                          env={**os.environ, "PYTHONPATH": str(REPO), **EPOCH}, preexec_fn=small_files)
    assert done.returncode == 1, done.stderr
    assert re.search(r"^\S*report\.pdf: error: File too large; the build stopped .*\n  hint: ", done.stderr, re.M), \
        done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert tree_hashes(site.out) == before
    site.build("--no-search", env=EPOCH, check=True)  # room again: the next build publishes everything
    assert (site.out / "assets/files/report.pdf").stat().st_size == 300_000
    assert site.page("/2025/07/story-four/").is_file()


# --- -q, -v, -j ----------------------------------------------------------------------------------------

def site_with_an_error_and_a_warning(site: Site) -> Site:
    small_site(site)
    site.write("content/articles/bad.md", "---\ntitle: Bad\ncategory: Bitcoin\n---\nNo date.\n")  # an error
    site.write("content/articles/odd.md", article("Odd Category", "2025-07-05T10:00:00Z", "Gossip"))  # a warning
    return site


def test_quiet_prints_errors_only(site):
    site_with_an_error_and_a_warning(site)
    normal = site.build("--no-search", env=EPOCH)
    assert normal.returncode == 1
    assert "content/articles/odd.md" in normal.stderr and ": warning: " in normal.stderr
    assert re.search(r"^built .*: \d+ written", normal.stderr, re.M)
    shutil.rmtree(site.root / ".cache")  # so the quiet build does the same work again
    quiet = site.build("--no-search", "-q", "--force", env=EPOCH)
    assert quiet.returncode == 1
    lines = [line for line in quiet.stderr.splitlines() if line.strip()]
    assert any(line.startswith("content/articles/bad.md:") and ": error: " in line for line in lines), quiet.stderr
    assert all(": error: " in line or line.startswith("  hint: ") for line in lines), quiet.stderr


def test_verbose_adds_phase_timings_and_the_slowest_templates(site):
    small_site(site)
    normal = site.build("--no-search", env=EPOCH, check=True)
    assert "slowest templates" not in normal.stderr
    site.write("content/articles/one.md", article("Story One Again", "2025-07-01T10:00:00Z", "Bitcoin"))
    verbose = site.build("--no-search", "-v", env=EPOCH, check=True)
    assert re.search(r"\(content [\d.]+ s, model [\d.]+ s, render\+write [\d.]+ s\)", verbose.stderr), verbose.stderr
    assert re.search(r"^slowest templates \(total seconds\): \S+\.html [\d.]+", verbose.stderr, re.M), verbose.stderr


def test_jobs_option_gives_the_same_site_on_one_worker_and_on_forked_workers(site, tmp_path):
    """-j 1 and -j 2, with the fork thresholds lowered so that two jobs really fork on this small site."""
    small_site(site)
    for i in range(12):
        site.write(f"content/articles/more{i}.md", article(f"More news {i}", f"2025-06-{10 + i}T10:00:00Z",
                                                           ["Bitcoin", "Policy"][i % 2], tags=["Mining", f"T{i % 3}"]))
    other = Site(tmp_path / "other")
    shutil.copytree(site.root, other.root)
    env = {**EPOCH, "GENERATOR_TEST_PARALLEL_MIN": "1"}
    site.build("--no-search", "-j", "1", env=env, check=True)
    other.build("--no-search", "-j", "2", env=env, check=True)
    assert tree_hashes(site.out) == tree_hashes(other.out)


# --- Pagefind missing or failing ---------------------------------------------------------------------

def search_site(site: Site) -> Site:
    small_site(site)
    site.write("site.toml", MINIMAL_TOML.replace("[search]\nenabled = false", "[search]\nenabled = true"))
    return site


def no_pagefind(tmp_path: Path, failing: bool) -> dict:
    """An environment where the pagefind[bin] package cannot be imported and PATH holds either no
    pagefind or one that fails, as on a machine where it is missing or broken."""
    fake = tmp_path / "fake-pagefind"
    (fake / "pagefind_bin").mkdir(parents=True)
    (fake / "pagefind_bin" / "__init__.py").write_text("raise ImportError('pagefind_bin is not installed here')\n")
    bin_dir = fake / "bin"
    bin_dir.mkdir()
    if failing:
        script = bin_dir / "pagefind"
        script.write_text("#!/bin/sh\necho 'Error: pagefind crashed reading the site' >&2\nexit 3\n")
        script.chmod(0o755)
    return {"PYTHONPATH": f"{fake}{os.pathsep}{REPO}", "PATH": str(bin_dir)}


@pytest.mark.parametrize("failing", [False, True], ids=["missing", "failing"])
def test_pagefind_missing_or_failing_is_said_and_the_pages_are_published(site, tmp_path, failing):
    search_site(site)
    env = {**EPOCH, **no_pagefind(tmp_path, failing)}
    done = site.build(env=env)
    assert done.returncode == 0, done.stderr  # a warning: the site is published without its index
    assert "Traceback" not in done.stderr
    if failing:
        assert re.search(r"^site\.toml: warning: pagefind failed on the search shard .+: "
                         r"Error: pagefind crashed reading the site$", done.stderr, re.M), done.stderr
        assert re.search(r"hint: .*build with --no-search", done.stderr), done.stderr
    else:
        assert re.search(r"^site\.toml: warning: search is enabled but the pagefind binary is not installed",
                         done.stderr, re.M), done.stderr
        assert "hint: pip install 'pagefind[bin]', or build with --no-search" in done.stderr
    for url in ("/", "/2025/07/story-one/", "/category/bitcoin/", "/search/"):
        assert site.page(url).is_file(), url
    assert not list(site.out.glob("pagefind/**/pagefind.js"))  # no index, not even part of one
    strict = site.build("--strict", "--force", env={**env, "SOURCE_DATE_EPOCH": "1767225601"})
    assert strict.returncode == 1, strict.stderr  # --strict: warnings fail the build


def test_pagefind_present_indexes_the_site(site):
    """The counterpart of the test above: with the real Pagefind, the same site gets its index."""
    search_site(site)
    done = site.build(env=EPOCH, check=True)
    assert ": warning: " not in done.stderr and "0 warnings" in done.stderr, done.stderr
    assert list(site.out.glob("pagefind/*/pagefind.js")) and (site.out / "pagefind" / "shards.json").is_file()


# --- sidebar_lists = "inline" -----------------------------------------------------------------------

def test_inline_sidebar_lists_are_in_every_page_and_kept_current(site, tmp_path):
    small_site(site)
    site.write("site.toml", 'sidebar_lists = "inline"\n' + MINIMAL_TOML)
    site.build("--no-search", env=EPOCH, check=True)
    assert not site.page("/widgets/lists/").exists()
    pages = [p for p in site.out.rglob("*.html") if p.name == "index.html"]
    assert len(pages) >= 8
    home = site.html("/")
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert "widget-frame" not in html and "/widgets/lists/" not in html, path
        # the home page's main column is the Latest list: its sidebar does not repeat it
        assert ('class="widget widget--latest"' in html) == (path != site.page("/")), path
    assert not home.links_within("widget--latest")
    assert site.html("/category/policy/").links_within("widget--latest")[:1] == ["/2025/07/story-three/"]

    site.write("content/articles/four.md", article("Story Four", "2025-07-04T10:00:00Z", "Policy"))
    site.build("--no-search", env=EPOCH, check=True)
    for url in ("/category/markets/", "/2025/07/story-one/", "/tag/mining/"):
        assert site.html(url).links_within("widget--latest")[:1] == ["/2025/07/story-four/"], url
    cold = Site(tmp_path / "cold")
    shutil.copytree(site.root, cold.root, ignore=shutil.ignore_patterns("public", ".cache", ".public*"))
    cold.build("--no-search", env=EPOCH, check=True)
    assert tree_hashes(site.out) == tree_hashes(cold.out)
    checked = run_cli("check", "--source", str(site.root))
    assert checked.returncode == 0, checked.stderr
