"""Wycheproof test vectors as pytest parameters.

``@wycheproof("file.json")`` parametrizes a test over every case of one vector file in
``tests/vectors/wycheproof/``, with ids ``tcId-comment``. The test receives ``group`` (the
case's test group: public key, hash) and ``case`` (``tcId``, ``msg``, ``sig``, ``result``...).

Results are ``valid``, ``invalid`` or ``acceptable``. An acceptable case may be accepted or
rejected (Wycheproof leaves the choice to the library); :func:`check_result` only requires
that our outcome be the same on repeated calls, so a verifier that flips a coin fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pytest

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "wycheproof"

F = TypeVar("F", bound=Callable[..., None])


@cache
def load(filename: str) -> dict[str, Any]:
    """Returns the parsed vector file (cached: the decorators run at collection)."""
    data: dict[str, Any] = json.loads((VECTORS / filename).read_text())
    return data


def cases(filename: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every ``(group, case)`` pair of a vector file, in file order."""
    return [(group, case) for group in load(filename)["testGroups"] for case in group["tests"]]


def case_id(case: dict[str, Any]) -> str:
    """A readable, unique pytest id: ``tcId-comment`` with the comment made id-safe."""
    comment = re.sub(r"[^A-Za-z0-9]+", "_", case["comment"]).strip("_")
    return f"{case['tcId']}-{comment}" if comment else str(case["tcId"])


def wycheproof(filename: str) -> Callable[[F], F]:
    """Parametrizes the decorated test over every case of ``filename`` as ``group, case``."""
    pairs = cases(filename)
    return pytest.mark.parametrize(
        ("group", "case"), pairs, ids=[case_id(case) for _, case in pairs]
    )


def check_result(case: dict[str, Any], outcome: Callable[[], bool]) -> bool:
    """Asserts that ``outcome()`` honours the case's result, and returns it.

    ``valid`` must be accepted and ``invalid`` rejected. ``acceptable`` may go either way,
    but the outcome must be stable: it is computed three times and must not change.
    """
    first = outcome()
    assert isinstance(first, bool)
    if case["result"] == "valid":
        assert first, f"tcId {case['tcId']} ({case['comment']}) is valid but was rejected"
    elif case["result"] == "invalid":
        assert not first, f"tcId {case['tcId']} ({case['comment']}) is invalid but accepted"
    else:
        assert case["result"] == "acceptable", case["result"]
        assert outcome() is first
        assert outcome() is first
    return first
