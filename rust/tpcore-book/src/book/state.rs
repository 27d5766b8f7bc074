//! The canonical state of a book: what a snapshot holds, what `state_hash` digests, and
//! what a restore rebuilds. It lists orders in priority order, so two books that behave
//! the same have the same state whatever their internal slots.

use super::stops::StopOrder;
use super::{Book, PendingStop, RestingOrder};
use crate::BookError;
use crate::instrument::Instrument;
use crate::types::{OrderType, SelfTrade, Side, TimeInForce};

/// Everything that decides a book's future events.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BookState {
    /// The instrument.
    pub instrument: Instrument,
    /// Last trade price, 0 before the first trade.
    pub last_price: i64,
    /// The book's clock.
    pub now: i64,
    /// Acceptance counter of stop orders.
    pub next_arrival: u64,
    /// Resting bids in priority order.
    pub bids: Vec<RestingOrder>,
    /// Resting asks in priority order.
    pub asks: Vec<RestingOrder>,
    /// Pending stops: buys in firing order, then sells.
    pub stops: Vec<PendingStop>,
    /// Finished order ids still in the duplicate window, oldest first.
    pub recent_ids: Vec<u64>,
}

impl Book {
    /// The canonical state.
    #[must_use]
    pub fn state(&self) -> BookState {
        BookState {
            instrument: self.instrument.clone(),
            last_price: self.last_price,
            now: self.now,
            next_arrival: self.next_arrival,
            bids: self.orders(Side::Buy),
            asks: self.orders(Side::Sell),
            stops: self.stop_orders(),
            recent_ids: self.ids.recent().collect(),
        }
    }

    /// Rebuilds a book from its canonical state.
    ///
    /// # Errors
    ///
    /// [`BookError::CorruptSnapshot`] if the state is not one a book can be in (bad codes,
    /// a crossed or unsorted book, a duplicate id); [`BookError::InvalidInstrument`] for an
    /// inconsistent instrument.
    pub fn from_state(state: BookState) -> Result<Self, BookError> {
        let mut book = Self::new(state.instrument)?;
        book.last_price = state.last_price;
        book.now = state.now;
        book.next_arrival = state.next_arrival;
        for id in state.recent_ids {
            book.ids.remember(id);
        }
        for (side, orders) in [(Side::Buy, &state.bids), (Side::Sell, &state.asks)] {
            for order in orders {
                check_resting(&book, side, order)?;
                book.insert_resting(side, order);
            }
        }
        for stop in &state.stops {
            let record = stop_record(&book, stop)?;
            book.add_stop(record);
        }
        book.validate_invariants()
            .map_err(|detail| corrupt(&detail))?;
        let orders = state.bids.iter().chain(&state.asks);
        if !is_priority_order(&book, orders) {
            return Err(corrupt("resting orders are not in priority order"));
        }
        Ok(book)
    }
}

fn corrupt(detail: &str) -> BookError {
    BookError::CorruptSnapshot {
        detail: detail.to_owned(),
    }
}

/// Whether re-reading the restored book gives the orders in the order they were given.
fn is_priority_order<'a>(book: &Book, given: impl Iterator<Item = &'a RestingOrder>) -> bool {
    let restored = book
        .orders(Side::Buy)
        .into_iter()
        .chain(book.orders(Side::Sell));
    restored.map(|o| o.order_id).eq(given.map(|o| o.order_id))
}

fn check_resting(book: &Book, side: Side, order: &RestingOrder) -> Result<(), BookError> {
    let known = SelfTrade::from_code(order.stp).is_some()
        && matches!(
            TimeInForce::from_code(order.tif),
            Some(TimeInForce::Gtc | TimeInForce::Gtd)
        );
    let quantities = order.visible > 0
        && order.hidden >= 0
        && order.display >= 0
        && (order.display > 0 || order.hidden == 0)
        && (order.display == 0 || order.visible <= order.display);
    if !known || !quantities || order.price <= 0 {
        return Err(corrupt(&format!("order {} is malformed", order.order_id)));
    }
    if book.ids.is_known(order.order_id) {
        return Err(corrupt(&format!(
            "order id {} appears twice",
            order.order_id
        )));
    }
    let _ = side;
    Ok(())
}

fn stop_record(book: &Book, stop: &PendingStop) -> Result<StopOrder, BookError> {
    let bad = || corrupt(&format!("stop {} is malformed", stop.order_id));
    let order_type = OrderType::from_code(stop.order_type)
        .filter(|t| t.is_stop())
        .ok_or_else(bad)?;
    if book.ids.is_known(stop.order_id) {
        return Err(corrupt(&format!(
            "order id {} appears twice",
            stop.order_id
        )));
    }
    if stop.qty <= 0 || stop.trigger_price <= 0 || stop.arrival >= book.next_arrival {
        return Err(bad());
    }
    Ok(StopOrder {
        id: stop.order_id,
        account: stop.account,
        trigger: stop.trigger_price,
        price: stop.price,
        qty: stop.qty,
        expire_at: stop.expire_at,
        arrival: stop.arrival,
        tier: stop.tier,
        side: Side::from_code(stop.side).ok_or_else(bad)?,
        order_type,
        tif: TimeInForce::from_code(stop.tif).ok_or_else(bad)?,
        stp: SelfTrade::from_code(stop.stp).ok_or_else(bad)?,
    })
}

impl Book {
    /// The versioned, compact snapshot of this book (see [`crate::snapshot`]).
    #[must_use]
    pub fn snapshot(&self) -> Vec<u8> {
        crate::snapshot::encode(BOOK_MAGIC, &self.state())
    }

    /// Rebuilds a book from [`Book::snapshot`] bytes.
    ///
    /// # Errors
    ///
    /// [`BookError::CorruptSnapshot`] if the bytes do not decode to a valid state.
    pub fn restore(bytes: &[u8]) -> Result<Self, BookError> {
        Self::from_state(crate::snapshot::decode(BOOK_MAGIC, bytes)?)
    }

    /// SHA-256 of the snapshot: equal hashes mean equal canonical states.
    #[must_use]
    pub fn state_hash(&self) -> [u8; 32] {
        crate::snapshot::hash(&self.snapshot())
    }
}

const BOOK_MAGIC: [u8; 4] = *b"TPBK";
