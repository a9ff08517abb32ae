"""asrlab.audio: loading and saving against librosa and soundfile, resampling against
librosa.resample, and PCM conversions by their definitions."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asrlab import audio as A
from asrlab import signals as S

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
RATES = [8000, 11025, 16000, 22050, 44100, 48000]


# ---------------------------------------------------------------------------------------
# load and save
# ---------------------------------------------------------------------------------------

FILES = {
    # name: (native rate, channels, soundfile subtype)
    "mono16k.wav": (16000, 1, "PCM_16"),
    "stereo44k.flac": (44100, 2, "PCM_16"),
    "mono8k_odd.wav": (8000, 1, "PCM_24"),
    "stereo22k_float.wav": (22050, 2, "FLOAT"),
}


@pytest.fixture(scope="module")
def audio_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audio")
    rng = np.random.default_rng(0)
    for name, (sr, channels, subtype) in FILES.items():
        n = int(0.3 * sr) + 7  # an odd number of samples
        t = np.arange(n) / sr
        data = np.stack([0.4 * np.sin(2 * np.pi * (300 + 200 * c) * t) for c in range(channels)], axis=1)
        data += 0.05 * rng.standard_normal(data.shape)
        sf.write(folder / name, data, sr, subtype=subtype)
    return folder


# librosa.load imports audioread, which imports modules Python 3.13 removes.
@pytest.mark.filterwarnings("ignore:'(aifc|audioop|sunau)' is deprecated:DeprecationWarning")
@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("sr", [None, 8000, 16000, 22050, 44100])
@pytest.mark.parametrize("mono", [True, False])
def test_load_matches_librosa(audio_dir, name, sr, mono):
    y, rate = A.load(audio_dir / name, sr=sr, mono=mono)
    ref, ref_rate = librosa.load(path=audio_dir / name, sr=sr, mono=mono)
    assert rate == ref_rate
    assert y.dtype == ref.dtype == np.float32
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-7)


def test_load_defaults_to_16khz_mono(audio_dir):
    y, sr = A.load(audio_dir / "stereo44k.flac")
    native_n = int(0.3 * 44100) + 7
    assert sr == 16000
    assert y.shape == (int(np.ceil(native_n * 16000 / 44100)),)


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".WAV"])
@pytest.mark.parametrize("channels", [None, 2])
def test_save_then_load_round_trips_within_one_16bit_step(tmp_path, suffix, channels):
    y = S.sine(440.0, sr=16000, duration=0.1, amplitude=0.9)
    if channels:
        y = np.stack([y, -0.5 * y])
    path = A.save(tmp_path / f"x{suffix}", y, sr=16000)
    back, sr = A.load(path, sr=None, mono=False)
    assert sr == 16000
    assert back.shape == y.shape
    assert np.max(np.abs(back - y)) <= 1 / 32768
    info = sf.info(path)
    assert info.format == ("FLAC" if suffix == ".flac" else "WAV")
    assert info.channels == (channels or 1)
    assert info.subtype == "PCM_16"


def test_save_float_wav_is_lossless(tmp_path):
    y = np.random.default_rng(1).uniform(-1, 1, 1001).astype(np.float32)
    A.save(tmp_path / "f.wav", y, sr=8000, subtype="FLOAT")
    back, _ = A.load(tmp_path / "f.wav", sr=None)
    assert np.array_equal(back, y)


# ---------------------------------------------------------------------------------------
# resample and to_mono
# ---------------------------------------------------------------------------------------


@PROPERTY
@given(
    n=st.one_of(st.integers(1, 30), st.integers(1, 20000)),
    orig_sr=st.sampled_from(RATES),
    target_sr=st.sampled_from(RATES),
    channels=st.sampled_from([None, 2]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_resample_matches_librosa(n, orig_sr, target_sr, channels, dtype, seed):
    shape = (n,) if channels is None else (channels, n)
    y = (0.1 * np.random.default_rng(seed).standard_normal(shape)).astype(dtype)
    ours = A.resample(y, orig_sr=orig_sr, target_sr=target_sr)
    ref = librosa.resample(y=y, orig_sr=orig_sr, target_sr=target_sr)
    assert ours.shape == ref.shape
    assert ours.dtype == ref.dtype == dtype
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-7)


def test_resample_length_follows_librosa_rounding():
    # 441 * (48000 / 11025) is 1920.0000000000002 in floating point: librosa gives 1921.
    y = np.zeros(441, dtype=np.float32)
    assert A.resample(y, orig_sr=11025, target_sr=48000).shape == (1921,)
    assert librosa.resample(y=y, orig_sr=11025, target_sr=48000).shape == (1921,)


def test_resample_to_8khz_removes_content_above_4khz():
    sr = 16000
    y = S.sine(1000.0, sr=sr, duration=1.0) + S.sine(6000.0, sr=sr, duration=1.0)
    low = A.resample(y, orig_sr=sr, target_sr=8000)
    assert low.shape == (8000,)
    spectrum = np.abs(np.fft.rfft(low[1000:7000] * np.hanning(6000)))
    freqs = np.fft.rfftfreq(6000, d=1 / 8000)
    assert freqs[np.argmax(spectrum)] == pytest.approx(1000.0, abs=2.0)
    # The 6 kHz sine must not fold back to 8000 - 6000 = 2000 Hz.
    near_2k = spectrum[np.abs(freqs - 2000.0) < 20].max()
    assert near_2k < 1e-3 * spectrum.max()


@PROPERTY
@given(
    channels=st.integers(1, 4),
    n=st.integers(1, 2000),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_to_mono_matches_librosa(channels, n, dtype, seed):
    y = np.random.default_rng(seed).uniform(-1, 1, (channels, n)).astype(dtype)
    ours = A.to_mono(y)
    ref = librosa.to_mono(y=y)
    assert ours.shape == ref.shape == (n,)
    assert ours.dtype == ref.dtype
    np.testing.assert_allclose(ours, ref, rtol=1e-6)
    mono = y[0]
    assert A.to_mono(mono) is mono


def test_to_mono_averages_the_channels():
    assert A.to_mono(np.array([[1.0, 0.5], [0.0, -0.5]])).tolist() == [0.5, 0.0]


# ---------------------------------------------------------------------------------------
# PCM integers and floats
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (np.array([-32768, 0, 16384, 32767], dtype=np.int16), [-1.0, 0.0, 0.5, 32767 / 32768]),
        (np.array([-128, 64, 127], dtype=np.int8), [-1.0, 0.5, 127 / 128]),
        (np.array([-(2**31), 2**30], dtype=np.int32), [-1.0, 0.5]),
        (np.array([0, 128, 192, 255], dtype=np.uint8), [-1.0, 0.0, 0.5, 127 / 128]),
    ],
)
def test_int_to_float_by_hand(x, expected):
    y = A.int_to_float(x)
    assert y.dtype == np.float32
    assert y.tolist() == pytest.approx(expected, abs=1e-9)


def test_int_to_float_maps_every_int16_into_minus_one_to_one():
    x = np.arange(-32768, 32768, dtype=np.int16)
    y = A.int_to_float(x)
    assert y.min() == -1.0 and y.max() < 1.0
    assert np.all(np.diff(y) > 0)
    assert np.array_equal(y, (x / 32768.0).astype(np.float32))


def test_float_to_int_scales_rounds_and_clips():
    y = np.array([-2.0, -1.0, -0.5, 0.4 / 32768, 0.6 / 32768, 0.5, 1.0, 2.0])
    assert A.float_to_int(y).tolist() == [-32768, -32768, -16384, 0, 1, 16384, 32767, 32767]
    assert A.float_to_int(y).dtype == np.int16
    assert A.float_to_int(np.array([1.0, -1.0]), bits=8).tolist() == [127, -128]


@pytest.mark.parametrize(("bits", "dtype"), [(2, np.int8), (8, np.int8), (12, np.int16), (16, np.int16), (24, np.int32), (32, np.int32)])
def test_float_to_int_uses_the_smallest_integer_type(bits, dtype):
    q = A.float_to_int(np.array([-1.0, 1.0]), bits=bits)
    assert q.dtype == dtype
    assert q.tolist() == [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1]


@PROPERTY
@given(
    n=st.integers(1, 500),
    bits=st.integers(2, 32),
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_quantize_rounds_to_the_nearest_of_2_to_the_bits_levels(n, bits, seed, dtype):
    step = 2.0 ** -(bits - 1)
    y = np.random.default_rng(seed).uniform(-1, 1 - step, n).astype(dtype)
    q = A.quantize(y, bits=bits)
    assert q.dtype == dtype and q.shape == y.shape
    levels = np.round(q.astype(np.float64) / step)
    assert np.allclose(levels * step, q, rtol=0, atol=1e-6 * step)  # on the grid
    # at most half a step away (plus float32 rounding of the result)
    slack = 1e-6 if dtype == np.float32 else 1e-12
    assert np.max(np.abs(q.astype(np.float64) - y)) <= step / 2 + slack
    assert np.array_equal(
        q, (A.float_to_int(y, bits=bits) / 2.0 ** (bits - 1)).astype(dtype)
    )


@pytest.mark.parametrize("bits", [8, 10, 12, 16])
def test_quantization_snr_grows_about_6_db_per_bit(bits):
    y = S.sine(440.0, sr=16000, duration=1.0, amplitude=1.0 - 2.0**-bits)
    measured = S.snr_db(y, A.quantize(y, bits=bits))
    assert measured == pytest.approx(6.02 * bits + 1.76, abs=0.5)


# --------------------------------------------------------------------------------------
# trim_silence


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from([8000, 16000, 22050]), st.sampled_from([20.0, 40.0, 60.0]))
def test_trim_silence_cuts_where_librosa_trim_does(seed, sr, top_db):
    rng = np.random.default_rng(seed)
    frame = int(round(0.005 * sr))
    n_sound = int(rng.integers(5, 60)) * frame
    sound = (rng.normal(size=n_sound) * np.hanning(n_sound) ** 0.3).astype(np.float32)
    lead, tail = (int(rng.integers(0, 40)) * frame for _ in range(2))
    y = np.concatenate([np.zeros(lead, np.float32), sound, np.zeros(tail, np.float32)])
    y = y + (1e-6 * rng.normal(size=len(y))).astype(np.float32)  # a faint noise floor
    out = A.trim_silence(y, sr=sr, pad_ms=0, top_db=top_db)
    _, (start, stop) = librosa.effects.trim(y, top_db=top_db, ref=np.max, frame_length=frame, hop_length=frame)
    begin = int(np.flatnonzero(np.all(np.lib.stride_tricks.sliding_window_view(y, len(out)) == out, axis=1))[0])
    assert abs(begin - start) <= frame and abs(begin + len(out) - stop) <= frame


def test_trim_silence_keeps_exactly_pad_ms_and_pads_with_zeros_where_needed():
    sr = 16000
    tone = S.sine(440, duration=0.25, sr=sr)
    y = np.concatenate([np.zeros(800, np.float32), tone, np.zeros(8000, np.float32)])  # 50 ms before, 500 ms after
    out = A.trim_silence(y, sr=sr, pad_ms=100)
    assert len(out) == 1600 + len(tone) + 1600
    assert not out[:800].any() and np.array_equal(out[1600 : 1600 + len(tone)], tone)
    assert len(A.trim_silence(y, sr=sr, pad_ms=0)) == len(tone)
    assert A.trim_silence(np.zeros(1000, np.float32), sr=sr, pad_ms=10).size == 0
    assert A.trim_silence(tone[:10], sr=sr, pad_ms=10).size == 0  # shorter than a 5 ms frame


@pytest.mark.parametrize(("kwargs", "exc", "message"), [
    ({"pad_ms": -1}, ValueError, "pad_ms: expected a value from 0 to 10000, got -1"),
    ({"pad_ms": "10"}, TypeError, "pad_ms: expected a number, got str '10'"),
    ({"top_db": 500}, ValueError, "top_db: expected a value from 0 to 200, got 500"),
    ({"sr": 0}, ValueError, "sr: "),
    ({"y": np.zeros((2, 100), np.float32)}, ValueError, "y: "),
    ({"y": np.array([0.1, np.nan], np.float32)}, ValueError, "y: "),
])
def test_trim_silence_rejects_bad_input(kwargs, exc, message):
    args = {"y": np.ones(1000, np.float32) * 0.1, "sr": 16000, "pad_ms": 10, **kwargs}
    with pytest.raises(exc) as info:
        A.trim_silence(args.pop("y"), **args)
    assert str(info.value).startswith(message)


# --------------------------------------------------------------------------------------
# pauses


def test_pauses_finds_the_silent_gaps_between_sounds_to_the_frame():
    sr = 16000
    tone = S.sine(300, duration=0.2, sr=sr)
    gaps_ms = [0, 15, 50, 125, 400]  # 0 and 15 ms are below min_ms
    parts = [np.zeros(1600, np.float32)]  # 100 ms of lead-in: not a pause
    for gap in gaps_ms:
        parts += [tone, np.zeros(gap * sr // 1000, np.float32)]
    parts += [tone, np.zeros(3200, np.float32)]
    y = np.concatenate(parts)
    found = A.pauses(y, sr=sr)
    assert [round(1000 * (b - a)) for a, b in found] == [50, 125, 400]
    # each starts where its tone ends: 100 ms + the tones and gaps before it
    starts = [0.1 + 0.2 * (k + 1) + sum(gaps_ms[:k]) / 1000 for k in (2, 3, 4)]
    assert [a for a, _ in found] == pytest.approx(starts, abs=0.005)
    assert [round(1000 * (b - a)) for a, b in A.pauses(y, sr=sr, min_ms=0)] == [15, 50, 125, 400]
    # a gap 30 dB down is quiet at top_db=20 and sound at the default 40
    soft = np.concatenate([tone, 10 ** (-30 / 20) * tone, tone])
    assert A.pauses(soft, sr=sr) == []
    assert [round(1000 * (b - a)) for a, b in A.pauses(soft, sr=sr, top_db=20)] == [200]
    assert A.pauses(np.zeros(1000, np.float32), sr=sr) == [] and A.pauses(tone, sr=sr) == []
    assert A.pauses(tone[:10], sr=sr) == []  # shorter than a frame


@pytest.mark.parametrize(("kwargs", "exc", "message"), [
    ({"min_ms": -5}, ValueError, "min_ms: expected a value from 0 to 10000, got -5"),
    ({"top_db": "40"}, TypeError, "top_db: expected a number, got str '40'"),
    ({"y": np.zeros((2, 100), np.float32)}, ValueError, "y: "),
])
def test_pauses_rejects_bad_input(kwargs, exc, message):
    args = {"y": np.ones(1000, np.float32) * 0.1, "sr": 16000, **kwargs}
    with pytest.raises(exc) as info:
        A.pauses(args.pop("y"), **args)
    assert str(info.value).startswith(message)
