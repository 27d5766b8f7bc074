//! A deliberately naive order book, written from the semantics in the crate documentation,
//! to run side by side with the fast [`tpcore_book::Book`].
//!
//! Nothing here is shaped like the fast book: every resting order of both sides sits in
//! one unsorted `Vec` with an entry counter (bumped whenever an order joins the back of
//! its level), the best order is found by a linear scan, stops live in another `Vec` and
//! are searched on demand, fill-or-kill is decided by trying the match on a clone of the
//! whole book, and a market order's protection is the band inequality itself rather than
//! a precomputed price. Where the documentation is silent (the order of validation checks,
//! the order of cancel-all and expiry events, what each event field holds) the rule was
//! read from the fast book's code and written again here.

use std::cmp::Ordering;
use std::collections::VecDeque;

use tpcore_book::{
    BookState, Command, CommandKind, Event, EventKind, FeeSchedule, Instrument, MAX_ICEBERG_PARTS,
    OrderType, PendingStop, Reason, RestingOrder, SelfTrade, Side, TimeInForce, flags,
};

/// A resting order.
#[derive(Debug, Clone)]
struct Resting {
    id: u64,
    account: u64,
    side: Side,
    price: i64,
    visible: i64,
    hidden: i64,
    display: i64,
    tif: TimeInForce,
    expire_at: i64,
    tier: u16,
    stp: SelfTrade,
    flags: u8,
    /// When the order last joined the back of its level (entry, amend, iceberg refill).
    entered: u64,
}

impl Resting {
    fn open(&self) -> i64 {
        self.visible + self.hidden
    }

    /// Sort key of the order's side: better price first, then earlier entry.
    fn priority(&self) -> (i64, u64) {
        match self.side {
            Side::Buy => (-self.price, self.entered),
            Side::Sell => (self.price, self.entered),
        }
    }
}

/// A stop order waiting for its trigger.
#[derive(Debug, Clone)]
struct Stop {
    id: u64,
    account: u64,
    side: Side,
    order_type: OrderType,
    trigger: i64,
    price: i64,
    qty: i64,
    tif: TimeInForce,
    expire_at: i64,
    stp: SelfTrade,
    tier: u16,
    arrival: u64,
}

impl Stop {
    /// Firing order within the stop's side: buys lowest trigger first, sells highest.
    fn firing_key(&self) -> (i64, u64) {
        match self.side {
            Side::Buy => (self.trigger, self.arrival),
            Side::Sell => (-self.trigger, self.arrival),
        }
    }
}

/// How far an incoming order may trade.
#[derive(Debug, Clone, Copy)]
enum Bound {
    /// Its limit price.
    Limit(i64),
    /// A market order: within the band around this best opposite price at arrival.
    Market(i64),
}

/// An order on its way into the book.
#[derive(Debug, Clone)]
struct Taker {
    id: u64,
    account: u64,
    side: Side,
    bound: Bound,
    leaves: i64,
    budget: Option<i64>,
    tif: TimeInForce,
    stp: SelfTrade,
    tier: u16,
    flags: u8,
    display: i64,
    expire_at: i64,
}

impl Taker {
    fn is_market(&self) -> bool {
        matches!(self.bound, Bound::Market(_))
    }

    /// The price its cancel events carry: the limit, 0 for a market order.
    fn event_price(&self) -> i64 {
        match self.bound {
            Bound::Limit(price) => price,
            Bound::Market(_) => 0,
        }
    }
}

/// Why matching ended with quantity left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Filled,
    /// Nothing more within the price (or the other side is empty).
    OutOfPrice,
    SelfTrade,
    Budget,
}

/// The naive book.
#[derive(Debug, Clone)]
pub(crate) struct RefBook {
    inst: Instrument,
    resting: Vec<Resting>,
    stops: Vec<Stop>,
    last_price: i64,
    now: i64,
    stop_arrivals: u64,
    entries: u64,
    finished: VecDeque<u64>,
}

fn event(kind: EventKind, seq: u64, symbol: u32) -> Event {
    Event {
        seq,
        order_id: 0,
        account: 0,
        price: 0,
        qty: 0,
        leaves: 0,
        maker_order_id: 0,
        maker_account: 0,
        maker_leaves: 0,
        taker_fee: 0,
        maker_fee: 0,
        symbol,
        kind,
        side: None,
        reason: Reason::None,
    }
}

fn reject(c: &Command, reason: Reason) -> Event {
    Event {
        order_id: c.order_id,
        account: c.account,
        side: Side::from_code(c.side),
        price: c.price,
        qty: c.qty,
        reason,
        ..event(EventKind::Rejected, c.seq, c.symbol)
    }
}

