"""The trading side's view of the fleet: submit orders, follow events.

    client = await Client.connect(BusSettings(servers=(url,)))
    await client.submit(orders)            # returns once ORDERS has stored them
    async for event in client.events("BTC-USDT"):
        ...

Orders are :data:`tpcore.book.COMMAND_DTYPE` records: one record or an array (a batch,
which may mix symbols; it is split per symbol, one message each). Each message carries a
JetStream message id derived from its content, so re-submitting the same orders is
dropped by the de-duplication window, and the engine rejects a re-used client order id
(``duplicate_order_id``) after that: an order is never applied twice.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import nats.errors
import numpy as np
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy, PubAck

from tpcore.book import COMMAND_DTYPE
from tpcore.services.bus import Bus
from tpcore.services.config import DEMO_MARKETS, BusSettings, Markets
from tpcore.services.naming import events_subject, orders_subject
from tpcore.services.publish import AckedPublisher
from tpcore.services.wire import MAX_RECORDS, decode_events, encode_commands

__all__ = ["Client", "EventBatch", "order_message_id"]

#: Event messages a reader may fall behind before the subscription waits for it.
EVENT_QUEUE = 1024


def order_message_id(symbol: str, body: bytes) -> str:
    """The de-duplication id of an order message: its symbol and a digest of its body."""
    return f"{symbol}:{hashlib.blake2b(body, digest_size=16).hexdigest()}"


@dataclass(frozen=True)
class EventBatch:
    """One event message: consecutive events of a symbol, from one or more order messages.

    Each event's ``seq`` is ``(ORDERS sequence << 16) | index of the command in its message``
    (see :func:`tpcore.services.wire.event_positions`).
    """

    #: EVENTS stream sequence of this message.
    stream_seq: int
    events: np.ndarray


class Client:
    """Submits orders into ORDERS and reads EVENTS."""

    def __init__(self, bus: Bus, markets: Markets, publisher: AckedPublisher) -> None:
        self.bus = bus
        self.markets = markets
        self.publisher = publisher

    @classmethod
    async def connect(cls, settings: BusSettings, markets: Markets = DEMO_MARKETS) -> Client:
        """Connects with the fleet's settings and market table."""
        bus = await Bus.connect(settings, name="tpcore-client", streams_only=True)
        return cls(bus, markets, await AckedPublisher(bus.nc).start())

    def messages(self, orders: np.ndarray | np.void) -> list[tuple[str, bytes]]:
        """``(symbol, body)`` of the order messages that carry ``orders``."""
        array = np.atleast_1d(np.asarray(orders))
        if array.dtype != COMMAND_DTYPE:
            raise TypeError("orders must be tpcore.book.COMMAND_DTYPE records")
        array = array.copy()
        array["seq"] = 0  # the matcher stamps the input sequence
        out: list[tuple[str, bytes]] = []
        for symbol_id in np.unique(array["symbol"]).tolist():
            symbol = self.markets.by_id(int(symbol_id)).symbol
            group = array[array["symbol"] == symbol_id]
            out.extend(
                (symbol, encode_commands(group[start : start + MAX_RECORDS]))
                for start in range(0, len(group), MAX_RECORDS)
            )
        return out

    async def submit(self, orders: np.ndarray | np.void, *, retry_for: float = 0.0) -> list[PubAck]:
        """Publishes the orders and returns once ORDERS has stored every message.

        A message whose store is not confirmed is re-sent with the same id (so it is
        stored once) until ``retry_for`` seconds have passed; then the last error is
        raised. ``retry_for`` rides out a server restart or a cluster election.
        """
        messages = self.messages(orders)
        acks: list[PubAck | None] = [None] * len(messages)
        todo = list(range(len(messages)))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + retry_for
        while True:
            futures = [await self._publish(*messages[i]) for i in todo]
            results = await asyncio.gather(
                *(asyncio.wait_for(f, self.bus.settings.request_timeout) for f in futures),
                return_exceptions=True,
            )
            failed = [i for i, r in zip(todo, results, strict=True) if isinstance(r, Exception)]
            for i, result in zip(todo, results, strict=True):
                if isinstance(result, PubAck):
                    acks[i] = result
                elif not isinstance(result, nats.errors.Error | asyncio.TimeoutError):
                    raise result  # not a transient failure
            if not failed:
                return [ack for ack in acks if ack is not None]
            if loop.time() >= deadline:
                raise next(r for r in results if isinstance(r, Exception))
            await asyncio.sleep(0.25)
            todo = failed

    async def submit_async(self, orders: np.ndarray | np.void) -> list[asyncio.Future[PubAck]]:
        """Publishes the orders; the futures resolve when each message is stored."""
        return [await self._publish(symbol, body) for symbol, body in self.messages(orders)]

    async def _publish(self, symbol: str, body: bytes) -> asyncio.Future[PubAck]:
        headers = {"Nats-Msg-Id": order_message_id(symbol, body)}
        return await self.publisher.publish(orders_subject(symbol), body, headers)

    async def event_batches(
        self,
        symbol: str,
        *,
        start_seq: int | None = None,
        new_only: bool = False,
        ready: asyncio.Event | None = None,
    ) -> AsyncIterator[EventBatch]:
        """The symbol's event messages in order, from the start (or ``start_seq``, or
        only new ones); ``ready`` is set once the consumer exists."""
        if start_seq is not None:
            config = ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=start_seq
            )
        else:
            policy = DeliverPolicy.NEW if new_only else DeliverPolicy.ALL
            config = ConsumerConfig(deliver_policy=policy)
        # A callback subscription: nats-py answers the server's flow-control requests as
        # soon as the callback has taken the messages before them. Read through the
        # message iterator instead, it answers from a poll every 250 ms, and the server
        # holds back delivery meanwhile once a window is outstanding. The bounded queue
        # keeps the back-pressure: a reader that falls behind holds up the callback, so
        # the flow-control reply waits and the server slows down, and nothing is dropped.
        batches: asyncio.Queue[EventBatch] = asyncio.Queue(maxsize=EVENT_QUEUE)

        async def take(message: Msg) -> None:
            stream_seq = message.metadata.sequence.stream
            await batches.put(EventBatch(stream_seq, decode_events(message.data)))

        subscription = await self.bus.js.subscribe(
            events_subject(symbol), cb=take, ordered_consumer=True, config=config
        )
        if ready is not None:
            ready.set()
        try:
            while True:
                yield await batches.get()
        finally:
            await subscription.unsubscribe()

    async def events(self, symbol: str, *, new_only: bool = False) -> AsyncIterator[np.void]:
        """The symbol's events one by one (records of :data:`tpcore.book.EVENT_DTYPE`)."""
        async for batch in self.event_batches(symbol, new_only=new_only):
            for event in batch.events:
                yield event

    async def close(self) -> None:
        """Drains and closes the connection."""
        await self.publisher.stop()
        await self.bus.close()
