//! Index prices: one symbol from its source arrays, many symbols from `(symbols, sources)`
//! arrays with the GIL released, and `IndexBook`, which keeps each symbol's state (last
//! good price, breaker window) between computations.

use std::sync::{Mutex, MutexGuard, PoisonError};

use numpy::PyArray1;
use pyo3::prelude::*;
use tpcore_risk::index::compute_many_columns;
use tpcore_risk::{IndexPrice, IndexState, Quote, RiskError};

use super::config::PyIndexConfig;
use crate::arrays::{Column, column, matrix};
use crate::error::CoreError;
use crate::parallel::detach_batch;

/// `(prices, flags, sources)` of many symbols.
type IndexColumns<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray1<u32>>,
);

/// The quotes of parallel price, weight and timestamp slices (of equal length).
fn quotes(prices: &[i64], weights: &[i64], timestamps: &[i64]) -> Vec<Quote> {
    prices
        .iter()
        .zip(weights)
        .zip(timestamps)
        .map(|((&price, &weight), &timestamp)| Quote::new(price, weight, timestamp))
        .collect()
}

/// A state that starts from `last_good` (0: none) at `now`, for `symbol`.
fn state_from(last_good: i64, now: i64, symbol: usize) -> Result<IndexState, RiskError> {
    match last_good {
        0 => Ok(IndexState::new()),
        price if price > 0 => Ok(IndexState::with_last_good(price, now)),
        price => Err(RiskError::InvalidPrice {
            symbol: symbol as u32,
            price,
        }
        .at_row(symbol)),
    }
}

/// Splits index results into numpy columns.
fn columns_of<'py>(py: Python<'py>, results: &[IndexPrice]) -> IndexColumns<'py> {
    let prices = results.iter().map(|r| r.price).collect();
    let flags = results.iter().map(|r| r.flags.bits()).collect();
    let sources = results.iter().map(|r| r.sources).collect();
    (
        PyArray1::from_vec(py, prices),
        PyArray1::from_vec(py, flags),
        PyArray1::from_vec(py, sources),
    )
}

/// The index price of one symbol from its sources' `prices`, `weights` (volume or fixed
/// weights) and `timestamps` (int64 arrays of equal length) at time `now`.
///
/// `last_good` is the last published price (`None`: there is none): it is the result when
/// fewer than `min_sources` sources are live (flag `uncertain`), and the circuit breaker's
/// reference (a move beyond the threshold from it is held, flag `circuit_breaker`, unless
/// the config confirms moves at once). Returns `(price, flags, sources)`: the price
/// (0 with `no_price` when there has never been one), the flag bits and the number of
/// sources that contributed.
#[pyfunction]
#[pyo3(signature = (config, prices, weights, timestamps, now, last_good = None))]
fn index_price(
    config: &PyIndexConfig,
    prices: &Bound<'_, PyAny>,
    weights: &Bound<'_, PyAny>,
    timestamps: &Bound<'_, PyAny>,
    now: i64,
    last_good: Option<i64>,
) -> PyResult<(i64, u8, u32)> {
    let prices = column::<i64>(prices, "prices")?;
    let weights = column::<i64>(weights, "weights")?;
    let timestamps = column::<i64>(timestamps, "timestamps")?;
    let rows = prices.shape()[0];
    weights.expect_rows(rows, "prices")?;
    timestamps.expect_rows(rows, "prices")?;
    if last_good.is_some_and(|p| p <= 0) {
        return Err(CoreError::argument("invalid_price", "last_good must be positive").into());
    }
    let mut state = match last_good {
        Some(price) => IndexState::with_last_good(price, now),
        None => IndexState::new(),
    };
    let quotes = quotes(prices.slice()?, weights.slice()?, timestamps.slice()?);
    let result = state
        .compute(&config.inner, &quotes, now)
        .map_err(CoreError::from)?;
    Ok((result.price, result.flags.bits(), result.sources))
}

/// The borrowed `(symbols, sources)` arrays of a batch.
struct Sources<'py> {
    prices: crate::arrays::Matrix<'py, i64>,
    weights: crate::arrays::Matrix<'py, i64>,
    timestamps: crate::arrays::Matrix<'py, i64>,
}

impl<'py> Sources<'py> {
    fn borrow(
        prices: &Bound<'py, PyAny>,
        weights: &Bound<'py, PyAny>,
        timestamps: &Bound<'py, PyAny>,
    ) -> Result<Self, CoreError> {
        let prices = matrix::<i64>(prices, "prices")?;
        let weights = matrix::<i64>(weights, "weights")?;
        let timestamps = matrix::<i64>(timestamps, "timestamps")?;
        for other in [&weights, &timestamps] {
            if other.shape() != prices.shape() {
                return Err(CoreError::argument(
                    "row_count_mismatch",
                    format!(
                        "{}: shape {:?}, but prices has shape {:?}",
                        other.name(),
                        other.shape(),
                        prices.shape()
                    ),
                ));
            }
        }
        Ok(Self {
            prices,
            weights,
            timestamps,
        })
    }

    /// (symbols, sources per symbol).
    fn dims(&self) -> (usize, usize) {
        (self.prices.shape()[0], self.prices.shape()[1])
    }

    /// The arrays as slices, to use with the GIL released.
    fn slices(&self) -> Result<SourceSlices<'_>, CoreError> {
        let (symbols, width) = self.dims();
        Ok(SourceSlices {
            prices: self.prices.slice()?,
            weights: self.weights.slice()?,
            timestamps: self.timestamps.slice()?,
            symbols,
            width,
        })
    }
}

/// The `(symbols, sources)` arrays of a batch as row-major slices.
struct SourceSlices<'a> {
    prices: &'a [i64],
    weights: &'a [i64],
    timestamps: &'a [i64],
    symbols: usize,
    width: usize,
}

