"""Real model output for the exercises of lessons 07 and 08: synthetic recordings and the
pretrained recogniser's log-probabilities of them, each computed once per process."""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=None)
def pretrained():  # noqa: ANN201 - asrlab.model.TinyCTC, imported lazily
    """The course's pretrained recogniser (:func:`asrlab.model.load_pretrained`)."""
    from asrlab.model import load_pretrained

    return load_pretrained()


@functools.lru_cache(maxsize=None)
def recording(text: str, voice: str) -> np.ndarray:
    """``text`` spoken by ``voice`` at 16 kHz, float32 (the notebooks synthesise it the same way)."""
    from asrlab.data import synthesize

    return synthesize(text, voice=voice, sr=16_000)


@functools.lru_cache(maxsize=None)
def _log_probs(text: str, voice: str) -> np.ndarray:
    from asrlab.model import logits_for

    (lp,) = logits_for(pretrained(), [recording(text, voice)])
    lp.setflags(write=False)
    return lp


def model_log_probs(text: str, voice: str) -> np.ndarray:
    """The pretrained recogniser's ``(T, 29)`` log-probabilities of one synthetic recording
    (float32; a fresh copy every call)."""
    return np.array(_log_probs(text, voice))
