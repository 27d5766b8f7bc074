//! The limits on KDF cost and field sizes that [`decrypt`](super::decrypt) accepts and
//! [`encrypt`](super::encrypt) writes.
//!
//! scrypt needs about `128 * n * r` bytes of memory and time proportional to `n * r * p`;
//! PBKDF2 needs time proportional to its iteration count. geth's "standard" scrypt
//! (n = 2^18, r = 8, p = 1, also eth-account's default) needs 256 MiB, n·r·p = 2^21 and about
//! a second. The caps allow four times that memory and work (so n = 2^20, r = 8, p = 1
//! passes) and ten times eth-account's PBKDF2 default: real keystores pass, while a hostile
//! one costs at most 1 GiB and a few seconds.

/// The largest scrypt `n` (CPU/memory cost), 2^20; `n` must also be a power of two ≥ 2.
pub const MAX_SCRYPT_N: u64 = 1 << 20;

/// The largest scrypt `r` (block size).
pub const MAX_SCRYPT_R: u64 = 64;

/// The largest scrypt `p` (parallelism).
pub const MAX_SCRYPT_P: u64 = 16;

/// The most memory scrypt's table may need, `128 * n * r` bytes: 1 GiB.
pub const MAX_SCRYPT_MEMORY: u64 = 1 << 30;

/// The most scrypt work, `n * r * p`: 2^23, four times geth's standard setting.
pub const MAX_SCRYPT_WORK: u64 = 1 << 23;

/// The largest PBKDF2 iteration count `c`.
pub const MAX_PBKDF2_ITERATIONS: u64 = 10_000_000;

/// The longest KDF salt, in bytes (geth writes 32, eth-account 16).
pub const MAX_SALT_LEN: usize = 1024;
