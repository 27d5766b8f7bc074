//! Reading typed-data dicts under the GIL into what the pool hashes without it.
//!
//! A dict's `types`, `primaryType` and `domain` are converted only when they differ from
//! the previous dict's (documents built from one template, or equal fresh dicts), and its
//! message is encoded straight into its fields' words when every value is a leaf.

use alloy_primitives::B256;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple};
use serde_json::Value;
use std::sync::Arc;
use tpcore_eth::EthError;
use tpcore_eth::typed_data::{MessageField, Scalar, Schema, SchemaCache};

use super::json::to_json;
use crate::error::CoreError;

/// Whether two Python values convert to the same JSON, judged without converting: both
/// the same object, or of the same exact builtin type (dict, list, tuple, str, int, bytes)
/// with equal contents. Exact types only, so no user `__eq__` takes part, and Python's
/// `1 == 1.0 == True` cannot make a float or a bool pass for an int.
fn same_json(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> bool {
    if a.is(b) {
        return true;
    }
    if a.get_type_ptr() != b.get_type_ptr() {
        return false;
    }
    // Both of the same type: the casts of `b` below succeed when those of `a` do.
    if let Ok(a) = a.cast_exact::<PyString>() {
        return b.cast_exact::<PyString>().is_ok_and(|b| same_text(a, b));
    }
    if let (Ok(a), Ok(b)) = (a.cast_exact::<PyDict>(), b.cast_exact::<PyDict>()) {
        return same_dict(a, b);
    }
    if let (Ok(a), Ok(b)) = (a.cast_exact::<PyList>(), b.cast_exact::<PyList>()) {
        return a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same_json(&x, &y));
    }
    if let (Ok(a), Ok(b)) = (a.cast_exact::<PyTuple>(), b.cast_exact::<PyTuple>()) {
        return a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same_json(&x, &y));
    }
    (a.is_exact_instance_of::<PyInt>() || a.is_exact_instance_of::<PyBytes>())
        && a.eq(b).unwrap_or(false)
}

/// Two str with the same UTF-8 text (text that is not UTF-8 never converts).
fn same_text(a: &Bound<'_, PyString>, b: &Bound<'_, PyString>) -> bool {
    matches!((a.to_str(), b.to_str()), (Ok(a), Ok(b)) if a == b)
}

/// Two dicts with str keys and the same JSON values.
fn same_dict(a: &Bound<'_, PyDict>, b: &Bound<'_, PyDict>) -> bool {
    // Looking each key up in `b` (the previous document's, in cache) costs less than
    // walking both dicts side by side.
    a.len() == b.len()
        && a.iter().all(|(key, value)| {
            key.is_exact_instance_of::<PyString>()
                && matches!(b.get_item(&key), Ok(Some(other)) if same_json(&value, &other))
        })
}

/// A leaf of a message as the JSON value `to_json` would make of it, or `None` for what
/// needs the general conversion (None, dicts, lists, floats, other types, bad text).
fn scalar<'a>(value: &'a Bound<'_, PyAny>, big: &'a mut Option<String>) -> Option<Scalar<'a>> {
    if let Ok(text) = value.cast::<PyString>() {
        return text.to_str().ok().map(Scalar::Text);
    }
    if let Ok(flag) = value.cast::<PyBool>() {
        return Some(Scalar::Bool(flag.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(small) = value.extract::<i64>() {
            return Some(Scalar::Int(small));
        }
        if let Ok(small) = value.extract::<u64>() {
            return Some(Scalar::Uint(small));
        }
        // As `to_json`: an int beyond 64 bits is its decimal text.
        return Some(Scalar::Text(big.insert(value.str().ok()?.to_string())));
    }
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Some(Scalar::Bytes(bytes.as_bytes()));
    }
    None
}

/// Encodes a message dict straight into its fields' words, appended to `words`, when every
/// key is a field of the primary struct and every value a leaf that fits its type. `false`
/// (with `words` as it was) sends the message through `to_json` and the core's JSON path,
/// which also names any error.
fn message_words(
    message: &Bound<'_, PyAny>,
    fields: &[MessageField],
    words: &mut Vec<B256>,
) -> bool {
    let Ok(dict) = message.cast::<PyDict>() else {
        return false;
    };
    if dict.len() != fields.len() || fields.len() > 64 {
        return false;
    }
    let start = words.len();
    words.resize(start + fields.len(), B256::ZERO);
    let mut filled = 0u64;
    let ok = dict.iter().enumerate().all(|(position, (key, value))| {
        let Some(key) = key.cast::<PyString>().ok().and_then(|k| k.to_str().ok()) else {
            return false;
        };
        // Messages usually list their fields in declaration order.
        let found = if fields.get(position).is_some_and(|f| f.name() == key) {
            Some(position)
        } else {
            fields.iter().position(|f| f.name() == key)
        };
        let Some(index) = found.filter(|i| filled & (1 << i) == 0) else {
            return false;
        };
        let mut big = None;
        let Some(word) = scalar(&value, &mut big).and_then(|s| fields[index].word(s)) else {
            return false;
        };
        words[start + index] = word;
        filled |= 1 << index;
        true
    });
    if !ok {
        words.truncate(start);
    }
    ok
}

