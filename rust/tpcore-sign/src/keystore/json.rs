//! The JSON shape of a v3 keystore, for serde.
//!
//! Every field is optional here so that [`decrypt`](super::decrypt) can name exactly which
//! one is missing; [`Keystore::parse`] checks only the JSON types. Unknown fields are ignored,
//! as geth and eth-account ignore them. Fields serialise in eth-account's order.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::SignError;

/// A parsed v3 keystore file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keystore {
    /// The account address, hex without `0x`; informational, never checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The encrypted key and how to decrypt it; geth also reads the key `Crypto`.
    #[serde(default, alias = "Crypto", skip_serializing_if = "Option::is_none")]
    pub crypto: Option<KeystoreCrypto>,
    /// A UUID naming the file; informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The format version; only 3 is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

/// The `crypto` object of a keystore.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeystoreCrypto {
    /// The cipher; only `aes-128-ctr` is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher: Option<String>,
    /// The cipher's parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipherparams: Option<CipherParams>,
    /// The encrypted 32-byte secret, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphertext: Option<String>,
    /// The key-derivation function: `scrypt` or `pbkdf2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kdf: Option<String>,
    /// The key-derivation function's parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kdfparams: Option<KdfParams>,
    /// `keccak256(derived_key[16..32] || ciphertext)`, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

/// The `cipherparams` object of a keystore.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CipherParams {
    /// The 16-byte initial counter block, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iv: Option<String>,
}

/// The `kdfparams` object of a keystore: scrypt uses `n`, `r`, `p`; PBKDF2 uses `c`, `prf`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// PBKDF2 iteration count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c: Option<u64>,
    /// Derived key length in bytes; only 32 is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dklen: Option<u64>,
    /// scrypt CPU/memory cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// scrypt block size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<u64>,
    /// scrypt parallelism.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<u64>,
    /// PBKDF2 pseudo-random function; only `hmac-sha256` is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prf: Option<String>,
    /// The KDF salt, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
}

impl Keystore {
    /// Parses keystore JSON, checking the types of the fields it knows but not their
    /// presence or values.
    ///
    /// # Errors
    ///
    /// [`SignError::MalformedKeystore`] naming the JSON path of the first field with the wrong
    /// type, or `$` when the text is not a JSON object.
    pub fn parse(json: &str) -> Result<Self, SignError> {
        let value: Value = serde_json::from_str(json).map_err(|e| malformed("$", &e))?;
        require_objects(&value)?;
        serde_path_to_error::deserialize(&value).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { "$" } else { &path };
            malformed(field, e.inner())
        })
    }

    /// Serialises the keystore as compact JSON, as geth writes it.
    ///
    /// # Errors
    ///
    /// None in practice: serialising these plain structs to a string cannot fail, but
    /// serde's signature says it could, so the failure maps to
    /// [`SignError::MalformedKeystore`] rather than a panic.
    pub fn to_json(&self) -> Result<String, SignError> {
        serde_json::to_string(self).map_err(|e| malformed("$", &e))
    }
}

/// Checks the nested objects are JSON objects where present: serde would otherwise also
/// read a struct from an array, by position.
fn require_objects(root: &Value) -> Result<(), SignError> {
    let object = |value: Option<&Value>, field: &str| match value {
        None | Some(Value::Null | Value::Object(_)) => Ok(()),
        Some(_) => Err(malformed(field, &"expected a JSON object")),
    };
    if !root.is_object() {
        return Err(malformed("$", &"expected a JSON object"));
    }
    for key in ["crypto", "Crypto"] {
        let crypto = root.get(key);
        object(crypto, key)?;
        for inner in ["cipherparams", "kdfparams"] {
            object(crypto.and_then(|c| c.get(inner)), &format!("{key}.{inner}"))?;
        }
    }
    Ok(())
}

/// The error for a field of the wrong JSON type.
fn malformed(field: &str, detail: &dyn std::fmt::Display) -> SignError {
    SignError::MalformedKeystore {
        field: field.to_owned(),
        detail: detail.to_string(),
    }
}
