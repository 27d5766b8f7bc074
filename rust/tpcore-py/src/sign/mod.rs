//! Bindings of `tpcore-sign`: batch functions over numpy arrays and the key classes.

mod ecdsa;
mod ed25519;
mod hash;
mod hd;
mod keys;
mod keystore;

pub(crate) use keys::PyPrivateKey;

use pyo3::prelude::*;

use crate::error::CoreError;

/// Copies a fixed-size argument out of `bytes`, or names the argument in the error.
pub(crate) fn fixed<const N: usize>(bytes: &[u8], name: &str) -> Result<[u8; N], CoreError> {
    bytes.try_into().map_err(|_| {
        CoreError::argument(
            "invalid_length",
            format!("{name}: expected {N} bytes, got {}", bytes.len()),
        )
    })
}

/// Adds the signing functions and classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    ecdsa::register(m)?;
    ed25519::register(m)?;
    hash::register(m)?;
    keys::register(m)?;
    hd::register(m)?;
    keystore::register(m)?;
    Ok(())
}
