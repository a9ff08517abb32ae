"""The blank ``___`` of "fill in the blanks" cells, and the errors a check can raise.

Standard library only: the grader copies this file into the sandboxed kernel's stub
``autograder`` package, so the blank behaves identically while learning and while graded.

In IPython ``___`` would otherwise mean "the third-last output", which makes an unfilled
blank silently compute nonsense; here any use of it raises :class:`BlankError`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["___", "BlankError", "CheckFailed", "contains_blank"]


class BlankError(NameError):
    """Raised when code still uses the blank ``___``."""

    def _render_traceback_(self) -> list[str]:
        return [f"BlankError: {self}"]


class CheckFailed(AssertionError):
    """A public check failed; the message is the whole story (no traceback needed)."""

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


BLANK_MESSAGE = "this cell still has a blank ___: replace each ___ with your code, then run the cell again"


class _Blank:
    """The ``___`` placeholder: any use of it raises :class:`BlankError`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "___"

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise BlankError(BLANK_MESSAGE)

    def __getattr__(self, name: str) -> Any:
        raise BlankError(BLANK_MESSAGE)


for _name in (
    "add radd iadd sub rsub isub mul rmul imul truediv rtruediv itruediv floordiv rfloordiv "
    "ifloordiv mod rmod imod pow rpow ipow matmul rmatmul neg pos abs invert lt le gt ge "
    "and rand or ror xor rxor lshift rlshift rshift rrshift call getitem setitem iter len "
    "bool int float complex index round contains array"
).split():
    setattr(_Blank, f"__{_name}__", _Blank._fail)
del _name

___ = _Blank()


def contains_blank(value: Any, depth: int = 0) -> bool:
    """Is ``value`` the blank, or a (shallow) list/tuple holding it?"""
    if isinstance(value, _Blank):
        return True
    if depth < 3 and type(value) in (list, tuple):
        return any(contains_blank(v, depth + 1) for v in value)
    return False
