//! The secp256k1 private key object.

use std::fmt;

use secp256k1::SecretKey;
use zeroize::Zeroizing;

use super::{address, parse_secret, raw_public_key, sign_parsed, to_checksum_address};
use crate::SignError;

/// A secp256k1 private key with its public key, erased when dropped.
///
/// What erasure guarantees: on drop the key's own 32 secret bytes are overwritten with a
/// volatile write followed by a compiler fence (`SecretKey::non_secure_erase`), so the
/// compiler cannot elide it. `secp256k1::SecretKey` is `Copy` and not `Zeroize`, so this is
/// the strongest erasure available for it. Not covered: copies left behind when the value is
/// moved (box it to keep it in one place), and transient copies that libsecp256k1 and the
/// `secp256k1` crate make on the stack while signing (for instance the context
/// re-randomisation seed). Debug output shows the address, never the secret.
pub struct PrivateKey {
    secret: SecretKey,
    public: [u8; 64],
}

impl PrivateKey {
    /// Generates a key from the operating system's random number generator.
    ///
    /// # Errors
    ///
    /// [`SignError::RandomnessUnavailable`] if the OS generator fails.
    pub fn generate() -> Result<Self, SignError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        loop {
            getrandom::fill(bytes.as_mut_slice()).map_err(|e| {
                SignError::RandomnessUnavailable {
                    os_error: e.raw_os_error(),
                }
            })?;
            // A draw is out of range with probability about 2^-128; draw again then.
            if let Ok(key) = Self::from_bytes(bytes.as_slice()) {
                return Ok(key);
            }
        }
    }

    /// Parses a 32-byte big-endian secret key.
    ///
    /// # Errors
    ///
    /// [`SignError::Length`] if `bytes` is not 32 bytes; [`SignError::InvalidSecretKey`] if
    /// the key is zero or not below the group order n.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SignError> {
        let secret = parse_secret(bytes, None)?;
        let public = raw_public_key(&secret.public_key(secp256k1::SECP256K1));
        Ok(Self { secret, public })
    }

    /// Returns a copy of the 32 secret bytes that is zeroed when dropped.
    #[must_use]
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.secret.secret_bytes())
    }

    /// Returns the 64-byte uncompressed public key (no 0x04 prefix).
    #[must_use]
    pub fn public_key(&self) -> [u8; 64] {
        self.public
    }

    /// Returns the Ethereum address of the key.
    #[must_use]
    pub fn address(&self) -> [u8; 20] {
        address(&self.public)
    }

    /// Signs a 32-byte hash, returning `r || s || v` (RFC 6979 nonce, low s, v in {0, 1}).
    #[must_use]
    pub fn sign_hash(&self, hash: &[u8; 32]) -> [u8; 65] {
        sign_parsed(&self.secret, hash)
    }
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        self.secret.non_secure_erase();
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PrivateKey(address={})",
            to_checksum_address(&self.address())
        )
    }
}
