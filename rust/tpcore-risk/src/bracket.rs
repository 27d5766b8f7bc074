//! Leverage brackets: notional tiers with a maximum leverage, a maintenance margin rate
//! and a maintenance amount.
//!
//! # Method
//!
//! Tier `n` covers notionals in `(floor_n, cap_n]` (tier 0 starts at 0 inclusive); the
//! floor of a tier is the cap of the one before. A notional above the last cap falls in
//! the last tier for maintenance margin, and is refused for initial margin.
//!
//! - Maintenance margin: `MM = notional x MMR_n - cum_n`, rounded **up**, never below 0.
//! - Maintenance amount: `cum_0 = 0`, `cum_n = floor_n x (MMR_n - MMR_(n-1)) + cum_(n-1)`,
//!   rounded down (so MM is never understated). With it MM is continuous across tier
//!   boundaries: at `floor_n` both tiers give the same MM (to the unit when the product
//!   is exact, which it is for every published table).
//! - Initial margin: `IM = notional / leverage`, rounded **up**. [`Brackets::initial_margin`]
//!   refuses a leverage above the tier's maximum (an order check);
//!   [`Brackets::initial_margin_capped`] uses `min(leverage, tier max)` instead, for
//!   marking positions whose notional has grown into a lower-leverage tier.
//!
//! Amounts are values (settlement units x 10^8); rates are x 10^8.

use std::hint::select_unpredictable;

use crate::RiskError;
use crate::fixed::{RATE_SCALE, Round, apply_rate, div_round};
use crate::ladder::Ladder;

/// One tier of a bracket table, with its maintenance amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tier {
    /// The notional above which the tier starts (value units); 0 for the first tier.
    pub floor: i64,
    /// The largest notional of the tier (value units).
    pub cap: i64,
    /// The highest leverage allowed in the tier.
    pub max_leverage: u32,
    /// Maintenance margin rate (x 10^8).
    pub mmr: i64,
    /// Maintenance amount (value units).
    pub cum: i64,
}

impl Tier {
    /// The maintenance margin of a notional in this tier: `notional x mmr - cum`, rounded
    /// up, at least 0.
    #[must_use]
    pub fn maintenance_margin(&self, notional: i64) -> i64 {
        // notional x mmr fits i128 and the result is below notional, so this cannot fail.
        let mm = apply_rate(notional, self.mmr, Round::Ceil) - i128::from(self.cum);
        mm.clamp(0, i128::from(i64::MAX)) as i64
    }
}

/// A tier as published: floor, cap, maximum leverage, MMR and optionally the maintenance
/// amount (checked against the computed one when given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TierSpec {
    /// The notional above which the tier starts (value units).
    pub floor: i64,
    /// The largest notional of the tier (value units).
    pub cap: i64,
    /// The highest leverage allowed in the tier.
    pub max_leverage: u32,
    /// Maintenance margin rate (x 10^8).
    pub mmr: i64,
    /// The published maintenance amount, if any (value units).
    pub cum: Option<i64>,
}

impl TierSpec {
    /// A tier without a published maintenance amount.
    #[must_use]
    pub const fn new(floor: i64, cap: i64, max_leverage: u32, mmr: i64) -> Self {
        Self {
            floor,
            cap,
            max_leverage,
            mmr,
            cum: None,
        }
    }

    /// Sets the published maintenance amount, to be checked.
    #[must_use]
    pub const fn with_cum(mut self, cum: i64) -> Self {
        self.cum = Some(cum);
        self
    }
}

/// A validated bracket table of one symbol.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Brackets {
    tiers: Vec<Tier>,
    /// Per tier, the part of "margin balance - MM at the tier's cap" (x 10^8) that depends
    /// on the tier only, for a balance that rises with the notional (`up`:
    /// `cum x 10^8 + cap x (10^8 - mmr)`) or falls with it (`down`:
    /// `cum x 10^8 - cap x (10^8 + mmr)`). The liquidation price search compares them with
    /// a per-position constant (see `margin`).
    up: Vec<i128>,
    /// `-down`, so that both sides compare the same way (`base + down[k] > 0` is
    /// `neg_down[k] < base`).
    neg_down: Vec<i128>,
    /// The caps of every tier but the last, dense, for the tier lookup.
    caps: Vec<i64>,
    /// The same lookups as ladders, when the table allows (see [`crate::ladder`]).
    ladders: Option<Box<Ladders>>,
}

/// The tier lookups of a table as ladders: the caps, and the keys of the liquidation
/// price's root search on each side.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Ladders {
    caps: Ladder<u64>,
    up: Ladder<u128>,
    neg_down: Ladder<u128>,
}

impl Ladders {
    /// `None` unless every key is positive and the ladders can be built.
    fn new(caps: &[i64], up: &[i128], neg_down: &[i128]) -> Option<Box<Self>> {
        let unsigned = |keys: &[i128]| -> Option<Vec<u128>> {
            keys.iter()
                .map(|&k| (k > 0).then_some(k.unsigned_abs()))
                .collect()
        };
        let caps: Option<Vec<u64>> = caps
            .iter()
            .map(|&c| (c > 0).then_some(c.unsigned_abs()))
            .collect();
        Some(Box::new(Self {
            caps: Ladder::new(&caps?)?,
            up: Ladder::new(&unsigned(up)?)?,
            neg_down: Ladder::new(&unsigned(neg_down)?)?,
        }))
    }
}

