"""Shared constants and builders for the tests of ``tpcore.sign``.

Random data always comes from a seeded generator passed in by the test, so a failure
reproduces from the seed printed in the test's source.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: The order n of the secp256k1 group.
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

#: The order l of the Ed25519 prime-order subgroup.
ED25519_L = 2**252 + 27742317777372353535851937790883648493


def int_row(value: int, width: int = 32) -> NDArray[np.uint8]:
    """Returns ``value`` as a big-endian uint8 row of ``width`` bytes."""
    return np.frombuffer(value.to_bytes(width, "big"), dtype=np.uint8).copy()


def random_rows(rng: np.random.Generator, rows: int, width: int) -> NDArray[np.uint8]:
    """Returns a C-contiguous ``(rows, width)`` uint8 array of random bytes."""
    return rng.integers(0, 256, size=(rows, width), dtype=np.uint8)


def random_secret_keys(rng: np.random.Generator, rows: int) -> NDArray[np.uint8]:
    """Returns ``rows`` valid secp256k1 secret keys (non-zero and below n)."""
    keys = random_rows(rng, rows, 32)
    for i in range(rows):
        while not 0 < int.from_bytes(keys[i].tobytes(), "big") < SECP256K1_N:
            keys[i] = random_rows(rng, 1, 32)[0]
    return keys


def split_signature(signature: bytes) -> tuple[int, int, int]:
    """Splits a 65-byte ``r || s || v`` signature into the integers ``(r, s, v)``."""
    assert len(signature) == 65
    return (
        int.from_bytes(signature[:32], "big"),
        int.from_bytes(signature[32:64], "big"),
        signature[64],
    )


def join_signature(r: int, s: int, v: int) -> bytes:
    """Joins ``(r, s, v)`` into a 65-byte ``r || s || v`` signature."""
    return r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([v])


def high_s_twin(signature: bytes) -> bytes:
    """Returns the malleated twin of a low-s signature: s replaced by n - s, v flipped.

    Both recover the same public key; only the high-s one breaks EIP-2's rule.
    """
    r, s, v = split_signature(signature)
    return join_signature(r, SECP256K1_N - s, v ^ 1)


def der_integers(der: bytes) -> tuple[int, int]:
    """Parses a well-formed DER ECDSA signature (short-form lengths) into ``(r, s)``."""
    assert der[0] == 0x30
    assert der[1] == len(der) - 2
    assert der[2] == 0x02
    r_len = der[3]
    r = int.from_bytes(der[4 : 4 + r_len], "big")
    s_at = 4 + r_len
    assert der[s_at] == 0x02
    s_len = der[s_at + 1]
    s = int.from_bytes(der[s_at + 2 : s_at + 2 + s_len], "big")
    assert s_at + 2 + s_len == len(der)
    return r, s
