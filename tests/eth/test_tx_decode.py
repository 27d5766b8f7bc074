"""Decoding raw transactions and recovering their senders.

Every transaction of the random corpus must decode to its own fields in canonical form
(ints, checksum addresses, ``data`` as bytes, access lists with checksum addresses and hex
storage keys, ``type`` always present) plus ``v``, ``r``, ``s``, ``hash`` and ``from``;
eth-account's decoder and ``Account.recover_transaction`` must agree. A Hypothesis property
does the same for type-2 transactions. Malformed bytes of every kind (empty, every
truncation, unknown type bytes, trailing bytes, random and mutated bytes) raise
``InvalidInput``, never another exception.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import rlp
from eth_account import Account
from eth_account._utils.legacy_transactions import Transaction as LegacyTransaction
from eth_account.datastructures import SignedTransaction as EthAccountSigned
from eth_account.typed_transactions import TypedTransaction
from eth_helpers import KINDS, SECP256K1_N, SIGNATURE_FIELDS, Case, eth_account_fields, random_case
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes
from hypothesis import given, settings
from hypothesis import strategies as st

from tpcore import InvalidInput, eth, sign

#: Every reason a raw transaction may be refused with.
RAW_REASONS = {
    "malformed_transaction",
    "unsupported_transaction_type",
    "invalid_signature",
    "unrecoverable_signature",
}


def _without_signature(decoded: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in decoded.items() if key not in SIGNATURE_FIELDS}


# --- round trip over the corpus -------------------------------------------------------------


def test_decode_gives_the_fields_back(
    cases: list[Case], eth_account_signed: list[EthAccountSigned]
) -> None:
    bad = []
    for i, (case, signed) in enumerate(zip(cases, eth_account_signed, strict=True)):
        raw = bytes(signed.raw_transaction)
        decoded = eth.decode_transaction(raw)
        sender = Account.from_key(case.secret).address
        want = {
            **case.expected,
            "v": signed.v,
            "r": signed.r,
            "s": signed.s,
            "hash": bytes(signed.hash),
            "from": sender,
        }
        # The canonical order: the type's fields, then v, r, s, hash and from.
        if decoded != want or list(decoded)[-5:] != ["v", "r", "s", "hash", "from"]:
            bad.append((i, case.kind, decoded, want))
        elif eth.recover_sender(raw) != sender:
            bad.append((i, case.kind, "recover_sender"))
    assert bad == []


def test_decode_agrees_with_eth_account(
    cases: list[Case], eth_account_signed: list[EthAccountSigned]
) -> None:
    """eth-account's ``from_bytes(raw).as_dict()`` and ``recover_transaction``."""
    bad = []
    for i, (case, signed) in enumerate(zip(cases, eth_account_signed, strict=True)):
        raw = HexBytes(signed.raw_transaction)
        ours = eth.decode_transaction(bytes(raw))
        if raw[0] >= 0xC0:
            theirs = eth_account_fields(LegacyTransaction.from_bytes(raw).as_dict())
            # eth-account's legacy decoder has no type and no chain id; v carries the latter.
            compare = {k: v for k, v in ours.items() if k not in ("type", "chainId", "hash")}
        else:
            theirs = eth_account_fields(TypedTransaction.from_bytes(raw).as_dict())
            compare = {k: v for k, v in ours.items() if k != "hash"}
        theirs["from"] = Account.recover_transaction(raw)
        if compare != theirs:
            bad.append((i, case.kind, compare, theirs))
    assert bad == []


@pytest.mark.parametrize("kind", KINDS)
def test_decoded_dict_signs_to_the_same_transaction(kind: str) -> None:
    """``decode_transaction``'s output, less the signature fields, is a valid request."""
    rng = random.Random(f"resign-{kind}")
    for _ in range(20):
        case = random_case(rng, kind)
        signed = eth.sign_transaction(case.tx, case.secret)
        decoded = eth.decode_transaction(signed.raw_transaction)
        assert decoded["from"] == sign.PrivateKey.from_bytes(case.secret).checksum_address
        again = eth.sign_transaction(
            {**_without_signature(decoded), "from": decoded["from"]}, case.secret
        )
        assert again.raw_transaction == signed.raw_transaction


