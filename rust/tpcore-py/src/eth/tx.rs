//! Transactions in eth-account's dialect: dicts in, `SignedTransaction` objects out.
//!
//! The dicts are read under the GIL (interned keys, no intermediate Python objects); the
//! signing runs on the pool with the GIL released. `SignedTransaction` keeps the Rust result
//! and builds its Python values only when they are read.

use alloy_primitives::{Address, Bytes, U256};
use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyMapping, PySequence, PyString};
use tpcore_eth::tx::{self, Authorization, SignedAuthorization, SignedTx, TxRequest, TxType};
use zeroize::Zeroizing;

use super::convert::{RecentAddresses, address, data, field_error, int_of, uint, uint256, word};
use crate::error::CoreError;
use crate::parallel::detach_here;
use crate::pipeline::{self, Failed, read_rows, sign_rows};
use crate::sign::PyPrivateKey;

/// The keys eth-account's transaction dicts may have.
const FIELDS: [&str; 13] = [
    "type",
    "chainId",
    "nonce",
    "gas",
    "gasPrice",
    "maxFeePerGas",
    "maxPriorityFeePerGas",
    "to",
    "value",
    "data",
    "accessList",
    "authorizationList",
    "from",
];

/// The value of `key`, treating None as absent.
fn get<'py>(dict: &Bound<'py, PyDict>, key: &Bound<'py, PyString>) -> Option<Bound<'py, PyAny>> {
    dict.get_item(key).ok().flatten().filter(|v| !v.is_none())
}

/// The value of `key`, which must be present; `prefix` places it (`"accessList[0]."`).
fn required<'py>(
    dict: &Bound<'py, PyDict>,
    key: &Bound<'py, PyString>,
    prefix: &str,
) -> Result<Bound<'py, PyAny>, CoreError> {
    get(dict, key).ok_or_else(|| field_error(&format!("{prefix}{key}"), "missing"))
}

fn as_dict<'py>(obj: &Bound<'py, PyAny>, field: &str) -> Result<Bound<'py, PyDict>, CoreError> {
    obj.cast::<PyDict>()
        .cloned()
        .map_err(|_| field_error(field, "expected a dict"))
}

pub(super) fn as_list<'py>(
    obj: &Bound<'py, PyAny>,
    field: &str,
) -> Result<Vec<Bound<'py, PyAny>>, CoreError> {
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(field_error(field, "expected a list"));
    }
    let sequence = obj
        .cast::<PySequence>()
        .map_err(|_| field_error(field, "expected a list"))?;
    let count = sequence
        .len()
        .map_err(|_| field_error(field, "expected a list"))?;
    (0..count)
        .map(|i| {
            sequence
                .get_item(i)
                .map_err(|_| field_error(field, "expected a list"))
        })
        .collect()
}

fn access_list(
    obj: &Bound<'_, PyAny>,
) -> Result<Vec<(Address, Vec<alloy_primitives::B256>)>, CoreError> {
    let py = obj.py();
    as_list(obj, "accessList")?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = format!("accessList[{i}]");
            let entry = as_dict(item, &field)?;
            let target = get(&entry, intern!(py, "address"))
                .ok_or_else(|| field_error(&format!("{field}.address"), "missing"))?;
            let target = address(&target, &format!("{field}.address"))?;
            let keys = match get(&entry, intern!(py, "storageKeys")) {
                Some(keys) => as_list(&keys, &format!("{field}.storageKeys"))?
                    .iter()
                    .enumerate()
                    .map(|(k, key)| word(key, &format!("{field}.storageKeys[{k}]")))
                    .collect::<Result<Vec<_>, _>>()?,
                None => Vec::new(),
            };
            Ok((target, keys))
        })
        .collect()
}

