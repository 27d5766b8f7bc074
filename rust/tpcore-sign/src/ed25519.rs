//! Ed25519 (RFC 8032, pure EdDSA) through `ed25519-dalek`: key object, scalar verify, and
//! batch sign / verify over flat slices.
//!
//! Verification semantics are `VerifyingKey::verify_strict`: s must be canonical (< l), the
//! public key A and the nonce point R must not have small order, and the cofactorless
//! equation [s]B = R + [k]A must hold with R matching its canonical encoding. This agrees
//! with libsodium on every case of Wycheproof's `ed25519_test.json`.
//!
//! [`verify_all`] answers "do all rows verify": by default through dalek's batch equation
//! after the cheap strict checks the equation lacks ([`VerifyAllMode::Batch`]), or with
//! exactly the strict semantics ([`VerifyAllMode::Strict`]); its documentation states how the
//! two answers relate.

use std::fmt;
use std::sync::LazyLock;

use curve25519_dalek::constants::EIGHT_TORSION;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rayon::prelude::*;
use zeroize::Zeroizing;

use crate::SignError;
use crate::par::{flags, rows_first_failure};
use crate::rows::{Keyed, Messages, broadcast_or_rows, check_exact};

/// Rows per rayon task for signing and single verification (tens of microseconds each).
const MIN_ROWS: usize = 8;

/// The fewest rows per batch equation in [`VerifyAllMode::Batch`] (see `batch_chunk_rows`).
const MIN_BATCH_ROWS: usize = 32;
/// The most rows per batch equation in [`VerifyAllMode::Batch`].
const MAX_BATCH_ROWS: usize = 512;

/// An Ed25519 private key (the 32-byte RFC 8032 seed), zeroed when dropped.
///
/// `ed25519_dalek::SigningKey` zeroes its seed on drop (`ZeroizeOnDrop`); its expanded scalar
/// is recomputed per signature and not stored. Debug output shows the public key only.
pub struct Ed25519PrivateKey {
    key: SigningKey,
}

impl Ed25519PrivateKey {
    /// Generates a key from the operating system's random number generator.
    ///
    /// # Errors
    ///
    /// [`SignError::RandomnessUnavailable`] if the OS generator fails.
    pub fn generate() -> Result<Self, SignError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut_slice()).map_err(|e| SignError::RandomnessUnavailable {
            os_error: e.raw_os_error(),
        })?;
        Ok(Self {
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// Builds the key from a 32-byte seed (every 32-byte value is a valid seed).
    ///
    /// # Errors
    ///
    /// [`SignError::Length`] if `seed` is not 32 bytes.
    pub fn from_seed(seed: &[u8]) -> Result<Self, SignError> {
        let seed: &[u8; 32] = seed.try_into().map_err(|_| SignError::Length {
            argument: "seed",
            expected: 32,
            actual: seed.len(),
        })?;
        Ok(Self {
            key: SigningKey::from_bytes(seed),
        })
    }

    /// Returns a copy of the seed that is zeroed when dropped.
    #[must_use]
    pub fn seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(*self.key.as_bytes())
    }

    /// Returns the 32-byte public key.
    #[must_use]
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Signs a message, returning the 64-byte signature `R || s`.
    #[must_use]
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }
}

impl fmt::Debug for Ed25519PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Ed25519PrivateKey(public_key={})",
            hex::encode(self.public_key())
        )
    }
}

/// Parses a public key row; `None` if it is not 32 bytes or not a curve point.
fn parse_key(bytes: &[u8]) -> Option<VerifyingKey> {
    VerifyingKey::from_bytes(bytes.try_into().ok()?).ok()
}

/// Verifies with a parsed key; `false` for a signature that is not 64 bytes.
fn verify_parsed(key: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
    let Ok(sig) = <&[u8; 64]>::try_from(sig) else {
        return false;
    };
    key.verify_strict(msg, &Signature::from_bytes(sig)).is_ok()
}

/// Returns whether `sig` is a valid signature over `msg` by `public_key` (strict semantics,
/// see the module documentation). Malformed inputs give `false`.
#[must_use]
pub fn verify(public_key: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    parse_key(public_key).is_some_and(|key| verify_parsed(&key, msg, sig))
}

/// Checks the shape shared by the batch functions and returns the row count.
fn shape<'a>(
    argument: &'static str,
    keys: &'a [u8],
    messages: &Messages<'_>,
) -> Result<(usize, Keyed<'a>), SignError> {
    let rows = messages.checked_len()?;
    let keys = broadcast_or_rows(argument, keys, rows, 32)?;
    Ok((rows, keys))
}

