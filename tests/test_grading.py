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


def _write_entry(path: Path, content, placeholders: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, fixture_submissions.Link):
        target = str(content)
        for key, value in placeholders.items():
            target = target.replace(key, value)
        path.symlink_to(target)
        return
    if isinstance(content, bytes):
        path.write_bytes(content)
        return
    text = json.dumps(content, indent=1)
    for key, value in placeholders.items():
        text = text.replace(key, value)
    path.write_text(text)


def _write_submissions(root: Path, placeholders: dict[str, str], names=None) -> None:
    for student, content in fixture_submissions.SUBMISSIONS.items():
        if names is not None and student not in names:
            continue
        folder = root / student
        folder.mkdir(parents=True)
        if isinstance(content, fixture_submissions.Folder):
            for rel, entry in content.items():
                _write_entry(folder / rel, entry, placeholders)
            continue
        name = f"{LESSON}.ipynb"
        if isinstance(content, tuple):
            name, content = content
        if content is None:
            continue
        _write_entry(folder / name, content, placeholders)


def _ipc_keys() -> set[int]:
    keys = set()
    for kind in ("shm", "msg", "sem"):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        keys.update(int(line.split()[0]) for line in lines if line.split())
    return keys


def _probe_files() -> list[str]:
    found = []
    for d in ("/run/lock", "/var/lock", "/var/tmp", "/dev/shm", "/dev/mqueue", "/var/crash", "/var/mail", "/tmp"):
        try:
            found += [os.path.join(d, n) for n in os.listdir(d) if n.startswith("grading-probe")]
        except OSError:
            pass
    return found


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
              "project_top": sorted(p.name for p in PROJECT.iterdir()), "probe_files": _probe_files(),
              "ipc_keys": _ipc_keys()}
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
        # a class this size forks every kernel from the warm template, so each fixture
        # above was graded in a forked kernel
        assert detail["settings"]["kernels"].startswith("forked from a warm template (")
    assert detail["settings"]["jobs"] == 2
    by_student = {n["student"]: n for n in detail["notebooks"]}
    dup = by_student["duplicate-answer"]
    assert dup["notes"] == ["answer cell l90-energy appears 2 times; the first one was graded"]
    infinite = next(e for e in by_student["infinite-loop"]["exercises"] if e["id"] == "l90-energy")
    assert [c["status"] for c in infinite["cases"]] == ["timeout"] * 5
    assert infinite["cases"][2]["message"] == "not run: earlier cases timed out"


def test_a_hostile_class_leaves_nothing_on_the_host_and_no_grader_fault(graded):
    assert graded["report"].faults == []  # forged plain data and a 400-digit integer cost one case each
    assert sorted(set(_probe_files()) - set(graded["before"]["probe_files"])) == []
    assert fixture_submissions.IPC_KEY not in _ipc_keys() - graded["before"]["ipc_keys"]
    detail = json.loads((graded["out"] / "grades.json").read_text())
    forged = next(n for n in detail["notebooks"] if n["student"] == "forged-plain")
    energy = next(e for e in forged["exercises"] if e["id"] == "l90-energy")
    assert [c["status"] for c in energy["cases"]] == ["error", "error", "passed", "passed", "passed"]
    assert energy["cases"][0]["message"] == "the answer could not be read back (AttributeError)"
    assert energy["cases"][1]["message"].startswith("the answer could not be judged")
    assert len(forged["diagnostics"]) == 1
    assert forged["diagnostics"][0].startswith("l90-energy: judging failed: OverflowError: int too large to convert to float")


def test_checkpoints_and_subfolders_do_not_change_the_class_layout(graded):
    detail = json.loads((graded["out"] / "grades.json").read_text())
    assert detail["layout"] == "flat"
    by_student = {n["student"]: n for n in detail["notebooks"]}
    assert by_student["checkpoints"]["path"].endswith("checkpoints/90-grading-fixture.ipynb")


