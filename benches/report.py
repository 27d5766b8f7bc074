"""Turns a pytest-benchmark JSON file into the tpcore-vs-peer ratio table.

Usage::

    python benches/report.py .benchmarks/latest.json [--markdown FILE] [--gate]

The ratio of a row is the peer's median time divided by tpcore's for the same case and
batch size: 2.0 means tpcore did the same work in half the time. ``--gate`` exits with
status 1 when a ratio falls short of the target its benchmark declares.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Row", "build_rows", "main", "render_markdown"]

REPRODUCE = "make bench"


@dataclass(frozen=True)
class Row:
    """One comparison: tpcore and one peer on the same case and batch size."""

    case: str
    n: int
    impl: str
    peer: str
    tpcore_seconds: float
    peer_seconds: float
    target: float | None

    @property
    def ratio(self) -> float:
        """Peer time over tpcore time: how many times faster tpcore is."""
        return self.peer_seconds / self.tpcore_seconds

    @property
    def meets_target(self) -> bool | None:
        """Whether the ratio reaches the target, or None when there is no target."""
        return None if self.target is None else self.ratio >= self.target


def build_rows(benchmarks: Iterable[dict[str, object]]) -> list[Row]:
    """Pairs each tpcore benchmark with the peers of the same case and batch size."""
    by_key: dict[tuple[str, int], dict[str, list[dict[str, object]]]] = {}
    for bench in benchmarks:
        info = bench.get("extra_info")
        if not isinstance(info, dict) or "case" not in info:
            continue
        key = (str(info["case"]), int(info["n"]))
        by_key.setdefault(key, {"tpcore": [], "peer": []})[str(info["role"])].append(bench)
    rows = []
    for (case, n), sides in by_key.items():
        for ours in sides["tpcore"]:
            ours_info = ours["extra_info"]
            assert isinstance(ours_info, dict)
            for theirs in sides["peer"]:
                theirs_info = theirs["extra_info"]
                assert isinstance(theirs_info, dict)
                rows.append(
                    Row(
                        case=case,
                        n=n,
                        impl=str(ours_info["impl"]),
                        peer=str(theirs_info["impl"]),
                        tpcore_seconds=_median(ours),
                        peer_seconds=_median(theirs),
                        target=_target(ours_info, str(theirs_info["impl"])),
                    )
                )
    return sorted(rows, key=lambda row: (row.case, row.n, row.impl, row.peer))


def _target(info: dict[str, object], peer: str) -> float | None:
    targets = info.get("targets")
    if not isinstance(targets, dict) or peer not in targets:
        return None
    return float(targets[peer])


def _median(bench: dict[str, object]) -> float:
    stats = bench["stats"]
    assert isinstance(stats, dict)
    return float(stats["median"])


def _ratio(ratio: float) -> str:
    # Two decimals below 10x, so a ratio just under its target never prints as equal to it.
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.1f}x"


def _rate(seconds: float, n: int) -> str:
    per_second = n / seconds
    if per_second >= 1e6:
        return f"{per_second / 1e6:.2f}M/s"
    if per_second >= 1e3:
        return f"{per_second / 1e3:.1f}k/s"
    return f"{per_second:.0f}/s"


def render_markdown(rows: Sequence[Row], *, machine: str = "") -> str:
    """Renders the rows as the README's benchmark table."""
    lines = [
        f"Reproduce with `{REPRODUCE}`{f' ({machine})' if machine else ''}. "
        "Ratio = peer time / tpcore time for the same work in the same run.",
        "",
        "| case | N | tpcore | rate | peer | peer rate | ratio | target |",
        "| --- | ---: | --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        target = "" if row.target is None else f">= {row.target:g}x"
        mark = {True: " ok", False: " **below**", None: ""}[row.meets_target]
        ours, theirs = _rate(row.tpcore_seconds, row.n), _rate(row.peer_seconds, row.n)
        lines.append(
            f"| {row.case} | {row.n:,} | {row.impl} | {ours} | {row.peer} | {theirs} "
            f"| {_ratio(row.ratio)} | {target}{mark} |"
        )
    return "\n".join(lines) + "\n"


def latency_lines(benchmarks: Iterable[dict[str, object]]) -> list[str]:
    """A markdown table of the latency percentiles some benchmarks record."""
    lines = []
    for bench in benchmarks:
        info = bench.get("extra_info")
        if not isinstance(info, dict) or "latency_ms" not in info:
            continue
        latency = info["latency_ms"]
        assert isinstance(latency, dict)
        cells = " | ".join(f"{latency.get(k, float('nan')):.2f}" for k in LATENCY_COLUMNS)
        lines.append(f"| {info.get('latency_case', bench.get('name'))} | {info['n']:,} | {cells} |")
    if not lines:
        return []
    header = " | ".join(LATENCY_COLUMNS)
    rule = " | ".join("---:" for _ in LATENCY_COLUMNS)
    return ["", f"| latency (ms) | N | {header} |", f"| --- | ---: | {rule} |", *lines]


LATENCY_COLUMNS = ("p50", "p90", "p99", "p99.9", "max")


def main(argv: Sequence[str] | None = None) -> int:
    """Prints the table; writes it as markdown and gates on targets when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json_file", type=Path)
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--gate", action="store_true", help="fail when a ratio misses its target")
    args = parser.parse_args(argv)

    data = json.loads(args.json_file.read_text())
    machine = data.get("machine_info", {})
    described = f"{machine.get('cpu', {}).get('brand_raw', 'unknown CPU')}, {_cores(machine)}"
    rows = build_rows(data.get("benchmarks", []))
    table = render_markdown(rows, machine=described)
    latency = latency_lines(data.get("benchmarks", []))
    if latency:
        table += "\n".join(latency) + "\n"
    sys.stdout.write(table)
    if args.markdown:
        args.markdown.write_text(table)
    if args.gate and any(row.meets_target is False for row in rows):
        sys.stderr.write("some ratios are below their targets\n")
        return 1
    return 0


def _cores(machine: dict[str, object]) -> str:
    cpu = machine.get("cpu")
    count = cpu.get("count") if isinstance(cpu, dict) else None
    return f"{count} cores" if count else "cores unknown"


if __name__ == "__main__":
    sys.exit(main())
