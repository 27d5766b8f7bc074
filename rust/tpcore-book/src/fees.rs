//! Fees: maker and taker rates per tier, and the rounding of fee amounts.
//!
//! A rate is an integer in millionths of notional (1 basis point = 100); a negative maker
//! rate is a rebate. A fee is `notional x rate / 1,000,000` rounded toward positive
//! infinity, which is always toward the exchange: a charge rounds up, a rebate rounds
//! toward zero. Notional is price x quantity in the instrument's notional units, so fees
//! are integers in those units too.

use std::collections::BTreeMap;

/// The maker and taker rates of one fee tier, in millionths of notional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct FeeTier {
    /// Rate charged to the resting side; negative for a rebate.
    pub maker_rate: i32,
    /// Rate charged to the incoming side.
    pub taker_rate: i32,
}

/// Fee tiers and the tier of each account. Accounts without an entry pay tier 0.
///
/// An order takes its account's tier when it is accepted; a later change of tier applies
/// to orders accepted after it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeeSchedule {
    tiers: Vec<FeeTier>,
    accounts: BTreeMap<u64, u16>,
}

/// Millionths in one: the denominator of every rate.
pub const RATE_SCALE: i128 = 1_000_000;

/// Largest absolute rate accepted (10% of notional).
pub const MAX_RATE: i32 = 100_000;

impl FeeSchedule {
    /// A schedule with the given tiers (tier 0 first); no tiers means no fees.
    ///
    /// # Errors
    ///
    /// [`crate::BookError::InvalidFeeSchedule`] for more than 65,536 tiers or a rate
    /// beyond +/-10%, or a maker rebate larger than the taker rate of the same tier (the
    /// exchange would pay out more than it takes on one trade between that tier's
    /// accounts).
    pub fn new(tiers: Vec<FeeTier>) -> Result<Self, crate::BookError> {
        if tiers.len() > usize::from(u16::MAX) + 1 {
            return Err(crate::BookError::InvalidFeeSchedule {
                detail: "more than 65,536 tiers".into(),
            });
        }
        for (i, tier) in tiers.iter().enumerate() {
            if tier.maker_rate.abs() > MAX_RATE || tier.taker_rate.abs() > MAX_RATE {
                return Err(crate::BookError::InvalidFeeSchedule {
                    detail: format!("tier {i}: a rate beyond +/-10% of notional"),
                });
            }
            if tier.maker_rate + tier.taker_rate < 0 {
                return Err(crate::BookError::InvalidFeeSchedule {
                    detail: format!("tier {i}: the maker rebate exceeds the taker fee"),
                });
            }
        }
        Ok(Self {
            tiers,
            accounts: BTreeMap::new(),
        })
    }

    /// Puts an account in a tier.
    ///
    /// # Errors
    ///
    /// [`crate::BookError::InvalidFeeSchedule`] if the tier does not exist.
    pub fn set_account_tier(&mut self, account: u64, tier: u16) -> Result<(), crate::BookError> {
        if usize::from(tier) >= self.tiers.len() {
            return Err(crate::BookError::InvalidFeeSchedule {
                detail: format!("tier {tier} does not exist ({} tiers)", self.tiers.len()),
            });
        }
        if tier == 0 {
            self.accounts.remove(&account);
        } else {
            self.accounts.insert(account, tier);
        }
        Ok(())
    }

    /// The tier of an account.
    #[must_use]
    pub fn tier_of(&self, account: u64) -> u16 {
        if self.accounts.is_empty() {
            return 0;
        }
        self.accounts.get(&account).copied().unwrap_or(0)
    }

    /// The rates of a tier (zero rates when there are no tiers).
    #[must_use]
    pub fn rates(&self, tier: u16) -> FeeTier {
        self.tiers
            .get(usize::from(tier))
            .copied()
            .unwrap_or_default()
    }

    /// Accounts not in tier 0, by account.
    pub fn account_tiers(&self) -> impl Iterator<Item = (u64, u16)> + '_ {
        self.accounts.iter().map(|(&a, &t)| (a, t))
    }

    /// The tiers, tier 0 first.
    #[must_use]
    pub fn tiers(&self) -> &[FeeTier] {
        &self.tiers
    }
}

/// The fee on `notional` at `rate` millionths, rounded toward positive infinity.
///
/// `notional` is at most 2^63 and `rate` at most 10^5 in magnitude, so the product fits
/// an i128 and the quotient an i64.
#[must_use]
pub fn fee(notional: i64, rate: i32) -> i64 {
    // Most products fit an i64, where the division by the constant scale is a multiply;
    // the i128 path below gives the same result and is kept for the rest.
    if let Some(product) = notional.checked_mul(i64::from(rate)) {
        const SCALE: i64 = RATE_SCALE as i64;
        return product.div_euclid(SCALE) + i64::from(product.rem_euclid(SCALE) != 0);
    }
    let product = i128::from(notional) * i128::from(rate);
    let fee = product.div_euclid(RATE_SCALE) + i128::from(product.rem_euclid(RATE_SCALE) != 0);
    // |fee| <= notional / 10 + 1, which fits.
    i64::try_from(fee).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::{MAX_RATE, RATE_SCALE, fee};
    use proptest::prelude::*;

    /// The rounding written out in i128, as the fee is defined.
    fn reference(notional: i64, rate: i32) -> i64 {
        let product = i128::from(notional) * i128::from(rate);
        let up = product.div_euclid(RATE_SCALE) + i128::from(product.rem_euclid(RATE_SCALE) != 0);
        i64::try_from(up).unwrap_or(i64::MAX)
    }

    proptest! {
        /// The i64 fast path and the i128 path agree with the definition everywhere.
        #[test]
        fn fee_matches_the_i128_definition(
            notional in any::<i64>(),
            rate in -MAX_RATE..=MAX_RATE,
        ) {
            prop_assert_eq!(fee(notional, rate), reference(notional, rate));
        }
    }

    #[test]
    fn fee_at_the_edges_of_the_fast_path() {
        for notional in [
            0,
            1,
            999_999,
            1_000_000,
            i64::MAX / 100_000,
            i64::MAX,
            i64::MIN + 1,
        ] {
            for rate in [-MAX_RATE, -1, 0, 1, 250, MAX_RATE] {
                assert_eq!(fee(notional, rate), reference(notional, rate));
                assert_eq!(fee(-notional, rate), reference(-notional, rate));
            }
        }
    }
}
