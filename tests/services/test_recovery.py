"""Crash recovery on a real nats-server: ``kill -9`` of a matcher at random moments, and a
server restart under load. EVENTS must equal an uninterrupted run of the same ORDERS."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from tests.services.helpers import matcher_process, running_matcher, wait_until

from tpcore.services.client import Client
from tpcore.services.config import DEMO_MARKETS, BusSettings
from tpcore.services.embedded import EmbeddedServer
from tpcore.services.flow import OrderFlow
from tpcore.services.matcher import MatcherOptions
from tpcore.services.naming import ORDERS_STREAM, matcher_consumer
from tpcore.services.replay import verify

SYMBOLS = ["BTC-USDT", "ETH-USDT"]


def run(coroutine: Coroutine[Any, Any, None], timeout: float = 120.0) -> None:
    asyncio.run(asyncio.wait_for(coroutine, timeout))


async def produce(
    client: Client,
    messages: int,
    seed: int,
    *,
    retry_for: float = 0.0,
    pause: float = 0.005,
    until: asyncio.Event | None = None,
) -> None:
    """Submits order messages of 1 to 40 orders, alternating symbols: ``messages`` of
    them, and then more until ``until`` is set."""
    flow = OrderFlow(DEMO_MARKETS, SYMBOLS, seed=seed)
    rng = random.Random(seed)
    i = 0
    while i < messages or (until is not None and not until.is_set()):
        i += 1
        await client.submit(flow.chunk(rng.randint(1, 40), i % len(SYMBOLS)), retry_for=retry_for)
        if i % 10 == 0:
            await asyncio.sleep(pause)


async def settled(client: Client) -> bool:
    for symbol in SYMBOLS:
        try:
            info = await client.bus.js.consumer_info(ORDERS_STREAM, matcher_consumer(symbol))
        except Exception:
            return False
        if info.num_pending or info.num_ack_pending:
            return False
    return True


async def assert_events_identical(client: Client) -> None:
    for symbol in SYMBOLS:
        verdict = await verify(client.bus.js, DEMO_MARKETS, symbol)
        assert verdict.identical, verdict
        assert verdict.stored > 0


@pytest.mark.parametrize("seed", [5, 9])
def test_kill_9_at_random_moments_loses_and_doubles_nothing(
    settings: BusSettings, nats_server: EmbeddedServer, tmp_path: Path, seed: int
) -> None:
    matcher = matcher_process(
        nats_server.url, SYMBOLS, tmp_path / "matcher.log",
        "--lease-ttl", "1.5", "--snapshot-every", "700", "--batch", "50",
    )  # fmt: skip

    async def scenario() -> None:
        client = await Client.connect(settings)
        matcher.start()
        log = tmp_path / "matcher.log"

        starts = 1

        def last_start_recovered() -> bool:
            text = log.read_text()
            last = text.rsplit('"matcher started"', 1)[-1]
            started = text.count('"matcher started"') == starts
            return started and last.count('"recovered"') == len(SYMBOLS)

        crashes_done = asyncio.Event()
        load = asyncio.create_task(produce(client, 300, seed=seed, pause=0.02, until=crashes_done))
        rng = random.Random(seed)
        for _ in range(4):  # crashes at random moments of a working matcher, mid-flow
            await wait_until(last_start_recovered, timeout=40)
            await asyncio.sleep(rng.uniform(0.05, 0.8))
            assert not load.done()
            matcher.kill()
            matcher.start()
            starts += 1
        crashes_done.set()
        await load
        await wait_until(last_start_recovered, timeout=40)
        await wait_until(lambda: settled(client), timeout=40)
        assert matcher.terminate() == 0
        await assert_events_identical(client)
        text = log.read_text()
        assert text.count('"recovered"') == 5 * len(SYMBOLS)
        assert '"snapshot stored"' in text
        await client.close()

    try:
        run(scenario(), timeout=150)
    finally:
        matcher.cleanup()


def test_server_restart_under_load_loses_nothing(
    settings: BusSettings, nats_server: EmbeddedServer
) -> None:
    async def scenario() -> None:
        options = MatcherOptions(snapshot_every=500)
        quick = BusSettings(servers=settings.servers, request_timeout=2.0, lease_ttl=1.5)
        async with running_matcher(quick, SYMBOLS, options=options):
            client = await Client.connect(quick)
            load = asyncio.create_task(produce(client, 400, seed=12, retry_for=60))
            await asyncio.sleep(1.0)
            nats_server.stop()
            await asyncio.sleep(0.5)
            nats_server.start()
            await load
            await wait_until(lambda: settled(client), timeout=60)
            await assert_events_identical(client)
            await client.close()

    run(scenario(), timeout=150)
