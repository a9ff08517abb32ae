"""Bad inputs to the text, decoding and alignment helpers: each fails early, with the
exception type and a message that names the argument, what was expected and what was
given."""

from __future__ import annotations

import re

import numpy as np
import pytest

from asrlab import ctc, dtw, metrics, plot

LP = np.log(np.full((4, 3), 1 / 3))  # 4 frames, 3 classes (blank 0)

CASES = [
    # metrics
    ("wer-none", lambda: metrics.wer(None, "a"), TypeError, "reference: expected a string or a list of strings, got NoneType None"),
    ("wer-int-item", lambda: metrics.wer(["a", 3], ["a", "b"]), TypeError, "reference: expected a list of strings, got int 3 at position 1"),
    ("wer-hyp-type", lambda: metrics.wer("a", b"a"), TypeError, "hypothesis: expected a string or a list of strings, got bytes"),
    ("wer-lengths", lambda: metrics.wer(["a", "b"], ["a"]), ValueError, "hypothesis: expected one hypothesis per reference sentence (2), got 1"),
    ("wer-empty-list", lambda: metrics.wer([], []), ValueError, "reference: expected at least one sentence, got an empty list"),
    ("cer-lengths", lambda: metrics.cer(["a"], ["a", "b"]), ValueError, "hypothesis: expected one hypothesis per reference sentence (1), got 2"),
    ("measures-number", lambda: metrics.measures(3.5, "a"), TypeError, "reference: expected a string or a list of strings, got float 3.5"),
    ("edit-distance-int", lambda: metrics.edit_distance(12, "a"), TypeError, "ref: expected a sequence (str of characters, or list of tokens), got int 12"),
    ("edit-distance-2d", lambda: metrics.edit_distance("a", np.zeros((2, 2))), ValueError, "hyp: expected a 1-D sequence, got shape (2, 2)"),
    ("align-none", lambda: metrics.align(["a"], None), TypeError, "hyp_words: expected a sequence"),
    ("normalize-list", lambda: metrics.normalize(["A"]), TypeError, "text: expected a string, got list"),
    # ctc: decoding
    ("collapse-blank-word", lambda: ctc.collapse("a-b", blank="--"), ValueError, "blank: expected a single character for a str path, got str '--'"),
    ("collapse-int", lambda: ctc.collapse(5, blank=0), TypeError, "seq: expected a str, list, tuple or 1-D array, got int 5"),
    ("greedy-1d", lambda: ctc.greedy_decode(np.zeros(5), alphabet="-ab"), ValueError, "log_probs: expected a 2-D array of shape (T frames, V classes), got shape (5,)"),
    ("greedy-nan", lambda: ctc.greedy_decode(np.full((2, 3), np.nan), alphabet="-ab"), ValueError, "log_probs: expected log-probabilities (finite or -inf), got NaN"),
    ("loss-plus-inf", lambda: ctc.ctc_loss(np.full((2, 3), np.inf), [1]), ValueError, "log_probs: expected log-probabilities (finite or -inf), got +infinity"),
    ("greedy-int", lambda: ctc.greedy_decode(np.zeros((2, 3), dtype=int), alphabet="-ab"), TypeError, "log_probs: expected floating-point log-probabilities, got dtype int64"),
    ("greedy-alphabet-size", lambda: ctc.greedy_decode(LP, alphabet="-abc"), ValueError, "alphabet: expected 3 symbols (one per class of log_probs, blank included), got 4"),
    ("greedy-alphabet-type", lambda: ctc.greedy_decode(LP, alphabet=["-", 1, "b"]), TypeError, "alphabet: expected a string or a list of strings, got int 1 at position 1"),
    ("greedy-blank-range", lambda: ctc.greedy_decode(LP, alphabet="-ab", blank=3), ValueError, "blank: expected a class id in [0, 3) (log_probs has 3 classes), got 3"),
    ("greedy-blank-negative", lambda: ctc.greedy_decode(LP, alphabet="-ab", blank=-1), ValueError, "blank: expected a non-negative integer, got -1"),
    ("beam-width-zero", lambda: ctc.beam_search(LP, alphabet="-ab", beam_width=0), ValueError, "beam_width: expected a positive integer, got 0"),
    ("beam-width-float", lambda: ctc.beam_search(LP, alphabet="-ab", beam_width=2.5), TypeError, "beam_width: expected a positive integer, got float 2.5"),
    ("beam-lm-type", lambda: ctc.beam_search(LP, alphabet="-ab", lm="words", lm_weight=1.0), TypeError, "lm: expected a callable lm(prefix, symbol) -> float, got str 'words'"),
    ("beam-lm-weight", lambda: ctc.beam_search(LP, alphabet="-ab", lm_weight=float("inf")), TypeError, "lm_weight: expected a finite real number, got float inf"),
    ("vocab-str", lambda: ctc.vocabulary_lm("yes"), TypeError, "words: expected a list of words, got str 'yes'"),
    ("vocab-empty", lambda: ctc.vocabulary_lm([]), ValueError, "words: expected at least one word, got an empty list"),
    ("vocab-space", lambda: ctc.vocabulary_lm(["turn on"]), ValueError, "words: expected words without the separator ' ', got 'turn on'"),
    ("vocab-penalty", lambda: ctc.vocabulary_lm(["a"], penalty=1.0), ValueError, "penalty: expected a negative log-probability, got float 1.0"),
    # ctc: the loss
    ("loss-too-few-frames", lambda: ctc.ctc_loss(LP[:3], [1, 1, 2]), ValueError, "log_probs: expected at least 4 frames for 3 target labels with 1 repeated neighbour(s) (each needs a blank between), got 3 frames"),
    ("loss-blank-in-target", lambda: ctc.ctc_loss(LP, [1, 0]), ValueError, "targets: expected labels without the blank id 0, got it at position 1"),
    ("loss-target-range", lambda: ctc.ctc_loss(LP, [1, 3]), ValueError, "targets: expected class ids in [0, 3), got 3 at position 1"),
    ("loss-target-float", lambda: ctc.ctc_loss(LP, [1.0]), TypeError, "targets: expected integer class ids, got float 1.0 at position 0"),
    ("loss-target-str", lambda: ctc.ctc_loss(LP, "ab"), TypeError, "targets: expected a sequence of integer class ids, got str 'ab'"),
    ("loss-target-2d", lambda: ctc.ctc_loss(LP, np.ones((1, 2), dtype=int)), ValueError, "targets: expected a 1-D sequence of class ids, got shape (1, 2)"),
    ("loss-3d", lambda: ctc.ctc_loss(LP[None], [1]), ValueError, "log_probs: expected a 2-D array of shape (T frames, V classes), got shape (1, 4, 3)"),
    ("loss-list-of-str", lambda: ctc.ctc_loss([["a"]], [1]), TypeError, "log_probs: expected a numeric array"),
    ("alpha-too-few-frames", lambda: ctc.forward_variables(LP[:2], [1, 1]), ValueError, "log_probs: expected at least 3 frames"),
    ("extend-negative", lambda: ctc.extend_with_blanks([1, -2]), ValueError, "targets: expected class ids in [0, inf), got -2 at position 1"),
    ("count-T-zero", lambda: ctc.count_alignments(0, [1]), ValueError, "T: expected a positive integer, got 0"),
    ("count-bool-label", lambda: ctc.count_alignments(3, [True]), TypeError, "targets: expected integer class ids, got bool True at position 0"),
    # dtw
    ("dtw-1d", lambda: dtw.dtw(np.zeros(5), np.zeros((1, 5))), ValueError, "X: expected features by frames, a 2-D array of shape (d, n), got shape (5,)"),
    ("dtw-dims", lambda: dtw.dtw(np.zeros((13, 5)), np.zeros((12, 5))), ValueError, "Y: expected 13 features per frame like X, got shape (12, 5)"),
    ("dtw-metric", lambda: dtw.dtw(np.zeros((1, 2)), np.zeros((1, 2)), metric="l2"), ValueError, "metric: expected one of 'euclidean', 'sqeuclidean', 'cosine', 'cityblock', got 'l2'"),
    ("dtw-inf", lambda: dtw.dtw(np.full((1, 2), np.inf), np.zeros((1, 2))), ValueError, "X: expected finite values, got infinity"),
    ("dtw-empty", lambda: dtw.dtw(np.zeros((1, 0)), np.zeros((1, 2))), ValueError, "X: expected a non-empty array, got shape (1, 0)"),
    ("dtw-complex", lambda: dtw.dtw(np.zeros((1, 2), dtype=complex), np.zeros((1, 2))), TypeError, "X: expected real-valued features, got dtype complex128"),
    ("dtw-cosine-zero", lambda: dtw.dtw(np.zeros((2, 2)), np.ones((2, 2)), metric="cosine"), ValueError, "X: expected frames with a non-zero norm for metric 'cosine', got an all-zero frame at index 0"),
    ("cost-2d", lambda: dtw.accumulated_cost(np.zeros(3)), ValueError, "C: expected a 2-D array, got shape (3,)"),
    # plot
    ("waveform-sr", lambda: plot.waveform(np.zeros(10), sr=0), ValueError, "sr: expected a positive sample rate in Hz, got 0"),
    ("waveform-stereo", lambda: plot.waveform(np.zeros((2, 10)), sr=16000), ValueError, "y: expected mono audio of shape (n,), got shape (2, 10)"),
    ("spectrogram-axis", lambda: plot.spectrogram(np.zeros((5, 5)), sr=16000, hop_length=160, y_axis="bark"), ValueError, "y_axis: expected one of 'hz', 'mel', 'log', 'linear', got 'bark'"),
    ("spectrogram-hop", lambda: plot.spectrogram(np.zeros((5, 5)), sr=16000, hop_length=0), ValueError, "hop_length: expected a positive integer, got 0"),
    ("filterbank-shape", lambda: plot.filterbank(np.zeros((10, 100)), sr=16000, n_fft=512), ValueError, "fb: expected 257 columns (1 + n_fft // 2 for n_fft=512), got shape (10, 100)"),
    ("alignment-1d", lambda: plot.alignment(np.zeros(4)), ValueError, "alpha_or_path: expected a (T, 2L + 1) float matrix of forward variables or a (k, 2) integer warping path"),
    ("alignment-path-shape", lambda: plot.alignment(np.zeros((4, 3), dtype=int)), ValueError, "alpha_or_path: expected a warping path of shape (k, 2), got shape (4, 3)"),
    ("alignment-labels", lambda: plot.alignment(np.zeros((4, 3)), labels=["-", "a"]), ValueError, "labels: expected 3 names (one per state), got 2"),
    ("curves-empty", lambda: plot.curves({}), ValueError, "history: expected a non-empty dict of name -> list of values, got dict {}"),
    ("curves-text", lambda: plot.curves({"loss": ["low", "high"]}), TypeError, "history['loss']: expected a list of numbers, got list ['low', 'high']"),
]


@pytest.mark.parametrize("call, error, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_the_exact_error(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert info.type is error
    assert str(info.value).startswith(message), str(info.value)


def test_too_few_frames_is_checked_before_any_work_for_every_ctc_function():
    for call in (
        lambda: ctc.ctc_loss(LP[:2], [2, 2]),
        lambda: ctc.forward_variables(LP[:2], [2, 2]),
    ):
        with pytest.raises(ValueError) as info:
            call()
        assert str(info.value) == (
            "log_probs: expected at least 3 frames for 2 target labels with 1 repeated "
            "neighbour(s) (each needs a blank between), got 2 frames"
        )
    assert ctc.count_alignments(2, [2, 2]) == 0  # a count, not an error: no such path


def test_every_message_starts_with_the_argument_name():
    pattern = re.compile(r"^[A-Za-z_][\w\[\]', ]*: expected ")
    for name, _, _, message in CASES:
        assert pattern.match(message), name
