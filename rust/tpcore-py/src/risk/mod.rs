//! Bindings of `tpcore-risk`: index and mark prices, brackets and contracts, one account's
//! margin, and the columnar `RiskBook` with its incremental form and liquidation orders.
//!
//! Every amount is the core's fixed-point integer (x 10^8); `tpcore.risk` converts
//! decimals at the edge. Batch calls borrow numpy arrays without copying them and release
//! the GIL through [`crate::parallel`].

mod account;
mod batch;
mod columns;
mod config;
mod contract;
mod index;
mod liquidation;
mod mark;

use pyo3::prelude::*;
use tpcore_risk::{NO_LIQUIDATION_PRICE, fixed};

use crate::error::CoreError;

/// Looks `value` up in a table of `(name, choice)`, or raises `InvalidInput` naming the
/// argument and the accepted names.
pub(crate) fn choice<T: Copy>(name: &str, value: &str, table: &[(&str, T)]) -> PyResult<T> {
    table
        .iter()
        .find(|(text, _)| *text == value)
        .map(|&(_, choice)| choice)
        .ok_or_else(|| {
            let names: Vec<String> = table.iter().map(|(text, _)| format!("{text:?}")).collect();
            CoreError::argument(
                "invalid_enum",
                format!("{name} must be one of {}, not {value:?}", names.join(", ")),
            )
            .into()
        })
}

/// The name of a table entry (the inverse of [`choice`]).
pub(crate) fn name_of<T: PartialEq>(value: &T, table: &[(&'static str, T)]) -> &'static str {
    table
        .iter()
        .find(|(_, choice)| choice == value)
        .map_or("", |(text, _)| text)
}

/// Adds the risk functions and classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("RISK_SCALE", fixed::SCALE)?;
    m.add("NO_LIQUIDATION_PRICE", NO_LIQUIDATION_PRICE)?;
    config::register(m)?;
    index::register(m)?;
    mark::register(m)?;
    contract::register(m)?;
    account::register(m)?;
    batch::register(m)?;
    Ok(())
}