/// `notional x rate / 10^6`, rounded toward positive infinity.
fn fee(notional: i64, rate: i32) -> i64 {
    let product = i128::from(notional) * i128::from(rate);
    let quotient = product / 1_000_000;
    let rounded = if product % 1_000_000 > 0 {
        quotient + 1
    } else {
        quotient
    };
    i64::try_from(rounded).unwrap()
}

impl RefBook {
    pub(crate) fn new(inst: Instrument) -> Self {
        Self {
            inst,
            resting: Vec::new(),
            stops: Vec::new(),
            last_price: 0,
            now: 0,
            stop_arrivals: 0,
            entries: 0,
            finished: VecDeque::new(),
        }
    }

    /// A reference book in the given canonical state.
    pub(crate) fn from_state(state: &BookState) -> Self {
        let mut book = Self::new(state.instrument.clone());
        book.last_price = state.last_price;
        book.now = state.now;
        book.stop_arrivals = state.next_arrival;
        book.finished = state.recent_ids.iter().copied().collect();
        for (side, orders) in [(Side::Buy, &state.bids), (Side::Sell, &state.asks)] {
            for o in orders {
                let entered = book.next_entry();
                book.resting.push(Resting {
                    id: o.order_id,
                    account: o.account,
                    side,
                    price: o.price,
                    visible: o.visible,
                    hidden: o.hidden,
                    display: o.display,
                    tif: TimeInForce::from_code(o.tif).unwrap(),
                    expire_at: o.expire_at,
                    tier: o.tier,
                    stp: SelfTrade::from_code(o.stp).unwrap(),
                    flags: o.flags,
                    entered,
                });
            }
        }
        for s in &state.stops {
            book.stops.push(Stop {
                id: s.order_id,
                account: s.account,
                side: Side::from_code(s.side).unwrap(),
                order_type: OrderType::from_code(s.order_type).unwrap(),
                trigger: s.trigger_price,
                price: s.price,
                qty: s.qty,
                tif: TimeInForce::from_code(s.tif).unwrap(),
                expire_at: s.expire_at,
                stp: SelfTrade::from_code(s.stp).unwrap(),
                tier: s.tier,
                arrival: s.arrival,
            });
        }
        book
    }

    /// The canonical state, in the same form as [`tpcore_book::Book::state`].
    pub(crate) fn state(&self) -> BookState {
        let side = |side: Side| -> Vec<RestingOrder> {
            self.in_priority(side)
                .into_iter()
                .map(|o| RestingOrder {
                    order_id: o.id,
                    account: o.account,
                    price: o.price,
                    visible: o.visible,
                    hidden: o.hidden,
                    display: o.display,
                    expire_at: o.expire_at,
                    tier: o.tier,
                    stp: o.stp as u8,
                    flags: o.flags,
                    tif: o.tif as u8,
                })
                .collect()
        };
        let mut stops: Vec<&Stop> = self.stops.iter().collect();
        stops.sort_by_key(|s| (s.side, s.firing_key()));
        BookState {
            instrument: self.inst.clone(),
            last_price: self.last_price,
            now: self.now,
            next_arrival: self.stop_arrivals,
            bids: side(Side::Buy),
            asks: side(Side::Sell),
            stops: stops
                .into_iter()
                .map(|s| PendingStop {
                    order_id: s.id,
                    account: s.account,
                    side: s.side as u8,
                    order_type: s.order_type as u8,
                    trigger_price: s.trigger,
                    price: s.price,
                    qty: s.qty,
                    tif: s.tif as u8,
                    expire_at: s.expire_at,
                    stp: s.stp as u8,
                    tier: s.tier,
                    arrival: s.arrival,
                })
                .collect(),
            recent_ids: self.finished.iter().copied().collect(),
        }
    }

    /// The reference's own invariants: never crossed at rest, every order showing
    /// something, icebergs within their display, ids unique and not finished, each level
    /// in entry (FIFO) order.
    pub(crate) fn check(&self) -> Result<(), String> {
        if let (Some(b), Some(a)) = (self.best(Side::Buy), self.best(Side::Sell))
            && self.resting[b].price >= self.resting[a].price
        {
            return Err("reference book crossed at rest".into());
        }
        let mut ids: Vec<u64> = self.resting.iter().map(|o| o.id).collect();
        ids.extend(self.stops.iter().map(|s| s.id));
        for o in &self.resting {
            let shows = o.visible > 0 && o.hidden >= 0;
            let iceberg_ok = if o.display > 0 {
                o.visible <= o.display
            } else {
                o.hidden == 0
            };
            if !shows || !iceberg_ok || !matches!(o.tif, TimeInForce::Gtc | TimeInForce::Gtd) {
                return Err(format!("reference order {} malformed", o.id));
            }
        }
        for side in [Side::Buy, Side::Sell] {
            let orders = self.in_priority(side);
            for pair in orders.windows(2) {
                if pair[0].price == pair[1].price && pair[0].entered >= pair[1].entered {
                    return Err(format!("level {} not in FIFO order", pair[0].price));
                }
            }
        }
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != count || ids.iter().any(|id| self.finished.contains(id)) {
            return Err("reference ids not unique".into());
        }
        Ok(())
    }

