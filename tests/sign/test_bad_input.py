"""Bad input of every kind, for every batch function of ``tpcore.sign``.

Argument-level problems (dtype, dimensions, width, contiguity, not an array, row counts)
raise ``InvalidInput`` with ``index=None`` and a message naming the argument. Row-level
problems (an invalid secret key, a non-bytes message) carry the ``index`` of the first bad
row. A bad signature or public key in a verify call is a False result, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from sign_helpers import (
    ED25519_L,
    SECP256K1_N,
    int_row,
    join_signature,
    random_rows,
    random_secret_keys,
)

from tpcore import InvalidInput, sign

ROWS = 3
RNG = np.random.default_rng(4_040)
KEYS = random_secret_keys(RNG, ROWS)
HASHES = random_rows(RNG, ROWS, 32)
SIGNATURES = sign.ecdsa_sign(KEYS, HASHES)
PUBLIC = sign.public_keys(KEYS)
SEEDS = random_rows(RNG, ROWS, 32)
MESSAGES = random_rows(RNG, ROWS, 40)
ED_PUBLIC = np.stack(
    [
        np.frombuffer(sign.Ed25519PrivateKey.from_seed(s.tobytes()).public_key, np.uint8)
        for s in SEEDS
    ]
)
ED_SIGNATURES = sign.ed25519_sign(SEEDS, MESSAGES)

#: Good arguments of every batch function, in positional order.
GOOD: dict[str, dict[str, NDArray[np.uint8]]] = {
    "ecdsa_sign": {"secret_keys": KEYS, "hashes": HASHES},
    "ecdsa_recover": {"hashes": HASHES, "signatures": SIGNATURES},
    "ecdsa_recover_address": {"hashes": HASHES, "signatures": SIGNATURES},
    "ecdsa_verify": {"public_keys": PUBLIC, "hashes": HASHES, "signatures": SIGNATURES},
    "public_keys": {"secret_keys": KEYS},
    "addresses": {"public_keys": PUBLIC},
    "keccak256": {"messages": MESSAGES},
    "ed25519_sign": {"seeds": SEEDS, "messages": MESSAGES},
    "ed25519_verify": {"public_keys": ED_PUBLIC, "messages": MESSAGES, "signatures": ED_SIGNATURES},
    "ed25519_verify_all": {
        "public_keys": ED_PUBLIC,
        "messages": MESSAGES,
        "signatures": ED_SIGNATURES,
    },
}

#: Arguments that may be a single ``(width,)`` row broadcast over the batch.
BROADCAST = {
    ("ecdsa_sign", "secret_keys"),
    ("ecdsa_verify", "public_keys"),
    ("ed25519_sign", "seeds"),
    ("ed25519_verify", "public_keys"),
    ("ed25519_verify_all", "public_keys"),
}


def _call(function: str, **replace: Any) -> Any:
    args = {**GOOD[function], **replace}
    return getattr(sign, function)(*args.values())


def test_the_good_arguments_are_good() -> None:
    """The baseline every bad case departs from: all calls succeed."""
    for function in GOOD:
        result = _call(function)
        assert result is True or np.asarray(result).shape[0] == ROWS


def _expect(call: Callable[[], Any], reason: str, name: str, index: int | None = None) -> str:
    with pytest.raises(InvalidInput) as err:
        call()
    assert err.value.reason == reason, str(err.value)
    assert err.value.index == index
    assert name in str(err.value)
    return str(err.value)


BAD_ARRAYS: dict[str, tuple[Callable[[NDArray[np.uint8]], Any], str]] = {
    "float64": (lambda a: a.astype(np.float64), "invalid_shape"),
    "int32": (lambda a: a.astype(np.int32), "invalid_shape"),
    "int8": (lambda a: a.view(np.int8), "invalid_shape"),
    "bool": (lambda a: a.astype(bool), "invalid_shape"),
    "3d": (lambda a: a[..., None], "invalid_shape"),
    "0d": (lambda a: np.array(a.flat[0]), "invalid_shape"),
    "width_31": (lambda a: np.zeros((len(a), 31), np.uint8), "invalid_shape"),
    "width_66": (lambda a: np.zeros((len(a), 66), np.uint8), "invalid_shape"),
    "noncontiguous_columns": (lambda a: np.repeat(a, 2, axis=1)[:, ::2], "not_contiguous"),
    "noncontiguous_rows": (lambda a: np.repeat(a, 2, axis=0)[::2], "not_contiguous"),
    "fortran_order": (np.asfortranarray, "not_contiguous"),
    "reversed_rows": (lambda a: a[::-1], "not_contiguous"),
    "list": (lambda a: a.tolist(), "invalid_shape"),
    "bytes": (lambda a: a.tobytes(), "invalid_shape"),
    "bytearray": (lambda a: bytearray(a.tobytes()), "invalid_shape"),
    "none": (lambda a: None, "invalid_shape"),
    "one_row_1d": (lambda a: np.ascontiguousarray(a[0]), "invalid_shape"),
}

#: Bad forms that are fine for messages: any width is.
NOT_BAD_FOR_MESSAGES = {"width_31", "width_66"}
#: Sequences whose elements are not bytes: as messages, their row 0 is the bad one.
SEQUENCES = {"list", "bytearray"}


def _bad_array_cases() -> list[Any]:
    cases = []
    for function, args in GOOD.items():
        for name in args:
            for kind, (_, reason) in BAD_ARRAYS.items():
                if name == "messages" and kind in NOT_BAD_FOR_MESSAGES:
                    continue
                if kind == "one_row_1d" and (function, name) in BROADCAST:
                    continue
                expected: tuple[str, int | None] = (reason, None)
                if name == "messages" and kind in SEQUENCES:
                    expected = ("invalid_message", 0)
                case_id = f"{function}-{name}-{kind}"
                cases.append(pytest.param(function, name, kind, *expected, id=case_id))
    return cases


@pytest.mark.parametrize(("function", "name", "kind", "reason", "index"), _bad_array_cases())
def test_bad_array_argument(
    function: str, name: str, kind: str, reason: str, index: int | None
) -> None:
    bad = BAD_ARRAYS[kind][0](GOOD[function][name])
    _expect(lambda: _call(function, **{name: bad}), reason, name, index)


@pytest.mark.parametrize(
    ("function", "name"), sorted(BROADCAST), ids=["-".join(pair) for pair in sorted(BROADCAST)]
)
@pytest.mark.parametrize("kind", ["float64", "width_31", "noncontiguous"])
def test_bad_broadcast_row(function: str, name: str, kind: str) -> None:
    row = GOOD[function][name][0]
    bad = {
        "float64": row.astype(np.float64),
        "width_31": row[:31].copy(),
        "noncontiguous": np.repeat(row, 2)[::2],
    }[kind]
    reason = "not_contiguous" if kind == "noncontiguous" else "invalid_shape"
    _expect(lambda: _call(function, **{name: bad}), reason, name)


def _mismatch_cases() -> list[Any]:
    return [
        pytest.param(function, name, id=f"{function}-{name}")
        for function, args in GOOD.items()
        if len(args) > 1
        for name in args
    ]


@pytest.mark.parametrize(("function", "name"), _mismatch_cases())
@pytest.mark.parametrize("rows", [0, 2, 4])
def test_mismatched_row_counts(function: str, name: str, rows: int) -> None:
    good = GOOD[function][name]
    bad = np.ascontiguousarray(np.resize(good, (rows, good.shape[1])))
    with pytest.raises(InvalidInput) as err:
        _call(function, **{name: bad})
    assert err.value.reason == "row_count_mismatch"
    assert err.value.index is None
    # The message names the resized argument and the one it was compared with.
    assert name in str(err.value)
    assert "rows, but" in str(err.value)


def test_mismatched_ragged_messages() -> None:
    messages = [row.tobytes() for row in MESSAGES[:2]]
    for function in ("ed25519_sign", "ed25519_verify", "ed25519_verify_all"):
        with pytest.raises(InvalidInput) as err:
            _call(function, messages=messages)
        assert err.value.reason == "row_count_mismatch"
        assert "messages has 2" in str(err.value)


@pytest.mark.parametrize(
    "value", [0, SECP256K1_N, SECP256K1_N + 1, 2**256 - 1], ids=["zero", "n", "n_plus_1", "max"]
)
@pytest.mark.parametrize("row", [0, 2, 4])
@pytest.mark.parametrize("function", ["ecdsa_sign", "public_keys"])
def test_invalid_secret_key_row(function: str, row: int, value: int) -> None:
    keys = random_secret_keys(np.random.default_rng(row), 5)
    keys[row] = int_row(value)
    if row < 4:
        keys[4] = int_row(0)  # a later bad row: the first one is reported
    args = (keys, random_rows(np.random.default_rng(1), 5, 32))
    call = {
        "ecdsa_sign": lambda: sign.ecdsa_sign(*args),
        "public_keys": lambda: sign.public_keys(args[0]),
    }[function]
    message = _expect(call, "invalid_secret_key", "secret key", index=row)
    assert f"row {row}" in message


@pytest.mark.parametrize("value", [0, SECP256K1_N], ids=["zero", "n"])
def test_invalid_broadcast_secret_key_is_row_0(value: int) -> None:
    _expect(lambda: sign.ecdsa_sign(int_row(value), HASHES), "invalid_secret_key", "secret", 0)


NOT_BYTES: dict[str, Any] = {
    "str": "text",
    "bytearray": bytearray(b"abc"),
    "memoryview": memoryview(b"abc"),
    "int": 7,
    "none": None,
    "uint8_array": np.zeros(4, np.uint8),
}


@pytest.mark.parametrize("element", NOT_BYTES, ids=list(NOT_BYTES))
@pytest.mark.parametrize("row", [0, 1, 2])
@pytest.mark.parametrize(
    "function", ["keccak256", "ed25519_sign", "ed25519_verify", "ed25519_verify_all"]
)
def test_non_bytes_message(function: str, row: int, element: str) -> None:
    messages: list[Any] = [m.tobytes() for m in MESSAGES]
    messages[row] = NOT_BYTES[element]
    if row < 2:
        messages[2] = "later"
    message = _expect(
        lambda: _call(function, messages=messages), "invalid_message", f"messages[{row}]", row
    )
    assert type(NOT_BYTES[element]).__name__ in message


@pytest.mark.parametrize("messages", [b"abc", "abc", 5, None, iter([b"a"])], ids=repr)
def test_messages_that_are_no_sequence_of_bytes(messages: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        sign.keccak256(messages)
    assert err.value.reason in {"invalid_shape", "invalid_message"}
    assert "messages" in str(err.value)


# --- verification never raises on bad signatures or keys ------------------------------


def _bad_ecdsa_signatures() -> NDArray[np.uint8]:
    r, s = 1 << 200, 1 << 100
    rows = [
        join_signature(0, s, 0),
        join_signature(r, 0, 0),
        join_signature(SECP256K1_N, s, 0),
        join_signature(r, SECP256K1_N, 0),
        join_signature(2**256 - 1, 2**256 - 1, 0),
        bytes(65),
        b"\xff" * 65,
        join_signature(r, s, 1),
    ]
    return np.stack([np.frombuffer(row, np.uint8) for row in rows])


@pytest.mark.parametrize("strict", [True, False])
def test_bad_ecdsa_signatures_verify_false(strict: bool) -> None:
    bad = _bad_ecdsa_signatures()
    hashes = np.tile(HASHES[0], (len(bad), 1))
    ok = sign.ecdsa_verify(PUBLIC[0], hashes, bad, strict=strict)
    assert ok.tolist() == [False] * len(bad)
    ok64 = sign.ecdsa_verify(PUBLIC[0], hashes, np.ascontiguousarray(bad[:, :64]), strict=strict)
    assert ok64.tolist() == [False] * len(bad)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(bytes(64), id="zeros_64"),
        pytest.param(b"\xff" * 64, id="ff_64"),
        pytest.param(b"\x04" + bytes(64), id="zeros_65"),
        pytest.param(b"\x05" + bytes(PUBLIC[0]), id="bad_prefix_65"),
        pytest.param(b"\x02" + bytes(32), id="zero_x_33"),
        pytest.param(b"\x02" + b"\xff" * 32, id="x_above_p_33"),
        pytest.param(b"\x09" + bytes(PUBLIC[0])[:32], id="bad_prefix_33"),
    ],
)
def test_bad_public_keys_verify_false(key: bytes) -> None:
    row = np.frombuffer(key, np.uint8)
    for keys in (row, np.tile(row, (ROWS, 1))):
        for strict in (True, False):
            assert not sign.ecdsa_verify(keys, HASHES, SIGNATURES, strict=strict).any()
    der = bytes.fromhex("3006020101020101")
    assert sign.ecdsa_verify_der(key, bytes(HASHES[0]), der) is False


@pytest.mark.parametrize(
    "der",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x30", id="one_byte"),
        pytest.param(b"\x30\x00", id="empty_sequence"),
        pytest.param(bytes(70), id="zeros"),
        pytest.param(b"\xff" * 72, id="ff"),
        pytest.param(bytes.fromhex("3006020100020101"), id="r_zero"),
        pytest.param(bytes.fromhex("3006020101020100"), id="s_zero"),
        pytest.param(bytes.fromhex("300602010102010100"), id="trailing_byte"),
        pytest.param(bytes.fromhex("30070201010202000101"), id="bad_inner_length"),
        pytest.param(bytes.fromhex("308106020101020101"), id="long_form_length"),
    ],
)
def test_bad_der_signatures_verify_false(der: bytes) -> None:
    for strict in (True, False):
        assert (
            sign.ecdsa_verify_der(bytes(PUBLIC[0]), bytes(HASHES[0]), der, strict=strict) is False
        )


@pytest.mark.parametrize("key", [b"", b"\x02", bytes(PUBLIC[0])[:63], bytes(66)])
def test_wrong_length_der_public_key_is_false(key: bytes) -> None:
    der = bytes.fromhex("3006020101020101")
    assert sign.ecdsa_verify_der(key, bytes(HASHES[0]), der) is False


@pytest.mark.parametrize("length", [0, 31, 33])
def test_der_hash_must_be_32_bytes(length: int) -> None:
    _expect(
        lambda: sign.ecdsa_verify_der(bytes(PUBLIC[0]), b"\x01" * length, b"\x30\x00"),
        "invalid_length",
        "msg_hash",
    )


@pytest.mark.parametrize("strict", [False, True])
def test_bad_ed25519_signatures_and_keys_verify_false(strict: bool) -> None:
    s_is_l = np.frombuffer(ED25519_L.to_bytes(32, "little"), np.uint8)
    bad_signatures = np.stack(
        [
            np.zeros(64, np.uint8),
            np.full(64, 0xFF, np.uint8),
            np.concatenate([ED_SIGNATURES[0, :32], s_is_l]),
        ]
    )
    assert sign.ed25519_verify(ED_PUBLIC[0], MESSAGES[:3], bad_signatures).tolist() == [False] * 3
    for row in bad_signatures:
        one = (ED_PUBLIC[0], MESSAGES[:1], np.ascontiguousarray(row[None]))
        assert sign.ed25519_verify_all(*one, strict=strict) is False
    assert (
        sign.ed25519_verify_all(ED_PUBLIC[0], MESSAGES[:3], bad_signatures, strict=strict) is False
    )
    # Keys that are not curve points, or the identity / small-order points.
    bad_keys = np.stack(
        [np.full(32, 0xFF, np.uint8), np.zeros(32, np.uint8), int_row(1)[::-1].copy()]
    )
    signatures = np.tile(ED_SIGNATURES[0], (3, 1))
    messages = np.tile(MESSAGES[0], (3, 1))
    assert sign.ed25519_verify(bad_keys, messages, signatures).tolist() == [False] * 3
    assert sign.ed25519_verify_all(bad_keys, messages, signatures, strict=strict) is False
    for key in bad_keys:
        assert sign.ed25519_verify_all(key, messages, signatures, strict=strict) is False


@pytest.mark.parametrize("length", [0, 19, 21, 32])
def test_checksum_address_needs_20_bytes(length: int) -> None:
    _expect(lambda: sign.to_checksum_address(b"\x01" * length), "invalid_length", "address")
