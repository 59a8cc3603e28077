"""The hostile-input corpus: every file in tests/hostile/ is dropped, alone, into a good site and built.

For each case the build must say what is wrong as `path:line: level: message` plus a `hint:`,
still publish every other page, exit 1 on errors (0 when the input is legitimately fine or only
worth a warning; `--strict` turns warnings into exit 1), never print a traceback, never write
outside its output folder, and stay bounded in time and memory (every build here runs under a
1.5 GB address-space limit and a 60 s timeout).

Cases that must be generated (huge, deep, symlinks, broken layouts) are built at test time.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import pytest

from conftest import REPO, Page, Site, article, tree_hashes

HOSTILE = Path(__file__).resolve().parent / "hostile"
IMPORTS = HOSTILE / "imports"

ADDRESS_SPACE_LIMIT = 1536 * 1024 * 1024  # RLIMIT_AS for every build here
MAX_RSS_MB = 600  # "a few hundred MB"
TIMEOUT = 60
MAX_CPU_SECONDS = 30  # generous: the wall clock is meaningless on a loaded machine, CPU time is not

GOOD = {  # the good site every case is dropped into: source -> (title, url)
    "content/articles/good-one.md": ("Good one", "/2024/01/good-one/"),
    "content/articles/good-two.md": ("Good two", "/2024/01/good-two/"),
    "content/articles/good-three.md": ("Good three", "/2024/01/good-three/"),
}

# Files outside the site that hostile slugs, categories and YAML tags aim at: they must not appear.
TARGETS = (Path("/tmp/pwned"), Path("/tmp/generator-pwned"), Path("/tmp/evil"))


def good_site(site: Site) -> Site:
    site.write("content/articles/good-one.md", article("Good one", "2024-01-01", "Bitcoin", ["ETF"]))
    site.write("content/articles/good-two.md", article("Good two", "2024-01-02", "Policy", ["SEC"]))
    site.write("content/articles/good-three.md", article("Good three", "2024-01-03", "Markets", ["Prices"]))
    return site


# --- running a build, bounded, and reading what it said ------------------------------------------

PROBLEM = re.compile(r"^(?P<path>\S.*?)(?::(?P<line>\d+))?: (?P<level>error|warning|note): (?P<message>.*)$")

# Runs the build as its child under RLIMIT_AS (set in a preexec_fn of this single-threaded wrapper, not of
# the multi-threaded pytest-xdist worker) and reports the child's peak memory and CPU time.
_WRAPPER = ("import resource, subprocess, sys\n"
            "limit = int(sys.argv[1])\n"
            "def cap():\n"
            "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
            "done = subprocess.run(sys.argv[2:], preexec_fn=cap)\n"
            "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "sys.stderr.write('\\nMAXRSS_KB %d CPU_S %.2f\\n' % (use.ru_maxrss, use.ru_utime + use.ru_stime))\n"
            "sys.exit(done.returncode)\n")


@dataclass
class Reported:
    path: str
    line: int | None
    level: str
    message: str
    hint: str


@dataclass
class Built:
    returncode: int
    stderr: str
    seconds: float  # wall clock
    maxrss_mb: float  # peak resident memory of the build process
    cpu_seconds: float
    problems: list[Reported] = field(default_factory=list)

    def about(self, path: str) -> list[Reported]:
        return [p for p in self.problems if p.path == path]

    def serious(self) -> list[Reported]:
        return [p for p in self.problems if p.level in ("error", "warning")]


def parse_problems(stderr: str) -> list[Reported]:
    out: list[Reported] = []
    lines = stderr.splitlines()
    for i, text in enumerate(lines):
        found = PROBLEM.match(text)
        if not found or found["path"].startswith("error"):
            continue
        hint = ""
        if i + 1 < len(lines) and lines[i + 1].startswith("  hint: "):
            hint = lines[i + 1][len("  hint: "):].strip()
        out.append(Reported(found["path"], int(found["line"]) if found["line"] else None, found["level"],
                            found["message"], hint))
    return out


def bounded_build(site: Site, *args: str, timeout: float = TIMEOUT, env: dict | None = None) -> Built:
    """`python -m generator build` under RLIMIT_AS and a timeout; fails the test if it does not finish."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    cmd = [sys.executable, "-c", _WRAPPER, str(ADDRESS_SPACE_LIMIT),
           sys.executable, "-m", "generator", "build", "--source", str(site.root), *args]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=full_env, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"build did not finish within {timeout} s")
    seconds = time.monotonic() - started
    stderr = err.decode("utf-8", errors="replace")
    use = re.search(r"^MAXRSS_KB (\d+) CPU_S ([\d.]+)$", stderr, re.M)
    assert use, f"the build wrapper did not report (killed by the memory limit?):\n{stderr}"
    stderr = stderr[:use.start()].rstrip("\n") + "\n"
    return Built(proc.returncode, stderr, seconds, int(use.group(1)) / 1024, float(use.group(2)), parse_problems(stderr))


