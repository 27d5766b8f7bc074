//! EIP-712 typed data, as wallets receive it for `eth_signTypedData_v4` and as eth-account's
//! `encode_typed_data(full_message=...)` / `Account.sign_typed_data` hash and sign it.
//!
//! The document is `{types, primaryType, domain, message}`. Type resolution, `encodeType`,
//! `encodeData` and struct hashing are alloy's (`alloy_dyn_abi::eip712`), which covers the
//! whole spec: nested structs, arrays of structs, dynamic types, `bytes1..32`, `int/uint<N>`.
//!
//! One deliberate difference from `TypedData::eip712_signing_hash`: alloy hashes the domain
//! from a fixed struct of the standard fields present, whereas MetaMask hashes it as the
//! `EIP712Domain` struct the document declares, in the declared field order. When
//! `types.EIP712Domain` is present we hash the domain through alloy's resolver as that
//! declared struct, as wallets do. For documents that declare the standard fields in the
//! standard order (nearly all) this equals eth-account's hash; eth-account 0.14 reorders a
//! non-standard declaration to the standard order, so such documents hash differently there.
//!
//! JSON numbers: integers of 2^53 and above must be given as decimal or `0x` hex strings
//! (as wallets and JSON-RPC send them). A JSON number that is not an exact integer (a float,
//! or an integer too large for 64 bits that the JSON parser turned into one) is refused
//! instead of being rounded.

use std::borrow::Cow;
use std::fmt::Write as _;

use alloy_dyn_abi::eip712::TypedData;
use alloy_primitives::{B256, keccak256};
use serde_json::Value;
use tpcore_sign::ecdsa::PrivateKey;

use crate::EthError;
use crate::message::{SignedMessage, sign_hashes_batch};

/// An EIP-712 document as JSON: a parsed [`Value`] or its text.
pub trait TypedDataJson {
    /// The document as a JSON value.
    ///
    /// # Errors
    ///
    /// [`EthError::InvalidTypedData`] if the text is not JSON.
    fn to_json(&self) -> Result<Cow<'_, Value>, EthError>;
}

impl TypedDataJson for Value {
    fn to_json(&self) -> Result<Cow<'_, Value>, EthError> {
        Ok(Cow::Borrowed(self))
    }
}

impl TypedDataJson for str {
    fn to_json(&self) -> Result<Cow<'_, Value>, EthError> {
        serde_json::from_str(self)
            .map(Cow::Owned)
            .map_err(|e| invalid(format!("not JSON: {e}")))
    }
}

impl TypedDataJson for String {
    fn to_json(&self) -> Result<Cow<'_, Value>, EthError> {
        self.as_str().to_json()
    }
}

fn invalid(detail: impl Into<String>) -> EthError {
    EthError::InvalidTypedData {
        detail: detail.into(),
    }
}

/// Refuses non-integer JSON numbers anywhere under `value`, naming the JSON path.
fn check_numbers(value: &Value, path: &mut String) -> Result<(), EthError> {
    match value {
        Value::Number(n) if !(n.is_u64() || n.is_i64()) => Err(invalid(format!(
            "{path}: {n} is not an exact integer; pass integers of 2^53 and above as strings"
        ))),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                let _ = write!(path, "[{i}]");
                check_numbers(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                path.push('.');
                path.push_str(key);
                check_numbers(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Computes the EIP-712 signing hash `keccak256(0x19 0x01 || domainSeparator || hashStruct(message))`.
///
/// A document whose `primaryType` is `EIP712Domain` hashes to
/// `keccak256(0x19 0x01 || domainSeparator)`, as MetaMask does (eth-account refuses it).
///
/// # Errors
///
/// [`EthError::InvalidTypedData`] naming what is wrong: not JSON, a missing or mistyped
/// member, an unknown or cyclic type, a value that does not fit its type.
pub fn hash_typed_data<J: TypedDataJson + ?Sized>(json: &J) -> Result<B256, EthError> {
    hash_value(&*json.to_json()?)
}

fn hash_value(doc: &Value) -> Result<B256, EthError> {
    let Value::Object(members) = doc else {
        return Err(invalid("the document must be a JSON object"));
    };
    for key in ["types", "primaryType", "domain", "message"] {
        if !members.contains_key(key) {
            return Err(invalid(format!("missing member {key:?}")));
        }
    }
    for key in ["domain", "message"] {
        check_numbers(&members[key], &mut key.to_owned())?;
    }
    let typed: TypedData =
        serde_json::from_value(doc.clone()).map_err(|e| invalid(e.to_string()))?;
    let domain_separator = if typed.resolver.contains_type_name("EIP712Domain") {
        let ty = typed
            .resolver
            .resolve("EIP712Domain")
            .map_err(|e| invalid(format!("EIP712Domain: {e}")))?;
        let value = ty
            .coerce_json(&members["domain"])
            .map_err(|e| invalid(format!("domain: {e}")))?;
        typed
            .resolver
            .eip712_data_word(&value)
            .map_err(|e| invalid(format!("domain: {e}")))?
    } else {
        typed.domain.separator()
    };
    let mut buf = Vec::with_capacity(66);
    buf.extend_from_slice(&[0x19, 0x01]);
    buf.extend_from_slice(domain_separator.as_slice());
    if typed.primary_type != "EIP712Domain" {
        let struct_hash = typed
            .hash_struct()
            .map_err(|e| invalid(format!("message: {e}")))?;
        buf.extend_from_slice(struct_hash.as_slice());
    }
    Ok(keccak256(&buf))
}

/// Hashes and signs an EIP-712 document, as `Account.sign_typed_data(key, full_message=...)`.
///
/// # Errors
///
/// As [`hash_typed_data`].
pub fn sign_typed_data<J: TypedDataJson + ?Sized>(
    json: &J,
    key: &PrivateKey,
) -> Result<SignedMessage, EthError> {
    let hash = hash_typed_data(json)?;
    Ok(SignedMessage::from_raw(hash, key.sign_hash(&hash.0)))
}

/// Signs a batch of EIP-712 documents, in parallel once the batch is large enough.
///
/// `secret_keys` is one 32-byte key for every document or 32 bytes per document.
///
/// # Errors
///
/// The first bad document or key, wrapped by [`EthError::at`] with its index; a wrong
/// `secret_keys` length as [`EthError::Sign`] (`invalid_length`).
pub fn sign_typed_data_batch(
    docs: &[Value],
    secret_keys: &[u8],
) -> Result<Vec<SignedMessage>, EthError> {
    sign_hashes_batch(docs.len(), secret_keys, |i| hash_value(&docs[i]))
}
