//! The columns of a `RiskBook`: the caller's input arrays, held (never copied) and borrowed
//! read-only for each call, and the output arrays, allocated once and borrowed for writing.

use numpy::{PyArray1, PyReadwriteArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tpcore_risk::{AccountOut, BatchOut, PositionColumns, PositionOut};

use crate::arrays::{Column, column, column_mut};
use crate::error::CoreError;

/// Checks that `obj` is a `(rows,)` column of `T` and keeps a reference to it.
fn hold<T: numpy::Element>(
    obj: &Bound<'_, PyAny>,
    name: &'static str,
    rows: usize,
) -> Result<Py<PyArray1<T>>, CoreError> {
    column::<T>(obj, name)?.expect_rows(rows, "account")?;
    obj.cast::<PyArray1<T>>()
        .map(|array| array.clone().unbind())
        .map_err(|_| CoreError::argument("invalid_dtype", format!("{name}: not an array")))
}

/// `obj` held as a column, or a new column of `fill` when it is `None`.
fn hold_or<T: numpy::Element + Copy>(
    py: Python<'_>,
    obj: Option<&Bound<'_, PyAny>>,
    name: &'static str,
    rows: usize,
    fill: T,
) -> Result<Py<PyArray1<T>>, CoreError> {
    match obj {
        Some(obj) => hold(obj, name, rows),
        None => Ok(PyArray1::from_vec(py, vec![fill; rows]).unbind()),
    }
}

/// Borrows a held column read-only.
fn borrow<'py, T: numpy::Element>(
    py: Python<'py>,
    array: &Py<PyArray1<T>>,
    name: &'static str,
) -> Result<Column<'py, T>, CoreError> {
    column(array.bind(py).as_any(), name)
}

/// The position columns as given by the caller.
pub(crate) struct Inputs {
    account: Py<PyArray1<u32>>,
    symbol: Py<PyArray1<u32>>,
    qty: Py<PyArray1<i64>>,
    entry_price: Py<PyArray1<i64>>,
    leverage: Py<PyArray1<u32>>,
    isolated: Py<PyArray1<bool>>,
    isolated_margin: Py<PyArray1<i64>>,
}

/// The optional position columns of a `RiskBook`.
pub(crate) struct Optional<'a, 'py> {
    pub(crate) leverage: Option<&'a Bound<'py, PyAny>>,
    pub(crate) isolated: Option<&'a Bound<'py, PyAny>>,
    pub(crate) isolated_margin: Option<&'a Bound<'py, PyAny>>,
}

impl Inputs {
    /// Checks and holds the columns; `rows` is the length of the account column. A missing
    /// leverage column is the tier's maximum (`u32::MAX`), a missing isolated column all
    /// cross, a missing isolated margin column zeros.
    pub(crate) fn new(
        py: Python<'_>,
        account: &Bound<'_, PyAny>,
        symbol: &Bound<'_, PyAny>,
        qty: &Bound<'_, PyAny>,
        entry_price: &Bound<'_, PyAny>,
        optional: &Optional<'_, '_>,
        rows: usize,
    ) -> Result<Self, CoreError> {
        Ok(Self {
            account: hold(account, "account", rows)?,
            symbol: hold(symbol, "symbol", rows)?,
            qty: hold(qty, "qty", rows)?,
            entry_price: hold(entry_price, "entry_price", rows)?,
            leverage: hold_or(py, optional.leverage, "leverage", rows, u32::MAX)?,
            isolated: hold_or(py, optional.isolated, "isolated", rows, false)?,
            isolated_margin: hold_or(py, optional.isolated_margin, "isolated_margin", rows, 0)?,
        })
    }

    /// Borrows every column read-only.
    pub(crate) fn borrow<'py>(&self, py: Python<'py>) -> Result<BorrowedInputs<'py>, CoreError> {
        Ok(BorrowedInputs {
            account: borrow(py, &self.account, "account")?,
            symbol: borrow(py, &self.symbol, "symbol")?,
            qty: borrow(py, &self.qty, "qty")?,
            entry_price: borrow(py, &self.entry_price, "entry_price")?,
            leverage: borrow(py, &self.leverage, "leverage")?,
            isolated: borrow(py, &self.isolated, "isolated")?,
            isolated_margin: borrow(py, &self.isolated_margin, "isolated_margin")?,
        })
    }
}

/// The position columns, borrowed for one call.
pub(crate) struct BorrowedInputs<'py> {
    account: Column<'py, u32>,
    symbol: Column<'py, u32>,
    qty: Column<'py, i64>,
    entry_price: Column<'py, i64>,
    leverage: Column<'py, u32>,
    isolated: Column<'py, bool>,
    isolated_margin: Column<'py, i64>,
}

