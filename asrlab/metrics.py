"""Edit distance, alignment, WER and CER: how recognition output is scored.

Everything here is computed from scratch with dynamic programming and checked against
``jiwer`` (the tests compare counts and rates on thousands of random sentences):

* :func:`edit_distance` is the Levenshtein distance between two sequences;
* :func:`edit_table` is the whole dynamic-programming table behind it (to draw or to
  backtrace);
* :func:`align` backtraces the dynamic-programming table into a list of labelled
  operations (``equal``, ``sub``, ``del``, ``ins``), and :func:`format_alignment` prints
  them as REF/HYP rows with ``S``, ``D`` and ``I`` marks, the way jiwer shows them;
* :func:`measures` counts hits, substitutions, deletions and insertions like
  ``jiwer.process_words``;
* :func:`wer` and :func:`cer` are corpus-level rates like ``jiwer.wer`` / ``jiwer.cer``;
* :func:`normalize` is the text normalisation applied *before* scoring.

How text becomes words (the same rules as jiwer's default transform):

* words: every run of two or more whitespace characters becomes one space, the ends are
  stripped, and the text is split on single spaces.  (So a lone tab or newline between
  two words does *not* separate them, exactly as in jiwer; call :func:`normalize` first
  to turn all whitespace into single spaces.)
* characters: the ends are stripped; everything else, spaces included, is a character.

Corpus level: with a list of sentences the errors of all sentences are added up and
divided by the total number of reference words (or characters).  This is *not* the mean
of the per-sentence rates.

Empty references: as in jiwer 4, when the whole reference side has no words the WER is
the number of inserted words (0 when the hypothesis is empty too), not a ratio.

Lesson: 08 Measuring accuracy: WER and CER.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from asrlab._validate import _describe

__all__ = [
    "Measures", "edit_distance", "edit_table", "align", "format_alignment", "measures", "wer", "cer", "normalize",
]

_RUNS_OF_SPACE = re.compile(r"\s\s+")


# --------------------------------------------------------------------------------------
# validation


def _check_sequence(seq: Any, *, name: str) -> Sequence[Any]:
    """A str (characters), a list/tuple (tokens) or a 1-D NumPy array."""
    if isinstance(seq, (str, list, tuple)):
        return seq
    if isinstance(seq, np.ndarray):
        if seq.ndim != 1:
            raise ValueError(f"{name}: expected a 1-D sequence, got shape {seq.shape}")
        return seq.tolist()
    raise TypeError(
        f"{name}: expected a sequence (str of characters, or list of tokens), "
        f"got {_describe(seq)}"
    )


def _check_sentences(text: Any, *, name: str) -> list[str]:
    """A string or a non-empty list/tuple of strings -> list of strings."""
    if isinstance(text, str):
        return [text]
    if not isinstance(text, (list, tuple)):
        raise TypeError(f"{name}: expected a string or a list of strings, got {_describe(text)}")
    if len(text) == 0:
        raise ValueError(f"{name}: expected at least one sentence, got an empty {type(text).__name__}")
    for k, sentence in enumerate(text):
        if not isinstance(sentence, str):
            raise TypeError(
                f"{name}: expected a list of strings, got {_describe(sentence)} at position {k}"
            )
    return list(text)


def _check_pair(reference: Any, hypothesis: Any) -> tuple[list[str], list[str]]:
    refs = _check_sentences(reference, name="reference")
    hyps = _check_sentences(hypothesis, name="hypothesis")
    if len(refs) != len(hyps):
        raise ValueError(
            f"hypothesis: expected one hypothesis per reference sentence ({len(refs)}), "
            f"got {len(hyps)}"
        )
    return refs, hyps


def _words(sentence: str) -> list[str]:
    """jiwer's default word split: squeeze whitespace runs, strip, split on spaces."""
    return [w for w in _RUNS_OF_SPACE.sub(" ", sentence).strip().split(" ") if w]


# --------------------------------------------------------------------------------------
# edit distance and alignment


