"""A realistic order flow for load tests: adds near the touch, cancels, marketable orders.

Per symbol the flow keeps a drifting mid price and the ids of its recent orders. Each
generated command is, by the given mix, a passive limit order a few ticks behind the mid,
a cancel of one of the recent orders, or a marketable order (an IOC limit a few ticks
through the mid, or a market order). Generation is vectorised: one numpy call per chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tpcore import book
from tpcore.services.config import Market, Markets

__all__ = ["FlowMix", "OrderFlow"]


@dataclass(frozen=True)
class FlowMix:
    """Shares of each kind of command (normalised)."""

    passive: float = 0.60
    cancel: float = 0.25
    marketable: float = 0.15


class _SymbolState:
    """The mid and recent order ids of one symbol."""

    def __init__(self, market: Market) -> None:
        inst = market.instrument()
        self.symbol_id = market.symbol_id
        self.tick = inst.tick_size
        self.lot = inst.lot_size
        self.reference = book.price_units(inst, market.reference_price)
        self.mid = self.reference
        self.recent = np.zeros(4096, dtype=np.uint64)
        self.recent_accounts = np.zeros(4096, dtype=np.uint64)
        self.filled = 0


class OrderFlow:
    """Generates command arrays; order ids are unique across symbols and chunks."""

    def __init__(
        self,
        markets: Markets,
        symbols: list[str],
        *,
        mix: FlowMix | None = None,
        accounts: int = 1000,
        seed: int = 7,
        first_order_id: int = 1,
    ) -> None:
        self.rng = np.random.default_rng(seed)
        self.states = [_SymbolState(markets.by_symbol(s)) for s in symbols]
        mix = mix or FlowMix()
        total = mix.passive + mix.cancel + mix.marketable
        self.cuts = np.cumsum([mix.passive / total, mix.cancel / total])
        self.accounts = accounts
        self.next_id = first_order_id

    def chunk(self, n: int, symbol_index: int) -> np.ndarray:
        """``n`` commands for one symbol."""
        state = self.states[symbol_index]
        rng = self.rng
        out = book.commands(n)
        ids = np.arange(self.next_id, self.next_id + n, dtype=np.uint64)
        self.next_id += n
        draw = rng.random(n)
        kind = np.searchsorted(self.cuts, draw, side="right")  # 0 passive, 1 cancel, 2 take
        if state.filled == 0:
            kind[kind == 1] = 0  # nothing to cancel yet
        side = rng.integers(1, 3, n).astype(np.uint8)
        buy = side == book.Side.BUY
        # A mean-reverting walk: the mid wanders a few ticks around the reference.
        pull = round((state.reference - state.mid) / state.tick / 8)
        state.mid += (int(rng.integers(-2, 3)) + pull) * state.tick
        offset = rng.integers(1, 12, n) * state.tick
        passive_price = np.where(buy, state.mid - offset, state.mid + offset)
        take_price = np.where(buy, state.mid + 4 * state.tick, state.mid - 4 * state.tick)
        out["symbol"] = state.symbol_id
        out["order_id"] = ids
        out["account"] = rng.integers(1, self.accounts + 1, n).astype(np.uint64)
        out["side"] = side
        out["qty"] = rng.integers(1, 20, n) * state.lot
        out["kind"] = book.CommandKind.SUBMIT
        out["order_type"] = book.OrderType.LIMIT
        out["tif"] = np.where(kind == 2, book.TimeInForce.IOC, book.TimeInForce.GTC)
        out["price"] = np.where(kind == 2, take_price, passive_price)
        cancel = kind == 1
        if cancel.any():
            pick = rng.integers(0, min(state.filled, len(state.recent)), int(cancel.sum()))
            out["kind"][cancel] = book.CommandKind.CANCEL
            out["order_id"][cancel] = state.recent[pick]
            out["account"][cancel] = state.recent_accounts[pick]
        rest = ~cancel
        placed, placed_accounts = out["order_id"][rest], out["account"][rest]
        slots = (np.arange(len(placed)) + state.filled) % len(state.recent)
        state.recent[slots] = placed
        state.recent_accounts[slots] = placed_accounts
        state.filled += len(placed)
        return out
