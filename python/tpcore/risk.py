"""Margin and risk: index and mark prices, leverage brackets, account margin, batch marking
of many accounts and their liquidation orders.

Every amount is an integer at one fixed scale of ``10**8`` (:data:`SCALE`): prices (quote
per base), quantities (base units for a linear contract, contracts for an inverse one),
values (balances, notional, PnL, margins; in the settlement asset) and rates (margin
rates, bands, margin ratios: 0.5% is ``500_000`` and 100% is :data:`RATE_ONE`). Convert at
the edge with :func:`to_fixed`, :func:`from_fixed`, :func:`percent` and :func:`bps`;
floats are refused for money. Every division rounds in the direction that is conservative
for the venue (margin up, PnL down, liquidation prices against the holder).

Three ways in:

* prices: :func:`index_price` (one symbol's sources), :func:`index_prices` (many symbols,
  GIL released), :class:`IndexBook` (state kept between ticks), :func:`mark_price`;
* one account: :func:`evaluate_account`, with :class:`Contract` and :class:`Brackets`;
* many accounts: :class:`RiskBook`, built once from numpy columns, marked by
  :meth:`RiskBook.compute` and incrementally by :meth:`RiskBook.recompute`, whose
  liquidation candidates become ``tpcore.book.COMMAND_DTYPE`` orders.

Example:
    >>> from tpcore import risk
    >>> table = risk.brackets([("0", "50000", 125, "0.40"), ("50000", "250000", 100, "0.50")])
    >>> btc = risk.linear(table, tick_size="0.01", lot_size="0.001")
    >>> account = risk.evaluate_account(
    ...     risk.to_fixed("1000"),
    ...     [risk.Position(0, risk.to_fixed("0.5"), risk.to_fixed("30000"), leverage=20)],
    ...     [btc],
    ...     [risk.to_fixed("29000")],
    ... )
    >>> risk.from_fixed(account.unrealized_pnl), risk.from_fixed(account.maintenance_margin)
    (Decimal('-500'), Decimal('58'))
    >>> risk.from_fixed(account.positions[0].liquidation_price or 0)
    Decimal('28112.45')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntFlag
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from tpcore._core import (
    NO_LIQUIDATION_PRICE,
    RISK_SCALE,
    Brackets,
    Contract,
    Ema,
    IndexConfig,
    Instrument,
    Twap,
    account_order,
)
from tpcore._core import IndexBook as _CoreIndexBook
from tpcore._core import RiskBook as _CoreRiskBook
from tpcore._core import evaluate_account as _evaluate_account
from tpcore._core import index_price as _index_price
from tpcore._core import index_prices as _index_prices
from tpcore._core import mark_price as _mark_price
from tpcore._money import Money, to_decimal
from tpcore.book import Side
from tpcore.errors import InvalidInput

__all__ = [
    "BINANCE_BTCUSDT_2021",
    "MAX_LEVERAGE",
    "NO_LIQUIDATION_PRICE",
    "RATE_ONE",
    "SCALE",
    "AccountRisk",
    "BatchResult",
    "Brackets",
    "Contract",
    "Ema",
    "IndexBook",
    "IndexConfig",
    "IndexPrice",
    "IndexPrices",
    "LiquidationCandidate",
    "LiquidationOrder",
    "MarkPrice",
    "Position",
    "PositionRisk",
    "PriceFlags",
    "RiskBook",
    "TierRow",
    "Twap",
    "account_order",
    "bps",
    "brackets",
    "evaluate_account",
    "from_fixed",
    "index_config",
    "index_price",
    "index_prices",
    "inverse",
    "linear",
    "mark_price",
    "percent",
    "to_fixed",
]

#: The scale of every amount: a decimal ``x`` is the integer ``x * SCALE``.
SCALE: int = RISK_SCALE
#: A rate of 100% (a margin ratio at which a pool is liquidated).
RATE_ONE: int = SCALE
#: The leverage that means "the maximum of the notional's tier".
MAX_LEVERAGE: int = 2**32 - 1

#: Binance's BTCUSDT USDⓈ-M leverage tiers as announced on 2021-03-18 (in force for its
#: September 2021 examples): notional floor and cap in USDT, maximum leverage, maintenance
#: margin rate in percent. A realistic table for demos and benchmarks (``brackets(...)``).
BINANCE_BTCUSDT_2021: tuple[tuple[int, int, int, str], ...] = (
    (0, 50_000, 125, "0.40"),
    (50_000, 250_000, 100, "0.50"),
    (250_000, 1_000_000, 50, "1.00"),
    (1_000_000, 10_000_000, 20, "2.50"),
    (10_000_000, 20_000_000, 10, "5.00"),
    (20_000_000, 50_000_000, 5, "10.00"),
    (50_000_000, 100_000_000, 4, "12.50"),
    (100_000_000, 200_000_000, 3, "15.00"),
    (200_000_000, 300_000_000, 2, "25.00"),
    (300_000_000, 500_000_000, 1, "50.00"),
)

_DECIMALS = 8
_BPS = SCALE // 10_000


class PriceFlags(IntFlag):
    """The quality flags of an index or mark price (bit values are stable)."""

    NONE = 0
    #: Fewer live sources than the minimum: the price is the last good one.
    UNCERTAIN = 1
    #: The circuit breaker holds the last good price while a large move awaits confirmation.
    CIRCUIT_BREAKER = 2
    #: At least one source was dropped or clamped as an outlier.
    OUTLIER = 4
    #: At least one source was dropped as stale or invalid.
    STALE_SOURCE = 8
    #: There has never been a good price: the price is 0 and must not be used.
    NO_PRICE = 16

    @property
    def degraded(self) -> bool:
        """Whether the price should not be trusted for new risk."""
        return bool(
            self & (PriceFlags.UNCERTAIN | PriceFlags.CIRCUIT_BREAKER | PriceFlags.NO_PRICE)
        )


def _scaled(value: Money, unit: int, what: str) -> int:
    number = to_decimal(value, what) * unit
    if number != number.to_integral_value():
        raise InvalidInput(
            f"{what} {value} has more than {_DECIMALS} decimal places at the fixed scale",
            "invalid_decimal",
        )
    units = int(number)
    if not -(2**63) <= units < 2**63:
        raise InvalidInput(f"{what} {value} is out of range", "invalid_decimal")
    return units


def to_fixed(value: Money, what: str = "value") -> int:
    """A decimal amount (``"1535443.01"``, ``Decimal``, or an int of whole units) as a
    fixed-point integer.

    Raises:
        InvalidInput: ``float_money`` for a float, ``invalid_money`` for anything that is
            not a number, ``invalid_decimal`` beyond 8 decimal places or the int64 range.
    """
    return _scaled(value, SCALE, what)


def from_fixed(units: int) -> Decimal:
    """A fixed-point integer as a ``Decimal`` (exact, without trailing zeros)."""
    number = Decimal(units).scaleb(-_DECIMALS)
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def percent(value: Money, what: str = "rate") -> int:
    """A percentage as a rate: ``percent("0.5")`` is 0.5%, ``500_000``."""
    return _scaled(to_decimal(value, what) / 100, SCALE, what)


def bps(value: Money, what: str = "rate") -> int:
    """Basis points as a rate: ``bps(50)`` is 0.5%, ``500_000``."""
    return _scaled(value, _BPS, what)


# ---------------------------------------------------------------- index and mark prices


@dataclass(frozen=True)
class IndexPrice:
    """One index price: the price, its flags and the number of sources behind it."""

    price: int
    flags: PriceFlags
    sources: int


@dataclass(frozen=True)
class IndexPrices:
    """Index prices of many symbols, as ``(symbols,)`` arrays."""

    prices: NDArray[np.int64]
    flags: NDArray[np.uint8]
    sources: NDArray[np.uint32]


def index_config(
    max_age: int,
    *,
    min_sources: int = 1,
    outliers: Literal["none", "drop", "clamp"] = "none",
    band_bps: Money = 0,
    aggregation: Literal["mean", "median"] = "mean",
    breaker_percent: Money | None = None,
    breaker_window: int | None = None,
    breaker_confirmations: int = 2,
) -> IndexConfig:
    """An :class:`IndexConfig` from basis points and percentages.

    Args:
        max_age: The oldest quote age still live, in the unit of the timestamps.
        min_sources: Live sources needed for a good price; fewer give the last good price
            flagged ``UNCERTAIN``.
        outliers: ``"drop"`` gives zero weight to quotes beyond ``band_bps`` of the median
            of the live prices, ``"clamp"`` moves them to the band's edge.
        band_bps: The half-width of the band, in basis points of the median.
        aggregation: ``"mean"`` (weighted mean) or ``"median"`` (weighted median).
        breaker_percent: A move beyond this percentage of the range of the good prices of
            the last ``breaker_window`` is held (flag ``CIRCUIT_BREAKER``) until
            ``breaker_confirmations`` consecutive computations confirm it.
        breaker_window: The breaker's window, in the unit of the timestamps; required with
            ``breaker_percent``.
        breaker_confirmations: Consecutive computations beyond the threshold that publish
            the move (1 publishes at once).
    """
    threshold = None if breaker_percent is None else percent(breaker_percent, "breaker_percent")
    if threshold is not None and breaker_window is None:
        raise InvalidInput("breaker_window is required with breaker_percent", "invalid_config")
    return IndexConfig(
        max_age,
        min_sources=min_sources,
        outliers=outliers,
        band=bps(band_bps, "band_bps"),
        aggregation=aggregation,
        breaker_threshold=threshold,
        breaker_window=1 if breaker_window is None else breaker_window,
        breaker_confirmations=breaker_confirmations,
    )


def index_price(
    config: IndexConfig,
    prices: NDArray[np.int64],
    weights: NDArray[np.int64],
    timestamps: NDArray[np.int64],
    *,
    now: int,
    last_good: int | None = None,
) -> IndexPrice:
    """The index price of one symbol from its sources' int64 arrays at time ``now``.

    ``last_good`` (the last published price) is the result when too few sources are live,
    and the circuit breaker's reference: without an :class:`IndexBook` there is no window
    beyond it, so a move beyond the threshold is held unless the config confirms at once.

    Raises:
        InvalidInput: naming the argument for a wrong dtype, shape or length.
    """
    price, flags, sources = _index_price(config, prices, weights, timestamps, now, last_good)
    return IndexPrice(price, PriceFlags(flags), sources)


def index_prices(
    config: IndexConfig,
    prices: NDArray[np.int64],
    weights: NDArray[np.int64],
    timestamps: NDArray[np.int64],
    *,
    now: int,
    last_good: NDArray[np.int64] | None = None,
) -> IndexPrices:
    """The index prices of many symbols from ``(symbols, sources)`` int64 arrays, with the
    GIL released; ``last_good`` holds each symbol's last published price (0: none).

    Do not mutate the arrays from another thread meanwhile.
    """
    out, flags, sources = _index_prices(config, prices, weights, timestamps, now, last_good)
    return IndexPrices(out, flags, sources)


class IndexBook:
    """The index prices of a fixed set of symbols, computed tick after tick: each symbol
    keeps its state (last good price, circuit breaker window, pending confirmations).

    Thread-safe; calls run one at a time.
    """

    def __init__(self, config: IndexConfig, symbols: int) -> None:
        self._book = _CoreIndexBook(config, symbols)

    @property
    def config(self) -> IndexConfig:
        """The rules."""
        return self._book.config

    @property
    def symbols(self) -> int:
        """The number of symbols."""
        return self._book.symbols

    def compute(
        self,
        prices: NDArray[np.int64],
        weights: NDArray[np.int64],
        timestamps: NDArray[np.int64],
        *,
        now: int,
    ) -> IndexPrices:
        """Every symbol's index at ``now`` from ``(symbols, sources)`` int64 arrays, with
        the GIL released; the states move on. If a symbol fails (a weighted sum beyond
        the integer range) the call raises and that symbol's state is unchanged."""
        out, flags, sources = self._book.compute(prices, weights, timestamps, now)
        return IndexPrices(out, flags, sources)

    def last_good(self) -> NDArray[np.int64]:
        """Each symbol's last good price (0: none yet)."""
        return self._book.last_good()

    def pending_confirmations(self) -> NDArray[np.uint32]:
        """Each symbol's count of held moves awaiting confirmation."""
        return self._book.pending_confirmations()


