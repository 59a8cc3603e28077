"""The price ticker's data: the coin list from site.toml, figures from the snapshot file."""

from __future__ import annotations

from dataclasses import dataclass
import json
from datetime import datetime, timezone
from pathlib import Path

from generator.config import SiteConfig
from generator.datafiles import figure, load_json, read_text
from generator.errors import Problem, preview
from generator.slugs import slugify


@dataclass(frozen=True)
class Coin:
    symbol: str
    name: str
    price: float | None
    change: float | None
    url: str  # the coin's page, when articles cover it
    api_id: str  # the price API's id for it ("bitcoin")


@dataclass(frozen=True)
class TickerData:
    as_of: datetime | None
    coins: tuple[Coin, ...]
    api_url: str
    refresh: bool  # pages re-read the figures in the browser
    browser_api: bool = False  # ...from api_url itself, not the site's own PUBLIC_FILE
    stale_minutes: int = 20

    def by_symbol(self, symbol: str) -> Coin | None:
        return next((c for c in self.coins if c.symbol == symbol), None)

    @property
    def public_file(self) -> bool:
        """Whether the build writes PUBLIC_FILE (and pages read it): a same-origin refresh."""
        return self.refresh and not self.browser_api and bool(self.coins)


# The figures browsers re-read, beside the pages (site.toml [ticker] refresh); `generator ticker` rewrites it.
PUBLIC_FILE = "data/ticker.json"


def load_ticker(config: SiteConfig, site_dir: Path, coin_urls: dict[str, str], problems: list[Problem]) -> TickerData:
    """Read the snapshot; a missing or broken one leaves the figures empty ('—'), with a warning."""
    settings = config.ticker
    snapshot: object = {}
    if settings.snapshot:
        path = site_dir / settings.snapshot
        try:
            snapshot = load_json(read_text(path))
        except FileNotFoundError:
            problems.append(Problem(settings.snapshot, "ticker snapshot file does not exist", level="warning",
                                    hint="create it (generator ticker writes it) or remove ticker.snapshot from site.toml"))
        except (ValueError, OSError) as exc:
            problems.append(Problem(settings.snapshot, f"ticker snapshot is unreadable: {exc}", level="warning",
                                    hint=_SHAPE))
            snapshot = {}
    return ticker_from(config, snapshot, coin_urls, problems)


def ticker_from(config: SiteConfig, snapshot: object, coin_urls: dict[str, str], problems: list[Problem]) -> TickerData:
    """The ticker from a parsed snapshot, every figure checked (a bad one is left out, with a warning)."""
    settings = config.ticker

    def warn(message: str) -> None:
        problems.append(Problem(settings.snapshot, message, level="warning", hint=_SHAPE))

    if not isinstance(snapshot, dict):
        warn("ticker snapshot is unreadable: the top level must be an object")
        snapshot = {}
    as_of = None
    if snapshot.get("as_of"):
        as_of = _as_of(snapshot["as_of"])
        if as_of is None:
            warn(f"as_of {preview(snapshot['as_of'])} is not an ISO date-time; ignored")
        elif as_of.tzinfo is None:  # as article dates: without a zone, in site.toml's timezone
            as_of = as_of.replace(tzinfo=config.tz)
    figures = snapshot.get("coins", {})
    if not isinstance(figures, dict):
        warn(f"coins holds {type(figures).__name__}, not an object keyed by symbol; figures ignored")
        figures = {}
    coins = []
    for symbol in settings.coins:
        row = figures.get(symbol, {})
        if not isinstance(row, dict):
            warn(f"coins.{symbol} holds {type(row).__name__}, not an object; its figures are left out")
            row = {}
        name = clean_text(row.get("name"))[:60] or symbol
        figures_of = {}
        for key, (low, high) in _RANGES.items():
            value = row.get(key)
            figures_of[key] = figure(value, low, high)
            if value is not None and figures_of[key] is None:
                warn(f"coins.{symbol}.{key} {preview(value)} is not a number from {low:g} to {high:g}; left out")
        api_id = str(row.get("id") or "")
        coins.append(Coin(symbol=symbol, name=name, price=figures_of["price_usd"], change=figures_of["change_24h"],
                          url=coin_urls.get(symbol, ""), api_id=slugify(api_id) if api_id else slugify(name)))
    return TickerData(as_of, tuple(coins), settings.api_url, settings.refresh, settings.browser_api,
                      settings.stale_minutes)


def public_json(ticker: TickerData) -> bytes:
    """PUBLIC_FILE's bytes: the checked figures only, by symbol, and when they were taken (UTC).
    The build and `generator ticker` both make it with this, so the same snapshot gives the same bytes."""
    coins = {}
    for c in ticker.coins:
        row = {}
        if c.price is not None:
            row["price_usd"] = c.price
        if c.change is not None:
            row["change_24h"] = c.change
        coins[c.symbol] = row
    as_of = ticker.as_of.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z") \
        if ticker.as_of is not None else None
    return (json.dumps({"as_of": as_of, "coins": coins}, separators=(",", ":"), allow_nan=False) + "\n").encode()


# What a price and a 24-hour change may be: anything outside is a broken feed, not a market.
_RANGES = {"price_usd": (0, 1e12), "change_24h": (-100, 1e6)}
_SHAPE = 'expected {"as_of": "2025-07-17T09:30:00Z", "coins": {"BTC": {"name": ..., "price_usd": ..., "change_24h": ...}}}'


def _as_of(value) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if 1970 <= when.year <= 9000 else None


def clean_text(value) -> str:
    """A one-line name from the file: control characters and extra whitespace gone."""
    if not isinstance(value, str):
        return ""
    return " ".join("".join(c for c in value[:200] if c.isprintable()).split())
