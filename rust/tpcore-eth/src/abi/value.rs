//! The neutral value trees: [`Loose`] for untyped input, [`AbiValue`] for typed output, and
//! eth-abi's coercion rules between untyped input and ABI types.

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::{Address, I256, U256};

use crate::EthError;
use crate::address::parse_address_at;

/// A decoded ABI value, readable without knowing alloy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AbiValue {
    /// `bool`.
    Bool(bool),
    /// `int<N>`, sign-extended to 256 bits.
    Int(I256),
    /// `uint<N>`.
    Uint(U256),
    /// `address`.
    Address(Address),
    /// `bytes<N>`: exactly N bytes.
    FixedBytes(Vec<u8>),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `string`.
    String(String),
    /// `T[]` or `T[k]`.
    Array(Vec<AbiValue>),
    /// `(T1,...,Tn)`.
    Tuple(Vec<AbiValue>),
}

impl From<DynSolValue> for AbiValue {
    fn from(value: DynSolValue) -> Self {
        match value {
            DynSolValue::Bool(b) => Self::Bool(b),
            DynSolValue::Int(i, _) => Self::Int(i),
            DynSolValue::Uint(u, _) => Self::Uint(u),
            DynSolValue::Address(a) => Self::Address(a),
            DynSolValue::FixedBytes(word, size) => Self::FixedBytes(word[..size.min(32)].to_vec()),
            // `function` is refused by `parse_type`; kept as its 24 raw bytes should one arrive.
            DynSolValue::Function(f) => Self::FixedBytes(f.to_vec()),
            DynSolValue::Bytes(b) => Self::Bytes(b),
            DynSolValue::String(s) => Self::String(s),
            DynSolValue::Array(items) | DynSolValue::FixedArray(items) => {
                Self::Array(items.into_iter().map(Self::from).collect())
            }
            DynSolValue::Tuple(items) => Self::Tuple(items.into_iter().map(Self::from).collect()),
            DynSolValue::CustomStruct { tuple, .. } => {
                Self::Tuple(tuple.into_iter().map(Self::from).collect())
            }
        }
    }
}

/// An untyped input value, as a dynamically typed caller (Python) holds it; [`coerce`] gives
/// it an ABI type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loose {
    /// A boolean (only `bool` accepts it, as in eth-abi).
    Bool(bool),
    /// An integer of any sign, as sign and magnitude.
    Int {
        /// Whether the value is below zero.
        negative: bool,
        /// The absolute value.
        magnitude: U256,
    },
    /// A byte string.
    Bytes(Vec<u8>),
    /// A text string (also `0x` hex for `address`, `bytes<N>` and `bytes`).
    Str(String),
    /// A list or tuple.
    List(Vec<Loose>),
}

impl Loose {
    /// A non-negative integer.
    #[must_use]
    pub fn uint(value: U256) -> Self {
        Self::Int {
            negative: false,
            magnitude: value,
        }
    }

    /// A signed integer.
    #[must_use]
    pub fn int(value: I256) -> Self {
        Self::Int {
            negative: value.is_negative(),
            magnitude: value.unsigned_abs(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Bool(_) => "bool",
            Self::Int { .. } => "int",
            Self::Bytes(_) => "bytes",
            Self::Str(_) => "str",
            Self::List(_) => "list",
        }
    }
}

/// Parses an eth-abi type string into alloy's type.
///
/// # Errors
///
/// [`EthError::InvalidAbiType`] for a malformed type (`uint7`, `bytes33`, `tuple(`), or one
/// eth-abi has that this crate does not support (fixed point) or that eth-abi does not
/// have (`function`).
pub fn parse_type(ty: &str) -> Result<DynSolType, EthError> {
    let bad = |detail: String| EthError::InvalidAbiType {
        ty: ty.to_owned(),
        detail,
    };
    let parsed = DynSolType::parse(ty.trim()).map_err(|e| bad(e.to_string()))?;
    if contains_function(&parsed) {
        return Err(bad("the `function` type is not supported".to_owned()));
    }
    Ok(parsed)
}

fn contains_function(ty: &DynSolType) -> bool {
    match ty {
        DynSolType::Function => true,
        DynSolType::Array(inner) | DynSolType::FixedArray(inner, _) => contains_function(inner),
        DynSolType::Tuple(items) => items.iter().any(contains_function),
        _ => false,
    }
}

fn bad_value(path: &str, detail: impl Into<String>) -> EthError {
    EthError::InvalidAbiValue {
        path: path.to_owned(),
        detail: detail.into(),
    }
}

/// `0x`-prefixed hex as bytes.
fn hex_bytes(text: &str, path: &str) -> Result<Vec<u8>, EthError> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .ok_or_else(|| bad_value(path, "expected bytes or a 0x-prefixed hex string"))?;
    hex::decode(digits).map_err(|e| bad_value(path, format!("bad hex: {e}")))
}

