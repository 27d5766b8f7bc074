//! The layouts' fast paths against alloy's coercion and encoding, on random documents:
//! random struct graphs, every leaf type, and values chosen to sit at and beyond each
//! type's edges. Each path must give alloy's hash, or fail with alloy's error.
//!
//! `TPCORE_TYPED_CASES` raises the case count (the default keeps CI quick).

use std::rc::Rc;

use alloy_primitives::{Address, U256};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

use super::*;

/// A field type: a leaf, a struct of the graph, or an array (`None`: dynamic).
#[derive(Debug, Clone)]
enum Ty {
    Leaf(Leaf),
    Struct(usize),
    Array(Box<Ty>, Option<usize>),
}

#[derive(Debug, Clone, Copy)]
enum Leaf {
    Bool,
    Address,
    String,
    Bytes,
    Fixed(usize),
    Int(usize),
    Uint(usize),
}

impl Ty {
    fn name(&self) -> String {
        match self {
            Self::Leaf(Leaf::Bool) => "bool".into(),
            Self::Leaf(Leaf::Address) => "address".into(),
            Self::Leaf(Leaf::String) => "string".into(),
            Self::Leaf(Leaf::Bytes) => "bytes".into(),
            Self::Leaf(Leaf::Fixed(n)) => format!("bytes{n}"),
            Self::Leaf(Leaf::Int(n)) => format!("int{n}"),
            Self::Leaf(Leaf::Uint(n)) => format!("uint{n}"),
            Self::Struct(i) => format!("S{i}"),
            Self::Array(inner, None) => format!("{}[]", inner.name()),
            Self::Array(inner, Some(n)) => format!("{}[{n}]", inner.name()),
        }
    }
}

type Fields = Vec<(String, Ty)>;

/// A document's schema: structs `S0..` (each refers only to later ones, so the graph has
/// no cycle), `S0` primary unless `domain_primary`; the declared domain fields, if any.
#[derive(Debug, Clone)]
struct Graph {
    structs: Rc<Vec<Fields>>,
    domain: Option<Fields>,
    domain_primary: bool,
}

impl Graph {
    fn types(&self) -> Value {
        let decl = |fields: &Fields| -> Value {
            fields
                .iter()
                .map(|(name, ty)| json!({"name": name, "type": ty.name()}))
                .collect()
        };
        let mut types = Map::new();
        if let Some(domain) = &self.domain {
            types.insert("EIP712Domain".into(), decl(domain));
        }
        for (i, fields) in self.structs.iter().enumerate() {
            types.insert(format!("S{i}"), decl(fields));
        }
        Value::Object(types)
    }

    fn primary(&self) -> Value {
        if self.domain_primary {
            json!("EIP712Domain")
        } else {
            json!("S0")
        }
    }
}

fn leaf() -> impl Strategy<Value = Leaf> {
    prop_oneof![
        Just(Leaf::Bool),
        Just(Leaf::Address),
        Just(Leaf::String),
        Just(Leaf::Bytes),
        (1..=32usize).prop_map(Leaf::Fixed),
        (1..=32usize).prop_map(|n| Leaf::Int(8 * n)),
        (1..=32usize).prop_map(|n| Leaf::Uint(8 * n)),
    ]
}

/// A field type that may refer to structs `first..count`: leaves, structs, arrays of up to
/// two dimensions (so arrays of arrays, of structs, fixed and dynamic).
fn ty(first: usize, count: usize) -> BoxedStrategy<Ty> {
    let base = if first < count {
        prop_oneof![3 => leaf().prop_map(Ty::Leaf), 1 => (first..count).prop_map(Ty::Struct)]
            .boxed()
    } else {
        leaf().prop_map(Ty::Leaf).boxed()
    };
    let len = prop_oneof![Just(None), (0..=3usize).prop_map(Some)];
    prop_oneof![
        4 => base.clone(),
        2 => (base.clone(), len.clone()).prop_map(|(t, n)| Ty::Array(Box::new(t), n)),
        1 => (base, len.clone(), len)
            .prop_map(|(t, n, m)| Ty::Array(Box::new(Ty::Array(Box::new(t), n)), m)),
    ]
    .boxed()
}

