"""How an exercise is defined: once, here in ``autograder``, for checks and grading alike.

An :class:`Exercise` names the answer a learner writes (``target``), the reference that
computes the right answer, public :class:`Case` inputs (run by the ``check`` cell in the
learner's kernel), hidden cases (run only by the grader), and the :class:`Mistake` s that
learners typically make, each with the hint it deserves.  When an answer is wrong, the
mistake whose output matches the learner's output names the likely error; otherwise the
exercise's general hint is shown.  Hints never contain the answer.

Two kinds of exercise:

``kind="function"``
    The answer cell defines a function ``target``.  A case's ``args``/``kwargs`` are passed
    to it; the reference gets the same inputs.
``kind="cell"``
    The answer cell computes one or more variables (``target`` is a name or a tuple of
    names) from variables that earlier, locked cells define.  A case's ``kwargs`` are those
    input variables: the grader binds them in the learner's namespace and re-runs the answer
    cell, so even an inline blank is tested on inputs the learner never saw.  The first
    public case must equal the notebook's own inputs: the ``check`` cell compares the
    learner's variable with the reference on it.

Lessons list their exercises in ``autograder/exercises/lNN.py`` as ``EXERCISES``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping, Sequence

import numpy as np

from .compare import Label, Verdict, compare, describe
from .plain import from_plain, to_plain


@dataclass(frozen=True)
class Case:
    """One set of test inputs.  ``label`` describes it for feedback ("a 5-sample signal")."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    args: tuple[Any, ...] = ()
    label: str = ""

    def inputs(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Fresh deep copies of the inputs, so an answer that mutates them harms nothing."""
        return copy.deepcopy(self.args), copy.deepcopy(self.kwargs)


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer and the hint it earns.

    A mistake is written once: as what a learner types (``fills`` or ``code``), from which
    the wrong output is computed by playing it into the answer cell (see
    :mod:`autograder.play`); or, as before, with ``fn`` as well.

    Args:
        name: Short id, e.g. ``"natural-log"``.
        hint: What the learner did, phrased so that it does not give the answer.
        fn: Optional: computes the wrong answer from the same inputs as the reference.
            Without it, the wrong answer is what the student version of the answer cell
            computes with ``fills`` (or ``code``) in it.
        fills: For inline-blank exercises, what a learner types into the blanks: a tuple
            with one text per ``___`` (in order), or a dict ``{blank number: text}`` naming
            only the blanks that differ from the solution (numbered from 0, in order).
        code: A complete wrong answer cell (body exercises).
    """

    name: str
    hint: str
    fn: Callable[..., Any] | None = None
    fills: tuple[str, ...] | Mapping[int, str] = ()
    code: str = ""

    def __post_init__(self) -> None:
        if self.fn is None and not self.fills and not self.code:
            raise ValueError(f"mistake {self.name!r}: give `fills` or `code` (and optionally `fn`)")


@dataclass(frozen=True)
class Exercise:
    """One graded exercise; ``id`` equals the nbgrader ``grade_id`` of its answer cell."""

    id: str
    lesson: str
    title: str
    points: int
    kind: Literal["function", "cell"]
    target: str | tuple[str, ...]
    reference: Callable[..., Any]
    public: Sequence[Case]
    hidden: Sequence[Case] | Callable[[np.random.Generator], Sequence[Case]]
    hint: str
    mistakes: Sequence[Mistake] = ()
    rtol: float = 1e-6
    atol: float = 1e-9
    labels: Mapping[str, Label] = field(default_factory=dict)
    strict_types: bool = False
    #: ``asrlab`` functions an answer may call although the reference calls them too: the
    #: library's versions of earlier exercises that this one builds on (e.g.
    #: ``"asrlab.dtw.dtw"`` for a nearest-template search).  The grader does not flag them.
    builds_on: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("function", "cell"):
            raise ValueError(f"{self.id}: kind must be 'function' or 'cell', got {self.kind!r}")
        if not self.public:
            raise ValueError(f"{self.id}: needs at least one public case")
        if self.points <= 0:
            raise ValueError(f"{self.id}: points must be positive, got {self.points}")

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target,) if isinstance(self.target, str) else tuple(self.target)

    def hidden_cases(self, rng: np.random.Generator | None = None) -> list[Case]:
        """The hidden cases; generated ones are drawn from ``rng`` (seeded by the grader)."""
        if callable(self.hidden):
            return list(self.hidden(rng if rng is not None else np.random.default_rng(0)))
        return list(self.hidden)

    def expected(self, case: Case) -> Any:
        """The reference answer on ``case``, as plain data decoded again (what graders compare)."""
        args, kwargs = case.inputs()
        return from_plain(to_plain(self.reference(*args, **kwargs)))

    def judge(self, case: Case, got_plain: Any, *, reveal: bool = False) -> tuple[Verdict, str]:
        """Compare a learner's decoded plain answer with the reference on ``case``.

        Returns the verdict, whose ``reason`` names the learner's variable and its first
        wrong element ("`lengths[1]` is 3, ..."), and, if wrong, the hint to show (a
        matching mistake's, else the general one).  ``reveal`` shows the expected value of
        a wrong element (public checks only).
        """
        verdict = compare(self.expected(case), got_plain, rtol=self.rtol, atol=self.atol, reveal=reveal,
                          strict_types=self.strict_types)
        if verdict:
            return verdict, ""
        reason = describe(verdict, self.targets, call=self.kind == "function", labels=self.labels,
                          inputs=case.kwargs)
        verdict = Verdict(False, reason, verdict.path, verdict.detail)
        return verdict, self.diagnose(case, got_plain)

    def wrong_output(self, mistake: Mistake, case: Case) -> Any:
        """What ``mistake`` computes on ``case``: its ``fn``, else its fills played into the cell."""
        if mistake.fn is not None:
            args, kwargs = case.inputs()
            return mistake.fn(*args, **kwargs)
        from .play import play_mistake

        return play_mistake(self, mistake, case)

    def diagnose(self, case: Case, got_plain: Any) -> str:
        """The hint of the first mistake whose output equals ``got_plain`` on ``case``."""
        for mistake in self.mistakes:
            try:
                wrong = from_plain(to_plain(self.wrong_output(mistake, case)))
            except Exception:  # a mistake that cannot run on this input is not the one
                continue
            if compare(wrong, got_plain, rtol=self.rtol, atol=self.atol, strict_types=self.strict_types):
                return mistake.hint
        return self.hint


