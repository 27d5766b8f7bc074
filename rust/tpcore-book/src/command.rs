//! Commands: the input of the matching engine, and their fixed binary layout.
//!
//! One command is [`COMMAND_SIZE`] bytes, little-endian, fields at fixed offsets (the same
//! layout as the numpy dtype `tpcore.book.COMMAND_DTYPE`):
//!
//! | offset | field | type | meaning |
//! | --- | --- | --- | --- |
//! | 0 | `seq` | u64 | input sequence number, copied into every event the command causes |
//! | 8 | `order_id` | u64 | the client's order id (submit, cancel, amend) |
//! | 16 | `account` | u64 | the owner |
//! | 24 | `price` | i64 | limit price (limit, stop-limit; amend: the new price) |
//! | 32 | `qty` | i64 | quantity (amend: the new open quantity) |
//! | 40 | `trigger_price` | i64 | stop trigger |
//! | 48 | `display_qty` | i64 | iceberg display quantity; 0 for a plain order |
//! | 56 | `quote_budget` | i64 | market orders: most notional to trade; 0 for none |
//! | 64 | `expire_at` | i64 | good-till-date expiry; advance-time: the new time |
//! | 72 | `symbol` | u32 | the book |
//! | 76 | `kind` | u8 | [`CommandKind`] code |
//! | 77 | `side` | u8 | [`Side`] code (cancel-all: 0 for both sides) |
//! | 78 | `order_type` | u8 | [`OrderType`] code |
//! | 79 | `tif` | u8 | [`TimeInForce`] code |
//! | 80 | `flags` | u8 | [`crate::flags`] bits |
//! | 81 | `stp` | u8 | [`SelfTrade`] code, 0 for the default |
//! | 82 | reserved | 6 bytes | zero |
//!
//! A message of commands on the wire is the 8-byte header of [`crate::codec`] followed by
//! the records.

use crate::types::{CommandKind, OrderType, SelfTrade, Side, TimeInForce};

/// Bytes in one encoded command.
pub const COMMAND_SIZE: usize = 88;

/// One input to the engine, field for field the binary layout. Codes are kept raw so a
/// command with an unknown code still reaches the book and becomes a reject event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Command {
    /// Input sequence number, copied into every event the command causes.
    pub seq: u64,
    /// The client's order id.
    pub order_id: u64,
    /// The owner.
    pub account: u64,
    /// Limit price (amend: the new price).
    pub price: i64,
    /// Quantity (amend: the new open quantity).
    pub qty: i64,
    /// Stop trigger price.
    pub trigger_price: i64,
    /// Iceberg display quantity, 0 for a plain order.
    pub display_qty: i64,
    /// Market orders: the most notional to trade, 0 for no budget.
    pub quote_budget: i64,
    /// Good-till-date expiry; for advance-time the new time.
    pub expire_at: i64,
    /// The book.
    pub symbol: u32,
    /// [`CommandKind`] code.
    pub kind: u8,
    /// [`Side`] code.
    pub side: u8,
    /// [`OrderType`] code.
    pub order_type: u8,
    /// [`TimeInForce`] code.
    pub tif: u8,
    /// [`crate::flags`] bits.
    pub flags: u8,
    /// [`SelfTrade`] code.
    pub stp: u8,
}

impl Command {
    /// A limit order, good till cancelled.
    #[must_use]
    pub fn limit(
        symbol: u32,
        order_id: u64,
        account: u64,
        side: Side,
        price: i64,
        qty: i64,
    ) -> Self {
        Self {
            kind: CommandKind::Submit as u8,
            symbol,
            order_id,
            account,
            side: side as u8,
            order_type: OrderType::Limit as u8,
            tif: TimeInForce::Gtc as u8,
            price,
            qty,
            ..Self::default()
        }
    }

    /// A market order (immediate or cancel, within the protection band).
    #[must_use]
    pub fn market(symbol: u32, order_id: u64, account: u64, side: Side, qty: i64) -> Self {
        Self {
            order_type: OrderType::Market as u8,
            tif: TimeInForce::Ioc as u8,
            price: 0,
            ..Self::limit(symbol, order_id, account, side, 0, qty)
        }
    }

    /// A stop order: stop-market when `price` is 0, stop-limit otherwise.
    #[must_use]
    pub fn stop(
        symbol: u32,
        order_id: u64,
        account: u64,
        side: Side,
        trigger_price: i64,
        price: i64,
        qty: i64,
    ) -> Self {
        let order_type = if price == 0 {
            OrderType::StopMarket
        } else {
            OrderType::StopLimit
        };
        let tif = if price == 0 {
            TimeInForce::Ioc
        } else {
            TimeInForce::Gtc
        };
        Self {
            order_type: order_type as u8,
            tif: tif as u8,
            trigger_price,
            ..Self::limit(symbol, order_id, account, side, price, qty)
        }
    }