# --- Hypothesis: type-2 transactions ----------------------------------------------------------

_secrets = st.integers(1, SECP256K1_N - 1).map(lambda k: k.to_bytes(32, "big"))
_addresses = st.binary(min_size=20, max_size=20).map(to_checksum_address)
_access_lists = st.lists(
    st.fixed_dictionaries(
        {
            "address": _addresses,
            "storageKeys": st.lists(
                st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex()), max_size=3
            ),
        }
    ),
    max_size=3,
)


@st.composite
def _dynamic_fee_txs(draw: st.DrawFn) -> dict[str, Any]:
    max_fee = draw(st.integers(0, 2**128 - 1))
    tx: dict[str, Any] = {
        "type": 2,
        "chainId": draw(st.integers(1, 2**32)),
        "nonce": draw(st.integers(0, 2**64 - 1)),
        "gas": draw(st.integers(0, 2**64 - 1)),
        "maxFeePerGas": max_fee,
        "maxPriorityFeePerGas": draw(st.integers(0, max_fee)),
        "value": draw(st.integers(0, 2**256 - 1)),
        "data": draw(st.binary(max_size=200)),
        "accessList": draw(_access_lists),
    }
    to = draw(st.none() | _addresses)
    if to is not None:
        tx["to"] = to
    return tx


@settings(max_examples=300, deadline=None)
@given(tx=_dynamic_fee_txs(), secret=_secrets)
def test_type2_sign_decode_round_trip(tx: dict[str, Any], secret: bytes) -> None:
    signed = eth.sign_transaction(tx, secret)
    sender = sign.PrivateKey.from_bytes(secret).checksum_address
    decoded = eth.decode_transaction(signed.raw_transaction)
    assert _without_signature(decoded) == tx
    assert (decoded["v"], decoded["r"], decoded["s"]) == (signed.v, signed.r, signed.s)
    assert decoded["hash"] == signed.hash == keccak(signed.raw_transaction)
    assert decoded["from"] == sender
    assert eth.recover_sender(signed.raw_transaction) == sender
    assert signed.v in (0, 1)
    assert 0 < signed.s <= SECP256K1_N // 2


# --- signatures that decode but do not recover ------------------------------------------------

_SECRET = bytes.fromhex("46" * 32)
_SENDER = sign.PrivateKey.from_bytes(_SECRET).checksum_address
_TYPE2 = {
    "type": 2,
    "chainId": 1,
    "nonce": 1,
    "gas": 21000,
    "maxFeePerGas": 10,
    "maxPriorityFeePerGas": 1,
    "to": "0x3535353535353535353535353535353535353535",
}
_LEGACY = {
    "chainId": 1,
    "nonce": 1,
    "gas": 21000,
    "gasPrice": 10,
    "to": "0x3535353535353535353535353535353535353535",
}


def _resigned(tx: dict[str, Any], **items: bytes) -> bytes:
    """The signed ``tx`` with RLP items (``v``, ``r``, ``s``) replaced."""
    raw = eth.sign_transaction(tx, _SECRET).raw_transaction
    prefix, body = (raw[:1], raw[1:]) if raw[0] < 0xC0 else (b"", raw)
    fields = rlp.decode(body)
    for name, value in items.items():
        fields[{"v": -3, "r": -2, "s": -1}[name]] = value
    return prefix + rlp.encode(fields)


