"""Tests for asrlab.train: the LR schedule, evaluation against jiwer, and short real
training runs (a few seconds each) on synthetic speech and on an FSDD-layout manifest."""

from __future__ import annotations

import math
import random

import jiwer
import numpy as np
import pytest
import soundfile as sf
import torch
from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

from asrlab import data, model, train
from asrlab.model import ModelConfig, TinyCTC

# A small model keeps every training test at a few seconds on a 2-core CPU.
SMALL = ModelConfig(channels=8, d_model=64, hidden=48, layers=1, dropout=0.0)
# The held-out speech a synthetic run validates on has the training stream's sound.
SOUND = {name: getattr(train.TrainConfig, name) for name in ("silence_ms", "pause_share", "random_order")}


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("schedule", train.SCHEDULES)
def test_lr_schedule_warms_up_then_anneals_to_zero(schedule):
    peak = 3e-3
    assert train.lr_at(0.0, peak=peak, warmup=0.1, schedule=schedule) == pytest.approx(peak * 0.01)
    assert train.lr_at(0.05, peak=peak, warmup=0.1, schedule=schedule) == pytest.approx(peak / 2)
    assert train.lr_at(0.1, peak=peak, warmup=0.1, schedule=schedule) == pytest.approx(peak)
    assert train.lr_at(0.55, peak=peak, warmup=0.1, schedule=schedule) == pytest.approx(peak / 2)
    assert train.lr_at(1.0, peak=peak, warmup=0.1, schedule=schedule) == pytest.approx(0.0, abs=1e-12)
    assert train.lr_at(2.0, peak=peak, warmup=0.1, schedule=schedule) == pytest.approx(0.0, abs=1e-12)
    values = [train.lr_at(p / 100, peak=peak, warmup=0.1, schedule=schedule) for p in range(10, 101)]
    assert all(a >= b for a, b in zip(values, values[1:]))


def test_lr_schedule_is_a_straight_line_by_default_or_half_a_cosine():
    assert train.lr_at(0.3, peak=1.0, warmup=0.0) == pytest.approx(0.7)
    assert train.lr_at(0.3, peak=1.0, warmup=0.0, schedule="cosine") == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.3)))
    assert train.lr_at(0.6, peak=2.0, warmup=0.2) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="^schedule: expected one of 'linear', 'cosine', got 'step'$"):
        train.lr_at(0.5, peak=1.0, warmup=0.0, schedule="step")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"minutes": None, "epochs": None}, "minutes: expected a time budget (minutes) or an epoch budget (epochs), got neither"),
        ({"minutes": -1}, "minutes: expected a positive number of minutes, got -1"),
        ({"epochs": 0}, "epochs: expected a positive integer, got 0"),
        ({"batch_size": 0}, "batch_size: expected a positive integer, got 0"),
        ({"warmup": 1.0}, "warmup: expected a fraction in [0, 1), got 1.0"),
        ({"val_fraction": 0.0}, "val_fraction: expected a fraction in (0, 1), got 0.0"),
        ({"pause_share": 1.5}, "pause_share: expected a share from 0 to 1, got 1.5"),
        ({"random_order": -0.1}, "random_order: expected a share from 0 to 1, got -0.1"),
        ({"random_order": True}, "random_order: expected a share from 0 to 1, got True"),
        ({"flite_share": 0.95}, "flite_share: expected a share from 0 to 0.9, got 0.95"),
        ({"flite_share": True}, "flite_share: expected a share from 0 to 0.9, got True"),
        ({"flite_voices": "flite-kal"}, "flite_voices: expected a list of Flite voice names, got 'flite-kal'"),
        ({"ema_decay": 1.0}, "ema_decay: expected None or a decay in [0, 1), got 1.0"),
        ({"ema_decay": True}, "ema_decay: expected None or a decay in [0, 1), got True"),
        ({"beta1": 1.0}, "beta1: expected a decay in [0, 1), got 1.0"),
        ({"beta1": -0.1}, "beta1: expected a decay in [0, 1), got -0.1"),
        ({"beta2": 1.0}, "beta2: expected a decay in [0, 1), got 1.0"),
        ({"beta2": "0.95"}, "beta2: expected a decay in [0, 1), got '0.95'"),
        ({"schedule": "Linear"}, "schedule: expected one of 'linear', 'cosine', got 'Linear'"),
        ({"schedule": None}, "schedule: expected one of 'linear', 'cosine', got None"),
        ({"clip_norm": 0}, "clip_norm: expected a positive, finite gradient norm, got 0"),
        ({"clip_norm": -1.0}, "clip_norm: expected a positive, finite gradient norm, got -1.0"),
        ({"clip_norm": math.inf}, "clip_norm: expected a positive, finite gradient norm, got inf"),
        ({"clip_norm": math.nan}, "clip_norm: expected a positive, finite gradient norm, got nan"),
        ({"clip_norm": True}, "clip_norm: expected a positive, finite gradient norm, got True"),
    ],
)
def test_train_config_rejects_bad_budgets(kwargs, message):
    with pytest.raises(ValueError) as info:
        train.TrainConfig(**kwargs)
    assert message in str(info.value)


