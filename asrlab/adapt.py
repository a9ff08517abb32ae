"""Speaker adaptation: fine-tune a trained recogniser on a few recordings of one speaker.

A model trained on synthetic voices hears a new real speaker much worse than the voices it
knows.  A handful of that speaker's recordings (three takes of each word is plenty for a
small vocabulary) and a minute or two of fine-tuning on a CPU close most of the gap:
:func:`adapt` continues training every weight on those takes, each drawn again and again
with a new random speed, loudness, start offset and a little noise, so that the model
learns the voice rather than the takes; the weights it returns are an exponential moving
average of the steps, which is steadier than the last step on so little data.

``asrlab adapt MODEL.pt --data TAKES.tsv --out ADAPTED.pt`` does the same from the
terminal; the adapted checkpoint works with ``asrlab transcribe`` and ``asrlab evaluate``.

Lesson: 11 Speech recognition in the real world.
"""

from __future__ import annotations

import copy
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch.nn import functional as F

from asrlab._validate import check_nonnegative_int, check_positive_int
from asrlab.model import TinyCTC, encode_text, load_checkpoint, pad_batch, prepare_audio

__all__ = ["AdaptConfig", "AdaptResult", "adapt", "DEFAULT_MINUTES"]

#: Default fine-tuning budget in minutes.
DEFAULT_MINUTES = 2.0

Example = tuple[np.ndarray, str]


@dataclass(frozen=True)
class AdaptConfig:
    """Settings of :func:`adapt`.

    Attributes:
        minutes: Wall-clock budget in minutes (default :data:`DEFAULT_MINUTES`); training
            also stops after ``steps`` when that is set.
        steps: Step budget instead of (or as well as) ``minutes``.
        lr: Learning rate of AdamW (default 5e-4, constant after a short warm-up).
        batch_size: Takes per step (default 8).
        ema_decay: Decay of the moving average of the weights that is returned
            (default 0.98, about the last 50 steps; 0 returns the last step's weights).
        speed: Range of random speed factors applied to every draw (default 0.85-1.15).
        gain_db: Range of random loudness changes in dB (default -6 to +6).
        noise_snr_db: Range of the SNR of the white noise added to every draw (default
            20-40 dB); ``None`` adds none.
        shift_ms: Largest random silence added before and after each draw (default 150 ms).
        seed: Seed of the draws and augmentations.
        threads: CPU threads for torch (default 1).
        device: ``"cpu"`` (default), ``"cuda"``, ``"mps"`` or ``"auto"``.
    """

    minutes: float | None = DEFAULT_MINUTES
    steps: int | None = None
    lr: float = 5e-4
    batch_size: int = 8
    ema_decay: float = 0.98
    speed: tuple[float, float] = (0.85, 1.15)
    gain_db: tuple[float, float] = (-6.0, 6.0)
    noise_snr_db: tuple[float, float] | None = (20.0, 40.0)
    shift_ms: float = 150.0
    seed: int = 0
    threads: int = 1
    device: str = "cpu"

    def __post_init__(self) -> None:
        if self.minutes is None and self.steps is None:
            raise ValueError("minutes/steps: expected a budget, got neither (set minutes, steps or both)")
        if self.minutes is not None and not (isinstance(self.minutes, (int, float)) and 0 < self.minutes <= 120):
            raise ValueError(f"minutes: expected more than 0 and at most 120, got {self.minutes!r}")
        if self.steps is not None:
            check_positive_int(self.steps, name="steps")
        check_positive_int(self.batch_size, name="batch_size")
        check_positive_int(self.threads, name="threads")
        check_nonnegative_int(self.seed, name="seed")
        if not (isinstance(self.lr, (int, float)) and 0 < self.lr < 1):
            raise ValueError(f"lr: expected a learning rate between 0 and 1, got {self.lr!r}")
        if not (isinstance(self.ema_decay, (int, float)) and 0 <= self.ema_decay < 1):
            raise ValueError(f"ema_decay: expected a decay from 0 to below 1, got {self.ema_decay!r}")
        low, high = self.speed
        if not 0.5 <= low <= high <= 2.0:
            raise ValueError(f"speed: expected (low, high) with 0.5 <= low <= high <= 2, got {self.speed!r}")


@dataclass
class AdaptResult:
    """What :func:`adapt` returns."""

    model: TinyCTC
    steps: int
    seconds: float
    losses: list[float] = field(default_factory=list)
    path: Path | None = None


def _check_examples(examples: Any, *, sr: int) -> list[Example]:
    if isinstance(examples, (str, os.PathLike)):
        from asrlab.data import read_manifest

        entries = read_manifest(examples)
        out: list[Example] = []
        for entry in entries:
            out.append((prepare_audio(entry.path, sr=None, target_sr=sr), entry.text))
        examples = out
    if not isinstance(examples, (list, tuple)) or len(examples) == 0:
        raise ValueError("examples: expected at least one (audio, transcript) pair or a manifest path, got none")
    checked = []
    for i, item in enumerate(examples):
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[1], str)):
            raise TypeError(f"examples[{i}]: expected an (audio, transcript) pair, got {type(item).__name__}")
        y, text = item
        y = prepare_audio(np.asarray(y), sr=None, target_sr=sr)
        if not text.strip():
            raise ValueError(f"examples[{i}]: the transcript is empty")
        encode_text(text)  # a character the model cannot spell raises here, naming it
        checked.append((y, " ".join(text.split())))
    return checked


