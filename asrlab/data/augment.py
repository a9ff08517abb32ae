"""Data augmentation: noise at an SNR, speed and pitch perturbation, SpecAugment masks.

Lessons: 10 Train a tiny CTC speech recogniser (SpecAugment); 11 Speech recognition in
the real world (noise, speed).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from asrlab._validate import (
    check_audio,
    check_finite_array,
    check_nonnegative_int,
    check_real,
    check_sr,
)

__all__ = ["add_noise", "speed_perturb", "pitch_shift", "spec_augment"]


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        raise TypeError("seed: expected a non-negative integer or numpy.random.Generator, got None")
    return np.random.default_rng(check_nonnegative_int(seed, name="seed"))


def add_noise(
    y: np.ndarray,
    *,
    snr_db: float,
    seed: int | np.random.Generator,
    noise: np.ndarray | None = None,
) -> np.ndarray:
    """Add noise so that ``10 log10(P_signal / P_noise) == snr_db`` exactly.

    Args:
        y: Float signal, shape ``(n,)``, not all zeros.
        snr_db: Signal-to-noise ratio wanted, in dB (may be negative).
        seed: Seed or generator: white Gaussian noise is drawn from it, or, when
            ``noise`` is given, the random starting offset in that recording.
        noise: Optional noise recording (babble, fan, street...), shape ``(m,)``; it is
            looped when shorter than ``y``.  Default: white noise.

    Returns:
        ``y + scaled_noise``, same shape and dtype as ``y``.

    Lesson: 11 Speech recognition in the real world.
    """
    y = check_audio(y)
    snr = check_real(snr_db, name="snr_db")
    rng = _rng(seed)
    signal_power = float(np.mean(np.square(y, dtype=np.float64)))
    if signal_power == 0.0:
        raise ValueError("y: expected a signal with non-zero power to set an SNR against, got all zeros")
    if noise is None:
        n = rng.standard_normal(len(y))
    else:
        noise = check_audio(noise, name="noise")
        start = int(rng.integers(len(noise)))
        n = np.resize(np.roll(noise.astype(np.float64), -start), len(y))
        if not np.any(n):
            raise ValueError("noise: expected a noise recording with non-zero power, got all zeros")
    n = n * np.sqrt(signal_power / 10 ** (snr / 10) / np.mean(n * n))
    return (y + n).astype(y.dtype, copy=False)


def speed_perturb(y: np.ndarray, *, factor: float) -> np.ndarray:
    """Play ``y`` ``factor`` times faster, like a tape: shorter *and* higher by ``factor``.

    This is the speed perturbation of Kaldi recipes (factors 0.9, 1.0, 1.1): the samples
    are resampled from ``n`` to ``round(n / factor)`` and then read at the original rate.

    Args:
        y: Float signal, shape ``(n,)``.
        factor: Speed factor in (0.25, 4]; above 1 is faster.

    Returns:
        float array of ``round(n / factor)`` samples, the dtype of ``y``.

    Lesson: 11 Speech recognition in the real world.
    """
    import soxr

    y = check_audio(y)
    factor = check_real(factor, name="factor", low=0.25, high=4.0, low_open=True)
    if factor == 1.0:
        return y.copy()
    out = soxr.resample(y, 1000.0 * factor, 1000.0, quality="HQ")
    n_out = int(round(len(y) / factor))
    out = out[:n_out] if len(out) >= n_out else np.pad(out, (0, n_out - len(out)))
    return out.astype(y.dtype, copy=False)


def pitch_shift(y: np.ndarray, *, sr: int, semitones: float) -> np.ndarray:
    """Raise (or lower) the pitch by ``semitones`` without changing the duration.

    A thin wrapper around ``librosa.effects.pitch_shift`` (phase-vocoder time stretch,
    then resampling).  One semitone is a frequency ratio of ``2 ** (1 / 12)``.

    Args:
        y: Float signal, shape ``(n,)``.
        sr: Sample rate in Hz.
        semitones: Shift in semitones, -12 to 12 (default none; 0 returns a copy).

    Returns:
        Shifted signal with the shape and dtype of ``y``.

    Lesson: 11 Speech recognition in the real world.
    """
    import librosa

    y = check_audio(y)
    sr = check_sr(sr)
    steps = check_real(semitones, name="semitones", low=-12.0, high=12.0)
    if steps == 0:
        return y.copy()
    return librosa.effects.pitch_shift(y=y, sr=sr, n_steps=steps).astype(y.dtype, copy=False)


def spec_augment(
    spec: Any,
    *,
    freq_masks: int = 2,
    freq_width: int = 15,
    time_masks: int = 2,
    time_width: int = 20,
    seed: int | np.random.Generator,
    value: float | None = None,
) -> Any:
    """SpecAugment masking: blank out random bands of mel channels and of frames.

    Each of the ``freq_masks`` masks covers ``f`` consecutive channels, ``f`` uniform in
    ``[0, freq_width]``, starting uniformly at random; likewise each time mask covers up
    to ``time_width`` consecutive frames (never more than the number of frames).

    Args:
        spec: NumPy array or torch tensor of shape ``(n_mels, n_frames)`` or batched
            ``(..., n_mels, n_frames)``; a batch gets the same masks in every item.
        freq_masks: Number of frequency masks (default 2).
        freq_width: Largest frequency-mask width in channels (default 15).
        time_masks: Number of time masks (default 2).
        time_width: Largest time-mask width in frames (default 20).
        seed: Seed or ``numpy.random.Generator``.
        value: Fill value; default the mean of ``spec`` (for log-mel, "average energy").

    Returns:
        A masked copy, same type, shape and dtype as ``spec``.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    is_numpy = isinstance(spec, np.ndarray)
    if not is_numpy and type(spec).__module__.split(".")[0] != "torch":
        raise TypeError(f"spec: expected a NumPy array or torch tensor, got {type(spec).__name__}")
    if spec.ndim < 2:
        raise ValueError(f"spec: expected shape (n_mels, n_frames) or (..., n_mels, n_frames), got shape {tuple(spec.shape)}")
    if is_numpy:
        spec = check_finite_array(spec, name="spec")
    n_mels, n_frames = int(spec.shape[-2]), int(spec.shape[-1])
    counts = {
        "freq_masks": freq_masks, "freq_width": freq_width,
        "time_masks": time_masks, "time_width": time_width,
    }
    for name, v in counts.items():
        check_nonnegative_int(v, name=name)
    rng = _rng(seed)
    out = spec.copy() if is_numpy else spec.clone()
    fill = float(spec.mean()) if value is None else check_real(value, name="value")
    for n_masks, width, size, axis in ((freq_masks, freq_width, n_mels, -2), (time_masks, time_width, n_frames, -1)):
        for _ in range(n_masks):
            w = int(rng.integers(0, min(width, size) + 1))
            start = int(rng.integers(0, size - w + 1))
            if w == 0:
                continue
            if axis == -2:
                out[..., start : start + w, :] = fill
            else:
                out[..., start : start + w] = fill
    return out

