//! A first walk through the main paths.

use tpcore_book::{Book, Command, EventKind, FeeSchedule, FeeTier, Instrument, Reason, Side};

#[test]
fn limit_orders_cross_at_the_makers_price() {
    let mut book = Book::new(Instrument::new(1, "T")).unwrap();
    let fees = FeeSchedule::new(vec![FeeTier {
        maker_rate: -100,
        taker_rate: 500,
    }])
    .unwrap();
    let mut out = Vec::new();
    book.process(
        &Command::limit(1, 1, 10, Side::Sell, 101, 5).with_seq(1),
        &fees,
        &mut out,
    );
    book.process(
        &Command::limit(1, 2, 10, Side::Sell, 100, 5).with_seq(2),
        &fees,
        &mut out,
    );
    book.process(
        &Command::limit(1, 3, 20, Side::Buy, 101, 7).with_seq(3),
        &fees,
        &mut out,
    );
    let kinds: Vec<_> = out.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Accepted,
            EventKind::Accepted,
            EventKind::Accepted,
            EventKind::Trade,
            EventKind::Trade
        ]
    );
    assert_eq!(
        (out[3].price, out[3].qty, out[3].maker_order_id),
        (100, 5, 2)
    );
    assert_eq!(
        (
            out[4].price,
            out[4].qty,
            out[4].maker_order_id,
            out[4].leaves
        ),
        (101, 2, 1, 0)
    );
    // 100 * 5 = 500 notional: taker 0.05% rounds up to 1, maker rebate 0.01% rounds to 0.
    assert_eq!((out[3].taker_fee, out[3].maker_fee), (1, 0));
    assert_eq!(book.best_ask().unwrap().qty, 3);
    assert!(book.best_bid().is_none());
    book.validate_invariants().unwrap();
    let restored = Book::restore(&book.snapshot()).unwrap();
    assert_eq!(restored.state_hash(), book.state_hash());
    out.clear();
    book.process(&Command::cancel(1, 1, 20), &fees, &mut out);
    assert_eq!(out[0].reason, Reason::UnknownOrder);
}
