"""Pipelined JetStream publishes with one reply subscription.

nats-py's ``publish_async`` pays per message for a fresh inbox token, a semaphore wait
with a timeout and two callbacks. This publisher numbers its messages on one reply
prefix, resolves a future per acknowledgement and bounds the number in flight by waiting
on the oldest, which is what a load generator or a busy client needs.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.api import PubAck
from nats.js.errors import APIError, NoStreamResponseError

__all__ = ["AckedPublisher"]


class AckedPublisher:
    """Publishes to JetStream and hands back a future of each :class:`PubAck`."""

    def __init__(self, nc: NatsClient, *, max_pending: int = 20_000) -> None:
        self.nc = nc
        self.max_pending = max_pending
        self.prefix = nc.new_inbox()
        self._next = 0
        self._pending: OrderedDict[int, asyncio.Future[PubAck]] = OrderedDict()
        self._subscription: Subscription | None = None

    async def start(self) -> AckedPublisher:
        """Subscribes to the acknowledgements."""
        self._subscription = await self.nc.subscribe(
            self.prefix + ".*",
            cb=self._on_ack,
            pending_msgs_limit=4_000_000,
            pending_bytes_limit=2**31 - 1,
        )
        return self

    async def publish(
        self, subject: str, body: bytes, headers: dict[str, str] | None = None
    ) -> asyncio.Future[PubAck]:
        """Sends one message; the future resolves when the stream has stored it."""
        while len(self._pending) >= self.max_pending:
            token, oldest = next(iter(self._pending.items()))
            if oldest.done():  # given up on by its caller (a timeout): forget it
                del self._pending[token]
            else:
                await asyncio.wait([oldest])
        token = self._next
        self._next += 1
        future: asyncio.Future[PubAck] = asyncio.get_running_loop().create_future()
        self._pending[token] = future
        await self.nc.publish(subject, body, reply=f"{self.prefix}.{token}", headers=headers)
        return future

    async def _on_ack(self, msg: Msg) -> None:
        token = int(msg.subject[len(self.prefix) + 1 :])
        future = self._pending.pop(token, None)
        if future is None or future.done():
            return
        if not msg.data:
            future.set_exception(NoStreamResponseError())
            return
        response = json.loads(msg.data)
        if "error" in response:
            future.set_exception(APIError.from_error(response["error"]))
        else:
            future.set_result(
                PubAck(
                    stream=response["stream"],
                    seq=response["seq"],
                    domain=response.get("domain"),
                    duplicate=response.get("duplicate"),
                )
            )

    async def stop(self) -> None:
        """Fails what is still pending and unsubscribes."""
        for future in self._pending.values():
            if not future.done():
                future.cancel()
        self._pending.clear()
        if self._subscription is not None:
            await self._subscription.unsubscribe()
            self._subscription = None