    /// Applies one command, appending its events.
    pub(crate) fn process(&mut self, c: &Command, fees: &FeeSchedule, out: &mut Vec<Event>) {
        match CommandKind::from_code(c.kind) {
            Some(CommandKind::Submit) => self.submit(c, fees, out),
            Some(CommandKind::Cancel) => self.cancel(c, out),
            Some(CommandKind::Amend) => self.amend(c, fees, out),
            Some(CommandKind::CancelAll) => self.cancel_all(c, out),
            Some(CommandKind::AdvanceTime) => self.advance_time(c, out),
            None => out.push(reject(c, Reason::InvalidCommand)),
        }
        self.fire_stops(c.seq, fees, out);
    }

    // ----- small helpers -----

    fn symbol(&self) -> u32 {
        self.inst.symbol_id
    }

    fn next_entry(&mut self) -> u64 {
        self.entries += 1;
        self.entries
    }

    fn in_priority(&self, side: Side) -> Vec<&Resting> {
        let mut orders: Vec<&Resting> = self.resting.iter().filter(|o| o.side == side).collect();
        orders.sort_by_key(|o| o.priority());
        orders
    }

    fn best(&self, side: Side) -> Option<usize> {
        (0..self.resting.len())
            .filter(|&i| self.resting[i].side == side)
            .min_by_key(|&i| self.resting[i].priority())
    }

    fn best_price(&self, side: Side) -> Option<i64> {
        self.best(side).map(|i| self.resting[i].price)
    }

    fn is_live(&self, id: u64) -> bool {
        self.resting.iter().any(|o| o.id == id) || self.stops.iter().any(|s| s.id == id)
    }

    fn is_known(&self, id: u64) -> bool {
        self.is_live(id) || self.finished.contains(&id)
    }

    /// Remembers a finished id in the duplicate window.
    fn finish(&mut self, id: u64) {
        let window = self.inst.id_window as usize;
        if window == 0 || self.finished.contains(&id) {
            return;
        }
        self.finished.push_back(id);
        if self.finished.len() > window {
            self.finished.pop_front();
        }
    }

    fn qty_ok(&self, qty: i64) -> Result<(), Reason> {
        if qty <= 0 {
            return Err(Reason::InvalidQuantity);
        }
        if qty % self.inst.lot_size != 0 {
            return Err(Reason::QuantityOffLot);
        }
        if !(self.inst.min_qty..=self.inst.max_qty).contains(&qty) {
            return Err(Reason::QuantityOutOfRange);
        }
        Ok(())
    }

    fn price_ok(&self, price: i64, not_positive: Reason, off_tick: Reason) -> Result<(), Reason> {
        if price <= 0 {
            return Err(not_positive);
        }
        if price % self.inst.tick_size != 0 {
            return Err(off_tick);
        }
        if !(self.inst.min_price..=self.inst.max_price).contains(&price) {
            return Err(Reason::PriceOutOfRange);
        }
        Ok(())
    }

    /// A buy above `last x (1 + band)` or a sell below `last x (1 - band)`.
    fn outside_band(&self, side: Side, price: i64) -> bool {
        if self.last_price == 0 {
            return false;
        }
        let lhs = i128::from(price) * 10_000;
        let band = i128::from(self.inst.band_bps);
        let last = i128::from(self.last_price);
        match side {
            Side::Buy => lhs > last * (10_000 + band),
            Side::Sell => lhs < last * (10_000 - band),
        }
    }

    /// Whether the taker may trade at a resting price.
    fn reaches(&self, t: &Taker, price: i64) -> bool {
        match t.bound {
            Bound::Limit(limit) => match t.side {
                Side::Buy => price <= limit,
                Side::Sell => price >= limit,
            },
            Bound::Market(best) => {
                let lhs = i128::from(price) * 10_000;
                let band = i128::from(self.inst.band_bps);
                match t.side {
                    Side::Buy => lhs <= i128::from(best) * (10_000 + band),
                    Side::Sell => lhs >= i128::from(best) * (10_000 - band),
                }
            }
        }
    }