@dataclass(frozen=True)
class MarkPrice:
    """A mark price and the flags of the index it was built from."""

    price: int
    flags: PriceFlags


def mark_price(
    index: int,
    *,
    funding_rate: int = 0,
    time_to_funding: int = 0,
    funding_interval: int = 1,
    basis_average: int | None = None,
    last_price: int | None = None,
    index_flags: int = 0,
) -> MarkPrice:
    """The mark price of a perpetual: the median of the funding basis price
    ``index * (1 + funding_rate * time_to_funding / funding_interval)``, the moving-average
    basis price ``index + basis_average`` (see :class:`Ema` and :class:`Twap`) and the last
    traded price; a component given as ``None`` is left out.
    """
    price, flags = _mark_price(
        index,
        funding_rate=funding_rate,
        time_to_funding=time_to_funding,
        funding_interval=funding_interval,
        basis_average=basis_average,
        last_price=last_price,
        index_flags=index_flags,
    )
    return MarkPrice(price, PriceFlags(flags))


# ---------------------------------------------------------------- brackets and contracts


@dataclass(frozen=True)
class TierRow:
    """One tier as an exchange publishes it, in decimals: notional floor and cap, maximum
    leverage, maintenance margin rate in percent and, optionally, the published
    maintenance amount (checked against the one the core computes)."""

    floor: Money
    cap: Money
    max_leverage: int
    mmr_percent: Money
    cum: Money | None = None


