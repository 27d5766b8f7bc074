"""Pairs a tpcore function with its peer in one pytest-benchmark run.

Every benchmark calls :func:`measure` with the case it measures (``"ecdsa_sign"``), the
batch size ``n``, and whether it is tpcore or the peer. The case, size and role travel in
the benchmark's ``extra_info``; ``benches/report.py`` reads them back from the JSON that
pytest-benchmark writes and computes each ratio as peer time / tpcore time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["QUICK", "measure", "record_latency"]

#: ``TPCORE_BENCH_QUICK=1`` (CI's quick pass) asks the benchmarks for smaller sizes; unset,
#: empty or ``0`` means the full sizes.
QUICK = os.environ.get("TPCORE_BENCH_QUICK", "") not in ("", "0")


def measure(
    benchmark: Any,
    work: Callable[..., object],
    *args: object,
    case: str,
    impl: str,
    n: int,
    peer: bool,
    targets: dict[str, float] | None = None,
    rounds: int | None = None,
    setup: Callable[[], tuple[tuple[object, ...], dict[str, object]]] | None = None,
) -> object:
    """Runs ``work(*args)`` under ``benchmark``, tagged for the ratio table.

    Args:
        benchmark: The pytest-benchmark fixture.
        work: The call to time; one call processes ``n`` items.
        *args: Its arguments, prepared outside the timed region.
        case: What is measured, the same string for tpcore and its peer.
        impl: The implementation's name as the table shows it (``"tpcore"``, ``"coincurve"``).
        n: Items per call, so the table can report items per second.
        peer: True for the implementation tpcore is compared with.
        targets: The ratio (peer time / tpcore time) tpcore aims for against each peer, by
            the peer's ``impl`` name; set on the tpcore side.
        rounds: A fixed number of rounds, for peers too slow to calibrate (one call of an
            eth-account loop over 10,000 items takes seconds).
        setup: Builds fresh ``(args, kwargs)`` for each round outside the timed region, for
            work that changes its input (an order book); needs ``rounds``.
    """
    benchmark.group = f"{case} n={n}"
    benchmark.extra_info.update(
        {
            "case": case,
            "impl": impl,
            "n": n,
            "role": "peer" if peer else "tpcore",
            "targets": targets or {},
        }
    )
    if setup is not None:
        return benchmark.pedantic(work, setup=setup, rounds=rounds or 5, iterations=1)
    if rounds is not None:
        return benchmark.pedantic(work, args=args, rounds=rounds, iterations=1)
    return benchmark(work, *args)


def record_latency(benchmark: Any, case: str, n: int, samples_ms: Any) -> None:
    """Records the percentiles of ``samples_ms`` (milliseconds) in the benchmark's
    ``extra_info`` for the latency table of ``benches/report.py``; ``n`` is the work each
    sample covers (requests sent, or rows recomputed per call)."""
    samples = np.asarray(samples_ms, dtype=np.float64)
    values = np.percentile(samples, [50, 90, 99, 99.9])
    info = benchmark.extra_info
    info["latency_case"] = case
    info["latency_ms"] = dict(
        zip(["p50", "p90", "p99", "p99.9"], map(float, values), strict=True),
        max=float(samples.max()),
    )
    info["n"] = n
