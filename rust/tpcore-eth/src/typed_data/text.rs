//! Documents given as JSON text, hashed without a generic tree: `types`, `primaryType` and
//! `domain` are compared as text with the previous document's and parsed only when they
//! differ, and the message's leaf fields are read from its text straight into their words.
//! A document that begins byte for byte as the previous one did, up to its message, is not
//! split again: only its message is read.

use std::sync::Arc;

use alloy_primitives::B256;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Schema, SchemaCache, words};
use crate::EthError;

/// A document's JSON text split into its four members, each kept as text.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextParts<'a> {
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
    fn split(text: &'a str) -> Option<Self> {
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
    fn message(&self) -> Option<Value> {
        member_value(self.message)
    }
}

/// JSON's whitespace.
const WHITESPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// Where `part`, a slice of `text`, begins in it.
fn offset(text: &str, part: &str) -> usize {
    part.as_ptr() as usize - text.as_ptr() as usize
}

/// The value at the start of `rest` when only the end of its object follows it.
fn last_member(rest: &str) -> Option<&RawValue> {
    let mut parser = serde_json::Deserializer::from_str(rest);
    let value = <&RawValue>::deserialize(&mut parser).ok()?;
    let end = offset(rest, value.get()) + value.get().len();
    (rest[end..].trim_matches(WHITESPACE) == "}").then_some(value)
}

/// A member's text parsed as it would be inside the document (one level deeper, which
/// counts towards serde_json's depth limit); `None` if that parse fails. A raw value is
/// only skimmed (nesting and string escapes unchecked), so new text is parsed in full.
fn member_value(raw: &RawValue) -> Option<Value> {
    let wrapped: [Value; 1] = serde_json::from_str(&format!("[{}]", raw.get())).ok()?;
    let [value] = wrapped;
    Some(value)
}

/// Hashes documents given as JSON text in order, parsing `types`, `primaryType` and
/// `domain` only when their text differs from the previous document's.
#[derive(Debug, Default)]
pub struct TextPreparer<'a> {
    seen: Seen<'a>,
    /// The previous document and its parts, when its message was its last member.
    last: Option<(&'a str, TextParts<'a>)>,
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
    /// The signing hash of the document `text`, or its error; `None` when only parsing the
    /// whole document says what it is (not JSON, not an object of exactly the four members,
    /// a member that is not valid JSON after all): then parse it whole, which names the
    /// error.
    pub fn hash(&mut self, cache: &SchemaCache, text: &'a str) -> Option<Result<B256, EthError>> {
        let parts = self.split(text)?;
        self.hash_parts(cache, &parts)
    }

    /// Splits `text`; when it begins as the previous document did up to that one's
    /// message, its other members are the previous ones and only its message is read.
    fn split(&mut self, text: &'a str) -> Option<TextParts<'a>> {
        if let Some((previous, parts)) = self.last {
            let start = offset(previous, parts.message.get());
            if text.as_bytes().get(..start) == Some(&previous.as_bytes()[..start])
                && let Some(message) = text.get(start..).and_then(last_member)
            {
                let parts = TextParts { message, ..parts };
                self.last = Some((text, parts));
                return Some(parts);
            }
        }
        let parts = TextParts::split(text)?;
        let end = offset(text, parts.message.get()) + parts.message.get().len();
        let message_last = text[end..].trim_matches(WHITESPACE) == "}";
        self.last = message_last.then_some((text, parts));
        Some(parts)
    }

    /// The signing hash of a split document, as [`Self::hash`].
    fn hash_parts(
        &mut self,
        cache: &SchemaCache,
        parts: &TextParts<'a>,
    ) -> Option<Result<B256, EthError>> {
        let (schema, separator) = match self.seen.prepare(cache, parts)? {
            Ok(prepared) => prepared,
            // A whole document's parse would have refused a message that is not JSON first.
            Err(error) => return parts.message().map(|_| Err(error)),
        };
        if let Some(fields) = schema.text_fields()
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a panic in a test is a failed test")]

    use super::super::hash_typed_data;
    use super::*;

    /// Hashes `texts` in order as a batch does, the whole document where splitting cannot.
    fn batch(texts: &[String]) -> Vec<Result<B256, EthError>> {
        let cache = SchemaCache::default();
        let mut preparer = TextPreparer::default();
        texts
            .iter()
            .map(|text| {
                preparer
                    .hash(&cache, text)
                    .unwrap_or_else(|| hash_typed_data(text.as_str()))
            })
            .collect()
    }

    /// Two fields of one name: JSON text may repeat the member, and a parsed document keeps
    /// only its last value (for both fields), so the text path must not give each field
    /// its own.
    #[test]
    fn fields_sharing_a_name_hash_as_the_parsed_document() {
        let head = r#"{"types":{"EIP712Domain":[],"T":[{"name":"a","type":"uint8"},{"name":"a","type":"uint8"}]},"primaryType":"T","domain":{},"message":"#;
        let texts: Vec<String> = [r#"{"a":1,"a":2}}"#, r#"{"a":2}}"#, r#"{"a":2,"a":2}}"#]
            .iter()
            .map(|tail| format!("{head}{tail}"))
            .collect();
        for (text, got) in texts.iter().zip(batch(&texts)) {
            assert_eq!(
                got.unwrap(),
                hash_typed_data(text.as_str()).unwrap(),
                "{text}"
            );
        }
    }

    #[test]
    fn documents_that_begin_as_the_previous_one_hash_as_alone() {
        let head = r#"{"types":{"EIP712Domain":[{"name":"name","type":"string"}],"T":[{"name":"v","type":"uint8"},{"name":"s","type":"string"}]},"primaryType":"T","domain":{"name":"é"},"message":"#;
        let deep = format!("{}1{}", "[".repeat(127), "]".repeat(127));
        let tails = [
            r#"{"v":1,"s":"a"}}"#.to_owned(),
            r#"{"v":2,"s":"b"}} "#.to_owned(),
            " {\"s\":\"c\",\"v\":3}\n}\n".to_owned(),
            r#"{"v":1,"s":"a"},"message":{"v":2,"s":"b"}}"#.to_owned(),
            r#"{"v":1,"s":"a"},"extra":1}"#.to_owned(),
            r#"{"v":1,"s":"a"},"types":{}}"#.to_owned(),
            r#"{"v":1,"s":"a"}}}"#.to_owned(),
            r#"{"v":1,"s":"a"}} x"#.to_owned(),
            r#"{"v":1,"s":"a"}"#.to_owned(),
            r#"{"v":1,"s":"a"#.to_owned(),
            r#"{"v":256,"s":"a"}}"#.to_owned(),
            r#"{"v":1.5,"s":"a"}}"#.to_owned(),
            r#"{"v":1,"s":"\ud800"}}"#.to_owned(),
            format!(r#"{{"v":1,"s":"a","z":{deep}}}}}"#),
            r#"{"v":1}}"#.to_owned(),
            "[1]}".to_owned(),
            "}".to_owned(),
            String::new(),
        ];
        for tail in &tails {
            let texts = [
                format!("{head}{}", tails[0]),
                format!("{head}{tail}"),
                format!("{head}{tail}"),
                format!("{head}{}", tails[1]),
                head[..20].to_owned(),
            ];
            for (text, got) in texts.iter().zip(batch(&texts)) {
                let want = hash_typed_data(text.as_str());
                match (&got, &want) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                    _ => panic!("{text}: {got:?} but alone {want:?}"),
                }
            }
        }
    }
}
