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
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};

use alloy_dyn_abi::eip712::Resolver;
use alloy_dyn_abi::{DynSolType, DynSolValue, Eip712Domain};

use alloy_primitives::{Address, B256, I256, U256, keccak256};
use serde_json::Value;
use tpcore_sign::ecdsa::PrivateKey;

use crate::EthError;
use crate::message::{SignedMessage, sign_hashes_batch};

mod text;
mod words;

pub use text::TextPreparer;

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
    let schema = Schema::shared(parts.types, parts.primary_type)?;
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

/// How a value of one EIP-712 type becomes its 32-byte `encodeData` word, built once per
/// schema so that a message is encoded without alloy's intermediate `DynSolValue` tree
/// (which clones every struct's name and field names) nor a type hash per nested struct.
#[derive(Debug)]
enum Layout {
    /// bool, intN, uintN, bytesN, address, function: the value is the word.
    Atom(DynSolType),
    /// `string`: the hash of its UTF-8 bytes.
    String,
    /// `bytes`: the hash of the bytes.
    Bytes,
    /// `T[]` or `T[n]`: the hash of the elements' words.
    Array(Box<Layout>, Option<usize>),
    /// A struct: its `hashStruct`.
    Struct(StructLayout),
}

/// A struct's type hash and its fields' layouts, in declaration order.
#[derive(Debug)]
struct StructLayout {
    type_hash: B256,
    fields: Vec<(String, Layout)>,
}

impl Layout {
    /// The layout of a resolved type, or `None` for what only alloy's path encodes (tuples).
    fn of(
        resolver: &Resolver,
        ty: &DynSolType,
        hashes: &mut BTreeMap<String, B256>,
    ) -> Option<Self> {
        Some(match ty {
            DynSolType::Bool
            | DynSolType::Int(_)
            | DynSolType::Uint(_)
            | DynSolType::FixedBytes(_)
            | DynSolType::Address
            | DynSolType::Function => Self::Atom(ty.clone()),
            DynSolType::String => Self::String,
            DynSolType::Bytes => Self::Bytes,
            DynSolType::Array(inner) => {
                Self::Array(Box::new(Self::of(resolver, inner, hashes)?), None)
            }
            DynSolType::FixedArray(inner, n) => {
                Self::Array(Box::new(Self::of(resolver, inner, hashes)?), Some(*n))
            }
            DynSolType::CustomStruct {
                name,
                prop_names,
                tuple,
            } => Self::Struct(StructLayout::of(resolver, name, prop_names, tuple, hashes)?),
            DynSolType::Tuple(_) => return None,
        })
    }

    /// The word of a JSON value, or `None` if alloy's coercion would refuse it (the caller
    /// then takes alloy's path, which names the error).
    fn word(&self, value: &Value) -> Option<B256> {
        match self {
            Self::Atom(ty) => ty.coerce_json(value).ok()?.as_word(),
            Self::String => Some(keccak256(value.as_str()?.as_bytes())),
            Self::Bytes => match DynSolType::Bytes.coerce_json(value).ok()? {
                DynSolValue::Bytes(bytes) => Some(keccak256(&bytes)),
                _ => None,
            },
            Self::Array(inner, len) => {
                let items = value.as_array()?;
                if len.is_some_and(|n| n != items.len()) {
                    return None;
                }
                let mut buf = Vec::with_capacity(32 * items.len());
                for item in items {
                    buf.extend_from_slice(inner.word(item)?.as_slice());
                }
                Some(keccak256(&buf))
            }
            Self::Struct(layout) => layout.hash(value),
        }
    }

