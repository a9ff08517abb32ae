"""The class at a glance: ``python -m autograder report OUT`` writes ``OUT/report.html``.

The page is read from what ``python -m autograder grade`` (or ``merge``) wrote into
``OUT``: ``grades.csv`` for the scores and statuses, ``grades.json`` for the notebooks'
notes and every case's message, ``feedback/`` for the links.  It shows

* per lesson, the distribution of the students' totals and, per exercise, how many
  students got no points, less than half, half or more, full marks, or handed nothing in
  (plots, and the same numbers in a table);
* the exercises the class finds hardest: lowest mean score first, the mean taken over the
  students who handed the exercise in (status other than ``missing``);
* the recognised mistakes, ranked by how many students made them;
* the students with a ``tampered``, ``flagged``, ``unreadable`` or ``timeout`` row, with
  the grader's notes;
* every student's totals with a link to their feedback file.

**Recognised mistakes.**  ``grades.json`` keeps each failed case's message, which ends
with the hint the learner was shown (``"... Hint: <hint>"``); the hint is the general one
or a :class:`autograder.exercise.Mistake`'s.  The report names the mistake whose hint
ends the message, using the exercise definitions (the course's registry by default).
One answer is one piece of code, so a student is counted once per exercise, for the
mistake recognised on most of their cases (on a tie, the one listed first); two mistakes
can give the same wrong value on some inputs (summing ``[0.5]`` and summing its absolute
values), and the most frequent one is the better explanation.

The page is one file: plots are PNG images embedded as ``data:`` URLs, the style sheet is
inline, and there is no script: it opens offline from a file or a web server.
"""

from __future__ import annotations

import argparse
import base64
import csv
import html
import io
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence
from urllib.parse import quote

__all__ = ["ClassSummary", "ExerciseStats", "MistakeStats", "summarise", "render", "write_report", "main",
           "ATTENTION", "BANDS"]

NOTEBOOK_ROW = "(notebook)"
ATTENTION = ("tampered", "flagged", "unreadable", "timeout")
"""Statuses that put a student in the "to look at" table."""
BANDS = ("no points", "below half", "half or more", "full marks", "not handed in")
"""Score bands of the per-exercise plot and table (``not handed in``: status ``missing``)."""
_BAND_COLOURS = ("#d7301f", "#fc8d59", "#fdcc8a", "#1a9850", "#bdbdbd")
HARDEST_SHOWN = 10


class ReportError(ValueError):
    """``OUT`` does not hold a grading run's output; the message says what is missing."""


@dataclass
class ExerciseStats:
    """One exercise across the class."""

    lesson: str
    id: str
    title: str
    max_score: float
    scores: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)

    @property
    def handed_in(self) -> list[str]:
        """Students whose status is not ``missing``, sorted."""
        return sorted(s for s, status in self.statuses.items() if status != "missing")

    @property
    def mean_fraction(self) -> float | None:
        """Mean score / max score over the students who handed it in (None if nobody did)."""
        who = self.handed_in
        if not who or not self.max_score:
            return None
        return sum(self.scores[s] for s in who) / (len(who) * self.max_score)

    def band(self, student: str) -> str:
        if self.statuses[student] == "missing":
            return BANDS[4]
        frac = self.scores[student] / self.max_score if self.max_score else 0.0
        if frac >= 1.0 - 1e-9:
            return BANDS[3]
        if frac <= 0.0:
            return BANDS[0]
        return BANDS[2] if frac >= 0.5 else BANDS[1]

    def band_counts(self) -> dict[str, int]:
        counts = Counter(self.band(s) for s in self.statuses)
        return {b: counts.get(b, 0) for b in BANDS}


@dataclass
class MistakeStats:
    """A recognised mistake and the students it was recognised in."""

    exercise: str
    name: str
    hint: str
    students: list[str]


