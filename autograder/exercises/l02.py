"""Exercises of lesson 02, time-domain features.

References: :func:`asrlab.features.energy`, the sign-change count of
``librosa.zero_crossings(y, pad=False)``,
``librosa.util.frame``, ``librosa.feature.rms`` and, for the voice-activity mini-challenge,
:func:`asrlab.features.detect_speech` (checked against librosa in
``tests/test_lesson_02.py``).  The mistakes are the classic ones: summing samples instead
of their squares, counting a crossing through an exact zero twice (or not at all), the
off-by-one frame count, forgetting librosa's centring, dropping ``keepdims``, natural
logarithms in decibels, and a hangover that reaches backwards in time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from asrlab.data import synthesize
from asrlab.features import detect_speech as _detect_speech
from asrlab.features import energy as _energy
from autograder.exercise import Case, Exercise, Mistake

LESSON = "02-time-domain-features"

#: The short list of the first two exercises (the notebook's ``samples``).
SAMPLES = [0.5, 0.2, -0.1, -0.3, 0.0, 0.4, -0.2, 0.0, -0.1]

#: The notebook's spoken sentence: words separated by pauses, at 16 kHz.
SENTENCE_TEXT = "stop, go left"
SENTENCE_GAP_MS = 200


def sentence(sr: int = 16_000) -> np.ndarray:
    """The notebook's sentence ("stop, go left" with 200 ms pauses), float32."""
    return synthesize(SENTENCE_TEXT, word_gap_ms=SENTENCE_GAP_MS, sr=sr)


def _zero_crossings_ref(y: Any) -> int:
    """Sign changes between neighbours, 0 counting as positive.

    This is ``librosa.zero_crossings(y, pad=False).sum()`` except that librosa also counts
    samples within 1e-10 of zero as zero; the lesson's exercises use the plain rule (the
    two agree whenever no sample is that tiny without being 0, see the lesson's tests).
    """
    negative = np.asarray(y, dtype=np.float64) < 0
    return int(np.count_nonzero(negative[1:] != negative[:-1]))


def _list_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case({"samples": [0.25]}, label="a single sample"),
        Case({"samples": [1.0, -1.0]}, label="two samples"),
        Case({"samples": [0.0, 0.0, 0.0]}, label="silence"),
        Case({"samples": [-0.5, 0.0, -0.5, 0.0, 0.5]}, label="touching zero from below"),
        Case({"samples": [0.1, 0.2, 0.3, 0.2]}, label="all positive"),
    ]
    for n in (7, 100):
        x = np.round(rng.normal(scale=0.3, size=n), 2)
        cases.append(Case({"samples": [float(v) for v in x]}, label=f"{n} samples rounded to 0.01 (some exact zeros)"))
    return cases


def _numpy_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [Case({"y": np.array(c.kwargs["samples"], dtype=np.float64)}, label=c.label) for c in _list_hidden(rng)]
    word = synthesize("six", sr=16_000)
    cases.append(Case({"y": word}, label=f"the spoken word 'six' ({len(word)} samples, float32)"))
    gap = np.concatenate([word[:800], np.zeros(160, np.float32), -word[:800]])
    cases.append(Case({"y": gap}, label="speech around 10 ms of digital silence"))
    return cases


def _np_with(y: Any, *, energy: str = "sum", crossings: str = "negative") -> tuple[float, int]:
    y = np.asarray(y, dtype=np.float64)
    e = {"sum": np.sum(y**2), "mean": np.mean(y**2), "square-of-sum": np.sum(y) ** 2}[energy]
    if crossings == "negative":
        c = np.count_nonzero((y[1:] < 0) != (y[:-1] < 0))
    elif crossings == "product":
        c = np.count_nonzero(y[1:] * y[:-1] < 0)
    else:  # sign
        c = np.count_nonzero(np.diff(np.sign(y)))
    return float(e), int(c)


# ---------------------------------------------------------------------------
# framing
# ---------------------------------------------------------------------------


def _frame_ref(y: Any, frame_length: int, hop_length: int) -> tuple[int, np.ndarray]:
    import librosa

    frames = librosa.util.frame(np.ascontiguousarray(y), frame_length=frame_length, hop_length=hop_length)
    return frames.shape[1], np.array(frames)


def _frames_by_hand(y: Any, frame_length: int, hop_length: int) -> np.ndarray:
    y = np.asarray(y)
    return np.lib.stride_tricks.sliding_window_view(y, frame_length)[::hop_length].T


