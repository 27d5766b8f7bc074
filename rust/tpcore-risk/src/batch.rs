//! Columnar marking of many accounts: positions as columns in, margin figures as columns
//! out, in parallel over accounts.
//!
//! # Layout
//!
//! Positions are rows of equal-length columns ([`PositionColumns`]). They must be
//! **grouped by account in ascending account order** (the account column non-decreasing);
//! [`PositionIndex::new`] checks this and builds, once, the offsets of each account's rows
//! (CSR: account `a` owns rows `offsets[a]..offsets[a + 1]`) and the list of accounts
//! holding each symbol. Callers with unsorted rows sort them once with
//! [`group_by_account`]. Sorted input was chosen over grouping inside every call: the
//! service keeps its positions in this order anyway, the batch then reads and writes every
//! column sequentially, and results stay in the caller's row order with no scatter.
//!
//! Outputs are caller-provided mutable columns ([`BatchOut`]), so the Python layer can
//! hand numpy arrays in without copies; [`BatchBuffers`] owns a set for Rust callers.
//!
//! # Parallelism and determinism
//!
//! Work is split into chunks of [`ACCOUNTS_PER_CHUNK`] consecutive accounts, run on the
//! current rayon pool. Each account is computed on its own from its rows, so the results
//! do not depend on the number of threads; chunking is fixed, so neither does the error
//! reported: the error of the first failing chunk in account order, and in it the first
//! failing row.
//!
//! # Incremental form
//!
//! [`PositionIndex::recompute_symbols`] recomputes only the accounts holding a symbol whose
//! mark moved (found through the symbol -> accounts index) and leaves every other output
//! row as it was; [`PositionIndex::recompute_accounts`] does the same for a list of
//! accounts (after a trade or a transfer).
//!
//! The formulas are those of [`crate::account`], row for row.
//!
//! # Performance
//!
//! Each account first runs a fast kernel (`crate::kernel`): linear positions are marked
//! with the exact fast paths of `crate::fast` (no 128-bit division: divisions by 10^8 and
//! by per-tier constants are multiplications, tiers are found by a table read and two
//! comparisons), cross sums are `i64` with overflow checks, and long/short and
//! isolated/cross are selected without branches where their mix is unpredictable. Each
//! call first gathers per symbol the mark and the contract's precomputed tables, equal
//! tables and ticks sharing one copy. Inverse positions use the reference functions. When
//! anything leaves the fast kernel's range (an intermediate beyond 64 bits, an invalid
//! row, an error), the account is recomputed by the reference kernel, which rewrites all
//! its outputs or reports the error: results and errors are those of the reference, bit
//! for bit (the unit tests of `crate::fast`, `crate::divide` and `crate::ladder` compare
//! the fast paths with the reference on random inputs near their bounds).

use std::ops::Range;

use rayon::prelude::*;

use crate::RiskError;
use crate::account::{at_maintenance, margin_ratio};
use crate::contract::Contract;
use crate::kernel::{self, Market};
use crate::margin::{liquidation_price, position_metrics};

/// Accounts per unit of parallel work.
pub const ACCOUNTS_PER_CHUNK: usize = 256;

/// The value of a liquidation price column for "no liquidation price".
pub const NO_LIQUIDATION_PRICE: i64 = 0;

/// Position rows as columns, all of the same length, grouped by account.
#[derive(Debug, Clone, Copy)]
pub struct PositionColumns<'a> {
    /// Account index of each row (non-decreasing).
    pub account: &'a [u32],
    /// Symbol index of each row.
    pub symbol: &'a [u32],
    /// Signed quantity (quantity units); 0 is an empty row.
    pub qty: &'a [i64],
    /// Entry price (price units), positive for a non-empty row.
    pub entry_price: &'a [i64],
    /// Leverage (>= 1 for a non-empty row).
    pub leverage: &'a [u32],
    /// Whether the position is isolated (else cross).
    pub isolated: &'a [bool],
    /// Isolated wallet (value units); ignored for cross rows.
    pub isolated_margin: &'a [i64],
}

impl PositionColumns<'_> {
    /// The number of rows (the length of the account column).
    #[must_use]
    pub fn len(&self) -> usize {
        self.account.len()
    }

    /// Whether there are no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.account.is_empty()
    }

    fn check_lengths(&self, expected: usize) -> Result<(), RiskError> {
        let columns = [
            ("account", self.account.len()),
            ("symbol", self.symbol.len()),
            ("qty", self.qty.len()),
            ("entry_price", self.entry_price.len()),
            ("leverage", self.leverage.len()),
            ("isolated", self.isolated.len()),
            ("isolated_margin", self.isolated_margin.len()),
        ];
        check_all(&columns, expected)
    }
}

