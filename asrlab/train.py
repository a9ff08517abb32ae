"""Training and evaluation of the tiny CTC recogniser, on a time or epoch budget.

``train(minutes=3, out="model.pt")`` trains :class:`asrlab.model.TinyCTC` on the endless
synthetic command stream (or on a manifest with ``data=``), validates after every epoch
(greedy CER and WER on held-out voices), keeps the best checkpoint, and returns the best
model with its history.  The learning rate warms up and then follows a cosine to zero
over the budget (wall-clock time for ``minutes``, steps for ``epochs``), so a run of any
length ends annealed.

Batches are built by length: utterances are drawn in pools of ``8 * batch_size``,
sorted by duration and cut into batches whose order is shuffled, so a batch wastes
little padding.  On a CPU this is much faster than packed sequences.

Same code on every device: ``device="auto"`` picks CUDA, then Apple MPS, then the CPU;
CUDA runs in mixed precision.

Lesson: 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

import math
import os
import random
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import torch
from torch.nn import functional as F

from asrlab._validate import check_nonnegative_int, check_positive_int
from asrlab.model import (
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
    "TrainConfig", "TrainResult", "train", "evaluate", "lr_at", "load_manifest_audio",
    "TELEPHONE_OPTIONS", "TELEPHONE_MODEL", "TELEPHONE_MINUTES",
]

#: :func:`train` options for a model meant for 8 kHz recordings (spoken-digit corpora,
#: telephone audio): the synthetic audio is low-passed at 4 kHz, the silence around the
#: words starts at 0 ms, as in clips trimmed to the word, 40% of the utterances come from
#: the banks of the four slow voices of real people (``TrainConfig.bank_share``): Piper's
#: ``joe``, a neural voice of an American man, and Flite's statistical ``awb``, ``rms`` and
#: ``slt`` (a Scottish man, an American man, an American woman); and 35% of the rest are
#: spoken by Flite's ``kal`` voice, glued from a fifth real speaker's recorded diphones
#: (``TrainConfig.flite_share``).  ``asrlab train --telephone`` and
#: ``python -m bench digits`` leave out what this installation lacks, with a note.
TELEPHONE_OPTIONS: dict[str, Any] = {
    "lowpass_hz": 4000.0, "silence_ms": (0, 300),
    "bank_share": 0.4, "bank_voices": ("piper-joe", "flite-awb", "flite-rms", "flite-slt"),
    "flite_share": 0.35, "flite_voices": ("flite-kal", "flite-kal16"),
}
#: :class:`asrlab.model.ModelConfig` fields of that model: 80 mel bands up to 4 kHz, and the
#: features floored 60 dB below the loudest bin, so a recording's hiss looks like the
#: synthetic speech's digital silence.  (On real spoken digits, 80 bands did better than
#: the default 32 after 3 minutes: 15-30% greedy and 55-60% with the digit vocabulary,
#: against 5-10% and 40-55%.)
TELEPHONE_MODEL: dict[str, Any] = {"fmax": 4000.0, "top_db": 60.0, "n_mels": 80}
#: Minutes of training ``asrlab train --telephone`` and ``python -m bench digits`` take
#: unless told otherwise.  Real voices need longer than the synthetic test voices: on 28
#: real people's spoken digits, six seeds got 68.5% right greedy on average after 10
#: minutes (57-82%, 5 seeds of 6 at 60% or more; CTC loss of the right digit 2.47 nats)
#: against 59.5% after 3 (50-68%, 2 of 6; 3.16 nats), while the synthetic test CER is
#: already near its floor after 3.
TELEPHONE_MINUTES: float = 10.0


@dataclass
class TrainConfig:
    """Settings of :func:`train` (all stored in the checkpoint).

    Attributes:
        minutes: Wall-clock budget in minutes (default 3.0); ``None`` with ``epochs``.
        epochs: Epoch budget instead of (or as well as) ``minutes``; training stops at
            whichever comes first.
        batch_size: Utterances per batch (default 8: on a small CPU a step costs little
            more for 8 utterances than for 4, and many small steps leave CTC's "all
            blank" plateau far sooner within a few minutes than fewer large ones).
        lr: Peak learning rate of AdamW (default 2e-3; at ``batch_size=8`` it beat 1e-3
            and 3e-3 over short CPU budgets).
        weight_decay: AdamW weight decay (default 0.01).
        warmup: Fraction of the budget spent warming the learning rate up (default 0.05).
        seed: Seed of the model's initialisation, batching and the synthetic stream.
        device: ``"auto"`` (default), ``"cpu"``, ``"cuda"`` or ``"mps"``.
        threads: CPU threads for torch (default 1: on a small shared CPU, one thread
            per process beats several; the data worker takes another core).
        workers: Processes synthesising data in the background (default 1; 0 = in the
            training process).
        epoch_size: Synthetic utterances per epoch (default 3200: validation after
            every 400 steps, so a 3-minute budget spends little time validating); a
            manifest's epoch is one pass over its training part.
        val_size: Synthetic validation utterances (default 200).
        val_fraction: Fraction of a training manifest held out for validation when no
            validation manifest is given (default 0.1), chosen by ``seed``.
        patience: Stop after this many epochs without a better validation CER
            (default ``None``: never stop early).
        spec_augment: Apply SpecAugment masks to training features (default False:
            within a few CPU minutes it slows convergence; with the ``--telephone`` recipe,
            3-minute runs with seeds 0, 1 and 2 got 50%, 50% and 55% of the real spoken
            digits right greedy with it, against 45%, 85% and 80% without).
        clip_norm: Gradient-norm clipping (default 5.0).
        ema_decay: Validate, keep and return an exponential moving average of the
            weights, updated after every step with this decay (default 0.998: about the
            last 500 steps; after ``n`` updates the decay is at most ``(1 + n) / (10 + n)``,
            so early validations see recent weights); ``None`` or 0: the weights as trained.  The
            average smooths the noise of small batches: in 3-minute CPU runs (seeds 0, 1 and 2)
            the test CER on unheard voices was 1.54%, 1.85% and 1.34% with it and 1.69%, 1.89%
            and 1.65% without (3,500-4,300 steps).
        lowpass_hz: Low-pass the synthetic training audio (e.g. 4000 for a model meant
            for 8 kHz recordings); default ``None``.
        curriculum: The first this many synthetic training utterances are isolated
            words (default 1600, the first 200 steps at the default batch size): CTC
            leaves its "all blank" plateau sooner on them.
        speed: Range ``(low, high)`` of speed-perturbation factors for the synthetic
            training audio (:func:`asrlab.data.speed_perturb`: faster is also higher,
            formants included, like a shorter vocal tract), drawn per utterance;
            default ``None``: none.  With the ``--telephone`` recipe, ``(0.9, 1.1)`` got
            40%, 60% and 75% of the real spoken digits right greedy (3 minutes, seeds 0,
            1 and 2), against 45%, 85% and 80% without.
        vtlp: Range ``(low, high)`` of vocal-tract-length warp factors
            (:func:`asrlab.model.warp_frequencies`) drawn per training utterance;
            default ``None``: none.  With the ``--telephone`` recipe, ``(0.9, 1.1)`` got
            50%, 60% and 70% of the real spoken digits right greedy (3 minutes, seeds 0,
            1 and 2), against 45%, 85% and 80% without.
        silence_ms: Range ``(low, high)`` of silence added before and after each
            synthetic training utterance, in ms (default ``(10, 150)``: shorter than the
            ``(30, 300)`` of :class:`asrlab.data.SyntheticSpeech`, so that a step spends
            less time on silence).  The trained model trims what it hears to the middle
            of this range (``ModelConfig.pad_ms``), so longer silences in test audio do
            not matter.  Real recordings trimmed to the word (many spoken-digit clips)
            are better served by a range starting at 0.
        generated_voices: Generated speakers added to the synthetic training voices
            (:class:`asrlab.data.SyntheticSpeech`, each with every accent; default 100).
            Voice variety is what lets the model cope with voices it never heard: in
            3-minute CPU runs, 100 of them cut the test CER on held-out voices from 5.6%
            to 2.6-2.8% (the worst test voice from 40% to 14-15%), at the cost of a
            slower start (a validation CER of 18% instead of 15% after only 800 steps).
            Letting their first three formants move apart by up to 20% instead of 10%
            took two 3-minute runs (seeds 0 and 1) from 2.28% and 2.28% to 1.89% and
            2.13%.
        flite_share: Share of the synthetic training utterances spoken by Flite's voices
            (:mod:`asrlab.data.flite`, made from recordings of real people; needs the
            system's Flite library), default 0.0.  The ``--telephone`` recipe uses 0.35
            of ``kal`` where Flite is installed: on the real spoken digits, two 3-minute
            runs (seeds 0 and 1, before the silence cut of ``ModelConfig.pad_ms``) got
            30% and 35% right greedy instead of 15% and 15%, and 70% and 60% with the
            digit vocabulary instead of 55% and 50%, while the CER on unheard synthetic
            voices rose from 3-5% to 7-8%.  With the cut as well, seeds 0, 1 and 2 got
            50%, 55% and 25% greedy, 65%, 80% and 65% with the vocabulary; with the
            generated speakers' wider formant spread, 35%, 35% and 30%, and 70%, 65%
            and 60% (20 recordings: one is 5 points).
        flite_voices: The Flite voices to use (default ``None``: all that were found).
        bank_share: Share of the synthetic training utterances drawn from the rendered
            banks of the slow voices closest to real people (:mod:`asrlab.data.bank`:
            Piper's neural ``joe``; Flite's ``awb``, ``rms`` and ``slt``), default 0.0.
            A bank that was never rendered is rendered before the clock starts, once
            (1,500 utterances: about 80 s for Piper, 25 s for a Flite voice).  The
            ``--telephone`` recipe draws 0.4 from all four: on the real spoken digits,
            three 3-minute runs (seeds 0, 1 and 2) got 60%, 65% and 60% right greedy,
            and 80%, 80% and 90% with the digit vocabulary, against 35%, 35%, 30% and
            70%, 65%, 60% without banks; 0.2 of ``joe`` alone got 45%, 30% and 50%, and
            85%, 65% and 85%; 0.3 of ``joe`` and ``slt`` 55%, 50% and 60%, and 75%, 85%
            and 80%; after the faster GRU route and with the weight average, 0.4 got 45%,
            85% and 80% and 0.6 got 50%, 60% and 70%.  Bank draws cost the data worker
            less than espeak-ng's synthesis, so the runs also took more steps (2,370-2,710
            instead of 2,000-2,270).
        bank_voices: The voices to draw from (default ``None``: all that were found).
        bank_size: Utterances in each voice's bank (default 1500).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    minutes: float | None = 3.0
    epochs: int | None = None
    batch_size: int = 8
    lr: float = 2e-3
    weight_decay: float = 0.01
    warmup: float = 0.05
    seed: int = 0
    device: str = "auto"
    threads: int | None = 1
    workers: int = 1
    epoch_size: int = 3200
    val_size: int = 200
    val_fraction: float = 0.1
    patience: int | None = None
    spec_augment: bool = False
    clip_norm: float = 5.0
    ema_decay: float | None = 0.998
    lowpass_hz: float | None = None
    curriculum: int = 1600
    speed: tuple[float, float] | None = None
    vtlp: tuple[float, float] | None = None
    silence_ms: tuple[int, int] = (10, 150)
    generated_voices: int = 100
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
        if self.ema_decay is not None and (
            isinstance(self.ema_decay, bool) or not isinstance(self.ema_decay, (int, float)) or not 0 <= self.ema_decay < 1
        ):
            raise ValueError(f"ema_decay: expected None or a decay in [0, 1), got {self.ema_decay!r}")
        if not 0 < self.val_fraction < 1:
            raise ValueError(f"val_fraction: expected a fraction in (0, 1), got {self.val_fraction!r}")
        for name in ("speed", "vtlp"):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                low, high = (float(v) for v in value)
            except (TypeError, ValueError):
                raise ValueError(f"{name}: expected a (low, high) pair of factors, got {value!r}") from None
            if not 0.5 <= low <= high <= 2.0:
                raise ValueError(f"{name}: expected 0.5 <= low <= high <= 2.0, got {value!r}")
            setattr(self, name, (low, high))
        try:
            low_ms, high_ms = (int(v) for v in self.silence_ms)
        except (TypeError, ValueError):
            raise ValueError(f"silence_ms: expected a (low, high) pair of milliseconds, got {self.silence_ms!r}") from None
        if not 0 <= low_ms <= high_ms <= 10000:
            raise ValueError(f"silence_ms: expected 0 <= low <= high <= 10000, got {self.silence_ms!r}")
        self.silence_ms = (low_ms, high_ms)
        if not self.lr > 0:
            raise ValueError(f"lr: expected a positive learning rate, got {self.lr!r}")
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


def lr_at(progress: float, *, peak: float, warmup: float) -> float:
    """Learning rate at ``progress`` in [0, 1] of the budget: linear warm-up to ``peak``
    over the first ``warmup`` fraction, then a cosine down to 0 at the end.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    p = min(max(progress, 0.0), 1.0)
    if warmup > 0 and p < warmup:
        return peak * max(p / warmup, 0.01)
    q = (p - warmup) / (1 - warmup) if warmup < 1 else 1.0
    return peak * 0.5 * (1 + math.cos(math.pi * q))


# --------------------------------------------------------------------------------------
# data


Example = tuple[np.ndarray, str]


def _length_batches(examples: Sequence[Example], *, batch_size: int, rng: random.Random) -> list[list[Example]]:
    """Cut a pool into batches of similar duration, in random order."""
    ordered = sorted(examples, key=lambda e: len(e[0]))
    batches = [ordered[i : i + batch_size] for i in range(0, len(ordered), batch_size)]
    rng.shuffle(batches)
    return batches


class _SyntheticBatches(torch.utils.data.IterableDataset):
    """Endless length-bucketed batches from the synthetic training stream, already
    padded and encoded by :func:`_collate` (four tensors cross from the data worker to
    the training process, not two arrays per utterance)."""

    def __init__(
        self, *, seed: int, batch_size: int, start: int, lowpass_hz: float | None, sr: int, curriculum: int,
        speed: tuple[float, float] | None, silence_ms: tuple[int, int], generated_voices: int,
        engines: dict[str, Any],
    ) -> None:
        super().__init__()
        self.seed, self.batch_size, self.start = seed, batch_size, start
        self.lowpass_hz, self.sr, self.curriculum, self.speed = lowpass_hz, sr, curriculum, speed
        self.silence_ms, self.generated_voices = silence_ms, generated_voices
        self.engines = engines  # flite_share, flite_voices, bank_share, bank_voices, bank_size

    def settings(self) -> dict[str, Any]:
        """The :class:`asrlab.data.SyntheticSpeech` settings of the training stream."""
        return dict(
            seed=self.seed, sr=self.sr, lowpass_hz=self.lowpass_hz, silence_ms=self.silence_ms,
            generated_voices=self.generated_voices, **self.engines,
        )

    def __iter__(self) -> Iterator[list[Example]]:
        from asrlab.data import SyntheticSpeech, speed_perturb

        common = self.settings()
        speech = SyntheticSpeech("train", **common)
        words = SyntheticSpeech("train", max_words=1, **common)
        pool = 8 * self.batch_size
        index = self.start
        rng = random.Random(self.seed)
        while True:
            source = words if index < self.curriculum else speech
            examples = [(u.audio, u.text) for u in (source[i] for i in range(index, index + pool))]
            if self.speed is not None:
                factors = np.random.default_rng([self.seed, index]).uniform(*self.speed, size=len(examples))
                examples = [(speed_perturb(a, factor=float(f)), t) for (a, t), f in zip(examples, factors)]
            index += pool
            for batch in _length_batches(examples, batch_size=self.batch_size, rng=rng):
                yield _collate(batch)


Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


def _ema(decay: float) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]:
    """``avg_fn`` of an exponential moving average whose decay ramps up to ``decay``:
    ``(1 + n) / (10 + n)`` after ``n`` updates (0.18 after the first), so that early
    validations see recent weights rather than those of the random start."""

    def update(average: torch.Tensor, weight: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
        d = torch.clamp((1 + n) / (10 + n), max=decay)  # a tensor: no wait for a GPU
        return average + (weight - average) * (1 - d)

    return update


def _collate(batch: list[Example]) -> Batch:
    """``(waves (B, n), lengths (B,), targets (sum of label lengths,), target_lengths (B,))``."""
    waves, lengths = pad_batch([a for a, _ in batch])
    ids = [encode_text(t) for _, t in batch]
    targets = torch.tensor([i for seq in ids for i in seq], dtype=torch.int64)
    target_lengths = torch.tensor([len(s) for s in ids], dtype=torch.int64)
    return waves, lengths, targets, target_lengths


def _batch_stream(dataset: _SyntheticBatches, workers: int) -> Iterator[Batch]:
    if workers == 0:
        return iter(dataset)
    # The worker makes eight batches at a time (one length-sorted pool).  With room for
    # only four in flight, the trainer ran dry while the worker synthesised the next pool
    # and waited 20% of a run; sixteen cover a whole pool's synthesis (about 21% more
    # steps in the same minutes on two cores).
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=None, num_workers=workers, prefetch_factor=16, persistent_workers=False,
        worker_init_fn=_worker_init,
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


# --------------------------------------------------------------------------------------
# training


def _step_batch(batch: Batch, device: torch.device) -> Batch:
    waves, lengths, targets, target_lengths = batch
    return waves.to(device), lengths.to(device), targets.to(device), target_lengths.to(device)


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

    Args:
        minutes: Wall-clock budget (default 3.0); ``None`` to use ``epochs`` only.
        epochs: Epoch budget; with both, training stops at whichever comes first.
        out: Checkpoint path; the best model so far is saved there after each epoch.
        data: ``None`` (default) for the endless synthetic stream, or a manifest path
            (or a list of :class:`asrlab.data.ManifestEntry`) to train on.
        val_data: Validation manifest (path or entries).  Default: held-out synthetic
            voices for synthetic training; for a manifest, ``val_fraction`` (default
            10%) of its entries, chosen by ``seed``.
        model_config: :class:`asrlab.model.ModelConfig` (default: the 0.68 M model).
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

    # ---- data
    problems: list[str] = []
    train_examples: list[Example] | None = None
    if data is not None:
        from asrlab.data import read_manifest

        entries = read_manifest(data, skip_bad=True) if isinstance(data, (str, os.PathLike)) else list(data)
        problems += list(getattr(entries, "problems", []))
        train_examples, bad = load_manifest_audio(entries, sr=mcfg.sr, progress=progress)
        problems += bad
        if not train_examples:
            raise ValueError(f"data: expected readable training audio, got none ({len(problems)} problem(s))")
    if val_data is not None:
        from asrlab.data import read_manifest

        val_entries = read_manifest(val_data, skip_bad=True) if isinstance(val_data, (str, os.PathLike)) else list(val_data)
        problems += list(getattr(val_entries, "problems", []))
        val_examples, bad = load_manifest_audio(val_entries, sr=mcfg.sr, progress=progress)
        problems += bad
    elif train_examples is not None:
        shuffled = train_examples[:]
        rng.shuffle(shuffled)
        if len(shuffled) < 2:
            raise ValueError("data: expected at least 2 utterances (one to train, one to validate)")
        n_val = min(max(1, int(round(cfg.val_fraction * len(shuffled)))), len(shuffled) - 1)
        val_examples, train_examples = shuffled[:n_val], shuffled[n_val:]
    else:
        from asrlab.data import SyntheticSpeech

        held_out = SyntheticSpeech(  # the same band and silence as the training stream
            "validation", seed=cfg.seed, sr=mcfg.sr, lowpass_hz=cfg.lowpass_hz, silence_ms=cfg.silence_ms
        )
        val_examples = [(u.audio, u.text) for u in held_out.take(cfg.val_size)]
    if not val_examples:
        raise ValueError("val_data: expected readable validation audio, got none")

    # ---- model and optimiser
    model = TinyCTC(mcfg).to(device)
    average = None if not cfg.ema_decay else torch.optim.swa_utils.AveragedModel(model, avg_fn=_ema(cfg.ema_decay))
    validated = model if average is None else average.module  # what is validated, kept and returned
    optimiser = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    use_amp = device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)

    if train_examples is not None:
        steps_per_epoch = math.ceil(len(train_examples) / cfg.batch_size)
        stream = None
    else:
        steps_per_epoch = math.ceil(cfg.epoch_size / cfg.batch_size)
        dataset = _SyntheticBatches(
            seed=cfg.seed, batch_size=cfg.batch_size, start=0, lowpass_hz=cfg.lowpass_hz, sr=mcfg.sr,
            curriculum=cfg.curriculum, speed=cfg.speed, silence_ms=cfg.silence_ms,
            generated_voices=cfg.generated_voices, engines={
                name: getattr(cfg, name)
                for name in ("flite_share", "flite_voices", "bank_share", "bank_voices", "bank_size")
            },
        )
        from asrlab.data import SyntheticSpeech
        from asrlab.data.bank import voice_bank

        checked = SyntheticSpeech("train", **dataset.settings())  # settings that cannot work fail here, not in the worker
        for voice in checked.bank_voices:  # render (once) before the clock starts, not in the worker
            voice_bank(voice, n=cfg.bank_size, sr=mcfg.sr, progress=progress)
        stream = _batch_stream(dataset, cfg.workers)
    budget_s = None if cfg.minutes is None else 60.0 * cfg.minutes
    total_steps = None if cfg.epochs is None else cfg.epochs * steps_per_epoch

    def progress_now(step: int, elapsed: float) -> float:
        parts = []
        if budget_s is not None:
            parts.append(elapsed / budget_s)
        if total_steps is not None:
            parts.append(step / total_steps)
        return max(parts)

    history: dict[str, list[float]] = {"train loss": [], "val CER": [], "val WER": [], "lr": [], "seconds": []}
    best = {"cer": math.inf, "wer": math.inf, "epoch": 0}
    best_state: dict[str, torch.Tensor] | None = None
    checkpoint = Path(out) if out is not None else None
    step, epoch, stale = 0, 0, 0
    start = time.perf_counter()
    bar = tqdm(
        total=int(budget_s) if budget_s is not None else total_steps,
        unit="s" if budget_s is not None else "step",
        desc="training", disable=not progress,
    )
    shown = 0
    done = False
    model.train()
    while not done:
        epoch += 1
        if train_examples is not None:
            order = train_examples[:]
            rng.shuffle(order)
            batches: Iterator[Batch] = iter(
                _collate(b) for i in range(0, len(order), 8 * cfg.batch_size)
                for b in _length_batches(order[i : i + 8 * cfg.batch_size], batch_size=cfg.batch_size, rng=rng)
            )
        else:
            batches = (next(stream) for _ in range(steps_per_epoch))  # type: ignore[arg-type]
        losses = []
        for batch in batches:
            elapsed = time.perf_counter() - start
            p = progress_now(step, elapsed)
            if p >= 1.0:
                done = True
                break
            lr = lr_at(p, peak=cfg.lr, warmup=cfg.warmup)
            for group in optimiser.param_groups:
                group["lr"] = lr
            waves, lengths, targets, target_lengths = _step_batch(batch, device)
            with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=use_amp):
                warp = None
                if cfg.vtlp is not None:
                    warp = torch.tensor([rng.uniform(*cfg.vtlp) for _ in range(len(waves))], device=device)
                feats, n_frames = model.frontend(waves, lengths, warp)
                if cfg.spec_augment:
                    from asrlab.data import spec_augment

                    feats = spec_augment(  # masks up to an eighth of the bands each
                        feats, freq_masks=2, freq_width=max(1, mcfg.n_mels // 8), time_masks=2, time_width=8,
                        seed=rng.randrange(2**31),
                    )
                logits, out_lengths = model.encode(feats, n_frames)
            log_probs = torch.log_softmax(logits.float(), dim=-1)
            loss = F.ctc_loss(
                log_probs.transpose(0, 1), targets, out_lengths, target_lengths,
                blank=0, reduction="mean", zero_infinity=True,
            )
            optimiser.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optimiser)
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_norm)
            scaler.step(optimiser)
            scaler.update()
            step += 1
            if average is not None:
                average.update_parameters(model)
            losses.append(float(loss.detach()))
            if budget_s is not None:
                now = min(int(time.perf_counter() - start), int(budget_s))
                bar.update(now - shown)
                shown = now
            else:
                bar.update(1)
            bar.set_postfix(epoch=epoch, loss=f"{losses[-1]:.3f}", lr=f"{lr:.2e}")
        else:
            if total_steps is not None and step >= total_steps:
                done = True
        if not losses:
            break
        result = evaluate(validated, val_examples, batch_size=cfg.batch_size)
        model.train()
        history["train loss"].append(float(np.mean(losses)))
        history["val CER"].append(result["cer"])
        history["val WER"].append(result["wer"])
        history["lr"].append(optimiser.param_groups[0]["lr"])
        history["seconds"].append(time.perf_counter() - start)
        bar.set_postfix(epoch=epoch, loss=f"{history['train loss'][-1]:.3f}", val_cer=f"{result['cer']:.3f}")
        if result["cer"] < best["cer"]:
            best = {"cer": result["cer"], "wer": result["wer"], "epoch": epoch}
            best_state = {k: v.detach().cpu().clone() for k, v in validated.state_dict().items()}
            stale = 0
            if checkpoint is not None:
                save_checkpoint(
                    validated, checkpoint, train_config=asdict(cfg), history=history, epoch=epoch,
                    val_cer=result["cer"], val_wer=result["wer"], steps=step,
                    parameters=count_parameters(model),
                )
        else:
            stale += 1
        if callback is not None:
            callback(epoch, history)
        if cfg.patience is not None and stale >= cfg.patience:
            break
    bar.close()
    if stream is not None:
        del stream
    seconds = time.perf_counter() - start
    if best_state is None:
        raise RuntimeError("train: the budget ended before the first batch; give it more time")
    model.load_state_dict(best_state)
    model.eval()
    if checkpoint is not None:  # the final history (also of epochs after the best one)
        save_checkpoint(
            model, checkpoint, train_config=asdict(cfg), history=history, epoch=best["epoch"],
            val_cer=best["cer"], val_wer=best["wer"], steps=step, parameters=count_parameters(model),
        )
    if plot is not None:
        _plot_curves(history, plot)
    return TrainResult(model, history, best["cer"], best["wer"], best["epoch"], step, seconds, checkpoint, problems)


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
