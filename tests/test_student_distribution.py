"""The student distribution (``python -m autograder release --student DIR``).

Built from the course's real solutions: it must hold the student notebooks and a check
package with the public cases only (no reference code, no hidden cases in any form), and a
student notebook's check cells must work from it alone, with the course's own messages.
"""

from __future__ import annotations

import ast
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    from autograder.release import main

    dest = tmp_path_factory.mktemp("handout")
    assert main(["--solutions", str(ROOT / "solutions"), "--student", str(dest)]) == 0
    return dest


def test_the_distribution_holds_notebooks_and_public_cases_only(dist):
    from autograder.exercises import registry
    from autograder.plain import to_plain

    files = sorted(str(p.relative_to(dist)) for p in dist.rglob("*") if p.is_file())
    lessons = sorted(p.name for p in (ROOT / "lessons").glob("*.ipynb"))
    assert files == sorted(
        [f"lessons/{name}" for name in lessons]
        + [f"autograder/{m}" for m in ("__init__.py", "blank.py", "checks.py", "compare.py", "exercise.py", "plain.py")]
        + ["autograder/exercises/__init__.py", "autograder/exercises/public.json"])
    for name in lessons:  # the same notebooks as lessons/
        assert (dist / "lessons" / name).read_bytes() == (ROOT / "lessons" / name).read_bytes()
    text = "\n".join(p.read_text(encoding="utf-8") for p in (dist / "autograder").rglob("*") if p.is_file())
    # no function of the exercise modules (references, helpers, hidden-case generators) in any form
    for module in sorted((ROOT / "autograder" / "exercises").glob("l*.py")):
        for node in ast.parse(module.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                assert f"def {node.name}(" not in text and f"{node.name}(" not in text, (module.name, node.name)
    data = json.loads((dist / "autograder" / "exercises" / "public.json").read_text(encoding="utf-8"))
    shipped = {d["id"]: d for d in data["exercises"]}
    assert set(shipped) == set(registry())
    for ex_id, ex in registry().items():
        d = shipped[ex_id]
        assert set(d) == {"id", "lesson", "title", "points", "kind", "target", "hint", "rtol", "atol", "public",
                          "expected", "mistakes"}
        assert len(d["public"]) == len(d["expected"]) == len(ex.public)
        # none of the hidden inputs (arrays, lists, texts), drawn with two seeds, is in the file
        # (another exercise may use one of them as its public input: that one is public anyway)
        public = {json.dumps(to_plain(v)) for c in ex.public for v in c.kwargs.values()}
        compact = json.dumps(d)  # with the separators json.dumps writes below
        for seed in (0, 7):
            for case in ex.hidden_cases(np.random.default_rng(seed)):
                for name, value in case.kwargs.items():
                    encoded = json.dumps(to_plain(value))
                    if len(encoded) >= 24 and encoded not in public:
                        assert encoded not in compact, (ex_id, case.label, name)


def test_student_checks_work_from_the_distribution_alone(dist, tmp_path):
    """Lesson 00's student notebook, answered right and with a recognised mistake, in a kernel
    that can import only the distribution's check package (and the course library)."""
    import nbformat
    from nbclient import NotebookClient

    from autograder.exercises import registry
    from autograder.release import student_version

    library = tmp_path / "library"
    shutil.copytree(ROOT / "asrlab", library / "asrlab", ignore=shutil.ignore_patterns("__pycache__"))
    solution = nbformat.read(str(ROOT / "solutions" / "00-start-here.ipynb"), as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    mistake = registry()["l00-normalize"].mistakes[0]
    nb = student_version(solution)
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid == "l00-duration":
            cell.source = answers[gid].split("  # BLANK")[0]
        elif gid == "l00-normalize":
            cell.source = mistake.code
    nb.cells.append(nbformat.v4.new_code_cell(
        "import sys, autograder\n"
        "print('package:', autograder.__file__)\n"
        "print('lesson modules:', sorted(m for m in sys.modules if m.startswith('autograder.exercises.l')))"))
    # the editable install of the course would find the real package: drop it before anything runs
    drop = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path "
            "if not getattr(f, '__module__', '').startswith('__editable__')]")
    env = {"PYTHONPATH": f"{dist}:{library}", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                            extra_arguments=[f"--IPKernelApp.exec_lines={drop}"], allow_errors=True)
    import os

    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client.execute()
    finally:
        for k, v in old.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)

    def output(cell):
        return "".join(o.get("text", "") + o.get("evalue", "") for o in cell.get("outputs", []))

    checks = {c.source: output(c) for c in nb.cells if c.cell_type == "code" and c.source.startswith("check(")}
    assert checks['check("l00-duration")'].startswith("✅ l00-duration")
    assert "❌ l00-normalize" in checks['check("l00-normalize")'] and f"Hint: {mistake.hint}" in checks['check("l00-normalize")']
    last = output(nb.cells[-1])
    assert f"package: {dist}/autograder/__init__.py" in last
    assert "lesson modules: []" in last
