//! Row layout of batch inputs: message sets and the length checks shared by every batch.
//!
//! Batches take flat, row-major byte slices with a fixed row width. A keyed input (secret
//! keys, public keys, seeds) may instead hold a single row that is broadcast to every row of
//! the batch. Length mismatches are errors, reported with the argument name the Python API
//! uses, so the binding can raise them verbatim.

use crate::SignError;

/// The messages of a batch: either fixed-width rows of one flat buffer, or a list of slices
/// of any length.
#[derive(Debug, Clone, Copy)]
pub enum Messages<'a> {
    /// `data.len() / width` rows of exactly `width` bytes each, row-major. A zero `width`
    /// holds no rows; use [`Messages::Ragged`] for empty messages.
    Fixed {
        /// The flat buffer, `rows * width` bytes.
        data: &'a [u8],
        /// The length of every row in bytes.
        width: usize,
    },
    /// One slice per row, of any length (including empty).
    Ragged(&'a [&'a [u8]]),
}

impl Messages<'_> {
    /// Returns the number of rows (whole rows only for [`Messages::Fixed`]).
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Fixed { data, width } => data.len().checked_div(*width).unwrap_or(0),
            Self::Ragged(rows) => rows.len(),
        }
    }

    /// Returns whether there are no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns row `i`.
    ///
    /// # Panics
    ///
    /// Panics if `i >= self.len()`; batch functions only ask for rows they have counted.
    #[must_use]
    pub fn get(&self, i: usize) -> &[u8] {
        match self {
            Self::Fixed { data, width } => &data[i * width..(i + 1) * width],
            Self::Ragged(rows) => rows[i],
        }
    }

    /// Checks that a fixed buffer holds whole rows, and returns the row count.
    pub(crate) fn checked_len(&self) -> Result<usize, SignError> {
        if let Self::Fixed { data, width } = self {
            if *width == 0 {
                if !data.is_empty() {
                    return Err(SignError::Length {
                        argument: "messages",
                        expected: 0,
                        actual: data.len(),
                    });
                }
            } else if !data.len().is_multiple_of(*width) {
                return Err(SignError::Length {
                    argument: "messages",
                    expected: data.len().next_multiple_of(*width),
                    actual: data.len(),
                });
            }
        }
        Ok(self.len())
    }
}

/// How a keyed input covers the rows of a batch.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Keyed<'a> {
    /// One row used for every row of the batch.
    Broadcast(&'a [u8]),
    /// One row per batch row, row-major.
    PerRow(&'a [u8]),
}

impl<'a> Keyed<'a> {
    /// Returns the row for batch row `i` (`width` bytes).
    pub(crate) fn row(&self, i: usize, width: usize) -> &'a [u8] {
        match self {
            Self::Broadcast(row) => row,
            Self::PerRow(data) => &data[i * width..(i + 1) * width],
        }
    }
}

/// The byte length of `rows` rows of `width` bytes, saturating so an absurd request still
/// yields a length error rather than an overflow.
fn total(rows: usize, width: usize) -> usize {
    rows.saturating_mul(width)
}

/// Checks that `data` is exactly `rows * width` bytes.
pub(crate) fn check_exact(
    argument: &'static str,
    data_len: usize,
    rows: usize,
    width: usize,
) -> Result<(), SignError> {
    let expected = total(rows, width);
    if data_len == expected {
        Ok(())
    } else {
        Err(SignError::Length {
            argument,
            expected,
            actual: data_len,
        })
    }
}

/// Checks that `data` holds whole rows of `width` (non-zero) bytes and returns the count.
pub(crate) fn count_rows(
    argument: &'static str,
    data: &[u8],
    width: usize,
) -> Result<usize, SignError> {
    let rows = data.len() / width;
    if data.len().is_multiple_of(width) {
        Ok(rows)
    } else {
        Err(SignError::Length {
            argument,
            expected: data.len().next_multiple_of(width),
            actual: data.len(),
        })
    }
}

/// Checks that `data` is either one `width`-byte row to broadcast or `rows * width` bytes.
///
/// With `rows == 1` both readings coincide and the input is treated as per-row.
pub(crate) fn broadcast_or_rows<'a>(
    argument: &'static str,
    data: &'a [u8],
    rows: usize,
    width: usize,
) -> Result<Keyed<'a>, SignError> {
    if data.len() == total(rows, width) {
        Ok(Keyed::PerRow(data))
    } else if data.len() == width {
        Ok(Keyed::Broadcast(data))
    } else {
        Err(SignError::Length {
            argument,
            expected: total(rows, width),
            actual: data.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_rows_are_counted_and_sliced() {
        let data = [1u8, 2, 3, 4, 5, 6];
        let m = Messages::Fixed {
            data: &data,
            width: 2,
        };
        assert_eq!(m.checked_len(), Ok(3));
        assert_eq!(m.get(1), &[3, 4]);
        let zero = Messages::Fixed {
            data: &[],
            width: 0,
        };
        assert!(zero.is_empty());
        let bad = Messages::Fixed {
            data: &data,
            width: 4,
        };
        assert_eq!(
            bad.checked_len(),
            Err(SignError::Length {
                argument: "messages",
                expected: 8,
                actual: 6
            })
        );
    }

    #[test]
    fn broadcast_is_recognised() {
        let key = [7u8; 4];
        assert!(matches!(
            broadcast_or_rows("k", &key, 3, 4),
            Ok(Keyed::Broadcast(_))
        ));
        assert!(matches!(
            broadcast_or_rows("k", &[0u8; 12], 3, 4),
            Ok(Keyed::PerRow(_))
        ));
        assert_eq!(
            broadcast_or_rows("k", &[0u8; 8], 3, 4).err(),
            Some(SignError::Length {
                argument: "k",
                expected: 12,
                actual: 8
            })
        );
    }
}
