//! secp256k1 ECDSA batch functions: sign, recover, verify, public keys and addresses.

use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tpcore_sign::{SignError, ecdsa};

use super::fixed;
use crate::arrays::{Single, byte_rows, flags_array, rows_array};
use crate::parallel::detach_batch;

/// Signs every 32-byte hash; returns `(N, 65)` signatures `r || s || v` (v = 0 or 1).
///
/// `secret_keys` is `(N, 32)`, one key per hash, or one key for every hash (`(32,)`, or
/// `(1, 32)` as numpy broadcasts).
/// Signatures are deterministic (RFC 6979) and low-s. Raises `InvalidInput` with the index
/// of the first invalid key (zero, or not below the curve order). Runs with the GIL
/// released: do not mutate the arrays from another thread meanwhile.
#[pyfunction]
fn ecdsa_sign<'py>(
    py: Python<'py>,
    secret_keys: &Bound<'py, PyAny>,
    hashes: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray2<u8>>> {
    let keys = byte_rows(secret_keys, "secret_keys", &[32], Single::Broadcast)?;
    let hashes = byte_rows(hashes, "hashes", &[32], Single::Refused)?;
    keys.expect_rows(hashes.rows(), "hashes")?;
    let (keys, hashes) = (keys.bytes()?, hashes.bytes()?);
    let out = detach_batch(py, hashes.len() / 32, || {
        let mut out = vec![0u8; hashes.len() / 32 * 65];
        ecdsa::sign_batch(keys, hashes, &mut out).map(|()| out)
    })?;
    rows_array(py, out, 65)
}

type Recover = fn(&[u8], &[u8], &mut [u8], &mut [bool]) -> Result<(), SignError>;

/// Shared body of the two recover functions: `width` bytes out per row.
fn recover_rows<'py>(
    py: Python<'py>,
    hashes: &Bound<'py, PyAny>,
    signatures: &Bound<'py, PyAny>,
    mask: bool,
    width: usize,
    recover: Recover,
) -> PyResult<Bound<'py, PyAny>> {
    let hashes = byte_rows(hashes, "hashes", &[32], Single::Refused)?;
    let signatures = byte_rows(signatures, "signatures", &[65], Single::Refused)?;
    signatures.expect_rows(hashes.rows(), "hashes")?;
    let (hashes, signatures) = (hashes.bytes()?, signatures.bytes()?);
    let rows = hashes.len() / 32;
    let (out, ok) = detach_batch(py, rows, || {
        let (mut out, mut ok) = (vec![0u8; rows * width], vec![false; rows]);
        recover(hashes, signatures, &mut out, &mut ok).map(|()| (out, ok))
    })?;
    if mask {
        let keys = rows_array(py, out, width)?;
        return Ok(PyTuple::new(py, [keys.into_any(), flags_array(py, ok).into_any()])?.into_any());
    }
    if let Some(index) = ok.iter().position(|&good| !good) {
        return Err(
            crate::error::CoreError::from(SignError::UnrecoverableSignature { index: Some(index) })
                .into(),
        );
    }
    Ok(rows_array(py, out, width)?.into_any())
}

/// Recovers the `(N, 64)` public keys (uncompressed, no prefix) that made the signatures.
///
/// `signatures` is `(N, 65)` with v in {0, 1, 27, 28}. By default a row that recovers to no
/// key raises `InvalidInput` (reason `unrecoverable_signature`) with its index; with
/// `mask=True` the call returns `(keys, ok)` instead, with zero rows where `ok` is False.
/// Runs with the GIL released: do not mutate the arrays from another thread meanwhile.
#[pyfunction]
#[pyo3(signature = (hashes, signatures, *, mask = false))]
fn ecdsa_recover<'py>(
    py: Python<'py>,
    hashes: &Bound<'py, PyAny>,
    signatures: &Bound<'py, PyAny>,
    mask: bool,
) -> PyResult<Bound<'py, PyAny>> {
    recover_rows(py, hashes, signatures, mask, 64, ecdsa::recover_batch)
}

/// Recovers the `(N, 20)` Ethereum addresses that made the signatures.
///
/// As `ecdsa_recover`, but returns addresses (the last 20 bytes of the keccak of the key).
#[pyfunction]
#[pyo3(signature = (hashes, signatures, *, mask = false))]
fn ecdsa_recover_address<'py>(
    py: Python<'py>,
    hashes: &Bound<'py, PyAny>,
    signatures: &Bound<'py, PyAny>,
    mask: bool,
) -> PyResult<Bound<'py, PyAny>> {
    recover_rows(
        py,
        hashes,
        signatures,
        mask,
        20,
        ecdsa::recover_address_batch,
    )
}

