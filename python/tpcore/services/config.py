"""Settings of the fleet: how to reach NATS, and the markets the matchers serve.

:class:`BusSettings` holds connection and stream options; :class:`Markets` the
instruments (tick and lot sizes as decimals, converted by :func:`tpcore.book.instrument`)
and the fee tiers, loaded from a JSON file or the built-in demo markets.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tpcore import book
from tpcore.services.naming import validate_symbol

__all__ = ["DEMO_MARKETS", "BusSettings", "Market", "Markets"]


@dataclass(frozen=True)
class BusSettings:
    """How to reach NATS and how the streams are laid out.

    Credentials: ``user``/``password``, a ``creds`` file (JWT + nkey seed) or an
    ``nkey`` seed file. The password may come from the environment variable named by
    ``password_env`` so it never sits on a command line.
    """

    servers: tuple[str, ...] = ("nats://127.0.0.1:4222",)
    name: str = "tpcore"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    password_env: str | None = None
    creds: str | None = None
    nkey: str | None = None
    tls_ca: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    #: Prefix of this connection's reply inboxes (``_INBOX.<user>``), so a user's
    #: subscribe permission can be limited to its own replies.
    inbox_prefix: str | None = None
    #: Seconds: every request (stream info, fetch, publish ack) has this deadline.
    request_timeout: float = 5.0
    connect_timeout: float = 2.0
    #: Reconnect back-off: the wait between attempts (nats-py adds jitter).
    reconnect_wait: float = 0.5
    #: JetStream de-duplication window of ORDERS and EVENTS, seconds.
    dedup_window: float = 120.0
    replicas: int = 1
    #: Seconds a matcher's ownership lease lives without renewal (the lease bucket's max
    #: age); a crashed owner's symbols move after at most this long.
    lease_ttl: float = 5.0
    #: Create or update the streams and buckets (an operator's job; workers with
    #: restricted permissions set this to False and expect them to exist).
    manage_streams: bool = True

    def resolved_password(self) -> str | None:
        """The password, from the settings or the named environment variable."""
        if self.password is not None:
            return self.password
        if self.password_env:
            return os.environ.get(self.password_env)
        return None


@dataclass(frozen=True)
class Market:
    """One instrument as configured: decimals in, integer units in the core."""

    symbol_id: int
    symbol: str
    tick_size: str
    lot_size: str
    #: A typical price, used by the load generator to place orders near the touch.
    reference_price: str
    band_bps: int = 500

    def instrument(self) -> book.Instrument:
        """The core instrument."""
        return book.instrument(
            self.symbol_id,
            validate_symbol(self.symbol),
            tick_size=self.tick_size,
            lot_size=self.lot_size,
            band_bps=self.band_bps,
        )


@dataclass(frozen=True)
class Markets:
    """The instruments a fleet serves and the fee tiers (millionths of notional)."""

    markets: tuple[Market, ...]
    fee_tiers: tuple[tuple[int, int], ...] = ((100, 500),)

    def __post_init__(self) -> None:
        ids = [m.symbol_id for m in self.markets]
        names = [m.symbol for m in self.markets]
        if len(set(ids)) != len(ids) or len(set(names)) != len(names):
            raise ValueError("market symbols and ids must be unique")

    def by_symbol(self, symbol: str) -> Market:
        """The market named ``symbol``."""
        for market in self.markets:
            if market.symbol == symbol:
                return market
        known = ", ".join(m.symbol for m in self.markets)
        raise KeyError(f"unknown symbol {symbol!r} (configured: {known})")

    def by_id(self, symbol_id: int) -> Market:
        """The market with id ``symbol_id``."""
        for market in self.markets:
            if market.symbol_id == symbol_id:
                return market
        raise KeyError(f"unknown symbol id {symbol_id}")

    @property
    def symbols(self) -> list[str]:
        """The symbol names, in configuration order."""
        return [m.symbol for m in self.markets]

    def engine(self, symbol: str) -> book.Engine:
        """A fresh engine holding the one book of ``symbol``."""
        engine = book.Engine(list(self.fee_tiers))
        engine.add_book(self.by_symbol(symbol).instrument())
        return engine

    @classmethod
    def load(cls, path: str | Path) -> Markets:
        """Markets from a JSON file: ``{"fee_tiers": [[maker, taker]], "markets": [...]}``."""
        data: dict[str, Any] = json.loads(Path(path).read_text())
        markets = tuple(
            Market(
                symbol_id=int(m["symbol_id"]),
                symbol=str(m["symbol"]),
                tick_size=str(Decimal(str(m["tick_size"]))),
                lot_size=str(Decimal(str(m["lot_size"]))),
                reference_price=str(m["reference_price"]),
                band_bps=int(m.get("band_bps", 500)),
            )
            for m in data["markets"]
        )
        tiers = tuple((int(a), int(b)) for a, b in data.get("fee_tiers", [[100, 500]]))
        return cls(markets, tiers)


#: The markets of the demo and of a fleet started without a markets file.
DEMO_MARKETS = Markets(
    (
        Market(1, "BTC-USDT", tick_size="0.1", lot_size="0.001", reference_price="64000"),
        Market(2, "ETH-USDT", tick_size="0.01", lot_size="0.01", reference_price="3200"),
        Market(3, "SOL-USDT", tick_size="0.001", lot_size="0.1", reference_price="150"),
    )
)
