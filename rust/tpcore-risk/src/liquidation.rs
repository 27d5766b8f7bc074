//! Liquidation candidates: the pools at or past maintenance after a batch, most at risk
//! first, each with the reduce-only orders that close it at the bankruptcy price.
//!
//! # Method
//!
//! After [`PositionIndex::compute`] (or a recompute), every pool flagged at or past
//! maintenance is a candidate: an account's cross pool (all its open cross positions), or
//! one isolated position. Candidates are ordered by margin ratio, highest first; ties by
//! account index, then the cross pool before isolated positions, then by row.
//!
//! Each open position of a candidate gets one order that closes it:
//!
//! - side: sell for a long, buy for a short;
//! - quantity: `|qty|` rounded **down** to the contract's lot (an order never exceeds the
//!   position, so it can only reduce it; a remainder below one lot is left, and a
//!   position below one lot gets no order);
//! - limit price: the position's **bankruptcy price** (margin balance zero, the other
//!   positions at their marks: collateral = cross wallet + the other cross PnL, or the
//!   isolated wallet), in ticks of the contract, rounded against the holder (up for a
//!   sell, down for a buy) so the fill is never worse than bankruptcy. A sell whose
//!   bankruptcy price is not positive is priced at 1 tick; a buy with no bankruptcy price
//!   (an inverse short that is bankrupt at every price) at the largest tick.
//!
//! Orders are plain data ([`LiquidationOrder`]); [`LiquidationOrder::to_command`] makes the
//! matcher's immediate-or-cancel limit [`Command`]. The book has no reduce-only flag: the
//! caller must not let a liquidation order add to a position (the quantity rule above
//! guarantees it while the position is unchanged).

use std::cmp::Reverse;

use tpcore_book::{Command, Instrument, Side, TimeInForce};

use crate::RiskError;
use crate::batch::{BatchInput, BatchOut, PositionIndex};
use crate::contract::Contract;
use crate::fixed::{Round, div_round};
use crate::margin::bankruptcy_price;

/// Which margin pool of an account is being liquidated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pool {
    /// The account's cross positions.
    Cross,
    /// One isolated position (its row).
    Isolated {
        /// The position's row in the batch.
        row: usize,
    },
}

/// One order that closes (part of) a position at its bankruptcy price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LiquidationOrder {
    /// The position's row in the batch.
    pub row: usize,
    /// The account index.
    pub account: u32,
    /// The symbol index.
    pub symbol: u32,
    /// Sell to close a long, buy to close a short.
    pub side: Side,
    /// Lots to trade (quantity = `qty_lots x lot_size`).
    pub qty_lots: i64,
    /// Quantity to trade (quantity units), a multiple of the lot, at most `|qty|`.
    pub qty: i64,
    /// The bankruptcy price (price units), `None` when there is none.
    pub bankruptcy_price: Option<i64>,
    /// The limit price in ticks of the contract.
    pub price_ticks: i64,
}

impl LiquidationOrder {
    /// The matcher's command for this order: an immediate-or-cancel limit order on
    /// `instrument` (whose `symbol_id` it takes), at `price_ticks x tick_size` and
    /// `qty_lots x lot_size` in the book's units, the price kept within the instrument's
    /// price range.
    ///
    /// # Errors
    ///
    /// [`RiskError::Overflow`] when the quantity does not fit the book's units.
    pub fn to_command(
        &self,
        order_id: u64,
        account_id: u64,
        instrument: &Instrument,
    ) -> Result<Command, RiskError> {
        let price = i128::from(self.price_ticks) * i128::from(instrument.tick_size);
        let price = price.clamp(
            i128::from(instrument.min_price),
            i128::from(instrument.max_price),
        ) as i64;
        let qty = i64::try_from(i128::from(self.qty_lots) * i128::from(instrument.lot_size))
            .map_err(|_| RiskError::overflow("liquidation order quantity"))?;
        Ok(Command::limit(
            instrument.symbol_id,
            order_id,
            account_id,
            self.side,
            price,
            qty,
        )
        .with_tif(TimeInForce::Ioc))
    }
}

