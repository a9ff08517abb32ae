"""Exercises of lesson 10, training a tiny CTC speech recogniser.

Grading moves plain data only, so every exercise is a function of arrays, numbers and
strings: padding a batch (NumPy), the output lengths after subsampling, the CTC loss of a
batch of log-probabilities (``torch.nn.functional.ctc_loss``), and greedy decoding plus
corpus CER/WER (``asrlab.ctc`` and ``asrlab.metrics``, equal to jiwer).  The public inputs
are the notebook's own, written out here with the same code as in the notebook.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from autograder.exercise import Case, Exercise, Mistake

LESSON = "10-train-a-tiny-ctc-recogniser"

#: The model's classes (as ``asrlab.model.ALPHABET``): blank ``_`` = 0, space, a-z, '.
ALPHABET = "_ abcdefghijklmnopqrstuvwxyz'"


# ---------------------------------------------------------------------------
# l10-pad-batch: zero-padded batch and lengths
# ---------------------------------------------------------------------------


def _pad_ref(signals: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    from asrlab.model import pad_batch

    batch, lengths = pad_batch([np.asarray(s, dtype=np.float32) for s in signals])
    return batch.numpy(), lengths.numpy()


def _pad_front(signals: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.array([len(s) for s in signals], dtype=np.int64)
    batch = np.zeros((len(signals), int(lengths.max())), dtype=np.float32)
    for i, s in enumerate(signals):
        batch[i, batch.shape[1] - len(s):] = s
    return batch, lengths


def _pad_lengths_padded(signals: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    batch, lengths = _pad_ref(signals)
    return batch, np.full_like(lengths, batch.shape[1])


def _pad_lengths_last_index(signals: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    batch, lengths = _pad_ref(signals)
    return batch, lengths - 1


def pad_public_signals() -> list[np.ndarray]:
    """The notebook's three little signals (5, 2 and 4 samples)."""
    return [
        np.array([0.1, 0.2, 0.3, 0.4, 0.5], dtype=np.float32),
        np.array([-1.0, 1.0], dtype=np.float32),
        np.array([0.5, 0.5, -0.5, -0.5], dtype=np.float32),
    ]


def _pad_hidden(rng: np.random.Generator) -> list[Case]:
    def sig(n: int) -> np.ndarray:
        return rng.normal(scale=0.3, size=n).astype(np.float32)

    return [
        Case(args=([sig(7)],), label="a batch of one signal"),
        Case(args=([sig(1), sig(3)],), label="a 1-sample signal and a 3-sample one"),
        Case(args=([sig(3), sig(1)],), label="a 3-sample signal, then a 1-sample one"),
        Case(args=([sig(int(n)) for n in rng.integers(1, 400, size=6)],), label="6 signals of 1 to 400 samples"),
        Case(args=([sig(5), sig(5), sig(5)],), label="three signals of the same length"),
        Case(args=([sig(1600), sig(16000), sig(8001)],), label="0.1 s, 1 s and 0.5 s at 16 kHz"),
    ]


_PAD_FILLS = ("max(len(s) for s in signals)", ":len(s)", "len(s)")


# ---------------------------------------------------------------------------
# l10-output-lengths: STFT frames and two stride-2 convolutions
# ---------------------------------------------------------------------------

#: The notebook's utterance lengths in samples (1 s, 1.5 s, 0.49994 s, 0.78 s, 25 ms).
OUT_LEN_SAMPLES = np.array([16000, 24000, 7999, 12480, 400], dtype=np.int64)
OUT_LEN_HOP = 160


def _out_len(n_samples: Any, hop: int, *, plus_one: bool = True, conv: str = "ok", convs: int = 2) -> tuple[np.ndarray, np.ndarray]:
    n = np.asarray(n_samples, dtype=np.int64)
    frames = n // hop + (1 if plus_one else 0)
    out = frames
    for _ in range(convs):
        out = (out - 1) // 2 + 1 if conv == "ok" else out // 2
    return frames, out


def _out_len_ref(n_samples: Any, hop: int) -> tuple[np.ndarray, np.ndarray]:
    from asrlab.model import frame_lengths, output_lengths

    n = np.asarray(n_samples, dtype=np.int64)
    frames = frame_lengths(n, hop_length=hop)
    return frames, output_lengths(frames)


