"""The preview's save path (issue 18): a save that moves no article is swapped into the model
(generator/patch.py) instead of re-assembling the site, and every page and feed it then serves is
byte for byte what a model made from scratch (build.make_model) gives for the same files.

These run the preview's model upkeep in-process (the serve tests run the real server), so each
case can compare every route of the patched model with a fresh preview of the same folder.
"""

from __future__ import annotations

import pytest

from conftest import MINIMAL_TOML, Site, article
from generator.extras import extra_outputs
from generator.options import BuildOptions
from generator.publish import render_route
from generator.serve import Preview

EPOCH = "1767225600"  # 2026-01-01: a fixed clock for the patched and the fresh model alike


def _preview(site: Site) -> Preview:
    preview = Preview(site.root, BuildOptions(source=site.root, search=False, quiet=True))
    preview.refresh(None)
    return preview


def _everything(preview: Preview) -> dict[str, str]:
    """Every page and extra output (feeds, sitemaps...) the preview would serve, by output path."""
    snap = preview.snapshot
    model = snap.model
    load = preview.body_loader(snap)
    out = {rel: render_route(model, route, load) for rel, route in snap.routes.items()}
    abs_url = model.renderer.env.globals["abs_url"]
    extras = extra_outputs(model.sites, model.routes, abs_url, load, model.site.now, model.redirects, model.ticker)
    out.update({rel: data.decode("utf-8", "replace") for rel, data in extras.items()})
    return out


def _save(site: Site, preview: Preview, rel: str, text: str) -> str:
    site.write(rel, text)
    preview.refresh({rel})
    return preview.last_update


def _same_as_fresh(site: Site, preview: Preview) -> None:
    patched, fresh = _everything(preview), _everything(_preview(site))
    assert patched.keys() == fresh.keys()
    differ = [rel for rel in patched if patched[rel] != fresh[rel]]
    assert not differ, f"patched model differs from a fresh one on {differ[:5]}"


def story(i: int, **changes) -> str:
    """Story i of the `news` site, with some of its fields changed."""
    fields = {"title": f"Story {i}", "date": f"2025-12-{10 + i:02d}T09:00:00Z",
              "category": ("Bitcoin", "Policy", "Markets")[i % 3], "tags": ("ETFs", f"T{i % 2}"),
              "body": f"Body of story {i}.\n\n## Part\n\nMore words.", **changes}
    return article(fields.pop("title"), fields.pop("date"), fields.pop("category"), **fields)


@pytest.fixture
def news(site: Site, monkeypatch) -> Site:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    # a theme may show any value of the articles it lists: these show what a body save changes
    shown = "<p hidden>{{ a.summary }} {{ a.reading_time }} {{ a.words }} {{ a.has_toc }}</p>"
    for partial, lists in (("related", ("related",)), ("lists", ("trending", "latest"))):
        path = site.root / "layouts" / "partials" / f"{partial}.html"
        path.write_text(path.read_text(encoding="utf-8") + "".join(
            f"{{% for a in {name} %}}{shown}{{% endfor %}}" for name in lists), encoding="utf-8")
    for i in range(9):
        site.write(f"content/articles/story-{i}.md", story(i))
    # a recurring headline: the later one is numbered '-2' by assembly, which also changes its digest
    for day in (3, 5):
        site.write(f"content/articles/wrap-{day}.md",
                   article("Market wrap", f"2025-12-{day:02d}T18:00:00Z", "Markets", tags=("ETFs",)))
    site.write("content/articles/draft.md", article("Not yet", "2025-12-20T09:00:00Z", "Policy", draft="true"))
    site.write("content/pages/about.md", "---\ntitle: About us\n---\n\nWho we are.\n")
    return site


