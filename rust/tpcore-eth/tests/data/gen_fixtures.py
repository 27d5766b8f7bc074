"""Generates the differential fixtures of tpcore-eth's ABI, EIP-191 and EIP-712 tests.

Run from a scratch venv outside the repository:
    python3 -m venv /tmp/abi-venv && /tmp/abi-venv/bin/pip install eth-account eth-abi
    /tmp/abi-venv/bin/python rust/tpcore-eth/tests/data/gen_fixtures.py
Seeded, so reruns give the same files (for the same eth-abi / eth-account versions).

Value notation in the JSON (so the Rust side can rebuild untyped values): true/false for
bool, "i:<decimal>" for an int, "b:<hex>" for bytes, "s:<text>" for a string, lists as
arrays. Decoded values use the same notation with addresses as "a:<checksum address>".
"""
import json
import os
import random

import eth_abi
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from eth_utils import keccak, to_checksum_address

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20240601)


def rand_base():
    k = rng.choice(["bool", "address", "uint", "int", "bytesN", "bytes", "string"])
    if k in ("uint", "int"):
        return f"{k}{rng.choice([8, 16, 24, 32, 64, 96, 128, 160, 200, 248, 256])}"
    if k == "bytesN":
        return f"bytes{rng.randint(1, 32)}"
    return k


def rand_type(depth=0):
    r = rng.random()
    if depth < 3 and r < 0.2:
        return "(" + ",".join(rand_type(depth + 1) for _ in range(rng.randint(1, 3))) + ")"
    if depth < 3 and r < 0.4:
        inner = rand_type(depth + 1)
        return inner + rng.choice(["[]", f"[{rng.randint(1, 3)}]"])
    return rand_base()


def split_array(t):
    """Returns (inner, size or None) if t is an array type, else None."""
    if not t.endswith("]"):
        return None
    depth = 0
    for i in range(len(t) - 1, -1, -1):
        c = t[i]
        if c == "]":
            depth += 1
        elif c == "[":
            depth -= 1
            if depth == 0:
                size = t[i + 1 : -1]
                return t[:i], (int(size) if size else None)
    return None


def split_tuple(t):
    inner = t[1:-1]
    parts, depth, cur = [], 0, ""
    for c in inner:
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    return parts


def rand_text():
    alphabet = "abcxyz ÄÖü€漢字🙂\n\"\\"
    return "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 5, 31, 32, 33, 70])))


def rand_value(t):
    """Returns (python value for eth-abi, JSON notation)."""
    arr = split_array(t)
    if arr is not None:
        inner, size = arr
        n = size if size is not None else rng.randint(0, 3)
        pairs = [rand_value(inner) for _ in range(n)]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    if t.startswith("("):
        pairs = [rand_value(x) for x in split_tuple(t)]
        return tuple(p[0] for p in pairs), [p[1] for p in pairs]
    if t == "bool":
        v = rng.random() < 0.5
        return v, v
    if t == "address":
        raw = bytes(rng.getrandbits(8) for _ in range(20))
        if rng.random() < 0.5:
            return raw, "b:" + raw.hex()
        text = rng.choice([to_checksum_address(raw), "0x" + raw.hex()])
        return text, "s:" + text
    if t.startswith("uint"):
        bits = int(t[4:])
        v = rng.choice([0, 1, (1 << bits) - 1, rng.getrandbits(bits), rng.getrandbits(min(bits, 16))])
        return v, f"i:{v}"
    if t.startswith("int"):
        bits = int(t[3:])
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        v = rng.choice([0, -1, lo, hi, rng.randint(lo, hi), rng.randint(-300, 300) if bits > 9 else 0])
        return v, f"i:{v}"
    if t == "bytes":
        raw = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 31, 32, 33, 64, 65])))
        return raw, "b:" + raw.hex()
    if t.startswith("bytes"):
        n = int(t[5:])
        raw = bytes(rng.getrandbits(8) for _ in range(n))
        return raw, "b:" + raw.hex()
    if t == "string":
        s = rand_text()
        return s, "s:" + s
    raise ValueError(t)


def notation(t, v):
    """JSON notation of a value eth_abi.decode returned for type t."""
    arr = split_array(t)
    if arr is not None:
        return [notation(arr[0], x) for x in v]
    if t.startswith("("):
        return [notation(x, y) for x, y in zip(split_tuple(t), v)]
    if t == "bool":
        return v
    if t == "address":
        return "a:" + to_checksum_address(v)
    if t.startswith("uint") or t.startswith("int"):
        return f"i:{v}"
    if t.startswith("bytes"):
        return "b:" + v.hex()
    return "s:" + v


def decode_outcome(types, data):
    try:
        return {"ok": [notation(t, v) for t, v in zip(types, eth_abi.decode(types, data))]}
    except Exception as e:  # noqa: BLE001 - any eth-abi rejection counts
        return {"error": type(e).__name__}


