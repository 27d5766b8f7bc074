"""Money at the edge (decimals to the fixed scale and back, floats refused), the flag and
enum values, configs and contracts, and scalar errors that name what is wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest
from risk_helpers import BTCUSDT_2021, F, btcusd_coinm, btcusdt

from tpcore import risk
from tpcore.errors import InvalidInput


def test_fixed_point_round_trips() -> None:
    assert risk.SCALE == 10**8 == risk.RATE_ONE
    assert F("1535443.01") == 153_544_301_000_000
    assert F(Decimal("-0.5")) == -50_000_000
    assert F(2) == 200_000_000
    assert F("0.00000001") == 1
    assert risk.from_fixed(153_544_301_000_000) == Decimal("1535443.01")
    assert str(risk.from_fixed(-50_000_000)) == "-0.5"
    assert str(risk.from_fixed(F("500"))) == "500"
    assert risk.from_fixed(0) == 0
    assert risk.percent("0.5") == 500_000
    assert risk.percent(100) == risk.RATE_ONE
    assert risk.bps(50) == 500_000
    assert risk.bps("0.5") == 5_000


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (0.1, "float_money"),
        ("1.123456789", "invalid_decimal"),
        ("abc", "invalid_money"),
        ("NaN", "invalid_money"),
        ("Infinity", "invalid_money"),
        (True, "invalid_money"),
        (None, "invalid_money"),
        ("100000000000", "invalid_decimal"),
    ],
)
def test_bad_money_is_refused_with_a_reason(value: object, reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        risk.to_fixed(value, "wallet")  # type: ignore[arg-type]
    assert err.value.reason == reason
    assert "wallet" in str(err.value)


def test_price_flags_have_the_cores_bits() -> None:
    # The values are part of the API (uint8 columns); the core sets them (see the
    # index tests for each one being produced).
    assert [int(f) for f in risk.PriceFlags] == [1, 2, 4, 8, 16]
    assert (risk.PriceFlags.UNCERTAIN | risk.PriceFlags.OUTLIER).degraded
    assert not (risk.PriceFlags.OUTLIER | risk.PriceFlags.STALE_SOURCE).degraded


def test_index_config_from_basis_points_and_percent() -> None:
    config = risk.index_config(
        10,
        min_sources=3,
        outliers="clamp",
        band_bps=250,
        aggregation="median",
        breaker_percent="5",
        breaker_window=60,
        breaker_confirmations=3,
    )
    assert (config.max_age, config.min_sources, config.outliers, config.aggregation) == (
        10,
        3,
        "clamp",
        "median",
    )
    assert (config.band, config.breaker_threshold) == (2_500_000, 5_000_000)
    assert (config.breaker_window, config.breaker_confirmations) == (60, 3)
    assert config == risk.IndexConfig(
        10,
        min_sources=3,
        outliers="clamp",
        band=2_500_000,
        aggregation="median",
        breaker_threshold=5_000_000,
        breaker_window=60,
        breaker_confirmations=3,
    )
    assert "clamp" in repr(config)
    plain = risk.index_config(5)
    assert (plain.outliers, plain.band, plain.breaker_threshold) == ("none", 0, None)


@pytest.mark.parametrize(
    ("kwargs", "reason", "named"),
    [
        ({"outliers": "trim"}, "invalid_enum", "outliers"),
        ({"aggregation": "mode"}, "invalid_enum", "aggregation"),
        ({"min_sources": 0}, "invalid_config", "min_sources"),
        ({"outliers": "drop", "band_bps": 10_000}, "invalid_config", "band"),
        ({"breaker_percent": "5"}, "invalid_config", "breaker_window"),
        ({"breaker_percent": "0", "breaker_window": 5}, "invalid_config", "threshold"),
        (
            {"breaker_percent": "1", "breaker_window": 5, "breaker_confirmations": 0},
            "invalid_config",
            "confirmations",
        ),
    ],
)
def test_bad_index_configs_name_the_field(
    kwargs: dict[str, object], reason: str, named: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        risk.index_config(10, **kwargs)  # type: ignore[arg-type]
    assert err.value.reason == reason
    assert named in str(err.value)


def test_contract_accessors_and_scalar_formulas() -> None:
    btc = btcusdt()
    assert (btc.kind, btc.face_value, btc.tick_size, btc.lot_size) == (
        "linear",
        None,
        F("0.01"),
        F("0.001"),
    )
    assert len(btc.brackets) == len(BTCUSDT_2021)
    # A short's notional is |qty| x price, rounded up; PnL rounds down (for the holder).
    assert btc.notional(-F("0.00000001"), F("0.5")) == 1
    assert btc.unrealized_pnl(F("0.00000001"), F("1"), F("1.5")) == 0
    assert btc.unrealized_pnl(-F("0.00000001"), F("1"), F("1.5")) == -1
    notional, pnl, mm, im = btc.metrics(F("2"), F("30000"), F("31000"), 10)
    assert (notional, pnl, mm, im) == (F("62000"), F("2000"), F("260"), F("6200"))
    coin = btcusd_coinm()
    assert (coin.kind, coin.face_value) == ("inverse", F("100"))
    # 1,000 contracts of 100 USD: 100,000 / 40,000 = 2.5 BTC; PnL at 50,000: 100,000 x
    # (1/40,000 - 1/50,000) = 0.5 BTC.
    assert coin.notional(F("1000"), F("40000")) == F("2.5")
    assert coin.unrealized_pnl(F("1000"), F("40000"), F("50000")) == F("0.5")
    # Bankruptcy: the isolated short with 10,000 of 50 at 1,800 is bankrupt at 2,000.
    eth = risk.linear(risk.brackets(BTCUSDT_2021), tick_size="0.01")
    assert eth.bankruptcy_price(-F("50"), F("1800"), F("10000")) == F("2000")
    assert eth.liquidation_price(0, F("1800"), F("10000")) is None
    assert btc == btcusdt()
    assert btc != coin
    assert "linear" in repr(btc)
    assert "inverse" in repr(coin)


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (
            lambda: risk.Contract.linear(risk.Brackets.flat(10, 1_000_000), tick_size=0),
            "invalid_config",
        ),
        (lambda: risk.Contract.inverse(0, risk.Brackets.flat(10, 1_000_000)), "invalid_config"),
        (lambda: risk.Brackets([]), "invalid_brackets"),
        (
            lambda: risk.Brackets([(0, 10, 10, 1_000_000), (11, 20, 5, 2_000_000)]),
            "invalid_brackets",
        ),
        (lambda: risk.Brackets([(0, 10, 125, 1_000_000)]), "invalid_brackets"),
        (lambda: risk.Brackets([(0, 10)]), "invalid_brackets"),  # type: ignore[list-item]
        (lambda: risk.Brackets.flat(10, 1_000_000).initial_margin(5, 0), "invalid_position"),
        (lambda: btcusdt().metrics(1, 0, 100, 1), "invalid_position"),
        (lambda: btcusdt().liquidation_price(1, -5, 100), "invalid_position"),
        (lambda: btcusd_coinm().notional(1, 0), "division_by_zero"),
        (lambda: risk.mark_price(0), "invalid_price"),
        (lambda: risk.mark_price(F(100), funding_interval=0), "division_by_zero"),
        (lambda: risk.Ema(0), "invalid_config"),
        (lambda: risk.Twap(0), "invalid_config"),
    ],
)
def test_scalar_errors_have_reasons(call: object, reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        call()  # type: ignore[operator]
    assert err.value.reason == reason


def test_bad_tier_rows_name_the_row() -> None:
    with pytest.raises(InvalidInput) as err:
        risk.Brackets([(0, 10, 10, 1_000_000), "row"])  # type: ignore[list-item]
    assert (err.value.reason, err.value.index) == ("invalid_brackets", 1)
    assert "tiers[1]" in str(err.value)
    with pytest.raises(InvalidInput) as err:
        risk.brackets([("0", 0.5, 10, "1")])  # type: ignore[list-item]
    assert err.value.reason == "float_money"
    assert "rows[0].cap" in str(err.value)
