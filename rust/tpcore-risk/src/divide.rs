//! Exact division of a 128-bit dividend by a 64-bit divisor known in advance (a per-tier
//! constant of a contract, or the scale 10^8), without a division instruction: a
//! multiplication by a precomputed reciprocal and at most two corrections (Möller and
//! Granlund, "Improved division by invariant integers", IEEE Transactions on Computers 60,
//! 2011, algorithm 4). The quotient and remainder are those of the integer division, bit
//! for bit (the tests compare them with `u128` division at and around the bounds).

use std::hint::select_unpredictable;

/// A divisor `d` (`1 <= d < 2^64`) with its reciprocal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Divisor {
    d: u64,
    /// `d << shift`, with its top bit set.
    normal: u64,
    /// `floor((2^128 - 1) / normal) - 2^64`.
    inverse: u64,
    shift: u32,
    /// `63 - shift`.
    back: u32,
    /// `10^8 << shift` (below 2^91), low and high words: see [`Divisor::scaled_quotient`].
    scale_lo: u64,
    scale_hi: u64,
    /// `ceil(d x 2^64 / 10^8)`: the multiples of 10^8 below `d x 2^64` are those of the
    /// numbers below it.
    scaled_limit: u128,
}

/// The scale 10^8.
const SCALE: u64 = 100_000_000;

impl Divisor {
    /// The divisor `d`; `None` for 0.
    pub(crate) const fn new(d: u64) -> Option<Self> {
        if d == 0 {
            return None;
        }
        let shift = d.leading_zeros();
        let normal = d << shift;
        // normal >= 2^63, so the quotient is in [2^64, 2^65): keep its low word.
        let inverse = (u128::MAX / normal as u128) as u64;
        let scale = (SCALE as u128) << shift;
        Some(Self {
            d,
            normal,
            inverse,
            shift,
            back: 63 - shift,
            scale_lo: scale as u64,
            scale_hi: (scale >> 64) as u64,
            scaled_limit: ((d as u128) << 64).div_ceil(SCALE as u128),
        })
    }

    /// `(n / d, n % d)`, or `None` when the quotient does not fit a `u64` (`n >= d x 2^64`):
    /// the division core on any dividend, for the tests.
    #[cfg(test)]
    fn div_rem(self, dividend: u128) -> Option<(u64, u64)> {
        let (hi, lo) = ((dividend >> 64) as u64, dividend as u64);
        if hi >= self.d {
            return None;
        }
        // dividend < d x 2^64 <= 2^(128 - shift): the shift loses no bit, and the high
        // word u1 stays below `normal` (the algorithm's condition). shift < 64: the words
        // are shifted apart, `(lo >> 1) >> (63 - shift)` being `lo >> (64 - shift)`
        // without the shift by 64 that shift = 0 would ask for.
        let u1 = hi.wrapping_shl(self.shift) | (lo >> 1).wrapping_shr(self.back);
        let u0 = lo.wrapping_shl(self.shift);
        let (quotient, rest) = self.normalized_div_rem(u1, u0);
        Some((quotient, rest.wrapping_shr(self.shift)))
    }

    /// `n x 10^8 / d` rounded up (`up`) or down, or `None` when it does not fit a `u64`
    /// (`n x 10^8 >= d x 2^64`, or the rounding up overflows). The dividend is normalized
    /// by one product with `10^8 << shift` instead of a product and two shifts.
    #[inline(always)]
    #[allow(
        clippy::inline_always,
        reason = "a few multiplications on the batch's hot path, always worth inlining"
    )]
    pub(crate) fn scaled_quotient(self, n: u128, up: bool) -> Option<u64> {
        if n >= self.scaled_limit {
            return None;
        }
        // n x 10^8 < d x 2^64, so (n x 10^8) << shift < normal x 2^64 <= 2^128: the low
        // 128 bits of n x (10^8 << shift) are the whole product.
        let (hi, lo) = ((n >> 64) as u64, n as u64);
        let cross = lo
            .wrapping_mul(self.scale_hi)
            .wrapping_add(hi.wrapping_mul(self.scale_lo));
        let u = (u128::from(lo) * u128::from(self.scale_lo)).wrapping_add(u128::from(cross) << 64);
        let (quotient, rest) = self.normalized_div_rem((u >> 64) as u64, u as u64);
        // The normalized remainder is the remainder shifted left: zero exactly with it.
        quotient.checked_add(u64::from(up && rest != 0))
    }

    /// Algorithm 4 on a normalized dividend `(u1, u0)` (`u1 < normal`): the quotient and
    /// the remainder shifted left by `shift`.
    #[inline(always)]
    #[allow(clippy::inline_always, reason = "a part of scaled_quotient")]
    fn normalized_div_rem(self, u1: u64, u0: u64) -> (u64, u64) {
        // (q1, q0) = inverse x u1 + (u1, u0): below 2^128 (the paper's lemma), so no wrap
        // occurs; wrapping operations only spare the overflow checks.
        let estimate = u128::from(self.inverse)
            .wrapping_mul(u128::from(u1))
            .wrapping_add(u128::from(u1) << 64 | u128::from(u0));
        let q1 = ((estimate >> 64) as u64).wrapping_add(1);
        let q0 = estimate as u64;
        let rest = u0.wrapping_sub(q1.wrapping_mul(self.normal));
        // The candidate quotient is one too large about half of the time.
        let over = rest > q0;
        let q1 = select_unpredictable(over, q1.wrapping_sub(1), q1);
        let rest = select_unpredictable(over, rest.wrapping_add(self.normal), rest);
        // Rarely, one too small.
        if rest >= self.normal {
            (q1.wrapping_add(1), rest.wrapping_sub(self.normal))
        } else {
            (q1, rest)
        }
    }
}

