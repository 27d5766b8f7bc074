"""The client side of the signer fleet: JSON requests on ``tp.sign.<kind>``.

signer = SignerClient(nc)
signature = await signer.sign_hash(address, digest)          # 65 bytes r || s || v
signatures = await signer.sign_hashes(address, digests)      # (N, 32) -> (N, 65)
signed = await signer.sign_transaction(address, tx)          # eth-account's fields

One request is ``nc.request``. Many requests go out pipelined (``request_many``): each is
still its own message, served by whichever signer is free and micro-batched there, but the
replies come back on one subscription with numbered subjects and no task or future per
request, which is what a service signing thousands at once needs.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

__all__ = ["BulkReplies", "SignerClient", "SignerError"]

#: The most digests one ``hash`` request may carry (the signer's limit).
MAX_HASHES = 1024
#: The reply of a request that had no answer within the client's timeout.
TIMEOUT_CODE = "timeout"


class SignerError(Exception):
    """The signer refused or could not serve a request; ``code`` is a stable reason and
    ``index`` the request's position in a bulk call."""

    def __init__(self, code: str, message: str, index: int | None = None) -> None:
        where = f" (request {index})" if index is not None else ""
        super().__init__(f"{code}: {message}{where}")
        self.code = code
        self.index = index


@dataclass
class BulkReplies:
    """The raw replies of a bulk call, in request order, with each request's latency."""

    replies: list[bytes | None]
    latencies_ms: np.ndarray = field(repr=False)
    seconds: float

    def error(self, index: int) -> SignerError | None:
        """The refusal of request ``index``, or None if it was served."""
        data = self.replies[index]
        if data is None:
            return SignerError(TIMEOUT_CODE, "no reply in time", index)
        if not data.startswith(b'{"error"'):
            return None
        error = json.loads(data)["error"]
        return SignerError(str(error.get("code")), str(error.get("message")), index)

    def errors(self) -> dict[str, int]:
        """How many requests failed, by reason code."""
        counts: dict[str, int] = {}
        for i, data in enumerate(self.replies):
            if data is None or data.startswith(b'{"error"'):
                code = self.error(i).code  # type: ignore[union-attr]
                counts[code] = counts.get(code, 0) + 1
        return counts

    def raise_first(self) -> None:
        """Raises the first refusal, if any."""
        for i in range(len(self.replies)):
            error = self.error(i)
            if error is not None:
                raise error


class _Run:
    """One bulk call's state: sent times, replies, how many are still out."""

    def __init__(self, count: int) -> None:
        self.replies: list[bytes | None] = [None] * count
        self.sent = np.zeros(count)
        self.answered = np.zeros(count)
        self.outstanding = 0
        self.received = 0
        self.low_water = -1
        self.last_reply = time.perf_counter()
        self.progress = asyncio.Event()


