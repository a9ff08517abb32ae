"""Exercises of lesson 08, measuring accuracy: WER and CER.

References: :mod:`asrlab.metrics` (``edit_distance``, ``wer``, ``cer``, ``normalize``),
which ``tests/test_metrics.py`` and ``tests/test_lesson_08.py`` check against jiwer's
``process_words`` / ``process_characters``; the backtrace rule of the ``align``
exercise (:func:`backtrace`), whose S/D/I counts equal jiwer's on every hidden case; and,
for the voice-command checker, :func:`asrlab.model.decode` constrained to the course's
vocabulary on log-probabilities of the pretrained recogniser.

Conventions shared with jiwer: words are what ``str.split()`` gives for text whose words
are separated by spaces (runs of spaces and spaces at the ends do not count); characters
are those of the text with its ends stripped, inner spaces included; an *empty
reference* has no rate to divide, and the lesson follows jiwer 4: the "rate" is then the
number of inserted words (or characters), 0 when the hypothesis is empty too.

The mistakes are the classic ones: borders of the table left at zero, a substitution that
costs two, a diagonal step that is always free, alignments read backwards or with every
diagonal step called a substitution, dividing by the hypothesis length, capping the WER
at 1, stripping no spaces or every space for the CER, the mean of per-sentence WERs (or
the sentence error rate) instead of the corpus WER, and, for the checker, greedy
decoding, no normalisation, reference and hypothesis swapped, and a strict threshold.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence as SequenceABC
from typing import Any, Sequence

import numpy as np

from asrlab import metrics
from autograder.compare import Verdict, compare
from autograder.exercise import Case, Exercise, Mistake
from autograder.exercises._speech import model_log_probs as log_probs_of
from autograder.exercises._speech import pretrained

LESSON = "08-wer-and-cer"


# ---------------------------------------------------------------------------
# failure messages in the learner's terms
# ---------------------------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray) and value.ndim == 0 or isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class _Explained(Exercise):
    """An exercise whose failure messages name the learner's function and its first wrong part:
    ``align(...)[3] is ('sub', 'on', 'on')``, ``wer(...) returned 0.75``,
    ``check_command(...)['heard']: got 'x'``.  Only the learner's own values are shown, never
    the expected ones, so the messages are safe for hidden cases too."""

    def judge(self, case: Case, got_plain: Any, *, reveal: bool = False) -> tuple[Verdict, str]:
        verdict, hint = super().judge(case, got_plain)  # never reveals: only the learner's values are shown
        if verdict:
            return verdict, hint
        return Verdict(False, self._explain(case, got_plain, verdict.reason)), hint

    def _explain(self, case: Case, got: Any, reason: str) -> str:
        call = f"`{self.target}(...)`"
        expected = self.expected(case)
        if isinstance(expected, list) and isinstance(got, (list, tuple)):
            if len(got) != len(expected):
                return f"{call} returned {len(got)} steps, expected {len(expected)}"
            for k, (e, g) in enumerate(zip(expected, got)):
                if not compare(e, g, rtol=self.rtol, atol=self.atol):
                    return (f"{call}[{k}] is {_show(g)}: step {k + 1} of {len(got)} (in reading order) is the "
                            "first wrong one")
        if isinstance(expected, dict) and isinstance(got, dict):
            return reason  # already names the call and the key: "`check_command(...)['heard']` is ..."
        if isinstance(expected, (int, float)) and isinstance(got, (int, float, np.generic, np.ndarray)) \
                and np.ndim(got) == 0 and not isinstance(got, bool):
            return f"{call} returned {_show(got)}, which is not the expected value"
        return f"{call}: {reason}"


# ---------------------------------------------------------------------------
# the notebook's own inputs
# ---------------------------------------------------------------------------

#: The worked example of sections 2 to 4: one deletion, one substitution, one insertion.
REF_EXAMPLE = "turn the kitchen light on"
HYP_EXAMPLE = "turn kitchen lights on now"

#: The corpus of section 8, where the corpus WER and the mean of per-sentence WERs disagree.
CORPUS_REFS = [
    "stop",
    "go",
    "turn it up",
    "switch the kitchen light off and set the volume to five",
]
CORPUS_HYPS = [
    "top",
    "no",
    "turn up",
    "switch the kitchen light off and set the volume to five",
]

#: Voice-command trials: (the command shown to the user, what the recording says, voice).
COMMAND_TRIALS = [
    ("Turn off the radio.", "turn off the radio", "en-gb-x-rp+pablo"),
    ("Turn the light on.", "turn the light off", "en-gb+Mike"),
    ("Call one two three.", "call one two", "en-029+pablo"),
    ("Set the volume to five.", "set the volume to nine", "en-gb+victor"),
]


@functools.lru_cache(maxsize=None)
def _silence_log_probs() -> np.ndarray:
    from asrlab.model import logits_for

    return logits_for(pretrained(), [np.zeros(8000, dtype=np.float32)])[0]


# ---------------------------------------------------------------------------
# l08-edit-distance
# ---------------------------------------------------------------------------


def _edit_with(ref: Sequence[Any], hyp: Sequence[Any], *, border: bool = True, sub: int = 1,
               diagonal_free: bool = False, last: int = 0) -> int:
    n, m = len(ref), len(hyp)
    D = [[0] * (m + 1) for _ in range(n + 1)]
    if border:
        for i in range(n + 1):
            D[i][0] = i
        for j in range(m + 1):
            D[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = 0 if ref[i - 1] == hyp[j - 1] else sub
            D[i][j] = min(D[i - 1][j] + 1, D[i][j - 1] + 1, D[i - 1][j - 1] + (0 if diagonal_free else cost))
    return D[n - last][m - last]


_VOCAB = ["turn", "the", "light", "lights", "on", "off", "go", "stop", "up", "down", "kitchen", "fan", "five", "nine"]


def _words(rng: np.random.Generator, n: int) -> list[str]:
    return [_VOCAB[int(k)] for k in rng.integers(len(_VOCAB), size=n)]


def _noisy_copy(rng: np.random.Generator, words: list[str]) -> list[str]:
    """Words with random substitutions, deletions and insertions (a recogniser's output)."""
    out = []
    for w in words:
        u = rng.random()
        if u < 0.15:
            continue
        out.append(_VOCAB[int(rng.integers(len(_VOCAB)))] if u < 0.35 else w)
        if rng.random() < 0.1:
            out.append(_VOCAB[int(rng.integers(len(_VOCAB)))])
    return out


def _pair_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case(args=([], []), label="two empty lists"),
        Case(args=([], ["go", "up", "now"]), label="an empty reference: all insertions"),
        Case(args=(["go", "up", "now"], []), label="an empty hypothesis: all deletions"),
        Case(args=(["go"], ["go", "go", "go"]), label="a word said three times"),
        Case(args=(["stop"], ["top", "stop", "now"]), label="more errors than reference words"),
        Case(args=(["on", "off", "up"], ["off", "up", "down"]), label="every word shifted by one"),
        Case(args=(["the", "cat", "sat"], ["the", "cat", "sat"]), label="identical"),
        Case(args=(["a", "b", "c", "d"], ["w", "x", "y", "z"]), label="nothing in common, equal lengths"),
        Case(args=(["café", "naïve", "über"], ["cafe", "naïve", "uber"]), label="unicode words"),
        Case(args=(["kitchen", "light"], ["light", "kitchen"]), label="two words swapped"),
        Case(args=("kitten", "sitting"), label="characters: kitten -> sitting"),
        Case(args=("", "abc"), label="characters: an empty reference"),
    ]
    for n in (7, 12):
        ref = _words(rng, n)
        cases.append(Case(args=(ref, _noisy_copy(rng, ref)), label=f"{n} random words and a noisy copy"))
    return cases


