"""Exercises of lesson 01, sound is a list of numbers.

References: :mod:`asrlab.audio` (PCM conversion, quantisation), :mod:`asrlab.signals`
(sines, SNR) and the sampling arithmetic written out below (tested against real WAV
files and FFT peaks in ``tests/test_lesson_01.py``).  The mistakes are the ones learners
make with their first audio arrays: seconds from an integer division, dividing int16 by
32767 or 65536, quantising with the wrong step or with ``floor``, natural logarithms in
decibels, and forgetting that sampling folds a frequency back around multiples of the
sample rate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from asrlab.audio import int_to_float, quantize
from asrlab.signals import sine, snr_db
from autograder.exercise import Case, Exercise, Mistake

LESSON = "01-sound-and-sampling"


# ---------------------------------------------------------------------------
# l01-duration: samples <-> seconds
# ---------------------------------------------------------------------------


def _duration_ref(n_samples: int, fs: int) -> tuple[float, int]:
    return n_samples / fs, round(0.025 * fs)


def _duration_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case({"n_samples": 16_000, "fs": 16_000}, label="one second at 16 kHz"),
        Case({"n_samples": 1, "fs": 8_000}, label="a single sample at 8 kHz"),
        Case({"n_samples": 0, "fs": 48_000}, label="an empty file at 48 kHz"),
        Case({"n_samples": 12_345, "fs": 11_025}, label="12,345 samples at 11,025 Hz"),
    ]
    for fs in (16_000, 24_000, 48_000):
        n = int(rng.integers(1_000, 500_000))
        cases.append(Case({"n_samples": n, "fs": fs}, label=f"{n} samples at {fs} Hz"))
    return cases


# ---------------------------------------------------------------------------
# l01-int-to-float: int16 PCM -> float in [-1, 1)
# ---------------------------------------------------------------------------

PCM_X = np.array([0, 1, -1, 100, 16384, -16384, 32767, -32768], dtype=np.int16)


def _pcm_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case({"x": np.array([-32768], dtype=np.int16)}, label="the most negative int16 alone"),
        Case({"x": np.zeros(5, dtype=np.int16)}, label="digital silence"),
    ]
    for n in (3, 1001):
        x = rng.integers(-32768, 32768, size=n).astype(np.int16)
        cases.append(Case({"x": x}, label=f"{n} random int16 samples"))
    quiet = rng.integers(-300, 300, size=257).astype(np.int16)
    cases.append(Case({"x": quiet}, label="a quiet recording (peaks near 300)"))
    return cases


# ---------------------------------------------------------------------------
# l01-quantize: N-bit quantisation and its SNR
# ---------------------------------------------------------------------------

QUANT_SR = 16_000


def quant_input(freq: float = 440.0, amplitude: float = 0.6, duration: float = 0.02) -> np.ndarray:
    """The notebook's signal: a sine at 16 kHz (float64)."""
    return sine(freq, sr=QUANT_SR, duration=duration, amplitude=amplitude)


def _quant_ref(y: Any, bits: int) -> tuple[np.ndarray, float]:
    y = np.asarray(y, dtype=np.float64)
    y_q = quantize(y, bits=bits)
    return y_q, snr_db(y, y_q)


def _quant_with(y: Any, bits: int, *, step_exp: str = "1-bits", rounding: str = "round", db: str = "10log10"):
    y = np.asarray(y, dtype=np.float64)
    step = 2.0 ** (1 - bits) if step_exp == "1-bits" else 2.0 ** -bits
    y_q = (np.round(y / step) if rounding == "round" else np.floor(y / step)) * step
    ratio = np.mean(y**2) / np.mean((y_q - y) ** 2)
    snr = {"10log10": 10 * np.log10(ratio), "ln": 10 * np.log(ratio), "20log10": 20 * np.log10(ratio)}[db]
    return y_q, float(snr)


def _quant_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case({"y": quant_input(1000.0, 0.5, 0.01), "bits": 2}, label="2 bits"),
        Case({"y": quant_input(3000.0, 0.3, 0.0301), "bits": 8}, label="8 bits, 482 samples"),
        Case({"y": quant_input(220.0, 0.7, 0.05), "bits": 16}, label="16 bits"),
        Case({"y": np.array([0.1, -0.2, 0.33]), "bits": 3}, label="3 samples, 3 bits"),
    ]
    noise = rng.uniform(-0.7, 0.7, size=999)
    cases.append(Case({"y": noise, "bits": 6}, label="999 samples of uniform noise, 6 bits"))
    from asrlab.data import synthesize

    word = synthesize("seven", sr=16_000).astype(np.float64)
    word = 0.7 * word / np.abs(word).max()
    cases.append(Case({"y": word, "bits": 5}, label="a spoken word, 5 bits"))
    return cases


