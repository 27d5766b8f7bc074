//! One instrument's order book: the fast implementation of the engine's semantics.
//!
//! The layout and invariants are described in the crate documentation. This module holds
//! the state and the read side (market data, invariants, memory); `commands` turns
//! commands into events and `matching` runs an incoming order against the book.

mod commands;
mod ids;
mod matching;
mod queues;
mod state;
mod stops;
mod store;

use std::collections::BTreeSet;

use crate::event::Event;
use crate::fees::FeeSchedule;
use crate::instrument::Instrument;
use crate::types::{Side, TimeInForce};
use ids::{Handle, IdIndex};
pub use state::BookState;
use stops::{StopBook, StopOrder};
use store::{Ladder, Level, NIL, Order, OrderExt, Slab};

/// A price level as market data shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepthLevel {
    /// Level price.
    pub price: i64,
    /// Visible quantity (iceberg reserves are not shown), saturating at `i64::MAX`.
    pub qty: i64,
    /// Number of orders.
    pub orders: u32,
}

/// A change of one price level's visible quantity; `qty` 0 means the level is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L2Delta {
    /// The side of the level.
    pub side: Side,
    /// Level price.
    pub price: i64,
    /// Visible quantity now, saturating at `i64::MAX`.
    pub qty: i64,
}

/// A resting order as full-depth (L3) market data and snapshots show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RestingOrder {
    /// Client order id.
    pub order_id: u64,
    /// Owner.
    pub account: u64,
    /// Limit price.
    pub price: i64,
    /// Visible open quantity.
    pub visible: i64,
    /// Iceberg reserve (0 for a plain order).
    pub hidden: i64,
    /// Iceberg display quantity (0 for a plain order).
    pub display: i64,
    /// Good-till-date expiry (0 for none).
    pub expire_at: i64,
    /// Fee tier taken at acceptance.
    pub tier: u16,
    /// Self-trade prevention code.
    pub stp: u8,
    /// Flag bits (post-only).
    pub flags: u8,
    /// Time in force code (GTC or GTD).
    pub tif: u8,
}

/// A stop order waiting for its trigger, as snapshots show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingStop {
    /// Client order id.
    pub order_id: u64,
    /// Owner.
    pub account: u64,
    /// Side code.
    pub side: u8,
    /// Order type code (stop-market or stop-limit).
    pub order_type: u8,
    /// Trigger price.
    pub trigger_price: i64,
    /// Limit price (0 for stop-market).
    pub price: i64,
    /// Quantity.
    pub qty: i64,
    /// Time in force code.
    pub tif: u8,
    /// Good-till-date expiry (0 for none).
    pub expire_at: i64,
    /// Self-trade prevention code.
    pub stp: u8,
    /// Fee tier taken at acceptance.
    pub tier: u16,
    /// Acceptance order among stops.
    pub arrival: u64,
}

/// An order book for one instrument.
#[derive(Debug, Clone)]
pub struct Book {
    instrument: Instrument,
    bids: Ladder,
    asks: Ladder,
    levels: Slab<Level>,
    orders: Slab<Order>,
    exts: Slab<OrderExt>,
    stops: StopBook,
    ids: IdIndex,
    /// Good-till-date orders and stops by (expiry, id).
    expiries: BTreeSet<(i64, u64)>,
    last_price: i64,
    now: i64,
    next_arrival: u64,
    deltas: Option<Vec<(Side, i64)>>,
}

impl Book {
    /// An empty book.
    ///
    /// # Errors
    ///
    /// [`crate::BookError::InvalidInstrument`] if the instrument is inconsistent.
    pub fn new(instrument: Instrument) -> Result<Self, crate::BookError> {
        instrument.validate()?;
        let window = instrument.id_window as usize;
        Ok(Self {
            instrument,
            bids: Ladder::new(Side::Buy),
            asks: Ladder::new(Side::Sell),
            levels: Slab::default(),
            orders: Slab::default(),
            exts: Slab::default(),
            stops: StopBook::default(),
            ids: IdIndex::new(window),
            expiries: BTreeSet::new(),
            last_price: 0,
            now: 0,
            next_arrival: 0,
            deltas: None,
        })
    }

    /// The instrument.
    #[must_use]
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    /// Applies one command, appending its events to `out`.
    pub fn process(&mut self, command: &crate::Command, fees: &FeeSchedule, out: &mut Vec<Event>) {
        commands::process(self, command, fees, out);
    }

    /// The last trade price, 0 before the first trade.
    #[must_use]
    pub fn last_price(&self) -> i64 {
        self.last_price
    }

    /// The book's clock (advanced by advance-time commands).
    #[must_use]
    pub fn now(&self) -> i64 {
        self.now
    }

