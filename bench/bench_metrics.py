"""Benchmarks of asrlab.metrics, asrlab.ctc and asrlab.dtw against jiwer, torch and librosa.

Rows (ours vs reference, same process):

* corpus WER and CER on 1,000 seeded random sentences of 10 to 20 words with about 15%
  word errors, against ``jiwer.wer`` / ``jiwer.cer`` (target 2.0x);
* the CTC loss of one ``(200, 29)`` log-probability matrix with a 40-label target,
  against ``torch.nn.functional.ctc_loss`` in float64 (reported only: ours is a NumPy
  loop over frames, torch a compiled kernel);
* DTW of two MFCC-like sequences, ``(13, 150)`` and ``(13, 120)``, against
  ``librosa.sequence.dtw`` (target 2.0x).
"""

from __future__ import annotations

import random

import numpy as np

from bench._timing import best_of

WORDS = (
    "the a of to and in is it you that he was for on are with as his they be at one have "
    "this from or had by hot word but what some we can out other were all there when up "
    "use your how said an each she which do their time if will way about many then them "
    "write would like so these her long make thing see him two has look more day could go "
    "come did number sound no most people my over know water than call first who may down"
).split()


def corpus(n_sentences: int = 1000, *, error_rate: float = 0.15, seed: int = 0) -> tuple[list[str], list[str]]:
    """Seeded references of 10-20 words and hypotheses with about ``error_rate`` errors
    (a third each substitutions, deletions and insertions)."""
    rng = random.Random(seed)
    refs, hyps = [], []
    for _ in range(n_sentences):
        ref = [rng.choice(WORDS) for _ in range(rng.randint(10, 20))]
        hyp = []
        for word in ref:
            u = rng.random()
            if u < error_rate / 3:  # deletion
                continue
            if u < 2 * error_rate / 3:  # substitution
                hyp.append(rng.choice(WORDS))
            elif u < error_rate:  # insertion after the word
                hyp += [word, rng.choice(WORDS)]
            else:
                hyp.append(word)
        refs.append(" ".join(ref))
        hyps.append(" ".join(hyp))
    return refs, hyps


def run() -> list[tuple[str, float, float, float | None]]:
    import jiwer
    import librosa
    import torch

    from asrlab import ctc, dtw, metrics

    rows = []
    refs, hyps = corpus()
    assert metrics.wer(refs, hyps) == jiwer.wer(refs, hyps)
    assert metrics.cer(refs, hyps) == jiwer.cer(refs, hyps)
    rows.append((
        "corpus WER, 1000 sentences (vs jiwer.wer)",
        best_of(lambda: metrics.wer(refs, hyps), repeat=7),
        best_of(lambda: jiwer.wer(refs, hyps), repeat=7),
        2.0,
    ))
    rows.append((
        "corpus CER, 1000 sentences (vs jiwer.cer)",
        best_of(lambda: metrics.cer(refs, hyps), repeat=7),
        best_of(lambda: jiwer.cer(refs, hyps), repeat=7),
        2.0,
    ))

    rng = np.random.default_rng(0)
    z = rng.standard_normal((200, 29)) * 3
    lp = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
    targets = rng.integers(1, 29, 40).tolist()
    lp_t = torch.from_numpy(lp)[:, None, :]
    tg_t = torch.tensor([targets])
    lengths = (torch.tensor([200]), torch.tensor([40]))

    def torch_loss() -> float:
        return torch.nn.functional.ctc_loss(lp_t, tg_t, *lengths, reduction="sum").item()

    assert abs(ctc.ctc_loss(lp, targets) - torch_loss()) <= 1e-6 * abs(torch_loss())
    rows.append((
        "ctc_loss (200, 29), 40 labels (vs torch)",
        best_of(lambda: ctc.ctc_loss(lp, targets), repeat=7),
        best_of(torch_loss, repeat=7),
        None,
    ))

    X, Y = rng.standard_normal((13, 150)), rng.standard_normal((13, 120))
    assert dtw.dtw(X, Y)[0] == librosa.sequence.dtw(X=X, Y=Y)[0][-1, -1]
    rows.append((
        "dtw (13, 150) x (13, 120) (vs librosa)",
        best_of(lambda: dtw.dtw(X, Y), repeat=20),
        best_of(lambda: librosa.sequence.dtw(X=X, Y=Y), repeat=20),
        2.0,
    ))
    return rows
