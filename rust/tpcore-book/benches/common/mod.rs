//! The workloads of issue 5 as deterministic command streams, shared by the benches, and
//! their translation to the peer crate `matchcore`.
//!
//! Two regimes, both on one book:
//!
//! - **exchange-core mix**, rebuilt from its published description: 82% amends (moves to a
//!   new price near the touch, a few size changes), 9% GTC adds, 6% cancels, 3% IOC
//!   takers, about 1,000 resting orders on about 750 price levels.
//! - **heavy matching**: 60% GTC adds near the touch, 25% cancels, 15% marketable IOC
//!   takers sweeping a few orders each.
//!
//! A seeded splitmix64 drives every choice. The generator runs each command it emits
//! through a tpcore book (its oracle) and follows the events, so it knows the live orders
//! with their owner, price and size: amends and cancels name live orders of their owner,
//! makers never cross (adds and moves price at or behind the mid), and each taker's size
//! is the open quantity of the first `n` orders on the other side (plus part of the next),
//! with its limit price at the last of them. So a tpcore IOC limit and a matchcore market
//! order of the same size trade against exactly the same orders, and `n` steers the book
//! back to its target size.
//!
//! Each stream starts with a pre-fill (1,000 adds around the mid) and a warm-up that
//! finishes 300,000 ids, three times the duplicate-id window of the default instrument, so
//! the measured part runs in the steady state: every finished id evicts an old one.
//!
//! Submit ids equal the command's sequence number (0, 1, 2, ... over the whole stream)
//! because matchcore numbers its orders that way.

use tpcore_book::{
    Book, Command, CommandKind, Engine, Event, EventKind, FeeSchedule, FeeTier, Instrument, Side,
    TimeInForce,
};

/// The book every workload runs on.
pub(crate) const SYMBOL: u32 = 1;
/// The starting mid price, in ticks.
const MID: i64 = 1_000_000;
/// Resting orders the pre-fill creates and the takers steer back to.
const TARGET_ORDERS: usize = 1_000;
/// How far the resting count may drift before the takers push it back.
const SLACK: usize = 20;
/// Maker accounts are `1..=MAKERS`; takers use their own accounts, so no self-trades.
const MAKERS: u64 = 1_000;
const TAKER_BASE: u64 = 1_000_000;
/// Finished ids the warm-up produces: three times the default duplicate window, so its
/// hash table has settled at the size it keeps under churn.
const WARM_FINISHED: usize = 300_000;

/// The default instrument: tick 1, lot 1, 5% band, 100,000-id duplicate window.
pub(crate) fn instrument() -> Instrument {
    Instrument::new(SYMBOL, "BENCH-USD")
}

/// One fee tier: 0.5 bp maker rebate, 2 bp taker fee (millionths of notional).
pub(crate) fn fees() -> FeeSchedule {
    FeeSchedule::new(vec![FeeTier {
        maker_rate: -50,
        taker_rate: 200,
    }])
    .unwrap_or_default()
}

/// A workload regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Regime {
    /// exchange-core's published mix.
    ExchangeCore,
    /// Adds near the touch, cancels and marketable takers.
    HeavyMatching,
}

impl Regime {
    pub(crate) const ALL: [Self; 2] = [Self::ExchangeCore, Self::HeavyMatching];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::ExchangeCore => "exchange_core_mix",
            Self::HeavyMatching => "heavy_matching",
        }
    }

    /// Percent of amends, adds, cancels, takers.
    fn mix(self) -> [u64; 4] {
        match self {
            Self::ExchangeCore => [82, 9, 6, 3],
            Self::HeavyMatching => [0, 60, 25, 15],
        }
    }

    /// Ticks behind the mid for a new or moved maker price.
    fn offset(self, rng: &mut Rng) -> i64 {
        match self {
            // Dense near the touch, thin out to ~1,200 ticks: ~750 levels for 1,000 orders.
            Self::ExchangeCore => {
                let u = rng.below(1_000_000).cast_signed();
                (u * u / 1_000_000) * 1_200 / 1_000_000
            }
            // Near the touch: 0..16 ticks, most within 4.
            Self::HeavyMatching => {
                let u = rng.below(1_000).cast_signed();
                u * u * 16 / 1_000_000
            }
        }
    }
}

