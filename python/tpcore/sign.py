"""Signing: secp256k1 ECDSA with recovery, Ed25519, keccak, HD derivation and keystores.

Batch functions take and return numpy uint8 arrays, one row per item: ``(N, 32)`` hashes
and secret keys, ``(N, 65)`` signatures ``r || s || v``, ``(N, 64)`` public keys,
``(N, 20)`` addresses. Inputs are borrowed without copies and the work runs in parallel
with the GIL released (``tpcore.set_num_threads``). Bad input raises
:class:`tpcore.InvalidInput` naming the argument, or the ``index`` of the first bad row.

Example:
    >>> import numpy as np
    >>> from tpcore import sign
    >>> key = sign.PrivateKey.from_bytes(bytes.fromhex("46" * 32))
    >>> key.checksum_address
    '0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F'
    >>> hashes = np.zeros((3, 32), dtype=np.uint8)
    >>> signatures = sign.ecdsa_sign(np.frombuffer(key.secret_bytes(), np.uint8), hashes)
    >>> signatures.shape
    (3, 65)
    >>> recovered = sign.ecdsa_recover_address(hashes, signatures)
    >>> {bytes(row) for row in recovered} == {key.address}
    True
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from tpcore import _core
from tpcore._core import (
    Ed25519PrivateKey,
    PrivateKey,
    addresses,
    derive,
    derive_private_key,
    ecdsa_recover,
    ecdsa_recover_address,
    ecdsa_sign,
    ecdsa_verify,
    ecdsa_verify_der,
    ed25519_sign,
    ed25519_verify,
    ed25519_verify_all,
    generate_mnemonic,
    keccak256,
    mnemonic_to_seed,
    public_keys,
    to_checksum_address,
)
from tpcore.errors import InvalidInput

__all__ = [
    "Ed25519PrivateKey",
    "PrivateKey",
    "addresses",
    "decrypt_keystore",
    "derive",
    "derive_private_key",
    "ecdsa_recover",
    "ecdsa_recover_address",
    "ecdsa_sign",
    "ecdsa_verify",
    "ecdsa_verify_der",
    "ed25519_sign",
    "ed25519_verify",
    "ed25519_verify_all",
    "encrypt_keystore",
    "generate_mnemonic",
    "keccak256",
    "mnemonic_to_seed",
    "public_keys",
    "to_checksum_address",
]


def _password_bytes(password: str | bytes) -> bytes:
    # As geth and eth-account: a text password is its UTF-8 bytes.
    return password.encode() if isinstance(password, str) else password


def encrypt_keystore(
    key: PrivateKey | bytes,
    password: str | bytes,
    *,
    kdf: Literal["scrypt", "pbkdf2"] = "scrypt",
    iterations: int | None = None,
) -> dict[str, Any]:
    """Encrypts a secp256k1 key into a Web3 Secret Storage v3 keystore.

    The result is the keystore as a dict, the form eth-account returns; ``json.dump`` it to
    write a file geth and eth-account can read.

    Args:
        key: The key, or its 32-byte secret.
        password: Text (encoded as UTF-8) or bytes.
        kdf: ``"scrypt"`` (n = 2^18, r = 8, p = 1) or ``"pbkdf2"`` (1,000,000 iterations).
        iterations: scrypt's n or PBKDF2's iteration count, overriding the default.

    Raises:
        InvalidInput: The secret is not a valid key, or the KDF settings are out of bounds.
    """
    if isinstance(key, bytes):
        key = PrivateKey.from_bytes(key)
    text = _core.keystore_encrypt(key, _password_bytes(password), kdf=kdf, iterations=iterations)
    keystore: dict[str, Any] = json.loads(text)
    return keystore


def decrypt_keystore(
    keystore: Mapping[str, Any] | str | bytes, password: str | bytes
) -> PrivateKey:
    """Decrypts a v3 keystore (a dict, or its JSON text) written by tpcore, geth or eth-account.

    Raises:
        DecryptionError: The password is wrong or the keystore was altered (MAC mismatch).
        InvalidInput: The keystore is malformed or uses an unsupported cipher or KDF.
    """
    if isinstance(keystore, bytes):
        try:
            text = keystore.decode()
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"keystore: not UTF-8 JSON ({exc.reason} at byte {exc.start})",
                "malformed_keystore",
            ) from None
    elif isinstance(keystore, str):
        text = keystore
    else:
        text = json.dumps(keystore)
    return _core.keystore_decrypt(text, _password_bytes(password))
