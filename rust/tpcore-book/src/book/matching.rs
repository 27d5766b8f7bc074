//! Running an incoming order against the book: price-time matching, self-trade
//! prevention, iceberg refills, fill-or-kill, resting the remainder, and stop triggers.

use std::cmp::Ordering;

use super::ids::Handle;
use super::store::{Level, NIL, Order, OrderExt};
use super::{Book, RestingOrder, StopRecord};
use crate::event::Event;
use crate::fees::{FeeSchedule, fee};
use crate::types::{EventKind, OrderType, Reason, SelfTrade, Side, TimeInForce};

/// An order on its way in: a new order, an amended order re-entering, or a triggered stop.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub(crate) id: u64,
    pub(crate) account: u64,
    pub(crate) side: Side,
    /// The worst price it may trade at: the limit price, or a market order's protection
    /// price.
    pub(crate) limit: i64,
    pub(crate) market: bool,
    /// Open quantity.
    pub(crate) leaves: i64,
    /// Notional it may still spend; `None` for no budget. A budget spent exactly is
    /// `Some(0)` and stops the order, not "no budget".
    pub(crate) budget: Option<i64>,
    pub(crate) tif: TimeInForce,
    pub(crate) stp: SelfTrade,
    pub(crate) tier: u16,
    pub(crate) flags: u8,
    pub(crate) display: i64,
    pub(crate) expire_at: i64,
}

/// Why matching stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Filled,
    /// The next price is beyond the limit, or the other side is empty.
    Exhausted,
    SelfTrade,
    Budget,
}

/// Whether a taker on `side` with limit `limit` trades at a resting `price`.
fn crosses(side: Side, limit: i64, price: i64) -> bool {
    match side {
        Side::Buy => price <= limit,
        Side::Sell => price >= limit,
    }
}

impl Book {
    /// Runs an accepted order: fill-or-kill check, matching, then rest or cancel the
    /// remainder. The id is live or finished afterwards as the outcome says.
    pub(crate) fn execute(
        &mut self,
        mut order: Incoming,
        seq: u64,
        fees: &FeeSchedule,
        out: &mut Vec<Event>,
    ) {
        if order.tif == TimeInForce::Fok && !self.can_fill(&order) {
            self.cancel_incoming(&order, order.leaves, Reason::FokUnfilled, seq, out);
            return;
        }
        let stop = self.match_order(&mut order, seq, fees, out);
        if order.leaves == 0 {
            self.ids.finish(order.id);
            return;
        }
        let reason = match stop {
            Stop::SelfTrade => Reason::SelfTrade,
            Stop::Budget => Reason::BudgetExhausted,
            // `Filled` leaves nothing open, so only `Exhausted` gets here.
            Stop::Filled | Stop::Exhausted if order.market => {
                if self.ladder(order.side.opposite()).is_empty() {
                    Reason::NoLiquidity
                } else {
                    Reason::MarketProtection
                }
            }
            Stop::Filled | Stop::Exhausted if order.tif.rests() => {
                self.rest(&order);
                return;
            }
            Stop::Filled | Stop::Exhausted => Reason::IocRemainder,
        };
        self.cancel_incoming(&order, order.leaves, reason, seq, out);
    }

    /// Cancels an incoming order's remainder and finishes its id.
    pub(crate) fn cancel_incoming(
        &mut self,
        order: &Incoming,
        qty: i64,
        reason: Reason,
        seq: u64,
        out: &mut Vec<Event>,
    ) {
        out.push(Event {
            order_id: order.id,
            account: order.account,
            side: Some(order.side),
            price: if order.market { 0 } else { order.limit },
            qty,
            leaves: 0,
            reason,
            ..Event::about(EventKind::Cancelled, seq, self.instrument.symbol_id)
        });
        self.ids.finish(order.id);
    }

