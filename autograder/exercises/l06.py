"""Exercises of lesson 06, recognising isolated words.

References: :func:`asrlab.dtw.cost_matrix`, :func:`asrlab.dtw.accumulated_cost` (both equal
to ``librosa.sequence.dtw``'s), a backtrace over the accumulated cost with librosa's step
order (diagonal, horizontal, vertical; the first minimum wins), a nearest-template
classifier over :func:`asrlab.dtw.dtw` distances, accuracy and a confusion matrix, and, for
the keyword-spotting mini-challenge, subsequence DTW
(``librosa.sequence.dtw(X=..., Y=..., subseq=True)``).  ``tests/test_lesson_06.py`` holds
every reference against librosa on many inputs.  The mistakes are the classic ones:
squared or city-block distances, a zero border or a doubled first cost, a missing
diagonal step, a path left end-first or stopped at an edge, neighbours mixed up, argmax
for argmin, the index instead of the word, a transposed confusion matrix, accuracy over
the vocabulary, full DTW where the keyword may start anywhere.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from asrlab.data import COMMANDS, synthesize
from asrlab.dtw import accumulated_cost as _accumulated_cost
from asrlab.dtw import cost_matrix as _cost_matrix
from asrlab.dtw import dtw as _dtw
from asrlab.features import mfcc
from autograder.exercise import Case, Exercise, Mistake

LESSON = "06-recognising-isolated-words"
SR = 16_000


def features(y: np.ndarray) -> np.ndarray:
    """The lesson's features: 13 MFCCs of 25 ms frames every 10 ms (40 mel bands), (13, n)."""
    return mfcc(y, sr=SR, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40).astype(np.float64)


def word_features(word: str, *, voice: str = "en-us", rate: int = 160, pitch: int = 50) -> np.ndarray:
    """MFCCs of one synthesised word."""
    return features(synthesize(word, voice=voice, rate=rate, pitch=pitch, sr=SR))


#: The notebook's two small sequences (one feature per frame), used in sections 3 to 5.
X_SMALL = np.array([[1.0, 1.0, 3.0, 4.0]])
Y_SMALL = np.array([[1.0, 3.0, 3.0, 4.0, 4.0, 5.0]])
#: Two frames of two features each, a three-frame sequence: the notebook's 2-D example.
X_2D = np.array([[0.0, 3.0, 1.0], [0.0, 4.0, -1.0]])
Y_2D = np.array([[1.0, 0.0, 3.0, 6.0], [1.0, 0.0, 4.0, 8.0]])


# ---------------------------------------------------------------------------
# cost matrix
# ---------------------------------------------------------------------------


def _cost_with(X: Any, Y: Any, *, kind: str) -> np.ndarray:
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    diff = X[:, :, None] - Y[:, None, :]  # (d, n, m)
    if kind == "squared":
        return np.sum(diff**2, axis=0)
    if kind == "cityblock":
        return np.sum(np.abs(diff), axis=0)
    return np.sqrt(np.mean(diff**2, axis=0))  # rms


def _pair_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case(args=(np.array([[2.0]]), np.array([[-1.0]])), label="one frame each, one feature"),
        Case(args=(np.array([[0.0, 1.0, 2.0]]), np.array([[5.0]])), label="3 frames against 1 frame"),
        Case(args=(np.array([[1.0], [-2.0]]), rng.integers(-3, 4, (2, 5)).astype(float)), label="1 frame against 5"),
        Case(args=(rng.normal(size=(3, 7)), rng.normal(size=(3, 4))), label="3 features, 7 frames against 4"),
        Case(args=(rng.normal(size=(5, 2)), rng.normal(size=(5, 9))), label="5 features, 2 frames against 9"),
        Case(args=(rng.integers(-2, 3, (2, 6)).astype(float), rng.integers(-2, 3, (2, 6)).astype(float)),
             label="small integers (many equal costs)"),
    ]
    slow = word_features("left", voice="en-gb+f3", rate=110)
    fast = word_features("left", voice="en-us+m3", rate=230).astype(np.float32)
    cases.append(Case(args=(slow, fast), label=f"MFCCs of 'left', slow ({slow.shape[1]} frames) and fast (float32)"))
    return cases


