"""Exercises of lesson 10, training a tiny CTC speech recogniser.

Grading moves plain data only, so every exercise is a function of arrays, numbers and
strings, or a cell that computes them: padding a batch (NumPy), the output lengths after
subsampling, the CTC loss of a batch of log-probabilities (``torch.nn.functional.ctc_loss``),
the full training step (run by :func:`asrlab.step.overfit` on a small batch: the losses of
four steps must equal those of :func:`asrlab.step.train_step`), a prediction of what a
setting does to the training curve, and greedy decoding plus corpus CER/WER
(``asrlab.ctc`` and ``asrlab.metrics``, equal to jiwer).  The public inputs are the
notebook's own, written out here with the same code as in the notebook.

Failure messages name the learner's variable and its first wrong element
(``lengths[1] is 1, expected 2``; on hidden cases without the expected value), and the
types the tasks name (float32, integer arrays, a Python float) are checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from autograder.compare import Verdict, compare
from autograder.exercise import Case, Exercise, Mistake

LESSON = "10-train-a-tiny-ctc-recogniser"

#: The model's classes (as ``asrlab.model.ALPHABET``): blank ``_`` = 0, space, a-z, '.
ALPHABET = "_ abcdefghijklmnopqrstuvwxyz'"


# ---------------------------------------------------------------------------
# failure messages in the learner's names, and the types the tasks name
# ---------------------------------------------------------------------------


def _show_number(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.6g}"


def _first_wrong(label: str, expected: Any, got: Any, *, public: bool, rtol: float, atol: float) -> str | None:
    """``"`lengths[1]` is 1, expected 2"`` for the first element of ``got`` that differs,
    or ``None`` when the difference is not one of values (shapes, kinds: the generic
    message says it better).  Hidden cases never show the expected value."""
    if isinstance(expected, dict) and isinstance(got, dict) and set(expected) == set(got):
        for key in expected:
            found = _first_wrong(f'{label}["{key}"]', expected[key], got[key], public=public, rtol=rtol, atol=atol)
            if found:
                return found
        return None
    if isinstance(expected, (list, tuple)) and not isinstance(expected, str) and isinstance(got, (list, tuple)):
        if len(expected) != len(got) or any(isinstance(e, (str, dict, list, tuple)) for e in expected):
            return None
    if isinstance(expected, str) or isinstance(got, str):
        return None
    try:
        e, g = np.asarray(expected, dtype=float), np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None
    if e.shape != g.shape:
        return None
    close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    index = np.unravel_index(int(np.argmax(~close)), close.shape)
    where = label if e.ndim == 0 else f"{label}[{', '.join(str(int(i)) for i in index)}]"
    mine = _show_number(np.asarray(got)[index])
    return f"`{where}` is {mine}, expected {_show_number(np.asarray(expected)[index])}" if public else f"`{where}` is {mine}, which is wrong"


@dataclass(frozen=True)
class NamedExercise(Exercise):
    """An exercise whose failure messages use the learner's names.

    ``names`` labels the answer (one name) or each item of a tuple answer, in the
    learner's terms (``"batch"``, ``"lengths"``, ``"ctc_batch_loss(...)"``).
    ``types`` gives, per name, what the task asks for: ``"float32"``, ``"integer"``
    (an integer array), ``"float"`` (a Python float) or ``None`` (anything numeric).
    """

    names: tuple[str, ...] = ()
    types: tuple[str | None, ...] = ()

    def _parts(self, value: Any) -> list[Any]:
        if len(self.names) == 1:
            return [value]
        return list(value) if isinstance(value, (list, tuple)) and len(value) == len(self.names) else []

    def _type_problem(self, got: Any) -> str | None:
        for name, want, part in zip(self.names, self.types, self._parts(got)):
            if want is None:
                continue
            if want == "float":
                if type(part) is not float:
                    kind = "a NumPy number" if isinstance(part, (np.ndarray, np.generic)) else type(part).__name__
                    return f"`{name}` is {kind}, expected a Python float (float(...) or .item() gives one)"
                continue
            if not isinstance(part, np.ndarray):
                return f"`{name}` is a {type(part).__name__}, expected a NumPy array of dtype {want}"
            if want == "float32" and part.dtype != np.float32:
                return f"`{name}` has dtype {part.dtype}, expected float32"
            if want == "integer" and part.dtype.kind not in "iu":
                return f"`{name}` has dtype {part.dtype}, expected integers (int64)"
        return None

    def judge(self, case: Case, got_plain: Any, *args: Any, **kwargs: Any) -> tuple[Verdict, str]:
        verdict, hint = super().judge(case, got_plain, *args, **kwargs)
        if verdict:
            problem = self._type_problem(got_plain)
            return (Verdict(False, problem), self.hint) if problem else (verdict, hint)
        public = any(case is c for c in self.public)
        expected = self.expected(case)
        parts_e, parts_g = self._parts(expected), self._parts(got_plain)
        for name, e, g in zip(self.names, parts_e, parts_g):
            if compare(e, g, rtol=self.rtol, atol=self.atol):
                continue
            found = _first_wrong(name, e, g, public=public, rtol=self.rtol, atol=self.atol)
            if found:
                return Verdict(False, found), hint
            reason = compare(e, g, rtol=self.rtol, atol=self.atol).reason
            return Verdict(False, f"`{name}`: {reason}"), hint
        return verdict, hint


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
    """The notebook's three little signals (4, 5 and 2 samples: the longest is not first)."""
    return [
        np.array([0.5, 0.5, -0.5, -0.5], dtype=np.float32),
        np.array([0.1, 0.2, 0.3, 0.4, 0.5], dtype=np.float32),
        np.array([-1.0, 1.0], dtype=np.float32),
    ]


