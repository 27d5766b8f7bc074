//! Index price (staleness, outliers, minimum of sources, circuit breaker), mark price and
//! basis averages, and spot portfolio valuation.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "test set-up that fails should fail the test; generated sizes are small"
)]

mod common;

use common::{d, pct, w};
use proptest::prelude::*;
use rstest::rstest;
use tpcore_risk::index::compute_many;
use tpcore_risk::mark::funding_basis_price;
use tpcore_risk::{
    Aggregation, CircuitBreaker, Ema, FlaggedPrice, IndexConfig, IndexPrice, IndexState,
    MarkInputs, OutlierRule, PriceFlags, Quote, RiskError, Twap, mark_price, portfolio_value,
};

fn config(outliers: OutlierRule, aggregation: Aggregation) -> IndexConfig {
    IndexConfig {
        max_age: 10,
        min_sources: 3,
        outliers,
        aggregation,
        breaker: None,
    }
}

const RULES: [OutlierRule; 3] = [
    OutlierRule::None,
    OutlierRule::Drop { band: 5_000_000 },
    OutlierRule::Clamp { band: 3_000_000 },
];
const AGGREGATIONS: [Aggregation; 2] = [Aggregation::WeightedMean, Aggregation::WeightedMedian];

fn quotes(prices: &[i64]) -> Vec<Quote> {
    prices
        .iter()
        .enumerate()
        .map(|(k, &p)| Quote::new(p, w(1 + k as i64), 100))
        .collect()
}

#[rstest]
#[case::mean(Aggregation::WeightedMean, "100.75")]
#[case::median(Aggregation::WeightedMedian, "101")]
fn weighted_aggregation(#[case] aggregation: Aggregation, #[case] expected: &str) {
    let quotes = [
        Quote::new(w(100), w(1), 100),
        Quote::new(w(101), w(2), 100),
        Quote::new(w(101), w(1), 100),
    ];
    let mut state = IndexState::new();
    let cfg = config(OutlierRule::None, aggregation);
    let index = state.compute(&cfg, &quotes, 100).unwrap();
    assert_eq!(index.price, d(expected));
    assert_eq!(index.flags, PriceFlags::NONE);
    assert_eq!(index.sources, 3);
}

#[rstest]
#[case::drop(OutlierRule::Drop { band: pct("5") }, "100", 3)]
#[case::clamp(OutlierRule::Clamp { band: pct("3") }, "100.75", 4)]
fn one_wild_source(#[case] rule: OutlierRule, #[case] expected: &str, #[case] sources: u32) {
    // Honest sources at 99, 100, 101 (weight 1 each) and one at 200 (weight 1).
    let quotes: Vec<Quote> = [99, 100, 101, 200]
        .iter()
        .map(|&p| Quote::new(w(p), w(1), 100))
        .collect();
    let mut state = IndexState::new();
    let index = state
        .compute(&config(rule, Aggregation::WeightedMean), &quotes, 100)
        .unwrap();
    // Drop: (99 + 100 + 101) / 3. Clamp: the median is 100, the wild source counts 103.
    assert_eq!(index.price, d(expected));
    assert_eq!(index.flags, PriceFlags::OUTLIER);
    assert_eq!(index.sources, sources);
}

#[test]
fn stale_sources_fall_back_to_the_last_good_price() {
    let cfg = config(OutlierRule::None, Aggregation::WeightedMean);
    let mut state = IndexState::new();
    // Never a good price: 0 with no_price.
    let first = state.compute(&cfg, &quotes(&[w(100)]), 100).unwrap();
    assert_eq!(first.price, 0);
    assert!(
        first
            .flags
            .contains(PriceFlags::UNCERTAIN | PriceFlags::NO_PRICE)
    );
    let good = state.compute(&cfg, &quotes(&[w(100); 3]), 100).unwrap();
    assert_eq!(
        good,
        IndexPrice {
            price: w(100),
            flags: PriceFlags::NONE,
            sources: 3
        }
    );
    // Two sources 11 time units old (max age 10): fewer than 3 live.
    let mut later = quotes(&[w(120); 3]);
    later[0].timestamp = 89;
    later[1].timestamp = 89;
    let held = state.compute(&cfg, &later, 100).unwrap();
    assert_eq!(held.price, w(100));
    assert_eq!(held.flags, PriceFlags::UNCERTAIN | PriceFlags::STALE_SOURCE);
    assert_eq!(held.sources, 1);
    assert_eq!(state.last_good(), Some(w(100)));
    assert_eq!(held.flags.to_string(), "uncertain|stale_source");
}

