"""Ethereum transaction signing against eth-account in a Python loop.

The workload is EIP-1559 transfers with calldata, one hot-wallet key, nonces in sequence:
what a withdrawal service signs. eth-account's account object is built outside the timed
region.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account

from benches.conftest import SIZES
from benches.harness import measure
from tpcore import eth, sign

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SECRET = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
DAI_CONTRACT = "0x6B175474E89094C44Da98b954EedeAC495271d0F"


def _transactions(n: int) -> list[dict[str, Any]]:
    transfer = bytes.fromhex("a9059cbb") + bytes(12) + bytes(range(20)) + (10**18).to_bytes(32)
    return [
        {
            "type": 2,
            "chainId": 1,
            "nonce": nonce,
            "gas": 65_000,
            "maxFeePerGas": 40 * 10**9,
            "maxPriorityFeePerGas": 2 * 10**9,
            "to": DAI_CONTRACT,
            "value": 0,
            "data": transfer,
        }
        for nonce in range(n)
    ]


@pytest.mark.parametrize("n", SIZES)
def test_sign_transactions_tpcore(benchmark, n: int) -> None:
    txs, key = _transactions(n), sign.PrivateKey.from_bytes(SECRET)
    targets = {"eth-account": 30.0} if n == 10_000 else None
    signed = measure(
        benchmark,
        eth.sign_transactions,
        txs,
        key,
        case="sign_transactions (EIP-1559)",
        impl="tpcore",
        n=n,
        peer=False,
        targets=targets,
    )
    assert len(signed) == n


@pytest.mark.parametrize("n", SIZES)
def test_sign_transactions_eth_account(benchmark, n: int) -> None:
    txs, account = _transactions(n), Account.from_key(SECRET)

    def loop() -> list[object]:
        return [account.sign_transaction(tx) for tx in txs]

    rounds = 1 if n == 10_000 else None
    measure(
        benchmark,
        loop,
        case="sign_transactions (EIP-1559)",
        impl="eth-account",
        n=n,
        peer=True,
        rounds=rounds,
    )


def test_sign_transaction_one_tpcore(benchmark) -> None:
    tx, key = _transactions(1)[0], sign.PrivateKey.from_bytes(SECRET)
    measure(
        benchmark,
        eth.sign_transaction,
        tx,
        key,
        case="sign_transaction (one call)",
        impl="tpcore",
        n=1,
        peer=False,
        targets={"eth-account": 10.0},
    )


def test_sign_transaction_one_eth_account(benchmark) -> None:
    tx, account = _transactions(1)[0], Account.from_key(SECRET)
    measure(
        benchmark,
        account.sign_transaction,
        tx,
        case="sign_transaction (one call)",
        impl="eth-account",
        n=1,
        peer=True,
    )