def _pad_hidden(rng: np.random.Generator) -> list[Case]:
    def sig(n: int) -> np.ndarray:
        return rng.normal(scale=0.3, size=n).astype(np.float32)

    sizes = [int(n) for n in rng.integers(1, 400, size=6)]
    sizes.append(max(sizes) + 1)  # the longest comes last
    return [
        Case(args=([sig(7)],), label="a batch of one signal"),
        Case(args=([sig(1), sig(3)],), label="a 1-sample signal, then a 3-sample one (the longest last)"),
        Case(args=([sig(3), sig(1)],), label="a 3-sample signal, then a 1-sample one"),
        Case(args=([sig(2), sig(6), sig(5)],), label="2, 6 and 5 samples (the longest in the middle)"),
        Case(args=([sig(n) for n in sizes],), label="7 signals of 1 to 400 samples, the longest last"),
        Case(args=([sig(5), sig(5), sig(5)],), label="three signals of the same length"),
        Case(args=([np.concatenate([sig(3), np.zeros(3, np.float32)]), np.zeros(4, np.float32), sig(2)],),
             label="digital silence: a signal ending in 3 exact zeros, and one all zeros"),
        Case(args=([sig(1600), sig(8001), sig(16000)],), label="0.1 s, 0.5 s and 1 s at 16 kHz"),
    ]


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
# l10-ctc-loss: the CTC loss of a batch
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


def ctc_public() -> dict[str, Any]:
    """The notebook's batch: 3 utterances padded to 12 frames; "off" gets only 2 frames."""
    rng = np.random.default_rng(10)
    return {
        "log_probs": random_log_probs(rng, 3, 12),
        "out_lengths": np.array([12, 9, 2], dtype=np.int64),
        "texts": ["go up", "yes", "off"],
    }


def _ctc_hidden(rng: np.random.Generator) -> list[Case]:
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


_CTC_FILLS = ("torch.as_tensor(log_probs).transpose(0, 1)", "out_lengths", "0", '"mean"', "True")


def _ctc_fills(**changes: str) -> tuple[str, ...]:
    out = list(_CTC_FILLS)
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
    out += "_" * int(rng.integers(0, 4))
    return out or "_"  # a model outputs at least one frame, even when it hears nothing


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


# ---------------------------------------------------------------------------
# l10-train-step: the full training step, run on a small batch by asrlab.step.overfit
# ---------------------------------------------------------------------------

#: The notebook's small batch: (transcript, voice, rate in words per minute).  The longest
#: recording is not first, and "call seven seven three" at 450 words per minute has 15
#: output frames where its transcript needs 24: CTC cannot explain it.
STEP_PUBLIC = [("no", "en-gb+f3", 160), ("turn the light on", "en-us+m3", 180), ("call seven seven three", "en-029", 450)]
STEP_COUNT = 4


