//! Contracts: linear (USDT-margined) and inverse (coin-margined) perpetuals, with the
//! notional and unrealized PnL of a position.
//!
//! # Units
//!
//! - **Linear**: the quantity is in base units (x 10^8), the price in quote per base
//!   (x 10^8), and values (notional, PnL, margins, balances) in the quote asset (x 10^8):
//!   `notional = |qty| x price / 10^8`, `PnL = qty x (mark - entry) / 10^8`.
//! - **Inverse**: the quantity is in contracts (x 10^8) of `face_value` quote each (face
//!   value x 10^8, e.g. 100 USD = `10_000_000_000`), and values are in the base coin
//!   (x 10^8): `notional = |qty| x face / price`, `PnL = qty x face x (1/entry - 1/mark)`.
//!
//! A long has `qty > 0`, a short `qty < 0`. Notional rounds **up** (it sets the margin
//! tier and the maintenance margin); PnL rounds **down** (for the holder).

use crate::RiskError;
use crate::bracket::Brackets;
use crate::divide::Divisor;
use crate::fixed::{RATE_SCALE, Round, div_round, div_scale, mul_div, mul_scale, narrow};

/// How a contract settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContractKind {
    /// Margined and settled in the quote asset (USDT-margined).
    Linear,
    /// Margined and settled in the base coin; each contract is worth `face_value` of quote.
    Inverse {
        /// Quote value of one contract (price units, x 10^8).
        face_value: i64,
    },
}

/// A perpetual contract: its kind, leverage brackets, price tick and quantity lot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Contract {
    kind: ContractKind,
    brackets: Brackets,
    tick_size: i64,
    lot_size: i64,
    /// Linear contracts: per tier, `(10^8 - mmr) x tick` then `(10^8 + mmr) x tick` (long,
    /// short) as divisors of the liquidation price's fast path; `None` when a product
    /// exceeds 64 bits.
    liquidation_divisors: Option<Box<[Divisor]>>,
}

/// The [`Contract::liquidation_divisors`] of a linear contract.
fn liquidation_divisors(brackets: &Brackets, tick: i64) -> Option<Box<[Divisor]>> {
    let tick = tick.unsigned_abs();
    let divisor = |per_unit: i64| Divisor::new(per_unit.unsigned_abs().checked_mul(tick)?);
    brackets
        .tiers()
        .iter()
        .flat_map(|t| [divisor(RATE_SCALE - t.mmr), divisor(RATE_SCALE + t.mmr)])
        .collect()
}

impl Contract {
    /// A linear (USDT-margined) perpetual with unit tick and lot.
    #[must_use]
    pub fn linear(brackets: Brackets) -> Self {
        Self {
            kind: ContractKind::Linear,
            liquidation_divisors: liquidation_divisors(&brackets, 1),
            brackets,
            tick_size: 1,
            lot_size: 1,
        }
    }

    /// An inverse (coin-margined) perpetual whose contracts are worth `face_value` quote
    /// units each (x 10^8), with unit tick and lot.
    ///
    /// # Errors
    ///
    /// [`RiskError::InvalidConfig`] when the face value is not positive.
    pub fn inverse(face_value: i64, brackets: Brackets) -> Result<Self, RiskError> {
        if face_value <= 0 {
            return Err(RiskError::InvalidConfig {
                field: "face_value",
                detail: "must be positive".to_owned(),
            });
        }
        Ok(Self {
            kind: ContractKind::Inverse { face_value },
            brackets,
            tick_size: 1,
            lot_size: 1,
            liquidation_divisors: None,
        })
    }

    /// Sets the price tick (price units, >= 1): liquidation and bankruptcy prices are
    /// rounded to it, and liquidation orders are priced in ticks.
    ///
    /// # Errors
    ///
    /// [`RiskError::InvalidConfig`] when the tick is below 1.
    pub fn with_tick_size(mut self, tick_size: i64) -> Result<Self, RiskError> {
        if tick_size < 1 {
            return Err(RiskError::InvalidConfig {
                field: "tick_size",
                detail: "must be at least 1".to_owned(),
            });
        }
        self.tick_size = tick_size;
        if matches!(self.kind, ContractKind::Linear) {
            self.liquidation_divisors = liquidation_divisors(&self.brackets, tick_size);
        }
        Ok(self)
    }

