//! Wycheproof vectors (tests/vectors/wycheproof at the repository root): the three secp256k1
//! ECDSA verify files through `ecdsa::verify_der`, and every Ed25519 case.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use serde::Deserialize;
use sha2::Sha256;
use sha3::{Digest, Sha3_256};
use tpcore_sign::{ecdsa, ed25519};

#[derive(Deserialize)]
struct File {
    #[serde(rename = "testGroups")]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    #[serde(rename = "publicKey")]
    public_key: PublicKey,
    sha: Option<String>,
    tests: Vec<Case>,
}

#[derive(Deserialize)]
struct PublicKey {
    uncompressed: Option<String>,
    pk: Option<String>,
}

#[derive(Deserialize)]
struct Case {
    #[serde(rename = "tcId")]
    id: u32,
    flags: Vec<String>,
    msg: String,
    sig: String,
    result: String,
}

fn load(name: &str) -> File {
    let path = format!(
        "{}/../../tests/vectors/wycheproof/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn digest(sha: &str, msg: &[u8]) -> [u8; 32] {
    match sha {
        "SHA-256" => Sha256::digest(msg).into(),
        "SHA3-256" => Sha3_256::digest(msg).into(),
        other => panic!("unexpected hash {other}"),
    }
}

/// Runs one ECDSA file; returns (cases, high-s valid cases).
fn run_ecdsa(name: &str, bitcoin: bool) -> (usize, usize) {
    let file = load(name);
    let (mut cases, mut high_s) = (0, 0);
    for group in &file.groups {
        let key = hex::decode(group.public_key.uncompressed.as_ref().unwrap()).unwrap();
        for case in &group.tests {
            let hash = digest(
                group.sha.as_deref().unwrap(),
                &hex::decode(&case.msg).unwrap(),
            );
            let sig = hex::decode(&case.sig).unwrap();
            let strict = ecdsa::verify_der(&key, &hash, &sig, true);
            let lax = ecdsa::verify_der(&key, &hash, &sig, false);
            match case.result.as_str() {
                "valid" if bitcoin => assert!(strict, "{name} #{} valid", case.id),
                "valid" => {
                    // libsecp256k1 rejects high s by design; normalising s accepts it.
                    assert!(lax, "{name} #{} valid (normalised)", case.id);
                    if !strict {
                        high_s += 1;
                    }
                }
                "invalid" if bitcoin => assert!(!strict, "{name} #{} invalid", case.id),
                "invalid" => assert!(!lax && !strict, "{name} #{} invalid", case.id),
                // No ECDSA secp256k1 case is "acceptable" at this commit; either answer would do.
                _ => {}
            }
            // Normalisation only ever widens acceptance.
            assert!(!strict || lax, "{name} #{}", case.id);
            cases += 1;
        }
    }
    (cases, high_s)
}

#[test]
fn ecdsa_secp256k1_sha256_bitcoin() {
    assert_eq!(
        run_ecdsa("ecdsa_secp256k1_sha256_bitcoin_test.json", true).0,
        463
    );
}

#[test]
fn ecdsa_secp256k1_sha256() {
    assert_eq!(
        run_ecdsa("ecdsa_secp256k1_sha256_test.json", false),
        (476, 72)
    );
}

#[test]
fn ecdsa_secp256k1_sha3_256() {
    assert_eq!(
        run_ecdsa("ecdsa_secp256k1_sha3_256_test.json", false),
        (474, 79)
    );
}

#[test]
fn ed25519_all_cases() {
    let file = load("ed25519_test.json");
    let mut cases = 0;
    for group in &file.groups {
        let key = hex::decode(group.public_key.pk.as_ref().unwrap()).unwrap();
        for case in &group.tests {
            let msg = hex::decode(&case.msg).unwrap();
            let sig = hex::decode(&case.sig).unwrap();
            let got = ed25519::verify(&key, &msg, &sig);
            // The batch paths must agree with the scalar one, row for row.
            let rows = [msg.as_slice()];
            let messages = tpcore_sign::rows::Messages::Ragged(&rows);
            let mut flag = [false];
            let batch = ed25519::verify_batch(&key, &messages, &sig, &mut flag);
            let all = ed25519::verify_all(&key, &messages, &sig);
            if sig.len() == 64 {
                batch.unwrap();
                assert_eq!(flag[0], got, "ed25519 #{} batch", case.id);
                assert_eq!(all.unwrap(), got, "ed25519 #{} verify_all", case.id);
            } else {
                assert!(
                    batch.is_err() && all.is_err(),
                    "ed25519 #{} length",
                    case.id
                );
            }
            match case.result.as_str() {
                "valid" => assert!(got, "ed25519 #{} valid {:?}", case.id, case.flags),
                "invalid" => assert!(!got, "ed25519 #{} invalid {:?}", case.id, case.flags),
                _ => {}
            }
            cases += 1;
        }
    }
    assert_eq!(cases, 151);
}
