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

import sys
from typing import Any

from .blank import ___, BlankError, CheckFailed, contains_blank
from .exercise import Case, Exercise, answer_of
from .plain import NotPlainError, from_plain, to_plain

__all__ = ["check", "___", "CheckFailed", "BlankError"]

_MISSING = object()


def _namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is not None:
        return shell.user_ns
    return sys._getframe(2).f_globals


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
    verdict, hint = ex.judge(case, plain)
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
        answer = answer_of(ex, ns)
    if contains_blank(answer):
        raise CheckFailed(f"❌ {head}: {names} still uses the blank ___. Fill it in, run that cell, then check again.")
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