def _out_len_hidden(rng: np.random.Generator) -> list[Case]:
    return [
        Case({"n_samples": np.array([1, 159, 160, 161], dtype=np.int64), "hop": 160},
             label="1, 159, 160 and 161 samples (shorter than one hop, exactly one hop)"),
        Case({"n_samples": rng.integers(1, 80_000, size=12).astype(np.int64), "hop": 160},
             label="12 random lengths up to 5 s at a 10 ms hop"),
        Case({"n_samples": np.array([8000, 7999, 4000], dtype=np.int64), "hop": 80},
             label="8 kHz audio, 10 ms hop = 80 samples"),
        Case({"n_samples": rng.integers(1, 50_000, size=5).astype(np.int64), "hop": 256},
             label="5 random lengths, hop 256"),
        Case({"n_samples": np.array([16000], dtype=np.int64), "hop": 160}, label="a single 1 s utterance"),
    ]


_OUT_FILLS = ("1 + n_samples // hop", "(frames - 1) // 2 + 1", "(after_conv1 - 1) // 2 + 1")


# ---------------------------------------------------------------------------
# l10-train-step: the CTC loss of a batch
# ---------------------------------------------------------------------------


def _ctc_with(
    log_probs: Any, out_lengths: Any, texts: Sequence[str], *, lengths: str = "out",
    blank: str = "first", reduction: str = "mean", zero_infinity: bool = True,
) -> float:
    import torch
    from torch.nn import functional as F

    from asrlab.model import encode_text

    lp = torch.as_tensor(np.asarray(log_probs)).transpose(0, 1)
    ids = [encode_text(t) for t in texts]
    targets = torch.tensor([i for seq in ids for i in seq], dtype=torch.long)
    target_lengths = torch.tensor([len(seq) for seq in ids], dtype=torch.long)
    if lengths == "out":
        input_lengths = torch.as_tensor(np.asarray(out_lengths), dtype=torch.long)
    else:
        input_lengths = torch.full((lp.shape[1],), lp.shape[0], dtype=torch.long)
    blank_id = 0 if blank == "first" else lp.shape[2] - 1
    loss = F.ctc_loss(lp, targets, input_lengths, target_lengths, blank=blank_id,
                      reduction=reduction, zero_infinity=zero_infinity)
    return float(loss)


def _ctc_ref(log_probs: Any, out_lengths: Any, texts: Sequence[str]) -> float:
    return _ctc_with(log_probs, out_lengths, texts)


def random_log_probs(rng: np.random.Generator, batch: int, frames: int, classes: int = len(ALPHABET)) -> np.ndarray:
    """Log-softmax of random scores, float32, shape ``(batch, frames, classes)``."""
    scores = rng.normal(scale=2.0, size=(batch, frames, classes))
    scores -= scores.max(axis=-1, keepdims=True)
    lp = scores - np.log(np.exp(scores).sum(axis=-1, keepdims=True))
    return lp.astype(np.float32)


def train_step_public() -> dict[str, Any]:
    """The notebook's batch: 3 utterances padded to 12 frames; "off" gets only 2 frames."""
    rng = np.random.default_rng(10)
    return {
        "log_probs": random_log_probs(rng, 3, 12),
        "out_lengths": np.array([12, 9, 2], dtype=np.int64),
        "texts": ["go up", "yes", "off"],
    }


def _train_step_hidden(rng: np.random.Generator) -> list[Case]:
    from asrlab.data import random_transcript

    cases = []
    texts = [random_transcript(rng) for _ in range(5)]
    t_max = max(2 * len(t) + 2 for t in texts)
    lengths = np.array([min(t_max, 2 * len(t) + int(rng.integers(0, 6))) for t in texts], dtype=np.int64)
    lengths[int(np.argmax(lengths))] = t_max
    cases.append(Case(args=(random_log_probs(rng, 5, t_max), lengths, texts), label="5 random commands, enough frames"))
    cases.append(Case(args=(random_log_probs(rng, 1, 30), np.array([30], dtype=np.int64), ["stop"]),
                      label="a batch of one utterance"))
    cases.append(Case(args=(random_log_probs(rng, 4, 25), np.array([25, 7, 20, 3], dtype=np.int64),
                            ["nine", "three", "left", "seven"]),
                      label="two utterances with too few frames (zero_infinity)"))
    cases.append(Case(args=(random_log_probs(rng, 2, 8), np.array([1, 8], dtype=np.int64), ["a", "no"]),
                      label="a single frame for a single letter"))
    cases.append(Case(args=(random_log_probs(rng, 3, 40), np.array([40, 40, 40], dtype=np.int64),
                            ["call one two three", "off", "turn the music on"]),
                      label="no padding at all"))
    return cases