    /// The word of a scalar as the JSON value it stands for (see [`Scalar`]).
    fn scalar_word(&self, scalar: Scalar<'_>) -> Option<B256> {
        // The common pairs directly, each as alloy's coercion of the equivalent JSON value;
        // every other pair through that JSON value.
        match (self, scalar) {
            (Self::Atom(DynSolType::Address), Scalar::Text(text)) => {
                Some(text.parse::<Address>().ok()?.into_word())
            }
            (Self::Atom(DynSolType::Address), Scalar::Bytes(bytes)) if bytes.len() == 20 => {
                Some(Address::from_slice(bytes).into_word())
            }
            (Self::Atom(DynSolType::Uint(n)), Scalar::Uint(u)) => {
                let u = U256::from(u);
                (u.bit_len() <= *n).then(|| u.into())
            }
            (Self::Atom(DynSolType::Uint(n)), Scalar::Int(i)) if i >= 0 => {
                let u = U256::from(i.unsigned_abs());
                (u.bit_len() <= *n).then(|| u.into())
            }
            (Self::Atom(DynSolType::Int(n)), Scalar::Int(i)) => {
                let i = I256::try_from(i).ok()?;
                (i.bits() <= *n as u32).then(|| i.into())
            }
            (Self::Atom(DynSolType::FixedBytes(n)), Scalar::Bytes(bytes))
                if bytes.len() == *n && *n <= 32 =>
            {
                let mut word = B256::ZERO;
                word[..*n].copy_from_slice(bytes);
                Some(word)
            }
            (Self::Atom(DynSolType::Bool), Scalar::Bool(flag)) => {
                Some(B256::with_last_byte(u8::from(flag)))
            }
            (Self::String, Scalar::Text(text)) => Some(keccak256(text.as_bytes())),
            (Self::Bytes, Scalar::Bytes(bytes)) => Some(keccak256(bytes)),
            // Text as alloy reads a JSON string for these types (`eip712::coerce`): `parse`
            // for numbers and booleans, alloy's hex (`0x` optional) for byte strings.
            (Self::Atom(DynSolType::Uint(n)), Scalar::Text(text)) => {
                let u = text.parse::<U256>().ok()?;
                (u.bit_len() <= *n).then(|| u.into())
            }
            (Self::Atom(DynSolType::Int(n)), Scalar::Text(text)) => {
                let i = text.parse::<I256>().ok()?;
                (i.bits() <= *n as u32).then(|| i.into())
            }
            (Self::Atom(DynSolType::FixedBytes(n)), Scalar::Text(text)) if *n <= 32 => {
                let bytes = alloy_primitives::hex::decode(text).ok()?;
                (bytes.len() == *n).then(|| {
                    let mut word = B256::ZERO;
                    word[..*n].copy_from_slice(&bytes);
                    word
                })
            }
            (Self::Atom(DynSolType::Bool), Scalar::Text(text)) => {
                Some(B256::with_last_byte(u8::from(text.parse::<bool>().ok()?)))
            }
            (Self::Bytes, Scalar::Text(text)) => {
                Some(keccak256(alloy_primitives::hex::decode(text).ok()?))
            }
            _ => self.word(&scalar.to_json()),
        }
    }
}

impl StructLayout {
    fn of(
        resolver: &Resolver,
        name: &str,
        prop_names: &[String],
        tuple: &[DynSolType],
        hashes: &mut BTreeMap<String, B256>,
    ) -> Option<Self> {
        let type_hash = if let Some(hash) = hashes.get(name) {
            *hash
        } else {
            let hash = resolver.type_hash(name).ok()?;
            hashes.insert(name.to_owned(), hash);
            hash
        };
        let fields = prop_names
            .iter()
            .zip(tuple)
            .map(|(name, ty)| Some((name.clone(), Layout::of(resolver, ty, hashes)?)))
            .collect::<Option<_>>()?;
        Some(Self { type_hash, fields })
    }

    /// `hashStruct` of a JSON object, or `None` where alloy would refuse it.
    fn hash(&self, value: &Value) -> Option<B256> {
        let members = value.as_object()?;
        let mut buf = Vec::with_capacity(32 * (1 + self.fields.len()));
        buf.extend_from_slice(self.type_hash.as_slice());
        for (name, layout) in &self.fields {
            buf.extend_from_slice(layout.word(members.get(name)?)?.as_slice());
        }
        Some(keccak256(&buf))
    }
}

