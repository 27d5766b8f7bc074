//! `Event`: one engine event as a Python object, for the scalar calls.

use std::fmt::Write;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tpcore_book::{Event, EventKind};

/// One event of the matching engine. Integers are in the instrument's units; `kind`,
/// `side` and `reason` are the stable names (`reason` is `None` when there is none).
#[pyclass(name = "Event", module = "tpcore._core", frozen, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyEvent {
    inner: Event,
}

impl From<Event> for PyEvent {
    fn from(inner: Event) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PyEvent {
    /// Sequence number of the command that caused it.
    #[getter]
    fn seq(&self) -> u64 {
        self.inner.seq
    }
    /// The book's symbol id.
    #[getter]
    fn symbol(&self) -> u32 {
        self.inner.symbol
    }
    /// `accepted`, `rejected`, `trade`, `cancelled`, `amended`, `triggered` or `expired`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind.as_str()
    }
    /// `buy` or `sell` (trades: the aggressor side).
    #[getter]
    fn side(&self) -> Option<&'static str> {
        self.inner.side.map(tpcore_book::Side::as_str)
    }
    /// The reason code of a reject, cancel or expiry.
    #[getter]
    fn reason(&self) -> Option<&'static str> {
        match self.inner.reason.as_str() {
            "" => None,
            name => Some(name),
        }
    }
    /// The order (trades: the taker).
    #[getter]
    fn order_id(&self) -> u64 {
        self.inner.order_id
    }
    /// Its account.
    #[getter]
    fn account(&self) -> u64 {
        self.inner.account
    }
    /// Order price; trades: the trade price.
    #[getter]
    fn price(&self) -> i64 {
        self.inner.price
    }
    /// Quantity accepted, traded, cancelled or expired.
    #[getter]
    fn qty(&self) -> i64 {
        self.inner.qty
    }
    /// The order's open quantity after the event.
    #[getter]
    fn leaves(&self) -> i64 {
        self.inner.leaves
    }
    /// Trades: the resting order.
    #[getter]
    fn maker_order_id(&self) -> u64 {
        self.inner.maker_order_id
    }
    /// Trades: the resting order's account.
    #[getter]
    fn maker_account(&self) -> u64 {
        self.inner.maker_account
    }
    /// Trades: the resting order's open quantity after the trade.
    #[getter]
    fn maker_leaves(&self) -> i64 {
        self.inner.maker_leaves
    }
    /// Trades: the taker's fee in notional units.
    #[getter]
    fn taker_fee(&self) -> i64 {
        self.inner.taker_fee
    }
    /// Trades: the maker's fee in notional units (negative: a rebate).
    #[getter]
    fn maker_fee(&self) -> i64 {
        self.inner.maker_fee
    }

    /// The event as a dict of its fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("seq", self.seq())?;
        d.set_item("symbol", self.symbol())?;
        d.set_item("kind", self.kind())?;
        d.set_item("side", self.side())?;
        d.set_item("reason", self.reason())?;
        d.set_item("order_id", self.order_id())?;
        d.set_item("account", self.account())?;
        d.set_item("price", self.price())?;
        d.set_item("qty", self.qty())?;
        d.set_item("leaves", self.leaves())?;
        if self.inner.kind == EventKind::Trade {
            d.set_item("maker_order_id", self.maker_order_id())?;
            d.set_item("maker_account", self.maker_account())?;
            d.set_item("maker_leaves", self.maker_leaves())?;
            d.set_item("taker_fee", self.taker_fee())?;
            d.set_item("maker_fee", self.maker_fee())?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let e = &self.inner;
        let mut s = format!(
            "Event({} seq={} order_id={} side={} price={} qty={} leaves={}",
            e.kind.as_str(),
            e.seq,
            e.order_id,
            self.side().unwrap_or("-"),
            e.price,
            e.qty,
            e.leaves
        );
        if e.kind == EventKind::Trade {
            let _ = write!(
                s,
                " maker_order_id={} taker_fee={} maker_fee={}",
                e.maker_order_id, e.taker_fee, e.maker_fee
            );
        }
        if let Some(reason) = self.reason() {
            let _ = write!(s, " reason={reason}");
        }
        s + ")"
    }
}
