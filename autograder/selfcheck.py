"""``python -m autograder check NOTEBOOK``: a self-check from the terminal.

Runs one notebook top to bottom in a fresh kernel (errors do not stop the run, each cell
has a time limit) and reports every exercise's *public* check in one line:

* ``passed``: the check cell printed its ✅ line;
* ``not attempted``: the answer cell still holds a blank ``___`` or the
  ``raise NotImplementedError()`` stub;
* ``failed``: the check cell raised ``CheckFailed``; its reason and hint follow;
* ``error``: the answer cell raised, or the check cell raised something else, timed out or
  did not run.

Then a summary line.  The exit status is 0 when every exercise passed, 1 otherwise (and 2
when the notebook cannot be read).  Hidden tests are not run: they are for grading.

Lesson: 00 Start here.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import nbformat

from .release import BLANK, STUB_RAISE, answer_cells

__all__ = ["ExerciseResult", "check_notebook", "results_from_executed", "main"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class ExerciseResult:
    """The outcome of one exercise's public check.

    ``status`` is ``"passed"``, ``"failed"``, ``"not attempted"`` or ``"error"``;
    ``message`` is the check's text (the reason and hint when it failed).
    """

    exercise_id: str
    status: str
    message: str = ""

    def line(self) -> str:
        first, *rest = (self.message or "").splitlines() or [""]
        text = f"{self.exercise_id}: {self.status}"
        if self.status != "passed" and self.message:
            text += f": {first}" + "".join(f"\n    {r.strip()}" for r in rest if r.strip())
        return text


def _uses_blank(source: str) -> bool:
    """Does the code use the name ``___`` (outside strings and comments)?"""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return re.search(r"(?<![\w])___(?![\w])", source) is not None
    return any(t.type == tokenize.NAME and t.string == BLANK for t in tokens)


def _is_stub(source: str) -> bool:
    return any(line.strip() == STUB_RAISE for line in source.splitlines())


_STOPPED = ("KeyboardInterrupt", "CellTimeoutError")


def _error_text(output: Any) -> str:
    ename, evalue = str(output.get("ename", "Error")), str(output.get("evalue", ""))
    if ename in _STOPPED:
        return f"{ename}: the cell did not finish in time and was stopped (an endless loop?)"
    lines = [_ANSI.sub("", str(x)) for x in output.get("traceback", [])]
    text = "\n".join(lines).strip()
    if not text or "Traceback" in text or "----" in text:
        text = f"{ename}: {evalue}" if evalue else ename
    return text


def _first_error(cell: Any) -> Any | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output
    return None


def _stdout(cell: Any) -> str:
    return "".join(
        str(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream"
    )


def results_from_executed(nb: Any) -> list[ExerciseResult]:
    """Classify each exercise of an executed notebook (see the module docstring)."""
    results = []
    for ans in answer_cells(nb):
        answer_cell = nb["cells"][ans.index]
        if _uses_blank(ans.source):
            results.append(ExerciseResult(ans.grade_id, "not attempted", "the answer cell still has blanks ___ to fill in"))
            continue
        if _is_stub(ans.source):
            results.append(
                ExerciseResult(ans.grade_id, "not attempted", f"the answer cell still has `{STUB_RAISE}` in place of your code")
            )
            continue
        error = _first_error(answer_cell)
        if error is not None:
            results.append(ExerciseResult(ans.grade_id, "error", f"the answer cell raised {_error_text(error)}"))
            continue
        if ans.check_index is None:
            results.append(ExerciseResult(ans.grade_id, "error", "no check cell follows the answer cell"))
            continue
        check_cell = nb["cells"][ans.check_index]
        error = _first_error(check_cell)
        if error is not None:
            status = "failed" if error.get("ename") == "CheckFailed" else "error"
            text = _error_text(error)
            text = re.sub(r"^❌\s*", "", text)
            results.append(ExerciseResult(ans.grade_id, status, text))
            continue
        out = _stdout(check_cell)
        if "✅" in out:
            results.append(ExerciseResult(ans.grade_id, "passed", out.strip().lstrip("✅").strip()))
        else:
            results.append(ExerciseResult(ans.grade_id, "error", "the check cell did not run or printed no result"))
    return results


def check_notebook(
    path: str | Path,
    *,
    timeout: float = 120.0,
    kernel_name: str = "python3",
) -> list[ExerciseResult]:
    """Execute ``path`` in a fresh kernel (in its own folder) and classify its exercises.

    Args:
        path: The notebook file.
        timeout: Seconds each cell may run (default 120); a cell over it is interrupted
            and the run continues.
        kernel_name: Jupyter kernel to start (default ``python3``).

    Returns:
        One :class:`ExerciseResult` per answer cell, in notebook order.
    """
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        allow_errors=True,
        interrupt_on_timeout=True,
        record_timing=False,
        resources={"metadata": {"path": str(path.resolve().parent)}},
    )
    # The kernel's own stderr (start-up notices about its transport) means nothing to a
    # learner; everything a cell prints arrives through the kernel protocol instead.
    client.execute(stderr=subprocess.DEVNULL)
    return results_from_executed(nb)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``check`` arguments to ``parser`` (shared by ``python -m autograder``)."""
    parser.add_argument("notebook", type=Path, help="the notebook to run, e.g. lessons/00-start-here.ipynb")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per cell (default 120)")
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel name (default python3)")


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``check`` command: 0 if every exercise passed, 1 if not, 2 for a bad file."""
    path: Path = args.notebook
    if not path.is_file():
        print(f"check: no such notebook: {path}", file=sys.stderr)
        return 2
    try:
        nbformat.read(path, as_version=4)
    except Exception as exc:  # any unreadable file is a usage error
        print(f"check: cannot read {path} as a notebook: {exc}", file=sys.stderr)
        return 2
    print(f"Running {path} in a fresh kernel...", flush=True)
    results = check_notebook(path, timeout=args.timeout, kernel_name=args.kernel)
    if not results:
        print(f"{path}: no exercises found (no nbgrader answer cells)")
        return 1
    for result in results:
        print(result.line())
    counts = {s: sum(r.status == s for r in results) for s in ("passed", "failed", "not attempted", "error")}
    total = len(results)
    print(
        f"{counts['passed']} of {total} exercise{'s' if total != 1 else ''} passed"
        f" ({counts['failed']} failed, {counts['not attempted']} not attempted, {counts['error']} errors)."
        + (" Hidden tests run when your notebook is graded." if counts["passed"] else "")
    )
    return 0 if counts["passed"] == total else 1


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m autograder check NOTEBOOK [--timeout S] [--kernel NAME]``."""
    parser = argparse.ArgumentParser(
        prog="python -m autograder check",
        description="Run one notebook in a fresh kernel and report each exercise's public check.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
