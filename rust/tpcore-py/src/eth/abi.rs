//! ABI encoding and decoding as eth-abi does it, reverts and event logs.
//!
//! Python values become the core's untyped [`Loose`] values (the ABI types give them their
//! meaning), and decoded [`AbiValue`]s come back as eth-abi returns them: ints, bools,
//! lowercase address strings, bytes, str, and tuples for arrays and tuples.

use alloy_primitives::{B256, U256};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple};
use tpcore_eth::abi::{self, AbiValue, Loose, revert::Revert};

use super::convert::int_of;
use super::json::document_text;
use super::tx::as_list;
use crate::error::CoreError;
use crate::parallel::detach_here;

fn invalid_value(path: &str, detail: &str) -> CoreError {
    CoreError::from(tpcore_eth::EthError::InvalidAbiValue {
        path: path.to_owned(),
        detail: detail.to_owned(),
    })
}

/// Reads a Python value as an untyped ABI value; `path` names it in errors.
fn loose(obj: &Bound<'_, PyAny>, path: &str) -> Result<Loose, CoreError> {
    if let Ok(flag) = obj.cast::<PyBool>() {
        return Ok(Loose::Bool(flag.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        let negative = obj.lt(0).map_err(|_| invalid_value(path, "bad int"))?;
        let magnitude = obj
            .call_method0("__abs__")
            .and_then(|m| m.call_method1("to_bytes", (32, "big")))
            .map_err(|_| invalid_value(path, "int out of the 256-bit range"))?;
        let magnitude = magnitude
            .cast::<PyBytes>()
            .map_err(|_| invalid_value(path, "bad int"))?;
        return Ok(Loose::Int {
            negative,
            magnitude: U256::from_be_slice(magnitude.as_bytes()),
        });
    }
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Ok(Loose::Bytes(bytes.as_bytes().to_vec()));
    }
    if let Ok(bytes) = obj.cast::<PyByteArray>() {
        return Ok(Loose::Bytes(bytes.to_vec()));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        let text = text
            .to_str()
            .map_err(|_| invalid_value(path, "text is not valid UTF-8"))?;
        return Ok(Loose::Str(text.to_owned()));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj
            .try_iter()
            .map_err(|_| invalid_value(path, "not iterable"))?;
        return items
            .enumerate()
            .map(|(i, item)| {
                let item = item.map_err(|_| invalid_value(path, "not iterable"))?;
                loose(&item, &format!("{path}[{i}]"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Loose::List);
    }
    let kind = obj
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string());
    Err(invalid_value(
        path,
        &format!("unsupported value of type {kind}"),
    ))
}

/// Converts a decoded value to Python, as eth-abi returns it.
fn to_python<'py>(py: Python<'py>, value: &AbiValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        AbiValue::Bool(flag) => PyBool::new(py, *flag).to_owned().into_any(),
        AbiValue::Uint(n) => int_of(py, *n)?,
        AbiValue::Int(n) => {
            let magnitude = int_of(py, n.unsigned_abs())?;
            if n.is_negative() {
                magnitude.neg()?
            } else {
                magnitude
            }
        }
        AbiValue::Address(address) => {
            PyString::new(py, &format!("0x{}", hex::encode(address))).into_any()
        }
        AbiValue::FixedBytes(bytes) | AbiValue::Bytes(bytes) => PyBytes::new(py, bytes).into_any(),
        AbiValue::String(text) => PyString::new(py, text).into_any(),
        AbiValue::Array(items) | AbiValue::Tuple(items) => {
            let items = items
                .iter()
                .map(|v| to_python(py, v))
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, items)?.into_any()
        }
    })
}

fn type_strings(types: &Bound<'_, PyAny>) -> Result<Vec<String>, CoreError> {
    as_list(types, "types")?
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            ty.cast::<PyString>().map(ToString::to_string).map_err(|_| {
                CoreError::argument("invalid_abi_type", format!("types[{i}]: expected a str"))
            })
        })
        .collect()
}

fn loose_values(values: &Bound<'_, PyAny>) -> Result<Vec<Loose>, CoreError> {
    as_list(values, "values")?
        .iter()
        .enumerate()
        .map(|(i, v)| loose(v, &format!("values[{i}]")))
        .collect()
}

/// Encodes `values` as the ABI `types` (eth-abi's `encode`).
#[pyfunction]
fn abi_encode<'py>(
    py: Python<'py>,
    types: &Bound<'py, PyAny>,
    values: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let types = type_strings(types)?;
    let values = loose_values(values)?;
    let encoded = detach_here(py, || {
        let types: Vec<&str> = types.iter().map(String::as_str).collect();
        abi::abi_encode(&types, &values).map_err(CoreError::from)
    })?;
    Ok(PyBytes::new(py, &encoded))
}

