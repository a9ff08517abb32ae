"""Exercises of lesson 09, the CTC loss.

References: :func:`asrlab.ctc.extend_with_blanks`, :func:`asrlab.ctc.count_alignments`,
:func:`asrlab.ctc.forward_variables`, :func:`asrlab.ctc.ctc_loss` (with ``inf`` for a
target that no path reaches, as ``torch.nn.functional.ctc_loss(..., reduction="sum")``
gives with ``zero_infinity=False``) and, for the mini-challenge,
:func:`asrlab.ctc.forced_align`.  ``tests/test_lesson_09.py`` holds them to PyTorch and to
brute-force enumeration.  The mistakes are the classic ones: a blank missing at one end
or between the labels, a hard-coded blank id, skipping the blank between two equal
labels (or skipping a label), ending only in the final blank, ``max`` or a plain sum
where probabilities must be added, leaving log space and underflowing, forgetting the
minus sign, PyTorch's default per-label mean, a finite loss for an impossible target,
and, for the alignment, best per frame instead of best path.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from asrlab import ctc as _ctc
from autograder.exercise import Case, Exercise, Mistake

LESSON = "09-the-ctc-loss"

#: The lesson's tiny example: 4 frames, classes ``_`` (blank, id 0), ``a`` (1), ``b`` (2).
TINY_ALPHABET = "_ab"
TINY_PROBS = np.array(
    [
        [0.5, 0.4, 0.1],
        [0.3, 0.6, 0.1],
        [0.2, 0.2, 0.6],
        [0.6, 0.1, 0.3],
    ]
)
TINY_LOG_PROBS = np.log(TINY_PROBS)


def random_log_probs(seed: int, T: int, V: int, *, scale: float = 2.0) -> np.ndarray:
    """A ``(T, V)`` matrix of log-probabilities: the log-softmax of scaled Gaussian scores."""
    z = np.random.default_rng(seed).standard_normal((T, V)) * scale
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def peaky_log_probs(path: list[int], V: int, *, peak: float = 0.9, seed: int = 0) -> np.ndarray:
    """Log-probabilities that favour ``path`` (one class per frame), as a trained CTC
    model's output looks: ``peak`` on it, the rest shared at random by the other classes
    (so that no two paths tie)."""
    rng = np.random.default_rng(seed)
    probs = np.zeros((len(path), V))
    for t, k in enumerate(path):
        probs[t, [j for j in range(V) if j != k]] = (1.0 - peak) * rng.dirichlet(np.ones(V - 1))
        probs[t, k] = peak
    return np.log(probs)


#: The lesson's 300 frames of 29 classes (the size of ``asrlab.model.ALPHABET``): the
#: probability of any target is far below the smallest float64, so only log space works.
LONG_LOG_PROBS = random_log_probs(9, 300, 29, scale=1.0)
LONG_TARGETS = [20, 6, 23, 6, 15]  # "seven" in asrlab.model.ALPHABET's ids


# ---------------------------------------------------------------------------
# the extended label sequence
# ---------------------------------------------------------------------------


def _extend_with(targets: Any, blank: int = 0, *, mistake: str) -> list[int]:
    if mistake == "no-leading":
        out: list[int] = []
        for label in targets:
            out += [label, blank]
    elif mistake == "no-trailing":
        out = []
        for label in targets:
            out += [blank, label]
    elif mistake == "no-between":
        out = [blank] + list(targets)
    else:  # hard-coded zero
        out = [0]
        for label in targets:
            out += [label, 0]
    return out


def _extend_mistake(name: str):
    return lambda targets, blank=0: _extend_with(targets, blank, mistake=name)


def _extend_hidden(rng: np.random.Generator) -> list[Case]:
    long = [int(k) for k in rng.integers(1, 28, size=25)]
    return [
        Case(args=([],), label="an empty target"),
        Case(args=([7],), label="one label"),
        Case(args=([4, 4, 4],), label="one label three times"),
        Case(args=([0, 1, 0],), kwargs={"blank": 2}, label="blank=2, labels 0 and 1"),
        Case(args=([],), kwargs={"blank": 5}, label="an empty target with blank=5"),
        Case(args=(long,), label="25 labels"),
        Case(args=(long[:9],), kwargs={"blank": 28}, label="9 labels, blank=28 (the last class)"),
    ]


# ---------------------------------------------------------------------------
# counting alignments
# ---------------------------------------------------------------------------


def _count_with(T: int, targets: Any, blank: int = 0, *, start_label: bool = True, skip: str = "rule",
                end: str = "both") -> int:
    z = _ctc.extend_with_blanks(targets, blank=blank)
    S = len(z)
    counts = [0] * S
    counts[0] = 1
    if S > 1:
        counts[1] = 1 if start_label else 0
    for _ in range(1, T):
        new = [0] * S
        for s in range(S):
            new[s] = counts[s]
            if s >= 1:
                new[s] += counts[s - 1]
            if s >= 2:
                allowed = {
                    "rule": z[s] != blank and z[s] != z[s - 2],
                    "always": True,
                    "repeats": z[s] != blank,
                    "never": False,
                }[skip]
                if allowed:
                    new[s] += counts[s - 2]
        counts = new
    if end == "last":
        return counts[S - 1]
    return counts[S - 1] + (counts[S - 2] if S > 1 else 0)


def _count_mistake(**how: Any):
    return lambda T, targets, blank=0: _count_with(T, targets, blank, **how)


def _count_hidden(rng: np.random.Generator) -> list[Case]:
    word = [int(k) for k in rng.integers(1, 6, size=4)]
    return [
        Case(args=(1, []), label="1 frame, empty target"),
        Case(args=(6, []), label="6 frames, empty target"),
        Case(args=(1, [3]), label="1 frame, one label"),
        Case(args=(2, [1, 1]), label="[a, a] in 2 frames (too few)"),
        Case(args=(3, [1, 1]), label="[a, a] in 3 frames, exactly enough"),
        Case(args=(7, [2, 2, 2]), label="one label three times, 7 frames"),
        Case(args=(6, [1, 2, 1]), label="[a, b, a]: equal labels that are not neighbours"),
        Case(args=(4, [1, 2, 3, 4, 5]), label="5 labels in 4 frames (too few)"),
        Case(args=(20, [8, 5, 12, 12, 15]), label="'hello' in 20 frames"),
        Case(args=(30, [1, 2, 3, 4, 5]), label="5 different labels in 30 frames"),
        Case(args=(9, [0, 0, 1]), kwargs={"blank": 2}, label="blank=2, target [0, 0, 1]"),
        Case(args=(12, word), label=f"a random 4-label target {word} in 12 frames"),
    ]


# ---------------------------------------------------------------------------
# the forward (alpha) recursion in log space
# ---------------------------------------------------------------------------


def _forward_with(log_probs: Any, targets: Any, blank: int = 0, *, combine: str = "logsumexp",
                  first: str = "emit") -> np.ndarray:
    from scipy.special import logsumexp

    z = _ctc.extend_with_blanks(targets, blank=blank)
    T, S = len(log_probs), len(z)
    alpha = np.full((T, S), -np.inf)
    alpha[0, 0] = log_probs[0, blank] if first == "emit" else 0.0
    if S > 1:
        alpha[0, 1] = log_probs[0, z[1]]
    for t in range(1, T):
        for s in range(S):
            incoming = [alpha[t - 1, s]]
            if s >= 1:
                incoming.append(alpha[t - 1, s - 1])
            if s >= 2 and z[s] != blank and z[s] != z[s - 2]:
                incoming.append(alpha[t - 1, s - 2])
            if combine == "logsumexp":
                total = logsumexp(incoming)
            elif combine == "max":
                total = max(incoming)
            elif combine == "sum":
                total = sum(incoming)
            else:  # leave log space: exp, add, log
                with np.errstate(divide="ignore"):
                    total = np.log(np.sum(np.exp(incoming)))
            alpha[t, s] = total + log_probs[t, z[s]]
    return alpha


def _forward_mistake(**how: Any):
    return lambda log_probs, targets, blank=0: _forward_with(log_probs, targets, blank, **how)


def _forward_hidden(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(0, 2**31))
    return [
        Case(args=(TINY_LOG_PROBS, []), label="the tiny matrix, empty target"),
        Case(args=(TINY_LOG_PROBS[:1], [2]), label="1 frame, one label"),
        Case(args=(TINY_LOG_PROBS[:3], [1, 1]), label="[a, a] in 3 frames, exactly enough"),
        Case(args=(random_log_probs(seed, 9, 4), [1, 2, 2, 3]), label="9 frames, a repeated label"),
        Case(args=(random_log_probs(seed + 1, 7, 4), [3, 1, 3]), label="[c, a, c]: equal labels that are not neighbours"),
        Case(args=(random_log_probs(seed + 2, 8, 5), [0, 0, 3]), kwargs={"blank": 4}, label="blank=4 (the last class)"),
        Case(args=(peaky_log_probs([0, 1, 1, 0, 2, 2, 0, 2], 3, peak=0.97), [1, 2, 2]), label="a peaky matrix"),
        Case(args=(random_log_probs(seed + 3, 400, 29, scale=1.0), [9, 6, 13, 13, 16]),
             label="400 frames of 29 classes, target 'hello': probabilities below 1e-308"),
    ]


# ---------------------------------------------------------------------------
# the loss
# ---------------------------------------------------------------------------


def loss_reference(log_probs: Any, targets: Any, *, blank: int = 0) -> float:
    """``-log p(targets | log_probs)``; ``inf`` when no path reaches the target (too few
    frames, or zero probabilities), as PyTorch's ``ctc_loss`` with ``zero_infinity=False``."""
    if len(log_probs) < _ctc.required_frames(list(targets)):
        return math.inf
    return _ctc.ctc_loss(log_probs, targets, blank=blank)


