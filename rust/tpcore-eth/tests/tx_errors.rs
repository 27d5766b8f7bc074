//! Validation errors name the eth-account field; malformed raw bytes give errors, not panics;
//! batches report the lowest bad index.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use alloy_primitives::{Address, U256, hex};
use rstest::rstest;
use tpcore_eth::EthError;
use tpcore_eth::tx::{
    MAX_CHAIN_ID, TxRequest, TxType, decode_transaction, recover_sender, sign_authorization,
    sign_transaction_with_secret, sign_transactions,
};
use tpcore_sign::SignError;
use tpcore_sign::ecdsa::PrivateKey;

const KEY: [u8; 32] = [0x46; 32];

fn legacy() -> TxRequest {
    TxRequest {
        gas: 21_000,
        gas_price: Some(1),
        to: Some(Address::repeat_byte(0x35)),
        ..TxRequest::default()
    }
}

fn access_list() -> TxRequest {
    TxRequest {
        tx_type: Some(TxType::AccessList),
        chain_id: Some(1),
        access_list: Some(vec![]),
        ..legacy()
    }
}

fn dynamic() -> TxRequest {
    TxRequest {
        tx_type: Some(TxType::DynamicFee),
        chain_id: Some(1),
        gas_price: None,
        max_fee_per_gas: Some(10),
        max_priority_fee_per_gas: Some(1),
        ..legacy()
    }
}

fn set_code() -> TxRequest {
    let key = PrivateKey::from_bytes(&KEY).unwrap();
    TxRequest {
        tx_type: Some(TxType::SetCode),
        authorization_list: Some(vec![sign_authorization(
            U256::from(1u64),
            Address::repeat_byte(1),
            0,
            &key,
        )]),
        ..dynamic()
    }
}

fn field_of(error: &EthError) -> &str {
    match error {
        EthError::InvalidField { field, .. } => field,
        other => panic!("not a field error: {other:?}"),
    }
}

#[rstest]
#[case::legacy_no_gas_price(TxRequest { gas_price: None, ..legacy() }, "gasPrice")]
#[case::legacy_max_fee(TxRequest { max_fee_per_gas: Some(1), tx_type: Some(TxType::Legacy), ..legacy() }, "maxFeePerGas")]
#[case::legacy_priority(TxRequest { max_priority_fee_per_gas: Some(1), tx_type: Some(TxType::Legacy), ..legacy() }, "maxPriorityFeePerGas")]
#[case::legacy_access_list(TxRequest { access_list: Some(vec![]), tx_type: Some(TxType::Legacy), ..legacy() }, "accessList")]
#[case::access_list_without_gas_price_is_legacy(TxRequest { access_list: Some(vec![]), gas_price: None, ..legacy() }, "gasPrice")]
#[case::authorizations_without_fee_caps_is_legacy(TxRequest { authorization_list: set_code().authorization_list, ..legacy() }, "authorizationList")]
#[case::legacy_chain_id_too_big(TxRequest { chain_id: Some(MAX_CHAIN_ID + 1), ..legacy() }, "chainId")]
#[case::type1_no_chain_id(TxRequest { chain_id: None, ..access_list() }, "chainId")]
#[case::type1_no_gas_price(TxRequest { gas_price: None, ..access_list() }, "gasPrice")]
#[case::type1_max_fee(TxRequest { max_fee_per_gas: Some(1), ..access_list() }, "maxFeePerGas")]
#[case::type1_authorizations(TxRequest { authorization_list: Some(vec![]), ..access_list() }, "authorizationList")]
#[case::type2_no_chain_id(TxRequest { chain_id: None, ..dynamic() }, "chainId")]
#[case::type2_no_max_fee(TxRequest { max_fee_per_gas: None, ..dynamic() }, "maxFeePerGas")]
#[case::type2_no_priority(TxRequest { max_priority_fee_per_gas: None, ..dynamic() }, "maxPriorityFeePerGas")]
#[case::type2_inferred_no_priority(TxRequest { tx_type: None, max_priority_fee_per_gas: None, ..dynamic() }, "maxPriorityFeePerGas")]
#[case::type2_gas_price(TxRequest { gas_price: Some(1), ..dynamic() }, "gasPrice")]
#[case::type2_authorizations(TxRequest { authorization_list: Some(vec![]), ..dynamic() }, "authorizationList")]
#[case::type2_priority_above_max(TxRequest { max_priority_fee_per_gas: Some(11), ..dynamic() }, "maxPriorityFeePerGas")]
#[case::type2_chain_id_too_big(TxRequest { chain_id: Some(u64::MAX), ..dynamic() }, "chainId")]
#[case::type4_no_to(TxRequest { to: None, ..set_code() }, "to")]
#[case::type4_no_authorizations(TxRequest { authorization_list: None, ..set_code() }, "authorizationList")]
#[case::type4_empty_authorizations(TxRequest { authorization_list: Some(vec![]), ..set_code() }, "authorizationList")]
#[case::type4_gas_price(TxRequest { gas_price: Some(1), ..set_code() }, "gasPrice")]
#[case::type4_no_max_fee(TxRequest { max_fee_per_gas: None, ..set_code() }, "maxFeePerGas")]
#[case::type4_no_chain_id(TxRequest { chain_id: None, ..set_code() }, "chainId")]
#[case::gas_price_access_list_and_max_fee_is_type1(TxRequest { tx_type: None, gas_price: Some(1), access_list: Some(vec![]), ..dynamic() }, "maxFeePerGas")]
fn invalid_requests_name_the_field(#[case] tx: TxRequest, #[case] field: &str) {
    let error = tx.resolve().unwrap_err();
    assert_eq!(field_of(&error), field, "{error}");
    assert_eq!(error.reason(), "invalid_field");
    assert_eq!(sign_transaction_with_secret(&tx, &KEY).unwrap_err(), error);
}

