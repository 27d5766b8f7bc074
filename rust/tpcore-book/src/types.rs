//! The small enumerations of the matching engine and their stable wire codes.
//!
//! Every enumeration has a `u8` code used in the command and event layouts and, where it is
//! part of the public vocabulary, a stable snake_case name.

/// The side of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// A bid: buys the base asset.
    Buy = 1,
    /// An ask: sells the base asset.
    Sell = 2,
}

impl Side {
    /// The opposite side.
    #[must_use]
    pub fn opposite(self) -> Self {
        match self {
            Self::Buy => Self::Sell,
            Self::Sell => Self::Buy,
        }
    }

    /// The side for a wire code, if it is one.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Buy),
            2 => Some(Self::Sell),
            _ => None,
        }
    }

    /// The stable name: `buy` or `sell`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buy => "buy",
            Self::Sell => "sell",
        }
    }
}

/// What an order does when it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderType {
    /// Trades up to its limit price; the remainder follows its time in force.
    Limit = 1,
    /// Trades at the best prices within the instrument's protection band.
    Market = 2,
    /// Waits until the last trade price reaches its trigger, then enters as a market order.
    StopMarket = 3,
    /// Waits until the last trade price reaches its trigger, then enters as a limit order.
    StopLimit = 4,
}

impl OrderType {
    /// The order type for a wire code, if it is one.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Limit),
            2 => Some(Self::Market),
            3 => Some(Self::StopMarket),
            4 => Some(Self::StopLimit),
            _ => None,
        }
    }

    /// The stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Limit => "limit",
            Self::Market => "market",
            Self::StopMarket => "stop_market",
            Self::StopLimit => "stop_limit",
        }
    }

    /// Whether the order waits for a trigger.
    #[must_use]
    pub fn is_stop(self) -> bool {
        matches!(self, Self::StopMarket | Self::StopLimit)
    }

    /// Whether the order carries a limit price.
    #[must_use]
    pub fn has_limit_price(self) -> bool {
        matches!(self, Self::Limit | Self::StopLimit)
    }
}

/// How long an order's unfilled remainder lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeInForce {
    /// Good till cancelled: the remainder rests.
    Gtc = 1,
    /// Immediate or cancel: the remainder is cancelled (`ioc_remainder`).
    Ioc = 2,
    /// Fill or kill: the whole quantity trades at once or nothing does (`fok_unfilled`).
    Fok = 3,
    /// Good till date: rests until the engine's time reaches `expire_at`.
    Gtd = 4,
}

impl TimeInForce {
    /// The time in force for a wire code, if it is one.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Gtc),
            2 => Some(Self::Ioc),
            3 => Some(Self::Fok),
            4 => Some(Self::Gtd),
            _ => None,
        }
    }

    /// The stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gtc => "gtc",
            Self::Ioc => "ioc",
            Self::Fok => "fok",
            Self::Gtd => "gtd",
        }
    }

    /// Whether an unfilled remainder rests in the book.
    #[must_use]
    pub fn rests(self) -> bool {
        matches!(self, Self::Gtc | Self::Gtd)
    }
}

/// Self-trade prevention: what happens when an incoming order meets a resting order of the
/// same account. The incoming (taker) order's mode decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SelfTrade {
    /// The default: cancel the incoming order's remainder, leave the resting order.
    CancelTaker = 1,
    /// Cancel the resting order and keep matching.
    CancelMaker = 2,
    /// Cancel both.
    CancelBoth = 3,
    /// Decrement and cancel: the larger of the two is reduced by the smaller, which is
    /// cancelled (both when equal); no trade is printed.
    Decrement = 4,
}

impl SelfTrade {
    /// The mode for a wire code; 0 selects the default ([`SelfTrade::CancelTaker`]).
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 | 1 => Some(Self::CancelTaker),
            2 => Some(Self::CancelMaker),
            3 => Some(Self::CancelBoth),
            4 => Some(Self::Decrement),
            _ => None,
        }
    }

    /// The stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CancelTaker => "cancel_taker",
            Self::CancelMaker => "cancel_maker",
            Self::CancelBoth => "cancel_both",
            Self::Decrement => "decrement",
        }
    }
}

