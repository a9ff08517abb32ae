"""Benchmarks: our implementations timed against the reference library in the same run."""
