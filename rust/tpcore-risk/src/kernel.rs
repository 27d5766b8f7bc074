//! The batch's fast kernel: one account's rows marked on the fast paths of
//! [`crate::fast`], with the symbols' markets gathered once per call.
//!
//! It gives the reference kernel's outputs (see [`crate::batch`]) or `None` when a row
//! leaves the fast paths (an intermediate beyond their range, an invalid row, an error);
//! the caller then runs the reference kernel on the account, which rewrites all of its
//! outputs or reports the error.

use std::hint::select_unpredictable;

use crate::account::at_maintenance;
use crate::batch::NO_LIQUIDATION_PRICE;
use crate::contract::Contract;
use crate::fast::{LinearMarket, linear_liquidation_price, linear_metrics, margin_ratio};
use crate::margin::{PositionMetrics, liquidation_price, position_metrics};

/// What the kernel reads of a symbol at each row, gathered once per call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Market<'a> {
    contract: &'a Contract,
    mark: i64,
    /// A linear contract at a positive mark (other rows take the reference functions).
    /// Equal tables with equal ticks share one copy, so the rows of every symbol read the
    /// same cache lines.
    linear: Option<LinearMarket<'a>>,
}

/// The [`Market`] of each symbol, from its contract and mark.
pub(crate) fn markets<'a>(contracts: &'a [Contract], marks: &[i64]) -> Vec<Market<'a>> {
    // The first market of each distinct (table, tick).
    let mut shared: Vec<LinearMarket<'a>> = Vec::new();
    contracts
        .iter()
        .zip(marks)
        .map(|(contract, &mark)| {
            let linear = LinearMarket::new(contract, mark).map(|market| {
                if let Some(first) = shared
                    .iter()
                    .find(|m| m.tick == market.tick && m.brackets == market.brackets)
                {
                    LinearMarket {
                        mark: market.mark,
                        ..*first
                    }
                } else {
                    shared.push(market);
                    market
                }
            });
            Market {
                contract,
                mark,
                linear,
            }
        })
        .collect()
}

/// The input columns of one account's rows, all of the same length.
pub(crate) struct Rows<'a> {
    pub(crate) symbol: &'a [u32],
    pub(crate) qty: &'a [i64],
    pub(crate) entry_price: &'a [i64],
    pub(crate) leverage: &'a [u32],
    pub(crate) isolated: &'a [bool],
    pub(crate) isolated_margin: &'a [i64],
}

/// The output columns of one account's rows, of the same length as its [`Rows`].
pub(crate) struct RowsOut<'a> {
    pub(crate) unrealized_pnl: &'a mut [i64],
    pub(crate) maintenance_margin: &'a mut [i64],
    pub(crate) initial_margin: &'a mut [i64],
    pub(crate) margin_ratio: &'a mut [i64],
    pub(crate) liquidation_price: &'a mut [i64],
    pub(crate) liquidate: &'a mut [bool],
}

/// The figures of an account's cross pool.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CrossPool {
    pub(crate) margin_balance: i64,
    pub(crate) maintenance_margin: i64,
    pub(crate) initial_margin: i64,
    pub(crate) margin_ratio: i64,
    pub(crate) available_balance: i64,
    pub(crate) liquidate: bool,
}

