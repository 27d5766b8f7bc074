//! EIP-191 messages and EIP-712 typed data, in eth-account's dialect.

use alloy_primitives::B256;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple};
use rayon::prelude::*;
use serde_json::Value;
use tpcore_eth::message::{self, SignedMessage};
use tpcore_eth::typed_data::{self, MessageField, Scalar};

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
    if let (Ok(a), Ok(b)) = (a.cast_exact::<PyDict>(), b.cast_exact::<PyDict>()) {
        return a.len() == b.len()
            && a.iter().all(|(key, value)| {
                key.is_exact_instance_of::<PyString>()
                    && matches!(b.get_item(&key), Ok(Some(other)) if same_json(&value, &other))
            });
    }
    if let (Ok(a), Ok(b)) = (a.cast_exact::<PyList>(), b.cast_exact::<PyList>()) {
        return a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same_json(&x, &y));
    }
    if let (Ok(a), Ok(b)) = (a.cast_exact::<PyTuple>(), b.cast_exact::<PyTuple>()) {
        return a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same_json(&x, &y));
    }
    (a.is_exact_instance_of::<PyString>()
        || a.is_exact_instance_of::<PyInt>()
        || a.is_exact_instance_of::<PyBytes>())
        && a.eq(b).unwrap_or(false)
}

/// A leaf of a message as the JSON value `to_json` would make of it, or `None` for what
/// needs the general conversion (None, dicts, lists, floats, other types, bad text).
fn scalar<'a>(value: &'a Bound<'_, PyAny>, big: &'a mut Option<String>) -> Option<Scalar<'a>> {
    if let Ok(flag) = value.cast::<PyBool>() {
        return Some(Scalar::Bool(flag.is_true()));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return text.to_str().ok().map(Scalar::Text);
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

/// A shared member (`types`, `primaryType` or `domain`) as last converted: the object, and
/// where its JSON sits in the arena.
struct Anchor<'py> {
    object: Bound<'py, PyAny>,
    slot: usize,
}

/// Where a document's message is.
enum MessageSlot {
    /// Field words in `words[start..start + len]`.
    Words(usize, usize),
    /// JSON in the arena.
    Json(usize),
}

/// One document as read under the GIL.
enum Read {
    /// A dict, prepared: its schema, domain separator and message.
    Prepared {
        schema: usize,
        separator: B256,
        message: MessageSlot,
    },
    /// JSON text (the batch item of this index), parsed later without the GIL.
    Text(usize),
}

/// The state of reading a batch: converted values, schemas, and the last document's
/// shared members with their schema and domain separator.
#[derive(Default)]
struct Reader<'py> {
    arena: Vec<Value>,
    schemas: Vec<typed_data::Schema>,
    words: Vec<B256>,
    anchors: [Option<Anchor<'py>>; 3],
    schema: Option<usize>,
    separator: Option<B256>,
}

const SHARED: [&str; 3] = ["types", "primaryType", "domain"];

impl<'py> Reader<'py> {
    /// A shared member's slot in the arena, converting it unless it is the same JSON as the
    /// previous one (documents built from one template, or equal fresh dicts); and whether
    /// it changed.
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

