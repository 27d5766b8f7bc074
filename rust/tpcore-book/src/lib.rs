//! The matching engine of tpcore: instruments, order books, order types, fees, events and
//! snapshots.
//!
//! The crate is a pure state machine: no I/O, no clock, no Python. It is filled in by the
//! matching-engine work; today it holds its error type only.
#![forbid(unsafe_code)]

mod error;

pub use error::BookError;