/// The weighted mean without outlier rule, behind a 10% breaker over 60 time units.
fn guarded(confirmations: u32) -> IndexConfig {
    IndexConfig {
        breaker: Some(CircuitBreaker {
            threshold: pct("10"),
            window: 60,
            confirmations,
        }),
        ..config(OutlierRule::None, Aggregation::WeightedMean)
    }
}

/// Three equal quotes of `price` stamped `now`.
fn three_at(price: i64, now: i64) -> Vec<Quote> {
    (0..3).map(|_| Quote::new(price, w(1), now)).collect()
}

#[test]
fn circuit_breaker_holds_until_confirmed() {
    let cfg = guarded(3);
    let mut state = IndexState::new();
    assert_eq!(
        state.compute(&cfg, &three_at(w(100), 0), 0).unwrap().price,
        w(100)
    );
    // A 9% move is published.
    assert_eq!(
        state.compute(&cfg, &three_at(w(109), 1), 1).unwrap().price,
        w(109)
    );
    // 120 is more than 10% above the window's minimum (100): held twice...
    for now in [2, 3] {
        let held = state.compute(&cfg, &three_at(w(120), now), now).unwrap();
        assert_eq!(held.price, w(109));
        assert_eq!(held.flags, PriceFlags::CIRCUIT_BREAKER);
    }
    assert_eq!(state.pending_confirmations(), 2);
    // ...an uncertain computation neither counts nor resets...
    let uncertain = state.compute(&cfg, &three_at(w(120), 4)[..1], 4).unwrap();
    assert_eq!(uncertain.flags, PriceFlags::UNCERTAIN);
    assert_eq!(state.pending_confirmations(), 2);
    // ...and the third consecutive computation beyond the threshold confirms it.
    let confirmed = state.compute(&cfg, &three_at(w(120), 5), 5).unwrap();
    assert_eq!(
        confirmed,
        IndexPrice {
            price: w(120),
            flags: PriceFlags::NONE,
            sources: 3
        }
    );
    // A spike that reverts resets the count.
    assert!(
        state
            .compute(&cfg, &three_at(w(150), 6), 6)
            .unwrap()
            .flags
            .contains(PriceFlags::CIRCUIT_BREAKER)
    );
    assert_eq!(
        state.compute(&cfg, &three_at(w(121), 7), 7).unwrap().price,
        w(121)
    );
    assert_eq!(state.pending_confirmations(), 0);
    // Once the window has passed, nothing is left to compare with: a move is published.
    assert_eq!(
        state
            .compute(&cfg, &three_at(w(200), 100), 100)
            .unwrap()
            .price,
        w(200)
    );
}

#[test]
fn the_breaker_window_holds_only_prices_published_under_a_breaker() {
    let plain = config(OutlierRule::None, Aggregation::WeightedMean);
    let guarded = guarded(2);
    let mut state = IndexState::new();
    assert_eq!(
        state
            .compute(&plain, &three_at(w(100), 0), 0)
            .unwrap()
            .price,
        w(100)
    );
    // 100 was published without a breaker, so the window is empty: a 50% move passes...
    assert_eq!(
        state
            .compute(&guarded, &three_at(w(150), 1), 1)
            .unwrap()
            .price,
        w(150)
    );
    // ...and starts the window, against which the next one is held.
    let held = state.compute(&guarded, &three_at(w(200), 2), 2).unwrap();
    assert_eq!(
        (held.price, held.flags),
        (w(150), PriceFlags::CIRCUIT_BREAKER)
    );
    // A state restored from a last good price has it in its window.
    let mut restored = IndexState::with_last_good(w(100), 0);
    let held = restored.compute(&guarded, &three_at(w(150), 1), 1).unwrap();
    assert_eq!(
        (held.price, held.flags),
        (w(100), PriceFlags::CIRCUIT_BREAKER)
    );
}

