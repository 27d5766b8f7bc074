//! Differential tests against eth-account: every case of `data/tx_eth_account.json` (made by
//! `data/gen_tx_fixtures.py`) must sign byte for byte alike, decode back to the request,
//! and recover the sender.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use alloy_primitives::{Address, B256, Bytes, U256};
use serde_json::Value;
use tpcore_eth::tx::{
    Authorization, SignedAuthorization, TxRequest, TxType, decode_transaction, recover_authority,
    recover_sender, sign_authorization, sign_transaction_with_secret, sign_transactions,
};
use tpcore_sign::ecdsa::PrivateKey;

const FIXTURES: &str = include_str!("data/tx_eth_account.json");

fn hex_bytes(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap();
    hex::decode(s.trim_start_matches("0x")).unwrap()
}

fn quantity(v: &Value) -> U256 {
    U256::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

fn opt_u64(tx: &Value, name: &str) -> Option<u64> {
    tx.get(name).map(|v| quantity(v).to::<u64>())
}

fn opt_u128(tx: &Value, name: &str) -> Option<u128> {
    tx.get(name).map(|v| quantity(v).to::<u128>())
}

fn address(v: &Value) -> Address {
    v.as_str().unwrap().parse().unwrap()
}

struct Case {
    key: Vec<u8>,
    sender: Address,
    request: TxRequest,
    raw: Vec<u8>,
    hash: B256,
    r: U256,
    s: U256,
    v: u64,
    /// (authorization, authority key) pairs of type-4 cases.
    authorizations: Vec<(SignedAuthorization, Vec<u8>, Address)>,
}

fn cases() -> Vec<Case> {
    let doc: Value = serde_json::from_str(FIXTURES).unwrap();
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let tx = &c["tx"];
            let number = u8::try_from(tx["type"].as_u64().unwrap()).unwrap();
            let mut authorizations = Vec::new();
            let authorization_list = tx.get("authorizationList").map(|list| {
                list.as_array()
                    .unwrap()
                    .iter()
                    .zip(tx["authorizationKeys"].as_array().unwrap())
                    .map(|(a, key)| {
                        let signed = SignedAuthorization::new_unchecked(
                            Authorization {
                                chain_id: quantity(&a["chainId"]),
                                address: address(&a["address"]),
                                nonce: quantity(&a["nonce"]).to(),
                            },
                            quantity(&a["yParity"]).to(),
                            quantity(&a["r"]),
                            quantity(&a["s"]),
                        );
                        authorizations.push((
                            signed.clone(),
                            hex_bytes(key),
                            address(&a["authority"]),
                        ));
                        signed
                    })
                    .collect()
            });
            let request = TxRequest {
                tx_type: if tx["explicitType"].as_bool().unwrap() {
                    TxType::from_number(number)
                } else {
                    None
                },
                chain_id: opt_u64(tx, "chainId"),
                nonce: opt_u64(tx, "nonce").unwrap(),
                gas: opt_u64(tx, "gas").unwrap(),
                gas_price: opt_u128(tx, "gasPrice"),
                max_fee_per_gas: opt_u128(tx, "maxFeePerGas"),
                max_priority_fee_per_gas: opt_u128(tx, "maxPriorityFeePerGas"),
                to: tx.get("to").map(address),
                value: quantity(&tx["value"]),
                data: Bytes::from(hex_bytes(&tx["data"])),
                access_list: tx.get("accessList").map(|list| {
                    list.as_array()
                        .unwrap()
                        .iter()
                        .map(|item| {
                            (
                                address(&item["address"]),
                                item["storageKeys"]
                                    .as_array()
                                    .unwrap()
                                    .iter()
                                    .map(|k| B256::from_slice(&hex_bytes(k)))
                                    .collect(),
                            )
                        })
                        .collect()
                }),
                authorization_list,
            };
            assert_eq!(request.inferred_type().number(), number);
            Case {
                key: hex_bytes(&c["key"]),
                sender: address(&c["sender"]),
                request,
                raw: hex_bytes(&c["raw"]),
                hash: B256::from_slice(&hex_bytes(&c["hash"])),
                r: quantity(&c["r"]),
                s: quantity(&c["s"]),
                v: quantity(&c["v"]).to(),
                authorizations,
            }
        })
        .collect()
}

#[test]
fn fixtures_cover_every_type_and_shape() {
    let cases = cases();
    assert!(cases.len() >= 300);
    for ty in [
        TxType::Legacy,
        TxType::AccessList,
        TxType::DynamicFee,
        TxType::SetCode,
    ] {
        assert!(cases.iter().any(|c| c.request.inferred_type() == ty));
    }
    assert!(cases.iter().any(|c| c.request.to.is_none()));
    assert!(cases.iter().any(|c| c.request.data.is_empty()));
    assert!(cases.iter().any(|c| c.request.value == U256::MAX));
    assert!(
        cases
            .iter()
            .any(|c| c.request.chain_id.is_none() && c.request.inferred_type() == TxType::Legacy)
    );
}

#[test]
fn signing_matches_eth_account_byte_for_byte() {
    for (i, case) in cases().iter().enumerate() {
        let signed = sign_transaction_with_secret(&case.request, &case.key)
            .unwrap_or_else(|e| panic!("case {i}: {e}"));
        assert_eq!(signed.raw_transaction, case.raw, "case {i}: raw");
        assert_eq!(signed.hash, case.hash, "case {i}: hash");
        assert_eq!(
            (signed.r, signed.s, signed.v),
            (case.r, case.s, case.v),
            "case {i}: rsv"
        );
    }
}

#[test]
fn batch_signing_matches_eth_account() {
    let cases = cases();
    let requests: Vec<TxRequest> = cases.iter().map(|c| c.request.clone()).collect();
    let keys: Vec<u8> = cases.iter().flat_map(|c| c.key.clone()).collect();
    let signed = sign_transactions(&requests, &keys).unwrap();
    assert_eq!(signed.len(), cases.len());
    for (i, (s, case)) in signed.iter().zip(&cases).enumerate() {
        assert_eq!(s.raw_transaction, case.raw, "case {i}");
    }
}

#[test]
fn decoding_eth_account_transactions_round_trips() {
    for (i, case) in cases().iter().enumerate() {
        let decoded = decode_transaction(&case.raw).unwrap_or_else(|e| panic!("case {i}: {e}"));
        assert_eq!(
            decoded.tx,
            case.request.resolve().unwrap().to_request(),
            "case {i}: request"
        );
        assert_eq!(decoded.hash, case.hash, "case {i}: hash");
        assert_eq!(
            decoded.signature,
            Some((case.r, case.s, case.v)),
            "case {i}"
        );
        assert_eq!(decoded.sender, Some(case.sender), "case {i}: sender");
        assert_eq!(recover_sender(&case.raw).unwrap(), case.sender, "case {i}");
        // The decoded request signs back to the same bytes.
        let again = sign_transaction_with_secret(&decoded.tx, &case.key).unwrap();
        assert_eq!(again.raw_transaction, case.raw, "case {i}: re-sign");
    }
}

#[test]
fn authorizations_match_eth_account() {
    let mut seen = 0;
    for case in cases() {
        for (auth, key, authority) in &case.authorizations {
            let key = PrivateKey::from_bytes(key).unwrap();
            assert_eq!(Address::from(key.address()), *authority);
            let ours = sign_authorization(auth.chain_id, auth.address, auth.nonce, &key);
            assert_eq!(&ours, auth);
            assert_eq!(recover_authority(auth).unwrap(), *authority);
            seen += 1;
        }
    }
    assert!(seen >= 80, "only {seen} authorizations");
}
