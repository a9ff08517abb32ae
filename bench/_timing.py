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


def training_budget(default_minutes: float = 3.0) -> tuple[float, int, tuple[int, ...]]:
    """``(minutes, threads, seeds)`` of a training benchmark: ``ASRLAB_BENCH_MINUTES``
    (default ``default_minutes``), ``ASRLAB_BENCH_THREADS`` (default 1) and
    ``ASRLAB_BENCH_SEED`` (default 0; several seeds train one model each: ``0,2,5`` or
    ``0-5``).

    Raises:
        SystemExit: a value that is not a number of minutes, threads or seeds, with one
            line that names the variable, what it takes and what it got.
    """
    minutes = _number("ASRLAB_BENCH_MINUTES", f"{default_minutes:g}", float, "a positive number of minutes, e.g. 3 or 0.5")
    threads = _number("ASRLAB_BENCH_THREADS", "1", int, "a positive number of threads, e.g. 1")
    return minutes, threads, parse_seeds(os.environ.get("ASRLAB_BENCH_SEED", "0"))


def epoch_budget() -> int | None:
    """``ASRLAB_BENCH_EPOCHS`` (a positive whole number of epochs) or ``None`` when unset:
    a step budget instead of a time budget, the same work whatever the machine's load.

    Raises:
        SystemExit: anything but a positive whole number, with one line naming the variable.
    """
    if not os.environ.get("ASRLAB_BENCH_EPOCHS"):
        return None
    value = _number("ASRLAB_BENCH_EPOCHS", "", float, "a positive whole number of epochs, e.g. 8")
    if value != int(value):
        raise SystemExit(f"ASRLAB_BENCH_EPOCHS: expected a positive whole number of epochs, e.g. 8, got {os.environ['ASRLAB_BENCH_EPOCHS']!r}")
    return int(value)


def _number(name: str, default: str, kind: type, expected: str) -> float:
    text = os.environ.get(name, default)
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if not 0 < value < float("inf"):
        raise SystemExit(f"{name}: expected {expected}, got {text!r}")
    return value


def parse_seeds(text: str) -> tuple[int, ...]:
    """Seeds from ``"3"``, ``"0,2,5"`` or ``"0-5"`` (ranges and lists mix: ``"0-2,7"``),
    in the order given, each once.

    Raises:
        SystemExit: anything else, e.g. ``"x"``, ``"5-2"`` or ``"-1"``.
    """
    seeds: dict[int, None] = {}  # ordered, each once
    for part in text.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not (high.isdigit() and int(high) >= int(low))):
            raise SystemExit(f"ASRLAB_BENCH_SEED: expected a seed or seeds such as 0, 0,2,5 or 0-5, got {text!r}")
        seeds.update(dict.fromkeys(range(int(low), int(high if dash else low) + 1)))
    return tuple(seeds)
