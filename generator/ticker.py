"""The price ticker's data: the coin list from site.toml, figures from the snapshot file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.config import SiteConfig
from generator.errors import Problem
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
            snapshot = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(snapshot, dict):
                raise ValueError("the top level must be an object")
            as_of = datetime.fromisoformat(str(snapshot["as_of"])) if snapshot.get("as_of") else None
        except FileNotFoundError:
            problems.append(Problem(settings.snapshot, "ticker snapshot file does not exist", level="warning",
                                    hint="create it or remove ticker.snapshot from site.toml"))
        except (ValueError, OSError) as exc:
            problems.append(Problem(settings.snapshot, f"ticker snapshot is unreadable: {exc}", level="warning",
                                    hint='expected {"as_of": "...", "coins": {"BTC": {"name": ..., "price_usd": ..., "change_24h": ...}}}'))
            snapshot = {}
    figures = snapshot.get("coins", {}) if isinstance(snapshot.get("coins", {}), dict) else {}
    coins = []
    for symbol in settings.coins:
        row = figures.get(symbol, {}) if isinstance(figures.get(symbol, {}), dict) else {}
        name = str(row.get("name") or symbol)
        coins.append(Coin(symbol=symbol, name=name, price=_number(row.get("price_usd")),
                          change=_number(row.get("change_24h")), url=coin_urls.get(symbol, ""),
                          api_id=str(row.get("id") or slugify(name))))
    return TickerData(as_of, tuple(coins), settings.api_url, settings.refresh and bool(settings.api_url))


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
