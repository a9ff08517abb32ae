"""Every exercise in the registry, against its solution notebook (in-process, no kernels).

Generic over ``autograder.exercises`` and ``solutions/``: a lesson added later is covered
without touching this file.  For each exercise:

* the solution notebook has its answer cell and, right after it, the check cell with the
  same points, and the committed check output is the pass line;
* the reference passes its own public and hidden cases, and the hidden cases are the same
  for the same seed;
* the solution's answer cell, run in a fresh namespace (the setup cell's imports plus a
  case's inputs), passes every case;
* every ``Mistake`` played into the student version of the answer cell (its ``fills`` in
  the blanks, or its ``code``) produces exactly what ``mistake.fn`` says, makes
  ``check()`` fail with that mistake's hint, and fails at least one hidden case.

And the generated ``lessons/`` are up to date and hide the answers.
"""

from __future__ import annotations

import functools
import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograder.checks import CheckFailed, check
from autograder.compare import compare
from autograder.exercise import Case, Exercise, Mistake, answer_of, pasteable_code
from autograder.exercises import registry
from autograder.plain import from_plain, to_plain
from autograder.play import resolve_fills, solution_fills
from autograder.release import (
    BLANK,
    BEGIN_SOLUTION,
    END_SOLUTION,
    answer_cells,
    blank_line,
    is_answer_cell,
    notebook_bytes,
    release,
    student_source,
    student_version,
)

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
LESSONS = ROOT / "lessons"
HIDDEN_SEED = 20_240_607

EXERCISES: dict[str, Exercise] = registry()
EX_IDS = sorted(EXERCISES)
MISTAKE_PARAMS = [
    pytest.param(ex_id, m.name, id=f"{ex_id}-{m.name}") for ex_id in EX_IDS for m in EXERCISES[ex_id].mistakes
]
SOLUTION_FILES = sorted(p for p in SOLUTIONS.glob("*.ipynb") if re.match(r"^\d\d-", p.name))
_BLANK_RE = re.compile(r"(?<![\w])___(?![\w])")


# ----------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=None)
def _notebook(lesson: str) -> dict[str, Any]:
    path = SOLUTIONS / f"{lesson}.ipynb"
    if not path.exists():
        pytest.skip(f"{path.relative_to(ROOT)} is not written yet")
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return nb


def _cell_index(nb: dict[str, Any], grade_id: str) -> int:
    hits = [i for i, c in enumerate(nb["cells"]) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]
    assert len(hits) == 1, f"expected one cell with grade_id {grade_id!r}, found {len(hits)}"
    return hits[0]


def _strip_magics(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))


def _setup_source(lesson: str) -> str:
    nb = _notebook(lesson)
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    return _strip_magics(first["source"])


def _fresh_namespace(lesson: str, case: Case | None = None) -> dict[str, Any]:
    ns: dict[str, Any] = {"__name__": "__lesson__"}
    exec(compile(_setup_source(lesson), f"<{lesson} setup cell>", "exec"), ns)
    if case is not None:
        _, kwargs = case.inputs()
        ns.update(kwargs)
    return ns


def _answer_source(ex: Exercise) -> str:
    nb = _notebook(ex.lesson)
    return nb["cells"][_cell_index(nb, ex.id)]["source"]


def _student_answer(ex: Exercise) -> str:
    source, _, _ = student_source(_answer_source(ex), where=ex.id)
    return source


def fill_blanks(source: str, fills: tuple[str, ...]) -> str:
    """Put ``fills`` into the ``___`` of ``source``, in order."""
    spots = list(_BLANK_RE.finditer(source))
    assert len(spots) == len(fills), f"the cell has {len(spots)} blanks, the mistake fills {len(fills)}"
    out, last = [], 0
    for spot, fill in zip(spots, fills):
        out += [source[last : spot.start()], fill]
        last = spot.end()
    return "".join(out) + source[last:]


def _wrong_cell(ex: Exercise, mistake: Mistake) -> str:
    if mistake.code:
        return mistake.code
    assert mistake.fills, f"{ex.id}/{mistake.name}: a Mistake needs `fills` or `code` to be played"
    return fill_blanks(_student_answer(ex), resolve_fills(ex, mistake.fills))


