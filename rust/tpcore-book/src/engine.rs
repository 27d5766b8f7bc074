//! Many books behind one call: an [`Engine`] keyed by symbol id processes a mixed-symbol
//! batch of commands in order and shares one fee schedule.

use std::collections::BTreeMap;

use crate::BookError;
use crate::book::{Book, BookState};
use crate::codec;
use crate::command::Command;
use crate::event::Event;
use crate::fees::{FeeSchedule, FeeTier};
use crate::instrument::Instrument;
use crate::types::Reason;

/// The books of many instruments and their fee schedule.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    books: Vec<Book>,
    by_symbol: BTreeMap<u32, usize>,
    fees: FeeSchedule,
}

/// What an engine snapshot holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct EngineState {
    fee_tiers: Vec<FeeTier>,
    account_tiers: Vec<(u64, u16)>,
    books: Vec<BookState>,
}

const ENGINE_MAGIC: [u8; 4] = *b"TPEN";

impl Engine {
    /// An engine with no books and the given fee schedule.
    #[must_use]
    pub fn new(fees: FeeSchedule) -> Self {
        Self {
            fees,
            ..Self::default()
        }
    }

    /// Adds an empty book.
    ///
    /// # Errors
    ///
    /// [`BookError::DuplicateSymbol`] if the symbol id is taken;
    /// [`BookError::InvalidInstrument`] if the instrument is inconsistent.
    pub fn add_book(&mut self, instrument: Instrument) -> Result<(), BookError> {
        self.insert(Book::new(instrument)?)
    }

    fn insert(&mut self, book: Book) -> Result<(), BookError> {
        let symbol = book.instrument().symbol_id;
        if self.by_symbol.contains_key(&symbol) {
            return Err(BookError::DuplicateSymbol { symbol });
        }
        self.by_symbol.insert(symbol, self.books.len());
        self.books.push(book);
        Ok(())
    }

    /// The book of a symbol id.
    #[must_use]
    pub fn book(&self, symbol: u32) -> Option<&Book> {
        self.by_symbol.get(&symbol).map(|&i| &self.books[i])
    }

    /// The book of a symbol id, mutably (market data tracking, tests).
    pub fn book_mut(&mut self, symbol: u32) -> Option<&mut Book> {
        self.by_symbol.get(&symbol).map(|&i| &mut self.books[i])
    }

    /// Symbol ids in ascending order.
    pub fn symbols(&self) -> impl Iterator<Item = u32> + '_ {
        self.by_symbol.keys().copied()
    }

    /// The fee schedule.
    #[must_use]
    pub fn fees(&self) -> &FeeSchedule {
        &self.fees
    }

    /// The fee schedule, to change account tiers.
    pub fn fees_mut(&mut self) -> &mut FeeSchedule {
        &mut self.fees
    }

    /// Applies commands in order, appending their events to `out`. A command for an
    /// unknown symbol becomes a reject event.
    pub fn process(&mut self, commands: &[Command], out: &mut Vec<Event>) {
        let mut cached: Option<(u32, usize)> = None;
        for command in commands {
            let index = match cached {
                Some((symbol, index)) if symbol == command.symbol => Some(index),
                _ => self.by_symbol.get(&command.symbol).copied(),
            };
            match index {
                Some(index) => {
                    cached = Some((command.symbol, index));
                    self.books[index].process(command, &self.fees, out);
                }
                None => out.push(crate::book::rejected(command, Reason::UnknownSymbol)),
            }
        }
    }

    /// Applies commands given as packed records ([`crate::COMMAND_SIZE`] bytes each, no
    /// header) and appends the events as packed records ([`crate::EVENT_SIZE`] bytes
    /// each). Returns the number of events written.
    ///
    /// # Errors
    ///
    /// [`BookError::MalformedBuffer`] if the length is not a whole number of records;
    /// nothing is processed then.
    pub fn process_records(
        &mut self,
        commands: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<usize, BookError> {
        let records = codec::command_records(commands)?;
        let mut batch = Vec::with_capacity(CHUNK.min(records.len()));
        let mut events = Vec::with_capacity(2 * CHUNK.min(records.len()));
        let mut written = 0;
        for chunk in records.chunks(CHUNK) {
            batch.clear();
            batch.extend(chunk.iter().map(Command::decode));
            events.clear();
            self.process(&batch, &mut events);
            codec::append_event_records(&events, out);
            written += events.len();
        }
        Ok(written)
    }

    /// The versioned snapshot of every book and the fee schedule.
    #[must_use]
    pub fn snapshot(&self) -> Vec<u8> {
        let state = EngineState {
            fee_tiers: self.fees.tiers().to_vec(),
            account_tiers: self.fees.account_tiers().collect(),
            books: self
                .by_symbol
                .values()
                .map(|&i| self.books[i].state())
                .collect(),
        };
        crate::snapshot::encode(ENGINE_MAGIC, &state)
    }

    /// Rebuilds an engine from [`Engine::snapshot`] bytes.
    ///
    /// # Errors
    ///
    /// [`BookError::CorruptSnapshot`] if the bytes do not decode to a valid state.
    pub fn restore(bytes: &[u8]) -> Result<Self, BookError> {
        let state: EngineState = crate::snapshot::decode(ENGINE_MAGIC, bytes)?;
        let corrupt = |e: BookError| BookError::CorruptSnapshot {
            detail: e.to_string(),
        };
        let mut fees = FeeSchedule::new(state.fee_tiers).map_err(corrupt)?;
        for (account, tier) in state.account_tiers {
            fees.set_account_tier(account, tier).map_err(corrupt)?;
        }
        let mut engine = Self::new(fees);
        for book in state.books {
            engine.insert(Book::from_state(book)?).map_err(corrupt)?;
        }
        Ok(engine)
    }

    /// SHA-256 of the snapshot.
    #[must_use]
    pub fn state_hash(&self) -> [u8; 32] {
        crate::snapshot::hash(&self.snapshot())
    }

    /// Checks every book's invariants.
    ///
    /// # Errors
    ///
    /// The symbol id and the first broken invariant.
    pub fn validate_invariants(&self) -> Result<(), String> {
        for (&symbol, &i) in &self.by_symbol {
            self.books[i]
                .validate_invariants()
                .map_err(|e| format!("symbol {symbol}: {e}"))?;
        }
        Ok(())
    }
}

/// Commands decoded per step of [`Engine::process_records`].
const CHUNK: usize = 1024;
