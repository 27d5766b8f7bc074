//! The transaction request (eth-account's transaction dict), type inference and validation.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEip7702, TxLegacy};
use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_eips::eip7702::SignedAuthorization;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};

use crate::EthError;

/// The largest chain id accepted: EIP-2294's `floor(MAX_UINT64 / 2) - 36`, so that a legacy
/// EIP-155 `v = 35 + 2 * chainId + 1` always fits in 64 bits.
pub const MAX_CHAIN_ID: u64 = u64::MAX / 2 - 36;

/// The transaction types this crate signs, with their EIP-2718 type numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TxType {
    /// Type 0: legacy, EIP-155 replay-protected when it has a chain id.
    Legacy,
    /// Type 1: EIP-2930 access-list transaction.
    AccessList,
    /// Type 2: EIP-1559 dynamic-fee transaction.
    DynamicFee,
    /// Type 4: EIP-7702 set-code transaction.
    SetCode,
}

impl TxType {
    /// The EIP-2718 type number (0, 1, 2 or 4), eth-account's `type`.
    #[must_use]
    pub const fn number(self) -> u8 {
        match self {
            Self::Legacy => 0,
            Self::AccessList => 1,
            Self::DynamicFee => 2,
            Self::SetCode => 4,
        }
    }

    /// The type with EIP-2718 number `number`, if this crate supports it (3, blob
    /// transactions, is not supported).
    #[must_use]
    pub const fn from_number(number: u8) -> Option<Self> {
        match number {
            0 => Some(Self::Legacy),
            1 => Some(Self::AccessList),
            2 => Some(Self::DynamicFee),
            4 => Some(Self::SetCode),
            _ => None,
        }
    }

    /// A short name for error messages.
    const fn describe(self) -> &'static str {
        match self {
            Self::Legacy => "a legacy transaction",
            Self::AccessList => "an access-list (type 1) transaction",
            Self::DynamicFee => "a dynamic-fee (type 2) transaction",
            Self::SetCode => "a set-code (type 4) transaction",
        }
    }
}

/// An unsigned transaction, field for field eth-account's transaction dict.
///
/// `None` means "not given" (the key is absent from the dict); `to: None` is contract
/// creation. [`TxRequest::resolve`] infers the type and checks which fields the type
/// requires and forbids. `Default` is an empty legacy request (no gas price yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TxRequest {
    /// `type`: the EIP-2718 type; inferred when `None`.
    pub tx_type: Option<TxType>,
    /// `chainId`: required for typed transactions; optional (pre-EIP-155) for legacy.
    pub chain_id: Option<u64>,
    /// `nonce`.
    pub nonce: u64,
    /// `gas`: the gas limit.
    pub gas: u64,
    /// `gasPrice` (wei): legacy and type 1.
    pub gas_price: Option<u128>,
    /// `maxFeePerGas` (wei): types 2 and 4.
    pub max_fee_per_gas: Option<u128>,
    /// `maxPriorityFeePerGas` (wei): types 2 and 4.
    pub max_priority_fee_per_gas: Option<u128>,
    /// `to`: the recipient, or `None` to create a contract (not allowed for type 4).
    pub to: Option<Address>,
    /// `value` (wei).
    pub value: U256,
    /// `data`: the call data or init code.
    pub data: Bytes,
    /// `accessList`: `(address, storageKeys)` pairs; types 1, 2 and 4.
    pub access_list: Option<Vec<(Address, Vec<B256>)>>,
    /// `authorizationList`: signed EIP-7702 authorizations; type 4 only, and not empty.
    pub authorization_list: Option<Vec<SignedAuthorization>>,
}

/// A validated transaction: one of alloy's consensus transaction types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolvedTx {
    /// Type 0.
    Legacy(TxLegacy),
    /// Type 1.
    AccessList(TxEip2930),
    /// Type 2.
    DynamicFee(TxEip1559),
    /// Type 4.
    SetCode(TxEip7702),
}

impl TxRequest {
    /// The type eth-account would give this request.
    ///
    /// An explicit `type` wins. Otherwise, in the order of eth-account's
    /// `set_transaction_type_if_needed`: `gasPrice` and `accessList` both present → 1;
    /// else `maxFeePerGas` or `maxPriorityFeePerGas` present → 4 with an
    /// `authorizationList`, 2 without; else legacy. (So an `authorizationList` without fee
    /// caps is a legacy request, which then fails validation, as in eth-account.)
    #[must_use]
    pub fn inferred_type(&self) -> TxType {
        if let Some(tx_type) = self.tx_type {
            tx_type
        } else if self.gas_price.is_some() && self.access_list.is_some() {
            TxType::AccessList
        } else if self.max_fee_per_gas.is_some() || self.max_priority_fee_per_gas.is_some() {
            if self.authorization_list.is_some() {
                TxType::SetCode
            } else {
                TxType::DynamicFee
            }
        } else {
            TxType::Legacy
        }
    }