    fn post_only_price(
        &self,
        side: Side,
        price: i64,
        qty: i64,
        may_slide: bool,
    ) -> Result<i64, Reason> {
        let Some(best) = self.best_price(side.opposite()) else {
            return Ok(price);
        };
        let would_take = match side {
            Side::Buy => price >= best,
            Side::Sell => price <= best,
        };
        if !would_take {
            return Ok(price);
        }
        let behind = match side {
            Side::Buy => best - self.inst.tick_size,
            Side::Sell => best + self.inst.tick_size,
        };
        if !may_slide || !(self.inst.min_price..=self.inst.max_price).contains(&behind) {
            Err(Reason::PostOnlyWouldTake)
        } else if behind.checked_mul(qty).is_none() {
            Err(Reason::NotionalOverflow)
        } else {
            Ok(behind)
        }
    }

    /// Removes resting order `i` with an event for its whole open quantity.
    fn remove_with_event(
        &mut self,
        i: usize,
        kind: EventKind,
        reason: Reason,
        seq: u64,
        out: &mut Vec<Event>,
    ) {
        let o = self.resting.remove(i);
        out.push(Event {
            order_id: o.id,
            account: o.account,
            side: Some(o.side),
            price: o.price,
            qty: o.open(),
            leaves: 0,
            reason,
            ..event(kind, seq, self.symbol())
        });
        self.finish(o.id);
    }

    fn remove_stop_with_event(
        &mut self,
        i: usize,
        kind: EventKind,
        reason: Reason,
        seq: u64,
        out: &mut Vec<Event>,
    ) {
        let s = self.stops.remove(i);
        out.push(Event {
            order_id: s.id,
            account: s.account,
            side: Some(s.side),
            price: s.price,
            qty: s.qty,
            leaves: 0,
            reason,
            ..event(kind, seq, self.symbol())
        });
        self.finish(s.id);
    }

    /// Lowers a resting order's open quantity in place, reserve first.
    fn shrink(&mut self, i: usize, by: i64) {
        let o = &mut self.resting[i];
        let from_reserve = o.hidden.min(by);
        o.hidden -= from_reserve;
        o.visible -= by - from_reserve;
    }

    /// Cancels what is left of an incoming order.
    fn kill(&mut self, t: &Taker, reason: Reason, seq: u64, out: &mut Vec<Event>) {
        out.push(Event {
            order_id: t.id,
            account: t.account,
            side: Some(t.side),
            price: t.event_price(),
            qty: t.leaves,
            leaves: 0,
            reason,
            ..event(EventKind::Cancelled, seq, self.symbol())
        });
        self.finish(t.id);
    }

    // ----- commands -----

    #[allow(clippy::type_complexity)]
    fn validate_submit(
        &self,
        c: &Command,
    ) -> Result<(Side, OrderType, TimeInForce, SelfTrade, i64), Reason> {
        let codes = (
            Side::from_code(c.side),
            OrderType::from_code(c.order_type),
            TimeInForce::from_code(c.tif),
            SelfTrade::from_code(c.stp),
        );
        let (Some(side), Some(kind), Some(tif), Some(stp)) = codes else {
            return Err(Reason::InvalidCommand);
        };
        if c.flags & !(flags::POST_ONLY | flags::SLIDE) != 0 {
            return Err(Reason::InvalidCommand);
        }
        // A market order with only a budget asks for as much as the budget buys.
        let qty = if kind == OrderType::Market && c.quote_budget > 0 && c.qty == 0 {
            self.inst.max_qty
        } else {
            c.qty
        };
        self.qty_ok(qty)?;
        if c.quote_budget < 0
            || (c.quote_budget > 0 && (kind != OrderType::Market || tif == TimeInForce::Fok))
        {
            return Err(Reason::InvalidQuoteBudget);
        }
        let is_stop = matches!(kind, OrderType::StopMarket | OrderType::StopLimit);
        let has_limit = matches!(kind, OrderType::Limit | OrderType::StopLimit);
        let market_like = matches!(kind, OrderType::Market | OrderType::StopMarket);
        let rests = kind == OrderType::Limit && matches!(tif, TimeInForce::Gtc | TimeInForce::Gtd);
        let post = c.flags & flags::POST_ONLY != 0;
        let sliding = c.flags & flags::SLIDE != 0;
        if market_like && !matches!(tif, TimeInForce::Ioc | TimeInForce::Fok) {
            return Err(Reason::InvalidOrder);
        }
        if (sliding && !post) || (post && !rests) {
            return Err(Reason::InvalidOrder);
        }
        if c.display_qty != 0 {
            if !rests {
                return Err(Reason::InvalidOrder);
            }
            if c.display_qty < 0
                || c.display_qty % self.inst.lot_size != 0
                || c.display_qty >= qty
                || qty / c.display_qty + i64::from(qty % c.display_qty != 0) > MAX_ICEBERG_PARTS
            {
                return Err(Reason::InvalidDisplayQuantity);
            }
        }
        if has_limit {
            self.price_ok(c.price, Reason::InvalidPrice, Reason::PriceOffTick)?;
            if c.price.checked_mul(qty).is_none() {
                return Err(Reason::NotionalOverflow);
            }
        }
        if is_stop {
            self.price_ok(
                c.trigger_price,
                Reason::InvalidTriggerPrice,
                Reason::InvalidTriggerPrice,
            )?;
        }
        if tif == TimeInForce::Gtd && c.expire_at <= self.now {
            return Err(Reason::ExpiredOnArrival);
        }
        if kind == OrderType::Limit && self.outside_band(side, c.price) {
            return Err(Reason::PriceOutsideBand);
        }
        if self.is_known(c.order_id) {
            return Err(Reason::DuplicateOrderId);
        }
        if is_stop && self.last_price > 0 {
            let reached = match side {
                Side::Buy => c.trigger_price <= self.last_price,
                Side::Sell => c.trigger_price >= self.last_price,
            };
            if reached {
                return Err(Reason::StopAlreadyTriggered);
            }
        }
        Ok((side, kind, tif, stp, qty))
    }