@dataclass
class ClassSummary:
    """Everything the page shows, computed from ``OUT`` (see :func:`summarise`)."""

    out: Path
    students: list[str]
    lessons: dict[str, list[ExerciseStats]]
    totals: dict[tuple[str, str], tuple[float, float]]
    submitted: dict[tuple[str, str], bool]
    mistakes: list[MistakeStats]
    attention: list[tuple[str, str, str, str, list[str]]]
    feedback: dict[str, list[str]]
    warnings: list[str]
    faults: list[str]
    unknown_exercises: list[str]
    seed: Any = None

    @property
    def hardest(self) -> list[ExerciseStats]:
        """Exercises that someone handed in, lowest mean score first (ties: in course order)."""
        stats = [ex for exs in self.lessons.values() for ex in exs]
        order = {id(ex): i for i, ex in enumerate(stats)}
        return sorted((ex for ex in stats if ex.mean_fraction is not None),
                      key=lambda ex: (ex.mean_fraction, order[id(ex)]))


def _safe_name(student: str) -> str:
    from . import _safe_name as safe

    return safe(student)


def _fmt(x: float) -> str:
    """A score for reading: at most two decimals, no trailing zeros (``1.33``, ``2``)."""
    return f"{x:.2f}".rstrip("0").rstrip(".") if round(x, 2) != int(round(x, 2)) else str(int(round(x, 2)))