def _loss_with(log_probs: Any, targets: Any, blank: int = 0, *, impossible: float = math.inf,
               final: str = "logsumexp", sign: str = "minus") -> float:
    from scipy.special import logsumexp

    if len(log_probs) < _ctc.required_frames(list(targets)):
        return impossible
    alpha = _ctc.forward_variables(log_probs, targets, blank=blank)
    last = alpha[-1, -2:]
    log_p = {"logsumexp": logsumexp, "blank": lambda v: v[-1], "max": max, "sum": sum}[final](last)
    if sign == "plus":
        return float(log_p)
    if sign == "per-label":
        return -float(log_p) / len(targets)
    return -float(log_p)


def _loss_mistake(**how: Any):
    return lambda log_probs, targets, blank=0: _loss_with(log_probs, targets, blank, **how)


def _loss_hidden(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(0, 2**31))
    with np.errstate(divide="ignore"):
        no_b = np.log(np.array([[0.7, 0.3, 0.0], [0.2, 0.8, 0.0], [0.5, 0.5, 0.0], [0.9, 0.1, 0.0]]))
    return [
        Case(args=(TINY_LOG_PROBS, [1, 1]), label="the tiny matrix, target [a, a]"),
        Case(args=(TINY_LOG_PROBS, [2, 1]), label="the tiny matrix, target [b, a]"),
        Case(args=(TINY_LOG_PROBS, []), label="an empty target"),
        Case(args=(TINY_LOG_PROBS[:3], [1, 1]), label="[a, a] in 3 frames: as long as the frames allow"),
        Case(args=(random_log_probs(seed, 5, 4), [1, 2, 2, 3]), label="[a, b, b, c] in 5 frames: as long as the frames allow"),
        Case(args=(random_log_probs(seed + 1, 4, 4), [1, 2, 2, 3]), label="[a, b, b, c] in 4 frames: impossible"),
        Case(args=(TINY_LOG_PROBS[:2], [1, 2, 1]), label="3 labels in 2 frames: impossible"),
        Case(args=(no_b, [1, 2]), label="a label whose probability is 0 in every frame"),
        Case(args=(random_log_probs(seed + 2, 12, 5), [4, 4, 1, 1]), label="12 frames, two pairs of repeated labels"),
        Case(args=(random_log_probs(seed + 3, 10, 5), [0, 1, 0]), kwargs={"blank": 4}, label="blank=4 (the last class)"),
        Case(args=(random_log_probs(seed + 4, 300, 29, scale=1.0), [20, 6, 23, 6, 15]),
             label="300 frames of 29 classes"),
    ]