def test_evaluate_matches_jiwer_on_the_models_own_hypotheses():
    torch.manual_seed(0)
    net = TinyCTC(SMALL).eval()
    utts = data.SyntheticSpeech("test", seed=0).take(6)
    examples = [(u.audio, u.text) for u in utts]
    result = train.evaluate(net, examples, batch_size=4)
    refs, hyps = result["references"], result["hypotheses"]
    assert refs == [u.text for u in utts] and result["n"] == 6
    for i, (audio, _) in enumerate(examples):
        assert hyps[i] == model.transcribe(net, audio)
    padded = [h if h else "" for h in hyps]
    assert result["cer"] == pytest.approx(jiwer.cer(refs, padded))
    assert result["wer"] == pytest.approx(jiwer.wer(refs, padded))


def test_pause_sweep_scores_the_same_utterances_at_each_pause_as_jiwer_does():
    pretrained = model.load_pretrained()  # trained with a pause between the words of every utterance
    pauses = [0, 50, 500]
    sweep = train.pause_sweep(pretrained, pauses, n=30)
    assert sweep["pause_ms"] == pauses and len(sweep["cer"]) == len(sweep["hypotheses"]) == 3
    for k, pause in enumerate(pauses):
        utts = data.with_pause(pause).take(30)
        assert sweep["references"] == [u.text for u in utts]
        hyps = sweep["hypotheses"][k]
        assert hyps[:3] == [model.transcribe(pretrained, u.audio) for u in utts[:3]]
        assert sweep["cer"][k] == pytest.approx(jiwer.cer(sweep["references"], hyps))
        assert sweep["wer"][k] == pytest.approx(jiwer.wer(sweep["references"], hyps))
    # what the pause does to a model that always heard pauses of 0-80 ms (at 120-220 words
    # per minute): connected words and long pauses both cost it
    no_pause, usual, long_pause = sweep["cer"]
    assert usual < 0.03 and no_pause > 2 * usual and long_pause > 2 * usual
    with pytest.raises(ValueError, match="pauses_ms: expected a non-empty list of whole milliseconds"):
        train.pause_sweep(pretrained, [12.5])
    with pytest.raises(ValueError, match="pauses_ms"):
        train.pause_sweep(pretrained, [])


def test_a_short_synthetic_run_lowers_the_loss_and_saves_the_best(tmp_path):
    out = tmp_path / "m.pt"
    plot = tmp_path / "curves.png"
    result = train.train(
        minutes=None, epochs=4, out=out, plot=plot, progress=False, model_config=SMALL,
        batch_size=8, epoch_size=48, val_size=8, lr=5e-3, workers=0, seed=1,
    )
    history = result.history
    assert len(history["train loss"]) == 4 and result.steps == 4 * 6
    assert history["train loss"][-1] < history["train loss"][0]
    assert history["lr"][-1] < max(history["lr"])
    assert result.best_cer == min(history["val CER"]) and 1 <= result.best_epoch <= 4
    ckpt = torch.load(out, weights_only=True)
    assert ckpt["val_cer"] == result.best_cer and ckpt["epoch"] == result.best_epoch
    assert ckpt["history"]["train loss"] == history["train loss"]
    assert ckpt["train_config"]["epochs"] == 4 and ckpt["config"]["hidden"] == 48
    assert ckpt["config"]["pad_ms"] == 80.0 and SMALL.pad_ms is None  # the middle of 10-150 ms; a copy
    loaded, _ = model.load_checkpoint(out)
    val = [(u.audio, u.text) for u in data.SyntheticSpeech("validation", seed=1, **SOUND).take(8)]
    assert train.evaluate(loaded, val)["cer"] == pytest.approx(result.best_cer)
    assert plot.stat().st_size > 1000 and plot.read_bytes()[:4] == b"\x89PNG"


