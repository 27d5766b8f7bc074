//! Per-position margin: notional, unrealized PnL, maintenance and initial margin at a mark,
//! and the liquidation and bankruptcy prices of one position in one-way mode.
//!
//! # Liquidation price
//!
//! The liquidation price is the mark at which the position's margin balance equals its
//! maintenance margin, every other position held at its current mark. With `collateral`
//! the part of the margin balance that does not move with this position:
//!
//! - isolated: the position's isolated wallet;
//! - cross: `wallet - TMM1 + UPNL1`, the cross wallet less the maintenance margin and
//!   plus the unrealized PnL of every *other* cross position (Binance's `WB - TMM1 + UPNL1`),
//!
//! and `s = +1` for a long, `-1` for a short, `Q = |qty|`, `EP` the entry price, `MMR` and
//! `cum` those of the tier the notional *at the liquidation price* falls in:
//!
//! - linear: `LP = (collateral + cum - s x Q x EP) / (Q x MMR - s x Q)`;
//! - inverse, `F` the face value:
//!   `LP = Q x F x (1 + s x MMR) / (Q x F / EP + s x (collateral + cum))`
//!   (Binance's COIN-M formula `(Q x MMR + s x Q) / ((WB + cum) / F + s x Q / EP)`, times
//!   `s x F` above and below).
//!
//! The tier is found by evaluating `margin balance - MM` at each tier's cap (it is monotone
//! in the notional and MM is continuous, so the tier whose interval holds the root is the
//! first whose cap lies beyond it; the tier-only part of each evaluation is precomputed in
//! [`Brackets`]) and solving with that tier: exact, no iteration. The
//! result is computed as an exact rational and rounded once, **against the holder**: up
//! for a long, down for a short, to the contract's tick. "No liquidation price" (`None`)
//! when the formula gives a price <= 0 (Binance's rule; for a long this means the position
//! cannot be liquidated, for a short that it is liquidated at every price) or, for a
//! short, a price beyond the `i64` range. The liquidate flags of the account computations,
//! not this price, decide liquidation.
//!
//! Because margin balance and MM are themselves rounded conservatively (PnL down, MM up),
//! a position is always at or past maintenance one tick past its liquidation price (below
//! it for a long, above it for a short), and not yet there one tick before it whenever one
//! tick moves its margin by more than a few units of 10^-8.
//!
//! # Bankruptcy price
//!
//! The mark at which the margin balance is zero: the same formulas with `MMR = cum = 0`,
//! rounded the same way. A liquidation order closes the position at this price.

use crate::RiskError;
use crate::bracket::{Brackets, Tier};
use crate::contract::{Contract, ContractKind};
use crate::fixed::{Round, SCALE, div_round, mul_div, wide_mul64};

const SCALE_128: i128 = SCALE as i128;

/// The margin figures of one position at one mark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PositionMetrics {
    /// Notional at the mark (value units), rounded up.
    pub notional: i64,
    /// Unrealized PnL at the mark (value units), rounded down.
    pub unrealized_pnl: i64,
    /// Maintenance margin of the notional's tier (value units), rounded up.
    pub maintenance_margin: i64,
    /// Initial margin at `min(leverage, tier max)` (value units), rounded up.
    pub initial_margin: i64,
}

/// The notional, PnL, maintenance and initial margin of `qty` (signed) entered at `entry`
/// and marked at `mark`, held at `leverage`. A zero quantity gives all zeros.
///
/// # Errors
///
/// [`RiskError::InvalidPosition`] for a non-positive entry or mark price or a zero
/// leverage; [`RiskError::Overflow`] when a figure does not fit an `i64`.
#[inline]
pub fn position_metrics(
    contract: &Contract,
    qty: i64,
    entry: i64,
    mark: i64,
    leverage: u32,
) -> Result<PositionMetrics, RiskError> {
    if qty == 0 {
        return Ok(PositionMetrics::default());
    }
    check_prices(entry, mark)?;
    let notional = contract.notional(qty, mark)?;
    let unrealized_pnl = contract.unrealized_pnl(qty, entry, mark)?;
    if leverage == 0 {
        return Err(RiskError::InvalidPosition {
            field: "leverage",
            detail: "must be at least 1".to_owned(),
        });
    }
    // One tier lookup for both margins (Brackets::initial_margin_capped, inlined).
    let tier = contract.brackets().tier(notional);
    let maintenance_margin = tier.maintenance_margin(notional);
    let effective = i64::from(leverage.min(tier.max_leverage));
    let initial_margin = notional / effective + i64::from(notional % effective != 0);
    Ok(PositionMetrics {
        notional,
        unrealized_pnl,
        maintenance_margin,
        initial_margin,
    })
}