    /// Matches against the opposite side until filled, out of price, blocked by
    /// self-trade prevention, or out of budget.
    fn match_order(
        &mut self,
        order: &mut Incoming,
        seq: u64,
        fees: &FeeSchedule,
        out: &mut Vec<Event>,
    ) -> Stop {
        let maker_side = order.side.opposite();
        let taker_rate = fees.rates(order.tier).taker_rate;
        loop {
            let Some(level_slot) = self.ladder(maker_side).best() else {
                return Stop::Exhausted;
            };
            let price = self.levels[level_slot].price;
            if !crosses(order.side, order.limit, price) {
                return Stop::Exhausted;
            }
            // Walk the level in time priority until it empties or the order stops.
            loop {
                let maker_slot = self.levels[level_slot].head;
                let maker = &self.orders[maker_slot];
                if maker.account == order.account {
                    if let Some(stop) = self.prevent_self_trade(order, maker_slot, seq, out) {
                        return stop;
                    }
                } else {
                    let mut qty = order.leaves.min(maker.leaves);
                    if let Some(budget) = order.budget {
                        let lot = self.instrument.lot_size;
                        let affordable = budget / price / lot * lot;
                        if affordable == 0 {
                            return Stop::Budget;
                        }
                        qty = qty.min(affordable);
                    }
                    let maker_rate = fees.rates(maker.tier).maker_rate;
                    self.trade(
                        order, maker_slot, price, qty, taker_rate, maker_rate, seq, out,
                    );
                    if order.leaves == 0 {
                        return Stop::Filled;
                    }
                }
                // A freed level is not reused before this check: nothing rests meanwhile.
                if self.levels[level_slot].count == 0 {
                    break;
                }
            }
        }
    }

    /// One fill between the incoming order and the maker at the head of its level.
    #[allow(clippy::too_many_arguments)]
    fn trade(
        &mut self,
        order: &mut Incoming,
        maker_slot: u32,
        price: i64,
        qty: i64,
        taker_rate: i32,
        maker_rate: i32,
        seq: u64,
        out: &mut Vec<Event>,
    ) {
        // Every resting order's price x quantity fits an i64 (checked at entry), and the
        // trade price is the maker's price, so the notional fits.
        let notional = price.saturating_mul(qty);
        order.leaves -= qty;
        if let Some(budget) = order.budget.as_mut() {
            *budget -= notional;
        }
        let level_slot = self.orders[maker_slot].level;
        self.orders[maker_slot].leaves -= qty;
        self.levels[level_slot].visible -= i128::from(qty);
        let maker = &self.orders[maker_slot];
        let (maker_id, maker_account, maker_side) = (maker.id, maker.account, maker.side);
        let mut maker_leaves = maker.leaves;
        if maker_leaves == 0 {
            maker_leaves = self.refill_or_remove(maker_slot);
        } else if maker.ext != NIL {
            maker_leaves += self.exts[maker.ext].hidden;
        }
        self.touch(maker_side, price);
        self.last_price = price;
        out.push(Event {
            order_id: order.id,
            account: order.account,
            side: Some(order.side),
            price,
            qty,
            leaves: order.leaves,
            maker_order_id: maker_id,
            maker_account,
            maker_leaves,
            taker_fee: fee(notional, taker_rate),
            maker_fee: fee(notional, maker_rate),
            ..Event::about(EventKind::Trade, seq, self.instrument.symbol_id)
        });
    }

    /// A maker whose visible slice is used up: an iceberg with reserve shows its next
    /// slice at the back of the level; otherwise the order is done. Returns its open
    /// quantity (visible + reserve).
    fn refill_or_remove(&mut self, slot: u32) -> i64 {
        let ext_slot = self.orders[slot].ext;
        if ext_slot != NIL && self.exts[ext_slot].hidden > 0 {
            let ext = &mut self.exts[ext_slot];
            let refill = ext.display.min(ext.hidden);
            ext.hidden -= refill;
            let open = refill + ext.hidden;
            let level_slot = self.orders[slot].level;
            self.orders[slot].leaves = refill;
            self.levels[level_slot].visible += i128::from(refill);
            self.unlink(slot);
            self.link_back(level_slot, slot);
            return open;
        }
        let id = self.orders[slot].id;
        self.remove_resting(slot);
        self.ids.finish(id);
        0
    }

