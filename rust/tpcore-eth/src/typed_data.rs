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

use alloy_dyn_abi::eip712::Resolver;
use alloy_dyn_abi::{DynSolType, Eip712Domain};

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
    let parts = TypedDataParts::of(doc)?;
    let schema = Schema::new(parts.types, parts.primary_type)?;
    let domain_separator = schema.domain_separator(parts.domain)?;
    schema.signing_hash(&domain_separator, parts.message)
}

/// The four members of one typed-data document, borrowed. The documents of a batch may
/// share one `types` and one `domain` value, which [`sign_typed_data_parts`] then prepares
/// once.
#[derive(Debug, Clone, Copy)]
pub struct TypedDataParts<'a> {
    /// `types`: the struct definitions.
    pub types: &'a Value,
    /// `primaryType`: the name of the message's struct.
    pub primary_type: &'a Value,
    /// `domain`: the values of the `EIP712Domain` struct.
    pub domain: &'a Value,
    /// `message`: the values of the primary struct.
    pub message: &'a Value,
}

impl<'a> TypedDataParts<'a> {
    /// Borrows the four members of a whole document.
    ///
    /// # Errors
    ///
    /// [`EthError::InvalidTypedData`] if the document is not an object or lacks a member.
    pub fn of(doc: &'a Value) -> Result<Self, EthError> {
        let Value::Object(members) = doc else {
            return Err(invalid("the document must be a JSON object"));
        };
        let member = |key: &str| {
            members
                .get(key)
                .ok_or_else(|| invalid(format!("missing member {key:?}")))
        };
        Ok(Self {
            types: member("types")?,
            primary_type: member("primaryType")?,
            domain: member("domain")?,
            message: member("message")?,
        })
    }
}

/// What documents with the same `types` and `primaryType` share: the resolver and the
/// resolved domain and primary types with their type hashes. alloy recomputes a type hash
/// (linearising the type graph and formatting `encodeType`) on every call, so a batch
/// builds this once per distinct schema rather than once per document.
struct Schema {
    resolver: Resolver,
    /// The `EIP712Domain` struct the document declares, if it declares one.
    domain: Option<(DynSolType, B256)>,
    /// The primary type, unless it is `EIP712Domain` (then only the domain is hashed).
    primary: Option<(DynSolType, B256)>,
}

impl Schema {
    fn new(types: &Value, primary_type: &Value) -> Result<Self, EthError> {
        let resolver: Resolver =
            serde_json::from_value(types.clone()).map_err(|e| invalid(format!("types: {e}")))?;
        let Value::String(primary_type) = primary_type else {
            return Err(invalid("primaryType must be a string"));
        };
        let resolve_with_hash = |name: &str| -> Result<(DynSolType, B256), EthError> {
            let ty = resolver
                .resolve(name)
                .map_err(|e| invalid(format!("{name}: {e}")))?;
            let type_hash = resolver
                .type_hash(name)
                .map_err(|e| invalid(format!("{name}: {e}")))?;
            Ok((ty, type_hash))
        };
        let domain = if resolver.contains_type_name("EIP712Domain") {
            Some(resolve_with_hash("EIP712Domain")?)
        } else {
            None
        };
        let primary = if primary_type == "EIP712Domain" {
            None
        } else {
            Some(resolve_with_hash(primary_type)?)
        };
        Ok(Self {
            resolver,
            domain,
            primary,
        })
    }

    /// The domain separator: the declared `EIP712Domain` struct's hash, or alloy's standard
    /// domain when the document declares none.
    fn domain_separator(&self, domain: &Value) -> Result<B256, EthError> {
        check_numbers(domain, &mut "domain".to_owned())?;
        if let Some((ty, type_hash)) = &self.domain {
            return self.struct_hash(ty, *type_hash, domain, "domain");
        }
        let domain: Eip712Domain =
            serde_json::from_value(domain.clone()).map_err(|e| invalid(format!("domain: {e}")))?;
        Ok(domain.separator())
    }