def edit_distance(ref: Sequence[Any], hyp: Sequence[Any]) -> int:
    """Levenshtein distance: the fewest substitutions, deletions and insertions (each
    costing 1) that turn ``ref`` into ``hyp``.

    Args:
        ref: Reference sequence: a ``str`` is a sequence of characters, a ``list`` or
            ``tuple`` a sequence of tokens (e.g. ``"the cat".split()``).
        hyp: Hypothesis sequence, same conventions.

    Returns:
        The distance, an ``int`` between ``abs(len(ref) - len(hyp))`` and
        ``max(len(ref), len(hyp))``.

    Example:
        ``edit_distance("kitten", "sitting") == 3``;
        ``edit_distance("the cat sat".split(), "the cat sat down".split()) == 1``.

    Lesson: 08 Measuring accuracy: WER and CER.
    """
    ref = _check_sequence(ref, name="ref")
    hyp = _check_sequence(hyp, name="hyp")
    if len(hyp) > len(ref):  # the distance is symmetric: keep the rows short
        ref, hyp = hyp, ref
    # prev[j] = distance between the first i-1 items of ref and the first j of hyp
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        cur = [i]
        left = i
        for j, h in enumerate(hyp, start=1):
            best = prev[j - 1] + (r != h)  # substitution (or a free match)
            if prev[j] + 1 < best:  # deletion of r
                best = prev[j] + 1
            if left + 1 < best:  # insertion of h
                best = left + 1
            cur.append(best)
            left = best
        prev = cur
    return prev[-1]


def _table(ref: Sequence[Any], hyp: Sequence[Any]) -> list[list[int]]:
    """Full DP table: ``D[i][j]`` = distance between ``ref[:i]`` and ``hyp[:j]``."""
    m = len(hyp)
    D = [list(range(m + 1))]
    for i, r in enumerate(ref, start=1):
        prev = D[-1]
        cur = [i]
        for j in range(1, m + 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != hyp[j - 1])))
        D.append(cur)
    return D


def edit_table(ref: Sequence[Any], hyp: Sequence[Any]) -> np.ndarray:
    """The whole dynamic-programming table of :func:`edit_distance`.

    Args:
        ref: Reference sequence (a ``str`` of characters or a list of tokens).
        hyp: Hypothesis sequence, same conventions.

    Returns:
        An ``int64`` array ``D`` of shape ``(len(ref) + 1, len(hyp) + 1)``: ``D[i, j]`` is
        the edit distance between the first ``i`` items of ``ref`` and the first ``j``
        of ``hyp``; row 0 is ``0, 1, 2, ...`` (insertions), column 0 likewise
        (deletions), and ``D[-1, -1] == edit_distance(ref, hyp)``.

    Example:
        ``edit_table("ab", "b")`` is ``[[0, 1], [1, 1], [2, 1]]``.

    Lesson: 08 Measuring accuracy: WER and CER.
    """
    ref = _check_sequence(ref, name="ref")
    hyp = _check_sequence(hyp, name="hyp")
    return np.array(_table(ref, hyp), dtype=np.int64).reshape(len(ref) + 1, len(hyp) + 1)


def _alignment(ref: Sequence[Any], hyp: Sequence[Any]) -> list[tuple[str, Any, Any]]:
    """A minimal alignment, chosen among the equally short ones the way jiwer chooses.

    Common leading and trailing items are matched first; the middle is backtraced from
    the bottom-right corner of its table with this preference at every cell: delete the
    reference item when the cell above is exactly one cheaper; otherwise step back one
    hypothesis item and call it an insertion when, in that column, the reference prefix
    one item shorter costs one more; otherwise take the diagonal (equal or substitution).
    """
    n, m = len(ref), len(hyp)
    p = 0
    while p < n and p < m and ref[p] == hyp[p]:
        p += 1
    s = 0
    while s < n - p and s < m - p and ref[n - 1 - s] == hyp[m - 1 - s]:
        s += 1
    r, h = ref[p : n - s], hyp[p : m - s]
    D = _table(r, h)
    i, j = len(r), len(h)
    middle: list[tuple[str, Any, Any]] = []
    while i and j:
        if D[i][j] == D[i - 1][j] + 1:
            i -= 1
            middle.append(("del", r[i], None))
            continue
        j -= 1
        if j and D[i][j] == D[i - 1][j] - 1:
            middle.append(("ins", None, h[j]))
            continue
        i -= 1
        middle.append(("equal" if r[i] == h[j] else "sub", r[i], h[j]))
    while i:
        i -= 1
        middle.append(("del", r[i], None))
    while j:
        j -= 1
        middle.append(("ins", None, h[j]))
    middle.reverse()
    head = [("equal", x, x) for x in ref[:p]]
    tail = [("equal", ref[k], hyp[m - (n - k)]) for k in range(n - s, n)]
    return head + middle + tail


