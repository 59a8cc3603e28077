"""Never stale: after every kind of change, an incremental build's output is byte-identical to a cold build's."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import sqlite3
from pathlib import Path

from conftest import MINIMAL_TOML, REPO, article, run_cli, tree_hashes
from generator.cache import SCHEMA

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01: news sitemap and "future" fixed


# Pagefind writes each bundle's filter values from a hash map, in an order that differs from run to
# run (Pagefind 1.5), and names the filter files and their index by a hash of those bytes. Those
# files are compared by the bytes they hold in any order; everything else byte for byte.
_UNORDERED = re.compile(r"^pagefind/[^/]+/(filter/[^/]+\.pf_filter|pagefind\.[^/]+\.pf_meta|pagefind-entry\.json)$")


def tree(root: Path) -> dict[str, str]:
    exact = tree_hashes(root)
    out = {rel: h for rel, h in exact.items() if not _UNORDERED.match(rel)}
    loose: dict[str, list[str]] = {}
    for rel in sorted(set(exact) - set(out)):
        data = (root / rel).read_bytes()
        data = data if rel.endswith(".json") else gzip.decompress(data)
        data = bytes(sorted(re.sub(rb"[0-9a-f]{7,}", b"#", data)))  # the hashed names they point to, too
        shard, kind = rel.split("/")[1], rel.rsplit(".", 1)[-1]
        loose.setdefault(f"pagefind/{shard}/*.{kind}", []).append(hashlib.sha256(data).hexdigest())
    out.update((key, ",".join(sorted(values))) for key, values in loose.items())
    return out


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


# --- the same, on forked workers, with search, pictures, data files and a moving clock ------------------

DAY = 86400
T0 = 1767225600  # 2026-01-01T00:00Z
TICKER = """{{"as_of": "2025-12-31T06:00:00Z", "coins": {{
  "BTC": {{"name": "Bitcoin", "price_usd": {btc}, "change_24h": -1.5, "id": "bitcoin"}},
  "ETH": {{"name": "Ethereum", "price_usd": 3087.45, "change_24h": 2.25, "id": "ethereum"}}}}}}
"""
FULL_TOML = MINIMAL_TOML.replace("[trending]\ncount = 3", """[trending]
count = 3
pageviews = "content/_data/pageviews.csv"
window_days = 10
half_life_days = 3""").replace("[search]\nenabled = false", """[search]
enabled = true

