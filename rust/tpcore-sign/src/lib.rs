//! The signing core of tpcore: secp256k1 ECDSA with recovery, Ed25519, keccak, key objects,
//! HD derivation and encrypted keystores.
//!
//! Plain Rust with no Python. Batch functions take flat byte slices (row-major, fixed row
//! width) and write into caller-provided output slices, so the binding crate can hand numpy
//! buffers straight through; they run in parallel on the current rayon pool.
#![forbid(unsafe_code)]

mod error;
// --- keys, ECDSA, Ed25519, keccak, batches (modules owned by the ECDSA/Ed25519 work) ---
pub mod ecdsa;
pub mod ed25519;
pub mod keccak;
mod par;
pub mod rows;
// --- HD derivation and keystores (modules owned by the HD/keystore work) ---
pub mod hd;
pub mod keystore;

pub use error::SignError;