/// A leaf of a message as a binding reads it from its host language, standing for a JSON
/// value: `Bool`, `Int` and `Uint` for JSON booleans and integers, `Text` for a string, and
/// `Bytes` for the string `"0x"` followed by the bytes in hex.
#[derive(Debug, Clone, Copy)]
pub enum Scalar<'a> {
    /// A JSON boolean.
    Bool(bool),
    /// A JSON integer that fits `i64`.
    Int(i64),
    /// A JSON integer that fits `u64`.
    Uint(u64),
    /// A JSON string.
    Text(&'a str),
    /// The JSON string `0x<hex of the bytes>`.
    Bytes(&'a [u8]),
}

impl Scalar<'_> {
    /// The JSON value this scalar stands for.
    #[must_use]
    pub fn to_json(self) -> Value {
        match self {
            Self::Bool(flag) => Value::Bool(flag),
            Self::Int(i) => Value::from(i),
            Self::Uint(u) => Value::from(u),
            Self::Text(text) => Value::String(text.to_owned()),
            Self::Bytes(bytes) => Value::String(format!("0x{}", hex::encode(bytes))),
        }
    }
}

/// A field of a schema's primary struct: its name, and how its value encodes.
#[derive(Debug)]
pub struct MessageField {
    name: String,
    layout: Layout,
}

impl MessageField {
    /// The field's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field's `encodeData` word for a scalar value, or `None` if the scalar needs the
    /// whole message's JSON (the value does not fit the type, or the type is not a leaf).
    #[must_use]
    pub fn word(&self, scalar: Scalar<'_>) -> Option<B256> {
        match self.layout {
            Layout::Array(..) | Layout::Struct(_) => None,
            _ => self.layout.scalar_word(scalar),
        }
    }
}

/// How many schemas [`Schema::shared`] keeps.
const RECENT_SCHEMAS: usize = 16;

/// The schemas [`Schema::shared`] built or found last, most recent first.
static RECENT: Mutex<Vec<Arc<Schema>>> = Mutex::new(Vec::new());

/// What documents with the same `types` and `primaryType` share: the resolver, the resolved
/// domain and primary types with their type hashes, and their encoding layouts. alloy
/// recomputes a type hash (linearising the type graph and formatting `encodeType`) on every
/// call, so a batch builds this once per distinct schema rather than once per document.
#[derive(Debug)]
pub struct Schema {
    /// The `types` and `primaryType` it was built from, to recognise equal ones.
    source: (Value, Value),
    resolver: Resolver,
    /// The `EIP712Domain` struct the document declares, if it declares one.
    domain: Option<(DynSolType, B256, Option<StructLayout>)>,
    /// The primary type, unless it is `EIP712Domain` (then only the domain is hashed).
    primary: Option<(DynSolType, B256)>,
    /// The primary struct's fields, for messages given field by field.
    fields: Option<Vec<MessageField>>,
    /// Whether those fields' names are distinct (Solidity's are; a document's may not be).
    distinct_names: bool,
}

impl Schema {
    /// Resolves a document's `types` and `primaryType`.
    ///
    /// # Errors
    ///
    /// [`EthError::InvalidTypedData`]: `types` is malformed, `primaryType` is not a string
    /// or names no type, a type is unknown or cyclic.
    pub fn new(types: &Value, primary_type: &Value) -> Result<Self, EthError> {
        let resolver: Resolver =
            serde_json::from_value(types.clone()).map_err(|e| invalid(format!("types: {e}")))?;
        let Value::String(primary_name) = primary_type else {
            return Err(invalid("primaryType must be a string"));
        };
        let mut hashes = BTreeMap::new();
        let mut resolve =
            |name: &str| -> Result<(DynSolType, B256, Option<StructLayout>), EthError> {
                let ty = resolver
                    .resolve(name)
                    .map_err(|e| invalid(format!("{name}: {e}")))?;
                let type_hash = resolver
                    .type_hash(name)
                    .map_err(|e| invalid(format!("{name}: {e}")))?;
                let layout = match Layout::of(&resolver, &ty, &mut hashes) {
                    Some(Layout::Struct(layout)) => Some(layout),
                    _ => None,
                };
                Ok((ty, type_hash, layout))
            };
        let domain = if resolver.contains_type_name("EIP712Domain") {
            Some(resolve("EIP712Domain")?)
        } else {
            None
        };
        let (primary, fields) = if primary_name == "EIP712Domain" {
            (None, None)
        } else {
            let (ty, type_hash, layout) = resolve(primary_name)?;
            let fields = layout.map(|layout| {
                layout
                    .fields
                    .into_iter()
                    .map(|(name, layout)| MessageField { name, layout })
                    .collect()
            });
            (Some((ty, type_hash)), fields)
        };
        let distinct_names = fields.as_deref().is_none_or(|fields: &[MessageField]| {
            fields
                .iter()
                .enumerate()
                .all(|(i, f)| fields[..i].iter().all(|g| g.name != f.name))
        });
        Ok(Self {
            source: (types.clone(), primary_type.clone()),
            resolver,
            domain,
            primary,
            fields,
            distinct_names,
        })
    }