fn check_prices(entry: i64, mark: i64) -> Result<(), RiskError> {
    if entry <= 0 {
        return Err(RiskError::InvalidPosition {
            field: "entry_price",
            detail: format!("{entry} is not positive"),
        });
    }
    if mark <= 0 {
        return Err(RiskError::InvalidPosition {
            field: "mark_price",
            detail: format!("{mark} is not positive"),
        });
    }
    Ok(())
}

/// The liquidation price of `qty` (signed) entered at `entry`, given the `collateral` that
/// does not move with it (see the module documentation), rounded against the holder to
/// the contract's tick. `None` when there is no liquidation price.
///
/// # Errors
///
/// [`RiskError::InvalidPosition`] for a non-positive entry price;
/// [`RiskError::Overflow`] when an intermediate does not fit.
pub fn liquidation_price(
    contract: &Contract,
    qty: i64,
    entry: i64,
    collateral: i64,
) -> Result<Option<i64>, RiskError> {
    solve(contract, qty, entry, collateral, true)
}

/// The bankruptcy price of `qty` (signed) entered at `entry` given `collateral`: the mark at
/// which the margin balance is zero, rounded against the holder to the contract's tick.
/// `None` when the formula gives no positive price in range.
///
/// # Errors
///
/// As [`liquidation_price`].
pub fn bankruptcy_price(
    contract: &Contract,
    qty: i64,
    entry: i64,
    collateral: i64,
) -> Result<Option<i64>, RiskError> {
    solve(contract, qty, entry, collateral, false)
}

fn solve(
    contract: &Contract,
    qty: i64,
    entry: i64,
    collateral: i64,
    with_margin: bool,
) -> Result<Option<i64>, RiskError> {
    if qty == 0 {
        return Ok(None);
    }
    if entry <= 0 {
        return Err(RiskError::InvalidPosition {
            field: "entry_price",
            detail: format!("{entry} is not positive"),
        });
    }
    let round = Round::against_holder(qty);
    let tick = contract.tick_size();
    let long = qty > 0;
    let scaled_collateral = wide_mul64(collateral, SCALE);
    let ticks = match contract.kind() {
        ContractKind::Linear => {
            let qty_entry = wide_mul64(qty, entry);
            let (mmr, cum) = if with_margin {
                // Gap at a cap: base + up (long, rising) or base + down (short, falling).
                let tier = contract
                    .brackets()
                    .root_tier(scaled_collateral - qty_entry, long);
                (tier.mmr, tier.cum)
            } else {
                (0, 0)
            };
            // LP = (qty x entry - (collateral + cum) x 10^8) x 10^8
            //      / (qty x 10^8 - |qty| x mmr), in ticks: one division.
            let numerator = qty_entry - scaled_collateral - wide_mul64(cum, SCALE);
            // qty x 10^8 - |qty| x mmr = qty x (10^8 - s x mmr).
            let per_unit = if long { SCALE - mmr } else { SCALE + mmr };
            let denominator = wide_mul64(qty, per_unit);
            // Two divisions, each on the hardware's fast path in the common case (the
            // denominator below 2^64, the price within i64): floor(floor(x / d) / t) is
            // floor(x / (d x t)), and likewise for ceil.
            let price = mul_div(numerator, SCALE_128, denominator, round)?;
            match i64::try_from(price) {
                Ok(price) if tick > 1 => i128::from(div_round_i64(price, tick, round)),
                Ok(price) => i128::from(price),
                Err(_) => div_round(price, i128::from(tick), round)?,
            }
        }
        ContractKind::Inverse { face_value } => {
            let exposure = i128::from(qty.unsigned_abs()) * i128::from(face_value);
            let (mmr, cum) = if with_margin {
                let tier = inverse_tier(
                    contract.brackets(),
                    long,
                    entry,
                    scaled_collateral,
                    exposure,
                )?;
                (tier.mmr, tier.cum)
            } else {
                (0, 0)
            };
            inverse_ticks(long, entry, collateral, exposure, mmr, cum, tick, round)?
        }
    };
    Ok(finish(ticks, long, tick))
}