def _read(out: Path) -> tuple[list[dict[str, str]], dict[str, Any]]:
    csv_path, json_path = out / "grades.csv", out / "grades.json"
    for p in (csv_path, json_path):
        if not p.is_file():
            raise ReportError(f"{out}: no {p.name}; run `python -m autograder grade SUBMISSIONS --out {out}` first")
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    need = {"student_id", "lesson_id", "exercise_id", "score", "max_score", "status"}
    if rows and not need <= set(rows[0]):
        raise ReportError(f"{csv_path}: expected the columns {', '.join(sorted(need))}")
    try:
        detail = json.loads(json_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ReportError(f"{json_path}: not JSON ({exc})") from None
    if not isinstance(detail, dict):
        raise ReportError(f"{json_path}: expected an object with a 'notebooks' list")
    return rows, detail


def _recognised(exercise: Any, cases: Sequence[Mapping[str, Any]]) -> tuple[str, str] | None:
    """The mistake named on most failed cases of one answer: ``(name, hint)`` or None."""
    mistakes = list(getattr(exercise, "mistakes", ()) or ())
    counts: Counter[int] = Counter()
    for case in cases:
        message = case.get("message") if isinstance(case, Mapping) else None
        if not isinstance(case, Mapping) or case.get("status") != "failed" or not isinstance(message, str):
            continue
        for i, m in enumerate(mistakes):
            if m.hint and message.endswith(f"Hint: {m.hint}") and m.hint != exercise.hint:
                counts[i] += 1
                break
    if not counts:
        return None
    best = max(counts.values())
    i = min(i for i, n in counts.items() if n == best)
    return mistakes[i].name, mistakes[i].hint


def summarise(out: Path, *, registry: Mapping[str, Any] | None = None) -> ClassSummary:
    """Read ``out``'s grading results into a :class:`ClassSummary`.

    Args:
        out: A directory written by ``grade`` or ``merge``.
        registry: Exercises by id, for titles and mistake names (default: the course's,
            :func:`autograder.exercises.registry`).

    Raises:
        ReportError: ``grades.csv`` or ``grades.json`` is missing or malformed.
    """
    out = Path(out)
    rows, detail = _read(out)
    if registry is None:
        from ..exercises import registry as course_registry

        registry = course_registry()
    students: list[str] = []
    lessons: dict[str, list[ExerciseStats]] = {}
    by_key: dict[tuple[str, str], ExerciseStats] = {}
    totals: dict[tuple[str, str], tuple[float, float]] = {}
    submitted: dict[tuple[str, str], bool] = {}
    attention: list[tuple[str, str, str, str, list[str]]] = []
    notes = {(nb.get("student"), nb.get("lesson")): list(nb.get("notes") or [])
             for nb in detail.get("notebooks", []) if isinstance(nb, Mapping)}
    for r in rows:
        student, lesson, ex_id, status = r["student_id"], r["lesson_id"], r["exercise_id"], r["status"]
        try:
            score, max_score = float(r["score"]), float(r["max_score"])
        except ValueError:
            raise ReportError(f"{out / 'grades.csv'}: row {r} has a score that is not a number") from None
        if student not in students:
            students.append(student)
        if status in ATTENTION:
            attention.append((student, lesson, ex_id, status, notes.get((student, lesson), [])))
        if ex_id == NOTEBOOK_ROW:
            continue
        key = (lesson, ex_id)
        if key not in by_key:
            ex = registry.get(ex_id)
            by_key[key] = ExerciseStats(lesson, ex_id, getattr(ex, "title", "") or "", max_score)
            lessons.setdefault(lesson, []).append(by_key[key])
        by_key[key].scores[student] = score
        by_key[key].statuses[student] = status
        got, possible = totals.get((student, lesson), (0.0, 0.0))
        totals[(student, lesson)] = (got + score, possible + max_score)
        submitted[(student, lesson)] = submitted.get((student, lesson), False) or status != "missing"
    students.sort()
    recognised: dict[tuple[str, str], MistakeStats] = {}
    unknown: list[str] = []
    for nb in detail.get("notebooks", []):
        if not isinstance(nb, Mapping):
            continue
        for ex_result in nb.get("exercises") or []:
            if not isinstance(ex_result, Mapping):
                continue
            ex_id = ex_result.get("id")
            ex = registry.get(ex_id) if isinstance(ex_id, str) else None
            if ex is None:
                if isinstance(ex_id, str) and ex_id not in unknown:
                    unknown.append(ex_id)
                continue
            found = _recognised(ex, [c for c in ex_result.get("cases") or [] if isinstance(c, Mapping)])
            if found is None:
                continue
            entry = recognised.setdefault((ex_id, found[0]), MistakeStats(ex_id, found[0], found[1], []))
            if nb.get("student") not in entry.students:
                entry.students.append(str(nb.get("student")))
    order = {ex.id: i for i, ex in enumerate(ex for exs in lessons.values() for ex in exs)}
    mistakes = sorted(recognised.values(), key=lambda m: (-len(m.students), order.get(m.exercise, len(order)), m.name))
    for m in mistakes:
        m.students.sort()
    feedback = {}
    for s in students:
        name = _safe_name(s)
        feedback[s] = [f"feedback/{name}{ext}" for ext in (".html", ".md") if (out / "feedback" / f"{name}{ext}").is_file()]
    return ClassSummary(
        out=out, students=students, lessons=lessons, totals=totals, submitted=submitted, mistakes=mistakes,
        attention=attention, feedback=feedback,
        warnings=[str(w) for w in detail.get("warnings") or []], faults=[str(f) for f in detail.get("faults") or []],
        unknown_exercises=unknown, seed=detail.get("seed"),
    )


# ---------------------------------------------------------------------- plots
def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _totals_plot(summary: ClassSummary, lesson: str) -> str:
    from matplotlib.figure import Figure

    exs = summary.lessons[lesson]
    possible = sum(ex.max_score for ex in exs)
    pct = [100.0 * summary.totals[(s, lesson)][0] / possible for s in summary.students
           if summary.submitted.get((s, lesson)) and possible]
    fig = Figure(figsize=(6.0, 2.8))
    ax = fig.add_subplot()
    ax.hist(pct, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.0001], color="#4575b4", edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"total score (% of {_fmt(possible)} points)")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"{lesson}: {len(pct)} notebook(s) handed in")
    fig.tight_layout()
    return _png(fig)


