//! Raw signed transactions: decoding never panics, and `recover_sender` agrees with the
//! sender `decode_transaction` reports.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tpcore_eth::tx::{decode_transaction, recover_sender};

fuzz_target!(|data: &[u8]| {
    let decoded = decode_transaction(data);
    let sender = recover_sender(data);
    match (&decoded, &sender) {
        (Ok(tx), Ok(address)) => assert_eq!(tx.sender, Some(*address)),
        (Ok(tx), Err(_)) => assert_eq!(tx.sender, None),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (Err(e), Ok(_)) => panic!("recovered a sender from a transaction that fails: {e}"),
    }
});
