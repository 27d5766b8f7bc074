"""The load generator's publishing loop, against a stand-in publisher (no server)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from nats.js.api import PubAck

from tpcore.services.config import DEMO_MARKETS
from tpcore.services.flow import OrderFlow
from tpcore.services.loadgen import Progress, _publish, _Tracker

SYMBOL = "BTC-USDT"


class StandInPublisher:
    """Acknowledges each message on the next loop turn; the ``fail``-th one is refused."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.sent = 0

    async def publish(
        self, subject: str, body: bytes, headers: dict[str, str] | None = None
    ) -> asyncio.Future[PubAck]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[PubAck] = loop.create_future()
        self.sent += 1
        if self.sent == self.fail:
            loop.call_soon(future.set_exception, RuntimeError(f"refused #{self.sent}"))
        else:
            loop.call_soon(future.set_result, PubAck(stream="ORDERS", seq=self.sent))
        return future


async def publish_all(publisher: StandInPublisher, orders: int) -> _Tracker:
    client = SimpleNamespace(
        publisher=publisher, bus=SimpleNamespace(settings=SimpleNamespace(request_timeout=1.0))
    )
    flow = OrderFlow(DEMO_MARKETS, [SYMBOL], seed=3)
    tracker = _Tracker(1, orders)
    await _publish(
        client,  # type: ignore[arg-type]
        flow,
        [SYMBOL],
        tracker,
        orders=orders,
        batch=1,
        rate=0.0,
        bar=Progress(orders, None),
    )
    return tracker


def test_every_message_is_published_and_acknowledged() -> None:
    publisher = StandInPublisher(fail=0)
    tracker = asyncio.run(publish_all(publisher, 5_000))
    assert publisher.sent == 5_000
    assert tracker.distinct_sent() == 5_000


@pytest.mark.parametrize("fail", [1, 2_500, 5_000])
def test_a_refused_publish_fails_the_run_even_when_acknowledged_early(fail: int) -> None:
    # Acknowledgements are dropped from the front as they come; a refused one is kept.
    with pytest.raises(RuntimeError, match=f"refused #{fail}"):
        asyncio.run(publish_all(StandInPublisher(fail), 5_000))
