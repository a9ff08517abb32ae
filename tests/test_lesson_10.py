"""Lesson 10 (train a tiny CTC recogniser): the references behind its exercises, checked
against torch, asrlab.ctc, librosa and jiwer; the training step and its over-fit test
(``asrlab.step``); the public and hidden cases' properties and the learner-facing feedback;
the notebook's inputs against the exercise definitions; and the ``grading-skip`` tag that
keeps training out of the grader."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import jiwer
import nbformat
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import asrlab.ctc
import asrlab.data
import asrlab.step
import asrlab.features
import asrlab.model
from autograder.exercise import Case
from autograder.exercises import l10, registry
from autograder.grading import grade
from autograder.grading.notebooks import GRADING_SKIP_TAG, load_lesson

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / f"{l10.LESSON}.ipynb"
STUDENT = ROOT / "lessons" / f"{l10.LESSON}.ipynb"


def _cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _cell(cell_id: str) -> str:
    [cell] = [c for c in _cells() if c.get("id") == cell_id]
    return "".join(cell["source"])


def _run_cell(cell_id: str) -> dict:
    namespace = {"np": np, "asrlab": asrlab, "SR": 16_000, "display": lambda *a, **k: None, "Audio": lambda *a, **k: None}
    exec(compile(_cell(cell_id), cell_id, "exec"), namespace)  # noqa: S102 - the course's own notebook
    return namespace


# ---------------------------------------------------------------------------
# the exercise references


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 300), min_size=1, max_size=6), st.integers(0, 2**31))
def test_pad_reference_equals_torch_pad_sequence(sizes: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    signals = [rng.normal(size=n).astype(np.float32) for n in sizes]
    batch, lengths = l10._pad_ref(signals)
    expected = torch.nn.utils.rnn.pad_sequence([torch.from_numpy(s) for s in signals], batch_first=True)
    assert batch.dtype == np.float32 and lengths.dtype == np.int64
    np.testing.assert_array_equal(batch, expected.numpy())
    np.testing.assert_array_equal(lengths, sizes)


def test_pad_hand_computed_case() -> None:
    batch, lengths = l10._pad_ref(l10.pad_public_signals())
    np.testing.assert_array_equal(lengths, [4, 5, 2])
    np.testing.assert_allclose(batch[0], [0.5, 0.5, -0.5, -0.5, 0])
    np.testing.assert_allclose(batch[2], [-1, 1, 0, 0, 0])


def _pad_first_signal_width(signals: list) -> tuple[np.ndarray, np.ndarray]:
    """The plausible wrong answer ``n_max = len(signals[0])``."""
    batch = np.zeros((len(signals), len(signals[0])), dtype=np.float32)
    for i, s in enumerate(signals):
        batch[i, : len(s)] = s
    return batch, np.array([len(s) for s in signals], dtype=np.int64)


def test_pad_public_case_exposes_the_width_of_the_first_signal() -> None:
    """The longest signal is not first, publicly or in the hidden cases, so an answer that
    takes the first signal's length fails the check the learner sees, not only grading."""
    ex = registry()["l10-pad-batch"]
    with pytest.raises(ValueError, match="broadcast"):
        _pad_first_signal_width(l10.pad_public_signals())
    hidden = ex.hidden_cases(np.random.default_rng(3))
    longest_later = [c for c in hidden if int(np.argmax([len(s) for s in c.args[0]])) > 0]
    assert len(longest_later) >= 3
    assert any(int(np.argmax([len(s) for s in c.args[0]])) == len(c.args[0]) - 1 for c in longest_later)
    silent = [c for c in hidden if any(len(s) and not np.any(s) for s in c.args[0])]
    assert silent, "a hidden case has a signal of exact zeros (lengths cannot be counted from the samples)"


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40_000), st.sampled_from([80, 128, 160, 256]))
def test_output_lengths_equal_a_real_stft_and_real_convolutions(n: int, hop: int) -> None:
    frames, out = l10._out_len_ref(np.array([n]), hop)
    y = np.random.default_rng(n).normal(size=n)
    assert asrlab.features.stft(y, n_fft=2 * hop, hop_length=hop).shape[1] == frames[0]
    conv = torch.nn.Conv1d(1, 1, kernel_size=3, stride=2, padding=1)
    x = torch.zeros(1, 1, int(frames[0]))
    assert conv(conv(x)).shape[-1] == out[0]
    # the learner's formula (the mistake helper without a mistake) is the same
    mine = l10._out_len(np.array([n]), hop)
    assert mine[0][0] == frames[0] and mine[1][0] == out[0]


