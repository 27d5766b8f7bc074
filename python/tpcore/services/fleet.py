"""A fleet on one machine: an embedded nats-server (unless given a URL) and matcher worker
processes, supervised (a worker that dies is restarted) and stopped cleanly.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tpcore.services.bus import Bus
from tpcore.services.config import BusSettings
from tpcore.services.embedded import EmbeddedServer
from tpcore.services.keys import new_key, read_password
from tpcore.services.lifetime import preexec, run

__all__ = ["Fleet", "FleetPlan", "connection_args", "partition"]


#: Where a fleet hands a password given in its settings to its workers.
PASSWORD_ENV = "TPCORE_NATS_PASSWORD"  # noqa: S105 - a variable name, not a secret


def connection_args(settings: BusSettings) -> list[str]:
    """The ``tpcore worker`` options that reproduce ``settings`` (never a password: the
    worker reads it from the same environment variable)."""
    pairs = [
        ("--user", settings.user),
        ("--password-env", (settings.password_env or PASSWORD_ENV) if settings.user else None),
        ("--creds", settings.creds),
        ("--nkey", settings.nkey),
        ("--tls-ca", settings.tls_ca),
        ("--tls-cert", settings.tls_cert),
        ("--tls-key", settings.tls_key),
        ("--inbox-prefix", settings.inbox_prefix),
        ("--replicas", str(settings.replicas)),
        ("--dedup-window", str(settings.dedup_window)),
        ("--lease-ttl", str(settings.lease_ttl)),
    ]
    args = [part for flag, value in pairs if value is not None for part in (flag, value)]
    return [*args, *([] if settings.manage_streams else ["--no-manage-streams"])]


def partition(symbols: Sequence[str], workers: int) -> list[list[str]]:
    """Symbols dealt round-robin to ``workers`` matchers (no matcher left empty)."""
    workers = max(1, min(workers, len(symbols)))
    return [list(symbols[i::workers]) for i in range(workers)]


@dataclass
class FleetPlan:
    """What to run."""

    symbols: list[str]
    matchers: int = 2
    data_dir: Path = field(default_factory=lambda: Path("tpcore-data"))
    nats_url: str | None = None
    settings: BusSettings = field(default_factory=BusSettings)
    markets_file: str | None = None
    #: Extra arguments for every matcher (``--batch``, ``--snapshot-every`` ...).
    matcher_args: list[str] = field(default_factory=list)
    #: Signer workers, their keystore folder, password file and withdrawal policy. With
    #: no folder, the fleet makes ``<data>/keys`` with two new keys and a random password
    #: in ``<data>/keystore-password`` (readable by the owner only).
    signers: int = 0
    #: Run the mark-price and risk workers (with ``accounts_file``: wallets and brackets).
    prices_and_risk: bool = True
    accounts_file: Path | None = None
    keys_dir: Path | None = None
    password_file: Path | None = None
    policy_file: Path | None = None


class Fleet:
    """Starts, supervises and stops the server and the workers of a :class:`FleetPlan`."""

    def __init__(self, plan: FleetPlan) -> None:
        self.plan = plan
        self.server: EmbeddedServer | None = None
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.assignments = {
            f"matcher-{i}": part for i, part in enumerate(partition(plan.symbols, plan.matchers))
        }
        self.restarts = 0
        self._stopping = False

    @property
    def url(self) -> str:
        """The NATS URL the fleet uses."""
        if self.plan.nats_url:
            return self.plan.nats_url
        if self.server is None:
            raise RuntimeError("the fleet has not started its server yet")
        return self.server.url

    @property
    def settings(self) -> BusSettings:
        """Connection settings for this fleet's NATS."""
        return replace(self.plan.settings, servers=(self.url,))

    def start(self) -> Fleet:
        """Starts the server (if embedded), creates the streams, starts the workers."""
        self.plan.data_dir.mkdir(parents=True, exist_ok=True)
        if self.plan.nats_url is None:
            self.server = EmbeddedServer(self.plan.data_dir / "nats").start()
        run(self._create_assets())
        for name in self.assignments:
            self.start_worker(name)
        if self.plan.signers:
            self._prepare_keys()
            for i in range(self.plan.signers):
                self.start_worker(f"signer-{i}")
        if self.plan.prices_and_risk:
            self.start_worker("marks-0")
            self.start_worker("risk-0")
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Waits until every worker has logged that it started (keys decrypted, connected)."""
        deadline = time.monotonic() + timeout
        for name, process in self.workers.items():
            log = self.plan.data_dir / f"{name}.log"
            marker = f'"{name.split("-")[0]} started"'
            while marker not in (log.read_text() if log.exists() else ""):
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} did not start within {timeout} s; see {log}")
                time.sleep(0.05)

    def _prepare_keys(self) -> None:
        data = self.plan.data_dir
        if self.plan.keys_dir is None:
            self.plan.keys_dir = data / "keys"
        if self.plan.password_file is None:
            self.plan.password_file = data / "keystore-password"
            if not self.plan.password_file.exists():
                descriptor = os.open(self.plan.password_file, os.O_WRONLY | os.O_CREAT, 0o600)
                with os.fdopen(descriptor, "w") as out:
                    out.write(secrets.token_hex(16) + "\n")
        if not any(self.plan.keys_dir.glob("*.json")):
            password = read_password(file=str(self.plan.password_file))
            for _ in range(2):
                new_key(self.plan.keys_dir, password)

    async def _create_assets(self) -> None:
        bus = await Bus.connect(self.settings, name="tpcore-fleet")
        await bus.close()

    def _worker_command(self, name: str) -> list[str]:
        common = ["--nats", self.url, "--name", name, *connection_args(self.plan.settings)]
        if name in self.assignments:
            return [
                "matcher", *common, "--symbols", ",".join(self.assignments[name]),
                *(["--markets", self.plan.markets_file] if self.plan.markets_file else []),
                *self.plan.matcher_args,
            ]  # fmt: skip
        markets = ["--markets", self.plan.markets_file] if self.plan.markets_file else []
        if name.startswith("marks"):
            return ["marks", *common, *markets]
        if name.startswith("risk"):
            accounts = (
                ["--accounts", str(self.plan.accounts_file)] if self.plan.accounts_file else []
            )
            return ["risk", *common, *markets, *accounts]
        return [
            "signer", *common, "--keys", str(self.plan.keys_dir),
            "--password-file", str(self.plan.password_file),
            *(["--policy", str(self.plan.policy_file)] if self.plan.policy_file else []),
        ]  # fmt: skip

    def start_worker(self, name: str) -> None:
        """Starts (or restarts) one worker process (``matcher-i`` or ``signer-i``)."""
        log = (self.plan.data_dir / f"{name}.log").open("ab")
        command = [sys.executable, "-m", "tpcore", "worker", *self._worker_command(name)]
        env = os.environ.copy()
        settings = self.plan.settings
        if settings.password is not None and settings.password_env is None:
            env[PASSWORD_ENV] = settings.password
        self.workers[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=preexec(),  # noqa: PLW1509
        )
        log.close()

    def kill(self, name: str) -> None:
        """``kill -9`` of one worker (for crash drills)."""
        process = self.workers[name]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def supervise(self) -> list[str]:
        """Restarts workers that died on their own; returns their names."""
        restarted = []
        for name, process in self.workers.items():
            if process.poll() is not None and not self._stopping:
                self.start_worker(name)
                self.restarts += 1
                restarted.append(name)
        return restarted

    def stop(self, *, timeout: float = 20.0) -> None:
        """SIGTERM to every worker (each finishes its batch and snapshots), then the server."""
        self._stopping = True
        for process in self.workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.workers.values():
            _wait_or_kill(process, max(0.1, deadline - time.monotonic()))
        if self.server is not None:
            self.server.stop()

    def __enter__(self) -> Fleet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait_or_kill(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Waits for a stopping process; kills it if it takes longer than ``timeout``."""
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
