"""Every student notebook, run top to bottom untouched, fails only where the learner works.

An untouched notebook must not crash anywhere else: explanations, plots, sounds and
explorers after an exercise use asrlab's reference, never the learner's variables.
Its check cells fail with the course's own messages (CheckFailed / BlankError), not with
a confusing NameError or a traceback from deep inside NumPy.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
STUDENT_NOTEBOOKS = sorted((ROOT / "lessons").glob("*.ipynb"))


def _role(cell) -> str:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if meta.get("solution"):
        return "answer"
    if meta.get("grade"):
        return "check"
    return "other"


def _errors(cell) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def test_there_are_student_notebooks():
    assert STUDENT_NOTEBOOKS, "lessons/ is empty: run `make lessons`"


@pytest.mark.slow
@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=lambda p: p.stem)
def test_untouched_student_notebook_errors_only_in_exercise_and_check_cells(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300 if path.stem.startswith("10-") else 120,  # lesson 10 trains a model in one cell
        kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    unexpected = [
        (i, c.source.splitlines()[0] if c.source else "", _errors(c)[0]["ename"])
        for i, c in enumerate(code_cells)
        if _errors(c) and _role(c) == "other"
    ]
    assert not unexpected, f"cells that are not exercises raised errors: {unexpected}"
    checks = [c for c in code_cells if _role(c) == "check"]
    assert checks, "a lesson without graded exercises"
    for cell in checks:
        errs = _errors(cell)
        assert errs, f"an untouched exercise passed its check: {cell.source!r}"
        assert errs[0]["ename"] in ("CheckFailed", "BlankError"), (cell.source, errs[0]["ename"], errs[0]["evalue"])