/// A generated stream and what it contains.
pub(crate) struct Workload {
    pub(crate) regime: Regime,
    /// Pre-fill and warm-up: brings the book to its steady state. Not measured.
    pub(crate) setup: Vec<Command>,
    /// The measured commands.
    pub(crate) measured: Vec<Command>,
    /// Commands of the measured part per kind: amends, adds, cancels, takers.
    pub(crate) counts: [usize; 4],
    /// Rejected commands in the measured part (the oracle's count).
    pub(crate) rejects: usize,
    /// Resting orders and price levels at the start and the end of the measured part.
    pub(crate) orders: (usize, usize),
    pub(crate) levels: (usize, usize),
    /// Trades in the measured part.
    pub(crate) trades: usize,
}

impl Workload {
    /// A one-line description for the bench output.
    pub(crate) fn describe(&self) -> String {
        let [amends, adds, cancels, takers] = self.counts;
        format!(
            "{}: {} measured commands after {} set-up ones ({amends} amends, {adds} adds, \
             {cancels} cancels, {takers} takers); resting orders {} -> {}, levels {} -> {}; \
             {} trades; {} rejects ({:.3}%)",
            self.regime.name(),
            self.measured.len(),
            self.setup.len(),
            self.orders.0,
            self.orders.1,
            self.levels.0,
            self.levels.1,
            self.trades,
            self.rejects,
            pct(self.rejects, self.measured.len()),
        )
    }

    /// An engine holding the book after the set-up commands.
    pub(crate) fn tpcore_base(&self) -> Engine {
        let mut engine = Engine::new(fees());
        engine
            .add_book(instrument())
            .unwrap_or_else(|e| panic!("bench instrument: {e}"));
        run_chunked(&mut engine, &self.setup, &mut Vec::new());
        engine
    }

    /// The engine after the set-up commands and the measured commands, with every order id
    /// multiplied by an odd constant: a one-to-one map that scatters the ids over the whole
    /// `u64` range, as clients numbering orders at random would. The book does the same
    /// work; only its id tables see different keys. For tpcore only (matchcore numbers its
    /// orders itself).
    pub(crate) fn tpcore_scattered(&self) -> (Engine, Vec<Command>) {
        let scatter = |commands: &[Command]| -> Vec<Command> {
            commands
                .iter()
                .map(|c| Command {
                    order_id: c.order_id.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    ..*c
                })
                .collect()
        };
        let mut engine = Engine::new(fees());
        engine
            .add_book(instrument())
            .unwrap_or_else(|e| panic!("bench instrument: {e}"));
        run_chunked(&mut engine, &scatter(&self.setup), &mut Vec::new());
        (engine, scatter(&self.measured))
    }

    /// A matchcore book after the set-up commands, and the measured commands translated.
    pub(crate) fn matchcore_base(&self) -> (matchcore::OrderBook, Vec<matchcore::Command>) {
        let mut book = matchcore::OrderBook::new("BENCH-USD");
        for command in &self.setup {
            let _ = book.execute(&to_matchcore(command));
        }
        let measured = self.measured.iter().map(to_matchcore).collect();
        (book, measured)
    }
}

fn pct(part: usize, whole: usize) -> f64 {
    #[allow(clippy::cast_precision_loss, reason = "a percentage for display")]
    let ratio = part as f64 / whole.max(1) as f64;
    ratio * 100.0
}

/// Commands per [`Engine::process`] call: the engine's own chunk for packed records. The
/// event buffer is drained after each call, as a consumer would.
pub(crate) const CHUNK: usize = 1_024;

/// Runs commands through the engine in chunks, clearing the event buffer in between.
pub(crate) fn run_chunked(engine: &mut Engine, commands: &[Command], out: &mut Vec<Event>) {
    for chunk in commands.chunks(CHUNK) {
        out.clear();
        engine.process(chunk, out);
    }
}

/// splitmix64: small, fast, and good enough for choosing commands.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

#[derive(Debug, Clone, Copy)]
struct Live {
    pos: usize,
    account: u64,
    side: Side,
    price: i64,
    qty: i64,
}