    /// The schema of `types` and `primaryType`, reused from the process's recent ones when
    /// equal: a service signs the same few schemas call after call, and resolving one
    /// costs more than hashing a message.
    ///
    /// # Errors
    ///
    /// As [`Self::new`] (a schema that fails is not kept).
    pub fn shared(types: &Value, primary_type: &Value) -> Result<Arc<Self>, EthError> {
        let mut recent = RECENT.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(index) = recent.iter().position(|s| s.is_for(types, primary_type)) {
            // Most recently used first.
            let schema = recent.remove(index);
            recent.insert(0, Arc::clone(&schema));
            return Ok(schema);
        }
        drop(recent);
        // Built without the lock: another thread may have built it meanwhile.
        let schema = Arc::new(Self::new(types, primary_type)?);
        let mut recent = RECENT.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(index) = recent.iter().position(|s| s.is_for(types, primary_type)) {
            recent.remove(index);
        }
        recent.truncate(RECENT_SCHEMAS - 1);
        recent.insert(0, Arc::clone(&schema));
        Ok(schema)
    }

    /// Whether this schema was built from these `types` and `primaryType`.
    #[must_use]
    pub fn is_for(&self, types: &Value, primary_type: &Value) -> bool {
        self.source.1 == *primary_type && self.source.0 == *types
    }

    /// The primary struct's fields in declaration order, for a binding that encodes a
    /// message field by field ([`Self::signing_hash_of_words`]); `None` when the primary
    /// type is `EIP712Domain` or the types need alloy's general path.
    #[must_use]
    pub fn message_fields(&self) -> Option<&[MessageField]> {
        self.fields.as_deref()
    }

    /// The fields as [`Self::message_fields`], for reading a message member by member from
    /// its JSON text; `None` also when two fields share a name: the text may then give that
    /// member twice, where a parsed document keeps only the last value, for both fields.
    pub(crate) fn text_fields(&self) -> Option<&[MessageField]> {
        self.message_fields().filter(|_| self.distinct_names)
    }

    /// The domain separator: the declared `EIP712Domain` struct's hash, or alloy's standard
    /// domain when the document declares none.
    ///
    /// # Errors
    ///
    /// [`EthError::InvalidTypedData`] if the domain does not fit its type.
    pub fn domain_separator(&self, domain: &Value) -> Result<B256, EthError> {
        check_numbers(domain, &mut "domain".to_owned())?;
        if let Some((ty, type_hash, layout)) = &self.domain {
            if let Some(hash) = layout.as_ref().and_then(|l| l.hash(domain)) {
                return Ok(hash);
            }
            return self.struct_hash(ty, *type_hash, domain, "domain");
        }
        let domain: Eip712Domain =
            serde_json::from_value(domain.clone()).map_err(|e| invalid(format!("domain: {e}")))?;
        Ok(domain.separator())
    }

    /// `keccak256(0x19 0x01 || domainSeparator || hashStruct(message))`.
    ///
    /// # Errors
    ///
    /// [`EthError::InvalidTypedData`] if the message does not fit the primary type.
    pub fn signing_hash(&self, domain_separator: &B256, message: &Value) -> Result<B256, EthError> {
        check_numbers(message, &mut "message".to_owned())?;
        let Some((ty, type_hash)) = &self.primary else {
            return Ok(final_hash(domain_separator, None));
        };
        let fast = self.fields.as_ref().and_then(|fields| {
            let members = message.as_object()?;
            let mut words = Vec::with_capacity(fields.len());
            for field in fields {
                words.push(field.layout.word(members.get(&field.name)?)?);
            }
            Some(self.signing_hash_of_words(domain_separator, &words))
        });
        if let Some(hash) = fast {
            return Ok(hash);
        }
        let struct_hash = self.struct_hash(ty, *type_hash, message, "message")?;
        Ok(final_hash(domain_separator, Some(&struct_hash)))
    }

