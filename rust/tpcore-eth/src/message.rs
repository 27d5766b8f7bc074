//! EIP-191 `personal_sign` messages (version byte 0x45), as eth-account's `encode_defunct`,
//! `Account.sign_message` and `Account.recover_message`.

use alloy_primitives::{Address, B256, U256};
use rayon::prelude::*;
use tpcore_sign::SignError;
use tpcore_sign::ecdsa::{self, PrivateKey};
use tpcore_sign::keccak::keccak256;

use crate::EthError;

/// Below this many rows a batch runs on the calling thread: a signature takes tens of
/// microseconds, so a handful does not repay the hop to the rayon pool.
pub(crate) const SERIAL_BELOW: usize = 8;

/// A signature over a message hash, in eth-account's `SignedMessage` shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedMessage {
    /// The 32-byte hash that was signed.
    pub message_hash: B256,
    /// The signature's r.
    pub r: U256,
    /// The signature's s (always low-s).
    pub s: U256,
    /// 27 or 28, as eth-account returns it for messages.
    pub v: u8,
    /// `r || s || v` with v 27 or 28.
    pub signature: [u8; 65],
}

impl SignedMessage {
    /// Builds the result from a hash and tpcore-sign's `r || s || recovery id` signature.
    pub(crate) fn from_raw(message_hash: B256, mut raw: [u8; 65]) -> Self {
        // eth-account reports message signatures with the legacy v = 27 + recovery id.
        raw[64] = raw[64].wrapping_add(27);
        Self {
            message_hash,
            r: U256::from_be_slice(&raw[..32]),
            s: U256::from_be_slice(&raw[32..64]),
            v: raw[64],
            signature: raw,
        }
    }
}

/// The EIP-191 version 0x45 hash: `keccak256("\x19Ethereum Signed Message:\n" || len || message)`
/// with the length in decimal ASCII.
#[must_use]
pub fn personal_hash(message: &[u8]) -> B256 {
    let prefix = format!("\x19Ethereum Signed Message:\n{}", message.len());
    let mut data = Vec::with_capacity(prefix.len() + message.len());
    data.extend_from_slice(prefix.as_bytes());
    data.extend_from_slice(message);
    B256::from(keccak256(&data))
}

/// Signs `message` as `personal_sign` does.
#[must_use]
pub fn sign_message(message: &[u8], key: &PrivateKey) -> SignedMessage {
    let hash = personal_hash(message);
    SignedMessage::from_raw(hash, key.sign_hash(&hash.0))
}

/// Recovers the address that signed `message` from a 65-byte `r || s || v` signature
/// (v may be 0, 1, 27 or 28).
///
/// # Errors
///
/// [`EthError::Sign`] with reason `invalid_length`, `invalid_signature` or
/// `unrecoverable_signature`.
pub fn recover_message(message: &[u8], signature: &[u8]) -> Result<Address, EthError> {
    recover_hash(&personal_hash(message), signature)
}

/// Recovers the signer of a 32-byte hash.
pub(crate) fn recover_hash(hash: &B256, signature: &[u8]) -> Result<Address, EthError> {
    let public = ecdsa::recover(&hash.0, signature)?;
    Ok(Address::from(ecdsa::address(&public)))
}

/// Signs every message of a batch, in parallel once the batch is large enough.
///
/// `secret_keys` is one 32-byte key used for every message, or `32 * messages.len()` bytes,
/// one key per message.
///
/// # Errors
///
/// [`EthError::Sign`] (`invalid_length`) if `secret_keys` has neither length; an invalid key
/// fails as `invalid_secret_key` wrapped by [`EthError::at`] with the first bad index.
pub fn sign_messages(
    messages: &[&[u8]],
    secret_keys: &[u8],
) -> Result<Vec<SignedMessage>, EthError> {
    sign_hashes_batch(messages.len(), secret_keys, |i| {
        Ok(personal_hash(messages[i]))
    })
}

/// Signs `rows` hashes produced by `hash_of`, with one broadcast key or one key per row.
///
/// Every row runs even after a failure, so the error reported is the lowest failing index
/// whatever rayon's split.
pub(crate) fn sign_hashes_batch<F>(
    rows: usize,
    secret_keys: &[u8],
    hash_of: F,
) -> Result<Vec<SignedMessage>, EthError>
where
    F: Fn(usize) -> Result<B256, EthError> + Sync,
{
    let signer = BatchSigner::new(rows, secret_keys)?;
    let one = |i: usize| -> Result<SignedMessage, EthError> {
        let hash = hash_of(i).map_err(|e| e.at(i))?;
        signer.sign(i, hash)
    };
    let results: Vec<Result<SignedMessage, EthError>> = if rows < SERIAL_BELOW {
        (0..rows).map(one).collect()
    } else {
        (0..rows).into_par_iter().map(one).collect()
    };
    results.into_iter().collect()
}

/// The keys of a batch of `rows` hashes: one broadcast key, parsed once, or one per row.
pub struct BatchSigner<'a> {
    broadcast: Option<PrivateKey>,
    secret_keys: &'a [u8],
}

impl<'a> BatchSigner<'a> {
    /// Takes one 32-byte key for every row or 32 bytes per row (a single row's key is read
    /// as its own, so its error carries index 0).
    ///
    /// # Errors
    ///
    /// [`EthError::Sign`]: `invalid_length` if `secret_keys` has neither length,
    /// `invalid_secret_key` (no index) if the broadcast key is invalid.
    pub fn new(rows: usize, secret_keys: &'a [u8]) -> Result<Self, EthError> {
        let broadcast = if secret_keys.len() == 32 && rows != 1 {
            Some(PrivateKey::from_bytes(secret_keys)?)
        } else if Some(secret_keys.len()) == rows.checked_mul(32) {
            None
        } else {
            return Err(SignError::Length {
                argument: "secret_keys",
                expected: rows.saturating_mul(32),
                actual: secret_keys.len(),
            }
            .into());
        };
        Ok(Self {
            broadcast,
            secret_keys,
        })
    }

    /// Signs row `row`'s hash with its key.
    ///
    /// # Errors
    ///
    /// An invalid per-row key, as `invalid_secret_key` wrapped by [`EthError::at`].
    pub fn sign(&self, row: usize, hash: B256) -> Result<SignedMessage, EthError> {
        let raw = if let Some(key) = &self.broadcast {
            key.sign_hash(&hash.0)
        } else {
            let secret = self
                .secret_keys
                .get(row * 32..(row + 1) * 32)
                .unwrap_or_default();
            ecdsa::sign_hash(secret, &hash.0).map_err(|e| EthError::from(e).at(row))?
        };
        Ok(SignedMessage::from_raw(hash, raw))
    }
}

impl std::fmt::Debug for BatchSigner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchSigner")
            .field("broadcast", &self.broadcast)
            .field("rows", &(self.secret_keys.len() / 32))
            .finish()
    }
}