/// Field names `f0..`, now and then repeating an earlier one.
fn fields(types: BoxedStrategy<Ty>) -> impl Strategy<Value = Fields> {
    prop::collection::vec((types, prop::bool::weighted(0.05), 0..3usize), 0..=5).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(j, (t, repeat, k))| (format!("f{}", if repeat { k } else { j }), t))
            .collect()
    })
}

fn graph() -> impl Strategy<Value = Graph> {
    let standard = [
        ("name", Leaf::String),
        ("version", Leaf::String),
        ("chainId", Leaf::Uint(256)),
        ("verifyingContract", Leaf::Address),
        ("salt", Leaf::Fixed(32)),
    ];
    let domain = move |count: usize| {
        prop_oneof![
            1 => Just(None),
            3 => prop::collection::vec(any::<bool>(), 5).prop_map(move |keep| {
                Some(
                    standard
                        .iter()
                        .zip(keep)
                        .filter(|(_, k)| *k)
                        .map(|((name, leaf), _)| ((*name).to_owned(), Ty::Leaf(*leaf)))
                        .collect(),
                )
            }),
            1 => fields(ty(0, count)).prop_map(Some),
        ]
    };
    (1..=4usize)
        .prop_flat_map(|count| {
            (0..count)
                .map(|i| fields(ty(i + 1, count)))
                .collect::<Vec<_>>()
        })
        .prop_flat_map(move |structs| {
            let count = structs.len();
            (
                Just(Rc::new(structs)),
                domain(count),
                prop::bool::weighted(0.05),
            )
        })
        .prop_map(|(structs, domain, domain_primary)| Graph {
            domain_primary: domain_primary && domain.is_some(),
            structs,
            domain,
        })
}

/// Any JSON, mostly small: what a confused client sends.
fn wild() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![Just(1.0), Just(1.5), Just(-0.0), Just(1e20), any::<f64>()]
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[ -~]{0,6}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
        Just(json!([1, "0x01", null])),
    ]
    .boxed()
}

/// An integer, given as decimal text, in the forms JSON can carry it, right and wrong.
fn int_forms(decimal: &str) -> BoxedStrategy<Value> {
    let negative = decimal.starts_with('-');
    let digits = decimal.trim_start_matches('-').to_owned();
    let sign = if negative { "-" } else { "" };
    // Beyond 256 bits: 65 hex digits.
    let hex = digits
        .parse::<U256>()
        .map_or_else(|_| format!("1{}", "0".repeat(64)), |m| format!("{m:x}"));
    let mut forms = vec![
        Value::String(decimal.to_owned()),
        Value::String(format!("{sign}0x{hex}")),
        Value::String(format!("{sign}0x{}", hex.to_uppercase())),
        Value::String(format!("{sign}0X{hex}")),
        Value::String(format!("{sign}0x0{hex}")),
        Value::String(format!("{sign}0x{}{hex}", "0".repeat(64))),
        Value::String(format!("{sign}{hex}")),
        Value::String(format!(" {decimal}")),
        Value::String(format!("+{decimal}")),
        Value::String(format!("{decimal}.0")),
    ];
    if let Ok(i) = decimal.parse::<i64>() {
        forms.push(Value::from(i));
        forms.push(Value::from(i));
    } else if let Ok(u) = decimal.parse::<u64>() {
        forms.push(Value::from(u));
        forms.push(Value::from(u));
    } else if let Ok(f) = decimal.parse::<f64>() {
        // What a JSON parser makes of a big integer literal.
        forms.extend(serde_json::Number::from_f64(f).map(Value::Number));
    }
    if let Ok(f) = decimal.parse::<f64>() {
        forms.extend(serde_json::Number::from_f64(f + 0.5).map(Value::Number));
    }
    prop::sample::select(forms).boxed()
}

