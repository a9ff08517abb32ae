"""The words and sentences of the synthetic command corpus.

A transcript is a digit, a command word, a digit string or a phrase of a tiny grammar
("turn the light on", "go left three"...), drawn by :func:`random_transcript`; or, for
speech without a predictable word order, up to five of the course's words in random
order (:func:`random_words`).  :mod:`asrlab.data.synthetic` speaks them and
:mod:`asrlab.data.bank` renders them with the slow voices.

Lesson: 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

import numpy as np

from asrlab._validate import check_positive_int

__all__ = ["DIGITS", "COMMANDS", "random_transcript", "random_words", "vocabulary"]

#: The spoken digits; "oh" is the everyday name of 0 in digit strings.
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "oh")
#: The command words of the course's keyword-spotting examples.
COMMANDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
_DIRECTIONS = ("up", "down", "left", "right")
_DEVICES = ("light", "lights", "fan", "radio", "heater", "music", "alarm")
_ROOMS = ("kitchen", "bedroom", "garden", "hall")
_NUMBERS = DIGITS[:10]


def _phrase(rng: np.random.Generator) -> str:
    pick = lambda seq: seq[int(rng.integers(len(seq)))]  # noqa: E731
    kind = int(rng.integers(8))
    if kind == 0:
        return f"turn the {pick(_DEVICES)} {pick(('on', 'off'))}"
    if kind == 1:
        return f"turn {pick(('on', 'off'))} the {pick(_DEVICES)}"
    if kind == 2:
        return f"go {pick(_DIRECTIONS)} {pick(_NUMBERS)}"
    if kind == 3:
        return f"move {pick(_DIRECTIONS)} {pick(_NUMBERS)} {pick(('steps', 'times'))}"
    if kind == 4:
        return f"set the volume to {pick(_NUMBERS)}"
    if kind == 5:
        return f"switch the {pick(_ROOMS)} {pick(_DEVICES)} {pick(('on', 'off'))}"
    if kind == 6:
        return f"{pick(('yes', 'no'))} {pick(('stop', 'go'))} {pick(_DIRECTIONS)}"
    return f"call {' '.join(pick(DIGITS) for _ in range(3))}"


def random_transcript(rng: np.random.Generator, *, max_words: int | None = None) -> str:
    """One random transcript: a digit, a command word, a digit string or a phrase.

    Args:
        rng: The generator that decides (``numpy.random.default_rng(seed)``).
        max_words: Draw again until the transcript has at most this many words
            (default ``None``: any length, up to 6 words).

    Returns:
        Lower-case words separated by single spaces, e.g. ``"go left three"``.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
    if max_words is not None:
        check_positive_int(max_words, name="max_words")
        while True:
            text = _any_transcript(rng)
            if text.count(" ") < max_words:
                return text
    return _any_transcript(rng)


def _any_transcript(rng: np.random.Generator) -> str:
    kind = rng.random()
    if kind < 0.15:
        return DIGITS[int(rng.integers(len(DIGITS)))]
    if kind < 0.3:
        return COMMANDS[int(rng.integers(len(COMMANDS)))]
    if kind < 0.55:
        n = int(rng.integers(2, 6))
        return " ".join(DIGITS[int(i)] for i in rng.integers(len(DIGITS), size=n))
    return _phrase(rng)


def vocabulary() -> list[str]:
    """Every word that :func:`random_transcript` can produce, sorted.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    words = set(DIGITS) | set(COMMANDS) | set(_DEVICES) | set(_ROOMS)
    words |= {"turn", "the", "go", "move", "steps", "times", "set", "volume", "to", "switch", "call"}
    return sorted(words)


#: At most this many words in a random-order transcript (:func:`random_words`).
RANDOM_WORDS_MAX = 5


def random_words(rng: np.random.Generator, *, max_words: int | None = None) -> str:
    """One to five words of :func:`vocabulary`, each drawn independently, in random order:
    a transcript whose word sequence a model cannot predict from the phrase grammar
    ("no off", "kitchen three go").

    Args:
        rng: The generator that decides (``numpy.random.default_rng(seed)``).
        max_words: At most this many words (default ``None``: up to five).

    Returns:
        Lower-case words separated by single spaces.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
    most = RANDOM_WORDS_MAX if max_words is None else min(check_positive_int(max_words, name="max_words"), RANDOM_WORDS_MAX)
    words = _WORDS
    n = int(rng.integers(1, most + 1))
    return " ".join(words[int(i)] for i in rng.integers(len(words), size=n))


_WORDS = tuple(vocabulary())
