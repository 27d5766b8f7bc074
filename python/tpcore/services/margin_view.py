"""The ledger's positions as :class:`tpcore.risk.RiskBook` columns, kept across ticks.

Building 100,000 rows from the ledger's dictionaries costs far more than marking them, and
most ticks only move a mark. The view is rebuilt when a position opens or closes (or a
symbol gets its first mark); a trade that only resizes a position, or moves a wallet,
updates its row in place. Rows are grouped by account, accounts ascending; only positions
on symbols with a mark are in it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tpcore import risk
from tpcore.services.ledger import Ledger

__all__ = ["MarginView"]


class MarginView:
    """Columns of one ledger's marked positions, and the RiskBook over them."""

    def __init__(self, contracts: Sequence[risk.Contract], symbol_index: dict[str, int]) -> None:
        self.contracts = list(contracts)
        self.symbol_index = symbol_index
        #: ``(account, symbol)`` of each row.
        self.keys: list[tuple[int, str]] = []
        #: Account id of each dense account index.
        self.ids = np.zeros(0, np.uint64)
        self.wallets = np.zeros(0, np.int64)
        self.book: risk.RiskBook | None = None
        self._row: dict[tuple[int, str], int] = {}
        self._dense: dict[int, int] = {}
        self._qty = np.zeros(0, np.int64)
        self._entry = np.zeros(0, np.int64)
        #: The ledger the columns were built from (held: an id could be reused) and the
        #: layout they reflect.
        self._ledger: Ledger | None = None
        self._source: tuple[int, bytes] | None = None
        self.rebuilds = 0

    def sync(self, ledger: Ledger, marks: np.ndarray) -> bool:
        """Brings the columns up to date with ``ledger``; True if they were rebuilt (the
        rows and the dense account indices changed)."""
        source = (ledger.layout_version, (marks > 0).tobytes())
        if ledger is not self._ledger or source != self._source:
            self._rebuild(ledger, marks)
            self._ledger, self._source = ledger, source
            ledger.touched.clear()
            ledger.touched_wallets.clear()
            return True
        for key in ledger.touched:
            row = self._row.get(key)
            if row is not None:
                self._qty[row], self._entry[row] = ledger.positions[key][:2]
        for account in ledger.touched_wallets:
            index = self._dense.get(account)
            if index is not None:
                self.wallets[index] = ledger.wallet(account)
        ledger.touched.clear()
        ledger.touched_wallets.clear()
        return False

    def _rebuild(self, ledger: Ledger, marks: np.ndarray) -> None:
        marked = marks > 0
        index = self.symbol_index
        self.keys = sorted(k for k in ledger.positions if marked[index[k[1]]])
        count = len(self.keys)
        accounts = np.fromiter((k[0] for k in self.keys), np.uint64, count)
        self.ids, dense = np.unique(accounts, return_inverse=True)
        values = np.fromiter(
            (v for k in self.keys for v in ledger.positions[k][:2]), np.int64, 2 * count
        ).reshape(count, 2)
        self._qty, self._entry = values[:, 0].copy(), values[:, 1].copy()
        symbols = np.fromiter((index[k[1]] for k in self.keys), np.uint32, count)
        self._row = {k: i for i, k in enumerate(self.keys)}
        self._dense = {int(a): i for i, a in enumerate(self.ids.tolist())}
        self.wallets = np.fromiter(
            (ledger.wallet(a) for a in self.ids.tolist()), np.int64, len(self.ids)
        )
        self.book = None
        if count:
            self.book = risk.RiskBook(
                dense.astype(np.uint32), symbols, self._qty, self._entry, self.contracts,
                accounts=len(self.ids),
            )  # fmt: skip
        self.rebuilds += 1
