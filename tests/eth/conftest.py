"""Fixtures shared by the transaction tests: one seeded corpus of random transactions.

The corpus is built once per session; the differential and decoding tests read it.
"""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.datastructures import SignedTransaction as EthAccountSigned
from eth_helpers import Case, random_cases

#: Transactions of every kind in ``eth_helpers.KINDS``: 7 kinds x 320 = 2,240.
PER_KIND = 320
SEED = 20_250_301


@pytest.fixture(scope="session")
def cases() -> list[Case]:
    """The seeded random corpus (every kind, every representation of every field)."""
    return random_cases(SEED, PER_KIND)


@pytest.fixture(scope="session")
def eth_account_signed(cases: list[Case]) -> list[EthAccountSigned]:
    """eth-account's ``Account.sign_transaction`` of every case, in order."""
    return [Account.sign_transaction(case.eth_account_tx, case.secret) for case in cases]
