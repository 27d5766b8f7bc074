"""The columnar ``RiskBook``: equal to the scalar account evaluation row for row, the same
with one thread or two, incremental recomputes equal to a full one, liquidation candidates
and their ``COMMAND_DTYPE`` orders, and bad input that names the argument or the row."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from risk_helpers import MARKET, MARKS, F, random_book

import tpcore
from tpcore import book, risk
from tpcore.errors import InvalidInput


@pytest.fixture
def one_thread() -> Iterator[None]:
    before = tpcore.get_num_threads()
    tpcore.set_num_threads(1)
    yield
    tpcore.set_num_threads(before)


def snapshot(result: risk.BatchResult) -> dict[str, np.ndarray]:
    return {name: array.copy() for name, array in vars(result).items()}


def assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for name, array in a.items():
        np.testing.assert_array_equal(array, b[name], err_msg=name)


def test_batch_equals_the_scalar_evaluation() -> None:
    data = random_book(11, 700)
    rb = data.risk_book()
    assert (rb.positions, rb.accounts, rb.symbols) == (len(data.account), 700, len(MARKET))
    out = rb.compute(data.wallets, MARKS)
    starts = np.searchsorted(data.account, np.arange(701))
    for a in range(700):
        rows = range(starts[a], starts[a + 1])
        scalar = risk.evaluate_account(
            int(data.wallets[a]), data.positions_of(rows), MARKET, MARKS.tolist()
        )
        assert out.account_margin_balance[a] == scalar.margin_balance
        assert out.account_maintenance_margin[a] == scalar.maintenance_margin
        assert out.account_initial_margin[a] == scalar.initial_margin
        assert out.account_margin_ratio[a] == scalar.margin_ratio
        assert out.account_available_balance[a] == scalar.available_balance
        assert out.account_liquidate[a] == scalar.liquidate
        for i, p in zip(rows, scalar.positions, strict=True):
            assert out.unrealized_pnl[i] == p.unrealized_pnl
            assert out.maintenance_margin[i] == p.maintenance_margin
            assert out.initial_margin[i] == p.initial_margin
            assert out.margin_ratio[i] == p.margin_ratio
            assert out.liquidation_price[i] == (p.liquidation_price or risk.NO_LIQUIDATION_PRICE)
            assert out.liquidate[i] == p.liquidate
    # The generator reaches every case: pools past maintenance, isolated and empty rows,
    # rows with and without a liquidation price.
    assert out.account_liquidate.sum() > 5
    assert (out.liquidate & data.isolated).sum() > 5
    assert ((data.qty != 0) & (out.liquidation_price == 0)).sum() > 5
    assert (out.liquidation_price != 0).sum() > 100


def test_results_do_not_depend_on_the_thread_count(one_thread: None) -> None:
    data = random_book(12, 3_000)
    single = snapshot(data.risk_book().compute(data.wallets, MARKS))
    tpcore.set_num_threads(2)
    assert_same(single, snapshot(data.risk_book().compute(data.wallets, MARKS)))


def test_outputs_are_allocated_once_and_inputs_are_not_copied() -> None:
    data = random_book(13, 50)
    rb = data.risk_book()
    first = rb.compute(data.wallets, MARKS)
    second = rb.compute(data.wallets, MARKS)
    assert first.unrealized_pnl is second.unrealized_pnl is rb.result.unrealized_pnl
    # The book reads the caller's qty array at each call: a change in place shows.
    before = first.unrealized_pnl.copy()
    data.qty[:] = 0
    rb.compute(data.wallets, MARKS)
    assert not rb.result.unrealized_pnl.any()
    assert before.any()


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    moves=st.lists(st.tuples(st.integers(0, 2), st.integers(-300, 300)), min_size=1, max_size=4),
)
def test_incremental_recompute_equals_a_full_recompute(
    seed: int, moves: list[tuple[int, int]]
) -> None:
    data = random_book(seed, 400)
    rb = data.risk_book()
    rb.compute(data.wallets, MARKS)
    marks = MARKS.copy()
    for symbol, bump in moves:
        marks[symbol] += marks[symbol] // 1_000 * bump
        expected = len(
            np.unique(
                np.concatenate([rb.holders(s) for s in np.nonzero(marks != MARKS)[0]] or [[]])
            )
        )
        count = rb.recompute(marks.copy())
        incremental = snapshot(rb.result)
        fresh = data.risk_book()
        assert_same(incremental, snapshot(fresh.compute(data.wallets, marks)))
        assert count <= expected
    # A position and a wallet change in place, then only that account is recomputed.
    account = int(data.account[0])
    data.qty[0] = -data.qty[0] or F(1)
    data.wallets[account] -= F(1_000)
    rb.recompute_accounts(np.array([account], np.uint32))
    assert_same(snapshot(rb.result), snapshot(data.risk_book().compute(data.wallets, marks)))


def test_recompute_touches_only_the_holders_of_the_moved_symbol() -> None:
    data = random_book(14, 300)
    rb = data.risk_book()
    rb.compute(data.wallets, MARKS)
    assert rb.recompute(MARKS.copy()) == 0
    marks = MARKS.copy()
    marks[1] += F(10)
    assert rb.recompute(marks) == len(rb.holders(1))
    assert rb.recompute(marks.copy()) == 0
    # Rows of accounts without the symbol keep their (stale) values: poison one and see.
    outsider = int(np.setdiff1d(np.arange(300), rb.holders(0))[0])
    rb.result.account_margin_balance[outsider] = -1
    marks[0] += F(5)
    rb.recompute(marks)
    assert rb.result.account_margin_balance[outsider] == -1


def distressed() -> risk.RiskBook:
    """Account 0 safe; 1 cross past maintenance (long BTC, short ETH); 2 one isolated short
    past maintenance and a safe cross position."""
    rb = risk.RiskBook(
        np.array([0, 1, 1, 2, 2], np.uint32),
        np.array([0, 0, 1, 1, 0], np.uint32),
        np.array([F(1), F("2.0005"), F(-10), F(-50), F("0.1")], np.int64),
        np.array([F(30_000), F(33_000), F(1_900), F(1_800), F(30_000)], np.int64),
        MARKET,
        leverage=np.array([10, 20, 20, 20, 10], np.uint32),
        isolated=np.array([False, False, False, True, False]),
        isolated_margin=np.array([0, 0, 0, F(10_000), 0], np.int64),
    )
    rb.compute(np.array([F(10_000), F(7_300), F(50_000)], np.int64), MARKS)
    return rb


def test_liquidation_candidates_most_at_risk_first() -> None:
    rb = distressed()
    candidates = rb.liquidation_candidates()
    assert [(c.account, c.isolated_row) for c in candidates] == [(2, 3), (1, None)]
    ratios = [c.margin_ratio for c in candidates]
    assert ratios == sorted(ratios, reverse=True)
    assert ratios[-1] >= risk.RATE_ONE
    (order,) = candidates[0].orders
    # Isolated short 50 ETH at 1,800 with 10,000: bankrupt at 1,800 + 10,000 / 50 = 2,000.
    assert (order.row, order.side, order.qty, order.qty_lots) == (3, book.Side.BUY, F(50), 50_000)
    assert (order.bankruptcy_price, order.price_ticks) == (F(2_000), 200_000)
    sell, buy = candidates[1].orders
    assert (sell.side, sell.qty, buy.side) == (
        book.Side.SELL,
        F(2),
        book.Side.BUY,
    )  # 2.0005 floored to the lot


def test_liquidation_commands_are_book_records_the_engine_accepts() -> None:
    rb = distressed()
    instruments = [
        book.instrument(7, "BTC-USDT", tick_size="0.01", lot_size="0.001", band_bps=1_000_000),
        book.instrument(8, "ETH-USDT", tick_size="0.01", lot_size="0.001", band_bps=1_000_000),
        book.instrument(9, "BTC-USD", tick_size="0.1", lot_size="1", band_bps=1_000_000),
    ]
    ids = np.array([100, 101, 102], np.uint64)
    commands, rows = rb.liquidation_commands(instruments, first_order_id=500, account_ids=ids)
    assert commands.dtype == book.COMMAND_DTYPE
    assert rows.tolist() == [3, 1, 2]
    assert commands["order_id"].tolist() == [500, 501, 502]
    assert commands["account"].tolist() == [102, 101, 101]
    assert commands["symbol"].tolist() == [8, 7, 8]
    assert commands["side"].tolist() == [book.Side.BUY, book.Side.SELL, book.Side.BUY]
    assert (commands["tif"] == book.TimeInForce.IOC).all()
    assert (commands["kind"] == book.CommandKind.SUBMIT).all()
    assert commands[0]["price"] == 200_000
    assert commands[0]["qty"] == 50_000
    engine = book.Engine()
    for instrument in instruments:
        engine.add_book(instrument)
    events = engine.process(commands)
    # An empty book: each IOC order is accepted and its remainder cancelled.
    kinds = [book.EventKind(k) for k in events["kind"]]
    assert book.EventKind.REJECTED not in kinds
    assert kinds.count(book.EventKind.ACCEPTED) == 3
    with pytest.raises(InvalidInput) as err:
        rb.liquidation_commands(instruments[:2])
    assert err.value.reason == "row_count_mismatch"
    assert "instruments" in str(err.value)


def test_account_order_groups_rows() -> None:
    account = np.array([2, 0, 2, 1, 0], np.uint32)
    order = risk.account_order(account, 3)
    assert order.tolist() == [1, 4, 3, 0, 2]
    assert np.all(np.diff(account[order]) >= 0)
    with pytest.raises(InvalidInput) as err:
        risk.account_order(account, 2)
    assert (err.value.reason, err.value.index) == ("index_out_of_range", 0)


# ---------------------------------------------------------------- bad input

U32, I64 = np.uint32, np.int64
GOOD = {
    "account": np.array([0, 0, 1], U32),
    "symbol": np.array([0, 1, 0], U32),
    "qty": np.array([F(1), F(-2), F(3)], I64),
    "entry_price": np.array([F(30_000), F(2_000), F(29_000)], I64),
}


def build(**replace: object) -> risk.RiskBook:
    args = {**GOOD, **replace}
    extra = {
        k: args.pop(k) for k in ("leverage", "isolated", "isolated_margin", "accounts") if k in args
    }
    return risk.RiskBook(*args.values(), MARKET, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("replace", "reason", "named"),
    [
        ({"qty": np.array([1.0, 2.0, 3.0])}, "invalid_dtype", "qty"),
        ({"account": np.array([0, 0, 1], np.int64)}, "invalid_dtype", "account"),
        ({"entry_price": np.ones((3, 1), I64)}, "invalid_shape", "entry_price"),
        ({"symbol": [0, 1, 0]}, "invalid_shape", "symbol"),
        ({"qty": np.ones(4, I64)}, "row_count_mismatch", "qty"),
        ({"leverage": np.ones(2, U32)}, "row_count_mismatch", "leverage"),
        ({"isolated": np.zeros(3, np.uint8)}, "invalid_dtype", "isolated"),
        ({"isolated_margin": np.zeros(6, I64)[::2]}, "not_contiguous", "isolated_margin"),
    ],
)
def test_bad_columns_name_the_argument(replace: dict[str, object], reason: str, named: str) -> None:
    with pytest.raises(InvalidInput) as err:
        build(**replace)
    assert (err.value.reason, err.value.index) == (reason, None)
    assert str(err.value).startswith(named)


@pytest.mark.parametrize(
    ("replace", "reason", "index", "named"),
    [
        ({"symbol": np.array([0, 3, 0], U32)}, "index_out_of_range", 1, "symbol"),
        ({"account": np.array([0, 1, 0], U32)}, "unsorted_accounts", 2, "sorted"),
        ({"account": np.array([0, 0, 5], U32), "accounts": 2}, "index_out_of_range", 2, "account"),
    ],
)
def test_bad_rows_name_the_row(
    replace: dict[str, object], reason: str, index: int, named: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        build(**replace)
    assert (err.value.reason, err.value.index) == (reason, index)
    assert f"row {index}" in str(err.value)
    assert named in str(err.value)


def test_compute_errors_name_the_argument_or_row() -> None:
    rb = build()
    wallets, marks = np.array([F(100), F(100)], I64), MARKS.copy()
    with pytest.raises(InvalidInput) as err:
        rb.recompute(marks)
    assert err.value.reason == "not_computed"
    with pytest.raises(InvalidInput) as err:
        rb.compute(wallets[:1], marks)
    assert (err.value.reason, err.value.index) == ("row_count_mismatch", None)
    assert "wallets" in str(err.value)
    with pytest.raises(InvalidInput) as err:
        rb.compute(wallets, marks[:2])
    assert err.value.reason == "row_count_mismatch"
    assert "marks" in str(err.value)
    with pytest.raises(InvalidInput) as err:
        rb.compute(wallets, marks.astype(np.float64))
    assert err.value.reason == "invalid_dtype"
    assert str(err.value).startswith("marks")
    bad = marks.copy()
    bad[1] = 0
    with pytest.raises(InvalidInput) as err:
        rb.compute(wallets, bad)
    assert (err.value.reason, err.value.index) == ("invalid_price", 1)
    with pytest.raises(InvalidInput) as err:
        rb.recompute(marks)  # the failed call left no valid outputs
    assert err.value.reason == "not_computed"
    rb.compute(wallets, marks)
    with pytest.raises(InvalidInput) as err:
        rb.recompute(marks[:2])
    assert err.value.reason == "row_count_mismatch"
    with pytest.raises(InvalidInput) as err:
        rb.recompute_accounts(np.array([1, 0], U32))
    assert (err.value.reason, err.value.index) == ("unsorted_accounts", 1)
    with pytest.raises(InvalidInput) as err:
        rb.recompute_accounts(np.array([7], U32))
    assert (err.value.reason, err.value.index) == ("index_out_of_range", 0)
    entry = GOOD["entry_price"].copy()
    entry[2] = -1
    broken = build(entry_price=entry)
    with pytest.raises(InvalidInput) as err:
        broken.compute(wallets, marks)
    assert (err.value.reason, err.value.index) == ("invalid_position", 2)
    assert "entry_price" in str(err.value)


def test_a_read_only_output_is_refused_not_written() -> None:
    rb = build()
    out = rb.compute(np.array([F(100), F(100)], I64), MARKS)
    out.margin_ratio.flags.writeable = False
    with pytest.raises(InvalidInput) as err:
        rb.compute(np.array([F(100), F(100)], I64), MARKS)
    assert err.value.reason == "array_in_use"
    assert "margin_ratio" in str(err.value)