@pytest.mark.parametrize(
    ("tx", "items"),
    [
        (_TYPE2, {"r": b""}),
        (_TYPE2, {"s": b""}),
        (_TYPE2, {"r": SECP256K1_N.to_bytes(32, "big")}),
        (_TYPE2, {"s": (2**256 - 1).to_bytes(32, "big")}),
        (_LEGACY, {"r": b""}),
        (_LEGACY, {"s": SECP256K1_N.to_bytes(32, "big")}),
    ],
    ids=["typed r=0", "typed s=0", "typed r=n", "typed s=2**256-1", "legacy r=0", "legacy s=n"],
)
def test_unrecoverable_signature_decodes_without_from(
    tx: dict[str, Any], items: dict[str, bytes]
) -> None:
    raw = _resigned(tx, **items)
    decoded = eth.decode_transaction(raw)
    assert "from" not in decoded
    assert decoded["hash"] == keccak(raw)
    with pytest.raises(InvalidInput) as info:
        eth.recover_sender(raw)
    assert info.value.reason in RAW_REASONS
    assert info.value.index is None


def _int_bytes(value: int) -> bytes:
    """``value`` as an RLP integer's minimal big-endian bytes (0 is empty)."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _flipped_v(v: int) -> int:
    """eth-account's ``v`` with the y-parity flipped, keeping the chain id."""
    if v in (0, 1):
        return 1 - v
    if v in (27, 28):
        return 55 - v
    return v + 1 if (v - 35) % 2 == 0 else v - 1


@pytest.mark.parametrize(
    "tx", [_TYPE2, _LEGACY, {**_LEGACY, "chainId": None}], ids=["typed", "eip155", "legacy"]
)
def test_high_s_recovers_as_eth_account_does(tx: dict[str, Any]) -> None:
    """The malleated twin (n - s, parity flipped) recovers the same sender in both.

    EIP-2 makes high-s transactions invalid on chain; neither library refuses to decode them.
    """
    signed = eth.sign_transaction(tx, _SECRET)
    raw = _resigned(tx, v=_int_bytes(_flipped_v(signed.v)), s=_int_bytes(SECP256K1_N - signed.s))
    assert raw != signed.raw_transaction
    assert eth.recover_sender(raw) == Account.recover_transaction(raw) == _SENDER
    assert eth.decode_transaction(raw)["s"] == SECP256K1_N - signed.s


@pytest.mark.parametrize("v", [0, 1, 26, 29, 34, 2**64 - 1, 2**64])
def test_invalid_legacy_v_is_malformed(v: int) -> None:
    """v must be 27/28 or 35 + 2 * chainId + parity with the chain id within EIP-2294."""
    raw = _resigned(_LEGACY, v=_int_bytes(v))
    for function in (eth.decode_transaction, eth.recover_sender):
        with pytest.raises(InvalidInput) as info:
            function(raw)
        assert info.value.reason == "malformed_transaction"


@pytest.mark.parametrize("parity", [2, 27, 256])
def test_invalid_typed_y_parity_is_malformed(parity: int) -> None:
    raw = _resigned(_TYPE2, v=_int_bytes(parity))
    for function in (eth.decode_transaction, eth.recover_sender):
        with pytest.raises(InvalidInput) as info:
            function(raw)
        assert info.value.reason == "malformed_transaction"


# --- malformed bytes ---------------------------------------------------------------------------


def _assert_refused(raw: bytes, reasons: set[str] = RAW_REASONS) -> None:
    for function in (eth.decode_transaction, eth.recover_sender):
        with pytest.raises(InvalidInput) as info:
            function(raw)
        assert info.value.reason in reasons, (raw.hex(), str(info.value))
        assert info.value.index is None


@pytest.fixture(scope="module")
def valid_raws() -> dict[str, bytes]:
    """One signed raw transaction of every kind, with data and lists where the kind has them."""
    rng = random.Random(77)
    raws = {}
    for kind in KINDS:
        case = random_case(rng, kind)
        raws[kind] = eth.sign_transaction(case.tx, case.secret).raw_transaction
    return raws


def test_empty_input_is_malformed() -> None:
    _assert_refused(b"", {"malformed_transaction"})


@pytest.mark.parametrize("kind", KINDS)
def test_every_truncation_is_refused(valid_raws: dict[str, bytes], kind: str) -> None:
    raw = valid_raws[kind]
    eth.decode_transaction(raw)
    for end in range(len(raw)):
        _assert_refused(raw[:end], {"malformed_transaction"})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("tail", [b"\x00", b"\x80", b"\xc0", b"\x01\x02\x03"])
