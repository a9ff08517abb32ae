"""Benchmarks of asrlab.features and asrlab.audio against librosa.

Every row times ours and librosa on the same 10 s of seeded 16 kHz float32 audio (a
noisy two-tone signal with a stretch of silence), with the settings speech front ends
use (25 ms / 10 ms frames where the function takes them; librosa's defaults for
``rms`` and ``zero_crossing_rate``).  Target for every row: at most 1.5x librosa's time.

Both sides run with BLAS limited to one thread (when threadpoolctl, a dependency of
librosa's scikit-learn, is installed): on a busy machine a multithreaded matrix product
can take a hundred times longer than usual, which would drown the comparison in noise.
"""

from __future__ import annotations

import contextlib

import numpy as np

from bench._timing import best_of

SR = 16000
TARGET = 1.5


def signal(seconds: float = 10.0, *, sr: int = SR, seed: int = 0) -> np.ndarray:
    """Seeded test audio: two tones plus noise, with 1 s of digital silence, float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.2 * np.sin(2 * np.pi * 1760 * t)
    y += 0.05 * rng.standard_normal(len(t))
    y[sr : 2 * sr] = 0.0
    return y.astype(np.float32)


def run() -> list[tuple[str, float, float, float | None]]:
    import librosa

    from asrlab import audio, features

    y = signal()
    frames = dict(n_fft=512, win_length=400, hop_length=160)  # 25 ms window, 10 ms hop
    cases = [
        (
            "stft 10 s @16 kHz (n_fft=512, hop=160)",
            lambda: features.stft(y, **frames),
            lambda: librosa.stft(y, **frames),
        ),
        (
            "melspectrogram 80 bands",
            lambda: features.melspectrogram(y, sr=SR, n_mels=80, **frames),
            lambda: librosa.feature.melspectrogram(y=y, sr=SR, n_mels=80, **frames),
        ),
        (
            "mfcc 13 of 40 bands",
            lambda: features.mfcc(y, sr=SR, n_mfcc=13, n_mels=40, **frames),
            lambda: librosa.feature.mfcc(y=y, sr=SR, n_mfcc=13, n_mels=40, **frames),
        ),
        (
            "rms (frame 2048, hop 512)",
            lambda: features.rms(y),
            lambda: librosa.feature.rms(y=y),
        ),
        (
            "zero_crossing_rate (frame 2048, hop 512)",
            lambda: features.zero_crossing_rate(y),
            lambda: librosa.feature.zero_crossing_rate(y),
        ),
        (
            "spectral_centroid",
            lambda: features.spectral_centroid(y, sr=SR, **frames),
            lambda: librosa.feature.spectral_centroid(y=y, sr=SR, **frames),
        ),
        (
            "resample 16 kHz -> 8 kHz",
            lambda: audio.resample(y, orig_sr=SR, target_sr=8000),
            lambda: librosa.resample(y, orig_sr=SR, target_sr=8000),
        ),
    ]
    rows = []
    with _one_blas_thread():
        for label, ours, ref in cases:
            rows.append((label, *_time_pair(ours, ref), TARGET))
    return rows


def _one_blas_thread() -> contextlib.AbstractContextManager:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _time_pair(ours, ref) -> tuple[float, float]:
    """Best seconds per call of each, interleaved so that a busy machine slows both alike."""
    ours_s, ref_s = float("inf"), float("inf")
    for _ in range(3):
        ours_s = min(ours_s, best_of(ours, repeat=5))
        ref_s = min(ref_s, best_of(ref, repeat=5))
    return ours_s, ref_s
