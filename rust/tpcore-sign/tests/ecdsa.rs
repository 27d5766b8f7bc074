//! Known answers, edge cases and properties of the secp256k1 ECDSA and keccak API.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers may unwrap: a panic there is a failed test, as clippy.toml allows in tests"
)]

use proptest::prelude::*;
use rstest::rstest;
use tpcore_sign::rows::Messages;
use tpcore_sign::{SignError, ecdsa, keccak};

/// The group order n of secp256k1.
const N: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
/// n - 1, the largest valid secret key.
const N_MINUS_1: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140";

fn h32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

#[rstest]
#[case::empty(
    b"",
    "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
)]
#[case::abc(
    b"abc",
    "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
)]
fn keccak_known_answers(#[case] data: &[u8], #[case] expected: &str) {
    assert_eq!(hex::encode(keccak::keccak256(data)), expected);
}

#[test]
fn keccak_batch_matches_scalar_for_both_layouts() {
    let data: Vec<u8> = (0..=255u8).collect();
    let mut fixed = vec![0u8; 8 * 32];
    keccak::keccak256_batch(
        &Messages::Fixed {
            data: &data,
            width: 32,
        },
        &mut fixed,
    )
    .unwrap();
    let rows: Vec<&[u8]> = vec![b"", b"abc", &data];
    let mut ragged = vec![0u8; 3 * 32];
    keccak::keccak256_batch(&Messages::Ragged(&rows), &mut ragged).unwrap();
    for (i, chunk) in data.chunks(32).enumerate() {
        assert_eq!(fixed[i * 32..(i + 1) * 32], keccak::keccak256(chunk));
    }
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(ragged[i * 32..(i + 1) * 32], keccak::keccak256(row));
    }
    assert_eq!(
        keccak::keccak256_batch(&Messages::Ragged(&rows), &mut [0u8; 64]),
        Err(SignError::Length {
            argument: "out",
            expected: 96,
            actual: 64
        })
    );
}

