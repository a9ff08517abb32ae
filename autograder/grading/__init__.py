"""The grading engine: ``python -m autograder grade SUBMISSIONS --out OUT``.

:func:`grade` finds every submitted notebook, runs each lesson's **skeleton** (the
instructor's solution notebook with only the answer cells taken from the submission) in a
fresh sandboxed kernel, runs every exercise's public and hidden cases through that kernel,
judges the answers in this process (:meth:`autograder.exercise.Exercise.judge`), and writes

* ``OUT/grades.csv``: ``student_id, lesson_id, exercise_id, score, max_score, status``, one
  row per student, lesson and exercise (statuses: :mod:`autograder.grading.engine`), plus a
  row with ``exercise_id`` ``(notebook)`` and ``max_score`` 0 when the notebook itself was
  ``tampered`` (locked cells changed, answer cells duplicated or retyped), ``flagged``
  (matched by position, renamed) or ``unreadable`` (not a notebook);
* ``OUT/feedback/<student>.md`` and ``.html``: per exercise the score, the public checks'
  messages and hints, and for hidden cases only what went wrong (never their inputs,
  expected values or the tests' code);
* ``OUT/grades.json``: the same with every case and the grader's warnings;
* ``OUT/report.html`` (command line, unless ``--no-report``): :mod:`autograder.grading.report`;
* ``OUT/shard.json`` with ``--shard K/N``: :mod:`autograder.grading.shard`.

Files are written to a temporary name in ``OUT`` and renamed, so a killed run leaves either
the old or the new version of each file.  Sandbox: :mod:`autograder.grading.kernel` and
``autograder/_kernel``.  Matching rules: :mod:`autograder.grading.notebooks`.
"""

from __future__ import annotations

import sys

# jsonschema (under nbformat) imports this optional checker of IRI formats when it is
# installed, and it builds some forty parsers on import (about 3 s of every grading run);
# nothing here validates IRIs.
sys.modules.setdefault("rfc3987_syntax", None)

import argparse
import csv
import html
import io
import json
import os
import secrets
import sys
import tempfile
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..exercise import Case, Exercise
from .engine import MISSING, STATUSES, ExerciseResult, NotebookGrader
from .kernel import KernelPool, Limits, Sandbox, Stage
from .notebooks import (Lesson, LessonError, Match, Outline, imported_modules, load_lesson, match_submission,
                        read_outline, read_submission)
from .shard import Shard, shard_argument
from .shard import record as record_shard
from .shard import select as select_shard
from .references import uses_reference

__all__ = ["grade", "main", "Report", "Row", "STATUSES", "GradingError"]

NOTEBOOK_ROW = "(notebook)"
CSV_HEADER = ("student_id", "lesson_id", "exercise_id", "score", "max_score", "status")


class GradingError(ValueError):
    """Bad arguments or an unusable course set-up; the message says what to fix."""


@dataclass(frozen=True)
class Row:
    """One line of ``grades.csv``."""

    student_id: str
    lesson_id: str
    exercise_id: str
    score: float
    max_score: float
    status: str


@dataclass
class NotebookReport:
    student: str
    lesson: str
    path: str
    results: list[ExerciseResult]
    notebook_status: str = ""
    notes: list[str] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)

    def rows(self) -> list[Row]:
        rows = [Row(self.student, self.lesson, r.exercise.id, round(r.score, 4), float(r.exercise.points), r.status)
                for r in self.results]
        if self.notebook_status:
            rows.append(Row(self.student, self.lesson, NOTEBOOK_ROW, 0.0, 0.0, self.notebook_status))
        return rows


@dataclass
class Report:
    """What :func:`grade` did: every row, per-notebook details, warnings, and the grader's
    own faults (a notebook it could not grade; its rows say ``error``)."""

    rows: list[Row]
    notebooks: list[NotebookReport]
    warnings: list[str]
    layout: str
    faults: list[str] = field(default_factory=list)
    seed: int = 0
    settings: dict[str, Any] = field(default_factory=dict)

    def row(self, student: str, lesson: str, exercise: str) -> Row:
        for r in self.rows:
            if (r.student_id, r.lesson_id, r.exercise_id) == (student, lesson, exercise):
                return r
        raise KeyError((student, lesson, exercise))


