"""``tpcore demo``: the fleet on an embedded nats-server with a real order flow, a matcher
killed (``kill -9``) and restarted mid-flow, proof that nothing was lost, then signing
through the signer fleet and a price move that liquidates a leveraged account.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import TextIO

from tpcore import __version__
from tpcore.services.client import Client
from tpcore.services.config import DEMO_MARKETS
from tpcore.services.demo_extra import RISK_ACCOUNTS, liquidation_phase, signing_phase
from tpcore.services.fleet import Fleet, FleetPlan
from tpcore.services.lifetime import run
from tpcore.services.loadgen import LoadReport, run_load
from tpcore.services.replay import verify

__all__ = ["run_demo"]


def run_demo(
    out: TextIO,
    *,
    batched_orders: int = 200_000,
    single_orders: int = 20_000,
    rate: float = 5_000.0,
    data_dir: Path | None = None,
) -> int:
    """Runs the demo; returns 0 when every symbol's EVENTS matches an uninterrupted run."""
    data = data_dir or Path(tempfile.mkdtemp(prefix="tpcore-demo-"))
    accounts = data / "accounts.json"
    data.mkdir(parents=True, exist_ok=True)
    accounts.write_text(json.dumps(RISK_ACCOUNTS))
    plan = FleetPlan(
        symbols=DEMO_MARKETS.symbols,
        matchers=2,
        data_dir=data,
        signers=2,
        prices_and_risk=False,  # started after the throughput phases
        accounts_file=accounts,
    )
    out.write(f"tpcore {__version__}: the matching fleet on NATS\n")
    with Fleet(plan) as fleet:
        out.write(f"nats-server {fleet.url}, data and logs in {data}\n")
        for name, symbols in fleet.assignments.items():
            out.write(f"  {name}: {', '.join(symbols)}\n")
        return run(_drive(fleet, out, batched_orders, single_orders, rate))


async def _drive(fleet: Fleet, out: TextIO, batched: int, single: int, rate: float) -> int:
    client = await Client.connect(fleet.settings)
    symbols = DEMO_MARKETS.symbols
    try:
        out.write(f"\n1. {batched:,} orders in messages of 100, as fast as they go\n")
        report = await run_load(client, symbols, orders=batched, batch=100, seed=1)
        _write(out, report)

        victim = next(iter(fleet.assignments))
        out.write(
            f"\n2. {single:,} single-order messages at {rate:,.0f}/s; "
            f"{victim} is killed (kill -9) and restarted a third of the way in\n"
        )
        # From the event loop's thread: a worker started from a short-lived thread would be
        # stopped with it (see tpcore.services.lifetime).
        loop = asyncio.get_running_loop()
        loop.call_later(single / rate / 3, _crash_and_restart, fleet, victim, out)
        started = time.perf_counter()
        report = await run_load(client, symbols, orders=single, rate=rate, batch=1, seed=2)
        _write(out, report)
        out.write(f"   (run took {time.perf_counter() - started:.1f} s including the restart)\n")

        out.write("\n3. EVENTS against an uninterrupted run of the same ORDERS\n")
        ok = True
        for symbol in symbols:
            verdict = await verify(client.bus.js, DEMO_MARKETS, symbol)
            ok &= verdict.identical
            mark = "identical" if verdict.identical else f"DIFFERS at {verdict.first_difference}"
            out.write(
                f"   {symbol:9} {verdict.stored:>9,} events stored, {verdict.expected:>9,} "
                f"expected: {mark} (sha256 {verdict.digest})\n"
            )
        out.write("   nothing lost, nothing doubled\n" if ok else "   MISMATCH: see above\n")

        out.write("\n4. signing through the signer fleet (queue group, micro-batches)\n")
        ok &= await signing_phase(fleet, client, out, requests=5_000)

        out.write("\n5. a price move on the quote feeds; the risk worker liquidates\n")
        fleet.start_worker("marks-0")
        fleet.start_worker("risk-0")
        await asyncio.to_thread(fleet.wait_ready)
        ok &= await liquidation_phase(fleet, client, out)
        out.write("\ndemo complete\n" if ok else "\ndemo FAILED: see above\n")
        return 0 if ok else 1
    finally:
        await client.close()


def _crash_and_restart(fleet: Fleet, name: str, out: TextIO) -> None:
    fleet.kill(name)
    out.write(f"   ... {name} killed; restarting it\n")
    fleet.start_worker(name)


def _write(out: TextIO, report: LoadReport) -> None:
    for line in report.lines():
        out.write(f"   {line}\n")
