"""The examples in the README and in module docstrings run as written."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import tpcore.book
import tpcore.eth
import tpcore.risk
import tpcore.sign

README = Path(__file__).resolve().parents[1] / "README.md"
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_readme_has_python_examples() -> None:
    assert len(PYTHON_BLOCKS) >= 2


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda b: b.splitlines()[0][:40])
def test_readme_example_runs(block: str) -> None:
    exec(compile(block, str(README), "exec"), {})  # noqa: S102 - the README's own code


@pytest.mark.parametrize(
    "module", [tpcore.sign, tpcore.eth, tpcore.book, tpcore.risk], ids=lambda m: m.__name__
)
def test_module_doctests_pass(module: object) -> None:
    result = doctest.testmod(module, raise_on_error=False)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0
