"""Compare a learner's answer with the expected one, both as decoded plain data.

:func:`compare` never calls a method of the learner's objects: it runs in the trusted
process on values rebuilt by :func:`autograder.plain.from_plain` (exact built-in types and
NumPy arrays).

A :class:`Verdict` says *where* the first difference lies (``path``: item numbers of lists
and tuples, keys of dicts, then the index of an array element) and *what* is wrong there
(``detail``), so that feedback can name it in the learner's terms:
:func:`describe` turns ``path`` into ``lengths[1]`` or, with an exercise's labels,
``mel_slaney at 1000 Hz``.  ``reason`` is the same story without the learner's names.  The
expected value of a single element is shown only when ``reveal=True`` (public checks on the
notebook's own inputs), never that of a whole answer, and never for hidden cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np


@dataclass(frozen=True)
class Verdict:
    """The outcome of a comparison.

    Attributes:
        ok: Whether the answer matched.
        reason: What differed, in words (no learner names), e.g. ``"[1]: is 3, expected 5"``.
        path: Where the first difference is: ``int`` item numbers of lists/tuples, ``str``
            dict keys, and last a ``tuple`` of array indices (``()`` for the whole value).
        detail: What is wrong at ``path``, e.g. ``"is 3, expected 5"`` or ``"has shape (3,),
            expected shape (4,)"``.
    """

    ok: bool
    reason: str = ""
    path: tuple[Any, ...] = ()
    detail: str = ""

    def __bool__(self) -> bool:  # a Verdict reads as its outcome
        return self.ok


OK = Verdict(True)

_SCALAR_TYPES = (bool, int, float, complex, np.generic)


def _fail(detail: str, path: tuple[Any, ...] = ()) -> Verdict:
    return Verdict(False, _reason(path, detail), path, detail)


def _reason(path: tuple[Any, ...], detail: str) -> str:
    where = _python_path(path)
    return f"{where}: {detail}" if where else detail


def _python_path(path: tuple[Any, ...]) -> str:
    out = []
    for step in path:
        if isinstance(step, tuple):
            if step:
                out.append("[" + ", ".join(str(int(i)) for i in step) + "]")
        elif isinstance(step, str):
            out.append(f"[{step!r}]")
        else:
            out.append(f"[{step}]")
    return "".join(out)


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


def _number(x: Any) -> str:
    """A short, readable rendering of one number (``3``, ``0.5``, ``-6.0206``, ``nan``)."""
    x = x.item() if isinstance(x, np.generic) else x
    if isinstance(x, (bool, int)):
        return str(x)
    if isinstance(x, complex):
        return f"{x.real:.6g}{x.imag:+.6g}j"
    return f"{x:.6g}"


def _is_integer_kind(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in "iu"


def compare_arrays(
    expected: np.ndarray, got: np.ndarray, *, rtol: float, atol: float, reveal: bool = False
) -> Verdict:
    if expected.shape != got.shape:
        if expected.ndim == 0:
            return _fail(f"is an array of shape {got.shape}, expected a single number")
        if got.ndim == 0:
            return _fail(f"is a single number, expected an array of shape {expected.shape}")
        return _fail(f"has shape {got.shape}, expected shape {expected.shape}")
    if expected.dtype.kind == "c" and got.dtype.kind != "c":
        return _fail("holds real values, expected complex ones")
    if expected.dtype.kind != "c" and got.dtype.kind == "c":
        return _fail("holds complex values, expected real ones")
    if expected.size == 0:
        return OK
    e = expected.astype(np.complex128 if expected.dtype.kind == "c" else np.float64)
    g = got.astype(e.dtype)
    close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return OK
    if e.ndim == 0:
        if not np.isfinite(g):
            return _fail(f"is {_number(g.item())}")
        return _fail(f"is {_number(got.item())}, which is not the expected value")
    first = tuple(int(i) for i in np.unravel_index(int(np.argmax(~close)), close.shape))
    wrong = int((~close).sum())
    value = _number(got[first].item())
    if reveal:
        detail = f"is {value}, expected {_number(expected[first].item())}"
    else:
        detail = f"is {value}, which is not the expected value"
    if wrong > 1:
        detail += f" ({wrong} of {close.size} values differ; this is the first)"
    return _fail(detail, (first,))


def compare(
    expected: Any, got: Any, *, rtol: float = 1e-6, atol: float = 1e-9, reveal: bool = False,
    strict_types: bool = False,
) -> Verdict:
    """Does ``got`` equal ``expected`` (numbers and arrays within tolerances)?

    Args:
        reveal: Show the expected value of the first wrong element of an array or list
            (public checks only).  A whole scalar answer is never revealed.
        strict_types: Where ``expected`` holds integers (an ``int`` or an integer array),
            ``got`` must hold integers too: for tasks that name the type ("an ``int``").
    """
    ek, gk = _kind(expected), _kind(got)
    if ek == "text":
        if gk != "text":
            return _fail(f"is {_article(gk)}, expected text (a str)")
        return OK if got == expected else _fail(f"is {got[:80]!r}, which is not the expected text")
    if ek == "None":
        return OK if got is None else _fail(f"is {_article(gk)}, expected None")
    if ek == "dict":
        if gk != "dict":
            return _fail(f"is {_article(gk)}, expected a dict")
        if set(got) != set(expected):
            missing = sorted(set(expected) - set(got))
            extra = sorted(set(got) - set(expected))
            parts = ([f"misses the keys {missing}"] if missing else []) + ([f"has unexpected keys {extra}"] if extra else [])
            return _fail(" and ".join(parts))
        for key in expected:
            v = compare(expected[key], got[key], rtol=rtol, atol=atol, reveal=reveal, strict_types=strict_types)
            if not v:
                return _fail(v.detail, (key, *v.path))
        return OK
    if ek == "True/False":
        if gk != "True/False":
            return _fail(f"is {_article(gk)}, expected True or False")
        return OK if bool(got) == bool(expected) else _fail(f"is {bool(got)}, which is not the expected truth value")
    nested = ek == "sequence" and any(not isinstance(v, _SCALAR_TYPES) for v in expected)
    e_arr = None if nested else _as_numeric_array(expected)  # a tuple of arrays: item by item
    if e_arr is not None:
        if gk == "text":
            return _fail("is text (a str), expected a number or array")
        g_arr = _as_numeric_array(got)
        if g_arr is None:
            return _fail(f"is {_article(gk)}, expected {'a number' if ek == 'number' else 'an array of numbers'}")
        if strict_types and _is_integer_kind(expected) and not _is_integer_kind(got if gk != "sequence" else g_arr):
            what = "an array of floats" if g_arr.ndim else f"the float {_number(g_arr.item())}"
            return _fail(f"is {what}, expected {'whole numbers (an integer array)' if e_arr.ndim else 'an int'}")
        return compare_arrays(e_arr, g_arr, rtol=rtol, atol=atol, reveal=reveal)
    if ek == "sequence":
        if gk not in ("sequence", "array"):
            return _fail(f"is {_article(gk)}, expected a list")
        got_list = list(got)
        if len(got_list) != len(expected):
            return _fail(f"has {len(got_list)} items, expected {len(expected)}")
        for i, (e, g) in enumerate(zip(expected, got_list)):
            v = compare(e, g, rtol=rtol, atol=atol, reveal=reveal, strict_types=strict_types)
            if not v:
                return _fail(v.detail, (i, *v.path))
        return OK
    return _fail(f"cannot be compared (answers of kind {ek})")


def _article(kind: str) -> str:
    return {"number": "a number", "array": "an array", "sequence": "a list or tuple", "dict": "a dict",
            "text": "text (a str)", "None": "None", "True/False": "True/False"}.get(kind, f"a {kind}")


#: A label function: gets the index tuple of an array element (or an item number) and the
#: case's named inputs it asks for, returns how the learner would name that position
#: (``"at 1000 Hz"``, ``"for frame 3"``).
Label = Callable[..., str]


def describe(verdict: Verdict, names: tuple[str, ...], *, call: bool = False,
             labels: Mapping[str, Label] | None = None, inputs: Mapping[str, Any] | None = None) -> str:
    """The verdict in the learner's terms: "`lengths[1]` is 3, expected 5".

    Args:
        names: The learner's names of the answer: one name, or one per item of a tuple
            answer (the first step of ``verdict.path`` then picks the name).
        call: The answer is what a function returns: write ``name(...)``.
        labels: Optional per-name label functions for array positions (see :data:`Label`).
        inputs: The case's named inputs, passed to a label function by parameter name.
    """
    if verdict.ok:
        return ""
    path = verdict.path
    if len(names) > 1 and path and isinstance(path[0], int):
        name, path = names[path[0]], path[1:]
    elif len(names) > 1 and not call:
        return verdict.reason  # the tuple as a whole (e.g. a wrong number of items)
    else:
        name = names[0]
    base = f"{name}(...)" if call else name
    label = ""
    if labels and name in labels and path and isinstance(path[-1], tuple) and path[-1]:
        label = _apply_label(labels[name], path[-1], inputs or {})
    if label:
        where = f"`{base}{_python_path(path[:-1])}` {label}"
    else:
        where = f"`{base}{_python_path(path)}`"
    return f"{where} {verdict.detail}"


def _apply_label(fn: Label, index: tuple[int, ...], inputs: Mapping[str, Any]) -> str:
    import inspect

    try:
        params = inspect.signature(fn).parameters
        if any(p.kind is p.VAR_KEYWORD for p in params.values()):
            kwargs = dict(inputs)
        else:
            kwargs = {k: v for k, v in inputs.items() if k in params}
        return str(fn(index, **kwargs))
    except Exception:  # a label that cannot describe this position falls back to the index
        return ""
