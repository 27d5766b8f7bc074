//! `RiskBook`: many accounts' positions as numpy columns, marked in parallel with the GIL
//! released, recomputed incrementally when marks move, with liquidation orders.

use std::sync::{Mutex, MutexGuard, PoisonError};

use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use tpcore_risk::batch::{ACCOUNTS_PER_CHUNK, group_by_account, moved_symbols};
use tpcore_risk::{BatchInput, BatchOut, Contract, PositionIndex, RiskError};

use super::columns::{BorrowedInputs, Inputs, Optional, Outputs};
use super::contract::PyContract;
use super::liquidation;
use crate::arrays::{Column, column};
use crate::book::PyInstrument;
use crate::error::CoreError;
use crate::parallel::{detach, detach_here};

/// The marks and wallets of the last successful full or incremental computation: what the
/// outputs hold, and what an incremental call starts from.
#[derive(Default)]
struct Marked {
    marks: Vec<i64>,
    wallets: Option<Py<PyArray1<i64>>>,
}

/// The positions of many accounts as numpy columns, marked in one call.
///
/// Rows must be grouped by account in ascending order (`account_order` sorts them). The
/// arrays are held, not copied: the layout columns (`account`, `symbol`) must not change
/// after construction; the others (`qty`, `entry_price`, `leverage`, `isolated`,
/// `isolated_margin`) are read at each call, so they may be updated in place between calls
/// (then call `recompute_accounts` for the accounts changed). The outputs are arrays
/// allocated once and overwritten by each call. Calls release the GIL: do not mutate the
/// arrays from another thread meanwhile; a second call while one runs raises
/// `InvalidInput` (`array_in_use`).
#[pyclass(name = "RiskBook", module = "tpcore._core", frozen)]
pub(crate) struct PyRiskBook {
    index: PositionIndex,
    contracts: Vec<Contract>,
    inputs: Inputs,
    outputs: Outputs,
    marked: Mutex<Option<Marked>>,
}

impl PyRiskBook {
    fn lock(&self) -> MutexGuard<'_, Option<Marked>> {
        self.marked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The marks and wallets of the last computation, or an error before the first one.
    fn last(&self, py: Python<'_>) -> Result<(Vec<i64>, Py<PyArray1<i64>>), CoreError> {
        match &*self.lock() {
            Some(Marked {
                marks,
                wallets: Some(wallets),
            }) => Ok((marks.clone(), wallets.clone_ref(py))),
            _ => Err(CoreError::argument(
                "not_computed",
                "call compute(wallets, marks) first (or again, after a failed call)",
            )),
        }
    }

    /// Runs `work` on the borrowed columns with the GIL released, and records the marks
    /// and wallets it used when it succeeds (and, when it fails after writing rows, that
    /// the outputs are no longer valid).
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        wallets: &Bound<'_, PyAny>,
        marks: &[i64],
        work: impl FnOnce(&PositionIndex, &BatchInput<'_>, &mut BatchOut<'_>) -> Result<T, RiskError>
        + Send,
    ) -> PyResult<T> {
        let wallet_column = column::<i64>(wallets, "wallets")?;
        let inputs: BorrowedInputs<'_> = self.inputs.borrow(py)?;
        let mut outputs = self.outputs.borrow(py)?;
        let result = {
            let input = BatchInput {
                positions: inputs.columns()?,
                wallets: wallet_column.slice()?,
                contracts: &self.contracts,
                marks,
            };
            let mut out = outputs.out()?;
            let work = || Ok::<_, CoreError>(work(&self.index, &input, &mut out));
            if self.index.accounts() <= ACCOUNTS_PER_CHUNK {
                // One chunk of work: the calling thread does it without waking the pool.
                detach_here(py, work)?
            } else {
                detach(py, work)?
            }
        };
        match result {
            Ok(value) => {
                let wallets = wallets
                    .cast::<PyArray1<i64>>()
                    .map(|w| w.clone().unbind())
                    .ok();
                *self.lock() = Some(Marked {
                    marks: marks.to_vec(),
                    wallets,
                });
                Ok(value)
            }
            Err(err) => {
                if !wrote_nothing(&err) {
                    *self.lock() = None;
                }
                Err(CoreError::from(err).into())
            }
        }
    }
}

/// Whether a failed batch call left the outputs untouched: the core checks the column
/// lengths and the account list before it writes any row.
fn wrote_nothing(err: &RiskError) -> bool {
    match err {
        RiskError::LengthMismatch { .. } => true,
        RiskError::Row { source, .. } => matches!(
            **source,
            RiskError::UnsortedAccounts
                | RiskError::IndexOutOfRange {
                    field: "account",
                    ..
                }
        ),
        _ => false,
    }
}

