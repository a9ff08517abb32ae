"""Join sharded grading runs: ``python -m autograder merge SHARD_OUT... --out OUT``.

Each shard (``grade --shard K/N --seed S``) grades a disjoint, deterministic share of the
students and writes its own ``grades.csv``, ``grades.json`` and ``feedback/``.  ``merge``
checks that the shards belong together (the same seed, the same lessons and limits, no
student twice) and writes the union as one run would have: rows ordered by student, the
feedback files, ``grades.json`` and ``report.html``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any, Sequence

from . import CSV_HEADER, GradingError, _atomic_write


def _load(out: Path) -> tuple[list[list[str]], dict[str, Any]]:
    if not (out / "grades.csv").is_file() or not (out / "grades.json").is_file():
        raise GradingError(f"{str(out)!r}: not a grading output (grades.csv and grades.json expected)")
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or tuple(rows[0]) != CSV_HEADER:
        raise GradingError(f"{str(out / 'grades.csv')!r}: unexpected header {rows[0] if rows else []}")
    return rows[1:], json.loads((out / "grades.json").read_text(encoding="utf-8"))


def merge(shards: Sequence[Path], out: Path) -> int:
    """Merge ``shards`` into ``out``; returns the number of students."""
    if not shards:
        raise GradingError("merge: give the output directories of the shards")
    out = Path(out).resolve()
    loaded = [(Path(s).resolve(), *_load(Path(s))) for s in shards]
    seeds = {d.get("seed") for _, _, d in loaded}
    if len(seeds) != 1:
        raise GradingError(f"merge: the shards used different seeds {sorted(map(str, seeds))}; grade every shard "
                           "with the same --seed")
    keys = ("timeout", "memory_mb", "exercise_budget", "notebook_budget", "lessons")
    settings = [{k: d.get("settings", {}).get(k) for k in keys} for _, _, d in loaded]
    if any(s != settings[0] for s in settings):
        raise GradingError("merge: the shards were graded with different settings or lessons")
    owner: dict[str, int] = {}
    rows: list[list[str]] = []
    notebooks: list[dict] = []
    warnings: list[str] = []
    faults: list[str] = []
    exercises: dict[str, Any] = {}
    feedback: dict[str, str] = {}
    for i, (path, shard_rows, detail) in enumerate(loaded):
        for r in shard_rows:
            if owner.get(r[0], i) != i:
                raise GradingError(f"merge: student {r[0]!r} is in two shards ({loaded[owner[r[0]]][0]} and {path})")
            owner[r[0]] = i
        rows += shard_rows
        notebooks += detail.get("notebooks", [])
        warnings += [w for w in detail.get("warnings", []) if w not in warnings]
        faults += detail.get("faults", [])
        exercises.update(detail.get("exercises", {}))
        feedback.update(detail.get("feedback", {}))
    rows.sort(key=lambda r: r[0])  # stable: each student's rows keep their order
    notebooks.sort(key=lambda n: n["student"])
    layouts = {d.get("layout") for _, _, d in loaded} - {None}
    merged = {
        "seed": seeds.pop(), "settings": {**loaded[0][2].get("settings", {}), "shard": None,
                                          "merged_from": [str(p) for p, _, _ in loaded]},
        "layout": layouts.pop() if len(layouts) == 1 else "mixed",
        "warnings": warnings, "faults": faults, "notebooks": notebooks, "exercises": exercises,
        "feedback": feedback,
    }
    out.mkdir(parents=True, exist_ok=True)
    for path, _, _ in loaded:
        if (path / "feedback").is_dir() and path != out:
            (out / "feedback").mkdir(exist_ok=True)
            for f in (path / "feedback").iterdir():
                if f.is_file() and not f.is_symlink():
                    shutil.copyfile(f, out / "feedback" / f.name)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    w.writerows(rows)
    _atomic_write(out / "grades.json", json.dumps(merged, indent=1) + "\n")
    _atomic_write(out / "grades.csv", buf.getvalue())
    from .report import write_report

    write_report(out)
    return len(owner)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder merge",
                                     description="Join the outputs of sharded grading runs into one.")
    parser.add_argument("shards", type=Path, nargs="+", help="output directories of `grade --shard K/N`")
    parser.add_argument("--out", type=Path, required=True, help="where the merged grades.csv, grades.json, "
                        "feedback/ and report.html go")
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return 0 if exc.code in (0, None) else 2
    try:
        n = merge(args.shards, args.out)
    except GradingError as exc:
        print(str(exc) if str(exc).startswith("merge:") else f"merge: {exc}", file=sys.stderr)
        return 2
    print(f"merged {len(args.shards)} shard(s), {n} student(s), into {args.out / 'grades.csv'}")
    return 0
