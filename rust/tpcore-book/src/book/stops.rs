//! Pending stop orders, ordered for triggering.
//!
//! Buy stops fire when the last trade price rises to their trigger, lowest trigger first;
//! sell stops when it falls to theirs, highest trigger first; within a trigger price, in
//! order of acceptance. When both sides have a stop ready, the one accepted earlier fires
//! first.

use std::collections::BTreeMap;

use super::store::Slab;
use crate::types::{OrderType, SelfTrade, Side, TimeInForce};

/// A stop order waiting for its trigger.
#[derive(Debug, Clone)]
pub(crate) struct StopOrder {
    pub(crate) id: u64,
    pub(crate) account: u64,
    pub(crate) trigger: i64,
    /// Limit price of a stop-limit order; 0 for stop-market.
    pub(crate) price: i64,
    pub(crate) qty: i64,
    pub(crate) expire_at: i64,
    /// Acceptance order among stops, for time priority.
    pub(crate) arrival: u64,
    pub(crate) tier: u16,
    pub(crate) side: Side,
    pub(crate) order_type: OrderType,
    pub(crate) tif: TimeInForce,
    pub(crate) stp: SelfTrade,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct StopBook {
    pub(crate) orders: Slab<StopOrder>,
    /// (trigger, arrival) -> slot.
    buys: BTreeMap<(i64, u64), u32>,
    /// (-trigger, arrival) -> slot.
    sells: BTreeMap<(i64, u64), u32>,
}

impl StopBook {
    fn key(stop: &StopOrder) -> (i64, u64) {
        match stop.side {
            Side::Buy => (stop.trigger, stop.arrival),
            Side::Sell => (-stop.trigger, stop.arrival),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.buys.is_empty() && self.sells.is_empty()
    }

    pub(crate) fn insert(&mut self, stop: StopOrder) -> u32 {
        let key = Self::key(&stop);
        let side = stop.side;
        let slot = self.orders.insert(stop);
        match side {
            Side::Buy => self.buys.insert(key, slot),
            Side::Sell => self.sells.insert(key, slot),
        };
        slot
    }

    pub(crate) fn remove(&mut self, slot: u32) -> StopOrder {
        let stop = self.orders[slot].clone();
        let key = Self::key(&stop);
        match stop.side {
            Side::Buy => self.buys.remove(&key),
            Side::Sell => self.sells.remove(&key),
        };
        self.orders.remove(slot);
        stop
    }

    /// The next stop the last trade price `last` fires, if any.
    pub(crate) fn next_triggered(&self, last: i64) -> Option<u32> {
        if last <= 0 {
            return None;
        }
        let buy_ready = self
            .buys
            .first_key_value()
            .filter(|((trigger, _), _)| *trigger <= last);
        let sell_ready = self
            .sells
            .first_key_value()
            .filter(|((neg_trigger, _), _)| -*neg_trigger >= last);
        match (buy_ready, sell_ready) {
            (Some(((_, a), &b)), Some(((_, c), &s))) => Some(if a < c { b } else { s }),
            (Some((_, &b)), None) => Some(b),
            (None, Some((_, &s))) => Some(s),
            (None, None) => None,
        }
    }

    /// Slots of one side in firing order.
    pub(crate) fn in_order(&self, side: Side) -> impl Iterator<Item = u32> + '_ {
        match side {
            Side::Buy => self.buys.values(),
            Side::Sell => self.sells.values(),
        }
        .copied()
    }

    pub(crate) fn len(&self) -> usize {
        self.orders.len()
    }
}