    fn ladder(&self, side: Side) -> &Ladder {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    fn ladder_mut(&mut self, side: Side) -> &mut Ladder {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }

    /// The levels of a side that hold orders, best first (the ladder's empty placeholders
    /// skipped).
    fn live_levels(&self, side: Side) -> impl Iterator<Item = u32> + '_ {
        self.ladder(side)
            .best_first()
            .filter(|&l| self.levels[l].count > 0)
    }

    fn depth_level(&self, level: u32) -> DepthLevel {
        let level = &self.levels[level];
        DepthLevel {
            price: level.price,
            qty: level.shown(),
            orders: level.count,
        }
    }

    /// The best bid.
    #[must_use]
    pub fn best_bid(&self) -> Option<DepthLevel> {
        self.bids.best().map(|l| self.depth_level(l))
    }

    /// The best ask.
    #[must_use]
    pub fn best_ask(&self) -> Option<DepthLevel> {
        self.asks.best().map(|l| self.depth_level(l))
    }

    /// The top `n` levels of a side, best first (L2).
    #[must_use]
    pub fn depth(&self, side: Side, n: usize) -> Vec<DepthLevel> {
        self.live_levels(side)
            .take(n)
            .map(|l| self.depth_level(l))
            .collect()
    }

    /// Every resting order of a side in priority order: best price first, then time (L3).
    #[must_use]
    pub fn orders(&self, side: Side) -> Vec<RestingOrder> {
        let levels: Vec<u32> = self.live_levels(side).collect();
        self.queue_slots(&levels)
            .into_iter()
            .map(|slot| self.resting_order(slot))
            .collect()
    }

    fn resting_order(&self, slot: u32) -> RestingOrder {
        let order = &self.orders[slot];
        let price = self.levels[order.level].price;
        let ext = self.ext(order);
        RestingOrder {
            order_id: order.id,
            account: order.account,
            price,
            visible: order.leaves,
            hidden: ext.hidden,
            display: ext.display,
            expire_at: ext.expire_at,
            tier: order.tier,
            stp: order.stp as u8,
            flags: order.flags,
            tif: order.tif as u8,
        }
    }

    /// Pending stop orders: buy stops in firing order, then sell stops.
    #[must_use]
    pub fn stop_orders(&self) -> Vec<PendingStop> {
        [Side::Buy, Side::Sell]
            .into_iter()
            .flat_map(|side| self.stops.in_order(side))
            .map(|slot| {
                let stop = &self.stops.orders[slot];
                PendingStop {
                    order_id: stop.id,
                    account: stop.account,
                    side: stop.side as u8,
                    order_type: stop.order_type as u8,
                    trigger_price: stop.trigger,
                    price: stop.price,
                    qty: stop.qty,
                    tif: stop.tif as u8,
                    expire_at: stop.expire_at,
                    stp: stop.stp as u8,
                    tier: stop.tier,
                    arrival: stop.arrival,
                }
            })
            .collect()
    }

    /// Number of resting orders.
    #[must_use]
    pub fn resting_count(&self) -> usize {
        self.orders.len()
    }

    /// Number of pending stop orders.
    #[must_use]
    pub fn stop_count(&self) -> usize {
        self.stops.len()
    }

    /// Starts (or stops) recording the price levels that change, for [`Book::take_l2_deltas`].
    pub fn track_l2_deltas(&mut self, on: bool) {
        self.deltas = on.then(Vec::new);
    }

    /// The levels changed since the last call, sorted by side (bids first) and price, each
    /// with its visible quantity now (0 when the level is gone).
    pub fn take_l2_deltas(&mut self) -> Vec<L2Delta> {
        let Some(touched) = self.deltas.as_mut() else {
            return Vec::new();
        };
        let mut touched = std::mem::take(touched);
        touched.sort_unstable();
        touched.dedup();
        touched
            .into_iter()
            .map(|(side, price)| L2Delta {
                side,
                price,
                qty: self
                    .ladder(side)
                    .level_at(price)
                    .map_or(0, |l| self.levels[l].shown()),
            })
            .collect()
    }

    fn touch(&mut self, side: Side, price: i64) {
        if let Some(deltas) = self.deltas.as_mut() {
            deltas.push((side, price));
        }
    }

    fn ext(&self, order: &Order) -> OrderExt {
        if order.ext == NIL {
            OrderExt::default()
        } else {
            self.exts[order.ext]
        }
    }