def _pair_public() -> list[Case]:
    return [
        Case(args=(REF_EXAMPLE.split(), HYP_EXAMPLE.split()), label="the worked example"),
        Case(args=(["turn", "the", "light", "on"], []), label="an empty hypothesis"),
        Case(args=("kitten", "sitting"), label="the characters of 'kitten' and 'sitting'"),
    ]


_EDIT_ZERO_BORDERS = '''def edit_distance(ref_words, hyp_words):
    n, m = len(ref_words), len(hyp_words)
    D = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = 0 if ref_words[i - 1] == hyp_words[j - 1] else 1
            D[i][j] = min(D[i - 1][j] + 1, D[i][j - 1] + 1, D[i - 1][j - 1] + cost)
    return D[n][m]
'''

_EDIT_LAST_CELL = '''def edit_distance(ref_words, hyp_words):
    n, m = len(ref_words), len(hyp_words)
    D = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        D[i][0] = i
    for j in range(m + 1):
        D[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = 0 if ref_words[i - 1] == hyp_words[j - 1] else 1
            D[i][j] = min(D[i - 1][j] + 1, D[i][j - 1] + 1, D[i - 1][j - 1] + cost)
    return D[n - 1][m - 1]
'''

_COST = "0 if ref_words[i - 1] == hyp_words[j - 1] else 1"
_MIN = "min(D[i - 1][j] + 1, D[i][j - 1] + 1, D[i - 1][j - 1] + cost)"


