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
    ]
    for sr in (8_000, 22_050, 48_000):
        n = int(rng.integers(1, 10 * sr))
        cases.append(Case({"n_samples": n, "sr": sr}, label=f"{n} samples at {sr} Hz"))
    return cases


def to_db_reference(ratio):
    """Decibels of an amplitude ratio, ``20 * log10(ratio)``.  Lesson: 00 Start here."""
    return 20 * np.log10(ratio)


def _to_db_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case(args=(2.0,), label="a ratio of 2"),
        Case(args=(1e-3,), label="a ratio of 0.001"),
        Case(args=(np.array([0.25, 1.0, 4.0]),), label="an array of 3 ratios"),
    ]
    for n in (1, 9, 1000):
        cases.append(Case(args=(rng.uniform(1e-4, 1e4, size=n),), label=f"{n} random ratios"))
    return cases


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
                "`//` is floor division: it throws away the fraction of a second. "
                "Python has another division operator that keeps it.",
                fn=lambda n_samples, sr: n_samples // sr,
                fills=("n_samples // sr",),
            ),
            Mistake(
                "product",
                "Multiplying the two gives a huge number in samples squared per second. "
                "Work out the units: you want seconds.",
                fn=lambda n_samples, sr: n_samples * sr,
                fills=("n_samples * sr",),
            ),
        ],
    ),
    Exercise(
        id="l00-to-db",
        lesson=LESSON,
        title="decibels from an amplitude ratio",
        points=2,
        kind="function",
        target="to_db",
        reference=to_db_reference,
        public=[
            Case(args=(1.0,), label="a ratio of 1"),
            Case(args=(10.0,), label="a ratio of 10"),
            Case(args=(0.5,), label="a ratio of 0.5"),
            Case(args=(np.array([1.0, 10.0, 100.0, 0.1]),), label="an array of 4 ratios"),
        ],
        hidden=_to_db_hidden,
        hint="Look at the formula in the Decibels section again: which logarithm, and which factor "
        "in front for an amplitude ratio? Use NumPy's functions so that arrays work too.",
        mistakes=[
            Mistake(
                "power-formula",
                "You used a factor of 10, which is the rule for power ratios. This function "
                "gets an amplitude ratio, and power grows with the square of amplitude.",
                fn=lambda ratio: 10 * np.log10(ratio),
                code="def to_db(ratio):\n    return 10 * np.log10(ratio)\n",
            ),
            Mistake(
                "natural-log",
                "np.log is the natural logarithm (base e); decibels are defined with base 10.",
                fn=lambda ratio: 20 * np.log(ratio),
                code="def to_db(ratio):\n    return 20 * np.log(ratio)\n",
            ),
            Mistake(
                "bels",
                "That is the ratio in bels. A decibel is a tenth of a bel, and amplitude "
                "ratios count twice (power is amplitude squared).",
                fn=lambda ratio: np.log10(ratio),
                code="def to_db(ratio):\n    return np.log10(ratio)\n",
            ),
        ],
    ),
]