    /// The signing hash of a message given as its fields' words ([`MessageField::word`]),
    /// in declaration order.
    #[must_use]
    pub fn signing_hash_of_words(&self, domain_separator: &B256, words: &[B256]) -> B256 {
        let Some((_, type_hash)) = &self.primary else {
            return final_hash(domain_separator, None);
        };
        let mut buf = Vec::with_capacity(32 * (1 + words.len()));
        buf.extend_from_slice(type_hash.as_slice());
        for word in words {
            buf.extend_from_slice(word.as_slice());
        }
        final_hash(domain_separator, Some(&keccak256(&buf)))
    }

    /// `hashStruct` through alloy: `keccak256(typeHash || encodeData(value))`.
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

/// The schemas a batch has met, shared by the threads that prepare its documents: each
/// distinct `types` and `primaryType` is resolved once.
#[derive(Debug, Default)]
pub struct SchemaCache {
    schemas: Mutex<Vec<Arc<Schema>>>,
}

impl SchemaCache {
    /// The schema of `types` and `primaryType` and its index among the schemas met, built
    /// on first sight.
    ///
    /// # Errors
    ///
    /// As [`Schema::new`] (a schema that fails is not kept).
    pub fn entry(
        &self,
        types: &Value,
        primary_type: &Value,
    ) -> Result<(usize, Arc<Schema>), EthError> {
        let mut schemas = self.schemas.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(index) = schemas.iter().position(|s| s.is_for(types, primary_type)) {
            return Ok((index, Arc::clone(&schemas[index])));
        }
        let schema = Schema::shared(types, primary_type)?;
        schemas.push(Arc::clone(&schema));
        Ok((schemas.len() - 1, schema))
    }

    /// The schema of `types` and `primaryType`, as [`Self::entry`].
    ///
    /// # Errors
    ///
    /// As [`Schema::new`].
    pub fn schema(&self, types: &Value, primary_type: &Value) -> Result<Arc<Schema>, EthError> {
        self.entry(types, primary_type).map(|(_, schema)| schema)
    }