    /// Applies the incoming order's self-trade mode against a maker of the same account.
    /// `Some` stops matching.
    fn prevent_self_trade(
        &mut self,
        order: &mut Incoming,
        maker_slot: u32,
        seq: u64,
        out: &mut Vec<Event>,
    ) -> Option<Stop> {
        match order.stp {
            SelfTrade::CancelTaker => Some(Stop::SelfTrade),
            SelfTrade::CancelMaker => {
                self.cancel_resting(
                    maker_slot,
                    Reason::SelfTrade,
                    EventKind::Cancelled,
                    seq,
                    out,
                );
                None
            }
            SelfTrade::CancelBoth => {
                self.cancel_resting(
                    maker_slot,
                    Reason::SelfTrade,
                    EventKind::Cancelled,
                    seq,
                    out,
                );
                Some(Stop::SelfTrade)
            }
            SelfTrade::Decrement => {
                let maker_open = self.open_qty(maker_slot);
                match order.leaves.cmp(&maker_open) {
                    Ordering::Greater => {
                        self.cancel_resting(
                            maker_slot,
                            Reason::SelfTrade,
                            EventKind::Cancelled,
                            seq,
                            out,
                        );
                        order.leaves -= maker_open;
                        out.push(Event {
                            order_id: order.id,
                            account: order.account,
                            side: Some(order.side),
                            price: if order.market { 0 } else { order.limit },
                            qty: maker_open,
                            leaves: order.leaves,
                            reason: Reason::SelfTrade,
                            ..Event::about(EventKind::Cancelled, seq, self.instrument.symbol_id)
                        });
                        None
                    }
                    Ordering::Less => {
                        let by = order.leaves;
                        self.reduce_resting(maker_slot, by);
                        let maker = &self.orders[maker_slot];
                        out.push(Event {
                            order_id: maker.id,
                            account: maker.account,
                            side: Some(maker.side),
                            price: self.levels[maker.level].price,
                            qty: by,
                            leaves: maker_open - by,
                            reason: Reason::SelfTrade,
                            ..Event::about(EventKind::Cancelled, seq, self.instrument.symbol_id)
                        });
                        Some(Stop::SelfTrade)
                    }
                    Ordering::Equal => {
                        self.cancel_resting(
                            maker_slot,
                            Reason::SelfTrade,
                            EventKind::Cancelled,
                            seq,
                            out,
                        );
                        Some(Stop::SelfTrade)
                    }
                }
            }
        }
    }

    /// Whether a fill-or-kill order can fill completely now, walking the book exactly as
    /// matching would: another account's orders fill it (an iceberg's reserve only if no
    /// order of the same account stands later in that level, because a refill goes to the
    /// back); an order of its own account is skipped under cancel-maker and ends the walk
    /// under every other mode.
    fn can_fill(&self, order: &Incoming) -> bool {
        let mut available = 0i64;
        for level_slot in self.live_levels(order.side.opposite()) {
            let level = &self.levels[level_slot];
            if !crosses(order.side, order.limit, level.price) {
                return false;
            }
            let (mut reserve, mut blocked, mut slot) = (0i64, false, level.head);
            while slot != NIL {
                let maker = &self.orders[slot];
                if maker.account == order.account {
                    if order.stp != SelfTrade::CancelMaker {
                        blocked = true;
                        break;
                    }
                } else {
                    available = available.saturating_add(maker.leaves);
                    if available >= order.leaves {
                        return true;
                    }
                    if maker.ext != NIL {
                        reserve = reserve.saturating_add(self.exts[maker.ext].hidden);
                    }
                }
                slot = maker.next;
            }
            if blocked {
                return false;
            }
            available = available.saturating_add(reserve);
            if available >= order.leaves {
                return true;
            }
        }
        false
    }

    /// Rests the remainder of an incoming limit order at its price, behind the orders
    /// already there.
    pub(crate) fn rest(&mut self, order: &Incoming) {
        let visible = if order.display > 0 {
            order.display.min(order.leaves)
        } else {
            order.leaves
        };
        self.insert_resting(
            order.side,
            &RestingOrder {
                order_id: order.id,
                account: order.account,
                price: order.limit,
                visible,
                hidden: order.leaves - visible,
                display: order.display,
                expire_at: order.expire_at,
                tier: order.tier,
                stp: order.stp as u8,
                flags: order.flags,
                tif: order.tif as u8,
            },
        );
    }

