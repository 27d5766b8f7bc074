//! `evaluate_account`: one account's margin, position by position (the scalar form).

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tpcore_risk::{Contract, MarginMode, Position, evaluate_account as core_evaluate};

use super::contract::PyContract;
use crate::error::CoreError;

/// One position's figures: `(notional, unrealized_pnl, maintenance_margin, initial_margin,
/// liquidation_price, margin_ratio, liquidate)`.
type PositionFigures = (i64, i64, i64, i64, Option<i64>, i64, bool);

/// An account's figures: `(wallet_balance, unrealized_pnl, margin_balance,
/// maintenance_margin, initial_margin, margin_ratio, available_balance, liquidate,
/// positions)`.
type AccountFigures = (
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    bool,
    Vec<PositionFigures>,
);

/// A position row: `(symbol, qty, entry_price, leverage, isolated_margin or None)`.
type PositionRow = (u32, i64, i64, u32, Option<i64>);

fn position(item: &Bound<'_, PyAny>, index: usize) -> Result<Position, CoreError> {
    let bad = || CoreError::Argument {
        reason: "invalid_position",
        message: format!(
            "positions[{index}]: expected (symbol, qty, entry_price, leverage, \
             isolated_margin or None) integers"
        ),
        index: Some(index),
    };
    let tuple = item.cast::<PyTuple>().map_err(|_| bad())?;
    let (symbol, qty, entry_price, leverage, isolated): PositionRow =
        tuple.extract().map_err(|_| bad())?;
    Ok(Position {
        symbol,
        qty,
        entry_price,
        leverage,
        mode: isolated.map_or(MarginMode::Cross, |margin| MarginMode::Isolated { margin }),
    })
}

/// One account's margin at the marks: `wallet` is the cross wallet balance; `positions`
/// are rows `(symbol, qty, entry_price, leverage, isolated_margin)` with a signed `qty`
/// (positive long) and `isolated_margin` `None` for a cross position; `contracts` and
/// `marks` are indexed by symbol. Returns `(wallet_balance, unrealized_pnl,
/// margin_balance, maintenance_margin, initial_margin, margin_ratio, available_balance,
/// liquidate, positions)` for the cross pool, and per position `(notional,
/// unrealized_pnl, maintenance_margin, initial_margin, liquidation_price, margin_ratio,
/// liquidate)` (the ratio and flag of its pool; the liquidation price `None` when there
/// is none).
#[pyfunction]
#[allow(
    clippy::needless_pass_by_value,
    reason = "pyo3 extracts a sequence argument as a Vec"
)]
fn evaluate_account(
    wallet: i64,
    positions: Vec<Bound<'_, PyAny>>,
    contracts: Vec<PyContract>,
    marks: Vec<i64>,
) -> PyResult<AccountFigures> {
    let positions = positions
        .into_iter()
        .enumerate()
        .map(|(index, item)| position(&item, index))
        .collect::<Result<Vec<_>, _>>()?;
    let contracts: Vec<Contract> = contracts.into_iter().map(|c| c.inner).collect();
    let risk = core_evaluate(wallet, &positions, &contracts, &marks).map_err(CoreError::from)?;
    let figures = risk
        .positions
        .iter()
        .map(|p| {
            let m = p.metrics;
            (
                m.notional,
                m.unrealized_pnl,
                m.maintenance_margin,
                m.initial_margin,
                p.liquidation_price,
                p.margin_ratio,
                p.liquidate,
            )
        })
        .collect();
    Ok((
        risk.wallet_balance,
        risk.unrealized_pnl,
        risk.margin_balance,
        risk.maintenance_margin,
        risk.initial_margin,
        risk.margin_ratio,
        risk.available_balance,
        risk.liquidate,
        figures,
    ))
}

/// Adds `evaluate_account` to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(evaluate_account, m)?)
}
