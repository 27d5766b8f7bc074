"""The signer's keys: a folder of encrypted keystores, loaded once, selected by address.

Each key is a Web3 Secret Storage v3 file (what geth and eth-account write), named by its
address. Ed25519 keys use the same encryption for their 32-byte seed and say so in a
``tpcore`` field (``{"kind": "ed25519", "public_key": hex}``); they are selected by public
key. The password comes from a file or an environment variable, never from a command
line. Secrets stay in :class:`tpcore.sign.PrivateKey` objects (zeroized when dropped) and
one table of secp256k1 secrets for batch signing, zeroed by :meth:`KeyRing.close`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tpcore import eth, sign
from tpcore.errors import InvalidInput

__all__ = ["KeyRing", "import_key", "list_keys", "new_key", "read_password"]

ED25519 = "ed25519"
SECP256K1 = "secp256k1"


def read_password(*, file: str | None = None, env: str | None = None) -> str:
    """The keystore password from a file (first line) or an environment variable."""
    if file:
        return Path(file).read_text().splitlines()[0] if Path(file).stat().st_size else ""
    if env:
        value = os.environ.get(env)
        if value is None:
            raise ValueError(f"environment variable {env} is not set")
        return value
    raise ValueError("give the keystore password as a file or an environment variable")


def _write(folder: Path, name: str, keystore: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(keystore, out)
    return path


def new_key(
    folder: Path, password: str, *, kind: str = SECP256K1, iterations: int | None = None
) -> str:
    """Generates a key, writes its keystore and returns its address (or public key)."""
    if kind == ED25519:
        while True:  # the seed is stored through the secp256k1 keystore cipher
            seed = sign.Ed25519PrivateKey.generate()
            try:
                return import_key(
                    folder, password, seed.seed_bytes(), kind=ED25519, iterations=iterations
                )
            except InvalidInput:  # a seed >= the curve order (about 2^-128): draw again
                continue
    key = sign.PrivateKey.generate()
    return import_key(folder, password, key.secret_bytes(), iterations=iterations)


def import_key(
    folder: Path,
    password: str,
    secret: bytes,
    *,
    kind: str = SECP256K1,
    iterations: int | None = None,
) -> str:
    """Encrypts an existing secret (or Ed25519 seed) into the folder; returns its name."""
    keystore = sign.encrypt_keystore(secret, password, iterations=iterations)
    if kind == ED25519:
        public = sign.Ed25519PrivateKey.from_seed(secret).public_key.hex()
        keystore["tpcore"] = {"kind": ED25519, "public_key": public}
        keystore.pop("address", None)
        name = public
    else:
        name = "0x" + str(keystore["address"])
    _write(folder, name, keystore)
    return name


def list_keys(folder: Path) -> list[tuple[str, str]]:
    """``(kind, address or public key)`` of every keystore in the folder, without decrypting."""
    out = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        extra = data.get("tpcore") or {}
        if extra.get("kind") == ED25519:
            out.append((ED25519, str(extra["public_key"])))
        else:
            out.append((SECP256K1, eth.to_checksum_address(str(data["address"]))))
    return out


@dataclass
class KeyRing:
    """Decrypted keys by lower-case address (secp256k1) or hex public key (Ed25519)."""

    ecdsa: dict[str, sign.PrivateKey] = field(default_factory=dict)
    ed25519: dict[str, sign.Ed25519PrivateKey] = field(default_factory=dict)
    #: Row of each secp256k1 address in :attr:`secrets`.
    rows: dict[str, int] = field(default_factory=dict)
    secrets: np.ndarray = field(default_factory=lambda: np.zeros((0, 32), np.uint8), repr=False)
    seeds: np.ndarray = field(default_factory=lambda: np.zeros((0, 32), np.uint8), repr=False)
    seed_rows: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path, password: str) -> KeyRing:
        """Decrypts every keystore in the folder (a wrong password fails loudly)."""
        ring = cls()
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text())
            key = sign.decrypt_keystore(data, password)
            extra = data.get("tpcore") or {}
            if extra.get("kind") == ED25519:
                seed = sign.Ed25519PrivateKey.from_seed(key.secret_bytes())
                ring.ed25519[seed.public_key.hex()] = seed
            else:
                ring.ecdsa["0x" + key.address.hex()] = key
        ring.rows = {address: i for i, address in enumerate(ring.ecdsa)}
        ring.secrets = np.zeros((len(ring.ecdsa), 32), np.uint8)
        for address, row in ring.rows.items():
            ring.secrets[row] = np.frombuffer(ring.ecdsa[address].secret_bytes(), np.uint8)
        ring.seed_rows = {public: i for i, public in enumerate(ring.ed25519)}
        ring.seeds = np.zeros((len(ring.ed25519), 32), np.uint8)
        for public, row in ring.seed_rows.items():
            ring.seeds[row] = np.frombuffer(ring.ed25519[public].seed_bytes(), np.uint8)
        return ring

    def __repr__(self) -> str:
        return f"KeyRing({len(self.ecdsa)} secp256k1, {len(self.ed25519)} ed25519)"

    def close(self) -> None:
        """Zeroes the secret tables and drops the keys."""
        self.secrets.fill(0)
        self.seeds.fill(0)
        self.ecdsa.clear()
        self.ed25519.clear()