def test_the_time_budget_is_respected(tmp_path):
    result = train.train(
        minutes=0.1, progress=False, model_config=SMALL, batch_size=8, epoch_size=24,
        val_size=4, workers=1, seed=2,
    )
    assert result.seconds < 6 + 15  # 6 s budget, plus the last batch and validation
    assert len(result.history["val CER"]) >= 1
    assert result.history["seconds"] == sorted(result.history["seconds"])


def test_early_stopping_ends_a_run_that_stops_improving():
    # A learning rate of 1e-9 cannot change the greedy output: no epoch beats the first.
    result = train.train(
        minutes=None, epochs=6, patience=2, lr=1e-9, progress=False, model_config=SMALL,
        batch_size=4, epoch_size=4, val_size=4, workers=0, seed=4, spec_augment=True,
    )
    assert len(result.history["val CER"]) == 3
    assert result.best_epoch == 1
    assert len(set(result.history["val CER"])) == 1


def test_training_is_reproducible_with_a_seed():
    kwargs = dict(minutes=None, epochs=1, progress=False, model_config=SMALL, batch_size=4,
                  epoch_size=8, val_size=4, workers=0, seed=3)
    a, b = train.train(**kwargs), train.train(**kwargs)
    assert a.history["train loss"] == b.history["train loss"]
    for (name, pa), pb in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0, msg=name)


def test_the_data_worker_sends_features_that_train_exactly_as_the_waves_do():
    settings = train.TrainConfig(seed=5).stream_settings(16000)
    net = TinyCTC(SMALL)
    waves = next(iter(train._SyntheticBatches(settings, batch_size=4, curriculum=0)))
    feats = next(iter(train._SyntheticBatches(settings, batch_size=4, curriculum=0, frontend=model.LogMel(SMALL))))
    assert waves[0].dim() == 2 and feats[0].dim() == 3 and feats[0].shape[1] == SMALL.n_mels
    with torch.no_grad():
        expected, n_frames = net.frontend(waves[0], waves[1])
    torch.testing.assert_close(feats[0], expected, rtol=0, atol=0)
    torch.testing.assert_close(feats[1], n_frames, rtol=0, atol=0)
    assert torch.equal(feats[2], waves[2]) and torch.equal(feats[3], waves[3])
    cfg = train.TrainConfig(minutes=None, epochs=1)
    learners = [train._Learner(cfg, SMALL, torch.device("cpu"), random.Random(0)) for _ in range(2)]
    learners[1].model.load_state_dict(learners[0].model.state_dict())
    assert learners[0].step(waves, 1e-3) == learners[1].step(feats, 1e-3)
    for a, b in zip(learners[0].model.parameters(), learners[1].model.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_several_data_workers_each_synthesise_their_own_share_of_the_stream():
    import itertools

    settings = train.TrainConfig(seed=5, random_order=1.0).stream_settings(16000)
    dataset = train._SyntheticBatches(settings, batch_size=4, curriculum=0)
    pool = train.POOL_BATCHES * 4  # one pool from each worker: utterances 0, 2, 4... and 1, 3, 5...
    batches = list(itertools.islice(train._batch_stream(dataset, 2), 2 * train.POOL_BATCHES))
    heard = sorted(
        tuple(seq.tolist()) for _, _, targets, lengths in batches for seq in torch.split(targets, lengths.tolist())
    )
    speech = data.SyntheticSpeech("train", **settings)
    assert heard == sorted(tuple(model.encode_text(speech[i].text)) for i in range(2 * pool))
    waves = [w[:n].numpy().tobytes() for b in batches for w, n in zip(b[0], b[1])]
    assert len(set(waves)) == len(waves) == 2 * pool  # no utterance twice


def test_a_run_with_a_data_worker_trains_exactly_as_one_without():
    kwargs = dict(minutes=None, epochs=1, progress=False, model_config=SMALL, batch_size=4,
                  epoch_size=8, val_size=4, seed=3)
    a, b = train.train(workers=0, **kwargs), train.train(workers=1, **kwargs)
    assert a.history["train loss"] == b.history["train loss"]
    for (name, pa), pb in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0, msg=name)


