//! The thread pool batch calls run on, and the one helper that releases the GIL around them.
//!
//! tpcore keeps its own rayon pool rather than rayon's global one so that the thread count
//! can be changed at run time (`tpcore.set_num_threads`), for example to measure one core.
//! The initial size is `TPCORE_NUM_THREADS` if set, else the number of available cores.

use std::sync::{Arc, PoisonError, RwLock};

use pyo3::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::error::CoreError;

static POOL: RwLock<Option<Arc<ThreadPool>>> = RwLock::new(None);

/// The environment variable that sets the initial number of worker threads.
const THREADS_ENV: &str = "TPCORE_NUM_THREADS";

fn build_pool(threads: usize) -> Result<Arc<ThreadPool>, CoreError> {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("tpcore-{i}"))
        .build()
        .map(Arc::new)
        .map_err(|e| CoreError::argument("thread_pool", format!("cannot start threads: {e}")))
}

fn default_threads() -> Result<usize, CoreError> {
    match std::env::var(THREADS_ENV) {
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(CoreError::argument(
                "invalid_thread_count",
                format!("{THREADS_ENV}={text:?} is not a positive integer"),
            )),
        },
        Err(_) => Ok(std::thread::available_parallelism().map_or(1, std::num::NonZero::get)),
    }
}

/// The current pool, built on first use.
pub(crate) fn pool() -> Result<Arc<ThreadPool>, CoreError> {
    if let Some(pool) = POOL.read().unwrap_or_else(PoisonError::into_inner).as_ref() {
        return Ok(Arc::clone(pool));
    }
    let mut slot = POOL.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(pool) = slot.as_ref() {
        return Ok(Arc::clone(pool));
    }
    let pool = build_pool(default_threads()?)?;
    *slot = Some(Arc::clone(&pool));
    Ok(pool)
}

/// Batches of at most this many rows run on the calling thread.
///
/// The core crates process batches this small serially anyway (their smallest rayon task is
/// 8 rows), and handing work to a pool thread and waiting for it costs several
/// microseconds, more than a whole keccak batch of this size.
pub(crate) const INLINE_ROWS: usize = 8;

/// Runs `work` on tpcore's pool with the GIL released and maps its error to Python.
///
/// Inputs must already be borrowed and validated; `work` must not touch Python objects.
pub(crate) fn detach<T, E, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    E: Into<CoreError> + Send,
    F: FnOnce() -> Result<T, E> + Send,
{
    let pool = pool()?;
    py.detach(|| pool.install(work))
        .map_err(|e| PyErr::from(e.into()))
}

/// As [`detach`], for a batch of `rows` rows: small batches stay on the calling thread.
pub(crate) fn detach_batch<T, E, F>(py: Python<'_>, rows: usize, work: F) -> PyResult<T>
where
    T: Send,
    E: Into<CoreError> + Send,
    F: FnOnce() -> Result<T, E> + Send,
{
    if rows > INLINE_ROWS {
        return detach(py, work);
    }
    detach_here(py, work)
}

/// Runs serial `work` (one key derivation, one keystore) on the calling thread with the GIL
/// released, and maps its error to Python.
pub(crate) fn detach_here<T, E, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    E: Into<CoreError> + Send,
    F: FnOnce() -> Result<T, E> + Send,
{
    py.detach(work).map_err(|e| PyErr::from(e.into()))
}

/// Sets the number of threads batch calls use from now on.
///
/// Calls already running finish on the pool they started on.
#[pyfunction]
fn set_num_threads(threads: usize) -> PyResult<()> {
    if threads == 0 {
        return Err(
            CoreError::argument("invalid_thread_count", "threads must be at least 1").into(),
        );
    }
    let pool = build_pool(threads)?;
    *POOL.write().unwrap_or_else(PoisonError::into_inner) = Some(pool);
    Ok(())
}

/// Returns the number of threads batch calls use.
#[pyfunction]
fn get_num_threads() -> PyResult<usize> {
    Ok(pool()?.current_num_threads())
}

/// Adds the thread-pool functions to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    Ok(())
}
