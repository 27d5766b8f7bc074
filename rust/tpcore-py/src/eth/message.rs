//! EIP-191 messages and EIP-712 typed data, in eth-account's dialect.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use serde_json::Value;
use tpcore_eth::message::{self, SignedMessage};
use tpcore_eth::typed_data;

use super::convert::int_of;
use super::json::{document, to_json};
use super::tx::{as_list, one_key, secret_keys};
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
/// `typed_data` is the JSON text or the dict `{types, primaryType, domain, message}`.
#[pyfunction]
fn hash_typed_data<'py>(
    py: Python<'py>,
    typed_data: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let document = document(typed_data, "typed_data")?;
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
    let document = document(typed_data, "typed_data")?;
    let secret = one_key(key, "key")?;
    let signed = detach_here(py, || {
        typed_data::sign_typed_data_batch(std::slice::from_ref(&document), secret.as_slice())
            .map_err(|e| CoreError::from(e.unbatched()))
    })?;
    Ok(wrap(signed).remove(0))
}

/// Where one document's members sit in the arena of converted JSON values.
#[derive(Clone, Copy)]
struct Slots {
    types: usize,
    primary_type: usize,
    domain: usize,
    message: usize,
}

/// The shared members of the last document read, to compare the next one against.
struct Previous<'py> {
    members: Option<[Bound<'py, PyAny>; 3]>,
    slots: Slots,
}

const SHARED: [&str; 3] = ["types", "primaryType", "domain"];

fn push(arena: &mut Vec<Value>, value: Value) -> usize {
    arena.push(value);
    arena.len() - 1
}

/// Reads one document into `arena`. A dict's `types`, `primaryType` and `domain` are
/// converted only when they are not the very objects of the previous document (as in
/// documents built from one template): converting them is most of the per-document cost.
/// Identity, not `==`: Python's `1 == 1.0 == True` would let a float or a bool pass as the
/// previous document's int.
fn read_document<'py>(
    item: &Bound<'py, PyAny>,
    arena: &mut Vec<Value>,
    previous: Option<&Previous<'py>>,
) -> Result<Previous<'py>, CoreError> {
    let missing = |key: &str| {
        CoreError::from(tpcore_eth::EthError::InvalidTypedData {
            detail: format!("missing member {key:?}"),
        })
    };
    let Ok(dict) = item.cast::<PyDict>() else {
        // JSON text (or anything else `document` reads): converted whole, shared with none.
        let doc = document(item, "typed_data")?;
        let parts = typed_data::TypedDataParts::of(&doc)?;
        let (types, primary_type) = (parts.types.clone(), parts.primary_type.clone());
        let (domain, message) = (parts.domain.clone(), parts.message.clone());
        let slots = Slots {
            types: push(arena, types),
            primary_type: push(arena, primary_type),
            domain: push(arena, domain),
            message: push(arena, message),
        };
        return Ok(Previous {
            members: None,
            slots,
        });
    };
    let mut members = Vec::with_capacity(3);
    let mut shared_slots = [0usize; 3];
    for (k, key) in SHARED.iter().enumerate() {
        let value = dict
            .get_item(key)
            .ok()
            .flatten()
            .ok_or_else(|| missing(key))?;
        let reused = previous.and_then(|p| {
            let before = p.members.as_ref()?;
            let slot = [p.slots.types, p.slots.primary_type, p.slots.domain][k];
            before[k].is(&value).then_some(slot)
        });
        shared_slots[k] = match reused {
            Some(slot) => slot,
            None => push(arena, to_json(&value, key)?),
        };
        members.push(value);
    }
    let message = dict
        .get_item("message")
        .ok()
        .flatten()
        .ok_or_else(|| missing("message"))?;
    let message = push(arena, to_json(&message, "message")?);
    let members: [Bound<'py, PyAny>; 3] = members.try_into().map_err(|_| missing("types"))?;
    Ok(Previous {
        members: Some(members),
        slots: Slots {
            types: shared_slots[0],
            primary_type: shared_slots[1],
            domain: shared_slots[2],
            message,
        },
    })
}

/// Signs many typed-data documents in parallel; `keys` as for `sign_transactions`.
///
/// Documents that share the previous one's `types`, `primaryType` and `domain` objects
/// share their conversion; equal schemas and domains share their preparation. The first bad document raises `InvalidInput` with its index.
#[pyfunction]
fn sign_typed_data_batch(
    py: Python<'_>,
    documents: &Bound<'_, PyAny>,
    keys: &Bound<'_, PyAny>,
) -> PyResult<Vec<PySignedMessage>> {
    let items = as_list(documents, "documents")?;
    let secrets = secret_keys(keys, items.len())?;
    let mut arena = Vec::new();
    let mut slots = Vec::with_capacity(items.len());
    let mut read_error = None;
    let mut previous: Option<Previous<'_>> = None;
    for (index, item) in items.iter().enumerate() {
        match read_document(item, &mut arena, previous.as_ref()) {
            Ok(read) => {
                slots.push(read.slots);
                previous = Some(read);
            }
            Err(error) => {
                read_error = Some(error.at(index));
                break;
            }
        }
    }
    let parts: Vec<typed_data::TypedDataParts<'_>> = slots
        .iter()
        .map(|s| typed_data::TypedDataParts {
            types: &arena[s.types],
            primary_type: &arena[s.primary_type],
            domain: &arena[s.domain],
            message: &arena[s.message],
        })
        .collect();
    let read = parts.len();
    let secrets = if secrets.len() == 32 {
        &secrets[..]
    } else {
        &secrets[..read * 32]
    };
    let signed = if read == 0 {
        Ok(Vec::new())
    } else {
        detach_batch(py, read, || {
            Ok::<_, CoreError>(
                typed_data::sign_typed_data_parts(&parts, secrets).map_err(CoreError::from),
            )
        })?
    };
    let error = match (signed, read_error) {
        (Ok(signed), None) => return Ok(wrap(signed)),
        (Ok(_), Some(read)) => read,
        (Err(error), None) => error,
        (Err(error), Some(read)) => {
            if read.index() < error.index() {
                read
            } else {
                error
            }
        }
    };
    Err(error.into())
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