def brackets(rows: Sequence[TierRow | tuple[Money, Money, int, Money]]) -> Brackets:
    """:class:`Brackets` from published tiers, lowest first (rows or
    ``(floor, cap, max_leverage, mmr_percent)`` tuples); the maintenance amounts are
    computed.

    Raises:
        InvalidInput: ``invalid_brackets`` for a table that is not contiguous and monotone,
            or a published maintenance amount that differs from the computed one.
    """
    tiers: list[tuple[int, int, int, int] | tuple[int, int, int, int, int]] = []
    for k, row in enumerate(rows):
        tier = row if isinstance(row, TierRow) else TierRow(*row)
        base = (
            to_fixed(tier.floor, f"rows[{k}].floor"),
            to_fixed(tier.cap, f"rows[{k}].cap"),
            tier.max_leverage,
            percent(tier.mmr_percent, f"rows[{k}].mmr_percent"),
        )
        if tier.cum is None:
            tiers.append(base)
        else:
            tiers.append((*base, to_fixed(tier.cum, f"rows[{k}].cum")))
    return Brackets(tiers)


def linear(
    table: Brackets, *, tick_size: Money = "0.00000001", lot_size: Money = "0.00000001"
) -> Contract:
    """A linear (USDT-margined) :class:`Contract` with a decimal tick and lot."""
    return Contract.linear(
        table, tick_size=to_fixed(tick_size, "tick_size"), lot_size=to_fixed(lot_size, "lot_size")
    )


