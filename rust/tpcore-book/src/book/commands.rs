//! From commands to events: validation in a fixed order, then submit, cancel, amend,
//! cancel-all and advance-time. The checks run in the order written here, so the reason
//! of a reject with several faults is the first one found.

use super::Book;
use super::ids::Handle;
use super::matching::Incoming;
use super::stops::StopOrder;
use crate::command::Command;
use crate::event::Event;
use crate::fees::FeeSchedule;
use crate::instrument::MAX_ICEBERG_PARTS;
use crate::types::{
    CommandKind, EventKind, OrderType, Reason, SelfTrade, Side, TimeInForce, flags,
};

/// Applies one command.
pub(super) fn process(
    book: &mut Book,
    command: &Command,
    fees: &FeeSchedule,
    out: &mut Vec<Event>,
) {
    match CommandKind::from_code(command.kind) {
        Some(CommandKind::Submit) => book.submit(command, fees, out),
        Some(CommandKind::Cancel) => book.cancel(command, out),
        Some(CommandKind::Amend) => book.amend(command, fees, out),
        Some(CommandKind::CancelAll) => book.cancel_all(command, out),
        Some(CommandKind::AdvanceTime) => book.advance_time(command, out),
        None => out.push(rejected(command, Reason::InvalidCommand)),
    }
    if !book.stops.is_empty() {
        book.run_triggers(command.seq, fees, out);
    }
}

/// The reject event of a command: its fields echoed, with the reason.
pub(crate) fn rejected(command: &Command, reason: Reason) -> Event {
    Event {
        order_id: command.order_id,
        account: command.account,
        side: Side::from_code(command.side),
        price: command.price,
        qty: command.qty,
        leaves: 0,
        reason,
        ..Event::about(EventKind::Rejected, command.seq, command.symbol)
    }
}

/// A submit command with its codes decoded.
struct Codes {
    side: Side,
    order_type: OrderType,
    tif: TimeInForce,
    stp: SelfTrade,
}

fn decode(command: &Command) -> Option<Codes> {
    if command.flags & !flags::KNOWN != 0 {
        return None;
    }
    Some(Codes {
        side: Side::from_code(command.side)?,
        order_type: OrderType::from_code(command.order_type)?,
        tif: TimeInForce::from_code(command.tif)?,
        stp: SelfTrade::from_code(command.stp)?,
    })
}

/// Whether `price * qty` fits an i64 (prices and quantities are positive here).
fn notional_fits(price: i64, qty: i64) -> bool {
    price.checked_mul(qty).is_some()
}

impl Book {
    /// Quantity checks shared by submit and amend.
    fn check_qty(&self, qty: i64) -> Result<(), Reason> {
        let inst = &self.instrument;
        if qty <= 0 {
            Err(Reason::InvalidQuantity)
        } else if inst.lot_size != 1 && qty % inst.lot_size != 0 {
            // (A unit lot, the common case, skips the division.)
            Err(Reason::QuantityOffLot)
        } else if qty < inst.min_qty || qty > inst.max_qty {
            Err(Reason::QuantityOutOfRange)
        } else {
            Ok(())
        }
    }

    /// Price checks shared by limit prices and triggers: positive, on the tick, in range.
    fn check_price(&self, price: i64, invalid: Reason) -> Result<(), Reason> {
        let inst = &self.instrument;
        if price <= 0 {
            Err(invalid)
        } else if inst.tick_size != 1 && price % inst.tick_size != 0 {
            Err(if invalid == Reason::InvalidTriggerPrice {
                invalid
            } else {
                Reason::PriceOffTick
            })
        } else if price < inst.min_price || price > inst.max_price {
            Err(Reason::PriceOutOfRange)
        } else {
            Ok(())
        }
    }

    /// An aggressive limit price must stay within the band around the last trade price.
    fn check_band(&self, side: Side, price: i64) -> Result<(), Reason> {
        let last = i128::from(self.last_price);
        if last == 0 {
            return Ok(());
        }
        let band = i128::from(self.instrument.band_bps);
        let scaled = i128::from(price) * 10_000;
        let outside = match side {
            Side::Buy => scaled > last * (10_000 + band),
            Side::Sell => scaled < last * (10_000 - band),
        };
        if outside {
            Err(Reason::PriceOutsideBand)
        } else {
            Ok(())
        }
    }