/// Signs every message, writing 64-byte signatures into `out` (N * 64 bytes).
///
/// `seeds` is one 32-byte seed for every message (expanded once) or one seed per message.
///
/// # Errors
///
/// [`SignError::Length`] on a length mismatch.
pub fn sign_batch(seeds: &[u8], messages: &Messages<'_>, out: &mut [u8]) -> Result<(), SignError> {
    let (rows, seeds) = shape("seeds", seeds, messages)?;
    check_exact("out", out.len(), rows, 64)?;
    match seeds {
        Keyed::Broadcast(seed) => {
            let key = Ed25519PrivateKey::from_seed(seed)?;
            rows_first_failure(out, 64, MIN_ROWS, |i, row| {
                row.copy_from_slice(&key.sign(messages.get(i)));
                true
            });
        }
        Keyed::PerRow(_) => {
            rows_first_failure(out, 64, MIN_ROWS, |i, row| {
                let Ok(key) = Ed25519PrivateKey::from_seed(seeds.row(i, 32)) else {
                    return false;
                };
                row.copy_from_slice(&key.sign(messages.get(i)));
                true
            });
        }
    }
    Ok(())
}

/// Verifies every signature, writing one flag per row into `out`.
///
/// `public_keys` is one 32-byte key for every row (parsed once) or one per row; `signatures`
/// is N * 64 bytes. A malformed key or signature gives `false`, never an error.
///
/// # Errors
///
/// [`SignError::Length`] on a length mismatch.
pub fn verify_batch(
    public_keys: &[u8],
    messages: &Messages<'_>,
    signatures: &[u8],
    out: &mut [bool],
) -> Result<(), SignError> {
    let (rows, keys) = shape("public_keys", public_keys, messages)?;
    check_exact("signatures", signatures.len(), rows, 64)?;
    check_exact("out", out.len(), rows, 1)?;
    let sig = |i: usize| &signatures[i * 64..(i + 1) * 64];
    match keys {
        Keyed::Broadcast(key) => match parse_key(key) {
            Some(key) => flags(out, MIN_ROWS, |i| {
                verify_parsed(&key, messages.get(i), sig(i))
            }),
            None => out.fill(false),
        },
        Keyed::PerRow(_) => flags(out, MIN_ROWS, |i| {
            verify(keys.row(i, 32), messages.get(i), sig(i))
        }),
    }
    Ok(())
}

/// How [`verify_all`] checks the rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum VerifyAllMode {
    /// The cheap checks of strict verification per row, then ed25519-dalek's batch equation
    /// per chunk of rows: fast, and exact whenever it answers `false` (see [`verify_all`]).
    #[default]
    Batch,
    /// Strict verification of every row: `true` exactly when [`verify_batch`] would report
    /// every row `true`.
    Strict,
}