/// One account: writes its rows' outputs and returns its cross pool, or `None` (some
/// outputs possibly written) when a row leaves the fast paths.
#[inline]
pub(crate) fn account(
    markets: &[Market<'_>],
    wallet: i64,
    rows: &Rows<'_>,
    out: &mut RowsOut<'_>,
) -> Option<CrossPool> {
    let n = rows.symbol.len();
    // Every column at the same length, so the loops index without bounds checks.
    let (symbol, qty, entry, leverage, isolated, margin) = (
        rows.symbol,
        rows.qty.get(..n)?,
        rows.entry_price.get(..n)?,
        rows.leverage.get(..n)?,
        rows.isolated.get(..n)?,
        rows.isolated_margin.get(..n)?,
    );
    let out_upnl = out.unrealized_pnl.get_mut(..n)?;
    let out_maintenance = out.maintenance_margin.get_mut(..n)?;
    let out_initial = out.initial_margin.get_mut(..n)?;
    let (mut upnl, mut mm, mut im) = (0i64, 0i64, 0i64);
    let mut cross_open = false;
    for k in 0..n {
        let market = markets.get(symbol[k] as usize)?;
        let size = qty[k];
        let m = if size == 0 {
            PositionMetrics::default()
        } else {
            match &market.linear {
                Some(linear) => linear_metrics(linear, size, entry[k], leverage[k])?,
                None if market.mark <= 0 => return None,
                None => position_metrics(market.contract, size, entry[k], market.mark, leverage[k])
                    .ok()?,
            }
        };
        out_upnl[k] = m.unrealized_pnl;
        out_maintenance[k] = m.maintenance_margin;
        out_initial[k] = m.initial_margin;
        // The cross sums: an isolated row adds zeros, masked out without a branch (the mix
        // of isolated and cross rows is unpredictable); its own pool is done below.
        let cross = !isolated[k];
        let mask = i64::from(cross).wrapping_neg();
        upnl = upnl.checked_add(m.unrealized_pnl & mask)?;
        mm = mm.checked_add(m.maintenance_margin & mask)?;
        im = im.checked_add(m.initial_margin & mask)?;
        cross_open |= cross && size != 0;
    }
    let balance = wallet.checked_add(upnl)?;
    let pool = CrossPool {
        margin_balance: balance,
        maintenance_margin: mm,
        initial_margin: im,
        margin_ratio: margin_ratio(mm, balance),
        available_balance: balance.checked_sub(im)?,
        liquidate: at_maintenance(cross_open, mm, balance),
    };
    // WB - TMM1 + UPNL1 of a cross row: the other cross positions held at their marks,
    // (WB + UPNL - TMM) + MM1 - UPNL1.
    let others = balance.checked_sub(mm)?;

    // Every row first takes the cross pool's ratio and flag, and its liquidation price from
    // the collateral of its kind (its own margin, or the cross pool's); then the isolated
    // rows' own pools overwrite theirs, found by a bit mask per 64 rows rather than a branch
    // per row (the mix of isolated and cross rows is unpredictable).
    let out_ratio = out.margin_ratio.get_mut(..n)?;
    let out_lp = out.liquidation_price.get_mut(..n)?;
    let out_liq = out.liquidate.get_mut(..n)?;
    let mut base = 0;
    while base < n {
        let end = n.min(base + 64);
        let mut isolated_bits = 0u64;
        for k in base..end {
            let size = qty[k];
            out_ratio[k] = pool.margin_ratio;
            out_liq[k] = pool.liquidate;
            isolated_bits |= u64::from(isolated[k]) << (k - base);
            let cross_collateral = others
                .checked_add(out_maintenance[k])
                .and_then(|c| c.checked_sub(out_upnl[k]));
            let collateral = select_unpredictable(isolated[k], Some(margin[k]), cross_collateral);
            out_lp[k] = if size == 0 {
                NO_LIQUIDATION_PRICE
            } else {
                row_liquidation_price(
                    markets.get(symbol[k] as usize)?,
                    size,
                    entry[k],
                    collateral?,
                )?
            };
        }
        while isolated_bits != 0 {
            let k = base + isolated_bits.trailing_zeros() as usize;
            isolated_bits &= isolated_bits - 1;
            let balance = margin[k].checked_add(out_upnl[k])?;
            out_ratio[k] = margin_ratio(out_maintenance[k], balance);
            out_liq[k] = at_maintenance(qty[k] != 0, out_maintenance[k], balance);
        }
        base = end;
    }
    Some(pool)
}

/// The liquidation price column's value for one row, on the fast path for a linear
/// contract; `None` when the reference reports an error.
#[inline]
fn row_liquidation_price(
    market: &Market<'_>,
    qty: i64,
    entry: i64,
    collateral: i64,
) -> Option<i64> {
    if let Some(linear) = &market.linear
        && let Some(price) = linear_liquidation_price(linear, qty, entry, collateral)
    {
        return Some(price);
    }
    reference_liquidation_price(market.contract, qty, entry, collateral)
}

/// [`row_liquidation_price`] by the reference function, out of the hot loop.
#[cold]
#[inline(never)]
fn reference_liquidation_price(
    contract: &Contract,
    qty: i64,
    entry: i64,
    collateral: i64,
) -> Option<i64> {
    let price = liquidation_price(contract, qty, entry, collateral).ok()?;
    Some(price.unwrap_or(NO_LIQUIDATION_PRICE))
}
