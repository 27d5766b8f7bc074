//! A message's fields read from its JSON text straight into their `encodeData` words, as
//! [`MessageField::word`] reads them from a binding's values: no generic JSON tree, no
//! owned strings unless a string has escapes.

use std::fmt;

use alloy_primitives::B256;
use serde::Deserializer as _;
use serde::de::{DeserializeSeed, Error as _, MapAccess, Visitor};

use super::{MessageField, Scalar};

/// Fills `words` with the fields' words of the message object `text`, in declaration
/// order; `false` unless every field is present once, no other member is, every value is
/// a leaf its field takes, and the text is JSON. The caller then takes the general path,
/// which also names any error.
pub(super) fn from_text(fields: &[MessageField], text: &str, words: &mut Vec<B256>) -> bool {
    if fields.len() > 64 {
        return false;
    }
    words.clear();
    words.resize(fields.len(), B256::ZERO);
    let mut parser = serde_json::Deserializer::from_str(text);
    let visitor = Message { fields, words };
    parser.deserialize_map(visitor).is_ok() && parser.end().is_ok()
}

/// Reads the message object.
struct Message<'f> {
    fields: &'f [MessageField],
    words: &'f mut [B256],
}

impl<'de> Visitor<'de> for Message<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a message object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut filled = 0u64;
        let mut position = 0;
        while let Some(index) = map.next_key_seed(Key {
            fields: self.fields,
            position,
        })? {
            if filled & (1 << index) != 0 {
                return Err(A::Error::custom("a field given twice"));
            }
            self.words[index] = map.next_value_seed(Leaf(&self.fields[index]))?;
            filled |= 1 << index;
            position += 1;
        }
        if position == self.fields.len() {
            Ok(())
        } else {
            Err(A::Error::custom("a field missing"))
        }
    }
}

/// Reads a member name as the index of its field; messages usually list their fields in
/// declaration order, so the field at `position` is tried first.
struct Key<'f> {
    fields: &'f [MessageField],
    position: usize,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = usize;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<usize, E> {
        if self
            .fields
            .get(self.position)
            .is_some_and(|f| f.name() == name)
        {
            return Ok(self.position);
        }
        self.fields
            .iter()
            .position(|f| f.name() == name)
            .ok_or_else(|| E::custom("not a field"))
    }
}

/// Reads a leaf value as its field's word.
struct Leaf<'f>(&'f MessageField);

impl Leaf<'_> {
    fn word<E: serde::de::Error>(&self, scalar: Scalar<'_>) -> Result<B256, E> {
        self.0
            .word(scalar)
            .ok_or_else(|| E::custom("not a word of its field"))
    }
}

impl<'de> DeserializeSeed<'de> for Leaf<'_> {
    type Value = B256;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<B256, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for Leaf<'_> {
    type Value = B256;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON boolean, integer or string")
    }

    fn visit_bool<E: serde::de::Error>(self, flag: bool) -> Result<B256, E> {
        self.word(Scalar::Bool(flag))
    }

    fn visit_i64<E: serde::de::Error>(self, int: i64) -> Result<B256, E> {
        self.word(Scalar::Int(int))
    }

    fn visit_u64<E: serde::de::Error>(self, int: u64) -> Result<B256, E> {
        self.word(Scalar::Uint(int))
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<B256, E> {
        self.word(Scalar::Text(text))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a panic in a test is a failed test")]

    use serde_json::{Value, json};

    use super::super::Schema;
    use super::*;

    fn schema() -> Schema {
        let types = json!({"T": [
            {"name": "to", "type": "address"},
            {"name": "amount", "type": "uint256"},
            {"name": "note", "type": "string"},
            {"name": "ok", "type": "bool"},
        ]});
        Schema::new(&types, &json!("T")).unwrap()
    }

    /// The words read from `text`, checked against the general path when read.
    fn read(text: &str) -> Option<Vec<B256>> {
        let schema = schema();
        let mut words = Vec::new();
        if !from_text(schema.message_fields().unwrap(), text, &mut words) {
            return None;
        }
        let separator = B256::repeat_byte(3);
        let message: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            schema.signing_hash_of_words(&separator, &words),
            schema.signing_hash(&separator, &message).unwrap(),
            "{text}"
        );
        Some(words)
    }

    const TO: &str = "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826";

    #[test]
    fn leaves_in_any_order_and_spelling() {
        let plain = format!(r#"{{"to":"{TO}","amount":"0x10","note":"hi","ok":true}}"#);
        let words = read(&plain).unwrap();
        for text in [
            format!(r#" {{ "ok" : true , "note":"hi", "amount":16, "to":"{TO}" }} "#),
            format!(r#"{{"\u0074o":"{TO}","amount":"16","note":"h\u0069","ok":true}}"#),
        ] {
            assert_eq!(read(&text).as_ref(), Some(&words), "{text}");
        }
        assert!(
            read(&format!(
                r#"{{"to":"{TO}","amount":-1,"note":"é\n","ok":false}}"#
            ))
            .is_none()
        );
        assert!(
            read(&format!(
                r#"{{"to":"{TO}","amount":1,"note":"é\n","ok":false}}"#
            ))
            .is_some()
        );
    }

    #[test]
    fn anything_else_takes_the_general_path() {
        let base = format!(r#""to":"{TO}","amount":1,"note":"x","ok":true"#);
        for text in [
            format!("{{{base}}} x"),
            format!("{{{base},}}"),
            format!("{{{base}"),
            format!(r#"{{{base},"ok":false}}"#),
            format!(r#"{{{base},"extra":1}}"#),
            format!(r#"{{"to":"{TO}","amount":1,"note":"x"}}"#),
            format!(r#"{{"to":"{TO}","amount":1.0,"note":"x","ok":true}}"#),
            format!(r#"{{"to":"{TO}","amount":1e3,"note":"x","ok":true}}"#),
            format!(
                r#"{{"to":"{TO}","amount":{},"note":"x","ok":true}}"#,
                u128::MAX
            ),
            format!(r#"{{"to":"{TO}","amount":[1],"note":"x","ok":true}}"#),
            format!(r#"{{"to":"{TO}","amount":null,"note":"x","ok":true}}"#),
            format!(r#"{{"to":"{TO}","amount":1,"note":"\ud800","ok":true}}"#),
            format!(r#"{{"to":"{TO}","amount":1,"note":5,"ok":true}}"#),
            r#"{"to":"0x1234","amount":1,"note":"x","ok":true}"#.to_owned(),
            format!("[{base}]"),
            "5".to_owned(),
        ] {
            let schema = schema();
            let mut words = Vec::new();
            assert!(
                !from_text(schema.message_fields().unwrap(), &text, &mut words),
                "{text}"
            );
        }
    }
}
