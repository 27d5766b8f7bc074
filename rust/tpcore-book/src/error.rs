//! The one error type of `tpcore-book`.
//!
//! Matching outcomes (a rejected order, an unknown id) are events with reason codes, not
//! errors; this type is for malformed input that cannot become an event, such as a
//! snapshot that does not decode.

/// Errors raised by the matching engine outside the event stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BookError {
    /// A snapshot could not be decoded.
    #[error("snapshot is corrupt: {detail}")]
    CorruptSnapshot {
        /// What did not decode.
        detail: String,
    },
}

impl BookError {
    /// The stable snake_case reason code of this error, part of the public API.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::CorruptSnapshot { .. } => "corrupt_snapshot",
        }
    }
}
