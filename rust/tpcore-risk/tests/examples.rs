//! Worked examples: Binance's published maintenance-margin and cross-margin liquidation
//! examples (with the bracket tables of their date in `common`), and hand-computed COIN-M
//! and isolated cases whose expected values are the exact formula evaluated in decimal.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "test set-up that fails should fail the test; generated sizes are small"
)]

mod common;

use common::{BTCUSDT_2021, ETHUSDT_2021, brackets, btcusd_coinm, btcusdt, d, ethusdt, pct, w};
use rstest::rstest;
use tpcore_risk::fixed::format_decimal;
use tpcore_risk::{
    Brackets, Contract, MarginMode, Position, RiskError, TierSpec, evaluate_account,
    liquidation_price,
};

/// Binance's USDⓈ-M maintenance margin examples on the BTCUSDT table: the tier of a
/// notional, its maintenance amount, and MM = notional x MMR - cum.
#[rstest]
// "A BTCUSDT position of 264,000 USDT has a maintenance margin rate of 1%."
#[case("264000", "1.00", 1_300, "1340")]
// "A position of 500,000 USDT has a maintenance amount of 1,300 USDT."
#[case("500000", "1.00", 1_300, "3700")]
// The tier 2 example: 0.5% with cum 50. At 250,000 (the boundary) MM is 1,200 from both
// sides; 1,300 is the next tier's maintenance amount 250,000 x (1% - 0.5%) + 50.
#[case("250000", "0.50", 50, "1200")]
#[case("250000.00000001", "1.00", 1_300, "1200.00000001")]
#[case("50000", "0.40", 0, "200")]
#[case("3500032.458", "2.50", 16_300, "71200.81145")]
fn btcusdt_maintenance_margin(
    #[case] notional: &str,
    #[case] mmr: &str,
    #[case] cum: i64,
    #[case] mm: &str,
) {
    let table = brackets(&BTCUSDT_2021);
    let tier = table.tier(d(notional));
    assert_eq!(tier.mmr, pct(mmr));
    assert_eq!(tier.cum, w(cum));
    assert_eq!(table.maintenance_margin(d(notional)), d(mm));
}

#[test]
fn maintenance_amounts_are_computed_and_checked() {
    let table = brackets(&BTCUSDT_2021);
    let cums: Vec<i64> = table.tiers().iter().map(|t| t.cum / w(1)).collect();
    assert_eq!(
        cums,
        [
            0,
            50,
            1_300,
            16_300,
            266_300,
            1_266_300,
            2_516_300,
            5_016_300,
            25_016_300,
            100_016_300
        ]
    );
    // A wrong published amount is refused.
    let mut specs = common::specs(&BTCUSDT_2021);
    specs[2] = specs[2].with_cum(w(1_250));
    let err = Brackets::new(&specs).unwrap_err();
    assert_eq!(err.reason(), "invalid_brackets");
    // Computed without the published amounts: the same table.
    let bare: Vec<TierSpec> = common::specs(&ETHUSDT_2021)
        .into_iter()
        .map(|s| TierSpec { cum: None, ..s })
        .collect();
    assert_eq!(Brackets::new(&bare).unwrap(), brackets(&ETHUSDT_2021));
}

/// The September 2021 cross-margin example: wallet 1,535,443.01 USDT; BTCUSDT long
/// 109.488 at 32,481.98 (mark 31,967.27); ETHUSDT long 3,683.979 at 1,456.84 (mark
/// 1,335.18). Published liquidation prices: 26,316.89 (BTC) and 1,153.26 (ETH).
fn cross_example(btc: Contract, eth: Contract) -> tpcore_risk::AccountRisk {
    let positions = [
        Position {
            symbol: 0,
            qty: d("109.488"),
            entry_price: d("32481.98"),
            leverage: 20,
            mode: MarginMode::Cross,
        },
        Position {
            symbol: 1,
            qty: d("3683.979"),
            entry_price: d("1456.84"),
            leverage: 5,
            mode: MarginMode::Cross,
        },
    ];
    evaluate_account(
        d("1535443.01"),
        &positions,
        &[btc, eth],
        &[d("31967.27"), d("1335.18")],
    )
    .unwrap()
}

#[test]
fn cross_example_at_unit_precision_rounds_to_the_published_prices() {
    let unit = |c: Contract| c.with_tick_size(1).unwrap();
    let risk = cross_example(unit(btcusdt()), unit(ethusdt()));
    // The figures of the example's working: MM and UPNL of each position at its mark.
    assert_eq!(
        risk.positions[0].metrics.maintenance_margin,
        d("71200.81144400")
    );
    assert_eq!(
        risk.positions[1].metrics.maintenance_margin,
        d("356512.50812200")
    );
    assert_eq!(risk.positions[0].metrics.unrealized_pnl, d("-56354.56848"));
    assert_eq!(risk.positions[1].metrics.unrealized_pnl, d("-448192.88514"));
    // Exact roots 26,316.893264... and 1,153.256464...; rounded up (against the longs) to
    // 10^-8, and to the published two decimals when rounded to the nearest cent.
    let btc = risk.positions[0].liquidation_price.unwrap();
    let eth = risk.positions[1].liquidation_price.unwrap();
    assert_eq!(format_decimal(btc), "26316.89326452");
    assert_eq!(format_decimal(eth), "1153.25646424");
    let nearest_cent = |p: i64| (p + 500_000) / 1_000_000 * 1_000_000;
    assert_eq!(nearest_cent(btc), d("26316.89"));
    assert_eq!(nearest_cent(eth), d("1153.26"));
    assert!(!risk.liquidate);
}

