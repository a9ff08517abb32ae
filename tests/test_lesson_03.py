"""Lesson 03 (the frequency domain): the claims its prose makes, its explorer, and the
references behind its exercises, checked against NumPy and librosa."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import librosa
import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asrlab.features as F
from autograder.exercises import l03

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[1] / "solutions" / "03-frequency-domain.ipynb"


def _cell(cell_id: str) -> str:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    [cell] = [c for c in nb["cells"] if c.get("id") == cell_id]
    return "".join(cell["source"])


def _highest_sidelobe_db(name: str, n: int = 256, pad: int = 64) -> float:
    """Level of a window's highest sidelobe relative to its main lobe, in dB."""
    w = librosa.filters.get_window(name, n, fftbins=True)
    spec = np.abs(np.fft.rfft(w, n=pad * n))
    db = 20 * np.log10(np.maximum(spec / spec.max(), 1e-12))
    first_null = int(np.argmax(np.diff(db) > 0))  # the main lobe ends where the level rises again
    return float(db[first_null:].max())


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [("boxcar", -13.5, -13.0), ("hann", -31.8, -31.2), ("hamming", -43.5, -41.5), ("blackman", -58.5, -57.5)],
)
def test_sidelobe_levels_in_the_window_table_are_right(name: str, low: float, high: float) -> None:
    assert low <= _highest_sidelobe_db(name) <= high


def test_between_bin_sine_leaks_as_the_text_says() -> None:
    t = np.arange(200) / 100
    amps = 2 * np.abs(np.fft.rfft(np.sin(2 * np.pi * 3.25 * t))) / 200
    db = 20 * np.log10(amps)
    assert -4.0 < db.max() < -3.5  # "its peak drops by almost 4 dB"
    assert -15 < db[8] < -12 and -15 < db[5] < -12  # "about -13 dB in the next bins on either side"
    assert -21 < db[0] < -19  # "-20 dB even at 0 Hz"
    assert -51 < db[40] < -49.5  # "still -50 dB at 20 Hz"


def test_two_sine_example_reads_back_its_amplitudes_and_phases() -> None:
    y = l03.two_sines(3.0, 1.0, 11.0, 2.0, sr=100, n=200)
    X = np.fft.rfft(y)
    np.testing.assert_allclose(np.abs(X[[6, 22]]), [100.0, 200.0], rtol=1e-12)
    np.testing.assert_allclose(np.degrees(np.angle(X[[6, 22]])), [-90.0, -90.0], atol=1e-9)
    hz, amp = l03._peaks_ref(y, 100)
    np.testing.assert_allclose(hz, [3.0, 11.0])
    np.testing.assert_allclose(amp, [1.0, 2.0], rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=1, max_value=300), seed=st.integers(0, 2**32 - 1), sr=st.sampled_from([8, 100, 16000]))