/// Integers at and around the edges of a width, signed or not.
fn int_value(bits: usize, signed: bool) -> BoxedStrategy<Value> {
    // Edges as decimal strings, computed on magnitudes (2^256 - 1 does not fit I256).
    let mut edges: Vec<String> = [
        "0",
        "1",
        "-1",
        "127",
        "128",
        "255",
        "256",
        "-128",
        "-129",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
    ]
    .map(String::from)
    .to_vec();
    let (max, min) = if signed {
        let half = U256::ONE << (bits - 1);
        (half - U256::ONE, half)
    } else {
        (U256::MAX >> (256 - bits), U256::ZERO)
    };
    let above = max
        .checked_add(U256::ONE)
        .map_or_else(|| format!("{max}0"), |u| u.to_string());
    edges.extend([
        max.to_string(),
        above,
        format!("-{min}"),
        format!("-{}", min + U256::ONE),
    ]);
    prop_oneof![
        3 => prop::sample::select(edges).prop_flat_map(|d| int_forms(&d)),
        1 => any::<i64>().prop_map(|i| i.to_string()).prop_flat_map(|d| int_forms(&d)),
        1 => any::<[u8; 32]>()
            .prop_map(move |b| (U256::from_be_bytes(b) >> (256 - bits)).to_string())
            .prop_flat_map(|d| int_forms(&d)),
    ]
    .boxed()
}

/// Hex text of `bytes` in the usual and unusual spellings.
fn hex_forms(bytes: &[u8]) -> BoxedStrategy<Value> {
    let hex = hex::encode(bytes);
    let mut forms = vec![
        format!("0x{hex}"),
        format!("0x{hex}"),
        format!("0x{}", hex.to_uppercase()),
        format!("0X{hex}"),
        hex.clone(),
        format!("0x{hex}0"),
        format!("0x{hex}zz"),
    ];
    if !hex.is_empty() {
        forms.push(format!("0x{}", &hex[1..]));
    }
    prop_oneof![
        6 => prop::sample::select(forms).prop_map(Value::String),
        1 => Just(bytes.iter().map(|b| Value::from(*b)).collect()),
        1 => Just(json!([1, 256])),
        1 => Just(json!([-1])),
    ]
    .boxed()
}

fn fixed_value(n: usize) -> BoxedStrategy<Value> {
    let len =
        prop_oneof![6 => Just(n), 1 => Just(n - 1), 1 => Just(n + 1), 1 => Just(0), 1 => Just(33)];
    (len, any::<[u8; 40]>())
        .prop_flat_map(|(len, b)| hex_forms(&b[..len]))
        .boxed()
}

fn address_value() -> BoxedStrategy<Value> {
    (any::<[u8; 21]>(), 0..10usize)
        .prop_map(|(b, form)| {
            let address = Address::from_slice(&b[..20]);
            let checksummed = address.to_checksum(None);
            let lower = format!("{address:x}");
            Value::String(match form {
                0 | 1 => checksummed,
                2 => lower,
                3 => format!("0x{}", lower[2..].to_uppercase()),
                4 => {
                    // A wrong checksum: one letter's case flipped.
                    let flip = checksummed[2..].find(|c: char| c.is_ascii_alphabetic());
                    flip.map_or(checksummed.clone(), |i| {
                        let mut s = checksummed.clone().into_bytes();
                        s[i + 2] ^= 0x20;
                        String::from_utf8(s).unwrap()
                    })
                }
                5 => lower[2..].to_owned(),
                6 => format!("0x{}", hex::encode(&b[..19])),
                7 => format!("0x{}", hex::encode(b)),
                8 => "0x".to_owned(),
                _ => format!("0x{}", "g".repeat(40)),
            })
        })
        .boxed()
}