_STEP_FILLS = ("torch.as_tensor(log_probs).transpose(0, 1)", "out_lengths", "0", '"mean"', "True")


def _step_fills(**changes: str) -> tuple[str, ...]:
    out = list(_STEP_FILLS)
    for index, text in changes.items():
        out[int(index[1:])] = text
    return tuple(out)


# ---------------------------------------------------------------------------
# l10-decode-and-score: greedy decoding and corpus CER/WER
# ---------------------------------------------------------------------------


def path_log_probs(path: str, *, seed: int, confidence: float = 0.8) -> np.ndarray:
    """Log-probabilities ``(len(path), 29)`` whose best class in frame ``t`` is ``path[t]``.

    ``_`` is the blank.  Each frame gives ``confidence`` to its symbol and spreads the rest
    randomly over the other classes (seeded), like a confident model's output.
    """
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(len(ALPHABET)), size=len(path)) * (1 - confidence)
    for t, ch in enumerate(path):
        k = ALPHABET.index(ch)
        probs[t, k] = 0.0
        probs[t] *= (1 - confidence) / probs[t].sum()
        probs[t, k] = confidence
    return np.log(probs).astype(np.float32)


#: The notebook's four "model outputs", as frame paths, with their references.
DECODE_PATHS = [
    ("__th_rr_e_ee__ __ff_o_r___", "three four"),
    ("_g_oo _lleff_t__", "go left"),
    ("__cc_a_l_l_ _o_nne_ _t_w_oo__", "call one two"),
    ("_tu_r_nn_o_ff_f__", "turn off"),
]


def decode_public() -> tuple[list[np.ndarray], list[str]]:
    lps = [path_log_probs(p, seed=i) for i, (p, _) in enumerate(DECODE_PATHS)]
    return lps, [r for _, r in DECODE_PATHS]


def _greedy(lp: np.ndarray, *, order: str = "collapse-first", squeeze: bool = True) -> str:
    ids = np.argmax(np.asarray(lp), axis=1).tolist()
    if order == "collapse-first":
        kept = [k for j, k in enumerate(ids) if (j == 0 or k != ids[j - 1]) and k != 0]
    elif order == "blanks-first":
        no_blank = [k for k in ids if k != 0]
        kept = [k for j, k in enumerate(no_blank) if j == 0 or k != no_blank[j - 1]]
    else:  # no collapse
        kept = [k for k in ids if k != 0]
    text = "".join(ALPHABET[k] for k in kept)
    return " ".join(text.split()) if squeeze else text


def _score(refs: list[str], hyps: list[str], *, per_utterance: bool = False, cer_spaces: bool = True) -> dict[str, float]:
    from asrlab import metrics

    if not cer_spaces:
        refs_c, hyps_c = [r.replace(" ", "") for r in refs], [h.replace(" ", "") for h in hyps]
    else:
        refs_c, hyps_c = refs, hyps
    if per_utterance:
        return {
            "cer": float(np.mean([metrics.cer(r, h) for r, h in zip(refs_c, hyps_c)])),
            "wer": float(np.mean([metrics.wer(r, h) for r, h in zip(refs, hyps)])),
        }
    return {"cer": float(metrics.cer(refs_c, hyps_c)), "wer": float(metrics.wer(refs, hyps))}


def _decode_ref(log_probs_list: Sequence[Any], references: Sequence[str]) -> dict[str, float]:
    from asrlab import ctc, metrics

    hyps = [" ".join(ctc.greedy_decode(np.asarray(lp), alphabet=ALPHABET, blank=0).split()) for lp in log_probs_list]
    refs = list(references)
    return {"cer": float(metrics.cer(refs, hyps)), "wer": float(metrics.wer(refs, hyps))}


