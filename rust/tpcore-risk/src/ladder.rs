//! Counting the thresholds of a short ascending list that lie below a value, in a few
//! instructions: the thresholds are bucketed by bit length, and when no power-of-two
//! interval `[2^(b-1), 2^b)` holds more than two of them, the count is a table read and
//! two comparisons. Tier tables (caps from 50,000 to 500,000,000, each at least
//! double the one before or close to it) qualify; a list that does not has no ladder and
//! its caller counts every threshold.

/// An unsigned threshold type.
pub(crate) trait Key: Copy + Ord {
    /// The largest value, the sentinel after the thresholds.
    const MAX: Self;
    /// The number of significant bits (0 for 0).
    fn bit_length(self) -> u32;
    /// Whether the value is below `2^bits` (`bits` at most the type's width).
    fn below_power(self, bits: u32) -> bool;
}

impl Key for u64 {
    const MAX: Self = u64::MAX;

    #[inline]
    fn bit_length(self) -> u32 {
        u64::BITS - self.leading_zeros()
    }

    fn below_power(self, bits: u32) -> bool {
        bits >= u64::BITS || self < 1 << bits
    }
}

impl Key for u128 {
    const MAX: Self = u128::MAX;

    #[inline]
    fn bit_length(self) -> u32 {
        u128::BITS - self.leading_zeros()
    }

    fn below_power(self, bits: u32) -> bool {
        bits >= u128::BITS || self < 1 << bits
    }
}

/// The most thresholds a ladder holds.
pub(crate) const MAX_THRESHOLDS: usize = 30;

/// Ascending thresholds with their bit-length buckets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Ladder<K> {
    /// The thresholds, then sentinels (`MAX`) up to the end.
    keys: [K; MAX_THRESHOLDS + 2],
    /// Per bit length `b` of the value: how many thresholds are below `2^(b-1)` (0 for
    /// `b = 0`).
    start: [u8; 129],
}

impl<K: Key> Ladder<K> {
    /// The ladder of `thresholds`, or `None` when they are not ascending, number more
    /// than [`MAX_THRESHOLDS`], or some power-of-two interval holds more than two.
    pub(crate) fn new(thresholds: &[K]) -> Option<Self> {
        if thresholds.len() > MAX_THRESHOLDS || !thresholds.is_sorted() {
            return None;
        }
        let mut keys = [K::MAX; MAX_THRESHOLDS + 2];
        keys[..thresholds.len()].copy_from_slice(thresholds);
        let below = |bits: u32| thresholds.iter().filter(|t| t.below_power(bits)).count();
        let mut start = [0u8; 129];
        for b in 1..=128u32 {
            let first = below(b - 1);
            if below(b) - first > 2 {
                return None;
            }
            start[b as usize] = u8::try_from(first).ok()?;
        }
        Some(Self { keys, start })
    }

    /// How many thresholds are below `value`.
    #[inline(always)]
    #[allow(
        clippy::inline_always,
        reason = "a table read and two comparisons on the batch's hot path"
    )]
    pub(crate) fn count_below(&self, value: K) -> usize {
        // Thresholds below 2^(b-1) are below the value, those at or above 2^b are not;
        // at most two lie in between, and they come first from `s` on. The bit length is
        // at most 128 and `s` at most MAX_THRESHOLDS, so the reads need no bounds check.
        let s = usize::from(self.start[value.bit_length() as usize]);
        s + usize::from(self.keys[s & 31] < value) + usize::from(self.keys[(s + 1) & 31] < value)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Ascending thresholds of mixed spacing: tier caps, close pairs, wide gaps.
    fn thresholds() -> impl Strategy<Value = Vec<u128>> {
        proptest::collection::vec(
            prop_oneof![
                1u128..4,
                1u128..1_000,
                Just(2),
                (0u32..100).prop_map(|b| 1u128 << b)
            ],
            0..=MAX_THRESHOLDS + 1,
        )
        .prop_map(|steps| {
            let mut total = 0u128;
            steps
                .iter()
                .map(|&s| {
                    total = total.saturating_mul(2).saturating_add(s);
                    total
                })
                .collect()
        })
    }

    fn count(thresholds: &[u128], value: u128) -> usize {
        thresholds.iter().filter(|&&t| t < value).count()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]

        #[test]
        fn counts_like_a_scan(list in thresholds(), picks in proptest::collection::vec((any::<prop::sample::Index>(), -2i64..=2, any::<u128>()), 20)) {
            let ladder = Ladder::new(&list);
            let narrow: Option<Vec<u64>> = list.iter().map(|&t| u64::try_from(t).ok()).collect();
            let ladder64 = narrow.as_deref().and_then(Ladder::new);
            if list.len() <= MAX_THRESHOLDS && narrow.is_some() {
                prop_assert_eq!(ladder.is_some(), ladder64.is_some());
            }
            let Some(ladder) = ladder else {
                // Refused only for too many thresholds or a crowded interval.
                let crowded = (1..=128u32)
                    .any(|b| list.iter().filter(|t| t.bit_length() == b).count() > 2);
                prop_assert!(list.len() > MAX_THRESHOLDS || crowded);
                return Ok(());
            };
            for (index, offset, random) in picks {
                let values = if list.is_empty() {
                    vec![random, 0, 1]
                } else {
                    let t = list[index.index(list.len())];
                    vec![t.wrapping_add_signed(i128::from(offset)), random, 0, u128::MAX]
                };
                for value in values {
                    prop_assert_eq!(ladder.count_below(value), count(&list, value));
                    if let (Some(ladder64), Ok(v)) = (&ladder64, u64::try_from(value)) {
                        prop_assert_eq!(ladder64.count_below(v), count(&list, value));
                    }
                }
            }
        }
    }

    #[test]
    fn refuses_crowded_and_unsorted_lists() {
        assert!(Ladder::<u64>::new(&[8, 9, 10]).is_none());
        assert!(Ladder::<u64>::new(&[8, 9, 16]).is_some());
        assert!(Ladder::<u64>::new(&[9, 8]).is_none());
        assert!(Ladder::<u64>::new(&[1; MAX_THRESHOLDS + 1]).is_none());
        let empty = Ladder::<u64>::new(&[]).unwrap();
        assert_eq!(empty.count_below(u64::MAX), 0);
    }
}