def align(ref_words: Sequence[Any], hyp_words: Sequence[Any]) -> list[tuple[str, Any, Any]]:
    """Align two sequences: the backtrace of the edit-distance table.

    Args:
        ref_words: Reference tokens, e.g. ``"the cat sat".split()``.  A ``str`` is
            aligned character by character.
        hyp_words: Hypothesis tokens, same conventions.

    Returns:
        A list of ``(op, ref, hyp)`` triples in reading order, ``op`` one of
        ``"equal"``, ``"sub"`` (substitution), ``"del"`` (deletion: ``hyp`` is ``None``)
        and ``"ins"`` (insertion: ``ref`` is ``None``).  The number of non-``equal``
        operations is :func:`edit_distance`.  Where several minimal alignments exist,
        the one returned has the same substitution/deletion/insertion counts as jiwer's.

    Example:
        ``align("the cat sat".split(), "the cat sat down".split())`` ends with
        ``("ins", None, "down")``.

    Lesson: 08 Measuring accuracy: WER and CER.
    """
    ref = _check_sequence(ref_words, name="ref_words")
    hyp = _check_sequence(hyp_words, name="hyp_words")
    return _alignment(ref, hyp)


_MARKS = {"equal": " ", "sub": "S", "del": "D", "ins": "I"}


def format_alignment(ops: Sequence[tuple[str, Any, Any]]) -> str:
    """Print an alignment the way people read one: a REF row, a HYP row and the marks.

    Each column is as wide as its longer word and right-aligned; a deleted word has stars
    in the HYP row, an inserted one stars in the REF row, and the third row marks the
    column ``S``, ``D`` or ``I`` (blank for a match).  The layout is
    ``jiwer.visualize_alignment``'s::

        REF: the cat sat on the mat *****
        HYP:   a cat sat ** the mat today
               S          D             I

    Args:
        ops: ``(op, ref, hyp)`` triples as returned by :func:`align`.

    Returns:
        Three lines joined by newlines (no trailing newline).

    Raises:
        TypeError: ``ops`` is not a list of triples.
        ValueError: an unknown operation name.

    Lesson: 08 Measuring accuracy: WER and CER.
    """
    if not isinstance(ops, (list, tuple)):
        raise TypeError(f"ops: expected a list of (op, ref, hyp) triples, got {_describe(ops)}")
    rows = ["REF:", "HYP:", "    "]
    for k, item in enumerate(ops):
        if not isinstance(item, (list, tuple)) or len(item) != 3:
            raise TypeError(f"ops: expected (op, ref, hyp) triples, got {item!r} at position {k}"[:160])
        op, r, h = item
        if op not in _MARKS:
            raise ValueError(f"ops: expected one of {sorted(_MARKS)}, got {op!r} at position {k}")
        r = "" if op == "ins" else str(r)
        h = "" if op == "del" else str(h)
        width = max(len(r), len(h), 1)
        r = "*" * width if op == "ins" else r
        h = "*" * width if op == "del" else h
        rows = [row + " " + cell.rjust(width) for row, cell in zip(rows, (r, h, _MARKS[op]))]
    return "\n".join(rows)


# --------------------------------------------------------------------------------------
# counts and rates


@dataclass(frozen=True)
class Measures:
    """Word-level counts over one sentence or a whole corpus (see :func:`measures`).

    Attributes:
        hits: Reference words matched exactly.
        substitutions: Reference words replaced by another word.
        deletions: Reference words missing from the hypothesis.
        insertions: Hypothesis words with no reference word.
        wer: ``(substitutions + deletions + insertions) / ref_words``; when there are no
            reference words at all, the number of insertions (as jiwer does).
        ref_words: Number of reference words (``hits + substitutions + deletions``).
        hyp_words: Number of hypothesis words (``hits + substitutions + insertions``).
    """

    hits: int
    substitutions: int
    deletions: int
    insertions: int
    wer: float
    ref_words: int
    hyp_words: int

    @property
    def errors(self) -> int:
        """``substitutions + deletions + insertions``."""
        return self.substitutions + self.deletions + self.insertions


