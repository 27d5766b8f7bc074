//! Ethereum transactions as eth-account builds them: legacy (with or without EIP-155),
//! EIP-2930 access-list, EIP-1559 dynamic-fee and EIP-7702 set-code transactions.
//!
//! [`TxRequest`] mirrors eth-account's transaction dict (`nonce`, `gas`, `gasPrice`,
//! `maxFeePerGas`, ...); [`TxRequest::resolve`] infers the type and validates it into a
//! [`ResolvedTx`], one of alloy's consensus types. Encoding, signing payloads and decoding are
//! alloy's (no hand-written RLP); every signature comes from `tpcore-sign`.

mod authorization;
mod decode;
mod request;
mod sign;

pub use alloy_eips::eip7702::{Authorization, SignedAuthorization};
pub use authorization::{recover_authority, sign_authorization};
pub use decode::{DecodedTx, decode_transaction, recover_sender};
pub use request::{MAX_CHAIN_ID, ResolvedTx, TxRequest, TxType};
pub use sign::{
    SignedTx, sign_transaction, sign_transaction_with_secret, sign_transactions, signing_hash,
};