/// The generator: the oracle book and the live orders it holds.
struct Generator {
    regime: Regime,
    rng: Rng,
    oracle: Book,
    fees: FeeSchedule,
    events: Vec<Event>,
    ids: Vec<u64>,
    /// Live orders by id (a hash map: only probed, never iterated).
    live: hashbrown::HashMap<u64, Live>,
    seq: u64,
    finished: usize,
    rejects: usize,
    trades: usize,
    counts: [usize; 4],
}

impl Generator {
    fn new(regime: Regime, seed: u64) -> Self {
        let Ok(oracle) = Book::new(instrument()) else {
            panic!("bench instrument is valid");
        };
        Self {
            regime,
            rng: Rng::new(seed),
            oracle,
            fees: fees(),
            events: Vec::new(),
            ids: Vec::new(),
            live: hashbrown::HashMap::new(),
            seq: 0,
            finished: 0,
            rejects: 0,
            trades: 0,
            counts: [0; 4],
        }
    }

    /// The reference price makers are placed behind: the mid, floored for bids and ceiled
    /// for asks, so a maker never crosses.
    fn anchor(&self, side: Side) -> i64 {
        let bid = self.oracle.best_bid().map(|l| l.price);
        let ask = self.oracle.best_ask().map(|l| l.price);
        let (low, high) = match (bid, ask) {
            (Some(b), Some(a)) => (b.midpoint(a), a - (a - b) / 2),
            (Some(b), None) => (b, b + 1),
            (None, Some(a)) => (a - 1, a),
            (None, None) => (MID - 1, MID + 1),
        };
        match side {
            Side::Buy => low,
            Side::Sell => high,
        }
    }

    fn maker_price(&mut self, side: Side) -> i64 {
        let offset = self.regime.offset(&mut self.rng);
        match side {
            Side::Buy => self.anchor(side) - offset,
            Side::Sell => self.anchor(side) + offset,
        }
    }

    fn side(&mut self) -> Side {
        if self.rng.below(2) == 0 {
            Side::Buy
        } else {
            Side::Sell
        }
    }

    fn maker_qty(&mut self) -> i64 {
        1 + self.rng.below(100).cast_signed()
    }

    fn random_live(&mut self) -> Option<(u64, Live)> {
        if self.ids.is_empty() {
            return None;
        }
        let id = self.ids[self.rng.below(self.ids.len() as u64) as usize];
        Some((id, self.live[&id]))
    }

    fn add(&mut self) -> Command {
        let side = self.side();
        let price = self.maker_price(side);
        let qty = self.maker_qty();
        let account = 1 + self.rng.below(MAKERS);
        Command::limit(SYMBOL, self.seq, account, side, price, qty)
    }

    /// A move to a new price near the touch (nine in ten) or a size change in place.
    fn amend(&mut self) -> Option<Command> {
        let (id, order) = self.random_live()?;
        if self.rng.below(10) == 0 {
            let mut qty = self.maker_qty();
            if qty == order.qty {
                qty = if qty > 1 { qty - 1 } else { 2 };
            }
            return Some(Command::amend(SYMBOL, id, order.account, order.price, qty));
        }
        let mut price = self.maker_price(order.side);
        if price == order.price {
            price += match order.side {
                Side::Buy => -1,
                Side::Sell => 1,
            };
        }
        Some(Command::amend(SYMBOL, id, order.account, price, order.qty))
    }

    fn cancel(&mut self) -> Option<Command> {
        let (id, order) = self.random_live()?;
        Some(Command::cancel(SYMBOL, id, order.account))
    }

