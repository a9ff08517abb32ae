"""asrlab.plot: every helper draws on the Axes it is given (or a new one) and returns it,
with axis labels that carry units."""

from __future__ import annotations

import re

import librosa
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from asrlab import ctc, dtw, plot  # noqa: E402

UNIT = re.compile(r"\S.*\(.+\)")  # "Name (unit)"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _labelled(ax) -> None:
    assert UNIT.fullmatch(ax.get_xlabel()), ax.get_xlabel()
    assert UNIT.fullmatch(ax.get_ylabel()), ax.get_ylabel()


SR = 16000
Y = (0.3 * np.sin(2 * np.pi * 440 * np.arange(SR // 2) / SR)).astype(np.float32)


def _calls():
    S_db = librosa.amplitude_to_db(np.abs(librosa.stft(y=Y, n_fft=512, hop_length=160)))
    M_db = librosa.power_to_db(librosa.feature.melspectrogram(y=Y, sr=SR, n_fft=512, hop_length=160, n_mels=40))
    fb = librosa.filters.mel(sr=SR, n_fft=512, n_mels=20)
    lp = np.log(np.random.default_rng(0).dirichlet(np.ones(4), size=12))
    rng = np.random.default_rng(1)
    _, path = dtw.dtw(rng.random((3, 9)), rng.random((3, 11)))
    return {
        "waveform": lambda ax: plot.waveform(Y, sr=SR, ax=ax),
        "spectrogram-hz": lambda ax: plot.spectrogram(S_db, sr=SR, hop_length=160, ax=ax),
        "spectrogram-log": lambda ax: plot.spectrogram(S_db, sr=SR, hop_length=160, y_axis="log", ax=ax),
        "spectrogram-linear": lambda ax: plot.spectrogram(S_db, sr=SR, hop_length=160, y_axis="linear", ax=ax, colorbar=False),
        "spectrogram-mel": lambda ax: plot.spectrogram(M_db, sr=SR, hop_length=160, y_axis="mel", ax=ax),
        "filterbank": lambda ax: plot.filterbank(fb, sr=SR, n_fft=512, ax=ax),
        "alignment-ctc": lambda ax: plot.alignment(ctc.forward_variables(lp, [1, 2, 2]), labels=list("-a-b-b-"), ax=ax),
        "alignment-dtw": lambda ax: plot.alignment(path, ax=ax),
        "curves": lambda ax: plot.curves({"train loss": [3.1, 2.0, 1.4], "val CER": [0.9, 0.6, 0.4]}, ax=ax),
    }


CALLS = _calls()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_helper_returns_the_axes_it_was_given_with_units(name):
    fig, ax = plt.subplots()
    out = CALLS[name](ax)
    assert out is ax
    assert ax.has_data()
    _labelled(ax)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_helper_makes_its_own_axes_when_none_is_given(name):
    before = set(plt.get_fignums())
    ax = CALLS[name](None)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.figure.number not in before
    _labelled(ax)


def test_waveform_puts_samples_at_their_time():
    ax = plot.waveform(Y, sr=SR)
    x, y = ax.lines[0].get_data()
    assert x[1] == pytest.approx(1 / SR) and x[-1] == pytest.approx((len(Y) - 1) / SR)
    np.testing.assert_array_equal(y, Y)
    assert ax.get_xlabel() == "Time (s)"


def test_spectrogram_colorbar_is_in_db():
    S_db = librosa.amplitude_to_db(np.abs(librosa.stft(y=Y, n_fft=256)))
    ax = plot.spectrogram(S_db, sr=SR, hop_length=64)
    colorbar_axes = [a for a in ax.figure.axes if a is not ax]
    assert len(colorbar_axes) == 1 and "dB" in colorbar_axes[0].get_ylabel()
    assert ax.get_ylabel() == "Frequency (Hz)"
    assert ax.get_xlim()[1] == pytest.approx(S_db.shape[1] * 64 / SR, abs=64 / SR)  # seconds


def test_filterbank_draws_one_curve_per_filter_in_hz():
    fb = librosa.filters.mel(sr=SR, n_fft=512, n_mels=26)
    ax = plot.filterbank(fb, sr=SR, n_fft=512)
    assert len(ax.lines) == 26
    assert ax.lines[0].get_xdata()[-1] == pytest.approx(SR / 2)


def test_alignment_draws_the_path_and_curves_name_their_lines():
    path = np.array([[0, 0], [1, 1], [1, 2], [2, 3]])
    ax = plot.alignment(path, background=np.ones((3, 4)))
    x, y = ax.lines[0].get_data()
    np.testing.assert_array_equal(x, path[:, 1])
    np.testing.assert_array_equal(y, path[:, 0])
    ax = plot.curves({"loss": [2.0, 1.0], "CER": [0.5, 0.25]})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["loss", "CER"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2])
