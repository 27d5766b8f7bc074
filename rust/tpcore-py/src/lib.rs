//! `tpcore._core`: the Python extension module of tpcore.
//!
//! This crate converts and nothing else: it borrows numpy arrays, releases the GIL around
//! the work of the core crates through [`parallel::detach`], and maps their errors to the
//! exceptions of `tpcore.errors` in one place ([`error`]).

mod arrays;
mod book;
mod error;
mod eth;
mod parallel;
mod pipeline;
mod risk;
mod sign;

use pyo3::prelude::*;

/// The `tpcore._core` module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    parallel::register(m)?;
    sign::register(m)?;
    eth::register(m)?;
    book::register(m)?;
    risk::register(m)?;
    Ok(())
}
