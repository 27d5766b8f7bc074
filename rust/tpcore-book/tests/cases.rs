//! Small hand-computed cases for every order type and edge, written from the semantics in
//! the crate documentation: each asserts the exact events (kind, reason, price, quantity,
//! leaves, maker ids, fees) and what rests afterwards. Then the engine, the codec and
//! snapshots.
//!
//! Fees: tier 0 (every account but 9) has a maker rebate of 1 bp (-100) and a taker fee of
//! 5 bp (500); tier 1 (account 9) pays 2.5 bp as maker and 3.33 bp as taker. A fee rounds
//! toward +infinity, so on notional N a tier-0 taker pays ceil(N / 2000) and a tier-0 maker
//! gets floor(N / 10000) back.

// Tests may unwrap: a panic is a failed test.
#![allow(clippy::unwrap_used)]

use rstest::rstest;
use tpcore_book::codec::{self, HEADER_SIZE};
use tpcore_book::{
    Book, BookError, COMMAND_SIZE, Command, EVENT_SIZE, Engine, Event, EventKind, FeeSchedule,
    FeeTier, Instrument, MAX_ICEBERG_PARTS, MAX_QTY, Reason, SelfTrade, Side, TimeInForce, flags,
};

const S: u32 = 1;
const MAX: i64 = MAX_QTY;

fn fees() -> FeeSchedule {
    let mut fees = FeeSchedule::new(vec![
        FeeTier {
            maker_rate: -100,
            taker_rate: 500,
        },
        FeeTier {
            maker_rate: 250,
            taker_rate: 333,
        },
    ])
    .unwrap();
    fees.set_account_tier(9, 1).unwrap();
    fees
}

/// Unit tick and lot, a 5% band, no price or quantity limits to speak of.
fn instrument() -> Instrument {
    Instrument::new(S, "CASE")
}

/// One event as a short line.
fn line(e: &Event) -> String {
    let side = e.side.map_or("?", Side::as_str);
    let (id, qty, price, leaves, why) = (e.order_id, e.qty, e.price, e.leaves, e.reason.as_str());
    match e.kind {
        EventKind::Accepted => format!("accepted #{id} {side} {qty}@{price}"),
        EventKind::Rejected => format!("rejected #{id} {why}"),
        EventKind::Trade => format!(
            "trade #{id} x #{} {qty}@{price} leaves {leaves}/{} fees {}/{}",
            e.maker_order_id, e.maker_leaves, e.taker_fee, e.maker_fee
        ),
        EventKind::Cancelled => format!("cancelled #{id} {qty}@{price} leaves {leaves} {why}"),
        EventKind::Amended => format!("amended #{id} {leaves}@{price}"),
        EventKind::Triggered => format!("triggered #{id} {side} {qty}@{price}"),
        EventKind::Expired => format!("expired #{id} {qty}@{price} {why}"),
    }
}

/// A book, its fees and a sequence counter.
struct Bench {
    book: Book,
    fees: FeeSchedule,
    seq: u64,
}

impl Bench {
    fn new() -> Self {
        Self::on(instrument())
    }

    fn on(instrument: Instrument) -> Self {
        Self {
            book: Book::new(instrument).unwrap(),
            fees: fees(),
            seq: 0,
        }
    }

    /// Applies one command and returns its events, checking what every event must carry
    /// and the book's invariants.
    fn events(&mut self, command: Command) -> Vec<Event> {
        self.seq += 1;
        let mut out = Vec::new();
        let command = command.with_seq(self.seq);
        self.book.process(&command, &self.fees, &mut out);
        for e in &out {
            assert_eq!((e.seq, e.symbol), (self.seq, command.symbol), "{e:?}");
        }
        self.book.validate_invariants().unwrap();
        out
    }

    /// Applies one command and returns its events as lines.
    fn send(&mut self, command: Command) -> Vec<String> {
        self.events(command).iter().map(line).collect()
    }

    /// Applies set-up commands, none of which may be rejected.
    fn setup(&mut self, commands: impl IntoIterator<Item = Command>) {
        for command in commands {
            let events = self.events(command);
            assert!(
                events.iter().all(|e| e.kind != EventKind::Rejected),
                "set-up rejected: {events:?}"
            );
        }
    }

    /// (id, price, visible + reserve) of one side, in priority order.
    fn side(&self, side: Side) -> Vec<(u64, i64, i64)> {
        self.book
            .orders(side)
            .iter()
            .map(|o| (o.order_id, o.price, o.visible + o.hidden))
            .collect()
    }

    fn bids(&self) -> Vec<(u64, i64, i64)> {
        self.side(Side::Buy)
    }

    fn asks(&self) -> Vec<(u64, i64, i64)> {
        self.side(Side::Sell)
    }
}

fn buy(id: u64, account: u64, price: i64, qty: i64) -> Command {
    Command::limit(S, id, account, Side::Buy, price, qty)
}

fn sell(id: u64, account: u64, price: i64, qty: i64) -> Command {
    Command::limit(S, id, account, Side::Sell, price, qty)
}

// ----- the empty book -----

#[rstest]
#[case::limit_rests(buy(1, 1, 10_000, 10), &["accepted #1 buy 10@10000"], 1)]
#[case::market(
    Command::market(S, 1, 1, Side::Buy, 10),
    &["accepted #1 buy 10@0", "cancelled #1 10@0 leaves 0 no_liquidity"],
    0
)]
#[case::market_budget_only(
    Command::market(S, 1, 1, Side::Sell, 0).with_budget(50_000),
    &["accepted #1 sell 4611686018427387904@0", "cancelled #1 4611686018427387904@0 leaves 0 no_liquidity"],
    0
)]
#[case::ioc(
    buy(1, 1, 10_000, 10).with_tif(TimeInForce::Ioc),
    &["accepted #1 buy 10@10000", "cancelled #1 10@10000 leaves 0 ioc_remainder"],
    0
)]
#[case::fok(
    buy(1, 1, 10_000, 10).with_tif(TimeInForce::Fok),
    &["accepted #1 buy 10@10000", "cancelled #1 10@10000 leaves 0 fok_unfilled"],
    0
)]
#[case::gtd(buy(1, 1, 10_000, 10).with_expiry(5), &["accepted #1 buy 10@10000"], 1)]
#[case::post_only(
    sell(1, 1, 10_000, 10).with_flags(flags::POST_ONLY),
    &["accepted #1 sell 10@10000"],
    1
)]
#[case::post_only_slide(
    sell(1, 1, 10_000, 10).with_flags(flags::POST_ONLY | flags::SLIDE),
    &["accepted #1 sell 10@10000"],
    1
)]
#[case::iceberg(sell(1, 1, 10_000, 10).with_display(2), &["accepted #1 sell 10@10000"], 1)]
#[case::stop_market(
    Command::stop(S, 1, 1, Side::Buy, 10_100, 0, 10),
    &["accepted #1 buy 10@0"],
    1
)]
#[case::stop_limit(
    Command::stop(S, 1, 1, Side::Sell, 9_900, 9_890, 10),
    &["accepted #1 sell 10@9890"],
    1
)]
#[case::cancel(Command::cancel(S, 1, 1), &["rejected #1 unknown_order"], 0)]
#[case::amend(Command::amend(S, 1, 1, 10_000, 5), &["rejected #1 unknown_order"], 0)]
#[case::cancel_all(Command::cancel_all(S, 1, None), &[], 0)]
#[case::advance_time(Command::advance_time(S, 100), &[], 0)]
fn on_an_empty_book(#[case] command: Command, #[case] expected: &[&str], #[case] live: usize) {
    let mut bench = Bench::new();
    assert_eq!(bench.send(command), expected);
    assert_eq!(bench.book.resting_count() + bench.book.stop_count(), live);
    assert_eq!(bench.book.last_price(), 0);
}

// ----- limit orders -----

