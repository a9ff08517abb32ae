"""Grade one submitted notebook: run the skeleton in a sandbox, judge every case outside.

Statuses of an exercise (one ``grades.csv`` row each):

``passed``          every public and hidden case gave the reference's answer.
``failed``          some cases gave another answer (partial credit per case).
``error``           the answer raised (or was not a function, or not plain data) on the
                    cases it did not pass, or the kernel died (``os._exit``, a crash).
``timeout``         the answer cell or a case ran past the time limit, or the exercise's
                    or the notebook's time budget ran out (the message says which).
``resource-limit``  memory, processes, CPU time or the output budget ran out.
``not-attempted``   the answer cell is the student version's, or still has ``___`` or
                    ``raise NotImplementedError``.
``missing``         no answer cell (or no notebook) was submitted.

When several cases fail for different reasons, the status names the most serious one:
``resource-limit``, then ``timeout``, ``error``, ``failed``; the score still counts every
passed case.  After two timed-out cases of one exercise its remaining cases are counted as
timed out without running them.

The score of an exercise is ``points * passed cases / all cases`` (public + hidden).

Time budgets (wall clock, on top of the per-cell/per-case ``timeout``):

* **per exercise** (``exercise_budget``): its answer cell and all of its cases together.
  Each execution is given ``min(timeout, what is left of the budget)``; when it is spent,
  the cases not yet run count as ``timeout`` ("not run: the exercise's time budget of N s
  ran out"), the ones that passed keep their points.
* **per notebook** (``notebook_budget``, counted from the moment the kernel is ready): every
  cell, case and replay after a restart.  When it is spent the notebook stops; exercises not
  graded yet are ``timeout`` and the notebook gets a ``(notebook)`` row ``timeout``.

Feedback never carries hidden inputs.  Every message that came from the learner's code
(exception messages, names, quoted answers) is shown in full only while no hidden input
has entered the kernel; after that (and always for hidden cases) it is reduced to what the
grader itself wrote: a built-in exception's type, the comparison's words without quoted
values or numbers, the hint.  A forged or malformed answer that the grader cannot decode
or judge costs only its own case (``error``).
"""

from __future__ import annotations

import builtins
import json
import re
import time
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
#: Wall-clock seconds for one request that runs a group of cases at once (public, hidden).
BATCH_SECONDS = 2.0


@dataclass
class CaseResult:
    """One case's outcome: ``status`` is one of passed/failed/error/timeout/resource-limit."""

    public: bool
    label: str
    status: str
    message: str = ""
    mistake: str = ""  # the name of the recognised mistake, when a failed answer matched one


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
    except Exception:  # noqa: BLE001 - ValueError, RecursionError (deep nesting): lost
        return {"lost": True}
    return value if isinstance(value, dict) else {"lost": True}


_BUILTIN_EXCEPTIONS = frozenset(
    name for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, BaseException)
)
#: Messages the grader writes itself (they carry nothing from the learner's code).
_OWN_MESSAGES = (
    "it did not finish within the time limit", "the kernel stopped (the code ended the Python process)",
    "no answer came back from the notebook", "the notebook's kernel could not run the checks",
    "not run: earlier cases timed out", *(_RESOURCE_WORDS.values()),
)
_LEARNER_TOKENS = re.compile(r"""'[^']*'|"[^"]*"|`[^`]*`|\d""")


def _scrub(status: str, message: str, targets: tuple[str, ...]) -> str:
    """``message`` without anything the learner's code chose to put in it.

    The learner's code sees a hidden case's inputs while it runs, and keeps them for later
    cases: exception messages, exception class names, variable names and quoted or counted
    parts of an answer could carry them into the feedback.  Kept: the grader's own words,
    a built-in exception's name, a comparison's reason without quotes or numbers, the hint.
    """
    if message in _OWN_MESSAGES or message.startswith(("not run: the ", "the answer could not be judged")):
        return message
    if status == ERROR:
        if message.startswith("`") and message.endswith("` is not defined"):
            name = message[1:-len("` is not defined")]
            return message if name in targets else "a name the answer needs is not defined"
        name = message.split(":", 1)[0].strip()
        if name in _BUILTIN_EXCEPTIONS:
            return name
        return "an exception" if ":" in message or not message else "the answer could not be checked"
    if status == FAILED:
        reason, _, hint = message.partition(" Hint: ")
        if _LEARNER_TOKENS.search(reason):
            reason = "the answer is not the expected one."
        return reason + (f" Hint: {hint}" if hint else "")
    return message


