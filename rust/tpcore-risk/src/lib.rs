//! Margin and risk for tpcore: index and mark prices, tiered margin, liquidation prices,
//! batch marking of positions and liquidation candidates.
//!
//! The crate is pure Rust: no I/O, no clock (time is always an argument), no Python.
//! State that persists between calls (an index's last good price and breaker window, a
//! basis average) lives in structs the caller owns; the same inputs and state give the same
//! outputs, whatever the number of threads.
//!
//! # Scales
//!
//! Every amount is an `i64` fixed-point number with 8 decimal places ([`fixed::SCALE`]):
//!
//! | amount | unit | example |
//! | --- | --- | --- |
//! | price | quote per base x 10^8 | 32,481.98 USDT = `3_248_198_000_000` |
//! | quantity | base units (linear) or contracts (inverse) x 10^8 | 109.488 BTC = `10_948_800_000` |
//! | value: balance, notional, PnL, margin | settlement asset x 10^8 (USDT for linear, the coin for inverse) | 1,300 USDT = `130_000_000_000` |
//! | rate: MMR, funding, haircut, band, margin ratio | fraction x 10^8 | 0.5% = `500_000`, 100% = `100_000_000` |
//! | face value (inverse) | quote per contract x 10^8 | 100 USD = `10_000_000_000` |
//!
//! Intermediates are `i128`; a product of two amounts always fits, triple products go
//! through [`fixed::mul_div`] (256-bit when needed). A result that does not fit its `i64`
//! is [`RiskError::Overflow`], never a wrap or a panic.
//!
//! # Rounding
//!
//! Every division rounds explicitly, and in the direction that is conservative for the
//! venue:
//!
//! | quantity | direction |
//! | --- | --- |
//! | notional | up (a higher tier, a higher margin) |
//! | maintenance margin | up; maintenance amounts (cum) down |
//! | initial margin | up |
//! | unrealized PnL (for the holder) | down |
//! | margin ratio | up |
//! | liquidation price | against the holder, to the tick: up for a long, down for a short |
//! | bankruptcy price (liquidation order limit) | the same: up for a sell, down for a buy |
//! | portfolio value (spot) | down |
//! | index (weighted mean), mark, EMA, TWAP | down (not holder-specific; fixed for determinism) |
//!
//! # Modules
//!
//! - [`fixed`]: scales, rounding helpers, checked and wide arithmetic, decimal parsing.
//! - [`flags`]: [`PriceFlags`] that travel with a price.
//! - [`index`]: index price from many sources; staleness, outliers, minimum, circuit breaker.
//! - [`mark`]: mark price of a perpetual (median of three) and the basis averages.
//! - [`contract`]: linear and inverse perpetuals; notional and PnL.
//! - [`bracket`]: leverage brackets; maintenance and initial margin.
//! - [`margin`]: one position's margin, liquidation and bankruptcy prices.
//! - [`account`]: one account, cross and isolated (the scalar reference of the batch).
//! - [`batch`]: columnar marking of many accounts in parallel, and its incremental form.
//! - [`liquidation`]: candidates at or past maintenance and their closing orders.
//! - [`portfolio`]: spot portfolio valuation with haircuts.
//!
//! # Sources of the formulas
//!
//! The maintenance margin with a maintenance amount, the USDⓈ-M and COIN-M liquidation
//! price formulas (one-way mode, cross and isolated) and the mark price method are those
//! Binance publishes for its futures; the tests keep its worked examples, with the bracket
//! tables of their date, as test data.
//!
//! # Performance
//!
//! The batch reads and writes every column once, in order, per chunk of accounts. Per
//! position it does two `i128` products split so that the division by 10^8 is a 64-bit
//! division by a constant ([`fixed::mul_scale`]), a branch-free tier count, and for the
//! liquidation price one 128-by-64-bit division plus a 64-bit one for the tick. Release
//! builds keep overflow checks, so products that cannot overflow are spelled as widening
//! multiplies ([`fixed::wide_mul64`]). Inverse contracts cost about twice as much as linear
//! ones (a 256-bit intermediate for the liquidation price). The criterion bench
//! `benches/risk.rs` has the figures.
//!
//! # Known limitations
//!
//! - One-way mode only (no hedge mode: one position per symbol and margin mode).
//! - Margin excludes open orders, fees and accrued funding: the caller settles funding and
//!   fees into the wallet, and order margin is not modelled.
//! - The liquidation price follows the published formula: it holds every other position at
//!   its current mark and excludes the closing fee.
//! - Values must fit an `i64` at 10^-8 (about 92 billion units of the settlement asset);
//!   beyond that a computation returns [`RiskError::Overflow`].
#![forbid(unsafe_code)]

pub mod account;
pub mod batch;
pub mod bracket;
pub mod contract;
mod divide;
mod error;
mod fast;
pub mod fixed;
pub mod flags;
pub mod index;
mod kernel;
mod ladder;
pub mod liquidation;
pub mod margin;
pub mod mark;
pub mod portfolio;

pub use account::{AccountRisk, MarginMode, Position, PositionRisk, evaluate_account};
pub use batch::{
    AccountOut, BatchBuffers, BatchInput, BatchOut, NO_LIQUIDATION_PRICE, PositionColumns,
    PositionIndex, PositionOut,
};
pub use bracket::{Brackets, Tier, TierSpec};
pub use contract::{Contract, ContractKind};
pub use error::RiskError;
pub use flags::{FlaggedPrice, PriceFlags};
pub use index::{
    Aggregation, CircuitBreaker, IndexConfig, IndexPrice, IndexState, OutlierRule, Quote,
};
pub use liquidation::{LiquidationCandidate, LiquidationOrder, Pool};
pub use margin::{PositionMetrics, bankruptcy_price, liquidation_price, position_metrics};
pub use mark::{Ema, MarkInputs, Twap, mark_price};
pub use portfolio::{PortfolioValue, portfolio_value};
