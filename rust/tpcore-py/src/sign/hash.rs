//! `keccak256` over a batch of messages.

use numpy::PyArray2;
use pyo3::prelude::*;
use tpcore_sign::keccak;

use crate::arrays::{message_rows, rows_array};
use crate::parallel::detach_batch;

/// Returns the Keccak-256 digest (Ethereum's hash) of every message as an `(N, 32)` array.
///
/// `messages` is an `(N, M)` uint8 array (N messages of M bytes) or a sequence of `bytes`.
/// Runs with the GIL released: do not mutate the array from another thread meanwhile.
#[pyfunction]
fn keccak256<'py>(
    py: Python<'py>,
    messages: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray2<u8>>> {
    let messages = message_rows(messages, "messages")?;
    let slices = messages.slices();
    let view = messages.view(&slices)?;
    let out = detach_batch(py, view.len(), || {
        let mut out = vec![0u8; view.len() * 32];
        keccak::keccak256_batch(&view, &mut out).map(|()| out)
    })?;
    rows_array(py, out, 32)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(keccak256, m)?)
}
