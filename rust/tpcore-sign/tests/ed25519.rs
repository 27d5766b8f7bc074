//! Known answers, edge cases and properties of the Ed25519 API.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use proptest::prelude::*;
use rstest::rstest;
use sha2::{Digest, Sha512};
use tpcore_sign::SignError;
use tpcore_sign::ed25519::{self, Ed25519PrivateKey, VerifyAllMode};
use tpcore_sign::rows::Messages;

const MODES: [VerifyAllMode; 2] = [VerifyAllMode::Batch, VerifyAllMode::Strict];

/// `verify_all` in both modes, asserting they agree; returns the common answer.
fn verify_all_agreed(keys: &[u8], messages: &Messages<'_>, sigs: &[u8]) -> bool {
    let batch = ed25519::verify_all(keys, messages, sigs, VerifyAllMode::Batch).unwrap();
    let strict = ed25519::verify_all(keys, messages, sigs, VerifyAllMode::Strict).unwrap();
    assert_eq!(batch, strict, "batch and strict modes disagree");
    batch
}

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
    for mode in MODES {
        assert!(!ed25519::verify_all(&identity, &messages, &sig, mode).unwrap());
    }
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
    assert!(verify_all_agreed(&key.public_key(), &messages, &sigs));
    sigs[3 * 64] ^= 1;
    ed25519::verify_batch(&key.public_key(), &messages, &sigs, &mut out).unwrap();
    assert_eq!(out, [true, true, true, false, true]);
    assert!(!verify_all_agreed(&key.public_key(), &messages, &sigs));
    for mode in MODES {
        assert!(matches!(
            ed25519::verify_all(&[0; 64], &messages, &sigs, mode),
            Err(SignError::Length {
                argument: "public_keys",
                expected: 160,
                actual: 64
            })
        ));
        assert!(matches!(
            ed25519::verify_all(&key.public_key(), &messages, &sigs[..64], mode),
            Err(SignError::Length {
                argument: "signatures",
                ..
            })
        ));
    }
    assert!(matches!(
        ed25519::sign_batch(&[9; 32], &messages, &mut sigs[..64]),
        Err(SignError::Length {
            argument: "out",
            ..
        })
    ));
}

#[test]
fn empty_batches_verify_in_both_modes() {
    let none = Messages::Ragged(&[]);
    assert!(verify_all_agreed(&[], &none, &[]));
    // A broadcast key is not even parsed when there are no rows.
    assert!(verify_all_agreed(&[0xff; 32], &none, &[]));
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert!(verify_all_agreed(&identity, &none, &[]));
}

/// `rows` messages of varied lengths, signed by one seed or by a seed per row; returns the
/// messages, one public key (broadcast) or one per row, and the signatures.
fn signed_rows(rows: usize, per_row_keys: bool) -> (Vec<Vec<u8>>, Vec<u8>, Vec<u8>) {
    let msgs: Vec<Vec<u8>> = (0..rows)
        .map(|i| {
            let len = i % 97;
            (0..len).map(|j| (i * 31 + j) as u8).collect()
        })
        .collect();
    let refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
    let seed = |i: usize| {
        let mut seed = [0x5au8; 32];
        seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
        seed
    };
    let (seeds, keys): (Vec<u8>, Vec<u8>) = if per_row_keys {
        let seeds: Vec<u8> = (0..rows).flat_map(seed).collect();
        let keys = (0..rows)
            .flat_map(|i| Ed25519PrivateKey::from_seed(&seed(i)).unwrap().public_key())
            .collect();
        (seeds, keys)
    } else {
        let key = Ed25519PrivateKey::from_seed(&seed(0)).unwrap();
        (seed(0).to_vec(), key.public_key().to_vec())
    };
    let mut sigs = vec![0u8; rows * 64];
    ed25519::sign_batch(&seeds, &Messages::Ragged(&refs), &mut sigs).unwrap();
    (msgs, keys, sigs)
}

