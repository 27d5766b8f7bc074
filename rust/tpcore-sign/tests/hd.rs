//! HD derivation against the BIP-39 (Trezor) and BIP-32 test vectors and eth-account.

use std::str::FromStr;

use k256::elliptic_curve::sec1::ToSec1Point;
use rstest::rstest;
use sha3::{Digest, Keccak256};
use tpcore_sign::SignError;
use tpcore_sign::hd::{
    DerivationPath, derive_batch, derive_key, generate_mnemonic, mnemonic_to_seed,
};

fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text.split_whitespace().collect::<String>()).expect("test fixture")
}

/// The Ethereum address (lowercase hex, no 0x) of a secret key.
fn address(secret: &[u8]) -> String {
    let key = k256::SecretKey::from_slice(secret).expect("test fixture");
    let point = key.public_key().to_sec1_point(false);
    hex::encode(&Keccak256::digest(&point.as_bytes()[1..])[12..])
}

// Trezor's BIP-39 vectors (python-mnemonic vectors.json), passphrase "TREZOR".
#[rstest]
#[case(
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"
)]
#[case(
    "legal winner thank year wave sausage worth useful legal winner thank yellow",
    "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607"
)]
#[case(
    "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
    "ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f15b11c61dee327651a14c34e18231052e48c069"
)]
#[case(
    "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter always",
    "107d7c02a5aa6f38c58083ff74f04c607c2d2c0ecc55501dadd72d025b751bc27fe913ffb796f841c49b1d33b610cf0e91d3aa239027f5e99fe4ce9e5088cd65"
)]
#[case(
    "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote",
    "dd48c104698c30cfe2b6142103248622fb7bb0ff692eebb00089b32d22484e1613912f0a5b694407be899ffd31ed3992c456cdf60f5d4564b8ba3f05a69890ad"
)]
#[case(
    "gravity machine north sort system female filter attitude volume fold club stay feature office ecology stable narrow fog",
    "628c3827a8823298ee685db84f55caa34b5cc195a778e52d45f59bcf75aba68e4d7590e101dc414bc1bbd5737666fbbef35d1f1903953b66624f910feef245ac"
)]
#[case(
    "hamster diagram private dutch cause delay private meat slide toddler razor book happy fancy gospel tennis maple dilemma loan word shrug inflict delay length",
    "64c87cde7e12ecf6704ab95bb1408bef047c22db4cc7491c4271d170a1b213d20b385bc1588d9c7b38f1b39d415665b8a9030c9ec653d75e65f847d8fc1fc440"
)]
#[case(
    "vessel ladder alter error federal sibling chat ability sun glass valve picture",
    "2aaa9242daafcee6aa9d7269f17d4efe271e1b9a529178d7dc139cd18747090bf9d60295d0ce74309a78852a9caadf0af48aae1c6253839624076224374bc63f"
)]
fn bip39_trezor_vectors(#[case] mnemonic: &str, #[case] seed: &str) {
    assert_eq!(
        mnemonic_to_seed(mnemonic, "TREZOR").unwrap()[..],
        unhex(seed)[..]
    );
}

#[test]
fn mnemonic_whitespace_and_nfkd() {
    let words = "legal winner thank year wave sausage worth useful legal winner thank yellow";
    let spaced = format!("  {}\n", words.replace(' ', " \t "));
    assert_eq!(
        *mnemonic_to_seed(words, "x").unwrap(),
        *mnemonic_to_seed(&spaced, "x").unwrap()
    );
    // NFC "ä" and NFKD "a" + combining diaeresis are the same passphrase to BIP-39.
    assert_eq!(
        *mnemonic_to_seed(words, "p\u{e4}ss").unwrap(),
        *mnemonic_to_seed(words, "pa\u{308}ss").unwrap()
    );
    assert_ne!(
        *mnemonic_to_seed(words, "").unwrap(),
        *mnemonic_to_seed(words, "x").unwrap()
    );
}

#[rstest]
#[case::bad_checksum(
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon"
)]
#[case::unknown_word(
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon bitcoinx"
)]
#[case::uppercase(
    "Abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)]
#[case::eleven_words(
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)]
#[case::empty("")]
fn invalid_mnemonics(#[case] phrase: &str) {
    let err = mnemonic_to_seed(phrase, "").unwrap_err();
    assert!(matches!(err, SignError::InvalidMnemonic { .. }), "{err:?}");
    assert_eq!(err.reason(), "invalid_mnemonic");
    assert_eq!(err.index(), None);
    let message = err.to_string();
    assert!(
        !message.contains("abandon") && !message.contains("bitcoinx"),
        "{message}"
    );
}

#[rstest]
fn generates_valid_mnemonics(#[values(12, 15, 18, 21, 24)] words: usize) {
    let phrase = generate_mnemonic(words).unwrap();
    assert_eq!(phrase.split(' ').count(), words);
    mnemonic_to_seed(&phrase, "").unwrap();
    assert_ne!(*phrase, *generate_mnemonic(words).unwrap());
}

