"""Signals to experiment with: sines, noise at a chosen SNR, and framing.

Lesson: 01 Sound is a list of numbers; 02 Time-domain features; 11 Speech recognition
in the real world.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from asrlab._validate import (
    check_audio,
    check_frame_fits,
    check_nonnegative_int,
    check_positive_int,
    check_real,
    check_sr,
)

__all__ = ["sine", "add_noise", "snr_db", "frame"]


def sine(
    freq: float,
    *,
    sr: int,
    duration: float,
    amplitude: float = 1.0,
    phase: float = 0.0,
) -> np.ndarray:
    """A sampled sine wave ``amplitude * sin(2 pi freq t + phase)`` with ``t = n / sr``.

    Args:
        freq: Frequency in Hz.  Above the Nyquist frequency ``sr / 2`` the samples are
            those of an aliased, lower frequency.
        sr: Sample rate in Hz.
        duration: Length in seconds; the sine has ``round(duration * sr)`` samples.
        amplitude: Peak value (default 1.0).
        phase: Phase at ``t = 0`` in radians (default 0.0).

    Returns:
        float64 array of shape ``(round(duration * sr),)``.

    Lesson: 01 Sound is a list of numbers; 03 The frequency domain.
    """
    freq = check_real(freq, name="freq")
    sr = check_sr(sr)
    duration = check_real(duration, name="duration", low=0.0, low_open=True)
    amplitude = check_real(amplitude, name="amplitude")
    phase = check_real(phase, name="phase")
    n_samples = round(duration * sr)
    if n_samples == 0:
        raise ValueError(
            f"duration: expected at least one sample (round(duration * sr) >= 1), "
            f"got {duration!r} s at {sr} Hz"
        )
    t = np.arange(n_samples) / sr
    return amplitude * np.sin(2 * np.pi * freq * t + phase)


def _power(x: np.ndarray) -> float:
    """Mean square of ``x`` (its power), accumulated in float64."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.mean(x * x))


def add_noise(
    y: np.ndarray, *, snr_db: float, seed: int | np.random.Generator
) -> np.ndarray:
    """Add white Gaussian noise so that the signal-to-noise ratio is exactly ``snr_db``.

    The noise is drawn, then scaled so that ``10 log10(P_signal / P_noise) == snr_db`` for
    the noise actually drawn (``P`` is the mean square), not just on average.  0 dB means
    as much noise as signal; every 10 dB less noise divides its power by 10.

    Args:
        y: Float signal, shape ``(n,)`` or ``(channels, n)``; it must not be all zeros.
        snr_db: The signal-to-noise ratio wanted, in dB (may be negative).
        seed: Seed (a non-negative integer) or ``numpy.random.Generator``, so that the
            same call gives the same noise.

    Returns:
        ``y + noise`` with the shape and dtype of ``y``.  In float64 the measured SNR
        (:func:`snr_db`) equals ``snr_db`` to about 1e-12 dB; float32 rounding of the sum
        moves it by up to about 1e-3 dB at high SNRs.

    Lesson: 11 Speech recognition in the real world.
    """
    y = check_audio(y, mono=False)
    snr = check_real(snr_db, name="snr_db")
    if isinstance(seed, np.random.Generator):
        rng = seed
    else:
        rng = np.random.default_rng(check_nonnegative_int(seed, name="seed"))
    signal_power = _power(y)
    if signal_power == 0.0:
        raise ValueError(
            "y: expected a signal with non-zero power to set an SNR against, got all zeros"
        )
    noise = rng.standard_normal(y.shape)
    target_noise_power = signal_power / 10.0 ** (snr / 10.0)
    noise *= np.sqrt(target_noise_power / _power(noise))
    return (y + noise).astype(y.dtype, copy=False)


def snr_db(clean: np.ndarray, noisy: np.ndarray) -> float:
    """Signal-to-noise ratio in dB: ``10 log10(P_clean / P_noise)``, noise = noisy - clean.

    ``P`` is the mean square (power).  Returns ``inf`` when ``noisy`` equals ``clean`` and
    ``-inf`` when ``clean`` is silent but ``noisy`` is not.

    Args:
        clean: The reference signal, shape ``(n,)`` or ``(channels, n)``.
        noisy: The same signal with noise, same shape.

    Lesson: 01 Sound is a list of numbers (quantization noise); 11 Speech recognition in
    the real world.
    """
    clean = check_audio(clean, name="clean", mono=False, allow_int=True)
    noisy = check_audio(noisy, name="noisy", mono=False, allow_int=True)
    if clean.shape != noisy.shape:
        raise ValueError(
            f"noisy: expected the shape of clean {clean.shape}, got shape {noisy.shape}"
        )
    noise_power = _power(noisy.astype(np.float64) - clean.astype(np.float64))
    signal_power = _power(clean)
    if noise_power == 0.0:
        return float("inf")
    if signal_power == 0.0:
        return float("-inf")
    return float(10.0 * np.log10(signal_power / noise_power))


def frame(y: np.ndarray, *, frame_length: int, hop_length: int) -> np.ndarray:
    """Cut a signal into overlapping frames, as a strided view (no copy), like
    ``librosa.util.frame``.

    Column ``t`` is ``y[t * hop_length : t * hop_length + frame_length]``.  The frames
    share memory with ``y`` (``np.shares_memory(frame(y, ...), y)`` is True) and are
    read-only, so writing into a frame cannot silently change its neighbours.  Samples
    after the last whole frame are dropped.

    Args:
        y: Signal of shape ``(n,)`` (float or integer samples).
        frame_length: Samples per frame, at most ``n``.
        hop_length: Samples between the starts of consecutive frames.

    Returns:
        Array of shape ``(frame_length, 1 + (n - frame_length) // hop_length)``.

    Lesson: 02 Time-domain features.
    """
    y = check_audio(y, allow_int=True)
    frame_length = check_positive_int(frame_length, name="frame_length")
    hop_length = check_positive_int(hop_length, name="hop_length")
    check_frame_fits(len(y), frame_length)
    n_frames = 1 + (len(y) - frame_length) // hop_length
    step = y.strides[0]  # bytes from one sample to the next
    # Down a column: the next sample.  Across a row: hop_length samples further on.
    return as_strided(
        y, shape=(frame_length, n_frames), strides=(step, hop_length * step), writeable=False
    )
