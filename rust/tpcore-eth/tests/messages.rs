//! Addresses, EIP-191 and EIP-712: known answers from the EIPs and differential fixtures from
//! eth-account (`tests/data/gen_fixtures.py`).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use rstest::rstest;
use serde_json::{Value, json};
use tpcore_eth::address::{parse_address, to_checksum};
use tpcore_eth::message::{personal_hash, recover_message, sign_message, sign_messages};
use tpcore_eth::typed_data::{hash_typed_data, sign_typed_data, sign_typed_data_batch};
use tpcore_sign::ecdsa::PrivateKey;
use tpcore_sign::keccak::keccak256;

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.trim_start_matches("0x")).unwrap()
}

#[rstest]
#[case("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
#[case("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
#[case("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
#[case("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
#[case("0x52908400098527886E0F7030069857D2E4169EE7")]
#[case("0x8617E340B3D01FA5F11F306F4090FD50E238070D")]
#[case("0xde709f2102306220921060314715629080e2fb77")]
#[case("0x27b1fdb04752bbc536007a920d24acb045561c26")]
fn eip55_examples(#[case] text: &str) {
    let address = parse_address(text).unwrap();
    assert_eq!(to_checksum(&address), text);
    assert_eq!(parse_address(&text.to_lowercase()).unwrap(), address);
    assert_eq!(
        parse_address(&format!("0x{}", &text[2..].to_uppercase())).unwrap(),
        address
    );
}

#[rstest]
#[case("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "bad_checksum")]
#[case("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "bad_checksum")]
#[case("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "invalid_address")]
#[case("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", "invalid_address")]
#[case("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaedd", "invalid_address")]
#[case("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "invalid_address")]
#[case("", "invalid_address")]
#[case("0x€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€", "invalid_address")]
fn bad_addresses(#[case] text: &str, #[case] reason: &str) {
    assert_eq!(parse_address(text).unwrap_err().reason(), reason);
}

fn mail() -> Value {
    json!({
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"}
            ],
            "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
            "Mail": [
                {"name": "from", "type": "Person"},
                {"name": "to", "type": "Person"},
                {"name": "contents", "type": "string"}
            ]
        },
        "primaryType": "Mail",
        "domain": {
            "name": "Ether Mail", "version": "1", "chainId": 1,
            "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"
        },
        "message": {
            "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
            "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
            "contents": "Hello, Bob!"
        }
    })
}

fn cow() -> PrivateKey {
    PrivateKey::from_bytes(&keccak256(b"cow")).unwrap()
}

#[test]
fn eip712_mail_example() {
    let doc = mail();
    let hash = hash_typed_data(&doc).unwrap();
    assert_eq!(
        hex::encode(hash),
        "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"
    );
    assert_eq!(hash_typed_data(doc.to_string().as_str()).unwrap(), hash);
    let signed = sign_typed_data(&doc, &cow()).unwrap();
    assert_eq!(signed.message_hash, hash);
    assert_eq!(signed.v, 28);
    assert_eq!(
        hex::encode(signed.signature),
        "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d\
         07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c"
    );
    assert_eq!(
        format!("{:#x}", signed.s),
        "0x7299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"
    );
}

#[test]
fn eip712_domain_order_follows_declared_types() {
    // Reordering the declared EIP712Domain fields changes the type string and so the hash,
    // as it does in eth-account and MetaMask.
    let mut doc = mail();
    doc["types"]["EIP712Domain"]
        .as_array_mut()
        .unwrap()
        .swap(0, 1);
    assert_ne!(
        hash_typed_data(&doc).unwrap(),
        hash_typed_data(&mail()).unwrap()
    );
}

#[rstest]
#[case::not_json(Value::String("{".into()))]
#[case::not_object(json!([1, 2]))]
#[case::no_types(json!({"primaryType": "Mail", "domain": {}, "message": {}}))]
#[case::unknown_primary(json!({"types": {"EIP712Domain": []}, "primaryType": "Nope", "domain": {}, "message": {}}))]
#[case::bad_field_type(json!({"types": {"EIP712Domain": [], "A": [{"name": "x", "type": "uint7"}]}, "primaryType": "A", "domain": {}, "message": {"x": 1}}))]
#[case::value_too_big(json!({"types": {"EIP712Domain": [], "A": [{"name": "x", "type": "uint8"}]}, "primaryType": "A", "domain": {}, "message": {"x": 256}}))]
#[case::missing_field(json!({"types": {"EIP712Domain": [], "A": [{"name": "x", "type": "uint8"}]}, "primaryType": "A", "domain": {}, "message": {}}))]
#[case::float(json!({"types": {"EIP712Domain": [], "A": [{"name": "x", "type": "uint256"}]}, "primaryType": "A", "domain": {}, "message": {"x": 1.5}}))]
#[case::bytes_len(json!({"types": {"EIP712Domain": [], "A": [{"name": "x", "type": "bytes2"}]}, "primaryType": "A", "domain": {}, "message": {"x": "0x010203"}}))]
fn malformed_typed_data(#[case] doc: Value) {
    let err = match &doc {
        Value::String(text) => hash_typed_data(text.as_str()).unwrap_err(),
        _ => hash_typed_data(&doc).unwrap_err(),
    };
    assert_eq!(err.reason(), "invalid_typed_data", "{err}");
}

