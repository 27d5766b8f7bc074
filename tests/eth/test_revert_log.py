"""Revert data (``decode_revert``) and event logs (``decode_log``).

Reverts: Solidity's ``Error(string)`` (empty and non-ASCII messages), ``Panic(uint256)``
with every documented code and an unknown one, custom errors decoded from an ABI given as a
list, one item or JSON text (named and unnamed arguments, tuples), empty data, unknown
selectors, and malformed data (1 to 3 bytes, truncated payloads) which raises
``InvalidInput``. Logs: ERC-20 ``Transfer`` and ``Approval``, indexed ``string``/``bytes``
(only their topic hash is in the log), an anonymous event, and topics as bytes or ``0x`` hex;
a wrong topic count or topic0 raises ``InvalidInput`` (``log_mismatch``). Encodings come
from eth-abi and selectors from eth-utils' Keccak.
"""

from __future__ import annotations

import json
from typing import Any

import eth_abi
import pytest
from eth_utils import keccak

from tpcore import InvalidInput, eth

ERROR = keccak(text="Error(string)")[:4]
PANIC = keccak(text="Panic(uint256)")[:4]
ALICE = "0x" + "11" * 20
BOB = "0x" + "a2" * 20


def _error(message: str) -> bytes:
    return ERROR + eth_abi.encode(["string"], [message])


@pytest.mark.parametrize("message", ["too late", "", "Ünïcödé 漢字 😀", "x" * 300, "nul\x00inside"])
def test_error_string(message: str) -> None:
    assert eth.decode_revert(_error(message)) == {"kind": "error", "message": message}


def test_error_string_from_encode_function_call() -> None:
    data = eth.encode_function_call("Error(string)", ["too late"])
    assert data == _error("too late")
    assert eth.decode_revert(data) == {"kind": "error", "message": "too late"}


PANICS = [
    (0x00, "generic compiler-inserted panic"),
    (0x01, "assertion failed"),
    (0x11, "arithmetic overflow or underflow"),
    (0x12, "division or modulo by zero"),
    (0x21, "conversion to an invalid enum value"),
    (0x22, "access to an incorrectly encoded storage byte array"),
    (0x31, "pop() on an empty array"),
    (0x32, "array index out of bounds"),
    (0x41, "too much memory allocated or array too large"),
    (0x51, "call to a zero-initialized function variable"),
    (0x02, "unknown panic code"),
    (0x99, "unknown panic code"),
    (0x111, "unknown panic code"),
    (2**256 - 1, "unknown panic code"),
]


@pytest.mark.parametrize(("code", "meaning"), PANICS, ids=[hex(c) for c, _ in PANICS])
def test_panic(code: int, meaning: str) -> None:
    data = PANIC + eth_abi.encode(["uint256"], [code])
    assert eth.decode_revert(data) == {"kind": "panic", "code": code, "meaning": meaning}


def test_empty_data() -> None:
    assert eth.decode_revert(b"") == {"kind": "empty"}


@pytest.mark.parametrize("rest", [b"", b"\x01\x02", bytes(64)])
def test_unknown_selector(rest: bytes) -> None:
    assert eth.decode_revert(b"\xde\xad\xbe\xef" + rest) == {
        "kind": "unknown",
        "selector": b"\xde\xad\xbe\xef",
        "data": rest,
    }


@pytest.mark.parametrize(
    "data",
    [
        b"\x08",
        ERROR[:2],
        ERROR[:3],  # shorter than a selector
        ERROR,  # no payload
        _error("hello")[:-10],  # truncated body
        _error("hello")[:-32],  # body missing
        ERROR + eth_abi.encode(["bytes"], [b"\xff\xfe"]),  # not UTF-8
        PANIC,
        PANIC + bytes(31),
        ERROR + bytes(32) + (1).to_bytes(32, "big"),  # offset into the head
    ],
    ids=[
        "1 byte",
        "2 bytes",
        "3 bytes",
        "Error no payload",
        "Error truncated",
        "Error no body",
        "Error not UTF-8",
        "Panic no payload",
        "Panic short",
        "Error bad offset",
    ],
)
def test_malformed_revert_data(data: bytes) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.decode_revert(data)
    assert info.value.reason == "abi_decode_error"


# --- custom errors ---------------------------------------------------------------------------

INSUFFICIENT = {
    "type": "error",
    "name": "InsufficientBalance",
    "inputs": [{"name": "available", "type": "uint256"}, {"name": "", "type": "address"}],
}
WITH_TUPLE = {
    "type": "error",
    "name": "Rejected",
    "inputs": [
        {
            "name": "order",
            "type": "tuple",
            "components": [{"name": "id", "type": "uint64"}, {"name": "flags", "type": "bool[]"}],
        },
        {"name": "why", "type": "string"},
    ],
}
CONTRACT_ABI: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": "withdraw",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "amount", "type": "uint256"}],
        "outputs": [],
    },
    INSUFFICIENT,
    WITH_TUPLE,
    {"type": "error", "name": "Paused", "inputs": []},
]


