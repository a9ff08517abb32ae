"""Exercises of lesson 03, the frequency domain.

References are NumPy's FFT and librosa's dB conversions; the mistakes are the ones
learners make on their first spectra: the wrong sign in the DFT exponent, a spectrum
divided by the wrong N, ``n_fft // 2`` bins instead of ``n_fft // 2 + 1``, a window
that is symmetric where librosa's is periodic, natural logarithms where decibels need
``log10``, and amplitude spectra that double the DC bin.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.exercise import Case, Exercise, Mistake

LESSON = "03-frequency-domain"


# ---------------------------------------------------------------------------
# l03-dft-matrix: the DFT as a matrix-vector product
# ---------------------------------------------------------------------------

DFT_X = np.array([1.0, 2.0, 0.0, -1.0, 0.5, -2.0, 1.5, 0.25])


def _dft_ref(x: Any) -> np.ndarray:
    return np.fft.fft(np.asarray(x, dtype=float))


def _dft_with(x: Any, *, sign: float = -1.0, two_pi: bool = True, scale: bool = False) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    n_len = len(x)
    n = np.arange(n_len)
    k = n.reshape(-1, 1)
    w = np.exp(sign * 1j * (2 * np.pi if two_pi else 1.0) * k * n / n_len)
    out = w @ x
    return out / n_len if scale else out


def _dft_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [Case({"x": np.array([3.0])}, label="a single sample")]
    cases.append(Case({"x": np.array([1.0, -1.0])}, label="2 samples"))
    for n in (5, 16, 33):
        cases.append(Case({"x": rng.normal(size=n)}, label=f"{n} random samples"))
    n = 40
    t = np.arange(n) / n
    cases.append(Case({"x": np.cos(2 * np.pi * 3 * t) + 0.5}, label="a cosine plus an offset, 40 samples"))
    return cases


# ---------------------------------------------------------------------------
# l03-bin-freq: how many bins, and where bin k sits
# ---------------------------------------------------------------------------


def _bins_ref(k: int, sr: float, n_fft: int, f_hz: float) -> tuple[float, int]:
    """The frequency of bin ``k`` (librosa's grid) and the bin nearest to ``f_hz``."""
    import librosa

    grid = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    return float(grid[k]), int(np.argmin(np.abs(grid - f_hz)))


def _bins_hidden() -> list[Case]:
    # f_hz never lies exactly halfway between two bins, where "nearest" is a tie
    return [
        Case({"k": 0, "sr": 16000, "n_fft": 400, "f_hz": 0.0}, label="bin 0 and 0 Hz, 400-point FFT"),
        Case({"k": 200, "sr": 16000, "n_fft": 400, "f_hz": 8000.0},
             label="the last bin and the Nyquist frequency, 400-point FFT"),
        Case({"k": 3, "sr": 100, "n_fft": 100, "f_hz": 12.4}, label="100 Hz sampling, 100 points"),
        Case({"k": 100, "sr": 22050, "n_fft": 2048, "f_hz": 440.0}, label="sr=22050 Hz, n_fft=2048, 440 Hz"),
        Case({"k": 7, "sr": 8000, "n_fft": 15, "f_hz": 3900.0}, label="an odd FFT size (15)"),
        Case({"k": 46, "sr": 11025, "n_fft": 512, "f_hz": 1000.0}, label="sr=11025 Hz, 1000 Hz"),
        Case({"k": 1, "sr": 16000, "n_fft": 512, "f_hz": 20.0}, label="20 Hz: nearer bin 1 than bin 0"),
    ]


# ---------------------------------------------------------------------------
# l03-peaks: the two sines of a superposition, frequency and amplitude
# ---------------------------------------------------------------------------


def two_sines(f1: float, a1: float, f2: float, a2: float, *, sr: float, n: int) -> np.ndarray:
    """``a1 sin(2 pi f1 t) + a2 sin(2 pi f2 t)`` sampled ``n`` times at ``sr`` Hz."""
    t = np.arange(n) / sr
    return a1 * np.sin(2 * np.pi * f1 * t) + a2 * np.sin(2 * np.pi * f2 * t)


def _peaks_with(y: Any, sr: float, *, scale: str = "2/N", hz: bool = True) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    n = len(y)
    spectrum = np.fft.rfft(y)
    mag = np.abs(spectrum)
    amps = {"2/N": mag * 2 / n, "1": mag, "1/N": mag / n}[scale]
    freqs = np.fft.rfftfreq(n, d=1 / sr) if hz else np.arange(len(spectrum)).astype(float)
    top2 = np.sort(np.argsort(amps)[-2:])
    return freqs[top2], amps[top2]


def _peaks_ref(y: Any, sr: float) -> tuple[np.ndarray, np.ndarray]:
    return _peaks_with(y, sr)


def _peaks_hidden(rng: np.random.Generator) -> list[Case]:
    # Every frequency is a whole number of cycles in the signal (on a bin centre), so
    # the scaled peaks equal the amplitudes exactly.
    specs = [
        (5.0, 0.5, 20.0, 1.5, 100, 100, "5 Hz and 20 Hz, 1 s at 100 Hz"),
        (440.0, 1.0, 1000.0, 0.25, 8000, 800, "440 Hz and 1000 Hz at 8 kHz"),
        (6.0, 2.0, 7.0, 1.0, 50, 125, "neighbouring bins, an odd number of samples (125)"),
    ]
    cases = [
        Case({"y": two_sines(f1, a1, f2, a2, sr=sr, n=n), "sr": sr}, label=label)
        for f1, a1, f2, a2, sr, n, label in specs
    ]
    sr, n = 16000, 1600  # 10 Hz bins
    f1, f2 = sorted(rng.choice(np.arange(10, 790), size=2, replace=False) * 10.0)
    a1, a2 = rng.uniform(0.2, 1.0, size=2)
    cases.append(Case({"y": two_sines(f1, a1, f2, a2, sr=sr, n=n), "sr": sr}, label="two random tones at 16 kHz"))
    return cases


# ---------------------------------------------------------------------------
# l03-window: a periodic Hann window on one frame
# ---------------------------------------------------------------------------

WINDOW_FRAME = np.round(np.sin(2 * np.pi * 2.5 * np.arange(16) / 16) + 0.2, 6)


def _window_ref(frame: Any) -> tuple[np.ndarray, np.ndarray]:
    import librosa

    frame = np.asarray(frame, dtype=float)
    w = librosa.filters.get_window("hann", len(frame), fftbins=True).astype(float)
    return w, frame * w


def _window_symmetric(frame: Any) -> tuple[np.ndarray, np.ndarray]:
    frame = np.asarray(frame, dtype=float)
    w = np.hanning(len(frame))
    return w, frame * w


def _window_not_applied(frame: Any) -> tuple[np.ndarray, np.ndarray]:
    w, _ = _window_ref(frame)
    return w, np.asarray(frame, dtype=float)


def _window_hidden(rng: np.random.Generator) -> list[Case]:
    return [
        Case({"frame": np.array([1.0, 1.0])}, label="2 samples"),
        Case({"frame": rng.normal(size=7)}, label="7 samples (odd)"),
        Case({"frame": np.ones(400)}, label="400 ones (a 25 ms frame at 16 kHz)"),
        Case({"frame": rng.uniform(-1, 1, size=512)}, label="512 random samples"),
    ]


# ---------------------------------------------------------------------------
# l03-db: decibels of a magnitude spectrum, three ways
# ---------------------------------------------------------------------------

DB_S = np.array([1.0, 0.5, 0.1, 0.01, 1e-3, 1e-6, 0.0, 2.0])


def _db_ref(S: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import librosa

    S = np.asarray(S, dtype=float)
    amp_db = librosa.amplitude_to_db(S, ref=1.0, amin=1e-5, top_db=None)
    power_db = librosa.power_to_db(S**2, ref=1.0, amin=1e-10, top_db=None)
    clipped_db = librosa.amplitude_to_db(S, ref=1.0, amin=1e-5, top_db=80.0)
    return amp_db, power_db, clipped_db


def _db_with(S: Any, *, amp: str = "ok", power: str = "ok", clip: str = "ok") -> tuple[np.ndarray, ...]:
    S = np.asarray(S, dtype=float)
    amin = 1e-5
    with np.errstate(divide="ignore"):
        amp_db = {
            "ok": 20 * np.log10(np.maximum(amin, S)),
            "ln": 20 * np.log(np.maximum(amin, S)),
            "10": 10 * np.log10(np.maximum(amin, S)),
            "nofloor": 20 * np.log10(S),
        }[amp]
        power_db = {
            "ok": 10 * np.log10(np.maximum(amin**2, S**2)),
            "20": 20 * np.log10(np.maximum(amin**2, S**2)),
            "amin": 10 * np.log10(np.maximum(amin, S**2)),
        }[power]
    clipped_db = {
        "ok": np.maximum(amp_db, amp_db.max() - 80.0),
        "abs": np.maximum(amp_db, -80.0),
    }[clip]
    return amp_db, power_db, clipped_db


def _db_hidden(rng: np.random.Generator) -> list[Case]:
    return [
        Case({"S": np.array([0.0])}, label="a single zero"),
        Case({"S": np.array([10.0, 3.0, 1e-4])}, label="loud values, above 1.0"),
        Case({"S": np.abs(rng.normal(size=(5, 7)))}, label="a 5 x 7 magnitude spectrogram"),
        Case({"S": np.abs(rng.normal(size=50)) * 10.0 ** rng.uniform(-7, 1, size=50)},
             label="50 values spanning 160 dB"),
    ]


# ---------------------------------------------------------------------------
# l03-amplitude-spectrum (mini-challenge): a one-sided amplitude spectrum
# ---------------------------------------------------------------------------


def _amp_spec(y: Any, *, sr: float, double: str = "ok", divide: str = "N") -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    n = len(y)
    mag = np.abs(np.fft.rfft(y)) / (n if divide == "N" else len(np.fft.rfft(y)))
    if double == "ok":
        last = n // 2 if n % 2 == 0 else n // 2 + 1  # even N: the Nyquist bin is not doubled
        mag[1:last] *= 2
    elif double == "all":
        mag *= 2
    elif double == "nyquist":
        mag[1:] *= 2
    return np.fft.rfftfreq(n, d=1.0 / sr), mag


def amplitude_spectrum_reference(y: Any, *, sr: float) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (Hz) and one-sided amplitudes of a real signal.

    A sine ``A sin(2 pi f t)`` with ``f`` on a bin centre shows as ``A`` at ``f``; the DC
    bin is the mean; an even-length signal's Nyquist bin ``A cos(pi n)`` shows as ``A``.
    """
    return _amp_spec(y, sr=sr)


_AMP_PUBLIC_Y = 0.5 + two_sines(3.0, 1.0, 11.0, 2.0, sr=100.0, n=100) + 0.25 * np.cos(np.pi * np.arange(100))


def _amp_hidden(rng: np.random.Generator) -> list[Case]:
    return [
        Case(args=(np.array([2.0]),), kwargs={"sr": 8000}, label="a single sample"),
        Case(args=(np.array([1.0, -1.0]),), kwargs={"sr": 2}, label="two samples (DC and Nyquist only)"),
        Case(args=(rng.normal(size=101),), kwargs={"sr": 16000}, label="101 random samples (odd)"),
        Case(args=(rng.normal(size=256) + 3.0,), kwargs={"sr": 22050}, label="256 samples with an offset"),
        Case(args=(two_sines(1000.0, 0.3, 3000.0, 0.7, sr=8000, n=80),), kwargs={"sr": 8000},
             label="two tones at 8 kHz"),
    ]


_AMP_CODE_ALL = '''
def amplitude_spectrum(y, *, sr):
    y = np.asarray(y, dtype=float)
    n = len(y)
    amps = 2 * np.abs(np.fft.rfft(y)) / n
    return np.fft.rfftfreq(n, d=1 / sr), amps
'''

_AMP_CODE_NYQ = '''
def amplitude_spectrum(y, *, sr):
    y = np.asarray(y, dtype=float)
    n = len(y)
    amps = np.abs(np.fft.rfft(y)) / n
    amps[1:] *= 2
    return np.fft.rfftfreq(n, d=1 / sr), amps
'''

_AMP_CODE_NODOUBLE = '''
def amplitude_spectrum(y, *, sr):
    y = np.asarray(y, dtype=float)
    n = len(y)
    return np.fft.rfftfreq(n, d=1 / sr), np.abs(np.fft.rfft(y)) / n
'''

_AMP_CODE_BINS = '''
def amplitude_spectrum(y, *, sr):
    y = np.asarray(y, dtype=float)
    n = len(y)
    spectrum = np.fft.rfft(y)
    amps = np.abs(spectrum) / len(spectrum)
    last = n // 2 if n % 2 == 0 else n // 2 + 1
    amps[1:last] *= 2
    return np.fft.rfftfreq(n, d=1 / sr), amps
'''


EXERCISES = [
    Exercise(
        id="l03-dft-matrix",
        lesson=LESSON,
        title="the DFT as a matrix",
        points=1,
        kind="cell",
        target="X",
        reference=_dft_ref,
        public=[Case({"x": DFT_X}, label="the 8-sample x above")],
        hidden=_dft_hidden,
        hint="Row k of the DFT matrix is the complex sinusoid that turns k times in N samples, "
        "with the minus sign of the forward transform; the spectrum is that matrix times the "
        "signal, with no scaling (section 2).",
        atol=1e-8,
        mistakes=[
            Mistake(
                "positive-exponent",
                "Your spectrum is the complex conjugate of the right one: the exponent has the "
                "wrong sign. The forward DFT correlates with exp(-2*pi*i*k*n/N).",
                fn=lambda x: _dft_with(x, sign=+1.0),
                fills=("2j * np.pi * k * n / N", "W @ x"),
            ),
            Mistake(
                "divided-by-n",
                "Your values are N times too small. np.fft.fft does not scale the forward "
                "transform (the 1/N belongs to the inverse).",
                fn=lambda x: _dft_with(x, scale=True),
                fills=("-2j * np.pi * k * n / N", "W @ x / N"),
            ),
            Mistake(
                "no-two-pi",
                "Your angle is missing its 2*pi: a complex sinusoid that makes k full turns in "
                "N samples advances 2*pi*k/N radians per sample.",
                fn=lambda x: _dft_with(x, two_pi=False),
                fills=("-1j * k * n / N", "W @ x"),
            ),
        ],
    ),
    Exercise(
        id="l03-bin-freq",
        lesson=LESSON,
        title="the frequency of bin k, and the bin of a frequency",
        points=1,
        kind="cell",
        target=("bin_hz", "k_nearest"),
        reference=_bins_ref,
        public=[Case({"k": 40, "sr": 16000, "n_fft": 512, "f_hz": 2990.0},
                     label="k=40 and f_hz=2990 Hz, sr=16000 Hz, n_fft=512")],
        hidden=_bins_hidden(),
        strict_types=True,  # the task asks for a bin number: an int
        hint="Neighbouring bins are the sample rate divided by the FFT size apart, starting at "
        "0 Hz; going back, count how many of those steps fit into the frequency and take the "
        "nearest whole number (section 3).",
        mistakes=[
            Mistake(
                "truncated",
                "`k_nearest` is one bin too low when the frequency lies in the upper half of "
                "the gap between two bins: int() drops the fraction (it rounds towards 0). "
                "The nearest bin may be the one above.",
                fills={1: "int(f_hz * n_fft / sr)"},
            ),
            Mistake(
                "spacing-upside-down",
                "`k_nearest` is far too large: you multiplied the frequency by the bin spacing. "
                "Dividing a frequency by the spacing counts bins.",
                fills={1: "round(f_hz * sr / n_fft)"},
            ),
            Mistake(
                "nyquist-spacing",
                "`bin_hz` is half the right frequency: the bins are spaced by the whole sample "
                "rate over the FFT size, not by half of it.",
                fills={0: "k * (sr / 2) / n_fft"},
            ),
        ],
    ),
    Exercise(
        id="l03-peaks",
        lesson=LESSON,
        title="find the two sines: frequencies and amplitudes",
        points=2,
        kind="cell",
        target=("peak_hz", "peak_amp"),
        reference=_peaks_ref,
        public=[
            Case(
                {"y": two_sines(3.0, 1.0, 11.0, 2.0, sr=100.0, n=200), "sr": 100},
                label="3 Hz (amplitude 1) + 11 Hz (amplitude 2), 2 s at 100 Hz",
            )
        ],
        hidden=_peaks_hidden,
        hint="A sine of amplitude A shows in the rfft magnitude scaled by the signal length, and "
        "only half of it lands on the positive frequencies rfft keeps: undo both. Then turn "
        "bin numbers into hertz with the bin spacing (sections 3 and 4).",
        mistakes=[
            Mistake(
                "no-scaling",
                "Your amplitudes are the raw |X[k]|, which grow with the signal length. A sine of "
                "amplitude A over N samples gives |X[k]| = A*N/2: undo that.",
                fn=lambda y, sr: _peaks_with(y, sr, scale="1"),
                fills=("np.abs(spectrum)", "np.fft.rfftfreq(N, d=1 / sr)"),
            ),
            Mistake(
                "one-over-n",
                "Your amplitudes are half the true ones: dividing by N is not enough, because a "
                "real sine splits its energy between +f and -f and rfft keeps only +f.",
                fn=lambda y, sr: _peaks_with(y, sr, scale="1/N"),
                fills=("np.abs(spectrum) / N", "np.fft.rfftfreq(N, d=1 / sr)"),
            ),
            Mistake(
                "bin-index",
                "Your peak positions are bin indices, not hertz. Bin k lies at k * sr / N Hz.",
                fn=lambda y, sr: _peaks_with(y, sr, hz=False),
                fills=("np.abs(spectrum) * 2 / N", "np.arange(len(spectrum))"),
            ),
        ],
    ),
    Exercise(
        id="l03-window",
        lesson=LESSON,
        title="window a frame with a periodic Hann window",
        points=1,
        kind="cell",
        target=("window", "windowed"),
        reference=_window_ref,
        public=[Case({"frame": WINDOW_FRAME}, label="the 16-sample frame above")],
        hidden=_window_hidden,
        hint="The periodic Hann window is one full period of a raised cosine over N samples (it "
        "divides by N, not N - 1); windowing multiplies the frame by it, sample by sample "
        "(section 6).",
        mistakes=[
            Mistake(
                "symmetric",
                "You built the symmetric Hann window (dividing by N - 1, like np.hanning). "
                "Spectral analysis (librosa, scipy's fftbins=True) uses the periodic one, which "
                "divides by N, so that the window repeats seamlessly every N samples.",
                fn=_window_symmetric,
                fills=("2 * np.pi * n / (N - 1)", "frame * window"),
            ),
            Mistake(
                "not-applied",
                "`windowed` is still the raw frame: the window has to multiply the frame.",
                fn=_window_not_applied,
                fills=("2 * np.pi * n / N", "frame"),
            ),
        ],
    ),
    Exercise(
        id="l03-db",
        lesson=LESSON,
        title="decibels: amplitude, power and a top_db floor",
        points=2,
        kind="cell",
        target=("amp_db", "power_db", "clipped_db"),
        reference=_db_ref,
        public=[Case({"S": DB_S}, label="the 8 magnitudes above")],
        hidden=_db_hidden,
        hint="Amplitudes and powers take different factors in front of log10, and each needs its "
        "own floor before the logarithm (the power floor is the square of the amplitude "
        "floor); top_db keeps everything within 80 dB of the loudest value (section 5).",
        mistakes=[
            Mistake(
                "natural-log",
                "`amp_db` uses the natural logarithm. Decibels are defined with log10.",
                fn=lambda S: _db_with(S, amp="ln"),
                fills=("20 * np.log(np.maximum(amin, S))", "10 * np.log10(np.maximum(amin ** 2, power))",
                       "amp_db.max() - 80.0"),
            ),
            Mistake(
                "ten-for-amplitude",
                "`amp_db` uses 10*log10, which is for powers. An amplitude ratio r is "
                "20*log10(r) dB, because power goes with the square of amplitude.",
                fn=lambda S: _db_with(S, amp="10"),
                fills=("10 * np.log10(np.maximum(amin, S))", "10 * np.log10(np.maximum(amin ** 2, power))",
                       "amp_db.max() - 80.0"),
            ),
            Mistake(
                "no-floor",
                "Some of your decibels are -inf: log10(0) is minus infinity. Clamp the values "
                "from below with amin before taking the logarithm.",
                fn=lambda S: _db_with(S, amp="nofloor"),
                fills=("20 * np.log10(S)", "10 * np.log10(np.maximum(amin ** 2, power))",
                       "amp_db.max() - 80.0"),
            ),
            Mistake(
                "twenty-for-power",
                "`power_db` uses 20*log10, which is for amplitudes. Power is already a squared "
                "quantity: 10*log10.",
                fn=lambda S: _db_with(S, power="20"),
                fills=("20 * np.log10(np.maximum(amin, S))", "20 * np.log10(np.maximum(amin ** 2, power))",
                       "amp_db.max() - 80.0"),
            ),
            Mistake(
                "power-floor",
                "`power_db` floors the power at amin, the amplitude floor. A power floor must be "
                "the square of the amplitude floor, or the two dB scales disagree for quiet bins.",
                fn=lambda S: _db_with(S, power="amin"),
                fills=("20 * np.log10(np.maximum(amin, S))", "10 * np.log10(np.maximum(amin, power))",
                       "amp_db.max() - 80.0"),
            ),
            Mistake(
                "absolute-floor",
                "`clipped_db` cuts at -80 dB absolute. top_db is relative to the loudest value: "
                "keep everything within 80 dB of the maximum.",
                fn=lambda S: _db_with(S, clip="abs"),
                fills=("20 * np.log10(np.maximum(amin, S))", "10 * np.log10(np.maximum(amin ** 2, power))",
                       "-80.0"),
            ),
        ],
    ),
    Exercise(
        id="l03-amplitude-spectrum",
        lesson=LESSON,
        title="mini-challenge: a one-sided amplitude spectrum",
        points=3,
        kind="function",
        target="amplitude_spectrum",
        reference=amplitude_spectrum_reference,
        public=[
            Case(args=(_AMP_PUBLIC_Y,), kwargs={"sr": 100},
                 label="0.5 + sin 3 Hz + 2 sin 11 Hz + 0.25 cos(pi n), 100 samples at 100 Hz"),
            Case(args=(0.5 + two_sines(4.0, 1.0, 10.0, 0.5, sr=25.0, n=25),), kwargs={"sr": 25},
                 label="an odd length: 25 samples at 25 Hz"),
        ],
        hidden=_amp_hidden,
        hint="Bins that have a mirror image in the negative frequencies hold half of a sine's "
        "amplitude; 0 Hz and, for even N, the Nyquist bin have none. Scale by the number of "
        "samples accordingly (section 4 and the mini-challenge's table).",
        atol=1e-9,
        mistakes=[
            Mistake(
                "double-everything",
                "Your DC value is twice the signal's mean. Only bins with a mirror image in the "
                "negative frequencies get doubled; 0 Hz has none.",
                fn=lambda y, *, sr: _amp_spec(y, sr=sr, double="all"),
                code=_AMP_CODE_ALL,
            ),
            Mistake(
                "double-nyquist",
                "Right for odd lengths, but for even N your last (Nyquist) bin is doubled. "
                "Like 0 Hz, the Nyquist frequency is its own mirror image.",
                fn=lambda y, *, sr: _amp_spec(y, sr=sr, double="nyquist"),
                code=_AMP_CODE_NYQ,
            ),
            Mistake(
                "no-doubling",
                "Your sine amplitudes are half the true ones: a real sine's energy is split "
                "between +f and -f, and rfft shows only +f.",
                fn=lambda y, *, sr: _amp_spec(y, sr=sr, double="none"),
                code=_AMP_CODE_NODOUBLE,
            ),
            Mistake(
                "divided-by-bins",
                "You divided by the number of rfft bins; the scaling uses N, the number of "
                "samples.",
                fn=lambda y, *, sr: _amp_spec(y, sr=sr, divide="bins"),
                code=_AMP_CODE_BINS,
            ),
        ],
    ),
]
