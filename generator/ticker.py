"""The price ticker's data: the coin list from site.toml, figures from the snapshot file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
    refresh: bool

    def by_symbol(self, symbol: str) -> Coin | None:
        return next((c for c in self.coins if c.symbol == symbol), None)


def load_ticker(config: SiteConfig, site_dir: Path, coin_urls: dict[str, str], problems: list[Problem]) -> TickerData:
    """Read the snapshot; a missing or broken one leaves the figures empty ('—'), with a warning."""
    settings = config.ticker
    snapshot: dict = {}
    as_of = None
    if settings.snapshot:
        path = site_dir / settings.snapshot
        try:
            snapshot = load_json(read_text(path))
            if not isinstance(snapshot, dict):
                raise ValueError("the top level must be an object")
        except FileNotFoundError:
            problems.append(Problem(settings.snapshot, "ticker snapshot file does not exist", level="warning",
                                    hint="create it or remove ticker.snapshot from site.toml"))
        except (ValueError, OSError) as exc:
            problems.append(Problem(settings.snapshot, f"ticker snapshot is unreadable: {exc}", level="warning",
                                    hint=_SHAPE))
            snapshot = {}

    def warn(message: str) -> None:
        problems.append(Problem(settings.snapshot, message, level="warning", hint=_SHAPE))

    if snapshot.get("as_of"):
        as_of = _as_of(snapshot["as_of"])
        if as_of is None:
            warn(f"as_of {preview(snapshot['as_of'])} is not an ISO date-time; ignored")
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
    return TickerData(as_of, tuple(coins), settings.api_url, settings.refresh and bool(settings.api_url))


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