# ---------------------------------------------------------------------------
# accumulated cost
# ---------------------------------------------------------------------------


def _accumulated_with(C: Any, *, mistake: str) -> np.ndarray:
    C = np.asarray(C, dtype=np.float64)
    n, m = C.shape
    D = np.full((n + 1, m + 1), 0.0 if mistake == "zero-border" else np.inf)
    D[0, 0] = C[0, 0] if mistake == "start-cost-twice" else 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if mistake == "no-diagonal":
                best = min(D[i, j - 1], D[i - 1, j])
            else:
                best = min(D[i - 1, j - 1], D[i, j - 1], D[i - 1, j])
            D[i, j] = C[i - 1, j - 1] + best
    return D[1:, 1:]


def _cost_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case(args=(np.array([[3.0]]),), label="a 1 x 1 cost matrix"),
        Case(args=(np.array([[2.0, 0.0, 1.0, 5.0]]),), label="one row"),
        Case(args=(np.array([[1.0], [4.0], [0.0]]),), label="one column"),
        Case(args=(np.array([[0.0, 2.0, 2.0], [2.0, 0.0, 2.0], [2.0, 2.0, 0.0]]),), label="a zero diagonal"),
        Case(args=(rng.integers(0, 3, (5, 8)).astype(float),), label="5 x 8 small integers (ties)"),
        Case(args=(rng.random((9, 4)) * 10,), label="9 x 4, taller than wide"),
        Case(args=(np.array([[5.0, 1.0, 1.0], [1.0, 5.0, 1.0]]),), label="the largest cost first"),
    ]
    C = _cost_matrix(word_features("stop", rate=120), word_features("stop", voice="en-gb+f3", rate=220))
    cases.append(Case(args=(C,), label=f"'stop' against 'stop' in another voice ({C.shape[0]} x {C.shape[1]})"))
    return cases


# ---------------------------------------------------------------------------
# backtrace
# ---------------------------------------------------------------------------


def dtw_path_reference(D: Any, *, mistake: str = "") -> np.ndarray:
    """Walk back from the last cell along the cheapest predecessor (diagonal first on ties).

    On an accumulated cost matrix this is the path of ``librosa.sequence.dtw``
    (``wp[::-1]``), checked in ``tests/test_lesson_06.py`` on every hidden case and on many
    random ones.  (librosa decides on ``D[neighbour] + C[i, j]`` while the cost matrix is
    filled; where two neighbours lie one rounding step apart, the addition can make them
    equal, and the two rules then pick different but equally cheap paths.  Integer costs
    never do that.)
    """
    D = np.asarray(D, dtype=np.float64)
    i, j = D.shape[0] - 1, D.shape[1] - 1
    path = [(i, j)]
    while (i > 0 and j > 0) if mistake == "stop-at-edge" else (i > 0 or j > 0):
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            options = [D[i - 1, j - 1], D[i, j - 1], D[i - 1, j]]
            if mistake == "swapped-neighbours":
                options = [D[i - 1, j - 1], D[i - 1, j], D[i, j - 1]]
            step = int(np.argmax(options) if mistake == "argmax" else np.argmin(options))
            if step == 0:
                i, j = i - 1, j - 1
            elif step == 1:
                j -= 1
            else:
                i -= 1
        path.append((i, j))
    return np.array(path if mistake == "not-reversed" else path[::-1])


