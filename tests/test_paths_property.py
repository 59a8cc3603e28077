"""Nothing is written where it must not be.

Property tests (hypothesis) over slugs, categories, tags and permalink patterns, from the path
helpers up to a real build, and the output-folder guard: the build refuses to use the site folder,
its sources, the home folder, / or a foreign non-empty folder as its output.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import MINIMAL_TOML, Site, article, run_cli, tree_hashes
from generator.content import expand_permalink
from generator.output import MARKER, UnsafePath, safe_join
from generator.pages import output_path
from generator.slugs import slugify

# --- strategies -------------------------------------------------------------------------------------

# Pieces that have made path-joining code leave its folder somewhere, sometime.
TRAVERSAL = ["..", ".", "/", "\\", "\x00", "~", "~root", "C:", "c:\\", "%2e%2e", "%2f", "..%2f", "\u2025", "\uff0e\uff0e",
             "\u2024\u2024", "／", "＼", "\u202e", "\n", "\r", " ", "index.html", "a", "Bitcoin", "é", "🚀", "//",
             "../", "/etc/passwd", "..\\..\\", "\u0130", "ﬁ"]

PATHISH = st.lists(st.one_of(st.sampled_from(TRAVERSAL), st.text(max_size=4)), max_size=10).map("".join)
HOSTILE_TEXT = st.one_of(st.text(), PATHISH)
DATES = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                     timezones=st.sampled_from([timezone.utc]))

ROOT = Path("/srv/site/public")  # safe_join is lexical: no file system access needed


def inside(path: Path, root: Path) -> bool:
    """Lexically inside root (not root itself): '..' cannot climb out once normalised."""
    norm = os.path.normpath(str(path))
    return norm.startswith(str(root).rstrip("/") + "/") and "\x00" not in norm


# --- (1) safe_join ------------------------------------------------------------------------------------

@settings(database=None, max_examples=500, deadline=None)
@given(HOSTILE_TEXT)
@example("..")
@example("../etc/passwd")
@example("/etc/passwd")
@example("a/../../b")
@example("a\\..\\..\\b")
@example("a\x00b")
@example("C:/Windows")
@example("./index.html")
@example("a//b")
@example("a/")
@example("x" * 300)
def test_safe_join_never_leaves_root(rel: str):
    try:
        result = safe_join(ROOT, rel)
    except UnsafePath:
        return
    _ACCEPTED["never_leaves_root"] += 1
    assert inside(result, ROOT), f"safe_join({rel!r}) -> {result}"
    assert result.relative_to(ROOT).parts, "safe_join returned the root itself"


# The property tests above return early on a refusal, so a safe_join that refused everything would
# pass them: these say that ordinary paths are accepted, and that the random runs reached the checks.
_ACCEPTED = {"never_leaves_root": 0, "real_folder": 0, "patterns": 0}

ORDINARY = ["index.html", "a/b/index.html", "2024/05/some-story/index.html", "tag/bitcoin-btc/feed.xml",
            "assets/img/_v/x-480.webp", "caf\u00e9/index.html", "\U0001f680/index.html", "x" * 255]


@pytest.mark.parametrize("rel", ORDINARY)
def test_safe_join_accepts_ordinary_paths(rel: str):
    assert safe_join(ROOT, rel) == ROOT / rel


def test_safe_join_properties_are_not_vacuous(tmp_path_factory):
    """The two properties, run again here and counted: many of their random inputs reach the checks."""
    for key in _ACCEPTED:
        _ACCEPTED[key] = 0
    test_safe_join_never_leaves_root()
    test_safe_join_stays_inside_a_real_folder(tmp_path_factory)
    assert _ACCEPTED["never_leaves_root"] >= 50, _ACCEPTED
    assert _ACCEPTED["real_folder"] >= 10, _ACCEPTED


@pytest.mark.parametrize("pattern", ["/{year}/{month}/{slug}/", "/news/{slug}/", "/{category}/{slug}/", "/{year}/{slug}/"])
def test_ordinary_patterns_are_accepted_and_published(pattern: str):
    """test_every_accepted_pattern_can_be_published returns early on a refused pattern: ordinary ones are not refused."""
    assert _accepts(pattern), pattern
    _ACCEPTED["patterns"] = 0
    test_every_accepted_pattern_can_be_published.hypothesis.inner_test(pattern=pattern, x="Some title")
    assert _ACCEPTED["patterns"] == 1


@settings(database=None, max_examples=100, deadline=None)
@given(HOSTILE_TEXT)
def test_safe_join_stays_inside_a_real_folder(tmp_path_factory, rel: str):
    """Resolved against a real folder (symlinks and all), the result is still inside it."""
    root = _real_root(tmp_path_factory)
    try:
        result = safe_join(root, rel)
    except UnsafePath:
        return
    _ACCEPTED["real_folder"] += 1
    assert result.resolve().is_relative_to(root.resolve()), f"safe_join({rel!r}) -> {result.resolve()}"


_REAL_ROOT: dict[str, Path] = {}


def _real_root(factory) -> Path:
    if "root" not in _REAL_ROOT:
        root = factory.mktemp("safe-join") / "public"
        (root / "sub").mkdir(parents=True)
        _REAL_ROOT["root"] = root
    return _REAL_ROOT["root"]


# --- (2) slugify ----------------------------------------------------------------------------------------

@settings(database=None, max_examples=500, deadline=None)
@given(HOSTILE_TEXT)
@example("../..")
@example("İstanbul")
@example("ﬁnance")
@example("Ⅻ")
@example("㍻")
@example("ß")
@example("\u202eevil")
@example("a\x00b")
@example("C:\\Windows")
def test_slugify_is_always_url_safe(text: str):
    assert re.fullmatch(r"[a-z0-9-]*", slugify(text)), repr(slugify(text))


# --- (3) permalink expansion + output_path + safe_join ---------------------------------------------------

SEGMENTS = st.sampled_from(["{year}", "{month}", "{day}", "{category}", "news", "archive", "2024", "a-b", "x_y"])


@st.composite
def sane_patterns(draw) -> str:
    """Permalink patterns of the kind site.toml holds: '/' + segments with one {slug} + '/'."""
    segments = draw(st.lists(SEGMENTS, max_size=5))
    segments.insert(draw(st.integers(0, len(segments))), "{slug}")
    return "/" + "/".join(segments) + "/"


@settings(database=None, max_examples=400, deadline=None)
@given(pattern=sane_patterns(), x=HOSTILE_TEXT, y=HOSTILE_TEXT, when=DATES)
@example(pattern="/{year}/{month}/{slug}/", x="../../etc/passwd", y="..", when=datetime(2024, 5, 1, tzinfo=timezone.utc))
@example(pattern="/{category}/{slug}/", x="/", y="\\..\\..", when=datetime(1, 1, 2, tzinfo=timezone.utc))
@example(pattern="/{slug}/", x="", y="", when=datetime(9999, 12, 30, tzinfo=timezone.utc))
def test_permalinks_from_any_text_stay_inside_the_output(pattern: str, x: str, y: str, when: datetime):
    url = expand_permalink(pattern, slug=slugify(x), when=when, category=slugify(y))
    assert url.startswith("/")
    result = safe_join(ROOT, output_path(url))  # must not raise: these are the values content can produce
    assert inside(result, ROOT), f"{pattern} with {x!r}, {y!r} -> {result}"


WILD_SEGMENTS = st.one_of(SEGMENTS, st.sampled_from([".", "..", "~", "news:", "c:", "a:b", "%2e%2e", "x y", "é", "", "\\",
                                                    "{slug}.html", "index.html"]), st.text(max_size=3))


@st.composite
def wild_patterns(draw) -> str:
    segments = draw(st.lists(WILD_SEGMENTS, max_size=4))
    segments.insert(draw(st.integers(0, len(segments))), "{slug}")
    return "/" + "/".join(segments) + "/"


def _accepts(pattern: str) -> bool:
    """Does site.toml validation accept this article permalink pattern?"""
    from generator.config import load_config
    from generator.errors import ConfigError
    with tempfile.TemporaryDirectory() as folder:
        toml = MINIMAL_TOML + "\n[permalinks]\narticle = " + _toml_string(pattern) + "\n"
        Path(folder, "site.toml").write_text(toml, encoding="utf-8")
        try:
            load_config(Path(folder))
        except ConfigError:
            return False
    return True


def _toml_string(text: str) -> str:
    return '"' + "".join(ch if ch.isprintable() and ch not in '"\\' else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000
                         else f"\\U{ord(ch):08x}" for ch in text) + '"'




@settings(database=None, max_examples=200, deadline=None)
@given(pattern=wild_patterns(), x=st.text(max_size=20))
@example(pattern="/./{slug}/", x="a")
@example(pattern="/news:{slug}/", x="a")
def test_every_accepted_pattern_can_be_published(pattern: str, x: str):
    """A pattern site.toml validation accepts must give publishable paths inside the output folder."""
    if not _accepts(pattern):
        return
    _ACCEPTED["patterns"] += 1
    url = expand_permalink(pattern, slug=slugify(x) or "x", when=datetime(2024, 5, 1, tzinfo=timezone.utc),
                           category="bitcoin")
    result = safe_join(ROOT, output_path(url))
    assert inside(result, ROOT)


@pytest.mark.parametrize("pattern", ["/./{slug}/", "/news:{slug}/"])
def test_unpublishable_permalink_pattern_is_a_config_error(site: Site, pattern: str):
    site.write("site.toml", MINIMAL_TOML + f'\n[permalinks]\narticle = "{pattern}"\n')
    site.write("content/articles/one.md", article("One", "2024-01-01", "Bitcoin"))
    done = site.build()
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr
    assert "site.toml" in done.stderr and "permalinks.article" in done.stderr


def test_config_refuses_climbing_permalink_patterns(site: Site):
    for pattern in ("/../{slug}/", "/{slug}/../../", "\\\\{slug}/", "{slug}", "/{year}/"):
        site.write("site.toml", MINIMAL_TOML + "\n[permalinks]\narticle = " + _toml_string(pattern) + "\n")
        done = site.build()
        assert done.returncode == 2, (pattern, done.stderr)
        assert "permalinks.article" in done.stderr and "Traceback" not in done.stderr
        assert not site.out.exists()


# --- (4) end to end: a real build with hostile front matter writes only into public/ ---------------------

def yaml_quote(text: str) -> str:
    """A YAML double-quoted scalar that loads back as exactly `text`."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def tree(root: Path, skip: tuple[Path, ...]) -> dict[str, str]:
    return tree_hashes(root, folders=True, modes=True, skip=skip)