def inverse(
    face_value: Money,
    table: Brackets,
    *,
    tick_size: Money = "0.00000001",
    lot_size: Money = "0.00000001",
) -> Contract:
    """An inverse (coin-margined) :class:`Contract` of ``face_value`` quote per contract."""
    return Contract.inverse(
        to_fixed(face_value, "face_value"),
        table,
        tick_size=to_fixed(tick_size, "tick_size"),
        lot_size=to_fixed(lot_size, "lot_size"),
    )


# ---------------------------------------------------------------- one account


@dataclass(frozen=True)
class Position:
    """One position: its symbol index, signed quantity (positive long), entry price,
    leverage (:data:`MAX_LEVERAGE`: the tier's maximum) and isolated wallet (``None``:
    cross)."""

    symbol: int
    qty: int
    entry_price: int
    leverage: int = MAX_LEVERAGE
    isolated_margin: int | None = None


@dataclass(frozen=True)
class PositionRisk:
    """One position's margin at the marks; ``margin_ratio`` and ``liquidate`` are those of
    its pool (the account's cross pool, or the isolated position)."""

    notional: int
    unrealized_pnl: int
    maintenance_margin: int
    initial_margin: int
    liquidation_price: int | None
    margin_ratio: int
    liquidate: bool


@dataclass(frozen=True)
class AccountRisk:
    """An account's cross pool at the marks, and each position."""

    wallet_balance: int
    unrealized_pnl: int
    margin_balance: int
    maintenance_margin: int
    initial_margin: int
    margin_ratio: int
    available_balance: int
    liquidate: bool
    positions: tuple[PositionRisk, ...]