#[test]
fn a_weighted_sum_beyond_i128_is_an_overflow_error() {
    let cfg = config(OutlierRule::None, Aggregation::WeightedMean);
    let heavy = |n: usize| vec![Quote::new(i64::MAX, i64::MAX, 100); n];
    // One product is just below 2^126: three pass i128::MAX, eight pass 2^128 as well.
    for n in [3, 8] {
        let mut state = IndexState::new();
        assert!(matches!(
            state.compute(&cfg, &heavy(n), 100),
            Err(RiskError::Overflow { .. })
        ));
        assert_eq!(state, IndexState::new());
    }
    // Two fit: the mean of equal prices is that price.
    let mut quotes = heavy(2);
    quotes.push(Quote::new(i64::MAX, 1, 100));
    let price = IndexState::new().compute(&cfg, &quotes, 100).unwrap();
    assert_eq!(price.price, i64::MAX);
}

#[test]
fn compute_many_matches_one_by_one_and_thread_count() {
    let cfg = IndexConfig {
        breaker: Some(CircuitBreaker {
            threshold: pct("5"),
            window: 10,
            confirmations: 2,
        }),
        ..config(
            OutlierRule::Drop { band: pct("5") },
            Aggregation::WeightedMedian,
        )
    };
    let symbols = 50usize;
    let per = 7usize;
    let mut all = Vec::new();
    let mut offsets = vec![0];
    for s in 0..symbols {
        for k in 0..per {
            let price = w(1_000 + s as i64) + (k as i64 * 7_919 * (s as i64 + 1)) % w(40);
            all.push(Quote::new(price, w(1 + k as i64 % 3), 5 - (k % 2) as i64));
        }
        offsets.push(all.len());
    }
    let mut expected = Vec::new();
    let mut one_states = vec![IndexState::new(); symbols];
    for (s, state) in one_states.iter_mut().enumerate() {
        expected.push(
            state
                .compute(&cfg, &all[offsets[s]..offsets[s + 1]], 5)
                .unwrap(),
        );
    }
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut states = vec![IndexState::new(); symbols];
        let mut out = vec![IndexPrice::default(); symbols];
        pool.install(|| compute_many(&cfg, &mut states, &all, &offsets, 5, &mut out))
            .unwrap();
        assert_eq!(out, expected);
        assert_eq!(states, one_states);
    }
}

proptest! {
    #[test]
    fn all_sources_equal_give_that_price(
        price in 1i64..w(1_000_000),
        n in 3usize..25,
        rule in 0usize..3,
        aggregation in 0usize..2,
    ) {
        let quotes: Vec<Quote> = (0..n).map(|k| Quote::new(price, 1 + k as i64, 0)).collect();
        let mut state = IndexState::new();
        let index = state.compute(&config(RULES[rule], AGGREGATIONS[aggregation]), &quotes, 0).unwrap();
        prop_assert_eq!(index, IndexPrice { price, flags: PriceFlags::NONE, sources: n as u32 });
    }

    #[test]
    fn one_wild_source_never_moves_the_index_past_the_band(
        base in w(1)..w(100_000),
        offsets in prop::collection::vec(-1_000_000i64..1_000_000, 3..20),
        weights in prop::collection::vec(1i64..w(1_000), 20),
        wild in 1i64..i64::MAX / 2,
        wild_weight in 1i64..w(1_000_000),
        rule in 1usize..3,
        aggregation in 0usize..2,
    ) {
        // Honest sources within +/-1% of the base; one source anywhere, with any weight.
        let honest: Vec<i64> = offsets.iter().map(|o| base + base / 100_000_000 * o).collect();
        let mut quotes: Vec<Quote> = honest
            .iter()
            .zip(&weights)
            .map(|(&p, &wt)| Quote::new(p, wt, 0))
            .collect();
        quotes.insert(quotes.len() / 2, Quote::new(wild, wild_weight, 0));
        let cfg = config(RULES[rule], AGGREGATIONS[aggregation]);
        let index = IndexState::new().compute(&cfg, &quotes, 0).unwrap();
        let band = match RULES[rule] {
            OutlierRule::Drop { band } | OutlierRule::Clamp { band } => i128::from(band),
            OutlierRule::None => unreachable!(),
        };
        let lo = i128::from(*honest.iter().min().unwrap()) * (100_000_000 - band) / 100_000_000;
        let hi = i128::from(*honest.iter().max().unwrap()) * (100_000_000 + band) / 100_000_000;
        prop_assert!(!index.flags.contains(PriceFlags::UNCERTAIN));
        prop_assert!((lo..=hi).contains(&i128::from(index.price)), "{} not in [{lo}, {hi}]", index.price);
    }
}

