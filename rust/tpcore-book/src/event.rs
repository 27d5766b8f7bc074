//! Events: the output of the matching engine, and their fixed binary layout.
//!
//! One event is [`EVENT_SIZE`] bytes, little-endian, fields at fixed offsets (the same
//! layout as the numpy dtype `tpcore.book.EVENT_DTYPE`):
//!
//! | offset | field | type | meaning |
//! | --- | --- | --- | --- |
//! | 0 | `seq` | u64 | sequence number of the command that caused the event |
//! | 8 | `order_id` | u64 | the order the event is about (trades: the taker) |
//! | 16 | `account` | u64 | its account |
//! | 24 | `price` | i64 | order price; trades: the trade price |
//! | 32 | `qty` | i64 | accepted: order quantity; trade: traded; cancelled/expired: removed |
//! | 40 | `leaves` | i64 | the order's open quantity after the event |
//! | 48 | `maker_order_id` | u64 | trades: the resting order |
//! | 56 | `maker_account` | u64 | trades: its account |
//! | 64 | `maker_leaves` | i64 | trades: the maker's open quantity after the trade |
//! | 72 | `taker_fee` | i64 | trades: fee of the taker (notional units) |
//! | 80 | `maker_fee` | i64 | trades: fee of the maker, negative for a rebate |
//! | 88 | `symbol` | u32 | the book |
//! | 92 | `kind` | u8 | [`EventKind`] code |
//! | 93 | `side` | u8 | the order's side; trades: the aggressor (taker) side |
//! | 94 | `reason` | u8 | [`Reason`] code for rejected, cancelled and expired |
//! | 95 | reserved | u8 | zero |

use crate::types::{EventKind, Reason, Side};

/// Bytes in one encoded event.
pub const EVENT_SIZE: usize = 96;

/// One output of the engine, field for field the binary layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// Sequence number of the command that caused the event.
    pub seq: u64,
    /// The order the event is about; for trades the taker.
    pub order_id: u64,
    /// The order's account.
    pub account: u64,
    /// Order price; for trades the trade price.
    pub price: i64,
    /// Quantity accepted, traded, cancelled or expired.
    pub qty: i64,
    /// The order's open quantity after the event.
    pub leaves: i64,
    /// Trades: the resting order.
    pub maker_order_id: u64,
    /// Trades: the resting order's account.
    pub maker_account: u64,
    /// Trades: the resting order's open quantity after the trade.
    pub maker_leaves: i64,
    /// Trades: the taker's fee.
    pub taker_fee: i64,
    /// Trades: the maker's fee (negative for a rebate).
    pub maker_fee: i64,
    /// The book.
    pub symbol: u32,
    /// What happened.
    pub kind: EventKind,
    /// The order's side; for trades the aggressor side. `None` only for rejected commands
    /// whose side code is not valid.
    pub side: Option<Side>,
    /// Why, for rejected, cancelled and expired events.
    pub reason: Reason,
}

impl Event {
    /// An event about one order, with the trade-only fields zero.
    #[must_use]
    pub(crate) fn about(kind: EventKind, seq: u64, symbol: u32) -> Self {
        Self {
            seq,
            order_id: 0,
            account: 0,
            price: 0,
            qty: 0,
            leaves: 0,
            maker_order_id: 0,
            maker_account: 0,
            maker_leaves: 0,
            taker_fee: 0,
            maker_fee: 0,
            symbol,
            kind,
            side: None,
            reason: Reason::None,
        }
    }

    /// Writes the event's [`EVENT_SIZE`] bytes.
    pub fn encode(&self, out: &mut [u8; EVENT_SIZE]) {
        out[0..8].copy_from_slice(&self.seq.to_le_bytes());
        out[8..16].copy_from_slice(&self.order_id.to_le_bytes());
        out[16..24].copy_from_slice(&self.account.to_le_bytes());
        out[24..32].copy_from_slice(&self.price.to_le_bytes());
        out[32..40].copy_from_slice(&self.qty.to_le_bytes());
        out[40..48].copy_from_slice(&self.leaves.to_le_bytes());
        out[48..56].copy_from_slice(&self.maker_order_id.to_le_bytes());
        out[56..64].copy_from_slice(&self.maker_account.to_le_bytes());
        out[64..72].copy_from_slice(&self.maker_leaves.to_le_bytes());
        out[72..80].copy_from_slice(&self.taker_fee.to_le_bytes());
        out[80..88].copy_from_slice(&self.maker_fee.to_le_bytes());
        out[88..92].copy_from_slice(&self.symbol.to_le_bytes());
        out[92] = self.kind as u8;
        out[93] = self.side.map_or(0, |s| s as u8);
        out[94] = self.reason as u8;
        out[95] = 0;
    }

    /// Reads an event from its [`EVENT_SIZE`] bytes; `None` if a code is not valid.
    #[must_use]
    pub fn decode(bytes: &[u8; EVENT_SIZE]) -> Option<Self> {
        let u64_at =
            |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
        let i64_at =
            |at: usize| i64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
        let side = match bytes[93] {
            0 => None,
            code => Some(Side::from_code(code)?),
        };
        Some(Self {
            seq: u64_at(0),
            order_id: u64_at(8),
            account: u64_at(16),
            price: i64_at(24),
            qty: i64_at(32),
            leaves: i64_at(40),
            maker_order_id: u64_at(48),
            maker_account: u64_at(56),
            maker_leaves: i64_at(64),
            taker_fee: i64_at(72),
            maker_fee: i64_at(80),
            symbol: u32::from_le_bytes(bytes[88..92].try_into().unwrap_or_default()),
            kind: EventKind::from_code(bytes[92])?,
            side,
            reason: Reason::from_code(bytes[94])?,
        })
    }
}
