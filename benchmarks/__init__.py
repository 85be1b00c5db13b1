"""Benchmarks: each module runs on its own (`python -m benchmarks.<name>`); `python -m
benchmarks` (or `make bench`) runs them all in turn."""
