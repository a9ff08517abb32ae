"""Grade one submitted notebook: run the skeleton in a sandbox, judge every case outside.

Statuses of an exercise (one ``grades.csv`` row each):

``passed``          every public and hidden case gave the reference's answer.
``failed``          some cases gave another answer (partial credit per case).
``error``           the answer raised (or was not a function, or not plain data) on the
                    cases it did not pass, or the kernel died (``os._exit``, a crash).
``timeout``         the answer cell or a case ran past the time limit.
``resource-limit``  memory, processes, CPU time or the output budget ran out.
``not-attempted``   the answer cell is the student version's, or still has ``___`` or
                    ``raise NotImplementedError``.
``missing``         no answer cell (or no notebook) was submitted.

When several cases fail for different reasons, the status names the most serious one:
``resource-limit``, then ``timeout``, ``error``, ``failed``; the score still counts every
passed case.  After two timed-out cases of one exercise its remaining cases are counted as
timed out without running them.

The score of an exercise is ``points * passed cases / all cases`` (public + hidden).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..exercise import Case, Exercise
from ..plain import from_plain, to_plain
from .kernel import Outcome, Sandbox
from .notebooks import Lesson, Match, not_attempted

PASSED, FAILED, ERROR, TIMEOUT, RESOURCE = "passed", "failed", "error", "timeout", "resource-limit"
NOT_ATTEMPTED, MISSING, TAMPERED = "not-attempted", "missing", "tampered"
STATUSES = (PASSED, FAILED, ERROR, TIMEOUT, RESOURCE, NOT_ATTEMPTED, MISSING, TAMPERED)
_SEVERITY = (RESOURCE, TIMEOUT, ERROR, FAILED)
_RESOURCE_WORDS = {
    "memory": "it ran out of memory",
    "pids": "it started too many processes",
    "cpu": "it used up its CPU time",
    "output-limit": "it printed more output than allowed",
}
MAX_EXPRESSION_CHARS = 70_000_000


@dataclass
class CaseResult:
    """One case's outcome: ``status`` is one of passed/failed/error/timeout/resource-limit."""

    public: bool
    label: str
    status: str
    message: str = ""


@dataclass
class ExerciseResult:
    exercise: Exercise
    status: str
    score: float
    message: str = ""
    cases: list[CaseResult] = field(default_factory=list)


def _outcome_status(out: Outcome) -> tuple[str, str]:
    """Status and learner message for a non-ok execution outcome."""
    if out.status in _RESOURCE_WORDS:
        return RESOURCE, _RESOURCE_WORDS[out.status]
    if out.status == "timeout":
        return TIMEOUT, "it did not finish within the time limit"
    if out.status == "died":
        return ERROR, "the kernel stopped (the code ended the Python process)"
    return ERROR, f"{out.ename}: {out.evalue}"[:300]


def _read_expression(out: Outcome) -> dict[str, Any]:
    """The runner's JSON line from ``user_expressions``; anything malformed reads as lost."""
    expr = out.expressions.get("r") if isinstance(out.expressions, dict) else None
    if not isinstance(expr, dict) or expr.get("status") != "ok":
        return {"lost": True}
    data = expr.get("data")
    text = data.get("text/plain") if isinstance(data, dict) else None
    if not isinstance(text, str) or len(text) > MAX_EXPRESSION_CHARS:
        return {"lost": True}
    try:
        value = json.loads(text)
    except ValueError:
        return {"lost": True}
    return value if isinstance(value, dict) else {"lost": True}


def _for_hidden(result: CaseResult) -> str:
    """A hidden case's message without anything the learner's code chose to put in it.

    The learner's code sees a hidden case's inputs while it runs; exception messages and
    quoted answers could carry them into the feedback, so for hidden cases only the
    exception's type and the comparison's own words are kept.
    """
    message = result.message
    if result.status == ERROR and ": " in message and message.split(": ", 1)[0].isidentifier():
        return message.split(": ", 1)[0]
    if result.status == FAILED and ("got '" in message or 'got "' in message):
        hint = message.split(" Hint: ", 1)[1] if " Hint: " in message else ""
        return "the text is not the expected one." + (f" Hint: {hint}" if hint else "")
    return message


