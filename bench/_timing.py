"""Shared timing helper for the benchmark modules."""

from __future__ import annotations

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
