//! Revert data: Solidity's `Error(string)` and `Panic(uint256)`, custom errors from a JSON
//! ABI, or raw bytes when nothing matches.

use alloy_dyn_abi::{DynSolType, Specifier};
use alloy_json_abi::{AbiItem, JsonAbi};
use alloy_primitives::U256;

use super::codec::decode_params;
use super::value::AbiValue;
use crate::EthError;

/// `keccak256("Error(string)")[..4]`.
pub const ERROR_SELECTOR: [u8; 4] = [0x08, 0xc3, 0x79, 0xa0];
/// `keccak256("Panic(uint256)")[..4]`.
pub const PANIC_SELECTOR: [u8; 4] = [0x4e, 0x48, 0x7b, 0x71];

/// What a reverted call returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revert {
    /// `require(cond, "reason")` / `revert("reason")`: `Error(string)`, selector 0x08c379a0.
    Error(String),
    /// A failed assertion or checked operation: `Panic(uint256)`, selector 0x4e487b71.
    Panic {
        /// The panic code.
        code: U256,
        /// Solidity's documented meaning of the code, or `"unknown panic code"`.
        meaning: &'static str,
    },
    /// A custom error found in the ABI given.
    Custom {
        /// The error's name.
        name: String,
        /// Its canonical signature, like `InsufficientBalance(uint256,uint256)`.
        signature: String,
        /// `(name, value)` per input, in ABI order; unnamed inputs have an empty name.
        args: Vec<(String, AbiValue)>,
    },
    /// No data: a bare `revert()`, a failed `require` without a message, or an out-of-gas.
    Empty,
    /// A selector matched by nothing known.
    Unknown {
        /// The first four bytes.
        selector: [u8; 4],
        /// The bytes after the selector.
        data: Vec<u8>,
    },
}

/// Solidity's documented meaning of a panic code.
#[must_use]
pub fn panic_meaning(code: U256) -> &'static str {
    match u8::try_from(code) {
        Ok(0x00) => "generic compiler-inserted panic",
        Ok(0x01) => "assertion failed",
        Ok(0x11) => "arithmetic overflow or underflow",
        Ok(0x12) => "division or modulo by zero",
        Ok(0x21) => "conversion to an invalid enum value",
        Ok(0x22) => "access to an incorrectly encoded storage byte array",
        Ok(0x31) => "pop() on an empty array",
        Ok(0x32) => "array index out of bounds",
        Ok(0x41) => "too much memory allocated or array too large",
        Ok(0x51) => "call to a zero-initialized function variable",
        _ => "unknown panic code",
    }
}

/// Parses a JSON ABI: a list of items, or one item object.
fn parse_abi(json: &str) -> Result<JsonAbi, EthError> {
    let bad = |e: serde_json::Error| EthError::InvalidAbiJson {
        detail: e.to_string(),
    };
    if json.trim_start().starts_with('{') {
        let item: AbiItem<'_> = serde_json::from_str(json).map_err(bad)?;
        Ok(std::iter::once(item).collect())
    } else {
        JsonAbi::from_json_str(json).map_err(bad)
    }
}

/// Decodes revert data, checking `custom_errors` (a JSON ABI; only its `error` items are
/// used) for selectors other than `Error` and `Panic`.
///
/// # Errors
///
/// [`EthError::AbiDecode`] for 1 to 3 bytes of data, or a known selector whose arguments
/// do not decode (strictly, as [`super::abi_decode`]); [`EthError::InvalidAbiJson`] for a
/// bad ABI.
pub fn decode_revert(data: &[u8], custom_errors: Option<&str>) -> Result<Revert, EthError> {
    if data.is_empty() {
        return Ok(Revert::Empty);
    }
    let Some((selector, args)) = data.split_first_chunk::<4>() else {
        return Err(EthError::AbiDecode {
            detail: format!(
                "revert data of {} bytes is shorter than a selector",
                data.len()
            ),
        });
    };
    if *selector == ERROR_SELECTOR {
        if let [AbiValue::String(reason)] =
            decode_params(vec![DynSolType::String], args)?.as_slice()
        {
            return Ok(Revert::Error(reason.clone()));
        }
    } else if *selector == PANIC_SELECTOR {
        if let [AbiValue::Uint(code)] = decode_params(vec![DynSolType::Uint(256)], args)?.as_slice()
        {
            return Ok(Revert::Panic {
                code: *code,
                meaning: panic_meaning(*code),
            });
        }
    } else if let Some(json) = custom_errors {
        let abi = parse_abi(json)?;
        if let Some(error) = abi.errors().find(|e| e.selector().0 == *selector) {
            let types = error
                .inputs
                .iter()
                .map(|p| {
                    p.resolve().map_err(|e| EthError::InvalidAbiJson {
                        detail: format!("error {}: {e}", error.name),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let values = decode_params(types, args)?;
            let args = error
                .inputs
                .iter()
                .map(|p| p.name.clone())
                .zip(values)
                .collect();
            return Ok(Revert::Custom {
                name: error.name.clone(),
                signature: error.signature(),
                args,
            });
        }
    }
    Ok(Revert::Unknown {
        selector: *selector,
        data: args.to_vec(),
    })
}
