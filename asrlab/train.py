"""Training and evaluation of the tiny CTC recogniser, on a time or epoch budget.

``train(minutes=3, out="model.pt")`` trains :class:`asrlab.model.TinyCTC` on the endless
synthetic command stream (or on a manifest with ``data=``), validates after every epoch
(greedy CER and WER on held-out voices), keeps the best checkpoint, and returns the best
model with its history.  The learning rate warms up and then falls in a straight line to
zero over the budget (wall-clock time for ``minutes``, steps for ``epochs``), so a run of
any length ends annealed.

Half of the synthetic training utterances run their words together, as people speak, and
70% of the transcripts are course words in random order (``TrainConfig.pause_share`` and
``random_order``), so that the model hears words rather than the phrase grammar and the
pauses between them.

Batches are built by length: utterances are drawn in pools of ``POOL_BATCHES *
batch_size``, sorted by duration and cut into batches whose order is shuffled, so a batch
wastes little padding.  On a CPU this is much faster than packed sequences.

Same code on every device: ``device="auto"`` picks CUDA, then Apple MPS, then the CPU;
CUDA runs in mixed precision.  Measured figures are in the project's ``docs/results.md``.

Lesson: 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np
import torch
from torch.nn import functional as F

from asrlab._validate import check_choice, check_nonnegative_int, check_positive_int
from asrlab.model import (
    LogMel,
    ModelConfig,
    TinyCTC,
    count_parameters,
    decode,
    encode_text,
    logits_for,
    pad_batch,
    pick_device,
    prepare_audio,
    save_checkpoint,
    vocabulary_decoder,
)

__all__ = [
    "TrainConfig", "TrainResult", "train", "evaluate", "pause_sweep", "lr_at", "load_manifest_audio",
    "TELEPHONE_OPTIONS", "TELEPHONE_MODEL", "TELEPHONE_MINUTES", "without_missing_engines",
]

#: :func:`train` options for a model meant for 8 kHz recordings (spoken-digit corpora,
#: telephone audio): the synthetic audio is low-passed at 4 kHz; the silence around the
#: words starts at 0 ms, as in clips trimmed to the word; 40% of the utterances come from
#: the banks of the four slow voices of real people (``TrainConfig.bank_share``): Piper's
#: ``joe``, a neural voice of an American man, and Flite's statistical ``awb``, ``rms`` and
#: ``slt`` (a Scottish man, an American man, an American woman); and 35% of the rest are
#: spoken by Flite's ``kal`` voice, glued from a fifth real speaker's recorded diphones
#: (``TrainConfig.flite_share``).  Piper and Flite are optional (the ``voices`` extra and
#: the system's Flite library): ``asrlab train --telephone`` and ``python -m bench digits``
#: leave out what this installation lacks, with a note.  Its pauses, random orders, batches
#: and optimiser are those it was measured with on real recordings (20% paused, 30%
#: random order, batches of 8 at a peak of 2e-3 falling along a cosine, AdamW's betas at
#: PyTorch's 0.9 and 0.999, gradients clipped at a norm of 5).
TELEPHONE_OPTIONS: dict[str, Any] = {
    "lowpass_hz": 4000.0, "silence_ms": (0, 300), "pause_share": 0.2, "random_order": 0.3,
    "batch_size": 8, "lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "schedule": "cosine", "clip_norm": 5.0,
    "bank_share": 0.4, "bank_voices": ("piper-joe", "flite-awb", "flite-rms", "flite-slt"),
    "flite_share": 0.35, "flite_voices": ("flite-kal", "flite-kal16"),
}
#: :class:`asrlab.model.ModelConfig` fields of that model: 80 mel bands up to 4 kHz, the
#: features floored 60 dB below the loudest bin, so a recording's hiss looks like the
#: synthetic speech's digital silence, and the projection to 256 it was measured with.
TELEPHONE_MODEL: dict[str, Any] = {"fmax": 4000.0, "top_db": 60.0, "n_mels": 80, "d_model": 256}
#: Minutes of training ``asrlab train --telephone`` and ``python -m bench digits`` take
#: unless told otherwise: real voices keep gaining after the synthetic test voices have
#: reached their floor.
TELEPHONE_MINUTES: float = 10.0

#: Utterances are drawn in pools of this many batches, sorted by length and cut into batches.
POOL_BATCHES = 8
#: Batches the data worker may have ready ahead of the trainer (two pools: the trainer
#: never waits while the worker synthesises the next pool).
PREFETCH_BATCHES = 2 * POOL_BATCHES
#: The weight average's decay after ``n`` updates is at most ``(1 + n) / (EMA_RAMP + n)``,
#: so early validations see recent weights rather than those of the random start.
EMA_RAMP = 10
#: SpecAugment masks (``TrainConfig.spec_augment``): two frequency masks of up to an eighth
#: of the mel bands each, and two time masks of up to this many frames.
SPEC_AUGMENT_TIME_WIDTH = 8
SPEC_AUGMENT_MASKS = 2


def without_missing_engines(options: dict[str, Any], *, asked: Iterable[str] = ()) -> tuple[dict[str, Any], list[str]]:
    """The options with what the ``--telephone`` preset asks of Flite and of the banked
    voices dropped where this installation lacks it, and one note for each drop (``[]``
    when nothing was dropped).  What the user ``asked`` for (``"flite"``, ``"bank"``)
    stays, and :func:`asrlab.train.train` then fails with a clear message.

    The recipe still trains without them, on espeak-ng's voices and whatever of these was
    found: fewer voices of real people, so expect fewer real recordings right.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from asrlab.data import flite, flite_voices, piper
    from asrlab.data.bank import banked_voices

    install = {"flite": flite._INSTALL, "piper": piper._INSTALL}
    notes = []
    if "flite" not in asked and options.get("flite_share") and not flite_voices():
        options = {**{k: v for k, v in options.items() if k != "flite_voices"}, "flite_share": 0.0}
        notes.append(
            f"--telephone: Flite not found ({install['flite']}); training without its voices "
            "(fewer voices of real people: expect fewer real recordings right)"
        )
    if "bank" not in asked and options.get("bank_share"):
        found = banked_voices()
        wanted = options.get("bank_voices") or found
        missing = [v for v in wanted if v not in found]
        if missing:
            hints = "; ".join(dict.fromkeys(install[v.split("-")[0]] for v in missing))
            notes.append(
                f"--telephone: {', '.join(missing)} not found ({hints}); training without {'it' if len(missing) == 1 else 'them'}"
                " (fewer voices of real people: expect fewer real recordings right)"
            )
        kept = tuple(v for v in wanted if v in found)
        if kept:
            options = {**options, "bank_voices": kept}
        else:
            options = {**{k: v for k, v in options.items() if k != "bank_voices"}, "bank_share": 0.0}
    return options, notes


