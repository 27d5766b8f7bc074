"""The load generator's order flow: a steady book, cancels of live passive orders only."""

from __future__ import annotations

import numpy as np
import pytest

from tpcore import book
from tpcore.services.config import DEMO_MARKETS
from tpcore.services.flow import FlowMix, OrderFlow

SYMBOL = "BTC-USDT"
SYMBOL_ID = DEMO_MARKETS.by_symbol(SYMBOL).symbol_id


def test_the_book_stays_within_depth_over_a_long_run() -> None:
    engine = DEMO_MARKETS.engine(SYMBOL)
    flow = OrderFlow(DEMO_MARKETS, [SYMBOL], seed=11, depth=500)
    sizes = []
    for n in (64, 6_400, 100_000, 1, 3_000):
        engine.process(flow.chunk(n, 0))
        sizes.append(engine.order_count(SYMBOL_ID)[0])
    assert max(sizes) <= 500
    assert sizes[-1] > 100  # not thinned out either


@pytest.mark.parametrize("chunk", [1, 7, 64, 5_000])
def test_cancels_name_outstanding_passive_orders_once(chunk: int) -> None:
    flow = OrderFlow(DEMO_MARKETS, [SYMBOL], seed=12, depth=300)
    placed: set[int] = set()
    cancelled: set[int] = set()
    for _ in range(40_000 // chunk):
        commands = flow.chunk(chunk, 0)
        for order_id, kind, tif in zip(
            commands["order_id"].tolist(),
            commands["kind"].tolist(),
            commands["tif"].tolist(),
            strict=True,
        ):
            if kind == book.CommandKind.CANCEL:
                assert order_id in placed, "cancel of an order the flow never rested"
                assert order_id not in cancelled, "the same order cancelled twice"
                cancelled.add(order_id)
            elif tif == book.TimeInForce.GTC:
                placed.add(order_id)
        assert len(placed) - len(cancelled) <= 300
    assert len(cancelled) > 5_000


def test_cancel_accounts_match_the_orders() -> None:
    flow = OrderFlow(DEMO_MARKETS, [SYMBOL], seed=13, depth=200)
    commands = flow.chunk(20_000, 0)
    owner = {}
    for order_id, account, kind in zip(
        commands["order_id"].tolist(),
        commands["account"].tolist(),
        commands["kind"].tolist(),
        strict=True,
    ):
        if kind == book.CommandKind.CANCEL:
            assert owner[order_id] == account
        else:
            owner[order_id] = account


def test_the_flow_is_a_function_of_its_seed() -> None:
    def run(seed: int) -> np.ndarray:
        flow = OrderFlow(DEMO_MARKETS, [SYMBOL], seed=seed, first_order_id=5)
        return np.concatenate([flow.chunk(n, 0) for n in (10, 1_000, 3)])

    assert run(1).tobytes() == run(1).tobytes()
    assert run(1).tobytes() != run(2).tobytes()


def test_the_mix_still_sets_the_shares_below_depth() -> None:
    flow = OrderFlow(DEMO_MARKETS, [SYMBOL], mix=FlowMix(1, 0, 1), seed=14, depth=10**6)
    commands = flow.chunk(10_000, 0)
    assert not np.any(commands["kind"] == book.CommandKind.CANCEL)
    share = np.mean(commands["tif"] == book.TimeInForce.IOC)
    assert 0.45 < share < 0.55


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="depth"):
        OrderFlow(DEMO_MARKETS, [SYMBOL], depth=0)