#[test]
fn an_exact_fill_empties_the_book_and_finishes_both_ids() {
    let mut bench = Bench::new();
    bench.setup([sell(1, 1, 10_000, 10)]);
    // N = 100,000: taker 50, maker -10.
    assert_eq!(
        bench.send(buy(2, 2, 10_000, 10)),
        [
            "accepted #2 buy 10@10000",
            "trade #2 x #1 10@10000 leaves 0/0 fees 50/-10"
        ]
    );
    assert!(bench.book.best_bid().is_none() && bench.book.best_ask().is_none());
    assert_eq!(bench.book.last_price(), 10_000);
    // A filled order cannot be cancelled, and its id cannot be reused.
    assert_eq!(
        bench.send(Command::cancel(S, 1, 1)),
        ["rejected #1 unknown_order"]
    );
    assert_eq!(
        bench.send(Command::cancel(S, 2, 2)),
        ["rejected #2 unknown_order"]
    );
    assert_eq!(
        bench.send(sell(1, 1, 10_000, 10)),
        ["rejected #1 duplicate_order_id"]
    );
}

#[test]
fn the_trade_event_carries_both_orders() {
    let mut bench = Bench::new();
    bench.setup([sell(1, 9, 10_000, 10)]);
    let events = bench.events(buy(2, 2, 10_001, 4));
    let trade = events[1];
    assert_eq!(trade.kind, EventKind::Trade);
    assert_eq!(
        (trade.order_id, trade.account, trade.side),
        (2, 2, Some(Side::Buy))
    );
    assert_eq!((trade.maker_order_id, trade.maker_account), (1, 9));
    assert_eq!(
        (trade.price, trade.qty, trade.leaves, trade.maker_leaves),
        (10_000, 4, 0, 6)
    );
    // N = 40,000. Taker tier 0: 20. Maker tier 1: 40,000 x 250 / 10^6 = 10.
    assert_eq!((trade.taker_fee, trade.maker_fee), (20, 10));
}

#[rstest]
// N = 40,000: 20 / -4; N = 40,004: ceil(20.002) = 21 / ceil(-4.0004) = -4.
#[case::rests_the_rest(
    buy(4, 2, 10_001, 10),
    &[
        "accepted #4 buy 10@10001",
        "trade #4 x #1 4@10000 leaves 6/0 fees 20/-4",
        "trade #4 x #2 4@10001 leaves 2/0 fees 21/-4",
    ],
    &[(4, 10_001, 2)],
    &[(3, 10_002, 4)]
)]
#[case::partial_maker(
    buy(4, 2, 10_002, 3),
    &["accepted #4 buy 3@10002", "trade #4 x #1 3@10000 leaves 0/1 fees 15/-3"],
    &[],
    &[(1, 10_000, 1), (2, 10_001, 4), (3, 10_002, 4)]
)]
// N = 40,008: ceil(20.004) = 21 / -4.
#[case::ioc_sweeps_and_cancels(
    buy(4, 2, 10_002, 15).with_tif(TimeInForce::Ioc),
    &[
        "accepted #4 buy 15@10002",
        "trade #4 x #1 4@10000 leaves 11/0 fees 20/-4",
        "trade #4 x #2 4@10001 leaves 7/0 fees 21/-4",
        "trade #4 x #3 4@10002 leaves 3/0 fees 21/-4",
        "cancelled #4 3@10002 leaves 0 ioc_remainder",
    ],
    &[],
    &[]
)]
#[case::limit_stops_at_its_price(
    buy(4, 2, 10_000, 10).with_tif(TimeInForce::Ioc),
    &[
        "accepted #4 buy 10@10000",
        "trade #4 x #1 4@10000 leaves 6/0 fees 20/-4",
        "cancelled #4 6@10000 leaves 0 ioc_remainder",
    ],
    &[],
    &[(2, 10_001, 4), (3, 10_002, 4)]
)]
fn fills_across_levels(
    #[case] taker: Command,
    #[case] expected: &[&str],
    #[case] bids: &[(u64, i64, i64)],
    #[case] asks: &[(u64, i64, i64)],
) {
    let mut bench = Bench::new();
    bench.setup([
        sell(1, 1, 10_000, 4),
        sell(2, 1, 10_001, 4),
        sell(3, 1, 10_002, 4),
    ]);
    assert_eq!(bench.send(taker), expected);
    assert_eq!(bench.bids(), bids);
    assert_eq!(bench.asks(), asks);
}

#[test]
fn orders_at_one_price_fill_first_in_first_out() {
    let mut bench = Bench::new();
    bench.setup([
        sell(1, 1, 10_000, 2),
        sell(2, 2, 10_000, 2),
        sell(3, 3, 10_000, 2),
    ]);
    // N = 20,000: 10 / -2.
    assert_eq!(
        bench.send(buy(4, 4, 10_000, 5)),
        [
            "accepted #4 buy 5@10000",
            "trade #4 x #1 2@10000 leaves 3/0 fees 10/-2",
            "trade #4 x #2 2@10000 leaves 1/0 fees 10/-2",
            "trade #4 x #3 1@10000 leaves 0/1 fees 5/-1",
        ]
    );
}

// ----- fill or kill -----

#[rstest]
// N = 60,006: ceil(30.003) = 31 / -6.
#[case::exactly_enough(buy(3, 1, 10_001, 10), &[
    "accepted #3 buy 10@10001",
    "trade #3 x #1 4@10000 leaves 6/0 fees 20/-4",
    "trade #3 x #2 6@10001 leaves 0/0 fees 31/-6",
])]
#[case::one_lot_short(buy(3, 1, 10_001, 11), &[
    "accepted #3 buy 11@10001",
    "cancelled #3 11@10001 leaves 0 fok_unfilled",
])]
#[case::price_short(buy(3, 1, 10_000, 10), &[
    "accepted #3 buy 10@10000",
    "cancelled #3 10@10000 leaves 0 fok_unfilled",
])]
#[case::market_exactly_enough(Command::market(S, 3, 1, Side::Buy, 10), &[
    "accepted #3 buy 10@0",
    "trade #3 x #1 4@10000 leaves 6/0 fees 20/-4",
    "trade #3 x #2 6@10001 leaves 0/0 fees 31/-6",
])]
#[case::market_one_lot_short(Command::market(S, 3, 1, Side::Buy, 11), &[
    "accepted #3 buy 11@0",
    "cancelled #3 11@0 leaves 0 fok_unfilled",
])]
fn fill_or_kill(#[case] order: Command, #[case] expected: &[&str]) {
    let mut bench = Bench::new();
    bench.setup([sell(1, 2, 10_000, 4), sell(2, 3, 10_001, 6)]);
    let before = bench.asks();
    let filled = expected.len() > 2;
    assert_eq!(bench.send(order.with_tif(TimeInForce::Fok)), expected);
    if filled {
        assert!(bench.asks().is_empty());
    } else {
        // Killed without touching the resting orders; the id is used up all the same.
        assert_eq!(bench.asks(), before);
        assert_eq!(bench.book.last_price(), 0);
        assert_eq!(
            bench.send(buy(3, 1, 9_000, 1)),
            ["rejected #3 duplicate_order_id"]
        );
    }
}

#[rstest]
#[case::own_order_blocks(SelfTrade::CancelTaker, &[
    "accepted #4 buy 10@10000",
    "cancelled #4 10@10000 leaves 0 fok_unfilled",
])]
#[case::decrement_is_no_fill(SelfTrade::Decrement, &[
    "accepted #4 buy 10@10000",
    "cancelled #4 10@10000 leaves 0 fok_unfilled",
])]
#[case::cancel_maker_skips_it(SelfTrade::CancelMaker, &[
    "accepted #4 buy 10@10000",
    "trade #4 x #1 4@10000 leaves 6/0 fees 20/-4",
    "cancelled #2 3@10000 leaves 0 stp",
    "trade #4 x #3 6@10000 leaves 0/0 fees 30/-6",
])]
fn fill_or_kill_and_own_orders(#[case] mode: SelfTrade, #[case] expected: &[&str]) {
    let mut bench = Bench::new();
    bench.setup([
        sell(1, 2, 10_000, 4),
        sell(2, 1, 10_000, 3),
        sell(3, 3, 10_000, 6),
    ]);
    let order = buy(4, 1, 10_000, 10)
        .with_tif(TimeInForce::Fok)
        .with_stp(mode);
    assert_eq!(bench.send(order), expected);
}

