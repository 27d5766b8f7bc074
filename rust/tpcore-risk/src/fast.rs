//! Fast paths of the hot formulas of the batch: the same exact results as the reference
//! functions of [`crate::margin`] and [`crate::account`], in 64-bit arithmetic where the
//! operands provably fit.
//!
//! Each function returns `None` when its inputs leave the range it handles (an
//! intermediate beyond 64 bits, a result that does not fit, an invalid input); the caller
//! then runs the reference function, which gives the result or the error. Whenever it
//! returns `Some`, the value is the reference's, bit for bit: every step is exact integer
//! arithmetic with the same rounding (the unit tests below compare both on random inputs
//! at and around the bounds).
//!
//! No step is a 128-bit division: products are exact (`u128`), divided by 10^8 with
//! 64-bit divisions by the constant ([`crate::divide::scale_quotient`]); the liquidation
//! price divides by the tier's precomputed reciprocal ([`crate::divide::Divisor`]) and
//! then by `|qty|` in 64 bits; tiers are found by the tables' ladders
//! ([`crate::ladder`]).

use std::hint::select_unpredictable;

use crate::bracket::Brackets;
use crate::contract::{Contract, ContractKind};
use crate::divide::{Divisor, scale_quotient};
use crate::fixed::{RATE_SCALE, SCALE, wide_mul64};
use crate::margin::PositionMetrics;

const S: u64 = SCALE.unsigned_abs();
const I64_MAX: u64 = i64::MAX.unsigned_abs();

/// 2^63 x 10^8: see [`linear_metrics`].
const PNL_OFFSET: i128 = (1 << 63) * SCALE as i128;

/// A linear symbol as the fast paths read it, gathered once per batch call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinearMarket<'a> {
    /// The mark price (positive).
    pub(crate) mark: u64,
    /// The price tick (at least 1).
    pub(crate) tick: u64,
    /// The highest price on the tick: a long's liquidation price beyond the `i64` range.
    pub(crate) top_price: i64,
    /// The most ticks whose price fits an `i64`.
    pub(crate) max_ticks: u64,
    /// The leverage brackets.
    pub(crate) brackets: &'a Brackets,
    /// Two per tier, long then short: see [`crate::contract::Contract`].
    pub(crate) divisors: Option<&'a [Divisor]>,
}

impl<'a> LinearMarket<'a> {
    /// The market of a linear contract at a mark; `None` for an inverse contract or a
    /// mark that is not positive.
    pub(crate) fn new(contract: &'a Contract, mark: i64) -> Option<Self> {
        if !matches!(contract.kind(), ContractKind::Linear) || mark <= 0 {
            return None;
        }
        let tick = contract.tick_size();
        Some(Self {
            mark: mark.unsigned_abs(),
            tick: tick.unsigned_abs(),
            top_price: i64::MAX - i64::MAX % tick,
            max_ticks: I64_MAX / tick.unsigned_abs(),
            brackets: contract.brackets(),
            divisors: contract.liquidation_divisors(),
        })
    }
}

