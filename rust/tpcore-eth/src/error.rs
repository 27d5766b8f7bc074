//! The one error type of `tpcore-eth`.

use tpcore_sign::SignError;

/// Errors raised by the Ethereum layer.
///
/// Every variant has named fields and a stable snake_case [`EthError::reason`]. Errors about
/// one element of a batch are wrapped in [`EthError::InBatch`], which carries its index.
/// Messages never contain secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EthError {
    /// A field of a transaction, message or ABI value is malformed.
    #[error("{field}: {detail}")]
    InvalidField {
        /// The offending field, as the caller named it (`"gas"`, `"to"`, `"values[2]"`, ...).
        field: String,
        /// What is wrong with it.
        detail: String,
    },
    /// Element `index` of a batch failed.
    #[error("item {index}: {source}")]
    InBatch {
        /// The index of the first bad element.
        index: usize,
        /// What is wrong with it.
        source: Box<EthError>,
    },
    /// A key or signature error from the signing core.
    #[error(transparent)]
    Sign(#[from] SignError),
    // --- transactions (section owned by the transactions work) ---
    // --- messages, typed data, ABI, logs, fees (section owned by the messages/ABI work) ---
}

impl EthError {
    /// An [`EthError::InvalidField`] for `field`.
    pub fn field(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::InvalidField {
            field: field.into(),
            detail: detail.into(),
        }
    }

    /// Wraps this error as the failure of batch element `index`.
    #[must_use]
    pub fn at(self, index: usize) -> Self {
        Self::InBatch {
            index,
            source: Box::new(self),
        }
    }

    /// The stable snake_case reason code of this error, part of the public API.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::InvalidField { .. } => "invalid_field",
            Self::InBatch { source, .. } => source.reason(),
            Self::Sign(error) => error.reason(),
            // --- transactions ---
            // --- messages, typed data, ABI, logs, fees ---
        }
    }

    /// The batch element this error concerns, if any.
    #[must_use]
    pub fn index(&self) -> Option<usize> {
        match self {
            Self::InBatch { index, .. } => Some(*index),
            Self::Sign(error) => error.index(),
            // --- every other variant concerns no batch element ---
            _ => None,
        }
    }
}