def test_links_outside_the_students_folder_are_not_read_and_are_flagged(graded):
    detail = json.loads((graded["out"] / "grades.json").read_text())
    by_student = {n["student"]: n for n in detail["notebooks"]}
    for name in ("link-to-solution", "link-to-classmate"):
        assert by_student[name]["notes"] == [
            "'90-grading-fixture.ipynb' is a link to a file outside the student's folder; it was not read"]
    md = (graded["out"] / "feedback" / "link-to-classmate.md").read_text()
    assert "the notebook was not read: it is a link to a file outside your folder" in md


def test_hidden_inputs_recorded_by_one_answer_do_not_leak_through_another(graded):
    import numpy as np

    md = (graded["out"] / "feedback" / "leak-hidden.md").read_text()
    record = [n for n in json.loads((graded["out"] / "grades.json").read_text())["notebooks"]
              if n["student"] == "leak-hidden"]
    text = md + json.dumps(record)
    ex = fixture_lesson.registry()["l90-energy"]
    hidden = ex.hidden_cases(np.random.default_rng([7, __import__("zlib").crc32(b"l90-energy")]))
    for case in hidden:
        for v in case.kwargs["samples"]:
            for shown in (repr(v), f"{v:.4f}", f"{v:.3f}".replace(".", "_")):
                assert shown not in text
    # the learner's own message is shown before any hidden input entered the kernel...
    honest_md = (graded["out"] / "feedback" / "hide-traceback.md").read_text()
    assert "public check 1 of 2: error: ValueError: hidden" in honest_md
    # ...and reduced to a built-in exception's name, or to the grader's words, after
    assert "- public check 1 of 1: error: ValueError\n" in md
    assert "the answer cell raised an exception." in md


def test_an_exercise_gets_a_time_budget_and_the_cases_past_it_time_out(graded):
    detail = json.loads((graded["out"] / "grades.json").read_text())
    slow = next(n for n in detail["notebooks"] if n["student"] == "slow-cases")
    cases = next(e for e in slow["exercises"] if e["id"] == "l90-energy")["cases"]
    assert [c["status"] for c in cases] == ["passed"] * 3 + ["timeout"] * 2
    assert cases[3]["message"] == "the exercise's time budget of 18 s ran out"
    assert cases[4]["message"] == "not run: the exercise's time budget of 18 s ran out"
    assert detail["settings"]["exercise_budget"] == 18.0 and detail["seed"] == 7


@pytest.mark.slow
@pytest.mark.xdist_group("grading-extra")
def test_an_answer_that_hands_in_the_library_reference_is_flagged_and_keeps_its_points(tmp_path):
    subs = tmp_path / "subs" / "library-answer"
    subs.mkdir(parents=True)
    (subs / f"{LESSON}.ipynb").write_text(json.dumps(fixture_submissions.LIBRARY_ANSWER))
    report = grade(tmp_path / "subs", tmp_path / "out", timeout=60.0, solutions=SOLUTIONS,
                   registry=fixture_lesson.registry(), seed=3)
    got = {r.exercise_id: (r.status, r.score) for r in report.rows}
    assert got == {**fixture_submissions.ALL_OK, NOTEBOOK_ROW: ("flagged", 0.0)}
    assert report.notebooks[0].notes == [
        "answer l90-energy uses asrlab.features.energy, the course library's own implementation "
        "of this exercise (points kept; for the instructor to review)"]
    from autograder.grading.report import write_report

    page = write_report(tmp_path / "out", registry=fixture_lesson.registry()).read_text()
    assert 'href="feedback/library-answer.html"' in page


def test_reference_detection_reads_imports_attributes_and_strings():
    from autograder.exercises import registry
    from autograder.grading.references import reference_functions, uses_reference

    ex = registry()["l01-int-to-float"]
    assert reference_functions(ex) == {"int_to_float": "asrlab.audio.int_to_float"}
    hit = ["asrlab.audio.int_to_float"]
    assert uses_reference(ex, "from asrlab.audio import int_to_float\nx_float = int_to_float(x)\n") == hit
    assert uses_reference(ex, "import asrlab.audio as a\nx_float = a.int_to_float(x)\n") == hit
    assert uses_reference(ex, "import asrlab\nx_float = getattr(asrlab.audio, 'int_to_float')(x)\n") == hit
    assert uses_reference(ex, "x_float = x / 32768.0\n") == []
    assert uses_reference(ex, "import asrlab\nx_float = asrlab.audio.to_mono(x) / 32768\n") == []
    assert uses_reference(ex, "from asrlab.audio import *\nx_float = int_to_float(x)\n") == hit
    assert uses_reference(ex, "def int_to_float(x):\n    return x / 32768\nx_float = int_to_float(x)\n") == []


