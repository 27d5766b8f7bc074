//! Index price from many source quotes, with staleness, outlier rules, a minimum of live
//! sources and a circuit breaker.
//!
//! # Method
//!
//! One computation, for one symbol at time `now` (the caller's clock, in any unit shared
//! with the quote timestamps; the crate reads no clock):
//!
//! 1. **Live quotes.** A quote is dropped when its price or weight is not positive, or it
//!    is older than `max_age` (`now - timestamp > max_age`; a timestamp ahead of `now` is
//!    live). Any drop sets [`PriceFlags::STALE_SOURCE`].
//! 2. **Reference.** The median of the live prices, unweighted: the lower middle price
//!    (index `(n - 1) / 2` of the sorted prices), robust to one heavy or wild source.
//! 3. **Outliers.** With a band `b`, the accepted range is
//!    `[median - floor(median x b), median + floor(median x b)]`. [`OutlierRule::Drop`]
//!    gives zero weight to quotes outside it; [`OutlierRule::Clamp`] moves their price to
//!    the nearest bound. Either sets [`PriceFlags::OUTLIER`] when it acts.
//! 4. **Minimum.** Fewer than `min_sources` quotes left (after dropping): the result is the
//!    last good price with [`PriceFlags::UNCERTAIN`] (price 0 with
//!    [`PriceFlags::NO_PRICE`] as well if there has never been one). This computation
//!    leaves the state (last good price, window, breaker) untouched.
//! 5. **Aggregate.** [`Aggregation::WeightedMean`]: `sum(price x weight) / sum(weight)`,
//!    rounded down. [`Aggregation::WeightedMedian`]: the lowest price at which the
//!    cumulative weight reaches half of the total.
//! 6. **Circuit breaker** (optional). The candidate *moves beyond the threshold* `x` when
//!    it is above `min x (1 + x)` or below `max x (1 - x)`, where `min` and `max` are over
//!    the good prices published within the last `window` (timestamps `>= now - window`).
//!    Such a move is **held**: the result is the last good price with
//!    [`PriceFlags::CIRCUIT_BREAKER`], and nothing enters the window. The move is
//!    **confirmed** on the `confirmations`-th consecutive computation whose candidate moves
//!    beyond the threshold in the same direction (up or down relative to the last good
//!    price); the candidate is then published, the window restarts from it, and the count
//!    resets. A candidate within the threshold is published and resets the count;
//!    uncertain computations (step 4) neither count nor reset. A window with no price left
//!    in it holds nothing. `confirmations = 1` publishes every move at once (the breaker
//!    never holds). The window holds the prices published while a breaker is configured:
//!    without one, only the last good price is kept.
//!
//! Everything is integer arithmetic in a fixed order, so the same quotes, `now` and state
//! give the same price and state. The state ([`IndexState`]) belongs to the caller.
//!
//! # Performance
//!
//! The median of step 2 is a selection (`select_nth_unstable`), not a sort, for the
//! weighted mean: the price at index `(n - 1) / 2` in price order is the same either way,
//! and the mean's exact sums of positive terms do not depend on the order. The weighted
//! median still sorts. The mean's division is 128 by 64 bits when the weights sum below
//! 2^64. [`compute_many_columns`] reads `(symbols, sources)` columns in place (no
//! [`Quote`]s are built), and both batch forms run tasks of 64 symbols, each with one
//! scratch buffer for all its symbols.

use std::collections::VecDeque;

use rayon::prelude::*;

use crate::RiskError;
use crate::fixed::{RATE_SCALE, Round, apply_rate, div_round, narrow};
use crate::flags::{FlaggedPrice, PriceFlags};

/// One source's quote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Quote {
    /// The price (price units).
    pub price: i64,
    /// The weight (volume or a fixed weight), positive.
    pub weight: i64,
    /// When the source published it (the caller's time unit).
    pub timestamp: i64,
}

impl Quote {
    /// A quote.
    #[must_use]
    pub const fn new(price: i64, weight: i64, timestamp: i64) -> Self {
        Self {
            price,
            weight,
            timestamp,
        }
    }
}