# ---------------------------------------------------------------------------
# l08-align
# ---------------------------------------------------------------------------


def backtrace(ref_words: Sequence[Any], hyp_words: Sequence[Any], *, del_cost: int = 1,
              equal_label: str = "equal", ins_on_ref_side: bool = False, reverse: bool = True) -> list[tuple]:
    """The lesson's backtrace from the bottom-right corner of :func:`asrlab.metrics.edit_table`.

    At every cell: a deletion when the cell above is exactly one cheaper; otherwise the
    diagonal (a match or a substitution) when it explains the cell; otherwise an
    insertion.  The keyword arguments describe the mistakes of the exercise (the defaults
    are the right answer).
    """
    D = metrics.edit_table(ref_words, hyp_words)
    i, j = len(ref_words), len(hyp_words)
    ops: list[tuple] = []
    while i > 0 or j > 0:
        if i > 0 and D[i][j] == D[i - 1][j] + del_cost:
            ops.append(("del", ref_words[i - 1], None))
            i -= 1
        elif i > 0 and j > 0 and D[i][j] == D[i - 1][j - 1] + (ref_words[i - 1] != hyp_words[j - 1]):
            op = equal_label if ref_words[i - 1] == hyp_words[j - 1] else "sub"
            ops.append((op, ref_words[i - 1], hyp_words[j - 1]))
            i, j = i - 1, j - 1
        else:
            ops.append(("ins", hyp_words[j - 1], None) if ins_on_ref_side else ("ins", None, hyp_words[j - 1]))
            j -= 1
    return ops[::-1] if reverse else ops


def _align_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [c for c in _pair_hidden(rng) if "characters" not in c.label]
    cases.append(Case(args=(["the", "cat", "sat", "on", "the", "mat"], ["a", "cat", "sat", "the", "mat", "today"]),
                      label="one substitution, one deletion, one insertion"))
    return cases


_ALIGN_FILLS = ("D[i - 1][j] + 1", '"equal" if ref_words[i - 1] == hyp_words[j - 1] else "sub"',
                '("ins", None, hyp_words[j - 1])', "ops[::-1]")


def _fills(base: tuple[str, ...], **change: str) -> tuple[str, ...]:
    out = list(base)
    for k, v in change.items():
        out[int(k[1:])] = v
    return tuple(out)


# ---------------------------------------------------------------------------
# l08-wer and l08-cer
# ---------------------------------------------------------------------------


