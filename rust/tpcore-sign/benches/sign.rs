//! Criterion benches of the batch API at N = 1, 100, 10,000, with a single-threaded loop over
//! the underlying crates as the in-run peer. Sample counts and times are kept small so the
//! whole run stays within a couple of minutes on two cores.
#![allow(
    clippy::unwrap_used,
    reason = "bench set-up that fails should abort the run"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use secp256k1::ecdsa::RecoverableSignature;
use secp256k1::{Message, SECP256K1, SecretKey};
use tpcore_sign::rows::Messages;
use tpcore_sign::{ecdsa, ed25519, keccak};

const SIZES: [usize; 3] = [1, 100, 10_000];

fn inputs(n: usize) -> (Vec<u8>, Vec<u8>) {
    let keys: Vec<u8> = (0..n)
        .flat_map(|i| {
            let mut k = [0x42u8; 32];
            k[24..].copy_from_slice(&(i as u64).to_be_bytes());
            k
        })
        .collect();
    let hashes: Vec<u8> = (0..n)
        .flat_map(|i| keccak::keccak256(&i.to_le_bytes()))
        .collect();
    (keys, hashes)
}

fn configure<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    group
}

fn secp256k1_benches(c: &mut Criterion) {
    for n in SIZES {
        let (keys, hashes) = inputs(n);
        let mut sigs = vec![0u8; n * 65];
        ecdsa::sign_batch(&keys, &hashes, &mut sigs).unwrap();
        let mut public = vec![0u8; n * 64];
        ecdsa::public_keys_batch(&keys, &mut public).unwrap();

        let mut group = configure(c, "secp256k1");
        group.throughput(criterion::Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("sign_batch", n), &n, |b, _| {
            let mut out = vec![0u8; n * 65];
            b.iter(|| ecdsa::sign_batch(black_box(&keys), black_box(&hashes), &mut out).unwrap());
        });
        group.bench_with_input(BenchmarkId::new("peer_sign_loop", n), &n, |b, _| {
            let parsed: Vec<SecretKey> = keys
                .chunks(32)
                .map(|k| SecretKey::from_byte_array(k.try_into().unwrap()).unwrap())
                .collect();
            b.iter(|| {
                for (key, hash) in parsed.iter().zip(hashes.chunks(32)) {
                    let msg = Message::from_digest(hash.try_into().unwrap());
                    black_box(SECP256K1.sign_ecdsa_recoverable(msg, key));
                }
            });
        });
        group.bench_with_input(BenchmarkId::new("recover_batch", n), &n, |b, _| {
            let mut out = vec![0u8; n * 64];
            let mut ok = vec![false; n];
            b.iter(|| {
                ecdsa::recover_batch(black_box(&hashes), black_box(&sigs), &mut out, &mut ok)
                    .unwrap();
            });
        });
        group.bench_with_input(BenchmarkId::new("peer_recover_loop", n), &n, |b, _| {
            b.iter(|| {
                for (sig, hash) in sigs.chunks(65).zip(hashes.chunks(32)) {
                    let id = secp256k1::ecdsa::RecoveryId::try_from(i32::from(sig[64])).unwrap();
                    let sig = RecoverableSignature::from_compact(&sig[..64], id).unwrap();
                    black_box(
                        SECP256K1
                            .recover_ecdsa(Message::from_digest(hash.try_into().unwrap()), &sig)
                            .unwrap(),
                    );
                }
            });
        });
        group.bench_with_input(BenchmarkId::new("verify_batch", n), &n, |b, _| {
            let mut out = vec![false; n];
            b.iter(|| {
                ecdsa::verify_batch(black_box(&public), 64, &hashes, &sigs, 65, true, &mut out)
                    .unwrap();
            });
        });
        group.bench_with_input(BenchmarkId::new("peer_verify_loop", n), &n, |b, _| {
            let parsed: Vec<(secp256k1::PublicKey, secp256k1::ecdsa::Signature)> = public
                .chunks(64)
                .zip(sigs.chunks(65))
                .map(|(k, s)| {
                    let mut full = [4u8; 65];
                    full[1..].copy_from_slice(k);
                    (
                        secp256k1::PublicKey::from_slice(&full).unwrap(),
                        secp256k1::ecdsa::Signature::from_compact(&s[..64]).unwrap(),
                    )
                })
                .collect();
            b.iter(|| {
                for ((key, sig), hash) in parsed.iter().zip(hashes.chunks(32)) {
                    let msg = Message::from_digest(hash.try_into().unwrap());
                    black_box(SECP256K1.verify_ecdsa(msg, sig, key).is_ok());
                }
            });
        });
        group.bench_with_input(BenchmarkId::new("keccak256_batch", n), &n, |b, _| {
            let mut out = vec![0u8; n * 32];
            let messages = Messages::Fixed {
                data: &public,
                width: 64,
            };
            b.iter(|| keccak::keccak256_batch(black_box(&messages), &mut out).unwrap());
        });
        group.finish();
    }
}