def _augment(y: np.ndarray, *, sr: int, cfg: AdaptConfig, rng: np.random.Generator) -> np.ndarray:
    from asrlab.data import speed_perturb

    factor = float(rng.uniform(*cfg.speed))
    if abs(factor - 1.0) > 1e-3:
        y = speed_perturb(y, factor=factor)
    y = y * np.float32(10 ** (rng.uniform(*cfg.gain_db) / 20))
    pad = int(cfg.shift_ms * sr / 1000)
    if pad:
        y = np.concatenate([np.zeros(int(rng.integers(0, pad + 1)), np.float32), y,
                            np.zeros(int(rng.integers(0, pad + 1)), np.float32)])
    if cfg.noise_snr_db is not None:
        power = float(np.mean(y.astype(np.float64) ** 2)) or 1e-10
        snr = rng.uniform(*cfg.noise_snr_db)
        y = y + rng.normal(scale=np.sqrt(power / 10 ** (snr / 10)), size=y.shape).astype(np.float32)
    return np.clip(y, -1.0, 1.0).astype(np.float32)


def adapt(
    model: TinyCTC | str | os.PathLike[str],
    examples: Sequence[Example] | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    progress: bool = False,
    **options: Any,
) -> AdaptResult:
    """Fine-tune a copy of ``model`` on a few recordings of one speaker.

    Args:
        model: A trained :class:`asrlab.model.TinyCTC` or a checkpoint path; it is not
            changed (a copy is trained).
        examples: ``(audio, transcript)`` pairs (float audio at the model's rate), or the
            path of a manifest (``path<TAB>transcript``; any rate and channel count).
        out: Save the adapted model as a checkpoint here (loadable by
            :func:`asrlab.model.load_checkpoint`, ``asrlab transcribe`` and ``evaluate``).
        progress: Show a tqdm progress bar.
        **options: Fields of :class:`AdaptConfig` (``minutes``, ``steps``, ``lr``, ``seed``...).

    Returns:
        An :class:`AdaptResult` with the adapted model (in eval mode), the number of
        steps, the seconds spent and the loss of every step.

    Raises:
        ValueError / TypeError: no examples, a bad pair, an empty transcript, a character
            the model cannot spell, or a bad option (the message names it).

    Lesson: 11 Speech recognition in the real world.
    """
    from tqdm.auto import tqdm

    from asrlab.model import pick_device, save_checkpoint

    cfg = AdaptConfig(**options)
    base = load_checkpoint(model)[0] if isinstance(model, (str, os.PathLike)) else model
    if not isinstance(base, TinyCTC):
        raise TypeError(f"model: expected a TinyCTC or a checkpoint path, got {type(base).__name__}")
    sr = base.sample_rate
    data = _check_examples(examples, sr=sr)
    device = pick_device(cfg.device)
    threads_before = torch.get_num_threads()
    torch.set_num_threads(cfg.threads)
    rng = np.random.default_rng(cfg.seed)
    order = random.Random(cfg.seed)
    torch.manual_seed(cfg.seed)

    net = copy.deepcopy(base).to(device).float()
    net.train()
    average = copy.deepcopy(net).eval()
    optimiser = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=0.0)
    warmup_steps = 10
    budget_s = None if cfg.minutes is None else cfg.minutes * 60.0
    losses: list[float] = []
    start = time.perf_counter()
    bar = tqdm(total=cfg.steps, desc="adapting", unit="step", disable=not progress)
    pool: list[int] = []
    step = 0
    try:
        while True:
            if cfg.steps is not None and step >= cfg.steps:
                break
            if budget_s is not None and time.perf_counter() - start >= budget_s:
                break
            batch = []
            for _ in range(min(cfg.batch_size, len(data))):
                if not pool:
                    pool = list(range(len(data)))
                    order.shuffle(pool)
                batch.append(data[pool.pop()])
            waves, lengths = pad_batch([_augment(y, sr=sr, cfg=cfg, rng=rng) for y, _ in batch])
            ids = [encode_text(t) for _, t in batch]
            targets = torch.tensor([i for seq in ids for i in seq], dtype=torch.int64)
            target_lengths = torch.tensor([len(s) for s in ids], dtype=torch.int64)
            for group in optimiser.param_groups:
                group["lr"] = cfg.lr * min(1.0, (step + 1) / warmup_steps)
            log_probs, out_lengths = net(waves.to(device), lengths.to(device))
            loss = F.ctc_loss(
                log_probs.float().transpose(0, 1), targets.to(device), out_lengths, target_lengths.to(device),
                blank=0, reduction="mean", zero_infinity=True,
            )
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            optimiser.step()
            step += 1
            losses.append(float(loss.detach()))
            decay = min(cfg.ema_decay, (1 + step) / (10 + step))
            with torch.no_grad():
                for a, w in zip(average.parameters(), net.parameters()):
                    a.mul_(decay).add_(w.detach(), alpha=1 - decay)
                for a, w in zip(average.buffers(), net.buffers()):
                    a.copy_(w)
            bar.update(1)
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
    finally:
        bar.close()
        torch.set_num_threads(threads_before)
    seconds = time.perf_counter() - start
    result_model = (average if cfg.ema_decay > 0 else net).eval()
    path = None
    if out is not None:
        path = save_checkpoint(result_model, out, adapted_steps=step, adapted_examples=len(data))
    return AdaptResult(result_model, step, seconds, losses, path)