# ---------------------------------------------------------------------------
# forced alignment (mini-challenge)
# ---------------------------------------------------------------------------


_ALIGN_CODE = '''def forced_align(log_probs, targets, *, blank=0):
    z = asrlab.ctc.extend_with_blanks(targets, blank=blank)
    T, S = len(log_probs), len(z)
    best = np.full((T, S), -np.inf)
    came_from = np.zeros((T, S), dtype=int)
    best[0, 0] = log_probs[0, blank]
    if S > 1:
        best[0, 1] = log_probs[0, z[1]]
    for t in range(1, T):
        for s in range(S):
            options = [s]
            if s >= 1:
                options.append(s - 1)
            if {skip}:
                options.append(s - 2)
            r = max(options, key=lambda r: best[t - 1, r])
            came_from[t, s] = r
            best[t, s] = best[t - 1, r] + log_probs[t, z[s]]
    end = {end}
    states = [end]
    for t in range(T - 1, 0, -1):
        states.append(came_from[t, states[-1]])
    states = states[::-1]
    return {path}, {score}
'''


def _align_code(**override: str) -> str:
    parts = {
        "skip": "s >= 2 and z[s] != blank and z[s] != z[s - 2]",
        "end": "S - 2 if S > 1 and best[-1, S - 2] > best[-1, S - 1] else S - 1",
        "path": "[z[s] for s in states]",
        "score": "float(best[-1, end])",
    }
    parts.update(override)
    return _ALIGN_CODE.format(**parts)


