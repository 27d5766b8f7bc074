//! Private-key derivation from a seed: one path, or a run of sibling children in parallel.

use rayon::prelude::*;
use zeroize::{Zeroize, Zeroizing};

use super::node::{InvalidChild, Node};
use super::path::{DerivationPath, HARDENED};
use crate::SignError;

/// Width of one derived key in a batch output.
const KEY_LEN: usize = 32;

/// Derives the secp256k1 private key at `path` (such as `m/44'/60'/0'/0/5`) from a BIP-32
/// seed of 16 to 64 bytes, typically the 64-byte output of
/// [`mnemonic_to_seed`](super::mnemonic_to_seed).
///
/// # Errors
///
/// [`SignError::InvalidSeed`] if the seed length is outside 16..=64 bytes,
/// [`SignError::InvalidPath`] if the path does not parse or (with probability below 2^-127)
/// names an invalid key.
pub fn derive_key(seed: &[u8], path: &str) -> Result<Zeroizing<[u8; 32]>, SignError> {
    let parsed = DerivationPath::parse(path)?;
    let node = Node::master(seed)?
        .descend(parsed.children())
        .map_err(|InvalidChild| invalid_key(path))?;
    Ok(node.secret_bytes())
}

/// Derives children `start..start + count` of the node at `path_prefix` into `out`, 32 bytes
/// per key in index order, in parallel on the current rayon pool.
///
/// The prefix node is derived once. Children are non-hardened unless `hardened`, in which
/// case `start` and the run are hardened indices (`start` counts from 0, without bit 31).
/// On error `out` is zeroed, so no partial run of keys is left behind.
///
/// # Errors
///
/// [`SignError::Length`] if `out` is not `count * 32` bytes, [`SignError::InvalidSeed`] as in
/// [`derive_key`], [`SignError::InvalidPath`] if the prefix does not parse, if
/// `start + count` passes 2^31 (the end of the non-hardened or the hardened range), or if a
/// derived key is invalid (probability below 2^-127).
pub fn derive_batch(
    seed: &[u8],
    path_prefix: &str,
    start: u32,
    count: usize,
    hardened: bool,
    out: &mut [u8],
) -> Result<(), SignError> {
    let expected = count.saturating_mul(KEY_LEN);
    if out.len() != expected {
        return Err(SignError::Length {
            argument: "out",
            expected,
            actual: out.len(),
        });
    }
    let end = u64::from(start).checked_add(count as u64);
    if end.is_none_or(|end| end > u64::from(HARDENED)) {
        return Err(SignError::InvalidPath {
            path: path_prefix.to_owned(),
            detail: format!(
                "{count} children from index {start} leave the child index range, which ends \
                 at 2^31"
            ),
        });
    }
    let result = derive_run(seed, path_prefix, start, hardened, out);
    if result.is_err() {
        out.zeroize();
    }
    result
}

/// Derives the prefix node, then one child per 32-byte row of `out`.
fn derive_run(
    seed: &[u8],
    path_prefix: &str,
    start: u32,
    hardened: bool,
    out: &mut [u8],
) -> Result<(), SignError> {
    let prefix = DerivationPath::parse(path_prefix)?;
    let parent = Node::master(seed)?
        .descend(prefix.children())
        .map_err(|InvalidChild| invalid_key(path_prefix))?;
    // Only non-hardened siblings can share the parent's public key.
    let public = (!hardened).then(|| parent.public_key());
    out.par_chunks_mut(KEY_LEN)
        .enumerate()
        .try_for_each(|(offset, row)| {
            // Cannot overflow: the caller checked start + count <= 2^31.
            let index = start + offset as u32;
            let child = match &public {
                Some(public) => parent.normal_child(public, index),
                None => parent.child(index | HARDENED),
            };
            let key = child
                .map_err(|InvalidChild| invalid_key(&child_path(path_prefix, index, hardened)))?
                .secret_bytes();
            row.copy_from_slice(&key[..]);
            Ok(())
        })
}

/// The error for the (probability below 2^-127) case of a path naming an invalid key.
fn invalid_key(path: &str) -> SignError {
    SignError::InvalidPath {
        path: path.to_owned(),
        detail: "derives an invalid key (probability below 2^-127); use the next index".to_owned(),
    }
}

/// The full path of one child of a batch, for its error message.
fn child_path(prefix: &str, index: u32, hardened: bool) -> String {
    let mark = if hardened { "'" } else { "" };
    format!("{}/{index}{mark}", prefix.trim_end_matches('/'))
}
