//! Row-parallel drivers shared by the batch functions.
//!
//! Each driver walks the rows of a caller-provided output buffer, in parallel on the current
//! rayon pool once there are more rows than one task should hold, and on the calling thread
//! otherwise (a lone task gains nothing from the hop to a pool thread). The per-row closures
//! work on borrowed slices and stack arrays only, so nothing is allocated per row.

use rayon::prelude::*;

/// Runs `f(i, row)` on every `width`-byte row of `out`; returns the lowest `i` for which `f`
/// returned `false`, or `None`.
///
/// Every row is visited even after a failure, so the index reported does not depend on how
/// rayon split the work.
pub(crate) fn rows_first_failure<F>(
    out: &mut [u8],
    width: usize,
    min_len: usize,
    f: F,
) -> Option<usize>
where
    F: Fn(usize, &mut [u8]) -> bool + Sync,
{
    let failed = |(i, row): (usize, &mut [u8])| (!f(i, row)).then_some(i);
    if out.len() <= width.saturating_mul(min_len) {
        out.chunks_mut(width).enumerate().filter_map(failed).min()
    } else {
        out.par_chunks_mut(width)
            .with_min_len(min_len)
            .enumerate()
            .filter_map(failed)
            .min()
    }
}

/// Runs `f(i, row)` on every `width`-byte row of `out`, storing its result in `ok[i]`.
pub(crate) fn rows_with_flags<F>(
    out: &mut [u8],
    width: usize,
    ok: &mut [bool],
    min_len: usize,
    f: F,
) where
    F: Fn(usize, &mut [u8]) -> bool + Sync,
{
    let run = |(i, (row, flag)): (usize, (&mut [u8], &mut bool))| *flag = f(i, row);
    if out.len() <= width.saturating_mul(min_len) {
        out.chunks_mut(width)
            .zip(ok.iter_mut())
            .enumerate()
            .for_each(run);
    } else {
        out.par_chunks_mut(width)
            .zip(ok.par_iter_mut())
            .with_min_len(min_len)
            .enumerate()
            .for_each(run);
    }
}

/// Stores `f(i)` in `out[i]` for every row.
pub(crate) fn flags<F>(out: &mut [bool], min_len: usize, f: F)
where
    F: Fn(usize) -> bool + Sync,
{
    if out.len() <= min_len {
        out.iter_mut().enumerate().for_each(|(i, o)| *o = f(i));
    } else {
        out.par_iter_mut()
            .with_min_len(min_len)
            .enumerate()
            .for_each(|(i, o)| *o = f(i));
    }
}