def _custom(signature: str, types: list[str], values: list[Any]) -> bytes:
    return keccak(text=signature)[:4] + eth_abi.encode(types, values)


@pytest.mark.parametrize(
    "abi",
    [CONTRACT_ABI, json.dumps(CONTRACT_ABI), INSUFFICIENT, json.dumps(INSUFFICIENT)],
    ids=["list", "JSON list", "one item", "JSON item"],
)
def test_custom_error_with_named_and_unnamed_arguments(abi: Any) -> None:
    data = _custom("InsufficientBalance(uint256,address)", ["uint256", "address"], [2**200, BOB])
    assert eth.decode_revert(data, abi) == {
        "kind": "custom",
        "name": "InsufficientBalance",
        "signature": "InsufficientBalance(uint256,address)",
        "args": {"available": 2**200, "arg1": BOB},
    }


def test_custom_error_with_a_tuple() -> None:
    data = _custom(
        "Rejected((uint64,bool[]),string)",
        ["(uint64,bool[])", "string"],
        [(7, [True, False]), "late"],
    )
    assert eth.decode_revert(data, CONTRACT_ABI) == {
        "kind": "custom",
        "name": "Rejected",
        "signature": "Rejected((uint64,bool[]),string)",
        "args": {"order": (7, (True, False)), "why": "late"},
    }


def test_custom_error_without_arguments() -> None:
    data = keccak(text="Paused()")[:4]
    assert eth.decode_revert(data, CONTRACT_ABI) == {
        "kind": "custom",
        "name": "Paused",
        "signature": "Paused()",
        "args": {},
    }


def test_custom_error_not_in_the_abi_is_unknown() -> None:
    data = _custom("Other(uint256)", ["uint256"], [1])
    expected = {"kind": "unknown", "selector": data[:4], "data": data[4:]}
    assert eth.decode_revert(data, CONTRACT_ABI) == expected
    assert eth.decode_revert(data) == expected
    assert eth.decode_revert(data, []) == expected


def test_a_function_item_does_not_decode_revert_data() -> None:
    data = _custom("withdraw(uint256)", ["uint256"], [1])
    assert eth.decode_revert(data, CONTRACT_ABI)["kind"] == "unknown"


def test_error_and_panic_take_precedence_over_the_abi() -> None:
    assert eth.decode_revert(_error("x"), CONTRACT_ABI) == {"kind": "error", "message": "x"}


def test_truncated_custom_error() -> None:
    data = _custom("InsufficientBalance(uint256,address)", ["uint256", "address"], [1, BOB])
    with pytest.raises(InvalidInput) as info:
        eth.decode_revert(data[:40], CONTRACT_ABI)
    assert info.value.reason == "abi_decode_error"


@pytest.mark.parametrize(
    "abi",
    ["nope", "[{", [{"type": "error"}], [{"type": "error", "name": 5, "inputs": []}]],
    ids=["not JSON", "truncated JSON", "no name", "name not a string"],
)
def test_a_bad_abi(abi: Any) -> None:
    data = _custom("Other(uint256)", ["uint256"], [1])
    with pytest.raises(InvalidInput) as info:
        eth.decode_revert(data, abi)
    assert info.value.reason == "invalid_abi_json"


def test_a_float_in_the_abi_is_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        eth.decode_revert(b"\x00\x00\x00\x01", [{"type": "error", "name": "E", "x": 1.5}])
    assert info.value.reason == "invalid_json"


# --- logs -----------------------------------------------------------------------------------


def _event(
    name: str, inputs: list[tuple[str, str, bool]], *, anonymous: bool = False
) -> dict[str, Any]:
    return {
        "type": "event",
        "name": name,
        "anonymous": anonymous,
        "inputs": [{"name": n, "type": t, "indexed": i} for n, t, i in inputs],
    }


TRANSFER = _event(
    "Transfer", [("from", "address", True), ("to", "address", True), ("value", "uint256", False)]
)
APPROVAL = _event(
    "Approval",
    [("owner", "address", True), ("spender", "address", True), ("value", "uint256", False)],
)
TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")


def _topic(type_: str, value: Any) -> bytes:
    return eth_abi.encode([type_], [value])


def _transfer_log(value: int = 10**18) -> tuple[list[bytes], bytes]:
    return (
        [TRANSFER_TOPIC, _topic("address", ALICE), _topic("address", BOB)],
        eth_abi.encode(["uint256"], [value]),
    )


