//! `Brackets` (leverage tiers with computed maintenance amounts) and `Contract` (a linear
//! or inverse perpetual with its brackets, tick and lot).

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tpcore_risk::margin::{bankruptcy_price, liquidation_price, position_metrics};
use tpcore_risk::{Brackets, Contract, ContractKind, TierSpec};

use crate::error::CoreError;

/// A published tier: `(floor, cap, max_leverage, mmr)` or with the published `cum`.
type TierRow = (i64, i64, u32, i64, Option<i64>);

/// One tier as `tiers` returns it: `(floor, cap, max_leverage, mmr, cum)`.
type TierOut = (i64, i64, u32, i64, i64);

fn tier_row(item: &Bound<'_, PyAny>, index: usize) -> Result<TierRow, CoreError> {
    let bad = || CoreError::Argument {
        reason: "invalid_brackets",
        message: format!(
            "tiers[{index}]: expected (floor, cap, max_leverage, mmr) or (floor, cap, \
             max_leverage, mmr, cum) integers"
        ),
        index: Some(index),
    };
    let tuple = item.cast::<PyTuple>().map_err(|_| bad())?;
    match tuple.len() {
        4 => tuple
            .extract::<(i64, i64, u32, i64)>()
            .map(|(floor, cap, lev, mmr)| (floor, cap, lev, mmr, None))
            .map_err(|_| bad()),
        5 => tuple.extract::<TierRow>().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// A validated leverage bracket table: tiers of notional `(floor, cap]` (values x 10^8)
/// with a maximum leverage and a maintenance margin rate (x 10^8). The maintenance amount
/// of each tier (`cum`) is computed by the core; one given in a row is checked against it.
#[pyclass(name = "Brackets", module = "tpcore._core", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyBrackets {
    pub(crate) inner: Brackets,
}

#[pymethods]
impl PyBrackets {
    /// Builds the table from tier rows `(floor, cap, max_leverage, mmr)` or
    /// `(floor, cap, max_leverage, mmr, cum)`, lowest tier first.
    #[new]
    fn new(tiers: Vec<Bound<'_, PyAny>>) -> PyResult<Self> {
        let specs = tiers
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                let (floor, cap, max_leverage, mmr, cum) = tier_row(&item, index)?;
                let spec = TierSpec::new(floor, cap, max_leverage, mmr);
                Ok(cum.map_or(spec, |cum| spec.with_cum(cum)))
            })
            .collect::<Result<Vec<_>, CoreError>>()?;
        let inner = Brackets::new(&specs).map_err(CoreError::from)?;
        Ok(Self { inner })
    }

    /// One tier from 0 to the largest value.
    #[staticmethod]
    fn flat(max_leverage: u32, mmr: i64) -> PyResult<Self> {
        let inner = Brackets::flat(max_leverage, mmr).map_err(CoreError::from)?;
        Ok(Self { inner })
    }

    /// The tiers as `(floor, cap, max_leverage, mmr, cum)`.
    #[getter]
    fn tiers(&self) -> Vec<TierOut> {
        self.inner
            .tiers()
            .iter()
            .map(|t| (t.floor, t.cap, t.max_leverage, t.mmr, t.cum))
            .collect()
    }

    /// The cap of the last tier.
    #[getter]
    fn max_notional(&self) -> i64 {
        self.inner.max_notional()
    }

    /// The index of the tier a notional falls in (the last tier beyond the last cap).
    fn tier_index(&self, notional: i64) -> usize {
        self.inner.tier_index(notional)
    }

    /// `notional x mmr - cum` of the notional's tier, rounded up, at least 0.
    fn maintenance_margin(&self, notional: i64) -> i64 {
        self.inner.maintenance_margin(notional)
    }

    /// `notional / leverage` rounded up, to open or grow a position. Raises `InvalidInput`
    /// (`leverage_too_high`) above the tier's maximum leverage and (`notional_above_max`)
    /// above the last cap.
    fn initial_margin(&self, notional: i64, leverage: u32) -> PyResult<i64> {
        self.inner
            .initial_margin(notional, leverage)
            .map_err(|e| CoreError::from(e).into())
    }

    /// `notional / min(leverage, tier maximum)` rounded up: the initial margin of a held
    /// position, never refused.
    fn initial_margin_capped(&self, notional: i64, leverage: u32) -> PyResult<i64> {
        self.inner
            .initial_margin_capped(notional, leverage)
            .map_err(|e| CoreError::from(e).into())
    }

    fn __len__(&self) -> usize {
        self.inner.tiers().len()
    }

    fn __repr__(&self) -> String {
        format!("Brackets({:?})", self.tiers())
    }
}

/// A perpetual contract: linear (values in the quote asset) or inverse (values in the
/// coin, contracts of `face_value` quote each), with its brackets, price tick and quantity
/// lot (all x 10^8). Build one with `Contract.linear` or `Contract.inverse`.
#[pyclass(name = "Contract", module = "tpcore._core", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyContract {
    pub(crate) inner: Contract,
}

