"""Warm librosa's numba cache so that the first feature call in a lesson is fast.

``make lab`` and ``make test`` run ``python -m asrlab.warmup`` once after installing.
numba compiles librosa's jitted helpers on first use (about 20 s cold) and caches the
machine code next to librosa's sources; later processes load it in about 3 s.
"""

from __future__ import annotations

import time
import warnings


def warm() -> float:
    """Call each librosa function the course relies on once, on float32 and on float64
    signals (numba compiles and caches each signature separately); return the seconds spent.

    The grader's warm kernel template calls this too, so that every kernel it forks has
    the compiled code loaded already.
    """
    start = time.perf_counter()
    import numpy as np
    import librosa
    import librosa.display  # noqa: F401 - imported by lessons 01 and 04

    rng = np.random.default_rng(0)
    sr = 16000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for dtype in (np.float32, np.float64):
            y = (rng.standard_normal(sr) * 0.1).astype(dtype)
            D = librosa.stft(y=y, n_fft=512, hop_length=160)
            S = np.abs(D)
            librosa.istft(D, hop_length=160)
            librosa.feature.rms(y=y)
            librosa.feature.rms(y=y, frame_length=400, hop_length=160, center=False)
            librosa.feature.rms(S=S, frame_length=512)
            librosa.feature.zero_crossing_rate(y=y)
            librosa.zero_crossings(y)
            librosa.zero_crossings(y, pad=False)
            M = librosa.feature.melspectrogram(y=y, sr=sr, n_mels=40)
            librosa.feature.mfcc(S=librosa.power_to_db(M), n_mfcc=13)
            librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13)
            librosa.feature.delta(M)
            librosa.amplitude_to_db(S, ref=np.max)
            librosa.feature.spectral_centroid(S=S, sr=sr)
            librosa.feature.spectral_bandwidth(S=S, sr=sr)
            librosa.feature.spectral_rolloff(S=S, sr=sr)
            librosa.resample(y, orig_sr=sr, target_sr=8000)
            librosa.yin(y, fmin=60.0, fmax=400.0, sr=sr)
            librosa.sequence.dtw(X=M[:, :20], Y=M[:, 10:40])
            librosa.sequence.dtw(C=np.abs(M[:20, :30]), subseq=True)
            librosa.util.frame(y, frame_length=400, hop_length=160)
    return time.perf_counter() - start


if __name__ == "__main__":
    print(f"librosa's numba cache is warm ({warm():.1f} s)")