def _decode_with(log_probs_list: Sequence[Any], references: Sequence[str], *, order: str = "collapse-first",
                 per_utterance: bool = False, cer_spaces: bool = True) -> dict[str, float]:
    hyps = [_greedy(lp, order=order) for lp in log_probs_list]
    return _score(list(references), hyps, per_utterance=per_utterance, cer_spaces=cer_spaces)


def _noisy_path(text: str, rng: np.random.Generator, *, error_rate: float) -> str:
    """A plausible frame path for ``text``: blanks and repeats around each character, and
    a few characters swapped or dropped (the "model" errs)."""
    out = "_" * int(rng.integers(0, 4))
    previous = ""
    for ch in text:
        roll = rng.random()
        if roll < error_rate / 2:
            continue  # a deletion
        if roll < error_rate:
            ch = ALPHABET[int(rng.integers(1, len(ALPHABET)))]  # a substitution
        gap = int(rng.integers(1 if ch == previous else 0, 3))  # equal neighbours need a blank
        out += "_" * gap + ch * int(rng.integers(1, 4))
        previous = ch
    return out + "_" * int(rng.integers(0, 4))


def _decode_hidden(rng: np.random.Generator) -> list[Case]:
    from asrlab.data import random_transcript

    cases = []
    refs = [random_transcript(rng) for _ in range(8)]
    lps = [path_log_probs(_noisy_path(r, rng, error_rate=0.15), seed=int(rng.integers(2**31))) for r in refs]
    cases.append(Case(args=(lps, refs), label="8 random commands, a few errors"))
    cases.append(Case(args=([path_log_probs("__s_tt_o_pp__", seed=1)], ["stop"]), label="one utterance, decoded right"))
    cases.append(Case(args=([path_log_probs("__________", seed=2), path_log_probs("_y_e_s_", seed=3)], ["no", "yes"]),
                      label="an all-blank output (empty hypothesis) and a right one"))
    cases.append(Case(args=([path_log_probs("_o_f_f_", seed=4), path_log_probs("_oo_ff__", seed=5),
                             path_log_probs("_h_a_l_l_", seed=6)], ["off", "off", "hall"]),
                      label="double letters, with and without a blank between"))
    cases.append(Case(args=([path_log_probs("_s_ _ix_", seed=7), path_log_probs("fivvvve  _ _sseven", seed=8)],
                            ["six", "five seven"]),
                      label="extra spaces and long repeats"))
    refs = [random_transcript(rng) for _ in range(4)]
    lps = [path_log_probs(_noisy_path(r, rng, error_rate=0.5), seed=int(rng.integers(2**31))) for r in refs]
    cases.append(Case(args=(lps, refs), label="4 commands, many errors"))
    return cases


_DECODE_SOLUTION_HEAD = "def decode_and_score(log_probs_list, references):\n"

_CODE_BLANKS_FIRST = _DECODE_SOLUTION_HEAD + '''\
    hyps = []
    for lp in log_probs_list:
        best = np.argmax(lp, axis=1)
        ids = [k for k in best if k != asrlab.model.BLANK]              # drop blanks ...
        ids = [k for j, k in enumerate(ids) if j == 0 or k != ids[j - 1]]  # ... then merge repeats
        hyps.append(" ".join(asrlab.model.decode_ids(ids).split()))
    return {"cer": asrlab.metrics.cer(list(references), hyps), "wer": asrlab.metrics.wer(list(references), hyps)}
'''

_CODE_NO_COLLAPSE = _DECODE_SOLUTION_HEAD + '''\
    hyps = []
    for lp in log_probs_list:
        ids = [k for k in np.argmax(lp, axis=1) if k != asrlab.model.BLANK]
        hyps.append(" ".join(asrlab.model.decode_ids(ids).split()))
    return {"cer": asrlab.metrics.cer(list(references), hyps), "wer": asrlab.metrics.wer(list(references), hyps)}
'''

_CODE_MEAN = _DECODE_SOLUTION_HEAD + '''\
    cers, wers = [], []
    for lp, ref in zip(log_probs_list, references):
        hyp = asrlab.ctc.greedy_decode(lp, alphabet=asrlab.model.ALPHABET, blank=asrlab.model.BLANK)
        hyp = " ".join(hyp.split())
        cers.append(asrlab.metrics.cer(ref, hyp))
        wers.append(asrlab.metrics.wer(ref, hyp))
    return {"cer": float(np.mean(cers)), "wer": float(np.mean(wers))}
'''

