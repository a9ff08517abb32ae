"""Shared helpers of the benchmark modules: timing, and the budget of the training benchmarks."""

from __future__ import annotations

import os
import time
from typing import Callable


def best_of(fn: Callable[[], object], *, repeat: int = 5, number: int = 1) -> float:
    """Best wall-clock seconds per call over ``repeat`` rounds of ``number`` calls."""
    fn()  # warm-up: imports, caches, JIT
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def training_budget() -> tuple[float, int, int]:
    """``(minutes, threads, seed)`` of a training benchmark: ``ASRLAB_BENCH_MINUTES``
    (default 3), ``ASRLAB_BENCH_THREADS`` (default 1) and ``ASRLAB_BENCH_SEED`` (default 0)."""
    minutes = float(os.environ.get("ASRLAB_BENCH_MINUTES", "3"))
    threads = int(os.environ.get("ASRLAB_BENCH_THREADS", "1"))
    seed = int(os.environ.get("ASRLAB_BENCH_SEED", "0"))
    return minutes, threads, seed
