//! Ethereum addresses: EIP-55 checksum formatting and strict parsing.
//!
//! Parsing is stricter than most libraries on purpose: a mixed-case address is a claim that
//! it carries an EIP-55 checksum, and a wrong checksum usually means a mistyped address, so
//! it is refused rather than silently lower-cased.

pub use alloy_primitives::Address;

use crate::EthError;

/// Formats an address with the EIP-55 mixed-case checksum, `0x`-prefixed.
///
/// Takes `&Address` or `&[u8; 20]` (an `Address` derefs to its bytes).
#[must_use]
pub fn to_checksum(address: &[u8; 20]) -> String {
    tpcore_sign::ecdsa::to_checksum_address(address)
}

/// Parses `0x` followed by 40 hex digits.
///
/// All-lowercase and all-uppercase digits are accepted as unchecksummed; mixed case must
/// match the EIP-55 checksum.
///
/// # Errors
///
/// [`EthError::InvalidAddress`] for a missing prefix, a wrong length or a non-hex digit;
/// [`EthError::BadChecksum`] for mixed case that fails the checksum.
pub fn parse_address(text: &str) -> Result<Address, EthError> {
    parse_address_at(text, "address")
}

/// [`parse_address`], naming `field` (an argument name or ABI value path) in errors.
pub(crate) fn parse_address_at(text: &str, field: &str) -> Result<Address, EthError> {
    let invalid = |detail: &str| EthError::InvalidAddress {
        field: field.to_owned(),
        detail: detail.to_owned(),
    };
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .ok_or_else(|| invalid("missing 0x prefix"))?;
    if digits.len() != 40 {
        return Err(invalid(&format!(
            "expected 40 hex digits, got {}",
            digits.len()
        )));
    }
    let mut bytes = [0u8; 20];
    hex::decode_to_slice(digits, &mut bytes).map_err(|_| invalid("non-hex digit"))?;
    let has_lower = digits.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = digits.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper && to_checksum(&bytes)[2..] != *digits {
        return Err(EthError::BadChecksum {
            field: field.to_owned(),
            address: text.to_owned(),
        });
    }
    Ok(Address::from(bytes))
}
