"""Load for the signer fleet: N signing requests with a bounded number in flight, a
progress bar, and throughput and latency percentiles."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TextIO

import numpy as np

from tpcore.services.loadgen import PERCENTILES, Progress
from tpcore.services.signing import SignerClient, hash_requests

__all__ = ["SignReport", "run_sign_load"]


@dataclass
class SignReport:
    """What a signing run measured."""

    kind: str
    requests: int
    signatures: int
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
            f"throughput {self.signatures / self.seconds:,.0f} signatures/s",
            f"errors     {errors}",
            f"latency ms {lat}",
        ]


def _bodies(kind: str, key: str, count: int, per_request: int) -> list[bytes]:
    """``count`` request bodies of ``kind``, each over fresh random bytes."""
    if kind == "hash":
        digests = np.frombuffer(os.urandom(32 * count * per_request), np.uint8)
        return hash_requests(key, digests.reshape(-1, 32), per_request)
    if per_request != 1:
        raise ValueError("only hash requests carry more than one item")
    payloads = np.frombuffer(os.urandom(32 * count), np.uint8).reshape(count, 32)
    if kind == "message":
        return [b'{"key":"%s","message":"request %d"}' % (key.encode(), i) for i in range(count)]
    if kind == "ed25519":
        return [b'{"key":"%s","message":"0x%s"}' % (key.encode(), p.tobytes().hex().encode())
                for p in payloads]  # fmt: skip
    raise ValueError(f"loadgen sign supports hash, message and ed25519, not {kind}")


async def run_sign_load(
    client: SignerClient,
    *,
    kind: str,
    key: str,
    requests: int,
    in_flight: int = 1000,
    rate: float = 0.0,
    per_request: int = 1,
    progress: TextIO | None = None,
) -> SignReport:
    """Sends ``requests`` requests (of ``per_request`` digests each for ``hash``), at most
    ``in_flight`` at a time, and with ``rate`` at that many per second (started in
    millisecond bursts)."""
    bodies = _bodies(kind, key, requests, per_request)
    bar = Progress(requests, progress, unit="requests")
    result = await client.request_many(
        kind, bodies, in_flight=in_flight, rate=rate, on_progress=lambda n: bar.show(n, n)
    )
    bar.close()
    return SignReport(
        kind, requests, requests * per_request, result.seconds, result.errors(),
        result.latencies_ms,
    )  # fmt: skip
