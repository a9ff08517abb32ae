"""Lesson 05 (mel spectrograms and MFCCs): the claims its prose makes, its explorer, and
the references behind its exercises, checked against librosa and SciPy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import librosa
import matplotlib
import numpy as np
import pytest
import scipy.fft
from hypothesis import given, settings
from hypothesis import strategies as st

import asrlab
import asrlab.data
import asrlab.features as F
from autograder.exercises import l05

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[1] / "solutions" / "05-mel-and-mfcc.ipynb"


def _cell(cell_id: str) -> str:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    [cell] = [c for c in nb["cells"] if c.get("id") == cell_id]
    return "".join(cell["source"])


def test_mel_scale_facts_in_the_text() -> None:
    assert librosa.hz_to_mel(1000.0, htk=True) == pytest.approx(1000.0, abs=0.05)
    assert librosa.hz_to_mel(1000.0) == pytest.approx(15.0)
    assert librosa.hz_to_mel(6400.0) - librosa.hz_to_mel(1000.0) == pytest.approx(27.0)  # factor 6.4 = 27 mel
    assert librosa.hz_to_mel(500.0) == pytest.approx(500.0 / (200.0 / 3))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 24_000.0, allow_nan=False), min_size=1, max_size=12))
def test_hz_mel_reference_agrees_with_asrlab_and_round_trips(freqs: list[float]) -> None:
    f = np.array(freqs)
    mel_htk, mel_slaney, hz_back = l05._mel_ref(f)
    np.testing.assert_allclose(mel_htk, F.hz_to_mel(f, htk=True), rtol=1e-12)
    np.testing.assert_allclose(mel_slaney, F.hz_to_mel(f), rtol=1e-12)
    np.testing.assert_allclose(hz_back, f, rtol=1e-9, atol=1e-9)
    # the learner's formulas (the mistake helper with no mistake) are the same scales
    for mine, ref in zip(l05._mel_with(f), (mel_htk, mel_slaney, hz_back)):
        np.testing.assert_allclose(mine, ref, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    ("sr", "n_fft", "n_mels", "fmin", "fmax"),
    [(16000, 512, 40, 0.0, 8000.0), (8000, 255, 20, 100.0, 3800.0), (22050, 2048, 128, 0.0, 11025.0)],
)
def test_filterbank_reference_is_asrlabs_and_triangles_have_equal_area(sr, n_fft, n_mels, fmin, fmax) -> None:
    fb = l05._fb_ref(sr, n_fft, n_mels, fmin, fmax)
    np.testing.assert_allclose(fb, F.mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax),
                               rtol=1e-6, atol=1e-9)
    # "every FFT bin belongs to at most two filters"
    assert (np.count_nonzero(fb > 0, axis=0) <= 2).all()
    # Slaney normalisation: a triangle of width w in Hz has height 2/w, so area 1
    edges = librosa.mel_frequencies(n_mels=n_mels + 2, fmin=fmin, fmax=fmax)
    peak_heights = 2.0 / (edges[2:] - edges[:-2])
    assert (fb.max(axis=1) <= peak_heights * (1 + 1e-9)).all()


@settings(max_examples=15, deadline=None)
@given(n=st.integers(600, 6000), seed=st.integers(0, 2**32 - 1), sr=st.sampled_from([8000, 16000, 22050]),
       n_mfcc=st.integers(1, 20))
def test_mfcc_reference_equals_asrlab_and_the_lesson_pipeline(n: int, seed: int, sr: int, n_mfcc: int) -> None:
    y = np.random.default_rng(seed).normal(size=n) * 0.1
    y[: n // 3] = 0.0  # silence, so that top_db matters
    ref = l05.mfcc_reference(y, sr=sr, n_mfcc=n_mfcc)
    ours = F.mfcc(y, sr=sr, n_mfcc=n_mfcc, n_fft=512, hop_length=160, n_mels=40)
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-6)
    # the pipeline the lesson teaches: power -> mel -> dB (top_db 80) -> orthonormal DCT-II
    power = np.abs(F.stft(y, n_fft=512, hop_length=160)) ** 2
    log_mel = F.power_to_db(F.mel_filterbank(sr=sr, n_fft=512, n_mels=40) @ power)
    np.testing.assert_allclose(l05._dct_with(log_mel, n_mfcc), ref, rtol=1e-6, atol=1e-6)


def test_dct_reference_is_scipys_orthonormal_dct_and_invertible() -> None:
    L = np.random.default_rng(1).normal(size=(40, 6)) * 20
    np.testing.assert_allclose(l05._dct_ref(L, 40), scipy.fft.dct(L, type=2, axis=0, norm="ortho"), atol=1e-10)
    # "The DCT itself loses nothing": all 40 coefficients give the log-mel back
    np.testing.assert_allclose(scipy.fft.idct(l05._dct_ref(L, 40), type=2, axis=0, norm="ortho"), L, atol=1e-10)


def test_centroid_reference_gives_zero_for_silence_and_the_bin_for_a_pure_tone() -> None:
    freqs = np.fft.rfftfreq(512, d=1 / 16000)
    S = np.zeros((257, 3))
    S[64, 0] = 1.0
    S[:, 2] = 1.0
    c = l05._centroid_ref(S, freqs)
    assert c.shape == (1, 3)
    np.testing.assert_allclose(c[0], [2000.0, 0.0, 4000.0])


def test_seven_has_a_bright_s_and_darker_vowels() -> None:
    word = l05.lesson_inputs()["word"]
    cent = F.spectral_centroid(word, sr=16000, n_fft=512, hop_length=160)[0]
    assert cent.max() > 4000  # the "s": several kHz
    assert np.median(cent) < 2000  # the vowels: well under 2 kHz


def test_mfccs_are_much_less_correlated_than_log_mel_bands() -> None:
    sentence = asrlab.data.synthesize("she sells sea shells by the sea shore", sr=16_000)
    lm = F.power_to_db(F.melspectrogram(sentence, sr=16_000, n_fft=512, hop_length=160, n_mels=40))
    cc = librosa.feature.mfcc(S=lm, n_mfcc=13)
    assert np.abs(np.diag(np.corrcoef(lm), 1)).mean() > 0.8
    assert np.abs(np.diag(np.corrcoef(cc), 1)).mean() < 0.35


def test_lesson_inputs_are_what_the_notebook_builds() -> None:
    inputs = l05.lesson_inputs()
    word = asrlab.data.synthesize("seven", sr=16000)
    np.testing.assert_array_equal(inputs["word"], word)
    np.testing.assert_array_equal(inputs["mag"], np.abs(F.stft(word, n_fft=512, hop_length=160)))
    assert inputs["fb"].shape == (40, 257) and inputs["log_mel"].shape == (40, inputs["mag"].shape[1])
    assert "asrlab.features.power_to_db(fb @ mag ** 2)" in _cell("logmel-plot")
    assert 'synthesize("seven", sr=sr)' in _cell("word")


def _explorer_draw() -> tuple[Any, dict[str, Any]]:
    import ipywidgets as widgets
    from IPython.display import Audio

    captured: dict[str, Any] = {}

    def fake_explorer(draw: Any, /, **controls: Any) -> None:
        captured["draw"], captured["controls"] = draw, controls

    ns: dict[str, Any] = {
        "np": np, "plt": plt, "librosa": librosa, "widgets": widgets, "asrlab": asrlab, "Audio": Audio,
        "explorer": fake_explorer, "word": l05.lesson_inputs()["word"],
    }
    exec(_cell("explorer"), ns)
    return captured["draw"], captured["controls"]


@pytest.mark.parametrize(("n_mels", "fmin", "fmax", "empty"), [(40, 0, 8000, False), (8, 1000, 2000, False),
                                                                (128, 0, 2000, True)])
def test_explorer_draws_filters_spectrogram_and_a_deterministic_reconstruction(n_mels, fmin, fmax, empty) -> None:
    draw, controls = _explorer_draw()
    assert set(controls) == {"n_mels", "fmin", "fmax"}
    assert n_mels in controls["n_mels"].options and fmin in controls["fmin"].options
    fig, audio = draw(n_mels=n_mels, fmin=fmin, fmax=fmax)
    assert len(fig.axes[0].lines) == n_mels
    assert ("catch no FFT bin" in fig.axes[0].get_title()) is empty
    plt.close(fig)
    fig2, audio2 = draw(n_mels=n_mels, fmin=fmin, fmax=fmax)
    plt.close(fig2)
    assert audio.data == audio2.data  # Griffin-Lim is seeded: the same sound every time


def test_per_band_mean_normalisation_removes_a_fixed_gain_per_band() -> None:
    from autograder.exercises import get

    ref = get("l05-logmel").reference
    inputs = l05.lesson_inputs()
    mel_power, norm = ref(inputs["mag"], inputs["fb"])
    np.testing.assert_allclose(norm.mean(axis=1), 0.0, atol=1e-4)  # float32 magnitudes
    # a gain of 3 on every bin multiplies every mel power by 9: +9.54 dB in every band, gone after normalising
    _, norm_louder = ref(3.0 * inputs["mag"], inputs["fb"])
    np.testing.assert_allclose(norm_louder, norm, atol=1e-3)
    np.testing.assert_allclose(mel_power, inputs["fb"] @ inputs["mag"] ** 2, rtol=1e-5)  # float32 inputs