def answer_of(exercise: Exercise, namespace: dict[str, Any]) -> Any:
    """The learner's answer object(s) from a namespace: the function, or the variable(s)."""
    values = tuple(namespace[name] for name in exercise.targets)
    return values[0] if len(values) == 1 else values


# ----------------------------------------------------------------------------- hint lint

_CALL = re.compile(r"(?<![\w.])(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w+\((?!\s*\))[^()]*\)?")
_OPERAND_L = r"(?:(?<![\w.])\d+(?:\.\d+)?|\b[A-Za-z_]\w*|\))"
_OPERAND_R = r"(?:\d+(?:\.\d+)?\b|[A-Za-z_]\w*\b|\()"
_ARITHMETIC = re.compile(
    rf"{_OPERAND_L}(?:(?:\*\*|//|[*%+])(?=[\w(])|\s+(?:\*\*|//|==|!=|<=|>=|[*/+=<>])\s+(?=[\w(])){_OPERAND_R}"
)
# an unspaced slash is arithmetic when a number or a one-letter name stands on one side
# ("2/N", "f/700", "n/N"), not between words ("and/or")
_SLASH = re.compile(r"(?:(?<![\w.])(?:\d+(?:\.\d+)?|[A-Za-z])/(?=[\w(])\w*|\b\w+/(?:\d+(?:\.\d+)?|[A-Za-z])\b)")
_INDEXING = re.compile(r"\b[A-Za-z_]\w*\[[^\]\s][^\]]*\]")
_BACKTICKS = re.compile(r"`([^`]+)`")
_NAME = re.compile(r"^[A-Za-z_][\w.]*$")


def pasteable_code(hint: str) -> list[str]:
    """The pieces of ``hint`` that read as code a learner could paste; ``[]`` if none.

    A general hint explains the idea and points to the lesson's section; it must not hold
    the answer's code or formula.  The heuristic flags, outside and inside backticks:

    * a call: a name of two or more characters, possibly dotted, directly followed by
      ``(`` with arguments (``log10(x)``, ``np.fft.rfftfreq(N, d=1/sr)``);
    * arithmetic between two operands (numbers or names): ``**``, ``//``, ``*``, ``/``,
      ``%``, ``+`` written without spaces (``n_fft//2``; a slash only with a number or a
      one-letter name beside it, ``2/N``, so that "and/or" passes) or with a space on *both*
      sides (``N // 2 + 1``, ``k * sr / n_fft``), comparisons and ``=`` with spaces on both
      sides (``seconds = ...``); a hyphen never counts (``non-negative``, ``16-bit``), nor
      Markdown emphasis (``*after*``, whose star touches a word on one side only);
    * indexing: a name directly followed by ``[...]`` (``y[1:]``);
    * a backticked span that is not a plain (dotted) name: ``sr`` and ``np.log10`` name
      things, ```keepdims=True``` or ```n // 2``` are code.

    Plain names, numbers with units ("25 ms", "1000 Hz"), words for operations
    ("divide by the sample rate"), and ``10 log10`` in words pass.
    """
    found: list[str] = []
    for span in _BACKTICKS.findall(hint):
        if not _NAME.match(span.strip()):
            found.append(f"`{span}`")
    text = _BACKTICKS.sub(" ", hint)
    for pattern in (_CALL, _ARITHMETIC, _SLASH, _INDEXING):
        found += [m.group(0) for m in pattern.finditer(text)]
    return found