@pytest.fixture(scope="module")
def template_site(tmp_path_factory) -> Path:
    root = Site.new(tmp_path_factory.mktemp("template") / "site").root
    (root / "content/articles").mkdir(parents=True)
    (root / "content/articles/good.md").write_text(article("Good one", "2024-01-01", "Bitcoin", ["ETF"]), encoding="utf-8")
    return root


@settings(database=None, max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(title=HOSTILE_TEXT, category=HOSTILE_TEXT, tags=st.lists(HOSTILE_TEXT, max_size=3), slug=st.none() | HOSTILE_TEXT,
       pattern=st.sampled_from(["/{year}/{month}/{slug}/", "/{category}/{slug}/", "/{category}/{year}/{day}/{slug}/"]))
@example(title="../../../escape", category="../../../../tmp", tags=["/etc/passwd", "..\\..\\x"], slug="../../../../out",
         pattern="/{category}/{slug}/")
@example(title="\x00", category="\x00", tags=["\x00"], slug="\x00", pattern="/{category}/{slug}/")
def test_build_with_hostile_front_matter_writes_only_into_its_output(template_site: Path, title, category, tags,
                                                                      slug, pattern):
    work = Path(tempfile.mkdtemp(dir=template_site.parent.parent, prefix="example-"))
    try:
        root = work / "site"
        shutil.copytree(template_site, root, symlinks=True)
        (work / "beside").mkdir()
        (work / "beside" / "canary.txt").write_text("untouched")
        toml = MINIMAL_TOML + f"\n[permalinks]\narticle = {_toml_string(pattern)}\n"
        (root / "site.toml").write_text(toml, encoding="utf-8")
        lines = ["---", f"title: {yaml_quote(title)}", "date: 2024-05-01", f"category: {yaml_quote(category)}",
                 "tags: [" + ", ".join(yaml_quote(t) for t in tags) + "]"]
        if slug is not None:
            lines.append(f"slug: {yaml_quote(slug)}")
        (root / "content/articles/hostile.md").write_text("\n".join(lines + ["---", "", "Body.", ""]), encoding="utf-8")

        skip = (root / "public", root / ".cache", root / ".public.spare")
        before = tree(work, skip)
        done = run_cli("build", "--source", str(root))
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
        assert done.returncode in (0, 1), done.stderr
        assert tree(work, skip) == before, "the build created or changed files outside public/ and .cache/"
        public = (root / "public").resolve()
        assert (public / MARKER).is_file()
        for path in public.rglob("*"):
            assert not path.is_symlink() and path.resolve().is_relative_to(public)
        assert (public / "2024/01/good-one/index.html").is_file() or pattern != "/{year}/{month}/{slug}/"
        assert len(list(public.rglob("index.html"))) >= 3  # the good article, home, a category page at least
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- the output folder guard ---------------------------------------------------------------------------

def _refusal_target(site: Site, tmp_path: Path, which: str) -> Path:
    targets = {
        "site root": site.root,
        "site root via ..": site.root / "content" / "..",
        "content/": site.root / "content",
        "inside content/": site.root / "content" / "public",
        "layouts/": site.root / "layouts",
        "assets/": site.root / "assets",
        "home folder": tmp_path / "home",
        "/": Path("/"),
        "parent of the site": tmp_path,
        "symlink to content/": tmp_path / "link-to-content",
    }
    return targets[which]


REFUSED = ["site root", "site root via ..", "content/", "inside content/", "layouts/", "assets/", "home folder", "/",
           "parent of the site", "symlink to content/"]


@pytest.mark.parametrize("which", REFUSED)
def test_build_refuses_output_folder(site: Site, tmp_path: Path, which: str):
    site.write("content/articles/one.md", article("One", "2024-01-01", "Bitcoin"))
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    (home / ".config" / "keep.txt").write_text("mine")
    os.symlink(site.root / "content", tmp_path / "link-to-content")
    out = _refusal_target(site, tmp_path, which)
    before = tree(tmp_path, ())
    top_before = sorted(os.listdir("/"))
    for extra in ((), ("--force",)):
        done = site.build("--output", str(out), *extra, env={"HOME": str(home)})
        assert done.returncode == 2, f"{which} {extra}: {done.stderr}"
        assert "error: refusing" in done.stderr and "hint:" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert tree(tmp_path, ()) == before, f"{which}: files were touched"
        assert sorted(os.listdir("/")) == top_before


def test_build_refuses_a_foreign_non_empty_folder_unless_forced(site: Site, tmp_path: Path):
    site.write("content/articles/one.md", article("One", "2024-01-01", "Bitcoin"))
    foreign = tmp_path / "someone-elses"
    (foreign / "docs").mkdir(parents=True)
    (foreign / "docs" / "thesis.tex").write_text("years of work")
    before = tree(tmp_path, ())
    done = site.build("--output", str(foreign))
    assert done.returncode == 2, done.stderr
    assert "not empty" in done.stderr and "--force" in done.stderr and "Traceback" not in done.stderr
    assert tree(tmp_path, ()) == before, "a refused build touched files"

    forced = site.build("--output", str(foreign), "--force")
    assert forced.returncode == 0, forced.stderr
    assert (foreign / MARKER).is_file() and (foreign / "2024/01/one/index.html").is_file()
    again = site.build("--output", str(foreign))  # ours now: no --force needed
    assert again.returncode == 0, again.stderr


def test_build_accepts_an_empty_folder_and_its_own_output(site: Site, tmp_path: Path):
    site.write("content/articles/one.md", article("One", "2024-01-01", "Bitcoin"))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert site.build("--output", str(empty)).returncode == 0
    assert (empty / MARKER).is_file()
    assert site.build("--output", str(empty)).returncode == 0


def test_build_refuses_its_own_cache_folder(site: Site):
    site.write("content/articles/one.md", article("One", "2024-01-01", "Bitcoin"))
    cache = site.root / ".cache"
    done = site.build("--output", str(cache))
    assert done.returncode == 2, f"exit {done.returncode}; .cache now holds: {sorted(p.name for p in cache.iterdir())}"
