"""The key classes: construction, consistency with the batch API, and secrecy.

A secret must never be shown: not by ``repr``/``str``, not in exception messages, not in
a pickle (pickling raises), not through ``copy``.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest
from eth_account import Account
from sign_helpers import SECP256K1_N, int_row

from tpcore import InvalidInput, sign

SECRET = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
ED_SEED = bytes.fromhex("1f" * 16 + "e2" * 16)


def _secret_texts(secret: bytes) -> list[str]:
    """The ways a secret could leak into text."""
    return [secret.hex(), secret.hex().upper(), repr(secret), str(list(secret))]


def test_private_key_round_trip_and_properties() -> None:
    key = sign.PrivateKey.from_bytes(SECRET)
    assert key.secret_bytes() == SECRET
    account = Account.from_key(SECRET)
    assert key.checksum_address == account.address
    assert key.address == bytes.fromhex(account.address[2:])
    assert len(key.public_key) == 64
    assert sign.addresses(np.frombuffer(key.public_key, np.uint8)[None]).tobytes() == key.address
    assert sign.public_keys(np.frombuffer(SECRET, np.uint8)[None]).tobytes() == key.public_key


def test_generated_keys_are_distinct_and_valid() -> None:
    keys = [sign.PrivateKey.generate() for _ in range(16)]
    secrets = {key.secret_bytes() for key in keys}
    assert len(secrets) == 16
    for key in keys:
        assert 0 < int.from_bytes(key.secret_bytes(), "big") < SECP256K1_N
        assert key.address == sign.PrivateKey.from_bytes(key.secret_bytes()).address


@pytest.mark.parametrize(
    "value",
    [0, SECP256K1_N, SECP256K1_N + 1, 2**256 - 1],
    ids=["zero", "n", "n_plus_1", "max"],
)
def test_invalid_secret_is_rejected_without_showing_it(value: int) -> None:
    secret = value.to_bytes(32, "big")
    with pytest.raises(InvalidInput) as err:
        sign.PrivateKey.from_bytes(secret)
    assert err.value.reason == "invalid_secret_key"
    assert err.value.index is None
    for text in _secret_texts(secret)[:2]:
        assert text not in str(err.value)


def test_largest_valid_secret_is_accepted() -> None:
    key = sign.PrivateKey.from_bytes((SECP256K1_N - 1).to_bytes(32, "big"))
    # n - 1 = -1: its public key is the generator negated (same x as key 1).
    one = sign.PrivateKey.from_bytes((1).to_bytes(32, "big"))
    assert key.public_key[:32] == one.public_key[:32]
    assert key.public_key[32:] != one.public_key[32:]


def test_batch_errors_for_invalid_keys_do_not_show_them() -> None:
    keys = np.stack([int_row(7), int_row(SECP256K1_N + 0xABCDEF)])
    for call in (lambda: sign.public_keys(keys), lambda: sign.ecdsa_sign(keys, keys)):
        with pytest.raises(InvalidInput) as err:
            call()
        assert (err.value.reason, err.value.index) == ("invalid_secret_key", 1)
        for text in _secret_texts(keys[1].tobytes())[:2]:
            assert text not in str(err.value)
        assert "abcdef" not in str(err.value).lower()


def _all_text(obj: Any) -> str:
    return repr(obj) + str(obj) + format(obj, "")


def test_private_key_repr_shows_only_the_address() -> None:
    key = sign.PrivateKey.from_bytes(SECRET)
    assert repr(key) == f"PrivateKey(address='{key.checksum_address}')"
    assert str(key) == repr(key)
    for text in _secret_texts(SECRET):
        assert text not in _all_text(key)
        assert text.lower() not in _all_text(key).lower()


def test_ed25519_repr_shows_the_public_key_not_the_seed() -> None:
    key = sign.Ed25519PrivateKey.from_seed(ED_SEED)
    assert key.public_key.hex() in repr(key)
    for text in _secret_texts(ED_SEED):
        assert text not in _all_text(key)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("kind", ["secp256k1", "ed25519"])
def test_pickling_a_key_raises_type_error(kind: str, protocol: int) -> None:
    key: object = (
        sign.PrivateKey.from_bytes(SECRET)
        if kind == "secp256k1"
        else sign.Ed25519PrivateKey.from_seed(ED_SEED)
    )
    secret = SECRET if kind == "secp256k1" else ED_SEED
    with pytest.raises(TypeError, match="pickle") as err:
        pickle.dumps(key, protocol=protocol)
    assert secret.hex() not in str(err.value)


@pytest.mark.parametrize("clone", [copy.copy, copy.deepcopy])
def test_copying_a_key_raises_rather_than_leaking(clone: Any) -> None:
    for key in (sign.PrivateKey.from_bytes(SECRET), sign.Ed25519PrivateKey.from_seed(ED_SEED)):
        with pytest.raises(TypeError):
            clone(key)


def test_keys_are_frozen() -> None:
    key = sign.PrivateKey.from_bytes(SECRET)
    with pytest.raises(AttributeError):
        key.secret = b"x"  # type: ignore[attr-defined]
    assert key.secret_bytes() == SECRET


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_wrong_length_secret_or_seed(length: int) -> None:
    with pytest.raises(InvalidInput, match="secret_key") as err:
        sign.PrivateKey.from_bytes(b"\x01" * length)
    assert err.value.reason == "invalid_length"
    with pytest.raises(InvalidInput, match="seed") as err:
        sign.Ed25519PrivateKey.from_seed(b"\x01" * length)
    assert err.value.reason == "invalid_length"


@pytest.mark.parametrize("length", [0, 31, 33])
def test_sign_hash_needs_32_bytes(length: int) -> None:
    key = sign.PrivateKey.from_bytes(SECRET)
    with pytest.raises(InvalidInput, match="msg_hash") as err:
        key.sign_hash(b"\x00" * length)
    assert err.value.reason == "invalid_length"
