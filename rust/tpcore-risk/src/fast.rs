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
//! The central trick is the split at the scale: `x = hi x 10^8 + lo` (a 64-bit division by
//! a constant, which compiles to a multiplication). With `a` and `b` split,
//! `a x b / 10^8 = ah x bh x 10^8 + ah x bl + al x bh + al x bl / 10^8`, where every term
//! but the first fits 64 bits for any `a, b < 2^64` and the last is the only inexact one.

use std::hint::select_unpredictable;

use crate::bracket::Brackets;
use crate::fixed::{RATE_SCALE, SCALE, wide_mul64};
use crate::margin::PositionMetrics;

const S: u64 = SCALE.unsigned_abs();
const I64_MAX: u64 = i64::MAX.unsigned_abs();

/// `(x / 10^8, x % 10^8)`.
#[inline]
fn split(x: u64) -> (u64, u64) {
    (x / S, x % S)
}

/// `floor(a x b / 10^8)` and whether the division was inexact, for `a = ah x 10^8 + al` and
/// `b = bh x 10^8 + bl` (`al, bl < 10^8`); `None` when the quotient does not fit a `u64`.
#[inline]
fn mul_scale_split(ah: u64, al: u64, bh: u64, bl: u64) -> Option<(u64, bool)> {
    // ah, bh < 2^64 / 10^8 < 2^38 and al, bl < 10^8 < 2^27: the cross terms fit.
    let low = al * bl;
    let high = ah.checked_mul(bh)?.checked_mul(S)?;
    let q = high
        .checked_add(ah * bl)?
        .checked_add(al * bh)?
        .checked_add(low / S)?;
    Some((q, !low.is_multiple_of(S)))
}