    /// Infers the type and validates the request into an alloy transaction.
    ///
    /// # Errors
    ///
    /// [`EthError::InvalidField`], named as eth-account names the field, when a field the
    /// type requires is missing (`gasPrice`, `maxFeePerGas`, `maxPriorityFeePerGas`,
    /// `chainId` for typed transactions, `to` and a non-empty `authorizationList` for type
    /// 4), a field the type does not have is given, `maxPriorityFeePerGas` exceeds
    /// `maxFeePerGas`, or `chainId` exceeds [`MAX_CHAIN_ID`].
    pub fn resolve(&self) -> Result<ResolvedTx, EthError> {
        let tx_type = self.inferred_type();
        self.check_fields(tx_type)?;
        let to = self.to.map_or(TxKind::Create, TxKind::Call);
        // `check_fields` guarantees every `required` below is present; the errors are
        // unreachable but keep this free of unwraps.
        Ok(match tx_type {
            TxType::Legacy => ResolvedTx::Legacy(TxLegacy {
                chain_id: self.chain_id,
                nonce: self.nonce,
                gas_price: required(self.gas_price, "gasPrice", tx_type)?,
                gas_limit: self.gas,
                to,
                value: self.value,
                input: self.data.clone(),
            }),
            TxType::AccessList => ResolvedTx::AccessList(TxEip2930 {
                chain_id: required(self.chain_id, "chainId", tx_type)?,
                nonce: self.nonce,
                gas_price: required(self.gas_price, "gasPrice", tx_type)?,
                gas_limit: self.gas,
                to,
                value: self.value,
                access_list: self.alloy_access_list(),
                input: self.data.clone(),
            }),
            TxType::DynamicFee => ResolvedTx::DynamicFee(TxEip1559 {
                chain_id: required(self.chain_id, "chainId", tx_type)?,
                nonce: self.nonce,
                gas_limit: self.gas,
                max_fee_per_gas: required(self.max_fee_per_gas, "maxFeePerGas", tx_type)?,
                max_priority_fee_per_gas: required(
                    self.max_priority_fee_per_gas,
                    "maxPriorityFeePerGas",
                    tx_type,
                )?,
                to,
                value: self.value,
                access_list: self.alloy_access_list(),
                input: self.data.clone(),
            }),
            TxType::SetCode => ResolvedTx::SetCode(TxEip7702 {
                chain_id: required(self.chain_id, "chainId", tx_type)?,
                nonce: self.nonce,
                gas_limit: self.gas,
                max_fee_per_gas: required(self.max_fee_per_gas, "maxFeePerGas", tx_type)?,
                max_priority_fee_per_gas: required(
                    self.max_priority_fee_per_gas,
                    "maxPriorityFeePerGas",
                    tx_type,
                )?,
                to: required(self.to, "to", tx_type)?,
                value: self.value,
                access_list: self.alloy_access_list(),
                authorization_list: self.authorization_list.clone().unwrap_or_default(),
                input: self.data.clone(),
            }),
        })
    }

    /// Checks the fields `tx_type` requires and forbids, in a fixed order so the error
    /// reported does not depend on anything but the request.
    fn check_fields(&self, tx_type: TxType) -> Result<(), EthError> {
        let typed = tx_type != TxType::Legacy;
        let dynamic = matches!(tx_type, TxType::DynamicFee | TxType::SetCode);
        let set_code = tx_type == TxType::SetCode;
        // Required fields first (eth-account reports missing keys before unknown ones).
        if typed && self.chain_id.is_none() {
            return Err(missing("chainId", tx_type));
        }
        if !dynamic && self.gas_price.is_none() {
            return Err(missing("gasPrice", tx_type));
        }
        if dynamic && self.max_fee_per_gas.is_none() {
            return Err(missing("maxFeePerGas", tx_type));
        }
        if dynamic && self.max_priority_fee_per_gas.is_none() {
            return Err(missing("maxPriorityFeePerGas", tx_type));
        }
        if set_code && self.to.is_none() {
            return Err(EthError::field(
                "to",
                "is required for a set-code (type 4) transaction, which cannot create a contract",
            ));
        }
        if set_code && self.authorization_list.as_ref().is_none_or(Vec::is_empty) {
            return Err(EthError::field(
                "authorizationList",
                "must hold at least one authorization in a set-code (type 4) transaction",
            ));
        }
        // Then fields the type does not have.
        if dynamic && self.gas_price.is_some() {
            return Err(forbidden("gasPrice", tx_type));
        }
        if !dynamic && self.max_fee_per_gas.is_some() {
            return Err(forbidden("maxFeePerGas", tx_type));
        }
        if !dynamic && self.max_priority_fee_per_gas.is_some() {
            return Err(forbidden("maxPriorityFeePerGas", tx_type));
        }
        if !typed && self.access_list.is_some() {
            return Err(forbidden("accessList", tx_type));
        }
        if !set_code && self.authorization_list.is_some() {
            return Err(forbidden("authorizationList", tx_type));
        }
        // Then values.
        if let Some(chain_id) = self.chain_id
            && chain_id > MAX_CHAIN_ID
        {
            return Err(EthError::field(
                "chainId",
                format!("{chain_id} exceeds the largest chain id {MAX_CHAIN_ID} (EIP-2294)"),
            ));
        }
        if let (Some(max_fee), Some(priority)) =
            (self.max_fee_per_gas, self.max_priority_fee_per_gas)
            && priority > max_fee
        {
            // EIP-1559 makes such a transaction invalid; nodes reject it.
            return Err(EthError::field(
                "maxPriorityFeePerGas",
                format!("{priority} exceeds maxFeePerGas {max_fee}"),
            ));
        }
        Ok(())
    }