/// Decodes `data` as the ABI `types` (eth-abi's `decode`, as strict); returns a tuple.
#[pyfunction]
fn abi_decode<'py>(
    py: Python<'py>,
    types: &Bound<'py, PyAny>,
    data: &[u8],
) -> PyResult<Bound<'py, PyTuple>> {
    let types = type_strings(types)?;
    let decoded = detach_here(py, || {
        let types: Vec<&str> = types.iter().map(String::as_str).collect();
        abi::abi_decode(&types, data).map_err(CoreError::from)
    })?;
    let items = decoded
        .iter()
        .map(|v| to_python(py, v))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
}

/// The 4-byte selector of a function signature such as `"transfer(address,uint256)"`.
#[pyfunction]
fn function_selector<'py>(py: Python<'py>, signature: &str) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &abi::function_selector(signature))
}

/// Call data for a function: its selector followed by the encoded arguments.
#[pyfunction]
fn encode_function_call<'py>(
    py: Python<'py>,
    signature: &str,
    values: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let values = loose_values(values)?;
    let encoded = abi::encode_function_call(signature, &values).map_err(CoreError::from)?;
    Ok(PyBytes::new(py, &encoded))
}

fn named_args<'py>(py: Python<'py>, args: &[(String, AbiValue)]) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (position, (name, value)) in args.iter().enumerate() {
        // Unnamed inputs are `arg<position>`, as web3.py names them; a name that is already
        // taken gets `_<position>` appended so no value is lost.
        let mut key = if name.is_empty() {
            format!("arg{position}")
        } else {
            name.clone()
        };
        if out.contains(&key)? {
            key = format!("{key}_{position}");
        }
        out.set_item(key, to_python(py, value)?)?;
    }
    Ok(out)
}

/// Explains revert data: `{"kind": "error", "message"}`, `{"kind": "panic", "code",
/// "meaning"}`, `{"kind": "custom", "name", "signature", "args"}`, `{"kind": "empty"}` or
/// `{"kind": "unknown", "selector", "data"}`.
///
/// `custom_errors` is the contract's ABI (JSON text or a list of items), used to decode its
/// custom errors.
#[pyfunction]
#[pyo3(signature = (data, custom_errors = None))]
fn decode_revert<'py>(
    py: Python<'py>,
    data: &[u8],
    custom_errors: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let abi_text = custom_errors
        .map(|abi| document_text(abi, "custom_errors"))
        .transpose()?;
    let revert = abi::revert::decode_revert(data, abi_text.as_deref()).map_err(CoreError::from)?;
    let out = PyDict::new(py);
    match revert {
        Revert::Error(message) => {
            out.set_item("kind", "error")?;
            out.set_item("message", message)?;
        }
        Revert::Panic { code, meaning } => {
            out.set_item("kind", "panic")?;
            out.set_item("code", int_of(py, code)?)?;
            out.set_item("meaning", meaning)?;
        }
        Revert::Custom {
            name,
            signature,
            args,
        } => {
            out.set_item("kind", "custom")?;
            out.set_item("name", name)?;
            out.set_item("signature", signature)?;
            out.set_item("args", named_args(py, &args)?)?;
        }
        Revert::Empty => out.set_item("kind", "empty")?,
        Revert::Unknown { selector, data } => {
            out.set_item("kind", "unknown")?;
            out.set_item("selector", PyBytes::new(py, &selector))?;
            out.set_item("data", PyBytes::new(py, &data))?;
        }
    }
    Ok(out)
}

/// Decodes an event log: `{"event": name, "args": {name: value}}`, as web3.py shapes it.
///
/// `event_abi` is the event's ABI item (JSON text or dict); `topics` are 32-byte values
/// (bytes or 0x hex), topic 0 being the event's selector unless it is anonymous.
#[pyfunction]
fn decode_log<'py>(
    py: Python<'py>,
    event_abi: &Bound<'py, PyAny>,
    topics: &Bound<'py, PyAny>,
    data: &[u8],
) -> PyResult<Bound<'py, PyDict>> {
    let abi_text = document_text(event_abi, "event_abi")?;
    let topics = as_list(topics, "topics")?
        .iter()
        .enumerate()
        .map(|(i, topic)| super::convert::word(topic, &format!("topics[{i}]")))
        .collect::<Result<Vec<B256>, _>>()?;
    let log = abi::log::decode_log(&abi_text, &topics, data).map_err(CoreError::from)?;
    let out = PyDict::new(py);
    out.set_item("event", log.name)?;
    out.set_item("args", named_args(py, &log.args)?)?;
    Ok(out)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(abi_encode, m)?)?;
    m.add_function(wrap_pyfunction!(abi_decode, m)?)?;
    m.add_function(wrap_pyfunction!(function_selector, m)?)?;
    m.add_function(wrap_pyfunction!(encode_function_call, m)?)?;
    m.add_function(wrap_pyfunction!(decode_revert, m)?)?;
    m.add_function(wrap_pyfunction!(decode_log, m)?)?;
    Ok(())
}
