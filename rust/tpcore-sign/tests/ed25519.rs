//! Known answers, edge cases and properties of the Ed25519 API.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use proptest::prelude::*;
use rstest::rstest;
use tpcore_sign::SignError;
use tpcore_sign::ed25519::{self, Ed25519PrivateKey};
use tpcore_sign::rows::Messages;

/// RFC 8032 section 7.1, tests 1 and 2.
#[rstest]
#[case::test1(
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "",
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)]
#[case::test2(
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    "72",
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
)]
fn rfc8032_vectors(#[case] seed: &str, #[case] public: &str, #[case] msg: &str, #[case] sig: &str) {
    let key = Ed25519PrivateKey::from_seed(&hex::decode(seed).unwrap()).unwrap();
    let msg = hex::decode(msg).unwrap();
    assert_eq!(hex::encode(key.public_key()), public);
    assert_eq!(hex::encode(key.sign(&msg)), sig);
    assert_eq!(hex::encode(*key.seed()), seed);
    assert!(ed25519::verify(
        &key.public_key(),
        &msg,
        &hex::decode(sig).unwrap()
    ));
    assert_eq!(
        format!("{key:?}"),
        format!("Ed25519PrivateKey(public_key={public})")
    );
}

#[rstest]
#[case::short(31)]
#[case::long(33)]
fn seed_length(#[case] len: usize) {
    assert_eq!(
        Ed25519PrivateKey::from_seed(&vec![0; len]).err(),
        Some(SignError::Length {
            argument: "seed",
            expected: 32,
            actual: len
        })
    );
}

#[test]
fn malformed_inputs_are_false() {
    let key = Ed25519PrivateKey::from_seed(&[1; 32]).unwrap();
    let sig = key.sign(b"m");
    assert!(!ed25519::verify(&key.public_key()[..31], b"m", &sig));
    assert!(!ed25519::verify(&key.public_key(), b"m", &sig[..63]));
    // The identity point is a small-order (weak) key: strict verification refuses it.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert!(!ed25519::verify(&identity, b"m", &sig));
}

/// A small-order R with the identity key satisfies the cofactorless equation for any
/// message: strict semantics must reject it in every path, including `verify_all`.
#[test]
fn small_order_forgery_is_rejected_everywhere() {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut sig = [0u8; 64];
    sig[0] = 1; // R = identity, s = 0
    let rows = [b"anything".as_slice()];
    let messages = Messages::Ragged(&rows);
    assert!(!ed25519::verify(&identity, rows[0], &sig));
    assert!(!ed25519::verify_all(&identity, &messages, &sig).unwrap());
}

#[test]
fn batches_fixed_and_broadcast() {
    let data = [7u8; 5 * 3];
    let messages = Messages::Fixed {
        data: &data,
        width: 3,
    };
    let mut sigs = vec![0u8; 5 * 64];
    ed25519::sign_batch(&[9; 32], &messages, &mut sigs).unwrap();
    let key = Ed25519PrivateKey::from_seed(&[9; 32]).unwrap();
    assert_eq!(sigs[..64], key.sign(&[7; 3]));
    let mut out = vec![false; 5];
    ed25519::verify_batch(&key.public_key(), &messages, &sigs, &mut out).unwrap();
    assert_eq!(out, [true; 5]);
    assert!(ed25519::verify_all(&key.public_key(), &messages, &sigs).unwrap());
    sigs[3 * 64] ^= 1;
    ed25519::verify_batch(&key.public_key(), &messages, &sigs, &mut out).unwrap();
    assert_eq!(out, [true, true, true, false, true]);
    assert!(!ed25519::verify_all(&key.public_key(), &messages, &sigs).unwrap());
    assert!(ed25519::verify_all(&[], &Messages::Ragged(&[]), &[]).unwrap());
    assert!(matches!(
        ed25519::verify_all(&[0; 64], &messages, &sigs),
        Err(SignError::Length {
            argument: "public_keys",
            expected: 160,
            actual: 64
        })
    ));
    assert!(matches!(
        ed25519::sign_batch(&[9; 32], &messages, &mut sigs[..64]),
        Err(SignError::Length {
            argument: "out",
            ..
        })
    ));
}

#[test]
fn generated_keys_differ() {
    let a = Ed25519PrivateKey::generate().unwrap();
    let b = Ed25519PrivateKey::generate().unwrap();
    assert_ne!(a.public_key(), b.public_key());
}

mod property_tests {
    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn batches_equal_scalar(
            rows in prop::collection::vec(
                (any::<[u8; 32]>(), prop::collection::vec(any::<u8>(), 0..80), any::<bool>()),
                0..40,
            ),
        ) {
            let seeds: Vec<u8> = rows.iter().flat_map(|r| r.0).collect();
            let msgs: Vec<&[u8]> = rows.iter().map(|r| r.1.as_slice()).collect();
            let messages = Messages::Ragged(&msgs);
            let n = rows.len();
            let mut sigs = vec![0u8; n * 64];
            ed25519::sign_batch(&seeds, &messages, &mut sigs).unwrap();
            let mut keys = Vec::with_capacity(n * 32);
            for (i, (seed, msg, corrupt)) in rows.iter().enumerate() {
                let key = Ed25519PrivateKey::from_seed(seed).unwrap();
                prop_assert_eq!(&sigs[i * 64..(i + 1) * 64], &key.sign(msg)[..]);
                keys.extend_from_slice(&key.public_key());
                if *corrupt {
                    sigs[i * 64 + 5] ^= 0x10;
                }
            }
            let mut out = vec![false; n];
            ed25519::verify_batch(&keys, &messages, &sigs, &mut out).unwrap();
            for (i, (_, msg, corrupt)) in rows.iter().enumerate() {
                let single = ed25519::verify(&keys[i * 32..(i + 1) * 32], msg, &sigs[i * 64..(i + 1) * 64]);
                prop_assert_eq!(out[i], single);
                prop_assert_eq!(single, !*corrupt);
            }
            let all = ed25519::verify_all(&keys, &messages, &sigs).unwrap();
            prop_assert_eq!(all, out.iter().all(|&b| b));
        }
    }
}
