"""Exercises of lesson 07, CTC decoding.

References: :func:`asrlab.ctc.collapse`, :func:`asrlab.ctc.greedy_decode`,
:func:`asrlab.ctc.beam_search` (CTC prefix beam search in log space; the lesson's
textbook version works with probabilities and must find the same text) and, for the
command decoder, :func:`asrlab.commands.decode_command` (every command scored by its
total CTC probability; ``tests/test_lesson_07.py`` checks that it hears the command that
was really spoken in every case here).  The log-probabilities of real speech come from the
course's pretrained model on synthetic recordings of the *test* voices, computed once per
process.

The mistakes are the classic ones: merging only, dropping blanks only, dropping blanks
before merging (no blank can then separate a double letter), de-duplicating the whole
output, no collapse after the argmax, the least likely class, a blank that forgets the
paths ending in a label, repeats that always or never start a new letter, keeping the
worst beams, a word bias that forgets the last word or looks up the whole text, and
command decoders that can return non-commands (greedy, beam search, a word list) or
spell-correct the greedy text.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np

from asrlab import ctc
from asrlab.commands import COMMAND_PHRASES
from asrlab.commands import decode_command as _decode_command
from asrlab.data.synthetic import COMMANDS
from autograder.exercise import Case, Exercise, Mistake
from autograder.exercises._speech import model_log_probs

LESSON = "07-ctc-decoding"

#: The notebook's "hello"-like matrix for greedy and beam search: alphabet, probabilities.
HELLO_ALPHABET = "_ehlo"
HELLO_PROBS = [
    # _     e     h     l     o
    [0.05, 0.02, 0.90, 0.02, 0.01],  # h
    [0.30, 0.05, 0.60, 0.03, 0.02],  # h, held
    [0.10, 0.80, 0.05, 0.03, 0.02],  # e
    [0.10, 0.05, 0.02, 0.80, 0.03],  # l
    [0.70, 0.02, 0.02, 0.25, 0.01],  # blank between the l's
    [0.15, 0.02, 0.02, 0.78, 0.03],  # l
    [0.55, 0.02, 0.02, 0.01, 0.40],  # o ... or blank?
    [0.55, 0.02, 0.02, 0.01, 0.40],  # o ... or blank?
]


def hello_log_probs() -> np.ndarray:
    """The notebook's 8 x 5 matrix of log-probabilities (float64)."""
    return np.log(np.array(HELLO_PROBS))


# ---------------------------------------------------------------------------
# collapse
# ---------------------------------------------------------------------------


def _collapse_ref(path: Any, blank: Any = "_") -> list:
    return list(ctc.collapse(list(path), blank=blank))


def _drop_then_merge(path: Any, blank: Any = "_") -> list:
    out: list = []
    for symbol in path:
        if symbol != blank and (not out or symbol != out[-1]):
            out.append(symbol)
    return out


def _collapse_with(path: Any, blank: Any = "_", *, keep: str) -> list:
    out: list = []
    previous = None
    for symbol in path:
        if keep == "not-blank":
            ok = symbol != blank
        elif keep == "not-previous":
            ok = symbol != previous
        else:  # "not-seen"
            ok = symbol not in out and symbol != blank
        if ok:
            out.append(symbol)
        previous = symbol
    return out


def _collapse_case(path: Any, label: str, **kwargs: Any) -> Case:
    """A case whose label shows the call, e.g. ``a repeat: ctc_collapse('l_l')``."""
    extra = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return Case(args=(path,), kwargs=kwargs, label=f"{label}: ctc_collapse({path!r}{extra})")


_COLLAPSE_HIDDEN = [
    _collapse_case("", "an empty path"),
    _collapse_case("____", "blanks only"),
    _collapse_case("a", "a single frame"),
    _collapse_case("_", "a single blank"),
    _collapse_case("l_l", "a repeat separated by a blank"),
    _collapse_case("ll", "a repeat without a blank"),
    _collapse_case("_aa__b_", "blanks at both ends"),
    _collapse_case("a_a_a", "one letter three times"),
    _collapse_case("hh_e_ll_ll_oo", "hello"),
    _collapse_case("--ab-ba--", "the blank written '-'", blank="-"),
    _collapse_case([0, 3, 3, 0, 3], "class ids, blank 0", blank=0),
    _collapse_case([2, 1, 1, 2, 2, 1, 0, 0], "class ids, blank 2", blank=2),
    _collapse_case(["go", "go", "_", "up", "up"], "a list of word symbols"),
]


