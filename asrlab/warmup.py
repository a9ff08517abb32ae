"""Warm librosa's numba cache so that the first feature call in a lesson is fast.

``make lab`` and ``make test`` run ``python -m asrlab.warmup`` once after installing.
numba compiles librosa's jitted helpers on first use (about 20 s cold) and caches the
machine code next to librosa's sources; later processes load it in about 3 s.
"""

from __future__ import annotations

import time
import warnings


def warm() -> float:
    """Call each librosa function the course relies on once; return the seconds spent."""
    start = time.perf_counter()
    import numpy as np
    import librosa

    rng = np.random.default_rng(0)
    y = rng.standard_normal(16000).astype(np.float32) * 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        S = np.abs(librosa.stft(y=y, n_fft=512, hop_length=160))
        librosa.feature.rms(y=y)
        librosa.feature.zero_crossing_rate(y=y)
        librosa.zero_crossings(y)
        M = librosa.feature.melspectrogram(y=y, sr=16000, n_mels=40)
        librosa.feature.mfcc(S=librosa.power_to_db(M), n_mfcc=13)
        librosa.feature.delta(M)
        librosa.feature.spectral_centroid(S=S, sr=16000)
        librosa.feature.spectral_bandwidth(S=S, sr=16000)
        librosa.feature.spectral_rolloff(S=S, sr=16000)
        librosa.resample(y, orig_sr=16000, target_sr=8000)
        librosa.sequence.dtw(X=M[:, :20], Y=M[:, 10:40])
        librosa.util.frame(y, frame_length=400, hop_length=160)
    return time.perf_counter() - start


if __name__ == "__main__":
    print(f"librosa's numba cache is warm ({warm():.1f} s)")