# ---------------------------------------------------------------------------
# l01-alias: where does a frequency land after sampling?
# ---------------------------------------------------------------------------


def alias_frequency(f: float, fs: float) -> float:
    """The frequency (Hz, in ``[0, fs/2]``) at which a sine of ``f`` Hz appears after
    sampling at ``fs`` Hz: the distance from ``f`` to the nearest multiple of ``fs``."""
    return abs(f - fs * round(f / fs))


def _alias_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case({"f": 1_000, "fs": 8_000}, label="1 kHz at 8 kHz (below Nyquist)"),
        Case({"f": 5_000, "fs": 8_000}, label="5 kHz at 8 kHz"),
        Case({"f": 9_000, "fs": 8_000}, label="9 kHz at 8 kHz"),
        Case({"f": 8_000, "fs": 8_000}, label="exactly the sample rate"),
        Case({"f": 4_000, "fs": 8_000}, label="exactly the Nyquist frequency"),
        Case({"f": 0, "fs": 16_000}, label="0 Hz"),
        Case({"f": 30_000, "fs": 22_050}, label="30 kHz at 22,050 Hz"),
        Case({"f": 7_000, "fs": 11_025}, label="7 kHz at 11,025 Hz"),
        Case({"f": 100_000, "fs": 44_100}, label="100 kHz at 44.1 kHz (several folds)"),
    ]
    for _ in range(3):
        fs = int(rng.choice([8_000, 16_000, 22_050, 44_100]))
        f = float(np.round(rng.uniform(0, 5 * fs), 1))
        cases.append(Case({"f": f, "fs": fs}, label=f"{f} Hz at {fs} Hz"))
    return cases


# ---------------------------------------------------------------------------
# l01-recording-facts: the mini-challenge
# ---------------------------------------------------------------------------


def recording_facts(n_samples: int, *, sr: int, bits: int, channels: int) -> dict[str, Any]:
    """Duration, Nyquist frequency, levels, raw PCM size and bit rate of a recording."""
    return {
        "duration_s": n_samples / sr,
        "nyquist_hz": sr / 2,
        "levels": 2**bits,
        "n_bytes": n_samples * channels * bits // 8,
        "kbps": sr * bits * channels / 1000,
    }


def _facts_with(n_samples: int, *, sr: int, bits: int, channels: int, **wrong: Any) -> dict[str, Any]:
    out = recording_facts(n_samples, sr=sr, bits=bits, channels=channels)
    out.update({k: v(n_samples, sr, bits, channels) for k, v in wrong.items()})
    return out


_FACTS_CODE = '''def recording_facts(n_samples, *, sr, bits, channels):
    return {{
        "duration_s": {duration},
        "nyquist_hz": {nyquist},
        "levels": {levels},
        "n_bytes": {n_bytes},
        "kbps": {kbps},
    }}
'''


def _facts_code(**override: str) -> str:
    parts = {
        "duration": "n_samples / sr",
        "nyquist": "sr / 2",
        "levels": "2 ** bits",
        "n_bytes": "n_samples * channels * bits // 8",
        "kbps": "sr * bits * channels / 1000",
    }
    parts.update(override)
    return _FACTS_CODE.format(**parts)


def _facts_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case(args=(44_100 * 60,), kwargs={"sr": 44_100, "bits": 16, "channels": 2}, label="a minute of CD audio"),
        Case(args=(16_000,), kwargs={"sr": 16_000, "bits": 16, "channels": 1}, label="a second of 16 kHz speech"),
        Case(args=(0,), kwargs={"sr": 8_000, "bits": 8, "channels": 1}, label="an empty 8-bit file"),
        Case(args=(12_345,), kwargs={"sr": 22_050, "bits": 24, "channels": 6}, label="24-bit, 6 channels"),
        Case(args=(11_025 * 3,), kwargs={"sr": 11_025, "bits": 8, "channels": 1}, label="3 s at 11,025 Hz, 8 bits"),
    ]
    for _ in range(3):
        n = int(rng.integers(1, 10_000_000))
        sr = int(rng.choice([8_000, 11_025, 16_000, 48_000, 96_000]))
        bits = int(rng.choice([8, 16, 24, 32]))
        ch = int(rng.integers(1, 9))
        cases.append(Case(args=(n,), kwargs={"sr": sr, "bits": bits, "channels": ch}, label=f"{n} samples, {sr} Hz, {bits} bits, {ch} channels"))
    return cases


