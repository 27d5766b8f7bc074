"""The margin workload of the risk benchmarks, and its vectorised numpy peer.

A book of ``accounts`` accounts with ten positions each on distinct symbols out of 100
(linear perpetuals sharing a BTCUSDT-like ten-tier table, a 0.01 tick), marks from 1 to
50,000, notionals from about 100 to 2,000,000 (every tier but the top ones is used),
entries within 20% of the mark, a fifth of the positions isolated, and wallets that leave
a few percent of the accounts past maintenance.

:class:`NumpyMargin` computes the same figures with the same formulas in vectorised
numpy over float64: per position the notional, PnL, tier (``searchsorted``, the table
being shared), maintenance and initial margin; per account the cross sums
(``np.add.reduceat`` over the account-sorted rows), margin balance, ratio and flags; then
each position's liquidation price with the core's tier search (the margin gap at each
tier's cap, one vectorised pass per tier) rounded to the tick against the holder. Float
columns of the static inputs are prepared once, as tpcore prepares its index once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from tpcore import risk

__all__ = ["TABLE", "MarginBook", "NumpyMargin", "generate", "moved_marks"]

SYMBOLS = 100
PER_ACCOUNT = 10
TICK = "0.01"

#: The shared bracket table (BTCUSDT's 2021 tiers).
TABLE = list(risk.BINANCE_BTCUSDT_2021)


@dataclass
class MarginBook:
    """Position columns grouped by account, contracts, wallets and marks."""

    account: NDArray[np.uint32]
    symbol: NDArray[np.uint32]
    qty: NDArray[np.int64]
    entry_price: NDArray[np.int64]
    leverage: NDArray[np.uint32]
    isolated: NDArray[np.bool_]
    isolated_margin: NDArray[np.int64]
    wallets: NDArray[np.int64]
    marks: NDArray[np.int64]
    contracts: list[risk.Contract]

    @property
    def accounts(self) -> int:
        return len(self.wallets)

    def risk_book(self) -> risk.RiskBook:
        return risk.RiskBook(
            self.account,
            self.symbol,
            self.qty,
            self.entry_price,
            self.contracts,
            accounts=self.accounts,
            leverage=self.leverage,
            isolated=self.isolated,
            isolated_margin=self.isolated_margin,
        )

    def subset(self, accounts: int) -> MarginBook:
        """The first ``accounts`` accounts (their rows are the first ones)."""
        rows = int(np.searchsorted(self.account, accounts))
        return MarginBook(
            self.account[:rows].copy(),
            self.symbol[:rows].copy(),
            self.qty[:rows].copy(),
            self.entry_price[:rows].copy(),
            self.leverage[:rows].copy(),
            self.isolated[:rows].copy(),
            self.isolated_margin[:rows].copy(),
            self.wallets[:accounts].copy(),
            self.marks,
            self.contracts,
        )


def generate(accounts: int, seed: int = 20261121) -> MarginBook:
    """The benchmark book (see the module documentation)."""
    rng = np.random.default_rng(seed)
    n = accounts * PER_ACCOUNT
    # Ten distinct symbols per account: a start and a step coprime with 100.
    start = rng.integers(0, SYMBOLS, (accounts, 1))
    step = rng.choice([1, 3, 7, 9, 11, 13], (accounts, 1))
    symbol = np.sort((start + step * np.arange(PER_ACCOUNT)) % SYMBOLS, axis=1).ravel()
    scale = risk.SCALE
    marks_whole = np.round(np.exp(rng.uniform(0, np.log(50_000), SYMBOLS)), 2)
    marks = (marks_whole * scale).astype(np.int64)
    mark = marks_whole[symbol]
    notional = np.exp(rng.uniform(np.log(100), np.log(2_000_000), n))
    qty = np.maximum(np.round(notional / mark, 3), 0.001) * rng.choice([-1, 1], n)
    entry = np.round(mark * rng.uniform(0.8, 1.2, n), 2)
    isolated = rng.random(n) < 0.2
    margin = np.where(isolated, np.round(notional * rng.uniform(0.01, 0.3, n), 2), 0)
    cross_notional = np.add.reduceat(np.where(isolated, 0, notional), np.arange(0, n, PER_ACCOUNT))
    wallets = np.round(cross_notional * rng.uniform(0.02, 0.5, accounts), 2)
    contract = risk.linear(risk.brackets(TABLE), tick_size=TICK, lot_size="0.001")
    return MarginBook(
        account=np.repeat(np.arange(accounts, dtype=np.uint32), PER_ACCOUNT),
        symbol=symbol.astype(np.uint32),
        qty=np.round(qty * scale).astype(np.int64),
        entry_price=np.round(entry * scale).astype(np.int64),
        leverage=rng.integers(1, 51, n).astype(np.uint32),
        isolated=isolated,
        isolated_margin=np.round(margin * scale).astype(np.int64),
        wallets=np.round(wallets * scale).astype(np.int64),
        marks=marks,
        contracts=[contract] * SYMBOLS,
    )


@cache
def _tiers() -> list[tuple[int, int, int, int, int]]:
    return risk.brackets(TABLE).tiers


def moved_marks(
    marks: NDArray[np.int64], symbols: int, bps: int, seed: int = 7
) -> NDArray[np.int64]:
    """Marks after a tick: ``symbols`` random symbols moved by up to ``bps`` each way."""
    rng = np.random.default_rng(seed)
    out = marks.copy()
    chosen = rng.choice(len(marks), symbols, replace=False)
    out[chosen] += marks[chosen] // 10_000 * rng.integers(-bps, bps + 1, symbols)
    return out


class NumpyMargin:
    """The margin formulas in vectorised numpy (float64), over the columns of a book."""

    def __init__(self, book: MarginBook) -> None:
        scale = float(risk.SCALE)
        self.symbol = book.symbol.astype(np.intp)
        self.account = book.account.astype(np.intp)
        self.qty = book.qty / scale
        self.entry = book.entry_price / scale
        self.leverage = book.leverage.astype(np.float64)
        self.isolated = book.isolated
        self.cross = ~book.isolated
        self.margin = book.isolated_margin / scale
        self.starts = np.flatnonzero(np.r_[True, self.account[1:] != self.account[:-1]])
        self.accounts = book.accounts
        tiers = _tiers()
        self.caps = np.array([t[1] for t in tiers[:-1]], np.float64) / scale
        self.mmr = np.array([t[3] for t in tiers], np.float64) / scale
        self.cum = np.array([t[4] for t in tiers], np.float64) / scale
        self.max_leverage = np.array([t[2] for t in tiers], np.float64)
        cap = np.array([t[1] for t in tiers], np.float64) / scale
        # The tier-only part of "margin balance - MM" at each cap, rising (long) or
        # falling (short) with the notional, as the core precomputes it.
        self.up = self.cum + cap * (1 - self.mmr)
        self.down = self.cum - cap * (1 + self.mmr)
        self.tick = float(TICK)
        self.open_cross = np.add.reduceat(self.cross & (self.qty != 0), self.starts) > 0

    def compute(self, wallets: NDArray[np.int64], marks: NDArray[np.int64]) -> dict[str, NDArray]:
        """Every output of ``RiskBook.compute``, in float64 decimal units."""
        qty, cross = self.qty, self.cross
        mark = (marks / float(risk.SCALE))[self.symbol]
        wallet = wallets / float(risk.SCALE)
        notional = np.abs(qty) * mark
        upnl = qty * (mark - self.entry)
        tier = np.searchsorted(self.caps, notional)
        mmr, cum = self.mmr[tier], self.cum[tier]
        mm = np.maximum(notional * mmr - cum, 0.0)
        im = notional / np.minimum(self.leverage, self.max_leverage[tier])
        a_upnl = np.add.reduceat(np.where(cross, upnl, 0.0), self.starts)
        a_mm = np.add.reduceat(np.where(cross, mm, 0.0), self.starts)
        a_im = np.add.reduceat(np.where(cross, im, 0.0), self.starts)
        balance = wallet + a_upnl
        with np.errstate(divide="ignore", invalid="ignore"):
            a_ratio = np.where(a_mm > 0, np.where(balance > 0, a_mm / balance, np.inf), 0.0)
            own = self.margin + upnl
            own_ratio = np.where(mm > 0, np.where(own > 0, mm / own, np.inf), 0.0)
        a_liquidate = self.open_cross & (balance <= a_mm)
        ratio = np.where(cross, a_ratio[self.account], own_ratio)
        liquidate = np.where(cross, a_liquidate[self.account], (qty != 0) & (own <= mm))
        collateral = np.where(
            cross,
            wallet[self.account] - (a_mm[self.account] - mm) + (a_upnl[self.account] - upnl),
            self.margin,
        )
        price = self._liquidation_price(collateral)
        return {
            "unrealized_pnl": upnl,
            "maintenance_margin": mm,
            "initial_margin": im,
            "margin_ratio": ratio,
            "liquidation_price": price,
            "liquidate": liquidate,
            "account_margin_balance": balance,
            "account_maintenance_margin": a_mm,
            "account_initial_margin": a_im,
            "account_margin_ratio": a_ratio,
            "account_available_balance": balance - a_im,
            "account_liquidate": a_liquidate,
        }

    def _liquidation_price(self, collateral: NDArray[np.float64]) -> NDArray[np.float64]:
        qty, long = self.qty, self.qty > 0
        base = collateral - qty * self.entry
        # The root's tier: the first whose cap the root does not exceed (count the caps
        # whose gap has not reached zero yet), one vectorised pass per tier.
        tier = np.zeros(len(qty), np.intp)
        for k in range(len(self.caps)):
            gap_long = base + self.up[k]
            gap_short = base + self.down[k]
            tier += np.where(long, gap_long < 0, gap_short > 0)
        mmr, cum = self.mmr[tier], self.cum[tier]
        s = np.where(long, 1.0, -1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            root = (qty * self.entry - collateral - cum) / (qty * (1 - s * mmr))
        ticks = np.where(long, np.ceil(root / self.tick), np.floor(root / self.tick))
        return np.where((ticks > 0) & (qty != 0), ticks * self.tick, 0.0)
