"""The preview server survives every hostile input of tests/hostile/ and every recovery.

One real `serve` process; each corpus file is saved into the site while it runs, the server must
refresh, keep answering (the error shown in the page for files that are errors), and come back
to a clean state when the file is deleted again.
"""

from __future__ import annotations

import re
from pathlib import Path

from test_serve import serve, small_site, wait_for  # noqa: F401 - serve is a fixture

HOSTILE = Path(__file__).resolve().parent / "hostile"
CASES = sorted(p for p in HOSTILE.glob("*.md"))


def test_serve_survives_every_hostile_file_and_recovers(serve, site):
    small_site(site)
    s = serve(site.root)
    clean_home = s.status("/")
    assert clean_home == 200
    assert len(CASES) >= 30
    for case in CASES:
        target = site.root / "content" / "articles" / case.name
        since = s.mark()
        target.write_bytes(case.read_bytes())
        s.wait_updates(1, since)
        assert s.alive, f"serve died on {case.name}:\n{s.stderr}"
        assert "Traceback" not in s.stderr, f"traceback on {case.name}:\n{s.stderr}"
        status, _, body = s.get("/")
        assert status in (200, 500), (case.name, status)
        html = body.decode("utf-8", "replace")
        if "build-errors" in html:  # an error shows its file in the page
            assert case.name in html, f"the error page for {case.name} does not name the file"
        assert not re.search(r"<script>alert", html), f"markup injected by {case.name}"
        since = s.mark()
        target.unlink()
        s.wait_updates(1, since)
        wait_for(lambda: s.status("/") == 200 and "build-errors" not in s.text("/"),
                 f"recovery after removing {case.name}", server=s)
    assert s.alive