    /// `keccak256(0x19 0x01 || domainSeparator || hashStruct(message))`.
    fn signing_hash(&self, domain_separator: &B256, message: &Value) -> Result<B256, EthError> {
        check_numbers(message, &mut "message".to_owned())?;
        let mut buf = Vec::with_capacity(66);
        buf.extend_from_slice(&[0x19, 0x01]);
        buf.extend_from_slice(domain_separator.as_slice());
        if let Some((ty, type_hash)) = &self.primary {
            buf.extend_from_slice(
                self.struct_hash(ty, *type_hash, message, "message")?
                    .as_slice(),
            );
        }
        Ok(keccak256(&buf))
    }

    /// `hashStruct`: `keccak256(typeHash || encodeData(value))`.
    fn struct_hash(
        &self,
        ty: &DynSolType,
        type_hash: B256,
        json: &Value,
        what: &str,
    ) -> Result<B256, EthError> {
        let value = ty
            .coerce_json(json)
            .map_err(|e| invalid(format!("{what}: {e}")))?;
        let data = self
            .resolver
            .encode_data(&value)
            .map_err(|e| invalid(format!("{what}: {e}")))?
            .ok_or_else(|| invalid(format!("{what}: the type must be a struct")))?;
        let mut buf = Vec::with_capacity(32 + data.len());
        buf.extend_from_slice(type_hash.as_slice());
        buf.extend_from_slice(&data);
        Ok(keccak256(&buf))
    }
}

/// Prepares every document of a batch serially, sharing schemas and domain separators
/// between consecutive documents that have the same ones (the common case: one app, one
/// domain); each entry is the document's schema index and domain separator, or its error.
/// A document's schema index and domain separator, or why it has none.
type Prepared = Result<(usize, B256), EthError>;

fn prepare_batch(docs: &[Result<TypedDataParts<'_>, EthError>]) -> (Vec<Schema>, Vec<Prepared>) {
    let mut schemas: Vec<(&Value, &Value, Schema)> = Vec::new();
    let mut last_domain: Option<(usize, &Value, B256)> = None;
    // Shared values are compared by address first: a batch built from one `types` value
    // never pays for a deep comparison.
    let same = |a: &Value, b: &Value| std::ptr::eq(a, b) || a == b;
    let prepared = docs
        .iter()
        .map(|parts| {
            let parts = parts.as_ref().map_err(Clone::clone)?;
            let known = schemas
                .iter()
                .position(|(t, p, _)| same(t, parts.types) && same(p, parts.primary_type));
            let index = if let Some(index) = known {
                index
            } else {
                let schema = Schema::new(parts.types, parts.primary_type)?;
                schemas.push((parts.types, parts.primary_type, schema));
                schemas.len() - 1
            };
            let separator = match last_domain {
                Some((i, domain, separator)) if i == index && same(domain, parts.domain) => {
                    separator
                }
                _ => {
                    let separator = schemas[index].2.domain_separator(parts.domain)?;
                    last_domain = Some((index, parts.domain, separator));
                    separator
                }
            };
            Ok((index, separator))
        })
        .collect();
    (schemas.into_iter().map(|(_, _, s)| s).collect(), prepared)
}

/// Signs prepared documents: each is its parts or the error found reading it.
fn sign_prepared(
    docs: &[Result<TypedDataParts<'_>, EthError>],
    secret_keys: &[u8],
) -> Result<Vec<SignedMessage>, EthError> {
    let (schemas, prepared) = prepare_batch(docs);
    sign_hashes_batch(docs.len(), secret_keys, |i| {
        let (schema, separator) = prepared[i].clone()?;
        let message = docs[i].as_ref().map_err(Clone::clone)?.message;
        schemas[schema].signing_hash(&separator, message)
    })
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
    let parts: Vec<_> = docs.iter().map(TypedDataParts::of).collect();
    sign_prepared(&parts, secret_keys)
}

/// Signs a batch of documents given as their parts, which may share `types` and `domain`
/// values; errors as [`sign_typed_data_batch`].
///
/// # Errors
///
/// The first bad document or key, wrapped by [`EthError::at`] with its index; a wrong
/// `secret_keys` length as [`EthError::Sign`] (`invalid_length`).
pub fn sign_typed_data_parts(
    docs: &[TypedDataParts<'_>],
    secret_keys: &[u8],
) -> Result<Vec<SignedMessage>, EthError> {
    let parts: Vec<_> = docs.iter().copied().map(Ok).collect();
    sign_prepared(&parts, secret_keys)
}