/// Everything a batch reads: positions, cross wallets per account, and per symbol the
/// contract and the mark price.
#[derive(Debug, Clone, Copy)]
pub struct BatchInput<'a> {
    /// The positions.
    pub positions: PositionColumns<'a>,
    /// Cross wallet balance of each account (value units).
    pub wallets: &'a [i64],
    /// Contract of each symbol.
    pub contracts: &'a [Contract],
    /// Mark price of each symbol (price units).
    pub marks: &'a [i64],
}

/// Per-position output columns.
#[derive(Debug)]
pub struct PositionOut<'a> {
    /// Unrealized PnL at the mark (value units), rounded down.
    pub unrealized_pnl: &'a mut [i64],
    /// Maintenance margin (value units), rounded up.
    pub maintenance_margin: &'a mut [i64],
    /// Initial margin (value units), rounded up.
    pub initial_margin: &'a mut [i64],
    /// Margin ratio of the row's pool (x 10^8): the account's cross ratio for a cross
    /// row, the position's own for an isolated row.
    pub margin_ratio: &'a mut [i64],
    /// Liquidation price (price units), [`NO_LIQUIDATION_PRICE`] when there is none.
    pub liquidation_price: &'a mut [i64],
    /// Whether the row's pool is at or past maintenance.
    pub liquidate: &'a mut [bool],
}

/// Per-account output columns (the cross pool of each account).
#[derive(Debug)]
pub struct AccountOut<'a> {
    /// Cross margin balance: wallet + cross unrealized PnL.
    pub margin_balance: &'a mut [i64],
    /// Cross maintenance margin.
    pub maintenance_margin: &'a mut [i64],
    /// Cross initial margin.
    pub initial_margin: &'a mut [i64],
    /// Cross margin ratio (x 10^8), rounded up.
    pub margin_ratio: &'a mut [i64],
    /// Cross margin balance - cross initial margin.
    pub available_balance: &'a mut [i64],
    /// Whether the cross pool is at or past maintenance.
    pub liquidate: &'a mut [bool],
}

/// The output columns of a batch.
#[derive(Debug)]
pub struct BatchOut<'a> {
    /// One row per position.
    pub positions: PositionOut<'a>,
    /// One row per account.
    pub accounts: AccountOut<'a>,
}

macro_rules! split_fields {
    ($self:ident, $mid:ident, $ty:ident { $($field:ident),* }) => {{
        $(let $field = $self.$field.split_at_mut($mid);)*
        ($ty { $($field: $field.0,)* }, $ty { $($field: $field.1,)* })
    }};
}

macro_rules! reborrow_fields {
    ($self:ident, $ty:ident { $($field:ident),* }) => {
        $ty { $($field: &mut *$self.$field,)* }
    };
}

impl PositionOut<'_> {
    fn split_at(self, mid: usize) -> (Self, Self) {
        split_fields!(
            self,
            mid,
            PositionOut {
                unrealized_pnl,
                maintenance_margin,
                initial_margin,
                margin_ratio,
                liquidation_price,
                liquidate
            }
        )
    }

    fn reborrow(&mut self) -> PositionOut<'_> {
        reborrow_fields!(
            self,
            PositionOut {
                unrealized_pnl,
                maintenance_margin,
                initial_margin,
                margin_ratio,
                liquidation_price,
                liquidate
            }
        )
    }

    fn check_lengths(&self, expected: usize) -> Result<(), RiskError> {
        check_all(
            &[
                ("unrealized_pnl", self.unrealized_pnl.len()),
                ("maintenance_margin", self.maintenance_margin.len()),
                ("initial_margin", self.initial_margin.len()),
                ("margin_ratio", self.margin_ratio.len()),
                ("liquidation_price", self.liquidation_price.len()),
                ("liquidate", self.liquidate.len()),
            ],
            expected,
        )
    }
}

impl AccountOut<'_> {
    fn split_at(self, mid: usize) -> (Self, Self) {
        split_fields!(
            self,
            mid,
            AccountOut {
                margin_balance,
                maintenance_margin,
                initial_margin,
                margin_ratio,
                available_balance,
                liquidate
            }
        )
    }

    fn reborrow(&mut self) -> AccountOut<'_> {
        reborrow_fields!(
            self,
            AccountOut {
                margin_balance,
                maintenance_margin,
                initial_margin,
                margin_ratio,
                available_balance,
                liquidate
            }
        )
    }

    fn check_lengths(&self, expected: usize) -> Result<(), RiskError> {
        check_all(
            &[
                ("margin_balance", self.margin_balance.len()),
                ("account maintenance_margin", self.maintenance_margin.len()),
                ("account initial_margin", self.initial_margin.len()),
                ("account margin_ratio", self.margin_ratio.len()),
                ("available_balance", self.available_balance.len()),
                ("account liquidate", self.liquidate.len()),
            ],
            expected,
        )
    }
}

