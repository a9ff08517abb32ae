"""Lesson 07 (CTC decoding): the exercise references against brute force and against the
lesson's textbook algorithm, the claims the notebook and the hidden cases' labels make
about the course model's recordings, and the notebook's inputs against the public cases.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from itertools import groupby
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asrlab import commands, ctc
from asrlab.model import ALPHABET
from autograder.exercises import l07

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "07-ctc-decoding.ipynb"
EXERCISES = {ex.id: ex for ex in l07.EXERCISES}


def _log_softmax(rng: np.random.Generator, T: int, V: int, scale: float = 1.5) -> np.ndarray:
    z = rng.standard_normal((T, V)) * scale
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


# ----------------------------------------------------------------------------- references


@settings(max_examples=100, deadline=None)
@given(path=st.lists(st.integers(0, 3), max_size=15), blank=st.integers(0, 3))
def test_collapse_reference_equals_groupby(path, blank) -> None:
    assert l07._collapse_ref(path, blank) == [k for k, _ in groupby(path) if k != blank]
    text = "".join("_abc"[k] for k in path)
    assert "".join(l07._collapse_ref(text, "_abc"[blank])) == "".join(k for k, _ in groupby(text) if k != "_abc"[blank])


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 20), V=st.integers(2, 6))
def test_greedy_reference_is_the_collapsed_argmax_path(seed, T, V) -> None:
    lp = _log_softmax(np.random.default_rng(seed), T, V)
    alphabet = "_abcde"[:V]
    path = lp.argmax(axis=1).tolist()
    assert l07._greedy_ref(lp, alphabet) == "".join(alphabet[k] for k, _ in groupby(path) if k != 0)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 14), V=st.integers(2, 6), width=st.integers(2, 10),
       blank=st.integers(0, 5))
def test_the_lessons_textbook_beam_search_equals_asrlab(seed, T, V, width, blank) -> None:
    blank = blank % V
    lp = _log_softmax(np.random.default_rng(seed), T, V)
    alphabet = "abcdef"[:V]
    assert l07._beam_with(lp, alphabet, width, blank, mistake="none") == l07._beam_ref(lp, alphabet, width, blank)


def _most_likely_text(lp: np.ndarray) -> str:
    totals: dict[tuple, float] = {}
    for path in itertools.product(range(lp.shape[1]), repeat=lp.shape[0]):
        key = tuple(ctc.collapse(list(path), blank=0))
        totals[key] = float(np.logaddexp(totals.get(key, -np.inf), sum(lp[t, k] for t, k in enumerate(path))))
    best = max(totals, key=totals.get)
    return "".join("_ab"[k] for k in best)


@pytest.mark.parametrize("seed", range(8))
def test_a_wide_beam_finds_the_most_likely_text_of_a_small_matrix(seed) -> None:
    lp = _log_softmax(np.random.default_rng(seed), 5, 3, scale=1.0)
    assert l07._beam_ref(lp, "_ab", 200) == _most_likely_text(lp)


def test_the_hidden_beam_cases_separate_greedy_from_beam_search() -> None:
    cases = EXERCISES["l07-beam"].hidden_cases(np.random.default_rng(0))
    differ = [c.label for c in cases if l07._greedy_ref(*c.args) != l07._beam_ref(*c.args, **c.kwargs)]
    assert len(differ) >= 3, differ
    assert any("greedy reads ''" in label for label in differ)
    assert any("course model" in label for label in differ)


def test_word_bias_reference_equals_asrlab_on_every_case() -> None:
    ex = EXERCISES["l07-word-bias"]
    for case in list(ex.public) + ex.hidden_cases(np.random.default_rng(0)):
        args, kwargs = case.inputs()
        assert l07._word_bias_ref(*args, **kwargs) == commands.word_bias(*args, **kwargs), case.label


# ----------------------------------------------------------------------------- the recordings


def test_the_command_decoder_hears_the_spoken_command_in_every_case() -> None:
    ex = EXERCISES["l07-command"]
    hidden = ex.hidden_cases(np.random.default_rng(0))
    spoken = [text for text, _ in l07.PUBLIC_RECORDINGS] + [r[0] for r in l07._HIDDEN_RECORDINGS]
    for case, text in zip(list(ex.public) + hidden, spoken, strict=True):
        assert ex.expected(case) == text, case.label
    misspelled = [c for c, (text, *_) in zip(hidden, l07._HIDDEN_RECORDINGS) if l07._greedy_command(*c.args) != text]
    assert len(misspelled) >= len(hidden) // 2


def test_the_labels_say_what_greedy_really_reads() -> None:
    cases = EXERCISES["l07-command"].hidden_cases(np.random.default_rng(0))
    cases += EXERCISES["l07-beam"].hidden_cases(np.random.default_rng(0))[-1:]
    for case in cases:
        said = re.search(r"greedy reads '([^']*)'", case.label)
        if said:
            assert ctc.greedy_decode(case.args[0], alphabet=ALPHABET) == said.group(1), case.label


def test_the_command_list_constrained_beam_search_of_the_solution_agrees_with_the_reference() -> None:
    """The route the lesson suggests (beam search under a command-prefix LM) gives the
    reference's answer on every case, so the mini-challenge is fair to it."""

    def constrained(lp, cmds):
        starts = {c[:k] for c in cmds for k in range(len(c) + 1)}

        def lm(prefix, symbol):
            if symbol == "":
                return 0.0 if prefix in cmds else -np.inf
            return 0.0 if prefix + symbol in starts else -np.inf

        beams = ctc.beam_search(lp, alphabet=ALPHABET, beam_width=16, lm=lm, lm_weight=1.0, return_beams=True)
        return next(t for t, _ in beams if t in cmds)

    ex = EXERCISES["l07-command"]
    for case in list(ex.public) + ex.hidden_cases(np.random.default_rng(0)):
        assert constrained(*case.args) == ex.expected(case), case.label


