//! Price flags: the quality bits that travel with an index, mark or portfolio value.
//!
//! [`PriceFlags`] is a `u8` bit set (a numpy `uint8` column at the Python edge); the bit
//! values are part of the API. [`FlaggedPrice`] pairs a price with its flags.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// A set of price quality flags. The bit values are stable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PriceFlags(u8);

impl PriceFlags {
    /// No flag: the price was computed from enough live sources.
    pub const NONE: Self = Self(0);
    /// Fewer than the minimum of live sources: the price is the last good price.
    pub const UNCERTAIN: Self = Self(1);
    /// The circuit breaker holds the last good price while a large move awaits
    /// confirmation.
    pub const CIRCUIT_BREAKER: Self = Self(2);
    /// At least one source was dropped or clamped as an outlier.
    pub const OUTLIER: Self = Self(4);
    /// At least one source was dropped as stale or invalid.
    pub const STALE_SOURCE: Self = Self(8);
    /// No good price has ever been computed: the price is 0 and must not be used.
    pub const NO_PRICE: Self = Self(16);
    /// Every flag this version knows.
    pub const ALL: Self = Self(31);

    const NAMES: [(Self, &'static str); 5] = [
        (Self::UNCERTAIN, "uncertain"),
        (Self::CIRCUIT_BREAKER, "circuit_breaker"),
        (Self::OUTLIER, "outlier"),
        (Self::STALE_SOURCE, "stale_source"),
        (Self::NO_PRICE, "no_price"),
    ];

    /// The raw bits.
    #[must_use]
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// The flags for raw bits, dropping bits this version does not know.
    #[must_use]
    pub const fn from_bits_truncate(bits: u8) -> Self {
        Self(bits & Self::ALL.0)
    }

    /// Whether every flag of `other` is set.
    #[must_use]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any flag of `other` is set.
    #[must_use]
    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether no flag is set.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Sets the flags of `other`.
    pub fn insert(&mut self, other: Self) {
        self.0 |= other.0;
    }

    /// Whether the price should not be trusted for new risk: uncertain, held by the
    /// circuit breaker, or absent.
    #[must_use]
    pub const fn is_degraded(self) -> bool {
        self.intersects(Self(
            Self::UNCERTAIN.0 | Self::CIRCUIT_BREAKER.0 | Self::NO_PRICE.0,
        ))
    }

    /// The stable snake_case names of the flags that are set, in bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .into_iter()
            .filter(move |(flag, _)| self.contains(*flag))
            .map(|(_, name)| name)
    }
}

impl BitOr for PriceFlags {
    type Output = Self;

    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl BitOrAssign for PriceFlags {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

impl fmt::Display for PriceFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for name in self.names() {
            if !first {
                f.write_str("|")?;
            }
            f.write_str(name)?;
            first = false;
        }
        Ok(())
    }
}

/// A price with the flags that travel with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FlaggedPrice {
    /// The price (price units); 0 when [`PriceFlags::NO_PRICE`] is set.
    pub price: i64,
    /// Its quality flags.
    pub flags: PriceFlags,
}

impl FlaggedPrice {
    /// A price without flags.
    #[must_use]
    pub const fn new(price: i64) -> Self {
        Self {
            price,
            flags: PriceFlags::NONE,
        }
    }

    /// A price with flags.
    #[must_use]
    pub const fn with_flags(price: i64, flags: PriceFlags) -> Self {
        Self { price, flags }
    }
}
