//! Documents given as JSON text, hashed without a generic tree: `types`, `primaryType` and
//! `domain` are compared as text with the previous document's and parsed only when they
//! differ, and the message's leaf fields are read from its text straight into their words.

use std::sync::Arc;

use alloy_primitives::B256;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Schema, SchemaCache, words};
use crate::EthError;

/// A document's JSON text split into its four members, each kept as text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextParts<'a> {
    #[serde(borrow)]
    types: &'a RawValue,
    #[serde(borrow, rename = "primaryType")]
    primary_type: &'a RawValue,
    #[serde(borrow)]
    domain: &'a RawValue,
    #[serde(borrow)]
    message: &'a RawValue,
}

impl<'a> TextParts<'a> {
    /// Splits a document, or `None` when only parsing the whole document says what it is:
    /// not JSON, not an object of exactly the four members once each.
    #[must_use]
    pub fn split(text: &'a str) -> Option<Self> {
        // A struct also deserializes from a JSON array; a document must be an object.
        if !text
            .trim_start_matches([' ', '\t', '\n', '\r'])
            .starts_with('{')
        {
            return None;
        }
        serde_json::from_str(text).ok()
    }

    /// The `message` parsed, or `None` if it is not valid JSON after all.
    #[must_use]
    pub fn message(&self) -> Option<Value> {
        member_value(self.message)
    }
}

/// A member's text parsed as it would be inside the document (one level deeper, which
/// counts towards serde_json's depth limit); `None` if that parse fails. A raw value is
/// only skimmed (nesting and string escapes unchecked), so new text is parsed in full.
fn member_value(raw: &RawValue) -> Option<Value> {
    let wrapped: [Value; 1] = serde_json::from_str(&format!("[{}]", raw.get())).ok()?;
    let [value] = wrapped;
    Some(value)
}

/// Hashes split documents in order, parsing `types`, `primaryType` and `domain` only when
/// their text differs from the previous document's.
#[derive(Debug, Default)]
pub struct TextPreparer<'a> {
    seen: Seen<'a>,
    /// The message words being encoded, kept to reuse the allocation.
    words: Vec<B256>,
}

/// The previous document's members, as text, with what they gave.
#[derive(Debug, Default)]
struct Seen<'a> {
    /// The last `types` and `primaryType` texts, and their schema (`None`: it failed).
    schema: Option<(&'a str, &'a str, Option<Arc<Schema>>)>,
    /// The last `domain` text and value.
    domain: Option<(&'a str, Value)>,
    /// The last domain separator and the schema it was computed with.
    separator: Option<(Arc<Schema>, B256)>,
}

impl<'a> TextPreparer<'a> {
    /// The document's signing hash, or its error; `None` when a member is not valid JSON
    /// after all (then parse the whole document, which names the error).
    pub fn hash(
        &mut self,
        cache: &SchemaCache,
        parts: &TextParts<'a>,
    ) -> Option<Result<B256, EthError>> {
        let (schema, separator) = match self.seen.prepare(cache, parts)? {
            Ok(prepared) => prepared,
            // A whole document's parse would have refused a message that is not JSON first.
            Err(error) => return parts.message().map(|_| Err(error)),
        };
        if let Some(fields) = schema.message_fields()
            && words::from_text(fields, parts.message.get(), &mut self.words)
        {
            return Some(Ok(schema.signing_hash_of_words(&separator, &self.words)));
        }
        let message = parts.message()?;
        Some(schema.signing_hash(&separator, &message))
    }
}

impl<'a> Seen<'a> {
    /// The document's schema and domain separator, or its error; `None` as for
    /// [`TextPreparer::hash`].
    fn prepare(
        &mut self,
        cache: &SchemaCache,
        parts: &TextParts<'a>,
    ) -> Option<Result<(&Schema, B256), EthError>> {
        let (types, primary) = (parts.types.get(), parts.primary_type.get());
        // Every new member's text is checked before any of them is judged, as a whole
        // document's parse would.
        let new_schema = match &self.schema {
            Some((t, p, _)) if *t == types && *p == primary => None,
            _ => Some((
                member_value(parts.types)?,
                member_value(parts.primary_type)?,
            )),
        };
        let domain = parts.domain.get();
        if !matches!(&self.domain, Some((d, _)) if *d == domain) {
            self.domain = Some((domain, member_value(parts.domain)?));
            self.separator = None;
        }
        if let Some((types_value, primary_value)) = new_schema {
            let schema = cache.schema(&types_value, &primary_value);
            self.schema = Some((types, primary, schema.as_ref().ok().cloned()));
            if let Err(error) = schema {
                return Some(Err(error));
            }
        }
        let (_, _, schema) = self.schema.as_ref()?;
        let Some(schema) = schema else {
            // The same text as a schema that failed: fail again, with its error.
            return Some(Err(Schema::new(
                &member_value(parts.types)?,
                &member_value(parts.primary_type)?,
            )
            .err()?));
        };
        if let Some((known, separator)) = &self.separator
            && Arc::ptr_eq(known, schema)
        {
            return Some(Ok((schema, *separator)));
        }
        let (_, domain) = self.domain.as_ref()?;
        let separator = schema.domain_separator(domain);
        if let Ok(separator) = separator {
            self.separator = Some((Arc::clone(schema), separator));
        }
        Some(separator.map(|separator| (&**schema, separator)))
    }
}
