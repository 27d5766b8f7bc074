//! EIP-191 messages and EIP-712 typed data, in eth-account's dialect.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use serde_json::Value;
use tpcore_eth::message::{self, SignedMessage};
use tpcore_eth::typed_data;

use super::convert::int_of;
use super::json::document;
use super::tx::{as_list, one_key, secret_keys};
use super::typed_batch;
use crate::error::CoreError;
use crate::parallel::{detach_batch, detach_here};

/// A signed message or typed-data document, with eth-account's field names.
#[pyclass(name = "SignedMessage", module = "tpcore._core", frozen)]
pub(crate) struct PySignedMessage {
    inner: SignedMessage,
}

#[pymethods]
impl PySignedMessage {
    /// The 32-byte hash that was signed.
    #[getter]
    fn message_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.message_hash.as_slice())
    }

    /// The signature's r.
    #[getter]
    fn r<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        int_of(py, self.inner.r)
    }

    /// The signature's s.
    #[getter]
    fn s<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        int_of(py, self.inner.s)
    }

    /// 27 or 28.
    #[getter]
    fn v(&self) -> u8 {
        self.inner.v
    }

    /// The 65-byte signature `r || s || v`, v being 27 or 28.
    #[getter]
    fn signature<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.signature)
    }

    fn __repr__(&self) -> String {
        format!(
            "SignedMessage(message_hash=0x{}, v={})",
            hex::encode(self.inner.message_hash),
            self.inner.v
        )
    }
}

impl From<SignedMessage> for PySignedMessage {
    fn from(inner: SignedMessage) -> Self {
        Self { inner }
    }
}

fn wrap(signed: Vec<SignedMessage>) -> Vec<PySignedMessage> {
    signed
        .into_iter()
        .map(|inner| PySignedMessage { inner })
        .collect()
}

/// A message as bytes, or text encoded as UTF-8 (eth-account's `encode_defunct(text=...)`).
fn message_bytes(obj: &Bound<'_, PyAny>, name: &str) -> Result<Vec<u8>, CoreError> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Ok(bytes.as_bytes().to_vec());
    }
    if let Ok(text) = obj.cast::<PyString>() {
        let text = text.to_str().map_err(|_| {
            CoreError::argument(
                "invalid_message",
                format!("{name}: text is not valid UTF-8"),
            )
        })?;
        return Ok(text.as_bytes().to_vec());
    }
    Err(CoreError::argument(
        "invalid_message",
        format!("{name}: expected bytes or str"),
    ))
}

/// Signs a message as `personal_sign` does (EIP-191 version 0x45).
///
/// `message` is bytes, or text signed as its UTF-8 bytes.
#[pyfunction]
fn sign_message(
    py: Python<'_>,
    message: &Bound<'_, PyAny>,
    key: &Bound<'_, PyAny>,
) -> PyResult<PySignedMessage> {
    let message = message_bytes(message, "message")?;
    let secret = one_key(key, "key")?;
    let signed = detach_here(py, || {
        message::sign_messages(&[message.as_slice()], secret.as_slice())
            .map_err(|e| CoreError::from(e.unbatched()))
    })?;
    Ok(wrap(signed).remove(0))
}

/// Signs many messages in parallel; `keys` as for `sign_transactions`.
#[pyfunction]
fn sign_messages(
    py: Python<'_>,
    messages: &Bound<'_, PyAny>,
    keys: &Bound<'_, PyAny>,
) -> PyResult<Vec<PySignedMessage>> {
    let items = as_list(messages, "messages")?;
    let owned = items
        .iter()
        .enumerate()
        .map(|(i, m)| message_bytes(m, &format!("messages[{i}]")).map_err(|e| e.at(i)))
        .collect::<Result<Vec<_>, _>>()?;
    let secrets = secret_keys(keys, owned.len())?;
    let signed = detach_batch(py, owned.len(), || {
        let slices: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
        message::sign_messages(&slices, &secrets).map_err(CoreError::from)
    })?;
    Ok(wrap(signed))
}

/// Recovers the checksummed address that signed `message` (EIP-191); v may be 0/1 or 27/28.
#[pyfunction]
fn recover_message(
    py: Python<'_>,
    message: &Bound<'_, PyAny>,
    signature: &[u8],
) -> PyResult<String> {
    let message = message_bytes(message, "message")?;
    let address = detach_here(py, || {
        message::recover_message(&message, signature).map_err(CoreError::from)
    })?;
    Ok(tpcore_eth::address::to_checksum(&address.0.0))
}

/// Returns the EIP-712 signing hash of a typed-data document (`eth_signTypedData_v4`).
///
/// `typed_data` is the dict `{types, primaryType, domain, message}` or its JSON text (str, or
/// UTF-8 bytes).
#[pyfunction]
fn hash_typed_data<'py>(
    py: Python<'py>,
    typed_data: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let document = typed_document(typed_data, "typed_data")?;
    let hash = detach_here(py, || {
        typed_data::hash_typed_data(&document).map_err(CoreError::from)
    })?;
    Ok(PyBytes::new(py, hash.as_slice()))
}

/// Signs a typed-data document (EIP-712), as eth-account's `sign_typed_data(full_message=)`.
#[pyfunction]
fn sign_typed_data(
    py: Python<'_>,
    typed_data: &Bound<'_, PyAny>,
    key: &Bound<'_, PyAny>,
) -> PyResult<PySignedMessage> {
    let document = typed_document(typed_data, "typed_data")?;
    let secret = one_key(key, "key")?;
    let signed = detach_here(py, || {
        typed_data::sign_typed_data_batch(std::slice::from_ref(&document), secret.as_slice())
            .map_err(|e| CoreError::from(e.unbatched()))
    })?;
    Ok(wrap(signed).remove(0))
}

/// A typed-data document given as a dict, or as JSON text (str or UTF-8 bytes).
fn typed_document(obj: &Bound<'_, PyAny>, name: &str) -> Result<Value, CoreError> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return serde_json::from_slice(bytes.as_bytes())
            .map_err(|e| CoreError::argument("invalid_json", format!("{name}: not JSON: {e}")));
    }
    document(obj, name)
}

/// Signs many typed-data documents in parallel; `keys` as for `sign_transactions`.
///
/// Each document is a dict or its JSON text (str, or UTF-8 bytes as received over the
/// wire). Dicts are read in chunks while the pool signs the chunks already read; text is
/// parsed on the pool without the GIL. A dict's `types`, `primaryType` and `domain` are
/// converted only when they differ from the previous dict's, and its message is encoded
/// straight from the dict when it can be. The first bad document raises `InvalidInput`
/// with its index.
#[pyfunction]
fn sign_typed_data_batch(
    py: Python<'_>,
    documents: &Bound<'_, PyAny>,
    keys: &Bound<'_, PyAny>,
) -> PyResult<Vec<Py<PySignedMessage>>> {
    let items = as_list(documents, "documents")?;
    let secrets = secret_keys(keys, items.len())?;
    typed_batch::sign_batch(py, &items, &secrets)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySignedMessage>()?;
    m.add_function(wrap_pyfunction!(sign_message, m)?)?;
    m.add_function(wrap_pyfunction!(sign_messages, m)?)?;
    m.add_function(wrap_pyfunction!(recover_message, m)?)?;
    m.add_function(wrap_pyfunction!(hash_typed_data, m)?)?;
    m.add_function(wrap_pyfunction!(sign_typed_data, m)?)?;
    m.add_function(wrap_pyfunction!(sign_typed_data_batch, m)?)?;
    Ok(())
}