/// The EIP-155 example transaction: key 0x46..46 and its signing hash, r and s from the EIP.
#[test]
fn eip155_example_signature() {
    let key = ecdsa::PrivateKey::from_bytes(&[0x46; 32]).unwrap();
    let hash = h32("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
    let sig = key.sign_hash(&hash);
    assert_eq!(
        hex::encode(&sig[..32]),
        "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276"
    );
    assert_eq!(
        hex::encode(&sig[32..64]),
        "67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"
    );
    // v = 37 = 35 + 2 * chain id 1 + recovery id 0.
    assert_eq!(sig[64], 0);
    assert_eq!(ecdsa::sign_hash(&[0x46; 32], &hash).unwrap(), sig);
    assert_eq!(ecdsa::recover(&hash, &sig).unwrap(), key.public_key());
}

#[rstest]
#[case::eth_example([0x46; 32], "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")]
#[case::one(
    h32("0000000000000000000000000000000000000000000000000000000000000001"),
    "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
)]
fn address_known_answers(#[case] secret: [u8; 32], #[case] expected: &str) {
    let key = ecdsa::PrivateKey::from_bytes(&secret).unwrap();
    assert_eq!(ecdsa::to_checksum_address(&key.address()), expected);
    assert_eq!(
        ecdsa::address(&ecdsa::public_key(&secret).unwrap()),
        key.address()
    );
    assert_eq!(
        format!("{key:?}"),
        format!("PrivateKey(address={expected})")
    );
    assert_eq!(*key.secret_bytes(), secret);
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
fn eip55_cases(#[case] address: &str) {
    let bytes: [u8; 20] = hex::decode(address[2..].to_lowercase())
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(ecdsa::to_checksum_address(&bytes), address);
}

#[rstest]
#[case::zero(h32("0000000000000000000000000000000000000000000000000000000000000000"))]
#[case::n(h32(N))]
#[case::all_ones([0xff; 32])]
fn invalid_secret_keys(#[case] secret: [u8; 32]) {
    let invalid = SignError::InvalidSecretKey { index: None };
    assert_eq!(
        ecdsa::PrivateKey::from_bytes(&secret).err(),
        Some(invalid.clone())
    );
    assert_eq!(
        ecdsa::sign_hash(&secret, &[1; 32]).err(),
        Some(invalid.clone())
    );
    assert_eq!(ecdsa::public_key(&secret).err(), Some(invalid.clone()));
    assert_eq!(invalid.reason(), "invalid_secret_key");
}

#[test]
fn largest_secret_key_signs() {
    let secret = h32(N_MINUS_1);
    let key = ecdsa::PrivateKey::from_bytes(&secret).unwrap();
    let sig = key.sign_hash(&[7; 32]);
    assert_eq!(ecdsa::recover(&[7; 32], &sig).unwrap(), key.public_key());
}

#[rstest]
#[case::short(&[1u8; 31][..])]
#[case::long(&[1u8; 33][..])]
fn wrong_secret_length(#[case] secret: &[u8]) {
    assert!(matches!(
        ecdsa::PrivateKey::from_bytes(secret),
        Err(SignError::Length {
            argument: "secret_key",
            expected: 32,
            ..
        })
    ));
}

#[rstest]
#[case::v0(0, true)]
#[case::v1(1, true)]
#[case::v27(27, true)]
#[case::v28(28, true)]
#[case::v2(2, false)]
#[case::v29(29, false)]
#[case::v255(255, false)]
fn recovery_ids(#[case] offset: u8, #[case] accepted: bool) {
    let key = ecdsa::PrivateKey::from_bytes(&[0x46; 32]).unwrap();
    let hash = [9u8; 32];
    let mut sig = key.sign_hash(&hash);
    let id = sig[64];
    // Shift the real recovery id into the form under test (0/1 or 27/28), or replace it.
    sig[64] = match offset {
        0 | 1 => id,
        27 | 28 => id + 27,
        other => other,
    };
    match ecdsa::recover(&hash, &sig) {
        Ok(public) => {
            assert!(accepted);
            assert_eq!(public, key.public_key());
        }
        Err(e) => {
            assert!(!accepted);
            assert_eq!(e, SignError::InvalidSignature { index: None });
        }
    }
}

#[test]
fn recover_rejects_bad_signatures() {
    let hash = [3u8; 32];
    assert_eq!(
        ecdsa::recover(&hash, &[0u8; 65]),
        Err(SignError::InvalidSignature { index: None })
    );
    assert!(matches!(
        ecdsa::recover(&hash, &[0u8; 64]),
        Err(SignError::Length {
            argument: "signature",
            expected: 65,
            actual: 64
        })
    ));
    // About half of all small r are x-coordinates of no curve point (x^3 + 7 is not a
    // square): those signatures are well-formed but recover to nothing.
    let unrecoverable = (1..=20u8)
        .filter(|&r| {
            let mut sig = [0u8; 65];
            sig[31] = r;
            sig[63] = 1;
            ecdsa::recover(&hash, &sig) == Err(SignError::UnrecoverableSignature { index: None })
        })
        .count();
    assert!(unrecoverable > 0);
}

#[test]
fn verify_key_encodings_and_high_s() {
    let key = ecdsa::PrivateKey::from_bytes(&[0x11; 32]).unwrap();
    let hash = [0x22u8; 32];
    let sig = key.sign_hash(&hash);
    let raw = key.public_key();
    let mut sec1 = vec![4u8];
    sec1.extend_from_slice(&raw);
    let mut compressed = vec![2 + (raw[63] & 1)];
    compressed.extend_from_slice(&raw[..32]);
    for public in [&raw[..], &sec1, &compressed] {
        assert!(ecdsa::verify(public, &hash, &sig, true));
        assert!(ecdsa::verify(public, &hash, &sig[..64], true));
        assert!(!ecdsa::verify(public, &[0x23; 32], &sig, false));
    }
    // High s (n - s) is rejected strictly and accepted after normalisation.
    let high = negate_s(&sig);
    assert!(!ecdsa::verify(&raw, &hash, &high, true));
    assert!(ecdsa::verify(&raw, &hash, &high, false));
    // Malformed inputs are false, not errors.
    assert!(!ecdsa::verify(&raw[..63], &hash, &sig, false));
    assert!(!ecdsa::verify(&[0u8; 64], &hash, &sig, false));
    assert!(!ecdsa::verify(&raw, &hash, &sig[..63], false));
}

/// Returns the signature with s replaced by n - s.
fn negate_s(sig: &[u8; 65]) -> [u8; 65] {
    let n = h32(N);
    let mut out = *sig;
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(n[i]) - i16::from(sig[32 + i]) - borrow;
        borrow = i16::from(d < 0);
        out[32 + i] = u8::try_from(d + 256 * borrow).unwrap();
    }
    out
}

