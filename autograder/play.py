"""Play a learner's typical mistake into an answer cell, to compute what it outputs.

A :class:`~autograder.exercise.Mistake` is written once, as what a learner types: ``fills``
for the blanks ``___`` of the student version of the answer cell, or ``code`` for a whole
wrong cell.  Its wrong output, which the checks compare with a learner's output to name the
mistake, is computed here: the filled-in cell runs in a fresh namespace holding the lesson's
setup cell (its imports) and the case's inputs, exactly as the grader re-runs an answer
cell.  This is the teacher's own code, run in the trusted process.

The answer cells come from the lesson's solution notebook (``solutions/NN-*.ipynb``) and,
where that is absent, from its student version (``lessons/``), found next to this package.
"""

from __future__ import annotations

import functools
import json
import re
import warnings
from pathlib import Path
from typing import Any, Mapping

from .release import student_source

ROOT = Path(__file__).resolve().parents[1]
_BLANK_RE = re.compile(r"(?<![\w])___(?![\w])")
_MARKER = re.compile(r"[ \t]*#[ \t]*BLANK:[ \t]*")


class PlayError(RuntimeError):
    """A mistake cannot be played: no notebook, no such answer cell, or fills that do not fit."""


@functools.lru_cache(maxsize=None)
def _notebook(lesson: str) -> tuple[dict[str, Any], bool]:
    """The lesson's notebook and whether it is the solution (False: the student version)."""
    for folder, is_solution in (("solutions", True), ("lessons", False)):
        path = ROOT / folder / f"{lesson}.ipynb"
        if path.exists():
            nb = json.loads(path.read_text(encoding="utf-8"))
            for cell in nb["cells"]:
                if isinstance(cell.get("source"), list):
                    cell["source"] = "".join(cell["source"])
            return nb, is_solution
    raise PlayError(f"no notebook for lesson {lesson!r} in solutions/ or lessons/")


def setup_source(lesson: str) -> str:
    """The lesson's setup cell (its first code cell) without IPython magics."""
    nb, _ = _notebook(lesson)
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    return "\n".join(line for line in first["source"].splitlines() if not line.lstrip().startswith(("%", "!")))


@functools.lru_cache(maxsize=None)
def answer_sources(lesson: str, grade_id: str) -> tuple[str, tuple[str, ...] | None]:
    """The student version of an answer cell, and the solution's text of each blank in order
    (``None`` when only the student version is available)."""
    nb, is_solution = _notebook(lesson)
    cells = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]
    if len(cells) != 1:
        raise PlayError(f"{lesson}: expected one answer cell {grade_id!r}, found {len(cells)}")
    source = cells[0]["source"]
    if not is_solution:
        return source, None
    student, _, _ = student_source(source, where=grade_id)
    return student, solution_fills(source)


def solution_fills(source: str) -> tuple[str, ...]:
    """The texts that ``# BLANK:`` markers hide, in the order their ``___`` appear."""
    fills: list[str] = []
    for line in source.split("\n"):
        parts = _MARKER.split(line)
        if len(parts) == 1:
            continue
        code, texts = parts[0], [t.strip() for t in parts[1:]]
        fills += sorted(texts, key=code.index)
    return tuple(fills)


def fill_blanks(source: str, fills: tuple[str, ...]) -> str:
    """Put ``fills`` into the ``___`` of ``source``, in order."""
    spots = list(_BLANK_RE.finditer(source))
    if len(spots) != len(fills):
        raise PlayError(f"the cell has {len(spots)} blanks, the mistake fills {len(fills)}")
    out, last = [], 0
    for spot, fill in zip(spots, fills):
        out += [source[last : spot.start()], fill]
        last = spot.end()
    return "".join(out) + source[last:]


def resolve_fills(exercise: Any, fills: tuple[str, ...] | Mapping[int, str]) -> tuple[str, ...]:
    """A mistake's fills for every blank: a dict names only the blanks that change."""
    if not isinstance(fills, Mapping):
        return tuple(fills)
    _, solution = answer_sources(exercise.lesson, exercise.id)
    if solution is None:
        raise PlayError(f"{exercise.id}: fills by blank number need the solution notebook")
    out = list(solution)
    for index, text in fills.items():
        if not 0 <= int(index) < len(out):
            raise PlayError(f"{exercise.id}: blank {index} does not exist (the cell has {len(out)} blanks)")
        out[int(index)] = text
    return tuple(out)


def wrong_cell(exercise: Any, mistake: Any) -> str:
    """The answer cell as a learner making ``mistake`` would have it."""
    if mistake.code:
        return mistake.code
    student, _ = answer_sources(exercise.lesson, exercise.id)
    return fill_blanks(student, resolve_fills(exercise, mistake.fills))


def run_answer_cell(exercise: Any, source: str, case: Any) -> Any:
    """Run an answer cell on ``case``: the function's result or the target variable(s)."""
    from .exercise import answer_of

    ns: dict[str, Any] = {"__name__": "__lesson__"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # wrong answers may divide by zero
        exec(compile(setup_source(exercise.lesson), f"<{exercise.lesson} setup cell>", "exec"), ns)
        args, kwargs = case.inputs()
        if exercise.kind == "cell":
            ns.update(kwargs)
            exec(compile(source, f"<{exercise.id} answer cell>", "exec"), ns)
            return answer_of(exercise, ns)
        exec(compile(source, f"<{exercise.id} answer cell>", "exec"), ns)
        return answer_of(exercise, ns)(*args, **kwargs)


def play_mistake(exercise: Any, mistake: Any, case: Any) -> Any:
    """What the answer cell computes on ``case`` with ``mistake`` typed into it."""
    return run_answer_cell(exercise, wrong_cell(exercise, mistake), case)

