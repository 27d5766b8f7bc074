//! EIP-1559 fees: the next block's base fee, and max/priority fee suggestions from
//! `eth_feeHistory`.
//!
//! # Suggestion method
//!
//! Ask the node for `eth_feeHistory(blocks, "latest", [10, 50, 90])` ([`PERCENTILES`]) and
//! pass the result as a [`FeeHistory`]. Then, in integer wei only:
//!
//! - blocks with `gas_used_ratio` 0 are skipped (an empty block reports rewards of 0, which
//!   says nothing about the price of inclusion); if every block is empty, all are used;
//! - the priority fee of slow / standard / fast is the median over those blocks of the
//!   reward column of the 10th / 50th / 90th percentile (for an even count, the floor of the
//!   mean of the two middle values);
//! - the max fee is the next block's base fee (the last entry of `base_fee_per_gas`, which
//!   `eth_feeHistory` returns one longer than the block list) times `headroom_percent / 100`
//!   (rounded down), plus the priority fee. A headroom of 200 (2x) keeps a transaction
//!   includable through six consecutive full blocks, each raising the base fee by 12.5%.
//!
//! The `f64` gas ratios only decide which blocks are empty; they never enter the money
//! arithmetic. Results saturate at `u128::MAX` rather than overflow.

use alloy_primitives::U256;

use crate::EthError;

/// EIP-1559's elasticity multiplier: the gas target is half the gas limit.
pub const ELASTICITY_MULTIPLIER: u64 = 2;
/// EIP-1559's base fee max change denominator: at most 1/8 (12.5%) change per block.
pub const BASE_FEE_MAX_CHANGE_DENOMINATOR: u128 = 8;
/// The reward percentiles [`suggest_fees`] expects, for slow, standard and fast.
pub const PERCENTILES: [u8; 3] = [10, 50, 90];

/// The base fee of the block after one with this base fee, gas used and gas limit, exactly
/// as EIP-1559 specifies it (integer division, and an increase of at least 1 wei when the
/// parent used more than its target).
///
/// A parent gas limit below 2 has a target of 0, for which the EIP's formula divides by
/// zero; the parent base fee is returned unchanged then. An increase past `u128::MAX`
/// saturates.
#[must_use]
pub fn next_base_fee(parent_base_fee: u128, parent_gas_used: u64, parent_gas_limit: u64) -> u128 {
    let target = parent_gas_limit / ELASTICITY_MULTIPLIER;
    if parent_gas_used == target || target == 0 {
        return parent_base_fee;
    }
    let base = U256::from(parent_base_fee);
    let target_wide = U256::from(target);
    let denominator = U256::from(BASE_FEE_MAX_CHANGE_DENOMINATOR);
    if parent_gas_used > target {
        let gas_delta = U256::from(parent_gas_used - target);
        let fee_delta = (base * gas_delta / target_wide / denominator).max(U256::from(1u8));
        saturate(base + fee_delta)
    } else {
        let gas_delta = U256::from(target - parent_gas_used);
        let fee_delta = base * gas_delta / target_wide / denominator;
        // fee_delta <= base * target / target / 8 < base: no underflow.
        saturate(base - fee_delta)
    }
}

/// A U256 as u128, saturating.
fn saturate(value: U256) -> u128 {
    u128::try_from(value).unwrap_or(u128::MAX)
}

/// An `eth_feeHistory` result, with quantities as integers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeeHistory {
    /// Base fee per block, one longer than the block list: the last entry is the next
    /// block's base fee.
    pub base_fee_per_gas: Vec<u128>,
    /// Gas used / gas limit per block.
    pub gas_used_ratio: Vec<f64>,
    /// Per block, the reward (priority fee) at each requested percentile, in the order
    /// requested: [`PERCENTILES`].
    pub reward: Vec<Vec<u128>>,
}

/// A max fee and a priority fee, in wei per gas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fee {
    /// `maxFeePerGas`.
    pub max_fee_per_gas: u128,
    /// `maxPriorityFeePerGas`.
    pub max_priority_fee_per_gas: u128,
}

/// Suggestions for three urgencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeSuggestions {
    /// From the 10th-percentile rewards.
    pub slow: Fee,
    /// From the median rewards.
    pub standard: Fee,
    /// From the 90th-percentile rewards.
    pub fast: Fee,
}

fn invalid(detail: impl Into<String>) -> EthError {
    EthError::InvalidFeeHistory {
        detail: detail.into(),
    }
}

/// The median of `values` (sorted in place); the floor of the mean of the middle two for
/// an even count. `values` is not empty.
fn median(values: &mut [u128]) -> u128 {
    values.sort_unstable();
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        let (a, b) = (values[mid - 1], values[mid]);
        // floor((a + b) / 2) without overflowing u128.
        u128::midpoint(a, b)
    }
}

/// Suggests slow, standard and fast fees from a fee history (see the module doc for the
/// method); `headroom_percent` scales the next base fee in the max fee (200 = 2x).
///
/// # Errors
///
/// [`EthError::InvalidFeeHistory`] if there are no blocks, `base_fee_per_gas` is not one
/// longer than `gas_used_ratio`, `reward` does not have one row per block, a row does not
/// have one column per [`PERCENTILES`] entry, or a gas ratio is negative or not finite.
pub fn suggest_fees(
    history: &FeeHistory,
    headroom_percent: u32,
) -> Result<FeeSuggestions, EthError> {
    let blocks = history.gas_used_ratio.len();
    if blocks == 0 {
        return Err(invalid("no blocks"));
    }
    if history.base_fee_per_gas.len() != blocks + 1 {
        return Err(invalid(format!(
            "base_fee_per_gas has {} entries, expected {} (one per block plus the next block)",
            history.base_fee_per_gas.len(),
            blocks + 1
        )));
    }
    if history.reward.len() != blocks {
        return Err(invalid(format!(
            "reward has {} rows, expected one per block ({blocks})",
            history.reward.len()
        )));
    }
    if let Some((i, row)) = history
        .reward
        .iter()
        .enumerate()
        .find(|(_, row)| row.len() != PERCENTILES.len())
    {
        return Err(invalid(format!(
            "reward[{i}] has {} columns, expected {} (percentiles {PERCENTILES:?})",
            row.len(),
            PERCENTILES.len()
        )));
    }
    if let Some(i) = history
        .gas_used_ratio
        .iter()
        .position(|r| !r.is_finite() || *r < 0.0)
    {
        return Err(invalid(format!(
            "gas_used_ratio[{i}] is not a finite ratio >= 0"
        )));
    }
    let mut used: Vec<&Vec<u128>> = history
        .reward
        .iter()
        .zip(&history.gas_used_ratio)
        .filter(|(_, ratio)| **ratio > 0.0)
        .map(|(row, _)| row)
        .collect();
    if used.is_empty() {
        used = history.reward.iter().collect();
    }
    // Checked non-empty above: base_fee_per_gas has blocks + 1 >= 2 entries.
    let next_base = history.base_fee_per_gas.last().copied().unwrap_or_default();
    let base_part =
        saturate(U256::from(next_base) * U256::from(headroom_percent) / U256::from(100u8));
    let fee = |column: usize| {
        let mut values: Vec<u128> = used.iter().map(|row| row[column]).collect();
        let priority = median(&mut values);
        Fee {
            max_fee_per_gas: base_part.saturating_add(priority),
            max_priority_fee_per_gas: priority,
        }
    };
    Ok(FeeSuggestions {
        slow: fee(0),
        standard: fee(1),
        fast: fee(2),
    })
}
