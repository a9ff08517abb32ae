"""The tiny CTC speech recogniser: log-mel front end, character alphabet, model, transcription.

Pipeline: 16 kHz waveform -> 32 log-mel bands every 10 ms (normalised per utterance)
-> two stride-2 3x3 convolutions with GELU (4x fewer frames: 40 ms per output frame)
-> Linear to 64 -> LayerNorm -> 2-layer bidirectional GRU (128 per direction)
-> Linear to 29 classes: the CTC blank (class 0), space, ``a``-``z`` and ``'``.
About 0.48 M parameters; it trains on a laptop CPU in minutes.

The LayerNorm after the projection matters: without it CTC sits on the "all blank"
plateau for much longer at the start of training.

Lesson: 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import torch
from torch import nn

from asrlab._validate import check_audio, check_choice, check_positive_int, check_sr

if TYPE_CHECKING:
    from asrlab import ctc

__all__ = [
    "ALPHABET",
    "BLANK",
    "ModelConfig",
    "LogMel",
    "TinyCTC",
    "BiGRU",
    "encode_text",
    "decode_ids",
    "output_lengths",
    "pad_batch",
    "warp_frequencies",
    "count_parameters",
    "pick_device",
    "save_checkpoint",
    "load_checkpoint",
    "PRETRAINED",
    "load_pretrained",
    "export_pretrained",
    "transcribe",
    "frame_lengths",
    "prepare_audio",
    "logits_for",
    "decode",
    "vocabulary_decoder",
]

#: Class symbols, index = class id.  ``"_"`` stands for the CTC blank (class 0) and is
#: never output; then space, the 26 letters and the apostrophe: 29 classes.
ALPHABET = "_ abcdefghijklmnopqrstuvwxyz'"
#: Class id of the CTC blank.
BLANK = 0
_CHAR_TO_ID = {c: i for i, c in enumerate(ALPHABET) if i != BLANK}


def encode_text(text: str, *, alphabet: str = ALPHABET) -> list[int]:
    """Class ids of a (normalised) transcript: ``"go up"`` -> ``[8, 16, 1, 22, 17]``.

    Raises:
        ValueError: a character that is not in the alphabet (normalise first with
            :func:`asrlab.data.normalize_transcript`).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    table = _CHAR_TO_ID if alphabet == ALPHABET else {c: i for i, c in enumerate(alphabet) if i != BLANK}
    try:
        return [table[c] for c in text]
    except KeyError as exc:
        raise ValueError(
            f"text: expected only characters of the alphabet {alphabet[1:]!r}, got {exc.args[0]!r} in {text[:60]!r}"
        ) from None


def decode_ids(ids: Sequence[int], *, alphabet: str = ALPHABET) -> str:
    """Text of a sequence of (collapsed, blank-free) class ids; the inverse of :func:`encode_text`.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    return "".join(alphabet[i] for i in ids if i != BLANK)


@dataclass
class ModelConfig:
    """Hyper-parameters of :class:`TinyCTC` and its front end (stored in checkpoints).

    Attributes:
        sr: Sample rate in Hz the model expects (default 16000).
        n_fft: FFT size in samples (default 400: 25 ms at 16 kHz).
        hop_length: Samples between frames (default 160: 10 ms).
        n_mels: Mel bands (default 32).  Few, wide bands keep the formant envelope and
            blur the harmonics of the pitch, which differ from speaker to speaker, and a
            step costs less; models for 8 kHz recordings use 80
            (:data:`asrlab.train.TELEPHONE_MODEL`).  Measurements: ``docs/results.md``.
        fmin: Lowest mel frequency in Hz (default 0).
        fmax: Highest mel frequency in Hz (default ``None``: ``sr / 2``); 4000 suits a
            model meant for 8 kHz recordings.
        channels: Channels of the two convolutions (default 32).
        d_model: Width of the projection and the GRU input (default 64).
        hidden: GRU units per direction (default 128).
        layers: GRU layers (default 2).
        dropout: Dropout between GRU layers and before the output (default 0.0: the
            training stream never repeats an utterance, so within minutes there is
            nothing to over-fit).
        n_classes: Output classes, blank included (default 29 = ``len(ALPHABET)``).
        top_db: When set, floor the mel power at this many dB below the utterance's
            loudest bin before the log (default ``None``: no floor).  Digital silence and
            a quiet room's hiss then give the same features, which helps a model trained
            on synthetic speech (exact zeros between words) on real recordings.
        pad_ms: When set, :func:`logits_for` (and so :func:`transcribe` and
            :func:`asrlab.train.evaluate`) first cuts every recording's leading and
            trailing silence down to this many ms (:func:`asrlab.audio.trim_silence`),
            so that the model hears as much silence as it was trained with, however
            much the recording has (default ``None``: the audio as it is).  The
            per-utterance feature normalisation makes a model trained on short silences
            sensitive to long ones (lesson 10 measures it).  :func:`asrlab.train.train`
            sets it to the middle of the synthetic stream's silence range.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    sr: int = 16000
    n_fft: int = 400
    hop_length: int = 160
    n_mels: int = 32
    fmin: float = 0.0
    fmax: float | None = None
    channels: int = 32
    d_model: int = 64
    hidden: int = 128
    layers: int = 2
    dropout: float = 0.0
    n_classes: int = len(ALPHABET)
    top_db: float | None = None
    pad_ms: float | None = None

    def __post_init__(self) -> None:
        if self.pad_ms is not None:
            if isinstance(self.pad_ms, bool) or not isinstance(self.pad_ms, (int, float)) or not 0 <= self.pad_ms <= 10000:
                raise ValueError(f"pad_ms: expected None or a number of ms from 0 to 10000, got {self.pad_ms!r}")
            self.pad_ms = float(self.pad_ms)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "ModelConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"config: unknown field(s) {sorted(unknown)}; expected some of {sorted(known)}")
        return cls(**values)