    /// Checks a submit command; on success returns its decoded codes and quantity (a
    /// budget-only market order gets the instrument's maximum quantity).
    fn validate_submit(&self, command: &Command) -> Result<(Codes, i64), Reason> {
        let order = decode(command).ok_or(Reason::InvalidCommand)?;
        let market_like = matches!(order.order_type, OrderType::Market | OrderType::StopMarket);
        let budget = command.quote_budget;
        let qty = if order.order_type == OrderType::Market && budget > 0 && command.qty == 0 {
            self.instrument.max_qty
        } else {
            command.qty
        };
        self.check_qty(qty)?;
        if budget < 0
            || (budget > 0
                && (order.order_type != OrderType::Market || order.tif == TimeInForce::Fok))
        {
            return Err(Reason::InvalidQuoteBudget);
        }
        let post_only = command.flags & flags::POST_ONLY != 0;
        let slide = command.flags & flags::SLIDE != 0;
        let tif_ok = if market_like {
            matches!(order.tif, TimeInForce::Ioc | TimeInForce::Fok)
        } else {
            true
        };
        let resting_limit = order.order_type == OrderType::Limit && order.tif.rests();
        if !tif_ok || (slide && !post_only) || (post_only && !resting_limit) {
            return Err(Reason::InvalidOrder);
        }
        if command.display_qty != 0 {
            if !resting_limit {
                return Err(Reason::InvalidOrder);
            }
            let display = command.display_qty;
            if display < 0
                || display % self.instrument.lot_size != 0
                || display >= qty
                || too_many_parts(qty, display)
            {
                return Err(Reason::InvalidDisplayQuantity);
            }
        }
        if order.order_type.has_limit_price() {
            self.check_price(command.price, Reason::InvalidPrice)?;
            if !notional_fits(command.price, qty) {
                return Err(Reason::NotionalOverflow);
            }
        }
        if order.order_type.is_stop() {
            self.check_price(command.trigger_price, Reason::InvalidTriggerPrice)?;
        }
        if order.tif == TimeInForce::Gtd && command.expire_at <= self.now {
            return Err(Reason::ExpiredOnArrival);
        }
        if order.order_type == OrderType::Limit {
            self.check_band(order.side, command.price)?;
        }
        if self.ids.is_known(command.order_id) {
            return Err(Reason::DuplicateOrderId);
        }
        if order.order_type.is_stop() && self.last_price > 0 {
            let reached = match order.side {
                Side::Buy => self.last_price >= command.trigger_price,
                Side::Sell => self.last_price <= command.trigger_price,
            };
            if reached {
                return Err(Reason::StopAlreadyTriggered);
            }
        }
        Ok((order, qty))
    }

    /// The price a post-only order of `qty` may rest at: its own if it would not take, one
    /// tick behind the best opposite price with slide, or a reject. A sell slides up, so the
    /// slid price is checked for notional overflow again.
    fn post_only_price(
        &self,
        side: Side,
        price: i64,
        qty: i64,
        may_slide: bool,
    ) -> Result<i64, Reason> {
        let Some(best) = self.ladder(side.opposite()).best() else {
            return Ok(price);
        };
        let best = self.levels[best].price;
        let tick = self.instrument.tick_size;
        let (takes, slid) = match side {
            Side::Buy => (price >= best, best - tick),
            Side::Sell => (price <= best, best + tick),
        };
        if !takes {
            Ok(price)
        } else if !may_slide || slid < self.instrument.min_price || slid > self.instrument.max_price
        {
            Err(Reason::PostOnlyWouldTake)
        } else if !notional_fits(slid, qty) {
            Err(Reason::NotionalOverflow)
        } else {
            Ok(slid)
        }
    }

