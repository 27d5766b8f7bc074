"""Addresses: ``to_checksum_address`` (EIP-55) and the strict ``parse_address``.

``to_checksum_address`` is checked against eth-utils on 500 seeded random addresses given as
20 bytes, lowercase, uppercase, mixed-case and unprefixed text. ``parse_address`` accepts
all-lowercase, all-uppercase and correctly checksummed text and refuses a wrong mixed-case
checksum (``bad_checksum``), a missing ``0x``, a wrong length and non-hex digits
(``invalid_address``).
"""

from __future__ import annotations

import random

import pytest
from eth_utils import to_checksum_address as reference

from tpcore import InvalidInput, eth, sign

SEED = 55
COUNT = 500
ADDRESS = "0x09616C3d61b3331fc4109a9E41a8BDB7d9776609"


@pytest.fixture(scope="module")
def raw_addresses() -> list[bytes]:
    rng = random.Random(SEED)
    fixed = [b"\x00" * 20, b"\xff" * 20, bytes(range(20))]
    return fixed + [rng.randbytes(20) for _ in range(COUNT - len(fixed))]


def _wrong_case(checksum: str, rng: random.Random) -> str | None:
    """``checksum`` with the case of one letter flipped, or None if it has no letters."""
    letters = [i for i, c in enumerate(checksum) if i >= 2 and c.isalpha()]
    if not letters:
        return None
    i = rng.choice(letters)
    return checksum[:i] + checksum[i].swapcase() + checksum[i + 1 :]


def test_to_checksum_address_matches_eth_utils(raw_addresses: list[bytes]) -> None:
    for raw in raw_addresses:
        expected = reference(raw)
        lower = "0x" + raw.hex()
        for form in (
            raw,
            lower,
            lower.upper().replace("0X", "0x"),
            "0X" + raw.hex().upper(),
            expected,
            raw.hex(),
            reference(lower),
        ):
            assert eth.to_checksum_address(form) == expected, form


def test_to_checksum_address_accepts_a_wrong_checksum_as_eth_utils_does() -> None:
    wrong = ADDRESS.replace("C3d", "c3d")
    assert eth.to_checksum_address(wrong) == reference(wrong) == ADDRESS


def test_to_checksum_address_agrees_with_key_addresses() -> None:
    key = sign.PrivateKey.from_bytes(b"\x11" * 32)
    assert eth.to_checksum_address(key.address) == key.checksum_address


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("0x12", "invalid_address"),
        ("", "invalid_address"),
        ("0x", "invalid_address"),
        (ADDRESS + "0", "invalid_address"),
        (ADDRESS[:-1], "invalid_address"),
        (ADDRESS[:-1] + "g", "invalid_address"),
        ("0x " + ADDRESS[3:], "invalid_address"),
        (" " + ADDRESS, "invalid_address"),
        ("0x" + "\u0660" * 40, "invalid_address"),
        (b"\x01" * 19, "invalid_length"),
        (b"\x01" * 21, "invalid_length"),
        (b"", "invalid_length"),
    ],
)
def test_to_checksum_address_bad_input(address: str | bytes, reason: str) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.to_checksum_address(address)
    assert info.value.reason == reason


def test_parse_address_accepts_lowercase_uppercase_and_checksum(
    raw_addresses: list[bytes],
) -> None:
    for raw in raw_addresses:
        digits = raw.hex()
        for form in ("0x" + digits, "0x" + digits.upper(), "0X" + digits, reference(raw)):
            assert eth.parse_address(form) == raw, form


def test_parse_address_refuses_every_wrong_checksum(raw_addresses: list[bytes]) -> None:
    rng = random.Random(SEED + 1)
    refused = 0
    for raw in raw_addresses:
        wrong = _wrong_case(reference(raw), rng)
        if wrong is None or wrong[2:] in (raw.hex(), raw.hex().upper()):
            continue  # no letters, or flipping made the text single-case
        with pytest.raises(InvalidInput) as info:
            eth.parse_address(wrong)
        assert info.value.reason == "bad_checksum"
        assert wrong in str(info.value)
        refused += 1
    assert refused > 400


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (ADDRESS[2:], "missing 0x"),
        ("09616C3d61b3331fc4109a9E41a8BDB7d9776609xx", "missing 0x"),
        ("", "missing 0x"),
        ("0x", "got 0"),
        (ADDRESS[:-1], "got 39"),
        (ADDRESS + "0", "got 41"),
        ("0x" + "00" * 32, "got 64"),
        (ADDRESS[:-1] + "g", "non-hex"),
        ("0x" + "zz" * 20, "non-hex"),
        ("0x" + " " * 40, "non-hex"),
        ("0x" + "\u0660" * 40, "got 80"),
    ],
)
def test_parse_address_refuses_malformed_text(text: str, needle: str) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.parse_address(text)
    assert info.value.reason == "invalid_address"
    assert needle in str(info.value)


def test_parse_address_checksum_error_names_the_address() -> None:
    wrong = ADDRESS.replace("C3d", "c3d")
    with pytest.raises(InvalidInput) as info:
        eth.parse_address(wrong)
    assert info.value.reason == "bad_checksum"
    assert str(info.value) == f"address: bad EIP-55 checksum in {wrong}"


def test_to_checksum_address_takes_bytes_like_and_refuses_other_types() -> None:
    raw = bytes(range(20))
    assert eth.to_checksum_address(bytearray(raw)) == eth.to_checksum_address(raw)
    with pytest.raises(InvalidInput) as info:
        eth.to_checksum_address(5)  # type: ignore[arg-type]
    assert info.value.reason == "invalid_address"
