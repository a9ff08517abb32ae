"""asrlab.ctc.forced_align (Viterbi) against brute-force enumeration of every path."""

from __future__ import annotations

import inspect
import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from asrlab import ctc


def _log_softmax(rng: np.random.Generator, T: int, V: int, *, scale: float = 2.0) -> np.ndarray:
    z = rng.standard_normal((T, V)) * scale
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def _best_by_enumeration(log_probs: np.ndarray, targets: list[int], blank: int) -> tuple[tuple[int, ...], float, int]:
    """The most likely path collapsing to ``targets``, its log-probability, and how many paths do."""
    T, V = log_probs.shape
    best, best_score, n = None, -math.inf, 0
    for path in itertools.product(range(V), repeat=T):
        if ctc.collapse(list(path), blank=blank) != targets:
            continue
        n += 1
        score = float(sum(log_probs[t, k] for t, k in enumerate(path)))
        if score > best_score:
            best, best_score = path, score
    return best, best_score, n


@st.composite
def small_cases(draw):
    """(log_probs, targets, blank) small enough to list all V**T paths (at most 4**7)."""
    V = draw(st.integers(2, 4))
    blank = draw(st.integers(0, V - 1))
    labels = [k for k in range(V) if k != blank]
    targets = draw(st.lists(st.sampled_from(labels), max_size=3))
    need = ctc.required_frames(targets)
    T = draw(st.integers(max(need, 1), max(need, 7 if V <= 3 else 6)))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([0.3, 2.0, 8.0]))
    return _log_softmax(np.random.default_rng(seed), T, V, scale=scale), targets, blank


@settings(max_examples=120, deadline=None)
@given(case=small_cases())
def test_best_path_and_score_equal_brute_force_enumeration(case):
    lp, targets, blank = case
    want_path, want_score, n_paths = _best_by_enumeration(lp, targets, blank)
    assert n_paths == ctc.count_alignments(lp.shape[0], targets, blank=blank)
    path, score = ctc.forced_align(lp, targets, blank=blank)
    assert isinstance(score, float)
    assert score == pytest.approx(want_score, rel=1e-12, abs=1e-12)
    assert tuple(path.tolist()) == want_path  # random floats: the best path is unique


@settings(max_examples=80, deadline=None)
@given(
    V=st.integers(2, 30),
    n_labels=st.integers(0, 12),
    extra=st.integers(0, 40),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([0.5, 3.0, 10.0]),
)
def test_path_collapses_to_the_target_and_scores_at_most_minus_the_loss(V, n_labels, extra, seed, scale):
    rng = np.random.default_rng(seed)
    blank = int(rng.integers(0, V))
    labels = [k for k in range(V) if k != blank]
    targets = [int(k) for k in rng.choice(labels, size=n_labels)]
    T = max(1, ctc.required_frames(targets) + extra)
    lp = _log_softmax(rng, T, V, scale=scale)
    path, score = ctc.forced_align(lp, targets, blank=blank)
    assert path.dtype == np.int64 and path.shape == (T,)
    assert ctc.collapse(path.tolist(), blank=blank) == targets
    assert score == pytest.approx(float(lp[np.arange(T), path].sum()), rel=1e-12, abs=1e-12)
    loss = ctc.ctc_loss(lp, targets, blank=blank)
    assert score <= -loss + 1e-9
    # one path among count_alignments(T) paths: p(best) >= p(target) / count
    count = ctc.count_alignments(T, targets, blank=blank)
    assert score >= -loss - math.log(count) - 1e-9


def test_a_target_as_long_as_the_frames_allow_has_one_path():
    lp = _log_softmax(np.random.default_rng(3), 5, 4)
    path, score = ctc.forced_align(lp, [1, 2, 2, 3])  # needs a - b - b - c: 5 frames
    assert path.tolist() == [1, 2, 0, 2, 3]
    torch_loss = torch.nn.functional.ctc_loss(
        torch.tensor(lp)[:, None, :], torch.tensor([[1, 2, 2, 3]]), torch.tensor([5]), torch.tensor([4]),
        reduction="sum",
    ).item()
    assert score == pytest.approx(-torch_loss, rel=1e-9)  # one path: best = total


def test_hand_computed_example_and_empty_target():
    lp = np.log(np.array([[0.6, 0.4], [0.3, 0.7], [0.8, 0.2]]))
    path, score = ctc.forced_align(lp, [1])
    assert path.tolist() == [0, 1, 0]
    assert score == pytest.approx(math.log(0.6 * 0.7 * 0.8), rel=1e-12)
    path, score = ctc.forced_align(lp, [])
    assert path.tolist() == [0, 0, 0]
    assert score == pytest.approx(math.log(0.6 * 0.3 * 0.8), rel=1e-12)


def test_label_runs_give_each_labels_frames():
    # a peaky matrix: "a" in frames 1-2, "b" in 4, "b" again in 6-7 (repeat: blank between)
    probs = np.full((9, 3), 0.05)
    for t, k in enumerate([0, 1, 1, 0, 2, 0, 2, 2, 0]):
        probs[t, k] = 0.9
    path, _ = ctc.forced_align(np.log(probs), [1, 2, 2])
    assert path.tolist() == [0, 1, 1, 0, 2, 0, 2, 2, 0]