def _frame_hidden(rng: np.random.Generator) -> list[Case]:
    word = synthesize("go", sr=8_000)
    return [
        Case({"y": np.arange(5.0), "frame_length": 5, "hop_length": 2}, label="exactly one frame"),
        Case({"y": np.arange(13.0), "frame_length": 4, "hop_length": 3}, label="13 samples, hop 3"),
        Case({"y": np.arange(10.0), "frame_length": 2, "hop_length": 4}, label="hop longer than the frame"),
        Case({"y": rng.normal(size=101), "frame_length": 7, "hop_length": 1}, label="hop of one sample"),
        Case({"y": word, "frame_length": 200, "hop_length": 80}, label=f"a spoken word at 8 kHz ({len(word)} samples)"),
    ]


# ---------------------------------------------------------------------------
# frame-wise RMS
# ---------------------------------------------------------------------------


def _rms_ref(y: Any, frame_length: int, hop_length: int) -> np.ndarray:
    import librosa

    return librosa.feature.rms(y=np.asarray(y), frame_length=frame_length, hop_length=hop_length, center=True)


def _rms_with(y: Any, frame_length: int, hop_length: int, *, pad: str = "half", reduce: str = "rms") -> np.ndarray:
    y = np.asarray(y)
    p = {"half": frame_length // 2, "none": 0, "full": frame_length}[pad]
    frames = _frames_by_hand(np.pad(y, p), frame_length, hop_length)
    if reduce == "rms":
        return np.sqrt(np.mean(frames**2, axis=0, keepdims=True))
    if reduce == "power":
        return np.mean(frames**2, axis=0, keepdims=True)
    if reduce == "flat":
        return np.sqrt(np.mean(frames**2, axis=0))
    return np.sqrt(np.sum(frames**2, axis=0, keepdims=True))


def _rms_hidden(rng: np.random.Generator) -> list[Case]:
    word = synthesize("left", sr=16_000)
    return [
        Case({"y": word, "frame_length": 2048, "hop_length": 512}, label="librosa's default sizes"),
        Case({"y": word, "frame_length": 401, "hop_length": 160}, label="an odd frame length"),
        Case({"y": rng.normal(size=1001), "frame_length": 64, "hop_length": 48}, label="1001 samples of noise (float64)"),
        Case({"y": rng.normal(size=30).astype(np.float32), "frame_length": 40, "hop_length": 10}, label="a signal shorter than one frame"),
        Case({"y": np.ones(5), "frame_length": 4, "hop_length": 1}, label="5 samples, hop 1"),
        Case({"y": synthesize("six", sr=11_025), "frame_length": 276, "hop_length": 110},
             label="a word at 11,025 Hz, 25 ms frames (276 samples)"),
    ]


# ---------------------------------------------------------------------------
# voice activity detection (mini-challenge)
# ---------------------------------------------------------------------------


# The reference is asrlab's detector (tests/test_lesson_02.py checks it against an
# independent implementation built on librosa's RMS and a maximum filter).
detect_speech_reference = _detect_speech


_VAD_CODE = '''def detect_speech(y, *, sr, frame_ms=25.0, hop_ms=10.0, threshold_db=-40.0, hangover_ms=100.0):
    frame_length = {frame_length}
    hop_length = {hop_length}
    level = asrlab.features.rms(y, frame_length=frame_length, hop_length=hop_length)[0]
    level_db = {level_db}
    loud = level_db > threshold_db
    hangover = round(hangover_ms / hop_ms)
    speech = loud.copy()
    for t in np.flatnonzero(loud):
        speech[{span}] = True
    return speech
'''


def _vad_code(**override: str) -> str:
    parts = {
        "frame_length": "round(frame_ms * sr / 1000)",
        "hop_length": "round(hop_ms * sr / 1000)",
        "level_db": "20 * np.log10(np.maximum(level, 1e-10))",
        "span": "t : t + hangover + 1",
    }
    parts.update(override)
    return _VAD_CODE.format(**parts)


def _vad_with(y: Any, *, sr: int, frame_ms: float = 25.0, hop_ms: float = 10.0, threshold_db: float = -40.0,
              hangover_ms: float = 100.0, mistake: str) -> np.ndarray:
    import librosa

    if mistake == "ms-as-samples":
        frame_length, hop_length = round(frame_ms), round(hop_ms)
    else:
        frame_length, hop_length = round(frame_ms * sr / 1000), round(hop_ms * sr / 1000)
    level = librosa.feature.rms(y=np.asarray(y, dtype=np.float64), frame_length=frame_length, hop_length=hop_length)[0]
    floor = np.maximum(level, 1e-10)
    level_db = 20 * np.log(floor) if mistake == "natural-log" else 20 * np.log10(floor)
    loud = level_db > threshold_db
    hangover = round(hangover_ms / hop_ms)
    if mistake == "no-hangover":
        return loud
    speech = loud.copy()
    for t in np.flatnonzero(loud):
        if mistake == "both-sides":
            speech[max(0, t - hangover) : t + hangover + 1] = True
        else:
            speech[t : t + hangover + 1] = True
    return speech


def _vad_hidden(rng: np.random.Generator) -> list[Case]:
    from asrlab.signals import add_noise, sine

    cases = []
    quiet = synthesize("stop, go left", word_gap_ms=200, sr=16_000, voice="en-gb+f3")
    cases.append(Case(args=(0.3 * quiet,), kwargs={"sr": 16_000}, label="a quieter voice at 16 kHz"))
    y8 = synthesize("turn it up", word_gap_ms=300, sr=8_000, voice="en-us+m3")
    cases.append(Case(args=(y8,), kwargs={"sr": 8_000}, label="8 kHz speech"))
    y24 = synthesize("open the door", word_gap_ms=250, sr=24_000, rate=200)
    noisy = add_noise(y24.astype(np.float64), snr_db=30.0, seed=int(rng.integers(0, 2**31)))
    cases.append(Case(args=(noisy,), kwargs={"sr": 24_000, "threshold_db": -35.0}, label="24 kHz speech in noise, threshold -35 dB"))
    cases.append(Case(args=(y8,), kwargs={"sr": 8_000, "hop_ms": 5.0, "hangover_ms": 50.0, "frame_ms": 20.0},
                      label="20 ms frames, 5 ms hop, 50 ms hangover"))
    cases.append(Case(args=(np.zeros(4000),), kwargs={"sr": 16_000}, label="digital silence"))
    burst = np.concatenate([np.zeros(1600), sine(440, sr=16_000, duration=0.05, amplitude=0.5), np.zeros(3200)])
    cases.append(Case(args=(burst,), kwargs={"sr": 16_000, "hangover_ms": 0.0}, label="a 50 ms beep, no hangover"))
    cases.append(Case(args=(burst[1500:1700],), kwargs={"sr": 16_000}, label="a signal shorter than one frame"))
    return cases


def _vad_mistake(name: str):
    return lambda y, **kw: _vad_with(y, mistake=name, **kw)


_SENTENCE = sentence()
_WORD_SIX = synthesize("six", sr=16_000)

EXERCISES = [
    Exercise(
        id="l02-energy",
        lesson=LESSON,
        title="energy of a list, in plain Python",
        points=1,
        kind="cell",
        target="energy",
        reference=lambda samples: _energy(np.asarray(samples, dtype=np.float64)),
        public=[Case({"samples": SAMPLES}, label="the notebook's nine samples")],
        hidden=_list_hidden,
        hint="Energy adds up the square of every sample (section 2).",
        mistakes=[
            Mistake(
                "no-square",
                "You added the samples themselves, so negative samples cancel positive ones. "
                "What makes every term non-negative, and loud samples count more?",
                fn=lambda samples: float(sum(samples)),
                fills=("s",),
            ),
            Mistake(
                "abs",
                "You added absolute values (the L1 norm). Energy uses a different power of each sample.",
                fn=lambda samples: float(sum(abs(s) for s in samples)),
                fills=("abs(s)",),
            ),
        ],
    ),
    Exercise(
        id="l02-zero-crossings",
        lesson=LESSON,
        title="zero crossings of a list, in plain Python",
        points=1,
        kind="cell",
        target="crossings",
        reference=lambda samples: _zero_crossings_ref(samples),
        public=[Case({"samples": SAMPLES}, label="the notebook's nine samples")],
        hidden=_list_hidden,
        hint="Compare the *sign side* of each pair of neighbours: a crossing is a pair where one "
        "is negative and the other is not (0 counts as positive, section 2).",
        mistakes=[
            Mistake(
                "product",
                "You tested previous * current < 0, which misses every crossing that passes through an exact 0 "
                "(the product is 0 there). Compare on which side of zero each sample lies.",
                fn=lambda samples: _np_with(samples, crossings="product")[1],
                fills=("previous * current < 0",),
            ),
            Mistake(
                "zero-as-negative",
                "You counted 0 as negative. The convention (librosa's too) is that 0 is on the "
                "positive side: -0.2, 0.0 is a crossing, 0.0, 0.4 is not.",
                fn=lambda samples: int(np.count_nonzero(np.diff(np.asarray(samples) <= 0))),
                fills=("(previous <= 0) != (current <= 0)",),
            ),
            Mistake(
                "value-change",
                "You counted every change of value. A zero crossing is a change of *sign*.",
                fn=lambda samples: int(np.count_nonzero(np.diff(np.asarray(samples, dtype=float)))),
                fills=("previous != current",),
            ),
        ],
    ),
    Exercise(
        id="l02-numpy",
        lesson=LESSON,
        title="energy and zero crossings with NumPy",
        points=1,
        kind="cell",
        target=("energy_np", "crossings_np"),
        reference=lambda y: (_energy(np.asarray(y)), _zero_crossings_ref(y)),
        public=[Case({"y": np.array(SAMPLES)}, label="the nine samples as an array")],
        hidden=_numpy_hidden,
        hint="Energy: square element-wise, then sum. Crossings: make a boolean array 'is "
        "negative', then count the places where neighbours differ (section 3).",
        rtol=1e-5,
        mistakes=[
            Mistake(
                "mean-not-sum",
                "You used np.mean, which divides by the number of samples: that is the *power* (mean square). "
                "Energy is the plain sum.",
                fn=lambda y: _np_with(y, energy="mean"),
                fills=("np.mean(y ** 2)", "np.count_nonzero((y[1:] < 0) != (y[:-1] < 0))"),
            ),
            Mistake(
                "square-of-sum",
                "You squared the sum; energy is the sum of the squares (square first, then add).",
                fn=lambda y: _np_with(y, energy="square-of-sum"),
                fills=("np.sum(y) ** 2", "np.count_nonzero((y[1:] < 0) != (y[:-1] < 0))"),
            ),
            Mistake(
                "sign-diff",
                "You counted changes of np.sign, and np.sign(0) is 0, so a signal that goes -0.3, 0.0, 0.4 changes sign twice in "
                "your count. Compare a boolean 'is negative' instead.",
                fn=lambda y: _np_with(y, crossings="sign"),
                fills=("np.sum(y ** 2)", "np.count_nonzero(np.diff(np.sign(y)))"),
            ),
            Mistake(
                "product",
                "You tested y[1:] * y[:-1] < 0, which misses the crossings that pass through an exact 0.",
                fn=lambda y: _np_with(y, crossings="product"),
                fills=("np.sum(y ** 2)", "np.count_nonzero(y[1:] * y[:-1] < 0)"),
            ),
        ],
    ),
    Exercise(
        id="l02-frame",
        lesson=LESSON,
        title="frame a signal",
        points=2,
        kind="cell",
        target=("n_frames", "frames"),
        reference=_frame_ref,
        public=[Case({"y": np.arange(12.0), "frame_length": 4, "hop_length": 2}, label="12 samples, frames of 4, hop 2")],
        hidden=_frame_hidden,
        hint="The last frame must fit entirely: count how many hops fit after the first frame, "
        "plus the first frame itself. librosa's frames are the *columns* (section 4).",
        mistakes=[
            Mistake(
                "len-over-hop",
                "You counted len(y) // hop_length frames, including frames that start near the end but do not fit "
                "entirely. The last frame must end inside the signal.",
                fn=lambda y, frame_length, hop_length: (len(y) // hop_length, _frames_by_hand(y, frame_length, hop_length)),
                fills=("len(y) // hop_length", "windows[::hop_length].T"),
            ),
            Mistake(
                "no-plus-one",
                "You are off by one: (len(y) - frame_length) // hop_length counts the hops *after* the "
                "first frame. Count the first frame too.",
                fn=lambda y, frame_length, hop_length: ((len(y) - frame_length) // hop_length, _frames_by_hand(y, frame_length, hop_length)),
                fills=("(len(y) - frame_length) // hop_length", "windows[::hop_length].T"),
            ),
            Mistake(
                "rows-not-columns",
                "Your frames are the rows. librosa (and the rest of this course) puts one frame "
                "per *column*: shape (frame_length, n_frames).",
                fn=lambda y, frame_length, hop_length: (1 + (len(y) - frame_length) // hop_length, _frames_by_hand(y, frame_length, hop_length).T),
                fills=("1 + (len(y) - frame_length) // hop_length", "windows[::hop_length]"),
            ),
            Mistake(
                "every-window",
                "You kept a window at *every* sample (hop 1). Keep only every hop_length-th start.",
                fn=lambda y, frame_length, hop_length: (1 + (len(y) - frame_length) // hop_length, _frames_by_hand(y, frame_length, 1)),
                fills=("1 + (len(y) - frame_length) // hop_length", "windows.T"),
            ),
        ],
    ),
    Exercise(
        id="l02-rms",
        lesson=LESSON,
        title="frame-wise RMS, like librosa.feature.rms",
        points=2,
        kind="cell",
        target="rms",
        reference=_rms_ref,
        public=[Case({"y": _WORD_SIX, "frame_length": 400, "hop_length": 160}, label="the word 'six', 25 ms frames, 10 ms hop")],
        hidden=_rms_hidden,
        hint="librosa centres frames (pads half a frame of zeros at both ends), takes the mean of "
        "the squares down each column, then the square root, and keeps a leading axis of size "
        "1 (section 5).",
        rtol=1e-5,
        atol=1e-7,
        mistakes=[
            Mistake(
                "no-centering",
                "You have too few frames: librosa.feature.rms centres its frames by default, "
                "padding half a frame of zeros at each end first.",
                fn=lambda y, frame_length, hop_length: _rms_with(y, frame_length, hop_length, pad="none"),
                fills=("0", "np.sqrt(np.mean(padded_frames ** 2, axis=0, keepdims=True))"),
            ),
            Mistake(
                "pad-full-frame",
                "You padded a whole frame at each end; centring needs half a frame.",
                fn=lambda y, frame_length, hop_length: _rms_with(y, frame_length, hop_length, pad="full"),
                fills=("frame_length", "np.sqrt(np.mean(padded_frames ** 2, axis=0, keepdims=True))"),
            ),
            Mistake(
                "no-sqrt",
                "You computed the mean square (power) of each frame; RMS is its square *root*.",
                fn=lambda y, frame_length, hop_length: _rms_with(y, frame_length, hop_length, reduce="power"),
                fills=("frame_length // 2", "np.mean(padded_frames ** 2, axis=0, keepdims=True)"),
            ),
            Mistake(
                "no-keepdims",
                "Your values are right but your shape is flat: librosa returns shape (1, n_frames), "
                "one row per channel of features. Keep the reduced axis.",
                fn=lambda y, frame_length, hop_length: _rms_with(y, frame_length, hop_length, reduce="flat"),
                fills=("frame_length // 2", "np.sqrt(np.mean(padded_frames ** 2, axis=0))"),
            ),
            Mistake(
                "sum-not-mean",
                "You summed the squares: that is the square root of the frame's *energy*, which "
                "grows with the frame length. RMS takes the mean.",
                fn=lambda y, frame_length, hop_length: _rms_with(y, frame_length, hop_length, reduce="sum"),
                fills=("frame_length // 2", "np.sqrt(np.sum(padded_frames ** 2, axis=0, keepdims=True))"),
            ),
        ],
    ),
    Exercise(
        id="l02-vad",
        lesson=LESSON,
        title="mini-challenge: a voice activity detector",
        points=3,
        kind="function",
        target="detect_speech",
        reference=detect_speech_reference,
        public=[
            Case(args=(_SENTENCE,), kwargs={"sr": 16_000}, label="the notebook's sentence, defaults"),
            Case(args=(_SENTENCE,), kwargs={"sr": 16_000, "threshold_db": -30.0, "hangover_ms": 50.0},
                 label="threshold -30 dB, 50 ms hangover"),
        ],
        hidden=_vad_hidden,
        hint="Follow the recipe of section 7 step by step: frame sizes in samples from "
        "milliseconds, centred RMS frames, the level in dB (floored at 1e-10), the threshold, "
        "then keep speech on for the hangover frames *after* each loud frame.",
        mistakes=[
            Mistake(
                "no-hangover",
                "Your decisions are the raw threshold: speech must also stay on for "
                "round(hangover_ms / hop_ms) frames after every loud frame.",
                fn=_vad_mistake("no-hangover"),
                code=_vad_code(span="t"),
            ),
            Mistake(
                "natural-log",
                "You used np.log, the natural logarithm; a level in dB uses log10.",
                fn=_vad_mistake("natural-log"),
                code=_vad_code(level_db="20 * np.log(np.maximum(level, 1e-10))"),
            ),
            Mistake(
                "both-sides",
                "Your hangover also reaches *back* in time. A hangover only holds the decision "
                "after speech (a detector running live cannot know what comes next).",
                fn=_vad_mistake("both-sides"),
                code=_vad_code(span="max(0, t - hangover) : t + hangover + 1"),
            ),
            Mistake(
                "ms-as-samples",
                "Your frames are a few samples long: frame_ms and hop_ms are in milliseconds; "
                "convert them to samples with the sample rate.",
                fn=_vad_mistake("ms-as-samples"),
                code=_vad_code(frame_length="round(frame_ms)", hop_length="round(hop_ms)"),
            ),
        ],
    ),
]
