"""The load generator: drives a realistic order flow through the fleet and measures it.

Orders go out as messages of ``batch`` orders at ``rate`` orders per second (0: as fast as
the connection takes them); a reader per symbol follows EVENTS. The latency of a message
is the time from its publish to the arrival of the first event it caused. The report
gives orders/s, trades, rejects and latency percentiles; a progress bar shows the run.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TextIO

import numpy as np
from nats.js.api import PubAck

from tpcore import book
from tpcore.services.client import Client, order_message_id
from tpcore.services.flow import FlowMix, OrderFlow
from tpcore.services.naming import ORDERS_STREAM, matcher_consumer, orders_subject
from tpcore.services.wire import encode_commands, event_positions

__all__ = ["PERCENTILES", "LoadReport", "Progress", "print_report", "run_load"]

PERCENTILES = (50.0, 90.0, 99.0, 99.9)
#: Orders generated at once for one symbol, at the least (numpy pays per call).
CHUNK_ORDERS = 1_000


@dataclass
class LoadReport:
    """What a load run measured."""

    orders: int
    messages: int
    batch: int
    publish_seconds: float
    total_seconds: float
    answered: int
    #: Messages ORDERS stored as new (a re-sent identical message is a duplicate).
    distinct: int
    trades: int
    events: int
    rejects: dict[str, int]
    latencies_ms: np.ndarray = field(repr=False)

    @property
    def orders_per_second(self) -> float:
        """Orders stored, matched and answered per second, first publish to last event."""
        return self.orders * self.answered / max(self.distinct, 1) / self.total_seconds

    def percentiles(self) -> dict[str, float]:
        """Latency percentiles in milliseconds (and the maximum)."""
        if len(self.latencies_ms) == 0:
            return {}
        values = np.percentile(self.latencies_ms, PERCENTILES)
        out = {f"p{p:g}": float(v) for p, v in zip(PERCENTILES, values, strict=True)}
        out["max"] = float(self.latencies_ms.max())
        return out

    def lines(self) -> list[str]:
        """A human summary."""
        lat = ", ".join(f"{k} {v:.2f}" for k, v in self.percentiles().items()) or "not read"
        rejects = ", ".join(f"{k} {v}" for k, v in sorted(self.rejects.items())) or "none"
        return [
            f"orders     {self.orders:,} in {self.messages:,} messages of {self.batch}",
            f"throughput {self.orders_per_second:,.0f} orders/s end to end "
            f"({self.orders / self.publish_seconds:,.0f}/s published)",
            f"answered   {self.answered:,} of {self.distinct:,} messages "
            f"({self.messages - self.distinct:,} identical re-sends de-duplicated); "
            f"{self.events:,} events, {self.trades:,} trades",
            f"rejects    {rejects}",
            f"latency ms {lat}",
        ]


class Progress:
    """A one-line progress bar on a terminal stream."""

    def __init__(self, total: int, stream: TextIO | None, unit: str = "orders") -> None:
        self.total = total
        self.stream = stream
        self.unit = unit
        self.started = time.perf_counter()

    def show(self, done: int, answered: int) -> None:
        """Redraws the bar: ``done`` sent, ``answered`` answered."""
        if self.stream is None:
            return
        share = done / max(self.total, 1)
        bar = "#" * int(share * 30)
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        self.stream.write(
            f"\r[{bar:<30}] {share:6.1%} {done:,} {self.unit}  {rate:,.0f}/s  answered {answered:,}"
        )
        self.stream.flush()

    def close(self) -> None:
        """Ends the line."""
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


class _Tracker:
    """Publish and first-answer times of each order message, indexed by ORDERS sequence
    (from ``base``), plus event counters."""

    def __init__(self, base: int, capacity: int) -> None:
        self.base = base
        self.sent_at = np.zeros(capacity, dtype=np.float64)
        self.answered_at = np.zeros(capacity, dtype=np.float64)
        self.answered = 0
        self.trades = 0
        self.events = 0
        self.rejects: Counter[str] = Counter()
        self.last_event = time.perf_counter()

    def _grow(self, size: int) -> None:
        if size > len(self.sent_at):
            extra = max(size, 2 * len(self.sent_at)) - len(self.sent_at)
            self.sent_at = np.concatenate([self.sent_at, np.zeros(extra)])
            self.answered_at = np.concatenate([self.answered_at, np.zeros(extra)])

    def acked(self, seq: int, sent: float) -> None:
        slot = seq - self.base
        self._grow(slot + 1)
        if self.sent_at[slot] == 0.0:
            self.sent_at[slot] = sent

    def arrived(self, events: np.ndarray) -> None:
        now = self.last_event = time.perf_counter()
        self.events += len(events)
        self.trades += int(np.count_nonzero(events["kind"] == book.EventKind.TRADE))
        rejected = events["reason"][events["kind"] == book.EventKind.REJECTED]
        for code, count in zip(*np.unique(rejected, return_counts=True), strict=True):
            self.rejects[book.REASONS.get(int(code), str(code))] += int(count)
        origin, index = event_positions(events)
        slots = origin[index == 0] - self.base
        slots = slots[slots >= 0]
        if len(slots):
            self._grow(int(slots.max()) + 1)
            fresh = slots[self.answered_at[slots] == 0.0]
            self.answered_at[fresh] = now
            self.answered += len(fresh)

    def latencies_ms(self) -> np.ndarray:
        both = (self.sent_at > 0) & (self.answered_at > 0)
        return (self.answered_at[both] - self.sent_at[both]) * 1000.0

    def distinct_sent(self) -> int:
        return int(np.count_nonzero(self.sent_at))


async def run_load(
    client: Client,
    symbols: list[str],
    *,
    orders: int,
    rate: float = 0.0,
    batch: int = 1,
    seed: int = 7,
    mix: FlowMix | None = None,
    depth: int = 2_000,
    progress: TextIO | None = None,
    idle_timeout: float = 15.0,
    first_order_id: int | None = None,
    answers: bool = True,
) -> LoadReport:
    """Sends ``orders`` orders and waits until every message has been answered (its
    first event read back); with ``answers=False`` until the matchers have stored the
    events of every message (their consumers acknowledged all input), reading nothing.
    The flow keeps up to ``depth`` passive orders outstanding per symbol."""
    messages = -(-orders // batch)
    start_id = first_order_id or int(time.time() * 1000) * 1_000_000
    flow = OrderFlow(
        client.markets, symbols, mix=mix, seed=seed, first_order_id=start_id, depth=depth
    )
    info = await client.bus.js.stream_info(ORDERS_STREAM)
    tracker = _Tracker(info.state.last_seq + 1, messages)
    ready = [asyncio.Event() for _ in symbols]
    readers = [
        asyncio.create_task(_read(client, s, tracker, flag))
        for s, flag in zip(symbols, ready, strict=True)
        if answers
    ]
    if answers:
        await asyncio.wait_for(asyncio.gather(*(flag.wait() for flag in ready)), 10.0)
    bar = Progress(orders, progress)
    started = time.perf_counter()
    try:
        await _publish(
            client, flow, symbols, tracker, orders=orders, batch=batch, rate=rate, bar=bar
        )
        published = time.perf_counter() - started
        if not answers:
            await _until_consumed(client, symbols, idle_timeout)
            tracker.answered = tracker.distinct_sent()
            tracker.last_event = time.perf_counter()
        while tracker.answered < tracker.distinct_sent():
            if time.perf_counter() - tracker.last_event > idle_timeout:
                break
            bar.show(orders, tracker.answered)
            await asyncio.sleep(0.05)
        total = tracker.last_event - started
    finally:
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        bar.close()
    return LoadReport(
        orders=orders,
        messages=messages,
        batch=batch,
        publish_seconds=max(published, 1e-9),
        total_seconds=max(total, 1e-9),
        answered=tracker.answered,
        distinct=tracker.distinct_sent(),
        trades=tracker.trades,
        events=tracker.events,
        rejects=dict(tracker.rejects),
        latencies_ms=tracker.latencies_ms(),
    )


async def _publish(
    client: Client,
    flow: OrderFlow,
    symbols: list[str],
    tracker: _Tracker,
    *,
    orders: int,
    batch: int,
    rate: float,
    bar: Progress,
) -> None:
    started = time.perf_counter()
    sent = 0
    # Unacknowledged publishes, oldest first; acks arrive about in order, so the done
    # ones are dropped from the front as the run goes.
    pending: deque[asyncio.Future[PubAck]] = deque()
    failed: list[asyncio.Future[PubAck]] = []
    turn = 0
    while sent < orders:
        # Generate a chunk (64 messages, at least CHUNK_ORDERS orders) for one symbol at
        # once, then take turns.
        which = turn % len(symbols)
        turn += 1
        chunk = flow.chunk(min(max(batch * 64, CHUNK_ORDERS), orders - sent), which)
        subject = orders_subject(symbols[which])
        for low in range(0, len(chunk), batch):
            body = encode_commands(chunk[low : low + batch])
            at = time.perf_counter()
            future = await client.publisher.publish(
                subject, body, {"Nats-Msg-Id": order_message_id(symbols[which], body)}
            )
            future.add_done_callback(_on_ack(tracker, at))
            pending.append(future)
            while pending and pending[0].done():
                done = pending.popleft()
                if done.cancelled() or done.exception() is not None:
                    failed.append(done)
            sent += min(batch, len(chunk) - low)
            if rate > 0:
                # The event loop sleeps in milliseconds: pace in bursts, not per message,
                # and let the event readers run in between.
                ahead = started + sent / rate - time.perf_counter()
                if ahead > 0.001:
                    await asyncio.sleep(ahead)
        bar.show(sent, tracker.answered)
        await asyncio.sleep(0)
    await asyncio.wait_for(
        asyncio.gather(*pending, return_exceptions=True),
        client.bus.settings.request_timeout * 6,
    )
    for future in [*failed, *pending]:
        future.result()  # raise the first failed publish


def _on_ack(tracker: _Tracker, sent: float):  # type: ignore[no-untyped-def]
    def done(future: asyncio.Future[PubAck]) -> None:
        if not future.cancelled() and future.exception() is None:
            tracker.acked(future.result().seq, sent)

    return done


async def _until_consumed(client: Client, symbols: list[str], timeout: float) -> None:
    """Waits until every symbol's matcher consumer has nothing pending or unacknowledged."""
    deadline = time.perf_counter() + timeout
    waiting = list(symbols)
    while waiting and time.perf_counter() < deadline:
        info = await client.bus.js.consumer_info(ORDERS_STREAM, matcher_consumer(waiting[0]))
        if info.num_pending == 0 and info.num_ack_pending == 0:
            waiting.pop(0)
        else:
            await asyncio.sleep(0.002)
    if waiting:
        raise TimeoutError(f"matchers did not consume {waiting} within {timeout} s")


async def _read(client: Client, symbol: str, tracker: _Tracker, ready: asyncio.Event) -> None:
    async for batch in client.event_batches(symbol, new_only=True, ready=ready):
        tracker.arrived(batch.events)


def print_report(report: LoadReport, stream: TextIO = sys.stdout) -> None:
    """Writes the summary lines."""
    for line in report.lines():
        stream.write(line + "\n")