    fn submit(&mut self, c: &Command, fees: &FeeSchedule, out: &mut Vec<Event>) {
        let (side, kind, tif, stp, qty) = match self.validate_submit(c) {
            Ok(v) => v,
            Err(reason) => return out.push(reject(c, reason)),
        };
        let mut price = match kind {
            OrderType::Limit | OrderType::StopLimit => c.price,
            OrderType::Market | OrderType::StopMarket => 0,
        };
        if c.flags & flags::POST_ONLY != 0 {
            match self.post_only_price(side, price, qty, c.flags & flags::SLIDE != 0) {
                Ok(p) => price = p,
                Err(reason) => return out.push(reject(c, reason)),
            }
        }
        let tier = fees.tier_of(c.account);
        let expire_at = if tif == TimeInForce::Gtd {
            c.expire_at
        } else {
            0
        };
        out.push(Event {
            order_id: c.order_id,
            account: c.account,
            side: Some(side),
            price,
            qty,
            leaves: qty,
            ..event(EventKind::Accepted, c.seq, c.symbol)
        });
        if matches!(kind, OrderType::StopMarket | OrderType::StopLimit) {
            self.stops.push(Stop {
                id: c.order_id,
                account: c.account,
                side,
                order_type: kind,
                trigger: c.trigger_price,
                price,
                qty,
                tif,
                expire_at,
                stp,
                tier,
                arrival: self.stop_arrivals,
            });
            self.stop_arrivals += 1;
            return;
        }
        let mut taker = Taker {
            id: c.order_id,
            account: c.account,
            side,
            bound: Bound::Limit(price),
            leaves: qty,
            budget: (c.quote_budget > 0).then_some(c.quote_budget),
            tif,
            stp,
            tier,
            flags: c.flags,
            display: c.display_qty,
            expire_at,
        };
        if kind == OrderType::Market {
            if let Some(best) = self.best_price(side.opposite()) {
                taker.bound = Bound::Market(best);
            } else {
                taker.bound = Bound::Market(0);
                return self.kill(&taker, Reason::NoLiquidity, c.seq, out);
            }
        }
        self.execute(taker, c.seq, fees, out);
    }

    fn cancel(&mut self, c: &Command, out: &mut Vec<Event>) {
        let mine = |id: u64, account: u64| id == c.order_id && account == c.account;
        if let Some(i) = self.resting.iter().position(|o| mine(o.id, o.account)) {
            self.remove_with_event(i, EventKind::Cancelled, Reason::User, c.seq, out);
        } else if let Some(i) = self.stops.iter().position(|s| mine(s.id, s.account)) {
            self.remove_stop_with_event(i, EventKind::Cancelled, Reason::User, c.seq, out);
        } else {
            out.push(reject(c, Reason::UnknownOrder));
        }
    }

    fn amend(&mut self, c: &Command, fees: &FeeSchedule, out: &mut Vec<Event>) {
        let mine = |id: u64, account: u64| id == c.order_id && account == c.account;
        let resting = self.resting.iter().position(|o| mine(o.id, o.account));
        let stop = self.stops.iter().position(|s| mine(s.id, s.account));
        if resting.is_none() && stop.is_none() {
            return out.push(reject(c, Reason::UnknownOrder));
        }
        if let Err(reason) = self.qty_ok(c.qty) {
            return out.push(reject(c, reason));
        }
        if let Some(i) = stop {
            return self.amend_stop(i, c, out);
        }
        let i = resting.unwrap();
        self.amend_resting(i, c, fees, out);
    }

