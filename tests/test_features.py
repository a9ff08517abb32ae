"""asrlab.features against librosa and NumPy, plus cases a reader can check on paper.

Random signals come from Hypothesis-chosen lengths (very short and odd ones included),
seeds, dtypes and shapes of signal (noise, a noisy sine, noise with a stretch of exact
silence).  "Matches" means: same shape, same dtype, and the same values to a relative
1e-6 for float64 results (1e-4 for float32/complex64), where values much smaller than
the largest one in the result are compared to that largest one (rounding in an FFT is
relative to the biggest component, not to each tiny bin).
"""

from __future__ import annotations

import warnings

import librosa
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from asrlab import features as F

RATES = [8000, 11025, 16000, 22050, 44100, 48000]
WINDOWS = ["hann", "hamming", "blackman", "boxcar", ("kaiser", 4.0)]

PROPERTY = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_matches(ours, ref) -> None:
    ours = np.asarray(ours)
    ref = np.asarray(ref)
    assert ours.shape == ref.shape, f"shape {ours.shape} != reference {ref.shape}"
    assert ours.dtype == ref.dtype, f"dtype {ours.dtype} != reference {ref.dtype}"
    rtol = 1e-4 if ref.dtype in (np.float32, np.complex64) else 1e-6
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=rtol * scale)