#[rstest]
#[case::legacy(legacy())]
#[case::legacy_contract_creation(TxRequest { to: None, ..legacy() })]
#[case::access_list(access_list())]
#[case::dynamic(dynamic())]
#[case::dynamic_contract_creation(TxRequest { to: None, ..dynamic() })]
#[case::set_code(set_code())]
#[case::max_chain_id(TxRequest { chain_id: Some(MAX_CHAIN_ID), ..legacy() })]
fn valid_requests_sign(#[case] tx: TxRequest) {
    let signed = sign_transaction_with_secret(&tx, &KEY).unwrap();
    let decoded = decode_transaction(&signed.raw_transaction).unwrap();
    assert_eq!(decoded.tx, tx.resolve().unwrap().to_request());
}

#[test]
fn inference_follows_eth_account() {
    assert_eq!(legacy().inferred_type(), TxType::Legacy);
    let untyped = |tx: TxRequest| TxRequest {
        tx_type: None,
        ..tx
    };
    assert_eq!(untyped(access_list()).inferred_type(), TxType::AccessList);
    assert_eq!(untyped(dynamic()).inferred_type(), TxType::DynamicFee);
    assert_eq!(untyped(set_code()).inferred_type(), TxType::SetCode);
    // An explicit type wins over the fields.
    let explicit = TxRequest {
        tx_type: Some(TxType::Legacy),
        ..dynamic()
    };
    assert_eq!(explicit.inferred_type(), TxType::Legacy);
}

/// A valid signed transaction of each type.
fn raw_of(tx: &TxRequest) -> Vec<u8> {
    sign_transaction_with_secret(tx, &KEY)
        .unwrap()
        .raw_transaction
}

#[rstest]
#[case::empty(vec![], "malformed_transaction")]
#[case::lone_type_byte(vec![2], "malformed_transaction")]
#[case::rlp_string(hex::decode("8401020304").unwrap(), "malformed_transaction")]
#[case::empty_list(vec![0xc0], "malformed_transaction")]
#[case::type_zero(vec![0x00, 0xc0], "unsupported_transaction_type")]
#[case::type_three(vec![0x03, 0xc0], "unsupported_transaction_type")]
#[case::type_five(vec![0x05, 0xc0], "unsupported_transaction_type")]
#[case::type_7f(vec![0x7f], "unsupported_transaction_type")]
#[case::legacy_bad_v(hex::decode("f84980808080808001a0ff00000000000000000000000000000000000000000000000000000000000001a0ff00000000000000000000000000000000000000000000000000000000000001").unwrap(), "malformed_transaction")]
#[case::long_length_prefix(vec![0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], "malformed_transaction")]
fn malformed_bytes_are_errors(#[case] raw: Vec<u8>, #[case] reason: &str) {
    let error = decode_transaction(&raw).unwrap_err();
    assert_eq!(error.reason(), reason, "{error}");
    assert_eq!(recover_sender(&raw).unwrap_err(), error);
}

