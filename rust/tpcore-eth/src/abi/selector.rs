//! Function selectors.

use tpcore_sign::keccak::keccak256;

/// The 4-byte selector of a function signature: the first 4 bytes of the Keccak-256 of the
/// signature with all whitespace removed, as eth-utils' `function_signature_to_4byte_selector`.
///
/// `"transfer(address,uint256)"` and `"transfer(address, uint256)"` both give `a9059cbb`.
/// Type names are hashed as written: `uint` is not rewritten to `uint256` (use
/// [`super::encode_function_call`], which hashes the canonical form).
#[must_use]
pub fn function_selector(signature: &str) -> [u8; 4] {
    let normalised: String = signature.chars().filter(|c| !c.is_whitespace()).collect();
    let digest = keccak256(normalised.as_bytes());
    [digest[0], digest[1], digest[2], digest[3]]
}