impl Brackets {
    /// Builds a table from its tiers, computing each maintenance amount.
    ///
    /// # Errors
    ///
    /// [`RiskError::InvalidBrackets`] unless: there is at least one tier; the first floor is
    /// 0 and each floor is the previous cap; each cap is above its floor; MMRs are in
    /// `(0, 100%)` and non-decreasing; maximum leverages are at least 1 and non-increasing;
    /// `MMR x max leverage <= 100%` (the initial margin covers the maintenance margin); and
    /// every published maintenance amount equals the computed one.
    pub fn new(specs: &[TierSpec]) -> Result<Self, RiskError> {
        let bad = |n: usize, detail: &str| {
            Err(RiskError::InvalidBrackets {
                detail: format!("tier {n}: {detail}"),
            })
        };
        if specs.is_empty() {
            return Err(RiskError::InvalidBrackets {
                detail: "no tiers".to_owned(),
            });
        }
        let mut tiers: Vec<Tier> = Vec::with_capacity(specs.len());
        for (n, spec) in specs.iter().enumerate() {
            let (expected_floor, prev_mmr, prev_cum, prev_leverage) = match tiers.last() {
                None => (0, spec.mmr, 0, u32::MAX),
                Some(prev) => (prev.cap, prev.mmr, prev.cum, prev.max_leverage),
            };
            if spec.floor != expected_floor {
                return bad(
                    n,
                    "floor must be 0 for the first tier, else the previous cap",
                );
            }
            if spec.cap <= spec.floor {
                return bad(n, "cap must be above the floor");
            }
            if spec.mmr <= 0 || spec.mmr >= RATE_SCALE {
                return bad(n, "maintenance margin rate must be in (0, 100%)");
            }
            if spec.mmr < prev_mmr {
                return bad(n, "maintenance margin rates must not decrease");
            }
            if spec.max_leverage == 0 || spec.max_leverage > prev_leverage {
                return bad(n, "max leverage must be at least 1 and must not increase");
            }
            if i128::from(spec.mmr) * i128::from(spec.max_leverage) > i128::from(RATE_SCALE) {
                return bad(n, "maintenance margin rate x max leverage is above 100%");
            }
            let step = apply_rate(spec.floor, spec.mmr - prev_mmr, Round::Floor);
            let cum = i64::try_from(i128::from(prev_cum) + step)
                .map_err(|_| RiskError::overflow("maintenance amount"))?;
            if let Some(given) = spec.cum
                && given != cum
            {
                return bad(
                    n,
                    &format!("maintenance amount {given} differs from the computed {cum}"),
                );
            }
            tiers.push(Tier {
                floor: spec.floor,
                cap: spec.cap,
                max_leverage: spec.max_leverage,
                mmr: spec.mmr,
                cum,
            });
        }
        let scale = i128::from(RATE_SCALE);
        let up: Vec<i128> = tiers
            .iter()
            .map(|t| i128::from(t.cum) * scale + i128::from(t.cap) * (scale - i128::from(t.mmr)))
            .collect();
        let neg_down: Vec<i128> = tiers
            .iter()
            .map(|t| i128::from(t.cap) * (scale + i128::from(t.mmr)) - i128::from(t.cum) * scale)
            .collect();
        let caps: Vec<i64> = tiers[..tiers.len() - 1].iter().map(|t| t.cap).collect();
        let last = tiers.len() - 1;
        let ladders = Ladders::new(&caps, &up[..last], &neg_down[..last]);
        Ok(Self {
            tiers,
            up,
            neg_down,
            caps,
            ladders,
        })
    }

