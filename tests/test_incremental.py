"""Never stale: after every kind of change, an incremental build's output is byte-identical to a cold build's."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

from conftest import article, tree_hashes
from generator.cache import SCHEMA

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01: news sitemap and "future" fixed


def tree(root: Path) -> dict[str, str]:
    return tree_hashes(root)


def cold_copy(site, tmp_path: Path, name: str) -> dict[str, str]:
    """Build the same sources from scratch in another folder (no cache, no previous output)."""
    other = tmp_path / name
    shutil.copytree(site.root, other, ignore=shutil.ignore_patterns("public", ".cache", ".public*"))
    from conftest import run_cli
    run_cli("build", "--source", str(other), "--no-search", env=EPOCH, check=True)
    return tree(other / "public")


def seed(site) -> None:
    tags = ["Bitcoin (BTC)", "ETFs", "Mining", "Stablecoins", "Layer 2"]
    for i in range(14):
        site.write(f"content/articles/a{i:02d}.md",
                   article(f"Story number {i}", f"2025-0{1 + i % 9}-1{i % 10}T10:00:00Z",
                           ["Bitcoin", "Policy", "Markets"][i % 3], tags=[tags[i % 5], tags[(i * 2) % 5]],
                           body=f"Paragraph {i} about things.\n\n## Section\n\nMore text {i}."))
    site.write("content/pages/about.md", "---\ntitle: About us\nslug: about\n---\nWe write news.\n")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


STEPS = [
    ("edit a body", lambda s: edit(s.root / "content/articles/a03.md", "Paragraph 3", "Paragraph three, rewritten")),
    ("edit a title", lambda s: edit(s.root / "content/articles/a05.md", "Story number 5", "A new headline for five")),
    ("add an article", lambda s: s.write("content/articles/new.md", article(
        "Fresh news today", "2025-12-30T08:00:00Z", "Markets", tags=["ETFs", "Mining"], body="Brand new."))),
    ("change tags", lambda s: edit(s.root / "content/articles/a07.md", "tags: [", "tags: [Stablecoins, ")),
    ("delete an article", lambda s: (s.root / "content/articles/a01.md").unlink()),
    ("rename a file", lambda s: (s.root / "content/articles/a02.md").rename(s.root / "content/articles/moved.md")),
    ("change a slug", lambda s: edit(s.root / "content/articles/a04.md", "category:", "slug: custom-slug\ncategory:")),
    ("edit a layout", lambda s: edit(s.root / "layouts/partials/footer.html", "</footer>", "<p>Edited footer</p></footer>")),
    ("edit an article layout", lambda s: edit(s.root / "layouts/article.html", "{% endblock %}", "<p>v2</p>{% endblock %}")),
    ("edit site.toml", lambda s: edit(s.root / "site.toml", 'title = "Test News"', 'title = "Renamed News"')),
    ("edit CSS", lambda s: (s.root / "assets/css/site.css").write_text(
        (s.root / "assets/css/site.css").read_text() + "\n.x{color:red}\n")),
    ("draft an article", lambda s: edit(s.root / "content/articles/a06.md", "category:", "draft: true\ncategory:")),
    ("change related settings", lambda s: edit(s.root / "site.toml", "[related]\ncount = 3", "[related]\ncount = 2")),
]


def test_incremental_builds_equal_cold_builds_after_every_change(site, tmp_path):
    seed(site)
    site.build("--no-search", env=EPOCH, check=True)
    for n, (name, change) in enumerate(STEPS):
        change(site)
        done = site.build("--no-search", env=EPOCH, check=True)
        assert tree(site.out) == cold_copy(site, tmp_path, f"cold{n}"), f"stale output after: {name}\n{done.stderr}"


def test_deleted_article_leaves_the_output(site):
    seed(site)
    site.build("--no-search", env=EPOCH, check=True)
    page = site.page("/2025/02/story-number-1/")
    assert page.exists()
    (site.root / "content/articles/a01.md").unlink()
    done = site.build("--no-search", env=EPOCH, check=True)
    assert not page.exists() and not page.parent.exists()
    removed = re.search(r"\b(\d+) removed\b", done.stderr)
    assert removed and int(removed.group(1)) >= 1, done.stderr  # its page, at least (not "0 removed")
    for html in site.out.rglob("*.html"):
        assert "story-number-1/" not in html.read_text(encoding="utf-8"), html


def test_body_edit_rewrites_only_the_pages_that_changed(site):
    seed(site)
    site.build("--no-search", env=EPOCH, check=True)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in site.out.rglob("*") if p.is_file()}
    edit(site.root / "content/articles/a03.md", "More text 3", "More text 3, corrected")  # not the summary
    done = site.build("--no-search", env=EPOCH, check=True)
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in site.out.rglob("*") if p.is_file()}
    changed = {p.relative_to(site.out).as_posix() for p in after if before.get(p) != after[p]}
    assert changed == {"2025/04/story-number-3/index.html"}, changed
    assert " 1 written" in done.stderr, done.stderr


def cache_schema(site) -> str:
    """The schema the site's cache file declares; fails if the file is not a database."""
    db = sqlite3.connect(site.root / ".cache" / "build.sqlite")
    try:
        return db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()[0]
    finally:
        db.close()


POISON = "POISONED-CACHE-ENTRY"


def test_cache_of_another_version_is_dropped_not_trusted(site, tmp_path):
    """Entries written under another schema are never used, even when every file's key still matches."""
    seed(site)
    site.build("--no-search", env=EPOCH, check=True)
    db = sqlite3.connect(site.root / ".cache" / "build.sqlite")
    assert db.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] >= 14
    db.execute("UPDATE bodies SET html = ?", (f"<p>{POISON}</p>",))  # what an old version might have made
    db.execute("UPDATE meta SET value='0.0.0-old' WHERE key='schema'")
    db.commit()
    db.close()
    # a layout edit: the build cannot take the "nothing changed" way, and every page is rendered again
    edit(site.root / "layouts/partials/footer.html", "</footer>", "<p>Edited footer</p></footer>")
    site.build("--no-search", env=EPOCH, check=True)
    built = tree(site.out)
    assert not [p for p in site.out.rglob("*.html") if POISON in p.read_text(encoding="utf-8")]
    assert built == cold_copy(site, tmp_path, "cold")
    assert cache_schema(site) == SCHEMA


def test_corrupt_cache_is_rebuilt_not_trusted(site, tmp_path):
    seed(site)
    site.build("--no-search", env=EPOCH, check=True)
    (site.root / ".cache" / "build.sqlite").write_bytes(b"this is not a database" * 100)
    for extra in ("-wal", "-shm"):
        (site.root / ".cache" / f"build.sqlite{extra}").unlink(missing_ok=True)
    edit(site.root / "content/articles/a03.md", "More text 3", "More text 3, corrected")  # so the cache is opened
    done = site.build("--no-search", env=EPOCH)
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert tree(site.out) == cold_copy(site, tmp_path, "cold")
    assert cache_schema(site) == SCHEMA  # thrown away and made anew, not left corrupt beside an in-memory one
