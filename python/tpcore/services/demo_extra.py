"""The demo's signing and liquidation phases (see :mod:`tpcore.services.demo`)."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal
from typing import Any, TextIO

import numpy as np

from tpcore import book, risk, sign
from tpcore.services.client import Client
from tpcore.services.config import DEMO_MARKETS
from tpcore.services.fleet import Fleet
from tpcore.services.keys import ED25519, list_keys
from tpcore.services.marks import quotes_subject
from tpcore.services.naming import ORDERS_STREAM, orders_subject
from tpcore.services.replay import read_subject
from tpcore.services.signing import SignerClient
from tpcore.services.wire import decode_orders

__all__ = ["RISK_ACCOUNTS", "liquidation_phase", "signing_phase"]

SYMBOL = "BTC-USDT"
MAKER, TRADER = 9000, 9001
#: The risk worker's accounts for the demo: the flow's accounts are well funded; the
#: trader holds 5,000 USDT and buys up to 1 BTC at 64,000 or better (about 13x).
RISK_ACCOUNTS = {"default_wallet": "10000000", "wallets": {str(TRADER): "5000"}}


async def signing_phase(fleet: Fleet, client: Client, out: TextIO, requests: int) -> bool:
    """Signs ``requests`` digests through the signer fleet and checks every signature."""
    keys = [
        name
        for kind, name in list_keys(fleet.plan.keys_dir or fleet.plan.data_dir)
        if kind != ED25519
    ]
    signer = SignerClient(client.bus.nc, timeout=30)
    digests = np.random.default_rng(3).integers(0, 256, (requests, 32), dtype=np.uint8)
    halves = np.array_split(np.arange(requests), len(keys))
    started = time.perf_counter()
    parts = await asyncio.gather(
        *(
            signer.sign_hashes(k.lower(), digests[rows])
            for k, rows in zip(keys, halves, strict=True)
        )
    )  # one pipelined request per digest, per key
    seconds = time.perf_counter() - started
    ok = all(
        (
            sign.ecdsa_recover_address(digests[rows], part)
            == np.frombuffer(bytes.fromhex(k[2:]), np.uint8)
        ).all()
        for k, rows, part in zip(keys, halves, parts, strict=True)
    )
    out.write(
        f"   {requests:,} digests signed by {fleet.plan.signers} signers in {seconds:.2f} s "
        f"({requests / seconds:,.0f}/s): {'every signature recovers its key' if ok else 'BAD'}\n"
    )
    return ok


async def liquidation_phase(fleet: Fleet, client: Client, out: TextIO) -> bool:
    """A leveraged long, a price move on the quote feeds, and its liquidation."""
    inst = DEMO_MARKETS.by_symbol(SYMBOL).instrument()
    updates: list[dict[str, Any]] = []

    async def on_risk(msg: Any) -> None:
        updates.append(json.loads(msg.data))

    await client.bus.nc.subscribe(f"tp.risk.{TRADER}", cb=on_risk)
    await _quotes(client, "64000")
    orders = book.commands(2)
    orders["symbol"], orders["kind"] = 1, book.CommandKind.SUBMIT
    orders["order_type"] = book.OrderType.LIMIT
    orders["order_id"] = [9_000_000_001, 9_000_000_002]
    orders["account"] = [MAKER, TRADER]
    orders["side"] = [book.Side.SELL, book.Side.BUY]
    orders["tif"] = [book.TimeInForce.GTC, book.TimeInForce.IOC]
    orders["price"] = book.price_units(inst, "64000")
    orders["qty"] = book.qty_units(inst, "1")
    await client.submit(orders)
    if not await _until(lambda: any(u["margin_ratio"] > 0 for u in updates)):
        out.write("   the trader's position never showed up in tp.risk\n")
        return False
    first = updates[-1]
    out.write(
        f"   account {TRADER} bought BTC at 64,000 or better with 5,000 USDT: margin ratio "
        f"{risk.from_fixed(first['margin_ratio']) * 100:.2f}%\n"
    )
    # The fill price depends on the flow's book: step the quotes down 1% of 64,000 at a
    # time (each step well inside the circuit breaker) until the account is liquidated.
    price = Decimal(64000)
    while not any(u["liquidate"] for u in updates) and price > 50000:
        price -= 640
        await _quotes(client, str(price))
        await _until(lambda: any(u["liquidate"] for u in updates), timeout=0.5)
    if not any(u["liquidate"] for u in updates):
        out.write("   no liquidation after the move\n")
        return False
    last = next(u for u in updates if u["liquidate"])
    out.write(
        f"   quotes fell to {price:,}: margin balance "
        f"{risk.from_fixed(last['margin_balance']):,.2f} USDT <= maintenance "
        f"{risk.from_fixed(last['maintenance_margin']):,.2f} USDT\n"
    )
    issued = await _until_liquidation_order(client)
    out.write(
        f"   liquidation order in ORDERS: {issued} (IOC at the bankruptcy price), issued once\n"
        if issued
        else "   NO liquidation order in ORDERS\n"
    )
    return bool(issued)


async def _quotes(client: Client, price: str) -> None:
    now = int(time.time() * 1000)
    for source in ("venue-a", "venue-b", "venue-c"):
        body = json.dumps({"price": price, "volume": "1", "ts": now}).encode()
        await client.bus.nc.publish(quotes_subject(SYMBOL, source), body)


async def _until(predicate: Any, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return False


async def _until_liquidation_order(client: Client, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bodies = [
            b async for _, b in read_subject(client.bus.js, ORDERS_STREAM, orders_subject(SYMBOL))
        ]
        commands = decode_orders(bodies, list(range(1, len(bodies) + 1))).commands
        mine = commands[(commands["order_id"] >= 1 << 63) & (commands["account"] == TRADER)]
        if len(mine) == 1:
            side = book.Side(int(mine[0]["side"])).name.lower()
            qty = book.qty_decimal(DEMO_MARKETS.by_symbol(SYMBOL).instrument(), int(mine[0]["qty"]))
            return f"{side} {qty} BTC"
        if len(mine) > 1:
            return ""
        await asyncio.sleep(0.2)
    return ""
