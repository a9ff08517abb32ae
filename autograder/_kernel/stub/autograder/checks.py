"""``check`` and ``___`` while a notebook is graded.

Check cells are not run in this kernel at grading time (the grader runs every check from
outside); should a notebook call ``check`` anyway, it only says so.  ``___`` behaves
exactly as in the course: any use raises :class:`BlankError`.
"""

from __future__ import annotations

from typing import Any

from .blank import ___, BlankError, CheckFailed  # noqa: F401  (the grader copies blank.py here)

__all__ = ["check", "___", "CheckFailed", "BlankError"]


def check(exercise_id: str, answer: Any = None) -> None:
    """Checks run when the notebook is graded, outside this kernel: say so and return."""
    print(f"{exercise_id}: checks run at grading time.")