/// The figures of [`crate::margin::position_metrics`] for a linear contract with these
/// brackets, for `qty != 0`, positive prices and a non-zero leverage; `None` otherwise or
/// when a figure does not fit.
#[inline]
pub(crate) fn linear_metrics(
    brackets: &Brackets,
    qty: i64,
    entry: i64,
    mark: i64,
    leverage: u32,
) -> Option<PositionMetrics> {
    if qty == 0 || entry <= 0 || mark <= 0 || leverage == 0 {
        return None;
    }
    let (ah, al) = split(qty.unsigned_abs());
    let (mh, ml) = split(mark.unsigned_abs());
    // notional = ceil(|qty| x mark / 10^8).
    let (floor, inexact) = mul_scale_split(ah, al, mh, ml)?;
    let notional = floor + u64::from(inexact);
    if notional > I64_MAX {
        return None;
    }
    // PnL = floor(qty x (mark - entry) / 10^8); both prices are positive, so the
    // difference fits.
    let diff = mark - entry;
    let (dh, dl) = split(diff.unsigned_abs());
    let (magnitude, inexact) = mul_scale_split(ah, al, dh, dl)?;
    if magnitude > I64_MAX {
        return None;
    }
    // A negative product rounds away from zero: -(magnitude + 1) when inexact. The sign
    // is applied without a branch (longs and shorts, gains and losses alternate):
    // (v ^ -1) + 1 = -v; v = 2^63 only for a negative product, where it gives i64::MIN.
    let negative = (qty < 0) != (diff < 0);
    let v = magnitude + u64::from(inexact & negative);
    let sign = -i64::from(negative);
    let unrealized_pnl = (v.cast_signed() ^ sign).wrapping_sub(sign);
    let tier = brackets.tier(notional.cast_signed());
    // MM = ceil(notional x mmr / 10^8) - cum, at least 0; 0 < mmr < 10^8, so with the
    // notional split every product fits (nh x mmr < 2^63 / 10^8 x 10^8).
    let (nh, nl) = split(notional);
    let mmr = tier.mmr.unsigned_abs();
    let low = nl * mmr;
    let rated = nh * mmr + low / S + u64::from(!low.is_multiple_of(S));
    let maintenance_margin =
        (i128::from(rated) - i128::from(tier.cum)).clamp(0, i128::from(i64::MAX)) as i64;
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

/// [`crate::margin::liquidation_price`] of a linear contract with these brackets and
/// tick, as the batch's column holds it: `Some(price)`, `Some(0)` for "no liquidation
/// price" (the reference's `None`), or `None` when the inputs leave the fast path (the
/// reference then decides, or fails).
#[inline(always)]
#[allow(
    clippy::inline_always,
    reason = "measured: out of line, a call per row in the batch's hot loop"
)]
pub(crate) fn linear_liquidation_price(
    brackets: &Brackets,
    tick: i64,
    qty: i64,
    entry: i64,
    collateral: i64,
) -> Option<i64> {
    if qty == 0 {
        return Some(0);
    }
    if entry <= 0 || tick < 1 {
        return None;
    }
    let long = qty > 0;
    let scaled_collateral = wide_mul64(collateral, SCALE);
    let qty_entry = wide_mul64(qty, entry);
    // |each term| < 2^126 + 2^91: no sum below overflows.
    let tier = brackets.root_tier(scaled_collateral.wrapping_sub(qty_entry), long);
    let numerator = qty_entry
        .wrapping_sub(scaled_collateral)
        .wrapping_sub(wide_mul64(tier.cum, SCALE));
    // LP = numerator x 10^8 / (qty x (10^8 -/+ mmr)), rounded up for a long, down for a
    // short: positive only when the numerator has the sign of the quantity (else there is
    // no liquidation price).
    if !select_unpredictable(long, numerator > 0, numerator < 0) {
        return Some(0);
    }
    let magnitude = numerator.unsigned_abs();
    if magnitude >= 1 << 100 {
        return None;
    }
    // 0 < mmr < 10^8: 0 < per_unit < 2^28, so the denominator is below 2^91.
    let per_unit = select_unpredictable(long, SCALE - tier.mmr, SCALE + tier.mmr);
    let scaled = magnitude * u128::from(S);
    let denominator = u128::from(qty.unsigned_abs()) * u128::from(per_unit.unsigned_abs());
    // Straight to ticks, up for a long, down for a short, in one division: rounding the
    // price and then the ticks is rounding once (floor(floor(x / d) / t) = floor(x / (d x
    // t)), and likewise for ceil).
    let tick = tick.unsigned_abs();
    let divisor = denominator.checked_mul(u128::from(tick))?;
    let q = scaled / divisor;
    let ticks = q + u128::from(long & (q.wrapping_mul(divisor) != scaled));
    if ticks == 0 {
        return Some(0);
    }
    Some(
        match u64::try_from(ticks)
            .ok()
            .and_then(|t| t.checked_mul(tick))
            .filter(|&p| p <= I64_MAX)
        {
            Some(p) => p.cast_signed(),
            None if long => i64::MAX - i64::MAX % tick.cast_signed(),
            None => 0,
        },
    )
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
    use crate::contract::Contract;
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
        vec![
            Brackets::new(&specs).unwrap(),
            Brackets::flat(20, 2_500_000).unwrap(),
            Brackets::flat(1, 99_999_999).unwrap(),
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

    fn table() -> impl Strategy<Value = Brackets> {
        (0..3usize).prop_map(|k| tables().swap_remove(k))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn metrics_match_the_reference(
            brackets in table(),
            qty in amount(),
            entry in positive(),
            mark in positive(),
            leverage in prop_oneof![1u32..200, any::<u32>()],
        ) {
            let contract = Contract::linear(brackets.clone());
            let reference = position_metrics(&contract, qty, entry, mark, leverage);
            if let Some(fast) = linear_metrics(&brackets, qty, entry, mark, leverage) {
                prop_assert_eq!(Ok(fast), reference);
            } else {
                // Only a zero quantity or a figure beyond 64 bits leaves the fast path.
                prop_assert!(qty == 0 || reference.is_err() || qty.unsigned_abs() > 1 << 40);
            }
        }

        #[test]
        fn liquidation_prices_match_the_reference(
            brackets in table(),
            tick in prop_oneof![Just(1i64), Just(1_000_000), 1i64..10_000_000_000, positive()],
            qty in amount(),
            entry in positive(),
            collateral in amount(),
        ) {
            let contract = Contract::linear(brackets.clone()).with_tick_size(tick).unwrap();
            let reference = liquidation_price(&contract, qty, entry, collateral)
                .map(|price| price.unwrap_or(0));
            if let Some(fast) = linear_liquidation_price(&brackets, tick, qty, entry, collateral) {
                prop_assert_eq!(Ok(fast), reference);
            }
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
        let brackets = &tables()[0];
        for (qty, entry, mark, collateral) in [
            (
                150_000_000i64,
                6_000_000_000_000i64,
                6_100_000_000_000i64,
                50_000 * W,
            ),
            (-200_000_000_000_000, 100_000_000, 95_000_000, 10_000 * W),
            (
                7_000_000_000_000,
                5_000_000_000_000,
                4_000_000_000_000,
                5_000_000 * W,
            ),
        ] {
            assert!(linear_metrics(brackets, qty, entry, mark, 20).is_some());
            assert!(
                linear_liquidation_price(brackets, 1_000_000, qty, entry, collateral).is_some()
            );
        }
    }
}