@pytest.mark.parametrize("lists", ["frame", "inline"])
def test_body_saves_are_patched_and_match_a_fresh_model(news: Site, lists: str):
    news.write("site.toml", f'sidebar_lists = "{lists}"\n' + MINIMAL_TOML)  # the sidebar's lists: slot or page
    preview = _preview(news)
    before = preview.snapshot.model
    saves = {
        "content/articles/story-4.md": story(4, body="A new body, much longer now. " * 300),
        "content/articles/story-8.md": story(8, body="The newest story (trending, latest), rewritten."),
        "content/articles/wrap-5.md": article("Market wrap", "2025-12-05T18:00:00Z", "Markets", tags=("ETFs",),
                                              body="Numbered wrap, new text.\n\n## Heading\n\nFor a contents box."),
        "content/articles/story-1.md": story(1, body="Other words.", summary="'A summary written by hand.'"),
        "content/articles/draft.md": article("Not yet", "2025-12-20T09:00:00Z", "Policy", draft="true",
                                             body="Still a draft."),
        "content/pages/about.md": "---\ntitle: About us\n---\n\nWho we are, and why.\n",
    }
    for rel, text in saves.items():
        assert _save(news, preview, rel, text) == "patched", rel
        _same_as_fresh(news, preview)
    assert preview.snapshot.model.routes is before.routes  # no route was planned again
    # what the save changed is on the page the browser reloads, and on the cards of the lists
    page = _everything(preview)["2025/12/story-4/index.html"]
    assert "A new body, much longer now." in page
    about = next(text for rel, text in _everything(preview).items() if rel.endswith("about-us/index.html"))
    assert "Who we are, and why." in about


@pytest.mark.parametrize("change", ["title", "date", "tags", "draft", "body image", "broken front matter"])
def test_saves_that_move_an_article_are_assembled_again(news: Site, change: str):
    preview = _preview(news)
    rel = "content/articles/story-2.md"
    changes = {"title": {"title": "Story 2, retitled"}, "date": {"date": "2025-12-01T09:00:00Z"},
               "tags": {"tags": ("Mining",)}, "draft": {"draft": "true"},
               "body image": {"body": "See the chart.\n\n![A chart](/assets/img/beginners-guide-to-staking.webp)\n"},
               "broken front matter": {}}[change]
    text = story(2, **changes) if change != "broken front matter" else "---\ntitle: [unclosed\n---\n\nBody.\n"
    assert _save(news, preview, rel, text) == "assembled"
    _same_as_fresh(news, preview)


def test_a_scheduled_time_passing_is_assembled_again(news: Site, monkeypatch):
    """A save after the clock passed a scheduled article's time must not keep the old lists."""
    news.write("content/articles/later.md", article("Coming soon", "2026-01-01T06:00:00Z", "Bitcoin"))
    preview = _preview(news)
    assert "2026/01/coming-soon/index.html" not in preview.snapshot.routes
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 7 * 3600))
    assert _save(news, preview, "content/articles/story-0.md", story(0, body="New.")) == "assembled"
    assert "2026/01/coming-soon/index.html" in preview.snapshot.routes
    _same_as_fresh(news, preview)


def test_multilingual_body_saves_are_patched(site: Site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    site.write("site.toml", MINIMAL_TOML + '\n[[languages]]\ncode = "en"\n\n[[languages]]\ncode = "fr"\n')
    site.write("content/articles/etf.md", article("ETF flows", "2025-12-01T09:00:00Z", "Bitcoin", tags=("ETFs",)))
    site.write("content/fr/articles/etf.md", article("Les flux des ETF", "2025-12-01T09:00:00Z", "Bitcoin",
                                                     tags=("ETFs",)))
    site.write("content/fr/articles/autre.md", article("Autre", "2025-12-02T09:00:00Z", "Policy", tags=("ETFs",)))
    preview = _preview(site)
    assert _save(site, preview, "content/fr/articles/etf.md",
                 article("Les flux des ETF", "2025-12-01T09:00:00Z", "Bitcoin", tags=("ETFs",),
                         body="Un texte tout neuf.")) == "patched"
    _same_as_fresh(site, preview)
    pages = _everything(preview)
    assert [rel for rel, text in pages.items() if "Un texte tout neuf." in text and "flux" in rel] \
        == ["fr/2025/12/les-flux-des-etf/index.html"]
