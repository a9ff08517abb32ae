"""A synthetic English command corpus spoken by espeak-ng: endless, seeded, split by voice.

Every utterance is a random transcript from a small vocabulary (the digits "zero" to
"nine" and "oh", ten command words, and a tiny grammar of phrases such as "turn the
light on" or "go left three"), spoken by a random English accent and voice variant at a
random rate, pitch and word gap, resampled to 16 kHz, with random silence before and
after.  ``pause_share`` and ``random_order`` make connected speech (words run together,
as people speak them) and transcripts of course words in random order; :data:`CONNECTED`
is speech of both kinds only.  Utterance ``i`` of a split depends only on
``(seed, split, i)``, so a corpus is reproducible and can be read in any order or in
parallel.

The split is by voice *variant* (the speaker character: ``f3``, ``m1``, ``klatt4``...):
the validation and test variants are never heard in training, in any accent.

Lessons: 06 Recognising isolated words; 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

import functools
import itertools
import zlib
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import numpy as np

from asrlab._validate import check_choice, check_nonnegative_int, check_positive_int, check_sr
from asrlab.data import flite as flite_module
from asrlab.data import bank as bank_module
from asrlab.data.augment import speed_perturb
from asrlab.data.flite import flite_voices, synthesize_flite
from asrlab.data.transcripts import COMMANDS, DIGITS, random_transcript, random_words, vocabulary
from asrlab.data.tts import KeptEngine, base_voices, synthesize, variants

__all__ = [
    "DIGITS",
    "COMMANDS",
    "SPLITS",
    "CONNECTED",
    "Utterance",
    "SyntheticSpeech",
    "random_transcript",
    "random_words",
    "split_voices",
    "vocabulary",
    "with_pause",
    "PAUSE_RATE",
]

#: The three disjoint splits.
SPLITS = ("train", "validation", "test")
#: :class:`SyntheticSpeech` settings of connected, out-of-grammar speech: no pause between
#: the words, and every transcript course words in random order (:func:`random_words`), as
#: people speak when they do not follow the phrase list.  With the test split, these make
#: the second test set of ``python -m bench asr``.
CONNECTED: dict[str, object] = {"word_gap_ms": (0, 0), "random_order": 1.0}
#: The speaking rate of :func:`with_pause`, in words per minute: espeak-ng's default
#: rate, at which its word gap adds about the pause asked for (it stretches the gap at
#: slower rates and shrinks it at faster ones).
PAUSE_RATE = 175


def _bucket(variant: str) -> str:
    """Fixed split of a variant name: about 10% test, 10% validation, the rest train."""
    h = zlib.crc32(variant.encode("utf-8")) % 10
    return "test" if h == 0 else "validation" if h == 1 else "train"


def split_voices(split: str) -> list[str]:
    """The voice names of one split; the three splits share no voice variant.

    Training gets every accent on its own plus every accent with the training variants;
    validation and test get every accent with their own variants.  The assignment
    hashes the variant name, so it is the same everywhere and does not depend on a seed.

    Args:
        split: ``"train"``, ``"validation"`` or ``"test"``.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    check_choice(split, name="split", choices=SPLITS)
    accents = base_voices()
    chosen = [v for v in variants() if _bucket(v) == split]
    names = [f"{a}+{v}" for a in accents for v in chosen]
    return (accents + names) if split == "train" else names


