"""A pure-Python order book on sortedcontainers: the peer of the matching benchmarks.

It is what a Python service would write without tpcore: a ``SortedDict`` of price levels
per side, a ``deque`` of orders per level, a dict from id to order. It supports the
commands the benchmark workloads use (GTC and IOC limit orders, cancel, amend) with
price-time priority and trades at the maker's price, and emits one tuple per event, so
tests can check it agrees with the engine on those commands.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from sortedcontainers import SortedDict

__all__ = ["PyBook", "PyOrder"]

BUY, SELL = 1, 2


@dataclass(slots=True)
class PyOrder:
    """A resting order."""

    order_id: int
    side: int
    price: int
    qty: int


# (kind, order_id, price, qty, leaves, maker_order_id)
EventTuple = tuple[str, int, int, int, int, int]


class PyBook:
    """One instrument's book."""

    def __init__(self) -> None:
        # Bids keyed by -price so both sides iterate best first.
        self.bids: SortedDict = SortedDict()
        self.asks: SortedDict = SortedDict()
        self.orders: dict[int, PyOrder] = {}

    def _levels(self, side: int) -> SortedDict:
        return self.bids if side == BUY else self.asks

    def submit(self, order_id: int, side: int, price: int, qty: int, ioc: bool) -> list[EventTuple]:
        """A limit order; GTC rests its remainder, IOC cancels it."""
        if qty <= 0 or price <= 0 or order_id in self.orders:
            return [("rejected", order_id, price, qty, 0, 0)]
        events: list[EventTuple] = [("accepted", order_id, price, qty, qty, 0)]
        self._enter(PyOrder(order_id, side, price, qty), ioc, events)
        return events

    def _enter(self, order: PyOrder, ioc: bool, events: list[EventTuple]) -> None:
        opposite = self.asks if order.side == BUY else self.bids
        while order.qty and opposite:
            key, queue = opposite.peekitem(0)
            level_price = key if order.side == BUY else -key
            if (order.side == BUY and level_price > order.price) or (
                order.side == SELL and level_price < order.price
            ):
                break
            while order.qty and queue:
                maker = queue[0]
                traded = min(order.qty, maker.qty)
                order.qty -= traded
                maker.qty -= traded
                events.append(
                    ("trade", order.order_id, level_price, traded, order.qty, maker.order_id)
                )
                if maker.qty == 0:
                    queue.popleft()
                    del self.orders[maker.order_id]
            if not queue:
                del opposite[key]
        if order.qty:
            if ioc:
                events.append(("cancelled", order.order_id, order.price, order.qty, 0, 0))
            else:
                self._rest(order)

    def _rest(self, order: PyOrder) -> None:
        levels = self._levels(order.side)
        key = -order.price if order.side == BUY else order.price
        queue = levels.get(key)
        if queue is None:
            queue = levels[key] = deque()
        queue.append(order)
        self.orders[order.order_id] = order

    def _remove(self, order: PyOrder) -> None:
        levels = self._levels(order.side)
        key = -order.price if order.side == BUY else order.price
        queue = levels[key]
        queue.remove(order)
        if not queue:
            del levels[key]
        del self.orders[order.order_id]

    def cancel(self, order_id: int) -> list[EventTuple]:
        """Cancels a resting order."""
        order = self.orders.get(order_id)
        if order is None:
            return [("rejected", order_id, 0, 0, 0, 0)]
        self._remove(order)
        return [("cancelled", order_id, order.price, order.qty, 0, 0)]

    def amend(self, order_id: int, price: int, qty: int) -> list[EventTuple]:
        """Same price and lower quantity keeps priority; anything else re-enters."""
        order = self.orders.get(order_id)
        if order is None or qty <= 0 or price <= 0:
            return [("rejected", order_id, price, qty, 0, 0)]
        if price == order.price and qty <= order.qty:
            order.qty = qty
            return [("amended", order_id, price, qty, qty, 0)]
        self._remove(order)
        events: list[EventTuple] = [("amended", order_id, price, qty, qty, 0)]
        self._enter(PyOrder(order_id, order.side, price, qty), False, events)
        return events
