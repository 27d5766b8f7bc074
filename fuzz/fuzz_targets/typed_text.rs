//! EIP-712 documents as JSON text: the text path (`TextPreparer`, as a batch of text
//! documents uses it, with the whole-document fallback on a shared `SchemaCache`) must
//! give each document the hash, or the error, that `hash_typed_data` gives it alone.
//!
//! The input is up to four documents separated by NUL bytes (which JSON text never holds
//! raw), hashed in order by one preparer so that the "begins as the previous one" path
//! is reached.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tpcore_eth::typed_data::{SchemaCache, TextPreparer, hash_typed_data};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let docs: Vec<&str> = text.split('\0').take(4).collect();
    let cache = SchemaCache::default();
    let mut preparer = TextPreparer::default();
    for doc in &docs {
        let got = preparer.hash(&cache, doc).unwrap_or_else(|| {
            serde_json::from_str(doc)
                .map_err(|e| tpcore_eth::EthError::InvalidTypedData {
                    detail: format!("not JSON: {e}"),
                })
                .and_then(|value| cache.hash_document(&value))
        });
        let want = hash_typed_data(*doc);
        match (&got, &want) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "different hashes for {doc:?}"),
            (Err(a), Err(b)) => {
                assert_eq!(a.to_string(), b.to_string(), "different errors for {doc:?}")
            }
            _ => panic!("{doc:?}: text path {got:?}, alone {want:?}"),
        }
    }
});
