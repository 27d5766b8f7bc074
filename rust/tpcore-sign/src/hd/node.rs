//! One BIP-32 node (secret key and chain code) and the steps from seed to master to child.
//!
//! CKDpriv itself is the `bip32` crate's [`bip32::PrivateKey`] implementation for
//! [`k256::SecretKey`]; this module only keeps every intermediate secret in wiping storage,
//! which `bip32::XPrv` does not do for chain codes.

use bip32::{ChildNumber, PrivateKey as _, PublicKey as _};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;
use zeroize::{Zeroize, Zeroizing};

use crate::SignError;

/// The HMAC key BIP-32 fixes for the master node.
const MASTER_HMAC_KEY: &[u8] = b"Bitcoin seed";

/// The seed lengths BIP-32 allows: 128 to 512 bits.
pub(crate) const SEED_LEN: std::ops::RangeInclusive<usize> = 16..=64;

/// Why a derivation step failed; the caller knows the path to put in the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InvalidChild;

/// A BIP-32 extended private key without the metadata only serialisation needs.
pub(crate) struct Node {
    /// The secret scalar; `k256` wipes it on drop.
    key: k256::SecretKey,
    /// The chain code, as secret as the key for every non-hardened descendant.
    chain_code: Zeroizing<[u8; 32]>,
}

impl Node {
    /// Computes the master node of a 16- to 64-byte seed.
    ///
    /// `bip32::XPrv::new` would do this too but only accepts 16, 32 or 64 bytes, while BIP-32
    /// allows every length from 16 to 64; the step is one HMAC-SHA512.
    pub(crate) fn master(seed: &[u8]) -> Result<Self, SignError> {
        if !SEED_LEN.contains(&seed.len()) {
            return Err(SignError::InvalidSeed {
                detail: format!("seed must be 16 to 64 bytes, got {}", seed.len()),
            });
        }
        let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(MASTER_HMAC_KEY).map_err(|_| {
            SignError::InvalidSeed {
                detail: "HMAC-SHA512 rejected its key".to_owned(),
            }
        })?;
        mac.update(seed);
        let mut digest = mac.finalize().into_bytes();
        let node = split(&digest).ok_or_else(|| SignError::InvalidSeed {
            detail: "the seed yields an invalid master key (probability below 2^-127)".to_owned(),
        });
        digest.as_mut_slice().zeroize();
        node
    }

    /// Derives child `child` (a raw child number, hardened with bit 31 set).
    pub(crate) fn child(&self, child: u32) -> Result<Self, InvalidChild> {
        let (tweak, chain_code) = self
            .key
            .derive_tweak(&self.chain_code, ChildNumber(child))
            .map_err(|_| InvalidChild)?;
        self.finish(tweak, chain_code)
    }

    /// Derives the non-hardened child `child` given this node's public key, so a batch of
    /// siblings computes the parent's public key once instead of once per child.
    pub(crate) fn normal_child(
        &self,
        public: &k256::PublicKey,
        child: u32,
    ) -> Result<Self, InvalidChild> {
        let (tweak, chain_code) = public
            .derive_tweak(&self.chain_code, ChildNumber(child))
            .map_err(|_| InvalidChild)?;
        self.finish(tweak, chain_code)
    }

    /// Adds the tweak to this node's key (CKDpriv's last step), wiping the tweak.
    fn finish(&self, tweak: [u8; 32], chain_code: [u8; 32]) -> Result<Self, InvalidChild> {
        let tweak = Zeroizing::new(tweak);
        let chain_code = Zeroizing::new(chain_code);
        let key = self.key.derive_child(*tweak).map_err(|_| InvalidChild)?;
        Ok(Self { key, chain_code })
    }

    /// Returns this node's public key.
    pub(crate) fn public_key(&self) -> k256::PublicKey {
        self.key.public_key()
    }

    /// Returns the 32-byte big-endian secret key.
    pub(crate) fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(bip32::PrivateKey::to_bytes(&self.key))
    }

    /// Walks `children` (raw child numbers) down from this node.
    pub(crate) fn descend(self, children: &[u32]) -> Result<Self, InvalidChild> {
        children
            .iter()
            .try_fold(self, |node, &child| node.child(child))
    }
}

/// Splits a 64-byte HMAC output into key (left half) and chain code (right half).
fn split(digest: &[u8]) -> Option<Node> {
    let (left, right) = digest.split_at_checked(32)?;
    let key = k256::SecretKey::from_slice(left).ok()?;
    let mut chain_code = Zeroizing::new([0u8; 32]);
    chain_code.copy_from_slice(right.get(..32)?);
    Some(Node { key, chain_code })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-rolled master step agrees with `bip32::XPrv::new` where that accepts the seed.
    #[test]
    fn master_matches_bip32_crate() {
        for len in [16usize, 32, 64] {
            let seed: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let ours = Node::master(&seed).unwrap();
            let theirs = bip32::XPrv::new(&seed).unwrap();
            assert_eq!(*ours.secret_bytes(), theirs.to_bytes());
            assert_eq!(*ours.chain_code, theirs.attrs().chain_code);
            let child = 0x8000_002c;
            let ours = ours.child(child).unwrap().child(7).unwrap();
            let theirs = theirs
                .derive_child(ChildNumber(child))
                .unwrap()
                .derive_child(ChildNumber(7))
                .unwrap();
            assert_eq!(*ours.secret_bytes(), theirs.to_bytes());
        }
    }

    #[test]
    fn normal_child_matches_child() {
        let node = Node::master(&[9u8; 20]).unwrap();
        let public = node.public_key();
        for i in [0u32, 1, 1000, 0x7fff_ffff] {
            assert_eq!(
                *node.normal_child(&public, i).unwrap().secret_bytes(),
                *node.child(i).unwrap().secret_bytes()
            );
        }
        // The public path cannot take a hardened index.
        assert!(node.normal_child(&public, 0x8000_0000).is_err());
    }

    #[test]
    fn seed_length_bounds() {
        assert!(Node::master(&[1u8; 15]).is_err());
        assert!(Node::master(&[1u8; 16]).is_ok());
        assert!(Node::master(&[1u8; 64]).is_ok());
        assert!(Node::master(&[1u8; 65]).is_err());
    }
}
