"""The matcher worker: one engine per owned symbol, fed from ORDERS, publishing EVENTS.

For each symbol the worker (1) takes the symbol's lease, (2) recovers: restores the latest
snapshot, finds the last output already stored (the last message on the symbol's EVENTS
and DEAD subjects) and re-creates its durable pull consumer from the input after the
snapshot, then (3) loops: fetch a batch, decode it in one go, ``Engine.process`` it and
publish its events with async publishes while the next batch is fetched; once they are
stored, acknowledge the inputs (ack-all).

Every event has a position ``(seq, n)``: the ORDERS sequence of the message that caused it
and its index among that message's events. An event message carries consecutive events
(up to 10,000, any number of inputs), has the message id ``<symbol>:<seq>:<n>`` of its
first event and names its last in the ``Tp-Last`` header. Recovery resumes after the last
stored position, so outputs of replayed inputs are never published twice and none are
skipped: after a crash at any moment EVENTS holds exactly what an uninterrupted run would
have written. A dead letter is positioned ``(seq, 0)`` of its input (which has no events).

Every K commands or T seconds the engine is snapshotted with the ORDERS sequence it
covers; only inputs whose outputs are stored are ever covered by a snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import asdict, dataclass, field

import nats.errors
import numpy as np
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, PubAck
from nats.js.errors import NotFoundError

from tpcore import book
from tpcore.services.bus import Bus
from tpcore.services.config import Markets
from tpcore.services.lease import Lease
from tpcore.services.logs import fields
from tpcore.services.naming import (
    DEAD_STREAM,
    EVENTS_STREAM,
    ORDERS_STREAM,
    dead_subject,
    event_msg_id,
    events_subject,
    lease_key,
    matcher_consumer,
    orders_subject,
    parse_msg_id,
)
from tpcore.services.pull import PullConsumer, PullError, stream_sequence
from tpcore.services.snapshots import Snapshot, SnapshotStore
from tpcore.services.wire import SEQ_SHIFT, decode_orders, split_events

__all__ = ["MatcherOptions", "MatcherStats", "SymbolMatcher"]

log = logging.getLogger("tpcore.services.matcher")

#: Header of an event message: the position ``<input seq>:<index>`` of its last event.
LAST_HEADER = "Tp-Last"
#: Headers of a dead letter.
REASON_HEADER = "Tp-Reason"
DETAIL_HEADER = "Tp-Detail"
#: Commands above which matching runs in a thread so the event loop keeps serving.
THREAD_THRESHOLD = 20_000


class LeaseLost(Exception):
    """The worker no longer owns the symbol; it stops acting on it at once."""


class PublishFailed(Exception):
    """An output was not confirmed stored; the symbol recovers from its stored state."""


@dataclass
class MatcherOptions:
    """How a matcher batches and snapshots."""

    #: Messages per fetch.
    batch: int = 1000
    #: Seconds a fetch waits for the first message.
    fetch_timeout: float = 0.25
    #: Snapshot after this many commands ...
    snapshot_every: int = 200_000
    #: ... or this many seconds, whichever comes first (if anything changed).
    snapshot_interval: float = 30.0
    #: Seconds to wait for the acknowledgements of a batch's publishes.
    publish_timeout: float = 10.0


@dataclass
class MatcherStats:
    """Counters of one symbol, reported by the worker's stats endpoint."""

    symbol: str
    active: bool = False
    commands: int = 0
    events: int = 0
    event_messages: int = 0
    dead_letters: int = 0
    batches: int = 0
    snapshots: int = 0
    recoveries: int = 0
    last_input_seq: int = 0
    last_snapshot_seq: int = 0
    #: Seconds spent fetching, decoding and matching, and waiting for stores.
    fetch_seconds: float = 0.0
    match_seconds: float = 0.0
    confirm_seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready copy."""
        return asdict(self)


@dataclass
class _Output:
    """One message to publish: events from position ``first`` to ``last``, or the dead
    letter of input ``first[0]``."""

    first: tuple[int, int]
    last: tuple[int, int]
    subject: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    dead: bool = False


@dataclass
class _InFlight:
    """A batch whose outputs are published but not yet confirmed."""

    pending: list[asyncio.Future[PubAck]]
    last: Msg
    covered: int
    commands: int

    def confirmed(self) -> bool:
        return all(f.done() for f in self.pending)


class SymbolMatcher:
    """Owns, recovers and runs the book of one symbol."""

    def __init__(
        self,
        bus: Bus,
        markets: Markets,
        symbol: str,
        *,
        owner: str,
        options: MatcherOptions | None = None,
    ) -> None:
        self.bus = bus
        self.markets = markets
        self.symbol = symbol
        self.owner = owner
        self.options = options or MatcherOptions()
        self.stats = MatcherStats(symbol)
        self.engine = markets.engine(symbol)
        #: ``(seq, part)`` of the last output known to be stored.
        self.resume = (0, -1)
        self._covered = 0
        self._since_snapshot = 0
        self._snapshot_at = time.monotonic()
        self._upload: asyncio.Task[None] | None = None
        self._store_handle: SnapshotStore | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Serves the symbol whenever it holds the lease, until ``stop`` is set."""
        ttl = self.bus.settings.lease_ttl
        lease = Lease(await self.bus.leases(), lease_key(self.symbol), self.owner, ttl)
        while not stop.is_set():
            if not await self._acquire(lease):
                await _wait(stop, 1.0)
                continue
            renewer = asyncio.create_task(self._renew(lease))
            self.stats.active = True
            log.info("lease taken", extra=fields(symbol=self.symbol, owner=self.owner))
            try:
                await self._serve(lease, stop)
            except (
                LeaseLost,
                PublishFailed,
                PullError,
                nats.errors.Error,
                asyncio.TimeoutError,
            ) as error:
                log.warning(
                    "symbol interrupted; recovering",
                    exc_info=True,
                    extra=fields(symbol=self.symbol, error=repr(error)),
                )
                await _wait(stop, 0.2)
            finally:
                self.stats.active = False
                renewer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewer
            if stop.is_set():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(lease.release(), self.bus.settings.request_timeout)

    async def _acquire(self, lease: Lease) -> bool:
        try:
            return await asyncio.wait_for(lease.try_acquire(), self.bus.settings.request_timeout)
        except (nats.errors.Error, asyncio.TimeoutError):
            return False

    async def _renew(self, lease: Lease) -> None:
        """Renews the lease five times per TTL; a failed write just waits for the next."""
        while True:
            await asyncio.sleep(lease.ttl / 5)
            try:
                if not await asyncio.wait_for(lease.renew(), lease.ttl / 5):
                    log.warning("lease lost", extra=fields(symbol=self.symbol))
                    return
            except (nats.errors.Error, asyncio.TimeoutError) as error:
                log.warning("lease renewal failed", extra=fields(error=repr(error)))

    async def _serve(self, lease: Lease, stop: asyncio.Event) -> None:
        """Fetch, match and publish batch k+1 while the outputs of batch k are confirmed."""
        consumer = await self._recover()
        inflight: _InFlight | None = None
        try:
            while not stop.is_set():
                if not lease.held():
                    raise LeaseLost(self.symbol)
                if inflight is not None and (inflight.confirmed() or self._snapshot_due()):
                    await self._finish(inflight, consumer)
                    inflight = None
                if inflight is None and self._snapshot_due():
                    await self._snapshot()
                wait = self.options.fetch_timeout if inflight is None else 0.0
                clock = time.perf_counter()
                try:
                    messages = await consumer.fetch(self.options.batch, timeout=wait)
                except asyncio.TimeoutError:
                    messages = []
                if messages:
                    self.stats.fetch_seconds += time.perf_counter() - clock
                started = await self._start(messages, lease) if messages else None
                if inflight is not None:
                    await self._finish(inflight, consumer)
                inflight = started
            if inflight is not None:
                await self._finish(inflight, consumer)
            if self._since_snapshot:
                await self._snapshot(wait=True)
            elif self._upload is not None:
                await self._upload
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _recover(self) -> PullConsumer:
        """Restores the snapshot, finds the stored outputs, re-creates the consumer."""
        self.stats.recoveries += 1
        store = SnapshotStore(await self.bus.snapshots())
        snapshot = await store.get(self.symbol)
        if snapshot is None:
            self.engine, self._covered = self.markets.engine(self.symbol), 0
        else:
            self.engine, self._covered = book.Engine.restore(snapshot.engine), snapshot.orders_seq
        self.resume = await self._last_stored_output()
        self._since_snapshot, self._snapshot_at = 0, time.monotonic()
        self.stats.last_snapshot_seq = self._covered
        log.info(
            "recovered",
            extra=fields(symbol=self.symbol, snapshot_seq=self._covered, resume=self.resume),
        )
        return await self._consumer(self._covered + 1)

    async def _last_stored_output(self) -> tuple[int, int]:
        """The position of the newest output stored for this symbol, on either stream."""
        newest = (0, -1)
        try:
            message = await self.bus.js.get_last_msg(EVENTS_STREAM, events_subject(self.symbol))
            seq, index = (message.headers or {})[LAST_HEADER].split(":")
            newest = (int(seq), int(index))
        except NotFoundError:
            pass
        try:
            message = await self.bus.js.get_last_msg(DEAD_STREAM, dead_subject(self.symbol))
            _, seq, _ = parse_msg_id((message.headers or {})["Nats-Msg-Id"])
            newest = max(newest, (seq, 0))
        except NotFoundError:
            pass
        return newest

    async def _consumer(self, start: int) -> PullConsumer:
        js, name = self.bus.js, matcher_consumer(self.symbol)
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(ORDERS_STREAM, name)
        config = ConsumerConfig(
            durable_name=name,
            filter_subject=orders_subject(self.symbol),
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=start,
            ack_policy=AckPolicy.ALL,
            ack_wait=60.0,
            max_ack_pending=-1,
            max_waiting=16,
        )
        await js.add_consumer(ORDERS_STREAM, config)
        deadline = self.bus.settings.request_timeout
        return await PullConsumer(self.bus.nc, ORDERS_STREAM, name, deadline=deadline).start()

    async def _start(self, messages: list[Msg], lease: Lease) -> _InFlight:
        """Decodes, matches and publishes a batch; its confirmation is awaited later."""
        clock = time.perf_counter()
        seqs = [stream_sequence(m.reply) for m in messages]
        decoded = decode_orders([m.data for m in messages], seqs)
        events = await self._match(decoded.commands)
        self.stats.match_seconds += time.perf_counter() - clock
        outputs = self._outputs(events, decoded.bad, messages, seqs)
        if not lease.held():
            raise LeaseLost(self.symbol)
        pending = await self._publish(outputs)
        self.stats.commands += len(decoded.commands)
        self.stats.events += len(events)
        return _InFlight(pending, messages[-1], seqs[-1], len(decoded.commands))

    async def _finish(self, batch: _InFlight, consumer: PullConsumer) -> None:
        """Waits until the batch's outputs are stored, then acknowledges its inputs."""
        clock = time.perf_counter()
        await self._confirm(batch.pending)
        self.stats.confirm_seconds += time.perf_counter() - clock
        await consumer.ack_through(batch.last)
        self._covered = batch.covered
        self._since_snapshot += batch.commands
        self.stats.batches += 1
        self.stats.last_input_seq = batch.covered

    async def _match(self, commands: np.ndarray) -> np.ndarray:
        if len(commands) == 0:
            return np.zeros(0, dtype=book.EVENT_DTYPE)
        if len(commands) >= THREAD_THRESHOLD:
            return await asyncio.to_thread(self.engine.process, commands)
        return self.engine.process(commands)

    def _outputs(
        self,
        events: np.ndarray,
        bad: list[tuple[int, str, str]],
        messages: list[Msg],
        seqs: list[int],
    ) -> list[_Output]:
        """The outputs not yet stored, in input order: event messages, and dead letters
        in their places between them."""
        origin = events["seq"] >> np.uint64(SEQ_SHIFT)
        outputs: list[_Output] = []
        low = 0
        for position, reason, detail in sorted(bad, key=lambda b: seqs[b[0]]):
            seq = seqs[position]
            high = int(np.searchsorted(origin, seq))
            outputs += self._event_outputs(events[low:high])
            low = high
            if (seq, 0) > self.resume:
                headers = {REASON_HEADER: reason, DETAIL_HEADER: detail[:200]}
                body = messages[position].data
                outputs.append(
                    _Output((seq, 0), (seq, 0), dead_subject(self.symbol), body, headers, True)
                )
        outputs += self._event_outputs(events[low:])
        return outputs

    def _event_outputs(self, events: np.ndarray) -> list[_Output]:
        return [
            _Output(
                m.first,
                m.last,
                events_subject(self.symbol),
                m.body,
                {LAST_HEADER: f"{m.last[0]}:{m.last[1]}"},
            )
            for m in split_events(events, self.resume)
        ]

    async def _publish(self, outputs: list[_Output]) -> list[asyncio.Future[PubAck]]:
        """Publishes in order and returns the acks to await; a dead letter (another
        stream) is confirmed on its own, with everything before it."""
        pending: list[asyncio.Future[PubAck]] = []
        for output in outputs:
            if output.dead:
                await self._confirm(pending)
                pending = []
            headers = {"Nats-Msg-Id": event_msg_id(self.symbol, *output.first)}
            headers.update(output.headers)
            pending.append(
                await self.bus.js.publish_async(output.subject, output.body, headers=headers)
            )
            if output.dead:
                await self._confirm(pending)
                pending = []
                self.stats.dead_letters += 1
                log.warning(
                    "dead letter",
                    extra=fields(symbol=self.symbol, seq=output.first[0], **output.headers),
                )
            else:
                self.stats.event_messages += 1
        if outputs:
            self.resume = outputs[-1].last
        return pending

    async def _confirm(self, pending: list[asyncio.Future[PubAck]]) -> None:
        if all(f.done() and not f.cancelled() and f.exception() is None for f in pending):
            return  # already stored: no wait (and no turn of the loop) needed
        try:
            await asyncio.wait_for(asyncio.gather(*pending), self.options.publish_timeout)
        except (nats.errors.Error, asyncio.TimeoutError) as error:
            for future in pending:
                future.cancel()
            raise PublishFailed(repr(error)) from error

    def _snapshot_due(self) -> bool:
        if self._since_snapshot == 0 or (self._upload is not None and not self._upload.done()):
            return False
        return self._since_snapshot >= self.options.snapshot_every or (
            time.monotonic() - self._snapshot_at >= self.options.snapshot_interval
        )

    async def _snapshot(self, *, wait: bool = False) -> None:
        """Snapshots the engine with the ORDERS sequence it covers (nothing in flight) and
        uploads it in the background (``wait``: in the foreground, after any upload
        still running). One upload at a time; a due snapshot waits for the previous one."""
        if self._upload is not None and not self._upload.done():
            if not wait:
                return
            await self._upload
        snapshot = Snapshot(self._covered, self.engine.snapshot())
        self._since_snapshot, self._snapshot_at = 0, time.monotonic()
        self._upload = asyncio.create_task(self._store(snapshot))
        if wait:
            await self._upload

    async def _store(self, snapshot: Snapshot) -> None:
        try:
            if self._store_handle is None:
                self._store_handle = SnapshotStore(await self.bus.snapshots())
            await self._store_handle.put(self.symbol, snapshot)
        except (nats.errors.Error, asyncio.TimeoutError) as error:
            self._since_snapshot = max(self._since_snapshot, 1)  # due again
            log.warning("snapshot failed", extra=fields(symbol=self.symbol, error=repr(error)))
            return
        self.stats.snapshots += 1
        self.stats.last_snapshot_seq = snapshot.orders_seq
        log.info(
            "snapshot stored",
            extra=fields(symbol=self.symbol, seq=snapshot.orders_seq, bytes=len(snapshot.engine)),
        )


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    """Sleeps ``seconds`` or until ``stop`` is set."""
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
