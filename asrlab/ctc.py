"""Connectionist temporal classification (CTC): decoding and the loss, from scratch.

A CTC model outputs, for each of ``T`` frames, a log-probability for each of ``V``
classes: the symbols of an alphabet plus one extra *blank* class (id ``blank``, 0 by
default).  A path (one class per frame) is turned into text by the collapse rule: merge
repeated classes, then drop blanks, so ``"hh-e-ll-ll-oo"`` reads ``"hello"``.

Decoding (lesson 07):

* :func:`collapse` applies the rule to a sequence;
* :func:`greedy_decode` takes the most likely class in every frame (best path);
* :func:`beam_search` is CTC prefix beam search in log space, optionally fused with a
  language model; :func:`vocabulary_lm` builds one that keeps the text inside a word list.

The loss (lesson 09):

* :func:`extend_with_blanks` puts a blank around every label (``2L + 1`` states);
* :func:`forward_variables` is the alpha recursion in log space (a ``(T, 2L + 1)`` matrix);
* :func:`ctc_loss` is ``-log p(targets | log_probs)``, equal to
  ``torch.nn.functional.ctc_loss(..., reduction="sum")``;
* :func:`count_alignments` counts the paths that collapse to a target;
* :func:`forced_align` finds the single most likely path (Viterbi): which frames each
  label occupies.

Conventions: ``log_probs`` is a NumPy array of shape ``(T, V)`` (frames by classes) of
natural-log probabilities, e.g. the output of a log-softmax; rows are used as given (not
re-normalised).  ``targets`` is a sequence of class ids in ``[0, V)`` without the blank.
A target needs at least ``len(targets) + repeats`` frames, where ``repeats`` counts
neighbouring equal labels (they need a blank between them).

Language models for :func:`beam_search`: any callable ``lm(prefix, symbol) -> float``
returning the natural-log probability of appending the string ``symbol`` to the decoded
text ``prefix``.  At the end of the utterance the decoder calls ``lm(text, "")``: the
empty symbol means "end of text" (return 0.0 to ignore it).  The decoder adds
``lm_weight * lm(prefix, symbol)`` to a beam's score each time it appends a symbol
(shallow fusion).

Lessons: 07 CTC decoding; 09 The CTC loss.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from asrlab._validate import _describe, check_finite_array, check_nonnegative_int, check_positive_int

__all__ = [
    "collapse",
    "greedy_decode",
    "beam_search",
    "vocabulary_lm",
    "VocabularyLM",
    "ctc_loss",
    "extend_with_blanks",
    "forward_variables",
    "count_alignments",
    "required_frames",
    "forced_align",
]

LanguageModel = Callable[[str, str], float]
S = TypeVar("S", str, list, tuple, np.ndarray)

_NEG_INF = -math.inf


# --------------------------------------------------------------------------------------
# validation


def _check_log_probs(log_probs: Any) -> np.ndarray:
    """``(T, V)`` floats as float64; a torch tensor is converted first.

    ``-inf`` is allowed (the log of a zero probability, common in hand-made examples);
    NaN and ``+inf`` are not.
    """
    if hasattr(log_probs, "detach") and hasattr(log_probs, "numpy"):
        log_probs = log_probs.detach().cpu().numpy()
    if isinstance(log_probs, np.ndarray) and np.issubdtype(log_probs.dtype, np.floating):
        if np.isnan(log_probs).any() or np.isposinf(log_probs).any():
            bad = "NaN" if np.isnan(log_probs).any() else "+infinity"
            raise ValueError(f"log_probs: expected log-probabilities (finite or -inf), got {bad}")
        # Shape and emptiness checks on a copy where -inf stands in as 0.
        check_finite_array(np.where(np.isneginf(log_probs), 0.0, log_probs), name="log_probs", ndim=None)
        x = log_probs
    else:
        x = check_finite_array(log_probs, name="log_probs", ndim=None)
    if x.ndim != 2:
        raise ValueError(
            f"log_probs: expected a 2-D array of shape (T frames, V classes), got shape {x.shape}"
        )
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"log_probs: expected floating-point log-probabilities, got dtype {x.dtype}"
        )
    return x.astype(np.float64, copy=False)


def _check_blank(blank: Any, n_classes: int | None) -> int:
    blank = check_nonnegative_int(blank, name="blank")
    if n_classes is not None and blank >= n_classes:
        raise ValueError(
            f"blank: expected a class id in [0, {n_classes}) (log_probs has {n_classes} "
            f"classes), got {blank}"
        )
    return blank


def _check_targets(targets: Any, *, blank: int, n_classes: int | None) -> list[int]:
    if isinstance(targets, np.ndarray):
        if targets.ndim != 1:
            raise ValueError(f"targets: expected a 1-D sequence of class ids, got shape {targets.shape}")
        if targets.size and not np.issubdtype(targets.dtype, np.integer):
            raise TypeError(f"targets: expected integer class ids, got dtype {targets.dtype}")
        targets = targets.tolist()
    if isinstance(targets, str) or not isinstance(targets, (list, tuple)):
        raise TypeError(
            f"targets: expected a sequence of integer class ids, got {_describe(targets)}"
        )
    out = []
    for k, label in enumerate(targets):
        if isinstance(label, (bool, np.bool_)) or not isinstance(label, numbers.Integral):
            raise TypeError(
                f"targets: expected integer class ids, got {_describe(label)} at position {k}"
            )
        label = int(label)
        if label == blank:
            raise ValueError(
                f"targets: expected labels without the blank id {blank}, got it at position {k}"
            )
        if label < 0 or (n_classes is not None and label >= n_classes):
            bound = f"[0, {n_classes})" if n_classes is not None else "[0, inf)"
            raise ValueError(
                f"targets: expected class ids in {bound}, got {label} at position {k}"
            )
        out.append(label)
    return out


def required_frames(targets: Sequence[int]) -> int:
    """Fewest frames a CTC path needs for ``targets``: one per label, plus one blank
    between every two equal neighbours (``[a, a]`` needs ``a - a``, 3 frames).

    Lessons: 07 CTC decoding; 09 The CTC loss.
    """
    labels = list(targets)
    return len(labels) + sum(1 for a, b in zip(labels, labels[1:]) if a == b)


def _check_enough_frames(n_frames: int, targets: list[int]) -> None:
    need = required_frames(targets)
    if n_frames < need:
        repeats = need - len(targets)
        raise ValueError(
            f"log_probs: expected at least {need} frames for {len(targets)} target labels "
            f"with {repeats} repeated neighbour(s) (each needs a blank between), "
            f"got {n_frames} frames"
        )


def _check_alphabet(alphabet: Any, n_classes: int, blank: int) -> list[str]:
    if isinstance(alphabet, str):
        symbols = list(alphabet)
    elif isinstance(alphabet, (list, tuple)):
        symbols = list(alphabet)
        for k, sym in enumerate(symbols):
            if not isinstance(sym, str):
                raise TypeError(
                    f"alphabet: expected a string or a list of strings, got {_describe(sym)} "
                    f"at position {k}"
                )
    else:
        raise TypeError(f"alphabet: expected a string or a list of strings, got {_describe(alphabet)}")
    if len(symbols) != n_classes:
        raise ValueError(
            f"alphabet: expected {n_classes} symbols (one per class of log_probs, blank "
            f"included), got {len(symbols)}"
        )
    for k, sym in enumerate(symbols):
        if k != blank and sym == "":
            raise ValueError(f"alphabet: expected non-empty symbols, got '' for class {k}")
    return symbols


# --------------------------------------------------------------------------------------
# decoding


def collapse(seq: S, *, blank: Any) -> S:
    """The CTC collapse rule: merge repeated symbols, then drop blanks.

    Args:
        seq: A path: a ``str`` (one character per frame), a ``list`` or ``tuple`` of
            symbols or class ids, or a 1-D NumPy array of class ids.
        blank: The blank symbol (a one-character ``str`` for a ``str`` path) or id.

    Returns:
        The collapsed sequence, of the same type as ``seq``.

    Example:
        ``collapse("h-e-l-l-o", blank="-") == "helo"``;
        ``collapse("hh-e-ll-ll-oo", blank="-") == "hello"``;
        ``collapse([0, 3, 3, 0, 3], blank=0) == [3, 3]``.

    Lesson: 07 CTC decoding.
    """
    if isinstance(seq, str):
        if not isinstance(blank, str) or len(blank) != 1:
            raise ValueError(
                f"blank: expected a single character for a str path, got {_describe(blank)}"
            )
        items: Sequence[Any] = seq
    elif isinstance(seq, (list, tuple)):
        items = seq
    elif isinstance(seq, np.ndarray):
        if seq.ndim != 1:
            raise ValueError(f"seq: expected a 1-D path, got shape {seq.shape}")
        items = seq.tolist()
    else:
        raise TypeError(f"seq: expected a str, list, tuple or 1-D array, got {_describe(seq)}")
    out = []
    previous: Any = object()  # equal to nothing
    for symbol in items:
        if symbol != previous and symbol != blank:
            out.append(symbol)
        previous = symbol
    if isinstance(seq, str):
        return "".join(out)
    if isinstance(seq, tuple):
        return tuple(out)
    if isinstance(seq, np.ndarray):
        return np.array(out, dtype=seq.dtype)
    return out


def greedy_decode(log_probs: np.ndarray, *, alphabet: str | Sequence[str], blank: int = 0) -> str:
    """Best-path decoding: the most likely class in every frame, collapsed, as text.

    Args:
        log_probs: ``(T, V)`` log-probabilities (frames by classes).  Probabilities or
            raw scores give the same result, since only the argmax is used.
        alphabet: One symbol per class, index = class id: a ``str`` of ``V`` characters
            or a list of ``V`` strings.  The blank's entry is never output.
        blank: Class id of the blank (default 0).

    Returns:
        The decoded text.

    Example:
        With ``alphabet="-ab"`` and frames whose argmax is ``a a - b b``: ``"ab"``.

    Lesson: 07 CTC decoding.
    """
    x = _check_log_probs(log_probs)
    blank = _check_blank(blank, x.shape[1])
    symbols = _check_alphabet(alphabet, x.shape[1], blank)
    path = np.argmax(x, axis=1).tolist()
    return "".join(symbols[k] for k in collapse(path, blank=blank))


def _logaddexp(a: float, b: float) -> float:
    if a == _NEG_INF:
        return b
    if b == _NEG_INF:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


def beam_search(
    log_probs: np.ndarray,
    *,
    alphabet: str | Sequence[str],
    beam_width: int = 8,
    blank: int = 0,
    lm: LanguageModel | None = None,
    lm_weight: float = 0.0,
    return_beams: bool = False,
) -> str | list[tuple[str, float]]:
    """CTC prefix beam search in log space, with optional shallow fusion of an LM.

    Every beam is a prefix (a collapsed label sequence) with two log-probabilities:
    of all paths so far that produce it and end in a blank, and of those ending in its
    last label.  Each frame extends every beam by a blank (same prefix), by its last
    label again (same prefix, unless a blank came in between) or by a new label; the
    probabilities of paths that reach the same prefix are added (log-sum-exp) and the
    ``beam_width`` most likely prefixes are kept.

    Args:
        log_probs: ``(T, V)`` log-probabilities (frames by classes).
        alphabet: One symbol per class (see :func:`greedy_decode`).
        beam_width: Prefixes kept after each frame (default 8).  ``beam_width=1``
            without a language model is best-path decoding, the result of
            :func:`greedy_decode` (a single summed prefix can disagree with the best
            path on near-ties, so width 1 is defined as the best path).
        blank: Class id of the blank (default 0).
        lm: A language model ``lm(prefix, symbol) -> log-probability``, called with
            the decoded text so far and the symbol to append, and with ``symbol=""``
            once at the end (see the module docstring), or ``None``.
        lm_weight: Weight of the LM's log-probabilities (default 0.0: the LM is unused).
        return_beams: Return the final beams instead of the best text.

    Returns:
        The best text; with ``return_beams=True``, a list of up to ``beam_width``
        ``(text, score)`` pairs, best first, where ``score`` is the natural-log
        probability of the text plus ``lm_weight`` times its LM log-probability (for
        ``beam_width=1`` without an LM: the best path's log-probability).

    Lesson: 07 CTC decoding.
    """
    x = _check_log_probs(log_probs)
    n_frames, n_classes = x.shape
    blank = _check_blank(blank, n_classes)
    symbols = _check_alphabet(alphabet, n_classes, blank)
    beam_width = check_positive_int(beam_width, name="beam_width")
    if lm is not None and not callable(lm):
        raise TypeError(f"lm: expected a callable lm(prefix, symbol) -> float, got {_describe(lm)}")
    if isinstance(lm_weight, bool) or not isinstance(lm_weight, numbers.Real) or not math.isfinite(lm_weight):
        raise TypeError(f"lm_weight: expected a finite real number, got {_describe(lm_weight)}")
    use_lm = lm is not None and lm_weight != 0.0

    if beam_width == 1 and not use_lm:
        path = np.argmax(x, axis=1)
        text = "".join(symbols[k] for k in collapse(path.tolist(), blank=blank))
        if return_beams:
            return [(text, float(x[np.arange(n_frames), path].sum()))]
        return text

    labels = np.array([k for k in range(n_classes) if k != blank], dtype=np.int64)
    column = {int(k): c for c, k in enumerate(labels)}  # class id -> column of `labels`
    texts: dict[tuple[int, ...], str] = {(): ""}
    lm_rows: dict[tuple[int, ...], np.ndarray] = {}

    def lm_row(prefix: tuple[int, ...]) -> np.ndarray:
        """``lm_weight * lm(text, symbol)`` for every label, once per prefix."""
        if prefix not in lm_rows:
            text = texts[prefix]
            lm_rows[prefix] = lm_weight * np.array(
                [float(lm(text, symbols[k])) for k in labels]  # type: ignore[misc]
            )
        return lm_rows[prefix]

    # beams: prefix -> [log p(paths ending in blank), log p(paths ending in a label)]
    beams: dict[tuple[int, ...], list[float]] = {(): [0.0, _NEG_INF]}
    for t in range(n_frames):
        frame = x[t]
        p_blank = float(frame[blank])
        prefixes = list(beams)
        pb = np.array([beams[p][0] for p in prefixes])
        pnb = np.array([beams[p][1] for p in prefixes])
        total = np.logaddexp(pb, pnb)
        # a new label grows the prefix: grow[r, c] for prefix r and label labels[c]
        grow = total[:, None] + frame[labels][None, :]
        for r, prefix in enumerate(prefixes):
            if prefix:  # repeating the last label needs a blank in between
                last = prefix[-1]
                grow[r, column[last]] = pb[r] + frame[last]
            if use_lm:
                grow[r] += lm_row(prefix)
        # a blank, or the last label again: the prefix stays
        nxt: dict[tuple[int, ...], list[float]] = {}
        for r, prefix in enumerate(prefixes):
            stay_label = float(pnb[r] + frame[prefix[-1]]) if prefix else _NEG_INF
            nxt[prefix] = [float(total[r]) + p_blank, stay_label]
        # a beam that grows into another beam: add to that beam's paths
        row_of = {p: r for r, p in enumerate(prefixes)}
        for prefix in prefixes:
            if prefix and prefix[:-1] in row_of:
                r, c = row_of[prefix[:-1]], column[prefix[-1]]
                nxt[prefix][1] = _logaddexp(nxt[prefix][1], float(grow[r, c]))
                grow[r, c] = _NEG_INF
        # every other grown prefix is new and has a single score: keep only those that
        # can be among the best `beam_width` (the same beams as sorting everything)
        kept = [_logaddexp(b, nb) for b, nb in nxt.values()]
        candidates = np.concatenate([kept, grow.ravel()])
        floor = -np.inf
        if len(candidates) > beam_width:
            floor = np.partition(candidates, -beam_width)[-beam_width]
        for r, c in zip(*np.nonzero((grow >= floor) & (grow > -np.inf))):
            prefix, label = prefixes[r], int(labels[c])
            grown = prefix + (label,)
            texts[grown] = texts[prefix] + symbols[label]
            nxt[grown] = [_NEG_INF, float(grow[r, c])]
        ranked = sorted(nxt.items(), key=lambda item: -_logaddexp(*item[1]))
        beams = dict(ranked[:beam_width])

    final = []
    for prefix, (pb, pnb) in beams.items():
        score = _logaddexp(pb, pnb)
        if use_lm:
            score += lm_weight * float(lm(texts[prefix], ""))  # type: ignore[misc]
        final.append((texts[prefix], score))
    final.sort(key=lambda item: -item[1])
    if return_beams:
        return final
    return final[0][0]


class VocabularyLM:
    """A language model that keeps decoded text inside a word list (see
    :func:`vocabulary_lm`).  Call it as ``lm(prefix, symbol) -> log-probability``."""

    def __init__(self, words: Sequence[str], *, penalty: float = -100.0, separator: str = " "):
        self.words = frozenset(words)
        self.prefixes = frozenset(w[:k] for w in self.words for k in range(len(w) + 1))
        self.penalty = float(penalty)
        self.separator = separator

    def _ok(self, pieces: list[str], *, finished: bool) -> bool:
        """Complete words must be in the list, the unfinished last one a prefix of one."""
        *complete, last = pieces
        if any(w not in self.words for w in complete):
            return False
        return last == "" or (last in self.words if finished else last in self.prefixes)

    def __call__(self, prefix: str, symbol: str) -> float:
        current = prefix.rsplit(self.separator, 1)[-1]  # the word being spelled
        if symbol == "":  # end of text: the last word must be complete
            return 0.0 if self._ok([current], finished=True) else self.penalty
        pieces = (current + symbol).split(self.separator)
        return 0.0 if self._ok(pieces, finished=False) else self.penalty

    def __repr__(self) -> str:
        return f"vocabulary_lm({sorted(self.words)!r}, penalty={self.penalty})"


def vocabulary_lm(
    words: Sequence[str], *, penalty: float = -100.0, separator: str = " "
) -> VocabularyLM:
    """A language model for :func:`beam_search` that strongly prefers vocabulary words.

    Appending a symbol costs nothing (log-probability 0.0) when the text stays a
    sequence of complete vocabulary words separated by ``separator``, followed by a
    prefix of a vocabulary word; otherwise it costs ``penalty``.  At the end of the text
    (``symbol=""``) the last word must be complete.  With ``lm_weight=1`` the default
    penalty (-100 nats, a factor of about 1e-44) acts as a hard constraint; smaller
    weights make it a bias.

    Args:
        words: The vocabulary, e.g. ``["yes", "no", "up", "down"]``.
        penalty: Log-probability of a symbol that leaves the vocabulary (default -100.0).
        separator: The symbol between words (default ``" "``).

    Returns:
        A callable ``lm(prefix, symbol) -> float``.

    Example:
        ``beam_search(lp, alphabet=alphabet, lm=vocabulary_lm(["one", "two"]),
        lm_weight=1.0)`` only returns texts such as ``"one"``, ``"two one"``.

    Lesson: 07 CTC decoding.
    """
    if isinstance(words, str) or not isinstance(words, (list, tuple, set, frozenset)):
        raise TypeError(f"words: expected a list of words, got {_describe(words)}")
    if len(words) == 0:
        raise ValueError("words: expected at least one word, got an empty list")
    for k, w in enumerate(words):
        if not isinstance(w, str) or w == "":
            raise ValueError(f"words: expected non-empty strings, got {_describe(w)} at position {k}")
        if separator in w:
            raise ValueError(f"words: expected words without the separator {separator!r}, got {w!r}")
    if not isinstance(separator, str) or len(separator) == 0:
        raise ValueError(f"separator: expected a non-empty string, got {_describe(separator)}")
    if isinstance(penalty, bool) or not isinstance(penalty, numbers.Real) or not penalty < 0:
        raise ValueError(f"penalty: expected a negative log-probability, got {_describe(penalty)}")
    return VocabularyLM(words, penalty=penalty, separator=separator)


# --------------------------------------------------------------------------------------
# the loss


def extend_with_blanks(targets: Sequence[int], *, blank: int = 0) -> list[int]:
    """The extended label sequence: a blank before, between and after the labels.

    Args:
        targets: Label ids (without the blank).
        blank: Class id of the blank (default 0).

    Returns:
        A list of ``2 * len(targets) + 1`` ids: ``[a, b] -> [blank, a, blank, b, blank]``.

    Lesson: 09 The CTC loss.
    """
    blank = _check_blank(blank, None)
    labels = _check_targets(targets, blank=blank, n_classes=None)
    out = [blank]
    for label in labels:
        out += [label, blank]
    return out


def _lattice(log_probs: Any, targets: Sequence[int], blank: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The checked inputs of a path search through the CTC lattice: ``(emit, z, skip_ok)``.

    ``z`` is the extended label sequence, ``emit[t, s]`` the log-probability of state
    ``s``'s class in frame ``t``, and ``skip_ok[s]`` whether a path may jump from state
    ``s - 2`` to ``s`` (a label that differs from the label before it).
    """
    x = _check_log_probs(log_probs)
    n_frames, n_classes = x.shape
    blank = _check_blank(blank, n_classes)
    labels = _check_targets(targets, blank=blank, n_classes=n_classes)
    _check_enough_frames(n_frames, labels)
    z = np.array(extend_with_blanks(labels, blank=blank))
    skip_ok = np.zeros(len(z), dtype=bool)
    skip_ok[2:] = (z[2:] != blank) & (z[2:] != z[:-2])
    return x[:, z], z, skip_ok


def forward_variables(
    log_probs: np.ndarray, targets: Sequence[int], *, blank: int = 0
) -> np.ndarray:
    """The CTC forward (alpha) variables in log space.

    ``alpha[t, s]`` is the log of the total probability of all paths over frames
    ``0..t`` that end in state ``s`` of the extended sequence
    ``z = extend_with_blanks(targets)`` and can still be completed.  Recursion::

        alpha[0, 0] = lp[0, blank],  alpha[0, 1] = lp[0, z[1]],  others -inf
        alpha[t, s] = logsumexp(alpha[t-1, s], alpha[t-1, s-1], alpha[t-1, s-2]) + lp[t, z[s]]

    where the ``s-2`` term (skipping a blank) is allowed only when ``z[s]`` is a label
    different from ``z[s-2]``.

    Args:
        log_probs: ``(T, V)`` log-probabilities (frames by classes).
        targets: Label ids in ``[0, V)`` without the blank.
        blank: Class id of the blank (default 0).

    Returns:
        A float64 array of shape ``(T, 2 * len(targets) + 1)`` (``-inf`` where no path
        reaches).  ``logsumexp`` of the last row's final two entries is
        ``-ctc_loss(log_probs, targets)``.

    Raises:
        ValueError: fewer frames than the target needs (see :func:`required_frames`).

    Lesson: 09 The CTC loss.
    """
    emit, z, skip_ok = _lattice(log_probs, targets, blank)
    n_frames, n_states = emit.shape
    skip_add = np.where(skip_ok, 0.0, -np.inf)  # adds -inf where skipping is not allowed
    # two always -inf columns on the left make "s - 1" and "s - 2" plain slices
    padded = np.full((n_frames, n_states + 2), -np.inf)
    padded[0, 2] = emit[0, 0]
    if n_states > 1:
        padded[0, 3] = emit[0, 1]
    for t in range(1, n_frames):
        prev = padded[t - 1]
        stay_or_step = np.logaddexp(prev[2:], prev[1:-1])
        padded[t, 2:] = np.logaddexp(stay_or_step, prev[:-2] + skip_add) + emit[t]
    return np.ascontiguousarray(padded[:, 2:])


def ctc_loss(log_probs: np.ndarray, targets: Sequence[int], *, blank: int = 0) -> float:
    """The CTC loss ``-log p(targets | log_probs)`` of one sequence.

    The probability sums over every path of ``T`` classes that collapses to
    ``targets``; it is computed with :func:`forward_variables`.  Equal to
    ``torch.nn.functional.ctc_loss(..., reduction="sum")`` for one sequence.

    Args:
        log_probs: ``(T, V)`` log-probabilities (frames by classes).
        targets: Label ids in ``[0, V)`` without the blank (may be empty).
        blank: Class id of the blank (default 0).

    Returns:
        The loss in nats (a non-negative float when rows are normalised).

    Raises:
        ValueError: fewer frames than the target needs, e.g. 2 frames for ``[a, a]``
            (which needs ``a - a``), or invalid labels.

    Lesson: 09 The CTC loss.
    """
    alpha = forward_variables(log_probs, targets, blank=blank)
    last = alpha[-1]
    log_p = last[-1] if len(last) == 1 else np.logaddexp(last[-1], last[-2])
    return 0.0 - float(log_p)  # 0.0 - x: a certain target gives 0.0, not -0.0


def count_alignments(T: int, targets: Sequence[int], *, blank: int = 0) -> int:
    """Number of length-``T`` paths that collapse to ``targets``.

    The same recursion as :func:`forward_variables`, counting paths (exact integers)
    instead of adding probabilities.

    Args:
        T: Number of frames.
        targets: Label ids (without the blank).
        blank: Class id of the blank (default 0).

    Returns:
        The count; 0 when ``T`` is smaller than :func:`required_frames`.

    Example:
        ``count_alignments(3, [1, 2]) == 5``: ``-ab, a-b, ab-, aab, abb``.

    Lesson: 09 The CTC loss.
    """
    T = check_positive_int(T, name="T")
    blank = _check_blank(blank, None)
    labels = _check_targets(targets, blank=blank, n_classes=None)
    z = extend_with_blanks(labels, blank=blank)
    n_states = len(z)
    counts = [0] * n_states
    counts[0] = 1
    if n_states > 1:
        counts[1] = 1
    for _ in range(1, T):
        prev = counts
        counts = [0] * n_states
        for s in range(n_states):
            c = prev[s]
            if s >= 1:
                c += prev[s - 1]
            if s >= 2 and z[s] != blank and z[s] != z[s - 2]:
                c += prev[s - 2]
            counts[s] = c
    return counts[-1] + (counts[-2] if n_states > 1 else 0)


# --------------------------------------------------------------------------------------
# forced alignment


def forced_align(
    log_probs: np.ndarray, targets: Sequence[int], *, blank: int = 0
) -> tuple[np.ndarray, float]:
    """The single most likely path that collapses to ``targets`` (Viterbi).

    The same lattice as :func:`forward_variables`, with the largest incoming score kept
    instead of the log-sum of all of them, plus a note of where it came from::

        delta[0, 0] = lp[0, blank],  delta[0, 1] = lp[0, z[1]],  others -inf
        delta[t, s] = max(delta[t-1, s], delta[t-1, s-1], delta[t-1, s-2]) + lp[t, z[s]]

    (the ``s-2`` term only where ``z[s]`` is a label different from ``z[s-2]``).  The path
    ends in the last label or the final blank, whichever scores higher, and is read back
    through the notes.  On exact ties the earlier choice wins: staying in a state before
    stepping, stepping before skipping, and ending on the final blank.

    Args:
        log_probs: ``(T, V)`` log-probabilities (frames by classes).
        targets: Label ids in ``[0, V)`` without the blank (may be empty).
        blank: Class id of the blank (default 0).

    Returns:
        ``(path, score)``: ``path`` is an int64 array of ``T`` class ids, one per frame,
        whose collapse is ``targets``; ``score`` is its log-probability (the sum of
        ``log_probs[t, path[t]]``), at most ``-ctc_loss(log_probs, targets)``.  A label's
        frames are one run of equal ids in ``path`` (two equal neighbours in ``targets``
        always have a blank between them).

    Raises:
        ValueError: fewer frames than the target needs (see :func:`required_frames`),
            invalid labels, or ``log_probs`` that give every path of the target
            probability 0.

    Example:
        ``forced_align(np.log([[.6, .4], [.3, .7], [.8, .2]]), [1])`` is
        ``(array([0, 1, 0]), log(.6 * .7 * .8))``.

    Lesson: 09 The CTC loss.
    """
    emit, z, skip_ok = _lattice(log_probs, targets, blank)
    n_frames, n_states = emit.shape
    # two always -inf columns on the left make "s - 1" and "s - 2" plain slices
    delta = np.full((n_frames, n_states + 2), -np.inf)
    delta[0, 2] = emit[0, 0]
    if n_states > 1:
        delta[0, 3] = emit[0, 1]
    back = np.zeros((n_frames, n_states), dtype=np.int64)  # 0 stay, 1 step, 2 skip
    for t in range(1, n_frames):
        prev = delta[t - 1]
        options = np.stack([prev[2:], prev[1:-1], np.where(skip_ok, prev[:-2], -np.inf)])
        back[t] = np.argmax(options, axis=0)  # the first of equal options wins
        delta[t, 2:] = options[back[t], np.arange(n_states)] + emit[t]
    last = delta[-1, 2:]
    end = n_states - 1
    if n_states > 1 and last[-2] > last[-1]:
        end = n_states - 2
    score = float(last[end])
    if score == _NEG_INF:
        raise ValueError(
            "log_probs: every path that collapses to the targets has probability 0 "
            "(log-probability -inf), so there is no best one"
        )
    states = np.empty(n_frames, dtype=np.int64)
    states[-1] = end
    for t in range(n_frames - 1, 0, -1):
        states[t - 1] = states[t] - back[t, states[t]]
    return z[states].astype(np.int64), score
