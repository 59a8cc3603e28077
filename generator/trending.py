"""Trending articles: from a page-view export when there is one, else editor pins, else the newest."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from generator.config import SiteConfig
from generator.datafiles import DataFileError, figure, load_json, read_text
from generator.errors import Problem, preview
from generator.model import Article


@dataclass(frozen=True)
class TrendingResult:
    articles: tuple[Article, ...]
    source: str  # what the build log says: "page views (file)", "editor pins", "newest articles"
    # the ranking continued past `count`, far enough that a page leaving out the stories it shows
    # elsewhere (the home page: up to per_page + 4 per category block) can still fill its list
    ranked: tuple[Article, ...] = ()


def compute_trending(articles: tuple[Article, ...], config: SiteConfig, site_dir: Path, now: datetime,
                     problems: list[Problem]) -> TrendingResult:
    """Pick the trending list and say where it came from."""
    settings = config.trending
    if settings.count <= 0 or not articles:
        return TrendingResult((), "none")
    depth = settings.count + config.per_page + 4 * config.home_category_blocks
    if settings.pageviews:
        views = load_pageviews(site_dir / settings.pageviews, settings.pageviews, config.base_path, problems)
        if views:
            ranked = _from_views(articles, views, settings, now, depth)
            if ranked:
                return TrendingResult(ranked[:settings.count], f"page views ({settings.pageviews})", ranked)
    pins = tuple(a for a in articles if a.trending)[:depth]
    if pins:
        return TrendingResult(pins[:settings.count], "editor pins (trending: true)", pins)
    return TrendingResult(articles[:settings.count], "newest articles (no page views or pins)", articles[:depth])


def _from_views(articles, views: dict[str, float], settings, now: datetime, depth: int) -> tuple[Article, ...]:
    """Views decayed by age: half the weight every half_life_days; older than window_days: out."""
    scored = []
    for article in articles:
        count = views.get(article.url)
        if not count:
            continue
        age_days = max(0.0, (now - article.date).total_seconds() / 86400)
        if age_days > settings.window_days:
            continue
        score = count * 0.5 ** (age_days / max(settings.half_life_days, 0.001))
        scored.append((-score, -article.date.timestamp(), article.source, article))
    scored.sort(key=lambda row: row[:3])
    return tuple(row[3] for row in scored[:depth])


def load_pageviews(path: Path, rel: str, base_path: str, problems: list[Problem]) -> dict[str, float]:
    """{site path: views} from a CSV with path and views columns, or JSON ({path: views} or a list of rows)."""
    try:
        text = read_text(path)
    except FileNotFoundError:
        problems.append(Problem(rel, "page-view file named in site.toml [trending] does not exist", level="warning",
                                hint="export it from your analytics, or remove trending.pageviews"))
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, f"cannot read page-view file: {exc}", level="warning"))
        return {}
    rows: list[tuple[object, object, int | None, str]] = []  # (path, views, line, which row or key)
    if path.suffix.lower() == ".json":
        try:
            data = load_json(text)
        except DataFileError as exc:
            problems.append(Problem(rel, f"{exc}; page views ignored", exc.line, level="warning", hint=_SHAPE))
            return {}
        if isinstance(data, dict):
            rows = [(k, v, None, f"key {preview(k)}: ") for k, v in data.items()]
        elif isinstance(data, list):
            rows = [(_first(r, "path", "url", "page"), _first(r, "views", "pageviews", "count"), None, f"row {n + 1}: ")
                    if isinstance(r, dict) else (None, None, None, f"row {n + 1}: ") for n, r in enumerate(data)]
        else:
            problems.append(Problem(rel, f"page-view JSON holds {type(data).__name__ if data is not None else 'null'}; "
                                         "page views ignored", level="warning", hint=_SHAPE))
            return {}
    else:
        reader = csv.DictReader(io.StringIO(text))
        try:
            fields = {f.strip().lower(): f for f in reader.fieldnames or []}
        except csv.Error as exc:
            problems.append(Problem(rel, f"not a readable CSV file: {exc}; page views ignored", level="warning"))
            return {}
        path_col = next((fields[k] for k in ("path", "url", "page", "page path") if k in fields), None)
        views_col = next((fields[k] for k in ("views", "pageviews", "page views", "count") if k in fields), None)
        if path_col is None or views_col is None:
            problems.append(Problem(rel, "page-view CSV needs a header with 'path' and 'views' columns", 1, level="warning"))
            return {}
        try:
            rows = [(r.get(path_col), r.get(views_col), reader.line_num, "") for r in reader]
        except csv.Error as exc:
            problems.append(Problem(rel, f"not a readable CSV file: {exc}; page views ignored", level="warning"))
            return {}
    out: dict[str, float] = {}
    bad = 0
    for raw_path, raw_views, line, where in rows:
        views = _views(raw_views)
        site_path = normalize_path(raw_path, base_path) if isinstance(raw_path, str) else ""
        if views is None or not site_path:
            bad += 1
            if bad <= MAX_ROW_WARNINGS:
                what = f"views {preview(raw_views)} is not a count from 0 to {MAX_VIEWS:.0e}" if views is None else \
                    f"path {preview(raw_path)} is not a site path"
                problems.append(Problem(rel, f"{where}{what}; row skipped", line, level="warning", hint=_SHAPE))
            continue
        out[site_path] = min(out.get(site_path, 0.0) + views, MAX_VIEWS)
    if bad > MAX_ROW_WARNINGS:
        problems.append(Problem(rel, f"{bad - MAX_ROW_WARNINGS:,} more bad rows skipped", level="warning", hint=_SHAPE))
    return out


MAX_VIEWS = 1e12
MAX_ROW_WARNINGS = 10  # then one line with the count: an export with a bad column must not flood the log
_SHAPE = "expected CSV with 'path' and 'views' columns, or JSON {\"/path/\": views} or [{\"path\": ..., \"views\": ...}]"


def _views(raw) -> float | None:
    """A view count: a finite number from 0 to MAX_VIEWS (CSV text may carry thousands separators)."""
    if isinstance(raw, str):
        text = raw.replace(",", "").strip()
        if len(text) > 40:
            return None
        try:
            raw = float(text)
        except ValueError:
            return None
    return figure(raw, 0, MAX_VIEWS)


def _first(row: dict, *keys: str):
    """The first of keys that the row has (a 0 count is a value, not a missing one)."""
    return next((row[k] for k in keys if row.get(k) is not None), None)


def normalize_path(raw: str, base_path: str) -> str:
    """'https://host/news/2025/07/x?utm=1' -> '/2025/07/x/' for a site under /news/."""
    try:
        path = urlsplit(raw.strip()).path
    except ValueError:  # 'http://[not-an-address'
        return ""
    if not path or len(path) > 2000:
        return ""
    if base_path != "/" and path.startswith(base_path):
        path = "/" + path[len(base_path):]
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    return path if path.startswith("/") else "/" + path