    /// Reads one dict document.
    fn dict(&mut self, dict: &Bound<'py, PyDict>) -> Result<Read, CoreError> {
        let py = dict.py();
        let missing = |key: &str| {
            CoreError::from(tpcore_eth::EthError::InvalidTypedData {
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
        let late = |error: tpcore_eth::EthError| match to_json(&message, "message") {
            Err(conversion) => conversion,
            Ok(_) => CoreError::from(error),
        };
        let [types, primary, domain] = slots;
        let schema = match self.schema {
            Some(schema) if !new[0] && !new[1] => schema,
            _ => {
                let (t, p) = (&self.arena[types], &self.arena[primary]);
                if let Some(index) = self.schemas.iter().position(|s| s.is_for(t, p)) {
                    index
                } else {
                    let schema = typed_data::Schema::new(t, p).map_err(late)?;
                    self.schemas.push(schema);
                    self.schemas.len() - 1
                }
            }
        };
        let separator = match self.separator {
            Some(separator) if !new[2] && self.schema == Some(schema) => separator,
            _ => self.schemas[schema]
                .domain_separator(&self.arena[domain])
                .map_err(late)?,
        };
        self.schema = Some(schema);
        self.separator = Some(separator);
        let start = self.words.len();
        let fields = self.schemas[schema].message_fields();
        let message = if fields.is_some_and(|f| message_words(&message, f, &mut self.words)) {
            MessageSlot::Words(start, self.words.len() - start)
        } else {
            self.arena.push(to_json(&message, "message")?);
            MessageSlot::Json(self.arena.len() - 1)
        };
        Ok(Read::Prepared {
            schema,
            separator,
            message,
        })
    }
}

/// JSON text of a typed-data document: a str, or bytes (UTF-8).
fn json_text<'a>(item: &'a Bound<'_, PyAny>) -> Option<Result<&'a [u8], CoreError>> {
    if let Ok(bytes) = item.cast::<PyBytes>() {
        return Some(Ok(bytes.as_bytes()));
    }
    let text = item.cast::<PyString>().ok()?;
    Some(
        text.to_str()
            .map(str::as_bytes)
            .map_err(|_| CoreError::argument("invalid_json", "typed_data: not text")),
    )
}

/// Parses JSON text as `document` does.
fn parse_text(text: &[u8]) -> Result<Value, CoreError> {
    serde_json::from_slice(text)
        .map_err(|e| CoreError::argument("invalid_json", format!("typed_data: not JSON: {e}")))
}

/// A typed-data document given as a dict, or as JSON text (str or UTF-8 bytes).
fn typed_document(obj: &Bound<'_, PyAny>, name: &str) -> Result<Value, CoreError> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return serde_json::from_slice(bytes.as_bytes())
            .map_err(|e| CoreError::argument("invalid_json", format!("{name}: not JSON: {e}")));
    }
    document(obj, name)
}

/// What signing a read batch gives: the signatures or the first error, and the first
/// text that is not JSON (the batch ends before it).
type Outcome = (Result<Vec<SignedMessage>, CoreError>, Option<CoreError>);

/// A text document as parsed in parallel: split (only `message` parsed), or whole.
enum Parsed<'a> {
    Split(typed_data::TextParts<'a>),
    Whole(Value),
}

/// Splits a text document, or parses it whole where splitting cannot tell.
fn parse_split(text: &[u8]) -> Result<Parsed<'_>, CoreError> {
    match std::str::from_utf8(text)
        .ok()
        .and_then(typed_data::TextParts::split)
    {
        Some(parts) => Ok(Parsed::Split(parts)),
        None => parse_text(text).map(Parsed::Whole),
    }
}

/// A document parsed whole, as a batch item.
fn whole(doc: &Value) -> typed_data::Item<'_> {
    typed_data::TypedDataParts::of(doc)
        .map_or_else(typed_data::Item::Failed, typed_data::Item::Parts)
}

/// How a text document enters the batch.
enum TextItem {
    /// Split and prepared: its schema, separator, or error.
    Prepared(Result<(usize, B256), tpcore_eth::EthError>),
    /// Parsed whole in the parallel parse (its index there is its index among the texts).
    Parsed,
    /// Parsed whole after a member failed to parse alone: its index in `wholes`.
    Whole(usize),
}

/// Parses the batch's texts in parallel and signs every document read; runs without the GIL.
///
/// Consecutive texts usually share `types`, `primaryType` and `domain`: those are compared
/// as text with the previous document's and parsed only when they differ.
fn sign_read(
    kinds: &[Option<(usize, B256, MessageSlot)>],
    texts: Vec<Result<&[u8], CoreError>>,
    arena: &[Value],
    words: &[B256],
    mut schemas: Vec<typed_data::Schema>,
    secrets: &[u8],
) -> Outcome {
    let sources: Vec<Option<&[u8]>> = texts.iter().map(|t| t.as_ref().ok().copied()).collect();
    let mut parsed: Vec<Result<Parsed<'_>, CoreError>> = if texts.len() < 2 {
        texts.into_iter().map(|t| t.and_then(parse_split)).collect()
    } else {
        texts
            .into_par_iter()
            .map(|t| t.and_then(parse_split))
            .collect()
    };
    // Prepared in order; the batch ends before the first text that is not JSON.
    let mut seen = typed_data::TextPreparer::default();
    let mut text_items = Vec::with_capacity(parsed.len());
    let mut wholes = Vec::new();
    let mut parse_error = None;
    let mut next = 0;
    let mut end = kinds.len();
    for (index, kind) in kinds.iter().enumerate() {
        if kind.is_some() {
            continue;
        }
        let Some(doc) = parsed.get_mut(next) else {
            break;
        };
        let item = match doc {
            Ok(Parsed::Split(parts)) => match seen.prepare(&mut schemas, parts) {
                Some(prepared) => Ok(TextItem::Prepared(prepared)),
                None => sources[next].map_or_else(
                    || Err(CoreError::argument("invalid_json", "typed_data: not text")),
                    |text| {
                        parse_text(text).map(|whole| {
                            wholes.push(whole);
                            TextItem::Whole(wholes.len() - 1)
                        })
                    },
                ),
            },
            Ok(Parsed::Whole(_)) => Ok(TextItem::Parsed),
            // The batch ends here: the error is taken out.
            Err(_) => Err(std::mem::replace(doc, Ok(Parsed::Whole(Value::Null)))
                .err()
                .unwrap_or_else(|| CoreError::argument("invalid_json", "?"))),
        };
        next += 1;
        match item {
            Ok(item) => text_items.push(item),
            Err(error) => {
                parse_error = Some(error.at(index));
                end = index;
                break;
            }
        }
    }
    let mut text_items = text_items.into_iter().enumerate();
    let batch: Vec<typed_data::Item<'_>> = kinds[..end]
        .iter()
        .map(|kind| match kind {
            Some((schema, separator, slot)) => typed_data::Item::Prepared {
                schema: *schema,
                separator: *separator,
                message: match *slot {
                    MessageSlot::Words(start, len) => {
                        typed_data::Message::Words(&words[start..start + len])
                    }
                    MessageSlot::Json(slot) => typed_data::Message::Json(&arena[slot]),
                },
            },
            None => match text_items.next() {
                Some((i, TextItem::Prepared(Ok((schema, separator))))) => {
                    let Ok(Parsed::Split(parts)) = &parsed[i] else {
                        unreachable!("prepared texts are split")
                    };
                    typed_data::Item::Prepared {
                        schema,
                        separator,
                        message: typed_data::Message::Json(parts.message()),
                    }
                }
                Some((_, TextItem::Prepared(Err(error)))) => typed_data::Item::Failed(error),
                Some((i, TextItem::Parsed)) => match &parsed[i] {
                    Ok(Parsed::Whole(doc)) => whole(doc),
                    _ => unreachable!("parsed texts are whole"),
                },
                Some((_, TextItem::Whole(w))) => whole(&wholes[w]),
                None => typed_data::Item::Failed(tpcore_eth::EthError::InvalidTypedData {
                    detail: "missing text".to_owned(),
                }),
            },
        })
        .collect();
    let secrets = if secrets.len() == 32 {
        secrets
    } else {
        &secrets[..batch.len() * 32]
    };
    let signed = if batch.is_empty() {
        Ok(Vec::new())
    } else {
        typed_data::sign_typed_data_items(schemas, &batch, secrets).map_err(CoreError::from)
    };
    (signed, parse_error)
}