@dataclass(frozen=True)
class Utterance:
    """One synthetic utterance and how it was made.

    Attributes:
        audio: float32 samples at ``sr`` Hz, shape ``(n,)``.
        text: The transcript, lower-case words.
        sr: Sample rate in Hz.
        voice: The espeak-ng voice name, e.g. ``"en-gb+f3"``, a Flite voice
            (``"flite-kal"``) or a Piper voice (``"piper-joe"``).
        rate: Words per minute (for a banked voice, before its random speed).
        pitch: espeak pitch, 0 to 100 (0 for a Piper voice).
        word_gap_ms: Extra pause between words in ms (0 for a Flite or Piper voice).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    audio: np.ndarray
    text: str
    sr: int
    voice: str
    rate: int
    pitch: int
    word_gap_ms: int


class SyntheticSpeech:
    """An endless, seeded source of spoken commands from one split's voices.

    ``speech[i]`` is utterance ``i`` (any non-negative integer); iterating yields
    utterances 0, 1, 2, ... forever; :meth:`take` gives the first ``n``.

    Args:
        split: ``"train"`` (default), ``"validation"`` or ``"test"``.
        seed: Seed of the whole stream (default 0).
        sr: Sample rate in Hz (default 16000).
        rate: Range ``(low, high)`` of speaking rates in words per minute (default
            ``(120, 220)``).
        pitch: Range of espeak pitches (default ``(25, 75)``).
        word_gap_ms: Range of extra pauses between words in ms (default ``(0, 80)``).
        pause_share: The share of utterances, 0 to 1, whose words are separated by such a
            pause (default 1.0: all); the others run their words together, as people
            speak (espeak-ng's own timing, no extra gap).
        random_order: The share of transcripts, 0 to 1, made of one to five of the
            course's words in random order (:func:`random_words`) instead of a digit, a
            command or a phrase of the grammar (default 0.0).  A model trained only on
            the grammar leans on it where the sound is ambiguous.
        silence_ms: Range of silence added before and, independently, after the speech
            in ms (default ``(30, 300)``).
        lowpass_hz: When set, low-pass the audio at this frequency (e.g. 4000 to
            imitate 8 kHz telephone or digit recordings); default ``None``.
        max_words: Only transcripts of at most this many words (default ``None``: any);
            ``max_words=1`` gives isolated words, a curriculum for the first minutes of
            training.
        generated_voices: Training split only: add this many generated speakers
            (``gen0``, ``gen1``...; :func:`asrlab.data.tts.generated_variant`), each with
            every accent, to espeak-ng's own (default 0).  More speakers in training make
            a model that copes better with voices it has never heard.
        flite_share: Training split only: the share of utterances, 0 to 0.9 (default 0),
            spoken by a Flite voice instead (:mod:`asrlab.data.flite`: voices made from
            recordings of real people; needs the system's Flite library).  The text,
            rate, pitch and silences are drawn as for the others (Flite has no word
            gap); with ``flite_share=0`` the stream is exactly the espeak-ng one.
        flite_voices: The Flite voices to use (default ``None``: every one the system
            has, :func:`asrlab.data.flite.flite_voices`); unused when ``flite_share=0``.
        bank_share: Training split only: the share of utterances, 0 to 0.9 (default 0),
            drawn from the rendered bank of a slow voice instead (:mod:`asrlab.data.bank`:
            Piper's neural voices and Flite's statistical ones, the closest to real
            people), each played at a random speed from 0.85 to 1.2
            (:func:`asrlab.data.speed_perturb`), so that one voice gives many.  The
            silences are drawn as for the others; the rest of the stream is exactly the
            one without banks.  A bank is rendered once
            (:func:`asrlab.data.bank.voice_bank`), here if no one did it before.
        bank_voices: The voices to draw from (default ``None``: every one of
            :func:`asrlab.data.bank.banked_voices`), each as often.
        bank_size: Utterances in each voice's bank (default 1500).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    def __init__(
        self,
        split: str = "train",
        *,
        seed: int = 0,
        sr: int = 16000,
        rate: tuple[int, int] = (120, 220),
        pitch: tuple[int, int] = (25, 75),
        word_gap_ms: tuple[int, int] = (0, 80),
        pause_share: float = 1.0,
        random_order: float = 0.0,
        silence_ms: tuple[int, int] = (30, 300),
        lowpass_hz: float | None = None,
        max_words: int | None = None,
        generated_voices: int = 0,
        flite_share: float = 0.0,
        flite_voices: Sequence[str] | None = None,
        bank_share: float = 0.0,
        bank_voices: Sequence[str] | None = None,
        bank_size: int = 1500,
    ) -> None:
        self.split = check_choice(split, name="split", choices=SPLITS)
        self.seed = check_nonnegative_int(seed, name="seed")
        self.sr = check_sr(sr)
        self.rate = self._range(rate, name="rate", low=80, high=450)
        self.pitch = self._range(pitch, name="pitch", low=0, high=100)
        self.word_gap_ms = self._range(word_gap_ms, name="word_gap_ms", low=0, high=2000)
        self.silence_ms = self._range(silence_ms, name="silence_ms", low=0, high=10000)
        self.pause_share = self._fraction(pause_share, name="pause_share")
        self.random_order = self._fraction(random_order, name="random_order")
        if lowpass_hz is not None and not 0 < lowpass_hz < sr / 2:
            raise ValueError(f"lowpass_hz: expected a frequency in (0, {sr / 2:g}) Hz, got {lowpass_hz!r}")
        self.lowpass_hz = lowpass_hz
        self.max_words = None if max_words is None else check_positive_int(max_words, name="max_words")
        self.generated_voices = check_nonnegative_int(generated_voices, name="generated_voices")
        if self.generated_voices > 10000:
            raise ValueError(f"generated_voices: expected at most 10000 generated speakers, got {generated_voices!r}")
        if self.generated_voices and split != "train":
            raise ValueError(
                f"generated_voices: only the train split takes generated speakers, got {generated_voices} for {split!r}"
            )
        self.voices = split_voices(split) + [
            f"{a}+gen{k}" for a in base_voices() for k in range(self.generated_voices)
        ]
        self._split_index = SPLITS.index(split)
        self.flite_share, self.flite_voices = self._flite(flite_share, flite_voices)
        self.bank_size = check_positive_int(bank_size, name="bank_size")
        self.bank_share, self.bank_voices = self._engine_share(
            bank_share, bank_voices, name="bank", found=bank_module.banked_voices, missing=bank_module._MISSING,
        )
        self._banks: dict[str, bank_module.VoiceBank] = {}
        self._short: dict[str, list[int]] = {}  # voice -> its bank's transcripts of < max_words words

    def _flite(self, share: float, names: Sequence[str] | None) -> tuple[float, tuple[str, ...]]:
        return self._engine_share(share, names, name="flite", found=flite_voices, missing=flite_module._MISSING)

    def _engine_share(
        self, share: float, names: Sequence[str] | None, *, name: str, found, missing: str,  # noqa: ANN001
    ) -> tuple[float, tuple[str, ...]]:
        """Checked ``(share, voices)`` of Flite's voices or the banked ones (``name`` is
        ``flite`` or ``bank``)."""
        engine = {"flite": "Flite", "bank": "banked"}[name]
        if isinstance(share, bool) or not isinstance(share, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name}_share: expected a number from 0 to 0.9, got {type(share).__name__} {share!r}")
        if not 0 <= share <= 0.9:
            raise ValueError(f"{name}_share: expected a share from 0 to 0.9, got {share!r}")
        if share == 0:  # no speech from this engine: the voices to use do not matter
            return 0.0, ()
        if self.split != "train":
            raise ValueError(f"{name}_share: only the train split takes {engine} voices, got {share} for {self.split!r}")
        available = found()
        if not available:
            raise ValueError(f"{name}_share: {share} {missing}, which was not found")
        if names is None:
            return float(share), tuple(available)
        if isinstance(names, str) or len(names) == 0:
            raise ValueError(f"{name}_voices: expected a non-empty list of voice names, got {names!r}")
        unknown = [n for n in names if n not in available]
        if unknown:
            raise ValueError(f"{name}_voices: expected some of {available}, got {unknown}")
        return float(share), tuple(names)

    def bank(self, voice: str) -> bank_module.VoiceBank:
        """The rendered bank of one of ``bank_voices`` (read, or rendered, once)."""
        if voice not in self._banks:
            self._banks[voice] = bank_module.voice_bank(voice, n=self.bank_size, seed=0, sr=self.sr)
        return self._banks[voice]

    def _from_bank(self, index: int, before: int, after: int) -> Utterance | None:
        """Utterance ``index`` drawn from a bank, or ``None`` when it is not one."""
        r = np.random.default_rng([self.seed, self._split_index, index, 3])
        if r.random() >= self.bank_share:
            return None
        voice = self.bank_voices[int(r.integers(len(self.bank_voices)))]
        bank = self.bank(voice)
        k = int(r.integers(len(bank)))
        if self.max_words is not None and bank.texts[k].count(" ") >= self.max_words:
            if voice not in self._short:
                self._short[voice] = [i for i, t in enumerate(bank.texts) if t.count(" ") < self.max_words]
            short = self._short[voice]
            if not short:
                return None
            k = short[int(r.integers(len(short)))]
        y = speed_perturb(bank.utterance(k), factor=float(r.uniform(0.85, 1.2)))
        return self._finish(y, bank.texts[k], voice, int(bank.rates[k]), int(bank.pitches[k]), 0, before, after)

    @staticmethod
    def _fraction(value: float, *, name: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name}: expected a share from 0 to 1, got {type(value).__name__} {value!r}")
        if not 0 <= value <= 1:
            raise ValueError(f"{name}: expected a share from 0 to 1, got {value!r}")
        return float(value)

    @staticmethod
    def _range(value: tuple[int, int], *, name: str, low: int, high: int) -> tuple[int, int]:
        try:
            a, b = value
        except (TypeError, ValueError):
            raise TypeError(f"{name}: expected a (low, high) pair, got {value!r}") from None
        for v in (a, b):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"{name}: expected a pair of integers, got {value!r}")
        if not low <= a <= b <= high:
            raise ValueError(f"{name}: expected {low} <= low <= high <= {high}, got {value!r}")
        return int(a), int(b)

    def __repr__(self) -> str:
        return f"SyntheticSpeech(split={self.split!r}, seed={self.seed}, sr={self.sr}, {len(self.voices)} voices)"

    def __getitem__(self, index: int) -> Utterance:
        return self._utterance(check_nonnegative_int(index, name="index"), synthesize)

    def stream(self, start: int = 0, *, step: int = 1) -> Iterator[Utterance]:
        """Utterances ``start``, ``start + step``, ``start + 2 * step``... without end,
        espeak-ng's spoken by one :class:`asrlab.data.tts.KeptEngine` instead of a fresh
        engine each: faster, and the same utterances every time.  Each has the transcript,
        voice, rate, pitch, pauses and silences of ``speech[i]``; its samples differ a
        little from ``speech[i]``'s (the engine's state carries over from one utterance to
        the next), except the first's.  The training stream of :func:`asrlab.train.train`
        comes from here (with ``n`` data workers, worker ``k`` streams ``start=k, step=n``)."""
        start = check_nonnegative_int(start, name="start")
        step = check_positive_int(step, name="step")
        with KeptEngine() as engine:
            for index in itertools.count(start, step):
                yield self._utterance(index, engine.synthesize)

    def _utterance(self, index: int, speak: Callable[..., np.ndarray]) -> Utterance:
        """Utterance ``index``, its espeak-ng speech from ``speak`` (:func:`synthesize`'s arguments)."""
        rng = np.random.default_rng([self.seed, self._split_index, index])
        text = random_transcript(rng, max_words=self.max_words)
        voice = self.voices[int(rng.integers(len(self.voices)))]
        rate = int(rng.integers(self.rate[0], self.rate[1] + 1))
        pitch = int(rng.integers(self.pitch[0], self.pitch[1] + 1))
        gap = int(rng.integers(self.word_gap_ms[0], self.word_gap_ms[1] + 1))
        before, after = (int(rng.integers(self.silence_ms[0], self.silence_ms[1] + 1)) for _ in range(2))
        if self.pause_share < 1 or self.random_order > 0:  # its own draws: the rest of the stream stays as it was
            style = np.random.default_rng([self.seed, self._split_index, index, 5])
            if style.random() >= self.pause_share:
                gap = 0
            if style.random() < self.random_order:
                text = random_words(style, max_words=self.max_words)
        if self.bank_share:
            u = self._from_bank(index, before, after)
            if u is not None:
                return u
        flite = np.random.default_rng([self.seed, self._split_index, index, 1]) if self.flite_share else None
        if flite is not None and flite.random() < self.flite_share:
            voice, gap = self.flite_voices[int(flite.integers(len(self.flite_voices)))], 0
            y = synthesize_flite(text, voice=voice, rate=rate, pitch=pitch, sr=self.sr, pad_ms=0)
        else:
            y = speak(text, voice=voice, rate=rate, pitch=pitch, word_gap_ms=gap, sr=self.sr, pad_ms=0)
        return self._finish(y, text, voice, rate, pitch, gap, before, after)

    def _finish(
        self, y: np.ndarray, text: str, voice: str, rate: int, pitch: int, gap: int, before: int, after: int,
    ) -> Utterance:
        if self.lowpass_hz is not None:
            y = _lowpass(y, sr=self.sr, cutoff_hz=self.lowpass_hz)
        y = np.concatenate([
            np.zeros(before * self.sr // 1000, np.float32), y, np.zeros(after * self.sr // 1000, np.float32)
        ])
        return Utterance(y, text, self.sr, voice, rate, pitch, gap)

    def __iter__(self) -> Iterator[Utterance]:
        index = 0
        while True:
            yield self[index]
            index += 1

    def take(self, n: int, *, start: int = 0) -> list[Utterance]:
        """Utterances ``start`` to ``start + n - 1``."""
        n = check_positive_int(n, name="n")
        start = check_nonnegative_int(start, name="start")
        return [self[i] for i in range(start, start + n)]


def with_pause(
    pause_ms: int, *, split: str = "test", seed: int = 0, random_order: float = 0.0, sr: int = 16000,
) -> SyntheticSpeech:
    """Speech whose words are all separated by the same pause, for measuring what a pause does.

    Utterance ``i`` has the same transcript, voice, pitch and surrounding silence for
    every ``pause_ms``; only the pause between its words changes.  All are spoken at
    :data:`PAUSE_RATE` (175 words per minute), where espeak-ng's word gap adds about the
    pause asked for (within 5%); at 120 words per minute it would add about twice as
    much, at 220 about two thirds.  The speech keeps its own short silences on top
    (a consonant's closure, a breath: 0-60 ms at a word boundary), so ``pause_ms=0`` is
    connected speech, the words run together as people speak them.
    :func:`asrlab.audio.pauses` measures the pauses of the result.

    Args:
        pause_ms: The pause between words in ms, 0 to 2000.
        split: The voices, ``"test"`` (default), ``"validation"`` or ``"train"``.
        seed: Seed of the stream (default 0).
        random_order: The share of transcripts that are course words in random order
            (default 0.0: digits, commands and phrases of the grammar), as in
            :class:`SyntheticSpeech`.
        sr: Sample rate in Hz (default 16000).

    Returns:
        A :class:`SyntheticSpeech`: ``with_pause(200)[i]`` or ``with_pause(200).take(n)``.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    return SyntheticSpeech(
        split, seed=seed, sr=sr, word_gap_ms=(pause_ms, pause_ms), rate=(PAUSE_RATE, PAUSE_RATE),
        random_order=random_order,
    )


@functools.lru_cache(maxsize=16)
def _lowpass_sos(sr: int, cutoff_hz: float) -> np.ndarray:
    """The filter of :func:`_lowpass`, designed once per (rate, cut-off): designing it
    for every utterance took a quarter of the data worker's time."""
    from scipy.signal import butter

    return butter(8, cutoff_hz, btype="low", fs=sr, output="sos")


def _lowpass(y: np.ndarray, *, sr: int, cutoff_hz: float) -> np.ndarray:
    """Zero-phase 8th-order Butterworth low-pass (what an 8 kHz recording keeps)."""
    from scipy.signal import sosfiltfilt

    sos = _lowpass_sos(int(sr), float(cutoff_hz))
    if len(y) <= 3 * (2 * len(sos) + 1):
        return y
    return np.clip(sosfiltfilt(sos, y), -1.0, 1.0).astype(np.float32)