# ---------------------------------------------------------------------------
# greedy decoding
# ---------------------------------------------------------------------------


def _greedy_ref(log_probs: Any, alphabet: Any, blank: int = 0) -> str:
    return ctc.greedy_decode(np.asarray(log_probs, dtype=np.float64), alphabet=alphabet, blank=blank)


def _greedy_with(log_probs: Any, alphabet: Any, blank: int = 0, *, mistake: str) -> str:
    x = np.asarray(log_probs)
    path = (np.argmin(x, axis=1) if mistake == "argmin" else np.argmax(x, axis=1)).tolist()
    if mistake == "no-collapse":
        labels = path
    elif mistake == "drop-blanks-only":
        labels = [k for k in path if k != blank]
    else:
        labels = ctc.collapse(path, blank=blank)
    return "".join(alphabet[k] for k in labels)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def _greedy_hidden(rng: np.random.Generator) -> list[Case]:
    alphabet = "_abc"
    cases = [
        Case(args=(np.log(np.array([[0.7, 0.1, 0.1, 0.1]] * 4)), alphabet), label="blank wins every frame"),
        Case(args=(np.log(np.array([[0.1, 0.2, 0.6, 0.1]])), alphabet), label="a single frame"),
        Case(args=(np.log(np.array([[0.1, 0.8, 0.05, 0.05], [0.6, 0.2, 0.1, 0.1], [0.1, 0.8, 0.05, 0.05]])), alphabet),
             label="a repeat separated by a blank"),
        Case(args=(np.log(np.array([[0.1, 0.44, 0.44, 0.02], [0.3, 0.3, 0.2, 0.2]])), alphabet),
             label="ties: the first of the equal classes wins"),
        Case(args=(np.log(np.array([[0.2, 0.1, 0.1, 0.6], [0.2, 0.1, 0.6, 0.1], [0.1, 0.2, 0.1, 0.6]])), "abc_", 3),
             label="the blank is class 3"),
        Case(args=(np.log(np.array([[0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4]])), ["<b>", "yes", "no", "stop"]),
             label="an alphabet of words"),
    ]
    for T, V in [(9, 5), (30, 7)]:
        z = _log_softmax(rng.standard_normal((T, V)) * 2.0)
        cases.append(Case(args=(z, "_" + "abcdefgh"[: V - 1]), label=f"{T} random frames, {V} classes"))
    lp = model_log_probs("no stop right", "en-gb-scotland+pedro")
    from asrlab.model import ALPHABET

    cases.append(Case(args=(lp, ALPHABET), label=f"the course model on 'no stop right' ({lp.shape[0]} frames, float32)"))
    return cases


# ---------------------------------------------------------------------------
# prefix beam search
# ---------------------------------------------------------------------------


def _beam_ref(log_probs: Any, alphabet: Any, beam_width: int = 4, blank: int = 0) -> str:
    return ctc.beam_search(np.asarray(log_probs, dtype=np.float64), alphabet=alphabet, beam_width=beam_width, blank=blank)