/// The figures of [`crate::margin::position_metrics`] for a linear contract at the
/// market's mark, for `qty != 0`, a positive entry and a non-zero leverage; `None`
/// otherwise or when a figure does not fit.
#[inline(always)]
#[allow(clippy::inline_always, reason = "once per row in the batch's hot loop")]
pub(crate) fn linear_metrics(
    market: &LinearMarket<'_>,
    qty: i64,
    entry: i64,
    leverage: u32,
) -> Option<PositionMetrics> {
    if qty == 0 || entry <= 0 || leverage == 0 {
        return None;
    }
    // notional = ceil(|qty| x mark / 10^8), the floor of the product plus 10^8 - 1 (no
    // sum below wraps: every product is below 2^126).
    let size = u128::from(qty.unsigned_abs());
    let notional = scale_quotient(size * u128::from(market.mark) + u128::from(S - 1))?;
    if notional > I64_MAX {
        return None;
    }
    // PnL = floor(qty x (mark - entry) / 10^8); both prices are positive, so the
    // difference fits. The signed product plus 2^63 x 10^8 is non-negative (or, cast,
    // at least 2^127) and has a quotient below 2^64 exactly when the PnL fits an i64:
    // the PnL is that quotient - 2^63, with no branch on the signs.
    let diff = market.mark.cast_signed().wrapping_sub(entry);
    let offset = wide_mul64(qty, diff)
        .wrapping_add(PNL_OFFSET)
        .cast_unsigned();
    let unrealized_pnl = (scale_quotient(offset)? ^ (1 << 63)).cast_signed();
    let brackets = market.brackets;
    let tier = &brackets.tiers()[brackets.tier_index_fast(notional)];
    // MM = ceil(notional x mmr / 10^8) - cum, at least 0: 0 < mmr < 10^8, so the product
    // is below 2^63 x 10^8 and the quotient at most the notional.
    let rated = scale_quotient(
        u128::from(notional) * u128::from(tier.mmr.unsigned_abs()) + u128::from(S - 1),
    )?;
    let maintenance_margin = rated.cast_signed().checked_sub(tier.cum)?.max(0);
    // IM = ceil(notional / min(leverage, tier max)).
    let effective = u64::from(leverage.min(tier.max_leverage));
    let initial = notional / effective + u64::from(!notional.is_multiple_of(effective));
    Some(PositionMetrics {
        notional: notional.cast_signed(),
        unrealized_pnl,
        maintenance_margin,
        initial_margin: initial.cast_signed(),
    })
}

/// [`crate::margin::liquidation_price`] of a linear contract, as the batch's column holds
/// it: `Some(price)`, `Some(0)` for "no liquidation price" (the reference's `None`), or
/// `None` when the inputs leave the fast path (the reference then decides, or fails).
#[inline(always)]
#[allow(
    clippy::inline_always,
    reason = "measured: out of line, a call per row in the batch's hot loop"
)]
pub(crate) fn linear_liquidation_price(
    market: &LinearMarket<'_>,
    qty: i64,
    entry: i64,
    collateral: i64,
) -> Option<i64> {
    if qty == 0 {
        return Some(0);
    }
    if entry <= 0 {
        return None;
    }
    let long = qty > 0;
    let size = qty.unsigned_abs();
    // qty x entry - collateral x 10^8 (|each term| < 2^126 + 2^91: no sum below
    // overflows): the numerator below before the tier's maintenance amount, and the gap's
    // per-position part negated. The root search's key is the gap's part with the sign
    // that makes every tier's key positive, |qty| x entry -/+ collateral x 10^8 (long,
    // short): for a key at or below 0, the root is in the first tier, whose maintenance
    // amount is 0, and the numerator does not have the sign of the quantity.
    let signed_scale = select_unpredictable(long, -SCALE, SCALE);
    let key = (u128::from(size) * u128::from(entry.unsigned_abs()))
        .cast_signed()
        .wrapping_add(wide_mul64(collateral, signed_scale));
    if key <= 0 {
        return Some(0);
    }
    let brackets = market.brackets;
    let index = brackets.root_tier_index_of_key(key.unsigned_abs(), long);
    let tier = &brackets.tiers()[index];
    // LP = numerator x 10^8 / (qty x (10^8 -/+ mmr)), numerator = exposure - cum x 10^8,
    // rounded up for a long, down for a short: positive only when the numerator has the
    // sign of the quantity (else there is no liquidation price); its magnitude is
    // key -/+ cum x 10^8. Maintenance amounts are at least 0, so for a short it always
    // has.
    let magnitude = key.wrapping_add(wide_mul64(tier.cum, signed_scale));
    if magnitude <= 0 {
        return Some(0);
    }
    let magnitude = magnitude.unsigned_abs();
    // Straight to ticks, up for a long, down for a short: rounding the price and then the
    // ticks is rounding once (floor(floor(x / d) / t) = floor(x / (d x t)), and likewise
    // for ceil), and so is dividing by the tier's (10^8 -/+ mmr) x tick first and by
    // |qty| next. The first division is by a precomputed reciprocal, the second in 64
    // bits; both need quotients below 2^64, else one 128-bit division does it all.
    if let Some(ticks) = market
        .divisors
        .and_then(|d| d.get(2 * index + usize::from(!long)))
        .and_then(|divisor| ticks_by_reciprocal(divisor, magnitude, size, long))
    {
        return Some(price_of_ticks(ticks, long, market));
    }
    if magnitude >= 1 << 100 {
        return None;
    }
    let scaled = magnitude * u128::from(S);
    // 0 < mmr < 10^8: 0 < per_unit < 2^28, so the denominator is below 2^91.
    let per_unit = select_unpredictable(long, SCALE - tier.mmr, SCALE + tier.mmr);
    let denominator = u128::from(size) * u128::from(per_unit.unsigned_abs());
    let divisor = denominator.checked_mul(u128::from(market.tick))?;
    let q = scaled / divisor;
    let ticks = q + u128::from(long & (q.wrapping_mul(divisor) != scaled));
    Some(ticks_to_price(ticks, long, market))
}

