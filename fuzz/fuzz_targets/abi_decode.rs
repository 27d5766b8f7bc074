//! ABI decoding by type string: `<type>;<type>;... 0xFF <data>`. Each type is parsed with
//! `parse_type` (never panics); when all parse, `abi_decode` never panics either. Also
//! feeds the whole input to `parse_address` and the data to `decode_revert`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tpcore_eth::abi::revert::decode_revert;
use tpcore_eth::abi::{abi_decode, parse_type};
use tpcore_eth::address::parse_address;

fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.iter().position(|&b| b == 0xff) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let _ = decode_revert(data, None);
    let Ok(head) = std::str::from_utf8(head) else {
        return;
    };
    let _ = parse_address(head);
    let types: Vec<&str> = if head.is_empty() {
        Vec::new()
    } else {
        head.split(';').collect()
    };
    if types.iter().all(|t| parse_type(t).is_ok()) {
        let _ = abi_decode(&types, body);
    }
});