def evaluate_account(
    wallet: int,
    positions: Sequence[Position],
    contracts: Sequence[Contract],
    marks: Sequence[int],
) -> AccountRisk:
    """One account's margin: ``wallet`` is its cross wallet, ``contracts`` and ``marks``
    are indexed by symbol.

    Margin ratio = maintenance margin / margin balance (rounded up; :data:`RATE_ONE` is
    100%); a pool is liquidated when its margin balance is at or below its maintenance
    margin. The liquidation price holds every other position at its mark.

    Raises:
        InvalidInput: with ``index`` naming the first bad position.
    """
    rows = [(p.symbol, p.qty, p.entry_price, p.leverage, p.isolated_margin) for p in positions]
    figures = _evaluate_account(wallet, rows, list(contracts), list(marks))
    wallet_balance, upnl, balance, maintenance, initial, ratio, available, liquidate, each = figures
    return AccountRisk(
        wallet_balance=wallet_balance,
        unrealized_pnl=upnl,
        margin_balance=balance,
        maintenance_margin=maintenance,
        initial_margin=initial,
        margin_ratio=ratio,
        available_balance=available,
        liquidate=liquidate,
        positions=tuple(PositionRisk(*f) for f in each),
    )


# ---------------------------------------------------------------- many accounts


@dataclass(frozen=True)
class BatchResult:
    """The outputs of a :class:`RiskBook`: per position, then per account (the cross pool).

    These are the book's own arrays, overwritten by each call; copy them to keep a
    snapshot. ``liquidation_price`` is :data:`NO_LIQUIDATION_PRICE` (0) where there is none.
    """

    unrealized_pnl: NDArray[np.int64]
    maintenance_margin: NDArray[np.int64]
    initial_margin: NDArray[np.int64]
    margin_ratio: NDArray[np.int64]
    liquidation_price: NDArray[np.int64]
    liquidate: NDArray[np.bool_]
    account_margin_balance: NDArray[np.int64]
    account_maintenance_margin: NDArray[np.int64]
    account_initial_margin: NDArray[np.int64]
    account_margin_ratio: NDArray[np.int64]
    account_available_balance: NDArray[np.int64]
    account_liquidate: NDArray[np.bool_]


@dataclass(frozen=True)
class LiquidationOrder:
    """An order closing (part of) one position at its bankruptcy price, in ticks and lots
    of the contract."""

    row: int
    account: int
    symbol: int
    side: Side
    qty_lots: int
    qty: int
    bankruptcy_price: int | None
    price_ticks: int


@dataclass(frozen=True)
class LiquidationCandidate:
    """A pool at or past maintenance: an account's cross pool (``isolated_row`` is
    ``None``) or one isolated position, with the orders that close it."""

    account: int
    isolated_row: int | None
    margin_ratio: int
    orders: tuple[LiquidationOrder, ...]