def test_trailing_bytes_are_refused(valid_raws: dict[str, bytes], kind: str, tail: bytes) -> None:
    _assert_refused(valid_raws[kind] + tail, {"malformed_transaction"})


@pytest.mark.parametrize("kind", KINDS)
def test_two_transactions_back_to_back_are_refused(valid_raws: dict[str, bytes], kind: str) -> None:
    _assert_refused(valid_raws[kind] * 2, {"malformed_transaction"})


@pytest.mark.parametrize("type_byte", [0x00, 0x03, 0x05, 0x7F])
def test_unknown_type_bytes_are_refused(valid_raws: dict[str, bytes], type_byte: int) -> None:
    """Type 3 (blob) and anything but 1, 2 and 4 below 0x80 is an unsupported type."""
    for kind in ("dynamic_fee", "access_list", "set_code"):
        _assert_refused(bytes([type_byte]) + valid_raws[kind][1:], {"unsupported_transaction_type"})


@pytest.mark.parametrize("first", [0x80, 0x81, 0xA0, 0xB7, 0xBF])
def test_an_rlp_string_is_not_a_transaction(first: int) -> None:
    _assert_refused(bytes([first]) + b"\x00" * 70, {"malformed_transaction"})


def test_a_typed_payload_under_another_type_is_refused(valid_raws: dict[str, bytes]) -> None:
    """A type-2 body under type byte 1 or 4 (and the like) has the wrong fields."""
    for kind, other in [("dynamic_fee", 1), ("dynamic_fee", 4), ("access_list", 2)]:
        _assert_refused(bytes([other]) + valid_raws[kind][1:], {"malformed_transaction"})


def test_random_bytes_are_refused() -> None:
    rng = random.Random(31_337)
    for _ in range(3000):
        raw = rng.randbytes(rng.randint(1, 300))
        if rng.random() < 0.5:
            raw = bytes([rng.choice([1, 2, 4, 0xF8, 0xF9])]) + raw
        _assert_refused(raw)


def _decode_or_error(raw: bytes) -> dict[str, Any] | InvalidInput:
    try:
        return eth.decode_transaction(raw)
    except InvalidInput as error:
        return error


def test_mutated_transactions_are_refused_or_consistent(valid_raws: dict[str, bytes]) -> None:
    """A flipped, replaced or deleted byte either decodes (self-consistently) or is refused.

    When it decodes, ``hash`` is keccak of the mutated bytes, and ``recover_sender``
    returns ``from`` exactly when ``decode_transaction`` gives one.
    """
    rng = random.Random(4_242)
    raws = list(valid_raws.values())
    outcomes = {"refused": 0, "from": 0, "no from": 0}
    for _ in range(4000):
        raw = bytearray(rng.choice(raws))
        for _ in range(rng.randint(1, 3)):
            where = rng.randrange(len(raw))
            action = rng.randrange(3)
            if action == 0:
                raw[where] ^= 1 << rng.randrange(8)
            elif action == 1:
                raw[where] = rng.randrange(256)
            else:
                del raw[where]
        mutated = bytes(raw)
        decoded = _decode_or_error(mutated)
        if isinstance(decoded, InvalidInput):
            assert decoded.reason in RAW_REASONS
            _assert_refused(mutated)
            outcomes["refused"] += 1
            continue
        assert decoded["hash"] == keccak(mutated)
        if "from" in decoded:
            outcomes["from"] += 1
            assert eth.recover_sender(mutated) == decoded["from"]
        else:
            outcomes["no from"] += 1
            with pytest.raises(InvalidInput) as info:
                eth.recover_sender(mutated)
            assert info.value.reason in {"invalid_signature", "unrecoverable_signature"}
    # Flips inside values and data still decode, flips of r or s may not recover: the
    # mutations exercise every path.
    assert min(outcomes.values()) >= 50, outcomes
