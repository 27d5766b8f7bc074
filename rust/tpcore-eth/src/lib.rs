//! Ethereum for tpcore: addresses, messages (EIP-191, EIP-712), transactions, ABI and fees.
//!
//! The crate is plain Rust with no Python; `tpcore-py` binds it. It is filled in by the
//! Ethereum work (transactions, typed data, ABI); today it holds its error type only.
#![forbid(unsafe_code)]

mod error;

pub use error::EthError;