    /// An IOC limit taking the first `n` orders of the other side and part of the next,
    /// `n` chosen so the book keeps its size.
    fn taker(&mut self) -> Option<Command> {
        let side = self.side();
        let makers = self.oracle.orders(side.opposite());
        let [_, adds, cancels, takers] = self.regime.mix();
        // Orders each taker must remove for adds and cancels to balance, in hundredths.
        let per_taker = (adds.saturating_sub(cancels)) * 100 / takers;
        let mut n = (per_taker / 100) as usize + usize::from(self.rng.below(100) < per_taker % 100);
        let resting = self.ids.len();
        if resting > TARGET_ORDERS + SLACK {
            n += 1;
        } else if resting + SLACK < TARGET_ORDERS {
            n = n.saturating_sub(1);
        }
        let n = n.min(makers.len());
        let mut qty: i64 = makers[..n].iter().map(|o| o.visible).sum();
        let mut limit = makers[..n].last().map(|o| o.price);
        if let Some(next) = makers.get(n)
            && (n == 0 || self.rng.below(2) == 0)
            && next.visible > 1
        {
            qty += 1 + self
                .rng
                .below(next.visible.cast_unsigned() - 1)
                .cast_signed();
            limit = Some(next.price);
        }
        let limit = limit?;
        let account = TAKER_BASE + self.rng.below(100);
        Some(Command::limit(SYMBOL, self.seq, account, side, limit, qty).with_tif(TimeInForce::Ioc))
    }

    /// Emits one command of the given kind (0 amend, 1 add, 2 cancel, 3 taker), or an add
    /// when the book has nothing for it to act on.
    fn emit(&mut self, kind: usize, measured: bool) -> Command {
        let command = match kind {
            0 => self.amend(),
            2 => self.cancel(),
            3 => self.taker(),
            _ => None,
        };
        let (command, kind) = match command {
            Some(c) => (c, kind),
            None => (self.add(), 1),
        };
        let command = command.with_seq(self.seq);
        self.seq += 1;
        self.apply(&command, measured);
        if measured {
            self.counts[kind] += 1;
        }
        command
    }

    fn pick_kind(&mut self) -> usize {
        let mut roll = self.rng.below(100);
        for (kind, share) in self.regime.mix().into_iter().enumerate() {
            if roll < share {
                return kind;
            }
            roll -= share;
        }
        1
    }

    /// Runs the command through the oracle and follows its events.
    fn apply(&mut self, command: &Command, measured: bool) {
        self.events.clear();
        self.oracle.process(command, &self.fees, &mut self.events);
        let events = std::mem::take(&mut self.events);
        for event in &events {
            match event.kind {
                EventKind::Accepted if command.tif == TimeInForce::Gtc as u8 => {
                    let Some(side) = event.side else { continue };
                    self.insert(event.order_id, event.account, side, event.price, event.qty);
                }
                EventKind::Trade => {
                    if measured {
                        self.trades += 1;
                    }
                    self.update(event.order_id, event.leaves, None);
                    self.update(event.maker_order_id, event.maker_leaves, None);
                }
                EventKind::Cancelled | EventKind::Expired => {
                    self.update(event.order_id, event.leaves, None);
                    if event.leaves == 0 {
                        self.finished += 1;
                    }
                }
                EventKind::Amended => self.update(event.order_id, event.leaves, Some(event.price)),
                EventKind::Rejected if measured => self.rejects += 1,
                _ => {}
            }
            if event.kind == EventKind::Trade {
                self.finished +=
                    usize::from(event.maker_leaves == 0) + usize::from(event.leaves == 0);
            }
        }
        self.events = events;
    }

    fn insert(&mut self, id: u64, account: u64, side: Side, price: i64, qty: i64) {
        let pos = self.ids.len();
        self.ids.push(id);
        self.live.insert(
            id,
            Live {
                pos,
                account,
                side,
                price,
                qty,
            },
        );
    }

    /// Sets a live order's open quantity (removing it at 0) and optionally its price.
    fn update(&mut self, id: u64, leaves: i64, price: Option<i64>) {
        if leaves > 0 {
            if let Some(order) = self.live.get_mut(&id) {
                order.qty = leaves;
                if let Some(price) = price {
                    order.price = price;
                }
            }
            return;
        }
        let Some(order) = self.live.remove(&id) else {
            return;
        };
        self.ids.swap_remove(order.pos);
        if let Some(&moved) = self.ids.get(order.pos)
            && let Some(entry) = self.live.get_mut(&moved)
        {
            entry.pos = order.pos;
        }
    }

    fn levels(&self) -> usize {
        self.oracle.depth(Side::Buy, usize::MAX).len()
            + self.oracle.depth(Side::Sell, usize::MAX).len()
    }
}