/// What a command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandKind {
    /// Enter a new order.
    Submit = 1,
    /// Cancel an order of the command's account.
    Cancel = 2,
    /// Change an order's price and/or open quantity.
    Amend = 3,
    /// Cancel every order of the account, optionally on one side only.
    CancelAll = 4,
    /// Advance the book's clock to `expire_at`, expiring good-till-date orders.
    AdvanceTime = 5,
}

impl CommandKind {
    /// The kind for a wire code, if it is one.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Submit),
            2 => Some(Self::Cancel),
            3 => Some(Self::Amend),
            4 => Some(Self::CancelAll),
            5 => Some(Self::AdvanceTime),
            _ => None,
        }
    }

    /// The stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Cancel => "cancel",
            Self::Amend => "amend",
            Self::CancelAll => "cancel_all",
            Self::AdvanceTime => "advance_time",
        }
    }
}

/// What an event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The order passed validation (stop orders: it now waits for its trigger).
    Accepted = 1,
    /// The command was refused; `reason` says why. Nothing changed.
    Rejected = 2,
    /// A fill between the taker (`order_id`) and a resting maker.
    Trade = 3,
    /// Open quantity was removed (`qty`); `leaves` > 0 means a partial reduction.
    Cancelled = 4,
    /// An amend took effect: `price` and `leaves` are the new values.
    Amended = 5,
    /// A stop order's trigger was reached; it now enters the book.
    Triggered = 6,
    /// A good-till-date order reached its expiry.
    Expired = 7,
}

impl EventKind {
    /// The kind for a wire code, if it is one.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Accepted),
            2 => Some(Self::Rejected),
            3 => Some(Self::Trade),
            4 => Some(Self::Cancelled),
            5 => Some(Self::Amended),
            6 => Some(Self::Triggered),
            7 => Some(Self::Expired),
            _ => None,
        }
    }

    /// The stable name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Trade => "trade",
            Self::Cancelled => "cancelled",
            Self::Amended => "amended",
            Self::Triggered => "triggered",
            Self::Expired => "expired",
        }
    }
}

/// Why a command was rejected or an order's quantity was cancelled. The names are stable
/// snake_case strings, part of the API; the codes are part of the event layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// No reason (accepted, trade, amended and triggered events).
    None = 0,
    // ----- rejections -----
    /// A kind, side, order type, time in force or self-trade code that does not exist.
    InvalidCommand = 1,
    /// The quantity is zero or negative.
    InvalidQuantity = 2,
    /// The quantity is not a multiple of the lot size.
    QuantityOffLot = 3,
    /// The quantity is below the instrument's minimum or above its maximum.
    QuantityOutOfRange = 4,
    /// The limit price is zero or negative.
    InvalidPrice = 5,
    /// The price is not a multiple of the tick size.
    PriceOffTick = 6,
    /// The price is below the instrument's minimum or above its maximum.
    PriceOutOfRange = 7,
    /// An aggressive limit price beyond the band around the last trade price.
    PriceOutsideBand = 8,
    /// The order id is live or was used recently in this book.
    DuplicateOrderId = 9,
    /// No live order of this account has the id.
    UnknownOrder = 10,
    /// The command names a symbol the engine does not hold.
    UnknownSymbol = 11,
    /// A post-only order (without slide) would have taken liquidity.
    PostOnlyWouldTake = 12,
    /// A stop order whose trigger is already reached by the last trade price.
    StopAlreadyTriggered = 13,
    /// Price x quantity does not fit the money range.
    NotionalOverflow = 14,
    /// The combination of fields is not allowed (for example post-only with IOC).
    InvalidOrder = 15,
    /// The iceberg display quantity is not positive, not on the lot, or not below the total.
    InvalidDisplayQuantity = 16,
    /// The stop trigger price is not positive or not on the tick.
    InvalidTriggerPrice = 17,
    /// A good-till-date order whose expiry is not after the book's time.
    ExpiredOnArrival = 18,
    /// The quote budget is negative or set on an order that cannot use it.
    InvalidQuoteBudget = 19,
    // ----- cancellations -----
    /// Cancelled by its owner.
    User = 32,
    /// The unfilled remainder of an immediate-or-cancel order.
    IocRemainder = 33,
    /// A fill-or-kill order that could not fill completely.
    FokUnfilled = 34,
    /// Self-trade prevention.
    SelfTrade = 35,
    /// A market order stopped at the protection band with liquidity beyond it.
    MarketProtection = 36,
    /// A market order found no more liquidity on the other side.
    NoLiquidity = 37,
    /// A cancel-all command.
    CancelAll = 38,
    /// A market order spent its quote budget.
    BudgetExhausted = 39,
    /// A good-till-date order reached its expiry.
    Expired = 40,
}