def _exercise_plot(summary: ClassSummary, lesson: str) -> str:
    from matplotlib.figure import Figure

    exs = summary.lessons[lesson]
    fig = Figure(figsize=(7.0, 1.0 + 0.45 * len(exs)))
    ax = fig.add_subplot()
    left = [0] * len(exs)
    y = list(range(len(exs)))[::-1]
    for band, colour in zip(BANDS, _BAND_COLOURS):
        counts = [ex.band_counts()[band] for ex in exs]
        ax.barh(y, counts, left=left, color=colour, label=band, edgecolor="white")
        left = [a + b for a, b in zip(left, counts)]
    ax.set_yticks(y, [ex.id for ex in exs])
    ax.set_xlabel("students")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"{lesson}: score per exercise")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.45 if len(exs) < 4 else -0.2), ncol=len(BANDS),
              fontsize="small", frameon=False)
    fig.tight_layout()
    return _png(fig)


def _mistakes_plot(summary: ClassSummary) -> str:
    from matplotlib.figure import Figure

    shown = summary.mistakes[:15]
    fig = Figure(figsize=(7.0, 1.0 + 0.4 * len(shown)))
    ax = fig.add_subplot()
    y = list(range(len(shown)))[::-1]
    ax.barh(y, [len(m.students) for m in shown], color="#d73027")
    ax.set_yticks(y, [f"{m.exercise}: {m.name}" for m in shown])
    ax.set_xlabel("students")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title("recognised mistakes")
    fig.tight_layout()
    return _png(fig)