def _wer_with(reference: str, hypothesis: str, *, unit: str = "words", divide: str = "ref",
              empty: str = "insertions", cap: bool = False) -> float:
    if unit == "words":
        r, h = reference.split(), hypothesis.split()
    elif unit == "stripped":
        r, h = reference.strip(), hypothesis.strip()
    elif unit == "raw":
        r, h = reference, hypothesis
    else:  # no spaces at all
        r, h = reference.replace(" ", ""), hypothesis.replace(" ", "")
    errors = metrics.edit_distance(r, h)
    if len(r) == 0:
        return float(errors) if empty == "insertions" else 0.0
    rate = errors / len(r) if divide == "ref" else errors / len(h)
    return min(1.0, rate) if cap else rate


def _text_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case(args=("", ""), label="two empty strings"),
        Case(args=("", "go up now"), label="an empty reference"),
        Case(args=("   ", "go"), label="a reference of spaces only"),
        Case(args=("go up now", ""), label="an empty hypothesis"),
        Case(args=("go", "go go go"), label="all insertions"),
        Case(args=("stop", "top stop now"), label="more errors than reference words"),
        Case(args=("  turn   the light  on ", "turn the  light on"), label="extra spaces everywhere"),
        Case(args=("Stop", "stop"), label="capital letters count"),
        Case(args=("café au lait", "cafe au lait"), label="unicode"),
        Case(args=("naïve über café", "naïve uber"), label="unicode, a word missing"),
        Case(args=("switch the kitchen light off", "switch the kitchen light off"), label="a perfect hypothesis"),
    ]
    for n in (6, 11):
        ref = _words(rng, n)
        cases.append(Case(args=(" ".join(ref), " ".join(_noisy_copy(rng, ref))), label=f"{n} random words and a noisy copy"))
    return cases


_WER_FILLS = ("reference.split()", "hypothesis.split()", "float(errors)", "errors / len(ref_words)")
_CER_FILLS = ("reference.strip()", "hypothesis.strip()", "errors / len(ref_chars)")


# ---------------------------------------------------------------------------
# l08-corpus-wer
# ---------------------------------------------------------------------------


def _corpus_with(references: Sequence[str], hypotheses: Sequence[str], *, mode: str = "corpus") -> float:
    errors, n_words = 0, 0
    for reference, hypothesis in zip(references, hypotheses):
        r, h = reference.split(), hypothesis.split()
        if mode == "mean":
            errors += metrics.wer(reference, hypothesis)
            n_words += 1
        elif mode == "sentence":
            errors += int(r != h)
            n_words += 1
        else:
            errors += metrics.edit_distance(r, h)
            n_words += len(h) if mode == "hyp" else len(r)
    if n_words == 0:
        return float(errors)
    return errors / n_words


def _corpus_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case(args=(["go up"], ["go"]), label="a corpus of one sentence"),
        Case(args=(["stop", "go left three", "yes"], ["", "", ""]), label="every hypothesis empty"),
        Case(args=(["yes", "no"], ["yes yes yes", "no no"]), label="only insertions"),
        Case(args=(["", "go up", "stop"], ["right", "go up", "top"]), label="one empty reference among others"),
        Case(args=(["", " "], ["go", "up now"]), label="no reference words at all"),
        Case(args=(["  turn  on the fan ", "stop "], ["turn on  the fan", " stop"]), label="extra spaces"),
        Case(args=(["café au lait", "crème brûlée"], ["cafe au lait", "crème brûlée"]), label="unicode"),
        Case(args=(("one", "two three four five six seven eight nine"), ("", "two three four five six seven eight nine")),
             label="a tuple: a short sentence wrong, a long one right"),
    ]
    refs, hyps = [], []
    for _ in range(30):
        ref = _words(rng, int(rng.integers(1, 10)))
        refs.append(" ".join(ref))
        hyps.append(" ".join(_noisy_copy(rng, ref)))
    cases.append(Case(args=(refs, hyps), label="30 random sentences"))
    return cases