_GREEDY_CODE = '''def forced_align(log_probs, targets, *, blank=0):
    path = np.argmax(log_probs, axis=1)
    return path, float(np.max(log_probs, axis=1).sum())
'''


def _align_with(log_probs: Any, targets: Any, blank: int = 0, *, mistake: str) -> tuple[Any, float]:
    x = np.asarray(log_probs, dtype=np.float64)
    if mistake == "greedy":
        return np.argmax(x, axis=1), float(np.max(x, axis=1).sum())
    if mistake == "total-score":
        path, _ = _ctc.forced_align(x, targets, blank=blank)
        return path, -_ctc.ctc_loss(x, targets, blank=blank)
    z = _ctc.extend_with_blanks(targets, blank=blank)
    T, S = x.shape[0], len(z)
    best = np.full((T, S), -np.inf)
    came_from = np.zeros((T, S), dtype=int)
    best[0, 0] = x[0, blank]
    if S > 1:
        best[0, 1] = x[0, z[1]]
    for t in range(1, T):
        for s in range(S):
            options = [s] + ([s - 1] if s >= 1 else [])
            if s >= 2 and z[s] != blank and (mistake == "skip-repeats" or z[s] != z[s - 2]):
                options.append(s - 2)
            r = max(options, key=lambda r: best[t - 1, r])
            came_from[t, s] = r
            best[t, s] = best[t - 1, r] + x[t, z[s]]
    if mistake == "end-on-blank":
        end = S - 1
    else:
        end = S - 2 if S > 1 and best[-1, S - 2] > best[-1, S - 1] else S - 1
    states = [end]
    for t in range(T - 1, 0, -1):
        states.append(int(came_from[t, states[-1]]))
    states = states[::-1]
    if mistake == "states":
        return states, float(best[-1, end])
    return [z[s] for s in states], float(best[-1, end])


def _align_mistake(name: str):
    return lambda log_probs, targets, blank=0: _align_with(log_probs, targets, blank, mistake=name)


def _align_reference(log_probs: Any, targets: Any, *, blank: int = 0) -> tuple[np.ndarray, float]:
    return _ctc.forced_align(log_probs, targets, blank=blank)


def _align_hidden(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(0, 2**31))
    with np.errstate(divide="ignore"):
        holes = np.log(np.array([[0.6, 0.4, 0.0], [0.0, 0.3, 0.7], [0.45, 0.0, 0.55], [0.35, 0.65, 0.0], [0.2, 0.0, 0.8]]))
    return [
        Case(args=(TINY_LOG_PROBS, []), label="an empty target: blanks only"),
        Case(args=(TINY_LOG_PROBS[:1], [1]), label="1 frame, one label"),
        Case(args=(TINY_LOG_PROBS[:3], [1, 1]), label="[a, a] in 3 frames: as long as the frames allow"),
        Case(args=(TINY_LOG_PROBS, [2, 1]), label="the tiny matrix, target [b, a]"),
        Case(args=(random_log_probs(seed, 10, 4), [1, 2, 2, 3]), label="10 frames, a repeated label"),
        Case(args=(random_log_probs(seed + 1, 8, 4), [3, 1, 3]), label="[c, a, c]: equal labels that are not neighbours"),
        Case(args=(random_log_probs(seed + 2, 9, 5), [0, 0, 1]), kwargs={"blank": 4}, label="blank=4 (the last class)"),
        Case(args=(peaky_log_probs([0, 1, 1, 0, 2, 0, 2, 2, 0], 3), [1, 2, 2]), label="a peaky matrix with 'b' twice"),
        Case(args=(holes, [1, 2]), label="a matrix with zero probabilities (-inf)"),
        Case(args=(random_log_probs(seed + 3, 60, 6, scale=4.0), [2, 5, 5, 1, 3, 3, 4]),
             label="60 frames, 7 labels, confident scores"),
        Case(args=(random_log_probs(seed + 4, 200, 29, scale=1.0), [20, 6, 23, 6, 15]), label="200 frames of 29 classes"),
    ]