    fn submit(&mut self, command: &Command, fees: &FeeSchedule, out: &mut Vec<Event>) {
        let (order, qty) = match self.validate_submit(command) {
            Ok(valid) => valid,
            Err(reason) => return out.push(rejected(command, reason)),
        };
        let mut price = if order.order_type.has_limit_price() {
            command.price
        } else {
            0
        };
        if command.flags & flags::POST_ONLY != 0 {
            match self.post_only_price(order.side, price, qty, command.flags & flags::SLIDE != 0) {
                Ok(p) => price = p,
                Err(reason) => return out.push(rejected(command, reason)),
            }
        }
        let tier = fees.tier_of(command.account);
        let expire_at = if order.tif == TimeInForce::Gtd {
            command.expire_at
        } else {
            0
        };
        out.push(Event {
            order_id: command.order_id,
            account: command.account,
            side: Some(order.side),
            price,
            qty,
            leaves: qty,
            ..Event::about(EventKind::Accepted, command.seq, command.symbol)
        });
        if order.order_type.is_stop() {
            let arrival = self.next_arrival;
            self.next_arrival += 1;
            self.add_stop(StopOrder {
                id: command.order_id,
                account: command.account,
                trigger: command.trigger_price,
                price,
                qty,
                expire_at,
                arrival,
                tier,
                side: order.side,
                order_type: order.order_type,
                tif: order.tif,
                stp: order.stp,
            });
            return;
        }
        let mut incoming = Incoming {
            id: command.order_id,
            account: command.account,
            side: order.side,
            limit: price,
            market: order.order_type == OrderType::Market,
            leaves: qty,
            budget: (command.quote_budget > 0).then_some(command.quote_budget),
            tif: order.tif,
            stp: order.stp,
            tier,
            flags: command.flags,
            display: command.display_qty,
            expire_at,
        };
        if incoming.market {
            match self.protection_price(order.side) {
                Some(limit) => incoming.limit = limit,
                None => {
                    return self.cancel_incoming(
                        &incoming,
                        qty,
                        Reason::NoLiquidity,
                        command.seq,
                        out,
                    );
                }
            }
        }
        self.execute(incoming, command.seq, fees, out);
    }

    /// The live order `command` names, if its account owns it.
    fn owned(&self, command: &Command) -> Option<Handle> {
        let handle = self.ids.get(command.order_id)?;
        let account = match handle {
            Handle::Resting(slot) => self.orders[slot].account,
            Handle::Stop(slot) => self.stops.orders[slot].account,
        };
        (account == command.account).then_some(handle)
    }

    fn cancel(&mut self, command: &Command, out: &mut Vec<Event>) {
        match self.owned(command) {
            Some(Handle::Resting(slot)) => {
                self.cancel_resting(slot, Reason::User, EventKind::Cancelled, command.seq, out);
            }
            Some(Handle::Stop(slot)) => {
                self.cancel_stop(slot, Reason::User, EventKind::Cancelled, command.seq, out);
            }
            None => out.push(rejected(command, Reason::UnknownOrder)),
        }
    }

    fn cancel_stop(
        &mut self,
        slot: u32,
        reason: Reason,
        kind: EventKind,
        seq: u64,
        out: &mut Vec<Event>,
    ) {
        let stop = self.take_stop(slot);
        self.ids.finish(stop.id);
        out.push(self.stop_event(&stop, kind, 0, reason, seq));
    }

    fn amend(&mut self, command: &Command, fees: &FeeSchedule, out: &mut Vec<Event>) {
        let Some(handle) = self.owned(command) else {
            return out.push(rejected(command, Reason::UnknownOrder));
        };
        if let Err(reason) = self.check_qty(command.qty) {
            return out.push(rejected(command, reason));
        }
        match handle {
            Handle::Resting(slot) => self.amend_resting(slot, command, fees, out),
            Handle::Stop(slot) => self.amend_stop(slot, command, out),
        }
    }

    fn amend_stop(&mut self, slot: u32, command: &Command, out: &mut Vec<Event>) {
        let stop = &self.stops.orders[slot];
        let checked = if stop.order_type == OrderType::StopLimit {
            self.check_price(command.price, Reason::InvalidPrice)
                .and_then(|()| {
                    if notional_fits(command.price, command.qty) {
                        Ok(())
                    } else {
                        Err(Reason::NotionalOverflow)
                    }
                })
        } else if command.price != 0 {
            Err(Reason::InvalidOrder)
        } else {
            Ok(())
        };
        if let Err(reason) = checked {
            return out.push(rejected(command, reason));
        }
        let stop = &mut self.stops.orders[slot];
        stop.price = command.price;
        stop.qty = command.qty;
        out.push(Event {
            order_id: stop.id,
            account: stop.account,
            side: Some(stop.side),
            price: stop.price,
            qty: stop.qty,
            leaves: stop.qty,
            ..Event::about(EventKind::Amended, command.seq, command.symbol)
        });
    }

