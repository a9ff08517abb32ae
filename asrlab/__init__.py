"""asrlab: the helper package of *Speech Recognition from Scratch*.

Reference implementations of everything the course's learners build, each tested
against the library practitioners use (librosa, NumPy, jiwer, PyTorch), plus data,
plots, widgets and a tiny CTC speech recogniser.  Modules mirror the course:

==============  ============================================  =========
module          what                                          lessons
==============  ============================================  =========
``audio``       load, save, resample, PCM conversion           01
``signals``     sines, noise at an SNR, framing                01-02
``features``    energy, ZCR, DFT, STFT, dB, mel, MFCC          02-05
``dtw``         dynamic time warping                           06
``ctc``         collapse, greedy and beam decoding, CTC loss,  07, 09
                forced alignment
``commands``    decoding constrained to a list of commands     07
``metrics``     edit distance, alignment, WER, CER             08
``data``        offline speech (espeak-ng), corpora, manifests 01-11
``model``       the tiny CTC model, transcription, pretrained  07-11
``step``        one training step, the over-fit test           10
``train``       training and evaluation                        10
``recorder``    record your voice in a notebook                10-11
``adapt``       fine-tune a model on a speaker's takes         11
``realworld``   noise, rooms, sample rates, VAD, other ASR     11
``plot``        labelled plots that take ``ax=``               all
==============  ============================================  =========

Submodules are imported on first use, so ``import asrlab`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {
    "audio", "signals", "features", "dtw", "ctc", "commands", "metrics", "data", "model", "step",
    "train", "plot", "widgets", "recorder", "adapt", "realworld", "cli",
}

__all__ = sorted(_SUBMODULES) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'asrlab' has no attribute {name!r}")