def test_the_model_returned_and_saved_is_the_moving_average_of_the_trained_weights(tmp_path):
    """Every optimiser step's weights are recorded by a hook, and the average is computed
    by hand from them: ``avg += (w - avg) * (1 - d)``, with ``d = min(decay, (1 + n) / (10 + n))``
    after ``n`` updates."""
    kwargs = dict(minutes=None, epochs=1, progress=False, model_config=SMALL, batch_size=4,
                  epoch_size=16, val_size=4, workers=0, seed=5, lr=5e-3)
    steps: list[list[torch.Tensor]] = []

    def record(optimiser, args, kw):  # noqa: ANN001
        steps.append([p.detach().clone() for group in optimiser.param_groups for p in group["params"]])

    handle = register_optimizer_step_post_hook(record)
    try:
        averaged = train.train(out=tmp_path / "m.pt", ema_decay=0.998, **kwargs)
        recorded, steps[:] = steps[:], []
        plain = train.train(ema_decay=None, **kwargs)
    finally:
        handle.remove()
    assert len(recorded) == len(steps) == averaged.steps == 4
    for a, b in zip(recorded, steps):  # the average never changes the training itself
        for pa, pb in zip(a, b):
            torch.testing.assert_close(pa, pb, rtol=0, atol=0)
    expected = [w.clone() for w in recorded[0]]
    for n, weights in enumerate(recorded[1:], start=1):
        d = min(0.998, (1 + n) / (10 + n))
        expected = [e + (w - e) * (1 - d) for e, w in zip(expected, weights)]
    for e, got in zip(expected, averaged.model.parameters()):
        torch.testing.assert_close(got.detach(), e, rtol=1e-6, atol=1e-7)
    assert any(not torch.equal(a.detach(), b.detach()) for a, b in zip(averaged.model.parameters(), plain.model.parameters()))
    for (name, p), w in zip(plain.model.named_parameters(), steps[-1]):  # without it: the last weights
        torch.testing.assert_close(p.detach(), w, rtol=0, atol=0, msg=name)
    saved, _ = model.load_checkpoint(tmp_path / "m.pt")
    for p, e in zip(saved.parameters(), expected):
        torch.testing.assert_close(p.detach(), e, rtol=1e-6, atol=1e-7)


def test_each_step_is_adamws_update_of_the_clipped_gradients_to_rounding():
    """The optimiser (fused, one kernel for all the parameters) moves the weights as the
    textbook loop of ``torch.optim.AdamW`` does from the same clipped gradients."""
    cfg = train.TrainConfig(batch_size=4, lr=3e-3)
    learner = train._Learner(cfg, SMALL, torch.device("cpu"), random.Random(0))
    reference = [p.detach().clone().requires_grad_(True) for p in learner.model.parameters()]
    textbook = torch.optim.AdamW(reference, lr=cfg.lr, weight_decay=cfg.weight_decay,
                                 betas=(cfg.beta1, cfg.beta2), foreach=False, fused=False)
    grads: list[list[torch.Tensor]] = []

    def record(optimiser, args, kw):  # noqa: ANN001
        if optimiser is learner.optimiser:
            grads.append([p.grad.clone() for g in optimiser.param_groups for p in g["params"]])

    handle = register_optimizer_step_pre_hook(record)
    initial = [p.detach().clone() for p in reference]
    speech = data.SyntheticSpeech("train", max_words=2, **SOUND).take(12)
    try:
        for k in range(3):
            batch = train._collate([(u.audio, u.text) for u in speech[4 * k: 4 * k + 4]])
            learner.step(batch, lr=2e-3)
            for p, g in zip(reference, grads[-1]):
                p.grad = g
            for group in textbook.param_groups:
                group["lr"] = 2e-3
            textbook.step()
            for (name, ours), theirs in zip(learner.model.named_parameters(), reference):
                torch.testing.assert_close(ours.detach(), theirs.detach(), rtol=1e-5, atol=1e-6, msg=name)
    finally:
        handle.remove()
    assert len(grads) == 3
    assert all(not torch.equal(p.detach(), q) for p, q in zip(learner.model.parameters(), initial))


