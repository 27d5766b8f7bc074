//! The columnar batch against the scalar account computation, thread-count independence,
//! the incremental forms, batch errors, and liquidation candidates.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "test set-up that fails should fail the test; generated sizes are small"
)]

mod common;

use common::{Rng, btcusd_coinm, btcusdt, d, ethusdt, w};
use proptest::prelude::*;
use tpcore_book::{Instrument, Side, TimeInForce};
use tpcore_risk::batch::{group_by_account, moved_symbols};
use tpcore_risk::{
    BatchBuffers, BatchInput, Contract, MarginMode, NO_LIQUIDATION_PRICE, Pool, Position,
    PositionColumns, PositionIndex, RiskError, evaluate_account,
};

/// A book of positions as owned columns.
#[derive(Debug, Clone)]
struct Book {
    account: Vec<u32>,
    symbol: Vec<u32>,
    qty: Vec<i64>,
    entry_price: Vec<i64>,
    leverage: Vec<u32>,
    isolated: Vec<bool>,
    isolated_margin: Vec<i64>,
    wallets: Vec<i64>,
    contracts: Vec<Contract>,
    marks: Vec<i64>,
}

impl Book {
    fn columns(&self) -> PositionColumns<'_> {
        PositionColumns {
            account: &self.account,
            symbol: &self.symbol,
            qty: &self.qty,
            entry_price: &self.entry_price,
            leverage: &self.leverage,
            isolated: &self.isolated,
            isolated_margin: &self.isolated_margin,
        }
    }

    fn input(&self) -> BatchInput<'_> {
        BatchInput {
            positions: self.columns(),
            wallets: &self.wallets,
            contracts: &self.contracts,
            marks: &self.marks,
        }
    }

    fn index(&self) -> PositionIndex {
        PositionIndex::new(
            &self.account,
            &self.symbol,
            self.wallets.len(),
            self.marks.len(),
        )
        .unwrap()
    }

    /// The positions of account `a`, as the scalar API takes them.
    fn positions_of(&self, index: &PositionIndex, a: u32) -> Vec<Position> {
        index
            .rows_of(a)
            .map(|i| Position {
                symbol: self.symbol[i],
                qty: self.qty[i],
                entry_price: self.entry_price[i],
                leverage: self.leverage[i],
                mode: if self.isolated[i] {
                    MarginMode::Isolated {
                        margin: self.isolated_margin[i],
                    }
                } else {
                    MarginMode::Cross
                },
            })
            .collect()
    }
}

/// Symbols: BTCUSDT, ETHUSDT, COIN-M BTCUSD, and two more linear copies at other prices.
fn market() -> (Vec<Contract>, Vec<i64>) {
    let contracts = vec![btcusdt(), ethusdt(), btcusd_coinm(), ethusdt(), btcusdt()];
    let marks = vec![w(30_000), w(2_000), w(30_000), d("35.5"), w(400)];
    (contracts, marks)
}

/// A random book over [`market`]: each account holds each symbol with probability 1/3,
/// `repeats` times over (several rows of one symbol, as separate positions).
fn random_book(seed: u64, accounts: usize, repeats: usize) -> Book {
    let mut rng = Rng(seed);
    let (contracts, marks) = market();
    let mut book = Book {
        account: Vec::new(),
        symbol: Vec::new(),
        qty: Vec::new(),
        entry_price: Vec::new(),
        leverage: Vec::new(),
        isolated: Vec::new(),
        isolated_margin: Vec::new(),
        wallets: Vec::new(),
        contracts,
        marks,
    };
    for a in 0..accounts {
        book.wallets.push(w(rng.below(50_000)) - w(2_000));
        for s in (0..repeats).flat_map(|_| 0..book.marks.len()) {
            if rng.below(3) != 0 {
                continue;
            }
            let mark = book.marks[s];
            let size = if s == 2 {
                w(1 + rng.below(2_000))
            } else {
                1_000_000 * (1 + rng.below(5_000))
            };
            let qty = match rng.below(8) {
                0 => 0,
                k if k % 2 == 0 => size,
                _ => -size,
            };
            let entry = mark + mark / 1_000 * (rng.below(400) - 200);
            book.account.push(a as u32);
            book.symbol.push(s as u32);
            book.qty.push(qty);
            book.entry_price.push(entry);
            book.leverage.push(1 + rng.below(30) as u32);
            let isolated = rng.below(4) == 0;
            book.isolated.push(isolated);
            book.isolated_margin
                .push(if isolated { w(rng.below(5_000)) } else { 0 });
        }
    }
    book
}

