//! The one error type of `tpcore-risk`.
//!
//! Every variant has a stable snake_case [`RiskError::reason`]. A batch error wraps the
//! error of its first bad row in [`RiskError::Row`], whose reason is the inner reason and
//! whose [`RiskError::index`] names the row.

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
    /// A division by zero (a zero price, leverage or weight where one is needed).
    #[error("division by zero in {operation}")]
    DivisionByZero {
        /// The computation that divided by zero.
        operation: &'static str,
    },
    /// A decimal string that is not a number with at most 8 decimal places in range.
    #[error("invalid decimal {text:?}")]
    InvalidDecimal {
        /// The text as given.
        text: String,
    },
    /// A configuration (index, contract, breaker) with an out-of-range field.
    #[error("invalid config: {field} {detail}")]
    InvalidConfig {
        /// The field at fault.
        field: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A leverage bracket table that is not contiguous, monotone or consistent.
    #[error("invalid brackets: {detail}")]
    InvalidBrackets {
        /// What is wrong.
        detail: String,
    },
    /// A leverage above the maximum of the tier the notional falls in.
    #[error("leverage {leverage}x is above the tier's maximum of {max}x")]
    LeverageTooHigh {
        /// The leverage asked for.
        leverage: u32,
        /// The tier's maximum leverage.
        max: u32,
    },
    /// A notional above the cap of the last tier.
    #[error("notional {notional} is above the last tier's cap {max}")]
    NotionalAboveMax {
        /// The notional (value units).
        notional: i64,
        /// The last tier's cap (value units).
        max: i64,
    },
    /// A position field out of range (entry price not positive, leverage zero).
    #[error("invalid position: {field} {detail}")]
    InvalidPosition {
        /// The field at fault.
        field: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A mark or index price that is not positive where a price is needed.
    #[error("invalid price {price} for symbol {symbol}")]
    InvalidPrice {
        /// The symbol index.
        symbol: u32,
        /// The price given.
        price: i64,
    },
    /// An account or symbol index beyond the length of its table.
    #[error("{field} {value} is out of range (length {len})")]
    IndexOutOfRange {
        /// The column holding the index.
        field: &'static str,
        /// The index given.
        value: u64,
        /// The length of the table it indexes.
        len: usize,
    },
    /// Columns that must have the same number of rows do not.
    #[error("{field} has {got} rows, expected {expected}")]
    LengthMismatch {
        /// The column at fault.
        field: &'static str,
        /// Rows expected.
        expected: usize,
        /// Rows given.
        got: usize,
    },
    /// The account column of a batch is not grouped in ascending account order.
    #[error("positions are not sorted by account")]
    UnsortedAccounts,
    /// The error of one row of a batch: the first bad row, in row order.
    #[error("row {index}: {source}")]
    Row {
        /// The row (position index, or account index for account-level columns).
        index: usize,
        /// What is wrong with it.
        source: Box<RiskError>,
    },
}

impl RiskError {
    /// The stable snake_case reason code of this error, part of the public API. A
    /// [`RiskError::Row`] has the reason of the error it wraps.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Overflow { .. } => "overflow",
            Self::DivisionByZero { .. } => "division_by_zero",
            Self::InvalidDecimal { .. } => "invalid_decimal",
            Self::InvalidConfig { .. } => "invalid_config",
            Self::InvalidBrackets { .. } => "invalid_brackets",
            Self::LeverageTooHigh { .. } => "leverage_too_high",
            Self::NotionalAboveMax { .. } => "notional_above_max",
            Self::InvalidPosition { .. } => "invalid_position",
            Self::InvalidPrice { .. } => "invalid_price",
            Self::IndexOutOfRange { .. } => "index_out_of_range",
            Self::LengthMismatch { .. } => "row_count_mismatch",
            Self::UnsortedAccounts => "unsorted_accounts",
            Self::Row { source, .. } => source.reason(),
        }
    }

    /// The batch row the error belongs to, if it is a row error.
    #[must_use]
    pub fn index(&self) -> Option<usize> {
        match self {
            Self::Row { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// Wraps the error as the error of batch row `index` (a row error keeps its own row).
    #[must_use]
    pub fn at_row(self, index: usize) -> Self {
        match self {
            Self::Row { .. } => self,
            other => Self::Row {
                index,
                source: Box::new(other),
            },
        }
    }

    pub(crate) fn overflow(operation: &'static str) -> Self {
        Self::Overflow { operation }
    }
}
