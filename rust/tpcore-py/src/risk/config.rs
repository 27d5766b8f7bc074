//! `IndexConfig`: the rules of an index price, in the core's integer units.

use pyo3::prelude::*;
use tpcore_risk::{Aggregation, CircuitBreaker, IndexConfig, OutlierRule};

use super::{choice, name_of};
use crate::error::CoreError;

/// The outlier rule names.
const OUTLIERS: [(&str, u8); 3] = [("none", 0), ("drop", 1), ("clamp", 2)];

/// The aggregation names.
const AGGREGATIONS: [(&str, Aggregation); 2] = [
    ("mean", Aggregation::WeightedMean),
    ("median", Aggregation::WeightedMedian),
];

/// The rules of an index price: `max_age` (in the caller's time unit), the minimum of live
/// sources, the outlier rule (`"none"`, `"drop"` or `"clamp"`) with its band (a rate,
/// x 10^8), the aggregation (`"mean"` or `"median"`, both weighted) and an optional
/// circuit breaker (threshold rate x 10^8, window in the time unit, confirmations).
/// `tpcore.risk.index_config` builds one from basis points and percentages.
#[pyclass(
    name = "IndexConfig",
    module = "tpcore._core",
    frozen,
    eq,
    from_py_object
)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyIndexConfig {
    pub(crate) inner: IndexConfig,
}

#[pymethods]
impl PyIndexConfig {
    #[new]
    #[pyo3(signature = (
        max_age, *, min_sources = 1, outliers = "none", band = 0, aggregation = "mean",
        breaker_threshold = None, breaker_window = 1, breaker_confirmations = 2,
    ))]
    #[allow(
        clippy::too_many_arguments,
        reason = "keyword-only options of one config"
    )]
    fn new(
        max_age: i64,
        min_sources: usize,
        outliers: &str,
        band: i64,
        aggregation: &str,
        breaker_threshold: Option<i64>,
        breaker_window: i64,
        breaker_confirmations: u32,
    ) -> PyResult<Self> {
        let outliers = match choice("outliers", outliers, &OUTLIERS)? {
            0 => OutlierRule::None,
            1 => OutlierRule::Drop { band },
            _ => OutlierRule::Clamp { band },
        };
        let inner = IndexConfig {
            max_age,
            min_sources,
            outliers,
            aggregation: choice("aggregation", aggregation, &AGGREGATIONS)?,
            breaker: breaker_threshold.map(|threshold| CircuitBreaker {
                threshold,
                window: breaker_window,
                confirmations: breaker_confirmations,
            }),
        };
        inner.validate().map_err(CoreError::from)?;
        Ok(Self { inner })
    }

    /// Oldest quote age still live.
    #[getter]
    fn max_age(&self) -> i64 {
        self.inner.max_age
    }

    /// Minimum of live sources for a good price.
    #[getter]
    fn min_sources(&self) -> usize {
        self.inner.min_sources
    }

    /// `"none"`, `"drop"` or `"clamp"`.
    #[getter]
    fn outliers(&self) -> &'static str {
        let code = match self.inner.outliers {
            OutlierRule::None => 0,
            OutlierRule::Drop { .. } => 1,
            OutlierRule::Clamp { .. } => 2,
        };
        name_of(&code, &OUTLIERS)
    }

    /// The outlier band (rate x 10^8); 0 without an outlier rule.
    #[getter]
    fn band(&self) -> i64 {
        match self.inner.outliers {
            OutlierRule::None => 0,
            OutlierRule::Drop { band } | OutlierRule::Clamp { band } => band,
        }
    }

    /// `"mean"` or `"median"`.
    #[getter]
    fn aggregation(&self) -> &'static str {
        name_of(&self.inner.aggregation, &AGGREGATIONS)
    }

    /// The circuit breaker's threshold (rate x 10^8), or `None` without a breaker.
    #[getter]
    fn breaker_threshold(&self) -> Option<i64> {
        self.inner.breaker.map(|b| b.threshold)
    }

    /// The circuit breaker's window (time unit); 0 without a breaker.
    #[getter]
    fn breaker_window(&self) -> i64 {
        self.inner.breaker.map_or(0, |b| b.window)
    }

    /// Consecutive computations beyond the threshold that confirm a move; 0 without a
    /// breaker.
    #[getter]
    fn breaker_confirmations(&self) -> u32 {
        self.inner.breaker.map_or(0, |b| b.confirmations)
    }

    fn __repr__(&self) -> String {
        let breaker = self.inner.breaker.map_or_else(String::new, |b| {
            format!(
                ", breaker_threshold={}, breaker_window={}, breaker_confirmations={}",
                b.threshold, b.window, b.confirmations
            )
        });
        format!(
            "IndexConfig({}, min_sources={}, outliers={:?}, band={}, aggregation={:?}{breaker})",
            self.max_age(),
            self.min_sources(),
            self.outliers(),
            self.band(),
            self.aggregation(),
        )
    }
}

/// Adds `IndexConfig` to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyIndexConfig>()
}