def measures(reference: str | Sequence[str], hypothesis: str | Sequence[str]) -> Measures:
    """Hits, substitutions, deletions, insertions and WER, like ``jiwer.process_words``.

    Args:
        reference: One sentence, or a list of sentences (corpus level).
        hypothesis: The recognised sentence(s), one per reference sentence.

    Returns:
        A frozen :class:`Measures`.  The counts are summed over all sentences.

    Raises:
        TypeError: not a string or a list of strings.
        ValueError: an empty list, or different numbers of sentences.

    Example:
        ``measures("the cat sat", "the cat sat down")`` has 3 hits, 1 insertion and
        ``wer == 1/3``.

    Lesson: 08 Measuring accuracy: WER and CER.
    """
    refs, hyps = _check_pair(reference, hypothesis)
    hits = subs = dels = ins = n_ref = n_hyp = 0
    for ref_text, hyp_text in zip(refs, hyps):
        ref, hyp = _words(ref_text), _words(hyp_text)
        n_ref += len(ref)
        n_hyp += len(hyp)
        for op, _, _ in _alignment(ref, hyp):
            if op == "equal":
                hits += 1
            elif op == "sub":
                subs += 1
            elif op == "del":
                dels += 1
            else:
                ins += 1
    rate = float(ins) if n_ref == 0 else (subs + dels + ins) / n_ref
    return Measures(hits, subs, dels, ins, rate, n_ref, n_hyp)


_BUCKET = 256


def _corpus_distance(refs: list[np.ndarray], hyps: list[np.ndarray]) -> int:
    """Sum of the edit distances of many pairs of integer sequences, all at once.

    The sentences are sorted by length and processed in buckets; within a bucket one
    NumPy operation updates one row of every sentence's table.  The row update uses
    ``E[i][j] = D[i][j] - j``, which turns the insertion term into a running minimum:
    ``E[i][j] = min(E[i][j-1], E[i-1][j] + 1, E[i-1][j-1] - match)``.
    """
    n_ref = np.fromiter((len(r) for r in refs), dtype=np.int64, count=len(refs))
    n_hyp = np.fromiter((len(h) for h in hyps), dtype=np.int64, count=len(hyps))
    total = int(n_hyp[n_ref == 0].sum())  # an empty reference: every word is inserted
    order = np.argsort(n_ref, kind="stable")
    order = order[n_ref[order] > 0]
    bucket = _BUCKET
    for start in range(0, len(order), bucket):
        idx = order[start : start + bucket]
        nr, nh = n_ref[idx], n_hyp[idx]
        N, M, B = int(nr.max()), int(nh.max()), len(idx)
        R = np.full((N, B), -1, dtype=np.int64)  # padding never matches: -1 vs -2
        H = np.full((M, B), -2, dtype=np.int64)
        R.T[np.arange(N) < nr[:, None]] = np.concatenate([refs[k] for k in idx])
        H.T[np.arange(M) < nh[:, None]] = np.concatenate([hyps[k] for k in idx])
        dtype = np.int16 if N + M < 30000 else np.int64
        prev = np.zeros((M + 1, B), dtype=dtype)  # E[0][j] = j - j = 0
        cur = np.empty_like(prev)
        lo = 0  # sentences in this bucket are sorted by reference length
        for i in range(1, N + 1):
            eq = H == R[i - 1]
            np.add(prev[1:], 1, out=cur[1:])
            np.minimum(cur[1:], prev[:-1] - eq, out=cur[1:])
            cur[0] = i
            shift = 1  # running minimum over j, in log2(M) steps (Hillis-Steele scan)
            while shift <= M:
                np.minimum(cur[shift:], cur[:-shift], out=cur[shift:])
                shift *= 2
            hi = int(np.searchsorted(nr, i, side="right"))
            if hi > lo:
                cols = np.arange(lo, hi)
                total += int((cur[nh[lo:hi], cols] + nh[lo:hi]).sum())
                lo = hi
            prev, cur = cur, prev
    return total


