//! BIP-39 mnemonics: generation from OS randomness and validation plus seed stretching.

use std::borrow::Cow;
use std::fmt::Write as _;

use bip39::{Language, Mnemonic};
use zeroize::Zeroizing;

use crate::SignError;

/// The longest English mnemonic: 24 words of at most 8 letters and 23 spaces. Reserving it
/// up front keeps the string from reallocating and leaving copies of the words behind.
const MAX_MNEMONIC_LEN: usize = 24 * 8 + 23;

/// Stretches a BIP-39 mnemonic and passphrase into the 64-byte seed.
///
/// Both texts are NFKD-normalised as BIP-39 requires; the words are checked against the
/// English word list and the checksum is verified. Words may be separated by any whitespace.
///
/// # Errors
///
/// [`SignError::InvalidMnemonic`] if the word count is not 12, 15, 18, 21 or 24, a word is not
/// on the English list, or the checksum does not match. The message names the position of a
/// bad word, never the word.
pub fn mnemonic_to_seed(phrase: &str, passphrase: &str) -> Result<Zeroizing<[u8; 64]>, SignError> {
    let phrase = nfkd(phrase);
    let mnemonic = Mnemonic::parse_in_normalized(Language::English, &phrase).map_err(|e| {
        SignError::InvalidMnemonic {
            detail: e.to_string(),
        }
    })?;
    let passphrase = nfkd(passphrase);
    Ok(Zeroizing::new(mnemonic.to_seed_normalized(&passphrase)))
}

/// Generates a new English BIP-39 mnemonic of `words` words from OS randomness.
///
/// # Errors
///
/// [`SignError::InvalidMnemonic`] if `words` is not 12, 15, 18, 21 or 24, and
/// [`SignError::RandomnessUnavailable`] if the OS random number generator fails.
pub fn generate_mnemonic(words: usize) -> Result<Zeroizing<String>, SignError> {
    // 11 bits per word carry 32 bits of entropy per 3 words; the rest is checksum.
    if !matches!(words, 12 | 15 | 18 | 21 | 24) {
        return Err(SignError::InvalidMnemonic {
            detail: format!("word count must be 12, 15, 18, 21 or 24, got {words}"),
        });
    }
    let entropy_len = words / 3 * 4;
    let mut entropy = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut entropy[..entropy_len]).map_err(|e| SignError::RandomnessUnavailable {
        os_error: e.raw_os_error(),
    })?;
    let mnemonic =
        Mnemonic::from_entropy_in(Language::English, &entropy[..entropy_len]).map_err(|e| {
            SignError::InvalidMnemonic {
                detail: e.to_string(),
            }
        })?;
    let mut phrase = Zeroizing::new(String::with_capacity(MAX_MNEMONIC_LEN));
    // Writing into a String cannot fail.
    let _ = write!(phrase, "{mnemonic}");
    Ok(phrase)
}

/// Returns the NFKD form of `text` in a string that is wiped on drop.
fn nfkd(text: &str) -> Zeroizing<String> {
    let mut cow = Cow::Borrowed(text);
    Mnemonic::normalize_utf8_cow(&mut cow);
    Zeroizing::new(cow.into_owned())
}