#[rstest]
fn rejects_bad_word_counts(#[values(0, 3, 11, 13, 25, 48)] words: usize) {
    assert_eq!(
        generate_mnemonic(words).unwrap_err().reason(),
        "invalid_mnemonic"
    );
}

const BIP32_SEED_1: &str = "000102030405060708090a0b0c0d0e0f";
const BIP32_SEED_2: &str = "fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a2
    9f9c999693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542";
const BIP32_SEED_3: &str = "4b381541583be4423346c643850da4b320e46a87ae3d2a4e6da11eba819cd4ac
    ba45d239319ac14f863b8d5ab5a0d0c64d2e8a1e7d1457df2e5a3c51c73235be";

// BIP-32 test vectors 1-3; the expected key is the one inside the vector's xprv.
#[rstest]
#[case(
    BIP32_SEED_1,
    "m",
    "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
)]
#[case(
    BIP32_SEED_1,
    "m/0'",
    "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7"
)]
#[case(
    BIP32_SEED_1,
    "m/0H/1",
    "xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs"
)]
#[case(
    BIP32_SEED_1,
    "m/0'/1/2'",
    "xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTtpgP4mLTj34bhnZX7UiM"
)]
#[case(
    BIP32_SEED_1,
    "m/0'/1/2'/2",
    "xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334"
)]
#[case(
    BIP32_SEED_1,
    "m/0h/1/2h/2/1000000000",
    "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76"
)]
#[case(
    BIP32_SEED_2,
    "m",
    "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U"
)]
#[case(
    BIP32_SEED_2,
    "m/0",
    "xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt"
)]
#[case(
    BIP32_SEED_2,
    "m/0/2147483647'",
    "xprv9wSp6B7kry3Vj9m1zSnLvN3xH8RdsPP1Mh7fAaR7aRLcQMKTR2vidYEeEg2mUCTAwCd6vnxVrcjfy2kRgVsFawNzmjuHc2YmYRmagcEPdU9"
)]
#[case(
    BIP32_SEED_2,
    "m/0/2147483647'/1",
    "xprv9zFnWC6h2cLgpmSA46vutJzBcfJ8yaJGg8cX1e5StJh45BBciYTRXSd25UEPVuesF9yog62tGAQtHjXajPPdbRCHuWS6T8XA2ECKADdw4Ef"
)]
#[case(
    BIP32_SEED_2,
    "m/0/2147483647'/1/2147483646'",
    "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc"
)]
#[case(
    BIP32_SEED_2,
    "m/0/2147483647'/1/2147483646'/2",
    "xprvA2nrNbFZABcdryreWet9Ea4LvTJcGsqrMzxHx98MMrotbir7yrKCEXw7nadnHM8Dq38EGfSh6dqA9QWTyefMLEcBYJUuekgW4BYPJcr9E7j"
)]
#[case(
    BIP32_SEED_3,
    "m",
    "xprv9s21ZrQH143K25QhxbucbDDuQ4naNntJRi4KUfWT7xo4EKsHt2QJDu7KXp1A3u7Bi1j8ph3EGsZ9Xvz9dGuVrtHHs7pXeTzjuxBrCmmhgC6"
)]
#[case(
    BIP32_SEED_3,
    "m/0'",
    "xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L"
)]
fn bip32_vectors(#[case] seed: &str, #[case] path: &str, #[case] xprv: &str) {
    let path = path.replace('H', "'");
    let expected = bip32::XPrv::from_str(xprv).unwrap().to_bytes();
    assert_eq!(*derive_key(&unhex(seed), &path).unwrap(), expected);
}

/// A 20-byte seed, a length bip32's own `XPrv::new` refuses; expected keys from Python's
/// hmac module (master) and eth-account's `HDPath(...).derive(seed)`.
#[rstest]
#[case(
    "m",
    "e24e87aee9ec93385dbe1f7845a501e574921fb3dd568ca829290a4655225953"
)]
#[case(
    "m/0'/1",
    "723ae9f6dc3bde647d7321a1d7a06027a7ed7f4b63c5cb7f18071e88dc60d24b"
)]
#[case(
    "m/44'/60'/0'/0/7",
    "1665e06d76647bc2187be744cb9299f09acde31d926ba71f6e39e6d0b6d70b54"
)]
fn twenty_byte_seed(#[case] path: &str, #[case] key: &str) {
    let seed: Vec<u8> = (0u8..20).collect();
    assert_eq!(derive_key(&seed, path).unwrap()[..], unhex(key)[..]);
}

#[rstest]
fn seed_lengths(#[values(0, 1, 15, 65, 128)] len: usize) {
    let err = derive_key(&vec![7u8; len], "m/0").unwrap_err();
    assert_eq!(err.reason(), "invalid_seed");
    let mut out = [0u8; 32];
    let err = derive_batch(&vec![7u8; len], "m", 0, 1, false, &mut out).unwrap_err();
    assert_eq!(err.reason(), "invalid_seed");
}