#[test]
fn fill_or_kill_counts_an_iceberg_reserve_unless_an_own_order_stands_behind_it() {
    let mut bench = Bench::new();
    bench.setup([sell(1, 2, 10_000, 10).with_display(2)]);
    // N = 20,000: 10 / -2 per slice; maker_leaves counts the reserve.
    assert_eq!(
        bench.send(buy(2, 3, 10_000, 10).with_tif(TimeInForce::Fok)),
        [
            "accepted #2 buy 10@10000",
            "trade #2 x #1 2@10000 leaves 8/8 fees 10/-2",
            "trade #2 x #1 2@10000 leaves 6/6 fees 10/-2",
            "trade #2 x #1 2@10000 leaves 4/4 fees 10/-2",
            "trade #2 x #1 2@10000 leaves 2/2 fees 10/-2",
            "trade #2 x #1 2@10000 leaves 0/0 fees 10/-2",
        ]
    );
    // The refill goes behind account 3's own order, which would stop the taker.
    let mut bench = Bench::new();
    bench.setup([
        sell(1, 2, 10_000, 10).with_display(2),
        sell(2, 3, 10_000, 4),
    ]);
    assert_eq!(
        bench.send(buy(3, 3, 10_000, 6).with_tif(TimeInForce::Fok)),
        [
            "accepted #3 buy 6@10000",
            "cancelled #3 6@10000 leaves 0 fok_unfilled"
        ]
    );
    assert_eq!(
        bench.send(
            buy(4, 3, 10_000, 6)
                .with_tif(TimeInForce::Fok)
                .with_stp(SelfTrade::CancelMaker)
        ),
        [
            "accepted #4 buy 6@10000",
            "trade #4 x #1 2@10000 leaves 4/8 fees 10/-2",
            "cancelled #2 4@10000 leaves 0 stp",
            "trade #4 x #1 2@10000 leaves 2/6 fees 10/-2",
            "trade #4 x #1 2@10000 leaves 0/4 fees 10/-2",
        ]
    );
}

// ----- post-only -----

#[rstest]
#[case::rests_at_its_price(buy(3, 1, 9_995, 5).with_flags(flags::POST_ONLY), &["accepted #3 buy 5@9995"], 9_995)]
#[case::would_take(buy(3, 1, 10_000, 5).with_flags(flags::POST_ONLY), &["rejected #3 post_only_would_take"], 9_990)]
#[case::buy_slides_behind_the_ask(
    buy(3, 1, 10_005, 5).with_flags(flags::POST_ONLY | flags::SLIDE),
    &["accepted #3 buy 5@9999"],
    9_999
)]
#[case::slide_not_needed(
    buy(3, 1, 9_991, 5).with_flags(flags::POST_ONLY | flags::SLIDE),
    &["accepted #3 buy 5@9991"],
    9_991
)]
#[case::sell_slides_behind_the_bid(
    sell(3, 1, 9_980, 5).with_flags(flags::POST_ONLY | flags::SLIDE),
    &["accepted #3 sell 5@9991"],
    9_990
)]
#[case::post_only_ioc(
    buy(3, 1, 9_995, 5).with_flags(flags::POST_ONLY).with_tif(TimeInForce::Ioc),
    &["rejected #3 invalid_order"],
    9_990
)]
#[case::slide_alone(buy(3, 1, 9_995, 5).with_flags(flags::SLIDE), &["rejected #3 invalid_order"], 9_990)]
fn post_only(#[case] order: Command, #[case] expected: &[&str], #[case] best_bid: i64) {
    let mut bench = Bench::new();
    bench.setup([sell(1, 2, 10_000, 5), buy(2, 2, 9_990, 5)]);
    assert_eq!(bench.send(order), expected);
    assert_eq!(bench.book.best_bid().unwrap().price, best_bid);
    // Post-only never trades.
    assert_eq!(bench.book.last_price(), 0);
}

#[test]
fn a_slide_outside_the_price_range_is_rejected() {
    let mut bench = Bench::on(Instrument {
        min_price: 10_000,
        ..instrument()
    });
    bench.setup([sell(1, 2, 10_000, 5)]);
    assert_eq!(
        bench.send(buy(2, 1, 10_000, 5).with_flags(flags::POST_ONLY | flags::SLIDE)),
        ["rejected #2 post_only_would_take"]
    );
}

// ----- market orders, protection and budgets -----

#[rstest]
#[case::protection_band(10_600, &[
    "accepted #3 buy 8@0",
    "trade #3 x #1 5@10000 leaves 3/0 fees 25/-5",
    "cancelled #3 3@0 leaves 0 market_protection",
])]
// The band is inclusive: 10,000 x 1.05 = 10,500. N = 31,500: ceil(15.75) = 16 / -3.
#[case::band_edge_trades(10_500, &[
    "accepted #3 buy 8@0",
    "trade #3 x #1 5@10000 leaves 3/0 fees 25/-5",
    "trade #3 x #2 3@10500 leaves 0/2 fees 16/-3",
])]
fn market_buy(#[case] second_ask: i64, #[case] expected: &[&str]) {
    let mut bench = Bench::new();
    bench.setup([sell(1, 1, 10_000, 5), sell(2, 1, second_ask, 5)]);
    assert_eq!(bench.send(Command::market(S, 3, 2, Side::Buy, 8)), expected);
}

#[test]
fn market_sell_stops_at_the_band_below_the_best_bid() {
    let mut bench = Bench::new();
    bench.setup([
        buy(1, 1, 10_000, 5),
        buy(2, 1, 9_500, 5),
        buy(3, 1, 9_490, 5),
    ]);
    // N = 47,500: ceil(23.75) = 24 / ceil(-4.75) = -4.
    assert_eq!(
        bench.send(Command::market(S, 4, 2, Side::Sell, 12)),
        [
            "accepted #4 sell 12@0",
            "trade #4 x #1 5@10000 leaves 7/0 fees 25/-5",
            "trade #4 x #2 5@9500 leaves 2/0 fees 24/-4",
            "cancelled #4 2@0 leaves 0 market_protection",
        ]
    );
    assert_eq!(bench.bids(), [(3, 9_490, 5)]);
}

#[test]
fn market_order_runs_out_of_liquidity() {
    let mut bench = Bench::new();
    bench.setup([sell(1, 1, 10_000, 5)]);
    assert_eq!(
        bench.send(Command::market(S, 2, 2, Side::Buy, 8)),
        [
            "accepted #2 buy 8@0",
            "trade #2 x #1 5@10000 leaves 3/0 fees 25/-5",
            "cancelled #2 3@0 leaves 0 no_liquidity",
        ]
    );
}

#[rstest]
// 70,000: 5 @ 10,000 leaves 20,000, which buys one at 10,010 (N = 10,010: 6 / -1) and
// leaves 9,990, less than one more.
#[case::budget_only(0, 70_000, &[
    "accepted #3 buy 4611686018427387904@0",
    "trade #3 x #1 5@10000 leaves 4611686018427387899/0 fees 25/-5",
    "trade #3 x #2 1@10010 leaves 4611686018427387898/4 fees 6/-1",
    "cancelled #3 4611686018427387898@0 leaves 0 budget_exhausted",
])]
// A budget spent exactly stops the order; it does not turn into "no budget".
#[case::spent_exactly(0, 50_000, &[
    "accepted #3 buy 4611686018427387904@0",
    "trade #3 x #1 5@10000 leaves 4611686018427387899/0 fees 25/-5",
    "cancelled #3 4611686018427387899@0 leaves 0 budget_exhausted",
])]
#[case::quantity_first(3, 1_000_000, &[
    "accepted #3 buy 3@0",
    "trade #3 x #1 3@10000 leaves 0/2 fees 15/-3",
])]
#[case::budget_first(8, 60_000, &[
    "accepted #3 buy 8@0",
    "trade #3 x #1 5@10000 leaves 3/0 fees 25/-5",
    "cancelled #3 3@0 leaves 0 budget_exhausted",
])]
#[case::too_small_for_one(8, 9_999, &[
    "accepted #3 buy 8@0",
    "cancelled #3 8@0 leaves 0 budget_exhausted",
])]
fn market_buy_with_a_quote_budget(
    #[case] qty: i64,
    #[case] budget: i64,
    #[case] expected: &[&str],
) {
    let mut bench = Bench::new();
    bench.setup([sell(1, 1, 10_000, 5), sell(2, 1, 10_010, 5)]);
    assert_eq!(
        bench.send(Command::market(S, 3, 2, Side::Buy, qty).with_budget(budget)),
        expected
    );
}

