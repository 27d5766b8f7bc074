//! AES-128-CTR and the keccak MAC of a v3 keystore, and the address it records.

use ctr::cipher::{KeyIvInit, StreamCipher};
use k256::elliptic_curve::sec1::ToSec1Point;
use sha3::{Digest, Keccak256};
use zeroize::Zeroizing;

use crate::SignError;

/// AES-128 in CTR mode with a 128-bit big-endian counter, as geth and pycryptodome run it.
type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// Encrypts or decrypts `data` in place with `derived_key[..16]` and the 16-byte `iv`.
pub(super) fn apply_aes_ctr(derived_key: &[u8; 32], iv: &[u8; 16], data: &mut [u8]) {
    let mut key = Zeroizing::new([0u8; 16]);
    key.copy_from_slice(&derived_key[..16]);
    let mut cipher = Aes128Ctr::new((&*key).into(), iv.into());
    cipher.apply_keystream(data);
}

/// Computes the MAC `keccak256(derived_key[16..32] || ciphertext)`.
pub(super) fn mac(derived_key: &[u8; 32], ciphertext: &[u8]) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    hasher.update(&derived_key[16..]);
    hasher.update(ciphertext);
    hasher.finalize().into()
}

/// Computes the Ethereum address of a secret key, lowercase hex without `0x` as geth writes
/// it in keystores.
///
/// # Errors
///
/// [`SignError::InvalidSecretKey`] if the secret is zero or not below the group order.
pub(super) fn address_hex(secret: &[u8; 32]) -> Result<String, SignError> {
    let key = k256::SecretKey::from_slice(secret)
        .map_err(|_| SignError::InvalidSecretKey { index: None })?;
    let point = key.public_key().to_sec1_point(false);
    // Skip the 0x04 tag of the uncompressed encoding: the address hashes x || y.
    let digest = Keccak256::digest(point.as_bytes().get(1..).unwrap_or_default());
    Ok(hex::encode(&digest[12..]))
}