def wer(reference: str | Sequence[str], hypothesis: str | Sequence[str]) -> float:
    """Word error rate ``(S + D + I) / N_ref``, corpus level, like ``jiwer.wer``.

    Args:
        reference: One sentence, or a list of sentences.
        hypothesis: The recognised sentence(s), one per reference sentence.

    Returns:
        Total word edit distance divided by the total number of reference words (can
        exceed 1).  With no reference words at all: the number of hypothesis words.

    Example:
        ``wer("the cat sat", "the cat sat down") == 1/3``.

    Lesson: 08 Measuring accuracy: WER and CER.
    """
    refs, hyps = _check_pair(reference, hypothesis)
    vocab: dict[str, int] = {}
    get = vocab.setdefault
    ref_ids = [np.array([get(w, len(vocab)) for w in _words(s)], dtype=np.int64) for s in refs]
    hyp_ids = [np.array([get(w, len(vocab)) for w in _words(s)], dtype=np.int64) for s in hyps]
    n_ref = sum(len(r) for r in ref_ids)
    errors = _corpus_distance(ref_ids, hyp_ids)
    return float(errors) if n_ref == 0 else errors / n_ref


def cer(reference: str | Sequence[str], hypothesis: str | Sequence[str]) -> float:
    """Character error rate, corpus level, like ``jiwer.cer``.

    Each sentence has its leading and trailing whitespace stripped; every other
    character counts, spaces included.

    Args:
        reference: One sentence, or a list of sentences.
        hypothesis: The recognised sentence(s), one per reference sentence.

    Returns:
        Total character edit distance divided by the total number of reference
        characters.  With no reference characters at all: the number of hypothesis
        characters.

    Example:
        ``cer("hello", "helo") == 0.2``.

    Lesson: 08 Measuring accuracy: WER and CER.
    """
    refs, hyps = _check_pair(reference, hypothesis)

    def codes(sentences: list[str]) -> list[np.ndarray]:
        stripped = [s.strip() for s in sentences]
        flat = np.frombuffer("".join(stripped).encode("utf-32-le"), dtype=np.uint32)
        bounds = np.cumsum([0] + [len(s) for s in stripped])
        flat = flat.astype(np.int64)
        return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]

    ref_codes, hyp_codes = codes(refs), codes(hyps)
    n_ref = sum(len(r) for r in ref_codes)
    errors = _corpus_distance(ref_codes, hyp_codes)
    return float(errors) if n_ref == 0 else errors / n_ref


# --------------------------------------------------------------------------------------
# normalisation

def normalize(text: str) -> str:
    """Normalise text before scoring, so that case and punctuation are not errors.

    Exactly these steps, in this order:

    1. lower-case with ``str.lower``;
    2. the typographic apostrophe ``'\u2019'`` becomes ``"'"``; an apostrophe between
       two letters or digits is kept (``"don't"``, ``"it's"``);
    3. every other punctuation character (Unicode category ``P*``: ``. , ; : ! ? " ( )
       [ ] - _ / ' % # & * @`` and so on) is replaced by a space, so ``"twenty-one"``
       becomes ``"twenty one"``; symbols (category ``S*``: ``$ + = < > ^ | ~``),
       letters and digits are kept;
    4. every run of whitespace (spaces, tabs, newlines) becomes one space, and the ends
       are stripped.

    Args:
        text: Any string.

    Returns:
        The normalised string (possibly empty).

    Example:
        ``normalize("  Hello,   World! It's 9-5.") == "hello world it's 9 5"``.

    Lesson: 08 Measuring accuracy: WER and CER.
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected a string, got {_describe(text)}")
    lowered = text.lower().replace("\u2019", "'")
    out = []
    last = len(lowered) - 1
    for k, ch in enumerate(lowered):
        if unicodedata.category(ch).startswith("P"):
            if (
                ch == "'"
                and 0 < k < last
                and lowered[k - 1].isalnum()
                and lowered[k + 1].isalnum()
            ):
                out.append(ch)
            else:
                out.append(" ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())
