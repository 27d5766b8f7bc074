//! Command sequences fed to an `Engine`: no command may panic, the books' invariants hold
//! after every batch, and a snapshot restores to the same state.
//!
//! The first byte picks the encoding. Odd: the rest is packed 88-byte command records,
//! as `Engine::process_records` reads them (any bit pattern). Even: 16-byte compact
//! commands with raw codes but small ids, prices and quantities near the books' ranges,
//! so orders rest, cross, trigger and amend instead of being refused for their size.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tpcore_book::{COMMAND_SIZE, Command, Engine, FeeSchedule, FeeTier, Instrument};

fn engine() -> Engine {
    let tier = |maker_rate, taker_rate| FeeTier {
        maker_rate,
        taker_rate,
    };
    let mut fees = FeeSchedule::new(vec![tier(100, 250), tier(-77, 333), tier(-125, 125)])
        .expect("valid fee tiers");
    fees.set_account_tier(2, 1).expect("tier exists");
    fees.set_account_tier(3, 2).expect("tier exists");
    let mut engine = Engine::new(fees);
    engine
        .add_book(Instrument::new(0, "WIDE"))
        .expect("valid instrument");
    engine
        .add_book(Instrument {
            tick_size: 5,
            lot_size: 2,
            min_qty: 2,
            max_qty: 200,
            min_price: 940,
            max_price: 1_060,
            band_bps: 500,
            id_window: 4,
            ..Instrument::new(1, "NARROW")
        })
        .expect("valid instrument");
    engine
}

/// A command from 16 bytes: codes raw, numbers small and signed around the books' ranges.
fn compact(b: &[u8; 16], seq: u64) -> Command {
    let small = |x: u8| i64::from(x as i8);
    let price = 1_000 + 5 * small(b[6]);
    Command {
        seq,
        order_id: u64::from(b[0] % 16),
        account: u64::from(b[1] % 4),
        symbol: u32::from(b[2] % 3),
        kind: b[3] % 7,
        side: b[4] % 4,
        order_type: b[5] % 6,
        price,
        qty: small(b[7]),
        trigger_price: 1_000 + 5 * small(b[8]),
        display_qty: small(b[9]) / 8,
        quote_budget: match b[10] {
            0..=127 => 0,
            x => i64::from(x) * 100,
        },
        expire_at: small(b[11]),
        tif: b[12] % 7,
        flags: b[13],
        stp: b[14] % 6,
    }
    .with_seq(seq + u64::from(b[15] >> 7))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut engine = engine();
    if mode % 2 == 1 {
        let whole = rest.len() / COMMAND_SIZE * COMMAND_SIZE;
        // Icebergs are bounded by the engine (MAX_ICEBERG_PARTS): no command is filtered.
        let mut out = Vec::new();
        engine
            .process_records(&rest[..whole], &mut out)
            .expect("whole records");
    } else {
        let (records, _) = rest.as_chunks::<16>();
        let commands: Vec<Command> = records
            .iter()
            .enumerate()
            .map(|(i, r)| compact(r, i as u64 + 1))
            .collect();
        let mut out = Vec::new();
        for batch in commands.chunks(7) {
            engine.process(batch, &mut out);
            if let Err(e) = engine.validate_invariants() {
                panic!("invariant broken: {e}");
            }
        }
    }
    if let Err(e) = engine.validate_invariants() {
        panic!("invariant broken: {e}");
    }
    let restored = Engine::restore(&engine.snapshot()).expect("own snapshot restores");
    assert_eq!(restored.state_hash(), engine.state_hash());
});
