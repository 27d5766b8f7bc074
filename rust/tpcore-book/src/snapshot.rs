//! Snapshots: a versioned, compact byte form of a book's or an engine's state, and the
//! state hash used to compare replays.
//!
//! Layout: 4 magic bytes (`TPBK` for a book, `TPEN` for an engine), a little-endian u16
//! format version, then the state in postcard's varint encoding.

use sha2::{Digest, Sha256};

use crate::BookError;

/// Format version written by this build; older versions are read by upgrading them.
pub const SNAPSHOT_VERSION: u16 = 1;

/// Encodes a value behind a magic and the format version.
pub(crate) fn encode<T: serde::Serialize>(magic: [u8; 4], value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(&magic);
    out.extend_from_slice(&SNAPSHOT_VERSION.to_le_bytes());
    // Serialising plain structs into a Vec cannot fail.
    postcard::to_extend(value, out).unwrap_or_default()
}

/// Decodes a value written by [`encode`] with the same magic.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    magic: [u8; 4],
    bytes: &[u8],
) -> Result<T, BookError> {
    let corrupt = |detail: String| BookError::CorruptSnapshot { detail };
    if bytes.len() < 6 || bytes[..4] != magic {
        return Err(corrupt(format!(
            "not a {} snapshot (bad magic)",
            String::from_utf8_lossy(&magic)
        )));
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if version != SNAPSHOT_VERSION {
        return Err(corrupt(format!(
            "format version {version} is not supported (this build reads {SNAPSHOT_VERSION})"
        )));
    }
    let (value, rest) =
        postcard::take_from_bytes(&bytes[6..]).map_err(|e| corrupt(e.to_string()))?;
    if !rest.is_empty() {
        return Err(corrupt(format!("{} trailing bytes", rest.len())));
    }
    Ok(value)
}

/// SHA-256 of a snapshot's bytes.
pub(crate) fn hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}
