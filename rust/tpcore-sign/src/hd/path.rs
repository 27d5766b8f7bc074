//! BIP-32 derivation paths in their text form, such as `m/44'/60'/0'/0/5`.

use std::fmt;
use std::str::FromStr;

use crate::SignError;

/// The bit that marks a hardened child number.
pub(crate) const HARDENED: u32 = 0x8000_0000;

/// The deepest path BIP-32 serialisation can describe: its depth field is one byte.
const MAX_DEPTH: usize = 255;

/// A parsed BIP-32 derivation path: `m` followed by zero or more `/`-separated child indices.
///
/// An index below 2^31 may be followed by `'` or `h` to mark it hardened. Parsing is strict:
/// no surrounding whitespace, no empty segments, no signs, at most 255 levels.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DerivationPath {
    /// Raw BIP-32 child numbers, hardened ones with the top bit set.
    children: Vec<u32>,
}

impl DerivationPath {
    /// Parses a path such as `m/44'/60'/0'/0/5` or `m/44h/60h/0h`.
    ///
    /// # Errors
    ///
    /// [`SignError::InvalidPath`] if the text does not start with `m`, has an empty segment,
    /// an index that is not a decimal number below 2^31, or more than 255 levels.
    pub fn parse(path: &str) -> Result<Self, SignError> {
        let invalid = |detail: String| SignError::InvalidPath {
            path: path.to_owned(),
            detail,
        };
        let mut segments = path.split('/');
        if segments.next() != Some("m") {
            return Err(invalid("a path must start with \"m\"".to_owned()));
        }
        let children = segments
            .enumerate()
            .map(|(level, segment)| {
                parse_child(segment).map_err(|why| invalid(format!("level {}: {why}", level + 1)))
            })
            .collect::<Result<Vec<u32>, SignError>>()?;
        if children.len() > MAX_DEPTH {
            return Err(invalid(format!(
                "{} levels, at most {MAX_DEPTH} allowed",
                children.len()
            )));
        }
        Ok(Self { children })
    }

    /// Returns the raw BIP-32 child numbers, hardened ones with bit 31 set.
    #[must_use]
    pub fn children(&self) -> &[u32] {
        &self.children
    }

    /// Returns the number of levels below the master node.
    #[must_use]
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// Tells whether this is the master node `m` itself.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}

/// Parses one segment into a raw child number, or says why it cannot.
fn parse_child(segment: &str) -> Result<u32, &'static str> {
    let (digits, hardened) = match segment.strip_suffix(['\'', 'h']) {
        Some(digits) => (digits, true),
        None => (segment, false),
    };
    // `u32::from_str` would also take a leading `+`; a path index is plain digits.
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected a decimal index, optionally followed by ' or h");
    }
    let index = digits
        .parse::<u32>()
        .ok()
        .filter(|&i| i < HARDENED)
        .ok_or("index must be below 2^31")?;
    Ok(if hardened { index | HARDENED } else { index })
}

impl FromStr for DerivationPath {
    type Err = SignError;

    fn from_str(path: &str) -> Result<Self, SignError> {
        Self::parse(path)
    }
}

impl fmt::Display for DerivationPath {
    /// Writes the canonical form, with `'` for hardened indices.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("m")?;
        for &child in &self.children {
            if child & HARDENED == 0 {
                write!(f, "/{child}")?;
            } else {
                write!(f, "/{}'", child & !HARDENED)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_canonically() {
        let path = DerivationPath::parse("m/44h/60'/0'/0/5").unwrap();
        assert_eq!(
            path.children(),
            &[HARDENED + 44, HARDENED + 60, HARDENED, 0, 5]
        );
        assert_eq!(path.to_string(), "m/44'/60'/0'/0/5");
        assert_eq!(path.len(), 5);
        assert!(DerivationPath::parse("m").unwrap().is_empty());
        assert_eq!(
            "m/2147483647'"
                .parse::<DerivationPath>()
                .unwrap()
                .children(),
            &[u32::MAX]
        );
    }

    #[test]
    fn rejects_bad_paths() {
        for bad in [
            "",
            "M/0",
            "/0",
            "0/1",
            "m/",
            "m//1",
            "m/1/",
            " m/1",
            "m/1 ",
            "m/+1",
            "m/-1",
            "m/1''",
            "m/1H",
            "m/0x10",
            "m/2147483648",
            "m/4294967296",
            "m/h",
            "m/'",
        ] {
            let err = DerivationPath::parse(bad).unwrap_err();
            assert_eq!(err.reason(), "invalid_path", "{bad:?}");
            assert!(matches!(&err, SignError::InvalidPath { path, .. } if path == bad));
        }
        let deep = format!("m{}", "/0".repeat(256));
        assert!(DerivationPath::parse(&deep).is_err());
        let deepest = format!("m{}", "/0".repeat(255));
        assert_eq!(DerivationPath::parse(&deepest).unwrap().len(), 255);
    }
}