#[test]
fn typed_data_fixtures_match_eth_account() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("data/typed_data_cases.json")).unwrap();
    assert_eq!(cases.len(), 50);
    let key = cow();
    let docs: Vec<Value> = cases.iter().map(|c| c["doc"].clone()).collect();
    for case in &cases {
        let hash = hash_typed_data(&case["doc"]).unwrap_or_else(|e| panic!("{e}: {}", case["doc"]));
        assert_eq!(
            hex::encode(hash),
            case["hash"].as_str().unwrap(),
            "{}",
            case["doc"]
        );
        let signed = sign_typed_data(&case["doc"], &key).unwrap();
        assert_eq!(
            hex::encode(signed.signature),
            case["signature"].as_str().unwrap()
        );
    }
    let batch = sign_typed_data_batch(&docs, &keccak256(b"cow")).unwrap();
    for (signed, case) in batch.iter().zip(&cases) {
        assert_eq!(
            hex::encode(signed.signature),
            case["signature"].as_str().unwrap()
        );
    }
}

#[test]
fn typed_data_batch_reports_first_bad_index() {
    let mut docs = vec![mail(); 20];
    docs[13]["message"]["contents"] = json!(5);
    docs[17] = json!({});
    let err = sign_typed_data_batch(&docs, &keccak256(b"cow")).unwrap_err();
    assert_eq!(
        (err.index(), err.reason()),
        (Some(13), "invalid_typed_data")
    );
}

#[test]
fn message_fixtures_match_eth_account() {
    let cases: Vec<Value> = serde_json::from_str(include_str!("data/message_cases.json")).unwrap();
    assert_eq!(cases.len(), 50);
    let messages: Vec<Vec<u8>> = cases
        .iter()
        .map(|c| unhex(c["message"].as_str().unwrap()))
        .collect();
    let keys: Vec<u8> = cases
        .iter()
        .flat_map(|c| unhex(c["key"].as_str().unwrap()))
        .collect();
    for (case, message) in cases.iter().zip(&messages) {
        let key = PrivateKey::from_bytes(&unhex(case["key"].as_str().unwrap())).unwrap();
        assert_eq!(
            hex::encode(personal_hash(message)),
            case["hash"].as_str().unwrap()
        );
        let signed = sign_message(message, &key);
        assert_eq!(
            hex::encode(signed.signature),
            case["signature"].as_str().unwrap()
        );
        let recovered = recover_message(message, &signed.signature).unwrap();
        assert_eq!(to_checksum(&recovered), case["address"].as_str().unwrap());
        // v as a recovery id (0/1) recovers the same signer.
        let mut raw = signed.signature;
        raw[64] -= 27;
        assert_eq!(recover_message(message, &raw).unwrap(), recovered);
    }
    let slices: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let batch = sign_messages(&slices, &keys).unwrap();
    for (signed, case) in batch.iter().zip(&cases) {
        assert_eq!(
            hex::encode(signed.signature),
            case["signature"].as_str().unwrap()
        );
    }
}

#[test]
fn sign_messages_shapes_and_errors() {
    let messages: Vec<&[u8]> = vec![b"a"; 12];
    let key = keccak256(b"cow");
    let broadcast = sign_messages(&messages, &key).unwrap();
    assert_eq!(broadcast.len(), 12);
    assert!(broadcast.iter().all(|s| s.v == 27 || s.v == 28));
    let err = sign_messages(&messages, &key[..31]).unwrap_err();
    assert_eq!(err.reason(), "invalid_length");
    let mut keys = key.repeat(12);
    keys[9 * 32..10 * 32].fill(0);
    keys[11 * 32..].fill(0xff);
    let err = sign_messages(&messages, &keys).unwrap_err();
    assert_eq!((err.index(), err.reason()), (Some(9), "invalid_secret_key"));
    assert!(sign_messages(&[], &[]).unwrap().is_empty());
}

#[rstest]
#[case(vec![0u8; 64], "invalid_length")]
#[case(vec![0u8; 65], "invalid_signature")]
fn recover_message_errors(#[case] signature: Vec<u8>, #[case] reason: &str) {
    assert_eq!(
        recover_message(b"x", &signature).unwrap_err().reason(),
        reason
    );
}