/// A value of the leaf type in a usual spelling (edges and mistakes are rarer, so that
/// many whole documents hash).
fn valid_leaf(leaf: Leaf) -> BoxedStrategy<Value> {
    match leaf {
        Leaf::Bool => prop::sample::select(vec![json!(true), json!(false), json!("true")]).boxed(),
        Leaf::Address => (any::<[u8; 20]>(), any::<bool>())
            .prop_map(|(b, checksummed)| {
                let address = Address::from(b);
                Value::String(if checksummed {
                    address.to_checksum(None)
                } else {
                    format!("{address:x}")
                })
            })
            .boxed(),
        Leaf::String => "\\PC{0,8}".prop_map(Value::String).boxed(),
        Leaf::Bytes => prop_oneof![
            prop::collection::vec(any::<u8>(), 0..40)
                .prop_map(|b| Value::String(format!("0x{}", hex::encode(b)))),
            prop::collection::vec(any::<u8>(), 0..4).prop_map(|b| json!(b)),
        ]
        .boxed(),
        Leaf::Fixed(n) => prop::collection::vec(any::<u8>(), n)
            .prop_map(|b| Value::String(format!("0x{}", hex::encode(b))))
            .boxed(),
        Leaf::Int(bits) | Leaf::Uint(bits) => {
            let signed = matches!(leaf, Leaf::Int(_));
            (any::<[u8; 32]>(), 0..256usize, 0..3u8)
                .prop_map(move |(b, shift, form)| {
                    // Any width up to the type's, sign included.
                    let magnitude = U256::from_be_bytes(b) >> (256 - bits + usize::from(signed));
                    let magnitude = magnitude >> shift.min(255);
                    let negative = signed && b[0] & 1 == 1;
                    let decimal = if negative {
                        format!("-{magnitude}")
                    } else {
                        magnitude.to_string()
                    };
                    match (form, decimal.parse::<i64>()) {
                        (0, Ok(i)) => Value::from(i),
                        (1, _) if !negative => Value::String(format!("0x{magnitude:x}")),
                        _ => Value::String(decimal),
                    }
                })
                .boxed()
        }
    }
}

fn leaf_value(leaf: Leaf) -> BoxedStrategy<Value> {
    prop_oneof![12 => valid_leaf(leaf), 1 => edge_leaf(leaf)].boxed()
}

/// Edge and invalid values of the leaf type.
fn edge_leaf(leaf: Leaf) -> BoxedStrategy<Value> {
    match leaf {
        Leaf::Bool => prop::sample::select(vec![
            json!(true),
            json!(false),
            json!("true"),
            json!("false"),
            json!("True"),
            json!("1"),
            json!(0),
            json!(1),
        ])
        .boxed(),
        Leaf::Address => address_value(),
        Leaf::String => prop_oneof![
            4 => "\\PC{0,8}".prop_map(Value::String),
            1 => Just(json!("0x01")),
            1 => Just(json!(7)),
        ]
        .boxed(),
        Leaf::Bytes => (0..40usize, any::<[u8; 40]>())
            .prop_flat_map(|(len, b)| hex_forms(&b[..len]))
            .boxed(),
        Leaf::Fixed(n) => fixed_value(n),
        Leaf::Int(n) => int_value(n, true),
        Leaf::Uint(n) => int_value(n, false),
    }
}

/// A value for `ty`: mostly of its shape, with edges, wrong lengths, missing and extra
/// members, and now and then anything at all.
fn value(ty: &Ty, structs: &Rc<Vec<Fields>>) -> BoxedStrategy<Value> {
    let typed = match ty {
        Ty::Leaf(leaf) => leaf_value(*leaf),
        Ty::Array(inner, len) => {
            let lens = match len {
                Some(n) => prop_oneof![30 => Just(*n), 1 => 0..*n + 2].boxed(),
                None => (0..=3usize).boxed(),
            };
            let item = value(inner, structs);
            lens.prop_flat_map(move |n| prop::collection::vec(item.clone(), n))
                .prop_map(Value::Array)
                .boxed()
        }
        Ty::Struct(i) => struct_value(&structs[*i], structs),
    };
    prop_oneof![40 => typed, 1 => wild()].boxed()
}

fn struct_value(fields: &Fields, structs: &Rc<Vec<Fields>>) -> BoxedStrategy<Value> {
    let members: Vec<_> = fields
        .iter()
        .map(|(name, ty)| (Just(name.clone()), value(ty, structs)))
        .collect();
    let count = fields.len();
    (
        members,
        prop_oneof![30 => Just(None), 1 => (0..count.max(1)).prop_map(Some)],
        prop_oneof![8 => Just(None), 1 => wild().prop_map(Some)],
    )
        .prop_map(|(members, drop, extra)| {
            let mut map: Map<String, Value> = members.into_iter().collect();
            if let Some(k) = drop {
                map.remove(&format!("f{k}"));
            }
            if let Some(extra) = extra {
                map.insert("extra".into(), extra);
            }
            Value::Object(map)
        })
        .boxed()
}

