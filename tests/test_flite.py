"""Tests for asrlab.data.flite: the second synthesis engine and its share of the training
stream.  They need the system's Flite library (Debian: libflite1): without it they skip on
a learner's laptop and fail under CI (``CI=true``), whose set-up installs it."""

from __future__ import annotations

import librosa
import numpy as np
import pytest

from asrlab import data
from asrlab.data import flite
from conftest import IN_CI

VOICES = ("flite-awb", "flite-kal", "flite-kal16", "flite-rms", "flite-slt")


@pytest.fixture(scope="module", autouse=True)
def needs_flite():
    if not data.flite_voices():
        reason = "the Flite library is not installed (Debian/Ubuntu: sudo apt-get install libflite1)"
        if IN_CI:
            pytest.fail(f"{reason}; under CI it is required")
        pytest.skip(reason)


def test_every_english_voice_is_found_and_speaks_differently():
    assert data.flite_voices() == list(VOICES)
    clips = {v: data.synthesize_flite("set the volume to seven", voice=v) for v in VOICES}
    for v, y in clips.items():
        assert y.dtype == np.float32 and y.ndim == 1 and np.abs(y).max() <= 1.0
        assert 0.8 < len(y) / 16000 < 3.0, v
        assert np.sqrt(np.mean(y**2)) > 0.01, v
    lengths = {len(y) for y in clips.values()}
    assert len(lengths) >= 4  # different speakers, different timing


@pytest.mark.parametrize("voice", VOICES)
def test_the_same_call_gives_the_same_samples_even_after_others(voice):
    first = data.synthesize_flite("call four two one", voice=voice, rate=150, pitch=40)
    data.synthesize_flite("turn the radio off", voice=voice, rate=220, pitch=90)
    data.synthesize("go left")
    assert np.array_equal(first, data.synthesize_flite("call four two one", voice=voice, rate=150, pitch=40))


def test_threads_get_the_same_samples_as_one_caller():
    import threading

    jobs = [(v, t) for v in ("flite-kal", "flite-slt") for t in ("yes", "go left three", "turn the fan off")]
    expected = {job: data.synthesize_flite(job[1], voice=job[0]) for job in jobs}
    got, errors = {}, []

    def work(job):
        try:
            got[job] = data.synthesize_flite(job[1], voice=job[0])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(np.array_equal(got[job], expected[job]) for job in jobs)


def test_espeak_speaking_in_another_thread_does_not_change_flite_samples():
    # Both engines seed and draw from the C library's one rand(): with a lock each, an
    # espeak-ng call in another thread changed every one of these Flite utterances.
    import threading

    text, words = "call four two one", "turn the radio off"
    expected = {v: data.synthesize_flite(text, voice=v) for v in ("flite-rms", "flite-slt")}
    alone = data.synthesize(words, voice="en-us+gen3")  # a breathy voice: it draws noise too
    spoken, stop = [], threading.Event()

    def espeak():
        while not stop.is_set():
            spoken.append(data.synthesize(words, voice="en-us+gen3"))

    worker = threading.Thread(target=espeak)
    worker.start()
    try:
        same = [np.array_equal(y, data.synthesize_flite(text, voice=v)) for _ in range(4) for v, y in expected.items()]
    finally:
        stop.set()
        worker.join()
    assert same == [True] * 8
    assert spoken and all(np.array_equal(y, alone) for y in spoken)


def _median_f0(y: np.ndarray) -> float:
    return float(np.median(librosa.yin(y, fmin=50, fmax=500, sr=16000, frame_length=1024)))


