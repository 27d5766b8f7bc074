"""Shared fixtures of the benchmarks: seeded inputs, and the thread count restored."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import tpcore

SIZES = (1, 100, 10_000)


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, so every run measures the same inputs."""
    return np.random.default_rng(20261121)


@pytest.fixture
def one_thread() -> Iterator[None]:
    """Runs the benchmark with tpcore on one thread, to compare per core."""
    before = tpcore.get_num_threads()
    tpcore.set_num_threads(1)
    yield
    tpcore.set_num_threads(before)