def step_batch(spec: Sequence[tuple[str, str, int]]) -> dict[str, Any]:
    """``{"step_waves": [...], "step_texts": [...]}``: the recordings of ``spec``, spoken
    by :func:`asrlab.data.synthesize` at 16 kHz."""
    from asrlab.data import synthesize

    return {
        "step_waves": [synthesize(text, voice=voice, rate=rate, sr=16_000) for text, voice, rate in spec],
        "step_texts": [text for text, _, _ in spec],
    }


def _step_ref(step_waves: Sequence[Any], step_texts: Sequence[str]) -> list[float]:
    from asrlab.step import overfit, train_step

    return overfit(train_step, step_waves, step_texts, steps=STEP_COUNT)


def _step_variant(*, zero_grad: bool = True, update: bool = True, lengths: str = "out", reduction: str = "mean",
                  clip: bool = True, zero_infinity: bool = True):  # noqa: ANN202 - a step function
    """A training step with one thing done wrong (the Mistakes' ``fn``)."""
    import torch
    from torch.nn import functional as F

    from asrlab.model import encode_text

    def step(model: Any, optimiser: Any, waves: Any, lengths_: Any, texts: Sequence[str]) -> float:
        log_probs, out_lengths = model(waves, lengths_)
        ids = [encode_text(t) for t in texts]
        targets = torch.tensor([i for seq in ids for i in seq], dtype=torch.long)
        target_lengths = torch.tensor([len(seq) for seq in ids], dtype=torch.long)
        if lengths == "padded":
            out_lengths = torch.full_like(out_lengths, log_probs.shape[1])
        loss = F.ctc_loss(log_probs.transpose(0, 1), targets, out_lengths, target_lengths, blank=0,
                          reduction=reduction, zero_infinity=zero_infinity)
        if zero_grad:
            optimiser.zero_grad()
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        if update:
            optimiser.step()
        return loss.item()

    return step


def _step_with(step_waves: Sequence[Any], step_texts: Sequence[str], **wrong: Any) -> list[float]:
    from asrlab.step import overfit

    return overfit(_step_variant(**wrong), step_waves, step_texts, steps=STEP_COUNT)


_TEXTS = ["yes", "no", "up", "stop", "go left", "call nine one two", "turn the light on", "seven seven",
          "three", "switch the kitchen light off", "zero zero one", "set the volume to two"]
_LONG_TEXTS = ["call seven seven three", "switch the kitchen light off", "turn the light on", "set the volume to two"]
_VOICES = ["en-us", "en-gb", "en-029", "en-gb-scotland", "en-us+f2", "en-gb+m4", "en-us-nyc+klatt2"]


def _step_hidden(rng: np.random.Generator) -> list[Case]:
    def spec(n: int, *, fast: bool = False) -> list[tuple[str, str, int]]:
        texts = [str(t) for t in rng.choice(_TEXTS, size=n, replace=False)]
        if fast:  # the last one: a long command at 450 words per minute, more labels than frames
            texts[-1] = str(rng.choice([t for t in _LONG_TEXTS if t not in texts]))
        return [(t, str(rng.choice(_VOICES)), 450 if fast and i == n - 1 else int(rng.integers(140, 200)))
                for i, t in enumerate(texts)]

    one = step_batch([("turn the light on", "en-gb+m4", 170)])
    same = step_batch([("stop", "en-us", 160)])
    same = {"step_waves": same["step_waves"] * 2, "step_texts": same["step_texts"] * 2}
    return [
        Case(step_batch(spec(4)), label="4 recordings of 4 voices"),
        Case(one, label="a batch of one recording"),
        Case(same, label="the same recording twice (no padding at all)"),
        Case(step_batch(spec(3, fast=True)), label="3 recordings, the last spoken too fast for its transcript"),
        Case(step_batch([("go", "en-us+f2", 190), ("switch the kitchen light off", "en-gb", 150), ("six", "en-029", 170),
                         ("call nine one two", "en-us", 200)]), label="4 recordings, the longest second"),
    ]


_STEP_SOLUTION_HEAD = '''\
def train_step(model, optimiser, waves, lengths, texts):
    log_probs, out_lengths = model(waves, lengths)
    ids = [asrlab.model.encode_text(t) for t in texts]
    targets = torch.tensor([i for seq in ids for i in seq], dtype=torch.long)
    target_lengths = torch.tensor([len(seq) for seq in ids], dtype=torch.long)
'''
_STEP_TAIL = '''
losses = asrlab.step.overfit(train_step, step_waves, step_texts, steps=4)
'''


