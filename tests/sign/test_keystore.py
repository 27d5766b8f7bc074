"""Web3 Secret Storage v3 keystores, both ways with eth-account.

KDF costs are kept tiny (scrypt n = 2^4 or 2^10, PBKDF2 1,000 iterations) so the tests run
fast; the format and the code paths are the same as at full cost.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from eth_account import Account

from tpcore import InvalidInput, sign
from tpcore.errors import DecryptionError

SECRET = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
PASSWORD = "correct horse battery stäple"  # noqa: S105 - a test password
CHEAP = {"scrypt": 2**4, "pbkdf2": 1000}
KDFS = ["scrypt", "pbkdf2"]


@pytest.fixture(scope="module")
def keystores() -> dict[str, dict[str, Any]]:
    """One cheap tpcore keystore of SECRET per KDF."""
    return {
        kdf: sign.encrypt_keystore(SECRET, PASSWORD, kdf=kdf, iterations=CHEAP[kdf])  # type: ignore[arg-type]
        for kdf in KDFS
    }


@pytest.mark.parametrize(("kdf", "iterations"), [("scrypt", 2**10), ("pbkdf2", 1000)])
def test_eth_account_keystores_decrypt_in_tpcore(kdf: str, iterations: int) -> None:
    keystore = Account.encrypt(SECRET, PASSWORD, kdf=kdf, iterations=iterations)  # type: ignore[arg-type]
    key = sign.decrypt_keystore(keystore, PASSWORD)
    assert isinstance(key, sign.PrivateKey)
    assert key.secret_bytes() == SECRET
    assert key.checksum_address == Account.from_key(SECRET).address


@pytest.mark.parametrize("kdf", KDFS)
def test_tpcore_keystores_decrypt_in_eth_account(
    keystores: dict[str, dict[str, Any]], kdf: str
) -> None:
    keystore = keystores[kdf]
    assert bytes(Account.decrypt(keystore, PASSWORD)) == SECRET
    assert bytes(Account.decrypt(json.dumps(keystore), PASSWORD)) == SECRET


@pytest.mark.parametrize("kdf", KDFS)
def test_keystore_fields(keystores: dict[str, dict[str, Any]], kdf: str) -> None:
    keystore = keystores[kdf]
    assert keystore["version"] == 3
    assert keystore["address"].lower() == Account.from_key(SECRET).address[2:].lower()
    crypto = keystore["crypto"]
    assert crypto["cipher"] == "aes-128-ctr"
    assert crypto["kdf"] == kdf
    assert len(bytes.fromhex(crypto["cipherparams"]["iv"])) == 16
    assert len(bytes.fromhex(crypto["ciphertext"])) == 32
    assert len(bytes.fromhex(crypto["mac"])) == 32
    params = crypto["kdfparams"]
    assert params["dklen"] == 32
    if kdf == "scrypt":
        assert (params["n"], params["r"], params["p"]) == (CHEAP["scrypt"], 8, 1)
    else:
        assert (params["c"], params["prf"]) == (CHEAP["pbkdf2"], "hmac-sha256")
    assert SECRET.hex() not in json.dumps(keystore)


def test_each_encryption_uses_fresh_salt_and_iv() -> None:
    first = sign.encrypt_keystore(SECRET, PASSWORD, iterations=16)
    second = sign.encrypt_keystore(SECRET, PASSWORD, iterations=16)
    for field in (
        lambda k: k["crypto"]["kdfparams"]["salt"],
        lambda k: k["crypto"]["cipherparams"]["iv"],
        lambda k: k["crypto"]["ciphertext"],
        lambda k: k["id"],
    ):
        assert field(first) != field(second)


def test_pbkdf2_default_cost() -> None:
    keystore = sign.encrypt_keystore(SECRET, PASSWORD, kdf="pbkdf2")
    assert keystore["crypto"]["kdfparams"]["c"] == 1_000_000
    assert sign.decrypt_keystore(keystore, PASSWORD).secret_bytes() == SECRET


def test_key_object_and_bytes_encrypt_alike() -> None:
    from_key = sign.encrypt_keystore(sign.PrivateKey.from_bytes(SECRET), "pw", iterations=16)
    from_bytes = sign.encrypt_keystore(SECRET, "pw", iterations=16)
    assert from_key["address"] == from_bytes["address"]
    assert sign.decrypt_keystore(from_key, "pw").secret_bytes() == SECRET


def test_text_and_bytes_passwords_are_equivalent() -> None:
    encoded = PASSWORD.encode()
    by_text = sign.encrypt_keystore(SECRET, PASSWORD, kdf="pbkdf2", iterations=10)
    by_bytes = sign.encrypt_keystore(SECRET, encoded, kdf="pbkdf2", iterations=10)
    for keystore in (by_text, by_bytes):
        assert sign.decrypt_keystore(keystore, PASSWORD).secret_bytes() == SECRET
        assert sign.decrypt_keystore(keystore, encoded).secret_bytes() == SECRET
    # eth-account encodes text passwords as UTF-8 too.
    assert bytes(Account.decrypt(by_bytes, PASSWORD)) == SECRET


def test_binary_password() -> None:
    password = bytes(range(256))
    keystore = sign.encrypt_keystore(SECRET, password, kdf="pbkdf2", iterations=10)
    assert sign.decrypt_keystore(keystore, password).secret_bytes() == SECRET
    with pytest.raises(DecryptionError):
        sign.decrypt_keystore(keystore, password[:-1])


def test_dict_str_and_bytes_keystores(keystores: dict[str, dict[str, Any]]) -> None:
    keystore = keystores["scrypt"]
    text = json.dumps(keystore)
    for form in (keystore, text, text.encode()):
        assert sign.decrypt_keystore(form, PASSWORD).secret_bytes() == SECRET


def test_capitalised_crypto_field_as_written_by_old_wallets(
    keystores: dict[str, dict[str, Any]],
) -> None:
    keystore = dict(keystores["pbkdf2"])
    keystore["Crypto"] = keystore.pop("crypto")
    assert bytes(Account.decrypt(keystore, PASSWORD)) == SECRET
    assert sign.decrypt_keystore(keystore, PASSWORD).secret_bytes() == SECRET


@pytest.mark.parametrize("kdf", KDFS)
@pytest.mark.parametrize("password", ["", "hunter2", PASSWORD + " ", PASSWORD.upper()])
def test_wrong_password(keystores: dict[str, dict[str, Any]], kdf: str, password: str) -> None:
    with pytest.raises(DecryptionError) as err:
        sign.decrypt_keystore(keystores[kdf], password)
    assert isinstance(err.value, InvalidInput)
    assert err.value.reason == "wrong_password"
    assert err.value.index is None
    message = str(err.value)
    for secret_text in (PASSWORD, SECRET.hex(), SECRET.hex().upper()):
        assert secret_text not in message
    if password:
        assert password not in message


def _tampered(keystore: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(keystore))
    change(copy)
    return copy


def _flip_hex(text: str) -> str:
    return ("0" if text[0] != "0" else "1") + text[1:]


def _edit(
    path: str, edit: Callable[[dict[str, Any], str], None]
) -> Callable[[dict[str, Any]], None]:
    """A change that applies ``edit(parent, name)`` to the field at a dotted path."""
    *parents, last = path.split(".")

    def change(keystore: dict[str, Any]) -> None:
        node = keystore
        for name in parents:
            node = node[name]
        edit(node, last)

    return change


def _flip(path: str) -> Callable[[dict[str, Any]], None]:
    """Changes the first hex digit of a field."""
    return _edit(path, lambda node, name: node.__setitem__(name, _flip_hex(node[name])))


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return _edit(path, lambda node, name: node.__setitem__(name, value))


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    return _edit(path, lambda node, name: node.pop(name))


@pytest.mark.parametrize("kdf", KDFS)
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_flip("crypto.ciphertext"), id="ciphertext"),
        pytest.param(_flip("crypto.mac"), id="mac"),
        pytest.param(_flip("crypto.kdfparams.salt"), id="salt"),
    ],
)
def test_tampered_keystore_is_a_decryption_error(
    keystores: dict[str, dict[str, Any]], kdf: str, change: Callable[[dict[str, Any]], None]
) -> None:
    with pytest.raises(DecryptionError) as err:
        sign.decrypt_keystore(_tampered(keystores[kdf], change), PASSWORD)
    assert err.value.reason == "wrong_password"


@pytest.mark.parametrize(
    ("change", "reason", "names"),
    [
        (_delete("crypto"), "malformed_keystore", "crypto"),
        (_delete("version"), "malformed_keystore", "version"),
        (_delete("crypto.mac"), "malformed_keystore", "mac"),
        (_delete("crypto.kdfparams.salt"), "malformed_keystore", "salt"),
        (_set("crypto.ciphertext", "zz"), "malformed_keystore", "ciphertext"),
        (_set("crypto.ciphertext", "00" * 31), "malformed_keystore", "ciphertext"),
        (_set("crypto.mac", "00"), "malformed_keystore", "mac"),
        (_set("crypto.cipherparams.iv", "00"), "malformed_keystore", "iv"),
        (_set("crypto.kdfparams.salt", 5), "malformed_keystore", "salt"),
        (_set("crypto.kdfparams.n", "16"), "malformed_keystore", "n"),
        (_set("crypto.kdfparams.n", 3), "malformed_keystore", "n"),
        (_set("crypto.kdfparams.r", 0), "malformed_keystore", "r"),
        (_set("version", "3"), "malformed_keystore", "version"),
        (_set("version", 4), "unsupported_keystore", "version"),
        (_set("crypto.cipher", "aes-256-gcm"), "unsupported_keystore", "cipher"),
        (_set("crypto.kdf", "argon2id"), "unsupported_keystore", "kdf"),
        (_set("crypto.kdfparams.dklen", 16), "unsupported_keystore", "dklen"),
        (_set("crypto.kdfparams.n", 2**21), "unsupported_keystore", "n"),
        (_set("crypto.kdfparams.p", 10**6), "unsupported_keystore", "p"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_malformed_or_unsupported_scrypt_keystore(
    keystores: dict[str, dict[str, Any]],
    change: Callable[[dict[str, Any]], None],
    reason: str,
    names: str,
) -> None:
    with pytest.raises(InvalidInput) as err:
        sign.decrypt_keystore(_tampered(keystores["scrypt"], change), PASSWORD)
    assert not isinstance(err.value, DecryptionError)
    assert err.value.reason == reason
    assert names in str(err.value)
    assert PASSWORD not in str(err.value)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_set("crypto.kdfparams.prf", "hmac-sha512"), "unsupported_keystore"),
        (_set("crypto.kdfparams.c", 10**9), "unsupported_keystore"),
        (_set("crypto.kdfparams.c", 0), "malformed_keystore"),
        (_delete("crypto.kdfparams.c"), "malformed_keystore"),
    ],
)
def test_malformed_or_unsupported_pbkdf2_keystore(
    keystores: dict[str, dict[str, Any]], change: Callable[[dict[str, Any]], None], reason: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        sign.decrypt_keystore(_tampered(keystores["pbkdf2"], change), PASSWORD)
    assert err.value.reason == reason


@pytest.mark.parametrize("text", ["", "{", "[]", "null", "3", '"keystore"', "{}"])
def test_not_a_keystore(text: str) -> None:
    for form in (text, text.encode()):
        with pytest.raises(InvalidInput) as err:
            sign.decrypt_keystore(form, PASSWORD)
        assert err.value.reason == "malformed_keystore"


def test_keystore_bytes_that_are_not_utf8() -> None:
    with pytest.raises(InvalidInput) as err:
        sign.decrypt_keystore(b"\xff{}", PASSWORD)
    assert err.value.reason == "malformed_keystore"


@pytest.mark.parametrize("secret", [bytes(32), b"\xff" * 32])
def test_encrypting_an_invalid_secret(secret: bytes) -> None:
    with pytest.raises(InvalidInput) as err:
        sign.encrypt_keystore(secret, PASSWORD, kdf="pbkdf2", iterations=1)
    assert err.value.reason == "invalid_secret_key"
    assert secret.hex() not in str(err.value)


def test_encrypting_with_an_unknown_kdf() -> None:
    with pytest.raises(InvalidInput, match="kdf") as err:
        sign.encrypt_keystore(SECRET, PASSWORD, kdf="argon2")  # type: ignore[arg-type]
    assert err.value.reason == "unsupported_kdf"


@pytest.mark.parametrize(
    ("kdf", "iterations"),
    [
        ("scrypt", 0),
        ("scrypt", 1),
        ("scrypt", 1000),
        ("scrypt", 2**21),
        ("pbkdf2", 0),
        ("pbkdf2", 10**8),
        ("scrypt", -1),
        ("pbkdf2", 2**40),
    ],
)
def test_encrypting_with_out_of_bounds_kdf_cost(kdf: str, iterations: int) -> None:
    with pytest.raises(InvalidInput) as err:
        sign.encrypt_keystore(SECRET, PASSWORD, kdf=kdf, iterations=iterations)  # type: ignore[arg-type]
    assert err.value.reason == "invalid_kdf_params"
    assert (
        "iterations" in str(err.value) or "Scrypt" in str(err.value) or "Pbkdf2" in str(err.value)
    )
    assert PASSWORD not in str(err.value)
