//! Properties of the margin core: MM continuity across tiers, PnL sign conventions, and
//! the margin ratio at the liquidation price, for linear and inverse, long and short,
//! isolated and cross.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "test set-up that fails should fail the test; generated sizes are small"
)]

mod common;

use proptest::prelude::*;
use tpcore_risk::fixed::RATE_SCALE;
use tpcore_risk::{
    Brackets, Contract, MarginMode, Position, TierSpec, evaluate_account, liquidation_price,
};

use common::{btcusd_coinm, btcusdt, ethusdt, w};

/// A random valid bracket table: 1 to 8 tiers, rising caps and MMRs, falling leverage.
fn tables() -> impl Strategy<Value = Brackets> {
    (
        prop::collection::vec((1i64..2_000_000, 0i64..3_000_000), 1..8),
        100_000i64..1_000_000,
    )
        .prop_map(|(steps, first_mmr)| {
            let mut specs = Vec::new();
            let (mut floor, mut mmr, mut leverage) = (0i64, first_mmr, u32::MAX);
            for (k, (width, mmr_step)) in steps.iter().enumerate() {
                if k > 0 {
                    mmr = (mmr + mmr_step).min(RATE_SCALE / 2);
                }
                leverage = leverage.min((RATE_SCALE / mmr) as u32).max(1);
                let cap = floor + w(*width);
                specs.push(TierSpec::new(floor, cap, leverage, mmr));
                floor = cap;
            }
            Brackets::new(&specs).unwrap()
        })
}

proptest! {
    #[test]
    fn maintenance_margin_is_continuous_and_monotone(table in tables(), probe in 0i64..w(20_000_000)) {
        let tiers = table.tiers();
        for pair in tiers.windows(2) {
            let below = pair[0].maintenance_margin(pair[0].cap);
            let above = pair[1].maintenance_margin(pair[0].cap);
            // The maintenance amount is rounded down, so the next tier may be above by at
            // most one unit (10^-8), never below.
            prop_assert!(above >= below && above - below <= 1, "{below} vs {above}");
            prop_assert!(table.maintenance_margin(pair[0].cap + 1) >= below);
        }
        prop_assert!(table.maintenance_margin(probe + 1) >= table.maintenance_margin(probe));
    }

    #[test]
    fn pnl_signs_for_long_and_short(
        size in 1i64..w(1_000),
        entry in w(1)..w(200_000),
        mark in w(1)..w(200_000),
        inverse in any::<bool>(),
    ) {
        let contract = if inverse { btcusd_coinm() } else { btcusdt() };
        let long = contract.unrealized_pnl(size, entry, mark).unwrap();
        let short = contract.unrealized_pnl(-size, entry, mark).unwrap();
        match mark.cmp(&entry) {
            std::cmp::Ordering::Greater => {
                prop_assert!(long >= 0);
                prop_assert!(short < 0);
            }
            std::cmp::Ordering::Less => {
                prop_assert!(long < 0);
                prop_assert!(short >= 0);
            }
            std::cmp::Ordering::Equal => {
                prop_assert_eq!(long, 0);
                prop_assert_eq!(short, 0);
            }
        }
        // Both rounded down: together they lose at most one unit.
        prop_assert!(long + short == 0 || long + short == -1);
    }
}

/// The isolated pool's liquidate flag at `mark`.
fn isolated_liquidates(contract: &Contract, qty: i64, entry: i64, margin: i64, mark: i64) -> bool {
    let position = Position {
        symbol: 0,
        qty,
        entry_price: entry,
        leverage: 1,
        mode: MarginMode::Isolated { margin },
    };
    let risk = evaluate_account(0, &[position], std::slice::from_ref(contract), &[mark]).unwrap();
    risk.positions[0].liquidate
}

/// Checks the liquidation price `lp` of a position whose pool is `liquidates(mark)`: one
/// tick against the holder it is at or past maintenance (always: the rounded margin never
/// overstates the real one); one tick in its favour it is not, whenever one tick moves the
/// margin by more than the rounding of PnL, notional and MM (`tick_moves_margin`).
fn check_one_tick(
    lp: i64,
    tick: i64,
    qty: i64,
    tick_moves_margin: bool,
    liquidates: impl Fn(i64) -> bool,
) -> Result<(), TestCaseError> {
    let (worse, better) = if qty > 0 {
        (lp - tick, lp + tick)
    } else {
        (lp + tick, lp - tick)
    };
    if worse > 0 {
        prop_assert!(liquidates(worse), "not liquidated one tick past {lp}");
    }
    if better > 0 && tick_moves_margin {
        prop_assert!(!liquidates(better), "liquidated one tick before {lp}");
    }
    Ok(())
}