/// What happens to a quote outside the band around the median.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutlierRule {
    /// No band.
    None,
    /// Zero weight beyond `band` (x 10^8) around the median.
    Drop {
        /// Half-width of the band as a fraction of the median (x 10^8).
        band: i64,
    },
    /// Clamp the price to the median x (1 +/- `band`).
    Clamp {
        /// Half-width of the band as a fraction of the median (x 10^8).
        band: i64,
    },
}

/// How the live quotes are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aggregation {
    /// Weighted mean, rounded down.
    WeightedMean,
    /// Lower weighted median.
    WeightedMedian,
}

/// The circuit breaker of an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CircuitBreaker {
    /// The largest move allowed within the window (x 10^8).
    pub threshold: i64,
    /// The window (the caller's time unit).
    pub window: i64,
    /// Consecutive computations beyond the threshold that confirm a move (>= 1).
    pub confirmations: u32,
}

/// The rules of one index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IndexConfig {
    /// Oldest quote age still live (the caller's time unit).
    pub max_age: i64,
    /// Minimum of live sources for a good price (>= 1).
    pub min_sources: usize,
    /// The outlier rule.
    pub outliers: OutlierRule,
    /// How the live quotes are combined.
    pub aggregation: Aggregation,
    /// The circuit breaker, if any.
    pub breaker: Option<CircuitBreaker>,
}

impl IndexConfig {
    /// Checks the fields.
    ///
    /// # Errors
    ///
    /// [`RiskError::InvalidConfig`] naming the field: `max_age` negative, `min_sources` 0,
    /// a band outside `[0, 100%)`, a breaker threshold not positive, a window not positive,
    /// or zero confirmations.
    pub fn validate(&self) -> Result<(), RiskError> {
        let bad = |field: &'static str, detail: &str| {
            Err(RiskError::InvalidConfig {
                field,
                detail: detail.to_owned(),
            })
        };
        if self.max_age < 0 {
            return bad("max_age", "must not be negative");
        }
        if self.min_sources == 0 {
            return bad("min_sources", "must be at least 1");
        }
        if let OutlierRule::Drop { band } | OutlierRule::Clamp { band } = self.outliers
            && !(0..RATE_SCALE).contains(&band)
        {
            return bad("band", "must be in [0, 100%)");
        }
        if let Some(b) = self.breaker {
            if b.threshold <= 0 {
                return bad("threshold", "must be positive");
            }
            if b.window <= 0 {
                return bad("window", "must be positive");
            }
            if b.confirmations == 0 {
                return bad("confirmations", "must be at least 1");
            }
        }
        Ok(())
    }
}

/// The result of one index computation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct IndexPrice {
    /// The published price (price units); 0 with [`PriceFlags::NO_PRICE`].
    pub price: i64,
    /// Quality flags.
    pub flags: PriceFlags,
    /// The sources that contributed to the candidate (after dropping).
    pub sources: u32,
}

impl From<IndexPrice> for FlaggedPrice {
    fn from(p: IndexPrice) -> Self {
        Self::with_flags(p.price, p.flags)
    }
}

/// The state of one index between computations: the last good price, the window of good
/// prices for the breaker, and the breaker's pending count. Owned by the caller. Two states
/// are equal when they hold the same prices, window and count (the scratch buffer aside).
#[derive(Debug, Clone, Default)]
pub struct IndexState {
    last_good: Option<i64>,
    /// Good prices in the window, as (timestamp, price), ascending prices (window minimum
    /// first) — a monotonic deque.
    window_min: VecDeque<(i64, i64)>,
    /// The same, descending prices (window maximum first).
    window_max: VecDeque<(i64, i64)>,
    /// Direction (+1 up, -1 down) and count of consecutive held moves.
    pending: (i8, u32),
    /// Scratch for the live quotes, reused between computations.
    scratch: Vec<(i64, i64)>,
}