    /// Bytes of heap memory the book holds, capacity included.
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        self.bids.heap_bytes()
            + self.asks.heap_bytes()
            + self.levels.heap_bytes()
            + self.orders.heap_bytes()
            + self.exts.heap_bytes()
            + self.stops.orders.heap_bytes()
            + self.ids.heap_bytes()
            + self.expiries.len() * 3 * size_of::<(i64, u64)>()
    }

    /// Checks every structural invariant: ladders sorted, levels non-empty (but for the
    /// ladder's counted placeholders, never the best) with their visible totals and counts
    /// right, FIFO links consistent, the book not crossed, every
    /// live id pointing at its order, icebergs within their display size.
    ///
    /// # Errors
    ///
    /// A description of the first broken invariant.
    pub fn validate_invariants(&self) -> Result<(), String> {
        let mut resting = 0usize;
        for side in [Side::Buy, Side::Sell] {
            let ladder = self.ladder(side);
            let mut previous: Option<i64> = None;
            let mut placeholders = 0usize;
            for (key, level_slot) in ladder.keys_and_levels() {
                if previous.is_some_and(|p| p >= key) {
                    return Err(format!("{} ladder not strictly sorted", side.as_str()));
                }
                previous = Some(key);
                let level = &self.levels[level_slot];
                if !ladder.key_matches(key, level.price) {
                    return Err(format!(
                        "level key {key} does not match price {}",
                        level.price
                    ));
                }
                if level.count == 0 && ladder.best() != Some(level_slot) {
                    if level.head != NIL || level.tail != NIL || level.visible != 0 {
                        return Err(format!("placeholder level {} not empty", level.price));
                    }
                    placeholders += 1;
                    continue;
                }
                resting += self.check_level(side, level_slot)?;
            }
            if placeholders != ladder.placeholders() {
                return Err(format!(
                    "{} ladder has {placeholders} placeholders, counts {}",
                    side.as_str(),
                    ladder.placeholders()
                ));
            }
        }
        if let (Some(bid), Some(ask)) = (self.best_bid(), self.best_ask())
            && bid.price >= ask.price
        {
            return Err(format!(
                "book crossed at rest: bid {} >= ask {}",
                bid.price, ask.price
            ));
        }
        if resting != self.orders.len() {
            return Err(format!(
                "{resting} orders linked, {} allocated",
                self.orders.len()
            ));
        }
        if self.ids.live_len() != resting + self.stops.len() {
            return Err(format!(
                "{} live ids for {resting} resting orders and {} stops",
                self.ids.live_len(),
                self.stops.len()
            ));
        }
        for side in [Side::Buy, Side::Sell] {
            for slot in self.stops.in_order(side) {
                let stop = &self.stops.orders[slot];
                if self.ids.get(stop.id) != Some(Handle::Stop(slot)) {
                    return Err(format!("stop {} not indexed", stop.id));
                }
            }
        }
        Ok(())
    }

    fn check_level(&self, side: Side, level_slot: u32) -> Result<usize, String> {
        let level = &self.levels[level_slot];
        let (mut count, mut visible, mut prev, mut slot) = (0u32, 0i128, NIL, level.head);
        while slot != NIL {
            let order = &self.orders[slot];
            if order.prev != prev || order.level != level_slot || order.side != side {
                return Err(format!(
                    "order {} badly linked at {}",
                    order.id, level.price
                ));
            }
            if order.leaves <= 0 {
                return Err(format!("order {} rests with no visible quantity", order.id));
            }
            let ext = self.ext(order);
            if ext.display > 0 && order.leaves > ext.display {
                return Err(format!("iceberg {} shows more than its display", order.id));
            }
            if !matches!(order.tif, TimeInForce::Gtc | TimeInForce::Gtd) {
                return Err(format!(
                    "order {} rests with {}",
                    order.id,
                    order.tif.as_str()
                ));
            }
            if self.ids.get(order.id) != Some(Handle::Resting(slot)) {
                return Err(format!("order {} not indexed", order.id));
            }
            count += 1;
            visible += i128::from(order.leaves);
            prev = slot;
            slot = order.next;
        }
        if count == 0 {
            return Err(format!("empty level {} in the ladder", level.price));
        }
        if level.tail != prev || count != level.count || visible != level.visible {
            return Err(format!("level {} totals are wrong", level.price));
        }
        Ok(count as usize)
    }

    /// Records a pending stop order.
    fn add_stop(&mut self, stop: StopOrder) {
        let id = stop.id;
        let expiry = (stop.tif == TimeInForce::Gtd).then_some(stop.expire_at);
        let slot = self.stops.insert(stop);
        self.ids.set_live(id, Handle::Stop(slot));
        if let Some(at) = expiry {
            self.expiries.insert((at, id));
        }
    }
}

pub(crate) use commands::rejected;
pub(crate) use stops::StopOrder as StopRecord;