/// A domain value: the declared struct's, or the standard fields for alloy's domain.
fn domain_value(graph: &Graph) -> BoxedStrategy<Value> {
    match &graph.domain {
        Some(fields) => struct_value(fields, &graph.structs),
        None => prop_oneof![
            Just(json!({"name": "x", "chainId": 1})),
            Just(json!({"name": "x", "version": "1", "chainId": "0x01",
                "verifyingContract": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"})),
            Just(json!({"chainId": 1.5})),
            Just(json!({"chainId": "x"})),
            Just(json!([])),
        ]
        .boxed(),
    }
}

/// A graph, two domains and two messages for it.
#[derive(Debug, Clone)]
struct Case {
    graph: Graph,
    domains: [Value; 2],
    messages: [Value; 2],
}

fn case() -> impl Strategy<Value = Case> {
    graph().prop_flat_map(|graph| {
        let domain = domain_value(&graph);
        let message = prop_oneof![
            30 => struct_value(&graph.structs[0], &graph.structs),
            1 => wild(),
        ];
        (
            Just(graph),
            [domain.clone(), domain],
            [message.clone(), message],
        )
            .prop_map(|(graph, domains, messages)| Case {
                graph,
                domains,
                messages,
            })
    })
}

fn document(graph: &Graph, domain: &Value, message: &Value) -> Value {
    json!({
        "types": graph.types(),
        "primaryType": graph.primary(),
        "domain": domain,
        "message": message,
    })
}

/// The hash through alloy only, as before the layouts: `check_numbers`, alloy's coercion,
/// `encode_data` and the resolver's type hashes.
fn reference(
    types: &Value,
    primary: &Value,
    domain: &Value,
    message: &Value,
) -> Result<B256, EthError> {
    let schema = Schema::new(types, primary)?;
    schema.alloy_signing_hash(domain, message)
}

/// The JSON value a binding scalar stands for, as the binding reads a host value: the
/// JSON string `0x<lowercase hex>` may also come as bytes.
fn scalars(value: &Value) -> Vec<Scalar<'_>> {
    match value {
        Value::Bool(flag) => vec![Scalar::Bool(*flag)],
        Value::Number(n) => n
            .as_i64()
            .map(Scalar::Int)
            .or_else(|| n.as_u64().map(Scalar::Uint))
            .into_iter()
            .collect(),
        Value::String(text) => vec![Scalar::Text(text)],
        _ => Vec::new(),
    }
}

fn lower_hex_bytes(value: &Value) -> Option<Vec<u8>> {
    let digits = value.as_str()?.strip_prefix("0x")?;
    (digits.len() % 2 == 0 && !digits.bytes().any(|b| b.is_ascii_uppercase()))
        .then(|| hex::decode(digits).ok())
        .flatten()
}

/// The binding's field-by-field path: `Some` when every member is a leaf scalar that
/// [`MessageField::word`] takes, as `message_words` does with a dict.
fn words_hash(schema: &Schema, separator: &B256, message: &Value, as_bytes: bool) -> Option<B256> {
    let fields = schema.message_fields()?;
    let members = message.as_object()?;
    if members.len() != fields.len() {
        return None;
    }
    let mut words = vec![None; fields.len()];
    for (key, value) in members {
        let index = fields.iter().position(|f| f.name() == key)?;
        if words[index].is_some() {
            return None;
        }
        let bytes = lower_hex_bytes(value).filter(|_| as_bytes);
        let scalar = match &bytes {
            Some(bytes) => Scalar::Bytes(bytes),
            None => *scalars(value).first()?,
        };
        words[index] = Some(fields[index].word(scalar)?);
    }
    let words: Vec<B256> = words.into_iter().collect::<Option<_>>()?;
    Some(schema.signing_hash_of_words(separator, &words))
}

fn same(
    what: &str,
    got: &Result<B256, EthError>,
    want: &Result<B256, EthError>,
) -> Result<(), TestCaseError> {
    match (got, want) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(a, b, "{}: hashes differ", what);
        }
        (Err(a), Err(b)) => {
            prop_assert_eq!(a.to_string(), b.to_string(), "{}: errors differ", what);
        }
        _ => prop_assert!(false, "{what}: {got:?} but alloy gives {want:?}"),
    }
    Ok(())
}

