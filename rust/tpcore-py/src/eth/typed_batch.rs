//! `sign_typed_data_batch` as a pipeline: the documents are read under the GIL in chunks,
//! and each chunk is hashed and signed on tpcore's pool, without the GIL, while the next is
//! read; signed chunks become Python objects as they come back.
//!
//! JSON text is only borrowed under the GIL: the pool parses it, comparing `types`,
//! `primaryType` and `domain` with the previous text's and encoding the message straight
//! from its text. The first document that fails, by index, is the error raised.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use alloy_primitives::B256;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use rayon::prelude::*;
use tpcore_eth::message::{BatchSigner, SignedMessage};
use tpcore_eth::typed_data::{Schema, SchemaCache, TextPreparer, TypedDataParts};

use super::json::document;
use super::message::PySignedMessage;
use super::typed_read::{Message, ReadDict, Reader};
use crate::error::CoreError;
use crate::parallel::{INLINE_ROWS, pool};

/// The first chunk is small so that the pool starts signing early, and later ones grow to
/// the largest; each chunk costs a job, a message and a wake-up of this thread, so chunks
/// smaller than these measured slower (on the two-core machine of the benchmarks).
const FIRST_CHUNK: usize = 64;
const MAX_CHUNK: usize = 512;

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
    /// The lowest index known to fail: documents past it are not signed.
    failed: AtomicUsize,
}

impl Shared<'_> {
    fn fail(&self, error: &CoreError) {
        self.failed
            .fetch_min(error.index().unwrap_or(0), Ordering::Relaxed);
    }
}

/// A chunk's signatures, or the error of its first document that fails.
type Signed = Result<Vec<SignedMessage>, CoreError>;

impl<'t> Chunk<'t> {
    /// Hashes and signs the chunk's documents; runs without the GIL. `parallel` (on
    /// tpcore's pool only) lets an idle thread take part of the chunk, so that both
    /// threads finish together.
    fn sign(self, shared: &Shared<'_>, parallel: bool) -> Signed {
        let Chunk {
            start,
            docs,
            words,
            schemas,
        } = self;
        let one = |texts: &mut TextPreparer<'t>, (offset, doc): (usize, Doc<'t>)| {
            let index = start + offset;
            if shared.failed.load(Ordering::Relaxed) < index {
                return None;
            }
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
            let one = hash
                .map_err(|e| e.at(index))
                .and_then(|hash| Ok(shared.signer.sign(index, hash)?));
            if let Err(error) = &one {
                shared.fail(error);
            }
            Some(one)
        };
        let results: Vec<Option<Result<SignedMessage, CoreError>>> = if parallel {
            docs.into_par_iter()
                .enumerate()
                .with_min_len(4)
                .map_init(TextPreparer::default, one)
                .collect()
        } else {
            let mut texts = TextPreparer::default();
            docs.into_iter()
                .enumerate()
                .map(|doc| one(&mut texts, doc))
                .collect()
        };
        // Documents are skipped only past a failure, which is then reported.
        results.into_iter().flatten().collect()
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

/// Reads the documents `range` into a chunk, up to the first that cannot be read: its
/// error, with its index, comes second.
fn read_chunk<'py, 't>(
    reader: &mut Reader<'py, '_>,
    items: &'t [Bound<'py, PyAny>],
    range: Range<usize>,
    cache: &SchemaCache,
) -> (Chunk<'t>, Option<CoreError>) {
    let mut chunk = Chunk {
        start: range.start,
        docs: Vec::with_capacity(range.len()),
        words: Vec::new(),
        schemas: Vec::new(),
    };
    let mut error = None;
    for index in range {
        match read(reader, &items[index], &mut chunk.words) {
            Ok(doc) => chunk.docs.push(doc),
            Err(e) => {
                error = Some(e.at(index));
                break;
            }
        }
    }
    if chunk.docs.iter().any(|doc| matches!(doc, Doc::Dict(_))) {
        chunk.schemas = cache.snapshot();
    }
    (chunk, error)
}

