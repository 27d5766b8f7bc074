"""The package itself: version, errors, thread control."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

import tpcore
from tpcore import InvalidInput, TpcoreError

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_the_workspace_version() -> None:
    cargo = (ROOT / "Cargo.toml").read_text()
    section = cargo.split("[workspace.package]", 1)[1]
    match = re.search(r'^version\s*=\s*"([^"]+)"', section, re.MULTILINE)
    assert match is not None
    assert tpcore.__version__ == match.group(1)


def test_invalid_input_is_a_value_error_with_reason_and_index() -> None:
    err = InvalidInput("hashes: row 3 is bad", "invalid_hash", 3)
    assert isinstance(err, TpcoreError)
    assert isinstance(err, ValueError)
    assert (str(err), err.reason, err.index) == ("hashes: row 3 is bad", "invalid_hash", 3)


def test_invalid_input_pickles_with_its_fields() -> None:
    err = pickle.loads(pickle.dumps(InvalidInput("bad shape", "invalid_shape")))
    assert (str(err), err.reason, err.index) == ("bad shape", "invalid_shape", None)


def test_thread_count_can_be_changed_and_restored() -> None:
    before = tpcore.get_num_threads()
    assert before >= 1
    try:
        tpcore.set_num_threads(1)
        assert tpcore.get_num_threads() == 1
        tpcore.set_num_threads(3)
        assert tpcore.get_num_threads() == 3
    finally:
        tpcore.set_num_threads(before)


def test_zero_threads_is_invalid_input_raised_from_rust() -> None:
    with pytest.raises(InvalidInput) as caught:
        tpcore.set_num_threads(0)
    assert caught.value.reason == "invalid_thread_count"
    assert caught.value.index is None
