"""Tests for the benchmarks' settings and for how the real-digits benchmark reports several
seeds.  No benchmark is timed here: training is replaced by an untrained model, and the
decoder by one whose answers the test chooses."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

from asrlab import data
from bench import _timing, bench_asr, bench_digits


@pytest.mark.parametrize(
    "text, seeds",
    [("0", (0,)), ("3", (3,)), ("0,2,5", (0, 2, 5)), ("0-5", (0, 1, 2, 3, 4, 5)), ("0-2,7", (0, 1, 2, 7)),
     (" 1, 1 ,2", (1, 2)), ("2,0-3", (2, 0, 1, 3))],
)
def test_seeds_are_read_as_lists_and_ranges_in_order_each_once(text, seeds):
    assert _timing.parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["", "x", "-1", "5-2", "1-", "0,,1", "1.5", "0-x"])
def test_a_bad_seed_list_stops_with_one_line_that_says_what_is_taken(text):
    with pytest.raises(SystemExit) as info:
        _timing.parse_seeds(text)
    assert str(info.value) == f"ASRLAB_BENCH_SEED: expected a seed or seeds such as 0, 0,2,5 or 0-5, got {text!r}"


def test_the_training_budget_comes_from_the_environment(monkeypatch):
    for name in ("ASRLAB_BENCH_MINUTES", "ASRLAB_BENCH_THREADS", "ASRLAB_BENCH_SEED"):
        monkeypatch.delenv(name, raising=False)
    assert _timing.training_budget() == (3.0, 1, (0,))
    assert _timing.training_budget(10.0) == (10.0, 1, (0,))  # bench digits' default
    monkeypatch.setenv("ASRLAB_BENCH_MINUTES", "0.5")
    monkeypatch.setenv("ASRLAB_BENCH_THREADS", "2")
    monkeypatch.setenv("ASRLAB_BENCH_SEED", "1-3")
    assert _timing.training_budget() == (0.5, 2, (1, 2, 3))
    assert _timing.training_budget(10.0) == (0.5, 2, (1, 2, 3))


@pytest.mark.parametrize(
    "name, value, expected",
    [("ASRLAB_BENCH_MINUTES", "soon", "a positive number of minutes, e.g. 3 or 0.5"),
     ("ASRLAB_BENCH_MINUTES", "-2", "a positive number of minutes, e.g. 3 or 0.5"),
     ("ASRLAB_BENCH_MINUTES", "nan", "a positive number of minutes, e.g. 3 or 0.5"),
     ("ASRLAB_BENCH_THREADS", "1.5", "a positive number of threads, e.g. 1"),
     ("ASRLAB_BENCH_THREADS", "0", "a positive number of threads, e.g. 1")],
)
def test_a_bad_budget_stops_with_one_line_naming_the_variable(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as info:
        _timing.training_budget()
    assert str(info.value) == f"{name}: expected {expected}, got {value!r}"


def test_several_seeds_train_one_model_each_and_report_their_mean(tmp_path, monkeypatch):
    from asrlab import model as model_module
    from asrlab import train as train_module

    rec = tmp_path / "recordings"
    rec.mkdir()
    for d in range(10):  # FSDD's layout: one speaker, "zero" to "nine" at 8 kHz
        sf.write(rec / f"{d}_robot_0.wav", data.synthesize(data.DIGITS[d], sr=8000), 8000)
    monkeypatch.setenv("ASRLAB_FSDD", str(tmp_path))
    monkeypatch.setenv("ASRLAB_BENCH_SEED", "4,1,2")
    monkeypatch.setenv("ASRLAB_BENCH_MINUTES", "0.5")
    monkeypatch.setattr(train_module, "TELEPHONE_OPTIONS", {"lowpass_hz": 4000.0, "bank_share": 0.0, "flite_share": 0.0})
    trained, state = [], {}
    untrained = model_module.TinyCTC(model_module.ModelConfig(**train_module.TELEPHONE_MODEL)).eval()

    def fake_train(*, minutes, seed, model_config, **options):
        trained.append((seed, minutes, model_config.n_mels, options["bank_share"]))
        state.update(seed=seed, calls=0)
        return train_module.TrainResult(untrained, {}, 1.0, 1.0, 1, 100 + seed, 1.0)

    right = {4: 4, 1: 9, 2: 6}  # files each seed's greedy decoding gets right (of 10)
    real_decode = model_module.decode

    def chosen_decode(log_probs, **kwargs):
        real_decode(log_probs, **kwargs)  # the real decoder still runs on the real output
        i = state["calls"] % 10
        state["calls"] += 1
        if kwargs:  # beam search with the digit vocabulary: one more right than greedy
            return data.DIGITS[i] if i < right[state["seed"]] + 1 else "oh"
        return data.DIGITS[i] if i < right[state["seed"]] else "oh"

    monkeypatch.setattr(train_module, "train", fake_train)
    monkeypatch.setattr(model_module, "decode", chosen_decode)
    report = bench_digits.run()
    rows = {label: value for label, value, _, _ in report}
    assert trained == [(4, 0.5, 80, 0.0), (1, 0.5, 80, 0.0), (2, 0.5, 80, 0.0)]
    assert rows[f"real spoken digits: FSDD at {tmp_path}"] == "10 files, 1 speaker"
    assert [rows.get(f"training steps in 0.5 min (seed {s})") for s in (4, 1, 2)] == ["104", "101", "102"]
    every = [value for label, value, _, _ in report if label.startswith("digits right")]  # greedy, beam per seed
    assert every == ["40.0%", "50.0%", "90.0%", "100.0%", "60.0%", "70.0%"]
    assert rows["mean of 3 seeds, greedy"] == "63.3% (40-90%, 2 >= 60%)"
    assert rows["mean of 3 seeds, beam 8 + digit vocabulary"] == f"{np.mean([50, 100, 70]):.1f}% (50-100%, 2 >= 60%)"
    assert [value for label, value, _, _ in report if label == "  by speaker, greedy"] == [
        "robot 4/10 (40%)", "robot 9/10 (90%)", "robot 6/10 (60%)",
    ]
    assert [value for label, value, _, _ in report if label == "  by speaker, digit vocabulary"] == [
        "robot 5/10 (50%)", "robot 10/10 (100%)", "robot 7/10 (70%)",
    ]
    # the loss of the right digits, against torch's CTC loss of the same model's output
    audio = [model_module.prepare_audio(rec / f"{d}_robot_0.wav", sr=None, target_sr=16000) for d in range(10)]
    expected = np.mean([
        torch.nn.functional.ctc_loss(
            torch.from_numpy(lp)[:, None, :], torch.tensor([model_module.encode_text(data.DIGITS[d])]),
            torch.tensor([len(lp)]), torch.tensor([len(data.DIGITS[d])]), reduction="sum",
        ).item()
        for d, lp in enumerate(model_module.logits_for(untrained, audio))
    ])
    losses = [value for label, value, _, _ in report if label.startswith("CTC loss of the right digit")]
    assert losses == [f"{expected:.2f}"] * 3
    assert rows["mean of 3 seeds, CTC loss"] == f"{expected:.2f} ({expected:.2f}-{expected:.2f})"


def test_the_debian_recordings_are_copied_in_fsdd_layout_a_package_only_when_complete(tmp_path, monkeypatch):
    system = tmp_path / "usr" / "share"
    (system / "quiet").mkdir(parents=True)
    (system / "chess").mkdir()
    (system / "half").mkdir()
    for d in range(10):
        sf.write(system / "quiet" / f"{d}.au", np.full(800, 0.01 * (d + 1), np.float32), 8000, subtype="ULAW")
    for d in range(1, 9):  # a package that speaks only "one" to "eight"
        sf.write(system / "chess" / f"{d}.wav", np.full(1100, 0.01 * d, np.float32), 11025)
    for d in range(5):  # an incomplete package: left out, not half-copied
        sf.write(system / "half" / f"{d}.wav", np.zeros(800, np.float32), 8000)
    monkeypatch.setattr(bench_digits, "_DEBIAN_SOURCES", {
        "quiet": (str(system / "quiet" / "{d}.au"), range(10)),
        "half": (str(system / "half" / "{d}.wav"), range(10)),
        "chess": (str(system / "chess" / "{d}.wav"), range(1, 9)),
    })
    out = tmp_path / "out"
    assert bench_digits.debian_digits(out) == ["quiet", "chess"]
    entries = data.load_fsdd(out)
    assert sorted((e.path.name, e.text) for e in entries) == sorted(
        [(f"{d}_quiet_0.wav", data.DIGITS[d]) for d in range(10)] + [(f"{d}_chess_0.wav", data.DIGITS[d]) for d in range(1, 9)]
    )
    y, sr = sf.read(out / "recordings" / "7_chess_0.wav", dtype="float32")
    assert sr == 11025 and len(y) == 1100 and np.allclose(y, 0.07, atol=1e-4)
    y, sr = sf.read(out / "recordings" / "2_quiet_0.wav", dtype="float32")
    assert sr == 8000 and len(y) == 800 and np.allclose(y, 0.03, atol=2e-3)  # mu-law, then 16-bit PCM


def test_by_speaker_counts_each_speakers_right_recordings_in_alphabetical_order():
    refs = ["one", "two", "three", "four", "five"]
    hyps = ["one", "to", "three", "four", "fie"]
    speakers = ["jackson", "george", "jackson", "george", "jackson"]
    assert bench_digits.by_speaker(hyps, refs, speakers) == "george 1/2 (50%), jackson 2/3 (67%)"


def test_the_asr_benchmark_names_where_it_trained(monkeypatch):
    assert bench_asr._where("cpu", 1) == "1 thread"
    assert bench_asr._where("cpu", 2) == "2 threads"
    if torch.cuda.is_available():
        assert bench_asr._where("cuda", 1) == f"cuda: {torch.cuda.get_device_name(0)}"
    else:
        with pytest.raises(ValueError, match="no CUDA GPU is available"):
            bench_asr._where("cuda", 1)


def test_the_asr_benchmarks_connected_test_set_is_unpaused_out_of_grammar_speech_of_unheard_voices(monkeypatch):
    monkeypatch.setattr(bench_asr, "TEST_SIZE", 6)
    sets = bench_asr.test_sets()
    assert set(sets) == {"in-grammar", "connected"} and all(len(v) == 6 for v in sets.values())
    heard = set(data.split_voices("train")) | set(data.split_voices("validation"))
    for utterances in sets.values():
        assert not {u.voice for u in utterances} & heard
    assert all(u.word_gap_ms == 0 for u in sets["connected"])
    assert any(u.word_gap_ms > 0 for u in sets["in-grammar"])


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("8", 8), ("2.0", 2)])
def test_an_epoch_budget_replaces_the_minutes_when_set(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("ASRLAB_BENCH_EPOCHS", raising=False)
    else:
        monkeypatch.setenv("ASRLAB_BENCH_EPOCHS", value)
    assert _timing.epoch_budget() == expected


@pytest.mark.parametrize("value", ["0", "2.5", "many", "-1"])
def test_a_bad_epoch_budget_stops_with_one_line(monkeypatch, value):
    monkeypatch.setenv("ASRLAB_BENCH_EPOCHS", value)
    with pytest.raises(SystemExit) as info:
        _timing.epoch_budget()
    assert str(info.value) == f"ASRLAB_BENCH_EPOCHS: expected a positive whole number of epochs, e.g. 8, got {value!r}"


def test_the_asr_benchmark_times_the_training_stream_against_indexing(monkeypatch):
    calls = []
    real_stream = data.SyntheticSpeech.stream

    def counted(self, start=0):
        calls.append(start)
        return real_stream(self, start)

    monkeypatch.setattr(bench_asr, "SPEED_SIZE", 3)
    monkeypatch.setattr(data.SyntheticSpeech, "stream", counted)
    [(label, ours, reference, target)] = bench_asr.synthesis_speed()
    assert label == "training speech: seconds per utterance, stream/indexed" and target == 0.75
    assert calls == [0] * 4  # a warm-up and three timed rounds, each from utterance 0
    assert 0 < ours < 1 and 0 < reference < 1
