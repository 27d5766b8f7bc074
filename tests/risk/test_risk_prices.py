"""Index and mark prices through the Python API: worked cases for every flag, properties
(all-equal sources, one wild source bounded by the band), the batch form equal to the
scalar one, the stateful circuit breaker, and argument errors naming the argument."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from risk_helpers import F

from tpcore import risk
from tpcore.errors import InvalidInput

Flags = risk.PriceFlags


def arrays(
    prices: list[int], weights: list[int] | None = None, ts: int = 100
) -> tuple[np.ndarray, ...]:
    n = len(prices)
    return (
        np.array(prices, np.int64),
        np.array(weights or [F(1)] * n, np.int64),
        np.full(n, ts, np.int64),
    )


def test_weighted_mean_and_median() -> None:
    p, w, t = arrays([F(100), F(101), F(101)], [F(1), F(2), F(1)])
    mean = risk.index_price(risk.index_config(10, aggregation="mean"), p, w, t, now=100)
    median = risk.index_price(risk.index_config(10, aggregation="median"), p, w, t, now=100)
    assert (mean.price, mean.flags, mean.sources) == (F("100.75"), Flags.NONE, 3)
    assert median.price == F(101)


@pytest.mark.parametrize(
    ("outliers", "band_bps", "expected", "sources"),
    [("drop", 500, "100", 3), ("clamp", 300, "100.75", 4), ("none", 0, "125", 4)],
)
def test_one_wild_source(outliers: str, band_bps: int, expected: str, sources: int) -> None:
    config = risk.index_config(10, outliers=outliers, band_bps=band_bps)  # type: ignore[arg-type]
    result = risk.index_price(config, *arrays([F(99), F(100), F(101), F(200)]), now=100)
    assert (result.price, result.sources) == (F(expected), sources)
    assert (result.flags == Flags.OUTLIER) == (outliers != "none")


def test_stale_sources_fall_back_to_the_last_good_price() -> None:
    config = risk.index_config(10, min_sources=3)
    p, w, t = arrays([F(120)] * 3)
    t[:2] = 89  # 11 units old with a max age of 10
    held = risk.index_price(config, p, w, t, now=100, last_good=F(100))
    assert (held.price, held.flags, held.sources) == (
        F(100),
        Flags.UNCERTAIN | Flags.STALE_SOURCE,
        1,
    )
    never = risk.index_price(config, p, w, t, now=100)
    assert never.price == 0
    assert never.flags == Flags.UNCERTAIN | Flags.STALE_SOURCE | Flags.NO_PRICE
    # A zero weight or price drops the source too.
    w[2] = 0
    assert (
        risk.index_price(risk.index_config(10), p, w, np.full(3, 100, np.int64), now=100).sources
        == 2
    )


def test_breaker_holds_without_state_and_confirms_in_an_index_book() -> None:
    config = risk.index_config(100, breaker_percent="5", breaker_window=50, breaker_confirmations=2)
    jump = arrays([F(110)] * 3)
    held = risk.index_price(config, *jump, now=100, last_good=F(100))
    assert (held.price, held.flags) == (F(100), Flags.CIRCUIT_BREAKER)
    small = risk.index_price(config, *arrays([F(104)] * 3), now=100, last_good=F(100))
    assert (small.price, small.flags) == (F(104), Flags.NONE)

    book = risk.IndexBook(config, 2)
    assert (book.symbols, book.config) == (2, config)
    steady = tuple(np.tile(a, (2, 1)) for a in arrays([F(100)] * 3))
    first = book.compute(*steady, now=100)
    assert first.prices.tolist() == [F(100)] * 2
    assert first.flags.tolist() == [0, 0]
    moved = tuple(np.tile(a, (2, 1)) for a in jump)
    second = book.compute(*moved, now=101)
    assert second.prices.tolist() == [F(100)] * 2
    assert second.flags.tolist() == [Flags.CIRCUIT_BREAKER] * 2
    assert book.pending_confirmations().tolist() == [1, 1]
    third = book.compute(*moved, now=102)  # the second move beyond the threshold: confirmed
    assert third.prices.tolist() == [F(110)] * 2
    assert third.flags.tolist() == [0, 0]
    assert book.last_good().tolist() == [F(110)] * 2


def test_batch_equals_the_scalar_form_per_symbol() -> None:
    rng = np.random.default_rng(5)
    symbols, sources = 64, 7
    prices = F(100) + rng.integers(-F(3), F(3), (symbols, sources))
    prices[::5, 0] = F(300)  # a wild source in some rows
    weights = rng.integers(0, F(10), (symbols, sources))
    stamps = 100 - rng.integers(0, 15, (symbols, sources))
    last = np.where(np.arange(symbols) % 3 == 0, 0, F(100)).astype(np.int64)
    config = risk.index_config(
        10, min_sources=3, outliers="drop", band_bps=200, breaker_percent="2", breaker_window=5
    )
    batch = risk.index_prices(config, prices, weights, stamps, now=100, last_good=last)
    for s in range(symbols):
        one = risk.index_price(
            config, prices[s], weights[s], stamps[s], now=100, last_good=int(last[s]) or None
        )
        assert (batch.prices[s], batch.flags[s], batch.sources[s]) == (
            one.price,
            one.flags,
            one.sources,
        )
    assert {int(f) for f in batch.flags} > {0}


prices_st = st.integers(1, 10**15)
rule_st = st.sampled_from(["none", "drop", "clamp"])
aggregation_st = st.sampled_from(["mean", "median"])


@settings(max_examples=200, deadline=None)
@given(
    price=prices_st,
    weights=st.lists(st.integers(1, 10**12), min_size=1, max_size=20),
    rule=rule_st,
    aggregation=aggregation_st,
    band=st.integers(0, 9_999),
)
def test_all_equal_sources_give_that_price(
    price: int, weights: list[int], rule: str, aggregation: str, band: int
) -> None:
    config = risk.index_config(5, outliers=rule, band_bps=band, aggregation=aggregation)  # type: ignore[arg-type]
    result = risk.index_price(config, *arrays([price] * len(weights), weights), now=100)
    assert (result.price, result.flags, result.sources) == (price, Flags.NONE, len(weights))


@settings(max_examples=300, deadline=None)
@given(
    base=st.integers(10**6, 10**14),
    honest=st.lists(st.integers(-100, 100), min_size=3, max_size=15),
    wild=st.integers(1, 2**62),
    weight=st.integers(1, 10**15),
    band=st.integers(1, 2_000),
    rule=st.sampled_from(["drop", "clamp"]),
    aggregation=aggregation_st,
)
def test_a_single_wild_source_never_moves_the_index_past_the_band(
    base: int, honest: list[int], wild: int, weight: int, band: int, rule: str, aggregation: str
) -> None:
    # Honest sources within +-0.1% of base; one source at any price with any weight.
    prices = [base + base // 100_000 * k for k in honest] + [wild]
    weights = [F(1)] * len(honest) + [weight]
    config = risk.index_config(5, outliers=rule, band_bps=band, aggregation=aggregation)  # type: ignore[arg-type]
    result = risk.index_price(config, *arrays(prices, weights), now=100)
    low, high = min(prices[:-1]), max(prices[:-1])
    # The median of all sources lies among the honest ones, and the index within the band
    # of the median: never beyond the honest range widened by the band.
    assert low - low * band // 10_000 - 1 <= result.price <= high + high * band // 10_000 + 1


def test_mark_price_is_the_median_of_three() -> None:
    index = F(100)
    # Funding basis: 100 x (1 + 0.01% x 4/8) = 100.005.
    funding = {"funding_rate": risk.percent("0.01"), "time_to_funding": 4, "funding_interval": 8}
    assert risk.mark_price(index, **funding).price == F("100.005")
    assert risk.mark_price(index, **funding, basis_average=F("0.5"), last_price=F(99)).price == F(
        "100.005"
    )
    assert risk.mark_price(index, **funding, basis_average=F("2"), last_price=F(101)).price == F(
        101
    )
    two = risk.mark_price(index, **funding, last_price=F(101), index_flags=Flags.UNCERTAIN)
    assert two == risk.MarkPrice(F("100.5025"), Flags.UNCERTAIN)
    assert risk.mark_price(index).price == index


def test_basis_averages() -> None:
    ema = risk.Ema(risk.percent(50))
    assert ema.value is None
    assert [ema.update(x) for x in (F(10), F(20), F(20))] == [F(10), F(15), F("17.5")]
    twap = risk.Twap(10)
    assert twap.average(0) is None
    twap.update(0, F(1))
    twap.update(5, F(3))
    assert twap.average(10) == F(2)
    twap.update(3, F(100))  # older than the last sample: ignored
    assert twap.average(10) == F(2)


@pytest.mark.parametrize(
    ("replace", "reason", "named"),
    [
        ({"prices": np.ones(3, np.float64)}, "invalid_dtype", "prices"),
        ({"weights": np.ones(3, np.int32)}, "invalid_dtype", "weights"),
        ({"timestamps": np.ones((3, 1), np.int64)}, "invalid_shape", "timestamps"),
        ({"weights": np.ones(4, np.int64)}, "row_count_mismatch", "weights"),
        ({"prices": [1, 2, 3]}, "invalid_shape", "prices"),
        ({"prices": np.ones(6, np.int64)[::2]}, "not_contiguous", "prices"),
    ],
)
def test_scalar_index_argument_errors(replace: dict[str, object], reason: str, named: str) -> None:
    args = dict(zip(["prices", "weights", "timestamps"], arrays([F(1)] * 3), strict=True))
    args.update(replace)
    with pytest.raises(InvalidInput) as err:
        risk.index_price(risk.index_config(5), **args, now=100)  # type: ignore[arg-type]
    assert (err.value.reason, err.value.index) == (reason, None)
    assert str(err.value).startswith(named)


def test_batch_index_argument_errors() -> None:
    config = risk.index_config(5)
    p, w, t = (np.tile(a, (4, 1)) for a in arrays([F(1)] * 3))
    with pytest.raises(InvalidInput) as err:
        risk.index_prices(config, p, w[:3], t, now=100)
    assert err.value.reason == "row_count_mismatch"
    assert "weights" in str(err.value)
    with pytest.raises(InvalidInput) as err:
        risk.index_prices(config, p, w, t, now=100, last_good=np.zeros(3, np.int64))
    assert err.value.reason == "row_count_mismatch"
    assert "last_good" in str(err.value)
    with pytest.raises(InvalidInput) as err:
        risk.index_prices(config, p, w, t, now=100, last_good=np.array([0, 0, -5, 0], np.int64))
    assert (err.value.reason, err.value.index) == ("invalid_price", 2)
    with pytest.raises(InvalidInput) as err:
        risk.index_prices(config, p[0], w[0], t[0], now=100)
    assert err.value.reason == "invalid_shape"
    assert str(err.value).startswith("prices")
    with pytest.raises(InvalidInput) as err:
        risk.IndexBook(config, 3).compute(p, w, t, now=100)
    assert err.value.reason == "row_count_mismatch"
    with pytest.raises(InvalidInput) as err:
        risk.index_price(config, *arrays([F(1)]), now=100, last_good=0)
    assert err.value.reason == "invalid_price"
