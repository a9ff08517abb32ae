"""check() as a learner meets it: pass lines, failures with hints, hostile answers, and a
real kernel running the untouched lesson 00 and the ``python -m autograder check`` CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

from autograder.checks import ___, BlankError, CheckFailed, check
from autograder.exercises import get
from autograder.plain import MAX_ELEMENTS
from autograder.release import is_answer_cell, is_check_cell
from autograder.selfcheck import check_notebook, results_from_executed

ROOT = Path(__file__).resolve().parents[1]
LESSON_00 = ROOT / "lessons" / "00-start-here.ipynb"
SOLUTION_00 = ROOT / "solutions" / "00-start-here.ipynb"
DURATION = get("l00-duration")
NORMALIZE = get("l00-normalize")
HEAD_DURATION = "❌ l00-duration (duration in seconds): "
HEAD_NORMALIZE = "❌ l00-normalize (peak normalisation): "


def _failure(exercise_id: str, answer: Any) -> str:
    with pytest.raises(CheckFailed) as failure:
        check(exercise_id, answer)
    return str(failure.value)


def _normalize(y: Any, peak: float = 1.0) -> Any:
    return y * (peak / np.max(np.abs(y))) if np.any(y) else np.zeros_like(y)


def _mistake(ex: Any, name: str) -> Any:
    return next(m for m in ex.mistakes if m.name == name)


# ------------------------------------------------------------------ pass lines


def test_pass_prints_one_line_for_a_cell_exercise(capsys: pytest.CaptureFixture[str]) -> None:
    check("l00-duration", 2.5)
    assert capsys.readouterr().out == (
        "✅ l00-duration (duration in seconds): the public check passed. "
        "Hidden tests run when your notebook is graded.\n"
    )


def test_pass_line_counts_the_public_cases_of_a_function(capsys: pytest.CaptureFixture[str]) -> None:
    check("l00-normalize", _normalize)
    assert capsys.readouterr().out == (
        "✅ l00-normalize (peak normalisation): all 4 checks passed. "
        "Hidden tests run when your notebook is graded.\n"
    )


def test_answer_is_found_by_name_in_the_callers_namespace(capsys: pytest.CaptureFixture[str]) -> None:
    ns: dict[str, Any] = {"check": check, "duration_s": 40_000 / 16_000}
    exec('check("l00-duration")', ns)
    assert capsys.readouterr().out.startswith("✅ l00-duration ")


def test_a_numpy_number_or_an_int_valued_answer_is_fine(capsys: pytest.CaptureFixture[str]) -> None:
    check("l00-duration", np.float32(2.5))
    check("l00-normalize", lambda y, peak=1.0: np.round(_normalize(y, peak), 12).tolist())
    assert capsys.readouterr().out.count("✅") == 2


# ------------------------------------------------------------------ failures and hints


def test_failure_names_the_case_and_the_matching_mistakes_hint() -> None:
    msg = _failure("l00-duration", 40_000 // 16_000)
    assert msg == (
        f"{HEAD_DURATION}public check 1 of 1 (the notebook's recording): `duration_s` is 2, which is not the "
        "expected value.\n"
        f"   Hint: {_mistake(DURATION, 'floor-division').hint}"
    )
    assert "2.5" not in msg, "a failure must not reveal the expected value"


def test_unexplained_wrong_value_gets_the_general_hint() -> None:
    msg = _failure("l00-duration", 3.0)
    assert msg.endswith(f"   Hint: {DURATION.hint}")


def test_function_failure_reports_the_first_failing_public_case() -> None:
    msg = _failure("l00-normalize", lambda y, peak=1.0: _normalize(y))  # passes case 1, fails peak=0.5
    assert msg == (
        f"{HEAD_NORMALIZE}public check 2 of 4 (peak=0.5): `normalize(...)[0]` is 0.5, expected 0.25 "
        "(3 of 3 values differ; this is the first).\n"
        f"   Hint: {_mistake(NORMALIZE, 'ignores-peak').hint}"
    )


def test_function_that_breaks_on_arrays_is_told_so() -> None:
    import math

    msg = _failure("l00-normalize", lambda y, peak=1.0: [float(v) * peak / math.fabs(max(y, key=abs)) for v in y])
    assert msg.startswith(f"{HEAD_NORMALIZE}public check 3 of 4 (digital silence): `normalize` raised ZeroDivisionError: ")
    assert msg.endswith(f"   Hint: {NORMALIZE.hint}")


def test_wrong_shape_and_nan_are_described() -> None:
    msg = _failure("l00-normalize", lambda y, peak=1.0: _normalize(y, peak)[:1])
    assert "public check 1 of 4 (three samples, the loudest one negative): `normalize(...)` has shape (1,), expected shape (3,)." in msg
    msg = _failure("l00-normalize", lambda y, peak=1.0: float(np.max(np.abs(y))))
    assert "public check 1 of 4 (three samples, the loudest one negative): `normalize(...)` is a single number, expected an array of shape (3,)." in msg
    with np.errstate(invalid="ignore"):
        msg = _failure("l00-normalize", lambda y, peak=1.0: y * peak / np.max(np.abs(y)))
    assert "public check 3 of 4 (digital silence): `normalize(...)[0]` is nan, expected 0 (4 of 4 values differ; this is the first)." in msg
    assert msg.endswith(f"   Hint: {_mistake(NORMALIZE, 'silence-divides-by-zero').hint}")


def test_a_wrong_element_is_named_by_the_learners_variable_and_index() -> None:
    wrong = (np.array([2.0, 3.0]), np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 9.0]]))  # l02-frame's public case
    msg = _failure("l02-frame", (5, np.array([[0.0, 2.0, 4.0, 6.0, 8.0], [1.0, 3.0, 5.0, 7.0, 99.0],
                                              [2.0, 4.0, 6.0, 8.0, 10.0], [3.0, 5.0, 7.0, 9.0, 11.0]])))
    assert "public check 1 of 1 (12 samples, frames of 4, hop 2): `frames[1, 4]` is 99, expected 9." in msg
    assert wrong  # the message never shows a whole expected answer, only the first wrong element
    msg = _failure("l02-frame", (4, np.zeros((4, 5))))
    assert "`n_frames` is 4, which is not the expected value." in msg


def test_an_exercise_can_name_positions_in_its_own_terms() -> None:
    import librosa

    f_hz = get("l05-hz-mel").public[0].kwargs["f_hz"]
    mel_htk = librosa.hz_to_mel(f_hz, htk=True)
    slaney = librosa.hz_to_mel(f_hz)
    slaney[f_hz >= 1000] += 0.5  # wrong above the bend only
    msg = _failure("l05-hz-mel", (mel_htk, slaney, librosa.mel_to_hz(mel_htk, htk=True)))
    assert "`mel_slaney` at 1000 Hz is 15.5, expected 15 (4 of 8 values differ; this is the first)." in msg


def test_a_task_that_names_an_int_rejects_floats() -> None:
    case = get("l04-frame-time").public[0].kwargs
    times = case["times"] * case["fs"] // case["hop_length"]  # right values, but floats
    msg = _failure("l04-frame-time", (case["frame_index"] * case["hop_length"] / case["fs"], times))
    assert "`frame_of_time` is an array of floats, expected whole numbers (an integer array)." in msg


def test_a_failed_answer_cell_is_reported_instead_of_its_stale_value() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_cell("from autograder.checks import check, ___\nn_samples, sr = 40_000, 16_000")
        shell.run_cell("duration_s = n_samples / sr")  # right, then broken by an edit
        shell.run_cell("duration_s = n_samples / sr_hz")
        result = shell.run_cell('check("l00-duration")')
        assert str(result.error_in_exec) == (
            f"{HEAD_DURATION}the cell above raised NameError: name 'sr_hz' is not defined\n"
            "   Fix it and run that cell again: until it runs to the end, `duration_s` holds what an "
            "earlier run left there, so this check does not judge it."
        )
        shell.run_cell("duration_s = n_samples / ___")
        result = shell.run_cell('check("l00-duration")')
        assert str(result.error_in_exec) == (
            f"{HEAD_DURATION}the cell above still has a `___`: replace each `___` with your code, run that "
            "cell (Shift+Enter), then run this check again."
        )
        shell.run_cell("duration_s = n_samples / sr")
        shell.run_cell("print('an unrelated cell fails')\n1 / 0")
        assert shell.run_cell('check("l00-duration")').success  # only the answer cell's failure counts
    finally:
        InteractiveShell.clear_instance()


def test_unknown_exercise_id_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"no exercise 'l00-nope'; known exercises: .*l00-duration, l00-normalize"):
        check("l00-nope", 1.0)


def test_target_not_defined_yet() -> None:
    ns: dict[str, Any] = {"check": check}
    with pytest.raises(CheckFailed) as failure:
        exec('check("l00-duration")', ns)
    assert str(failure.value) == (
        f"{HEAD_DURATION}`duration_s` is not defined yet.\n"
        "   Fill in the exercise cell above and run it (Shift+Enter), then run this check again."
    )


def test_blank_still_present() -> None:
    ns: dict[str, Any] = {"check": check, "___": ___}
    exec("duration_s = ___", ns)
    with pytest.raises(CheckFailed, match=r"`duration_s` is still the blank: the cell above still has a `___`: "):
        exec('check("l00-duration")', ns)
    msg = _failure("l00-normalize", lambda y, peak=1.0: y * ___)
    assert msg == f"{HEAD_NORMALIZE}public check 1 of 4 (three samples, the loudest one negative): `normalize` still has a blank ___ to fill in."


def test_using_the_blank_raises_a_short_blank_error() -> None:
    with pytest.raises(BlankError) as err:
        ___ / 16_000
    assert err.value._render_traceback_() == [
        "BlankError: this cell still has a blank ___: replace each ___ with your code, then run the cell again"
    ]
    for use in (lambda: ___ + 1, lambda: ___[0], lambda: np.log10(___), lambda: ___.shape, lambda: float(___)):
        with pytest.raises(BlankError):
            use()


def test_not_implemented_body() -> None:
    def normalize(y: Any, peak: float = 1.0) -> Any:
        raise NotImplementedError()

    msg = _failure("l00-normalize", normalize)
    assert msg == (
        f"{HEAD_NORMALIZE}public check 1 of 4 (three samples, the loudest one negative): `normalize` is not written yet (it raises NotImplementedError).\n"
        "   Replace `raise NotImplementedError()` with your code and run that cell again."
    )


def test_a_function_exercise_needs_a_function() -> None:
    assert _failure("l00-normalize", 20.0) == f"{HEAD_NORMALIZE}expected `normalize` to be a function, got float."


def test_check_failed_renders_without_a_traceback() -> None:
    with pytest.raises(CheckFailed) as failure:
        check("l00-duration", 3.0)
    lines = failure.value._render_traceback_()
    assert lines[0].startswith(HEAD_DURATION) and lines[1].startswith("   Hint: ")


# ------------------------------------------------------------------ hostile answers


class AlwaysEqual:
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__

    def __float__(self) -> float:
        return 2.5


class LyingFloat(float):
    """Holds 99.0 but claims to equal anything and to be 2.5."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = float.__hash__

    def __float__(self) -> float:
        return 2.5

    def __repr__(self) -> str:
        return "2.5"


