"""Lesson 08 (WER and CER): the exercise references against jiwer on every public and hidden
case and on random inputs, the lesson's backtrace rule, the new table and printing helpers
of ``asrlab.metrics``, the voice-command checker's hidden recordings, and the notebook's
own inputs against the exercises' public cases.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from pathlib import Path

import jiwer
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asrlab import metrics
from autograder.exercises import l08

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "08-wer-and-cer.ipynb"
EXERCISES = {ex.id: ex for ex in l08.EXERCISES}


def _cases(ex_id: str):
    ex = EXERCISES[ex_id]
    return list(ex.public) + ex.hidden_cases(np.random.default_rng(0))


def _jiwer_counts(ref, hyp) -> tuple[int, int, int]:
    """jiwer's (S, D, I) for two word lists (or two strings, character by character)."""
    if isinstance(ref, str):
        out = jiwer.process_characters(ref, hyp)
    else:
        out = jiwer.process_words(" ".join(ref), " ".join(hyp))
    return out.substitutions, out.deletions, out.insertions


def _counts(ops) -> tuple[int, int, int]:
    c = Counter(op for op, _, _ in ops)
    return c["sub"], c["del"], c["ins"]


def _brute_distance(a, b) -> int:
    @functools.lru_cache(maxsize=None)
    def d(i: int, j: int) -> int:
        if i == 0 or j == 0:
            return i + j
        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))

    return d(len(a), len(b))


# --------------------------------------------------------------------------------------
# asrlab.metrics.edit_table and format_alignment


def test_edit_table_hand_computed() -> None:
    D = metrics.edit_table("ab", "b")
    assert D.dtype == np.int64 and D.tolist() == [[0, 1], [1, 1], [2, 1]]
    assert metrics.edit_table([], []).tolist() == [[0]]
    assert metrics.edit_table([], ["a", "b"]).tolist() == [[0, 1, 2]]
    assert metrics.edit_table(["a", "b"], []).tolist() == [[0], [1], [2]]


@settings(max_examples=150, deadline=None)
@given(a=st.lists(st.sampled_from("abc"), max_size=7), b=st.lists(st.sampled_from("abc"), max_size=7))
def test_every_cell_of_edit_table_is_the_distance_of_two_prefixes(a, b) -> None:
    D = metrics.edit_table(a, b)
    assert D.shape == (len(a) + 1, len(b) + 1)
    for i in range(len(a) + 1):
        for j in range(len(b) + 1):
            assert D[i, j] == _brute_distance(tuple(a[:i]), tuple(b[:j]))
    assert D[-1, -1] == metrics.edit_distance(a, b)


def test_edit_table_rejects_what_is_not_a_sequence() -> None:
    with pytest.raises(TypeError, match="ref: expected a sequence"):
        metrics.edit_table(3, ["a"])


def test_format_alignment_hand_case_is_jiwers_picture() -> None:
    ops = metrics.align("the cat sat on the mat".split(), "a cat sat the mat today".split())
    assert metrics.format_alignment(ops) == (
        "REF: the cat sat on the mat *****\n"
        "HYP:   a cat sat ** the mat today\n"
        "       S          D             I"
    )


WORDS = ["go", "up", "the", "kitchen", "a", "lights", "on", "café"]


@settings(max_examples=150, deadline=None)
@given(ref=st.lists(st.sampled_from(WORDS), min_size=1, max_size=7), hyp=st.lists(st.sampled_from(WORDS), max_size=7))
def test_format_alignment_equals_jiwer_visualize_alignment(ref, hyp) -> None:
    out = jiwer.process_words(" ".join(ref), " ".join(hyp))
    picture = jiwer.visualize_alignment(out, show_measures=False, skip_correct=False)
    lines = picture.splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("REF:"))
    assert metrics.format_alignment(metrics.align(ref, hyp)) == "\n".join(lines[k : k + 3])


def test_format_alignment_rejects_bad_operations() -> None:
    with pytest.raises(ValueError, match="expected one of"):
        metrics.format_alignment([("swap", "a", "b")])
    with pytest.raises(TypeError, match="triples"):
        metrics.format_alignment([("del", "a")])
    with pytest.raises(TypeError, match="expected a list"):
        metrics.format_alignment("REF")


# --------------------------------------------------------------------------------------
# references against jiwer on every public and hidden case


def test_edit_distance_reference_equals_jiwer_on_every_case() -> None:
    ex = EXERCISES["l08-edit-distance"]
    for case in _cases("l08-edit-distance"):
        ref, hyp = case.args
        assert ex.expected(case) == sum(_jiwer_counts(ref, hyp)), case.label