def _path_hidden(rng: np.random.Generator) -> list[Case]:
    cs = [c.args[0] for c in _cost_hidden(rng)]
    labels = ["1 x 1", "one row", "one column", "a zero diagonal", "5 x 8 small integers (ties)",
              "9 x 4, taller than wide", "the largest cost first", "two spoken 'stop's"]
    cases = [Case(args=(_accumulated_cost(C),), label=label) for C, label in zip(cs, labels)]
    tie = np.zeros((3, 3))
    cases.append(Case(args=(_accumulated_cost(tie),), label="all costs zero: every step ties"))
    return cases


# ---------------------------------------------------------------------------
# nearest template
# ---------------------------------------------------------------------------


def nearest_template_reference(query: Any, templates: Sequence[Any], labels: Sequence[str]) -> str:
    """The label of the template with the smallest DTW distance to ``query`` (first on ties)."""
    distances = [_dtw(query, t)[0] for t in templates]
    return labels[int(np.argmin(distances))]


def _nearest_with(query: Any, templates: Sequence[Any], labels: Sequence[str], *, mistake: str) -> Any:
    distances = [_dtw(query, t)[0] for t in templates]
    if mistake == "argmax":
        return labels[int(np.argmax(distances))]
    best = int(np.argmin(distances))
    return best if mistake == "index" else distances[best]


_TEMPLATE_WORDS = list(COMMANDS)


def fast_templates() -> list[np.ndarray]:
    """The notebook's templates: every command word, said fast by the default voice."""
    return [word_features(w, rate=300) for w in _TEMPLATE_WORDS]


def _nearest_hidden(rng: np.random.Generator) -> list[Case]:
    a = rng.normal(size=(2, 5))
    b = rng.normal(size=(2, 7))
    cases = [
        Case(args=(a, [b, a.copy(), a.copy()], ["up", "down", "left"]), label="two identical templates: the first wins"),
        Case(args=(a, [a[:, :1]], ["go"]), label="a single template of one frame"),
        Case(args=(a[:, :1], [b, a, rng.normal(size=(2, 1))], ["on", "off", "stop"]), label="a one-frame query"),
        Case(args=(b, [a, rng.normal(size=(2, 3)), b[:, ::2]], ["yes", "no", "go"]), label="the best template last"),
    ]
    voices = ["en-gb+f3", "en-us+m3", "en-gb-scotland+klatt2"]
    templates = [word_features(w, voice="en-gb-x-rp+m1", rate=int(r)) for w, r in
                 zip(_TEMPLATE_WORDS, rng.integers(120, 221, len(_TEMPLATE_WORDS)))]
    for word, voice in zip(rng.choice(_TEMPLATE_WORDS, 3, replace=False), voices):
        q = word_features(str(word), voice=voice, rate=int(rng.integers(100, 250)))
        cases.append(Case(args=(q, templates, list(_TEMPLATE_WORDS)), label=f"'{word}' in a voice the templates never heard ({voice})"))
    return cases


# ---------------------------------------------------------------------------
# accuracy and confusion matrix
# ---------------------------------------------------------------------------


def scores_reference(words: Sequence[str], true_words: Sequence[str], predicted_words: Sequence[str]) -> tuple[float, np.ndarray]:
    """(accuracy, confusion): rows are the words said, columns the words recognised,
    both in the order of ``words``."""
    index = {w: k for k, w in enumerate(words)}
    confusion = np.zeros((len(words), len(words)), dtype=np.int64)
    np.add.at(confusion, ([index[t] for t in true_words], [index[p] for p in predicted_words]), 1)
    return float(np.trace(confusion) / len(true_words)), confusion


def _scores_with(words, true_words, predicted_words, *, mistake: str) -> tuple[float, np.ndarray]:
    accuracy, confusion = scores_reference(words, true_words, predicted_words)
    if mistake == "transposed":
        return accuracy, confusion.T
    if mistake == "over-vocabulary":
        return float(np.trace(confusion) / len(words)), confusion
    return 100 * accuracy, confusion  # percent