/// `n / 10^8` rounded down, for `n < 10^8 x 2^64` (every quotient a `u64` holds); `None`
/// beyond. With `2^64 = A x 10^8 + B`, the high word `h < 10^8` and the low word `l`:
/// `n = h x A x 10^8 + (h x B + l)`, and `h x B + l` splits into 64-bit divisions by the
/// constant (multiplications): no correction step.
#[inline(always)]
#[allow(
    clippy::inline_always,
    reason = "a few multiplications on the batch's hot path, always worth inlining"
)]
pub(crate) fn scale_quotient(dividend: u128) -> Option<u64> {
    const D: u64 = 100_000_000;
    const A: u64 = (1u128 << 64).div_euclid(D as u128) as u64;
    const B: u64 = (1u128 << 64).rem_euclid(D as u128) as u64;
    let (hi, lo) = ((dividend >> 64) as u64, dividend as u64);
    if hi >= D {
        return None;
    }
    // hi x B < 10^8 x 2^24 and lo % D < 2^27: the carry fits. The three terms add up to
    // the quotient, below 2^64: no sum wraps.
    let carry = hi.wrapping_mul(B).wrapping_add(lo % D);
    Some(
        hi.wrapping_mul(A)
            .wrapping_add(lo / D)
            .wrapping_add(carry / D),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn gcd(a: u64, b: u64) -> u128 {
        if b == 0 { u128::from(a) } else { gcd(b, a % b) }
    }

    fn reference(n: u128, d: u64) -> Option<(u64, u64)> {
        let q = u64::try_from(n / u128::from(d)).ok()?;
        Some((q, (n % u128::from(d)) as u64))
    }

    /// Divisors of every bit length, weighted towards the powers of two and their
    /// neighbours, and the scale.
    fn divisor() -> impl Strategy<Value = u64> {
        prop_oneof![
            any::<u64>().prop_map(|d| d.max(1)),
            (0u32..64, -2i64..=2).prop_map(|(b, k)| (1u64 << b).wrapping_add_signed(k).max(1)),
            (1u64..1_000),
            Just(100_000_000),
            (1u64..200_000_000).prop_map(|m| m * 1_000_000),
        ]
    }

    /// Dividends around `q x d + r` for quotients near 0, the scale and the 64-bit bound,
    /// and of every bit length.
    fn dividend(d: u64) -> impl Strategy<Value = u128> {
        let d = u128::from(d);
        prop_oneof![
            any::<u128>(),
            (0u32..128).prop_flat_map(|b| 0..=(1u128 << b)),
            (any::<u64>(), -3i64..=3)
                .prop_map(move |(q, k)| (u128::from(q) * d).wrapping_add_signed(i128::from(k))),
            (-3i64..=3).prop_map(move |k| (d << 64).wrapping_add_signed(i128::from(k))),
            (0u128..1_000).prop_map(move |q| q * d),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(50_000))]

        #[test]
        fn scaled_quotients_match_integer_division(
            d in divisor(),
            (form, q, m, k) in (0..3usize, any::<u64>(), 0u64..1 << 20, -2i64..=2),
            up in any::<bool>(),
        ) {
            // n with n x 10^8 near q x d, an exact multiple of d, or near d x 2^64.
            let divisor = Divisor::new(d).unwrap();
            let wide = u128::from(d);
            let n = match form {
                0 => u128::from(q) * wide / 100_000_000,
                1 => u128::from(m) * (wide / gcd(d, 100_000_000)),
                _ => divisor.scaled_limit,
            }
            .saturating_add_signed(i128::from(k));
            let expected = n.checked_mul(100_000_000).and_then(|x| {
                let q = x / wide;
                u64::try_from(q + u128::from(up && q * wide != x)).ok()
            });
            prop_assert_eq!(divisor.scaled_quotient(n, up), expected);
        }

        #[test]
        fn scale_division_matches_integer_division(n in dividend(100_000_000)) {
            let expected = reference(n, 100_000_000).map(|(q, _)| q);
            prop_assert_eq!(scale_quotient(n), expected);
        }

        #[test]
        fn matches_integer_division((d, n) in divisor().prop_flat_map(|d| (Just(d), dividend(d)))) {
            let divisor = Divisor::new(d).unwrap();
            prop_assert_eq!(divisor.div_rem(n), reference(n, d));
        }
    }

    #[test]
    fn bounds() {
        for d in [
            1,
            2,
            3,
            7,
            100_000_000,
            u64::MAX / 2,
            u64::MAX / 2 + 1,
            u64::MAX,
        ] {
            let divisor = Divisor::new(d).unwrap();
            let top = u128::from(d) << 64;
            for n in [
                0,
                1,
                u128::from(d) - 1,
                u128::from(d),
                top - 1,
                top,
                u128::MAX,
            ] {
                assert_eq!(divisor.div_rem(n), reference(n, d), "{n} / {d}");
            }
        }
        assert_eq!(Divisor::new(0), None);
        let top = 100_000_000u128 << 64;
        for n in [
            0,
            1,
            99_999_999,
            100_000_000,
            (1 << 90) - 1,
            1 << 90,
            u128::from(u64::MAX),
            top - 1,
            top,
            top + 1,
            u128::MAX,
        ] {
            let expected = reference(n, 100_000_000).map(|(q, _)| q);
            assert_eq!(scale_quotient(n), expected, "{n}");
        }
        assert_eq!(
            Divisor::new(100_000_000)
                .unwrap()
                .div_rem(12_345_678_901_234_567_890),
            Some((123_456_789_012, 34_567_890))
        );
    }
}
