//! Criterion benches of the risk core, on three workloads:
//!
//! - `full_recompute`: 1,000,000 positions over 100,000 accounts (10 each, on 100
//!   symbols: 90 linear, 10 inverse; 10% isolated) marked after a tick of every symbol,
//!   on the global rayon pool and on a one-thread pool. Throughput in positions.
//! - `incremental`: one of the 100 symbols moves; only the accounts holding it are
//!   recomputed (about 10% of the accounts). Throughput in positions of those accounts;
//!   the time is the latency of the update.
//! - `index`: index prices of 1,000 symbols from 20 sources each (drop rule, weighted
//!   median, circuit breaker). Throughput in symbols.
//!
//! After the criterion groups, a short manual timing prints positions per second and the
//! bytes touched per position. Set-up is outside the timed region.
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "bench set-up that fails should abort the run; the bench prints its figures \
              from small generated sizes"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "../tests/common/mod.rs"]
mod common;
use common::Rng;
use tpcore_risk::index::compute_many;
use tpcore_risk::{
    Aggregation, BatchBuffers, BatchInput, Brackets, CircuitBreaker, Contract, IndexConfig,
    IndexPrice, IndexState, OutlierRule, PositionColumns, PositionIndex, Quote,
};

const ACCOUNTS: usize = 100_000;
const PER_ACCOUNT: usize = 10;
const SYMBOLS: usize = 100;
const W: i64 = 100_000_000;

struct Workload {
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

impl Workload {
    fn input(&self) -> BatchInput<'_> {
        BatchInput {
            positions: PositionColumns {
                account: &self.account,
                symbol: &self.symbol,
                qty: &self.qty,
                entry_price: &self.entry_price,
                leverage: &self.leverage,
                isolated: &self.isolated,
                isolated_margin: &self.isolated_margin,
            },
            wallets: &self.wallets,
            contracts: &self.contracts,
            marks: &self.marks,
        }
    }
}

fn brackets() -> Brackets {
    common::brackets(&common::BTCUSDT_2021)
}

fn workload() -> Workload {
    let mut rng = Rng(2024);
    let contracts: Vec<Contract> = (0..SYMBOLS)
        .map(|s| {
            if s < 90 {
                Contract::linear(brackets())
                    .with_tick_size(1_000_000)
                    .unwrap()
            } else {
                Contract::inverse(100 * W, brackets()).unwrap()
            }
        })
        .collect();
    let marks: Vec<i64> = (0..SYMBOLS).map(|s| (10 + 997 * s as i64) * W).collect();
    let n = ACCOUNTS * PER_ACCOUNT;
    let mut w = Workload {
        account: Vec::with_capacity(n),
        symbol: Vec::with_capacity(n),
        qty: Vec::with_capacity(n),
        entry_price: Vec::with_capacity(n),
        leverage: Vec::with_capacity(n),
        isolated: Vec::with_capacity(n),
        isolated_margin: Vec::with_capacity(n),
        wallets: Vec::with_capacity(ACCOUNTS),
        contracts,
        marks,
    };
    for a in 0..ACCOUNTS {
        w.wallets.push((1_000 + rng.below(100_000)) * W);
        // Ten distinct symbols: a random start and a random odd stride (coprime with 100
        // when not a multiple of 5).
        let start = rng.below(SYMBOLS as u64) as usize;
        let stride = [1, 3, 7, 9, 11, 13, 17, 19][rng.below(8) as usize];
        for k in 0..PER_ACCOUNT {
            let s = (start + k * stride) % SYMBOLS;
            let mark = w.marks[s];
            let size = if s < 90 {
                W * (1 + rng.below(10_000)) / 1_000
            } else {
                W * (1 + rng.below(1_000))
            };
            let isolated = rng.below(10) == 0;
            w.account.push(a as u32);
            w.symbol.push(s as u32);
            w.qty.push(if rng.below(2) == 0 { size } else { -size });
            w.entry_price
                .push(mark + mark / 1_000 * (rng.below(200) - 100));
            w.leverage.push(1 + rng.below(20) as u32);
            w.isolated.push(isolated);
            w.isolated_margin.push(if isolated {
                (100 + rng.below(10_000)) * W
            } else {
                0
            });
        }
    }
    w
}

fn configure<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group
}