#[pymethods]
impl PyRiskBook {
    /// Builds the book from position columns: `account` and `symbol` (uint32), `qty`
    /// (int64, signed: positive long) and `entry_price` (int64), `contracts` (one per
    /// symbol), `accounts` (the number of accounts; default: the largest account + 1), and
    /// optionally `leverage` (uint32; default the tier's maximum), `isolated` (bool;
    /// default all cross) and `isolated_margin` (int64; default zeros).
    #[new]
    #[pyo3(signature = (
        account, symbol, qty, entry_price, contracts, *, accounts = None, leverage = None,
        isolated = None, isolated_margin = None,
    ))]
    #[allow(clippy::too_many_arguments, reason = "the columns of one table")]
    fn new(
        py: Python<'_>,
        account: &Bound<'_, PyAny>,
        symbol: &Bound<'_, PyAny>,
        qty: &Bound<'_, PyAny>,
        entry_price: &Bound<'_, PyAny>,
        contracts: Vec<PyContract>,
        accounts: Option<usize>,
        leverage: Option<&Bound<'_, PyAny>>,
        isolated: Option<&Bound<'_, PyAny>>,
        isolated_margin: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let account_column = column::<u32>(account, "account")?;
        let rows = account_column.shape()[0];
        let optional = Optional {
            leverage,
            isolated,
            isolated_margin,
        };
        let inputs = Inputs::new(py, account, symbol, qty, entry_price, &optional, rows)?;
        let symbol_column = column::<u32>(symbol, "symbol")?;
        let (account_ids, symbol_ids) = (account_column.slice()?, symbol_column.slice()?);
        let accounts =
            accounts.unwrap_or_else(|| account_ids.iter().max().map_or(0, |&a| a as usize + 1));
        let symbols = contracts.len();
        let index = detach_here(py, || {
            PositionIndex::new(account_ids, symbol_ids, accounts, symbols)
        })?;
        Ok(Self {
            outputs: Outputs::new(py, rows, accounts),
            index,
            contracts: contracts.into_iter().map(|c| c.inner).collect(),
            inputs,
            marked: Mutex::new(None),
        })
    }

    /// The number of position rows.
    #[getter]
    fn positions(&self) -> usize {
        self.index.positions()
    }

    /// The number of accounts.
    #[getter]
    fn accounts(&self) -> usize {
        self.index.accounts()
    }

    /// The number of symbols.
    #[getter]
    fn symbols(&self) -> usize {
        self.index.symbols()
    }

    /// The accounts holding a symbol, ascending, as a uint32 array.
    fn holders<'py>(&self, py: Python<'py>, symbol: u32) -> Bound<'py, PyArray1<u32>> {
        PyArray1::from_slice(py, self.index.holders_of(symbol))
    }

    /// The output arrays by name: per position `unrealized_pnl`, `maintenance_margin`,
    /// `initial_margin`, `margin_ratio` (of the row's pool), `liquidation_price` (0: none)
    /// and `liquidate`; per account `account_margin_balance`,
    /// `account_maintenance_margin`, `account_initial_margin`, `account_margin_ratio`,
    /// `account_available_balance` and `account_liquidate` (the cross pool).
    #[getter]
    fn results<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.outputs.dict(py)
    }

    /// Computes every row from the cross `wallets` (int64, one per account) and `marks`
    /// (int64, one per symbol); returns `results`. Runs with the GIL released: do not
    /// mutate the arrays from another thread meanwhile.
    fn compute<'py>(
        &self,
        py: Python<'py>,
        wallets: &Bound<'py, PyAny>,
        marks: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let marks = column::<i64>(marks, "marks")?;
        self.run(py, wallets, marks.slice()?, PositionIndex::compute)?;
        self.outputs.dict(py)
    }

    /// Recomputes only the accounts holding a symbol whose mark differs from the last
    /// call's, with the last call's wallets; returns how many accounts it recomputed. Every
    /// other row keeps its value. Runs with the GIL released.
    fn recompute(&self, py: Python<'_>, marks: &Bound<'_, PyAny>) -> PyResult<usize> {
        let (old, wallets) = self.last(py)?;
        let marks = column::<i64>(marks, "marks")?;
        marks.expect_rows(old.len(), "the book's symbols")?;
        let new = marks.slice()?;
        let moved = moved_symbols(&old, new);
        self.run(py, wallets.bind(py).as_any(), new, |index, input, out| {
            index.recompute_symbols(input, &moved, out)
        })
    }

    /// Recomputes the listed `accounts` (uint32, strictly ascending) at the last call's
    /// marks, after their positions or wallets changed in place; `wallets` replaces the
    /// wallets array from now on when given. Runs with the GIL released.
    #[pyo3(signature = (accounts, wallets = None))]
    fn recompute_accounts(
        &self,
        py: Python<'_>,
        accounts: &Bound<'_, PyAny>,
        wallets: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let (marks, last_wallets) = self.last(py)?;
        let accounts: Column<'_, u32> = column(accounts, "accounts")?;
        let list = accounts.slice()?;
        let wallets =
            wallets.map_or_else(|| last_wallets.bind(py).clone().into_any(), Clone::clone);
        self.run(py, &wallets, &marks, |index, input, out| {
            index.recompute_accounts(input, list, out)
        })
    }

    /// The pools at or past maintenance after the last call, most at risk first (margin
    /// ratio descending; ties by account, the cross pool first, then row): a list of
    /// `(account, isolated_row, margin_ratio, orders)`, `isolated_row` `None` for the cross
    /// pool, each order `(row, account, symbol, side, qty_lots, qty, bankruptcy_price,
    /// price_ticks)` closing one position at its bankruptcy price.
    fn liquidation_candidates<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let candidates = self.candidates(py)?;
        liquidation::candidates_list(py, &candidates)
    }

    /// The closing orders of every liquidation candidate as `tpcore.book.COMMAND_DTYPE`
    /// records (immediate-or-cancel limit orders, in candidate order), and the position row
    /// of each. `instruments` are the books of the symbols (one per symbol, the same tick
    /// and lot as the contract); order ids count up from `first_order_id`; `account_ids`
    /// (uint64, one per account) maps account indices to the book's account ids (default:
    /// the index).
    #[pyo3(signature = (instruments, *, first_order_id = 1, account_ids = None))]
    #[allow(
        clippy::needless_pass_by_value,
        reason = "pyo3 extracts a sequence argument as a Vec"
    )]
    fn liquidation_commands<'py>(
        &self,
        py: Python<'py>,
        instruments: Vec<PyRef<'py, PyInstrument>>,
        first_order_id: u64,
        account_ids: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyArray1<u64>>)> {
        if instruments.len() != self.index.symbols() {
            return Err(CoreError::argument(
                "row_count_mismatch",
                format!(
                    "instruments: {} items, but the book has {} symbols",
                    instruments.len(),
                    self.index.symbols()
                ),
            )
            .into());
        }
        let ids = account_ids
            .map(|obj| column::<u64>(obj, "account_ids"))
            .transpose()?;
        if let Some(ids) = &ids {
            ids.expect_rows(self.index.accounts(), "the book's accounts")?;
        }
        let candidates = self.candidates(py)?;
        let instruments: Vec<_> = instruments.iter().map(|i| &i.inner).collect();
        let ids = ids.as_ref().map(Column::slice).transpose()?;
        liquidation::commands(py, &candidates, &instruments, first_order_id, ids)
    }
}

