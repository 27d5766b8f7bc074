"""Margin: tpcore's ``RiskBook`` against the same formulas in vectorised numpy and in a
pure-Python ``Decimal`` loop, and index prices against numpy.

Workload (``benches/risk_workload.py``): 1,000,000 positions over 100,000 accounts (ten
each, on 100 linear symbols), a fifth isolated.

* full recompute after a mark tick: ``RiskBook.compute`` (all cores, and one thread)
  against :class:`~benches.risk_workload.NumpyMargin` (float64, one core);
* the same on a subset (1,000 accounts) against the exact ``Decimal`` reference of the
  tests (``benches/pyrisk.py``) run account by account: pure Python;
* incremental: one of the 100 symbols moves and ``RiskBook.recompute`` redoes only its
  holders' accounts, against numpy gathering those accounts' rows, computing them and
  scattering the results back (the holders' rows found once, outside the timed region, as
  tpcore's index is built once); tpcore's calls are also timed one by one for a latency
  row;
* index price from 20 sources for 1,000 symbols (staleness, a 1% drop band, weighted mean,
  three sources minimum): ``index_prices`` against the same steps in numpy.

Rates are positions (or symbols) per second. Set ``TPCORE_BENCH_QUICK=1`` for a tenth of
the sizes.
"""

from __future__ import annotations

import time
from functools import cache

import numpy as np
import pytest

from benches.harness import QUICK, measure, record_latency
from benches.pyrisk import RefContract, RefPosition, evaluate, tiers_from_rows
from benches.risk_workload import MarginBook, NumpyMargin, generate, moved_marks
from tpcore import risk

ACCOUNTS = 10_000 if QUICK else 100_000
SUBSET = 200 if QUICK else 1_000
INDEX_SYMBOLS, SOURCES = 1_000, 20


@cache
def workload() -> MarginBook:
    """The book, generated once per session."""
    return generate(ACCOUNTS)


@cache
def tick() -> np.ndarray:
    """The marks after a tick: 20 of the 100 symbols move by up to 50 bps."""
    return moved_marks(workload().marks, 20, 50)


def impl_param(*names: str) -> list[object]:
    return [pytest.param(name, id=name.replace(" ", "-")) for name in names]


@pytest.fixture
def threads(request: pytest.FixtureRequest, impl: str) -> None:
    if impl.endswith("1 thread"):
        request.getfixturevalue("one_thread")


# ---------------------------------------------------------------- full recompute


@pytest.mark.parametrize("impl", impl_param("tpcore", "tpcore 1 thread"))
def test_full_recompute_tpcore(benchmark, impl: str, threads: None) -> None:
    book = workload()
    rb = book.risk_book()
    marks = tick()
    targets = {"numpy": 10.0} if impl == "tpcore" else None
    measure(
        benchmark,
        rb.compute,
        book.wallets,
        marks,
        case="margin full recompute",
        impl=impl,
        n=len(book.qty),
        peer=False,
        targets=targets,
    )
    # The figures are those of the scalar evaluation (spot check of the first account).
    first = risk.evaluate_account(
        int(book.wallets[0]),
        [
            risk.Position(
                int(book.symbol[i]),
                int(book.qty[i]),
                int(book.entry_price[i]),
                int(book.leverage[i]),
                int(book.isolated_margin[i]) if book.isolated[i] else None,
            )
            for i in range(10)
        ],
        book.contracts,
        marks.tolist(),
    )
    assert rb.result.account_margin_balance[0] == first.margin_balance


def test_full_recompute_numpy(benchmark) -> None:
    book = workload()
    peer = NumpyMargin(book)
    marks = tick()
    out = measure(
        benchmark,
        peer.compute,
        book.wallets,
        marks,
        case="margin full recompute",
        impl="numpy",
        n=len(book.qty),
        peer=True,
        rounds=5 if not QUICK else None,
    )
    assert isinstance(out, dict)
    check_numpy_agrees(book, out, marks)


