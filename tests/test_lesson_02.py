"""Lesson 02 (time-domain features): the exercise references against librosa and against
an independent formulation, the claims the notebook makes about its sentence, and the
notebook's own inputs against the exercises' first public cases.
"""

from __future__ import annotations

import json
from pathlib import Path

import librosa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.ndimage import maximum_filter1d

import asrlab
from autograder.compare import compare
from autograder.exercises import l02

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "02-time-domain-features.ipynb"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1.0), st.floats(min_value=-1.0, max_value=-1e-6)),
        min_size=2,
        max_size=60,
    )
)
def test_zero_crossing_reference_equals_librosa_without_pad(values: list[float]) -> None:
    y = np.array(values)
    assert l02._zero_crossings_ref(y) == int(librosa.zero_crossings(y, pad=False).sum())
    assert l02._zero_crossings_ref(y) == asrlab.features.zero_crossings(y)


def test_zero_crossing_reference_hand_computed() -> None:
    assert l02._zero_crossings_ref(l02.SAMPLES) == 5
    assert l02._zero_crossings_ref([1.0, 0.0, -1.0]) == 1  # 0 counts as positive
    assert l02._zero_crossings_ref([-1.0, 0.0, -1.0]) == 2
    assert l02._zero_crossings_ref([0.3]) == 0


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=300),
    frame_length=st.integers(min_value=1, max_value=64),
    hop_length=st.integers(min_value=1, max_value=40),
)
def test_frame_reference_count_follows_the_formula_and_the_frames_are_columns(n, frame_length, hop_length) -> None:
    y = np.arange(float(n))
    if n < frame_length:
        return
    count, frames = l02._frame_ref(y, frame_length, hop_length)
    assert count == 1 + (n - frame_length) // hop_length == frames.shape[1]
    for t in (0, count - 1):
        assert np.array_equal(frames[:, t], y[t * hop_length : t * hop_length + frame_length])


@pytest.mark.parametrize("frame_length, hop_length", [(400, 160), (401, 160), (2048, 512), (64, 48)])
def test_rms_reference_equals_asrlab_and_the_by_hand_recipe(frame_length: int, hop_length: int) -> None:
    y = asrlab.data.synthesize("left", sr=16_000)
    ref = l02._rms_ref(y, frame_length, hop_length)
    assert ref.shape == (1, 1 + len(y) // hop_length)
    np.testing.assert_allclose(ref, asrlab.features.rms(y, frame_length=frame_length, hop_length=hop_length), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ref, l02._rms_with(y, frame_length, hop_length), rtol=1e-5, atol=1e-7)


def _vad_by_dilation(y, *, sr, frame_ms=25.0, hop_ms=10.0, threshold_db=-40.0, hangover_ms=100.0):
    """The same detector, written differently: a causal maximum filter over loud frames."""
    L, H = round(frame_ms * sr / 1000), round(hop_ms * sr / 1000)
    rms = asrlab.features.rms(np.asarray(y, dtype=np.float64), frame_length=L, hop_length=H)[0]
    loud = asrlab.features.amplitude_to_db(rms, ref=1.0, amin=1e-10, top_db=None) > threshold_db
    k = round(hangover_ms / hop_ms)
    # maximum over loud[t - k .. t]: a window of k + 1 ending at t
    return maximum_filter1d(loud.astype(np.uint8), size=k + 1, origin=k // 2, mode="constant").astype(bool)


@pytest.fixture(scope="module")
def sentence() -> np.ndarray:
    return l02.sentence()


@settings(max_examples=20, deadline=None)
@given(threshold_db=st.integers(min_value=-70, max_value=-10), hangover_ms=st.sampled_from([0, 10, 30, 50, 100, 250]))
def test_vad_reference_equals_a_causal_maximum_filter(sentence, threshold_db, hangover_ms) -> None:
    got = l02.detect_speech_reference(sentence, sr=16_000, threshold_db=threshold_db, hangover_ms=hangover_ms)
    want = _vad_by_dilation(sentence, sr=16_000, threshold_db=threshold_db, hangover_ms=hangover_ms)
    assert got.dtype == bool and np.array_equal(got, want)


def test_vad_reference_on_the_hidden_cases_equals_the_maximum_filter() -> None:
    for case in l02.EXERCISES[-1].hidden_cases(np.random.default_rng(0)):
        args, kwargs = case.inputs()
        assert np.array_equal(l02.detect_speech_reference(*args, **kwargs), _vad_by_dilation(*args, **kwargs)), case.label


def _segments(speech: np.ndarray) -> int:
    return int(np.count_nonzero(np.diff(np.concatenate([[0], speech.astype(int)])) == 1))


def test_the_sentence_has_three_words_and_hangover_keeps_them_whole(sentence) -> None:
    # What the notebook tells the learner: defaults find the three words; no hangover
    # breaks "stop" (and "left") at their stop-consonant closures.
    assert _segments(l02.detect_speech_reference(sentence, sr=16_000)) == 3
    assert _segments(l02.detect_speech_reference(sentence, sr=16_000, hangover_ms=0)) > 3
    assert not l02.detect_speech_reference(np.zeros(4000), sr=16_000).any()


def _code_cells() -> list[dict]:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for c in cells:
        c["source"] = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
    return cells


@pytest.mark.parametrize("ex", [e for e in l02.EXERCISES if e.kind == "cell"], ids=lambda e: e.id)
def test_the_notebooks_inputs_equal_the_first_public_case(ex) -> None:
    cells = _code_cells()
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in cells]
    i = ids.index(ex.id)
    setup = "\n".join(line for line in cells[0]["source"].splitlines() if not line.startswith("%"))
    ns: dict = {}
    exec(setup, ns)
    # the short list `samples` (the first three exercises use it), then the input cell
    # right above the answer cell, unless that is the previous exercise's check cell
    exec(next(c["source"] for c in cells if c["source"].startswith("samples = ")), ns)
    if not cells[i - 1]["metadata"].get("nbgrader"):
        exec(cells[i - 1]["source"], ns)
    for name, value in ex.public[0].kwargs.items():
        assert compare(value, ns[name], rtol=0, atol=0), f"{ex.id}: notebook's {name} differs from public[0]"


def test_the_notebooks_sentence_is_the_vad_public_input(sentence) -> None:
    cells = _code_cells()
    source = next(c["source"] for c in cells if c["source"].startswith("sr = 16_000\nsentence ="))
    ns: dict = {"asrlab": asrlab}
    exec(source.split("print(")[0], ns)
    assert np.array_equal(ns["sentence"], sentence)
    assert np.array_equal(l02.EXERCISES[-1].public[0].args[0], sentence)
