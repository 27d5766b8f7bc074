"""A pure-Python reference of tpcore's margin formulas, in exact ``Decimal`` arithmetic.

The tests hold the Rust core to it (``tests/risk``) and the benchmarks run it as the
pure-Python peer (``benches/test_risk.py``). It is written from the published formulas,
not from the Rust code: every quantity is computed exactly, then rounded once, in the
direction the core documents (notional, maintenance and initial margin, margin ratio up;
unrealized PnL down; liquidation prices against the holder, to the tick). The
liquidation price is the exact root found by trying each tier and keeping the one whose
notional at the root falls in it, not the core's search over tier caps.

Amounts in and out are fixed-point integers at 10**8, as in ``tpcore.risk``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, localcontext

__all__ = [
    "RATE_MAX",
    "SCALE",
    "AccountFigures",
    "PositionFigures",
    "RefContract",
    "RefPosition",
    "RefTier",
    "evaluate",
    "liquidation_price",
    "tiers_from_rows",
]

SCALE = 10**8
#: The margin ratio of a pool whose margin balance is not positive.
RATE_MAX = 2**63 - 1
_S = Decimal(SCALE)
#: Enough digits that no quotient here is rounded before the final, explicit rounding.
_CONTEXT = Context(prec=90)


def _value(units: int) -> Decimal:
    return Decimal(units) / _S


def _ceil(x: Decimal) -> int:
    """``x`` (a decimal amount) in fixed-point units, rounded up."""
    return int((x * _S).to_integral_value(rounding=ROUND_CEILING))


def _floor(x: Decimal) -> int:
    """``x`` (a decimal amount) in fixed-point units, rounded down."""
    return int((x * _S).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class RefTier:
    """A tier in decimals: notional ``(floor, cap]``, maximum leverage, rate, amount."""

    floor: Decimal
    cap: Decimal
    max_leverage: int
    mmr: Decimal
    cum: Decimal


def tiers_from_rows(rows: Sequence[tuple[int, int, int, int]]) -> list[RefTier]:
    """Tiers from ``(floor, cap, max_leverage, mmr)`` fixed-point rows, each maintenance
    amount ``cum_n = floor_n x (mmr_n - mmr_(n-1)) + cum_(n-1)`` rounded down per step."""
    tiers: list[RefTier] = []
    with localcontext(_CONTEXT):
        for floor, cap, max_leverage, mmr in rows:
            previous_mmr = tiers[-1].mmr if tiers else _value(mmr)
            previous_cum = tiers[-1].cum if tiers else Decimal(0)
            step = _value(_floor(_value(floor) * (_value(mmr) - previous_mmr)))
            tiers.append(
                RefTier(_value(floor), _value(cap), max_leverage, _value(mmr), previous_cum + step)
            )
    return tiers


@dataclass(frozen=True)
class RefContract:
    """A contract: ``face`` is ``None`` for linear, the face value for inverse."""

    tiers: list[RefTier]
    tick: int = 1
    face: Decimal | None = None

    def tier(self, notional: Decimal) -> RefTier:
        """The first tier whose cap is at or above the notional, else the last."""
        for tier in self.tiers:
            if notional <= tier.cap:
                return tier
        return self.tiers[-1]


@dataclass(frozen=True)
class RefPosition:
    """One position: symbol, signed quantity, entry price, leverage, isolated wallet."""

    symbol: int
    qty: int
    entry_price: int
    leverage: int
    isolated_margin: int | None = None


@dataclass(frozen=True)
class PositionFigures:
    """One position's figures, as ``tpcore.risk.PositionRisk``."""

    notional: int
    unrealized_pnl: int
    maintenance_margin: int
    initial_margin: int
    liquidation_price: int | None
    margin_ratio: int
    liquidate: bool


@dataclass(frozen=True)
class AccountFigures:
    """An account's cross pool and positions, as ``tpcore.risk.AccountRisk``."""

    unrealized_pnl: int
    margin_balance: int
    maintenance_margin: int
    initial_margin: int
    margin_ratio: int
    available_balance: int
    liquidate: bool
    positions: list[PositionFigures]


