"""The benchmark ratio table (benches/report.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benches.report import build_rows, main, render_markdown


def _bench(case: str, n: int, impl: str, role: str, median: float, targets=None):
    return {
        "extra_info": {"case": case, "n": n, "impl": impl, "role": role, "targets": targets},
        "stats": {"median": median},
    }


BENCHMARKS = [
    _bench("ecdsa_sign", 100, "tpcore", "tpcore", 0.001, {"coincurve": 2.0, "eth-account": 40}),
    _bench("ecdsa_sign", 100, "coincurve", "peer", 0.003),
    _bench("ecdsa_sign", 100, "eth-account", "peer", 0.030),
    _bench("keccak256", 10, "tpcore", "tpcore", 0.002, {"pycryptodome": 10.0}),
    _bench("keccak256", 10, "pycryptodome", "peer", 0.004),
    {"extra_info": {}, "stats": {"median": 1.0}},  # not part of a comparison
]


def test_rows_pair_tpcore_with_each_peer_of_the_same_case_and_size() -> None:
    rows = build_rows(BENCHMARKS)
    assert [(r.case, r.n, r.impl, r.peer) for r in rows] == [
        ("ecdsa_sign", 100, "tpcore", "coincurve"),
        ("ecdsa_sign", 100, "tpcore", "eth-account"),
        ("keccak256", 10, "tpcore", "pycryptodome"),
    ]
    assert [r.ratio for r in rows] == pytest.approx([3.0, 30.0, 2.0])
    assert [r.target for r in rows] == [2.0, 40.0, 10.0]
    assert [r.meets_target for r in rows] == [True, False, False]


def test_markdown_marks_ratios_below_target_and_names_the_command() -> None:
    table = render_markdown(build_rows(BENCHMARKS))
    assert "`make bench`" in table
    assert (
        "| ecdsa_sign | 100 | tpcore | 100.0k/s | coincurve | 33.3k/s | 3.00x | >= 2x ok |"
    ) in table
    assert (
        "| keccak256 | 10 | tpcore | 5.0k/s | pycryptodome | 2.5k/s | 2.00x | >= 10x **below** |"
    ) in table


def test_gate_fails_only_when_a_target_is_missed(tmp_path: Path) -> None:
    source = tmp_path / "bench.json"
    source.write_text(json.dumps({"benchmarks": BENCHMARKS}))
    out = tmp_path / "table.md"
    assert main([str(source), "--markdown", str(out)]) == 0
    table_lines = [line for line in out.read_text().splitlines() if line.startswith("| ")]
    assert len(table_lines) == 2 + 3  # header, separator, three comparisons
    assert main([str(source), "--gate"]) == 1
    passing = [
        _bench("x", 1, "tpcore", "tpcore", 1.0, {"peer": 2.0}),
        _bench("x", 1, "peer", "peer", 3.0),
    ]
    source.write_text(json.dumps({"benchmarks": passing}))
    assert main([str(source), "--gate"]) == 0


def test_several_runs_give_the_median_run_and_the_spread(tmp_path: Path) -> None:
    def run(peer_seconds: float, p99: float) -> dict[str, object]:
        latency = {
            "name": "test_latency",
            "extra_info": {"latency_case": "submit to event", "n": 10, "latency_ms": {"p99": p99}},
            "stats": {"median": 1.0},
        }
        return {
            "benchmarks": [
                _bench("x", 1, "tpcore", "tpcore", 1.0, {"peer": 2.0}),
                _bench("x", 1, "peer", "peer", peer_seconds),
                latency,
            ]
        }

    paths = []
    for i, (peer, p99) in enumerate([(1.5, 30.0), (3.0, 9.0), (2.5, 12.0)]):
        paths.append(tmp_path / f"run{i}.json")
        paths[-1].write_text(json.dumps(run(peer, p99)))
    out = tmp_path / "table.md"
    assert main([*map(str, paths), "--markdown", str(out)]) == 0  # the median, 2.5x, passes
    table = out.read_text()
    assert "median of 3 runs" in table
    assert "| x | 1 | tpcore | 1/s | peer | 0/s | 2.50x | 1.50x to 3.00x | >= 2x ok |" in table
    assert "| submit to event | 10 | nan | nan | 12.00 | nan | nan | 9.00 to 30.00 |" in table
