"""The client's event reader on a real nats-server: every event message in order, also for
a reader slower than the stream (back-pressure, nothing dropped), and a backlog read
without stalls."""

from __future__ import annotations

import asyncio
import time

import numpy as np

from tpcore import book
from tpcore.services.client import EVENT_QUEUE, Client
from tpcore.services.config import BusSettings
from tpcore.services.naming import events_subject
from tpcore.services.wire import encode_events

SYMBOL = "BTC-USDT"


def event_body(seq: int, events: int) -> bytes:
    records = np.zeros(events, dtype=book.EVENT_DTYPE)
    records["seq"] = (np.uint64(seq) << np.uint64(16)) + np.arange(events, dtype=np.uint64)
    records["kind"] = book.EventKind.ACCEPTED
    return encode_events(records)


async def publish_events(client: Client, first: int, count: int, events: int = 3) -> None:
    futures = [
        await client.bus.js.publish_async(events_subject(SYMBOL), event_body(seq, events))
        for seq in range(first, first + count)
    ]
    await asyncio.gather(*futures)


def test_a_slow_reader_gets_every_event_message_in_order(settings: BusSettings) -> None:
    async def scenario() -> None:
        client = await Client.connect(settings)
        try:
            count = 3 * EVENT_QUEUE
            await publish_events(client, 1, count)
            seen: list[int] = []
            async for batch in client.event_batches(SYMBOL):
                seen.append(int(batch.events["seq"][0] >> np.uint64(16)))
                if len(seen) % 500 == 0:
                    await asyncio.sleep(0.2)  # fall behind the stream now and then
                if len(seen) == count:
                    break
            assert seen == list(range(1, count + 1))
        finally:
            await client.close()

    asyncio.run(asyncio.wait_for(scenario(), 60))


def test_a_backlog_is_read_without_waiting_on_flow_control(settings: BusSettings) -> None:
    """A backlog large enough for the server's flow control (about 30 MB) is read at the
    reader's pace. Read through nats-py's message iterator, the flow-control replies went
    out from a 250 ms poll and this read took about a second; it takes well under a tenth
    of that now. The bound leaves a wide margin for a slow machine."""

    async def scenario() -> None:
        client = await Client.connect(settings)
        try:
            count = 1_000
            await publish_events(client, 1, count, events=300)
            started = time.perf_counter()
            read = 0
            async for batch in client.event_batches(SYMBOL):
                read += 1
                assert int(batch.events["seq"][0] >> np.uint64(16)) == read
                if read == count:
                    break
            assert time.perf_counter() - started < 0.5
        finally:
            await client.close()

    asyncio.run(asyncio.wait_for(scenario(), 60))