SCORE_WORDS = ["yes", "no", "go"]
SCORE_TRUE = ["yes", "yes", "no", "no", "go", "go", "go"]
SCORE_PREDICTED = ["yes", "no", "no", "go", "go", "go", "no"]


def _scores_hidden(rng: np.random.Generator) -> list[Case]:
    def case(words, true, pred, label):
        return Case({"words": list(words), "true_words": list(true), "predicted_words": list(pred)}, label=label)

    words = list(COMMANDS)
    true = [str(w) for w in rng.choice(words, 40)]
    pred = [t if rng.random() < 0.7 else str(rng.choice(words)) for t in true]
    return [
        case(["up"], ["up"], ["up"], "a single utterance"),
        case(["on", "off"], ["on", "off", "off"], ["off", "on", "on"], "every answer wrong"),
        case(["stop", "go", "left", "right"], ["go", "left", "stop", "go", "right"], ["go", "left", "stop", "go", "right"],
             "every answer right, words not in sorted order"),
        case(["yes", "no", "up", "down"], ["yes", "no", "yes", "no"], ["down", "no", "up", "no"],
             "words recognised but never said (and said but never recognised)"),
        case(words, true, pred, "40 utterances of the ten command words"),
    ]


# ---------------------------------------------------------------------------
# keyword spotting (mini-challenge)
# ---------------------------------------------------------------------------


def find_word_reference(template: Any, utterance: Any) -> tuple[int, int, float]:
    """Subsequence DTW: the cheapest match of all of ``template`` to a stretch of ``utterance``.

    The accumulated cost starts afresh at every frame of the utterance (its first row is
    the first row of the local cost); the end is the first column with the lowest cost in
    the last row; the start is where the backtrace reaches the first row.  Equal to
    ``librosa.sequence.dtw(X=template, Y=utterance, subseq=True)`` when the template has
    at most as many frames as the utterance (``tests/test_lesson_06.py``).

    Returns ``(start, end, cost)``: first and last frame (inclusive) of the match in the
    utterance, and the accumulated cost there.
    """
    C = _cost_matrix(template, utterance)
    n, m = C.shape
    D = np.empty((n, m))
    D[0] = C[0]
    for i in range(1, n):
        D[i, 0] = D[i - 1, 0] + C[i, 0]
        for j in range(1, m):
            D[i, j] = C[i, j] + min(D[i - 1, j - 1], D[i, j - 1], D[i - 1, j])
    end = int(np.argmin(D[-1]))
    i, j = n - 1, end
    while i > 0:
        if j == 0:
            i -= 1
            continue
        step = int(np.argmin([D[i - 1, j - 1], D[i, j - 1], D[i - 1, j]]))
        i, j = (i - 1, j - 1) if step == 0 else (i, j - 1) if step == 1 else (i - 1, j)
    return j, end, float(D[-1, end])


_FIND_CODE = '''def find_word(template, utterance):
    C = asrlab.dtw.cost_matrix(template, utterance)
    n, m = C.shape
    D = np.empty((n, m))
    D[0] = {first_row}
    for i in range(1, n):
        D[i, 0] = D[i - 1, 0] + C[i, 0]
        for j in range(1, m):
            D[i, j] = C[i, j] + min(D[i - 1, j - 1], D[i, j - 1], D[i - 1, j])
    end = {end}
    i, j = n - 1, end
    while i > 0:
        if j == 0:
            i -= 1
            continue
        step = int(np.argmin([D[i - 1, j - 1], D[i, j - 1], D[i - 1, j]]))
        if step == 0:
            i, j = i - 1, j - 1
        elif step == 1:
            j -= 1
        else:
            i -= 1
    return {result}
'''


def _find_code(**override: str) -> str:
    parts = {"first_row": "C[0]", "end": "int(np.argmin(D[-1]))", "result": "j, end, float(D[-1, end])"}
    parts.update(override)
    return _FIND_CODE.format(**parts)