/// `a / b` for `b > 0` rounded as asked, in 64 bits.
#[inline]
fn div_round_i64(a: i64, b: i64, round: Round) -> i64 {
    let q = a.div_euclid(b);
    if round == Round::Ceil && a.rem_euclid(b) != 0 {
        q + 1
    } else {
        q
    }
}

/// The price of a solved number of ticks: `None` when not positive, or for a short beyond
/// the `i64` range; a long beyond it saturates (it is at or past maintenance at every
/// price).
fn finish(ticks: i128, long: bool, tick: i64) -> Option<i64> {
    if ticks <= 0 {
        return None;
    }
    match i64::try_from(ticks * i128::from(tick)) {
        Ok(price) => Some(price),
        Err(_) => long.then_some(i64::MAX - i64::MAX % tick),
    }
}

fn inverse_tier(
    brackets: &Brackets,
    long: bool,
    entry: i64,
    scaled_collateral: i128,
    exposure: i128,
) -> Result<&Tier, RiskError> {
    if brackets.tiers().len() == 1 {
        return Ok(&brackets.tiers()[0]);
    }
    // exposure / entry in coin value units x 10^8, floored: the gap below is exact up to
    // this fraction, which only matters exactly at a tier boundary.
    let entry_value = mul_div(exposure, SCALE_128, i128::from(entry), Round::Floor)?;
    if entry_value > 100_000_000_000_000_000_000_000_000_000_000_000_000 {
        // Keeps the gap sums in range; no real position comes near.
        return Err(RiskError::overflow("liquidation_price"));
    }
    // Inverse: margin balance - MM at coin notional n, x 10^8, with tier t:
    // (collateral + cum) x 10^8 + s x entry_value - n x (s x 10^8 + mmr): falls with n
    // for a long (base + down), rises for a short (base + up).
    let base = if long {
        scaled_collateral + entry_value
    } else {
        scaled_collateral - entry_value
    };
    Ok(brackets.root_tier(base, !long))
}

/// `exposure x (10^8 + s x mmr) x entry / (10^8 x (exposure + s x (collateral + cum) x entry))`
/// in ticks.
#[allow(
    clippy::too_many_arguments,
    reason = "the terms of one formula, named as in the documentation"
)]
fn inverse_ticks(
    long: bool,
    entry: i64,
    collateral: i64,
    exposure: i128,
    mmr: i64,
    cum: i64,
    tick: i64,
    round: Round,
) -> Result<i128, RiskError> {
    let s: i128 = if long { 1 } else { -1 };
    let factor = (SCALE_128 + s * i128::from(mmr)) * i128::from(entry);
    let balance = i128::from(collateral) + i128::from(cum);
    let denominator = balance
        .checked_mul(i128::from(entry))
        .and_then(|b| exposure.checked_add(s * b))
        .ok_or(RiskError::overflow("liquidation_price"))?;
    if denominator == 0 {
        // The margin balance never reaches maintenance at any finite price.
        return Ok(0);
    }
    // floor(floor(x / d) / k) == floor(x / (d x k)) for k > 0, and likewise for ceil.
    let scaled = mul_div(exposure, factor, denominator, round)?;
    div_round(scaled, SCALE_128 * i128::from(tick), round)
}
