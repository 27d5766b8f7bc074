//! `Engine`: books keyed by symbol id, with scalar calls returning `Event` objects and the
//! batch path over numpy structured arrays (`tpcore.book.COMMAND_DTYPE` in,
//! `EVENT_DTYPE` out) with the GIL released.

use std::sync::{Mutex, MutexGuard, PoisonError};

use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyBytes;
use tpcore_book::{
    Book, Command, Engine, Event, FeeSchedule, FeeTier, OrderType, SelfTrade, Side, TimeInForce,
    codec, flags,
};

use super::event::PyEvent;
use super::instrument::PyInstrument;
use crate::error::{CoreError, InvariantError};
use crate::parallel::detach_here;

/// One resting order as `orders` returns it: `(order_id, account, price, visible, hidden)`.
type L3Row = (u64, u64, i64, i64, i64);

/// The engine and the sequence number scalar calls continue from.
struct State {
    engine: Engine,
    last_seq: u64,
    events: Vec<Event>,
}

/// Books of many instruments behind one lock. Scalar calls (`submit`, `cancel`, `amend`,
/// ...) return lists of `Event`; `process` takes a `COMMAND_DTYPE` array and returns an
/// `EVENT_DTYPE` array, releasing the GIL while it matches. Commands without a sequence
/// number are numbered after the last one seen.
#[pyclass(name = "Engine", module = "tpcore._core", frozen)]
pub(crate) struct PyEngine {
    state: Mutex<State>,
}

fn parse<T>(
    name: &str,
    value: &str,
    from: impl Fn(&str) -> Option<T>,
    choices: &str,
) -> PyResult<T> {
    from(value).ok_or_else(|| {
        CoreError::argument(
            "invalid_enum",
            format!("{name} must be one of {choices}, not {value:?}"),
        )
        .into()
    })
}

fn side_of(value: &str) -> PyResult<Side> {
    parse(
        "side",
        value,
        |v| match v {
            "buy" => Some(Side::Buy),
            "sell" => Some(Side::Sell),
            _ => None,
        },
        "'buy', 'sell'",
    )
}

fn order_type_of(value: &str) -> PyResult<OrderType> {
    parse(
        "order_type",
        value,
        |v| match v {
            "limit" => Some(OrderType::Limit),
            "market" => Some(OrderType::Market),
            "stop_market" => Some(OrderType::StopMarket),
            "stop_limit" => Some(OrderType::StopLimit),
            _ => None,
        },
        "'limit', 'market', 'stop_market', 'stop_limit'",
    )
}

fn tif_of(value: &str) -> PyResult<TimeInForce> {
    parse(
        "tif",
        value,
        |v| match v {
            "gtc" => Some(TimeInForce::Gtc),
            "ioc" => Some(TimeInForce::Ioc),
            "fok" => Some(TimeInForce::Fok),
            "gtd" => Some(TimeInForce::Gtd),
            _ => None,
        },
        "'gtc', 'ioc', 'fok', 'gtd'",
    )
}

fn stp_of(value: &str) -> PyResult<SelfTrade> {
    parse(
        "stp",
        value,
        |v| match v {
            "cancel_taker" => Some(SelfTrade::CancelTaker),
            "cancel_maker" => Some(SelfTrade::CancelMaker),
            "cancel_both" => Some(SelfTrade::CancelBoth),
            "decrement" => Some(SelfTrade::Decrement),
            _ => None,
        },
        "'cancel_taker', 'cancel_maker', 'cancel_both', 'decrement'",
    )
}

fn unknown_symbol(symbol: u32) -> PyErr {
    CoreError::argument("unknown_symbol", format!("no book for symbol id {symbol}")).into()
}