/// The signed chunks as Python objects, in chunk order, and the first error by index.
struct Outcome {
    chunks: Vec<Option<Vec<Py<PySignedMessage>>>>,
    error: Option<PyErr>,
    error_index: Option<usize>,
    received: usize,
}

impl Outcome {
    fn new() -> Self {
        Self {
            chunks: Vec::new(),
            error: None,
            error_index: None,
            received: 0,
        }
    }

    fn fail(&mut self, error: CoreError) {
        let index = error.index();
        if self.error.is_none() || index < self.error_index {
            self.error_index = index;
            self.error = Some(error.into());
        }
    }

    /// Takes chunk `number`'s signatures, as Python objects.
    fn take(&mut self, py: Python<'_>, number: usize, signed: Signed) {
        self.received += 1;
        match signed {
            Ok(signed) => {
                let objects = signed
                    .into_iter()
                    .map(|inner| Py::new(py, PySignedMessage::from(inner)))
                    .collect::<PyResult<Vec<_>>>();
                match objects {
                    Ok(objects) => {
                        if self.chunks.len() <= number {
                            self.chunks.resize_with(number + 1, || None);
                        }
                        self.chunks[number] = Some(objects);
                    }
                    Err(error) => {
                        self.error = Some(error);
                        self.error_index = None;
                    }
                }
            }
            Err(error) => self.fail(error),
        }
    }

    fn finish(self) -> PyResult<Vec<Py<PySignedMessage>>> {
        if let Some(error) = self.error {
            return Err(error);
        }
        Ok(self.chunks.into_iter().flatten().flatten().collect())
    }
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
        failed: AtomicUsize::new(usize::MAX),
    };
    let mut reader = Reader::new(&shared.cache);
    let mut outcome = Outcome::new();
    if count <= INLINE_ROWS {
        // Too few to repay the hop to the pool.
        let (chunk, read_error) = read_chunk(&mut reader, items, 0..count, &shared.cache);
        if let Some(error) = read_error {
            shared.fail(&error);
            outcome.fail(error);
        }
        let signed = py.detach(|| chunk.sign(&shared, false));
        outcome.take(py, 0, signed);
        return outcome.finish();
    }
    let pool = pool()?;
    let (sender, mut receiver) = mpsc::channel::<(usize, Signed)>();
    pool.in_place_scope(|scope| {
        let (mut start, mut size, mut dispatched) = (0, FIRST_CHUNK, 0);
        while start < count && shared.failed.load(Ordering::Relaxed) >= start {
            let end = (start + size).min(count);
            let (chunk, read_error) = read_chunk(&mut reader, items, start..end, &shared.cache);
            if !chunk.docs.is_empty() {
                let (sender, shared) = (sender.clone(), &shared);
                let number = dispatched;
                scope.spawn(move |_| {
                    // The receiver outlives every job: the batch waits for them all.
                    let _ = sender.send((number, chunk.sign(shared, true)));
                });
                dispatched += 1;
            }
            if let Some(error) = read_error {
                shared.fail(&error);
                outcome.fail(error);
                break;
            }
            while let Ok((number, signed)) = receiver.try_recv() {
                outcome.take(py, number, signed);
            }
            start = end;
            // Smaller chunks again towards the end: the last signatures come back (and
            // become Python objects) soon after the others.
            size = (size * 2)
                .min(MAX_CHUNK)
                .min(((count - end) / 4).max(FIRST_CHUNK));
        }
        drop(sender);
        while outcome.received < dispatched {
            let (back, next) = py.detach(move || {
                let next = receiver.recv();
                (receiver, next)
            });
            receiver = back;
            // Every sender gone: a job panicked, and the scope raises its panic.
            let Ok((number, signed)) = next else { break };
            outcome.take(py, number, signed);
        }
    });
    outcome.finish()
}
