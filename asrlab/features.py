"""Features of speech, from samples to MFCCs, written in NumPy and checked against librosa.

The story of lessons 02 to 05, one function per step:

* time domain: :func:`energy`, :func:`zero_crossings`, frame-wise :func:`rms` and
  :func:`zero_crossing_rate` (lesson 02);
* frequency domain: :func:`dft_matrix` / :func:`dft` (the O(N^2) DFT), decibels with
  :func:`amplitude_to_db` / :func:`power_to_db` (lesson 03);
* :func:`stft` = pad + frame + window + FFT of each frame (lesson 04);
* the mel scale (:func:`hz_to_mel`, :func:`mel_to_hz`), the triangular
  :func:`mel_filterbank`, :func:`melspectrogram`, :func:`mfcc`, :func:`delta` and the
  spectral shape features :func:`spectral_centroid`, :func:`spectral_bandwidth`,
  :func:`spectral_rolloff` (lesson 05).

Conventions are librosa's: features have shape ``(n_features, n_frames)``; frame ``t``
of a centred analysis is centred on sample ``t * hop_length``; float32 audio gives
float32 (or complex64) results.
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any, Callable

import numpy as np
import scipy.fft
import scipy.signal

from asrlab._validate import (
    check_audio,
    check_choice,
    check_finite_array,
    check_frame_fits,
    check_positive_int,
    check_real,
    check_sr,
)
from asrlab.signals import frame

__all__ = [
    "detect_speech",
    "energy",
    "zero_crossings",
    "rms",
    "zero_crossing_rate",
    "dft_matrix",
    "dft",
    "stft",
    "amplitude_to_db",
    "power_to_db",
    "hz_to_mel",
    "mel_to_hz",
    "mel_filterbank",
    "melspectrogram",
    "mfcc",
    "delta",
    "spectral_centroid",
    "spectral_bandwidth",
    "spectral_rolloff",
]

# Samples with |x| <= this count as exactly zero when looking for sign changes
# (librosa's default threshold), so that tiny noise around silence is not "crossing".
ZERO_THRESHOLD = 1e-10

# np.pad modes accepted where a signal is padded at both ends (center=True).
PAD_MODES = ("constant", "edge", "reflect", "symmetric", "linear_ramp")

# The STFT windows and transforms this many bytes of frames at a time (see stft).
_BLOCK_BYTES = 2**18

# dft_matrix(n) holds n * n complex numbers: 8192 of them need 1 GiB.
MAX_DFT_SIZE = 8192


# ---------------------------------------------------------------------------------------
# Lesson 02: time-domain features
# ---------------------------------------------------------------------------------------


def energy(y: np.ndarray) -> float:
    """Energy of a signal: the sum of its squared samples, ``sum(y[n] ** 2)``.

    ``energy([1, -2, 3]) == 14``.  Integer samples are allowed (squared in float64, so
    int16 PCM cannot overflow).

    Args:
        y: Samples, shape ``(n,)``.

    Returns:
        The energy as a Python float (units: squared sample values).

    Lesson: 02 Time-domain features.
    """
    y = check_audio(y, allow_int=True).astype(np.float64, copy=False)
    return float(np.dot(y, y))


def _is_negative(y: np.ndarray) -> np.ndarray:
    """True where a sample is below zero; samples within ``ZERO_THRESHOLD`` of zero
    (including -0.0) count as zero, which counts as positive."""
    return (y < 0) & (np.abs(y) > ZERO_THRESHOLD)


def zero_crossings(y: np.ndarray) -> int:
    """Number of sign changes between consecutive samples.

    ``zero_crossings([1, -2, 3]) == 2``.  Zero counts as positive, and samples within
    ``1e-10`` of zero count as zero (librosa's conventions), so ``[1, 0, -1]`` has one
    crossing and silence has none.  This equals
    ``librosa.zero_crossings(y, pad=False).sum()``; librosa's default ``pad=True``
    also marks the first sample, giving one more.

    Args:
        y: Samples, shape ``(n,)``; float or integer.

    Returns:
        The number of crossings, an ``int`` from 0 to ``n - 1``.

    Lesson: 02 Time-domain features.
    """
    negative = _is_negative(check_audio(y, allow_int=True))
    return int(np.count_nonzero(negative[1:] != negative[:-1]))


def _check_fits(n_samples: int, length: int, *, name: str, center: bool) -> None:
    if center:
        check_frame_fits(n_samples, length, name=name, what="padded signal")
    else:
        check_frame_fits(n_samples, length, name=name, hint="; center=False pads nothing")


def _resolve_frames(
    y: np.ndarray, *, frame_length: int, hop_length: int, center: bool, pad_mode: str
) -> np.ndarray:
    """Validate the framing arguments, pad ``y`` when centring, and frame it."""
    frame_length = check_positive_int(frame_length, name="frame_length")
    hop_length = check_positive_int(hop_length, name="hop_length")
    check_choice(pad_mode, name="pad_mode", choices=PAD_MODES)
    if center:
        # frame_length // 2 samples on each side: frame t is centred on y[t * hop_length].
        y = np.pad(y, frame_length // 2, mode=pad_mode)
    _check_fits(len(y), frame_length, name="frame_length", center=center)
    return frame(y, frame_length=frame_length, hop_length=hop_length)


def rms(
    y: np.ndarray,
    *,
    frame_length: int = 2048,
    hop_length: int = 512,
    center: bool = True,
    pad_mode: str = "constant",
) -> np.ndarray:
    """Root-mean-square level of each frame, like ``librosa.feature.rms(y=y)``.

    ``rms[0, t] = sqrt(mean(frame_t ** 2))``.

    Args:
        y: Float signal, shape ``(n,)``.
        frame_length: Samples per frame (default 2048).
        hop_length: Samples between frames (default 512).
        center: Pad ``frame_length // 2`` samples on both ends first, so that frame ``t``
            is centred on sample ``t * hop_length`` (default True).
        pad_mode: How to pad: ``"constant"`` (zeros, default), ``"edge"``, ``"reflect"``...

    Returns:
        float32 array of shape ``(1, n_frames)`` (float32 whatever the input, as librosa).

    Lesson: 02 Time-domain features.
    """
    y = check_audio(y)
    frames = _resolve_frames(
        y, frame_length=frame_length, hop_length=hop_length, center=center, pad_mode=pad_mode
    )
    # Mean of the squares down each column (einsum sums the products without building
    # a squared copy of all the frames).
    power = np.einsum("ij,ij->j", frames, frames) / frames.shape[0]
    return np.sqrt(power).astype(np.float32)[np.newaxis, :]


def zero_crossing_rate(
    y: np.ndarray,
    *,
    frame_length: int = 2048,
    hop_length: int = 512,
    center: bool = True,
) -> np.ndarray:
    """Fraction of sign changes in each frame, like ``librosa.feature.zero_crossing_rate``.

    ``zcr[0, t] = (sign changes between consecutive samples of frame t) / frame_length``,
    with the conventions of :func:`zero_crossings`.  Voiced speech crosses slowly,
    fricatives such as "s" fast.

    Args:
        y: Float signal, shape ``(n,)``.
        frame_length: Samples per frame (default 2048).
        hop_length: Samples between frames (default 512).
        center: Pad ``frame_length // 2`` copies of the end samples (``"edge"`` mode, as
            librosa) on both ends first (default True).

    Returns:
        float64 array of shape ``(1, n_frames)``, values in ``[0, 1)``.

    Lesson: 02 Time-domain features.
    """
    y = check_audio(y)
    frames = _resolve_frames(
        y, frame_length=frame_length, hop_length=hop_length, center=center, pad_mode="edge"
    )
    negative = _is_negative(frames)
    changes = negative[1:] != negative[:-1]  # (frame_length - 1, n_frames)
    return (np.count_nonzero(changes, axis=0) / frames.shape[0])[np.newaxis, :]


# ---------------------------------------------------------------------------------------
# Lesson 03: the frequency domain
# ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _dft_matrix(n: int) -> np.ndarray:
    k = np.arange(n)
    # (k * m) mod n keeps the angle small, so large n loses no precision in exp().
    angles = -2.0 * np.pi * (np.outer(k, k) % n) / n
    w = np.exp(1j * angles)
    w.flags.writeable = False
    return w


def dft_matrix(n: int) -> np.ndarray:
    """The ``n x n`` DFT matrix ``W[k, m] = exp(-2 pi i k m / n)``.

    Row ``k`` is a complex sinusoid making ``k`` turns over ``n`` samples, so
    ``W @ x`` correlates ``x`` with every such sinusoid: that is the DFT.

    Args:
        n: Transform size, 1 to 8192.

    Returns:
        complex128 array of shape ``(n, n)``.

    Lesson: 03 The frequency domain.
    """
    n = check_positive_int(n, name="n")
    if n > MAX_DFT_SIZE:
        raise ValueError(
            f"n: expected at most {MAX_DFT_SIZE} (the matrix has n * n entries; "
            f"use np.fft.fft for long signals), got {n}"
        )
    return _dft_matrix(n).copy()


def dft(x: np.ndarray) -> np.ndarray:
    """The discrete Fourier transform as a matrix product, ``dft_matrix(n) @ x``.

    Equals ``np.fft.fft(x)`` but costs O(n^2) operations instead of O(n log n): the point
    of the FFT is computing the same numbers faster.

    Args:
        x: Real or complex samples, shape ``(n,)`` with ``n <= 8192``.

    Returns:
        Complex array of shape ``(n,)``: complex64 for float32/complex64 input (as
        ``np.fft.fft``), complex128 otherwise.

    Lesson: 03 The frequency domain.
    """
    x = check_finite_array(x, name="x", ndim=1)
    if len(x) > MAX_DFT_SIZE:
        raise ValueError(
            f"x: expected at most {MAX_DFT_SIZE} samples for the O(n^2) DFT "
            f"(use np.fft.fft for long signals), got {len(x)}"
        )
    out_dtype = np.complex64 if x.dtype in (np.float32, np.complex64) else np.complex128
    return (_dft_matrix(len(x)) @ x.astype(np.complex128)).astype(out_dtype)


def _check_ref(ref: float | Callable[[np.ndarray], Any]) -> float | Callable[[np.ndarray], Any]:
    if callable(ref):
        return ref
    return check_real(ref, name="ref", low=0.0, low_open=True)


def power_to_db(
    S: np.ndarray,
    *,
    ref: float | Callable[[np.ndarray], Any] = 1.0,
    amin: float = 1e-10,
    top_db: float | None = 80.0,
) -> np.ndarray:
    """Power (a squared magnitude) to decibels, like ``librosa.power_to_db``.

    ``10 * log10(max(amin, S) / max(amin, ref))``, then values more than ``top_db``
    below the loudest are raised to ``max - top_db``.

    Args:
        S: Power values (e.g. ``np.abs(D) ** 2``), any shape; a scalar works too.
        ref: The power that becomes 0 dB (default 1.0), or a function of ``S`` giving
            it, e.g. ``np.max`` so that the loudest value is 0 dB.
        amin: Floor on power, avoiding log(0) (default 1e-10, i.e. -100 dB).
        top_db: Dynamic range kept below the maximum in dB (default 80); ``None``
            keeps everything.

    Returns:
        Decibels, same shape (and float dtype) as ``S``.

    Raises:
        TypeError: ``S`` is complex: pass ``np.abs(D) ** 2``, not the STFT ``D``.

    Lesson: 03 The frequency domain.
    """
    S = check_finite_array(S, name="S")
    if np.iscomplexobj(S):
        raise TypeError(
            f"S: expected real power values such as np.abs(D) ** 2, got complex dtype {S.dtype}"
        )
    if not np.issubdtype(S.dtype, np.floating):
        S = S.astype(np.float64)
    ref = _check_ref(ref)
    amin = check_real(amin, name="amin", low=0.0, low_open=True)
    if top_db is not None:
        top_db = check_real(top_db, name="top_db", low=0.0)
    ref_value = ref(S) if callable(ref) else ref
    return _power_to_db(S, ref_value=ref_value, amin=amin, top_db=top_db)


def _power_to_db(S: np.ndarray, *, ref_value: Any, amin: float, top_db: float | None) -> np.ndarray:
    db = 10.0 * np.log10(np.maximum(amin, S))
    db -= 10.0 * np.log10(np.maximum(amin, ref_value))
    if top_db is not None:
        db = np.maximum(db, db.max() - top_db)
    return db


def amplitude_to_db(
    S: np.ndarray,
    *,
    ref: float | Callable[[np.ndarray], Any] = 1.0,
    amin: float = 1e-5,
    top_db: float | None = 80.0,
) -> np.ndarray:
    """Amplitude (a magnitude) to decibels, like ``librosa.amplitude_to_db``.

    ``20 * log10(max(amin, |S|) / max(amin, ref))`` computed as
    ``power_to_db(|S| ** 2, ref=ref ** 2, amin=amin ** 2, top_db=top_db)``.

    Args:
        S: Amplitudes, any shape; complex values (an STFT) are replaced by their
            magnitude ``np.abs(S)``.
        ref: The amplitude that becomes 0 dB (default 1.0), or a function of ``|S|``
            such as ``np.max``.
        amin: Floor on amplitude (default 1e-5, i.e. -100 dB).
        top_db: Dynamic range kept below the maximum in dB (default 80); ``None``
            keeps everything.

    Returns:
        Decibels, real, same shape as ``S`` (float32 for float32/complex64 input).

    Lesson: 03 The frequency domain.
    """
    S = check_finite_array(S, name="S")
    magnitude = np.abs(S)
    if not np.issubdtype(magnitude.dtype, np.floating):
        magnitude = magnitude.astype(np.float64)
    ref = _check_ref(ref)
    amin = check_real(amin, name="amin", low=0.0, low_open=True)
    if top_db is not None:
        top_db = check_real(top_db, name="top_db", low=0.0)
    ref_value = ref(magnitude) if callable(ref) else ref
    # 20 log10(a) = 10 log10(a ** 2): square everything and reuse the power formula.
    return _power_to_db(
        np.square(magnitude), ref_value=np.abs(ref_value) ** 2, amin=amin**2, top_db=top_db
    )


# ---------------------------------------------------------------------------------------
# Lesson 04: the short-time Fourier transform
# ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _window(window: str | tuple | float, win_length: int, n_fft: int) -> np.ndarray:
    """``get_window(window, win_length)`` zero-padded in the centre of ``n_fft`` samples."""
    try:
        w = scipy.signal.get_window(window, win_length, fftbins=True)
    except ValueError as exc:
        raise ValueError(
            "window: expected a window name understood by scipy.signal.get_window "
            f"(e.g. 'hann', 'hamming', ('kaiser', 8.0)), got {window!r} ({exc})"
        ) from None
    left = (n_fft - win_length) // 2
    w = np.pad(w, (left, n_fft - win_length - left))
    w.flags.writeable = False
    return w


def _fft_window(window: Any, win_length: int, n_fft: int) -> np.ndarray:
    if isinstance(window, np.ndarray):
        w = check_finite_array(window, name="window", ndim=1)
        if np.iscomplexobj(w):
            raise TypeError(f"window: expected real window samples, got complex dtype {w.dtype}")
        if len(w) != win_length:
            raise ValueError(
                f"window: expected an array of win_length={win_length} samples, got {len(w)}"
            )
        left = (n_fft - win_length) // 2
        return np.pad(w.astype(np.float64), (left, n_fft - win_length - left))
    try:
        return _window(window, win_length, n_fft)
    except TypeError:  # not hashable (e.g. a list): build it without the cache
        return _window.__wrapped__(window, win_length, n_fft)


def _float_audio(y: np.ndarray) -> np.ndarray:
    """Validated mono float audio, as float32 or float64 (float16 becomes float32)."""
    y = check_audio(y)
    if y.dtype not in (np.float32, np.float64):
        y = y.astype(np.float32 if y.dtype.itemsize < 4 else np.float64)
    return y


def stft(
    y: np.ndarray,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: str | tuple | np.ndarray = "hann",
    center: bool = True,
    pad_mode: str = "constant",
) -> np.ndarray:
    """Short-time Fourier transform, same conventions and result as ``librosa.stft``.

    The recipe: pad ``n_fft // 2`` samples on both ends (when ``center``), cut frames of
    ``n_fft`` samples every ``hop_length`` samples, multiply each frame by the window,
    and take the real FFT of each frame.  Column ``t`` is the spectrum of the frame
    centred on sample ``t * hop_length``; row ``k`` is the frequency ``k * sr / n_fft`` Hz.

    Args:
        y: Float signal, shape ``(n,)``.
        n_fft: FFT size in samples (default 2048).
        hop_length: Samples between frames (default ``win_length // 4``, at least 1).
        win_length: Window length in samples, at most ``n_fft`` (default ``n_fft``); a
            shorter window is zero-padded in the centre to ``n_fft``.
        window: Window name (or tuple) understood by ``scipy.signal.get_window``
            (default ``"hann"``), or an array of ``win_length`` samples.
        center: Pad so that frame ``t`` is centred at ``y[t * hop_length]`` (default
            True).  With False, ``y`` must hold at least ``n_fft`` samples.
        pad_mode: How to pad when centring: ``"constant"`` (zeros, default),
            ``"edge"``, ``"reflect"``...  The whole signal is padded with ``np.pad``.
            (librosa 0.11 pads the tail separately; with ``"reflect"`` and a hop of
            half a frame or more its last frame can then differ from this definition.)

    Returns:
        Complex array of shape ``(1 + n_fft // 2, n_frames)``: complex64 for float32
        input, complex128 for float64.  ``n_frames = 1 + n // hop_length`` when
        centred, ``1 + (n - n_fft) // hop_length`` otherwise.

    Lesson: 04 STFT and spectrograms.
    """
    y = _float_audio(y)
    n_fft = check_positive_int(n_fft, name="n_fft")
    if win_length is None:
        win_length = n_fft
    win_length = check_positive_int(win_length, name="win_length")
    if win_length > n_fft:
        raise ValueError(f"win_length: expected at most n_fft={n_fft}, got {win_length}")
    if hop_length is None:
        hop_length = max(win_length // 4, 1)
    hop_length = check_positive_int(hop_length, name="hop_length")
    check_choice(pad_mode, name="pad_mode", choices=PAD_MODES)
    fft_window = _fft_window(window, win_length, n_fft)

    if center:
        y = np.pad(y, n_fft // 2, mode=pad_mode)
    _check_fits(len(y), n_fft, name="n_fft", center=center)
    frames = frame(y, frame_length=n_fft, hop_length=hop_length)  # (n_fft, n_frames) view
    rows = frames.T  # one frame per row: each FFT then runs over contiguous memory

    out_dtype = np.complex64 if y.dtype == np.float32 else np.complex128
    spectrum = np.empty((rows.shape[0], 1 + n_fft // 2), dtype=out_dtype)
    # Window and transform a block of frames at a time: blocks that fit in the CPU cache
    # are several times faster than one huge temporary array.  The product with the
    # float64 window is float64, so float32 audio is transformed in double precision too
    # (as librosa does) and only the result is rounded to complex64.
    block = max(1, _BLOCK_BYTES // (n_fft * 8))
    for start in range(0, rows.shape[0], block):
        windowed = rows[start : start + block] * fft_window
        spectrum[start : start + block] = np.fft.rfft(windowed, axis=-1)
    return spectrum.T  # (1 + n_fft // 2, n_frames)


# ---------------------------------------------------------------------------------------
# Lesson 05: mel spectrograms, MFCCs and spectral shape
# ---------------------------------------------------------------------------------------

# librosa's default (Slaney's Auditory Toolbox) mel scale: linear up to 1 kHz, then
# logarithmic with 27 mel steps per factor of 6.4 in frequency.
_SLANEY_HZ_PER_MEL = 200.0 / 3  # linear part: 66.67 Hz per mel
_SLANEY_BREAK_HZ = 1000.0
_SLANEY_BREAK_MEL = _SLANEY_BREAK_HZ / _SLANEY_HZ_PER_MEL  # 15 mel
_SLANEY_LOG_STEP = np.log(6.4) / 27.0


def _scalar_or_array(x: np.ndarray) -> Any:
    return x[()] if x.ndim == 0 else x


def _check_frequencies(x: Any, *, name: str) -> np.ndarray:
    x = check_finite_array(x, name=name)
    if np.iscomplexobj(x):
        raise TypeError(f"{name}: expected real values, got complex dtype {x.dtype}")
    if np.any(x < 0):
        raise ValueError(f"{name}: expected values >= 0, got {float(x.min())!r}")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def hz_to_mel(f: float | np.ndarray, *, htk: bool = False) -> float | np.ndarray:
    """Frequency in Hz to mel, like ``librosa.hz_to_mel``.

    HTK formula: ``2595 * log10(1 + f / 700)`` (so 1000 Hz is about 1000 mel).  Default
    (Slaney): ``f / 66.67`` below 1 kHz, logarithmic above (1000 Hz is 15 mel).

    Args:
        f: Frequency in Hz (>= 0), a number or an array.
        htk: Use the HTK formula instead of Slaney's (default False).

    Returns:
        Mel values: a NumPy scalar for a scalar input, else an array of the same shape.

    Lesson: 05 Mel spectrograms and MFCCs.
    """
    f = _check_frequencies(f, name="f")
    if htk:
        return _scalar_or_array(2595.0 * np.log10(1.0 + f / 700.0))
    linear = f / _SLANEY_HZ_PER_MEL
    above = f >= _SLANEY_BREAK_HZ
    # np.maximum keeps log() away from 0 Hz in the entries np.where then discards.
    log_ratio = np.log(np.maximum(f, _SLANEY_BREAK_HZ) / _SLANEY_BREAK_HZ)
    logarithmic = _SLANEY_BREAK_MEL + log_ratio / _SLANEY_LOG_STEP
    return _scalar_or_array(np.where(above, logarithmic, linear).astype(linear.dtype, copy=False))


def mel_to_hz(m: float | np.ndarray, *, htk: bool = False) -> float | np.ndarray:
    """Mel to frequency in Hz, the inverse of :func:`hz_to_mel` (like ``librosa.mel_to_hz``).

    Args:
        m: Mel value(s) (>= 0), a number or an array.
        htk: Use the HTK formula ``700 * (10 ** (m / 2595) - 1)`` (default False: Slaney).

    Returns:
        Hz: a NumPy scalar for a scalar input, else an array of the same shape.

    Lesson: 05 Mel spectrograms and MFCCs.
    """
    m = _check_frequencies(m, name="m")
    if htk:
        return _scalar_or_array(700.0 * (10.0 ** (m / 2595.0) - 1.0))
    linear = _SLANEY_HZ_PER_MEL * m
    above = m >= _SLANEY_BREAK_MEL
    mels_above_break = np.maximum(m, _SLANEY_BREAK_MEL) - _SLANEY_BREAK_MEL
    logarithmic = _SLANEY_BREAK_HZ * np.exp(_SLANEY_LOG_STEP * mels_above_break)
    return _scalar_or_array(np.where(above, logarithmic, linear).astype(linear.dtype, copy=False))


@functools.lru_cache(maxsize=32)
def _mel_filterbank(
    sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float, htk: bool, norm: str | float | None
) -> tuple[np.ndarray, int]:
    """The (read-only) filterbank and its number of empty filters."""
    # Centre frequency (Hz) of each FFT bin.
    bin_hz = np.fft.rfftfreq(n_fft, d=1.0 / sr)
    # n_mels + 2 edges equally spaced in mel: filter i rises from edge i to its peak at
    # edge i + 1 and falls back to zero at edge i + 2.
    mel_edges = np.linspace(hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk), n_mels + 2)
    edges = mel_to_hz(mel_edges, htk=htk)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bin_hz - lower) / (centre - lower)
    falling = (upper - bin_hz) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling)).astype(np.float32)

    if norm == "slaney":
        # Divide each triangle by its width in Hz (area normalisation), so that wide
        # high-frequency filters do not collect more energy than narrow low ones.
        weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    elif norm is not None:
        if math.isinf(norm):
            lengths = np.max(np.abs(weights), axis=1)
        else:
            lengths = np.sum(np.abs(weights) ** norm, axis=1) ** (1.0 / norm)
        lengths[lengths < np.finfo(weights.dtype).tiny] = 1.0
        weights /= lengths[:, None]

    # Filters that caught no FFT bin at all (a filter starting at 0 Hz may be empty).
    n_empty = int(np.sum((edges[:-2] != 0) & (weights.max(axis=1) <= 0)))
    weights.flags.writeable = False
    return weights, n_empty


def _filterbank(
    sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float, htk: bool, norm: str | float | None
) -> np.ndarray:
    """The cached, read-only filterbank; warns (every time) when filters are empty."""
    weights, n_empty = _mel_filterbank(sr, n_fft, n_mels, fmin, fmax, bool(htk), norm)
    if n_empty:
        warnings.warn(
            f"mel_filterbank: {n_empty} of the {n_mels} mel filters contain no FFT "
            f"bin (n_fft={n_fft} at sr={sr} Hz is too coarse for n_mels={n_mels}); "
            "use fewer mel bands or a larger n_fft",
            UserWarning,
            stacklevel=3,
        )
    return weights


def _check_mel_args(
    sr: Any, n_fft: Any, n_mels: Any, fmin: Any, fmax: Any, norm: Any
) -> tuple[int, int, int, float, float, str | float | None]:
    sr = check_sr(sr)
    n_fft = check_positive_int(n_fft, name="n_fft")
    n_mels = check_positive_int(n_mels, name="n_mels")
    fmin = check_real(fmin, name="fmin", low=0.0)
    if fmax is None:
        fmax = sr / 2
    fmax = check_real(fmax, name="fmax", low=fmin, low_open=True)
    if norm is not None and norm != "slaney":
        is_number = isinstance(norm, (int, float)) and not isinstance(norm, bool)
        if not is_number or not norm > 0:
            raise ValueError(
                f"norm: expected 'slaney', None or a positive number (p-norm), got {norm!r}"
            )
        norm = float(norm)
    return sr, n_fft, n_mels, fmin, fmax, norm


def mel_filterbank(
    *,
    sr: int,
    n_fft: int,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
    htk: bool = False,
    norm: str | float | None = "slaney",
) -> np.ndarray:
    """Triangular mel filterbank, like ``librosa.filters.mel``.

    Row ``i`` is a triangle over the FFT bins, rising from mel edge ``i`` to a peak at
    edge ``i + 1`` and falling to zero at edge ``i + 2``; the ``n_mels + 2`` edges are
    equally spaced on the mel scale between ``fmin`` and ``fmax``.  ``M @ S`` turns a
    power spectrogram ``S`` into a mel spectrogram.

    Args:
        sr: Sample rate in Hz.
        n_fft: FFT size; the filters cover its ``1 + n_fft // 2`` bins.
        n_mels: Number of mel bands (default 128; 40 or 80 are common for speech).
        fmin: Lowest frequency in Hz (default 0).
        fmax: Highest frequency in Hz (default ``sr / 2``).
        htk: Use the HTK mel formula instead of Slaney's (default False).
        norm: ``"slaney"`` (default: divide each triangle by its width in Hz), ``None``
            (peaks of 1), or a number ``p`` (unit p-norm rows).

    Returns:
        float32 array of shape ``(n_mels, 1 + n_fft // 2)``.

    Warns:
        UserWarning: some filters contain no FFT bin (too many bands for ``n_fft``), as
        librosa warns.

    Lesson: 05 Mel spectrograms and MFCCs.
    """
    sr, n_fft, n_mels, fmin, fmax, norm = _check_mel_args(sr, n_fft, n_mels, fmin, fmax, norm)
    return _filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm).copy()


def melspectrogram(
    y: np.ndarray,
    *,
    sr: int,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: str | tuple | np.ndarray = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
    htk: bool = False,
    norm: str | float | None = "slaney",
) -> np.ndarray:
    """Mel spectrogram, like ``librosa.feature.melspectrogram``.

    ``mel_filterbank(...) @ np.abs(stft(y, ...)) ** power``: the power in each frame,
    summed through each mel band's triangle.  Take :func:`power_to_db` of it for the
    log-mel features that speech models use.

    Args:
        y: Float signal, shape ``(n,)``.
        sr: Sample rate in Hz.
        n_fft, hop_length, win_length, window, center, pad_mode: As in :func:`stft`
            (defaults 2048, 512, ``n_fft``, ``"hann"``, True, ``"constant"``).
        power: Exponent of the magnitude: 2.0 power (default), 1.0 magnitude.
        n_mels, fmin, fmax, htk, norm: As in :func:`mel_filterbank` (defaults 128, 0,
            ``sr / 2``, False, ``"slaney"``).

    Returns:
        Array of shape ``(n_mels, n_frames)``, float32 for float32 input.

    Lesson: 05 Mel spectrograms and MFCCs.
    """
    mel_args = _check_mel_args(sr, n_fft, n_mels, fmin, fmax, norm)
    power = check_real(power, name="power", low=0.0, low_open=True)
    D = stft(
        y,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )
    S = np.abs(D)  # magnitude spectrogram
    if power != 1.0:
        S **= power  # in place: power=2 gives the power spectrogram
    sr, n_fft, n_mels, fmin, fmax, norm = mel_args
    basis = _filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm)
    return basis.astype(S.dtype, copy=False) @ S


def mfcc(
    y: np.ndarray,
    *,
    sr: int,
    n_mfcc: int = 20,
    dct_type: int = 2,
    norm: str | None = "ortho",
    lifter: float = 0,
    mel_norm: str | float | None = "slaney",
    **mel_kwargs: Any,
) -> np.ndarray:
    """Mel-frequency cepstral coefficients, like ``librosa.feature.mfcc``.

    log-mel (``power_to_db(melspectrogram(y, ...))``) -> DCT along the mel axis -> keep
    the first ``n_mfcc`` rows.  The DCT decorrelates neighbouring mel bands and packs
    the spectral envelope into a few coefficients.

    Args:
        y: Float signal, shape ``(n,)``.
        sr: Sample rate in Hz.
        n_mfcc: Coefficients kept (default 20; 13 is classic for ASR), at most n_mels.
        dct_type: DCT type 1, 2 (default) or 3 (``scipy.fft.dct``).
        norm: DCT normalisation, ``"ortho"`` (default, orthonormal) or ``None``.
        lifter: Cepstral liftering ``1 + (lifter / 2) sin(pi (k + 1) / lifter)`` when
            > 0 (default 0: none).
        mel_norm: The filterbank's ``norm`` (default ``"slaney"``).
        **mel_kwargs: Passed to :func:`melspectrogram` (``n_fft``, ``hop_length``,
            ``n_mels``, ``fmin``, ``fmax``, ``htk``, ``window``, ...).

    Returns:
        Array of shape ``(n_mfcc, n_frames)``, float32 for float32 input.

    Lesson: 05 Mel spectrograms and MFCCs.
    """
    n_mfcc = check_positive_int(n_mfcc, name="n_mfcc")
    check_choice(dct_type, name="dct_type", choices=(1, 2, 3))
    check_choice(norm, name="norm", choices=("ortho", None))
    lifter = check_real(lifter, name="lifter", low=0.0)
    n_mels = check_positive_int(mel_kwargs.get("n_mels", 128), name="n_mels")
    if n_mfcc > n_mels:
        raise ValueError(f"n_mfcc: expected at most n_mels={n_mels}, got {n_mfcc}")
    log_mel = power_to_db(melspectrogram(y, sr=sr, norm=mel_norm, **mel_kwargs))
    coefficients = scipy.fft.dct(log_mel, axis=0, type=dct_type, norm=norm)[:n_mfcc]
    if lifter > 0:
        k = np.arange(1, n_mfcc + 1, dtype=coefficients.dtype)
        coefficients *= (1 + (lifter / 2) * np.sin(np.pi * k / lifter))[:, np.newaxis]
    return coefficients


@functools.lru_cache(maxsize=32)
def _derivative_kernel(width: int, order: int) -> np.ndarray:
    """Weights that give the ``order``-th derivative at the centre of a window of
    ``width`` points from a least-squares polynomial fit of degree ``order``."""
    half = width // 2
    offsets = np.arange(-half, half + 1, dtype=np.float64)
    vandermonde = offsets[:, None] ** np.arange(order + 1)  # (width, order + 1)
    # Row `order` of the pseudo-inverse maps the window to the fitted polynomial's
    # coefficient of t**order; its order-th derivative is order! times that.
    kernel = math.factorial(order) * np.linalg.pinv(vandermonde)[order]
    kernel.flags.writeable = False
    return kernel


def delta(data: np.ndarray, *, width: int = 9, order: int = 1) -> np.ndarray:
    """Delta (time-derivative) features, like ``librosa.feature.delta`` (``mode="interp"``).

    Each value is the ``order``-th derivative, along the last axis (time), of a
    polynomial of degree ``order`` fitted by least squares to the ``width`` frames
    around it (a Savitzky-Golay filter).  For ``order=1`` this is the classic regression
    formula ``sum_n n (c[t+n] - c[t-n]) / (2 sum_n n^2)``.  The first and last
    ``width // 2`` frames take the value of the nearest full window, which is exactly
    what fitting the polynomial to the edge window gives.

    Args:
        data: Features, shape ``(n_frames,)`` or ``(n_features, n_frames)``.
        width: Odd number of frames in each window, 3 or more, at most ``n_frames``
            (default 9).
        order: Derivative order, 1 (delta, default) or 2 (delta-delta), below ``width``.

    Returns:
        Array of the shape of ``data`` (float32 stays float32).

    Lesson: 05 Mel spectrograms and MFCCs.
    """
    data = check_finite_array(data, name="data")
    if np.iscomplexobj(data):
        raise TypeError(f"data: expected real features, got complex dtype {data.dtype}")
    if data.ndim not in (1, 2):
        raise ValueError(
            f"data: expected shape (n_frames,) or (n_features, n_frames), got shape {data.shape}"
        )
    width = check_positive_int(width, name="width")
    order = check_positive_int(order, name="order")
    if width < 3 or width % 2 == 0:
        raise ValueError(f"width: expected an odd integer >= 3, got {width}")
    if width > data.shape[-1]:
        raise ValueError(
            f"width: expected at most the number of frames ({data.shape[-1]}), got {width}"
        )
    if order >= width:
        raise ValueError(f"order: expected less than width={width}, got {order}")
    if data.dtype != np.float32:
        data = data.astype(np.float64)

    half = width // 2
    kernel = _derivative_kernel(width, order)
    # Every run of `width` consecutive frames: shape (..., n_frames - 2 * half, width).
    windows = np.lib.stride_tricks.sliding_window_view(data, width, axis=-1)
    inner = windows @ kernel.astype(data.dtype)
    # Edge frames repeat the derivative of the first / last full window.
    pad = [(0, 0)] * (data.ndim - 1) + [(half, half)]
    return np.pad(inner, pad, mode="edge")


def _magnitude_and_freqs(
    y: np.ndarray, *, sr: int, **stft_kwargs: Any
) -> tuple[np.ndarray, np.ndarray]:
    sr = check_sr(sr)
    S = np.abs(stft(y, **stft_kwargs))
    return S, np.fft.rfftfreq(stft_kwargs["n_fft"], d=1.0 / sr)


def _column_sums(S: np.ndarray) -> np.ndarray:
    """Sum of each column, with 1 for all-zero columns (so that dividing leaves them 0)."""
    total = S.sum(axis=0)
    total[total < np.finfo(S.dtype).tiny] = 1.0
    return total


def spectral_centroid(
    y: np.ndarray,
    *,
    sr: int,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: str | tuple | np.ndarray = "hann",
    center: bool = True,
    pad_mode: str = "constant",
) -> np.ndarray:
    """Spectral centroid of each frame in Hz, like ``librosa.feature.spectral_centroid``.

    The magnitude-weighted mean frequency, ``sum_k f_k |S[k, t]| / sum_k |S[k, t]|``:
    the spectrum's centre of mass ("brightness").  Silent frames give 0.

    Args:
        y: Float signal, shape ``(n,)``.
        sr: Sample rate in Hz.
        n_fft, hop_length, win_length, window, center, pad_mode: As in :func:`stft`
            (defaults 2048, 512, ``n_fft``, ``"hann"``, True, ``"constant"``).

    Returns:
        float64 array of shape ``(1, n_frames)``.

    Lesson: 05 Mel spectrograms and MFCCs.
    """
    S, freqs = _magnitude_and_freqs(
        y, sr=sr, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
        window=window, center=center, pad_mode=pad_mode,
    )
    # Weighted mean: sum of frequency x magnitude over the sum of magnitudes.
    return ((freqs @ S) / _column_sums(S))[np.newaxis, :]


def spectral_bandwidth(
    y: np.ndarray,
    *,
    sr: int,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: str | tuple | np.ndarray = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    p: float = 2.0,
) -> np.ndarray:
    """Spectral bandwidth of each frame in Hz, like ``librosa.feature.spectral_bandwidth``.

    The magnitude-weighted p-th order spread around the centroid,
    ``(sum_k w[k, t] |f_k - centroid_t| ** p) ** (1 / p)`` with ``w`` the column-normalised
    magnitudes (p=2: a standard deviation in Hz).

    Args:
        y: Float signal, shape ``(n,)``.
        sr: Sample rate in Hz.
        n_fft, hop_length, win_length, window, center, pad_mode: As in :func:`stft`.
        p: Order of the spread (default 2).

    Returns:
        float64 array of shape ``(1, n_frames)``.

    Lesson: 05 Mel spectrograms and MFCCs.
    """
    p = check_real(p, name="p", low=0.0, low_open=True)
    S, freqs = _magnitude_and_freqs(
        y, sr=sr, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
        window=window, center=center, pad_mode=pad_mode,
    )
    weights = S / _column_sums(S)  # each column sums to 1
    centroid = freqs @ weights  # (n_frames,)
    deviation = np.abs(freqs[:, np.newaxis] - centroid[np.newaxis, :])
    return (np.sum(weights * deviation**p, axis=0) ** (1.0 / p))[np.newaxis, :]


def spectral_rolloff(
    y: np.ndarray,
    *,
    sr: int,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: str | tuple | np.ndarray = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    roll_percent: float = 0.85,
) -> np.ndarray:
    """Roll-off frequency of each frame in Hz, like ``librosa.feature.spectral_rolloff``.

    The centre frequency of the first FFT bin at which the cumulative magnitude reaches
    ``roll_percent`` of the frame's total (default 85%).

    Args:
        y: Float signal, shape ``(n,)``.
        sr: Sample rate in Hz.
        n_fft, hop_length, win_length, window, center, pad_mode: As in :func:`stft`.
        roll_percent: Fraction of the magnitude below the roll-off, in (0, 1)
            (default 0.85).

    Returns:
        float64 array of shape ``(1, n_frames)``.

    Lesson: 05 Mel spectrograms and MFCCs.
    """
    roll_percent = check_real(
        roll_percent, name="roll_percent", low=0.0, high=1.0, low_open=True, high_open=True
    )
    S, freqs = _magnitude_and_freqs(
        y, sr=sr, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
        window=window, center=center, pad_mode=pad_mode,
    )
    cumulative = np.cumsum(S, axis=0)
    reached = cumulative >= roll_percent * cumulative[-1]
    first_bin = np.argmax(reached, axis=0)  # argmax of booleans: the first True
    return freqs[first_bin][np.newaxis, :]


def detect_speech(
    y: np.ndarray,
    *,
    sr: int,
    frame_ms: float = 25.0,
    hop_ms: float = 10.0,
    threshold_db: float = -40.0,
    hangover_ms: float = 100.0,
) -> np.ndarray:
    """Energy-based voice activity detection with hangover.

    A frame (centred RMS frames as in :func:`rms`, ``frame_length = round(frame_ms * sr /
    1000)`` samples, ``hop_length = round(hop_ms * sr / 1000)`` samples) is *loud* when
    its level ``20 log10(max(rms, 1e-10))`` in dB re full scale is above ``threshold_db``.
    Speech is declared in every loud frame and in the ``round(hangover_ms / hop_ms)``
    frames after it, so that short closures inside words (the silence before the burst
    of a "p" or "t") do not cut a word in two.

    Args:
        y: Mono float signal, shape ``(n,)``.
        sr: Sample rate in Hz.
        frame_ms: Frame length in milliseconds (default 25 ms).
        hop_ms: Hop in milliseconds (default 10 ms).
        threshold_db: Level above which a frame is loud, in dBFS (default -40 dB).
        hangover_ms: How long speech is held after the last loud frame (default 100 ms).

    Returns:
        Boolean array of shape ``(n_frames,)``; frame ``t`` is centred at ``t * hop_ms`` ms.

    Lesson: 02 Time-domain features (and 11, the real world).
    """
    y = check_audio(y, name="y")
    sr = check_sr(sr)
    if not (np.isfinite(frame_ms) and frame_ms > 0 and np.isfinite(hop_ms) and hop_ms > 0):
        raise ValueError(f"frame_ms, hop_ms: expected positive durations in ms, got {frame_ms!r} and {hop_ms!r}")
    if not np.isfinite(hangover_ms) or hangover_ms < 0:
        raise ValueError(f"hangover_ms: expected a duration >= 0 ms, got {hangover_ms!r}")
    frame_length = check_positive_int(round(frame_ms * sr / 1000), name="frame_ms * sr / 1000")
    hop_length = check_positive_int(round(hop_ms * sr / 1000), name="hop_ms * sr / 1000")
    level = rms(y.astype(np.float64), frame_length=frame_length, hop_length=hop_length)[0]
    loud = 20 * np.log10(np.maximum(level, 1e-10)) > threshold_db
    hangover = round(hangover_ms / hop_ms)
    speech = loud.copy()
    for t in np.flatnonzero(loud):
        speech[t : t + hangover + 1] = True
    return speech