/// Thousands of rows span many batch equations (chunks of at most 512 rows, the last one
/// short); one bad row anywhere, including the first and the last, makes the answer false.
#[rstest]
fn large_batches_and_one_bad_row(#[values(false, true)] per_row_keys: bool) {
    const ROWS: usize = 4_500;
    let (msgs, keys, sigs) = signed_rows(ROWS, per_row_keys);
    let refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
    let messages = Messages::Ragged(&refs);
    assert!(verify_all_agreed(&keys, &messages, &sigs));
    for bad in [0, 1, ROWS / 2, 4_095, 4_096, ROWS - 1] {
        // A tampered R, a tampered s, and a tampered message.
        for byte in [bad * 64 + 7, bad * 64 + 40] {
            let mut tampered = sigs.clone();
            tampered[byte] ^= 0x20;
            assert!(
                !verify_all_agreed(&keys, &messages, &tampered),
                "row {bad}, byte {byte}"
            );
        }
        let mut other = refs.clone();
        let changed = [msgs[bad].as_slice(), b"!"].concat();
        other[bad] = &changed;
        assert!(
            !verify_all_agreed(&keys, &Messages::Ragged(&other), &sigs),
            "row {bad}"
        );
    }
}

/// Fixed-width messages and a broadcast key give the same answers as ragged rows.
#[test]
fn fixed_width_rows_and_broadcast_key() {
    let key = Ed25519PrivateKey::from_seed(&[3; 32]).unwrap();
    let data: Vec<u8> = (0..700u32 * 16).map(|i| (i % 251) as u8).collect();
    let messages = Messages::Fixed {
        data: &data,
        width: 16,
    };
    let mut sigs = vec![0u8; 700 * 64];
    ed25519::sign_batch(&[3; 32], &messages, &mut sigs).unwrap();
    assert!(verify_all_agreed(&key.public_key(), &messages, &sigs));
    let per_row: Vec<u8> = (0..700).flat_map(|_| key.public_key()).collect();
    assert!(verify_all_agreed(&per_row, &messages, &sigs));
    let other = Ed25519PrivateKey::from_seed(&[4; 32]).unwrap();
    assert!(!verify_all_agreed(&other.public_key(), &messages, &sigs));
}

/// Hand-made Ed25519 rows: secret scalars and points chosen freely, including points with
/// a small-order component, to reach the checks the batch equation alone would not make.
mod crafted {
    use super::*;

    /// k = H(R || A || M) mod l.
    pub(super) fn challenge(r: &[u8; 32], a: &[u8; 32], msg: &[u8]) -> Scalar {
        let hash: [u8; 64] = Sha512::new()
            .chain_update(r)
            .chain_update(a)
            .chain_update(msg)
            .finalize()
            .into();
        Scalar::from_bytes_mod_order_wide(&hash)
    }

    /// The row (key A, signature R || s) with s = r + k a: its verification point
    /// D = R + kA - sB is (R - rB) + k (A - aB), zero for an honest signer.
    pub(super) fn sign(
        a: Scalar,
        a_point: EdwardsPoint,
        r: Scalar,
        r_point: EdwardsPoint,
        msg: &[u8],
    ) -> ([u8; 32], [u8; 64]) {
        let key = a_point.compress().to_bytes();
        let r_bytes = r_point.compress().to_bytes();
        let s = r + challenge(&r_bytes, &key, msg) * a;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r_bytes);
        sig[32..].copy_from_slice(s.as_bytes());
        (key, sig)
    }

    pub(super) fn scalar(tag: u8) -> Scalar {
        Scalar::from_bytes_mod_order([tag; 32])
    }

    pub(super) fn point(tag: u8) -> EdwardsPoint {
        EdwardsPoint::mul_base(&scalar(tag))
    }

    /// Whether the row is valid under cofactored verification: [8]D = 0.
    pub(super) fn cofactored(key: &[u8; 32], sig: &[u8; 64], msg: &[u8]) -> bool {
        let decode = |bytes: &[u8]| {
            curve25519_dalek::edwards::CompressedEdwardsY(bytes.try_into().unwrap())
                .decompress()
                .unwrap()
        };
        let (a, r) = (decode(key), decode(&sig[..32]));
        let s = Scalar::from_canonical_bytes(sig[32..].try_into().unwrap()).unwrap();
        let k = challenge(sig[..32].try_into().unwrap(), key, msg);
        (r + k * a - EdwardsPoint::mul_base(&s)).is_small_order()
    }
}

