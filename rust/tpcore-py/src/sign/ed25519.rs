//! Ed25519 batch functions: sign, verify each, verify all.

use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use tpcore_sign::ed25519::{self, VerifyAllMode};

use crate::arrays::{Single, byte_rows, flags_array, message_rows, rows_array};
use crate::parallel::detach_batch;

/// Signs every message with Ed25519; returns `(N, 64)` signatures.
///
/// `seeds` is `(N, 32)`, one 32-byte secret seed per message, or one `(32,)` seed for all.
/// `messages` is an `(N, M)` uint8 array or a sequence of `bytes`. Runs with the GIL
/// released: do not mutate the arrays from another thread meanwhile.
#[pyfunction]
fn ed25519_sign<'py>(
    py: Python<'py>,
    seeds: &Bound<'py, PyAny>,
    messages: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray2<u8>>> {
    let seeds = byte_rows(seeds, "seeds", &[32], Single::Broadcast)?;
    let messages = message_rows(messages, "messages")?;
    seeds.expect_rows(messages.len(), "messages")?;
    let slices = messages.slices();
    let (seeds, view) = (seeds.bytes()?, messages.view(&slices)?);
    let out = detach_batch(py, view.len(), || {
        let mut out = vec![0u8; view.len() * 64];
        ed25519::sign_batch(seeds, &view, &mut out).map(|()| out)
    })?;
    rows_array(py, out, 64)
}

/// Verifies every Ed25519 signature; returns an `(N,)` bool array.
///
/// `public_keys` is `(N, 32)` or one `(32,)` key; `signatures` is `(N, 64)`. A malformed
/// key or signature is False, never an exception.
#[pyfunction]
fn ed25519_verify<'py>(
    py: Python<'py>,
    public_keys: &Bound<'py, PyAny>,
    messages: &Bound<'py, PyAny>,
    signatures: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray1<bool>>> {
    let keys = byte_rows(public_keys, "public_keys", &[32], Single::Broadcast)?;
    let sigs = byte_rows(signatures, "signatures", &[64], Single::Refused)?;
    let messages = message_rows(messages, "messages")?;
    keys.expect_rows(messages.len(), "messages")?;
    sigs.expect_rows(messages.len(), "messages")?;
    let slices = messages.slices();
    let (keys, sigs, view) = (keys.bytes()?, sigs.bytes()?, messages.view(&slices)?);
    let out = detach_batch(py, view.len(), || {
        let mut out = vec![false; view.len()];
        ed25519::verify_batch(keys, &view, sigs, &mut out).map(|()| out)
    })?;
    Ok(flags_array(py, out))
}

/// Returns True when every Ed25519 signature is valid; by default through batch verification.
///
/// The fast path when all signatures are expected to be valid; use `ed25519_verify` to find
/// the bad rows. By default every row gets the cheap checks of strict verification (the key
/// and R decode, R and s are canonical, neither the key nor R has small order), then
/// ed25519-dalek's batch equation checks chunks of rows at once. False is always exact: some
/// row fails `ed25519_verify`. True means every row passes those checks and is valid under
/// cofactored (ZIP-215 style) verification. So the answer can differ from `ed25519_verify`
/// only for a signature crafted with a small-order (torsion) component, which an honest
/// signer never produces: such a row may be accepted. `strict=True` verifies every row as
/// `ed25519_verify` does (slower): True exactly when it would return all True.
#[pyfunction]
#[pyo3(signature = (public_keys, messages, signatures, *, strict = false))]
fn ed25519_verify_all(
    py: Python<'_>,
    public_keys: &Bound<'_, PyAny>,
    messages: &Bound<'_, PyAny>,
    signatures: &Bound<'_, PyAny>,
    strict: bool,
) -> PyResult<bool> {
    let keys = byte_rows(public_keys, "public_keys", &[32], Single::Broadcast)?;
    let sigs = byte_rows(signatures, "signatures", &[64], Single::Refused)?;
    let messages = message_rows(messages, "messages")?;
    keys.expect_rows(messages.len(), "messages")?;
    sigs.expect_rows(messages.len(), "messages")?;
    let slices = messages.slices();
    let (keys, sigs, view) = (keys.bytes()?, sigs.bytes()?, messages.view(&slices)?);
    let mode = if strict {
        VerifyAllMode::Strict
    } else {
        VerifyAllMode::Batch
    };
    detach_batch(py, view.len(), || {
        ed25519::verify_all(keys, &view, sigs, mode)
    })
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ed25519_sign, m)?)?;
    m.add_function(wrap_pyfunction!(ed25519_verify, m)?)?;
    m.add_function(wrap_pyfunction!(ed25519_verify_all, m)?)?;
    Ok(())
}