fn authorization_list(obj: &Bound<'_, PyAny>) -> Result<Vec<SignedAuthorization>, CoreError> {
    let py = obj.py();
    as_list(obj, "authorizationList")?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = format!("authorizationList[{i}]");
            let entry = as_dict(item, &field)?;
            let prefix = format!("{field}.");
            let inner = Authorization {
                chain_id: uint256(
                    &required(&entry, intern!(py, "chainId"), &prefix)?,
                    &format!("{field}.chainId"),
                )?,
                address: address(
                    &required(&entry, intern!(py, "address"), &prefix)?,
                    &format!("{field}.address"),
                )?,
                nonce: uint(
                    &required(&entry, intern!(py, "nonce"), &prefix)?,
                    &format!("{field}.nonce"),
                )?,
            };
            let y_parity: u8 = uint(
                &required(&entry, intern!(py, "yParity"), &prefix)?,
                &format!("{field}.yParity"),
            )?;
            let r = uint256(
                &required(&entry, intern!(py, "r"), &prefix)?,
                &format!("{field}.r"),
            )?;
            let s = uint256(
                &required(&entry, intern!(py, "s"), &prefix)?,
                &format!("{field}.s"),
            )?;
            Ok(SignedAuthorization::new_unchecked(inner, y_parity, r, s))
        })
        .collect()
}

/// Whether `value` is `""` or `b""`.
fn is_empty_text_or_bytes(value: &Bound<'_, PyAny>) -> bool {
    value
        .cast::<PyString>()
        .is_ok_and(|t| t.to_str().is_ok_and(str::is_empty))
        || value
            .cast::<PyBytes>()
            .is_ok_and(|b| b.as_bytes().is_empty())
}

/// The `to` and `from` addresses last read in a batch.
type RecentToFrom<'py> = RecentAddresses<'py, 2>;

/// Reads one eth-account transaction dict; returns it and its `from` address, if given.
fn tx_from_dict<'py>(
    obj: &Bound<'py, PyAny>,
    recent: &mut RecentToFrom<'py>,
) -> Result<(TxRequest, Option<Address>), CoreError> {
    let py = obj.py();
    let not_a_mapping =
        || CoreError::argument("invalid_transaction", "a transaction must be a dict");
    let dict = match obj.cast::<PyDict>() {
        Ok(dict) => dict.clone(),
        Err(_) if obj.cast::<PyMapping>().is_ok() => py
            .get_type::<PyDict>()
            .call1((obj,))
            .and_then(|d| Ok(d.cast_into::<PyDict>()?))
            .map_err(|_| not_a_mapping())?,
        Err(_) => return Err(not_a_mapping()),
    };
    let dict = &dict;
    for key in dict.keys() {
        let known = key
            .cast::<PyString>()
            .ok()
            .and_then(|k| k.to_str().ok().map(|k| FIELDS.contains(&k)));
        if known != Some(true) {
            return Err(field_error(&key.to_string(), "unknown transaction field"));
        }
    }
    let tx_type = match get(dict, intern!(py, "type")) {
        Some(value) => {
            let number: u8 = uint(&value, "type")?;
            Some(TxType::from_number(number).ok_or_else(|| {
                field_error(
                    "type",
                    format!("{number} is not a supported type (0, 1, 2 or 4)"),
                )
            })?)
        }
        None => None,
    };
    let request = TxRequest {
        tx_type,
        chain_id: get(dict, intern!(py, "chainId"))
            .map(|v| uint(&v, "chainId"))
            .transpose()?,
        nonce: uint(&required(dict, intern!(py, "nonce"), "")?, "nonce")?,
        gas: uint(&required(dict, intern!(py, "gas"), "")?, "gas")?,
        gas_price: get(dict, intern!(py, "gasPrice"))
            .map(|v| uint(&v, "gasPrice"))
            .transpose()?,
        max_fee_per_gas: get(dict, intern!(py, "maxFeePerGas"))
            .map(|v| uint(&v, "maxFeePerGas"))
            .transpose()?,
        max_priority_fee_per_gas: get(dict, intern!(py, "maxPriorityFeePerGas"))
            .map(|v| uint(&v, "maxPriorityFeePerGas"))
            .transpose()?,
        to: match get(dict, intern!(py, "to")) {
            // eth-account writes a contract creation as a missing, None, "" or b"" `to`.
            Some(value) if is_empty_text_or_bytes(&value) => None,
            Some(value) => Some(recent.address(0, &value, "to")?),
            None => None,
        },
        value: get(dict, intern!(py, "value")).map_or(Ok(U256::ZERO), |v| uint256(&v, "value"))?,
        data: get(dict, intern!(py, "data")).map_or(Ok(Bytes::default()), |v| data(&v, "data"))?,
        access_list: get(dict, intern!(py, "accessList"))
            .map(|v| access_list(&v))
            .transpose()?,
        authorization_list: get(dict, intern!(py, "authorizationList"))
            .map(|v| authorization_list(&v))
            .transpose()?,
    };
    let from = get(dict, intern!(py, "from"))
        .map(|v| recent.address(1, &v, "from"))
        .transpose()?;
    Ok((request, from))
}