def test_align_reference_counts_equal_jiwer_on_every_case() -> None:
    for case in _cases("l08-align"):
        ref, hyp = case.args
        ops = l08.backtrace(ref, hyp)
        assert [r for op, r, _ in ops if op != "ins"] == list(ref), case.label
        assert [h for op, _, h in ops if op != "del"] == list(hyp), case.label
        assert _counts(ops) == _jiwer_counts(ref, hyp), case.label


def test_align_hidden_cases_include_every_kind_of_step() -> None:
    kinds = Counter()
    for case in _cases("l08-align"):
        kinds.update(op for op, _, _ in l08.backtrace(*case.args))
    assert all(kinds[k] >= 3 for k in ("equal", "sub", "del", "ins")), kinds


@settings(max_examples=300, deadline=None)
@given(ref=st.lists(st.sampled_from("abc"), max_size=8), hyp=st.lists(st.sampled_from("abc"), max_size=8))
def test_the_lessons_backtrace_is_a_minimal_alignment(ref, hyp) -> None:
    ops = l08.backtrace(ref, hyp)
    assert [r for op, r, _ in ops if op != "ins"] == ref
    assert [h for op, _, h in ops if op != "del"] == hyp
    assert all((op == "equal") == (r == h) for op, r, h in ops if op in ("equal", "sub"))
    assert sum(op != "equal" for op, _, _ in ops) == metrics.edit_distance(ref, hyp) == sum(_jiwer_counts(ref, hyp))


def test_the_lessons_backtrace_almost_always_splits_errors_like_jiwer() -> None:
    # The notebook says the preference order "usually makes the same choice" as jiwer.
    rng = np.random.default_rng(8)
    same = 0
    for _ in range(1000):
        ref = list(rng.choice(list("abc"), size=int(rng.integers(0, 8))))
        hyp = list(rng.choice(list("abc"), size=int(rng.integers(0, 8))))
        same += _counts(l08.backtrace(ref, hyp)) == _jiwer_counts(ref, hyp)
    assert same >= 990


@pytest.mark.parametrize("ex_id, theirs", [("l08-wer", jiwer.wer), ("l08-cer", jiwer.cer)])
def test_wer_and_cer_references_equal_jiwer_on_every_case(ex_id, theirs) -> None:
    ex = EXERCISES[ex_id]
    for case in _cases(ex_id):
        assert ex.expected(case) == pytest.approx(theirs(*case.args), rel=1e-12, abs=0), case.label


def test_corpus_wer_reference_equals_jiwer_on_every_case() -> None:
    ex = EXERCISES["l08-corpus-wer"]
    for case in _cases("l08-corpus-wer"):
        refs, hyps = case.args
        assert ex.expected(case) == pytest.approx(jiwer.wer(list(refs), list(hyps)), rel=1e-12, abs=0), case.label


def test_hidden_text_cases_cover_the_boundaries() -> None:
    texts = [c.args for c in _cases("l08-wer")]
    assert ("", "") in texts
    assert any(r.strip() == "" and h.strip() for r, h in texts), "an empty reference with words inserted"
    assert any(r.strip() and not h.strip() for r, h in texts), "an empty hypothesis"
    assert any(metrics.wer(r, h) > 1 for r, h in texts), "a WER above 1"
    assert any("  " in r or r != r.strip() for r, h in texts), "extra spaces"
    assert any(any(ord(ch) > 127 for ch in r) for r, h in texts), "unicode"
    assert not any("\t" in r + h or re.search(r"(?<!\s)\n(?!\s)", r + h) for r, h in texts), (
        "a lone tab or newline separates words for str.split() but not for jiwer"
    )


def test_lone_tabs_are_where_str_split_and_jiwer_disagree() -> None:
    # Why the hidden cases use spaces only (the lesson's common mistakes say so too).
    assert jiwer.wer("go\tup", "go up") == 2.0
    assert metrics.wer("go\tup", "go up") == 2.0
    assert len("go\tup".split()) == 2


def test_corpus_example_disagrees_strongly_with_the_mean() -> None:
    corpus = metrics.wer(l08.CORPUS_REFS, l08.CORPUS_HYPS)
    mean = float(np.mean([metrics.wer(r, h) for r, h in zip(l08.CORPUS_REFS, l08.CORPUS_HYPS)]))
    assert corpus == pytest.approx(3 / 16)  # 3 errors, 1 + 1 + 3 + 11 words
    assert mean > 3 * corpus
    sentence_error_rate = np.mean([r != h for r, h in zip(l08.CORPUS_REFS, l08.CORPUS_HYPS)])
    assert sentence_error_rate not in (pytest.approx(mean), pytest.approx(corpus))


def test_worked_example_has_one_error_of_each_kind() -> None:
    ref, hyp = l08.REF_EXAMPLE.split(), l08.HYP_EXAMPLE.split()
    assert _counts(l08.backtrace(ref, hyp)) == _counts(metrics.align(ref, hyp)) == _jiwer_counts(ref, hyp) == (1, 1, 1)


