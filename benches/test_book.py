"""Matching: tpcore's engine against a pure-Python sortedcontainers book, same commands.

Two workloads (see ``benches/book_workload.py``): the exchange-core mix (82% moves, 9%
adds, 6% cancels, 3% IOC, ~1,000 orders on ~750 levels) and a heavier matching mix. The
batch case runs ``Engine.process`` on the whole command array; the scalar case calls
``Engine.submit`` once per order, as a service handling one order at a time would. Each
round starts from a fresh book filled outside the timed region.

Set ``TPCORE_BENCH_QUICK=1`` to run 100,000 commands instead of 1,000,000.
"""

from __future__ import annotations

from functools import cache

import pytest

from benches.book_workload import SYMBOL, Workload, generate, instrument
from benches.harness import QUICK, measure
from benches.pybook import PyBook
from tpcore import book

N = 100_000 if QUICK else 1_000_000
WORKLOADS = ("exchange_core", "heavy")
SCALAR_N = 10_000


@cache
def workload(name: str) -> Workload:
    """The workload, generated once per session."""
    return generate(name, N)


def fresh_engine(prefill: object) -> book.Engine:
    engine = book.Engine()
    engine.add_book(instrument())
    engine.process(prefill)  # type: ignore[arg-type]
    return engine


def fresh_pybook(prefill: list[tuple[int, ...]]) -> PyBook:
    peer = PyBook()
    run_pybook(peer, prefill)
    return peer


def run_pybook(peer: PyBook, commands: list[tuple[int, ...]]) -> int:
    events = 0
    submit, cancel, amend = peer.submit, peer.cancel, peer.amend
    for kind, order_id, side, price, qty, tif in commands:
        if kind == book.CommandKind.SUBMIT:
            events += len(submit(order_id, side, price, qty, tif == book.TimeInForce.IOC))
        elif kind == book.CommandKind.CANCEL:
            events += len(cancel(order_id))
        else:
            events += len(amend(order_id, price, qty))
    return events


@pytest.mark.parametrize("name", WORKLOADS)
def test_process_tpcore(benchmark, name: str) -> None:
    w = workload(name)
    measure(
        benchmark,
        lambda engine: engine.process(w.stream),
        case=f"book process ({name})",
        impl="tpcore Engine.process",
        n=len(w.stream),
        peer=False,
        targets={"sortedcontainers": 10.0},
        rounds=5,
        setup=lambda: ((fresh_engine(w.prefill),), {}),
    )


@pytest.mark.parametrize("name", WORKLOADS)
def test_process_pybook(benchmark, name: str) -> None:
    w = workload(name)
    stream = w.tuples("stream")
    prefill = w.tuples("prefill")
    measure(
        benchmark,
        lambda peer: run_pybook(peer, stream),
        case=f"book process ({name})",
        impl="sortedcontainers",
        n=len(stream),
        peer=True,
        rounds=3,
        setup=lambda: ((fresh_pybook(prefill),), {}),
    )


def scalar_orders() -> list[tuple[int, str, int, int]]:
    """Passive GTC orders on both sides that never cross: the per-call cost alone."""
    return [
        (
            i,
            "buy" if i % 2 else "sell",
            1_000_000 - 1 - i % 500 if i % 2 else 1_000_000 + 1 + i % 500,
            1 + i % 7,
        )
        for i in range(1, SCALAR_N + 1)
    ]


def test_submit_tpcore(benchmark) -> None:
    orders = scalar_orders()

    def loop(engine: book.Engine) -> None:
        submit = engine.submit
        for order_id, side, price, qty in orders:
            submit(SYMBOL, order_id, order_id, side, qty, price)

    measure(
        benchmark,
        loop,
        case="book submit (scalar)",
        impl="tpcore Engine.submit",
        n=SCALAR_N,
        peer=False,
        targets={"sortedcontainers": 2.0},
        rounds=10,
        setup=lambda: ((fresh_engine(book.commands(0)),), {}),
    )


def test_submit_pybook(benchmark) -> None:
    orders = [(i, 1 if s == "buy" else 2, p, q) for i, s, p, q in scalar_orders()]

    def loop(peer: PyBook) -> None:
        submit = peer.submit
        for order_id, side, price, qty in orders:
            submit(order_id, side, price, qty, False)

    measure(
        benchmark,
        loop,
        case="book submit (scalar)",
        impl="sortedcontainers",
        n=SCALAR_N,
        peer=True,
        rounds=10,
        setup=lambda: ((PyBook(),), {}),
    )
