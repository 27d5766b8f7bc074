//! Bindings of `tpcore-book`: instruments, the engine, and events.

mod engine;
mod event;
mod instrument;

pub(crate) use engine::dtypes;
pub(crate) use instrument::PyInstrument;
use pyo3::prelude::*;

/// Adds the matching-engine classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<instrument::PyInstrument>()?;
    m.add_class::<event::PyEvent>()?;
    m.add_class::<engine::PyEngine>()?;
    m.add("COMMAND_SIZE", tpcore_book::COMMAND_SIZE)?;
    m.add("EVENT_SIZE", tpcore_book::EVENT_SIZE)?;
    m.add("LAYOUT_VERSION", tpcore_book::codec::LAYOUT_VERSION)?;
    Ok(())
}
