//! The ECDSA batch API over flat, row-major byte slices.
//!
//! Inputs and outputs are caller-provided buffers; rows run in parallel on the current rayon
//! pool. Length mismatches are errors; per-row failures of recovery and verification are
//! reported through flags, and an invalid secret key fails the whole batch with the lowest bad
//! row index, independent of scheduling.

use super::{
    address, parse_public_key, parse_secret, raw_public_key, recover_parsed, sign_parsed,
    verify_compact,
};
use crate::SignError;
use crate::keccak::keccak256;
use crate::par::{flags, rows_first_failure, rows_with_flags};
use crate::rows::{Keyed, broadcast_or_rows, check_exact, count_rows};

/// Rows per rayon task for curve operations (tens of microseconds each): small enough that
/// 100 rows spread over the pool, large enough that scheduling stays negligible.
const MIN_ROWS_CURVE: usize = 8;
/// Rows per rayon task for hashing only (well under a microsecond each).
const MIN_ROWS_HASH: usize = 512;

/// Reads row `i` of a flat buffer of `width`-byte rows.
fn row(data: &[u8], i: usize, width: usize) -> &[u8] {
    &data[i * width..(i + 1) * width]
}

/// Reads row `i` of a flat buffer of 32-byte hashes as an array.
fn hash_row(hashes: &[u8], i: usize) -> [u8; 32] {
    let mut hash = [0u8; 32];
    hash.copy_from_slice(row(hashes, i, 32));
    hash
}

/// Signs every 32-byte hash, writing 65-byte `r || s || v` rows into `out`.
///
/// `secret_keys` is either one 32-byte key used for every hash (parsed once) or one key per
/// hash. The number of rows N is `hashes.len() / 32`; `out` must be N * 65 bytes.
///
/// # Errors
///
/// [`SignError::Length`] on any length mismatch; [`SignError::InvalidSecretKey`] with the
/// lowest row whose key is zero or not below n (row 0 for a bad broadcast key). The contents
/// of `out` are unspecified after an error.
pub fn sign_batch(secret_keys: &[u8], hashes: &[u8], out: &mut [u8]) -> Result<(), SignError> {
    let rows = count_rows("hashes", hashes, 32)?;
    let keys = broadcast_or_rows("secret_keys", secret_keys, rows, 32)?;
    check_exact("out", out.len(), rows, 65)?;
    let failed = match keys {
        Keyed::Broadcast(key) => {
            let mut secret = parse_secret(key, Some(0))?;
            let failed = rows_first_failure(out, 65, MIN_ROWS_CURVE, |i, out_row| {
                out_row.copy_from_slice(&sign_parsed(&secret, &hash_row(hashes, i)));
                true
            });
            secret.non_secure_erase();
            failed
        }
        Keyed::PerRow(keys) => rows_first_failure(out, 65, MIN_ROWS_CURVE, |i, out_row| {
            let Ok(mut secret) = parse_secret(row(keys, i, 32), Some(i)) else {
                return false;
            };
            out_row.copy_from_slice(&sign_parsed(&secret, &hash_row(hashes, i)));
            secret.non_secure_erase();
            true
        }),
    };
    failed.map_or(Ok(()), |i| {
        Err(SignError::InvalidSecretKey { index: Some(i) })
    })
}

/// Checks the common shape of the recovery batches and returns the row count.
fn recovery_shape(
    hashes: &[u8],
    signatures: &[u8],
    out: &[u8],
    out_width: usize,
    ok: &[bool],
) -> Result<usize, SignError> {
    let rows = count_rows("hashes", hashes, 32)?;
    check_exact("signatures", signatures.len(), rows, 65)?;
    check_exact("out", out.len(), rows, out_width)?;
    check_exact("ok", ok.len(), rows, 1)?;
    Ok(rows)
}

/// Recovers the 64-byte public key of every 65-byte signature into `out` (N * 64 bytes).
///
/// v may be 0/1 or 27/28. A row that is malformed or recovers to no key gets `ok[i] = false`
/// and an all-zero `out` row.
///
/// # Errors
///
/// [`SignError::Length`] if `hashes` is not whole 32-byte rows or `signatures`, `out` or `ok`
/// does not match its row count.
pub fn recover_batch(
    hashes: &[u8],
    signatures: &[u8],
    out: &mut [u8],
    ok: &mut [bool],
) -> Result<(), SignError> {
    recovery_shape(hashes, signatures, out, 64, ok)?;
    rows_with_flags(out, 64, ok, MIN_ROWS_CURVE, |i, out_row| {
        if let Ok(key) = recover_parsed(&hash_row(hashes, i), row(signatures, i, 65)) {
            out_row.copy_from_slice(&raw_public_key(&key));
            true
        } else {
            out_row.fill(0);
            false
        }
    });
    Ok(())
}

