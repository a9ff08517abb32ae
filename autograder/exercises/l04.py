"""Exercises of lesson 04 "STFT and spectrograms".

References are librosa's own functions (``librosa.stft``,
``librosa.frames_to_time``, ``librosa.time_to_frames``, ``librosa.fft_frequencies``), so
a learner's answer is held to the library practitioners use.  librosa is imported inside
the references, so loading the exercise registry stays cheap.
"""

from __future__ import annotations

import numpy as np

from autograder.exercise import Case, Exercise, Mistake

LESSON = "04-stft-and-spectrograms"


# --------------------------------------------------------------------------- helpers


def _librosa():
    import librosa

    return librosa


def _stft(y: np.ndarray, *, n_fft: int, hop_length: int, **kwargs) -> np.ndarray:
    return _librosa().stft(y=np.asarray(y), n_fft=n_fft, hop_length=hop_length, **kwargs)


def _framed_fft(y: np.ndarray, *, n_fft: int, hop_length: int) -> np.ndarray:
    """Centre-padded, Hann-windowed frames through the *full* FFT: shape (n_fft, n_frames)."""
    y_pad = np.pad(np.asarray(y), n_fft // 2)
    n_frames = 1 + (len(y_pad) - n_fft) // hop_length
    frames = np.stack([y_pad[t * hop_length : t * hop_length + n_fft] for t in range(n_frames)])
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    return np.fft.fft(frames * window, axis=1).T


def _test_signal(rng: np.random.Generator, n: int, *, sr: int) -> np.ndarray:
    """A tone with a gliding pitch plus a little noise: no two STFT cells are equal."""
    t = np.arange(n) / sr
    f0 = rng.uniform(150.0, 0.3 * sr)
    glide = rng.uniform(-0.2, 0.2) * f0
    phase = 2 * np.pi * (f0 * t + 0.5 * glide * t**2 / max(t[-1], 1e-9))
    return 0.5 * np.sin(phase) + 0.05 * rng.normal(size=n)


# --------------------------------------------------------------------------- l04-n-bins


def _n_bins_ref(fs: int, win_ms: float) -> tuple[int, int]:
    win_length = int(round(win_ms / 1000 * fs))
    return win_length, int(_librosa().fft_frequencies(sr=fs, n_fft=win_length).size)


N_BINS = Exercise(
    id="l04-n-bins",
    lesson=LESSON,
    title="window length in samples and number of frequency bins",
    points=1,
    kind="cell",
    target=("win_length", "n_bins"),
    reference=_n_bins_ref,
    strict_types=True,  # the task asks for an int
    public=[Case({"fs": 16000, "win_ms": 20}, label="a 20 ms window at 16 kHz")],
    hidden=[
        Case({"fs": 16000, "win_ms": 25}, label="25 ms at 16 kHz"),
        Case({"fs": 22050, "win_ms": 25}, label="25 ms at 22.05 kHz (an odd window length)"),
        Case({"fs": 8000, "win_ms": 32}, label="32 ms at 8 kHz"),
        Case({"fs": 44100, "win_ms": 93}, label="93 ms at 44.1 kHz"),
        Case({"fs": 16000, "win_ms": 0.5}, label="a tiny 0.5 ms window"),
        Case({"fs": 11025, "win_ms": 25}, label="25 ms at 11025 Hz (275.6 samples: rounded up)"),
    ],
    hint="Convert milliseconds to seconds before using the sample rate, and remember how many "
    "bins a real FFT of N samples gives (lesson 03, section 3).",
    mistakes=[
        Mistake(
            "ms-not-seconds",
            "Your window is 1000 times too long: `win_ms` is in milliseconds, but the sample "
            "rate counts samples per *second*.",
            fn=lambda fs, win_ms: (int(round(win_ms * fs)), int(round(win_ms * fs)) // 2 + 1),
            fills=("win_ms * fs", "win_length // 2 + 1"),
        ),
        Mistake(
            "half-without-dc",
            "Your n_bins is one short: a real FFT of N samples gives N//2 + 1 bins, from 0 Hz (DC) up to "
            "and including the Nyquist frequency. 320 samples give 161 bins, not 160.",
            fn=lambda fs, win_ms: (int(round(win_ms / 1000 * fs)), int(round(win_ms / 1000 * fs)) // 2),
            fills=("win_ms / 1000 * fs", "win_length // 2"),
        ),
        Mistake(
            "full-fft",
            "You counted the bins of the full complex FFT. For a real signal the upper "
            "half mirrors the lower half, so `rfft` (and every spectrogram) keeps only the "
            "non-negative frequencies.",
            fn=lambda fs, win_ms: (int(round(win_ms / 1000 * fs)), int(round(win_ms / 1000 * fs))),
            fills=("win_ms / 1000 * fs", "win_length"),
        ),
    ],
)


# --------------------------------------------------------------------------- l04-frame-time


def _frame_time_ref(frame_index, times, fs, hop_length, n_fft):  # noqa: ARG001 - n_fft is a distractor
    lr = _librosa()
    return (
        lr.frames_to_time(np.asarray(frame_index), sr=fs, hop_length=hop_length),
        lr.time_to_frames(np.asarray(times), sr=fs, hop_length=hop_length),
    )


def _frame_time_wrong(*, to_time, to_frame):
    def fn(frame_index, times, fs, hop_length, n_fft):
        frame_index = np.asarray(frame_index)
        times = np.asarray(times)
        return to_time(frame_index, fs, hop_length, n_fft), to_frame(times, fs, hop_length, n_fft).astype(int)

    return fn


def _right_time(f, fs, hop, n_fft):  # noqa: ARG001
    return f * hop / fs


def _right_frame(t, fs, hop, n_fft):  # noqa: ARG001
    return np.floor(t * fs / hop)


def _frame_time_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for fs, hop, n_fft in ((22050, 512, 2048), (8000, 80, 200), (16000, 256, 1024), (44100, 441, 1764), (11025, 110, 441)):
        frame_index = np.sort(rng.choice(200, size=6, replace=False))
        times = np.round(np.sort(rng.uniform(0.0, 3.0, size=7)), 4)
        cases.append(
            Case(
                {"frame_index": frame_index, "times": times, "fs": fs, "hop_length": hop, "n_fft": n_fft},
                label=f"fs={fs} Hz, hop_length={hop}, n_fft={n_fft}",
            )
        )
    return cases


FRAME_TIME = Exercise(
    id="l04-frame-time",
    lesson=LESSON,
    title="frame index <-> time, with centred frames",
    points=1,
    kind="cell",
    target=("frame_times", "frame_of_time"),
    reference=_frame_time_ref,
    strict_types=True,  # the task asks for frame indices: whole numbers
    public=[
        Case(
            {
                "frame_index": np.array([0, 1, 2, 50, 99]),
                "times": np.array([0.0, 0.004, 0.0125, 0.25, 0.999]),
                "fs": 16000,
                "hop_length": 160,
                "n_fft": 400,
            },
            label="16 kHz, 10 ms hop, 25 ms window",
        )
    ],
    hidden=_frame_time_hidden,
    hint="With centred frames, frame t is centred on the sample t hops in; the sample rate "
    "turns samples into seconds. Going back, take the last frame whose centre is at or "
    "before the time, as a whole number (section 8).",
    mistakes=[
        Mistake(
            "samples-not-seconds",
            "Your frame times are in samples, not seconds: divide by the sample rate.",
            fn=_frame_time_wrong(to_time=lambda f, fs, hop, n: f * hop, to_frame=_right_frame),
            fills=("frame_index * hop_length", "np.floor(times * fs / hop_length).astype(int)"),
        ),
        Mistake(
            "uncentred",
            "You shifted by half a window (n_fft // 2). That is where a frame's centre lies "
            "when frames start at sample 0 (center=False). With centre padding (librosa's "
            "default) frame t is already centred on sample t * hop_length; n_fft does not "
            "enter.",
            fn=_frame_time_wrong(to_time=lambda f, fs, hop, n: (f * hop + n // 2) / fs, to_frame=_right_frame),
            fills=("(frame_index * hop_length + n_fft // 2) / fs", "np.floor(times * fs / hop_length).astype(int)"),
        ),
        Mistake(
            "forgot-hop",
            "Your frame times ignore the hop: consecutive frames are hop_length samples apart, "
            "not one sample.",
            fn=_frame_time_wrong(to_time=lambda f, fs, hop, n: f / fs, to_frame=_right_frame),
            fills=("frame_index / fs", "np.floor(times * fs / hop_length).astype(int)"),
        ),
        Mistake(
            "rounded",
            "You rounded to the nearest frame. The convention (librosa.time_to_frames) rounds "
            "down: the last frame whose centre is at or before the time.",
            fn=_frame_time_wrong(to_time=_right_time, to_frame=lambda t, fs, hop, n: np.round(t * fs / hop)),
            fills=("frame_index * hop_length / fs", "np.round(times * fs / hop_length).astype(int)"),
        ),
        Mistake(
            "inverted-ratio",
            "Your frame indices use hop_length / fs upside down: a time in seconds times the "
            "sample rate gives samples, and samples divided by the hop give frames.",
            fn=_frame_time_wrong(to_time=_right_time, to_frame=lambda t, fs, hop, n: np.floor(t * hop / fs)),
            fills=("frame_index * hop_length / fs", "np.floor(times * hop_length / fs).astype(int)"),
        ),
        Mistake(
            "float-indices",
            "Your frame indices have the right values but are floats: `//` on a float array "
            "rounds down yet keeps the float type. The task asks for whole numbers, an integer "
            "array, because frame indices are used to index arrays.",
            fills={1: "times * fs // hop_length"},
        ),
    ],
)


# --------------------------------------------------------------------------- l04-stft


def _stft_case(rng: np.random.Generator, n: int, *, sr: int, n_fft: int, hop: int, label: str) -> Case:
    return Case({"y": _test_signal(rng, n, sr=sr), "n_fft": n_fft, "hop_length": hop}, label=label)


def _stft_public() -> list[Case]:
    rng = np.random.default_rng(404)
    return [
        _stft_case(rng, 400, sr=8000, n_fft=64, hop=16, label="400 samples, n_fft=64, hop_length=16"),
        _stft_case(rng, 301, sr=8000, n_fft=128, hop=50, label="an odd length, 301 samples"),
    ]


def _stft_hidden(rng: np.random.Generator) -> list[Case]:
    return [
        _stft_case(rng, 4000, sr=16000, n_fft=400, hop=160, label="25 ms window, 10 ms hop at 16 kHz"),
        _stft_case(rng, 1001, sr=8000, n_fft=255, hop=100, label="odd n_fft=255 and odd length"),
        _stft_case(rng, 256, sr=16000, n_fft=256, hop=64, label="a signal exactly one window long"),
        _stft_case(rng, 2205, sr=22050, n_fft=512, hop=512, label="no overlap (hop_length = n_fft)"),
        _stft_case(rng, 777, sr=11025, n_fft=96, hop=37, label="a hop that does not divide the length"),
    ]


STFT = Exercise(
    id="l04-stft",
    lesson=LESSON,
    title="an STFT from scratch that matches librosa.stft",
    points=2,
    kind="function",
    target="my_stft",
    reference=lambda y, n_fft, hop_length: _stft(y, n_fft=n_fft, hop_length=hop_length),
    public=_stft_public(),
    hidden=_stft_hidden,
    hint="Five steps (section 2): pad half a window of zeros on each side, cut frames of n_fft "
    "samples every hop_length samples, multiply each frame by the window, take the real "
    "FFT of each frame, and put frequency on the rows and time on the columns.",
    mistakes=[
        Mistake(
            "no-window",
            "Your frames are not windowed, so the abrupt frame edges leak energy into every "
            "bin. Multiply each frame by the Hann window before the FFT.",
            fn=lambda y, n_fft, hop_length: _stft(y, n_fft=n_fft, hop_length=hop_length, window=np.ones(n_fft)),
            fills=("n_fft // 2", "1 + (len(y_pad) - n_fft) // hop_length", "frames", "np.fft.rfft(frames, axis=1)", "spectrum.T"),
        ),
        Mistake(
            "no-padding",
            "You did not pad the signal (that is center=False), so you get fewer frames and "
            "frame t starts at sample t * hop_length instead of being centred there. Pad "
            "n_fft // 2 zeros on each side.",
            fn=lambda y, n_fft, hop_length: _stft(y, n_fft=n_fft, hop_length=hop_length, center=False),
            fills=("0", "1 + (len(y_pad) - n_fft) // hop_length", "frames * window", "np.fft.rfft(frames, axis=1)", "spectrum.T"),
        ),
        Mistake(
            "off-by-one-frames",
            "You have one frame too few: (length - n_fft) // hop_length counts the hops, and there is "
            "one more frame than hops (the first frame needs no hop).",
            fn=lambda y, n_fft, hop_length: _stft(y, n_fft=n_fft, hop_length=hop_length)[:, :-1],
            fills=("n_fft // 2", "(len(y_pad) - n_fft) // hop_length", "frames * window", "np.fft.rfft(frames, axis=1)", "spectrum.T"),
        ),
        Mistake(
            "full-fft",
            "You kept all n_fft bins of the complex FFT. A real signal's spectrum is mirrored, "
            "so the STFT keeps only the n_fft // 2 + 1 non-negative frequencies: use the real "
            "FFT.",
            fn=lambda y, n_fft, hop_length: _framed_fft(y, n_fft=n_fft, hop_length=hop_length),
            fills=("n_fft // 2", "1 + (len(y_pad) - n_fft) // hop_length", "frames * window", "np.fft.fft(frames, axis=1)", "spectrum.T"),
        ),
        Mistake(
            "time-on-rows",
            "Your result has time on the rows. librosa's convention (and this course's) is "
            "shape (1 + n_fft // 2, n_frames): frequency on the rows, time on the columns.",
            fn=lambda y, n_fft, hop_length: _stft(y, n_fft=n_fft, hop_length=hop_length).T,
            fills=("n_fft // 2", "1 + (len(y_pad) - n_fft) // hop_length", "frames * window", "np.fft.rfft(frames, axis=1)", "spectrum"),
        ),
    ],
    rtol=1e-5,
    atol=1e-6,
)


# --------------------------------------------------------------------------- l04-flux


def _word_stft() -> np.ndarray:
    """The STFT the notebook builds before this exercise: the word "yes" at 16 kHz."""
    from asrlab.data import synthesize

    return _stft(synthesize("yes"), n_fft=512, hop_length=160)


def _flux_ref(S):
    """Spectral flux: per pair of neighbouring frames, the summed *increase* of magnitude."""
    mag = np.abs(np.asarray(S))
    return np.maximum(mag[:, 1:] - mag[:, :-1], 0.0).sum(axis=0)


def _flux_hidden(rng: np.random.Generator) -> list[Case]:
    def noise_stft(n_bins, n_frames, scale=1.0):
        return scale * (rng.normal(size=(n_bins, n_frames)) + 1j * rng.normal(size=(n_bins, n_frames)))

    fading = noise_stft(65, 12) * np.linspace(1.0, 0.0, 12)[None, :]  # only decreases
    rising = noise_stft(65, 12) * np.linspace(0.0, 1.0, 12)[None, :] ** 2  # only increases
    burst = np.zeros((129, 10), dtype=complex)
    burst[:, 4:7] = noise_stft(129, 3, 5.0)  # silence, a burst, silence
    y11 = _test_signal(rng, 2205, sr=11025)
    return [
        Case({"S": noise_stft(257, 1)}, label="a single frame (no pair of frames)"),
        Case({"S": noise_stft(33, 2)}, label="two frames"),
        Case({"S": np.zeros((257, 6), dtype=complex)}, label="digital silence"),
        Case({"S": fading}, label="a sound fading out"),
        Case({"S": rising}, label="a sound fading in"),
        Case({"S": burst}, label="silence, a 3-frame burst, silence"),
        Case({"S": _stft(y11, n_fft=255, hop_length=110)}, label="11025 Hz, odd n_fft=255"),
    ]


FLUX = Exercise(
    id="l04-flux",
    lesson=LESSON,
    title="spectral flux: where sounds start",
    points=1,
    kind="cell",
    target="flux",
    reference=_flux_ref,
    public=[Case({"S": _word_stft()}, label='the STFT of "yes"')],
    hidden=_flux_hidden,
    labels={"flux": lambda index: f"for frames {index[0]} to {index[0] + 1}"},
    hint="Compare every frame's magnitudes with those of the frame before it, bin by bin; keep "
    "only the increases (a decrease counts as no change), and add them up over frequency: one "
    "number per pair of neighbouring frames (section 7).",
    mistakes=[
        Mistake(
            "no-rectify",
            "You added the changes with their signs, so a bin that gets quieter cancels one "
            "that gets louder, and the flux can go negative. Onsets are increases: a decrease "
            "should count as no change.",
            fills={1: "rise.sum(axis=0)"},
        ),
        Mistake(
            "abs-change",
            "You added the size of every change, so a sound that stops counts as much as one "
            "that starts. Spectral flux for onsets keeps only the increases.",
            fills={1: "np.abs(rise).sum(axis=0)"},
        ),
        Mistake(
            "across-frequency",
            "Your differences are between neighbouring *bins* (rows) of the same frame. The "
            "flux compares each frame with the *previous frame* (columns), bin by bin.",
            fills={0: "mag[1:, :] - mag[:-1, :]"},
        ),
        Mistake(
            "summed-over-time",
            "You summed over the frames (axis 1) and got one number per frequency bin. The flux "
            "is one number per pair of frames: sum over frequency (axis 0).",
            fills={1: "np.maximum(rise, 0).sum(axis=1)"},
        ),
    ],
)


# --------------------------------------------------------------------------- l04-loudest


def _loudest_ref(y, *, sr, n_fft=512, hop_length=128):
    lr = _librosa()
    mag = np.abs(_stft(y, n_fft=n_fft, hop_length=hop_length))
    k, t = np.unravel_index(int(np.argmax(mag)), mag.shape)
    freq = float(lr.fft_frequencies(sr=sr, n_fft=n_fft)[k])
    time = float(lr.frames_to_time(t, sr=sr, hop_length=hop_length))
    return time, freq


def _loudest_wrong(*, freq_of, time_of):
    def fn(y, *, sr, n_fft=512, hop_length=128):
        mag = np.abs(_stft(y, n_fft=n_fft, hop_length=hop_length))
        k, t = np.unravel_index(int(np.argmax(mag)), mag.shape)
        return float(time_of(t, sr=sr, hop=hop_length, n_fft=n_fft)), float(freq_of(k, sr=sr, n_fft=n_fft, n=len(y)))

    return fn


def _burst(rng: np.random.Generator, n: int, *, sr: int, at: float) -> np.ndarray:
    """Quiet noise plus a short tone burst centred ``at`` (0..1) of the way through."""
    y = 0.01 * rng.normal(size=n)
    f = rng.uniform(200.0, 0.4 * sr)
    width = max(n // 8, 64)
    centre = int(at * n)
    lo, hi = max(0, centre - width // 2), min(n, centre + width // 2)
    t = np.arange(hi - lo) / sr
    y[lo:hi] += np.hanning(hi - lo) * np.sin(2 * np.pi * f * t)
    return y


def _loudest_hidden(rng: np.random.Generator) -> list[Case]:
    return [
        Case({"y": _burst(rng, 16000, sr=16000, at=0.7), "sr": 16000}, label="a tone burst in noise, 1 s at 16 kHz"),
        Case({"y": _burst(rng, 8001, sr=8000, at=0.2), "sr": 8000, "n_fft": 256, "hop_length": 80}, label="8 kHz, odd length, n_fft=256"),
        Case({"y": _burst(rng, 22050, sr=22050, at=0.5), "sr": 22050, "n_fft": 1024, "hop_length": 256}, label="22.05 kHz"),
        Case({"y": _test_signal(rng, 512, sr=16000), "sr": 16000}, label="a signal exactly one window long"),
        Case({"y": _burst(rng, 4410, sr=44100, at=0.9), "sr": 44100, "n_fft": 2048, "hop_length": 441}, label="44.1 kHz, 10 ms hop"),
    ]


def _loudest_public() -> list[Case]:
    rng = np.random.default_rng(44)
    return [
        Case({"y": _burst(rng, 8000, sr=16000, at=0.6), "sr": 16000}, label="a tone burst in noise, 0.5 s at 16 kHz"),
        Case({"y": _burst(rng, 6000, sr=8000, at=0.3), "sr": 8000, "n_fft": 256, "hop_length": 64}, label="8 kHz, n_fft=256, hop_length=64"),
    ]


_LOUDEST_HEAD = '''def loudest_point(y, *, sr, n_fft=512, hop_length=128):
    S = np.abs(asrlab.features.stft(y, n_fft=n_fft, hop_length=hop_length))
    k, t = np.unravel_index(np.argmax(S), S.shape)
'''

LOUDEST = Exercise(
    id="l04-loudest",
    lesson=LESSON,
    title="mini-challenge: when and at what frequency is the spectrogram loudest?",
    points=2,
    kind="function",
    target="loudest_point",
    reference=_loudest_ref,
    public=_loudest_public(),
    hidden=_loudest_hidden,
    hint="Take the magnitude STFT (Hann window, centred frames), find the row (bin) and column "
    "(frame) of its largest value, then turn the bin into hertz with the bin spacing of "
    "an n_fft-point FFT and the frame into the time of its centre (sections 2 and 8). "
    "Return (time_s, freq_hz).",
    mistakes=[
        Mistake(
            "signal-length-bins",
            "Your frequency divides by the wrong N. In an STFT every FFT has n_fft points, so "
            "bin k lies at k * sr / n_fft Hz; the length of the whole signal plays no part.",
            fn=_loudest_wrong(freq_of=lambda k, sr, n_fft, n: k * sr / n, time_of=lambda t, sr, hop, n_fft: t * hop / sr),
            code=_LOUDEST_HEAD + "    return float(t * hop_length / sr), float(k * sr / len(y))\n",
        ),
        Mistake(
            "bin-index",
            "Your frequency is a bin index, not Hz. Bin k of an n_fft-point FFT lies at "
            "k * sr / n_fft Hz.",
            fn=_loudest_wrong(freq_of=lambda k, sr, n_fft, n: k, time_of=lambda t, sr, hop, n_fft: t * hop / sr),
            code=_LOUDEST_HEAD + "    return float(t * hop_length / sr), float(k)\n",
        ),
        Mistake(
            "uncentred-time",
            "Your time is half a window late. With centred frames (librosa's default), frame t "
            "is centred on sample t * hop_length: no n_fft // 2 offset.",
            fn=_loudest_wrong(freq_of=lambda k, sr, n_fft, n: k * sr / n_fft, time_of=lambda t, sr, hop, n_fft: (t * hop + n_fft // 2) / sr),
            code=_LOUDEST_HEAD + "    return float((t * hop_length + n_fft // 2) / sr), float(k * sr / n_fft)\n",
        ),
        Mistake(
            "frame-index-time",
            "Your time is a frame index, not seconds. Frame t is centred at t * hop_length "
            "samples; divide by the sample rate.",
            fn=_loudest_wrong(freq_of=lambda k, sr, n_fft, n: k * sr / n_fft, time_of=lambda t, sr, hop, n_fft: t),
            code=_LOUDEST_HEAD + "    return float(t), float(k * sr / n_fft)\n",
        ),
    ],
)


EXERCISES = [N_BINS, STFT, FLUX, FRAME_TIME, LOUDEST]