/// `verify_all` with one crafted row among 299 honest ones (per-row keys), as the first, a
/// middle and the last row; the three answers must agree, and that answer is returned.
fn among_honest(key: &[u8; 32], sig: &[u8; 64], msg: &[u8], mode: VerifyAllMode) -> bool {
    const ROWS: usize = 300;
    let (msgs, keys, sigs) = signed_rows(ROWS, true);
    let answers: Vec<bool> = [0, ROWS / 2, ROWS - 1]
        .into_iter()
        .map(|i| {
            let (mut keys, mut sigs) = (keys.clone(), sigs.clone());
            let mut refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
            keys[i * 32..(i + 1) * 32].copy_from_slice(key);
            sigs[i * 64..(i + 1) * 64].copy_from_slice(sig);
            refs[i] = msg;
            ed25519::verify_all(&keys, &Messages::Ragged(&refs), &sigs, mode).unwrap()
        })
        .collect();
    assert!(answers.iter().all(|&a| a == answers[0]), "{answers:?}");
    answers[0]
}

/// Rows that satisfy the cofactorless equation exactly (D = 0) but fail a strict check the
/// batch equation lacks: the batch mode must refuse them through its own checks.
#[rstest]
#[case::small_order_key_identity(0)]
#[case::small_order_key_order_2(4)]
#[case::small_order_key_order_8(1)]
fn small_order_key_is_refused(#[case] torsion: usize) {
    // A = T (secret 0): s = r, D = k T, which is zero for the identity.
    let (key, sig) = crafted::sign(
        Scalar::ZERO,
        EIGHT_TORSION[torsion],
        crafted::scalar(7),
        crafted::point(7),
        b"pay",
    );
    assert!(!ed25519::verify(&key, b"pay", &sig));
    for mode in MODES {
        assert!(!among_honest(&key, &sig, b"pay", mode), "{mode:?}");
        let one = Messages::Ragged(&[b"pay".as_slice()]);
        assert!(!ed25519::verify_all(&key, &one, &sig, mode).unwrap());
        let rows = [b"pay".as_slice(); 40];
        let broadcast = sig.repeat(40);
        assert!(!ed25519::verify_all(&key, &Messages::Ragged(&rows), &broadcast, mode).unwrap());
    }
}

#[rstest]
fn small_order_r_is_refused(#[values(0, 1, 2, 3, 4, 5, 6, 7)] torsion: usize) {
    // R = T (nonce 0) with an honest key: s = k a, D = T; zero for the identity.
    let (key, mut sig) = crafted::sign(
        crafted::scalar(9),
        crafted::point(9),
        Scalar::ZERO,
        EIGHT_TORSION[torsion],
        b"pay",
    );
    assert!(!ed25519::verify(&key, b"pay", &sig));
    if torsion == 0 {
        assert!(crafted::cofactored(&key, &sig, b"pay"));
    }
    for mode in MODES {
        assert!(!among_honest(&key, &sig, b"pay", mode), "{mode:?}");
    }
    // The same point with the sign bit flipped (its negation, or a non-canonical encoding
    // of x = 0) is refused as well.
    sig[31] ^= 0x80;
    for mode in MODES {
        assert!(!among_honest(&key, &sig, b"pay", mode), "{mode:?}");
    }
}