def librosa_quietly(fn, *args, **kwargs):
    """Call librosa with its UserWarnings (e.g. "n_fft too large") silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


def make_signal(n: int, seed: int, kind: str, dtype) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "noise":
        y = 0.1 * rng.standard_normal(n)
    elif kind == "sine":
        t = np.arange(n)
        y = 0.5 * np.sin(2 * np.pi * rng.uniform(0.0, 0.5) * t + rng.uniform(0, 2 * np.pi))
        y += 0.01 * rng.standard_normal(n)
    else:  # "gated": noise with a stretch of digital silence
        y = 0.1 * rng.standard_normal(n)
        y[n // 4 : n // 2] = 0.0
    return y.astype(dtype)


@st.composite
def signals(draw, min_size: int = 1, max_size: int = 6000, dtypes=(np.float32, np.float64)):
    n = draw(st.one_of(st.integers(min_size, max(min_size, 40)), st.integers(min_size, max_size)))
    seed = draw(st.integers(0, 2**32 - 1))
    kind = draw(st.sampled_from(["noise", "sine", "gated"]))
    dtype = draw(st.sampled_from(dtypes))
    return make_signal(n, seed, kind, dtype)


# ---------------------------------------------------------------------------------------
# Lesson 02: energy, zero crossings, RMS, ZCR
# ---------------------------------------------------------------------------------------


def test_energy_of_one_minus_two_three_is_fourteen():
    assert F.energy([1, -2, 3]) == 14.0
    assert F.energy(np.array([0.5, 0.5, 0.5, 0.5])) == 1.0


def test_energy_of_int16_pcm_does_not_overflow():
    y = np.full(1000, 32767, dtype=np.int16)
    assert F.energy(y) == 1000 * 32767.0**2


@PROPERTY
@given(y=signals())
def test_energy_matches_numpy_sum_of_squares(y):
    ref = float(np.sum(y.astype(np.float64) ** 2))
    assert F.energy(y) == pytest.approx(ref, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize(
    ("y", "expected"),
    [
        ([1, -2, 3], 2),
        ([1, 0, -1], 1),  # zero counts as positive: the change is between 0 and -1
        ([0.0, 0.0, 0.0], 0),
        ([-1.0, 1e-12, 1.0], 1),  # |x| <= 1e-10 counts as zero
        ([-0.0, 0.0, 1.0], 0),  # -0.0 is zero, not negative
        ([5.0], 0),
    ],
)
def test_zero_crossings_hand_examples(y, expected):
    assert F.zero_crossings(np.asarray(y)) == expected


@PROPERTY
@given(y=signals())
def test_zero_crossings_match_librosa_without_its_first_sample_padding(y):
    ours = F.zero_crossings(y)
    assert ours == int(librosa.zero_crossings(y=y, pad=False).sum())
    # librosa's default pad=True also marks sample 0: one more.
    assert ours == int(librosa.zero_crossings(y=y).sum()) - 1


@st.composite
def framing(draw):
    frame_length = draw(st.sampled_from([1, 2, 3, 16, 255, 256, 400, 512, 1024, 2048]))
    hop_length = draw(st.sampled_from([1, 7, 64, 128, 160, 512]))
    center = draw(st.booleans())
    return frame_length, hop_length, center


@PROPERTY
@given(y=signals(), args=framing(), pad_mode=st.sampled_from(["constant", "edge", "reflect"]))
def test_rms_matches_librosa(y, args, pad_mode):
    frame_length, hop_length, center = args
    assume(center or frame_length <= len(y))  # too short: see the bad-input table
    kwargs = dict(frame_length=frame_length, hop_length=hop_length, center=center, pad_mode=pad_mode)
    assert_matches(F.rms(y, **kwargs), librosa.feature.rms(y=y, **kwargs))


def test_rms_of_a_constant_is_its_magnitude():
    y = np.full(1000, -0.25)
    assert np.allclose(F.rms(y, frame_length=100, hop_length=50, center=False), 0.25)


def test_rms_of_a_unit_sine_is_one_over_root_two():
    y = np.sin(2 * np.pi * np.arange(1600) / 16)  # 100 periods of 16 samples
    assert np.allclose(F.rms(y, frame_length=160, hop_length=80, center=False), 1 / np.sqrt(2))


@PROPERTY
@given(y=signals(), args=framing())
def test_zero_crossing_rate_matches_librosa(y, args):
    frame_length, hop_length, center = args
    assume(center or frame_length <= len(y))
    kwargs = dict(frame_length=frame_length, hop_length=hop_length, center=center)
    assert_matches(F.zero_crossing_rate(y, **kwargs), librosa.feature.zero_crossing_rate(y=y, **kwargs))


def test_zero_crossing_rate_of_alternating_signal():
    y = np.array([1.0, -1.0] * 8)  # 15 crossings inside a 16-sample frame
    assert F.zero_crossing_rate(y, frame_length=16, hop_length=16, center=False).tolist() == [[15 / 16]]


# ---------------------------------------------------------------------------------------
# Lesson 03: DFT and decibels
# ---------------------------------------------------------------------------------------


def test_dft_of_an_impulse_is_all_ones():
    assert np.allclose(F.dft(np.array([1.0, 0.0, 0.0, 0.0])), [1, 1, 1, 1])


def test_dft_matrix_of_size_four_by_hand():
    expected = np.array(
        [[1, 1, 1, 1], [1, -1j, -1, 1j], [1, -1, 1, -1], [1, 1j, -1, -1j]]
    )
    assert np.allclose(F.dft_matrix(4), expected, atol=1e-15)


def test_dft_of_a_constant_has_only_a_dc_bin():
    assert np.allclose(F.dft(np.ones(8)), [8, 0, 0, 0, 0, 0, 0, 0], atol=1e-12)


@PROPERTY
@given(
    n=st.integers(1, 400),
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from([np.float32, np.float64, np.complex64, np.complex128]),
)
def test_dft_matches_numpy_fft(n, seed, dtype):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    if np.issubdtype(dtype, np.complexfloating):
        x = x + 1j * rng.standard_normal(n)
    x = x.astype(dtype)
    assert_matches(F.dft(x), np.fft.fft(x))


def test_dft_matrix_is_a_fresh_writable_copy():
    w = F.dft_matrix(8)
    w[0, 0] = 99
    assert F.dft_matrix(8)[0, 0] == 1


def test_decibels_by_hand():
    assert F.power_to_db(100.0, top_db=None) == pytest.approx(20.0)
    assert F.amplitude_to_db(10.0, top_db=None) == pytest.approx(20.0)
    assert F.power_to_db(0.0, top_db=None) == pytest.approx(-100.0)  # amin floor
    assert F.amplitude_to_db(np.array([1.0, 0.1, 1e-9]), top_db=None).tolist() == pytest.approx(
        [0.0, -20.0, -100.0]
    )
    # top_db: everything more than 30 dB below the peak is raised to peak - 30.
    assert F.power_to_db(np.array([1.0, 1e-2, 1e-6]), top_db=30.0).tolist() == pytest.approx(
        [0.0, -20.0, -30.0]
    )


@st.composite
def spectra(draw):
    shape = draw(st.sampled_from([(1,), (7,), (5, 3), (129, 20)]))
    seed = draw(st.integers(0, 2**32 - 1))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(seed)
    S = rng.exponential(size=shape) * 10.0 ** rng.uniform(-12, 3, size=shape)
    S[rng.random(shape) < 0.1] = 0.0
    return S.astype(dtype)


REFS = st.sampled_from([1.0, 0.5, 1e-3, np.max, np.median])


@PROPERTY
@given(
    S=spectra(),
    ref=REFS,
    amin=st.sampled_from([1e-10, 1e-5, 1e-3]),
    top_db=st.sampled_from([None, 0.0, 40.0, 80.0, 120.0]),
)
def test_power_and_amplitude_to_db_match_librosa(S, ref, amin, top_db):
    assert_matches(
        F.power_to_db(S, ref=ref, amin=amin, top_db=top_db),
        librosa.power_to_db(S=S, ref=ref, amin=amin, top_db=top_db),
    )
    assert_matches(
        F.amplitude_to_db(S, ref=ref, amin=amin, top_db=top_db),
        librosa.amplitude_to_db(S=S, ref=ref, amin=amin, top_db=top_db),
    )


def test_amplitude_to_db_of_a_complex_stft_uses_its_magnitude():
    D = librosa.stft(y=make_signal(4000, 1, "sine", np.float32), n_fft=256)
    ours = F.amplitude_to_db(D, ref=np.max)
    assert_matches(ours, librosa_quietly(librosa.amplitude_to_db, S=D, ref=np.max))


# ---------------------------------------------------------------------------------------
# Lesson 04: STFT
# ---------------------------------------------------------------------------------------


@st.composite
def stft_args(draw):
    n_fft = draw(st.sampled_from([16, 63, 64, 255, 256, 320, 400, 512, 1023, 2048]))
    win_length = draw(st.one_of(st.none(), st.integers(1, n_fft)))
    hop_length = draw(st.one_of(st.none(), st.integers(1, 600)))
    window = draw(st.sampled_from(WINDOWS))
    center = draw(st.booleans())
    pad_mode = draw(st.sampled_from(["constant", "edge"]))
    if (win_length or n_fft) < 4 and hop_length is None:
        hop_length = 1
    return dict(
        n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
        center=center, pad_mode=pad_mode,
    )


@PROPERTY
@given(y=signals(), kwargs=stft_args())
def test_stft_matches_librosa_for_odd_lengths_windows_and_hops(y, kwargs):
    assume(kwargs["center"] or kwargs["n_fft"] <= len(y))  # else: the bad-input table
    assert_matches(F.stft(y, **kwargs), librosa_quietly(librosa.stft, y=y, **kwargs))


@FEW
@given(y=signals(min_size=600), n_fft=st.sampled_from([64, 255, 400]), hop_fraction=st.sampled_from([3, 4, 8]))
def test_stft_matches_librosa_with_reflect_padding(y, n_fft, hop_fraction):
    kwargs = dict(n_fft=n_fft, hop_length=n_fft // hop_fraction, pad_mode="reflect")
    assert_matches(F.stft(y, **kwargs), librosa_quietly(librosa.stft, y=y, **kwargs))


@FEW
@given(y=signals(min_size=600), n_fft=st.sampled_from([64, 255, 400]), hop_length=st.integers(1, 500))
def test_stft_reflect_padding_reflects_the_whole_signal(y, n_fft, hop_length):
    # For hops of half a frame or more, librosa 0.11 pads the signal's tail on its own
    # and its last frame can differ; the definition is np.pad of the whole signal.
    padded = np.pad(y, n_fft // 2, mode="reflect")
    ref = librosa.stft(y=padded, n_fft=n_fft, hop_length=hop_length, center=False)
    assert_matches(F.stft(y, n_fft=n_fft, hop_length=hop_length, pad_mode="reflect"), ref)


def test_stft_of_20ms_at_16khz_has_161_bins_and_complex64_for_float32():
    y = np.zeros(16000, dtype=np.float32)
    D = F.stft(y, n_fft=320, hop_length=160)
    assert D.shape == (161, 101)  # 1 + 320 // 2 bins, 1 + 16000 // 160 frames
    assert D.dtype == np.complex64
    assert F.stft(y.astype(np.float64), n_fft=320, hop_length=160).dtype == np.complex128


def test_stft_of_a_sine_peaks_at_bin_k_times_sr_over_n_fft():
    sr, n_fft = 16000, 512
    y = np.sin(2 * np.pi * 1000 * np.arange(sr) / sr)  # 1000 Hz = bin 32
    magnitude = np.abs(F.stft(y, n_fft=n_fft, hop_length=256, center=False))
    assert set(np.argmax(magnitude, axis=0)) == {32}
    # A Hann-windowed sine with a whole number of periods: peak = n_fft / 4.
    assert np.allclose(magnitude[32], n_fft / 4)


def test_stft_accepts_a_window_array():
    y = make_signal(3000, 3, "noise", np.float64)
    w = np.hamming(300)
    ours = F.stft(y, n_fft=512, win_length=300, window=w)
    assert_matches(ours, librosa.stft(y=y, n_fft=512, win_length=300, window=w))


# ---------------------------------------------------------------------------------------
# Lesson 05: mel, MFCC, deltas, spectral shape
# ---------------------------------------------------------------------------------------


def test_mel_scale_by_hand():
    assert F.hz_to_mel(1000, htk=True) == pytest.approx(999.9855, abs=1e-4)
    assert F.hz_to_mel(700, htk=True) == pytest.approx(2595 * np.log10(2))
    assert F.hz_to_mel(1000) == pytest.approx(15.0)  # Slaney: linear 66.67 Hz per mel ...
    assert F.hz_to_mel(200) == pytest.approx(3.0)
    assert F.hz_to_mel(6400) == pytest.approx(15.0 + 27.0)  # ... then 27 mel per factor 6.4
    assert F.mel_to_hz(15.0) == pytest.approx(1000.0)
    assert isinstance(F.hz_to_mel(440.0), np.floating)


@PROPERTY
@given(
    f=st.one_of(
        st.floats(0, 30000),
        st.lists(st.floats(0, 30000), min_size=1, max_size=30).map(np.array),
    ),
    htk=st.booleans(),
)
def test_hz_and_mel_conversions_match_librosa_and_invert(f, htk):
    ours = F.hz_to_mel(f, htk=htk)
    ref = librosa.hz_to_mel(frequencies=f, htk=htk)
    assert_matches(ours, ref)
    assert_matches(F.mel_to_hz(ref, htk=htk), librosa.mel_to_hz(mels=ref, htk=htk))
    np.testing.assert_allclose(F.mel_to_hz(ours, htk=htk), f, rtol=1e-9, atol=1e-9)


def test_hz_to_mel_keeps_float32():
    f = np.array([0.0, 500.0, 4000.0], dtype=np.float32)
    assert_matches(F.hz_to_mel(f), librosa.hz_to_mel(frequencies=f))


@st.composite
def mel_args(draw):
    sr = draw(st.sampled_from(RATES))
    n_fft = draw(st.sampled_from([256, 400, 512, 1024, 2048]))
    n_mels = draw(st.sampled_from([10, 26, 40, 64, 80, 128]))
    fmin = draw(st.sampled_from([0.0, 20.0, 300.0]))
    fmax = draw(st.sampled_from([None, 3800.0, sr / 2 - 100]))
    htk = draw(st.booleans())
    norm = draw(st.sampled_from(["slaney", None, 1, 2, np.inf]))
    return dict(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)


@PROPERTY
@given(kwargs=mel_args())
def test_mel_filterbank_matches_librosa_and_warns_when_it_does(kwargs):
    with warnings.catch_warnings(record=True) as ref_warnings:
        warnings.simplefilter("always")
        ref = librosa.filters.mel(**kwargs)
    with warnings.catch_warnings(record=True) as our_warnings:
        warnings.simplefilter("always")
        ours = F.mel_filterbank(**kwargs)
    assert_matches(ours, ref)
    assert bool(ref_warnings) == any("contain no FFT bin" in str(w.message) for w in our_warnings)


def test_mel_filterbank_triangles_by_hand():
    # HTK scale, no normalisation: each row is a triangle peaking at 1, and the rows of
    # neighbouring filters sum to 1 between their peaks.
    M = F.mel_filterbank(sr=16000, n_fft=512, n_mels=20, htk=True, norm=None)
    assert M.shape == (20, 257)
    assert M.dtype == np.float32
    assert np.all(M >= 0) and np.all(M.max(axis=1) <= 1.0)
    assert np.all(np.diff(np.argmax(M, axis=1)) > 0)  # peaks climb with the band index
    edges = F.mel_to_hz(np.linspace(0.0, F.hz_to_mel(8000.0, htk=True), 22), htk=True)
    bin_hz = np.arange(257) * 16000 / 512
    between = (bin_hz >= edges[1]) & (bin_hz <= edges[20])  # first to last filter centre
    assert np.allclose(M[:, between].sum(axis=0), 1.0, atol=1e-6)


def test_mel_filterbank_returns_a_copy_that_does_not_change_the_cache():
    M = F.mel_filterbank(sr=16000, n_fft=512, n_mels=40)
    M[:] = 0
    assert F.mel_filterbank(sr=16000, n_fft=512, n_mels=40).max() > 0


@FEW
@pytest.mark.filterwarnings("ignore:mel_filterbank")
@given(
    y=signals(min_size=200, max_size=8000),
    sr=st.sampled_from(RATES),
    n_fft=st.sampled_from([256, 400, 512, 1024]),
    hop_length=st.sampled_from([80, 160, 256, 512]),
    n_mels=st.sampled_from([20, 40, 80]),
    power=st.sampled_from([1.0, 2.0]),
    htk=st.booleans(),
    center=st.booleans(),
)
def test_melspectrogram_matches_librosa(y, sr, n_fft, hop_length, n_mels, power, htk, center):
    assume(center or n_fft <= len(y))
    kwargs = dict(
        sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, power=power, htk=htk, center=center
    )
    ours = F.melspectrogram(y, **kwargs)
    ref = librosa_quietly(librosa.feature.melspectrogram, y=y, **kwargs)
    assert_matches(ours, ref)


@FEW
@given(
    y=signals(min_size=200, max_size=8000),
    sr=st.sampled_from([8000, 16000, 22050]),
    n_mfcc=st.sampled_from([1, 13, 20, 40]),
    dct_type=st.sampled_from([1, 2, 3]),
    norm=st.sampled_from(["ortho", None]),
    lifter=st.sampled_from([0, 22, 0.5]),
    n_mels=st.sampled_from([40, 64]),
)
def test_mfcc_matches_librosa(y, sr, n_mfcc, dct_type, norm, lifter, n_mels):
    kwargs = dict(sr=sr, n_mfcc=n_mfcc, dct_type=dct_type, norm=norm, lifter=lifter)
    mel = dict(n_fft=512, hop_length=160, n_mels=n_mels)
    ours = F.mfcc(y, **kwargs, **mel)
    ref = librosa_quietly(librosa.feature.mfcc, y=y, **kwargs, **mel)
    assert_matches(ours, ref)


def test_mfcc_zeroth_coefficient_is_the_scaled_mean_log_mel():
    y = make_signal(16000, 5, "sine", np.float64)
    log_mel = F.power_to_db(F.melspectrogram(y, sr=16000, n_mels=40))
    C = F.mfcc(y, sr=16000, n_mfcc=13, n_mels=40)
    # Orthonormal DCT-II row 0 is constant 1 / sqrt(n_mels).
    assert np.allclose(C[0], log_mel.sum(axis=0) / np.sqrt(40))


@PROPERTY
@given(
    n_features=st.sampled_from([None, 1, 13]),
    n_frames=st.integers(3, 200),
    width=st.sampled_from([3, 5, 7, 9, 11]),
    order=st.sampled_from([1, 2]),
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_delta_matches_librosa(n_features, n_frames, width, order, seed, dtype):
    assume(width <= n_frames and order < width)
    shape = (n_frames,) if n_features is None else (n_features, n_frames)
    data = (np.random.default_rng(seed).standard_normal(shape) * 10).astype(dtype)
    assert_matches(
        F.delta(data, width=width, order=order), librosa.feature.delta(data=data, width=width, order=order)
    )


def test_delta_of_a_ramp_is_its_slope_and_of_a_parabola_its_curvature():
    t = np.arange(20.0)
    assert np.allclose(F.delta(3.0 * t + 1.0), 3.0)
    assert np.allclose(F.delta(t**2, order=2, width=5), 2.0)


@st.composite
def spectral_args(draw):
    return dict(
        sr=draw(st.sampled_from(RATES)),
        n_fft=draw(st.sampled_from([64, 255, 512, 1024])),
        hop_length=draw(st.sampled_from([64, 160, 512])),
        window=draw(st.sampled_from(["hann", "hamming"])),
        center=draw(st.booleans()),
    )


@PROPERTY
@given(y=signals(), kwargs=spectral_args(), roll_percent=st.sampled_from([0.5, 0.85, 0.99]))
def test_spectral_centroid_bandwidth_rolloff_match_librosa(y, kwargs, roll_percent):
    assume(kwargs["center"] or kwargs["n_fft"] <= len(y))
    feature = librosa.feature
    assert_matches(
        F.spectral_centroid(y, **kwargs), librosa_quietly(feature.spectral_centroid, y=y, **kwargs)
    )
    assert_matches(
        F.spectral_bandwidth(y, **kwargs), librosa_quietly(feature.spectral_bandwidth, y=y, **kwargs)
    )
    ours = F.spectral_rolloff(y, **kwargs, roll_percent=roll_percent)
    ref = librosa_quietly(feature.spectral_rolloff, y=y, **kwargs, roll_percent=roll_percent)
    assert_matches(ours, ref)


def test_spectral_centroid_of_a_bin_centred_sine_is_its_frequency():
    sr = 16000
    y = np.sin(2 * np.pi * 1000 * np.arange(sr) / sr)
    kwargs = dict(sr=sr, n_fft=512, hop_length=256, center=False)
    assert np.allclose(F.spectral_centroid(y, **kwargs), 1000.0)
    # Hann leakage puts 1/4, 1/2, 1/4 of the magnitude in bins 31, 32, 33 (31.25 Hz apart).
    assert np.allclose(F.spectral_bandwidth(y, **kwargs), 31.25 / np.sqrt(2))
    assert np.allclose(F.spectral_rolloff(y, **kwargs), 1031.25)


def test_spectral_features_of_silence_are_zero():
    y = np.zeros(4000)
    for fn in (F.spectral_centroid, F.spectral_bandwidth, F.spectral_rolloff):
        assert np.all(fn(y, sr=16000, n_fft=256) == 0.0)
