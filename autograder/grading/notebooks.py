"""Which notebooks to grade, and what a submitted notebook may contribute.

Trust model: the notebook that runs is always the instructor's **skeleton** (every cell of
the solution notebook, in order, except ``solution-only`` ones), with only the answer
cells replaced, matched by nbgrader ``grade_id``, from the submission.  Everything else in
a submission (edited, deleted, duplicated, split or retyped cells, added cells, outputs,
metadata) changes nothing; changes to the locked cells are reported.

Rules, in the order they apply:

* **Cells tagged ``grading-skip``** (heavy cells such as training) are not run: the
  skeleton treats them like text, so no answer may depend on them.
* **Duplicated answer cell** (the same ``grade_id`` twice, e.g. after copying or splitting
  the cell): the first code cell with that id, in notebook order, is graded; the notebook
  is flagged ``tampered`` and the feedback names the exercise.
* **Answer cell turned into markdown/raw**: treated as absent (``missing``), ``tampered``.
* **Check cell edited, deleted, duplicated or retyped**: ignored (the skeleton's check
  runs), ``tampered``.
* **Stripped metadata** (no cell carries a ``grade_id`` of the lesson, e.g. after an editor
  dropped nbgrader's metadata): answers are found by position against the student
  version: the code cell directly before the unchanged ``check("<id>")`` line, or, when
  the notebook has exactly the student version's cells, the cell at the answer's index.
  The notebook is flagged (``flagged``), never failed for it.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..exercise import Exercise


#: Code cells with this tag are not run by the grader (heavy cells: training, evaluation).
GRADING_SKIP_TAG = "grading-skip"


class LessonError(ValueError):
    """A solution notebook does not fit the exercise registry (an instructor's error)."""


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        return "".join(str(s) for s in src)
    return src if isinstance(src, str) else ""


def _nbgrader(cell: Any) -> dict[str, Any]:
    if not isinstance(cell, Mapping):
        return {}
    meta = cell.get("metadata")
    nbg = meta.get("nbgrader") if isinstance(meta, Mapping) else None
    return dict(nbg) if isinstance(nbg, Mapping) else {}


def _grade_id(cell: Any) -> str | None:
    gid = _nbgrader(cell).get("grade_id")
    return gid if isinstance(gid, str) else None


def _norm(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


@dataclass(frozen=True)
class SkeletonCell:
    """One cell of the skeleton: ``kind`` is ``code``, ``answer``, ``check`` or ``text``."""

    kind: str
    source: str
    exercise: str = ""
    student_source: str = ""


@dataclass
class Lesson:
    """A solution notebook with its exercises and the student version of its cells."""

    id: str
    path: Path
    cells: list[SkeletonCell]
    exercises: dict[str, Exercise]

    @property
    def answer_ids(self) -> list[str]:
        return [c.exercise for c in self.cells if c.kind == "answer"]


@dataclass(frozen=True)
class Outline:
    """A solution notebook before its exercises are imported: its lesson id, its answer
    ids (``exercises``, values ``None``) and its cells (answer, check, code and text)."""

    id: str
    path: Path
    exercises: dict[str, None]
    cells: list[SkeletonCell]


def read_outline(path: Path) -> Outline:
    """The :class:`Outline` of ``solutions/<lesson>.ipynb`` (read as JSON)."""
    from ..release import SOLUTION_ONLY_TAG, is_answer_cell, is_check_cell

    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells: list[SkeletonCell] = []
    for cell in nb.get("cells", []):
        tags = (cell.get("metadata") or {}).get("tags") or []
        if SOLUTION_ONLY_TAG in tags:
            continue
        src = _source(cell)
        if cell.get("cell_type") != "code" or GRADING_SKIP_TAG in tags:
            cells.append(SkeletonCell("text", src))
        elif is_answer_cell(cell):
            cells.append(SkeletonCell("answer", src, _grade_id(cell) or ""))
        elif is_check_cell(cell):
            cells.append(SkeletonCell("check", src, (_grade_id(cell) or "").removesuffix("-check")))
        else:
            cells.append(SkeletonCell("code", src))
    return Outline(Path(path).stem, Path(path), {c.exercise: None for c in cells if c.kind == "answer"}, cells)


def load_lesson(path: Path, registry: Mapping[str, Exercise]) -> Lesson:
    """Read ``solutions/<lesson>.ipynb`` and pair it with its student version."""
    import nbformat

    from ..release import SOLUTION_ONLY_TAG, is_answer_cell, is_check_cell, student_version

    nb = nbformat.read(str(path), as_version=4)
    student = student_version(nb, path=path)
    kept = [c for c in nb.cells if SOLUTION_ONLY_TAG not in (c.get("metadata", {}).get("tags") or [])]
    if len(kept) != len(student.cells):
        raise LessonError(f"{path}: the student version does not have the solution's cells")
    cells: list[SkeletonCell] = []
    exercises: dict[str, Exercise] = {}
    for sol, stu in zip(kept, student.cells):
        src = _source(sol)
        if sol.get("cell_type") != "code" or GRADING_SKIP_TAG in (sol.get("metadata", {}).get("tags") or []):
            cells.append(SkeletonCell("text", src))
        elif is_answer_cell(sol):
            gid = _grade_id(sol) or ""
            if gid not in registry:
                raise LessonError(f"{path}: answer cell {gid!r} has no exercise in the registry")
            exercises[gid] = registry[gid]
            cells.append(SkeletonCell("answer", src, gid, _source(stu)))
        elif is_check_cell(sol) and (_grade_id(sol) or "").endswith("-check"):
            cells.append(SkeletonCell("check", src, (_grade_id(sol) or "")[: -len("-check")], _source(stu)))
        else:
            cells.append(SkeletonCell("code", src, "", _source(stu)))
    for c in cells:
        if c.kind == "check" and c.exercise not in exercises:
            raise LessonError(f"{path}: check cell {c.exercise}-check has no answer cell")
    return Lesson(path.stem, path, cells, exercises)


@dataclass
class Match:
    """What a submission contributes: answer sources by exercise id, and notes."""

    answers: dict[str, str | None]
    tampered: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    unreadable: str = ""


def read_submission(path: Path) -> tuple[list[Mapping[str, Any]] | None, str]:
    """The cells of a submitted notebook (plain JSON, no validation), or None and why."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read the notebook ({exc.strerror})"
    if len(raw) > 50 * 2**20:
        return None, "the notebook file is larger than 50 MB"
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, f"the notebook is not valid JSON ({str(exc)[:120]})"
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        return None, "the notebook has no list of cells"
    return [c for c in cells if isinstance(c, Mapping)], ""


def match_submission(lesson: Lesson, cells: list[Mapping[str, Any]]) -> Match:
    """Pick the answer cells of ``lesson`` out of a submission's ``cells``."""
    own_ids = {c.exercise for c in lesson.cells if c.kind in ("answer", "check")}
    tagged = [c for c in cells if (_grade_id(c) or "").removesuffix("-check") in own_ids]
    if not tagged:
        return _match_by_position(lesson, cells)
    m = Match(answers={})
    by_id: dict[str, list[Mapping[str, Any]]] = {}
    for c in cells:
        gid = _grade_id(c)
        if gid is not None:
            by_id.setdefault(gid, []).append(c)
    for sk in lesson.cells:
        if sk.kind == "answer":
            found = by_id.get(sk.exercise, [])
            code = [c for c in found if c.get("cell_type") == "code"]
            if len(found) > 1:
                m.tampered.append(f"answer cell {sk.exercise} appears {len(found)} times; the first one was graded")
            if found and not code:
                m.tampered.append(f"answer cell {sk.exercise} was changed into a {found[0].get('cell_type')} cell")
            m.answers[sk.exercise] = _source(code[0]) if code else None
        elif sk.kind == "check":
            gid = f"{sk.exercise}-check"
            found = by_id.get(gid, [])
            if not found:
                m.tampered.append(f"check cell {gid} was deleted (the original ran)")
                continue
            if len(found) > 1:
                m.tampered.append(f"check cell {gid} appears {len(found)} times (the original ran)")
            if any(c.get("cell_type") != "code" for c in found):
                m.tampered.append(f"check cell {gid} was changed into another cell type (the original ran)")
            elif any(_norm(_source(c)) != _norm(sk.source) for c in found):
                m.tampered.append(f"check cell {gid} was edited (the original ran)")
    return m


def _match_by_position(lesson: Lesson, cells: list[Mapping[str, Any]]) -> Match:
    m = Match(answers={})
    m.flagged.append("the notebook has no grading metadata; answers were matched by position")
    same_shape = len(cells) == len(lesson.cells) and all(
        (c.get("cell_type") == "code") == (sk.kind != "text") for c, sk in zip(cells, lesson.cells)
    )
    norm = [_norm(_source(c)) if c.get("cell_type") == "code" else None for c in cells]
    for i, sk in enumerate(lesson.cells):
        if sk.kind != "answer":
            continue
        check = next((c for c in lesson.cells[i + 1:] if c.kind == "check" and c.exercise == sk.exercise), None)
        found: str | None = None
        if check is not None and _norm(check.source) in norm:
            j = norm.index(_norm(check.source))
            prev = [k for k in range(j) if norm[k] is not None]
            if prev:
                found = _source(cells[prev[-1]])
        if found is None and same_shape:
            found = _source(cells[i])
        m.answers[sk.exercise] = found
    return m


_STUB = re.compile(r"\braise\s+NotImplementedError\b")


def not_attempted(source: str, student_source: str) -> bool:
    """Is an answer cell still the student version, or does it keep a blank or the stub?"""
    if _norm(source) == _norm(student_source):
        return True
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.NAME and tok.string == "___":
                return True
    except (tokenize.TokenError, IndentationError, SyntaxError):
        if re.search(r"(?<![\w])___(?![\w])", source):
            return True
    return bool(_STUB.search(source))


def imported_modules(lessons: list[Lesson] | list[Outline]) -> list[str]:
    """The modules the lessons' skeleton cells import (``import a.b``, ``from a.b import c``),
    in order of first use; IPython magics and shell lines are skipped, relative imports and
    cells that do not parse are ignored."""
    import ast

    found: dict[str, None] = {}
    for lesson in lessons:
        for cell in lesson.cells:
            if cell.kind not in ("code", "check"):
                continue
            lines = [line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        found.setdefault(alias.name)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.setdefault(node.module)
    return list(found)