/// Verifies every signature; returns an `(N,)` bool array.
///
/// `public_keys` is `(N, K)` or one `(K,)` key, with K = 33 (compressed), 65 (SEC1
/// uncompressed) or 64 (uncompressed without prefix). `signatures` is `(N, 64)` or `(N, 65)`
/// (v ignored). With `strict` (the default) high-s signatures are invalid, as Ethereum
/// requires; `strict=False` accepts them as `ecrecover` does. A malformed key or signature
/// is False, never an exception. Runs with the GIL released: do not mutate the arrays from
/// another thread meanwhile.
#[pyfunction]
#[pyo3(signature = (public_keys, hashes, signatures, *, strict = true))]
fn ecdsa_verify<'py>(
    py: Python<'py>,
    public_keys: &Bound<'py, PyAny>,
    hashes: &Bound<'py, PyAny>,
    signatures: &Bound<'py, PyAny>,
    strict: bool,
) -> PyResult<Bound<'py, PyArray1<bool>>> {
    let keys = byte_rows(public_keys, "public_keys", &[33, 64, 65], Single::Broadcast)?;
    let hashes = byte_rows(hashes, "hashes", &[32], Single::Refused)?;
    let sigs = byte_rows(signatures, "signatures", &[64, 65], Single::Refused)?;
    keys.expect_rows(hashes.rows(), "hashes")?;
    sigs.expect_rows(hashes.rows(), "hashes")?;
    let (key_width, sig_width) = (keys.width(), sigs.width());
    let (keys, hashes, sigs) = (keys.bytes()?, hashes.bytes()?, sigs.bytes()?);
    let out = detach_batch(py, hashes.len() / 32, || {
        let mut out = vec![false; hashes.len() / 32];
        ecdsa::verify_batch(keys, key_width, hashes, sigs, sig_width, strict, &mut out)
            .map(|()| out)
    })?;
    Ok(flags_array(py, out))
}

type MapRows = fn(&[u8], &mut [u8]) -> Result<(), SignError>;

/// Borrows `input` as rows of `widths.0` bytes and maps each to `widths.1` bytes with `map`.
fn map_rows<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    name: &'static str,
    (in_width, out_width): (usize, usize),
    map: MapRows,
) -> PyResult<Bound<'py, PyArray2<u8>>> {
    let rows = byte_rows(input, name, &[in_width], Single::Refused)?;
    let data = rows.bytes()?;
    let count = data.len() / in_width;
    let out = detach_batch(py, count, || {
        let mut out = vec![0u8; count * out_width];
        map(data, &mut out).map(|()| out)
    })?;
    rows_array(py, out, out_width)
}

/// Returns the `(N, 64)` public keys (uncompressed, no prefix) of `(N, 32)` secret keys.
///
/// Raises `InvalidInput` with the index of the first invalid key.
#[pyfunction]
fn public_keys<'py>(
    py: Python<'py>,
    secret_keys: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray2<u8>>> {
    map_rows(
        py,
        secret_keys,
        "secret_keys",
        (32, 64),
        ecdsa::public_keys_batch,
    )
}

/// Returns the `(N, 20)` Ethereum addresses of `(N, 64)` public keys.
#[pyfunction]
fn addresses<'py>(
    py: Python<'py>,
    public_keys: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray2<u8>>> {
    map_rows(
        py,
        public_keys,
        "public_keys",
        (64, 20),
        ecdsa::addresses_batch,
    )
}

/// Verifies one DER-encoded signature of a 32-byte hash (strict DER, as libsecp256k1).
///
/// The public key is 33, 64 or 65 bytes. Returns False for any malformed input.
#[pyfunction]
#[pyo3(signature = (public_key, msg_hash, der_signature, *, strict = true))]
fn ecdsa_verify_der(
    public_key: &[u8],
    msg_hash: &[u8],
    der_signature: &[u8],
    strict: bool,
) -> PyResult<bool> {
    let hash = fixed::<32>(msg_hash, "msg_hash")?;
    Ok(ecdsa::verify_der(public_key, &hash, der_signature, strict))
}

/// Returns the EIP-55 checksummed text (`0x…`) of a 20-byte address.
#[pyfunction]
fn to_checksum_address(address: &[u8]) -> PyResult<String> {
    Ok(ecdsa::to_checksum_address(&fixed::<20>(
        address, "address",
    )?))
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ecdsa_sign, m)?)?;
    m.add_function(wrap_pyfunction!(ecdsa_recover, m)?)?;
    m.add_function(wrap_pyfunction!(ecdsa_recover_address, m)?)?;
    m.add_function(wrap_pyfunction!(ecdsa_verify, m)?)?;
    m.add_function(wrap_pyfunction!(ecdsa_verify_der, m)?)?;
    m.add_function(wrap_pyfunction!(public_keys, m)?)?;
    m.add_function(wrap_pyfunction!(addresses, m)?)?;
    m.add_function(wrap_pyfunction!(to_checksum_address, m)?)?;
    Ok(())
}