/// An s of l or more is the same scalar mod l, so the equation still holds: the
/// canonical-s check alone refuses it.
#[test]
fn non_canonical_s_is_refused() {
    let key = Ed25519PrivateKey::from_seed(&[1; 32]).unwrap();
    let mut sig = key.sign(b"pay");
    // s + l, little-endian (no overflow: s < l < 2^253).
    let l = Scalar::ZERO - Scalar::ONE;
    let mut carry = 1u16; // l = (l - 1) + 1
    for (byte, add) in sig[32..].iter_mut().zip(l.as_bytes()) {
        let sum = u16::from(*byte) + u16::from(*add) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    assert!(!ed25519::verify(&key.public_key(), b"pay", &sig));
    for mode in MODES {
        assert!(
            !among_honest(&key.public_key(), &sig, b"pay", mode),
            "{mode:?}"
        );
    }
}

/// A non-canonical R: y >= p (the encodings p + t of the points with y = t). No valid
/// signature can be made with one (its discrete log is unknown), so this only shows the
/// batch answers false; that the canonical check itself refuses these encodings is a unit
/// test of the module.
#[test]
fn non_canonical_r_is_refused() {
    let key = Ed25519PrivateKey::from_seed(&[2; 32]).unwrap();
    let mut found = 0;
    for t in 2u8..=18 {
        let mut r = [0xffu8; 32];
        r[0] = 0xed + t;
        r[31] = 0x7f;
        let Some(point) = curve25519_dalek::edwards::CompressedEdwardsY(r).decompress() else {
            continue;
        };
        assert!(!point.is_small_order());
        assert_ne!(point.compress().to_bytes(), r);
        found += 1;
        let mut sig = key.sign(b"pay");
        sig[..32].copy_from_slice(&r);
        assert!(!ed25519::verify(&key.public_key(), b"pay", &sig));
        for mode in MODES {
            assert!(
                !among_honest(&key.public_key(), &sig, b"pay", mode),
                "{mode:?}"
            );
        }
    }
    assert!(found > 0, "no non-canonical encoding decodes");
}

/// The documented difference: a key or nonce with a torsion component. Strict verification
/// needs D = 0 exactly; the batch equation holds when the weight cancels the torsion of the
/// row, so the batch mode may accept a row that strict verification rejects, and only then:
/// a `false` stays exact, and every row it accepts is valid under cofactored verification.
///
/// With a torsion component in the key, dalek's equation alone can also reject a row that
/// verifies strictly (it multiplies A by z k mod l, which need not cancel A's torsion when k
/// does): the strict fallback of a failed chunk turns that back into `true`.
#[rstest]
#[case::mixed_order_key(true, 4)]
#[case::mixed_order_key_order_8(true, 1)]
#[case::mixed_order_nonce(false, 4)]
#[case::mixed_order_nonce_order_8(false, 3)]
fn torsion_component_is_the_only_difference(#[case] in_key: bool, #[case] torsion: usize) {
    let t = EIGHT_TORSION[torsion];
    let (mut accepted_by_batch_only, mut rejected_by_both, mut equation_rejects_valid) = (0, 0, 0);
    for i in 0..64u8 {
        let msg = [b"pay ".as_slice(), &[i]].concat();
        let (a_point, r_point) = if in_key {
            (crafted::point(11) + t, crafted::point(12))
        } else {
            (crafted::point(11), crafted::point(12) + t)
        };
        let (key, sig) = crafted::sign(
            crafted::scalar(11),
            a_point,
            crafted::scalar(12),
            r_point,
            &msg,
        );
        assert!(crafted::cofactored(&key, &sig, &msg));
        let single = ed25519::verify(&key, &msg, &sig);
        let one = [msg.as_slice()];
        let messages = Messages::Ragged(&one);
        let strict = ed25519::verify_all(&key, &messages, &sig, VerifyAllMode::Strict).unwrap();
        let batch = ed25519::verify_all(&key, &messages, &sig, VerifyAllMode::Batch).unwrap();
        assert_eq!(strict, single);
        // false is exact: the batch mode never rejects what strict verification accepts.
        assert!(batch || !single, "message {i}");
        let equation = ed25519_dalek::verify_batch(
            &one,
            &[ed25519_dalek::Signature::from_bytes(&sig)],
            &[ed25519_dalek::VerifyingKey::from_bytes(&key).unwrap()],
        )
        .is_ok();
        match (single, batch) {
            (false, true) => accepted_by_batch_only += 1,
            (false, false) => rejected_by_both += 1,
            (true, _) => equation_rejects_valid += usize::from(!equation),
        }
    }
    // Both outcomes occur for a crafted row (each with probability >= 1/8 per message).
    assert!(accepted_by_batch_only > 0 && rejected_by_both > 0);
    // Only a key's torsion can make a strictly valid row fail the equation.
    assert_eq!(equation_rejects_valid > 0, in_key);
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
            for mode in MODES {
                let all = ed25519::verify_all(&keys, &messages, &sigs, mode).unwrap();
                prop_assert_eq!(all, out.iter().all(|&b| b));
            }
        }
    }
}
