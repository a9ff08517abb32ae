"""Audio in and out: load, save, resample, stereo to mono, PCM integers to floats.

Audio in this course is a NumPy array of floats in ``[-1, 1]``: shape ``(n,)`` for mono,
``(channels, n)`` for multichannel (librosa's layout), together with its sample rate in
Hz.  Files on disk store PCM integers (16-bit WAV: int16); :func:`int_to_float` and
:func:`float_to_int` convert between the two, and :func:`quantize` shows what a smaller
bit depth does to a signal.

Lesson: 01 Sound is a list of numbers.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from asrlab._validate import check_audio, check_bits, check_sr

__all__ = [
    "AudioFileError",
    "load",
    "save",
    "resample",
    "to_mono",
    "int_to_float",
    "float_to_int",
    "quantize",
    "trim_silence",
    "pauses",
]

# The full scale of each integer PCM dtype: int16 sample 32767 is 32767 / 32768 of it.
_PCM_SCALE = {
    np.dtype(np.int8): 2.0**7,
    np.dtype(np.int16): 2.0**15,
    np.dtype(np.int32): 2.0**31,
    np.dtype(np.uint8): 2.0**7,  # 8-bit WAV is unsigned: silence is 128
}

_FORMATS = {".wav": "WAV", ".flac": "FLAC"}


class AudioFileError(ValueError):
    """A path that does not exist or cannot be read (or written) as audio.

    A ``ValueError``, so ``except ValueError`` catches it with every other bad input.

    Lesson: 01 Sound is a list of numbers.
    """


def load(
    path: str | os.PathLike[str], *, sr: int | None = 16000, mono: bool = True
) -> tuple[np.ndarray, int]:
    """Read an audio file as float32 samples in ``[-1, 1]``, like ``librosa.load``.

    The samples are decoded with soundfile (WAV, FLAC, OGG, MP3, ...), averaged to mono
    when ``mono`` is true, and resampled with :func:`resample` when ``sr`` differs from
    the file's own rate.

    Args:
        path: The audio file.
        sr: Target sample rate in Hz (default 16000, what speech models expect);
            ``None`` keeps the file's native rate.
        mono: Average the channels to one (default True).  When False a multichannel
            file gives shape ``(channels, n)``.

    Returns:
        ``(y, sr)``: float32 samples of shape ``(n,)`` (or ``(channels, n)``) and the
        sample rate in Hz of ``y``.

    Raises:
        AudioFileError: (a ``ValueError``) the path does not exist or is not audio.

    Lesson: 01 Sound is a list of numbers.
    """
    if sr is not None:
        sr = check_sr(sr)
    file = Path(path)
    if not file.exists():
        raise AudioFileError(f"path: expected an existing audio file, got '{file}' (no such file)")
    if not file.is_file():
        raise AudioFileError(f"path: expected an audio file, got '{file}' (not a regular file)")
    try:
        with sf.SoundFile(file) as f:
            native_sr = int(f.samplerate)
            # soundfile gives (n, channels); the course (like librosa) uses (channels, n).
            y = f.read(dtype="float32", always_2d=False).T
    except sf.SoundFileError as exc:
        raise AudioFileError(
            f"path: expected a readable audio file, got '{file}' ({_reason(exc)})"
        ) from None
    if y.shape[-1] == 0:
        raise AudioFileError(f"path: expected audio samples, got '{file}' (0 samples)")
    if mono:
        y = to_mono(y)
    if sr is None:
        return y, native_sr
    return resample(y, orig_sr=native_sr, target_sr=sr), sr


def _reason(exc: Exception) -> str:
    """The libsndfile reason without soundfile's "Error opening '...'" prefix."""
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


def save(
    path: str | os.PathLike[str], y: np.ndarray, *, sr: int, subtype: str | None = None
) -> Path:
    """Write float audio in ``[-1, 1]`` to a WAV or FLAC file (chosen by the extension).

    Args:
        path: Where to write; the extension ``.wav`` or ``.flac`` picks the format.
        y: Float samples in ``[-1, 1]``, shape ``(n,)`` or ``(channels, n)``.
        sr: Sample rate in Hz.
        subtype: soundfile's sample format, e.g. ``"PCM_16"`` (the default for both
            formats), ``"PCM_24"``, or ``"FLOAT"`` (WAV only).

    Returns:
        The path written, as a ``Path``.

    Lesson: 01 Sound is a list of numbers.
    """
    y = check_audio(y, mono=False)
    sr = check_sr(sr)
    file = Path(path)
    fmt = _FORMATS.get(file.suffix.lower())
    if fmt is None:
        raise AudioFileError(
            f"path: expected a file name ending in .wav or .flac, got '{file}'"
        )
    peak = float(np.max(np.abs(y)))
    if peak > 1.0:
        raise ValueError(
            f"y: expected samples in [-1, 1], got a peak of {peak:.4g}; "
            "scale the signal (e.g. y / np.abs(y).max()) before saving"
        )
    try:
        sf.write(file, y.T, sr, format=fmt, subtype=subtype)
    except (sf.SoundFileError, ValueError, TypeError) as exc:
        raise AudioFileError(f"path: could not write '{file}' ({exc})") from None
    return file