impl PartialEq for IndexState {
    fn eq(&self, other: &Self) -> bool {
        self.last_good == other.last_good
            && self.window_min == other.window_min
            && self.window_max == other.window_max
            && self.pending == other.pending
    }
}

impl Eq for IndexState {}

impl IndexState {
    /// An empty state: no good price yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A state that starts from a known good price (for example after a restart).
    #[must_use]
    pub fn with_last_good(price: i64, timestamp: i64) -> Self {
        let mut state = Self::default();
        state.accept(price, timestamp);
        state
    }

    /// The last good price, if any.
    #[must_use]
    pub fn last_good(&self) -> Option<i64> {
        self.last_good
    }

    /// The number of consecutive held moves awaiting confirmation.
    #[must_use]
    pub fn pending_confirmations(&self) -> u32 {
        self.pending.1
    }

    fn accept(&mut self, price: i64, now: i64) {
        self.last_good = Some(price);
        while self.window_min.back().is_some_and(|&(_, p)| p >= price) {
            self.window_min.pop_back();
        }
        self.window_min.push_back((now, price));
        while self.window_max.back().is_some_and(|&(_, p)| p <= price) {
            self.window_max.pop_back();
        }
        self.window_max.push_back((now, price));
    }

    fn expire(&mut self, oldest: i64) {
        while self.window_min.front().is_some_and(|&(t, _)| t < oldest) {
            self.window_min.pop_front();
        }
        while self.window_max.front().is_some_and(|&(t, _)| t < oldest) {
            self.window_max.pop_front();
        }
    }

    fn fallback(&self, flags: PriceFlags, sources: u32) -> IndexPrice {
        match self.last_good {
            Some(price) => IndexPrice {
                price,
                flags: flags | PriceFlags::UNCERTAIN,
                sources,
            },
            None => IndexPrice {
                price: 0,
                flags: flags | PriceFlags::UNCERTAIN | PriceFlags::NO_PRICE,
                sources,
            },
        }
    }

    /// Computes the index from `quotes` at `now` (see the module documentation) and
    /// updates the state.
    ///
    /// # Errors
    ///
    /// [`RiskError::InvalidConfig`] for an invalid config; [`RiskError::Overflow`] when a
    /// weight sum does not fit.
    pub fn compute(
        &mut self,
        config: &IndexConfig,
        quotes: &[Quote],
        now: i64,
    ) -> Result<IndexPrice, RiskError> {
        config.validate()?;
        self.compute_unchecked(config, quotes, now)
    }

    fn compute_unchecked(
        &mut self,
        config: &IndexConfig,
        quotes: &[Quote],
        now: i64,
    ) -> Result<IndexPrice, RiskError> {
        let mut live = std::mem::take(&mut self.scratch);
        let result = self.compute_with(
            config,
            quotes.iter().map(|q| (q.price, q.weight, q.timestamp)),
            now,
            &mut live,
        );
        self.scratch = live;
        result
    }

    /// The computation of [`IndexState::compute`] from `(price, weight, timestamp)`
    /// quotes, with `live` as scratch (its contents are replaced).
    fn compute_with(
        &mut self,
        config: &IndexConfig,
        quotes: impl ExactSizeIterator<Item = (i64, i64, i64)>,
        now: i64,
        live: &mut Vec<(i64, i64)>,
    ) -> Result<IndexPrice, RiskError> {
        let mut flags = PriceFlags::NONE;
        live.clear();
        // One allocation for a new buffer instead of one per doubling.
        live.reserve(quotes.len());
        for (price, weight, timestamp) in quotes {
            let fresh = i128::from(now) - i128::from(timestamp) <= i128::from(config.max_age);
            if price > 0 && weight > 0 && fresh {
                live.push((price, weight));
            } else {
                flags |= PriceFlags::STALE_SOURCE;
            }
        }
        self.aggregate(config, live, flags, now)
    }