/// Checks a transaction's `from`, when given, is the signing key's address.
fn check_from(from: Option<Address>, signer: &[u8; 20]) -> Result<(), CoreError> {
    match from {
        Some(from) if from.as_slice() != signer => Err(field_error(
            "from",
            format!("{from} is not the address of the signing key"),
        )),
        _ => Ok(()),
    }
}

/// A signed transaction, with eth-account's field names.
#[pyclass(name = "SignedTransaction", module = "tpcore._core", frozen)]
pub(crate) struct PySignedTransaction {
    inner: SignedTx,
}

#[pymethods]
impl PySignedTransaction {
    /// The signed transaction, ready for `eth_sendRawTransaction`.
    #[getter]
    fn raw_transaction<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.raw_transaction)
    }

    /// The transaction hash (keccak of the raw transaction).
    #[getter]
    fn hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.hash.as_slice())
    }

    /// The signature's r.
    #[getter]
    fn r<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        int_of(py, self.inner.r)
    }

    /// The signature's s.
    #[getter]
    fn s<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        int_of(py, self.inner.s)
    }

    /// v as eth-account gives it: 27/28, 35 + 2 * chainId + parity, or the parity (typed).
    #[getter]
    fn v(&self) -> u64 {
        self.inner.v
    }

    fn __repr__(&self) -> String {
        format!(
            "SignedTransaction(hash=0x{}, v={})",
            hex::encode(self.inner.hash),
            self.inner.v
        )
    }
}

/// One key: a `PrivateKey` or its 32-byte secret, zeroized after use.
pub(super) fn one_key(
    key: &Bound<'_, PyAny>,
    name: &str,
) -> Result<Zeroizing<[u8; 32]>, CoreError> {
    if let Ok(key) = key.cast::<PyPrivateKey>() {
        return Ok(key.get().secret());
    }
    if let Ok(bytes) = key.cast::<PyBytes>()
        && let Ok(secret) = <[u8; 32]>::try_from(bytes.as_bytes())
    {
        return Ok(Zeroizing::new(secret));
    }
    Err(CoreError::argument(
        "invalid_key",
        format!("{name}: expected a PrivateKey or 32 bytes"),
    ))
}

/// One key for every transaction, or one per transaction (a sequence, or an `(N, 32)`
/// uint8 array), as flat secret bytes zeroized after use.
pub(super) fn secret_keys(
    keys: &Bound<'_, PyAny>,
    count: usize,
) -> Result<Zeroizing<Vec<u8>>, CoreError> {
    if keys.cast::<PyPrivateKey>().is_ok()
        || keys.is_instance_of::<PyBytes>()
        || keys.is_instance_of::<PyString>()
        || keys.is_instance_of::<pyo3::types::PyByteArray>()
    {
        return Ok(Zeroizing::new(one_key(keys, "keys")?.to_vec()));
    }
    if let Ok(array) = keys.cast::<PyArrayDyn<u8>>() {
        let shape_ok =
            matches!(*array.shape(), [rows, 32] if rows == count) || *array.shape() == [32];
        let array = array.try_readonly().ok().filter(|_| shape_ok);
        let flat = array
            .as_ref()
            .and_then(|a| a.as_slice().ok())
            .ok_or_else(|| {
                CoreError::argument(
                    "invalid_key",
                    format!(
                        "keys: expected a C-contiguous uint8 array of shape ({count}, 32) or (32,)"
                    ),
                )
            })?;
        return Ok(Zeroizing::new(flat.to_vec()));
    }
    let list = keys.cast::<PySequence>().map_err(|_| {
        CoreError::argument(
            "invalid_key",
            "keys: expected a key, a sequence of keys or an (N, 32) array",
        )
    })?;
    let given = list.len().unwrap_or(0);
    if given != count {
        return Err(CoreError::argument(
            "row_count_mismatch",
            format!("keys: {given} keys, but transactions has {count}"),
        ));
    }
    let mut flat = Zeroizing::new(Vec::with_capacity(count * 32));
    for i in 0..count {
        let key = list
            .get_item(i)
            .map_err(|_| CoreError::argument("invalid_key", format!("keys[{i}]: unreadable")))?;
        flat.extend_from_slice(one_key(&key, &format!("keys[{i}]"))?.as_slice());
    }
    Ok(flat)
}