_CORPUS_FILLS = ("asrlab.metrics.edit_distance(ref_words, hyp_words)", "len(ref_words)")


# ---------------------------------------------------------------------------
# l08-command-checker (mini-challenge)
# ---------------------------------------------------------------------------


def check_command_reference(expected: str, log_probs: np.ndarray, *, max_wer: float = 0.2,
                            mistake: str | None = None) -> dict[str, Any]:
    """The voice-command checker: decode constrained to the course's words, score, decide."""
    from asrlab.data import vocabulary
    from asrlab.model import decode

    heard = decode(log_probs) if mistake == "greedy" else decode(log_probs, vocabulary=vocabulary())
    target = expected if mistake == "no-normalize" else metrics.normalize(expected)
    error = metrics.wer(heard, target) if mistake == "swapped" else metrics.wer(target, heard)
    accepted = error < max_wer if mistake == "strict" else error <= max_wer
    return {"accepted": accepted, "heard": heard, "wer": error}


_CHECKER_CODE = '''def check_command(expected, log_probs, *, max_wer=0.2):
    heard = {decode}
    error = {score}
    return {{"accepted": {decision}, "heard": heard, "wer": error}}
'''


def _checker_code(**override: str) -> str:
    parts = {
        "decode": "asrlab.model.decode(log_probs, vocabulary=asrlab.data.vocabulary())",
        "score": "asrlab.metrics.wer(asrlab.metrics.normalize(expected), heard)",
        "decision": "error <= max_wer",
    }
    parts.update(override)
    return _CHECKER_CODE.format(**parts)


def _checker_mistake(name: str):
    return lambda expected, log_probs, **kw: check_command_reference(expected, log_probs, mistake=name, **kw)


@functools.lru_cache(maxsize=None)
def _checker_public() -> list[Case]:
    cases = []
    for k, (asked, said, voice) in enumerate(COMMAND_TRIALS):
        label = f"asked {asked!r}, the recording says {said!r}"
        # one public check passes max_wer, so that a checker without it fails here, not in grading
        kwargs = {"max_wer": 0.3} if k == 2 else {}
        cases.append(Case(args=(asked, log_probs_of(said, voice)), kwargs=kwargs,
                          label=label + (", max_wer=0.3" if kwargs else "")))
    return cases


class _OnFirstUse(SequenceABC):
    """The checker's public cases, made (model loaded, audio synthesised) on first use, so
    that importing this module, or checking another exercise, stays fast."""

    def __len__(self) -> int:
        return len(COMMAND_TRIALS)

    def __getitem__(self, index):  # type: ignore[override]
        return _checker_public()[index]


def _checker_hidden(rng: np.random.Generator) -> list[Case]:
    def case(asked: str, said: str, voice: str, label: str, **kw: Any) -> Case:
        return Case(args=(asked, log_probs_of(said, voice)), kwargs=kw, label=label)

    return [
        case("Switch the kitchen fan OFF!", "switch the kitchen fan off", "en-us+iven",
             "the right command; greedy decoding misspells a word"),
        case("Three, four, go!", "three four go", "en-029+Jacky",
             "the right command, misheard even by the constrained search"),
        case("Stop", "go", "en-us-nyc+Alicia", "a one-word command, the wrong word"),
        case("stop", "stop", "en-us+iven", "the right word with max_wer=0", max_wer=0.0),
        case("Switch the fan off.", "switch the kitchen fan off", "en-us-nyc+m5",
             "one inserted word in four, max_wer=0.25 (on the threshold)", max_wer=0.25),
        case("  go   up four ", "go up four", "en-029+Henrique", "a command with extra spaces"),
        case("Turn the light on.", "turn the light off", "en-gb+Mike",
             "on/off swapped, max_wer=0.25 (on the threshold)", max_wer=0.25),
        case("Move down nine steps.", "move up nine steps", "en-gb-x-rp+f1", "one wrong word in four, max_wer=0.3",
             max_wer=0.3),
        Case(args=("Yes.", _silence_log_probs()), label="half a second of digital silence"),
    ]


