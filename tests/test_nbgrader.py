"""Our source notebooks work with the real nbgrader 0.9.6 command line, offline.

A temporary course directory gets ``solutions/00-start-here.ipynb`` as nbgrader's
``source/00-start-here/``.  Then, as an instructor would:

1. ``nbgrader generate_assignment`` builds nbgrader's own student version;
2. three students submit it: ``perfect`` with the solution's answer cells put back,
   ``untouched`` as released, and ``half`` with only the first exercise answered;
3. ``nbgrader autograde`` runs them (nbgrader executes the check cells, which import the
   installed ``autograder``), ``generate_feedback`` writes the HTML feedback, and
   ``export`` writes the CSV;
4. the scores in nbgrader's gradebook and in its export agree with the exercise points,
   and our own grader (``autograder.grading``) gives the same totals for the same
   submissions.

Every nbgrader process (and the kernels it starts) runs with a guard that refuses and
records any network connection other than to this machine, and the test asserts that none
was attempted.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from autograder.exercises import for_lesson
from autograder.release import is_answer_cell

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "00-start-here"
SOURCE = ROOT / "solutions" / f"{ASSIGNMENT}.ipynb"
NBGRADER = Path(sys.executable).with_name("nbgrader")
COURSE_ID = "speech-recognition-from-scratch"
MAX_SCORE = float(sum(ex.points for ex in for_lesson(ASSIGNMENT)))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not NBGRADER.exists(), reason=f"nbgrader is not installed next to {sys.executable}"),
]

_NETWORK_GUARD = '''
"""Refuse (and record) every network connection that leaves this machine."""
import os
import socket

_LOG = os.environ["NETWORK_GUARD_LOG"]
_LOCAL = {None, "", "localhost", "127.0.0.1", "::1", "0.0.0.0"}


def _record(what):
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {what}\\n")
    raise OSError(f"network access is disabled here: {what}")


def _host_of(address):
    if isinstance(address, tuple) and address:
        return address[0]
    return None  # AF_UNIX paths are local


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and _host_of(address) not in _LOCAL:
        _record(f"connect {address!r}")
    return _connect(self, address)


def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and _host_of(address) not in _LOCAL:
        _record(f"connect_ex {address!r}")
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if name not in _LOCAL:
        _record(f"getaddrinfo {name!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
'''


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Run the whole nbgrader workflow once; return the paths the tests read."""
    root = tmp_path_factory.mktemp("course")
    guard = root / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(textwrap.dedent(_NETWORK_GUARD), encoding="utf-8")
    log = root / "network-attempts.log"
    log.write_text("")
    db = root / "gradebook.db"
    (root / "nbgrader_config.py").write_text(
        textwrap.dedent(
            f"""\
            c = get_config()
            c.CourseDirectory.root = {str(root)!r}
            c.CourseDirectory.course_id = {COURSE_ID!r}
            c.CourseDirectory.db_url = {f"sqlite:///{db}"!r}
            c.Execute.timeout = 120
            """
        ),
        encoding="utf-8",
    )
    source_dir = root / "source" / ASSIGNMENT
    source_dir.mkdir(parents=True)
    shutil.copy(SOURCE, source_dir / SOURCE.name)

    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(
        PYTHONPATH=str(guard),
        # nbgrader runs the `alembic` command of its own environment to set up the database
        PATH=os.pathsep.join([str(NBGRADER.parent), os.environ.get("PATH", "")]),
        NETWORK_GUARD_LOG=str(log),
        JUPYTER_CONFIG_DIR=str(root / "jupyter-config"),
        IPYTHONDIR=str(root / "ipython"),
        NO_PROXY="*",
    )

    # the guard works: a connection to a documentation-only address is refused and recorded
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 80), timeout=1)"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert probe.returncode != 0 and "network access is disabled here" in probe.stderr, probe.stderr
    assert "192.0.2.1" in log.read_text()
    log.write_text("")

    def nbgrader(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(NBGRADER), *args, f"--CourseDirectory.root={root}", f"--db=sqlite:///{db}"]
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
        return proc

    nbgrader("generate_assignment", ASSIGNMENT, "--force")
    released = root / "release" / ASSIGNMENT / SOURCE.name
    assert released.exists()

    solution = nbformat.read(SOURCE, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells if is_answer_cell(c)}
    first_id = next(iter(answers))
    students = {"perfect": dict(answers), "untouched": {}, "half": {first_id: answers[first_id]}}
    for student, filled in students.items():
        nb = nbformat.read(released, as_version=4)
        for cell in nb.cells:
            if is_answer_cell(cell) and cell.metadata["nbgrader"]["grade_id"] in filled:
                cell.source = filled[cell.metadata["nbgrader"]["grade_id"]]
        dest = root / "submitted" / student / ASSIGNMENT
        dest.mkdir(parents=True)
        nbformat.write(nb, dest / SOURCE.name)
        (dest / "timestamp.txt").write_text("2026-01-15 12:00:00.000000 UTC\n")

    nbgrader("autograde", ASSIGNMENT, "--force")
    nbgrader("generate_feedback", ASSIGNMENT, "--force")
    nbgrader("export", f"--to={root / 'grades.csv'}")
    return {"root": root, "db": db, "log": log, "released": released}


