"""asrlab.realworld: noise at an exact SNR, resampling like librosa, the robustness measure
against jiwer, trimming, the front end, the synthetic room, and the two offline tools
trained on real speech (pocketsphinx, silero-vad)."""

from __future__ import annotations

import jiwer
import librosa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asrlab import realworld
from asrlab.data import synthesize
from asrlab.features import detect_speech
from asrlab.signals import snr_db

SR = 16_000


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 3000), snr=st.floats(-20, 60), seed=st.integers(0, 2**31))
def test_add_noise_at_snr_hits_the_target_snr_and_only_scales_the_noise(n: int, snr: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y, noise = rng.normal(size=n), rng.uniform(-1, 1, size=n)
    mixed = realworld.add_noise_at_snr(y, noise, snr)
    assert snr_db(y, mixed) == pytest.approx(snr, abs=1e-9)
    gain = (mixed - y) / noise
    np.testing.assert_allclose(gain, gain[0], rtol=1e-9)


def test_add_noise_at_snr_hand_computed() -> None:
    # P_y = 1, P_noise = 4, 0 dB -> gain 1/2; 10 dB -> gain sqrt(1 / 40)
    y, noise = np.array([1.0, -1.0]), np.array([2.0, 2.0])
    np.testing.assert_allclose(realworld.add_noise_at_snr(y, noise, 0.0), [2.0, 0.0])
    np.testing.assert_allclose(realworld.add_noise_at_snr(y, noise, 10.0), y + 2 * np.sqrt(1 / 40))
    np.testing.assert_array_equal(realworld.add_noise_at_snr(np.zeros(2), noise, 5.0), [0.0, 0.0])


def test_add_noise_at_snr_rejects_bad_noise() -> None:
    with pytest.raises(ValueError, match=r"noise: expected the shape of y \(3,\), got shape \(2,\)"):
        realworld.add_noise_at_snr(np.ones(3), np.ones(2), 10.0)
    with pytest.raises(ValueError, match="noise: expected noise with non-zero power, got all zeros"):
        realworld.add_noise_at_snr(np.ones(3), np.zeros(3), 10.0)


@pytest.mark.parametrize("sr", [8_000, 11_025, 22_050, 44_100, 48_000])
def test_to_model_rate_equals_librosa_on_the_channel_mean(sr: int) -> None:
    y = synthesize("go", sr=sr)
    stereo = np.stack([y, 0.3 * y])
    out = realworld.to_model_rate(stereo, sr)
    ref = librosa.resample(stereo.mean(axis=0), orig_sr=sr, target_sr=SR)
    assert out.dtype == np.float32 and out.shape == (int(np.ceil(len(y) * SR / sr)),)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)


def test_to_model_rate_leaves_the_right_rate_alone() -> None:
    y = synthesize("go", sr=SR)
    np.testing.assert_array_equal(realworld.to_model_rate(y, SR), y)


def test_robustness_wers_equal_jiwer_and_the_walk_starts_at_the_cleanest_snr() -> None:
    refs = ["yes", "go left", "call one two three"]
    ok, half, bad = list(refs), ["yes", "go", "call one two"], ["no", "", "all"]
    wers, holds = realworld.robustness([0, 30, 10, 20], refs, [bad, ok, half, ok], 2 / 7)
    assert wers == pytest.approx([jiwer.wer(refs, h) for h in (bad, ok, half, ok)])
    assert wers[2] == pytest.approx(2 / 7)
    assert holds == 10  # 2/7 is "at most" 2/7
    assert realworld.robustness([0, 30, 10, 20], refs, [bad, ok, half, ok], 0.2)[1] == 20
    assert realworld.robustness([5, 0], refs, [bad, bad], 0.5)[1] is None
    # a curve that comes back at the noisiest SNR does not count
    assert realworld.robustness([-5, 0, 5], refs, [ok, bad, ok], 0.1)[1] == 5


def test_trim_to_speech_keeps_the_pauses_between_the_first_and_last_speech_frame() -> None:
    y = np.arange(100.0)
    speech = np.array([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0], dtype=bool)
    np.testing.assert_array_equal(realworld.trim_to_speech(y, speech, 10), np.arange(20.0, 60.0))
    assert realworld.trim_to_speech(y, np.zeros(11, dtype=bool), 10).shape == (0,)
    last = np.zeros(11, dtype=bool)
    last[-1] = True
    np.testing.assert_array_equal(realworld.trim_to_speech(y, last, 10), [])  # frame 10 starts at 100
    last[-2] = True
    np.testing.assert_array_equal(realworld.trim_to_speech(y, last, 10), np.arange(90.0, 100.0))