def _is_decay(value: object) -> bool:
    """Whether ``value`` is a real number (not a bool) in [0, 1)."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0 <= value < 1


@dataclass
class TrainConfig:
    """Settings of :func:`train` (all stored in the checkpoint).

    Attributes:
        minutes: Wall-clock budget in minutes (default 3.0); ``None`` with ``epochs``.
        epochs: Epoch budget instead of (or as well as) ``minutes``; training stops at
            whichever comes first.
        batch_size: Utterances per batch (default 16).  A step's cost grows more slowly
            than its batch (the GRU's steps through time cost about the same), so within
            a time budget larger batches hear more speech, up to what one data worker
            synthesises; very short runs (a few hundred steps) do better with 8.
        lr: Peak learning rate of AdamW (default 3e-3, for batches of 16; 2e-3 suits
            batches of 8).
        weight_decay: AdamW weight decay (default 0.01).
        beta1: AdamW's decay of its running mean of gradients, the momentum (default 0.7:
            each step follows about the last 3 gradients, where PyTorch's 0.9 follows
            about 10; less momentum learns more in runs of a few thousand steps).
        beta2: AdamW's decay of its running mean of squared gradients (default 0.95:
            each weight's step is scaled by about its last 20 gradients, where PyTorch's
            0.999 averages about 1,000; the lower decay learns more in runs of a few
            thousand steps, see ``docs/results.md``).
        warmup: Fraction of the budget spent warming the learning rate up (default 0.05).
        schedule: How the learning rate then falls to zero by the end of the budget
            (:func:`lr_at`): ``"linear"`` (default) or ``"cosine"``.  In runs of a few
            thousand steps the straight line learns more (``docs/results.md``).
        seed: Seed of the model's initialisation, batching and the synthetic stream.
        device: ``"auto"`` (default), ``"cpu"``, ``"cuda"`` or ``"mps"``.
        threads: CPU threads for torch (default 1: on a small shared CPU, one thread
            per process beats several; the data worker takes another core).
        workers: Processes synthesising data in the background (default 1; 0 = in the
            training process); several share the stream out, none repeating another's.
        epoch_size: Synthetic utterances per epoch (default 3200: a validation every 200
            steps); a manifest's epoch is one pass over its training part.
        val_size: Synthetic validation utterances (default 200).
        val_fraction: Fraction of a training manifest held out for validation when no
            validation manifest is given (default 0.1), chosen by ``seed``.
        patience: Stop after this many epochs without a better validation CER
            (default ``None``: never stop early).
        spec_augment: Apply SpecAugment masks to the training features (default False:
            a regulariser for long runs; within a few CPU minutes it slows convergence).
        clip_norm: The largest norm of all the gradients together that a step applies
            (default 0.5): a larger gradient is scaled down to it.  Most steps' gradients
            are larger, so a batch with an unusually large gradient makes no larger a step
            than the others, nor (through AdamW's running mean of squared gradients)
            smaller ones after it; in runs of a few thousand steps that learns more than
            a clip at 5.0, which only stops a rare huge gradient (``docs/results.md``).
        ema_decay: Validate, keep and return an exponential moving average of the
            weights, updated after every step with this decay (default 0.998: about the
            last 500 steps) or less: after ``n`` updates the decay is at most
            ``(1 + n) / (10 + n)`` (:data:`EMA_RAMP`), an average of about the last
            tenth of the steps, so it reaches 0.998 only after about 4,500 steps (after
            1,700 steps it is 0.995, about the last 190); ``None`` or 0: the weights as
            trained.
        lowpass_hz: Low-pass the synthetic training audio (e.g. 4000 for a model meant
            for 8 kHz recordings); default ``None``.
        curriculum: The first this many synthetic training utterances are isolated
            words (default 1600, the first 100 steps at the default batch size): CTC
            leaves its "all blank" plateau sooner on them.
        silence_ms: Range ``(low, high)`` of silence added before and after each
            synthetic training utterance, in ms (default ``(10, 150)``).  The trained
            model trims what it hears to the middle of this range
            (``ModelConfig.pad_ms``), so longer silences in test audio do not matter.
            Real recordings trimmed to the word are better served by a range from 0.
        generated_voices: Generated speakers added to the synthetic training voices
            (:class:`asrlab.data.SyntheticSpeech`, each with every accent; default 100):
            voice variety is what lets the model cope with voices it never heard.
        pause_share: Share of synthetic training utterances with a pause of 0-80 ms
            between their words (default 0.5); the others run their words together, as
            people speak.  A model needs to hear both: without pauses it mishears the
            paused speech, with pauses only it mishears connected speech.
        random_order: Share of synthetic training transcripts made of one to five course
            words in random order (:func:`asrlab.data.random_words`) instead of the
            phrase grammar (default 0.7), so that no word sequence is predictable; the
            grammar's phrases are then still common enough to learn.
        flite_share: Share of the synthetic training utterances spoken by Flite's voices
            (:mod:`asrlab.data.flite`, made from recordings of real people; needs the
            system's Flite library), default 0.0.
        flite_voices: The Flite voices to use (default ``None``: all that were found).
        bank_share: Share of the synthetic training utterances drawn from the rendered
            banks of the slow voices closest to real people (:mod:`asrlab.data.bank`:
            Piper's neural ``joe``; Flite's ``awb``, ``rms`` and ``slt``), default 0.0.
            A bank that was never rendered is rendered before the clock starts, once.
        bank_voices: The voices to draw from (default ``None``: all that were found).
        bank_size: Utterances in each voice's bank (default 1500).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    minutes: float | None = 3.0
    epochs: int | None = None
    batch_size: int = 16
    lr: float = 3e-3
    weight_decay: float = 0.01
    beta1: float = 0.7
    beta2: float = 0.95
    warmup: float = 0.05
    schedule: str = "linear"
    seed: int = 0
    device: str = "auto"
    threads: int | None = 1
    workers: int = 1
    epoch_size: int = 3200
    val_size: int = 200
    val_fraction: float = 0.1
    patience: int | None = None
    spec_augment: bool = False
    clip_norm: float = 0.5
    ema_decay: float | None = 0.998
    lowpass_hz: float | None = None
    curriculum: int = 1600
    silence_ms: tuple[int, int] = (10, 150)
    generated_voices: int = 100
    pause_share: float = 0.5
    random_order: float = 0.7
    flite_share: float = 0.0
    flite_voices: tuple[str, ...] | None = None
    bank_share: float = 0.0
    bank_voices: tuple[str, ...] | None = None
    bank_size: int = 1500

    def __post_init__(self) -> None:
        if self.minutes is None and self.epochs is None:
            raise ValueError("minutes: expected a time budget (minutes) or an epoch budget (epochs), got neither")
        if self.minutes is not None and not (isinstance(self.minutes, (int, float)) and 0 < self.minutes < 1e6):
            raise ValueError(f"minutes: expected a positive number of minutes, got {self.minutes!r}")
        if self.epochs is not None:
            check_positive_int(self.epochs, name="epochs")
        check_positive_int(self.batch_size, name="batch_size")
        check_positive_int(self.epoch_size, name="epoch_size")
        check_positive_int(self.val_size, name="val_size")
        check_nonnegative_int(self.workers, name="workers")
        check_nonnegative_int(self.curriculum, name="curriculum")
        check_nonnegative_int(self.generated_voices, name="generated_voices")
        check_nonnegative_int(self.seed, name="seed")
        if self.threads is not None:
            check_positive_int(self.threads, name="threads")
        if self.patience is not None:
            check_positive_int(self.patience, name="patience")
        if not 0 <= self.warmup < 1:
            raise ValueError(f"warmup: expected a fraction in [0, 1), got {self.warmup!r}")
        if self.ema_decay is not None and not _is_decay(self.ema_decay):
            raise ValueError(f"ema_decay: expected None or a decay in [0, 1), got {self.ema_decay!r}")
        for name in ("beta1", "beta2"):
            if not _is_decay(getattr(self, name)):
                raise ValueError(f"{name}: expected a decay in [0, 1), got {getattr(self, name)!r}")
        check_choice(self.schedule, name="schedule", choices=SCHEDULES)
        if not 0 < self.val_fraction < 1:
            raise ValueError(f"val_fraction: expected a fraction in (0, 1), got {self.val_fraction!r}")
        for name in ("pause_share", "random_order"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{name}: expected a share from 0 to 1, got {value!r}")
            setattr(self, name, float(value))
        try:
            low_ms, high_ms = (int(v) for v in self.silence_ms)
        except (TypeError, ValueError):
            raise ValueError(f"silence_ms: expected a (low, high) pair of milliseconds, got {self.silence_ms!r}") from None
        if not 0 <= low_ms <= high_ms <= 10000:
            raise ValueError(f"silence_ms: expected 0 <= low <= high <= 10000, got {self.silence_ms!r}")
        self.silence_ms = (low_ms, high_ms)
        if not self.lr > 0:
            raise ValueError(f"lr: expected a positive learning rate, got {self.lr!r}")
        clip = self.clip_norm
        if isinstance(clip, bool) or not isinstance(clip, (int, float)) or not 0 < clip < math.inf:
            raise ValueError(f"clip_norm: expected a positive, finite gradient norm, got {self.clip_norm!r}")
        check_positive_int(self.bank_size, name="bank_size")
        for engine in ("flite", "bank"):
            share, voices = getattr(self, f"{engine}_share"), getattr(self, f"{engine}_voices")
            if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 0.9:
                raise ValueError(f"{engine}_share: expected a share from 0 to 0.9, got {share!r}")
            setattr(self, f"{engine}_share", float(share))
            if voices is not None:
                if isinstance(voices, str) or not all(isinstance(v, str) for v in voices):
                    raise ValueError(
                        f"{engine}_voices: expected a list of {'Flite ' if engine == 'flite' else ''}voice names, "
                        f"got {voices!r}"
                    )
                setattr(self, f"{engine}_voices", tuple(voices))

    def stream_settings(self, sr: int) -> dict[str, Any]:
        """The :class:`asrlab.data.SyntheticSpeech` settings of the synthetic training stream
        at ``sr`` Hz (the validation speech shares those that shape the sound)."""
        return dict(
            seed=self.seed, sr=sr, lowpass_hz=self.lowpass_hz, silence_ms=self.silence_ms,
            generated_voices=self.generated_voices, pause_share=self.pause_share, random_order=self.random_order,
            flite_share=self.flite_share, flite_voices=self.flite_voices,
            bank_share=self.bank_share, bank_voices=self.bank_voices, bank_size=self.bank_size,
        )


@dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes:
        model: The best model (lowest validation CER), in eval mode.
        history: Per epoch: ``"train loss"`` (mean CTC loss, nats per utterance divided
            by target length), ``"val CER"``, ``"val WER"``, ``"lr"``, ``"seconds"``.
        best_cer: Validation CER of the best epoch (a fraction).
        best_wer: Validation WER of the best epoch.
        best_epoch: Its number, from 1.
        steps: Optimiser steps taken.
        seconds: Wall-clock training time.
        checkpoint: Where the best model was saved, or ``None``.
        problems: One line per training file that could not be read (skipped).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    model: TinyCTC
    history: dict[str, list[float]]
    best_cer: float
    best_wer: float
    best_epoch: int
    steps: int
    seconds: float
    checkpoint: Path | None = None
    problems: list[str] = field(default_factory=list)


#: The learning rate at the very start of the warm-up, as a fraction of the peak (not 0:
#: the first step should move the weights).
WARMUP_START = 0.01
#: How the learning rate falls from its peak to zero after the warm-up
#: (``TrainConfig.schedule``).
SCHEDULES = ("linear", "cosine")



def lr_at(progress: float, *, peak: float, warmup: float, schedule: str = "linear") -> float:
    """Learning rate at ``progress`` in [0, 1] of the budget: linear warm-up to ``peak``
    over the first ``warmup`` fraction (from :data:`WARMUP_START` of it), then down to 0
    at the end, in a straight line (``schedule="linear"``) or along half a cosine
    (``"cosine"``: longer near the peak, and longer near zero).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    check_choice(schedule, name="schedule", choices=SCHEDULES)
    p = min(max(progress, 0.0), 1.0)
    if warmup > 0 and p < warmup:
        return peak * max(p / warmup, WARMUP_START)
    q = (p - warmup) / (1 - warmup) if warmup < 1 else 1.0
    if schedule == "linear":
        return peak * (1 - q)
    return peak * 0.5 * (1 + math.cos(math.pi * q))


# --------------------------------------------------------------------------------------
# data


Example = tuple[np.ndarray, str]
Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


def _length_batches(examples: Sequence[Example], *, batch_size: int, rng: random.Random) -> list[list[Example]]:
    """Cut a pool into batches of similar duration, in random order."""
    ordered = sorted(examples, key=lambda e: len(e[0]))
    batches = [ordered[i : i + batch_size] for i in range(0, len(ordered), batch_size)]
    rng.shuffle(batches)
    return batches


def _collate(batch: list[Example], frontend: LogMel | None = None) -> Batch:
    """``(inputs, lengths, targets (sum of label lengths,), target_lengths (B,))``: the
    padded waves ``(B, n)`` and their lengths in samples, or with ``frontend`` (the
    model's :class:`asrlab.model.LogMel`) their features ``(B, n_mels, frames)`` and
    lengths in frames."""
    inputs, lengths = pad_batch([a for a, _ in batch])
    if frontend is not None:
        with torch.no_grad():
            inputs, lengths = frontend(inputs, lengths)
    ids = [encode_text(t) for _, t in batch]
    targets = torch.tensor([i for seq in ids for i in seq], dtype=torch.int64)
    target_lengths = torch.tensor([len(s) for s in ids], dtype=torch.int64)
    return inputs, lengths, targets, target_lengths


class _SyntheticBatches(torch.utils.data.IterableDataset):
    """Endless length-bucketed batches from the synthetic training stream, already
    padded, encoded and, given the model's ``frontend``, turned into features by
    :func:`_collate` in the data worker (four tensors cross to the training process, not
    two arrays per utterance, and the trainer's thread does not compute the features).
    The first ``curriculum`` utterances are single words.  Of ``n`` data workers, worker
    ``k`` synthesises every ``n``-th utterance from the ``k``-th, so none repeats another's."""

    def __init__(
        self, settings: dict[str, Any], *, batch_size: int, curriculum: int, frontend: LogMel | None = None,
    ) -> None:
        super().__init__()
        self.settings, self.batch_size, self.curriculum = settings, batch_size, curriculum
        self.frontend = frontend

    def __iter__(self) -> Iterator[Batch]:
        worker = torch.utils.data.get_worker_info()
        k, n = (0, 1) if worker is None else (worker.id, worker.num_workers)  # each worker its share
        pool = POOL_BATCHES * self.batch_size
        utterances = self._utterances(first=-(-self.curriculum // pool) * pool, k=k, n=n)  # in whole pools
        rng = random.Random(self.settings["seed"] if n == 1 else f"{self.settings['seed']}/{k}/{n}")
        while True:
            examples = [(u.audio, u.text) for u in itertools.islice(utterances, pool)]
            for batch in _length_batches(examples, batch_size=self.batch_size, rng=rng):
                yield _collate(batch, self.frontend)

    def _utterances(self, *, first: int, k: int, n: int) -> Iterator[Any]:
        """Share ``k`` of ``n`` (every ``n``-th utterance from the ``k``-th) of utterances 0
        to ``first - 1`` of the single-word stream, then of the stream from ``first`` on."""
        from asrlab.data import SyntheticSpeech

        words = SyntheticSpeech("train", max_words=1, **self.settings).stream(start=k, step=n)
        yield from itertools.islice(words, len(range(k, first, n)))
        words.close()
        yield from SyntheticSpeech("train", **self.settings).stream(start=first + k, step=n)


def _batch_stream(dataset: _SyntheticBatches, workers: int) -> Iterator[Batch]:
    if workers == 0:
        return iter(dataset)
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=None, num_workers=workers, prefetch_factor=PREFETCH_BATCHES, persistent_workers=False,
        worker_init_fn=_worker_init,
        generator=torch.Generator().manual_seed(0),  # its own: the model's initial weights do not depend on workers
    )
    return iter(loader)


def _worker_init(_worker_id: int) -> None:
    torch.set_num_threads(1)


def load_manifest_audio(
    entries: Sequence[Any], *, sr: int, progress: bool = True
) -> tuple[list[Example], list[str]]:
    """Read every manifest entry's audio (mono, resampled to ``sr``) into memory.

    Returns:
        ``(examples, problems)``: ``(samples, transcript)`` pairs for the readable files
        and one message per file that could not be read or transcribed.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from tqdm.auto import tqdm

    examples, problems = [], []
    for entry in tqdm(entries, desc="reading audio", unit="file", disable=not progress):
        try:
            y = prepare_audio(entry.path, sr=None, target_sr=sr)
            encode_text(entry.text)
        except (ValueError, OSError) as exc:
            problems.append(f"{entry.path}: {exc}")
            continue
        examples.append((y, entry.text))
    return examples, problems


# --------------------------------------------------------------------------------------
# evaluation


def evaluate(
    model: TinyCTC,
    examples: Sequence[Example],
    *,
    beam: int | None = None,
    vocabulary: Sequence[str] | None = None,
    batch_size: int = 32,
) -> dict[str, Any]:
    """Corpus CER and WER of ``model`` on ``(audio, transcript)`` pairs.

    ``beam`` and ``vocabulary`` choose the decoding as in :func:`asrlab.model.decode`:
    greedy by default, beam search with ``beam`` prefixes, or beam search that only
    returns words of ``vocabulary``.

    The rates are corpus-level (total edits / total reference characters or words), as
    :func:`asrlab.metrics.cer` / :func:`asrlab.metrics.wer` and jiwer compute them.

    Returns:
        ``{"cer": float, "wer": float, "n": int, "references": [...], "hypotheses": [...]}``.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from asrlab import metrics

    if len(examples) == 0:
        raise ValueError("examples: expected at least one (audio, transcript) pair, got none")
    lm = None if vocabulary is None else vocabulary_decoder(vocabulary)
    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]))
    hyps: list[str] = [""] * len(examples)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        for i, lp in zip(chunk, logits_for(model, [examples[i][0] for i in chunk])):
            hyps[i] = decode(lp, beam=beam, vocabulary=lm)
    refs = [text for _, text in examples]
    return {
        "cer": float(metrics.cer(refs, hyps)),
        "wer": float(metrics.wer(refs, hyps)),
        "n": len(examples),
        "references": refs,
        "hypotheses": hyps,
    }


def pause_sweep(
    model: TinyCTC,
    pauses_ms: Sequence[int],
    *,
    n: int = 60,
    seed: int = 0,
    random_order: float = 0.0,
    beam: int | None = None,
    vocabulary: Sequence[str] | None = None,
) -> dict[str, list[Any]]:
    """Corpus CER and WER of ``model`` on the same test utterances spoken with each pause.

    For every pause, the first ``n`` utterances of :func:`asrlab.data.with_pause` (the
    test voices at 175 words per minute: the same transcripts, voices and pitches, only
    the pause between the words differs) are scored with :func:`evaluate`, so the rates
    differ only because of the pause.

    Args:
        model: The recogniser.
        pauses_ms: The pauses between words to measure, in ms (each 0 to 2000).
        n: Utterances per pause (default 60).
        seed: Seed of the test stream (default 0).
        random_order: The share of transcripts that are course words in random order
            (default 0.0: the grammar's digits, commands and phrases).
        beam, vocabulary: Decoding, as in :func:`evaluate` (default greedy).

    Returns:
        ``{"pause_ms": [...], "cer": [...], "wer": [...], "hypotheses": [[...], ...],
        "references": [...]}``: one rate, and one list of ``n`` hypotheses, per pause;
        the ``n`` references are the same for every pause.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from asrlab.data.synthetic import with_pause

    pauses = [int(p) for p in pauses_ms]
    if not pauses or any(p != q for p, q in zip(pauses, pauses_ms)):
        raise ValueError(f"pauses_ms: expected a non-empty list of whole milliseconds, got {pauses_ms!r}")
    n = check_positive_int(n, name="n")
    out: dict[str, list[Any]] = {"pause_ms": pauses, "cer": [], "wer": [], "hypotheses": [], "references": []}
    for pause in pauses:
        speech = with_pause(pause, seed=seed, random_order=random_order, sr=model.config.sr)
        scored = evaluate(model, [(u.audio, u.text) for u in speech.take(n)], beam=beam, vocabulary=vocabulary)
        out["cer"].append(scored["cer"])
        out["wer"].append(scored["wer"])
        out["hypotheses"].append(scored["hypotheses"])
        out["references"] = scored["references"]
    return out


# --------------------------------------------------------------------------------------
# training


@dataclass
class _Data:
    """What a run trains and validates on: ``train`` examples of a manifest, or ``stream``,
    the endless synthetic batches; and ``val`` examples."""

    val: list[Example]
    steps_per_epoch: int
    train: list[Example] | None = None
    stream: Iterator[Batch] | None = None
    problems: list[str] = field(default_factory=list)

    def epoch(self, *, batch_size: int, rng: random.Random) -> Iterator[Batch]:
        """The batches of one epoch."""
        if self.stream is not None:
            stream = self.stream
            return (next(stream) for _ in range(self.steps_per_epoch))
        order = list(self.train or [])
        rng.shuffle(order)
        pool = POOL_BATCHES * batch_size
        return (
            _collate(batch) for i in range(0, len(order), pool)
            for batch in _length_batches(order[i : i + pool], batch_size=batch_size, rng=rng)
        )


def _read_examples(source: Any, *, sr: int, progress: bool, problems: list[str]) -> list[Example]:
    """The audio of a manifest (path or entries), its problems appended to ``problems``."""
    from asrlab.data import read_manifest

    entries = read_manifest(source, skip_bad=True) if isinstance(source, (str, os.PathLike)) else list(source)
    problems += list(getattr(entries, "problems", []))
    examples, bad = load_manifest_audio(entries, sr=sr, progress=progress)
    problems += bad
    return examples


#: How many of a manifest's problems an error lists (the rest are counted).
LISTED_PROBLEMS = 5


def _listed(problems: Sequence[str]) -> str:
    """``problems`` as the indented lines that end an error message ("" when none)."""
    if not problems:
        return ""
    lines = [f"\n  {p}" for p in problems[:LISTED_PROBLEMS]]
    if len(problems) > LISTED_PROBLEMS:
        lines.append(f"\n  ... and {len(problems) - LISTED_PROBLEMS} more")
    return ":" + "".join(lines)


def _prepare_data(
    data: Any, val_data: Any, cfg: TrainConfig, mcfg: ModelConfig, rng: random.Random, progress: bool,
) -> _Data:
    """Read the manifests, or set up the synthetic stream (its banks rendered first, so
    that the clock does not pay for them), and the validation examples."""
    problems: list[str] = []
    train_examples = None
    if data is not None:
        train_examples = _read_examples(data, sr=mcfg.sr, progress=progress, problems=problems)
        if not train_examples:
            raise ValueError(f"data: expected readable training audio, got none{_listed(problems)}")
    if val_data is not None:
        val_examples = _read_examples(val_data, sr=mcfg.sr, progress=progress, problems=problems)
    elif train_examples is not None:
        if len(train_examples) < 2:
            raise ValueError("data: expected at least 2 utterances (one to train, one to validate)")
        shuffled = train_examples[:]
        rng.shuffle(shuffled)
        n_val = min(max(1, int(round(cfg.val_fraction * len(shuffled)))), len(shuffled) - 1)
        val_examples, train_examples = shuffled[:n_val], shuffled[n_val:]
    else:
        from asrlab.data import SyntheticSpeech

        sound = {k: v for k, v in cfg.stream_settings(mcfg.sr).items() if k in _VALIDATION_SETTINGS}
        val_examples = [(u.audio, u.text) for u in SyntheticSpeech("validation", **sound).take(cfg.val_size)]
    if not val_examples:
        raise ValueError(f"val_data: expected readable validation audio, got none{_listed(problems)}")
    if train_examples is not None:
        steps = math.ceil(len(train_examples) / cfg.batch_size)
        return _Data(val_examples, steps, train=train_examples, problems=problems)
    return _Data(val_examples, math.ceil(cfg.epoch_size / cfg.batch_size), stream=_synthetic_stream(cfg, mcfg, progress))


#: The stream settings that held-out synthetic validation speech shares with training
#: (its own voices; no Flite or banked voices, which belong to training only).
_VALIDATION_SETTINGS = ("seed", "sr", "lowpass_hz", "silence_ms", "pause_share", "random_order")


def _synthetic_stream(cfg: TrainConfig, mcfg: ModelConfig, progress: bool) -> Iterator[Batch]:
    from asrlab.data import SyntheticSpeech
    from asrlab.data.bank import voice_bank

    settings = cfg.stream_settings(mcfg.sr)
    checked = SyntheticSpeech("train", **settings)  # settings that cannot work fail here, not in the worker
    for voice in checked.bank_voices:  # render (once) before the clock starts, not in the worker
        voice_bank(voice, n=cfg.bank_size, sr=mcfg.sr, progress=progress)
    frontend = LogMel(mcfg) if cfg.workers else None  # features made in the worker, off the trainer's thread
    dataset = _SyntheticBatches(settings, batch_size=cfg.batch_size, curriculum=cfg.curriculum, frontend=frontend)
    return _batch_stream(dataset, cfg.workers)


def _ema(decay: float) -> Callable[[list[torch.Tensor], list[torch.Tensor], torch.Tensor], None]:
    """``multi_avg_fn`` of an exponential moving average whose decay ramps up to ``decay``:
    ``(1 + n) / (EMA_RAMP + n)`` after ``n`` updates (0.18 after the first), computed once
    per update for all the parameters."""

    @torch.no_grad()
    def update(averages: list[torch.Tensor], weights: list[torch.Tensor], n: torch.Tensor) -> None:
        d = torch.clamp((1 + n) / (EMA_RAMP + n), max=decay)  # a tensor: no wait for a GPU
        for average, weight in zip(averages, weights):
            average.lerp_(weight, 1 - d)

    return update


class _Budget:
    """How far a run is through its budget: wall-clock minutes, steps, or both (the
    larger fraction counts)."""

    def __init__(self, cfg: TrainConfig, steps_per_epoch: int) -> None:
        self.seconds = None if cfg.minutes is None else 60.0 * cfg.minutes
        self.steps = None if cfg.epochs is None else cfg.epochs * steps_per_epoch
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def progress(self, step: int) -> float:
        parts = []
        if self.seconds is not None:
            parts.append(self.elapsed() / self.seconds)
        if self.steps is not None:
            parts.append(step / self.steps)
        return max(parts)


class _Learner:
    """The model, its optimiser and weight average, and one training step."""

    def __init__(self, cfg: TrainConfig, mcfg: ModelConfig, device: torch.device, rng: random.Random) -> None:
        self.cfg, self.device, self.rng = cfg, device, rng
        self.model = TinyCTC(mcfg).to(device)
        self.average = None if not cfg.ema_decay else torch.optim.swa_utils.AveragedModel(
            self.model, multi_avg_fn=_ema(cfg.ema_decay),
        )
        self.optimiser = torch.optim.AdamW(
            self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(cfg.beta1, cfg.beta2),
            fused=True if device.type in ("cpu", "cuda") else None,  # one kernel for all the parameters
        )
        self.use_amp = device.type == "cuda"
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.use_amp)
        self.steps = 0

    @property
    def validated(self) -> TinyCTC:
        """What is validated, kept and returned: the weight average, or the weights."""
        return self.model if self.average is None else self.average.module

    def step(self, batch: Batch, lr: float) -> float:
        """One optimiser step on ``batch`` at learning rate ``lr``; returns the CTC loss."""
        for group in self.optimiser.param_groups:
            group["lr"] = lr
        inputs, lengths, targets, target_lengths = (t.to(self.device) for t in batch)
        with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=self.use_amp):
            if inputs.dim() == 2:  # waves (B, n); the data worker sends features (B, n_mels, frames)
                feats, n_frames = self.model.frontend(inputs, lengths)
            else:
                feats, n_frames = inputs, lengths
            if self.cfg.spec_augment:
                feats = self._masked(feats)
            logits, out_lengths = self.model.encode(feats, n_frames)
        log_probs = torch.log_softmax(logits.float(), dim=-1)
        loss = F.ctc_loss(
            log_probs.transpose(0, 1), targets, out_lengths, target_lengths, blank=0, reduction="mean",
            zero_infinity=True,
        )
        self.optimiser.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.optimiser)
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.clip_norm)
        self.scaler.step(self.optimiser)
        self.scaler.update()
        self.steps += 1
        if self.average is not None:
            self.average.update_parameters(self.model)
        return float(loss.detach())

    def _masked(self, feats: torch.Tensor) -> torch.Tensor:
        from asrlab.data import spec_augment

        return spec_augment(
            feats, freq_masks=SPEC_AUGMENT_MASKS, freq_width=max(1, self.model.config.n_mels // 8),
            time_masks=SPEC_AUGMENT_MASKS, time_width=SPEC_AUGMENT_TIME_WIDTH, seed=self.rng.randrange(2**31),
        )

    def save(self, path: Path, cfg: TrainConfig, history: dict[str, list[float]], best: dict[str, Any]) -> None:
        save_checkpoint(
            self.validated, path, train_config=asdict(cfg), history=history, epoch=best["epoch"],
            val_cer=best["cer"], val_wer=best["wer"], steps=self.steps, parameters=count_parameters(self.model),
        )


def _train_epoch(
    learner: _Learner, batches: Iterator[Batch], budget: _Budget, cfg: TrainConfig, bar: Any, epoch: int,
) -> tuple[list[float], bool]:
    """Train on ``batches`` until they or the budget run out: ``(losses, budget spent)``."""
    losses: list[float] = []
    for batch in batches:
        p = budget.progress(learner.steps)
        if p >= 1.0:
            return losses, True
        lr = lr_at(p, peak=cfg.lr, warmup=cfg.warmup, schedule=cfg.schedule)
        losses.append(learner.step(batch, lr))
        if budget.seconds is not None:
            bar.update(min(int(budget.elapsed()), int(budget.seconds)) - bar.n)
        else:
            bar.update(1)
        bar.set_postfix(epoch=epoch, loss=f"{losses[-1]:.3f}", lr=f"{lr:.2e}")
    return losses, budget.steps is not None and learner.steps >= budget.steps


def train(
    *,
    minutes: float | None = 3.0,
    epochs: int | None = None,
    out: str | os.PathLike[str] | None = None,
    data: str | os.PathLike[str] | Sequence[Any] | None = None,
    val_data: str | os.PathLike[str] | Sequence[Any] | None = None,
    model_config: ModelConfig | None = None,
    plot: str | os.PathLike[str] | None = None,
    progress: bool = True,
    callback: Callable[[int, dict[str, list[float]]], None] | None = None,
    **options: Any,
) -> TrainResult:
    """Train the tiny CTC model on a time or epoch budget and keep the best checkpoint.

    The steps: set up the device and the data (:class:`_Data`), then per epoch train on
    its batches until the budget is spent (:func:`_train_epoch`), validate the weight
    average, and keep it when its CER is the best so far.

    Args:
        minutes: Wall-clock budget (default 3.0); ``None`` to use ``epochs`` only.
        epochs: Epoch budget; with both, training stops at whichever comes first.
        out: Checkpoint path; the best model so far is saved there after each epoch.
        data: ``None`` (default) for the endless synthetic stream, or a manifest path
            (or a list of :class:`asrlab.data.ManifestEntry`) to train on.
        val_data: Validation manifest (path or entries).  Default: held-out synthetic
            voices for synthetic training; for a manifest, ``val_fraction`` (default
            10%) of its entries, chosen by ``seed``.
        model_config: :class:`asrlab.model.ModelConfig` (default: the 0.48 M model).
            On the synthetic stream, a config without ``pad_ms`` is trained (and saved)
            with ``pad_ms`` at the middle of ``silence_ms`` (80 ms by default): the
            model then trims the silence of what it hears to what it was trained with.
        plot: Save the training curves (:func:`asrlab.plot.curves`) to this image file.
        progress: Show a tqdm progress bar (default True).
        callback: Called as ``callback(epoch, history)`` after each validation.
        **options: Any field of :class:`TrainConfig` (``batch_size``, ``lr``, ``seed``,
            ``device``, ``threads``, ``patience``...).

    Returns:
        A :class:`TrainResult`.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from tqdm.auto import tqdm

    cfg = TrainConfig(minutes=minutes, epochs=epochs, **options)
    mcfg = model_config or ModelConfig()
    if data is None and mcfg.pad_ms is None:  # hear recordings with the silence of the synthetic stream
        mcfg = replace(mcfg, pad_ms=float(sum(cfg.silence_ms) / 2))
    device = pick_device(cfg.device)
    if device.type == "cpu" and cfg.threads is not None:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    prepared = _prepare_data(data, val_data, cfg, mcfg, rng, progress)
    learner = _Learner(cfg, mcfg, device, rng)
    budget = _Budget(cfg, prepared.steps_per_epoch)
    history: dict[str, list[float]] = {"train loss": [], "val CER": [], "val WER": [], "lr": [], "seconds": []}
    best: dict[str, Any] = {"cer": math.inf, "wer": math.inf, "epoch": 0}
    best_state: dict[str, torch.Tensor] | None = None
    checkpoint = Path(out) if out is not None else None
    bar = tqdm(
        total=int(budget.seconds) if budget.seconds is not None else budget.steps,
        unit="s" if budget.seconds is not None else "step", desc="training", disable=not progress,
    )
    epoch, stale, done = 0, 0, False
    learner.model.train()
    while not done:
        epoch += 1
        losses, done = _train_epoch(
            learner, prepared.epoch(batch_size=cfg.batch_size, rng=rng), budget, cfg, bar, epoch,
        )
        if not losses:
            break
        result = evaluate(learner.validated, prepared.val, batch_size=cfg.batch_size)
        learner.model.train()
        for name, value in (
            ("train loss", float(np.mean(losses))), ("val CER", result["cer"]), ("val WER", result["wer"]),
            ("lr", learner.optimiser.param_groups[0]["lr"]), ("seconds", budget.elapsed()),
        ):
            history[name].append(value)
        bar.set_postfix(epoch=epoch, loss=f"{history['train loss'][-1]:.3f}", val_cer=f"{result['cer']:.3f}")
        if result["cer"] < best["cer"]:
            best = {"cer": result["cer"], "wer": result["wer"], "epoch": epoch}
            best_state = {k: v.detach().cpu().clone() for k, v in learner.validated.state_dict().items()}
            stale = 0
            if checkpoint is not None:
                learner.save(checkpoint, cfg, history, best)
        else:
            stale += 1
        if callback is not None:
            callback(epoch, history)
        if cfg.patience is not None and stale >= cfg.patience:
            break
    bar.close()
    prepared.stream = None  # ends the data worker
    seconds = budget.elapsed()
    if best_state is None:
        raise RuntimeError("train: the budget ended before the first batch; give it more time")
    model = learner.model
    model.load_state_dict(best_state)
    model.eval()
    if checkpoint is not None:  # the final history (also of epochs after the best one)
        save_checkpoint(
            model, checkpoint, train_config=asdict(cfg), history=history, epoch=best["epoch"],
            val_cer=best["cer"], val_wer=best["wer"], steps=learner.steps, parameters=count_parameters(model),
        )
    if plot is not None:
        _plot_curves(history, plot)
    return TrainResult(model, history, best["cer"], best["wer"], best["epoch"], learner.steps, seconds, checkpoint, prepared.problems)


def _plot_curves(history: dict[str, list[float]], path: str | os.PathLike[str]) -> Path:
    from matplotlib.figure import Figure  # no pyplot: works with any backend, leaks no window

    shown = {k: history[k] for k in ("train loss", "val CER", "val WER")}
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    try:
        from asrlab.plot import curves

        curves(shown, ax=ax)
    except ImportError:  # pragma: no cover - the plot module is optional here
        for name, values in shown.items():
            ax.plot(range(1, len(values) + 1), values, marker="o", label=name)
        ax.set_xlabel("Epoch (count)")
        ax.legend()
    ax.set_yscale("log")
    ax.set_title("Tiny CTC training")
    file = Path(path)
    fig.savefig(file, dpi=100, bbox_inches="tight")
    return file