/// Hashes texts as a batch of JSON text does: split, prepared against the previous
/// document's members, the whole document parsed only where splitting cannot tell.
fn text_batch(texts: &[String]) -> Vec<Result<B256, EthError>> {
    let cache = SchemaCache::default();
    let mut texts_so_far = TextPreparer::default();
    texts
        .iter()
        .map(|text| {
            texts_so_far
                .hash(&cache, text)
                .unwrap_or_else(|| hash_typed_data(text.as_str()))
        })
        .collect()
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let types = case.graph.types();
    let primary = case.graph.primary();
    let key = [7u8; 32];
    let mut docs = Vec::new();
    let mut wants = Vec::new();
    let mut texts = Vec::new();
    let mut text_wants = Vec::new();
    for (domain, message) in [(0, 0), (0, 1), (1, 1)] {
        let (domain, message) = (&case.domains[domain], &case.messages[message]);
        let doc = document(&case.graph, domain, message);
        let want = reference(&types, &primary, domain, message);
        // The whole document: the domain's and the message's layouts.
        same("hash_typed_data", &hash_typed_data(&doc), &want)?;
        // As text (floats may not survive printing: the reference reads the text too).
        let text = doc.to_string();
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        let want_text = reference(
            &reparsed["types"],
            &reparsed["primaryType"],
            &reparsed["domain"],
            &reparsed["message"],
        );
        same("text", &hash_typed_data(text.as_str()), &want_text)?;
        // Other spellings of the same members, which the batch must still recognise.
        texts.push(
            if message == &case.messages[1] && domain == &case.domains[0] {
                serde_json::to_string_pretty(&doc).unwrap()
            } else {
                text
            },
        );
        text_wants.push(want_text);
        // The message field by field, as a binding reads a dict.
        if let (Ok(schema), Ok(want)) = (Schema::new(&types, &primary), &want) {
            let separator = schema.domain_separator(domain).unwrap();
            for as_bytes in [false, true] {
                if let Some(got) = words_hash(&schema, &separator, message, as_bytes) {
                    prop_assert_eq!(&got, want, "words (bytes: {})", as_bytes);
                }
            }
        } else if let Ok(schema) = Schema::new(&types, &primary)
            && let Ok(separator) = schema.domain_separator(domain)
        {
            for as_bytes in [false, true] {
                let got = words_hash(&schema, &separator, message, as_bytes);
                prop_assert!(got.is_none(), "words give {got:?} but alloy gives {want:?}");
            }
        }
        docs.push(doc);
        wants.push(want);
    }
    for (i, (got, want)) in text_batch(&texts).iter().zip(&text_wants).enumerate() {
        same(&format!("text batch [{i}]"), got, want)?;
    }
    // A batch: shared schema, a domain reused and then changed.
    let batch = sign_typed_data_batch(&docs, &key);
    let first_error = wants.iter().position(Result::is_err);
    match (batch, first_error) {
        (Ok(signed), None) => {
            for (signed, want) in signed.iter().zip(&wants) {
                prop_assert_eq!(Some(&signed.message_hash), want.as_ref().ok());
            }
        }
        (Err(error), Some(i)) => {
            let want = wants[i].clone().unwrap_err().at(i);
            prop_assert_eq!(error.to_string(), want.to_string());
        }
        (got, _) => prop_assert!(false, "batch gives {got:?} but alloy gives {wants:?}"),
    }
    Ok(())
}

#[test]
fn the_fast_paths_match_alloy() {
    let cases = std::env::var("TPCORE_TYPED_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 10_000,
        ..Config::default()
    });
    runner.run(&case(), |case| check(&case)).unwrap();
}

