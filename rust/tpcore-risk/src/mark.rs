//! Mark price of a perpetual, and the moving averages of its basis.
//!
//! # Method
//!
//! The mark price is the **median of three prices** (Binance's published method for
//! USDⓈ-M perpetuals):
//!
//! 1. the funding basis price: `index x (1 + funding rate x time to funding / interval)`;
//! 2. the moving-average basis price: `index + average(mid - index)`, the average a
//!    time-weighted ([`Twap`]) or exponential ([`Ema`]) one kept by the caller, fed with
//!    `mid - index` at each sample;
//! 3. the last traded price.
//!
//! A component the caller does not have (no basis average yet, no trade yet) is left
//! out: the median of two is their mean rounded down, of one is itself. The mark carries
//! the flags of the index it was built from. Every division rounds down (the mark is not
//! a holder-specific amount; any fixed direction keeps it deterministic).

use std::collections::VecDeque;

use crate::RiskError;
use crate::fixed::{RATE_SCALE, Round, div_round, mul_div, narrow};
use crate::flags::FlaggedPrice;

/// An exponential moving average with smoothing `alpha` (x 10^8, in `(0, 100%]`):
/// `ema = ema + alpha x (x - ema)`, rounded down; the first sample sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ema {
    alpha: i64,
    value: Option<i64>,
}

impl Ema {
    /// An empty average.
    ///
    /// # Errors
    ///
    /// [`RiskError::InvalidConfig`] when `alpha` is not in `(0, 100%]`.
    pub fn new(alpha: i64) -> Result<Self, RiskError> {
        if alpha <= 0 || alpha > RATE_SCALE {
            return Err(RiskError::InvalidConfig {
                field: "alpha",
                detail: "must be in (0, 100%]".to_owned(),
            });
        }
        Ok(Self { alpha, value: None })
    }

    /// Adds a sample and returns the new average.
    ///
    /// # Errors
    ///
    /// [`RiskError::Overflow`] when the average leaves the `i64` range.
    pub fn update(&mut self, sample: i64) -> Result<i64, RiskError> {
        let next = match self.value {
            None => sample,
            Some(ema) => {
                let step = div_round(
                    (i128::from(sample) - i128::from(ema)) * i128::from(self.alpha),
                    i128::from(RATE_SCALE),
                    Round::Floor,
                )?;
                narrow(i128::from(ema) + step, "ema")?
            }
        };
        self.value = Some(next);
        Ok(next)
    }

    /// The current average, if any sample was added.
    #[must_use]
    pub fn value(&self) -> Option<i64> {
        self.value
    }
}

/// A time-weighted average over a trailing window: each sample holds until the next one,
/// and the average of that step function over `[now - window, now]` (from the first
/// sample if later) is taken, rounded down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Twap {
    window: i64,
    samples: VecDeque<(i64, i64)>,
}

impl Twap {
    /// An empty average over `window` (the caller's time unit).
    ///
    /// # Errors
    ///
    /// [`RiskError::InvalidConfig`] when the window is not positive.
    pub fn new(window: i64) -> Result<Self, RiskError> {
        if window <= 0 {
            return Err(RiskError::InvalidConfig {
                field: "window",
                detail: "must be positive".to_owned(),
            });
        }
        Ok(Self {
            window,
            samples: VecDeque::new(),
        })
    }

    /// Adds a sample taken at `timestamp` (timestamps must not decrease; an older one is
    /// ignored) and drops samples that no longer reach into the window.
    pub fn update(&mut self, timestamp: i64, value: i64) {
        if self.samples.back().is_some_and(|&(t, _)| t > timestamp) {
            return;
        }
        self.samples.push_back((timestamp, value));
        let start = timestamp.saturating_sub(self.window);
        // Keep the last sample at or before the window start: it covers the window's head.
        while self.samples.len() >= 2 && self.samples[1].0 <= start {
            self.samples.pop_front();
        }
    }

    /// The average at `now`, if any sample was added.
    #[must_use]
    pub fn average(&self, now: i64) -> Option<i64> {
        let start = now.saturating_sub(self.window);
        let mut weighted = 0i128;
        let mut span = 0i128;
        let mut last = None;
        for (k, &(t, v)) in self.samples.iter().enumerate() {
            if t > now {
                break;
            }
            last = Some(v);
            let end = self
                .samples
                .get(k + 1)
                .map_or(now, |&(next, _)| next.min(now));
            let begin = t.max(start);
            if end > begin {
                let dt = i128::from(end) - i128::from(begin);
                weighted += i128::from(v) * dt;
                span += dt;
            }
        }
        if span == 0 {
            return last;
        }
        div_round(weighted, span, Round::Floor)
            .ok()
            .and_then(|avg| i64::try_from(avg).ok())
    }
}

/// The inputs of one mark price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MarkInputs {
    /// The index price and its flags.
    pub index: FlaggedPrice,
    /// The current funding rate (x 10^8).
    pub funding_rate: i64,
    /// Time until the next funding (the caller's time unit).
    pub time_to_funding: i64,
    /// The funding interval (same unit, positive).
    pub funding_interval: i64,
    /// The moving average of `mid - index`, if there is one.
    pub basis_average: Option<i64>,
    /// The last traded price, if any.
    pub last_price: Option<i64>,
}

/// `index x (1 + funding_rate x time_to_funding / funding_interval)`, rounded down.
///
/// # Errors
///
/// [`RiskError::DivisionByZero`] for a zero interval; [`RiskError::Overflow`] when the
/// price does not fit.
pub fn funding_basis_price(
    index: i64,
    funding_rate: i64,
    time_to_funding: i64,
    funding_interval: i64,
) -> Result<i64, RiskError> {
    let premium = mul_div(
        i128::from(index) * i128::from(funding_rate),
        i128::from(time_to_funding),
        i128::from(funding_interval) * i128::from(RATE_SCALE),
        Round::Floor,
    )?;
    narrow(i128::from(index) + premium, "funding basis price")
}

/// The mark price (see the module documentation), with the index's flags.
///
/// # Errors
///
/// [`RiskError::InvalidPrice`] (symbol 0) for a non-positive index or last price; the
/// errors of [`funding_basis_price`]; [`RiskError::Overflow`] when the basis price does
/// not fit.
pub fn mark_price(inputs: &MarkInputs) -> Result<FlaggedPrice, RiskError> {
    let index = inputs.index.price;
    if index <= 0 {
        return Err(RiskError::InvalidPrice {
            symbol: 0,
            price: index,
        });
    }
    let mut prices = [0i64; 3];
    let mut n = 0;
    prices[n] = funding_basis_price(
        index,
        inputs.funding_rate,
        inputs.time_to_funding,
        inputs.funding_interval,
    )?;
    n += 1;
    if let Some(basis) = inputs.basis_average {
        prices[n] = narrow(i128::from(index) + i128::from(basis), "basis price")?;
        n += 1;
    }
    if let Some(last) = inputs.last_price {
        if last <= 0 {
            return Err(RiskError::InvalidPrice {
                symbol: 0,
                price: last,
            });
        }
        prices[n] = last;
        n += 1;
    }
    let prices = &mut prices[..n];
    prices.sort_unstable();
    let mark = match prices {
        [a, b] => narrow(
            (i128::from(*a) + i128::from(*b)).div_euclid(2),
            "mark price",
        )?,
        [.., mid, _] | [mid] => *mid,
        [] => index,
    };
    Ok(FlaggedPrice::with_flags(mark, inputs.index.flags))
}
