//! secp256k1 ECDSA as Ethereum uses it: 65-byte recoverable signatures `r || s || v` with
//! v = recovery id (0 or 1), RFC 6979 deterministic nonces, and always low-s, as
//! libsecp256k1 produces them.
//!
//! The curve arithmetic is libsecp256k1's, through the `secp256k1` crate and its one global
//! context (`SECP256K1`), built once and shared by every thread; no context is built per
//! call. (secp256k1 0.33 replaced it with per-thread contexts re-randomised after every
//! signature, which costs about as much as the signature itself: we stay on 0.31.)
//!
//! [`PrivateKey`] is the key object; the free functions below are the scalar API on raw
//! bytes, and [`batch`] holds the flat-slice batch API (re-exported here).

mod batch;
mod key;

use secp256k1::ecdsa::{RecoverableSignature, RecoveryId, Signature};
use secp256k1::{Message, PublicKey, SECP256K1, SecretKey};

use crate::SignError;
use crate::keccak::keccak256;

pub use batch::{
    addresses_batch, public_keys_batch, recover_address_batch, recover_batch, sign_batch,
    verify_batch,
};
pub use key::PrivateKey;

/// Parses a 32-byte big-endian secret scalar; `index` is the batch row, if any.
fn parse_secret(bytes: &[u8], index: Option<usize>) -> Result<SecretKey, SignError> {
    let array: [u8; 32] = bytes.try_into().map_err(|_| SignError::Length {
        argument: if index.is_some() {
            "secret_keys"
        } else {
            "secret_key"
        },
        expected: 32,
        actual: bytes.len(),
    })?;
    // `from_byte_array` rejects zero and values >= n (libsecp256k1's seckey_verify).
    SecretKey::from_byte_array(array).map_err(|_| SignError::InvalidSecretKey { index })
}

/// Signs with a parsed key into a 65-byte `r || s || v` array.
fn sign_parsed(secret: &SecretKey, hash: &[u8; 32]) -> [u8; 65] {
    let signature = SECP256K1.sign_ecdsa_recoverable(Message::from_digest(*hash), secret);
    let (recovery_id, compact) = signature.serialize_compact();
    let mut out = [0u8; 65];
    out[..64].copy_from_slice(&compact);
    // libsecp256k1 only yields ids 2 and 3 when r overflowed n (probability ~2^-127); the id
    // is written as is rather than hidden.
    out[64] = u8::try_from(i32::from(recovery_id)).unwrap_or(u8::MAX);
    out
}

/// The 64-byte uncompressed encoding of a public key, without the SEC1 0x04 prefix.
fn raw_public_key(key: &PublicKey) -> [u8; 64] {
    let full = key.serialize_uncompressed();
    let mut out = [0u8; 64];
    out.copy_from_slice(&full[1..]);
    out
}

/// Maps a v byte (0, 1, or Ethereum's legacy 27, 28) to a recovery id.
fn recovery_id(v: u8) -> Option<RecoveryId> {
    match v {
        0 | 27 => Some(RecoveryId::Zero),
        1 | 28 => Some(RecoveryId::One),
        _ => None,
    }
}

/// Recovers the public key of a 65-byte signature; `Err(true)` means malformed, `Err(false)`
/// well-formed but unrecoverable.
fn recover_parsed(hash: &[u8; 32], sig: &[u8]) -> Result<PublicKey, bool> {
    let (compact, v) = sig.split_at(64);
    let id = v.first().copied().and_then(recovery_id).ok_or(true)?;
    // libsecp256k1 parses r = 0 or s = 0 (it only rejects values >= n) and then fails to
    // recover; a zero scalar is a malformed signature, so report it as one.
    let (r, s) = compact.split_at(32);
    if r.iter().all(|&b| b == 0) || s.iter().all(|&b| b == 0) {
        return Err(true);
    }
    let signature = RecoverableSignature::from_compact(compact, id).map_err(|_| true)?;
    SECP256K1
        .recover_ecdsa(Message::from_digest(*hash), &signature)
        .map_err(|_| false)
}

/// Parses a public key of 33 (compressed), 65 (SEC1 uncompressed) or 64 (raw x || y) bytes.
fn parse_public_key(bytes: &[u8]) -> Option<PublicKey> {
    if let Ok(raw) = <&[u8; 64]>::try_from(bytes) {
        let mut full = [0x04u8; 65];
        full[1..].copy_from_slice(raw);
        PublicKey::from_byte_array_uncompressed(full).ok()
    } else {
        PublicKey::from_slice(bytes).ok()
    }
}

