"""asrlab.signals: sines, noise at an exact SNR, and framing as a strided view."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from asrlab import signals as S

PROPERTY = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
RATES = [8000, 11025, 16000, 22050, 44100, 48000]


# ---------------------------------------------------------------------------------------
# sine
# ---------------------------------------------------------------------------------------


def test_sine_of_one_hertz_sampled_four_times_a_second():
    assert np.allclose(S.sine(1.0, sr=4, duration=1.0), [0.0, 1.0, 0.0, -1.0], atol=1e-15)


def test_sine_amplitude_and_phase_by_hand():
    y = S.sine(2.0, sr=8, duration=0.5, amplitude=3.0, phase=np.pi / 2)  # 3 cos(4 pi t)
    assert np.allclose(y, [3.0, 0.0, -3.0, 0.0], atol=1e-14)


def test_sine_has_round_duration_times_sr_float64_samples():
    y = S.sine(440.0, sr=16000, duration=0.0251)  # 401.6 samples -> 402
    assert y.shape == (402,)
    assert y.dtype == np.float64
    assert S.sine(440.0, sr=16000, duration=1.0).shape == (16000,)


@PROPERTY
@given(
    freq=st.floats(0.0, 30000.0),
    sr=st.sampled_from(RATES),
    duration=st.floats(0.001, 0.2),
    amplitude=st.floats(-2.0, 2.0),
    phase=st.floats(-10.0, 10.0),
)
def test_sine_matches_librosa_tone_shifted_by_a_quarter_period(freq, sr, duration, amplitude, phase):
    y = S.sine(freq, sr=sr, duration=duration, amplitude=amplitude, phase=phase)
    n = round(duration * sr)
    # librosa.tone is a cosine: sin(x) = cos(x - pi / 2).
    ref = amplitude * librosa.tone(frequency=freq, sr=sr, length=n, phi=phase - np.pi / 2)
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-9 * max(1.0, abs(amplitude)))


@PROPERTY
@given(freq=st.floats(1.0, 3999.0), sr=st.sampled_from([8000, 16000]))
def test_sine_above_nyquist_aliases(freq, sr):
    # Sampled at sr, f + sr is indistinguishable from f, and sr - f is f upside down.
    y = S.sine(freq, sr=sr, duration=0.01)
    assert np.allclose(S.sine(freq + sr, sr=sr, duration=0.01), y, atol=1e-8)
    assert np.allclose(S.sine(sr - freq, sr=sr, duration=0.01), -y, atol=1e-8)


# ---------------------------------------------------------------------------------------
# add_noise and snr_db
# ---------------------------------------------------------------------------------------


def test_snr_db_by_hand():
    clean = np.array([1.0, -1.0, 1.0, -1.0])
    noisy = clean + np.array([0.1, -0.1, 0.1, -0.1])  # noise power 0.01 -> 20 dB
    assert S.snr_db(clean, noisy) == pytest.approx(20.0)
    assert S.snr_db(clean, clean) == float("inf")
    assert S.snr_db(np.zeros(4), clean) == float("-inf")


@st.composite
def clean_signals(draw):
    n = draw(st.one_of(st.integers(1, 20), st.integers(1, 20000)))
    channels = draw(st.sampled_from([None, 2]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    shape = (n,) if channels is None else (channels, n)
    y = rng.uniform(-1, 1, size=shape) * 10.0 ** rng.uniform(-4, 0)
    assume(np.any(y != 0))
    return y


@PROPERTY
@given(y=clean_signals(), snr=st.floats(-30.0, 80.0), seed=st.integers(0, 2**32 - 1))
def test_add_noise_hits_the_requested_snr_exactly(y, snr, seed):
    noisy = S.add_noise(y, snr_db=snr, seed=seed)
    assert noisy.shape == y.shape and noisy.dtype == np.float64
    assert abs(S.snr_db(y, noisy) - snr) < 1e-9
    # and it agrees with the definition written out with NumPy
    noise = noisy - y
    assert abs(10 * np.log10(np.mean(y**2) / np.mean(noise**2)) - snr) < 1e-9


def test_add_noise_is_reproducible_and_seed_dependent():
    y = S.sine(440.0, sr=16000, duration=0.1)
    a = S.add_noise(y, snr_db=10.0, seed=1)
    assert np.array_equal(a, S.add_noise(y, snr_db=10.0, seed=1))
    assert not np.allclose(a, S.add_noise(y, snr_db=10.0, seed=2))
    generator = np.random.default_rng(1)
    assert np.array_equal(a, S.add_noise(y, snr_db=10.0, seed=generator))


def test_add_noise_is_white_gaussian():
    y = S.sine(440.0, sr=16000, duration=2.0)
    noise = S.add_noise(y, snr_db=0.0, seed=0) - y
    z = noise / noise.std()
    assert abs(z.mean()) < 0.03
    assert abs(np.mean(z[1:] * z[:-1])) < 0.03  # no correlation between neighbours
    assert abs(np.mean(z**4) - 3.0) < 0.1  # Gaussian kurtosis


def test_add_noise_keeps_float32_within_a_thousandth_of_a_db():
    y = S.sine(440.0, sr=16000, duration=0.5).astype(np.float32)
    noisy = S.add_noise(y, snr_db=40.0, seed=3)
    assert noisy.dtype == np.float32
    assert abs(S.snr_db(y, noisy) - 40.0) < 1e-3


# ---------------------------------------------------------------------------------------
# frame
# ---------------------------------------------------------------------------------------


def test_frame_by_hand():
    frames = S.frame(np.arange(7), frame_length=3, hop_length=2)
    assert frames.tolist() == [[0, 2, 4], [1, 3, 5], [2, 4, 6]]


@PROPERTY
@given(
    n=st.one_of(st.integers(1, 30), st.integers(1, 5000)),
    frame_length=st.one_of(st.integers(1, 30), st.integers(1, 2048)),
    hop_length=st.one_of(st.integers(1, 10), st.integers(1, 1000)),
    dtype=st.sampled_from([np.float32, np.float64, np.int16]),
    step=st.sampled_from([1, 2]),
)
def test_frame_matches_librosa_and_is_a_read_only_view(n, frame_length, hop_length, dtype, step):
    base = np.arange(n * step).astype(dtype)
    y = base[::step]  # step 2: a non-contiguous signal
    assume(frame_length <= len(y))
    frames = S.frame(y, frame_length=frame_length, hop_length=hop_length)
    ref = librosa.util.frame(x=y, frame_length=frame_length, hop_length=hop_length)
    assert frames.shape == ref.shape == (frame_length, 1 + (n - frame_length) // hop_length)
    assert frames.dtype == y.dtype
    assert np.array_equal(frames, ref)
    assert np.shares_memory(frames, y)
    assert not frames.flags.writeable


def test_frame_needs_no_copy_for_a_long_signal():
    y = np.zeros(16000 * 60)  # 60 s at 16 kHz
    frames = S.frame(y, frame_length=400, hop_length=160)
    assert frames.shape == (400, 5998)
    assert frames.base is not None and np.shares_memory(frames, y)
