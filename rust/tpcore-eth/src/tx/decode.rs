//! Decoding signed raw transactions and recovering their senders.

use alloy_consensus::transaction::to_eip155_value;
use alloy_consensus::{Signed, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::{Decodable2718, Eip2718Error};
use alloy_primitives::{Address, B256, Signature, U256, keccak256};
use tpcore_sign::ecdsa::{address, recover};

use super::authorization::join_signature;
use super::request::{MAX_CHAIN_ID, ResolvedTx, TxRequest};
use super::sign::eth_account_v;
use crate::EthError;

/// A decoded raw transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedTx {
    /// The transaction as a canonical request (see [`ResolvedTx::to_request`]), `tx_type`
    /// set. It is what was signed; it is not re-validated (a decoded type-4 transaction may,
    /// for instance, carry an empty authorization list that `resolve` would refuse).
    pub tx: TxRequest,
    /// `(r, s, v)` with eth-account's `v` (see [`super::SignedTx::v`]). Always present for
    /// the signed encodings accepted today.
    pub signature: Option<(U256, U256, u64)>,
    /// The transaction hash: keccak256 of the raw bytes.
    pub hash: B256,
    /// The sender recovered from the signature, or `None` if it recovers to no key.
    pub sender: Option<Address>,
}

/// Decodes a signed raw transaction: an EIP-2718 typed transaction (types 1, 2 and 4) or a
/// legacy RLP list (v = 27/28, or EIP-155 `35 + 2 * chainId + yParity`).
///
/// # Errors
///
/// [`EthError::UnsupportedTransactionType`] for a type byte other than 1, 2 or 4 (blob
/// transactions, type 3, included); [`EthError::MalformedTransaction`] for empty input, bad
/// RLP, wrong field types, trailing bytes or an invalid legacy `v`.
pub fn decode_transaction(raw: &[u8]) -> Result<DecodedTx, EthError> {
    let (tx, signature) = decode_signed(raw)?;
    let legacy = matches!(tx, ResolvedTx::Legacy(_));
    let v = eth_account_v(tx.chain_id(), legacy, signature.v());
    let sender = sender_of(&tx, &signature).ok();
    Ok(DecodedTx {
        tx: tx.to_request(),
        signature: Some((signature.r(), signature.s(), v)),
        hash: keccak256(raw),
        sender,
    })
}

/// Recovers the sender of a signed raw transaction.
///
/// # Errors
///
/// As [`decode_transaction`]; and [`EthError::Sign`] if r or s is zero or not below the group
/// order, or the signature recovers to no key.
pub fn recover_sender(raw: &[u8]) -> Result<Address, EthError> {
    let (tx, signature) = decode_signed(raw)?;
    sender_of(&tx, &signature)
}

/// Recovers the address that signed `tx`.
fn sender_of(tx: &ResolvedTx, signature: &Signature) -> Result<Address, EthError> {
    let sig = join_signature(signature.r(), signature.s(), u8::from(signature.v()));
    let public = recover(&tx.signing_hash().0, &sig)?;
    Ok(Address::from(address(&public)))
}

/// Decodes the transaction and its signature, rejecting trailing bytes.
fn decode_signed(raw: &[u8]) -> Result<(ResolvedTx, Signature), EthError> {
    let Some(&first) = raw.first() else {
        return Err(malformed("empty input"));
    };
    // Below 0x80 the first byte is an EIP-2718 type; 0x80..0xc0 starts an RLP string, which
    // no transaction is; 0xc0 and above starts a legacy RLP list.
    match first {
        0xc0.. => decode_legacy(raw),
        0x80.. => Err(malformed("an RLP string, not a transaction")),
        1 | 2 | 4 => decode_typed(raw),
        _ => Err(EthError::UnsupportedTransactionType { tx_type: first }),
    }
}

/// Decodes a legacy RLP list. Decoded directly rather than through the envelope, whose
/// legacy fallback reports every failure as "unexpected type 0".
fn decode_legacy(raw: &[u8]) -> Result<(ResolvedTx, Signature), EthError> {
    let mut buf = raw;
    let signed = Signed::<TxLegacy>::rlp_decode(&mut buf).map_err(|e| malformed(e.to_string()))?;
    if !buf.is_empty() {
        return Err(trailing(buf.len()));
    }
    let (tx, signature) = parts(signed);
    // v = 35 + 2 * chainId + yParity must fit eth-account's v in 64 bits.
    if tx.chain_id.is_some_and(|id| id > MAX_CHAIN_ID) {
        return Err(malformed(format!(
            "legacy v {} encodes a chain id above {MAX_CHAIN_ID}",
            to_eip155_value(signature.v(), tx.chain_id)
        )));
    }
    Ok((ResolvedTx::Legacy(tx), signature))
}

/// Decodes an EIP-2718 typed transaction of type 1, 2 or 4.
fn decode_typed(raw: &[u8]) -> Result<(ResolvedTx, Signature), EthError> {
    let mut buf = raw;
    let envelope = TxEnvelope::decode_2718(&mut buf).map_err(|e| match e {
        Eip2718Error::UnexpectedType(ty) => EthError::UnsupportedTransactionType { tx_type: ty },
        other => malformed(other.to_string()),
    })?;
    if !buf.is_empty() {
        return Err(trailing(buf.len()));
    }
    let (tx, signature) = match envelope {
        TxEnvelope::Eip2930(signed) => {
            let (tx, signature) = parts(signed);
            (ResolvedTx::AccessList(tx), signature)
        }
        TxEnvelope::Eip1559(signed) => {
            let (tx, signature) = parts(signed);
            (ResolvedTx::DynamicFee(tx), signature)
        }
        TxEnvelope::Eip7702(signed) => {
            let (tx, signature) = parts(signed);
            (ResolvedTx::SetCode(tx), signature)
        }
        // The caller only passes types 1, 2 and 4.
        TxEnvelope::Legacy(_) | TxEnvelope::Eip4844(_) => {
            return Err(EthError::UnsupportedTransactionType { tx_type: raw[0] });
        }
    };
    Ok((tx, signature))
}

/// Splits a signed transaction into the transaction and its signature.
fn parts<T>(signed: Signed<T>) -> (T, Signature) {
    // Not `into_parts`, which would hash the transaction again; the hash is the raw bytes'.
    let signature = *signed.signature();
    (signed.strip_signature(), signature)
}

/// The error for bytes left after a complete transaction.
fn trailing(count: usize) -> EthError {
    malformed(format!("{count} trailing byte(s) after the transaction"))
}

/// A [`EthError::MalformedTransaction`].
fn malformed(detail: impl Into<String>) -> EthError {
    EthError::MalformedTransaction {
        detail: detail.into(),
    }
}
