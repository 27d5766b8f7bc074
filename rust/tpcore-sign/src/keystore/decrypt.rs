//! Reading a v3 keystore: field checks, KDF, constant-time MAC check, then decryption.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::bounds::MAX_SALT_LEN;
use super::cipher::{apply_aes_ctr, mac};
use super::encrypt::DKLEN;
use super::json::{KdfParams, Keystore, KeystoreCrypto};
use super::kdf::{Kdf, check_pbkdf2, check_scrypt};
use crate::SignError;

/// Decrypts a v3 keystore JSON text (scrypt or PBKDF2) with `password` and returns the
/// 32-byte secret.
///
/// Every field is checked first, then the KDF cost against [`bounds`](super::bounds); the MAC
/// is compared in constant time before anything is decrypted. The secret is returned as
/// stored, without checking it is a valid secp256k1 key, as eth-account does.
///
/// # Errors
///
/// - [`SignError::MalformedKeystore`] naming the field (`crypto.kdfparams.salt`, …) that is
///   missing, of the wrong JSON type, bad hex or of the wrong length (IV 16 bytes, ciphertext
///   32, MAC 32, salt at most [`MAX_SALT_LEN`]), or not valid for its KDF.
/// - [`SignError::UnsupportedKeystore`] for a version other than 3, a cipher other than
///   `aes-128-ctr`, a KDF other than `scrypt` or `pbkdf2`, a PRF other than `hmac-sha256`,
///   a `dklen` other than 32, or a KDF cost over the bounds.
/// - [`SignError::WrongPassword`] if the MAC does not match.
pub fn decrypt(keystore_json: &str, password: &[u8]) -> Result<Zeroizing<[u8; 32]>, SignError> {
    let keystore = Keystore::parse(keystore_json)?;
    match keystore.version {
        Some(3) => {}
        Some(v) => return Err(unsupported(format!("version {v}, only 3 is supported"))),
        None => return Err(missing("version")),
    }
    let crypto = keystore.crypto.as_ref().ok_or_else(|| missing("crypto"))?;
    let parsed = Parsed::from_crypto(crypto)?;

    let derived_key = parsed.kdf.derive(password, &parsed.salt)?;
    let expected = mac(&derived_key, &parsed.ciphertext);
    if !bool::from(expected.ct_eq(&parsed.mac)) {
        return Err(SignError::WrongPassword);
    }
    let mut secret = Zeroizing::new(parsed.ciphertext);
    apply_aes_ctr(&derived_key, &parsed.iv, &mut secret[..]);
    Ok(secret)
}

/// The checked contents of the `crypto` object.
struct Parsed {
    /// The KDF and its checked parameters.
    kdf: Kdf,
    /// The KDF salt.
    salt: Vec<u8>,
    /// The AES-CTR initial counter block.
    iv: [u8; 16],
    /// The encrypted secret.
    ciphertext: [u8; 32],
    /// The stored MAC.
    mac: [u8; 32],
}

impl Parsed {
    /// Checks every field of `crypto`, in file order.
    fn from_crypto(crypto: &KeystoreCrypto) -> Result<Self, SignError> {
        let cipher = required(crypto.cipher.as_deref(), "crypto.cipher")?;
        if cipher != "aes-128-ctr" {
            return Err(unsupported(format!(
                "cipher {cipher:?}, only \"aes-128-ctr\" is supported"
            )));
        }
        let iv_hex = crypto
            .cipherparams
            .as_ref()
            .ok_or_else(|| missing("crypto.cipherparams"))?
            .iv
            .as_deref();
        let iv = fixed_hex(
            required(iv_hex, "crypto.cipherparams.iv")?,
            "crypto.cipherparams.iv",
        )?;
        let ciphertext = fixed_hex(
            required(crypto.ciphertext.as_deref(), "crypto.ciphertext")?,
            "crypto.ciphertext",
        )?;
        let kdf_name = required(crypto.kdf.as_deref(), "crypto.kdf")?;
        let params = crypto
            .kdfparams
            .as_ref()
            .ok_or_else(|| missing("crypto.kdfparams"))?;
        let (kdf, salt) = parse_kdf(kdf_name, params)?;
        let mac = fixed_hex(required(crypto.mac.as_deref(), "crypto.mac")?, "crypto.mac")?;
        Ok(Self {
            kdf,
            salt,
            iv,
            ciphertext,
            mac,
        })
    }
}