def test_layout_is_decided_per_student_and_hidden_folders_are_ignored(tmp_path, fixture_lesson_loaded):
    from autograder.grading import discover

    subs = tmp_path / "subs"
    nb = json.dumps(fixture_submissions.SUBMISSIONS["honest"])
    files = {"ann": f"{LESSON}.ipynb", "ann-cp": f".ipynb_checkpoints/{LESSON}-checkpoint.ipynb",
             "ben": f"ps90/{LESSON}.ipynb", "cat": f"{LESSON}.ipynb", "cat-old": f"old/{LESSON}.ipynb",
             "dan": f".ipynb_checkpoints/{LESSON}-checkpoint.ipynb"}
    for who, rel in files.items():
        path = subs / who.split("-")[0] / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(nb)
    layout, found = discover(subs, [fixture_lesson_loaded])
    assert layout == "mixed"
    assert found == {"ann": {LESSON: [subs / "ann" / f"{LESSON}.ipynb"]},
                     "ben": {LESSON: [subs / "ben" / "ps90" / f"{LESSON}.ipynb"]},
                     "cat": {LESSON: [subs / "cat" / f"{LESSON}.ipynb"]}, "dan": {}}


def _grade_in_subprocess(subs: Path, out: Path, **kw) -> dict:
    """Grade with the fixture lesson in a fresh Python process; its rows and peak memory."""
    import subprocess

    code = (
        "import json, resource, sys\n"
        f"sys.path.insert(0, {str(FIXTURES)!r})\n"
        "import grading_lesson\n"
        "from autograder.grading import grade\n"
        f"r = grade({str(subs)!r}, {str(out)!r}, solutions={str(SOLUTIONS)!r}, registry=grading_lesson.registry(), "
        f"**{kw!r})\n"
        "print(json.dumps({'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'faults': r.faults,"
        " 'rows': [[x.student_id, x.exercise_id, x.status, x.score] for x in r.rows]}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.xdist_group("grading-extra")
def test_an_oversized_message_from_the_kernel_is_refused_while_receiving(tmp_path):
    subs = tmp_path / "subs" / "flood"
    subs.mkdir(parents=True)
    flood = "print('x' * 300_000_000)\n" + fixture_submissions.ENERGY_OK
    (subs / f"{LESSON}.ipynb").write_text(json.dumps(fixture_submissions._nb({"l90-energy": flood})))
    got = _grade_in_subprocess(tmp_path / "subs", tmp_path / "out", timeout=20.0, memory_mb=2048, seed=1)
    assert got["faults"] == []
    assert [tuple(r[1:]) for r in got["rows"]] == [("l90-energy", "resource-limit", 0.0), ("l90-peak", "passed", 1.0),
                                                  ("l90-zcr", "passed", 1.0)]
    # one 300 MB output message: refused by the socket before it is buffered in the grader
    # (which peaked at over 1 GB when it was received, decoded and measured whole).  Alone
    # the grader peaks near 160 MB; run beside the rest of the suite on two busy cores it
    # has peaked at up to 650 MB, so the bound leaves room for that and still fails the
    # unbounded receive.
    assert got["rss_mb"] < 800, got["rss_mb"]


@pytest.mark.slow
@pytest.mark.xdist_group("grading-extra")
def test_a_notebook_budget_stops_a_slow_notebook_at_its_deadline(tmp_path):
    import time

    subs = tmp_path / "subs" / "slow"
    subs.mkdir(parents=True)
    nb = fixture_submissions._nb({
        "l90-energy": "import time\ndef energy(samples):\n    time.sleep(0.6)\n"
                      "    return float(np.sum(np.asarray(samples) ** 2))\n",
        "l90-peak": "import time\ntime.sleep(6)\n" + fixture_submissions.PEAK_OK,
    })
    (subs / f"{LESSON}.ipynb").write_text(json.dumps(nb))
    started = time.monotonic()
    report = grade(tmp_path / "subs", tmp_path / "out", timeout=5.0, notebook_budget=8.0, solutions=SOLUTIONS,
                   registry=fixture_lesson.registry(), seed=1)
    elapsed = time.monotonic() - started
    got = {r.exercise_id: (r.status, r.score) for r in report.rows}
    assert got == {"l90-energy": ("passed", 2.0), "l90-peak": ("timeout", 0.0), "l90-zcr": ("timeout", 0.0),
                   NOTEBOOK_ROW: ("timeout", 0.0)}
    zcr = next(r for r in report.notebooks[0].results if r.exercise.id == "l90-zcr")
    assert zcr.message == "not graded: the notebook's time budget of 8 s ran out"
    assert report.notebooks[0].notes == [
        "the notebook's time budget of 8 s ran out; the exercises not graded by then got no points"]
    assert elapsed < 8.0 + 30.0  # the budget, the kernel's start and the stage's set-up


def test_a_shard_needs_an_explicit_seed(tmp_path):
    from autograder.grading.shard import Shard

    (tmp_path / "subs" / "ann").mkdir(parents=True)
    with pytest.raises(GradingError, match="--shard: give every shard the same --seed"):
        grade(tmp_path / "subs", tmp_path / "x", shard=Shard(0, 3), solutions=SOLUTIONS,
              registry=fixture_lesson.registry())


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
@pytest.mark.xdist_group("grading-extra")
def test_kernels_started_afresh_grade_the_hostile_fixtures_as_forked_ones_do(graded, tmp_path):
    """The same submissions, each kernel started by executing a new Python (``--no-warm``):
    the rows are those of the warm run."""
    names = ["honest", "partly-wrong", "infinite-loop", "memory-bomb-case", "os-exit", "sys-exit",
             "huge-output", "fork-bomb", "ipc-objects", "leak-hidden", "forged-plain", "patch-checks"]
    subs = tmp_path / "subs"
    _write_submissions(subs, {"__PROJECT__": str(PROJECT), "__SOLUTIONS__": str(SOLUTIONS), "__SUBS__": str(subs),
                              "__OUT__": str(tmp_path / "out"), "__CANARY__": str(graded["canary"])}, names=names)
    report = grade(subs, tmp_path / "out", jobs=2, timeout=6.0, memory_mb=768, solutions=SOLUTIONS,
                   registry=fixture_lesson.registry(), seed=7, warm=False)
    assert json.loads((tmp_path / "out" / "grades.json").read_text())["settings"]["kernels"] == "fresh"
    cold = [(r.student_id, r.exercise_id, r.status, r.score) for r in report.rows]
    warm = [(r.student_id, r.exercise_id, r.status, r.score) for r in graded["report"].rows if r.student_id in names]
    assert cold == warm


def test_default_jobs_is_one_per_usable_core_bounded_by_memory(monkeypatch):
    from autograder import grading

    monkeypatch.setattr(grading.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(grading, "_available_mb", lambda: 64 * 1024)
    assert grading.default_jobs(2048) == 4  # the cores are the limit
    monkeypatch.setattr(grading, "_available_mb", lambda: 5000)
    assert grading.default_jobs(2048) == 2  # 5000 MiB hold two kernels of 2048 MiB
    assert grading.default_jobs(512) == 4
    monkeypatch.setattr(grading, "_available_mb", lambda: 1000)
    assert grading.default_jobs(2048) == 1  # never fewer than one
    monkeypatch.setattr(grading, "_available_mb", lambda: None)  # no /proc/meminfo: cores only
    assert grading.default_jobs(2048) == 4
    mem = grading._available_mb()
    assert mem is None or mem > 0
    with pytest.raises(grading.GradingError, match=r"--jobs: expected a positive number of parallel kernels, got 0"):
        grade(Path("nowhere"), Path("out"), jobs=0)


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
    # without cgroups there is no warm template: asked for one, every kernel starts afresh
    honest = subs / "honest"
    report = grade(honest.parent, tmp_path / "out2", jobs=1, timeout=3.0, memory_mb=768, solutions=SOLUTIONS,
                   registry=fixture_lesson.registry(), warm=True)
    assert json.loads((tmp_path / "out2" / "grades.json").read_text())["settings"]["kernels"] == \
        "fresh (no warm template: no memory and pids cgroups)"


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
    # one notebook at a time, so that the second kernel started is b-broken-kernel's
    assert main([str(subs), "--out", str(out), "--solutions", str(SOLUTIONS), "--jobs", "1"]) == 1
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


@pytest.mark.skipif(kernel._own_cgroup("pids") is None, reason="the warm template needs memory and pids cgroups")
def test_kernels_forked_from_the_template_are_isolated_from_it_and_from_each_other():
    stage = kernel.Stage(project_root=PROJECT, hide=[])
    kernels = []
    try:
        assert stage.start_template(["numpy", "matplotlib.pyplot", "librosa", "asrlab"]), stage.template_note
        assert stage.template_info["modules"] == ["numpy", "matplotlib.pyplot", "librosa", "asrlab"]
        probe = ("import os, sys, random, tempfile, numpy as np\n"
                 "facts = {'pid': os.getpid(), 'uid': os.getuid(), 'cwd': os.getcwd(), 'tmp': tempfile.gettempdir(),\n"
                 "         'numpy_preloaded': 'librosa' in sys.modules, 'template': 'template' in sys.modules,\n"
                 "         'path': [p for p in sys.path if p.endswith('_kernel')],\n"
                 "         'files': [os.readlink(f'/proc/self/fd/{n}') for n in os.listdir('/proc/self/fd')\n"
                 "                   if os.path.exists(f'/proc/self/fd/{n}')],\n"
                 "         'draws': [random.random(), float(np.random.rand())]}")
        seen = []
        for _ in range(2):
            sb = kernel.Sandbox(stage, kernel.Limits(timeout=30.0, memory_mb=1024))
            kernels.append(sb)
            sb.start()
            assert sb.warnings == []
            assert sb.km.kernel_spec.interrupt_mode == "message"  # forked: not in the command's group
            out = sb.execute(probe, expressions={"facts": "facts"})
            assert out.status == "ok", out
            import ast

            seen.append(ast.literal_eval(out.expressions["facts"]["data"]["text/plain"]))
            if len(kernels) == 1:
                assert sb.execute("leftover = 'from the first kernel'").status == "ok"
        first, second = seen
        for facts in seen:
            assert facts["numpy_preloaded"] and not facts["template"] and facts["path"] == []
            assert facts["cwd"] == facts["tmp"] == str(stage.scratch)  # its own scratch tmpfs, at one path
            # nothing of the launcher or the template stays open: its report, its seal, its socket
            assert [f for f in facts["files"] if str(stage.base) in f] == []
            if os.geteuid() == 0:
                assert facts["uid"] != 0
        assert first["draws"] != second["draws"]  # each kernel reseeds what the template imported
        assert kernels[1].execute("leftover").status == "error"
        # an interrupt reaches a forked kernel (as a message) and it goes on
        out = kernels[1].execute("import time\nwhile True:\n    time.sleep(0.01)\n", timeout=1.0)
        assert (out.status, out.restarted) == ("timeout", False)
        assert kernels[1].execute("x = 1").status == "ok"
    finally:
        for sb in kernels:
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
@pytest.mark.parametrize("students", [1, 6], ids=["fresh-kernel", "warm-template"])
def test_killing_the_grader_takes_its_sandboxed_kernels_down_too(tmp_path, students):
    """A grader killed by SIGKILL (a CI timeout, an OOM kill) must not leave kernels behind:
    neither a kernel it started nor the warm template and the kernels forked from it."""
    import shutil
    import signal
    import subprocess
    import time

    for i in range(students):
        subs = tmp_path / "subs" / f"student{i}"
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
            if students == 1 and any("ipykernel" in cmd for cmd in tree.values()):
                break
            # a forked kernel: the template, its fork for the sandbox, the init, the kernel
            if students > 1 and sum("template.py" in cmd for cmd in tree.values()) >= 4:
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