impl BorrowedInputs<'_> {
    /// The core's view of the columns.
    pub(crate) fn columns(&self) -> Result<PositionColumns<'_>, CoreError> {
        Ok(PositionColumns {
            account: self.account.slice()?,
            symbol: self.symbol.slice()?,
            qty: self.qty.slice()?,
            entry_price: self.entry_price.slice()?,
            leverage: self.leverage.slice()?,
            isolated: self.isolated.slice()?,
            isolated_margin: self.isolated_margin.slice()?,
        })
    }
}

/// The names of the integer output columns: five per position, then five per account.
const VALUE_NAMES: [&str; 10] = [
    "unrealized_pnl",
    "maintenance_margin",
    "initial_margin",
    "margin_ratio",
    "liquidation_price",
    "account_margin_balance",
    "account_maintenance_margin",
    "account_initial_margin",
    "account_margin_ratio",
    "account_available_balance",
];

/// The names of the flag output columns: per position, then per account.
const FLAG_NAMES: [&str; 2] = ["liquidate", "account_liquidate"];

/// The output columns, allocated once.
pub(crate) struct Outputs {
    values: [Py<PyArray1<i64>>; 10],
    flags: [Py<PyArray1<bool>>; 2],
}

impl Outputs {
    /// Zeroed outputs for `positions` rows and `accounts` accounts.
    pub(crate) fn new(py: Python<'_>, positions: usize, accounts: usize) -> Self {
        let values = std::array::from_fn(|k| {
            let rows = if k < 5 { positions } else { accounts };
            PyArray1::<i64>::zeros(py, rows, false).unbind()
        });
        let flags =
            [positions, accounts].map(|rows| PyArray1::<bool>::zeros(py, rows, false).unbind());
        Self { values, flags }
    }

    /// Borrows every output column for writing.
    pub(crate) fn borrow<'py>(&self, py: Python<'py>) -> Result<BorrowedOutputs<'py>, CoreError> {
        let values = self
            .values
            .iter()
            .zip(VALUE_NAMES)
            .map(|(array, name)| column_mut(array.bind(py), name))
            .collect::<Result<Vec<_>, _>>()?;
        let flags = self
            .flags
            .iter()
            .zip(FLAG_NAMES)
            .map(|(array, name)| column_mut(array.bind(py), name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BorrowedOutputs { values, flags })
    }

    /// The output arrays by name (the same arrays after every call).
    pub(crate) fn dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (array, name) in self.values.iter().zip(VALUE_NAMES) {
            d.set_item(name, array.bind(py))?;
        }
        for (array, name) in self.flags.iter().zip(FLAG_NAMES) {
            d.set_item(name, array.bind(py))?;
        }
        Ok(d)
    }
}

/// The output columns, borrowed for writing during one call.
pub(crate) struct BorrowedOutputs<'py> {
    values: Vec<PyReadwriteArray1<'py, i64>>,
    flags: Vec<PyReadwriteArray1<'py, bool>>,
}

fn not_contiguous() -> CoreError {
    CoreError::argument("not_contiguous", "an output array is not C-contiguous")
}

impl BorrowedOutputs<'_> {
    /// The core's view of the outputs.
    pub(crate) fn out(&mut self) -> Result<BatchOut<'_>, CoreError> {
        let values = self
            .values
            .iter_mut()
            .map(|a| a.as_slice_mut().map_err(|_| not_contiguous()))
            .collect::<Result<Vec<_>, _>>()?;
        let [
            upnl,
            maintenance,
            initial,
            ratio,
            price,
            balance,
            account_maintenance,
            account_initial,
            account_ratio,
            available,
        ] = <[&mut [i64]; 10]>::try_from(values).map_err(|_| not_contiguous())?;
        let flags = self
            .flags
            .iter_mut()
            .map(|a| a.as_slice_mut().map_err(|_| not_contiguous()))
            .collect::<Result<Vec<_>, _>>()?;
        let [liquidate, account_liquidate] =
            <[&mut [bool]; 2]>::try_from(flags).map_err(|_| not_contiguous())?;
        Ok(BatchOut {
            positions: PositionOut {
                unrealized_pnl: upnl,
                maintenance_margin: maintenance,
                initial_margin: initial,
                margin_ratio: ratio,
                liquidation_price: price,
                liquidate,
            },
            accounts: AccountOut {
                margin_balance: balance,
                maintenance_margin: account_maintenance,
                initial_margin: account_initial,
                margin_ratio: account_ratio,
                available_balance: available,
                liquidate: account_liquidate,
            },
        })
    }
}
