"""Helpers for the fleet tests: workers in this loop or as processes, and polling."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from tpcore.services.config import DEMO_MARKETS, BusSettings, Markets
from tpcore.services.matcher import MatcherOptions
from tpcore.services.worker import MatcherWorker


@contextlib.asynccontextmanager
async def running_matcher(
    settings: BusSettings,
    symbols: list[str],
    *,
    name: str = "matcher-test",
    markets: Markets = DEMO_MARKETS,
    options: MatcherOptions | None = None,
) -> AsyncIterator[MatcherWorker]:
    """A matcher worker running in this event loop until the block ends."""
    worker = MatcherWorker(settings, markets, symbols, name=name, options=options)
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        worker.stop()
        await asyncio.wait_for(task, 30)


class WorkerProcess:
    """A ``tpcore worker ...`` process, for ``kill -9`` drills."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.command = [sys.executable, "-m", "tpcore", "worker", *args]
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy()
            )
        return self

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(30)

    def cleanup(self) -> None:
        """Kills the process if a failed test left it running."""
        if self.process is not None and self.process.poll() is None:
            self.kill()


def matcher_process(url: str, symbols: list[str], log: Path, *extra: str) -> WorkerProcess:
    """A matcher worker process named ``matcher-proc``."""
    args = ["matcher", "--nats", url, "--symbols", ",".join(symbols), "--name", "matcher-proc"]
    return WorkerProcess([*args, *extra], log)


async def wait_until(predicate, timeout: float = 20.0, step: float = 0.05) -> None:  # type: ignore[no-untyped-def]
    """Polls ``predicate()`` (sync or async) until it is true, or fails the test."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        await asyncio.sleep(step)
    raise AssertionError(f"condition not met within {timeout} s")
