"""asrlab.commands: command scores against brute-force path enumeration, and the decoder
on the course model's own recordings."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from asrlab import commands, ctc

ALPHABET = "_ab "


def _log_softmax(rng: np.random.Generator, T: int, V: int) -> np.ndarray:
    z = rng.standard_normal((T, V)) * 2.0
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def _brute_force(log_probs: np.ndarray, text: str) -> float:
    """log of the summed probability of every path whose collapse spells ``text``."""
    T, V = log_probs.shape
    total = -math.inf
    for path in itertools.product(range(V), repeat=T):
        if "".join(ALPHABET[k] for k in ctc.collapse(list(path), blank=0)) == text:
            total = float(np.logaddexp(total, sum(log_probs[t, k] for t, k in enumerate(path))))
    return total


@pytest.mark.parametrize("seed", range(4))
def test_scores_equal_the_sum_over_all_paths(seed: int) -> None:
    lp = _log_softmax(np.random.default_rng(seed), 5, len(ALPHABET))
    texts = ["a", "ab", "aa", "b a", "ba", "abab", "aaaaa"]
    got = commands.command_scores(lp, texts, alphabet=ALPHABET)
    want = [_brute_force(lp, t) for t in texts]
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert commands.decode_command(lp, texts, alphabet=ALPHABET) == texts[int(np.argmax(want))]


def test_a_command_too_long_for_the_frames_scores_minus_infinity() -> None:
    lp = _log_softmax(np.random.default_rng(0), 3, len(ALPHABET))
    scores = commands.command_scores(lp, ["aa", "aba", "abab", "a a"], alphabet=ALPHABET)
    assert np.isfinite(scores[:2]).all() and np.isneginf(scores[2])
    assert np.isneginf(commands.command_scores(lp, ["a a"], alphabet=ALPHABET)[0]) is np.False_  # 3 frames suffice
    assert commands.decode_command(lp, ["abab", "abba"], alphabet=ALPHABET) == "abab"  # all -inf: the first


def test_ties_go_to_the_first_command() -> None:
    lp = np.log(np.full((4, 4), 0.25))
    assert commands.decode_command(lp, ["ab", "ba", "a"], alphabet=ALPHABET) == "ab"
    assert commands.decode_command(lp, ["ba", "ab", "a"], alphabet=ALPHABET) == "ba"


@pytest.mark.parametrize(
    "bad, error, message",
    [
        ("go", TypeError, "commands: expected a list of strings, got str"),
        ([], ValueError, "commands: expected at least one command, got an empty list"),
        (["go", ""], ValueError, "commands: expected non-empty strings, got str '' at position 1"),
        (["Go left"], ValueError, "commands: 'Go left' (position 0) has 'G', which is not in the alphabet"),
    ],
)
def test_bad_commands_get_a_clear_error(bad, error, message) -> None:
    lp = np.log(np.full((6, 29), 1 / 29))
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        commands.command_scores(lp, bad)


def test_an_alphabet_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="alphabet: expected 4 symbols"):
        commands.command_scores(np.zeros((3, 4)), ["a"], alphabet="_abc ")


def test_the_course_model_hears_the_command_that_greedy_misspells() -> None:
    from asrlab import model
    from asrlab.data import synthesize

    net = model.load_pretrained()
    y = synthesize("yes stop up", voice="en-029+victor", sr=16_000)
    (lp,) = model.logits_for(net, [y])
    assert ctc.greedy_decode(lp, alphabet=model.ALPHABET) == "yes sto up"
    assert commands.decode_command(lp, commands.COMMAND_PHRASES) == "yes stop up"
    scores = commands.command_scores(lp, commands.COMMAND_PHRASES)
    assert scores.shape == (len(commands.COMMAND_PHRASES),) and (scores <= 0).all()


def test_word_bias_scores_only_finished_words() -> None:
    words = ["yes", "stop", "up"]
    bias = lambda prefix, symbol: commands.word_bias(prefix, symbol, words=words, penalty=-2.5)  # noqa: E731
    assert bias("yes sto", "p") == 0.0  # a word in progress costs nothing
    assert bias("yes sto", " ") == -2.5  # finishing "sto"
    assert bias("yes stop", " ") == 0.0
    assert bias("yes stop up", "") == 0.0  # the end of the text finishes "up"
    assert bias("yes stop u", "") == -2.5
    assert bias("", "") == 0.0 and bias("yes ", " ") == 0.0  # no word to finish


def test_word_bias_as_shallow_fusion_turns_a_non_word_into_a_word() -> None:
    # two frames: "ab" is likelier than "a", but only "a" is a word
    lp = np.log(np.array([[0.1, 0.8, 0.1], [0.2, 0.1, 0.7]]))
    lm = lambda prefix, symbol: commands.word_bias(prefix, symbol, words=["a"])  # noqa: E731
    assert ctc.beam_search(lp, alphabet="_ab", beam_width=4) == "ab"
    assert ctc.beam_search(lp, alphabet="_ab", beam_width=4, lm=lm, lm_weight=1.0) == "a"