/// Recovers the 20-byte Ethereum address of every 65-byte signature into `out` (N * 20
/// bytes), without materialising the public keys.
///
/// A row that is malformed or recovers to no key gets `ok[i] = false` and a zero address.
///
/// # Errors
///
/// [`SignError::Length`] as for [`recover_batch`].
pub fn recover_address_batch(
    hashes: &[u8],
    signatures: &[u8],
    out: &mut [u8],
    ok: &mut [bool],
) -> Result<(), SignError> {
    recovery_shape(hashes, signatures, out, 20, ok)?;
    rows_with_flags(out, 20, ok, MIN_ROWS_CURVE, |i, out_row| {
        if let Ok(key) = recover_parsed(&hash_row(hashes, i), row(signatures, i, 65)) {
            out_row.copy_from_slice(&address(&raw_public_key(&key)));
            true
        } else {
            out_row.fill(0);
            false
        }
    });
    Ok(())
}

/// Verifies every signature, writing one flag per row into `out`.
///
/// `public_keys` holds keys of `key_width` bytes (33 compressed, 64 raw, 65 SEC1
/// uncompressed): one key for every row (parsed once) or one per row. `signatures` holds
/// `sig_width`-byte rows (64, or 65 with v, which is ignored). `strict` is as for
/// [`super::verify`]. A malformed key or signature gives `false`, never an error.
///
/// # Errors
///
/// [`SignError::InvalidWidth`] for an unsupported `key_width` or `sig_width`;
/// [`SignError::Length`] on any length mismatch.
pub fn verify_batch(
    public_keys: &[u8],
    key_width: usize,
    hashes: &[u8],
    signatures: &[u8],
    sig_width: usize,
    strict: bool,
    out: &mut [bool],
) -> Result<(), SignError> {
    if !matches!(key_width, 33 | 64 | 65) {
        return Err(SignError::InvalidWidth {
            argument: "public_keys",
            width: key_width,
        });
    }
    if !matches!(sig_width, 64 | 65) {
        return Err(SignError::InvalidWidth {
            argument: "signatures",
            width: sig_width,
        });
    }
    let rows = count_rows("hashes", hashes, 32)?;
    let keys = broadcast_or_rows("public_keys", public_keys, rows, key_width)?;
    check_exact("signatures", signatures.len(), rows, sig_width)?;
    check_exact("out", out.len(), rows, 1)?;
    let check = |key: &secp256k1::PublicKey, i: usize| {
        verify_compact(
            key,
            &hash_row(hashes, i),
            row(signatures, i, sig_width),
            strict,
        )
    };
    match keys {
        Keyed::Broadcast(key) => match parse_public_key(key) {
            Some(key) => flags(out, MIN_ROWS_CURVE, |i| check(&key, i)),
            None => out.fill(false),
        },
        Keyed::PerRow(keys) => flags(out, MIN_ROWS_CURVE, |i| {
            parse_public_key(row(keys, i, key_width)).is_some_and(|key| check(&key, i))
        }),
    }
    Ok(())
}

/// Derives the 64-byte public key of every 32-byte secret key into `out` (N * 64 bytes).
///
/// # Errors
///
/// [`SignError::Length`] on a length mismatch; [`SignError::InvalidSecretKey`] with the lowest
/// bad row. The contents of `out` are unspecified after an error.
pub fn public_keys_batch(secret_keys: &[u8], out: &mut [u8]) -> Result<(), SignError> {
    let rows = count_rows("secret_keys", secret_keys, 32)?;
    check_exact("out", out.len(), rows, 64)?;
    let failed = rows_first_failure(out, 64, MIN_ROWS_CURVE, |i, out_row| {
        let Ok(mut secret) = parse_secret(row(secret_keys, i, 32), Some(i)) else {
            return false;
        };
        out_row.copy_from_slice(&raw_public_key(&secret.public_key(secp256k1::SECP256K1)));
        secret.non_secure_erase();
        true
    });
    failed.map_or(Ok(()), |i| {
        Err(SignError::InvalidSecretKey { index: Some(i) })
    })
}

/// Computes the Ethereum address of every 64-byte public key into `out` (N * 20 bytes).
///
/// The keys are hashed as given; they are not checked to be curve points.
///
/// # Errors
///
/// [`SignError::Length`] on a length mismatch.
pub fn addresses_batch(public_keys: &[u8], out: &mut [u8]) -> Result<(), SignError> {
    let rows = count_rows("public_keys", public_keys, 64)?;
    check_exact("out", out.len(), rows, 20)?;
    rows_first_failure(out, 20, MIN_ROWS_HASH, |i, out_row| {
        out_row.copy_from_slice(&keccak256(row(public_keys, i, 64))[12..]);
        true
    });
    Ok(())
}
