"""The connection to NATS and the JetStream assets of the fleet.

:class:`Bus` connects with infinite reconnects and back-off, creates or updates the
streams (ORDERS, EVENTS, DEAD) and buckets (leases, snapshots) idempotently, re-does that
after every reconnect (a restarted server may have lost them), and drains on close. Every
request carries the deadline of :attr:`BusSettings.request_timeout`.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from typing import Any

import nats
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import (
    DiscardPolicy,
    KeyValueConfig,
    ObjectStoreConfig,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, NotFoundError
from nats.js.kv import KeyValue
from nats.js.object_store import ObjectStore

from tpcore.services.config import BusSettings
from tpcore.services.logs import fields
from tpcore.services.naming import (
    DEAD_STREAM,
    EVENTS_STREAM,
    LEASE_BUCKET,
    ORDERS_STREAM,
    SNAPSHOT_BUCKET,
)

__all__ = ["Bus", "stream_configs"]

log = logging.getLogger("tpcore.services.bus")


def stream_configs(settings: BusSettings) -> list[StreamConfig]:
    """The fleet's streams: file storage, limits retention, de-duplication window."""

    def stream(name: str, subjects: str, description: str) -> StreamConfig:
        return StreamConfig(
            name=name,
            description=description,
            subjects=[subjects],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.OLD,
            num_replicas=settings.replicas,
            duplicate_window=settings.dedup_window,
            allow_direct=True,
        )

    return [
        stream(ORDERS_STREAM, "tp.orders.>", "order messages (command records) per symbol"),
        stream(EVENTS_STREAM, "tp.events.>", "matcher events (event records) per symbol"),
        stream(DEAD_STREAM, "tp.dead.>", "undecodable order messages, with a reason"),
    ]


async def _try_connect(options: dict[str, Any]) -> NatsClient | None:
    """One connection attempt; None (logged) if the server is not there."""
    try:
        return await nats.connect(**options)
    except (OSError, nats.errors.NoServersError, asyncio.TimeoutError) as error:
        log.warning("connect failed, retrying", extra=fields(error=repr(error)))
        return None


def _tls_context(settings: BusSettings) -> ssl.SSLContext | None:
    if not (settings.tls_ca or settings.tls_cert):
        return None
    context = ssl.create_default_context(cafile=settings.tls_ca)
    if settings.tls_cert:
        context.load_cert_chain(settings.tls_cert, settings.tls_key)
    return context


class Bus:
    """A connection to NATS with the fleet's streams and buckets in place."""

    def __init__(self, settings: BusSettings, nc: NatsClient) -> None:
        self.settings = settings
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream(timeout=settings.request_timeout)
        self.closing = False
        self.streams_only = False

    @classmethod
    async def connect(
        cls, settings: BusSettings, *, name: str | None = None, streams_only: bool = False
    ) -> Bus:
        """Connects (retrying until the first connect succeeds) and sets up the assets
        (with ``streams_only``, a client's: the streams, not the matchers' buckets)."""
        holder: list[Bus] = []

        async def on_reconnect() -> None:
            log.info("reconnected", extra=fields(server=str(nc.connected_url)))
            if holder:
                await holder[0]._after_reconnect()

        async def on_disconnect() -> None:
            if not (holder and holder[0].closing):
                log.warning("disconnected")

        async def on_error(error: Exception) -> None:
            log.warning("nats error", extra=fields(error=repr(error)))

        options: dict[str, Any] = {
            "servers": list(settings.servers),
            "name": name or settings.name,
            "connect_timeout": settings.connect_timeout,
            "reconnect_time_wait": settings.reconnect_wait,
            "max_reconnect_attempts": -1,
            "allow_reconnect": True,
            "error_cb": on_error,
            "disconnected_cb": on_disconnect,
            "reconnected_cb": on_reconnect,
            "pending_size": 64 * 1024 * 1024,
        }
        if settings.user:
            options["user"] = settings.user
            options["password"] = settings.resolved_password()
        if settings.creds:
            options["user_credentials"] = settings.creds
        if settings.nkey:
            options["nkeys_seed"] = settings.nkey
        if settings.inbox_prefix:
            options["inbox_prefix"] = settings.inbox_prefix
        if (tls := _tls_context(settings)) is not None:
            options["tls"] = tls
        nc = await cls._first_connect(options, settings)
        bus = cls(settings, nc)
        bus.streams_only = streams_only
        holder.append(bus)
        await bus.ensure_assets()
        return bus

    @staticmethod
    async def _first_connect(options: dict[str, Any], settings: BusSettings) -> NatsClient:
        """nats-py retries only after a first success; this retries the first one too."""
        delay = settings.reconnect_wait
        while (nc := await _try_connect(options)) is None:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        return nc

    async def _after_reconnect(self) -> None:
        try:
            await self.ensure_assets()
        except Exception as error:
            log.warning("re-creating assets failed", extra=fields(error=repr(error)))

    async def ensure_assets(self) -> None:
        """Creates or updates the streams and buckets (or checks they exist)."""
        for config in stream_configs(self.settings):
            if not self.streams_only or config.name != DEAD_STREAM:
                await self._ensure_stream(config)
        if not self.streams_only:
            await self.leases()
            await self.snapshots()

    async def _ensure_stream(self, config: StreamConfig) -> None:
        if not self.settings.manage_streams:
            await self.js.stream_info(str(config.name))
            return
        try:
            await self.js.add_stream(config)
        except BadRequestError:
            # It exists with another configuration: bring it to this one.
            await self.js.update_stream(config)

    async def leases(self) -> KeyValue:
        """The lease bucket (entries live ``lease_ttl`` seconds unless renewed)."""
        if self.settings.manage_streams:
            config = KeyValueConfig(
                bucket=LEASE_BUCKET,
                ttl=self.settings.lease_ttl,
                history=1,
                storage=StorageType.FILE,
                replicas=self.settings.replicas,
            )
            try:
                return await self.js.create_key_value(config)
            except BadRequestError:
                # It exists with another TTL: bring it to this one.
                info = await self.js.stream_info(f"KV_{LEASE_BUCKET}")
                info.config.max_age = self.settings.lease_ttl
                info.config.duplicate_window = min(
                    info.config.duplicate_window or self.settings.lease_ttl,
                    self.settings.lease_ttl,
                )
                await self.js.update_stream(info.config)
        return await self.js.key_value(LEASE_BUCKET)

    async def snapshots(self) -> ObjectStore:
        """The snapshot object store."""
        try:
            return await self.js.object_store(SNAPSHOT_BUCKET)
        except NotFoundError:
            if not self.settings.manage_streams:
                raise
        config = ObjectStoreConfig(
            bucket=SNAPSHOT_BUCKET,
            storage=StorageType.FILE,
            replicas=self.settings.replicas,
        )
        return await self.js.create_object_store(SNAPSHOT_BUCKET, config=config)

    async def close(self) -> None:
        """Drains (flushes what is pending, unsubscribes) and closes."""
        if self.nc.is_closed:
            return
        self.closing = True
        try:
            await asyncio.wait_for(self.nc.drain(), self.settings.request_timeout * 2)
        except (asyncio.TimeoutError, nats.errors.ConnectionClosedError):
            await self.nc.close()
