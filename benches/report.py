"""Turns a pytest-benchmark JSON file into the tpcore-vs-peer ratio table.

Usage::

    python benches/report.py .benchmarks/latest.json [more runs ...] [--markdown FILE] [--gate]

The ratio of a row is the peer's median time divided by tpcore's for the same case and
batch size: 2.0 means tpcore did the same work in half the time. Given several runs, each
row is the run with the median ratio for that comparison, and a column shows the range of
ratios over the runs (on a shared two-core machine one run can be 30% off); a latency row
is the run with the median p99. ``--gate`` exits with status 1 when a ratio falls short of
the target its benchmark declares.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["Row", "build_rows", "main", "median_rows", "render_markdown"]

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
    #: The lowest and highest ratio over the runs this row was picked from.
    spread: tuple[float, float] | None = None

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


def median_rows(runs: Sequence[Sequence[Row]]) -> list[Row]:
    """One row per comparison: the run with the median ratio (the lower median for an
    even count), with the spread of ratios over every run that has it."""
    by_key: dict[tuple[str, int, str, str], list[Row]] = {}
    for rows in runs:
        for row in rows:
            by_key.setdefault((row.case, row.n, row.impl, row.peer), []).append(row)
    picked = []
    for candidates in by_key.values():
        ordered = sorted(candidates, key=lambda row: row.ratio)
        middle = ordered[(len(ordered) - 1) // 2]
        spread = (ordered[0].ratio, ordered[-1].ratio) if len(runs) > 1 else None
        picked.append(replace(middle, spread=spread))
    return sorted(picked, key=lambda row: (row.case, row.n, row.impl, row.peer))


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


def render_markdown(rows: Sequence[Row], *, machine: str = "", runs: int = 1) -> str:
    """Renders the rows as the README's benchmark table (with the spread over ``runs``
    runs when there are several)."""
    several = runs > 1
    extra_rule = " ---: |" if several else ""
    lines = [
        f"Reproduce with `{REPRODUCE}`{f' ({machine})' if machine else ''}. "
        "Ratio = peer time / tpcore time for the same work in the same run"
        + (f"; each row is the median of {runs} runs, with the range of the ratio." if several
           else "."),
        "",
        "| case | N | tpcore | rate | peer | peer rate | ratio |"
        + (" runs |" if several else "") + " target |",
        "| --- | ---: | --- | ---: | --- | ---: | ---: |" + extra_rule + " ---: |",
    ]  # fmt: skip
    for row in rows:
        target = "" if row.target is None else f">= {row.target:g}x"
        mark = {True: " ok", False: " **below**", None: ""}[row.meets_target]
        ours, theirs = _rate(row.tpcore_seconds, row.n), _rate(row.peer_seconds, row.n)
        spread = ""
        if several:
            low, high = row.spread or (row.ratio, row.ratio)
            spread = f" {_ratio(low)} to {_ratio(high)} |"
        lines.append(
            f"| {row.case} | {row.n:,} | {row.impl} | {ours} | {row.peer} | {theirs} "
            f"| {_ratio(row.ratio)} |{spread} {target}{mark} |"
        )
    return "\n".join(lines) + "\n"


def latency_lines(runs: Sequence[Iterable[dict[str, object]]]) -> list[str]:
    """A markdown table of the latency percentiles some benchmarks record: per benchmark,
    the run with the median p99 (and the range of p99 when there are several runs)."""
    by_name: dict[str, list[dict[str, object]]] = {}
    for benchmarks in runs:
        for bench in benchmarks:
            info = bench.get("extra_info")
            if isinstance(info, dict) and "latency_ms" in info:
                by_name.setdefault(str(bench.get("name")), []).append(info)
    several = len(runs) > 1
    lines = []
    for infos in by_name.values():
        ordered = sorted(infos, key=_p99)
        info = ordered[(len(ordered) - 1) // 2]
        latency = info["latency_ms"]
        assert isinstance(latency, dict)
        cells = " | ".join(f"{latency.get(k, float('nan')):.2f}" for k in LATENCY_COLUMNS)
        spread = f" {_p99(ordered[0]):.2f} to {_p99(ordered[-1]):.2f} |" if several else ""
        lines.append(f"| {info.get('latency_case')} | {info['n']:,} | {cells} |{spread}")
    if not lines:
        return []
    header = " | ".join(LATENCY_COLUMNS) + (" | p99 runs" if several else "")
    rule = " | ".join("---:" for _ in range(len(LATENCY_COLUMNS) + several))
    return ["", f"| latency (ms) | N | {header} |", f"| --- | ---: | {rule} |", *lines]


def _p99(info: dict[str, object]) -> float:
    latency = info["latency_ms"]
    assert isinstance(latency, dict)
    return float(latency.get("p99", float("nan")))


LATENCY_COLUMNS = ("p50", "p90", "p99", "p99.9", "max")


def main(argv: Sequence[str] | None = None) -> int:
    """Prints the table; writes it as markdown and gates on targets when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json_files", type=Path, nargs="+", help="one or more runs")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--gate", action="store_true", help="fail when a ratio misses its target")
    args = parser.parse_args(argv)

    runs = [json.loads(path.read_text()) for path in args.json_files]
    machine = runs[-1].get("machine_info", {})
    described = f"{machine.get('cpu', {}).get('brand_raw', 'unknown CPU')}, {_cores(machine)}"
    benchmarks = [data.get("benchmarks", []) for data in runs]
    rows = median_rows([build_rows(b) for b in benchmarks])
    table = render_markdown(rows, machine=described, runs=len(runs))
    latency = latency_lines(benchmarks)
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