def test_output_lengths_hand_computed() -> None:
    frames, out = l10._out_len_ref(l10.OUT_LEN_SAMPLES, 160)
    assert frames.tolist() == [101, 151, 50, 79, 3]
    assert out.tolist() == [26, 38, 13, 20, 1]          # 101 -> 51 -> 26; 50 -> 25 -> 13


def _ctc_by_hand(log_probs: np.ndarray, out_lengths: np.ndarray, texts: list[str]) -> float:
    """torch's reduction="mean" with zero_infinity, from asrlab's own forward recursion."""
    per_label = []
    for lp, t, text in zip(log_probs, out_lengths, texts):
        ids = asrlab.model.encode_text(text)
        if asrlab.ctc.required_frames(ids) > t:
            per_label.append(0.0)                       # zero_infinity
        else:
            per_label.append(asrlab.ctc.ctc_loss(lp[:t].astype(np.float64), ids, blank=0) / len(ids))
    return float(np.mean(per_label))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 5))
def test_ctc_reference_equals_asrlab_forward_recursion(seed: int, batch: int) -> None:
    rng = np.random.default_rng(seed)
    texts = [asrlab.data.random_transcript(rng) for _ in range(batch)]
    t_max = max(2 * len(t) for t in texts)
    lengths = rng.integers(1, t_max + 1, size=batch)
    lengths[0] = t_max
    lp = l10.random_log_probs(rng, batch, t_max)
    assert l10._ctc_ref(lp, lengths, texts) == pytest.approx(_ctc_by_hand(lp, lengths, texts), rel=1e-4)


def test_ctc_public_case_has_one_impossible_utterance() -> None:
    case = l10.ctc_public()
    need = [asrlab.ctc.required_frames(asrlab.model.encode_text(t)) for t in case["texts"]]
    assert need == [5, 3, 4]
    assert (np.array(need) > case["out_lengths"]).tolist() == [False, False, True]
    assert np.isfinite(l10._ctc_ref(**case))
    assert l10._ctc_with(**case, zero_infinity=False) == float("inf")


def test_decode_public_case_by_hand() -> None:
    lps, refs = l10.decode_public()
    assert [l10._greedy(lp) for lp in lps] == ["three for", "go left", "call one two", "turnoff"]
    assert l10._decode_ref(lps, refs) == {"cer": pytest.approx(2 / 37), "wer": pytest.approx(3 / 9)}


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 6), st.floats(0.0, 0.6))
def test_decode_reference_equals_jiwer(seed: int, n: int, error_rate: float) -> None:
    rng = np.random.default_rng(seed)
    refs = [asrlab.data.random_transcript(rng) for _ in range(n)]
    lps = [l10.path_log_probs(l10._noisy_path(r, rng, error_rate=error_rate), seed=i) for i, r in enumerate(refs)]
    hyps = [" ".join(asrlab.ctc.greedy_decode(lp, alphabet=l10.ALPHABET).split()) for lp in lps]
    got = l10._decode_ref(lps, refs)
    assert got["wer"] == pytest.approx(jiwer.wer(refs, hyps))
    assert got["cer"] == pytest.approx(jiwer.cer(refs, hyps))
    # the learner's collapse order (the mistake helper without a mistake) decodes the same
    assert [l10._greedy(lp) for lp in lps] == hyps


def test_path_log_probs_are_log_probabilities_peaked_on_the_path() -> None:
    lp = l10.path_log_probs("_ab_ ", seed=0)
    np.testing.assert_allclose(np.exp(lp).sum(axis=1), 1.0, rtol=1e-5)
    assert "".join(l10.ALPHABET[k] for k in lp.argmax(axis=1)) == "_ab_ "


