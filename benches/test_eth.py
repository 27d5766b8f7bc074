"""Ethereum transaction signing against eth-account in a Python loop.

The workload is EIP-1559 transfers with calldata, one hot-wallet key, nonces in sequence:
what a withdrawal service signs. eth-account's account object is built outside the timed
region.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import eth_abi
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


# ---------------------------------------------------------------- EIP-712 and ABI


def _typed_documents(n: int, *, template: bool = False) -> list[dict[str, Any]]:
    """Order documents: a fresh dict each (independent requests), or built from one template."""
    if template:
        first = _typed_documents(1)[0]
        shared = {key: value for key, value in first.items() if key != "message"}
        return [{**shared, "message": doc["message"]} for doc in _typed_documents(n)]
    return [
        {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "Order": [
                    {"name": "maker", "type": "address"},
                    {"name": "baseToken", "type": "address"},
                    {"name": "amount", "type": "uint256"},
                    {"name": "price", "type": "uint256"},
                    {"name": "expiry", "type": "uint64"},
                    {"name": "salt", "type": "bytes32"},
                ],
            },
            "primaryType": "Order",
            "domain": {
                "name": "tpcore exchange",
                "version": "1",
                "chainId": 1,
                "verifyingContract": DAI_CONTRACT,
            },
            "message": {
                "maker": "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F",
                "baseToken": DAI_CONTRACT,
                "amount": 10**18 + i,
                "price": 3_000 * 10**6,
                "expiry": 1_800_000_000,
                "salt": i.to_bytes(32, "big"),
            },
        }
        for i in range(n)
    ]


def _typed_texts(n: int) -> list[str]:
    """The order documents as the JSON text a wallet or the signer service receives."""
    return [
        json.dumps(
            {**doc, "message": {**doc["message"], "salt": "0x" + doc["message"]["salt"].hex()}}
        )
        for doc in _typed_documents(n)
    ]


#: How the documents reach the signer: the case name and the inputs.
TYPED_FORMS: dict[str, tuple[str, Callable[[int], list[Any]]]] = {
    "fresh": ("sign_typed_data (EIP-712 order)", _typed_documents),
    "template": (
        "sign_typed_data (EIP-712 order, one template)",
        lambda n: _typed_documents(n, template=True),
    ),
    "text": ("sign_typed_data (EIP-712 order, from JSON text)", _typed_texts),
}


@pytest.mark.parametrize("form", sorted(TYPED_FORMS))
@pytest.mark.parametrize("n", SIZES)
def test_sign_typed_data_tpcore(benchmark, n: int, form: str) -> None:
    case, inputs = TYPED_FORMS[form]
    documents, key = inputs(n), sign.PrivateKey.from_bytes(SECRET)
    targets = {"eth-account": 25.0} if n == 10_000 else None
    signed = measure(
        benchmark,
        eth.sign_typed_data_batch,
        documents,
        key,
        case=case,
        impl="tpcore",
        n=n,
        peer=False,
        targets=targets,
    )
    assert len(signed) == n


@pytest.mark.parametrize("form", sorted(TYPED_FORMS))
@pytest.mark.parametrize("n", SIZES)
def test_sign_typed_data_eth_account(benchmark, n: int, form: str) -> None:
    """eth-account on the same inputs (text goes through ``json.loads`` first)."""
    case, inputs = TYPED_FORMS[form]
    documents, account = inputs(n), Account.from_key(SECRET)
    read = json.loads if form == "text" else (lambda doc: doc)

    def loop() -> list[object]:
        return [account.sign_typed_data(full_message=read(doc)) for doc in documents]

    rounds = 1 if n == 10_000 else None
    measure(benchmark, loop, case=case, impl="eth-account", n=n, peer=True, rounds=rounds)


def _multicall_return(calls: int) -> bytes:
    # aggregate3's return: (bool success, bytes returnData)[] with balanceOf-sized results.
    results = [(i % 7 != 0, (10**18 * i).to_bytes(32, "big")) for i in range(calls)]
    return eth_abi.encode(["(bool,bytes)[]"], [results])


MULTICALL_TYPES = ["(bool,bytes)[]"]


@pytest.mark.parametrize("calls", [10, 100, 1_000])
def test_abi_decode_multicall_tpcore(benchmark, calls: int) -> None:
    data = _multicall_return(calls)
    decoded = measure(
        benchmark,
        eth.abi_decode,
        MULTICALL_TYPES,
        data,
        case="abi_decode (multicall return, per call)",
        impl="tpcore",
        n=calls,
        peer=False,
        targets={"eth-abi": 10.0} if calls == 100 else None,
    )
    assert decoded == eth_abi.decode(MULTICALL_TYPES, data)


@pytest.mark.parametrize("calls", [10, 100, 1_000])
def test_abi_decode_multicall_eth_abi(benchmark, calls: int) -> None:
    data = _multicall_return(calls)
    measure(
        benchmark,
        eth_abi.decode,
        MULTICALL_TYPES,
        data,
        case="abi_decode (multicall return, per call)",
        impl="eth-abi",
        n=calls,
        peer=True,
    )