def resample(y: np.ndarray, *, orig_sr: int, target_sr: int) -> np.ndarray:
    """Change the sample rate, like ``librosa.resample`` with its default ``soxr_hq``.

    The output has ``ceil(n * (target_sr / orig_sr))`` samples and the dtype of ``y``.
    Downsampling first removes everything above the new Nyquist frequency
    ``target_sr / 2`` (an anti-aliasing low-pass filter), so resampling speech to
    8 kHz keeps only content below 4 kHz.

    Args:
        y: Float samples, shape ``(n,)`` or ``(channels, n)``.
        orig_sr: Sample rate of ``y`` in Hz.
        target_sr: Sample rate wanted in Hz.

    Returns:
        The resampled signal (``y`` itself when the rates are equal).

    Lesson: 01 Sound is a list of numbers; 11 Speech recognition in the real world.
    """
    y = check_audio(y, mono=False)
    orig_sr = check_sr(orig_sr, name="orig_sr")
    target_sr = check_sr(target_sr, name="target_sr")
    if orig_sr == target_sr:
        return y
    # The length librosa gives, rounding included: n * ratio can land a hair above a
    # whole number (441 * (48000 / 11025) = 1920.0000000000002 -> 1921 samples).
    ratio = target_sr / orig_sr
    n_out = int(np.ceil(y.shape[-1] * ratio))
    # soxr works on (n,) or (n, channels) arrays; it keeps float32 as float32.
    y_hat = soxr.resample(y.T, orig_sr, target_sr, quality="soxr_hq").T
    # soxr may be a sample short or long of the exact length: fix it like librosa does.
    if y_hat.shape[-1] > n_out:
        y_hat = y_hat[..., :n_out]
    elif y_hat.shape[-1] < n_out:
        pad = [(0, 0)] * (y_hat.ndim - 1) + [(0, n_out - y_hat.shape[-1])]
        y_hat = np.pad(y_hat, pad)
    return np.ascontiguousarray(y_hat, dtype=y.dtype)


def to_mono(y: np.ndarray) -> np.ndarray:
    """Average the channels of ``(channels, n)`` audio to ``(n,)``; mono is returned as is.

    Lesson: 01 Sound is a list of numbers.
    """
    y = check_audio(y, mono=False)
    if y.ndim == 1:
        return y
    return np.mean(y, axis=0)


def int_to_float(x: np.ndarray) -> np.ndarray:
    """PCM integers to float32 in ``[-1, 1)``: divide by the full scale.

    int16 is divided by 32768 (so -32768 -> -1.0 and 32767 -> 0.99997), int8 by 128,
    int32 by 2**31; uint8 (8-bit WAV) is first shifted by 128 so that 128 is silence.

    Args:
        x: Integer samples (int8, int16, int32 or uint8), shape ``(n,)`` or ``(channels, n)``.

    Returns:
        float32 array of the same shape.

    Lesson: 01 Sound is a list of numbers.
    """
    x = check_audio(x, name="x", mono=False, allow_int=True)
    scale = _PCM_SCALE.get(x.dtype)
    if scale is None:
        raise TypeError(
            f"x: expected integer PCM samples (int8, int16, int32 or uint8), got dtype {x.dtype}"
        )
    if x.dtype == np.uint8:
        return ((x.astype(np.float32) - 128.0) / np.float32(scale)).astype(np.float32)
    # Divide in float64 so that int32 values keep their precision until the final cast.
    return (x / scale).astype(np.float32)


def _int_dtype(bits: int) -> np.dtype:
    """The smallest signed integer dtype that holds ``bits``-bit samples."""
    if bits <= 8:
        return np.dtype(np.int8)
    if bits <= 16:
        return np.dtype(np.int16)
    return np.dtype(np.int32)


def float_to_int(y: np.ndarray, *, bits: int = 16) -> np.ndarray:
    """Float samples to signed PCM integers of ``bits`` bits: scale, round, clip.

    A sample ``v`` becomes ``round(v * 2**(bits-1))``, clipped to the signed range
    ``[-2**(bits-1), 2**(bits-1) - 1]`` (16 bits: -32768..32767), so 1.0 maps to 32767.

    Args:
        y: Float samples, normally in ``[-1, 1]``; shape ``(n,)`` or ``(channels, n)``.
        bits: Bit depth from 2 to 32 (default 16).

    Returns:
        int8 (bits <= 8), int16 (bits <= 16) or int32 array of the same shape.

    Lesson: 01 Sound is a list of numbers.
    """
    y = check_audio(y, mono=False)
    bits = check_bits(bits)
    full = 2.0 ** (bits - 1)
    q = np.clip(np.round(y.astype(np.float64) * full), -full, full - 1)
    return q.astype(_int_dtype(bits))


