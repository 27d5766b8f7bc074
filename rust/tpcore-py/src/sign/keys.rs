//! The key classes: `PrivateKey` (secp256k1) and `Ed25519PrivateKey`.
//!
//! The secret stays inside the Rust object, zeroized when it is dropped. Neither `repr`,
//! `str`, errors nor pickles show it: pickling raises, because a pickle would write the
//! secret in the clear. `secret_bytes()` is the one explicit way out, for keystores.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use tpcore_sign::{ecdsa, ed25519};

use super::fixed;
use crate::error::CoreError;

const NO_PICKLE: &str = "private keys cannot be pickled; store them in an encrypted keystore";

/// A secp256k1 private key (Ethereum, Bitcoin). The secret is zeroized when dropped.
#[pyclass(name = "PrivateKey", module = "tpcore._core", frozen)]
pub(crate) struct PyPrivateKey {
    inner: ecdsa::PrivateKey,
}

impl PyPrivateKey {
    /// The core key, for bindings that sign with it.
    pub(crate) fn key(&self) -> &ecdsa::PrivateKey {
        &self.inner
    }

    /// The secret, for the keystore binding; zeroized when the returned value drops.
    pub(crate) fn secret(&self) -> zeroize::Zeroizing<[u8; 32]> {
        self.inner.secret_bytes()
    }
}

impl From<ecdsa::PrivateKey> for PyPrivateKey {
    fn from(inner: ecdsa::PrivateKey) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PyPrivateKey {
    /// Generates a new key from the operating system's random source.
    #[staticmethod]
    fn generate() -> PyResult<Self> {
        let inner = ecdsa::PrivateKey::generate().map_err(CoreError::from)?;
        Ok(Self { inner })
    }

    /// Makes a key from its 32-byte secret; raises `InvalidInput` if it is zero or not
    /// below the curve order.
    #[staticmethod]
    fn from_bytes(secret: &[u8]) -> PyResult<Self> {
        let inner = ecdsa::PrivateKey::from_bytes(secret).map_err(CoreError::from)?;
        Ok(Self { inner })
    }

    /// The 64-byte uncompressed public key, without the 0x04 prefix.
    #[getter]
    fn public_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.public_key())
    }

    /// The 20-byte Ethereum address.
    #[getter]
    fn address<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.address())
    }

    /// The EIP-55 checksummed address text, `0x…`.
    #[getter]
    fn checksum_address(&self) -> String {
        ecdsa::to_checksum_address(&self.inner.address())
    }

    /// Signs a 32-byte hash; returns 65 bytes `r || s || v` (RFC 6979, low-s, v = 0 or 1).
    fn sign_hash<'py>(&self, py: Python<'py>, msg_hash: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        let hash = fixed::<32>(msg_hash, "msg_hash")?;
        Ok(PyBytes::new(py, &self.inner.sign_hash(&hash)))
    }

    /// The 32-byte secret. Handle with care: Python cannot zeroize the returned bytes.
    fn secret_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.secret_bytes().as_slice())
    }

    fn __repr__(&self) -> String {
        format!("PrivateKey(address='{}')", self.checksum_address())
    }

    #[expect(clippy::unused_self, reason = "pickle calls it as a method")]
    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err(NO_PICKLE))
    }
}

/// An Ed25519 private key (Solana, Aptos, Sui...). The seed is zeroized when dropped.
#[pyclass(name = "Ed25519PrivateKey", module = "tpcore._core", frozen)]
pub(crate) struct PyEd25519PrivateKey {
    inner: ed25519::Ed25519PrivateKey,
}

#[pymethods]
impl PyEd25519PrivateKey {
    /// Generates a new key from the operating system's random source.
    #[staticmethod]
    fn generate() -> PyResult<Self> {
        let inner = ed25519::Ed25519PrivateKey::generate().map_err(CoreError::from)?;
        Ok(Self { inner })
    }

    /// Makes a key from its 32-byte secret seed.
    #[staticmethod]
    fn from_seed(seed: &[u8]) -> PyResult<Self> {
        let inner = ed25519::Ed25519PrivateKey::from_seed(seed).map_err(CoreError::from)?;
        Ok(Self { inner })
    }

    /// The 32-byte public key.
    #[getter]
    fn public_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.public_key())
    }

    /// Signs a message; returns the 64-byte signature.
    fn sign<'py>(&self, py: Python<'py>, message: &[u8]) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.sign(message))
    }

    /// The 32-byte secret seed. Handle with care: Python cannot zeroize the returned bytes.
    fn seed_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.seed().as_slice())
    }

    fn __repr__(&self) -> String {
        let key = hex::encode(self.inner.public_key());
        format!("Ed25519PrivateKey(public_key='{key}')")
    }

    #[expect(clippy::unused_self, reason = "pickle calls it as a method")]
    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err(NO_PICKLE))
    }
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPrivateKey>()?;
    m.add_class::<PyEd25519PrivateKey>()?;
    Ok(())
}