def test_beta1_and_beta2_are_adamws_decays_and_are_stored(tmp_path):
    kwargs = dict(minutes=None, epochs=1, progress=False, model_config=SMALL, batch_size=4,
                  epoch_size=8, val_size=4, workers=0, seed=3, ema_decay=None)
    betas: list[tuple[float, float]] = []
    handle = register_optimizer_step_post_hook(lambda opt, args, kw: betas.extend(g["betas"] for g in opt.param_groups))
    try:
        default = train.train(out=tmp_path / "m.pt", **kwargs)
        seen_default, betas[:] = set(betas), []
        pytorch = train.train(beta1=0.9, beta2=0.999, **kwargs)
    finally:
        handle.remove()
    assert seen_default == {(0.7, 0.95)} and set(betas) == {(0.9, 0.999)}
    assert (train.TELEPHONE_OPTIONS["beta1"], train.TELEPHONE_OPTIONS["beta2"]) == (0.9, 0.999)
    assert any(not torch.equal(a, b) for a, b in zip(default.model.parameters(), pytorch.model.parameters()))
    stored = torch.load(tmp_path / "m.pt", weights_only=True)["train_config"]
    assert (stored["beta1"], stored["beta2"]) == (0.7, 0.95)


def _norm_of_gradients(optimiser: torch.optim.Optimizer) -> float:
    grads = [p.grad for g in optimiser.param_groups for p in g["params"] if p.grad is not None]
    return float(torch.nn.utils.get_total_norm(grads))


def test_each_step_applies_gradients_clipped_at_the_norm_which_is_stored(tmp_path):
    kwargs = dict(minutes=None, epochs=1, progress=False, model_config=SMALL, batch_size=4,
                  epoch_size=24, val_size=4, workers=0, seed=3, ema_decay=None)
    norms: list[float] = []
    handle = register_optimizer_step_pre_hook(lambda opt, args, kw: norms.append(_norm_of_gradients(opt)))
    try:
        default = train.train(out=tmp_path / "m.pt", **kwargs)
        seen = {"default": norms[:]}
        for clip in (5.0, 1e-3):
            norms[:] = []
            train.train(clip_norm=clip, **kwargs)
            seen[clip] = norms[:]
    finally:
        handle.remove()
    assert default.steps == 6 and all(len(n) == 6 for n in seen.values())
    # a fresh model's gradients are larger than 0.5: the default clips them to exactly 0.5
    assert max(seen[5.0]) > 0.5 and max(seen[5.0]) <= 5.0 + 1e-4
    assert max(seen["default"]) == pytest.approx(0.5, rel=1e-4) and all(n <= 0.5 + 1e-4 for n in seen["default"])
    assert seen[1e-3] == pytest.approx([1e-3] * 6, rel=1e-4)
    assert torch.load(tmp_path / "m.pt", weights_only=True)["train_config"]["clip_norm"] == 0.5
    assert train.TELEPHONE_OPTIONS["clip_norm"] == 5.0


@pytest.mark.parametrize("schedule", [None, "cosine"])
def test_each_step_takes_the_learning_rate_of_its_schedule_which_is_stored(tmp_path, schedule):
    chosen = {} if schedule is None else {"schedule": schedule}
    lrs: list[float] = []
    handle = register_optimizer_step_post_hook(lambda opt, args, kw: lrs.extend(g["lr"] for g in opt.param_groups))
    try:
        train.train(minutes=None, epochs=1, out=tmp_path / "m.pt", progress=False, model_config=SMALL, batch_size=4,
                    epoch_size=24, val_size=4, workers=0, seed=3, lr=2e-3, warmup=0.2, **chosen)
    finally:
        handle.remove()
    shape = schedule or "linear"
    # six steps: the warm-up takes progress 0 and 1/6; then q = (k/6 - 0.2) / 0.8 of the fall
    falls = [(k / 6 - 0.2) / 0.8 for k in range(2, 6)]
    after = [1 - q for q in falls] if shape == "linear" else [0.5 * (1 + math.cos(math.pi * q)) for q in falls]
    assert lrs == pytest.approx([2e-3 * f for f in [0.01, 5 / 6, *after]])
    assert torch.load(tmp_path / "m.pt", weights_only=True)["train_config"]["schedule"] == shape
    assert train.TELEPHONE_OPTIONS["schedule"] == "cosine"


