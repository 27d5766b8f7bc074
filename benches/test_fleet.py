"""The fleet end to end: orders through JetStream, matched, events back to the client.

A nats-server and one matcher process run for the whole module (``tpcore.services.fleet``).
The order cases run until the matcher has stored the events of every message. The peer is
nats-py itself: the same number of messages of the same size published with
``publish_async`` to a plain stream and acknowledged, no matching. So the ratio says what
share of NATS's own rate the fleet keeps (the target: 70% at one order per message).
The latency case sends single-order messages at 10,000 orders/s and records the
percentiles from submit to the first event in ``extra_info``.

Set ``TPCORE_BENCH_QUICK=1`` for short runs.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from nats.js.api import StorageType, StreamConfig

from benches.harness import QUICK, measure, record_latency
from tpcore import sign
from tpcore.services.client import Client
from tpcore.services.fleet import Fleet, FleetPlan
from tpcore.services.keys import list_keys
from tpcore.services.lifetime import new_event_loop
from tpcore.services.loadgen import run_load
from tpcore.services.sign_load import run_sign_load
from tpcore.services.signing import SignerClient
from tpcore.services.wire import COMMAND_HEADER

SINGLE_N = 5_000 if QUICK else 30_000
BATCHED_N = 20_000 if QUICK else 300_000
LATENCY_N = 5_000 if QUICK else 30_000
SIGN_N = 4_000 if QUICK else 40_000
SYMBOL = "BTC-USDT"
#: From the first publish until the matcher has stored every message's events (the latency
#: case below reads them back).
CASES = {
    1: "fleet: orders stored and matched (1/message)",
    100: "fleet: orders stored and matched (100/message)",
}
ROUNDS = 3


class Session:
    """The fleet, an event loop and a connected client, shared by the module."""

    def __init__(self, data: Path) -> None:
        # The benchmark process still holds what earlier modules built (a million-order
        # pure-Python book, ...): keep it out of the collections a fresh `tpcore loadgen`
        # process would not make.
        gc.collect()
        gc.freeze()
        plan = FleetPlan(
            symbols=[SYMBOL], matchers=1, data_dir=data, signers=2, prices_and_risk=False
        )
        self.fleet = Fleet(plan).start()
        self.signing_key = next(name for kind, name in list_keys(data / "keys"))
        self.loop = new_event_loop()  # what `tpcore loadgen` runs on
        self.client = self.loop.run_until_complete(Client.connect(self.fleet.settings))
        self.loop.run_until_complete(self._bench_stream())
        self.seq = 0
        self.sign_peak = 0.0

    async def _bench_stream(self) -> None:
        config = StreamConfig(name="BENCH", subjects=["bench.>"], storage=StorageType.FILE)
        await self.client.bus.js.add_stream(config)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.close())
        self.loop.close()
        self.fleet.stop()
        gc.unfreeze()


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    fleet = Session(tmp_path_factory.mktemp("fleet"))
    yield fleet
    fleet.close()


def fleet_run(session: Session, orders: int, batch: int, answers: bool) -> None:
    session.seq += 1
    report = session.loop.run_until_complete(
        run_load(
            session.client, [SYMBOL], orders=orders, batch=batch, seed=session.seq,
            answers=answers,
        )
    )  # fmt: skip
    assert report.answered == report.distinct, report.lines()


def nats_py_publish(session: Session, messages: int, size: int) -> None:
    """nats-py's own JetStream rate: async publishes with ids, all acknowledged."""
    session.seq += 1
    body = COMMAND_HEADER + bytes(size - len(COMMAND_HEADER))

    async def publish() -> None:
        js = session.client.bus.js
        futures = [
            await js.publish_async(
                "bench.orders", body, headers={"Nats-Msg-Id": f"{session.seq}:{i}"}
            )
            for i in range(messages)
        ]
        await asyncio.gather(*futures)

    session.loop.run_until_complete(publish())


@pytest.mark.parametrize("batch", [1, 100])
def test_fleet_orders(benchmark: object, session: Session, batch: int) -> None:
    n = SINGLE_N if batch == 1 else BATCHED_N
    measure(
        benchmark, fleet_run, session, n, batch, False,
        case=CASES[batch], impl="tpcore fleet",
        n=n, peer=False, targets={"nats-py publish_async": 0.7} if batch == 1 else None,
        rounds=ROUNDS,
    )  # fmt: skip