def test_alphabet_is_the_models() -> None:
    assert l10.ALPHABET == asrlab.model.ALPHABET and asrlab.model.BLANK == 0


# ---------------------------------------------------------------------------
# the training step (asrlab.step) and its exercise


def _hand_step(model, optimiser, waves, lengths, texts) -> float:  # noqa: ANN001
    """The loop body of asrlab.train.train on the CPU, written out."""
    log_probs, out_lengths = model(waves, lengths)
    ids = [asrlab.model.encode_text(t) for t in texts]
    loss = torch.nn.functional.ctc_loss(
        log_probs.permute(1, 0, 2), torch.cat([torch.tensor(i) for i in ids]), out_lengths,
        torch.tensor([len(i) for i in ids]), blank=0, reduction="mean", zero_infinity=True,
    )
    optimiser.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    optimiser.step()
    return float(loss.detach())


@pytest.fixture(scope="module")
def step_public() -> dict:
    return l10.step_batch(l10.STEP_PUBLIC)


def test_train_step_equals_the_training_loop_written_out(step_public: dict) -> None:
    mine = asrlab.step.overfit(_hand_step, step_public["step_waves"], step_public["step_texts"], steps=4)
    assert l10._step_ref(**step_public) == mine


def test_overfit_losses_fall_and_are_reproducible(step_public: dict) -> None:
    losses = l10._step_ref(**step_public)
    assert len(losses) == l10.STEP_COUNT and all(type(x) is float for x in losses)
    assert all(b < a for a, b in zip(losses, losses[1:])), losses
    assert l10._step_ref(**step_public) == losses


def test_overfit_restores_the_thread_count_and_rejects_bad_input(step_public: dict) -> None:
    before = torch.get_num_threads()
    waves, texts = step_public["step_waves"], step_public["step_texts"]
    asrlab.step.overfit(asrlab.step.train_step, waves, texts, steps=1)
    assert torch.get_num_threads() == before

    def tensor_step(*args):  # noqa: ANN002, ANN202
        asrlab.step.train_step(*args)
        return torch.tensor(1.0)

    with pytest.raises(TypeError, match="Python float"):
        asrlab.step.overfit(tensor_step, waves, texts, steps=1)
    with pytest.raises(ValueError, match="one transcript per signal"):
        asrlab.step.overfit(asrlab.step.train_step, waves, texts[:2])
    with pytest.raises(ValueError, match="steps"):
        asrlab.step.overfit(asrlab.step.train_step, waves, texts, steps=0)


def test_step_public_case_shows_every_mistake_the_hidden_cases_catch(step_public: dict) -> None:
    """One recording is too fast for its transcript (zero_infinity matters), one is longer than
    the first (padding matters), and the gradient is clipped (clipping matters): every
    recognised mistake already fails the public case."""
    need = [asrlab.ctc.required_frames(asrlab.model.encode_text(t)) for t in step_public["step_texts"]]
    frames = [int(asrlab.model.output_lengths(asrlab.model.frame_lengths(len(y)))) for y in step_public["step_waves"]]
    assert any(n > f for n, f in zip(need, frames)) and any(n <= f for n, f in zip(need, frames))
    assert int(np.argmax([len(y) for y in step_public["step_waves"]])) > 0
    ex = registry()["l10-train-step"]
    for mistake in ex.mistakes:
        verdict, hint = ex.judge(ex.public[0], mistake.fn(**step_public))
        assert not verdict and hint == mistake.hint, mistake.name


@pytest.mark.parametrize("seed", [0, 1])
def test_step_hidden_cases_cover_one_recording_no_padding_and_an_impossible_one(seed: int) -> None:
    hidden = registry()["l10-train-step"].hidden_cases(np.random.default_rng(seed))

    def impossible(case: Case) -> list[bool]:
        return [
            asrlab.ctc.required_frames(asrlab.model.encode_text(t))
            > int(asrlab.model.output_lengths(asrlab.model.frame_lengths(len(y))))
            for y, t in zip(case.kwargs["step_waves"], case.kwargs["step_texts"])
        ]

    assert any(len(c.kwargs["step_waves"]) == 1 for c in hidden)
    assert any(len({len(y) for y in c.kwargs["step_waves"]}) == 1 < len(c.kwargs["step_waves"]) for c in hidden)
    [fast] = [c for c in hidden if "too fast" in c.label]
    assert impossible(fast)[-1] and not any(impossible(fast)[:-1])
    assert any(int(np.argmax([len(y) for y in c.kwargs["step_waves"]])) > 0 for c in hidden)


