"""``tpcore demo``: an in-process tour of what tpcore does, with timings.

Each section exercises one capability through the public API and prints what it did and
how fast. Sections are added as capabilities land; the fleet on NATS will take over the
demo once it exists.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

import tpcore

__all__ = ["run_tour"]

Section = Callable[[TextIO], None]


def _header(out: TextIO) -> None:
    out.write(f"tpcore {tpcore.__version__} on {tpcore.get_num_threads()} thread(s)\n")


def _timed(out: TextIO, label: str, count: int, work: Callable[[], object]) -> None:
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    rate = count / elapsed if elapsed > 0 else float("inf")
    out.write(f"  {label:<44} {count:>8,} in {elapsed * 1e3:8.2f} ms  ({rate:,.0f}/s)\n")


SECTIONS: list[Section] = []


def run_tour(out: TextIO) -> int:
    """Runs every section of the tour, writing to ``out``; returns an exit status."""
    _header(out)
    for section in SECTIONS:
        section(out)
    out.write("tour complete\n")
    return 0