def _find_with(template: Any, utterance: Any, *, mistake: str) -> tuple[int, int, float]:
    if mistake == "full-dtw":
        cost, _ = _dtw(template, utterance)
        return 0, np.asarray(utterance).shape[1] - 1, float(cost)
    if mistake == "fixed-end":
        C = _cost_matrix(template, utterance)
        n, m = C.shape
        D = np.empty((n, m))
        D[0] = C[0]
        for i in range(1, n):
            D[i, 0] = D[i - 1, 0] + C[i, 0]
            for j in range(1, m):
                D[i, j] = C[i, j] + min(D[i - 1, j - 1], D[i, j - 1], D[i - 1, j])
        i, j = n - 1, m - 1
        while i > 0:
            if j == 0:
                i -= 1
                continue
            step = int(np.argmin([D[i - 1, j - 1], D[i, j - 1], D[i - 1, j]]))
            i, j = (i - 1, j - 1) if step == 0 else (i, j - 1) if step == 1 else (i - 1, j)
        return j, m - 1, float(D[-1, -1])
    start, end, cost = find_word_reference(template, utterance)
    return start, end + 1, cost  # exclusive end


KEYWORD = "left"
KEYWORD_SENTENCE = "stop, go left, then right"


def keyword_inputs(voice_template: str = "en-us", voice_sentence: str = "en-gb+f3") -> tuple[np.ndarray, np.ndarray]:
    """The notebook's keyword ('left', default voice) and sentence (another voice)."""
    template = word_features(KEYWORD, voice=voice_template)
    sentence = features(synthesize(KEYWORD_SENTENCE, voice=voice_sentence, word_gap_ms=150, sr=SR))
    return template, sentence


def _find_hidden(rng: np.random.Generator) -> list[Case]:
    u = rng.integers(-2, 3, (2, 12)).astype(float)
    cases = [
        Case(args=(np.array([[3.0]]), np.array([[0.0, 3.0, 1.0, 3.0]])), label="a one-frame keyword that fits twice (first wins)"),
        Case(args=(u[:, :4].copy(), u), label="the keyword at the very start"),
        Case(args=(u[:, -3:].copy(), u), label="the keyword at the very end"),
        Case(args=(u[:, 3:8] + 0.1, u), label="a shifted copy in the middle"),
        Case(args=(u[:, ::2][:, :6].copy(), u), label="a keyword as long as half the utterance, said twice as fast"),
        Case(args=(u.copy(), u.copy()), label="keyword and utterance identical"),
        Case(args=(rng.normal(size=(3, 5)), rng.normal(size=(3, 20))), label="random features, 5 frames in 20"),
    ]
    template, sentence = keyword_inputs("en-gb-x-rp+m1", "en-us+f2")
    cases.append(Case(args=(template, sentence), label="'left' in a sentence, two voices never used in the notebook"))
    template = word_features("go", voice="en-us", rate=200)
    cases.append(Case(args=(template, sentence), label="'go' in the same sentence"))
    return cases


# ---------------------------------------------------------------------------

_SLOW_DOWN = word_features("down", rate=80)
_FAST = fast_templates()
_KEYWORD_TEMPLATE, _KEYWORD_SENTENCE = keyword_inputs()

