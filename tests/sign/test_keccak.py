"""Keccak-256 (Ethereum's hash, not FIPS SHA3) over batches of messages.

Checked against pycryptodome's ``keccak.new(digest_bits=256)`` for fixed-width arrays and
ragged sequences, including empty messages and lengths around the 136-byte rate.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from Crypto.Hash import keccak
from sign_helpers import random_rows

from tpcore import sign

SEED = 31_337


def _reference(message: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=message).digest()


@pytest.mark.parametrize(
    ("message", "digest"),
    [
        (b"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        (b"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
    ],
)
def test_known_digests(message: bytes, digest: str) -> None:
    out = sign.keccak256([message])
    assert out.tobytes().hex() == digest


def test_is_keccak_not_fips_sha3() -> None:
    assert sign.keccak256([b""]).tobytes() != hashlib.sha3_256(b"").digest()


@pytest.mark.parametrize("width", [1, 20, 32, 64, 135, 136, 137, 272, 1000])
def test_fixed_width_arrays_match_pycryptodome(width: int) -> None:
    rng = np.random.default_rng(SEED + width)
    messages = random_rows(rng, 257, width)
    out = sign.keccak256(messages)
    assert out.shape == (257, 32)
    assert out.dtype == np.uint8
    assert out.flags.c_contiguous
    for message, digest in zip(messages, out, strict=True):
        assert digest.tobytes() == _reference(message.tobytes())


def test_ragged_messages_match_pycryptodome() -> None:
    rng = np.random.default_rng(SEED)
    lengths = [0, 0, 1, 135, 136, 137, 0, *rng.integers(0, 400, size=2000).tolist()]
    messages = [rng.bytes(length) for length in lengths]
    out = sign.keccak256(messages)
    assert out.shape == (len(messages), 32)
    assert out.flags.c_contiguous
    for message, digest in zip(messages, out, strict=True):
        assert digest.tobytes() == _reference(message)


def test_array_and_sequence_forms_agree() -> None:
    messages = random_rows(np.random.default_rng(SEED + 1), 50, 77)
    as_list = [row.tobytes() for row in messages]
    np.testing.assert_array_equal(sign.keccak256(messages), sign.keccak256(as_list))
    np.testing.assert_array_equal(sign.keccak256(messages), sign.keccak256(tuple(as_list)))


def test_empty_batches() -> None:
    for messages in ([], (), np.zeros((0, 5), np.uint8)):
        out = sign.keccak256(messages)
        assert out.shape == (0, 32)
        assert out.dtype == np.uint8


def test_list_of_empty_messages() -> None:
    out = sign.keccak256([b""] * 5)
    assert out.shape == (5, 32)
    assert {row.tobytes() for row in out} == {_reference(b"")}


def test_array_of_empty_messages_gives_one_digest_per_row() -> None:
    out = sign.keccak256(np.zeros((5, 0), np.uint8))
    assert out.shape == (5, 32)
    assert {row.tobytes() for row in out} == {_reference(b"")}
