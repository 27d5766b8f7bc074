//! The book's wire codec: `decode_commands`, `command_records` and `decode_events` never
//! panic, and what decodes encodes back to a message that decodes to the same records.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tpcore_book::codec::{
    command_records, decode_commands, decode_events, encode_commands, encode_events,
};

fuzz_target!(|data: &[u8]| {
    let _ = command_records(data);
    if let Ok(commands) = decode_commands(data) {
        assert_eq!(
            decode_commands(&encode_commands(&commands)).ok(),
            Some(commands)
        );
    }
    if let Ok(events) = decode_events(data) {
        assert_eq!(decode_events(&encode_events(&events)).ok(), Some(events));
    }
});
