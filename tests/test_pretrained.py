"""The pretrained recogniser shipped in the package: it loads, it hears, and the export
that makes it keeps the model's outputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from asrlab import metrics
from asrlab.data import synthesize
from asrlab.model import (
    PRETRAINED,
    TinyCTC,
    export_pretrained,
    load_checkpoint,
    load_pretrained,
    logits_for,
    save_checkpoint,
    transcribe,
)

PHRASES = ["go left", "yes", "turn the radio on", "stop", "set the alarm for seven"]


def test_pretrained_file_ships_small():
    assert PRETRAINED.is_file()
    assert PRETRAINED.stat().st_size < 2_000_000


@pytest.fixture(scope="module")
def pretrained():
    return load_pretrained()


def test_pretrained_hears_course_phrases(pretrained):
    heard = [transcribe(pretrained, synthesize(p, voice="en-us", sr=16_000)) for p in PHRASES]
    assert metrics.cer(PHRASES, heard) < 0.1, heard
    constrained = [
        transcribe(pretrained, synthesize(p, voice="en-us", sr=16_000), vocabulary=sorted(set(" ".join(PHRASES).split())))
        for p in PHRASES
    ]
    assert constrained == PHRASES


def test_pretrained_is_a_float32_model_in_eval_mode(pretrained):
    assert isinstance(pretrained, TinyCTC)
    assert not pretrained.training
    assert {p.dtype for p in pretrained.parameters()} == {torch.float32}


def test_export_keeps_outputs_and_metadata(tmp_path):
    torch.manual_seed(0)
    model = TinyCTC().eval()
    src = save_checkpoint(model, tmp_path / "full.pt", val_cer=0.125, steps=42, history={"loss": [1.0]},
                          train_config={"seed": 7})
    dst = export_pretrained(src, tmp_path / "small.pt")
    small, ckpt = load_checkpoint(dst)
    assert ckpt["val_cer"] == 0.125 and ckpt["steps"] == 42 and ckpt["seed"] == 7
    assert "history" not in ckpt
    assert dst.stat().st_size < 0.6 * src.stat().st_size
    y = synthesize("go", sr=16_000)
    (a,), (b,) = logits_for(model, [y]), logits_for(small, [y])
    np.testing.assert_allclose(a, b, atol=0.05)
    assert {p.dtype for p in model.parameters()} == {torch.float32}, "the exported model itself stays float32"