#[rstest]
#[case::legacy(legacy())]
#[case::access_list(access_list())]
#[case::dynamic(dynamic())]
#[case::set_code(set_code())]
fn damaged_encodings_are_errors(#[case] tx: TxRequest) {
    let raw = raw_of(&tx);
    // Every truncation.
    for cut in 0..raw.len() {
        assert!(
            decode_transaction(&raw[..cut]).is_err(),
            "truncated at {cut}"
        );
    }
    // Trailing bytes.
    let mut long = raw.clone();
    long.push(0);
    assert_eq!(
        decode_transaction(&long).unwrap_err().reason(),
        "malformed_transaction"
    );
    // A typed payload behind another type byte, or stripped of it.
    if raw[0] < 0x80 {
        for other in [1u8, 2, 4] {
            if other != raw[0] {
                let mut swapped = raw.clone();
                swapped[0] = other;
                assert!(decode_transaction(&swapped).is_err(), "type {other}");
            }
        }
        assert!(decode_transaction(&raw[1..]).is_err());
    }
    // Single-byte corruption anywhere: never a panic (some flips still decode).
    for i in 0..raw.len() {
        let mut flipped = raw.clone();
        flipped[i] ^= 0xff;
        let _ = decode_transaction(&flipped);
        let _ = recover_sender(&flipped);
    }
}

#[test]
fn unrecoverable_signature_gives_no_sender() {
    // The EIP-155 example with r replaced by zero.
    let raw = hex::decode(
        "ec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000\
         80258080",
    )
    .unwrap();
    let decoded = decode_transaction(&raw).unwrap();
    assert_eq!(decoded.sender, None);
    assert_eq!(decoded.signature, Some((U256::ZERO, U256::ZERO, 37)));
    assert_eq!(
        recover_sender(&raw).unwrap_err().reason(),
        "invalid_signature"
    );
}

#[test]
fn batch_reports_lowest_bad_index() {
    let mut txs = vec![dynamic(); 50];
    txs[31].gas_price = Some(1);
    txs[17].max_fee_per_gas = None;
    txs[44].chain_id = None;
    let error = sign_transactions(&txs, &KEY).unwrap_err();
    assert_eq!(error.index(), Some(17));
    match &error {
        EthError::InBatch { index: 17, source } => assert_eq!(field_of(source), "maxFeePerGas"),
        other => panic!("{other:?}"),
    }
    // Small batches run serially, with the same report.
    let error = sign_transactions(&txs[15..20], &KEY).unwrap_err();
    assert_eq!(error.index(), Some(2));
}

#[test]
fn batch_key_errors() {
    let txs = vec![legacy(); 20];
    // Wrong key length.
    let error = sign_transactions(&txs, &[1u8; 33]).unwrap_err();
    assert_eq!(
        error,
        EthError::Sign(SignError::Length {
            argument: "secret_keys",
            expected: 640,
            actual: 33
        })
    );
    // An invalid per-row key at row 9.
    let mut keys = KEY.repeat(20);
    keys[9 * 32..10 * 32].fill(0);
    let error = sign_transactions(&txs, &keys).unwrap_err();
    assert_eq!(error.index(), Some(9));
    assert_eq!(error.reason(), "invalid_secret_key");
    // An invalid broadcast key is reported at index 0.
    let error = sign_transactions(&txs, &[0xff; 32]).unwrap_err();
    assert_eq!(error.index(), Some(0));
    assert_eq!(error.reason(), "invalid_secret_key");
    // Empty batches are fine with a broadcast key or no keys.
    assert!(sign_transactions(&[], &KEY).unwrap().is_empty());
    assert!(sign_transactions(&[], &[]).unwrap().is_empty());
}

#[test]
fn per_row_and_broadcast_keys_agree() {
    let txs: Vec<TxRequest> = (0..40)
        .map(|nonce| TxRequest { nonce, ..dynamic() })
        .collect();
    let broadcast = sign_transactions(&txs, &KEY).unwrap();
    let per_row = sign_transactions(&txs, &KEY.repeat(40)).unwrap();
    assert_eq!(broadcast, per_row);
    for (tx, signed) in txs.iter().zip(&broadcast) {
        assert_eq!(&sign_transaction_with_secret(tx, &KEY).unwrap(), signed);
    }
}

#[test]
fn bad_single_key() {
    let error = sign_transaction_with_secret(&legacy(), &[0u8; 32]).unwrap_err();
    assert_eq!(error.reason(), "invalid_secret_key");
    let error = sign_transaction_with_secret(&legacy(), &[1u8; 31]).unwrap_err();
    assert_eq!(error.reason(), "invalid_length");
}