    /// The access list in alloy's form (empty when not given).
    fn alloy_access_list(&self) -> AccessList {
        AccessList(
            self.access_list
                .iter()
                .flatten()
                .map(|(address, storage_keys)| AccessListItem {
                    address: *address,
                    storage_keys: storage_keys.clone(),
                })
                .collect(),
        )
    }
}

impl ResolvedTx {
    /// The transaction's type.
    #[must_use]
    pub const fn tx_type(&self) -> TxType {
        match self {
            Self::Legacy(_) => TxType::Legacy,
            Self::AccessList(_) => TxType::AccessList,
            Self::DynamicFee(_) => TxType::DynamicFee,
            Self::SetCode(_) => TxType::SetCode,
        }
    }

    /// The hash to sign: keccak256 of the signing payload (EIP-155 for legacy with a chain
    /// id, the bare six fields for legacy without, `type || rlp(fields)` for typed).
    #[must_use]
    pub fn signing_hash(&self) -> B256 {
        match self {
            Self::Legacy(tx) => tx.signature_hash(),
            Self::AccessList(tx) => tx.signature_hash(),
            Self::DynamicFee(tx) => tx.signature_hash(),
            Self::SetCode(tx) => tx.signature_hash(),
        }
    }

    /// The chain id, if any (legacy transactions may have none).
    #[must_use]
    pub const fn chain_id(&self) -> Option<u64> {
        match self {
            Self::Legacy(tx) => tx.chain_id,
            Self::AccessList(tx) => Some(tx.chain_id),
            Self::DynamicFee(tx) => Some(tx.chain_id),
            Self::SetCode(tx) => Some(tx.chain_id),
        }
    }

    /// The canonical request for this transaction: `tx_type` set, exactly the fields the
    /// type has, and an `accessList` (possibly empty) on every typed transaction.
    ///
    /// `decode_transaction(..).tx` is in this form, so `decode(sign(r)).tx ==
    /// r.resolve()?.to_request()`.
    #[must_use]
    pub fn to_request(&self) -> TxRequest {
        let access = |list: &AccessList| {
            Some(
                list.iter()
                    .map(|item| (item.address, item.storage_keys.clone()))
                    .collect(),
            )
        };
        let base = TxRequest {
            tx_type: Some(self.tx_type()),
            chain_id: self.chain_id(),
            ..TxRequest::default()
        };
        match self {
            Self::Legacy(tx) => TxRequest {
                nonce: tx.nonce,
                gas: tx.gas_limit,
                gas_price: Some(tx.gas_price),
                to: tx.to.to().copied(),
                value: tx.value,
                data: tx.input.clone(),
                ..base
            },
            Self::AccessList(tx) => TxRequest {
                nonce: tx.nonce,
                gas: tx.gas_limit,
                gas_price: Some(tx.gas_price),
                to: tx.to.to().copied(),
                value: tx.value,
                data: tx.input.clone(),
                access_list: access(&tx.access_list),
                ..base
            },
            Self::DynamicFee(tx) => TxRequest {
                nonce: tx.nonce,
                gas: tx.gas_limit,
                max_fee_per_gas: Some(tx.max_fee_per_gas),
                max_priority_fee_per_gas: Some(tx.max_priority_fee_per_gas),
                to: tx.to.to().copied(),
                value: tx.value,
                data: tx.input.clone(),
                access_list: access(&tx.access_list),
                ..base
            },
            Self::SetCode(tx) => TxRequest {
                nonce: tx.nonce,
                gas: tx.gas_limit,
                max_fee_per_gas: Some(tx.max_fee_per_gas),
                max_priority_fee_per_gas: Some(tx.max_priority_fee_per_gas),
                to: Some(tx.to),
                value: tx.value,
                data: tx.input.clone(),
                access_list: access(&tx.access_list),
                authorization_list: Some(tx.authorization_list.clone()),
                ..base
            },
        }
    }
}

/// The value of a field `check_fields` has already required.
fn required<T>(value: Option<T>, field: &str, tx_type: TxType) -> Result<T, EthError> {
    value.ok_or_else(|| missing(field, tx_type))
}

/// The error for a field the type requires.
fn missing(field: &str, tx_type: TxType) -> EthError {
    EthError::field(field, format!("is required for {}", tx_type.describe()))
}

/// The error for a field the type does not have.
fn forbidden(field: &str, tx_type: TxType) -> EthError {
    EthError::field(field, format!("is not allowed in {}", tx_type.describe()))
}
