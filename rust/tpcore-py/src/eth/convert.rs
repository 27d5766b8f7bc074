//! Converting the values of eth-account's dicts: ints or hex strings, addresses, byte data.
//!
//! Every failure names the field as the user wrote it (`"maxFeePerGas"`,
//! `"accessList[0].address"`), as an `EthError::InvalidField` (reason `invalid_field`).

use alloy_primitives::{Address, B256, Bytes, U256};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyString};
use tpcore_eth::EthError;

use crate::error::CoreError;

/// A field error, as the core crate phrases it.
pub(crate) fn field_error(field: &str, detail: impl Into<String>) -> CoreError {
    CoreError::from(EthError::field(field, detail))
}

/// Parses a `0x`-prefixed hex quantity.
fn hex_quantity(text: &str, field: &str) -> Result<U256, CoreError> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .ok_or_else(|| {
            field_error(
                field,
                format!("expected an int or 0x-hex string, got {text:?}"),
            )
        })?;
    if digits.is_empty() {
        return Ok(U256::ZERO);
    }
    // from_str_radix skips `_` separators; a quantity is hex digits only.
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(field_error(
            field,
            format!("{text:?} is not a hex quantity"),
        ));
    }
    U256::from_str_radix(digits, 16)
        .map_err(|_| field_error(field, format!("{text:?} is not a 256-bit hex quantity")))
}

/// An unsigned 256-bit quantity from a Python int or a `0x` hex string (not a bool).
pub(crate) fn uint256(obj: &Bound<'_, PyAny>, field: &str) -> Result<U256, CoreError> {
    if let Ok(text) = obj.cast::<PyString>() {
        return hex_quantity(
            &text.to_cow().map_err(|_| field_error(field, "not text"))?,
            field,
        );
    }
    if !obj.is_instance_of::<PyInt>() || obj.is_instance_of::<pyo3::types::PyBool>() {
        let kind = obj
            .get_type()
            .name()
            .map_or_else(|_| "?".to_owned(), |n| n.to_string());
        return Err(field_error(
            field,
            format!("expected an int or 0x-hex string, got {kind}"),
        ));
    }
    if let Ok(small) = obj.extract::<u64>() {
        return Ok(U256::from(small));
    }
    let bytes = obj
        .call_method1("to_bytes", (32, "big"))
        .map_err(|_| field_error(field, "must be an integer from 0 to 2**256 - 1"))?;
    let bytes = bytes
        .cast::<PyBytes>()
        .map_err(|_| field_error(field, "not an integer"))?;
    Ok(U256::from_be_slice(bytes.as_bytes()))
}

/// A quantity that must fit in `T` (u64 for nonces and gas, u128 for fees).
pub(crate) fn uint<T: TryFrom<U256>>(obj: &Bound<'_, PyAny>, field: &str) -> Result<T, CoreError> {
    let value = uint256(obj, field)?;
    T::try_from(value).map_err(|_| {
        field_error(
            field,
            format!("{value} is too large ({} bits at most)", size_of::<T>() * 8),
        )
    })
}

/// An address from a `0x` string (EIP-55 checked when mixed case) or 20 bytes.
pub(crate) fn address(obj: &Bound<'_, PyAny>, field: &str) -> Result<Address, CoreError> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Address::try_from(bytes.as_bytes()).map_err(|_| {
            field_error(
                field,
                format!("expected 20 bytes, got {}", bytes.len().unwrap_or(0)),
            )
        });
    }
    let text = obj
        .cast::<PyString>()
        .map_err(|_| field_error(field, "expected a 0x address string or 20 bytes"))?;
    let text = text.to_cow().map_err(|_| field_error(field, "not text"))?;
    tpcore_eth::address::parse_address(&text).map_err(|e| match e {
        EthError::InvalidField { detail, .. } => field_error(field, detail),
        other => CoreError::from(EthError::field(field, other.to_string())),
    })
}

/// The address last read from text in each of a few fields of a batch (`to`, `from`):
/// rows often share them (a token contract, the hot wallet), and checking an EIP-55
/// checksum costs a keccak.
pub(crate) struct RecentAddresses<'py, const FIELDS: usize> {
    last: [Option<(Bound<'py, PyString>, Address)>; FIELDS],
}

impl<const FIELDS: usize> Default for RecentAddresses<'_, FIELDS> {
    fn default() -> Self {
        Self {
            last: std::array::from_fn(|_| None),
        }
    }
}

impl<'py, const FIELDS: usize> RecentAddresses<'py, FIELDS> {
    /// As [`address`], remembering text that read well in `slot`.
    pub(crate) fn address(
        &mut self,
        slot: usize,
        obj: &Bound<'py, PyAny>,
        field: &str,
    ) -> Result<Address, CoreError> {
        let (Some(last), Ok(text)) = (self.last.get_mut(slot), obj.cast::<PyString>()) else {
            return address(obj, field);
        };
        if let Some((known, parsed)) = last
            && (known.is(text)
                || known
                    .to_str()
                    .ok()
                    .is_some_and(|k| text.to_str().ok() == Some(k)))
        {
            return Ok(*parsed);
        }
        let parsed = address(obj, field)?;
        *last = Some((text.clone(), parsed));
        Ok(parsed)
    }
}

/// Byte data from `bytes` or a `0x` hex string.
pub(crate) fn data(obj: &Bound<'_, PyAny>, field: &str) -> Result<Bytes, CoreError> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Ok(Bytes::copy_from_slice(bytes.as_bytes()));
    }
    let text = obj
        .cast::<PyString>()
        .map_err(|_| field_error(field, "expected bytes or a 0x hex string"))?;
    let text = text.to_cow().map_err(|_| field_error(field, "not text"))?;
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .ok_or_else(|| field_error(field, "a hex string must start with 0x"))?;
    hex::decode(digits)
        .map(Bytes::from)
        .map_err(|e| field_error(field, format!("bad hex: {e}")))
}

/// A 32-byte word from `bytes` or a `0x` hex string.
pub(crate) fn word(obj: &Bound<'_, PyAny>, field: &str) -> Result<B256, CoreError> {
    let bytes = data(obj, field)?;
    B256::try_from(bytes.as_ref())
        .map_err(|_| field_error(field, format!("expected 32 bytes, got {}", bytes.len())))
}

/// A Python int from an unsigned 256-bit value.
pub(crate) fn int_of(py: Python<'_>, value: U256) -> PyResult<Bound<'_, PyAny>> {
    if let Ok(small) = u64::try_from(value) {
        return Ok(small.into_pyobject(py)?.into_any());
    }
    let bytes = PyBytes::new(py, &value.to_be_bytes::<32>());
    py.get_type::<PyInt>()
        .call_method1("from_bytes", (bytes, "big"))
}