class RiskBook:
    """The positions of many accounts as numpy columns, marked in one call.

    Rows are grouped by account in ascending order (:func:`account_order` sorts them).
    ``account`` and ``symbol`` are uint32, ``qty`` (signed), ``entry_price`` and
    ``isolated_margin`` int64, ``leverage`` uint32 (default: the tier's maximum) and
    ``isolated`` bool (default: all cross); ``contracts`` has one :class:`Contract` per
    symbol. The arrays are held, not copied: ``account`` and ``symbol`` must not change
    afterwards; the others are read at each call (change them in place, then call
    :meth:`recompute_accounts`). Calls release the GIL: do not mutate the arrays from
    another thread meanwhile.

    Raises:
        InvalidInput: naming the argument (wrong dtype, shape or length) or, with
            ``index``, the first bad row (accounts not grouped, an index out of range).
    """

    def __init__(
        self,
        account: NDArray[np.uint32],
        symbol: NDArray[np.uint32],
        qty: NDArray[np.int64],
        entry_price: NDArray[np.int64],
        contracts: Sequence[Contract],
        *,
        accounts: int | None = None,
        leverage: NDArray[np.uint32] | None = None,
        isolated: NDArray[np.bool_] | None = None,
        isolated_margin: NDArray[np.int64] | None = None,
    ) -> None:
        self._book = _CoreRiskBook(
            account,
            symbol,
            qty,
            entry_price,
            list(contracts),
            accounts=accounts,
            leverage=leverage,
            isolated=isolated,
            isolated_margin=isolated_margin,
        )
        # The output arrays are the same after every call: one frozen view of them.
        self._result = BatchResult(**self._book.results)

    @property
    def positions(self) -> int:
        """The number of position rows."""
        return self._book.positions

    @property
    def accounts(self) -> int:
        """The number of accounts."""
        return self._book.accounts

    @property
    def symbols(self) -> int:
        """The number of symbols."""
        return self._book.symbols

    @property
    def result(self) -> BatchResult:
        """The outputs as of the last call."""
        return self._result

    def holders(self, symbol: int) -> NDArray[np.uint32]:
        """The accounts holding ``symbol``, ascending."""
        return self._book.holders(symbol)

    def compute(self, wallets: NDArray[np.int64], marks: NDArray[np.int64]) -> BatchResult:
        """Marks every position: ``wallets`` (int64, one per account) are the cross wallets,
        ``marks`` (int64, one per symbol) the mark prices."""
        self._book.compute(wallets, marks)
        return self._result

    def recompute(self, marks: NDArray[np.int64]) -> int:
        """Recomputes only the accounts holding a symbol whose mark moved since the last
        call; returns how many accounts it recomputed."""
        return self._book.recompute(marks)

    def recompute_accounts(
        self, accounts: NDArray[np.uint32], wallets: NDArray[np.int64] | None = None
    ) -> None:
        """Recomputes the listed accounts (strictly ascending) at the last marks, after
        their rows or wallets changed in place; ``wallets`` replaces the wallets array."""
        self._book.recompute_accounts(accounts, wallets)

    def liquidation_candidates(self) -> list[LiquidationCandidate]:
        """The pools at or past maintenance, highest margin ratio first, each with the
        orders that close it at its bankruptcy price."""
        return [
            LiquidationCandidate(
                account,
                row,
                ratio,
                tuple(
                    LiquidationOrder(o[0], o[1], o[2], Side[o[3].upper()], *o[4:]) for o in orders
                ),
            )
            for account, row, ratio, orders in self._book.liquidation_candidates()
        ]

    def liquidation_commands(
        self,
        instruments: Sequence[Instrument],
        *,
        first_order_id: int = 1,
        account_ids: NDArray[np.uint64] | None = None,
    ) -> tuple[NDArray[np.void], NDArray[np.uint64]]:
        """The candidates' orders as ``tpcore.book.COMMAND_DTYPE`` records (IOC limit
        orders, most at-risk pool first) and the position row of each.

        ``instruments`` holds each symbol's book (with the contract's tick and lot);
        order ids count up from ``first_order_id``; ``account_ids`` maps account indices
        to the book's account ids (default: the index).
        """
        return self._book.liquidation_commands(
            list(instruments), first_order_id=first_order_id, account_ids=account_ids
        )
