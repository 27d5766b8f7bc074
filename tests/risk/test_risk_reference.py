"""The fixed-point core against the exact Decimal reference (``benches/pyrisk.py``) on
random portfolios, and the properties the formulas promise: the margin ratio reaches 100%
at the liquidation price (within one tick), maintenance margin is continuous across tier
boundaries, PnL has the sign of the move for longs and shorts, linear and inverse."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from risk_helpers import MARKET, F, btcusd_coinm, btcusdt, ethusdt, reference

from benches.pyrisk import RefPosition, evaluate, tiers_from_rows
from tpcore import risk

REFERENCE = [reference(c) for c in MARKET]
TICK = [c.tick_size for c in MARKET]


@st.composite
def positions(draw: st.DrawFn) -> risk.Position:
    symbol = draw(st.integers(0, len(MARKET) - 1))
    lot = MARKET[symbol].lot_size
    qty = draw(st.integers(-20_000, 20_000)) * lot * (10 if symbol == 1 else 1)
    mark = (F(30_000), F(2_000), F(30_000))[symbol]
    entry = mark + mark // 10_000 * draw(st.integers(-3_000, 3_000))
    isolated = draw(st.one_of(st.none(), st.integers(0, F(200_000))))
    return risk.Position(symbol, qty, entry, draw(st.integers(1, 125)), isolated)


marks_st = st.tuples(
    st.integers(F(15_000), F(45_000)),
    st.integers(F(1_000), F(3_000)),
    st.integers(F(15_000), F(45_000)),
)


def as_reference(p: risk.Position) -> RefPosition:
    return RefPosition(p.symbol, p.qty, p.entry_price, p.leverage, p.isolated_margin)


@settings(max_examples=400, deadline=None)
@given(
    wallet=st.integers(-F(10_000), F(2_000_000)),
    held=st.lists(positions(), min_size=1, max_size=5),
    marks=marks_st,
)
def test_core_agrees_with_the_decimal_reference(
    wallet: int, held: list[risk.Position], marks: tuple[int, int, int]
) -> None:
    ours = risk.evaluate_account(wallet, held, MARKET, marks)
    theirs = evaluate(wallet, [as_reference(p) for p in held], REFERENCE, marks)
    assert (ours.unrealized_pnl, ours.margin_balance) == (
        theirs.unrealized_pnl,
        theirs.margin_balance,
    )
    assert (ours.maintenance_margin, ours.initial_margin) == (
        theirs.maintenance_margin,
        theirs.initial_margin,
    )
    assert (ours.margin_ratio, ours.available_balance, ours.liquidate) == (
        theirs.margin_ratio,
        theirs.available_balance,
        theirs.liquidate,
    )
    for p, mine, exact in zip(held, ours.positions, theirs.positions, strict=True):
        assert (mine.notional, mine.unrealized_pnl) == (exact.notional, exact.unrealized_pnl)
        assert (mine.maintenance_margin, mine.initial_margin) == (
            exact.maintenance_margin,
            exact.initial_margin,
        )
        assert (mine.margin_ratio, mine.liquidate) == (exact.margin_ratio, exact.liquidate)
        # The core finds the tier from the margin gap at each tier's cap, the reference by
        # trying each tier: both give the exact root rounded against the holder. For an
        # inverse contract the core floors one intermediate of the tier search, which can
        # matter exactly at a tier boundary: there the two may differ by one tick.
        slack = TICK[p.symbol] if MARKET[p.symbol].kind == "inverse" else 0
        if exact.liquidation_price is None or mine.liquidation_price is None:
            assert mine.liquidation_price == exact.liquidation_price
        else:
            assert abs(mine.liquidation_price - exact.liquidation_price) <= slack


@st.composite
def lone_position(draw: st.DrawFn) -> tuple[risk.Contract, int, int, int]:
    """A contract, an open position big enough that one tick moves its margin by more than
    a few units, and an isolated wallet."""
    contract = draw(st.sampled_from(MARKET))
    inverse = contract.kind == "inverse"
    side = draw(st.sampled_from([-1, 1]))
    qty = side * draw(st.integers(100, 200_000)) * (contract.lot_size if inverse else F("0.01"))
    entry = draw(st.integers(F(1_000), F(60_000)))
    notional = contract.notional(qty, entry)
    margin = notional * draw(st.integers(1, 300)) // 100
    return contract, qty, entry, margin


@settings(max_examples=400, deadline=None)
@given(case=lone_position())
def test_margin_ratio_is_100_percent_at_the_liquidation_price(
    case: tuple[risk.Contract, int, int, int],
) -> None:
    contract, qty, entry, margin = case
    price = contract.liquidation_price(qty, entry, margin)
    assume(price is not None)
    assert price is not None
    tick = contract.tick_size

    def pool(mark: int) -> risk.PositionRisk:
        held = [risk.Position(0, qty, entry, 1, margin)]
        return risk.evaluate_account(0, held, [contract], [mark]).positions[0]

    # Rounded against the holder, the liquidation price is the first tick on the safe side
    # of the exact root: one tick past it the pool is at or past maintenance (ratio at
    # least 100%), and one tick on the safe side it is not, whenever one tick moves the
    # margin by more than the few units the rounding of PnL and margin can take (far from
    # the entry an inverse contract's tick can be worth a single unit).
    long = qty > 0
    past, safe = (price - tick, price + tick) if long else (price + tick, price - tick)
    assume(min(past, safe) > 0)
    beyond, at, before = pool(past), pool(price), pool(safe)
    assert beyond.liquidate
    assert beyond.margin_ratio >= risk.RATE_ONE
    assert before.margin_ratio <= at.margin_ratio <= beyond.margin_ratio
    one_tick = abs(before.unrealized_pnl - at.unrealized_pnl)
    if one_tick > 10:
        assert not before.liquidate
        assert before.margin_ratio < risk.RATE_ONE


@st.composite
def bracket_tables(draw: st.DrawFn) -> risk.Brackets:
    """Random tables: ascending caps, non-decreasing rates, non-increasing leverage."""
    tiers = draw(st.integers(1, 8))
    caps = sorted(set(draw(st.lists(st.integers(1, F(10**9)), min_size=tiers, max_size=tiers))))
    rates = sorted(
        draw(st.lists(st.integers(1, 50_000_000), min_size=len(caps), max_size=len(caps)))
    )
    rows: list[tuple[int, int, int, int]] = []
    floor = 0
    for cap, mmr in zip(caps, rates, strict=True):
        leverage = max(1, min(125, risk.RATE_ONE // mmr))
        leverage = min(leverage, rows[-1][2]) if rows else leverage
        rows.append((floor, cap, leverage, mmr))
        floor = cap
    table = risk.Brackets(rows)
    # The maintenance amounts the core computed are the reference's recurrence.
    expected = [int(t.cum * risk.SCALE) for t in tiers_from_rows(rows)]
    assert [t[4] for t in table.tiers] == expected
    return table


@settings(max_examples=300, deadline=None)
@given(table=bracket_tables(), data=st.data())
def test_maintenance_margin_is_continuous_across_tier_boundaries(
    table: risk.Brackets, data: st.DataObject
) -> None:
    for k, (_, cap, _, mmr, cum) in enumerate(table.tiers[:-1]):
        below = table.maintenance_margin(cap)
        above = table.maintenance_margin(cap + 1)
        assert table.tier_index(cap) == k
        assert table.tier_index(cap + 1) == k + 1
        # The next tier's formula at the boundary itself, against this tier's.
        _, _, _, next_mmr, next_cum = table.tiers[k + 1]
        at_boundary = -(-cap * next_mmr // risk.SCALE) - next_cum
        assert abs(at_boundary - below) <= 1, (k, cap, mmr, cum)
        assert 0 <= above - below <= 2
    notional = data.draw(st.integers(0, F(10**9)))
    floor, _, _, mmr, cum = table.tiers[table.tier_index(notional)]
    exact = Decimal(notional) * mmr / risk.SCALE - cum
    assert table.maintenance_margin(notional) == max(0, int(exact.to_integral_value(ROUND_CEILING)))
    assert floor <= notional or table.tier_index(notional) == 0


@settings(max_examples=400, deadline=None)
@given(
    contract=st.sampled_from([btcusdt(), ethusdt(), btcusd_coinm()]),
    qty=st.integers(1, F(10_000)),
    entry=st.integers(F(1), F(100_000)),
    mark=st.integers(F(1), F(100_000)),
)
def test_pnl_has_the_sign_of_the_move(
    contract: risk.Contract, qty: int, entry: int, mark: int
) -> None:
    long = contract.unrealized_pnl(qty, entry, mark)
    short = contract.unrealized_pnl(-qty, entry, mark)
    if mark > entry:
        assert long >= 0
        assert short < 0
    elif mark < entry:
        assert long < 0
        assert short >= 0
    else:
        assert long == short == 0
    # Both round down (for the holder), so the two sides never sum above zero and are
    # at most one unit below it.
    assert -1 <= long + short <= 0


@pytest.mark.parametrize("contract", [btcusdt(), btcusd_coinm()], ids=["linear", "inverse"])
def test_pnl_examples_long_and_short(contract: risk.Contract) -> None:
    qty = F(1_000) if contract.kind == "inverse" else F(2)
    up = contract.unrealized_pnl(qty, F(40_000), F(50_000))
    down = contract.unrealized_pnl(qty, F(40_000), F(32_000))
    expected = (F("0.5"), -F("0.625")) if contract.kind == "inverse" else (F(20_000), -F(16_000))
    assert (up, down) == expected
    assert contract.unrealized_pnl(-qty, F(40_000), F(50_000)) == -up
