//! Transaction signing throughput: one EIP-1559 transaction, and batches of 10,000.
#![allow(missing_docs)]

use std::hint::black_box;

use alloy_primitives::{Address, Bytes, U256};
use criterion::{Criterion, criterion_group, criterion_main};
use tpcore_eth::tx::{TxRequest, TxType, decode_transaction, sign_transaction, sign_transactions};
use tpcore_sign::ecdsa::PrivateKey;

fn request(nonce: u64) -> TxRequest {
    TxRequest {
        tx_type: Some(TxType::DynamicFee),
        chain_id: Some(1),
        nonce,
        gas: 21_000,
        max_fee_per_gas: Some(30_000_000_000),
        max_priority_fee_per_gas: Some(1_000_000_000),
        to: Some(Address::repeat_byte(0x35)),
        value: U256::from(10u64).pow(U256::from(18u64)),
        data: Bytes::from_static(&[0xa9, 0x05, 0x9c, 0xbb]),
        ..TxRequest::default()
    }
}

fn bench(c: &mut Criterion) {
    let secret = [0x46u8; 32];
    let key = PrivateKey::from_bytes(&secret).expect("valid key");
    let one = request(9);
    c.bench_function("sign_transaction eip1559", |b| {
        b.iter(|| sign_transaction(black_box(&one), &key));
    });
    let raw = sign_transaction(&one, &key).expect("signs").raw_transaction;
    c.bench_function("decode_transaction eip1559 (with sender)", |b| {
        b.iter(|| decode_transaction(black_box(&raw)));
    });
    let batch: Vec<TxRequest> = (0..10_000).map(request).collect();
    let mut group = c.benchmark_group("sign_transactions 10k eip1559");
    group.sample_size(10);
    group.bench_function("broadcast key", |b| {
        b.iter(|| sign_transactions(black_box(&batch), &secret));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
