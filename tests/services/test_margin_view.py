"""The risk worker's columnar view of the ledger: kept across ticks, updated in place
when trades only resize positions or move wallets, rebuilt when positions open or close;
always the same margins as a view built from scratch."""

from __future__ import annotations

import numpy as np

from tpcore import book, risk
from tpcore.services.config import DEMO_MARKETS
from tpcore.services.ledger import Ledger
from tpcore.services.margin_view import MarginView
from tpcore.services.risk_worker import DEMO_BRACKETS

SYMBOLS = DEMO_MARKETS.symbols
INDEX = {s: i for i, s in enumerate(SYMBOLS)}
CONTRACTS = [
    risk.linear(risk.brackets(DEMO_BRACKETS), tick_size=m.tick_size, lot_size=m.lot_size)
    for m in DEMO_MARKETS.markets
]


def trades(rng: np.random.Generator, count: int, accounts: int) -> np.ndarray:
    events = np.zeros(count, book.EVENT_DTYPE)
    events["kind"] = book.EventKind.TRADE
    events["symbol"] = rng.choice([m.symbol_id for m in DEMO_MARKETS.markets], count)
    events["account"] = rng.integers(1, accounts, count)
    events["maker_account"] = (events["account"] + rng.integers(1, accounts - 1, count)) % (
        accounts
    ) + 1
    events["side"] = rng.choice([book.Side.BUY, book.Side.SELL], count)
    events["qty"] = rng.integers(1, 50, count)
    events["price"] = rng.integers(9_000, 11_000, count)
    events["taker_fee"] = rng.integers(0, 5, count)
    return events


def margins(view: MarginView, marks: np.ndarray) -> dict[int, tuple[int, int, bool]]:
    assert view.book is not None
    result = view.book.compute(view.wallets, marks)
    return {
        int(a): (int(b), int(m), bool(f))
        for a, b, m, f in zip(
            view.ids, result.account_margin_balance, result.account_maintenance_margin,
            result.account_liquidate, strict=True,
        )
    }  # fmt: skip


def test_the_kept_view_marks_like_a_fresh_one_after_every_message() -> None:
    rng = np.random.default_rng(5)
    ledger = Ledger(DEMO_MARKETS)
    ledger.default_wallet = risk.to_fixed("1000")
    kept = MarginView(CONTRACTS, INDEX)
    marks = np.zeros(len(SYMBOLS), np.int64)
    marks[0] = risk.to_fixed("100")  # only the first symbol is marked at first
    in_place = 0
    for seq in range(1, 60):
        ledger.apply(trades(rng, int(rng.integers(1, 6)), 12), seq)
        if seq == 30:
            marks[:] = risk.to_fixed("100")  # the others get their first mark: rebuilt
        marks[0] += int(rng.integers(-3, 4)) * risk.to_fixed("0.5")
        in_place += not kept.sync(ledger, marks)
        fresh = MarginView(CONTRACTS, INDEX)
        fresh.sync(ledger, marks)
        assert kept.keys == fresh.keys
        assert (kept.wallets == fresh.wallets).all()
        if fresh.book is not None:
            assert margins(kept, marks) == margins(fresh, marks)
    assert in_place > 0  # some messages only resized positions
    assert 1 < kept.rebuilds < 59


def test_a_new_ledger_is_a_rebuild() -> None:
    marks = np.full(len(SYMBOLS), risk.to_fixed("100"), np.int64)
    first = Ledger(DEMO_MARKETS)
    first.apply(trades(np.random.default_rng(1), 5, 6), 1)
    view = MarginView(CONTRACTS, INDEX)
    assert view.sync(first, marks)
    assert not view.sync(first, marks)
    second = Ledger.from_state(DEMO_MARKETS, first.state())
    assert view.sync(second, marks)
