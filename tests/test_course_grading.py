"""The real course, graded end to end by the sandboxed grader.

Every solution notebook must earn full marks on every exercise (public and hidden cases),
and every untouched student notebook must score 0 with status ``not-attempted``, without
a crash, a timeout or a resource limit anywhere.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from autograder.exercises import registry
from autograder.grading import grade

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))


@pytest.fixture(scope="module")
def course_grades(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submissions")
    for student, folder in (("solution", "solutions"), ("untouched", "lessons")):
        (submissions / student).mkdir()
        for lesson in LESSONS:
            shutil.copy(ROOT / folder / f"{lesson}.ipynb", submissions / student / f"{lesson}.ipynb")
    out = tmp_path_factory.mktemp("out")
    report = grade(submissions, out, jobs=2, timeout=120.0, solutions=ROOT / "solutions", seed=2026)
    with (out / "grades.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    return report, rows


def _exercise_rows(rows, student):
    return [r for r in rows if r["student_id"] == student and r["exercise_id"] != "(notebook)"]


@pytest.mark.slow
def test_every_solution_earns_full_marks_on_public_and_hidden_cases(course_grades):
    report, rows = course_grades
    assert not report.faults
    solved = _exercise_rows(rows, "solution")
    assert {r["exercise_id"] for r in solved} == {
        ex.id for ex in registry().values() if ex.lesson in LESSONS
    }
    not_full = [(r["exercise_id"], r["score"], r["max_score"], r["status"]) for r in solved
                if r["status"] != "passed" or float(r["score"]) != float(r["max_score"])]
    assert not not_full


@pytest.mark.slow
def test_every_untouched_student_notebook_scores_zero_as_not_attempted(course_grades):
    _, rows = course_grades
    untouched = _exercise_rows(rows, "untouched")
    assert len(untouched) == len(_exercise_rows(rows, "solution"))
    wrong = [(r["exercise_id"], r["score"], r["status"]) for r in untouched
             if r["status"] != "not-attempted" or float(r["score"]) != 0.0]
    assert not wrong
    assert not [r for r in rows if r["exercise_id"] == "(notebook)"], "an untouched notebook was flagged"


@pytest.mark.slow
def test_only_submitted_lessons_are_graded_unless_all_lessons_is_asked(tmp_path):
    """Collecting one assignment must not list every other lesson as missing."""
    subs = tmp_path / "subs"
    (subs / "alice").mkdir(parents=True)
    (subs / "bob").mkdir()  # submitted nothing
    shutil.copy(ROOT / "lessons" / "00-start-here.ipynb", subs / "alice" / "00-start-here.ipynb")
    report = grade(subs, tmp_path / "out", solutions=ROOT / "solutions")
    assert {(r.student_id, r.lesson_id, r.status) for r in report.rows} == {
        ("alice", "00-start-here", "not-attempted"), ("bob", "00-start-here", "missing"),
    }
    report = grade(subs, tmp_path / "out", solutions=ROOT / "solutions", all_lessons=True)
    assert {r.lesson_id for r in report.rows} == set(LESSONS)
    assert {r.status for r in report.rows if r.lesson_id != "00-start-here"} == {"missing"}
