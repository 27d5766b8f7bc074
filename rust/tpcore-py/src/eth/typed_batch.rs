//! `sign_typed_data_batch` as a pipeline: the documents are read under the GIL in chunks,
//! and each chunk is hashed and signed on tpcore's pool, without the GIL, while the next is
//! read; signed chunks become Python objects as they come back.
//!
//! JSON text is only borrowed under the GIL: the pool parses it, comparing `types`,
//! `primaryType` and `domain` with the previous text's and encoding the message straight
//! from its text. The first document that fails, by index, is the error raised.

use std::ops::Range;
use std::sync::Arc;

use alloy_primitives::B256;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use tpcore_eth::message::{BatchSigner, SignedMessage};
use tpcore_eth::typed_data::{Schema, SchemaCache, TextPreparer, TypedDataParts};

use super::json::document;
use super::message::PySignedMessage;
use super::typed_read::{Message, ReadDict, Reader};
use crate::error::CoreError;
use crate::pipeline::{self, Failed, Signed, read_rows, sign_rows};

/// A document as read under the GIL.
enum Doc<'t> {
    /// A dict, read.
    Dict(ReadDict),
    /// JSON text, parsed on the pool.
    Text(Text<'t>),
    /// A str that is not text: it fails at its index.
    Failed(CoreError),
}

/// JSON text as given: a str (known to be UTF-8), or bytes.
#[derive(Clone, Copy)]
enum Text<'t> {
    Str(&'t str),
    Bytes(&'t [u8]),
}

/// Consecutive documents as read, with what their hashing needs.
struct Chunk<'t> {
    /// The batch index of the first.
    start: usize,
    docs: Vec<Doc<'t>>,
    /// The words of the dicts' messages.
    words: Vec<B256>,
    /// The batch's schemas when the chunk was read, by index.
    schemas: Vec<Arc<Schema>>,
}

/// What the threads of a batch share.
struct Shared<'k> {
    cache: SchemaCache,
    signer: BatchSigner<'k>,
    failed: Failed,
}

impl<'t> Chunk<'t> {
    /// Hashes and signs the chunk's documents; runs without the GIL.
    fn sign(self, shared: &Shared<'_>, parallel: bool) -> Signed<SignedMessage> {
        let Chunk {
            start,
            docs,
            words,
            schemas,
        } = self;
        let one = |texts: &mut TextPreparer<'t>, index: usize, doc: Doc<'t>| {
            let hash = match doc {
                Doc::Dict(ReadDict {
                    schema,
                    separator,
                    message,
                }) => {
                    let schema = &schemas[schema];
                    match message {
                        Message::Words(first, len) => Ok(
                            schema.signing_hash_of_words(&separator, &words[first..first + len])
                        ),
                        Message::Json(json) => schema
                            .signing_hash(&separator, &json)
                            .map_err(CoreError::from),
                    }
                }
                Doc::Text(text) => text_hash(text, &shared.cache, texts),
                Doc::Failed(error) => Err(error),
            };
            hash.map_err(|e| e.at(index))
                .and_then(|hash| Ok(shared.signer.sign(index, hash)?))
        };
        sign_rows(
            start,
            docs,
            &shared.failed,
            parallel,
            TextPreparer::default,
            one,
        )
    }
}

/// The signing hash of a JSON text document: split and hashed against the previous text's
/// members, or parsed whole where splitting cannot tell.
fn text_hash<'t>(
    text: Text<'t>,
    cache: &SchemaCache,
    texts: &mut TextPreparer<'t>,
) -> Result<B256, CoreError> {
    let (utf8, bytes) = match text {
        Text::Str(text) => (Some(text), text.as_bytes()),
        Text::Bytes(bytes) => (std::str::from_utf8(bytes).ok(), bytes),
    };
    if let Some(hash) = utf8.and_then(|text| texts.hash(cache, text)) {
        return hash.map_err(CoreError::from);
    }
    let whole = parse_text(bytes)?;
    Ok(cache.hash_document(&whole)?)
}

/// Parses JSON text as `hash_typed_data` does.
fn parse_text(text: &[u8]) -> Result<serde_json::Value, CoreError> {
    serde_json::from_slice(text)
        .map_err(|e| CoreError::argument("invalid_json", format!("typed_data: not JSON: {e}")))
}

/// JSON text of a typed-data document: a str, or bytes (UTF-8).
fn json_text<'a>(item: &'a Bound<'_, PyAny>) -> Option<Result<Text<'a>, CoreError>> {
    if let Ok(bytes) = item.cast::<PyBytes>() {
        return Some(Ok(Text::Bytes(bytes.as_bytes())));
    }
    let text = item.cast::<PyString>().ok()?;
    Some(
        text.to_str()
            .map(Text::Str)
            .map_err(|_| CoreError::argument("invalid_json", "typed_data: not text")),
    )
}

/// Reads one document.
fn read<'py, 't>(
    reader: &mut Reader<'py, '_>,
    item: &'t Bound<'py, PyAny>,
    words: &mut Vec<B256>,
) -> Result<Doc<'t>, CoreError> {
    if let Ok(dict) = item.cast::<PyDict>() {
        return reader.dict(dict, words).map(Doc::Dict);
    }
    if let Some(text) = json_text(item) {
        return Ok(text.map_or_else(Doc::Failed, Doc::Text));
    }
    // Neither a dict nor text: `document` says why it is not an object.
    let doc = document(item, "typed_data")?;
    TypedDataParts::of(&doc)?;
    Err(CoreError::argument(
        "invalid_json",
        "typed_data: not a document",
    ))
}

/// Reads the documents `range` into a chunk (none if the first cannot be read), up to the
/// first that cannot be read: its error, with its index, comes second.
fn read_chunk<'py, 't>(
    reader: &mut Reader<'py, '_>,
    items: &'t [Bound<'py, PyAny>],
    range: Range<usize>,
    cache: &SchemaCache,
) -> (Option<Chunk<'t>>, Option<CoreError>) {
    let start = range.start;
    let mut words = Vec::new();
    let (docs, error) = read_rows(range, |index| read(reader, &items[index], &mut words));
    if docs.is_empty() {
        return (None, error);
    }
    let schemas = if docs.iter().any(|doc| matches!(doc, Doc::Dict(_))) {
        cache.snapshot()
    } else {
        Vec::new()
    };
    let chunk = Chunk {
        start,
        docs,
        words,
        schemas,
    };
    (Some(chunk), error)
}

/// Signs a batch of typed-data documents (dicts, or JSON text as str or bytes) with
/// `secrets`: one 32-byte key, or 32 bytes per document.
pub(super) fn sign_batch(
    py: Python<'_>,
    items: &[Bound<'_, PyAny>],
    secrets: &[u8],
) -> PyResult<Vec<Py<PySignedMessage>>> {
    let count = items.len();
    if count == 0 {
        return Ok(Vec::new());
    }
    let shared = Shared {
        cache: SchemaCache::default(),
        signer: BatchSigner::new(count, secrets).map_err(CoreError::from)?,
        failed: Failed::new(),
    };
    let mut reader = Reader::new(&shared.cache);
    pipeline::run(
        py,
        count,
        &shared.failed,
        |range| read_chunk(&mut reader, items, range, &shared.cache),
        |chunk, parallel| chunk.sign(&shared, parallel),
        |py, signed| Py::new(py, PySignedMessage::from(signed)),
    )
}