def test_prediction_options_are_the_notebooks_and_the_answer_is_what_the_notebook_shows() -> None:
    text = _cell("ex6-intro")
    for letter, option in l10.LR_OPTIONS.items():
        assert f'`"{letter}"`: {option}' in text
    assert l10.LR_ANSWER in l10.LR_OPTIONS
    run = _cell("predict-run")
    assert "max(big) > big[0] and big[-1] > usual[-1]" in run      # the notebook asserts what "d" says
    ex = registry()["l10-predict-lr"]
    assert {m.fn() for m in ex.mistakes} == set(l10.LR_OPTIONS) - {l10.LR_ANSWER}


# ---------------------------------------------------------------------------
# feedback: names, types, hints


def test_failure_messages_name_the_learners_variable_and_hide_hidden_values() -> None:
    ex = registry()["l10-pad-batch"]
    public = ex.public[0]
    batch, lengths = l10._pad_lengths_last_index(l10.pad_public_signals())
    verdict, hint = ex.judge(public, (batch, lengths))
    assert verdict.reason == "`lengths[0]` is 3, expected 4"
    assert hint == ex.mistakes[2].hint
    hidden = ex.hidden_cases(np.random.default_rng(0))[3]
    verdict, _ = ex.judge(hidden, l10._pad_lengths_last_index(hidden.args[0]))
    assert verdict.reason == "`lengths[0]` is 1, which is wrong"
    out = registry()["l10-output-lengths"]
    verdict, _ = out.judge(out.public[0], l10._out_len(l10.OUT_LEN_SAMPLES, 160, conv="half"))
    assert verdict.reason == "`out_lengths[0]` is 25, expected 26"


def test_types_the_tasks_name_are_checked() -> None:
    pad = registry()["l10-pad-batch"]
    batch, lengths = l10._pad_ref(l10.pad_public_signals())
    assert pad.judge(pad.public[0], (batch, lengths))[0]
    assert pad.judge(pad.public[0], (batch.astype(np.float64), lengths))[0].reason == (
        "`batch` has dtype float64, expected float32"
    )
    assert "`lengths` has dtype float64" in pad.judge(pad.public[0], (batch, lengths.astype(float)))[0].reason
    out = registry()["l10-output-lengths"]
    frames, outs = l10._out_len_ref(l10.OUT_LEN_SAMPLES, 160)
    assert "`frames` has dtype float64" in out.judge(out.public[0], (frames.astype(float), outs))[0].reason
    ctc = registry()["l10-ctc-loss"]
    value = l10._ctc_ref(**l10.ctc_public())
    assert ctc.judge(ctc.public[0], value)[0]
    assert "expected a Python float" in ctc.judge(ctc.public[0], np.float32(value))[0].reason


_CODE_IN_HINT = re.compile(r"[A-Za-z_]\w*\(|//|==|\+ 1\b|=\s*\w")


def test_hints_teach_without_code_to_paste() -> None:
    for ex in l10.EXERCISES:
        for name, hint in [("general hint", ex.hint)] + [(m.name, m.hint) for m in ex.mistakes]:
            found = _CODE_IN_HINT.search(hint)
            assert not found, f"{ex.id} {name}: {found.group(0)!r} in {hint!r}"


def test_every_exercise_recognises_at_least_three_mistakes() -> None:
    for ex in l10.EXERCISES:
        assert len(ex.mistakes) >= 3, ex.id


# ---------------------------------------------------------------------------
# the notebook agrees with the exercise definitions


