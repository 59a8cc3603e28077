"""Splitting a file into front matter and body, and loading the front matter safely.

python-frontmatter's handlers find the fences and load YAML or TOML; the checks
around them catch what it lets through silently: an unclosed fence, front
matter that is a list or a scalar, YAML alias bombs, and line numbers.
"""

from __future__ import annotations

import functools
import re
import tomllib

import frontmatter
import yaml
from yaml.constructor import SafeConstructor

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
    simple = plain_yaml(fm)
    if simple is not None:
        return simple
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


# --- the common case, read directly -----------------------------------------------------------
#
# Most front matter is a few 'key: value' lines: plain or quoted strings, a flow list of names,
# a whole number, true or false. PyYAML's C parser still builds each value through its Python
# constructor, some 100 microseconds a file (as much as the rest of reading it, Markdown aside).
# plain_yaml() reads exactly that subset, and answers None for anything else (a nested list, an
# escape, a colon in a plain value, a tab, an unusual character...), which then goes to PyYAML:
# on what it accepts it gives what PyYAML gives (tests compare the two on generated and real files).

_KEY_VALUE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ ]+(.*[^ ]))?[ ]*")
_DOUBLE_QUOTED = r'"([^"\\]*(?:\\["\\][^"\\]*)*)"'  # escapes: \" and \\ only
_SINGLE_QUOTED = r"'([^']*(?:''[^']*)*)'"
_COMMENT = r"(?:[ ]+#.*)?"
_DOUBLE = re.compile(_DOUBLE_QUOTED + _COMMENT)
_DOUBLE_ESCAPE = re.compile(r'\\(["\\])')
_SINGLE = re.compile(_SINGLE_QUOTED + _COMMENT)
_FLOW = re.compile(r"\[(.*)\]" + _COMMENT)
_FLOW_ITEM = re.compile(rf'[ ]*(?:{_DOUBLE_QUOTED}|{_SINGLE_QUOTED}|([^,\[\]{{}}#"\' ](?:[^,\[\]{{}}#]*[^,\[\]{{}}# ])?))[ ]*(,|$)')
# Outside these, YAML reads a character as a line break, an indent, or an error: PyYAML decides.
_UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_STR = "tag:yaml.org,2002:str"


class _Resolver(yaml.resolver.Resolver):
    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers  # what _Loader would tag a plain scalar


_resolver = _Resolver()
_MAY_RESOLVE = frozenset(k for k in _Loader.yaml_implicit_resolvers if k)  # first characters of non-strings


@functools.lru_cache(maxsize=4096)
def _tag(value: str) -> str:
    return _resolver.resolve(yaml.ScalarNode, value, (True, False))


def _plain(value: str):
    """A plain scalar's value as _Loader reads it; _NOT_SIMPLE if not surely that."""
    if not value or value[0] in _INDICATORS:
        return _NOT_SIMPLE
    if value[0] not in _MAY_RESOLVE:
        return value
    tag = _tag(value)
    if tag == _STR:
        return value
    if tag == "tag:yaml.org,2002:bool":
        return SafeConstructor.bool_values[value.lower()]
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:int" and _DECIMAL.fullmatch(value):
        return int(value)
    return _NOT_SIMPLE  # floats, octal, sexagesimal, merge keys...


_NOT_SIMPLE = object()


def plain_yaml(fm: str) -> dict | None:
    """fm as PyYAML (with _Loader) reads it, when it is one level of simple 'key: value' lines;
    None when it is anything else."""
    if not (fm.replace("\n", "").isprintable() if fm.isascii() else _UNUSUAL.search(fm) is None):
        return None
    out: dict = {}
    for line in fm.split("\n"):
        if not line.strip(" ") or line.lstrip(" ").startswith("#"):
            continue
        m = _KEY_VALUE.fullmatch(line)
        if m is None:
            return None
        key, raw = m.group(1), m.group(2)
        if key[0] in _MAY_RESOLVE and _tag(key) != _STR:
            return None
        if raw is None:
            value = None  # 'key:' alone is null, unless the next lines hold its value (not matched)
        elif raw[0] == '"':
            q = _DOUBLE.fullmatch(raw)
            if q is None:
                return None
            value = _unescape(q.group(1))
        elif raw[0] == "'":
            q = _SINGLE.fullmatch(raw)
            if q is None:
                return None
            value = q.group(1).replace("''", "'")
        elif raw[0] == "[":
            value = _flow_list(raw)
        elif ": " in raw or raw.endswith(":") or " #" in raw or any(c in raw for c in "[]{}"):
            return None
        else:
            value = _plain(raw)
        if value is _NOT_SIMPLE:
            return None
        out[key] = value
    return out or None  # no keys at all: PyYAML says None or fails


def _unescape(text: str) -> str:
    return _DOUBLE_ESCAPE.sub(r"\1", text) if "\\" in text else text


def _flow_list(raw: str):
    """'[a, "b", 'c']' as a list, or _NOT_SIMPLE."""
    m = _FLOW.fullmatch(raw)
    if m is None:
        return _NOT_SIMPLE
    inner = m.group(1)
    if not inner.strip(" "):
        return []
    items, pos, end = [], 0, len(inner)
    while pos < end:
        item = _FLOW_ITEM.match(inner, pos)
        if item is None:
            return _NOT_SIMPLE
        double, single, plain, comma = item.groups()
        if double is not None:
            items.append(_unescape(double))
        elif single is not None:
            items.append(single.replace("''", "'"))
        else:
            if ":" in plain or "?" in plain:  # YAML versions differ on these in a flow list
                return _NOT_SIMPLE
            value = _plain(plain)
            if value is _NOT_SIMPLE:
                return _NOT_SIMPLE
            items.append(value)
        pos = item.end()
        if comma == "," and pos >= end:
            return _NOT_SIMPLE  # a trailing comma: PyYAML decides
    return items


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
