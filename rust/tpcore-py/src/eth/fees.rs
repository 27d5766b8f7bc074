//! EIP-1559 fees: the next base fee, and suggestions from an `eth_feeHistory` result.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyFloatMethods};
use tpcore_eth::fees::{self, Fee, FeeHistory};

use super::convert::{field_error, uint};
use super::tx::as_list;
use crate::error::CoreError;

fn item<'py>(dict: &Bound<'py, PyAny>, key: &str) -> Result<Bound<'py, PyAny>, CoreError> {
    dict.get_item(key).map_err(|_| field_error(key, "missing"))
}

/// The base fee of the block after `parent`, exactly per EIP-1559.
///
/// `parent` is a block as web3.py returns it (`baseFeePerGas`, `gasUsed`, `gasLimit`; ints or
/// 0x hex strings).
#[pyfunction]
fn next_base_fee(parent: &Bound<'_, PyAny>) -> PyResult<u128> {
    let base_fee = uint(&item(parent, "baseFeePerGas")?, "baseFeePerGas")?;
    let gas_used = uint(&item(parent, "gasUsed")?, "gasUsed")?;
    let gas_limit = uint(&item(parent, "gasLimit")?, "gasLimit")?;
    Ok(fees::next_base_fee(base_fee, gas_used, gas_limit))
}

fn fee_dict<'py>(py: Python<'py>, fee: &Fee) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("maxFeePerGas", fee.max_fee_per_gas)?;
    out.set_item("maxPriorityFeePerGas", fee.max_priority_fee_per_gas)?;
    Ok(out)
}

/// Suggests `slow`, `standard` and `fast` fees from an `eth_feeHistory` result.
///
/// Request the history with reward percentiles `[10, 50, 90]`. The priority fee of each
/// speed is the median, over the non-empty blocks, of its percentile's reward; the max fee
/// is the next base fee times `headroom_percent` / 100, plus the priority fee. Integer wei
/// throughout; `gasUsedRatio` only marks empty blocks.
#[pyfunction]
#[pyo3(signature = (fee_history, *, headroom_percent = 200))]
fn suggest_fees<'py>(
    py: Python<'py>,
    fee_history: &Bound<'py, PyAny>,
    headroom_percent: i64,
) -> PyResult<Bound<'py, PyDict>> {
    let headroom_percent = u32::try_from(headroom_percent).map_err(|_| {
        CoreError::argument(
            "invalid_headroom",
            format!("headroom_percent: {headroom_percent} is not between 0 and 2**32 - 1"),
        )
    })?;
    let base_fees = as_list(&item(fee_history, "baseFeePerGas")?, "baseFeePerGas")?
        .iter()
        .enumerate()
        .map(|(i, v)| uint(v, &format!("baseFeePerGas[{i}]")))
        .collect::<Result<Vec<u128>, _>>()?;
    let ratios = as_list(&item(fee_history, "gasUsedRatio")?, "gasUsedRatio")?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.cast::<PyFloat>()
                .map(PyFloatMethods::value)
                .or_else(|_| v.extract::<f64>())
                .map_err(|_| field_error(&format!("gasUsedRatio[{i}]"), "expected a number"))
        })
        .collect::<Result<Vec<f64>, _>>()?;
    let rewards = as_list(&item(fee_history, "reward")?, "reward")?
        .iter()
        .enumerate()
        .map(|(i, row)| {
            as_list(row, &format!("reward[{i}]"))?
                .iter()
                .enumerate()
                .map(|(j, v)| uint(v, &format!("reward[{i}][{j}]")))
                .collect::<Result<Vec<u128>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let history = FeeHistory {
        base_fee_per_gas: base_fees,
        gas_used_ratio: ratios,
        reward: rewards,
    };
    let suggestions = fees::suggest_fees(&history, headroom_percent).map_err(CoreError::from)?;
    let out = PyDict::new(py);
    out.set_item("slow", fee_dict(py, &suggestions.slow)?)?;
    out.set_item("standard", fee_dict(py, &suggestions.standard)?)?;
    out.set_item("fast", fee_dict(py, &suggestions.fast)?)?;
    Ok(out)
}

/// Parses an address strictly: `0x` and 40 hex digits; mixed case must be its EIP-55
/// checksum. Returns the 20 bytes.
#[pyfunction]
fn parse_address<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
    let address = tpcore_eth::address::parse_address(text).map_err(CoreError::from)?;
    Ok(pyo3::types::PyBytes::new(py, address.as_slice()))
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(next_base_fee, m)?)?;
    m.add_function(wrap_pyfunction!(suggest_fees, m)?)?;
    m.add_function(wrap_pyfunction!(parse_address, m)?)?;
    Ok(())
}
