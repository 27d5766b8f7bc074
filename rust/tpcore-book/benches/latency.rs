//! Throughput, per-command latency and memory of one order book (issue 5), printed as a
//! table; not a criterion bench (see `matching` for that).
//!
//! - **Workloads** (`common/mod.rs`): `exchange_core_mix` (82% amends, 9% GTC adds, 6%
//!   cancels, 3% IOC on ~1,000 orders and ~750 levels) and `heavy_matching` (60% adds near
//!   the touch, 25% cancels, 15% marketable), each on a fresh copy of the warmed-up book.
//!   Engines: tpcore, tpcore with the order ids scattered over the `u64` range (the
//!   generated ids are sequence numbers, the friendly case for its id tables), and
//!   matchcore on the same stream.
//! - **Throughput**: seven whole-stream passes per engine, alternating, without timers
//!   inside; the best pass is the figure least disturbed by other work on the machine, the
//!   median is shown next to it.
//! - **Latency**: three more passes per engine with each command timed alone by
//!   `Instant::now()` around it (tpcore: `Engine::process` on a one-command slice;
//!   matchcore: `OrderBook::execute` with the outcome dropped inside the timed region),
//!   pooled. The figures include the timer pair, whose own median is printed first. The
//!   same passes check that the engines traded the same quantity, rejected nothing, and
//!   ended with the same resting orders.
//! - **Memory**: `Book::heap_bytes()` per resting order for 1,000,000 resting orders on
//!   100,000 price levels (50,000 a side, 10 orders each), before and after churn that
//!   fills the duplicate-id window, with the process's resident-set growth as a cross-check.
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "a bench that prints its figures; set-up that fails should abort the run"
)]

mod common;

use std::hint::black_box;
use std::time::Instant;

use tpcore_book::{Book, Command, EventKind, Side};

/// Commands in the measured part of each stream.
const MEASURED: usize = 200_000;
/// Whole-stream passes per engine for throughput, and timed passes for latency.
const PASSES: usize = 7;
const ROUNDS: usize = 3;

/// One engine's way of running the measured stream from the warmed-up state.
enum Runner<'a> {
    Tpcore(&'a tpcore_book::Engine, &'a [Command]),
    Matchcore(&'a matchcore::OrderBook, &'a [matchcore::Command]),
}

impl Runner<'_> {
    /// One untimed-inside pass; returns its seconds.
    fn pass(&self) -> f64 {
        match *self {
            Runner::Tpcore(base, stream) => {
                let mut engine = base.clone();
                let mut out = Vec::with_capacity(4 * common::CHUNK);
                let start = Instant::now();
                common::run_chunked(&mut engine, black_box(stream), &mut out);
                let secs = start.elapsed().as_secs_f64();
                drop(black_box(engine));
                secs
            }
            Runner::Matchcore(base, commands) => {
                let mut book = base.clone();
                let start = Instant::now();
                for command in black_box(commands) {
                    black_box(book.execute(command));
                }
                let secs = start.elapsed().as_secs_f64();
                drop(black_box(book));
                secs
            }
        }
    }

    /// One pass timing each command; appends the nanoseconds and returns what it did.
    fn timed(&self, samples: &mut Vec<u64>) -> Check {
        match *self {
            Runner::Tpcore(base, stream) => time_tpcore(base.clone(), stream, samples),
            Runner::Matchcore(base, commands) => time_matchcore(base.clone(), commands, samples),
        }
    }
}

fn main() {
    let overhead = timer_overhead();
    println!("timer pair (Instant::now twice), median: {overhead} ns; included below");
    println!();
    println!(
        "| workload | engine | ops/s, best of {PASSES} (median) | p50 ns | p99 ns | p99.9 ns | max ns |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for regime in common::Regime::ALL {
        let workload = common::generate(regime, MEASURED);
        let tpcore = workload.tpcore_base();
        let (scattered, scattered_stream) = workload.tpcore_scattered();
        let (matchcore, commands) = workload.matchcore_base();
        let runners = [
            ("tpcore", Runner::Tpcore(&tpcore, &workload.measured)),
            (
                "tpcore, scattered ids",
                Runner::Tpcore(&scattered, &scattered_stream),
            ),
            ("matchcore", Runner::Matchcore(&matchcore, &commands)),
        ];
        let mut passes = vec![Vec::new(); runners.len()];
        for _ in 0..PASSES {
            for (i, (_, runner)) in runners.iter().enumerate() {
                passes[i].push(runner.pass());
            }
        }
        let mut samples = vec![Vec::new(); runners.len()];
        let mut checks = vec![Check::default(); runners.len()];
        for _ in 0..ROUNDS {
            for (i, (_, runner)) in runners.iter().enumerate() {
                checks[i] = runner.timed(&mut samples[i]);
            }
        }
        for (i, (engine, _)) in runners.iter().enumerate() {
            row(regime.name(), engine, &mut passes[i], &mut samples[i]);
        }
        println!("|  |  |  |  |  |  |  |");
        println!("<!-- {} -->", workload.describe());
        let same = checks.iter().all(|c| *c == checks[0]);
        println!(
            "<!-- checks: {checks:?}{} -->",
            if same { "" } else { " MISMATCH" }
        );
    }
    println!();
    memory();
}

