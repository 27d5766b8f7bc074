"""A lean client for a JetStream pull consumer that keeps messages flowing.

nats-py's ``fetch`` sends one pull request per call and waits for every message through its
own timeout wrapper; at one small order per message that caps a matcher near 20,000
messages a second, and a request per batch adds a round trip before each batch. This
client keeps pull requests open instead (as the newer NATS clients' ``consume`` does): it
asks for ``window`` messages ahead with an expiry, the server delivers each message as it
is stored, and a new request tops the credit up whenever fewer than half are still asked
for. ``fetch`` then only takes what has arrived, or waits for the first to arrive.

The credit is counted from the messages delivered and from the ``408`` status that ends
an expired request (its ``Nats-Pending-Messages`` header: what it did not deliver). A
request that neither delivers nor ends within its expiry and the deadline is forgotten
(the connection dropped it), and after a reconnect every open request is taken as lost
(the server that held it may be gone), so the flow never stalls. Every delivered
message is kept until a fetch returns it: skipping one would acknowledge it with the next
(ack policy all).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

__all__ = ["PullConsumer", "PullError", "stream_sequence"]

#: Statuses that end one request without an error: its expiry, or a server-side limit
#: (max waiting requests, max batch, ...) that the next request resolves.
_REQUEST_ENDED = ("408", "409")
#: Descriptions of a ``409`` that mean the consumer cannot serve at all.
_FATAL_409 = ("consumer deleted", "consumer is push based", "leadership change")


class PullError(Exception):
    """The server ended a pull with an error status (the consumer is gone, ...)."""


def stream_sequence(reply: str) -> int:
    """The stream sequence in a JetStream ack subject (both the short and the long form:
    ``$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>...`` or with domain and account)."""
    tokens = reply.split(".")
    return int(tokens[5] if len(tokens) == 9 else tokens[7])


class PullConsumer:
    """Fetches batches from one durable pull consumer through standing pull requests."""

    def __init__(
        self,
        nc: NatsClient,
        stream: str,
        consumer: str,
        *,
        deadline: float,
        window: int = 2000,
        expires: float = 5.0,
    ) -> None:
        self.nc = nc
        self.subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"
        self.deadline = deadline
        self.window = window
        self.expires = expires
        self.inbox = nc.new_inbox()
        self._buffer: deque[Msg] = deque()
        self._credit = 0
        self._open: deque[float] = deque()  # when each open request should have ended
        self._arrived = asyncio.Event()
        self._error: str | None = None
        self._subscription: Subscription | None = None
        self._reconnects = nc.stats["reconnects"]

    async def start(self) -> PullConsumer:
        """Subscribes to the inbox the server delivers to."""
        self._subscription = await self.nc.subscribe(
            self.inbox,
            cb=self._on_message,
            pending_msgs_limit=4_000_000,
            pending_bytes_limit=2**31 - 1,
        )
        return self

    async def _on_message(self, msg: Msg) -> None:
        headers = msg.headers
        status = headers.get("Status") if headers and not msg.data else None
        if status is None:
            self._buffer.append(msg)
            self._credit -= 1
        elif status in _REQUEST_ENDED:
            description = (headers or {}).get("Description", "").lower()
            if status == "409" and description.startswith(_FATAL_409):
                self._error = f"{status} {description}"
            self._credit -= int((headers or {}).get("Nats-Pending-Messages", 0))
            if self._open:
                self._open.popleft()
        elif status != "100":  # 100: an idle heartbeat
            self._error = f"{status} {(headers or {}).get('Description', '')}".strip()
        self._arrived.set()

    async def fetch(self, batch: int, timeout: float) -> list[Msg]:
        """Up to ``batch`` messages: those that have arrived, else the first to arrive
        within ``timeout`` seconds (then an empty list)."""
        end = time.monotonic() + timeout
        while True:
            self._raise_error()
            await self._top_up()
            if self._buffer:
                take = min(batch, len(self._buffer))
                return [self._buffer.popleft() for _ in range(take)]
            left = end - time.monotonic()
            if left <= 0:
                return []
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except asyncio.TimeoutError:
                return []

    async def _top_up(self) -> None:
        """Asks for more once fewer than half of ``window`` are still asked for."""
        now = time.monotonic()
        if self.nc.stats["reconnects"] != self._reconnects:
            self._reconnects = self.nc.stats["reconnects"]
            self._open.clear()
            self._credit = 0
        while self._open and self._open[0] + self.deadline < now:
            self._open.popleft()  # lost without its 408: forget what it still owed
            if not self._open:
                self._credit = 0
        if self._credit >= self.window // 2 and self._open:
            return
        wanted = self.window - max(self._credit, 0)
        request = {"batch": wanted, "expires": int(self.expires * 1e9)}
        self._credit = max(self._credit, 0) + wanted
        self._open.append(now + self.expires)
        await self.nc.publish(self.subject, json.dumps(request).encode(), reply=self.inbox)

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise PullError(error)

    async def ack_through(self, msg: Msg) -> None:
        """Acknowledges ``msg`` and, with ack policy all, everything before it."""
        await self.nc.publish(msg.reply, b"+ACK")

    async def stop(self) -> None:
        """Unsubscribes (what the server still delivers to the inbox is dropped)."""
        if self._subscription is not None:
            await self._subscription.unsubscribe()
            self._subscription = None