impl Reason {
    /// Every reason, for tables and tests.
    pub const ALL: [Self; 29] = [
        Self::None,
        Self::InvalidCommand,
        Self::InvalidQuantity,
        Self::QuantityOffLot,
        Self::QuantityOutOfRange,
        Self::InvalidPrice,
        Self::PriceOffTick,
        Self::PriceOutOfRange,
        Self::PriceOutsideBand,
        Self::DuplicateOrderId,
        Self::UnknownOrder,
        Self::UnknownSymbol,
        Self::PostOnlyWouldTake,
        Self::StopAlreadyTriggered,
        Self::NotionalOverflow,
        Self::InvalidOrder,
        Self::InvalidDisplayQuantity,
        Self::InvalidTriggerPrice,
        Self::ExpiredOnArrival,
        Self::InvalidQuoteBudget,
        Self::User,
        Self::IocRemainder,
        Self::FokUnfilled,
        Self::SelfTrade,
        Self::MarketProtection,
        Self::NoLiquidity,
        Self::CancelAll,
        Self::BudgetExhausted,
        Self::Expired,
    ];

    /// The reason for a wire code, if it is one.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|r| *r as u8 == code)
    }

    /// The stable snake_case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "",
            Self::InvalidCommand => "invalid_command",
            Self::InvalidQuantity => "invalid_quantity",
            Self::QuantityOffLot => "quantity_off_lot",
            Self::QuantityOutOfRange => "quantity_out_of_range",
            Self::InvalidPrice => "invalid_price",
            Self::PriceOffTick => "price_off_tick",
            Self::PriceOutOfRange => "price_out_of_range",
            Self::PriceOutsideBand => "price_outside_band",
            Self::DuplicateOrderId => "duplicate_order_id",
            Self::UnknownOrder => "unknown_order",
            Self::UnknownSymbol => "unknown_symbol",
            Self::PostOnlyWouldTake => "post_only_would_take",
            Self::StopAlreadyTriggered => "stop_already_triggered",
            Self::NotionalOverflow => "notional_overflow",
            Self::InvalidOrder => "invalid_order",
            Self::InvalidDisplayQuantity => "invalid_display_quantity",
            Self::InvalidTriggerPrice => "invalid_trigger_price",
            Self::ExpiredOnArrival => "expired_on_arrival",
            Self::InvalidQuoteBudget => "invalid_quote_budget",
            Self::User => "user",
            Self::IocRemainder => "ioc_remainder",
            Self::FokUnfilled => "fok_unfilled",
            Self::SelfTrade => "stp",
            Self::MarketProtection => "market_protection",
            Self::NoLiquidity => "no_liquidity",
            Self::CancelAll => "cancel_all",
            Self::BudgetExhausted => "budget_exhausted",
            Self::Expired => "expired",
        }
    }
}

/// Bit flags of a submit command.
pub mod flags {
    /// Post-only: the order must not take liquidity; rejected if it would.
    pub const POST_ONLY: u8 = 1;
    /// With [`POST_ONLY`]: instead of rejecting, reprice one tick behind the best opposite
    /// price.
    pub const SLIDE: u8 = 2;
    /// Every flag this version knows.
    pub const KNOWN: u8 = POST_ONLY | SLIDE;
}
