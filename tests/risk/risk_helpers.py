"""Shared data of the risk tests: published bracket tables (with their dates), contracts
built from them for both tpcore and the Decimal reference, and random books."""

from __future__ import annotations

import numpy as np

from benches.pyrisk import RefContract, tiers_from_rows
from benches.risk_workload import MarginBook
from tpcore import risk

F = risk.to_fixed

#: Binance BTCUSDT perpetual tiers (USDT-M) of the 2021-03-18 announcement, in force for the
#: September 2021 cross-margin example: floor, cap, max leverage, MMR %, maintenance amount.
BTCUSDT_2021 = [
    (0, 50_000, 125, "0.40", 0),
    (50_000, 250_000, 100, "0.50", 50),
    (250_000, 1_000_000, 50, "1.00", 1_300),
    (1_000_000, 10_000_000, 20, "2.50", 16_300),
    (10_000_000, 20_000_000, 10, "5.00", 266_300),
    (20_000_000, 50_000_000, 5, "10.00", 1_266_300),
    (50_000_000, 100_000_000, 4, "12.50", 2_516_300),
    (100_000_000, 200_000_000, 3, "15.00", 5_016_300),
    (200_000_000, 300_000_000, 2, "25.00", 25_016_300),
    (300_000_000, 500_000_000, 1, "50.00", 100_016_300),
]

#: Binance ETHUSDT tiers of 2021 as used by the same example (its 10% tier, cum 135,365, is
#: the one the example pins down; the rest fit the maintenance-amount recurrence).
ETHUSDT_2021 = [
    (0, 10_000, 100, "0.50", 0),
    (10_000, 100_000, 75, "0.65", 15),
    (100_000, 500_000, 50, "1.00", 365),
    (500_000, 1_000_000, 25, "2.00", 5_365),
    (1_000_000, 2_000_000, 10, "5.00", 35_365),
    (2_000_000, 5_000_000, 5, "10.00", 135_365),
    (5_000_000, 10_000_000, 4, "12.50", 260_365),
    (10_000_000, 20_000_000, 3, "15.00", 510_365),
    (20_000_000, 50_000_000, 2, "25.00", 2_510_365),
    (50_000_000, 100_000_000, 1, "50.00", 15_010_365),
]

#: Binance BTCUSD COIN-M tiers in BTC notional after 2021-08-23 (no published amounts).
BTCUSD_COINM_2021: list[tuple[int, int, int, str]] = [
    (0, 10, 50, "1.00"),
    (10, 50, 20, "2.50"),
    (50, 100, 10, "5.00"),
    (100, 200, 5, "10.00"),
    (200, 400, 4, "12.50"),
    (400, 800, 3, "15.00"),
    (800, 1_500, 2, "25.00"),
    (1_500, 5_000, 1, "50.00"),
]


def btcusdt(tick: str = "0.01") -> risk.Contract:
    """BTCUSDT with the 2021 tiers, a 0.01 tick and a 0.001 lot."""
    return risk.linear(risk.brackets(BTCUSDT_2021), tick_size=tick, lot_size="0.001")


def ethusdt(tick: str = "0.01") -> risk.Contract:
    """ETHUSDT with the 2021 tiers, a 0.01 tick and a 0.001 lot."""
    return risk.linear(risk.brackets(ETHUSDT_2021), tick_size=tick, lot_size="0.001")


def btcusd_coinm() -> risk.Contract:
    """BTCUSD COIN-M: 100 USD contracts, 0.1 tick, 1-contract lot."""
    return risk.inverse("100", risk.brackets(BTCUSD_COINM_2021), tick_size="0.1", lot_size="1")


def reference(contract: risk.Contract) -> RefContract:
    """The Decimal reference's view of a contract (its tiers from the core's table rows)."""
    rows = [(f, c, lev, mmr) for f, c, lev, mmr, _ in contract.brackets.tiers]
    face = None if contract.face_value is None else risk.from_fixed(contract.face_value)
    return RefContract(tiers_from_rows(rows), contract.tick_size, face)


#: Symbols of the random books: BTCUSDT, ETHUSDT, COIN-M BTCUSD, and their marks.
MARKET = (btcusdt(), ethusdt(), btcusd_coinm())
MARKS = np.array([F("30000"), F("2000"), F("30000")], np.int64)


class Book(MarginBook):
    """A random book over :data:`MARKET`, with each row as a :class:`tpcore.risk.Position`."""

    def positions_of(self, rows: range) -> list[risk.Position]:
        return [
            risk.Position(
                int(self.symbol[i]),
                int(self.qty[i]),
                int(self.entry_price[i]),
                int(self.leverage[i]),
                int(self.isolated_margin[i]) if self.isolated[i] else None,
            )
            for i in rows
        ]


def random_book(seed: int, accounts: int) -> Book:
    """About one position per symbol per account in two, a few empty rows, a quarter
    isolated, wallets from -2,000 to 48,000 (some accounts past maintenance)."""
    rng = np.random.default_rng(seed)
    holds = rng.random((accounts, len(MARKET))) < 0.5
    account, symbol = (a.astype(np.uint32) for a in np.nonzero(holds))
    n = len(account)
    lots = rng.integers(1, 5_000, n) * F("0.001")
    lots = np.where(symbol == 2, rng.integers(1, 2_000, n) * F("1"), lots)
    side = rng.choice([-1, 0, 1], n, p=[0.45, 0.1, 0.45])
    marks = MARKS[symbol]
    entry = marks + marks // 1_000 * rng.integers(-200, 200, n)
    isolated = rng.random(n) < 0.25
    return Book(
        marks=MARKS,
        contracts=list(MARKET),
        account=account,
        symbol=symbol,
        qty=(lots * side).astype(np.int64),
        entry_price=entry.astype(np.int64),
        leverage=rng.integers(1, 30, n).astype(np.uint32),
        isolated=isolated,
        isolated_margin=np.where(isolated, rng.integers(0, 5_000, n) * F("1"), 0).astype(np.int64),
        wallets=(rng.integers(0, 50_000, accounts) * F("1") - F("2000")).astype(np.int64),
    )
