"""What instructors hand out: ``python -m autograder release --student DIR``.

``DIR`` receives

* ``lessons/``: the student notebooks (the same bytes as ``make lessons`` writes);
* ``autograder/``: a check package with the **public cases only**.  ``checks.py``,
  ``exercise.py``, ``compare.py``, ``plain.py`` and ``blank.py`` are the course's own (they
  hold no answers); ``exercises/`` holds no lesson modules, only ``public.json``: for every
  exercise its public inputs, the reference's answer on each of them, and each recognised
  mistake's answer on them, all as plain data.  The reference code and the hidden-case
  generators are not there in any form, so reading the package tells a learner nothing a
  check cell does not already print; grading uses hidden cases drawn from a secret seed.

``check("<id>")`` works from it alone exactly as in the course repository: the same
messages, the same hints, because the same :func:`autograder.checks.check` compares the
learner's answer with the stored answers.  ``asrlab`` (the course library the notebooks
import) is installed as usual.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Mapping

from .exercise import Exercise
from .plain import to_plain

#: Modules of :mod:`autograder` copied as they are (none holds an answer).
SHARED_MODULES = ("__init__.py", "blank.py", "checks.py", "compare.py", "exercise.py", "plain.py")

_LOADER = '''"""The course's exercises with their public cases only (built by ``release --student``).

``public.json`` holds, for every exercise, its public inputs, the reference's answer on
each and each recognised mistake's answer on each, as plain data (:mod:`autograder.plain`).
There are no reference functions and no hidden cases here: grading runs those.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from ..exercise import Case, Exercise, Mistake
from ..plain import dumps, from_plain


def _key(args, kwargs) -> str:
    return dumps((tuple(args), dict(sorted(kwargs.items()))))


class _Answers:
    """Answers looked up by their inputs (the public cases' only)."""

    def __init__(self, table):
        self._table = table

    def __call__(self, *args, **kwargs):
        try:
            found = self._table[_key(args, kwargs)]
        except KeyError:
            raise LookupError("only the public cases are known here") from None
        if found is None:
            raise ValueError("this answer has no value on this input")
        return from_plain(found)


def _exercise(d: dict) -> Exercise:
    cases = [Case(kwargs=dict(from_plain(c["kwargs"])), args=tuple(from_plain(c["args"])), label=c["label"])
             for c in d["public"]]
    keys = [_key(c.args, c.kwargs) for c in cases]
    mistakes = [Mistake(m["name"], m["hint"], fn=_Answers(dict(zip(keys, m["answers"]))))
                for m in d["mistakes"]]
    target = d["target"] if isinstance(d["target"], str) else tuple(d["target"])
    return Exercise(id=d["id"], lesson=d["lesson"], title=d["title"], points=d["points"], kind=d["kind"],
                    target=target, reference=_Answers(dict(zip(keys, d["expected"]))), public=cases, hidden=(),
                    hint=d["hint"], mistakes=mistakes, rtol=d["rtol"], atol=d["atol"])


@functools.lru_cache(maxsize=1)
def registry() -> dict[str, Exercise]:
    data = json.loads((Path(__file__).with_name("public.json")).read_text(encoding="utf-8"))
    return {d["id"]: _exercise(d) for d in data["exercises"]}


def get(exercise_id: str) -> Exercise:
    try:
        return registry()[exercise_id]
    except KeyError:
        known = ", ".join(sorted(registry())) or "none"
        raise KeyError(f"no exercise {exercise_id!r}; known exercises: {known}") from None


def for_lesson(lesson: str) -> list[Exercise]:
    return [ex for ex in registry().values() if ex.lesson == lesson]
'''


def _answer_or_none(ex: Exercise, mistake: Any, case: Any) -> Any:
    try:
        return to_plain(ex.wrong_output(mistake, case))
    except Exception:  # noqa: BLE001 - a mistake that cannot run on this input is never recognised on it
        return None


def public_data(exercises: Mapping[str, Exercise]) -> dict[str, Any]:
    """The public part of ``exercises`` as JSON-ready data (see the module's docstring)."""
    out = []
    for ex in exercises.values():
        out.append({
            "id": ex.id, "lesson": ex.lesson, "title": ex.title, "points": ex.points, "kind": ex.kind,
            "target": ex.target if isinstance(ex.target, str) else list(ex.target),
            "hint": ex.hint, "rtol": ex.rtol, "atol": ex.atol,
            "public": [{"args": to_plain(tuple(c.args)), "kwargs": to_plain(dict(c.kwargs)), "label": c.label}
                       for c in ex.public],
            "expected": [to_plain(ex.expected(c)) for c in ex.public],
            "mistakes": [{"name": m.name, "hint": m.hint, "answers": [_answer_or_none(ex, m, c) for c in ex.public]}
                         for m in ex.mistakes],
        })
    return {"exercises": out}


def build(dest: Path, *, solutions: Path = Path("solutions"), registry: Mapping[str, Exercise] | None = None) -> list[Path]:
    """Write the student distribution into ``dest`` (replacing its ``lessons/`` and ``autograder/``).

    Returns the student notebooks written.
    """
    from .release import release

    if registry is None:
        from .exercises import registry as _registry

        registry = _registry()
    dest = Path(dest)
    package = dest / "autograder"
    if package.exists():
        shutil.rmtree(package)
    notebooks = release(solutions, dest / "lessons", registry=registry)
    here = Path(__file__).resolve().parent
    (package / "exercises").mkdir(parents=True)
    for name in SHARED_MODULES:
        shutil.copyfile(here / name, package / name)
    (package / "exercises" / "__init__.py").write_text(_LOADER, encoding="utf-8")
    lessons = {p.stem for p in notebooks}
    shipped = {i: ex for i, ex in registry.items() if ex.lesson in lessons}
    (package / "exercises" / "public.json").write_text(json.dumps(public_data(shipped), indent=1) + "\n",
                                                        encoding="utf-8")
    return notebooks
