"""Order matching: instruments, an engine of order books, commands and events.

Prices and quantities are integers in the instrument's units (with unit tick and lot
sizes, ticks and lots). :func:`instrument` builds an :class:`Instrument` from decimal tick
and lot sizes, and :func:`price_units` / :func:`qty_units` convert ``Decimal`` or ``str``
at the edge; floats are refused for money.

Two ways in:

* scalar calls on :class:`Engine` (``submit``, ``cancel``, ``amend``, ``cancel_all``,
  ``advance_time``) return lists of :class:`Event`;
* the fast path ``Engine.process(commands)`` takes a numpy array of
  :data:`COMMAND_DTYPE` and returns an array of :data:`EVENT_DTYPE`, with the GIL released.

The two dtypes are also the wire format of the services (layout version
:data:`LAYOUT_VERSION`). Rejections are events with a ``reason``, never exceptions.

Example:
    >>> from tpcore import book
    >>> btc = book.instrument(1, "BTC-USDT", tick_size="0.01", lot_size="0.001")
    >>> engine = book.Engine()
    >>> engine.add_book(btc)
    >>> price = book.price_units(btc, "64000.50")
    >>> qty = book.qty_units(btc, "0.250")
    >>> _ = engine.submit(1, order_id=1, account=7, side="sell", qty=qty, price=price)
    >>> events = engine.submit(1, order_id=2, account=8, side="buy", qty=qty, price=price)
    >>> [e.kind for e in events]
    ['accepted', 'trade']
    >>> book.price_decimal(btc, events[1].price), book.qty_decimal(btc, events[1].qty)
    (Decimal('64000.50'), Decimal('0.250'))
"""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum

import numpy as np

from tpcore._core import COMMAND_SIZE, EVENT_SIZE, LAYOUT_VERSION, Engine, Event, Instrument
from tpcore._money import Money, to_decimal
from tpcore.errors import InvalidInput

__all__ = [
    "COMMAND_DTYPE",
    "EVENT_DTYPE",
    "LAYOUT_VERSION",
    "REASONS",
    "CommandKind",
    "Engine",
    "Event",
    "EventKind",
    "Instrument",
    "OrderType",
    "SelfTrade",
    "Side",
    "TimeInForce",
    "commands",
    "instrument",
    "notional_decimal",
    "price_decimal",
    "price_units",
    "qty_decimal",
    "qty_units",
]


class Side(IntEnum):
    """Order side codes of the command and event layouts."""

    BUY = 1
    SELL = 2


class OrderType(IntEnum):
    """Order type codes."""

    LIMIT = 1
    MARKET = 2
    STOP_MARKET = 3
    STOP_LIMIT = 4


class TimeInForce(IntEnum):
    """Time-in-force codes."""

    GTC = 1
    IOC = 2
    FOK = 3
    GTD = 4


class SelfTrade(IntEnum):
    """Self-trade prevention codes (0 in a command selects ``CANCEL_TAKER``)."""

    CANCEL_TAKER = 1
    CANCEL_MAKER = 2
    CANCEL_BOTH = 3
    DECREMENT = 4


class CommandKind(IntEnum):
    """Command kind codes."""

    SUBMIT = 1
    CANCEL = 2
    AMEND = 3
    CANCEL_ALL = 4
    ADVANCE_TIME = 5


class EventKind(IntEnum):
    """Event kind codes."""

    ACCEPTED = 1
    REJECTED = 2
    TRADE = 3
    CANCELLED = 4
    AMENDED = 5
    TRIGGERED = 6
    EXPIRED = 7


#: Flag bit: post-only.
POST_ONLY = 1
#: Flag bit: with ``POST_ONLY``, reprice one tick behind the best opposite price.
SLIDE = 2

#: Reason code -> stable name, for the ``reason`` field of :data:`EVENT_DTYPE`.
REASONS: dict[int, str] = {
    0: "",
    1: "invalid_command",
    2: "invalid_quantity",
    3: "quantity_off_lot",
    4: "quantity_out_of_range",
    5: "invalid_price",
    6: "price_off_tick",
    7: "price_out_of_range",
    8: "price_outside_band",
    9: "duplicate_order_id",
    10: "unknown_order",
    11: "unknown_symbol",
    12: "post_only_would_take",
    13: "stop_already_triggered",
    14: "notional_overflow",
    15: "invalid_order",
    16: "invalid_display_quantity",
    17: "invalid_trigger_price",
    18: "expired_on_arrival",
    19: "invalid_quote_budget",
    32: "user",
    33: "ioc_remainder",
    34: "fok_unfilled",
    35: "stp",
    36: "market_protection",
    37: "no_liquidity",
    38: "cancel_all",
    39: "budget_exhausted",
    40: "expired",
}

