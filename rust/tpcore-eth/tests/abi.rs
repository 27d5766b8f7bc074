//! ABI encode/decode, selectors, reverts and logs: known answers, differential fixtures from
//! eth-abi (`tests/data/gen_fixtures.py`), malformed-input tables and round-trip properties.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use alloy_primitives::{B256, I256, U256};
use proptest::prelude::*;
use rstest::rstest;
use serde_json::Value;
use tpcore_eth::abi::log::decode_log;
use tpcore_eth::abi::revert::{Revert, decode_revert};
use tpcore_eth::abi::{
    AbiValue, Loose, abi_decode, abi_encode, encode_function_call, function_selector,
};
use tpcore_eth::address::to_checksum;

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.trim_start_matches("0x")).unwrap()
}

/// The fixtures' value notation as an untyped value.
fn loose(v: &Value) -> Loose {
    match v {
        Value::Bool(b) => Loose::Bool(*b),
        Value::Array(items) => Loose::List(items.iter().map(loose).collect()),
        Value::String(s) => match s.split_at(2) {
            ("i:", n) => match n.strip_prefix('-') {
                Some(m) => Loose::Int {
                    negative: true,
                    magnitude: m.parse().unwrap(),
                },
                None => Loose::uint(n.parse().unwrap()),
            },
            ("b:", h) => Loose::Bytes(unhex(h)),
            ("s:", t) => Loose::Str(t.to_owned()),
            _ => panic!("bad notation {s}"),
        },
        _ => panic!("bad notation {v}"),
    }
}

/// A decoded value in the fixtures' notation.
fn notation(v: &AbiValue) -> Value {
    match v {
        AbiValue::Bool(b) => Value::Bool(*b),
        AbiValue::Int(i) => Value::String(format!("i:{i}")),
        AbiValue::Uint(u) => Value::String(format!("i:{u}")),
        AbiValue::Address(a) => Value::String(format!("a:{}", to_checksum(a))),
        AbiValue::FixedBytes(b) | AbiValue::Bytes(b) => {
            Value::String(format!("b:{}", hex::encode(b)))
        }
        AbiValue::String(s) => Value::String(format!("s:{s}")),
        AbiValue::Array(items) | AbiValue::Tuple(items) => {
            Value::Array(items.iter().map(notation).collect())
        }
    }
}

