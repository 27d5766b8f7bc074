//! Ethereum for tpcore: addresses, messages (EIP-191, EIP-712), transactions, ABI and fees.
//!
//! Plain Rust with no Python; `tpcore-py` binds it. Encodings come from alloy's crates
//! (RLP, consensus types, dynamic ABI, EIP-712); signatures from `tpcore-sign`.
#![forbid(unsafe_code)]

mod error;
// --- transactions (modules owned by the transactions work) ---
pub mod tx;
// --- messages, typed data, ABI, logs, fees (modules owned by the messages/ABI work) ---
pub mod abi;
pub mod address;
pub mod fees;
pub mod message;
pub mod typed_data;

pub use error::EthError;
