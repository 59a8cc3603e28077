"""Splitting a file into front matter and body, and loading the front matter safely.

python-frontmatter's handlers find the fences and load YAML or TOML; the checks
around them catch what it lets through silently: an unclosed fence, front
matter that is a list or a scalar, YAML alias bombs, and line numbers.
"""

from __future__ import annotations

import re
import tomllib

import frontmatter
import yaml

from generator.errors import Problem, ProblemError

MAX_FRONT_MATTER = 256 * 1024
MAX_EXPANDED_NODES = 10_000
MAX_EXPANDED_CHARS = 1024 * 1024  # text once aliases are expanded: four times the front matter limit
MAX_DEPTH = 50

try:
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):
    """Safe YAML, but dates stay strings: we parse them with messages an editor understands."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

_YAML = frontmatter.YAMLHandler()
# python-frontmatter's TOML handler needs the old 'toml' package; its base splitter plus tomllib does the job.
_TOML = frontmatter.default_handlers.BaseHandler(fm_boundary=re.compile(r"^\+{3}\s*$", re.MULTILINE))
_OPEN_YAML = re.compile(r"-{3,}[ \t]*\r?\n")
_OPEN_TOML = re.compile(r"\+{3}[ \t]*\r?\n")


def split(text: str, path: str) -> tuple[dict, str, int, str]:
    """Return (front matter, body, line where the body starts, front matter text).

    A file without front matter gives an empty dict; callers decide whether that is allowed.
    """
    if _OPEN_YAML.match(text):
        handler, fence, kind = _YAML, "---", "YAML"
    elif _OPEN_TOML.match(text):
        handler, fence, kind = _TOML, "+++", "TOML"
    else:
        return {}, text, 1, ""
    try:
        fm, body = handler.split(text)
    except ValueError:
        raise ProblemError(Problem(path, f"the {kind} front matter opened on line 1 is never closed", 1,
                                   f"add a line with just '{fence}' after the last front matter key")) from None
    # fm starts with the newline ending the opening fence; body with the one ending the closing fence
    body_line = fm.count("\n") + 2
    body = body[1:] if body.startswith("\n") else body[2:] if body.startswith("\r\n") else body
    if text.endswith(body):  # the fence pattern may have taken blank lines after the fence too
        body_line = text.count("\n", 0, len(text) - len(body)) + 1
    if len(fm) > MAX_FRONT_MATTER:
        raise ProblemError(Problem(path, f"front matter is {len(fm) // 1024} KB; the limit is "
                                         f"{MAX_FRONT_MATTER // 1024} KB", 1, "move long text into the body"))
    meta = _load_yaml(fm, path) if kind == "YAML" else _load_toml(fm, path)
    if meta is None:
        meta = {}
    if _depth(meta) > MAX_DEPTH:
        raise ProblemError(Problem(path, f"front matter nests more than {MAX_DEPTH} levels deep or refers to itself; "
                                         "refused", 2, "front matter holds flat values and short lists"))
    if not isinstance(meta, dict):
        what = "a list" if isinstance(meta, list) else f"a single {type(meta).__name__} value"
        raise ProblemError(Problem(path, f"front matter is {what}, not a set of 'key: value' lines", 2,
                                   "write one 'key: value' per line, e.g. 'title: My headline'"))
    return meta, body, body_line, fm


def _load_yaml(fm: str, path: str):
    try:
        return _load_yaml_checked(fm, path)
    except ValueError:  # an integer of thousands of digits: Python refuses to convert it
        raise ProblemError(Problem(path, "front matter holds a number too long to read; refused", _long_number_line(fm),
                                   "quote long digit strings, or shorten them")) from None


def _long_number_line(fm: str) -> int:
    found = re.search(r"\d{1000,}", fm)
    return fm.count("\n", 0, found.start()) + 1 if found else 2


def _load_yaml_checked(fm: str, path: str):
    try:
        if "*" in fm and "&" in fm:
            nodes, chars = _expanded_size(yaml.compose(fm, Loader=_Loader))
            if nodes > MAX_EXPANDED_NODES or chars > MAX_EXPANDED_CHARS:
                what = f"{MAX_EXPANDED_NODES:,} values" if nodes > MAX_EXPANDED_NODES else \
                    f"{MAX_EXPANDED_CHARS // 1024:,} KB of text"
                raise ProblemError(Problem(path, f"front matter's YAML aliases expand to more than {what}; refused "
                                                 "(a 'billion laughs' bomb?)", 2,
                                           "write the values out instead of nesting &anchors and *aliases"))
        return yaml.load(fm, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ProblemError(Problem(path, f"front matter is not valid YAML: {problem}", line,
                                   "check quotes and indentation; quote values that contain ': ' or start with '[', '{', '@', '`' or '*'")) from None
    except RecursionError:
        raise ProblemError(Problem(path, "front matter nests too deeply", 2, "flatten the YAML")) from None


def _depth(value) -> int:
    """How deeply lists and mappings nest (iterative: safe at any depth)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, tuple, dict)):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _expanded_size(root) -> tuple[int, int]:
    """How many values, and how many characters of text, a YAML node tree holds once every alias
    is expanded (memoised, so linear): a few aliases of one long string are as bad as a billion
    laughs, once anything prints or copies the value."""
    sizes: dict[int, tuple[int, int]] = {}
    cap = (MAX_EXPANDED_NODES + 1, MAX_EXPANDED_CHARS + 1)

    def size(node) -> tuple[int, int]:
        if id(node) in sizes:
            return sizes[id(node)]
        sizes[id(node)] = (1, 0)  # a node reached again while being sized: a recursive alias
        if isinstance(node, yaml.SequenceNode):
            parts = [size(n) for n in node.value]
        elif isinstance(node, yaml.MappingNode):
            parts = [size(n) for pair in node.value for n in pair]
        else:
            parts = [(0, len(node.value) if isinstance(node.value, str) else 0)]
        total = (min(1 + sum(p[0] for p in parts), cap[0]), min(sum(p[1] for p in parts), cap[1]))
        sizes[id(node)] = total
        return total

    return size(root) if root is not None else (0, 0)


def _load_toml(fm: str, path: str):
    try:
        return tomllib.loads(fm)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found.group(1)) if found else 2
        raise ProblemError(Problem(path, f"front matter is not valid TOML: {exc}", line,
                                   "TOML needs quoted strings: title = \"My headline\"")) from None
    except (RecursionError, ValueError) as exc:  # arrays or tables nested thousands deep; a 5,000-digit number
        what = "nests too deeply" if isinstance(exc, RecursionError) else "holds a number too long to read"
        raise ProblemError(Problem(path, f"front matter {what}; refused", 2 if isinstance(exc, RecursionError) else _long_number_line(fm),
                                   "front matter holds flat values and short lists")) from None


def key_line(fm_text: str, key: str) -> int | None:
    """The file line where a front matter key is set (fm_text begins with line 1's newline)."""
    found = re.search(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*[:=]", fm_text, re.M)
    return fm_text.count("\n", 0, found.start()) + 1 if found else None
