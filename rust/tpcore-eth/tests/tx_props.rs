//! Property tests: sign → decode gives back the resolved request and the key's address.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use alloy_primitives::{Address, B256, Bytes, U256};
use proptest::prelude::*;
use tpcore_eth::tx::{
    MAX_CHAIN_ID, TxRequest, TxType, decode_transaction, recover_authority, recover_sender,
    sign_authorization, sign_transaction,
};
use tpcore_sign::ecdsa::PrivateKey;

fn key() -> impl Strategy<Value = PrivateKey> {
    any::<[u8; 32]>().prop_filter_map("valid key", |b| PrivateKey::from_bytes(&b).ok())
}

fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address::from)
}

fn u256() -> impl Strategy<Value = U256> {
    prop_oneof![
        Just(U256::ZERO),
        Just(U256::MAX),
        any::<u64>().prop_map(U256::from),
        any::<[u8; 32]>().prop_map(U256::from_be_bytes),
    ]
}

fn access_list() -> impl Strategy<Value = Option<Vec<(Address, Vec<B256>)>>> {
    proptest::option::of(proptest::collection::vec(
        (
            address(),
            proptest::collection::vec(any::<[u8; 32]>().prop_map(B256::from), 0..3),
        ),
        0..3,
    ))
}

prop_compose! {
    fn request()(
        ty in 0u8..4,
        chain_id in prop_oneof![Just(0u64), Just(1), Just(MAX_CHAIN_ID), 0..=MAX_CHAIN_ID],
        pre_155 in any::<bool>(),
        nonce in any::<u64>(),
        gas in any::<u64>(),
        price in any::<u128>(),
        priority_share in any::<u128>(),
        to in proptest::option::of(address()),
        value in u256(),
        data in proptest::collection::vec(any::<u8>(), 0..80),
        list in access_list(),
        auths in proptest::collection::vec((u256(), address(), any::<u64>(), key()), 1..3),
        explicit in any::<bool>(),
    ) -> TxRequest {
        let tx_type = [TxType::Legacy, TxType::AccessList, TxType::DynamicFee, TxType::SetCode][ty as usize];
        let mut tx = TxRequest {
            tx_type: explicit.then_some(tx_type),
            chain_id: Some(chain_id),
            nonce,
            gas,
            to,
            value,
            data: Bytes::from(data),
            ..TxRequest::default()
        };
        match tx_type {
            TxType::Legacy => {
                tx.gas_price = Some(price);
                if pre_155 {
                    tx.chain_id = None;
                }
            }
            TxType::AccessList => {
                tx.gas_price = Some(price);
                tx.access_list = Some(list.unwrap_or_default());
            }
            TxType::DynamicFee | TxType::SetCode => {
                tx.max_fee_per_gas = Some(price);
                tx.max_priority_fee_per_gas = Some(priority_share % price.saturating_add(1).max(1));
                tx.access_list = list;
                if tx_type == TxType::SetCode {
                    tx.to = Some(to.unwrap_or_default());
                    tx.authorization_list = Some(
                        auths
                            .iter()
                            .map(|(chain, address, nonce, key)| {
                                sign_authorization(*chain, *address, *nonce, key)
                            })
                            .collect(),
                    );
                }
            }
        }
        tx
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_decode_round_trip(tx in request(), key in key()) {
        let signed = sign_transaction(&tx, &key).unwrap();
        let decoded = decode_transaction(&signed.raw_transaction).unwrap();
        let resolved = tx.resolve().unwrap();
        prop_assert_eq!(&decoded.tx, &resolved.to_request());
        prop_assert_eq!(decoded.hash, signed.hash);
        prop_assert_eq!(decoded.signature, Some((signed.r, signed.s, signed.v)));
        let sender = Address::from(key.address());
        prop_assert_eq!(decoded.sender, Some(sender));
        prop_assert_eq!(recover_sender(&signed.raw_transaction).unwrap(), sender);
        // The canonical request resolves to the same transaction.
        prop_assert_eq!(decoded.tx.resolve().unwrap(), resolved);
        if let Some(auths) = &decoded.tx.authorization_list {
            for auth in auths {
                prop_assert!(recover_authority(auth).is_ok());
            }
        }
        // eth-account's v.
        match (tx.inferred_type(), tx.chain_id) {
            (TxType::Legacy, Some(id)) => prop_assert!(signed.v == 35 + 2 * id || signed.v == 36 + 2 * id),
            (TxType::Legacy, None) => prop_assert!(signed.v == 27 || signed.v == 28),
            _ => prop_assert!(signed.v <= 1),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_transaction(&raw);
        let _ = recover_sender(&raw);
    }

    #[test]
    fn typed_prefix_with_arbitrary_payload_never_panics(
        ty in prop_oneof![Just(1u8), Just(2), Just(4)],
        payload in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut raw = vec![ty, 0xf8, u8::try_from(payload.len()).unwrap()];
        raw.extend(payload);
        let _ = decode_transaction(&raw);
    }
}
