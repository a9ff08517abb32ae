"""The course's exercises, one module per lesson (``l00``, ``l01``, ...).

Each module defines ``EXERCISES: list[Exercise]``.  :func:`registry` collects them all,
keyed by exercise id, and refuses duplicates.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from ..exercise import Exercise


@functools.lru_cache(maxsize=1)
def registry() -> dict[str, Exercise]:
    found: dict[str, Exercise] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not (info.name.startswith("l") and info.name[1:].isdigit()):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for ex in module.EXERCISES:
            if ex.id in found:
                raise ValueError(f"exercise id {ex.id!r} defined twice")
            found[ex.id] = ex
    return found


def get(exercise_id: str) -> Exercise:
    try:
        return registry()[exercise_id]
    except KeyError:
        known = ", ".join(sorted(registry())) or "none"
        raise KeyError(f"no exercise {exercise_id!r}; known exercises: {known}") from None


def for_lesson(lesson: str) -> list[Exercise]:
    return [ex for ex in registry().values() if ex.lesson == lesson]