/// Returns whether every row verifies, stopping at the first failure.
///
/// [`VerifyAllMode::Strict`] verifies each row as [`verify`] does, in parallel: the answer is
/// exactly whether [`verify_batch`] would report every row `true`.
///
/// [`VerifyAllMode::Batch`], the fast path when all rows are expected to be valid, splits the
/// rows into chunks (an eighth of the rows, within 32..=512; the split depends on the row
/// count only) verified in parallel. In a chunk, every row first gets the checks of strict
/// verification that dalek's batch equation lacks: A decodes and does not have small order,
/// R's encoding is canonical (the encoding the decoded point re-encodes to) and R does not
/// have small order. Then `ed25519_dalek::verify_batch` rejects an R that does not decode
/// and a non-canonical s (s >= l), and checks one random linear combination of the rows'
/// equations, Σ [z_i]R_i + [z_i k_i mod l]A_i - [z_i s_i mod l]B = 0, with 128-bit weights
/// z_i derived from the chunk's inputs. Should the equation fail, the chunk's rows are
/// verified strictly, one by one, and the chunk passes if they all verify. With
/// D_i = R_i + [k_i]A_i - [s_i]B, strict verification of row i is those checks plus D_i = 0,
/// and cofactored verification (as ZIP-215) is [8]D_i = 0. So:
///
/// - `false` is always exact: at least one row fails strict verification (a failed check is
///   one strict verification makes too). The equation alone would not be exact: a strictly
///   valid row contributes zero unless its key has a torsion component, which k_i can
///   cancel while z_i k_i mod l does not; hence the strict fallback.
/// - `true` means every row passes the checks, and every chunk passes the equation or strict
///   verification of each of its rows: either way every row is valid under cofactored
///   verification (a D_i with a component of prime order l cancels out of the combination
///   only with probability about 2^-128 over the weights).
/// - So the answer can differ from per-row [`verify`] only by a `true` for a row that fails
///   strict verification but passes cofactored verification. Its D_i is a non-zero point of
///   small order, which needs an A or an R with a torsion component (a point of mixed order,
///   which passes the small-order checks): a signature crafted that way, as an honest signer
///   never produces one. The batch accepts such a row when the weights cancel its torsion
///   (for one such row, with probability 1/2 to 1/8 depending on the torsion's order), and
///   as the weights are derived from the inputs, a passing batch can be searched for. Use
///   [`VerifyAllMode::Strict`] when that matters (signers that may be hostile, and a
///   verdict that must match libsodium's, as in consensus).
///
/// A batch with a bad row pays for it: besides the equation, the rows of its chunk up to
/// the first bad one are verified strictly (at most 512 rows).
///
/// The batch equation cannot give the strict answer cheaply: ruling out mixed-order points
/// needs a torsion-freeness test per R (a full scalar multiplication). Measured with that
/// test in place, a sound batch path took 1.7-2.4x as long as strict single verification
/// (10,000 rows: 931 ms against 564 ms), hence the two modes.
///
/// # Errors
///
/// [`SignError::Length`] on a length mismatch.
pub fn verify_all(
    public_keys: &[u8],
    messages: &Messages<'_>,
    signatures: &[u8],
    mode: VerifyAllMode,
) -> Result<bool, SignError> {
    let (rows, keys) = shape("public_keys", public_keys, messages)?;
    check_exact("signatures", signatures.len(), rows, 64)?;
    let sig = |i: usize| &signatures[i * 64..(i + 1) * 64];
    Ok(match (mode, keys) {
        (VerifyAllMode::Strict, Keyed::Broadcast(key)) => match parse_key(key) {
            Some(key) => (0..rows)
                .into_par_iter()
                .with_min_len(MIN_ROWS)
                .all(|i| verify_parsed(&key, messages.get(i), sig(i))),
            None => rows == 0,
        },
        (VerifyAllMode::Strict, Keyed::PerRow(_)) => (0..rows)
            .into_par_iter()
            .with_min_len(MIN_ROWS)
            .all(|i| verify(keys.row(i, 32), messages.get(i), sig(i))),
        (VerifyAllMode::Batch, Keyed::Broadcast(key)) => match parse_key(key) {
            Some(key) if !key.is_weak() => batch_all(rows, |_| Some(key), messages, signatures),
            _ => rows == 0,
        },
        (VerifyAllMode::Batch, Keyed::PerRow(_)) => batch_all(
            rows,
            |i| parse_key(keys.row(i, 32)).filter(|key| !key.is_weak()),
            messages,
            signatures,
        ),
    })
}

/// [`VerifyAllMode::Batch`] over `rows` rows; `key(i)` is row i's public key, `None` if it
/// does not decode or has small order.
fn batch_all(
    rows: usize,
    key: impl Fn(usize) -> Option<VerifyingKey> + Sync,
    messages: &Messages<'_>,
    signatures: &[u8],
) -> bool {
    let chunk_rows = batch_chunk_rows(rows);
    let chunk = |start: usize| {
        let end = rows.min(start + chunk_rows);
        let mut keys = Vec::with_capacity(end - start);
        let mut sigs = Vec::with_capacity(end - start);
        let mut msgs = Vec::with_capacity(end - start);
        for i in start..end {
            let (Some(k), Some(sig)) = (key(i), batch_signature(&signatures[i * 64..(i + 1) * 64]))
            else {
                return false;
            };
            keys.push(k);
            sigs.push(sig);
            msgs.push(messages.get(i));
        }
        // A failed equation is exact unless a key has a torsion component: dalek multiplies
        // A by z k reduced mod l, which need not cancel A's torsion when k does, so a row
        // that verifies strictly can fail the equation. Only strict verification can tell
        // which, and a `false` answer must be exact.
        ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_ok()
            || (keys.iter().zip(&sigs).zip(&msgs))
                .all(|((key, sig), msg)| key.verify_strict(msg, sig).is_ok())
    };
    (0..rows.div_ceil(chunk_rows))
        .into_par_iter()
        .all(|c| chunk(c * chunk_rows))
}

/// Rows per batch equation: an eighth of the batch, so it spreads over up to eight threads,
/// within 32..=512 rows, as a larger equation costs less per row (Pippenger's multi-scalar
/// multiplication). It depends on the row count only, so the chunks, and with them the
/// weights of each equation, never depend on the thread count.
fn batch_chunk_rows(rows: usize) -> usize {
    rows.div_ceil(8).clamp(MIN_BATCH_ROWS, MAX_BATCH_ROWS)
}

/// Parses a signature row for the batch equation; `None` if it is not 64 bytes or its R
/// fails a strict check that the equation lacks: R's encoding must be canonical and R must
/// not have small order. Both are decided on the encoding, which is equivalent for an R
/// that decodes (dalek's batch rejects one that does not, and an s that is not canonical).
fn batch_signature(sig: &[u8]) -> Option<Signature> {
    let sig = <&[u8; 64]>::try_from(sig).ok()?;
    let r = sig[..32].try_into().ok()?;
    (canonical_y(r) && !small_order_y(r)).then(|| Signature::from_bytes(sig))
}

