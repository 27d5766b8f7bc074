"""EIP-1559 fees: ``next_base_fee`` and ``suggest_fees``.

``next_base_fee`` is checked against a direct Python transcription of the EIP's formula
over a seeded sweep of parents (gas used below, at and above the target, zero gas, full
blocks, zero base fee, odd and tiny gas limits, fees up to ``2**128 - 1``), with fields as
ints and as ``0x`` strings. ``suggest_fees`` is checked against an independent Python
implementation of the method documented in ``tpcore_eth::fees`` on random histories.
Malformed blocks and histories raise ``InvalidInput``.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from tpcore import InvalidInput, eth

SEED = 1559
U128_MAX = 2**128 - 1
U64_MAX = 2**64 - 1


def reference_next_base_fee(base_fee: int, gas_used: int, gas_limit: int) -> int:
    """EIP-1559's ``calc_base_fee``, saturating at 2**128 - 1 (and a target of 0 keeps the
    fee, where the EIP would divide by zero)."""
    target = gas_limit // 2
    if target in (gas_used, 0):
        return base_fee
    if gas_used > target:
        delta = max(base_fee * (gas_used - target) // target // 8, 1)
        return min(base_fee + delta, U128_MAX)
    return base_fee - base_fee * (target - gas_used) // target // 8


def _parents(rng: random.Random, count: int) -> list[tuple[int, int, int]]:
    parents = [
        (10**9, 15_000_000, 30_000_000),  # at target: unchanged
        (10**9, 30_000_000, 30_000_000),  # full: +12.5%
        (10**9, 0, 30_000_000),  # empty: -12.5%
        (0, 30_000_000, 30_000_000),  # zero base fee rises by the 1 wei minimum
        (7, 15_000_001, 30_000_000),  # tiny increase rounds up to 1 wei
        (7, 14_999_999, 30_000_000),  # tiny decrease rounds down to 0
        (1000, 5, 1),  # target 0
        (1000, 0, 0),
        (1000, 2, 3),  # odd limit
        (U128_MAX, U64_MAX, U64_MAX),  # saturation
        (U128_MAX, 0, U64_MAX),
        (1000, 100, 10),  # more gas used than the limit
    ]
    while len(parents) < count:
        limit = rng.choice(
            [rng.randint(0, 100), rng.randint(1, 60_000_000), rng.randint(0, U64_MAX)]
        )
        target = limit // 2
        used = rng.choice(
            [
                target,
                target + 1,
                max(target - 1, 0),
                0,
                limit,
                rng.randint(0, limit),
                rng.randint(0, U64_MAX),
            ]
        )
        base = rng.choice([0, 1, 7, rng.randint(0, 10**12), rng.randint(0, U128_MAX), U128_MAX])
        parents.append((base, used, limit))
    return parents


def test_next_base_fee_matches_the_eip() -> None:
    rng = random.Random(SEED)
    kinds = {"up": 0, "down": 0, "same": 0}
    for base, used, limit in _parents(rng, 3000):
        expected = reference_next_base_fee(base, used, limit)
        block: dict[str, Any] = {"baseFeePerGas": base, "gasUsed": used, "gasLimit": limit}
        assert eth.next_base_fee(block) == expected, block
        hex_block = {k: hex(v) if rng.random() < 0.5 else v for k, v in block.items()}
        assert eth.next_base_fee(hex_block) == expected, hex_block
        kinds["up" if expected > base else "down" if expected < base else "same"] += 1
    assert min(kinds.values()) > 100


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"baseFeePerGas": 10**9, "gasUsed": 30_000_000, "gasLimit": 30_000_000}, 1_125_000_000),
        ({"baseFeePerGas": 10**9, "gasUsed": 0, "gasLimit": 30_000_000}, 875_000_000),
        ({"baseFeePerGas": "0x3b9aca00", "gasUsed": "0x0", "gasLimit": "0x1c9c380"}, 875_000_000),
        ({"baseFeePerGas": 0, "gasUsed": 30_000_000, "gasLimit": 30_000_000}, 1),
        ({"baseFeePerGas": 10, "gasUsed": 2, "gasLimit": 1}, 10),
        ({"baseFeePerGas": U128_MAX, "gasUsed": 2, "gasLimit": 2}, U128_MAX),
        ({"baseFeePerGas": 1, "gasUsed": 1, "gasLimit": 2, "number": 5, "extra": None}, 1),
    ],
)
def test_next_base_fee_known_values(block: dict[str, Any], expected: int) -> None:
    assert eth.next_base_fee(block) == expected


@pytest.mark.parametrize(
    ("block", "field"),
    [
        ({"gasUsed": 1, "gasLimit": 2}, "baseFeePerGas"),
        ({"baseFeePerGas": 1, "gasLimit": 2}, "gasUsed"),
        ({"baseFeePerGas": 1, "gasUsed": 1}, "gasLimit"),
        ({"baseFeePerGas": -1, "gasUsed": 1, "gasLimit": 2}, "baseFeePerGas"),
        ({"baseFeePerGas": 2**128, "gasUsed": 1, "gasLimit": 2}, "baseFeePerGas"),
        ({"baseFeePerGas": 1, "gasUsed": 2**64, "gasLimit": 2}, "gasUsed"),
        ({"baseFeePerGas": 1, "gasUsed": 1, "gasLimit": 2**64}, "gasLimit"),
        ({"baseFeePerGas": 1.0, "gasUsed": 1, "gasLimit": 2}, "baseFeePerGas"),
        ({"baseFeePerGas": True, "gasUsed": 1, "gasLimit": 2}, "baseFeePerGas"),
        ({"baseFeePerGas": "10", "gasUsed": 1, "gasLimit": 2}, "baseFeePerGas"),
        ({"baseFeePerGas": "0xzz", "gasUsed": 1, "gasLimit": 2}, "baseFeePerGas"),
        ({"baseFeePerGas": None, "gasUsed": 1, "gasLimit": 2}, "baseFeePerGas"),
        ([1, 2, 3], "baseFeePerGas"),
    ],
)
def test_next_base_fee_bad_block(block: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.next_base_fee(block)
    assert info.value.reason == "invalid_field"
    assert str(info.value).startswith(f"{field}: ")


# --- suggest_fees ----------------------------------------------------------------------------


def reference_suggest_fees(history: dict[str, Any], headroom_percent: int = 200) -> dict[str, Any]:
    """The documented method: medians over the non-empty blocks (all blocks if every one is
    empty), floor of the mean for an even count, next base fee * headroom // 100 + priority,
    saturating at 2**128 - 1."""
    rows = [
        row
        for row, ratio in zip(history["reward"], history["gasUsedRatio"], strict=True)
        if ratio > 0
    ] or history["reward"]
    base_part = min(history["baseFeePerGas"][-1] * headroom_percent // 100, U128_MAX)
    out = {}
    for column, speed in enumerate(("slow", "standard", "fast")):
        values = sorted(row[column] for row in rows)
        mid = len(values) // 2
        priority = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) // 2
        out[speed] = {
            "maxFeePerGas": min(base_part + priority, U128_MAX),
            "maxPriorityFeePerGas": priority,
        }
    return out


def _random_history(rng: random.Random) -> dict[str, Any]:
    blocks = rng.choice([1, 2, 3, 4, 5, 10, 20, rng.randint(1, 100)])
    top = rng.choice([10**9, 10**12, U128_MAX])
    empty_share = rng.choice([0.0, 0.3, 1.0])
    ratios = [
        0.0 if rng.random() < empty_share else rng.choice([rng.random(), 1.0, 1e-9])
        for _ in range(blocks)
    ]
    reward = []
    for ratio in ratios:
        if ratio == 0.0:
            reward.append([0, 0, 0])
        else:
            reward.append(sorted(rng.randint(0, top) for _ in range(3)))
    base = [rng.randint(0, top) for _ in range(blocks + 1)]
    return {
        "oldestBlock": hex(rng.randint(0, 10**7)),
        "baseFeePerGas": base,
        "gasUsedRatio": ratios,
        "reward": reward,
    }


def _as_rpc(history: dict[str, Any]) -> dict[str, Any]:
    """The history as a node returns it: quantities as 0x strings."""
    return {
        **history,
        "baseFeePerGas": [hex(v) for v in history["baseFeePerGas"]],
        "reward": [[hex(v) for v in row] for row in history["reward"]],
    }


def test_suggest_fees_matches_the_documented_method() -> None:
    rng = random.Random(SEED + 1)
    all_empty = some_empty = 0
    for _ in range(1000):
        history = _random_history(rng)
        headroom = rng.choice([200, 100, 0, 125, 1000, rng.randint(0, 10_000)])
        expected = reference_suggest_fees(history, headroom)
        assert eth.suggest_fees(history, headroom_percent=headroom) == expected, history
        assert eth.suggest_fees(_as_rpc(history), headroom_percent=headroom) == expected
        if headroom == 200:
            assert eth.suggest_fees(history) == expected
        all_empty += all(r == 0 for r in history["gasUsedRatio"])
        some_empty += 0 < sum(r == 0 for r in history["gasUsedRatio"]) < len(history["reward"])
    assert all_empty > 50
    assert some_empty > 100


def test_suggest_fees_known_values() -> None:
    history = {
        "baseFeePerGas": [100, 110, 120, 130, 140],
        "gasUsedRatio": [0.5, 0.0, 0.9, 0.2],
        "reward": [[1, 5, 9], [0, 0, 0], [2, 6, 10], [4, 8, 20]],
    }
    # Blocks 0, 2, 3 count: slow [1,2,4] -> 2, standard [5,6,8] -> 6, fast [9,10,20] -> 10.
    assert eth.suggest_fees(history) == {
        "slow": {"maxFeePerGas": 282, "maxPriorityFeePerGas": 2},
        "standard": {"maxFeePerGas": 286, "maxPriorityFeePerGas": 6},
        "fast": {"maxFeePerGas": 290, "maxPriorityFeePerGas": 10},
    }
    even = {**history, "gasUsedRatio": [0.5, 0.0, 0.9, 0.0]}
    # Blocks 0 and 2: floor((1 + 2) / 2) = 1, floor((5 + 6) / 2) = 5, floor((9 + 10) / 2) = 9.
    assert eth.suggest_fees(even, headroom_percent=150) == {
        "slow": {"maxFeePerGas": 211, "maxPriorityFeePerGas": 1},
        "standard": {"maxFeePerGas": 215, "maxPriorityFeePerGas": 5},
        "fast": {"maxFeePerGas": 219, "maxPriorityFeePerGas": 9},
    }


GOOD = {"baseFeePerGas": [10, 20, 30], "gasUsedRatio": [0.5, 0.1], "reward": [[1, 2, 3]] * 2}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"baseFeePerGas": [1], "gasUsedRatio": [], "reward": []}, "invalid_fee_history"),
        ({"baseFeePerGas": [10, 20]}, "invalid_fee_history"),
        ({"baseFeePerGas": [10, 20, 30, 40]}, "invalid_fee_history"),
        ({"reward": [[1, 2, 3]]}, "invalid_fee_history"),
        ({"reward": [[1, 2, 3], [1, 2]]}, "invalid_fee_history"),
        ({"reward": [[1, 2, 3], [1, 2, 3, 4]]}, "invalid_fee_history"),
        ({"gasUsedRatio": [float("nan"), 0.1]}, "invalid_fee_history"),
        ({"gasUsedRatio": [0.5, float("inf")]}, "invalid_fee_history"),
        ({"gasUsedRatio": [-0.1, 0.1]}, "invalid_fee_history"),
        ({"gasUsedRatio": ["0.5", 0.1]}, "invalid_field"),
        ({"gasUsedRatio": None}, "invalid_field"),
        ({"reward": None}, "invalid_field"),
        ({"reward": [[1, 2, -3], [1, 2, 3]]}, "invalid_field"),
        ({"reward": [[1, 2, "3"], [1, 2, 3]]}, "invalid_field"),
        ({"reward": [[1, 2, 2**128], [1, 2, 3]]}, "invalid_field"),
        ({"baseFeePerGas": [10, 1.5, 30]}, "invalid_field"),
    ],
)
def test_suggest_fees_bad_history(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.suggest_fees({**GOOD, **change})
    assert info.value.reason == reason


@pytest.mark.parametrize("missing", ["baseFeePerGas", "gasUsedRatio", "reward"])
def test_suggest_fees_missing_member(missing: str) -> None:
    history = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(InvalidInput) as info:
        eth.suggest_fees(history)
    assert info.value.reason == "invalid_field"
    assert str(info.value).startswith(f"{missing}: ")


@pytest.mark.parametrize("headroom", [-1, 2**32])
def test_suggest_fees_headroom_out_of_range(headroom: int) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.suggest_fees(GOOD, headroom_percent=headroom)
    assert info.value.reason == "invalid_headroom"
    assert str(info.value).startswith("headroom_percent: ")