def test_amplitude_spectrum_reference_folds_the_two_sided_spectrum(n: int, seed: int, sr: int) -> None:
    y = np.random.default_rng(seed).normal(size=n)
    freqs, amps = l03.amplitude_spectrum_reference(y, sr=sr)
    full = np.abs(np.fft.fft(y)) / n
    folded = full[: n // 2 + 1].copy()
    folded[1:] += full[::-1][: n // 2]  # |X[N-k]| joins |X[k]|, for 0 < k ...
    if n % 2 == 0:
        folded[-1] = full[n // 2]  # ... except the Nyquist bin, which is its own mirror
    np.testing.assert_allclose(amps, folded, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(freqs, librosa.fft_frequencies(sr=sr, n_fft=n))
    assert amps[0] == pytest.approx(abs(y.mean()), abs=1e-12)


@pytest.mark.parametrize("n", [4, 10, 64])
def test_amplitude_spectrum_reference_reads_a_nyquist_alternation_and_dc(n: int) -> None:
    y = 0.75 + 0.25 * np.cos(np.pi * np.arange(n))
    _, amps = l03.amplitude_spectrum_reference(y, sr=n)
    assert amps[0] == pytest.approx(0.75)
    assert amps[-1] == pytest.approx(0.25)
    np.testing.assert_allclose(amps[1:-1], 0.0, atol=1e-12)


def test_db_reference_agrees_with_asrlab_and_between_amplitude_and_power() -> None:
    S = np.abs(np.random.default_rng(3).normal(size=(6, 9))) * 10.0 ** np.random.default_rng(4).uniform(-8, 1, (6, 9))
    amp_db, power_db, clipped_db = l03._db_ref(S)
    np.testing.assert_allclose(amp_db, power_db, rtol=1e-12)
    np.testing.assert_allclose(amp_db, F.amplitude_to_db(S, top_db=None), rtol=1e-12)
    np.testing.assert_allclose(clipped_db, F.amplitude_to_db(S, top_db=80.0), rtol=1e-12)
    assert clipped_db.min() == pytest.approx(amp_db.max() - 80.0)


def test_hann_window_reference_is_the_periodic_one() -> None:
    frame = np.ones(8)
    window, windowed = l03._window_ref(frame)
    np.testing.assert_allclose(window, 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(8) / 8), atol=1e-15)
    np.testing.assert_allclose(windowed, window)
    assert not np.allclose(window, np.hanning(8))


def _explorer_draw() -> Any:
    captured: dict[str, Any] = {}

    def fake_explorer(draw: Any, /, **controls: Any) -> None:
        captured["draw"], captured["controls"] = draw, controls

    import ipywidgets as widgets

    ns: dict[str, Any] = {"np": np, "plt": plt, "librosa": librosa, "widgets": widgets, "explorer": fake_explorer}
    exec(_cell("explorer"), ns)
    return captured["draw"], captured["controls"]


def test_explorer_draws_every_window_at_both_ends_of_its_sliders() -> None:
    draw, controls = _explorer_draw()
    assert set(controls) == {"window", "N", "offset"}
    n_slider = controls["N"]
    for window in controls["window"].options:
        for n in (n_slider.min, n_slider.max):
            fig = draw(window=window, N=n, offset=0.5)
            ax = fig.axes[0]
            assert ax.get_xlabel() == "Frequency (Hz)" and "dB" in ax.get_ylabel()
            plt.close(fig)


def test_explorer_shows_no_leakage_on_a_bin_centre_and_leakage_between_bins() -> None:
    draw, _ = _explorer_draw()
    fig = draw(window="rectangular", N=128, offset=0.0)
    dots = fig.axes[0].lines[1].get_ydata()
    plt.close(fig)
    assert dots.max() == pytest.approx(0.0, abs=1e-9)  # a sine of amplitude 1 reads 0 dB
    assert np.sort(dots)[-2] <= -100.0 + 1e-9  # every other bin sits in a null (at the -100 dB floor)
    fig = draw(window="rectangular", N=128, offset=0.5)
    dots = fig.axes[0].lines[1].get_ydata()
    plt.close(fig)
    assert np.sort(dots)[-3] > -20  # the sidelobes are caught by the neighbouring bins


def _vowel_frame() -> tuple[np.ndarray, int]:
    import asrlab.data

    sr = 16_000
    word = asrlab.data.synthesize("two", sr=sr)
    rms = F.rms(word, frame_length=512, hop_length=128)[0]
    start = int(np.argmax(rms)) * 128 - 256
    return word[start : start + 512].astype(np.float64), sr


def test_vowel_frame_has_the_pitch_and_the_window_gain_the_text_describes() -> None:
    vowel, sr = _vowel_frame()
    ac = np.correlate(vowel, vowel, "full")[len(vowel) - 1 :]
    lag = 60 + int(np.argmax(ac[60:250]))  # periods between 64 and 267 Hz
    assert 85 < sr / lag < 115  # "about 100 Hz apart"
    f = np.fft.rfftfreq(512, d=1 / sr)
    band = (f >= 500) & (f <= 1300)
    rect = 20 * np.log10(np.abs(np.fft.rfft(vowel)))[band]
    hann = 20 * np.log10(np.abs(np.fft.rfft(vowel * librosa.filters.get_window("hann", 512))))[band]
    assert -5 < rect.mean() < 5  # "fill the valley ... up to about 0 dB"
    assert 20 < np.median(rect - hann) < 40  # "typically 30 dB deeper"


def test_bin_nearest_to_a_frequency_agrees_with_librosa_and_rounds_to_the_nearest() -> None:
    from autograder.exercises import get

    ref = get("l03-bin-freq").reference
    for k, sr, n_fft, f in ((40, 16000, 512, 2990.0), (7, 8000, 15, 3900.0), (46, 11025, 512, 1000.0)):
        bin_hz, nearest = ref(k=k, sr=sr, n_fft=n_fft, f_hz=f)
        grid = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
        assert bin_hz == pytest.approx(k * sr / n_fft)
        assert isinstance(nearest, int) and nearest == round(f * n_fft / sr)
        assert abs(grid[nearest] - f) <= sr / n_fft / 2
    assert ref(k=0, sr=16000, n_fft=512, f_hz=2990.0)[1] == 96  # 95.68 bins: the one above, not int()'s 95