def _messy(sr: int) -> np.ndarray:
    y = synthesize("stop", sr=sr).astype(np.float64)
    y = np.concatenate([np.zeros(sr), y, np.zeros(sr)])
    return y + 0.001 * np.random.default_rng(0).standard_normal(len(y)) + 0.2


def test_front_end_cuts_to_the_word_at_the_model_rate() -> None:
    word = synthesize("stop", sr=SR)
    out = realworld.front_end(np.stack([_messy(44_100), _messy(44_100)]), 44_100)
    assert out.dtype == np.float32
    assert abs(np.mean(out)) < 0.05 and np.max(np.abs(out)) == pytest.approx(1.0)
    # the word plus at most the VAD's hangover and a frame on either side
    assert len(word) - 1600 < len(out) < len(word) + 0.15 * SR


def test_front_end_keeps_silence_whole_and_rejects_bad_input() -> None:
    out = realworld.front_end(np.zeros(4410), 44_100)
    assert out.shape == (1600,) and not out.any()
    with pytest.raises(ValueError, match="threshold_db"):
        realworld.front_end(np.ones(100), SR, threshold_db=float("nan"))


def test_room_impulse_response_has_unit_energy_and_decays_60_db_in_rt60() -> None:
    h = realworld.room_impulse_response(sr=SR, rt60=0.5, seed=0)
    assert h.shape == (8000,) and np.sum(h**2) == pytest.approx(1.0)
    assert np.all(h[1:80] == 0)  # the first reflection arrives 5 ms after the direct sound
    early = np.mean(h[80:880] ** 2)  # 5-55 ms
    late = np.mean(h[7200:8000] ** 2)  # 450-500 ms
    # the envelope falls 60 dB per rt60: 0.445 s between the windows' centres -> about 53 dB
    assert 10 * np.log10(early / late) == pytest.approx(60 * 0.445 / 0.5, abs=3)
    np.testing.assert_array_equal(h, realworld.room_impulse_response(sr=SR, rt60=0.5, seed=0))


def test_reverberate_keeps_length_dtype_and_peak() -> None:
    y = synthesize("left", sr=SR)
    wet = realworld.reverberate(y, sr=SR, rt60=0.4)
    assert wet.dtype == y.dtype and wet.shape == y.shape
    assert np.max(np.abs(wet)) == pytest.approx(np.max(np.abs(y)), rel=1e-6)
    assert not np.allclose(wet, y, atol=1e-3)
    with pytest.raises(ValueError, match="rt60"):
        realworld.reverberate(y, sr=SR, rt60=10.0)


def test_sphinx_with_a_word_grammar_only_returns_those_words() -> None:
    digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    y = synthesize("three", sr=8_000)
    text = realworld.sphinx_transcribe(y, sr=8_000, words=digits)
    assert text and set(text.split()) <= set(digits)
    assert isinstance(realworld.sphinx_transcribe(y, sr=8_000), str)
    two = synthesize("three eight", word_gap_ms=200, sr=8_000)
    one = realworld.sphinx_transcribe(two, sr=8_000, words=digits, repeat=False)
    assert one in digits  # exactly one word, even for two spoken digits
    with pytest.raises(ValueError, match="not in pocketsphinx's dictionary"):
        realworld.sphinx_transcribe(y, sr=8_000, words=["xqzzv"])
    with pytest.raises(ValueError, match="words: expected a non-empty list"):
        realworld.sphinx_transcribe(y, sr=8_000, words="three")


def test_silero_finds_the_word_and_not_the_silence_around_it() -> None:
    word = synthesize("seven", sr=SR)
    y = np.concatenate([np.zeros(SR), word, np.zeros(SR)]).astype(np.float32)
    speech = realworld.silero_detect_speech(y, sr=SR)
    assert speech.shape == detect_speech(y, sr=SR).shape
    assert not speech[:80].any() and not speech[-80:].any()
    middle = 100 + len(word) // 320  # the middle of the word, in 10 ms frames
    assert speech[middle]
    # other rates are resampled, decisions stay on the 10 ms grid of the input
    y44 = librosa.resample(y, orig_sr=SR, target_sr=44_100)
    assert realworld.silero_detect_speech(y44, sr=44_100)[middle]
