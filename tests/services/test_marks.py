"""The mark-price worker: quotes from several sources in, index and mark prices out."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Coroutine
from typing import Any

from tests.services.helpers import wait_until

from tpcore import risk
from tpcore.services.bus import Bus
from tpcore.services.config import BusSettings
from tpcore.services.marks import MarksOptions, MarksWorker, quotes_subject


def run(coroutine: Coroutine[Any, Any, None], timeout: float = 60.0) -> None:
    asyncio.run(asyncio.wait_for(coroutine, timeout))


def test_marks_follow_the_median_of_live_sources_and_a_wild_source_is_clamped(
    settings: BusSettings,
) -> None:
    async def scenario() -> None:
        bus = await Bus.connect(settings)
        marks: list[dict[str, Any]] = []

        async def on_mark(msg: Any) -> None:
            marks.append(json.loads(msg.data))

        await bus.nc.subscribe("tp.marks.BTC-USDT", cb=on_mark)
        worker = MarksWorker(bus, ["BTC-USDT"], MarksOptions(tick=0.05, band_bps=300))
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        await wait_until(lambda: worker.ticks > 0)  # subscribed
        now = int(time.time() * 1000)
        for source, price in (("a", "64000"), ("b", "64010"), ("c", "70000")):
            quote = {"price": price, "volume": "1", "ts": now}
            await bus.nc.publish(quotes_subject("BTC-USDT", source), json.dumps(quote).encode())
        await bus.nc.publish(quotes_subject("BTC-USDT", "d"), b"not json")
        await bus.nc.publish(quotes_subject("DOGE-USDT", "a"), json.dumps(quote).encode())
        await wait_until(lambda: any(m["sources"] == 3 for m in marks))
        latest = next(m for m in reversed(marks) if m["sources"] == 3)
        assert latest["index"] == "64010"  # the median; 70,000 is clamped to the band
        assert latest["mark_fixed"] == risk.to_fixed("64010")
        assert latest["flags"] == ["OUTLIER"]
        assert worker.bad_quotes == 2
        stop.set()
        await task
        await bus.close()

    run(scenario())
