//! BIP-39 mnemonics and BIP-32/44 derivation.

use numpy::PyArray2;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use tpcore_sign::{ecdsa, hd};

use super::keys::PyPrivateKey;
use crate::arrays::rows_array;
use crate::error::CoreError;
use crate::parallel::{detach, detach_here};

/// Returns the 64-byte BIP-39 seed of an English mnemonic and optional passphrase.
///
/// Raises `InvalidInput` (reason `invalid_mnemonic`) for an unknown word, a wrong word count
/// or a bad checksum. The seed is secret: Python cannot zeroize the returned bytes.
#[pyfunction]
#[pyo3(signature = (mnemonic, passphrase = ""))]
fn mnemonic_to_seed<'py>(
    py: Python<'py>,
    mnemonic: &str,
    passphrase: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let seed = detach_here(py, || hd::mnemonic_to_seed(mnemonic, passphrase))?;
    Ok(PyBytes::new(py, seed.as_slice()))
}

/// Generates a new English BIP-39 mnemonic of 12, 15, 18, 21 or 24 words.
#[pyfunction]
#[pyo3(signature = (words = 24))]
fn generate_mnemonic(words: usize) -> PyResult<String> {
    let phrase = hd::generate_mnemonic(words).map_err(CoreError::from)?;
    Ok(phrase.as_str().to_owned())
}

/// Derives the secp256k1 key at a BIP-32 path such as `m/44'/60'/0'/0/0` from a seed.
#[pyfunction]
fn derive_private_key(py: Python<'_>, seed: &[u8], path: &str) -> PyResult<PyPrivateKey> {
    let key = detach_here(py, || {
        let secret = hd::derive_key(seed, path)?;
        ecdsa::PrivateKey::from_bytes(secret.as_slice())
    })?;
    Ok(PyPrivateKey::from(key))
}

/// Derives `count` secret keys, children `start .. start + count` of `path_prefix`.
///
/// For Ethereum accounts use `path_prefix="m/44'/60'/0'/0"`. The prefix is derived once and
/// the children in parallel with the GIL released. Children are non-hardened unless
/// `hardened`. Returns a `(count, 32)` uint8 array of secrets, which Python cannot zeroize.
#[pyfunction]
#[pyo3(signature = (seed, path_prefix, start, count, *, hardened = false))]
fn derive<'py>(
    py: Python<'py>,
    seed: &[u8],
    path_prefix: &str,
    start: i64,
    count: i64,
    hardened: bool,
) -> PyResult<Bound<'py, PyArray2<u8>>> {
    let start = u32::try_from(start).map_err(|_| {
        CoreError::argument(
            "invalid_index",
            format!("start: {start} is not a child index (0 to 2^32 - 1)"),
        )
    })?;
    let count = usize::try_from(count)
        .map_err(|_| CoreError::argument("invalid_count", format!("count: {count} is negative")))?;
    let out = detach(py, || {
        let len = count.checked_mul(32).ok_or_else(|| {
            CoreError::argument("invalid_count", format!("count {count} is too large"))
        })?;
        let mut out = vec![0u8; len];
        hd::derive_batch(seed, path_prefix, start, count, hardened, &mut out)
            .map_err(CoreError::from)
            .map(|()| out)
    })?;
    rows_array(py, out, 32)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mnemonic_to_seed, m)?)?;
    m.add_function(wrap_pyfunction!(generate_mnemonic, m)?)?;
    m.add_function(wrap_pyfunction!(derive_private_key, m)?)?;
    m.add_function(wrap_pyfunction!(derive, m)?)?;
    Ok(())
}
