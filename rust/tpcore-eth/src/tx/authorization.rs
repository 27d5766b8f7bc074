//! EIP-7702 authorizations: signing (as eth-account's `Account.sign_authorization`) and
//! recovering the authority of a signed one.

use alloy_eips::eip7702::{Authorization, SignedAuthorization};
use alloy_primitives::{Address, U256};
use tpcore_sign::ecdsa::{PrivateKey, address, recover};

use crate::EthError;

/// Signs the EIP-7702 authorization `(chain_id, address, nonce)` with `key`.
///
/// The signed payload is `keccak256(0x05 || rlp([chain_id, address, nonce]))`; the result
/// carries y-parity (0 or 1), r and low s, exactly as eth-account's
/// `Account.sign_authorization({"chainId": .., "address": .., "nonce": ..}, key)`. A chain id
/// of 0 authorizes the delegation on every chain.
#[must_use]
pub fn sign_authorization(
    chain_id: U256,
    address: Address,
    nonce: u64,
    key: &PrivateKey,
) -> SignedAuthorization {
    let inner = Authorization {
        chain_id,
        address,
        nonce,
    };
    let signature = key.sign_hash(&inner.signature_hash().0);
    let (r, s, parity) = split_signature(&signature);
    SignedAuthorization::new_unchecked(inner, parity, r, s)
}

/// Recovers the address that signed an EIP-7702 authorization (its "authority").
///
/// # Errors
///
/// [`EthError::Sign`] if the y-parity is not 0 or 1, r or s is out of range, or no key
/// recovers.
pub fn recover_authority(authorization: &SignedAuthorization) -> Result<Address, EthError> {
    let parity = authorization.y_parity();
    let hash = authorization.inner().signature_hash();
    // A parity byte other than 0/1 is passed through as is so that recover rejects it;
    // tpcore-sign would also accept 27/28, which EIP-7702 does not allow.
    let parity = if parity <= 1 { parity } else { u8::MAX };
    let signature = join_signature(authorization.r(), authorization.s(), parity);
    let public = recover(&hash.0, &signature)?;
    Ok(Address::from(address(&public)))
}

/// Splits a 65-byte `r || s || v` signature from tpcore-sign into r, s and the recovery id.
pub(crate) fn split_signature(signature: &[u8; 65]) -> (U256, U256, u8) {
    let r = U256::from_be_slice(&signature[..32]);
    let s = U256::from_be_slice(&signature[32..64]);
    (r, s, signature[64])
}

/// Joins r, s and a recovery id into the 65-byte form tpcore-sign recovers from.
pub(crate) fn join_signature(r: U256, s: U256, parity: u8) -> [u8; 65] {
    let mut out = [0u8; 65];
    out[..32].copy_from_slice(&r.to_be_bytes::<32>());
    out[32..64].copy_from_slice(&s.to_be_bytes::<32>());
    out[64] = parity;
    out
}
