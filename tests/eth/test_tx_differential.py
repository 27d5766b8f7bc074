"""Differential: tpcore's transaction signing against eth-account's, on a random corpus.

The corpus (``conftest.cases``) holds 2,240 seeded random transactions of every kind: legacy
with and without a chain id, EIP-2930 with empty and non-empty access lists, EIP-1559 with
and without one, contract creations and EIP-7702 set-code transactions whose authorizations
eth-account signed. Values reach 2**256 - 1, nonces and gas 2**64 - 1, fees 2**128 - 1; data
is 0 to 200 bytes; quantities are ints or hex strings and addresses checksum, lowercase or
bytes. Every raw transaction, hash, r, s and v must be identical to eth-account's, and the
batch signer must agree with the scalar one for every form of ``keys``.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from eth_account.datastructures import SignedTransaction as EthAccountSigned
from eth_helpers import KINDS, MAX_CHAIN_ID, Case

from tpcore import eth, sign

#: The key for the "one key for every transaction" batch.
ONE_SECRET = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")


def _fields(signed: eth.SignedTransaction) -> tuple[bytes, bytes, int, int, int]:
    return (signed.raw_transaction, signed.hash, signed.r, signed.s, signed.v)


def _their_fields(signed: EthAccountSigned) -> tuple[bytes, bytes, int, int, int]:
    return (bytes(signed.raw_transaction), bytes(signed.hash), signed.r, signed.s, signed.v)


def _to_form(tx: dict[str, object]) -> str:
    if "to" not in tx:
        return "absent"
    to = tx["to"]
    if to is None:
        return "None"
    if isinstance(to, bytes):
        return "bytes" if to else "empty bytes"
    assert isinstance(to, str)
    if not to:
        return "empty string"
    return "lowercase" if to == to.lower() else "checksum"


def test_the_corpus_covers_every_kind_and_form(cases: list[Case]) -> None:
    """Guards the differential below against a generator that stopped varying things."""
    assert len(cases) >= 2000
    assert Counter(case.kind for case in cases).keys() == set(KINDS)
    assert Counter(case.expected["type"] for case in cases).keys() == {0, 1, 2, 4}
    expected = [case.expected for case in cases]
    txs = [case.tx for case in cases]
    assert any(e["value"] == 2**256 - 1 for e in expected)
    assert any(e["nonce"] == 2**64 - 1 for e in expected)
    assert any(e["gas"] == 2**64 - 1 for e in expected)
    assert any(e.get("gasPrice") == 2**128 - 1 for e in expected)
    assert any(e.get("maxFeePerGas") == 2**128 - 1 for e in expected)
    assert any(e.get("chainId") == MAX_CHAIN_ID for e in expected)
    assert any(e["type"] == 0 and "chainId" not in e for e in expected)
    assert any(e["type"] == 0 and "chainId" in e for e in expected)
    assert {len(e["data"]) for e in expected} >= {0, 200}
    assert any("to" not in e for e in expected if e["type"] == 2)
    assert any(e.get("accessList") == [] for e in expected if e["type"] == 1)
    assert any(len(e.get("accessList", [])) >= 2 for e in expected if e["type"] == 2)
    assert any(len(item["storageKeys"]) == 5 for e in expected for item in e.get("accessList", []))
    assert any(len(e.get("authorizationList", [])) == 3 for e in expected)
    assert any(auth["chainId"] == 0 for e in expected for auth in e.get("authorizationList", []))
    assert {_to_form(tx) for tx in txs} == {
        "absent",
        "None",
        "empty string",
        "empty bytes",
        "bytes",
        "lowercase",
        "checksum",
    }
    assert any(isinstance(tx["value"], str) for tx in txs)
    assert any(isinstance(tx["nonce"], int) for tx in txs)
    assert any(isinstance(tx.get("type"), str) for tx in txs)
    assert any("type" not in tx for tx in txs if tx.get("authorizationList"))


def test_sign_transaction_matches_eth_account(
    cases: list[Case], eth_account_signed: list[EthAccountSigned]
) -> None:
    mismatches = []
    for i, (case, theirs) in enumerate(zip(cases, eth_account_signed, strict=True)):
        key = sign.PrivateKey.from_bytes(case.secret) if i % 2 else case.secret
        if _fields(eth.sign_transaction(case.tx, key)) != _their_fields(theirs):
            mismatches.append((i, case.kind, case.tx))
    assert mismatches == []


def test_sign_transactions_with_a_key_per_transaction(
    cases: list[Case], eth_account_signed: list[EthAccountSigned]
) -> None:
    """(b) a list of ``PrivateKey``, a list of bytes and (c) an ``(N, 32)`` uint8 array."""
    txs = [case.tx for case in cases]
    expected = [_their_fields(signed) for signed in eth_account_signed]
    keys = [sign.PrivateKey.from_bytes(case.secret) for case in cases]
    secrets = [case.secret for case in cases]
    array = np.frombuffer(b"".join(secrets), dtype=np.uint8).reshape(len(cases), 32)
    for form in (keys, secrets, tuple(secrets), array):
        assert [_fields(s) for s in eth.sign_transactions(txs, form)] == expected


def test_sign_transactions_with_one_key(cases: list[Case]) -> None:
    """(a) one key for every transaction: a ``PrivateKey``, 32 bytes or a ``(32,)`` row."""
    txs = [case.tx for case in cases]
    expected = [_fields(eth.sign_transaction(tx, ONE_SECRET)) for tx in txs]
    for form in (
        sign.PrivateKey.from_bytes(ONE_SECRET),
        ONE_SECRET,
        np.frombuffer(ONE_SECRET, dtype=np.uint8),
    ):
        assert [_fields(s) for s in eth.sign_transactions(txs, form)] == expected


@pytest.mark.parametrize("size", [0, 1, 2, 7, 8, 9, 16, 17, 100])
def test_batch_sizes_around_the_serial_threshold(
    cases: list[Case], eth_account_signed: list[EthAccountSigned], size: int
) -> None:
    """Batches of up to 8 run on the calling thread, larger ones on the pool; same results."""
    part = cases[-size:] if size else []
    expected = [_their_fields(s) for s in eth_account_signed[-size:]] if size else []
    txs = [case.tx for case in part]
    keys = [case.secret for case in part]
    assert [_fields(s) for s in eth.sign_transactions(txs, keys)] == expected
    one = [_fields(eth.sign_transaction(tx, ONE_SECRET)) for tx in txs]
    assert [_fields(s) for s in eth.sign_transactions(txs, ONE_SECRET)] == one
