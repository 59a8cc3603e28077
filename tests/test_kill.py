"""Nothing lost: a build killed with SIGKILL at any moment leaves the previous output complete.

The build writes a new tree beside the output folder and swaps it in atomically. A site of 300
small articles is built, then an article is changed back and forth while builds are killed
(the whole process group, workers included) after random delays spread over a full build. After
every kill the output folder must be exactly the previous complete output or exactly the new one,
file for file, never a mix and never missing; the next normal build must succeed and be exact.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINIMAL_TOML, REPO, Site, article, tree_hashes
from generator.output import LEVEL, MARKER

ARTICLES = 300
KILLS = 15
SEED = 20240501
EPOCH = "1717200000"  # 2024-06-01: SOURCE_DATE_EPOCH makes builds byte-reproducible
ENV = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": EPOCH}
CHANGED = "content/articles/a000.md"  # the newest article: it is in every page's "latest" sidebar


def write_site(site: Site) -> None:
    site.write("site.toml", MINIMAL_TOML.replace("per_page = 3", "per_page = 10"))
    categories = ("Bitcoin", "Policy", "Markets")
    for i in range(1, ARTICLES):
        site.write(f"content/articles/a{i:03d}.md",
                   article(f"Article number {i}", f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}", categories[i % 3],
                           [f"tag{i % 20}", f"topic{i % 7}"], body=f"Paragraph {i} about markets. " * 40))


def write_state(site: Site, state: str) -> None:
    """State A and state B differ in one article's title, tags and body."""
    title = "Newest article" if state == "A" else "Newest article, updated with a longer headline"
    tags = ["tag1", "fresh"] if state == "A" else ["tag2", "updated"]
    path = site.write(CHANGED, article(title, "2023-12-31T12:00:00Z", "Bitcoin", tags, body=f"State {state}. " * 50))
    now = time.time_ns()
    os.utime(path, ns=(now, now))


def hashes(out: Path) -> dict[str, str]:
    """Every file of the output folder and a hash of its bytes (reading every one of them)."""
    return tree_hashes(out)


def start_build(site: Site) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--source", str(site.root), "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=ENV,
                            start_new_session=True)  # its own process group: the kill takes the workers too


def full_build(site: Site) -> float:
    started = time.monotonic()
    proc = start_build(site)
    _, err = proc.communicate(timeout=600)  # only catches a hang
    assert proc.returncode == 0, err.decode(errors="replace")
    assert b"Traceback" not in err
    return time.monotonic() - started


def describe(got: dict[str, str], want: dict[str, str]) -> str:
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    changed = sorted(k for k in set(got) & set(want) if got[k] != want[k])
    return f"{len(missing)} missing {missing[:5]}, {len(extra)} extra {extra[:5]}, {len(changed)} changed {changed[:5]}"