#[test]
fn eth_abi_fixtures() {
    let cases: Vec<Value> = serde_json::from_str(include_str!("data/abi_cases.json")).unwrap();
    assert_eq!(cases.len(), 300);
    let (mut accepted, mut rejected) = (0, 0);
    for case in &cases {
        let types: Vec<&str> = case["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let values: Vec<Loose> = case["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(loose)
            .collect();
        let encoded = abi_encode(&types, &values).unwrap_or_else(|e| panic!("{types:?}: {e}"));
        assert_eq!(
            hex::encode(&encoded),
            case["encoded"].as_str().unwrap(),
            "{types:?}"
        );
        let decoded = abi_decode(&types, &encoded).unwrap();
        let decoded = Value::Array(decoded.iter().map(notation).collect());
        assert_eq!(decoded, case["decoded"], "{types:?}");
        for mutation in case["mutations"].as_array().unwrap() {
            let data = unhex(mutation["data"].as_str().unwrap());
            let ours = abi_decode(&types, &data);
            match (&ours, mutation.get("ok")) {
                (Ok(values), Some(expected)) => {
                    accepted += 1;
                    assert_eq!(
                        &Value::Array(values.iter().map(notation).collect()),
                        expected
                    );
                }
                (Err(e), None) => {
                    rejected += 1;
                    assert_eq!(e.reason(), "abi_decode_error");
                }
                _ => panic!(
                    "{types:?} {}: ours {ours:?}, eth-abi {}",
                    mutation["data"], mutation
                ),
            }
        }
    }
    assert!(accepted > 100 && rejected > 100, "{accepted} {rejected}");
}

#[test]
fn transfer_selector_and_call() {
    assert_eq!(
        hex::encode(function_selector("transfer(address,uint256)")),
        "a9059cbb"
    );
    assert_eq!(
        hex::encode(function_selector(" transfer( address, uint256 ) ")),
        "a9059cbb"
    );
    let call = encode_function_call(
        "transfer(address, uint)",
        &[
            Loose::Str("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".into()),
            Loose::uint(U256::from(1000u32)),
        ],
    )
    .unwrap();
    assert_eq!(
        hex::encode(call),
        "a9059cbb0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed\
         00000000000000000000000000000000000000000000000000000000000003e8"
    );
    assert_eq!(
        hex::encode(encode_function_call("totalSupply()", &[]).unwrap()),
        "18160ddd"
    );
    for bad in [
        "transfer",
        "(uint256)",
        "f(uint7)",
        "f(uint256",
        "f(uint256)x",
    ] {
        assert_eq!(
            encode_function_call(bad, &[]).unwrap_err().reason(),
            "invalid_abi_type",
            "{bad}"
        );
    }
}

const NOT_ENOUGH_ETHER: &str = "08c379a0\
    0000000000000000000000000000000000000000000000000000000000000020\
    000000000000000000000000000000000000000000000000000000000000001a\
    4e6f7420656e6f7567682045746865722070726f76696465642e000000000000";

#[test]
fn revert_error_string() {
    assert_eq!(
        decode_revert(&unhex(NOT_ENOUGH_ETHER), None).unwrap(),
        Revert::Error("Not enough Ether provided.".into())
    );
    // The same encoding as abi_encode produces.
    let mut data = unhex("08c379a0");
    data.extend(
        abi_encode(
            &["string"],
            &[Loose::Str("Not enough Ether provided.".into())],
        )
        .unwrap(),
    );
    assert_eq!(hex::encode(data), NOT_ENOUGH_ETHER);
}

#[rstest]
#[case(0x11, "arithmetic overflow or underflow")]
#[case(0x01, "assertion failed")]
#[case(0x12, "division or modulo by zero")]
#[case(0x32, "array index out of bounds")]
#[case(0x99, "unknown panic code")]
fn revert_panic(#[case] code: u8, #[case] meaning: &'static str) {
    let mut data = unhex("4e487b71");
    data.extend([0u8; 31]);
    data.push(code);
    assert_eq!(
        decode_revert(&data, None).unwrap(),
        Revert::Panic {
            code: U256::from(code),
            meaning
        }
    );
}

const CUSTOM_ERRORS: &str = r#"[
  {"type": "function", "name": "f", "inputs": [], "outputs": [], "stateMutability": "view"},
  {"type": "error", "name": "InsufficientBalance",
   "inputs": [{"name": "available", "type": "uint256"}, {"name": "required", "type": "uint256"}]},
  {"type": "error", "name": "Unauthorized", "inputs": [{"name": "who", "type": "address"}]}
]"#;

#[test]
fn revert_custom_empty_unknown() {
    let mut data = function_selector("InsufficientBalance(uint256,uint256)").to_vec();
    data.extend(
        abi_encode(
            &["uint256", "uint256"],
            &[Loose::uint(U256::from(5u8)), Loose::uint(U256::from(9u8))],
        )
        .unwrap(),
    );
    assert_eq!(
        decode_revert(&data, Some(CUSTOM_ERRORS)).unwrap(),
        Revert::Custom {
            name: "InsufficientBalance".into(),
            signature: "InsufficientBalance(uint256,uint256)".into(),
            args: vec![
                ("available".into(), AbiValue::Uint(U256::from(5u8))),
                ("required".into(), AbiValue::Uint(U256::from(9u8))),
            ],
        }
    );
    assert_eq!(
        decode_revert(&data, None).unwrap(),
        Revert::Unknown {
            selector: data[..4].try_into().unwrap(),
            data: data[4..].to_vec()
        }
    );
    assert_eq!(decode_revert(&[], None).unwrap(), Revert::Empty);
    assert_eq!(
        decode_revert(&[1, 2], None).unwrap_err().reason(),
        "abi_decode_error"
    );
    assert_eq!(
        decode_revert(&data, Some("[{")).unwrap_err().reason(),
        "invalid_abi_json"
    );
    // A known selector with a truncated body is an error, not Unknown.
    let truncated = unhex(&NOT_ENOUGH_ETHER[..NOT_ENOUGH_ETHER.len() - 20]);
    assert_eq!(
        decode_revert(&truncated, None).unwrap_err().reason(),
        "abi_decode_error"
    );
}