def _mel_basis(cfg: ModelConfig) -> np.ndarray:
    """Slaney mel filterbank, shape ``(n_mels, 1 + n_fft // 2)`` (as ``librosa.filters.mel``)."""
    fmax = cfg.sr / 2 if cfg.fmax is None else cfg.fmax
    try:
        from asrlab.features import mel_filterbank

        return mel_filterbank(sr=cfg.sr, n_fft=cfg.n_fft, n_mels=cfg.n_mels, fmin=cfg.fmin, fmax=fmax)
    except ImportError:  # pragma: no cover - the course's own features module is optional here
        import librosa

        return librosa.filters.mel(sr=cfg.sr, n_fft=cfg.n_fft, n_mels=cfg.n_mels, fmin=cfg.fmin, fmax=fmax)


def frame_lengths(n_samples: Any, *, hop_length: int = 160) -> Any:
    """STFT frames of a centred STFT: ``1 + n_samples // hop_length`` (ints, arrays or tensors).

    Lesson: 04 STFT and spectrograms; 10 Train a tiny CTC speech recogniser.
    """
    return n_samples // hop_length + 1


def warp_frequencies(power: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """Vocal tract length perturbation: move every frequency ``f`` to ``factor * f``.

    A speaker with a vocal tract ``factor`` times shorter has formants ``factor`` times
    higher; stretching the spectrum imitates one (factors above 1 raise, below 1 lower).
    Bins are interpolated linearly; what would come from above the Nyquist frequency is 0.

    Args:
        power: Power spectrograms ``(B, n_bins, frames)``.
        factors: One factor per utterance, shape ``(B,)``.

    Returns:
        The warped spectrograms, same shape.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    n_bins = power.shape[1]
    k = torch.arange(n_bins, device=power.device, dtype=power.dtype)
    src = k[None, :] / factors.to(power.dtype)[:, None]  # the input bin each output bin reads
    lo = src.floor().clamp(max=n_bins - 1)
    frac = (src - lo)[:, :, None]
    lo = lo.long()
    hi = (lo + 1).clamp(max=n_bins - 1)
    inside = (src <= n_bins - 1).to(power.dtype)[:, :, None]
    frames = power.shape[2]
    low = power.gather(1, lo[:, :, None].expand(-1, -1, frames))
    high = power.gather(1, hi[:, :, None].expand(-1, -1, frames))
    return (low * (1 - frac) + high * frac) * inside


class LogMel(nn.Module):
    """Waveforms ``(B, n)`` -> normalised log-mel features ``(B, n_mels, frames)``.

    Power spectrogram of a centred, Hann-windowed STFT (zero padding, as
    ``asrlab.features.melspectrogram`` and ``librosa.feature.melspectrogram`` with
    ``pad_mode="constant"``), through the Slaney mel filterbank, then ``log(mel + 1e-6)``
    and per-utterance, per-band mean and variance normalisation over the valid frames
    (padding frames are set to 0).  The normalisation makes the model indifferent to
    the recording's gain.

    Lesson: 05 Mel spectrograms and MFCCs; 10 Train a tiny CTC speech recogniser.
    """

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.register_buffer("window", torch.hann_window(cfg.n_fft, periodic=True), persistent=False)
        self.register_buffer("basis", torch.from_numpy(_mel_basis(cfg).astype(np.float32)), persistent=False)

    def mel(self, waveforms: torch.Tensor, warp: torch.Tensor | None = None) -> torch.Tensor:
        """Mel power spectrogram ``(B, n_mels, frames)`` (no log, no normalisation).

        ``warp``: optional per-utterance factors ``(B,)`` that stretch the frequency axis
        before the filterbank (see :func:`warp_frequencies`).
        """
        spec = torch.stft(
            waveforms.float(), n_fft=self.cfg.n_fft, hop_length=self.cfg.hop_length,
            window=self.window, center=True, pad_mode="constant", return_complex=True,
        )
        power = spec.real**2 + spec.imag**2
        if warp is not None:
            power = warp_frequencies(power, warp)
        return torch.matmul(self.basis, power)

    def forward(
        self, waveforms: torch.Tensor, lengths: torch.Tensor, warp: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        mel = self.mel(waveforms, warp)
        if self.cfg.top_db is not None:  # a floor relative to the loudest bin: gain-invariant
            peak = mel.flatten(1).amax(dim=1).clamp(min=1e-10)[:, None, None]
            mel = torch.maximum(mel, peak * 10.0 ** (-self.cfg.top_db / 10.0))
        feats = torch.log(mel + 1e-6)
        n_frames = frame_lengths(lengths, hop_length=self.cfg.hop_length).clamp(max=feats.shape[-1])
        mask = (torch.arange(feats.shape[-1], device=feats.device)[None, :] < n_frames[:, None]).to(feats.dtype)
        mask = mask[:, None, :]
        count = mask.sum(-1, keepdim=True).clamp(min=1)
        mean = (feats * mask).sum(-1, keepdim=True) / count
        var = (((feats - mean) * mask) ** 2).sum(-1, keepdim=True) / count
        feats = (feats - mean) / torch.sqrt(var + 1e-5) * mask
        return feats, n_frames


def output_lengths(input_lengths: Any) -> Any:
    """Frames after the model's subsampling: two convolutions (kernel 3, stride 2, padding 1).

    Each convolution maps ``L`` frames to ``floor((L - 1) / 2) + 1``; two of them give
    about ``L / 4``.  Works on ints, NumPy arrays and torch tensors.

    Args:
        input_lengths: Feature frames per utterance (``1 + n_samples // hop_length``).

    Returns:
        The output frames per utterance, same type.

    Example:
        ``output_lengths(101) == 26`` (1.01 s of audio at a 10 ms hop: 26 frames of 40 ms).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    if isinstance(input_lengths, (bool, np.bool_)):
        raise TypeError("input_lengths: expected frame counts (integers), got a boolean")
    lengths = input_lengths
    for _ in range(2):
        lengths = (lengths - 1) // 2 + 1
    return lengths


def pad_batch(
    waveforms: Sequence[np.ndarray | torch.Tensor], *, multiple_of: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack waveforms of different lengths into one zero-padded batch.

    Args:
        waveforms: Mono signals, each of shape ``(n_i,)``.
        multiple_of: Round the padded length up to a multiple of this (default 1).

    Returns:
        ``(batch, lengths)``: a float32 tensor ``(B, max n_i)`` with zeros after each
        signal, and an int64 tensor ``(B,)`` of the original lengths.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    if len(waveforms) == 0:
        raise ValueError("waveforms: expected at least one signal, got an empty list")
    multiple_of = check_positive_int(multiple_of, name="multiple_of")
    tensors = []
    for i, w in enumerate(waveforms):
        t = torch.as_tensor(np.asarray(w) if not isinstance(w, torch.Tensor) else w)
        if t.ndim != 1 or t.numel() == 0:
            raise ValueError(f"waveforms[{i}]: expected a non-empty mono signal of shape (n,), got shape {tuple(t.shape)}")
        tensors.append(t.float())
    lengths = torch.tensor([len(t) for t in tensors], dtype=torch.int64)
    longest = int(lengths.max())
    longest = -(-longest // multiple_of) * multiple_of
    batch = torch.zeros(len(tensors), longest, dtype=torch.float32)
    for i, t in enumerate(tensors):
        batch[i, : len(t)] = t
    return batch, lengths


def _reverse_index(lengths: torch.Tensor, t: int) -> torch.Tensor:
    """Index ``(B, t)`` that reverses each sequence within its own length (padding stays)."""
    steps = torch.arange(t, device=lengths.device)[None, :]
    valid = steps < lengths[:, None]
    return torch.where(valid, lengths[:, None] - 1 - steps, steps)


class _GRURecurrence(torch.autograd.Function):
    """The recurrence of several GRU directions at once, with a hand-written backward.

    ``gi``: ``(T, D, B, 3H)``, each direction's input projection ``W_ih x + b_ih`` (gates
    r, z, n as in :class:`torch.nn.GRU`); ``w_hh``: ``(D, 3H, H)``; ``b_hh``: ``(D, 3H)``.
    Returns the hidden states ``(T, D, B, H)``, starting from zeros.

    On a CPU, :class:`torch.nn.GRU` trains one small autograd node at a time for every
    step of every direction; here one batched matrix product per step serves all the
    directions, and the backward pass is one loop over the steps with its gate
    derivatives precomputed for all of them.  The numbers are those of ``torch.nn.GRU``
    (``tests/test_model.py`` compares outputs and gradients).
    """

    @staticmethod
    def forward(ctx: Any, gi: torch.Tensor, w_hh: torch.Tensor, b_hh: torch.Tensor) -> torch.Tensor:
        steps, d, b, h3 = gi.shape
        h = h3 // 3
        w_t = w_hh.transpose(1, 2)
        bias = b_hh[:, None, :]
        hs = gi.new_zeros(steps + 1, d, b, h)  # hs[0] is the initial state
        gh = gi.new_empty(steps, d, b, h3)  # W_hh h + b_hh
        gates = gi.new_empty(steps, d, b, h3)  # r, z, n after their nonlinearities
        # unbind once: indexing a tensor anew at every step costs more than the step's arithmetic
        rows = zip(gi.unbind(0), gates.unbind(0), gh.unbind(0), hs.unbind(0), hs[1:].unbind(0))
        for x, g, gh_t, h_prev, h_next in rows:
            torch.baddbmm(bias, h_prev, w_t, out=gh_t)
            torch.sigmoid(x[..., : 2 * h] + gh_t[..., : 2 * h], out=g[..., : 2 * h])
            n = torch.tanh(torch.addcmul(x[..., 2 * h :], g[..., :h], gh_t[..., 2 * h :]), out=g[..., 2 * h :])
            torch.lerp(n, h_prev, g[..., h : 2 * h], out=h_next)  # (1 - z) n + z h
        ghn = gh[..., 2 * h :]  # which r multiplies
        ctx.save_for_backward(w_hh, hs, gates, ghn)
        return hs[1:]

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        w_hh, hs, gates, ghn = ctx.saved_tensors
        steps, d, b, h3 = gates.shape
        h = h3 // 3
        r, z, n = gates[..., :h], gates[..., h : 2 * h], gates[..., 2 * h :]
        prev = hs[:-1]
        to_n = (1 - z) * (1 - n * n)  # d h_t / d (pre-tanh n)
        to_z = (prev - n) * z * (1 - z)  # d h_t / d (pre-sigmoid z)
        n_to_r = ghn * r * (1 - r)  # d (pre-tanh n) / d (pre-sigmoid r)
        d_gi = torch.empty_like(gates)
        d_gh = torch.empty_like(gates)
        dh = grad.new_zeros(d, b, h)
        rows = zip(*(t.unbind(0) for t in (grad, d_gi, d_gh, to_n, to_z, n_to_r, r, z)))
        for g, d_gi_t, d_gh_t, to_n_t, to_z_t, n_to_r_t, r_t, z_t in reversed(list(rows)):
            dh = dh + g
            dn = torch.mul(dh, to_n_t, out=d_gi_t[..., 2 * h :])
            torch.mul(dh, to_z_t, out=d_gi_t[..., h : 2 * h])
            torch.mul(dn, n_to_r_t, out=d_gi_t[..., :h])
            d_gh_t[..., : 2 * h] = d_gi_t[..., : 2 * h]
            torch.mul(dn, r_t, out=d_gh_t[..., 2 * h :])
            dh = torch.baddbmm(dh * z_t, d_gh_t, w_hh)
        d_w = d_b = None
        flat = d_gh.transpose(0, 1).reshape(d, steps * b, h3)
        if ctx.needs_input_grad[1]:
            d_w = torch.bmm(flat.transpose(1, 2), prev.transpose(0, 1).reshape(d, steps * b, h))
        if ctx.needs_input_grad[2]:
            d_b = flat.sum(1)
        return d_gi, d_w, d_b


def _gru_directions(inputs: Sequence[torch.Tensor], grus: Sequence[nn.GRU]) -> list[torch.Tensor]:
    """Outputs ``(B, T, H)`` of one-layer, batch-first ``grus`` on their ``(B, T, I)``
    inputs, as ``gru(x)[0]`` gives, computed by :class:`_GRURecurrence` in one pass."""
    x = torch.stack(list(inputs))  # (D, B, T, I)
    d, b, steps, size = x.shape
    w_ih = torch.stack([g.weight_ih_l0 for g in grus])
    b_ih = torch.stack([g.bias_ih_l0 for g in grus])
    gi = torch.baddbmm(b_ih[:, None, :], x.reshape(d, b * steps, size), w_ih.transpose(1, 2))
    gi = gi.view(d, b, steps, -1).permute(2, 0, 1, 3).contiguous()  # (T, D, B, 3H)
    w_hh = torch.stack([g.weight_hh_l0 for g in grus])
    b_hh = torch.stack([g.bias_hh_l0 for g in grus])
    hs = _GRURecurrence.apply(gi, w_hh, b_hh)  # (T, D, B, H)
    return [hs[:, k].transpose(0, 1) for k in range(d)]


class BiGRU(nn.Module):
    """A stack of bidirectional GRU layers that ignores padding exactly.

    The backward direction reads each sequence reversed *within its own length*, so a
    padded utterance in a batch gives the same outputs as the utterance alone, without
    packed sequences (which are several times slower on a CPU).

    Training on a CPU takes a faster route with the same numbers: both directions of a
    layer step together through :class:`_GRURecurrence` (a 3-minute CPU budget then
    gives about 30% more steps); elsewhere, and without gradients, each direction is its
    :class:`torch.nn.GRU`.  The parameters are those GRUs' either way.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    def __init__(self, input_size: int, hidden: int, *, layers: int, dropout: float) -> None:
        super().__init__()
        sizes = [input_size] + [2 * hidden] * (layers - 1)
        self.forward_layers = nn.ModuleList(nn.GRU(n, hidden, batch_first=True) for n in sizes)
        self.backward_layers = nn.ModuleList(nn.GRU(n, hidden, batch_first=True) for n in sizes)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """``x``: ``(B, T, input_size)``; returns ``(B, T, 2 * hidden)``."""
        index = _reverse_index(lengths, x.shape[1])[:, :, None]
        for i, (fwd, bwd) in enumerate(zip(self.forward_layers, self.backward_layers)):
            if i > 0:
                x = self.dropout(x)
            reversed_x = x.gather(1, index.expand(-1, -1, x.shape[2]))
            if x.device.type == "cpu" and torch.is_grad_enabled():
                ahead, back = _gru_directions([x, reversed_x], [fwd, bwd])
            else:
                ahead, _ = fwd(x)
                back, _ = bwd(reversed_x)
            back = back.gather(1, index.expand(-1, -1, back.shape[2]))
            x = torch.cat([ahead, back], dim=-1)
        return x


def _mask_time(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Zero the frames at and after each length along the last axis."""
    keep = torch.arange(x.shape[-1], device=x.device)[None, :] < lengths[:, None]
    return x * keep[:, None, None, :].to(x.dtype)


class TinyCTC(nn.Module):
    """Conv subsampling + BiGRU CTC model; see the module docstring for the layers.

    ``model(waveforms, lengths)`` returns ``(log_probs, out_lengths)``: log-softmax
    outputs of shape ``(B, T, n_classes)`` and the valid frames per utterance
    (``output_lengths(frame_lengths(lengths))``).

    Args:
        config: A :class:`ModelConfig` (default: the course's 0.48 M-parameter model).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    def __init__(self, config: ModelConfig | None = None) -> None:
        super().__init__()
        cfg = config or ModelConfig()
        self.config = cfg
        self.alphabet = ALPHABET if cfg.n_classes == len(ALPHABET) else None
        self.frontend = LogMel(cfg)
        c = cfg.channels
        self.conv = nn.ModuleList([
            nn.Conv2d(1, c, kernel_size=3, stride=2, padding=1),
            nn.Conv2d(c, c, kernel_size=3, stride=2, padding=1),
        ])
        self.conv.to(memory_format=torch.channels_last)  # oneDNN's fast layout on a CPU
        self.act = nn.GELU()
        mels_out = output_lengths(cfg.n_mels)
        self.proj = nn.Linear(c * mels_out, cfg.d_model)
        self.norm = nn.LayerNorm(cfg.d_model)
        self.rnn = BiGRU(cfg.d_model, cfg.hidden, layers=cfg.layers, dropout=cfg.dropout)
        self.dropout = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(2 * cfg.hidden, cfg.n_classes)

    @property
    def sample_rate(self) -> int:
        return self.config.sr

    def encode(self, feats: torch.Tensor, n_frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Features ``(B, n_mels, frames)`` -> logits ``(B, T, n_classes)`` and lengths.

        Frames past each utterance's length are zeroed after every convolution and the
        GRU reads each utterance within its own length, so padding never changes the
        output of an utterance: a batch gives what each utterance gives alone.
        """
        x = feats.unsqueeze(1)
        lengths = n_frames
        for conv in self.conv:  # (B, C, mels/2, frames/2), then (B, C, mels/4, frames/4)
            lengths = (lengths - 1) // 2 + 1
            x = _mask_time(self.act(conv(x)), lengths)
        b, c, f, t = x.shape
        lengths = lengths.clamp(max=t)
        x = x.permute(0, 3, 1, 2).reshape(b, t, c * f)
        x = self.norm(self.proj(x))
        x = self.rnn(x, lengths)
        logits = self.head(self.dropout(x))
        return logits, lengths

    def forward(self, waveforms: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        feats, n_frames = self.frontend(waveforms, lengths)
        logits, out_lengths = self.encode(feats, n_frames)
        return torch.log_softmax(logits.float(), dim=-1), out_lengths


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def pick_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"``: CUDA when available, then Apple MPS, then the CPU; or the named device.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    if isinstance(device, torch.device):
        return device
    if not isinstance(device, str):
        raise TypeError(f"device: expected 'auto', 'cpu', 'cuda' or 'mps', got {type(device).__name__} {device!r}")
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    kind = device.split(":")[0]
    check_choice(kind, name="device", choices=("cpu", "cuda", "mps"))
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError("device: 'cuda' was asked for but no CUDA GPU is available; use 'auto' or 'cpu'")
    return torch.device(device)


def save_checkpoint(model: TinyCTC, path: str | os.PathLike[str], **extra: Any) -> Path:
    """Save the model as a plain dict (loadable with ``torch.load(..., weights_only=True)``).

    The dict holds ``"config"`` (a dict of :class:`ModelConfig`), ``"alphabet"``,
    ``"state_dict"`` and whatever ``extra`` adds (history, validation CER...), which must
    be plain data (numbers, strings, lists, dicts, tensors).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    payload = {"format": "asrlab-tinyctc-1", "config": asdict(model.config), "alphabet": ALPHABET, "state_dict": state}
    payload.update(extra)
    tmp = file.with_name(file.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, file)
    return file


def _unreadable_checkpoint(file: Path, exc: Exception) -> str:
    """Why ``torch.load`` could not read ``file``, in a few words (not PyTorch's advice to
    load it unsafely)."""
    with open(file, "rb") as f:
        head = f.read(4)
    if not head:
        return "the file is empty"
    if head != b"PK\x03\x04":
        return f"not a zip archive, as PyTorch checkpoints are: its first bytes are {head!r}"
    if "Weights only load failed" in str(exc):
        return "it holds Python objects other than tensors and plain data, which asrlab never loads"
    if isinstance(exc, (RuntimeError, OSError, EOFError)):  # what a cut-off archive raises, by where it was cut
        return "the zip archive is damaged or truncated"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}"


def load_checkpoint(path: str | os.PathLike[str], *, device: str | torch.device = "cpu") -> tuple[TinyCTC, dict[str, Any]]:
    """Load a checkpoint written by :func:`save_checkpoint` (with ``weights_only=True``).

    Returns:
        ``(model, checkpoint)``: the model in eval mode on ``device``, and the raw dict
        (its ``"history"``, ``"val_cer"``... when training stored them).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"path: expected an existing checkpoint file, got '{file}'")
    try:
        with warnings.catch_warnings():  # torch's remarks on foreign pickles; the error below says what matters
            warnings.simplefilter("ignore")
            ckpt = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means "not a checkpoint"
        raise ValueError(
            f"path: expected a checkpoint saved by asrlab, got '{file}' ({_unreadable_checkpoint(file, exc)})"
        ) from None
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt or "config" not in ckpt:
        raise ValueError(f"path: expected a checkpoint saved by asrlab (a dict with config and state_dict), got '{file}'")
    if ckpt.get("alphabet", ALPHABET) != ALPHABET:
        raise ValueError(f"path: checkpoint alphabet {ckpt['alphabet']!r} differs from this version's {ALPHABET!r}")
    model = TinyCTC(ModelConfig.from_dict(dict(ckpt["config"])))
    model.load_state_dict(ckpt["state_dict"])
    model.to(pick_device(device)).eval()
    return model, ckpt


#: The course's pretrained recogniser, shipped inside the package (about 1.4 MB): the
#: default recipe (16 kHz, 32 mel bands, the synthetic stream) trained for 3 CPU minutes
#: with ``asrlab train --minutes 3 --seed 0`` and written by :func:`export_pretrained`.
PRETRAINED = Path(__file__).resolve().parent / "pretrained" / "tiny-ctc.pt"


def export_pretrained(
    checkpoint: str | os.PathLike[str], path: str | os.PathLike[str] = PRETRAINED
) -> Path:
    """Write a small copy of a training checkpoint for shipping: weights in float16, no history.

    The copy keeps the model's configuration, alphabet and validation CER (when the
    checkpoint has one); :func:`load_checkpoint` reads it back into a float32 model.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    model, ckpt = load_checkpoint(checkpoint)
    extra = {k: ckpt[k] for k in ("val_cer", "val_wer", "steps") if isinstance(ckpt.get(k), (int, float))}
    seed = (ckpt.get("train_config") or {}).get("seed")
    if isinstance(seed, int):
        extra["seed"] = seed
    model.half()
    try:
        return save_checkpoint(model, path, **extra)
    finally:
        model.float()


def load_pretrained(*, device: str | torch.device = "cpu") -> TinyCTC:
    """The course's pretrained recogniser (:data:`PRETRAINED`), ready to transcribe.

    Trained only on the course's synthetic speech (espeak-ng voices, 16 kHz): it hears the
    course's command and digit phrases well and real people's speech much less well.
    Lessons that decode, score or align real model output use it, so that no lesson
    has to train a model first.

    Raises:
        FileNotFoundError: the file is missing from this installation.

    Lesson: 07 CTC decoding; 10 Train a tiny CTC speech recogniser.
    """
    return load_checkpoint(PRETRAINED, device=device)[0]


def _as_model(model: TinyCTC | str | os.PathLike[str]) -> TinyCTC:
    if isinstance(model, TinyCTC):
        return model
    if isinstance(model, (str, os.PathLike)):
        return load_checkpoint(model)[0]
    raise TypeError(f"model: expected a TinyCTC or a checkpoint path, got {type(model).__name__}")


def prepare_audio(
    audio_or_path: np.ndarray | str | os.PathLike[str], *, sr: int | None, target_sr: int
) -> np.ndarray:
    """Mono float32 samples at ``target_sr`` from a file or an array of any rate and channels.

    Arrays are ``(n,)`` or ``(channels, n)``; ``sr=None`` for an array means it is
    already at ``target_sr``.  Files are read with :func:`asrlab.audio.load`.

    Lesson: 01 Sound is a list of numbers; 10 Train a tiny CTC speech recogniser.
    """
    from asrlab.audio import load, resample

    if isinstance(audio_or_path, (str, os.PathLike)):
        y, file_sr = load(audio_or_path, sr=None, mono=True)
        if sr is not None:
            raise ValueError(f"sr: expected None for a file (its own rate is used), got {sr!r}")
        sr = file_sr
    else:
        y = check_audio(audio_or_path, name="audio", mono=False, allow_int=False)
        if y.ndim == 2:
            y = y.mean(axis=0)
        sr = target_sr if sr is None else check_sr(sr)
    y = np.asarray(y, dtype=np.float32)
    if sr != target_sr:
        y = resample(y, orig_sr=sr, target_sr=target_sr)
    return y


@torch.no_grad()
def logits_for(model: TinyCTC, waveforms: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Per-utterance log-probabilities ``(T_i, n_classes)`` as NumPy arrays (one batch).

    With ``model.config.pad_ms`` set, each waveform's leading and trailing silence is first
    cut to that many ms (a recording with no sound at all is used as it is).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    device = next(model.parameters()).device
    waveforms = list(waveforms)
    if model.config.pad_ms is not None:
        from asrlab.audio import trim_silence

        trimmed = [trim_silence(np.asarray(y), sr=model.config.sr, pad_ms=model.config.pad_ms) for y in waveforms]
        waveforms = [t if t.size else y for t, y in zip(trimmed, waveforms)]
    batch, lengths = pad_batch(waveforms)
    was_training = model.training
    model.eval()
    log_probs, out_lengths = model(batch.to(device), lengths.to(device))
    model.train(was_training)
    lp = log_probs.float().cpu().numpy()
    return [lp[i, : int(n)] for i, n in enumerate(out_lengths.cpu())]


def vocabulary_decoder(vocabulary: Sequence[str], *, alphabet: str = ALPHABET) -> "ctc.VocabularyLM":
    """The language model of a decoding constrained to ``vocabulary``: checked once, used
    for many utterances (pass it as ``decode(..., vocabulary=...)``).

    Raises:
        TypeError: ``vocabulary`` is a single string or not a collection of words.
        ValueError: an empty list, an empty word, or a word with a character that is not
            in the model's alphabet (such a word could never be decoded).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from asrlab import ctc

    if isinstance(vocabulary, ctc.VocabularyLM):
        return vocabulary
    if isinstance(vocabulary, str) or not isinstance(vocabulary, (list, tuple, set, frozenset)):
        raise TypeError(f"vocabulary: expected a list of words, got {type(vocabulary).__name__} {vocabulary!r}"[:160])
    if len(vocabulary) == 0:
        raise ValueError("vocabulary: expected at least one word, got an empty list")
    symbols = set(alphabet[1:]) - {" "}
    for word in vocabulary:
        if not isinstance(word, str) or not word:
            raise ValueError(f"vocabulary: expected non-empty words (strings), got {word!r}"[:160])
        if not set(word) <= symbols:
            bad = sorted(set(word) - symbols)
            raise ValueError(
                f"vocabulary: {word!r} has {''.join(bad)!r}, not in the model's alphabet {alphabet[2:]!r}; "
                "normalise the words first (lower case, no punctuation)"
            )
    return ctc.vocabulary_lm(list(vocabulary))


def decode(
    log_probs: np.ndarray, *, beam: int | None = None, vocabulary: "Sequence[str] | ctc.VocabularyLM | None" = None
) -> str:
    """Text of one utterance's ``(T, n_classes)`` log-probabilities: greedy, or beam search
    with ``beam`` prefixes (:mod:`asrlab.ctc`).

    ``vocabulary``: words the text must be made of (e.g. :func:`asrlab.data.vocabulary`,
    or the output of :func:`vocabulary_decoder`).  The search then runs under
    :func:`asrlab.ctc.vocabulary_lm` as a hard constraint, with ``beam`` prefixes
    (default 8), and returns the most likely surviving text made of whole vocabulary
    words: every word it returns is one of them, and it returns ``""`` when none fits.

    Lesson: 07 CTC decoding; 10 Train a tiny CTC speech recogniser.
    """
    from asrlab import ctc

    if vocabulary is not None:
        lm = vocabulary_decoder(vocabulary)
        width = 8 if beam is None else check_positive_int(beam, name="beam")
        beams = ctc.beam_search(
            log_probs, alphabet=ALPHABET, beam_width=width, blank=BLANK, lm=lm, lm_weight=1.0, return_beams=True
        )
        # The best surviving prefix made of whole vocabulary words; when pruning left
        # none, no word was recognised.
        text = next((t for t, _ in beams if all(w in lm.words for w in t.split())), "")
    elif beam is None:
        text = ctc.greedy_decode(log_probs, alphabet=ALPHABET, blank=BLANK)
    else:
        width = check_positive_int(beam, name="beam")
        text = ctc.beam_search(log_probs, alphabet=ALPHABET, beam_width=width, blank=BLANK)
    return " ".join(text.split())


def transcribe(
    model: TinyCTC | str | os.PathLike[str],
    audio_or_path: np.ndarray | str | os.PathLike[str],
    *,
    sr: int | None = None,
    beam: int | None = None,
    vocabulary: "Sequence[str] | ctc.VocabularyLM | None" = None,
) -> str:
    """Transcribe one recording.

    Args:
        model: A :class:`TinyCTC` or the path of a checkpoint.
        audio_or_path: A file (WAV, FLAC, ... at any sample rate and channel count) or
            float samples of shape ``(n,)`` or ``(channels, n)``; channels are averaged
            and the signal is resampled to the model's rate (and its silence trimmed to
            ``model.config.pad_ms``, see :func:`logits_for`).
        sr: Sample rate of an array in Hz (default ``None``: the model's rate, 16000);
            must be ``None`` for a file, whose own rate is used.
        beam: ``None`` (default) for greedy decoding, or the beam width of CTC prefix
            beam search.
        vocabulary: ``None`` (default), or the words the text must be made of: beam
            search constrained to them (see :func:`decode`).

    Returns:
        The text, lower-case words separated by single spaces.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    net = _as_model(model)
    y = prepare_audio(audio_or_path, sr=sr, target_sr=net.sample_rate)
    lm = None if vocabulary is None else vocabulary_decoder(vocabulary)
    (log_probs,) = logits_for(net, [y])
    return decode(log_probs, beam=beam, vocabulary=lm)
