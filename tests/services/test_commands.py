"""The ``tpcore`` fleet commands as a user runs them: demo, fleet up, loadgen."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tpcore.cli import main


def test_demo_crashes_a_matcher_and_proves_nothing_was_lost(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = main(
        ["demo", "--orders", "20000", "--single", "3000", "--rate", "3000", "--data", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "killed; restarting it" in out
    assert out.count(": identical (sha256") == 3
    assert "nothing lost, nothing doubled" in out
    assert "every signature recovers its key" in out
    assert re.search(r"liquidation order in ORDERS: sell [\d.]+ BTC .*issued once", out)
    assert out.rstrip().endswith("demo complete")
    assert re.search(r"latency ms p50 [\d.]+, p90 [\d.]+, p99 [\d.]+", out)


def read_until(process: subprocess.Popen[str], marker: str, timeout: float = 30.0) -> str:
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen += line
    assert marker in seen, seen
    return seen


@contextlib.contextmanager
def fleet_up(data: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """``tpcore fleet up --data DATA ARGS`` with its output piped; killed if still running
    when the block ends."""
    command = [sys.executable, "-m", "tpcore", "fleet", "up", "--data", str(data), *args]
    fleet = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        yield fleet
    finally:
        if fleet.poll() is None:
            fleet.kill()
            fleet.wait()
        if fleet.stdout is not None:
            fleet.stdout.close()


def banner_and_url(fleet: subprocess.Popen[str]) -> tuple[str, str]:
    """The fleet's start-up lines and the NATS URL they print."""
    banner = read_until(fleet, "Ctrl-C stops the fleet")
    url = re.search(r"nats (nats://\S+)", banner)
    assert url is not None
    return banner, url.group(1)


def test_fleet_up_serves_loadgen_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    with fleet_up(
        tmp_path, "--matchers", "2", "--symbols", "BTC-USDT,ETH-USDT", "--signers", "2"
    ) as fleet:
        banner, url = banner_and_url(fleet)
        assert "matcher-0: BTC-USDT" in banner
        assert "matcher-1: ETH-USDT" in banner
        load = subprocess.run(
            [sys.executable, "-m", "tpcore", "loadgen", "--nats", url,
             "--orders", "3000", "--batch", "10", "--symbols", "BTC-USDT,ETH-USDT"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert load.returncode == 0, load.stdout + load.stderr
        assert "answered   300 of 300 messages" in load.stdout
        assert "orders/s end to end" in load.stdout
        assert "%" in load.stderr  # the progress bar
        key = re.search(r"secp256k1 (0x[0-9a-fA-F]{40})", banner)
        assert key is not None
        signing = subprocess.run(
            [sys.executable, "-m", "tpcore", "loadgen", "sign", "--nats", url,
             "--requests", "500", "--per-request", "4", "--kind", "hash", "--key", key.group(1)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert signing.returncode == 0, signing.stdout + signing.stderr
        assert "requests   500 of kind hash" in signing.stdout
        assert "signatures/s" in signing.stdout
        assert "errors     none" in signing.stdout
        fleet.send_signal(signal.SIGINT)
        assert fleet.wait(60) == 0
        assert fleet.stdout is not None
        assert "fleet stopped" in fleet.stdout.read()
        for name in ("matcher-0", "matcher-1"):
            log = (tmp_path / f"{name}.log").read_text()
            assert '"matcher stopped"' in log  # SIGTERM: batch finished, drained
        for name in ("signer-0", "signer-1"):
            log = (tmp_path / f"{name}.log").read_text()
            assert '"signer stopped"' in log
            assert (tmp_path / "keystore-password").read_text().strip() not in log


def pids_mentioning(text: str) -> list[int]:
    """Processes whose command line mentions ``text`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (entry / "stat").read_text().split()[2]
            except OSError:
                continue
            if text in cmdline and state != "Z":
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_fleet_killed_with_kill_9_leaves_no_server_or_worker_behind(tmp_path: Path) -> None:
    with fleet_up(tmp_path, "--matchers", "1", "--symbols", "BTC-USDT") as fleet:
        _, url = banner_and_url(fleet)

        def children() -> set[int]:
            found = set(pids_mentioning(str(tmp_path))) | set(pids_mentioning(url))
            return found - {fleet.pid}

        assert len(children()) >= 4  # the server, a matcher, marks and risk
        fleet.send_signal(signal.SIGKILL)
        fleet.wait(10)
        deadline = time.monotonic() + 15
        while children():
            assert time.monotonic() < deadline, f"{children()} outlived the fleet"
            time.sleep(0.1)
