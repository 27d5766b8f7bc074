//! Bindings of `tpcore-eth`, in eth-account's dialect.

mod abi;
mod convert;
mod fees;
mod json;
mod message;
mod tx;
mod typed_batch;
mod typed_read;

use pyo3::prelude::*;

/// Adds the Ethereum functions and classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    tx::register(m)?;
    message::register(m)?;
    abi::register(m)?;
    fees::register(m)?;
    Ok(())
}
