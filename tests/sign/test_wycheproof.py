"""Every Wycheproof case of the four vector files, against ``tpcore.sign``.

ECDSA: the message is hashed with the group's hash (SHA-256, or FIPS SHA3-256 — not
Keccak) and the DER signature verified with ``ecdsa_verify_der`` against the group's
uncompressed key. The bitcoin file requires low s, so it runs with ``strict=True`` and must
match exactly. The two plain files count high-s signatures as valid: with ``strict=False``
our verdict must match theirs exactly, and ``strict=True`` must reject exactly the valid
cases whose s is above n/2 (see SOURCE.md). Ed25519: ``ed25519_verify`` on every case, and
``ed25519_verify_all`` on the one-row batch, in both modes, must agree.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sign_helpers import SECP256K1_N, der_integers
from wycheproof import VECTORS, check_result, load, wycheproof

from tpcore import InvalidInput, sign

HASHES: dict[str, Callable[[bytes], Any]] = {
    "SHA-256": hashlib.sha256,
    "SHA3-256": hashlib.sha3_256,
}

FILES = [
    "ecdsa_secp256k1_sha256_bitcoin_test.json",
    "ecdsa_secp256k1_sha256_test.json",
    "ecdsa_secp256k1_sha3_256_test.json",
    "ed25519_test.json",
]


def _source_table() -> dict[str, tuple[int, str]]:
    """``file -> (tests, sha256)`` from the table in SOURCE.md."""
    table = {}
    for line in (VECTORS / "SOURCE.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 6 and cells[0].endswith(".json"):
            table[cells[0]] = (int(cells[3]), cells[5])
    return table


@pytest.mark.parametrize("filename", FILES)
def test_vector_file_is_the_recorded_one(filename: str) -> None:
    """The files are unmodified and hold as many cases as the suite runs."""
    tests, digest = _source_table()[filename]
    assert hashlib.sha256((VECTORS / filename).read_bytes()).hexdigest() == digest
    data = load(filename)
    assert data["numberOfTests"] == tests
    assert sum(len(group["tests"]) for group in data["testGroups"]) == tests
    assert re.fullmatch(r"[0-9a-f]{64}", digest)


def _ecdsa_inputs(group: dict[str, Any], case: dict[str, Any]) -> tuple[bytes, bytes, bytes]:
    public_key = bytes.fromhex(group["publicKey"]["uncompressed"])
    digest = HASHES[group["sha"]](bytes.fromhex(case["msg"])).digest()
    return public_key, digest, bytes.fromhex(case["sig"])


def _is_high_s(der: bytes) -> bool:
    _, s = der_integers(der)
    return s > SECP256K1_N // 2


def _check_compact_forms(
    group: dict[str, Any], digest: bytes, der: bytes, *, strict: bool, expected: bool
) -> None:
    """A valid case's (r, s) verifies through the batch API with every key encoding."""
    r, s = der_integers(der)
    compact = np.frombuffer(r.to_bytes(32, "big") + s.to_bytes(32, "big"), np.uint8)[None]
    hashes = np.frombuffer(digest, np.uint8)[None]
    wx, wy = (int(group["publicKey"][k], 16) for k in ("wx", "wy"))
    encodings = [
        b"\x04" + wx.to_bytes(32, "big") + wy.to_bytes(32, "big"),
        wx.to_bytes(32, "big") + wy.to_bytes(32, "big"),
        bytes([2 + (wy & 1)]) + wx.to_bytes(32, "big"),
    ]
    for encoded in encodings:
        key = np.frombuffer(encoded, np.uint8)
        assert sign.ecdsa_verify(key, hashes, compact, strict=strict).tolist() == [expected]


@wycheproof("ecdsa_secp256k1_sha256_bitcoin_test.json")
def test_ecdsa_sha256_bitcoin(group: dict[str, Any], case: dict[str, Any]) -> None:
    public_key, digest, der = _ecdsa_inputs(group, case)
    check_result(case, lambda: sign.ecdsa_verify_der(public_key, digest, der, strict=True))
    if case["result"] == "valid":
        _check_compact_forms(group, digest, der, strict=True, expected=True)


def _check_plain_file(group: dict[str, Any], case: dict[str, Any]) -> None:
    public_key, digest, der = _ecdsa_inputs(group, case)
    lax = check_result(case, lambda: sign.ecdsa_verify_der(public_key, digest, der, strict=False))
    strict = sign.ecdsa_verify_der(public_key, digest, der, strict=True)
    if case["result"] == "valid":
        assert strict is not _is_high_s(der)
        _check_compact_forms(group, digest, der, strict=False, expected=True)
        _check_compact_forms(group, digest, der, strict=True, expected=strict)
    elif case["result"] == "invalid":
        assert strict is False
    else:
        # Strict never accepts what lax rejects.
        assert strict <= lax


@wycheproof("ecdsa_secp256k1_sha256_test.json")
def test_ecdsa_sha256(group: dict[str, Any], case: dict[str, Any]) -> None:
    _check_plain_file(group, case)


@wycheproof("ecdsa_secp256k1_sha3_256_test.json")
def test_ecdsa_sha3_256(group: dict[str, Any], case: dict[str, Any]) -> None:
    _check_plain_file(group, case)


@wycheproof("ed25519_test.json")
def test_ed25519(group: dict[str, Any], case: dict[str, Any]) -> None:
    public_key = np.frombuffer(bytes.fromhex(group["publicKey"]["pk"]), np.uint8)
    message = [bytes.fromhex(case["msg"])]
    signature = bytes.fromhex(case["sig"])
    if len(signature) != 64:
        # Not expressible as an (N, 64) row: the shape check rejects it, which honours
        # `invalid` (every such case in the file is invalid).
        assert case["result"] == "invalid"
        rows = np.frombuffer(signature, np.uint8)[None]
        with pytest.raises(InvalidInput, match="signatures") as err:
            sign.ed25519_verify(public_key, message, rows)
        assert err.value.reason == "invalid_shape"
        return
    rows = np.frombuffer(signature, np.uint8)[None]
    verdict = check_result(case, lambda: bool(sign.ed25519_verify(public_key, message, rows)[0]))
    for strict in (False, True):
        assert sign.ed25519_verify_all(public_key, message, rows, strict=strict) is verdict
        assert sign.ed25519_verify_all(public_key[None], message, rows, strict=strict) is verdict
