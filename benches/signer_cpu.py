"""Where the signer fleet's CPU goes: a fleet with two signers on an embedded nats-server,
N single-digest requests through the pipelined client, and each process's CPU time per
request (from /proc, Linux), beside the CPU one in-process batch signature costs.

    .venv/bin/python benches/signer_cpu.py [requests]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import tpcore
from tpcore import sign
from tpcore.services.client import Client
from tpcore.services.fleet import Fleet, FleetPlan
from tpcore.services.keys import list_keys
from tpcore.services.lifetime import new_event_loop
from tpcore.services.sign_load import run_sign_load
from tpcore.services.signing import SignerClient

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> dict[int, tuple[str, float]]:
    """Every process's command line and its user + system CPU seconds."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(entry.name)] = (command, (int(fields[11]) + int(fields[12])) / TICK)
    return found


def _role(command: str) -> str:
    if "nats-server" in command:
        return "nats-server"
    # "worker signer", "worker matcher"
    return " ".join(command.split(" --", maxsplit=1)[0].split()[-2:])


def main(requests: int) -> None:
    data = Path(tempfile.mkdtemp(prefix="tpcore-signer-cpu-"))
    plan = FleetPlan(
        symbols=["BTC-USDT"], matchers=1, data_dir=data, signers=2, prices_and_risk=False
    )
    fleet = Fleet(plan).start()
    loop = new_event_loop()
    try:
        client = loop.run_until_complete(Client.connect(fleet.settings))
        signer = SignerClient(client.bus.nc, timeout=60)
        key = next(name for kind, name in list_keys(data / "keys")).lower()
        loop.run_until_complete(run_sign_load(signer, kind="hash", key=key, requests=2_000))
        before, started = cpu_seconds(), time.perf_counter()
        loop.run_until_complete(run_sign_load(signer, kind="hash", key=key, requests=requests))
        seconds, after = time.perf_counter() - started, cpu_seconds()
        print(f"{requests:,} requests in {seconds:.2f} s ({requests / seconds:,.0f}/s)")
        for pid, (command, total) in sorted(after.items()):
            used = total - before.get(pid, (command, 0.0))[1]
            if used > 0.02 and (
                "tpcore" in command or "nats-server" in command or pid == os.getpid()
            ):
                name = "this client" if pid == os.getpid() else _role(command)
                print(f"  {used * 1e6 / requests:6.1f} us/request  {name}")
        loop.run_until_complete(client.close())
    finally:
        loop.close()
        fleet.stop()
    secret = np.frombuffer(sign.PrivateKey.generate().secret_bytes(), np.uint8)
    hashes = np.random.default_rng(1).integers(0, 256, (requests, 32), dtype=np.uint8)
    tpcore.set_num_threads(1)  # one thread: its wall time is its CPU time
    started = time.perf_counter()
    sign.ecdsa_sign(secret, hashes)
    used = time.perf_counter() - started
    print(f"  {used * 1e6 / requests:6.1f} us/signature  in-process batch, one thread")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40_000)
