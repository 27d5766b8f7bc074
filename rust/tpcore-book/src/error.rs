//! The one error type of `tpcore-book`.
//!
//! Matching outcomes (a rejected order, an unknown id) are events with reason codes, not
//! errors; this type is for set-up mistakes and input that cannot become an event, such as
//! a snapshot that does not decode or a command buffer of the wrong length.

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
    /// An instrument's fields are inconsistent.
    #[error("invalid instrument: {field} {detail}")]
    InvalidInstrument {
        /// The field at fault.
        field: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A fee schedule is inconsistent.
    #[error("invalid fee schedule: {detail}")]
    InvalidFeeSchedule {
        /// What is wrong.
        detail: String,
    },
    /// An engine already has a book for the symbol id.
    #[error("symbol id {symbol} is already in the engine")]
    DuplicateSymbol {
        /// The symbol id.
        symbol: u32,
    },
    /// A buffer of encoded records has the wrong length or header.
    #[error("malformed {what}: {detail}")]
    MalformedBuffer {
        /// Commands or events.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
}

impl BookError {
    /// The stable snake_case reason code of this error, part of the public API.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::CorruptSnapshot { .. } => "corrupt_snapshot",
            Self::InvalidInstrument { .. } => "invalid_instrument",
            Self::InvalidFeeSchedule { .. } => "invalid_fee_schedule",
            Self::DuplicateSymbol { .. } => "duplicate_symbol",
            Self::MalformedBuffer { .. } => "malformed_buffer",
        }
    }
}