fn batch_benches(c: &mut Criterion) {
    let w = workload();
    let index = PositionIndex::new(&w.account, &w.symbol, ACCOUNTS, SYMBOLS).unwrap();
    let mut buffers = BatchBuffers::new(w.account.len(), ACCOUNTS);
    let input = w.input();
    index.compute(&input, &mut buffers.out()).unwrap();
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();

    let mut group = configure(c, "full_recompute");
    group.throughput(Throughput::Elements(w.account.len() as u64));
    group.bench_function("1m_positions_100k_accounts", |b| {
        b.iter(|| {
            index
                .compute(black_box(&input), &mut buffers.out())
                .unwrap();
        });
    });
    group.bench_function("1m_positions_100k_accounts_1_thread", |b| {
        b.iter(|| {
            one_thread.install(|| {
                index
                    .compute(black_box(&input), &mut buffers.out())
                    .unwrap();
            });
        });
    });
    group.finish();

    let moved = [17u32];
    let affected: usize = index
        .holders_of(17)
        .iter()
        .map(|&a| index.rows_of(a).len())
        .sum();
    let mut group = configure(c, "incremental");
    group.throughput(Throughput::Elements(affected as u64));
    group.bench_function("one_of_100_symbols", |b| {
        b.iter(|| {
            index
                .recompute_symbols(black_box(&input), &moved, &mut buffers.out())
                .unwrap()
        });
    });
    group.finish();

    summary(&index, &input, &mut buffers, affected);
}

/// A manual timing of the full and incremental recomputes, printed as positions/s.
fn summary(
    index: &PositionIndex,
    input: &BatchInput<'_>,
    buffers: &mut BatchBuffers,
    affected: usize,
) {
    let best = |f: &mut dyn FnMut()| {
        (0..7)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .min()
            .unwrap()
    };
    let full = best(&mut || index.compute(input, &mut buffers.out()).unwrap());
    let incremental = best(&mut || {
        index
            .recompute_symbols(input, &[17], &mut buffers.out())
            .unwrap();
    });
    let positions = input.positions.len() as f64;
    // Read per position: account, symbol (4 + 4), qty, entry, isolated margin (3 x 8),
    // leverage (4), isolated (1); written: 5 x 8 + 1. Per account: wallet, 5 x 8 + 1 out.
    let per_position = 4.0 + 4.0 + 24.0 + 4.0 + 1.0 + 41.0;
    let per_account = 8.0 + 41.0;
    let bytes = positions * per_position + index.accounts() as f64 * per_account;
    println!(
        "full recompute: {positions} positions in {:.2} ms = {:.1} M positions/s, {:.1} bytes/position, {:.2} GB/s touched ({} threads)",
        full.as_secs_f64() * 1e3,
        positions / full.as_secs_f64() / 1e6,
        bytes / positions,
        bytes / full.as_secs_f64() / 1e9,
        rayon::current_num_threads(),
    );
    println!(
        "incremental (1 of 100 symbols): {affected} positions of {} accounts in {:.3} ms = {:.1} M positions/s",
        index.holders_of(17).len(),
        incremental.as_secs_f64() * 1e3,
        affected as f64 / incremental.as_secs_f64() / 1e6,
    );
}

fn index_benches(c: &mut Criterion) {
    const N: usize = 1_000;
    const SOURCES: usize = 20;
    let config = IndexConfig {
        max_age: 10_000_000,
        min_sources: 3,
        outliers: OutlierRule::Drop { band: 5_000_000 },
        aggregation: Aggregation::WeightedMedian,
        breaker: Some(CircuitBreaker {
            threshold: 10_000_000,
            window: 60_000,
            confirmations: 3,
        }),
    };
    let mut rng = Rng(7);
    let mut quotes = Vec::with_capacity(N * SOURCES);
    let mut offsets = vec![0];
    for s in 0..N {
        let base = (1 + s as i64) * W;
        for _ in 0..SOURCES {
            let price = base + base / 10_000 * (rng.below(200) - 100);
            quotes.push(Quote::new(
                price,
                1 + rng.below(1_000) * W,
                1_000 - rng.below(2_000),
            ));
        }
        offsets.push(quotes.len());
    }
    let mut states = vec![IndexState::new(); N];
    let mut out = vec![IndexPrice::default(); N];
    compute_many(&config, &mut states, &quotes, &offsets, 1_000, &mut out).unwrap();
    let mut group = configure(c, "index");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("1000_symbols_20_sources", |b| {
        let mut now = 1_000;
        b.iter(|| {
            now += 1;
            compute_many(
                &config,
                &mut states,
                black_box(&quotes),
                &offsets,
                now,
                &mut out,
            )
            .unwrap();
        });
    });
    group.finish();
}

criterion_group!(benches, batch_benches, index_benches);
criterion_main!(benches);
