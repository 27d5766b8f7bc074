//! Bindings of `tpcore-eth`, in eth-account's dialect.

mod convert;
mod tx;

use pyo3::prelude::*;

/// Adds the Ethereum functions and classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    tx::register(m)?;
    Ok(())
}