class SignerClient:
    """Sends signing requests to whichever signer of the queue group is free."""

    def __init__(self, nc: NatsClient, *, timeout: float = 5.0) -> None:
        self.nc = nc
        self.timeout = timeout
        self._prefix = ""
        self._subscription: Subscription | None = None
        self._runs: dict[int, _Run] = {}
        self._next_run = 0
        self._subscribing = asyncio.Lock()

    async def request(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """One request; the reply's fields, or :class:`SignerError`."""
        reply = await self.nc.request(f"tp.sign.{kind}", json.dumps(body).encode(), self.timeout)
        data: dict[str, Any] = json.loads(reply.data)
        error = data.get("error")
        if error:
            raise SignerError(str(error.get("code")), str(error.get("message")))
        return data

    async def request_many(
        self,
        kind: str,
        bodies: Sequence[bytes],
        *,
        in_flight: int = 2000,
        rate: float = 0.0,
        on_progress: Callable[[int], object] | None = None,
    ) -> BulkReplies:
        """Sends every JSON body as its own request, at most ``in_flight`` unanswered and
        with ``rate`` at that many per second (in millisecond bursts); returns when all
        are answered or ``timeout`` passed without a reply. ``on_progress(answered)`` is
        called every 1,000 replies."""
        await self._subscribe()
        run_id, self._next_run = self._next_run, self._next_run + 1
        run = self._runs[run_id] = _Run(len(bodies))
        subject, reply_prefix = f"tp.sign.{kind}", f"{self._prefix}.{run_id}."
        publish, clock = self.nc.publish, time.perf_counter
        started = clock()
        try:
            for i, body in enumerate(bodies):
                if rate > 0:
                    ahead = started + i / rate - clock()
                    if ahead > 0.001:
                        await asyncio.sleep(ahead)
                if run.outstanding >= in_flight:
                    run.low_water = in_flight * 3 // 4
                    while run.outstanding > run.low_water:
                        await self._wait(run)
                run.outstanding += 1
                run.sent[i] = clock()
                await publish(subject, body, reply=reply_prefix + str(i))
            run.low_water = -1
            while run.received < len(bodies):
                await self._wait(run)
                if on_progress is not None:
                    on_progress(run.received)
        except asyncio.TimeoutError:
            pass  # the unanswered stay None: reported as timeouts
        finally:
            del self._runs[run_id]
        seconds = clock() - started
        answered = run.answered > 0
        latencies = (run.answered[answered] - run.sent[answered]) * 1000.0
        return BulkReplies(run.replies, latencies, seconds)

    async def _wait(self, run: _Run) -> None:
        """Until the next milestone; TimeoutError after ``timeout`` with no reply."""
        while True:
            run.progress.clear()
            try:
                await asyncio.wait_for(run.progress.wait(), self.timeout)
                return
            except asyncio.TimeoutError:
                if time.perf_counter() - run.last_reply >= self.timeout:
                    raise

    async def _subscribe(self) -> None:
        async with self._subscribing:  # concurrent bulk calls share one subscription
            if self._subscription is None:
                self._prefix = self.nc.new_inbox()
                self._subscription = await self.nc.subscribe(
                    self._prefix + ".>",
                    cb=self._on_reply,
                    pending_msgs_limit=4_000_000,
                    pending_bytes_limit=2**31 - 1,
                )

    async def _on_reply(self, msg: Msg) -> None:
        run_token, _, index_token = msg.subject[len(self._prefix) + 1 :].partition(".")
        run = self._runs.get(int(run_token))
        if run is None:
            return  # a late reply to a finished call
        index = int(index_token)
        if run.replies[index] is None:
            run.replies[index] = msg.data
            run.answered[index] = run.last_reply = time.perf_counter()
            run.outstanding -= 1
            run.received += 1
            if (
                run.outstanding <= run.low_water
                or run.received % 1000 == 0
                or run.received == len(run.replies)
            ):
                run.progress.set()

    async def close(self) -> None:
        """Drops the bulk reply subscription."""
        if self._subscription is not None:
            await self._subscription.unsubscribe()
            self._subscription = None

    async def sign_hash(self, key: str, digest: bytes) -> bytes:
        """A recoverable secp256k1 signature ``r || s || v`` of a 32-byte digest."""
        reply = await self.request("hash", {"key": key, "hash": "0x" + digest.hex()})
        return bytes.fromhex(reply["signature"][2:])

    async def sign_hashes(
        self, key: str, digests: np.ndarray, *, per_request: int = 1
    ) -> np.ndarray:
        """Signatures ``(N, 65)`` of ``(N, 32)`` digests with one key, sent as pipelined
        requests of ``per_request`` digests; the first refusal raises
        :class:`SignerError` with the ``index`` of its request."""
        bodies = hash_requests(key, digests, per_request)
        result = await self.request_many("hash", bodies)
        result.raise_first()
        texts: list[str] = []
        for data in result.replies:
            reply = json.loads(data)  # type: ignore[arg-type]
            texts.extend(reply["signatures"] if per_request > 1 else [reply["signature"]])
        return np.frombuffer(bytes.fromhex("".join(t[2:] for t in texts)), np.uint8).reshape(-1, 65)

    async def sign_transaction(self, key: str, tx: dict[str, Any]) -> dict[str, Any]:
        """``raw_transaction``, ``hash``, ``r``, ``s``, ``v`` (hex strings and ints)."""
        return await self.request("eth_tx", {"key": key, "tx": tx})

    async def sign_message(self, key: str, message: str | bytes) -> dict[str, Any]:
        """An EIP-191 signature: ``signature``, ``message_hash``, ``r``, ``s``, ``v``."""
        text = "0x" + message.hex() if isinstance(message, bytes) else message
        return await self.request("message", {"key": key, "message": text})

    async def sign_typed_data(self, key: str, typed_data: dict[str, Any]) -> dict[str, Any]:
        """An EIP-712 signature of an ``eth_signTypedData_v4`` document."""
        return await self.request("typed_data", {"key": key, "typed_data": typed_data})

    async def sign_ed25519(self, public_key: bytes, message: bytes) -> bytes:
        """A 64-byte Ed25519 signature."""
        body = {"key": public_key.hex(), "message": "0x" + message.hex()}
        reply = await self.request("ed25519", body)
        return bytes.fromhex(reply["signature"][2:])


def hash_requests(key: str, digests: np.ndarray, per_request: int = 1) -> list[bytes]:
    """The JSON bodies of ``hash`` requests for ``(N, 32)`` digests with one key:
    ``hash`` with one digest each, or ``hashes`` with ``per_request`` (the last may have
    fewer)."""
    if digests.ndim != 2 or digests.shape[1] != 32 or digests.dtype != np.uint8:
        raise ValueError("digests must be a (N, 32) uint8 array")
    if not 1 <= per_request <= MAX_HASHES:
        raise ValueError(f"per_request must be 1 to {MAX_HASHES}")
    text = digests.tobytes().hex().encode()
    if per_request == 1:
        head = b'{"key":"' + key.encode() + b'","hash":"0x'
        return [head + text[i : i + 64] + b'"}' for i in range(0, len(text), 64)]
    head = b'{"key":"' + key.encode() + b'","hashes":["0x'
    step = 64 * per_request
    return [
        head + b'","0x'.join(text[j : j + 64] for j in range(i, min(i + step, len(text)), 64))
        + b'"]}'
        for i in range(0, len(text), step)
    ]  # fmt: skip
