"""Recognising one command from a closed list: CTC decoding constrained to whole phrases.

A voice interface that only accepts a fixed list of commands ("go left", "turn the fan
off") does not need open-vocabulary decoding.  It can ask the acoustic model directly how
likely each allowed command is, ``log p(command | x)``, the total probability of every
frame path that collapses to the command's letters (the CTC forward algorithm, see
:func:`asrlab.ctc.ctc_loss`), and pick the most likely one.  The search can then never
return a non-word such as ``"yes sto up"``.

* :func:`command_scores` gives ``log p(command | x)`` of every command;
* :func:`decode_command` returns the best one;
* :func:`word_bias`, a softer tool: a word-list language model for beam search.

Lesson: 07 CTC decoding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from asrlab import ctc
from asrlab._validate import _describe

__all__ = ["COMMAND_PHRASES", "command_scores", "decode_command", "word_bias"]

#: The command list of lesson 07's command decoder: the ten command words' phrases a
#: small robot or smart-home device might accept.
COMMAND_PHRASES = (
    "yes", "no", "stop", "go", "go left", "go right", "go up", "go down",
    "yes stop up", "no go down", "yes go left", "no stop right",
    "turn the light on", "turn the light off", "turn the fan on", "turn the fan off",
    "turn the radio on", "turn the radio off",
)


def _check_commands(commands: Sequence[str], alphabet: str, blank: int) -> list[str]:
    if isinstance(commands, str) or not isinstance(commands, (list, tuple)):
        raise TypeError(f"commands: expected a list of strings, got {_describe(commands)}")
    if len(commands) == 0:
        raise ValueError("commands: expected at least one command, got an empty list")
    symbols = {c for k, c in enumerate(alphabet) if k != blank}
    out = []
    for k, command in enumerate(commands):
        if not isinstance(command, str) or command == "":
            raise ValueError(f"commands: expected non-empty strings, got {_describe(command)} at position {k}")
        bad = sorted(set(command) - symbols)
        if bad:
            raise ValueError(
                f"commands: {command!r} (position {k}) has {''.join(bad)!r}, which is not in the alphabet; "
                "normalise it first (lower case, no punctuation)"
            )
        out.append(command)
    return out


def command_scores(
    log_probs: np.ndarray, commands: Sequence[str], *, alphabet: str | None = None, blank: int = 0
) -> np.ndarray:
    """``log p(command | log_probs)`` for every command: the CTC total path probability.

    Args:
        log_probs: ``(T, V)`` log-probabilities (frames by classes), e.g. one utterance
            from :func:`asrlab.model.logits_for`.
        commands: The allowed commands, e.g. :data:`COMMAND_PHRASES`; each a non-empty
            string of alphabet symbols.
        alphabet: One character per class, index = class id (default ``None``: the course
            model's :data:`asrlab.model.ALPHABET`).
        blank: Class id of the blank (default 0).

    Returns:
        A float64 array with one natural-log probability per command; ``-inf`` for a
        command that needs more frames than ``log_probs`` has.

    Lesson: 07 CTC decoding.
    """
    if alphabet is None:
        from asrlab.model import ALPHABET as alphabet
    if not isinstance(alphabet, str):
        raise TypeError(f"alphabet: expected a string, one character per class, got {_describe(alphabet)}")
    x = ctc._check_log_probs(log_probs)
    blank = ctc._check_blank(blank, x.shape[1])
    if len(alphabet) != x.shape[1]:
        raise ValueError(
            f"alphabet: expected {x.shape[1]} symbols (one per class of log_probs), got {len(alphabet)}"
        )
    commands = _check_commands(commands, alphabet, blank)
    ids = {c: k for k, c in enumerate(alphabet) if k != blank}
    n_frames = x.shape[0]
    scores = []
    for command in commands:
        targets = [ids[c] for c in command]
        if ctc.required_frames(targets) > n_frames:
            scores.append(-math.inf)
        else:
            scores.append(-ctc.ctc_loss(x, targets, blank=blank))
    return np.array(scores, dtype=np.float64)


def decode_command(
    log_probs: np.ndarray, commands: Sequence[str], *, alphabet: str | None = None, blank: int = 0
) -> str:
    """The most likely command of a closed list (the first one on a tie).

    Args:
        log_probs: ``(T, V)`` log-probabilities (frames by classes).
        commands: The allowed commands (see :func:`command_scores`).
        alphabet: One character per class (default ``None``: :data:`asrlab.model.ALPHABET`).
        blank: Class id of the blank (default 0).

    Returns:
        One element of ``commands``.

    Example:
        A recording of "yes stop up" whose greedy text is ``"yes sto up"`` decodes to
        ``"yes stop up"`` with ``commands=COMMAND_PHRASES``.

    Lesson: 07 CTC decoding.
    """
    scores = command_scores(log_probs, commands, alphabet=alphabet, blank=blank)
    return list(commands)[int(np.argmax(scores))]


def word_bias(prefix: str, symbol: str, *, words: Sequence[str], penalty: float = -5.0) -> float:
    """A word-list language model for :func:`asrlab.ctc.beam_search` (shallow fusion).

    Called as ``lm(prefix, symbol)`` each time the search appends ``symbol`` to the text
    ``prefix`` (and with ``symbol=""`` at the end of the text).  A space or the end of the
    text finishes the last word of ``prefix``: it costs ``penalty`` when that word is not
    in ``words``, nothing when it is; every other symbol costs nothing.  Bind the word list
    with ``functools.partial(word_bias, words=[...])``.

    Args:
        prefix: The text decoded so far.
        symbol: The symbol being appended (``""``: the end of the text).
        words: The known words.
        penalty: Log-probability of an unknown word (default -5.0).

    Returns:
        0.0 or ``penalty``.

    Lesson: 07 CTC decoding.
    """
    if symbol not in (" ", ""):
        return 0.0
    word = prefix.split(" ")[-1]
    if word == "":
        return 0.0
    return 0.0 if word in words else float(penalty)