    /// Appends an order at the back of its price level, creating the level if needed.
    pub(crate) fn insert_resting(&mut self, side: Side, order: &RestingOrder) {
        let price = order.price;
        let level_slot = match self.ladder(side).find(price) {
            Ok(pos) => {
                let slot = self.ladder(side).level_at_pos(pos);
                if self.levels[slot].count == 0 {
                    self.ladder_mut(side).reuse_placeholder();
                }
                slot
            }
            Err(pos) => {
                let slot = self.levels.insert(Level {
                    price,
                    visible: 0,
                    head: NIL,
                    tail: NIL,
                    count: 0,
                });
                self.ladder_mut(side).insert(pos, price, slot);
                slot
            }
        };
        let tif = TimeInForce::from_code(order.tif).unwrap_or(TimeInForce::Gtc);
        let ext = if order.display > 0 || tif == TimeInForce::Gtd {
            self.exts.insert(OrderExt {
                hidden: order.hidden,
                display: order.display,
                expire_at: order.expire_at,
            })
        } else {
            NIL
        };
        if tif == TimeInForce::Gtd {
            self.expiries.insert((order.expire_at, order.order_id));
        }
        let slot = self.orders.insert(Order {
            id: order.order_id,
            account: order.account,
            leaves: order.visible,
            prev: NIL,
            next: NIL,
            level: level_slot,
            ext,
            tier: order.tier,
            side,
            stp: SelfTrade::from_code(order.stp).unwrap_or(SelfTrade::CancelTaker),
            flags: order.flags,
            tif,
        });
        self.levels[level_slot].visible += i128::from(order.visible);
        self.link_back(level_slot, slot);
        self.ids.set_live(order.order_id, Handle::Resting(slot));
        self.touch(side, price);
    }

    fn link_back(&mut self, level_slot: u32, slot: u32) {
        let level = &mut self.levels[level_slot];
        let tail = level.tail;
        level.tail = slot;
        level.count += 1;
        if tail == NIL {
            level.head = slot;
        } else {
            self.orders[tail].next = slot;
        }
        let order = &mut self.orders[slot];
        order.prev = tail;
        order.next = NIL;
        order.level = level_slot;
    }

    /// Takes an order out of its level's list (the level keeps its visible total).
    fn unlink(&mut self, slot: u32) {
        let Order {
            prev, next, level, ..
        } = self.orders[slot];
        if prev == NIL {
            self.levels[level].head = next;
        } else {
            self.orders[prev].next = next;
        }
        if next == NIL {
            self.levels[level].tail = prev;
        } else {
            self.orders[next].prev = prev;
        }
        self.levels[level].count -= 1;
    }

    /// Visible plus reserve quantity of a resting order.
    pub(crate) fn open_qty(&self, slot: u32) -> i64 {
        let order = &self.orders[slot];
        order.leaves
            + if order.ext == NIL {
                0
            } else {
                self.exts[order.ext].hidden
            }
    }

    /// Removes a resting order from the book (not from the id index). Frees its level if
    /// it was the last order there.
    pub(crate) fn remove_resting(&mut self, slot: u32) {
        let order = &self.orders[slot];
        let (level_slot, side, leaves, ext, id) =
            (order.level, order.side, order.leaves, order.ext, order.id);
        self.unlink(slot);
        let level = &mut self.levels[level_slot];
        level.visible -= i128::from(leaves);
        let price = level.price;
        if level.count == 0 {
            let ladder = match side {
                Side::Buy => &mut self.bids,
                Side::Sell => &mut self.asks,
            };
            ladder.release(level_slot, &mut self.levels);
        }
        if ext != NIL {
            let expire_at = self.exts[ext].expire_at;
            if self.orders[slot].tif == TimeInForce::Gtd {
                self.expiries.remove(&(expire_at, id));
            }
            self.exts.remove(ext);
        }
        self.orders.remove(slot);
        self.touch(side, price);
    }

