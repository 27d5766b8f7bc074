//! EIP-1559 base fee edge cases and fee suggestions.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use rstest::rstest;
use tpcore_eth::fees::{Fee, FeeHistory, next_base_fee, suggest_fees};

#[rstest]
// At target: unchanged.
#[case(1_000_000_000, 15_000_000, 30_000_000, 1_000_000_000)]
// Full block: +12.5%.
#[case(1_000_000_000, 30_000_000, 30_000_000, 1_125_000_000)]
// Empty block: -12.5%.
#[case(1_000_000_000, 0, 30_000_000, 875_000_000)]
// Just above target: the delta rounds to 0, and the EIP's minimum increase of 1 applies.
#[case(100, 15_000_001, 30_000_000, 101)]
// Just below target: the decrease rounds down to 0.
#[case(100, 14_999_999, 30_000_000, 100)]
// A base fee of 0 stays 0 below target and rises by the minimum 1 above it.
#[case(0, 0, 30_000_000, 0)]
#[case(0, 30_000_000, 30_000_000, 1)]
// Integer division, as the EIP: 7 * 5_000_000 / 15_000_000 / 8 = 0 -> min 1.
#[case(7, 20_000_000, 30_000_000, 8)]
// Odd gas limit: target is floor(limit / 2).
#[case(1_000, 15_000_000, 30_000_001, 1_000)]
// Target 0 (limit < 2): unchanged rather than a division by zero.
#[case(1_000, 1, 1, 1_000)]
// Saturates instead of overflowing.
#[case(u128::MAX, 30_000_000, 30_000_000, u128::MAX)]
fn base_fee(#[case] base: u128, #[case] used: u64, #[case] limit: u64, #[case] expected: u128) {
    assert_eq!(next_base_fee(base, used, limit), expected);
}

#[test]
fn base_fee_matches_the_eip_formula_for_mainnet_sized_blocks() {
    for used in (0..=30_000_000u64).step_by(1_234_567) {
        let base = 12_345_678_901u128;
        let target = 15_000_000u128;
        let used128 = u128::from(used);
        let expected = if used128 > target {
            base + (base * (used128 - target) / target / 8).max(1)
        } else {
            base - base * (target - used128) / target / 8
        };
        assert_eq!(next_base_fee(base, used, 30_000_000), expected);
    }
}

fn history() -> FeeHistory {
    FeeHistory {
        base_fee_per_gas: vec![100, 110, 120, 130, 140, 200],
        gas_used_ratio: vec![0.5, 0.0, 0.9, 0.3, 0.7],
        reward: vec![
            vec![1, 10, 100],
            vec![0, 0, 0],
            vec![3, 30, 300],
            vec![2, 20, 200],
            vec![4, 40, 400],
        ],
    }
}

#[test]
fn suggestions_use_median_of_non_empty_blocks() {
    let s = suggest_fees(&history(), 200).unwrap();
    // Non-empty blocks give columns [1,3,2,4] etc.; median of 4 = floor((2 + 3) / 2) = 2.
    assert_eq!(
        s.slow,
        Fee {
            max_fee_per_gas: 402,
            max_priority_fee_per_gas: 2
        }
    );
    assert_eq!(
        s.standard,
        Fee {
            max_fee_per_gas: 425,
            max_priority_fee_per_gas: 25
        }
    );
    assert_eq!(
        s.fast,
        Fee {
            max_fee_per_gas: 650,
            max_priority_fee_per_gas: 250
        }
    );
    let flat = suggest_fees(&history(), 100).unwrap();
    assert_eq!(flat.fast.max_fee_per_gas, 450);
}

#[test]
fn all_empty_blocks_fall_back_to_all_rows() {
    let mut h = history();
    h.gas_used_ratio = vec![0.0; 5];
    let s = suggest_fees(&h, 200).unwrap();
    assert_eq!(s.standard.max_priority_fee_per_gas, 20);
}

#[test]
fn huge_values_saturate() {
    let h = FeeHistory {
        base_fee_per_gas: vec![u128::MAX, u128::MAX],
        gas_used_ratio: vec![1.0],
        reward: vec![vec![u128::MAX, u128::MAX, u128::MAX]],
    };
    assert_eq!(
        suggest_fees(&h, 200).unwrap().fast.max_fee_per_gas,
        u128::MAX
    );
}

#[rstest]
#[case::no_blocks(FeeHistory { base_fee_per_gas: vec![1], ..FeeHistory::default() })]
#[case::base_fee_len(FeeHistory { base_fee_per_gas: vec![1], gas_used_ratio: vec![0.5], reward: vec![vec![1, 2, 3]] })]
#[case::reward_rows(FeeHistory { base_fee_per_gas: vec![1, 2], gas_used_ratio: vec![0.5], reward: vec![] })]
#[case::reward_cols(FeeHistory { base_fee_per_gas: vec![1, 2, 3], gas_used_ratio: vec![0.5, 0.5], reward: vec![vec![1, 2, 3], vec![1, 2]] })]
#[case::nan_ratio(FeeHistory { base_fee_per_gas: vec![1, 2], gas_used_ratio: vec![f64::NAN], reward: vec![vec![1, 2, 3]] })]
#[case::negative_ratio(FeeHistory { base_fee_per_gas: vec![1, 2], gas_used_ratio: vec![-0.1], reward: vec![vec![1, 2, 3]] })]
fn bad_histories(#[case] h: FeeHistory) {
    assert_eq!(
        suggest_fees(&h, 200).unwrap_err().reason(),
        "invalid_fee_history"
    );
}