/// A dict's message as read: its field words, or its JSON.
pub(super) enum Message {
    /// The words `words[start..start + len]` of the chunk being read.
    Words(usize, usize),
    /// The message as JSON.
    Json(Value),
}

/// A dict as read: its schema (an index into the batch's [`SchemaCache`]), domain separator
/// and message.
pub(super) struct ReadDict {
    pub(super) schema: usize,
    pub(super) separator: B256,
    pub(super) message: Message,
}

/// A shared member (`types`, `primaryType` or `domain`) as last converted: the object, and
/// where its JSON sits in the arena.
struct Anchor<'py> {
    object: Bound<'py, PyAny>,
    slot: usize,
}

/// The state of reading a batch's dicts: the converted shared members, and the last
/// document's with their schema and domain separator.
pub(super) struct Reader<'py, 'c> {
    cache: &'c SchemaCache,
    arena: Vec<Value>,
    anchors: [Option<Anchor<'py>>; 3],
    schema: Option<(usize, Arc<Schema>)>,
    separator: Option<B256>,
}

const SHARED: [&str; 3] = ["types", "primaryType", "domain"];

impl<'py, 'c> Reader<'py, 'c> {
    pub(super) fn new(cache: &'c SchemaCache) -> Self {
        Self {
            cache,
            arena: Vec::new(),
            anchors: [None, None, None],
            schema: None,
            separator: None,
        }
    }

    /// A shared member's slot in the arena, converting it unless it is the same JSON as the
    /// previous one; and whether it changed.
    fn member(&mut self, k: usize, value: Bound<'py, PyAny>) -> Result<(usize, bool), CoreError> {
        if let Some(anchor) = &self.anchors[k]
            && same_json(&value, &anchor.object)
        {
            return Ok((anchor.slot, false));
        }
        self.arena.push(to_json(&value, SHARED[k])?);
        let slot = self.arena.len() - 1;
        self.anchors[k] = Some(Anchor {
            object: value,
            slot,
        });
        Ok((slot, true))
    }

    /// Reads one dict document, appending its message's words (if it has them) to `words`.
    pub(super) fn dict(
        &mut self,
        dict: &Bound<'py, PyDict>,
        words: &mut Vec<B256>,
    ) -> Result<ReadDict, CoreError> {
        let py = dict.py();
        let missing = |key: &str| {
            CoreError::from(EthError::InvalidTypedData {
                detail: format!("missing member {key:?}"),
            })
        };
        let keys = [
            intern!(py, "types"),
            intern!(py, "primaryType"),
            intern!(py, "domain"),
        ];
        let mut slots = [0usize; 3];
        let mut new = [false; 3];
        for (k, key) in keys.iter().enumerate() {
            let value = dict
                .get_item(key)
                .ok()
                .flatten()
                .ok_or_else(|| missing(SHARED[k]))?;
            (slots[k], new[k]) = self.member(k, value)?;
        }
        let message = dict
            .get_item(intern!(py, "message"))
            .ok()
            .flatten()
            .ok_or_else(|| missing("message"))?;
        // A bad schema or domain is reported after the document's conversion errors.
        let late = |error: EthError| match to_json(&message, "message") {
            Err(conversion) => conversion,
            Ok(_) => CoreError::from(error),
        };
        let [types, primary, domain] = slots;
        let (index, schema) = match self.schema.take() {
            Some(entry) if !new[0] && !new[1] => entry,
            previous => {
                let entry = self
                    .cache
                    .entry(&self.arena[types], &self.arena[primary])
                    .map_err(late)?;
                if previous.is_none_or(|(index, _)| index != entry.0) {
                    self.separator = None;
                }
                entry
            }
        };
        let separator = match self.separator {
            Some(separator) if !new[2] => separator,
            _ => schema.domain_separator(&self.arena[domain]).map_err(late)?,
        };
        let start = words.len();
        let message = if schema
            .message_fields()
            .is_some_and(|f| message_words(&message, f, words))
        {
            Message::Words(start, words.len() - start)
        } else {
            Message::Json(to_json(&message, "message")?)
        };
        self.schema = Some((index, schema));
        self.separator = Some(separator);
        Ok(ReadDict {
            schema: index,
            separator,
            message,
        })
    }
}
