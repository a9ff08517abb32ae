"""Tests for asrlab.data: espeak-ng synthesis, the synthetic corpus, augmentation,
manifests and the loaders for published corpus layouts."""

from __future__ import annotations

import random
import threading

import librosa
import numpy as np
import pytest

from asrlab import data

# --------------------------------------------------------------------------------------
# synthesize / voices


def _band_fraction(y: np.ndarray, sr: int, lo: float, hi: float) -> float:
    power = np.abs(np.fft.rfft(y)) ** 2
    freqs = np.fft.rfftfreq(len(y), d=1 / sr)
    return float(power[(freqs >= lo) & (freqs <= hi)].sum() / power.sum())


def test_synthesize_returns_float32_mono_in_range():
    y = data.synthesize("turn the light on")
    assert y.dtype == np.float32
    assert y.ndim == 1
    assert 0.4 * 16000 < len(y) < 3 * 16000
    assert np.abs(y).max() <= 1.0
    assert np.abs(y).max() > 0.1  # audible, not a near-silent buffer


def test_synthesize_is_deterministic_even_after_other_calls():
    first = data.synthesize("go left three", voice="en-gb+m3", rate=180, pitch=40)
    data.synthesize("something else entirely", voice="en-us+klatt4")
    data.synthesize("and another", voice="en-us+f3")
    again = data.synthesize("go left three", voice="en-gb+m3", rate=180, pitch=40)
    np.testing.assert_array_equal(first, again)


def test_synthesize_is_deterministic_across_threads():
    texts = ["one", "two three", "stop", "turn the light off"]
    expected = [data.synthesize(t, voice="en-us+m1") for t in texts]
    results: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        results[i] = data.synthesize(texts[i], voice="en-us+m1")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, want in enumerate(expected):
        np.testing.assert_array_equal(results[i], want)


def test_duration_grows_with_text_length():
    lengths = [
        len(data.synthesize(text))
        for text in ["one", "one two", "one two three four", "one two three four five six seven"]
    ]
    assert lengths == sorted(lengths)
    assert lengths[-1] > 2.5 * lengths[0]


def test_faster_rate_is_shorter_and_word_gap_is_longer():
    text = "seven eight nine"
    slow = len(data.synthesize(text, rate=100))
    normal = len(data.synthesize(text, rate=160))
    fast = len(data.synthesize(text, rate=300))
    assert slow > normal > fast
    gapped = len(data.synthesize(text, word_gap_ms=200))
    # two gaps of at least 200 ms each (espeak stretches them at slower rates)
    assert 2 * 0.2 * 16000 * 0.9 < gapped - normal < 2 * 0.2 * 16000 * 1.6


def test_energy_is_in_the_speech_band():
    y = data.synthesize("the quick brown fox jumps over the lazy dog", voice="en-us")
    assert _band_fraction(y, 16000, 80, 5000) > 0.9
    assert _band_fraction(y, 16000, 0, 60) < 0.01


def test_higher_pitch_parameter_gives_higher_f0():
    text = "oh, a long vowel"
    f0 = []
    for pitch in (10, 50, 90):
        y = data.synthesize(text, voice="en-us", pitch=pitch)
        track = librosa.yin(y, fmin=60, fmax=500, sr=16000, frame_length=1024)
        f0.append(float(np.median(track)))
    assert f0[0] < f0[1] < f0[2]


def test_sample_rate_changes_length_in_proportion():
    y16 = data.synthesize("stop", sr=16000)
    y8 = data.synthesize("stop", sr=8000)
    y22 = data.synthesize("stop", sr=22050)
    assert len(y8) == pytest.approx(len(y16) / 2, abs=2)
    assert len(y22) == pytest.approx(len(y16) * 22050 / 16000, abs=2)
    assert len(y22) == len(data.synthesize("stop", sr=data.NATIVE_SR))


def test_silence_is_trimmed_to_pad_ms():
    tight = data.synthesize("yes", pad_ms=0)
    padded = data.synthesize("yes", pad_ms=100)
    assert len(padded) - len(tight) == pytest.approx(2 * 0.1 * 16000, abs=2)
    # the padding is quiet, the first 5 ms of the trimmed signal is not silent
    frame = 80
    assert np.sqrt(np.mean(padded[:1000] ** 2)) < 0.02 * np.abs(padded).max()
    assert np.abs(tight[: 4 * frame]).max() > 1e-3


def test_voices_cross_every_accent_with_every_variant():
    names = data.voices()
    bases, variants = data.base_voices(), data.variants()
    assert len(names) == len(set(names)) == len(bases) * (1 + len(variants))
    assert {"en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-us-nyc"} <= set(bases)
    assert {"f3", "m1", "klatt4"} <= set(variants)
    assert len(variants) >= 90
    assert "en-us+f3" in names and "en-gb+m1" in names
    assert not any(n.startswith("en-shaw") for n in names)
    names.append("mutated")
    assert "mutated" not in data.voices()  # a fresh list each call


def test_a_sample_of_voices_all_speak_and_differ():
    rng = random.Random(0)
    chosen = rng.sample(data.voices(), 24)
    outputs = {}
    for name in chosen:
        y = data.synthesize("five", voice=name)
        assert y.dtype == np.float32 and 0.15 * 16000 < len(y) < 2 * 16000, name
        assert np.sqrt(np.mean(y**2)) > 0.01, name
        outputs[name] = y
    distinct = {tuple(np.round(v[:2000], 4)) for v in outputs.values()}
    assert len(distinct) == len(chosen)


def test_voice_names_are_case_insensitive():
    np.testing.assert_array_equal(
        data.synthesize("up", voice="EN-US+F3"), data.synthesize("up", voice="en-us+f3")
    )


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"text": ""}, ValueError, "text: expected some words to speak, got an empty string ''"),
        ({"text": "   \n"}, ValueError, "text: expected some words to speak"),
        ({"text": 42}, TypeError, "text: expected a string to speak, got int 42"),
        ({"text": "...!?"}, ValueError, "produced no speech"),
        ({"text": "hi", "voice": "klingon"}, ValueError, "voice: expected one of the"),
        ({"text": "hi", "voice": "en-us+nosuchvariant"}, ValueError, "got 'en-us+nosuchvariant'"),
        ({"text": "hi", "voice": 3}, TypeError, "voice: expected a voice name"),
        ({"text": "hi", "rate": 20}, ValueError, "rate: expected a number in [80, 450] words per minute, got 20"),
        ({"text": "hi", "rate": "fast"}, TypeError, "rate: expected a number"),
        ({"text": "hi", "pitch": 101}, ValueError, "pitch: expected a number in [0, 100]"),
        ({"text": "hi", "word_gap_ms": -5}, ValueError, "word_gap_ms: expected a number in [0, 2000] ms, got -5"),
        ({"text": "hi", "sr": 0}, ValueError, "sr: expected a positive sample rate in Hz, got 0"),
        ({"text": "hi", "pad_ms": float("nan")}, ValueError, "pad_ms: expected a number"),
    ],
)
def test_bad_arguments_give_clear_errors(kwargs, exc, message):
    text = kwargs.pop("text")
    with pytest.raises(exc) as info:
        data.synthesize(text, **kwargs)
    assert message in str(info.value)
