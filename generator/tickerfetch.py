"""`generator ticker`: fetch the prices server-side and write them where the site reads them.

It asks the price API (site.toml [ticker] api_url, CoinGecko's simple/price format) once, with a
time limit for the whole exchange, and checks every figure. Only when all of it is good does it
write, under the build lock and each by a temporary file renamed into place: the snapshot the
build reads (ticker.snapshot) and the built site's data/ticker.json, which browsers re-read (into
an output folder of its own when there is no build yet, as on a CI runner that uploads that one
file). No page is rebuilt. Both files hold what the next build would make from that snapshot, byte for byte,
and the build's manifest is told about the new data/ticker.json, so that build keeps it as its own.
On any failure both files stay as they were and the command exits 1 with one line saying why.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

from generator import __version__
from generator.config import SiteConfig, load_config
from generator.datafiles import DataFileError, figure, load_json, read_text
from generator.errors import ConfigError, Problem, preview, shown_path
from generator.lock import DEFAULT_WAIT, BuildLock
from generator.output import MARKER, check_output_folder, digest, marker_text, real_output, stat_token
from generator.ticker import _RANGES, PUBLIC_FILE, Coin, load_ticker, public_json, ticker_from

MAX_ANSWER = 2 * 1024 * 1024  # bytes: a price list for a ticker is a few kB


class RefreshFailed(Exception):
    """Why the prices were not refreshed (one line); nothing was written."""


@dataclass(frozen=True)
class Refreshed:
    snapshot: Path
    public: Path | None  # None: no built site to put it in yet, or the site does not publish it
    as_of: str
    url: str  # what was asked
    notes: tuple[str, ...]  # figures left out (a missing 24-hour change), for the log


def price_url(api_url: str, coins: tuple[Coin, ...]) -> str:
    """The URL asked: api_url, with the coins' ids appended when it ends in '=' or ','."""
    if api_url.endswith(("=", ",")):
        return api_url + ",".join(quote(c.api_id, safe="") for c in coins)
    return api_url


def fetch(url: str, timeout: float) -> bytes:
    """The answer's body; RefreshFailed on a network or HTTP error, an answer too big, or no complete
    answer within `timeout` seconds in all (name lookup, connect and a slow trickle included)."""
    outcome: dict = {}

    def ask() -> None:
        request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                       "User-Agent": f"blockline-generator/{__version__}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                body = answer.read(MAX_ANSWER + 1)
            outcome["body"] = body
        except urllib.error.HTTPError as exc:
            outcome["error"] = f"HTTP {exc.code} {exc.reason}".strip()
        except urllib.error.URLError as exc:
            outcome["error"] = f"cannot reach it: {getattr(exc.reason, 'strerror', None) or exc.reason}"
        except TimeoutError:
            outcome["error"] = f"no answer within {timeout:g} s"
        except (OSError, ValueError) as exc:  # a dropped connection, a malformed HTTP answer
            outcome["error"] = f"the connection failed: {type(exc).__name__}: {exc}"

    worker = threading.Thread(target=ask, name="ticker-fetch", daemon=True)  # abandoned if it overruns
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise RefreshFailed(f"no complete answer within {timeout:g} s")
    if "error" in outcome:
        raise RefreshFailed(outcome["error"])
    body = outcome["body"]
    if len(body) > MAX_ANSWER:
        raise RefreshFailed(f"the answer is larger than {MAX_ANSWER // (1024 * 1024)} MB; not a price list")
    return body


