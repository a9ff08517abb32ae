"""Lesson 04 "STFT and spectrograms": the numbers its prose and its explorer state are true.

The generic exercise tests (``test_exercises.py``) cover the exercise definitions; here the
lesson's own claims are held to librosa: the quick-reference table, the explorer's frame
and bin counts for any slider setting, and the text's warning that NumPy's symmetric
``np.hanning`` misses the 1e-5 match with ``librosa.stft``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import librosa
import matplotlib.pyplot as plt
import numpy as np
import pytest

from autograder.exercises import get
from autograder.plain import from_plain, to_plain

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "04-stft-and-spectrograms.ipynb"


def _cells() -> list[dict]:
    return json.loads(SOLUTION.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def _markdown() -> str:
    return "\n".join(_source(c) for c in _cells() if c["cell_type"] == "markdown")


def _table_row(text: str, first_column: str) -> list[str]:
    for line in text.splitlines():
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and cols[0] == first_column:
            return cols
    raise AssertionError(f"no table row starting with {first_column!r}")


def test_quick_reference_numbers_agree_with_librosa() -> None:
    md = _markdown()
    sr, win, hop = 16000, 400, 160
    one_second = np.zeros(sr, dtype=np.float32)

    assert "400 samples" in _table_row(md, "window length")[2]
    assert int(round(25 / 1000 * sr)) == win
    assert "160 samples" in _table_row(md, "hop")[2]

    bins = _table_row(md, "bins")[2]
    assert f"{librosa.fft_frequencies(sr=sr, n_fft=400).size} (`n_fft=400`)" in bins
    assert f"{librosa.fft_frequencies(sr=sr, n_fft=512).size} (`n_fft=512`)" in bins

    spacing = np.diff(librosa.fft_frequencies(sr=sr, n_fft=400))[0]
    assert f"{spacing:.0f} Hz apart" in _table_row(md, "bin k in Hz")[2]

    centred = librosa.stft(y=one_second, n_fft=win, hop_length=hop).shape[1]
    uncentred = librosa.stft(y=one_second, n_fft=win, hop_length=hop, center=False).shape[1]
    assert f"{centred} for 1 s" in _table_row(md, "frames, centred")[2]
    assert f"{uncentred} for 1 s" in _table_row(md, "frames, not centred")[2]

    t50 = librosa.frames_to_time(50, sr=sr, hop_length=hop)
    assert f"frame 50 at {t50:g} s" in _table_row(md, "frame t in seconds")[2]
    row = _table_row(md, "time τ to frame")[2]
    seconds, frame = re.search(r"([\d.]+) s -> frame (\d+)", row).groups()
    assert int(librosa.time_to_frames(float(seconds), sr=sr, hop_length=hop)) == int(frame)

    # The popular claim the lesson corrects: 20 ms at 16 kHz is 320 samples and 161 bins.
    assert librosa.fft_frequencies(sr=sr, n_fft=320).size == 161
    assert "**161** bins" in md


@pytest.fixture(scope="module")
def explorer_namespace() -> dict:
    """The solution's imports, the word and the explorer's draw function, run in-process."""
    cells = [c for c in _cells() if c["cell_type"] == "code"]
    setup = _source(cells[0]).replace("%matplotlib inline", "")
    imports = _source(cells[1])
    word = next(_source(c) for c in cells if _source(c).startswith('word = synthesize("seven"'))
    draw = next(_source(c) for c in cells if "def draw_spectrogram" in _source(c))
    draw = draw[: draw.index("asrlab.widgets.explorer(")]  # the function, not the widget
    ns: dict = {}
    for code in (setup, imports, word.split("\n")[0], draw):
        exec(compile(code, str(SOLUTION), "exec"), ns)
    return ns


@pytest.mark.parametrize(
    ("win_ms", "hop_ms", "window"),
    [(25, 10, "hann"), (4, 1, "hamming"), (33, 7, "blackman"), (200, 50, "boxcar"), (7, 13, "hann")],
)
def test_explorer_reports_the_frames_and_bins_librosa_computes(explorer_namespace, win_ms, hop_ms, window) -> None:
    ns = explorer_namespace
    fig, counts = ns["draw_spectrogram"](win_ms, hop_ms, window)
    try:
        sr = ns["sr"]
        win_length = int(round(win_ms * sr / 1000))
        hop = int(round(hop_ms * sr / 1000))
        expected = librosa.stft(y=ns["word"], n_fft=win_length, hop_length=hop, window=window).shape
        text = counts.data
        assert text.startswith(f"{expected[1]} frames ({hop} samples apart) x {expected[0]} bins ")
        assert f"({sr / win_length:.1f} Hz apart)" in text
        ax = fig.axes[0]
        assert ax.get_xlabel() == "Time (s)" and ax.get_ylabel() == "Frequency (Hz)"
        assert f"{win_ms} ms {window} window ({win_length} samples)" in ax.get_title()
    finally:
        plt.close(fig)


def test_symmetric_numpy_hanning_misses_the_stft_match_the_lesson_asks_for() -> None:
    exercise = get("l04-stft")

    def my_stft(y, *, n_fft, hop_length, window):
        y_pad = np.pad(y, n_fft // 2)
        n_frames = 1 + (len(y_pad) - n_fft) // hop_length
        frames = np.stack([y_pad[t * hop_length : t * hop_length + n_fft] for t in range(n_frames)])
        return np.fft.rfft(frames * window, axis=1).T

    case = exercise.public[0]
    n_fft = case.kwargs["n_fft"]
    periodic = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    for window, should_pass in ((periodic, True), (np.hanning(n_fft), False)):
        _, kwargs = case.inputs()
        got = from_plain(to_plain(my_stft(window=window, **kwargs)))
        verdict, hint = exercise.judge(case, got)
        assert bool(verdict) is should_pass, verdict.reason
        if not should_pass:
            assert hint == exercise.hint


def test_the_frame_of_time_blank_takes_the_natural_floor_division_without_a_syntax_trap() -> None:
    from autograder.play import answer_sources, fill_blanks

    student, _ = answer_sources("04-stft-and-spectrograms", "l04-frame-time")
    line = next(l for l in student.splitlines() if l.startswith("frame_of_time"))
    assert line.startswith("frame_of_time = ___  "), line  # no `.astype(int)` left after the blank
    case = get("l04-frame-time").public[0]
    ns = {"np": np, **case.inputs()[1]}
    exec(fill_blanks(student, ("frame_index * hop_length / fs", "times * fs // hop_length")), ns)
    verdict, hint = get("l04-frame-time").judge(case, from_plain(to_plain((ns["frame_times"], ns["frame_of_time"]))))
    assert not verdict and "an array of floats, expected whole numbers" in verdict.reason
    assert "`//` on a float array" in hint


def test_spectral_flux_counts_only_rises_frame_by_frame() -> None:
    flux = get("l04-flux").reference
    S = np.array([[0.0, 1.0, 0.5, 2.0], [3.0, 1.0, 1.0, 4.0]]) * np.exp(1j * 0.3)
    # frame 0 -> 1: +1 and -2 (a fall counts 0); 1 -> 2: -0.5 and 0; 2 -> 3: +1.5 and +3
    np.testing.assert_allclose(flux(S), [1.0, 0.0, 4.5])
    assert flux(np.ones((5, 1))).shape == (0,)
    word = librosa.stft(y=np.concatenate([np.zeros(1600), np.sin(np.arange(3200) * 0.3)]), n_fft=512, hop_length=160)
    assert int(np.argmax(flux(word))) + 1 == 10  # the onset at sample 1600 = frame 10
