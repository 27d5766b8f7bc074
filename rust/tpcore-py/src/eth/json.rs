//! Python objects to JSON values, for EIP-712 documents and ABI JSON, without `json.dumps`.
//!
//! Integers that do not fit 64 bits become decimal strings: serde_json would otherwise
//! round them through a float, and alloy reads numeric strings for `uint`/`int` fields.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

use crate::error::CoreError;

fn invalid(path: &str, detail: &str) -> CoreError {
    CoreError::argument("invalid_json", format!("{path}: {detail}"))
}

/// A conversion failure: what went wrong, and the path segments to it, innermost first.
/// The path is assembled only when a conversion fails, so the common case allocates none.
struct Failure {
    detail: String,
    segments: Vec<String>,
}

impl Failure {
    fn new(detail: impl Into<String>) -> Self {
        Self {
            detail: detail.into(),
            segments: Vec::new(),
        }
    }

    fn within(mut self, segment: String) -> Self {
        self.segments.push(segment);
        self
    }

    fn into_error(self, root: &str) -> CoreError {
        let mut path = root.to_owned();
        for segment in self.segments.iter().rev() {
            path.push_str(segment);
        }
        invalid(&path, &self.detail)
    }
}

/// Converts dicts, lists, tuples, str, int, bool, None and bytes (as 0x hex) into JSON.
pub(crate) fn to_json(obj: &Bound<'_, PyAny>, path: &str) -> Result<Value, CoreError> {
    convert(obj).map_err(|failure| failure.into_error(path))
}

fn convert(obj: &Bound<'_, PyAny>) -> Result<Value, Failure> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(flag) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(flag.is_true()));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        let text = text
            .to_str()
            .map_err(|_| Failure::new("text is not valid UTF-8"))?;
        return Ok(Value::String(text.to_owned()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(small) = obj.extract::<i64>() {
            return Ok(Value::Number(small.into()));
        }
        if let Ok(small) = obj.extract::<u64>() {
            return Ok(Value::Number(small.into()));
        }
        let text = obj.str().map_err(|_| Failure::new("bad int"))?;
        return Ok(Value::String(text.to_string()));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            let key = key
                .cast::<PyString>()
                .ok()
                .and_then(|k| k.to_str().ok())
                .ok_or_else(|| Failure::new("dict keys must be str"))?;
            let value = convert(&value).map_err(|f| f.within(format!(".{key}")))?;
            map.insert(key.to_owned(), value);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Ok(Value::String(format!(
            "0x{}",
            hex::encode(bytes.as_bytes())
        )));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj.try_iter().map_err(|_| Failure::new("not iterable"))?;
        return items
            .enumerate()
            .map(|(i, item)| {
                let item = item.map_err(|_| Failure::new("not iterable"))?;
                convert(&item).map_err(|f| f.within(format!("[{i}]")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    if obj.is_instance_of::<PyFloat>() {
        return Err(Failure::new(
            "floats are not allowed; use an int or a decimal string",
        ));
    }
    let kind = obj
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string());
    Err(Failure::new(format!("cannot be written as JSON ({kind})")))
}

/// A JSON document given as its text or as Python objects.
pub(crate) fn document(obj: &Bound<'_, PyAny>, name: &str) -> Result<Value, CoreError> {
    if let Ok(text) = obj.cast::<PyString>() {
        return serde_json::from_str(&text.to_cow().map_err(|_| invalid(name, "not text"))?)
            .map_err(|e| invalid(name, &format!("not JSON: {e}")));
    }
    to_json(obj, name)
}

/// JSON text of a document given as text or Python objects.
pub(crate) fn document_text(obj: &Bound<'_, PyAny>, name: &str) -> Result<String, CoreError> {
    if let Ok(text) = obj.cast::<PyString>() {
        let text = text
            .to_str()
            .map_err(|_| invalid(name, "text is not valid UTF-8"))?;
        return Ok(text.to_owned());
    }
    Ok(to_json(obj, name)?.to_string())
}
