"""One training step of the tiny CTC model, and the over-fit test that checks a step.

:func:`train_step` is the loop body of :func:`asrlab.train.train` in its plainest form
(CPU, full precision, no schedule): waveforms -> log-mel features -> model -> CTC loss
-> backward -> clipped gradient -> optimiser step.  :func:`overfit` runs any step function
of that signature several times on one batch, with a freshly seeded model, and returns the
losses: a working step makes them fall, and two steps that compute the same thing give
the same losses.

Lesson: 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch.nn import functional as F

from asrlab.model import BLANK, ModelConfig, TinyCTC, encode_text, pad_batch

__all__ = ["train_step", "overfit", "OVERFIT_CONFIG"]

#: The model :func:`overfit` trains: the course's layers (log-mel, two stride-2
#: convolutions, projection, LayerNorm, bidirectional GRU, 29 classes) with fewer units,
#: so that a few steps take a fraction of a second on one CPU thread.
OVERFIT_CONFIG = ModelConfig(channels=8, d_model=64, hidden=32, layers=1)


def train_step(
    model: TinyCTC,
    optimiser: torch.optim.Optimizer,
    waves: torch.Tensor,
    lengths: torch.Tensor,
    texts: Sequence[str],
    *,
    clip_norm: float = 5.0,
) -> float:
    """One training step on a batch; returns its CTC loss before the update.

    Args:
        model: A :class:`asrlab.model.TinyCTC` (in training mode).
        optimiser: The optimiser of ``model``'s parameters.
        waves: Zero-padded waveforms, float32 ``(B, samples)`` (:func:`asrlab.model.pad_batch`).
        lengths: Each waveform's own number of samples, int64 ``(B,)``.
        texts: The ``B`` transcripts (characters of :data:`asrlab.model.ALPHABET`).
        clip_norm: Largest gradient norm the step applies (default 5.0, the norm of
            lesson 10's exercise; :class:`asrlab.train.TrainConfig` clips at 0.5).

    Returns:
        The batch's CTC loss (PyTorch's ``reduction="mean"``: each utterance's loss
        divided by its transcript length, then the mean; ``zero_infinity=True``), a float.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    log_probs, out_lengths = model(waves, lengths)  # (B, T, C) and the valid frames after subsampling
    ids = [encode_text(t) for t in texts]
    targets = torch.tensor([i for seq in ids for i in seq], dtype=torch.long)
    target_lengths = torch.tensor([len(seq) for seq in ids], dtype=torch.long)
    loss = F.ctc_loss(
        log_probs.transpose(0, 1), targets, out_lengths, target_lengths,
        blank=BLANK, reduction="mean", zero_infinity=True,
    )
    optimiser.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimiser.step()
    return loss.item()


def overfit(
    step: Callable[..., Any],
    waveforms: Sequence[np.ndarray],
    texts: Sequence[str],
    *,
    steps: int = 4,
    seed: int = 0,
    lr: float = 3e-3,
) -> list[float]:
    """Run ``step(model, optimiser, waves, lengths, texts)`` ``steps`` times on one batch.

    The model is a fresh :class:`asrlab.model.TinyCTC` of :data:`OVERFIT_CONFIG`, seeded
    with ``seed``, in training mode, with AdamW (learning rate ``lr``, weight decay 0.01);
    the batch is ``waveforms`` padded by :func:`asrlab.model.pad_batch`.  Runs on one CPU
    thread (the caller's thread count is restored), so the losses are reproducible.

    Args:
        step: A training-step function such as :func:`train_step`; it must return the
            loss as a Python ``float``.
        waveforms: The batch's 16 kHz signals, each of shape ``(n,)``.
        texts: Their transcripts.
        steps: Number of steps (default 4).
        seed: Seed of the model's initial weights (default 0).
        lr: AdamW's learning rate (default 3e-3).

    Returns:
        The loss of every step, in order.

    Raises:
        ValueError: no signals, or not one transcript per signal.
        TypeError: ``step`` returned something other than a float (a tensor, say).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    if len(waveforms) == 0 or len(waveforms) != len(texts):
        raise ValueError(
            f"waveforms, texts: expected one transcript per signal, got {len(waveforms)} signals "
            f"and {len(texts)} transcripts"
        )
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps: expected a positive integer, got {steps!r}")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        model = TinyCTC(OVERFIT_CONFIG)
        model.train()
        optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        waves, lengths = pad_batch([np.asarray(w, dtype=np.float32) for w in waveforms])
        losses = []
        for number in range(int(steps)):
            loss = step(model, optimiser, waves, lengths, list(texts))
            if type(loss) is not float:
                raise TypeError(
                    f"the step function must return the loss as a Python float (loss.item()), "
                    f"got {type(loss).__name__} at step {number}"
                )
            losses.append(loss)
        return losses
    finally:
        torch.set_num_threads(threads)