EXERCISES = [
    Exercise(
        id="l01-duration",
        lesson=LESSON,
        title="samples to seconds and back",
        points=1,
        kind="cell",
        target=("duration_s", "window_samples"),
        reference=_duration_ref,
        public=[Case({"n_samples": 52_920, "fs": 22_050}, label="the notebook's recording")],
        hidden=_duration_hidden,
        hint="A sample rate counts samples per second: a number of samples and the rate give "
        "seconds, and a duration and the rate give samples. A window holds a whole number of "
        "samples (section 2).",
        mistakes=[
            Mistake(
                "rate-over-samples",
                "Your duration is upside down: the sample rate counts samples *per second*, so "
                "divide the number of samples by it.",
                fn=lambda n_samples, fs: (fs / n_samples, round(0.025 * fs)),
                fills=("fs / n_samples", "round(0.025 * fs)"),
            ),
            Mistake(
                "integer-division",
                "You used `//`, integer division: it throws away the fraction of a second. Use true division.",
                fn=lambda n_samples, fs: (n_samples // fs, round(0.025 * fs)),
                fills=("n_samples // fs", "round(0.025 * fs)"),
            ),
            Mistake(
                "ms-not-seconds",
                "Your window is 1000 times too long: 25 ms is 0.025 s, and the rate is per second.",
                fn=lambda n_samples, fs: (n_samples / fs, round(25 * fs)),
                fills=("n_samples / fs", "round(25 * fs)"),
            ),
            Mistake(
                "not-rounded",
                "You did not round: a window holds a whole number of samples, and at this rate "
                "25 ms is not a whole number of them.",
                fn=lambda n_samples, fs: (n_samples / fs, 0.025 * fs),
                fills=("n_samples / fs", "0.025 * fs"),
            ),
        ],
    ),
    Exercise(
        id="l01-int-to-float",
        lesson=LESSON,
        title="int16 PCM to float",
        points=1,
        kind="cell",
        target="x_float",
        reference=lambda x: int_to_float(np.asarray(x)),
        public=[Case({"x": PCM_X}, label="the notebook's eight samples")],
        hidden=_pcm_hidden,
        hint="int16 spans -32768 to 32767. Scale by the full scale of a signed 16-bit sample, "
        "chosen so that the most negative sample becomes exactly -1.0 (section 4).",
        mistakes=[
            Mistake(
                "divide-32767",
                "You divided by 32767: close, but then the sample -32768 becomes -1.00003, outside [-1, 1). "
                "The full scale is the size of the negative half.",
                fn=lambda x: np.asarray(x) / 32767,
                fills=("x / 32767",),
            ),
            Mistake(
                "divide-65536",
                "You divided by the number of levels (2**16): the result only spans [-0.5, 0.5). "
                "int16 is signed, so the full scale is half of that.",
                fn=lambda x: np.asarray(x) / 65536,
                fills=("x / 65536",),
            ),
            Mistake(
                "no-scaling",
                "You only changed the dtype, which keeps the values (32767 stays 32767.0); they also need scaling "
                "into [-1, 1).",
                fn=lambda x: np.asarray(x).astype(np.float32),
                fills=("x.astype(np.float32)",),
            ),
        ],
    ),
    Exercise(
        id="l01-quantize",
        lesson=LESSON,
        title="quantise to N bits and measure the SNR",
        points=2,
        kind="cell",
        target=("y_q", "snr"),
        reference=_quant_ref,
        public=[Case({"y": quant_input(), "bits": 4}, label="the notebook's 440 Hz sine, 4 bits")],
        hidden=_quant_hidden,
        hint="The range from -1 to 1 is 2 wide and holds 2 to the power `bits` levels: that fixes "
        "the step. Round each sample to the nearest level, then compare the signal's power "
        "with the noise's power in decibels, as in the SNR formula of section 4.",
        mistakes=[
            Mistake(
                "natural-log",
                "You used np.log, the natural logarithm; decibels are defined with log10.",
                fn=lambda y, bits: _quant_with(y, bits, db="ln"),
                fills=("2.0 ** (1 - bits)", "np.round(y / step) * step", "10 * np.log(np.mean(y ** 2) / np.mean(noise ** 2))"),
            ),
            Mistake(
                "20log-of-power",
                "Your SNR is twice too big: the ratio you take is of *powers* (mean squares), and "
                "power ratios take 10 log10; 20 log10 is for amplitude ratios.",
                fn=lambda y, bits: _quant_with(y, bits, db="20log10"),
                fills=("2.0 ** (1 - bits)", "np.round(y / step) * step", "20 * np.log10(np.mean(y ** 2) / np.mean(noise ** 2))"),
            ),
            Mistake(
                "step-too-small",
                "Your step is half the right size: 2**bits levels must cover the whole range "
                "from -1 to 1, which is 2 wide, not 1.",
                fn=lambda y, bits: _quant_with(y, bits, step_exp="-bits"),
                fills=("2.0 ** -bits", "np.round(y / step) * step", "10 * np.log10(np.mean(y ** 2) / np.mean(noise ** 2))"),
            ),
            Mistake(
                "floor",
                "You rounded with np.floor, which always rounds down, so the error is biased (never positive) and twice "
                "as large as it needs to be. Round to the *nearest* level.",
                fn=lambda y, bits: _quant_with(y, bits, rounding="floor"),
                fills=("2.0 ** (1 - bits)", "np.floor(y / step) * step", "10 * np.log10(np.mean(y ** 2) / np.mean(noise ** 2))"),
            ),
        ],
    ),
    Exercise(
        id="l01-alias",
        lesson=LESSON,
        title="predict the aliased frequency",
        points=1,
        kind="cell",
        target="f_alias",
        reference=lambda f, fs: alias_frequency(f, fs),
        public=[Case({"f": 13_000, "fs": 8_000}, label="a 13 kHz whistle sampled at 8 kHz")],
        hidden=_alias_hidden,
        hint="Sampling cannot tell a frequency from the same frequency plus any whole multiple of "
        "the sample rate, nor from its negative. Find the multiple of `fs` nearest to `f`; "
        "the alias is how far `f` lies from it (section 3).",
        mistakes=[
            Mistake(
                "floor-multiple",
                "You subtracted the multiple of fs *below* f (that is f % fs). The alias is the "
                "distance to the *nearest* multiple, which may be above f.",
                fn=lambda f, fs: abs(f - fs * (f // fs)),
                fills=("fs * (f // fs)", "abs(f - nearest)"),
            ),
            Mistake(
                "no-abs",
                "Your alias is a negative frequency: when the nearest multiple lies above f, the difference "
                "is negative. A sine at -f sounds the same as at f; report the size.",
                fn=lambda f, fs: f - fs * round(f / fs),
                fills=("fs * round(f / fs)", "f - nearest"),
            ),
            Mistake(
                "one-fold",
                "You computed fs - f, which is right only for frequencies between fs/2 and fs. Work with the nearest "
                "multiple of fs so that any frequency works.",
                fn=lambda f, fs: fs - f,
                fills=("fs * round(f / fs)", "fs - f"),
            ),
        ],
    ),
    Exercise(
        id="l01-recording-facts",
        lesson=LESSON,
        title="mini-challenge: the facts of a recording",
        points=3,
        kind="function",
        target="recording_facts",
        reference=recording_facts,
        public=[
            Case(args=(52_920,), kwargs={"sr": 22_050, "bits": 16, "channels": 2}, label="2.4 s of 22,050 Hz stereo"),
            Case(args=(160_000,), kwargs={"sr": 16_000, "bits": 24, "channels": 1}, label="10 s of 24-bit mono"),
        ],
        hidden=_facts_hidden,
        hint="Check each entry against the lesson: the duration from the samples and the rate "
        "(section 2), the Nyquist frequency (section 3), the number of levels of `bits` bits "
        "(section 4), the bytes of every channel's samples (section 5), and the bit rate over "
        "all channels.",
        mistakes=[
            Mistake(
                "bits-not-bytes",
                "Your n_bytes is 8 times too large: you counted bits, and a sample of `bits` bits takes bits / 8 bytes.",
                fn=lambda n, *, sr, bits, channels: _facts_with(n, sr=sr, bits=bits, channels=channels, n_bytes=lambda n, sr, b, c: n * c * b),
                code=_facts_code(n_bytes="n_samples * channels * bits"),
            ),
            Mistake(
                "forgot-channels",
                "Your n_bytes and kbps ignore the channels: a stereo file stores every sample time twice.",
                fn=lambda n, *, sr, bits, channels: _facts_with(
                    n, sr=sr, bits=bits, channels=channels,
                    n_bytes=lambda n, sr, b, c: n * b // 8, kbps=lambda n, sr, b, c: sr * b / 1000,
                ),
                code=_facts_code(n_bytes="n_samples * bits // 8", kbps="sr * bits / 1000"),
            ),
            Mistake(
                "nyquist-is-sr",
                "Your nyquist_hz is the sample rate itself; the Nyquist frequency is half of it.",
                fn=lambda n, *, sr, bits, channels: _facts_with(n, sr=sr, bits=bits, channels=channels, nyquist_hz=lambda n, sr, b, c: sr),
                code=_facts_code(nyquist="sr"),
            ),
            Mistake(
                "levels-minus-one",
                "You counted 2**bits - 1 levels: that is the largest *unsigned* value, not the number of levels: with "
                "b bits there are 2**b different codes.",
                fn=lambda n, *, sr, bits, channels: _facts_with(n, sr=sr, bits=bits, channels=channels, levels=lambda n, sr, b, c: 2**b - 1),
                code=_facts_code(levels="2 ** bits - 1"),
            ),
        ],
    ),
]