def _beam_with(log_probs: Any, alphabet: Any, beam_width: int = 4, blank: int = 0, *, mistake: str) -> str:
    """The lesson's textbook prefix beam search, with one of the known mistakes."""
    probs = np.exp(np.asarray(log_probs, dtype=np.float64))
    beams: dict[tuple, tuple[float, float]] = {(): (1.0, 0.0)}
    for frame in probs:
        nxt: dict[tuple, tuple[float, float]] = {}

        def add(prefix: tuple, p_b: float = 0.0, p_nb: float = 0.0) -> None:
            old_b, old_nb = nxt.get(prefix, (0.0, 0.0))
            nxt[prefix] = (old_b + p_b, old_nb + p_nb)

        for prefix, (p_b, p_nb) in beams.items():
            add(prefix, p_b=(p_b if mistake == "blank-forgets-labels" else p_b + p_nb) * frame[blank])
            for k in range(len(frame)):
                if k == blank:
                    continue
                if prefix and k == prefix[-1]:
                    if mistake == "repeat-always-new":
                        add(prefix, p_nb=0.0)
                        add(prefix + (k,), p_nb=(p_b + p_nb) * frame[k])
                    elif mistake == "repeat-never-new":
                        add(prefix, p_nb=(p_b + p_nb) * frame[k])
                        add(prefix + (k,), p_nb=0.0)
                    else:
                        add(prefix, p_nb=p_nb * frame[k])
                        add(prefix + (k,), p_nb=p_b * frame[k])
                else:
                    add(prefix + (k,), p_nb=(p_b + p_nb) * frame[k])
        ranked = sorted(nxt, key=lambda prefix: sum(nxt[prefix]), reverse=True)
        keep = ranked[-beam_width:] if mistake == "worst-beams" else ranked[:beam_width]
        beams = {prefix: nxt[prefix] for prefix in keep}
    best = max(beams, key=lambda prefix: sum(beams[prefix]))
    return "".join(alphabet[k] for k in best)


def _beam_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case(args=(np.log(np.array([[0.5, 0.4, 0.1], [0.5, 0.4, 0.1]])), "_ab"), kwargs={"beam_width": 3},
             label="two frames: greedy reads '', the most likely text is 'a'"),
        Case(args=(np.log(np.array([[0.3, 0.7]])), "_a"), kwargs={"beam_width": 2}, label="a single frame"),
        Case(args=(np.log(np.array([[0.9, 0.05, 0.05]] * 3)), "_ab"), kwargs={"beam_width": 2},
             label="blank is almost certain"),
        Case(args=(np.log(np.array([[0.1, 0.85, 0.05], [0.8, 0.1, 0.1], [0.1, 0.85, 0.05]])), "_ab"),
             kwargs={"beam_width": 3}, label="a double letter needs the blank between"),
        Case(args=(np.log(np.array([[0.1, 0.35, 0.55], [0.1, 0.8, 0.1], [0.3, 0.2, 0.5]])), "ab_"),
             kwargs={"beam_width": 3, "blank": 2}, label="the blank is class 2, the largest value last"),
    ]
    for T, V, width in [(6, 3, 2), (8, 4, 3), (10, 5, 4), (12, 4, 8), (5, 6, 2)]:
        z = _log_softmax(rng.standard_normal((T, V)) * 1.5)
        cases.append(Case(args=(z, "_" + "abcdefgh"[: V - 1]), kwargs={"beam_width": width},
                          label=f"{T} random frames, {V} classes, beam width {width}"))
    from asrlab.model import ALPHABET

    lp = model_log_probs("turn the fan off", "en-us+Mike")
    cases.append(Case(args=(lp, ALPHABET), kwargs={"beam_width": 4},
                      label=f"the course model on 'turn the fan off' ({lp.shape[0]} frames): greedy reads 'turn the an off'"))
    return cases


# ---------------------------------------------------------------------------
# word bias
# ---------------------------------------------------------------------------


def _word_bias_ref(prefix: str, symbol: str, words: Any, penalty: float = -5.0) -> float:
    if symbol not in (" ", ""):
        return 0.0
    word = prefix.split(" ")[-1]
    if word == "":
        return 0.0
    return 0.0 if word in words else float(penalty)


def _word_bias_with(prefix: str, symbol: str, words: Any, penalty: float = -5.0, *, mistake: str) -> float:
    finishes = symbol != " " if mistake == "end-of-text" else symbol not in (" ", "")
    if finishes:
        return 0.0
    word = prefix if mistake == "whole-text" else prefix.split(" ")[-1]
    if word == "":
        return 0.0
    if mistake == "reversed":
        return float(penalty) if word in words else 0.0
    return 0.0 if word in words else float(penalty)


_WORDS = list(COMMANDS)


