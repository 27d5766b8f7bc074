"""EIP-191 ``personal_sign`` messages: ``sign_message``, ``sign_messages``, ``recover_message``.

Differential against eth-account's ``Account.sign_message(encode_defunct(...))`` on 500
seeded random messages: bytes of 0 to 300 bytes (given as ``bytes``) and text with ASCII,
accented, CJK, emoji and control characters (given as ``str``, signed as its UTF-8 bytes,
as ``encode_defunct(text=...)`` does). Signature, r, s, v (27/28) and the message hash must
be identical; recovery must give the signer's checksum address whether v is 27/28 or 0/1;
the batch signer must agree with the scalar one for every form of ``keys``.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from eth_account import Account
from eth_account.messages import SignableMessage, encode_defunct
from eth_helpers import random_secret

from tpcore import InvalidInput, eth, sign

SEED = 191_045
COUNT = 500
SECRET = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")

#: Characters the random text draws from: ASCII, Latin-1, CJK, emoji, controls, NUL.
_ALPHABET = "abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789!?.,\n\t\x00éüßñ€£¥ÆØ漢字かなカナ😀🚀🦊"


def _random_message(rng: random.Random) -> bytes | str:
    if rng.random() < 0.5:
        return rng.randbytes(rng.randint(0, 300))
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 120)))


def _signable(message: bytes | str) -> SignableMessage:
    if isinstance(message, str):
        return encode_defunct(text=message)
    return encode_defunct(primitive=message)


def _fields(signed: eth.SignedMessage) -> tuple[bytes, bytes, int, int, int]:
    return (signed.signature, signed.message_hash, signed.r, signed.s, signed.v)


@pytest.fixture(scope="module")
def corpus() -> list[tuple[bytes | str, bytes]]:
    """500 seeded ``(message, secret)`` pairs, with the edge messages first."""
    rng = random.Random(SEED)
    fixed: list[bytes | str] = [b"", "", b"\x00", "0x1234", "Hello, world!", b"\x19" * 300]
    messages = fixed + [_random_message(rng) for _ in range(COUNT - len(fixed))]
    return [(message, random_secret(rng)) for message in messages]


def test_the_corpus_covers_bytes_text_and_non_ascii(
    corpus: list[tuple[bytes | str, bytes]],
) -> None:
    messages = [m for m, _ in corpus]
    assert len(messages) == COUNT
    assert sum(isinstance(m, bytes) for m in messages) > 200
    assert sum(isinstance(m, str) for m in messages) > 200
    assert any(isinstance(m, str) and any(ord(c) > 0xFFFF for c in m) for m in messages)
    assert max(len(m) for m in messages if isinstance(m, bytes)) >= 290


def test_sign_message_matches_eth_account(corpus: list[tuple[bytes | str, bytes]]) -> None:
    for message, secret in corpus:
        ours = eth.sign_message(message, secret)
        theirs = Account.sign_message(_signable(message), secret)
        assert ours.signature == bytes(theirs.signature), message
        assert ours.message_hash == bytes(theirs.message_hash), message
        assert (ours.r, ours.s, ours.v) == (theirs.r, theirs.s, theirs.v), message
        assert ours.v in (27, 28)
        assert ours.signature[64] == ours.v
        assert ours.signature[:32] == ours.r.to_bytes(32, "big")
        assert ours.signature[32:64] == ours.s.to_bytes(32, "big")


def test_text_is_signed_as_its_utf8_bytes() -> None:
    text = "Grüße, 世界 🚀"
    assert _fields(eth.sign_message(text, SECRET)) == _fields(
        eth.sign_message(text.encode(), SECRET)
    )


def test_a_private_key_object_signs_like_its_bytes() -> None:
    key = sign.PrivateKey.from_bytes(SECRET)
    assert _fields(eth.sign_message(b"abc", key)) == _fields(eth.sign_message(b"abc", SECRET))


def test_recover_message_gives_the_signer(corpus: list[tuple[bytes | str, bytes]]) -> None:
    for message, secret in corpus[:200]:
        address = Account.from_key(secret).address
        signature = eth.sign_message(message, secret).signature
        assert eth.recover_message(message, signature) == address
        low_v = signature[:64] + bytes([signature[64] - 27])
        assert eth.recover_message(message, low_v) == address
        assert Account.recover_message(_signable(message), signature=signature) == address


def test_recover_message_of_another_message_gives_another_address() -> None:
    signature = eth.sign_message(b"pay 1", SECRET).signature
    assert eth.recover_message(b"pay 2", signature) != Account.from_key(SECRET).address


def test_recover_message_reads_eth_account_signatures() -> None:
    rng = random.Random(SEED + 1)
    for _ in range(50):
        message, secret = _random_message(rng), random_secret(rng)
        theirs = Account.sign_message(_signable(message), secret)
        assert eth.recover_message(message, bytes(theirs.signature)) == (
            Account.from_key(secret).address
        )


def test_sign_messages_matches_scalar_for_every_key_form(
    corpus: list[tuple[bytes | str, bytes]],
) -> None:
    messages = [m for m, _ in corpus]
    secrets = [s for _, s in corpus]
    expected_one = [_fields(eth.sign_message(m, SECRET)) for m in messages]
    expected_each = [_fields(eth.sign_message(m, s)) for m, s in corpus]
    assert [_fields(s) for s in eth.sign_messages(messages, SECRET)] == expected_one
    one_key = sign.PrivateKey.from_bytes(SECRET)
    assert [_fields(s) for s in eth.sign_messages(messages, one_key)] == expected_one
    assert [_fields(s) for s in eth.sign_messages(messages, secrets)] == expected_each
    array = np.frombuffer(b"".join(secrets), dtype=np.uint8).reshape(-1, 32)
    assert [_fields(s) for s in eth.sign_messages(messages, array)] == expected_each
    assert [_fields(s) for s in eth.sign_messages(tuple(messages), array)] == expected_each


def test_sign_messages_of_nothing_is_empty() -> None:
    assert eth.sign_messages([], SECRET) == []


@pytest.mark.parametrize("bad", [None, 5, 1.5, bytearray(b"x"), memoryview(b"x"), [b"x"]])
@pytest.mark.parametrize("index", [0, 7, 19])
def test_a_bad_message_in_a_batch_reports_its_index(bad: object, index: int) -> None:
    messages: list[object] = [b"m"] * 20
    messages[index] = bad
    with pytest.raises(InvalidInput) as info:
        eth.sign_messages(messages, SECRET)  # type: ignore[arg-type]
    assert info.value.reason == "invalid_message"
    assert info.value.index == index
    assert f"messages[{index}]" in str(info.value)


def test_the_first_bad_message_is_reported() -> None:
    messages: list[object] = [b"m"] * 20
    messages[12] = 3
    messages[5] = None
    with pytest.raises(InvalidInput) as info:
        eth.sign_messages(messages, SECRET)  # type: ignore[arg-type]
    assert info.value.index == 5


@pytest.mark.parametrize("bad", [None, 5, bytearray(b"x"), [b"x"]])
def test_a_bad_scalar_message(bad: object) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_message(bad, SECRET)  # type: ignore[arg-type]
    assert info.value.reason == "invalid_message"
    assert info.value.index is None
    with pytest.raises(InvalidInput) as info:
        eth.recover_message(bad, b"\x00" * 65)  # type: ignore[arg-type]
    assert info.value.reason == "invalid_message"


@pytest.mark.parametrize("length", [0, 1, 64, 66, 130])
def test_a_signature_of_the_wrong_length(length: int) -> None:
    signature = (eth.sign_message(b"x", SECRET).signature * 3)[:length]
    with pytest.raises(InvalidInput) as info:
        eth.recover_message(b"x", signature)
    assert info.value.reason == "invalid_length"


@pytest.mark.parametrize("v", [2, 26, 29, 255])
def test_a_signature_with_a_bad_v(v: int) -> None:
    signature = eth.sign_message(b"x", SECRET).signature[:64] + bytes([v])
    with pytest.raises(InvalidInput):
        eth.recover_message(b"x", signature)


@pytest.mark.parametrize("key", [b"", SECRET[:31], SECRET + b"\x00", "0x" + SECRET.hex(), None])
def test_a_bad_key(key: object) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_message(b"x", key)  # type: ignore[arg-type]
    assert info.value.reason == "invalid_key"
    assert SECRET.hex() not in str(info.value)


def test_a_bad_key_in_a_batch_names_its_row() -> None:
    keys: list[object] = [SECRET] * 10
    keys[4] = SECRET[:31]
    with pytest.raises(InvalidInput) as info:
        eth.sign_messages([b"x"] * 10, keys)  # type: ignore[arg-type]
    assert info.value.reason == "invalid_key"
    assert str(info.value).startswith("keys[4]")


def test_an_invalid_secret_in_a_batch_reports_its_row() -> None:
    keys = [SECRET] * 10
    keys[6] = b"\x00" * 32
    with pytest.raises(InvalidInput) as info:
        eth.sign_messages([b"x"] * 10, keys)
    assert info.value.reason == "invalid_secret_key"
    assert info.value.index == 6


def test_key_count_must_match_message_count() -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_messages([b"x"] * 3, [SECRET] * 2)
    assert info.value.reason == "row_count_mismatch"


def test_an_invalid_scalar_secret() -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_message(b"x", b"\x00" * 32)
    assert info.value.reason == "invalid_secret_key"


def test_an_invalid_scalar_secret_has_no_batch_index() -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_message(b"x", b"\x00" * 32)
    assert info.value.index is None
    assert not str(info.value).startswith("item 0")


def test_text_that_is_not_unicode_is_refused() -> None:
    with pytest.raises(InvalidInput):
        eth.sign_message("\ud800", SECRET)
