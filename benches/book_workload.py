"""Order-flow workloads for the matching benchmarks, as command arrays and tuples.

``exchange_core`` rebuilds the mix exchange-core publishes its figures on: 82% moves
(amends to a new price near the touch), 9% GTC adds, 6% cancels and 3% IOC takers, on a
book held near 1,000 resting orders over about 750 price levels. ``heavy`` matches more:
60% adds near the touch, 25% cancels, 15% marketable IOC orders.

Generation runs the flow through a tpcore engine once to learn which orders are still
live, so amends and cancels target live orders (rejects would flatter both books). Every
order has its own account, so self-trade prevention never fires and the pure-Python
peer, which has none, sees the same trades.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from tpcore import book

__all__ = ["SYMBOL", "Workload", "generate", "instrument"]

MID = 1_000_000
SYMBOL = 1
SUBMIT, CANCEL, AMEND = book.CommandKind.SUBMIT, book.CommandKind.CANCEL, book.CommandKind.AMEND
GTC, IOC = book.TimeInForce.GTC, book.TimeInForce.IOC

# (kind, order_id, side, price, qty, tif)
Row = tuple[int, int, int, int, int, int]


@dataclass(frozen=True)
class Workload:
    """A pre-fill and a measured stream of commands for one book."""

    name: str
    prefill: np.ndarray
    stream: np.ndarray

    def tuples(self, which: str) -> list[Row]:
        """Commands as ``(kind, order_id, side, price, qty, tif)`` tuples for the peer."""
        rows = self.prefill if which == "prefill" else self.stream
        columns = ("kind", "order_id", "side", "price", "qty", "tif")
        return list(zip(*(rows[c].tolist() for c in columns), strict=True))


def instrument() -> book.Instrument:
    """The benchmark instrument: unit tick and lot, a band wide enough for every price."""
    return book.Instrument(SYMBOL, "BENCH", band_bps=5_000)


class _Flow:
    """Generates commands and follows which orders stay live."""

    def __init__(self, seed: int, spread: int) -> None:
        self.rng = random.Random(seed)
        self.spread = spread
        self.engine = book.Engine()
        self.engine.add_book(instrument())
        self.live: list[int] = []
        self.where: dict[int, int] = {}
        self.sides: dict[int, int] = {}
        self.next_id = 1
        self.rows: list[Row] = []

    def forget(self, order_id: int) -> None:
        i = self.where.pop(order_id, None)
        if i is not None:
            last = self.live.pop()
            if last != order_id:
                self.live[i] = last
                self.where[last] = i

    def run(self, row: Row) -> None:
        self.rows.append(row)
        kind, order_id, side, price, qty, tif = row
        if kind == SUBMIT:
            side_name = "buy" if side == book.Side.BUY else "sell"
            events = self.engine.submit(
                SYMBOL,
                order_id,
                order_id,
                side_name,
                qty,
                price,
                tif="gtc" if tif == GTC else "ioc",
            )
            self.sides[order_id] = side
        elif kind == CANCEL:
            events = self.engine.cancel(SYMBOL, order_id, order_id)
        else:
            events = self.engine.amend(SYMBOL, order_id, order_id, price, qty)
        alive = kind != CANCEL and tif != IOC
        for event in events:
            if event.kind == "trade":
                if event.maker_leaves == 0:
                    self.forget(event.maker_order_id)
                alive = alive and event.leaves > 0
            elif event.kind in {"cancelled", "rejected"} and event.order_id == order_id:
                alive = False
        if not alive:
            self.forget(order_id)
        elif order_id not in self.where:
            self.where[order_id] = len(self.live)
            self.live.append(order_id)

    def passive_price(self, side: int) -> int:
        offset = int(self.rng.expovariate(2 / self.spread)) % self.spread + 1
        return MID - offset if side == book.Side.BUY else MID + offset

    def add(self, tif: int, *, aggressive: bool) -> None:
        side = self.rng.choice((book.Side.BUY, book.Side.SELL))
        price = self.passive_price(side)
        if aggressive:
            price = MID + self.spread if side == book.Side.BUY else MID - self.spread
        self.run((SUBMIT, self.next_id, side, price, self.rng.randint(1, 10), tif))
        self.next_id += 1

    def move(self) -> None:
        order_id = self.rng.choice(self.live)
        side = self.sides[order_id]
        self.run((AMEND, order_id, side, self.passive_price(side), self.rng.randint(1, 10), 0))

    def cancel(self) -> None:
        self.run((CANCEL, self.rng.choice(self.live), 0, 0, 0, 0))

    def step(self, name: str) -> None:
        r = self.rng.random()
        if name == "exchange_core":
            if r < 0.82 and self.live:
                self.move()
            elif r < 0.91 or not self.live:
                self.add(GTC, aggressive=False)
            elif r < 0.97:
                self.cancel()
            else:
                self.add(IOC, aggressive=True)
        elif name == "heavy":
            if r < 0.60 or not self.live:
                self.add(GTC, aggressive=False)
            elif r < 0.85:
                self.cancel()
            else:
                self.add(IOC, aggressive=True)
        else:
            raise ValueError(f"unknown workload {name!r}")


def _array(rows: list[Row]) -> np.ndarray:
    array = book.commands(len(rows))
    fields = np.array(rows, dtype=np.int64).reshape(len(rows), 6)
    array["seq"] = np.arange(1, len(rows) + 1)
    array["symbol"] = SYMBOL
    for column, name in enumerate(("kind", "order_id", "side", "price", "qty", "tif")):
        array[name] = fields[:, column]
    array["account"] = array["order_id"]
    array["order_type"] = np.where(array["kind"] == SUBMIT, book.OrderType.LIMIT, 0)
    return array


def generate(
    name: str, n: int, *, resting: int = 1_000, spread: int = 800, seed: int = 7
) -> Workload:
    """``n`` commands of workload ``name`` (``"exchange_core"`` or ``"heavy"``)."""
    flow = _Flow(seed, spread)
    while len(flow.live) < resting:
        flow.add(GTC, aggressive=False)
    prefill = len(flow.rows)
    while len(flow.rows) - prefill < n:
        flow.step(name)
    array = _array(flow.rows)
    return Workload(name, array[:prefill].copy(), array[prefill:].copy())