    /// Amends pending stop `i`: its limit price and quantity.
    fn amend_stop(&mut self, i: usize, c: &Command, out: &mut Vec<Event>) {
        let checked = if self.stops[i].order_type == OrderType::StopLimit {
            self.price_ok(c.price, Reason::InvalidPrice, Reason::PriceOffTick)
                .and_then(|()| {
                    c.price
                        .checked_mul(c.qty)
                        .map(|_| ())
                        .ok_or(Reason::NotionalOverflow)
                })
        } else if c.price == 0 {
            Ok(())
        } else {
            Err(Reason::InvalidOrder)
        };
        if let Err(reason) = checked {
            return out.push(reject(c, reason));
        }
        let s = &mut self.stops[i];
        s.price = c.price;
        s.qty = c.qty;
        let amended = Event {
            order_id: s.id,
            account: s.account,
            side: Some(s.side),
            price: s.price,
            qty: s.qty,
            leaves: s.qty,
            ..event(EventKind::Amended, c.seq, c.symbol)
        };
        out.push(amended);
    }

    /// Amends resting order `i`.
    fn amend_resting(&mut self, i: usize, c: &Command, fees: &FeeSchedule, out: &mut Vec<Event>) {
        let o = self.resting[i].clone();
        let amended = |price: i64| Event {
            order_id: o.id,
            account: o.account,
            side: Some(o.side),
            price,
            qty: c.qty,
            leaves: c.qty,
            ..event(EventKind::Amended, c.seq, c.symbol)
        };
        // Same price, not more: in place, keeping priority.
        if c.price == o.price && c.qty <= o.open() {
            self.shrink(i, o.open() - c.qty);
            return out.push(amended(o.price));
        }
        let checked = self
            .price_ok(c.price, Reason::InvalidPrice, Reason::PriceOffTick)
            .and_then(|()| {
                c.price
                    .checked_mul(c.qty)
                    .map(|_| ())
                    .ok_or(Reason::NotionalOverflow)
            })
            .and_then(|()| {
                // ceil(qty / display) parts, for an order that stays an iceberg.
                let parts = |d: i64| c.qty / d + i64::from(c.qty % d != 0);
                if o.display > 0 && o.display < c.qty && parts(o.display) > MAX_ICEBERG_PARTS {
                    Err(Reason::InvalidDisplayQuantity)
                } else {
                    Ok(())
                }
            })
            .and_then(|()| {
                if c.price != o.price && self.outside_band(o.side, c.price) {
                    Err(Reason::PriceOutsideBand)
                } else {
                    Ok(())
                }
            })
            .and_then(|()| {
                if o.flags & flags::POST_ONLY == 0 {
                    Ok(c.price)
                } else {
                    self.post_only_price(o.side, c.price, c.qty, o.flags & flags::SLIDE != 0)
                }
            });
        let price = match checked {
            Ok(price) => price,
            Err(reason) => return out.push(reject(c, reason)),
        };
        // Anything else re-enters at the back (and may trade at once).
        self.resting.remove(i);
        out.push(amended(price));
        let taker = Taker {
            id: o.id,
            account: o.account,
            side: o.side,
            bound: Bound::Limit(price),
            leaves: c.qty,
            budget: None,
            tif: o.tif,
            stp: o.stp,
            tier: o.tier,
            flags: o.flags,
            display: if o.display > 0 && o.display < c.qty {
                o.display
            } else {
                0
            },
            expire_at: o.expire_at,
        };
        self.execute(taker, c.seq, fees, out);
    }

    fn cancel_all(&mut self, c: &Command, out: &mut Vec<Event>) {
        let sides = match c.side {
            0 => vec![Side::Buy, Side::Sell],
            1 => vec![Side::Buy],
            2 => vec![Side::Sell],
            _ => return out.push(reject(c, Reason::InvalidCommand)),
        };
        for side in sides {
            let ids: Vec<u64> = self
                .in_priority(side)
                .into_iter()
                .filter(|o| o.account == c.account)
                .map(|o| o.id)
                .collect();
            for id in ids {
                let i = self.resting.iter().position(|o| o.id == id).unwrap();
                self.remove_with_event(i, EventKind::Cancelled, Reason::CancelAll, c.seq, out);
            }
            let mut stops: Vec<(u64, (i64, u64))> = self
                .stops
                .iter()
                .filter(|s| s.side == side && s.account == c.account)
                .map(|s| (s.id, s.firing_key()))
                .collect();
            stops.sort_by_key(|&(_, key)| key);
            for (id, _) in stops {
                let i = self.stops.iter().position(|s| s.id == id).unwrap();
                self.remove_stop_with_event(i, EventKind::Cancelled, Reason::CancelAll, c.seq, out);
            }
        }
    }