# ---------------------------------------------------------------------- page
_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
img.plot { display: block; max-width: 100%; height: auto; margin: 0.8em 0; }
.muted { color: #666; } .bad { color: #b2182b; font-weight: 600; }
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _student_cell(summary: ClassSummary, student: str) -> str:
    links = summary.feedback.get(student) or []
    if not links:
        return _e(student)
    return f'<a href="{_e(quote(links[0]))}">{_e(student)}</a>'


def _table(table_id: str, header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f'<table id="{_e(table_id)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.0f}%"


def render(summary: ClassSummary) -> str:
    """The HTML page of :func:`summarise`'s summary (one self-contained document)."""
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Class report</title>"
             f"<style>{_CSS}</style></head><body>",
             "<h1>Class report</h1>",
             f"<p id=\"overview\">{len(summary.students)} student(s), {len(summary.lessons)} lesson(s): "
             f"{_e(', '.join(summary.lessons))}."
             + (f" Hidden cases drawn with seed {_e(summary.seed)}." if summary.seed is not None else "")
             + "</p>"]
    if summary.faults:
        parts.append(f"<p class=\"bad\">The grader failed on {len(summary.faults)} notebook(s); see the end of the page.</p>")

    parts.append("<h2 id=\"hardest-exercises\">Hardest exercises</h2>"
                 "<p>Lowest mean score first, over the students who handed the exercise in "
                 "(an answer left blank counts as no points).</p>")
    hardest = summary.hardest[:HARDEST_SHOWN]
    parts.append(_table("hardest", ["rank", "exercise", "lesson", "title", "mean score", "full marks", "handed in",
                                    "statuses"], [
        [str(i + 1), _e(ex.id), _e(ex.lesson), _e(ex.title), _pct(ex.mean_fraction),
         str(ex.band_counts()[BANDS[3]]), str(len(ex.handed_in)),
         _e(", ".join(f"{s} {n}" for s, n in sorted(Counter(ex.statuses.values()).items(), key=lambda kv: (-kv[1], kv[0]))))]
        for i, ex in enumerate(hardest)], numeric=(0, 4, 5, 6)))

    parts.append("<h2 id=\"recognised-mistakes\">Recognised mistakes</h2>"
                 "<p>Ranked by the number of students whose answer made them (once per student and exercise).</p>")
    if summary.mistakes:
        parts.append(f'<img class="plot" id="plot-mistakes" alt="recognised mistakes by number of students" '
                     f'src="data:image/png;base64,{_mistakes_plot(summary)}">')
        parts.append(_table("mistakes", ["rank", "students", "exercise", "mistake", "hint shown", "who"], [
            [str(i + 1), str(len(m.students)), _e(m.exercise), _e(m.name), _e(m.hint),
             ", ".join(_student_cell(summary, s) for s in m.students)]
            for i, m in enumerate(summary.mistakes)], numeric=(0, 1)))
    else:
        parts.append(_table("mistakes", ["rank", "students", "exercise", "mistake", "hint shown", "who"], []))
        parts.append("<p class=\"muted\">No answer matched a recognised mistake.</p>")
    if summary.unknown_exercises:
        parts.append(f"<p class=\"muted\">Not in the exercise definitions, so their mistakes are not named: "
                     f"{_e(', '.join(summary.unknown_exercises))}.</p>")

    parts.append("<h2 id=\"to-look-at\">Notebooks to look at</h2>"
                 f"<p>Rows with status {_e(', '.join(ATTENTION))}.</p>")
    parts.append(_table("attention", ["student", "lesson", "exercise", "status", "grader's notes"], [
        [_student_cell(summary, s), _e(lesson), _e(ex), f'<span class="bad">{_e(status)}</span>',
         _e("; ".join(notes)) if ex == NOTEBOOK_ROW else ""]
        for s, lesson, ex, status, notes in summary.attention]))
    if not summary.attention:
        parts.append("<p class=\"muted\">None.</p>")

    for lesson, exs in summary.lessons.items():
        parts.append(f"<h2 id=\"lesson-{_e(lesson)}\">Lesson {_e(lesson)}</h2>")
        parts.append(f'<img class="plot" alt="distribution of the totals in {_e(lesson)}" '
                     f'src="data:image/png;base64,{_totals_plot(summary, lesson)}">')
        parts.append(f'<img class="plot" alt="score bands per exercise in {_e(lesson)}" '
                     f'src="data:image/png;base64,{_exercise_plot(summary, lesson)}">')
        parts.append(_table(f"exercises-{lesson}", ["exercise", "title", "points", "mean score", *BANDS], [
            [_e(ex.id), _e(ex.title), _fmt(ex.max_score), _pct(ex.mean_fraction),
             *[str(n) for n in ex.band_counts().values()]]
            for ex in exs], numeric=tuple(range(2, 4 + len(BANDS)))))

    parts.append("<h2 id=\"all-students\">Students</h2><p>Each name links to the student's feedback.</p>")
    lessons = list(summary.lessons)
    parts.append(_table("students", ["student", *lessons, "feedback"], [
        [_student_cell(summary, s),
         *[(f"{_fmt(summary.totals[(s, lesson)][0])} / {_fmt(summary.totals[(s, lesson)][1])}"
            if summary.submitted.get((s, lesson)) else '<span class="muted">not handed in</span>')
           if (s, lesson) in summary.totals else "" for lesson in lessons],
         " ".join(f'<a href="{_e(quote(link))}">{_e(Path(link).suffix[1:])}</a>' for link in summary.feedback.get(s, []))]
        for s in summary.students], numeric=tuple(range(1, 1 + len(lessons)))))

    if summary.warnings or summary.faults:
        parts.append("<h2 id=\"grader\">The grader's warnings and faults</h2><ul>")
        parts += [f"<li>{_e(w)}</li>" for w in summary.warnings]
        parts += [f"<li class=\"bad\">{_e(f)}</li>" for f in summary.faults]
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(out: Path, *, registry: Mapping[str, Any] | None = None) -> Path:
    """Write ``out/report.html`` (atomically) and return its path; see :func:`summarise`."""
    from . import _atomic_write

    out = Path(out)
    page = render(summarise(out, registry=registry))
    target = out / "report.html"
    _atomic_write(target, page)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m autograder report OUT``: 0 when written, 2 when ``OUT`` is not a graded folder."""
    parser = argparse.ArgumentParser(prog="python -m autograder report",
                                     description="Write OUT/report.html: the class at a glance.")
    parser.add_argument("out", type=Path, help="a folder written by `python -m autograder grade` or `merge`")
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else 2
    try:
        path = write_report(args.out)
    except ReportError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    print(f"class report: {path}")
    return 0