const TRANSFER_EVENT: &str = r#"{"anonymous": false, "type": "event", "name": "Transfer", "inputs": [
  {"indexed": true, "name": "from", "type": "address"},
  {"indexed": true, "name": "to", "type": "address"},
  {"indexed": false, "name": "value", "type": "uint256"}]}"#;

fn word(hex_text: &str) -> B256 {
    B256::left_padding_from(&unhex(hex_text))
}

#[test]
fn erc20_transfer_log() {
    let topics = [
        word("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"),
        word("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
        word("fb6916095ca1df60bb79ce92ce3ea74c37c5d359"),
    ];
    let data = word("0de0b6b3a7640000");
    let log = decode_log(TRANSFER_EVENT, &topics, data.as_slice()).unwrap();
    assert_eq!(log.name, "Transfer");
    assert_eq!(log.args[0].0, "from");
    assert_eq!(
        notation(&log.args[0].1),
        "a:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    );
    assert_eq!(
        notation(&log.args[1].1),
        "a:0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
    );
    assert_eq!(
        log.args[2],
        ("value".into(), AbiValue::Uint(U256::from(10u64.pow(18))))
    );

    let err = decode_log(TRANSFER_EVENT, &topics[..2], data.as_slice()).unwrap_err();
    assert_eq!(err.reason(), "log_mismatch");
    let mut wrong = topics;
    wrong[0] = word("01");
    assert_eq!(
        decode_log(TRANSFER_EVENT, &wrong, data.as_slice())
            .unwrap_err()
            .reason(),
        "log_mismatch"
    );
    let mut dirty = topics;
    dirty[1] = word("01005aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    assert_eq!(
        decode_log(TRANSFER_EVENT, &dirty, data.as_slice())
            .unwrap_err()
            .reason(),
        "abi_decode_error"
    );
    assert_eq!(
        decode_log(TRANSFER_EVENT, &topics, &[0; 31])
            .unwrap_err()
            .reason(),
        "abi_decode_error"
    );
    assert_eq!(
        decode_log("{}", &topics, &[]).unwrap_err().reason(),
        "invalid_abi_json"
    );
}

#[test]
fn indexed_dynamic_and_anonymous_log() {
    let event = r#"{"type": "event", "name": "Note", "anonymous": true, "inputs": [
      {"indexed": true, "name": "tag", "type": "string"},
      {"indexed": false, "name": "n", "type": "int8"}]}"#;
    let tag = word("aa".repeat(32).as_str());
    let data = abi_encode(&["int8"], &[Loose::int(I256::MINUS_ONE)]).unwrap();
    let log = decode_log(event, &[tag], &data).unwrap();
    assert_eq!(
        log.args,
        vec![
            ("tag".into(), AbiValue::FixedBytes(tag.to_vec())),
            ("n".into(), AbiValue::Int(I256::MINUS_ONE)),
        ]
    );
}