# --------------------------------------------------------------------------------------
# the voice-command checker


@pytest.fixture(scope="module")
def checker_cases():
    return _cases("l08-command-checker")


def test_checker_cases_include_near_misses_greedy_failures_thresholds_and_silence(checker_cases) -> None:
    from asrlab.model import decode

    ex = EXERCISES["l08-command-checker"]
    results = [(c, ex.expected(c)) for c in checker_cases]
    accepted = [r["accepted"] for _, r in results]
    assert 3 <= sum(accepted) <= len(accepted) - 3
    # a right command that greedy decoding misspells and the constrained search gets right
    assert any(
        r["wer"] == 0 and decode(c.args[1]) != r["heard"] for c, r in results
    )
    # near-misses: the recording says another command, one word away
    assert sum(0 < r["wer"] < 0.5 for _, r in results) >= 5
    # a WER exactly on the threshold, accepted; and a threshold of 0
    assert any(r["wer"] == c.kwargs.get("max_wer", 0.2) and r["accepted"] for c, r in results)
    assert any(c.kwargs.get("max_wer") == 0.0 for c, _ in results)
    # silence: nothing heard, every word deleted
    silence = [r for c, r in results if "silence" in c.label]
    assert silence == [{"accepted": False, "heard": "", "wer": 1.0}]
    # every command shown with capitals or punctuation differs from its normalised form
    assert sum(c.args[0] != metrics.normalize(c.args[0]) for c, _ in results) >= 8


def test_checker_heard_words_are_course_words(checker_cases) -> None:
    from asrlab.data import vocabulary

    words = set(vocabulary())
    ex = EXERCISES["l08-command-checker"]
    for case in checker_cases:
        assert set(ex.expected(case)["heard"].split()) <= words, case.label


# --------------------------------------------------------------------------------------
# the notebook's inputs


def _code_cells() -> list[str]:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _cell_starting(prefix: str) -> str:
    return next(source for source in _code_cells() if source.startswith(prefix))


def test_the_notebooks_example_is_the_first_public_case() -> None:
    ns: dict = {}
    exec(_cell_starting("ref = ").split("for k")[0], ns)
    assert (ns["ref"], ns["hyp"]) == (l08.REF_EXAMPLE, l08.HYP_EXAMPLE)
    for ex_id in ("l08-edit-distance", "l08-align", "l08-wer"):
        first = EXERCISES[ex_id].public[0].args
        assert [" ".join(a) if isinstance(a, list) else a for a in first] == [l08.REF_EXAMPLE, l08.HYP_EXAMPLE]


def test_the_notebooks_corpus_is_the_public_case() -> None:
    ns: dict = {}
    exec(_cell_starting("references = ").split("per_sentence")[0], ns)
    assert (ns["references"], ns["hypotheses"]) == (l08.CORPUS_REFS, l08.CORPUS_HYPS)
    assert EXERCISES["l08-corpus-wer"].public[0].args == (l08.CORPUS_REFS, l08.CORPUS_HYPS)


def test_the_notebooks_trials_are_the_checkers_public_cases() -> None:
    ns: dict = {}
    exec(_cell_starting("trials = ").split("command_words")[0], ns)
    assert ns["trials"] == l08.COMMAND_TRIALS
    public = EXERCISES["l08-command-checker"].public
    assert [c.args[0] for c in public] == [shown for shown, _, _ in l08.COMMAND_TRIALS]
    for case, (_, spoken, voice) in zip(public, l08.COMMAND_TRIALS):
        assert np.array_equal(case.args[1], l08.log_probs_of(spoken, voice))


# --------------------------------------------------------------------------------------
# failure messages


def test_failure_messages_name_the_function_and_the_first_wrong_step_without_the_answer() -> None:
    ex = EXERCISES["l08-align"]
    case = ex.public[0]
    wrong = l08.backtrace(*case.args, equal_label="sub")
    verdict, hint = ex.judge(case, wrong)
    assert not verdict
    assert verdict.reason == (
        "`align(...)`[0] is ('sub', 'turn', 'turn'): step 1 of 6 (in reading order) is the first wrong one"
    )
    assert "every diagonal step a substitution" in hint
    assert "'equal'" not in verdict.reason  # the expected step is not given away

    verdict, _ = EXERCISES["l08-wer"].judge(EXERCISES["l08-wer"].public[0], 0.75)
    assert verdict.reason == "`wer(...)` returned 0.75, which is not the expected value"
    assert "0.6" not in verdict.reason

    checker = EXERCISES["l08-command-checker"]
    verdict, _ = checker.judge(checker.public[1], {"accepted": True, "heard": "turn the light off", "wer": 0.25})
    assert verdict.reason == "`check_command(...)['accepted']` is True, which is not the expected truth value"
