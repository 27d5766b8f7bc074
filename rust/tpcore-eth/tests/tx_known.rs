//! Known-answer tests: the EIP-155 example and eth-account's documented examples.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use alloy_primitives::{Address, B256, Bytes, U256, address, b256, hex};
use tpcore_eth::tx::{
    TxRequest, TxType, decode_transaction, recover_authority, recover_sender, sign_authorization,
    sign_transaction, sign_transaction_with_secret, signing_hash,
};
use tpcore_sign::ecdsa::PrivateKey;

fn u(s: &str) -> U256 {
    s.parse().unwrap()
}

/// eth-account's documentation key.
const DOC_KEY: [u8; 32] = hex!("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");

fn doc_access_list() -> Vec<(Address, Vec<B256>)> {
    vec![(
        address!("0000000000000000000000000000000000000001"),
        vec![b256!(
            "0100000000000000000000000000000000000000000000000000000000000000"
        )],
    )]
}

#[test]
fn eip155_example() {
    let tx = TxRequest {
        nonce: 9,
        gas_price: Some(20_000_000_000),
        gas: 21_000,
        to: Some(Address::repeat_byte(0x35)),
        value: U256::from(10u64).pow(U256::from(18u64)),
        chain_id: Some(1),
        ..TxRequest::default()
    };
    assert_eq!(
        signing_hash(&tx).unwrap(),
        b256!("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
    );
    let signed = sign_transaction_with_secret(&tx, &[0x46; 32]).unwrap();
    assert_eq!(
        signed.raw_transaction,
        hex!(
            "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000"
            "8025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f"
            "761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"
        )
    );
    assert_eq!(signed.v, 37);
    assert_eq!(
        signed.r,
        u("18515461264373351373200002665853028612451056578545711640558177340181847433846")
    );
    assert_eq!(
        signed.s,
        u("46948507304638947509940763649030358759909902576025900602547168820602576006531")
    );
    assert_eq!(
        signed.hash,
        b256!("33469b22e9f636356c4160a87eb19df52b7412e8eac32a4a55ffe88ea8350788")
    );
    let key = PrivateKey::from_bytes(&[0x46; 32]).unwrap();
    assert_eq!(
        recover_sender(&signed.raw_transaction).unwrap(),
        Address::from(key.address())
    );
    let decoded = decode_transaction(&signed.raw_transaction).unwrap();
    assert_eq!(decoded.tx, tx.resolve().unwrap().to_request());
    assert_eq!(decoded.signature, Some((signed.r, signed.s, 37)));
}

#[test]
fn eth_account_dynamic_fee_example() {
    let tx = TxRequest {
        tx_type: Some(TxType::DynamicFee),
        gas: 100_000,
        max_fee_per_gas: Some(2_000_000_000),
        max_priority_fee_per_gas: Some(2_000_000_000),
        data: Bytes::from_static(b"abcdef"),
        nonce: 34,
        to: Some(address!("09616C3d61b3331fc4109a9E41a8BDB7d9776609")),
        value: U256::from(0x5af3_107a_4000u64),
        access_list: Some(doc_access_list()),
        chain_id: Some(1337),
        ..TxRequest::default()
    };
    let key = PrivateKey::from_bytes(&DOC_KEY).unwrap();
    let signed = sign_transaction(&tx, &key).unwrap();
    let raw = hex::encode(&signed.raw_transaction);
    assert!(raw.starts_with("02f8b28205392284773594008477359400830186a09409616c3d61b3331fc4109a9e41a8bdb7d9776609865af3107"));
    assert!(raw.ends_with("d58b85d5"));
    assert_eq!(
        signed.hash,
        b256!("2721b2ac99d878695e410af9e8968859b6f6e94f544840be0eb2935bead7deba")
    );
    assert_eq!(
        signed.r,
        u("48949965662841329840326477994465373664672499148507933176648302825256944281697")
    );
    assert_eq!(
        signed.s,
        u("1123041608316060268133200864147951676126406077675157976022772782796802590165")
    );
    assert_eq!(signed.v, 1);
    // The type is inferred from the fee caps when not given.
    let inferred = TxRequest {
        tx_type: None,
        ..tx
    };
    assert_eq!(sign_transaction(&inferred, &key).unwrap(), signed);
}

#[test]
fn eth_account_legacy_example() {
    let tx = TxRequest {
        to: Some(address!("F0109fC8DF283027b6285cc889F5aA624EaC1F55")),
        value: U256::from(1_000_000_000u64),
        gas: 2_000_000,
        gas_price: Some(234_567_897_654_321),
        nonce: 0,
        chain_id: Some(1337),
        ..TxRequest::default()
    };
    let signed = sign_transaction_with_secret(&tx, &DOC_KEY).unwrap();
    let raw = hex::encode(&signed.raw_transaction);
    assert!(raw.starts_with("f86c8086d55698372431831e848094f0109fc8df283027b6285cc889f5aa624eac1f55843b9aca0080820a95a01a7"));
    assert!(raw.ends_with("c0bfdb52"));
    assert_eq!(
        signed.hash,
        b256!("d0a3e5dc7439f260c64cb0220139ec5dc7e016f82ce272a25a0f0b38fe751673")
    );
    assert_eq!(
        signed.r,
        u("11971260903864915610009019893820767192081275151191539081612245320300335068143")
    );
    assert_eq!(
        signed.s,
        u("35365272040292958794699923036506252105590820339897221552886630515981233937234")
    );
    assert_eq!(signed.v, 2709);
}

#[test]
fn eth_account_access_list_example() {
    let tx = TxRequest {
        tx_type: None, // inferred from gasPrice + accessList
        gas: 100_000,
        gas_price: Some(1_000_000_000),
        data: Bytes::from_static(b"abcdef"),
        nonce: 34,
        to: Some(address!("09616C3d61b3331fc4109a9E41a8BDB7d9776609")),
        value: U256::from(0x5af3_107a_4000u64),
        access_list: Some(doc_access_list()),
        chain_id: Some(1337),
        ..TxRequest::default()
    };
    assert_eq!(tx.inferred_type(), TxType::AccessList);
    let signed = sign_transaction_with_secret(&tx, &DOC_KEY).unwrap();
    let raw = hex::encode(&signed.raw_transaction);
    assert!(raw.starts_with("01f8ad82053922843b9aca00830186a09409616c3d61b3331fc4109a9e41a8bdb7d9776609865af3107a400086616"));
    assert!(raw.ends_with("2b5043ea"));
    assert_eq!(
        signed.hash,
        b256!("ca9af2ef41691e06eb07e02125938fd9bb5a311e8daf330b264e77d6cdf3d17e")
    );
    assert_eq!(
        signed.r,
        u("107355854401379915513092408112372039746594668141865279802319959599514133709188")
    );
    assert_eq!(
        signed.s,
        u("6729502936685237038651223791038758905953302464070244934323623239104475448298")
    );
    assert_eq!(signed.v, 1);
}

#[test]
fn eth_account_sign_authorization_example() {
    let key = PrivateKey::from_bytes(&[0xaa; 32]).unwrap();
    let auth = sign_authorization(
        U256::from(1337u64),
        address!("5ce9454909639d2d17a3f753ce7d93fa0b9ab12e"),
        1,
        &key,
    );
    assert_eq!(
        auth.inner().signature_hash(),
        b256!("9026f77ed6740d6d08f0cdc0591a86b2232700020a816718fbf760785e9ca2f2")
    );
    assert_eq!(auth.y_parity(), 0);
    assert_eq!(
        auth.r(),
        u("52163433520757118830640642673035732532535423029712132518776649895118143897479")
    );
    assert_eq!(
        auth.s(),
        u("57576671166887700066365341925867052133948674355067837907255957076179513983345")
    );
    assert_eq!(
        recover_authority(&auth).unwrap(),
        Address::from(key.address())
    );
}
