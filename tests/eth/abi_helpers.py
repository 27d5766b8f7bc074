"""A seeded generator of random ABI types and values, for the ABI tests.

``random_type`` draws a Solidity type string of bounded depth: ``bool``, ``address``,
``string``, ``bytes``, ``bytes1..32``, ``int8..int256``, ``uint8..uint256``, tuples, and
dynamic, fixed and nested arrays of any of them. ``random_value`` draws a value of that type
in the form eth-abi's ``encode`` accepts (ints at the extremes of their range, addresses as
checksum text, lowercase text or 20 bytes, ``bytesN`` values shorter than N, lists and
tuples). ``mutate`` damages an encoding in the ways a strict decoder must notice or
tolerate: flipped bytes, truncation, extension, and rewritten offset/length words.
"""

from __future__ import annotations

import random
from typing import Any

from eth_utils import to_checksum_address

_WIDTHS = tuple(range(8, 257, 8))
_TEXT = "abc XYZ 09 é€ 漢字 😀\x00"


def random_type(rng: random.Random, depth: int = 3) -> str:
    """A random ABI type string, nesting at most ``depth`` levels of tuples and arrays."""
    choice = rng.randrange(14 if depth > 0 else 9)
    if choice == 0:
        return f"uint{rng.choice(_WIDTHS)}"
    if choice == 1:
        return f"int{rng.choice(_WIDTHS)}"
    if choice == 2:
        return f"bytes{rng.randint(1, 32)}"
    if choice < 9:
        return ("address", "bool", "string", "bytes", "uint256", "int256")[choice - 3]
    if choice < 11:
        items = [random_type(rng, depth - 1) for _ in range(rng.randint(1, 4))]
        return f"({','.join(items)})"
    inner = random_type(rng, depth - 1)
    return f"{inner}[]" if choice < 13 else f"{inner}[{rng.randint(1, 3)}]"


def _split_tuple(type_: str) -> list[str]:
    """The element types of a tuple type string ``(a,b,...)``."""
    items, level, start = [], 0, 1
    for i, ch in enumerate(type_[1:-1], start=1):
        if ch in "([":
            level += 1
        elif ch in ")]":
            level -= 1
        elif ch == "," and level == 0:
            items.append(type_[start:i])
            start = i + 1
    items.append(type_[start:-1])
    return items


def _edge(rng: random.Random, low: int, high: int) -> int:
    choice = rng.randrange(6)
    if choice == 0:
        return low
    if choice == 1:
        return high
    if choice == 2:
        return rng.choice([0, 1, -1]) if low < 0 else rng.choice([0, 1])
    if choice == 3:
        return rng.randint(max(low, -(2**70)), min(high, 2**70))
    return rng.randint(low, high)


def random_value(rng: random.Random, type_: str) -> Any:  # noqa: PLR0911 (one per type)
    """A random value of ``type_`` as eth-abi's ``encode`` accepts it."""
    if type_.endswith("]"):
        inner, _, size = type_[:-1].rpartition("[")
        count = int(size) if size else rng.choice([0, 1, 2, 3])
        items = [random_value(rng, inner) for _ in range(count)]
        return items if rng.random() < 0.5 else tuple(items)
    if type_.startswith("("):
        items = [random_value(rng, t) for t in _split_tuple(type_)]
        return tuple(items) if rng.random() < 0.5 else items
    if type_.startswith("uint"):
        return _edge(rng, 0, 2 ** int(type_[4:]) - 1)
    if type_.startswith("int"):
        bits = int(type_[3:])
        return _edge(rng, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if type_ == "bytes":
        return rng.randbytes(rng.choice([0, 1, 31, 32, 33, 64, rng.randint(0, 100)]))
    if type_.startswith("bytes"):
        return rng.randbytes(rng.randint(0, int(type_[5:])))
    if type_ == "address":
        raw = rng.randbytes(20)
        return rng.choice([to_checksum_address(raw), "0x" + raw.hex(), raw])
    if type_ == "bool":
        return rng.random() < 0.5
    if type_ == "string":
        return "".join(rng.choice(_TEXT) for _ in range(rng.randint(0, 40)))
    raise AssertionError(type_)


def normalised(type_: str, value: Any) -> Any:
    """``value`` as eth-abi's ``decode`` returns it: tuples, lowercase addresses, padded
    ``bytesN``."""
    if type_.endswith("]"):
        inner = type_[: type_.rindex("[")]
        return tuple(normalised(inner, v) for v in value)
    if type_.startswith("("):
        return tuple(normalised(t, v) for t, v in zip(_split_tuple(type_), value, strict=True))
    if type_ == "address":
        return "0x" + value.hex() if isinstance(value, bytes) else value.lower()
    if type_.startswith("bytes") and type_ != "bytes":
        return value.ljust(int(type_[5:]), b"\x00")
    return value


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One random damage to an encoding (possibly none that matters)."""
    if not data:
        return rng.randbytes(rng.choice([1, 31, 32, 64]))
    choice = rng.randrange(6)
    buf = bytearray(data)
    if choice == 0:  # flip a byte
        buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    elif choice == 1:  # truncate
        del buf[rng.randrange(len(buf)) :]
    elif choice == 2:  # extend
        buf += rng.randbytes(rng.choice([1, 31, 32]))
    elif choice == 3:  # rewrite the low bytes of a word (an offset or a length, often)
        word = rng.randrange(len(buf) // 32 or 1) * 32
        value = rng.choice([0, 1, 31, 32, 33, 64, len(buf), len(buf) + 32, 2**31, 2**64 - 1])
        end = min(word + 32, len(buf))
        buf[word:end] = value.to_bytes(32, "big")[: end - word]
    elif choice == 4:  # set a high byte of a word (padding)
        word = rng.randrange(len(buf) // 32 or 1) * 32
        buf[word] = rng.choice([0x01, 0x80, 0xFF])
    else:  # overwrite a byte at random
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)
