"""The risk worker on a real nats-server: positions from the matcher's trades, a scripted
price move, liquidations exactly where the Decimal reference says, once each, across a
crash and restart of the worker."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Coroutine
from typing import Any

import numpy as np
from tests.services.helpers import running_matcher, wait_until

from benches import pyrisk
from tpcore import book, risk
from tpcore.services.bus import Bus
from tpcore.services.client import Client
from tpcore.services.config import BusSettings, Market, Markets
from tpcore.services.naming import ORDERS_STREAM, orders_subject
from tpcore.services.replay import read_subject
from tpcore.services.risk_worker import DEMO_BRACKETS, RiskSettings, RiskWorker
from tpcore.services.wire import decode_orders

SYMBOL = "BTC-USDT"
MARKETS = Markets(
    (Market(1, SYMBOL, tick_size="0.1", lot_size="0.001", reference_price="64000"),),
    fee_tiers=((0, 0),),
)
MAKER = 1
TRADERS = list(range(10, 30))
ENTRY = "64000"


def run(coroutine: Coroutine[Any, Any, None], timeout: float = 120.0) -> None:
    asyncio.run(asyncio.wait_for(coroutine, timeout))


def wallet_of(account: int) -> str:
    return str(400 + 60 * (account - 10))


def qty_of(account: int) -> str:
    return f"0.{(account % 5) + 1}00"


def orders() -> np.ndarray:
    inst = MARKETS.by_symbol(SYMBOL).instrument()
    out = book.commands(1 + len(TRADERS))
    out["symbol"], out["kind"] = 1, book.CommandKind.SUBMIT
    out["order_type"] = book.OrderType.LIMIT
    out["price"] = book.price_units(inst, ENTRY)
    out[0] = out[0]
    out["order_id"] = np.arange(1, len(out) + 1)
    out["account"] = [MAKER, *TRADERS]
    out["side"] = [book.Side.SELL] + [book.Side.BUY] * len(TRADERS)
    out["tif"] = [book.TimeInForce.GTC] + [book.TimeInForce.IOC] * len(TRADERS)
    out["qty"] = [book.qty_units(inst, "100")] + [book.qty_units(inst, qty_of(a)) for a in TRADERS]
    return out


def expected_liquidations(mark: str) -> set[int]:
    """The traders the Decimal reference liquidates at ``mark`` (long, cross, no fees)."""
    rows = [
        (risk.to_fixed(f), risk.to_fixed(c), lev, risk.percent(m)) for f, c, lev, m in DEMO_BRACKETS
    ]
    contract = pyrisk.RefContract(pyrisk.tiers_from_rows(rows))
    out = set()
    for account in TRADERS:
        position = pyrisk.RefPosition(
            0, risk.to_fixed(qty_of(account)), risk.to_fixed(ENTRY), risk.MAX_LEVERAGE
        )
        figures = pyrisk.evaluate(
            risk.to_fixed(wallet_of(account)), [position], [contract], [risk.to_fixed(mark)]
        )
        if figures.liquidate:
            out.add(account)
    return out


async def publish_mark(bus: Bus, price: str) -> None:
    body = {"symbol": SYMBOL, "mark_fixed": risk.to_fixed(price)}
    await bus.nc.publish(f"tp.marks.{SYMBOL}", json.dumps(body).encode())


async def liquidation_orders(bus: Bus) -> list[tuple[int, int]]:
    """``(account, order id)`` of every liquidation order in ORDERS."""
    bodies = [body async for _, body in read_subject(bus.js, ORDERS_STREAM, orders_subject(SYMBOL))]
    commands = decode_orders(bodies, list(range(1, len(bodies) + 1))).commands
    mine = commands[commands["order_id"] >= 1 << 63]
    return list(zip(mine["account"].tolist(), mine["order_id"].tolist(), strict=True))


def test_a_price_move_liquidates_what_the_reference_says_once_each_across_a_crash(
    settings: BusSettings,
) -> None:
    wallets = {MAKER: "100000000", **{a: wallet_of(a) for a in TRADERS}}
    risk_settings = RiskSettings(wallets=wallets, tick=0.05, snapshot_interval=0.5)
    first_move, second_move = "61500", "60200"
    once, twice = expected_liquidations(first_move), expected_liquidations(second_move)
    assert expected_liquidations(ENTRY) == set()
    assert 0 < len(once) < len(twice) < len(TRADERS)  # the script exercises every case

    async def scenario() -> None:
        async with running_matcher(settings, [SYMBOL], markets=MARKETS):
            client = await Client.connect(settings, MARKETS)
            bus = client.bus
            worker = RiskWorker(bus, MARKETS, risk_settings, name="risk-test")
            stop = asyncio.Event()
            task = asyncio.create_task(worker.run(stop))
            await client.submit(orders())
            await wait_until(lambda: len(worker.ledger.positions) == len(TRADERS) + 1)
            await publish_mark(bus, ENTRY)
            await wait_until(lambda: worker.evaluations > 0)
            await publish_mark(bus, first_move)
            await wait_until(lambda: worker.liquidations == len(once))
            await asyncio.sleep(0.6)  # a snapshot after the liquidations
            task.cancel()  # a crash: no final snapshot, memory lost
            with contextlib.suppress(asyncio.CancelledError):
                await task
            restarted = RiskWorker(bus, MARKETS, risk_settings, name="risk-test")
            task = asyncio.create_task(restarted.run(stop))
            await wait_until(lambda: len(restarted.ledger.positions) == len(TRADERS) + 1)
            await publish_mark(bus, first_move)  # the same move again: nothing new
            await publish_mark(bus, second_move)
            await wait_until(lambda: restarted.liquidations == len(twice) - len(once))
            await asyncio.sleep(0.5)
            issued = await liquidation_orders(bus)
            stop.set()
            await task
            await client.close()
        accounts = [account for account, _ in issued]
        assert sorted(accounts) == sorted(twice)  # exactly the reference's, once each
        assert len({order_id for _, order_id in issued}) == len(issued)

    run(scenario())
