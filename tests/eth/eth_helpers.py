"""Shared builders for the tests of ``tpcore.eth`` transactions.

``random_case`` draws one transaction of a given kind from a seeded ``random.Random`` and
returns it three ways: the dict given to tpcore (ints or ``0x`` hex, checksum, lowercase or
byte addresses), the dict given to eth-account (which insists on checksum addresses) and the
canonical dict ``decode_transaction`` must give back. A failure reproduces from the seed in
the test's source.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_utils import to_checksum_address
from hexbytes import HexBytes

#: The order n of the secp256k1 group.
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

#: The largest chain id tpcore accepts (EIP-2294): ``floor(MAX_UINT64 / 2) - 36``.
MAX_CHAIN_ID = (2**64 - 1) // 2 - 36

#: Every kind of transaction ``random_case`` draws.
KINDS = (
    "legacy",
    "eip155",
    "access_list",
    "dynamic_fee",
    "dynamic_fee_access_list",
    "create",
    "set_code",
)

#: The fields ``decode_transaction`` adds to the transaction's own.
SIGNATURE_FIELDS = ("v", "r", "s", "hash", "from")

#: eth-account's type number for each kind (``create`` varies, see ``random_case``).
_TYPE_OF = {
    "legacy": 0,
    "eip155": 0,
    "access_list": 1,
    "dynamic_fee": 2,
    "dynamic_fee_access_list": 2,
    "set_code": 4,
}


@dataclass(frozen=True)
class Case:
    """One random transaction and what signing it must give."""

    #: The kind, one of ``KINDS``.
    kind: str
    #: The dict given to tpcore.
    tx: dict[str, Any]
    #: The same transaction as eth-account accepts it.
    eth_account_tx: dict[str, Any]
    #: What ``decode_transaction`` must return, without the signature fields.
    expected: dict[str, Any]
    #: The 32-byte signing secret.
    secret: bytes


def random_secret(rng: random.Random) -> bytes:
    """Returns a valid secp256k1 secret key (non-zero and below n)."""
    while True:
        secret = rng.randbytes(32)
        if 0 < int.from_bytes(secret, "big") < SECP256K1_N:
            return secret


def _edge_int(rng: random.Random, bits: int, *, low: int = 0) -> int:
    """An unsigned ``bits``-bit integer, often at an edge of its range."""
    top = 2**bits - 1
    choice = rng.randrange(6)
    if choice == 0:
        return low
    if choice == 1:
        return top
    if choice == 2:
        return top - rng.randrange(1000)
    if choice == 3:
        return rng.randint(low, min(top, 10**6))
    if choice == 4:
        return rng.randint(low, min(top, 10**20))
    return rng.randint(low, top)


def _quantity(rng: random.Random, value: int) -> int | str:
    """``value`` as an int or as a ``0x`` hex string, both of which either library accepts."""
    return hex(value) if rng.random() < 0.4 else value


def _address_forms(rng: random.Random, raw: bytes) -> tuple[str | bytes, str | bytes]:
    """``(tpcore form, eth-account form)`` of a 20-byte address."""
    checksum = to_checksum_address(raw)
    choice = rng.randrange(3)
    if choice == 0:
        return checksum, checksum
    if choice == 1:
        return "0x" + raw.hex(), checksum
    return raw, raw


def _access_list(
    rng: random.Random, *, empty_ok: bool = True
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """``(tpcore, eth-account, canonical)`` forms of a random access list."""
    count = rng.choice([0, 1, 1, 2, 3]) if empty_ok else rng.randint(1, 3)
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    canonical: list[dict[str, Any]] = []
    for _ in range(count):
        raw = rng.randbytes(20)
        mine, their = _address_forms(rng, raw)
        keys = [rng.randbytes(32) for _ in range(rng.choice([0, 1, 2, 5]))]
        hex_keys = ["0x" + key.hex() for key in keys]
        ours.append(
            {
                "address": mine,
                "storageKeys": [key if rng.random() < 0.3 else "0x" + key.hex() for key in keys],
            }
        )
        theirs.append({"address": their, "storageKeys": hex_keys})
        canonical.append({"address": to_checksum_address(raw), "storageKeys": hex_keys})
    return ours, theirs, canonical


def _authorization_list(
    rng: random.Random, chain_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """``(tpcore, eth-account, canonical)`` forms of 1 to 3 signed EIP-7702 authorizations.

    Each is signed by eth-account's ``Account.sign_authorization`` with its own random
    authority key and converted to the dict form ``{chainId, address, nonce, yParity, r, s}``.
    """
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    canonical: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 3)):
        raw = rng.randbytes(20)
        auth_chain = rng.choice([0, chain_id, _edge_int(rng, 256)])
        nonce = _edge_int(rng, 64)
        signed = Account.sign_authorization(
            {"chainId": auth_chain, "address": to_checksum_address(raw), "nonce": nonce},
            random_secret(rng),
        )
        item = {
            "chainId": signed.chain_id,
            "address": to_checksum_address(signed.address),
            "nonce": signed.nonce,
            "yParity": signed.y_parity,
            "r": signed.r,
            "s": signed.s,
        }
        mine, _ = _address_forms(rng, raw)
        ours.append(
            {**{k: _quantity(rng, v) for k, v in item.items() if k != "address"}, "address": mine}
        )
        theirs.append(dict(item))
        canonical.append(dict(item))
    return ours, theirs, canonical


def _canonical_scalars(rng: random.Random, kind: str, to_raw: bytes | None) -> dict[str, Any]:
    """The scalar fields of a random transaction of ``kind``, as ``decode_transaction``
    gives them (``type`` first, no lists yet)."""
    tx_type = _TYPE_OF[kind]
    canonical: dict[str, Any] = {"type": tx_type}
    if kind != "legacy":
        canonical["chainId"] = rng.choice(
            [1, 2**32, MAX_CHAIN_ID, rng.randint(1, 2**32), rng.randint(1, 2**32)]
        )
    canonical["nonce"] = _edge_int(rng, 64)
    canonical["gas"] = _edge_int(rng, 64)
    if tx_type in (0, 1):
        canonical["gasPrice"] = _edge_int(rng, 128)
    else:
        max_fee = _edge_int(rng, 128)
        canonical["maxFeePerGas"] = max_fee
        canonical["maxPriorityFeePerGas"] = rng.choice([0, max_fee, rng.randint(0, max_fee)])
    if to_raw is not None:
        canonical["to"] = to_checksum_address(to_raw)
    canonical["value"] = _edge_int(rng, 256)
    canonical["data"] = rng.randbytes(rng.randint(0, 200))
    return canonical


def _render_scalars(
    rng: random.Random, canonical: dict[str, Any], to_raw: bytes | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(tpcore, eth-account)`` dicts of the scalar fields, each in a random accepted form."""
    ours: dict[str, Any] = {}
    theirs: dict[str, Any] = {}
    for field in ("chainId", "nonce", "gas", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas"):
        if field in canonical:
            ours[field] = theirs[field] = _quantity(rng, canonical[field])
    if to_raw is not None:
        ours["to"], theirs["to"] = _address_forms(rng, to_raw)
    elif rng.random() < 0.5:
        ours["to"] = theirs["to"] = rng.choice([None, "", b""])
    ours["value"] = theirs["value"] = _quantity(rng, canonical["value"])
    if canonical["data"] or rng.random() < 0.5:
        data = canonical["data"]
        ours["data"] = theirs["data"] = data if rng.random() < 0.5 else "0x" + data.hex()
    return ours, theirs


def random_case(rng: random.Random, kind: str) -> Case:
    """Draws one transaction of ``kind`` (see ``KINDS``) with a random signing key.

    ``create`` is a contract creation (no ``to``) of a random type among 0, 1 and 2; the
    ``type`` key is given explicitly about half the time (as an int or a hex string) and
    otherwise inferred from the fee fields, as eth-account infers it.
    """
    create = kind == "create"
    if create:
        kind_for_fields = rng.choice(["legacy", "eip155", "access_list", "dynamic_fee"])
    else:
        kind_for_fields = kind
    tx_type = _TYPE_OF[kind_for_fields]
    to_raw = None if create else rng.randbytes(20)
    canonical = _canonical_scalars(rng, kind_for_fields, to_raw)
    ours, theirs = _render_scalars(rng, canonical, to_raw)

    if tx_type in (1, 2, 4):
        wants_list = kind_for_fields in ("access_list", "dynamic_fee_access_list") or (
            tx_type == 4 and rng.random() < 0.5
        )
        if wants_list or (tx_type == 1 and rng.random() < 0.5):
            ours["accessList"], theirs["accessList"], canonical["accessList"] = _access_list(rng)
        else:
            canonical["accessList"] = []
    if tx_type == 4:
        auths = _authorization_list(rng, canonical["chainId"])
        ours["authorizationList"], theirs["authorizationList"], canonical["authorizationList"] = (
            auths
        )

    # eth-account needs an explicit type for an access-list transaction without an access
    # list, and tpcore infers exactly what eth-account infers otherwise.
    explicit = rng.random() < 0.5 or (tx_type == 1 and "accessList" not in ours)
    if explicit and tx_type != 0:
        ours["type"] = theirs["type"] = rng.choice([tx_type, hex(tx_type)])
    elif explicit:
        # eth-account refuses an explicit type 0 ("Unknown Transaction type: 0").
        ours["type"] = rng.choice([0, "0x0"])
    return Case(kind, ours, theirs, canonical, random_secret(rng))


def random_cases(seed: int, per_kind: int) -> list[Case]:
    """``per_kind`` cases of every kind in ``KINDS``, shuffled, from ``seed``."""
    rng = random.Random(seed)
    cases = [random_case(rng, kind) for kind in KINDS for _ in range(per_kind)]
    rng.shuffle(cases)
    return cases


def eth_account_fields(decoded: dict[str, Any]) -> dict[str, Any]:
    """eth-account's ``as_dict()`` of a decoded transaction, in ``decode_transaction``'s form.

    Addresses become checksum strings (an empty ``to`` is dropped), byte strings become
    ``bytes``, storage keys (ints) become 32-byte ``0x`` hex and tuples become lists.
    """
    out: dict[str, Any] = {}
    for key, value in decoded.items():
        if key == "to":
            if value:
                out["to"] = to_checksum_address(value)
        elif key == "data":
            out["data"] = bytes(value)
        elif key == "accessList":
            out["accessList"] = [
                {
                    "address": to_checksum_address(item["address"]),
                    "storageKeys": [
                        "0x" + HexBytes(k).hex().removeprefix("0x").rjust(64, "0")
                        if not isinstance(k, int)
                        else f"0x{k:064x}"
                        for k in item["storageKeys"]
                    ],
                }
                for item in value
            ]
        elif key == "authorizationList":
            out["authorizationList"] = [
                {**item, "address": to_checksum_address(item["address"])} for item in value
            ]
        else:
            out[key] = value
    return out
