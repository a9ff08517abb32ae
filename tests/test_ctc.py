"""asrlab.ctc against torch.nn.functional.ctc_loss and brute-force enumeration of paths."""

from __future__ import annotations

import itertools
import math
from itertools import groupby

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from asrlab import ctc


def _log_softmax(rng: np.random.Generator, T: int, V: int, *, scale: float = 2.0) -> np.ndarray:
    z = rng.standard_normal((T, V)) * scale
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def _enumerate(log_probs: np.ndarray, blank: int) -> dict[tuple[int, ...], float]:
    """Exact log-probability of every collapsed label sequence, by listing all V**T paths."""
    T, V = log_probs.shape
    totals: dict[tuple[int, ...], float] = {}
    for path in itertools.product(range(V), repeat=T):
        key = tuple(ctc.collapse(list(path), blank=blank))
        lp = float(sum(log_probs[t, k] for t, k in enumerate(path)))
        totals[key] = float(np.logaddexp(totals.get(key, -np.inf), lp))
    return totals


def _torch_loss(log_probs: np.ndarray, targets: list[int], blank: int) -> float:
    lp = torch.from_numpy(log_probs)[:, None, :]
    tg = torch.tensor([targets], dtype=torch.long).reshape(1, len(targets))
    return torch.nn.functional.ctc_loss(
        lp, tg, torch.tensor([lp.shape[0]]), torch.tensor([len(targets)]), blank=blank, reduction="sum"
    ).item()


@st.composite
def loss_cases(draw):
    """(log_probs, targets, blank) with enough frames for the target."""
    V = draw(st.integers(2, 7))
    blank = draw(st.integers(0, V - 1))
    labels = [k for k in range(V) if k != blank]
    targets = draw(st.lists(st.sampled_from(labels), max_size=12))
    T = ctc.required_frames(targets) + draw(st.integers(0, 15))
    T = max(T, 1)
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([0.5, 2.0, 6.0]))
    return _log_softmax(np.random.default_rng(seed), T, V, scale=scale), targets, blank


# --------------------------------------------------------------------------------------
# collapse


def test_collapse_merges_repeats_then_drops_blanks():
    assert ctc.collapse("hh-e-ll-ll-oo", blank="-") == "hello"
    assert ctc.collapse("h-e-l-l-o", blank="-") == "hello"  # a blank keeps both l's
    assert ctc.collapse("h-e-ll-o", blank="-") == "helo"  # no blank: one l
    assert ctc.collapse("---", blank="-") == ""
    assert ctc.collapse([0, 3, 3, 0, 3], blank=0) == [3, 3]


def test_collapse_returns_the_type_it_was_given():
    assert ctc.collapse(("a", "a", "_", "b"), blank="_") == ("a", "b")
    out = ctc.collapse(np.array([1, 1, 0, 2], dtype=np.int16), blank=0)
    assert isinstance(out, np.ndarray) and out.dtype == np.int16
    assert out.tolist() == [1, 2]


@settings(max_examples=200, deadline=None)
@given(path=st.lists(st.integers(0, 3), max_size=20), blank=st.integers(0, 3))
def test_collapse_equals_groupby_reference(path, blank):
    expected = [k for k, _ in groupby(path) if k != blank]
    assert ctc.collapse(path, blank=blank) == expected
    text = "".join("-abc"[k] for k in path)
    assert ctc.collapse(text, blank="-abc"[blank]) == "".join("-abc"[k] for k, _ in groupby(path) if k != blank)


# --------------------------------------------------------------------------------------
# greedy and beam search


def test_greedy_decode_reads_the_argmax_path():
    alphabet = "-ab"
    path = [1, 1, 0, 2, 2, 0, 0, 2]  # a a - b b - - b
    lp = np.log(np.full((len(path), 3), 0.1))
    lp[np.arange(len(path)), path] = np.log(0.8)
    assert ctc.greedy_decode(lp, alphabet=alphabet) == "abb"
    assert ctc.greedy_decode(lp, alphabet=["<b>", "a", "b"]) == "abb"
    assert ctc.greedy_decode(lp[:, [1, 0, 2]], alphabet="a-b", blank=1) == "abb"


