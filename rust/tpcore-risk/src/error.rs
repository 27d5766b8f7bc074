//! The one error type of `tpcore-risk`.

/// Errors raised by the risk core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RiskError {
    /// A fixed-point computation overflowed its integer range.
    #[error("arithmetic overflow in {operation}")]
    Overflow {
        /// The computation that overflowed.
        operation: &'static str,
    },
}

impl RiskError {
    /// The stable snake_case reason code of this error, part of the public API.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Overflow { .. } => "overflow",
        }
    }
}