class _Raised:
    """Stands for "running this raised", so that raising on the same case counts as agreeing."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def __repr__(self) -> str:
        return f"raised {type(self.exc).__name__}: {self.exc}"


def _plain(value: Any) -> Any:
    return from_plain(to_plain(value))


def _run_cell_on(ex: Exercise, source: str, case: Case) -> Any:
    """Run an answer cell on ``case``: the output of the function / the target variables."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # wrong answers may divide by zero
        return _run_cell_unguarded(ex, source, case)


def _run_cell_unguarded(ex: Exercise, source: str, case: Case) -> Any:
    try:
        if ex.kind == "cell":
            ns = _fresh_namespace(ex.lesson, case)
            exec(compile(source, f"<{ex.id} answer cell>", "exec"), ns)
            return _plain(answer_of(ex, ns))
        ns = _fresh_namespace(ex.lesson)
        exec(compile(source, f"<{ex.id} answer cell>", "exec"), ns)
        args, kwargs = case.inputs()
        return _plain(answer_of(ex, ns)(*args, **kwargs))
    except Exception as exc:  # the result of a wrong answer may well be an exception
        return _Raised(exc)


def _answer_object(ex: Exercise, source: str) -> Any:
    """What ``check()`` sees in the notebook after the cell ran on the notebook's own inputs."""
    ns = _fresh_namespace(ex.lesson, ex.public[0] if ex.kind == "cell" else None)
    exec(compile(source, f"<{ex.id} answer cell>", "exec"), ns)
    return answer_of(ex, ns)


def _call(fn: Any, case: Case) -> Any:
    try:
        args, kwargs = case.inputs()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return _plain(fn(*args, **kwargs))
    except Exception as exc:
        return _Raised(exc)


def _played(ex: Exercise, mistake: Mistake, case: Case) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return _plain(ex.wrong_output(mistake, case))
    except Exception as exc:
        return _Raised(exc)


def _all_cases(ex: Exercise) -> list[Case]:
    return list(ex.public) + ex.hidden_cases(np.random.default_rng(HIDDEN_SEED))


def _passes(ex: Exercise, case: Case, got: Any) -> bool:
    return not isinstance(got, _Raised) and bool(ex.judge(case, got)[0])


# ----------------------------------------------------------------------------- tests


def test_registry_is_not_empty_and_lesson_00_is_there() -> None:
    assert {"l00-duration", "l00-normalize"} <= set(EXERCISES)


@pytest.mark.parametrize("ex_id", EX_IDS)
def test_solution_has_answer_and_check_cell_with_matching_points(ex_id: str) -> None:
    ex = EXERCISES[ex_id]
    nb = _notebook(ex.lesson)
    i = _cell_index(nb, ex.id)
    answer = nb["cells"][i]
    assert is_answer_cell(answer), f"cell {i} ({ex.id}) is not an answer cell"
    assert i + 1 < len(nb["cells"]), f"{ex.id}: no cell after the answer cell"
    checker = nb["cells"][i + 1]
    meta = checker["metadata"]["nbgrader"]
    assert meta["grade_id"] == f"{ex.id}-check"
    assert meta["grade"] is True and meta["locked"] is True and meta["solution"] is False
    assert meta["points"] == ex.points
    assert checker["source"].strip() == f'check("{ex.id}")'
    printed = "".join("".join(o.get("text", "")) for o in checker.get("outputs", []) if o.get("output_type") == "stream")
    assert printed.startswith(f"✅ {ex.id} "), f"{ex.id}: the committed check output is {printed!r}"
    assert not [o for o in checker.get("outputs", []) if o.get("output_type") == "error"]


@pytest.mark.parametrize("ex_id", EX_IDS)
def test_reference_passes_its_own_cases_and_hidden_cases_are_seeded(ex_id: str) -> None:
    ex = EXERCISES[ex_id]
    _notebook(ex.lesson)  # a lesson without its notebook is still being written: skipped
    cases = _all_cases(ex)
    assert len(cases) > len(ex.public), f"{ex.id}: no hidden cases"
    for case in cases:
        verdict, hint = ex.judge(case, ex.expected(case))
        assert verdict, f"{ex.id} on {case.label or case}: {verdict.reason}"
        assert hint == ""
    again = ex.hidden_cases(np.random.default_rng(HIDDEN_SEED))
    assert [to_plain(c.kwargs) for c in again] == [to_plain(c.kwargs) for c in cases[len(ex.public):]]
    assert [to_plain(list(c.args)) for c in again] == [to_plain(list(c.args)) for c in cases[len(ex.public):]]


