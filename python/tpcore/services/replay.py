"""Checks that nothing was lost: EVENTS against an uninterrupted run of the same input.

:func:`expected_events` replays a symbol's ORDERS messages through a fresh engine exactly
as a matcher decodes them; :func:`stored_events` reads what the matchers wrote to EVENTS.
After any number of crashes and restarts the two are equal byte for byte.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import nats.errors
import numpy as np
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from tpcore import book
from tpcore.services.config import Markets
from tpcore.services.naming import EVENTS_STREAM, ORDERS_STREAM, events_subject, orders_subject
from tpcore.services.wire import decode_events, decode_orders

__all__ = ["Verdict", "expected_events", "read_subject", "stored_events", "verify"]


async def read_subject(
    js: JetStreamContext, stream: str, subject: str, *, batch: int = 2000
) -> AsyncIterator[tuple[int, bytes]]:
    """``(stream sequence, body)`` of every message stored on ``subject``, in order."""
    info = await js.stream_info(stream, subjects_filter=subject)
    if not (info.state.subjects or {}).get(subject):
        return
    config = ConsumerConfig(
        filter_subject=subject,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.NONE,
        inactive_threshold=30.0,
        mem_storage=True,
    )
    subscription = await js.pull_subscribe(subject, stream=stream, config=config)
    try:
        while True:
            try:
                messages = await subscription.fetch(batch, timeout=1.0)
            except nats.errors.TimeoutError:
                return
            for message in messages:
                yield message.metadata.sequence.stream, message.data
            if messages[-1].metadata.num_pending == 0:
                return
    finally:
        await subscription.unsubscribe()


async def expected_events(js: JetStreamContext, markets: Markets, symbol: str) -> np.ndarray:
    """The events an uninterrupted matcher would have produced from ORDERS."""
    seqs: list[int] = []
    bodies: list[bytes] = []
    async for seq, body in read_subject(js, ORDERS_STREAM, orders_subject(symbol)):
        seqs.append(seq)
        bodies.append(body)
    commands = decode_orders(bodies, seqs).commands
    if len(commands) == 0:
        return np.zeros(0, dtype=book.EVENT_DTYPE)
    engine = markets.engine(symbol)
    return await asyncio.to_thread(engine.process, commands)


async def stored_events(js: JetStreamContext, symbol: str) -> np.ndarray:
    """Every event record on the symbol's EVENTS subject, in order."""
    parts = [
        decode_events(body)
        async for _, body in read_subject(js, EVENTS_STREAM, events_subject(symbol))
    ]
    if not parts:
        return np.zeros(0, dtype=book.EVENT_DTYPE)
    return np.concatenate(parts)


@dataclass(frozen=True)
class Verdict:
    """The comparison of one symbol's EVENTS with the uninterrupted run."""

    symbol: str
    expected: int
    stored: int
    identical: bool
    digest: str
    #: Index of the first differing event, if any.
    first_difference: int | None


async def verify(js: JetStreamContext, markets: Markets, symbol: str) -> Verdict:
    """Compares EVENTS with the uninterrupted run, byte for byte."""
    expected = await expected_events(js, markets, symbol)
    stored = await stored_events(js, symbol)
    a, b = expected.tobytes(), stored.tobytes()
    identical = a == b
    first = None
    if not identical:
        n = min(len(expected), len(stored))
        mismatch = np.flatnonzero(expected[:n] != stored[:n])
        first = int(mismatch[0]) if len(mismatch) else n
    return Verdict(
        symbol,
        len(expected),
        len(stored),
        identical,
        hashlib.sha256(b).hexdigest()[:16],
        first,
    )
