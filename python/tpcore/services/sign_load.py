"""Load for the signer fleet: N signing requests with a bounded number in flight, a
progress bar, and throughput and latency percentiles."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

from tpcore.services.loadgen import PERCENTILES, Progress
from tpcore.services.signing import SignerClient, SignerError

__all__ = ["SignReport", "run_sign_load"]


@dataclass
class SignReport:
    """What a signing run measured."""

    kind: str
    requests: int
    seconds: float
    errors: dict[str, int]
    latencies_ms: np.ndarray = field(repr=False)

    def lines(self) -> list[str]:
        """A human summary."""
        values = np.percentile(self.latencies_ms, PERCENTILES) if len(self.latencies_ms) else []
        lat = ", ".join(f"p{p:g} {v:.2f}" for p, v in zip(PERCENTILES, values, strict=False))
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"
        return [
            f"requests   {self.requests:,} of kind {self.kind}",
            f"throughput {self.requests / self.seconds:,.0f} signatures/s",
            f"errors     {errors}",
            f"latency ms {lat}",
        ]


def _body(kind: str, key: str, i: int) -> dict[str, Any]:
    payload = os.urandom(32)
    if kind == "hash":
        return {"key": key, "hash": "0x" + payload.hex()}
    if kind == "message":
        return {"key": key, "message": f"request {i}"}
    if kind == "ed25519":
        return {"key": key, "message": "0x" + payload.hex()}
    raise ValueError(f"loadgen sign supports hash, message and ed25519, not {kind}")


async def run_sign_load(
    client: SignerClient,
    *,
    kind: str,
    key: str,
    requests: int,
    in_flight: int = 1000,
    rate: float = 0.0,
    progress: TextIO | None = None,
) -> SignReport:
    """Sends ``requests`` requests, at most ``in_flight`` at a time, and with ``rate`` at
    that many per second (started in millisecond bursts)."""
    latencies = np.zeros(requests)
    errors: dict[str, int] = {}
    bar = Progress(requests, progress, unit="requests")
    gate = asyncio.Semaphore(in_flight)
    done = 0

    async def one(i: int) -> None:
        nonlocal done
        async with gate:
            started = time.perf_counter()
            try:
                await client.request(kind, _body(kind, key, i))
            except SignerError as error:
                errors[error.code] = errors.get(error.code, 0) + 1
            latencies[i] = (time.perf_counter() - started) * 1000.0
            done += 1
            if done % 500 == 0:
                bar.show(done, done)

    started = time.perf_counter()
    if rate <= 0:
        await asyncio.gather(*(one(i) for i in range(requests)))
    else:
        tasks = []
        for i in range(requests):
            ahead = started + i / rate - time.perf_counter()
            if ahead > 0.001:
                await asyncio.sleep(ahead)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
    seconds = time.perf_counter() - started
    bar.close()
    return SignReport(kind, requests, seconds, errors, latencies)