def test_notebook_inputs_equal_the_public_cases() -> None:
    ns = _run_cell("ex1-inputs")
    for mine, theirs in zip(ns["signals"], l10.pad_public_signals(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    ns = _run_cell("ex2-inputs")
    np.testing.assert_array_equal(ns["n_samples"], l10.OUT_LEN_SAMPLES)
    assert ns["hop"] == l10.OUT_LEN_HOP
    ns = _run_cell("ex3-inputs")
    public = l10.ctc_public()
    np.testing.assert_array_equal(ns["log_probs"], public["log_probs"])
    np.testing.assert_array_equal(ns["out_lengths"], public["out_lengths"])
    assert ns["texts"] == public["texts"]
    ns = _run_cell("ex5-inputs")
    public = l10.step_batch(l10.STEP_PUBLIC)
    assert ns["step_texts"] == public["step_texts"]
    for mine, theirs in zip(ns["step_waves"], public["step_waves"], strict=True):
        np.testing.assert_array_equal(mine, theirs)
    ns = _run_cell("ex4-inputs")
    lps, refs = l10.decode_public()
    assert ns["references"] == refs
    for mine, theirs in zip(ns["log_probs_list"], lps, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_training_and_evaluation_cells_are_skipped_by_the_grader() -> None:
    skipped = [c["id"] for c in _cells() if GRADING_SKIP_TAG in c.get("metadata", {}).get("tags", [])]
    assert {"train", "eval", "worst", "worst-listen", "per-voice", "matrix", "transcribe-file", "upload",
            "overfit-curve", "predict-run"} <= set(skipped)
    for cid in skipped:
        src = _cell(cid)
        assert "check(" not in src and "nbgrader" not in json.dumps(
            [c for c in _cells() if c["id"] == cid][0]["metadata"]
        )
    # every cell after the training cell that uses its results is skipped too
    ids = [c["id"] for c in _cells() if c["cell_type"] == "code"]
    after = ids[ids.index("train") + 1:]
    for cid in after:
        src = _cell(cid)
        if re.search(r"(?<![.\w])(result|model|greedy|test_log_probs|run_dir|wav_path)\b", src):
            assert cid in skipped or cid.startswith("l10-"), cid


def test_load_lesson_treats_skipped_cells_as_text() -> None:
    lesson = load_lesson(NOTEBOOK, registry())
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    skipped = [c.source for c in nb.cells if GRADING_SKIP_TAG in c.metadata.get("tags", [])]
    assert len(skipped) >= 7
    kinds = {cell.source: cell.kind for cell in lesson.cells}
    assert all(kinds[src] == "text" for src in skipped)
    run = [cell.source for cell in lesson.cells if cell.kind == "code"]
    assert not any("asrlab.train.train(" in src for src in run)
    assert lesson.answer_ids == [
        "l10-pad-batch", "l10-output-lengths", "l10-ctc-loss", "l10-train-step", "l10-predict-lr", "l10-decode-and-score",
    ]


def test_release_keeps_the_grading_skip_tag() -> None:
    student = nbformat.read(str(STUDENT), as_version=4)
    solution = nbformat.read(str(NOTEBOOK), as_version=4)
    tagged = lambda nb: [c.id for c in nb.cells if GRADING_SKIP_TAG in c.metadata.get("tags", [])]  # noqa: E731
    assert tagged(student) == tagged(solution)


@pytest.mark.slow
def test_grading_gives_full_marks_to_the_solution_and_zero_to_the_untouched_lesson(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    for student, source in (("solution", NOTEBOOK), ("untouched", STUDENT)):
        (subs / student).mkdir(parents=True)
        shutil.copy(source, subs / student / NOTEBOOK.name)
    grade(subs, tmp_path / "out", jobs=2, timeout=60.0, solutions=ROOT / "solutions", seed=10)
    with (tmp_path / "out" / "grades.csv").open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["exercise_id"] != "(notebook)"]
    points = {ex.id: ex.points for ex in l10.EXERCISES}
    solved = {r["exercise_id"]: (r["status"], float(r["score"])) for r in rows if r["student_id"] == "solution"}
    assert solved == {gid: ("passed", float(p)) for gid, p in points.items()}
    untouched = {r["exercise_id"]: (r["status"], float(r["score"])) for r in rows if r["student_id"] == "untouched"}
    assert untouched == {gid: ("not-attempted", 0.0) for gid in points}