/// Whether the y-coordinate of a point encoding is below p = 2^255 - 19.
///
/// A point decodes from y and the sign of x, so its encoding is canonical (the decoded point
/// re-encodes to the same bytes) unless y >= p or x = 0 with the sign bit set; x = 0 only
/// for y = 1 and y = p - 1, two points of small order, which [`small_order_y`] refuses.
fn canonical_y(encoding: &[u8; 32]) -> bool {
    let at_least_p = encoding[0] >= 0xed
        && encoding[1..31].iter().all(|&b| b == 0xff)
        && encoding[31] & 0x7f == 0x7f;
    !at_least_p
}

/// Whether a canonical y is the y-coordinate of one of the eight points of small order
/// (their negations share it, so the sign bit is ignored): such an encoding decodes, if at
/// all, to a point of small order, and every other one to a point that is not.
fn small_order_y(encoding: &[u8; 32]) -> bool {
    static TORSION_YS: LazyLock<[[u8; 32]; 8]> = LazyLock::new(|| {
        EIGHT_TORSION.map(|point| {
            let mut y = point.compress().to_bytes();
            y[31] &= 0x7f;
            y
        })
    });
    let mut y = *encoding;
    y[31] &= 0x7f;
    TORSION_YS.contains(&y)
}

#[cfg(test)]
mod tests {
    use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
    use curve25519_dalek::scalar::Scalar;
    use sha2::{Digest, Sha512};

    use super::*;

    /// The R checks as strict verification makes them on the decoded point: `None` if the
    /// encoding does not decode, else whether it is canonical and not of small order.
    fn by_decoding(encoding: [u8; 32]) -> Option<bool> {
        let point = CompressedEdwardsY(encoding).decompress()?;
        Some(point.compress().to_bytes() == encoding && !point.is_small_order())
    }

    fn by_encoding(encoding: [u8; 32]) -> bool {
        canonical_y(&encoding) && !small_order_y(&encoding)
    }

    fn with_sign(mut encoding: [u8; 32], negative: bool) -> [u8; 32] {
        encoding[31] = (encoding[31] & 0x7f) | (u8::from(negative) << 7);
        encoding
    }

    #[test]
    fn encoding_checks_equal_the_checks_on_the_decoded_point() {
        let mut encodings = Vec::new();
        // The small-order points and mixed-order points, as encoded.
        for (i, torsion) in EIGHT_TORSION.iter().enumerate() {
            encodings.push(torsion.compress().to_bytes());
            let tag = u8::try_from(i).unwrap_or(0) + 1;
            let point = EdwardsPoint::mul_base(&Scalar::from_bytes_mod_order([tag; 32]));
            encodings.push((point + torsion).compress().to_bytes());
        }
        // Every y >= p (non-canonical: p + t reads as t) and small y values.
        for t in 0u8..19 {
            let mut at_least_p = [0xff; 32];
            at_least_p[0] = 0xed + t;
            at_least_p[31] = 0x7f;
            encodings.push(at_least_p);
            let mut small = [0; 32];
            small[0] = t;
            encodings.push(small);
        }
        // Random byte strings (about half decode) and random points of prime order.
        for i in 0u32..400 {
            let hash = Sha512::digest(i.to_le_bytes());
            let bytes: [u8; 32] = hash[..32].try_into().unwrap_or([0; 32]);
            encodings.push(bytes);
            let scalar = Scalar::from_bytes_mod_order(bytes);
            encodings.push(EdwardsPoint::mul_base(&scalar).compress().to_bytes());
        }
        let (mut decoded, mut non_canonical, mut small_order) = (0, 0, 0);
        for encoding in encodings {
            for negative in [false, true] {
                let encoding = with_sign(encoding, negative);
                let Some(expected) = by_decoding(encoding) else {
                    continue;
                };
                decoded += 1;
                let point = CompressedEdwardsY(encoding).decompress();
                if point.is_some_and(|p| p.compress().to_bytes() != encoding) {
                    non_canonical += 1;
                }
                small_order += usize::from(point.is_some_and(|p| p.is_small_order()));
                assert_eq!(by_encoding(encoding), expected, "{}", hex::encode(encoding));
            }
        }
        // Every kind was met: non-canonical encodings (y >= p, and x = 0 with the sign bit
        // set) and all 16 encodings of the small-order points (with or without that bit).
        assert!(decoded > 800 && non_canonical >= 4 && small_order >= 16);
    }

    #[test]
    fn batch_chunks_depend_on_the_row_count_only() {
        assert_eq!(batch_chunk_rows(0), MIN_BATCH_ROWS);
        assert_eq!(batch_chunk_rows(100), 32);
        assert_eq!(batch_chunk_rows(1_000), 125);
        assert_eq!(batch_chunk_rows(10_000), 512);
    }
}