def _bias_case(prefix: str, symbol: str, label: str, words: list = _WORDS, **kwargs: Any) -> Case:
    """A case whose label shows the call, e.g. ``word_bias('sto', '', ...)``."""
    extra = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    shown = "the ten command words" if words == _WORDS else repr(words)
    return Case(args=(prefix, symbol), kwargs={"words": words, **kwargs},
                label=f"{label}: word_bias({prefix!r}, {symbol!r}{extra}) with {shown}")

_WORD_BIAS_HIDDEN = [
    _bias_case("", "", "an empty text at its end"),
    _bias_case("", " ", "a space at the very start"),
    _bias_case("go ", " ", "a second space in a row"),
    _bias_case("sto", "", "the end of the text finishes 'sto'"),
    _bias_case("stop", "", "the end of the text finishes 'stop'"),
    _bias_case("lef", " ", "'lef' then a space, penalty -0.5", penalty=-0.5),
    _bias_case("left", " ", "'left' then a space, penalty -0.5", penalty=-0.5),
    _bias_case("yes stop", "u", "a letter in the middle of a word"),
    _bias_case("go left x", "", "an unknown one-letter word at the end"),
    _bias_case("yes go", "", "a known last word after another"),
    _bias_case("of", "", "another word list", words=["on", "off"], penalty=-3.0),
    _bias_case("off", " ", "another word list, a known word", words=["on", "off"], penalty=-3.0),
]


# ---------------------------------------------------------------------------
# command decoder (mini-challenge)
# ---------------------------------------------------------------------------

#: (text spoken, test voice) of the public recordings, in the order of the checks.
PUBLIC_RECORDINGS = [
    ("turn the radio off", "en-us+Alicia"),
    ("go", "en-gb+f3"),
    ("yes stop up", "en-029+victor"),
]

#: Hidden recordings: (text, voice, command list, label).  Greedy decoding misspells most.
_HIDDEN_RECORDINGS = [
    ("go down", "en-gb-scotland+Alicia", COMMAND_PHRASES, "greedy reads 'go nine'"),
    ("no go down", "en-gb-x-rp+f1", COMMAND_PHRASES, "greedy reads 'no down down'"),
    ("go down", "en-gb-x-gbclan+Alicia", COMMAND_PHRASES, "greedy reads 'go on'"),
    ("no stop right", "en-gb-scotland+pedro", COMMAND_PHRASES, "greedy reads 'nostop ight'"),
    ("yes stop up", "en-us+victor", COMMAND_PHRASES, "greedy reads 'yes to up'"),
    ("turn the light off", "en-us-nyc+pedro", COMMAND_PHRASES, "greedy reads 'turn the liht ff'"),
    ("turn the fan on", "en-us+Alicia", COMMAND_PHRASES, "greedy reads 'turn th fae noane'"),
    ("turn the light on", "en-gb-scotland+Alicia", COMMAND_PHRASES, "greedy reads 'turn th ligdton'"),
    ("turn the fan off", "en-us+Mike", COMMAND_PHRASES, "greedy reads 'turn the an off'"),
    ("left", "en-029+f1", COMMANDS, "a single command word, the ten command words"),
    ("no", "en-gb+f3", tuple(reversed(COMMANDS)), "the ten command words in reverse order"),
    ("go right", "en-us+m5", ("go left", "go right"), "two commands that differ in one word"),
    ("stop", "en-gb-x-rp+Mike", COMMAND_PHRASES[::-1], "the command list in reverse order"),
]


def _command_case(text: str, voice: str, commands: Any, label: str) -> Case:
    lp = model_log_probs(text, voice)
    return Case(args=(lp, list(commands)), label=f"'{text}' by {voice}, {len(commands)} commands ({label})")


def _command_hidden(rng: np.random.Generator) -> list[Case]:
    return [_command_case(*r) for r in _HIDDEN_RECORDINGS]


def _greedy_command(log_probs: Any, commands: Any) -> str:
    from asrlab.model import ALPHABET

    return ctc.greedy_decode(log_probs, alphabet=ALPHABET)