    fn advance_time(&mut self, c: &Command, out: &mut Vec<Event>) {
        if c.expire_at <= self.now {
            return;
        }
        self.now = c.expire_at;
        let mut due: Vec<(i64, u64)> = self
            .resting
            .iter()
            .filter(|o| o.tif == TimeInForce::Gtd && o.expire_at <= self.now)
            .map(|o| (o.expire_at, o.id))
            .chain(
                self.stops
                    .iter()
                    .filter(|s| s.tif == TimeInForce::Gtd && s.expire_at <= self.now)
                    .map(|s| (s.expire_at, s.id)),
            )
            .collect();
        due.sort_unstable();
        for (_, id) in due {
            if let Some(i) = self.resting.iter().position(|o| o.id == id) {
                self.remove_with_event(i, EventKind::Expired, Reason::Expired, c.seq, out);
            } else if let Some(i) = self.stops.iter().position(|s| s.id == id) {
                self.remove_stop_with_event(i, EventKind::Expired, Reason::Expired, c.seq, out);
            }
        }
    }

    /// Fires reached stops one at a time until none is reached.
    fn fire_stops(&mut self, seq: u64, fees: &FeeSchedule, out: &mut Vec<Event>) {
        loop {
            let last = self.last_price;
            if last <= 0 {
                return;
            }
            let ready = |side: Side| {
                (0..self.stops.len())
                    .filter(|&i| {
                        let s = &self.stops[i];
                        s.side == side
                            && match side {
                                Side::Buy => s.trigger <= last,
                                Side::Sell => s.trigger >= last,
                            }
                    })
                    .min_by_key(|&i| self.stops[i].firing_key())
            };
            let pick = match (ready(Side::Buy), ready(Side::Sell)) {
                (Some(b), Some(s)) => {
                    if self.stops[b].arrival < self.stops[s].arrival {
                        b
                    } else {
                        s
                    }
                }
                (Some(i), None) | (None, Some(i)) => i,
                (None, None) => return,
            };
            let s = self.stops.remove(pick);
            out.push(Event {
                order_id: s.id,
                account: s.account,
                side: Some(s.side),
                price: s.price,
                qty: s.qty,
                leaves: s.qty,
                ..event(EventKind::Triggered, seq, self.symbol())
            });
            let mut taker = Taker {
                id: s.id,
                account: s.account,
                side: s.side,
                bound: Bound::Limit(s.price),
                leaves: s.qty,
                budget: None,
                tif: s.tif,
                stp: s.stp,
                tier: s.tier,
                flags: 0,
                display: 0,
                expire_at: s.expire_at,
            };
            if s.order_type == OrderType::StopMarket {
                if let Some(best) = self.best_price(s.side.opposite()) {
                    taker.bound = Bound::Market(best);
                } else {
                    taker.bound = Bound::Market(0);
                    self.kill(&taker, Reason::NoLiquidity, seq, out);
                    continue;
                }
            }
            self.execute(taker, seq, fees, out);
        }
    }

    // ----- matching -----

    fn execute(&mut self, mut t: Taker, seq: u64, fees: &FeeSchedule, out: &mut Vec<Event>) {
        if t.tif == TimeInForce::Fok {
            // Try it on a copy of the whole book: it must fill by trades alone.
            let mut trial = self.clone();
            let mut scratch = Vec::new();
            trial.match_taker(&mut t.clone(), seq, fees, &mut scratch);
            let traded: i64 = scratch
                .iter()
                .filter(|e| e.kind == EventKind::Trade)
                .map(|e| e.qty)
                .sum();
            if traded != t.leaves {
                return self.kill(&t, Reason::FokUnfilled, seq, out);
            }
        }
        let end = self.match_taker(&mut t, seq, fees, out);
        if t.leaves == 0 {
            self.finish(t.id);
            return;
        }
        let reason = match end {
            End::SelfTrade => Reason::SelfTrade,
            End::Budget => Reason::BudgetExhausted,
            End::Filled | End::OutOfPrice if t.is_market() => {
                if self.best(t.side.opposite()).is_some() {
                    Reason::MarketProtection
                } else {
                    Reason::NoLiquidity
                }
            }
            End::Filled | End::OutOfPrice
                if matches!(t.tif, TimeInForce::Gtc | TimeInForce::Gtd) =>
            {
                let Bound::Limit(price) = t.bound else {
                    unreachable!("only limit orders rest")
                };
                let visible = if t.display > 0 {
                    t.display.min(t.leaves)
                } else {
                    t.leaves
                };
                let entered = self.next_entry();
                self.resting.push(Resting {
                    id: t.id,
                    account: t.account,
                    side: t.side,
                    price,
                    visible,
                    hidden: t.leaves - visible,
                    display: t.display,
                    tif: t.tif,
                    expire_at: t.expire_at,
                    tier: t.tier,
                    stp: t.stp,
                    flags: t.flags,
                    entered,
                });
                return;
            }
            End::Filled | End::OutOfPrice => Reason::IocRemainder,
        };
        self.kill(&t, reason, seq, out);
    }