/// One leaf field with edge values far more often: the field-by-field path's edges.
#[test]
fn leaf_words_match_alloy() {
    let cases = std::env::var("TPCORE_TYPED_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000);
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let leaf_and_value = leaf().prop_flat_map(|leaf| {
        let value = prop_oneof![3 => edge_leaf(leaf), 1 => valid_leaf(leaf), 1 => wild()];
        (Just(leaf), value)
    });
    runner
        .run(&leaf_and_value, |(leaf, value)| {
            let ty = Ty::Leaf(leaf);
            let types = json!({"T": [{"name": "v", "type": ty.name()}]});
            let schema = Schema::new(&types, &json!("T")).unwrap();
            let resolved = schema.resolver.resolve(&ty.name()).unwrap();
            let want = resolved
                .coerce_json(&value)
                .ok()
                .map(|v| schema.resolver.eip712_data_word(&v).unwrap());
            let field = &schema.message_fields().unwrap()[0];
            prop_assert_eq!(field.layout.word(&value), want, "layout word");
            let bytes = lower_hex_bytes(&value);
            let alternatives = scalars(&value)
                .into_iter()
                .chain(bytes.as_deref().map(Scalar::Bytes));
            for scalar in alternatives {
                prop_assert_eq!(field.word(scalar), want, "{:?}", scalar);
            }
            let message = json!({ "v": value });
            // From the message's text: a scalar takes the word alloy gives, anything else
            // (and a float, which `check_numbers` refuses) the general path.
            let mut words = Vec::new();
            let text = message.to_string();
            let read = super::words::from_text(schema.message_fields().unwrap(), &text, &mut words);
            let scalar = !scalars(&value).is_empty();
            prop_assert_eq!(read, scalar && want.is_some(), "read from {}", text);
            if read {
                prop_assert_eq!(Some(words[0]), want, "word from {}", text);
            }
            let separator = B256::repeat_byte(1);
            let got = schema.signing_hash(&separator, &message);
            let want = check_numbers(&message, &mut "message".to_owned()).and_then(|()| {
                let (ty, type_hash) = schema.primary.as_ref().unwrap();
                schema.struct_hash(ty, *type_hash, &message, "message")
            });
            let want = want.map(|hash| final_hash(&separator, Some(&hash)));
            same("signing_hash", &got, &want)
        })
        .unwrap();
}

/// Texts that splitting must leave to the whole document's parse, or judge as it would.
#[test]
fn odd_texts_hash_as_whole_documents() {
    let types =
        r#"{"EIP712Domain":[{"name":"name","type":"string"}],"T":[{"name":"v","type":"uint8"}]}"#;
    let deep = format!("{}1{}", "[".repeat(127), "]".repeat(127));
    let texts = [
        format!(
            r#"{{"types":{types},"primaryType":"T","domain":{{"name":"x"}},"message":{{"v":1}}}}"#
        ),
        format!(r#"[{types},"T",{{"name":"x"}},{{"v":1}}]"#),
        format!(
            r#"{{"types":{types},"primaryType":"T","domain":{{"name":"x"}},"message":{{"v":1}},"extra":{deep}}}"#
        ),
        format!(
            r#"{{"types":{types},"primaryType":"T","domain":{{"name":"x"}},"message":{{"v":1}},"message":{{"v":2}}}}"#
        ),
        format!(
            r#"{{"types":{types},"primaryType":"T","domain":{{"name":"x","z":{deep}}},"message":{{"v":1}}}}"#
        ),
        format!(
            r#"{{"types":{types},"primaryType":"T","domain":{{"name":"\ud800"}},"message":{{"v":1}}}}"#
        ),
        format!(
            r#"{{"types":{types},"primaryType":"U","domain":{{"name":"x"}},"message":{{"v":1}}}}"#
        ),
        format!(
            r#"{{"types":{types},"primaryType":"T","domain":{{"name":1}},"message":{{"v":1}}}}"#
        ),
        format!(r#"{{"types":{types},"primaryType":"T","domain":{{"name":"x"}}}}"#),
        format!(
            r#" {{"types":{types},"primaryType":"T","domain":{{"name":"x"}},"message":{{"v":256}}}} "#
        ),
    ];
    for text in &texts {
        let want = hash_typed_data(text.as_str());
        for got in text_batch(&[texts[0].clone(), text.clone(), text.clone()])
            .iter()
            .skip(1)
        {
            same(text, got, &want).unwrap();
        }
    }
}