#[pymethods]
impl PyContract {
    /// A linear (USDT-margined) perpetual.
    #[staticmethod]
    #[pyo3(signature = (brackets, *, tick_size = 1, lot_size = 1))]
    fn linear(brackets: PyBrackets, tick_size: i64, lot_size: i64) -> PyResult<Self> {
        Self::sized(Contract::linear(brackets.inner), tick_size, lot_size)
    }

    /// An inverse (coin-margined) perpetual whose contracts are worth `face_value` quote
    /// units (x 10^8) each.
    #[staticmethod]
    #[pyo3(signature = (face_value, brackets, *, tick_size = 1, lot_size = 1))]
    fn inverse(
        face_value: i64,
        brackets: PyBrackets,
        tick_size: i64,
        lot_size: i64,
    ) -> PyResult<Self> {
        let contract = Contract::inverse(face_value, brackets.inner).map_err(CoreError::from)?;
        Self::sized(contract, tick_size, lot_size)
    }

    /// `"linear"` or `"inverse"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.inner.kind() {
            ContractKind::Linear => "linear",
            ContractKind::Inverse { .. } => "inverse",
        }
    }

    /// The face value of an inverse contract, `None` for a linear one.
    #[getter]
    fn face_value(&self) -> Option<i64> {
        match self.inner.kind() {
            ContractKind::Linear => None,
            ContractKind::Inverse { face_value } => Some(face_value),
        }
    }

    /// The leverage brackets.
    #[getter]
    fn brackets(&self) -> PyBrackets {
        PyBrackets {
            inner: self.inner.brackets().clone(),
        }
    }

    /// The price tick.
    #[getter]
    fn tick_size(&self) -> i64 {
        self.inner.tick_size()
    }

    /// The quantity lot.
    #[getter]
    fn lot_size(&self) -> i64 {
        self.inner.lot_size()
    }

    /// The notional of `qty` (signed) at `price`, rounded up.
    fn notional(&self, qty: i64, price: i64) -> PyResult<i64> {
        self.inner
            .notional(qty, price)
            .map_err(|e| CoreError::from(e).into())
    }

    /// The unrealized PnL of `qty` (signed) entered at `entry_price`, at `mark_price`,
    /// rounded down.
    fn unrealized_pnl(&self, qty: i64, entry_price: i64, mark_price: i64) -> PyResult<i64> {
        self.inner
            .unrealized_pnl(qty, entry_price, mark_price)
            .map_err(|e| CoreError::from(e).into())
    }

    /// `(notional, unrealized_pnl, maintenance_margin, initial_margin)` of a position at
    /// `mark_price`, the initial margin at `min(leverage, tier maximum)`.
    fn metrics(
        &self,
        qty: i64,
        entry_price: i64,
        mark_price: i64,
        leverage: u32,
    ) -> PyResult<(i64, i64, i64, i64)> {
        let m = position_metrics(&self.inner, qty, entry_price, mark_price, leverage)
            .map_err(CoreError::from)?;
        Ok((
            m.notional,
            m.unrealized_pnl,
            m.maintenance_margin,
            m.initial_margin,
        ))
    }

    /// The mark at which the position's margin balance meets its maintenance margin, given
    /// the `collateral` that does not move with it (an isolated wallet, or for cross the
    /// wallet less the other positions' maintenance margin plus their PnL), rounded
    /// against the holder to the tick. `None` when there is none.
    fn liquidation_price(
        &self,
        qty: i64,
        entry_price: i64,
        collateral: i64,
    ) -> PyResult<Option<i64>> {
        liquidation_price(&self.inner, qty, entry_price, collateral)
            .map_err(|e| CoreError::from(e).into())
    }

    /// The mark at which the margin balance is zero, rounded against the holder to the
    /// tick. `None` when there is none.
    fn bankruptcy_price(
        &self,
        qty: i64,
        entry_price: i64,
        collateral: i64,
    ) -> PyResult<Option<i64>> {
        bankruptcy_price(&self.inner, qty, entry_price, collateral)
            .map_err(|e| CoreError::from(e).into())
    }

    fn __repr__(&self) -> String {
        let face = self
            .face_value()
            .map_or_else(String::new, |f| format!(", face_value={f}"));
        format!(
            "Contract({}{face}, tiers={}, tick_size={}, lot_size={})",
            self.kind(),
            self.inner.brackets().tiers().len(),
            self.tick_size(),
            self.lot_size()
        )
    }
}

impl PyContract {
    fn sized(contract: Contract, tick_size: i64, lot_size: i64) -> PyResult<Self> {
        let inner = contract
            .with_tick_size(tick_size)
            .and_then(|c| c.with_lot_size(lot_size))
            .map_err(CoreError::from)?;
        Ok(Self { inner })
    }
}

/// Adds `Brackets` and `Contract` to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBrackets>()?;
    m.add_class::<PyContract>()?;
    Ok(())
}
