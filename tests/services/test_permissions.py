"""The NATS deployment configs in deploy/nats.

Every node config parses, and on a real nats-server running the shipped ``single-node.conf``
(with ``accounts.conf``) each service user can do its job through nats-py and is refused
what it must not do: the server drops a denied message and reports a permissions violation
to the connection's error callback, so a denied JetStream publish gets no ack and stores
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
import nats.errors
import pytest
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    KeyValueConfig,
    ObjectStoreConfig,
    StorageType,
    StreamConfig,
)
from nats.micro import add_service

from tpcore.services.embedded import find_nats_server

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nats"
NODE_CONFIGS = [
    "cluster-node-1.conf",
    "cluster-node-2.conf",
    "cluster-node-3.conf",
    "single-node.conf",
]
PASSWORDS = {
    role: f"tp_{role}_test_only"
    for role in ("admin", "matcher", "client", "signer", "risk", "marks", "sys")
}
ROUTE_PASSWORD = "tp_route_test_only"  # noqa: S105 - a throwaway for the parse check
#: Seconds a denied request waits for the reply that never comes.
DENIED = 0.5
#: Seconds an allowed request may take.
ALLOWED = 5.0
STREAMS = {"ORDERS": "tp.orders.>", "EVENTS": "tp.events.>", "DEAD": "tp.dead.>"}


def server_env() -> dict[str, str]:
    """The environment a node needs: every password the configs reference, and the routes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPCORE_")}
    env.update({f"TPCORE_{role.upper()}_PASSWORD": pw for role, pw in PASSWORDS.items()})
    env["TPCORE_ROUTE_PASSWORD"] = ROUTE_PASSWORD
    routes = [f"nats-route://route:{ROUTE_PASSWORD}@tp-nats-{n}:6222" for n in (1, 2, 3)]
    env["TPCORE_NATS_ROUTES"] = "[" + ", ".join(routes) + "]"
    return env


