"""Lesson 10 (train a tiny CTC recogniser): the references behind its exercises, checked
against torch, asrlab.ctc, librosa and jiwer; the notebook's inputs against the exercise
definitions; and the ``grading-skip`` tag that keeps training out of the grader."""

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
import asrlab.features
import asrlab.model
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
    namespace = {"np": np, "asrlab": asrlab}
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
    np.testing.assert_array_equal(lengths, [5, 2, 4])
    np.testing.assert_allclose(batch[1], [-1, 1, 0, 0, 0])
    np.testing.assert_allclose(batch[2], [0.5, 0.5, -0.5, -0.5, 0])


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
    case = l10.train_step_public()
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
# the notebook agrees with the exercise definitions


def test_notebook_inputs_equal_the_public_cases() -> None:
    ns = _run_cell("ex1-inputs")
    for mine, theirs in zip(ns["signals"], l10.pad_public_signals(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    ns = _run_cell("ex2-inputs")
    np.testing.assert_array_equal(ns["n_samples"], l10.OUT_LEN_SAMPLES)
    assert ns["hop"] == l10.OUT_LEN_HOP
    ns = _run_cell("ex3-inputs")
    public = l10.train_step_public()
    np.testing.assert_array_equal(ns["log_probs"], public["log_probs"])
    np.testing.assert_array_equal(ns["out_lengths"], public["out_lengths"])
    assert ns["texts"] == public["texts"]
    ns = _run_cell("ex4-inputs")
    lps, refs = l10.decode_public()
    assert ns["references"] == refs
    for mine, theirs in zip(ns["log_probs_list"], lps, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_training_and_evaluation_cells_are_skipped_by_the_grader() -> None:
    skipped = [c["id"] for c in _cells() if GRADING_SKIP_TAG in c.get("metadata", {}).get("tags", [])]
    assert {"train", "eval", "worst", "per-voice", "matrix", "transcribe-file", "upload"} <= set(skipped)
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
    assert lesson.answer_ids == ["l10-pad-batch", "l10-output-lengths", "l10-train-step", "l10-decode-and-score"]


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
