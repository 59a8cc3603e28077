"""Jinja rendering: one environment, site-wide slots rendered once, page fingerprints, template errors.

Site-wide blocks (header, ticker, sidebar, footer) are rendered once per build and placed into
every page with ``{{ slot("name") }}``. A page's own HTML (its "skeleton") therefore depends only
on its context, which is hashed into a fingerprint: same fingerprint, same skeleton. That is what
lets an incremental build or the preview server skip pages without ever serving a stale one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
import pickle
import re
import traceback
import types
from itertools import islice
from pathlib import Path
from typing import Callable

import jinja2
import jinja2.runtime
from jinja2.utils import internalcode
import markupsafe
from markupsafe import Markup

from generator import __version__, figures
from generator.errors import Problem, ProblemError
from generator.model import Article, Body
from generator.pages import Route
from generator.walk import walk_files

LAYOUTS_DIR = "layouts"
SLOTS = ("ticker", "header", "sidebar", "footer")
_SLOT = re.compile(r"<!--slot:(\w+)-->(?:.*?<!--/slot:\1-->)?", re.S)


MEMO_LIMIT = 10_000  # memoised snippets held in memory (the build cache keeps them all); ~13 MB of cards
_ROOT_LINK = re.compile(r'(\s(?:href|src)=["\'])/(?!/)')


class LazyBody:
    """An article's body HTML, loaded only when a template prints it; hashed by the article's digest.

    Root-relative links written in Markdown ('/2025/07/x/') get the site's sub-path when it has one;
    local images get their size and variants (`images`: the build's ImageSet.get, covered by the
    global key as the page fingerprint's other half).
    """

    __slots__ = ("_load", "article", "_body", "_base", "_images", "_host")

    def __init__(self, article: Article, load: Callable[[Article], Body], base_path: str = "/",
                 images: Callable | None = None, host: str = ""):
        self.article = article
        self._load = load
        self._body: Body | None = None
        self._base = base_path
        self._images = images
        self._host = host  # the site's own host (base_url's): its absolute links are not paid ones

    @property
    def body(self) -> Body:
        if self._body is None:
            body = self._load(self.article)
            html = body.html
            prefix = self._base.rstrip("/")
            if self._images is not None and self.article.body_images:
                html = figures.enhance(html, self._images, lambda path: prefix + path)
            if prefix:
                html = _ROOT_LINK.sub(lambda m: m.group(1) + prefix + "/", html)
            if self.article.sponsored or self.article.doc_type == "press-release":
                html = _sponsored_links(html, self._host)
            if html is not body.html:
                body = Body(html, body.toc, body.first_paragraph, body.words)
            self._body = body
        return self._body

    def __html__(self) -> str:
        return self.body.html

    def __str__(self) -> str:
        return self.body.html

    @property
    def toc(self) -> Markup:
        return Markup(self.body.toc)


_OUTBOUND = re.compile(r'<a\b([^>]*\shref="(?:https?:)?//([^/"?#]*)[^"]*"[^>]*)>')
_REL = re.compile(r'\srel="([^"]*)"')


def _sponsored_links(html: str, own_host: str = "") -> str:
    """rel="sponsored" on every link of a paid or press-release body that leaves the site."""
    own_host = own_host.lower()

    def one(match: re.Match) -> str:
        attrs = match.group(1)
        if own_host and match.group(2).lower() == own_host:
            return match.group(0)  # an absolute link to one of the site's own pages
        rel = _REL.search(attrs)
        if rel is None:
            return f'<a{attrs} rel="sponsored">'
        words = rel.group(1).split()
        if "sponsored" in words:
            return match.group(0)
        return "<a" + attrs[:rel.start()] + f' rel="{" ".join([*words, "sponsored"])}"' + attrs[rel.end():] + ">"
    return _OUTBOUND.sub(one, html)


def layouts_fingerprint(layouts: Path) -> str:
    """A hash of every layout file, symlinked folders (a shared theme) included."""
    h = hashlib.sha256(__version__.encode())
    for found in walk_files(layouts, LAYOUTS_DIR):
        try:
            data = Path(found.path).read_bytes()
        except OSError:
            data = b"\0unreadable"
        h.update(found.rel.encode() + b"\0" + data)
    return h.hexdigest()[:24]


def _flatten(value, out: list[str]) -> None:
    """Write value into out as unambiguous text, each article as its digest.

    An Article's digest already covers everything a template can read from it (its source bytes,
    path, the config and the generator version), and its body is loaded lazily, so its digest
    stands for the whole object. Route inputs are tuples of articles, terms, strings and numbers;
    anything else falls back to pickle. (Hot: it runs for every page of every build, so the
    common item types are handled in the loop rather than by a call each.)
    """
    cls = type(value)
    if cls is tuple or cls is list:
        out.append("(")
        for item in value:
            kind = type(item)
            if kind is Article:
                out.append("A" + item.digest)
            elif kind is str or kind is int or item is None:
                out.append(repr(item))
            else:
                _flatten(item, out)
        out.append(")")
    elif cls is Article:
        out.append("A" + value.digest)
    elif cls is str or cls is int or cls is float or cls is bool or value is None:
        out.append(repr(value))
    elif cls is LazyBody:
        out.append("B" + value.article.digest)
    else:
        fields = _FIELDS.get(cls)
        if fields is None:
            fields = _FIELDS[cls] = _field_getter(cls)
        if fields:  # a dataclass: its name and field values
            out.append(cls.__qualname__)
            _flatten(fields(value), out)
        else:
            out.append(pickle.dumps(value, protocol=5).hex())


_FIELDS: dict[type, Callable | bool] = {}


def _field_getter(cls: type) -> Callable | bool:
    if not dataclasses.is_dataclass(cls):
        return False
    names = [f.name for f in dataclasses.fields(cls)]
    get = operator.attrgetter(*names)
    return get if len(names) > 1 else (lambda obj: (get(obj),))


def fingerprint(value) -> bytes:
    """Bytes that change whenever anything a template could read from value changes."""
    out: list[str] = []
    _flatten(value, out)
    return "\0".join(out).encode("utf-8", "surrogatepass")


class Renderer:
    """Renders routes through the site's layouts; one per build (or per preview model)."""

    def __init__(self, site_dir: Path, globals_: dict, global_key: str, reuse: "Renderer | None" = None):
        self.layouts = site_dir / LAYOUTS_DIR
        if reuse is not None:  # same layouts, config and assets: compiled templates and cards still hold
            self.env = reuse.env
            self._memos = reuse._memos
        else:
            self.env = make_env(self.layouts, globals_)
            self._memos = {"card": {}, "picture": {}}
        self.env.globals["slot"] = self._slot  # this renderer's fragments (the env may be shared)
        self.env.globals["card"] = self._memo("partials/card.html", "card", keep=True)
        # a picture is only needed again when its card is rendered again: not worth keeping
        self.env.globals["picture"] = self._memo("partials/picture.html", "picture", keep=False)
        self.global_key = global_key  # layouts, config and asset names: a change re-renders every page
        self._fragments: dict[str, str] | None = None
        self.slot_context: dict = {}
        # Snippets (cards: memoised macro calls) kept in the build cache between builds:
        # `stored_snippet` looks one up by key; those rendered here are collected in fresh_snippets.
        self.stored_snippet: Callable[[str], str | None] | None = None
        self.fresh_snippets: dict[str, str] = {}

    def _memo(self, template: str, name: str, keep: bool) -> Callable[..., Markup]:
        """A global that calls macro `name` of `template` once per distinct arguments.

        `card` depends only on its article (keyed by digest) and the globals; `picture` only on
        its arguments, and most cards share the default image. So a list page is mostly joins of
        snippets already rendered for other pages. Calls of a `keep` macro are also looked up in,
        and saved to, the build cache (`stored_snippet`, `fresh_snippets`).
        """
        memo = self._memos[name]  # one each: the many one-off pictures must not push cards out
        macro = None

        def call(*args, **kwargs) -> Markup:
            nonlocal macro
            key = (name, tuple(("A", a.digest) if type(a) is Article else a for a in args),
                   tuple(sorted(kwargs.items())))
            try:
                html = memo.get(key)
            except TypeError:  # an unhashable argument: no memo
                key, html = None, None
            stored = None  # the snippet's key in the build cache, hashed once per miss
            if html is None and key is not None and keep and self.stored_snippet is not None:
                stored = self._store_key(key)
                text = self.stored_snippet(stored)
                if text is not None:
                    html = memo[key] = Markup(text)
            if html is None:
                if macro is None:
                    macro = getattr(self.env.get_template(template).module, name)
                html = Markup(macro(*args, **kwargs))
                if key is not None:
                    if len(memo) >= MEMO_LIMIT:  # bounded: a big site's cards would fill memory;
                        for old in list(islice(memo, MEMO_LIMIT // 4)):  # the oldest go first
                            del memo[old]
                    memo[key] = html
                    if stored is not None:
                        self.fresh_snippets[stored] = str(html)
            return html
        return call

    def _store_key(self, key: tuple) -> str:
        """The build cache's key of a memoised snippet: its call, under this global key."""
        return hashlib.blake2b(f"{self.global_key}\0{key!r}".encode(), digest_size=16).hexdigest()

    def route_fingerprint(self, route: Route, inputs: tuple) -> str:
        """Same fingerprint, same skeleton: the route and its inputs (pages.route_inputs) are all a
        page's context is made of, and the global key covers layouts, config, assets and images."""
        data = f"{self.global_key}\0".encode() + fingerprint((route, inputs))
        return hashlib.blake2b(data, digest_size=16).hexdigest()

    def page(self, route: Route, context: dict) -> str:
        """The page's final HTML (raises ProblemError on template errors). Its skeleton, the page
        with bare slot markers, is what fill() completes; here each slot is filled as it is printed
        (the fragments are rendered first), which spares a pass over every page."""
        self.fragments()
        return render_template(self.env, self.layouts, route.template, context)

    def _slot(self, name: str) -> Markup:
        """The slot() global: the marker and, once rendered, the fragment, as fill() would put it."""
        text = self._fragments.get(name) if self._fragments is not None else None
        if text is None:
            return Markup(f"<!--slot:{name}-->")
        return Markup(f"<!--slot:{name}-->{text}<!--/slot:{name}-->")

    def fragments(self) -> dict[str, str]:
        """The site-wide slots, rendered once."""
        if self._fragments is None:
            self._fragments = {name: render_template(self.env, self.layouts, f"partials/{name}.html", self.slot_context)
                               for name in SLOTS}
        return self._fragments

    def fill(self, html: str) -> str:
        """Replace the slots of a previously written page with the current ones (page() fills
        them as it renders). The delimiting comments stay in the page, so an unchanged page whose
        site-wide blocks changed is updated from its previous output without rendering it again.
        """
        fragments = self.fragments()

        def put(m: re.Match) -> str:
            name = m.group(1)
            return f"<!--slot:{name}-->{fragments[name]}<!--/slot:{name}-->" if name in fragments else m.group(0)

        return _SLOT.sub(put, html)

    def fragments_key(self) -> str:
        h = hashlib.sha256()
        for name, text in sorted(self.fragments().items()):
            h.update(name.encode() + b"\0" + text.encode() + b"\0")
        return h.hexdigest()[:24]


_escape_inner = getattr(markupsafe, "_escape_inner", None)  # MarkupSafe 3; 2.x escapes in C already
_new_str = str.__new__


def _escape(s) -> Markup:
    """markupsafe.escape, minus the Python-level Markup constructor for plain strings: a page
    escapes some 150 values, and MarkupSafe 3's constructor was a fifth of rendering time."""
    if type(s) is str:
        return _new_str(Markup, _escape_inner(s))
    if type(s) is Markup:  # already safe, and immutable: the same value
        return s
    if hasattr(s, "__html__"):
        return Markup(s.__html__())
    return _new_str(Markup, _escape_inner(str(s)))


class _Template(jinja2.Template):
    """Templates whose compiled code calls _escape where it would call markupsafe.escape."""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):
        if _escape_inner is not None and namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = _escape  # the template functions read it from here at call time
        return super()._from_namespace(environment, namespace, globals)


_PLAIN_CALLABLES = (types.FunctionType, types.BuiltinFunctionType, jinja2.runtime.Macro)


class _Context(jinja2.runtime.Context):
    """A context whose call() goes straight to plain functions and macros. Stock call() probes
    every callee twice for pass_context/pass_environment markers; a page makes some 50 calls
    (url(), card(), macros), and the probing was a tenth of its rendering time."""

    @internalcode
    def call(__self, __obj, *args, **kwargs):
        kind = type(__obj)
        if kind not in _PLAIN_CALLABLES or (kind is types.FunctionType and "jinja_pass_arg" in __obj.__dict__):
            return jinja2.runtime.Context.call(__self, __obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as stock call() answers it
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")


def make_env(layouts: Path, globals_: dict) -> jinja2.Environment:
    # Compiled templates are kept beside the build cache (keyed by each template's source), so a
    # small build does not spend a tenth of its time compiling the layouts again.
    try:
        compiled = layouts.parent / ".cache" / "jinja"
        compiled.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(compiled))
    except OSError:
        bytecode_cache = None
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(layouts)),
        bytecode_cache=bytecode_cache,
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,
        extensions=["jinja2.ext.i18n"],  # _() and ngettext(): the layouts' UI strings (i18n.load_strings)
    )
    env.template_class = _Template
    env.context_class = _Context
    env.globals.update(globals_)
    env.filters["date"], env.filters["isodate"] = _date_filters()
    return env