#[rstest]
#[case::short(&["uint256"], "00")]
#[case::empty(&["bool"], "")]
#[case::bool_two(&["bool"], "0000000000000000000000000000000000000000000000000000000000000002")]
#[case::uint8_padding(&["uint8"], "0000000000000000000000000000000000000000000000000000000000000100")]
#[case::int8_sign(&["int8"], "00000000000000000000000000000000000000000000000000000000000000ff")]
#[case::address_padding(&["address"], "0100000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed")]
#[case::bytes2_padding(&["bytes2"], "0102030000000000000000000000000000000000000000000000000000000000")]
#[case::offset_into_head(&["bytes"], "0000000000000000000000000000000000000000000000000000000000000000")]
#[case::offset_past_end(&["bytes"], "0000000000000000000000000000000000000000000000000000000000000040")]
#[case::huge_offset(&["string"], "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
#[case::huge_length(&["bytes"], "0000000000000000000000000000000000000000000000000000000000000020ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
#[case::short_tail(&["bytes"], "0000000000000000000000000000000000000000000000000000000000000020000000000000000000000000000000000000000000000000000000000000000161")]
#[case::tail_padding(&["bytes"], "00000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000001610000000000000000000000000000000000000000000000000000000000ff")]
#[case::bad_utf8(&["string"], "00000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000001ff00000000000000000000000000000000000000000000000000000000000000")]
#[case::huge_array(&["uint256[]"], "0000000000000000000000000000000000000000000000000000000000000020ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
#[case::array_past_end(&["uint256[]"], "00000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000002")]
fn malformed_data_is_an_error(#[case] types: &[&str], #[case] data: &str) {
    let err = abi_decode(types, &unhex(data)).unwrap_err();
    assert_eq!(err.reason(), "abi_decode_error", "{err}");
}

#[rstest]
#[case("uint7")]
#[case("uint0")]
#[case("uint264")]
#[case("bytes33")]
#[case("bytes0")]
#[case("tuple(")]
#[case("(uint256")]
#[case("uint256[")]
#[case("foo")]
#[case("function")]
#[case("")]
fn bad_types(#[case] ty: &str) {
    assert_eq!(
        abi_encode(&[ty], &[Loose::Bool(true)])
            .unwrap_err()
            .reason(),
        "invalid_abi_type"
    );
    assert_eq!(
        abi_decode(&[ty], &[0; 64]).unwrap_err().reason(),
        "invalid_abi_type"
    );
}

fn int(v: i64) -> Loose {
    Loose::int(I256::try_from(v).unwrap())
}

#[rstest]
#[case("uint8", int(256), "values[0]", "invalid_abi_value")]
#[case("uint8", int(-1), "values[0]", "invalid_abi_value")]
#[case("int8", int(128), "values[0]", "invalid_abi_value")]
#[case("int8", int(-129), "values[0]", "invalid_abi_value")]
#[case("bool", int(1), "values[0]", "invalid_abi_value")]
#[case("uint256", Loose::Bool(true), "values[0]", "invalid_abi_value")]
#[case("bytes2", Loose::Bytes(vec![1, 2, 3]), "values[0]", "invalid_abi_value")]
#[case("bytes", Loose::Str("0xabc".into()), "values[0]", "invalid_abi_value")]
#[case("bytes", Loose::Str("abcd".into()), "values[0]", "invalid_abi_value")]
#[case("string", Loose::Bytes(vec![97]), "values[0]", "invalid_abi_value")]
#[case("address", Loose::Bytes(vec![0; 19]), "values[0]", "invalid_abi_value")]
#[case("address", Loose::Str("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD".into()), "values[0]", "bad_checksum")]
#[case("address", Loose::Str("0x5aae".into()), "values[0]", "invalid_address")]
#[case("uint8[2]", Loose::List(vec![int(1)]), "values[0]", "invalid_abi_value")]
#[case("(uint8,bool)[]", Loose::List(vec![Loose::List(vec![int(1), Loose::Bool(true)]), Loose::List(vec![int(1), int(1)])]), "values[0][1][1]", "invalid_abi_value")]
#[case("(uint8,bool)", Loose::List(vec![int(1)]), "values[0]", "invalid_abi_value")]
#[case("uint8[][]", Loose::List(vec![Loose::List(vec![]), Loose::List(vec![int(1), int(300)])]), "values[0][1][1]", "invalid_abi_value")]
fn bad_values_name_the_path(
    #[case] ty: &str,
    #[case] value: Loose,
    #[case] path: &str,
    #[case] reason: &str,
) {
    let err = abi_encode(&[ty], &[value]).unwrap_err();
    assert_eq!(err.reason(), reason, "{err}");
    assert!(err.to_string().starts_with(&format!("{path}:")), "{err}");
}