/// `magnitude x 10^8 / (divisor x size)` rounded up (`up`) or down: by the divisor's
/// reciprocal, then by `size` in 64 bits; `None` when a quotient does not fit 64 bits.
#[inline(always)]
#[allow(clippy::inline_always, reason = "a part of linear_liquidation_price")]
fn ticks_by_reciprocal(divisor: &Divisor, magnitude: u128, size: u64, up: bool) -> Option<u64> {
    let per_size = divisor.scaled_quotient(magnitude, up)?;
    let t = per_size / size;
    // t x size <= per_size, and t + 1 <= per_size for size >= 2 (t = per_size for 1).
    Some(t.wrapping_add(u64::from(up & (t.wrapping_mul(size) != per_size))))
}

/// The price of a number of ticks as the column holds it: beyond the `i64` range, the
/// highest tick for a long (it is at or past maintenance at every price) and none (0) for
/// a short.
#[inline(always)]
#[allow(clippy::inline_always, reason = "a part of linear_liquidation_price")]
fn price_of_ticks(ticks: u64, long: bool, market: &LinearMarket<'_>) -> i64 {
    if ticks <= market.max_ticks {
        // At most i64::MAX: no wrap.
        ticks.wrapping_mul(market.tick).cast_signed()
    } else {
        select_unpredictable(long, market.top_price, 0)
    }
}

/// [`price_of_ticks`] of a wide number of ticks.
fn ticks_to_price(ticks: u128, long: bool, market: &LinearMarket<'_>) -> i64 {
    match u64::try_from(ticks) {
        Ok(t) => price_of_ticks(t, long, market),
        Err(_) if long => market.top_price,
        Err(_) => 0,
    }
}