    fn match_taker(
        &mut self,
        t: &mut Taker,
        seq: u64,
        fees: &FeeSchedule,
        out: &mut Vec<Event>,
    ) -> End {
        loop {
            if t.leaves == 0 {
                return End::Filled;
            }
            let Some(i) = self.best(t.side.opposite()) else {
                return End::OutOfPrice;
            };
            let price = self.resting[i].price;
            if !self.reaches(t, price) {
                return End::OutOfPrice;
            }
            if self.resting[i].account == t.account {
                if let Some(end) = self.self_trade(t, i, seq, out) {
                    return end;
                }
                continue;
            }
            let mut qty = t.leaves.min(self.resting[i].visible);
            if let Some(budget) = t.budget {
                let lot = self.inst.lot_size;
                let units = budget / price;
                let affordable = units - units % lot;
                if affordable == 0 {
                    return End::Budget;
                }
                qty = qty.min(affordable);
            }
            self.trade(t, i, qty, seq, fees, out);
        }
    }

    fn self_trade(
        &mut self,
        t: &mut Taker,
        i: usize,
        seq: u64,
        out: &mut Vec<Event>,
    ) -> Option<End> {
        let cancel_maker = |book: &mut Self, out: &mut Vec<Event>| {
            book.remove_with_event(i, EventKind::Cancelled, Reason::SelfTrade, seq, out);
        };
        match t.stp {
            SelfTrade::CancelTaker => Some(End::SelfTrade),
            SelfTrade::CancelMaker => {
                cancel_maker(self, out);
                None
            }
            SelfTrade::CancelBoth => {
                cancel_maker(self, out);
                Some(End::SelfTrade)
            }
            SelfTrade::Decrement => {
                let maker_open = self.resting[i].open();
                match t.leaves.cmp(&maker_open) {
                    Ordering::Greater => {
                        cancel_maker(self, out);
                        t.leaves -= maker_open;
                        out.push(Event {
                            order_id: t.id,
                            account: t.account,
                            side: Some(t.side),
                            price: t.event_price(),
                            qty: maker_open,
                            leaves: t.leaves,
                            reason: Reason::SelfTrade,
                            ..event(EventKind::Cancelled, seq, self.symbol())
                        });
                        None
                    }
                    Ordering::Less => {
                        let by = t.leaves;
                        self.shrink(i, by);
                        let m = &self.resting[i];
                        out.push(Event {
                            order_id: m.id,
                            account: m.account,
                            side: Some(m.side),
                            price: m.price,
                            qty: by,
                            leaves: m.open(),
                            reason: Reason::SelfTrade,
                            ..event(EventKind::Cancelled, seq, self.symbol())
                        });
                        Some(End::SelfTrade)
                    }
                    Ordering::Equal => {
                        cancel_maker(self, out);
                        Some(End::SelfTrade)
                    }
                }
            }
        }
    }

    fn trade(
        &mut self,
        t: &mut Taker,
        i: usize,
        qty: i64,
        seq: u64,
        fees: &FeeSchedule,
        out: &mut Vec<Event>,
    ) {
        let price = self.resting[i].price;
        let notional = price.checked_mul(qty).unwrap();
        t.leaves -= qty;
        if let Some(budget) = t.budget.as_mut() {
            *budget -= notional;
        }
        self.resting[i].visible -= qty;
        let maker = self.resting[i].clone();
        let maker_leaves = if maker.visible > 0 {
            maker.open()
        } else if maker.hidden > 0 {
            // The next slice shows at the back of the level.
            let entered = self.next_entry();
            let m = &mut self.resting[i];
            let slice = m.display.min(m.hidden);
            m.visible = slice;
            m.hidden -= slice;
            m.entered = entered;
            m.open()
        } else {
            self.resting.remove(i);
            self.finish(maker.id);
            0
        };
        self.last_price = price;
        out.push(Event {
            order_id: t.id,
            account: t.account,
            side: Some(t.side),
            price,
            qty,
            leaves: t.leaves,
            maker_order_id: maker.id,
            maker_account: maker.account,
            maker_leaves,
            taker_fee: fee(notional, fees.rates(t.tier).taker_rate),
            maker_fee: fee(notional, fees.rates(maker.tier).maker_rate),
            ..event(EventKind::Trade, seq, self.symbol())
        });
    }
}
