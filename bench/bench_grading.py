"""Grading throughput: the sandboxed grader against plainly running the notebook.

Builds 40 submissions of the small fixture lesson (``tests/fixtures/grading``): honest ones
and partly wrong ones (a mistake in one exercise, seeded), then measures

* ``nbclient``: executing one submission as it is (without its check cells, which would
  load every lesson's exercises), in an ordinary kernel (the reference);
* ``grade --jobs 1``: grading all 40, per submission; the difference to ``nbclient`` is the
  grader's overhead (sandbox, replaying nothing, hidden cases) and should stay under 2 s;
* ``grade --jobs 2`` against ``--jobs 1`` on the same 40: the speed-up (target 1.7x on two
  cores, i.e. a time ratio of at most 1/1.7); each is run twice, in A-B-B-A order, and
  averaged; and how many cores the machine kept busy meanwhile (``--jobs 1`` already
  starts the next kernel on another core while a notebook is graded);
* students per minute with ``--jobs 2`` (target: 50, a 100-student lesson in 2 minutes).

Then a real lesson: ``ASRLAB_BENCH_STUDENTS`` (default 100) submissions of lesson 02
(its solution notebook, two in three with one answer cell wrong), graded with ``--jobs 2``
as instructors run it (the course's exercises, a secret seed, the warm template), and
once more with every kernel started afresh (``--no-warm``) on the first 20: students per
minute, and the template's speed-up.

The CPU may be shared with other work while this runs; the figures are wall-clock times.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "tests" / "fixtures" / "grading"
LESSON_02 = PROJECT / "solutions" / "02-time-domain-features.ipynb"
#: Plausible wrong answers to lesson 02's answer cells (each one a classic slip).
WRONG_02 = {
    "l02-energy": "energy = 0.0\nfor s in samples:\n    energy += abs(s)\n",
    "l02-zero-crossings": "crossings = 0\nfor previous, current in zip(samples[:-1], samples[1:]):\n"
                          "    if previous * current < 0:\n        crossings += 1\n",
    "l02-frame": "n_frames = (len(y) - frame_length) // hop_length\n"
                 "windows = np.lib.stride_tricks.sliding_window_view(y, frame_length)\n"
                 "frames = windows[::hop_length][:n_frames].T\n",
}
N_SUBMISSIONS = 40
WRONG = {
    "l90-energy": "def energy(samples):\n    return float(np.sum(np.abs(np.asarray(samples))))\n",
    "l90-peak": "peak = float(max(signal))\n",
    "l90-zcr": "def zero_crossings(samples):\n    return 0\n",
}


def build_submissions(root: Path, n: int = N_SUBMISSIONS, *, seed: int = 0) -> None:
    """``n`` submissions: every third honest, the others with one seeded mistake."""
    if str(FIXTURES) not in sys.path:
        sys.path.insert(0, str(FIXTURES))
    import grading_submissions as submissions

    rng = np.random.default_rng(seed)
    for i in range(n):
        answers = {}
        if i % 3:
            ex = str(rng.choice(sorted(WRONG)))
            answers[ex] = WRONG[ex]
        folder = root / f"student{i:02d}"
        folder.mkdir(parents=True)
        (folder / "90-grading-fixture.ipynb").write_text(json.dumps(submissions._nb(answers)))


def build_lesson_02(root: Path, n: int, *, seed: int = 0) -> None:
    """``n`` submissions of lesson 02: every third the solution, the others with one answer
    cell replaced by a wrong answer (seeded)."""
    nb = json.loads(LESSON_02.read_text())
    rng = np.random.default_rng(seed)
    for i in range(n):
        copy = json.loads(json.dumps(nb))
        if i % 3:
            wrong = str(rng.choice(sorted(WRONG_02)))
            for cell in copy["cells"]:
                if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == wrong:
                    cell["source"] = WRONG_02[wrong]
        folder = root / f"student{i:03d}"
        folder.mkdir(parents=True)
        (folder / LESSON_02.name).write_text(json.dumps(copy))


def _lesson_02_rows(base: Path) -> list[tuple[str, object, None, None]]:
    from autograder.grading import grade

    n = int(os.environ.get("ASRLAB_BENCH_STUDENTS", "100"))
    subs = base / "lesson02"
    build_lesson_02(subs, n)
    kw = dict(solutions=PROJECT / "solutions", timeout=30.0)
    warm = _timed(lambda: grade(subs, base / "out02", jobs=2, **kw))
    settings = json.loads((base / "out02" / "grades.json").read_text())["settings"]
    few = base / "lesson02-few"
    few.mkdir()
    for folder in sorted(subs.iterdir())[:20]:
        shutil.copytree(folder, few / folder.name)
    warm_few = _timed(lambda: grade(few, base / "out02w", jobs=2, seed=1, **kw))
    cold_few = _timed(lambda: grade(few, base / "out02c", jobs=2, seed=1, warm=False, **kw))
    if (base / "out02w" / "grades.csv").read_text() != (base / "out02c" / "grades.csv").read_text():
        raise AssertionError("lesson 02 graded differently in forked and in fresh kernels")
    return [
        (f"grading: lesson 02, {n} students, jobs=2, s", f"{warm:.1f}", None, None),
        ("grading: lesson 02, students per minute (target >= 50)", f"{60 * n / warm:.0f}", None, None),
        ("grading: lesson 02, kernels", settings["kernels"][:40], None, None),
        ("grading: lesson 02, 20 students, fresh/warm", f"{cold_few / warm_few:.2f}x", None, None),
    ]


def _nbclient_once(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    # the check cells are left out: they would load every lesson's exercise definitions
    nb.cells = [c for c in nb.cells if not c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    NotebookClient(nb, kernel_name="python3", timeout=60, allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()


def run() -> list[tuple[str, float, float | None, float | None]]:
    if str(FIXTURES) not in sys.path:
        sys.path.insert(0, str(FIXTURES))
    import grading_lesson as lesson

    from autograder.grading import grade

    base = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        subs = base / "subs"
        build_submissions(subs)
        first = subs / "student00" / "90-grading-fixture.ipynb"
        _nbclient_once(first)  # warm caches
        plain = min(_timed(lambda: _nbclient_once(first)) for _ in range(3))
        kw = dict(solutions=FIXTURES / "solutions", registry=lesson.registry(), timeout=30.0, seed=0)
        # A-B-B-A order, so that a change in the machine's load during the run (the CPU
        # may be shared) weighs on both settings alike.
        busy = {1: [], 2: []}
        t1 = _timed(lambda: grade(subs, base / "out1", jobs=1, **kw), busy[1]) / 2
        t2 = _timed(lambda: grade(subs, base / "out2", jobs=2, **kw), busy[2]) / 2
        t2 += _timed(lambda: grade(subs, base / "out2", jobs=2, **kw), busy[2]) / 2
        t1 += _timed(lambda: grade(subs, base / "out1", jobs=1, **kw), busy[1]) / 2
        rows1 = (base / "out1" / "grades.csv").read_text().splitlines()
        rows2 = (base / "out2" / "grades.csv").read_text().splitlines()
        if rows1 != rows2:
            differ = [f"  jobs=1: {a}\n  jobs=2: {b}" for a, b in zip(rows1, rows2) if a != b]
            raise AssertionError("--jobs 2 graded differently from --jobs 1:\n" + "\n".join(differ[:10]))
        per = t1 / N_SUBMISSIONS
        real = _lesson_02_rows(base)
        return [
            ("grading: per submission (jobs=1) vs nbclient", per, plain, None),
            ("grading: overhead per submission, s (target <= 2)", f"{per - plain:.2f}", None, None),
            (f"grading: {N_SUBMISSIONS} submissions jobs=2 vs jobs=1", t2, t1, 1 / 1.7),
            ("grading: speed-up jobs=2 over jobs=1 (target >= 1.7)", f"{t1 / t2:.2f}x", None, None),
            (f"grading: cores busy, jobs=1 / jobs=2 (of {os.cpu_count()})",
             f"{np.mean(busy[1]):.2f} / {np.mean(busy[2]):.2f}", None, None),
            ("grading: students per minute, jobs=2 (target >= 50)", f"{60 * N_SUBMISSIONS / t2:.0f}", None, None),
            *real,
        ]
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _timed(fn, busy: list[float] | None = None) -> float:
    """Wall-clock seconds of ``fn()``; with ``busy``, also append how many cores the whole
    machine kept busy meanwhile (from ``/proc/stat``; the grader's kernels are separate
    processes, so a process's own CPU time would not see them)."""
    cpu0 = _cpu_seconds()
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    if busy is not None and cpu0 is not None:
        busy.append((_cpu_seconds() - cpu0) / elapsed)
    return elapsed


def _cpu_seconds() -> float | None:
    """Seconds all CPUs of the machine spent busy so far (``None`` without ``/proc/stat``)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
