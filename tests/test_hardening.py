"""Hardening, round 2 (issue 24): one test per class of hostile input, each on a tiny inline site.

Concurrent builds (real processes), an output folder that is a symlink, symlinked folders inside
the site, yes/no front matter, numbers from third-party data files, every site.toml range, one bad
file among good ones, output well-formed whatever the input, reserved generated paths, YAML alias
expansion by size, and --force onto a folder of unrelated files. Builds run bounded, as in
test_hostile.py, and every case must say what is wrong without a traceback or an internal error.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO, Site, article
from test_hostile import GOOD, assert_good_pages, assert_sane, bounded_build, good_site, snapshot

# What HTML and XML 1.0 cannot carry: C0 (but tab/newline/CR) and C1 controls, non-characters.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\U0001fffe\U0010ffff]")


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def start_build(site: Site, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--source", str(site.root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env(),
                            start_new_session=True)


# --- 1. two builds at once -----------------------------------------------------------------------

def many_articles(site: Site, n: int = 80) -> list[str]:
    good_site(site)
    urls = [url for _, url in GOOD.values()]
    for i in range(n):
        site.write(f"content/articles/bulk-{i:03d}.md",
                   article(f"Bulk story {i}", f"2024-02-{1 + i % 28:02d}", "Markets", ["Bulk"], body=f"Bulk body {i}."))
        urls.append(f"/2024/02/bulk-story-{i}/")
    return urls


def test_concurrent_builds_wait_for_each_other_and_never_lose_a_page(site: Site):
    urls = many_articles(site)
    first = bounded_build(site)
    assert first.returncode == 0, first.stderr
    waited = 0
    for trial in range(3):
        for i in range(0, 80, 7):  # every build has work to do: edits on many pages
            site.write(f"content/articles/bulk-{i:03d}.md",
                       article(f"Bulk story {i}", f"2024-02-{1 + i % 28:02d}", "Markets", ["Bulk", f"T{trial}"],
                               body=f"Bulk body {i}, trial {trial}."))
        builds = [start_build(site), start_build(site, "--drafts")]  # different options: both really build
        missing: set[str] = set()
        while any(b.poll() is None for b in builds):  # a reader of the live site, all along
            missing |= {u for u in urls if not site.page(u).is_file()}
            time.sleep(0.005)
        outputs = [b.communicate() for b in builds]
        for b, (_, err) in zip(builds, outputs):
            text = err.decode()
            assert b.returncode == 0, text
            assert "internal error" not in text and "Traceback" not in text, text
        assert not missing, f"pages missing from the live output during trial {trial}: {sorted(missing)[:5]}"
        waited += bool(re.search(r"build\.lock: note: another build \(pid \d+\) is running",
                                  "".join(err.decode() for _, err in outputs)))
        for i in range(0, 80, 7):
            page = site.page(f"/2024/02/bulk-story-{i}/").read_text(encoding="utf-8")
            assert f"trial {trial}." in page, f"bulk-story-{i} is stale after trial {trial}"
    assert waited, "the builds never overlapped: the lock was not exercised"


def test_a_held_lock_makes_a_build_wait_then_exit_2_naming_it(site: Site):
    good_site(site)
    assert bounded_build(site).returncode == 0
    before = snapshot(site.out)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
                               "from generator.lock import BuildLock\n"
                               "with BuildLock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(60)\n",
                               str(site.root)], stdout=subprocess.PIPE, env=env())
    try:
        assert holder.stdout.readline().strip() == b"held"
        site.write("content/articles/new.md", article("New one", "2024-01-05", "Bitcoin"))
        built = bounded_build(site, "--lock-wait", "0.5")
    finally:
        holder.kill()
        holder.wait()
    assert built.returncode == 2, built.stderr
    assert f"pid {holder.pid}" in built.stderr and "waiting up to 0.5 s" in built.stderr
    assert re.search(r"build\.lock: error: .*nothing was built", built.stderr), built.stderr
    assert "  hint: " in built.stderr and "Traceback" not in built.stderr
    assert snapshot(site.out) == before
    after = bounded_build(site)  # the holder was killed: the kernel released its lock, its pid is taken over
    assert after.returncode == 0 and site.page("/2024/01/new-one/").is_file(), after.stderr
    assert f"took over the lock left by build pid {holder.pid}" in after.stderr
    site.write("content/articles/new.md", article("New one", "2024-01-05", "Bitcoin", body="Again."))
    clean = bounded_build(site)
    assert clean.returncode == 0 and "took over" not in clean.stderr  # a clean end leaves no pid behind


def test_a_lock_left_by_a_killed_build_is_taken_over_with_a_note(site: Site):
    many_articles(site, 200)
    victim = start_build(site)
    deadline = time.monotonic() + 30
    lock = site.root / ".cache/build.lock"
    while not (lock.is_file() and lock.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    if not lock.read_text().strip():  # it finished first (a fast machine): leave a dead build's pid by hand
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        lock.write_text(f"{dead.pid}\n")
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 0, built.stderr
    assert re.search(r"build\.lock: note: took over the lock left by build pid \d+, which is no longer running",
                     built.stderr), built.stderr
    assert_good_pages(site)


# --- 2. the output folder is a symlink -------------------------------------------------------------

def test_output_symlink_is_kept_and_the_swap_happens_behind_it(site: Site, tmp_path: Path):
    good_site(site)
    deploy = tmp_path / "srv" / "www"
    (deploy / "site").mkdir(parents=True)
    os.symlink(deploy / "site", site.out)
    for n in range(3):
        site.write("content/articles/good-one.md", article("Good one", "2024-01-01", "Bitcoin", ["ETF"],
                                                           body=f"Edition {n}."))
        built = bounded_build(site)
        assert_sane(built)
        assert built.returncode == 0, built.stderr
        assert site.out.is_symlink() and os.readlink(site.out) == str(deploy / "site"), "the link was rearranged"
        assert f"Edition {n}." in (deploy / "site/2024/01/good-one/index.html").read_text(encoding="utf-8")
        assert sorted(p.name for p in site.root.glob(".public*")) == [], "spare trees beside the link"
        assert sorted(p.name for p in deploy.iterdir()) == [".site.spare", "site"]
    assert_good_pages(site)
    os.unlink(site.out)
    os.symlink(tmp_path / "nowhere", site.out)
    dangling = bounded_build(site)
    assert dangling.returncode == 2 and "does not exist" in dangling.stderr and "  hint: " in dangling.stderr
    assert site.out.is_symlink() and not (tmp_path / "nowhere").exists()


# --- 3. symlinked folders inside the site ------------------------------------------------------------

def test_symlinked_layout_and_asset_folders_are_followed_whole(site: Site, tmp_path: Path):
    good_site(site)
    theme, media = site.root / "theme", site.root / "media"
    (site.root / "layouts/partials").rename(theme)
    os.symlink("../theme", site.root / "layouts/partials")
    (site.root / "assets/img").rename(media)
    os.symlink("../media", site.root / "assets/img")
    os.symlink("..", media / "loop")  # a loop inside the share
    os.mkfifo(media / "pipe.jpg")  # never read: it would block the build
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/private.txt").write_text("PRIVATE-OUTSIDE-THE-SITE")
    os.symlink(tmp_path / "elsewhere", site.root / "assets/outside")  # published if followed: refused
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 1, built.stderr
    assert {p.path for p in built.problems if p.level == "warning"} == {"assets/img/loop", "assets/img/pipe.jpg"}
    (refused,) = [p for p in built.problems if p.level == "error"]
    assert refused.path == "assets/outside" and "outside the site folder" in refused.message and refused.hint
    assert not (site.out / "assets/outside").exists()
    shared = sorted(p.name for p in media.iterdir() if p.is_file() and not p.is_fifo() and not p.name.startswith("_"))
    copied = sorted(p.name for p in (site.out / "assets/img").iterdir() if p.is_file())
    assert shared and copied == shared, "only part of the linked folder was copied"
    assert_good_pages(site)
    footer = theme / "footer.html"
    footer.write_text(footer.read_text(encoding="utf-8") + "\n<p>THEME-EDIT-SEEN</p>\n", encoding="utf-8")
    again = bounded_build(site)
    assert again.returncode == 1 and "nothing changed" not in again.stderr, again.stderr
    assert "THEME-EDIT-SEEN" in site.page("/").read_text(encoding="utf-8")
    (media / "late.jpg").write_bytes((media / shared[0]).read_bytes())
    third = bounded_build(site)
    assert third.returncode == 1 and (site.out / "assets/img/late.jpg").is_file(), third.stderr


def test_preview_sees_edits_inside_a_symlinked_layout_folder(site: Site, serve):
    from servetools import wait_for
    good_site(site)
    (site.root / "layouts/partials").rename(site.root / "theme")
    os.symlink("../theme", site.root / "layouts/partials")
    served = serve(site.root)
    assert "THEME-LIVE" not in served.text("/")
    footer = site.root / "theme/footer.html"
    footer.write_text(footer.read_text(encoding="utf-8") + "\n<p>THEME-LIVE</p>\n", encoding="utf-8")
    wait_for(lambda: "THEME-LIVE" in served.text("/"), "the edit inside the linked folder", server=served)


# --- 4. yes/no front matter --------------------------------------------------------------------------

BAD_FLAGS = ['"true # embargoed till Monday"', "y", "[true]", "Yes please", "2", "{a: 1}", "'nope'", "tru"]


@pytest.mark.parametrize("key", ["draft", "trending"])
def test_a_bad_yes_no_value_is_an_error_and_never_publishes_a_draft(site: Site, key: str):
    good_site(site)
    for i, value in enumerate(BAD_FLAGS):
        site.write(f"content/articles/flag-{i}.md", f"---\ntitle: Flag {i}\ndate: 2024-03-01\ncategory: Bitcoin\n"
                                                     f"summary: x\n{key}: {value}\n---\n\nEMBARGOED-{i}\n")
    for i, value in enumerate(["yes", "No", "ON", "off", "1", "0", "true", "False"]):
        site.write(f"content/articles/word-{i}.md", f"---\ntitle: Word {i}\ndate: 2024-03-02\ncategory: Bitcoin\n"
                                                     f"{key}: {value}\n---\n\nWORD-{i}\n")
    site.write("content/articles/toml-flag.md", f'+++\ntitle = "Toml flag"\ndate = 2024-03-01\ncategory = "Bitcoin"\n'
                                                 f'{key} = "maybe"\n+++\n\nEMBARGOED-TOML\n')
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 1
    for i in range(len(BAD_FLAGS)):
        (problem,) = built.about(f"content/articles/flag-{i}.md")
        assert problem.level == "error" and problem.line == 6 and key in problem.message and key in problem.hint
    (problem,) = built.about("content/articles/toml-flag.md")
    assert problem.line == 5 and key in problem.message
    everything = "".join(p.read_text(encoding="utf-8", errors="replace") for p in site.out.rglob("*") if p.is_file())
    published = {f"EMBARGOED-{i}" for i in range(len(BAD_FLAGS))} | {"EMBARGOED-TOML"}
    if key == "draft":
        assert not [m for m in published if m in everything], "a draft with a bad value was published"
        assert {f"WORD-{i}" for i in (1, 3, 5, 7)} <= set(re.findall(r"WORD-\d", everything))
        assert not {f"WORD-{i}" for i in (0, 2, 4, 6)} & set(re.findall(r"WORD-\d", everything))
    else:
        assert all(m in everything for m in published)  # published, just not pinned
    assert_good_pages(site)


# --- 5. numbers from third parties -----------------------------------------------------------------

def test_numbers_from_data_files_are_finite_and_in_range_or_dropped_with_a_warning(site: Site):
    good_site(site)
    toml = (site.root / "site.toml").read_text(encoding="utf-8")
    toml = toml.replace("[trending]\n", '[trending]\npageviews = "data/views.csv"\nwindow_days = 3650\n')
    site.write("site.toml", toml + '\n[ticker]\ncoins = ["BTC", "ETH", "SOL", "XRP"]\nsnapshot = "data/ticker.json"\n')
    huge = "9" * 5000
    site.write("data/views.csv", "path,views\n/2024/01/good-one/,nan\n/2024/01/good-two/,inf\n/2024/01/good-three/,-5\n"
                                 f"/2024/01/good-one/,1e308\n/2024/01/good-two/,{huge}\n/2024/01/good-three/,12\n")
    site.write("data/ticker.json", '{"as_of": "2024-01-05T00:00:00Z", "coins": {"BTC": {"price_usd": NaN, '
                                   '"change_24h": -Infinity}, "ETH": {"price_usd": 1e308, "change_24h": 2.5}, '
                                   f'"SOL": {{"price_usd": {huge}}}, "XRP": [1]}}}}')
    built = bounded_build(site, env={"SOURCE_DATE_EPOCH": "1704499200"})
    assert_sane(built)
    assert built.returncode == 0, built.stderr
    views = built.about("data/views.csv")
    assert sorted(p.line for p in views) == [2, 3, 4, 5, 6] and all(p.level == "warning" for p in views)
    ticker = " ".join(p.message for p in built.about("data/ticker.json"))
    for key in ("BTC.price_usd", "BTC.change_24h", "ETH.price_usd", "SOL.price_usd", "XRP"):
        assert key in ticker, f"no warning about {key}: {ticker}"
    assert "trending: from page views (data/views.csv)" in built.stderr
    home = site.text("/")
    assert not re.search(r"\$(nan|inf)|-?inf%|nan%|\$9{20}", home, re.I), "a bad figure reached the page"
    assert "+2.50%" in home  # the good figure stays
    trending = [u for u in site.html("/widgets/lists/").links if u.startswith("/2024/")]
    assert trending[:1] == ["/2024/01/good-three/"], trending  # the only row with a real count leads

    site.write("data/views.csv", "")
    for shape in ('"just a string"', "[1, 2, 3]", '{"a": {"b": 1}}', "[" * 100_000 + "]" * 100_000, "{nope"):
        site.write("data/views.json", shape)
        site.write("site.toml", (site.root / "site.toml").read_text(encoding="utf-8").replace("views.csv", "views.json"))
        shaped = bounded_build(site)
        assert_sane(shaped)
        assert shaped.returncode == 0, shaped.stderr
        assert [p for p in shaped.about("data/views.json") if p.level == "warning"], f"silent on {shape[:20]}"
        assert bounded_build(site, "--strict").returncode == 1


# --- 6. every site.toml value in range -------------------------------------------------------------

def _out_of_range_cases() -> dict[str, tuple[str, str, str]]:
    """(top-level lines, tables, key the message must name) for values just outside every range."""
    from generator.config import RANGES
    cases: dict[str, tuple[str, str, str]] = {}
    for key, (low, high) in RANGES.items():
        below = low - 1 if isinstance(low, int) and isinstance(high, int) else -0.5
        for label, value in (("below", below), ("above", high * 10 + 1), ("nan", "nan")):
            if label == "nan" and isinstance(high, int) and isinstance(low, int):
                continue
            if "." in key:
                table, name = key.split(".")
                cases[f"{key}-{label}"] = ("", f"[{table}]\n{name} = {value}\n", key)
            else:
                cases[f"{key}-{label}"] = (f"{key} = {value}", "", key)
    cases.update({
        "images.widths-zero": ("", "[images]\nwidths = [0]\n", "images.widths"),
        "images.widths-huge": ("", "[images]\nwidths = [320, 100000]\n", "images.widths"),
        "category-slug-dotdot": ("", '[[categories]]\nname = "X"\nslug = "../../x"\n', "slug"),
        "category-slug-long": ("", f'[[categories]]\nname = "X"\nslug = "{"a" * 300}"\n', "slug"),
        "category-slug-space": ("", '[[categories]]\nname = "X"\nslug = "a b"\n', "slug"),
        "output-tilde": ('output = "~"', "", "output"),
        "output-tilde-path": ('output = "~/www"', "", "output"),
        "output-control": ('output = "pub\\u001blic"', "", "output"),
        "language": ('language = "en us"', "", "language"),
        "logo-space": ('logo = "/assets/img/my logo.svg"', "", "logo"),
        "base-url-quote": ('base_url = "https://x.example/\\"a/"', "", "base_url"),
        "ticker-coin": ("", '[ticker]\ncoins = ["BTC", "<b>"]\n', "ticker.coins"),
        "ticker-api": ("", '[ticker]\napi_url = "javascript:alert(1)"\n', "ticker.api_url"),
        "permalink-reserved": ("", '[permalinks]\narticle = "/feed.xml/{slug}/"\n', "permalinks.article"),
        "title-control": ('title = "A\\u0085B"', "", "title"),
        "huge-number": ("per_page = " + "9" * 5000, "", "cannot read"),
    })
    return cases


OUT_OF_RANGE = _out_of_range_cases()


@pytest.mark.parametrize("name", sorted(OUT_OF_RANGE))
def test_every_site_toml_value_is_range_checked(site: Site, name: str):
    top, table, key = OUT_OF_RANGE[name]
    from conftest import MINIMAL_TOML
    base = MINIMAL_TOML
    if table.startswith(("[trending]", "[related]", "[search]")):  # already declared there: the key goes inside it
        base = re.sub(rf"^{table.split(chr(10))[1].split(' ')[0]} = .*$", "", base, flags=re.M)
        base = base.replace(table.split("\n", 1)[0] + "\n", table, 1)
        table = ""
    if top:  # a top-level key the minimal site.toml sets already: replaced
        base = re.sub(rf"^{top.split(' ')[0]} = .*$", "", base, flags=re.M)
    site.write("site.toml", top + "\n" + base + "\n" + table)
    good_site(site)
    built = bounded_build(site)
    assert built.returncode == 2, built.stderr
    assert "Traceback" not in built.stderr and "internal error" not in built.stderr
    assert re.search(rf"site\.toml: error: .*{re.escape(key.split('.')[-1])}", built.stderr), built.stderr
    if name.rsplit("-", 1)[-1] in ("below", "above", "nan"):
        from generator.config import RANGES
        low, high = RANGES[key]
        assert f"between {low:g} and {high:g}" in built.stderr, built.stderr
    assert not site.out.exists() and not (site.root / "~").exists(), "something was built"
    assert all(len(line) < 400 for line in built.stderr.splitlines()), "a message quotes a whole value"


# --- 7. one bad file never stops the others ----------------------------------------------------------

def _bad_files(site: Site) -> dict[str, str]:
    """Write the bad files; returns the path each is reported under -> the level expected."""
    arts = site.root / "content/articles"
    (arts / os.fsdecode(b"caf\xe9-latin1-name.md")).write_text(article("Latin name", "2024-01-01", "Bitcoin"))
    site.write("content/articles/deep-toml.md", '+++\ntitle = "Deep"\ndate = 2024-01-01\ncategory = "Bitcoin"\n'
               f'x = {"[" * 20_000}{"]" * 20_000}\n+++\n\nbody\n')
    site.write("content/articles/far-draft.md", article("Far draft", "9999-12-31", "Bitcoin", draft="true"))
    site.write("content/articles/far-future.md", article("Far future", "9999-12-31T23:00:00Z", "Bitcoin"))
    os.mkfifo(arts / "pipe.md")
    site.write("content/articles/long-number.md", article("Long number", "2024-01-01", "Bitcoin",
                                                          reading_time="9" * 5000))
    return {'"content/articles/caf\\xe9-latin1-name.md"': "error", "content/articles/deep-toml.md": "error",
            "content/articles/pipe.md": "warning", "content/articles/long-number.md": "error"}


def test_one_bad_file_never_stops_the_others(site: Site):
    good_site(site)
    expected = _bad_files(site)
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 1, built.stderr
    for path, level in expected.items():
        found = [p for p in built.about(path) if p.level == level]
        assert found and found[0].hint, f"no {level} about {path}:\n{built.stderr}"
    assert_good_pages(site)
    assert bounded_build(site, "--future", "--drafts").returncode == 1  # year 9999 published: still no crash
    assert site.page("/9999/12/far-future/").is_file()


def test_a_layout_that_extends_itself_fails_fast(site: Site):
    good_site(site)
    for i in range(150):
        site.write(f"content/articles/n{i}.md", article(f"N {i}", "2024-02-01", "Bitcoin"))
    layout = site.root / "layouts/article.html"
    layout.write_text(re.sub(r"\{% extends '[^']+' %\}", "{% extends 'article.html' %}",
                             layout.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    built = bounded_build(site)
    assert_sane(built)  # bounded CPU: each page must not run into the recursion limit
    assert built.returncode == 1
    assert re.search(r"^layouts/article\.html:\d+: error: .*extend each other", built.stderr, re.M), built.stderr
    assert built.cpu_seconds < 15, built.cpu_seconds
    assert site.page("/").is_file()


def test_cache_that_is_a_file_is_a_clear_error(site: Site):
    good_site(site)
    site.write(".cache", "not a folder")
    built = bounded_build(site)
    assert built.returncode == 2 and "Traceback" not in built.stderr, built.stderr
    assert re.search(r"\.cache: error: .*not a folder", built.stderr) and "  hint: " in built.stderr
    assert (site.root / ".cache").read_text() == "not a folder"


def test_a_full_disk_names_the_path_with_a_hint(site: Site):
    """Writes fail part-way, as on a full disk (RLIMIT_FSIZE: no file may grow past 150 KB, and a
    new article's page and cache rows must): the message names a path and gives a hint."""
    good_site(site)
    assert bounded_build(site).returncode == 0
    before = snapshot(site.out)
    site.write("content/articles/big.md", article("Big one", "2024-01-04", "Bitcoin",
                                                  body="Long paragraph of words. " * 12_000))
    limit = ("import resource, signal\nresource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))\n"
             "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n")
    done = subprocess.run([sys.executable, "-c", limit + "import runpy, sys\nsys.argv = ['generator', 'build', "
                           f"'--source', {str(site.root)!r}, '-j', '1']\nrunpy.run_module('generator', run_name='__main__')"],
                          capture_output=True, text=True, env=env(), timeout=600)
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert re.search(r"^\S+: error: .*(File too large|full|cannot be written)", done.stderr, re.M), done.stderr
    assert "  hint: " in done.stderr
    assert snapshot(site.out) == before, "the live output changed"
    assert bounded_build(site).returncode == 0 and site.page("/2024/01/big-one/").is_file()


# --- 8. output well-formed whatever the input ------------------------------------------------------

def test_output_is_well_formed_whatever_the_input(site: Site):
    good_site(site)
    site.write("content/articles/odd-text.md",
               '---\ntitle: "Odd \\uFFFE\\uFFFF\\x85\\x9b31m title"\ndate: 2024-02-01\ncategory: Bitcoin\n'
               'tags: ["t\\uFFFEx", "\\x80y", "\\uFDD0z"]\nauthor: "Jo\\uFFFF \\x9fDoe"\n'
               'image: https://cdn.example/a photo "x".jpg\n---\n\nBody \ufffe with \x85 text \U0010ffff.\n')
    site.write("content/articles/odd\x1b[31mname\nsecond-line.md", article("Odd name", "2024-02-02", "Nope"))
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 0, built.stderr
    for path in site.out.rglob("*"):
        if path.suffix in (".xml", ".html", ".json"):
            text = path.read_text(encoding="utf-8")
            assert not FORBIDDEN.search(text), f"forbidden code point in {path.relative_to(site.out)}"
            if path.suffix == ".xml":
                ET.parse(path)
            if path.suffix == ".json":
                json.loads(text)
            for ref in re.findall(r'(?:href|src)="([^"]*)"', text):
                assert " " not in ref, f"unencoded space in {ref!r} in {path.relative_to(site.out)}"
    assert "\x1b" not in built.stderr, "a terminal escape reached the terminal"
    (odd,) = [p for p in built.problems if "Nope" in p.message]
    assert odd.path == '"content/articles/odd\\x1b[31mname\\nsecond-line.md"' and odd.line == 4
    assert_good_pages(site)


# --- 9. reserved generated paths -------------------------------------------------------------------

def test_pages_and_terms_claiming_generated_paths_are_errors_naming_both(site: Site):
    good_site(site)
    claims = {"pagefind": "search index", "assets": "assets", "widgets": "widgets"}
    for slug in claims:
        site.write(f"content/pages/{slug}.md", f"---\ntitle: Page {slug}\nslug: {slug}\n---\n\nCLAIM-{slug}\n")
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 1
    for slug, owner in claims.items():
        (problem,) = built.about(f"content/pages/{slug}.md")
        assert problem.level == "error" and f"/{slug}/" in problem.message and owner in problem.message
        assert problem.hint
    assert site.page("/widgets/lists/").is_file() and (site.out / "assets").is_dir()
    assert not [p for p in site.out.rglob("*.html") if "CLAIM-" in p.read_text(encoding="utf-8")]
    assert_good_pages(site)

    toml = (site.root / "site.toml").read_text(encoding="utf-8")
    for pattern in ("/feed.xml/{slug}/", "/pagefind/{slug}/", "/sitemap-2.xml/{slug}/"):
        site.write("site.toml", toml + f'\n[permalinks]\narticle = "{pattern}"\n')
        refused = bounded_build(site)
        assert refused.returncode == 2 and "permalinks.article" in refused.stderr and "reserved" in refused.stderr
    site.write("site.toml", toml.replace('per_page = 3', 'per_page = 3\n[feeds]\nper_tag = true\n[permalinks]\n'
                                                        'article = "/tag/{slug}/"\n', 1))
    site.write("content/articles/feed-xml.md", article("Feed", "2024-01-04", "Bitcoin", slug="x", tags=["Feed"]))
    mixed = bounded_build(site)
    assert_sane(mixed)


# --- 10. YAML aliases bounded by size --------------------------------------------------------------

def test_yaml_aliases_are_bounded_by_size_and_messages_quote_a_prefix(site: Site):
    good_site(site)
    long = "x" * 200_000
    site.write("content/articles/alias-text.md", f'---\ntitle: Alias\ndate: 2024-01-01\ncategory: Bitcoin\n'
                                                 f'a: &a "{long}"\ntags: [{", ".join(["*a"] * 9000)}]\n---\n\nbody\n')
    site.write("content/articles/long-value.md", f"---\ntitle: Long value\ndate: {'y' * 100_000}\ncategory: Bitcoin\n---\n")
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 1
    (problem,) = built.about("content/articles/alias-text.md")
    assert problem.line == 2 and "aliases expand" in problem.message and problem.hint
    (problem,) = built.about("content/articles/long-value.md")
    assert "is not a date" in problem.message
    assert max(len(line) for line in built.stderr.splitlines()) < 400
    assert_good_pages(site)


# --- also: --force onto a folder of unrelated files ---------------------------------------------------

def test_force_onto_unrelated_files_says_where_they_went(site: Site):
    good_site(site)
    site.write("public/notes/keep-me.txt", "the editor's notes")
    refused = bounded_build(site)
    assert refused.returncode == 2 and "--force" in refused.stderr
    built = bounded_build(site, "--force")
    assert_sane(built)
    assert built.returncode == 0, built.stderr
    found = re.search(r"they were moved to (\S+)", built.stderr)
    assert found, built.stderr
    moved = Path(found.group(1))
    assert (moved / "notes/keep-me.txt").read_text() == "the editor's notes"
    assert moved.parent == site.root and moved.name.startswith(".public.")
    again = bounded_build(site, "--drafts")
    assert again.returncode == 0 and (moved / "notes/keep-me.txt").is_file()
    assert_good_pages(site)