@settings(max_examples=40, deadline=None)
@given(
    T=st.integers(1, 5),
    V=st.integers(2, 4),
    blank=st.integers(0, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_greedy_is_the_collapse_of_the_most_probable_enumerated_path(T, V, blank, seed):
    blank = blank % V
    lp = _log_softmax(np.random.default_rng(seed), T, V)
    alphabet = "".join("-abc"[k] if k != blank else "_" for k in range(V))
    paths = list(itertools.product(range(V), repeat=T))
    best = max(paths, key=lambda p: sum(lp[t, k] for t, k in enumerate(p)))
    expected = "".join(alphabet[k] for k in ctc.collapse(list(best), blank=blank))
    assert ctc.greedy_decode(lp, alphabet=alphabet, blank=blank) == expected


@settings(max_examples=40, deadline=None)
@given(
    T=st.integers(1, 5),
    V=st.integers(2, 4),
    blank=st.integers(0, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_wide_beam_finds_the_most_probable_text_by_exact_enumeration(T, V, blank, seed):
    blank = blank % V
    lp = _log_softmax(np.random.default_rng(seed), T, V, scale=1.5)
    alphabet = ["".join("-abc"[k]) if k != blank else "" for k in range(V)]
    exact = _enumerate(lp, blank)
    beams = ctc.beam_search(lp, alphabet=alphabet, blank=blank, beam_width=400, return_beams=True)
    # no pruning happened: every reachable text is a beam, with its exact probability
    assert len(beams) == len(exact)
    for text, score in beams:
        key = tuple(alphabet.index(c) for c in text)
        assert score == pytest.approx(exact[key], rel=1e-9, abs=1e-9)
    best = max(exact, key=exact.get)
    assert ctc.beam_search(lp, alphabet=alphabet, blank=blank, beam_width=400) == "".join(
        alphabet[k] for k in best
    )
    assert [s for _, s in beams] == sorted((s for _, s in beams), reverse=True)


def test_beam_search_beats_greedy_when_paths_add_up():
    # two frames, P(blank) = 0.6 and P(a) = 0.4 in each: the best path is "--" (0.36),
    # but "a" is reached by "aa", "a-" and "-a": 0.16 + 0.24 + 0.24 = 0.64.
    lp = np.log(np.array([[0.6, 0.4], [0.6, 0.4]]))
    assert ctc.greedy_decode(lp, alphabet="-a") == ""
    beams = ctc.beam_search(lp, alphabet="-a", beam_width=4, return_beams=True)
    assert beams[0][0] == "a" and beams[0][1] == pytest.approx(math.log(0.64))
    assert beams[1][0] == "" and beams[1][1] == pytest.approx(math.log(0.36))


@settings(max_examples=60, deadline=None)
@given(
    T=st.integers(1, 30),
    V=st.integers(2, 8),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([0.3, 1.0, 4.0]),
)
def test_beam_width_one_is_greedy(T, V, seed, scale):
    lp = _log_softmax(np.random.default_rng(seed), T, V, scale=scale)
    alphabet = "-abcdefg"[:V]
    greedy = ctc.greedy_decode(lp, alphabet=alphabet)
    assert ctc.beam_search(lp, alphabet=alphabet, beam_width=1) == greedy
    [(text, score)] = ctc.beam_search(lp, alphabet=alphabet, beam_width=1, return_beams=True)
    assert text == greedy and score == pytest.approx(lp.max(axis=1).sum())


def _plain_prefix_beam_search(lp: np.ndarray, width: int, blank: int = 0) -> list[tuple[tuple[int, ...], float]]:
    """Textbook prefix beam search: score every extension, sort them all, keep `width`."""
    beams = {(): (0.0, -np.inf)}
    for frame in lp:
        nxt: dict[tuple[int, ...], list[float]] = {}

        def add(prefix, b=-np.inf, nb=-np.inf):
            old = nxt.setdefault(prefix, [-np.inf, -np.inf])
            old[0], old[1] = np.logaddexp(old[0], b), np.logaddexp(old[1], nb)

        for prefix, (b, nb) in beams.items():
            total = np.logaddexp(b, nb)
            add(prefix, b=total + frame[blank])
            if prefix:
                add(prefix, nb=nb + frame[prefix[-1]])
            for k in range(len(frame)):
                if k != blank:
                    base = b if prefix and k == prefix[-1] else total
                    if base > -np.inf:  # "aa" needs a blank in between: impossible without
                        add(prefix + (k,), nb=base + frame[k])
        ranked = sorted(nxt.items(), key=lambda item: -np.logaddexp(*item[1]))[:width]
        beams = {p: (v[0], v[1]) for p, v in ranked}
    return [(p, float(np.logaddexp(*v))) for p, v in beams.items()]


@settings(max_examples=40, deadline=None)
@given(
    T=st.integers(1, 25),
    V=st.integers(2, 6),
    width=st.integers(2, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_pruned_beams_equal_a_textbook_prefix_beam_search(T, V, width, seed):
    lp = _log_softmax(np.random.default_rng(seed), T, V, scale=2.0)
    alphabet = "-abcde"[:V]
    ours = ctc.beam_search(lp, alphabet=alphabet, beam_width=width, return_beams=True)
    plain = _plain_prefix_beam_search(lp, width)
    assert [t for t, _ in ours] == ["".join(alphabet[k] for k in p) for p, _ in plain]
    assert [s for _, s in ours] == pytest.approx([s for _, s in plain], rel=1e-12)


def test_beam_search_prunes_to_beam_width():
    lp = _log_softmax(np.random.default_rng(3), 12, 6)
    for width in (2, 5, 16):
        beams = ctc.beam_search(lp, alphabet="-abcde", beam_width=width, return_beams=True)
        assert len(beams) == width
        assert len({t for t, _ in beams}) == width


def _toy_lm(prefix: str, symbol: str) -> float:
    """A deterministic made-up LM: prefers 'b' after 'a', dislikes ending on 'a'."""
    if symbol == "":
        return -2.0 if prefix.endswith("a") else -0.1
    if prefix.endswith("a"):
        return -0.2 if symbol == "b" else -1.5
    return -0.7


@settings(max_examples=30, deadline=None)
@given(T=st.integers(1, 5), seed=st.integers(0, 2**32 - 1), weight=st.sampled_from([0.5, 1.0, 3.0]))
def test_lm_fusion_matches_enumeration_of_acoustic_plus_weighted_lm_scores(T, seed, weight):
    lp = _log_softmax(np.random.default_rng(seed), T, 3)
    alphabet = "-ab"
    expected = {}
    for key, acoustic in _enumerate(lp, 0).items():
        text = "".join(alphabet[k] for k in key)
        lm = sum(_toy_lm(text[:k], text[k]) for k in range(len(text))) + _toy_lm(text, "")
        expected[text] = acoustic + weight * lm
    beams = ctc.beam_search(
        lp, alphabet=alphabet, beam_width=200, lm=_toy_lm, lm_weight=weight, return_beams=True
    )
    assert {t: pytest.approx(s, rel=1e-9, abs=1e-9) for t, s in beams} == expected
    assert beams[0][0] == max(expected, key=expected.get)


def test_lm_weight_zero_ignores_the_lm():
    lp = _log_softmax(np.random.default_rng(5), 10, 4)
    plain = ctc.beam_search(lp, alphabet="-abc", return_beams=True)
    assert ctc.beam_search(lp, alphabet="-abc", lm=_toy_lm, lm_weight=0.0, return_beams=True) == plain


def _frames(alphabet: str, rows: list[dict[str, float]]) -> np.ndarray:
    """Log-probabilities from per-frame dicts {symbol: probability}; the rest share 0.01."""
    out = np.full((len(rows), len(alphabet)), 0.01)
    for t, row in enumerate(rows):
        for sym, p in row.items():
            out[t, alphabet.index(sym)] = p
    return np.log(out / out.sum(axis=1, keepdims=True))


def test_vocabulary_lm_turns_an_out_of_vocabulary_guess_into_a_word():
    alphabet = "-nieot "
    # the acoustics say "nite" (greedy), "nine" is second best in frame 2
    lp = _frames(alphabet, [{"n": 0.9}, {"i": 0.9}, {"t": 0.55, "n": 0.4}, {"e": 0.9}])
    assert ctc.greedy_decode(lp, alphabet=alphabet) == "nite"
    assert ctc.beam_search(lp, alphabet=alphabet, beam_width=8) == "nite"
    lm = ctc.vocabulary_lm(["one", "nine", "two"])
    assert ctc.beam_search(lp, alphabet=alphabet, beam_width=8, lm=lm, lm_weight=1.0) == "nine"
    beams = ctc.beam_search(lp, alphabet=alphabet, beam_width=8, lm=lm, lm_weight=1.0, return_beams=True)
    assert beams[0][1] > -20 > beams[-1][1]  # in-vocabulary beats everything penalised


def test_vocabulary_lm_scores():
    lm = ctc.vocabulary_lm(["yes", "no"], penalty=-50.0)
    assert lm("", "y") == 0.0
    assert lm("ye", "s") == 0.0
    assert lm("ye", "a") == -50.0
    assert lm("yes", " ") == 0.0  # a complete word may be followed by a separator
    assert lm("ye", " ") == -50.0  # an unfinished word may not
    assert lm("yes ", "n") == 0.0
    assert lm("yes ", " ") == -50.0  # no empty words
    assert lm("", " ") == -50.0
    assert lm("yes no", "") == 0.0  # end of text after a complete word
    assert lm("yes n", "") == -50.0
    assert lm("", "") == 0.0
    custom = ctc.vocabulary_lm(["up", "down"], separator="|")
    assert custom("up", "|") == 0.0 and custom("up|", "d") == 0.0 and custom("up", " ") < 0


# --------------------------------------------------------------------------------------
# the loss


def test_extend_with_blanks():
    assert ctc.extend_with_blanks([3, 5]) == [0, 3, 0, 5, 0]
    assert ctc.extend_with_blanks([1, 1], blank=4) == [4, 1, 4, 1, 4]
    assert ctc.extend_with_blanks([]) == [0]


def test_required_frames_counts_blanks_between_repeats():
    assert ctc.required_frames([1, 2, 3]) == 3
    assert ctc.required_frames([1, 1, 1]) == 5
    assert ctc.required_frames([]) == 0
    assert ctc.required_frames([2, 5, 5, 3, 3]) == 7


@settings(max_examples=150, deadline=None)
@given(case=loss_cases())
def test_ctc_loss_matches_torch(case):
    lp, targets, blank = case
    ours = ctc.ctc_loss(lp, targets, blank=blank)
    assert ours == pytest.approx(_torch_loss(lp, targets, blank), rel=1e-6, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(case=loss_cases())
def test_forward_variables_end_in_minus_the_loss(case):
    lp, targets, blank = case
    alpha = ctc.forward_variables(lp, targets, blank=blank)
    assert alpha.shape == (lp.shape[0], 2 * len(targets) + 1)
    assert alpha[0, 0] == lp[0, blank]
    assert np.all(np.isneginf(alpha[0, 2:]))
    last = np.logaddexp.reduce(alpha[-1, -2:])
    assert -last == pytest.approx(ctc.ctc_loss(lp, targets, blank=blank), rel=1e-12)


@pytest.mark.parametrize("targets", [[], [1], [1, 1], [1, 2], [2, 1, 2], [1, 2, 2]])
@pytest.mark.parametrize("T", [1, 2, 3, 4, 5])
def test_loss_and_count_equal_brute_force_enumeration(targets, T):
    V = 3
    matching = [p for p in itertools.product(range(V), repeat=T) if ctc.collapse(list(p), blank=0) == targets]
    assert ctc.count_alignments(T, targets) == len(matching)
    lp = _log_softmax(np.random.default_rng(T * 10 + len(targets)), T, V)
    if not matching:
        with pytest.raises(ValueError, match="log_probs"):
            ctc.ctc_loss(lp, targets)
        return
    exact = np.logaddexp.reduce([sum(lp[t, k] for t, k in enumerate(p)) for p in matching])
    assert ctc.ctc_loss(lp, targets) == pytest.approx(-exact, rel=1e-12)


def test_count_alignments_hand_cases():
    assert ctc.count_alignments(3, [1, 2]) == 5  # -ab, a-b, ab-, aab, abb
    assert ctc.count_alignments(2, [1, 1]) == 0  # "a-a" needs 3 frames
    assert ctc.count_alignments(3, [1, 1]) == 1
    assert ctc.count_alignments(4, []) == 1
    # T frames, L distinct labels: C(T + L, 2L) paths
    for T in range(3, 12):
        assert ctc.count_alignments(T, [1, 2, 3]) == math.comb(T + 3, 6)


def test_impossible_target_is_a_clear_error():
    lp = _log_softmax(np.random.default_rng(0), 4, 5)
    with pytest.raises(ValueError) as err:
        ctc.ctc_loss(lp, [1, 2, 2, 3])
    message = str(err.value)
    assert message.startswith("log_probs:")
    assert "at least 5 frames" in message and "got 4 frames" in message
    assert np.isinf(_torch_loss(lp, [1, 2, 2, 3], 0))  # torch agrees it is impossible


def test_torch_tensors_are_accepted_as_log_probs():
    lp = torch.log_softmax(torch.randn(12, 4, generator=torch.Generator().manual_seed(0)), dim=1)
    lp.requires_grad_(True)
    as_numpy = lp.detach().numpy().astype(np.float64)
    assert ctc.greedy_decode(lp, alphabet="-abc") == ctc.greedy_decode(as_numpy, alphabet="-abc")
    assert ctc.beam_search(lp, alphabet="-abc") == ctc.beam_search(as_numpy, alphabet="-abc")
    assert ctc.ctc_loss(lp, [1, 2]) == pytest.approx(ctc.ctc_loss(as_numpy, [1, 2]), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_minus_infinity_log_probs_are_zero_probabilities_and_match_torch(seed):
    """Hand-made matrices often contain log(0) = -inf: the loss and decoders accept them."""
    rng = np.random.default_rng(seed)
    T, V = int(rng.integers(3, 10)), int(rng.integers(3, 6))
    lp = np.log(rng.dirichlet(np.ones(V), size=T))
    lp[rng.random((T, V)) < 0.25] = -np.inf
    targets = [int(t) for t in rng.integers(1, V, size=int(rng.integers(1, 3)))]
    want = torch.nn.functional.ctc_loss(
        torch.tensor(lp)[:, None, :], torch.tensor([targets]), torch.tensor([T]),
        torch.tensor([len(targets)]), reduction="sum",
    ).item()
    got = ctc.ctc_loss(lp, targets)
    assert (np.isinf(got) and np.isinf(want)) or got == pytest.approx(want, rel=1e-6)
    alphabet = "-abcde"[:V]
    assert ctc.beam_search(lp, alphabet=alphabet, beam_width=1) == ctc.greedy_decode(lp, alphabet=alphabet)
