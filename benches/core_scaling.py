"""How independent this machine's cores are: single-threaded ``ecdsa_sign`` and
``ecdsa_verify`` in one process alone, then in as many processes side by side as there are
cores. On independent cores the side-by-side total is the cores times the solo rate.

    .venv/bin/python benches/core_scaling.py
"""

from __future__ import annotations

import multiprocessing
import os
import time

import numpy as np

import tpcore
from tpcore import sign

N = 20_000


def rates(_: int = 0) -> tuple[float, float]:
    """Best-of-5 signatures/s and best-of-3 verifications/s on one thread."""
    tpcore.set_num_threads(1)
    key = sign.PrivateKey.generate()
    secret = np.frombuffer(key.secret_bytes(), np.uint8)
    public = np.frombuffer(key.public_key, np.uint8)
    hashes = np.random.default_rng(1).integers(0, 256, (N, 32), dtype=np.uint8)
    signatures = sign.ecdsa_sign(secret, hashes)
    return N / _best(sign.ecdsa_sign, 5, secret, hashes), N / _best(
        sign.ecdsa_verify, 3, public, hashes, signatures
    )


def _best(call: object, rounds: int, *args: object) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        call(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    cores = os.cpu_count() or 1
    solo = rates()
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        together = pool.map(rates, range(cores))
    for i, what in enumerate(("ecdsa_sign", "ecdsa_verify")):
        total = sum(r[i] for r in together)
        print(
            f"{what:13} alone {solo[i]:9,.0f}/s   {cores} side by side {total:9,.0f}/s"
            f"   = {total / solo[i]:.2f}x one alone"
        )


if __name__ == "__main__":
    main()
