"""The standing-request pull consumer on a real nats-server: order, credit top-up after
requests expire, a request the server never ends, and a deleted consumer."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from tpcore.services.config import BusSettings
from tpcore.services.embedded import EmbeddedServer
from tpcore.services.pull import PullConsumer, PullError, stream_sequence


def run(coroutine: Coroutine[Any, Any, None]) -> None:
    asyncio.run(asyncio.wait_for(coroutine, 60))


async def setup(settings: BusSettings) -> tuple[Any, Any]:
    nc = await nats.connect(list(settings.servers))
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="T", subjects=["t.>"]))
    await js.add_consumer("T", ConsumerConfig(durable_name="c", ack_policy=AckPolicy.ALL))
    return nc, js


async def drain(consumer: PullConsumer, count: int) -> list[int]:
    seqs: list[int] = []
    while len(seqs) < count:
        batch = await consumer.fetch(7, timeout=2.0)
        assert batch, f"stalled after {len(seqs)} of {count}"
        seqs += [stream_sequence(m.reply) for m in batch]
        await consumer.ack_through(batch[-1])
    return seqs


def test_messages_keep_flowing_in_order_across_expired_requests(settings: BusSettings) -> None:
    async def scenario() -> None:
        nc, js = await setup(settings)
        consumer = await PullConsumer(nc, "T", "c", deadline=1.0, window=10, expires=0.2).start()
        for i in range(25):
            await js.publish("t.a", str(i).encode())
        assert await drain(consumer, 25) == list(range(1, 26))
        assert await consumer.fetch(5, timeout=0.6) == []  # requests expire meanwhile
        for _ in range(5):
            await js.publish("t.a", b"late")
        assert await drain(consumer, 5) == list(range(26, 31))
        await consumer.stop()
        await nc.close()

    run(scenario())


async def swallow(msg: Any) -> None:
    """Drops a request without answering it."""


def test_a_request_the_server_never_ends_is_forgotten(settings: BusSettings) -> None:
    async def scenario() -> None:
        nc, js = await setup(settings)
        consumer = await PullConsumer(nc, "T", "c", deadline=0.3, window=10, expires=0.2).start()
        # requests swallowed by a subscriber: no message, no 408 ever comes back
        await nc.subscribe("nowhere", cb=swallow)
        consumer.subject = "nowhere"
        assert await consumer.fetch(5, timeout=0.3) == []
        consumer.subject = "$JS.API.CONSUMER.MSG.NEXT.T.c"
        await asyncio.sleep(0.3)  # past expiry and deadline: the lost request is dropped
        await js.publish("t.a", b"x")
        assert [stream_sequence(m.reply) for m in await consumer.fetch(5, timeout=2.0)] == [1]
        await nc.close()

    run(scenario())


def test_a_deleted_consumer_raises(settings: BusSettings) -> None:
    async def scenario() -> None:
        nc, js = await setup(settings)
        consumer = await PullConsumer(nc, "T", "c", deadline=1.0, window=10).start()
        assert await consumer.fetch(5, timeout=0.2) == []
        await js.delete_consumer("T", "c")
        await asyncio.sleep(0.2)  # the server ends the open request with a 409
        with pytest.raises(PullError, match="consumer deleted"):
            await consumer.fetch(5, timeout=0.5)
        await nc.close()

    run(scenario())


def test_open_requests_are_renewed_after_a_reconnect(
    settings: BusSettings, nats_server: EmbeddedServer
) -> None:
    async def scenario() -> None:
        nc, js = await setup(settings)
        consumer = await PullConsumer(nc, "T", "c", deadline=30.0, window=10, expires=30.0).start()
        assert await consumer.fetch(5, timeout=0.2) == []  # a 30 s request is open
        nats_server.stop(kill=True)  # no goodbye: the request is lost without a status
        nats_server.start()
        for _ in range(100):  # until the client is back
            if nc.is_connected and nc.stats["reconnects"]:
                break
            await asyncio.sleep(0.1)
        await js.publish("t.a", b"after")
        # without the renewal the open request would be trusted for 60 s
        batch = await consumer.fetch(5, timeout=3.0)
        assert [m.data for m in batch] == [b"after"]
        await nc.close()

    run(scenario())
