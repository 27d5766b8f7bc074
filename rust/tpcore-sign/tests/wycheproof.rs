//! Wycheproof vectors (tests/vectors/wycheproof at the repository root): the three secp256k1
//! ECDSA verify files through `ecdsa::verify_der`, and every Ed25519 case.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use serde::Deserialize;
use sha2::Sha256;
use sha3::{Digest, Sha3_256};
use tpcore_sign::ed25519::{Ed25519PrivateKey, VerifyAllMode};
use tpcore_sign::rows::Messages;
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

/// `verify_all` over 41 rows (per-row keys): 40 honest ones and the given row at `at`.
fn among_honest(key: &[u8], msg: &[u8], sig: &[u8], at: usize, mode: VerifyAllMode) -> bool {
    let mut keys = Vec::new();
    let mut sigs = Vec::new();
    let mut msgs: Vec<&[u8]> = Vec::new();
    for i in 0..41u8 {
        if usize::from(i) == at {
            keys.extend_from_slice(key);
            sigs.extend_from_slice(sig);
            msgs.push(msg);
        } else {
            let honest = Ed25519PrivateKey::from_seed(&[i; 32]).unwrap();
            keys.extend_from_slice(&honest.public_key());
            sigs.extend_from_slice(&honest.sign(b"honest"));
            msgs.push(b"honest");
        }
    }
    ed25519::verify_all(&keys, &Messages::Ragged(&msgs), &sigs, mode).unwrap()
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
            // The batch paths must agree with the scalar one, row for row, and `verify_all`
            // in both modes, alone and among honest rows (so the batch equation combines
            // it with others). Every case agrees: the batch mode can differ only for a row
            // whose D = R + kA - sB is a non-zero point of small order, and no case has one.
            // (The R of cases 42, 47, 49, 51-53, 57, 61 and 62 has mixed order, but their D
            // also has a component of prime order, which the equation rejects.)
            let rows = [msg.as_slice()];
            let messages = Messages::Ragged(&rows);
            let mut flag = [false];
            let batch = ed25519::verify_batch(&key, &messages, &sig, &mut flag);
            if sig.len() == 64 {
                batch.unwrap();
                assert_eq!(flag[0], got, "ed25519 #{} batch", case.id);
                for mode in [VerifyAllMode::Batch, VerifyAllMode::Strict] {
                    let all = ed25519::verify_all(&key, &messages, &sig, mode).unwrap();
                    assert_eq!(all, got, "ed25519 #{} verify_all {mode:?}", case.id);
                    for at in [0, 20, 40] {
                        let among = among_honest(&key, &msg, &sig, at, mode);
                        assert_eq!(among, got, "ed25519 #{} row {at} {mode:?}", case.id);
                    }
                }
            } else {
                assert!(batch.is_err(), "ed25519 #{} length", case.id);
                for mode in [VerifyAllMode::Batch, VerifyAllMode::Strict] {
                    let all = ed25519::verify_all(&key, &messages, &sig, mode);
                    assert!(all.is_err(), "ed25519 #{} length {mode:?}", case.id);
                }
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