@pytest.mark.parametrize("batch", [1, 100])
def test_nats_py_publish(benchmark: object, session: Session, batch: int) -> None:
    n = SINGLE_N if batch == 1 else BATCHED_N
    measure(
        benchmark, nats_py_publish, session, n // batch, 8 + 88 * batch,
        case=CASES[batch],
        impl="nats-py publish_async", n=n, peer=True, rounds=ROUNDS,
    )  # fmt: skip


def test_fleet_latency_at_10k_orders_per_second(benchmark: object, session: Session) -> None:
    reports = []

    def run() -> None:
        session.seq += 1
        report = session.loop.run_until_complete(
            run_load(session.client, [SYMBOL], orders=LATENCY_N, rate=10_000.0, seed=session.seq)
        )
        reports.append(report)

    benchmark.pedantic(run, rounds=1, iterations=1)  # type: ignore[attr-defined]
    record_latency(
        benchmark,
        "fleet: submit to event at 10,000 orders/s",
        LATENCY_N,
        reports[-1].latencies_ms,
    )
    assert reports[-1].answered == reports[-1].distinct


SIGN_CASES = {
    1: "signatures: secp256k1 hashes (1/request)",
    16: "signatures: secp256k1 hashes (16/request)",
}


@pytest.mark.parametrize("per_request", sorted(SIGN_CASES))
def test_signer_fleet_hash_signatures(
    benchmark: object, session: Session, per_request: int
) -> None:
    """2 signer workers behind the queue group, 2,000 requests in flight (pipelined)."""
    client = SignerClient(session.client.bus.nc, timeout=60)

    def run() -> None:
        report = session.loop.run_until_complete(
            run_sign_load(
                client, kind="hash", key=session.signing_key.lower(),
                requests=SIGN_N // per_request, per_request=per_request, in_flight=2000,
            )
        )  # fmt: skip
        assert not report.errors
        if per_request == 1:
            session.sign_peak = max(session.sign_peak, SIGN_N / report.seconds)

    measure(
        benchmark, run, case=SIGN_CASES[per_request], impl="tpcore signer fleet (2)",
        n=SIGN_N, peer=False, targets={"in-process tpcore.sign.ecdsa_sign": 0.5}, rounds=ROUNDS,
    )  # fmt: skip


@pytest.mark.parametrize("per_request", sorted(SIGN_CASES))
def test_in_process_hash_signatures(benchmark: object, session: Session, per_request: int) -> None:
    """The same signatures in one in-process batch call (the fleet's ceiling)."""
    key = sign.PrivateKey.generate()
    secret = np.frombuffer(key.secret_bytes(), np.uint8)
    hashes = np.random.default_rng(1).integers(0, 256, (SIGN_N, 32), dtype=np.uint8)
    measure(
        benchmark, sign.ecdsa_sign, secret, hashes, case=SIGN_CASES[per_request],
        impl="in-process tpcore.sign.ecdsa_sign", n=SIGN_N, peer=True,
    )  # fmt: skip


def test_signer_fleet_latency_at_half_its_peak(benchmark: object, session: Session) -> None:
    """Request latency with the load at half the peak rate the fleet case measured."""
    if session.sign_peak == 0:
        pytest.skip("runs after test_signer_fleet_hash_signatures[1], which measures the peak")
    client = SignerClient(session.client.bus.nc, timeout=60)
    rate = session.sign_peak / 2
    requests = int(rate * (2 if QUICK else 5))
    reports = []

    def run() -> None:
        reports.append(
            session.loop.run_until_complete(
                run_sign_load(
                    client, kind="hash", key=session.signing_key.lower(), requests=requests,
                    in_flight=2000, rate=rate,
                )
            )
        )  # fmt: skip

    benchmark.pedantic(run, rounds=1, iterations=1)  # type: ignore[attr-defined]
    record_latency(
        benchmark,
        f"signer fleet (2): request to signature at {rate:,.0f}/s (half peak, 1/request)",
        requests,
        reports[-1].latencies_ms,
    )
    assert not reports[-1].errors
