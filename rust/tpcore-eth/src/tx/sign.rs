//! Signing transactions, one at a time or as a parallel batch.

use alloy_consensus::transaction::RlpEcdsaEncodableTx;
use alloy_primitives::{B256, Signature, U256, keccak256};
use rayon::prelude::*;
use tpcore_sign::SignError;
use tpcore_sign::ecdsa::{PrivateKey, sign_hash};

use super::authorization::split_signature;
use super::request::{ResolvedTx, TxRequest};
use crate::EthError;

/// Transactions per rayon task: one signature costs tens of microseconds, so 8 keep
/// scheduling negligible and still spread 100 transactions over the pool. Batches of at most
/// this many run on the calling thread.
const MIN_TXS_PER_TASK: usize = 8;

/// A signed transaction, as eth-account's `SignedTransaction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTx {
    /// The EIP-2718 encoding to broadcast (`eth_sendRawTransaction`).
    pub raw_transaction: Vec<u8>,
    /// The transaction hash: keccak256 of `raw_transaction`.
    pub hash: B256,
    /// The signature's r.
    pub r: U256,
    /// The signature's s (always in the low half).
    pub s: U256,
    /// eth-account's v: `35 + 2 * chainId + yParity` for legacy with a chain id,
    /// `27 + yParity` for legacy without, and `yParity` (0 or 1) for typed transactions.
    pub v: u64,
}

/// The hash a transaction request is signed over (validating it first).
///
/// EIP-155 (`rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0])`) for legacy with a
/// chain id; the six bare fields for legacy without; `keccak256(type || rlp(fields))` for
/// typed transactions.
///
/// # Errors
///
/// [`EthError::InvalidField`] as for [`TxRequest::resolve`].
pub fn signing_hash(tx: &TxRequest) -> Result<B256, EthError> {
    Ok(tx.resolve()?.signing_hash())
}

/// Validates and signs a transaction request with `key`.
///
/// # Errors
///
/// [`EthError::InvalidField`] as for [`TxRequest::resolve`].
pub fn sign_transaction(tx: &TxRequest, key: &PrivateKey) -> Result<SignedTx, EthError> {
    sign_resolved(&tx.resolve()?, |hash| Ok(key.sign_hash(hash)))
}

/// Validates and signs a transaction request with a raw 32-byte secret key.
///
/// # Errors
///
/// [`EthError::InvalidField`] as for [`TxRequest::resolve`] (checked first); then
/// [`EthError::Sign`] if the key is not 32 bytes or not a valid secp256k1 scalar.
pub fn sign_transaction_with_secret(tx: &TxRequest, secret: &[u8]) -> Result<SignedTx, EthError> {
    // The raw-key path skips deriving the public key, which would cost a second curve
    // multiplication per transaction; the request is therefore validated before the key.
    sign_resolved(&tx.resolve()?, |hash| sign_hash(secret, hash))
}

/// Signs a batch of transaction requests in parallel on the current rayon pool.
///
/// `secret_keys` is either one 32-byte key for every transaction (parsed once) or 32 bytes
/// per transaction, row-major. With a single transaction both readings coincide.
///
/// # Errors
///
/// [`EthError::Sign`] with [`SignError::Length`] if `secret_keys` is neither 32 nor
/// `32 * txs.len()` bytes. Otherwise the failure of the lowest failing index `i`, independent
/// of scheduling, as [`EthError::InBatch`] (`err.at(i)`): an invalid key (a broadcast key is
/// reported at index 0) or an invalid transaction.
pub fn sign_transactions(txs: &[TxRequest], secret_keys: &[u8]) -> Result<Vec<SignedTx>, EthError> {
    let per_row = secret_keys.len() == txs.len().saturating_mul(32);
    if !per_row && secret_keys.len() != 32 {
        return Err(SignError::Length {
            argument: "secret_keys",
            expected: txs.len().saturating_mul(32),
            actual: secret_keys.len(),
        }
        .into());
    }
    if per_row {
        run_batch(txs, |i, tx| {
            sign_transaction_with_secret(tx, &secret_keys[i * 32..(i + 1) * 32])
        })
    } else {
        let key = PrivateKey::from_bytes(secret_keys).map_err(|e| EthError::from(e).at(0))?;
        run_batch(txs, |_, tx| sign_transaction(tx, &key))
    }
}

