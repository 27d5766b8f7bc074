//! The matching engine of tpcore: instruments, order books with every common order type,
//! fees, events, market data and snapshots.
//!
//! The crate is a pure state machine: no I/O, no clock, no Python. A [`Book`] (one
//! instrument) or an [`Engine`] (many, keyed by symbol id) takes [`Command`]s and appends
//! [`Event`]s; its output depends only on its input sequence, so a replay gives the same
//! events byte for byte.
//!
//! # Semantics
//!
//! - **Price-time priority.** Better prices trade first; within a price, earlier orders
//!   first. A trade executes at the resting (maker) order's price.
//! - **Validation** runs in a fixed order (see `book/commands.rs`) and a failure is a
//!   `rejected` event with a [`Reason`]; nothing changes. Validation failures do not use
//!   up the order id, so a corrected order may reuse it.
//! - **Limit orders**: GTC and GTD rest their remainder; IOC cancels it
//!   (`ioc_remainder`); FOK trades completely at once or is cancelled (`fok_unfilled`)
//!   without touching the resting orders. Only trades count toward the fill: an order of
//!   its own account in the way kills it unless its self-trade mode is `cancel_maker`.
//!   Every accepted order uses up its id, also one killed or cancelled at once.
//! - **Price band**: once there is a last trade price, a limit price beyond `band_bps`
//!   from it on the aggressive side (a buy above, a sell below; the edge itself is inside)
//!   is rejected (`price_outside_band`), whether or not it would trade now. An amend that
//!   moves the price is checked the same way; stop-limit prices are not banded.
//! - **Post-only** orders are rejected (`post_only_would_take`) if they would take; with
//!   `SLIDE` they are repriced one tick behind the best opposite price instead (and still
//!   rejected if that price is outside the instrument's range).
//! - **Market orders** trade no further than `band_bps` from the best opposite price at
//!   arrival; a remainder is cancelled (`market_protection` when liquidity remains beyond
//!   the band, `no_liquidity` otherwise). With a quote budget (the most notional to pay,
//!   or for a sell to receive) they stop when the next lot would cost more than what is
//!   left, a budget spent exactly included (`budget_exhausted`); fees are outside the
//!   budget. A budget with quantity 0 asks for the instrument's `max_qty`, which the
//!   accepted event shows.
//! - **Stop orders** wait until the last trade price reaches the trigger (buy: at or
//!   above, sell: at or below), then enter as market (stop-market) or limit (stop-limit)
//!   orders with a `triggered` event. A stop already reached at submission is rejected
//!   (`stop_already_triggered`); before the first trade no stop is reached. After every
//!   command the book fires stops one at a time, each running to completion, until none
//!   is reached: buy stops lowest trigger first, sell stops highest first, ties and
//!   cross-side choices by acceptance order.
//! - **Icebergs** show `display_qty` and keep the rest in reserve; when the shown slice is
//!   used up the next slice is shown at the back of its level (losing priority). Takers
//!   trade against the reserve as it is shown. An iceberg has at most
//!   [`MAX_ICEBERG_PARTS`] slices (`qty <= display_qty x 100`, on submit and on an amend
//!   that keeps it an iceberg), else `invalid_display_quantity`.
//! - **Amend** sets a new price and open quantity: the same price with a lower or equal
//!   quantity keeps priority (the reserve is reduced first); anything else re-enters the
//!   order at the back, and a new price may trade at once; an iceberg stays one only if its
//!   display is below the new quantity. Amending a pending stop changes its quantity and
//!   limit price (a stop-market's price stays 0) and keeps its trigger and firing place.
//! - **Cancel-all** cancels the account's resting orders in priority order, then its stops
//!   in firing order, buy side first.
//! - **Good till date**: an advance-time command moves the book's clock forward (never
//!   back) and expires every GTD order and stop whose `expire_at` is at or before it, in
//!   order of `expire_at`, then order id. A GTD order must expire after the current time
//!   (`expired_on_arrival`).
//! - **Self-trade prevention** is the incoming order's mode: `cancel_taker` (the default),
//!   `cancel_maker`, `cancel_both`, or `decrement` (the smaller is cancelled, the larger
//!   reduced by it, no trade printed). A blocked remainder never rests.
//! - **Duplicate ids**: an order id that is live, or finished among the last
//!   `id_window` finished ids of the book, is rejected (`duplicate_order_id`).
//! - **Fees** per trade in notional units, taker and maker from each order's tier at
//!   acceptance ([`fees`]).
//! - **Events** carry the command's sequence number; trades carry both orders, both fees
//!   and both open quantities.
//!
//! # Book layout
//!
//! Orders live in a slab (a vector with a free list) and form one doubly linked FIFO list
//! per price level; levels live in a second slab. Each side keeps a sorted vector of level
//! keys with the best price last, so the touch is the last element and adding or removing
//! a level near it moves only the levels in front of it. A level that empties below the
//! touch stays in the vector as an empty placeholder (no search, no move), which the next
//! order at its price reuses; placeholders are dropped in one pass when they outnumber the
//! live levels, and the best level is never one. A price is looked up within its distance
//! from the touch, so lookups near the touch are short. Order ids map to slots through a
//! hash table, so cancel and amend are O(1) plus the level's position. The duplicate
//! window keeps finished ids as bit masks per block of 64 consecutive ids, so sequentially
//! numbered orders share a few cache-resident blocks. Rarely used fields (iceberg reserve,
//! expiry) sit in a side slab to keep the hot order node at 48 bytes. Stops and expiries
//! are ordered maps.
//!
//! # Ordering invariant
//!
//! Output never depends on the iteration order of a hash table: the id table is only
//! probed, and everything that is walked (levels, FIFO lists, stops, expiries, the
//! duplicate window) is ordered. [`Book::validate_invariants`] checks the structure and
//! [`Book::state_hash`] digests the canonical state, so replays can be compared.
//!
//! # Performance
//!
//! Steady-state trading allocates nothing per order: slots and levels are reused. The
//! common operations (add near the touch, cancel, amend, a taker sweeping a few levels)
//! touch a handful of cache lines. See the crate's criterion benches for the workloads
//! and figures.
//!
//! # Known limitations
//!
//! - Adding a level far from the touch moves every level between it and the touch (a
//!   memmove of 12 bytes per level, placeholders included); books with very many levels
//!   pay for deep inserts.
//! - With order ids numbered at random, each id in the duplicate window takes a 16-byte
//!   block of its own (a plain id set would take 8 bytes) and the blocks' cache benefit
//!   is gone; sequential ids take about a bit each.
//! - Cancel-all walks the side's resting orders (no per-account index).
//! - The duplicate window is a count of finished ids, not a time span.
//! - Each iceberg slice is its own trade, so a taker against a large reserve with a small
//!   display gets one trade event per slice: [`MAX_ICEBERG_PARTS`] bounds them (a fixed
//!   engine rule, not an instrument field, so that snapshots keep their format).
//! - A level's visible total is kept exactly (in 128 bits); market data ([`DepthLevel`],
//!   [`L2Delta`]) saturates it at `i64::MAX`.
#![forbid(unsafe_code)]

mod book;
pub mod codec;
pub mod command;
mod engine;
mod error;
pub mod event;
pub mod fees;
mod instrument;
pub mod snapshot;
mod types;

pub use book::{Book, BookState, DepthLevel, L2Delta, PendingStop, RestingOrder};
pub use command::{COMMAND_SIZE, Command};
pub use engine::Engine;
pub use error::BookError;
pub use event::{EVENT_SIZE, Event};
pub use fees::{FeeSchedule, FeeTier};
pub use instrument::{Instrument, MAX_ICEBERG_PARTS, MAX_PRICE, MAX_QTY};
pub use types::{CommandKind, EventKind, OrderType, Reason, SelfTrade, Side, TimeInForce, flags};
