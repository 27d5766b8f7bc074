"""The risk worker on a real nats-server: positions from the matcher's trades, a scripted
price move, liquidations exactly where the Decimal reference says, once each, across a
crash and restart of the worker."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import numpy as np
from tests.services.helpers import WorkerProcess, running_matcher, wait_until

from benches import pyrisk
from tpcore import book, risk
from tpcore.services.bus import Bus
from tpcore.services.client import Client
from tpcore.services.config import BusSettings, Market, Markets
from tpcore.services.embedded import EmbeddedServer
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


def test_a_risk_worker_killed_mid_way_neither_repeats_nor_misses_a_liquidation(
    settings: BusSettings, nats_server: EmbeddedServer, tmp_path: Path
) -> None:
    markets_file, accounts_file = tmp_path / "markets.json", tmp_path / "accounts.json"
    market = MARKETS.markets[0]
    markets_file.write_text(
        json.dumps({"fee_tiers": [[0, 0]], "markets": [dataclasses.asdict(market)]})
    )
    wallets = {str(MAKER): "100000000", **{str(a): wallet_of(a) for a in TRADERS}}
    accounts_file.write_text(json.dumps({"wallets": wallets}))
    worker = WorkerProcess(
        ["risk", "--nats", nats_server.url, "--markets", str(markets_file),
         "--accounts", str(accounts_file), "--name", "risk-proc"],
        tmp_path / "risk.log",
    )  # fmt: skip
    first_move, second_move = "61500", "60200"
    once, twice = expected_liquidations(first_move), expected_liquidations(second_move)

    async def scenario() -> None:
        async with running_matcher(settings, [SYMBOL], markets=MARKETS):
            client = await Client.connect(settings, MARKETS)
            bus = client.bus
            seen: set[int] = set()

            async def on_risk(msg: Any) -> None:
                seen.add(json.loads(msg.data)["account"])

            await bus.nc.subscribe("tp.risk.*", cb=on_risk)
            worker.start()
            await wait_until(lambda: '"risk started"' in worker.log.read_text())
            await client.submit(orders())
            await asyncio.sleep(0.5)
            await wait_until(lambda: publish_and_check(bus, ENTRY, seen), timeout=20)
            await publish_mark(bus, first_move)
            # Killed as soon as its first liquidation order is stored, maybe before its
            # snapshot: the restart must neither repeat it nor miss the rest.
            await wait_until(lambda: count_liquidations(bus, 1), step=0.01)
            worker.kill()
            worker.start()
            await wait_until(lambda: worker.log.read_text().count('"risk started"') == 2)
            await asyncio.sleep(0.5)
            await publish_mark(bus, first_move)
            await wait_until(lambda: count_liquidations(bus, len(once)))
            await publish_mark(bus, second_move)
            await wait_until(lambda: count_liquidations(bus, len(twice)))
            await asyncio.sleep(1.0)  # room for a wrong extra one to show up
            issued = await liquidation_orders(bus)
            assert worker.terminate() == 0
            await client.close()
        assert sorted(account for account, _ in issued) == sorted(twice)

    try:
        run(scenario())
    finally:
        worker.cleanup()


async def publish_and_check(bus: Bus, price: str, seen: set[int]) -> bool:
    """Publishes a mark; true once the worker reported every trader (all trades applied)."""
    await publish_mark(bus, price)
    await asyncio.sleep(0.2)
    return set(TRADERS) <= seen


async def count_liquidations(bus: Bus, at_least: int) -> bool:
    return len(await liquidation_orders(bus)) >= at_least