/// `tpcore.book.COMMAND_DTYPE` and `EVENT_DTYPE`, imported once.
pub(crate) fn dtypes(py: Python<'_>) -> PyResult<&(Py<PyAny>, Py<PyAny>)> {
    static DTYPES: PyOnceLock<(Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();
    DTYPES.get_or_try_init(py, || {
        let module = py.import("tpcore.book")?;
        Ok((
            module.getattr("COMMAND_DTYPE")?.unbind(),
            module.getattr("EVENT_DTYPE")?.unbind(),
        ))
    })
}

impl PyEngine {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs one command and returns its events as objects.
    fn one(&self, mut command: Command, seq: Option<u64>) -> Vec<PyEvent> {
        let mut state = self.lock();
        command.seq = seq.unwrap_or(state.last_seq + 1);
        state.last_seq = command.seq;
        let State { engine, events, .. } = &mut *state;
        events.clear();
        engine.process(std::slice::from_ref(&command), events);
        events.iter().copied().map(PyEvent::from).collect()
    }

    fn with_book<T>(&self, symbol: u32, read: impl FnOnce(&Book) -> T) -> PyResult<T> {
        let state = self.lock();
        state
            .engine
            .book(symbol)
            .map(read)
            .ok_or_else(|| unknown_symbol(symbol))
    }
}

#[pymethods]
impl PyEngine {
    /// An engine with no books. `fee_tiers` lists `(maker_rate, taker_rate)` per tier in
    /// millionths of notional (1 basis point = 100; a negative maker rate is a rebate);
    /// accounts are in tier 0 unless `set_account_tier` says otherwise.
    #[new]
    #[pyo3(signature = (fee_tiers = None))]
    fn new(fee_tiers: Option<Vec<(i32, i32)>>) -> PyResult<Self> {
        let tiers = fee_tiers
            .unwrap_or_default()
            .into_iter()
            .map(|(maker_rate, taker_rate)| FeeTier {
                maker_rate,
                taker_rate,
            })
            .collect();
        let fees = FeeSchedule::new(tiers).map_err(CoreError::from)?;
        Ok(Self {
            state: Mutex::new(State {
                engine: Engine::new(fees),
                last_seq: 0,
                events: Vec::new(),
            }),
        })
    }

    /// Adds an empty book for the instrument.
    fn add_book(&self, instrument: &PyInstrument) -> PyResult<()> {
        self.lock()
            .engine
            .add_book(instrument.inner.clone())
            .map_err(|e| CoreError::from(e).into())
    }

    /// Puts an account in a fee tier (orders accepted from now on pay its rates).
    fn set_account_tier(&self, account: u64, tier: u16) -> PyResult<()> {
        self.lock()
            .engine
            .fees_mut()
            .set_account_tier(account, tier)
            .map_err(|e| CoreError::from(e).into())
    }

    /// Symbol ids of the books, ascending.
    fn symbols(&self) -> Vec<u32> {
        self.lock().engine.symbols().collect()
    }

    /// The instrument of a book.
    fn instrument(&self, symbol: u32) -> PyResult<PyInstrument> {
        self.with_book(symbol, |b| PyInstrument {
            inner: b.instrument().clone(),
        })
    }

    /// The sequence number of the last command processed.
    #[getter]
    fn last_seq(&self) -> u64 {
        self.lock().last_seq
    }

    /// Submits an order and returns its events. Prices and quantities are integers in
    /// the instrument's units; `price` is the limit price (0 for market and stop-market
    /// orders). `tif` defaults to `gtc` for limit orders and `ioc` for market orders.
    #[pyo3(signature = (
        symbol, order_id, account, side, qty, price = 0, *, order_type = "limit", tif = None,
        trigger_price = 0, display_qty = 0, quote_budget = 0, expire_at = 0,
        post_only = false, slide = false, stp = "cancel_taker", seq = None,
    ))]
    // `side` and `slide` are the names users write; they are not confusable there.
    #[allow(clippy::too_many_arguments, clippy::similar_names)]
    fn submit(
        &self,
        symbol: u32,
        order_id: u64,
        account: u64,
        side: &str,
        qty: i64,
        price: i64,
        order_type: &str,
        tif: Option<&str>,
        trigger_price: i64,
        display_qty: i64,
        quote_budget: i64,
        expire_at: i64,
        post_only: bool,
        slide: bool,
        stp: &str,
        seq: Option<u64>,
    ) -> PyResult<Vec<PyEvent>> {
        let order_type = order_type_of(order_type)?;
        let tif = match tif {
            Some(tif) => tif_of(tif)?,
            None if matches!(order_type, OrderType::Market | OrderType::StopMarket) => {
                TimeInForce::Ioc
            }
            None => TimeInForce::Gtc,
        };
        let flag_bits =
            if post_only { flags::POST_ONLY } else { 0 } | if slide { flags::SLIDE } else { 0 };
        let command = Command {
            kind: tpcore_book::CommandKind::Submit as u8,
            symbol,
            order_id,
            account,
            side: side_of(side)? as u8,
            order_type: order_type as u8,
            tif: tif as u8,
            price,
            qty,
            trigger_price,
            display_qty,
            quote_budget,
            expire_at,
            flags: flag_bits,
            stp: stp_of(stp)? as u8,
            seq: 0,
        };
        Ok(self.one(command, seq))
    }

    /// Cancels an order of `account`.
    #[pyo3(signature = (symbol, order_id, account, *, seq = None))]
    fn cancel(&self, symbol: u32, order_id: u64, account: u64, seq: Option<u64>) -> Vec<PyEvent> {
        self.one(Command::cancel(symbol, order_id, account), seq)
    }

    /// Sets an order's price and open quantity: the same price with a lower quantity keeps
    /// its priority; anything else re-enters it at the back (and may trade).
    #[pyo3(signature = (symbol, order_id, account, price, qty, *, seq = None))]
    fn amend(
        &self,
        symbol: u32,
        order_id: u64,
        account: u64,
        price: i64,
        qty: i64,
        seq: Option<u64>,
    ) -> Vec<PyEvent> {
        self.one(Command::amend(symbol, order_id, account, price, qty), seq)
    }

    /// Cancels every order of `account` in the book, on one side (`"buy"`/`"sell"`) or both.
    #[pyo3(signature = (symbol, account, side = None, *, seq = None))]
    fn cancel_all(
        &self,
        symbol: u32,
        account: u64,
        side: Option<&str>,
        seq: Option<u64>,
    ) -> PyResult<Vec<PyEvent>> {
        let side = side.map(side_of).transpose()?;
        Ok(self.one(Command::cancel_all(symbol, account, side), seq))
    }

    /// Advances a book's clock, expiring good-till-date orders due by `now`.
    #[pyo3(signature = (symbol, now, *, seq = None))]
    fn advance_time(&self, symbol: u32, now: i64, seq: Option<u64>) -> Vec<PyEvent> {
        self.one(Command::advance_time(symbol, now), seq)
    }

    /// Processes a `tpcore.book.COMMAND_DTYPE` array in order and returns the events as an
    /// `EVENT_DTYPE` array. The GIL is released while matching; the array must not be
    /// changed by another thread meanwhile.
    fn process<'py>(
        &self,
        py: Python<'py>,
        commands: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (command_dtype, event_dtype) = dtypes(py)?;
        let dtype_ok = commands
            .getattr("dtype")
            .and_then(|d| d.eq(command_dtype.bind(py)))
            .unwrap_or(false);
        if !dtype_ok {
            return Err(CoreError::argument(
                "invalid_dtype",
                "commands must be a numpy array of tpcore.book.COMMAND_DTYPE",
            )
            .into());
        }
        let ndim: usize = commands.getattr("ndim")?.extract()?;
        if ndim != 1 {
            return Err(CoreError::argument(
                "invalid_shape",
                format!("commands must be a one-dimensional array, not {ndim}-dimensional"),
            )
            .into());
        }
        let contiguous: bool = commands
            .getattr("flags")?
            .getattr("c_contiguous")?
            .extract()?;
        if !contiguous {
            return Err(
                CoreError::argument("not_contiguous", "commands is not C-contiguous").into(),
            );
        }
        let raw = commands.call_method1("view", ("u1",))?;
        let raw = raw.cast::<PyArray1<u8>>().map_err(|_| {
            CoreError::argument("invalid_shape", "commands must be a one-dimensional array")
        })?;
        let raw = raw.readonly();
        let bytes = raw
            .as_slice()
            .map_err(|_| CoreError::argument("not_contiguous", "commands is not C-contiguous"))?;
        let out = detach_here(py, || {
            let mut state = self.lock();
            let mut out = Vec::new();
            state.engine.process_records(bytes, &mut out)?;
            if let Some(last) = bytes.len().checked_sub(tpcore_book::COMMAND_SIZE) {
                state.last_seq =
                    u64::from_le_bytes(bytes[last..last + 8].try_into().unwrap_or_default());
            }
            Ok::<_, CoreError>(out)
        })?;
        PyArray1::from_vec(py, out).call_method1("view", (event_dtype.bind(py),))
    }

    /// Processes one wire message of commands (header and records) and returns the wire
    /// message of their events. The GIL is released while matching.
    fn process_message<'py>(
        &self,
        py: Python<'py>,
        message: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        let out = detach_here(py, || {
            let body = codec::command_body(message)?;
            let mut out = codec::encode_events(&[]);
            let mut state = self.lock();
            state.engine.process_records(body, &mut out)?;
            if let Some(last) = body.len().checked_sub(tpcore_book::COMMAND_SIZE) {
                state.last_seq =
                    u64::from_le_bytes(body[last..last + 8].try_into().unwrap_or_default());
            }
            Ok::<_, CoreError>(out)
        })?;
        Ok(PyBytes::new(py, &out))
    }

    /// The best bid as `(price, qty)`, or `None`.
    fn best_bid(&self, symbol: u32) -> PyResult<Option<(i64, i64)>> {
        self.with_book(symbol, |b| b.best_bid().map(|l| (l.price, l.qty)))
    }

    /// The best ask as `(price, qty)`, or `None`.
    fn best_ask(&self, symbol: u32) -> PyResult<Option<(i64, i64)>> {
        self.with_book(symbol, |b| b.best_ask().map(|l| (l.price, l.qty)))
    }

    /// The top `levels` price levels of a side as `(price, qty, orders)`, best first (L2).
    #[pyo3(signature = (symbol, side, levels = 10))]
    fn depth(&self, symbol: u32, side: &str, levels: usize) -> PyResult<Vec<(i64, i64, u32)>> {
        let side = side_of(side)?;
        self.with_book(symbol, |b| {
            b.depth(side, levels)
                .into_iter()
                .map(|l| (l.price, l.qty, l.orders))
                .collect()
        })
    }

    /// Every resting order of a side in priority order as `(order_id, account, price,
    /// visible, hidden)` (L3).
    fn orders(&self, symbol: u32, side: &str) -> PyResult<Vec<L3Row>> {
        let side = side_of(side)?;
        self.with_book(symbol, |b| {
            b.orders(side)
                .into_iter()
                .map(|o| (o.order_id, o.account, o.price, o.visible, o.hidden))
                .collect()
        })
    }

    /// Starts or stops recording the price levels that change, for `l2_deltas`.
    fn track_l2_deltas(&self, symbol: u32, on: bool) -> PyResult<()> {
        let mut state = self.lock();
        let book = state
            .engine
            .book_mut(symbol)
            .ok_or_else(|| unknown_symbol(symbol))?;
        book.track_l2_deltas(on);
        Ok(())
    }

    /// The levels changed since the last call as `(side, price, qty)`, bids first, by
    /// price; `qty` 0 means the level is gone.
    fn l2_deltas(&self, symbol: u32) -> PyResult<Vec<(&'static str, i64, i64)>> {
        let mut state = self.lock();
        let book = state
            .engine
            .book_mut(symbol)
            .ok_or_else(|| unknown_symbol(symbol))?;
        Ok(book
            .take_l2_deltas()
            .into_iter()
            .map(|d| (d.side.as_str(), d.price, d.qty))
            .collect())
    }

    /// The last trade price of a book (0 before the first trade).
    fn last_price(&self, symbol: u32) -> PyResult<i64> {
        self.with_book(symbol, Book::last_price)
    }

    /// Resting orders and pending stops of a book.
    fn order_count(&self, symbol: u32) -> PyResult<(usize, usize)> {
        self.with_book(symbol, |b| (b.resting_count(), b.stop_count()))
    }

    /// Heap bytes a book holds, capacity included.
    fn heap_bytes(&self, symbol: u32) -> PyResult<usize> {
        self.with_book(symbol, Book::heap_bytes)
    }

    /// The versioned snapshot of every book, the fee schedule and the sequence number.
    fn snapshot<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let state = self.lock();
        let mut bytes = state.last_seq.to_le_bytes().to_vec();
        bytes.extend_from_slice(&state.engine.snapshot());
        PyBytes::new(py, &bytes)
    }

    /// Rebuilds an engine from `snapshot()` bytes.
    #[staticmethod]
    fn restore(py: Python<'_>, snapshot: &[u8]) -> PyResult<Self> {
        let corrupt = || {
            CoreError::from(tpcore_book::BookError::CorruptSnapshot {
                detail: "too short".into(),
            })
        };
        let (seq, body) = snapshot.split_first_chunk::<8>().ok_or_else(corrupt)?;
        let engine = detach_here(py, || Engine::restore(body))?;
        Ok(Self {
            state: Mutex::new(State {
                engine,
                last_seq: u64::from_le_bytes(*seq),
                events: Vec::new(),
            }),
        })
    }

    /// SHA-256 of the engine's canonical state (books and fees).
    fn state_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.lock().engine.state_hash())
    }

    /// Checks every book's structural invariants; raises `InvariantError` if one is broken.
    fn validate_invariants(&self) -> PyResult<()> {
        self.lock()
            .engine
            .validate_invariants()
            .map_err(InvariantError::new_err)
    }
}
