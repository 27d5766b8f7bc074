"""The matcher on a real nats-server: orders in, events out, idempotence, dead letters,
one owner per symbol."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import numpy as np
from nats.js.errors import NotFoundError
from tests.services.helpers import running_matcher, wait_until

from tpcore import book
from tpcore.services.client import Client
from tpcore.services.config import DEMO_MARKETS, BusSettings
from tpcore.services.flow import OrderFlow
from tpcore.services.naming import DEAD_STREAM, ORDERS_STREAM, matcher_consumer
from tpcore.services.replay import stored_events, verify
from tpcore.services.wire import COMMAND_HEADER, SEQ_SHIFT

SYMBOL = "BTC-USDT"


def run(coroutine: Coroutine[Any, Any, None], timeout: float = 60.0) -> None:
    asyncio.run(asyncio.wait_for(coroutine, timeout))


def stamped(commands: np.ndarray, stream_seq: int) -> np.ndarray:
    out = commands.copy()
    out["seq"] = (stream_seq << SEQ_SHIFT) + np.arange(len(out), dtype=np.uint64)
    return out


async def settled(client: Client, symbol: str = SYMBOL) -> None:
    """Waits until the symbol's consumer has acknowledged everything in ORDERS."""

    async def done() -> bool:
        try:
            info = await client.bus.js.consumer_info(ORDERS_STREAM, matcher_consumer(symbol))
        except NotFoundError:  # the matcher has not created it yet
            return False
        return info.num_pending == 0 and info.num_ack_pending == 0

    await wait_until(done)


def test_orders_come_back_as_the_events_a_local_engine_produces(settings: BusSettings) -> None:
    async def scenario() -> None:
        flow = OrderFlow(DEMO_MARKETS, [SYMBOL], seed=3)
        batch, single = flow.chunk(400, 0), flow.chunk(1, 0)
        async with running_matcher(settings, [SYMBOL]):
            client = await Client.connect(settings)
            (first,) = await client.submit(batch)
            (second,) = await client.submit(single[0])
            await settled(client)
            stored = await stored_events(client.bus.js, SYMBOL)
            await client.close()
        local = DEMO_MARKETS.engine(SYMBOL)
        expected = np.concatenate(
            [local.process(stamped(batch, first.seq)), local.process(stamped(single, second.seq))]
        )
        assert len(expected) > 400
        assert stored.tobytes() == expected.tobytes()

    run(scenario())


def test_a_resubmitted_batch_is_stored_once_and_a_reused_order_id_is_rejected(
    settings: BusSettings,
) -> None:
    async def scenario() -> None:
        orders = OrderFlow(DEMO_MARKETS, [SYMBOL], seed=4).chunk(50, 0)
        orders = orders[orders["kind"] == book.CommandKind.SUBMIT]
        async with running_matcher(settings, [SYMBOL]):
            client = await Client.connect(settings)
            (first,) = await client.submit(orders)
            (again,) = await client.submit(orders)
            assert again.duplicate
            assert again.seq == first.seq
            changed = orders[:1].copy()
            changed["qty"] += 1  # same client order id, new content: a new message
            (third,) = await client.submit(changed)
            assert not third.duplicate
            await settled(client)
            stored = await stored_events(client.bus.js, SYMBOL)
            await client.close()
        accepted = stored[stored["kind"] == book.EventKind.ACCEPTED]
        assert sorted(accepted["order_id"].tolist()) == sorted(orders["order_id"].tolist())
        last = stored[-1]
        assert last["kind"] == book.EventKind.REJECTED
        assert book.REASONS[int(last["reason"])] == "duplicate_order_id"
        assert int(last["seq"]) >> SEQ_SHIFT == third.seq

    run(scenario())


def test_bad_messages_go_to_dead_letters_and_the_matcher_carries_on(
    settings: BusSettings,
) -> None:
    async def scenario() -> None:
        flow = OrderFlow(DEMO_MARKETS, [SYMBOL], seed=5)
        invalid = flow.chunk(1, 0)
        invalid["kind"] = 99  # a valid layout with an unknown command: a reject event
        async with running_matcher(settings, [SYMBOL]) as worker:
            client = await Client.connect(settings)
            js = client.bus.js
            await js.publish(f"tp.orders.{SYMBOL}", b"not an order")
            await js.publish(f"tp.orders.{SYMBOL}", COMMAND_HEADER + b"\x00" * 10)
            await client.submit(invalid)
            valid = flow.chunk(5, 0)
            valid = valid[valid["kind"] == book.CommandKind.SUBMIT]
            (last,) = await client.submit(valid)
            await settled(client)
            dead = await js.stream_info(DEAD_STREAM)
            last_dead = await js.get_last_msg(DEAD_STREAM, f"tp.dead.{SYMBOL}")
            stats = worker.matchers[0].stats
            verdict = await verify(js, DEMO_MARKETS, SYMBOL)
            stored = await stored_events(js, SYMBOL)
            await client.close()
        assert dead.state.messages == 2
        assert last_dead.data == COMMAND_HEADER + b"\x00" * 10
        assert (last_dead.headers or {})["Tp-Reason"] == "partial_record"
        assert stats.dead_letters == 2
        assert verdict.identical
        assert book.REASONS[int(stored[0]["reason"])] == "invalid_command"
        from_last = stored[(stored["seq"] >> SEQ_SHIFT) == last.seq]
        accepted = from_last[from_last["kind"] == book.EventKind.ACCEPTED]
        assert accepted["order_id"].tolist() == valid["order_id"].tolist()

    run(scenario())


def test_two_matchers_for_one_symbol_are_never_both_active(settings: BusSettings) -> None:
    async def scenario() -> None:
        flow = OrderFlow(DEMO_MARKETS, [SYMBOL], seed=6)
        async with (
            running_matcher(settings, [SYMBOL], name="first") as first,
            running_matcher(settings, [SYMBOL], name="second") as second,
        ):
            client = await Client.connect(settings)
            both: list[bool] = []
            for _ in range(40):
                await client.submit(flow.chunk(20, 0))
                actives = [w.matchers[0].stats.active for w in (first, second) if w.matchers]
                both.append(sum(actives) > 1)
                await asyncio.sleep(0.05)
            await settled(client)
            owner = first if first.matchers[0].stats.active else second
            standby = second if owner is first else first
            assert not standby.matchers[0].stats.active
            owner.stop()  # graceful: snapshot, release the lease; the standby takes over
            await wait_until(lambda: standby.matchers[0].stats.active, timeout=15)
            await client.submit(flow.chunk(20, 0))
            await settled(client)
            verdict = await verify(client.bus.js, DEMO_MARKETS, SYMBOL)
            await client.close()
        assert not any(both)
        assert verdict.identical
        assert verdict.stored > 800

    run(scenario(), timeout=90)
