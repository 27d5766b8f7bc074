//! Margin and risk for tpcore: index and mark prices, tiered margin, liquidation prices and
//! batch marking of positions.
//!
//! Fixed-point integers throughout. The crate is filled in by the risk work; today it holds
//! its error type only.
#![forbid(unsafe_code)]

mod error;

pub use error::RiskError;