#[test]
fn derive_key_rejects_bad_paths() {
    let err = derive_key(&[1u8; 32], "m/44'/x").unwrap_err();
    assert!(matches!(&err, SignError::InvalidPath { path, .. } if path == "m/44'/x"));
    assert_eq!(err.reason(), "invalid_path");
    assert!(DerivationPath::from_str("44'/60'").is_err());
}

#[derive(serde::Deserialize)]
struct EthFixture {
    cases: Vec<EthCase>,
}

#[derive(serde::Deserialize)]
struct EthCase {
    mnemonic: String,
    passphrase: String,
    accounts: Vec<EthAccount>,
}

#[derive(serde::Deserialize)]
struct EthAccount {
    path: String,
    private_key: String,
    address: String,
}

fn eth_fixture() -> EthFixture {
    serde_json::from_str(include_str!("data/eth_account_mnemonic.json")).expect("test fixture")
}

#[test]
fn eth_account_from_mnemonic() {
    let fixture = eth_fixture();
    assert!(!fixture.cases.is_empty());
    for case in &fixture.cases {
        let seed = mnemonic_to_seed(&case.mnemonic, &case.passphrase).unwrap();
        for account in &case.accounts {
            let key = derive_key(&seed[..], &account.path).unwrap();
            assert_eq!(hex::encode(*key), account.private_key, "{}", account.path);
            let expected = account.address.trim_start_matches("0x").to_lowercase();
            assert_eq!(address(&key[..]), expected, "{}", account.path);
        }
    }
}

#[test]
fn eth_account_batch() {
    for case in &eth_fixture().cases {
        let seed = mnemonic_to_seed(&case.mnemonic, &case.passphrase).unwrap();
        let mut out = vec![0u8; case.accounts.len() * 32];
        derive_batch(
            &seed[..],
            "m/44'/60'/0'/0",
            0,
            case.accounts.len(),
            false,
            &mut out,
        )
        .unwrap();
        let expected: Vec<u8> = case
            .accounts
            .iter()
            .flat_map(|a| unhex(&a.private_key))
            .collect();
        assert_eq!(out, expected);
        // A run starting mid-way matches the same rows.
        let mut tail = vec![0u8; 3 * 32];
        derive_batch(&seed[..], "m/44'/60'/0'/0", 2, 3, false, &mut tail).unwrap();
        assert_eq!(tail[..], expected[2 * 32..]);
    }
}

#[rstest]
#[case("m/44'/60'/0'", 0, false)]
#[case("m/44'/60'/0'", 5, true)]
#[case("m", 2_147_483_640, false)]
#[case("m/1", 2_147_483_640, true)]
fn batch_matches_single(#[case] prefix: &str, #[case] start: u32, #[case] hardened: bool) {
    let seed = [0x42u8; 64];
    let count = 8;
    let mut out = vec![0u8; count * 32];
    derive_batch(&seed, prefix, start, count, hardened, &mut out).unwrap();
    for (i, row) in out.chunks(32).enumerate() {
        let mark = if hardened { "'" } else { "" };
        let path = format!("{prefix}/{}{mark}", start as usize + i);
        assert_eq!(row, &derive_key(&seed, &path).unwrap()[..], "{path}");
    }
}

#[test]
fn batch_edges() {
    let seed = [3u8; 32];
    // Nothing to derive, but the arguments are still checked.
    derive_batch(&seed, "m/0", 0, 0, false, &mut []).unwrap();
    assert_eq!(
        derive_batch(&seed, "m/x", 0, 0, false, &mut [])
            .unwrap_err()
            .reason(),
        "invalid_path"
    );
    // The last index of each range is reachable, one past it is not.
    let mut one = [0u8; 32];
    derive_batch(&seed, "m", 0x7fff_ffff, 1, true, &mut one).unwrap();
    assert_eq!(one, *derive_key(&seed, "m/2147483647'").unwrap());
    let mut two = [0u8; 64];
    for hardened in [false, true] {
        let err = derive_batch(&seed, "m", 0x7fff_ffff, 2, hardened, &mut two).unwrap_err();
        assert!(
            matches!(&err, SignError::InvalidPath { path, .. } if path == "m"),
            "{err:?}"
        );
    }
    let err = derive_batch(&seed, "m", u32::MAX, 1, false, &mut one).unwrap_err();
    assert_eq!(err.reason(), "invalid_path");
    // The output must hold exactly count keys.
    let err = derive_batch(&seed, "m", 0, 3, false, &mut two).unwrap_err();
    assert_eq!(
        err,
        SignError::Length {
            argument: "out",
            expected: 96,
            actual: 64
        }
    );
    let err = derive_batch(&seed, "m", 0, usize::MAX, false, &mut two).unwrap_err();
    assert_eq!(err.reason(), "invalid_length");
}

#[test]
fn batch_error_wipes_output() {
    let mut out = [0xAAu8; 64];
    derive_batch(&[1u8; 32], "m/bad", 0, 2, false, &mut out).unwrap_err();
    assert_eq!(out, [0u8; 64]);
    let mut out = [0xAAu8; 64];
    derive_batch(&[1u8; 8], "m", 0, 2, false, &mut out).unwrap_err();
    assert_eq!(out, [0u8; 64]);
}
