"""Bad inputs to the audio, signal and feature helpers: each fails before doing any work,
with the exception type and a message that names the argument, what was expected and
what was given."""

from __future__ import annotations

import re

import numpy as np
import pytest

from asrlab import audio as A
from asrlab import features as F
from asrlab import signals as S

Y = np.zeros(1000)  # a valid mono float signal
SR = 16000

CASES = [
    # (id, call, exception, fragments of the message that must all appear)
    # --- the signal itself
    ("stft-empty", lambda: F.stft(np.array([])), ValueError, ["y: expected a non-empty signal, got 0 samples"]),
    ("rms-empty-list", lambda: F.rms([]), ValueError, ["y: expected a non-empty signal, got 0 samples"]),
    ("rms-nan", lambda: F.rms(np.array([0.1, np.nan, 0.2])), ValueError, ["y: expected finite samples, got NaN"]),
    ("melspec-inf", lambda: F.melspectrogram(np.array([0.0, np.inf]), sr=SR), ValueError, ["y: expected finite samples, got infinity"]),
    ("resample-nan", lambda: A.resample(np.array([np.nan]), orig_sr=SR, target_sr=8000), ValueError, ["y: expected finite samples, got NaN"]),
    ("stft-int16", lambda: F.stft(np.arange(4096, dtype=np.int16)), TypeError, ["y: expected floating-point audio", "got integer dtype int16", "int_to_float"]),
    ("mfcc-int", lambda: F.mfcc(np.arange(4096), sr=SR), TypeError, ["y: expected floating-point audio", "int64"]),
    ("resample-int", lambda: A.resample(np.zeros(10, dtype=np.int32), orig_sr=SR, target_sr=8000), TypeError, ["y: expected floating-point audio", "int32"]),
    ("stft-complex", lambda: F.stft(np.zeros(100, dtype=complex)), TypeError, ["y: expected real-valued audio samples, got dtype complex128"]),
    ("stft-strings", lambda: F.stft(np.array(["a", "b"])), TypeError, ["y: expected numeric audio samples, got dtype <U1"]),
    ("stft-not-array", lambda: F.stft("y.wav"), TypeError, ["y: expected a NumPy array of audio samples, got str 'y.wav'"]),
    ("mfcc-stereo", lambda: F.mfcc(np.zeros((2, 1000)), sr=SR), ValueError, ["y: expected mono audio of shape (n,), got shape (2, 1000)"]),
    ("rms-stereo", lambda: F.rms(np.zeros((1000, 2))), ValueError, ["y: expected mono audio of shape (n,), got shape (1000, 2)"]),
    ("frame-stereo", lambda: S.frame(np.zeros((2, 100)), frame_length=10, hop_length=5), ValueError, ["y: expected mono audio of shape (n,), got shape (2, 100)"]),
    ("zero-crossings-2d", lambda: F.zero_crossings(np.zeros((2, 3))), ValueError, ["y: expected mono audio of shape (n,), got shape (2, 3)"]),
    ("to-mono-3d", lambda: A.to_mono(np.zeros((2, 2, 2))), ValueError, ["y: expected audio of shape (n,) or (channels, n), got shape (2, 2, 2)"]),
    # --- sample rates
    ("melspec-sr-zero", lambda: F.melspectrogram(Y, sr=0), ValueError, ["sr: expected a positive sample rate in Hz, got 0"]),
    ("centroid-sr-negative", lambda: F.spectral_centroid(Y, sr=-16000), ValueError, ["sr: expected a positive sample rate in Hz, got -16000"]),
    ("resample-orig-zero", lambda: A.resample(Y, orig_sr=0, target_sr=8000), ValueError, ["orig_sr: expected a positive sample rate in Hz, got 0"]),
    ("resample-target-negative", lambda: A.resample(Y, orig_sr=SR, target_sr=-1), ValueError, ["target_sr: expected a positive sample rate in Hz, got -1"]),
    ("resample-fractional-rate", lambda: A.resample(Y, orig_sr=SR, target_sr=8000.5), ValueError, ["target_sr: expected a whole number of samples per second, got 8000.5"]),
    ("sine-sr-zero", lambda: S.sine(440, sr=0, duration=1.0), ValueError, ["sr: expected a positive sample rate in Hz, got 0"]),
    ("load-sr-zero", lambda: A.load("x.wav", sr=0), ValueError, ["sr: expected a positive sample rate in Hz, got 0"]),
    ("save-sr-string", lambda: A.save("x.wav", Y, sr="16k"), TypeError, ["sr: expected a sample rate in Hz (positive integer), got str '16k'"]),
    ("mel-sr-zero", lambda: F.mel_filterbank(sr=0, n_fft=512), ValueError, ["sr: expected a positive sample rate in Hz, got 0"]),
    # --- frame sizes and hops
    ("stft-n_fft-longer-than-uncentred-signal", lambda: F.stft(np.zeros(100), n_fft=256, center=False), ValueError, ["n_fft: expected at most the signal length (100 samples; center=False pads nothing), got 256"]),
    ("centroid-n_fft-too-long", lambda: F.spectral_centroid(np.zeros(100), sr=SR, n_fft=512, center=False), ValueError, ["n_fft: expected at most the signal length (100 samples"]),
    ("rms-frame-longer-than-uncentred-signal", lambda: F.rms(np.zeros(100), frame_length=2048, center=False), ValueError, ["frame_length: expected at most the signal length (100 samples; center=False pads nothing), got 2048"]),
    ("zcr-frame-longer-than-uncentred-signal", lambda: F.zero_crossing_rate(np.zeros(10), frame_length=11, center=False), ValueError, ["frame_length: expected at most the signal length (10 samples"]),
    ("stft-hop-zero", lambda: F.stft(Y, hop_length=0), ValueError, ["hop_length: expected a positive integer, got 0"]),
    ("stft-hop-float", lambda: F.stft(Y, hop_length=160.0), TypeError, ["hop_length: expected a positive integer, got float 160.0"]),
    ("rms-hop-zero", lambda: F.rms(Y, hop_length=0), ValueError, ["hop_length: expected a positive integer, got 0"]),
    ("zcr-hop-negative", lambda: F.zero_crossing_rate(Y, hop_length=-1), ValueError, ["hop_length: expected a positive integer, got -1"]),
    ("vad-stereo", lambda: F.detect_speech(np.zeros((2, 800)), sr=16000), ValueError, ["y: expected mono audio of shape (n,), got shape (2, 800)"]),
    ("vad-zero-rate", lambda: F.detect_speech(Y, sr=0), ValueError, ["sr: expected a positive sample rate in Hz, got 0"]),
    ("vad-zero-hop", lambda: F.detect_speech(Y, sr=16000, hop_ms=0), ValueError, ["hop_ms: expected positive durations in ms"]),
    ("vad-negative-hangover", lambda: F.detect_speech(Y, sr=16000, hangover_ms=-5), ValueError, ["hangover_ms: expected a duration >= 0 ms, got -5"]),
    ("melspec-hop-zero", lambda: F.melspectrogram(Y, sr=SR, hop_length=0), ValueError, ["hop_length: expected a positive integer, got 0"]),
    ("stft-n_fft-zero", lambda: F.stft(Y, n_fft=0), ValueError, ["n_fft: expected a positive integer, got 0"]),
    ("stft-win-longer-than-n_fft", lambda: F.stft(Y, n_fft=256, win_length=300), ValueError, ["win_length: expected at most n_fft=256, got 300"]),
    ("stft-unknown-window", lambda: F.stft(Y, window="triangle-ish"), ValueError, ["window: expected a window name understood by scipy.signal.get_window", "got 'triangle-ish'"]),
    ("stft-window-array-length", lambda: F.stft(Y, n_fft=256, window=np.ones(100)), ValueError, ["window: expected an array of win_length=256 samples, got 100"]),
    ("stft-window-complex", lambda: F.stft(Y, n_fft=4, window=np.ones(4, dtype=complex)), TypeError, ["window: expected real window samples, got complex dtype complex128"]),
    ("stft-pad-mode", lambda: F.stft(Y, pad_mode="wrap"), ValueError, ["pad_mode: expected one of 'constant', 'edge', 'reflect'", "got 'wrap'"]),
    ("frame-longer-than-signal", lambda: S.frame(np.zeros(10), frame_length=11, hop_length=1), ValueError, ["frame_length: expected at most the signal length (10 samples), got 11"]),
    ("frame-hop-zero", lambda: S.frame(np.zeros(10), frame_length=4, hop_length=0), ValueError, ["hop_length: expected a positive integer, got 0"]),
    ("frame-length-zero", lambda: S.frame(np.zeros(10), frame_length=0, hop_length=1), ValueError, ["frame_length: expected a positive integer, got 0"]),
    # --- bit depths
    ("quantize-1-bit", lambda: A.quantize(Y, bits=1), ValueError, ["bits: expected a bit depth from 2 to 32, got 1"]),
    ("quantize-33-bits", lambda: A.quantize(Y, bits=33), ValueError, ["bits: expected a bit depth from 2 to 32, got 33"]),
    ("float-to-int-64-bits", lambda: A.float_to_int(Y, bits=64), ValueError, ["bits: expected a bit depth from 2 to 32, got 64"]),
    ("quantize-float-bits", lambda: A.quantize(Y, bits=8.0), TypeError, ["bits: expected an integer bit depth from 2 to 32, got float 8.0"]),
    ("float-to-int-int-input", lambda: A.float_to_int(np.zeros(3, dtype=np.int16)), TypeError, ["y: expected floating-point audio", "int16"]),
    ("int-to-float-float-input", lambda: A.int_to_float(np.zeros(3)), TypeError, ["x: expected integer PCM samples (int8, int16, int32 or uint8), got dtype float64"]),
    ("int-to-float-int64", lambda: A.int_to_float(np.zeros(3, dtype=np.int64)), TypeError, ["x: expected integer PCM samples", "got dtype int64"]),
    # --- noise and SNR
    ("add-noise-nan-snr", lambda: S.add_noise(Y + 0.1, snr_db=float("nan"), seed=0), ValueError, ["snr_db: expected a finite number, got nan"]),
    ("add-noise-inf-snr", lambda: S.add_noise(Y + 0.1, snr_db=float("inf"), seed=0), ValueError, ["snr_db: expected a finite number, got inf"]),
    ("add-noise-string-snr", lambda: S.add_noise(Y + 0.1, snr_db="10 dB", seed=0), TypeError, ["snr_db: expected a real number, got str '10 dB'"]),
    ("add-noise-silence", lambda: S.add_noise(Y, snr_db=10, seed=0), ValueError, ["y: expected a signal with non-zero power to set an SNR against, got all zeros"]),
    ("add-noise-negative-seed", lambda: S.add_noise(Y + 0.1, snr_db=10, seed=-1), ValueError, ["seed: expected a non-negative integer, got -1"]),
    ("add-noise-nan-signal", lambda: S.add_noise(np.array([np.nan]), snr_db=10, seed=0), ValueError, ["y: expected finite samples, got NaN"]),
    ("snr-shapes", lambda: S.snr_db(np.zeros(10), np.zeros(11)), ValueError, ["noisy: expected the shape of clean (10,), got shape (11,)"]),
    ("snr-nan", lambda: S.snr_db(np.ones(2), np.array([1.0, np.nan])), ValueError, ["noisy: expected finite samples, got NaN"]),
    # --- sine
    ("sine-zero-duration", lambda: S.sine(440, sr=SR, duration=0.0), ValueError, ["duration: expected a number in (0, inf], got 0.0"]),
    ("sine-too-short", lambda: S.sine(440, sr=SR, duration=1e-5), ValueError, ["duration: expected at least one sample (round(duration * sr) >= 1), got 1e-05 s at 16000 Hz"]),
    ("sine-nan-frequency", lambda: S.sine(float("nan"), sr=SR, duration=1.0), ValueError, ["freq: expected a finite number, got nan"]),
    # --- decibels, mel, MFCC, deltas, spectral shape
    ("power-to-db-complex", lambda: F.power_to_db(np.ones(3, dtype=complex)), TypeError, ["S: expected real power values such as np.abs(D) ** 2, got complex dtype complex128"]),
    ("power-to-db-amin-zero", lambda: F.power_to_db(np.ones(3), amin=0.0), ValueError, ["amin: expected a number in (0, inf], got 0.0"]),
    ("power-to-db-top-db-negative", lambda: F.power_to_db(np.ones(3), top_db=-1.0), ValueError, ["top_db: expected a number in [0, inf], got -1.0"]),
    ("amplitude-to-db-ref-zero", lambda: F.amplitude_to_db(np.ones(3), ref=0.0), ValueError, ["ref: expected a number in (0, inf], got 0.0"]),
    ("power-to-db-nan", lambda: F.power_to_db(np.array([1.0, np.nan])), ValueError, ["S: expected finite values, got NaN"]),
    ("power-to-db-empty", lambda: F.power_to_db(np.array([])), ValueError, ["S: expected a non-empty array, got shape (0,)"]),
    ("hz-to-mel-negative", lambda: F.hz_to_mel(-5.0), ValueError, ["f: expected values >= 0, got -5.0"]),
    ("mel-to-hz-nan", lambda: F.mel_to_hz(np.array([1.0, np.nan])), ValueError, ["m: expected finite values, got NaN"]),
    ("mel-fmax-below-fmin", lambda: F.mel_filterbank(sr=SR, n_fft=512, fmin=4000.0, fmax=1000.0), ValueError, ["fmax: expected a number in (4000, inf], got 1000.0"]),
    ("mel-fmin-negative", lambda: F.mel_filterbank(sr=SR, n_fft=512, fmin=-1.0), ValueError, ["fmin: expected a number in [0, inf], got -1.0"]),
    ("mel-norm", lambda: F.mel_filterbank(sr=SR, n_fft=512, norm="area"), ValueError, ["norm: expected 'slaney', None or a positive number (p-norm), got 'area'"]),
    ("mel-n-mels-zero", lambda: F.melspectrogram(Y, sr=SR, n_mels=0), ValueError, ["n_mels: expected a positive integer, got 0"]),
    ("mfcc-more-than-mels", lambda: F.mfcc(Y, sr=SR, n_mfcc=50, n_mels=40), ValueError, ["n_mfcc: expected at most n_mels=40, got 50"]),
    ("mfcc-dct-type", lambda: F.mfcc(Y, sr=SR, dct_type=4), ValueError, ["dct_type: expected one of 1, 2, 3, got 4"]),
    ("mfcc-lifter-negative", lambda: F.mfcc(Y, sr=SR, lifter=-1), ValueError, ["lifter: expected a number in [0, inf], got -1.0"]),
    ("delta-even-width", lambda: F.delta(np.zeros((13, 50)), width=4), ValueError, ["width: expected an odd integer >= 3, got 4"]),
    ("delta-width-above-frames", lambda: F.delta(np.zeros((13, 5)), width=9), ValueError, ["width: expected at most the number of frames (5), got 9"]),
    ("delta-order-zero", lambda: F.delta(np.zeros((13, 50)), order=0), ValueError, ["order: expected a positive integer, got 0"]),
    ("delta-3d", lambda: F.delta(np.zeros((2, 13, 50))), ValueError, ["data: expected shape (n_frames,) or (n_features, n_frames), got shape (2, 13, 50)"]),
    ("rolloff-percent-one", lambda: F.spectral_rolloff(Y, sr=SR, roll_percent=1.0), ValueError, ["roll_percent: expected a number in (0, 1), got 1.0"]),
    ("bandwidth-p-zero", lambda: F.spectral_bandwidth(Y, sr=SR, p=0), ValueError, ["p: expected a number in (0, inf], got 0.0"]),
    ("dft-2d", lambda: F.dft(np.zeros((4, 4))), ValueError, ["x: expected a 1-D array, got shape (4, 4)"]),
    ("dft-too-long", lambda: F.dft(np.zeros(10000)), ValueError, ["x: expected at most 8192 samples for the O(n^2) DFT", "got 10000"]),
    ("dft-matrix-zero", lambda: F.dft_matrix(0), ValueError, ["n: expected a positive integer, got 0"]),
    # --- saving
    ("save-too-loud", lambda: A.save("loud.wav", np.array([0.5, 1.5]), sr=SR), ValueError, ["y: expected samples in [-1, 1], got a peak of 1.5"]),
    ("save-extension", lambda: A.save("speech.mp3", Y, sr=SR), ValueError, ["path: expected a file name ending in .wav or .flac, got 'speech.mp3'"]),
]


