"""Grading a class in shards, and joining the shards' results again.

``python -m autograder grade SUBMISSIONS --out OUT_K --shard K/N`` grades share ``K`` of
``N`` (``0 <= K < N``) of the class: the students, sorted by their folder name, are dealt
out in turn, so student number ``i`` of the sorted class belongs to shard ``i % N``.  The
lessons graded are still decided from the whole class, so every shard grades the same
lessons, and a student who lacks one gets the same ``missing`` rows as in one big run.
Next to ``grades.csv``, ``grades.json`` and ``feedback/`` a shard writes ``shard.json``:
its ``K`` and ``N``, the seed of the hidden cases, the lessons graded with their
exercises, the limits that change a grade (time and memory), and the whole class (every
student's id, so that a merge can tell a shard graded from another copy of the
submissions).

``python -m autograder merge OUT_0 OUT_1 ... --out OUT`` checks that the shards belong
together (see :func:`merge` for what it refuses) and writes ``OUT/grades.csv``,
``grades.json``, ``feedback/`` and ``report.html``: the rows are those one unsharded
``grade`` run writes, in the same order.

See ``docs/grading-at-scale.md`` for a Slurm job array and a Kubernetes indexed Job.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

__all__ = ["MANIFEST", "MergeError", "Shard", "parse_shard", "shard_argument", "select", "record", "merge", "main"]

MANIFEST = "shard.json"
FORMAT = 1


class MergeError(ValueError):
    """Shards that do not belong together (or are not shards); the message says why."""


@dataclass(frozen=True)
class Shard:
    """Share ``index`` of ``count`` (``0 <= index < count``)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not (isinstance(self.count, int) and self.count >= 1):
            raise ValueError(f"the number of shards must be a positive integer, got {self.count!r}")
        if not (isinstance(self.index, int) and 0 <= self.index < self.count):
            raise ValueError(f"K must be between 0 and {self.count - 1} for {self.count} shards "
                             f"(K/N counts from 0, as Slurm array and Kubernetes job indexes do), got {self.index!r}")

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"K/N"`` -> :class:`Shard`; :class:`ValueError` naming what was expected otherwise."""
    parts = str(text).strip().split("/")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"expected K/N with whole numbers, e.g. 0/4 (shard 0 of 4), got {text!r}")
    return Shard(int(parts[0]), int(parts[1]))


def shard_argument(text: str) -> Shard:
    """:func:`parse_shard` for ``argparse`` (its message becomes the usage error)."""
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def select(students: Sequence[str], shard: Shard) -> list[str]:
    """The students of ``shard``: sorted, every ``count``-th from position ``index``.

    Sorting first makes the share depend only on the class, not on the order a file
    system lists the folders in; dealing in turn keeps the shards' sizes within one.
    """
    return [s for i, s in enumerate(sorted(students)) if i % shard.count == shard.index]


def _atomic_write(path: Path, text: str) -> None:
    from . import _atomic_write as write

    write(path, text)


def record(out: Path, shard: Shard | None, *, seed: Any, roster: Sequence[str],
           lessons: Mapping[str, Sequence[str]], settings: Mapping[str, Any]) -> None:
    """Write ``out/shard.json`` for a sharded run; remove a stale one after an unsharded run.

    Args:
        out: The run's output directory.
        shard: The share graded, or ``None`` for the whole class.
        seed: The seed the hidden cases were drawn with.
        roster: Every student of the class (not only this shard's).
        lessons: The exercise ids of each lesson graded, by lesson id.
        settings: The limits every shard must share (``timeout``, ``memory_mb``).
    """
    path = Path(out) / MANIFEST
    if shard is None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        return
    manifest = {
        "format": FORMAT,
        "shard": shard.index,
        "shards": shard.count,
        "seed": seed,
        "lessons": {lesson: list(ids) for lesson, ids in lessons.items()},
        "settings": dict(settings),
        "class": sorted(roster),
        "students": select(roster, shard),
    }
    _atomic_write(path, json.dumps(manifest, indent=1) + "\n")


# ---------------------------------------------------------------------- merge
@dataclass
class _Input:
    path: Path
    manifest: dict[str, Any]
    header: list[str]
    rows: list[list[str]]
    detail: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.path} (shard {self.manifest['shard']}/{self.manifest['shards']})"


def _read_input(path: Path) -> _Input:
    if not path.is_dir():
        raise MergeError(f"{path}: expected the output directory of a sharded grading run, got no such directory")
    mpath = path / MANIFEST
    if not mpath.is_file():
        raise MergeError(f"{path}: no {MANIFEST}: not the output of `python -m autograder grade ... --shard K/N`")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MergeError(f"{mpath}: cannot be read as JSON ({exc})") from None
    keys = ("format", "shard", "shards", "seed", "lessons", "settings", "class", "students")
    if not isinstance(manifest, dict) or any(k not in manifest for k in keys):
        raise MergeError(f"{mpath}: expected the keys {', '.join(keys)}")
    if manifest["format"] != FORMAT:
        raise MergeError(f"{mpath}: format {manifest['format']!r}, this grader reads format {FORMAT}")
    try:
        Shard(manifest["shard"], manifest["shards"])
    except ValueError as exc:
        raise MergeError(f"{mpath}: {exc}") from None
    for name in ("grades.csv", "grades.json"):
        if not (path / name).is_file():
            raise MergeError(f"{path}: {name} is missing (the shard's grading did not finish?)")
    with open(path / "grades.csv", newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    try:
        detail = json.loads((path / "grades.json").read_text(encoding="utf-8"))
    except ValueError as exc:
        raise MergeError(f"{path / 'grades.json'}: cannot be read as JSON ({exc})") from None
    if not table or not isinstance(detail, dict) or not isinstance(detail.get("notebooks"), list):
        raise MergeError(f"{path}: grades.csv or grades.json is not what `grade` writes")
    return _Input(path, manifest, table[0], table[1:], detail)


def _same(inputs: list[_Input], key: str, what: str, hint: str) -> None:
    first = inputs[0]
    for other in inputs[1:]:
        if other.manifest[key] != first.manifest[key]:
            a, b = first.manifest[key], other.manifest[key]
            if isinstance(a, dict) and isinstance(b, dict):
                keys = [k for k in [*a, *(k for k in b if k not in a)] if a.get(k) != b.get(k)]
                shown = ", ".join(f"{k}: {a.get(k)!r} in {first.name}, {b.get(k)!r} in {other.name}" for k in keys[:3])
                raise MergeError(f"the shards were graded with different {what} ({shown}); {hint}")
            if isinstance(a, list) and isinstance(b, list):
                only_a = [x for x in a if x not in b]
                only_b = [x for x in b if x not in a]
                detail = "; ".join(part for part in (
                    f"only in {first.name}: {', '.join(map(str, only_a[:5]))}" if only_a else "",
                    f"only in {other.name}: {', '.join(map(str, only_b[:5]))}" if only_b else "",
                ) if part) or "same items in another order"
                raise MergeError(f"the shards were graded with different {what} ({detail}); {hint}")
            raise MergeError(f"the shards were graded with different {what}: {a!r} in {first.name}, "
                             f"{b!r} in {other.name}; {hint}")


def _check(inputs: list[_Input]) -> None:
    _same(inputs, "shards", "numbers of shards", "merge the shards of one run")
    _same(inputs, "seed", "seeds of the hidden cases",
          "grade every shard with the same --seed, or the students are not graded on the same cases")
    _same(inputs, "class", "classes", "grade every shard from the same SUBMISSIONS")
    _same(inputs, "lessons", "lessons", "grade every shard with the same --solutions and --all-lessons")
    _same(inputs, "settings", "limits", "grade every shard with the same --timeout and --memory")
    count = inputs[0].manifest["shards"]
    seen: dict[int, _Input] = {}
    for inp in inputs:
        k = inp.manifest["shard"]
        if k in seen:
            raise MergeError(f"shard {k}/{count} was given twice: {seen[k].path} and {inp.path}")
        seen[k] = inp
    missing = [k for k in range(count) if k not in seen]
    if missing:
        raise MergeError(f"missing shard(s) {', '.join(f'{k}/{count}' for k in missing)}: "
                         f"got {len(inputs)} of {count}")
    owner: dict[str, _Input] = {}
    header = inputs[0].header
    for inp in inputs:
        if inp.header != header:
            raise MergeError(f"{inp.path}/grades.csv has the columns {inp.header}, {inputs[0].path} has {header}")
        expected = set(select(inp.manifest["class"], Shard(inp.manifest["shard"], count)))
        if set(inp.manifest["students"]) != expected:
            raise MergeError(f"{inp.path}/{MANIFEST}: its students are not shard "
                             f"{inp.manifest['shard']}/{count} of its class")
        for row in inp.rows:
            student = row[0] if row else ""
            if student in owner and owner[student] is not inp:
                raise MergeError(f"student {student!r} has rows in both {owner[student].path} and {inp.path}")
            if student not in expected:
                raise MergeError(f"{inp.path}/grades.csv has rows of student {student!r}, who is not in shard "
                                 f"{inp.manifest['shard']}/{count}")
            owner[student] = inp
        for nb in inp.detail["notebooks"]:
            if not isinstance(nb, dict) or nb.get("student") not in expected:
                who = nb.get("student") if isinstance(nb, dict) else nb
                raise MergeError(f"{inp.path}/grades.json has a notebook of {who!r}, who is not in shard "
                                 f"{inp.manifest['shard']}/{count}")
        lacking = sorted(expected - {row[0] for row in inp.rows if row})
        if lacking and inp.manifest["lessons"]:
            raise MergeError(f"{inp.path}/grades.csv has no rows for {', '.join(map(repr, lacking[:5]))} "
                             f"(the shard's grading did not finish?)")


def _union(lists: list[list[Any]]) -> list[Any]:
    out: list[Any] = []
    for items in lists:
        for x in items:
            if x not in out:
                out.append(x)
    return out


def _compatible(mappings: list[dict[str, Any]]) -> bool:
    """Whether the mappings never give one key two different values."""
    seen: dict[str, Any] = {}
    for mapping in mappings:
        for key, value in mapping.items():
            if key in seen and seen[key] != value:
                return False
            seen[key] = value
    return True


def _merge_detail(inputs: list[_Input]) -> dict[str, Any]:
    """``grades.json`` of the whole class: notebooks in the order of an unsharded run."""
    order = {s: i for i, s in enumerate(sorted(inputs[0].manifest["class"]))}
    notebooks = sorted((nb for inp in inputs for nb in inp.detail["notebooks"]), key=lambda nb: order[nb["student"]])
    merged: dict[str, Any] = {}
    keys = _union([list(inp.detail) for inp in inputs])
    for key in keys:
        if key == "notebooks":
            merged[key] = notebooks
            continue
        values = [inp.detail.get(key) for inp in inputs]
        if key == "faults":
            merged[key] = [x for v in values if isinstance(v, list) for x in v]
        elif all(isinstance(v, list) for v in values):
            merged[key] = _union(values)
        elif all(v == values[0] for v in values):
            merged[key] = values[0]
        elif all(isinstance(v, dict) for v in values) and _compatible(values):
            merged[key] = {k: v for value in values for k, v in value.items()}  # e.g. feedback per student
        elif key == "layout" and all(isinstance(v, str) for v in values):
            merged[key] = ", ".join(sorted(set(values)))
        else:
            shown = "; ".join(f"{inp.name}: {inp.detail.get(key)!r}" for inp in inputs)
            raise MergeError(f"grades.json: the shards disagree on {key!r} ({shown})")
    return merged


def merge(inputs: Sequence[Path], out: Path, *, report: bool = True, registry: dict | None = None) -> dict[str, Any]:
    """Join sharded grading runs into one output directory.

    Refused (:class:`MergeError`, naming the shards concerned): a directory that is not a
    shard's output; shards of different runs (numbers of shards, seeds, classes or lessons
    that differ); a shard given twice or missing; a student with rows in two shards, or in
    a shard they do not belong to; a shard whose rows stop short of its students; ``out``
    being one of the inputs.

    Args:
        inputs: The shards' output directories, in any order.
        out: Where the whole class's ``grades.csv``, ``grades.json``, ``feedback/`` and
            ``report.html`` go (created; files are replaced atomically).
        report: Also write ``report.html`` (default True).
        registry: Exercises by id for the report (default: the course's).

    Returns:
        The merged ``grades.json`` content.
    """
    paths = [Path(p).resolve() for p in inputs]
    if not paths:
        raise MergeError("no shard directories given")
    out = Path(out).resolve()
    if out in paths:
        raise MergeError(f"--out must be a new directory, not one of the shards ({out})")
    loaded = [_read_input(p) for p in paths]
    _check(loaded)
    loaded.sort(key=lambda inp: inp.manifest["shard"])
    order = {s: i for i, s in enumerate(sorted(loaded[0].manifest["class"]))}
    rows = sorted((row for inp in loaded for row in inp.rows), key=lambda row: order[row[0]])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(loaded[0].header)
    writer.writerows(rows)
    detail = _merge_detail(loaded)
    out.mkdir(parents=True, exist_ok=True)
    for inp in loaded:
        feedback = inp.path / "feedback"
        if not feedback.is_dir():
            continue
        for f in sorted(feedback.iterdir()):
            if f.is_file() and not f.is_symlink() and not f.name.startswith("."):
                target = out / "feedback" / f.name
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".{f.name}.merge.tmp")
                shutil.copyfile(f, tmp)
                os.replace(tmp, target)
    _atomic_write(out / "grades.json", json.dumps(detail, indent=1) + "\n")
    _atomic_write(out / "grades.csv", buf.getvalue())
    record(out, None, seed=None, roster=(), lessons={}, settings={})
    if report:
        from .report import write_report

        write_report(out, registry=registry)
    return detail


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m autograder merge",
                                description="Join the results of `grade --shard K/N` runs into one.")
    p.add_argument("shards", type=Path, nargs="+", help="the shards' output directories")
    p.add_argument("--out", type=Path, required=True, help="output directory for the whole class")
    p.add_argument("--no-report", action="store_true", help="do not write OUT/report.html")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m autograder merge``: 0 when merged, 2 when the shards do not fit together."""
    parser = _parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else 2
    try:
        detail = merge(args.shards, args.out, report=not args.no_report)
    except MergeError as exc:
        print(f"merge: {exc}", file=sys.stderr)
        return 2
    students = len({nb.get("student") for nb in detail["notebooks"]})
    print(f"merged {len(args.shards)} shard(s): {len(detail['notebooks'])} notebook(s) of {students} "
          f"student(s) into {args.out / 'grades.csv'}")
    return 0
