"""The ``tpcore`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tpcore import __version__
from tpcore.demo import run_tour

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tpcore",
        description="tpcore: batch signing, order matching and margin for trading back-ends.",
    )
    parser.add_argument("--version", action="version", version=f"tpcore {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run a short tour of what tpcore does, with timings")
    commands.add_parser("version", help="print the version")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the ``tpcore`` command and returns its exit status."""
    args = _build_parser().parse_args(argv)
    if args.command == "version":
        sys.stdout.write(f"{__version__}\n")
        return 0
    if args.command == "demo":
        return run_tour(sys.stdout)
    return 2  # unreachable: argparse requires a command


if __name__ == "__main__":
    sys.exit(main())
