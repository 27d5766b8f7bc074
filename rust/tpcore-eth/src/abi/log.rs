//! Event logs: topics and data decoded against one JSON ABI event item, as web3.py's
//! `contract.events.X().process_log`.

use alloy_dyn_abi::{DynSolType, Specifier};
use alloy_json_abi::{AbiItem, Event};
use alloy_primitives::B256;

use super::codec::decode_params;
use super::value::AbiValue;
use crate::EthError;

/// A decoded log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedLog {
    /// The event's name.
    pub name: String,
    /// `(name, value)` per input in ABI order. An indexed input of a dynamic type (`string`,
    /// `bytes`, arrays, tuples) is only present as its topic, the Keccak-256 of its
    /// encoding, given as 32-byte [`AbiValue::FixedBytes`].
    pub args: Vec<(String, AbiValue)>,
}

fn parse_event(json: &str) -> Result<Event, EthError> {
    let item: AbiItem<'_> = serde_json::from_str(json).map_err(|e| EthError::InvalidAbiJson {
        detail: e.to_string(),
    })?;
    match item {
        AbiItem::Event(event) => Ok(event.into_owned()),
        other => Err(EthError::InvalidAbiJson {
            detail: format!("expected an event item, got a {}", other.debug_name()),
        }),
    }
}

/// Whether an indexed input of this type is stored as itself (a value type) rather than as
/// the hash of its encoding.
fn is_value_type(ty: &DynSolType) -> bool {
    matches!(
        ty,
        DynSolType::Bool
            | DynSolType::Int(_)
            | DynSolType::Uint(_)
            | DynSolType::Address
            | DynSolType::FixedBytes(_)
    )
}

/// Decodes a log of the event `event_abi` (the JSON of one ABI item of type `event`).
///
/// Checks that there is one topic per indexed input, plus topic0 unless the event is
/// anonymous, and that topic0 is the event's selector. Indexed value types and the data are
/// decoded strictly, as [`super::abi_decode`].
///
/// # Errors
///
/// [`EthError::InvalidAbiJson`] for a bad event item; [`EthError::LogMismatch`] for a wrong
/// topic count or topic0; [`EthError::AbiDecode`] for topics or data that do not decode.
pub fn decode_log(event_abi: &str, topics: &[B256], data: &[u8]) -> Result<DecodedLog, EthError> {
    let event = parse_event(event_abi)?;
    let types = event
        .inputs
        .iter()
        .map(|p| {
            p.resolve().map_err(|e| EthError::InvalidAbiJson {
                detail: format!("input {:?}: {e}", p.name),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let indexed = event.inputs.iter().filter(|p| p.indexed).count();
    let expected = indexed + usize::from(!event.anonymous);
    if topics.len() != expected {
        return Err(EthError::LogMismatch {
            detail: format!(
                "event {} needs {expected} topics, the log has {}",
                event.signature(),
                topics.len()
            ),
        });
    }
    let mut indexed_topics = topics.iter();
    if !event.anonymous && indexed_topics.next() != Some(&event.selector()) {
        return Err(EthError::LogMismatch {
            detail: format!("topic0 is not the selector of {}", event.signature()),
        });
    }
    let body_types: Vec<DynSolType> = event
        .inputs
        .iter()
        .zip(&types)
        .filter(|(p, _)| !p.indexed)
        .map(|(_, t)| t.clone())
        .collect();
    let mut body = decode_params(body_types, data)?.into_iter();
    let mut args = Vec::with_capacity(event.inputs.len());
    for (param, ty) in event.inputs.iter().zip(types) {
        let value = if param.indexed {
            // Counted above: there is one topic per indexed input.
            let topic = indexed_topics.next().copied().unwrap_or_default();
            if is_value_type(&ty) {
                decode_params(vec![ty], topic.as_slice())?
                    .pop()
                    .unwrap_or(AbiValue::FixedBytes(topic.to_vec()))
            } else {
                AbiValue::FixedBytes(topic.to_vec())
            }
        } else {
            body.next().ok_or_else(|| EthError::AbiDecode {
                detail: "log data holds fewer values than the event".to_owned(),
            })?
        };
        args.push((param.name.clone(), value));
    }
    Ok(DecodedLog {
        name: event.name,
        args,
    })
}