#[test]
fn a_sell_budget_caps_the_notional_received() {
    let mut bench = Bench::new();
    bench.setup([buy(1, 1, 10_000, 5), buy(2, 1, 9_990, 5)]);
    // 50,000 at 10,000 leaves 10,000: one at 9,990 (N = 9,990: 5 / 0), then 10 is left.
    assert_eq!(
        bench.send(Command::market(S, 3, 2, Side::Sell, 10).with_budget(60_000)),
        [
            "accepted #3 sell 10@0",
            "trade #3 x #1 5@10000 leaves 5/0 fees 25/-5",
            "trade #3 x #2 1@9990 leaves 4/4 fees 5/0",
            "cancelled #3 4@0 leaves 0 budget_exhausted",
        ]
    );
}

// ----- stops -----

#[test]
fn stops_trigger_stops() {
    let mut bench = Bench::new();
    bench.setup([
        buy(1, 3, 9_990, 10),
        sell(2, 3, 10_000, 2),
        sell(3, 3, 10_010, 5),
        sell(4, 3, 10_020, 5),
    ]);
    // A first trade at 9,990 (N = 9,990: 5 / 0).
    assert_eq!(
        bench.send(Command::market(S, 5, 4, Side::Sell, 1)),
        [
            "accepted #5 sell 1@0",
            "trade #5 x #1 1@9990 leaves 0/9 fees 5/0"
        ]
    );
    assert_eq!(
        bench.send(Command::stop(S, 10, 1, Side::Buy, 10_000, 0, 5)),
        ["accepted #10 buy 5@0"]
    );
    assert_eq!(
        bench.send(Command::stop(S, 11, 2, Side::Buy, 10_010, 10_020, 5)),
        ["accepted #11 buy 5@10020"]
    );
    assert_eq!(
        bench.send(Command::stop(S, 12, 1, Side::Sell, 9_900, 0, 1)),
        ["accepted #12 sell 1@0"]
    );
    // Reached already: a buy stop at or below the last price, a sell stop at or above.
    assert_eq!(
        bench.send(Command::stop(S, 13, 1, Side::Buy, 9_990, 0, 1)),
        ["rejected #13 stop_already_triggered"]
    );
    assert_eq!(
        bench.send(Command::stop(S, 13, 1, Side::Sell, 9_990, 0, 1)),
        ["rejected #13 stop_already_triggered"]
    );
    // N = 50,050: ceil(25.025) = 26 / -5; N = 50,100: ceil(25.05) = 26 / -5.
    assert_eq!(
        bench.send(buy(6, 4, 10_000, 2)),
        [
            "accepted #6 buy 2@10000",
            "trade #6 x #2 2@10000 leaves 0/0 fees 10/-2",
            "triggered #10 buy 5@0",
            "trade #10 x #3 5@10010 leaves 0/0 fees 26/-5",
            "triggered #11 buy 5@10020",
            "trade #11 x #4 5@10020 leaves 0/0 fees 26/-5",
        ]
    );
    assert_eq!(bench.book.stop_count(), 1);
    assert_eq!(bench.book.last_price(), 10_020);
}

#[test]
fn reached_stops_fire_lowest_buy_trigger_first_then_by_acceptance() {
    let mut bench = Bench::new();
    bench.setup([sell(1, 3, 10_010, 1), buy(2, 3, 9_000, 1)]);
    bench.setup([Command::market(S, 3, 4, Side::Buy, 1)]);
    assert_eq!(bench.book.last_price(), 10_010);
    bench.setup([buy(4, 3, 8_990, 1), sell(5, 3, 10_020, 1)]);
    bench.setup([
        Command::stop(S, 20, 1, Side::Buy, 10_020, 9_100, 1),
        Command::stop(S, 21, 1, Side::Buy, 10_015, 9_100, 1),
        Command::stop(S, 22, 2, Side::Buy, 10_015, 9_100, 1),
        Command::stop(S, 23, 1, Side::Sell, 8_000, 0, 1),
    ]);
    let fired: Vec<u64> = bench
        .events(Command::market(S, 6, 4, Side::Buy, 1))
        .iter()
        .filter(|e| e.kind == EventKind::Triggered)
        .map(|e| e.order_id)
        .collect();
    assert_eq!(fired, [21, 22, 20]);
    // The stop-limits rested at their limit, in the order they fired.
    assert_eq!(
        bench.bids()[..3],
        [(21, 9_100, 1), (22, 9_100, 1), (20, 9_100, 1)]
    );
}

#[test]
fn a_triggered_stop_market_with_nothing_to_buy_is_cancelled() {
    let mut bench = Bench::new();
    bench.setup([sell(1, 1, 10_000, 1), buy(2, 1, 9_000, 5)]);
    bench.setup([Command::stop(S, 3, 2, Side::Buy, 10_000, 0, 4)]);
    assert_eq!(
        bench.send(buy(4, 3, 10_000, 1)),
        [
            "accepted #4 buy 1@10000",
            "trade #4 x #1 1@10000 leaves 0/0 fees 5/-1",
            "triggered #3 buy 4@0",
            "cancelled #3 4@0 leaves 0 no_liquidity",
        ]
    );
}

// ----- self-trade prevention -----

#[rstest]
#[case::cancel_taker(SelfTrade::CancelTaker, 8, &[
    "accepted #3 buy 8@10000",
    "cancelled #3 8@10000 leaves 0 stp",
], &[], &[(1, 10_000, 5), (2, 10_000, 5)])]
#[case::cancel_maker(SelfTrade::CancelMaker, 8, &[
    "accepted #3 buy 8@10000",
    "cancelled #1 5@10000 leaves 0 stp",
    "trade #3 x #2 5@10000 leaves 3/0 fees 25/-5",
], &[(3, 10_000, 3)], &[])]
#[case::cancel_both(SelfTrade::CancelBoth, 8, &[
    "accepted #3 buy 8@10000",
    "cancelled #1 5@10000 leaves 0 stp",
    "cancelled #3 8@10000 leaves 0 stp",
], &[], &[(2, 10_000, 5)])]
#[case::decrement_taker_larger(SelfTrade::Decrement, 8, &[
    "accepted #3 buy 8@10000",
    "cancelled #1 5@10000 leaves 0 stp",
    "cancelled #3 5@10000 leaves 3 stp",
    "trade #3 x #2 3@10000 leaves 0/2 fees 15/-3",
], &[], &[(2, 10_000, 2)])]
#[case::decrement_taker_smaller(SelfTrade::Decrement, 3, &[
    "accepted #3 buy 3@10000",
    "cancelled #1 3@10000 leaves 2 stp",
    "cancelled #3 3@10000 leaves 0 stp",
], &[], &[(1, 10_000, 2), (2, 10_000, 5)])]
#[case::decrement_equal(SelfTrade::Decrement, 5, &[
    "accepted #3 buy 5@10000",
    "cancelled #1 5@10000 leaves 0 stp",
    "cancelled #3 5@10000 leaves 0 stp",
], &[], &[(2, 10_000, 5)])]
fn self_trade_prevention(
    #[case] mode: SelfTrade,
    #[case] qty: i64,
    #[case] expected: &[&str],
    #[case] bids: &[(u64, i64, i64)],
    #[case] asks: &[(u64, i64, i64)],
) {
    let mut bench = Bench::new();
    bench.setup([sell(1, 1, 10_000, 5), sell(2, 2, 10_000, 5)]);
    assert_eq!(bench.send(buy(3, 1, 10_000, qty).with_stp(mode)), expected);
    assert_eq!(bench.bids(), bids);
    assert_eq!(bench.asks(), asks);
}

#[test]
fn decrement_reduces_an_iceberg_reserve_first() {
    let mut bench = Bench::new();
    bench.setup([sell(1, 1, 10_000, 10).with_display(4)]);
    assert_eq!(
        bench.send(buy(2, 1, 10_000, 5).with_stp(SelfTrade::Decrement)),
        [
            "accepted #2 buy 5@10000",
            "cancelled #1 5@10000 leaves 5 stp",
            "cancelled #2 5@10000 leaves 0 stp",
        ]
    );
    let ask = &bench.book.orders(Side::Sell)[0];
    assert_eq!((ask.visible, ask.hidden), (4, 1));
}

// ----- icebergs -----