#[test]
fn mark_price_is_the_median_of_three() {
    let index = FlaggedPrice::with_flags(w(30_000), PriceFlags::OUTLIER);
    // Funding 0.01% with 4 of 8 hours left: 30,000 x (1 + 0.0001 x 0.5) = 30,001.5.
    assert_eq!(
        funding_basis_price(w(30_000), pct("0.01"), 4, 8).unwrap(),
        d("30001.5")
    );
    let inputs = MarkInputs {
        index,
        funding_rate: pct("0.01"),
        time_to_funding: 4,
        funding_interval: 8,
        basis_average: Some(w(5)),
        last_price: Some(w(29_990)),
    };
    // median(30,001.5, 30,005, 29,990) = 30,001.5, with the index's flags.
    assert_eq!(
        mark_price(&inputs).unwrap(),
        FlaggedPrice::with_flags(d("30001.5"), PriceFlags::OUTLIER)
    );
    // Two components: their mean; one: itself.
    let two = MarkInputs {
        basis_average: None,
        ..inputs
    };
    assert_eq!(mark_price(&two).unwrap().price, d("29995.75"));
    let one = MarkInputs {
        last_price: None,
        ..two
    };
    assert_eq!(mark_price(&one).unwrap().price, d("30001.5"));
}

#[test]
fn basis_averages() {
    let mut ema = Ema::new(pct("50")).unwrap();
    assert_eq!(ema.update(w(10)).unwrap(), w(10));
    assert_eq!(ema.update(w(20)).unwrap(), w(15));
    assert_eq!(ema.update(w(-5)).unwrap(), w(5));
    assert!(Ema::new(0).is_err());

    let mut twap = Twap::new(10).unwrap();
    assert_eq!(twap.average(0), None);
    twap.update(0, w(10));
    assert_eq!(twap.average(0), Some(w(10)));
    twap.update(5, w(20));
    // 10 for 5 units, 20 for 5 units.
    assert_eq!(twap.average(10), Some(w(15)));
    twap.update(12, w(40));
    // Window [5, 15]: 20 for 7 units (5..12), 40 for 3 units (12..15).
    assert_eq!(twap.average(15), Some(w(26)));
}

#[test]
fn portfolio_value_with_haircuts_and_flags() {
    let prices = [
        FlaggedPrice::new(w(30_000)),
        FlaggedPrice::with_flags(w(2_000), PriceFlags::UNCERTAIN),
        FlaggedPrice::with_flags(0, PriceFlags::NO_PRICE | PriceFlags::UNCERTAIN),
        FlaggedPrice::with_flags(w(1), PriceFlags::CIRCUIT_BREAKER),
    ];
    // 2 BTC at 10% haircut, 10 ETH at 5%, 5 of an unpriced asset, 1,000 owed of the last.
    let balances = [w(2), w(10), w(5), w(-1_000)];
    let haircuts = [pct("10"), pct("5"), pct("50"), pct("0")];
    let value = portfolio_value(&balances, &prices, &haircuts).unwrap();
    assert_eq!(value.value, w(54_000 + 19_000 - 1_000));
    assert!(
        value
            .flags
            .contains(PriceFlags::UNCERTAIN | PriceFlags::NO_PRICE | PriceFlags::CIRCUIT_BREAKER)
    );
    // A zero balance does not bring its price's flags.
    let clean = portfolio_value(&[w(1), 0], &prices[..2], &haircuts[..2]).unwrap();
    assert_eq!(clean.flags, PriceFlags::NONE);
    assert_eq!(clean.value, w(27_000));
    // Rounded down for the holder.
    let dust = portfolio_value(&[1], &[FlaggedPrice::new(d("0.5"))], &[0]).unwrap();
    assert_eq!(dust.value, 0);
    let owed = portfolio_value(&[-1], &[FlaggedPrice::new(d("0.5"))], &[0]).unwrap();
    assert_eq!(owed.value, -1);
    assert_eq!(
        portfolio_value(&[1], &prices[..1], &[pct("101")])
            .unwrap_err()
            .reason(),
        "invalid_config"
    );
}