/// Runs `f` over every transaction, serially for small batches and in parallel otherwise,
/// and returns the results or the error of the lowest failing index.
fn run_batch<F>(txs: &[TxRequest], f: F) -> Result<Vec<SignedTx>, EthError>
where
    F: Fn(usize, &TxRequest) -> Result<SignedTx, EthError> + Sync,
{
    let f = |(i, tx): (usize, &TxRequest)| f(i, tx).map_err(|e| e.at(i));
    if txs.len() <= MIN_TXS_PER_TASK {
        txs.iter().enumerate().map(f).collect()
    } else {
        // Collect every result, then take the first error in index order: rayon's
        // short-circuiting `collect::<Result<..>>` would report whichever error it met
        // first, which depends on scheduling.
        let results: Vec<Result<SignedTx, EthError>> = txs
            .par_iter()
            .with_min_len(MIN_TXS_PER_TASK)
            .enumerate()
            .map(f)
            .collect();
        results.into_iter().collect()
    }
}

/// Signs an already validated transaction with `signer`, which maps a 32-byte hash to a
/// 65-byte `r || s || recovery id` signature.
fn sign_resolved<S>(tx: &ResolvedTx, signer: S) -> Result<SignedTx, EthError>
where
    S: FnOnce(&[u8; 32]) -> Result<[u8; 65], SignError>,
{
    let (r, s, parity) = split_signature(&signer(&tx.signing_hash().0)?);
    // libsecp256k1 yields recovery ids 2 and 3 only when r overflowed the group order, with
    // probability about 2^-127; Ethereum cannot encode them.
    let odd = match parity {
        0 => false,
        1 => true,
        _ => return Err(SignError::InvalidSignature { index: None }.into()),
    };
    let signature = Signature::new(r, s, odd);
    let raw_transaction = encode_signed(tx, &signature);
    let hash = keccak256(&raw_transaction);
    Ok(SignedTx {
        raw_transaction,
        hash,
        r,
        s,
        v: eth_account_v(tx.chain_id(), tx.tx_type() == super::TxType::Legacy, odd),
    })
}

/// The EIP-2718 encoding of `tx` with `signature` (plain RLP for legacy, EIP-155 `v` when it
/// has a chain id).
fn encode_signed(tx: &ResolvedTx, signature: &Signature) -> Vec<u8> {
    fn encode<T: RlpEcdsaEncodableTx>(tx: &T, signature: &Signature) -> Vec<u8> {
        let mut out = Vec::with_capacity(tx.eip2718_encoded_length(signature));
        tx.eip2718_encode(signature, &mut out);
        out
    }
    match tx {
        ResolvedTx::Legacy(tx) => encode(tx, signature),
        ResolvedTx::AccessList(tx) => encode(tx, signature),
        ResolvedTx::DynamicFee(tx) => encode(tx, signature),
        ResolvedTx::SetCode(tx) => encode(tx, signature),
    }
}

/// eth-account's `v` for a signature with y-parity `odd`.
///
/// Chain ids are capped at `MAX_CHAIN_ID` when resolving and decoding, so the legacy form
/// cannot overflow; it saturates rather than wraps all the same.
pub(crate) fn eth_account_v(chain_id: Option<u64>, legacy: bool, odd: bool) -> u64 {
    let parity = u64::from(odd);
    match (legacy, chain_id) {
        (false, _) => parity,
        (true, None) => 27 + parity,
        (true, Some(id)) => id.saturating_mul(2).saturating_add(35 + parity),
    }
}
