"""Compare a learner's answer with the expected one, both as decoded plain data.

:func:`compare` never calls a method of the learner's objects: it runs in the trusted
process on values rebuilt by :func:`autograder.plain.from_plain` (exact built-in types and
NumPy arrays).  Its ``reason`` is written for the learner and never contains the expected
values themselves, so it is safe to show for hidden tests too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:  # a Verdict reads as its outcome
        return self.ok


OK = Verdict(True)

_SCALAR_TYPES = (bool, int, float, complex, np.generic)


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, (bool, np.bool_)):
        return "True/False"
    if value is None:
        return "None"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, _SCALAR_TYPES):
        return "number"
    if isinstance(value, np.ndarray):
        return "number" if value.ndim == 0 else "array"
    if isinstance(value, (list, tuple)):
        return "sequence"
    return type(value).__name__


def _as_numeric_array(value: Any) -> np.ndarray | None:
    """A numeric ndarray for numbers, arrays and (nested) lists of numbers; else None."""
    if isinstance(value, np.ndarray):
        return value if value.dtype.kind in "biufc" else None
    if isinstance(value, _SCALAR_TYPES) and not isinstance(value, bool):
        return np.asarray(value)
    if isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
        except ValueError:  # ragged
            return None
        return arr if arr.dtype.kind in "iufc" else None
    return None


def _fmt_index(idx: tuple[int, ...]) -> str:
    return str(idx[0]) if len(idx) == 1 else str(tuple(int(i) for i in idx))


def compare_arrays(expected: np.ndarray, got: np.ndarray, *, rtol: float, atol: float) -> Verdict:
    if expected.shape != got.shape:
        if expected.ndim == 0:
            return Verdict(False, f"expected a single number, got an array of shape {got.shape}")
        return Verdict(False, f"expected shape {expected.shape}, got shape {got.shape}")
    if expected.dtype.kind == "c" and got.dtype.kind != "c":
        return Verdict(False, "expected complex values, got real ones")
    if expected.dtype.kind != "c" and got.dtype.kind == "c":
        return Verdict(False, "expected real values, got complex ones")
    if expected.size == 0:
        return OK
    if not np.isfinite(got).all() and np.isfinite(expected).all():
        bad = "NaN" if np.isnan(got).any() else "infinite"
        return Verdict(False, f"your answer contains {bad} values")
    e = expected.astype(np.complex128 if expected.dtype.kind == "c" else np.float64)
    g = got.astype(e.dtype)
    close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return OK
    if e.ndim == 0:
        return Verdict(False, "the value is not the expected one")
    wrong = int((~close).sum())
    first = np.unravel_index(int(np.argmax(~close)), close.shape)
    return Verdict(
        False,
        f"{wrong} of {close.size} values differ from the expected ones "
        f"(the first at index {_fmt_index(first)})",
    )


def compare(expected: Any, got: Any, *, rtol: float = 1e-6, atol: float = 1e-9) -> Verdict:
    """Does ``got`` equal ``expected`` (numbers and arrays within tolerances)?"""
    ek, gk = _kind(expected), _kind(got)
    if ek == "text":
        if gk != "text":
            return Verdict(False, f"expected text (a str), got {gk}")
        return OK if got == expected else Verdict(False, f"got {got[:80]!r}, which is not the expected text")
    if ek == "None":
        return OK if got is None else Verdict(False, f"expected None, got {gk}")
    if ek == "dict":
        if gk != "dict":
            return Verdict(False, f"expected a dict, got {gk}")
        if set(got) != set(expected):
            missing = sorted(set(expected) - set(got))
            extra = sorted(set(got) - set(expected))
            parts = ([f"missing keys {missing}"] if missing else []) + ([f"unexpected keys {extra}"] if extra else [])
            return Verdict(False, "; ".join(parts))
        for key in expected:
            v = compare(expected[key], got[key], rtol=rtol, atol=atol)
            if not v:
                return Verdict(False, f"[{key!r}]: {v.reason}")
        return OK
    if ek == "True/False":
        if gk != "True/False":
            return Verdict(False, f"expected True or False, got {gk}")
        return OK if bool(got) == bool(expected) else Verdict(False, "the answer is the wrong truth value")
    e_arr = _as_numeric_array(expected)
    if e_arr is not None:
        if gk == "text":
            return Verdict(False, "expected a number or array, got text (a str)")
        g_arr = _as_numeric_array(got)
        if g_arr is None:
            return Verdict(False, f"expected {'a number' if ek == 'number' else 'an array of numbers'}, got {gk}")
        return compare_arrays(e_arr, g_arr, rtol=rtol, atol=atol)
    if ek == "sequence":
        if gk not in ("sequence", "array"):
            return Verdict(False, f"expected a list, got {gk}")
        got_list = list(got)
        if len(got_list) != len(expected):
            return Verdict(False, f"expected {len(expected)} items, got {len(got_list)}")
        for i, (e, g) in enumerate(zip(expected, got_list)):
            v = compare(e, g, rtol=rtol, atol=atol)
            if not v:
                return Verdict(False, f"item {i}: {v.reason}")
        return OK
    return Verdict(False, f"cannot compare answers of kind {ek}")
