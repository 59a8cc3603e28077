"""The preview server survives every hostile input of tests/hostile/ and every recovery.

One real `serve` process; each corpus file is saved into the good site of test_hostile.py while
it runs. For each, the server must refresh, keep answering, and show exactly what the corpus
expects of a build (test_hostile.CASES): an error case shows a banner in the page naming the file
and its message; a fine case has no banner and its own page is served. Deleting the file again
must bring back the clean site.
"""

from __future__ import annotations

import re
from html import unescape

from test_hostile import CASES, GOOD, HOSTILE, good_site
from servetools import wait_for


def test_serve_survives_every_hostile_file_and_recovers(serve, site):
    good_site(site)
    s = serve(site.root)
    assert s.status("/") == 200 and "build-errors" not in s.text("/")
    assert len(CASES) >= 30
    for name, case in sorted(CASES.items()):
        rel = f"{case.dest}/{name}.md"
        target = site.root / rel
        since = s.mark()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((HOSTILE / f"{name}.md").read_bytes())
        s.wait_updates(1, since)
        # the first refresh may have seen the file created but not yet written (a write is not atomic):
        # wait for the state the whole file gives, then check it
        if case.exit == 1:
            wait_for(lambda: re.search(case.message, unescape(s.text("/"))), f"the error banner for {name}", server=s)
        else:
            wait_for(lambda: s.status(case.url) == 200, f"{case.url} of {name} served", server=s)
        assert s.alive, f"serve died on {name}:\n{s.stderr}"
        assert "Traceback" not in s.stderr, f"traceback on {name}:\n{s.stderr}"
        status, _, body = s.get("/")
        html = body.decode("utf-8", "replace")
        assert status == 200, (name, status, html[:500])
        assert not re.search(r"<script>alert", html), f"markup injected by {name}"
        banner = re.search(r'<div id="build-errors".*?</div>', html, re.S)
        if case.exit == 1:  # an error: the page says which file, and what is wrong with it
            assert banner, f"no error banner for {name}"
            text = unescape(re.sub(r"<[^>]+>", "", banner.group(0)))
            where = case.where or rel
            assert f"{where}:" in text and ": error: " in text, f"the banner for {name} does not name it:\n{text}"
            assert re.search(case.message, text), f"the banner for {name} lacks {case.message!r}:\n{text}"
        else:  # fine (or only a warning): no banner, and the case's own page is there
            assert banner is None, f"an error banner for {name}, which builds fine:\n{banner.group(0)}"
            assert case.url and s.status(case.url) == 200, f"{case.url} of {name} is not served"
        for _, url in GOOD.values():  # the good articles stay served
            assert s.status(url) == 200, (name, url)
        since = s.mark()
        target.unlink()
        s.wait_updates(1, since)
        wait_for(lambda: s.status("/") == 200 and "build-errors" not in s.text("/"),
                 f"recovery after removing {name}", server=s)
    assert s.alive