#[test]
fn an_iceberg_shows_slices_and_loses_priority_on_each_refill() {
    let mut bench = Bench::new();
    bench.setup([
        sell(1, 1, 10_000, 10).with_display(3),
        sell(2, 2, 10_000, 5),
    ]);
    assert_eq!(bench.book.best_ask().unwrap().qty, 8);
    assert_eq!(
        bench.send(buy(3, 3, 10_000, 8)),
        [
            "accepted #3 buy 8@10000",
            "trade #3 x #1 3@10000 leaves 5/7 fees 15/-3",
            "trade #3 x #2 5@10000 leaves 0/0 fees 25/-5",
        ]
    );
    let ask = &bench.book.orders(Side::Sell)[0];
    assert_eq!(
        (ask.order_id, ask.visible, ask.hidden, ask.display),
        (1, 3, 4, 3)
    );
    assert_eq!(
        bench.send(buy(4, 3, 10_000, 7)),
        [
            "accepted #4 buy 7@10000",
            "trade #4 x #1 3@10000 leaves 4/4 fees 15/-3",
            "trade #4 x #1 3@10000 leaves 1/1 fees 15/-3",
            "trade #4 x #1 1@10000 leaves 0/0 fees 5/-1",
        ]
    );
    assert!(bench.asks().is_empty());
}

#[test]
fn an_iceberg_taker_rests_its_remainder_as_an_iceberg() {
    let mut bench = Bench::new();
    bench.setup([sell(1, 1, 10_000, 3)]);
    bench.setup([buy(2, 2, 10_000, 10).with_display(2)]);
    let bid = &bench.book.orders(Side::Buy)[0];
    assert_eq!((bid.visible, bid.hidden, bid.display), (2, 5, 2));
    assert_eq!(bench.book.best_bid().unwrap().qty, 2);
}

// ----- amend -----

#[rstest]
#[case::down_keeps_priority(10_000, 4, &["amended #1 4@10000"], &[(1, 10_000, 4), (2, 10_000, 10)])]
#[case::same_keeps_priority(10_000, 10, &["amended #1 10@10000"], &[(1, 10_000, 10), (2, 10_000, 10)])]
#[case::up_loses_priority(10_000, 12, &["amended #1 12@10000"], &[(2, 10_000, 10), (1, 10_000, 12)])]
#[case::new_price_loses_priority(9_990, 10, &["amended #1 10@9990"], &[(2, 10_000, 10), (1, 9_990, 10)])]
// N = 50,050: 26 / -5.
#[case::new_price_trades(10_010, 10, &[
    "amended #1 10@10010",
    "trade #1 x #3 5@10010 leaves 5/0 fees 26/-5",
], &[(1, 10_010, 5), (2, 10_000, 10)])]
#[case::zero_quantity(10_000, 0, &["rejected #1 invalid_quantity"], &[(1, 10_000, 10), (2, 10_000, 10)])]
#[case::bad_price(0, 10, &["rejected #1 invalid_price"], &[(1, 10_000, 10), (2, 10_000, 10)])]
fn amend(
    #[case] price: i64,
    #[case] qty: i64,
    #[case] expected: &[&str],
    #[case] bids: &[(u64, i64, i64)],
) {
    let mut bench = Bench::new();
    bench.setup([
        buy(1, 1, 10_000, 10),
        buy(2, 2, 10_000, 10),
        sell(3, 3, 10_010, 5),
    ]);
    assert_eq!(bench.send(Command::amend(S, 1, 1, price, qty)), expected);
    assert_eq!(bench.bids(), bids);
}

#[test]
fn amend_needs_the_owner_and_a_live_order() {
    let mut bench = Bench::new();
    bench.setup([buy(1, 1, 10_000, 10)]);
    assert_eq!(
        bench.send(Command::amend(S, 1, 2, 10_000, 5)),
        ["rejected #1 unknown_order"]
    );
    assert_eq!(
        bench.send(Command::amend(S, 7, 1, 10_000, 5)),
        ["rejected #7 unknown_order"]
    );
    bench.setup([Command::cancel(S, 1, 1)]);
    assert_eq!(
        bench.send(Command::amend(S, 1, 1, 10_000, 5)),
        ["rejected #1 unknown_order"]
    );
}

#[test]
fn amend_of_an_iceberg_reduces_the_reserve_first() {
    let mut bench = Bench::new();
    bench.setup([sell(1, 1, 10_000, 10).with_display(4)]);
    assert_eq!(
        bench.send(Command::amend(S, 1, 1, 10_000, 7)),
        ["amended #1 7@10000"]
    );
    let ask = &bench.book.orders(Side::Sell)[0];
    assert_eq!((ask.visible, ask.hidden), (4, 3));
    assert_eq!(
        bench.send(Command::amend(S, 1, 1, 10_000, 3)),
        ["amended #1 3@10000"]
    );
    let ask = &bench.book.orders(Side::Sell)[0];
    assert_eq!((ask.visible, ask.hidden), (3, 0));
}

/// An iceberg has at most MAX_ICEBERG_PARTS parts: each refill trades on its own, so one
/// aggressive order against a huge iceberg showing one lot would make a trade per lot.
#[test]
fn an_iceberg_of_too_many_parts_is_rejected_on_submit_and_amend() {
    let parts = MAX_ICEBERG_PARTS;
    let mut bench = Bench::new();
    assert_eq!(
        bench.send(sell(1, 1, 10_000, 2 * parts + 1).with_display(2)),
        ["rejected #1 invalid_display_quantity"]
    );
    assert_eq!(
        bench.send(sell(2, 1, 10_000, 1 << 40).with_display(1)),
        ["rejected #2 invalid_display_quantity"]
    );
    bench.setup([sell(3, 1, 10_000, 2 * parts).with_display(2)]);
    // Growing past the parts is refused and leaves the order as it was ...
    assert_eq!(
        bench.send(Command::amend(S, 3, 1, 10_000, 2 * parts + 1)),
        ["rejected #3 invalid_display_quantity"]
    );
    let ask = &bench.book.orders(Side::Sell)[0];
    assert_eq!((ask.visible, ask.hidden), (2, 2 * parts - 2));
    // ... and an aggressor crossing the whole iceberg trades once per part.
    let events = bench.send(buy(4, 2, 10_000, 2 * parts));
    let trades = events.iter().filter(|e| e.starts_with("trade")).count();
    assert_eq!(trades, usize::try_from(parts).unwrap());
}

#[test]
fn amend_of_a_stop_changes_its_price_and_quantity() {
    let mut bench = Bench::new();
    bench.setup([
        Command::stop(S, 1, 1, Side::Buy, 10_100, 10_110, 5),
        Command::stop(S, 2, 1, Side::Buy, 10_100, 0, 5),
    ]);
    assert_eq!(
        bench.send(Command::amend(S, 1, 1, 10_120, 8)),
        ["amended #1 8@10120"]
    );
    assert_eq!(
        bench.send(Command::amend(S, 2, 1, 0, 8)),
        ["amended #2 8@0"]
    );
    assert_eq!(
        bench.send(Command::amend(S, 2, 1, 10_120, 8)),
        ["rejected #2 invalid_order"]
    );
    let stops = bench.book.stop_orders();
    assert_eq!(
        (stops[0].price, stops[0].qty, stops[0].trigger_price),
        (10_120, 8, 10_100)
    );
}

#[test]
fn a_post_only_amend_that_would_take_is_rejected() {
    let mut bench = Bench::new();
    bench.setup([
        sell(1, 2, 10_000, 5),
        buy(2, 1, 9_990, 5).with_flags(flags::POST_ONLY),
    ]);
    assert_eq!(
        bench.send(Command::amend(S, 2, 1, 10_000, 5)),
        ["rejected #2 post_only_would_take"]
    );
}

// ----- cancel -----

#[test]
fn cancel() {
    let mut bench = Bench::new();
    bench.setup([
        sell(1, 1, 10_000, 10),
        Command::stop(S, 2, 1, Side::Buy, 10_100, 0, 5),
    ]);
    bench.setup([buy(3, 2, 10_000, 4)]);
    assert_eq!(
        bench.send(Command::cancel(S, 1, 2)),
        ["rejected #1 unknown_order"]
    );
    assert_eq!(
        bench.send(Command::cancel(S, 1, 1)),
        ["cancelled #1 6@10000 leaves 0 user"]
    );
    assert_eq!(
        bench.send(Command::cancel(S, 1, 1)),
        ["rejected #1 unknown_order"]
    );
    // The filled taker is gone too.
    assert_eq!(
        bench.send(Command::cancel(S, 3, 2)),
        ["rejected #3 unknown_order"]
    );
    assert_eq!(
        bench.send(Command::cancel(S, 2, 1)),
        ["cancelled #2 5@0 leaves 0 user"]
    );
}