# ---------------------------------------------------------------------------
# the exercises
# ---------------------------------------------------------------------------

EXERCISES = [
    _Explained(
        id="l08-edit-distance",
        lesson=LESSON,
        title="word edit distance by dynamic programming",
        points=2,
        kind="function",
        target="edit_distance",
        reference=lambda ref_words, hyp_words: metrics.edit_distance(list(ref_words), list(hyp_words)),
        public=_pair_public(),
        hidden=_pair_hidden,
        hint="Each cell of the table is the cheapest way to turn the first few reference words into the "
        "first few hypothesis words. It is reached from the cell above (a deletion), the cell to the left (an "
        "insertion) or the diagonal (a match or a substitution); see section 2.",
        mistakes=[
            Mistake(
                "zero-borders",
                "Your first row and first column are all 0, so deleting every reference word (or "
                "inserting every hypothesis word) costs nothing. What does it cost to turn i words "
                "into no words at all?",
                fn=lambda r, h: _edit_with(r, h, border=False),
                code=_EDIT_ZERO_BORDERS,
            ),
            Mistake(
                "substitution-costs-two",
                "Your substitution costs 2, as if it were a deletion plus an insertion. In the edit "
                "distance of WER every edit, a substitution included, costs 1.",
                fn=lambda r, h: _edit_with(r, h, sub=2),
                fills=(_COST.replace("else 1", "else 2"), _MIN),
            ),
            Mistake(
                "free-diagonal",
                "Your diagonal step is always free, so any word may replace any other at no cost. "
                "The diagonal is free only when the two words match.",
                fn=lambda r, h: _edit_with(r, h, diagonal_free=True),
                fills=(_COST, _MIN.replace(" + cost", "")),
            ),
            Mistake(
                "last-cell",
                "You returned the cell one row and one column before the corner: the distance "
                "between the sequences without their last items. The table has len + 1 rows.",
                fn=lambda r, h: _edit_with(r, h, last=1),
                code=_EDIT_LAST_CELL,
            ),
        ],
    ),
    _Explained(
        id="l08-align",
        lesson=LESSON,
        title="backtrace to an alignment with S, D and I",
        points=2,
        kind="function",
        target="align",
        reference=lambda ref_words, hyp_words: backtrace(list(ref_words), list(hyp_words)),
        public=_pair_public()[:2],
        hidden=_align_hidden,
        hint="Walk from the bottom-right corner back to the top-left, one step at a time, in the order "
        "of preference of section 4 (up, then diagonal, then left); record each step as (op, ref "
        "word, hyp word) and give the list in reading order.",
        mistakes=[
            Mistake(
                "not-reversed",
                "Your operations are in the order the backtrace found them: from the end of the "
                "sentence to its start. Give them in reading order.",
                fn=lambda r, h: backtrace(list(r), list(h), reverse=False),
                fills=_fills(_ALIGN_FILLS, b3="ops"),
            ),
            Mistake(
                "every-diagonal-a-substitution",
                "You called every diagonal step a substitution, even between two equal words. A "
                "diagonal step is an error only when the words differ.",
                fn=lambda r, h: backtrace(list(r), list(h), equal_label="sub"),
                fills=_fills(_ALIGN_FILLS, b1='"sub"'),
            ),
            Mistake(
                "insertion-on-the-ref-side",
                "Your inserted words sit on the reference side. An inserted word exists only in the "
                "hypothesis: its reference side is None.",
                fn=lambda r, h: backtrace(list(r), list(h), ins_on_ref_side=True),
                fills=_fills(_ALIGN_FILLS, b2='("ins", hyp_words[j - 1], None)'),
            ),
            Mistake(
                "free-deletion",
                "Your test for a step up compares the cell with the one above without the cost of "
                "the step. A deletion costs one, so the cell above must be exactly one cheaper.",
                fn=lambda r, h: backtrace(list(r), list(h), del_cost=0),
                fills=_fills(_ALIGN_FILLS, b0="D[i - 1][j]"),
            ),
        ],
    ),
    _Explained(
        id="l08-wer",
        lesson=LESSON,
        title="word error rate of one sentence",
        points=1,
        kind="function",
        target="wer",
        reference=lambda reference, hypothesis: metrics.wer(reference, hypothesis),
        public=[
            Case(args=(REF_EXAMPLE, HYP_EXAMPLE), label="the worked example"),
            Case(args=("stop", "top stop now"), label="more errors than reference words"),
            Case(args=("", "hello there"), label="an empty reference"),
        ],
        hidden=_text_hidden,
        hint="A WER is a rate of word errors per word that was really said: decide which of the two "
        "texts sets the scale, what counts as a word (runs of spaces do not), and what the "
        "convention is when there are no reference words at all (section 5).",
        mistakes=[
            Mistake(
                "hypothesis-length",
                "You divided by the number of hypothesis words. WER counts errors per word of the "
                "reference, the text that was really said.",
                fn=lambda r, h: _wer_with(r, h, divide="hyp"),
                fills=_fills(_WER_FILLS, b3="errors / len(hyp_words)"),
            ),
            Mistake(
                "capped-at-one",
                "You capped the WER at 1. Insertions can make the errors outnumber the reference "
                "words, and the WER then exceeds 1 (section 5).",
                fn=lambda r, h: _wer_with(r, h, cap=True),
                fills=_fills(_WER_FILLS, b3="min(1.0, errors / len(ref_words))"),
            ),
            Mistake(
                "characters",
                "You compared the texts character by character: that is the CER's unit. WER "
                "compares lists of words.",
                fn=lambda r, h: _wer_with(r, h, unit="raw"),
                fills=_fills(_WER_FILLS, b0="reference", b1="hypothesis"),
            ),
            Mistake(
                "empty-reference-zero",
                "For an empty reference you returned 0, as if nothing were wrong; but every "
                "hypothesis word is an insertion. See the convention in section 5.",
                fn=lambda r, h: _wer_with(r, h, empty="zero"),
                fills=_fills(_WER_FILLS, b2="0.0"),
            ),
        ],
    ),
    _Explained(
        id="l08-cer",
        lesson=LESSON,
        title="character error rate of one sentence",
        points=1,
        kind="function",
        target="cer",
        reference=lambda reference, hypothesis: metrics.cer(reference, hypothesis),
        public=[
            Case(args=("turn the light on", "turn the lite on"), label="one misspelt word"),
            Case(args=(" go left ", "go left"), label="spaces at the ends"),
            Case(args=("", "hello"), label="an empty reference"),
        ],
        hidden=_text_hidden,
        hint="CER is the idea of WER applied to characters (section 6). Which characters count, in "
        "both texts alike? The spaces between words do; the spaces at the two ends do not.",
        mistakes=[
            Mistake(
                "no-strip",
                "Spaces at the start or end of a text counted as characters. Strip the ends first "
                "(as jiwer does); the spaces inside stay.",
                fn=lambda r, h: _wer_with(r, h, unit="raw"),
                fills=_fills(_CER_FILLS, b0="reference", b1="hypothesis"),
            ),
            Mistake(
                "no-spaces",
                "You removed every space. The spaces between words are characters: a missing space "
                "(two words run together) is a real error.",
                fn=lambda r, h: _wer_with(r, h, unit="nospace"),
                fills=_fills(_CER_FILLS, b0='reference.replace(" ", "")', b1='hypothesis.replace(" ", "")'),
            ),
            Mistake(
                "words",
                "You split the texts into words: that is the WER. The CER compares characters.",
                fn=lambda r, h: _wer_with(r, h, unit="words"),
                fills=_fills(_CER_FILLS, b0="reference.split()", b1="hypothesis.split()"),
            ),
            Mistake(
                "hypothesis-length",
                "You divided by the number of hypothesis characters; the rate is per character of "
                "the reference.",
                fn=lambda r, h: _wer_with(r, h, unit="stripped", divide="hyp"),
                fills=_fills(_CER_FILLS, b2="errors / len(hyp_chars)"),
            ),
        ],
    ),
    _Explained(
        id="l08-corpus-wer",
        lesson=LESSON,
        title="corpus WER: total errors over total reference words",
        points=2,
        kind="function",
        target="corpus_wer",
        reference=lambda references, hypotheses: metrics.wer(list(references), list(hypotheses)),
        public=[Case(args=(CORPUS_REFS, CORPUS_HYPS), label="the four sentences of section 8")],
        hidden=_corpus_hidden,
        hint="Add up the errors of every sentence and the reference words of every sentence, and "
        "divide once at the end (section 8).",
        mistakes=[
            Mistake(
                "mean-of-wers",
                "You averaged the per-sentence WERs. Then a one-word command weighs as much as a "
                "long sentence; the corpus WER adds the errors and the words first.",
                fn=lambda r, h: _corpus_with(r, h, mode="mean"),
                fills=("asrlab.metrics.wer(reference, hypothesis)", "1"),
            ),
            Mistake(
                "sentence-error-rate",
                "You counted the sentences that have any error: that is the sentence error rate. "
                "WER counts every wrong word.",
                fn=lambda r, h: _corpus_with(r, h, mode="sentence"),
                fills=("int(ref_words != hyp_words)", "1"),
            ),
            Mistake(
                "hypothesis-words",
                "You divided by the number of hypothesis words. The corpus WER divides by the "
                "words that were really said, the reference words.",
                fn=lambda r, h: _corpus_with(r, h, mode="hyp"),
                fills=(_CORPUS_FILLS[0], "len(hyp_words)"),
            ),
        ],
    ),
    _Explained(
        id="l08-command-checker",
        lesson=LESSON,
        title="mini-challenge: the voice-command checker",
        points=3,
        kind="function",
        target="check_command",
        reference=lambda expected, log_probs, **kw: check_command_reference(expected, log_probs, **kw),
        public=_OnFirstUse(),
        hidden=_checker_hidden,
        hint="Follow the recipe in order: decode with the search constrained to the course's words, "
        "normalise the command that was shown, score what was heard against it with WER, and "
        "accept when that WER is at most max_wer (sections 7 and 10).",
        mistakes=[
            Mistake(
                "greedy",
                "You decoded greedily. Greedy decoding spells words that do not exist ('turn ff the "
                "radio'); the checker decodes with the search constrained to the course's words "
                "(lesson 07).",
                fn=_checker_mistake("greedy"),
                code=_checker_code(decode="asrlab.model.decode(log_probs)"),
            ),
            Mistake(
                "no-normalize",
                "You scored against the command as it was shown, with its capitals and its full "
                "stop, so 'Turn' and 'radio.' count as errors. Normalise it first (section 7).",
                fn=_checker_mistake("no-normalize"),
                code=_checker_code(score="asrlab.metrics.wer(expected, heard)"),
            ),
            Mistake(
                "swapped",
                "You scored with the recognised text as the reference. The reference is the "
                "command the user was asked to say; what the recogniser heard is the hypothesis.",
                fn=_checker_mistake("swapped"),
                code=_checker_code(score="asrlab.metrics.wer(heard, asrlab.metrics.normalize(expected))"),
            ),
            Mistake(
                "strict-threshold",
                "A WER equal to max_wer is rejected by your checker; 'at most max_wer' includes the "
                "threshold itself.",
                fn=_checker_mistake("strict"),
                code=_checker_code(decision="error < max_wer"),
            ),
        ],
    ),
]
