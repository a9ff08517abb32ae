"""Lesson 06 (recognising isolated words): the exercise references against librosa and
SciPy on many inputs, what the hidden cases must contain to catch plausible wrong answers,
the claims the notebook makes, and the notebook's own inputs against the exercises'
public cases.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import librosa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from asrlab.data import COMMANDS
from asrlab.dtw import accumulated_cost, cost_matrix
from autograder.compare import compare
from autograder.exercises import l06

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "06-recognising-isolated-words.ipynb"
EXERCISES = {ex.id: ex for ex in l06.EXERCISES}
SEEDS = (0, 1, 20_240_607)


@st.composite
def feature_pairs(draw, *, shorter_first: bool = False):
    """(X, Y) of shape (d, n), (d, m); small integers half the time, so that ties are common."""
    d = draw(st.integers(1, 5))
    n = draw(st.integers(1, 25))
    m = draw(st.integers(n if shorter_first else 1, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        return rng.integers(-2, 3, (d, n)).astype(float), rng.integers(-2, 3, (d, m)).astype(float)
    return rng.standard_normal((d, n)), rng.standard_normal((d, m))


def _hidden(ex_id: str, seed: int):
    return EXERCISES[ex_id].hidden_cases(np.random.default_rng(seed))


# ----------------------------------------------------------------------------- references


@settings(max_examples=80, deadline=None)
@given(pair=feature_pairs())
def test_cost_matrix_reference_is_scipy_cdist_and_the_notebooks_loop(pair) -> None:
    X, Y = pair
    ref = EXERCISES["l06-cost-matrix"].reference(X, Y)
    np.testing.assert_allclose(ref, cdist(X.T, Y.T), rtol=1e-12)
    by_loop = np.array([[np.sqrt(np.sum((X[:, i] - Y[:, j]) ** 2)) for j in range(Y.shape[1])] for i in range(X.shape[1])])
    np.testing.assert_allclose(ref, by_loop, rtol=1e-12, atol=1e-12)


@settings(max_examples=120, deadline=None)
@given(pair=feature_pairs())
def test_accumulated_cost_reference_and_the_padded_table_equal_librosa(pair) -> None:
    X, Y = pair
    C = cost_matrix(X, Y)
    D_lib, _ = librosa.sequence.dtw(C=C)
    np.testing.assert_array_equal(EXERCISES["l06-accumulated-cost"].reference(C), D_lib)
    # the notebook's formulation: an infinite border and a zero corner
    np.testing.assert_allclose(l06._accumulated_with(C, mistake=""), D_lib, rtol=1e-12)


@settings(max_examples=150, deadline=None)
@given(pair=feature_pairs())
def test_backtrace_reference_equals_librosas_path_ties_included(pair) -> None:
    X, Y = pair
    D, wp = librosa.sequence.dtw(X=X, Y=Y)
    path = l06.dtw_path_reference(D)
    if np.array_equal(X, np.round(X)) and np.array_equal(Y, np.round(Y)):
        np.testing.assert_array_equal(path, wp[::-1])  # exact arithmetic: exact ties
    elif not np.array_equal(path, wp[::-1]):
        # librosa compares D[neighbour] + C[i, j]; two neighbours one rounding step apart can
        # become equal after the addition. Then both paths are optimal, to rounding.
        C = cost_matrix(X, Y)
        assert C[path[:, 0], path[:, 1]].sum() == pytest.approx(D[-1, -1], rel=1e-12)


def test_backtrace_reference_on_every_hidden_cost_equals_librosa() -> None:
    for seed in SEEDS:
        for case in l06._cost_hidden(np.random.default_rng(seed)):
            C = case.args[0]
            D, wp = librosa.sequence.dtw(C=C)
            np.testing.assert_array_equal(l06.dtw_path_reference(D), wp[::-1], err_msg=case.label)
        tie = np.zeros((3, 3))
        np.testing.assert_array_equal(l06.dtw_path_reference(accumulated_cost(tie)), librosa.sequence.dtw(C=tie)[1][::-1])


def test_hand_computed_dtw_of_the_notebooks_1d_example() -> None:
    C = cost_matrix(l06.X_SMALL, l06.Y_SMALL)
    D = accumulated_cost(C)
    assert D[-1, -1] == 1.0
    assert D[1, 1] == 2.0  # C[1, 1] + min(D[0, 0], D[1, 0], D[0, 1]) = 2 + min(0, 0, 2)
    assert l06.dtw_path_reference(D).tolist() == [[0, 0], [1, 0], [2, 1], [2, 2], [3, 3], [3, 4], [3, 5]]
    assert EXERCISES["l06-cost-matrix"].reference(l06.X_2D, l06.Y_2D)[1, 0] == pytest.approx(np.sqrt(13))


def _nearest_by_librosa(query, templates, labels):
    costs = [librosa.sequence.dtw(X=query, Y=t, backtrack=False)[-1, -1] for t in templates]
    return labels[int(np.argmin(costs))]


def test_nearest_template_reference_equals_librosa_on_every_case() -> None:
    ex = EXERCISES["l06-nearest-template"]
    for case in list(ex.public) + _hidden(ex.id, SEEDS[-1]):
        args, _ = case.inputs()
        assert ex.reference(*args) == _nearest_by_librosa(*args), case.label


def _scores_by_counting(words, true_words, predicted_words):
    pairs = Counter(zip(true_words, predicted_words))
    confusion = np.array([[pairs[(r, c)] for c in words] for r in words])
    return sum(t == p for t, p in zip(true_words, predicted_words)) / len(true_words), confusion


@settings(max_examples=60, deadline=None)
@given(k=st.integers(1, 10), n=st.integers(1, 60), seed=st.integers(0, 2**32 - 1))
def test_scores_reference_equals_counting_pairs(k, n, seed) -> None:
    rng = np.random.default_rng(seed)
    words = [str(w) for w in rng.permutation(list(COMMANDS))[:k]]
    true = [str(w) for w in rng.choice(words, n)]
    pred = [str(w) for w in rng.choice(words, n)]
    acc, confusion = l06.scores_reference(words, true, pred)
    want_acc, want_confusion = _scores_by_counting(words, true, pred)
    assert acc == pytest.approx(want_acc, abs=1e-15)
    np.testing.assert_array_equal(confusion, want_confusion)
    assert confusion.sum() == n and confusion.dtype.kind == "i"


def test_scores_of_the_notebooks_example_by_hand() -> None:
    acc, confusion = l06.scores_reference(l06.SCORE_WORDS, l06.SCORE_TRUE, l06.SCORE_PREDICTED)
    assert acc == pytest.approx(4 / 7)
    assert confusion.tolist() == [[1, 1, 0], [0, 1, 1], [0, 1, 2]]


def _find_by_librosa(template, utterance):
    D, wp = librosa.sequence.dtw(X=template, Y=utterance, subseq=True)
    end = int(np.argmin(D[-1]))
    assert wp[0].tolist() == [template.shape[1] - 1, end]
    return int(wp[-1, 1]), end, float(D[-1, end])


@settings(max_examples=150, deadline=None)
@given(pair=feature_pairs(shorter_first=True))
def test_find_word_reference_equals_librosa_subsequence_dtw(pair) -> None:
    template, utterance = pair
    start, end, cost = l06.find_word_reference(template, utterance)
    want = _find_by_librosa(template, utterance)
    assert (start, end) == want[:2]
    assert cost == pytest.approx(want[2], rel=1e-12, abs=1e-12)
    assert 0 <= start <= end < utterance.shape[1]


def test_find_word_reference_equals_librosa_on_every_case() -> None:
    ex = EXERCISES["l06-find-word"]
    for case in list(ex.public) + _hidden(ex.id, SEEDS[-1]):
        args, _ = case.inputs()
        got = ex.reference(*args)
        want = _find_by_librosa(*args)
        assert got[:2] == want[:2], case.label
        assert got[2] == pytest.approx(want[2], rel=1e-12, abs=1e-12)
        assert all(type(v) is t for v, t in zip(got, (int, int, float))), case.label


# ----------------------------------------------------------------------------- hidden cases


@pytest.mark.parametrize("seed", SEEDS)
def test_cost_hidden_cases_cover_single_frames_and_both_orientations(seed) -> None:
    shapes = [(c.args[0].shape[1], c.args[1].shape[1]) for c in _hidden("l06-cost-matrix", seed)]
    assert any(n == 1 and m == 1 for n, m in shapes)
    assert any(n == 1 < m for n, m in shapes) and any(m == 1 < n for n, m in shapes)
    assert any(n > m > 1 for n, m in shapes) and any(1 < n < m for n, m in shapes)
    dims = {c.args[0].shape[0] for c in _hidden("l06-cost-matrix", seed)}
    assert 1 in dims and 13 in dims and len(dims) >= 4


@pytest.mark.parametrize("seed", SEEDS)
def test_accumulated_hidden_cases_cover_rows_columns_and_a_large_first_cost(seed) -> None:
    Cs = [c.args[0] for c in _hidden("l06-accumulated-cost", seed)]
    assert any(C.shape == (1, 1) for C in Cs)
    assert any(C.shape[0] == 1 < C.shape[1] for C in Cs) and any(C.shape[1] == 1 < C.shape[0] for C in Cs)
    assert any(C[0, 0] == C.max() and C.size > 1 for C in Cs)
    assert any(C[0, 0] > 0 for C in Cs)  # a doubled first cost shows


_STEPS = {"diagonal": (1, 1), "left": (0, 1), "below": (1, 0)}


def _path_with_order(D, order):
    i, j = D.shape[0] - 1, D.shape[1] - 1
    path = [(i, j)]
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            di, dj = min((_STEPS[name] for name in order), key=lambda s: D[i - s[0], j - s[1]])
            i, j = i - di, j - dj
        path.append((i, j))
    return path[::-1]


@pytest.mark.parametrize("seed", SEEDS)
def test_path_hidden_cases_catch_every_other_tie_order(seed) -> None:
    cases = _hidden("l06-dtw-path", seed)
    for order in itertools.permutations(_STEPS):
        if order == ("diagonal", "left", "below"):
            continue
        assert any(_path_with_order(c.args[0], order) != l06.dtw_path_reference(c.args[0]).tolist() for c in cases), order


@pytest.mark.parametrize("seed", SEEDS)
def test_nearest_hidden_cases_have_a_tie_and_the_best_template_not_first(seed) -> None:
    ex = EXERCISES["l06-nearest-template"]
    cases = _hidden(ex.id, seed)

    def last_on_ties(query, templates, labels):
        d = [librosa.sequence.dtw(X=query, Y=t, backtrack=False)[-1, -1] for t in templates]
        return labels[len(d) - 1 - int(np.argmin(d[::-1]))]

    assert any(last_on_ties(*c.args) != ex.reference(*c.args) for c in cases)
    assert any(ex.reference(*c.args) == c.args[2][-1] and len(c.args[1]) > 1 for c in cases)
    assert any(c.args[0].shape[1] == 1 for c in cases)
    assert sum(c.args[0].shape[0] == 13 for c in cases) >= 3  # real words in unseen voices


@pytest.mark.parametrize("seed", SEEDS)
def test_scores_hidden_cases_are_asymmetric_unsorted_and_extreme(seed) -> None:
    results = [l06.scores_reference(**c.kwargs) for c in _hidden("l06-scores", seed)]
    assert any(acc == 0.0 for acc, _ in results) and any(acc == 1.0 for acc, _ in results)
    assert any(not np.array_equal(M, M.T) for _, M in results)
    assert any(c.kwargs["words"] != sorted(c.kwargs["words"]) for c in _hidden("l06-scores", seed))
    assert any(len(c.kwargs["words"]) != len(c.kwargs["true_words"]) for c in _hidden("l06-scores", seed))


@pytest.mark.parametrize("seed", SEEDS)
def test_find_word_hidden_cases_put_the_keyword_at_both_ends_and_tie_the_end(seed) -> None:
    cases = _hidden("l06-find-word", seed)
    found = [l06.find_word_reference(*c.args) for c in cases]
    widths = [c.args[1].shape[1] for c in cases]
    assert any(start == 0 for start, _, _ in found)
    assert any(end == m - 1 for (_, end, _), m in zip(found, widths))
    assert any(c.args[0].shape[1] == 1 for c in cases)
    assert any(c.args[0].shape[1] == c.args[1].shape[1] for c in cases)
    ties = [c for c in cases if np.sum(
        librosa.sequence.dtw(X=c.args[0], Y=c.args[1], subseq=True, backtrack=False)[-1]
        == librosa.sequence.dtw(X=c.args[0], Y=c.args[1], subseq=True, backtrack=False)[-1].min()) > 1]
    assert ties, "no hidden case where several ends cost the same"


def test_every_mistake_differs_from_the_reference_on_the_first_failing_public_case() -> None:
    # check() diagnoses on the first public case that fails: each mistake must be told apart there
    for ex in l06.EXERCISES:
        for mistake in ex.mistakes:
            for case in ex.public:
                args, kwargs = case.inputs()
                wrong = mistake.fn(*args, **kwargs)
                if not compare(ex.expected(case), wrong, rtol=ex.rtol, atol=ex.atol):
                    assert ex.diagnose(case, wrong) == mistake.hint, (ex.id, mistake.name)
                    break
            else:
                pytest.fail(f"{ex.id}/{mistake.name} passes every public case")


# ----------------------------------------------------------------------------- the notebook


def _code_cells() -> list[str]:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _run_cells(*starts: str) -> dict:
    cells = _code_cells()
    ns: dict = {}
    exec("\n".join(line for line in cells[0].splitlines() if not line.startswith("%")), ns)
    exec(cells[1], ns)  # the lesson's imports and `features`
    for start in starts:
        exec(next(c for c in cells if c.startswith(start)), ns)
    return ns


def test_the_notebooks_features_are_the_exercises_features() -> None:
    ns = _run_cells()
    y = l06.synthesize("go", sr=16_000)
    np.testing.assert_array_equal(ns["features"](y), l06.features(y))


def test_the_notebooks_inputs_equal_the_public_cases() -> None:
    ns = _run_cells("X_2D = ", "X_small = ", "words = ")
    np.testing.assert_array_equal(ns["X_2D"], l06.X_2D)
    np.testing.assert_array_equal(ns["Y_2D"], l06.Y_2D)
    np.testing.assert_array_equal(ns["X_small"], l06.X_SMALL)
    np.testing.assert_array_equal(ns["Y_small"], l06.Y_SMALL)
    for name, value in EXERCISES["l06-scores"].public[0].kwargs.items():
        assert ns[name] == value
    keyword_cell = next(c for c in _code_cells() if c.startswith("keyword = "))
    exec(keyword_cell.rsplit("\n", 1)[0], ns)  # without the Audio line
    template, sentence = EXERCISES["l06-find-word"].public[0].args
    np.testing.assert_array_equal(ns["keyword"], template)
    np.testing.assert_array_equal(ns["sentence"], sentence)


def test_frame_by_frame_fails_and_dtw_recognises_the_slow_word() -> None:
    # what sections 2 and 6 tell the learner
    ns = _run_cells("slow = synthesize(", "fast_words = ")
    naive = ns["naive"]
    assert min(naive, key=naive.get) != "down" and max(naive, key=naive.get) == "down"
    np.testing.assert_array_equal(ns["S"], l06._SLOW_DOWN)
    assert l06.nearest_template_reference(l06._SLOW_DOWN, l06._FAST, list(COMMANDS)) == "down"
    assert [np.array_equal(a, b) for a, b in zip(l06._FAST, ns["fast_words"].values())] == [True] * len(COMMANDS)


def test_answers_that_build_on_the_library_are_not_flagged_but_handing_in_the_reference_is():
    from autograder.grading.references import uses_reference

    nearest = EXERCISES["l06-nearest-template"]
    assert uses_reference(nearest, "from asrlab.dtw import dtw\nd = dtw(a, b)") == []
    cost = EXERCISES["l06-cost-matrix"]
    assert uses_reference(cost, "from asrlab.dtw import cost_matrix\nC = cost_matrix(X, Y)") == ["asrlab.dtw.cost_matrix"]