fn check_all(columns: &[(&'static str, usize)], expected: usize) -> Result<(), RiskError> {
    for &(field, got) in columns {
        if got != expected {
            return Err(RiskError::LengthMismatch {
                field,
                expected,
                got,
            });
        }
    }
    Ok(())
}

/// Owned output columns, for Rust callers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchBuffers {
    /// Per position: unrealized PnL.
    pub unrealized_pnl: Vec<i64>,
    /// Per position: maintenance margin.
    pub maintenance_margin: Vec<i64>,
    /// Per position: initial margin.
    pub initial_margin: Vec<i64>,
    /// Per position: margin ratio of its pool.
    pub margin_ratio: Vec<i64>,
    /// Per position: liquidation price or [`NO_LIQUIDATION_PRICE`].
    pub liquidation_price: Vec<i64>,
    /// Per position: its pool is at or past maintenance.
    pub liquidate: Vec<bool>,
    /// Per account: cross margin balance.
    pub account_margin_balance: Vec<i64>,
    /// Per account: cross maintenance margin.
    pub account_maintenance_margin: Vec<i64>,
    /// Per account: cross initial margin.
    pub account_initial_margin: Vec<i64>,
    /// Per account: cross margin ratio.
    pub account_margin_ratio: Vec<i64>,
    /// Per account: available balance.
    pub account_available_balance: Vec<i64>,
    /// Per account: the cross pool is at or past maintenance.
    pub account_liquidate: Vec<bool>,
}

impl BatchBuffers {
    /// Zeroed buffers for `positions` rows and `accounts` accounts.
    #[must_use]
    pub fn new(positions: usize, accounts: usize) -> Self {
        Self {
            unrealized_pnl: vec![0; positions],
            maintenance_margin: vec![0; positions],
            initial_margin: vec![0; positions],
            margin_ratio: vec![0; positions],
            liquidation_price: vec![0; positions],
            liquidate: vec![false; positions],
            account_margin_balance: vec![0; accounts],
            account_maintenance_margin: vec![0; accounts],
            account_initial_margin: vec![0; accounts],
            account_margin_ratio: vec![0; accounts],
            account_available_balance: vec![0; accounts],
            account_liquidate: vec![false; accounts],
        }
    }

    /// The buffers as output columns.
    pub fn out(&mut self) -> BatchOut<'_> {
        BatchOut {
            positions: PositionOut {
                unrealized_pnl: &mut self.unrealized_pnl,
                maintenance_margin: &mut self.maintenance_margin,
                initial_margin: &mut self.initial_margin,
                margin_ratio: &mut self.margin_ratio,
                liquidation_price: &mut self.liquidation_price,
                liquidate: &mut self.liquidate,
            },
            accounts: AccountOut {
                margin_balance: &mut self.account_margin_balance,
                maintenance_margin: &mut self.account_maintenance_margin,
                initial_margin: &mut self.account_initial_margin,
                margin_ratio: &mut self.account_margin_ratio,
                available_balance: &mut self.account_available_balance,
                liquidate: &mut self.account_liquidate,
            },
        }
    }
}

/// The row layout of a batch, built once from its account and symbol columns: each
/// account's rows, and each symbol's accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionIndex {
    /// Account `a` owns rows `offsets[a]..offsets[a + 1]`.
    offsets: Vec<usize>,
    /// Symbol `s` is held by accounts `holders[holder_offsets[s]..holder_offsets[s + 1]]`,
    /// ascending and distinct.
    holder_offsets: Vec<usize>,
    holders: Vec<u32>,
    /// Every account, for the full pass.
    all_accounts: Vec<u32>,
}