def test_rate_is_on_espeak_scale_and_pitch_moves_the_f0():
    text = "set the volume to seven and call four two one"
    espeak = len(data.synthesize(text, rate=175, pad_ms=0))
    for voice in ("flite-kal16", "flite-slt"):
        slow, fast = (len(data.synthesize_flite(text, voice=voice, rate=r, pad_ms=0)) for r in (120, 220))
        assert fast / slow == pytest.approx(120 / 220, rel=0.1)
        assert len(data.synthesize_flite(text, voice=voice, rate=175, pad_ms=0)) == pytest.approx(espeak, rel=0.2)
    for voice in ("flite-slt", "flite-awb"):  # 40 points up: a factor of 2 ** 0.5
        f0 = [_median_f0(data.synthesize_flite("oh, a long vowel", voice=voice, pitch=p)) for p in (10, 50, 90)]
        assert f0[1] / f0[0] == pytest.approx(2**0.5, rel=0.1)
        assert f0[2] / f0[1] == pytest.approx(2**0.5, rel=0.1)
    f0 = [_median_f0(data.synthesize_flite("oh, a long vowel", voice="flite-kal", pitch=p)) for p in (10, 50, 90)]
    assert f0[0] < f0[1] < f0[2]  # the diphone voice rises less at the bottom of its range


def test_resampling_and_padding_match_espeak_conventions():
    y16 = data.synthesize_flite("stop", voice="flite-kal", sr=16000)  # kal speaks at 8 kHz
    y8 = data.synthesize_flite("stop", voice="flite-kal", sr=8000)
    assert len(y16) == pytest.approx(2 * len(y8), abs=2)
    tight = data.synthesize_flite("yes", voice="flite-rms", pad_ms=0)
    padded = data.synthesize_flite("yes", voice="flite-rms", pad_ms=100)
    assert len(padded) - len(tight) == pytest.approx(2 * 0.1 * 16000, abs=2)


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        (dict(text=""), ValueError, "text: expected some printable words to speak, got ''"),
        (dict(text=3), TypeError, "text: expected a string to speak, got int 3"),
        (dict(voice="en-us"), ValueError, "voice: expected one of the Flite voices ['flite-awb', "),
        (dict(rate=500), ValueError, "rate: expected"),
        (dict(pitch=-1), ValueError, "pitch: expected"),
        (dict(text="?!"), ValueError, "text: '?!' produced no speech"),
    ],
)
def test_bad_arguments_give_clear_errors(kwargs, exc, message):
    args = {"text": "yes", **kwargs}
    with pytest.raises(exc) as info:
        data.synthesize_flite(args.pop("text"), **args)
    assert str(info.value).startswith(message)


def test_the_training_stream_mixes_in_its_share_of_flite_voices():
    plain = data.SyntheticSpeech("train", seed=3, generated_voices=10)
    mixed = data.SyntheticSpeech("train", seed=3, generated_voices=10, flite_share=0.4)
    a, b = plain.take(150), mixed.take(150)
    is_flite = [u.voice.startswith("flite-") for u in b]
    assert 0.3 < np.mean(is_flite) < 0.5
    assert {u.voice for u in b if u.voice.startswith("flite-")} == set(VOICES)
    for u, v, f in zip(a, b, is_flite):  # text, rate and pitch are drawn as without Flite
        assert (u.text, u.rate, u.pitch) == (v.text, v.rate, v.pitch)
        if f:
            assert v.word_gap_ms == 0
            expected = data.synthesize_flite(v.text, voice=v.voice, rate=v.rate, pitch=v.pitch, pad_ms=0)
            assert np.array_equal(np.trim_zeros(v.audio), np.trim_zeros(expected))
        else:
            assert u.voice == v.voice and np.array_equal(u.audio, v.audio)
    only = data.SyntheticSpeech("train", seed=3, flite_share=0.9, flite_voices=["flite-slt"]).take(20)
    assert {u.voice for u in only} <= {"flite-slt"} | set(data.split_voices("train"))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(flite_share=1.0), "flite_share: expected a share from 0 to 0.9, got 1.0"),
        (dict(flite_share=0.2, split="test"), "flite_share: only the train split takes Flite voices"),
        (dict(flite_share=0.2, flite_voices=["flite-bob"]), "flite_voices: expected some of ['flite-awb', "),
        (dict(flite_share=0.2, flite_voices="flite-kal"), "flite_voices: expected a non-empty list of voice names"),
    ],
)
def test_bad_flite_settings_of_the_stream(kwargs, message):
    split = kwargs.pop("split", "train")
    with pytest.raises(ValueError) as info:
        data.SyntheticSpeech(split, **kwargs)
    assert str(info.value).startswith(message)