#: One command, little-endian, :data:`COMMAND_SIZE` (88) bytes. The trailing ``reserved``
#: bytes (zero) make the layout padding-free, so ``np.concatenate`` keeps the dtype.
COMMAND_DTYPE = np.dtype(
    {
        "names": [
            "seq", "order_id", "account", "price", "qty", "trigger_price", "display_qty",
            "quote_budget", "expire_at", "symbol", "kind", "side", "order_type", "tif",
            "flags", "stp", "reserved",
        ],
        "formats": [
            "<u8", "<u8", "<u8", "<i8", "<i8", "<i8", "<i8", "<i8", "<i8", "<u4", "u1", "u1",
            "u1", "u1", "u1", "u1", "V6",
        ],
        "offsets": [0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 76, 77, 78, 79, 80, 81, 82],
        "itemsize": COMMAND_SIZE,
    }
)  # fmt: skip

#: One event, little-endian, :data:`EVENT_SIZE` (96) bytes.
EVENT_DTYPE = np.dtype(
    {
        "names": [
            "seq", "order_id", "account", "price", "qty", "leaves", "maker_order_id",
            "maker_account", "maker_leaves", "taker_fee", "maker_fee", "symbol", "kind",
            "side", "reason", "reserved",
        ],
        "formats": [
            "<u8", "<u8", "<u8", "<i8", "<i8", "<i8", "<u8", "<u8", "<i8", "<i8", "<i8", "<u4",
            "u1", "u1", "u1", "V1",
        ],
        "offsets": [0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 92, 93, 94, 95],
        "itemsize": EVENT_SIZE,
    }
)  # fmt: skip


def commands(n: int) -> np.ndarray:
    """A zeroed array of ``n`` commands to fill in (unset codes are invalid)."""
    return np.zeros(n, dtype=COMMAND_DTYPE)


def _decimals(step: Decimal) -> int:
    exponent = step.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _units(value: Money, decimals: int, step: int, what: str, reason: str) -> int:
    number = to_decimal(value, what) * (Decimal(10) ** decimals)
    if number != number.to_integral_value():
        raise InvalidInput(f"{what} {value} has more than {decimals} decimals", reason)
    units = int(number)
    if units % step:
        raise InvalidInput(f"{what} {value} is not a multiple of the increment", reason)
    return units


def instrument(
    symbol_id: int,
    symbol: str,
    *,
    tick_size: Money,
    lot_size: Money,
    min_qty: Money | None = None,
    max_qty: Money | None = None,
    min_price: Money | None = None,
    max_price: Money | None = None,
    band_bps: int = 500,
    id_window: int = 100_000,
) -> Instrument:
    """An :class:`Instrument` from decimal tick and lot sizes.

    The price unit is the tick's last decimal place and the quantity unit the lot's, so
    ``tick_size="0.05"`` gives ``price_decimals=2, tick_size=5``. Limits default to one
    tick or lot and to the largest supported values.
    """
    tick = to_decimal(tick_size, "tick_size")
    lot = to_decimal(lot_size, "lot_size")
    if tick <= 0 or lot <= 0:
        raise InvalidInput("tick_size and lot_size must be positive", "invalid_instrument")
    price_decimals, qty_decimals = _decimals(tick), _decimals(lot)
    tick_units = int(tick.scaleb(price_decimals))
    lot_units = int(lot.scaleb(qty_decimals))

    def price(value: Money | None, what: str) -> int | None:
        if value is None:
            return None
        return _units(value, price_decimals, tick_units, what, "invalid_instrument")

    def qty(value: Money | None, what: str) -> int | None:
        if value is None:
            return None
        return _units(value, qty_decimals, lot_units, what, "invalid_instrument")

    limits = {"max_qty": qty(max_qty, "max_qty"), "max_price": price(max_price, "max_price")}
    extra = {name: units for name, units in limits.items() if units is not None}
    return Instrument(
        symbol_id,
        symbol,
        price_decimals=price_decimals,
        qty_decimals=qty_decimals,
        tick_size=tick_units,
        lot_size=lot_units,
        min_qty=qty(min_qty, "min_qty"),
        min_price=price(min_price, "min_price"),
        band_bps=band_bps,
        id_window=id_window,
        **extra,
    )


def price_units(inst: Instrument, price: Money) -> int:
    """A decimal price in the instrument's integer units.

    Raises:
        InvalidInput: ``price_off_tick`` if it is not a multiple of the tick,
            ``float_money`` for a float.
    """
    return _units(price, inst.price_decimals, inst.tick_size, "price", "price_off_tick")


def qty_units(inst: Instrument, qty: Money) -> int:
    """A decimal quantity in the instrument's integer units.

    Raises:
        InvalidInput: ``quantity_off_lot`` if it is not a multiple of the lot,
            ``float_money`` for a float.
    """
    return _units(qty, inst.qty_decimals, inst.lot_size, "qty", "quantity_off_lot")


def price_decimal(inst: Instrument, units: int) -> Decimal:
    """A price in integer units as a ``Decimal``."""
    return Decimal(units).scaleb(-inst.price_decimals)


def qty_decimal(inst: Instrument, units: int) -> Decimal:
    """A quantity in integer units as a ``Decimal``."""
    return Decimal(units).scaleb(-inst.qty_decimals)


def notional_decimal(inst: Instrument, units: int) -> Decimal:
    """A notional or fee in integer units (price unit x quantity unit) as a ``Decimal``."""
    return Decimal(units).scaleb(-(inst.price_decimals + inst.qty_decimals))
