"""`Doc`: one built page parsed as crawlers and readers see it, the suite's one HTML parser.

What it keeps: every element (tag, attributes, the classes of the elements around it) with the text a
reader sees in it (script and style code belongs to its own element only), the links and every other
reference (href, src, poster, srcset candidates, GET form actions), ids, the <title>, the head's
<meta> and <link> tags and the JSON-LD blocks.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CODE = {"script", "style"}  # their text is code, not something a reader sees in the elements around them


def _words(parts: list[str]) -> str:
    return " ".join("".join(parts).split())


class Doc(HTMLParser):
    """A parsed page: `find_all`/`text` by tag, class and attributes; `region` for a block's whole text;
    `links`, `refs`, `ids`; head tags (`meta`, `link_rel`), `jsonld`, the page `kind`."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.links: list[str] = []  # href of every <a>, in document order
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, URL) of every reference
        self.ids: set[str] = set()
        self.metas: list[dict] = []  # attributes of the head's <meta> tags
        self.head_links: list[dict] = []  # attributes of the head's <link> tags
        self.scripts: list[dict] = []  # attributes of every <script>
        self.jsonld_raw: list[str] = []
        self.elements: list[tuple[str, dict, frozenset[str]]] = []  # (tag, attrs, classes of the elements around it)
        self._parts: list[list[str]] = []  # parallel to elements: the text inside each
        self._outer: list[tuple[int, ...]] = []  # parallel to elements: the indexes of the elements around each
        self._open: list[int] = []  # indexes of the elements open now, outermost first
        self._in_head = False

    @classmethod
    def parse(cls, text: str) -> "Doc":
        doc = cls()
        doc.feed(text)
        doc.close()
        return doc

    @classmethod
    def load(cls, path: Path) -> "Doc":
        return cls.parse(path.read_text(encoding="utf-8"))

    # --- parsing ---------------------------------------------------------------------------------------

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        around = frozenset(c for i in self._open for c in self.elements[i][1].get("class", "").split())
        self.elements.append((tag, a, around))
        self._parts.append([])
        self._outer.append(tuple(self._open))
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "head":
            self._in_head = True
        elif tag == "meta" and self._in_head:
            self.metas.append(a)
        elif tag == "link" and self._in_head:
            self.head_links.append(a)
        elif tag == "script":
            self.scripts.append(a)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        for key in ("href", "src", "poster"):
            if a.get(key):
                self.refs.append((tag, key, a[key]))
        if tag == "form" and a.get("action") and (a.get("method") or "get").lower() == "get":
            self.refs.append((tag, "action", a["action"]))
        for part in (a.get("srcset") or "").split(","):
            if part.strip():
                self.refs.append((tag, "srcset", part.strip().split()[0]))
        if tag not in VOID:
            self._open.append(len(self.elements) - 1)

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        for depth in range(len(self._open) - 1, -1, -1):
            index = self._open[depth]
            if self.elements[index][0] == tag:
                if tag == "script" and self.elements[index][1].get("type") == "application/ld+json":
                    self.jsonld_raw.append("".join(self._parts[index]))
                del self._open[depth:]
                break

    def handle_data(self, data):
        if not self._open:
            return
        innermost = self._open[-1]
        if self.elements[innermost][0] in CODE:
            self._parts[innermost].append(data)
            return
        for index in self._open:
            self._parts[index].append(data)
        if self.elements[innermost][0] == "title":
            self.title += data

    # --- elements ----------------------------------------------------------------------------------------

    def _matches(self, tag: str | None, cls: str | None, within: str | None, attrs: dict) -> list[int]:
        return [i for i, (t, a, around) in enumerate(self.elements)
                if (tag is None or t == tag) and (cls is None or cls in a.get("class", "").split())
                and (within is None or within in around)
                and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def find(self, tag: str | None = None, cls: str | None = None, within: str | None = None, **attrs) -> list[dict]:
        """The attributes of every element that is `tag`, has class `cls`, stands inside an element of
        class `within` and has the given attribute values (http_equiv= for http-equiv)."""
        return [self.elements[i][1] for i in self._matches(tag, cls, within, attrs)]

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list[tuple[str, dict, str]]:
        """(tag, attributes, text) of the same elements as `find`."""
        return [(self.elements[i][0], self.elements[i][1], _words(self._parts[i]))
                for i in self._matches(tag, cls, None, attrs)]

    def text(self, tag: str | None = None, cls: str | None = None) -> list[str]:
        """The text of each element that is `tag` and has class `cls`, whitespace collapsed."""
        return [t for _, _, t in self.find_all(tag, cls)]

    def region(self, selector: str) -> str:
        """All the text of a block: '.class', '[attribute]' or a tag name; blocks one inside another count once."""
        if selector.startswith("."):
            hits = set(self._matches(None, selector[1:], None, {}))
        elif selector.startswith("[") and selector.endswith("]"):
            hits = {i for i, (_, a, _) in enumerate(self.elements) if selector[1:-1] in a}
        else:
            hits = set(self._matches(selector, None, None, {}))
        return " ".join(_words(self._parts[i]) for i in sorted(hits) if not hits.intersection(self._outer[i])).strip()

    def links_within(self, container: str, own_class: str | None = None) -> list[str]:
        """hrefs of the <a> elements inside an element of class `container` (with class `own_class`), in order."""
        return [a.get("href", "") for a in self.find("a", own_class, within=container)]

    # --- the head ----------------------------------------------------------------------------------------

    @property
    def kind(self) -> str | None:
        """The page kind from <body class="kind-...">; None for pages that are not reader pages (an iframe's widget)."""
        for a in self.find("body"):
            for cls in a.get("class", "").split():
                if cls.startswith("kind-"):
                    return cls[len("kind-"):]
        return None

    @property
    def noindex(self) -> bool:
        return any("noindex" in c for c in self.meta("robots"))

    def meta(self, key: str) -> list[str]:
        """content of <meta name=key> or <meta property=key> in the head."""
        return [m.get("content", "") for m in self.metas if m.get("name") == key or m.get("property") == key]

    def link_rel(self, rel: str, type_: str | None = None) -> list[dict]:
        return [l for l in self.head_links if rel in l.get("rel", "").split() and (type_ is None or l.get("type") == type_)]

    @property
    def jsonld(self) -> list[dict]:
        return [json.loads(raw) for raw in self.jsonld_raw]

    def jsonld_of(self, type_: str) -> list[dict]:
        return [d for d in self.jsonld if d.get("@type") == type_]
