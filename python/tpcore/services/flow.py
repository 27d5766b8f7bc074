"""A realistic order flow for load tests: adds near the touch, cancels, marketable orders.

Per symbol the flow keeps a drifting mid price and its outstanding passive orders. Each
generated command is, by the given mix, a passive limit order a few ticks behind the mid, a
cancel of an outstanding passive order, or a marketable order (an IOC limit a few ticks
through the mid). The book stays near a steady size, as a real one does: once ``depth``
passive orders are outstanding, passive adds give way to cancels, so a long run neither
grows the book (and its snapshots) without bound nor thins it out. Generation is
vectorised: a few numpy calls per chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tpcore import book
from tpcore.services.config import Market, Markets

__all__ = ["FlowMix", "OrderFlow"]

#: Commands between two steps of a symbol's mid.
WALK_STEP = 64


@dataclass(frozen=True)
class FlowMix:
    """Shares of each kind of command (normalised)."""

    passive: float = 0.60
    cancel: float = 0.25
    marketable: float = 0.15


class _SymbolState:
    """The mid of one symbol and its outstanding passive orders (a ring: ``head`` is the
    count ever removed, ``tail`` the count ever added)."""

    def __init__(self, market: Market, depth: int) -> None:
        inst = market.instrument()
        self.symbol_id = market.symbol_id
        self.tick = inst.tick_size
        self.lot = inst.lot_size
        self.reference = book.price_units(inst, market.reference_price)
        self.mid = self.reference
        # At most ``depth`` outstanding before a piece and half a depth added in it.
        self.ids = np.zeros(2 * depth, dtype=np.uint64)
        self.accounts = np.zeros(2 * depth, dtype=np.uint64)
        self.head = 0
        self.tail = 0

    @property
    def outstanding(self) -> int:
        return self.tail - self.head

    def take(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """The ids and accounts of ``n`` outstanding orders drawn at random, removed:
        they are swapped to the front of the ring and the front is dropped."""
        size = len(self.ids)
        drawn = (self.head + rng.choice(self.outstanding, n, replace=False)) % size
        front = np.arange(self.head, self.head + n) % size
        # Drawn slots inside the front keep their place; the rest take a front entry that
        # was not drawn.
        vacated = front[~np.isin(front, drawn)]
        refilled = drawn[~np.isin(drawn, front)]
        for column in (self.ids, self.accounts):
            picked = column[drawn]
            column[refilled] = column[vacated]
            column[front] = picked
        self.head += n
        return self.ids[front], self.accounts[front]

    def push(self, ids: np.ndarray, accounts: np.ndarray) -> None:
        slots = np.arange(self.tail, self.tail + len(ids)) % len(self.ids)
        self.ids[slots] = ids
        self.accounts[slots] = accounts
        self.tail += len(ids)


class OrderFlow:
    """Generates command arrays; order ids are unique across symbols and chunks.

    ``depth`` is the number of passive orders per symbol the flow keeps outstanding at
    most (some of them filled meanwhile), so the resting book stays at or below it."""

    def __init__(
        self,
        markets: Markets,
        symbols: list[str],
        *,
        mix: FlowMix | None = None,
        accounts: int = 1000,
        seed: int = 7,
        first_order_id: int = 1,
        depth: int = 2_000,
    ) -> None:
        if depth < 1:
            raise ValueError("depth must be at least 1")
        self.rng = np.random.default_rng(seed)
        self.states = [_SymbolState(markets.by_symbol(s), depth) for s in symbols]
        mix = mix or FlowMix()
        total = mix.passive + mix.cancel + mix.marketable
        self.cuts = np.cumsum([mix.passive / total, mix.cancel / total])
        self.accounts = accounts
        self.depth = depth
        self.next_id = first_order_id

    def chunk(self, n: int, symbol_index: int) -> np.ndarray:
        """``n`` commands for one symbol."""
        piece = max(1, self.depth // 2)
        if n <= piece:
            return self._piece(n, self.states[symbol_index])
        parts = [
            self._piece(min(piece, n - low), self.states[symbol_index])
            for low in range(0, n, piece)
        ]
        return np.concatenate(parts)

    def _piece(self, n: int, state: _SymbolState) -> np.ndarray:
        """``n`` commands, balanced against the outstanding orders before them."""
        rng = self.rng
        out = book.commands(n)
        ids = np.arange(self.next_id, self.next_id + n, dtype=np.uint64)
        self.next_id += n
        # 0 passive, 1 cancel, 2 marketable
        kind = np.searchsorted(self.cuts, rng.random(n), side="right")
        self._balance(kind, state)
        side = rng.integers(1, 3, n).astype(np.uint8)
        buy = side == book.Side.BUY
        mid = self._walk(n, state)
        offset = rng.integers(1, 12, n) * state.tick
        passive_price = np.where(buy, mid - offset, mid + offset)
        take_price = np.where(buy, mid + 4 * state.tick, mid - 4 * state.tick)
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
            out["kind"][cancel] = book.CommandKind.CANCEL
            out["order_id"][cancel], out["account"][cancel] = state.take(int(cancel.sum()), rng)
        passive = kind == 0
        state.push(out["order_id"][passive], out["account"][passive])
        return out

    def _walk(self, n: int, state: _SymbolState) -> np.ndarray:
        """The mid at each of ``n`` commands: a mean-reverting walk that steps a few ticks
        every :data:`WALK_STEP` commands, wandering around the reference."""
        steps = -(-n // WALK_STEP)
        moves = self.rng.integers(-2, 3, steps)
        mids = np.empty(steps, dtype=np.int64)
        for k in range(steps):
            pull = round((state.reference - state.mid) / state.tick / 8)
            state.mid += (int(moves[k]) + pull) * state.tick
            mids[k] = state.mid
        return np.repeat(mids, WALK_STEP)[:n]

    def _balance(self, kind: np.ndarray, state: _SymbolState) -> None:
        """Turns cancels into passive adds while too few orders are outstanding to cancel,
        and passive adds into cancels while too many would be, so that the
        outstanding count ends the chunk within ``depth``. Cancels always refer to orders
        placed in earlier chunks."""
        cancels = np.flatnonzero(kind == 1)
        excess = len(cancels) - state.outstanding
        if excess > 0:
            kind[cancels[len(cancels) - excess :]] = 0
        passive = np.flatnonzero(kind == 0)
        after = state.outstanding + len(passive) - int(np.count_nonzero(kind == 1))
        # Each passive add turned into a cancel lowers the count by two; cancels are
        # bounded by what was outstanding before the chunk.
        room = state.outstanding - int(np.count_nonzero(kind == 1))
        turn = min(max(0, -(-(after - self.depth) // 2)), len(passive), room)
        if turn > 0:
            kind[passive[len(passive) - turn :]] = 1
