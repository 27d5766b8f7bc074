//! Web3 Secret Storage v3 keystores, as geth and eth-account write them: a secp256k1 secret
//! encrypted with AES-128-CTR under a key stretched from a password by scrypt or
//! PBKDF2-HMAC-SHA256, authenticated by `keccak256(derived_key[16..32] || ciphertext)`.
//!
//! [`decrypt`] reads files from either tool (the `crypto` object may also be spelled `Crypto`,
//! hex may carry a `0x` prefix) and checks the MAC, in constant time, before decrypting.
//! Because the KDF cost comes from the file, a hostile file could otherwise make decryption
//! run for hours or allocate without limit, so [`bounds`] caps it; files within the caps
//! cover every geth and eth-account setting, including geth's "standard" scrypt
//! (n = 2^18, r = 8, p = 1).
//!
//! Derived keys and plaintexts live in [`Zeroizing`](zeroize::Zeroizing) buffers; the AES
//! key schedule wipes itself on drop.

pub mod bounds;
mod cipher;
mod decrypt;
mod encrypt;
mod json;
mod kdf;

pub use decrypt::decrypt;
pub use encrypt::encrypt;
pub use json::{CipherParams, KdfParams, Keystore, KeystoreCrypto};
pub use kdf::Kdf;
