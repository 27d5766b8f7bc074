//! `Instrument`: the integer description of a book (units, limits, band).

use pyo3::prelude::*;
use tpcore_book::{Instrument, MAX_PRICE, MAX_QTY};

use crate::error::CoreError;

/// An instrument in integer units: prices in `10**-price_decimals`, quantities in
/// `10**-qty_decimals`; `tick_size` and `lot_size` in those units. `tpcore.book.instrument`
/// builds one from decimal tick and lot sizes.
#[pyclass(name = "Instrument", module = "tpcore._core", frozen, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyInstrument {
    pub(crate) inner: Instrument,
}

#[pymethods]
impl PyInstrument {
    #[new]
    #[pyo3(signature = (
        symbol_id, symbol, *, price_decimals = 0, qty_decimals = 0, tick_size = 1, lot_size = 1,
        min_qty = None, max_qty = MAX_QTY, min_price = None, max_price = MAX_PRICE,
        band_bps = 500, id_window = 100_000,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        symbol_id: u32,
        symbol: String,
        price_decimals: u8,
        qty_decimals: u8,
        tick_size: i64,
        lot_size: i64,
        min_qty: Option<i64>,
        max_qty: i64,
        min_price: Option<i64>,
        max_price: i64,
        band_bps: u32,
        id_window: u32,
    ) -> PyResult<Self> {
        let inner = Instrument {
            symbol_id,
            symbol,
            price_decimals,
            qty_decimals,
            tick_size,
            lot_size,
            min_qty: min_qty.unwrap_or(lot_size),
            max_qty,
            min_price: min_price.unwrap_or(tick_size),
            max_price,
            band_bps,
            id_window,
        };
        inner.validate().map_err(CoreError::from)?;
        Ok(Self { inner })
    }

    /// The engine's key for the book.
    #[getter]
    fn symbol_id(&self) -> u32 {
        self.inner.symbol_id
    }

    /// The human name.
    #[getter]
    fn symbol(&self) -> &str {
        &self.inner.symbol
    }

    /// Decimal places of the price unit.
    #[getter]
    fn price_decimals(&self) -> u8 {
        self.inner.price_decimals
    }

    /// Decimal places of the quantity unit.
    #[getter]
    fn qty_decimals(&self) -> u8 {
        self.inner.qty_decimals
    }

    /// Price increment in price units.
    #[getter]
    fn tick_size(&self) -> i64 {
        self.inner.tick_size
    }

    /// Quantity increment in quantity units.
    #[getter]
    fn lot_size(&self) -> i64 {
        self.inner.lot_size
    }

    /// Smallest order quantity.
    #[getter]
    fn min_qty(&self) -> i64 {
        self.inner.min_qty
    }

    /// Largest order quantity.
    #[getter]
    fn max_qty(&self) -> i64 {
        self.inner.max_qty
    }

    /// Lowest price.
    #[getter]
    fn min_price(&self) -> i64 {
        self.inner.min_price
    }

    /// Highest price.
    #[getter]
    fn max_price(&self) -> i64 {
        self.inner.max_price
    }

    /// Protection band in basis points.
    #[getter]
    fn band_bps(&self) -> u32 {
        self.inner.band_bps
    }

    /// Finished ids remembered for duplicate detection.
    #[getter]
    fn id_window(&self) -> u32 {
        self.inner.id_window
    }

    fn __repr__(&self) -> String {
        let i = &self.inner;
        format!(
            "Instrument({}, {:?}, price_decimals={}, qty_decimals={}, tick_size={}, lot_size={})",
            i.symbol_id, i.symbol, i.price_decimals, i.qty_decimals, i.tick_size, i.lot_size
        )
    }
}
