//! Writing a v3 keystore.

use zeroize::Zeroizing;

use super::cipher::{address_hex, apply_aes_ctr, mac};
use super::json::{CipherParams, KdfParams, Keystore, KeystoreCrypto};
use super::kdf::Kdf;
use crate::SignError;

/// Salt length written, as geth writes it.
const SALT_LEN: usize = 32;

/// The derived key length every keystore this crate writes or reads uses.
pub(super) const DKLEN: u64 = 32;

/// Encrypts a secp256k1 secret key into a v3 keystore JSON text that geth and eth-account
/// read.
///
/// A fresh random 32-byte salt, 16-byte IV and version-4 UUID `id` are drawn from the OS; the
/// cipher is AES-128-CTR keyed by the first half of the derived key, the MAC is
/// `keccak256(derived_key[16..32] || ciphertext)`, and `address` is the lowercase hex address
/// without `0x`. Use [`Kdf::default`] for eth-account's and geth's default cost.
///
/// # Errors
///
/// [`SignError::InvalidSecretKey`] if the secret is zero or not below the group order,
/// [`SignError::MalformedKeystore`] or [`SignError::UnsupportedKeystore`] if `kdf` fails
/// [`Kdf::check`] (this crate never writes a file it would refuse to read), and
/// [`SignError::RandomnessUnavailable`] if the OS random number generator fails.
pub fn encrypt(secret: &[u8; 32], password: &[u8], kdf: &Kdf) -> Result<String, SignError> {
    kdf.check()?;
    let address = address_hex(secret)?;
    let mut salt = [0u8; SALT_LEN];
    let mut iv = [0u8; 16];
    let mut id = [0u8; 16];
    for buf in [&mut salt[..], &mut iv[..], &mut id[..]] {
        getrandom::fill(buf).map_err(|e| SignError::RandomnessUnavailable {
            os_error: e.raw_os_error(),
        })?;
    }
    let derived_key = kdf.derive(password, &salt)?;
    let mut ciphertext = Zeroizing::new(*secret);
    apply_aes_ctr(&derived_key, &iv, &mut ciphertext[..]);
    let mac = mac(&derived_key, &ciphertext[..]);

    let kdfparams = match *kdf {
        Kdf::Scrypt { n, r, p } => KdfParams {
            dklen: Some(DKLEN),
            n: Some(n.into()),
            r: Some(r.into()),
            p: Some(p.into()),
            salt: Some(hex::encode(salt)),
            ..KdfParams::default()
        },
        Kdf::Pbkdf2 { iterations } => KdfParams {
            c: Some(iterations.into()),
            dklen: Some(DKLEN),
            prf: Some("hmac-sha256".to_owned()),
            salt: Some(hex::encode(salt)),
            ..KdfParams::default()
        },
    };
    Keystore {
        address: Some(address),
        crypto: Some(KeystoreCrypto {
            cipher: Some("aes-128-ctr".to_owned()),
            cipherparams: Some(CipherParams {
                iv: Some(hex::encode(iv)),
            }),
            ciphertext: Some(hex::encode(&ciphertext[..])),
            kdf: Some(kdf.name().to_owned()),
            kdfparams: Some(kdfparams),
            mac: Some(hex::encode(mac)),
        }),
        id: Some(uuid::Builder::from_random_bytes(id).into_uuid().to_string()),
        version: Some(3),
    }
    .to_json()
}
