//! The one error type of `tpcore-eth`.

/// Errors raised by the Ethereum layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EthError {
    /// A field of a transaction, message or ABI value is malformed.
    #[error("{field}: {detail}")]
    InvalidField {
        /// The offending field, as the caller named it (`"gas"`, `"to"`, ...).
        field: String,
        /// What is wrong with it.
        detail: String,
    },
}

impl EthError {
    /// The stable snake_case reason code of this error, part of the public API.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::InvalidField { .. } => "invalid_field",
        }
    }
}
