//! The one error type of `tpcore-sign`.

/// Errors raised by the signing core.
///
/// Every variant has named fields; batch errors carry the `index` of the first bad row.
/// [`SignError::reason`] gives each variant a stable snake_case code that is part of the
/// public API, and [`SignError::index`] the row it concerns, if any. Messages never contain
/// secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// A flat input slice does not have the length its row width and row count require.
    #[error("{argument}: expected {expected} bytes, got {actual}")]
    Length {
        /// The argument, as the public API names it.
        argument: &'static str,
        /// The expected length in bytes.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    // --- keys, ECDSA, Ed25519, keccak (section owned by the ECDSA/Ed25519 work) ---
    /// A secp256k1 secret key is zero or not below the group order n.
    #[error("invalid secp256k1 secret key (zero or not below the group order){}", row_suffix(*index))]
    InvalidSecretKey {
        /// The first bad row of a batch, or `None` for a single key.
        index: Option<usize>,
    },
    /// A recoverable signature is malformed: r or s is zero or not below n, or v is not one
    /// of 0, 1, 27, 28.
    #[error("malformed recoverable signature{}", row_suffix(*index))]
    InvalidSignature {
        /// The row of a batch, or `None` for a single signature.
        index: Option<usize>,
    },
    /// A well-formed signature recovers to no public key for this hash.
    #[error("signature recovers to no public key{}", row_suffix(*index))]
    UnrecoverableSignature {
        /// The row of a batch, or `None` for a single signature.
        index: Option<usize>,
    },
    /// A row-width parameter is not one the function supports.
    #[error("{argument}: unsupported row width {width}")]
    InvalidWidth {
        /// The argument whose width is meant, as the public API names it.
        argument: &'static str,
        /// The width given.
        width: usize,
    },
    /// The operating system's random number generator failed.
    #[error("operating system randomness unavailable (os error {os_error:?})")]
    RandomnessUnavailable {
        /// The raw OS error code, when the OS gave one.
        os_error: Option<i32>,
    },
    // --- HD derivation and keystores (section owned by the HD/keystore work) ---
    /// A BIP-39 mnemonic is invalid: an unknown word, a wrong word count or a bad checksum.
    #[error("invalid mnemonic: {detail}")]
    InvalidMnemonic {
        /// What is wrong; never the words themselves.
        detail: String,
    },
    /// A BIP-32 derivation path does not parse, or a child index range leaves the valid range.
    #[error("invalid derivation path {path:?}: {detail}")]
    InvalidPath {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A BIP-32 seed is not 16 to 64 bytes long, or yields no valid master key.
    #[error("invalid seed: {detail}")]
    InvalidSeed {
        /// What is wrong; never the seed bytes.
        detail: String,
    },
    /// A keystore's MAC does not match: the password is wrong or the file was altered.
    #[error("wrong keystore password (MAC mismatch)")]
    WrongPassword,
    /// A keystore uses a version, cipher, KDF, PRF or KDF cost this crate does not support.
    #[error("unsupported keystore: {detail}")]
    UnsupportedKeystore {
        /// What is not supported.
        detail: String,
    },
    /// A keystore field is missing, has the wrong type, bad hex or a bad length.
    #[error("malformed keystore field {field}: {detail}")]
    MalformedKeystore {
        /// The dotted JSON path of the field, such as `crypto.kdfparams.salt`.
        field: String,
        /// What is wrong with it.
        detail: String,
    },
}

impl SignError {
    /// The stable snake_case reason code of this error, part of the public API.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Length { .. } => "invalid_length",
            // --- keys, ECDSA, Ed25519, keccak ---
            Self::InvalidSecretKey { .. } => "invalid_secret_key",
            Self::InvalidSignature { .. } => "invalid_signature",
            Self::UnrecoverableSignature { .. } => "unrecoverable_signature",
            Self::InvalidWidth { .. } => "invalid_width",
            Self::RandomnessUnavailable { .. } => "randomness_unavailable",
            // --- HD derivation and keystores ---
            Self::InvalidMnemonic { .. } => "invalid_mnemonic",
            Self::InvalidPath { .. } => "invalid_path",
            Self::InvalidSeed { .. } => "invalid_seed",
            Self::WrongPassword => "wrong_password",
            Self::UnsupportedKeystore { .. } => "unsupported_keystore",
            Self::MalformedKeystore { .. } => "malformed_keystore",
        }
    }

    /// The row of a batch this error concerns, if it concerns one.
    #[must_use]
    pub fn index(&self) -> Option<usize> {
        match self {
            // --- keys, ECDSA, Ed25519, keccak ---
            Self::InvalidSecretKey { index }
            | Self::InvalidSignature { index }
            | Self::UnrecoverableSignature { index } => *index,
            Self::Length { .. }
            | Self::InvalidWidth { .. }
            | Self::RandomnessUnavailable { .. }
            // --- HD derivation and keystores ---
            | Self::InvalidMnemonic { .. }
            | Self::InvalidPath { .. }
            | Self::InvalidSeed { .. }
            | Self::WrongPassword
            | Self::UnsupportedKeystore { .. }
            | Self::MalformedKeystore { .. } => None,
        }
    }
}

// --- keys, ECDSA, Ed25519, keccak (helpers owned by the ECDSA/Ed25519 work) ---

/// Formats the row of a batch error as a message suffix (empty for a single value).
fn row_suffix(index: Option<usize>) -> String {
    index.map_or_else(String::new, |i| format!(" at row {i}"))
}