impl PositionIndex {
    /// Builds the layout of rows whose account column is `account` (grouped in ascending
    /// order, each below `accounts`) and symbol column `symbol` (each below `symbols`).
    ///
    /// # Errors
    ///
    /// [`RiskError::LengthMismatch`] when the columns differ in length;
    /// [`RiskError::Row`] around [`RiskError::IndexOutOfRange`] or
    /// [`RiskError::UnsortedAccounts`] for the first bad row.
    pub fn new(
        account: &[u32],
        symbol: &[u32],
        accounts: usize,
        symbols: usize,
    ) -> Result<Self, RiskError> {
        if symbol.len() != account.len() {
            return Err(RiskError::LengthMismatch {
                field: "symbol",
                expected: account.len(),
                got: symbol.len(),
            });
        }
        let account_count = u32::try_from(accounts).map_err(|_| RiskError::overflow("accounts"))?;
        let mut offsets = vec![0usize; accounts + 1];
        let mut holder_counts = vec![0usize; symbols + 1];
        // For each symbol, the last account counted as a holder (accounts come in order).
        let mut last_holder = vec![u32::MAX; symbols];
        let mut previous = 0u32;
        for (i, (&a, &s)) in account.iter().zip(symbol).enumerate() {
            if a >= account_count {
                return Err(out_of_range("account", a, accounts).at_row(i));
            }
            if (s as usize) >= symbols {
                return Err(out_of_range("symbol", s, symbols).at_row(i));
            }
            if a < previous {
                return Err(RiskError::UnsortedAccounts.at_row(i));
            }
            previous = a;
            offsets[a as usize + 1] += 1;
            if last_holder[s as usize] != a {
                last_holder[s as usize] = a;
                holder_counts[s as usize + 1] += 1;
            }
        }
        for a in 0..accounts {
            offsets[a + 1] += offsets[a];
        }
        for s in 0..symbols {
            holder_counts[s + 1] += holder_counts[s];
        }
        let holder_offsets = holder_counts;
        let mut fill = holder_offsets.clone();
        let mut holders = vec![0u32; holder_offsets[symbols]];
        last_holder.fill(u32::MAX);
        for (&a, &s) in account.iter().zip(symbol) {
            let s = s as usize;
            if last_holder[s] != a {
                last_holder[s] = a;
                holders[fill[s]] = a;
                fill[s] += 1;
            }
        }
        Ok(Self {
            offsets,
            holder_offsets,
            holders,
            all_accounts: (0..account_count).collect(),
        })
    }

    /// The number of position rows.
    #[must_use]
    pub fn positions(&self) -> usize {
        self.offsets[self.offsets.len() - 1]
    }