/// Signs one transaction dict (eth-account's `Account.sign_transaction`).
///
/// `key` is a `PrivateKey` or its 32-byte secret. The type is inferred as eth-account does
/// (explicit `type`, else `maxFeePerGas` → 2, `authorizationList` → 4, `accessList` → 1,
/// else legacy). A bad field raises `InvalidInput` naming it.
#[pyfunction]
fn sign_transaction(
    py: Python<'_>,
    transaction: &Bound<'_, PyAny>,
    key: &Bound<'_, PyAny>,
) -> PyResult<PySignedTransaction> {
    let (request, from) = tx_from_dict(transaction, &mut RecentToFrom::default())?;
    // A PrivateKey object already holds its parsed key and address; raw bytes go through
    // the core's raw-key path, which derives no public key unless `from` must be checked.
    if let Ok(key) = key.cast::<PyPrivateKey>() {
        let key = key.get().key();
        check_from(from, &key.address())?;
        let signed = detach_here(py, || tx::sign_transaction(&request, key))?;
        return Ok(PySignedTransaction { inner: signed });
    }
    let secret = one_key(key, "key")?;
    let signed = detach_here(py, || {
        if from.is_some() {
            let key = tpcore_sign::ecdsa::PrivateKey::from_bytes(secret.as_slice())?;
            check_from(from, &key.address())?;
        }
        tx::sign_transaction_with_secret(&request, secret.as_slice()).map_err(CoreError::from)
    })?;
    Ok(PySignedTransaction { inner: signed })
}

/// Signs many transaction dicts in parallel with the GIL released.
///
/// `keys` is one key (a `PrivateKey` or 32 bytes) for every transaction, a sequence with one
/// per transaction, or an `(N, 32)` uint8 array. The first bad transaction raises
/// `InvalidInput` with its `index`.
#[pyfunction]
fn sign_transactions(
    py: Python<'_>,
    transactions: &Bound<'_, PyAny>,
    keys: &Bound<'_, PyAny>,
) -> PyResult<Vec<Py<PySignedTransaction>>> {
    let items = as_list(transactions, "transactions")?;
    let secrets = secret_keys(keys, items.len())?;
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let keys = match BatchKeys::new(items.len(), &secrets) {
        Ok(keys) => keys,
        // A broadcast key fails at index 0, unless the first dict does not read.
        Err(error) => {
            tx_from_dict(&items[0], &mut RecentToFrom::default()).map_err(|e| e.at(0))?;
            return Err(error.into());
        }
    };
    let failed = Failed::new();
    let mut recent = RecentToFrom::default();
    pipeline::run(
        py,
        items.len(),
        &failed,
        |range| {
            let start = range.start;
            let (rows, error) = read_rows(range, |index| tx_from_dict(&items[index], &mut recent));
            ((!rows.is_empty()).then_some((start, rows)), error)
        },
        |(start, rows), parallel| {
            sign_rows(
                start,
                rows,
                &failed,
                parallel,
                || (),
                |(), index, row| keys.sign(index, row).map_err(|e| e.at(index)),
            )
        },
        |py, inner| Py::new(py, PySignedTransaction { inner }),
    )
}

/// The keys of a batch: one broadcast key, parsed once (its address derived once), or one
/// per row.
enum BatchKeys<'k> {
    Broadcast(tpcore_sign::ecdsa::PrivateKey, [u8; 20]),
    PerRow(&'k [u8]),
}

impl<'k> BatchKeys<'k> {
    /// One 32-byte key for `rows` rows (a single row's key is read as its own), or 32 bytes
    /// per row. An invalid broadcast key is the failure of index 0.
    fn new(rows: usize, secrets: &'k [u8]) -> Result<Self, CoreError> {
        if secrets.len() != 32 || rows == 1 {
            return Ok(Self::PerRow(secrets));
        }
        let key = tpcore_sign::ecdsa::PrivateKey::from_bytes(secrets)
            .map_err(|e| CoreError::from(tpcore_eth::EthError::from(e).at(0)))?;
        let address = key.address();
        Ok(Self::Broadcast(key, address))
    }

