"""A matcher worker process: one connection, one :class:`SymbolMatcher` per symbol, a
``nats.micro`` service (PING, INFO, STATS and a ``status`` endpoint), and a graceful
stop on SIGTERM or SIGINT (finish the batch, snapshot, release the leases, drain).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import socket
from collections.abc import Sequence

from nats.micro import add_service
from nats.micro.request import Request
from nats.micro.service import EndpointStats, Service

from tpcore import __version__
from tpcore.services.bus import Bus
from tpcore.services.config import BusSettings, Markets
from tpcore.services.lifetime import on_stop_signals, run
from tpcore.services.logs import fields
from tpcore.services.matcher import MatcherOptions, SymbolMatcher

__all__ = ["MatcherWorker", "run_matcher"]

log = logging.getLogger("tpcore.services.worker")


class MatcherWorker:
    """Serves ``symbols`` until :meth:`stop`."""

    def __init__(
        self,
        settings: BusSettings,
        markets: Markets,
        symbols: Sequence[str],
        *,
        name: str | None = None,
        options: MatcherOptions | None = None,
    ) -> None:
        for symbol in symbols:
            markets.by_symbol(symbol)  # unknown symbols fail here, not in a task
        self.settings = settings
        self.markets = markets
        self.symbols = list(symbols)
        self.name = name or f"matcher-{socket.gethostname()}-{os.getpid()}"
        self.options = options or MatcherOptions()
        self.matchers: list[SymbolMatcher] = []
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Asks every symbol to finish its batch, snapshot and let go."""
        self._stop.set()

    async def run(self) -> None:
        """Connects, serves until stopped, then drains."""
        bus = await Bus.connect(self.settings, name=self.name)
        self.matchers = [
            SymbolMatcher(bus, self.markets, symbol, owner=self.name, options=self.options)
            for symbol in self.symbols
        ]
        service = await self._service(bus)
        log.info("matcher started", extra=fields(worker=self.name, symbols=self.symbols))
        try:
            await asyncio.gather(*(m.run(self._stop) for m in self.matchers))
        finally:
            with contextlib.suppress(Exception):
                await service.stop()
            await bus.close()
            log.info("matcher stopped", extra=fields(worker=self.name))

    def status(self) -> dict[str, object]:
        """The worker's symbols and their counters."""
        return {"worker": self.name, "symbols": [m.stats.as_dict() for m in self.matchers]}

    async def _service(self, bus: Bus) -> Service:
        def stats(_: EndpointStats) -> dict[str, object]:
            return self.status()

        service = await add_service(
            bus.nc,
            name="tpcore-matcher",
            version=__version__,
            description="order matching for " + ",".join(self.symbols),
            metadata={"worker": self.name},
            stats_handler=stats,
        )

        async def status(request: Request) -> None:
            await request.respond(json.dumps(self.status()).encode())

        await service.add_endpoint(name="status", subject=f"tp.status.{self.name}", handler=status)
        return service


def run_matcher(
    settings: BusSettings,
    markets: Markets,
    symbols: Sequence[str],
    *,
    name: str | None = None,
    options: MatcherOptions | None = None,
) -> int:
    """Runs a worker in this process until SIGTERM or SIGINT; returns the exit status."""

    async def main() -> None:
        worker = MatcherWorker(settings, markets, symbols, name=name, options=options)
        on_stop_signals(worker.stop)
        gc.freeze()  # what start-up built lives forever: keep it out of collections
        await worker.run()

    run(main())
    return 0
