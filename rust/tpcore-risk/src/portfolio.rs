//! Spot portfolio valuation: balances x index prices with per-asset haircuts.
//!
//! # Method
//!
//! For each asset with a non-zero balance (quantity units), valued in the quote asset
//! (value units):
//!
//! - a holding (`balance > 0`) counts `balance x price x (1 - haircut)`, rounded **down**;
//! - a liability (`balance < 0`) counts `balance x price` in full, no haircut, rounded
//!   **down** (more negative).
//!
//! The total carries the union of the flags of the prices it used, so an
//! [`PriceFlags::UNCERTAIN`] or [`PriceFlags::CIRCUIT_BREAKER`] price anywhere in the
//! portfolio shows on the total. A price flagged [`PriceFlags::NO_PRICE`] (or not positive)
//! values its asset at 0 and sets [`PriceFlags::NO_PRICE`] and [`PriceFlags::UNCERTAIN`].

use crate::RiskError;
use crate::fixed::{RATE_SCALE, Round, div_scale, mul_div, narrow};
use crate::flags::{FlaggedPrice, PriceFlags};

/// A portfolio's value and the flags of the prices behind it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PortfolioValue {
    /// The value (value units).
    pub value: i64,
    /// The union of the flags of the prices used.
    pub flags: PriceFlags,
}

/// Values `balances[k]` of asset `k` at `prices[k]` with haircut `haircuts[k]` (x 10^8, in
/// `[0, 100%]`).
///
/// # Errors
///
/// [`RiskError::LengthMismatch`] when the three columns differ in length;
/// [`RiskError::Row`] around [`RiskError::InvalidConfig`] for a haircut out of range;
/// [`RiskError::Overflow`] when the total does not fit.
pub fn portfolio_value(
    balances: &[i64],
    prices: &[FlaggedPrice],
    haircuts: &[i64],
) -> Result<PortfolioValue, RiskError> {
    for (field, len) in [("prices", prices.len()), ("haircuts", haircuts.len())] {
        if len != balances.len() {
            return Err(RiskError::LengthMismatch {
                field,
                expected: balances.len(),
                got: len,
            });
        }
    }
    let mut total = 0i128;
    let mut flags = PriceFlags::NONE;
    for (k, ((&balance, price), &haircut)) in balances.iter().zip(prices).zip(haircuts).enumerate()
    {
        if !(0..=RATE_SCALE).contains(&haircut) {
            return Err(RiskError::InvalidConfig {
                field: "haircut",
                detail: format!("{haircut} is not in [0, 100%]"),
            }
            .at_row(k));
        }
        if balance == 0 {
            continue;
        }
        flags |= price.flags;
        if price.price <= 0 || price.flags.contains(PriceFlags::NO_PRICE) {
            flags |= PriceFlags::NO_PRICE | PriceFlags::UNCERTAIN;
            continue;
        }
        let gross = i128::from(balance) * i128::from(price.price);
        let value = if balance > 0 {
            // balance x price x (1 - haircut) / 10^16 with one rounding; the triple product
            // may exceed i128, which mul_div handles.
            let kept = i128::from(RATE_SCALE - haircut);
            let scale2 = i128::from(RATE_SCALE) * i128::from(RATE_SCALE);
            mul_div(gross, kept, scale2, Round::Floor)?
        } else {
            div_scale(gross, Round::Floor)
        };
        total = total
            .checked_add(value)
            .ok_or(RiskError::overflow("portfolio value"))?;
    }
    Ok(PortfolioValue {
        value: narrow(total, "portfolio value")?,
        flags,
    })
}