    /// Sets the quantity lot (quantity units, >= 1): liquidation orders are sized in lots.
    ///
    /// # Errors
    ///
    /// [`RiskError::InvalidConfig`] when the lot is below 1.
    pub fn with_lot_size(mut self, lot_size: i64) -> Result<Self, RiskError> {
        if lot_size < 1 {
            return Err(RiskError::InvalidConfig {
                field: "lot_size",
                detail: "must be at least 1".to_owned(),
            });
        }
        self.lot_size = lot_size;
        Ok(self)
    }

    /// Linear or inverse.
    #[must_use]
    pub fn kind(&self) -> ContractKind {
        self.kind
    }

    /// The leverage brackets.
    #[must_use]
    pub fn brackets(&self) -> &Brackets {
        &self.brackets
    }

    /// The price tick (price units).
    #[must_use]
    pub fn tick_size(&self) -> i64 {
        self.tick_size
    }

    /// The divisors of the liquidation price's fast path, two per tier (long, short):
    /// linear contracts only, and only when each fits 64 bits.
    pub(crate) fn liquidation_divisors(&self) -> Option<&[Divisor]> {
        self.liquidation_divisors.as_deref()
    }

    /// The quantity lot (quantity units).
    #[must_use]
    pub fn lot_size(&self) -> i64 {
        self.lot_size
    }

    /// The notional of `qty` at `price` (value units), rounded up.
    ///
    /// # Errors
    ///
    /// [`RiskError::DivisionByZero`] for an inverse contract at price 0;
    /// [`RiskError::Overflow`] when the notional does not fit an `i64`.
    #[inline]
    pub fn notional(&self, qty: i64, price: i64) -> Result<i64, RiskError> {
        let size = i128::from(qty.unsigned_abs());
        match self.kind {
            ContractKind::Linear => {
                // |qty x price| rounded up = -(floor of the negated product) for a short.
                let signed = if qty >= 0 {
                    mul_scale(qty, price, Round::Ceil)
                } else {
                    -mul_scale(qty, price, Round::Floor)
                };
                narrow(signed, "notional")
            }
            ContractKind::Inverse { face_value } => narrow(
                div_round(
                    size * i128::from(face_value),
                    i128::from(price),
                    Round::Ceil,
                )?,
                "notional",
            ),
        }
    }

    /// The unrealized PnL of `qty` (signed) entered at `entry` and marked at `mark` (value
    /// units), rounded down.
    ///
    /// # Errors
    ///
    /// [`RiskError::DivisionByZero`] for an inverse contract at a zero price;
    /// [`RiskError::Overflow`] when the PnL does not fit an `i64`.
    #[inline]
    pub fn unrealized_pnl(&self, qty: i64, entry: i64, mark: i64) -> Result<i64, RiskError> {
        let diff = i128::from(mark) - i128::from(entry);
        match self.kind {
            ContractKind::Linear => {
                // Within i64 for positive prices; the wide product covers the rest.
                let pnl = match i64::try_from(diff) {
                    Ok(diff) => mul_scale(qty, diff, Round::Floor),
                    Err(_) => div_scale(i128::from(qty) * diff, Round::Floor),
                };
                narrow(pnl, "unrealized_pnl")
            }
            ContractKind::Inverse { face_value } => {
                // qty x face x (1/entry - 1/mark) = qty x face x (mark - entry) / (entry x mark)
                let exposure = i128::from(qty) * i128::from(face_value);
                let denominator = i128::from(entry) * i128::from(mark);
                narrow(
                    mul_div(exposure, diff, denominator, Round::Floor)?,
                    "unrealized_pnl",
                )
            }
        }
    }
}
