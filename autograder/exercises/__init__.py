"""The course's exercises, one module per lesson (``l00``, ``l01``, ...).

Each module defines ``EXERCISES: list[Exercise]``.  :func:`registry` collects them all,
keyed by exercise id, and refuses duplicates.  :func:`get` imports only the module of the
exercise's own lesson (``l04-stft`` lives in ``l04``), so a check cell never pays for
building the other lessons' inputs.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Mapping

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


@functools.lru_cache(maxsize=None)
def _lesson_exercises(module_name: str) -> dict[str, Exercise]:
    module = importlib.import_module(f"{__name__}.{module_name}")
    return {ex.id: ex for ex in module.EXERCISES}


def get(exercise_id: str) -> Exercise:
    prefix = exercise_id.split("-", 1)[0]
    if prefix.startswith("l") and prefix[1:].isdigit():
        try:
            found = _lesson_exercises(prefix).get(exercise_id)
        except ModuleNotFoundError:
            found = None
        if found is not None:
            return found
    try:
        return registry()[exercise_id]
    except KeyError:
        known = ", ".join(sorted(registry())) or "none"
        raise KeyError(f"no exercise {exercise_id!r}; known exercises: {known}") from None


class LessonRegistry(Mapping):
    """The registry as a mapping that imports a lesson's module only when one of its ids is
    looked up (``l02-energy`` imports ``l02``); an id not found there, and iterating, use
    the whole :func:`registry`."""

    def __getitem__(self, exercise_id: str) -> Exercise:
        prefix = exercise_id.split("-", 1)[0] if isinstance(exercise_id, str) else ""
        found = None
        if prefix.startswith("l") and prefix[1:].isdigit():
            try:
                found = _lesson_exercises(prefix).get(exercise_id)
            except ModuleNotFoundError:
                found = None
        if found is None:  # not in its lesson's module: the whole registry decides
            return registry()[exercise_id]
        return found

    def __iter__(self):
        return iter(registry())

    def __len__(self) -> int:
        return len(registry())


def for_lesson(lesson: str) -> list[Exercise]:
    return [ex for ex in registry().values() if ex.lesson == lesson]