    /// The number of accounts.
    #[must_use]
    pub fn accounts(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The number of symbols.
    #[must_use]
    pub fn symbols(&self) -> usize {
        self.holder_offsets.len() - 1
    }

    /// The rows of an account (empty for an account beyond the table).
    #[must_use]
    pub fn rows_of(&self, account: u32) -> Range<usize> {
        let a = account as usize;
        if a >= self.accounts() {
            return 0..0;
        }
        self.offsets[a]..self.offsets[a + 1]
    }

    /// The accounts holding a symbol, ascending (empty for a symbol beyond the table).
    #[must_use]
    pub fn holders_of(&self, symbol: u32) -> &[u32] {
        let s = symbol as usize;
        if s >= self.symbols() {
            return &[];
        }
        &self.holders[self.holder_offsets[s]..self.holder_offsets[s + 1]]
    }

    /// The distinct accounts holding any of `symbols`, ascending.
    ///
    /// # Errors
    ///
    /// [`RiskError::Row`] around [`RiskError::IndexOutOfRange`] for a symbol beyond the
    /// table.
    pub fn holders_of_any(&self, symbols: &[u32]) -> Result<Vec<u32>, RiskError> {
        let mut seen = vec![0u64; self.accounts().div_ceil(64)];
        for (i, &s) in symbols.iter().enumerate() {
            if s as usize >= self.symbols() {
                return Err(out_of_range("symbol", s, self.symbols()).at_row(i));
            }
            for &a in self.holders_of(s) {
                seen[a as usize / 64] |= 1 << (a % 64);
            }
        }
        let mut out = Vec::new();
        for (word_index, &word) in seen.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let bit = bits.trailing_zeros();
                out.push(word_index as u32 * 64 + bit);
                bits &= bits - 1;
            }
        }
        Ok(out)
    }

    /// Computes every output row.
    ///
    /// # Errors
    ///
    /// [`RiskError::LengthMismatch`] for a column of the wrong length (positions: the
    /// index's rows; wallets: its accounts; contracts and marks: its symbols);
    /// [`RiskError::Row`] for the first failing row (see the module documentation).
    pub fn compute(&self, input: &BatchInput<'_>, out: &mut BatchOut<'_>) -> Result<(), RiskError> {
        self.run(input, &self.all_accounts, out)
    }

    /// Recomputes the accounts holding any of `moved` symbols (typically those whose mark
    /// changed, see [`moved_symbols`]); every other row keeps its value. Returns the number
    /// of accounts recomputed.
    ///
    /// # Errors
    ///
    /// As [`PositionIndex::compute`], and [`PositionIndex::holders_of_any`].
    pub fn recompute_symbols(
        &self,
        input: &BatchInput<'_>,
        moved: &[u32],
        out: &mut BatchOut<'_>,
    ) -> Result<usize, RiskError> {
        let accounts = self.holders_of_any(moved)?;
        self.run(input, &accounts, out)?;
        Ok(accounts.len())
    }

    /// Recomputes the listed accounts (strictly ascending); every other row keeps its value.
    ///
    /// # Errors
    ///
    /// As [`PositionIndex::compute`]; [`RiskError::Row`] around
    /// [`RiskError::UnsortedAccounts`] or [`RiskError::IndexOutOfRange`] for a bad entry of
    /// the list.
    pub fn recompute_accounts(
        &self,
        input: &BatchInput<'_>,
        accounts: &[u32],
        out: &mut BatchOut<'_>,
    ) -> Result<(), RiskError> {
        for (i, &a) in accounts.iter().enumerate() {
            if a as usize >= self.accounts() {
                return Err(out_of_range("account", a, self.accounts()).at_row(i));
            }
            if i > 0 && accounts[i - 1] >= a {
                return Err(RiskError::UnsortedAccounts.at_row(i));
            }
        }
        self.run(input, accounts, out)
    }

    pub(crate) fn check_lengths(
        &self,
        input: &BatchInput<'_>,
        out: &BatchOut<'_>,
    ) -> Result<(), RiskError> {
        input.positions.check_lengths(self.positions())?;
        check_all(&[("wallets", input.wallets.len())], self.accounts())?;
        check_all(
            &[
                ("contracts", input.contracts.len()),
                ("marks", input.marks.len()),
            ],
            self.symbols(),
        )?;
        out.positions.check_lengths(self.positions())?;
        out.accounts.check_lengths(self.accounts())
    }

    /// Runs the listed accounts (strictly ascending, in range) in parallel chunks.
    fn run(
        &self,
        input: &BatchInput<'_>,
        accounts: &[u32],
        out: &mut BatchOut<'_>,
    ) -> Result<(), RiskError> {
        self.check_lengths(input, out)?;
        let markets = kernel::markets(input.contracts, input.marks);
        let chunks = self.carve(accounts, out);
        if let [_] = chunks[..] {
            // One chunk: no hand-off to the pool.
            return chunks
                .into_iter()
                .try_for_each(|chunk| self.run_chunk(input, &markets, chunk));
        }
        let results: Vec<Result<(), RiskError>> = chunks
            .into_par_iter()
            .map(|chunk| self.run_chunk(input, &markets, chunk))
            .collect();
        results.into_iter().collect()
    }

    /// Splits the output columns into one disjoint piece per chunk of listed accounts.
    fn carve<'o>(&self, accounts: &'o [u32], out: &'o mut BatchOut<'_>) -> Vec<Chunk<'o>> {
        let mut rest_positions = out.positions.reborrow();
        let mut rest_accounts = out.accounts.reborrow();
        let (mut position_cursor, mut account_cursor) = (0usize, 0usize);
        let mut chunks = Vec::with_capacity(accounts.len().div_ceil(ACCOUNTS_PER_CHUNK));
        for group in accounts.chunks(ACCOUNTS_PER_CHUNK) {
            let first = group[0] as usize;
            let end = group[group.len() - 1] as usize + 1;
            let (row_start, row_end) = (self.offsets[first], self.offsets[end]);
            let (_, rest) = rest_positions.split_at(row_start - position_cursor);
            let (positions, rest) = rest.split_at(row_end - row_start);
            rest_positions = rest;
            position_cursor = row_end;
            let (_, rest) = rest_accounts.split_at(first - account_cursor);
            let (account_out, rest) = rest.split_at(end - first);
            rest_accounts = rest;
            account_cursor = end;
            chunks.push(Chunk {
                accounts: group,
                row_start,
                account_start: first,
                positions,
                account_out,
            });
        }
        chunks
    }

    fn run_chunk(
        &self,
        input: &BatchInput<'_>,
        markets: &[Market<'_>],
        chunk: Chunk<'_>,
    ) -> Result<(), RiskError> {
        let mut chunk = chunk.uniform();
        let local = ChunkInput::new(input, &chunk);
        for (i, &a) in chunk.accounts.iter().enumerate() {
            let a = a as usize;
            let rows = self.offsets[a]..self.offsets[a + 1];
            // The rows of the next account listed, unless they follow these (then they are
            // read in sequence, which the hardware prefetches).
            if let Some(&next) = chunk.accounts.get(i + 1)
                && next as usize != a + 1
            {
                let next = next as usize;
                touch(input, next, self.offsets[next]..self.offsets[next + 1]);
            }
            // The fast kernel leaves to the reference any account it cannot finish (an
            // intermediate beyond its range, an invalid row); the reference then rewrites
            // every output of the account, or reports the error.
            if !fast_account(&local, markets, a, rows.clone(), &mut chunk) {
                account_kernel(input, a, rows, &mut chunk)?;
            }
        }
        Ok(())
    }
}