/// Whether one tick at `price` moves the coin value of `contracts` 100-USD contracts by at
/// least 8 units of 10^-8 (so by more than 3 units after a maintenance rate of up to 50%).
fn inverse_tick_moves_margin(contracts: i64, tick: i64, price: i64) -> bool {
    let exposure = i128::from(w(contracts)) * i128::from(w(100));
    exposure * i128::from(tick) / (i128::from(price) * i128::from(price)) >= 8
}

proptest! {
    #[test]
    fn linear_isolated_margin_ratio_is_100_percent_at_the_liquidation_price(
        size in 1_000_000i64..w(500),
        long in any::<bool>(),
        entry in w(100)..w(100_000),
        leverage in 1i64..100,
        extra in 0i64..w(10_000),
    ) {
        let contract = btcusdt();
        let qty = if long { size } else { -size };
        let margin = contract.notional(qty, entry).unwrap() / leverage + extra;
        if let Some(lp) = liquidation_price(&contract, qty, entry, margin).unwrap() {
            // One tick moves the margin by |qty| x tick >= 10^4 units.
            check_one_tick(lp, contract.tick_size(), qty, true, |mark| {
                isolated_liquidates(&contract, qty, entry, margin, mark)
            })?;
        } else {
            // No liquidation price for a long: it survives any positive mark.
            prop_assert!(long);
            prop_assert!(!isolated_liquidates(&contract, qty, entry, margin, contract.tick_size()));
        }
    }

    #[test]
    fn inverse_isolated_margin_ratio_is_100_percent_at_the_liquidation_price(
        contracts in 1_000i64..2_000_000,
        long in any::<bool>(),
        entry in w(1_000)..w(100_000),
        leverage in 1i64..50,
        extra in 0i64..w(5),
    ) {
        let contract = btcusd_coinm();
        let qty = if long { w(contracts) } else { -w(contracts) };
        let margin = contract.notional(qty, entry).unwrap() / leverage + extra;
        if let Some(lp) = liquidation_price(&contract, qty, entry, margin).unwrap() {
            let moves = inverse_tick_moves_margin(contracts, contract.tick_size(), lp);
            check_one_tick(lp, contract.tick_size(), qty, moves, |mark| {
                isolated_liquidates(&contract, qty, entry, margin, mark)
            })?;
        } else {
            // No liquidation price for a coin-margined short: collateral covers any rise.
            prop_assert!(!long);
            prop_assert!(!isolated_liquidates(&contract, qty, entry, margin, i64::MAX / 4));
        }
    }

    #[test]
    fn cross_margin_ratio_is_100_percent_at_the_liquidation_price(
        btc in 1_000_000i64..w(200),
        btc_long in any::<bool>(),
        btc_entry in w(10_000)..w(80_000),
        eth in 1_000_000i64..w(3_000),
        eth_long in any::<bool>(),
        eth_entry in w(500)..w(5_000),
        eth_mark in w(500)..w(5_000),
        wallet in w(1_000)..w(2_000_000),
    ) {
        let contracts = [btcusdt(), ethusdt()];
        let positions = [
            Position {
                symbol: 0,
                qty: if btc_long { btc } else { -btc },
                entry_price: btc_entry,
                leverage: 20,
                mode: MarginMode::Cross,
            },
            Position {
                symbol: 1,
                qty: if eth_long { eth } else { -eth },
                entry_price: eth_entry,
                leverage: 20,
                mode: MarginMode::Cross,
            },
        ];
        let at = |mark: i64| {
            evaluate_account(wallet, &positions, &contracts, &[mark, eth_mark]).unwrap()
        };
        let risk = at(btc_entry);
        if let Some(lp) = risk.positions[0].liquidation_price {
            check_one_tick(lp, contracts[0].tick_size(), positions[0].qty, true, |mark| {
                at(mark).liquidate
            })?;
            // The liquidation price does not depend on the mark of its own symbol.
            prop_assert_eq!(at(lp).positions[0].liquidation_price, Some(lp));
        }
    }
}
