"""Dynamic time warping (DTW): compare two feature sequences spoken at different speeds.

Two utterances of the same word have different lengths; DTW finds the cheapest
monotonic alignment (warping path) between their frames.  With a local cost matrix
``C[i, j]`` (distance between frame ``i`` of ``X`` and frame ``j`` of ``Y``) the
accumulated cost is::

    D[0, 0] = C[0, 0]
    D[i, j] = C[i, j] + min(D[i-1, j-1], D[i, j-1], D[i-1, j])

and ``D[n-1, m-1]`` is the DTW distance.  The path is found by walking back from
``(n-1, m-1)`` along the step that gave each minimum.  The conventions (features by
frames, step order diagonal / horizontal / vertical, first minimum wins) are those of
``librosa.sequence.dtw`` with its default steps and weights, so the results agree
exactly.

Lesson: 06 Recognising isolated words.
"""

from __future__ import annotations

import numba
import numpy as np
from scipy.spatial.distance import cdist

from asrlab._validate import check_choice, check_finite_array

__all__ = ["dtw", "cost_matrix", "accumulated_cost"]

METRICS = ("euclidean", "sqeuclidean", "cosine", "cityblock")


def _check_features(X: object, *, name: str) -> np.ndarray:
    x = check_finite_array(X, name=name, ndim=None)
    if x.ndim != 2:
        raise ValueError(
            f"{name}: expected features by frames, a 2-D array of shape (d, n), got shape {x.shape}"
        )
    if np.issubdtype(x.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected real-valued features, got dtype {x.dtype}")
    return x.astype(np.float64, copy=False)


def cost_matrix(X: np.ndarray, Y: np.ndarray, *, metric: str = "euclidean") -> np.ndarray:
    """Local cost ``C[i, j]`` = distance between frame ``X[:, i]`` and frame ``Y[:, j]``.

    Args:
        X: Features of the first sequence, shape ``(d, n)`` (features by frames).
        Y: Features of the second sequence, shape ``(d, m)``.
        metric: ``"euclidean"`` (default), ``"sqeuclidean"``, ``"cosine"`` or
            ``"cityblock"``, as in ``scipy.spatial.distance.cdist`` (used here, as
            librosa does, so that both see identical costs).

    Returns:
        Array of shape ``(n, m)``.

    Lesson: 06 Recognising isolated words.
    """
    x = _check_features(X, name="X")
    y = _check_features(Y, name="Y")
    check_choice(metric, name="metric", choices=METRICS)
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"Y: expected {x.shape[0]} features per frame like X, got shape {y.shape}"
        )
    if metric == "cosine":  # the angle to an all-zero frame is undefined
        for arr, name in ((x, "X"), (y, "Y")):
            zero = np.flatnonzero(~arr.any(axis=0))
            if zero.size:
                raise ValueError(
                    f"{name}: expected frames with a non-zero norm for metric 'cosine', "
                    f"got an all-zero frame at index {zero[0]}"
                )
    return cdist(x.T, y.T, metric=metric)


@numba.njit(cache=True)
def _accumulate(C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """``D`` and the step taken into each cell: 0 diagonal, 1 horizontal, 2 vertical."""
    n, m = C.shape
    D = np.empty((n, m))
    steps = np.zeros((n, m), dtype=np.int8)
    for i in range(n):
        for j in range(m):
            if i == 0 and j == 0:
                D[0, 0] = C[0, 0]
                continue
            best = np.inf
            step = 0
            if i > 0 and j > 0 and D[i - 1, j - 1] + C[i, j] < best:
                best = D[i - 1, j - 1] + C[i, j]
                step = 0
            if j > 0 and D[i, j - 1] + C[i, j] < best:
                best = D[i, j - 1] + C[i, j]
                step = 1
            if i > 0 and D[i - 1, j] + C[i, j] < best:
                best = D[i - 1, j] + C[i, j]
                step = 2
            D[i, j] = best
            steps[i, j] = step
    return D, steps


@numba.njit(cache=True)
def _backtrack(steps: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    n, m = steps.shape
    path = np.empty((n + m - 1, 2), dtype=np.int64)
    i, j, k = n - 1, m - 1, 0
    path[0, 0], path[0, 1] = i, j
    while i > 0 or j > 0:
        step = steps[i, j]
        if i == 0:
            step = 1
        elif j == 0:
            step = 2
        if step == 0:
            i -= 1
            j -= 1
        elif step == 1:
            j -= 1
        else:
            i -= 1
        k += 1
        path[k, 0], path[k, 1] = i, j
    return path[k::-1].copy()


def accumulated_cost(C: np.ndarray) -> np.ndarray:
    """The accumulated cost matrix ``D`` of a local cost matrix ``C`` (see the module
    docstring); ``D[-1, -1]`` is the DTW distance.

    Args:
        C: Local costs, shape ``(n, m)``, finite.

    Returns:
        Array of shape ``(n, m)``, equal to the ``D`` of ``librosa.sequence.dtw(C=C)``.

    Lesson: 06 Recognising isolated words.
    """
    c = check_finite_array(C, name="C", ndim=2).astype(np.float64, copy=False)
    return _accumulate(np.ascontiguousarray(c))[0]


def dtw(X: np.ndarray, Y: np.ndarray, *, metric: str = "euclidean") -> tuple[float, np.ndarray]:
    """DTW distance and warping path between two feature sequences.

    Args:
        X: Features of the first sequence, shape ``(d, n)`` (features by frames, like
            ``librosa.feature.mfcc`` output).
        Y: Features of the second sequence, shape ``(d, m)``.
        metric: Frame distance: ``"euclidean"`` (default), ``"sqeuclidean"``,
            ``"cosine"`` or ``"cityblock"``.

    Returns:
        ``(cost, path)``: the total cost ``D[n-1, m-1]`` (a float, in the units of the
        metric) and the warping path, an int array of shape ``(k, 2)`` of index pairs
        ``(i, j)`` from ``(0, 0)`` to ``(n-1, m-1)``, each step moving by ``(1, 1)``,
        ``(0, 1)`` or ``(1, 0)``.  Equal to ``D[-1, -1]`` and ``wp[::-1]`` of
        ``librosa.sequence.dtw(X=X, Y=Y, metric=metric)``.

    Example:
        ``dtw(np.array([[0., 1, 2]]), np.array([[0., 1, 1, 2]]))`` is
        ``(0.0, [[0, 0], [1, 1], [1, 2], [2, 3]])``.

    Lesson: 06 Recognising isolated words.
    """
    C = cost_matrix(X, Y, metric=metric)
    D, steps = _accumulate(C)
    return float(D[-1, -1]), _backtrack(steps)
