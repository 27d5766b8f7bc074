"""Binance's published worked examples, through the Python API: maintenance margin with
tiers and maintenance amounts, initial margin above the tier's leverage, the September 2021
cross-margin liquidation prices, and hand-computed COIN-M and isolated cases."""

from __future__ import annotations

import pytest
from risk_helpers import BTCUSDT_2021, ETHUSDT_2021, F, btcusd_coinm, btcusdt, ethusdt

from tpcore import risk
from tpcore.errors import InvalidInput


@pytest.mark.parametrize(
    ("notional", "mmr_percent", "cum", "mm"),
    [
        # "A BTCUSDT position of 264,000 USDT has a maintenance margin rate of 1%."
        ("264000", "1.00", "1300", "1340"),
        # "A position of 500,000 USDT has a maintenance amount of 1,300 USDT."
        ("500000", "1.00", "1300", "3700"),
        # The tier-2 boundary: 0.5% with cum 50 gives 1,200 at 250,000, and the next tier
        # (1%, cum 1,300) gives the same just above it. (The "MM 1,300" at this
        # point is the next tier's maintenance amount, not a margin.)
        ("250000", "0.50", "50", "1200"),
        ("250000.00000001", "1.00", "1300", "1200.00000001"),
        ("50000", "0.40", "0", "200"),
        ("3500032.458", "2.50", "16300", "71200.81145"),
    ],
)
def test_btcusdt_maintenance_margin(notional: str, mmr_percent: str, cum: str, mm: str) -> None:
    table = risk.brackets(BTCUSDT_2021)
    floor, cap, _, mmr, tier_cum = table.tiers[table.tier_index(F(notional))]
    assert (mmr, tier_cum) == (risk.percent(mmr_percent), F(cum))
    assert floor < F(notional) <= cap
    assert table.maintenance_margin(F(notional)) == F(mm)


def test_maintenance_amounts_are_computed_and_published_ones_checked() -> None:
    table = risk.brackets([row[:4] for row in BTCUSDT_2021])  # type: ignore[misc]
    assert [risk.from_fixed(t[4]) for t in table.tiers] == [row[4] for row in BTCUSDT_2021]
    assert table == risk.brackets(BTCUSDT_2021)
    wrong = list(BTCUSDT_2021)
    wrong[2] = (250_000, 1_000_000, 50, "1.00", 1_250)
    with pytest.raises(InvalidInput) as err:
        risk.brackets(wrong)
    assert err.value.reason == "invalid_brackets"
    assert "1250" in str(err.value) or "125000000000" in str(err.value)


def test_initial_margin_is_refused_above_the_tiers_leverage() -> None:
    table = risk.brackets(BTCUSDT_2021)
    assert table.initial_margin(F(40_000), 125) == F(320)
    with pytest.raises(InvalidInput) as err:
        table.initial_margin(F(60_000), 125)
    assert (err.value.reason, str(err.value)) == (
        "leverage_too_high",
        "leverage 125x is above the tier's maximum of 100x",
    )
    with pytest.raises(InvalidInput) as err:
        table.initial_margin(F(600_000_000), 1)
    assert err.value.reason == "notional_above_max"
    assert table.initial_margin_capped(F(600_000), 125) == F(12_000)
    assert table.initial_margin(F("100.00000001"), 3) == F("33.33333334")


def cross_example(tick: str) -> risk.AccountRisk:
    """Wallet 1,535,443.01 USDT; BTCUSDT long 109.488 at 32,481.98 (mark 31,967.27);
    ETHUSDT long 3,683.979 at 1,456.84 (mark 1,335.18)."""
    return risk.evaluate_account(
        F("1535443.01"),
        [
            risk.Position(0, F("109.488"), F("32481.98"), leverage=20),
            risk.Position(1, F("3683.979"), F("1456.84"), leverage=5),
        ],
        [btcusdt(tick), ethusdt(tick)],
        [F("31967.27"), F("1335.18")],
    )


def test_cross_example_reproduces_the_published_liquidation_prices() -> None:
    exact = cross_example("0.00000001")
    btc, eth = exact.positions
    assert (btc.maintenance_margin, eth.maintenance_margin) == (
        F("71200.811444"),
        F("356512.508122"),
    )
    assert (btc.unrealized_pnl, eth.unrealized_pnl) == (F("-56354.56848"), F("-448192.88514"))
    assert exact.maintenance_margin == btc.maintenance_margin + eth.maintenance_margin
    assert exact.margin_balance == F("1535443.01") + btc.unrealized_pnl + eth.unrealized_pnl
    assert not exact.liquidate
    # The exact roots 26,316.893264... and 1,153.256464..., rounded up (against the longs).
    assert (btc.liquidation_price, eth.liquidation_price) == (
        F("26316.89326452"),
        F("1153.25646424"),
    )
    cent = F("0.01")
    for position, published in [(btc, "26316.89"), (eth, "1153.26")]:
        assert position.liquidation_price is not None
        assert abs(position.liquidation_price - F(published)) < cent


def test_cross_example_at_the_cent_tick_is_within_one_tick() -> None:
    btc, eth = cross_example("0.01").positions
    # Rounded up to the tick: ETH lands on the published 1,153.26; BTC one tick above the
    # published 26,316.89 (the venue shows the root rounded to the nearest cent).
    assert eth.liquidation_price == F("1153.26")
    assert btc.liquidation_price == F("26316.90")


def test_isolated_eth_searches_the_tier_at_the_liquidation_notional() -> None:
    eth = ethusdt("0.00000001")
    price = eth.liquidation_price(F("3683.979"), F("1456.84"), F("1535443.01"))
    assert price == F("1114.78496375")
    notional = eth.notional(F("3683.979"), price)
    assert eth.brackets.tiers[eth.brackets.tier_index(notional)][3] == risk.percent("10")


@pytest.mark.parametrize(
    ("contracts", "entry", "wallet", "expected"),
    [
        # Binance's COIN-M formula (Q x MMR + s x Q) / ((WB + cum) / F + s x Q / EP):
        # isolated long 1,000 contracts at 40,000 with 0.5 BTC: 100,000 x 1.01 / 3.
        (1_000, "40000", "0.5", "33666.7"),
        # isolated short: 100,000 x 0.99 / (2.5 - 0.5).
        (-1_000, "40000", "0.5", "49500"),
        # long 100,000 contracts at 45,000 with 101 BTC: the root lies in the 12.5% tier.
        (100_000, "45000", "101", "33620.1"),
        # a short collateralised beyond its entry value is never liquidated.
        (-1_000, "40000", "3", None),
    ],
)
def test_coinm_liquidation_prices(
    contracts: int, entry: str, wallet: str, expected: str | None
) -> None:
    price = btcusd_coinm().liquidation_price(F(contracts), F(entry), F(wallet))
    assert price == (None if expected is None else F(expected))


def test_eth_table_maintenance_amounts_follow_the_recurrence() -> None:
    table = risk.brackets([row[:4] for row in ETHUSDT_2021])  # type: ignore[misc]
    assert [t[4] for t in table.tiers] == [F(row[4]) for row in ETHUSDT_2021]


def test_the_shipped_btcusdt_table_is_the_published_one() -> None:
    assert [row[:4] for row in BTCUSDT_2021] == list(risk.BINANCE_BTCUSDT_2021)
