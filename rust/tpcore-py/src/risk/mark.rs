//! Mark price (the median of three) and the basis averages a caller keeps for it.

use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;
use tpcore_risk::mark::funding_basis_price as core_funding_basis_price;
use tpcore_risk::{Ema, FlaggedPrice, MarkInputs, PriceFlags, Twap, mark_price as core_mark};

use crate::error::CoreError;

/// The mark price of a perpetual: the median of the funding basis price
/// `index x (1 + funding_rate x time_to_funding / funding_interval)`, the moving-average
/// basis price `index + basis_average` and the last traded price (a component given as
/// `None` is left out; the median of two is their mean rounded down). Returns
/// `(price, flags)` with the flags of the index (`index_flags`).
#[pyfunction]
#[pyo3(signature = (
    index, *, funding_rate = 0, time_to_funding = 0, funding_interval = 1,
    basis_average = None, last_price = None, index_flags = 0,
))]
fn mark_price(
    index: i64,
    funding_rate: i64,
    time_to_funding: i64,
    funding_interval: i64,
    basis_average: Option<i64>,
    last_price: Option<i64>,
    index_flags: u8,
) -> PyResult<(i64, u8)> {
    let inputs = MarkInputs {
        index: FlaggedPrice::with_flags(index, PriceFlags::from_bits_truncate(index_flags)),
        funding_rate,
        time_to_funding,
        funding_interval,
        basis_average,
        last_price,
    };
    let mark = core_mark(&inputs).map_err(CoreError::from)?;
    Ok((mark.price, mark.flags.bits()))
}

/// `index x (1 + funding_rate x time_to_funding / funding_interval)`, rounded down: the
/// first component of the mark price.
#[pyfunction]
fn funding_basis_price(
    index: i64,
    funding_rate: i64,
    time_to_funding: i64,
    funding_interval: i64,
) -> PyResult<i64> {
    core_funding_basis_price(index, funding_rate, time_to_funding, funding_interval)
        .map_err(|e| CoreError::from(e).into())
}

/// An exponential moving average with smoothing `alpha` (rate x 10^8, in (0, 100%]),
/// rounded down; the first sample sets it. Feed it `mid - index` for the mark's basis.
#[pyclass(name = "Ema", module = "tpcore._core", frozen)]
pub(crate) struct PyEma {
    inner: Mutex<Ema>,
}

impl PyEma {
    fn lock(&self) -> MutexGuard<'_, Ema> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl PyEma {
    #[new]
    fn new(alpha: i64) -> PyResult<Self> {
        let inner = Ema::new(alpha).map_err(CoreError::from)?;
        Ok(Self {
            inner: Mutex::new(inner),
        })
    }

    /// Adds a sample and returns the new average.
    fn update(&self, sample: i64) -> PyResult<i64> {
        self.lock()
            .update(sample)
            .map_err(|e| CoreError::from(e).into())
    }

    /// The current average, or `None` before the first sample.
    #[getter]
    fn value(&self) -> Option<i64> {
        self.lock().value()
    }
}

/// A time-weighted average over a trailing `window` (the caller's time unit): each sample
/// holds until the next, rounded down. Feed it `mid - index` for the mark's basis.
#[pyclass(name = "Twap", module = "tpcore._core", frozen)]
pub(crate) struct PyTwap {
    inner: Mutex<Twap>,
}

impl PyTwap {
    fn lock(&self) -> MutexGuard<'_, Twap> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl PyTwap {
    #[new]
    fn new(window: i64) -> PyResult<Self> {
        let inner = Twap::new(window).map_err(CoreError::from)?;
        Ok(Self {
            inner: Mutex::new(inner),
        })
    }

    /// Adds a sample taken at `timestamp` (an older timestamp than the last is ignored).
    fn update(&self, timestamp: i64, value: i64) {
        self.lock().update(timestamp, value);
    }

    /// The average at `now`, or `None` before the first sample.
    fn average(&self, now: i64) -> Option<i64> {
        self.lock().average(now)
    }
}

/// Adds the mark price functions and the basis averages to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mark_price, m)?)?;
    m.add_function(wrap_pyfunction!(funding_basis_price, m)?)?;
    m.add_class::<PyEma>()?;
    m.add_class::<PyTwap>()?;
    Ok(())
}