/// Generates a workload: pre-fill, warm-up, then `measured` commands.
pub(crate) fn generate(regime: Regime, measured: usize) -> Workload {
    let mut g = Generator::new(regime, 0x5EED_0005 + regime as u64);
    let mut setup = Vec::new();
    // Pre-fill: adds on alternating sides around the mid, in the regime's price spread.
    while g.ids.len() < TARGET_ORDERS {
        let side = if g.seq.is_multiple_of(2) {
            Side::Buy
        } else {
            Side::Sell
        };
        let price = match side {
            Side::Buy => MID - 1 - Regime::ExchangeCore.offset(&mut g.rng),
            Side::Sell => MID + 1 + Regime::ExchangeCore.offset(&mut g.rng),
        };
        let qty = g.maker_qty();
        let account = 1 + g.rng.below(MAKERS);
        let command = Command::limit(SYMBOL, g.seq, account, side, price, qty).with_seq(g.seq);
        g.seq += 1;
        g.apply(&command, false);
        setup.push(command);
    }
    while g.finished < WARM_FINISHED {
        let kind = g.pick_kind();
        setup.push(g.emit(kind, false));
    }
    let start = (g.ids.len(), g.levels());
    g.trades = 0;
    let mut stream = Vec::with_capacity(measured);
    for _ in 0..measured {
        let kind = g.pick_kind();
        stream.push(g.emit(kind, true));
    }
    assert_eq!(
        g.oracle.resting_count(),
        g.ids.len(),
        "the generator lost track of the book"
    );
    Workload {
        regime,
        setup,
        measured: stream,
        counts: g.counts,
        rejects: g.rejects,
        orders: (start.0, g.ids.len()),
        levels: (start.1, g.levels()),
        trades: g.trades,
    }
}

/// The matchcore command for a tpcore command of the generated streams: GTC limits as
/// limits, IOC takers as market orders of the same size (the generator sizes them so the
/// limit price never binds), amends as a limit patch of price and size, cancels as
/// cancels. Sequence numbers carry over; matchcore's order id is the submit's sequence
/// number, which the generator made equal to tpcore's order id.
pub(crate) fn to_matchcore(command: &Command) -> matchcore::Command {
    use matchcore::{
        AmendCmd, AmendPatch, CancelCmd, CommandKind as Kind, CommandMeta, LimitOrder,
        LimitOrderPatch, MarketOrder, NewOrder, OrderFlags, OrderId, OrderKind, Price, Quantity,
        QuantityPolicy, SequenceNumber, SubmitCmd, TimeInForce as Tif, Timestamp,
    };
    let side = if command.side == Side::Sell as u8 {
        matchcore::Side::Sell
    } else {
        matchcore::Side::Buy
    };
    let price = Price(u64::try_from(command.price).unwrap_or_default());
    let quantity = Quantity(u64::try_from(command.qty).unwrap_or_default());
    let kind = match CommandKind::from_code(command.kind) {
        Some(CommandKind::Submit) if command.tif == TimeInForce::Ioc as u8 => {
            Kind::Submit(SubmitCmd {
                order: NewOrder::Market(MarketOrder::new(quantity, side, false)),
            })
        }
        Some(CommandKind::Submit) => Kind::Submit(SubmitCmd {
            order: NewOrder::Limit(LimitOrder::new(
                price,
                QuantityPolicy::Standard { quantity },
                OrderFlags::new(side, false, Tif::Gtc),
            )),
        }),
        Some(CommandKind::Amend) => Kind::Amend(AmendCmd {
            order_id: OrderId(command.order_id),
            patch: AmendPatch::Limit(
                LimitOrderPatch::new()
                    .with_price(price)
                    .with_quantity_policy(QuantityPolicy::Standard { quantity }),
            ),
        }),
        _ => Kind::Cancel(CancelCmd {
            order_id: OrderId(command.order_id),
            order_kind: OrderKind::Limit,
        }),
    };
    matchcore::Command {
        meta: CommandMeta {
            sequence_number: SequenceNumber(command.seq),
            timestamp: Timestamp(command.seq),
        },
        kind,
    }
}