def memoized_date_filter(show: Callable, default_fmt) -> Callable:
    """A `date` filter that formats each (value, zone, format) once with show(d, fmt): an article's
    date is shown on its page and on each of its cards. The key holds the zone as well, since
    equal instants in two zones are equal datetimes that print differently."""
    memo: dict = {}

    def date(d, fmt=default_fmt) -> str:
        if not d:
            return ""
        key = (d, getattr(d, "tzinfo", None), fmt)
        text = memo.get(key)
        if text is None:
            if len(memo) >= 100_000:
                memo.clear()
            text = memo[key] = show(d, fmt)
        return text
    return date


def _date_filters() -> tuple[Callable, Callable]:
    """`date` (strftime) and `isodate`, remembered per value."""
    iso = object()  # isodate's format
    date = memoized_date_filter(lambda d, fmt: d.isoformat(timespec="seconds") if fmt is iso else d.strftime(fmt),
                                "%B %-d, %Y")
    return date, lambda d: date(d, iso)


RECURSION_STRIKES = 3  # pages of one template hitting the recursion limit before the rest are failed at once


def _extends_cycle(env: jinja2.Environment, name: str) -> bool:
    """Whether the chain of `{% extends 'literal' %}` starting at template `name` comes back on itself."""
    seen: list[str] = []
    while name not in seen:
        seen.append(name)
        try:
            tree = env.parse(env.loader.get_source(env, name)[0])
        except Exception:  # noqa: BLE001 - unreadable or invalid: not a proven cycle
            return False
        parent = next(iter(tree.find_all(jinja2.nodes.Extends)), None)
        if parent is None or not isinstance(parent.template, jinja2.nodes.Const):
            return False
        name = parent.template.value
    return True