EXERCISES = [
    Exercise(
        id="l09-extend",
        lesson=LESSON,
        title="the extended label sequence",
        points=1,
        kind="function",
        target="extend_with_blanks",
        reference=lambda targets, *, blank=0: _ctc.extend_with_blanks(targets, blank=blank),
        public=[
            Case(args=([1, 2],), label="[a, b]"),
            Case(args=([2, 2, 1],), kwargs={"blank": 3}, label="[2, 2, 1] with blank=3"),
        ],
        hidden=_extend_hidden,
        hint="Every label gets a blank on each side, and neighbours share the blank between "
        "them: L labels give 2L + 1 states, starting and ending with a blank (section 2).",
        rtol=0,
        atol=0,
        mistakes=[
            Mistake(
                "no-leading",
                "Your sequence does not start with a blank. A path may begin with silence, so the "
                "extended sequence needs a blank *before* the first label too.",
                fn=_extend_mistake("no-leading"),
                fills=("[]", "[label, blank]"),
            ),
            Mistake(
                "no-trailing",
                "Your sequence ends on the last label. A path may end with silence, so the "
                "extended sequence needs a blank *after* the last label too.",
                fn=_extend_mistake("no-trailing"),
                fills=("[]", "[blank, label]"),
            ),
            Mistake(
                "no-between",
                "You put a blank only at the start: there must be one between every two labels "
                "as well (without it, 'l', 'l' in 'hello' could never be told apart from one 'l').",
                fn=_extend_mistake("no-between"),
                fills=("[blank]", "[label]"),
            ),
            Mistake(
                "hard-coded-zero",
                "You wrote the blank as 0. The blank's id is the argument `blank`; it is not "
                "always 0 (some models put it last).",
                fn=_extend_mistake("hard-coded-zero"),
                fills=("[0]", "[label, 0]"),
            ),
        ],
    ),
    Exercise(
        id="l09-count",
        lesson=LESSON,
        title="count the alignments with the recursion",
        points=2,
        kind="function",
        target="count_alignments",
        reference=lambda T, targets, *, blank=0: _ctc.count_alignments(T, targets, blank=blank),
        public=[
            Case(args=(6, [1, 2, 1]), label="[a, b, a] in 6 frames"),
            Case(args=(5, [1, 1]), label="[a, a] in 5 frames"),
            Case(args=(4, [1, 2]), label="[a, b] in 4 frames"),
            Case(args=(3, []), label="an empty target in 3 frames"),
        ],
        hidden=_count_hidden,
        hint="A path may start in the first blank or on the first label; each frame it stays, "
        "moves one state on, or jumps over a blank that sits between two *different* labels; "
        "it must end in the last label or the final blank (section 3).",
        rtol=0,
        atol=0,
        mistakes=[
            Mistake(
                "skip-always",
                "You allow a jump over *any* state, so a path can also jump from one blank to the "
                "next and leave out a label. A jump may only land on a label.",
                fn=_count_mistake(skip="always"),
                fills=("range(min(S, 2))", "True", "counts[S - 1] + (counts[S - 2] if S > 1 else 0)"),
            ),
            Mistake(
                "skip-repeats",
                "You let a path jump over the blank between two *equal* labels. Then 'a a' "
                "collapses to one 'a', so that path does not spell the target.",
                fn=_count_mistake(skip="repeats"),
                fills=("range(min(S, 2))", "z[s] != blank", "counts[S - 1] + (counts[S - 2] if S > 1 else 0)"),
            ),
            Mistake(
                "never-skip",
                "Your paths never jump over a blank, so you only count paths with a blank between "
                "every two labels. 'a b' without a blank between is a valid path too.",
                fn=_count_mistake(skip="never"),
                fills=("range(min(S, 2))", "False", "counts[S - 1] + (counts[S - 2] if S > 1 else 0)"),
            ),
            Mistake(
                "blank-ends-only",
                "You count only the paths that end in the final blank (or, which gives the same "
                "count, only those that start in the first blank). A path may also end on the "
                "last label and start on the first one: no silence at either end.",
                fn=_count_mistake(end="last"),
                fills=("range(min(S, 2))", "z[s] != blank and z[s] != z[s - 2]", "counts[S - 1]"),
            ),
            Mistake(
                "start-blank-only",
                "You count only the paths that end in the final blank (or, which gives the same "
                "count, only those that start in the first blank). A path may also end on the "
                "last label and start on the first one: no silence at either end.",
                fn=_count_mistake(start_label=False),
                fills=("range(1)", "z[s] != blank and z[s] != z[s - 2]", "counts[S - 1] + (counts[S - 2] if S > 1 else 0)"),
            ),
        ],
    ),
    Exercise(
        id="l09-forward",
        lesson=LESSON,
        title="the alpha recursion in log space",
        points=2,
        kind="function",
        target="ctc_forward",
        reference=lambda log_probs, targets, *, blank=0: _ctc.forward_variables(log_probs, targets, blank=blank),
        public=[
            Case(args=(TINY_LOG_PROBS, [1, 2]), label="the tiny matrix, target [a, b]"),
            Case(args=(LONG_LOG_PROBS, LONG_TARGETS), label="300 frames of 29 classes, target 'seven'"),
        ],
        hidden=_forward_hidden,
        hint="Each alpha value adds up (in probability) the paths that arrive from the allowed "
        "states of the previous frame, then multiplies by this frame's probability of the state's "
        "symbol. Work out "
        "what adding and multiplying probabilities become when you hold their logs, without "
        "ever leaving log space (section 4).",
        rtol=1e-6,
        atol=1e-8,
        mistakes=[
            Mistake(
                "max",
                "You kept the best incoming path (max) instead of adding up all of them. That is "
                "the Viterbi score of the best path (section 8), not the total probability.",
                fn=_forward_mistake(combine="max"),
                fills=("log_probs[0, blank]", "max(incoming) + log_probs[t, z[s]]"),
            ),
            Mistake(
                "sum-of-logs",
                "You added the log-probabilities of the incoming paths, which *multiplies* their "
                "probabilities. Paths are alternatives: their probabilities add.",
                fn=_forward_mistake(combine="sum"),
                fills=("log_probs[0, blank]", "sum(incoming) + log_probs[t, z[s]]"),
            ),
            Mistake(
                "exp-log",
                "Right on short inputs, but on 300 frames your values become -inf: exp of a "
                "log-probability below about -745 is 0 in float64. Stay in log space (section 4).",
                fn=_forward_mistake(combine="exp-log"),
                fills=("log_probs[0, blank]", "np.log(np.sum(np.exp(incoming))) + log_probs[t, z[s]]"),
            ),
            Mistake(
                "start-at-zero",
                "alpha[0, 0] must include the first frame's probability of the blank, like every "
                "other alpha value includes its frame's probability.",
                fn=_forward_mistake(first="zero"),
                fills=("0.0", "logsumexp(incoming) + log_probs[t, z[s]]"),
            ),
        ],
    ),
    Exercise(
        id="l09-loss",
        lesson=LESSON,
        title="the CTC loss, equal to PyTorch's",
        points=2,
        kind="function",
        target="ctc_loss",
        reference=loss_reference,
        public=[
            Case(args=(TINY_LOG_PROBS[:3], [1, 2]), label="the first 3 frames of the tiny matrix, target [a, b]"),
            Case(args=(TINY_LOG_PROBS, [1, 1, 2, 2]), label="the tiny matrix, target [a, a, b, b]"),
        ],
        hidden=_loss_hidden,
        hint="The target's probability adds up the paths that end in either of the last two "
        "states; the loss is minus its natural log, one number for the whole sequence "
        "(reduction='sum'), and +infinity when no path exists (section 6).",
        rtol=1e-6,
        atol=1e-8,
        mistakes=[
            Mistake(
                "final-blank-only",
                "You used only the paths that end in the final blank. Paths that end on the last "
                "label (no silence at the end) count too.",
                fn=_loss_mistake(final="blank"),
                fills=('float("inf")', "final[-1]", "-float(log_p)"),
            ),
            Mistake(
                "max-final",
                "You took the larger of the two final states; the paths ending in either are "
                "alternatives, so their probabilities add.",
                fn=_loss_mistake(final="max"),
                fills=('float("inf")', "max(final)", "-float(log_p)"),
            ),
            Mistake(
                "no-minus",
                "Your loss is negative: that is log p, the log-likelihood. A loss to minimise is "
                "its negative.",
                fn=_loss_mistake(sign="plus"),
                fills=('float("inf")', "logsumexp(final)", "float(log_p)"),
            ),
            Mistake(
                "per-label",
                "You divided by the number of labels: that is PyTorch's default reduction='mean'. "
                "This exercise asks for reduction='sum', the plain -log p.",
                fn=_loss_mistake(sign="per-label"),
                fills=('float("inf")', "logsumexp(final)", "-float(log_p) / len(targets)"),
            ),
            Mistake(
                "impossible-zero",
                "A target that no path can spell has probability 0, so its loss is +infinity, "
                "not 0 (PyTorch's zero_infinity=True hides it; the default does not).",
                fn=_loss_mistake(impossible=0.0),
                fills=("0.0", "logsumexp(final)", "-float(log_p)"),
            ),
        ],
    ),
    Exercise(
        id="l09-align",
        lesson=LESSON,
        title="mini-challenge: forced alignment",
        points=3,
        kind="function",
        target="forced_align",
        reference=_align_reference,
        public=[
            Case(args=(TINY_LOG_PROBS, [1, 2]), label="the tiny matrix, target [a, b]"),
            Case(args=(peaky_log_probs([2, 2, 0, 1, 1, 0, 2], 3, peak=0.6, seed=1), [1, 2]),
                 label="7 frames that favour 'bab', target [a, b]"),
            Case(args=(peaky_log_probs([0, 1, 1, 0, 2, 2, 2, 2, 0, 1, 0, 0], 3, peak=0.6, seed=3), [1, 2, 2]),
                 label="12 frames that favour 'aba', target [a, b, b]"),
            Case(args=(TINY_LOG_PROBS, []), label="the tiny matrix, an empty target"),
        ],
        hidden=_align_hidden,
        hint="Same lattice and same moves as the alpha recursion, but keep only the best "
        "incoming path (max) and remember where it came from; pick the better of the two final "
        "states, follow the notes back to frame 0, and return the class of every frame's state "
        "with the path's log-probability (section 8).",
        rtol=1e-6,
        atol=1e-8,
        mistakes=[
            Mistake(
                "greedy",
                "You took the best class of every frame on its own: that path need not spell the "
                "target at all. The best path must stay inside the lattice of the target.",
                fn=_align_mistake("greedy"),
                code=_GREEDY_CODE,
            ),
            Mistake(
                "total-score",
                "Your path is right, but the score is the total probability of all paths "
                "(logsumexp). The score asked for is the log-probability of your one path.",
                fn=_align_mistake("total-score"),
                code=_align_code(score="-asrlab.ctc.ctc_loss(log_probs, targets, blank=blank)"),
            ),
            Mistake(
                "skip-repeats",
                "Your path jumps over the blank between two equal labels, so it collapses to "
                "one label instead of two. Only a jump between *different* labels is allowed.",
                fn=_align_mistake("skip-repeats"),
                code=_align_code(skip="s >= 2 and z[s] != blank"),
            ),
            Mistake(
                "end-on-blank",
                "Your path always ends in the final blank. It may also end on the last label; "
                "take the better of the two.",
                fn=_align_mistake("end-on-blank"),
                code=_align_code(end="S - 1"),
            ),
            Mistake(
                "states",
                "You returned the lattice states (0 to 2L), not the class ids. Map each state "
                "to its class through the extended sequence.",
                fn=_align_mistake("states"),
                code=_align_code(path="states"),
            ),
        ],
    ),
]