def test_connected_speech_and_random_order_change_the_training_data_and_are_stored(tmp_path):
    kwargs = dict(minutes=None, epochs=1, progress=False, model_config=SMALL, batch_size=4,
                  epoch_size=8, val_size=4, workers=0, seed=3, curriculum=0)
    grammar = train.train(pause_share=1.0, random_order=0.0, **kwargs)
    connected = dict(pause_share=0.0, random_order=1.0)
    a = train.train(**kwargs, **connected, out=tmp_path / "a.pt")
    b = train.train(**kwargs, **connected)
    assert a.history["train loss"] == b.history["train loss"]
    assert a.history["train loss"] != grammar.history["train loss"]
    stored = torch.load(tmp_path / "a.pt", weights_only=True)["train_config"]
    assert stored["pause_share"] == 0.0 and stored["random_order"] == 1.0
    assert "speed" not in stored and "vtlp" not in stored


@pytest.fixture(scope="module")
def fsdd_tree(tmp_path_factory):
    """An FSDD-layout corpus: recordings/<digit>_<speaker>_<index>.wav at 8 kHz."""
    root = tmp_path_factory.mktemp("fsdd")
    speakers = {"alex": "en-us+m3", "bea": "en-gb+f2", "carl": "en-gb-scotland+m1"}
    for speaker, voice in speakers.items():
        for digit in range(4):
            for index in range(2):
                y = data.synthesize(data.DIGITS[digit], voice=voice, rate=150 + 20 * index, sr=8000, pad_ms=80)
                path = root / "recordings" / f"{digit}_{speaker}_{index}.wav"
                path.parent.mkdir(exist_ok=True)
                sf.write(path, y, 8000, subtype="PCM_16")
    (root / "recordings" / "9_broken_0.wav").write_bytes(b"RIFF but not really audio")
    return root


def test_training_on_an_fsdd_manifest_works_unchanged(fsdd_tree, tmp_path):
    manifest = tmp_path / "fsdd.tsv"
    entries = data.load_fsdd(fsdd_tree, manifest=manifest)
    assert len(entries) == 25
    result = train.train(
        minutes=None, epochs=3, data=manifest, progress=False, model_config=ModelConfig(**{**SMALL.__dict__, "fmax": 4000.0}),
        batch_size=8, lr=5e-3, seed=0, out=tmp_path / "fsdd.pt",
    )
    assert len(result.problems) == 1 and "9_broken_0.wav" in result.problems[0]
    assert result.steps == 3 * math.ceil(22 / 8)  # 24 readable, 2 held out for validation
    assert result.history["train loss"][-1] < result.history["train loss"][0]
    loaded, ckpt = model.load_checkpoint(tmp_path / "fsdd.pt")
    assert ckpt["config"]["fmax"] == 4000.0
    assert ckpt["config"]["pad_ms"] is None  # a corpus's own silence: nothing to match
    text = model.transcribe(loaded, entries[0].path)
    assert set(text) <= set(model.ALPHABET[1:])


def test_training_rejects_a_manifest_without_audio(tmp_path):
    manifest = tmp_path / "m.tsv"
    manifest.write_text("missing.wav\tyes\n")
    with pytest.raises(ValueError) as err:
        train.train(minutes=None, epochs=1, data=manifest, progress=False, model_config=SMALL)
    assert str(err.value) == (  # what is wrong with each line, not only how many
        f"data: expected readable training audio, got none:\n  {manifest}:1: audio file not found: '{tmp_path / 'missing.wav'}'"
    )
    manifest.write_text("".join(f"missing{i}.wav\tyes\n" for i in range(8)) + "no tab\n")
    with pytest.raises(ValueError) as err:
        train.train(minutes=None, epochs=1, data=manifest, progress=False, model_config=SMALL)
    assert str(err.value).split("\n") == [  # the first five, in the manifest's order, then a count
        "data: expected readable training audio, got none:",
        *(f"  {manifest}:{i + 1}: audio file not found: '{tmp_path / f'missing{i}.wav'}'" for i in range(5)),
        "  ... and 4 more",
    ]


