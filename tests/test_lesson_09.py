"""Lesson 09 "The CTC loss": the exercise references against PyTorch and brute-force
enumeration, the hidden cases' promises (impossible targets, ties), the mistakes'
helpers in their correct setting, and the numbers the notebook's prose states.

The generic exercise tests (``test_exercises.py``) play every mistake in the answer cells.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from asrlab import ctc
from autograder.exercises import l09

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "09-the-ctc-loss.ipynb"
EX = {ex.id: ex for ex in l09.EXERCISES}


def _torch_loss(log_probs: np.ndarray, targets: list[int], blank: int = 0) -> float:
    return torch.nn.functional.ctc_loss(
        torch.from_numpy(np.ascontiguousarray(log_probs))[:, None, :],
        torch.tensor([targets], dtype=torch.long).reshape(1, len(targets)),
        torch.tensor([len(log_probs)]),
        torch.tensor([len(targets)]),
        blank=blank,
        reduction="sum",
        zero_infinity=False,
    ).item()


def _enumerate(log_probs: np.ndarray, targets: list[int], blank: int) -> tuple[int, float, float]:
    """Count, total log-probability and best log-probability of the paths that spell targets."""
    T, V = log_probs.shape
    scores = [
        float(sum(log_probs[t, k] for t, k in enumerate(p)))
        for p in itertools.product(range(V), repeat=T)
        if ctc.collapse(list(p), blank=blank) == targets
    ]
    if not scores:
        return 0, -math.inf, -math.inf
    return len(scores), float(np.logaddexp.reduce(scores)), max(scores)


@st.composite
def any_cases(draw, *, max_T: int = 30):
    """(log_probs, targets, blank), also with too few frames and with zero probabilities."""
    V = draw(st.integers(2, 8))
    blank = draw(st.integers(0, V - 1))
    labels = [k for k in range(V) if k != blank]
    targets = draw(st.lists(st.sampled_from(labels), max_size=8))
    T = draw(st.integers(1, max_T))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lp = l09.random_log_probs(int(rng.integers(0, 2**31)), T, V, scale=draw(st.sampled_from([0.5, 2.0, 6.0])))
    if draw(st.booleans()):
        lp[rng.random((T, V)) < 0.2] = -np.inf  # hand-made matrices have zeros
    return lp, targets, blank


# --------------------------------------------------------------------------------------
# the references against PyTorch and against enumeration


@settings(max_examples=300, deadline=None)
@given(case=any_cases())
def test_loss_reference_equals_torch_including_impossible_targets(case):
    lp, targets, blank = case
    ours, theirs = l09.loss_reference(lp, targets, blank=blank), _torch_loss(lp, targets, blank)
    if math.isinf(theirs):
        assert ours == math.inf
    else:
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("case", EX["l09-loss"].public, ids=lambda c: c.label)
def test_loss_public_cases_equal_torch(case):
    args, kwargs = case.inputs()
    assert l09.loss_reference(*args, **kwargs) == pytest.approx(_torch_loss(*args, kwargs.get("blank", 0)), rel=1e-9)


def test_loss_hidden_cases_equal_torch_and_cover_the_boundaries():
    cases = EX["l09-loss"].hidden_cases(np.random.default_rng(5))
    kinds = {"inf": 0, "exact-length": 0, "repeat": 0, "other-blank": 0, "empty": 0, "zero-probability": 0}
    for case in cases:
        args, kwargs = case.inputs()
        lp, targets = args
        blank = kwargs.get("blank", 0)
        want = _torch_loss(lp, targets, blank)
        got = l09.loss_reference(lp, targets, blank=blank)
        assert (math.isinf(got) and math.isinf(want)) or got == pytest.approx(want, rel=1e-9), case.label
        kinds["inf"] += math.isinf(want)
        kinds["exact-length"] += len(lp) == ctc.required_frames(targets) and len(targets) > 1
        kinds["repeat"] += any(a == b for a, b in zip(targets, targets[1:]))
        kinds["other-blank"] += blank != 0
        kinds["empty"] += not targets
        kinds["zero-probability"] += bool(np.isneginf(lp).any()) and math.isinf(want) and len(lp) >= ctc.required_frames(targets)
    assert all(kinds.values()), kinds
    assert kinds["inf"] >= 3  # too few frames (twice) and a label that never occurs


@settings(max_examples=60, deadline=None)
@given(case=any_cases(max_T=6))
def test_count_loss_and_best_path_equal_brute_force_enumeration(case):
    lp, targets, blank = case
    lp = lp[:, :4] if lp.shape[1] > 4 else lp  # at most 4**6 paths
    V = lp.shape[1]
    if blank >= V or any(k >= V for k in targets):
        return
    lp = np.where(np.isneginf(lp), -np.inf, lp - np.logaddexp.reduce(lp, axis=1, keepdims=True))
    n, total, best = _enumerate(lp, targets, blank)
    T = lp.shape[0]
    assert l09._count_with(T, targets, blank) == n == ctc.count_alignments(T, targets, blank=blank)
    assert l09.loss_reference(lp, targets, blank=blank) == pytest.approx(-total, rel=1e-9, abs=1e-12)
    if math.isfinite(best):
        assert ctc.forced_align(lp, targets, blank=blank)[1] == pytest.approx(best, rel=1e-9, abs=1e-12)


def test_count_cases_stay_exact_integers():
    ex = EX["l09-count"]
    for case in list(ex.public) + ex.hidden_cases(np.random.default_rng(0)):
        args, kwargs = case.inputs()
        n = ex.reference(*args, **kwargs)
        assert isinstance(n, int) and n < 2**53, case.label  # compared exactly, as float64
    values = [ex.reference(*c.inputs()[0], **c.inputs()[1]) for c in ex.hidden_cases(np.random.default_rng(0))]
    assert 0 in values and 1 in values and max(values) > 10**6


def test_count_public_cases_equal_brute_force():
    for case in EX["l09-count"].public:
        (T, targets), _ = case.inputs()
        listed = sum(ctc.collapse(list(p), blank=0) == targets for p in itertools.product(range(3), repeat=T))
        assert EX["l09-count"].reference(T, targets) == listed, case.label


@pytest.mark.parametrize("name", ["none"])
def test_mistake_helpers_in_their_right_setting_equal_the_references(name):
    rng = np.random.default_rng(1)
    for _ in range(40):
        V = int(rng.integers(2, 7))
        blank = int(rng.integers(0, V))
        labels = [k for k in range(V) if k != blank]
        targets = [int(k) for k in rng.choice(labels, size=int(rng.integers(0, 6)))]
        T = max(1, ctc.required_frames(targets) + int(rng.integers(0, 6)))
        lp = l09.random_log_probs(int(rng.integers(0, 2**31)), T, V)
        assert l09._count_with(T, targets, blank) == ctc.count_alignments(T, targets, blank=blank)
        np.testing.assert_allclose(l09._forward_with(lp, targets, blank), ctc.forward_variables(lp, targets, blank=blank),
                                   rtol=1e-12, atol=1e-12)
        assert l09._loss_with(lp, targets, blank) == pytest.approx(ctc.ctc_loss(lp, targets, blank=blank), rel=1e-12)
        path, score = l09._align_with(lp, targets, blank, mistake=name)
        want_path, want_score = ctc.forced_align(lp, targets, blank=blank)
        assert path == want_path.tolist() and score == pytest.approx(want_score, rel=1e-12)


def test_forward_public_long_case_underflows_in_probability_space():
    """The public case that catches leaving log space: exp of its alpha values is 0.0."""
    alpha = ctc.forward_variables(l09.LONG_LOG_PROBS, l09.LONG_TARGETS)
    assert np.nanmax(alpha[-1]) < -745
    with np.errstate(divide="ignore"):
        wrong = l09._forward_with(l09.LONG_LOG_PROBS, l09.LONG_TARGETS, combine="exp-log")
    assert np.isneginf(wrong[-1]).all() and np.isfinite(alpha[-1, -2:]).all()


def _viterbi_other_ties(lp: np.ndarray, targets: list[int], blank: int) -> list[int]:
    """Viterbi that breaks ties the other way (skip > step > stay, end on the last label)."""
    z = ctc.extend_with_blanks(targets, blank=blank)
    T, S = len(lp), len(z)
    best = np.full((T, S), -np.inf)
    back = np.zeros((T, S), dtype=int)
    best[0, 0] = lp[0, blank]
    if S > 1:
        best[0, 1] = lp[0, z[1]]
    for t in range(1, T):
        for s in range(S):
            options = [s]
            if s >= 1:
                options.append(s - 1)
            if s >= 2 and z[s] != blank and z[s] != z[s - 2]:
                options.append(s - 2)
            r = max(reversed(options), key=lambda r: best[t - 1, r])
            back[t, s], best[t, s] = r, best[t - 1, r] + lp[t, z[s]]
    end = S - 2 if S > 1 and best[-1, S - 2] >= best[-1, S - 1] else S - 1
    states = [end]
    for t in range(T - 1, 0, -1):
        states.append(back[t, states[-1]])
    return [z[s] for s in states[::-1]]


def test_alignment_cases_have_no_ties_so_any_tie_rule_passes():
    ex = EX["l09-align"]
    for case in list(ex.public) + ex.hidden_cases(np.random.default_rng(11)):
        args, kwargs = case.inputs()
        lp, targets = args
        blank = kwargs.get("blank", 0)
        path, score = ex.reference(lp, targets, blank=blank)
        assert path.tolist() == _viterbi_other_ties(lp, targets, blank), case.label
        assert ctc.collapse(path.tolist(), blank=blank) == list(targets)
        assert score <= -ctc.ctc_loss(lp, targets, blank=blank) + 1e-9


def test_alignment_public_cases_defeat_greedy_decoding_and_a_skip_between_repeats():
    (lp1, t1), (lp2, t2) = EX["l09-align"].public[1].args, EX["l09-align"].public[2].args
    assert ctc.collapse(np.argmax(lp1, axis=1).tolist(), blank=0) == [2, 1, 2] and t1 == [1, 2]
    assert ctc.collapse(np.argmax(lp2, axis=1).tolist(), blank=0) == [1, 2, 1] and t2 == [1, 2, 2]
    # the best path ends on the label in the first, and a skip between the b's would pay in the second
    assert ctc.forced_align(lp1, t1)[0][-1] == 2
    skipping = l09._align_with(lp2, t2, 0, mistake="skip-repeats")
    assert skipping[1] > ctc.forced_align(lp2, t2)[1]


# --------------------------------------------------------------------------------------
# the notebook's claims


def _cells() -> list[dict]:
    return json.loads(SOLUTION.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _markdown() -> str:
    return "\n".join(_source(c) for c in _cells() if c["cell_type"] == "markdown")


def _printed() -> str:
    return "\n".join(
        "".join(o.get("text", ""))
        for c in _cells() if c["cell_type"] == "code"
        for o in c.get("outputs", []) if o.get("output_type") == "stream"
    )


def test_the_notebooks_tiny_matrix_is_the_exercises():
    source = next(_source(c) for c in _cells() if _source(c).startswith('alphabet = "_ab"'))
    ns: dict = {"np": np}
    exec(source.split("fig, ax")[0], ns)
    np.testing.assert_array_equal(ns["probs"], l09.TINY_PROBS)
    assert ns["target"] == [1, 2] == EX["l09-loss"].public[0].args[1]


def test_the_notebooks_long_matrix_is_the_public_case():
    source = next(_source(c) for c in _cells() if "long_log_probs = " in _source(c))
    ns: dict = {"np": np}
    exec("from scipy.special import logsumexp\n" + source.split("alpha_p_long")[0], ns)
    np.testing.assert_allclose(ns["long_log_probs"], l09.LONG_LOG_PROBS, rtol=0, atol=1e-12)


def test_tiny_example_numbers_in_the_prose_are_right():
    p = math.exp(-ctc.ctc_loss(l09.TINY_LOG_PROBS, [1, 2]))
    best_path, best = ctc.forced_align(l09.TINY_LOG_PROBS, [1, 2])
    md, printed = _markdown(), _printed()
    assert f"p('ab') = {p:.4f}, loss = {-math.log(p):.4f} nats" in printed
    assert f"| {p:.4f} |" in md and f"| {-math.log(p):.4f} |" in md
    assert "".join("_ab"[k] for k in best_path) == "_ab_"
    assert f"probability {math.exp(best):.4f} of the total {p:.4f}" in md
    assert f"`_ab_`, {math.exp(best):.4f}" in md
    assert math.exp(best) / p < 0.25 and "less than a quarter" in md
    assert ctc.count_alignments(4, [1, 2]) == 15 and "| 15 |" in md
    assert "the 15 paths of 'ab'" in "\n".join(_source(c) for c in _cells())


def test_explorer_targets_include_an_impossible_one_and_the_word():
    source = next(_source(c) for c in _cells() if "def draw_lattice" in _source(c))
    options = re.search(r"options=\[([^\]]*)\]", source).group(1)
    texts = re.findall(r'"([a-z ]+)"', options)
    from asrlab.model import encode_text

    needs = {t: ctc.required_frames(encode_text(t)) for t in texts}
    printed = _printed()
    frames = int(re.search(r"-> (\d+) frames x 29 classes", printed).group(1))
    assert texts[0] == "seven"
    assert [t for t, n in needs.items() if n > frames], "no impossible target in the explorer"
    assert [t for t, n in needs.items() if n <= frames and t != "seven"]


def test_every_number_of_the_letter_spans_is_printed_and_consistent():
    printed = _printed()
    spans = re.findall(r"^([a-z]): frames (\d+)-(\d+) = ([\d.]+)-([\d.]+) s$", printed, flags=re.M)
    assert "".join(s[0] for s in spans) == "seven"
    for _, first, last, start, stop in spans:
        assert float(start) == pytest.approx(int(first) * 0.04) and float(stop) == pytest.approx((int(last) + 1) * 0.04)
    best_path = re.search(r"best path: (\S+)", printed).group(1)
    assert ctc.collapse(best_path, blank="_") == "seven"