def render_template(env: jinja2.Environment, layouts: Path, name: str, context: dict) -> str:
    """Render, turning any Jinja failure into 'layouts/FILE.html:LINE: message'."""
    endless = env.__dict__.setdefault("_endless", {})  # template name -> its recursion problem
    if name in endless:  # hitting the recursion limit again costs a quarter second a page
        raise ProblemError(endless[name])
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise ProblemError(Problem(_rel(exc.filename or name, layouts), f"template syntax error: {exc.message}",
                                   exc.lineno, "fix the Jinja syntax at that line")) from None
    except jinja2.TemplateNotFound as exc:
        path, line = _template_frame(exc.__traceback__, layouts)
        missing = exc.name if isinstance(exc.name, str) else ", ".join(map(str, exc.templates or []))
        raise ProblemError(Problem(path or f"{LAYOUTS_DIR}/{name}", f"template {missing!r} not found in {LAYOUTS_DIR}/",
                                   line, f"create {LAYOUTS_DIR}/{missing} or fix the name")) from None
    except RecursionError as exc:
        path, line = _template_frame(exc.__traceback__, layouts)
        problem = Problem(path or f"{LAYOUTS_DIR}/{name}", "templates include or extend each other without end",
                          line, "look for an include or extends that leads back to itself")
        strikes = env.__dict__.setdefault("_recursion_strikes", {})
        strikes[name] = strikes.get(name, 0) + 1
        # The layouts loop whatever the page holds (an extends cycle, or the same template running
        # into the limit page after page): its other pages fail at once instead of a quarter second each.
        if strikes[name] >= RECURSION_STRIKES or _extends_cycle(env, name):
            endless[name] = problem
        raise ProblemError(problem) from None
    except jinja2.UndefinedError as exc:
        path, line = _template_frame(exc.__traceback__, layouts)
        raise ProblemError(Problem(path or f"{LAYOUTS_DIR}/{name}", f"undefined variable: {exc.message}", line,
                                   "see README.md 'Layouts' for the variables each template receives")) from None
    except ProblemError:
        raise
    except Exception as exc:  # a template may call anything; report it at the template line
        path, line = _template_frame(exc.__traceback__, layouts)
        raise ProblemError(Problem(path or f"{LAYOUTS_DIR}/{name}", f"template error: {type(exc).__name__}: {exc}",
                                   line, "fix the template at that line")) from None


def _rel(filename: str, layouts: Path) -> str:
    try:
        return f"{LAYOUTS_DIR}/{Path(filename).resolve().relative_to(layouts.resolve()).as_posix()}"
    except ValueError:
        return f"{LAYOUTS_DIR}/{filename}"


def _template_frame(tb, layouts: Path) -> tuple[str | None, int | None]:
    """The innermost traceback frame inside a layout file (Jinja rewrites frames to template lines)."""
    root = str(layouts.resolve())
    found: tuple[str | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename.startswith(root) or filename.startswith(str(layouts)):
            found = (_rel(filename, layouts), line)
    return found
