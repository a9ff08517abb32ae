"""The release step: student versions, validation messages, byte stability, the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder.__main__ import main as cli_main
from autograder.exercise import Case, Exercise, Mistake
from autograder.release import (
    ReleaseError,
    blank_line,
    main as release_main,
    notebook_bytes,
    release,
    student_source,
    student_version,
    validate,
)

ROOT = Path(__file__).resolve().parents[1]
LESSON = "01-demo"


def _exercise(ex_id: str, *, points: int = 1, lesson: str = LESSON) -> Exercise:
    return Exercise(
        id=ex_id, lesson=lesson, title=ex_id, points=points, kind="cell", target="x",
        reference=lambda a: a + 1, public=[Case({"a": 1})], hidden=[Case({"a": 2})],
        hint="add one",
        mistakes=[Mistake("same", "no change", fn=lambda a: a, fills=("a",)),
                  Mistake("double", "doubled", fn=lambda a: 2 * a, fills=("2 * a",))],
    )


REGISTRY = {"l01-a": _exercise("l01-a"), "l01-b": _exercise("l01-b", points=3)}


def _answer(gid: str, source: str) -> nbformat.NotebookNode:
    return new_code_cell(source, id=gid, metadata={"nbgrader": {
        "grade": False, "grade_id": gid, "locked": False, "schema_version": 3, "solution": True, "task": False}})


def _check(gid: str, points: float = 1, *, source: str | None = None, grade_id: str | None = None) -> nbformat.NotebookNode:
    return new_code_cell(source if source is not None else f'check("{gid}")', id=f"{gid}-check", metadata={"nbgrader": {
        "grade": True, "grade_id": grade_id or f"{gid}-check", "locked": True, "points": points,
        "schema_version": 3, "solution": False, "task": False}})


def _good_cells() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell("# 1. Demo", id="title"),
        new_code_cell("from autograder.checks import check, ___", id="setup"),
        _answer("l01-a", "x = a + 1  # add one  # BLANK: a + 1"),
        _check("l01-a"),
        new_markdown_cell("Instructor note: the answer is a + 1.", id="note", metadata={"tags": ["solution-only"]}),
        _answer("l01-b", "def f(a):\n    y = a\n    ### BEGIN SOLUTION\n    return y + 1\n    ### END SOLUTION\n"),
        _check("l01-b", 3),
    ]


def _nb(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def _validate_error(cells: list[nbformat.NotebookNode], registry: dict | None = None) -> str:
    with pytest.raises(ReleaseError) as err:
        validate(_nb(cells), path="solutions/01-demo.ipynb", registry=REGISTRY if registry is None else registry)
    return str(err.value)


# ------------------------------------------------------------------ the student version


def test_inline_blank_keeps_the_hint_comment_and_drops_the_marker() -> None:
    line = "    energy += s ** 2  # square each sample  # BLANK: s ** 2"
    assert blank_line(line) == "    energy += ___  # square each sample"


def test_several_blanks_on_one_line_are_replaced_in_place() -> None:
    assert blank_line("y = np.sum(x ** 2) / len(x)  # BLANK: x ** 2  # BLANK: len(x)") == "y = np.sum(___) / ___"
    assert blank_line("y = x  # an ordinary comment") == "y = x  # an ordinary comment"


def test_solution_block_becomes_stub_indented_like_its_delimiters() -> None:
    src = "def f(a):\n    if a:\n        ### BEGIN SOLUTION\n        return 1\n        ### END SOLUTION\n    return 0"
    out, n_blanks, n_blocks = student_source(src)
    assert out == "def f(a):\n    if a:\n        # YOUR CODE HERE\n        raise NotImplementedError()\n    return 0"
    assert (n_blanks, n_blocks) == (0, 1)
    top, _, _ = student_source("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    assert top == "# YOUR CODE HERE\nraise NotImplementedError()"


def test_student_version_blanks_answers_clears_outputs_and_normalises_metadata() -> None:
    nb = _nb(_good_cells())
    nb.cells[1].outputs = [new_output("stream", name="stdout", text="hi\n")]
    nb.cells[1].execution_count = 7
    nb.cells[1].metadata.update({"scrolled": True, "execution": {"iopub.status.busy": "2026-01-01"}})
    nb.metadata["widgets"] = {"state": {}}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.9"}
    out = student_version(nb)
    sources = [c.source for c in out.cells]
    assert "x = ___  # add one" in sources
    assert "def f(a):\n    y = a\n    # YOUR CODE HERE\n    raise NotImplementedError()\n" in sources
    assert not any("Instructor note" in s for s in sources), "solution-only cells must be removed"
    assert len(out.cells) == len(nb.cells) - 1
    for cell in out.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        assert set(cell.metadata) <= {"nbgrader", "tags", "editable", "deletable"}
    check_cell = out.cells[3]
    assert check_cell.metadata["editable"] is False and check_cell.metadata["deletable"] is False
    assert "editable" not in out.cells[2].metadata  # the answer cell stays editable
    assert set(out.metadata) == {"kernelspec", "language_info"} and "version" not in out.metadata["language_info"]
    nbformat.validate(out)
    assert nb.cells[2].source.endswith("# BLANK: a + 1"), "the input notebook must not be modified"


def test_student_bytes_do_not_depend_on_outputs_or_metadata_noise() -> None:
    clean, noisy = _nb(_good_cells()), _nb(_good_cells())
    noisy.cells[2].outputs = [new_output("execute_result", data={"text/plain": "2"}, execution_count=3)]
    noisy.cells[2].execution_count = 3
    noisy.cells[0].metadata["collapsed"] = True
    noisy.metadata["language_info"] = {"name": "python", "version": "3.12.1"}
    first = notebook_bytes(student_version(clean))
    assert notebook_bytes(student_version(noisy)) == first
    assert notebook_bytes(student_version(clean)) == first
    assert first.endswith(b"}\n")


# ------------------------------------------------------------------ validation messages


def test_valid_source_passes_validation() -> None:
    validate(_nb(_good_cells()), path="solutions/01-demo.ipynb", registry=REGISTRY)


def test_blank_text_missing_names_file_cell_and_grade_id() -> None:
    cells = _good_cells()
    cells[2] = _answer("l01-a", "x = a + 1  # BLANK: a+1")
    msg = _validate_error(cells)
    assert msg.startswith("solutions/01-demo.ipynb: cell 2 (grade_id 'l01-a'), line 1:")
    assert "'a+1' must occur exactly once before its marker, found 0 times" in msg


def test_blank_text_occurring_twice_is_refused() -> None:
    cells = _good_cells()
    cells[2] = _answer("l01-a", "x = 1\nx = a + a  # BLANK: a")
    msg = _validate_error(cells)
    assert "cell 2 (grade_id 'l01-a'), line 2:" in msg and "found 2 times" in msg


def test_answer_cell_without_blanks_or_delimiters_is_refused() -> None:
    cells = _good_cells()
    cells[2] = _answer("l01-a", "x = a + 1")
    msg = _validate_error(cells)
    assert "cell 2 (grade_id 'l01-a')" in msg and "needs inline '# BLANK:' markers or" in msg


def test_answer_cell_not_followed_by_its_check_cell() -> None:
    cells = _good_cells()
    cells.insert(3, new_markdown_cell("in between", id="between"))
    msg = _validate_error(cells)
    assert "cell 2 (grade_id 'l01-a')" in msg
    assert "must be followed directly by its check cell check(\"l01-a\") (grade_id 'l01-a-check')" in msg


def test_check_cell_with_wrong_grade_id_or_source() -> None:
    cells = _good_cells()
    cells[3] = _check("l01-a", grade_id="l01-a-test")
    assert "cell 3 (grade_id 'l01-a-test'): the check cell after answer 'l01-a' must have grade_id 'l01-a-check'" in _validate_error(cells)
    cells[3] = _check("l01-a", source='check("l01-b")')
    assert "cell 3 (grade_id 'l01-a-check'): the check cell's only line must be check(\"l01-a\")" in _validate_error(cells)


def test_check_points_must_equal_the_exercise_definition() -> None:
    cells = _good_cells()
    cells[6] = _check("l01-b", 2)
    msg = _validate_error(cells)
    assert "cell 6 (grade_id 'l01-b-check'): points 2 differ from exercise 'l01-b', which is worth 3" in msg


def test_check_cell_must_be_locked_and_never_stand_alone() -> None:
    cells = _good_cells()
    cells[3].metadata["nbgrader"]["locked"] = False
    assert "cell 3 (grade_id 'l01-a-check'): a check cell must be locked" in _validate_error(cells)
    cells = _good_cells()
    cells.insert(1, _check("l01-x", grade_id="l01-x-check"))
    assert "cell 1 (grade_id 'l01-x-check'): a check cell must directly follow its answer cell" in _validate_error(cells)


def test_answer_cell_without_exercise_definition() -> None:
    cells = _good_cells() + [_answer("l01-c", "z = 1  # BLANK: 1"), _check("l01-c")]
    msg = _validate_error(cells)
    assert "cell 7 (grade_id 'l01-c'): no exercise 'l01-c' is defined in autograder/exercises/" in msg


def test_exercise_without_answer_cell() -> None:
    registry = dict(REGISTRY, **{"l01-z": _exercise("l01-z")})
    msg = _validate_error(_good_cells(), registry)
    assert msg == "solutions/01-demo.ipynb: exercise(s) l01-z of lesson '01-demo' have no answer cell"


def test_exercise_of_another_lesson_is_refused() -> None:
    registry = dict(REGISTRY, **{"l01-a": _exercise("l01-a", lesson="02-other")})
    assert "exercise 'l01-a' is defined for lesson '02-other', not '01-demo'" in _validate_error(_good_cells(), registry)


def test_repeated_grade_id_is_refused() -> None:
    cells = _good_cells()
    cells.append(new_code_cell("x = 2", id="again", metadata={"nbgrader": {
        "grade": False, "grade_id": "l01-a", "locked": True, "schema_version": 3, "solution": False, "task": False}}))
    assert "cell 7 (grade_id 'l01-a'): grade_id repeats (first used in cell 2)" in _validate_error(cells)


def test_unbalanced_solution_delimiters_are_refused() -> None:
    cells = _good_cells()
    cells[5] = _answer("l01-b", "def f(a):\n    ### BEGIN SOLUTION\n    return a\n")
    assert "cell 5 (grade_id 'l01-b'): 'BEGIN SOLUTION' without 'END SOLUTION'" in _validate_error(cells)
    cells[5] = _answer("l01-b", "def f(a):\n    return a\n    ### END SOLUTION\n")
    assert "cell 5 (grade_id 'l01-b'), line 3: 'END SOLUTION' without 'BEGIN SOLUTION'" in _validate_error(cells)


def test_nbval_comment_marker_is_refused_with_the_tag_to_use() -> None:
    cells = _good_cells()
    cells.insert(2, new_code_cell("import time\n# NBVAL_IGNORE_OUTPUT\nprint(time.time())", id="clock"))
    assert _validate_error(cells) == (
        "solutions/01-demo.ipynb: cell 2, line 2: '# NBVAL_IGNORE_OUTPUT' would show learners a test tool's "
        "comment; tag the cell 'nbval-ignore-output' instead"
    )
    cells[2] = new_code_cell("print(1)  # NBVAL_SKIP", id="clock")  # not a marker: nbval reads whole lines only
    validate(_nb(cells), path="solutions/01-demo.ipynb", registry=REGISTRY)
    cells[2] = new_code_cell("import time\nprint(time.time())", id="clock", metadata={"tags": ["nbval-ignore-output"]})
    validate(_nb(cells), path="solutions/01-demo.ipynb", registry=REGISTRY)


def test_course_notebooks_mark_varying_outputs_with_tags_not_comments() -> None:
    for path in sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "lessons").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            assert "NBVAL_" not in cell.source, f"{path.name}: cell {i} shows learners an nbval comment"


def test_repeated_cell_id_is_refused_not_repaired() -> None:
    nb = _nb(_good_cells())
    nb.cells[4].id = "setup"
    with pytest.raises(ReleaseError) as err:
        validate(nb, path="solutions/01-demo.ipynb", registry=REGISTRY)
    assert str(err.value) == "solutions/01-demo.ipynb: cell 4: cell id 'setup' repeats (first used in cell 1)"
    assert nb.cells[4].id == "setup"


def test_invalid_nbformat_is_refused() -> None:
    nb = _nb(_good_cells())
    del nb.cells[1]["source"]
    with pytest.raises(ReleaseError, match=r"^solutions/01-demo.ipynb: not a valid notebook: "):
        validate(nb, path="solutions/01-demo.ipynb", registry=REGISTRY)


# ------------------------------------------------------------------ release() and the CLI


def _write(folder: Path, name: str, nb: nbformat.NotebookNode) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def test_release_writes_student_notebooks_and_is_byte_stable(tmp_path: Path) -> None:
    _write(tmp_path / "sol", "01-demo.ipynb", _nb(_good_cells()))
    (tmp_path / "sol" / "notes.ipynb").write_text("not a lesson")  # ignored: no NN- prefix
    out = release(tmp_path / "sol", tmp_path / "les", registry=REGISTRY)
    assert out == [tmp_path / "les" / "01-demo.ipynb"]
    first = out[0].read_bytes()
    student = json.loads(first)
    assert ["".join(c["source"]) for c in student["cells"] if c["cell_type"] == "code"][1] == "x = ___  # add one"
    release(tmp_path / "sol", tmp_path / "les2", registry=REGISTRY)
    assert (tmp_path / "les2" / "01-demo.ipynb").read_bytes() == first


def test_release_of_a_broken_source_writes_nothing(tmp_path: Path) -> None:
    _write(tmp_path / "sol", "01-demo.ipynb", _nb(_good_cells()))
    cells = _good_cells()
    cells[6] = _check("l01-b", 1)
    _write(tmp_path / "sol", "02-broken.ipynb", _nb(cells))
    with pytest.raises(ReleaseError, match="02-broken.ipynb: cell 2 \\(grade_id 'l01-a'\\): exercise 'l01-a' is defined for lesson '01-demo'"):
        release(tmp_path / "sol", tmp_path / "les", registry=REGISTRY)
    assert not (tmp_path / "les").exists()


def test_release_main_reports_failure_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cells = _good_cells()
    cells[2] = _answer("l01-a", "x = a + 1  # BLANK: b")
    _write(tmp_path / "sol", "00-start-here.ipynb", _nb(cells))
    code = release_main(["--solutions", str(tmp_path / "sol"), "--lessons", str(tmp_path / "les")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"release failed: {tmp_path / 'sol' / '00-start-here.ipynb'}: cell 2 (grade_id 'l01-a'), line 1:")
    assert cli_main(["release", "--solutions", str(tmp_path / "nothing")]) == 1
    assert "no solution notebooks (NN-name.ipynb) found" in capsys.readouterr().err


def test_cli_release_regenerates_the_course_lessons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `python -m autograder` itself runs as a subprocess in test_checks.py (the check command)
    code = cli_main(["release", "--solutions", str(ROOT / "solutions"), "--lessons", str(tmp_path)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert f"wrote {tmp_path / '00-start-here.ipynb'}" in out.out.splitlines()
    assert (tmp_path / "00-start-here.ipynb").read_bytes() == (ROOT / "lessons" / "00-start-here.ipynb").read_bytes()
    n = len(list((ROOT / "solutions").glob("[0-9][0-9]-*.ipynb")))
    assert out.out.splitlines()[-1] == f"{n} student notebooks in {tmp_path}, {n} changed"
    assert cli_main(["release", "--solutions", str(ROOT / "solutions"), "--lessons", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"{n} student notebooks in {tmp_path}, 0 changed\n"


def test_cli_without_subcommand_prints_usage_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main([]) == 2
    assert "{release,check,grade,merge,report}" in capsys.readouterr().err


def test_cli_grade_is_delegated_to_the_grading_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("autograder.grading", reason="the grading engine is not installed")
    code = cli_main(["grade", str(tmp_path / "no-such-folder"), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "grade: SUBMISSIONS: expected a directory" in capsys.readouterr().err


def test_cli_grade_without_the_engine_says_so(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "autograder.grading", None)  # makes the import fail
    assert cli_main(["grade", "submissions", "--out", "out"]) == 2
    assert capsys.readouterr().err.startswith("grade: the grading engine (autograder.grading) is not available: ")


def test_unreadable_source_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "sol").mkdir()
    (tmp_path / "sol" / "01-demo.ipynb").write_text("{not json", encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"01-demo.ipynb: cannot read the notebook: Expecting property name"):
        release(tmp_path / "sol", tmp_path / "les", registry=REGISTRY)
    (tmp_path / "sol" / "01-demo.ipynb").write_text('{"nbformat": 3, "worksheets": []}', encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"01-demo.ipynb: not a valid notebook: expected nbformat 4 JSON"):
        release(tmp_path / "sol", tmp_path / "les", registry=REGISTRY)


def test_cli_check_of_a_notebook_without_exercises_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import autograder.selfcheck as selfcheck

    path = tmp_path / "notes.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1 + 1")]), path)
    monkeypatch.setattr(selfcheck, "check_notebook", lambda p, **kw: selfcheck.results_from_executed(nbformat.read(p, as_version=4)))
    assert cli_main(["check", str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == f"{path}: no exercises found (no nbgrader answer cells)"