_CODE_NO_SPACES = _DECODE_SOLUTION_HEAD + '''\
    hyps = [" ".join(asrlab.ctc.greedy_decode(lp, alphabet=asrlab.model.ALPHABET, blank=0).split())
            for lp in log_probs_list]
    refs = list(references)
    cer = asrlab.metrics.cer([r.replace(" ", "") for r in refs], [h.replace(" ", "") for h in hyps])
    return {"cer": cer, "wer": asrlab.metrics.wer(refs, hyps)}
'''


EXERCISES = [
    Exercise(
        id="l10-pad-batch",
        lesson=LESSON,
        title="pad a batch",
        points=2,
        kind="function",
        target="pad_batch",
        reference=_pad_ref,
        public=[Case(args=(pad_public_signals(),), label="the 5-, 2- and 4-sample signals above")],
        hidden=_pad_hidden,
        hint="The batch is (number of signals, longest length), zeros everywhere a signal has "
        "no samples; each signal starts at column 0. `lengths` holds each signal's own length.",
        mistakes=[
            Mistake(
                "pad-front",
                "Your signals end at the last column, with the zeros in front: pad at the END, so "
                "that sample 0 of every signal is in column 0 and the first frames line up.",
                fn=_pad_front,
                fills=("max(len(s) for s in signals)", "len(batch[i]) - len(s):", "len(s)"),
            ),
            Mistake(
                "lengths-padded",
                "Every entry of `lengths` is the padded length: the model needs each signal's "
                "OWN length, to know where its padding starts.",
                fn=_pad_lengths_padded,
                fills=("max(len(s) for s in signals)", ":len(s)", "n_max"),
            ),
            Mistake(
                "lengths-last-index",
                "`lengths` is one short: that is the index of each signal's last sample, not "
                "its number of samples.",
                fn=_pad_lengths_last_index,
                fills=("max(len(s) for s in signals)", ":len(s)", "len(s) - 1"),
            ),
        ],
    ),
    Exercise(
        id="l10-output-lengths",
        lesson=LESSON,
        title="output lengths after subsampling",
        points=2,
        kind="cell",
        target=("frames", "out_lengths"),
        reference=_out_len_ref,
        public=[Case({"n_samples": OUT_LEN_SAMPLES, "hop": OUT_LEN_HOP}, label="the 5 lengths above, hop 160")],
        hidden=_out_len_hidden,
        hint="A centred STFT has one frame per hop plus one; each convolution with kernel 3, "
        "stride 2 and padding 1 maps L frames to floor((L + 2 - 3) / 2) + 1.",
        mistakes=[
            Mistake(
                "no-plus-one",
                "`frames` is one short: a centred STFT puts a frame at sample 0 AND one every hop "
                "after it, so 16000 samples at hop 160 give 101 frames, not 100.",
                fn=lambda n_samples, hop: _out_len(n_samples, hop, plus_one=False),
                fills=("n_samples // hop", _OUT_FILLS[1], "(after_conv1 - 1) // 2 + 1"),
            ),
            Mistake(
                "floor-half",
                "Halving with // (twice, or L // 4 at once) drops a frame whenever L is odd. A "
                "convolution's output is floor((L + 2p - k) / s) + 1; with p = 1, k = 3, s = 2 the "
                "padded edge frame gets an output too.",
                fn=lambda n_samples, hop: _out_len(n_samples, hop, conv="half"),
                fills=(_OUT_FILLS[0], "frames // 2", "after_conv1 // 2"),
            ),
            Mistake(
                "one-conv",
                "`out_lengths` is about twice too long: the model has TWO stride-2 convolutions; "
                "apply the formula a second time, to the first convolution's output.",
                fn=lambda n_samples, hop: _out_len(n_samples, hop, convs=1),
                fills=(_OUT_FILLS[0], _OUT_FILLS[1], "after_conv1"),
            ),
        ],
    ),
    Exercise(
        id="l10-train-step",
        lesson=LESSON,
        title="the CTC loss of a batch",
        points=3,
        kind="function",
        target="ctc_batch_loss",
        reference=_ctc_ref,
        public=[Case(kwargs=train_step_public(), label='"go up", "yes" and "off" (2 frames: too few)')],
        hidden=_train_step_hidden,
        hint="torch's ctc_loss wants log-probabilities as (T, B, C), the valid frames of each "
        "utterance (after subsampling), the concatenated class ids with their lengths, the "
        "blank's class id, reduction=\"mean\" and zero_infinity=True.",
        rtol=1e-4,
        atol=1e-6,
        mistakes=[
            Mistake(
                "padded-input-lengths",
                "Your loss uses every frame of the padded batch: pass each utterance's own "
                "number of output frames, or CTC also explains the padding.",
                fn=lambda log_probs, out_lengths, texts: _ctc_with(log_probs, out_lengths, texts, lengths="padded"),
                fills=_step_fills(b1="[log_probs.shape[1]] * len(texts)"),
            ),
            Mistake(
                "blank-last",
                "The blank is class 0 in this course's alphabet (ALPHABET[0] == '_'); the last "
                "class is the apostrophe. Some toolkits put the blank last, this one does not.",
                fn=lambda log_probs, out_lengths, texts: _ctc_with(log_probs, out_lengths, texts, blank="last"),
                fills=_step_fills(b2="log_probs.shape[2] - 1"),
            ),
            Mistake(
                "reduction-sum",
                "Your loss is the SUM over the batch: it grows with the batch size and the "
                "transcript lengths, so the learning rate would have to change with them. Use the "
                "mean, which divides each loss by its target length first.",
                fn=lambda log_probs, out_lengths, texts: _ctc_with(log_probs, out_lengths, texts, reduction="sum"),
                fills=_step_fills(b3='"sum"'),
            ),
            Mistake(
                "no-zero-infinity",
                "Your loss is infinite: an utterance with fewer frames than its transcript needs "
                "has probability 0. zero_infinity=True sets such losses (and their gradients) to 0 "
                "instead of poisoning the whole batch.",
                fn=lambda log_probs, out_lengths, texts: _ctc_with(log_probs, out_lengths, texts, zero_infinity=False),
                fills=_step_fills(b4="False"),
            ),
        ],
    ),
    Exercise(
        id="l10-decode-and-score",
        lesson=LESSON,
        title="decode and score (mini-challenge)",
        points=3,
        kind="function",
        target="decode_and_score",
        reference=_decode_ref,
        public=[Case(args=decode_public(), label="the four outputs above")],
        hidden=_decode_hidden,
        hint="Greedy CTC decoding: the best class per frame, merge repeats, THEN drop blanks, map "
        "ids to characters, squeeze spaces; score the whole corpus at once (total edits / total "
        "reference characters or words), with spaces counted as characters.",
        rtol=1e-9,
        atol=1e-12,
        mistakes=[
            Mistake(
                "blanks-first",
                "Double letters vanish (\"three\" -> \"thre\"): you dropped the blanks BEFORE merging "
                "repeats, so the blank that separates two equal letters is gone when you merge.",
                fn=lambda lps, refs: _decode_with(lps, refs, order="blanks-first"),
                code=_CODE_BLANKS_FIRST,
            ),
            Mistake(
                "no-collapse",
                "Your hypotheses stutter (\"thrreee\"): a letter held over several frames must be "
                "merged into one before the blanks are dropped.",
                fn=lambda lps, refs: _decode_with(lps, refs, order="none"),
                code=_CODE_NO_COLLAPSE,
            ),
            Mistake(
                "mean-per-utterance",
                "You averaged per-utterance rates: then a 1-word utterance weighs as much as a "
                "6-word one. Corpus rates add up all edits and divide by all reference "
                "characters or words (pass the lists to cer/wer).",
                fn=lambda lps, refs: _decode_with(lps, refs, per_utterance=True),
                code=_CODE_MEAN,
            ),
            Mistake(
                "cer-without-spaces",
                "Your CER ignores spaces: jiwer's CER (and ours) counts every character of the "
                "sentence, spaces included, so a missing word break is an error.",
                fn=lambda lps, refs: _decode_with(lps, refs, cer_spaces=False),
                code=_CODE_NO_SPACES,
            ),
        ],
    ),
]