/// What a pass did, to check both engines did the same work.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Check {
    traded_qty: u64,
    rejects: u64,
    resting: usize,
}

fn time_tpcore(
    mut engine: tpcore_book::Engine,
    commands: &[Command],
    samples: &mut Vec<u64>,
) -> Check {
    let mut out = Vec::with_capacity(64);
    let mut check = Check::default();
    for command in commands {
        let start = Instant::now();
        engine.process(std::slice::from_ref(command), &mut out);
        let elapsed = start.elapsed();
        samples.push(elapsed.as_nanos() as u64);
        for event in &out {
            match event.kind {
                EventKind::Trade => check.traded_qty += event.qty.unsigned_abs(),
                EventKind::Rejected => check.rejects += 1,
                _ => {}
            }
        }
        out.clear();
    }
    check.resting = engine.book(common::SYMBOL).unwrap().resting_count();
    check
}

fn time_matchcore(
    mut book: matchcore::OrderBook,
    commands: &[matchcore::Command],
    samples: &mut Vec<u64>,
) -> Check {
    let mut check = Check::default();
    for command in commands {
        let start = Instant::now();
        let outcome = book.execute(command);
        let (qty, rejected) = match &outcome {
            matchcore::CommandOutcome::Applied(report) => (executed(report), false),
            matchcore::CommandOutcome::Rejected(_) => (0, true),
        };
        drop(black_box(outcome));
        let elapsed = start.elapsed();
        samples.push(elapsed.as_nanos() as u64);
        check.traded_qty += qty;
        check.rejects += u64::from(rejected);
    }
    check.resting = book.limit().orders().len();
    check
}

fn executed(report: &matchcore::CommandReport) -> u64 {
    let (matchcore::CommandReport::Submit(effects) | matchcore::CommandReport::Amend(effects)) =
        report
    else {
        return 0;
    };
    std::iter::once(effects.target_order())
        .chain(effects.triggered_orders())
        .filter_map(|o| o.match_result())
        .map(|m| m.executed_quantity().0)
        .sum()
}

fn row(workload: &str, engine: &str, passes: &mut [f64], samples: &mut [u64]) {
    passes.sort_by(f64::total_cmp);
    samples.sort_unstable();
    let rate = |secs: f64| MEASURED as f64 / secs / 1e6;
    let at = |per_mille: usize| samples[(samples.len() * per_mille / 1_000).min(samples.len() - 1)];
    println!(
        "| {workload} | {engine} | {:.2}M ({:.2}M) | {} | {} | {} | {} |",
        rate(passes[0]),
        rate(passes[passes.len() / 2]),
        at(500),
        at(990),
        at(999),
        samples[samples.len() - 1],
    );
}

fn timer_overhead() -> u64 {
    let mut samples: Vec<u64> = (0..100_000)
        .map(|_| {
            let start = Instant::now();
            black_box(start.elapsed().as_nanos() as u64)
        })
        .collect();
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Resident set size of this process in bytes, from /proc (0 where unavailable).
fn rss_bytes() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<usize>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn memory() {
    const ORDERS: u64 = 1_000_000;
    const LEVELS_PER_SIDE: u64 = 50_000;
    let fees = common::fees();
    let rss_before = rss_bytes();
    let mut book = Book::new(common::instrument()).unwrap();
    let mut out = Vec::new();
    let mut id = 0u64;
    let add = |book: &mut Book, out: &mut Vec<_>, id: &mut u64| {
        let n = *id;
        let level = (n / 2) % LEVELS_PER_SIDE;
        let (side, price) = if n.is_multiple_of(2) {
            (Side::Buy, 1_000_000 - 1 - level.cast_signed())
        } else {
            (Side::Sell, 1_000_000 + 1 + level.cast_signed())
        };
        let command = Command::limit(common::SYMBOL, n, 1 + n % 1_000, side, price, 10);
        book.process(&command.with_seq(n), &fees, out);
        out.clear();
        *id += 1;
    };
    for _ in 0..ORDERS {
        add(&mut book, &mut out, &mut id);
    }
    let rss_after = rss_bytes();
    assert_eq!(book.resting_count() as u64, ORDERS);
    let levels = book.depth(Side::Buy, usize::MAX).len() + book.depth(Side::Sell, usize::MAX).len();
    println!(
        "memory, {ORDERS} resting orders on {levels} levels: heap_bytes {} = {:.1} bytes per order \
         (resident set grew {:.1} bytes per order)",
        book.heap_bytes(),
        book.heap_bytes() as f64 / ORDERS as f64,
        rss_after.saturating_sub(rss_before) as f64 / ORDERS as f64,
    );
    // Churn: cancel the oldest 200,000 and add as many, so the duplicate window is full.
    for n in 0..200_000 {
        book.process(
            &Command::cancel(common::SYMBOL, n, 1 + n % 1_000),
            &fees,
            &mut out,
        );
        out.clear();
        add(&mut book, &mut out, &mut id);
    }
    assert_eq!(book.resting_count() as u64, ORDERS);
    println!(
        "memory, after 200,000 cancels and adds (duplicate window full): heap_bytes {} = {:.1} \
         bytes per order",
        book.heap_bytes(),
        book.heap_bytes() as f64 / ORDERS as f64,
    );
}