/// [`crate::account::margin_ratio`]: `ceil(maintenance x 10^8 / balance)` for a positive
/// maintenance margin and balance, 0 without maintenance margin, `i64::MAX` for a balance
/// not positive or a ratio beyond the range.
#[inline]
pub(crate) fn margin_ratio(maintenance: i64, balance: i64) -> i64 {
    if maintenance <= 0 {
        return 0;
    }
    if balance <= 0 {
        return i64::MAX;
    }
    let (m, b) = (maintenance.unsigned_abs(), balance.unsigned_abs());
    let rate = RATE_SCALE.unsigned_abs();
    let ratio = if let Some(x) = m.checked_mul(rate) {
        x / b + u64::from(!x.is_multiple_of(b))
    } else {
        let x = u128::from(m) * u128::from(rate);
        let b = u128::from(b);
        let q = x / b;
        match u64::try_from(q + u128::from(q.wrapping_mul(b) != x)) {
            Ok(q) => q,
            Err(_) => return i64::MAX,
        }
    };
    i64::try_from(ratio).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::bracket::TierSpec;
    use crate::margin::{liquidation_price, position_metrics};

    const W: i64 = SCALE;

    /// The shape of the 2021 BTCUSDT table, and a one-tier table.
    fn tables() -> Vec<Brackets> {
        let rows: [(i64, i64, u32, i64); 10] = [
            (0, 50_000, 125, 400_000),
            (50_000, 250_000, 100, 500_000),
            (250_000, 1_000_000, 50, 1_000_000),
            (1_000_000, 10_000_000, 20, 2_500_000),
            (10_000_000, 20_000_000, 10, 5_000_000),
            (20_000_000, 50_000_000, 5, 10_000_000),
            (50_000_000, 100_000_000, 4, 12_500_000),
            (100_000_000, 200_000_000, 3, 15_000_000),
            (200_000_000, 300_000_000, 2, 25_000_000),
            (300_000_000, 500_000_000, 1, 50_000_000),
        ];
        let specs: Vec<_> = rows
            .iter()
            .map(|&(floor, cap, lev, mmr)| TierSpec::new(floor * W, cap * W, lev, mmr))
            .collect();
        // Three caps within one power of two: no ladders, the tiers are counted.
        let crowded = [
            TierSpec::new(0, 1_000 * W, 50, 1_000_000),
            TierSpec::new(1_000 * W, 1_100 * W, 40, 1_500_000),
            TierSpec::new(1_100 * W, 1_200 * W, 30, 2_000_000),
            TierSpec::new(1_200 * W, i64::MAX, 20, 2_500_000),
        ];
        vec![
            Brackets::new(&specs).unwrap(),
            Brackets::flat(20, 2_500_000).unwrap(),
            Brackets::flat(1, 99_999_999).unwrap(),
            Brackets::new(&crowded).unwrap(),
        ]
    }

    /// Amounts of every magnitude, weighted towards the bounds of the fast paths: around
    /// 0, 10^8, 2^63 / 10^8, 2^64 / 10^8, the tier caps, and i64::MAX.
    fn amount() -> impl Strategy<Value = i64> {
        let near = |centre: i64| (-1_000i64..1_000).prop_map(move |d| centre.saturating_add(d));
        prop_oneof![
            any::<i64>(),
            (0u32..63).prop_flat_map(|bits| -(1i64 << bits)..=(1i64 << bits)),
            near(0),
            near(W),
            near(i64::MAX / W),
            near((u64::MAX / S).cast_signed()),
            near(-(i64::MAX / W)),
            near(50_000 * W),
            near(300_000_000 * W),
            near(i64::MAX),
            near(i64::MIN + 1_000),
        ]
    }

    fn positive() -> impl Strategy<Value = i64> {
        amount().prop_map(|v| v.checked_abs().unwrap_or(i64::MAX).max(1))
    }

    /// A quantity and a price whose product is near 2^63 x 10^8 or 2^64 x 10^8, the
    /// bounds of the 64-bit quotients.
    fn near_bound() -> impl Strategy<Value = (i64, i64)> {
        let bounds = [
            u128::from(I64_MAX) * u128::from(S),
            u128::from(u64::MAX) * u128::from(S),
        ];
        (0..2usize, positive(), -3i64..=3, any::<bool>()).prop_map(move |(b, price, d, short)| {
            let size =
                (bounds[b] / u128::from(price.unsigned_abs())).saturating_add_signed(i128::from(d));
            let size = i64::try_from(size).unwrap_or(i64::MAX).max(1);
            (if short { -size } else { size }, price)
        })
    }

    fn table() -> impl Strategy<Value = Brackets> {
        (0..4usize).prop_map(|k| tables().swap_remove(k))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn metrics_match_the_reference(
            brackets in table(),
            (qty, mark) in prop_oneof![(amount(), positive()), near_bound()],
            entry in positive(),
            leverage in prop_oneof![1u32..200, any::<u32>()],
        ) {
            let contract = Contract::linear(brackets);
            let reference = position_metrics(&contract, qty, entry, mark, leverage);
            let market = LinearMarket::new(&contract, mark).unwrap();
            if let Some(fast) = linear_metrics(&market, qty, entry, leverage) {
                prop_assert_eq!(Ok(fast), reference);
            } else {
                // Only a zero quantity or a figure beyond 64 bits leaves the fast path.
                prop_assert!(qty == 0 || reference.is_err());
            }
        }

        #[test]
        fn pnl_at_the_bounds_of_i64_matches_the_reference(
            brackets in table(),
            (mark, entry) in (positive(), positive()).prop_filter("a price move", |(m, e)| m != e),
            (bound, offset, short) in (0..4usize, -3i64..=3, any::<bool>()),
        ) {
            // A quantity putting qty x (mark - entry) around -2^63 x 10^8, 2^63 x 10^8 and
            // 2^64 x 10^8 (the PnL's i64 bounds and the quotient's), and 10^8 (a PnL of 1).
            let diff = (mark - entry).unsigned_abs();
            let target = [
                u128::from(I64_MAX) * u128::from(S),
                (u128::from(I64_MAX) + 1) * u128::from(S),
                u128::from(u64::MAX) * u128::from(S),
                u128::from(S),
            ][bound];
            let size = (target / u128::from(diff)).saturating_add_signed(i128::from(offset));
            let size = i64::try_from(size).unwrap_or(i64::MAX).max(1);
            let qty = if short { -size } else { size };
            let contract = Contract::linear(brackets);
            let reference = position_metrics(&contract, qty, entry, mark, 20);
            let market = LinearMarket::new(&contract, mark).unwrap();
            match linear_metrics(&market, qty, entry, 20) {
                Some(fast) => prop_assert_eq!(Ok(fast), reference),
                None => prop_assert!(reference.is_err()),
            }
        }

        #[test]
        fn liquidation_prices_match_the_reference(
            brackets in table(),
            tick in prop_oneof![Just(1i64), Just(1_000_000), 1i64..10_000_000_000, positive()],
            (qty, entry) in prop_oneof![(amount(), positive()), near_bound()],
            collateral in amount(),
        ) {
            let contract = Contract::linear(brackets).with_tick_size(tick).unwrap();
            let reference = liquidation_price(&contract, qty, entry, collateral)
                .map(|price| price.unwrap_or(0));
            // With the contract's divisors (when the tick allows them), and without.
            let with = LinearMarket::new(&contract, 1).unwrap();
            let without = LinearMarket { divisors: None, ..with };
            for market in [with, without] {
                if let Some(fast) = linear_liquidation_price(&market, qty, entry, collateral) {
                    prop_assert_eq!(Ok(fast), reference.clone());
                }
            }
        }

        #[test]
        fn reciprocal_ticks_match_a_wide_division(
            divisor in prop_oneof![1u64..1_000, any::<u64>().prop_map(|d| d.max(1)), (1u64..200_000_000).prop_map(|p| p * 1_000_000)],
            size in prop_oneof![1u64..1_000, any::<u64>().prop_map(|s| s.max(1))],
            (quotient, offset) in (prop_oneof![any::<u64>(), Just(u64::MAX), 0u64..1_000], -2i64..=2),
            up in any::<bool>(),
        ) {
            // Magnitudes x 10^8 around quotient x divisor x size: near multiples, and
            // quotients at the 64-bit bound of either division.
            let d = u128::from(divisor) * u128::from(size);
            let magnitude = (d.saturating_mul(u128::from(quotient)) / u128::from(S))
                .saturating_add_signed(i128::from(offset));
            let reciprocal = Divisor::new(divisor).unwrap();
            let scaled = magnitude.checked_mul(u128::from(S));
            match ticks_by_reciprocal(&reciprocal, magnitude, size, up) {
                Some(ticks) => {
                    let scaled = scaled.unwrap();
                    let q = scaled / d;
                    prop_assert_eq!(u128::from(ticks), q + u128::from(up && q * d != scaled));
                }
                // Only a first quotient beyond 64 bits (or its rounding up) leaves the path.
                None => prop_assert!(
                    scaled.is_none_or(|x| x.div_ceil(u128::from(divisor)) >= u128::from(u64::MAX))
                ),
            }
        }

        #[test]
        fn prices_of_ticks_stop_at_the_range(
            tick in prop_oneof![Just(1i64), 1i64..10_000_000_000, positive()],
            offset in -2i64..=2,
            long in any::<bool>(),
        ) {
            let contract = Contract::linear(tables().swap_remove(1)).with_tick_size(tick).unwrap();
            let market = LinearMarket::new(&contract, 1).unwrap();
            let step = tick.unsigned_abs();
            for ticks in [(I64_MAX / step).saturating_add_signed(offset), offset.unsigned_abs()] {
                let expected = match ticks.checked_mul(step).filter(|&p| p <= I64_MAX) {
                    Some(p) => p.cast_signed(),
                    None if long => i64::MAX - i64::MAX % tick,
                    None => 0,
                };
                prop_assert_eq!(price_of_ticks(ticks, long, &market), expected);
                prop_assert_eq!(ticks_to_price(u128::from(ticks), long, &market), expected);
            }
        }

        #[test]
        fn margin_ratios_at_their_bounds_match_the_reference(
            balance in prop_oneof![
                1i64..1_000,
                positive(),
                (-3i64..=3).prop_map(|d| (u64::MAX / S).cast_signed() + d),
            ],
            (form, offset) in (0..3usize, -3i64..=3),
        ) {
            // A maintenance margin near 2^64 / 10^8 (the 64-bit product's bound), or
            // putting the ratio around i64::MAX or 1.
            let b = u128::from(balance.unsigned_abs());
            let m = match form {
                0 => u128::from(u64::MAX / S),
                1 => u128::from(I64_MAX) * b / u128::from(S),
                _ => b / u128::from(S),
            };
            let maintenance = i64::try_from(m).unwrap_or(i64::MAX).saturating_add(offset);
            prop_assert_eq!(
                margin_ratio(maintenance, balance),
                crate::account::margin_ratio(maintenance, balance)
            );
        }

        #[test]
        fn margin_ratios_match_the_reference(maintenance in amount(), balance in amount()) {
            prop_assert_eq!(
                margin_ratio(maintenance, balance),
                crate::account::margin_ratio(maintenance, balance)
            );
        }
    }

    #[test]
    fn realistic_positions_take_the_fast_path() {
        let contract = Contract::linear(tables().swap_remove(0))
            .with_tick_size(1_000_000)
            .unwrap();
        assert!(contract.liquidation_divisors().is_some());
        // qty, entry, mark, collateral, and whether the liquidation price's first quotient
        // (|qty| x ticks) fits 64 bits: not for 70,000 BTC (3.5 billion of notional).
        for (qty, entry, mark, collateral, reciprocal) in [
            (
                150_000_000i64,
                6_000_000_000_000i64,
                6_100_000_000_000i64,
                5_000 * W,
                true,
            ),
            (
                -200_000_000_000_000,
                100_000_000,
                95_000_000,
                10_000 * W,
                true,
            ),
            (
                7_000_000_000_000,
                5_000_000_000_000,
                4_000_000_000_000,
                5_000_000 * W,
                false,
            ),
        ] {
            let market = LinearMarket::new(&contract, mark).unwrap();
            assert!(linear_metrics(&market, qty, entry, 20).is_some());
            let price = linear_liquidation_price(&market, qty, entry, collateral);
            assert!(price.is_some_and(|p| p > 0));
            let without = LinearMarket {
                divisors: None,
                ..market
            };
            assert_eq!(
                linear_liquidation_price(&without, qty, entry, collateral),
                price
            );
            // The path taken: the tier's reciprocal, or the 128-bit division.
            let long = qty > 0;
            let exposure = wide_mul64(qty, entry) - wide_mul64(collateral, SCALE);
            let key = if long { exposure } else { -exposure }.unsigned_abs();
            let index = market.brackets.root_tier_index_of_key(key, long);
            let cum = wide_mul64(market.brackets.tiers()[index].cum, SCALE).unsigned_abs();
            let magnitude = if long { key - cum } else { key + cum };
            let divisor = &market.divisors.unwrap()[2 * index + usize::from(!long)];
            let ticks = ticks_by_reciprocal(divisor, magnitude, qty.unsigned_abs(), long);
            assert_eq!(ticks.is_some(), reciprocal);
        }
    }
}
