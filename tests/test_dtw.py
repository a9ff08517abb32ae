"""asrlab.dtw against librosa.sequence.dtw: same total cost, same path, ties included."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asrlab import dtw


@st.composite
def feature_pairs(draw):
    """(X, Y) of shape (d, n), (d, m); integer-valued half the time, so ties are common."""
    d = draw(st.integers(1, 6))
    n = draw(st.integers(1, 40))
    m = draw(st.integers(1, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        return rng.integers(-2, 3, (d, n)).astype(float), rng.integers(-2, 3, (d, m)).astype(float)
    return rng.standard_normal((d, n)), rng.standard_normal((d, m))


@settings(max_examples=200, deadline=None)
@given(pair=feature_pairs(), metric=st.sampled_from(["euclidean", "sqeuclidean", "cityblock"]))
def test_dtw_matches_librosa_cost_and_path(pair, metric):
    X, Y = pair
    cost, path = dtw.dtw(X, Y, metric=metric)
    D, wp = librosa.sequence.dtw(X=X, Y=Y, metric=metric)
    assert cost == D[-1, -1]
    np.testing.assert_array_equal(path, wp[::-1])
    np.testing.assert_array_equal(dtw.accumulated_cost(dtw.cost_matrix(X, Y, metric=metric)), D)


@settings(max_examples=60, deadline=None)
@given(d=st.integers(1, 8), n=st.integers(1, 30), m=st.integers(1, 30), seed=st.integers(0, 2**32 - 1))
def test_dtw_cosine_matches_librosa(d, n, m, seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.random((d, n)) + 0.1, rng.random((d, m)) + 0.1
    cost, path = dtw.dtw(X, Y, metric="cosine")
    D, wp = librosa.sequence.dtw(X=X, Y=Y, metric="cosine")
    assert cost == D[-1, -1]
    np.testing.assert_array_equal(path, wp[::-1])


@settings(max_examples=100, deadline=None)
@given(pair=feature_pairs())
def test_path_is_a_monotonic_walk_whose_costs_add_up(pair):
    X, Y = pair
    cost, path = dtw.dtw(X, Y)
    n, m = X.shape[1], Y.shape[1]
    assert path.shape[1] == 2 and path.dtype.kind == "i"
    assert path[0].tolist() == [0, 0] and path[-1].tolist() == [n - 1, m - 1]
    steps = {tuple(s) for s in np.diff(path, axis=0).tolist()}
    assert steps <= {(1, 1), (0, 1), (1, 0)}
    C = dtw.cost_matrix(X, Y)
    assert cost == pytest.approx(C[path[:, 0], path[:, 1]].sum(), rel=1e-12)


def test_a_slower_copy_costs_nothing():
    cost, path = dtw.dtw(np.array([[0.0, 1, 2]]), np.array([[0.0, 1, 1, 2]]))
    assert cost == 0.0
    assert path.tolist() == [[0, 0], [1, 1], [1, 2], [2, 3]]


def test_hand_computed_accumulated_cost():
    # C = |x_i - y_j| for x = [0, 2], y = [1, 2, 4]
    C = np.array([[1.0, 2, 4], [1, 0, 2]])
    D = dtw.accumulated_cost(C)
    np.testing.assert_array_equal(D, [[1, 3, 7], [2, 1, 3]])
    cost, path = dtw.dtw(np.array([[0.0, 2]]), np.array([[1.0, 2, 4]]), metric="cityblock")
    assert cost == 3.0 and path.tolist() == [[0, 0], [1, 1], [1, 2]]


def test_dtw_prefers_the_matching_template():
    rng = np.random.default_rng(1)
    word = rng.standard_normal((13, 20))
    slow = np.repeat(word, 2, axis=1) + 0.05 * rng.standard_normal((13, 40))
    other = rng.standard_normal((13, 30))
    assert dtw.dtw(slow, word)[0] < dtw.dtw(slow, other)[0]
