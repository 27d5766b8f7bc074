//! Web3 Secret Storage v3 keystores (the files of geth and eth-account).

use pyo3::prelude::*;
use tpcore_sign::keystore::{self, Kdf};

use super::keys::PyPrivateKey;
use crate::error::CoreError;
use crate::parallel::detach_here;

/// The KDF named by `kdf`, with eth-account's meaning of `iterations` (scrypt's n or
/// PBKDF2's c) and its defaults when `iterations` is None.
fn kdf_from(kdf: &str, iterations: Option<i64>) -> Result<Kdf, CoreError> {
    let iterations = iterations
        .map(|count| {
            u32::try_from(count).ok().filter(|&c| c > 0).ok_or_else(|| {
                CoreError::argument(
                    "invalid_kdf_params",
                    format!("iterations: {count} is not a positive 32-bit count"),
                )
            })
        })
        .transpose()?;
    match (kdf, iterations) {
        ("scrypt", None) => Ok(Kdf::SCRYPT_DEFAULT),
        ("scrypt", Some(n)) => Ok(Kdf::Scrypt { n, r: 8, p: 1 }),
        ("pbkdf2", None) => Ok(Kdf::PBKDF2_DEFAULT),
        ("pbkdf2", Some(iterations)) => Ok(Kdf::Pbkdf2 { iterations }),
        (other, _) => Err(CoreError::argument(
            "unsupported_kdf",
            format!("kdf: expected 'scrypt' or 'pbkdf2', got {other:?}"),
        )),
    }
}

/// Encrypts `key` into a v3 keystore; returns its JSON text.
///
/// `kdf` is `"scrypt"` (default n = 2^18, r = 8, p = 1) or `"pbkdf2"` (default 1,000,000
/// iterations); `iterations` overrides n or the iteration count, as in eth-account. The
/// key derivation runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (key, password, *, kdf = "scrypt", iterations = None))]
fn keystore_encrypt(
    py: Python<'_>,
    key: &PyPrivateKey,
    password: &[u8],
    kdf: &str,
    iterations: Option<i64>,
) -> PyResult<String> {
    let kdf = kdf_from(kdf, iterations)?;
    kdf.check().map_err(|e| {
        CoreError::argument("invalid_kdf_params", format!("{kdf:?} is not usable: {e}"))
    })?;
    let secret = key.secret();
    detach_here(py, || keystore::encrypt(&secret, password, &kdf))
}

/// Decrypts a v3 keystore's JSON text into a `PrivateKey`.
///
/// Raises `DecryptionError` (reason `wrong_password`) when the MAC does not match, and
/// `InvalidInput` for a malformed or unsupported keystore. The MAC is checked in constant
/// time before anything is decrypted; the KDF runs with the GIL released.
#[pyfunction]
fn keystore_decrypt(
    py: Python<'_>,
    keystore_json: &str,
    password: &[u8],
) -> PyResult<PyPrivateKey> {
    let key = detach_here(py, || {
        let secret = keystore::decrypt(keystore_json, password)?;
        tpcore_sign::ecdsa::PrivateKey::from_bytes(secret.as_slice())
    })?;
    Ok(PyPrivateKey::from(key))
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(keystore_encrypt, m)?)?;
    m.add_function(wrap_pyfunction!(keystore_decrypt, m)?)?;
    Ok(())
}