/// Verifies a parsed signature, normalising s first unless `strict`.
fn verify_parsed(key: &PublicKey, hash: &[u8; 32], mut signature: Signature, strict: bool) -> bool {
    if !strict {
        signature.normalize_s();
    }
    SECP256K1
        .verify_ecdsa(Message::from_digest(*hash), &signature, key)
        .is_ok()
}

/// Verifies a 64- or 65-byte compact signature (v ignored) against a parsed key.
fn verify_compact(key: &PublicKey, hash: &[u8; 32], sig: &[u8], strict: bool) -> bool {
    let compact = match sig.len() {
        64 | 65 => &sig[..64],
        _ => return false,
    };
    Signature::from_compact(compact).is_ok_and(|s| verify_parsed(key, hash, s, strict))
}

/// Signs a 32-byte hash with a raw 32-byte secret key, returning `r || s || v`.
///
/// # Errors
///
/// [`SignError::Length`] if `secret` is not 32 bytes; [`SignError::InvalidSecretKey`] if it is
/// zero or not below the group order.
pub fn sign_hash(secret: &[u8], hash: &[u8; 32]) -> Result<[u8; 65], SignError> {
    let mut key = parse_secret(secret, None)?;
    let signature = sign_parsed(&key, hash);
    key.non_secure_erase();
    Ok(signature)
}

/// Recovers the 64-byte public key that produced a 65-byte signature over `hash`.
///
/// v may be 0/1 or Ethereum's legacy 27/28.
///
/// # Errors
///
/// [`SignError::Length`] if `sig` is not 65 bytes; [`SignError::InvalidSignature`] if r or s
/// is out of range or v is not 0, 1, 27 or 28; [`SignError::UnrecoverableSignature`] if no
/// key recovers.
pub fn recover(hash: &[u8; 32], sig: &[u8]) -> Result<[u8; 64], SignError> {
    if sig.len() != 65 {
        return Err(SignError::Length {
            argument: "signature",
            expected: 65,
            actual: sig.len(),
        });
    }
    match recover_parsed(hash, sig) {
        Ok(key) => Ok(raw_public_key(&key)),
        Err(true) => Err(SignError::InvalidSignature { index: None }),
        Err(false) => Err(SignError::UnrecoverableSignature { index: None }),
    }
}

/// Returns whether `sig` (64 or 65 bytes; v ignored) is a valid signature over `hash` by
/// `public_key` (33 compressed, 65 SEC1 uncompressed, or 64 raw bytes).
///
/// With `strict`, a high-s signature is rejected (libsecp256k1's and EIP-2's rule); without,
/// s is normalised to the low half first, accepting both s and n - s as ecrecover does.
/// Malformed keys and signatures give `false`.
#[must_use]
pub fn verify(public_key: &[u8], hash: &[u8; 32], sig: &[u8], strict: bool) -> bool {
    parse_public_key(public_key).is_some_and(|key| verify_compact(&key, hash, sig, strict))
}

/// Like [`verify`], for a DER-encoded signature, parsed strictly by libsecp256k1 (BIP 66
/// rules: minimal lengths, no padding, no trailing bytes).
#[must_use]
pub fn verify_der(public_key: &[u8], hash: &[u8; 32], der: &[u8], strict: bool) -> bool {
    let Some(key) = parse_public_key(public_key) else {
        return false;
    };
    Signature::from_der(der).is_ok_and(|s| verify_parsed(&key, hash, s, strict))
}

/// Derives the 64-byte uncompressed public key (no 0x04 prefix) of a raw secret key.
///
/// # Errors
///
/// [`SignError::Length`] if `secret` is not 32 bytes; [`SignError::InvalidSecretKey`] if it is
/// zero or not below the group order.
pub fn public_key(secret: &[u8]) -> Result<[u8; 64], SignError> {
    let mut key = parse_secret(secret, None)?;
    let public = raw_public_key(&key.public_key(SECP256K1));
    key.non_secure_erase();
    Ok(public)
}

/// Returns the Ethereum address of a 64-byte public key: the last 20 bytes of its
/// Keccak-256.
#[must_use]
pub fn address(public_key64: &[u8; 64]) -> [u8; 20] {
    let digest = keccak256(public_key64);
    let mut out = [0u8; 20];
    out.copy_from_slice(&digest[12..]);
    out
}

/// Formats an address with the EIP-55 mixed-case checksum, `0x`-prefixed.
#[must_use]
pub fn to_checksum_address(address: &[u8; 20]) -> String {
    let lower = hex::encode(address);
    let digest = keccak256(lower.as_bytes());
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        // Nibble i of the hash of the lowercase hex decides the case of hex digit i.
        let nibble = if i % 2 == 0 {
            digest[i / 2] >> 4
        } else {
            digest[i / 2] & 0x0f
        };
        out.push(if nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    out
}