def mutate(data):
    data = bytearray(data)
    kind = rng.choice(["flip", "truncate", "word", "append", "byte"])
    if not data:
        return bytes(data) + b"\x01"
    if kind == "flip":
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        data = data[: rng.randrange(len(data))]
    elif kind == "word" and len(data) >= 32:
        w = rng.randrange(len(data) // 32)
        val = rng.choice([0, 1, 31, 32, 33, 64, 2**64, 2**255, rng.getrandbits(16)])
        data[w * 32 : w * 32 + 32] = val.to_bytes(32, "big")
    elif kind == "append":
        data += bytes(rng.choice([1, 31, 32]))
    else:
        i = rng.randrange(len(data))
        data[i] = rng.choice([0x00, 0x01, 0x80, 0xFF])
    return bytes(data)


def abi_cases():
    cases = []
    while len(cases) < 300:
        types = [rand_type() for _ in range(rng.randint(1, 4))]
        pairs = [rand_value(t) for t in types]
        enc = eth_abi.encode(types, [p[0] for p in pairs])
        decoded = decode_outcome(types, enc)
        assert "ok" in decoded, (types, decoded)
        mutations = []
        for _ in range(3):
            m = mutate(enc)
            mutations.append({"data": m.hex(), **decode_outcome(types, m)})
        cases.append(
            {
                "types": types,
                "values": [p[1] for p in pairs],
                "encoded": enc.hex(),
                "decoded": decoded["ok"],
                "mutations": mutations,
            }
        )
    return cases


KEY = keccak(b"cow")


def rand_eip712_field_type(structs, depth):
    r = rng.random()
    if depth < 2 and r < 0.25:
        return rng.choice(["new", "new[]"])
    k = rng.choice(["address", "bool", "string", "bytes", "bytesN", "uint", "int", "arr"])
    if k == "bytesN":
        return f"bytes{rng.randint(1, 32)}"
    if k == "uint":
        return f"uint{rng.choice([8, 32, 64, 128, 256])}"
    if k == "int":
        return f"int{rng.choice([8, 32, 64, 128, 256])}"
    if k == "arr":
        return rng.choice(["uint256[]", "string[]", "address[2]", "bytes32[]", "bool[][]"])
    return k


def eip712_value(t, types):
    arr = split_array(t)
    if arr is not None:
        inner, size = arr
        n = size if size is not None else rng.randint(0, 3)
        return [eip712_value(inner, types) for _ in range(n)]
    if t in types:
        return {f["name"]: eip712_value(f["type"], types) for f in types[t]}
    if t == "address":
        return to_checksum_address(bytes(rng.getrandbits(8) for _ in range(20)))
    if t == "bool":
        return rng.random() < 0.5
    if t == "string":
        return rand_text()
    if t == "bytes":
        return "0x" + bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 3, 32, 40]))).hex()
    if t.startswith("bytes"):
        return "0x" + bytes(rng.getrandbits(8) for _ in range(int(t[5:]))).hex()
    if t.startswith("uint"):
        bits = int(t[4:])
        v = rng.getrandbits(bits)
        # Integers beyond 2^53 travel as strings (decimal or hex), as wallets send them.
        if v >= 2**53:
            return rng.choice([str(v), hex(v)])
        return v
    if t.startswith("int"):
        bits = int(t[3:])
        v = rng.randint(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
        if abs(v) >= 2**53:
            return str(v)
        return v
    raise ValueError(t)


def rand_typed_data(i):
    types = {}
    counter = [0]

    def new_struct(depth):
        counter[0] += 1
        name = f"S{counter[0]}x{i}"
        types[name] = []  # reserve
        fields = []
        for j in range(rng.randint(1, 4)):
            ft = rand_eip712_field_type(types, depth)
            if ft.startswith("new"):
                ft = new_struct(depth + 1) + ft[3:]
            fields.append({"name": f"f{j}", "type": ft})
        types[name] = fields
        return name

    primary = new_struct(0)
    domain_fields = [
        ("name", "string", lambda: rng.choice(["Ether Mail", "Permit2", "tpcore ✓"])),
        ("version", "string", lambda: str(rng.randint(1, 3))),
        ("chainId", "uint256", lambda: rng.choice([1, 5, 137, 42161, 11155111])),
        (
            "verifyingContract",
            "address",
            lambda: to_checksum_address(bytes(rng.getrandbits(8) for _ in range(20))),
        ),
        ("salt", "bytes32", lambda: "0x" + bytes(rng.getrandbits(8) for _ in range(32)).hex()),
    ]
    chosen = [f for f in domain_fields if rng.random() < 0.7] or [domain_fields[0]]
    types["EIP712Domain"] = [{"name": n, "type": t} for n, t, _ in chosen]
    domain = {n: g() for n, _, g in chosen}
    message = eip712_value(primary, types)
    return {"types": types, "primaryType": primary, "domain": domain, "message": message}


def typed_data_cases():
    out = []
    for i in range(50):
        doc = rand_typed_data(i)
        signable = encode_typed_data(full_message=doc)
        digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
        signed = Account.sign_typed_data(KEY, full_message=doc)
        assert signed.message_hash == digest
        out.append(
            {"doc": doc, "hash": digest.hex(), "signature": bytes(signed.signature).hex()}
        )
    return out


def message_cases():
    out = []
    for i in range(50):
        n = rng.choice([0, 1, 5, 32, 64, 100, 1000])
        msg = bytes(rng.getrandbits(8) for _ in range(n)) if i % 2 else rand_text().encode()
        signable = encode_defunct(primitive=msg)
        key = keccak(i.to_bytes(4, "big"))
        signed = Account.sign_message(signable, key)
        out.append(
            {
                "message": msg.hex(),
                "key": key.hex(),
                "hash": bytes(signed.message_hash).hex(),
                "signature": bytes(signed.signature).hex(),
                "address": Account.from_key(key).address,
            }
        )
    return out


def dump(name, obj):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=0, ensure_ascii=False)
        f.write("\n")


dump("abi_cases.json", abi_cases())
dump("typed_data_cases.json", typed_data_cases())
dump("message_cases.json", message_cases())