def test_ties_prefer_staying_and_ending_on_the_blank():
    lp = np.log(np.full((4, 2), 0.5))  # every path equally likely
    path, score = ctc.forced_align(lp, [1])
    # read backwards: end on the final blank, stay in it while that is possible, so the
    # label takes the earliest frame
    assert path.tolist() == [1, 0, 0, 0]
    assert score == pytest.approx(4 * math.log(0.5))
    assert ctc.forced_align(lp, [1])[0].tolist() == path.tolist()  # deterministic


def test_minus_infinity_entries_are_avoided():
    with np.errstate(divide="ignore"):
        lp = np.log(np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]]))
    path, score = ctc.forced_align(lp, [1, 2])
    assert np.isfinite(score)
    assert all(np.isfinite(lp[t, k]) for t, k in enumerate(path.tolist()))
    assert ctc.collapse(path.tolist(), blank=0) == [1, 2]


def test_torch_tensors_are_accepted():
    lp = torch.log_softmax(torch.randn(10, 5, generator=torch.Generator().manual_seed(1)), dim=1)
    lp.requires_grad_(True)
    path, score = ctc.forced_align(lp, [1, 3, 3])
    path_np, score_np = ctc.forced_align(lp.detach().numpy().astype(np.float64), [1, 3, 3])
    assert path.tolist() == path_np.tolist() and score == pytest.approx(score_np, rel=1e-12)


def test_signature_is_typed_documented_and_keyword_only():
    sig = inspect.signature(ctc.forced_align)
    assert [p.name for p in sig.parameters.values()] == ["log_probs", "targets", "blank"]
    assert sig.parameters["blank"].kind is inspect.Parameter.KEYWORD_ONLY
    assert sig.parameters["blank"].default == 0
    assert all(p.annotation is not inspect.Parameter.empty for p in sig.parameters.values())
    assert sig.return_annotation is not inspect.Signature.empty
    assert "Lesson: 09 The CTC loss." in inspect.getdoc(ctc.forced_align)
    assert "forced_align" in ctc.__all__


# --------------------------------------------------------------------------------------
# bad input


def _message(exc_type, *args, **kwargs) -> str:
    with pytest.raises(exc_type) as err:
        ctc.forced_align(*args, **kwargs)
    return str(err.value)


def test_too_few_frames_is_a_clear_error():
    lp = _log_softmax(np.random.default_rng(0), 4, 5)
    assert _message(ValueError, lp, [1, 2, 2, 3]) == (
        "log_probs: expected at least 5 frames for 4 target labels with 1 repeated "
        "neighbour(s) (each needs a blank between), got 4 frames"
    )


def test_a_target_with_zero_probability_is_a_clear_error():
    with np.errstate(divide="ignore"):
        lp = np.log(np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]]))  # class 2 never occurs
    assert _message(ValueError, lp, [2]) == (
        "log_probs: every path that collapses to the targets has probability 0 "
        "(log-probability -inf), so there is no best one"
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "exc_type", "message"),
    [
        ((np.zeros(5), [1]), {}, ValueError,
         "log_probs: expected a 2-D array of shape (T frames, V classes), got shape (5,)"),
        ((np.array([[0.0, np.nan]]), [1]), {}, ValueError,
         "log_probs: expected log-probabilities (finite or -inf), got NaN"),
        ((np.array([[0.0, np.inf]]), [1]), {}, ValueError,
         "log_probs: expected log-probabilities (finite or -inf), got +infinity"),
        ((np.zeros((3, 4), dtype=np.int64), [1]), {}, TypeError,
         "log_probs: expected floating-point log-probabilities, got dtype int64"),
        ((np.zeros((3, 4)), [1, 0]), {}, ValueError,
         "targets: expected labels without the blank id 0, got it at position 1"),
        ((np.zeros((3, 4)), [1, 4]), {}, ValueError,
         "targets: expected class ids in [0, 4), got 4 at position 1"),
        ((np.zeros((3, 4)), [1, -2]), {}, ValueError,
         "targets: expected class ids in [0, 4), got -2 at position 1"),
        ((np.zeros((3, 4)), "ab"), {}, TypeError,
         "targets: expected a sequence of integer class ids, got str 'ab'"),
        ((np.zeros((3, 4)), [1.0]), {}, TypeError,
         "targets: expected integer class ids, got float 1.0 at position 0"),
        ((np.zeros((3, 4)), np.array([[1, 2]])), {}, ValueError,
         "targets: expected a 1-D sequence of class ids, got shape (1, 2)"),
        ((np.zeros((3, 4)), [1]), {"blank": 4}, ValueError,
         "blank: expected a class id in [0, 4) (log_probs has 4 classes), got 4"),
        ((np.zeros((3, 4)), [1]), {"blank": -1}, ValueError,
         "blank: expected a non-negative integer, got -1"),
        ((np.zeros((3, 4)), [1]), {"blank": 1.0}, TypeError,
         "blank: expected a non-negative integer, got float 1.0"),
    ],
)
def test_bad_input_gets_an_exact_message(args, kwargs, exc_type, message):
    assert _message(exc_type, *args, **kwargs) == message
