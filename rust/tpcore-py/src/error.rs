//! The single mapping from core-crate errors to the Python exceptions of `tpcore.errors`.
//!
//! The exception classes are defined in Python and imported here, so Python code can
//! subclass, pickle and document them as ordinary classes. Each core crate has one error
//! enum; [`CoreError`] wraps them because the orphan rule forbids `From<SignError> for PyErr`.

use pyo3::PyErr;

pyo3::import_exception!(tpcore.errors, InvalidInput);
pyo3::import_exception!(tpcore.errors, DecryptionError);
pyo3::import_exception!(tpcore.errors, InvariantError);

/// An error from any core crate, on its way to Python.
#[derive(Debug)]
pub(crate) enum CoreError {
    /// From `tpcore-sign`.
    Sign(tpcore_sign::SignError),
    /// From `tpcore-eth`.
    Eth(tpcore_eth::EthError),
    /// From `tpcore-book`.
    Book(tpcore_book::BookError),
    /// From `tpcore-risk`.
    Risk(tpcore_risk::RiskError),
    /// Raised by the binding layer itself (a bad argument shape, dtype or value).
    Argument {
        /// The stable snake_case reason code.
        reason: &'static str,
        /// The message, naming the argument.
        message: String,
        /// The row of a batch it concerns, if any.
        index: Option<usize>,
    },
}

impl CoreError {
    /// The batch element this error concerns, if any.
    pub(crate) fn index(&self) -> Option<usize> {
        match self {
            Self::Sign(e) => e.index(),
            Self::Eth(e) => e.index(),
            Self::Risk(e) => e.index(),
            Self::Book(_) => None,
            Self::Argument { index, .. } => *index,
        }
    }

    /// Marks this error as the failure of element `index` of a batch.
    pub(crate) fn at(self, index: usize) -> Self {
        match self {
            Self::Eth(e) => Self::Eth(e.at(index)),
            Self::Sign(e) => Self::Eth(tpcore_eth::EthError::from(e).at(index)),
            Self::Argument {
                reason, message, ..
            } => Self::Argument {
                reason,
                message: format!("item {index}: {message}"),
                index: Some(index),
            },
            other => other,
        }
    }

    /// A binding-level error about an argument, with no batch row.
    pub(crate) fn argument(reason: &'static str, message: impl Into<String>) -> Self {
        Self::Argument {
            reason,
            message: message.into(),
            index: None,
        }
    }
}

impl From<tpcore_sign::SignError> for CoreError {
    fn from(err: tpcore_sign::SignError) -> Self {
        Self::Sign(err)
    }
}

impl From<tpcore_eth::EthError> for CoreError {
    fn from(err: tpcore_eth::EthError) -> Self {
        Self::Eth(err)
    }
}

impl From<tpcore_book::BookError> for CoreError {
    fn from(err: tpcore_book::BookError) -> Self {
        Self::Book(err)
    }
}

impl From<tpcore_risk::RiskError> for CoreError {
    fn from(err: tpcore_risk::RiskError) -> Self {
        Self::Risk(err)
    }
}

impl From<CoreError> for PyErr {
    fn from(err: CoreError) -> Self {
        let wrong_password = matches!(err, CoreError::Sign(tpcore_sign::SignError::WrongPassword));
        let (message, reason, index) = match err {
            CoreError::Sign(e) => (e.to_string(), e.reason(), e.index()),
            CoreError::Eth(e) => (e.to_string(), e.reason(), e.index()),
            CoreError::Book(e) => (e.to_string(), e.reason(), None),
            CoreError::Risk(e) => (e.to_string(), e.reason(), e.index()),
            CoreError::Argument {
                reason,
                message,
                index,
            } => (message, reason, index),
        };
        if wrong_password {
            return DecryptionError::new_err((message, reason, index));
        }
        InvalidInput::new_err((message, reason, index))
    }
}
