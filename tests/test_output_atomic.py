"""The output folder: a failed build leaves the previous site intact, unchanged builds touch nothing,
deleted articles disappear, and the build refuses folders it must not overwrite."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, Site, article, tree_hashes


def tree(root: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under root (folders included as entries, so new empty ones show)."""
    return tree_hashes(root, folders=True)


def stats(root: Path) -> dict[str, tuple[int, int, int]]:
    """relative path -> (inode, mtime_ns, size) of every file under root."""
    return {p.relative_to(root).as_posix(): (st.st_ino, st.st_mtime_ns, st.st_size)
            for p in sorted(root.rglob("*")) if p.is_file() for st in [p.stat()]}


def good_site(site: Site) -> None:
    site.write("content/articles/one.md", article("Story One", "2025-07-01T10:00:00Z", "Bitcoin", tags=["Mining"]))
    site.write("content/articles/two.md", article("Story Two", "2025-07-02T10:00:00Z", "Policy", tags=["Mining", "Rules"]))
    site.write("content/articles/three.md", article("Story Three", "2025-07-03T10:00:00Z", "Bitcoin", tags=["Gone Tag"]))


def html_mentioning(site: Site, needle: str) -> list[str]:
    return sorted(p.relative_to(site.out).as_posix() for p in site.out.rglob("*")
                  if p.is_file() and p.suffix in (".html", ".xml", ".json", ".txt")
                  and needle in p.read_text(encoding="utf-8", errors="replace"))


def leftovers(site: Site) -> list[str]:
    """Folders beside the output other than the spare tree the generator keeps by design."""
    return sorted(p.name for p in site.root.iterdir() if p.name.startswith(".public.") and p.name != ".public.spare")


# --- (0) without renameat2's exchange: two renames, and a build killed between them --------------------

NO_EXCHANGE = {"GENERATOR_TEST_NO_EXCHANGE": "1"}  # as on a kernel or file system without RENAME_EXCHANGE
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
HANG = 120  # seconds: only catches a build that never reaches its hook point


def cold_tree(site: Site, tmp_path: Path, name: str) -> dict[str, str]:
    """The same sources built from scratch in another folder."""
    other = Site(tmp_path / name)
    shutil.copytree(site.root, other.root, ignore=shutil.ignore_patterns("public", ".cache", ".public*"))
    other.build("--no-search", env=EPOCH, check=True)
    return tree(other.out)


