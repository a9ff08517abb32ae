"""The learner's side of the checks: ``check("l02-energy")`` and the blank ``___``.

Every lesson starts with ``from autograder.checks import check, ___``.  A check cell
calls ``check(exercise_id)``: it finds the answer in the notebook's namespace, runs the
exercise's *public* cases in a fraction of a second, and prints one pass line, or raises
:class:`CheckFailed` whose message (shown without a traceback in Jupyter) says what
differed and gives a hint that names the likely mistake.  Hidden tests are not run here:
they run only when a notebook is graded, outside the learner's kernel.

``___`` is the blank in "fill in the blanks" cells.  Using it in any expression raises
:class:`BlankError` with a clear message instead of IPython's default meaning of ``___``
(the third-last output), which would otherwise give baffling results.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from .blank import ___, BlankError, CheckFailed, contains_blank
from .exercise import Case, Exercise, answer_of
from .plain import NotPlainError, from_plain, to_plain

__all__ = ["check", "___", "CheckFailed", "BlankError"]

_MISSING = object()
STILL_BLANK = (
    "the cell above still has a `___`: replace each `___` with your code, run that cell "
    "(Shift+Enter), then run this check again."
)
_BLANK_RE = re.compile(r"(?<![\w])___(?![\w])")


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    return get_ipython()


def _namespace() -> dict[str, Any]:
    shell = _shell()
    if shell is not None:
        return shell.user_ns
    return sys._getframe(2).f_globals


def _answer_cell_failed(ex: Exercise) -> str:
    """Why the answer cell, if it is the cell that ran just before this check, did not finish.

    IPython keeps the result of the previous execution while the check cell runs.  When that
    cell mentions one of the exercise's names (it is the answer cell, or a copy of it) and
    raised, the names still hold the values of an earlier run: judging them would judge a
    stale answer.  Returns "" when there is nothing to say.
    """
    shell = _shell()
    result = getattr(shell, "last_execution_result", None) if shell is not None else None
    if result is None or result.success:
        return ""
    source = getattr(getattr(result, "info", None), "raw_cell", "") or ""
    if not any(re.search(rf"\b{re.escape(name)}\b", source) for name in ex.targets):
        return ""
    error = result.error_in_exec or result.error_before_exec
    if isinstance(error, BlankError) or (error is not None and _BLANK_RE.search(source) and isinstance(error, NameError)):
        return STILL_BLANK
    what = f"{type(error).__name__}: {error}" if error is not None else "an error"
    names = ", ".join(f"`{t}`" for t in ex.targets)
    return (
        f"the cell above raised {what}\n"
        f"   Fix it and run that cell again: until it runs to the end, {names} "
        f"{'holds' if len(ex.targets) == 1 else 'hold'} what an earlier run left there, so this check does not judge it."
    )


def _run_public_case(ex: Exercise, answer: Any, case: Case, number: int) -> tuple[bool, str]:
    """Run one public case; return (passed, message for the learner)."""
    where = f"public check {number} of {len(ex.public)}" + (f" ({case.label})" if case.label else "")
    if ex.kind == "function":
        args, kwargs = case.inputs()
        try:
            got = answer(*args, **kwargs)
        except NotImplementedError:
            return False, f"{where}: `{ex.target}` is not written yet (it raises NotImplementedError).\n   Replace `raise NotImplementedError()` with your code and run that cell again."
        except BlankError:
            return False, f"{where}: `{ex.target}` still has a blank ___ to fill in."
        except Exception as exc:  # the learner's code raised: show it, with the hint
            return False, f"{where}: `{ex.target}` raised {type(exc).__name__}: {exc}\n   Hint: {ex.hint}"
    else:
        got = answer
    try:
        plain = from_plain(to_plain(got))
    except NotPlainError as exc:
        return False, f"{where}: {exc}"
    verdict, hint = ex.judge(case, plain, reveal=True)
    if verdict:
        return True, ""
    return False, f"{where}: {verdict.reason}.\n   Hint: {hint}"


def check(exercise_id: str, answer: Any = _MISSING) -> None:
    """Run the public checks of one exercise and report in one line (or raise CheckFailed).

    Args:
        exercise_id: The exercise's id, as printed in the check cell (e.g. ``"l02-energy"``).
        answer: The answer to check. By default it is looked up in the notebook by the
            exercise's target name(s).
    """
    from .exercises import get

    ex = get(exercise_id)
    names = ", ".join(f"`{t}`" for t in ex.targets)
    head = f"{ex.id} ({ex.title})"
    if answer is _MISSING:
        ns = _namespace()
        missing = [t for t in ex.targets if t not in ns]
        if missing:
            raise CheckFailed(
                f"❌ {head}: {', '.join(f'`{m}`' for m in missing)} is not defined yet.\n"
                "   Fill in the exercise cell above and run it (Shift+Enter), then run this check again."
            )
        failed = _answer_cell_failed(ex)
        if failed:
            raise CheckFailed(f"❌ {head}: {failed}")
        answer = answer_of(ex, ns)
    if contains_blank(answer):
        raise CheckFailed(f"❌ {head}: {names} is still the blank: {STILL_BLANK}")
    if ex.kind == "function" and not callable(answer):
        raise CheckFailed(f"❌ {head}: expected `{ex.target}` to be a function, got {type(answer).__name__}.")

    cases = list(ex.public) if ex.kind == "function" else list(ex.public[:1])
    for number, case in enumerate(cases, start=1):
        passed, message = _run_public_case(ex, answer, case, number)
        if not passed:
            raise CheckFailed(f"❌ {head}: {message}")
    plural = "check" if len(cases) == 1 else f"{len(cases)} checks"
    print(
        f"✅ {head}: {'the public ' + plural if len(cases) == 1 else 'all ' + plural} passed. "
        "Hidden tests run when your notebook is graded."
    )