    fn amend_resting(
        &mut self,
        slot: u32,
        command: &Command,
        fees: &FeeSchedule,
        out: &mut Vec<Event>,
    ) {
        let order = &self.orders[slot];
        let (side, old_price) = (order.side, self.levels[order.level].price);
        let open = self.open_qty(slot);
        let (new_price, new_qty) = (command.price, command.qty);
        let amended = |price| Event {
            order_id: command.order_id,
            account: command.account,
            side: Some(side),
            price,
            qty: new_qty,
            leaves: new_qty,
            ..Event::about(EventKind::Amended, command.seq, command.symbol)
        };
        if new_price == old_price && new_qty <= open {
            if new_qty < open {
                self.reduce_resting(slot, open - new_qty);
            }
            return out.push(amended(old_price));
        }
        // The display the order re-enters with: it stays an iceberg only while its display
        // is below the new quantity.
        let ext = self.ext(&self.orders[slot]);
        let display = if ext.display > 0 && ext.display < new_qty {
            ext.display
        } else {
            0
        };
        let checked = self
            .check_price(new_price, Reason::InvalidPrice)
            .and_then(|()| {
                if notional_fits(new_price, new_qty) {
                    Ok(())
                } else {
                    Err(Reason::NotionalOverflow)
                }
            })
            .and_then(|()| {
                if display > 0 && too_many_parts(new_qty, display) {
                    Err(Reason::InvalidDisplayQuantity)
                } else {
                    Ok(())
                }
            })
            .and_then(|()| {
                if new_price == old_price {
                    Ok(())
                } else {
                    self.check_band(side, new_price)
                }
            });
        let order = &self.orders[slot];
        let post_only = order.flags & flags::POST_ONLY != 0;
        let price = checked.and_then(|()| {
            if post_only {
                self.post_only_price(side, new_price, new_qty, order.flags & flags::SLIDE != 0)
            } else {
                Ok(new_price)
            }
        });
        let price = match price {
            Ok(price) => price,
            Err(reason) => return out.push(rejected(command, reason)),
        };
        let incoming = Incoming {
            id: order.id,
            account: order.account,
            side,
            limit: price,
            market: false,
            leaves: new_qty,
            budget: None,
            tif: order.tif,
            stp: order.stp,
            tier: order.tier,
            flags: order.flags,
            display,
            expire_at: ext.expire_at,
        };
        // The id stays in the live table while the order re-enters: matching never looks
        // it up, and the outcome overwrites it (rests) or removes it (finishes), which
        // saves a remove and a fresh insert.
        self.remove_resting(slot);
        out.push(amended(price));
        self.execute(incoming, command.seq, fees, out);
    }

    fn cancel_all(&mut self, command: &Command, out: &mut Vec<Event>) {
        let sides: &[Side] = match command.side {
            0 => &[Side::Buy, Side::Sell],
            1 => &[Side::Buy],
            2 => &[Side::Sell],
            _ => return out.push(rejected(command, Reason::InvalidCommand)),
        };
        for &side in sides {
            let mut resting = Vec::new();
            for level in self.live_levels(side) {
                let mut slot = self.levels[level].head;
                while slot != super::store::NIL {
                    if self.orders[slot].account == command.account {
                        resting.push(slot);
                    }
                    slot = self.orders[slot].next;
                }
            }
            for slot in resting {
                self.cancel_resting(
                    slot,
                    Reason::CancelAll,
                    EventKind::Cancelled,
                    command.seq,
                    out,
                );
            }
            let stops: Vec<u32> = self
                .stops
                .in_order(side)
                .filter(|&slot| self.stops.orders[slot].account == command.account)
                .collect();
            for slot in stops {
                self.cancel_stop(
                    slot,
                    Reason::CancelAll,
                    EventKind::Cancelled,
                    command.seq,
                    out,
                );
            }
        }
    }

    fn advance_time(&mut self, command: &Command, out: &mut Vec<Event>) {
        if command.expire_at <= self.now {
            return;
        }
        self.now = command.expire_at;
        while let Some(&(at, id)) = self.expiries.first() {
            if at > self.now {
                break;
            }
            match self.ids.get(id) {
                Some(Handle::Resting(slot)) => {
                    self.cancel_resting(
                        slot,
                        Reason::Expired,
                        EventKind::Expired,
                        command.seq,
                        out,
                    );
                }
                Some(Handle::Stop(slot)) => {
                    self.cancel_stop(slot, Reason::Expired, EventKind::Expired, command.seq, out);
                }
                None => {
                    self.expiries.remove(&(at, id));
                }
            }
        }
    }
}

/// Whether an iceberg of `qty` showing `display` (positive) has more than
/// [`MAX_ICEBERG_PARTS`] parts.
fn too_many_parts(qty: i64, display: i64) -> bool {
    qty > display.saturating_mul(MAX_ICEBERG_PARTS)
}
