//! Packed records on the wire: a message of commands or events is an 8-byte header
//! followed by fixed-size records (the layouts in [`crate::command`] and
//! [`crate::event`]).
//!
//! Header: 4 magic bytes (`TPCM` commands, `TPEV` events), the layout version (u16,
//! little-endian) and the record size (u16), so a reader refuses a layout it does not
//! know instead of misreading it.

use crate::BookError;
use crate::command::{COMMAND_SIZE, Command};
use crate::event::{EVENT_SIZE, Event};

/// Version of the command and event layouts.
pub const LAYOUT_VERSION: u16 = 1;
/// Bytes before the first record of a message.
pub const HEADER_SIZE: usize = 8;

const COMMAND_MAGIC: [u8; 4] = *b"TPCM";
const EVENT_MAGIC: [u8; 4] = *b"TPEV";

/// Splits packed command records (no header).
///
/// # Errors
///
/// [`BookError::MalformedBuffer`] if the length is not a multiple of the record size.
pub fn command_records(bytes: &[u8]) -> Result<&[[u8; COMMAND_SIZE]], BookError> {
    let (records, rest) = bytes.as_chunks::<COMMAND_SIZE>();
    if !rest.is_empty() {
        return Err(BookError::MalformedBuffer {
            what: "commands",
            detail: format!("{} bytes is not a multiple of {COMMAND_SIZE}", bytes.len()),
        });
    }
    Ok(records)
}

/// Appends events as packed records (no header).
pub fn append_event_records(events: &[Event], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + events.len() * EVENT_SIZE, 0);
    let (records, _) = out[start..].as_chunks_mut::<EVENT_SIZE>();
    for (event, record) in events.iter().zip(records) {
        event.encode(record);
    }
}

fn header(magic: [u8; 4], size: usize) -> [u8; HEADER_SIZE] {
    let mut h = [0u8; HEADER_SIZE];
    h[..4].copy_from_slice(&magic);
    h[4..6].copy_from_slice(&LAYOUT_VERSION.to_le_bytes());
    h[6..8].copy_from_slice(&u16::try_from(size).unwrap_or(u16::MAX).to_le_bytes());
    h
}

fn body<'a>(
    what: &'static str,
    magic: [u8; 4],
    size: usize,
    bytes: &'a [u8],
) -> Result<&'a [u8], BookError> {
    let malformed = |detail: String| BookError::MalformedBuffer { what, detail };
    if bytes.len() < HEADER_SIZE || bytes[..4] != magic {
        return Err(malformed("missing header".into()));
    }
    if bytes[4..8] != header(magic, size)[4..8] {
        let version = u16::from_le_bytes([bytes[4], bytes[5]]);
        let got = u16::from_le_bytes([bytes[6], bytes[7]]);
        return Err(malformed(format!(
            "layout version {version} with {got}-byte records; this build reads version {LAYOUT_VERSION} with {size}-byte records"
        )));
    }
    if !(bytes.len() - HEADER_SIZE).is_multiple_of(size) {
        return Err(malformed(format!(
            "body of {} bytes is not whole records",
            bytes.len() - HEADER_SIZE
        )));
    }
    Ok(&bytes[HEADER_SIZE..])
}

/// A message of commands: header and records.
#[must_use]
pub fn encode_commands(commands: &[Command]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_SIZE + commands.len() * COMMAND_SIZE);
    out.extend_from_slice(&header(COMMAND_MAGIC, COMMAND_SIZE));
    for command in commands {
        let mut record = [0u8; COMMAND_SIZE];
        command.encode(&mut record);
        out.extend_from_slice(&record);
    }
    out
}

/// The packed records of a message of commands (header checked and stripped).
///
/// # Errors
///
/// [`BookError::MalformedBuffer`] for a missing or unknown header or a partial record.
pub fn command_body(bytes: &[u8]) -> Result<&[u8], BookError> {
    body("commands", COMMAND_MAGIC, COMMAND_SIZE, bytes)
}

/// Decodes a message of commands.
///
/// # Errors
///
/// As [`command_body`].
pub fn decode_commands(bytes: &[u8]) -> Result<Vec<Command>, BookError> {
    Ok(command_records(command_body(bytes)?)?
        .iter()
        .map(Command::decode)
        .collect())
}

/// A message of events: header and records.
#[must_use]
pub fn encode_events(events: &[Event]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_SIZE + events.len() * EVENT_SIZE);
    out.extend_from_slice(&header(EVENT_MAGIC, EVENT_SIZE));
    append_event_records(events, &mut out);
    out
}

/// The packed records of a message of events (header checked and stripped).
///
/// # Errors
///
/// [`BookError::MalformedBuffer`] for a missing or unknown header or a partial record.
pub fn event_body(bytes: &[u8]) -> Result<&[u8], BookError> {
    body("events", EVENT_MAGIC, EVENT_SIZE, bytes)
}

/// Decodes a message of events.
///
/// # Errors
///
/// As [`event_body`], and for a record with an unknown code.
pub fn decode_events(bytes: &[u8]) -> Result<Vec<Event>, BookError> {
    let (records, _) = event_body(bytes)?.as_chunks::<EVENT_SIZE>();
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Event::decode(r).ok_or_else(|| BookError::MalformedBuffer {
                what: "events",
                detail: format!("record {i} has an unknown code"),
            })
        })
        .collect()
}
