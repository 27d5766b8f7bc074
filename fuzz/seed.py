"""Writes starting corpora for the fuzz targets from the crates' test data.

Run from the repository root: python3 fuzz/seed.py (writes fuzz/corpus/<target>/).
"""

import hashlib
import json
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
ETH = ROOT / "rust" / "tpcore-eth" / "tests" / "data"
SIGN = ROOT / "rust" / "tpcore-sign" / "tests" / "data"


def put(target: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha256(data).hexdigest()[:40]).write_bytes(data)


def typed_text() -> None:
    docs = [c["doc"] for c in json.loads((ETH / "typed_data_cases.json").read_text())]
    for doc in docs:
        text = json.dumps(doc, separators=(",", ":"))
        put("typed_text", text.encode())
        put("typed_text", json.dumps(doc, indent=1).encode())
        # Two documents that differ only in their message: the "same prefix" path.
        other = dict(doc)
        message = dict(doc["message"]) if isinstance(doc["message"], dict) else doc["message"]
        if isinstance(message, dict):
            message = dict(reversed(list(message.items())))
        other["message"] = message
        put("typed_text", (text + "\0" + json.dumps(other, separators=(",", ":"))).encode())


def tx_decode() -> None:
    cases = json.loads((ETH / "tx_eth_account.json").read_text())["cases"]
    for case in cases:
        put("tx_decode", bytes.fromhex(case["raw"].removeprefix("0x")))


def abi() -> None:
    for case in json.loads((ETH / "abi_cases.json").read_text()):
        head = ";".join(case["types"]).encode()
        put("abi_decode", head + b"\xff" + bytes.fromhex(case["encoded"]))
        for mutation in case.get("mutations", [])[:2]:
            put("abi_decode", head + b"\xff" + bytes.fromhex(mutation["data"]))
    errors = json.dumps(
        [
            {
                "type": "error",
                "name": "InsufficientBalance",
                "inputs": [{"name": "a", "type": "uint256"}, {"name": "b", "type": "uint256"}],
            },
            {
                "type": "error",
                "name": "Unauthorized",
                "inputs": [{"name": "who", "type": "address"}],
            },
        ]
    ).encode()
    selector = bytes.fromhex("cf479181")  # InsufficientBalance(uint256,uint256)
    put("abi_json", errors + b"\xff" + selector + (5).to_bytes(32, "big") + (9).to_bytes(32, "big"))
    event = json.dumps(
        {
            "anonymous": False,
            "type": "event",
            "name": "Transfer",
            "inputs": [
                {"indexed": True, "name": "from", "type": "address"},
                {"indexed": True, "name": "to", "type": "address"},
                {"indexed": False, "name": "value", "type": "uint256"},
            ],
        }
    ).encode()
    topic0 = bytes.fromhex("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
    value = (10**18).to_bytes(32, "big")
    put("abi_json", event + b"\xff" + bytes([3]) + topic0 + bytes(32) * 2 + value)


def limit(i: int) -> bytes:
    """The i-th of a run of limit orders on books 0 and 1 (88-byte record)."""
    side, symbol, account = 1 + i % 2, i % 2, i % 3
    price, qty = 1000 + 5 * (i % 4), 2 * (1 + i % 3)
    fields = (i + 1, i, account, price, qty, 0, 0, 0, 0, symbol, 1, side, 1, 1, 0, 0)
    return struct.pack("<QQQqqqqqqIBBBBBB6x", *fields)


def book() -> None:
    records = b"".join(limit(i) for i in range(12))
    header = b"TPCM" + struct.pack("<HH", 1, 88)
    put("book_codec", header + records)
    put("book_codec", b"TPEV" + struct.pack("<HH", 1, 96) + bytes(96))
    put("book_engine", b"\x01" + records)
    compact = bytes(
        b
        for i in range(20)
        for b in [
            i % 8,
            i % 3,
            i % 2,
            1 + i % 5,
            1 + i % 2,
            1 + i % 4,
            i % 9,
            2 + i % 6,
            i % 7,
            0,
            0,
            0,
            1 + i % 4,
            0,
            i % 5,
            0,
        ]
    )
    put("book_engine", b"\x00" + compact)


def keystore() -> None:
    stores = json.loads((SIGN / "eth_account_keystores.json").read_text())["keystores"]
    for store in stores if isinstance(stores, list) else stores.values():
        doc = store.get("keystore", store) if isinstance(store, dict) else store
        put("keystore", json.dumps(doc).encode())
    spec = json.loads((SIGN / "web3_secret_storage_spec.json").read_text())
    for doc in spec["keystores"].values():
        put("keystore", json.dumps(doc).encode())
        # The same with a cheap KDF, so the harness lets it run.
        params = doc["crypto"]["kdfparams"]
        params.update({"n": 16, "r": 1, "p": 1} if "n" in params else {"c": 3})
        put("keystore", json.dumps(doc).encode())


typed_text()
tx_decode()
abi()
book()
keystore()