    /// Removes a resting order with a cancelled or expired event for its whole open
    /// quantity, and finishes its id.
    pub(crate) fn cancel_resting(
        &mut self,
        slot: u32,
        reason: Reason,
        kind: EventKind,
        seq: u64,
        out: &mut Vec<Event>,
    ) {
        let open = self.open_qty(slot);
        let order = &self.orders[slot];
        let event = Event {
            order_id: order.id,
            account: order.account,
            side: Some(order.side),
            price: self.levels[order.level].price,
            qty: open,
            leaves: 0,
            reason,
            ..Event::about(kind, seq, self.instrument.symbol_id)
        };
        let id = order.id;
        self.remove_resting(slot);
        self.ids.finish(id);
        out.push(event);
    }

    /// Lowers a resting order's open quantity by `by` (less than its open quantity),
    /// reserve first, keeping its place in the queue.
    pub(crate) fn reduce_resting(&mut self, slot: u32, by: i64) {
        let ext_slot = self.orders[slot].ext;
        let mut from_visible = by;
        if ext_slot != NIL {
            let ext = &mut self.exts[ext_slot];
            let from_hidden = ext.hidden.min(by);
            ext.hidden -= from_hidden;
            from_visible -= from_hidden;
        }
        let order = &mut self.orders[slot];
        order.leaves -= from_visible;
        let (level_slot, side) = (order.level, order.side);
        self.levels[level_slot].visible -= i128::from(from_visible);
        let price = self.levels[level_slot].price;
        self.touch(side, price);
    }

    /// Fires stop orders while the last trade price reaches them, one at a time, each
    /// running to completion before the next is chosen.
    pub(crate) fn run_triggers(&mut self, seq: u64, fees: &FeeSchedule, out: &mut Vec<Event>) {
        while let Some(slot) = self.stops.next_triggered(self.last_price) {
            let stop = self.take_stop(slot);
            self.ids.unset_live(stop.id);
            out.push(self.stop_event(&stop, EventKind::Triggered, stop.qty, Reason::None, seq));
            self.enter_triggered(&stop, seq, fees, out);
        }
    }

    /// Removes a pending stop from the stop book and the expiry index (not from the ids).
    pub(crate) fn take_stop(&mut self, slot: u32) -> StopRecord {
        let stop = self.stops.remove(slot);
        if stop.tif == TimeInForce::Gtd {
            self.expiries.remove(&(stop.expire_at, stop.id));
        }
        stop
    }

    /// An event about a stop order.
    pub(crate) fn stop_event(
        &self,
        stop: &StopRecord,
        kind: EventKind,
        leaves: i64,
        reason: Reason,
        seq: u64,
    ) -> Event {
        Event {
            order_id: stop.id,
            account: stop.account,
            side: Some(stop.side),
            price: stop.price,
            qty: stop.qty,
            leaves,
            reason,
            ..Event::about(kind, seq, self.instrument.symbol_id)
        }
    }

    fn enter_triggered(
        &mut self,
        stop: &StopRecord,
        seq: u64,
        fees: &FeeSchedule,
        out: &mut Vec<Event>,
    ) {
        let market = stop.order_type == OrderType::StopMarket;
        let mut order = Incoming {
            id: stop.id,
            account: stop.account,
            side: stop.side,
            limit: stop.price,
            market,
            leaves: stop.qty,
            budget: None,
            tif: stop.tif,
            stp: stop.stp,
            tier: stop.tier,
            flags: 0,
            display: 0,
            expire_at: stop.expire_at,
        };
        if market {
            match self.protection_price(stop.side) {
                Some(limit) => order.limit = limit,
                None => {
                    return self.cancel_incoming(
                        &order,
                        order.leaves,
                        Reason::NoLiquidity,
                        seq,
                        out,
                    );
                }
            }
        }
        self.execute(order, seq, fees, out);
    }

    /// The worst price a market order on `side` may trade at: the instrument's band
    /// beyond the best opposite price, rounded to the tick toward that price. `None`
    /// when the opposite side is empty.
    pub(crate) fn protection_price(&self, side: Side) -> Option<i64> {
        let best = self.levels[self.ladder(side.opposite()).best()?].price;
        let band = i128::from(best) * i128::from(self.instrument.band_bps) / 10_000;
        let band = i64::try_from(band).unwrap_or(i64::MAX);
        Some(match side {
            Side::Buy => self.instrument.floor_tick(best.saturating_add(band)),
            Side::Sell => self.instrument.ceil_tick(best.saturating_sub(band).max(1)),
        })
    }
}