/// A pool at or past maintenance and the orders that close it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LiquidationCandidate {
    /// The account index.
    pub account: u32,
    /// The cross pool or one isolated position.
    pub pool: Pool,
    /// The pool's margin ratio (x 10^8).
    pub margin_ratio: i64,
    /// One order per open position of the pool (none for a position below one lot).
    pub orders: Vec<LiquidationOrder>,
}

impl PositionIndex {
    /// The pools flagged at or past maintenance in `results` (computed from `input`), most
    /// at risk first, with their closing orders (see the module documentation).
    ///
    /// # Errors
    ///
    /// The length errors of [`PositionIndex::compute`]; [`RiskError::Row`] for a position
    /// whose bankruptcy price cannot be computed.
    pub fn liquidation_candidates(
        &self,
        input: &BatchInput<'_>,
        results: &BatchOut<'_>,
    ) -> Result<Vec<LiquidationCandidate>, RiskError> {
        self.check_lengths(input, results)?;
        let p = &input.positions;
        let mut candidates = Vec::new();
        for account in 0..self.accounts() {
            let a = account as u32;
            let rows = self.rows_of(a);
            if results.accounts.liquidate[account] {
                let wallet = input.wallets[account];
                let cross_pnl =
                    i128::from(results.accounts.margin_balance[account]) - i128::from(wallet);
                let mut orders = Vec::new();
                for i in rows.clone() {
                    if p.isolated[i] || p.qty[i] == 0 {
                        continue;
                    }
                    // WB + UPNL1: the other cross positions at their marks, no margin.
                    let collateral = i128::from(wallet) + cross_pnl
                        - i128::from(results.positions.unrealized_pnl[i]);
                    let collateral = i64::try_from(collateral)
                        .map_err(|_| RiskError::overflow("cross collateral").at_row(i))?;
                    orders.extend(close_order(input, i, collateral)?);
                }
                candidates.push(LiquidationCandidate {
                    account: a,
                    pool: Pool::Cross,
                    margin_ratio: results.accounts.margin_ratio[account],
                    orders,
                });
            }
            for i in rows {
                if p.isolated[i] && results.positions.liquidate[i] {
                    candidates.push(LiquidationCandidate {
                        account: a,
                        pool: Pool::Isolated { row: i },
                        margin_ratio: results.positions.margin_ratio[i],
                        orders: close_order(input, i, p.isolated_margin[i])?
                            .into_iter()
                            .collect(),
                    });
                }
            }
        }
        candidates.sort_by_key(|c| (Reverse(c.margin_ratio), c.account, c.pool));
        Ok(candidates)
    }
}

/// The order closing row `i` at its bankruptcy price given `collateral`; `None` below one
/// lot.
fn close_order(
    input: &BatchInput<'_>,
    i: usize,
    collateral: i64,
) -> Result<Option<LiquidationOrder>, RiskError> {
    let p = &input.positions;
    let symbol = p.symbol[i];
    let contract: &Contract = input.contracts.get(symbol as usize).ok_or_else(|| {
        RiskError::IndexOutOfRange {
            field: "symbol",
            value: u64::from(symbol),
            len: input.contracts.len(),
        }
        .at_row(i)
    })?;
    let qty = p.qty[i];
    let lot = contract.lot_size();
    let qty_lots = i64::try_from(qty.unsigned_abs() / lot.unsigned_abs()).unwrap_or(i64::MAX);
    if qty_lots == 0 {
        return Ok(None);
    }
    let bankruptcy =
        bankruptcy_price(contract, qty, p.entry_price[i], collateral).map_err(|e| e.at_row(i))?;
    let tick = contract.tick_size();
    let round = Round::against_holder(qty);
    let price_ticks = match (bankruptcy, qty > 0) {
        (Some(price), _) => {
            let ticks =
                div_round(i128::from(price), i128::from(tick), round).map_err(|e| e.at_row(i))?;
            i64::try_from(ticks).unwrap_or(i64::MAX).max(1)
        }
        (None, true) => 1,
        (None, false) => i64::MAX / tick,
    };
    Ok(Some(LiquidationOrder {
        row: i,
        account: p.account[i],
        symbol,
        side: if qty > 0 { Side::Sell } else { Side::Buy },
        qty_lots,
        qty: qty_lots * lot,
        bankruptcy_price: bankruptcy,
        price_ticks,
    }))
}
