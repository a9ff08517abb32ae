"""asrlab.metrics against jiwer (and a brute-force edit distance), plus hand-computed cases."""

from __future__ import annotations

import dataclasses
import functools
import string
import unicodedata

import jiwer
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asrlab import metrics

VOCAB = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran"]

# Whitespace between words, including the cases where jiwer's rules are subtle: a single
# tab or newline does not separate two words, a run of two or more whitespace does.
SEPARATORS = st.sampled_from([" ", " ", " ", "  ", "\t", " \t", "\n", "\n\n"])


@st.composite
def sentences(draw, *, max_words=8):
    words = draw(st.lists(st.sampled_from(VOCAB), max_size=max_words))
    if not words:
        return draw(st.sampled_from(["", " ", "  \t"]))
    text = words[0]
    for w in words[1:]:
        text += draw(SEPARATORS) + w
    return draw(st.sampled_from(["", " ", "\t "])) + text + draw(st.sampled_from(["", " ", "\n"]))


@st.composite
def corpora(draw):
    """(references, hypotheses): lists of the same length; the reference side has words."""
    n = draw(st.integers(1, 5))
    refs = draw(st.lists(sentences(), min_size=n, max_size=n))
    hyps = draw(st.lists(sentences(), min_size=n, max_size=n))
    return refs, hyps


def _jiwer_ops(ref: list[str], hyp: list[str]) -> list[tuple[str, object, object]]:
    """jiwer's alignment expanded to one (op, ref, hyp) triple per word."""
    names = {"equal": "equal", "substitute": "sub", "delete": "del", "insert": "ins"}
    result = jiwer.process_words([" ".join(ref)], [" ".join(hyp)])
    ops = []
    for chunk in result.alignments[0]:
        op = names[chunk.type]
        r = ref[chunk.ref_start_idx : chunk.ref_end_idx]
        h = hyp[chunk.hyp_start_idx : chunk.hyp_end_idx]
        if op in ("equal", "sub"):
            ops += [(op, a, b) for a, b in zip(r, h)]
        elif op == "del":
            ops += [(op, a, None) for a in r]
        else:
            ops += [(op, None, b) for b in h]
    return ops


def _brute_edit_distance(a, b) -> int:
    @functools.lru_cache(maxsize=None)
    def d(i: int, j: int) -> int:
        if i == 0 or j == 0:
            return i + j
        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))

    return d(len(a), len(b))


# --------------------------------------------------------------------------------------
# hand-computed cases


def test_one_inserted_word_in_three_is_wer_one_third():
    m = metrics.measures("the cat sat", "the cat sat down")
    assert (m.hits, m.substitutions, m.deletions, m.insertions) == (3, 0, 0, 1)
    assert m.wer == pytest.approx(1 / 3)
    assert (m.ref_words, m.hyp_words, m.errors) == (3, 4, 1)
    assert metrics.wer("the cat sat", "the cat sat down") == pytest.approx(1 / 3)


def test_substitution_deletion_and_insertion_are_each_counted():
    m = metrics.measures("the cat sat on the mat", "a cat sat the mat today")
    assert (m.hits, m.substitutions, m.deletions, m.insertions) == (4, 1, 1, 1)
    assert m.wer == pytest.approx(3 / 6)


def test_kitten_sitting_is_three_character_edits():
    assert metrics.edit_distance("kitten", "sitting") == 3
    assert metrics.edit_distance("", "abc") == 3
    assert metrics.edit_distance("abc", "abc") == 0
    assert metrics.edit_distance(["the", "cat"], ["the", "hat"]) == 1


def test_cer_counts_characters_including_spaces():
    assert metrics.cer("hello", "helo") == pytest.approx(0.2)
    assert metrics.cer("a b", "ab") == pytest.approx(1 / 3)


def test_wer_can_exceed_one():
    assert metrics.wer("yes", "no no no") == pytest.approx(3.0)


def test_corpus_wer_is_total_errors_over_total_words_not_a_mean():
    refs = ["the cat", "the cat sat on the mat"]
    hyps = ["a cat", "the cat sat on the mat"]
    assert metrics.wer(refs, hyps) == pytest.approx(1 / 8)  # the mean would be 1/4
    assert metrics.measures(refs, hyps).wer == pytest.approx(1 / 8)


def test_align_labels_each_word():
    ops = metrics.align("the cat sat on the mat".split(), "a cat sat the mat today".split())
    assert ops == [
        ("sub", "the", "a"),
        ("equal", "cat", "cat"),
        ("equal", "sat", "sat"),
        ("del", "on", None),
        ("equal", "the", "the"),
        ("equal", "mat", "mat"),
        ("ins", None, "today"),
    ]


def test_align_of_strings_is_character_level():
    assert metrics.align("ab", "b") == [("del", "a", None), ("equal", "b", "b")]


def test_empty_reference_gives_the_number_of_insertions_like_jiwer():
    for ref, hyp in [("", "a b"), ("  ", "a"), ("", ""), (["", " "], ["a", "b c"])]:
        assert metrics.wer(ref, hyp) == jiwer.wer(ref, hyp)
        assert metrics.measures(ref, hyp).wer == jiwer.process_words(ref, hyp).wer
        assert metrics.cer(ref, hyp) == jiwer.cer(ref, hyp)


