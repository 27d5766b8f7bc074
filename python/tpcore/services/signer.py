"""The signer worker: request-reply on ``tp.sign.<kind>`` in the queue group ``signers``.

Kinds: ``hash`` (a secp256k1 digest, or up to 1,024 as ``hashes``), ``eth_tx`` (an
eth-account transaction dict), ``typed_data`` (an ``eth_signTypedData_v4`` document),
``message`` (EIP-191) and ``ed25519``. A request is JSON with the ``key`` (address, or
Ed25519 public key in hex)
and the kind's payload; the reply is JSON with the signature (eth-account's field names)
or ``{"error": {"code", "message"}}`` with the same code in the ``Nats-Service-Error-Code``
header. Requests are micro-batched per kind (a batch closes at B requests or when its
oldest has waited T) and signed in one core call with the GIL released. Every ``eth_tx``
passes the withdrawal policy first. Every request and its outcome (key, kind, digest,
decision; never a secret) is appended to the AUDIT stream, one message per batch, and that
message is stored before any reply of the batch goes out: no signature leaves unaudited.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from nats.js.api import KeyValueConfig, StorageType, StreamConfig
from nats.js.errors import BadRequestError
from nats.micro import add_service
from nats.micro.request import Request
from nats.micro.service import Service

from tpcore import __version__, eth, sign
from tpcore.errors import InvalidInput
from tpcore.services.bus import Bus
from tpcore.services.config import BusSettings
from tpcore.services.keys import KeyRing
from tpcore.services.lifetime import run, stop_event
from tpcore.services.logs import fields
from tpcore.services.policy import WITHDRAWAL_BUCKET, Allowances, WithdrawalPolicy

__all__ = ["KINDS", "SignerOptions", "SignerWorker", "run_signer"]

log = logging.getLogger("tpcore.services.signer")

KINDS = ("hash", "eth_tx", "typed_data", "message", "ed25519")
AUDIT_STREAM = "AUDIT"
QUEUE_GROUP = "signers"
#: The most digests one ``hash`` request may carry (``hashes``).
MAX_HASHES = 1024
#: Batches at least this large are signed in a worker thread (the GIL is released).
THREAD_THRESHOLD = 64


@dataclass
class SignerOptions:
    """Micro-batching: a batch closes at ``max_batch`` requests or ``max_wait`` seconds."""

    max_batch: int = 512
    max_wait: float = 0.0005


@dataclass
class _Job:
    """One request on its way through a batch."""

    request: Request
    key: str
    payload: Any
    digest: str = ""
    reply: dict[str, Any] | bytes | None = None
    error: tuple[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: An ``eth_tx`` whose value is reserved from the 24-hour allowance.
    reserved: bool = False

    def fail(self, code: str, message: str) -> None:
        self.error = (code, message)


class RequestError(Exception):
    """A request that cannot be served, with its reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _hex_bytes(value: object, what: str, size: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise RequestError("malformed_request", f"{what} must be a hex string")
    try:
        data = bytes.fromhex(value.removeprefix("0x"))
    except ValueError:
        raise RequestError("malformed_request", f"{what} is not hex") from None
    if size is not None and len(data) != size:
        raise RequestError("malformed_request", f"{what} must be {size} bytes")
    return data


class SignerWorker:
    """Serves signing requests with the keys of one keystore folder until stopped."""

    def __init__(
        self,
        bus: Bus,
        ring: KeyRing,
        policy: WithdrawalPolicy,
        *,
        name: str,
        options: SignerOptions | None = None,
    ) -> None:
        self.bus = bus
        self.ring = ring
        self.policy = policy
        self.name = name
        self.options = options or SignerOptions()
        self.pending: dict[str, list[Request]] = {k: [] for k in KINDS}
        self._wake = {k: asyncio.Event() for k in KINDS}
        self._full = {k: asyncio.Event() for k in KINDS}
        self._oldest = dict.fromkeys(KINDS, 0.0)
        self._busy = dict.fromkeys(KINDS, False)
        self.signed = 0
        self.refused = 0
        self.batches = 0
        self._allowances: Allowances | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._service: Service | None = None
        self._handlers: dict[str, Callable[[list[_Job]], Awaitable[None]]] = {
            "hash": self._sign_hashes,
            "eth_tx": self._sign_transactions,
            "typed_data": self._sign_typed_data,
            "message": self._sign_messages,
            "ed25519": self._sign_ed25519,
        }

    async def start(self) -> SignerWorker:
        """Creates the audit stream and allowance bucket if needed, then serves."""
        kv_config = KeyValueConfig(
            bucket=WITHDRAWAL_BUCKET, history=1, storage=StorageType.FILE,
            replicas=self.bus.settings.replicas,
        )  # fmt: skip
        audit = StreamConfig(
            name=AUDIT_STREAM, subjects=["tp.audit.>"], storage=StorageType.FILE,
            num_replicas=self.bus.settings.replicas,
        )  # fmt: skip
        if self.bus.settings.manage_streams:
            try:
                await self.bus.js.add_stream(audit)
            except BadRequestError:
                await self.bus.js.update_stream(audit)
            kv = await self.bus.js.create_key_value(kv_config)
        else:
            kv = await self.bus.js.key_value(WITHDRAWAL_BUCKET)
        self._allowances = Allowances(kv)
        self._tasks = [asyncio.create_task(self._batches(kind)) for kind in KINDS]
        self._service = await add_service(
            self.bus.nc,
            name="tpcore-signer",
            version=__version__,
            description="batch signing: " + ", ".join(KINDS),
            metadata={"worker": self.name},
            queue_group=QUEUE_GROUP,
            stats_handler=lambda _: self.status(),
        )
        for kind in KINDS:
            await self._service.add_endpoint(
                name=kind, subject=f"tp.sign.{kind}", handler=self._enqueue(kind)
            )
        log.info(
            "signer started",
            extra=fields(worker=self.name, keys=len(self.ring.ecdsa) + len(self.ring.ed25519)),
        )
        return self

    @property
    def allowances(self) -> Allowances:
        """The shared 24-hour spend (available once started)."""
        if self._allowances is None:
            raise RuntimeError("the signer has not started")
        return self._allowances

    def status(self) -> dict[str, object]:
        """Counters for the stats endpoint."""
        return {
            "worker": self.name,
            "signed": self.signed,
            "refused": self.refused,
            "batches": self.batches,
        }

    async def stop(self) -> None:
        """Stops taking requests, finishes the queued ones, zeroes the keys."""
        if self._service is not None:
            await self._service.stop()
        while any(self.pending.values()) or any(self._busy.values()):
            await asyncio.sleep(0.005)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.ring.close()

    def _enqueue(self, kind: str) -> Callable[[Request], Awaitable[None]]:
        pending, wake, full = self.pending[kind], self._wake[kind], self.options.max_batch

        async def handler(request: Request) -> None:
            if not pending:
                self._oldest[kind] = time.monotonic()
                wake.set()
            pending.append(request)
            if len(pending) == full:
                self._full[kind].set()

        return handler

    async def _batches(self, kind: str) -> None:
        """Takes up to ``max_batch`` pending requests once the oldest has waited
        ``max_wait`` (or the batch is full), signs them, audits, answers."""
        pending, wake, full = self.pending[kind], self._wake[kind], self._full[kind]
        while True:
            await wake.wait()
            left = self._oldest[kind] + self.options.max_wait - time.monotonic()
            if left > 0 and len(pending) < self.options.max_batch:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(full.wait(), left)
            requests = pending[: self.options.max_batch]
            del pending[: self.options.max_batch]
            full.clear()
            if pending:
                self._oldest[kind] = time.monotonic()
            else:
                wake.clear()
            self._busy[kind] = True
            try:
                await self._serve(kind, [_parse_request(r) for r in requests])
            finally:
                self._busy[kind] = False

    async def _serve(self, kind: str, batch: list[_Job]) -> None:
        work = [job for job in batch if job.error is None]
        try:
            if work:
                await self._handlers[kind](work)
        except Exception as error:  # never let one batch stop the worker
            log.exception("batch failed", extra=fields(kind=kind))
            for job in work:
                if job.reply is None and job.error is None:
                    job.fail("internal_error", type(error).__name__)
        try:
            await self._audit(kind, batch)
        except Exception as error:  # no signature leaves without its audit record
            log.error("audit failed", extra=fields(kind=kind, error=type(error).__name__))
            for job in batch:
                if job.error is None:
                    job.reply = None
                    job.fail("audit_unavailable", "the audit record could not be stored")
            if kind == "eth_tx":
                await self._release(batch)
        await self._answer(batch)

    async def _audit(self, kind: str, batch: list[_Job]) -> None:
        """One AUDIT message per batch, stored before any reply."""
        records = [
            {
                "key": job.key,
                "digest": job.digest,
                "decision": "refused" if job.error else "signed",
                "reason": job.error[0] if job.error else "",
                **job.extra,
            }
            for job in batch
        ]
        audit = {"ts": time.time(), "worker": self.name, "kind": kind, "records": records}
        await self.bus.js.publish(f"tp.audit.{self.name}", json.dumps(audit).encode())

    async def _answer(self, batch: list[_Job]) -> None:
        self.batches += 1
        for job in batch:
            if job.error is not None:
                self.refused += 1
                await _respond_error(job.request, *job.error)
            else:
                self.signed += 1
                reply = job.reply
                await job.request.respond(
                    reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                )

    async def _release(self, batch: list[_Job]) -> None:
        """Gives back the allowance reserved for transactions that were not released."""
        for job in batch:
            if job.reserved:
                await self.allowances.release(job.key, job.extra["value"])
                job.reserved = False

    # -- the kinds ---------------------------------------------------------------------

    async def _sign_hashes(self, batch: list[_Job]) -> None:
        jobs = [j for j in self._with_key(batch) if _parse_hash(j)]
        if not jobs:
            return
        rows = np.fromiter((self.ring.rows[j.key] for j in jobs), np.intp, len(jobs))
        counts = np.fromiter((len(j.extra["hash"]) // 32 for j in jobs), np.intp, len(jobs))
        hashes = np.frombuffer(b"".join(j.extra.pop("hash") for j in jobs), np.uint8)
        secrets = self.ring.secrets[np.repeat(rows, counts)]
        try:
            signatures = await _run(sign.ecdsa_sign, secrets, hashes.reshape(-1, 32))
        finally:
            secrets.fill(0)
        text = signatures.tobytes().hex().encode()
        start = 0
        for job, count in zip(jobs, counts.tolist(), strict=True):
            if "hashes" in job.payload:
                each = [text[i : i + 130] for i in range(start, start + count * 130, 130)]
                job.reply = b'{"signatures":["0x' + b'","0x'.join(each) + b'"]}'
            else:
                job.reply = b'{"signature":"0x' + text[start : start + 130] + b'"}'
            start += count * 130

    async def _sign_ed25519(self, batch: list[_Job]) -> None:
        jobs = []
        for job in batch:
            if job.key.removeprefix("0x") not in self.ring.seed_rows:
                job.fail("unknown_key", "no Ed25519 key with this public key")
                continue
            try:
                job.extra["message"] = _hex_bytes(job.payload.get("message"), "message")
            except RequestError as error:
                job.fail(error.code, str(error))
                continue
            jobs.append(job)
        if not jobs:
            return
        rows = [self.ring.seed_rows[j.key.removeprefix("0x")] for j in jobs]
        seeds = self.ring.seeds[np.asarray(rows, np.intp)]
        messages = [j.extra.pop("message") for j in jobs]
        try:
            signatures = await _run(sign.ed25519_sign, seeds, messages)
        finally:
            seeds.fill(0)
        digests = sign.keccak256(messages)  # for the audit record, one call per batch
        for job, digest, signature in zip(jobs, digests, signatures, strict=True):
            job.digest = "0x" + digest.tobytes().hex()
            job.reply = {"signature": "0x" + signature.tobytes().hex()}

    async def _sign_messages(self, batch: list[_Job]) -> None:
        jobs = self._with_key(batch)
        for job in list(jobs):
            message = job.payload.get("message")
            if not isinstance(message, str):
                job.fail("malformed_request", "message must be text or 0x-hex")
                jobs.remove(job)
            else:
                job.extra["message"] = (
                    _hex_bytes(message, "message") if message.startswith("0x") else message
                )
        results = await _each_or_fail(
            eth.sign_messages, jobs, lambda js: [j.extra.pop("message", None) or "" for j in js],
            self._keys, "invalid_message",
        )  # fmt: skip
        for job, signed in results:
            job.digest = "0x" + signed.message_hash.hex()
            job.reply = _signed_message(signed)

    async def _sign_typed_data(self, batch: list[_Job]) -> None:
        jobs = self._with_key(batch)
        results = await _each_or_fail(
            eth.sign_typed_data_batch, jobs, lambda js: [j.payload.get("typed_data") for j in js],
            self._keys, "invalid_typed_data",
        )  # fmt: skip
        for job, signed in results:
            job.digest = "0x" + signed.message_hash.hex()
            job.reply = _signed_message(signed)

    async def _sign_transactions(self, batch: list[_Job]) -> None:
        jobs = self._with_key(batch)
        allowed = await self._apply_policy(jobs)
        results = await _each_or_fail(
            eth.sign_transactions, allowed, lambda js: [j.payload["tx"] for j in js],
            self._keys, "invalid_transaction",
        )  # fmt: skip
        signed_jobs = set()
        for job, signed in results:
            signed_jobs.add(id(job))
            job.digest = "0x" + signed.hash.hex()
            job.reply = {
                "raw_transaction": "0x" + signed.raw_transaction.hex(),
                "hash": "0x" + signed.hash.hex(),
                "r": signed.r,
                "s": signed.s,
                "v": signed.v,
            }
        # reserved but not signed: give it back
        await self._release([job for job in allowed if id(job) not in signed_jobs])

    async def _apply_policy(self, jobs: list[_Job]) -> list[_Job]:
        """Stateless rules, then the 24-hour limit (reserved per key with CAS)."""
        by_key: dict[str, list[_Job]] = {}
        for job in jobs:
            tx = job.payload.get("tx")
            try:
                if not isinstance(tx, dict):
                    raise RequestError("malformed_request", "tx must be a transaction object")
                value = _value(tx.get("value", 0))
                to = tx.get("to")
                to_text = "0x" + eth.parse_address(to).hex() if isinstance(to, str) else None
            except (RequestError, InvalidInput, ValueError) as error:
                job.fail(getattr(error, "code", "invalid_transaction"), str(error))
                continue
            job.extra.update(value=value, to=(to_text or "").lower())
            reason = self.policy.check(job.key, to_text, value)
            if reason is not None:
                job.fail(reason, f"withdrawal policy: {reason}")
                continue
            by_key.setdefault(job.key, []).append(job)
        allowed = []
        for key, group in by_key.items():
            limit = self.policy.keys[key].daily_limit
            granted = await self.allowances.reserve(key, [j.extra["value"] for j in group], limit)
            for job, ok in zip(group, granted, strict=True):
                job.reserved = ok
                if ok:
                    allowed.append(job)
                else:
                    job.fail("daily_limit_exceeded", "withdrawal policy: 24-hour limit")
        return allowed

    def _with_key(self, batch: list[_Job]) -> list[_Job]:
        jobs = []
        for job in batch:
            if job.key not in self.ring.ecdsa:
                job.fail("unknown_key", "no secp256k1 key with this address")
            else:
                jobs.append(job)
        return jobs

    def _keys(self, jobs: Sequence[_Job]) -> list[sign.PrivateKey]:
        return [self.ring.ecdsa[j.key] for j in jobs]


def _parse_request(request: Request) -> _Job:
    """The request's job; a body that is not a JSON object with a key fails it."""
    try:
        body = json.loads(request.data)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("key"), str):
        job = _Job(request, "", {})
        job.fail("malformed_request", "a JSON object with a key")
        return job
    return _Job(request, body["key"].lower(), body)


def _parse_hash(job: _Job) -> bool:
    """Reads the job's 32-byte digest (``hash``) or digests (``hashes``, at most
    :data:`MAX_HASHES`); False (and the job failed) if they are not that."""
    try:
        many = job.payload.get("hashes")
        if many is None:
            text = job.payload.get("hash")
            job.extra["hash"] = _hex_bytes(text, "hash", 32)
            job.digest = "0x" + text.removeprefix("0x").lower()  # checked hex: no re-encoding
            return True
        if not isinstance(many, list) or not 0 < len(many) <= MAX_HASHES:
            raise RequestError("malformed_request", f"hashes must be 1 to {MAX_HASHES} digests")
        digests = [_hex_bytes(h, f"hashes[{i}]", 32) for i, h in enumerate(many)]
    except RequestError as error:
        job.fail(error.code, str(error))
        return False
    job.extra["hash"] = b"".join(digests)
    job.extra["digests"] = ["0x" + d.hex() for d in digests]
    return True


def _value(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RequestError("invalid_transaction", "value must be an integer or a hex string")
    number = int(value, 16) if isinstance(value, str) and value.startswith("0x") else int(value)
    if number < 0:
        raise RequestError("invalid_transaction", "value must not be negative")
    return number


def _signed_message(signed: eth.SignedMessage) -> dict[str, Any]:
    return {
        "signature": "0x" + signed.signature.hex(),
        "message_hash": "0x" + signed.message_hash.hex(),
        "r": signed.r,
        "s": signed.s,
        "v": signed.v,
    }


async def _run(function: Callable[..., Any], *args: Any) -> Any:
    """Runs a core batch call, in a thread when it is large enough to be worth it."""
    size = len(args[-1]) if args else 0
    if size >= THREAD_THRESHOLD:
        return await asyncio.to_thread(function, *args)
    return function(*args)


async def _each_or_fail(
    function: Callable[[list[Any], list[sign.PrivateKey]], list[Any]],
    jobs: list[_Job],
    inputs: Callable[[list[_Job]], list[Any]],
    keys: Callable[[Sequence[_Job]], list[sign.PrivateKey]],
    reason: str,
) -> list[tuple[_Job, Any]]:
    """Signs the jobs in one call; a bad item (the core names its index) fails alone and
    the rest are signed again."""
    remaining = list(jobs)
    while remaining:
        try:
            results = await _run(function, inputs(remaining), keys(remaining))
        except InvalidInput as error:
            index = error.index if error.index is not None else 0
            remaining[index].fail(reason, str(error))
            del remaining[index]
            continue
        return list(zip(remaining, results, strict=True))
    return []


async def _respond_error(request: Request, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await request.respond_error(code, message, data=body)


def run_signer(
    settings: BusSettings,
    keys_folder: Path,
    password: str,
    policy: WithdrawalPolicy,
    *,
    name: str,
    options: SignerOptions | None = None,
) -> int:
    """Runs a signer in this process until SIGTERM or SIGINT; returns the exit status."""
    ring = KeyRing.load(keys_folder, password)

    async def main() -> None:
        stop = stop_event()
        bus = await Bus.connect(settings, name=name, streams_only=True)
        worker = await SignerWorker(bus, ring, policy, name=name, options=options).start()
        await stop.wait()
        await worker.stop()
        await bus.close()
        log.info("signer stopped", extra=fields(worker=name))

    run(main())
    return 0