fn run(book: &Book, index: &PositionIndex, threads: usize) -> BatchBuffers {
    let mut buffers = BatchBuffers::new(book.account.len(), book.wallets.len());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| index.compute(&book.input(), &mut buffers.out()))
        .unwrap();
    buffers
}

fn assert_matches_scalar(book: &Book, index: &PositionIndex, out: &BatchBuffers) {
    for a in 0..book.wallets.len() as u32 {
        let positions = book.positions_of(index, a);
        let risk = evaluate_account(
            book.wallets[a as usize],
            &positions,
            &book.contracts,
            &book.marks,
        )
        .unwrap();
        let a = a as usize;
        assert_eq!(
            out.account_margin_balance[a], risk.margin_balance,
            "account {a}"
        );
        assert_eq!(out.account_maintenance_margin[a], risk.maintenance_margin);
        assert_eq!(out.account_initial_margin[a], risk.initial_margin);
        assert_eq!(out.account_margin_ratio[a], risk.margin_ratio);
        assert_eq!(out.account_available_balance[a], risk.available_balance);
        assert_eq!(out.account_liquidate[a], risk.liquidate);
        for (i, p) in index.rows_of(a as u32).zip(&risk.positions) {
            assert_eq!(out.unrealized_pnl[i], p.metrics.unrealized_pnl, "row {i}");
            assert_eq!(out.maintenance_margin[i], p.metrics.maintenance_margin);
            assert_eq!(out.initial_margin[i], p.metrics.initial_margin);
            assert_eq!(out.margin_ratio[i], p.margin_ratio);
            assert_eq!(
                out.liquidation_price[i],
                p.liquidation_price.unwrap_or(NO_LIQUIDATION_PRICE)
            );
            assert_eq!(out.liquidate[i], p.liquidate);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn batch_equals_scalar_and_ignores_thread_count(seed in any::<u64>(), accounts in 1usize..700) {
        let book = random_book(seed, accounts, 1);
        let index = book.index();
        let one = run(&book, &index, 1);
        let two = run(&book, &index, 2);
        prop_assert_eq!(&one, &two);
        assert_matches_scalar(&book, &index, &one);
    }

    #[test]
    fn accounts_of_many_rows_equal_scalar(seed in any::<u64>(), repeats in 20usize..80) {
        // About 33 to 133 rows per account: the kernel takes an account's rows 64 at a
        // time, so these cross one or two block boundaries.
        let book = random_book(seed, 5, repeats);
        let index = book.index();
        assert_matches_scalar(&book, &index, &run(&book, &index, 2));
    }

    #[test]
    fn incremental_equals_full(seed in any::<u64>(), moved in 0usize..5, bump in -500i64..500) {
        let mut book = random_book(seed, 600, 1);
        let index = book.index();
        let mut buffers = run(&book, &index, 2);
        let old = book.marks.clone();
        book.marks[moved] += book.marks[moved] / 1_000 * bump;
        let changed = moved_symbols(&old, &book.marks);
        let count = index
            .recompute_symbols(&book.input(), &changed, &mut buffers.out())
            .unwrap();
        prop_assert_eq!(count, if bump == 0 { 0 } else { index.holders_of(moved as u32).len() });
        prop_assert_eq!(&buffers, &run(&book, &index, 1));

        // A wallet change: recompute that account only.
        book.wallets[7] -= w(10_000);
        index.recompute_accounts(&book.input(), &[7], &mut buffers.out()).unwrap();
        prop_assert_eq!(&buffers, &run(&book, &index, 2));
    }
}

#[test]
fn index_layout_and_holders() {
    let account = [0, 0, 2, 2, 2, 3];
    let symbol = [1, 0, 1, 1, 2, 1];
    let index = PositionIndex::new(&account, &symbol, 5, 3).unwrap();
    assert_eq!(index.rows_of(0), 0..2);
    assert_eq!(index.rows_of(1), 2..2);
    assert_eq!(index.rows_of(2), 2..5);
    assert_eq!(index.rows_of(4), 6..6);
    assert_eq!(index.holders_of(1), [0, 2, 3]);
    assert_eq!(index.holders_of(0), [0]);
    assert_eq!(index.holders_of_any(&[2, 0]).unwrap(), [0, 2]);
    assert_eq!(moved_symbols(&[1, 2, 3], &[1, 5, 3]), [1]);
    assert_eq!(
        group_by_account(&[2, 0, 2, 1, 0], 3).unwrap(),
        [1, 4, 3, 0, 2]
    );
}

#[test]
fn batch_errors_name_the_first_bad_row() {
    let err = PositionIndex::new(&[0, 1, 0], &[0, 0, 0], 2, 1).unwrap_err();
    assert_eq!((err.reason(), err.index()), ("unsorted_accounts", Some(2)));
    let err = PositionIndex::new(&[0, 5], &[0, 0], 2, 1).unwrap_err();
    assert_eq!((err.reason(), err.index()), ("index_out_of_range", Some(1)));

    let mut book = random_book(7, 2_000, 1);
    let index = book.index();
    // Two bad rows far apart: the first is reported whatever the thread count.
    let (first, second) = (100, book.account.len() - 3);
    book.entry_price[first] = 0;
    book.qty[first] = 1;
    book.leverage[second] = 0;
    book.qty[second] = 1;
    for threads in [1, 2] {
        let mut buffers = BatchBuffers::new(book.account.len(), book.wallets.len());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let err = pool
            .install(|| index.compute(&book.input(), &mut buffers.out()))
            .unwrap_err();
        assert_eq!(
            (err.reason(), err.index()),
            ("invalid_position", Some(first))
        );
    }
    let mut short = BatchBuffers::new(book.account.len() - 1, book.wallets.len());
    let err = index.compute(&book.input(), &mut short.out()).unwrap_err();
    assert_eq!(err.reason(), "row_count_mismatch");
    book.marks[0] = 0;
    let mut buffers = BatchBuffers::new(book.account.len(), book.wallets.len());
    let err = index
        .compute(&book.input(), &mut buffers.out())
        .unwrap_err();
    assert!(matches!(err, RiskError::Row { .. }));
    assert_eq!(err.reason(), "invalid_price");
}

/// Three accounts: 0 safe; 1 cross past maintenance (long BTC, short ETH); 2 with one
/// isolated short past maintenance and a safe cross position.
fn distressed_book() -> Book {
    let (contracts, marks) = market();
    Book {
        account: vec![0, 1, 1, 2, 2],
        symbol: vec![0, 0, 1, 1, 0],
        qty: vec![w(1), d("2.0005"), w(-10), w(-50), d("0.1")],
        entry_price: vec![w(30_000), w(33_000), w(1_900), w(1_800), w(30_000)],
        leverage: vec![10, 20, 20, 20, 10],
        isolated: vec![false, false, false, true, false],
        isolated_margin: vec![0, 0, 0, w(10_000), 0],
        wallets: vec![w(10_000), w(7_300), w(50_000)],
        contracts,
        marks,
    }
}

#[test]
fn liquidation_candidates_and_their_orders() {
    let book = distressed_book();
    let index = book.index();
    let mut buffers = BatchBuffers::new(book.account.len(), book.wallets.len());
    index.compute(&book.input(), &mut buffers.out()).unwrap();
    let candidates = index
        .liquidation_candidates(&book.input(), &buffers.out())
        .unwrap();
    let keys: Vec<_> = candidates.iter().map(|c| (c.account, c.pool)).collect();
    // Account 2's isolated pool has no margin left (ratio i64::MAX); account 1's cross
    // pool is at about 122%.
    assert_eq!(candidates[0].margin_ratio, i64::MAX);
    assert!((100_000_000..130_000_000).contains(&candidates[1].margin_ratio));
    assert_eq!(keys, [(2, Pool::Isolated { row: 3 }), (1, Pool::Cross)]);
    assert!(candidates.iter().all(|c| c.margin_ratio >= 100_000_000));

    // Isolated short 50 ETH at 1,800 with 10,000: bankrupt at 1,800 + 10,000 / 50 = 2,000.
    let order = candidates[0].orders[0];
    assert_eq!(
        (order.side, order.qty, order.qty_lots),
        (Side::Buy, w(50), 50_000)
    );
    assert_eq!(order.bankruptcy_price, Some(w(2_000)));
    assert_eq!(order.price_ticks, 200_000);

    // Cross: the long BTC is sold, the short ETH bought; the quantity is floored to the
    // 0.001 lot (2.0005 -> 2.000), never above the position.
    let cross = &candidates[1].orders;
    assert_eq!(cross.len(), 2);
    assert_eq!(
        (cross[0].side, cross[0].qty_lots, cross[0].qty),
        (Side::Sell, 2_000, w(2))
    );
    assert_eq!(cross[1].side, Side::Buy);
    // At its bankruptcy price the cross margin balance is zero (others at their marks):
    // 7,300 + ETH PnL + 2.0005 x (P - 33,000) = 0, rounded up to the cent for a sell.
    let eth_pnl = buffers.unrealized_pnl[2];
    let exact =
        w(33_000) - (i128::from(w(7_300) + eth_pnl) * 100_000_000 / i128::from(d("2.0005"))) as i64;
    let bankruptcy = cross[0].bankruptcy_price.unwrap();
    assert!(
        bankruptcy >= exact && bankruptcy - exact <= d("0.01"),
        "{bankruptcy} vs {exact}"
    );
    assert_eq!(cross[0].price_ticks * d("0.01"), bankruptcy);

    // As the matcher's command: IOC limit on the instrument's symbol, in its units.
    let mut instrument = Instrument::new(77, "BTC-USDT");
    instrument.price_decimals = 2;
    instrument.qty_decimals = 3;
    let command = cross[0].to_command(9, 1_001, &instrument).unwrap();
    assert_eq!(
        (command.symbol, command.order_id, command.account),
        (77, 9, 1_001)
    );
    assert_eq!((command.price, command.qty), (cross[0].price_ticks, 2_000));
    assert_eq!(command.tif, TimeInForce::Ioc as u8);
    assert_eq!(command.side, Side::Sell as u8);
}

#[test]
fn random_books_cover_every_case() {
    // The generator reaches the interesting rows: liquidated pools, isolated rows, empty
    // rows, rows with and without a liquidation price.
    let book = random_book(42, 600, 1);
    let index = book.index();
    let out = run(&book, &index, 2);
    let count = |f: &dyn Fn(usize) -> bool| (0..book.account.len()).filter(|&i| f(i)).count();
    assert!(out.account_liquidate.iter().filter(|&&l| l).count() > 5);
    assert!(count(&|i| book.isolated[i] && out.liquidate[i]) > 5);
    assert!(count(&|i| book.qty[i] == 0) > 5);
    assert!(count(&|i| book.qty[i] != 0 && out.liquidation_price[i] == NO_LIQUIDATION_PRICE) > 5);
    assert!(count(&|i| out.liquidation_price[i] != NO_LIQUIDATION_PRICE) > 100);
    let mut results = out.clone();
    let candidates = index
        .liquidation_candidates(&book.input(), &results.out())
        .unwrap();
    assert!(!candidates.is_empty());
    assert!(
        candidates
            .windows(2)
            .all(|p| p[0].margin_ratio >= p[1].margin_ratio)
    );
}