    fn aggregate(
        &mut self,
        config: &IndexConfig,
        live: &mut Vec<(i64, i64)>,
        mut flags: PriceFlags,
        now: i64,
    ) -> Result<IndexPrice, RiskError> {
        if live.is_empty() || live.len() < config.min_sources {
            return Ok(self.fallback(flags, live.len() as u32));
        }
        // The lower median: the price at index (n - 1) / 2 in price order, whatever the
        // order of equal prices. The weighted median needs every quote in price order;
        // the mean needs none (its sums are exact and every term positive, so their order
        // changes nothing), so a selection is enough.
        let middle = (live.len() - 1) / 2;
        let median = match config.aggregation {
            Aggregation::WeightedMedian => {
                live.sort_unstable();
                live[middle].0
            }
            Aggregation::WeightedMean => live.select_nth_unstable_by_key(middle, |q| q.0).1.0,
        };
        match config.outliers {
            OutlierRule::None => {}
            OutlierRule::Drop { band } => {
                let (lo, hi) = band_bounds(median, band);
                let before = live.len();
                live.retain(|&(p, _)| (lo..=hi).contains(&p));
                if live.len() != before {
                    flags |= PriceFlags::OUTLIER;
                }
            }
            OutlierRule::Clamp { band } => {
                let (lo, hi) = band_bounds(median, band);
                for quote in live.iter_mut() {
                    let clamped = quote.0.clamp(lo, hi);
                    if clamped != quote.0 {
                        quote.0 = clamped;
                        flags |= PriceFlags::OUTLIER;
                    }
                }
            }
        }
        let sources = live.len() as u32;
        if live.is_empty() || live.len() < config.min_sources {
            return Ok(self.fallback(flags, sources));
        }
        let total: i128 = live.iter().map(|&(_, w)| i128::from(w)).sum();
        let candidate = match config.aggregation {
            Aggregation::WeightedMean => {
                let weighted = live
                    .iter()
                    .try_fold(0i128, |acc, &(p, w)| {
                        acc.checked_add(i128::from(p) * i128::from(w))
                    })
                    .ok_or(RiskError::overflow("index mean"))?;
                // Both sums are positive; below 2^64, the divisor takes the hardware's
                // 128-by-64-bit division.
                narrow(
                    match (u128::try_from(weighted), u64::try_from(total)) {
                        (Ok(weighted), Ok(total)) => (weighted / u128::from(total)).cast_signed(),
                        _ => div_round(weighted, total, Round::Floor)?,
                    },
                    "index mean",
                )?
            }
            Aggregation::WeightedMedian => {
                let mut cumulative = 0i128;
                let mut chosen = live[live.len() - 1].0;
                for &(p, w) in live.iter() {
                    cumulative += i128::from(w);
                    if 2 * cumulative >= total {
                        chosen = p;
                        break;
                    }
                }
                chosen
            }
        };
        Ok(self.publish(config, candidate, flags, sources, now))
    }

    fn publish(
        &mut self,
        config: &IndexConfig,
        candidate: i64,
        flags: PriceFlags,
        sources: u32,
        now: i64,
    ) -> IndexPrice {
        let published = IndexPrice {
            price: candidate,
            flags,
            sources,
        };
        let Some(breaker) = config.breaker else {
            // No breaker reads the window: only the last good price is kept (nothing is
            // allocated).
            self.last_good = Some(candidate);
            return published;
        };
        let Some(last) = self.last_good else {
            self.accept(candidate, now);
            return published;
        };
        self.expire(now.saturating_sub(breaker.window));
        let beyond = match (self.window_min.front(), self.window_max.front()) {
            (Some(&(_, min)), Some(&(_, max))) => {
                let scale = i128::from(RATE_SCALE);
                let c = i128::from(candidate) * scale;
                c > i128::from(min) * (scale + i128::from(breaker.threshold))
                    || c < i128::from(max) * (scale - i128::from(breaker.threshold))
            }
            _ => false,
        };
        if !beyond {
            self.pending = (0, 0);
            self.accept(candidate, now);
            return published;
        }
        let direction: i8 = if candidate >= last { 1 } else { -1 };
        self.pending = if self.pending.0 == direction {
            (direction, self.pending.1 + 1)
        } else {
            (direction, 1)
        };
        if self.pending.1 >= breaker.confirmations {
            // Confirmed: the move is real; the window restarts from it.
            self.pending = (0, 0);
            self.window_min.clear();
            self.window_max.clear();
            self.accept(candidate, now);
            return published;
        }
        IndexPrice {
            price: last,
            flags: flags | PriceFlags::CIRCUIT_BREAKER,
            sources,
        }
    }
}