@pytest.mark.parametrize("form", ["bytes", "hex", "HEX prefix", "mixed"])
@pytest.mark.parametrize("abi_form", ["dict", "JSON"])
def test_erc20_transfer(form: str, abi_form: str) -> None:
    topics, data = _transfer_log(2**256 - 1)
    given: list[Any] = {
        "bytes": topics,
        "hex": ["0x" + t.hex() for t in topics],
        "HEX prefix": ["0X" + t.hex().upper() for t in topics],
        "mixed": [topics[0], "0x" + topics[1].hex(), topics[2]],
    }[form]
    abi = TRANSFER if abi_form == "dict" else json.dumps(TRANSFER)
    assert eth.decode_log(abi, given, data) == {
        "event": "Transfer",
        "args": {"from": ALICE, "to": BOB, "value": 2**256 - 1},
    }


def test_erc20_approval() -> None:
    topics = [
        keccak(text="Approval(address,address,uint256)"),
        _topic("address", BOB),
        _topic("address", ALICE),
    ]
    assert eth.decode_log(APPROVAL, topics, eth_abi.encode(["uint256"], [0])) == {
        "event": "Approval",
        "args": {"owner": BOB, "spender": ALICE, "value": 0},
    }


def test_indexed_dynamic_values_are_their_topic_hash() -> None:
    event = _event(
        "Registered",
        [
            ("name", "string", True),
            ("blob", "bytes", True),
            ("id", "int8", True),
            ("", "uint256", False),
            ("note", "string", False),
        ],
    )
    topics = [
        keccak(text="Registered(string,bytes,int8,uint256,string)"),
        keccak(text="alice"),
        keccak(b"\x01\x02"),
        _topic("int8", -5),
    ]
    data = eth_abi.encode(["uint256", "string"], [9, "hi"])
    assert eth.decode_log(event, topics, data) == {
        "event": "Registered",
        "args": {
            "name": keccak(text="alice"),
            "blob": keccak(b"\x01\x02"),
            "id": -5,
            "arg3": 9,
            "note": "hi",
        },
    }


def test_anonymous_event_has_no_selector_topic() -> None:
    event = _event(
        "Anon",
        [("a", "uint8", True), ("flag", "bool", True), ("s", "string", False)],
        anonymous=True,
    )
    topics = [_topic("uint8", 7), _topic("bool", True)]
    assert eth.decode_log(event, topics, eth_abi.encode(["string"], ["hi"])) == {
        "event": "Anon",
        "args": {"a": 7, "flag": True, "s": "hi"},
    }
    with pytest.raises(InvalidInput) as info:
        eth.decode_log(
            event,
            [keccak(text="Anon(uint8,bool,string)"), *topics],
            eth_abi.encode(["string"], ["hi"]),
        )
    assert info.value.reason == "log_mismatch"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda t, d: (t[:2], d), "log_mismatch"),
        (lambda t, d: ([*t, t[2]], d), "log_mismatch"),
        (lambda t, d: ([], d), "log_mismatch"),
        (
            lambda t, d: ([keccak(text="Approval(address,address,uint256)"), *t[1:]], d),
            "log_mismatch",
        ),
        (lambda t, d: ([t[0], b"\x01" + t[1][1:], t[2]], d), "abi_decode_error"),
        (lambda t, d: (t, b""), "abi_decode_error"),
        (lambda t, d: (t, d[:31]), "abi_decode_error"),
        (lambda t, d: ([t[0], t[1][1:], t[2]], d), "invalid_field"),
        (lambda t, d: ([t[0], "zz", t[2]], d), "invalid_field"),
        (lambda t, d: ([t[0], "0xzz", t[2]], d), "invalid_field"),
        (lambda t, d: ([t[0], 5, t[2]], d), "invalid_field"),
    ],
    ids=[
        "too few topics",
        "too many topics",
        "no topics",
        "wrong topic0",
        "dirty address topic",
        "no data",
        "short data",
        "short topic",
        "topic without 0x",
        "topic bad hex",
        "topic int",
    ],
)
def test_a_log_that_does_not_fit(change: Any, reason: str) -> None:
    topics, data = change(*_transfer_log())
    with pytest.raises(InvalidInput) as info:
        eth.decode_log(TRANSFER, topics, data)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    "abi",
    [
        "nope",
        {"type": "function", "name": "f", "inputs": [], "outputs": [], "stateMutability": "view"},
        [TRANSFER],
    ],
    ids=["not JSON", "a function", "a list"],
)
def test_the_event_abi_must_be_one_event(abi: Any) -> None:
    topics, data = _transfer_log()
    with pytest.raises(InvalidInput) as info:
        eth.decode_log(abi, topics, data)
    assert info.value.reason == "invalid_abi_json"


def test_an_unnamed_argument_never_overwrites_a_named_one() -> None:
    abi = [
        {
            "type": "error",
            "name": "Clash",
            "inputs": [{"name": "arg1", "type": "uint256"}, {"name": "", "type": "uint256"}],
        }
    ]
    data = eth.encode_function_call("Clash(uint256,uint256)", [7, 9])
    decoded = eth.decode_revert(data, abi)
    assert decoded["kind"] == "custom"
    assert decoded["args"] == {"arg1": 7, "arg1_1": 9}
