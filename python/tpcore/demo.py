"""``tpcore demo``: an in-process tour of what tpcore does, with timings.

Each section exercises one capability through the public API and prints what it did and
how fast. Sections are added as capabilities land; the fleet on NATS will take over the
demo once it exists.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import TextIO

import numpy as np

import tpcore
from tpcore import book, eth, sign

__all__ = ["run_tour"]

Section = Callable[[TextIO], None]


def _header(out: TextIO) -> None:
    out.write(f"tpcore {tpcore.__version__} on {tpcore.get_num_threads()} thread(s)\n")


def _timed(out: TextIO, label: str, count: int, work: Callable[[], object]) -> None:
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    rate = count / elapsed if elapsed > 0 else float("inf")
    out.write(f"  {label:<44} {count:>8,} in {elapsed * 1e3:8.2f} ms  ({rate:,.0f}/s)\n")


def _signing(out: TextIO) -> None:
    out.write("signing (secp256k1, Ed25519, keccak, HD keys, keystores)\n")
    rng = np.random.default_rng(7)
    n = 10_000
    mnemonic = sign.generate_mnemonic(12)
    seed = sign.mnemonic_to_seed(mnemonic)
    keys = sign.derive(seed, "m/44'/60'/0'/0", 0, 1_000)
    _timed(
        out,
        "derive BIP-44 accounts m/44'/60'/0'/0/i",
        1_000,
        lambda: sign.derive(seed, "m/44'/60'/0'/0", 0, 1_000),
    )
    hot_wallet = sign.PrivateKey.from_bytes(keys[0].tobytes())
    out.write(f"  hot wallet {hot_wallet!r}\n")

    hashes = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    signatures = np.empty((n, 65), dtype=np.uint8)

    def sign_all() -> None:
        signatures[:] = sign.ecdsa_sign(keys[0], hashes)

    _timed(out, "ecdsa_sign (one key, many hashes)", n, sign_all)
    recovered = sign.ecdsa_recover_address(hashes, signatures)
    _timed(out, "ecdsa_recover_address", n, lambda: sign.ecdsa_recover_address(hashes, signatures))
    public_key = np.frombuffer(hot_wallet.public_key, np.uint8)
    valid = sign.ecdsa_verify(public_key, hashes, signatures)
    _timed(out, "ecdsa_verify", n, lambda: sign.ecdsa_verify(public_key, hashes, signatures))
    same = bool((recovered == np.frombuffer(hot_wallet.address, np.uint8)).all())
    out.write(f"  all {n:,} recover to the hot wallet: {same}; all verify: {bool(valid.all())}\n")

    messages = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    _timed(out, "keccak256 of 32-byte messages", n, lambda: sign.keccak256(messages))

    ed_key = sign.Ed25519PrivateKey.generate()
    ed_seed = np.frombuffer(ed_key.seed_bytes(), np.uint8)
    ed_public = np.frombuffer(ed_key.public_key, np.uint8)
    ed_signatures = sign.ed25519_sign(ed_seed, messages)
    _timed(out, "ed25519_sign", n, lambda: sign.ed25519_sign(ed_seed, messages))
    _timed(
        out,
        "ed25519_verify_all",
        n,
        lambda: sign.ed25519_verify_all(ed_public, messages, ed_signatures),
    )

    password = secrets.token_urlsafe(16)
    keystore = sign.encrypt_keystore(hot_wallet, password, kdf="scrypt", iterations=2**14)
    restored = sign.decrypt_keystore(keystore, password)
    out.write(f"  keystore (scrypt n=2^14) round trip: {restored.address == hot_wallet.address}\n")


def _ethereum(out: TextIO) -> None:
    out.write("ethereum (transactions, EIP-712, ABI)\n")
    key = sign.PrivateKey.generate()
    n = 10_000
    transactions = [
        {
            "type": 2,
            "chainId": 1,
            "nonce": nonce,
            "gas": 21_000,
            "maxFeePerGas": 40 * 10**9,
            "maxPriorityFeePerGas": 2 * 10**9,
            "to": "0x3535353535353535353535353535353535353535",
            "value": 10**15,
        }
        for nonce in range(n)
    ]
    signed: list[eth.SignedTransaction] = []
    _timed(
        out,
        "sign_transactions (EIP-1559)",
        n,
        lambda: signed.extend(eth.sign_transactions(transactions, key)),
    )
    sender = eth.recover_sender(signed[-1].raw_transaction)
    out.write(f"  last transaction recovers to the signer: {sender == key.checksum_address}\n")

    order = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "chainId", "type": "uint256"},
            ],
            "Order": [
                {"name": "maker", "type": "address"},
                {"name": "amount", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
            ],
        },
        "primaryType": "Order",
        "domain": {"name": "tpcore demo", "chainId": 1},
    }
    documents = [
        {**order, "message": {"maker": key.checksum_address, "amount": 10**18, "nonce": i}}
        for i in range(1_000)
    ]
    _timed(
        out,
        "sign_typed_data_batch (EIP-712)",
        len(documents),
        lambda: eth.sign_typed_data_batch(documents, key),
    )
    calldata = eth.encode_function_call("transfer(address,uint256)", [key.checksum_address, 7])
    out.write(
        f"  transfer calldata {calldata[:4].hex()}..., decodes to amount "
        f"{eth.abi_decode(['address', 'uint256'], calldata[4:])[1]}\n"
    )


def _order_flow(n: int, rng: np.random.Generator) -> np.ndarray:
    """A random flow on one book: limit orders around a mid (a fifth of them IOC) and
    cancels of earlier orders."""
    commands = book.commands(n)
    commands["seq"] = np.arange(1, n + 1)
    commands["symbol"] = 1
    cancel = rng.random(n) < 0.2
    commands["kind"] = np.where(cancel, book.CommandKind.CANCEL, book.CommandKind.SUBMIT)
    ids = np.arange(1, n + 1, dtype=np.uint64)
    earlier = (ids * rng.random(n)).astype(np.uint64) + 1
    commands["order_id"] = np.where(cancel, earlier, ids)
    commands["account"] = commands["order_id"] % 50 + 1
    commands["side"] = rng.integers(1, 3, n)
    commands["order_type"] = np.where(cancel, 0, book.OrderType.LIMIT)
    ioc = rng.random(n) < 0.2
    commands["tif"] = np.where(ioc, book.TimeInForce.IOC, book.TimeInForce.GTC)
    commands["price"] = np.where(cancel, 0, 6_400_000 + rng.integers(-500, 500, n))
    commands["qty"] = np.where(cancel, 0, rng.integers(1, 500, n))
    return commands


def _matching(out: TextIO) -> None:
    out.write("matching (one BTC-USDT book, price-time priority, maker/taker fees)\n")
    btc = book.instrument(1, "BTC-USDT", tick_size="0.01", lot_size="0.001")
    engine = book.Engine(fee_tiers=[(-50, 400)])
    engine.add_book(btc)
    n = 200_000
    commands = _order_flow(n, np.random.default_rng(11))
    events = np.empty(0, dtype=book.EVENT_DTYPE)

    def process() -> None:
        nonlocal events
        events = engine.process(commands)

    _timed(out, "Engine.process (limit, IOC, cancel)", n, process)
    counts = np.bincount(events["kind"], minlength=8)
    trades = events[events["kind"] == book.EventKind.TRADE]
    volume = book.qty_decimal(btc, int(trades["qty"].sum()))
    fees = book.notional_decimal(btc, int(trades["taker_fee"].sum() + trades["maker_fee"].sum()))
    out.write(
        f"  {counts[book.EventKind.TRADE]:,} trades for {volume} BTC, fees {fees:.2f} USDT; "
        f"{counts[book.EventKind.CANCELLED]:,} cancelled, {counts[book.EventKind.REJECTED]:,} "
        "rejected (cancels of filled orders)\n"
    )
    bid, ask = engine.best_bid(1), engine.best_ask(1)
    if bid and ask:
        out.write(
            f"  touch {book.price_decimal(btc, bid[0])} / {book.price_decimal(btc, ask[0])}, "
            f"{sum(engine.order_count(1))} orders resting\n"
        )
    snapshot = engine.snapshot()
    restored = book.Engine.restore(snapshot)
    same = restored.state_hash() == engine.state_hash()
    out.write(f"  snapshot {len(snapshot):,} bytes; restored state hash equal: {same}\n")


SECTIONS: list[Section] = [_signing, _ethereum, _matching]


def run_tour(out: TextIO) -> int:
    """Runs every section of the tour, writing to ``out``; returns an exit status."""
    _header(out)
    for section in SECTIONS:
        section(out)
    out.write("tour complete\n")
    return 0