def test_generate_assignment_stubs_every_answer_cell(course: dict[str, Path]) -> None:
    nb = nbformat.read(course["released"], as_version=4)
    stubs = [c.source for c in nb.cells if is_answer_cell(c)]
    assert len(stubs) == len(for_lesson(ASSIGNMENT)) == 2
    for source in stubs:
        assert "raise NotImplementedError()" in source
        assert "BEGIN SOLUTION" not in source and "# BLANK:" not in source
    assert "n_samples / sr" not in stubs[0] and "np.log10" not in stubs[1]
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_gradebook_scores_match_the_exercise_points(course: dict[str, Path]) -> None:
    from nbgrader.api import Gradebook

    points = {f"{ex.id}-check": float(ex.points) for ex in for_lesson(ASSIGNMENT)}
    with Gradebook(f"sqlite:///{course['db']}", course_id=COURSE_ID) as gb:
        assignment = gb.find_assignment(ASSIGNMENT)
        assert assignment.max_score == MAX_SCORE
        scores = {}
        for student in ("perfect", "untouched", "half"):
            submission = gb.find_submission(ASSIGNMENT, student)
            scores[student] = submission.score
            grades = {g.name: (g.score, g.max_score) for g in submission.notebooks[0].grades}
            assert {k: v[1] for k, v in grades.items()} == points
            if student == "perfect":
                assert all(score == top for score, top in grades.values())
            if student == "untouched":
                assert all(score == 0 for score, _ in grades.values())
    first = next(iter(points.values()))
    assert scores == {"perfect": MAX_SCORE, "untouched": 0.0, "half": first}


def test_export_csv_has_the_same_scores(course: dict[str, Path]) -> None:
    with open(course["root"] / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == {"perfect", "untouched", "half"}
    first = float(for_lesson(ASSIGNMENT)[0].points)
    assert {s: float(r["score"]) for s, r in rows.items()} == {"perfect": MAX_SCORE, "untouched": 0.0, "half": first}
    assert all(float(r["max_score"]) == MAX_SCORE and r["assignment"] == ASSIGNMENT for r in rows.values())


def test_feedback_shows_the_friendly_check_messages(course: dict[str, Path]) -> None:
    feedback = course["root"] / "feedback"
    pages = {s: (feedback / s / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8") for s in ("perfect", "untouched")}
    assert "is not written yet (it raises NotImplementedError)" in pages["untouched"]
    assert "`duration_s` is not defined yet" in pages["untouched"]
    assert "all 4 checks passed" in pages["perfect"] and "not written yet" not in pages["perfect"]


def test_nbgrader_made_no_network_connection(course: dict[str, Path]) -> None:
    assert course["log"].read_text() == "", "network connections were attempted"


def test_our_grader_gives_the_same_totals(course: dict[str, Path], tmp_path: Path) -> None:
    try:
        from autograder.grading import grade
    except ImportError as exc:
        pytest.skip(f"autograder.grading is not available yet ({exc})")
    out = tmp_path / "ours"
    grade(course["root"] / "submitted", out, jobs=1, timeout=60.0, solutions=ROOT / "solutions")
    totals: dict[str, float] = {}
    maxima: dict[str, float] = {}
    with open(out / "grades.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["lesson_id"] != ASSIGNMENT:  # lessons these students did not submit
                assert float(row["score"]) == 0.0, row
                continue
            totals[row["student_id"]] = totals.get(row["student_id"], 0.0) + float(row["score"])
            maxima[row["student_id"]] = maxima.get(row["student_id"], 0.0) + float(row["max_score"])
    with open(course["root"] / "grades.csv", newline="", encoding="utf-8") as fh:
        theirs = {r["student_id"]: float(r["score"]) for r in csv.DictReader(fh)}
    assert totals == pytest.approx(theirs)
    assert maxima == {"perfect": MAX_SCORE, "untouched": MAX_SCORE, "half": MAX_SCORE}