EXERCISES = [
    Exercise(
        id="l06-cost-matrix",
        lesson=LESSON,
        title="the local cost matrix",
        points=1,
        kind="function",
        target="cost_matrix",
        reference=lambda X, Y: _cost_matrix(X, Y),
        public=[
            Case(args=(X_2D, Y_2D), label="the notebook's 2-D example: 3 frames against 4"),
            Case(args=(X_SMALL, Y_SMALL), label="the notebook's 1-D sequences: 4 frames against 6"),
        ],
        hidden=_pair_hidden,
        hint="Each cell of the cost matrix is the straight-line (Euclidean) distance between two "
        "frames, one column of X and one column of Y, each a point in feature space (section 3).",
        rtol=1e-6,
        atol=1e-6,
        mistakes=[
            Mistake(
                "squared",
                "Your costs are the squares of the distances: you added the squared differences "
                "but did not take the square root at the end.",
                fn=lambda X, Y: _cost_with(X, Y, kind="squared"),
                fills=("X[:, i] - Y[:, j]", "np.sum(diff ** 2)"),
            ),
            Mistake(
                "cityblock",
                "You added the absolute differences (the city-block, or L1, distance). The lesson "
                "uses the straight-line distance between two frames.",
                fn=lambda X, Y: _cost_with(X, Y, kind="cityblock"),
                fills=("X[:, i] - Y[:, j]", "np.sum(np.abs(diff))"),
            ),
            Mistake(
                "rms",
                "You averaged the squared differences before the square root: that divides every "
                "distance by the square root of the number of features. A distance adds them up.",
                fn=lambda X, Y: _cost_with(X, Y, kind="rms"),
                fills=("X[:, i] - Y[:, j]", "np.sqrt(np.mean(diff ** 2))"),
            ),
        ],
    ),
    Exercise(
        id="l06-accumulated-cost",
        lesson=LESSON,
        title="the accumulated cost, by dynamic programming",
        points=1,
        kind="function",
        target="accumulated_cost",
        reference=lambda C: _accumulated_cost(C),
        public=[
            Case(args=(_cost_matrix(X_SMALL, Y_SMALL),), label="the cost matrix of the notebook's 1-D sequences"),
            Case(args=(_cost_matrix(_SLOW_DOWN, _FAST[COMMANDS.index("down")]),), label="'down' slow against 'down' fast"),
        ],
        hidden=_cost_hidden,
        hint="Each cell is its own cost plus the cheapest of the three cells a path can come from "
        "(diagonal, left, below); the border must make the cells outside the matrix unusable, and "
        "the path starts with nothing spent (section 4).",
        mistakes=[
            Mistake(
                "zero-border",
                "Your border row and column are 0, so a path can enter the matrix anywhere along "
                "the edges for free. The cells outside the matrix must be impossible to come from.",
                fn=lambda C: _accumulated_with(C, mistake="zero-border"),
                fills=("0.0", "0.0", "min(D[i - 1, j - 1], D[i, j - 1], D[i - 1, j])", "C[i - 1, j - 1] + best", "D[1:, 1:]"),
            ),
            Mistake(
                "start-cost-twice",
                "Every one of your values is too large by C[0, 0]: the first cell's cost is counted "
                "twice. What has a path spent before it reaches the first cell?",
                fn=lambda C: _accumulated_with(C, mistake="start-cost-twice"),
                fills=("np.inf", "C[0, 0]", "min(D[i - 1, j - 1], D[i, j - 1], D[i - 1, j])", "C[i - 1, j - 1] + best", "D[1:, 1:]"),
            ),
            Mistake(
                "no-diagonal",
                "Your path can only move right or up, never diagonally, so every match pays for "
                "extra cells. There are three cells a path can come from.",
                fn=lambda C: _accumulated_with(C, mistake="no-diagonal"),
                fills=("np.inf", "0.0", "min(D[i, j - 1], D[i - 1, j])", "C[i - 1, j - 1] + best", "D[1:, 1:]"),
            ),
        ],
    ),
    Exercise(
        id="l06-dtw-path",
        lesson=LESSON,
        title="the warping path, by backtracking",
        points=1,
        kind="function",
        target="dtw_path",
        reference=dtw_path_reference,
        public=[
            Case(args=(_accumulated_cost(_cost_matrix(X_SMALL, Y_SMALL)),), label="the notebook's 1-D sequences"),
            Case(args=(_accumulated_cost(_cost_matrix(_SLOW_DOWN, _FAST[COMMANDS.index("down")])),),
                 label="'down' slow against 'down' fast"),
        ],
        hidden=_path_hidden,
        hint="Start in the last cell and step to the cheapest of the three cells you could have come "
        "from (the diagonal one first when they tie); along an edge only one move is left; stop at "
        "(0, 0) and give the path from start to end (section 5).",
        mistakes=[
            Mistake(
                "not-reversed",
                "Your path runs from the end back to the start (that is the order librosa's `wp` "
                "has). The path should begin at (0, 0).",
                fn=lambda D: dtw_path_reference(D, mistake="not-reversed"),
                fills=("D.shape[0] - 1, D.shape[1] - 1", "i > 0 or j > 0",
                       "np.argmin([D[i - 1, j - 1], D[i, j - 1], D[i - 1, j]])", "path"),
            ),
            Mistake(
                "stop-at-edge",
                "Your path stops as soon as it reaches the first row or the first column, so it "
                "does not reach (0, 0). Keep walking along the edge.",
                fn=lambda D: dtw_path_reference(D, mistake="stop-at-edge"),
                fills=("D.shape[0] - 1, D.shape[1] - 1", "i > 0 and j > 0",
                       "np.argmin([D[i - 1, j - 1], D[i, j - 1], D[i - 1, j]])", "path[::-1]"),
            ),
            Mistake(
                "swapped-neighbours",
                "Your path takes a step to the left where the cheaper cell is below, and the other "
                "way round: the order of your three candidates does not match the moves that follow.",
                fn=lambda D: dtw_path_reference(D, mistake="swapped-neighbours"),
                fills=("D.shape[0] - 1, D.shape[1] - 1", "i > 0 or j > 0",
                       "np.argmin([D[i - 1, j - 1], D[i - 1, j], D[i, j - 1]])", "path[::-1]"),
            ),
            Mistake(
                "argmax",
                "Your path follows the most expensive neighbour. The best path came from the cheapest one.",
                fn=lambda D: dtw_path_reference(D, mistake="argmax"),
                fills=("D.shape[0] - 1, D.shape[1] - 1", "i > 0 or j > 0",
                       "np.argmax([D[i - 1, j - 1], D[i, j - 1], D[i - 1, j]])", "path[::-1]"),
            ),
        ],
    ),
    Exercise(
        id="l06-nearest-template",
        builds_on=("asrlab.dtw.dtw",),  # the DTW distance of the exercises before
        lesson=LESSON,
        title="a nearest-template recogniser",
        points=1,
        kind="function",
        target="nearest_template",
        reference=nearest_template_reference,
        public=[
            Case(args=(_SLOW_DOWN, _FAST, list(COMMANDS)), label="'down' said slowly against the ten fast templates"),
        ],
        hidden=_nearest_hidden,
        hint="Measure the DTW distance from the query to every template, find the smallest (the first "
        "one if several tie), and answer with that template's word (section 6).",
        mistakes=[
            Mistake(
                "argmax",
                "You picked the template that is *farthest* from the query. The recogniser's answer "
                "is the closest one.",
                fn=lambda q, t, lab: _nearest_with(q, t, lab, mistake="argmax"),
                fills=("asrlab.dtw.dtw(query, template)[0]", "np.argmax(distances)", "labels[best]"),
            ),
            Mistake(
                "index",
                "You returned the position of the best template (a number). The recogniser should "
                "answer with its word.",
                fn=lambda q, t, lab: _nearest_with(q, t, lab, mistake="index"),
                fills=("asrlab.dtw.dtw(query, template)[0]", "np.argmin(distances)", "best"),
            ),
            Mistake(
                "distance",
                "You returned the smallest distance. The recogniser should answer with the word of "
                "the template that has it.",
                fn=lambda q, t, lab: _nearest_with(q, t, lab, mistake="distance"),
                fills=("asrlab.dtw.dtw(query, template)[0]", "np.argmin(distances)", "distances[best]"),
            ),
        ],
    ),
    Exercise(
        id="l06-scores",
        lesson=LESSON,
        title="accuracy and confusion matrix",
        points=1,
        kind="cell",
        target=("accuracy", "confusion"),
        reference=scores_reference,
        public=[Case({"words": SCORE_WORDS, "true_words": SCORE_TRUE, "predicted_words": SCORE_PREDICTED},
                     label="the notebook's seven utterances")],
        hidden=_scores_hidden,
        hint="Accuracy is the share of utterances recognised correctly (a number from 0 to 1). In the "
        "confusion matrix each row is a word said and each column a word recognised, in the order of "
        "`words` (section 7).",
        mistakes=[
            Mistake(
                "transposed",
                "Your confusion matrix is transposed: its rows are the recognised words. Rows are "
                "the words that were said, columns what the recogniser answered.",
                fn=lambda words, true_words, predicted_words: _scores_with(words, true_words, predicted_words, mistake="transposed"),
                fills=("index[p], index[t]", "np.trace(confusion) / len(true_words)"),
            ),
            Mistake(
                "over-vocabulary",
                "You divided by the number of different words. Accuracy divides by the number of "
                "utterances tested.",
                fn=lambda words, true_words, predicted_words: _scores_with(words, true_words, predicted_words, mistake="over-vocabulary"),
                fills=("index[t], index[p]", "np.trace(confusion) / len(words)"),
            ),
            Mistake(
                "percent",
                "Your accuracy is a percentage. Give it as a fraction from 0 to 1 (format it as a "
                "percentage only when you print it).",
                fn=lambda words, true_words, predicted_words: _scores_with(words, true_words, predicted_words, mistake="percent"),
                fills=("index[t], index[p]", "100 * np.trace(confusion) / len(true_words)"),
            ),
        ],
    ),
    Exercise(
        id="l06-find-word",
        builds_on=("asrlab.dtw.cost_matrix",),  # the frame distances of the first exercise
        lesson=LESSON,
        title="mini-challenge: a keyword spotter",
        points=3,
        kind="function",
        target="find_word",
        reference=find_word_reference,
        public=[
            Case(args=(_KEYWORD_TEMPLATE, _KEYWORD_SENTENCE), label="'left' in the notebook's sentence"),
            Case(args=(X_SMALL[:, 1:3].copy(), Y_SMALL), label="2 frames of the 1-D sequence X inside Y"),
        ],
        hidden=_find_hidden,
        hint="Subsequence DTW: a match may start at any frame of the utterance at no extra cost (the "
        "first row is not accumulated) and end at any frame (the cheapest cell of the last row, "
        "the first if several tie); backtrack until the first row of the template to find the "
        "start. Frames are counted from 0 and the end is the last frame of the match (section 9).",
        mistakes=[
            Mistake(
                "full-dtw",
                "You matched the keyword against the whole utterance (start at frame 0, end at the "
                "last frame). A keyword may begin and end anywhere inside it.",
                fn=lambda t, u: _find_with(t, u, mistake="full-dtw"),
                code='''def find_word(template, utterance):
    cost, path = asrlab.dtw.dtw(template, utterance)
    return 0, utterance.shape[1] - 1, float(cost)
''',
            ),
            Mistake(
                "fixed-end",
                "Your match always ends at the last frame of the utterance. The end is free too: "
                "look along the whole last row of the accumulated cost.",
                fn=lambda t, u: _find_with(t, u, mistake="fixed-end"),
                code=_find_code(end="m - 1"),
            ),
            Mistake(
                "exclusive-end",
                "Your end is one frame too late: it counts like a Python slice (one past the match). "
                "Give the index of the last frame of the match.",
                fn=lambda t, u: _find_with(t, u, mistake="exclusive-end"),
                code=_find_code(result="j, end + 1, float(D[-1, end])"),
            ),
        ],
    ),
]