/// Reads the first and last input row of an account (and its wallet) ahead of its turn:
/// when the listed accounts are scattered (an incremental call), their rows are cache
/// misses, and issuing them all at once, while the account before is computed, waits for
/// memory once per account instead of once per column. (A prefetch instruction would not
/// wait at all, but needs `unsafe`.)
#[inline]
fn touch(input: &BatchInput<'_>, account: usize, rows: Range<usize>) {
    let p = &input.positions;
    let (first, last) = (rows.start, rows.end.saturating_sub(1));
    if rows.is_empty() || last >= p.len() {
        return;
    }
    std::hint::black_box((
        input.wallets.get(account),
        p.symbol[first] ^ p.symbol[last] ^ p.leverage[first] ^ p.leverage[last],
        p.qty[first] ^ p.qty[last] ^ p.entry_price[first] ^ p.entry_price[last],
        p.isolated_margin[first] ^ p.isolated_margin[last],
        p.isolated[first] ^ p.isolated[last],
    ));
}

/// The input rows and wallets of a chunk, each column from the chunk's first row (or
/// account) and all cut to one length, so that one check per account bounds them all.
struct ChunkInput<'a> {
    rows: kernel::Rows<'a>,
    wallets: &'a [i64],
}

impl<'a> ChunkInput<'a> {
    fn new(input: &BatchInput<'a>, chunk: &Chunk<'_>) -> Self {
        fn tail<T>(column: &[T], from: usize) -> &[T] {
            column.get(from..).unwrap_or_default()
        }
        let (p, from) = (&input.positions, chunk.row_start);
        let (symbol, qty, entry_price, leverage, isolated, isolated_margin) = (
            tail(p.symbol, from),
            tail(p.qty, from),
            tail(p.entry_price, from),
            tail(p.leverage, from),
            tail(p.isolated, from),
            tail(p.isolated_margin, from),
        );
        let n = [
            chunk.positions.unrealized_pnl.len(),
            symbol.len(),
            qty.len(),
            entry_price.len(),
            leverage.len(),
            isolated.len(),
            isolated_margin.len(),
        ]
        .into_iter()
        .min()
        .unwrap_or(0);
        let wallets = tail(input.wallets, chunk.account_start);
        let accounts = wallets.len().min(chunk.account_out.margin_balance.len());
        Self {
            rows: kernel::Rows {
                symbol: symbol.split_at(n).0,
                qty: qty.split_at(n).0,
                entry_price: entry_price.split_at(n).0,
                leverage: leverage.split_at(n).0,
                isolated: isolated.split_at(n).0,
                isolated_margin: isolated_margin.split_at(n).0,
            },
            wallets: wallets.split_at(accounts).0,
        }
    }
}

/// The fast kernel on one account of a chunk: `false` when it leaves the account to the
/// reference (some outputs possibly written).
#[inline]
fn fast_account(
    local: &ChunkInput<'_>,
    markets: &[Market<'_>],
    account: usize,
    rows: Range<usize>,
    chunk: &mut Chunk<'_>,
) -> bool {
    let columns = &local.rows;
    let out = &mut chunk.positions;
    let rows = rows.start - chunk.row_start..rows.end - chunk.row_start;
    let a = account - chunk.account_start;
    let (
        Some(symbol),
        Some(qty),
        Some(entry_price),
        Some(leverage),
        Some(isolated),
        Some(isolated_margin),
        Some(wallet),
    ) = (
        columns.symbol.get(rows.clone()),
        columns.qty.get(rows.clone()),
        columns.entry_price.get(rows.clone()),
        columns.leverage.get(rows.clone()),
        columns.isolated.get(rows.clone()),
        columns.isolated_margin.get(rows.clone()),
        local.wallets.get(a),
    )
    else {
        return false;
    };
    let out_rows = rows;
    let (
        Some(unrealized_pnl),
        Some(maintenance_margin),
        Some(initial_margin),
        Some(margin_ratio),
        Some(liquidation_price),
        Some(liquidate),
    ) = (
        out.unrealized_pnl.get_mut(out_rows.clone()),
        out.maintenance_margin.get_mut(out_rows.clone()),
        out.initial_margin.get_mut(out_rows.clone()),
        out.margin_ratio.get_mut(out_rows.clone()),
        out.liquidation_price.get_mut(out_rows.clone()),
        out.liquidate.get_mut(out_rows),
    )
    else {
        return false;
    };
    let rows = kernel::Rows {
        symbol,
        qty,
        entry_price,
        leverage,
        isolated,
        isolated_margin,
    };
    let mut rows_out = kernel::RowsOut {
        unrealized_pnl,
        maintenance_margin,
        initial_margin,
        margin_ratio,
        liquidation_price,
        liquidate,
    };
    let Some(pool) = kernel::account(markets, *wallet, &rows, &mut rows_out) else {
        return false;
    };
    let accounts = &mut chunk.account_out;
    accounts.margin_balance[a] = pool.margin_balance;
    accounts.maintenance_margin[a] = pool.maintenance_margin;
    accounts.initial_margin[a] = pool.initial_margin;
    accounts.margin_ratio[a] = pool.margin_ratio;
    accounts.available_balance[a] = pool.available_balance;
    accounts.liquidate[a] = pool.liquidate;
    true
}

/// The output pieces of one chunk of accounts.
struct Chunk<'o> {
    accounts: &'o [u32],
    /// The first row covered by `positions`.
    row_start: usize,
    /// The first account covered by `account_out`.
    account_start: usize,
    positions: PositionOut<'o>,
    account_out: AccountOut<'o>,
}