def test_measures_is_a_frozen_dataclass():
    m = metrics.measures("a", "a")
    assert dataclasses.is_dataclass(m)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.hits = 3  # type: ignore[misc]


def test_normalize_hand_cases():
    assert metrics.normalize("  Hello,   World! It's 9-5.") == "hello world it's 9 5"
    assert metrics.normalize("Don\u2019t \"quote\" me\u2014please...") == "don't quote me please"
    assert metrics.normalize("'Tis the end'") == "tis the end"
    assert metrics.normalize("Line\none\ttwo") == "line one two"
    assert metrics.normalize("50% off $10 + tax") == "50 off $10 + tax"
    assert metrics.normalize("") == ""


def test_normalize_makes_case_and_punctuation_free_of_errors():
    ref, hyp = "Turn the light ON.", "turn  the light, on"
    assert metrics.wer(ref, hyp) == pytest.approx(3 / 4)  # Turn, light, and ON. differ
    assert metrics.wer(metrics.normalize(ref), metrics.normalize(hyp)) == 0.0


# --------------------------------------------------------------------------------------
# properties against jiwer


@settings(max_examples=300, deadline=None)
@given(ref=sentences(), hyp=sentences())
def test_measures_match_jiwer_process_words(ref, hyp):
    ours = metrics.measures(ref, hyp)
    theirs = jiwer.process_words(ref, hyp)
    assert (ours.hits, ours.substitutions, ours.deletions, ours.insertions) == (
        theirs.hits,
        theirs.substitutions,
        theirs.deletions,
        theirs.insertions,
    )
    assert ours.wer == pytest.approx(theirs.wer, rel=1e-12, abs=0)
    assert ours.ref_words == sum(map(len, theirs.references))
    assert ours.hyp_words == sum(map(len, theirs.hypotheses))


@settings(max_examples=120, deadline=None)
@given(pair=corpora())
def test_corpus_wer_and_cer_match_jiwer(pair):
    refs, hyps = pair
    assert metrics.wer(refs, hyps) == pytest.approx(jiwer.wer(refs, hyps), rel=1e-12, abs=0)
    assert metrics.cer(refs, hyps) == pytest.approx(jiwer.cer(refs, hyps), rel=1e-12, abs=0)
    m, j = metrics.measures(refs, hyps), jiwer.process_words(refs, hyps)
    assert (m.hits, m.substitutions, m.deletions, m.insertions) == (
        j.hits,
        j.substitutions,
        j.deletions,
        j.insertions,
    )


@settings(max_examples=300, deadline=None)
@given(
    ref=st.lists(st.sampled_from("abc"), max_size=9),
    hyp=st.lists(st.sampled_from("abc"), max_size=9),
)
def test_align_is_minimal_and_is_jiwers_alignment(ref, hyp):
    ops = metrics.align(ref, hyp)
    assert [r for op, r, _ in ops if op != "ins"] == ref
    assert [h for op, _, h in ops if op != "del"] == hyp
    assert all((op == "equal") == (r == h) for op, r, h in ops if op in ("equal", "sub"))
    assert sum(op != "equal" for op, _, _ in ops) == metrics.edit_distance(ref, hyp)
    assert ops == _jiwer_ops(ref, hyp)


@settings(max_examples=300, deadline=None)
@given(a=st.text(alphabet="abcd ", max_size=10), b=st.text(alphabet="abcd ", max_size=10))
def test_edit_distance_matches_brute_force_recursion(a, b):
    d = metrics.edit_distance(a, b)
    assert d == _brute_edit_distance(a, b)
    assert d == metrics.edit_distance(list(b), list(a))


def test_wer_and_cer_match_jiwer_on_a_seeded_1000_sentence_corpus():
    import random

    rng = random.Random(8)
    words = [f"w{k}" for k in range(50)]
    refs, hyps = [], []
    for _ in range(1000):
        ref = [rng.choice(words) for _ in range(rng.randint(0, 25))]
        hyp = [w if rng.random() > 0.2 else rng.choice(words) for w in ref if rng.random() > 0.1]
        hyp += [rng.choice(words) for _ in range(rng.randint(0, 2))]
        refs.append(" ".join(ref))
        hyps.append(" ".join(hyp))
    assert metrics.wer(refs, hyps) == pytest.approx(jiwer.wer(refs, hyps), rel=1e-12)
    assert metrics.cer(refs, hyps) == pytest.approx(jiwer.cer(refs, hyps), rel=1e-12)


# --------------------------------------------------------------------------------------
# normalize properties

# ASCII punctuation in Unicode's sense (category P*), which normalize removes
PUNCTUATION = {c for c in string.punctuation if unicodedata.category(c).startswith("P")} - {"'"}


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=string.ascii_letters + string.digits + string.punctuation + " \t\n\u2019", max_size=40))
def test_normalize_is_idempotent_lower_case_and_punctuation_free(text):
    out = metrics.normalize(text)
    assert metrics.normalize(out) == out
    assert out == out.lower()
    assert not set(out) & PUNCTUATION
    assert "  " not in out and out == out.strip()
    assert "\t" not in out and "\n" not in out
    for k, ch in enumerate(out):  # an apostrophe survives only inside a word
        if ch == "'":
            assert 0 < k < len(out) - 1 and out[k - 1].isalnum() and out[k + 1].isalnum()