def prices_from(body: bytes, coins: tuple[Coin, ...]) -> tuple[dict[str, dict], list[str]]:
    """symbol -> {"price_usd", "change_24h"?} for every coin, from a simple/price answer, and notes
    on changes left out. RefreshFailed when the answer is not JSON or any coin has no usable price:
    keeping an old price under a new time would tell readers a price that is not the market's."""
    try:
        data = load_json(body.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RefreshFailed("the answer is not UTF-8 text") from None
    except DataFileError as exc:
        raise RefreshFailed(f"the answer is {exc}") from None
    if not isinstance(data, dict):
        raise RefreshFailed(f"the answer is a JSON {type(data).__name__}, not an object keyed by coin id")
    out: dict[str, dict] = {}
    bad: list[str] = []
    notes: list[str] = []
    low, high = _RANGES["price_usd"]
    for coin in coins:
        row = data.get(coin.api_id)
        if not isinstance(row, dict) or "usd" not in row:
            bad.append(f"{coin.symbol} (id {coin.api_id!r}) is missing")
            continue
        price = figure(row["usd"], low, high)
        if price is None or price <= 0:
            bad.append(f"{coin.symbol} usd {preview(row['usd'])} is not a number above 0 and up to {high:g}")
            continue
        out[coin.symbol] = {"price_usd": price}
        change = figure(row.get("usd_24h_change"), *_RANGES["change_24h"])
        if change is None:
            notes.append(f"{coin.symbol}: 24-hour change {preview(row.get('usd_24h_change'))} left out")
        else:
            out[coin.symbol]["change_24h"] = change
    if bad:
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        raise RefreshFailed(f"{len(bad)} of {len(coins)} coins have no usable price: " + "; ".join(bad[:3]) + more)
    return out, notes


def new_snapshot(config: SiteConfig, coins: tuple[Coin, ...], prices: dict[str, dict], as_of: str) -> bytes:
    """The snapshot file: names and ids as before, the new figures, the time they were taken."""
    rows = {}
    for coin in coins:
        rows[coin.symbol] = {"name": coin.name, **prices[coin.symbol], "id": coin.api_id}
    source = urlsplit(config.ticker.api_url).netloc
    return (json.dumps({"as_of": as_of, "source": source, "coins": rows}, indent=2, ensure_ascii=False,
                       allow_nan=False) + "\n").encode()


def refresh(site_dir: Path, output: Path | None, lock_wait: float, timeout: float | None = None,
            quiet: bool = False, now: datetime | None = None) -> Refreshed:
    """Fetch, check, then write both files (see the module's docstring); RefreshFailed or
    ConfigError (a usage problem) leave every file as it was."""
    config = load_config(site_dir)
    settings = config.ticker
    if not settings.coins:
        raise ConfigError(f"{site_dir / 'site.toml'}: error: [ticker] coins is empty; there are no prices to fetch\n"
                          '  hint: list the coins\' symbols, e.g. coins = ["BTC", "ETH"]')
    if not settings.snapshot or not settings.api_url:
        missing = "snapshot" if not settings.snapshot else "api_url"
        raise ConfigError(f"{site_dir / 'site.toml'}: error: [ticker] {missing} is not set; generator ticker "
                          "needs api_url (where to ask) and snapshot (where to keep the answer)\n"
                          "  hint: see the README, 'The price ticker'")
    out_dir = output if output is not None else site_dir / config.output
    live = real_output(out_dir)
    _check_output(site_dir, live)
    problems: list[Problem] = []
    previous = load_ticker(config, site_dir, {}, problems)  # the coins' names and API ids
    url = price_url(settings.api_url, previous.coins)
    body = fetch(url, timeout if timeout is not None else settings.timeout)
    prices, notes = prices_from(body, previous.coins)
    when = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    as_of = when.isoformat().replace("+00:00", "Z")
    snapshot_bytes = new_snapshot(config, previous.coins, prices, as_of)
    # the build's own reading of that snapshot makes the public file: the next build makes the same bytes
    checked: list[Problem] = []
    ticker = ticker_from(config, load_json(snapshot_bytes.decode()), {}, checked)
    if checked:  # cannot happen for figures checked above; never write what the build would warn about
        raise RefreshFailed(f"the new snapshot does not read back: {checked[0].message}")
    public_bytes = public_json(ticker) if ticker.public_file else None

    snapshot_path = Path(os.path.realpath(site_dir / settings.snapshot))  # a linked snapshot stays linked
    with BuildLock(site_dir, lock_wait, quiet):
        _check_output(site_dir, live)  # again: a build may have run meanwhile
        files = [(snapshot_path, snapshot_bytes)]
        if public_bytes is not None:
            if not (live / MARKER).is_file():  # no build yet: an output folder of ours, holding just the file
                files.append((live / MARKER, marker_text(config.base_url)))
            files.append((live / PUBLIC_FILE, public_bytes))
        staged: list[tuple[str, Path]] = []
        try:
            for final, data in files:
                staged.append((_stage(final, data), final))
        except OSError:
            for temp, _ in staged:
                os.unlink(temp)
            raise
        for temp, final in staged:
            os.replace(temp, final)
        if public_bytes is not None:
            _tell_manifest(site_dir, public_bytes, live / PUBLIC_FILE)
    return Refreshed(site_dir / settings.snapshot, live / PUBLIC_FILE if public_bytes is not None else None,
                     as_of, url, tuple(notes))


def _check_output(site_dir: Path, live: Path) -> None:
    """As a build checks it: never a folder that holds sources or that this generator did not make."""
    try:
        check_output_folder(site_dir, live, force=False)
    except ConfigError as exc:  # build's hint offers --force, which this command does not take
        first = str(exc).split("\n", 1)[0]
        raise ConfigError(f"{first}\n  hint: build the site into it first (generator build --force), or pass "
                          "--output DIR") from None


def _stage(final: Path, data: bytes) -> str:
    """A temporary file beside `final` holding data, flushed to disk, ready to be renamed over it."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, 0o644)
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def _tell_manifest(site_dir: Path, data: bytes, path: Path) -> None:
    """Record the new data/ticker.json in the last build's manifest (its bytes and its stat token), as
    the build records its own files: the next build keeps it instead of writing it again."""
    from generator.cache import CACHE_DIR, Cache

    if not (site_dir / CACHE_DIR / "build.sqlite").is_file():
        return
    cache = Cache.for_site(site_dir)
    try:
        entry = cache.manifest().get(PUBLIC_FILE)
        if entry is not None:
            cache.set_manifest({PUBLIC_FILE: (entry[0], digest(data), stat_token(os.stat(path)))}, {PUBLIC_FILE: entry})
            cache.commit()
    finally:
        cache.close()


def cmd_ticker(args) -> int:
    """The `ticker` verb: exit 0 refreshed, 1 the refresh failed (nothing written), 2 usage."""
    wait = DEFAULT_WAIT if args.lock_wait is None else args.lock_wait
    if not wait >= 0:
        raise ConfigError(f"error: --lock-wait must be a number of seconds, 0 or more, got {args.lock_wait}")
    if args.timeout is not None and not 1 <= args.timeout <= 120:
        raise ConfigError(f"error: --timeout must be a number of seconds from 1 to 120, got {args.timeout}")
    if not (args.source / "site.toml").is_file():
        raise ConfigError(f"{args.source / 'site.toml'}: error: no site.toml here\n  hint: pass --source DIR")
    started = time.monotonic()
    config_snapshot = _snapshot_name(args.source)
    try:
        done = refresh(args.source, args.output, wait, args.timeout, args.quiet)
    except (RefreshFailed, OSError) as exc:
        reason = str(exc) if isinstance(exc, RefreshFailed) else \
            f"cannot write {shown_path(str(exc.filename or ''))}: {exc.strerror or exc}"
        print(f"{config_snapshot}: error: prices not refreshed: {reason}; the snapshot and data/ticker.json were "
              "left as they were", file=sys.stderr)
        return 1
    if args.verbose:
        print(f"ticker: asked {done.url}", file=sys.stderr)
    if not args.quiet:
        for note in done.notes:
            print(f"note: {note}", file=sys.stderr)
        wrote = shown_path(str(done.snapshot))
        if done.public is not None:
            wrote += f" and {shown_path(str(done.public))}"
        else:
            wrote += " (this site does not publish data/ticker.json: [ticker] refresh is off or browser_api on)"
        print(f"ticker: prices as of {done.as_of} written to {wrote} in {time.monotonic() - started:.2f} s; "
              "no page rebuilt", file=sys.stderr)
    return 0


def _snapshot_name(site_dir: Path) -> str:
    """The snapshot's path for messages (ticker.snapshot, or site.toml when it is not readable yet)."""
    try:
        import tomllib
        value = tomllib.loads(read_text(site_dir / "site.toml")).get("ticker", {}).get("snapshot")
    except (OSError, ValueError, AttributeError):
        value = None
    return shown_path(str(site_dir / value)) if isinstance(value, str) and value else shown_path(str(site_dir / "site.toml"))
