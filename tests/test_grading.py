"""The grading engine against honest, broken and hostile submissions.

All fixture submissions (``tests/fixtures/grading/grading_submissions.py``) are graded in ONE run
(two kernels at a time); each test then asserts on that run's rows, files and side
effects.  Every fixture has its exact status and score per exercise.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import uuid
from pathlib import Path

import nbformat
import pytest

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "grading"
PROJECT = HERE.parent
sys.path.insert(0, str(FIXTURES))

import grading_lesson as fixture_lesson  # noqa: E402
import grading_submissions as fixture_submissions  # noqa: E402

from autograder.grading import kernel  # noqa: E402
from autograder.grading import CSV_HEADER, NOTEBOOK_ROW, GradingError, grade, main  # noqa: E402
from autograder.grading.notebooks import load_lesson, match_submission, not_attempted, read_submission  # noqa: E402

pytestmark = pytest.mark.xdist_group("grading")  # one worker grades the fixtures once
SOLUTIONS = FIXTURES / "solutions"
LESSON = fixture_lesson.LESSON


def _tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _write_submissions(root: Path, placeholders: dict[str, str]) -> None:
    for student, content in fixture_submissions.SUBMISSIONS.items():
        folder = root / student
        folder.mkdir(parents=True)
        name = f"{LESSON}.ipynb"
        if isinstance(content, tuple):
            name, content = content
        if content is None:
            continue
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
            continue
        text = json.dumps(content, indent=1)
        for key, value in placeholders.items():
            text = text.replace(key, value)
        (folder / name).write_text(text)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    subs, out = base / "subs", base / "out"
    canary = Path("/tmp") / f"grading-canary-{uuid.uuid4().hex}"
    placeholders = {"__PROJECT__": str(PROJECT), "__SOLUTIONS__": str(SOLUTIONS), "__SUBS__": str(subs),
                    "__OUT__": str(out), "__CANARY__": str(canary)}
    _write_submissions(subs, placeholders)
    # a previous run's output, to be replaced atomically
    out.mkdir()
    (out / "grades.csv").write_text("old\n")
    before = {"subs": _tree_digest(subs), "solutions": _tree_digest(SOLUTIONS),
              "project_top": sorted(p.name for p in PROJECT.iterdir())}
    created: dict[str, list[Path]] = {"stages": [], "cgroups": []}
    real_stage_init, real_cgroup_init = kernel.Stage.__init__, kernel._Cgroup.__init__

    def stage_init(self, *a, **k):
        real_stage_init(self, *a, **k)
        created["stages"].append(self.base)

    def cgroup_init(self, *a, **k):
        real_cgroup_init(self, *a, **k)
        if self.path is not None:
            created["cgroups"].append(self.path)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kernel.Stage, "__init__", stage_init)
        mp.setattr(kernel._Cgroup, "__init__", cgroup_init)
        report = grade(subs, out, jobs=2, timeout=6.0, memory_mb=768, solutions=SOLUTIONS,
                       registry=fixture_lesson.registry(), seed=7)
    return {"report": report, "out": out, "subs": subs, "before": before, "canary": canary, "created": created}


def _rows(report, student):
    return {r.exercise_id: r for r in report.rows if r.student_id == student}


@pytest.mark.parametrize("student", sorted(fixture_submissions.EXPECTED))
def test_fixture_gets_its_exact_status_and_score(graded, student):
    expected, notebook_status = fixture_submissions.EXPECTED[student]
    rows = _rows(graded["report"], student)
    got = {ex: (r.status, r.score) for ex, r in rows.items() if ex != NOTEBOOK_ROW}
    assert got == {ex: (s, pytest.approx(v)) for ex, (s, v) in expected.items()}
    if notebook_status:
        assert (rows[NOTEBOOK_ROW].status, rows[NOTEBOOK_ROW].max_score) == (notebook_status, 0.0)
    else:
        assert NOTEBOOK_ROW not in rows
    for ex, r in rows.items():
        if ex != NOTEBOOK_ROW:
            assert r.max_score == {"l90-energy": 2.0, "l90-peak": 1.0, "l90-zcr": 1.0}[ex]


def test_every_submission_has_its_rows_and_the_csv_matches(graded):
    out = graded["out"]
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == CSV_HEADER
    students = {r[0] for r in rows[1:]}
    assert students == set(fixture_submissions.SUBMISSIONS)
    report_rows = [(r.student_id, r.lesson_id, r.exercise_id, r.status) for r in graded["report"].rows]
    assert [(r[0], r[1], r[2], r[5]) for r in rows[1:]] == report_rows
    for r, rr in zip(rows[1:], graded["report"].rows):
        assert float(r[3]) == pytest.approx(rr.score) and float(r[4]) == rr.max_score
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_nothing_outside_the_sandbox_was_touched(graded):
    before = graded["before"]
    assert _tree_digest(graded["subs"]) == before["subs"]
    assert _tree_digest(SOLUTIONS) == before["solutions"]
    assert sorted(p.name for p in PROJECT.iterdir()) == before["project_top"]
    assert not graded["canary"].exists()
    out = graded["out"]
    assert sorted(p.name for p in out.iterdir()) == ["feedback", "grades.csv", "grades.json"]
    assert "HACKED" not in (out / "grades.csv").read_text()
    assert all("HACKED" not in p.read_text() for p in (out / "feedback").iterdir())
    # the run's private directories and cgroups are gone
    created = graded["created"]
    assert len(created["stages"]) == 1 and not created["stages"][0].exists()
    if os.geteuid() == 0:
        assert len(created["cgroups"]) >= 2 * len(fixture_submissions.SUBMISSIONS) - 2
    assert [p for p in created["cgroups"] if p.exists()] == []


def test_feedback_has_hints_but_no_hidden_expected_values_or_test_code(graded):
    import numpy as np

    out = graded["out"]
    md = (out / "feedback" / "partly-wrong.md").read_text()
    html_text = (out / "feedback" / "partly-wrong.html").read_text()
    assert "l90-energy (energy of a list): 1.2 / 2, failed" in md
    assert "Hint: Energy adds up the square of every sample." in md
    assert "<h3>l90-energy (energy of a list): 1.2 / 2, failed</h3>" in html_text
    assert "hidden test 1 (1 samples): failed" in md
    ex = fixture_lesson.registry()["l90-energy"]
    rng = np.random.default_rng([7, __import__("zlib").crc32(b"l90-energy")])
    for case in ex.hidden_cases(rng):
        value = ex.expected(case)
        for text in (f"{value:.6g}", f"{value:.4f}", repr(value)):
            assert text not in md
        assert repr(case.kwargs["samples"][0]) not in md
    all_feedback = "".join(p.read_text() for p in (out / "feedback").iterdir())
    for secret in ("_ref_energy", "_hidden", "reference", "check(\"l90"):
        assert secret not in all_feedback
    # the learner's own exception messages are shown for public checks only
    hide = (out / "feedback" / "hide-traceback.md").read_text()
    assert "public check 1 of 2: error: ValueError: hidden" in hide
    assert "hidden test 1 (1 samples): error: ValueError\n" in hide
    assert "tampered" in (out / "feedback" / "edit-check.md").read_text()
    assert "check cell l90-energy-check was edited" in (out / "feedback" / "edit-check.md").read_text()


def test_details_and_warnings_in_grades_json(graded):
    detail = json.loads((graded["out"] / "grades.json").read_text())
    assert detail["layout"] == "flat"
    assert detail["warnings"] == graded["report"].warnings
    if os.geteuid() == 0:
        assert detail["warnings"] == []  # root here: every isolation layer is available
    by_student = {n["student"]: n for n in detail["notebooks"]}
    dup = by_student["duplicate-answer"]
    assert dup["notes"] == ["answer cell l90-energy appears 2 times; the first one was graded"]
    infinite = next(e for e in by_student["infinite-loop"]["exercises"] if e["id"] == "l90-energy")
    assert [c["status"] for c in infinite["cases"]] == ["timeout"] * 5
    assert infinite["cases"][2]["message"] == "not run: earlier cases timed out"


@pytest.mark.slow
@pytest.mark.xdist_group("grading-extra")
def test_nbgrader_layout_rerun_and_cli(tmp_path, capsys, monkeypatch):
    submitted = tmp_path / "course" / "submitted"
    nb = fixture_submissions.SUBMISSIONS["honest"]
    for student in ("ann", "ben"):
        folder = submitted / student / "ps90"
        folder.mkdir(parents=True)
        (folder / f"{LESSON}.ipynb").write_text(json.dumps(nb))
    (submitted / "ben" / "ps90" / f"{LESSON}.ipynb").write_text(
        json.dumps(fixture_submissions.SUBMISSIONS["blank"]))
    out = tmp_path / "out"
    report = grade(tmp_path / "course", out, solutions=SOLUTIONS, registry=fixture_lesson.registry(), timeout=5)
    assert report.layout == "nbgrader"
    assert [(r.student_id, r.exercise_id, r.status) for r in report.rows] == [
        ("ann", "l90-energy", "passed"), ("ann", "l90-peak", "passed"), ("ann", "l90-zcr", "passed"),
        ("ben", "l90-energy", "not-attempted"), ("ben", "l90-peak", "not-attempted"),
        ("ben", "l90-zcr", "not-attempted"),
    ]
    first = (out / "grades.csv").read_text()
    # bad arguments: a clear message and exit status 2
    assert main([str(tmp_path / "nowhere"), "--out", str(out), "--solutions", str(SOLUTIONS)]) == 2
    assert "SUBMISSIONS: expected a directory" in capsys.readouterr().err
    assert main([str(submitted), "--out", str(out), "--jobs", "0"]) == 2
    assert "--jobs: expected a positive number" in capsys.readouterr().err
    assert main([str(submitted), "--out", str(out), "--bogus"]) == 2
    assert (out / "grades.csv").read_text() == first  # failed runs leave the old results
    assert main([str(submitted), "--out", str(submitted / "x"), "--solutions", str(SOLUTIONS)]) == 2
    assert "--out: must not be inside SUBMISSIONS" in capsys.readouterr().err
    # a good command line (the course registry replaced by the fixture lesson's): exit 0
    import autograder.exercises

    monkeypatch.setattr(autograder.exercises, "registry", fixture_lesson.registry)
    (submitted / "ann" / "ps90" / f"{LESSON}.ipynb").write_text(json.dumps(fixture_submissions.SUBMISSIONS["blank"]))
    assert main([str(submitted), "--out", str(out), "--solutions", str(SOLUTIONS), "--timeout", "5"]) == 0
    assert "graded 2 notebook(s) of 2 student(s)" in capsys.readouterr().out
    rerun = (out / "grades.csv").read_text()
    assert rerun != first and rerun.count("not-attempted") == 6


def test_grade_rejects_a_registry_that_does_not_fit(tmp_path):
    (tmp_path / "s").mkdir()
    with pytest.raises(GradingError, match="answer cell 'l90-energy' has no exercise in the registry"):
        grade(tmp_path / "s", tmp_path / "o", solutions=SOLUTIONS, registry={})
    with pytest.raises(GradingError, match="--timeout: expected a positive number of seconds, got 0"):
        grade(tmp_path / "s", tmp_path / "o", solutions=SOLUTIONS, registry={}, timeout=0)
    with pytest.raises(GradingError, match="--memory: expected at least 256 MiB per kernel, got 10"):
        grade(tmp_path / "s", tmp_path / "o", solutions=SOLUTIONS, registry={}, memory_mb=10)


@pytest.mark.slow
@pytest.mark.xdist_group("grading-extra")
def test_without_cgroups_limits_degrade_to_rlimits_with_recorded_warnings(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    for name in ("honest", "memory-bomb", "fork-bomb"):
        (subs / name).mkdir(parents=True)
        (subs / name / f"{LESSON}.ipynb").write_text(json.dumps(fixture_submissions.SUBMISSIONS[name]))
    monkeypatch.setattr(kernel, "_own_cgroup", lambda controller: None)
    report = grade(subs, tmp_path / "out", jobs=1, timeout=3.0, memory_mb=768, solutions=SOLUTIONS,
                   registry=fixture_lesson.registry())
    assert report.warnings == ["no memory cgroup: memory is limited by address space only",
                               "no pids cgroup: processes are limited by RLIMIT_NPROC only"]
    assert json.loads((tmp_path / "out" / "grades.json").read_text())["warnings"] == report.warnings
    for name in ("honest", "memory-bomb", "fork-bomb"):
        expected, _ = fixture_submissions.EXPECTED[name]
        got = {ex: (r.status, r.score) for ex, r in _rows(report, name).items()}
        assert got == {ex: (s, pytest.approx(v)) for ex, (s, v) in expected.items()}


@pytest.mark.xdist_group("grading-extra")
def test_a_grader_fault_on_one_notebook_keeps_every_other_row_and_exits_1(tmp_path, monkeypatch, capsys):
    import autograder.exercises

    subs = tmp_path / "subs"
    for name in ("a-first", "b-broken-kernel"):
        (subs / name).mkdir(parents=True)
        (subs / name / f"{LESSON}.ipynb").write_text(json.dumps(fixture_submissions.SUBMISSIONS["honest"]))
    real_start, calls = kernel.Sandbox.start, []

    def start(self):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the sandboxed kernel did not start")
        real_start(self)

    monkeypatch.setattr(kernel.Sandbox, "start", start)
    monkeypatch.setattr(autograder.exercises, "registry", fixture_lesson.registry)
    out = tmp_path / "out"
    assert main([str(subs), "--out", str(out), "--solutions", str(SOLUTIONS)]) == 1
    assert "the grader failed: RuntimeError: the sandboxed kernel did not start" in capsys.readouterr().err
    rows = list(csv.reader((out / "grades.csv").open()))[1:]
    assert [(r[0], r[5]) for r in rows] == [("a-first", "passed")] * 3 + [("b-broken-kernel", "error")] * 3


@pytest.mark.xdist_group("grading-extra")
def test_sandbox_cpu_limit_ends_a_busy_kernel_and_a_fresh_one_takes_over():
    stage = kernel.Stage(project_root=PROJECT, hide=[])
    sb = kernel.Sandbox(stage, kernel.Limits(timeout=30.0, memory_mb=1024, cpu=3))
    try:
        sb.start()
        assert sb.execute("x = 1").status == "ok"
        out = sb.execute("while True:\n    pass\n")
        assert (out.status, out.restarted) == ("cpu", True)
        assert sb.execute("x").status == "error"  # the new kernel holds none of the old state
        assert sb.execute("y = 2").status == "ok"
    finally:
        sb.close()
        stage.close()


def test_an_interrupted_write_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    from autograder.grading import _atomic_write

    target = tmp_path / "grades.csv"
    _atomic_write(target, "first\n")

    def killed(src, dst):
        raise KeyboardInterrupt  # the run is stopped between writing and renaming

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        _atomic_write(target, "second\n" * 1000)
    assert target.read_text() == "first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


# ---------------------------------------------------------------------- matching rules
@pytest.fixture(scope="module")
def fixture_lesson_loaded():
    return load_lesson(SOLUTIONS / f"{LESSON}.ipynb", fixture_lesson.registry())


def test_solution_fixture_is_up_to_date():
    on_disk = nbformat.read(str(SOLUTIONS / f"{LESSON}.ipynb"), as_version=4)
    assert on_disk == fixture_lesson.solution_notebook()


def test_not_attempted_detects_blank_stub_and_unchanged_cells(fixture_lesson_loaded):
    student = {c.exercise: c.student_source for c in fixture_lesson_loaded.cells if c.kind == "answer"}
    for source in student.values():
        assert not_attempted(source, source)
        assert not_attempted(source + "\n\n", source)
    assert not_attempted("x = ___ + 1", "")
    assert not_attempted("def f(:\n    ___", "")  # a syntax error still shows the blank
    assert not_attempted("def f(x):\n    raise NotImplementedError()\n", "")
    assert not not_attempted("x = a___b + _ + __", "")
    assert not not_attempted(fixture_submissions.ENERGY_OK, student["l90-energy"])


def test_matching_by_grade_id_first_duplicate_wins(fixture_lesson_loaded):
    nb = fixture_submissions.SUBMISSIONS["duplicate-answer"]
    m = match_submission(fixture_lesson_loaded, nb["cells"])
    assert m.answers["l90-energy"] == "def energy(samples):\n    return float(sum(samples))\n"
    assert m.tampered == ["answer cell l90-energy appears 2 times; the first one was graded"]


def test_matching_reports_every_kind_of_check_cell_tampering(fixture_lesson_loaded):
    def tampered(name):
        return match_submission(fixture_lesson_loaded, fixture_submissions.SUBMISSIONS[name]["cells"]).tampered

    assert tampered("honest") == []
    assert tampered("edit-check") == ["check cell l90-energy-check was edited (the original ran)"]
    assert tampered("delete-check") == ["check cell l90-peak-check was deleted (the original ran)"]
    assert tampered("split-check") == ["check cell l90-zcr-check appears 2 times (the original ran)",
                                       "check cell l90-zcr-check was edited (the original ran)"]
    assert tampered("retype-cells") == [
        "answer cell l90-peak was changed into a markdown cell",
        "check cell l90-zcr-check was changed into another cell type (the original ran)",
    ]


def test_matching_by_position_when_metadata_is_stripped(fixture_lesson_loaded):
    cells = fixture_submissions.SUBMISSIONS["stripped-metadata"]["cells"]
    m = match_submission(fixture_lesson_loaded, cells)
    assert m.flagged == ["the notebook has no grading metadata; answers were matched by position"]
    assert m.answers == {"l90-energy": fixture_submissions.ENERGY_OK, "l90-peak": fixture_submissions.PEAK_OK,
                         "l90-zcr": fixture_submissions.ZCR_OK}
    # without the check lines, the same shape still matches by index
    no_checks = [dict(c, source="# edited") if c["source"].startswith("check(") else c for c in cells]
    assert match_submission(fixture_lesson_loaded, no_checks).answers["l90-peak"] == fixture_submissions.PEAK_OK
    # a different shape without anchors: nothing to match, so missing
    assert match_submission(fixture_lesson_loaded, no_checks[:5]).answers["l90-zcr"] is None


def test_read_submission_reports_why_it_cannot_read(tmp_path):
    p = tmp_path / "x.ipynb"
    p.write_bytes(b'{"cells": [')
    assert read_submission(p)[0] is None and read_submission(p)[1].startswith("the notebook is not valid JSON")
    p.write_text('{"cells": 3}')
    assert read_submission(p) == (None, "the notebook has no list of cells")
    p.write_text('{"cells": [1, {"cell_type": "code", "source": ["a", "b"]}]}')
    assert read_submission(p) == ([{"cell_type": "code", "source": ["a", "b"]}], "")


def test_stub_blank_behaves_like_the_course_blank(tmp_path):
    import importlib
    import shutil
    import sys

    from autograder import checks as real

    # Stage the stub package the way the grader does, then import it in isolation.
    shutil.copytree(PROJECT / "autograder" / "_kernel" / "stub" / "autograder", tmp_path / "stubpkg")
    shutil.copy(PROJECT / "autograder" / "blank.py", tmp_path / "stubpkg" / "blank.py")
    sys.path.insert(0, str(tmp_path))
    try:
        stub = importlib.import_module("stubpkg.checks")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "stubpkg" or m.startswith("stubpkg.")]:
            del sys.modules[name]
    for op in (lambda b: b + 1, lambda b: 2 * b, lambda b: b[0], lambda b: float(b), lambda b: b.shape):
        with pytest.raises(stub.BlankError) as got:
            op(stub.___)
        with pytest.raises(real.BlankError) as want:
            op(real.___)
        assert str(got.value) == str(want.value)
    assert stub.check.__doc__.startswith("Checks run when the notebook is graded")


def test_fixture_registry_and_notebook_pass_the_release_rules():
    from autograder.release import validate

    validate(fixture_lesson.solution_notebook(), path=f"{LESSON}.ipynb", registry=fixture_lesson.registry())


@pytest.mark.xdist_group("grading-extra")
def test_killing_the_grader_takes_its_sandboxed_kernels_down_too(tmp_path):
    """A grader killed by SIGKILL (a CI timeout, an OOM kill) must not leave kernels behind."""
    import shutil
    import signal
    import subprocess
    import time

    subs = tmp_path / "subs" / "alice"
    subs.mkdir(parents=True)
    shutil.copy(PROJECT / "solutions" / "00-start-here.ipynb", subs / "00-start-here.ipynb")
    grader = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out")],
        cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )

    def descendants(root: int) -> dict[int, str]:
        """pid -> command line of every live process below ``root`` (from /proc)."""
        children: dict[int, list[int]] = {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(pid))
        found, todo = {}, [root]
        while todo:
            for child in children.get(todo.pop(), []):
                try:
                    found[child] = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
                except OSError:
                    continue
                todo.append(child)
        return found

    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    try:
        deadline = time.monotonic() + 60
        while True:
            tree = descendants(grader.pid)
            if any("ipykernel" in cmd for cmd in tree.values()):
                break
            assert grader.poll() is None, "the grader finished before its kernel could be seen"
            assert time.monotonic() < deadline, "no sandboxed kernel started within 60 s"
            time.sleep(0.05)
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    deadline = time.monotonic() + 10
    while any(alive(p) for p in tree) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [tree[p] for p in tree if alive(p)] == [], "sandbox processes outlived the grader"
