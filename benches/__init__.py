"""Benchmarks: each hot path of tpcore against what a user would otherwise use."""
