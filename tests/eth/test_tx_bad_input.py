"""Bad transactions and bad keys for ``sign_transaction`` and ``sign_transactions``.

A bad field raises ``InvalidInput`` with reason ``"invalid_field"`` and a message that starts
with the field as the caller wrote it (``"maxFeePerGas: ..."``, ``"accessList[1].storageKeys[1]:
..."``); in a batch the message is prefixed ``"item i: "`` and ``index`` is the first bad
transaction. No message ever contains the signing secret.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from eth_account import Account
from eth_helpers import MAX_CHAIN_ID, SECP256K1_N

from tpcore import InvalidInput, eth, sign

SECRET = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
SENDER = Account.from_key(SECRET).address
ADDRESS = "0x09616C3d61b3331fc4109a9E41a8BDB7d9776609"
#: ADDRESS with the case of one letter flipped: a wrong EIP-55 checksum.
BAD_CHECKSUM = ADDRESS.replace("C3d", "c3d")
OTHER = "0x3535353535353535353535353535353535353535"
KEY_HEX = "0x" + "11" * 32
AUTHORIZATION = {
    "chainId": 1,
    "address": OTHER,
    "nonce": 0,
    "yParity": 1,
    "r": 2**200,
    "s": 2**100,
}

#: A valid transaction of each type; the cases below change one thing.
BASES: dict[int, dict[str, Any]] = {
    0: {"nonce": 1, "gasPrice": 10, "gas": 21000, "to": ADDRESS, "value": 1, "chainId": 1},
    1: {
        "type": 1,
        "chainId": 1,
        "nonce": 1,
        "gasPrice": 10,
        "gas": 21000,
        "to": ADDRESS,
        "accessList": [{"address": OTHER, "storageKeys": [KEY_HEX]}],
    },
    2: {
        "type": 2,
        "chainId": 1,
        "nonce": 1,
        "maxFeePerGas": 10,
        "maxPriorityFeePerGas": 1,
        "gas": 21000,
        "to": ADDRESS,
        "data": "0xabcd",
    },
    4: {
        "type": 4,
        "chainId": 1,
        "nonce": 1,
        "maxFeePerGas": 10,
        "maxPriorityFeePerGas": 1,
        "gas": 21000,
        "to": ADDRESS,
        "authorizationList": [AUTHORIZATION],
    },
}

REMOVE = object()


def _tx(base: int, changes: dict[Any, Any]) -> dict[Any, Any]:
    tx = dict(BASES[base])
    for key, value in changes.items():
        if value is REMOVE:
            del tx[key]
        else:
            tx[key] = value
    return tx


def _auth(**changes: Any) -> dict[str, Any]:
    auth = dict(AUTHORIZATION)
    for key, value in changes.items():
        if value is REMOVE:
            del auth[key]
        else:
            auth[key] = value
    return auth


#: ``(id, base type, changes, field the message must start with)``.
BAD_FIELDS: list[tuple[str, int, dict[Any, Any], str]] = [
    # unknown and missing fields
    ("unknown field", 2, {"foo": 1}, "foo"),
    ("web3 gasLimit is not eth-account's gas", 0, {"gasLimit": 1}, "gasLimit"),
    ("non-string key", 0, {1: 1}, "1"),
    ("missing nonce", 0, {"nonce": REMOVE}, "nonce"),
    ("None nonce is missing", 2, {"nonce": None}, "nonce"),
    ("missing gas", 2, {"gas": REMOVE}, "gas"),
    ("missing gasPrice", 0, {"gasPrice": REMOVE}, "gasPrice"),
    ("missing maxFeePerGas", 2, {"maxFeePerGas": REMOVE}, "maxFeePerGas"),
    ("missing maxPriorityFeePerGas", 2, {"maxPriorityFeePerGas": REMOVE}, "maxPriorityFeePerGas"),
    ("missing chainId type 1", 1, {"chainId": REMOVE}, "chainId"),
    ("missing chainId type 2", 2, {"chainId": REMOVE}, "chainId"),
    ("missing chainId type 4", 4, {"chainId": REMOVE}, "chainId"),
    # out of range
    ("negative nonce", 0, {"nonce": -1}, "nonce"),
    ("nonce 2**64", 0, {"nonce": 2**64}, "nonce"),
    ("hex nonce 2**64", 2, {"nonce": hex(2**64)}, "nonce"),
    ("negative gas", 2, {"gas": -1}, "gas"),
    ("gas 2**64", 2, {"gas": 2**64}, "gas"),
    ("gasPrice 2**128", 0, {"gasPrice": 2**128}, "gasPrice"),
    ("negative gasPrice", 1, {"gasPrice": -5}, "gasPrice"),
    ("maxFeePerGas 2**128", 2, {"maxFeePerGas": 2**128}, "maxFeePerGas"),
    ("maxPriorityFeePerGas 2**128", 4, {"maxPriorityFeePerGas": 2**128}, "maxPriorityFeePerGas"),
    ("priority fee above max fee", 2, {"maxPriorityFeePerGas": 11}, "maxPriorityFeePerGas"),
    ("value 2**256", 0, {"value": 2**256}, "value"),
    ("hex value 2**256", 2, {"value": hex(2**256)}, "value"),
    ("negative value", 2, {"value": -1}, "value"),
    ("chainId 2**64", 2, {"chainId": 2**64}, "chainId"),
    ("legacy chainId above EIP-2294", 0, {"chainId": MAX_CHAIN_ID + 1}, "chainId"),
    ("typed chainId above EIP-2294", 1, {"chainId": MAX_CHAIN_ID + 1}, "chainId"),
    # fields the type does not have
    ("gasPrice in type 2", 2, {"gasPrice": 1}, "gasPrice"),
    ("gasPrice in type 4", 4, {"gasPrice": 1}, "gasPrice"),
    ("maxFeePerGas in type 0", 0, {"type": 0, "maxFeePerGas": 1}, "maxFeePerGas"),
    ("maxFeePerGas in type 1", 1, {"maxFeePerGas": 1}, "maxFeePerGas"),
    (
        "maxPriorityFeePerGas in type 0",
        0,
        {"type": 0, "maxPriorityFeePerGas": 1},
        "maxPriorityFeePerGas",
    ),
    ("accessList in type 0", 0, {"type": 0, "accessList": []}, "accessList"),
    ("authorizationList in type 2", 2, {"authorizationList": [AUTHORIZATION]}, "authorizationList"),
    ("authorizationList in type 1", 1, {"authorizationList": [AUTHORIZATION]}, "authorizationList"),
    # type 4 needs a recipient and authorizations
    ("type 4 without to", 4, {"to": REMOVE}, "to"),
    ("type 4 with to None", 4, {"to": None}, "to"),
    ("type 4 with empty to", 4, {"to": ""}, "to"),
    ("type 4 without authorizationList", 4, {"authorizationList": REMOVE}, "authorizationList"),
    ("type 4 with empty authorizationList", 4, {"authorizationList": []}, "authorizationList"),
    # type
    ("type 3 (blob)", 2, {"type": 3}, "type"),
    ("type 5", 2, {"type": 5}, "type"),
    ("type 0x7", 2, {"type": "0x7"}, "type"),
    ("type 256", 2, {"type": 256}, "type"),
    ("type -1", 2, {"type": -1}, "type"),
    ("type decimal string", 2, {"type": "2"}, "type"),
    ("type bool", 2, {"type": True}, "type"),
    ("type float", 2, {"type": 2.0}, "type"),
    # to
    ("to with a wrong checksum", 0, {"to": BAD_CHECKSUM}, "to"),
    ("to with 39 digits", 0, {"to": ADDRESS[:-1]}, "to"),
    ("to with 41 digits", 2, {"to": ADDRESS + "0"}, "to"),
    ("to not hex", 2, {"to": "0x" + "g" * 40}, "to"),
    ("to without 0x", 2, {"to": ADDRESS[2:]}, "to"),
    ("to just 0x", 2, {"to": "0x"}, "to"),
    ("to 19 bytes", 0, {"to": b"\x01" * 19}, "to"),
    ("to 21 bytes", 2, {"to": b"\x01" * 21}, "to"),
    ("to int", 2, {"to": 5}, "to"),
    ("to True", 2, {"to": True}, "to"),
    # data
    ("data not hex", 0, {"data": "0xzz"}, "data"),
    ("data odd length", 2, {"data": "0xabc"}, "data"),
    ("data without 0x", 2, {"data": "abcd"}, "data"),
    ("data int", 2, {"data": 5}, "data"),
    ("data list", 2, {"data": [1, 2]}, "data"),
    # accessList
    ("accessList a string", 1, {"accessList": "0x"}, "accessList"),
    ("accessList an int", 2, {"accessList": 5}, "accessList"),
    ("accessList a dict", 1, {"accessList": {"address": OTHER, "storageKeys": []}}, "accessList"),
    ("accessList entry not a dict", 1, {"accessList": [OTHER]}, "accessList[0]"),
    (
        "accessList second entry not a dict",
        2,
        {"accessList": [{"address": OTHER}, 5]},
        "accessList[1]",
    ),
    (
        "accessList entry without address",
        1,
        {"accessList": [{"storageKeys": []}]},
        "accessList[0].address",
    ),
    (
        "accessList entry with a bad checksum",
        2,
        {"accessList": [{"address": BAD_CHECKSUM}]},
        "accessList[0].address",
    ),
    (
        "accessList storageKeys a string",
        1,
        {"accessList": [{"address": OTHER, "storageKeys": KEY_HEX}]},
        "accessList[0].storageKeys",
    ),
    (
        "accessList storage key of 31 bytes",
        1,
        {
            "accessList": [
                {"address": OTHER, "storageKeys": [KEY_HEX]},
                {"address": OTHER, "storageKeys": [KEY_HEX, "0x" + "11" * 31]},
            ]
        },
        "accessList[1].storageKeys[1]",
    ),
    (
        "accessList storage key of 33 bytes",
        2,
        {"accessList": [{"address": OTHER, "storageKeys": [b"\x11" * 33]}]},
        "accessList[0].storageKeys[0]",
    ),
    (
        "accessList storage key not hex",
        2,
        {"accessList": [{"address": OTHER, "storageKeys": ["0x" + "zz" * 32]}]},
        "accessList[0].storageKeys[0]",
    ),
    # authorizationList
    ("authorizationList a dict", 4, {"authorizationList": AUTHORIZATION}, "authorizationList"),
    ("authorizationList a string", 4, {"authorizationList": "0x"}, "authorizationList"),
    ("authorization not a dict", 4, {"authorizationList": [5]}, "authorizationList[0]"),
    *[
        (
            f"authorization without {key}",
            4,
            {"authorizationList": [AUTHORIZATION, _auth(**{key: REMOVE})]},
            f"authorizationList[1].{key}",
        )
        for key in AUTHORIZATION
    ],
    (
        "authorization nonce 2**64",
        4,
        {"authorizationList": [_auth(nonce=2**64)]},
        "authorizationList[0].nonce",
    ),
    (
        "authorization yParity 256",
        4,
        {"authorizationList": [_auth(yParity=256)]},
        "authorizationList[0].yParity",
    ),
    (
        "authorization r 2**256",
        4,
        {"authorizationList": [_auth(r=2**256)]},
        "authorizationList[0].r",
    ),
    ("authorization negative s", 4, {"authorizationList": [_auth(s=-1)]}, "authorizationList[0].s"),
    (
        "authorization chainId 2**256",
        4,
        {"authorizationList": [_auth(chainId=2**256)]},
        "authorizationList[0].chainId",
    ),
    (
        "authorization address with a bad checksum",
        4,
        {"authorizationList": [_auth(address=BAD_CHECKSUM)]},
        "authorizationList[0].address",
    ),
    # from
    ("from another address", 0, {"from": OTHER}, "from"),
    ("from another address, typed", 4, {"from": OTHER}, "from"),
    ("from with a bad checksum", 2, {"from": BAD_CHECKSUM}, "from"),
    ("from not an address", 2, {"from": "0x12"}, "from"),
    ("from an int", 2, {"from": 5}, "from"),
    # wrong Python types for quantities
    ("bool nonce", 0, {"nonce": True}, "nonce"),
    ("bool gas", 2, {"gas": False}, "gas"),
    ("bool value", 2, {"value": True}, "value"),
    ("bool chainId", 2, {"chainId": True}, "chainId"),
    ("bool gasPrice", 0, {"gasPrice": False}, "gasPrice"),
    ("bool maxFeePerGas", 4, {"maxFeePerGas": True}, "maxFeePerGas"),
    ("float nonce", 0, {"nonce": 1.0}, "nonce"),
    ("float value", 2, {"value": 1e18}, "value"),
    ("bytes nonce", 2, {"nonce": b"\x01"}, "nonce"),
    ("numpy nonce", 2, {"nonce": np.uint64(1)}, "nonce"),
    ("decimal string value", 2, {"value": "100"}, "value"),
    ("hex string with a sign", 2, {"value": "0x-1"}, "value"),
    ("hex string with spaces", 2, {"gas": " 0x5208"}, "gas"),
    ("hex string not hex", 2, {"gas": "0xgg"}, "gas"),
]

_IDS = [case[0] for case in BAD_FIELDS]


def _secret_texts(secret: bytes) -> list[str]:
    """The ways a secret could leak into text."""
    return [secret.hex(), secret.hex().upper(), repr(secret), str(int.from_bytes(secret, "big"))]


def _assert_no_secret(error: BaseException, secret: bytes = SECRET) -> None:
    texts = [str(error), repr(error), *map(str, error.args)]
    for text in texts:
        for leak in _secret_texts(secret):
            assert leak not in text


def test_the_bases_are_good() -> None:
    """Every case departs from a valid transaction, with or without a matching ``from``."""
    for base in BASES.values():
        signed = eth.sign_transaction(base, SECRET)
        assert eth.recover_sender(signed.raw_transaction) == SENDER
        assert eth.sign_transaction({**base, "from": SENDER}, SECRET).hash == signed.hash


@pytest.mark.parametrize(("base", "changes", "field"), [c[1:] for c in BAD_FIELDS], ids=_IDS)
def test_bad_field(base: int, changes: dict[Any, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_transaction(_tx(base, changes), SECRET)
    assert info.value.reason == "invalid_field"
    assert info.value.index is None
    assert str(info.value).startswith(f"{field}: "), str(info.value)
    _assert_no_secret(info.value)


#: A transaction whose fields read well but that its type refuses (found when resolving).
UNRESOLVABLE = _tx(2, {"gasPrice": 1})
#: A transaction with a field that does not read (found when reading the dict).
UNREADABLE = _tx(2, {"nonce": -1})


@pytest.mark.parametrize(("base", "changes", "field"), [c[1:] for c in BAD_FIELDS], ids=_IDS)
def test_bad_field_in_a_batch_reports_its_index(
    base: int, changes: dict[Any, Any], field: str
) -> None:
    """One bad transaction, at 7 of 20, whatever the form of the keys."""
    txs = [dict(BASES[i % 3]) for i in range(20)]
    txs[7] = _tx(base, changes)
    secrets = np.frombuffer(SECRET * 20, dtype=np.uint8).reshape(20, 32)
    for keys in (SECRET, [SECRET] * 20, secrets):
        with pytest.raises(InvalidInput) as info:
            eth.sign_transactions(txs, keys)
        assert info.value.reason == "invalid_field"
        assert info.value.index == 7
        assert str(info.value).startswith(f"item 7: {field}: "), str(info.value)
        _assert_no_secret(info.value)


@pytest.mark.parametrize(("base", "changes", "field"), [c[1:] for c in BAD_FIELDS], ids=_IDS)
def test_bad_field_in_a_batch_is_reported_before_a_later_one(
    base: int, changes: dict[Any, Any], field: str
) -> None:
    """Bad transactions at 7 and 12 of 20: the error is the one at 7.

    Row 12 is a type-2 transaction with a ``gasPrice``: refused when resolving, after every
    dict was read. (A row 12 refused while reading is ``test_first_bad_index_across_stages``.)
    """
    txs = [dict(BASES[i % 3]) for i in range(20)]
    txs[7] = _tx(base, changes)
    txs[12] = UNRESOLVABLE
    secrets = np.frombuffer(SECRET * 20, dtype=np.uint8).reshape(20, 32)
    for keys in (SECRET, [SECRET] * 20, secrets):
        with pytest.raises(InvalidInput) as info:
            eth.sign_transactions(txs, keys)
        assert info.value.reason == "invalid_field"
        assert info.value.index == 7
        assert str(info.value).startswith(f"item 7: {field}: "), str(info.value)
        _assert_no_secret(info.value)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (UNRESOLVABLE, "invalid_field"),
        (_tx(1, {"chainId": REMOVE}), "invalid_field"),
        (_tx(0, {"from": OTHER}), "invalid_field"),
        (None, "invalid_secret_key"),
    ],
    ids=["gasPrice in type 2", "missing chainId", "from mismatch", "zero key row"],
)
def test_first_bad_index_across_stages(bad: dict[str, Any] | None, reason: str) -> None:
    txs = [dict(BASES[2]) for _ in range(20)]
    rows = [SECRET] * 20
    if bad is None:
        rows[7] = bytes(32)
    else:
        txs[7] = bad
    txs[12] = UNREADABLE
    with pytest.raises(InvalidInput) as info:
        eth.sign_transactions(txs, rows)
    assert (info.value.index, info.value.reason) == (7, reason)


def test_batch_error_survives_pickling() -> None:
    txs = [dict(BASES[2]) for _ in range(20)]
    txs[7] = _tx(2, {"gas": 2**64})
    with pytest.raises(InvalidInput) as info:
        eth.sign_transactions(txs, SECRET)
    copy = pickle.loads(pickle.dumps(info.value))
    assert (type(copy), str(copy), copy.reason, copy.index) == (
        InvalidInput,
        str(info.value),
        "invalid_field",
        7,
    )
    assert isinstance(copy, ValueError)


# --- not a transaction at all ---------------------------------------------------------------

NOT_DICTS = [None, [], [("nonce", 1)], "tx", b"", 5, ("nonce", 1)]


@pytest.mark.parametrize("tx", NOT_DICTS, ids=repr)
def test_a_transaction_must_be_a_dict(tx: object) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_transaction(tx, SECRET)  # type: ignore[arg-type]
    assert info.value.reason == "invalid_transaction"
    assert info.value.index is None
    assert "dict" in str(info.value)


@pytest.mark.parametrize("tx", NOT_DICTS, ids=repr)
def test_a_non_dict_in_a_batch_reports_its_index(tx: object) -> None:
    txs: list[Any] = [dict(BASES[0]) for _ in range(20)]
    txs[7] = tx
    with pytest.raises(InvalidInput) as info:
        eth.sign_transactions(txs, SECRET)
    assert info.value.reason == "invalid_transaction"
    assert info.value.index == 7
    assert str(info.value).startswith("item 7: ")


@pytest.mark.parametrize("txs", [BASES[0], "txs", 5, None, iter([BASES[0]])], ids=repr)
def test_the_batch_must_be_a_sequence(txs: object) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_transactions(txs, SECRET)  # type: ignore[arg-type]
    assert info.value.index is None
    assert str(info.value).startswith("transactions: ")


# --- bad keys -------------------------------------------------------------------------------

#: Secrets that are 32 bytes but not a valid secp256k1 scalar.
INVALID_SECRETS = [b"\x00" * 32, SECP256K1_N.to_bytes(32, "big"), b"\xff" * 32]


@pytest.mark.parametrize("key", [b"", b"\x01" * 31, SECRET + b"\x01", SECRET * 2])
def test_key_of_the_wrong_length(key: bytes) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_transaction(BASES[2], key)
    assert info.value.reason == "invalid_key"
    assert info.value.index is None
    assert str(info.value).startswith("key: ")
    if key:
        _assert_no_secret(info.value, key)
    _assert_no_secret(info.value)


@pytest.mark.parametrize("key", [None, 5, 1.5, object()])
def test_key_of_the_wrong_type(key: object) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_transaction(BASES[2], key)  # type: ignore[arg-type]
    assert info.value.reason == "invalid_key"
    assert info.value.index is None
    assert "key" in str(info.value)


@pytest.mark.parametrize(
    "key", ["0x" + SECRET.hex(), bytearray(SECRET)], ids=["hex str", "bytearray"]
)
def test_key_as_hex_string_or_bytearray_is_an_invalid_key(key: object) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_transaction(BASES[2], key)  # type: ignore[arg-type]
    assert info.value.reason == "invalid_key"
    assert str(info.value).startswith("key: ")


@pytest.mark.parametrize("secret", INVALID_SECRETS, ids=["zero", "n", "2**256-1"])
def test_invalid_secret(secret: bytes) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_transaction(BASES[2], secret)
    assert info.value.reason == "invalid_secret_key"
    assert info.value.index is None
    _assert_no_secret(info.value, secret)


@pytest.mark.parametrize("secret", INVALID_SECRETS, ids=["zero", "n", "2**256-1"])
def test_invalid_secret_in_a_batch_reports_its_row(secret: bytes) -> None:
    txs = [dict(BASES[i % 3]) for i in range(20)]
    txs[7]["from"] = SENDER
    rows = [SECRET] * 20
    rows[7] = rows[12] = secret
    array = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(20, 32)
    for keys in (rows, array):
        with pytest.raises(InvalidInput) as info:
            eth.sign_transactions(txs, keys)
        assert info.value.reason == "invalid_secret_key"
        assert info.value.index == 7
        assert str(info.value).startswith("item 7: ")
        _assert_no_secret(info.value, secret)
        _assert_no_secret(info.value)


@pytest.mark.parametrize("secret", INVALID_SECRETS, ids=["zero", "n", "2**256-1"])
def test_invalid_broadcast_secret_is_reported_at_row_0(secret: bytes) -> None:
    txs = [dict(BASES[2]) for _ in range(20)]
    for keys in (secret, np.frombuffer(secret, dtype=np.uint8)):
        with pytest.raises(InvalidInput) as info:
            eth.sign_transactions(txs, keys)
        assert info.value.reason == "invalid_secret_key"
        assert info.value.index == 0


def test_key_of_the_wrong_kind_in_a_list_names_its_row() -> None:
    keys: list[Any] = [SECRET] * 20
    keys[7] = SECRET[:31]
    with pytest.raises(InvalidInput) as info:
        eth.sign_transactions([dict(BASES[2]) for _ in range(20)], keys)
    assert info.value.reason == "invalid_key"
    assert str(info.value).startswith("keys[7]: ")
    _assert_no_secret(info.value)
    _assert_no_secret(info.value, SECRET[:31])


@pytest.mark.parametrize(
    ("keys", "reason"),
    [
        ([SECRET] * 19, "row_count_mismatch"),
        ([SECRET] * 21, "row_count_mismatch"),
        ([], "row_count_mismatch"),
        (np.zeros((19, 32), dtype=np.uint8), "invalid_key"),
        (np.zeros((20, 31), dtype=np.uint8), "invalid_key"),
        (np.zeros((20, 32, 1), dtype=np.uint8), "invalid_key"),
        (np.zeros((31,), dtype=np.uint8), "invalid_key"),
        (np.zeros((20, 32), dtype=np.int64), "invalid_key"),
        (np.zeros((20, 64), dtype=np.uint8)[:, ::2], "invalid_key"),
        (5, "invalid_key"),
        (None, "invalid_key"),
    ],
    ids=[
        "19 keys",
        "21 keys",
        "no keys",
        "(19, 32)",
        "(20, 31)",
        "(20, 32, 1)",
        "(31,)",
        "int64",
        "not contiguous",
        "int",
        "None",
    ],
)
def test_keys_argument_of_the_wrong_shape(keys: object, reason: str) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_transactions([dict(BASES[2]) for _ in range(20)], keys)  # type: ignore[arg-type]
    assert info.value.reason == reason
    assert info.value.index is None
    assert str(info.value).startswith("keys")


def test_read_only_array_of_keys_is_accepted() -> None:
    array = np.frombuffer(SECRET * 20, dtype=np.uint8).reshape(20, 32)
    assert not array.flags.writeable
    txs = [dict(BASES[i % 3]) for i in range(20)]
    assert [s.hash for s in eth.sign_transactions(txs, array)] == [
        eth.sign_transaction(tx, SECRET).hash for tx in txs
    ]


def test_from_is_checked_against_each_rows_key() -> None:
    """In a batch ``from`` must match the key of its own row; row 7's key is another one."""
    other = sign.PrivateKey.generate()
    txs = [{**BASES[2], "from": SENDER} for _ in range(20)]
    keys: list[Any] = [SECRET] * 20
    keys[7] = other
    with pytest.raises(InvalidInput) as info:
        eth.sign_transactions(txs, keys)
    assert info.value.reason == "invalid_field"
    assert info.value.index == 7
    assert str(info.value).startswith(f"item 7: from: {SENDER}")
    _assert_no_secret(info.value, other.secret_bytes())
    txs[7]["from"] = other.checksum_address
    assert len(eth.sign_transactions(txs, keys)) == 20


# --- quirks that are bugs -------------------------------------------------------------------


@pytest.mark.parametrize("to", [0, False, []], ids=["0", "False", "[]"])
def test_falsy_to_that_is_not_empty_is_refused(to: object) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_transaction({**BASES[2], "to": to}, SECRET)
    assert info.value.reason == "invalid_field"
    assert str(info.value).startswith("to: ")


@pytest.mark.parametrize("text", ["0x1_0", "0x_", "0x__1"])
def test_hex_quantity_with_underscores_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_transaction({**BASES[2], "nonce": text}, SECRET)
    assert info.value.reason == "invalid_field"
    assert str(info.value).startswith("nonce: ")