#[rstest]
#[case::both_sides(None, 1, &[
    "cancelled #1 10@10000 leaves 0 cancel_all",
    "cancelled #3 10@9990 leaves 0 cancel_all",
    "cancelled #5 5@0 leaves 0 cancel_all",
    "cancelled #4 10@10010 leaves 0 cancel_all",
    "cancelled #6 5@9000 leaves 0 cancel_all",
])]
#[case::sells(Some(Side::Sell), 4, &[
    "cancelled #4 10@10010 leaves 0 cancel_all",
    "cancelled #6 5@9000 leaves 0 cancel_all",
])]
fn cancel_all(#[case] side: Option<Side>, #[case] left: usize, #[case] expected: &[&str]) {
    let mut bench = Bench::new();
    bench.setup([
        buy(1, 1, 10_000, 10),
        buy(2, 2, 10_000, 10),
        buy(3, 1, 9_990, 10),
        sell(4, 1, 10_010, 10),
        Command::stop(S, 5, 1, Side::Buy, 10_100, 0, 5),
        Command::stop(S, 6, 1, Side::Sell, 9_100, 9_000, 5),
    ]);
    assert_eq!(bench.send(Command::cancel_all(S, 1, side)), expected);
    assert_eq!(bench.book.resting_count() + bench.book.stop_count(), left);
    // Other accounts' orders stay.
    assert!(bench.bids().contains(&(2, 10_000, 10)));
}

// ----- good till date -----

#[test]
fn good_till_date_orders_expire_in_order_of_time_then_id() {
    let mut bench = Bench::new();
    bench.setup([
        buy(3, 1, 10_000, 10).with_expiry(10),
        buy(2, 1, 9_990, 10).with_expiry(5),
        buy(1, 1, 9_980, 10),
        Command::stop(S, 4, 1, Side::Buy, 10_100, 10_110, 5).with_expiry(5),
    ]);
    assert!(bench.send(Command::advance_time(S, 4)).is_empty());
    assert_eq!(
        bench.send(Command::advance_time(S, 5)),
        ["expired #2 10@9990 expired", "expired #4 5@10110 expired"]
    );
    // Time never goes back.
    assert!(bench.send(Command::advance_time(S, 3)).is_empty());
    assert_eq!(bench.book.now(), 5);
    assert_eq!(
        bench.send(buy(5, 1, 9_000, 1).with_expiry(5)),
        ["rejected #5 expired_on_arrival"]
    );
    assert_eq!(
        bench.send(Command::advance_time(S, 20)),
        ["expired #3 10@10000 expired"]
    );
    assert_eq!(bench.bids(), [(1, 9_980, 10)]);
}

// ----- bad input -----

/// Tick 5, lot 10, quantities 10..=1000, prices 100..=100,000, a 5% band; a trade at
/// 10,000 has set the last price and order 3 rests.
fn strict_bench() -> Bench {
    let mut bench = Bench::on(Instrument {
        tick_size: 5,
        lot_size: 10,
        min_qty: 10,
        max_qty: 1_000,
        min_price: 100,
        max_price: 100_000,
        ..instrument()
    });
    bench.setup([
        sell(1, 1, 10_000, 10),
        buy(2, 2, 10_000, 10),
        buy(3, 1, 9_000, 10),
    ]);
    assert_eq!(bench.book.last_price(), 10_000);
    bench
}

fn with(mut c: Command, edit: impl FnOnce(&mut Command)) -> Command {
    edit(&mut c);
    c
}

#[rstest]
#[case::zero_quantity(buy(9, 1, 10_000, 0), Reason::InvalidQuantity)]
#[case::negative_quantity(buy(9, 1, 10_000, -10), Reason::InvalidQuantity)]
#[case::quantity_off_lot(buy(9, 1, 10_000, 15), Reason::QuantityOffLot)]
#[case::quantity_too_large(buy(9, 1, 10_000, 1_010), Reason::QuantityOutOfRange)]
#[case::zero_price(buy(9, 1, 0, 10), Reason::InvalidPrice)]
#[case::negative_price(buy(9, 1, -5, 10), Reason::InvalidPrice)]
#[case::price_off_tick(buy(9, 1, 10_002, 10), Reason::PriceOffTick)]
#[case::price_too_low(buy(9, 1, 95, 10), Reason::PriceOutOfRange)]
#[case::price_too_high(buy(9, 1, 100_005, 10), Reason::PriceOutOfRange)]
#[case::buy_above_band(buy(9, 1, 10_505, 10), Reason::PriceOutsideBand)]
#[case::sell_below_band(sell(9, 1, 9_495, 10), Reason::PriceOutsideBand)]
#[case::live_id(buy(3, 1, 9_000, 10), Reason::DuplicateOrderId)]
#[case::finished_id(buy(1, 1, 9_000, 10), Reason::DuplicateOrderId)]
#[case::cancel_unknown(Command::cancel(S, 99, 1), Reason::UnknownOrder)]
#[case::cancel_not_owner(Command::cancel(S, 3, 2), Reason::UnknownOrder)]
#[case::amend_unknown(Command::amend(S, 99, 1, 9_000, 10), Reason::UnknownOrder)]
#[case::amend_off_lot(Command::amend(S, 3, 1, 9_000, 15), Reason::QuantityOffLot)]
#[case::amend_off_tick(Command::amend(S, 3, 1, 9_001, 10), Reason::PriceOffTick)]
#[case::amend_outside_band(Command::amend(S, 3, 1, 10_505, 10), Reason::PriceOutsideBand)]
#[case::kind_zero(with(buy(9, 1, 9_000, 10), |c| c.kind = 0), Reason::InvalidCommand)]
#[case::kind_unknown(with(buy(9, 1, 9_000, 10), |c| c.kind = 6), Reason::InvalidCommand)]
#[case::side_zero(with(buy(9, 1, 9_000, 10), |c| c.side = 0), Reason::InvalidCommand)]
#[case::order_type_unknown(with(buy(9, 1, 9_000, 10), |c| c.order_type = 9), Reason::InvalidCommand)]
#[case::tif_zero(with(buy(9, 1, 9_000, 10), |c| c.tif = 0), Reason::InvalidCommand)]
#[case::stp_unknown(with(buy(9, 1, 9_000, 10), |c| c.stp = 7), Reason::InvalidCommand)]
#[case::flag_unknown(buy(9, 1, 9_000, 10).with_flags(0x80), Reason::InvalidCommand)]
#[case::cancel_all_side(with(Command::cancel_all(S, 1, None), |c| c.side = 5), Reason::InvalidCommand)]
#[case::display_not_below_qty(buy(9, 1, 9_000, 10).with_display(10), Reason::InvalidDisplayQuantity)]
#[case::display_off_lot(buy(9, 1, 9_000, 20).with_display(5), Reason::InvalidDisplayQuantity)]
#[case::display_negative(buy(9, 1, 9_000, 20).with_display(-10), Reason::InvalidDisplayQuantity)]
#[case::display_on_ioc(buy(9, 1, 9_000, 20).with_display(10).with_tif(TimeInForce::Ioc), Reason::InvalidOrder)]
#[case::stop_market_gtc(
    Command::stop(S, 9, 1, Side::Buy, 10_100, 0, 10).with_tif(TimeInForce::Gtc),
    Reason::InvalidOrder
)]
#[case::market_gtc(Command::market(S, 9, 1, Side::Buy, 10).with_tif(TimeInForce::Gtc), Reason::InvalidOrder)]
#[case::budget_on_limit(buy(9, 1, 9_000, 10).with_budget(1_000), Reason::InvalidQuoteBudget)]
#[case::negative_budget(Command::market(S, 9, 1, Side::Buy, 10).with_budget(-1), Reason::InvalidQuoteBudget)]
#[case::budget_with_fok(
    Command::market(S, 9, 1, Side::Buy, 10).with_budget(1_000).with_tif(TimeInForce::Fok),
    Reason::InvalidQuoteBudget
)]
#[case::trigger_zero(
    Command::stop(S, 9, 1, Side::Buy, 0, 0, 10),
    Reason::InvalidTriggerPrice
)]
#[case::trigger_off_tick(
    Command::stop(S, 9, 1, Side::Buy, 10_102, 0, 10),
    Reason::InvalidTriggerPrice
)]
#[case::trigger_too_high(
    Command::stop(S, 9, 1, Side::Buy, 100_005, 0, 10),
    Reason::PriceOutOfRange
)]
#[case::stop_reached(
    Command::stop(S, 9, 1, Side::Buy, 10_000, 0, 10),
    Reason::StopAlreadyTriggered
)]
#[case::stop_limit_off_tick(
    Command::stop(S, 9, 1, Side::Buy, 10_100, 10_101, 10),
    Reason::PriceOffTick
)]
#[case::gtd_now(buy(9, 1, 9_000, 10).with_expiry(0), Reason::ExpiredOnArrival)]
#[case::gtd_past(buy(9, 1, 9_000, 10).with_expiry(-1), Reason::ExpiredOnArrival)]
fn bad_input_is_a_reject_event_and_changes_nothing(
    #[case] command: Command,
    #[case] reason: Reason,
) {
    let mut bench = strict_bench();
    let before = bench.book.state_hash();
    let events = bench.events(command);
    assert_eq!(events.len(), 1, "{events:?}");
    let e = events[0];
    assert_eq!((e.kind, e.reason), (EventKind::Rejected, reason));
    assert_eq!(
        (e.order_id, e.account, e.price, e.qty, e.leaves),
        (
            command.order_id,
            command.account,
            command.price,
            command.qty,
            0
        )
    );
    assert_eq!(e.side, Side::from_code(command.side));
    assert_eq!(bench.book.state_hash(), before);
}