    /// Signs row `row`, then checks its `from`: the transaction's own errors come first,
    /// then the key's, then a `from` that is not the key's address.
    fn sign(
        &self,
        row: usize,
        (request, from): (TxRequest, Option<Address>),
    ) -> Result<SignedTx, CoreError> {
        match self {
            Self::Broadcast(key, address) => {
                let signed = tx::sign_transaction(&request, key)?;
                check_from(from, address)?;
                Ok(signed)
            }
            Self::PerRow(secrets) => {
                let secret = secrets.get(row * 32..row * 32 + 32).unwrap_or_default();
                let signed = tx::sign_transaction_with_secret(&request, secret)?;
                if from.is_some() {
                    let key = tpcore_sign::ecdsa::PrivateKey::from_bytes(secret)?;
                    check_from(from, &key.address())?;
                }
                Ok(signed)
            }
        }
    }
}

/// Decodes a raw transaction into an eth-account style dict (with `v`, `r`, `s`, `hash`
/// and the recovered `from` when it is signed).
#[pyfunction]
fn decode_transaction<'py>(py: Python<'py>, raw: &[u8]) -> PyResult<Bound<'py, PyDict>> {
    let decoded = tx::decode_transaction(raw).map_err(CoreError::from)?;
    let out = PyDict::new(py);
    let tx = &decoded.tx;
    if let Some(kind) = tx.tx_type {
        out.set_item("type", kind.number())?;
    }
    if let Some(chain_id) = tx.chain_id {
        out.set_item("chainId", chain_id)?;
    }
    out.set_item("nonce", tx.nonce)?;
    out.set_item("gas", tx.gas)?;
    for (key, value) in [
        ("gasPrice", tx.gas_price),
        ("maxFeePerGas", tx.max_fee_per_gas),
        ("maxPriorityFeePerGas", tx.max_priority_fee_per_gas),
    ] {
        if let Some(value) = value {
            out.set_item(key, value)?;
        }
    }
    if let Some(to) = tx.to {
        out.set_item("to", tpcore_eth::address::to_checksum(&to.0.0))?;
    }
    out.set_item("value", int_of(py, tx.value)?)?;
    out.set_item("data", PyBytes::new(py, &tx.data))?;
    if let Some(list) = &tx.access_list {
        let items = PyList::empty(py);
        for (target, keys) in list {
            let entry = PyDict::new(py);
            entry.set_item("address", tpcore_eth::address::to_checksum(&target.0.0))?;
            let keys: Vec<String> = keys
                .iter()
                .map(|k| format!("0x{}", hex::encode(k)))
                .collect();
            entry.set_item("storageKeys", keys)?;
            items.append(entry)?;
        }
        out.set_item("accessList", items)?;
    }
    if let Some(list) = &tx.authorization_list {
        let items = PyList::empty(py);
        for auth in list {
            let entry = PyDict::new(py);
            entry.set_item("chainId", int_of(py, auth.inner().chain_id)?)?;
            entry.set_item(
                "address",
                tpcore_eth::address::to_checksum(&auth.inner().address.0.0),
            )?;
            entry.set_item("nonce", auth.inner().nonce)?;
            entry.set_item("yParity", auth.y_parity())?;
            entry.set_item("r", int_of(py, auth.r())?)?;
            entry.set_item("s", int_of(py, auth.s())?)?;
            items.append(entry)?;
        }
        out.set_item("authorizationList", items)?;
    }
    if let Some((r, s, v)) = decoded.signature {
        out.set_item("v", v)?;
        out.set_item("r", int_of(py, r)?)?;
        out.set_item("s", int_of(py, s)?)?;
    }
    out.set_item("hash", PyBytes::new(py, decoded.hash.as_slice()))?;
    if let Some(sender) = decoded.sender {
        out.set_item("from", tpcore_eth::address::to_checksum(&sender.0.0))?;
    }
    Ok(out)
}

/// Recovers the checksummed sender address of a signed raw transaction.
#[pyfunction]
fn recover_sender(raw: &[u8]) -> PyResult<String> {
    let sender = tx::recover_sender(raw).map_err(CoreError::from)?;
    Ok(tpcore_eth::address::to_checksum(&sender.0.0))
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySignedTransaction>()?;
    m.add_function(wrap_pyfunction!(sign_transaction, m)?)?;
    m.add_function(wrap_pyfunction!(sign_transactions, m)?)?;
    m.add_function(wrap_pyfunction!(decode_transaction, m)?)?;
    m.add_function(wrap_pyfunction!(recover_sender, m)?)?;
    Ok(())
}
