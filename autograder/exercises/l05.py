"""Exercises of lesson 05, mel spectrograms and MFCCs.

References are librosa's (``hz_to_mel``, ``filters.mel``, ``power_to_db``,
``feature.mfcc``, ``feature.spectral_centroid``).  The public inputs are those the
notebook builds from the spoken word "seven" (espeak-ng, deterministic), computed here
with the very same ``asrlab`` calls so that the check compares like with like.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from autograder.exercise import Case, Exercise, Mistake

LESSON = "05-mel-and-mfcc"

SR = 16000
N_FFT = 512
HOP = 160
N_MELS = 40
WORD = "seven"


@functools.lru_cache(maxsize=1)
def lesson_inputs() -> dict[str, np.ndarray]:
    """The notebook's exercise inputs: the word, its magnitude STFT, the filterbank, log-mel."""
    import asrlab.data
    import asrlab.features as F

    word = asrlab.data.synthesize(WORD, sr=SR)
    mag = np.abs(F.stft(word, n_fft=N_FFT, hop_length=HOP))
    fb = F.mel_filterbank(sr=SR, n_fft=N_FFT, n_mels=N_MELS)
    log_mel = F.power_to_db(fb @ mag**2)
    freqs = np.fft.rfftfreq(N_FFT, d=1.0 / SR)
    return {"word": word, "mag": mag, "fb": np.array(fb), "log_mel": log_mel, "freqs": freqs}


# ---------------------------------------------------------------------------
# l05-hz-mel: the HTK and Slaney mel scales, and back
# ---------------------------------------------------------------------------

MEL_F_HZ = np.array([0.0, 100.0, 440.0, 700.0, 1000.0, 2000.0, 4000.0, 8000.0])