#[test]
fn cross_example_at_the_cent_tick_rounds_against_the_holder() {
    let risk = cross_example(btcusdt(), ethusdt());
    // Conservative rounding puts a long's liquidation price on the tick at or above the
    // root: ETH matches the published 1,153.26; BTC is one tick above the published
    // 26,316.89 (Binance shows the root rounded to the nearest cent).
    assert_eq!(risk.positions[1].liquidation_price, Some(d("1153.26")));
    assert_eq!(risk.positions[0].liquidation_price, Some(d("26316.90")));
}

#[test]
fn liquidation_price_searches_the_tier_at_the_liquidation_notional() {
    // ETH alone, isolated with the example's wallet: the notional at entry (5.37M) is in
    // the 12.5% tier, the notional at the liquidation price in the 10% tier.
    let eth = ethusdt().with_tick_size(1).unwrap();
    let lp = liquidation_price(&eth, d("3683.979"), d("1456.84"), d("1535443.01"))
        .unwrap()
        .unwrap();
    // (1,535,443.01 + 135,365 - 3,683.979 x 1,456.84) / (3,683.979 x (10% - 1)), rounded up.
    assert_eq!(format_decimal(lp), "1114.78496375");
    let notional = eth.notional(d("3683.979"), lp).unwrap();
    assert_eq!(eth.brackets().tier(notional).mmr, pct("10"));
}

/// COIN-M (inverse) liquidation prices, expected values from Binance's COIN-M formula
/// `LP = (Q x MMR + s x Q) / ((WB + cum) / F + s x Q / EP)` evaluated exactly.
#[rstest]
// Isolated long 1,000 contracts (100 USD) at 40,000 with 0.5 BTC: 100,000 x 1.01 / 3.
#[case(1_000, "40000", "0.5", Some("33666.7"))]
// Isolated short: 100,000 x 0.99 / (2.5 - 0.5) = 49,500 exactly.
#[case(-1_000, "40000", "0.5", Some("49500"))]
// Long 100,000 contracts at 45,000 with 101 BTC: the root 33,620.0026... lies in the
// 12.5% tier (297.4 BTC notional, cum 11.4); rounded up to the 0.1 tick.
#[case(100_000, "45000", "101", Some("33620.1"))]
// A short collateralised beyond its entry value is never liquidated.
#[case(-1_000, "40000", "3", None)]
fn coinm_liquidation_prices(
    #[case] contracts: i64,
    #[case] entry: &str,
    #[case] wallet: &str,
    #[case] expected: Option<&str>,
) {
    let lp = liquidation_price(&btcusd_coinm(), w(contracts), d(entry), d(wallet)).unwrap();
    assert_eq!(lp, expected.map(d));
}

#[test]
fn initial_margin_is_refused_above_the_tiers_leverage() {
    let table = brackets(&BTCUSDT_2021);
    assert_eq!(table.initial_margin(w(40_000), 125).unwrap(), w(320));
    let err = table.initial_margin(w(60_000), 125).unwrap_err();
    assert_eq!(
        err,
        RiskError::LeverageTooHigh {
            leverage: 125,
            max: 100
        }
    );
    assert_eq!(err.reason(), "leverage_too_high");
    let err = table.initial_margin(w(600_000_000), 1).unwrap_err();
    assert_eq!(err.reason(), "notional_above_max");
    // Holding a grown position: IM at the tier's leverage, never refused.
    assert_eq!(
        table.initial_margin_capped(w(600_000), 125).unwrap(),
        w(12_000)
    );
    // Rounded up.
    assert_eq!(
        table.initial_margin(d("100.00000001"), 3).unwrap(),
        d("33.33333334")
    );
}

#[test]
fn bracket_tables_are_validated() {
    let bad = |specs: &[TierSpec]| Brackets::new(specs).unwrap_err().reason();
    assert_eq!(bad(&[]), "invalid_brackets");
    assert_eq!(
        bad(&[TierSpec::new(w(1), w(10), 10, pct("1"))]),
        "invalid_brackets"
    );
    assert_eq!(
        bad(&[
            TierSpec::new(0, w(10), 10, pct("1")),
            TierSpec::new(w(11), w(20), 5, pct("2"))
        ]),
        "invalid_brackets"
    );
    // MMR x leverage above 100%: immediately liquidatable at the maximum leverage.
    assert_eq!(
        bad(&[TierSpec::new(0, w(10), 125, pct("1"))]),
        "invalid_brackets"
    );
    // Leverage rising with the notional.
    assert_eq!(
        bad(&[
            TierSpec::new(0, w(10), 10, pct("1")),
            TierSpec::new(w(10), w(20), 20, pct("2"))
        ]),
        "invalid_brackets"
    );
}
