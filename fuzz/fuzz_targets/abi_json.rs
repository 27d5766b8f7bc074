//! Revert and log decoding against a JSON ABI given in the input: `<json> 0xFF <n> <data>`,
//! where `n % 5` topics of 32 bytes start the data of the log. Neither decoder may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tpcore_eth::abi::log::decode_log;
use tpcore_eth::abi::revert::decode_revert;

fuzz_target!(|data: &[u8]| {
    let Some(at) = data.iter().position(|&b| b == 0xff) else {
        return;
    };
    let Ok(json) = std::str::from_utf8(&data[..at]) else {
        return;
    };
    let body = &data[at + 1..];
    let _ = decode_revert(body, Some(json));
    let Some((&n, rest)) = body.split_first() else {
        return;
    };
    let (words, _) = rest.as_chunks::<32>();
    let count = usize::from(n % 5).min(words.len());
    let topics: Vec<_> = words[..count].iter().map(|t| (*t).into()).collect();
    let _ = decode_log(json, &topics, &rest[32 * count..]);
});
