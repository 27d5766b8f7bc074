"""Fixtures for the fleet: a real nats-server per test and settings to reach it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tpcore.services.config import BusSettings
from tpcore.services.embedded import EmbeddedServer


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    """A nats-server with JetStream on a free port, data under the test's folder."""
    with EmbeddedServer(tmp_path / "nats") as server:
        yield server


@pytest.fixture
def settings(nats_server: EmbeddedServer) -> BusSettings:
    """Connection settings for the test's server, with short deadlines."""
    return BusSettings(servers=(nats_server.url,), request_timeout=3.0)