#[test]
fn a_rejected_order_does_not_use_up_its_id() {
    let mut bench = strict_bench();
    assert_eq!(
        bench.send(buy(9, 1, 9_001, 10)),
        ["rejected #9 price_off_tick"]
    );
    assert_eq!(
        bench.send(buy(9, 1, 9_000, 10)),
        ["accepted #9 buy 10@9000"]
    );
}

#[test]
fn the_band_edge_is_inside_the_band() {
    let mut bench = strict_bench();
    assert_eq!(
        bench.send(buy(9, 1, 10_500, 10)),
        ["accepted #9 buy 10@10500"]
    );
    assert_eq!(
        bench.send(sell(10, 2, 9_500, 10)),
        [
            "accepted #10 sell 10@9500",
            // N = 105,000: 53 / -10.
            "trade #10 x #9 10@10500 leaves 0/0 fees 53/-10"
        ]
    );
}

// ----- overflow -----

#[rstest]
#[case::far_beyond(1 << 40, 1 << 30, "rejected #1 notional_overflow")]
#[case::just_beyond(1 << 31, 1 << 32, "rejected #1 notional_overflow")]
#[case::just_inside(1 << 31, (1 << 32) - 1, "accepted #1 buy 4294967295@2147483648")]
fn price_times_quantity_must_fit(#[case] price: i64, #[case] qty: i64, #[case] expected: &str) {
    let mut bench = Bench::new();
    assert_eq!(bench.send(buy(1, 1, price, qty)), [expected]);
}

#[test]
fn amend_into_overflow_is_rejected() {
    let mut bench = Bench::new();
    bench.setup([buy(1, 1, 1 << 31, 1)]);
    assert_eq!(
        bench.send(Command::amend(S, 1, 1, 1 << 31, 1 << 32)),
        ["rejected #1 notional_overflow"]
    );
}

/// A sell slides up to one tick above the best bid: the slid price must fit too.
#[test]
fn a_slide_into_overflow_is_rejected() {
    let mut bench = Bench::new();
    bench.setup([buy(1, 1, 1 << 31, 1)]);
    let post_only_slide = flags::POST_ONLY | flags::SLIDE;
    assert_eq!(
        bench.send(sell(2, 2, 1, 1 << 32).with_flags(post_only_slide)),
        ["rejected #2 notional_overflow"]
    );
    bench.setup([sell(3, 2, (1 << 31) + 10, 1).with_flags(post_only_slide)]);
    assert_eq!(
        bench.send(Command::amend(S, 3, 2, 1, 1 << 32)),
        ["rejected #3 notional_overflow"]
    );
    assert_eq!(bench.book.best_ask().unwrap().price, (1 << 31) + 10);
}

#[test]
fn level_totals_beyond_i64_do_not_overflow() {
    let mut bench = Bench::new();
    bench.setup([sell(1, 1, 1, MAX), sell(2, 1, 1, MAX), sell(3, 1, 1, MAX)]);
    // Market data saturates; the book itself keeps exact totals.
    assert_eq!(bench.book.best_ask().unwrap().qty, i64::MAX);
    assert_eq!(bench.book.best_ask().unwrap().orders, 3);
    // N = 2^62: taker ceil(2^62 / 2000) = 2305843009213694, maker -floor(2^62 / 10^4).
    assert_eq!(
        bench.send(buy(4, 2, 1, MAX)),
        [
            "accepted #4 buy 4611686018427387904@1",
            "trade #4 x #1 4611686018427387904@1 leaves 0/0 fees 2305843009213694/-461168601842738"
        ]
    );
    assert_eq!(bench.book.best_ask().unwrap().qty, i64::MAX);
    bench.setup([buy(5, 2, 1, MAX)]);
    assert_eq!(bench.book.best_ask().unwrap().qty, MAX);
    let restored = Book::restore(&bench.book.snapshot()).unwrap();
    assert_eq!(restored.state_hash(), bench.book.state_hash());
}

// ----- snapshots -----

#[test]
fn snapshot_restore_continue_equals_an_uninterrupted_run() {
    let script = [
        sell(1, 1, 10_000, 10).with_display(3),
        sell(2, 2, 10_010, 5).with_expiry(50),
        Command::stop(S, 3, 3, Side::Buy, 10_010, 0, 4),
        buy(4, 3, 10_000, 4),
        Command::advance_time(S, 10),
        buy(5, 4, 10_010, 6),
        Command::amend(S, 2, 2, 10_010, 9),
        Command::advance_time(S, 60),
        Command::cancel_all(S, 1, None),
    ];
    let mut whole = Bench::new();
    let all: Vec<Vec<String>> = script.iter().map(|&c| whole.send(c)).collect();
    for cut in 0..=script.len() {
        let mut first = Bench::new();
        for &c in &script[..cut] {
            first.send(c);
        }
        let mut second = Bench {
            book: Book::restore(&first.book.snapshot()).unwrap(),
            fees: fees(),
            seq: first.seq,
        };
        let rest: Vec<Vec<String>> = script[cut..].iter().map(|&c| second.send(c)).collect();
        assert_eq!(rest, all[cut..], "cut at {cut}");
        assert_eq!(second.book.state_hash(), whole.book.state_hash());
    }
}

#[test]
fn corrupt_snapshots_are_errors() {
    let mut bench = Bench::new();
    bench.setup([buy(1, 1, 10_000, 5)]);
    let good = bench.book.snapshot();
    let mut bad_magic = good.clone();
    bad_magic[0] = b'X';
    let mut bad_version = good.clone();
    bad_version[4] = 99;
    let mut trailing = good.clone();
    trailing.push(0);
    let truncated = &good[..good.len() - 1];
    for bytes in [
        &bad_magic[..],
        &bad_version[..],
        &trailing[..],
        truncated,
        &good[..3],
    ] {
        let error = Book::restore(bytes).unwrap_err();
        assert_eq!(error.reason(), "corrupt_snapshot", "{error}");
    }
    // A book snapshot is not an engine snapshot.
    assert!(matches!(
        Engine::restore(&good),
        Err(BookError::CorruptSnapshot { .. })
    ));
}

// ----- the engine -----

fn engine() -> Engine {
    let mut engine = Engine::new(fees());
    engine.add_book(Instrument::new(1, "A-B")).unwrap();
    engine.add_book(Instrument::new(2, "C-D")).unwrap();
    engine
}

fn batch() -> Vec<Command> {
    [
        Command::limit(1, 1, 1, Side::Sell, 100, 5),
        // The same order id in another book is another order.
        Command::limit(2, 1, 1, Side::Sell, 200, 5),
        Command::limit(1, 2, 2, Side::Buy, 100, 5),
        Command::limit(3, 9, 2, Side::Buy, 100, 5),
        Command::limit(2, 2, 9, Side::Buy, 200, 2),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, c)| c.with_seq(i as u64 + 1))
    .collect()
}

