"""The ``tpcore`` command."""

from __future__ import annotations

import subprocess
import sys

import pytest

import tpcore
from tpcore.cli import main


def test_version_command_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == tpcore.__version__


def test_tour_runs_every_stop(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"tpcore {tpcore.__version__}")
    assert out.rstrip().endswith("tour complete")


def test_module_entry_point_runs_as_a_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tpcore", "version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == tpcore.__version__


def test_unknown_command_exits_with_usage_error() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["no-such-command"])
    assert caught.value.code == 2
