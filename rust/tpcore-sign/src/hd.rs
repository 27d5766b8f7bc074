//! Hierarchical deterministic keys: BIP-39 mnemonics and seeds, BIP-32 derivation paths and
//! secp256k1 private-key derivation, one key at a time or a run of children in parallel.
//!
//! The word list, checksum and seed stretching come from the `bip39` crate, CKDpriv from the
//! `bip32` crate over `k256` keys (which wipe themselves on drop). Every secret this module
//! hands out or holds in between (seeds, keys, chain codes, tweaks) sits in [`Zeroizing`]
//! or a type that zeroizes on drop.
//!
//! [`Zeroizing`]: zeroize::Zeroizing

mod derive;
mod mnemonic;
mod node;
mod path;

pub use derive::{derive_batch, derive_key};
pub use mnemonic::{generate_mnemonic, mnemonic_to_seed};
pub use path::DerivationPath;
