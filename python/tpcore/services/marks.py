"""The mark-price worker: source quotes in, index and mark prices out.

Quotes arrive on ``tp.quotes.<symbol>.<source>`` as JSON ``{"price": "64000.5",
"volume": "2.5", "ts": <milliseconds>}`` (decimal strings; ``volume`` weighs the source,
1 if absent; ``ts`` defaults to the arrival time). Every tick the worker computes each
symbol's index with the risk core (stale sources dropped, outliers clamped around the
median, the circuit breaker holding sudden moves; the state kept between ticks by an
:class:`tpcore.risk.IndexBook`) and the mark price from it, and publishes both with their
flags on ``tp.marks.<symbol>``: ``{"symbol", "index", "mark"`` (decimal strings),
``"index_fixed", "mark_fixed"`` (integers at scale 10^8), ``"flags"`` (names),
``"sources", "ts"}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass

import numpy as np
from nats.aio.msg import Msg

from tpcore import risk
from tpcore.services.bus import Bus
from tpcore.services.logs import fields

__all__ = ["MarksOptions", "MarksWorker", "marks_subject", "quotes_subject"]

log = logging.getLogger("tpcore.services.marks")


def quotes_subject(symbol: str, source: str) -> str:
    """Where ``source`` publishes its quotes of ``symbol``."""
    return f"tp.quotes.{symbol}.{source}"


def marks_subject(symbol: str) -> str:
    """Where the index and mark prices of ``symbol`` are published."""
    return f"tp.marks.{symbol}"


@dataclass(frozen=True)
class MarksOptions:
    """The index rules and the tick."""

    tick: float = 0.1
    max_age_ms: int = 5_000
    min_sources: int = 1
    band_bps: int = 300
    breaker_percent: str = "10"
    breaker_window_ms: int = 60_000
    breaker_confirmations: int = 3
    max_sources: int = 32


class MarksWorker:
    """Computes and publishes the marks of ``symbols`` until stopped."""

    def __init__(self, bus: Bus, symbols: list[str], options: MarksOptions | None = None) -> None:
        self.bus = bus
        self.symbols = symbols
        self.options = options or MarksOptions()
        o = self.options
        config = risk.index_config(
            o.max_age_ms, min_sources=o.min_sources, outliers="clamp", band_bps=o.band_bps,
            aggregation="median", breaker_percent=o.breaker_percent,
            breaker_window=o.breaker_window_ms, breaker_confirmations=o.breaker_confirmations,
        )  # fmt: skip
        # One book per symbol, so each sees exactly its own sources (an empty slot would
        # count as a stale source).
        self.index = [risk.IndexBook(config, 1) for _ in symbols]
        shape = (len(symbols), o.max_sources)
        self.prices = np.zeros(shape, np.int64)
        self.weights = np.zeros(shape, np.int64)
        self.stamps = np.zeros(shape, np.int64)
        self.sources: list[dict[str, int]] = [{} for _ in symbols]
        self.row = {symbol: i for i, symbol in enumerate(symbols)}
        self.bad_quotes = 0
        self.ticks = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Takes quotes and publishes marks every tick until ``stop`` is set."""
        subscription = await self.bus.nc.subscribe("tp.quotes.*.*", cb=self._on_quote)
        log.info("marks started", extra=fields(symbols=self.symbols))
        try:
            while not stop.is_set():
                await self.tick()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.options.tick)
        finally:
            await subscription.unsubscribe()

    async def _on_quote(self, msg: Msg) -> None:
        _, _, symbol, source = msg.subject.split(".", 3)
        row = self.row.get(symbol)
        try:
            if row is None:
                raise ValueError(f"unknown symbol {symbol}")
            quote = json.loads(msg.data)
            price = risk.to_fixed(str(quote["price"]), "price")
            weight = risk.to_fixed(str(quote.get("volume", "1")), "volume")
            stamp = int(quote.get("ts") or time.time() * 1000)
            slot = self.sources[row].setdefault(source, len(self.sources[row]))
            if slot >= self.options.max_sources:
                raise ValueError("too many sources")
        except (ValueError, KeyError, TypeError) as error:
            self.bad_quotes += 1
            log.warning("bad quote", extra=fields(subject=msg.subject, error=str(error)))
            return
        self.prices[row, slot], self.weights[row, slot], self.stamps[row, slot] = (
            price,
            weight,
            stamp,
        )

    async def tick(self) -> None:
        """Computes every symbol's index and mark and publishes them."""
        now = int(time.time() * 1000)
        self.ticks += 1
        for row, symbol in enumerate(self.symbols):
            used = len(self.sources[row])
            if used == 0:
                continue  # no quote yet
            window = slice(row, row + 1), slice(0, used)
            index = self.index[row].compute(
                self.prices[window], self.weights[window], self.stamps[window], now=now
            )
            price, flags = int(index.prices[0]), int(index.flags[0])
            if price <= 0:
                continue
            mark = risk.mark_price(price, index_flags=flags)
            body = {
                "symbol": symbol,
                "index": str(risk.from_fixed(price)),
                "mark": str(risk.from_fixed(mark.price)),
                "index_fixed": price,
                "mark_fixed": mark.price,
                "flags": [f.name for f in risk.PriceFlags if f in mark.flags and f.name],
                "sources": int(index.sources[0]),
                "ts": now,
            }
            await self.bus.nc.publish(marks_subject(symbol), json.dumps(body).encode())