class SubFloat64(np.float64):
    def __eq__(self, other: object) -> Any:
        return True

    __hash__ = np.float64.__hash__


class SubArray(np.ndarray):
    pass


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (AlwaysEqual(), "an answer of type test_checks.AlwaysEqual cannot be checked: expected a number, a string, "
         "a NumPy array, or a list/tuple/dict of those"),
        (LyingFloat(99.0), "an answer of type test_checks.LyingFloat cannot be checked"),
        (LyingFloat(2.5), "an answer of type test_checks.LyingFloat cannot be checked"),
        (SubFloat64(2.5), "an answer of type test_checks.SubFloat64 cannot be checked"),
        ([AlwaysEqual()], "an answer of type test_checks.AlwaysEqual cannot be checked"),
        (np.array([2.5]).view(SubArray), "an answer of type test_checks.SubArray cannot be checked"),
        (np.array([AlwaysEqual()], dtype=object), "expected numbers, got an array of dtype object"),
    ],
    ids=["eq-always-true", "lying-float", "float-subclass-right-value", "float64-subclass", "list-of-hostile",
         "ndarray-subclass", "object-array"],
)
def test_hostile_cell_answers_are_refused_without_calling_their_methods(answer: Any, message: str) -> None:
    msg = _failure("l00-duration", answer)
    assert msg.startswith(f"{HEAD_DURATION}public check 1 of 1 (the notebook's recording): ")
    assert message in msg


