"""Plain data: the only form in which answers travel from a learner's kernel to a grader.

A learner's answer may be any Python object, including hostile ones (an ``__eq__`` that
always says yes, a ``float`` subclass that lies about its value).  Before anything is
compared, :func:`to_plain` turns the answer into JSON-compatible data built from exact
built-in types, and :func:`from_plain` rebuilds numbers, strings, lists and NumPy arrays
from that data in the trusted process.  Nothing is ever unpickled.

Encoding (a JSON value):

* ``None``, ``bool``, ``int``, ``float`` (non-finite floats as ``{"__float__": "nan"}``),
  ``str``: themselves.
* ``complex``: ``{"__complex__": [re, im]}``.
* a list or tuple: ``{"__list__": [...]}`` / ``{"__tuple__": [...]}``.
* a dict with ``str`` keys: ``{"__dict__": {...}}``.
* a NumPy array or scalar of a bool / integer / float / complex dtype:
  ``{"__ndarray__": base64, "dtype": "<f8", "shape": [...]}`` (scalars have shape ``[]``).
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

MAX_ELEMENTS = 20_000_000
MAX_DEPTH = 20
_NUMERIC_KINDS = "biufc"


class NotPlainError(TypeError):
    """The answer cannot be turned into plain data (the message says why, for the learner)."""


def _type_name(value: Any) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def to_plain(value: Any, *, _depth: int = 0) -> Any:
    """Encode ``value`` as JSON-compatible plain data, refusing anything but exact types."""
    if _depth > MAX_DEPTH:
        raise NotPlainError("answer is nested too deeply")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        if abs(value) > 2**63:
            return {"__float__": repr(float(value))}
        return value
    if t is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if t is complex:
        return {"__complex__": [to_plain(value.real), to_plain(value.imag)]}
    if t is list or t is tuple:
        items = [to_plain(v, _depth=_depth + 1) for v in value]
        return {"__list__" if t is list else "__tuple__": items}
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise NotPlainError(f"dictionary keys must be strings, got {_type_name(k)}")
            out[k] = to_plain(v, _depth=_depth + 1)
        return {"__dict__": out}
    if t is np.ndarray or (isinstance(value, np.generic) and t.__module__ == "numpy"):
        arr = np.asarray(value)
        if arr.dtype.kind not in _NUMERIC_KINDS:
            raise NotPlainError(f"expected numbers, got an array of dtype {arr.dtype}")
        if arr.size > MAX_ELEMENTS:
            raise NotPlainError(f"array too large to check ({arr.size} elements)")
        return {
            "__ndarray__": base64.b64encode(arr.tobytes(order="C")).decode("ascii"),
            "dtype": arr.dtype.str,
            "shape": list(arr.shape),
        }
    raise NotPlainError(
        f"an answer of type {_type_name(value)} cannot be checked: expected a number, "
        "a string, a NumPy array, or a list/tuple/dict of those"
    )


def from_plain(data: Any, *, _depth: int = 0) -> Any:
    """Decode :func:`to_plain` data (in the trusted process); raise ValueError if malformed."""
    if _depth > MAX_DEPTH + 1:
        raise ValueError("plain data nested too deeply")
    t = type(data)
    if data is None or t in (bool, int, float, str):
        return data
    if t is list:  # bare JSON lists are not produced by to_plain
        raise ValueError("malformed plain data: bare list")
    if t is not dict or len(data) == 0:
        raise ValueError(f"malformed plain data of type {t.__name__}")
    if "__ndarray__" in data:
        if set(data) != {"__ndarray__", "dtype", "shape"}:
            raise ValueError("malformed array encoding")
        dtype = np.dtype(str(data["dtype"]))
        if dtype.kind not in _NUMERIC_KINDS:
            raise ValueError(f"array dtype {dtype} not allowed")
        shape = tuple(int(s) for s in data["shape"])
        if any(s < 0 for s in shape) or math.prod(shape) > MAX_ELEMENTS:
            raise ValueError("array shape not allowed")
        raw = base64.b64decode(data["__ndarray__"], validate=True)
        if len(raw) != math.prod(shape) * dtype.itemsize:
            raise ValueError("array byte count does not match its shape")
        arr = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        return arr[()] if shape == () else arr
    if len(data) != 1:
        raise ValueError(f"malformed plain data with keys {sorted(data)[:5]}")
    [(key, payload)] = data.items()
    if key == "__float__":
        return float(payload)
    if key == "__complex__":
        re, im = (from_plain(p, _depth=_depth + 1) for p in payload)
        return complex(re, im)
    if key in ("__list__", "__tuple__"):
        items = [from_plain(v, _depth=_depth + 1) for v in payload]
        return items if key == "__list__" else tuple(items)
    if key == "__dict__":
        return {str(k): from_plain(v, _depth=_depth + 1) for k, v in payload.items()}
    raise ValueError(f"malformed plain data with keys {sorted(data)[:5]}")


def dumps(value: Any) -> str:
    """``to_plain`` then JSON (no NaN literals)."""
    return json.dumps(to_plain(value), allow_nan=False, separators=(",", ":"))


def loads(text: str) -> Any:
    """JSON then ``from_plain``."""
    return from_plain(json.loads(text))
