"""The risk worker's tick: a mark moves, 100,000 accounts are marked in one batch, their
margins are published and the liquidation orders stored in ORDERS.

A real nats-server; the worker's ledger is filled directly (one BTC-USDT long per account,
entry 64,000, wallets spread so that about 2% of the accounts fall to maintenance at
60,000). The figure is one tick after the move: from the start of the tick until the
liquidation orders are stored (the tick then publishes the margin updates).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import numpy as np

from benches.harness import QUICK, record_latency
from tpcore import risk
from tpcore.services.bus import Bus
from tpcore.services.config import DEMO_MARKETS, BusSettings
from tpcore.services.embedded import EmbeddedServer
from tpcore.services.risk_worker import RiskSettings, RiskWorker

ACCOUNTS = 10_000 if QUICK else 100_000
SYMBOL = "BTC-USDT"


def test_mark_tick_to_liquidation_orders(benchmark: object) -> None:
    with EmbeddedServer(Path(tempfile.mkdtemp(prefix="tpcore-bench-"))) as server:
        loop = asyncio.new_event_loop()
        bus = loop.run_until_complete(Bus.connect(BusSettings(servers=(server.url,))))
        worker = RiskWorker(bus, DEMO_MARKETS, RiskSettings(), name="bench")
        loop.run_until_complete(worker._recover())  # the KV bucket, a fresh ledger
        rng = np.random.default_rng(7)
        qty = rng.integers(1, 10, ACCOUNTS) * risk.to_fixed("0.1")
        entry = risk.to_fixed("64000")
        # Wallets between 6.5% and 30% of the notional: a 6.25% fall liquidates a few.
        notional = qty * (entry // risk.SCALE)  # entry is a whole number: no overflow
        wallets = notional * rng.integers(65, 300, ACCOUNTS) // 1000
        for account in range(ACCOUNTS):
            worker.ledger.positions[(account, SYMBOL)] = [int(qty[account]), entry, account]
            worker.ledger.wallets[account] = int(wallets[account])
        row = worker.symbol_index[SYMBOL]
        worker.marks[row] = entry
        loop.run_until_complete(worker.evaluate())  # every account's first update
        worker.marks[row] = risk.to_fixed("60000")
        seconds: list[float] = []

        def tick() -> None:
            started = loop.time()
            loop.run_until_complete(worker.evaluate())
            seconds.append(loop.time() - started)

        benchmark.pedantic(tick, rounds=1, iterations=1)  # type: ignore[attr-defined]
        liquidations = worker.liquidations
        latency = worker.last_liquidation_seconds
        loop.run_until_complete(bus.close())
        loop.close()
    assert 0 < liquidations < ACCOUNTS // 10
    record_latency(
        benchmark,
        f"risk: mark tick to {liquidations:,} liquidation orders stored "
        f"(whole tick with margin updates: {seconds[0] * 1000:,.0f} ms)",
        ACCOUNTS,
        [latency * 1000],
    )
