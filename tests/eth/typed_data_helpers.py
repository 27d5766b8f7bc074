"""A seeded generator of random EIP-712 documents, for the typed-data tests.

``random_document`` builds a document with nested structs, arrays of structs, dynamic,
fixed and nested arrays, ``string``/``bytes``, ``bytes1..32``, ``int8..int256`` (negative
values included), ``uint8..uint256`` (up to ``2**256 - 1``, beyond 64 bits), ``address``
and ``bool``, under a domain with a random subset of the five standard fields. Values are
plain Python (ints, bytes, checksum or lowercase address strings), which both tpcore and
eth-account accept. ``json_text`` renders a document as wallets send it: integers of 2**53
and above as decimal or ``0x`` strings, bytes as ``0x`` hex.
"""

from __future__ import annotations

import json
import random
from typing import Any

from eth_utils import to_checksum_address

#: The five standard domain fields, in EIP-712's order.
DOMAIN_FIELDS = (
    ("name", "string"),
    ("version", "string"),
    ("chainId", "uint256"),
    ("verifyingContract", "address"),
    ("salt", "bytes32"),
)

_WIDTHS = tuple(range(8, 257, 8))
_TEXT = "abcXYZ 019_-é漢😀"


def _atomic_type(rng: random.Random) -> str:
    choice = rng.randrange(8)
    if choice == 0:
        return f"uint{rng.choice(_WIDTHS)}"
    if choice == 1:
        return f"int{rng.choice(_WIDTHS)}"
    if choice == 2:
        return f"bytes{rng.randint(1, 32)}"
    return ("address", "bool", "string", "bytes", "uint256")[choice - 3]


def _edge(rng: random.Random, low: int, high: int) -> int:
    choice = rng.randrange(5)
    if choice == 0:
        return low
    if choice == 1:
        return high
    if choice == 2:
        return rng.randint(max(low, -1000), min(high, 1000))
    return rng.randint(low, high)


def atomic_value(rng: random.Random, type_: str) -> Any:  # noqa: PLR0911 (one per type)
    """A random value of an atomic EIP-712 type."""
    if type_.startswith("uint"):
        return _edge(rng, 0, 2 ** int(type_[4:]) - 1)
    if type_.startswith("int"):
        bits = int(type_[3:])
        return _edge(rng, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if type_ == "bytes":
        return rng.randbytes(rng.choice([0, 1, 31, 32, 33, rng.randint(0, 100)]))
    if type_.startswith("bytes"):
        return rng.randbytes(int(type_[5:]))
    if type_ == "address":
        raw = rng.randbytes(20)
        return to_checksum_address(raw) if rng.random() < 0.5 else "0x" + raw.hex()
    if type_ == "bool":
        return rng.random() < 0.5
    if type_ == "string":
        return "".join(rng.choice(_TEXT) for _ in range(rng.randint(0, 20)))
    raise AssertionError(type_)


class _Builder:
    """Defines struct types as it draws fields, so every type is reachable from the primary."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.types: dict[str, list[dict[str, str]]] = {}

    def struct(self, depth: int) -> str:
        name = f"S{len(self.types)}x{self.rng.randrange(1000)}"
        self.types[name] = []  # reserved now so nested structs get other names
        self.types[name] = [
            {"name": f"f{i}_{self.rng.randrange(100)}", "type": self.field(depth)}
            for i in range(self.rng.randint(1 if depth else 0, 5))
        ]
        return name

    def field(self, depth: int) -> str:
        rng = self.rng
        base = self.struct(depth - 1) if depth > 0 and rng.random() < 0.3 else _atomic_type(rng)
        shape = rng.randrange(10)
        if shape < 6:
            return base
        if shape < 8:
            return f"{base}[]"
        if shape == 8:
            return f"{base}[{rng.randint(1, 3)}]"
        return f"{base}[{rng.randint(1, 2)}][]"

    def value(self, type_: str) -> Any:
        if type_.endswith("]"):
            inner, _, size = type_[:-1].rpartition("[")
            count = int(size) if size else self.rng.choice([0, 1, 2, 3])
            return [self.value(inner) for _ in range(count)]
        if type_ in self.types:
            return {f["name"]: self.value(f["type"]) for f in self.types[type_]}
        return atomic_value(self.rng, type_)


def random_domain(rng: random.Random) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """A domain with a random subset of the standard fields (in the standard order)."""
    fields = [f for f in DOMAIN_FIELDS if rng.random() < 0.6] or [DOMAIN_FIELDS[0]]
    types = [{"name": name, "type": type_} for name, type_ in fields]
    values: dict[str, Any] = {}
    for name, type_ in fields:
        if name == "chainId":
            values[name] = rng.choice([1, 137, 2**64 - 1, 2**200, rng.randint(1, 2**256 - 1)])
        else:
            values[name] = atomic_value(rng, type_)
    return types, values


def random_document(rng: random.Random) -> dict[str, Any]:
    """A random ``{types, primaryType, domain, message}`` document.

    About a fifth leave ``EIP712Domain`` out of ``types``, which both libraries infer from
    the domain's keys.
    """
    builder = _Builder(rng)
    primary = builder.struct(depth=rng.randint(0, 3))
    domain_types, domain = random_domain(rng)
    types = dict(builder.types)
    if rng.random() < 0.8:
        types = {"EIP712Domain": domain_types, **types}
    return {
        "types": types,
        "primaryType": primary,
        "domain": domain,
        "message": builder.value(primary),
    }


def wallet_form(value: Any, rng: random.Random) -> Any:
    """``value`` as JSON-ready data: big ints as decimal or 0x strings, bytes as 0x hex."""
    if isinstance(value, dict):
        return {k: wallet_form(v, rng) for k, v in value.items()}
    if isinstance(value, list):
        return [wallet_form(v, rng) for v in value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return hex(value) if value > 0 and rng.random() < 0.5 else str(value)
    return value


def json_text(document: dict[str, Any], rng: random.Random) -> str:
    """The document as ``eth_signTypedData_v4`` JSON text."""
    return json.dumps(wallet_form(document, rng), ensure_ascii=rng.random() < 0.5)