[ticker]
coins = ["BTC", "ETH"]
snapshot = "content/_data/ticker.json"
""")
PICTURES = sorted(p.name for p in (REPO / "assets" / "img").glob("*.jpg"))


def seed_full(site) -> None:
    site.write("site.toml", FULL_TOML)
    seed(site)
    for i in range(3):  # late December: in the news sitemap's two days, and trending's ten, for a while
        site.write(f"content/articles/dec{i}.md", article(
            f"December story {i}", f"2025-12-{29 + i}T12:00:00Z", "Markets", tags=["ETFs"],
            body=f"December {i}.", image=f"/assets/img/{PICTURES[i]}", coins="[BTC]"))
    site.write("content/articles/later.md", article(  # scheduled: due on 2026-01-03
        "Scheduled for later", "2026-01-03T09:00:00Z", "Policy", tags=["ETFs"], body="Comes due."))
    site.write("content/_data/ticker.json", TICKER.format(btc=91234.12))
    site.write("content/_data/pageviews.csv", "path,views\n/2025/12/december-story-0/,500\n"
                                              "/2025/12/december-story-1/,40\n/2025/01/story-number-0/,300\n")


def swap_picture(s) -> None:
    """The featured picture of an article replaced by another file of other dimensions, under the same name."""
    target = s.root / "assets" / "img" / PICTURES[0]
    target.write_bytes((REPO / "assets" / "img" / PICTURES[3]).read_bytes())


FULL_STEPS = [
    ("edit a body", lambda s, env: edit(s.root / "content/articles/a03.md", "Paragraph 3", "Paragraph three")),
    ("replace a picture", lambda s, env: swap_picture(s)),
    ("new ticker figures", lambda s, env: s.write("content/_data/ticker.json", TICKER.format(btc=65000.5))),
    ("new page views", lambda s, env: s.write("content/_data/pageviews.csv", "path,views\n"
                                              "/2025/12/december-story-1/,900\n/2025/01/story-number-0/,10\n")),
    # the clock: December's stories leave the news sitemap (two days) one by one, then the scheduled
    # article comes due with nothing else happening in between, then December leaves trending (ten days)
    ("a day later: one leaves the news sitemap", lambda s, env: env.update(SOURCE_DATE_EPOCH=str(T0 + DAY))),
    ("the last leaves the news sitemap", lambda s, env: env.update(SOURCE_DATE_EPOCH=str(T0 + DAY + 13 * 3600))),
    ("the scheduled article comes due", lambda s, env: env.update(SOURCE_DATE_EPOCH=str(T0 + 2 * DAY + 10 * 3600))),
    ("December leaves trending's window", lambda s, env: env.update(SOURCE_DATE_EPOCH=str(T0 + 11 * DAY))),
    ("add an article", lambda s, env: s.write("content/articles/new.md", article(
        "Fresh news", "2026-01-11T08:00:00Z", "Markets", tags=["ETFs"], body="Brand new."))),
    ("change related settings", lambda s, env: edit(s.root / "site.toml", "[related]\ncount = 3", "[related]\ncount = 2")),
]


def test_incremental_equals_cold_on_forked_workers_with_search_and_a_moving_clock(site, tmp_path):
    """Thresholds lowered (GENERATOR_TEST_PARALLEL_MIN) so that parsing, related lists, fingerprints,
    rendering and the feeds' side process all fork on this small site; -j 2; Pagefind on."""
    seed_full(site)
    env = {"SOURCE_DATE_EPOCH": str(T0), "GENERATOR_TEST_PARALLEL_MIN": "1"}
    first = site.build("-j", "2", env=env, check=True)
    assert ": warning: " not in first.stderr, first.stderr
    assert list(site.out.glob("pagefind/*/pagefind.js")) and (site.out / "pagefind" / "shards.json").is_file()
    assert not site.page("/2026/01/scheduled-for-later/").exists()
    for n, (name, change) in enumerate(FULL_STEPS):
        change(site, env)
        done = site.build("-j", "2", env=env, check=True)
        assert not re.search(r"\b0 written\b", done.stderr), f"{name}: nothing rewritten\n{done.stderr}"
        other = tmp_path / f"cold{n}"
        shutil.copytree(site.root, other, ignore=shutil.ignore_patterns("public", ".cache", ".public*"))
        run_cli("build", "--source", str(other), "-j", "2", env=env, check=True)
        assert tree(site.out) == tree(other / "public"), f"stale output after: {name}\n{done.stderr}"
    assert site.page("/2026/01/scheduled-for-later/").is_file()


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


def test_cache_that_cannot_be_made_is_kept_in_memory(site, tmp_path):
    """A build cache that can be neither opened nor made anew (a folder where the file should be) is
    kept in memory for the build: the site is built whole, as a cold build makes it, each time."""
    seed(site)
    (site.root / ".cache" / "build.sqlite").mkdir(parents=True)
    for n in (1, 2):  # the second build finds the same blocked path, not a cache of the first
        done = site.build("--no-search", env=EPOCH)
        assert done.returncode == 0, done.stderr
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
        assert tree(site.out) == cold_copy(site, tmp_path, f"cold{n}")
        if n == 1:  # the next build has a changed file to parse, so it cannot skip the cache
            edit(site.root / "content/articles/a03.md", "More text 3", "More text 3, corrected")
    assert (site.root / ".cache" / "build.sqlite").is_dir()  # nothing of the user's is deleted to make room


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