# ---------------------------------------------------------------------- discovery
def _solution_paths(solutions: Path) -> list[Path]:
    if not solutions.is_dir():
        raise GradingError(f"--solutions: expected a directory of solution notebooks, got {str(solutions)!r}")
    paths = sorted(solutions.glob("*.ipynb"))
    if not paths:
        raise GradingError(f"--solutions: no solution notebooks (*.ipynb) in {str(solutions)!r}")
    return paths


def _outlines(solutions: Path) -> list[Outline]:
    """Every solution notebook with answer cells, read as it is (no exercise imported yet)."""
    found = []
    for p in _solution_paths(solutions):
        try:
            outline = read_outline(p)
        except Exception as exc:  # noqa: BLE001 - an unreadable solution is the instructor's to fix
            raise GradingError(f"{p}: cannot read the solution notebook ({exc})") from None
        if outline.exercises:
            found.append(outline)
    return found


def _lessons(solutions: Path | list[Path], registry: Mapping[str, Exercise]) -> list[Lesson]:
    paths = _solution_paths(solutions) if isinstance(solutions, Path) else solutions
    lessons = []
    for p in paths:
        try:
            lesson = load_lesson(p, registry)
        except LessonError as exc:
            raise GradingError(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - an unreadable solution is the instructor's to fix
            raise GradingError(f"{p}: cannot read the solution notebook ({exc})") from None
        if lesson.exercises:
            lessons.append(lesson)
    if not lessons:
        raise GradingError(f"--solutions: no notebook in {str(solutions)!r} has exercises in the registry")
    return lessons


def _ids_in(path: Path) -> set[str]:
    cells, _ = read_submission(path)
    ids = set()
    for c in cells or []:
        meta = c.get("metadata")
        nbg = meta.get("nbgrader") if isinstance(meta, Mapping) else None
        gid = nbg.get("grade_id") if isinstance(nbg, Mapping) else None
        if isinstance(gid, str):
            ids.add(gid.removesuffix("-check"))
    return ids


def _notebooks(folder: Path) -> list[Path]:
    """``*.ipynb`` directly in ``folder``, without hidden files (``.~x.ipynb``)."""
    try:
        return sorted(p for p in folder.iterdir() if p.suffix == ".ipynb" and not p.name.startswith(".")
                      and (p.is_file() or p.is_symlink()))
    except OSError:
        return []


def _subfolders(folder: Path) -> list[Path]:
    """Subfolders that may hold an assignment: not hidden (``.ipynb_checkpoints``, ``.git``)."""
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def outside_link(path: Path, own: Path) -> str:
    """Why ``path`` must not be read for the student whose folder is ``own``: it is (or passes
    through) a symbolic link that leads outside ``own``; ``""`` when it is the student's own file.

    Archives (zip, tar) restore symbolic links, so a "notebook" may point at a classmate's
    notebook or at a solution; the grader reads no file outside the student's folder.
    """
    try:
        real = Path(os.path.realpath(path))
        own_real = Path(os.path.realpath(own.parent)) / own.name  # a student folder that is a link is outside too
    except (OSError, RuntimeError, ValueError):
        return f"{path.name!r} is a link that cannot be resolved"
    if real == own_real or own_real in real.parents:
        return ""
    return f"{path.name!r} is a link to a file outside the student's folder; it was not read"


def discover(submissions: Path, lessons: Sequence[Lesson | Outline]) -> tuple[str, dict[str, dict[str, list[Path]]]]:
    """Find the notebooks: ``{student: {lesson: [paths]}}`` and the layout's name.

    Layouts, decided **per student**: notebooks directly in ``SUBMISSIONS/<student>/``
    (``flat``), or, when there are none, in its subfolders as nbgrader's
    ``submitted/<student>/<assignment>/<notebook>.ipynb`` (``nbgrader``; ``SUBMISSIONS``
    may be the ``submitted`` folder or its parent).  Hidden folders (Jupyter's
    ``.ipynb_checkpoints``) are never looked into.  The layout reported is ``flat``,
    ``nbgrader`` or ``mixed``.  A notebook whose name is not a lesson id (a renamed file,
    ``Untitled.ipynb``) is assigned to the lesson whose exercise ids it carries, when there
    is exactly one.  A link that leads outside the student's folder is never read: it is
    kept (by its name's lesson) so that the row can say so.
    """
    if not submissions.is_dir():
        raise GradingError(f"SUBMISSIONS: expected a directory, got {str(submissions)!r}")
    root = submissions / "submitted" if (submissions / "submitted").is_dir() else submissions
    students = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    by_id = {lesson.id: lesson for lesson in lessons}
    found: dict[str, dict[str, list[Path]]] = {}
    layouts = set()
    for s in students:
        files = _notebooks(s)
        nested = not files
        if nested:
            files = [f for sub in _subfolders(s) for f in _notebooks(sub)]
            if files:
                layouts.add("nbgrader")
        else:
            layouts.add("flat")
        per: dict[str, list[Path]] = {}
        for f in files:
            lesson_id = f.stem if f.stem in by_id else (f.parent.name if nested and f.parent.name in by_id else None)
            if lesson_id is None and not outside_link(f, s):
                ids = _ids_in(f)
                owners = [lesson.id for lesson in lessons if ids & set(lesson.exercises)]
                lesson_id = owners[0] if len(owners) == 1 else None
            if lesson_id is not None:
                per.setdefault(lesson_id, []).append(f)
        found[s.name] = per
    layout = "mixed" if len(layouts) > 1 else (layouts.pop() if layouts else "flat")
    return layout, found


# ---------------------------------------------------------------------- grading
def _grade_one(kernels: KernelPool, lesson: Lesson, student: str, own: Path, paths: list[Path],
               hidden: dict[str, list[Case]], warnings: list[str], faults: list[str],
               lock: threading.Lock, budgets: tuple[float | None, float | None] = (None, None)) -> NotebookReport:
    if not paths:
        return NotebookReport(student, lesson.id, "", [
            ExerciseResult(ex, MISSING, 0.0, "no notebook was submitted for this lesson") for ex in lesson.exercises.values()
        ])
    readable = [p for p in paths if not outside_link(p, own)]
    exact = [p for p in readable if p.stem == lesson.id]
    path = (exact or readable or paths)[0]
    notes: list[str] = []
    flagged: list[str] = [outside_link(p, own) for p in paths if outside_link(p, own)]
    if not readable:
        return NotebookReport(student, lesson.id, str(path), [
            ExerciseResult(ex, MISSING, 0.0, "the notebook was not read: it is a link to a file outside your folder")
            for ex in lesson.exercises.values()
        ], "flagged", flagged)
    if not exact:
        flagged.append(f"the notebook was submitted as {path.name!r}")
    if len(paths) > 1:
        flagged.append(f"{len(paths)} notebooks for this lesson; graded {path.name!r}")
    cells, why = read_submission(path)
    if cells is None:
        return NotebookReport(student, lesson.id, str(path), [
            ExerciseResult(ex, MISSING, 0.0, f"the notebook could not be read: {why}") for ex in lesson.exercises.values()
        ], "unreadable", [why])
    match: Match = match_submission(lesson, cells)
    notes = match.tampered + match.flagged + flagged
    for ex_id, source in match.answers.items():
        if source and ex_id in lesson.exercises:
            for full in uses_reference(lesson.exercises[ex_id], source):
                flagged.append(f"answer {ex_id} uses {full}, the course library's own implementation of this "
                               "exercise (points kept; for the instructor to review)")
                notes.append(flagged[-1])
    sb: Sandbox | None = None
    grader: NotebookGrader | None = None
    try:
        sb = kernels.take()
        grader = NotebookGrader(sb, lesson, match, hidden, exercise_budget=budgets[0], notebook_budget=budgets[1])
        results = grader.grade()
    except Exception as exc:  # noqa: BLE001 - the grader's own fault: keep the others' rows, report it
        fault = f"{student}/{lesson.id}: the grader failed: {type(exc).__name__}: {exc}"
        with lock:
            faults.append(fault)
        return NotebookReport(student, lesson.id, str(path), [
            ExerciseResult(ex, "error", 0.0, "the grader failed on this notebook; ask your instructor")
            for ex in lesson.exercises.values()
        ], "tampered" if match.tampered else "", notes)
    finally:
        if sb is not None:
            with lock:
                for w in sb.warnings:
                    if w not in warnings:
                        warnings.append(w)
            kernels.give_back(sb)
    if grader.out_of_time:
        notes.append(f"the notebook's time budget of {budgets[1]:g} s ran out; the exercises not graded by then "
                     "got no points")
    status = ("tampered" if match.tampered else "timeout" if grader.out_of_time
              else "flagged" if match.flagged or flagged else "")
    return NotebookReport(student, lesson.id, str(path), results, status, notes, grader.diagnostics)


def grade(
    submissions: Path,
    out: Path,
    *,
    jobs: int | None = None,
    timeout: float = 30.0,
    memory_mb: int = 2048,
    solutions: Path = Path("solutions"),
    registry: dict | None = None,
    seed: int | None = None,
    all_lessons: bool = False,
    exercise_budget: float | None = None,
    notebook_budget: float | None = None,
    shard: Shard | None = None,
    warm: bool | None = None,
) -> Report:
    """Grade every notebook under ``submissions`` and write the results to ``out``.

    Args:
        submissions: ``<student>/<lesson>.ipynb`` or nbgrader's ``submitted/<student>/
            <assignment>/<notebook>.ipynb`` (decided per student).
        out: Output directory (created); ``grades.csv``, ``grades.json``, ``feedback/``.
        jobs: Notebooks graded at once, each in its own kernel.  Default
            (:func:`default_jobs`): one per core this process may use, fewer when the
            available memory would not hold that many kernels at ``memory_mb``.
        timeout: Seconds per cell and per case (default 30).
        memory_mb: Memory per kernel in MiB (default 2048).
        solutions: The solution notebooks (default ``solutions``).
        registry: Exercises by id (default: :func:`autograder.exercises.registry`).
        seed: Seed of the hidden cases' random generator, the same for every student.
            Default: a secret one drawn for this run (from the operating system's random
            source) and written to ``grades.json``, so that nobody can compute the hidden
            cases beforehand; pass the recorded seed to grade again with the same cases.
        all_lessons: Grade every lesson of ``solutions`` for every student. By default
            only the lessons that at least one student submitted are graded (collecting
            one assignment should not list every other lesson as missing); a student who
            lacks one of those gets ``missing`` rows.
        exercise_budget: Wall-clock seconds for one exercise (its answer cell and all of
            its cases; default ``3 * timeout``).
        notebook_budget: Wall-clock seconds for one notebook once its kernel is ready
            (default ``10 * timeout``).
        shard: Grade only this share of the students (:mod:`autograder.grading.shard`);
            the lessons are still those of the whole class. Also writes ``shard.json``.
            Needs an explicit ``seed``, so that every shard draws the same hidden cases.
        warm: Fork the kernels from a warm template that has imported, once, the modules
            the lessons' cells import (:mod:`autograder._kernel.template`); every kernel
            still gets its own namespaces, cgroups, file system and user.  Default: when
            at least ``WARM_FROM`` notebooks are graded (below that the template's own
            start, a few seconds, costs more than it saves).  Without namespaces or
            cgroups every kernel starts afresh; ``grades.json`` says which
            (``settings.kernels``).

    Returns:
        The :class:`Report`.

    Raises:
        GradingError: Bad arguments or solution notebooks that do not fit the registry.

    Lesson: 00 Start here (how grading works).
    """
    if jobs is None:
        jobs = default_jobs(memory_mb)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise GradingError(f"--jobs: expected a positive number of parallel kernels, got {jobs}")
    if not timeout > 0:
        raise GradingError(f"--timeout: expected a positive number of seconds, got {timeout}")
    if memory_mb < 256:
        raise GradingError(f"--memory: expected at least 256 MiB per kernel, got {memory_mb}")
    exercise_budget = 3 * float(timeout) if exercise_budget is None else float(exercise_budget)
    notebook_budget = 10 * float(timeout) if notebook_budget is None else float(notebook_budget)
    if not exercise_budget > 0:
        raise GradingError(f"--exercise-budget: expected a positive number of seconds, got {exercise_budget:g}")
    if not notebook_budget > 0:
        raise GradingError(f"--notebook-budget: expected a positive number of seconds, got {notebook_budget:g}")
    if shard is not None:
        if seed is None:
            raise GradingError("--shard: give every shard the same --seed (otherwise each would draw its own "
                               "secret hidden cases)")
    submissions, out, solutions = Path(submissions).resolve(), Path(out).resolve(), Path(solutions).resolve()
    if not submissions.is_dir():
        raise GradingError(f"SUBMISSIONS: expected a directory, got {str(submissions)!r}")
    if out == submissions or submissions in out.parents:
        raise GradingError(f"--out: must not be inside SUBMISSIONS ({str(submissions)!r}), got {str(out)!r}")
    outlines = _outlines(solutions)
    layout, found = discover(submissions, outlines)
    submitted = {lesson_id for per in found.values() for lesson_id, paths in per.items() if paths}
    chosen = [o for o in outlines if all_lessons or o.id in submitted]
    lessons_ids = [o.id for o in chosen]
    roster = sorted(found)
    if shard is not None:
        found = {student: found[student] for student in select_shard(roster, shard)}
    root = submissions / "submitted" if (submissions / "submitted").is_dir() else submissions
    # every notebook that will be read needs a kernel of its own
    needing = sum(1 for student, per in found.items() for lesson_id in lessons_ids
                  if any(not outside_link(p, root / student) for p in per.get(lesson_id, [])))
    if warm is None:
        warm = needing >= WARM_FROM
    out.mkdir(parents=True, exist_ok=True)
    project_root = Path(__file__).resolve().parents[2]
    stage = Stage(project_root=project_root, hide=[submissions, out, solutions])
    try:
        if warm:  # it imports while the exercises are loaded and their hidden cases drawn
            stage.launch_template(imported_modules(chosen))
        if registry is None:  # only the graded lessons' exercise modules are imported
            from ..exercises import LessonRegistry

            lessons = _lessons([o.path for o in chosen], LessonRegistry()) if chosen else []
        else:  # a given registry is checked against every lesson
            lessons = [lesson for lesson in _lessons(solutions, registry) if lesson.id in lessons_ids]
        hidden: dict[str, list[Case]] = {}
        base_seed = secrets.randbits(63) if seed is None else int(seed)
        for lesson in lessons:
            for ex in lesson.exercises.values():
                hidden[ex.id] = ex.hidden_cases(np.random.default_rng([base_seed, zlib.crc32(ex.id.encode())]))
        if warm:  # every kernel of a warm run is forked from it
            stage.wait_template()
    except BaseException:
        stage.close()
        raise
    limits = Limits(timeout=float(timeout), memory_mb=int(memory_mb))
    warnings: list[str] = []
    faults: list[str] = []
    lock = threading.Lock()
    tasks = [(student, lesson, per.get(lesson.id, [])) for student, per in sorted(found.items()) for lesson in lessons]
    budgets = (exercise_budget, notebook_budget)
    # kernels start ahead: a start (mostly waiting for the kernel) takes longer than grading a small notebook
    kernels = KernelPool(stage, limits, ahead=KERNELS_AHEAD_PER_JOB * jobs, total=needing)
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            reports = list(pool.map(
                lambda t: _grade_one(kernels, t[1], t[0], root / t[0], t[2], hidden, warnings, faults, lock,
                                     budgets), tasks))
    finally:
        kernels.close()
        kernel_start = _kernel_start(stage, warm)
        stage.close()
    rows = [r for rep in reports for r in rep.rows()]
    settings = {"timeout": float(timeout), "memory_mb": int(memory_mb), "exercise_budget": exercise_budget,
                "notebook_budget": notebook_budget, "lessons": [lesson.id for lesson in lessons],
                "kernels": kernel_start, "jobs": jobs}
    report = Report(rows, reports, warnings, layout, faults, base_seed, settings)
    write_outputs(report, out)
    record_shard(out, shard, seed=base_seed, roster=roster,
                 lessons={lesson.id: list(lesson.exercises) for lesson in lessons},
                 settings={"timeout": float(timeout), "memory_mb": int(memory_mb)})
    return report


#: Kernels kept starting or ready per job.  A forked kernel's start is mostly waiting (its
#: processes, cgroups and the kernel's first answer) and takes longer than grading a small
#: notebook: with one start ahead per job, a job waits for every kernel; with two, it
#: hardly does (measurements: ``docs/results.md``).
KERNELS_AHEAD_PER_JOB = 2

#: From this many notebooks on, kernels are forked from a warm template by default.
WARM_FROM = 6


def default_jobs(memory_mb: int = 2048) -> int:
    """How many notebooks :func:`grade` grades at once unless told: one per core this
    process may use (its CPU affinity, as a Slurm task's ``--cpus-per-task`` sets it), but
    no more kernels than the available memory holds at ``memory_mb`` each; at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    available = _available_mb()
    if available is not None:
        cores = min(cores, available // max(1, int(memory_mb)))
    return max(1, cores)


def _available_mb() -> int | None:
    """``MemAvailable`` of ``/proc/meminfo`` in MiB (``None`` where there is none)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _kernel_start(stage: Stage, warm: bool) -> str:
    """How the kernels started, for ``grades.json``."""
    if not warm:
        return "fresh"
    if stage.template_info.get("ready"):
        return f"forked from a warm template ({stage.template_info.get('seconds', 0):g} s to import " \
               f"{len(stage.template_info.get('modules', []))} modules)"
    return f"fresh (no warm template: {stage.template_note or 'not started'})"


# ---------------------------------------------------------------------- output
def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def _case_lines(res: ExerciseResult) -> list[str]:
    lines = []
    n_pub = sum(c.public for c in res.cases)
    hidden_i = 0
    for i, c in enumerate(res.cases):
        if c.public:
            name = f"public check {i + 1} of {n_pub}" + (f" ({c.label})" if c.label else "")
        else:
            hidden_i += 1
            name = f"hidden test {hidden_i}" + (f" ({c.label})" if c.label else "")
        if c.status == "passed":
            lines.append(f"{name}: passed")
        else:
            lines.append(f"{name}: {c.status}: {c.message}" if c.message else f"{name}: {c.status}")
    return lines


def _feedback_md(student: str, reps: list[NotebookReport]) -> str:
    out = [f"# Feedback for {student}", ""]
    for rep in reps:
        total = sum(r.score for r in rep.results)
        possible = sum(r.exercise.points for r in rep.results)
        out += [f"## {rep.lesson}: {_fmt(total)} / {_fmt(possible)}", ""]
        if rep.notebook_status:
            out.append(f"Notebook {rep.notebook_status}:")
            out += [f"- {n}" for n in rep.notes]
            out.append("")
        for r in rep.results:
            out.append(f"### {r.exercise.id} ({r.exercise.title}): {_fmt(r.score)} / {r.exercise.points}, {r.status}")
            if r.message:
                out.append(f"{r.message}.")
            out += [f"- {line}" for line in _case_lines(r)]
            if r.status not in ("passed", "missing", "not-attempted") and not any(c.status == "failed" for c in r.cases):
                out.append(f"- Hint: {r.exercise.hint}")
            out.append("")
    return "\n".join(out) + "\n"


def _feedback_html(student: str, md: str) -> str:
    body = []
    in_list = False
    for line in md.splitlines():
        if line.startswith("- "):
            if not in_list:
                body.append("<ul>")
                in_list = True
            body.append(f"<li>{html.escape(line[2:])}</li>")
            continue
        if in_list:
            body.append("</ul>")
            in_list = False
        if line.startswith("### "):
            body.append(f"<h3>{html.escape(line[4:])}</h3>")
        elif line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line:
            body.append(f"<p>{html.escape(line)}</p>")
    if in_list:
        body.append("</ul>")
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Feedback for {html.escape(student)}"
            "</title></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def _safe_name(student: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in student).lstrip(".")
    return keep or "_"


def write_outputs(report: Report, out: Path) -> None:
    """Write ``grades.csv``, ``grades.json`` and ``feedback/`` atomically."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for r in report.rows:
        w.writerow([r.student_id, r.lesson_id, r.exercise_id, _fmt(r.score), _fmt(r.max_score), r.status])
    students: dict[str, list[NotebookReport]] = {}
    for rep in report.notebooks:
        students.setdefault(rep.student, []).append(rep)
    for student, reps in students.items():
        md = _feedback_md(student, reps)
        _atomic_write(out / "feedback" / f"{_safe_name(student)}.md", md)
        _atomic_write(out / "feedback" / f"{_safe_name(student)}.html", _feedback_html(student, md))
    detail: dict[str, Any] = {
        "seed": report.seed,
        "settings": report.settings,
        "layout": report.layout,
        "warnings": report.warnings,
        "faults": report.faults,
        "notebooks": [
            {
                "student": rep.student, "lesson": rep.lesson, "path": rep.path,
                "notebook_status": rep.notebook_status, "notes": rep.notes, "diagnostics": rep.diagnostics,
                "exercises": [
                    {"id": r.exercise.id, "status": r.status, "score": round(r.score, 4),
                     "max_score": r.exercise.points, "message": r.message,
                     "cases": [{"public": c.public, "label": c.label, "status": c.status, "message": c.message,
                                "mistake": c.mistake} for c in r.cases]}
                    for r in rep.results
                ],
            }
            for rep in report.notebooks
        ],
    }
    exercises: dict[str, Any] = {}
    for rep in report.notebooks:
        for r in rep.results:
            ex = r.exercise
            exercises.setdefault(ex.id, {"lesson": ex.lesson, "title": ex.title, "points": ex.points,
                                         "mistakes": {m.name: m.hint for m in ex.mistakes}})
    detail["exercises"] = exercises
    detail["feedback"] = {student: f"feedback/{_safe_name(student)}.html" for student in students}
    _atomic_write(out / "grades.json", json.dumps(detail, indent=1) + "\n")
    _atomic_write(out / "grades.csv", buf.getvalue())


# ---------------------------------------------------------------------- command line
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m autograder grade",
                                description="Grade submitted notebooks with the hidden tests, in sandboxed kernels.")
    p.add_argument("submissions", type=Path, help="SUBMISSIONS/<student>/<lesson>.ipynb or nbgrader's submitted/")
    p.add_argument("--out", type=Path, required=True, help="output directory: grades.csv, grades.json, feedback/")
    p.add_argument("--jobs", type=int, default=None,
                   help="notebooks graded at once (default: one per core, fewer if memory would not hold "
                   "that many kernels at --memory)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per cell and per test case (default 30)")
    p.add_argument("--memory", type=int, default=2048, help="memory per kernel in MiB (default 2048)")
    p.add_argument("--solutions", type=Path, default=Path("solutions"), help="solution notebooks (default solutions)")
    p.add_argument("--seed", type=int, default=None,
                   help="seed of the hidden cases (default: a secret one, written to grades.json)")
    p.add_argument("--exercise-budget", type=float, default=None,
                   help="wall-clock seconds per exercise, answer cell and cases together (default 3 x timeout)")
    p.add_argument("--notebook-budget", type=float, default=None,
                   help="wall-clock seconds per notebook (default 10 x timeout)")
    p.add_argument("--all-lessons", action="store_true",
                   help="grade every lesson for every student (default: only lessons someone submitted)")
    p.add_argument("--shard", type=shard_argument, default=None, metavar="K/N",
                   help="grade only share K of N (0 <= K < N) of the students (needs --seed); join with `merge`")
    p.add_argument("--no-report", action="store_true", help="do not write OUT/report.html")
    p.add_argument("--no-warm", action="store_true",
                   help="start every kernel afresh instead of forking it from a warm template (slower)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: 0 when every notebook got its rows, 2 for bad arguments, 1 for a
    fault of the grader (the rows of every other notebook are still written)."""
    parser = _parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else 2
    try:
        report = grade(args.submissions, args.out, jobs=args.jobs, timeout=args.timeout, memory_mb=args.memory,
                       solutions=args.solutions, seed=args.seed, all_lessons=args.all_lessons,
                       exercise_budget=args.exercise_budget, notebook_budget=args.notebook_budget, shard=args.shard,
                       warm=False if args.no_warm else None)
    except GradingError as exc:
        print(f"grade: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a fault of the grader itself
        print(f"grade: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    for w in report.warnings:
        print(f"grade: warning: {w}", file=sys.stderr)
    n_students = len({r.student_id for r in report.rows})
    print(f"graded {len(report.notebooks)} notebook(s) of {n_students} student(s) into {args.out / 'grades.csv'}")
    print(f"hidden-case seed {report.seed} (in grades.json; pass --seed {report.seed} to grade again with the same cases)")
    for fault in report.faults:
        print(f"grade: internal error: {fault}", file=sys.stderr)
    if not args.no_report:
        from .report import write_report

        try:
            print(f"class report: {write_report(args.out)}")
        except Exception as exc:  # noqa: BLE001 - the grades are written; say what is missing
            print(f"grade: the class report could not be written: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    return 1 if report.faults else 0
