//! Instruments: the integer units an order book trades in and the limits it enforces.

use crate::BookError;

/// A tradable instrument.
///
/// Prices are integers in units of `10^-price_decimals` of the quote asset and quantities
/// integers in units of `10^-qty_decimals` of the base asset; a price must be a multiple of
/// `tick_size` and a quantity of `lot_size` (both in those units). With the default
/// `tick_size = 1` and `lot_size = 1` the integers are ticks and lots. Notional (price x
/// quantity) and fees are integers in units of `10^-(price_decimals + qty_decimals)` of the
/// quote asset, exact without rounding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Instrument {
    /// The engine's key for this book (the `symbol` field of commands and events).
    pub symbol_id: u32,
    /// The human name, for example `BTC-USDT`.
    pub symbol: String,
    /// Decimal places of the price unit.
    pub price_decimals: u8,
    /// Decimal places of the quantity unit.
    pub qty_decimals: u8,
    /// Price increment in price units (>= 1).
    pub tick_size: i64,
    /// Quantity increment in quantity units (>= 1).
    pub lot_size: i64,
    /// Smallest order quantity, in quantity units.
    pub min_qty: i64,
    /// Largest order quantity, in quantity units.
    pub max_qty: i64,
    /// Lowest limit or trigger price, in price units.
    pub min_price: i64,
    /// Highest limit or trigger price, in price units.
    pub max_price: i64,
    /// Protection band in basis points: a market order never trades further than this from
    /// the best opposite price at its arrival, and an aggressive limit order is rejected if
    /// its price is beyond this from the last trade price.
    pub band_bps: u32,
    /// How many finished order ids the book remembers to reject duplicates.
    pub id_window: u32,
}

impl Instrument {
    /// An instrument with unit tick and lot, no quantity limits beyond `1..=i64::MAX / 2`,
    /// a 5% band and a 100,000-id duplicate window.
    #[must_use]
    pub fn new(symbol_id: u32, symbol: impl Into<String>) -> Self {
        Self {
            symbol_id,
            symbol: symbol.into(),
            price_decimals: 0,
            qty_decimals: 0,
            tick_size: 1,
            lot_size: 1,
            min_qty: 1,
            max_qty: MAX_QTY,
            min_price: 1,
            max_price: MAX_PRICE,
            band_bps: 500,
            id_window: 100_000,
        }
    }

    /// Checks that the fields are consistent.
    ///
    /// # Errors
    ///
    /// [`BookError::InvalidInstrument`] naming the field.
    pub fn validate(&self) -> Result<(), BookError> {
        let bad = |field: &'static str, detail: &str| {
            Err(BookError::InvalidInstrument {
                field,
                detail: detail.to_owned(),
            })
        };
        if self.tick_size < 1 {
            return bad("tick_size", "must be at least 1");
        }
        if self.lot_size < 1 {
            return bad("lot_size", "must be at least 1");
        }
        if self.min_qty < self.lot_size || self.min_qty % self.lot_size != 0 {
            return bad("min_qty", "must be a positive multiple of lot_size");
        }
        if self.max_qty < self.min_qty || self.max_qty > MAX_QTY {
            return bad("max_qty", "must be between min_qty and 2^62");
        }
        if self.min_price < 1 {
            return bad("min_price", "must be at least 1");
        }
        if self.max_price < self.min_price || self.max_price > MAX_PRICE {
            return bad("max_price", "must be between min_price and 2^62");
        }
        if self.band_bps > 1_000_000 {
            return bad("band_bps", "must be at most 1,000,000 (100x)");
        }
        if u32::from(self.price_decimals) + u32::from(self.qty_decimals) > 30 {
            return bad(
                "price_decimals",
                "price and quantity decimals add up to more than 30",
            );
        }
        Ok(())
    }

    /// The largest multiple of the tick at or below `price`.
    #[must_use]
    pub(crate) fn floor_tick(&self, price: i64) -> i64 {
        price - price.rem_euclid(self.tick_size)
    }

    /// The smallest multiple of the tick at or above `price`.
    #[must_use]
    pub(crate) fn ceil_tick(&self, price: i64) -> i64 {
        let rem = price.rem_euclid(self.tick_size);
        if rem == 0 {
            price
        } else {
            price - rem + self.tick_size
        }
    }
}

/// Largest quantity an instrument may allow (2^62). Totals over many orders (a level's
/// visible quantity) are kept wider, so they never overflow.
pub const MAX_QTY: i64 = 1 << 62;
/// Largest price an instrument may allow (2^62).
pub const MAX_PRICE: i64 = 1 << 62;
/// The most parts an iceberg order may have: its quantity at most this many times its
/// display quantity, on submit and on amend. Each refill trades separately, so this bounds
/// the events one aggressive order makes against one iceberg (without it, an iceberg of
/// 10^14 lots showing one lot turns one order into 10^14 trade events).
pub const MAX_ICEBERG_PARTS: i64 = 100;