#[test]
fn sign_batch_broadcast_and_per_row() {
    let hashes: Vec<u8> = (0..5u8).flat_map(|i| [i + 1; 32]).collect();
    let keys: Vec<u8> = (0..5u8).flat_map(|i| [i + 0x30; 32]).collect();
    let mut out = vec![0u8; 5 * 65];
    ecdsa::sign_batch(&keys, &hashes, &mut out).unwrap();
    for i in 0..5 {
        let hash: [u8; 32] = hashes[i * 32..(i + 1) * 32].try_into().unwrap();
        assert_eq!(
            out[i * 65..(i + 1) * 65],
            ecdsa::sign_hash(&keys[i * 32..(i + 1) * 32], &hash).unwrap()
        );
    }
    ecdsa::sign_batch(&[0x46; 32], &hashes, &mut out).unwrap();
    for i in 0..5 {
        let hash: [u8; 32] = hashes[i * 32..(i + 1) * 32].try_into().unwrap();
        assert_eq!(
            out[i * 65..(i + 1) * 65],
            ecdsa::sign_hash(&[0x46; 32], &hash).unwrap()
        );
    }
}

#[rstest]
#[case::empty_batch(0)]
#[case::one(1)]
fn sign_batch_small(#[case] rows: usize) {
    let hashes = vec![5u8; rows * 32];
    let mut out = vec![0u8; rows * 65];
    ecdsa::sign_batch(&[0x46; 32], &hashes, &mut out).unwrap();
    ecdsa::sign_batch(&vec![0x46; rows * 32], &hashes, &mut out).unwrap();
}

