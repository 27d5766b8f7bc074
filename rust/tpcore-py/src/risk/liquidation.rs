//! Liquidation candidates as Python rows, and their closing orders as the matcher's
//! `COMMAND_DTYPE` records.

use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use tpcore_book::{COMMAND_SIZE, Instrument};
use tpcore_risk::{LiquidationCandidate, LiquidationOrder, Pool, RiskError};

use crate::book::dtypes;
use crate::error::CoreError;

/// One order as a row: `(row, account, symbol, side, qty_lots, qty, bankruptcy_price,
/// price_ticks)`.
fn order_row<'py>(py: Python<'py>, o: &LiquidationOrder) -> PyResult<Bound<'py, PyTuple>> {
    (
        o.row,
        o.account,
        o.symbol,
        o.side.as_str(),
        o.qty_lots,
        o.qty,
        o.bankruptcy_price,
        o.price_ticks,
    )
        .into_pyobject(py)
}

/// The candidates as a list of `(account, isolated_row, margin_ratio, orders)`.
pub(crate) fn candidates_list<'py>(
    py: Python<'py>,
    candidates: &[LiquidationCandidate],
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for c in candidates {
        let orders = c
            .orders
            .iter()
            .map(|o| order_row(py, o))
            .collect::<PyResult<Vec<_>>>()?;
        let row = match c.pool {
            Pool::Cross => None,
            Pool::Isolated { row } => Some(row),
        };
        list.append((c.account, row, c.margin_ratio, orders))?;
    }
    Ok(list)
}

/// Encodes every candidate's orders as command records; returns the records and the
/// position row of each.
fn encode(
    candidates: &[LiquidationCandidate],
    instruments: &[&Instrument],
    first_order_id: u64,
    account_ids: Option<&[u64]>,
) -> Result<(Vec<u8>, Vec<u64>), CoreError> {
    let orders = candidates.iter().flat_map(|c| &c.orders);
    let (mut records, mut rows) = (Vec::new(), Vec::new());
    for (k, order) in orders.enumerate() {
        let order_id = first_order_id
            .checked_add(k as u64)
            .ok_or(RiskError::Overflow {
                operation: "order id",
            })?;
        let account_id = match account_ids {
            None => order.account.into(),
            // The account column is the book's layout; an index beyond the ids means it
            // was changed after the book was built.
            Some(ids) => *ids.get(order.account as usize).ok_or_else(|| {
                CoreError::argument(
                    "index_out_of_range",
                    format!("account_ids: no id for account {}", order.account),
                )
            })?,
        };
        let instrument = instruments[order.symbol as usize];
        let command = order.to_command(order_id, account_id, instrument)?;
        let mut record = [0u8; COMMAND_SIZE];
        command.encode(&mut record);
        records.extend_from_slice(&record);
        rows.push(order.row as u64);
    }
    Ok((records, rows))
}

/// The candidates' closing orders as a `COMMAND_DTYPE` array and the row of each order.
/// `instruments` has one entry per symbol and `account_ids` (when given) one per account:
/// the caller checks both lengths.
pub(crate) fn commands<'py>(
    py: Python<'py>,
    candidates: &[LiquidationCandidate],
    instruments: &[&Instrument],
    first_order_id: u64,
    account_ids: Option<&[u64]>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyArray1<u64>>)> {
    let (records, rows) = encode(candidates, instruments, first_order_id, account_ids)?;
    let (command_dtype, _) = dtypes(py)?;
    let commands =
        PyArray1::from_vec(py, records).call_method1("view", (command_dtype.bind(py),))?;
    Ok((commands, PyArray1::from_vec(py, rows)))
}
