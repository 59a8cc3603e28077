"""An imported WordPress site passes the same gates as the example site: the Nu Html Checker finds no
error in any page (redirect pages included), axe none on an imported article, and a real browser
following an old URL lands on the article."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "tools"))
from sitetools import (VNU_JAR, StaticServer, axe, describe_violations, launch, need_axe,  # noqa: E402
                       need_chromium, need_vnu, offline_context)

from conftest import run_cli  # noqa: E402

FIXTURES = Path(__file__).parent / "wordpress"


@pytest.fixture
def imported_site(site):
    for export in ("export-wxr12.xml", "export-https-wxr11.xml"):
        done = run_cli("import", "wordpress", str(FIXTURES / export), "--source", str(site.root))
        assert done.returncode == 0, done.stderr
    build = site.build("--no-search")
    assert build.returncode == 0, build.stderr
    return site


def test_nu_html_checker_finds_no_errors_in_an_imported_site(imported_site):
    java = need_vnu()
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--format", "json",
                           str(imported_site.out)], capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    report = json.loads(done.stderr or done.stdout or '{"messages": []}')
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m.get('message')}" for m in report.get("messages", [])
              if m.get("type") in ("error", "non-document-error")]
    assert errors == []
    assert (imported_site.out / "2024/04/20/bitcoin-halving-explained/index.html").is_file()  # a redirect page was checked


@pytest.mark.browser
def test_a_browser_follows_an_old_url_and_axe_finds_nothing(imported_site):
    need_chromium()
    need_axe()
    from playwright.sync_api import sync_playwright
    with StaticServer(imported_site.out) as server, sync_playwright() as p:
        browser = launch(p)
        context = offline_context(browser)
        page = context.new_page()
        page.goto(server.url("/2024/04/21/markets-shrug/"))
        page.wait_for_url(server.url("/2024/04/markets-shrug/"))
        assert page.locator("h1").first.inner_text() == "Markets shrug off the halving"
        violations = axe(page)
        assert violations == [], describe_violations(violations)
        browser.close()
