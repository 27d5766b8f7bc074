//! Keccak-256 (Ethereum's pre-standard SHA-3 padding, not FIPS SHA3-256), single and batch.

use rayon::prelude::*;
use sha3::{Digest, Keccak256};

use crate::SignError;
use crate::rows::{Messages, check_exact};

/// Rows per rayon task: hashing a short message takes well under a microsecond, so smaller
/// tasks would cost more in scheduling than they save.
const MIN_ROWS_PER_TASK: usize = 512;

/// Returns the Keccak-256 digest of `data`.
#[must_use]
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// Hashes every message of a batch into `out` (32 bytes per row), in parallel.
///
/// # Errors
///
/// [`SignError::Length`] if `messages` is a fixed buffer that does not hold whole rows, or
/// `out` is not `messages.len() * 32` bytes.
pub fn keccak256_batch(messages: &Messages<'_>, out: &mut [u8]) -> Result<(), SignError> {
    let rows = messages.checked_len()?;
    check_exact("out", out.len(), rows, 32)?;
    out.par_chunks_mut(32)
        .with_min_len(MIN_ROWS_PER_TASK)
        .enumerate()
        .for_each(|(i, row)| row.copy_from_slice(&keccak256(messages.get(i))));
    Ok(())
}
