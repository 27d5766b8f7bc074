//! Times the full recompute alone on a book shaped like the Python benchmark's
//! (`benches/risk_workload.py`): 100,000 accounts x 10 positions on 100 linear symbols
//! sharing the 2021 BTCUSDT table, a 0.01 tick, marks 1 to 50,000, notionals 100 to
//! 2,000,000, entries within 20%, a fifth isolated, leverage 1 to 50.
//!
//! `cargo run --release -p tpcore-risk --example kernel_timing [threads] [repetitions]
//! [accounts] [incremental]` prints the median and best time per call (a smaller book
//! fits the caches and gives steadier minimums on a busy machine); with `incremental`,
//! of recomputing the holders of one symbol (about a tenth of the accounts).
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "a timing tool: set-up that fails aborts; figures printed from small sizes"
)]

use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;
use common::Rng;
use tpcore_risk::{BatchBuffers, BatchInput, Contract, PositionColumns, PositionIndex};

const PER_ACCOUNT: usize = 10;
const SYMBOLS: usize = 100;
const W: f64 = 100_000_000.0;

/// Real-valued draws for the generated book's sizes and prices.
trait Draws {
    fn unit(&mut self) -> f64;

    fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    fn log_uniform(&mut self, low: f64, high: f64) -> f64 {
        self.uniform(low.ln(), high.ln()).exp()
    }
}

impl Draws for Rng {
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn fixed(x: f64, decimals: i32) -> i64 {
    let unit = 10f64.powi(decimals);
    ((x * unit).round() / unit * W).round() as i64
}

/// The book's columns.
struct Book {
    account: Vec<u32>,
    symbol: Vec<u32>,
    qty: Vec<i64>,
    entry: Vec<i64>,
    leverage: Vec<u32>,
    isolated: Vec<bool>,
    margin: Vec<i64>,
    wallets: Vec<i64>,
    contracts: Vec<Contract>,
    marks: Vec<i64>,
}

impl Book {
    fn generate(accounts: usize) -> Self {
        let mut rng = Rng(20_261_121);
        let contract = Contract::linear(common::brackets(&common::BTCUSDT_2021))
            .with_tick_size(1_000_000)
            .unwrap();
        let marks_whole: Vec<f64> = (0..SYMBOLS)
            .map(|_| (rng.log_uniform(1.0, 50_000.0) * 100.0).round() / 100.0)
            .collect();
        let mut book = Self {
            account: vec![],
            symbol: vec![],
            qty: vec![],
            entry: vec![],
            leverage: vec![],
            isolated: vec![],
            margin: vec![],
            wallets: vec![],
            contracts: vec![contract; SYMBOLS],
            marks: marks_whole.iter().map(|&m| fixed(m, 2)).collect(),
        };
        for a in 0..accounts {
            let start = (rng.next() % SYMBOLS as u64) as usize;
            let step = [1, 3, 7, 9, 11, 13][(rng.next() % 6) as usize];
            let mut symbols: Vec<usize> = (0..PER_ACCOUNT)
                .map(|k| (start + step * k) % SYMBOLS)
                .collect();
            symbols.sort_unstable();
            let mut cross_notional = 0.0;
            for s in symbols {
                let mark = marks_whole[s];
                let notional = rng.log_uniform(100.0, 2_000_000.0);
                let size = ((notional / mark * 1000.0).round() / 1000.0).max(0.001);
                let sign = if rng.next() & 1 == 0 { -1.0 } else { 1.0 };
                let iso = rng.unit() < 0.2;
                book.account.push(a as u32);
                book.symbol.push(s as u32);
                book.qty.push(fixed(size * sign, 3));
                book.entry.push(fixed(mark * rng.uniform(0.8, 1.2), 2));
                book.leverage.push(1 + (rng.next() % 50) as u32);
                book.isolated.push(iso);
                book.margin.push(if iso {
                    fixed(notional * rng.uniform(0.01, 0.3), 2)
                } else {
                    0
                });
                if !iso {
                    cross_notional += notional;
                }
            }
            book.wallets
                .push(fixed(cross_notional * rng.uniform(0.02, 0.5), 2));
        }
        book
    }

    fn input(&self) -> BatchInput<'_> {
        BatchInput {
            positions: PositionColumns {
                account: &self.account,
                symbol: &self.symbol,
                qty: &self.qty,
                entry_price: &self.entry,
                leverage: &self.leverage,
                isolated: &self.isolated,
                isolated_margin: &self.margin,
            },
            wallets: &self.wallets,
            contracts: &self.contracts,
            marks: &self.marks,
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().map_or(1, |a| a.parse().unwrap());
    let repetitions: usize = args.next().map_or(30, |a| a.parse().unwrap());
    let accounts: usize = args.next().map_or(100_000, |a| a.parse().unwrap());
    let incremental = args.next().is_some_and(|a| a == "incremental");
    let book = Book::generate(accounts);
    let index = PositionIndex::new(&book.account, &book.symbol, accounts, SYMBOLS).unwrap();
    let input = book.input();
    let mut buffers = BatchBuffers::new(book.account.len(), accounts);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut times: Vec<f64> = (0..repetitions)
        .map(|_| {
            let start = Instant::now();
            pool.install(|| {
                if incremental {
                    index
                        .recompute_symbols(&input, &[42], &mut buffers.out())
                        .unwrap();
                } else {
                    index.compute(&input, &mut buffers.out()).unwrap();
                }
            });
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let checksum = buffers
        .liquidation_price
        .iter()
        .chain(&buffers.maintenance_margin)
        .chain(&buffers.initial_margin)
        .chain(&buffers.unrealized_pnl)
        .chain(&buffers.margin_ratio)
        .chain(&buffers.account_margin_ratio)
        .fold(0i64, |h, &v| h.wrapping_mul(31).wrapping_add(v));
    let rows: usize = if incremental {
        index
            .holders_of(42)
            .iter()
            .map(|&a| index.rows_of(a).len())
            .sum()
    } else {
        book.account.len()
    };
    println!(
        "{threads} thread(s): median {:.2} ms, best {:.2} ms ({:.1} M positions/s); checksum {checksum:x}",
        times[times.len() / 2] * 1e3,
        times[0] * 1e3,
        rows as f64 / times[times.len() / 2] / 1e6,
    );
}