impl Chunk<'_> {
    /// The chunk with its position columns cut to the shortest one's length, and its
    /// account columns likewise (they are carved to equal lengths: one length lets one
    /// check per account bound them all).
    fn uniform(self) -> Self {
        let p = self.positions;
        let n = [
            p.unrealized_pnl.len(),
            p.maintenance_margin.len(),
            p.initial_margin.len(),
            p.margin_ratio.len(),
            p.liquidation_price.len(),
            p.liquidate.len(),
        ]
        .into_iter()
        .min()
        .unwrap_or(0);
        let positions = PositionOut {
            unrealized_pnl: p.unrealized_pnl.split_at_mut(n).0,
            maintenance_margin: p.maintenance_margin.split_at_mut(n).0,
            initial_margin: p.initial_margin.split_at_mut(n).0,
            margin_ratio: p.margin_ratio.split_at_mut(n).0,
            liquidation_price: p.liquidation_price.split_at_mut(n).0,
            liquidate: p.liquidate.split_at_mut(n).0,
        };
        let q = self.account_out;
        let m = [
            q.margin_balance.len(),
            q.maintenance_margin.len(),
            q.initial_margin.len(),
            q.margin_ratio.len(),
            q.available_balance.len(),
            q.liquidate.len(),
        ]
        .into_iter()
        .min()
        .unwrap_or(0);
        let account_out = AccountOut {
            margin_balance: q.margin_balance.split_at_mut(m).0,
            maintenance_margin: q.maintenance_margin.split_at_mut(m).0,
            initial_margin: q.initial_margin.split_at_mut(m).0,
            margin_ratio: q.margin_ratio.split_at_mut(m).0,
            available_balance: q.available_balance.split_at_mut(m).0,
            liquidate: q.liquidate.split_at_mut(m).0,
        };
        Self {
            positions,
            account_out,
            ..self
        }
    }
}

fn out_of_range(field: &'static str, value: u32, len: usize) -> RiskError {
    RiskError::IndexOutOfRange {
        field,
        value: u64::from(value),
        len,
    }
}

