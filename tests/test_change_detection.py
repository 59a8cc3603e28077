"""A build sees every edit of a source, also one that keeps the file's size and mtime."""

from __future__ import annotations

import os

from conftest import Site, article


def _edit_in_place(path, old: str, new: str) -> None:
    """Same inode, same size, and the old mtime put back, as touch -r or an in-place rsync -t leave it."""
    before = path.stat()
    text = path.read_bytes()
    assert len(old.encode()) == len(new.encode()) and old.encode() in text
    with open(path, "r+b") as fh:
        fh.write(text.replace(old.encode(), new.encode()))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


def test_an_edit_keeping_size_and_mtime_is_built(site: Site):
    site.write("content/articles/a.md", article("Alpha Original", "2024-01-01", "Bitcoin", ["ETF"], body="Body one."))
    site.write("content/articles/b.md", article("Beta", "2024-01-02", "Policy", ["SEC"], body="Body two."))
    site.build(check=True)
    page = site.page("/2024/01/alpha-original/")
    assert "Body one." in page.read_text(encoding="utf-8")

    _edit_in_place(site.root / "content/articles/a.md", "Body one.", "Body 111.")
    done = site.build(check=True)
    assert "Body 111." in page.read_text(encoding="utf-8"), done.stderr

    # the same for a layout, which every page is rendered with
    layout = site.root / "layouts" / "article.html"
    text = layout.read_text(encoding="utf-8")
    marker = next(word for word in ("article", "main", "header") if f"<{word}" in text)
    _edit_in_place(layout, f"<{marker}", f"<{marker[:-1].upper()}{marker[-1]}")
    site.build(check=True)
    assert f"<{marker[:-1].upper()}{marker[-1]}" in page.read_text(encoding="utf-8")