@pytest.mark.slow
def test_killed_builds_leave_the_previous_or_the_new_output_complete(site: Site):
    write_site(site)
    out = site.out

    write_state(site, "A")
    full_build(site)
    expected = {"A": hashes(out)}
    assert MARKER in expected["A"] and len(expected["A"]) > ARTICLES

    write_state(site, "B")
    duration_b = full_build(site)
    expected["B"] = hashes(out)
    assert expected["B"] != expected["A"]

    write_state(site, "A")
    duration_a = full_build(site)
    assert hashes(out) == expected["A"], "an incremental build differs from the first build: " + \
        describe(hashes(out), expected["A"])

    # Kill moments spread over a build's length. A build that finished before its kill (a loaded
    # machine times builds unevenly) shortens the window, and kills go on until a third of them
    # have hit a running build: the count below is a guard against a vacuous pass, not a timing.
    window = max(duration_a, duration_b)
    rng = random.Random(SEED)
    current = "A"  # what the output folder holds
    source = "A"  # what the sources say
    interrupted = 0
    outcomes = []
    attempt = 0
    while attempt < KILLS or (interrupted < KILLS // 3 and attempt < 4 * KILLS):
        delay = window * ((attempt % KILLS) + rng.random()) / KILLS
        attempt += 1
        source = "B" if current == "A" else "A"
        write_state(site, source)
        proc = start_build(site)
        time.sleep(delay)
        if proc.poll() is None:
            interrupted += 1
        else:
            window = min(window, delay)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate(timeout=30)

        assert out.is_dir(), f"output folder missing after a kill at {delay:.3f} s"
        got = hashes(out)
        if got == expected[current]:
            outcomes.append((round(delay, 3), "previous"))
        elif got == expected[source]:
            outcomes.append((round(delay, 3), "new"))
            current = source
        else:
            pytest.fail(f"after a kill at {delay:.3f} s the output is a mix: vs previous: "
                        f"{describe(got, expected[current])}; vs new: {describe(got, expected[source])}")

    assert interrupted >= KILLS // 3, f"only {interrupted} of {attempt} kills hit a running build: {outcomes}"

    # the next normal build succeeds and is exact
    full_build(site)
    assert hashes(out) == expected[source], describe(hashes(out), expected[source])
    # and one more change after all that still builds exactly
    other = "B" if source == "A" else "A"
    write_state(site, other)
    full_build(site)
    assert hashes(out) == expected[other], describe(hashes(out), expected[other])


def test_spare_tree_left_inconsistent_by_a_killed_build_is_repaired(site: Site):
    """The spare tree beside the output may hold anything after a kill: stray, half-written, changed,
    missing files. The next build must still publish exactly what a clean build publishes."""
    site.write("content/articles/one.md", article("One", "2024-01-01", "Bitcoin", ["ETF"], body="Body one."))
    site.write("content/articles/two.md", article("Two", "2024-01-02", "Policy", ["ETF"], body="Body two."))
    full_build(site)
    site.write("content/articles/one.md", article("One, changed", "2024-01-01", "Bitcoin", ["ETF"], body="Body one."))
    full_build(site)  # the spare now holds the first build, the output the second
    spare = site.root / f".{site.out.name}.spare"
    assert (spare / MARKER).exists()
    files = sorted(p for p in spare.rglob("*.html"))
    victim, gone = files[0], files[1]
    victim.unlink()
    victim.write_text("<p>half-written garbage</p>")  # a new inode, as a killed writer would leave
    gone.unlink()
    (spare / "stray.html").write_text("<p>not part of any build</p>")
    (victim.parent / f".tmp-4242-{victim.name}").write_text("<p>partial</p>")
    # A build removes the spare's LEVEL mark before it changes anything, so a killed one leaves none.
    (spare / LEVEL).unlink()

    site.write("content/articles/two.md", article("Two, changed", "2024-01-02", "Policy", ["ETF"], body="Body two."))
    full_build(site)
    reference = Site(site.root.parent / "reference")
    reference.root.mkdir()
    for rel in ("site.toml", "content/articles/one.md", "content/articles/two.md"):
        reference.write(rel, (site.root / rel).read_bytes())
    for name in ("layouts", "assets"):
        import shutil
        shutil.copytree(site.root / name, reference.root / name)
    full_build(reference)
    assert hashes(site.out) == hashes(reference.out)
    assert not list(site.out.rglob(".tmp-*")) and not (site.out / "stray.html").exists()


def test_spare_tree_without_cache_or_output_is_checked_byte_for_byte(site: Site):
    """With .cache/ and the output deleted, the spare's files have no manifest: each is kept only
    when its bytes are exactly the new ones (same-size garbage included), the rest rewritten."""
    site.write("content/articles/one.md", article("One", "2024-01-01", "Bitcoin", ["ETF"], body="Body one."))
    site.write("content/articles/two.md", article("Two", "2024-01-02", "Policy", ["ETF"], body="Body two."))
    full_build(site)
    site.write("content/articles/two.md", article("Two", "2024-01-02", "Policy", ["ETF"], body="Body 2."))
    full_build(site)
    reference = hashes(site.out)
    spare = site.root / f".{site.out.name}.spare"
    page = next(p for p in sorted(spare.rglob("index.html")) if "one" in p.as_posix())
    size = page.stat().st_size
    page.unlink()
    page.write_bytes(b"x" * size)  # same size, other bytes
    import shutil
    shutil.rmtree(site.out)
    shutil.rmtree(site.root / ".cache")
    full_build(site)
    assert hashes(site.out) == reference