def quantize(y: np.ndarray, *, bits: int) -> np.ndarray:
    """Round ``y`` to ``2**bits`` levels and back: what storing it at ``bits`` bits keeps.

    Equals ``float_to_int(y, bits=bits) / 2**(bits-1)`` in the dtype of ``y``.  The
    quantization noise ``quantize(y, bits=b) - y`` drops by about 6 dB per extra bit.

    Args:
        y: Float samples in ``[-1, 1]``; shape ``(n,)`` or ``(channels, n)``.
        bits: Bit depth from 2 to 32.

    Returns:
        Float array of the same shape and dtype as ``y``.

    Lesson: 01 Sound is a list of numbers.
    """
    y = check_audio(y, mono=False)
    bits = check_bits(bits)
    return (float_to_int(y, bits=bits) / 2.0 ** (bits - 1)).astype(y.dtype)


def trim_silence(y: np.ndarray, *, sr: int, pad_ms: float, top_db: float = 40.0) -> np.ndarray:
    """Cut a recording's leading and trailing silence down to exactly ``pad_ms`` on each side.

    The sound is the span from the first to the last 5 ms frame whose RMS is within
    ``top_db`` dB of the loudest frame's (``librosa.effects.trim`` makes the same cut with
    its own frames).  ``pad_ms`` of the recording's own samples are kept on each side of
    it, and zeros are added where the recording has fewer.

    Args:
        y: Mono audio ``(n,)``.
        sr: Its sample rate in Hz.
        pad_ms: Silence to keep (or make) on each side, in ms (0 to 10000).
        top_db: How far below the loudest frame a frame still counts as sound (default 40).

    Returns:
        The trimmed (or padded) signal; empty when ``y`` is all zeros or shorter than a frame.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    y = check_audio(y, min_samples=0)
    sr = check_sr(sr)
    _check_ms(("pad_ms", pad_ms, 10000.0), ("top_db", top_db, 200.0))
    frame, is_loud = _loud_frames(y, sr=sr, top_db=top_db)
    if is_loud is None:
        return y[:0]
    loud = np.flatnonzero(is_loud)
    pad = int(round(pad_ms * sr / 1000))
    start = loud[0] * frame - pad
    stop = (loud[-1] + 1) * frame + pad
    out = y[max(0, start) : min(len(y), stop)]
    before, after = max(0, -start), max(0, stop - len(y))
    if before or after:
        out = np.concatenate([np.zeros(before, y.dtype), out, np.zeros(after, y.dtype)])
    return out


def _check_ms(*limits: tuple[str, object, float]) -> None:
    """Check ``(name, value, high)`` triples: each value a number from 0 to ``high``."""
    for name, value, high in limits:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
        if not 0 <= value <= high:
            raise ValueError(f"{name}: expected a value from 0 to {high:g}, got {value!r}")


def _loud_frames(y: np.ndarray, *, sr: int, top_db: float) -> tuple[int, np.ndarray | None]:
    """``(frame, loud)``: the 5 ms frame in samples, and whether each whole frame's RMS is
    within ``top_db`` dB of the loudest frame's (``None`` when there is no sound)."""
    frame = max(1, int(round(0.005 * sr)))
    n_frames = len(y) // frame
    if n_frames == 0:
        return frame, None
    rms = np.sqrt(np.mean(y[: n_frames * frame].reshape(n_frames, frame) ** 2, axis=1))
    if rms.max() <= 0:
        return frame, None
    return frame, rms >= rms.max() * 10 ** (-top_db / 20)


def pauses(y: np.ndarray, *, sr: int, top_db: float = 40.0, min_ms: float = 20.0) -> list[tuple[float, float]]:
    """The pauses inside a recording: stretches of near-silence between its first and last sound.

    The recording is cut into 5 ms frames as in :func:`trim_silence`; a frame is quiet when
    its RMS is more than ``top_db`` dB below the loudest frame's.  A pause is a run of quiet
    frames with sound on both sides, at least ``min_ms`` long (shorter runs are the
    closures of consonants and the dips between syllables).  Silence before the first and
    after the last sound is not a pause.

    Args:
        y: Mono audio ``(n,)``.
        sr: Its sample rate in Hz.
        top_db: How far below the loudest frame a frame still counts as sound (default 40).
        min_ms: The shortest pause reported, in ms (default 20; 0 reports every quiet run).

    Returns:
        ``[(start_s, stop_s), ...]`` in seconds from the start of ``y``, in order; each
        lasts a whole number of 5 ms frames.  Empty when there is no pause, no sound, or
        ``y`` is shorter than a frame.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    y = check_audio(y, min_samples=0)
    sr = check_sr(sr)
    _check_ms(("top_db", top_db, 200.0), ("min_ms", min_ms, 10000.0))
    frame, loud = _loud_frames(y, sr=sr, top_db=top_db)
    if loud is None:
        return []
    sound = np.flatnonzero(loud)
    inner = loud[sound[0] : sound[-1] + 1].astype(np.int8)
    edges = np.flatnonzero(np.diff(inner))  # last frame before each change
    starts = edges[inner[edges] == 1] + 1  # sound -> quiet
    stops = edges[inner[edges] == 0] + 1  # quiet -> sound
    found = []
    for a, b in zip(starts, stops):
        if (b - a) * frame * 1000 >= min_ms * sr:
            first = (sound[0] + a) * frame
            found.append((first / sr, (sound[0] + b) * frame / sr))
    return found