def _metrics(c: RefContract, p: RefPosition, mark: int) -> tuple[int, int, int, int]:
    """Notional (up), PnL (down), maintenance margin (up, >= 0), initial margin (up)."""
    if p.qty == 0:
        return 0, 0, 0, 0
    qty, entry, price = _value(p.qty), _value(p.entry_price), _value(mark)
    if c.face is None:
        notional = _ceil(abs(qty) * price)
        pnl = _floor(qty * (price - entry))
    else:
        notional = _ceil(abs(qty) * c.face / price)
        # qty x face x (1/entry - 1/price) as one quotient, so that it is exact whenever
        # the result has a finite decimal expansion.
        pnl = _floor(qty * c.face * (price - entry) / (entry * price))
    tier = c.tier(_value(notional))
    maintenance = max(0, _ceil(_value(notional) * tier.mmr) - _floor(tier.cum))
    initial = _ceil(_value(notional) / min(p.leverage, tier.max_leverage))
    return notional, pnl, maintenance, initial


def _ratio(maintenance: int, balance: int) -> int:
    if maintenance <= 0:
        return 0
    if balance <= 0:
        return RATE_MAX
    return min(RATE_MAX, _ceil(Decimal(maintenance) / Decimal(balance)))


def liquidation_price(c: RefContract, qty: int, entry_price: int, collateral: int) -> int | None:
    """The exact root of "margin balance = maintenance margin" in the price, the tier the
    one whose notional at the root it falls in, rounded against the holder to the tick;
    ``None`` when there is no positive root."""
    if qty == 0:
        return None
    s = 1 if qty > 0 else -1
    q, entry, wallet = _value(abs(qty)), _value(entry_price), _value(collateral)
    for k, tier in enumerate(c.tiers):
        if c.face is None:
            denominator = q * (s - tier.mmr)
            root = (s * q * entry - wallet - tier.cum) / denominator
            notional = q * root
        else:
            # Binance's COIN-M formula times the entry price above and below: one quotient.
            denominator = q * c.face + s * (wallet + tier.cum) * entry
            if denominator <= 0:
                continue
            root = q * c.face * (1 + s * tier.mmr) * entry / denominator
            notional = q * c.face / root
        low_ok = notional >= 0 if k == 0 else notional > tier.floor
        high_ok = k == len(c.tiers) - 1 or notional <= tier.cap
        if low_ok and high_ok and root > 0:
            ticks = root * _S / c.tick
            rounding = ROUND_CEILING if s > 0 else ROUND_FLOOR
            price = int(ticks.to_integral_value(rounding=rounding)) * c.tick
            return price if price > 0 else None
    return None


def evaluate(
    wallet: int,
    positions: Sequence[RefPosition],
    contracts: Sequence[RefContract],
    marks: Sequence[int],
) -> AccountFigures:
    """One account, as ``tpcore.risk.evaluate_account``."""
    with localcontext(_CONTEXT):
        metrics = [_metrics(contracts[p.symbol], p, marks[p.symbol]) for p in positions]
        cross = [i for i, p in enumerate(positions) if p.isolated_margin is None]
        upnl = sum(metrics[i][1] for i in cross)
        maintenance = sum(metrics[i][2] for i in cross)
        initial = sum(metrics[i][3] for i in cross)
        balance = wallet + upnl
        cross_ratio = _ratio(maintenance, balance)
        cross_open = any(positions[i].qty != 0 for i in cross)
        cross_liquidate = cross_open and balance <= maintenance
        figures = []
        for p, (notional, pnl, mm, im) in zip(positions, metrics, strict=True):
            contract = contracts[p.symbol]
            if p.isolated_margin is None:
                collateral = wallet - (maintenance - mm) + (upnl - pnl)
                ratio, liquidate = cross_ratio, cross_liquidate
            else:
                collateral = p.isolated_margin
                own = p.isolated_margin + pnl
                ratio, liquidate = _ratio(mm, own), p.qty != 0 and own <= mm
            price = liquidation_price(contract, p.qty, p.entry_price, collateral)
            figures.append(PositionFigures(notional, pnl, mm, im, price, ratio, liquidate))
        return AccountFigures(
            upnl,
            balance,
            maintenance,
            initial,
            cross_ratio,
            balance - initial,
            cross_liquidate,
            figures,
        )