def _for_hidden(result: CaseResult) -> str:
    """A hidden case's message (kept for callers of the old name): :func:`_scrub` it."""
    return _scrub(result.status, result.message, ())


class InstructorError(RuntimeError):
    """A case the grader cannot even send (an exercise definition's fault, not the learner's)."""


class NotebookGrader:
    """Runs one lesson's skeleton with a submission's answers in one sandbox.

    ``exercise_budget`` and ``notebook_budget`` are wall-clock seconds (``None``: none);
    after :meth:`grade`, ``out_of_time`` tells whether the notebook's budget ran out and
    ``diagnostics`` lists what the grader could not decode or judge (for ``grades.json``).
    """

    def __init__(self, sandbox: Sandbox, lesson: Lesson, match: Match, hidden: dict[str, list[Case]], *,
                 exercise_budget: float | None = None, notebook_budget: float | None = None,
                 batch: bool = True) -> None:
        self.sb = sandbox
        self.lesson = lesson
        self.match = match
        self.hidden = hidden
        self.replay: list[str] = []
        self.runner_loaded = False
        self.exercise_budget = exercise_budget
        self.notebook_budget = notebook_budget
        self._nb_deadline: float | None = None
        self._ex_deadline: float | None = None
        self.out_of_time = False
        self.exposed = False  # has a hidden case's input entered the kernel?
        self.batch = batch
        self.diagnostics: list[str] = []

    # ------------------------------------------------------------------ time
    def _left(self) -> float:
        """Seconds the next execution may take: the per-cell timeout, cut to the budgets."""
        now = time.monotonic()
        left = self.sb.limits.timeout
        for deadline in (self._ex_deadline, self._nb_deadline):
            if deadline is not None:
                left = min(left, deadline - now)
        return left

    def _budget_spent(self) -> str:
        """Which budget is spent (``""``: none)."""
        now = time.monotonic()
        if self._nb_deadline is not None and now >= self._nb_deadline:
            self.out_of_time = True
            return f"the notebook's time budget of {self.notebook_budget:g} s ran out"
        if self._ex_deadline is not None and now >= self._ex_deadline:
            return f"the exercise's time budget of {self.exercise_budget:g} s ran out"
        return ""

    # ------------------------------------------------------------------ kernel helpers
    def _restored(self) -> None:
        """After a restart: run again every cell that ran before (answers that broke it excluded)."""
        self.runner_loaded = False
        for _ in range(3):
            for src in list(self.replay):
                if self._budget_spent():
                    return
                out = self.sb.execute(src, timeout=self._left())
                if out.status not in ("ok", "error"):
                    self.replay.remove(src)
                    if out.restarted:
                        break
            else:
                return

    def _run(self, code: str, **kw: Any) -> Outcome:
        spent = self._budget_spent()
        if spent:
            return Outcome("timeout", evalue=spent)
        out = self.sb.execute(code, timeout=self._left(), **kw)
        if out.status == "timeout" and not out.evalue:
            spent = self._budget_spent()
            if spent:
                out.evalue = spent
        if out.restarted:
            self._restored()
        return out

    def _ensure_runner(self) -> bool:
        if self.runner_loaded:
            return True
        out = self._run("import _case_runner")
        self.runner_loaded = out.status == "ok"
        return self.runner_loaded

    def _status(self, out: Outcome, targets: tuple[str, ...]) -> tuple[str, str]:
        if out.status == "timeout" and out.evalue:
            return TIMEOUT, out.evalue  # a budget, in the grader's words
        status, message = _outcome_status(out)
        if self.exposed:
            message = _scrub(status, message, targets)
        return status, message

    # ------------------------------------------------------------------ grading
    def grade(self) -> list[ExerciseResult]:
        results: dict[str, ExerciseResult] = {}
        initial: dict[str, tuple[str, str] | None] = {}
        if self.notebook_budget is not None:
            self._nb_deadline = time.monotonic() + self.notebook_budget
        for cell in self.lesson.cells:
            if cell.kind != "text" and self._budget_spent() and self.out_of_time:
                break
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
                if self.exercise_budget is not None:
                    self._ex_deadline = time.monotonic() + self.exercise_budget
                out = self._run(src)
                if out.status in ("ok", "error"):
                    self.replay.append(src)
                    initial[ex.id] = None if out.status == "ok" else self._status(out, ex.targets)
                else:
                    initial[ex.id] = self._status(out, ex.targets)
            elif cell.kind == "check":
                ex = self.lesson.exercises[cell.exercise]
                if ex.id in results or ex.id not in initial:
                    continue
                results[ex.id] = self._check(ex, self.match.answers[ex.id] or "", initial[ex.id])
                self._ex_deadline = None
        for ex_id in self.lesson.answer_ids:
            if ex_id in results:
                continue
            ex = self.lesson.exercises[ex_id]
            if self.out_of_time:
                spent = f"not graded: the notebook's time budget of {self.notebook_budget:g} s ran out"
                results[ex_id] = ExerciseResult(ex, TIMEOUT, 0.0, spent)
            else:  # an answer cell without a check cell after it
                results[ex_id] = self._check(ex, self.match.answers.get(ex_id) or "", initial.get(ex_id))
                self._ex_deadline = None
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
        done: list[CaseResult] = []
        if self.batch:  # each group at once; from the first case that did not run so, one by one
            for group in ([c for c in cases if c[0]], [c for c in cases if not c[0]]):
                if not group:
                    continue
                got = self._batch(ex, source, group)
                if got is None:
                    break
                done += got
                if len(got) < len(group):
                    break
        results.extend(done)
        for public, case in cases[len(done):]:
            spent = self._budget_spent()
            if spent:
                results.append(CaseResult(public, case.label, TIMEOUT, f"not run: {spent}"))
                continue
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
        if not public:
            self.exposed = True
        return self._guarded(ex, case, public, lambda: self._run_case(ex, source, case, public))

    def _guarded(self, ex: Exercise, case: Case, public: bool, judge) -> CaseResult:
        """``judge()``'s result, scrubbed once hidden inputs were exposed; a failure of the
        grader's own (decoding, judging) costs this case only and is noted for ``grades.json``."""
        try:
            result = judge()
        except InstructorError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever the answer made the grader do costs this case only
            self.diagnostics.append(f"{ex.id}: {'public' if public else 'hidden'} case {case.label or ''}: "
                                    f"{type(exc).__name__}: {str(exc)[:200]}")
            result = CaseResult(public, case.label, ERROR, "the answer could not be judged")
        if self.exposed:
            result.message = _scrub(result.status, result.message, ex.targets)
        return result

    def _run_case(self, ex: Exercise, source: str, case: Case, public: bool) -> CaseResult:
        if not self._ensure_runner():
            return CaseResult(public, case.label, ERROR, "the notebook's kernel could not run the checks")
        token = uuid.uuid4().hex
        expr = {"r": f"_case_runner.take({token!r})"}
        payload = self._payload(ex, case)
        # the inputs and the source travel as the request's data, not as code to parse
        if ex.kind == "function":
            out = self._run(f"_case_runner.call({token!r}, {ex.targets[0]!r})", expressions=expr,
                            data={"payload": payload})
        else:
            out = self._run(f"_case_runner.run_cell({token!r}, {list(ex.targets)!r})", expressions=expr,
                            data={"payload": payload, "source": source})
        if out.status != "ok":
            status, message = self._status(out, ex.targets)
            return CaseResult(public, case.label, status, message)
        return self._read_case(ex, case, public, _read_expression(out))

    def _payload(self, ex: Exercise, case: Case) -> str:
        args, kwargs = case.inputs()
        try:
            if ex.kind == "function":
                return json.dumps({"args": to_plain(tuple(args)), "kwargs": to_plain(dict(kwargs))})
            return json.dumps(to_plain(dict(kwargs)))
        except Exception as exc:  # noqa: BLE001 - a case input the grader cannot send is an instructor error
            raise InstructorError(f"{ex.id}: case {case.label or case} cannot be sent to the kernel: {exc}") from exc

    def _batch(self, ex: Exercise, source: str, group: list[tuple[bool, Case]]) -> list[CaseResult] | None:
        """Run ``group`` (all public or all hidden) in one request; the results of the cases
        that ran, in order, or ``None`` when the request did not end well (then nothing of it
        counts).  The kernel stops at the first case whose own request would not have ended
        ``ok`` (an exception out of the cell, ``SystemExit``): that case and the rest are
        then run one by one, which is also what happens after ``None``.  The request gets at
        most ``BATCH_SECONDS``; that time is given back to the exercise's budget when it
        fails (it was the grader's attempt, not the answer's turn)."""
        if not self._ensure_runner():
            return None
        if not group[0][0]:
            self.exposed = True
        payloads = [self._payload(ex, case) for _, case in group]
        token = uuid.uuid4().hex
        names = [ex.targets[0]] if ex.kind == "function" else list(ex.targets)
        spent = self._budget_spent()
        if spent:
            return None
        started = time.monotonic()
        limit = min(BATCH_SECONDS, self._left())
        out = self.sb.execute(f"_case_runner.batch({token!r}, {ex.kind!r}, {names!r})", timeout=limit,
                              expressions={"r": f"_case_runner.take({token!r})"},
                              data={"payloads": json.dumps(payloads), "source": source})
        if out.restarted:
            self._restored()
        found = _read_expression(out) if out.status == "ok" else {"lost": True}
        lines = found.get("cases")
        if out.status != "ok" or not isinstance(lines, list) or len(lines) > len(group):
            if self._ex_deadline is not None and not out.restarted:
                self._ex_deadline += time.monotonic() - started
            return None
        results = []
        for (public, case), line in zip(group, lines):
            try:
                result = json.loads(line) if isinstance(line, str) and len(line) <= MAX_EXPRESSION_CHARS else {}
            except Exception:  # noqa: BLE001 - malformed: lost
                result = {}
            result = result if isinstance(result, dict) and result else {"lost": True}
            results.append(self._guarded(ex, case, public,
                                         lambda case=case, public=public, result=result:
                                         self._read_case(ex, case, public, result)))
        return results

    def _read_case(self, ex: Exercise, case: Case, public: bool, result: dict[str, Any]) -> CaseResult:
        """Judge one case's outcome as the runner encoded it."""
        if "value" in result:
            try:
                got = from_plain(result["value"])
            except Exception as exc:  # noqa: BLE001 - malformed plain data: this case only
                return CaseResult(public, case.label, ERROR,
                                  f"the answer could not be read back ({type(exc).__name__})")
            try:
                verdict, hint = ex.judge(case, got)
            except Exception as exc:  # noqa: BLE001 - e.g. a 400-digit integer where a number is expected
                self.diagnostics.append(f"{ex.id}: judging failed: {type(exc).__name__}: {str(exc)[:200]}")
                return CaseResult(public, case.label, ERROR,
                                  "the answer could not be judged (a value out of range or of a form the check "
                                  "does not accept)")
            if verdict:
                return CaseResult(public, case.label, PASSED)
            mistake = next((m.name for m in ex.mistakes if m.hint == hint), "")
            return CaseResult(public, case.label, FAILED, f"{verdict.reason}. Hint: {hint}", mistake)
        if "raised" in result:
            name = str(result.get("raised"))[:80]
            status = RESOURCE if name == "MemoryError" else ERROR
            return CaseResult(public, case.label, status, f"{name}: {str(result.get('message', ''))[:300]}")
        if "undefined" in result:
            return CaseResult(public, case.label, ERROR, f"`{str(result['undefined'])[:80]}` is not defined")
        if "unplain" in result:
            return CaseResult(public, case.label, ERROR, str(result["unplain"])[:300])
        return CaseResult(public, case.label, ERROR, "no answer came back from the notebook")
