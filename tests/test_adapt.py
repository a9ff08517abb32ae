"""Speaker adaptation: a few takes of an unusual voice make the model hear that voice
better, the base model is left alone, and bad takes or settings get precise errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from asrlab.adapt import AdaptConfig, adapt
from asrlab.audio import save
from asrlab.cli import main
from asrlab.data import speed_perturb, synthesize
from asrlab.model import load_checkpoint, load_pretrained, logits_for
from asrlab.train import evaluate

WORDS = ["yes", "no", "up", "down", "left", "right"]


def _odd_voice(text: str, take: int) -> np.ndarray:
    """A speaker the pretrained model has never heard: high, slow, and muffled."""
    y = synthesize(text, voice="en-gb+f3", rate=120 + 15 * take, pitch=90, sr=16_000)
    y = speed_perturb(y, factor=0.8)
    from scipy.signal import butter, sosfilt

    return sosfilt(butter(4, 1800, fs=16_000, output="sos"), y).astype(np.float32)


@pytest.fixture(scope="module")
def base():
    return load_pretrained()


@pytest.fixture(scope="module")
def voice():
    takes = [(_odd_voice(w, t), w) for w in WORDS for t in (0, 1)]
    tests = [(_odd_voice(w, 2), w) for w in WORDS]
    return takes, tests


def _mean_ctc_loss(model, examples) -> float:
    from asrlab.model import encode_text

    losses = []
    for (y, text), lp in zip(examples, logits_for(model, [y for y, _ in examples])):
        target = torch.tensor([encode_text(text)])
        loss = torch.nn.functional.ctc_loss(
            torch.from_numpy(lp)[:, None, :], target, torch.tensor([len(lp)]), torch.tensor([target.shape[1]]),
            reduction="sum",
        )
        losses.append(float(loss))
    return float(np.mean(losses))


def test_adapting_on_a_few_takes_lowers_the_loss_on_other_takes_of_that_voice(base, voice):
    takes, tests = voice
    before = _mean_ctc_loss(base, tests)
    result = adapt(base, takes, steps=30, minutes=None, seed=0)
    after = _mean_ctc_loss(result.model, tests)
    assert result.steps == 30 and len(result.losses) == 30
    assert after < 0.6 * before, (before, after)
    assert evaluate(result.model, tests)["cer"] <= evaluate(base, tests)["cer"]
    assert not result.model.training


def test_the_base_model_is_not_changed(base, voice):
    takes, _ = voice
    weights = {k: v.clone() for k, v in base.state_dict().items()}
    adapt(base, takes[:4], steps=3, minutes=None)
    for k, v in base.state_dict().items():
        assert torch.equal(v, weights[k]), k


def test_the_same_seed_gives_the_same_model(base, voice):
    takes, _ = voice
    a = adapt(base, takes[:4], steps=3, minutes=None, seed=5)
    b = adapt(base, takes[:4], steps=3, minutes=None, seed=5)
    assert a.losses == b.losses
    for (k, va), vb in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        assert torch.equal(va, vb), k


def test_the_adapted_checkpoint_loads_and_gives_the_same_outputs(base, voice, tmp_path):
    takes, tests = voice
    result = adapt(base, takes[:4], steps=3, minutes=None, out=tmp_path / "mine.pt")
    loaded, ckpt = load_checkpoint(result.path)
    assert ckpt["adapted_steps"] == 3 and ckpt["adapted_examples"] == 4
    (a,), (b,) = logits_for(result.model, [tests[0][0]]), logits_for(loaded, [tests[0][0]])
    np.testing.assert_allclose(a, b, atol=1e-5)


@pytest.mark.parametrize(
    "examples,error,message",
    [
        ([], ValueError, "examples: expected at least one (audio, transcript) pair or a manifest path, got none"),
        ([np.zeros(160, np.float32)], TypeError, "examples[0]: expected an (audio, transcript) pair, got ndarray"),
        ([(np.zeros(160, np.float32), "  ")], ValueError, "examples[0]: the transcript is empty"),
        ([(np.zeros(160, np.float32), "café")], ValueError, "text: "),
        ([(np.array([0.0, np.nan], np.float32), "go")], ValueError, "audio: "),
    ],
)
def test_bad_takes_get_precise_errors(base, examples, error, message):
    with pytest.raises(error) as info:
        adapt(base, examples, steps=1, minutes=None)
    assert str(info.value).startswith(message), str(info.value)


@pytest.mark.parametrize(
    "options,message",
    [
        ({"minutes": None}, "minutes/steps: expected a budget, got neither"),
        ({"minutes": 0}, "minutes: expected more than 0 and at most 120, got 0"),
        ({"lr": 2.0}, "lr: expected a learning rate between 0 and 1, got 2.0"),
        ({"ema_decay": 1.0}, "ema_decay: expected a decay from 0 to below 1, got 1.0"),
        ({"speed": (1.2, 0.9)}, "speed: expected (low, high) with 0.5 <= low <= high <= 2, got (1.2, 0.9)"),
    ],
)
def test_bad_settings_get_precise_errors(options, message):
    with pytest.raises(ValueError) as info:
        AdaptConfig(**options)
    assert str(info.value).startswith(message), str(info.value)


def test_the_cli_adapts_from_a_manifest_and_the_result_transcribes(base, voice, tmp_path, capsys):
    from asrlab.model import PRETRAINED

    takes, tests = voice
    lines = []
    for i, (y, text) in enumerate(takes[:6]):
        path = save(tmp_path / f"take{i}.wav", y, sr=16_000)
        lines.append(f"{path}\t{text}")
    lines.append(f"{tmp_path / 'missing.wav'}\tgo")
    manifest = tmp_path / "takes.tsv"
    manifest.write_text("\n".join(lines) + "\n")
    out = tmp_path / "adapted.pt"
    status = main(["adapt", str(PRETRAINED), "--data", str(manifest), "--out", str(out), "--steps", "2", "--quiet"])
    captured = capsys.readouterr()
    assert status == 1, "one manifest line names a missing file"
    assert "missing.wav" in captured.err and captured.err.startswith("asrlab adapt: ")
    assert captured.out.startswith("adapted on 6 takes: 2 steps in ")
    test_file = save(tmp_path / "test.wav", tests[0][0], sr=16_000)
    assert main(["transcribe", str(out), str(test_file)]) == 0
    assert capsys.readouterr().out.startswith(f"{test_file}\t")


def test_the_cli_says_what_is_wrong_with_a_missing_manifest(tmp_path, capsys):
    from asrlab.model import PRETRAINED

    status = main(["adapt", str(PRETRAINED), "--data", str(tmp_path / "none.tsv"), "--out", str(tmp_path / "x.pt")])
    assert status == 1
    assert capsys.readouterr().err.startswith("asrlab adapt: ")
    assert not (tmp_path / "x.pt").exists()