@pytest.mark.parametrize("ex_id", EX_IDS)
def test_solution_answer_cell_passes_every_case(ex_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    ex = EXERCISES[ex_id]
    source = _answer_source(ex)
    for case in _all_cases(ex):
        got = _run_cell_on(ex, source, case)
        assert not isinstance(got, _Raised), f"{ex.id} on {case.label or case}: {got!r}"
        verdict, _ = ex.judge(case, got)
        assert verdict, f"{ex.id} on {case.label or case}: {verdict.reason}"
    check(ex.id, _answer_object(ex, source))
    assert capsys.readouterr().out.startswith(f"✅ {ex.id} ")


@pytest.mark.parametrize("ex_id", EX_IDS)
def test_every_exercise_has_two_playable_mistakes(ex_id: str) -> None:
    ex = EXERCISES[ex_id]
    assert len(ex.mistakes) >= 2, f"{ex.id}: needs at least two Mistakes, has {len(ex.mistakes)}"
    names = [m.name for m in ex.mistakes]
    assert len(set(names)) == len(names), f"{ex.id}: mistake names repeat: {names}"
    student = _student_answer(ex)
    n_blanks = len(_BLANK_RE.findall(student))
    for m in ex.mistakes:
        assert m.fills or m.code, f"{ex.id}/{m.name}: needs `fills` or `code`"
        if m.fills and not m.code:
            fills = resolve_fills(ex, m.fills)
            assert len(fills) == n_blanks, f"{ex.id}/{m.name}: {len(fills)} fills for {n_blanks} blanks"
            assert fills != solution_fills(_answer_source(ex)), f"{ex.id}/{m.name}: the fills are the solution's"
        assert m.hint and m.hint != ex.hint, f"{ex.id}/{m.name}: needs its own hint"


@pytest.mark.parametrize(("ex_id", "mistake_name"), MISTAKE_PARAMS)
def test_mistake_is_described_truthfully_and_caught(ex_id: str, mistake_name: str) -> None:
    ex = EXERCISES[ex_id]
    mistake = next(m for m in ex.mistakes if m.name == mistake_name)
    source = _wrong_cell(ex, mistake)
    cases = _all_cases(ex)

    # (a) the wrong cell computes what mistake.fn says, on every case (without `fn`, the
    # wrong output is the played cell's by construction: check the exercise computes it so)
    for case in cases:
        got = _run_cell_on(ex, source, case)
        said = _call(mistake.fn, case) if mistake.fn is not None else _played(ex, mistake, case)
        where = f"{ex.id}/{mistake.name} on {case.label or case}"
        if isinstance(got, _Raised) or isinstance(said, _Raised):
            assert isinstance(got, _Raised) and isinstance(said, _Raised), f"{where}: cell {got!r}, fn {said!r}"
            continue
        verdict = compare(said, got, rtol=ex.rtol, atol=ex.atol)
        assert verdict, f"{where}: the wrong cell's output differs from mistake.fn: {verdict.reason}"

    # (b) the check cell fails, and shows this mistake's hint
    with pytest.raises(CheckFailed) as failure, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        check(ex.id, _answer_object(ex, source))
    assert mistake.hint in str(failure.value), f"{ex.id}/{mistake.name}: check said {str(failure.value)!r}"

    # (c) the grader gives no credit for at least one hidden case
    hidden = cases[len(ex.public):]
    failed = [c for c in hidden if not _passes(ex, c, _run_cell_on(ex, source, c))]
    assert failed, f"{ex.id}/{mistake.name}: passes every hidden case"


def test_lessons_are_generated_from_solutions_and_not_stale(tmp_path: Path) -> None:
    written = release(SOLUTIONS, tmp_path)
    assert [p.name for p in written] == [p.name for p in SOLUTION_FILES]
    stale = [p.name for p in written if not (LESSONS / p.name).exists() or (LESSONS / p.name).read_bytes() != p.read_bytes()]
    assert not stale, f"lessons/ is stale for {stale}: run `make lessons`"
    extra = sorted({p.name for p in LESSONS.glob("*.ipynb")} - {p.name for p in written})
    assert not extra, f"lessons/ has notebooks without a source in solutions/: {extra}"


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=[p.stem for p in SOLUTION_FILES])
def test_student_notebook_hides_every_answer(path: Path) -> None:
    solution = json.loads(path.read_text(encoding="utf-8"))
    student = json.loads((LESSONS / path.name).read_text(encoding="utf-8"))
    by_id = {
        c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
        for c in student["cells"]
        if is_answer_cell(c)
    }
    answers = answer_cells(solution)
    assert answers, f"{path.name} has no answer cells"
    for ans in answers:
        shown = by_id[ans.grade_id]
        assert "BLANK:" not in shown and BEGIN_SOLUTION not in shown and END_SOLUTION not in shown
        assert shown != ans.source
        inside = False
        for line in ans.source.splitlines():
            if BEGIN_SOLUTION in line or END_SOLUTION in line:
                inside = BEGIN_SOLUTION in line
                continue
            if inside and line.strip():
                assert line not in shown.splitlines(), f"{ans.grade_id}: solution line {line!r} is in the lesson"
            if "# BLANK:" in line:
                _, *texts = re.split(r"\s*#\s*BLANK:\s*", line)
                new = blank_line(line)
                assert new in shown.splitlines() and BLANK in new
                for text in texts:
                    assert text.strip() not in new, f"{ans.grade_id}: {text.strip()!r} still in {new!r}"
    for cell in student["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_student_version_of_the_committed_solutions_is_byte_stable() -> None:
    for path in SOLUTION_FILES:
        nb = json.loads(path.read_text(encoding="utf-8"))
        first = notebook_bytes(student_version(nb, path=path))
        assert notebook_bytes(student_version(json.loads(path.read_text(encoding="utf-8")), path=path)) == first


# ----------------------------------------------------------------------------- hints

#: Exercises whose general hints are being rewritten on another line of work; remove an id
#: as soon as its hint passes (the test then holds it to the rule like every other).
@pytest.mark.parametrize("ex_id", EX_IDS)
def test_general_hint_holds_no_code_to_paste(ex_id: str) -> None:
    found = pasteable_code(EXERCISES[ex_id].hint)
    assert not found, f"{ex_id}: the general hint holds code to paste: {found} (see docs/authoring.md, Hints)"


@pytest.mark.parametrize(
    "hint",
    [
        "Amplitudes: 20*log10(max(amin, S)); powers: 10*log10(max(amin**2, S**2)).",
        "convert bin indices to Hz with np.fft.rfftfreq(N, d=1/sr).",
        "The output length is floor((L + 2 - 3) / 2) + 1.",
        "A real signal of n_fft samples has n_fft // 2 + 1 distinct bins.",
        "There are N//2+1 bins",
        "Scale |rfft| by 2/N to read a sine's amplitude.",
        "Keep the reduced axis with `keepdims=True`.",
        "Compare y[1:] with y[:-1].",
        "seconds = samples / rate",
        "Use `n // 2` frames.",
    ],
)
def test_code_in_a_hint_is_found(hint: str) -> None:
    assert pasteable_code(hint), hint


@pytest.mark.parametrize(
    "hint",
    [
        "Energy adds up the square of every sample (section 2).",
        "Compare the *sign side* of each pair; keep speech on *after* each loud frame.",
        "Use 10 log10 for powers: 16-bit audio, non-negative values, 25 ms at 16 kHz, in [-1, 1).",
        "The sample rate `sr` and `np.log10` are all you need; and/or the DCT-II of the log-mel.",
        "Keep the shape (1, n_frames); top_db is 80 dB (section 5).",
        "The window divides by N, not N - 1.",
    ],
)
def test_prose_in_a_hint_passes(hint: str) -> None:
    assert pasteable_code(hint) == [], hint
