//! Criterion throughput of one order book on the two workloads of issue 5, with the
//! `matchcore` crate (pinned) as the in-run peer on the same command stream:
//!
//! - `exchange_core_mix`: 82% amends (moves near the touch), 9% GTC adds, 6% cancels, 3%
//!   IOC takers, about 1,000 resting orders on about 750 levels (exchange-core's published
//!   anchor: 5M operations per second).
//! - `heavy_matching`: 60% GTC adds near the touch, 25% cancels, 15% marketable takers.
//!
//! Each iteration replays the measured stream (200,000 commands) on a fresh copy of the
//! book after its pre-fill and warm-up; copying is outside the timed region. tpcore runs
//! [`tpcore_book::Engine::process`] in chunks of 1,024 commands with the event buffer
//! drained in between; matchcore runs `OrderBook::execute` per command and drops each
//! outcome. `tpcore_scattered_ids` is the same stream with the order ids scattered over the
//! `u64` range (the benchmark ids are sequence numbers, the friendly case for the id
//! tables). Throughput is in commands. See `common/mod.rs` for the streams and the
//! `latency` bench for per-command percentiles and memory.
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "bench set-up that fails should abort the run; the bench prints its workloads"
)]

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

/// Commands in the measured part of each stream.
const MEASURED: usize = 200_000;

fn workloads(c: &mut Criterion) {
    for regime in common::Regime::ALL {
        let workload = common::generate(regime, MEASURED);
        println!("{}", workload.describe());
        let tpcore = workload.tpcore_base();
        let (scattered, scattered_stream) = workload.tpcore_scattered();
        let (matchcore, commands) = workload.matchcore_base();

        let mut group = c.benchmark_group(regime.name());
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3))
            .throughput(Throughput::Elements(MEASURED as u64));
        group.bench_function("tpcore", |b| {
            let mut out = Vec::with_capacity(4 * common::CHUNK);
            b.iter_batched(
                || tpcore.clone(),
                |mut engine| {
                    common::run_chunked(&mut engine, black_box(&workload.measured), &mut out);
                    engine
                },
                BatchSize::PerIteration,
            );
        });
        group.bench_function("tpcore_scattered_ids", |b| {
            let mut out = Vec::with_capacity(4 * common::CHUNK);
            b.iter_batched(
                || scattered.clone(),
                |mut engine| {
                    common::run_chunked(&mut engine, black_box(&scattered_stream), &mut out);
                    engine
                },
                BatchSize::PerIteration,
            );
        });
        group.bench_function("matchcore", |b| {
            b.iter_batched(
                || matchcore.clone(),
                |mut book| {
                    for command in black_box(&commands) {
                        black_box(book.execute(command));
                    }
                    book
                },
                BatchSize::PerIteration,
            );
        });
        group.finish();
    }
}

criterion_group!(benches, workloads);
criterion_main!(benches);