/// Fixed arrays far longer than the data (of dynamic elements, or of elements of no
/// words) are judged in time proportional to the data, not to their declared length.
#[test]
fn huge_fixed_arrays_decode_in_time_of_the_data() {
    let pointer = unhex(&format!("{:064x}", 32));
    let cases: [(&str, Vec<u8>); 4] = [
        ("bytes[99999999999999]", pointer.clone()),
        (
            "string[99999999999999][2]",
            [pointer.clone(), vec![0; 64]].concat(),
        ),
        ("()[99999999999999]", Vec::new()),
        ("uint8[0][99999999999999]", Vec::new()),
    ];
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for (ty, data) in &cases {
            let result = abi_decode(&[ty], data);
            done.send((*ty, result.is_ok())).unwrap();
        }
    });
    for (ty, ok) in [
        ("bytes[99999999999999]", false),
        ("string[99999999999999][2]", false),
    ] {
        let got = finished
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("{ty} did not finish"));
        assert_eq!(got, (ty, ok));
    }
    for ty in ["()[99999999999999]", "uint8[0][99999999999999]"] {
        let (got, _) = finished
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("{ty} did not finish"));
        assert_eq!(got, ty);
    }
}

#[test]
fn eth_abi_value_rules() {
    // bytesN takes up to N bytes and right-pads, as eth-abi does; hex strings work too.
    assert_eq!(
        abi_encode(&["bytes3"], &[Loose::Bytes(vec![0x61])]).unwrap(),
        abi_encode(&["bytes3"], &[Loose::Str("0x610000".into())]).unwrap()
    );
    // uint is uint256; value count must match.
    assert_eq!(
        abi_encode(&["uint"], &[int(1)]).unwrap(),
        abi_encode(&["uint256"], &[int(1)]).unwrap()
    );
    assert_eq!(
        abi_encode(&["uint"], &[]).unwrap_err().reason(),
        "invalid_abi_value"
    );
    assert_eq!(abi_encode(&[], &[]).unwrap(), Vec::<u8>::new());
    assert_eq!(abi_decode(&[], &[]).unwrap(), vec![]);
    // Extremes of int256.
    let min = Loose::Int {
        negative: true,
        magnitude: U256::from(1u8) << 255,
    };
    let data = abi_encode(&["int256"], &[min]).unwrap();
    assert_eq!(
        abi_decode(&["int256"], &data).unwrap(),
        vec![AbiValue::Int(I256::MIN)]
    );
    let over = Loose::Int {
        negative: true,
        magnitude: (U256::from(1u8) << 255) + U256::from(1u8),
    };
    assert!(abi_encode(&["int256"], &[over]).is_err());
}

/// A random (type, value) pair for the round trip.
fn typed_value() -> impl Strategy<Value = (String, Loose)> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(|b| ("bool".to_owned(), Loose::Bool(b))),
        (1usize..=32, any::<[u8; 32]>()).prop_map(|(bytes, raw)| {
            let bits = bytes * 8;
            let value = U256::from_be_bytes(raw) >> (256 - bits);
            (format!("uint{bits}"), Loose::uint(value))
        }),
        (1usize..=32, any::<[u8; 32]>()).prop_map(|(bytes, raw)| {
            let bits = bytes * 8;
            let value = I256::from_raw(U256::from_be_bytes(raw)).asr(256 - bits);
            (format!("int{bits}"), Loose::int(value))
        }),
        any::<[u8; 20]>().prop_map(|a| ("address".to_owned(), Loose::Bytes(a.to_vec()))),
        (1usize..=32).prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n)
            .prop_map(move |b| (format!("bytes{n}"), Loose::Bytes(b)))),
        proptest::collection::vec(any::<u8>(), 0..70)
            .prop_map(|b| ("bytes".to_owned(), Loose::Bytes(b))),
        ".{0,40}".prop_map(|s| ("string".to_owned(), Loose::Str(s))),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4).prop_map(|items| {
                let types: Vec<String> = items.iter().map(|(t, _)| t.clone()).collect();
                (
                    format!("({})", types.join(",")),
                    Loose::List(items.into_iter().map(|(_, v)| v).collect()),
                )
            }),
            (inner, 0usize..4, any::<bool>()).prop_map(|((t, v), n, fixed)| {
                let ty = if fixed {
                    format!("{t}[{}]", n.max(1))
                } else {
                    format!("{t}[]")
                };
                let count = if fixed { n.max(1) } else { n };
                (ty, Loose::List(vec![v; count]))
            }),
        ]
    })
}

