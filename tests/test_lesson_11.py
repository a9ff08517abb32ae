"""Lesson 11 (speech recognition in the real world): the exercise references against
independent computations (the measured SNR, librosa, jiwer), the notebook's inputs against
the exercises' first public cases, the robustness exercise's hypotheses against what the
pretrained model really writes, and the ``grading-skip`` tags that keep the model out of
the grader."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jiwer
import librosa
import nbformat
import numpy as np
import pytest

import asrlab
import asrlab.model
import asrlab.train
from asrlab import realworld
from asrlab.signals import snr_db
from autograder.exercises import l11, registry
from autograder.grading.notebooks import GRADING_SKIP_TAG, load_lesson

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / f"{l11.LESSON}.ipynb"
STUDENT = ROOT / "lessons" / f"{l11.LESSON}.ipynb"
SR = 16_000


def _cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _cell(cell_id: str) -> str:
    [cell] = [c for c in _cells() if c.get("id") == cell_id]
    return "".join(cell["source"])


def _run_cells(*cell_ids: str) -> dict:
    namespace = {"np": np, "asrlab": asrlab, "realworld": realworld, "SR": SR, "display": lambda *a, **k: None,
                 "Audio": lambda *a, **k: None}
    for cell_id in cell_ids:
        exec(compile(_cell(cell_id), cell_id, "exec"), namespace)  # noqa: S102 - the course's own notebook
    return namespace


@pytest.fixture(scope="module")
def model():
    return asrlab.model.load_pretrained()


# ---------------------------------------------------------------------------
# the references


def test_add_noise_reference_measures_the_target_snr_on_every_case() -> None:
    ex = registry()["l11-add-noise"]
    for case in list(ex.public) + ex.hidden_cases(np.random.default_rng(0)):
        y, noise, target = case.args
        assert snr_db(np.asarray(y, dtype=np.float64), ex.expected(case)) == pytest.approx(target, abs=1e-6), case.label


def test_model_rate_reference_equals_librosa() -> None:
    ex = registry()["l11-model-rate"]
    for case in list(ex.public) + ex.hidden_cases(np.random.default_rng(0)):
        y, sr = case.args
        model_sr = case.kwargs.get("model_sr", SR)
        mono = np.asarray(y, dtype=np.float32)
        mono = mono.mean(axis=0) if mono.ndim == 2 else mono
        expected = mono if sr == model_sr else librosa.resample(mono, orig_sr=sr, target_sr=model_sr)
        np.testing.assert_allclose(ex.expected(case), expected, rtol=1e-5, atol=1e-6, err_msg=case.label)


def test_robustness_reference_equals_jiwer_and_a_hand_walk() -> None:
    ex = registry()["l11-robustness"]
    for case in list(ex.public) + ex.hidden_cases(np.random.default_rng(0)):
        snrs, refs, hyps, max_wer = case.args
        wers, holds = ex.expected(case)
        assert wers == pytest.approx([jiwer.wer(list(refs), list(h)) for h in hyps]), case.label
        # by hand: the lowest SNR s such that every SNR >= s has WER <= max_wer
        good = [s for s in snrs if all(w <= max_wer for t, w in zip(snrs, wers) if t >= s)]
        assert holds == (min(good) if good else None), case.label
    assert l11.realworld.robustness(l11.SNRS, l11.REFERENCES, l11.HYPOTHESES, l11.MAX_WER)[1] == 20


def test_front_end_reference_is_the_composition_of_the_lessons_pieces() -> None:
    ex = registry()["l11-front-end"]
    for case in list(ex.public) + ex.hidden_cases(np.random.default_rng(0)):
        y, sr = case.args
        threshold = case.kwargs.get("threshold_db", -30.0)
        x = np.asarray(y, dtype=np.float64)
        x = x.mean(axis=0) if x.ndim == 2 else x
        x = realworld.to_model_rate(x - x.mean(), sr).astype(np.float64)
        x = x / np.max(np.abs(x)) if np.any(x) else x
        speech = asrlab.features.detect_speech(x, sr=SR, threshold_db=threshold)
        expected = realworld.trim_to_speech(x, speech, 160) if speech.any() else x
        np.testing.assert_allclose(ex.expected(case), expected, rtol=1e-4, atol=1e-5, err_msg=case.label)


# ---------------------------------------------------------------------------
# the notebook agrees with the exercise definitions and with the model


def test_notebook_inputs_equal_the_public_cases() -> None:
    ns = _run_cells("word", "ex1-inputs")
    y, noise, snr = registry()["l11-add-noise"].public[0].args
    np.testing.assert_array_equal(ns["seven"], y)
    np.testing.assert_array_equal(ns["seven_noise"], noise)
    assert snr == 10.0

    ns = _run_cells("ex2-inputs")
    assert (ns["snrs"], ns["references"], ns["hypotheses"], ns["max_wer"]) == (
        l11.SNRS, l11.REFERENCES, l11.HYPOTHESES, l11.MAX_WER)

    ns = _run_cells("ex3-inputs")
    np.testing.assert_array_equal(ns["stereo"], registry()["l11-model-rate"].public[0].args[0])

    ns = _run_cells("ex4-inputs")
    y, speech, hop = registry()["l11-trim"].public[0].args
    np.testing.assert_array_equal(ns["quiet"], y)
    np.testing.assert_array_equal(ns["quiet_speech"], speech)
    assert hop == 160

    ns = _run_cells("messy")
    np.testing.assert_array_equal(ns["recording"], registry()["l11-front-end"].public[0].args[0])


def test_the_robustness_hypotheses_are_what_the_model_writes(model) -> None:
    speech = asrlab.data.SyntheticSpeech("test", seed=0).take(4, start=20)
    assert [u.text for u in speech] == l11.REFERENCES
    for snr, hyps in zip(l11.SNRS, l11.HYPOTHESES):
        noisy = [asrlab.signals.add_noise(u.audio.astype(np.float64), snr_db=snr, seed=k).astype(np.float32)
                 for k, u in enumerate(speech)]
        assert [asrlab.model.transcribe(model, y) for y in noisy] == hyps, snr


def test_the_front_end_repairs_messy_recordings(model) -> None:
    texts = [("go left three", "en-us+m3"), ("call nine one two", "en-gb+f3"), ("seven", "en-us+m3")]
    messy = [(l11.messy(t, voice=v, seed=k), t) for k, (t, v) in enumerate(texts)]
    raw = asrlab.train.evaluate(model, [(realworld.to_model_rate(y, 44_100), t) for y, t in messy])
    fixed = asrlab.train.evaluate(model, [(realworld.front_end(y, 44_100), t) for y, t in messy])
    assert fixed["wer"] < raw["wer"] and fixed["wer"] <= 0.25, (raw, fixed)


def test_every_number_the_prose_gives_about_the_rate_mismatch_is_printed() -> None:
    cell = next(c for c in _cells() if c.get("id") == "rate-mismatch")
    assert "'go left three'" in "".join("".join(o.get("text", "")) for o in cell["outputs"])
    assert "44100 / 16000 = 2.76" in "".join("".join(c["source"]) for c in _cells() if c["cell_type"] == "markdown")
    assert round(44_100 / 16_000, 2) == 2.76


# ---------------------------------------------------------------------------
# grading


def test_model_cells_are_skipped_by_the_grader_and_the_lesson_has_its_widgets() -> None:
    cells = [c for c in _cells() if c["cell_type"] == "code"]
    skipped = {c["id"] for c in cells if GRADING_SKIP_TAG in c["metadata"].get("tags", [])}
    assert {"model", "wer-by-snr", "noise-explorer", "record", "adapt", "sphinx", "end-to-end"} <= skipped
    names = r"(?<![.\w])(model|test_set|wer_by_snr|hyps_by_snr|messy_set|as_is|takes|held_out|adapted|few)\b"
    for c in cells:
        if c["id"] == "setup" or c["metadata"].get("nbgrader"):
            continue
        if re.search(names, "".join(c["source"])):
            assert c["id"] in skipped, c["id"]
    for c in cells:
        if c["metadata"].get("nbgrader"):
            assert c["id"] not in skipped
    sources = "".join("".join(c["source"]) for c in cells)
    assert "explorer(" in sources and "recognise_widget(" in sources


def test_load_lesson_treats_skipped_cells_as_text() -> None:
    lesson = load_lesson(NOTEBOOK, registry())
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    skipped = [c.source for c in nb.cells if GRADING_SKIP_TAG in c.metadata.get("tags", [])]
    kinds = {cell.source: cell.kind for cell in lesson.cells}
    assert skipped and all(kinds[src] == "text" for src in skipped)
    assert lesson.answer_ids == ["l11-add-noise", "l11-robustness", "l11-model-rate", "l11-trim", "l11-front-end"]


def test_the_end_to_end_cell_never_downloads() -> None:
    source = _cell("end-to-end")
    assert 'os.environ["HF_HUB_OFFLINE"] = "1"' in source
    assert "find_spec(" in source and "load_model(str(cached))" in source
    assert "download_root" not in source