    /// The schemas met so far, by index.
    #[must_use]
    pub fn snapshot(&self) -> Vec<Arc<Schema>> {
        self.schemas
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The signing hash of a whole document, as [`hash_typed_data`].
    ///
    /// # Errors
    ///
    /// As [`hash_typed_data`].
    pub fn hash_document(&self, doc: &Value) -> Result<B256, EthError> {
        let parts = TypedDataParts::of(doc)?;
        let schema = self.schema(parts.types, parts.primary_type)?;
        let separator = schema.domain_separator(parts.domain)?;
        schema.signing_hash(&separator, parts.message)
    }
}

/// `keccak256(0x19 0x01 || domainSeparator || structHash)`, without the struct hash for a
/// document whose primary type is the domain.
fn final_hash(domain_separator: &B256, struct_hash: Option<&B256>) -> B256 {
    let mut buf = [0u8; 66];
    buf[..2].copy_from_slice(&[0x19, 0x01]);
    buf[2..34].copy_from_slice(domain_separator.as_slice());
    match struct_hash {
        Some(hash) => {
            buf[34..].copy_from_slice(hash.as_slice());
            keccak256(buf)
        }
        None => keccak256(&buf[..34]),
    }
}

/// One document of a batch given to [`sign_items`].
#[derive(Debug, Clone)]
enum Item<'a> {
    /// A document found bad before signing: it fails at its index.
    Failed(EthError),
    /// A whole document: its schema and domain separator are prepared in the batch.
    Parts(TypedDataParts<'a>),
}

/// A document's schema index and domain separator, or why it has none.
type Prepared = Result<(usize, B256), EthError>;

/// Prepares the `Parts` items of a batch serially, appending new schemas to `schemas` and
/// sharing domain separators between consecutive documents that have the same one (the
/// common case: one app, one domain).
fn prepare_batch(schemas: &mut Vec<Arc<Schema>>, items: &[Item<'_>]) -> Vec<Option<Prepared>> {
    let mut last_schema: Option<(usize, &Value, &Value)> = None;
    let mut last_domain: Option<(usize, &Value, B256)> = None;
    // Shared values are compared by address first: a batch built from one `types` value
    // never pays for a deep comparison.
    let same = |a: &Value, b: &Value| std::ptr::eq(a, b) || a == b;
    items
        .iter()
        .map(|item| {
            let Item::Parts(parts) = item else {
                return None;
            };
            Some((|| {
                let index = match last_schema {
                    Some((i, t, p)) if same(t, parts.types) && same(p, parts.primary_type) => i,
                    _ => {
                        let known = schemas
                            .iter()
                            .position(|s| s.is_for(parts.types, parts.primary_type));
                        let index = if let Some(index) = known {
                            index
                        } else {
                            schemas.push(Schema::shared(parts.types, parts.primary_type)?);
                            schemas.len() - 1
                        };
                        last_schema = Some((index, parts.types, parts.primary_type));
                        index
                    }
                };
                let separator = match last_domain {
                    Some((i, domain, separator)) if i == index && same(domain, parts.domain) => {
                        separator
                    }
                    _ => {
                        let separator = schemas[index].domain_separator(parts.domain)?;
                        last_domain = Some((index, parts.domain, separator));
                        separator
                    }
                };
                Ok((index, separator))
            })())
        })
        .collect()
}

/// Signs a batch of whole documents; errors as [`sign_typed_data_batch`].
fn sign_items(items: &[Item<'_>], secret_keys: &[u8]) -> Result<Vec<SignedMessage>, EthError> {
    let mut schemas = Vec::new();
    let prepared = prepare_batch(&mut schemas, items);
    sign_hashes_batch(items.len(), secret_keys, |i| {
        match (&items[i], &prepared[i]) {
            (Item::Parts(parts), Some(prepared)) => {
                let (schema, separator) = prepared.clone()?;
                schemas[schema].signing_hash(&separator, parts.message)
            }
            (Item::Failed(error), _) => Err(error.clone()),
            (Item::Parts(_), None) => Err(invalid("unprepared document")),
        }
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
    let items: Vec<_> = docs
        .iter()
        .map(|doc| TypedDataParts::of(doc).map_or_else(Item::Failed, Item::Parts))
        .collect();
    sign_items(&items, secret_keys)
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
    let items: Vec<_> = docs.iter().copied().map(Item::Parts).collect();
    sign_items(&items, secret_keys)
}

#[cfg(test)]
mod differential;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a panic in a test is a failed test")]

    use serde_json::json;

    use super::*;

    impl Schema {
        /// The signing hash through alloy's coercion and encoding only, as before the
        /// layouts.
        pub(super) fn alloy_signing_hash(
            &self,
            domain: &Value,
            message: &Value,
        ) -> Result<B256, EthError> {
            check_numbers(domain, &mut "domain".to_owned())?;
            let separator = match &self.domain {
                Some((ty, type_hash, _)) => self.struct_hash(ty, *type_hash, domain, "domain")?,
                None => self.domain_separator(domain)?,
            };
            check_numbers(message, &mut "message".to_owned())?;
            let struct_hash = match &self.primary {
                Some((ty, type_hash)) => {
                    Some(self.struct_hash(ty, *type_hash, message, "message")?)
                }
                None => None,
            };
            Ok(final_hash(&separator, struct_hash.as_ref()))
        }
    }

    fn types() -> Value {
        json!({
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "salt", "type": "bytes32"},
            ],
            "Person": [
                {"name": "name", "type": "string"},
                {"name": "wallets", "type": "address[]"},
            ],
            "Order": [
                {"name": "maker", "type": "Person"},
                {"name": "takers", "type": "Person[2]"},
                {"name": "amount", "type": "uint256"},
                {"name": "delta", "type": "int64"},
                {"name": "small", "type": "uint8"},
                {"name": "flag", "type": "bool"},
                {"name": "tag", "type": "bytes4"},
                {"name": "data", "type": "bytes"},
                {"name": "note", "type": "string"},
                {"name": "grid", "type": "int16[][]"},
            ],
        })
    }

    fn person(name: &str) -> Value {
        json!({"name": name, "wallets": ["0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]})
    }

    fn message() -> Value {
        json!({
            "maker": person("Cow"),
            "takers": [person("Bob"), person("Eve")],
            "amount": "115792089237316195423570985008687907853269984665640564039457584007913129639935",
            "delta": -5,
            "small": 255,
            "flag": "true",
            "tag": "0x01020304",
            "data": [1, 2, 3],
            "note": "héllo",
            "grid": [[1, -2], [], [32767]],
        })
    }

    #[test]
    fn the_layouts_hash_as_alloy() {
        let schema = Schema::new(&types(), &json!("Order")).unwrap();
        let domain =
            json!({"name": "x", "chainId": "0x01", "salt": format!("0x{}", "ab".repeat(32))});
        let expected = schema.alloy_signing_hash(&domain, &message()).unwrap();
        let separator = schema.domain_separator(&domain).unwrap();
        assert_eq!(
            schema.signing_hash(&separator, &message()).unwrap(),
            expected
        );
        // Values alloy refuses take alloy's path and its error.
        for (field, value) in [
            ("small", json!(256)),
            ("delta", json!("abc")),
            ("tag", json!("0x0102")),
            ("takers", json!([person("Bob")])),
            ("note", json!(5)),
            ("flag", json!(1)),
        ] {
            let mut bad = message();
            bad[field] = value;
            let fast = schema.signing_hash(&separator, &bad).unwrap_err();
            let alloy = schema.alloy_signing_hash(&domain, &bad).unwrap_err();
            assert_eq!(fast.to_string(), alloy.to_string(), "{field}");
        }
    }

    #[test]
    fn recent_schemas_are_shared() {
        let types = |n: usize| json!({"T": [{"name": format!("f{n}"), "type": "uint8"}]});
        let first = Schema::shared(&types(0), &json!("T")).unwrap();
        assert!(Arc::ptr_eq(
            &first,
            &Schema::shared(&types(0), &json!("T")).unwrap()
        ));
        assert!(Schema::shared(&types(0), &json!("U")).is_err());
        // Other tests share the process's schemas: push this one out with many others.
        for n in 1..=2 * RECENT_SCHEMAS {
            let schema = Schema::shared(&types(n), &json!("T")).unwrap();
            assert!(schema.is_for(&types(n), &json!("T")));
        }
        let again = Schema::shared(&types(0), &json!("T")).unwrap();
        assert!(!Arc::ptr_eq(&first, &again));
        assert!(RECENT.lock().unwrap().len() <= RECENT_SCHEMAS);
    }

    #[test]
    fn scalars_encode_as_their_json() {
        let types = json!({"T": [
            {"name": "a", "type": "address"}, {"name": "u8", "type": "uint8"},
            {"name": "u", "type": "uint256"}, {"name": "i8", "type": "int8"},
            {"name": "i", "type": "int256"}, {"name": "b4", "type": "bytes4"},
            {"name": "b32", "type": "bytes32"}, {"name": "f", "type": "bool"},
            {"name": "s", "type": "string"}, {"name": "d", "type": "bytes"},
            {"name": "arr", "type": "uint8[]"},
        ]});
        let schema = Schema::new(&types, &json!("T")).unwrap();
        let address = [0xabu8; 20];
        let scalars = [
            Scalar::Bool(true),
            Scalar::Bool(false),
            Scalar::Int(0),
            Scalar::Int(-1),
            Scalar::Int(127),
            Scalar::Int(-128),
            Scalar::Int(255),
            Scalar::Int(256),
            Scalar::Int(i64::MIN),
            Scalar::Uint(u64::MAX),
            Scalar::Text("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"),
            Scalar::Text("0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826"),
            Scalar::Text("12"),
            Scalar::Text("0x0c"),
            Scalar::Text("true"),
            Scalar::Text("0x01020304"),
            Scalar::Text("hello"),
            Scalar::Text(""),
            Scalar::Bytes(&address),
            Scalar::Bytes(&[1, 2, 3, 4]),
            Scalar::Bytes(&[7; 32]),
            Scalar::Bytes(&[]),
        ];
        for field in schema.message_fields().unwrap() {
            for scalar in scalars {
                let json = field.layout.word(&scalar.to_json());
                assert_eq!(
                    field.word(scalar).is_some(),
                    json.is_some() && !matches!(field.layout, Layout::Array(..))
                );
                if let Some(word) = field.word(scalar) {
                    assert_eq!(Some(word), json, "{} {scalar:?}", field.name);
                }
            }
        }
    }
}