def check_config(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_nats_server(), "-t", "-c", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize("name", NODE_CONFIGS)
def test_node_config_parses(name: str) -> None:
    done = check_config(DEPLOY / name, server_env())
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "is valid" in output


def test_a_node_without_a_password_in_the_environment_does_not_start() -> None:
    env = server_env()
    del env["TPCORE_CLIENT_PASSWORD"]
    done = check_config(DEPLOY / "single-node.conf", env)
    assert done.returncode != 0
    assert "TPCORE_CLIENT_PASSWORD" in done.stdout + done.stderr


# ---------------------------------------------------------------------------------------------
# A server running single-node.conf


def wait_until_listening(process: subprocess.Popen[bytes], log: Path) -> str:
    """The client URL, once the server says it is ready."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        found = re.search(r"Listening for client connections on ([\d.]+):(\d+)", text)
        if found and "Server is ready" in text:
            return f"nats://{found.group(1)}:{found.group(2)}"
        if process.poll() is not None:
            pytest.fail(f"nats-server exited with {process.returncode}:\n{text}")
        time.sleep(0.02)
    pytest.fail(f"nats-server did not start:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A nats-server on the shipped single-node.conf and accounts.conf, on a free port, with
    its store in a temporary folder and the fleet's streams and buckets created by admin."""
    folder = tmp_path_factory.mktemp("nats-permissions")
    shutil.copy(DEPLOY / "accounts.conf", folder / "accounts.conf")
    config = (DEPLOY / "single-node.conf").read_text()
    store_dir = re.compile(r"^(\s*store_dir:).*$", flags=re.MULTILINE)
    assert len(store_dir.findall(config)) == 1
    config = store_dir.sub(lambda m: f"{m.group(1)} {json.dumps(str(folder / 'store'))}", config)
    (folder / "single-node.conf").write_text(config)
    log = folder / "nats-server.log"
    with log.open("wb") as out:
        # -p -1 / -m -1: any free port for clients and monitoring.
        process = subprocess.Popen(
            [find_nats_server(), "-c", str(folder / "single-node.conf"), "-p", "-1", "-m", "-1"],
            env=server_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = wait_until_listening(process, log)
        asyncio.run(create_assets(url))
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def create_assets(url: str) -> None:
    async with connected(url, "admin") as admin:
        for name, subjects in {**STREAMS, "AUDIT": "tp.audit.>"}.items():
            await admin.js.add_stream(
                StreamConfig(
                    name=name,
                    subjects=[subjects],
                    storage=StorageType.FILE,
                    duplicate_window=120.0,
                    allow_direct=True,
                )
            )
        await admin.js.create_key_value(KeyValueConfig(bucket="tp_leases", history=1))
        await admin.js.create_key_value(KeyValueConfig(bucket="tp_withdrawals"))
        await admin.js.create_object_store(
            "tp_snapshots", config=ObjectStoreConfig(bucket="tp_snapshots")
        )


@dataclass
class Session:
    """One user's connection, and the permission violations the server reported to it."""

    nc: NatsClient
    js: JetStreamContext
    #: For attempts that must be denied: they end in a timeout, so a short one.
    js_denied: JetStreamContext
    #: What nats-py passed to the error callback (lower case, as nats-py reports it).
    errors: list[str]

    async def violation(self, kind: str, subject: str, timeout: float = 3.0) -> None:
        """Waits for the report of a denied ``kind`` ("publish" or "subscription") to
        ``subject``, or to any subject starting with it if it ends with a dot."""
        expected = f'permissions violation for {kind} to "{subject.lower()}'
        if not subject.endswith("."):
            expected += '"'
        deadline = time.monotonic() + timeout
        while not any(expected in error for error in self.errors):
            if time.monotonic() > deadline:
                raise AssertionError(f"no {expected!r} reported; errors: {self.errors}")
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def connected(url: str, role: str) -> AsyncIterator[Session]:
    errors: list[str] = []

    async def on_error(error: Exception) -> None:
        errors.append(str(error).lower())

    nc = await nats.connect(
        url,
        user=role,
        password=PASSWORDS[role],
        name=f"test-{role}",
        error_cb=on_error,
        allow_reconnect=False,
        connect_timeout=ALLOWED,
    )
    try:
        yield Session(nc, nc.jetstream(timeout=ALLOWED), nc.jetstream(timeout=DENIED), errors)
    finally:
        await nc.close()


def run(coroutine: Coroutine[Any, Any, None]) -> None:
    asyncio.run(asyncio.wait_for(coroutine, 30))


async def stored(admin: Session, stream: str) -> int:
    return (await admin.js.stream_info(stream)).state.messages


async def denied(session: Session, attempt: Awaitable[object], subject: str) -> None:
    """``attempt`` (a request to ``subject``) gets no reply and is reported as denied."""
    with pytest.raises(nats.errors.TimeoutError):
        await attempt
    await session.violation("publish", subject)


async def js_publish_denied(session: Session, admin: Session, subject: str, stream: str) -> None:
    """A JetStream publish to ``subject`` is denied and ``stream`` stores nothing."""
    before = await stored(admin, stream)
    await denied(session, session.js_denied.publish(subject, b"denied"), subject)
    assert await stored(admin, stream) == before


@contextlib.asynccontextmanager
async def signing_requests(url: str) -> AsyncIterator[list[Msg]]:
    """A signer in queue group ``signers``: the requests it receives, each answered."""
    received: list[Msg] = []

    async def on_request(msg: Msg) -> None:
        received.append(msg)
        if msg.reply:
            await msg.respond(b"signed:" + msg.data)

    async with connected(url, "signer") as signer:
        await signer.nc.subscribe("tp.sign.>", queue="signers", cb=on_request)
        await signer.nc.flush()
        yield received
        await signer.nc.flush()
    assert not signer.errors


async def request_when_served(nc: NatsClient, subject: str, body: bytes) -> Msg:
    """A request, retried while the responder's interest is still reaching the server."""
    for _ in range(20):
        try:
            return await nc.request(subject, body, timeout=ALLOWED)
        except nats.errors.NoRespondersError:  # noqa: PERF203 - a retry loop
            await asyncio.sleep(0.05)
    return await nc.request(subject, body, timeout=ALLOWED)


def test_client_publishes_orders_and_reads_events(nats_url: str) -> None:
    subject = "tp.events.ETH-USDT"
    # Enough bytes that the ordered consumer must answer flow control ($JS.FC.EVENTS.>).
    events = [bytes([i]) * 1_000_000 for i in range(8)]

    async def scenario() -> None:
        async with (
            connected(nats_url, "matcher") as matcher,
            connected(nats_url, "client") as client,
        ):
            ack = await client.js.publish("tp.orders.ETH-USDT", b"order")
            assert ack.stream == "ORDERS"
            pending = await client.js.publish_async("tp.orders.ETH-USDT", b"order 2")
            assert (await pending).seq == ack.seq + 1
            for stream in ("ORDERS", "EVENTS"):
                assert (await client.js.stream_info(stream)).config.name == stream

            acks = [await matcher.js.publish_async(subject, body) for body in events]
            await asyncio.gather(*acks)
            # An ordered consumer, found through the subject ($JS.API.STREAM.NAMES).
            ordered = await client.js.subscribe(subject, ordered_consumer=True)
            assert [(await ordered.next_msg(timeout=ALLOWED)).data for _ in events] == events
            await ordered.unsubscribe()
            # An ephemeral pull consumer: fetch and ack.
            pull = await client.js.pull_subscribe(subject, stream="EVENTS")
            fetched = await pull.fetch(2, timeout=ALLOWED)
            assert [m.data for m in fetched] == events[:2]
            for message in fetched:
                await message.ack_sync(timeout=ALLOWED)
            assert (await pull.consumer_info()).num_ack_pending == 0
            await pull.unsubscribe()
            assert not client.errors

    run(scenario())


def test_client_cannot_publish_events_dead_letters_or_signing_requests(nats_url: str) -> None:
    async def scenario() -> None:
        async with (
            connected(nats_url, "admin") as admin,
            connected(nats_url, "client") as client,
            signing_requests(nats_url) as requests,
        ):
            await asyncio.gather(
                js_publish_denied(client, admin, "tp.events.BTC-USDT", "EVENTS"),
                js_publish_denied(client, admin, "tp.dead.BTC-USDT", "DEAD"),
            )
            await client.nc.publish("tp.sign.eth", b"withdraw everything")
            await client.violation("publish", "tp.sign.eth")
            assert requests == []

    run(scenario())


def test_client_cannot_manage_streams_or_consume_orders(nats_url: str) -> None:
    async def scenario() -> None:
        async with connected(nats_url, "admin") as admin, connected(nats_url, "client") as client:
            before = (await admin.js.stream_info("ORDERS")).state.consumer_count
            jsm = client.js_denied
            await asyncio.gather(
                denied(client, jsm.delete_stream("ORDERS"), "$JS.API.STREAM.DELETE.ORDERS"),
                denied(
                    client,
                    jsm.update_stream(StreamConfig(name="EVENTS", subjects=["tp.events.>"])),
                    "$JS.API.STREAM.UPDATE.EVENTS",
                ),
                denied(
                    client,
                    jsm.add_consumer("ORDERS", ConsumerConfig(durable_name="peek")),
                    "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.peek",
                ),
                denied(
                    client,
                    jsm.pull_subscribe("tp.orders.>", stream="ORDERS"),
                    "$JS.API.CONSUMER.CREATE.ORDERS.",
                ),
                denied(
                    client,
                    jsm.subscribe("tp.orders.>", stream="ORDERS", ordered_consumer=True),
                    "$JS.API.CONSUMER.CREATE.ORDERS",
                ),
            )
            info = await admin.js.stream_info("ORDERS")
            assert info.state.consumer_count == before
            assert (await admin.js.stream_info("EVENTS")).config.subjects == ["tp.events.>"]

    run(scenario())


@pytest.mark.filterwarnings("ignore:datetime.datetime.utcnow:DeprecationWarning")
def test_matcher_consumes_orders_publishes_events_and_uses_its_buckets(nats_url: str) -> None:
    symbol = "SOL-USDT"
    consumer = f"matcher_{symbol}"
    orders = [b"order-%d" % i for i in range(3)]

    async def scenario() -> None:
        async with (
            connected(nats_url, "admin") as admin,
            connected(nats_url, "client") as client,
            connected(nats_url, "matcher") as matcher,
        ):
            js = matcher.js
            for stream in STREAMS:
                assert (await js.stream_info(stream)).config.name == stream
            for order in orders:
                await client.js.publish(f"tp.orders.{symbol}", order)

            # Its durable pull consumer, made as tpcore's matcher makes it.
            config = ConsumerConfig(
                durable_name=consumer,
                filter_subject=f"tp.orders.{symbol}",
                ack_policy=AckPolicy.ALL,
                max_waiting=16,
            )
            await js.add_consumer("ORDERS", config)
            assert (await js.consumer_info("ORDERS", consumer)).config.ack_policy == AckPolicy.ALL
            subscription = await js.pull_subscribe_bind(durable=consumer, stream="ORDERS")
            fetched = await subscription.fetch(len(orders), timeout=ALLOWED)
            assert [m.data for m in fetched] == orders
            await fetched[-1].ack_sync(timeout=ALLOWED)  # ack policy all: acks all three
            info = await js.consumer_info("ORDERS", consumer)
            assert (info.num_ack_pending, info.num_pending) == (0, 0)

            # Events (async publishes, acks on _INBOX) and a dead letter, then read back the
            # last of each subject both ways (stream message get and direct get).
            futures = [
                await js.publish_async(
                    f"tp.events.{symbol}", b"event-%d" % i, headers={"Nats-Msg-Id": f"{i}"}
                )
                for i in range(3)
            ]
            assert {ack.stream for ack in await asyncio.gather(*futures)} == {"EVENTS"}
            await js.publish(f"tp.dead.{symbol}", b"undecodable")
            for stream, subject, body in [
                ("EVENTS", f"tp.events.{symbol}", b"event-2"),
                ("DEAD", f"tp.dead.{symbol}", b"undecodable"),
            ]:
                assert (await js.get_last_msg(stream, subject)).data == body
                assert (await js.get_msg(stream, subject=subject, direct=True)).data == body

            # Its lease.
            leases = await js.key_value("tp_leases")
            key = f"matcher.{symbol}"
            revision = await leases.create(key, b"worker-1")
            revision = await leases.update(key, b"worker-1", last=revision)
            assert (await leases.get(key)).revision == revision
            await leases.delete(key, last=revision)
            await leases.create(key, b"worker-2")
            await leases.put(key, b"worker-2")
            assert await leases.keys() == [key]

            # Its snapshots (several chunks; the second put replaces the first).
            snapshots = await js.object_store("tp_snapshots")
            first, second = bytes(range(256)) * 2048, bytes(range(255, -1, -1)) * 2048
            await snapshots.put(symbol, first)
            await snapshots.put(symbol, second)
            assert (await snapshots.get(symbol)).data == second

            # Its nats.micro service answers admin.
            service = await add_service(matcher.nc, name="tpcore-matcher", version="0.0.1")
            await matcher.nc.flush()  # its subscriptions stored before admin asks
            reply = await admin.nc.request("$SRV.PING.tpcore-matcher", b"", timeout=ALLOWED)
            assert json.loads(reply.data)["name"] == "tpcore-matcher"
            await service.stop()

            await js.delete_consumer("ORDERS", consumer)
            assert not matcher.errors

    run(scenario())


def test_matcher_cannot_publish_orders_or_signing_requests(nats_url: str) -> None:
    async def scenario() -> None:
        async with (
            connected(nats_url, "admin") as admin,
            connected(nats_url, "matcher") as matcher,
            signing_requests(nats_url) as requests,
        ):
            await asyncio.gather(
                js_publish_denied(matcher, admin, "tp.orders.BTC-USDT", "ORDERS"),
                denied(
                    matcher,
                    matcher.js_denied.delete_stream("ORDERS"),
                    "$JS.API.STREAM.DELETE.ORDERS",
                ),
            )
            await matcher.nc.publish("tp.sign.eth", b"withdraw everything")
            await matcher.violation("publish", "tp.sign.eth")
            assert requests == []

    run(scenario())


def test_signer_answers_in_its_queue_group_only_and_cannot_publish_orders(
    nats_url: str,
) -> None:
    async def scenario() -> None:
        async with (
            connected(nats_url, "admin") as admin,
            connected(nats_url, "signer") as signer,
            signing_requests(nats_url) as requests,
        ):
            reply = await request_when_served(admin.nc, "tp.sign.eth", b"tx")
            assert reply.data == b"signed:tx"
            assert len(requests) == 1
            # Outside the queue group `signers`, the subscription is refused.
            await signer.nc.subscribe("tp.sign.>")
            await signer.nc.flush()
            await signer.violation("subscription", "tp.sign.>")
            await asyncio.gather(
                js_publish_denied(signer, admin, "tp.orders.BTC-USDT", "ORDERS"),
                js_publish_denied(signer, admin, "tp.events.BTC-USDT", "EVENTS"),
            )
            # What it may do: the audit trail and its bucket.
            assert (await signer.js.publish("tp.audit.eth", b"signed tx")).stream == "AUDIT"
            withdrawals = await signer.js.key_value("tp_withdrawals")
            revision = await withdrawals.create("w1", b"pending")
            await withdrawals.update("w1", b"signed", last=revision)
            assert (await withdrawals.get("w1")).value == b"signed"

    run(scenario())


def test_risk_publishes_results_and_liquidations_but_not_events(nats_url: str) -> None:
    async def scenario() -> None:
        async with connected(nats_url, "admin") as admin, connected(nats_url, "risk") as risk:
            results = await admin.nc.subscribe("tp.risk.>")
            await admin.nc.flush()
            ack = await risk.js.publish("tp.orders.BTC-USDT", b"liquidation")
            assert ack.stream == "ORDERS"
            await risk.nc.publish("tp.risk.margin", b"account 7 at 80%")
            assert (await results.next_msg(timeout=ALLOWED)).data == b"account 7 at 80%"
            await js_publish_denied(risk, admin, "tp.events.BTC-USDT", "EVENTS")

    run(scenario())


def test_marks_publishes_marks_only(nats_url: str) -> None:
    async def scenario() -> None:
        async with (
            connected(nats_url, "admin") as admin,
            connected(nats_url, "risk") as risk,
            connected(nats_url, "marks") as marks,
        ):
            quotes = await marks.nc.subscribe("tp.quotes.>")
            marks_seen = await risk.nc.subscribe("tp.marks.>")
            await marks.nc.flush()
            await risk.nc.flush()
            await admin.nc.publish("tp.quotes.BTC-USDT", b"64000")
            assert (await quotes.next_msg(timeout=ALLOWED)).data == b"64000"
            await marks.nc.publish("tp.marks.BTC-USDT", b"64001")
            assert (await marks_seen.next_msg(timeout=ALLOWED)).data == b"64001"
            before = await stored(admin, "ORDERS")
            await marks.nc.publish("tp.orders.BTC-USDT", b"order")
            await marks.violation("publish", "tp.orders.BTC-USDT")
            assert await stored(admin, "ORDERS") == before

    run(scenario())
