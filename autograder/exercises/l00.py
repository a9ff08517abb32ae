"""Lesson 00 "Start here": two warm-up exercises that show how checks and grading work."""

from __future__ import annotations

import numpy as np

from autograder.exercise import Case, Exercise, Mistake

LESSON = "00-start-here"


def duration_seconds(n_samples: int, sr: int) -> float:
    """Duration in seconds of ``n_samples`` samples at ``sr`` Hz.  Lesson: 00 Start here."""
    return n_samples / sr


def _duration_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case({"n_samples": 16_000, "sr": 16_000}, label="exactly one second"),
        Case({"n_samples": 1, "sr": 8_000}, label="a single sample"),
        Case({"n_samples": 0, "sr": 44_100}, label="an empty recording"),
        Case({"n_samples": 2_646_000, "sr": 44_100}, label="a minute of CD audio"),
        Case({"n_samples": 5_000, "sr": 11_025}, label="5000 samples at 11,025 Hz"),
    ]
    for sr in (8_000, 22_050, 48_000):
        n = int(rng.integers(1, 10 * sr))
        cases.append(Case({"n_samples": n, "sr": sr}, label=f"{n} samples at {sr} Hz"))
    return cases


def normalize_reference(y, peak=1.0):
    """``y`` scaled so that its largest absolute sample is ``peak``; silence stays silence.

    Lesson: 00 Start here.
    """
    y = np.asarray(y, dtype=np.float64)
    loudest = np.max(np.abs(y))
    return y.copy() if loudest == 0 else y * (peak / loudest)


def _tone(amplitude: float = 0.3, sr: int = 16_000) -> np.ndarray:
    """The notebook's 1 s, 440 Hz tone."""
    return amplitude * np.sin(2 * np.pi * 440 * np.arange(sr) / sr)


def _normalize_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case(args=(np.array([-0.3]),), label="a single negative sample"),
        Case(args=(np.array([-0.1, -0.4, -0.2]),), kwargs={"peak": 0.9}, label="only negative samples, peak=0.9"),
        Case(args=(np.zeros(1),), label="one sample of silence"),
        Case(args=(np.zeros(7),), kwargs={"peak": 0.5}, label="silence, peak=0.5"),
        Case(args=(np.array([1e-6, -3e-6, 2e-6]),), label="a very quiet signal"),
        Case(args=(np.array([2.0, -1.0]),), kwargs={"peak": 1.0}, label="a signal louder than full scale"),
    ]
    noise = rng.normal(scale=0.1, size=1001)
    noise[500] = -1.5 * np.abs(noise).max()  # the loudest sample is negative, in the middle
    cases.append(Case(args=(noise,), kwargs={"peak": 0.25}, label="1001 samples of noise, peak=0.25"))
    return cases


_NORMALIZE_HEAD = "def normalize(y, peak=1.0):\n"

EXERCISES = [
    Exercise(
        id="l00-duration",
        lesson=LESSON,
        title="duration in seconds",
        points=1,
        kind="cell",
        target="duration_s",
        reference=duration_seconds,
        public=[Case({"n_samples": 40_000, "sr": 16_000}, label="the notebook's recording")],
        hidden=_duration_hidden,
        hint="The sample rate `sr` says how many samples make up one second of sound: how many "
        "seconds do `n_samples` samples fill? (Your turn: duration in seconds.)",
        mistakes=[
            Mistake(
                "upside-down",
                "Your answer is upside down: a few seconds of sound should give a few seconds, "
                "not a tiny fraction. Which of the two numbers belongs on top?",
                fn=lambda n_samples, sr: sr / n_samples,
                fills=("sr / n_samples",),
            ),
            Mistake(
                "floor-division",
                "You used `//`, floor division: it throws away the fraction of a second. "
                "Python has another division operator that keeps it.",
                fn=lambda n_samples, sr: n_samples // sr,
                fills=("n_samples // sr",),
            ),
            Mistake(
                "product",
                "You multiplied the two, which gives a huge number in samples squared per second. "
                "Work out the units: you want seconds.",
                fn=lambda n_samples, sr: n_samples * sr,
                fills=("n_samples * sr",),
            ),
        ],
    ),
    Exercise(
        id="l00-normalize",
        lesson=LESSON,
        title="peak normalisation",
        points=2,
        kind="function",
        target="normalize",
        reference=normalize_reference,
        public=[
            Case(args=(np.array([0.2, -0.8, 0.4]),), label="three samples, the loudest one negative"),
            Case(args=(np.array([0.05, 0.1, -0.02]),), kwargs={"peak": 0.5}, label="peak=0.5"),
            Case(args=(np.zeros(4),), label="digital silence"),
            Case(args=(_tone(),), label="the 440 Hz tone above (amplitude 0.3)"),
        ],
        hidden=_normalize_hidden,
        hint="Find how loud the loudest sample is, whatever its sign, and scale every sample by "
        "the same factor so that this one ends up at `peak`. A silent signal has nothing to "
        "scale (Your turn: peak normalisation).",
        mistakes=[
            Mistake(
                "max-not-abs",
                "You scaled by the largest value, which misses a loudest sample that is negative "
                "(then the result overshoots `peak`, or flips sign). Loudness ignores the sign: "
                "look at the size of each sample.",
                code=_NORMALIZE_HEAD + "    loudest = np.max(y)\n"
                "    return np.zeros_like(y) if loudest == 0 else y * peak / loudest\n",
            ),
            Mistake(
                "ignores-peak",
                "Your result always peaks at 1.0: you divided by the loudest sample but did not "
                "scale to the requested `peak`.",
                code=_NORMALIZE_HEAD + "    loudest = np.max(np.abs(y))\n"
                "    return np.zeros_like(y) if loudest == 0 else y / loudest\n",
            ),
            Mistake(
                "silence-divides-by-zero",
                "Silence gave NaN: its loudest sample is 0, and 0 / 0 is not a number. A silent "
                "signal must come back silent, so treat it before dividing.",
                code=_NORMALIZE_HEAD + "    return y * peak / np.max(np.abs(y))\n",
            ),
        ],
    ),
]