impl PyRiskBook {
    fn candidates(&self, py: Python<'_>) -> PyResult<Vec<tpcore_risk::LiquidationCandidate>> {
        let (marks, wallets) = self.last(py)?;
        let wallet_column = column::<i64>(wallets.bind(py).as_any(), "wallets")?;
        let inputs = self.inputs.borrow(py)?;
        let mut outputs = self.outputs.borrow(py)?;
        let input = BatchInput {
            positions: inputs.columns()?,
            wallets: wallet_column.slice()?,
            contracts: &self.contracts,
            marks: &marks,
        };
        let out = outputs.out()?;
        detach_here(py, || self.index.liquidation_candidates(&input, &out))
    }
}

/// The row order that groups positions by account, ascending and stable within an account:
/// `rows[k]` is the input row to put at position `k` (an int64 array for `numpy.take`).
#[pyfunction]
fn account_order<'py>(
    py: Python<'py>,
    account: &Bound<'py, PyAny>,
    accounts: usize,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let account = column::<u32>(account, "account")?;
    let ids = account.slice()?;
    let rows = detach_here(py, || {
        let rows = group_by_account(ids, accounts)?;
        // A row index fits an i64: a slice never holds more than isize::MAX bytes.
        Ok::<_, CoreError>(
            rows.into_iter()
                .map(|r| r.cast_signed() as i64)
                .collect::<Vec<i64>>(),
        )
    })?;
    Ok(PyArray1::from_vec(py, rows))
}

/// Adds `RiskBook` and `account_order` to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRiskBook>()?;
    m.add_function(wrap_pyfunction!(account_order, m)?)?;
    Ok(())
}
