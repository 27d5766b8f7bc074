//! The password-stretching functions a v3 keystore may name, and their cost checks.

use sha2::Sha256;
use zeroize::Zeroizing;

use super::bounds::{
    MAX_PBKDF2_ITERATIONS, MAX_SCRYPT_MEMORY, MAX_SCRYPT_N, MAX_SCRYPT_P, MAX_SCRYPT_R,
    MAX_SCRYPT_WORK,
};
use crate::SignError;

/// The key-derivation function of a keystore and its cost parameters.
///
/// The output is always 32 bytes (`dklen` 32) and PBKDF2's PRF is always HMAC-SHA256, the
/// only settings geth and eth-account use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kdf {
    /// scrypt with CPU/memory cost `n` (a power of two), block size `r` and parallelism `p`.
    Scrypt {
        /// CPU/memory cost, a power of two.
        n: u32,
        /// Block size.
        r: u32,
        /// Parallelism.
        p: u32,
    },
    /// PBKDF2-HMAC-SHA256 with `iterations` rounds (the keystore's `c`).
    Pbkdf2 {
        /// Iteration count.
        iterations: u32,
    },
}

impl Kdf {
    /// eth-account's and geth's default scrypt setting: n = 2^18, r = 8, p = 1.
    pub const SCRYPT_DEFAULT: Self = Self::Scrypt {
        n: 1 << 18,
        r: 8,
        p: 1,
    };

    /// eth-account's default PBKDF2 setting: 1,000,000 iterations of HMAC-SHA256.
    pub const PBKDF2_DEFAULT: Self = Self::Pbkdf2 {
        iterations: 1_000_000,
    };

    /// The name a keystore's `kdf` field gives this function.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Scrypt { .. } => "scrypt",
            Self::Pbkdf2 { .. } => "pbkdf2",
        }
    }

    /// Checks the parameters are valid and within the limits of [`bounds`](super::bounds).
    ///
    /// # Errors
    ///
    /// [`SignError::MalformedKeystore`] for parameters no KDF accepts (scrypt `n` not a power
    /// of two ≥ 2, a zero `r`, `p` or iteration count) and
    /// [`SignError::UnsupportedKeystore`] for costs above the limits.
    pub fn check(&self) -> Result<(), SignError> {
        match *self {
            Self::Scrypt { n, r, p } => check_scrypt(u64::from(n), u64::from(r), u64::from(p)),
            Self::Pbkdf2 { iterations } => check_pbkdf2(u64::from(iterations)),
        }
    }

    /// Stretches `password` with `salt` into the 32-byte derived key.
    ///
    /// # Errors
    ///
    /// As [`Kdf::check`], which runs first.
    pub(crate) fn derive(
        &self,
        password: &[u8],
        salt: &[u8],
    ) -> Result<Zeroizing<[u8; 32]>, SignError> {
        self.check()?;
        let mut key = Zeroizing::new([0u8; 32]);
        match *self {
            Self::Scrypt { n, r, p } => {
                let log_n = n.trailing_zeros() as u8;
                let params = scrypt::Params::new(log_n, r, p).map_err(|_| {
                    unsupported(format!("scrypt rejects n = {n}, r = {r}, p = {p}"))
                })?;
                scrypt::scrypt(password, salt, &params, &mut key[..])
                    .map_err(|_| unsupported("scrypt rejects a 32-byte output".to_owned()))?;
            }
            Self::Pbkdf2 { iterations } => {
                pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut key[..]);
            }
        }
        Ok(key)
    }
}

impl Default for Kdf {
    /// Returns [`Kdf::SCRYPT_DEFAULT`], what eth-account and geth write by default.
    fn default() -> Self {
        Self::SCRYPT_DEFAULT
    }
}

/// Checks scrypt parameters, taken wide so a keystore's values are checked before narrowing.
pub(crate) fn check_scrypt(n: u64, r: u64, p: u64) -> Result<(), SignError> {
    if n < 2 || !n.is_power_of_two() {
        return Err(malformed(
            "n",
            format!("scrypt n must be a power of two >= 2, got {n}"),
        ));
    }
    if r == 0 {
        return Err(malformed("r", "scrypt r must be at least 1".to_owned()));
    }
    if p == 0 {
        return Err(malformed("p", "scrypt p must be at least 1".to_owned()));
    }
    if n > MAX_SCRYPT_N || r > MAX_SCRYPT_R || p > MAX_SCRYPT_P {
        return Err(unsupported(format!(
            "scrypt n = {n}, r = {r}, p = {p} exceeds the limits n <= {MAX_SCRYPT_N}, \
             r <= {MAX_SCRYPT_R}, p <= {MAX_SCRYPT_P}"
        )));
    }
    // Cannot overflow: each factor is at most 2^20 after the checks above. The n-block
    // table dominates memory; the p blocks (at most 16) add little.
    let memory = 128 * n * r;
    let work = n * r * p;
    if memory > MAX_SCRYPT_MEMORY || work > MAX_SCRYPT_WORK {
        return Err(unsupported(format!(
            "scrypt n = {n}, r = {r}, p = {p} needs {memory} bytes and n*r*p = {work}; the \
             limits are {MAX_SCRYPT_MEMORY} bytes and {MAX_SCRYPT_WORK}"
        )));
    }
    Ok(())
}

/// Checks a PBKDF2 iteration count, taken wide so a keystore's value is checked first.
pub(crate) fn check_pbkdf2(iterations: u64) -> Result<(), SignError> {
    if iterations == 0 {
        return Err(malformed(
            "c",
            "PBKDF2 needs at least one iteration".to_owned(),
        ));
    }
    if iterations > MAX_PBKDF2_ITERATIONS {
        return Err(unsupported(format!(
            "PBKDF2 c = {iterations} exceeds the limit {MAX_PBKDF2_ITERATIONS}"
        )));
    }
    Ok(())
}

/// A bad KDF parameter, named by its keystore path.
fn malformed(param: &str, detail: String) -> SignError {
    SignError::MalformedKeystore {
        field: format!("crypto.kdfparams.{param}"),
        detail,
    }
}

/// A KDF setting beyond what this crate supports.
fn unsupported(detail: String) -> SignError {
    SignError::UnsupportedKeystore { detail }
}