/// Gives `value` the ABI type `ty`, following eth-abi's encoder rules; `path` names the
/// value in errors (`values[2]`), and nested elements extend it (`values[2][1]`).
///
/// - `bool` takes only a boolean; `int<N>`/`uint<N>` only an integer within the type's range.
/// - `address` takes 20 bytes or a `0x` hex string, checksum-strict as
///   [`crate::address::parse_address`].
/// - `bytes<N>` takes at most N bytes (bytes or `0x` hex), right-padded with zeros as
///   eth-abi pads them; `bytes` takes bytes or `0x` hex; `string` only text.
/// - Arrays and tuples take lists; fixed arrays and tuples need the exact length.
///
/// # Errors
///
/// [`EthError::InvalidAbiValue`] naming the path; address errors as
/// [`EthError::InvalidAddress`]/[`EthError::BadChecksum`] with the path as field.
pub fn coerce(ty: &DynSolType, value: &Loose, path: &str) -> Result<DynSolValue, EthError> {
    let mismatch = || bad_value(path, format!("{} cannot be encoded as {ty}", value.kind()));
    match (ty, value) {
        (DynSolType::Bool, Loose::Bool(b)) => Ok(DynSolValue::Bool(*b)),
        (
            DynSolType::Uint(bits),
            Loose::Int {
                negative,
                magnitude,
            },
        ) => {
            if *negative && !magnitude.is_zero() {
                return Err(bad_value(path, format!("negative value for {ty}")));
            }
            if magnitude.bit_len() > *bits {
                return Err(bad_value(path, format!("value out of range for {ty}")));
            }
            Ok(DynSolValue::Uint(*magnitude, *bits))
        }
        (
            DynSolType::Int(bits),
            Loose::Int {
                negative,
                magnitude,
            },
        ) => {
            // -(2^(bits-1)) <= value <= 2^(bits-1) - 1
            let limit = U256::from(1u8) << (bits.saturating_sub(1));
            let fits = if *negative {
                *magnitude <= limit
            } else {
                *magnitude < limit
            };
            if !fits || *bits == 0 {
                return Err(bad_value(path, format!("value out of range for {ty}")));
            }
            // Two's complement; in range, so it cannot overflow 256 bits.
            let raw = if *negative {
                U256::ZERO.wrapping_sub(*magnitude)
            } else {
                *magnitude
            };
            Ok(DynSolValue::Int(I256::from_raw(raw), *bits))
        }
        (DynSolType::Address, Loose::Bytes(b)) => <[u8; 20]>::try_from(b.as_slice())
            .map(|a| DynSolValue::Address(Address::from(a)))
            .map_err(|_| bad_value(path, format!("address needs 20 bytes, got {}", b.len()))),
        (DynSolType::Address, Loose::Str(s)) => parse_address_at(s, path).map(DynSolValue::Address),
        (DynSolType::FixedBytes(size), Loose::Bytes(_) | Loose::Str(_)) => {
            let bytes = match value {
                Loose::Str(s) => hex_bytes(s, path)?,
                Loose::Bytes(b) => b.clone(),
                _ => return Err(mismatch()),
            };
            if bytes.len() > *size {
                return Err(bad_value(
                    path,
                    format!("{} bytes do not fit {ty}", bytes.len()),
                ));
            }
            let mut word = alloy_primitives::B256::ZERO;
            word[..bytes.len()].copy_from_slice(&bytes);
            Ok(DynSolValue::FixedBytes(word, *size))
        }
        (DynSolType::Bytes, Loose::Bytes(b)) => Ok(DynSolValue::Bytes(b.clone())),
        (DynSolType::Bytes, Loose::Str(s)) => hex_bytes(s, path).map(DynSolValue::Bytes),
        (DynSolType::String, Loose::Str(s)) => Ok(DynSolValue::String(s.clone())),
        (DynSolType::Array(inner), Loose::List(items)) => {
            coerce_items(inner, items, path).map(DynSolValue::Array)
        }
        (DynSolType::FixedArray(inner, size), Loose::List(items)) => {
            if items.len() != *size {
                return Err(bad_value(
                    path,
                    format!("{ty} needs {size} elements, got {}", items.len()),
                ));
            }
            coerce_items(inner, items, path).map(DynSolValue::FixedArray)
        }
        (DynSolType::Tuple(types), Loose::List(items)) => {
            if items.len() != types.len() {
                return Err(bad_value(
                    path,
                    format!("{ty} needs {} elements, got {}", types.len(), items.len()),
                ));
            }
            types
                .iter()
                .zip(items)
                .enumerate()
                .map(|(i, (t, v))| coerce(t, v, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()
                .map(DynSolValue::Tuple)
        }
        _ => Err(mismatch()),
    }
}

fn coerce_items(
    inner: &DynSolType,
    items: &[Loose],
    path: &str,
) -> Result<Vec<DynSolValue>, EthError> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| coerce(inner, v, &format!("{path}[{i}]")))
        .collect()
}