def _beam_command(log_probs: Any, commands: Any) -> str:
    from asrlab.model import ALPHABET

    return ctc.beam_search(log_probs, alphabet=ALPHABET, beam_width=8)


def _word_list_command(log_probs: Any, commands: Any) -> str:
    from asrlab.model import decode

    words = sorted({w for c in commands for w in c.split()})
    return decode(log_probs, vocabulary=words)


def _closest_command(log_probs: Any, commands: Any) -> str:
    return difflib.get_close_matches(_greedy_command(log_probs, commands), list(commands), n=1, cutoff=0)[0]


_PREAMBLE = "def decode_command(log_probs, commands):\n"

_PUBLIC_COMMANDS = [
    Case(args=(model_log_probs(text, voice), list(COMMAND_PHRASES)), label=f"'{text}' by {voice}")
    for text, voice in PUBLIC_RECORDINGS
]


EXERCISES = [
    Exercise(
        id="l07-collapse",
        lesson=LESSON,
        title="the collapse rule, in plain Python",
        points=1,
        kind="function",
        target="ctc_collapse",
        reference=_collapse_ref,
        public=[
            _collapse_case("bb_aa_nn_a_nnn_aa", "a path of 'banana'"),
            _collapse_case("hh_e_ll_ll_oo", "a path of 'hello'"),
        ],
        hidden=_COLLAPSE_HIDDEN,
        hint="The collapse rule reads neighbouring frames: a symbol held over several frames is "
        "one symbol, the blank is never written, and a blank between two equal symbols keeps "
        "them apart. Ask, frame by frame, whether this frame starts something new that is "
        "text (section 2).",
        mistakes=[
            Mistake(
                "drop-blanks-only",
                "You dropped the blanks but never merged repeats: a letter held for three "
                "frames must come out once.",
                fn=lambda path, blank="_": _collapse_with(path, blank, keep="not-blank"),
                fills=("symbol != blank", "symbol"),
            ),
            Mistake(
                "merge-only",
                "You merged repeats but kept the blanks in the output. The blank is not a "
                "letter: it never appears in the text.",
                fn=lambda path, blank="_": _collapse_with(path, blank, keep="not-previous"),
                fills=("symbol != previous", "symbol"),
            ),
            Mistake(
                "drop-then-merge",
                "You compared each symbol with the last one you *kept*, so the blank between "
                "the two l's of 'hello' no longer separates them. Merge repeats of neighbouring "
                "frames first (the blank counts as a frame), then drop the blanks.",
                fn=_drop_then_merge,
                code='def ctc_collapse(path, blank="_"):\n'
                "    out = []\n"
                "    for symbol in path:\n"
                "        if symbol != blank and (not out or symbol != out[-1]):\n"
                "            out.append(symbol)\n"
                "    return out\n",
            ),
            Mistake(
                "once-per-symbol",
                "You kept each symbol only the first time it appears anywhere. Only a symbol "
                "repeated in *neighbouring* frames is merged; 'banana' has three a's.",
                fn=lambda path, blank="_": _collapse_with(path, blank, keep="not-seen"),
                fills=("symbol not in out and symbol != blank", "symbol"),
            ),
        ],
    ),
    Exercise(
        id="l07-greedy",
        lesson=LESSON,
        title="greedy (best-path) decoding",
        points=1,
        kind="function",
        target="greedy_decode",
        reference=_greedy_ref,
        public=[Case(args=(hello_log_probs(), HELLO_ALPHABET), label="the notebook's 8 x 5 matrix")],
        hidden=_greedy_hidden,
        hint="Greedy decoding trusts each frame on its own: the best path has the most likely "
        "class in every frame (a frame is a row), and like any path it is read as text through "
        "the collapse rule (section 3).",
        mistakes=[
            Mistake(
                "no-collapse",
                "Your text has one symbol per frame, blanks and repeats included: the best path "
                "still has to be collapsed.",
                fn=lambda lp, alphabet, blank=0: _greedy_with(lp, alphabet, blank, mistake="no-collapse"),
                fills=("np.argmax(log_probs, axis=1)", "path.tolist()"),
            ),
            Mistake(
                "drop-blanks-only",
                "You removed the blanks from the path but did not merge repeated classes, so a "
                "letter held for two frames is written twice.",
                fn=lambda lp, alphabet, blank=0: _greedy_with(lp, alphabet, blank, mistake="drop-blanks-only"),
                fills=("np.argmax(log_probs, axis=1)", "[k for k in path.tolist() if k != blank]"),
            ),
            Mistake(
                "argmin",
                "You took the *least* likely class of every frame. A log-probability is largest "
                "(closest to 0) for the most likely class.",
                fn=lambda lp, alphabet, blank=0: _greedy_with(lp, alphabet, blank, mistake="argmin"),
                fills=("np.argmin(log_probs, axis=1)", "asrlab.ctc.collapse(path.tolist(), blank=blank)"),
            ),
        ],
    ),
    Exercise(
        id="l07-beam",
        lesson=LESSON,
        title="CTC prefix beam search",
        points=2,
        kind="function",
        target="prefix_beam_search",
        reference=_beam_ref,
        public=[
            Case(args=(np.log(np.array([[0.4, 0.6], [0.9, 0.1], [0.9, 0.1]])), "_a"), label="a letter, then silence"),
            Case(args=(hello_log_probs(), HELLO_ALPHABET), label="the notebook's 8 x 5 matrix, beam width 4"),
            Case(args=(hello_log_probs(), HELLO_ALPHABET), kwargs={"beam_width": 2}, label="the same matrix, beam width 2"),
        ],
        hidden=_beam_hidden,
        hint="Each prefix carries two probabilities: of its paths ending in a blank and of those "
        "ending in its last label. A blank keeps the prefix; the last label again keeps it "
        "only when the previous frame was that label, and grows it after a blank; any other "
        "label grows it. Keep the beam_width most likely prefixes (section 4).",
        mistakes=[
            Mistake(
                "repeat-never-new",
                "Your repeated label never starts a new letter, so no text can have a double "
                "letter. After a blank, the same label again is a second letter (the l's of 'hello').",
                fn=lambda lp, alphabet, beam_width=4, blank=0: _beam_with(lp, alphabet, beam_width, blank, mistake="repeat-never-new"),
                fills=("(p_b + p_nb) * frame[blank]", "(p_b + p_nb) * frame[k]", "0.0", "(p_b + p_nb) * frame[k]", "ranked[:beam_width]"),
            ),
            Mistake(
                "repeat-always-new",
                "Your repeated label always starts a new letter. Straight after the same label "
                "(no blank between) it is the same letter held longer: the collapse rule merges it.",
                fn=lambda lp, alphabet, beam_width=4, blank=0: _beam_with(lp, alphabet, beam_width, blank, mistake="repeat-always-new"),
                fills=("(p_b + p_nb) * frame[blank]", "0.0", "(p_b + p_nb) * frame[k]", "(p_b + p_nb) * frame[k]", "ranked[:beam_width]"),
            ),
            Mistake(
                "blank-forgets-labels",
                "Your blank only continues the paths that already ended in a blank. A blank "
                "after a label keeps the text too, so both kinds of path continue with it.",
                fn=lambda lp, alphabet, beam_width=4, blank=0: _beam_with(lp, alphabet, beam_width, blank, mistake="blank-forgets-labels"),
                fills=("p_b * frame[blank]", "p_nb * frame[k]", "p_b * frame[k]", "(p_b + p_nb) * frame[k]", "ranked[:beam_width]"),
            ),
            Mistake(
                "worst-beams",
                "You kept the least likely prefixes: `ranked` goes from the most to the least likely.",
                fn=lambda lp, alphabet, beam_width=4, blank=0: _beam_with(lp, alphabet, beam_width, blank, mistake="worst-beams"),
                fills=("(p_b + p_nb) * frame[blank]", "p_nb * frame[k]", "p_b * frame[k]", "(p_b + p_nb) * frame[k]", "ranked[-beam_width:]"),
            ),
        ],
    ),
    Exercise(
        id="l07-word-bias",
        lesson=LESSON,
        title="a word-list bias for beam search",
        points=1,
        kind="function",
        target="word_bias",
        reference=_word_bias_ref,
        public=[
            _bias_case("go", "", "'go' at the end of the text"),
            _bias_case("yes stop", " ", "a space after 'yes stop'"),
            _bias_case("go lft", "", "'go lft' at the end of the text"),
            _bias_case("yes", "t", "a letter after 'yes'"),
        ],
        hidden=_WORD_BIAS_HIDDEN,
        hint="A word is finished when the next symbol is a space or the text ends (symbol ''). "
        "Only then look at that last word: no cost for a word of the list, the penalty "
        "otherwise (section 6).",
        mistakes=[
            Mistake(
                "end-of-text",
                "The end of the text (symbol '') finishes the last word too; yours is never "
                "checked, so a misspelled last word costs nothing.",
                fn=lambda prefix, symbol, words, penalty=-5.0: _word_bias_with(prefix, symbol, words, penalty, mistake="end-of-text"),
                fills=('symbol != " "', 'prefix.split(" ")[-1]', "0.0 if word in words else penalty"),
            ),
            Mistake(
                "whole-text",
                "You looked up the whole text so far, not the word just finished: 'yes stop' is "
                "not a word, but 'stop' is.",
                fn=lambda prefix, symbol, words, penalty=-5.0: _word_bias_with(prefix, symbol, words, penalty, mistake="whole-text"),
                fills=('symbol not in (" ", "")', "prefix", "0.0 if word in words else penalty"),
            ),
            Mistake(
                "reversed",
                "You penalised the words *on* the list. The bias should push the search away "
                "from unknown words.",
                fn=lambda prefix, symbol, words, penalty=-5.0: _word_bias_with(prefix, symbol, words, penalty, mistake="reversed"),
                fills=('symbol not in (" ", "")', 'prefix.split(" ")[-1]', "penalty if word in words else 0.0"),
            ),
        ],
    ),
    Exercise(
        id="l07-command",
        lesson=LESSON,
        title="mini-challenge: a command decoder",
        points=3,
        kind="function",
        target="decode_command",
        reference=lambda log_probs, commands: _decode_command(log_probs, commands),
        public=_PUBLIC_COMMANDS,
        hidden=_command_hidden,
        hint="The answer must be one of `commands`, and the right one is the command the model "
        "finds most likely as a whole, not the closest spelling of the greedy text. Constrain "
        "the search so that only beginnings of commands survive and only a whole command can "
        "end it (section 7).",
        mistakes=[
            Mistake(
                "greedy",
                "You returned the greedy text, which can spell a word that is not on the list. "
                "The decoder must only ever answer with a command.",
                fn=_greedy_command,
                code=_PREAMBLE + "    return asrlab.ctc.greedy_decode(log_probs, alphabet=asrlab.model.ALPHABET)\n",
            ),
            Mistake(
                "beam",
                "You returned plain beam search's text. Without a constraint, beam search can "
                "still end on a non-command.",
                fn=_beam_command,
                code=_PREAMBLE + "    return asrlab.ctc.beam_search(log_probs, alphabet=asrlab.model.ALPHABET, beam_width=8)\n",
            ),
            Mistake(
                "word-list",
                "You constrained the text to the words of the commands, but a sequence of known "
                "words ('turn the radio') need not be a command. Constrain whole commands.",
                fn=_word_list_command,
                code=_PREAMBLE
                + "    words = sorted({w for c in commands for w in c.split()})\n"
                + "    return asrlab.model.decode(log_probs, vocabulary=words)\n",
            ),
            Mistake(
                "closest-spelling",
                "You picked the command spelled most like the greedy text. Once greedy has "
                "thrown the frame probabilities away, 'theradios' looks as much like 'on' as "
                "like 'off'; let the model's probabilities choose among the commands.",
                fn=_closest_command,
                code=_PREAMBLE
                + "    import difflib\n"
                + "    text = asrlab.ctc.greedy_decode(log_probs, alphabet=asrlab.model.ALPHABET)\n"
                + "    return difflib.get_close_matches(text, list(commands), n=1, cutoff=0)[0]\n",
            ),
        ],
    ),
]