/// Checks the KDF name and its parameters and returns the KDF and the salt.
fn parse_kdf(name: &str, params: &KdfParams) -> Result<(Kdf, Vec<u8>), SignError> {
    let kdf = match name {
        "scrypt" => {
            let n = required(params.n, "crypto.kdfparams.n")?;
            let r = required(params.r, "crypto.kdfparams.r")?;
            let p = required(params.p, "crypto.kdfparams.p")?;
            check_scrypt(n, r, p)?;
            Kdf::Scrypt {
                n: narrow(n)?,
                r: narrow(r)?,
                p: narrow(p)?,
            }
        }
        "pbkdf2" => {
            let prf = required(params.prf.as_deref(), "crypto.kdfparams.prf")?;
            if prf != "hmac-sha256" {
                return Err(unsupported(format!(
                    "PBKDF2 prf {prf:?}, only \"hmac-sha256\" is supported"
                )));
            }
            let c = required(params.c, "crypto.kdfparams.c")?;
            check_pbkdf2(c)?;
            Kdf::Pbkdf2 {
                iterations: narrow(c)?,
            }
        }
        other => {
            return Err(unsupported(format!(
                "kdf {other:?}, only \"scrypt\" and \"pbkdf2\" are supported"
            )));
        }
    };
    let dklen = required(params.dklen, "crypto.kdfparams.dklen")?;
    if dklen != DKLEN {
        // Tools disagree on which bytes of a longer key feed the MAC, so only 32 is safe.
        return Err(unsupported(format!("dklen {dklen}, only 32 is supported")));
    }
    let salt_field = "crypto.kdfparams.salt";
    let salt = decode_hex(required(params.salt.as_deref(), salt_field)?, salt_field)?;
    if salt.len() > MAX_SALT_LEN {
        return Err(malformed(
            salt_field,
            format!("{} bytes, at most {MAX_SALT_LEN} allowed", salt.len()),
        ));
    }
    Ok((kdf, salt))
}

/// Narrows a KDF parameter the bounds already limit to far below 2^32.
fn narrow(value: u64) -> Result<u32, SignError> {
    u32::try_from(value).map_err(|_| unsupported(format!("KDF parameter {value} is too large")))
}

/// Returns the field's value or the error naming it as missing.
fn required<T>(value: Option<T>, field: &str) -> Result<T, SignError> {
    value.ok_or_else(|| missing(field))
}

/// Decodes hex with an optional `0x` prefix, as eth-account accepts it.
fn decode_hex(text: &str, field: &str) -> Result<Vec<u8>, SignError> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    hex::decode(digits).map_err(|e| malformed(field, format!("bad hex: {e}")))
}

/// Decodes hex that must be exactly `N` bytes long.
fn fixed_hex<const N: usize>(text: &str, field: &str) -> Result<[u8; N], SignError> {
    let bytes = decode_hex(text, field)?;
    <[u8; N]>::try_from(bytes.as_slice())
        .map_err(|_| malformed(field, format!("expected {N} bytes, got {}", bytes.len())))
}

/// The error for a missing field.
fn missing(field: &str) -> SignError {
    malformed(field, "missing".to_owned())
}

/// The error for an invalid field.
fn malformed(field: &str, detail: String) -> SignError {
    SignError::MalformedKeystore {
        field: field.to_owned(),
        detail,
    }
}

/// The error for a setting this crate does not support.
fn unsupported(detail: String) -> SignError {
    SignError::UnsupportedKeystore { detail }
}