def test_the_memory_limit_really_applies():
    """The bound the hostile builds run under is real: 2 GB cannot be allocated inside it."""
    done = subprocess.run([sys.executable, "-c", _WRAPPER, str(ADDRESS_SPACE_LIMIT), sys.executable, "-c",
                           "bytearray(2 * 1024 ** 3)"], capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode != 0 and "MemoryError" in done.stderr, done.stderr


def snapshot(root: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file, folder and link under root (except skip) with a hash of its content."""
    return tree_hashes(root, folders=True, skip=skip)


def assert_sane(built: Built) -> None:
    """What every build must satisfy, whatever the input."""
    assert "Traceback" not in built.stderr, built.stderr
    assert "internal error" not in built.stderr, built.stderr
    assert built.returncode in (0, 1), built.stderr
    assert built.maxrss_mb < MAX_RSS_MB, f"build used {built.maxrss_mb:.0f} MB"
    assert built.cpu_seconds < MAX_CPU_SECONDS, f"build used {built.cpu_seconds:.1f} s of CPU"


def assert_good_pages(site: Site) -> None:
    """The three good articles are published, each with its own title (a hostile file did not take a URL)."""
    for _, (title, url) in GOOD.items():
        path = site.page(url)
        assert path.is_file(), f"good article page {url} is missing"
        assert site.html(url).text("h1", "article__title") == [title]
    assert site.page("/").is_file()


def page_text(site: Site, url: str) -> str:
    """Everything a reader sees on the page (tags stripped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]*>", " ", site.page(url).read_text(encoding="utf-8")))


# --- the corpus and what each case must produce --------------------------------------------------

NO_LINE = 0  # the message carries no line number (the problem is not on one line)

# what tests/hostile/markup_injection.md holds
MARKUP_TITLE = "<script>alert('title')</script> \"Quoted\" & <b>bold</b>"
MARKUP_TAGS = ("<script>alert('tag')</script>", 'x" onmouseover="alert(1)')
MARKUP_SUMMARY = "<script>alert('summary')</script> </title><img src=x onerror=alert(1)> ]]> -->"
MARKUP_AUTHOR = "<script>alert('author')</script>"


@dataclass(frozen=True)
class Case:
    exit: int  # expected exit code without --strict
    level: str | None = None  # the problem reported about the file: "error", "warning" or None (nothing)
    line: int | None = None  # expected line; NO_LINE: none printed; None: not checked
    message: str = ""  # regex the message must match
    dest: str = "content/articles"  # where the file goes
    where: str | None = None  # the path the problem is reported under, when it is not the file itself
    url: str | None = None  # where the case's own article must be published (exit 0 cases)
    check: Callable[[Site, Built], None] | None = None  # case-specific assertions on the output


def _check_body_hr(site: Site, built: Built) -> None:
    text = page_text(site, "/2024/05/a-horizontal-rule-in-the-body/")
    assert "Above the rule." in text and "HRMARKER-below" in text
    assert "this is not front matter" in text  # a later '---' pair is body, not a second front matter
    assert "<hr" in site.page("/2024/05/a-horizontal-rule-in-the-body/").read_text(encoding="utf-8")


def _check_bom_crlf(site: Site, built: Built) -> None:
    raw = (HOSTILE / "bom_crlf.md").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf---\r\n") and b"\r\n" in raw, "corpus file lost its BOM/CRLF"
    url = "/2024/05/bom-and-crlf-line-endings/"
    assert site.html(url).text("h1", "article__title") == ["BOM and CRLF line endings"]
    data = site.page(url).read_bytes()
    assert "\ufeff".encode() not in data and b"\r" not in data
    assert "BOMCRLF-body" in page_text(site, url)


def _check_cr_only(site: Site, built: Built) -> None:
    raw = (HOSTILE / "crlf_cr_only.md").read_bytes()
    assert b"\r" in raw and b"\n" not in raw, "corpus file lost its CR-only line endings"
    assert "CR-only body." in page_text(site, "/2024/05/old-mac-line-endings/")


def _check_latin1(site: Site, built: Built) -> None:
    raw = (HOSTILE / "latin1.md").read_bytes()
    assert b"\xe9" in raw, "corpus file is no longer Latin-1"
    url = "/2024/05/cafe-creme-a-la-banque-de-france/"
    assert site.html(url).text("h1", "article__title") == ["Café crème à la Banque de France"]
    assert "Le marché des cryptos € 100." in page_text(site, url)


def _check_nul_control(site: Site, built: Built) -> None:
    assert b"\x00" in (HOSTILE / "nul_control.md").read_bytes(), "corpus file lost its NUL byte"
    url = "/2024/05/control-chars-31m-in-title/"
    assert site.html(url).text("h1", "article__title") == ["Control chars[31m in title"]  # cleaned title
    for path in site.out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json"):
            assert b"\x00" not in path.read_bytes(), f"NUL in {path}"
    for xml_file in site.out.rglob("*.xml"):
        ET.parse(xml_file)  # XML 1.0 cannot hold C0 controls: the feeds must have dropped them


def _check_date_timezone(site: Site, built: Built) -> None:
    page = site.html("/2024/05/a-date-with-a-time-zone/")
    stamps = [a.get("datetime") for t, a, _ in page.find_all("time") if a.get("datetime")]
    assert stamps, "article has no <time datetime>"
    wanted = datetime.fromisoformat("2024-05-01T23:30:00-05:00")
    assert datetime.fromisoformat(stamps[0]) == wanted, stamps[0]


def _tag_pages(*slugs: str) -> Callable[[Site, Built], None]:
    def check(site: Site, built: Built) -> None:
        for slug in slugs:
            assert site.page(f"/tag/{slug}/").is_file(), f"/tag/{slug}/ missing"
    return check


def _check_category_case(site: Site, built: Built) -> None:
    url = "/2024/05/lower-case-spelling-of-a-declared-category/"
    page = site.html(url)
    assert "/category/bitcoin/" in page.links
    assert site.page("/tag/bitcoin/").is_file()
    assert page.text("h1", "article__title") == ["Lower-case spelling of a declared category"]
    # one tag, however it is spelled
    tags = [t for _, a, t in page.find_all("a") if a.get("rel") == "tag"]
    assert len(tags) == 1, tags


def _category_page(name: str, article_url: str) -> Callable[[Site, Built], None]:
    """An undeclared, hostile category gets a page inside public/, under a clean slug."""
    def check(site: Site, built: Built) -> None:
        from generator.slugs import slugify
        slug = slugify(name) or None
        page = site.html(article_url)
        cats = [link for link in page.links if link.startswith("/category/") and link != "/category/"]
        assert cats, "the article links no category"
        for link in cats:
            assert re.fullmatch(r"/category/[a-z0-9-]+/", link), link
        if slug:
            assert f"/category/{slug}/" in cats
        for link in cats:
            target = site.page(link)
            assert target.is_file() and target.resolve().is_relative_to(site.out.resolve())
    return check


def _check_template_syntax(site: Site, built: Built) -> None:
    url = "/2024/05/template-syntax-in-the-body/"
    text = page_text(site, url)
    for literal in ("{{ site.title }}", "{% include 'partials/header.html' %}", "{# comment #}",
                    "{{ page.title }}", "{{< tweet 12345 >}}", "{{ nonexistent.variable }}", "{{ in_code_block }}"):
        assert literal in text, f"{literal!r} was not printed literally"
    raw = site.page(url).read_text(encoding="utf-8")
    assert raw.count("<!--slot:header-->") == 1, "a slot marker in the body was filled"


def _check_markup_title(site: Site, built: Built) -> None:
    page = site.html("/2024/05/script-alert-title-script-quoted-b-bold-b/")
    assert page.text("h1", "article__title") == [MARKUP_TITLE]


def _check_long_title(site: Site, built: Built) -> None:
    urls = [p for p in site.out.glob("2024/05/*/index.html")]
    assert len(urls) == 1
    (title,) = Page.parse(urls[0].read_text(encoding="utf-8")).text("h1", "article__title")
    assert 100 < len(title) <= 301


def _check_collision(owner_title: str, owner_url: str) -> Callable[[Site, Built], None]:
    def check(site: Site, built: Built) -> None:
        assert site.html(owner_url).text("h1", "article__title") == [owner_title]
    return check


CASES: dict[str, Case] = {
    # front matter that is not a mapping, or not YAML/TOML at all
    "yaml_malformed": Case(1, "error", 3, r"not valid YAML"),
    "yaml_bad_indent": Case(1, "error", 4, r"not valid YAML"),
    "frontmatter_list": Case(1, "error", 2, r"front matter is a list"),
    "frontmatter_scalar": Case(1, "error", 2, r"front matter is a single"),
    "fence_unclosed": Case(1, "error", 1, r"never closed"),
    "toml_malformed": Case(1, "error", 4, r"not valid TOML"),
    "yaml_python_tag": Case(1, "error", 5, r"not valid YAML"),
    "alias_bomb": Case(1, "error", 2, r"aliases expand to more than"),
    "yaml_recursive_alias": Case(1, "error", 2, r"refers to itself"),  # a value containing itself: refused
    "title_lone_surrogate": Case(1, "error", 2, r"not valid YAML"),
    "empty": Case(1, "error", 1, r"no front matter"),
    "no_frontmatter": Case(1, "error", 1, r"no front matter"),
    "frontmatter_only": Case(0, url="/2024/05/front-matter-and-nothing-else/"),
    "body_hr": Case(0, url="/2024/05/a-horizontal-rule-in-the-body/", check=_check_body_hr),
    # required keys
    "missing_title": Case(1, "error", 1, r"missing title"),
    "missing_date": Case(1, "error", 1, r"missing date"),
    "missing_category": Case(1, "error", 1, r"missing category"),
    "title_not_string": Case(1, "error", 2, r"title"),
    # dates
    "date_impossible": Case(1, "error", 4, r"'2024-02-30' is not a date"),
    "date_word": Case(1, "error", 4, r"'yesterday' is not a date"),
    "date_year0": Case(1, "error", 4, r"is not a date"),
    "date_year10000": Case(1, "error", 4, r"is not a date"),
    "date_not_scalar": Case(1, "error", 3, r"is not a date"),
    "date_timezone": Case(0, url="/2024/05/a-date-with-a-time-zone/", check=_check_date_timezone),
    # tags
    "tags_comma_string": Case(0, url="/2024/05/tags-as-one-comma-separated-string/",
                              check=_tag_pages("halving", "mining-pools", "hashrate")),
    "tags_numbers": Case(0, url="/2024/05/tags-that-are-numbers/", check=_tag_pages("2024", "1-5", "100k", "bitcoin")),
    "tags_null": Case(0, "warning", 5, r"tags holds an empty item", url="/2024/05/tags-holding-null/",
                      check=_tag_pages("halving")),
    "tags_nested": Case(0, "warning", 5, r"tags holds a (list|dict)", url="/2024/05/tags-holding-nested-lists/",
                        check=_tag_pages("halving")),
    # path characters in categories and slugs: neutralised into clean slugs, never a path
    "category_dotdot": Case(0, "warning", 4, r"not declared", url="/2024/05/category-climbing-out-of-the-site/",
                            check=_category_page("../../../../tmp/pwned", "/2024/05/category-climbing-out-of-the-site/")),
    "category_absolute": Case(0, "warning", 4, r"not declared", url="/2024/05/category-that-is-an-absolute-path/",
                              check=_category_page("/etc/cron.d", "/2024/05/category-that-is-an-absolute-path/")),
    "category_backslash": Case(0, "warning", 4, r"not declared", url="/2024/05/category-with-backslashes/",
                               check=_category_page("..\\..\\Windows\\System32", "/2024/05/category-with-backslashes/")),
    "category_nul": Case(0, "warning", 4, r"not declared", url="/2024/05/category-with-a-nul-escape/",
                         check=_category_page("Bitcoin/../../evil", "/2024/05/category-with-a-nul-escape/")),
    "category_slashes_only": Case(0, "warning", 4, r"not declared",
                                  url="/2024/05/category-made-only-of-path-characters/",
                                  check=_category_page("../.././/\\", "/2024/05/category-made-only-of-path-characters/")),
    "category_case": Case(0, url="/2024/05/lower-case-spelling-of-a-declared-category/", check=_check_category_case),
    "category_emoji_rtl": Case(0, "warning", 4, r"not declared", url="/2024/05/emoji-and-right-to-left-category/",
                               check=_category_page("🚀 العملات الرقمية", "/2024/05/emoji-and-right-to-left-category/")),
    "slug_dotdot": Case(0, url="/2024/05/tmp-pwned/"),
    "slug_absolute": Case(0, url="/2024/05/etc-passwd/"),
    "slug_backslash": Case(0, url="/2024/05/evil/"),
    "slug_nul": Case(0, url="/2024/05/nul-byte/"),
    "slug_unusable": Case(1, "error", 5, r"no letters or digits"),
    # markup in front matter (escaping is checked in depth by test_front_matter_never_injects_markup)
    "markup_injection": Case(0, url="/2024/05/script-alert-title-script-quoted-b-bold-b/", check=_check_markup_title),
    "template_syntax_body": Case(0, url="/2024/05/template-syntax-in-the-body/", check=_check_template_syntax),
    # encodings and bytes
    "bom_crlf": Case(0, url="/2024/05/bom-and-crlf-line-endings/", check=_check_bom_crlf),
    "crlf_cr_only": Case(0, url="/2024/05/old-mac-line-endings/", check=_check_cr_only),
    "latin1": Case(0, "warning", 2, r"not UTF-8", url="/2024/05/cafe-creme-a-la-banque-de-france/", check=_check_latin1),
    "nul_control": Case(0, "warning", 7, r"NUL", url="/2024/05/control-chars-31m-in-title/", check=_check_nul_control),
    # two files, one URL: an explicit slug that clashes is an error; the file already there keeps its URL
    # a recurring headline: the older keeps the plain slug, the later one gets '-2' (no error)
    "url_collision_title": Case(0, url="/2024/01/good-one-2/",
                                check=_check_collision("Good one", "/2024/01/good-one/")),
    "url_collision_slug": Case(1, "error", NO_LINE, r"already taken by content/articles/good-two\.md",
                               check=_check_collision("Good two", "/2024/01/good-two/")),
    "url_collision_case": Case(0, url="/2024/01/good-three-2/",
                               check=_check_collision("Good three", "/2024/01/good-three/")),
    "url_collision_slug_case": Case(1, "error", NO_LINE, r"already taken by content/articles/good-one\.md",
                                    check=_check_collision("Good one", "/2024/01/good-one/")),
    # a static page squatting a generated URL (the tag index): reported, naming the file
    "page_collides_with_route": Case(1, "error", NO_LINE, r"URL /tag/ is already used by the tag index",
                                     dest="content/pages"),
}


def test_every_corpus_file_has_an_expectation():
    files = {p.stem for p in HOSTILE.glob("*.md")}
    assert files == set(CASES), (f"without expectation: {sorted(files - set(CASES))}; "
                                 f"expected but missing: {sorted(set(CASES) - files)}")


def run_case(site: Site, rel: str, data: bytes, case: Case) -> Built:
    """Drop one file into a good site, build, and check everything the case promises."""
    good_site(site)
    site.write(rel, data)
    existed = {t: t.exists() for t in TARGETS}
    outside = site.root.parent
    skip = (site.out, site.root / ".cache", site.root / ".public.spare")  # the output, its spare tree, the cache
    before = snapshot(outside, skip)

    built = bounded_build(site)

    assert_sane(built)
    assert built.returncode == case.exit, built.stderr
    where = case.where or rel
    if case.level is None:
        assert not built.serious(), f"expected a clean build:\n{built.stderr}"
    else:
        reported = [p for p in built.about(where) if p.level == case.level and re.search(case.message, p.message)]
        assert reported, f"no {case.level} about {where} matching {case.message!r}:\n{built.stderr}"
        problem = reported[0]
        if case.where:
            assert rel in problem.message, "the message does not name the file"
        if case.line == NO_LINE:
            assert problem.line is None, f"unexpected line {problem.line}"
        elif case.line is not None:
            assert problem.line == case.line, f"{where}:{problem.line}: reported, expected line {case.line}"
        assert problem.hint, f"no hint for: {problem}"
        expected_prefix = f"{where}:{problem.line}: {case.level}: " if problem.line else f"{where}: {case.level}: "
        assert expected_prefix in built.stderr
        others = [p for p in built.serious() if p.path != where]
        assert not others, f"problems reported about other files: {others}"
    if case.level == "error":
        assert "0 errors" not in built.stderr

    assert_good_pages(site)
    if case.url:
        assert site.page(case.url).is_file(), f"{case.url} was not published"
    if case.check:
        case.check(site, built)

    assert snapshot(outside, skip) == before, "the build changed files outside public/, its spare tree and .cache/"
    assert not [p for p in site.root.glob(".public.*") if p.name != ".public.spare"], \
        "staging leftovers after a finished build"
    for target, was in existed.items():
        assert target.exists() == was, f"{target} was created"
    for path in site.out.rglob("*"):
        assert not path.is_symlink(), f"{path} is a symlink"
        assert path.resolve().is_relative_to(site.out.resolve())

    if case.level == "warning" and case.exit == 0:
        strict = bounded_build(site, "--strict")
        assert_sane(strict)
        assert strict.returncode == 1, f"--strict did not fail on the warning:\n{strict.stderr}"
    return built


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_case(site: Site, name: str):
    case = CASES[name]
    run_case(site, f"{case.dest}/{name}.md", (HOSTILE / f"{name}.md").read_bytes(), case)


def test_declared_emoji_rtl_category_builds_clean(site: Site):
    """Emoji and right-to-left names are legitimate: declared in site.toml, they build with no warning at all."""
    name = "🚀 العملات الرقمية"
    toml = (site.root / "site.toml").read_text(encoding="utf-8")
    site.write("site.toml", toml.replace("[[menu]]", f'[[categories]]\nname = "{name}"\n\n[[menu]]', 1))
    good_site(site)
    site.write("content/articles/category_emoji_rtl.md", (HOSTILE / "category_emoji_rtl.md").read_bytes())
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 0 and not built.serious(), built.stderr
    from generator.slugs import slugify
    slug = slugify(name)
    assert re.fullmatch(r"[a-z0-9-]+", slug)
    assert site.html(f"/category/{slug}/").text("h1", "page-title") == [name]
    page = site.html("/2024/05/emoji-and-right-to-left-category/")
    assert f"/category/{slug}/" in page.links
    assert sorted(t for _, a, t in page.find_all("a") if a.get("rel") == "tag") == sorted(["🚀 Moon", "עברית"])
    assert_good_pages(site)
    assert bounded_build(site, "--strict").returncode == 0


# --- generated cases: too big, too deep, or not storable in git --------------------------------

HEAD = "---\ntitle: {title}\ndate: 2024-05-01\ncategory: Bitcoin\n---\n\n"


def _huge_body() -> bytes:
    para = ("Bitcoin miners and **ETF** flows moved the [market](https://x.example/) today. " +
            "Funding rates and open interest rose as traders bought the dip across exchanges. " * 7 + "\n\n")
    return (HEAD.format(title="Huge body") + para * (5 * 1024 * 1024 // len(para) + 1)).encode()


def _over_limit() -> bytes:
    return (HEAD.format(title="Over the size limit") + ("x" * 1023 + "\n") * (9 * 1024)).encode()


def _long_title() -> bytes:
    return HEAD.format(title="Headline " + "word " * 2000 + "end").encode()


# Markdown nested far deeper than any real text: each shape nests lists, quotes or definitions.
DEEP_MARKDOWN = {
    "bullets_500": "".join("    " * i + "- item\n" for i in range(500)),
    "numbers_500": "".join("    " * i + "1. item\n" for i in range(500)),
    "quotes_500_one_line": ">" * 500 + " deep\n",
    "quotes_500_lines": "".join("> " * i + "level\n" for i in range(1, 501)),
    "bullet_quotes_900": "* > " * 900 + "x [y](/z) *w*\n",
    "quote_bullets_900": "> - " * 900 + "x\n",
    "definitions_400": "".join("    " * i + "Term\n" + "    " * i + ":   def\n\n" for i in range(400)),
    "mixed_3000": "".join(("- ", "> ", "1. ", "    ")[i % 4] for i in range(3000)) + "deep\n",
}


def _yaml_nested(depth: int, mapping: bool = False) -> bytes:
    value = "{a: " * depth + "1" + "}" * depth if mapping else "[" * depth + "]" * depth
    return (f"---\ntitle: Deep YAML\ndate: 2024-05-01\ncategory: Bitcoin\nx: {value}\n---\n\n"
            f"Front matter nested {depth} levels deep.\n").encode()


GENERATED: dict[str, tuple[Callable[[], bytes], Case]] = {
    "huge_body_5mb": (_huge_body, Case(0, url="/2024/05/huge-body/")),
    "over_limit_9mb": (_over_limit, Case(1, "error", NO_LINE, r"the limit is 8 MB")),
    "title_10k": (_long_title, Case(0, "warning", 2, r"cut to 300", check=_check_long_title)),
}


@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_case(site: Site, name: str):
    make, case = GENERATED[name]
    run_case(site, f"content/articles/{name}.md", make(), case)




@pytest.mark.parametrize("shape", list(DEEP_MARKDOWN))
def test_deep_markdown_renders_or_is_refused(site: Site, shape: str):
    """The promise for Markdown nested hundreds of levels deep, whatever the Markdown release does
    with it: the build never crashes, hangs or runs out of stack; the page renders, or the file
    gets `path:line: error:` saying it nests too deeply. Every other file is published."""
    good_site(site)
    rel = f"content/articles/{shape}.md"
    site.write(rel, (HEAD.format(title=f"Deep {shape}") + DEEP_MARKDOWN[shape]).encode())
    built = bounded_build(site)
    assert_sane(built)
    errors = [p for p in built.problems if p.level == "error"]
    url = f"/2024/05/deep-{shape.replace('_', '-')}/"
    if built.returncode == 1:
        assert [(p.path, p.line) for p in errors] == [(rel, 6)], built.stderr
        assert "nests too deeply" in errors[0].message and errors[0].hint, built.stderr
        assert not site.page(url).exists()
    else:
        assert built.returncode == 0 and not errors, built.stderr
        assert f"Deep {shape}" in site.html(url).text("h1", "article__title"), built.stderr
    assert_good_pages(site)


@pytest.mark.parametrize("depth, mapping", [(500, False), (500, True), (5000, False)],
                         ids=["list-500", "mapping-500", "list-5000"])
def test_deeply_nested_front_matter_is_refused_or_handled(site: Site, depth: int, mapping: bool):
    """Refusing it (an error naming the file, with a hint) or publishing it are both fine; crashing is not."""
    good_site(site)
    rel = "content/articles/yaml_nested.md"
    site.write(rel, _yaml_nested(depth, mapping))
    built = bounded_build(site)
    assert_sane(built)
    if built.returncode == 1:
        (problem,) = [p for p in built.problems if p.level == "error"]
        assert problem.path == rel and problem.line and problem.hint, built.stderr
    else:
        assert not built.serious(), built.stderr
    assert_good_pages(site)


# --- front matter never injects markup ------------------------------------------------------------

def test_front_matter_never_injects_markup(site: Site):
    """<script>, quotes and markup in title, tags, summary and author are text everywhere they appear."""
    good_site(site)
    site.write("content/articles/markup_injection.md", (HOSTILE / "markup_injection.md").read_bytes())
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 0, built.stderr
    url = "/2024/05/script-alert-title-script-quoted-b-bold-b/"

    # the article page: headline, <title>, meta description, tags, author
    page = site.html(url)
    assert page.text("h1", "article__title") == [MARKUP_TITLE]
    assert page.title == f"{MARKUP_TITLE} – Test News"
    metas = {a.get("name") or a.get("property"): a.get("content") for t, a, _ in page.find_all("meta")}
    assert metas["description"] == MARKUP_SUMMARY
    assert metas["og:title"] == MARKUP_TITLE
    assert page.text("p", "standfirst") == [MARKUP_SUMMARY]
    tags = [text for _, a, text in page.find_all("a") if a.get("rel") == "tag"]
    assert sorted(tags) == sorted(MARKUP_TAGS)
    assert page.text("a", "article__author") == [MARKUP_AUTHOR]  # the byline links to the author's page

    # JSON-LD: valid JSON, values equal to the raw strings, and no '<' that could close the script
    raw_page = site.page(url).read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', raw_page, re.S)
    assert blocks, "no JSON-LD on the article page"
    for block in blocks:
        assert "<" not in block, "JSON-LD holds a raw '<'"
        data = json.loads(block)
        if data.get("@type") == "NewsArticle":
            assert data["headline"] == MARKUP_TITLE
            assert data["description"] == MARKUP_SUMMARY
            assert sorted(data["keywords"]) == sorted(MARKUP_TAGS)

    # home and tag pages
    home = site.html("/")
    assert MARKUP_TITLE in home.text(cls="card__title")
    from generator.slugs import slugify
    tag_page = site.html(f"/tag/{slugify(MARKUP_TAGS[0])}/")
    assert tag_page.text("h1", "page-title") == [MARKUP_TAGS[0]]
    assert MARKUP_TITLE in tag_page.text(cls="card__title")

    # feed.xml: well-formed, and the text of each field is the raw string
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(site.out / "feed.xml").getroot()
    entries = [e for e in feed.findall("a:entry", ns) if e.findtext("a:title", namespaces=ns) == MARKUP_TITLE]
    assert len(entries) == 1, "feed.xml has no entry whose title is the raw title"
    entry = entries[0]
    assert entry.findtext("a:summary", namespaces=ns) == MARKUP_SUMMARY
    assert entry.findtext("a:author/a:name", namespaces=ns) == MARKUP_AUTHOR
    labels = {c.get("label") for c in entry.findall("a:category", ns)}
    assert set(MARKUP_TAGS) <= labels
    for xml_file in site.out.rglob("*.xml"):
        ET.parse(xml_file)  # every XML output stays well-formed

    # nowhere in HTML or XML: a live <script>alert, an event-handler attribute, or an injected <img>
    for path in site.out.rglob("*"):
        if path.suffix not in (".html", ".xml", ".txt"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text, f"unescaped <script> in {path}"
        assert "<img src=x" not in text, f"injected <img> in {path}"
        if path.suffix == ".html":
            parsed = Page.parse(text)
            for tag, attrs, content in parsed.elements:
                assert not [k for k in attrs if k.startswith("on")], f"event handler attribute in {path}: {tag} {attrs}"
                if tag == "script":
                    assert "alert(" not in content, f"script content injected in {path}"

    # JSON outputs are data: their values equal the raw strings
    feed_json = json.loads((site.out / "feed.json").read_text(encoding="utf-8"))
    item = next(i for i in feed_json["items"] if i["title"] == MARKUP_TITLE)
    assert sorted(item["tags"]) == sorted(MARKUP_TAGS)


def test_json_outputs_do_not_carry_raw_script_tags(site: Site):
    good_site(site)
    site.write("content/articles/markup_injection.md", (HOSTILE / "markup_injection.md").read_bytes())
    built = bounded_build(site)
    assert built.returncode == 0, built.stderr
    for path in site.out.rglob("*.json"):
        assert "<script>alert" not in path.read_text(encoding="utf-8"), f"raw <script>alert in {path}"


_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def test_control_characters_do_not_reach_html(site: Site):
    good_site(site)
    site.write("content/articles/nul_control.md", (HOSTILE / "nul_control.md").read_bytes())
    built = bounded_build(site)
    assert built.returncode == 0, built.stderr
    for path in site.out.rglob("*.html"):
        found = _CONTROL_BYTES.search(path.read_bytes())
        assert found is None, f"control character {found.group()!r} in {path.relative_to(site.out)}"


# --- symlinks ----------------------------------------------------------------------------------------

def test_symlink_loops_are_reported(site: Site):
    good_site(site)
    folder = site.root / "content/articles"
    os.symlink("loop-self.md", folder / "loop-self.md")
    os.symlink("loop-b.md", folder / "loop-a.md")
    os.symlink("loop-a.md", folder / "loop-b.md")
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 1
    for name in ("loop-self.md", "loop-a.md", "loop-b.md"):
        (problem,) = built.about(f"content/articles/{name}")
        assert problem.level == "error" and "loops" in problem.message and problem.hint
    assert_good_pages(site)


def test_symlinked_folder_loop_is_not_followed(site: Site):
    good_site(site)
    os.symlink("..", site.root / "content/articles/again")
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 0, built.stderr
    (problem,) = built.about("content/articles/again")
    assert problem.level == "warning" and problem.hint
    assert_good_pages(site)
    strict = bounded_build(site, "--strict")
    assert strict.returncode == 1


def test_symlink_outside_content_is_refused(site: Site, tmp_path: Path):
    good_site(site)
    secret = tmp_path / "elsewhere" / "secret.md"
    secret.parent.mkdir()
    secret.write_text("---\ntitle: Secret\ndate: 2024-05-01\ncategory: Bitcoin\n---\n\nSECRET-OUTSIDE-CONTENT\n")
    os.symlink(secret, site.root / "content/articles/outside.md")
    os.symlink(site.root / "site.toml", site.root / "content/articles/config.md")
    os.symlink(tmp_path / "elsewhere", site.root / "content/articles/linked-folder")
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 1
    for rel in ("content/articles/outside.md", "content/articles/config.md"):
        (problem,) = built.about(rel)
        assert problem.level == "error" and "outside content/" in problem.message and problem.hint
    (folder,) = built.about("content/articles/linked-folder")
    assert folder.level == "warning"
    assert_good_pages(site)
    for path in site.out.rglob("*"):
        if path.is_file():
            assert b"SECRET-OUTSIDE-CONTENT" not in path.read_bytes(), f"outside file published in {path}"


def test_broken_symlink_is_reported(site: Site):
    good_site(site)
    os.symlink("no-such-file.md", site.root / "content/articles/dangling.md")
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 1
    (problem,) = built.about("content/articles/dangling.md")
    assert problem.level == "error" and problem.hint
    assert_good_pages(site)


# --- broken layouts ----------------------------------------------------------------------------------

def insert_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(line - 1, text)
    path.write_text("\n".join(lines), encoding="utf-8")


@dataclass(frozen=True)
class Breakage:
    edits: tuple[tuple[str, int | None, str], ...]  # (layout file, line to insert at or None = replace all, text)
    where: str  # the layout file the message must name
    line: int | None  # the line it must name (None: any line, but one must be given)
    message: str


# Breaks go on the line after the article layout's '{% block content %}', which every article renders
# (a fixed line number drifted into a branch no article took as the layout grew).
L = (Path(__file__).resolve().parents[1] / "layouts" / "article.html").read_text(encoding="utf-8") \
    .split("\n").index("{% block content %}") + 2

LAYOUT_BREAKS = {
    "syntax_error": Breakage((("article.html", L, "{{ article.title | }}"),), "layouts/article.html", L,
                             r"template syntax error"),
    "unclosed_block": Breakage((("article.html", L, "{% if article.title %}"),), "layouts/article.html", None,
                               r"template syntax error"),
    "unknown_variable": Breakage((("article.html", L, "{{ no_such_variable }}"),), "layouts/article.html", L,
                                 r"undefined variable: 'no_such_variable'"),
    "unknown_attribute": Breakage((("article.html", L, "{{ article.no_such_field }}"),), "layouts/article.html", L,
                                  r"no_such_field"),
    "unknown_variable_in_partial": Breakage((("partials/share.html", 1, "{{ not_passed_to_partials }}"),),
                                            "layouts/partials/share.html", 1, r"not_passed_to_partials"),
    "missing_partial": Breakage((("article.html", L, "{% include 'partials/nope.html' %}"),), "layouts/article.html",
                                L, r"partials/nope\.html.*not found"),
    "include_recursion": Breakage((("partials/loop.html", None, "loop\n{% include 'partials/loop.html' %}\n"),
                                   ("article.html", L, "{% include 'partials/loop.html' %}")),
                                  "layouts/partials/loop.html", 2, r"include or extend each other"),
    "mutual_include_recursion": Breakage((("partials/ping.html", None, "{% include 'partials/pong.html' %}\n"),
                                          ("partials/pong.html", None, "pong\n{% include 'partials/ping.html' %}\n"),
                                          ("article.html", L, "{% include 'partials/ping.html' %}")),
                                         "layouts/partials/", None, r"include or extend each other"),
}



@pytest.mark.parametrize("name", [
    pytest.param(n)
    for n in LAYOUT_BREAKS])
def test_broken_layout(site: Site, name: str):
    """A broken article layout: 'layouts/FILE.html:LINE: error:', a hint, exit 1, every other page built."""
    breakage = LAYOUT_BREAKS[name]
    good_site(site)
    for rel, line, text in breakage.edits:
        path = site.root / "layouts" / rel
        if line is None:
            path.write_text(text, encoding="utf-8")
        else:
            insert_line(path, line, text)
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 1, built.stderr
    reported = [p for p in built.problems if p.path.startswith(breakage.where) and p.level == "error"]
    assert reported, f"no error naming {breakage.where}:\n{built.stderr}"
    problem = reported[0]
    assert re.fullmatch(r"layouts/[\w/.-]+\.html", problem.path)
    assert problem.line is not None, f"no line in: {problem}"
    if breakage.line is not None:
        assert problem.line == breakage.line
    assert re.search(breakage.message, problem.message), problem.message
    assert problem.hint
    assert re.search(rf"^{re.escape(problem.path)}:{problem.line}: error: ", built.stderr, re.M)
    # pages not rendered through article.html are all there
    for url in ("/", "/category/bitcoin/", "/category/policy/", "/tag/etf/", "/404.html"):
        assert site.page(url).is_file(), f"{url} missing"
    ET.parse(site.out / "feed.xml")


def test_broken_base_layout_keeps_the_previous_pages(site: Site):
    """A layout every page uses breaks: nothing renders, so the previous build's pages stay online."""
    good_site(site)
    first = bounded_build(site)
    assert first.returncode == 0, first.stderr
    before = {url: site.page(url).read_bytes() for _, (_, url) in GOOD.items()}
    insert_line(site.root / "layouts/base.html", 5, "{% endfor %}")
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 1
    assert re.search(r"^layouts/base\.html:5: error: ", built.stderr, re.M), built.stderr
    assert "  hint: " in built.stderr
    for url, data in before.items():
        assert site.page(url).read_bytes() == data, f"{url} lost or changed"
    assert site.page("/").is_file()


def test_broken_site_wide_partial_keeps_the_previous_pages(site: Site):
    good_site(site)
    assert bounded_build(site).returncode == 0
    before = snapshot(site.out)
    insert_line(site.root / "layouts/partials/header.html", 2, "{{ undefined_in_header }}")
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 1
    assert re.search(r"^layouts/partials/header\.html:2: error: undefined variable", built.stderr, re.M), built.stderr
    after = snapshot(site.out)
    for rel, digest in before.items():
        if rel.endswith(".html"):
            assert after.get(rel) == digest, f"{rel} lost or changed"


# --- real-world imports: Jekyll and Hugo posts build without editing -------------------------------

def test_jekyll_and_hugo_imports_build_unedited(site: Site):
    good_site(site)
    assert (IMPORTS / "2024-05-01-bitcoin-hashrate-record.md").read_bytes().count(b"\r\n") > 5, "CRLF lost"
    shutil.copytree(IMPORTS, site.root / "content/articles/imported")
    built = bounded_build(site)
    assert_sane(built)
    assert built.returncode == 0, built.stderr
    assert not built.serious(), built.stderr
    notes = [p for p in built.problems if p.level == "note" and "categories" in p.message]
    assert {p.path.rsplit("/", 1)[-1] for p in notes} == {"2024-05-01-bitcoin-hashrate-record.md", "hugo-yaml-post.md"}
    assert all(p.line for p in notes)

    jekyll = "/old/jekyll/style/"  # its 'permalink:' sets the URL exactly
    page = site.html(jekyll)
    assert "/category/bitcoin/" in page.links  # first of 'categories'
    assert "JEKYLL-BODY" in page_text(site, jekyll)
    raw = site.page(jekyll).read_text(encoding="utf-8")
    assert "data:image/png;base64," in raw and '<div class="callout"' in raw
    assert "\r" not in raw
    assert site.page("/tag/mining/").is_file() and site.page("/tag/hashrate/").is_file()

    dated = "/2024/04/jekyll-post-dated-only-by-its-file-name/"
    assert "JEKYLL-FILENAME-DATE" in page_text(site, dated)
    assert site.page("/tag/sec/").is_file() and site.page("/tag/regulation/").is_file()  # from 'keywords'

    hugo_toml = "/2024/05/ethereum-fees-fall-after-the-upgrade/"
    assert "HUGO-TOML-BODY" in page_text(site, hugo_toml)
    assert "/category/markets/" in site.html(hugo_toml).links
    assert site.html(hugo_toml).text("p", "standfirst") == ["Layer 2 fees dropped."]

    hugo_yaml = "/2024/05/policy-roundup-stablecoin-rules/"
    assert "HUGO-YAML-BODY" in page_text(site, hugo_yaml)
    assert hugo_yaml in site.html("/old/url/").links  # its 'aliases:' old URL leads there
    assert "/category/policy/" in site.html(hugo_yaml).links
    assert site.page("/tag/stablecoins/").is_file() and site.page("/tag/mica/").is_file()
    assert_good_pages(site)

    strict = bounded_build(site, "--strict")
    assert strict.returncode == 0, strict.stderr  # notes are not warnings


def test_liquid_and_shortcode_leftovers_are_shown_verbatim(site: Site):
    good_site(site)
    shutil.copytree(IMPORTS, site.root / "content/articles/imported")
    built = bounded_build(site)
    assert built.returncode == 0, built.stderr
    jekyll = "/old/jekyll/style/"  # its 'permalink:'
    text = page_text(site, jekyll)
    for leftover in ('{% include image.html url="/img/hashrate.png" caption="Hashrate" %}',
                     "{% highlight python %}", "{% endhighlight %}", "{{ site.baseurl }}"):
        assert leftover in text, f"{leftover!r} is not shown"
    assert "<p _" not in site.page(jekyll).read_text(encoding="utf-8")
    hugo = page_text(site, "/2024/05/ethereum-fees-fall-after-the-upgrade/")
    for leftover in ('{{< tweet user="vitalik" id="123456" >}}', "{{% notice info %}}", "{{% /notice %}}"):
        assert leftover in hugo, f"{leftover!r} is not shown"