    /// The index of the tier holding the root of "margin balance - MM" as a function of the
    /// notional, given `base` (the per-position part of the gap, x 10^8): the first tier
    /// whose cap the root does not exceed, else the last. `rising`: the gap rises with the
    /// notional (`base + up[k]`), else it falls (`base + down[k]`).
    #[inline(always)]
    #[allow(
        clippy::inline_always,
        reason = "measured: left out of line, the call was an eighth of the batch's time"
    )]
    pub(crate) fn root_tier(&self, base: i128, rising: bool) -> &Tier {
        &self.tiers[self.root_tier_index(base, rising)]
    }

    /// The index of [`Brackets::root_tier`] for a positive `key`: `-base` when `rising`,
    /// else `base` (every tier's key is positive, so a key at or below 0 is in the first
    /// tier); by the ladders when the table has them.
    #[inline(always)]
    #[allow(clippy::inline_always, reason = "as root_tier")]
    pub(crate) fn root_tier_index_of_key(&self, key: u128, rising: bool) -> usize {
        if let Some(ladders) = &self.ladders {
            return select_unpredictable(rising, &ladders.up, &ladders.neg_down).count_below(key);
        }
        // key < 2^127 (a difference of two products of i64).
        let key = key.cast_signed();
        self.root_tier_index(
            select_unpredictable(rising, key.wrapping_neg(), key),
            rising,
        )
    }

    /// The index of [`Brackets::root_tier`], by counting.
    #[inline(always)]
    #[allow(clippy::inline_always, reason = "as root_tier")]
    fn root_tier_index(&self, base: i128, rising: bool) -> usize {
        let last = self.tiers.len() - 1;
        // The tier is the number of caps at which the gap has not reached zero yet.
        // `base + c` never overflows (both are far below 2^126), so `c` is compared with
        // `-base` instead.
        let threshold = base.wrapping_neg();
        // Counting finds the partition point without branches (the tables are short; the
        // count cannot overflow), and the side is selected without a branch either (longs
        // and shorts alternate unpredictably): `c > -base` is `-c < base`, and `neg_down`
        // is `-down`.
        let (keys, key) = select_unpredictable(
            rising,
            (&self.up[..last], threshold),
            (&self.neg_down[..last], base),
        );
        keys.iter()
            .fold(0usize, |n, &c| n.wrapping_add(usize::from(c < key)))
    }

    /// A one-tier table without a cap: every notional at `mmr`, up to `max_leverage`.
    ///
    /// # Errors
    ///
    /// As [`Brackets::new`].
    pub fn flat(max_leverage: u32, mmr: i64) -> Result<Self, RiskError> {
        Self::new(&[TierSpec::new(0, i64::MAX, max_leverage, mmr)])
    }

    /// The tiers, with their computed maintenance amounts.
    #[must_use]
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// The index of the tier a notional falls in: the first whose cap is at or above it,
    /// else the last.
    #[must_use]
    #[inline]
    pub fn tier_index(&self, notional: i64) -> usize {
        // Caps ascend, so the count of caps below the notional is the partition point.
        self.caps.iter().fold(0usize, |n, &cap| {
            n.wrapping_add(usize::from(cap < notional))
        })
    }

    /// [`Brackets::tier_index`] of a positive notional, by the ladder when the table has
    /// one.
    #[inline(always)]
    #[allow(clippy::inline_always, reason = "on the batch's hot path")]
    pub(crate) fn tier_index_fast(&self, notional: u64) -> usize {
        match &self.ladders {
            Some(ladders) => ladders.caps.count_below(notional),
            None => self.tier_index(notional.cast_signed()),
        }
    }

    /// The tier a notional falls in (see [`Brackets::tier_index`]).
    #[must_use]
    pub fn tier(&self, notional: i64) -> &Tier {
        &self.tiers[self.tier_index(notional)]
    }

    /// The cap of the last tier: the largest notional a position may be opened to.
    #[must_use]
    pub fn max_notional(&self) -> i64 {
        self.tiers[self.tiers.len() - 1].cap
    }

    /// The maintenance margin of a notional (value units), rounded up.
    #[must_use]
    pub fn maintenance_margin(&self, notional: i64) -> i64 {
        self.tier(notional).maintenance_margin(notional)
    }

    /// The initial margin to open or hold `notional` at `leverage`, rounded up.
    ///
    /// # Errors
    ///
    /// [`RiskError::InvalidPosition`] for leverage 0; [`RiskError::NotionalAboveMax`] above
    /// the last cap; [`RiskError::LeverageTooHigh`] above the tier's maximum leverage.
    pub fn initial_margin(&self, notional: i64, leverage: u32) -> Result<i64, RiskError> {
        check_leverage(leverage)?;
        let max = self.max_notional();
        if notional > max {
            return Err(RiskError::NotionalAboveMax { notional, max });
        }
        let tier = self.tier(notional);
        if leverage > tier.max_leverage {
            return Err(RiskError::LeverageTooHigh {
                leverage,
                max: tier.max_leverage,
            });
        }
        Ok(ceil_div_leverage(notional, leverage))
    }

    /// The initial margin of a held position: `notional / min(leverage, tier max)`, rounded
    /// up. Never refuses a notional: the last tier extends beyond its cap.
    ///
    /// # Errors
    ///
    /// [`RiskError::InvalidPosition`] for leverage 0.
    pub fn initial_margin_capped(&self, notional: i64, leverage: u32) -> Result<i64, RiskError> {
        check_leverage(leverage)?;
        let effective = leverage.min(self.tier(notional).max_leverage);
        Ok(ceil_div_leverage(notional, effective))
    }
}

fn check_leverage(leverage: u32) -> Result<(), RiskError> {
    if leverage == 0 {
        return Err(RiskError::InvalidPosition {
            field: "leverage",
            detail: "must be at least 1".to_owned(),
        });
    }
    Ok(())
}

fn ceil_div_leverage(notional: i64, leverage: u32) -> i64 {
    // leverage >= 1, so the quotient fits and the division cannot fail.
    div_round(i128::from(notional), i128::from(leverage), Round::Ceil)
        .map_or(notional, |v| v as i64)
}
