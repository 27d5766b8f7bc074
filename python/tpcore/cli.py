"""The ``tpcore`` command.

tpcore demo                      the fleet on an embedded nats-server, a crash, a check
tpcore fleet up [--nats URL]     a server (unless given) and matcher workers, until Ctrl-C
tpcore worker matcher --symbols  one matcher against an existing NATS
tpcore loadgen --orders N        a realistic order flow with a progress bar and a report
tpcore tour                      an in-process tour of the cores with timings
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from tpcore import __version__
from tpcore.demo import run_tour
from tpcore.services.bus import Bus
from tpcore.services.client import Client
from tpcore.services.config import DEMO_MARKETS, BusSettings, Markets
from tpcore.services.demo import run_demo
from tpcore.services.fleet import Fleet, FleetPlan
from tpcore.services.keys import ED25519, SECP256K1, import_key, list_keys, new_key, read_password
from tpcore.services.lifetime import run, stop_event
from tpcore.services.loadgen import print_report, run_load
from tpcore.services.logs import configure
from tpcore.services.marks import MarksWorker
from tpcore.services.matcher import MatcherOptions
from tpcore.services.policy import WithdrawalPolicy
from tpcore.services.publish import AckedPublisher
from tpcore.services.risk_worker import RiskSettings, RiskWorker
from tpcore.services.sign_load import run_sign_load
from tpcore.services.signer import SignerOptions, run_signer
from tpcore.services.signing import SignerClient
from tpcore.services.worker import run_matcher

__all__ = ["main"]


def _add_nats_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("NATS")
    group.add_argument("--nats", metavar="URL", help="server URL(s), comma separated")
    group.add_argument("--user", help="user name")
    group.add_argument(
        "--password-env",
        metavar="VAR",
        default="TPCORE_NATS_PASSWORD",
        help="environment variable holding the password (default TPCORE_NATS_PASSWORD)",
    )
    group.add_argument("--creds", metavar="FILE", help="credentials file (JWT and nkey seed)")
    group.add_argument("--nkey", metavar="FILE", help="nkey seed file")
    group.add_argument("--tls-ca", metavar="FILE", help="CA certificate for TLS")
    group.add_argument("--tls-cert", metavar="FILE", help="client certificate for TLS")
    group.add_argument("--tls-key", metavar="FILE", help="client key for TLS")
    group.add_argument(
        "--inbox-prefix", metavar="PREFIX", help="reply inbox prefix, e.g. _INBOX.matcher"
    )
    group.add_argument("--replicas", type=int, default=1, help="stream replicas (3 on a cluster)")
    group.add_argument(
        "--dedup-window", type=float, default=120.0, help="de-duplication window, seconds"
    )
    group.add_argument(
        "--no-manage-streams",
        action="store_true",
        help="expect the streams to exist (for users without stream-admin permissions)",
    )
    group.add_argument(
        "--lease-ttl", type=float, default=5.0, help="seconds a matcher's lease lives unrenewed"
    )
    group.add_argument("--markets", metavar="FILE", help="markets JSON (default: demo markets)")


def _add_key_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("keys")
    group.add_argument("--keys", type=Path, default=Path("keys"), help="keystore folder")
    group.add_argument("--password-file", help="file whose first line is the keystore password")
    group.add_argument(
        "--keystore-password-env",
        metavar="VAR",
        default="TPCORE_KEYSTORE_PASSWORD",
        help="environment variable with the keystore password (default TPCORE_KEYSTORE_PASSWORD)",
    )


def _symbols(text: str) -> list[str]:
    return [s for s in text.replace(" ", ",").split(",") if s]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tpcore",
        description="tpcore: batch signing, order matching and margin for trading back-ends.",
    )
    parser.add_argument("--version", action="version", version=f"tpcore {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="the fleet on an embedded server: load, crash, check")
    demo.add_argument("--orders", type=int, default=200_000, help="orders in the batched phase")
    demo.add_argument("--single", type=int, default=20_000, help="single-order messages")
    demo.add_argument("--rate", type=float, default=5_000.0, help="rate of the single phase")
    demo.add_argument("--data", type=Path, help="data folder (default: a new temporary one)")

    fleet = commands.add_parser("fleet", help="run the fleet")
    fleet_commands = fleet.add_subparsers(dest="fleet_command", required=True, metavar="ACTION")
    up = fleet_commands.add_parser("up", help="start a server (unless --nats) and the workers")
    _add_nats_options(up)
    up.add_argument("--symbols", type=_symbols, help="symbols (default: all configured)")
    up.add_argument("--matchers", type=int, default=2, help="matcher processes")
    up.add_argument("--data", type=Path, help="data folder (default: a new temporary one)")
    up.add_argument("--signers", type=int, default=0, help="signer processes")
    up.add_argument("--keys", type=Path, help="keystore folder for the signers")
    up.add_argument("--password-file", type=Path, help="keystore password file")
    up.add_argument("--policy", type=Path, help="withdrawal policy JSON for the signers")
    up.add_argument("--accounts", type=Path, help="wallets and brackets JSON for the risk worker")

    _add_worker_parsers(commands)
    _add_keys_parser(commands)
    _add_loadgen_parser(commands)
    commands.add_parser("tour", help="an in-process tour of the cores, with timings")
    commands.add_parser("version", help="print the version")
    return parser


def _add_worker_parsers(commands: Any) -> None:
    """`tpcore worker matcher|signer`."""
    worker = commands.add_parser("worker", help="run one worker")
    worker_kinds = worker.add_subparsers(dest="worker_kind", required=True, metavar="KIND")
    matcher = worker_kinds.add_parser("matcher", help="a matcher for some symbols")
    _add_nats_options(matcher)
    matcher.add_argument("--symbols", type=_symbols, required=True, help="symbols to own")
    matcher.add_argument("--name", help="worker name (default: host and pid)")
    matcher.add_argument("--batch", type=int, default=1000, help="messages per fetch")
    matcher.add_argument("--snapshot-every", type=int, default=200_000, help="commands")
    matcher.add_argument("--snapshot-interval", type=float, default=30.0, help="seconds")
    matcher.add_argument("--log-level", default="info")

    marks = worker_kinds.add_parser("marks", help="index and mark prices from source quotes")
    _add_nats_options(marks)
    marks.add_argument("--symbols", type=_symbols, help="symbols (default: all configured)")
    marks.add_argument("--name", default="marks", help="worker name")
    marks.add_argument("--log-level", default="info")
    risk_worker = worker_kinds.add_parser("risk", help="positions, margin and liquidations")
    _add_nats_options(risk_worker)
    risk_worker.add_argument("--accounts", type=Path, help="wallets and brackets JSON")
    risk_worker.add_argument("--name", default="risk", help="worker name (its snapshot key)")
    risk_worker.add_argument("--log-level", default="info")

    signer = worker_kinds.add_parser("signer", help="a signer in the queue group 'signers'")
    _add_nats_options(signer)
    _add_key_options(signer)
    signer.add_argument("--policy", type=Path, help="withdrawal policy JSON (default: none)")
    signer.add_argument("--name", help="worker name (default: host and pid)")
    signer.add_argument("--max-batch", type=int, default=512, help="requests per batch")
    signer.add_argument("--max-wait-us", type=int, default=500, help="batch window, µs")
    signer.add_argument("--log-level", default="info")


def _add_keys_parser(commands: Any) -> None:
    """`tpcore keys new|import|list`."""
    keys = commands.add_parser("keys", help="manage the signer's keystore folder")
    key_actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    for action, text in (("new", "generate a key"), ("import", "import a secret from stdin")):
        sub = key_actions.add_parser(action, help=text)
        _add_key_options(sub)
        sub.add_argument("--ed25519", action="store_true", help="an Ed25519 key")
    listing = key_actions.add_parser("list", help="addresses and public keys (no password)")
    listing.add_argument("--keys", type=Path, default=Path("keys"), help="keystore folder")


def _add_loadgen_parser(commands: Any) -> None:
    """`tpcore loadgen [orders|sign]`."""
    load = commands.add_parser("loadgen", help="drive an order flow (or signing requests)")
    load.add_argument(
        "target", nargs="?", choices=["orders", "sign"], default="orders", help="what to load"
    )
    _add_nats_options(load)
    load.add_argument("--requests", type=int, default=20_000, help="signing requests")
    load.add_argument("--kind", default="hash", choices=["hash", "message", "ed25519"])
    load.add_argument("--key", help="signing key: address, or Ed25519 public key in hex")
    load.add_argument("--in-flight", type=int, default=1000, help="requests in flight")
    load.add_argument(
        "--per-request", type=int, default=1, help="digests per hash request (up to 1024)"
    )
    load.add_argument("--orders", type=int, default=100_000)
    load.add_argument(
        "--rate", type=float, default=0.0, help="orders (or requests) per second (0: unlimited)"
    )
    load.add_argument("--batch", type=int, default=1, help="orders per message")
    load.add_argument("--symbols", type=_symbols, help="symbols (default: all configured)")
    load.add_argument("--seed", type=int, default=7)
    load.add_argument(
        "--depth", type=int, default=2_000, help="passive orders kept outstanding per symbol"
    )


def _settings(args: argparse.Namespace) -> BusSettings:
    servers = tuple(_symbols(args.nats)) if args.nats else BusSettings().servers
    return BusSettings(
        servers=servers,
        user=args.user,
        password_env=args.password_env if args.user else None,
        creds=args.creds,
        nkey=args.nkey,
        tls_ca=args.tls_ca,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        inbox_prefix=args.inbox_prefix,
        replicas=args.replicas,
        dedup_window=args.dedup_window,
        lease_ttl=args.lease_ttl,
        manage_streams=not args.no_manage_streams,
    )


def _markets(args: argparse.Namespace) -> Markets:
    return Markets.load(args.markets) if args.markets else DEMO_MARKETS


def _fleet_up(args: argparse.Namespace) -> int:
    markets = _markets(args)
    data = args.data or Path(tempfile.mkdtemp(prefix="tpcore-fleet-"))
    plan = FleetPlan(
        symbols=args.symbols or markets.symbols,
        matchers=args.matchers,
        data_dir=data,
        nats_url=args.nats,
        settings=_settings(args),
        markets_file=args.markets,
        signers=args.signers,
        keys_dir=args.keys,
        password_file=args.password_file,
        policy_file=args.policy,
        accounts_file=args.accounts,
    )
    stop = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    fleet = Fleet(plan).start()
    try:
        sys.stdout.write(f"nats {fleet.url}\ndata and logs in {data}\n")
        for name, symbols in fleet.assignments.items():
            sys.stdout.write(f"{name}: {', '.join(symbols)}\n")
        if plan.signers:
            sys.stdout.write(f"signers: {plan.signers}, keys in {plan.keys_dir}\n")
            for kind, name in list_keys(plan.keys_dir or Path()):
                sys.stdout.write(f"  {kind} {name}\n")
        sys.stdout.write("running; Ctrl-C stops the fleet\n")
        sys.stdout.flush()
        while not stop:
            for name in fleet.supervise():
                sys.stdout.write(f"{name} exited; restarted\n")
            time.sleep(0.5)
    finally:
        fleet.stop()
        sys.stdout.write("fleet stopped\n")
    return 0


def _worker(args: argparse.Namespace) -> int:
    configure(args.log_level)
    if args.worker_kind == "signer":
        return _signer(args)
    if args.worker_kind in ("marks", "risk"):
        return _price_worker(args)
    options = MatcherOptions(
        batch=args.batch,
        snapshot_every=args.snapshot_every,
        snapshot_interval=args.snapshot_interval,
    )
    return run_matcher(
        _settings(args), _markets(args), args.symbols, name=args.name, options=options
    )


def _price_worker(args: argparse.Namespace) -> int:
    markets = _markets(args)

    async def go() -> None:
        stop = stop_event()
        bus = await Bus.connect(_settings(args), name=f"tpcore-{args.worker_kind}")
        if args.worker_kind == "marks":
            await MarksWorker(bus, args.symbols or markets.symbols).run(stop)
        else:
            settings = RiskSettings.load(args.accounts) if args.accounts else RiskSettings()
            await RiskWorker(bus, markets, settings, name=args.name).run(stop)
        await bus.close()

    run(go())
    return 0


def _keystore_password(args: argparse.Namespace) -> str:
    return read_password(file=args.password_file, env=args.keystore_password_env)


def _signer(args: argparse.Namespace) -> int:
    policy = WithdrawalPolicy.load(args.policy) if args.policy else WithdrawalPolicy({})
    options = SignerOptions(max_batch=args.max_batch, max_wait=args.max_wait_us / 1e6)
    name = args.name or f"signer-{os.getpid()}"
    return run_signer(
        _settings(args), args.keys, _keystore_password(args), policy, name=name, options=options
    )


def _keys(args: argparse.Namespace) -> int:
    if args.keys_command == "list":
        for kind, name in list_keys(args.keys):
            sys.stdout.write(f"{kind:9} {name}\n")
        return 0
    kind = ED25519 if args.ed25519 else SECP256K1
    password = _keystore_password(args)
    if args.keys_command == "new":
        name = new_key(args.keys, password, kind=kind)
    else:
        secret = bytes.fromhex(sys.stdin.readline().strip().removeprefix("0x"))
        name = import_key(args.keys, password, secret, kind=kind)
    sys.stdout.write(f"{kind} {name} written to {args.keys}\n")
    return 0


def _loadgen(args: argparse.Namespace) -> int:
    if args.target == "sign":
        return _sign_load(args)
    markets = _markets(args)

    async def go() -> int:
        bus = await _connect(args)
        client = Client(bus, markets, await AckedPublisher(bus.nc).start())
        try:
            report = await run_load(
                client,
                args.symbols or markets.symbols,
                orders=args.orders,
                rate=args.rate,
                batch=args.batch,
                seed=args.seed,
                depth=args.depth,
                progress=sys.stderr,
            )
        finally:
            await client.close()
        print_report(report)
        return 0 if report.answered == report.distinct else 1

    return run(go())


def _sign_load(args: argparse.Namespace) -> int:
    if not args.key:
        raise SystemExit("loadgen sign needs --key (see `tpcore keys list`)")

    async def go() -> int:
        bus = await _connect(args)
        try:
            report = await run_sign_load(
                SignerClient(bus.nc, timeout=30.0),
                kind=args.kind,
                key=args.key.lower(),
                requests=args.requests,
                in_flight=args.in_flight,
                rate=args.rate,
                per_request=args.per_request,
                progress=sys.stderr,
            )
        finally:
            await bus.close()
        for line in report.lines():
            sys.stdout.write(line + "\n")
        return 0 if not report.errors else 1

    return run(go())


async def _connect(args: argparse.Namespace) -> Bus:
    return await Bus.connect(_settings(args), name="tpcore-loadgen", streams_only=True)


def _version(args: argparse.Namespace) -> int:
    sys.stdout.write(f"{__version__}\n")
    return 0


def _tour(args: argparse.Namespace) -> int:
    return run_tour(sys.stdout)


def _demo(args: argparse.Namespace) -> int:
    return run_demo(
        sys.stdout,
        batched_orders=args.orders,
        single_orders=args.single,
        rate=args.rate,
        data_dir=args.data,
    )


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "version": _version,
    "tour": _tour,
    "demo": _demo,
    "fleet": _fleet_up,
    "worker": _worker,
    "loadgen": _loadgen,
    "keys": _keys,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the ``tpcore`` command and returns its exit status."""
    args = _build_parser().parse_args(argv)
    return _COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