/// One account: its rows' metrics, its cross pool, then each row's liquidation price.
fn account_kernel(
    input: &BatchInput<'_>,
    account: usize,
    rows: Range<usize>,
    chunk: &mut Chunk<'_>,
) -> Result<(), RiskError> {
    let p = &input.positions;
    let base = chunk.row_start;
    let out = &mut chunk.positions;
    let (mut upnl, mut mm, mut im) = (0i128, 0i128, 0i128);
    let mut cross_open = false;
    for i in rows.clone() {
        let symbol = p.symbol[i];
        let (contract, mark) = market(input, symbol).map_err(|e| e.at_row(i))?;
        let qty = p.qty[i];
        if qty != 0 && mark <= 0 {
            return Err(RiskError::InvalidPrice {
                symbol,
                price: mark,
            }
            .at_row(i));
        }
        let m = position_metrics(contract, qty, p.entry_price[i], mark, p.leverage[i])
            .map_err(|e| e.at_row(i))?;
        let o = i - base;
        out.unrealized_pnl[o] = m.unrealized_pnl;
        out.maintenance_margin[o] = m.maintenance_margin;
        out.initial_margin[o] = m.initial_margin;
        if p.isolated[i] {
            let margin = p.isolated_margin[i];
            let balance = i64::try_from(i128::from(margin) + i128::from(m.unrealized_pnl))
                .map_err(|_| RiskError::overflow("isolated margin_balance").at_row(i))?;
            out.margin_ratio[o] = margin_ratio(m.maintenance_margin, balance);
            out.liquidate[o] = at_maintenance(qty != 0, m.maintenance_margin, balance);
            out.liquidation_price[o] = liquidation_price(contract, qty, p.entry_price[i], margin)
                .map_err(|e| e.at_row(i))?
                .unwrap_or(NO_LIQUIDATION_PRICE);
        } else {
            upnl += i128::from(m.unrealized_pnl);
            mm += i128::from(m.maintenance_margin);
            im += i128::from(m.initial_margin);
            cross_open |= qty != 0;
        }
    }
    let first_row = rows.start;
    let narrow =
        |x: i128, op| i64::try_from(x).map_err(|_| RiskError::overflow(op).at_row(first_row));
    let wallet = input.wallets[account];
    let maintenance = narrow(mm, "cross maintenance_margin")?;
    let initial = narrow(im, "cross initial_margin")?;
    let balance = narrow(i128::from(wallet) + upnl, "cross margin_balance")?;
    let available = narrow(i128::from(balance) - im, "available_balance")?;
    let ratio = margin_ratio(maintenance, balance);
    let liquidate = at_maintenance(cross_open, maintenance, balance);
    let a = account - chunk.account_start;
    let accounts = &mut chunk.account_out;
    accounts.margin_balance[a] = balance;
    accounts.maintenance_margin[a] = maintenance;
    accounts.initial_margin[a] = initial;
    accounts.margin_ratio[a] = ratio;
    accounts.available_balance[a] = available;
    accounts.liquidate[a] = liquidate;

    for i in rows {
        if p.isolated[i] {
            continue;
        }
        let o = i - base;
        out.margin_ratio[o] = ratio;
        out.liquidate[o] = liquidate;
        if p.qty[i] == 0 {
            out.liquidation_price[o] = NO_LIQUIDATION_PRICE;
            continue;
        }
        // WB - TMM1 + UPNL1: the other cross positions held at their marks.
        let collateral = i128::from(wallet) - (mm - i128::from(out.maintenance_margin[o]))
            + (upnl - i128::from(out.unrealized_pnl[o]));
        let collateral = i64::try_from(collateral)
            .map_err(|_| RiskError::overflow("cross collateral").at_row(i))?;
        let (contract, _) = market(input, p.symbol[i]).map_err(|e| e.at_row(i))?;
        out.liquidation_price[o] =
            liquidation_price(contract, p.qty[i], p.entry_price[i], collateral)
                .map_err(|e| e.at_row(i))?
                .unwrap_or(NO_LIQUIDATION_PRICE);
    }
    Ok(())
}

#[inline]
fn market<'a>(input: &BatchInput<'a>, symbol: u32) -> Result<(&'a Contract, i64), RiskError> {
    let s = symbol as usize;
    match (input.contracts.get(s), input.marks.get(s)) {
        (Some(contract), Some(&mark)) => Ok((contract, mark)),
        _ => Err(out_of_range("symbol", symbol, input.contracts.len())),
    }
}

/// The symbols whose mark differs between `old` and `new` (compared up to the shorter
/// length), ascending.
#[must_use]
pub fn moved_symbols(old: &[i64], new: &[i64]) -> Vec<u32> {
    old.iter()
        .zip(new)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(s, _)| s as u32)
        .collect()
}

/// The row order that groups `account` in ascending account order, stable within an
/// account (a counting sort): `rows[k]` is the input row to put at position `k`.
///
/// # Errors
///
/// [`RiskError::Row`] around [`RiskError::IndexOutOfRange`] for an account at or beyond
/// `accounts`.
pub fn group_by_account(account: &[u32], accounts: usize) -> Result<Vec<usize>, RiskError> {
    let mut starts = vec![0usize; accounts + 1];
    for (i, &a) in account.iter().enumerate() {
        if a as usize >= accounts {
            return Err(out_of_range("account", a, accounts).at_row(i));
        }
        starts[a as usize + 1] += 1;
    }
    for a in 0..accounts {
        starts[a + 1] += starts[a];
    }
    let mut rows = vec![0usize; account.len()];
    for (i, &a) in account.iter().enumerate() {
        rows[starts[a as usize]] = i;
        starts[a as usize] += 1;
    }
    Ok(rows)
}