    /// A cancel of one order.
    #[must_use]
    pub fn cancel(symbol: u32, order_id: u64, account: u64) -> Self {
        Self {
            kind: CommandKind::Cancel as u8,
            symbol,
            order_id,
            account,
            ..Self::default()
        }
    }

    /// An amend to a new price and open quantity.
    #[must_use]
    pub fn amend(symbol: u32, order_id: u64, account: u64, price: i64, qty: i64) -> Self {
        Self {
            kind: CommandKind::Amend as u8,
            price,
            qty,
            ..Self::cancel(symbol, order_id, account)
        }
    }

    /// A cancel of every order of an account, on one side or (`None`) both.
    #[must_use]
    pub fn cancel_all(symbol: u32, account: u64, side: Option<Side>) -> Self {
        Self {
            kind: CommandKind::CancelAll as u8,
            symbol,
            account,
            side: side.map_or(0, |s| s as u8),
            ..Self::default()
        }
    }

    /// Advances the book's clock to `now`, expiring good-till-date orders.
    #[must_use]
    pub fn advance_time(symbol: u32, now: i64) -> Self {
        Self {
            kind: CommandKind::AdvanceTime as u8,
            symbol,
            expire_at: now,
            ..Self::default()
        }
    }

    /// Sets the sequence number.
    #[must_use]
    pub fn with_seq(mut self, seq: u64) -> Self {
        self.seq = seq;
        self
    }

    /// Sets the time in force.
    #[must_use]
    pub fn with_tif(mut self, tif: TimeInForce) -> Self {
        self.tif = tif as u8;
        self
    }

    /// Sets the flag bits.
    #[must_use]
    pub fn with_flags(mut self, flags: u8) -> Self {
        self.flags = flags;
        self
    }

    /// Sets the self-trade prevention mode.
    #[must_use]
    pub fn with_stp(mut self, stp: SelfTrade) -> Self {
        self.stp = stp as u8;
        self
    }

    /// Makes the order an iceberg showing `display_qty`.
    #[must_use]
    pub fn with_display(mut self, display_qty: i64) -> Self {
        self.display_qty = display_qty;
        self
    }

    /// Sets the quote budget of a market order.
    #[must_use]
    pub fn with_budget(mut self, quote_budget: i64) -> Self {
        self.quote_budget = quote_budget;
        self
    }

    /// Makes the order good till `expire_at`.
    #[must_use]
    pub fn with_expiry(mut self, expire_at: i64) -> Self {
        self.tif = TimeInForce::Gtd as u8;
        self.expire_at = expire_at;
        self
    }

    /// Writes the command's [`COMMAND_SIZE`] bytes.
    pub fn encode(&self, out: &mut [u8; COMMAND_SIZE]) {
        out[0..8].copy_from_slice(&self.seq.to_le_bytes());
        out[8..16].copy_from_slice(&self.order_id.to_le_bytes());
        out[16..24].copy_from_slice(&self.account.to_le_bytes());
        out[24..32].copy_from_slice(&self.price.to_le_bytes());
        out[32..40].copy_from_slice(&self.qty.to_le_bytes());
        out[40..48].copy_from_slice(&self.trigger_price.to_le_bytes());
        out[48..56].copy_from_slice(&self.display_qty.to_le_bytes());
        out[56..64].copy_from_slice(&self.quote_budget.to_le_bytes());
        out[64..72].copy_from_slice(&self.expire_at.to_le_bytes());
        out[72..76].copy_from_slice(&self.symbol.to_le_bytes());
        out[76] = self.kind;
        out[77] = self.side;
        out[78] = self.order_type;
        out[79] = self.tif;
        out[80] = self.flags;
        out[81] = self.stp;
        out[82..88].fill(0);
    }

    /// Reads a command from its [`COMMAND_SIZE`] bytes. Every byte pattern decodes; codes
    /// are checked when the command is processed.
    #[must_use]
    pub fn decode(bytes: &[u8; COMMAND_SIZE]) -> Self {
        let u64_at =
            |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
        let i64_at =
            |at: usize| i64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
        Self {
            seq: u64_at(0),
            order_id: u64_at(8),
            account: u64_at(16),
            price: i64_at(24),
            qty: i64_at(32),
            trigger_price: i64_at(40),
            display_qty: i64_at(48),
            quote_budget: i64_at(56),
            expire_at: i64_at(64),
            symbol: u32::from_le_bytes(bytes[72..76].try_into().unwrap_or_default()),
            kind: bytes[76],
            side: bytes[77],
            order_type: bytes[78],
            tif: bytes[79],
            flags: bytes[80],
            stp: bytes[81],
        }
    }
}
