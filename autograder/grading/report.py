"""The class at a glance: ``python -m autograder report OUT`` writes ``OUT/report.html``.

One self-contained page (no scripts, no network: the plots are inline SVG) built from
``OUT/grades.json``:

* per lesson, how the students' totals are distributed (a histogram in tenths of the
  lesson's points) and their mean;
* per exercise, the distribution of its scores and of its statuses, ordered from the
  exercise with the lowest mean score (the one the class found hardest);
* the recognised mistakes, ranked by how many students made them, with the hint each got
  (what the next lecture could address);
* the students with ``tampered``, ``flagged`` or ``timeout`` rows, and why;
* every student's feedback page (``feedback/<student>.html``), linked.

``grade`` writes the page after every run; ``merge`` after joining shards.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Sequence

STATUS_COLOURS = {
    "passed": "#2e7d32", "failed": "#f9a825", "error": "#c62828", "timeout": "#6a1b9a",
    "resource-limit": "#ad1457", "not-attempted": "#9e9e9e", "missing": "#424242", "tampered": "#000000",
}
ATTENTION = ("tampered", "flagged", "timeout")


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _histogram(values: list[float], *, bins: int = 10, width: int = 320, height: int = 110, label: str) -> str:
    """An SVG histogram of fractions in [0, 1] (the last bin includes 1)."""
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v * bins)))] += 1
    top = max(counts) or 1
    bar_w = (width - 20) / bins
    parts = [f'<svg class="plot" role="img" aria-label="{_e(label)}" width="{width}" height="{height + 30}" '
             f'viewBox="0 0 {width} {height + 30}" xmlns="http://www.w3.org/2000/svg"><title>{_e(label)}</title>']
    for i, c in enumerate(counts):
        h = (height - 14) * c / top
        x = 10 + i * bar_w
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{height - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                     f'fill="#1565c0"><title>{i * 100 // bins}-{(i + 1) * 100 // bins}%: {c}</title></rect>')
        if c:
            parts.append(f'<text x="{x + bar_w / 2 - 1:.1f}" y="{height - h - 3:.1f}" font-size="10" '
                         f'text-anchor="middle">{c}</text>')
    parts.append(f'<line x1="10" y1="{height}" x2="{width - 10}" y2="{height}" stroke="#333"/>')
    for i in (0, bins // 2, bins):
        parts.append(f'<text x="{10 + i * bar_w:.1f}" y="{height + 14}" font-size="10" text-anchor="middle">'
                     f'{i * 100 // bins}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def _status_bar(counts: Counter, *, width: int = 220, height: int = 16) -> str:
    total = sum(counts.values()) or 1
    x = 0.0
    parts = [f'<svg class="plot status-bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'xmlns="http://www.w3.org/2000/svg">']
    for status, colour in STATUS_COLOURS.items():
        n = counts.get(status, 0)
        if not n:
            continue
        w = width * n / total
        parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{colour}">'
                     f'<title>{_e(status)}: {n}</title></rect>')
        x += w
    parts.append("</svg>")
    return "".join(parts)


def build_report(detail: dict[str, Any]) -> str:
    """The HTML page for one ``grades.json`` (as loaded)."""
    notebooks = detail.get("notebooks", [])
    exercises_meta = detail.get("exercises", {})
    feedback = detail.get("feedback", {})
    students = sorted({n["student"] for n in notebooks})
    lessons: dict[str, list[dict]] = defaultdict(list)
    for n in notebooks:
        lessons[n["lesson"]].append(n)
    out = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Class report</title>',
           "<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}"
           "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:middle}"
           "th{background:#eee}.num{text-align:right}</style></head><body>",
           "<h1>Class report</h1>",
           f'<p id="summary">{len(students)} student(s), {len(lessons)} lesson(s), '
           f'{len(notebooks)} notebook(s) graded; hidden-case seed {_e(detail.get("seed", ""))}.</p>']
    # ------------------------------------------------------------------ lessons
    out.append('<h2>Scores per lesson</h2><div id="lessons">')
    for lesson, nbs in sorted(lessons.items()):
        fractions = []
        for n in nbs:
            got = sum(e["score"] for e in n["exercises"])
            possible = sum(e["max_score"] for e in n["exercises"]) or 1
            fractions.append(got / possible)
        mean = 100 * sum(fractions) / len(fractions) if fractions else 0.0
        out.append(f'<section class="lesson"><h3>{_e(lesson)}</h3><p>{len(nbs)} student(s), mean {mean:.0f}% '
                   "of the points.</p>")
        out.append(_histogram(fractions, label=f"{lesson}: students by share of the points"))
        out.append("</section>")
    out.append("</div>")
    # ------------------------------------------------------------------ exercises, hardest first
    per_ex: dict[str, list[dict]] = defaultdict(list)
    for n in notebooks:
        for e in n["exercises"]:
            per_ex[e["id"]].append(e)
    rows = []
    for ex_id, results in per_ex.items():
        fractions = [e["score"] / e["max_score"] if e["max_score"] else 0.0 for e in results]
        rows.append((sum(fractions) / len(fractions), ex_id, fractions, Counter(e["status"] for e in results)))
    rows.sort()
    out.append('<h2>Exercises, hardest first</h2><table id="exercises"><thead><tr><th>exercise</th><th>title</th>'
               "<th>mean score</th><th>scores</th><th>statuses</th></tr></thead><tbody>")
    for mean, ex_id, fractions, statuses in rows:
        title = exercises_meta.get(ex_id, {}).get("title", "")
        legend = ", ".join(f"{s} {statuses[s]}" for s in STATUS_COLOURS if statuses.get(s))
        out.append(f'<tr data-exercise="{_e(ex_id)}"><td>{_e(ex_id)}</td><td>{_e(title)}</td>'
                   f'<td class="num">{100 * mean:.0f}%</td>'
                   f"<td>{_histogram(fractions, bins=5, width=180, height=50, label=f'{ex_id}: scores')}</td>"
                   f"<td>{_status_bar(statuses)}<br><small>{_e(legend)}</small></td></tr>")
    out.append("</tbody></table>")
    # ------------------------------------------------------------------ mistakes
    made: dict[tuple[str, str], set[str]] = defaultdict(set)
    for n in notebooks:
        for e in n["exercises"]:
            for c in e.get("cases", []):
                if c.get("mistake"):
                    made[(e["id"], c["mistake"])].add(n["student"])
    ranked = sorted(made.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    out.append('<h2>Recognised mistakes</h2><table id="mistakes"><thead><tr><th>students</th><th>exercise</th>'
               "<th>mistake</th><th>hint they got</th></tr></thead><tbody>")
    for (ex_id, name), who in ranked:
        hint = exercises_meta.get(ex_id, {}).get("mistakes", {}).get(name, "")
        out.append(f'<tr><td class="num">{len(who)}</td><td>{_e(ex_id)}</td><td>{_e(name)}</td><td>{_e(hint)}</td></tr>')
    if not ranked:
        out.append('<tr><td colspan="4">no recognised mistakes</td></tr>')
    out.append("</tbody></table>")
    # ------------------------------------------------------------------ attention
    out.append('<h2>Students to look at</h2><table id="attention"><thead><tr><th>student</th><th>lesson</th>'
               "<th>status</th><th>why</th></tr></thead><tbody>")
    flagged_any = False
    for n in sorted(notebooks, key=lambda n: (n["student"], n["lesson"])):
        statuses = [n["notebook_status"]] if n.get("notebook_status") in ATTENTION else []
        statuses += sorted({e["id"] + ": timeout" for e in n["exercises"] if e["status"] == "timeout"})
        if not statuses:
            continue
        flagged_any = True
        link = feedback.get(n["student"], "")
        name = f'<a href="{_e(link)}">{_e(n["student"])}</a>' if link else _e(n["student"])
        out.append(f"<tr><td>{name}</td><td>{_e(n['lesson'])}</td><td>{_e('; '.join(statuses))}</td>"
                   f"<td>{_e('; '.join(n.get('notes', [])))}</td></tr>")
    if not flagged_any:
        out.append('<tr><td colspan="4">none</td></tr>')
    out.append("</tbody></table>")
    # ------------------------------------------------------------------ feedback links
    out.append('<h2>Feedback</h2><ul id="feedback">')
    for student in students:
        link = feedback.get(student)
        if link:
            out.append(f'<li><a href="{_e(link)}">{_e(student)}</a></li>')
    out.append("</ul>")
    if detail.get("warnings"):
        out.append("<h2>Grader warnings</h2><ul>" + "".join(f"<li>{_e(w)}</li>" for w in detail["warnings"]) + "</ul>")
    out.append("</body></html>\n")
    return "\n".join(out)


def write_report(out: Path) -> Path:
    """Write ``out/report.html`` from ``out/grades.json``; returns its path."""
    from . import _atomic_write

    detail = json.loads((Path(out) / "grades.json").read_text(encoding="utf-8"))
    path = Path(out) / "report.html"
    _atomic_write(path, build_report(detail))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder report",
                                     description="Write OUT/report.html from a grading run's OUT/grades.json.")
    parser.add_argument("out", type=Path, help="the output directory of `grade` or `merge`")
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return 0 if exc.code in (0, None) else 2
    if not (args.out / "grades.json").is_file():
        print(f"report: no grades.json in {str(args.out)!r} (run `python -m autograder grade` first)", file=sys.stderr)
        return 2
    try:
        path = write_report(args.out)
    except (ValueError, KeyError, TypeError) as exc:
        print(f"report: {args.out / 'grades.json'} is not a grades file of this grader ({exc})", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0
