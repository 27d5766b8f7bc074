"""``sign_transactions`` over batches read and signed in chunks (64 rows, growing to 512).

A bad row in any chunk, early or late, raises ``InvalidInput`` naming its index; with several
bad rows, in the same chunk or not, the lowest index is the one raised, whichever stage
(reading the dict, checking ``from``, signing) finds it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from eth_account import Account

from tpcore import InvalidInput, eth, sign

SECRET = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
SENDER = Account.from_key(SECRET).address
OTHER = "0x3535353535353535353535353535353535353535"
N = 10_000
#: First, last of the first chunk, first of the second, a middle chunk, the last row.
INDICES = [0, 63, 64, 700, N - 1]


def _tx(nonce: int) -> dict[str, Any]:
    return {
        "type": 2,
        "chainId": 1,
        "nonce": nonce,
        "maxFeePerGas": 2 * 10**10,
        "maxPriorityFeePerGas": 10**9,
        "gas": 21_000,
        "to": OTHER,
        "value": nonce,
        "from": SENDER,
    }


def _txs(n: int = N) -> list[dict[str, Any]]:
    return [_tx(nonce) for nonce in range(n)]


def _make_bad(txs: list[dict[str, Any]], rows: list[bytes], kind: str, index: int) -> str:
    """Spoils row ``index`` in the way ``kind`` names; returns the expected reason."""
    if kind == "unreadable dict":
        txs[index]["nonce"] = -1
        return "invalid_field"
    if kind == "not a dict":
        txs[index] = "tx"  # type: ignore[call-overload]
        return "invalid_transaction"
    if kind == "unresolvable":
        txs[index]["gasPrice"] = 1
        return "invalid_field"
    if kind == "wrong from":
        txs[index]["from"] = OTHER
        return "invalid_field"
    assert kind == "zero key"
    rows[index] = bytes(32)
    return "invalid_secret_key"


KINDS = ["unreadable dict", "not a dict", "unresolvable", "wrong from", "zero key"]


def _raise(txs: list[Any], keys: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        eth.sign_transactions(txs, keys)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize("index", INDICES)
@pytest.mark.parametrize("kind", KINDS)
def test_one_bad_row_in_any_chunk_names_its_index(kind: str, index: int) -> None:
    txs, rows = _txs(), [SECRET] * N
    reason = _make_bad(txs, rows, kind, index)
    forms: list[object] = [rows]
    if kind != "zero key":
        forms += [SECRET, sign.PrivateKey.from_bytes(SECRET)]
    for keys in forms:
        error = _raise(txs, keys)
        assert (error.index, error.reason) == (index, reason), kind
        assert str(error).startswith(f"item {index}: ")
        assert SECRET.hex() not in str(error)


@pytest.mark.parametrize(
    "bad",
    [
        [(64, "zero key"), (700, "wrong from"), (N - 1, "unreadable dict")],
        [(63, "wrong from"), (64, "unreadable dict")],
        [(64, "unreadable dict"), (65, "wrong from"), (66, "zero key")],
        [(700, "unresolvable"), (701, "not a dict"), (9_000, "zero key")],
        [(5_000, "unreadable dict"), (4_999, "zero key")],
        [(N - 1, "wrong from"), (N - 2, "unresolvable")],
    ],
    ids=str,
)
def test_several_bad_rows_raise_the_lowest(bad: list[tuple[int, str]]) -> None:
    txs, rows = _txs(), [SECRET] * N
    reasons = {index: _make_bad(txs, rows, kind, index) for index, kind in bad}
    lowest = min(reasons)
    error = _raise(txs, rows)
    assert (error.index, error.reason) == (lowest, reasons[lowest])


def test_a_row_failing_two_ways_raises_its_transaction_error_first() -> None:
    """As for one transaction: the request is checked before the key and the ``from``."""
    txs, rows = _txs(1_000), [SECRET] * 1_000
    txs[700]["gasPrice"] = 1
    txs[700]["from"] = OTHER
    rows[700] = bytes(32)
    error = _raise(txs, rows)
    assert (error.index, error.reason) == (700, "invalid_field")
    assert "gasPrice" in str(error)


@pytest.mark.parametrize("first_readable", [True, False])
def test_invalid_broadcast_key_in_a_large_batch(first_readable: bool) -> None:
    txs = _txs(1_000)
    txs[500]["nonce"] = -1
    if not first_readable:
        txs[0]["nonce"] = -1
    error = _raise(txs, bytes(32))
    reason = "invalid_secret_key" if first_readable else "invalid_field"
    assert (error.index, error.reason) == (0, reason)


@pytest.mark.parametrize("n", [65, 200, 1_500])
def test_results_equal_one_by_one_signing(n: int) -> None:
    """Batches over several chunks, every transaction type, with and without ``from``."""
    kinds: list[dict[str, Any]] = [
        {"type": 2},
        {"type": 0, "gasPrice": 10**9, "maxFeePerGas": None, "maxPriorityFeePerGas": None},
        {"type": 1, "gasPrice": 10**9, "maxFeePerGas": None, "maxPriorityFeePerGas": None},
        {"from": None, "data": b"\x01\x02"},
    ]
    txs = []
    for nonce in range(n):
        tx = _tx(nonce) | kinds[nonce % len(kinds)]
        txs.append({k: v for k, v in tx.items() if v is not None})
    secrets = [bytes([1 + i % 200]) * 32 for i in range(n)]
    for tx, secret in zip(txs, secrets, strict=True):
        if "from" in tx:
            tx["from"] = Account.from_key(secret).address
    array = np.frombuffer(b"".join(secrets), dtype=np.uint8).reshape(n, 32)

    def fields(signed: Any) -> tuple[Any, ...]:
        return (signed.raw_transaction, signed.hash, signed.r, signed.s, signed.v)

    one_by_one = [fields(eth.sign_transaction(tx, s)) for tx, s in zip(txs, secrets, strict=True)]
    assert [fields(s) for s in eth.sign_transactions(txs, secrets)] == one_by_one
    assert [fields(s) for s in eth.sign_transactions(txs, array)] == one_by_one
    broadcast = [{k: v for k, v in tx.items() if k != "from"} for tx in txs]
    expected = [fields(eth.sign_transaction(tx, SECRET)) for tx in broadcast]
    assert [fields(s) for s in eth.sign_transactions(broadcast, SECRET)] == expected


def test_addresses_repeated_across_rows_are_checked_on_each_text() -> None:
    """``to`` and ``from`` shared by consecutive rows, then a bad checksum of the same address."""
    good = "0x09616C3d61b3331fc4109a9E41a8BDB7d9776609"
    forms = [good, good.lower(), bytes.fromhex(good[2:]), good]
    txs = _txs(300)
    for i, tx in enumerate(txs):
        tx["to"] = forms[(i // 50) % len(forms)]
        if i % 3 == 0:
            tx["from"] = SENDER.lower()
    expected = [eth.sign_transaction(tx, SECRET).raw_transaction for tx in txs]
    assert [s.raw_transaction for s in eth.sign_transactions(txs, SECRET)] == expected
    txs[170]["to"] = good.replace("C3d", "c3d")
    error = _raise(txs, SECRET)
    assert (error.index, error.reason) == (170, "invalid_field")
    assert str(error).startswith("item 170: to: ")
    txs[170]["to"] = good
    letter = next(i for i, c in enumerate(SENDER) if i > 1 and c.isalpha())
    txs[171]["from"] = SENDER[:letter] + SENDER[letter].swapcase() + SENDER[letter + 1 :]
    error = _raise(txs, SECRET)
    assert (error.index, error.reason) == (171, "invalid_field")
    assert str(error).startswith("item 171: from: ")