def test_load_manifest_audio_resamples_and_reports_bad_files(tmp_path):
    good = tmp_path / "good.wav"
    sf.write(good, np.stack([np.full(800, 0.1), np.full(800, 0.3)]).T, 8000)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"nope")
    entries = [data.ManifestEntry(good, "yes"), data.ManifestEntry(bad, "no"), data.ManifestEntry(good, "caf\u00e9")]
    examples, problems = train.load_manifest_audio(entries, sr=16000, progress=False)
    assert len(examples) == 1 and examples[0][1] == "yes"
    assert len(examples[0][0]) == 1600
    np.testing.assert_allclose(examples[0][0][100:-100], 0.2, atol=2e-3)
    assert len(problems) == 2
    assert problems[0].startswith(f"{bad}: path: expected a readable audio file")
    assert "text: expected only characters of the alphabet" in problems[1]


def test_synthetic_validation_speech_has_the_training_band_silence_and_connectedness(monkeypatch):
    made = []
    original = data.SyntheticSpeech

    def recording(split, **kwargs):
        made.append((split, kwargs))
        return original(split, **kwargs)

    monkeypatch.setattr(data, "SyntheticSpeech", recording)
    train.train(
        minutes=None, epochs=1, progress=False, model_config=SMALL, batch_size=4, epoch_size=4,
        val_size=2, workers=0, seed=5, lowpass_hz=4000.0, silence_ms=(0, 100), pause_share=0.5, random_order=0.25,
    )
    sound = {"lowpass_hz": 4000.0, "silence_ms": (0, 100), "pause_share": 0.5, "random_order": 0.25}
    held_out = [kwargs for split, kwargs in made if split == "validation"]
    assert held_out and all(k[name] == value for k in held_out for name, value in sound.items())
    training = [kwargs for split, kwargs in made if split == "train"]
    assert training and all(k[name] == value for k in training for name, value in sound.items())


@pytest.mark.parametrize(("options", "pad_ms", "expected"), [
    ({"silence_ms": (0, 300)}, None, 150.0),  # the --telephone silence
    ({}, 25.0, 25.0),  # the caller's choice stays
])
def test_a_synthetic_run_trims_what_it_hears_to_its_training_silence(tmp_path, options, pad_ms, expected):
    config = ModelConfig(**{**SMALL.__dict__, "pad_ms": pad_ms})
    result = train.train(
        minutes=None, epochs=1, progress=False, model_config=config, batch_size=4, epoch_size=4, val_size=2,
        workers=0, seed=5, out=tmp_path / "m.pt", **options,
    )
    assert result.model.config.pad_ms == expected
    assert model.load_checkpoint(tmp_path / "m.pt")[0].config.pad_ms == expected


@pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason="no CUDA GPU here (torch.cuda.is_available() is False; the default install is PyTorch's CPU build)",
)
def test_training_runs_on_a_cuda_gpu_when_there_is_one(tmp_path):
    result = train.train(
        minutes=None, epochs=2, progress=False, model_config=SMALL, batch_size=4, epoch_size=8, val_size=4,
        workers=0, seed=3, device="cuda", out=tmp_path / "gpu.pt",
    )
    assert result.steps == 4 and all(math.isfinite(v) for v in result.history["train loss"])
    assert next(result.model.parameters()).device.type == "cuda"
    loaded, _ = model.load_checkpoint(tmp_path / "gpu.pt")  # a GPU checkpoint loads on the CPU
    assert next(loaded.parameters()).device.type == "cpu"
    val = [(u.audio, u.text) for u in data.SyntheticSpeech("validation", seed=3, **SOUND).take(4)]
    assert train.evaluate(loaded, val)["cer"] == pytest.approx(result.best_cer)