def start_held(site: Site, point: str, env: dict, release: Path | None = None) -> subprocess.Popen:
    """Start a build that stops itself at a test hook point (until `release` exists, when given); return
    once it is there, its process in a session of its own."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **env, "GENERATOR_TEST_HOOK": f"{point}=pause"}
    if release is not None:
        full_env["GENERATOR_TEST_HOOK_RELEASE"] = str(release)
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--source", str(site.root), "--no-search"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=full_env, start_new_session=True)
    seen: list[str] = []
    try:
        for raw in iter(proc.stderr.readline, b""):  # the build exiting without reaching the point ends this
            seen.append(raw.decode("utf-8", "replace"))
            if raw.strip() == f"test-hook: {point}".encode():
                return proc
        pytest.fail(f"the build ended (exit {proc.wait(HANG)}) without reaching {point}:\n{''.join(seen)}")
    except BaseException:
        kill(proc)
        raise


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the build, workers and all."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(HANG)
    proc.stderr.close()


def build_until(site: Site, point: str, env: dict) -> None:
    """Start a build that stops itself at a test hook point, then SIGKILL it (workers and all) there."""
    kill(start_held(site, point, env))


def test_without_exchange_builds_swap_by_two_renames(site, tmp_path):
    good_site(site)
    site.build("--no-search", env={**EPOCH, **NO_EXCHANGE}, check=True)
    for n, title in enumerate(["Story One, revised", "Story One, again"]):
        site.write("content/articles/one.md", article(title, "2025-07-01T10:00:00Z", "Bitcoin", tags=["Mining"]))
        site.build("--no-search", env={**EPOCH, **NO_EXCHANGE}, check=True)
        assert tree(site.out) == cold_tree(site, tmp_path, f"cold{n}")
        assert leftovers(site) == []  # no .public.previous-* left behind
        spare = site.root / ".public.spare"
        assert (spare / ".generator-output").is_file(), "the previous output did not become the spare"


def test_killed_between_the_two_renames_the_next_build_restores_the_output(site, tmp_path):
    good_site(site)
    site.build("--no-search", env=EPOCH, check=True)
    published = tree(site.out)
    site.write("content/articles/one.md", article("Story One, revised", "2025-07-01T10:00:00Z", "Bitcoin"))

    build_until(site, "between-renames", {**EPOCH, **NO_EXCHANGE})
    assert not site.out.exists(), "the hook was not between the two renames"
    (previous,) = site.root.glob(".public.previous-*")
    assert tree(previous) == published  # the old output, whole, under another name

    # the next build, held before it publishes anything, then let go (so that coverage sees the restore)
    release = tmp_path / "release"
    proc = start_held(site, "build-publish", {**EPOCH, **NO_EXCHANGE}, release)
    try:
        assert tree(site.out) == published, "the next build did not put the previous output back first"
        release.touch()
        err = proc.stderr.read().decode("utf-8", "replace")
        assert proc.wait(HANG) == 0, err
    finally:
        kill(proc)
    assert tree(site.out) == cold_tree(site, tmp_path, "cold")  # and it then published, by two renames
    assert leftovers(site) == []


# --- (a) a config error leaves the previous output byte-identical ------------------------------------


def test_config_error_leaves_output_untouched(site):
    good_site(site)
    site.build(check=True)
    before, before_stats = tree(site.out), stats(site.out)
    assert "index.html" in before and "2025/07/story-one/index.html" in before

    toml = site.root / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[broken\n", encoding="utf-8")  # TOML syntax error
    site.write("content/articles/four.md", article("Story Four", "2025-07-04T10:00:00Z", "Bitcoin"))
    done = site.build()
    assert done.returncode == 2, done.stderr
    assert "site.toml" in done.stderr
    assert tree(site.out) == before
    assert stats(site.out) == before_stats
    assert leftovers(site) == []


def test_invalid_config_value_leaves_output_untouched(site):
    good_site(site)
    site.build(check=True)
    before = tree(site.out)
    toml = site.root / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("per_page = 3", 'per_page = "three"'), encoding="utf-8")
    done = site.build()
    assert done.returncode == 2, done.stderr
    assert "per_page" in done.stderr
    assert tree(site.out) == before


def test_template_error_keeps_the_last_good_pages(site):
    good_site(site)
    site.build(check=True)
    before = tree(site.out)
    layout = site.root / "layouts" / "article.html"
    layout.write_text(layout.read_text(encoding="utf-8").replace("{{ article.title }}</h1>", "{{ article.title }</h1>"),
                      encoding="utf-8")
    done = site.build()
    assert done.returncode == 1, done.stderr
    assert "layouts/article.html" in done.stderr
    assert tree(site.out) == before
    assert leftovers(site) == []


def test_broken_sitewide_partial_keeps_the_last_good_pages(site):
    good_site(site)
    site.build(check=True)
    before = tree(site.out)
    partial = site.root / "layouts" / "partials" / "sidebar.html"
    text = partial.read_text(encoding="utf-8")
    assert "<aside" in text
    partial.write_text(text.replace("<aside", "{{ no_such.thing }}<aside", 1), encoding="utf-8")
    done = site.build()
    assert done.returncode == 1, done.stderr
    assert "layouts/partials/sidebar.html" in done.stderr
    assert tree(site.out) == before


# --- (b) a bad article fails the build but the rest is published -------------------------------------


def test_bad_article_exits_1_and_others_are_published(site):
    good_site(site)
    site.build(check=True)
    site.write("content/articles/broken.md", article("Broken Story", "not a date at all", "Bitcoin", tags=["Mining"]))
    site.write("content/articles/four.md", article("Story Four", "2025-07-04T10:00:00Z", "Bitcoin", tags=["Mining"]))
    done = site.build()
    assert done.returncode == 1, done.stderr
    assert "content/articles/broken.md" in done.stderr and "error" in done.stderr

    for slug in ("story-one", "story-two", "story-three", "story-four"):
        assert site.page(f"/2025/07/{slug}/").is_file(), slug
    assert "/2025/07/story-four/" in site.html("/category/bitcoin/").links  # the new good article was published
    assert html_mentioning(site, "Broken Story") == []
    assert not [p for p in site.out.rglob("*") if "broken-story" in p.as_posix()]
    assert leftovers(site) == []


def test_bad_article_on_first_build_still_publishes_the_rest(site):
    good_site(site)
    site.write("content/articles/broken.md", "---\ntitle: Broken Story\ndate: 2025-07-05\ncategory: [Bitcoin\n---\n\nBody.\n")
    done = site.build()
    assert done.returncode == 1, done.stderr
    assert "content/articles/broken.md" in done.stderr
    for slug in ("story-one", "story-two", "story-three"):
        assert site.page(f"/2025/07/{slug}/").is_file(), slug
    assert html_mentioning(site, "Broken Story") == []


def test_article_that_breaks_is_taken_down_and_the_rest_stay(site):
    good_site(site)
    site.build(check=True)
    before = tree(site.out)
    site.write("content/articles/two.md", "---\ntitle: Story Two\ndate: [2025-07-02\ncategory: Policy\n---\n\nBody.\n")
    done = site.build()
    assert done.returncode == 1, done.stderr
    assert "content/articles/two.md" in done.stderr
    assert not site.page("/2025/07/story-two/").exists()
    assert html_mentioning(site, "/2025/07/story-two/") == []
    for rel in ("2025/07/story-one/index.html", "2025/07/story-three/index.html"):
        assert site.page("/" + rel[: -len("index.html")]).is_file()
    assert set(before) - set(tree(site.out)) >= {"2025/07/story-two/index.html"}


# --- (c) deleting an article removes its page and every mention ---------------------------------------


def test_deleted_article_disappears(site):
    good_site(site)
    site.build(check=True)
    assert "/2025/07/story-three/" in site.html("/category/bitcoin/").links
    assert site.page("/tag/gone-tag/").is_file()

    (site.root / "content/articles/three.md").unlink()
    done = site.build(check=True)
    assert not site.page("/2025/07/story-three/").exists()
    assert not (site.out / "2025/07/story-three").exists()
    assert not site.page("/tag/gone-tag/").exists()  # its only article is gone, so is the tag page
    assert html_mentioning(site, "/2025/07/story-three/") == []
    assert html_mentioning(site, "Story Three") == []
    assert site.html("/category/bitcoin/").links.count("/2025/07/story-one/") >= 1
    assert re.search(r"\b[1-9]\d* removed\b", done.stderr), done.stderr


def test_unpublishing_a_draft_removes_its_page(site):
    good_site(site)
    site.write("content/articles/draft.md", article("Draft Story", "2025-07-04T10:00:00Z", "Bitcoin", draft="true"))
    site.build("--drafts", check=True)
    assert site.page("/2025/07/draft-story/").is_file()
    site.build(check=True)
    assert not site.page("/2025/07/draft-story/").exists()
    assert html_mentioning(site, "Draft Story") == []


# --- (d) an unchanged rebuild writes nothing ----------------------------------------------------------


def test_second_build_without_changes_writes_nothing(site):
    good_site(site)
    first = site.build(check=True)
    assert not re.search(r"\b0 written\b", first.stderr)
    before, before_stats = tree(site.out), stats(site.out)
    out_inode = site.out.stat().st_ino

    second = site.build(check=True)
    assert re.search(r"\b0 written\b", second.stderr), second.stderr
    assert re.search(r"\b0 removed\b", second.stderr), second.stderr
    assert tree(site.out) == before
    assert stats(site.out) == before_stats
    assert site.out.stat().st_ino == out_inode
    assert leftovers(site) == []


def test_one_changed_article_rewrites_only_what_depends_on_it(site):
    good_site(site)
    site.build(check=True)
    before = stats(site.out)
    path = site.root / "content/articles/two.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Some body text.", "A corrected body text."), encoding="utf-8")
    done = site.build(check=True)
    after = stats(site.out)
    changed = sorted(rel for rel in after if after[rel] != before.get(rel))
    assert "2025/07/story-two/index.html" in changed
    assert "A corrected body text." in site.page("/2025/07/story-two/").read_text(encoding="utf-8")
    assert "2025/07/story-one/index.html" not in changed, changed
    assert not re.search(r"\b0 written\b", done.stderr)


def test_next_build_clears_a_killed_builds_staging_tree(site):
    good_site(site)
    site.build(check=True)
    before = tree(site.out)
    killed = site.root / ".public.staging-999999"  # what a build killed mid-write leaves behind
    (killed / "2025").mkdir(parents=True)
    (killed / ".generator-output").write_text("This folder is generated; the generator replaces it on every build.\n")
    (killed / "index.html").write_text("<p>half a site</p>")
    done = site.build()
    assert done.returncode == 0, done.stderr
    assert tree(site.out) == before
    assert leftovers(site) == []


def test_next_build_with_changes_clears_a_killed_builds_staging_tree(site):
    good_site(site)
    site.build(check=True)
    killed = site.root / ".public.staging-999999"
    killed.mkdir()
    (killed / ".generator-output").write_text("generated\n")
    (killed / "index.html").write_text("<p>half a site</p>")
    site.write("content/articles/four.md", article("Story Four", "2025-07-04T10:00:00Z", "Bitcoin"))
    site.build(check=True)
    assert leftovers(site) == []
    assert "half a site" not in site.page("/").read_text(encoding="utf-8")


# --- (e) output folders the build must refuse ---------------------------------------------------------


def test_refuses_foreign_non_empty_output_folder(site):
    good_site(site)
    site.write("public/mine.txt", "my own file")
    done = site.build()
    assert done.returncode == 2, done.stderr
    assert "--force" in done.stderr
    assert tree(site.out) == {"mine.txt": hashlib.sha256(b"my own file").hexdigest()}

    forced = site.build("--force")
    assert forced.returncode == 0, forced.stderr
    assert site.page("/2025/07/story-one/").is_file()
    again = site.build()  # now it is ours
    assert again.returncode == 0, again.stderr


def test_refuses_foreign_output_folder_given_with_option(site, tmp_path):
    good_site(site)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "docs").mkdir(parents=True)
    (elsewhere / "docs" / "notes.md").write_text("keep me")
    before = tree(elsewhere)
    done = site.build("--output", str(elsewhere))
    assert done.returncode == 2, done.stderr
    assert tree(elsewhere) == before

    empty = tmp_path / "empty-out"
    empty.mkdir()
    ok = site.build("--output", str(empty))
    assert ok.returncode == 0, ok.stderr
    assert (empty / "2025/07/story-one/index.html").is_file()
    assert not site.out.exists()


def test_refuses_sources_as_output_folder(site):
    good_site(site)
    site.build(check=True)
    before = tree(site.root)
    for target, extra in ((site.root, ()), (site.root, ("--force",)), (site.root / "content", ()),
                          (site.root / "layouts", ()), (site.root / "content" / "articles", ("--force",))):
        done = site.build("--output", str(target), *extra)
        assert done.returncode == 2, (target, extra, done.stderr)
        assert "output" in done.stderr.lower()
        assert "Traceback" not in done.stderr
        assert tree(site.root) == before, (target, extra)


def test_refuses_relative_spelling_of_the_site_folder(site):
    good_site(site)
    site.build(check=True)
    before = tree(site.root)
    done = site.build("--output", str(site.root / "content" / ".." / "layouts" / ".."))
    assert done.returncode == 2, done.stderr
    assert tree(site.root) == before