def _mel_ref(f_hz: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import librosa

    f = np.asarray(f_hz, dtype=float)
    mel_htk = librosa.hz_to_mel(f, htk=True)
    return mel_htk, librosa.hz_to_mel(f, htk=False), librosa.mel_to_hz(mel_htk, htk=True)


def _mel_with(f_hz: Any, *, htk_log: str = "10", slaney_log: str = "e", inverse: str = "10") -> tuple[np.ndarray, ...]:
    f = np.asarray(f_hz, dtype=float)
    mel_htk = 2595 * (np.log10 if htk_log == "10" else np.log)(1 + f / 700)
    f_sp = 200.0 / 3
    mel_slaney = f / f_sp
    above = f >= 1000.0
    log = np.log if slaney_log == "e" else np.log10
    mel_slaney[above] = 15.0 + log(f[above] / 1000.0) / (np.log(6.4) / 27.0)
    hz_back = 700 * (10 ** (mel_htk / 2595) - 1) if inverse == "10" else 700 * (np.exp(mel_htk / 2595) - 1)
    return mel_htk, mel_slaney, hz_back


def _mel_hidden(rng: np.random.Generator) -> list[Case]:
    return [
        Case({"f_hz": np.array([1000.0])}, label="exactly 1000 Hz (where Slaney's scale bends)"),
        Case({"f_hz": np.array([999.0, 1001.0])}, label="just below and above 1000 Hz"),
        Case({"f_hz": rng.uniform(0, 1000, size=9)}, label="9 frequencies below 1 kHz"),
        Case({"f_hz": np.sort(rng.uniform(0, 11025, size=20))}, label="20 frequencies up to 11025 Hz"),
        Case({"f_hz": np.array([20.0, 20000.0])}, label="the edges of human hearing"),
    ]


def _at_hz(index: tuple[int, ...], f_hz: Any) -> str:
    """Name an element of the mel arrays by its input frequency: "at 1000 Hz"."""
    return f"at {float(np.asarray(f_hz)[index[0]]):g} Hz"


_HTK = "2595 * np.log10(1 + f_hz / 700)"
_SLANEY = "np.log(f_hz[log_part] / min_log_hz) / logstep"
_INVERSE = "700 * (10 ** (mel_htk / 2595) - 1)"


# ---------------------------------------------------------------------------
# l05-filterbank: triangles from scratch
# ---------------------------------------------------------------------------


def _fb_ref(sr: float, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    import librosa

    return librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, dtype=np.float64)


def _fb_no_norm(sr: float, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    import librosa

    return librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, norm=None, dtype=np.float64)


_FB_PUBLIC = {"sr": SR, "n_fft": N_FFT, "n_mels": N_MELS, "fmin": 0.0, "fmax": 8000.0}

_FB_HIDDEN = [
    Case({"sr": 8000, "n_fft": 256, "n_mels": 20, "fmin": 0.0, "fmax": 4000.0}, label="8 kHz, 20 bands"),
    Case({"sr": 16000, "n_fft": 400, "n_mels": 80, "fmin": 0.0, "fmax": 8000.0}, label="16 kHz, n_fft=400, 80 bands"),
    Case({"sr": 16000, "n_fft": 512, "n_mels": 26, "fmin": 300.0, "fmax": 3400.0},
         label="telephone band, fmin=300 Hz, fmax=3400 Hz"),
    Case({"sr": 22050, "n_fft": 2048, "n_mels": 128, "fmin": 20.0, "fmax": 11025.0}, label="22050 Hz, 128 bands"),
    Case({"sr": 16000, "n_fft": 511, "n_mels": 40, "fmin": 0.0, "fmax": 8000.0}, label="an odd n_fft (511)"),
    Case({"sr": 11025, "n_fft": 256, "n_mels": 30, "fmin": 0.0, "fmax": 5512.5}, label="11,025 Hz, 30 bands"),
]

_FB_FILLS = ("n_fft // 2 + 1", "(fft_hz - left) / (centre - left)", "(right - fft_hz) / (right - centre)",
             "2.0 / (right - left)")


def _fills(base: tuple[str, ...], **changes: str) -> tuple[str, ...]:
    out = list(base)
    for index, text in changes.items():
        out[int(index[1:])] = text
    return tuple(out)


# ---------------------------------------------------------------------------
# l05-logmel: mel power and log-mel
# ---------------------------------------------------------------------------


def _logmel_ref(mag: Any, fb: Any) -> tuple[np.ndarray, np.ndarray]:
    """The mel power spectrogram, and its log-mel with every band's mean over time removed."""
    import librosa

    mag, fb = np.asarray(mag, dtype=np.float64), np.asarray(fb, dtype=np.float64)  # float32 input: exact reference
    mel_power = fb @ mag**2
    log_mel = librosa.power_to_db(mel_power, ref=1.0, amin=1e-10, top_db=None)
    return mel_power, log_mel - log_mel.mean(axis=1, keepdims=True)


def _logmel_hidden(rng: np.random.Generator) -> list[Case]:
    import librosa

    cases = []
    for sr, n_fft, n_mels, frames, label in [
        (8000, 256, 20, 5, "8 kHz, 20 bands, 5 frames"),
        (16000, 400, 80, 1, "80 bands, a single frame"),
        (22050, 1024, 64, 12, "22050 Hz, 64 bands"),
    ]:
        fb = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, dtype=np.float64)
        mag = np.abs(rng.normal(size=(n_fft // 2 + 1, frames))) * 10.0 ** rng.uniform(-4, 1, size=(1, frames))
        cases.append(Case({"mag": mag, "fb": fb}, label=label))
    fb = librosa.filters.mel(sr=16000, n_fft=512, n_mels=40, dtype=np.float64)
    silent = np.zeros((257, 3))
    silent[:, 1] = 1e-3
    cases.append(Case({"mag": silent, "fb": fb}, label="digital silence next to a quiet frame"))
    square = np.abs(rng.normal(size=(257, 40))) * 10.0 ** rng.uniform(-3, 0, size=(1, 40))
    cases.append(Case({"mag": square, "fb": fb}, label="as many frames as bands (40 x 40)"))
    fb11 = librosa.filters.mel(sr=11025, n_fft=256, n_mels=26, dtype=np.float64)
    cases.append(Case({"mag": np.abs(rng.normal(size=(129, 9))), "fb": fb11}, label="11025 Hz, 26 bands"))
    return cases


# ---------------------------------------------------------------------------
# l05-dct: DCT-II (orthonormal) to MFCCs
# ---------------------------------------------------------------------------


def _dct_ref(log_mel: Any, n_mfcc: int) -> np.ndarray:
    import librosa

    return librosa.feature.mfcc(S=np.asarray(log_mel, dtype=np.float64), n_mfcc=n_mfcc)


def _dct_with(log_mel: Any, n_mfcc: int, *, dc_fix: bool = True, half: bool = True) -> np.ndarray:
    log_mel = np.asarray(log_mel, dtype=np.float64)
    m_bands = log_mel.shape[0]
    k = np.arange(n_mfcc).reshape(-1, 1)
    m = np.arange(m_bands)
    d = np.cos(np.pi * k * ((2 * m + 1) if half else 2 * m) / (2 * m_bands)) * np.sqrt(2 / m_bands)
    if dc_fix:
        d[0] /= np.sqrt(2)
    return d @ log_mel


def _dct_hidden(rng: np.random.Generator) -> list[Case]:
    return [
        Case({"log_mel": rng.normal(size=(40, 1)) * 20 - 40, "n_mfcc": 13}, label="one frame, 40 bands"),
        Case({"log_mel": rng.normal(size=(80, 30)) * 20 - 40, "n_mfcc": 20}, label="80 bands, 20 coefficients"),
        Case({"log_mel": rng.normal(size=(26, 7)), "n_mfcc": 26}, label="all 26 coefficients of 26 bands"),
        Case({"log_mel": np.full((40, 4), -100.0), "n_mfcc": 13}, label="a constant (silent) log-mel"),
    ]


_DCT_FILLS = ("np.pi * k * (2 * m + 1) / (2 * M)", "np.sqrt(2)", "D @ log_mel")


# ---------------------------------------------------------------------------
# l05-centroid: the spectral centroid
# ---------------------------------------------------------------------------


def _centroid_ref(S: Any, freqs: Any) -> np.ndarray:
    import librosa

    return librosa.feature.spectral_centroid(S=np.asarray(S), freq=np.asarray(freqs, dtype=np.float64))


def _centroid_with(S: Any, freqs: Any, *, axis: int = 0, square: bool = False, hz: bool = True) -> np.ndarray:
    S = np.asarray(S, dtype=np.float64)
    if square:
        S = S**2
    f = np.asarray(freqs, dtype=np.float64) if hz else np.arange(len(freqs), dtype=np.float64)
    total = S.sum(axis=axis, keepdims=True)
    total[total == 0] = 1.0
    return (f[:, None] * S).sum(axis=0, keepdims=True) / total


def _centroid_hidden(rng: np.random.Generator) -> list[Case]:
    freqs = np.fft.rfftfreq(512, d=1 / 16000)
    tone = np.zeros((257, 2))
    tone[64, :] = [1.0, 0.5]  # 2000 Hz
    silent = np.abs(rng.normal(size=(257, 4)))
    silent[:, 2] = 0.0
    f8 = np.fft.rfftfreq(256, d=1 / 8000)
    return [
        Case({"S": tone, "freqs": freqs}, label="a pure 2000 Hz bin"),
        Case({"S": silent, "freqs": freqs}, label="a silent frame among noisy ones"),
        Case({"S": np.abs(rng.normal(size=(129, 9))), "freqs": f8}, label="8 kHz, 9 frames"),
        Case({"S": np.abs(rng.normal(size=(201, 1))), "freqs": np.fft.rfftfreq(400, d=1 / 16000)},
             label="one frame of a 400-point FFT"),
    ]


_CENTROID_FILLS = ("S.sum(axis=0, keepdims=True)", "(freqs[:, None] * S).sum(axis=0, keepdims=True)")


# ---------------------------------------------------------------------------
# l05-mfcc (mini-challenge): the whole pipeline
# ---------------------------------------------------------------------------


def mfcc_reference(y: Any, *, sr: int, n_mfcc: int = 13, n_fft: int = 512, hop_length: int = 160,
                   n_mels: int = 40) -> np.ndarray:
    """MFCCs exactly as ``librosa.feature.mfcc`` computes them (float64)."""
    import librosa

    return librosa.feature.mfcc(y=np.asarray(y, dtype=np.float64), sr=sr, n_mfcc=n_mfcc, n_fft=n_fft,
                                hop_length=hop_length, n_mels=n_mels)


def _mfcc_variant(y: Any, *, sr: int, n_mfcc: int = 13, n_fft: int = 512, hop_length: int = 160,
                  n_mels: int = 40, top_db: float | None = 80.0, center: bool = True, norm: str | None = "ortho",
                  power: float = 2.0) -> np.ndarray:
    import librosa
    import scipy.fft

    S = librosa.feature.melspectrogram(y=np.asarray(y, dtype=np.float64), sr=sr, n_fft=n_fft,
                                       hop_length=hop_length, n_mels=n_mels, center=center, power=power)
    log_mel = librosa.power_to_db(S, top_db=top_db)
    return scipy.fft.dct(log_mel, type=2, axis=0, norm=norm)[:n_mfcc]


def _mfcc_code(**changes: str) -> str:
    body = {
        "center": "True", "power": "2", "top_db": "80.0", "norm": '"ortho"',
    }
    body.update(changes)
    return f'''
def compute_mfcc(y, *, sr, n_mfcc=13, n_fft=512, hop_length=160, n_mels=40):
    import librosa
    import scipy.fft
    spec = np.abs(librosa.stft(np.asarray(y, dtype=float), n_fft=n_fft, hop_length=hop_length,
                               center={body["center"]})) ** {body["power"]}
    fb = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels)
    log_mel = librosa.power_to_db(fb @ spec, top_db={body["top_db"]})
    return scipy.fft.dct(log_mel, type=2, axis=0, norm={body["norm"]})[:n_mfcc]
'''


def _buzz(sr: int, seconds: float, f0: float) -> np.ndarray:
    """A vowel-like harmonic buzz (harmonics of ``f0`` falling off as 1/h), then silence."""
    t = np.arange(int(sr * seconds)) / sr
    y = sum(np.sin(2 * np.pi * h * f0 * t) / h for h in range(1, int(sr / 2 / f0)))
    y = 0.3 * y * np.hanning(len(t))
    return np.concatenate([y, np.zeros(sr // 10)])


def _mfcc_hidden(rng: np.random.Generator) -> list[Case]:
    return [
        Case(args=(_buzz(8000, 0.3, 150.0),), kwargs={"sr": 8000, "n_mels": 20, "n_fft": 256, "hop_length": 80},
             label="8 kHz buzz, 20 bands"),
        Case(args=(rng.normal(size=601) * 0.1,), kwargs={"sr": 16000}, label="a short odd-length signal (601 samples, 4 frames)"),
        Case(args=(rng.normal(size=22050) * 0.05,),
             kwargs={"sr": 22050, "n_mfcc": 20, "n_fft": 2048, "hop_length": 512, "n_mels": 128},
             label="1 s of noise at 22050 Hz, librosa's defaults"),
        Case(args=(np.concatenate([np.zeros(1601), _buzz(16000, 0.2, 200.0)]),), kwargs={"sr": 16000, "n_mfcc": 20},
             label="silence then a buzz, 20 coefficients"),
    ]


def _public_mfcc() -> list[Case]:
    word = lesson_inputs()["word"].astype(np.float64)
    return [
        Case(args=(word,), kwargs={"sr": SR}, label=f'the word "{WORD}", defaults'),
        Case(args=(_buzz(16000, 0.25, 120.0),), kwargs={"sr": 16000, "n_mfcc": 20, "n_mels": 64, "hop_length": 256},
             label="a buzz then silence, 64 bands, 20 coefficients"),
    ]


def _public(name: str) -> dict[str, Any]:
    inputs = lesson_inputs()
    return {
        "logmel": {"mag": inputs["mag"], "fb": inputs["fb"]},
        "dct": {"log_mel": inputs["log_mel"], "n_mfcc": 13},
        "centroid": {"S": inputs["mag"], "freqs": inputs["freqs"]},
    }[name]


EXERCISES = [
    Exercise(
        id="l05-hz-mel",
        lesson=LESSON,
        title="hertz to mel (HTK and Slaney) and back",
        points=2,
        kind="cell",
        target=("mel_htk", "mel_slaney", "hz_back"),
        reference=_mel_ref,
        labels={name: _at_hz for name in ("mel_htk", "mel_slaney", "hz_back")},
        public=[Case({"f_hz": MEL_F_HZ}, label="the 8 frequencies above")],
        hidden=_mel_hidden,
        hint="Use the two formulas of section 1 as written there: HTK with log10 and its inverse "
        "with a power of 10; Slaney linear below 1000 Hz and logarithmic above, with a "
        "natural-log step.",
        mistakes=[
            Mistake(
                "htk-natural-log",
                "`mel_htk` is about 2.3 times too large: the HTK formula uses log10, not the "
                "natural logarithm (np.log).",
                fn=lambda f_hz: _mel_with(f_hz, htk_log="e"),
                fills=("2595 * np.log(1 + f_hz / 700)", _SLANEY, _INVERSE),
            ),
            Mistake(
                "slaney-log10",
                "`mel_slaney` is wrong above 1000 Hz only: Slaney's log step, log(6.4)/27, is a "
                "natural logarithm, so the log part must use np.log too.",
                fn=lambda f_hz: _mel_with(f_hz, slaney_log="10"),
                fills=(_HTK, "np.log10(f_hz[log_part] / min_log_hz) / logstep", _INVERSE),
            ),
            Mistake(
                "inverse-exp",
                "`hz_back` does not give back the frequencies you started with: undo log10 with "
                "a power of 10, not with np.exp.",
                fn=lambda f_hz: _mel_with(f_hz, inverse="e"),
                fills=(_HTK, _SLANEY, "700 * (np.exp(mel_htk / 2595) - 1)"),
            ),
        ],
    ),
    Exercise(
        id="l05-filterbank",
        lesson=LESSON,
        title="the triangular mel filterbank",
        points=2,
        kind="cell",
        target="fb",
        reference=_fb_ref,
        public=[Case(dict(_FB_PUBLIC), label="sr=16000 Hz, n_fft=512, 40 bands, 0 to 8000 Hz")],
        hidden=_FB_HIDDEN,
        hint="Each filter rises linearly from its left edge to 1 at its centre and falls to 0 at "
        "its right edge (take the smaller of the two ramps, never below 0); Slaney "
        "normalisation then divides it by half its width in Hz (section 2).",
        rtol=1e-6,
        atol=1e-10,
        mistakes=[
            Mistake(
                "n-over-2-bins",
                "Your filterbank has one column too few: a filterbank covers all n_fft // 2 + 1 "
                "rfft bins, including the Nyquist bin.",
                fn=lambda **kw: _fb_ref(**kw)[:, :-1],
                fills=_fills(_FB_FILLS, b0="n_fft // 2"),
            ),
            Mistake(
                "no-norm",
                "Your triangles all peak at 1: that is norm=None. librosa's default Slaney "
                "normalisation scales each triangle so that its area is the same, dividing by half "
                "its width in Hz.",
                fn=_fb_no_norm,
                fills=_fills(_FB_FILLS, b3="1.0"),
            ),
            Mistake(
                "half-norm",
                "Your filters are half as tall as librosa's: a triangle of width w and height h has "
                "area w*h/2, so equal areas need height 2/w.",
                fn=lambda **kw: _fb_ref(**kw) / 2,
                fills=_fills(_FB_FILLS, b3="1.0 / (right - left)"),
            ),
        ],
    ),
    Exercise(
        id="l05-logmel",
        lesson=LESSON,
        title="mel power spectrogram, and log-mel with each band's mean removed",
        points=1,
        kind="cell",
        target=("mel_power", "log_mel_norm"),
        reference=_logmel_ref,
        public=[Case(_public("logmel"), label='the word "seven": 257 bins x its frames')],
        hidden=_logmel_hidden,
        hint="The filterbank (n_mels x n_bins) multiplies a power spectrogram (n_bins x n_frames), "
        "so square the magnitudes first. Then every mel band (a row) loses its own average over "
        "time, keeping the 2-D shape (section 3).",
        rtol=1e-5,
        atol=1e-4,  # dB values near 0 after the mean is removed: float32 input leaves ~1e-5 dB of rounding
        mistakes=[
            Mistake(
                "magnitude",
                "You filtered the magnitudes, not the powers. librosa's melspectrogram (and the "
                "models that use it) pools |X|**2: square the magnitudes first.",
                fills={0: "fb @ mag"},
            ),
            Mistake(
                "per-frame-mean",
                "`log_mel_norm` removes each frame's mean over the bands (axis 0), which flattens "
                "the shape of every frame's spectrum. The task removes each *band's* mean over time.",
                fills={1: "log_mel - log_mel.mean(axis=0, keepdims=True)"},
            ),
            Mistake(
                "global-mean",
                "You removed one mean over the whole spectrogram. A microphone colours each band "
                "differently, so each band (row) needs its own mean over time.",
                fills={1: "log_mel - log_mel.mean()"},
            ),
        ],
    ),
    Exercise(
        id="l05-dct",
        lesson=LESSON,
        title="DCT-II (orthonormal): log-mel to MFCC",
        points=2,
        kind="cell",
        target="mfccs",
        reference=_dct_ref,
        public=[Case(_public("dct"), label='the log-mel of "seven", 13 coefficients')],
        hidden=_dct_hidden,
        hint="Row k of the orthonormal DCT-II samples a cosine with k half-periods across the "
        "bands, at the middle of each band; the rows are scaled so that the matrix is "
        "orthonormal, and row 0 has its own scale (section 4).",
        rtol=1e-6,
        atol=1e-7,
        mistakes=[
            Mistake(
                "no-dc-fix",
                "Only your first coefficient (c0) is off, by a factor of sqrt(2): the orthonormal "
                "DCT gives row 0 the scale sqrt(1/M), not sqrt(2/M).",
                fn=lambda log_mel, n_mfcc: _dct_with(log_mel, n_mfcc, dc_fix=False),
                fills=_fills(_DCT_FILLS, b1="1"),
            ),
            Mistake(
                "no-half-sample",
                "Your cosines start at the wrong place: DCT-II samples each cosine at the middle "
                "of band m, at (2m + 1)/2, not at m.",
                fn=lambda log_mel, n_mfcc: _dct_with(log_mel, n_mfcc, half=False),
                fills=_fills(_DCT_FILLS, b0="np.pi * k * (2 * m) / (2 * M)"),
            ),
        ],
    ),
    Exercise(
        id="l05-centroid",
        lesson=LESSON,
        title="the spectral centroid",
        points=1,
        kind="cell",
        target="centroid",
        reference=_centroid_ref,
        public=[Case(_public("centroid"), label='the magnitude spectrogram of "seven"')],
        hidden=_centroid_hidden,
        hint="The centroid of a frame is the average frequency of its bins, weighted by their "
        "magnitudes, in Hz; it sums over the frequency axis and keeps the shape (1, n_frames) "
        "(section 5).",
        rtol=1e-5,
        atol=1e-6,
        mistakes=[
            Mistake(
                "wrong-axis",
                "Your `total` adds up the wrong axis: a frame's weights are its frequency bins, "
                "i.e. the rows of S (axis 0), not the frames (axis 1).",
                fn=lambda S, freqs: _centroid_with(S, freqs, axis=1),
                fills=_fills(_CENTROID_FILLS, b0="S.sum(axis=1, keepdims=True)"),
            ),
            Mistake(
                "power-weights",
                "You weighted the frequencies by power (S**2). librosa's spectral centroid weights "
                "them by the magnitude S itself.",
                fn=lambda S, freqs: _centroid_with(S, freqs, square=True),
                fills=("(S ** 2).sum(axis=0, keepdims=True)",
                       "(freqs[:, None] * S ** 2).sum(axis=0, keepdims=True)"),
            ),
            Mistake(
                "bin-index",
                "Your centroid is a bin index, not a frequency: weight the bins' frequencies in "
                "Hz (freqs), not their positions.",
                fn=lambda S, freqs: _centroid_with(S, freqs, hz=False),
                fills=_fills(_CENTROID_FILLS, b1="(np.arange(len(freqs))[:, None] * S).sum(axis=0, keepdims=True)"),
            ),
        ],
    ),
    Exercise(
        id="l05-mfcc",
        lesson=LESSON,
        title="mini-challenge: MFCCs from samples",
        points=3,
        kind="function",
        target="compute_mfcc",
        reference=mfcc_reference,
        public=_public_mfcc(),
        hidden=_mfcc_hidden,
        hint="librosa.feature.mfcc runs, in order: a centred Hann STFT, power, the Slaney mel "
        "filterbank, power_to_db with its defaults (ref 1.0, amin 1e-10, top_db 80), an "
        "orthonormal DCT-II over the mel axis, and keeps the first n_mfcc rows (sections 3 "
        "and 4).",
        rtol=1e-4,
        atol=1e-3,
        mistakes=[
            Mistake(
                "no-top-db",
                "Your MFCCs differ where the signal is silent: librosa's mfcc converts to dB with "
                "power_to_db's default top_db=80, which lifts everything quieter than 80 dB below "
                "the loudest mel value.",
                fn=lambda y, **kw: _mfcc_variant(y, top_db=None, **kw),
                code=_mfcc_code(top_db="None"),
            ),
            Mistake(
                "not-centred",
                "You have too few frames: librosa centres frame t on sample t*hop_length by padding "
                "n_fft//2 samples at both ends, giving 1 + len(y)//hop_length frames.",
                fn=lambda y, **kw: _mfcc_variant(y, center=False, **kw),
                code=_mfcc_code(center="False"),
            ),
            Mistake(
                "dct-not-orthonormal",
                "Your coefficients are scaled wrongly: the DCT must be the orthonormal DCT-II "
                "(norm='ortho'); scipy's default (norm=None) multiplies by 2 and treats c0 "
                "differently.",
                fn=lambda y, **kw: _mfcc_variant(y, norm=None, **kw),
                code=_mfcc_code(norm="None"),
            ),
            Mistake(
                "magnitude",
                "You built the mel spectrogram from magnitudes, not powers: square |STFT| first "
                "(librosa's power=2.0).",
                fn=lambda y, **kw: _mfcc_variant(y, power=1.0, **kw),
                code=_mfcc_code(power="1"),
            ),
        ],
    ),
]
