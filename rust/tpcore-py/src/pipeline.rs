//! Batches signed as a pipeline: the rows are read under the GIL in chunks, and each chunk
//! is signed on tpcore's pool, without the GIL, while the next is read; signed chunks become
//! Python objects as they come back. The error raised is that of the lowest failing index,
//! and rows past a known failure are not signed.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use pyo3::prelude::*;
use rayon::prelude::*;

use crate::error::CoreError;
use crate::parallel::{INLINE_ROWS, pool};

/// The first chunk is small so that the pool starts signing early, and later ones grow to
/// the largest; each chunk costs a job, a message and a wake-up of this thread, so chunks
/// smaller than these measured slower (on the two-core machine of the benchmarks). Batches
/// of at most one first chunk are read whole, then signed.
const FIRST_CHUNK: usize = 64;
const MAX_CHUNK: usize = 512;

/// The lowest index known to fail, shared by the reading thread and the signing ones.
pub(crate) struct Failed(AtomicUsize);

impl Failed {
    pub(crate) fn new() -> Self {
        Self(AtomicUsize::new(usize::MAX))
    }

    /// Records `error`'s index (0 if it has none).
    pub(crate) fn record(&self, error: &CoreError) {
        self.0
            .fetch_min(error.index().unwrap_or(0), Ordering::Relaxed);
    }

    /// Whether a row before `index` is known to fail, so that `index` need not be signed.
    fn before(&self, index: usize) -> bool {
        self.0.load(Ordering::Relaxed) < index
    }
}

/// A chunk's results, or the error of its first row that fails.
pub(crate) type Signed<R> = Result<Vec<R>, CoreError>;

/// Reads rows `range` with `read`, up to the first that cannot be read: its error, with its
/// index, comes second.
pub(crate) fn read_rows<I>(
    range: Range<usize>,
    mut read: impl FnMut(usize) -> Result<I, CoreError>,
) -> (Vec<I>, Option<CoreError>) {
    let mut rows = Vec::with_capacity(range.len());
    for index in range {
        match read(index) {
            Ok(row) => rows.push(row),
            Err(error) => return (rows, Some(error.at(index))),
        }
    }
    (rows, None)
}

/// Signs a chunk's `rows`, the first at batch index `start`, with `one` (whose errors carry
/// their index), skipping rows past a known failure. `parallel` (on tpcore's pool only) lets
/// an idle thread take part of the chunk, so that both threads finish together; `init`
/// makes each thread's scratch state.
pub(crate) fn sign_rows<I, S, R>(
    start: usize,
    rows: Vec<I>,
    failed: &Failed,
    parallel: bool,
    init: impl Fn() -> S + Sync + Send,
    one: impl Fn(&mut S, usize, I) -> Result<R, CoreError> + Sync + Send,
) -> Signed<R>
where
    I: Send,
    R: Send,
{
    let one = |state: &mut S, (offset, row): (usize, I)| {
        let index = start + offset;
        if failed.before(index) {
            return None;
        }
        let result = one(state, index, row);
        if let Err(error) = &result {
            failed.record(error);
        }
        Some(result)
    };
    let results: Vec<Option<Result<R, CoreError>>> = if parallel {
        rows.into_par_iter()
            .enumerate()
            .with_min_len(4)
            .map_init(&init, one)
            .collect()
    } else {
        let mut state = init();
        rows.into_iter()
            .enumerate()
            .map(|row| one(&mut state, row))
            .collect()
    };
    // Rows are skipped only past a failure, which is then reported.
    results.into_iter().flatten().collect()
}

/// The results of the signed chunks as Python objects, in chunk order, and the first error
/// by index.
struct Outcome<O> {
    chunks: Vec<Option<Vec<O>>>,
    error: Option<PyErr>,
    error_index: Option<usize>,
    received: usize,
}

impl<O> Outcome<O> {
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

    /// Takes chunk `number`'s results, made Python objects by `out`.
    fn take<R>(
        &mut self,
        py: Python<'_>,
        number: usize,
        signed: Signed<R>,
        out: &impl Fn(Python<'_>, R) -> PyResult<O>,
    ) {
        self.received += 1;
        match signed {
            Ok(signed) => match signed.into_iter().map(|r| out(py, r)).collect() {
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
            },
            Err(error) => self.fail(error),
        }
    }

    fn finish(self) -> PyResult<Vec<O>> {
        if let Some(error) = self.error {
            return Err(error);
        }
        Ok(self.chunks.into_iter().flatten().flatten().collect())
    }
}

/// Runs a batch of `count` rows as a pipeline.
///
/// `read` reads a range of rows under the GIL into a chunk (`None` if not one row read), and
/// the error of the row that stopped it; `sign` signs a chunk without the GIL (in parallel
/// on the pool when its flag is set), recording failures in `failed`; `out` makes a result
/// a Python object.
pub(crate) fn run<C, R, O>(
    py: Python<'_>,
    count: usize,
    failed: &Failed,
    mut read: impl FnMut(Range<usize>) -> (Option<C>, Option<CoreError>),
    sign: impl Fn(C, bool) -> Signed<R> + Sync,
    out: impl Fn(Python<'_>, R) -> PyResult<O>,
) -> PyResult<Vec<O>>
where
    C: Send,
    R: Send,
{
    if count <= FIRST_CHUNK {
        // Too few to repay overlapping: read them all, then sign them in one go (on this
        // thread when too few to repay the hop to the pool). Signed rows all come before a
        // row that did not read, so a signing error is the lowest.
        let (chunk, read_error) = read(0..count);
        if let Some(error) = &read_error {
            failed.record(error);
        }
        let signed = match chunk {
            Some(chunk) if count <= INLINE_ROWS => py.detach(|| sign(chunk, false)),
            Some(chunk) => {
                let pool = pool()?;
                py.detach(|| pool.install(|| sign(chunk, true)))
            }
            None => Ok(Vec::new()),
        }?;
        if let Some(error) = read_error {
            return Err(error.into());
        }
        return signed.into_iter().map(|r| out(py, r)).collect();
    }
    let mut outcome = Outcome::new();
    let pool = pool()?;
    let (sender, mut receiver) = mpsc::channel::<(usize, Signed<R>)>();
    pool.in_place_scope(|scope| {
        let (mut start, mut size, mut dispatched) = (0, FIRST_CHUNK, 0);
        while start < count && !failed.before(start) {
            let end = (start + size).min(count);
            let (chunk, read_error) = read(start..end);
            if let Some(chunk) = chunk {
                let (sender, sign) = (sender.clone(), &sign);
                let number = dispatched;
                scope.spawn(move |_| {
                    // The receiver outlives every job: the batch waits for them all.
                    let _ = sender.send((number, sign(chunk, true)));
                });
                dispatched += 1;
            }
            if let Some(error) = read_error {
                failed.record(&error);
                outcome.fail(error);
                break;
            }
            while let Ok((number, signed)) = receiver.try_recv() {
                outcome.take(py, number, signed, &out);
            }
            start = end;
            // Smaller chunks again towards the end: the last results come back (and become
            // Python objects) soon after the others.
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
            outcome.take(py, number, signed, &out);
        }
    });
    outcome.finish()
}