class NotebookGrader:
    """Runs one lesson's skeleton with a submission's answers in one sandbox."""

    def __init__(self, sandbox: Sandbox, lesson: Lesson, match: Match, hidden: dict[str, list[Case]]) -> None:
        self.sb = sandbox
        self.lesson = lesson
        self.match = match
        self.hidden = hidden
        self.replay: list[str] = []
        self.runner_loaded = False

    # ------------------------------------------------------------------ kernel helpers
    def _restored(self) -> None:
        """After a restart: run again every cell that ran before (answers that broke it excluded)."""
        self.runner_loaded = False
        for _ in range(3):
            for src in list(self.replay):
                out = self.sb.execute(src)
                if out.status not in ("ok", "error"):
                    self.replay.remove(src)
                    if out.restarted:
                        break
            else:
                return

    def _run(self, code: str, **kw: Any) -> Outcome:
        out = self.sb.execute(code, **kw)
        if out.restarted:
            self._restored()
        return out

    def _ensure_runner(self) -> bool:
        if self.runner_loaded:
            return True
        out = self._run("import _case_runner")
        self.runner_loaded = out.status == "ok"
        return self.runner_loaded

    # ------------------------------------------------------------------ grading
    def grade(self) -> list[ExerciseResult]:
        results: dict[str, ExerciseResult] = {}
        initial: dict[str, tuple[str, str] | None] = {}
        for cell in self.lesson.cells:
            if cell.kind == "code":
                out = self._run(cell.source)
                if out.status in ("ok", "error"):
                    self.replay.append(cell.source)
            elif cell.kind == "answer":
                ex = self.lesson.exercises[cell.exercise]
                src = self.match.answers.get(cell.exercise)
                if src is None:
                    results[ex.id] = ExerciseResult(ex, MISSING, 0.0, "no answer cell was submitted")
                    continue
                if not_attempted(src, cell.student_source):
                    results[ex.id] = ExerciseResult(ex, NOT_ATTEMPTED, 0.0, "the answer cell was not filled in")
                    continue
                out = self._run(src)
                if out.status in ("ok", "error"):
                    self.replay.append(src)
                    initial[ex.id] = None if out.status == "ok" else (ERROR, f"{out.ename}: {out.evalue}"[:300])
                else:
                    initial[ex.id] = _outcome_status(out)
            elif cell.kind == "check":
                ex = self.lesson.exercises[cell.exercise]
                if ex.id in results or ex.id not in initial:
                    continue
                results[ex.id] = self._check(ex, self.match.answers[ex.id] or "", initial[ex.id])
        for ex_id in self.lesson.answer_ids:
            if ex_id not in results:  # an answer cell without a check cell after it
                ex = self.lesson.exercises[ex_id]
                results[ex_id] = self._check(ex, self.match.answers.get(ex_id) or "", initial.get(ex_id))
        return [results[i] for i in self.lesson.answer_ids]

    def _check(self, ex: Exercise, source: str, initial: tuple[str, str] | None) -> ExerciseResult:
        cases = [(True, c) for c in ex.public] + [(False, c) for c in self.hidden[ex.id]]
        if initial is not None and initial[0] in (TIMEOUT, RESOURCE) or (
            initial is not None and initial[1].startswith("the kernel stopped")
        ):
            status, message = initial
            return ExerciseResult(ex, status, 0.0, f"the answer cell failed: {message}",
                                  [CaseResult(p, c.label, status, message) for p, c in cases])
        results: list[CaseResult] = []
        timeouts = 0
        if ex.kind == "cell" and self._ensure_runner():
            names = sorted({*ex.targets, *{k for _, c in cases for k in c.kwargs}})
            self._run(f"_case_runner.save({names!r})")
        for public, case in cases:
            if timeouts >= 2:
                results.append(CaseResult(public, case.label, TIMEOUT, "not run: earlier cases timed out"))
                continue
            res = self._case(ex, source, case, public)
            timeouts += res.status == TIMEOUT
            results.append(res)
        if ex.kind == "cell" and self._ensure_runner():
            self._run("_case_runner.restore()")
        passed = sum(r.status == PASSED for r in results)
        score = ex.points * passed / len(results)
        if passed == len(results):
            status = PASSED
        else:
            status = next(s for s in _SEVERITY if any(r.status == s for r in results))
        message = ""
        if initial is not None and status != PASSED:
            message = f"the answer cell raised {initial[1]}"
        return ExerciseResult(ex, status, score, message, results)

    def _case(self, ex: Exercise, source: str, case: Case, public: bool) -> CaseResult:
        result = self._run_case(ex, source, case, public)
        if not public:
            result.message = _for_hidden(result)
        return result

    def _run_case(self, ex: Exercise, source: str, case: Case, public: bool) -> CaseResult:
        if not self._ensure_runner():
            return CaseResult(public, case.label, ERROR, "the notebook's kernel could not run the checks")
        token = uuid.uuid4().hex
        args, kwargs = case.inputs()
        expr = {"r": f"_case_runner.take({token!r})"}
        try:
            if ex.kind == "function":
                payload = json.dumps({"args": to_plain(tuple(args)), "kwargs": to_plain(dict(kwargs))})
                out = self._run(f"_case_runner.call({token!r}, {ex.targets[0]!r}, {payload!r})", expressions=expr)
            else:
                payload = json.dumps(to_plain(dict(kwargs)))
                out = self._run(f"_case_runner.bind({token!r}, {payload!r})")
                if out.status == "ok":
                    out = self._run(source)
                    if out.status == "ok":
                        token = uuid.uuid4().hex
                        expr = {"r": f"_case_runner.take({token!r})"}
                        out = self._run(f"_case_runner.fetch({token!r}, {list(ex.targets)!r})", expressions=expr)
        except Exception as exc:  # noqa: BLE001 - a case input the grader cannot send is an instructor error
            raise RuntimeError(f"{ex.id}: case {case.label or case} cannot be sent to the kernel: {exc}") from exc
        if out.status != "ok":
            status, message = _outcome_status(out)
            return CaseResult(public, case.label, status, message)
        result = _read_expression(out)
        if "value" in result:
            try:
                got = from_plain(result["value"])
            except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as exc:
                return CaseResult(public, case.label, ERROR, f"the answer could not be read back ({str(exc)[:100]})")
            verdict, hint = ex.judge(case, got)
            if verdict:
                return CaseResult(public, case.label, PASSED)
            return CaseResult(public, case.label, FAILED, f"{verdict.reason}. Hint: {hint}")
        if "raised" in result:
            name = str(result.get("raised"))[:80]
            status = RESOURCE if name == "MemoryError" else ERROR
            return CaseResult(public, case.label, status, f"{name}: {str(result.get('message', ''))[:300]}")
        if "undefined" in result:
            return CaseResult(public, case.label, ERROR, f"`{str(result['undefined'])[:80]}` is not defined")
        if "unplain" in result:
            return CaseResult(public, case.label, ERROR, str(result["unplain"])[:300])
        return CaseResult(public, case.label, ERROR, "no answer came back from the notebook")