def _step_code(*, loss: str = "out_lengths", reduction: str = '"mean"', zero_infinity: str = "True",
               update: str = "optimiser.zero_grad()\n    loss.backward()\n"
               "    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)\n    optimiser.step()\n") -> str:
    return (
        _STEP_SOLUTION_HEAD
        + f"    loss = F.ctc_loss(log_probs.transpose(0, 1), targets, {loss}, target_lengths,\n"
        + f"                      blank=0, reduction={reduction}, zero_infinity={zero_infinity})\n"
        + f"    {update}"
        + "    return loss.item()\n"
        + _STEP_TAIL
    )


# ---------------------------------------------------------------------------
# l10-predict-lr: change one setting, predict the curve
# ---------------------------------------------------------------------------

#: The options of the prediction, as the notebook prints them.
LR_OPTIONS = {
    "a": "the same curve: Adam divides every gradient by its own size, so the learning rate does not matter",
    "b": "it falls about 100 times faster and reaches a much lower loss",
    "c": "it falls a little faster at first, then ends a little lower",
    "d": "it jumps around and, after 40 steps, is higher than the curve at the usual learning rate",
}
LR_ANSWER = "d"


def _predict_ref() -> str:
    return LR_ANSWER


EXERCISES = [
    NamedExercise(
        id="l10-pad-batch",
        lesson=LESSON,
        title="pad a batch",
        points=2,
        kind="function",
        target="pad_batch",
        reference=_pad_ref,
        public=[Case(args=(pad_public_signals(),), label="the 4-, 5- and 2-sample signals above")],
        hidden=_pad_hidden,
        names=("batch", "lengths"),
        types=("float32", "integer"),
        hint="The batch is as wide as the longest signal of the list, wherever that one is in the "
        "list; each row holds its signal from column 0 on and zeros after it, and `lengths` counts "
        "each signal's own samples (section 3).",
        mistakes=[
            Mistake(
                "pad-front",
                "Your zeros come first and the signals end at the last column. Padding goes at the "
                "END, so that sample 0 of every signal is in column 0 and the first frames line up.",
                fn=_pad_front,
                fills=("max(len(s) for s in signals)", "len(batch[i]) - len(s):", "len(s)"),
            ),
            Mistake(
                "lengths-padded",
                "Every entry of `lengths` is the padded length. The model needs each signal's OWN "
                "length, to know where its padding starts.",
                fn=_pad_lengths_padded,
                fills=("max(len(s) for s in signals)", ":len(s)", "n_max"),
            ),
            Mistake(
                "lengths-last-index",
                "`lengths` is one short everywhere: you stored the index of each signal's last "
                "sample, not its number of samples.",
                fn=_pad_lengths_last_index,
                fills=("max(len(s) for s in signals)", ":len(s)", "len(s) - 1"),
            ),
        ],
    ),
    NamedExercise(
        id="l10-output-lengths",
        lesson=LESSON,
        title="output lengths after subsampling",
        points=2,
        kind="cell",
        target=("frames", "out_lengths"),
        reference=_out_len_ref,
        public=[Case({"n_samples": OUT_LEN_SAMPLES, "hop": OUT_LEN_HOP}, label="the 5 lengths above, hop 160")],
        hidden=_out_len_hidden,
        names=("frames", "out_lengths"),
        types=("integer", "integer"),
        hint="A centred STFT has a frame at sample 0 and one more after every full hop. Each "
        "stride-2 convolution keeps one output per two input frames, and its padding gives a "
        "last, unpaired frame an output too; the model has two of them (section 4).",
        mistakes=[
            Mistake(
                "no-plus-one",
                "`frames` is one short for every utterance: you counted the hops, but a centred "
                "STFT also has a frame at sample 0, before the first hop.",
                fn=lambda n_samples, hop: _out_len(n_samples, hop, plus_one=False),
                fills=("n_samples // hop", _OUT_FILLS[1], "(after_conv1 - 1) // 2 + 1"),
            ),
            Mistake(
                "floor-half",
                "You halved with floor division, which drops the last frame whenever the count is "
                "odd. With padding 1, the convolution also gives that last, unpaired frame an "
                "output (section 4).",
                fn=lambda n_samples, hop: _out_len(n_samples, hop, conv="half"),
                fills=(_OUT_FILLS[0], "frames // 2", "after_conv1 // 2"),
            ),
            Mistake(
                "one-conv",
                "`out_lengths` is about twice too long: you applied one convolution, and the model "
                "has two, one after the other.",
                fn=lambda n_samples, hop: _out_len(n_samples, hop, convs=1),
                fills=(_OUT_FILLS[0], _OUT_FILLS[1], "after_conv1"),
            ),
        ],
    ),
    NamedExercise(
        id="l10-ctc-loss",
        lesson=LESSON,
        title="the CTC loss of a batch",
        points=2,
        kind="function",
        target="ctc_batch_loss",
        reference=_ctc_ref,
        public=[Case(kwargs=ctc_public(), label='"go up", "yes" and "off" (2 frames: too few)')],
        hidden=_ctc_hidden,
        names=("ctc_batch_loss(log_probs, out_lengths, texts)",),
        types=("float",),
        hint="Go through the arguments of PyTorch's CTC loss one by one with section 6: which axis "
        "comes first, how many frames each utterance really has, which class is the blank in this "
        "course's alphabet, how the losses are averaged, and what happens to an utterance CTC "
        "cannot explain.",
        rtol=1e-4,
        atol=1e-6,
        mistakes=[
            Mistake(
                "padded-input-lengths",
                "Your loss reads every frame of the padded batch: CTC then also has to explain the "
                "padding. Each utterance has its own number of valid output frames.",
                fn=lambda log_probs, out_lengths, texts: _ctc_with(log_probs, out_lengths, texts, lengths="padded"),
                fills=_ctc_fills(b1="[log_probs.shape[1]] * len(texts)"),
            ),
            Mistake(
                "blank-last",
                "You told PyTorch that the blank is the LAST class, which in this course's alphabet "
                "is the apostrophe. Some toolkits put the blank last; look at where `_` is in ALPHABET.",
                fn=lambda log_probs, out_lengths, texts: _ctc_with(log_probs, out_lengths, texts, blank="last"),
                fills=_ctc_fills(b2="log_probs.shape[2] - 1"),
            ),
            Mistake(
                "reduction-sum",
                "Your loss is the SUM over the batch: it grows with the batch size and the "
                "transcript lengths, so the learning rate would have to change with them. The "
                "course's loss is a mean of per-label losses (section 6).",
                fn=lambda log_probs, out_lengths, texts: _ctc_with(log_probs, out_lengths, texts, reduction="sum"),
                fills=_ctc_fills(b3='"sum"'),
            ),
            Mistake(
                "no-zero-infinity",
                "Your loss is infinite: \"off\" has fewer frames than its transcript needs, so its "
                "probability is 0 and its loss infinite, which poisons the whole batch. One argument "
                "of the CTC loss decides what happens to such an utterance (section 6).",
                fn=lambda log_probs, out_lengths, texts: _ctc_with(log_probs, out_lengths, texts, zero_infinity=False),
                fills=_ctc_fills(b4="False"),
            ),
        ],
    ),
    NamedExercise(
        id="l10-train-step",
        lesson=LESSON,
        title="the training step",
        points=3,
        kind="cell",
        target="losses",
        reference=_step_ref,
        public=[Case(step_batch(STEP_PUBLIC), label="the three recordings above")],
        hidden=_step_hidden,
        names=("losses",),
        hint="Your step must compute exactly what section 6 lists, in that order: the model's "
        "output and lengths, the CTC loss with the same arguments as in your `ctc_batch_loss`, "
        "then forget the old gradients, compute the new ones, clip their norm to 5 and update the "
        "weights; return the loss as a Python float.",
        rtol=1e-4,
        atol=1e-6,
        mistakes=[
            Mistake(
                "no-zero-grad",
                "Your first two losses are right, then they drift: the gradients of every earlier "
                "step are still there. PyTorch ADDS each new gradient to the stored one until you "
                "clear it.",
                fn=lambda step_waves, step_texts: _step_with(step_waves, step_texts, zero_grad=False),
                code=_step_code(update="loss.backward()\n    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)\n"
                                "    optimiser.step()\n"),
            ),
            Mistake(
                "no-update",
                "Your loss never changes: the weights never move. Either the optimiser's step is "
                "missing, or it runs before the backward pass has put this batch's gradients in place.",
                fn=lambda step_waves, step_texts: _step_with(step_waves, step_texts, update=False),
                code=_step_code(update="optimiser.zero_grad()\n    optimiser.step()\n    loss.backward()\n"),
            ),
            Mistake(
                "padded-input-lengths",
                "Your losses are too high from the first step: the CTC loss reads every frame of "
                "the padded batch. The model returns each utterance's valid output frames; use them.",
                fn=lambda step_waves, step_texts: _step_with(step_waves, step_texts, lengths="padded"),
                code=_step_code(loss="torch.full_like(out_lengths, log_probs.shape[1])"),
            ),
            Mistake(
                "reduction-sum",
                "Your losses are the SUM over the batch, not the mean of per-label losses: they grow "
                "with the batch and the transcripts (section 6).",
                fn=lambda step_waves, step_texts: _step_with(step_waves, step_texts, reduction="sum"),
                code=_step_code(reduction='"sum"'),
            ),
            Mistake(
                "no-clip",
                "Your first two losses are right, then they differ a little: the gradient norm is "
                "not clipped. Early in training a gradient can be huge, and the step clips its norm "
                "to 5 before the update.",
                fn=lambda step_waves, step_texts: _step_with(step_waves, step_texts, clip=False),
                code=_step_code(update="optimiser.zero_grad()\n    loss.backward()\n    optimiser.step()\n"),
            ),
            Mistake(
                "no-zero-infinity",
                "Your losses are infinite, then not a number: \"call seven seven three\", spoken at "
                "450 words per minute, has fewer frames than its transcript needs, and its infinite "
                "loss poisons the gradients. Your `ctc_batch_loss` already handles this.",
                fn=lambda step_waves, step_texts: _step_with(step_waves, step_texts, zero_infinity=False),
                code=_step_code(zero_infinity="False"),
            ),
        ],
    ),
    NamedExercise(
        id="l10-predict-lr",
        lesson=LESSON,
        title="predict the curve",
        points=1,
        kind="cell",
        target="prediction",
        reference=_predict_ref,
        public=[Case({}, label="your prediction")],
        hidden=[Case({}, label="your prediction, graded")],
        names=("prediction",),
        hint="Pick one of the letters \"a\" to \"d\" (a string, in quotes). Think of how far each "
        "weight moves in one Adam step, and compare it with the size of the weights.",
        mistakes=[
            Mistake(
                "adam-ignores-lr",
                "You expected Adam to make the learning rate irrelevant. Adam divides each gradient "
                "by its own running size, so the size of the gradient hardly matters; but then every "
                "weight moves by about the learning rate in every step.",
                fn=lambda: "a", fills=('"a"',),
            ),
            Mistake(
                "proportional",
                "You expected 100 times bigger steps to make 100 times faster progress. That holds "
                "only while the loss changes smoothly over the length of a step. How long is one "
                "step of every weight, compared with the weights themselves?",
                fn=lambda: "b", fills=('"b"',),
            ),
            Mistake(
                "a-little-better",
                "You expected a modest gain, as from a somewhat larger learning rate. At 100 times "
                "the usual one, compare the length of one step of every weight with the size of the "
                "weights themselves.",
                fn=lambda: "c", fills=('"c"',),
            ),
        ],
    ),
    NamedExercise(
        id="l10-decode-and-score",
        lesson=LESSON,
        title="decode and score (mini-challenge)",
        points=3,
        kind="function",
        target="decode_and_score",
        reference=_decode_ref,
        public=[Case(args=decode_public(), label="the four outputs above")],
        hidden=_decode_hidden,
        names=("decode_and_score(...)",),
        hint="This is lesson 07's greedy_decode (best class per frame, then the collapse rule, in "
        "its order) and lesson 08's corpus rates (all edits of all utterances over all reference "
        "characters or words, spaces counted as characters); tidy the spaces of each hypothesis "
        "as the task says.",
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
                "Your hypotheses stutter (\"thrreee\"): you dropped the blanks but never merged a "
                "letter held over several frames into one.",
                fn=lambda lps, refs: _decode_with(lps, refs, order="none"),
                code=_CODE_NO_COLLAPSE,
            ),
            Mistake(
                "mean-per-utterance",
                "You averaged per-utterance rates: then a 1-word utterance weighs as much as a "
                "6-word one. A corpus rate adds up the edits of all utterances before it divides "
                "(lesson 08).",
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
