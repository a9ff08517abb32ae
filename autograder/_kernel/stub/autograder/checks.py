"""``check`` and ``___`` while a notebook is graded.

Check cells are not run in this kernel at grading time (the grader runs every check from
outside); should a notebook call ``check`` anyway, it only says so.  ``___`` behaves
exactly as in the course: any use raises :class:`BlankError`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check", "___", "CheckFailed", "BlankError"]


class BlankError(NameError):
    """Raised when code still uses the blank ``___``."""

    def _render_traceback_(self) -> list[str]:
        return [f"BlankError: {self}"]


class CheckFailed(AssertionError):
    """A public check failed; the message is the whole story (no traceback needed)."""

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


_BLANK_MESSAGE = "this cell still has a blank ___: replace each ___ with your code, then run the cell again"


class _Blank:
    """The ``___`` placeholder: any use of it raises :class:`BlankError`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "___"

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise BlankError(_BLANK_MESSAGE)

    def __getattr__(self, name: str) -> Any:
        raise BlankError(_BLANK_MESSAGE)


for _name in (
    "add radd iadd sub rsub isub mul rmul imul truediv rtruediv itruediv floordiv rfloordiv "
    "ifloordiv mod rmod imod pow rpow ipow matmul rmatmul neg pos abs invert lt le gt ge "
    "and rand or ror xor rxor lshift rlshift rshift rrshift call getitem setitem iter len "
    "bool int float complex index round contains array"
).split():
    setattr(_Blank, f"__{_name}__", _Blank._fail)
del _name

___ = _Blank()


def check(exercise_id: str, answer: Any = None) -> None:
    """Checks run when the notebook is graded, outside this kernel: say so and return."""
    print(f"{exercise_id}: checks run at grading time.")