def check_numpy_agrees(book: MarginBook, out: dict[str, np.ndarray], marks: np.ndarray) -> None:
    """The peer computes the same figures (to float precision; liquidation prices to the
    tick for nearly every row), so its timing is for the same work."""
    ours = book.risk_book().compute(book.wallets, marks)
    scale = risk.SCALE
    np.testing.assert_allclose(out["unrealized_pnl"], ours.unrealized_pnl / scale, atol=1e-6)
    np.testing.assert_allclose(
        out["maintenance_margin"], ours.maintenance_margin / scale, atol=1e-6
    )
    np.testing.assert_allclose(
        out["account_margin_balance"], ours.account_margin_balance / scale, atol=1e-4
    )
    assert (out["account_liquidate"] == ours.account_liquidate).mean() > 0.999
    close = np.abs(out["liquidation_price"] - ours.liquidation_price / scale) <= 0.0100001
    assert close.mean() > 0.999


# ---------------------------------------------------------------- pure Python


@cache
def python_peer() -> tuple[MarginBook, list[RefContract], list[list[RefPosition]], np.ndarray]:
    sub = workload().subset(SUBSET)
    contract = sub.contracts[0]
    rows = [(f, c, lev, mmr) for f, c, lev, mmr, _ in contract.brackets.tiers]
    ref = RefContract(tiers_from_rows(rows), contract.tick_size)
    starts = np.searchsorted(sub.account, np.arange(SUBSET + 1))
    accounts = [
        [
            RefPosition(
                int(sub.symbol[i]),
                int(sub.qty[i]),
                int(sub.entry_price[i]),
                int(sub.leverage[i]),
                int(sub.isolated_margin[i]) if sub.isolated[i] else None,
            )
            for i in range(starts[a], starts[a + 1])
        ]
        for a in range(SUBSET)
    ]
    return sub, [ref] * len(sub.marks), accounts, starts


def test_subset_recompute_tpcore(benchmark) -> None:
    sub, *_ = python_peer()
    rb = sub.risk_book()
    measure(
        benchmark,
        rb.compute,
        sub.wallets,
        tick(),
        case="margin full recompute (subset)",
        impl="tpcore",
        n=len(sub.qty),
        peer=False,
    )


def test_subset_recompute_python(benchmark) -> None:
    sub, contracts, accounts, _ = python_peer()
    wallets = sub.wallets.tolist()
    marks = tick().tolist()

    def loop() -> list[object]:
        return [evaluate(wallets[a], held, contracts, marks) for a, held in enumerate(accounts)]

    out = measure(
        benchmark,
        loop,
        case="margin full recompute (subset)",
        impl="pure Python (Decimal)",
        n=len(sub.qty),
        peer=True,
        rounds=3,
    )
    assert isinstance(out, list)
    ours = sub.risk_book().compute(sub.wallets, tick())
    assert [a.margin_balance for a in out] == ours.account_margin_balance.tolist()  # type: ignore[attr-defined]


# ---------------------------------------------------------------- incremental


MOVED_SYMBOL = 42
#: Calls timed one by one for the incremental case's latency row.
LATENCY_CALLS = 200


def one_symbol_moves() -> tuple[np.ndarray, np.ndarray]:
    """Two mark vectors that differ in one symbol only."""
    base = tick()
    moved = base.copy()
    moved[MOVED_SYMBOL] += base[MOVED_SYMBOL] // 1_000
    return base, moved


def holder_rows(rb: risk.RiskBook, book: MarginBook) -> np.ndarray:
    holders = rb.holders(MOVED_SYMBOL)
    return np.flatnonzero(np.isin(book.account, holders))


def test_incremental_tpcore(benchmark) -> None:
    book = workload()
    rb = book.risk_book()
    base, moved = one_symbol_moves()
    rb.compute(book.wallets, base)
    marks = [moved, base]
    calls = []

    def recompute() -> int:
        # Alternate between the two vectors: every call sees the one symbol move.
        calls.append(None)
        return rb.recompute(marks[len(calls) % 2])

    rows = len(holder_rows(rb, book))
    count = measure(
        benchmark,
        recompute,
        case="margin incremental (1 of 100 symbols moves)",
        impl="tpcore",
        n=rows,
        peer=False,
    )
    assert count == len(rb.holders(MOVED_SYMBOL))
    # The latency of one such call, call by call.
    samples = []
    for _ in range(LATENCY_CALLS):
        started = time.perf_counter()
        recompute()
        samples.append((time.perf_counter() - started) * 1e3)
    record_latency(
        benchmark,
        f"margin incremental: 1 of 100 symbols moves ({count:,} accounts, {rows:,} positions)",
        rows,
        samples,
    )
    rb.recompute(base)
    fresh = book.risk_book().compute(book.wallets, base)
    np.testing.assert_array_equal(rb.result.liquidation_price, fresh.liquidation_price)


