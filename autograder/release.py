"""The release step: solution notebooks in ``solutions/`` -> student notebooks in ``lessons/``.

``make lessons`` runs ``python -m autograder release``.  For every ``solutions/NN-*.ipynb``
it validates the source against the authoring rules (``docs/authoring.md``) and the
exercise definitions in :mod:`autograder.exercises`, then writes the student version:

* inline blanks: ``code  # BLANK: text`` becomes ``code`` with ``text`` replaced by ``___``
  (several markers on one line blank several texts);
* nbgrader's ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` becomes ``# YOUR CODE HERE``
  and ``raise NotImplementedError()``, indented like the delimiters;
* cells tagged ``solution-only`` (instructor notes, answer walk-throughs) are removed;
* outputs and execution counts are cleared, and notebook and cell metadata are reduced to
  what the course needs (the kernel, nbgrader's cell metadata, tags, and read-only flags
  on check cells), so that the same source always gives the same bytes.

Any violation stops the release with :class:`ReleaseError`, whose message names the file,
the cell index and the ``grade_id``.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import nbformat

from .exercise import Exercise

__all__ = [
    "ReleaseError",
    "AnswerCell",
    "BLANK",
    "answer_cells",
    "blank_line",
    "is_answer_cell",
    "is_check_cell",
    "notebook_bytes",
    "release",
    "student_source",
    "student_version",
    "validate",
    "main",
]

BLANK = "___"
SOLUTION_ONLY_TAG = "solution-only"
BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
STUB_COMMENT = "# YOUR CODE HERE"
STUB_RAISE = "raise NotImplementedError()"

_MARKER = re.compile(r"[ \t]*#[ \t]*BLANK:[ \t]*")
_ID = re.compile(r"^[A-Za-z0-9-]+$")
#: nbval's comment markers (``# NBVAL_IGNORE_OUTPUT``): learners would read them in the code,
#: so a source notebook uses the cell tag instead (``nbval-ignore-output``).
_NBVAL_COMMENT = re.compile(r"^\s*#+\s*(NBVAL_[A-Z_]+)\s*$")
_CHECK = re.compile(r"""^check\((["'])(?P<id>[^"']+)\1\)$""")

#: Notebook metadata of every student notebook (no Python version, no widget state).
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
_NBGRADER_KEYS = ("grade", "grade_id", "locked", "points", "schema_version", "solution", "task")


class ReleaseError(ValueError):
    """A source notebook breaks an authoring rule; the message says where and how."""


@dataclass(frozen=True)
class AnswerCell:
    """An answer cell of a source notebook and the check cell that follows it."""

    index: int
    grade_id: str
    source: str
    check_index: int | None
    check_points: float | None


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _where(path: str | Path, index: int, grade_id: str | None = None) -> str:
    gid = f" (grade_id {grade_id!r})" if grade_id else ""
    return f"{path}: cell {index}{gid}"


def _nbgrader(cell: Mapping[str, Any]) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader")
    return dict(meta) if isinstance(meta, Mapping) else {}


def is_answer_cell(cell: Mapping[str, Any]) -> bool:
    """An autograded answer cell: nbgrader ``solution`` and not ``grade``."""
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("solution")) and not meta.get("grade")


def is_check_cell(cell: Mapping[str, Any]) -> bool:
    """A graded test cell: nbgrader ``grade`` and not ``solution``."""
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def blank_line(line: str, *, where: str = "") -> str:
    """Apply the ``# BLANK: text`` markers of one line (returned unchanged if it has none).

    Every ``text`` must occur exactly once in the part of the line before the first marker;
    each occurrence becomes ``___`` and the markers are dropped.

    Raises:
        ReleaseError: a blank text is empty, missing, repeated, or overlaps another one.
    """
    parts = _MARKER.split(line)
    if len(parts) == 1:
        return line
    code, texts = parts[0], [t.strip() for t in parts[1:]]
    spans: list[tuple[int, int]] = []
    for text in texts:
        if not text:
            raise ReleaseError(f"{where}: empty '# BLANK:' marker in line {line.strip()!r}")
        count = code.count(text)
        if count != 1:
            raise ReleaseError(
                f"{where}: the blank text {text!r} must occur exactly once before its marker, "
                f"found {count} times in line {line.strip()!r}"
            )
        start = code.index(text)
        spans.append((start, start + len(text)))
    spans.sort()
    for (_, end), (start, _) in zip(spans, spans[1:]):
        if start < end:
            raise ReleaseError(f"{where}: blank texts overlap in line {line.strip()!r}")
    out, last = [], 0
    for start, end in spans:
        out += [code[last:start], BLANK]
        last = end
    out.append(code[last:])
    return "".join(out).rstrip()


def student_source(source: str, *, where: str = "") -> tuple[str, int, int]:
    """The student version of an answer cell's code.

    Returns:
        ``(source, n_blanks, n_solution_blocks)``.

    Raises:
        ReleaseError: a bad blank marker, or unbalanced BEGIN/END SOLUTION delimiters.
    """
    out: list[str] = []
    n_blanks = n_blocks = 0
    in_solution = False
    for number, line in enumerate(source.split("\n"), start=1):
        here = f"{where}, line {number}"
        if BEGIN_SOLUTION in line:
            if in_solution:
                raise ReleaseError(f"{here}: '{BEGIN_SOLUTION}' inside another solution block")
            in_solution = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + STUB_COMMENT, indent + STUB_RAISE]
            n_blocks += 1
            continue
        if END_SOLUTION in line:
            if not in_solution:
                raise ReleaseError(f"{here}: '{END_SOLUTION}' without '{BEGIN_SOLUTION}'")
            in_solution = False
            continue
        if in_solution:
            continue
        new = blank_line(line, where=here)
        n_blanks += len(_MARKER.split(line)) - 1
        out.append(new)
    if in_solution:
        raise ReleaseError(f"{where}: '{BEGIN_SOLUTION}' without '{END_SOLUTION}'")
    return "\n".join(out), n_blanks, n_blocks


def answer_cells(nb: Mapping[str, Any]) -> list[AnswerCell]:
    """The answer cells of a notebook, each with the check cell right after it (if any)."""
    cells = nb["cells"]
    found = []
    for i, cell in enumerate(cells):
        if not is_answer_cell(cell):
            continue
        gid = str(_nbgrader(cell).get("grade_id", ""))
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        has_check = nxt is not None and is_check_cell(nxt)
        found.append(
            AnswerCell(
                index=i,
                grade_id=gid,
                source=_source(cell),
                check_index=i + 1 if has_check else None,
                check_points=_nbgrader(nxt).get("points") if has_check else None,
            )
        )
    return found


def validate(
    nb: Any,
    *,
    path: str | Path,
    lesson: str | None = None,
    registry: Mapping[str, Exercise] | None = None,
) -> None:
    """Check a source notebook against the authoring rules and the exercise definitions.

    Args:
        nb: The notebook (a ``NotebookNode`` or plain dict).
        path: Its file name, for the messages.
        lesson: The lesson id (default: the file stem).
        registry: Exercises by id (default: :func:`autograder.exercises.registry`).

    Raises:
        ReleaseError: the first rule broken, naming file, cell index and grade_id.
    """
    if registry is None:
        from .exercises import registry as _registry

        registry = _registry()
    lesson = lesson if lesson is not None else Path(path).stem
    cell_ids: dict[str, int] = {}
    for i, cell in enumerate(nb.get("cells", []) if isinstance(nb, Mapping) else []):
        cid = cell.get("id") if isinstance(cell, Mapping) else None
        if isinstance(cid, str):
            if cid in cell_ids:
                raise ReleaseError(f"{_where(path, i)}: cell id {cid!r} repeats (first used in cell {cell_ids[cid]})")
            cell_ids[cid] = i
    try:  # on a copy: nbformat's validator repairs some problems in place
        nbformat.validate(nbformat.from_dict(copy.deepcopy(dict(nb))))
    except nbformat.ValidationError as exc:
        raise ReleaseError(f"{path}: not a valid notebook: {exc.message}") from None

    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        for n, line in enumerate(_source(cell).splitlines(), start=1):
            marker = _NBVAL_COMMENT.match(line)
            if marker:
                tag = marker.group(1).lower().replace("_", "-")
                raise ReleaseError(
                    f"{_where(path, i, _nbgrader(cell).get('grade_id'))}, line {n}: '# {marker.group(1)}' would show "
                    f"learners a test tool's comment; tag the cell {tag!r} instead"
                )

    seen: dict[str, int] = {}
    for i, cell in enumerate(nb["cells"]):
        meta = _nbgrader(cell)
        if not meta:
            continue
        gid = meta.get("grade_id")
        if not isinstance(gid, str) or not _ID.match(gid):
            raise ReleaseError(
                f"{_where(path, i)}: nbgrader grade_id must be letters, digits and '-', got {gid!r}"
            )
        if gid in seen:
            raise ReleaseError(f"{_where(path, i, gid)}: grade_id repeats (first used in cell {seen[gid]})")
        seen[gid] = i
        if meta.get("solution") and meta.get("grade"):
            raise ReleaseError(
                f"{_where(path, i, gid)}: manually graded answers are not supported; an answer "
                "cell has solution=true and grade=false"
            )
        if meta.get("task"):
            raise ReleaseError(f"{_where(path, i, gid)}: nbgrader task cells are not supported")
        if meta.get("solution") and cell.get("cell_type") != "code":
            raise ReleaseError(f"{_where(path, i, gid)}: an answer cell must be a code cell")

    answers = answer_cells(nb)
    for ans in answers:
        here = _where(path, ans.index, ans.grade_id)
        _, n_blanks, n_blocks = student_source(ans.source, where=here)
        if n_blanks == 0 and n_blocks == 0:
            raise ReleaseError(
                f"{here}: an answer cell needs inline '# BLANK:' markers or "
                f"'### {BEGIN_SOLUTION}' / '### {END_SOLUTION}' delimiters"
            )
        ex = registry.get(ans.grade_id)
        if ex is None:
            raise ReleaseError(
                f"{here}: no exercise {ans.grade_id!r} is defined in autograder/exercises/"
            )
        if ex.lesson != lesson:
            raise ReleaseError(f"{here}: exercise {ex.id!r} is defined for lesson {ex.lesson!r}, not {lesson!r}")
        expected_check = f'check("{ans.grade_id}")'
        if ans.check_index is None:
            raise ReleaseError(
                f"{here}: the answer cell must be followed directly by its check cell "
                f"{expected_check} (grade_id {ans.grade_id + '-check'!r})"
            )
        check_cell = nb["cells"][ans.check_index]
        check_meta = _nbgrader(check_cell)
        check_gid = check_meta.get("grade_id")
        check_here = _where(path, ans.check_index, check_gid)
        if check_gid != f"{ans.grade_id}-check":
            raise ReleaseError(
                f"{check_here}: the check cell after answer {ans.grade_id!r} must have grade_id "
                f"{ans.grade_id + '-check'!r}"
            )
        m = _CHECK.match(_source(check_cell).strip())
        if m is None or m.group("id") != ans.grade_id:
            raise ReleaseError(f"{check_here}: the check cell's only line must be {expected_check}")
        if not check_meta.get("locked"):
            raise ReleaseError(f"{check_here}: a check cell must be locked")
        if ans.check_points != ex.points:
            raise ReleaseError(
                f"{check_here}: points {ans.check_points!r} differ from exercise {ex.id!r}, "
                f"which is worth {ex.points}"
            )
    answered = {a.grade_id for a in answers}
    for i, cell in enumerate(nb["cells"]):
        if is_check_cell(cell):
            gid = _nbgrader(cell).get("grade_id", "")
            if not (gid.endswith("-check") and gid[: -len("-check")] in answered
                    and i > 0 and _nbgrader(nb["cells"][i - 1]).get("grade_id") == gid[: -len("-check")]):
                raise ReleaseError(f"{_where(path, i, gid)}: a check cell must directly follow its answer cell")
    missing = sorted(ex.id for ex in registry.values() if ex.lesson == lesson and ex.id not in answered)
    if missing:
        raise ReleaseError(f"{path}: exercise(s) {', '.join(missing)} of lesson {lesson!r} have no answer cell")


def _tags(cell: Mapping[str, Any]) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [str(t) for t in tags] if isinstance(tags, (list, tuple)) else []


def _clean_cell(cell: Mapping[str, Any], *, index: int) -> dict[str, Any]:
    kind = cell["cell_type"]
    meta: dict[str, Any] = {}
    nbg = _nbgrader(cell)
    if nbg:
        meta["nbgrader"] = {k: nbg[k] for k in _NBGRADER_KEYS if k in nbg}
        meta["nbgrader"]["schema_version"] = 3
        if nbg.get("locked") and not nbg.get("solution"):
            if kind == "code":
                meta["editable"] = False
            meta["deletable"] = False
    tags = _tags(cell)
    if tags:
        meta["tags"] = tags
    source = _source(cell)
    cell_id = cell.get("id")
    if not isinstance(cell_id, str) or not re.match(r"^[A-Za-z0-9_-]{1,64}$", cell_id):
        cell_id = f"cell-{index:03d}"
    out: dict[str, Any] = {"cell_type": kind, "id": cell_id, "metadata": meta, "source": source}
    if kind == "code":
        out["execution_count"] = None
        out["outputs"] = []
    if kind in ("markdown", "raw") and cell.get("attachments"):
        out["attachments"] = copy.deepcopy(dict(cell["attachments"]))
    return out


def student_version(nb: Any, *, path: str | Path = "<notebook>") -> nbformat.NotebookNode:
    """The student notebook for a (validated) solution notebook.

    Blanks the answers, drops ``solution-only`` cells, clears outputs and execution counts
    and normalises metadata.  The input is not modified.

    Args:
        nb: The solution notebook.
        path: Its file name, used in error messages.

    Returns:
        A new nbformat 4.5 notebook; :func:`notebook_bytes` of it is the same on every run.
    """
    cells = []
    for i, cell in enumerate(nb["cells"]):
        if SOLUTION_ONLY_TAG in _tags(cell):
            continue
        clean = _clean_cell(cell, index=i)
        if is_answer_cell(cell):
            gid = _nbgrader(cell).get("grade_id")
            clean["source"], _, _ = student_source(clean["source"], where=_where(path, i, gid))
        cells.append(clean)
    out = {
        "cells": cells,
        "metadata": {"kernelspec": dict(KERNELSPEC), "language_info": copy.deepcopy(LANGUAGE_INFO)},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return nbformat.from_dict(out)


def notebook_bytes(nb: Any) -> bytes:
    """The canonical file content of a notebook (nbformat's JSON layout, final newline)."""
    text = nbformat.writes(nbformat.from_dict(nb), version=4)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _read(path: Path) -> Any:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReleaseError(f"{path}: cannot read the notebook: {exc}") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4 or not isinstance(raw.get("cells"), list):
        raise ReleaseError(f"{path}: not a valid notebook: expected nbformat 4 JSON with a 'cells' list")
    return nbformat.reads(json.dumps(raw), as_version=nbformat.NO_CONVERT)


def release(
    solutions_dir: str | Path = "solutions",
    lessons_dir: str | Path = "lessons",
    *,
    registry: Mapping[str, Exercise] | None = None,
) -> list[Path]:
    """Validate every ``NN-*.ipynb`` in ``solutions_dir`` and write its student version.

    All notebooks are validated before anything is written, so a broken source leaves
    ``lessons_dir`` untouched.  Files are rewritten only when their bytes change.

    Args:
        solutions_dir: Folder of solution notebooks (default ``solutions``).
        lessons_dir: Folder for the student notebooks (default ``lessons``; created).
        registry: Exercises by id (default: all of :mod:`autograder.exercises`).

    Returns:
        The student notebook paths, in lesson order.

    Raises:
        ReleaseError: a source notebook breaks an authoring rule.
    """
    solutions_dir, lessons_dir = Path(solutions_dir), Path(lessons_dir)
    sources = sorted(p for p in solutions_dir.glob("*.ipynb") if re.match(r"^\d\d-", p.name))
    if not sources:
        raise ReleaseError(f"{solutions_dir}: no solution notebooks (NN-name.ipynb) found")
    if registry is None:
        from .exercises import registry as _registry

        registry = _registry()
    lesson_ids = {p.stem for p in sources}
    orphans = sorted({ex.lesson for ex in registry.values()} - lesson_ids)
    rendered: list[tuple[Path, bytes]] = []
    for src in sources:
        nb = _read(src)
        validate(nb, path=src, registry=registry)
        rendered.append((lessons_dir / src.name, notebook_bytes(student_version(nb, path=src))))
    lessons_dir.mkdir(parents=True, exist_ok=True)
    for dest, data in rendered:
        if not dest.exists() or dest.read_bytes() != data:
            dest.write_bytes(data)
    if orphans:
        print(
            f"note: exercises defined for lesson(s) without a solution notebook yet: {', '.join(orphans)}",
            file=sys.stderr,
        )
    return [dest for dest, _ in rendered]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m autograder release [--solutions DIR] [--lessons DIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m autograder release",
        description="Generate the student notebooks in lessons/ from the solution notebooks.",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``release`` options to ``parser`` (shared by ``python -m autograder``)."""
    parser.add_argument("--solutions", type=Path, default=Path("solutions"), help="source folder (default: solutions)")
    parser.add_argument("--lessons", type=Path, default=Path("lessons"), help="output folder (default: lessons)")
    parser.add_argument("--student", type=Path, default=None, metavar="DIR",
                        help="instead, build what instructors hand out in DIR: the student notebooks and a check "
                             "package with the public cases only (no references, no hidden cases)")


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``release`` command; print what changed; 0 on success, 1 on a ReleaseError."""
    if getattr(args, "student", None) is not None:
        from .distribution import build

        try:
            notebooks = build(args.student, solutions=args.solutions)
        except ReleaseError as exc:
            print(f"release failed: {exc}", file=sys.stderr)
            return 1
        print(f"student distribution in {args.student}: {len(notebooks)} notebooks in lessons/, "
              "the check package (public cases only) in autograder/")
        return 0
    before = {p: p.read_bytes() for p in Path(args.lessons).glob("*.ipynb")}
    try:
        written = release(args.solutions, args.lessons)
    except ReleaseError as exc:
        print(f"release failed: {exc}", file=sys.stderr)
        return 1
    changed = [p for p in written if before.get(p) != p.read_bytes()]
    for path in changed:
        print(f"wrote {path}")
    print(f"{len(written)} student notebooks in {args.lessons}, {len(changed)} changed")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