def test_without_flite_the_stream_says_what_to_install(monkeypatch):
    monkeypatch.setattr(flite, "_engine", lambda: None)
    assert data.flite_voices() == []
    with pytest.raises(ValueError, match=r"^flite_share: 0.2 needs the Flite library \(on Debian or Ubuntu: apt"):
        data.SyntheticSpeech("train", flite_share=0.2)
    with pytest.raises(RuntimeError, match=r"^voice: 'flite-kal' needs the Flite library"):
        data.synthesize_flite("yes", voice="flite-kal")
    assert data.SyntheticSpeech("train").take(1)[0].audio.size > 0  # espeak-ng alone still works


def test_a_training_run_takes_flite_speech_through_the_data_worker(tmp_path, monkeypatch):
    import torch

    from asrlab import model, train
    from asrlab.data import synthetic

    log = tmp_path / "spoken.txt"
    real = synthetic.synthesize_flite

    def logged(text, **kwargs):  # runs in the data worker, a forked process: log to a file
        with log.open("a") as f:
            f.write(f"{kwargs['voice']}\t{text}\n")
        return real(text, **kwargs)

    monkeypatch.setattr(synthetic, "synthesize_flite", logged)
    before = torch.get_num_threads()
    try:
        result = train.train(
            minutes=None, epochs=1, out=tmp_path / "m.pt", progress=False, workers=1, epoch_size=16, val_size=4,
            batch_size=8, seed=2, flite_share=0.5, flite_voices=("flite-kal16",), curriculum=0,
            model_config=model.ModelConfig(channels=8, d_model=32, hidden=16, layers=1),
        )
    finally:
        torch.set_num_threads(before)
    assert result.steps == 2
    ckpt = torch.load(tmp_path / "m.pt", weights_only=True)
    assert ckpt["train_config"]["flite_share"] == 0.5
    assert tuple(ckpt["train_config"]["flite_voices"]) == ("flite-kal16",)
    spoken = [line.split("\t") for line in log.read_text().splitlines()]
    stream = data.SyntheticSpeech(  # the worker's stream, read here
        "train", seed=2, generated_voices=100, flite_share=0.5, flite_voices=["flite-kal16"], silence_ms=(10, 150),
        pause_share=train.TrainConfig.pause_share, random_order=train.TrainConfig.random_order,
    )
    expected = [[u.voice, u.text] for u in stream.take(len(spoken) * 3) if u.voice == "flite-kal16"]
    assert len(spoken) >= 16 and spoken == expected[: len(spoken)]


def test_a_bank_of_a_slow_voice_holds_what_the_voice_says(tmp_path, monkeypatch):
    monkeypatch.setenv("ASRLAB_CACHE", str(tmp_path))
    assert data.banked_voices()[-3:] == ["flite-awb", "flite-rms", "flite-slt"]
    bank = data.voice_bank("flite-slt", n=4, progress=False)
    assert len(set(bank.pitches)) > 1 and all(25 <= p <= 75 for p in bank.pitches)
    for i, text in enumerate(bank.texts):
        said = data.synthesize_flite(text, voice="flite-slt", rate=int(bank.rates[i]), pitch=int(bank.pitches[i]), pad_ms=0)
        assert np.allclose(bank.utterance(i), said, atol=1.0 / 32767)  # int16 in the bank
    with pytest.raises(ValueError, match=r"^voice: expected one of the voices to bank .*got 'flite-kal'$"):
        data.voice_bank("flite-kal", n=4)  # fast enough to speak live: not banked