/// `[median - floor(median x band), median + floor(median x band)]`.
fn band_bounds(median: i64, band: i64) -> (i64, i64) {
    // median x band < median, so the delta fits an i64.
    let delta = apply_rate(median, band, Round::Floor) as i64;
    (median - delta, median.saturating_add(delta))
}

/// Symbols per unit of parallel work in [`compute_many`] and [`compute_many_columns`]: one
/// scratch buffer each, and few enough tasks that scheduling them costs little.
const SYMBOLS_PER_TASK: usize = 64;

/// Computes many indices at once, in parallel over symbols: symbol `s` has state
/// `states[s]`, quotes `quotes[offsets[s]..offsets[s + 1]]`, and its result goes to
/// `out[s]`. All share one config and `now`.
///
/// # Errors
///
/// [`RiskError::InvalidConfig`] for an invalid config; [`RiskError::LengthMismatch`] when
/// `offsets` is not one longer than `states` or `out` differs from `states`;
/// [`RiskError::InvalidConfig`] for offsets that do not ascend within `quotes`;
/// [`RiskError::Row`] for the first symbol whose computation fails.
pub fn compute_many(
    config: &IndexConfig,
    states: &mut [IndexState],
    quotes: &[Quote],
    offsets: &[usize],
    now: i64,
    out: &mut [IndexPrice],
) -> Result<(), RiskError> {
    config.validate()?;
    if offsets.len() != states.len() + 1 {
        return Err(RiskError::LengthMismatch {
            field: "offsets",
            expected: states.len() + 1,
            got: offsets.len(),
        });
    }
    if out.len() != states.len() {
        return Err(RiskError::LengthMismatch {
            field: "out",
            expected: states.len(),
            got: out.len(),
        });
    }
    if offsets[0] != 0
        || offsets.windows(2).any(|w| w[0] > w[1])
        || offsets[offsets.len() - 1] > quotes.len()
    {
        return Err(RiskError::InvalidConfig {
            field: "offsets",
            detail: "must start at 0, ascend, and end within the quotes".to_owned(),
        });
    }
    run_tasks(states, out, |s, state, live| {
        let own = &quotes[offsets[s]..offsets[s + 1]];
        let quotes = own.iter().map(|q| (q.price, q.weight, q.timestamp));
        state.compute_with(config, quotes, now, live)
    })
}

/// Computes many indices at once from columns, as [`compute_many`] does: symbol `s` has
/// state `states[s]`, its quotes are the `width` entries of row `s` of the row-major
/// `(symbols, width)` arrays `prices`, `weights` and `timestamps`, and its result goes to
/// `out[s]`. Nothing is copied into [`Quote`]s.
///
/// # Errors
///
/// As [`compute_many`]; [`RiskError::LengthMismatch`] when a column is not
/// `states.len() x width` long.
#[allow(
    clippy::too_many_arguments,
    reason = "the columns of one table, the config and the clock"
)]
pub fn compute_many_columns(
    config: &IndexConfig,
    states: &mut [IndexState],
    prices: &[i64],
    weights: &[i64],
    timestamps: &[i64],
    width: usize,
    now: i64,
    out: &mut [IndexPrice],
) -> Result<(), RiskError> {
    config.validate()?;
    if out.len() != states.len() {
        return Err(RiskError::LengthMismatch {
            field: "out",
            expected: states.len(),
            got: out.len(),
        });
    }
    let expected = states
        .len()
        .checked_mul(width)
        .ok_or(RiskError::overflow("quotes"))?;
    for (field, got) in [
        ("prices", prices.len()),
        ("weights", weights.len()),
        ("timestamps", timestamps.len()),
    ] {
        if got != expected {
            return Err(RiskError::LengthMismatch {
                field,
                expected,
                got,
            });
        }
    }
    run_tasks(states, out, |s, state, live| {
        let row = s * width..(s + 1) * width;
        let quotes = prices[row.clone()]
            .iter()
            .zip(&weights[row.clone()])
            .zip(&timestamps[row])
            .map(|((&p, &w), &t)| (p, w, t));
        state.compute_with(config, quotes, now, live)
    })
}

