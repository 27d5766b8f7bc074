//! Parameter-list encoding and decoding, as `eth_abi.encode` and `eth_abi.decode`.

use alloy_dyn_abi::{DynSolType, DynSolValue};

use super::function_selector;
use super::strict::check_params;
use super::value::{AbiValue, Loose, coerce, parse_type};
use crate::EthError;

/// Parses every type of a parameter list.
fn parse_types(types: &[&str]) -> Result<Vec<DynSolType>, EthError> {
    types.iter().map(|t| parse_type(t)).collect()
}

/// Coerces a value list to its types, naming elements `values[i]`.
fn coerce_all(types: &[DynSolType], values: &[Loose]) -> Result<Vec<DynSolValue>, EthError> {
    if types.len() != values.len() {
        return Err(EthError::InvalidAbiValue {
            path: "values".to_owned(),
            detail: format!("{} types but {} values", types.len(), values.len()),
        });
    }
    types
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (t, v))| coerce(t, v, &format!("values[{i}]")))
        .collect()
}

/// ABI-encodes `values` as the parameter list `types`, as `eth_abi.encode(types, values)`.
///
/// # Errors
///
/// [`EthError::InvalidAbiType`] for a bad type; [`EthError::InvalidAbiValue`] (or an
/// address error) naming the path of a value that does not fit its type.
pub fn abi_encode(types: &[&str], values: &[Loose]) -> Result<Vec<u8>, EthError> {
    let types = parse_types(types)?;
    let values = coerce_all(&types, values)?;
    Ok(DynSolValue::Tuple(values).abi_encode_params())
}

/// Decodes `data` as the parameter list `types`, as `eth_abi.decode(types, data)` with its
/// default `strict=True`.
///
/// Strictness: eth-abi's strict checks apply (complete words, zero or sign-extension
/// padding, bool 0/1, complete and zero-padded `bytes`/`string` tails, UTF-8 strings,
/// pointers after the head and inside the data); like eth-abi, trailing bytes and
/// non-canonical offsets are accepted. See the `strict` module for the details.
///
/// # Errors
///
/// [`EthError::InvalidAbiType`] for a bad type; [`EthError::AbiDecode`] for data that does
/// not decode. Never panics on any input.
pub fn abi_decode(types: &[&str], data: &[u8]) -> Result<Vec<AbiValue>, EthError> {
    let types = parse_types(types)?;
    decode_params(types, data)
}

/// Decodes parsed parameter types strictly.
pub(crate) fn decode_params(
    types: Vec<DynSolType>,
    data: &[u8],
) -> Result<Vec<AbiValue>, EthError> {
    let decode_error = |detail: String| EthError::AbiDecode { detail };
    check_params(&types, data).map_err(decode_error)?;
    if types.is_empty() {
        return Ok(Vec::new());
    }
    match DynSolType::Tuple(types)
        .abi_decode_sequence(data)
        .map_err(|e| decode_error(e.to_string()))?
    {
        DynSolValue::Tuple(items) => Ok(items.into_iter().map(AbiValue::from).collect()),
        other => Ok(vec![AbiValue::from(other)]),
    }
}

/// Splits `name(type1,type2)` into the name and parsed parameter types.
pub(crate) fn parse_signature(signature: &str) -> Result<(String, Vec<DynSolType>), EthError> {
    let bad = |detail: &str| EthError::InvalidAbiType {
        ty: signature.to_owned(),
        detail: detail.to_owned(),
    };
    let compact: String = signature.chars().filter(|c| !c.is_whitespace()).collect();
    let open = compact
        .find('(')
        .ok_or_else(|| bad("expected name(types)"))?;
    let (name, params) = compact.split_at(open);
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    {
        return Err(bad("bad function name"));
    }
    match parse_type(params)? {
        DynSolType::Tuple(types) if params.ends_with(')') => Ok((name.to_owned(), types)),
        _ => Err(bad("expected name(types)")),
    }
}

/// The canonical type name a selector hashes, written out by hand at every level: alloy
/// names a one-element tuple `(T,)`, as Rust does, where Solidity writes `(T)`.
fn canonical_type(ty: &DynSolType) -> String {
    match ty {
        DynSolType::Tuple(items) => {
            let items: Vec<String> = items.iter().map(canonical_type).collect();
            format!("({})", items.join(","))
        }
        DynSolType::Array(item) => format!("{}[]", canonical_type(item)),
        DynSolType::FixedArray(item, len) => format!("{}[{len}]", canonical_type(item)),
        other => other.sol_type_name().into_owned(),
    }
}

/// Encodes a call: the selector of the canonical signature followed by the encoded
/// arguments, as web3's `encodeABI` / eth-abi `function_selector + encode(...)`.
///
/// The selector is computed over the canonical signature (whitespace removed, `uint` as
/// `uint256`, and so on), so `"transfer(address, uint)"` selects `transfer(address,uint256)`.
///
/// # Errors
///
/// [`EthError::InvalidAbiType`] for a malformed signature or type; value errors as
/// [`abi_encode`].
pub fn encode_function_call(signature: &str, values: &[Loose]) -> Result<Vec<u8>, EthError> {
    let (name, types) = parse_signature(signature)?;
    let values = coerce_all(&types, values)?;
    let arguments: Vec<String> = types.iter().map(canonical_type).collect();
    let canonical = format!("{name}({})", arguments.join(","));
    let mut out = function_selector(&canonical).to_vec();
    out.extend(DynSolValue::Tuple(values).abi_encode_params());
    Ok(out)
}
