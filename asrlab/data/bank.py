"""Banks of speech from the slow voices: rendered once, kept in a cache, drawn from by the
training stream.

The voices closest to real people are the slowest to synthesise: Piper's neural voices
(:mod:`asrlab.data.piper`, 50-75 ms an utterance on one CPU core) and Flite's statistical
voices ``awb``, ``rms`` and ``slt`` (:mod:`asrlab.data.flite`, about 25 ms), against
1-3 ms for espeak-ng.  Spoken live they would starve a training stream, so
:func:`voice_bank` renders a fixed bank of random transcripts for a voice once
(1,500 take about 80 s on two cores for Piper, 25 s for a Flite voice), keeps it in a
cache folder (:func:`cache_dir`), and :class:`asrlab.data.SyntheticSpeech`'s
``bank_share`` draws from it, each draw played at its own speed (a different
vocal-tract length and pitch, as speed perturbation does), so that one voice gives many.

Lesson: 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from asrlab._validate import check_nonnegative_int, check_positive_int, check_sr
from asrlab.data import flite, piper
from asrlab.data.transcripts import random_transcript

__all__ = ["BANK_SIZE", "VoiceBank", "banked_voices", "cache_dir", "voice_bank"]

#: Utterances in a voice's bank unless asked otherwise (about 16 minutes of speech, 32 MB).
BANK_SIZE = 1500
_FORMAT = 1
_MISSING = f"needs a voice to bank: Piper's ({piper._INSTALL}) or Flite's awb, rms or slt ({flite._INSTALL})"


def cache_dir() -> Path:
    """Where rendered banks are kept: ``$ASRLAB_CACHE``, else ``$XDG_CACHE_HOME/asrlab``,
    else ``~/.cache/asrlab``.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    if os.environ.get("ASRLAB_CACHE"):
        return Path(os.environ["ASRLAB_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "asrlab"


def banked_voices() -> list[str]:
    """The voices this installation can bank: Piper's (``"piper-joe"``...), then Flite's
    slow ones (``"flite-awb"``, ``"flite-rms"``, ``"flite-slt"``); ``[]`` with neither.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    found = set(flite.flite_voices())
    return piper.piper_voices() + [v for v in flite.SLOW_VOICES if v in found]


class VoiceBank(NamedTuple):
    """A voice's rendered bank: ``texts[i]`` is spoken by samples
    ``audio[offsets[i]:offsets[i + 1]]`` (int16 at ``sr``, trimmed to the speech), at
    ``rates[i]`` words per minute and espeak pitch ``pitches[i]`` (0 for Piper).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    voice: str
    texts: tuple[str, ...]
    audio: np.ndarray
    offsets: np.ndarray
    rates: np.ndarray
    pitches: np.ndarray
    sr: int

    def __len__(self) -> int:
        return len(self.texts)

    def utterance(self, i: int) -> np.ndarray:
        """Utterance ``i`` as float32 in [-1, 1]."""
        return self.audio[self.offsets[i] : self.offsets[i + 1]].astype(np.float32) / 32767.0


def _engine(voice: str):  # noqa: ANN202 - the module that speaks this voice
    if not isinstance(voice, str):
        raise TypeError(f"voice: expected a voice name such as 'piper-joe', got {type(voice).__name__} {voice!r}")
    found = banked_voices()
    if not found:
        raise RuntimeError(f"voice: {voice!r} {_MISSING}, which was not found")
    if voice not in found:
        raise ValueError(f"voice: expected one of the voices to bank {found}, got {voice!r}")
    return piper if voice.startswith("piper-") else flite


def _path(voice: str, engine, *, n: int, seed: int, sr: int) -> Path:  # noqa: ANN001
    key = hashlib.sha256(engine._identity(voice) + f"|{_FORMAT}".encode()).hexdigest()[:12]
    return cache_dir() / "banks" / f"{voice}-n{n}-seed{seed}-{sr}hz-{key}.npz"


def _read(path: Path, voice: str, n: int) -> VoiceBank | None:
    """The bank in ``path``, or ``None`` when it is missing, unreadable or inconsistent."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            bank = VoiceBank(
                voice, tuple(str(t) for t in z["texts"]), z["audio"], z["offsets"], z["rates"], z["pitches"],
                int(z["sr"]),
            )
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    consistent = len(bank) == n == len(bank.rates) == len(bank.pitches) and len(bank.offsets) == n + 1
    return bank if consistent and bank.offsets[-1] == len(bank.audio) else None


def voice_bank(
    voice: str = "piper-joe", *, n: int = BANK_SIZE, seed: int = 0, sr: int = 16000, progress: bool = True,
) -> VoiceBank:
    """The bank of ``n`` random transcripts spoken by ``voice``: read from the cache
    folder (:func:`cache_dir`), or rendered once and saved there.

    Every third transcript is a single word; the others are drawn as
    :func:`asrlab.data.random_transcript` draws them (from ``seed``).  Each is spoken at a
    random rate (120-220 words per minute) and, for Flite, pitch (25-75); Piper adds
    random amounts of its own variation.  A cache file that cannot be read is rendered
    again; files are replaced whole, so an interrupted render leaves nothing half-written.

    Args:
        voice: One of :func:`banked_voices` (default ``"piper-joe"``).
        n: Utterances (default :data:`BANK_SIZE`).
        seed: Seed of the transcripts and settings (default 0).
        sr: Sample rate in Hz (default 16000).
        progress: Show a progress bar while rendering (default True).

    Raises:
        RuntimeError: no voice to bank is installed.
        ValueError: an unknown voice or a bad ``n``, ``seed`` or ``sr``.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from tqdm.auto import tqdm

    n = check_positive_int(n, name="n")
    seed = check_nonnegative_int(seed, name="seed")
    sr = check_sr(sr)
    engine = _engine(voice)
    path = _path(voice, engine, n=n, seed=seed, sr=sr)
    bank = _read(path, voice, n)
    if bank is not None:
        return bank
    rng = np.random.default_rng([seed, 4])
    texts, pieces, rates, pitches = [], [], [], []
    for i in tqdm(range(n), desc=f"rendering {voice} (once)", disable=not progress, leave=False):
        text = random_transcript(rng, max_words=1 if i % 3 == 2 else None)
        y, rate, pitch = engine._render(voice, text, rng, sr=sr)
        texts.append(text)
        pieces.append(np.round(np.clip(y, -1.0, 1.0) * 32767.0).astype(np.int16))
        rates.append(rate)
        pitches.append(pitch)
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in pieces])]).astype(np.int64)
    bank = VoiceBank(
        voice, tuple(texts), np.concatenate(pieces), offsets, np.array(rates, np.int64), np.array(pitches, np.int64), sr,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial.npz")
    np.savez(
        partial, texts=np.array(texts), audio=bank.audio, offsets=offsets, rates=bank.rates, pitches=bank.pitches,
        sr=np.int64(sr),
    )
    os.replace(partial, path)
    return bank
