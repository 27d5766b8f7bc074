//! The Solidity ABI as eth-abi exposes it: encode and decode parameter lists, function
//! selectors and calls, revert data and event logs.
//!
//! Encoding and decoding are alloy's dynamic codec (`alloy_dyn_abi`); this module adds the
//! two things alloy does not do the way eth-abi users expect: coercing untyped values
//! ([`Loose`], what a Python binding receives) by eth-abi's rules, and eth-abi's strict
//! decoding checks (see [`abi_decode`]).
//!
//! Types are eth-abi's type strings: `bool`, `address`, `uint<N>`/`int<N>` (`uint`/`int` mean
//! 256 bits), `bytes<N>`, `bytes`, `string`, arrays `T[]`/`T[k]` and tuples `(T1,T2)`. The
//! fixed-point types `fixed<M>x<N>`/`ufixed<M>x<N>` and `function` are not supported.

mod codec;
pub mod log;
pub mod revert;
mod selector;
mod strict;
mod value;

pub use codec::{abi_decode, abi_encode, encode_function_call};
pub use selector::function_selector;
pub use value::{AbiValue, Loose, coerce, parse_type};

pub use alloy_dyn_abi::{DynSolType, DynSolValue};
pub use alloy_primitives::{I256, U256};
