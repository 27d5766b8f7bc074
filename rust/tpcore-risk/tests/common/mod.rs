//! Shared test data and helpers: published bracket tables (facts, with their dates) and
//! decimal helpers.
#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "each test file uses a part of the shared helpers; set-up that fails should fail the test"
)]

use tpcore_risk::fixed::parse_decimal;
use tpcore_risk::{Brackets, Contract, TierSpec};

/// A deterministic generator (splitmix64) for generated books.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    #[allow(clippy::cast_possible_wrap, reason = "n is small")]
    pub(crate) fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
}

/// A decimal string as a fixed-point amount (x 10^8).
pub(crate) fn d(text: &str) -> i64 {
    parse_decimal(text).unwrap()
}

/// A whole number as a fixed-point amount.
pub(crate) fn w(units: i64) -> i64 {
    units * 100_000_000
}

/// A percentage as a rate (`pct("0.5")` is 0.5%).
pub(crate) fn pct(text: &str) -> i64 {
    d(text) / 100
}

/// One published tier: notional floor and cap (whole units), max leverage, MMR in percent,
/// maintenance amount (whole units).
pub(crate) type Row = (i64, i64, u32, &'static str, i64);

/// Binance BTCUSDT perpetual (USDⓈ-M) tiers, as announced in "Updates to Leverage and
/// Margin Tiers of Binance Futures Contracts (2021-03-18)", in force for the September 2021
/// cross-margin liquidation example. Maintenance amounts as published with the formula
/// `floor x (MMR_n - MMR_(n-1)) + cum_(n-1)`.
pub(crate) const BTCUSDT_2021: [Row; 10] = [
    (0, 50_000, 125, "0.40", 0),
    (50_000, 250_000, 100, "0.50", 50),
    (250_000, 1_000_000, 50, "1.00", 1_300),
    (1_000_000, 10_000_000, 20, "2.50", 16_300),
    (10_000_000, 20_000_000, 10, "5.00", 266_300),
    (20_000_000, 50_000_000, 5, "10.00", 1_266_300),
    (50_000_000, 100_000_000, 4, "12.50", 2_516_300),
    (100_000_000, 200_000_000, 3, "15.00", 5_016_300),
    (200_000_000, 300_000_000, 2, "25.00", 25_016_300),
    (300_000_000, 500_000_000, 1, "50.00", 100_016_300),
];

/// Binance ETHUSDT perpetual (USDⓈ-M) tiers of 2021, as used by the September 2021
/// cross-margin example: the 10% tier (2,000,000 to 5,000,000, maintenance amount 135,365)
/// is the one the example's figures pin down; the other rows are the 2021 table whose
/// maintenance amounts the recurrence reproduces (15, 365, 5,365, 35,365, 135,365, ...).
pub(crate) const ETHUSDT_2021: [Row; 10] = [
    (0, 10_000, 100, "0.50", 0),
    (10_000, 100_000, 75, "0.65", 15),
    (100_000, 500_000, 50, "1.00", 365),
    (500_000, 1_000_000, 25, "2.00", 5_365),
    (1_000_000, 2_000_000, 10, "5.00", 35_365),
    (2_000_000, 5_000_000, 5, "10.00", 135_365),
    (5_000_000, 10_000_000, 4, "12.50", 260_365),
    (10_000_000, 20_000_000, 3, "15.00", 510_365),
    (20_000_000, 50_000_000, 2, "25.00", 2_510_365),
    (50_000_000, 100_000_000, 1, "50.00", 15_010_365),
];

/// Binance BTCUSD quarterly (COIN-M) tiers in BTC notional, after the 2021-08-23 change
/// ("Leverage and Margin Tiers of Binance Futures Contracts"); maintenance amounts are
/// computed (the announcement lists none).
pub(crate) const BTCUSD_COINM_2021: [(i64, i64, u32, &str); 8] = [
    (0, 10, 50, "1.00"),
    (10, 50, 20, "2.50"),
    (50, 100, 10, "5.00"),
    (100, 200, 5, "10.00"),
    (200, 400, 4, "12.50"),
    (400, 800, 3, "15.00"),
    (800, 1_500, 2, "25.00"),
    (1_500, 5_000, 1, "50.00"),
];

/// The tier specs of a published table, with the published maintenance amounts.
pub(crate) fn specs(rows: &[Row]) -> Vec<TierSpec> {
    rows.iter()
        .map(|&(floor, cap, lev, mmr, cum)| {
            TierSpec::new(w(floor), w(cap), lev, pct(mmr)).with_cum(w(cum))
        })
        .collect()
}

/// A published table as brackets (its maintenance amounts checked).
pub(crate) fn brackets(rows: &[Row]) -> Brackets {
    Brackets::new(&specs(rows)).unwrap()
}

/// The COIN-M table as brackets.
pub(crate) fn coinm_brackets() -> Brackets {
    let specs: Vec<_> = BTCUSD_COINM_2021
        .iter()
        .map(|&(floor, cap, lev, mmr)| TierSpec::new(w(floor), w(cap), lev, pct(mmr)))
        .collect();
    Brackets::new(&specs).unwrap()
}

/// BTCUSDT with a 0.01 tick and 0.001 lot.
pub(crate) fn btcusdt() -> Contract {
    Contract::linear(brackets(&BTCUSDT_2021))
        .with_tick_size(d("0.01"))
        .unwrap()
        .with_lot_size(d("0.001"))
        .unwrap()
}

/// ETHUSDT with a 0.01 tick and 0.001 lot.
pub(crate) fn ethusdt() -> Contract {
    Contract::linear(brackets(&ETHUSDT_2021))
        .with_tick_size(d("0.01"))
        .unwrap()
        .with_lot_size(d("0.001"))
        .unwrap()
}

/// BTCUSD COIN-M: 100 USD contracts, 0.1 tick, 1-contract lot.
pub(crate) fn btcusd_coinm() -> Contract {
    Contract::inverse(w(100), coinm_brackets())
        .unwrap()
        .with_tick_size(d("0.1"))
        .unwrap()
        .with_lot_size(w(1))
        .unwrap()
}