#[test]
fn engine_routes_a_mixed_batch_by_symbol() {
    let mut engine = engine();
    let mut out = Vec::new();
    engine.process(&batch(), &mut out);
    let lines: Vec<(u32, String)> = out.iter().map(|e| (e.symbol, line(e))).collect();
    // N = 500: 1 / 0. N = 400, tier-1 taker: ceil(0.1332) = 1, maker ceil(-0.04) = 0.
    assert_eq!(
        lines,
        [
            (1, "accepted #1 sell 5@100".to_owned()),
            (2, "accepted #1 sell 5@200".to_owned()),
            (1, "accepted #2 buy 5@100".to_owned()),
            (1, "trade #2 x #1 5@100 leaves 0/0 fees 1/0".to_owned()),
            (3, "rejected #9 unknown_symbol".to_owned()),
            (2, "accepted #2 buy 2@200".to_owned()),
            (2, "trade #2 x #1 2@200 leaves 0/3 fees 1/0".to_owned()),
        ]
    );
    assert_eq!(out[4].seq, 4);
    assert!(engine.book(1).unwrap().best_ask().is_none());
    assert_eq!(engine.book(2).unwrap().best_ask().unwrap().qty, 3);
    assert!(engine.book(3).is_none());
    assert_eq!(engine.symbols().collect::<Vec<_>>(), [1, 2]);
    engine.validate_invariants().unwrap();
}

#[test]
fn engine_refuses_a_second_book_for_a_symbol() {
    let mut engine = engine();
    let error = engine.add_book(Instrument::new(2, "again")).unwrap_err();
    assert_eq!(error, BookError::DuplicateSymbol { symbol: 2 });
    assert_eq!(error.reason(), "duplicate_symbol");
}

#[test]
fn engine_process_records_matches_process() {
    let commands = batch();
    let mut records = Vec::new();
    for c in &commands {
        let mut record = [0u8; COMMAND_SIZE];
        c.encode(&mut record);
        records.extend_from_slice(&record);
    }
    let mut by_records = engine();
    let mut bytes = Vec::new();
    let count = by_records.process_records(&records, &mut bytes).unwrap();
    let mut by_commands = engine();
    let mut events = Vec::new();
    by_commands.process(&commands, &mut events);
    assert_eq!(count, events.len());
    assert_eq!(bytes.len(), count * EVENT_SIZE);
    let mut expected = Vec::new();
    codec::append_event_records(&events, &mut expected);
    assert_eq!(bytes, expected);
    assert_eq!(by_records.state_hash(), by_commands.state_hash());
}

#[test]
fn engine_process_records_with_a_bad_length_is_an_error_and_does_nothing() {
    let mut engine = engine();
    let before = engine.state_hash();
    let mut records = [0u8; 2 * COMMAND_SIZE];
    Command::limit(1, 1, 1, Side::Sell, 100, 5)
        .encode((&mut records[..COMMAND_SIZE]).try_into().unwrap());
    let mut out = Vec::new();
    for len in [COMMAND_SIZE - 1, COMMAND_SIZE + 1, 2 * COMMAND_SIZE - 1] {
        let error = engine
            .process_records(&records[..len], &mut out)
            .unwrap_err();
        assert_eq!(error.reason(), "malformed_buffer", "{error}");
    }
    assert!(out.is_empty());
    assert_eq!(engine.state_hash(), before);
    // Empty input is fine.
    assert_eq!(engine.process_records(&[], &mut out).unwrap(), 0);
}

#[test]
fn engine_snapshot_restore_round_trip() {
    let mut engine = engine();
    let mut out = Vec::new();
    engine.process(&batch(), &mut out);
    let restored = Engine::restore(&engine.snapshot()).unwrap();
    assert_eq!(restored.state_hash(), engine.state_hash());
    assert_eq!(restored.fees(), engine.fees());
    assert_eq!(restored.symbols().collect::<Vec<_>>(), [1, 2]);
    // Both continue the same way.
    let more = [
        Command::limit(2, 3, 1, Side::Buy, 200, 3).with_seq(10),
        Command::cancel(S, 1, 1).with_seq(11),
        Command::market(2, 4, 2, Side::Sell, 1).with_seq(12),
    ];
    let (mut a, mut b) = (engine, restored);
    let (mut ea, mut eb) = (Vec::new(), Vec::new());
    a.process(&more, &mut ea);
    b.process(&more, &mut eb);
    assert_eq!(ea, eb);
    assert_eq!(a.state_hash(), b.state_hash());
    let mut bad = a.snapshot();
    bad[4] = 2;
    assert_eq!(
        Engine::restore(&bad).unwrap_err().reason(),
        "corrupt_snapshot"
    );
}

// ----- the codec -----

#[test]
fn codec_round_trips_commands_and_events() {
    let commands = batch();
    let bytes = codec::encode_commands(&commands);
    assert_eq!(bytes.len(), HEADER_SIZE + commands.len() * COMMAND_SIZE);
    assert_eq!(&bytes[..4], b"TPCM");
    assert_eq!(codec::decode_commands(&bytes).unwrap(), commands);
    let mut events = Vec::new();
    engine().process(&commands, &mut events);
    let bytes = codec::encode_events(&events);
    assert_eq!(&bytes[..4], b"TPEV");
    assert_eq!(codec::decode_events(&bytes).unwrap(), events);
    assert!(
        codec::decode_events(&codec::encode_events(&[]))
            .unwrap()
            .is_empty()
    );
}

#[rstest]
#[case::empty(|b: &mut Vec<u8>| b.clear())]
#[case::short_header(|b: &mut Vec<u8>| b.truncate(HEADER_SIZE - 1))]
#[case::bad_magic(|b: &mut Vec<u8>| b[0] = b'X')]
#[case::events_magic(|b: &mut Vec<u8>| b[..4].copy_from_slice(b"TPEV"))]
#[case::wrong_version(|b: &mut Vec<u8>| b[4] = 2)]
#[case::wrong_record_size(|b: &mut Vec<u8>| b[6] = 89)]
#[case::partial_record(|b: &mut Vec<u8>| { b.pop(); })]
#[case::extra_byte(|b: &mut Vec<u8>| b.push(0))]
fn codec_refuses_a_malformed_command_message(#[case] damage: fn(&mut Vec<u8>)) {
    let mut bytes = codec::encode_commands(&batch());
    damage(&mut bytes);
    let error = codec::decode_commands(&bytes).unwrap_err();
    assert!(
        matches!(
            error,
            BookError::MalformedBuffer {
                what: "commands",
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(error.reason(), "malformed_buffer");
}

#[rstest]
#[case::bad_magic(|b: &mut Vec<u8>| b[1] = b'X', "")]
#[case::wrong_version(|b: &mut Vec<u8>| b[5] = 1, "")]
#[case::partial_record(|b: &mut Vec<u8>| b.truncate(b.len() - 10), "")]
#[case::unknown_kind(|b: &mut Vec<u8>| b[HEADER_SIZE + 92] = 42, "unknown code")]
#[case::unknown_reason(|b: &mut Vec<u8>| b[HEADER_SIZE + 94] = 250, "unknown code")]
fn codec_refuses_a_malformed_event_message(#[case] damage: fn(&mut Vec<u8>), #[case] detail: &str) {
    let mut events = Vec::new();
    engine().process(&batch(), &mut events);
    let mut bytes = codec::encode_events(&events);
    damage(&mut bytes);
    let error = codec::decode_events(&bytes).unwrap_err();
    assert!(
        matches!(error, BookError::MalformedBuffer { what: "events", .. }),
        "{error}"
    );
    assert!(error.to_string().contains(detail), "{error}");
}

#[test]
fn every_command_byte_pattern_decodes_and_round_trips() {
    let mut record = [0u8; COMMAND_SIZE];
    for (i, b) in record.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    record[82..].fill(0);
    let command = Command::decode(&record);
    let mut again = [0u8; COMMAND_SIZE];
    command.encode(&mut again);
    assert_eq!(again, record);
    // Processing it is a reject, not a panic.
    let mut bench = Bench::new();
    let events = bench.events(Command {
        symbol: S,
        ..command
    });
    assert!(events.iter().all(|e| e.kind == EventKind::Rejected));
}
