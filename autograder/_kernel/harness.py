"""Runs inside the learner's kernel: call the answer on case inputs, return plain data.

The grader loads this module (as ``_case_runner``) into the kernel before the first
check and sends one small request per step.  Results are kept until the grader fetches
them through ``user_expressions`` as one JSON line.  Nothing here is trusted by the
grader: the learner's code runs in the same process and may have replaced any of it.
"""

from __future__ import annotations

import json
import traceback

from autograder.plain import NotPlainError, from_plain, to_plain

MAX_RESULT_CHARS = 64_000_000
_results: dict[str, str] = {}
_saved: dict[str, object] = {}
_MISSING = object()


class _Line:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _ns() -> dict:
    from IPython import get_ipython

    return get_ipython().user_ns


def _store(token: str, outcome: dict) -> None:
    try:
        text = json.dumps(outcome, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        text = json.dumps({"unplain": f"the answer could not be encoded ({exc})"})
    if len(text) > MAX_RESULT_CHARS:
        text = json.dumps({"unplain": "the answer is too large to check"})
    _results[token] = text


def _encode(token: str, value: object) -> None:
    try:
        _store(token, {"value": to_plain(value)})
    except NotPlainError as exc:
        _store(token, {"unplain": str(exc)})
    except RecursionError:
        _store(token, {"unplain": "the answer is nested too deeply"})


def _raised(token: str, exc: BaseException) -> None:
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    for frame in reversed(frames):
        if frame.filename.startswith("<ipython-input") or "/ipykernel_" in frame.filename:
            where = f" (line {frame.lineno})"
            break
    _store(token, {"raised": type(exc).__name__, "message": str(exc)[:500] + where})


def _sent(name: str) -> str:
    """What the grader sent with this request (its metadata): a case's inputs, a source."""
    from IPython import get_ipython

    return get_ipython().kernel.get_parent("shell")["metadata"][name]


def call(token: str, target: str, payload: str | None = None) -> None:
    """Call function ``target`` with the decoded ``{"args": ..., "kwargs": ...}`` (default:
    the request's ``payload``)."""
    payload = _sent("payload") if payload is None else payload
    ns = _ns()
    if target not in ns:
        _store(token, {"undefined": target})
        return
    fn = ns[target]
    if not callable(fn):
        _store(token, {"unplain": f"`{target}` is not a function (it is a {type(fn).__name__})"})
        return
    data = json.loads(payload)
    args, kwargs = from_plain(data["args"]), from_plain(data["kwargs"])
    try:
        value = fn(*args, **kwargs)
    except Exception as exc:  # the learner's error is the result
        _raised(token, exc)
        return
    _encode(token, value)


def bind(token: str, payload: str | None = None) -> None:
    """Set the case's input variables in the namespace (saving the notebook's own once)."""
    payload = _sent("payload") if payload is None else payload
    ns = _ns()
    kwargs = from_plain(json.loads(payload))
    for name, value in kwargs.items():
        if name not in _saved:
            _saved[name] = ns.get(name, _MISSING)
        ns[name] = value
    _store(token, {"value": None})


def save(names: list[str]) -> None:
    ns = _ns()
    for name in names:
        if name not in _saved:
            _saved[name] = ns.get(name, _MISSING)


def restore() -> None:
    """Put back the notebook's own values of every variable ``bind``/``save`` touched."""
    ns = _ns()
    for name, value in _saved.items():
        if value is _MISSING:
            ns.pop(name, None)
        else:
            ns[name] = value
    _saved.clear()


def fetch(token: str, targets: list[str]) -> None:
    """Encode the target variable(s) after the answer cell ran."""
    ns = _ns()
    missing = [t for t in targets if t not in ns]
    if missing:
        _store(token, {"undefined": missing[0]})
        return
    values = tuple(ns[t] for t in targets)
    _encode(token, values[0] if len(values) == 1 else values)


def run_cell(token: str, targets: list[str], payload: str | None = None) -> None:
    """One case of a cell exercise in one request: :func:`bind` the inputs (default: the
    request's ``payload``), run the answer cell (its ``source``) as a cell of its own, magics
    and all, and :func:`fetch` the targets.  An exception of the source is raised again, so
    that the request fails as the cell itself would."""
    from IPython import get_ipython

    source = _sent("source")
    bind(token, payload)
    result = get_ipython().run_cell(source, store_history=False)
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        raise error
    fetch(token, targets)


def batch(token: str, kind: str, names: list[str]) -> None:
    """Several cases in one request (the request's ``payloads``): :func:`call` or
    :func:`run_cell` each, in order, and keep their results as one list under ``token``.
    Stops before the first case whose own request would not end ``ok`` (an exception out of
    the cell or the call, ``SystemExit``, an interrupt): the grader runs it and the rest one
    by one."""
    payloads = json.loads(_sent("payloads"))
    lines = []
    for i, payload in enumerate(payloads):
        case_token = f"{token}-{i}"
        try:
            if kind == "function":
                call(case_token, names[0], payload)
            else:
                run_cell(case_token, names, payload)
        except BaseException:  # noqa: BLE001 - left to the one-by-one run
            _results.pop(case_token, None)
            break
        lines.append(_results.pop(case_token, '{"lost":true}'))
    _store(token, {"cases": lines})


def take(token: str) -> _Line:
    """The stored result as one JSON line (read by the grader via user_expressions)."""
    return _Line(_results.pop(token, '{"lost":true}'))