fn ed25519_benches(c: &mut Criterion) {
    for n in SIZES {
        let (seeds, msgs) = inputs(n);
        let messages = Messages::Fixed {
            data: &msgs,
            width: 32,
        };
        let mut sigs = vec![0u8; n * 64];
        ed25519::sign_batch(&seeds, &messages, &mut sigs).unwrap();
        let public: Vec<u8> = seeds
            .chunks(32)
            .flat_map(|s| {
                ed25519::Ed25519PrivateKey::from_seed(s)
                    .unwrap()
                    .public_key()
            })
            .collect();

        let mut group = configure(c, "ed25519");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("sign_batch", n), &n, |b, _| {
            let mut out = vec![0u8; n * 64];
            b.iter(|| ed25519::sign_batch(black_box(&seeds), &messages, &mut out).unwrap());
        });
        group.bench_with_input(BenchmarkId::new("verify_batch", n), &n, |b, _| {
            let mut out = vec![false; n];
            b.iter(|| {
                ed25519::verify_batch(black_box(&public), &messages, &sigs, &mut out).unwrap();
            });
        });
        for (name, mode) in [
            ("verify_all", ed25519::VerifyAllMode::Batch),
            ("verify_all_strict", ed25519::VerifyAllMode::Strict),
        ] {
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| ed25519::verify_all(black_box(&public), &messages, &sigs, mode).unwrap());
            });
        }
        // One broadcast key for every row, as in the Python benchmark: parsed once.
        let mut one_key_sigs = vec![0u8; n * 64];
        ed25519::sign_batch(&seeds[..32], &messages, &mut one_key_sigs).unwrap();
        let one_key = &public[..32];
        for (name, mode) in [
            ("verify_all_one_key", ed25519::VerifyAllMode::Batch),
            ("verify_all_strict_one_key", ed25519::VerifyAllMode::Strict),
        ] {
            assert!(ed25519::verify_all(one_key, &messages, &one_key_sigs, mode).unwrap());
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| {
                    ed25519::verify_all(black_box(one_key), &messages, &one_key_sigs, mode).unwrap()
                });
            });
        }
        group.bench_with_input(
            BenchmarkId::new("peer_verify_strict_loop", n),
            &n,
            |b, _| {
                let parsed: Vec<(ed25519_dalek::VerifyingKey, ed25519_dalek::Signature)> = public
                    .chunks(32)
                    .zip(sigs.chunks(64))
                    .map(|(k, s)| {
                        (
                            ed25519_dalek::VerifyingKey::from_bytes(k.try_into().unwrap()).unwrap(),
                            ed25519_dalek::Signature::from_bytes(s.try_into().unwrap()),
                        )
                    })
                    .collect();
                b.iter(|| {
                    for ((key, sig), msg) in parsed.iter().zip(msgs.chunks(32)) {
                        black_box(key.verify_strict(msg, sig).is_ok());
                    }
                });
            },
        );
        group.finish();
    }
}

criterion_group!(benches, secp256k1_benches, ed25519_benches);
criterion_main!(benches);