def test_the_notebooks_claims_about_yes_stop_up() -> None:
    lp = l07.model_log_probs("yes stop up", "en-gb-x-gbclan+victor")
    assert ctc.greedy_decode(lp, alphabet=ALPHABET) == "yes sto up"
    assert ctc.beam_search(lp, alphabet=ALPHABET, beam_width=8) == "yes sto up"
    lm = functools.partial(commands.word_bias, words=list(l07.COMMANDS), penalty=-5.0)
    best = {w: ctc.beam_search(lp, alphabet=ALPHABET, beam_width=8, lm=lm, lm_weight=w) for w in (0.0, 0.5, 0.75, 1.0, 3.0)}
    assert best == {0.0: "yes sto up", 0.5: "yes sto up", 0.75: "yes stop up", 1.0: "yes stop up", 3.0: "yes stop up"}


def test_the_hello_matrix_reads_hell_greedy_and_hello_with_a_beam_of_four() -> None:
    lp = l07.hello_log_probs()
    assert np.allclose(np.exp(lp).sum(axis=1), 1.0)
    assert l07._greedy_ref(lp, l07.HELLO_ALPHABET) == "hell"
    assert [l07._beam_ref(lp, l07.HELLO_ALPHABET, w) for w in (2, 4, 8)] == ["hell", "hello", "hello"]


# ----------------------------------------------------------------------------- notebook inputs


def _code_cells() -> list[str]:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_the_notebooks_matrix_is_the_public_case() -> None:
    source = next(s for s in _code_cells() if s.startswith('alphabet = "_ehlo"'))
    ns: dict = {"np": np}
    exec(source.split("\ndef show_matrix")[0], ns)
    assert ns["alphabet"] == l07.HELLO_ALPHABET
    assert np.array_equal(ns["log_probs"], l07.hello_log_probs())
    assert np.array_equal(EXERCISES["l07-greedy"].public[0].args[0], ns["log_probs"])


def test_the_notebooks_radio_recording_is_the_first_public_command_case() -> None:
    source = next(s for s in _code_cells() if s.startswith("commands = list(asrlab.commands.COMMAND_PHRASES)"))
    assert 'synthesize("turn the radio off", voice="en-us+Alicia", sr=sr)' in source
    assert l07.PUBLIC_RECORDINGS[0] == ("turn the radio off", "en-us+Alicia")
    public = EXERCISES["l07-command"].public[0]
    assert public.args[1] == list(commands.COMMAND_PHRASES)
    assert np.array_equal(public.args[0], l07.model_log_probs("turn the radio off", "en-us+Alicia"))
