//! One account: wallet, positions, and their margin at the marks, computed position by
//! position. This is the scalar form and the reference of the batch in [`crate::batch`].
//!
//! # Pools
//!
//! One-way mode: at most one position per symbol and margin mode. Cross positions share
//! the account's cross wallet; each isolated position has its own isolated wallet.
//!
//! - **Cross pool**: margin balance = cross wallet + sum of cross unrealized PnL;
//!   maintenance and initial margin = sums over the cross positions.
//! - **Isolated position**: margin balance = its isolated wallet + its unrealized PnL.
//!
//! A pool's **margin ratio** is `MM / margin balance` (x 10^8, 100% = `100_000_000`),
//! rounded up; 0 without maintenance margin, `i64::MAX` when the margin balance is not
//! positive. A pool is **at or past maintenance** (liquidate) when it holds an open
//! position and its margin balance is at or below its maintenance margin (the exact
//! comparison, not the rounded ratio). **Available balance** = cross margin balance -
//! cross initial margin (negative when the cross pool is under its initial margin).
//!
//! The wallet balance given is the cross wallet: isolated wallets are not part of it.

use crate::RiskError;
use crate::contract::Contract;
use crate::fixed::{RATE_SCALE, Round, div_round};
use crate::margin::{PositionMetrics, liquidation_price, position_metrics};

/// How a position is margined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarginMode {
    /// Shares the account's cross wallet.
    Cross,
    /// Has its own isolated wallet of `margin` (value units).
    Isolated {
        /// The isolated wallet balance (value units).
        margin: i64,
    },
}

/// One position of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    /// The symbol index (into the contracts and marks).
    pub symbol: u32,
    /// Signed quantity: positive long, negative short (quantity units).
    pub qty: i64,
    /// Average entry price (price units).
    pub entry_price: i64,
    /// The leverage chosen for the position (>= 1).
    pub leverage: u32,
    /// Cross or isolated.
    pub mode: MarginMode,
}

/// The margin figures of one position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PositionRisk {
    /// Notional, PnL, maintenance and initial margin at the mark.
    pub metrics: PositionMetrics,
    /// The liquidation price, `None` when there is none.
    pub liquidation_price: Option<i64>,
    /// The margin ratio of the position's pool (the account's cross pool, or the
    /// isolated position itself).
    pub margin_ratio: i64,
    /// Whether the position's pool is at or past maintenance.
    pub liquidate: bool,
}

/// The margin figures of an account: its cross pool, and each position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountRisk {
    /// The cross wallet balance (as given).
    pub wallet_balance: i64,
    /// Unrealized PnL of the cross positions.
    pub unrealized_pnl: i64,
    /// Cross margin balance: wallet + cross unrealized PnL.
    pub margin_balance: i64,
    /// Cross maintenance margin.
    pub maintenance_margin: i64,
    /// Cross initial margin.
    pub initial_margin: i64,
    /// Cross margin ratio (x 10^8), rounded up.
    pub margin_ratio: i64,
    /// Cross margin balance - cross initial margin.
    pub available_balance: i64,
    /// Whether the cross pool is at or past maintenance.
    pub liquidate: bool,
    /// Each position, in the order given.
    pub positions: Vec<PositionRisk>,
}

/// The margin ratio `maintenance / balance` (x 10^8) rounded up: 0 without maintenance
/// margin, `i64::MAX` when the balance is not positive (or the ratio does not fit).
#[must_use]
pub fn margin_ratio(maintenance: i64, balance: i64) -> i64 {
    if maintenance <= 0 {
        return 0;
    }
    if balance <= 0 {
        return i64::MAX;
    }
    let ratio = div_round(
        i128::from(maintenance) * i128::from(RATE_SCALE),
        i128::from(balance),
        Round::Ceil,
    )
    .unwrap_or(i128::MAX);
    i64::try_from(ratio).unwrap_or(i64::MAX)
}

/// Whether a pool with open positions is at or past maintenance.
#[must_use]
pub fn at_maintenance(has_open: bool, maintenance: i64, balance: i64) -> bool {
    has_open && balance <= maintenance
}