/// The expected decoding of a value coerced from `Loose` (bytes as given, ints signed as given).
fn same(decoded: &AbiValue, value: &Loose) -> bool {
    match (decoded, value) {
        (AbiValue::Bool(a), Loose::Bool(b)) => a == b,
        (
            AbiValue::Uint(a),
            Loose::Int {
                negative: false,
                magnitude,
            },
        ) => a == magnitude,
        (
            AbiValue::Int(a),
            Loose::Int {
                negative,
                magnitude,
            },
        ) => {
            a.unsigned_abs() == *magnitude && (a.is_negative() == *negative || magnitude.is_zero())
        }
        (AbiValue::Address(a), Loose::Bytes(b)) => a.as_slice() == b.as_slice(),
        (AbiValue::FixedBytes(a) | AbiValue::Bytes(a), Loose::Bytes(b)) => a == b,
        (AbiValue::String(a), Loose::Str(b)) => a == b,
        (AbiValue::Array(a) | AbiValue::Tuple(a), Loose::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn encode_decode_round_trip(params in proptest::collection::vec(typed_value(), 0..4)) {
        let types: Vec<&str> = params.iter().map(|(t, _)| t.as_str()).collect();
        let values: Vec<Loose> = params.iter().map(|(_, v)| v.clone()).collect();
        let data = abi_encode(&types, &values).unwrap();
        let decoded = abi_decode(&types, &data).unwrap();
        prop_assert_eq!(decoded.len(), values.len());
        for (d, v) in decoded.iter().zip(&values) {
            prop_assert!(same(d, v), "{:?} vs {:?}", d, v);
        }
    }

    #[test]
    fn decode_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200), pick in 0usize..6) {
        let types: &[&[&str]] = &[&["uint256[]"], &["string", "bytes"], &["(uint8,string)[2]"], &["bytes[][]"], &["int16", "bool", "address"], &["(bytes,uint256[])[]"]];
        let _ = abi_decode(types[pick], &data);
    }
}

#[rstest::rstest]
#[case::one_argument("Error(string)", "08c379a0")]
#[case::one_argument_uint("Panic(uint256)", "4e487b71")]
#[case::no_arguments("totalSupply()", "18160ddd")]
#[case::two_arguments("transfer(address,uint256)", "a9059cbb")]
fn encode_function_call_uses_the_canonical_selector(
    #[case] signature: &str,
    #[case] selector: &str,
) {
    let values: Vec<tpcore_eth::abi::Loose> = match signature {
        "Error(string)" => vec![tpcore_eth::abi::Loose::Str("x".into())],
        "Panic(uint256)" => vec![tpcore_eth::abi::Loose::uint(tpcore_eth::abi::U256::from(1))],
        "totalSupply()" => vec![],
        _ => vec![
            tpcore_eth::abi::Loose::Str(format!("0x{}", "11".repeat(20))),
            tpcore_eth::abi::Loose::uint(tpcore_eth::abi::U256::from(1)),
        ],
    };
    let call = tpcore_eth::abi::encode_function_call(signature, &values).unwrap();
    assert_eq!(hex::encode(&call[..4]), selector);
}

#[rstest::rstest]
#[case::nested_one_tuple("f((uint256))", "3fc03eeb")]
fn encode_function_call_writes_nested_one_element_tuples_as_solidity_does(
    #[case] signature: &str,
    #[case] selector: &str,
) {
    let one = tpcore_eth::abi::Loose::uint(tpcore_eth::abi::U256::from(1));
    let call = tpcore_eth::abi::encode_function_call(
        signature,
        &[tpcore_eth::abi::Loose::List(vec![one])],
    )
    .unwrap();
    assert_eq!(hex::encode(&call[..4]), selector);
}
