"""Ed25519 batch signing and verification, against PyNaCl (libsodium) and RFC 8032.

Ed25519 signatures are deterministic, so tpcore's must be byte-identical to libsodium's.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey
from numpy.typing import NDArray
from sign_helpers import ED25519_L, random_rows

from tpcore import sign

ROWS = 1000
SEED = 25_519

Batch = tuple[NDArray[np.uint8], list[bytes], NDArray[np.uint8], NDArray[np.uint8]]


@pytest.fixture(scope="module")
def batch() -> Batch:
    """``(seeds, messages, public_keys, signatures)``: seeded random ragged rows."""
    rng = np.random.default_rng(SEED)
    seeds = random_rows(rng, ROWS, 32)
    messages = [rng.bytes(int(n)) for n in rng.integers(0, 300, size=ROWS)]
    messages[:3] = [b"", b"", b"\x00"]
    public = np.stack(
        [
            np.frombuffer(sign.Ed25519PrivateKey.from_seed(s.tobytes()).public_key, np.uint8)
            for s in seeds
        ]
    )
    return seeds, messages, public, sign.ed25519_sign(seeds, messages)


def test_rfc8032_test_1() -> None:
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    key = sign.Ed25519PrivateKey.from_seed(seed)
    assert key.public_key.hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )
    expected = (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    assert key.sign(b"").hex() == expected
    assert sign.ed25519_sign(np.frombuffer(seed, np.uint8), [b""]).tobytes().hex() == expected


def test_signatures_and_keys_are_identical_to_pynacl(batch: Batch) -> None:
    seeds, messages, public, signatures = batch
    assert signatures.shape == (ROWS, 64)
    assert signatures.dtype == np.uint8
    assert signatures.flags.c_contiguous
    for seed, message, key, signature in zip(seeds, messages, public, signatures, strict=True):
        nacl_key = SigningKey(seed.tobytes())
        assert key.tobytes() == bytes(nacl_key.verify_key)
        assert signature.tobytes() == nacl_key.sign(message).signature


def test_pynacl_signatures_verify_and_ours_verify_in_pynacl(batch: Batch) -> None:
    seeds, messages, public, signatures = batch
    nacl_signatures = np.stack(
        [
            np.frombuffer(SigningKey(s.tobytes()).sign(m).signature, np.uint8)
            for s, m in zip(seeds[:200], messages, strict=False)
        ]
    )
    assert sign.ed25519_verify(public[:200], messages[:200], nacl_signatures).all()
    for key, message, signature in zip(public[:200], messages, signatures, strict=False):
        VerifyKey(key.tobytes()).verify(message, signature.tobytes())


def test_verify_and_verify_all_on_a_good_batch(batch: Batch) -> None:
    _, messages, public, signatures = batch
    ok = sign.ed25519_verify(public, messages, signatures)
    assert ok.shape == (ROWS,)
    assert ok.dtype == np.bool_
    assert ok.all()
    assert sign.ed25519_verify_all(public, messages, signatures) is True
    assert sign.ed25519_verify_all(public, messages, signatures, strict=False) is True
    assert sign.ed25519_verify_all(public, messages, signatures, strict=True) is True


@pytest.fixture(scope="module")
def thousands() -> tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8]]:
    """``(key, messages, signatures)``: 5,000 rows signed by one key."""
    rng = np.random.default_rng(SEED + 3)
    seed = random_rows(rng, 1, 32)[0]
    messages = random_rows(rng, 5_000, 40)
    key = np.frombuffer(sign.Ed25519PrivateKey.from_seed(seed.tobytes()).public_key, np.uint8)
    return key, messages, sign.ed25519_sign(seed, messages)


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("bad", [0, 1, 2_500, 4_095, 4_096, 4_999])
def test_verify_all_one_bad_row_in_thousands(
    thousands: tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8]],
    bad: int,
    strict: bool,
) -> None:
    # 5,000 rows span ten batch equations of 512 rows (the last one short).
    key, messages, signatures = thousands
    assert sign.ed25519_verify_all(key, messages, signatures, strict=strict) is True
    tampered = signatures.copy()
    tampered[bad, 50] ^= 4
    assert sign.ed25519_verify_all(key, messages, tampered, strict=strict) is False
    keys = np.ascontiguousarray(np.tile(key, (5_000, 1)))
    keys[bad] = np.frombuffer(sign.Ed25519PrivateKey.from_seed(bytes(32)).public_key, np.uint8)
    assert sign.ed25519_verify_all(keys, messages, signatures, strict=strict) is False


def test_strict_is_keyword_only(batch: Batch) -> None:
    _, messages, public, signatures = batch
    with pytest.raises(TypeError):
        sign.ed25519_verify_all(public, messages, signatures, True)  # type: ignore[misc]


@pytest.mark.parametrize("strict", [False, True])
def test_verify_flags_exactly_the_bad_rows_and_verify_all_fails(batch: Batch, strict: bool) -> None:
    _, messages, public, signatures = batch
    messages = list(messages[:40])
    public, signatures = public[:40].copy(), signatures[:40].copy()
    messages[4] += b"!"  # tampered message
    signatures[9, 3] ^= 1  # tampered R
    signatures[13, 40] ^= 1  # tampered s
    public[21] = public[22]  # someone else's key
    # s + l: the same scalar, non-canonically encoded (strict verification rejects it).
    s = int.from_bytes(signatures[30, 32:].tobytes(), "little") + ED25519_L
    signatures[30, 32:] = np.frombuffer(s.to_bytes(32, "little"), np.uint8)
    ok = sign.ed25519_verify(public, messages, signatures)
    assert np.flatnonzero(~ok).tolist() == [4, 9, 13, 21, 30]
    assert sign.ed25519_verify_all(public, messages, signatures, strict=strict) is False
    for bad in [4, 9, 13, 21, 30]:
        one = [bad]
        rows = (public[one], [messages[bad]], signatures[one])
        assert sign.ed25519_verify_all(*rows, strict=strict) is False
    with pytest.raises(BadSignatureError):
        VerifyKey(public[30].tobytes()).verify(messages[30], signatures[30].tobytes())


def test_broadcast_seed_and_key_equal_repeated_rows() -> None:
    rng = np.random.default_rng(SEED + 1)
    seed = random_rows(rng, 1, 32)[0]
    messages = [rng.bytes(int(n)) for n in rng.integers(0, 100, size=25)]
    broadcast = sign.ed25519_sign(seed, messages)
    np.testing.assert_array_equal(broadcast, sign.ed25519_sign(np.tile(seed, (25, 1)), messages))
    key = np.frombuffer(sign.Ed25519PrivateKey.from_seed(seed.tobytes()).public_key, np.uint8)
    assert sign.ed25519_verify(key, messages, broadcast).all()
    assert sign.ed25519_verify(key[None], messages, broadcast).all()
    assert sign.ed25519_verify_all(key, messages, broadcast) is True
    assert sign.ed25519_verify_all(key, messages, broadcast, strict=True) is True
    tiled = np.ascontiguousarray(np.tile(key, (25, 1)))
    assert sign.ed25519_verify_all(tiled, messages, broadcast) is True


def test_fixed_width_messages_equal_the_ragged_form() -> None:
    rng = np.random.default_rng(SEED + 2)
    seeds = random_rows(rng, 30, 32)
    messages = random_rows(rng, 30, 48)
    as_list = [row.tobytes() for row in messages]
    signatures = sign.ed25519_sign(seeds, messages)
    np.testing.assert_array_equal(signatures, sign.ed25519_sign(seeds, as_list))
    public = np.stack(
        [np.frombuffer(SigningKey(s.tobytes()).verify_key.encode(), np.uint8) for s in seeds]
    )
    assert sign.ed25519_verify(public, messages, signatures).all()


def test_empty_batches() -> None:
    seeds = np.zeros((0, 32), np.uint8)
    signatures = sign.ed25519_sign(seeds, [])
    assert signatures.shape == (0, 64)
    assert signatures.dtype == np.uint8
    broadcast = sign.ed25519_sign(np.ones(32, np.uint8), [])
    assert broadcast.shape == (0, 64)
    ok = sign.ed25519_verify(seeds, [], signatures)
    assert ok.shape == (0,)
    assert ok.dtype == np.bool_
    assert sign.ed25519_verify_all(seeds, [], signatures) is True
    assert sign.ed25519_verify_all(seeds, [], signatures, strict=True) is True
    # A broadcast key over no rows is not even parsed.
    assert sign.ed25519_verify_all(np.full(32, 0xFF, np.uint8), [], signatures) is True


def test_array_of_empty_messages_is_n_messages() -> None:
    seed = np.full(32, 3, np.uint8)
    signatures = sign.ed25519_sign(seed, np.zeros((4, 0), np.uint8))
    assert signatures.shape == (4, 64)
    key = np.frombuffer(sign.Ed25519PrivateKey.from_seed(seed.tobytes()).public_key, np.uint8)
    assert sign.ed25519_verify(key, np.zeros((4, 0), np.uint8), signatures).all()


def test_key_object_agrees_with_the_batch(batch: Batch) -> None:
    seeds, messages, public, signatures = batch
    for i in range(30):
        key = sign.Ed25519PrivateKey.from_seed(seeds[i].tobytes())
        assert key.seed_bytes() == seeds[i].tobytes()
        assert key.public_key == public[i].tobytes()
        assert key.sign(messages[i]) == signatures[i].tobytes()


def test_generated_keys_are_distinct_and_work() -> None:
    keys = [sign.Ed25519PrivateKey.generate() for _ in range(8)]
    assert len({key.seed_bytes() for key in keys}) == 8
    for key in keys:
        restored = sign.Ed25519PrivateKey.from_seed(key.seed_bytes())
        assert restored.public_key == key.public_key
        VerifyKey(key.public_key).verify(b"hello", key.sign(b"hello"))


@settings(max_examples=60, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), message=st.binary(max_size=200))
def test_sign_verify_round_trip(seed: bytes, message: bytes) -> None:
    key = sign.Ed25519PrivateKey.from_seed(seed)
    public = np.frombuffer(key.public_key, np.uint8)
    signature = np.frombuffer(key.sign(message), np.uint8)[None]
    assert sign.ed25519_verify(public, [message], signature).tolist() == [True]
    assert sign.ed25519_verify_all(public, [message], signature) is True
    assert sign.ed25519_verify_all(public, [message], signature, strict=True) is True
    assert sign.ed25519_verify(public, [message + b"\x00"], signature).tolist() == [False]
    assert sign.ed25519_verify_all(public, [message + b"\x00"], signature) is False