#[rstest]
#[case::hashes(vec![0x46; 64], vec![1; 63], vec![0; 65], "hashes", 64, 63)]
#[case::keys(vec![0x46; 40], vec![1; 64], vec![0; 130], "secret_keys", 64, 40)]
#[case::out(vec![0x46; 32], vec![1; 64], vec![0; 129], "out", 130, 129)]
fn sign_batch_lengths(
    #[case] keys: Vec<u8>,
    #[case] hashes: Vec<u8>,
    #[case] mut out: Vec<u8>,
    #[case] argument: &str,
    #[case] expected: usize,
    #[case] actual: usize,
) {
    let err = ecdsa::sign_batch(&keys, &hashes, &mut out).unwrap_err();
    assert_eq!(
        err,
        SignError::Length {
            argument: leak(argument),
            expected,
            actual
        }
    );
    assert_eq!(err.reason(), "invalid_length");
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

#[test]
fn sign_batch_reports_lowest_bad_row() {
    let rows = 300;
    let mut keys = vec![0x46u8; rows * 32];
    for bad in [250usize, 17, 200] {
        keys[bad * 32..(bad + 1) * 32].fill(0);
    }
    let hashes = vec![1u8; rows * 32];
    let mut out = vec![0u8; rows * 65];
    for _ in 0..5 {
        let err = ecdsa::sign_batch(&keys, &hashes, &mut out).unwrap_err();
        assert_eq!(err, SignError::InvalidSecretKey { index: Some(17) });
        assert_eq!(err.index(), Some(17));
    }
    assert_eq!(
        ecdsa::sign_batch(&h32(N), &hashes, &mut out),
        Err(SignError::InvalidSecretKey { index: Some(0) })
    );
    let mut public = vec![0u8; rows * 64];
    assert_eq!(
        ecdsa::public_keys_batch(&keys, &mut public),
        Err(SignError::InvalidSecretKey { index: Some(17) })
    );
}

#[test]
fn recover_batches_flag_bad_rows() {
    let key = ecdsa::PrivateKey::from_bytes(&[0x46; 32]).unwrap();
    let hashes: Vec<u8> = (0..4u8).flat_map(|i| [i; 32]).collect();
    let mut sigs = vec![0u8; 4 * 65];
    ecdsa::sign_batch(&[0x46; 32], &hashes, &mut sigs).unwrap();
    sigs[65 + 64] = 7; // bad v on row 1
    sigs[2 * 65..3 * 65].fill(0); // r = s = 0 on row 2
    sigs[3 * 65 + 64] += 27; // legacy v on row 3
    let mut out = vec![0xaau8; 4 * 64];
    let mut ok = vec![true; 4];
    ecdsa::recover_batch(&hashes, &sigs, &mut out, &mut ok).unwrap();
    assert_eq!(ok, [true, false, false, true]);
    assert_eq!(out[..64], key.public_key());
    assert!(out[64..192].iter().all(|&b| b == 0));
    let mut addresses = vec![0xaau8; 4 * 20];
    ecdsa::recover_address_batch(&hashes, &sigs, &mut addresses, &mut ok).unwrap();
    assert_eq!(ok, [true, false, false, true]);
    assert_eq!(addresses[60..], key.address());
    assert!(addresses[20..60].iter().all(|&b| b == 0));
    assert!(matches!(
        ecdsa::recover_batch(&hashes, &sigs, &mut out, &mut ok[..3]),
        Err(SignError::Length { argument: "ok", .. })
    ));
}

#[rstest]
#[case::bad_key_width(32, 65)]
#[case::bad_sig_width(64, 66)]
fn verify_batch_rejects_widths(#[case] key_width: usize, #[case] sig_width: usize) {
    let err = ecdsa::verify_batch(&[], key_width, &[], &[], sig_width, true, &mut []).unwrap_err();
    assert_eq!(err.reason(), "invalid_width");
}

#[test]
fn verify_batch_broadcast_and_malformed_rows() {
    let key = ecdsa::PrivateKey::from_bytes(&[0x46; 32]).unwrap();
    let hashes: Vec<u8> = (0..3u8).flat_map(|i| [i; 32]).collect();
    let mut sigs = vec![0u8; 3 * 65];
    ecdsa::sign_batch(&[0x46; 32], &hashes, &mut sigs).unwrap();
    sigs[65] ^= 1;
    let mut out = vec![false; 3];
    ecdsa::verify_batch(&key.public_key(), 64, &hashes, &sigs, 65, true, &mut out).unwrap();
    assert_eq!(out, [true, false, true]);
    let mut keys = key.public_key().repeat(3);
    keys[64..128].fill(0); // not a curve point
    ecdsa::verify_batch(&keys, 64, &hashes, &sigs, 65, true, &mut out).unwrap();
    assert_eq!(out, [true, false, true]);
    ecdsa::verify_batch(&[0u8; 64], 64, &hashes, &sigs, 65, true, &mut out).unwrap();
    assert_eq!(out, [false, false, false]);
}

#[test]
fn addresses_batch_matches_scalar() {
    let keys: Vec<u8> = (1..=3u8)
        .flat_map(|i| ecdsa::public_key(&[i; 32]).unwrap())
        .collect();
    let mut out = vec![0u8; 60];
    ecdsa::addresses_batch(&keys, &mut out).unwrap();
    for i in 0..3 {
        let public: [u8; 64] = keys[i * 64..(i + 1) * 64].try_into().unwrap();
        assert_eq!(out[i * 20..(i + 1) * 20], ecdsa::address(&public));
    }
    let mut public = vec![0u8; 3 * 64];
    let secrets: Vec<u8> = (1..=3u8).flat_map(|i| [i; 32]).collect();
    ecdsa::public_keys_batch(&secrets, &mut public).unwrap();
    assert_eq!(public, keys);
}

#[test]
fn generated_keys_are_distinct_and_work() {
    let a = ecdsa::PrivateKey::generate().unwrap();
    let b = ecdsa::PrivateKey::generate().unwrap();
    assert_ne!(a.address(), b.address());
    assert_eq!(
        ecdsa::recover(&[1; 32], &a.sign_hash(&[1; 32])).unwrap(),
        a.public_key()
    );
}

mod property_tests {
    use super::*;

    fn secret() -> impl Strategy<Value = [u8; 32]> {
        // Keys below 2^255 are always below n and never zero once the low byte is forced odd.
        any::<[u8; 32]>().prop_map(|mut k| {
            k[0] &= 0x7f;
            k[31] |= 1;
            k
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn sign_recover_address_round_trip(key in secret(), hash in any::<[u8; 32]>()) {
            let private = ecdsa::PrivateKey::from_bytes(&key).unwrap();
            let sig = private.sign_hash(&hash);
            prop_assert!(sig[64] <= 1);
            let public = ecdsa::recover(&hash, &sig).unwrap();
            prop_assert_eq!(public, private.public_key());
            prop_assert_eq!(ecdsa::address(&public), private.address());
            prop_assert!(ecdsa::verify(&public, &hash, &sig, true));
        }

        #[test]
        fn batches_equal_scalar_row_by_row(
            rows in prop::collection::vec((secret(), any::<[u8; 32]>()), 0..40),
        ) {
            let keys: Vec<u8> = rows.iter().flat_map(|r| r.0).collect();
            let hashes: Vec<u8> = rows.iter().flat_map(|r| r.1).collect();
            let n = rows.len();
            let mut sigs = vec![0u8; n * 65];
            ecdsa::sign_batch(&keys, &hashes, &mut sigs).unwrap();
            let mut again = vec![0u8; n * 65];
            ecdsa::sign_batch(&keys, &hashes, &mut again).unwrap();
            prop_assert_eq!(&sigs, &again);
            let mut public = vec![0u8; n * 64];
            let mut ok = vec![false; n];
            ecdsa::recover_batch(&hashes, &sigs, &mut public, &mut ok).unwrap();
            let mut addresses = vec![0u8; n * 20];
            ecdsa::recover_address_batch(&hashes, &sigs, &mut addresses, &mut ok).unwrap();
            let mut verified = vec![false; n];
            ecdsa::verify_batch(&public, 64, &hashes, &sigs, 65, true, &mut verified).unwrap();
            for (i, (key, hash)) in rows.iter().enumerate() {
                prop_assert_eq!(&sigs[i * 65..(i + 1) * 65], &ecdsa::sign_hash(key, hash).unwrap()[..]);
                let expected = ecdsa::public_key(key).unwrap();
                prop_assert_eq!(&public[i * 64..(i + 1) * 64], &expected[..]);
                prop_assert_eq!(&addresses[i * 20..(i + 1) * 20], &ecdsa::address(&expected)[..]);
                prop_assert!(ok[i] && verified[i]);
            }
        }
    }

    #[test]
    fn parallel_output_is_deterministic() {
        let n = 2_000;
        let keys: Vec<u8> = (0..n)
            .flat_map(|i: u32| {
                let mut k = [0x11u8; 32];
                k[28..].copy_from_slice(&i.to_be_bytes());
                k
            })
            .collect();
        let hashes: Vec<u8> = (0..n)
            .flat_map(|i: u32| keccak::keccak256(&i.to_le_bytes()))
            .collect();
        let run = || {
            let mut out = vec![0u8; n as usize * 65];
            ecdsa::sign_batch(&keys, &hashes, &mut out).unwrap();
            out
        };
        let first = run();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(pool.install(run), first);
        assert_eq!(run(), first);
    }
}