/// Signs many typed-data documents in parallel; `keys` as for `sign_transactions`.
///
/// Each document is a dict or its JSON text (str, or UTF-8 bytes as received over the
/// wire); text is parsed in parallel without the GIL. A dict's `types`, `primaryType` and
/// `domain` are converted only when they differ from the previous dict's; its message is
/// encoded straight from the dict when it can be. The first bad document raises
/// `InvalidInput` with its index.
#[pyfunction]
fn sign_typed_data_batch(
    py: Python<'_>,
    documents: &Bound<'_, PyAny>,
    keys: &Bound<'_, PyAny>,
) -> PyResult<Vec<PySignedMessage>> {
    let items = as_list(documents, "documents")?;
    let secrets = secret_keys(keys, items.len())?;
    let mut reader = Reader::default();
    let mut reads = Vec::with_capacity(items.len());
    let mut read_error = None;
    for (index, item) in items.iter().enumerate() {
        let read = if let Ok(dict) = item.cast::<PyDict>() {
            reader.dict(dict)
        } else if json_text(item).is_some() {
            Ok(Read::Text(index))
        } else {
            // Neither a dict nor text: `document` says why it is not an object.
            document(item, "typed_data").and_then(|doc| {
                typed_data::TypedDataParts::of(&doc)?;
                Err(CoreError::argument(
                    "invalid_json",
                    "typed_data: not a document",
                ))
            })
        };
        match read {
            Ok(read) => reads.push(read),
            Err(error) => {
                read_error = Some(error.at(index));
                break;
            }
        }
    }
    // Text is borrowed from its objects (kept alive by `items`) for the parallel parse.
    let texts: Vec<Result<&[u8], CoreError>> = reads
        .iter()
        .filter_map(|read| match read {
            Read::Text(index) => json_text(&items[*index]),
            Read::Prepared { .. } => None,
        })
        .collect();
    let read = reads.len();
    let secrets = if secrets.len() == 32 {
        &secrets[..]
    } else {
        &secrets[..read * 32]
    };
    let Reader {
        arena,
        schemas,
        words,
        ..
    } = reader;
    let kinds: Vec<Option<(usize, B256, MessageSlot)>> = reads
        .into_iter()
        .map(|read| match read {
            Read::Prepared {
                schema,
                separator,
                message,
            } => Some((schema, separator, message)),
            Read::Text(_) => None,
        })
        .collect();
    let sign =
        move || Ok::<_, CoreError>(sign_read(&kinds, texts, &arena, &words, schemas, secrets));
    let (signed, parse_error) = detach_batch(py, read, sign)?;
    let first = |a: Option<CoreError>, b: Option<CoreError>| match (a, b) {
        (Some(a), Some(b)) => Some(if b.index() < a.index() { b } else { a }),
        (a, b) => a.or(b),
    };
    let error = match signed {
        Ok(signed) => match first(parse_error, read_error) {
            None => return Ok(wrap(signed)),
            error => error,
        },
        Err(error) => first(Some(error), first(parse_error, read_error)),
    };
    Err(error.map_or_else(
        || PyErr::from(CoreError::argument("invalid_json", "?")),
        PyErr::from,
    ))
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