/// Computes an account's margin at the marks. `contracts` and `marks` are indexed by
/// symbol.
///
/// # Errors
///
/// [`RiskError::Row`] naming the position, around [`RiskError::IndexOutOfRange`] for an
/// unknown symbol, [`RiskError::InvalidPrice`] for a non-positive mark, or any error of
/// [`position_metrics`] and [`liquidation_price`]; [`RiskError::Overflow`] when a sum does
/// not fit.
pub fn evaluate_account(
    wallet_balance: i64,
    positions: &[Position],
    contracts: &[Contract],
    marks: &[i64],
) -> Result<AccountRisk, RiskError> {
    let mut metrics = Vec::with_capacity(positions.len());
    let (mut upnl, mut mm, mut im) = (0i128, 0i128, 0i128);
    let mut cross_open = false;
    for (i, p) in positions.iter().enumerate() {
        let m = metrics_of(p, contracts, marks).map_err(|e| e.at_row(i))?;
        if p.mode == MarginMode::Cross {
            upnl += i128::from(m.unrealized_pnl);
            mm += i128::from(m.maintenance_margin);
            im += i128::from(m.initial_margin);
            cross_open |= p.qty != 0;
        }
        metrics.push(m);
    }
    let narrow = |x: i128, op| i64::try_from(x).map_err(|_| RiskError::overflow(op));
    let unrealized_pnl = narrow(upnl, "cross unrealized_pnl")?;
    let maintenance_margin = narrow(mm, "cross maintenance_margin")?;
    let initial_margin = narrow(im, "cross initial_margin")?;
    let margin_balance = narrow(i128::from(wallet_balance) + upnl, "cross margin_balance")?;
    let available_balance = narrow(i128::from(margin_balance) - im, "available_balance")?;
    let cross_ratio = margin_ratio(maintenance_margin, margin_balance);
    let cross_liquidate = at_maintenance(cross_open, maintenance_margin, margin_balance);

    let mut risks = Vec::with_capacity(positions.len());
    for (i, (p, m)) in positions.iter().zip(&metrics).enumerate() {
        let contract = &contracts[p.symbol as usize];
        let risk = match p.mode {
            MarginMode::Isolated { margin } => {
                let balance = narrow(
                    i128::from(margin) + i128::from(m.unrealized_pnl),
                    "isolated margin_balance",
                )
                .map_err(|e| e.at_row(i))?;
                PositionRisk {
                    metrics: *m,
                    liquidation_price: liquidation_price(contract, p.qty, p.entry_price, margin)
                        .map_err(|e| e.at_row(i))?,
                    margin_ratio: margin_ratio(m.maintenance_margin, balance),
                    liquidate: at_maintenance(p.qty != 0, m.maintenance_margin, balance),
                }
            }
            MarginMode::Cross => {
                // WB - TMM1 + UPNL1: the other cross positions held at their marks.
                let collateral = narrow(
                    i128::from(wallet_balance) - (mm - i128::from(m.maintenance_margin))
                        + (upnl - i128::from(m.unrealized_pnl)),
                    "cross collateral",
                )
                .map_err(|e| e.at_row(i))?;
                PositionRisk {
                    metrics: *m,
                    liquidation_price: liquidation_price(
                        contract,
                        p.qty,
                        p.entry_price,
                        collateral,
                    )
                    .map_err(|e| e.at_row(i))?,
                    margin_ratio: cross_ratio,
                    liquidate: cross_liquidate,
                }
            }
        };
        risks.push(risk);
    }
    Ok(AccountRisk {
        wallet_balance,
        unrealized_pnl,
        margin_balance,
        maintenance_margin,
        initial_margin,
        margin_ratio: cross_ratio,
        available_balance,
        liquidate: cross_liquidate,
        positions: risks,
    })
}

fn metrics_of(
    p: &Position,
    contracts: &[Contract],
    marks: &[i64],
) -> Result<PositionMetrics, RiskError> {
    let contract = lookup(contracts, p.symbol, "symbol")?;
    let mark = *lookup(marks, p.symbol, "symbol")?;
    if p.qty != 0 && mark <= 0 {
        return Err(RiskError::InvalidPrice {
            symbol: p.symbol,
            price: mark,
        });
    }
    position_metrics(contract, p.qty, p.entry_price, mark, p.leverage)
}

pub(crate) fn lookup<'a, T>(
    table: &'a [T],
    index: u32,
    field: &'static str,
) -> Result<&'a T, RiskError> {
    table.get(index as usize).ok_or(RiskError::IndexOutOfRange {
        field,
        value: u64::from(index),
        len: table.len(),
    })
}
