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
    /// Raw transaction bytes do not decode: empty, bad RLP, wrong field types, trailing
    /// bytes or an invalid legacy `v`.
    #[error("malformed transaction: {detail}")]
    MalformedTransaction {
        /// What is wrong with the bytes.
        detail: String,
    },
    /// A raw transaction's EIP-2718 type byte is not one this crate handles (1, 2, 4; a
    /// first byte of 0xc0 or above is legacy). Blob transactions (type 3) are refused here.
    #[error("unsupported transaction type {tx_type:#04x}")]
    UnsupportedTransactionType {
        /// The type byte.
        tx_type: u8,
    },
    // --- messages, typed data, ABI, logs, fees (section owned by the messages/ABI work) ---
    /// An address string is not `0x` followed by 40 hex digits.
    #[error("{field}: invalid address: {detail}")]
    InvalidAddress {
        /// The argument or ABI value path the address came from.
        field: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A mixed-case address does not match its EIP-55 checksum.
    #[error("{field}: bad EIP-55 checksum in {address}")]
    BadChecksum {
        /// The argument or ABI value path the address came from.
        field: String,
        /// The address as given (public data, shown to help the caller find it).
        address: String,
    },
    /// An EIP-712 typed-data document is malformed or does not match its types.
    #[error("invalid EIP-712 typed data: {detail}")]
    InvalidTypedData {
        /// What is wrong, naming the type or field when known.
        detail: String,
    },
    /// An ABI type string does not parse or is not supported.
    #[error("invalid ABI type {ty:?}: {detail}")]
    InvalidAbiType {
        /// The type as given.
        ty: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A value cannot be encoded as its ABI type.
    #[error("{path}: {detail}")]
    InvalidAbiValue {
        /// Where the value sits, like `values[2][1]`.
        path: String,
        /// What is wrong with it.
        detail: String,
    },
    /// ABI-encoded data does not decode as the given types.
    #[error("ABI decode error: {detail}")]
    AbiDecode {
        /// What is wrong with the data.
        detail: String,
    },
    /// A JSON ABI (event or error items) does not parse.
    #[error("invalid JSON ABI: {detail}")]
    InvalidAbiJson {
        /// What is wrong with it.
        detail: String,
    },
    /// A log's topics do not fit its event: wrong topic count or topic0 is not the selector.
    #[error("log does not match the event: {detail}")]
    LogMismatch {
        /// What does not match.
        detail: String,
    },
    /// An `eth_feeHistory` result has inconsistent shapes or no usable blocks.
    #[error("invalid fee history: {detail}")]
    InvalidFeeHistory {
        /// What is wrong with it.
        detail: String,
    },
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

    /// This error without its batch index, for a call that had one element.
    #[must_use]
    pub fn unbatched(self) -> Self {
        match self {
            Self::InBatch { source, .. } => *source,
            other => other,
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
            Self::MalformedTransaction { .. } => "malformed_transaction",
            Self::UnsupportedTransactionType { .. } => "unsupported_transaction_type",
            // --- messages, typed data, ABI, logs, fees ---
            Self::InvalidAddress { .. } => "invalid_address",
            Self::BadChecksum { .. } => "bad_checksum",
            Self::InvalidTypedData { .. } => "invalid_typed_data",
            Self::InvalidAbiType { .. } => "invalid_abi_type",
            Self::InvalidAbiValue { .. } => "invalid_abi_value",
            Self::AbiDecode { .. } => "abi_decode_error",
            Self::InvalidAbiJson { .. } => "invalid_abi_json",
            Self::LogMismatch { .. } => "log_mismatch",
            Self::InvalidFeeHistory { .. } => "invalid_fee_history",
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
