"""Positions and wallets built from the matcher's trade events (one-way mode, cross).

Amounts are the risk core's fixed point (10^8). A trade moves the taker by its signed
quantity and the maker by the opposite; adding to a position averages the entry price,
reducing realises PnL into the wallet (rounded down), crossing zero opens the rest at
the trade price, and both fees leave the wallets. Each position carries the version of
the last trade that changed it, ``(EVENTS sequence << 16) | index``, which names a
liquidation uniquely. The state is a JSON document, so a risk worker can snapshot it and
rebuild from the snapshot plus the events after it. Trades also record what they changed
(``layout_version``, ``touched``, ``touched_wallets``) for a columnar view to catch up
without a rebuild; change the ledger through :meth:`apply` so that it stays true.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tpcore import book, risk
from tpcore.services.config import Markets

__all__ = ["Ledger"]

SCALE = risk.SCALE


def _scale(decimals: int, what: str) -> int:
    if decimals > 8:
        raise ValueError(f"{what} with more than 8 decimals cannot be carried at 10^8")
    return int(10 ** (8 - decimals))


@dataclass
class Ledger:
    """Wallets by account id and positions by ``(account, symbol)``."""

    markets: Markets
    wallets: dict[int, int] = field(default_factory=dict)
    #: ``(account, symbol) -> [qty, entry, version]``
    positions: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    #: The last EVENTS stream sequence applied.
    events_seq: int = 0
    #: The wallet of an account not seeded explicitly.
    default_wallet: int = 0
    #: Bumped whenever a position opens or closes (the set of rows changes).
    layout_version: int = field(default=0, compare=False)
    #: Positions resized and wallets moved by trades since a reader last cleared them.
    touched: set[tuple[int, str]] = field(default_factory=set, compare=False, repr=False)
    touched_wallets: set[int] = field(default_factory=set, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._units: dict[int, tuple[str, int, int, int]] = {}
        for market in self.markets.markets:
            inst = market.instrument()
            pd, qd = inst.price_decimals, inst.qty_decimals
            self._units[market.symbol_id] = (
                market.symbol,
                _scale(pd, "price"),
                _scale(qd, "quantity"),
                _scale(pd + qd, "fee"),
            )

    def apply(self, events: np.ndarray, stream_seq: int) -> int:
        """Applies the trades of one EVENTS message; returns how many."""
        if stream_seq <= self.events_seq:
            return 0  # already applied (a replay after a restart)
        trades = np.flatnonzero(events["kind"] == book.EventKind.TRADE)
        for index in trades.tolist():
            e = events[index]
            symbol, price_scale, qty_scale, fee_scale = self._units[int(e["symbol"])]
            price = int(e["price"]) * price_scale
            qty = int(e["qty"]) * qty_scale
            taker_qty = qty if int(e["side"]) == book.Side.BUY else -qty
            version = (stream_seq << 16) | index
            taker_fee = int(e["taker_fee"]) * fee_scale
            maker_fee = int(e["maker_fee"]) * fee_scale
            self._fill(
                int(e["account"]), symbol, taker_qty, price=price, fee=taker_fee, version=version
            )
            self._fill(
                int(e["maker_account"]), symbol, -taker_qty, price=price, fee=maker_fee,
                version=version,
            )  # fmt: skip
        self.events_seq = stream_seq
        return len(trades)

    def _fill(
        self, account: int, symbol: str, dq: int, *, price: int, fee: int, version: int
    ) -> None:
        qty, entry, _ = self.positions.get((account, symbol), [0, 0, 0])
        wallet = self.wallets.get(account, self.default_wallet) - fee
        if qty == 0 or (qty > 0) == (dq > 0):
            total = abs(qty) + abs(dq)
            entry = (abs(qty) * entry + abs(dq) * price) // total
            qty += dq
        else:
            closing = min(abs(dq), abs(qty))
            direction = 1 if qty > 0 else -1
            wallet += ((price - entry) * closing * direction) // SCALE  # rounded down
            qty += dq
            if qty == 0:
                entry = 0
            elif (qty > 0) != (direction > 0):
                entry = price  # crossed zero: the rest opens at the trade price
        self.wallets[account] = wallet
        self.touched_wallets.add(account)
        key = (account, symbol)
        if qty == 0:
            del self.positions[key]
            self.layout_version += 1
        else:
            if key not in self.positions:
                self.layout_version += 1
            self.positions[key] = [qty, entry, version]
            self.touched.add(key)

    def wallet(self, account: int) -> int:
        """The account's wallet."""
        return self.wallets.get(account, self.default_wallet)

    def state(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "events_seq": self.events_seq,
            "default_wallet": self.default_wallet,
            "wallets": {str(a): w for a, w in self.wallets.items()},
            "positions": [[a, s, *v] for (a, s), v in self.positions.items()],
        }

    @classmethod
    def from_state(cls, markets: Markets, state: dict[str, Any]) -> Ledger:
        """The ledger a :meth:`state` describes."""
        ledger = cls(markets)
        ledger.events_seq = int(state["events_seq"])
        ledger.default_wallet = int(state.get("default_wallet", 0))
        ledger.wallets = {int(a): int(w) for a, w in state["wallets"].items()}
        ledger.positions = {
            (int(a), str(s)): [int(q), int(e), int(v)] for a, s, q, e, v in state["positions"]
        }
        return ledger