@pytest.mark.parametrize(("call", "exception", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(call, exception, fragments):
    with pytest.raises(exception, match=re.escape(fragments[0])) as info:
        call()
    for fragment in fragments[1:]:
        assert fragment in str(info.value)


def test_load_names_a_missing_file(tmp_path):
    missing = tmp_path / "no_such_recording.wav"
    with pytest.raises(ValueError, match=re.escape(f"path: expected an existing audio file, got '{missing}' (no such file)")):
        A.load(missing)


def test_load_names_a_file_that_is_not_audio(tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("this is not a recording\n")
    with pytest.raises(A.AudioFileError, match=re.escape(f"path: expected a readable audio file, got '{text}' (")):
        A.load(text)


def test_load_names_a_folder(tmp_path):
    with pytest.raises(ValueError, match=re.escape(f"path: expected an audio file, got '{tmp_path}' (not a regular file)")):
        A.load(tmp_path)


def test_load_rejects_an_empty_recording(tmp_path):
    empty = tmp_path / "empty.wav"
    import soundfile as sf

    sf.write(empty, np.zeros(0), 16000)
    with pytest.raises(ValueError, match=re.escape(f"path: expected audio samples, got '{empty}' (0 samples)")):
        A.load(empty)


def test_save_writes_nothing_for_a_bad_signal(tmp_path):
    target = tmp_path / "x.wav"
    with pytest.raises(ValueError, match="y: expected finite samples"):
        A.save(target, np.array([0.0, np.nan]), sr=SR)
    assert not target.exists()
