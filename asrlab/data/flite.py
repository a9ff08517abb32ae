"""Speech from Flite, a second synthesis engine, when the system has it.

espeak-ng builds every sound from rules (formant synthesis); Flite's voices are made
from recordings of real people: ``kal`` glues together snippets of one American speaker's
recorded diphones, and ``awb``, ``rms`` and ``slt`` (Scottish, American, American female)
are statistical voices trained on hours of one speaker each.  A recogniser trained on
espeak-ng alone hears only rule-made voices; mixing some Flite speech into its training
data brings it closer to real recordings (see :class:`asrlab.data.SyntheticSpeech`'s
``flite_share``).

Flite is optional: nothing here downloads anything, and the rest of the course works
without it.  On Debian and Ubuntu it is the ``libflite1`` package
(``apt install libflite1``); :func:`flite_voices` lists what was found, and is empty
without it.  The library is loaded in-process through ``ctypes``.

Lesson: 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import numpy as np

from asrlab._validate import check_sr
from asrlab.data.tts import _LOCK, _seed_c_rand  # shared with espeak-ng: both use the C library's rand()

__all__ = ["flite_voices", "synthesize_flite", "FLITE_VOICES"]

#: The English voices Flite ships, by name: (library suffix, speaking-rate scale).  The
#: scale stretches the voice's own tempo so that ``rate`` words per minute lasts about as
#: long as espeak-ng speaking at ``rate``.
FLITE_VOICES: dict[str, tuple[str, float]] = {
    "flite-kal": ("cmu_us_kal", 1.3),
    "flite-kal16": ("cmu_us_kal16", 1.3),
    "flite-awb": ("cmu_us_awb", 1.05),
    "flite-rms": ("cmu_us_rms", 1.05),
    "flite-slt": ("cmu_us_slt", 1.05),
}

#: How to install Flite, for the messages that say it is missing.
_INSTALL = "on Debian or Ubuntu: apt install libflite1"
_MISSING = f"needs the Flite library ({_INSTALL})"


class _Wave(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_char_p),
        ("sample_rate", ctypes.c_int),
        ("num_samples", ctypes.c_int),
        ("num_channels", ctypes.c_int),
        ("samples", ctypes.POINTER(ctypes.c_short)),
    ]


class _VoiceHead(ctypes.Structure):  # the first fields of cst_voice
    _fields_ = [("name", ctypes.c_char_p), ("features", ctypes.c_void_p)]


def _open(stem: str) -> ctypes.CDLL | None:
    for name in (f"lib{stem}.so.1", ctypes.util.find_library(stem)):
        if name:
            try:
                return ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
            except OSError:
                continue
    return None


def _engine() -> tuple[ctypes.CDLL, dict[str, ctypes.c_void_p]] | None:
    """Flite and its English voices, loaded once (by the first thread that asks);
    ``None`` where the library is missing."""
    with _LOCK:
        return _load_engine()


@functools.lru_cache(maxsize=1)
def _load_engine() -> tuple[ctypes.CDLL, dict[str, ctypes.c_void_p]] | None:
    lib = _open("flite")
    if lib is None or _open("flite_usenglish") is None or _open("flite_cmulex") is None:
        return None
    lib.flite_init.restype = ctypes.c_int
    lib.flite_text_to_wave.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    lib.flite_text_to_wave.restype = ctypes.POINTER(_Wave)
    lib.delete_wave.argtypes = [ctypes.POINTER(_Wave)]
    lib.feat_set_float.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_float]
    lib.flite_init()
    voices = {}
    for name, (suffix, _) in FLITE_VOICES.items():
        voice_lib = _open(f"flite_{suffix}")
        register = getattr(voice_lib, f"register_{suffix}", None) if voice_lib is not None else None
        if register is None:
            continue
        register.argtypes = [ctypes.c_char_p]
        register.restype = ctypes.c_void_p
        handle = register(None)
        if handle:
            voices[name] = ctypes.c_void_p(handle)
    return (lib, voices) if voices else None


def flite_voices() -> list[str]:
    """The Flite voices this system has (``"flite-kal"``, ``"flite-slt"``, ...); ``[]``
    without Flite.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    engine = _engine()
    return [] if engine is None else sorted(engine[1])