def test_hostile_function_results_are_refused() -> None:
    msg = _failure("l00-normalize", lambda y, peak=1.0: LyingFloat(0.0))
    assert "public check 1 of 4 (three samples, the loudest one negative): an answer of type test_checks.LyingFloat cannot be checked" in msg


def test_huge_array_is_refused_without_allocating_it() -> None:
    huge = np.broadcast_to(np.float64(0.0), (MAX_ELEMENTS + 1,))
    msg = _failure("l00-normalize", lambda y, peak=1.0: huge)
    assert msg == f"{HEAD_NORMALIZE}public check 1 of 4 (three samples, the loudest one negative): array too large to check ({MAX_ELEMENTS + 1} elements)"


def test_mutating_the_inputs_does_not_change_later_cases(capsys: pytest.CaptureFixture[str]) -> None:
    def normalize(y: Any, peak: float = 1.0) -> Any:
        out = _normalize(y, peak)
        y[:] = 7.0  # vandalise the input
        return out

    check("l00-normalize", normalize)
    check("l00-normalize", normalize)
    assert capsys.readouterr().out.count("✅") == 2
    assert np.array_equal(NORMALIZE.public[0].args[0], [0.2, -0.8, 0.4])


# ------------------------------------------------------------------ a real kernel


def _execute(nb: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def _error(cell: Any) -> Any:
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    return errors[0] if errors else None


@pytest.mark.slow
def test_untouched_lesson_00_errors_only_in_check_cells_with_friendly_messages() -> None:
    nb = _execute(nbformat.read(LESSON_00, as_version=4), LESSON_00.parent)
    failing = {i: _error(c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and _error(c)}
    graded = {i for i, c in enumerate(nb.cells) if is_answer_cell(c) or is_check_cell(c)}
    assert failing and set(failing) <= graded, f"errors outside answer/check cells: {sorted(set(failing) - graded)}"
    by_id = {c.metadata["nbgrader"]["grade_id"]: _error(c) for c in nb.cells if is_check_cell(c)}
    for error in failing.values():
        assert error["ename"] == "CheckFailed"
        assert not any("Traceback" in line or "---" in line for line in error["traceback"])
    assert by_id["l00-duration-check"]["traceback"] == [
        f"{HEAD_DURATION}`duration_s` is still the blank: the cell above still has a `___`: replace each `___` "
        "with your code, run that cell (Shift+Enter), then run this check again."
    ]
    assert by_id["l00-normalize-check"]["traceback"] == [
        f"{HEAD_NORMALIZE}public check 1 of 4 (three samples, the loudest one negative): `normalize` is not written yet (it raises NotImplementedError).",
        "   Replace `raise NotImplementedError()` with your code and run that cell again.",
    ]
    results = results_from_executed(nb)
    assert [(r.exercise_id, r.status) for r in results] == [
        ("l00-duration", "not attempted"), ("l00-normalize", "not attempted")]
    # the demo cell shows a failed check as printed text, not as an error
    demo = next(c for c in nb.cells if c.get("id") == "check-demo")
    assert _error(demo) is None and "Hint: " in "".join(o.get("text", "") for o in demo.outputs)


def _answered_lesson(tmp_path: Path, sources: dict[str, str]) -> Path:
    nb = nbformat.read(LESSON_00, as_version=4)
    for cell in nb.cells:
        if is_answer_cell(cell) and cell.metadata["nbgrader"]["grade_id"] in sources:
            cell.source = sources[cell.metadata["nbgrader"]["grade_id"]]
    path = tmp_path / "00-start-here.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_cli_check_reports_failed_and_error_and_exits_1(tmp_path: Path) -> None:
    path = _answered_lesson(tmp_path, {
        "l00-duration": "duration_s = n_samples // sr",
        "l00-normalize": "def normalize(y, peak=1.0):\n    return y * peak / np.max(np.abs(y))\n1 / 0\n",
    })
    proc = subprocess.run([sys.executable, "-m", "autograder", "check", str(path), "--timeout", "60"],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"Running {path} in a fresh kernel..."
    assert lines[1:] == [
        "l00-duration: failed: l00-duration (duration in seconds): public check 1 of 1 (the notebook's recording): "
        "`duration_s` is 2, which is not the expected value.",
        f"    Hint: {_mistake(DURATION, 'floor-division').hint}",
        "l00-normalize: error: the answer cell raised ZeroDivisionError: division by zero",
        "0 of 2 exercises passed (1 failed, 0 not attempted, 1 errors).",
    ]


@pytest.mark.slow
def test_cli_check_of_the_solution_passes_and_exits_0(tmp_path: Path) -> None:
    results = check_notebook(SOLUTION_00, timeout=60)
    assert [(r.exercise_id, r.status) for r in results] == [("l00-duration", "passed"), ("l00-normalize", "passed")]
    from autograder.__main__ import main

    assert main(["check", str(tmp_path / "missing.ipynb")]) == 2
    (tmp_path / "bad.ipynb").write_text(json.dumps({"cells": "nope"}))
    assert main(["check", str(tmp_path / "bad.ipynb")]) == 2


# ------------------------------------------------------------------ classifying an executed notebook


def _executed(answer: str, check_outputs: list[dict[str, Any]], answer_outputs: list[dict[str, Any]] | None = None) -> Any:
    nb = nbformat.read(LESSON_00, as_version=4)
    i = next(k for k, c in enumerate(nb.cells) if is_answer_cell(c) and c.metadata["nbgrader"]["grade_id"] == "l00-duration")
    nb.cells[i].source = answer
    nb.cells[i].outputs = [nbformat.from_dict(o) for o in (answer_outputs or [])]
    nb.cells[i + 1].outputs = [nbformat.from_dict(o) for o in check_outputs]
    return nb


def _stream(text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _err(ename: str, evalue: str, traceback: list[str]) -> dict[str, Any]:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback}


@pytest.mark.parametrize(
    ("answer", "check_outputs", "answer_outputs", "status", "message"),
    [
        ("duration_s = n_samples / sr", [_stream("✅ l00-duration (duration in seconds): the public check passed.\n")], None,
         "passed", "l00-duration (duration in seconds): the public check passed."),
        ("duration_s = n_samples // sr", [_err("CheckFailed", "x", ["❌ l00-duration (duration in seconds): wrong.", "   Hint: h"])],
         None, "failed", "l00-duration (duration in seconds): wrong.\n   Hint: h"),
        ("duration_s = ___ / sr", [_err("CheckFailed", "x", ["❌ not defined"])], None, "not attempted",
         "the answer cell still has blanks ___ to fill in"),
        ("# the string '___' and a comment ___ are not blanks\nduration_s = n_samples / sr",
         [_stream("✅ l00-duration: passed\n")], None, "passed", "l00-duration: passed"),
        ("# YOUR CODE HERE\nraise NotImplementedError()", [_err("CheckFailed", "x", ["❌ not defined"])], None,
         "not attempted", "the answer cell still has `raise NotImplementedError()` in place of your code"),
        ("duration_s = n_samples / len(sr)", [], [_err("TypeError", "object of type 'int' has no len()",
         ["\x1b[31m---------\x1b[0m", "Traceback (most recent call last)", "TypeError: ..."])],
         "error", "the answer cell raised TypeError: object of type 'int' has no len()"),
        ("while True:\n    pass", [], [_err("KeyboardInterrupt", "", ["---", "Traceback"])], "error",
         "the answer cell raised KeyboardInterrupt: the cell did not finish in time and was stopped (an endless loop?)"),
        ("duration_s = n_samples / sr", [_err("KeyError", "'l00-duration'", ["---", "Traceback", "KeyError"])], None,
         "error", "KeyError: 'l00-duration'"),
        ("duration_s = n_samples / sr", [], None, "error", "the check cell did not run or printed no result"),
    ],
    ids=["passed", "failed", "blank", "blank-in-string-or-comment", "stub", "answer-raised", "endless-loop",
         "check-raised", "check-not-run"],
)
def test_results_from_an_executed_notebook(
    answer: str, check_outputs: list[dict[str, Any]], answer_outputs: list[dict[str, Any]] | None, status: str, message: str
) -> None:
    results = results_from_executed(_executed(answer, check_outputs, answer_outputs))
    assert (results[0].exercise_id, results[0].status, results[0].message) == ("l00-duration", status, message)