/// Runs `compute(symbol, state, scratch)` for every symbol into `out`, in parallel tasks
/// of [`SYMBOLS_PER_TASK`] symbols sharing one scratch buffer. Every symbol is computed
/// (a failing one leaves its slot and state as they were); the error is that of the first
/// failing symbol.
fn run_tasks(
    states: &mut [IndexState],
    out: &mut [IndexPrice],
    compute: impl Fn(usize, &mut IndexState, &mut Vec<(i64, i64)>) -> Result<IndexPrice, RiskError>
    + Sync,
) -> Result<(), RiskError> {
    let results: Vec<Result<(), RiskError>> = states
        .par_chunks_mut(SYMBOLS_PER_TASK)
        .zip(out.par_chunks_mut(SYMBOLS_PER_TASK))
        .enumerate()
        .map(|(task, (states, slots))| {
            let mut live = Vec::new();
            let mut first_error = Ok(());
            for (k, (state, slot)) in states.iter_mut().zip(slots).enumerate() {
                let s = task * SYMBOLS_PER_TASK + k;
                match compute(s, state, &mut live) {
                    Ok(price) => *slot = price,
                    Err(e) if first_error.is_ok() => first_error = Err(e.at_row(s)),
                    Err(_) => {}
                }
            }
            first_error
        })
        .collect();
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columnar batch (tasks sharing scratch, selection for the mean's median) gives
    /// the results and states of computing each symbol on its own.
    #[test]
    fn columns_match_one_by_one() {
        let mut state: u64 = 0x1234_5678_9abc_def1;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n).cast_signed()
        };
        let (symbols, width) = (300, 7);
        let mut prices = Vec::new();
        let (mut weights, mut stamps) = (Vec::new(), Vec::new());
        for s in 0..symbols {
            let base = (1 + i64::try_from(s).unwrap()) * 100_000_000;
            for _ in 0..width {
                // Duplicate prices, wild ones, stale and zero-weight sources.
                let price = match next(10) {
                    0 => base * 3,
                    1 => -1,
                    2..=4 => base,
                    _ => base + base / 1_000 * (next(40) - 20),
                };
                prices.push(price);
                weights.push(next(5) * 1_000_000_000);
                stamps.push(next(1_500));
            }
        }
        for aggregation in [Aggregation::WeightedMean, Aggregation::WeightedMedian] {
            for outliers in [
                OutlierRule::None,
                OutlierRule::Drop { band: 1_000_000 },
                OutlierRule::Clamp { band: 1_000_000 },
            ] {
                let config = IndexConfig {
                    max_age: 1_000,
                    min_sources: 2,
                    outliers,
                    aggregation,
                    breaker: None,
                };
                let mut batch_states = vec![IndexState::new(); symbols];
                let mut out = vec![IndexPrice::default(); symbols];
                compute_many_columns(
                    &config,
                    &mut batch_states,
                    &prices,
                    &weights,
                    &stamps,
                    width,
                    1_200,
                    &mut out,
                )
                .unwrap();
                for s in 0..symbols {
                    let quotes: Vec<Quote> = (s * width..(s + 1) * width)
                        .map(|i| Quote::new(prices[i], weights[i], stamps[i]))
                        .collect();
                    let mut one = IndexState::new();
                    assert_eq!(one.compute(&config, &quotes, 1_200).unwrap(), out[s]);
                    assert_eq!(one, batch_states[s]);
                }
            }
        }
    }
}