def synthesize_flite(
    text: str, *, voice: str = "flite-kal16", rate: int = 160, pitch: int = 50, sr: int = 16000, pad_ms: float = 10.0
) -> np.ndarray:
    """Speak ``text`` with a Flite voice (the counterpart of :func:`asrlab.data.synthesize`).

    Args:
        text: English text, e.g. ``"go left three"``.
        voice: One of :func:`flite_voices` (default ``"flite-kal16"``).
        rate: Speaking rate in words per minute, 80 to 450 (default 160), on espeak-ng's
            scale: an utterance lasts about as long as espeak-ng's at the same rate.
        pitch: 0 to 100 (default 50, the voice's own pitch); every 20 points move the
            pitch by a factor of 2 ** 0.25 (about 1.19; ``kal`` moves less below 50, and
            ``rms`` keeps its own pitch).
        sr: Output sample rate in Hz (default 16000); resampled with soxr.
        pad_ms: Silence kept before the first and after the last sound, in ms (default
            10), trimmed as :func:`asrlab.data.synthesize` trims.

    Returns:
        float32 mono samples in [-1, 1]; the same arguments always give the same samples.

    Raises:
        RuntimeError: the system has no Flite library.
        ValueError: an unknown voice, an argument out of range, or empty text.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from asrlab.data.tts import _check_range, _check_text, _finish

    text = _check_text(text)
    engine = _engine()
    if engine is None:
        raise RuntimeError(f"voice: {voice!r} {_MISSING}, which was not found")
    lib, voices = engine
    if voice not in voices:
        raise ValueError(f"voice: expected one of the Flite voices {sorted(voices)}, got {voice!r}")
    rate_wpm = _check_range(rate, name="rate", low=80, high=450, unit="words per minute")
    pitch_v = _check_range(pitch, name="pitch", low=0, high=100, unit="(espeak pitch scale)")
    pad = _check_range(pad_ms, name="pad_ms", low=0, high=10000, unit="ms")
    sr = check_sr(sr)
    handle = voices[voice]
    features = ctypes.cast(handle, ctypes.POINTER(_VoiceHead)).contents.features
    with _LOCK:
        lib.feat_set_float(features, b"duration_stretch", FLITE_VOICES[voice][1] * 175.0 / rate_wpm)
        lib.feat_set_float(features, b"f0_shift", 2.0 ** ((pitch_v - 50.0) / 80.0))
        _seed_c_rand()
        wave = lib.flite_text_to_wave(text.encode("utf-8"), handle)
        if not wave:
            raise RuntimeError(f"Flite failed to speak {text[:40]!r}")
        try:
            w = wave.contents
            native = int(w.sample_rate)
            y = np.ctypeslib.as_array(w.samples, (w.num_samples * w.num_channels,)).astype(np.float32) / 32768.0
            if w.num_channels > 1:
                y = y.reshape(-1, w.num_channels).mean(axis=1)
        finally:
            lib.delete_wave(wave)
    return _finish(y, text=text, native_sr=native, sr=sr, pad_ms=pad)


#: The voices worth a bank (:mod:`asrlab.data.bank`): the statistical ones, too slow to
#: speak live into a training stream.
SLOW_VOICES = ("flite-awb", "flite-rms", "flite-slt")


def _render(voice: str, text: str, rng: np.random.Generator, *, sr: int) -> tuple[np.ndarray, int, int]:
    """One bank utterance ``(samples at sr trimmed to the speech, rate, pitch)`` at a
    random rate (120-220 words per minute) and pitch (25-75)."""
    rate, pitch = int(rng.integers(120, 221)), int(rng.integers(25, 76))
    return synthesize_flite(text, voice=voice, rate=rate, pitch=pitch, sr=sr, pad_ms=0), rate, pitch


def _identity(voice: str) -> bytes:
    """What a bank of ``voice`` depends on: the voice and its speaking-rate scale."""
    return f"{voice}|{FLITE_VOICES[voice]}".encode()