def test_incremental_numpy(benchmark) -> None:
    book = workload()
    rb = book.risk_book()
    base, moved = one_symbol_moves()
    # The layout of the holders' rows, found once (as tpcore builds its index once).
    rows = holder_rows(rb, book)
    sub_accounts, renumbered = np.unique(book.account[rows], return_inverse=True)
    renumbered = renumbered.astype(np.uint32)
    full = NumpyMargin(book).compute(book.wallets, base)

    def recompute(marks: np.ndarray) -> None:
        # Gather the holders' rows, compute them, scatter the results back.
        part = MarginBook(
            renumbered,
            book.symbol[rows],
            book.qty[rows],
            book.entry_price[rows],
            book.leverage[rows],
            book.isolated[rows],
            book.isolated_margin[rows],
            book.wallets[sub_accounts],
            marks,
            book.contracts,
        )
        out = NumpyMargin(part).compute(part.wallets, marks)
        for name, values in out.items():
            target = sub_accounts if name.startswith("account_") else rows
            full[name][target] = values

    measure(
        benchmark,
        recompute,
        moved,
        case="margin incremental (1 of 100 symbols moves)",
        impl="numpy",
        n=len(rows),
        peer=True,
    )


# ---------------------------------------------------------------- index price


@cache
def index_inputs() -> tuple[risk.IndexConfig, np.ndarray, np.ndarray, np.ndarray, int]:
    rng = np.random.default_rng(11)
    base = rng.integers(risk.to_fixed(1), risk.to_fixed(50_000), (INDEX_SYMBOLS, 1))
    prices = base + base // 10_000 * rng.integers(-20, 21, (INDEX_SYMBOLS, SOURCES))
    wild = rng.random((INDEX_SYMBOLS, SOURCES)) < 0.02
    prices = np.where(wild, prices * 3, prices).astype(np.int64)
    weights = rng.integers(1, risk.to_fixed(1_000), (INDEX_SYMBOLS, SOURCES)).astype(np.int64)
    now = 1_000_000
    stamps = (now - rng.integers(0, 1_500, (INDEX_SYMBOLS, SOURCES))).astype(np.int64)
    config = risk.index_config(1_000, min_sources=3, outliers="drop", band_bps=100)
    return config, prices, weights, stamps, now


def numpy_index(
    prices: np.ndarray, weights: np.ndarray, stamps: np.ndarray, now: int
) -> np.ndarray:
    """Staleness, the lower median of the live prices, the drop band, the weighted mean,
    the minimum of sources: the same steps, vectorised over symbols (float64)."""
    live = (prices > 0) & (weights > 0) & (now - stamps <= 1_000)
    count = live.sum(axis=1)
    ordered = np.sort(np.where(live, prices, np.iinfo(np.int64).max), axis=1)
    median = np.take_along_axis(ordered, np.maximum(count - 1, 0)[:, None] // 2, axis=1)
    delta = median // 10_000 * 100
    kept = live & (np.abs(prices - median) <= delta)
    w = np.where(kept, weights, 0).astype(np.float64)
    total = w.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (prices * w).sum(axis=1) / total
    return np.where(kept.sum(axis=1) >= 3, np.floor(mean), 0)


def test_index_tpcore(benchmark) -> None:
    config, prices, weights, stamps, now = index_inputs()
    out = measure(
        benchmark,
        lambda: risk.index_prices(config, prices, weights, stamps, now=now),
        case=f"index price ({SOURCES} sources)",
        impl="tpcore",
        n=INDEX_SYMBOLS,
        peer=False,
    )
    assert isinstance(out, risk.IndexPrices)
    peer = numpy_index(prices, weights, stamps, now)
    good = out.sources >= 3
    np.testing.assert_allclose(out.prices[good], peer[good], rtol=1e-12, atol=2)


def test_index_numpy(benchmark) -> None:
    _, prices, weights, stamps, now = index_inputs()
    measure(
        benchmark,
        numpy_index,
        prices,
        weights,
        stamps,
        now,
        case=f"index price ({SOURCES} sources)",
        impl="numpy",
        n=INDEX_SYMBOLS,
        peer=True,
    )