impl SourceSlices<'_> {
    /// Computes every symbol from `states`.
    fn compute(
        &self,
        config: &PyIndexConfig,
        states: &mut [IndexState],
        now: i64,
    ) -> Result<Vec<IndexPrice>, RiskError> {
        // Straight from the numpy buffers: no quotes or offsets are built.
        let mut out = vec![IndexPrice::default(); self.symbols];
        compute_many_columns(
            &config.inner,
            states,
            self.prices,
            self.weights,
            self.timestamps,
            self.width,
            now,
            &mut out,
        )?;
        Ok(out)
    }
}

/// The index prices of many symbols at `now`: `prices`, `weights` and `timestamps` are
/// int64 arrays of shape `(symbols, sources)`, one row per symbol (a source a symbol lacks
/// can be given weight 0 or an old timestamp: it is dropped and flagged `stale_source`).
///
/// `last_good` is an int64 array of the last published price per symbol (0: none), as
/// for `index_price`. Returns `(prices, flags, sources)` as `(symbols,)` arrays of int64,
/// uint8 and uint32. Runs with the GIL released: do not mutate the arrays from another
/// thread meanwhile.
#[pyfunction]
#[pyo3(signature = (config, prices, weights, timestamps, now, last_good = None))]
fn index_prices<'py>(
    py: Python<'py>,
    config: &PyIndexConfig,
    prices: &Bound<'py, PyAny>,
    weights: &Bound<'py, PyAny>,
    timestamps: &Bound<'py, PyAny>,
    now: i64,
    last_good: Option<&Bound<'py, PyAny>>,
) -> PyResult<IndexColumns<'py>> {
    let sources = Sources::borrow(prices, weights, timestamps)?;
    let (symbols, _) = sources.dims();
    let last_good: Option<Column<'py, i64>> = last_good
        .map(|obj| column::<i64>(obj, "last_good"))
        .transpose()?;
    if let Some(column) = &last_good {
        column.expect_rows(symbols, "prices")?;
    }
    let last_good = last_good.as_ref().map(Column::slice).transpose()?;
    let sources = sources.slices()?;
    let results = detach_batch(py, symbols, || {
        let mut states = match last_good {
            None => (0..symbols).map(|_| IndexState::new()).collect::<Vec<_>>(),
            Some(prices) => prices
                .iter()
                .enumerate()
                .map(|(s, &p)| state_from(p, now, s))
                .collect::<Result<_, _>>()?,
        };
        sources.compute(config, &mut states, now)
    })?;
    Ok(columns_of(py, &results))
}

/// The index prices of a fixed set of symbols, computed again and again: each symbol keeps
/// its state (last good price, circuit breaker window and pending confirmations) between
/// calls. Thread-safe; calls run one at a time.
#[pyclass(name = "IndexBook", module = "tpcore._core", frozen)]
pub(crate) struct PyIndexBook {
    config: PyIndexConfig,
    states: Mutex<Vec<IndexState>>,
}

impl PyIndexBook {
    fn lock(&self) -> MutexGuard<'_, Vec<IndexState>> {
        self.states.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl PyIndexBook {
    /// An index book of `symbols` symbols with no good price yet.
    #[new]
    fn new(config: PyIndexConfig, symbols: usize) -> Self {
        Self {
            config,
            states: Mutex::new(vec![IndexState::new(); symbols]),
        }
    }

    /// The config.
    #[getter]
    fn config(&self) -> PyIndexConfig {
        self.config.clone()
    }

    /// The number of symbols.
    #[getter]
    fn symbols(&self) -> usize {
        self.lock().len()
    }

    /// Computes every symbol's index at `now` from `(symbols, sources)` int64 arrays, as
    /// `index_prices` does, and keeps the new states. Returns `(prices, flags, sources)`.
    /// When a symbol fails (a weighted sum beyond the integer range), the call raises and
    /// that symbol's state is unchanged; the other symbols' states have advanced. Runs
    /// with the GIL released: do not mutate the arrays from another thread meanwhile.
    fn compute<'py>(
        &self,
        py: Python<'py>,
        prices: &Bound<'py, PyAny>,
        weights: &Bound<'py, PyAny>,
        timestamps: &Bound<'py, PyAny>,
        now: i64,
    ) -> PyResult<IndexColumns<'py>> {
        let sources = Sources::borrow(prices, weights, timestamps)?;
        let (symbols, _) = sources.dims();
        let expected = self.symbols();
        if symbols != expected {
            return Err(CoreError::argument(
                "row_count_mismatch",
                format!("prices: {symbols} rows, but the index book has {expected} symbols"),
            )
            .into());
        }
        let sources = sources.slices()?;
        let results = detach_batch(py, symbols, || {
            sources.compute(&self.config, &mut self.lock(), now)
        })?;
        Ok(columns_of(py, &results))
    }

    /// The last good price of every symbol (0: none yet) as an int64 array.
    fn last_good<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        let prices: Vec<i64> = self
            .lock()
            .iter()
            .map(|s| s.last_good().unwrap_or(0))
            .collect();
        PyArray1::from_vec(py, prices)
    }

    /// The number of consecutive held moves of every symbol awaiting confirmation, as a
    /// uint32 array.
    fn pending_confirmations<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        let counts: Vec<u32> = self
            .lock()
            .iter()
            .map(IndexState::pending_confirmations)
            .collect();
        PyArray1::from_vec(py, counts)
    }
}

/// Adds the index functions and `IndexBook` to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(index_price, m)?)?;
    m.add_function(wrap_pyfunction!(index_prices, m)?)?;
    m.add_class::<PyIndexBook>()?;
    Ok(())
}
