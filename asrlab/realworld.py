"""Speech recognition in the real world: noise, rooms, wrong rates, silence, other recognisers.

The reference answers of lesson 11's exercises (:func:`add_noise_at_snr`,
:func:`to_model_rate`, :func:`robustness`, :func:`trim_to_speech`, :func:`front_end`), a
synthetic room (:func:`room_impulse_response`, :func:`reverberate`), and thin offline
wrappers around two recognition tools trained on real speech that ship their models in
their wheels: pocketsphinx, a classic HMM recogniser (:func:`sphinx_transcribe`), and
silero-vad, a neural voice activity detector (:func:`silero_detect_speech`).

Lesson: 11 Speech recognition in the real world.
"""

from __future__ import annotations

import functools
from typing import Any, Sequence

import numpy as np

from asrlab._validate import check_audio, check_nonnegative_int, check_positive_int, check_real, check_sr

__all__ = [
    "add_noise_at_snr",
    "to_model_rate",
    "robustness",
    "trim_to_speech",
    "front_end",
    "room_impulse_response",
    "reverberate",
    "sphinx_transcribe",
    "silero_detect_speech",
]


def _power(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=np.float64)
    return float(np.mean(x * x))


def add_noise_at_snr(y: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``y`` plus ``noise`` scaled so that the SNR is exactly ``snr_db``.

    The noise is multiplied by ``g = sqrt(P_y / (P_noise * 10 ** (snr_db / 10)))``, where
    ``P`` is the mean square (power), so that ``10 log10(P_y / P_(g noise)) == snr_db``.
    A silent ``y`` gets ``g = 0`` (no noise can be "below" silence by a ratio).

    Args:
        y: Mono float signal, shape ``(n,)``.
        noise: Noise of the same shape, not all zeros.
        snr_db: Signal-to-noise ratio wanted, in dB (0: as much noise as signal;
            negative: more noise than signal).

    Returns:
        ``y + g * noise`` as float64.

    Raises:
        ValueError: shapes differ, or the noise is all zeros.

    Lesson: 11 Speech recognition in the real world.
    """
    y = check_audio(y)
    noise = check_audio(noise, name="noise")
    snr = check_real(snr_db, name="snr_db")
    if noise.shape != y.shape:
        raise ValueError(f"noise: expected the shape of y {y.shape}, got shape {noise.shape}")
    noise_power = _power(noise)
    if noise_power == 0.0:
        raise ValueError("noise: expected noise with non-zero power, got all zeros")
    gain = np.sqrt(_power(y) / (noise_power * 10.0 ** (snr / 10.0)))
    return y.astype(np.float64) + gain * noise.astype(np.float64)


def to_model_rate(y: np.ndarray, sr: int, model_sr: int = 16_000) -> np.ndarray:
    """Mono float32 audio at the model's rate: channels averaged, then resampled.

    Args:
        y: Float samples, ``(n,)`` or ``(channels, n)``.
        sr: Their sample rate in Hz.
        model_sr: The rate the recogniser was trained on (default 16000 Hz).

    Returns:
        Float32 ``(m,)`` with ``m = ceil(n * model_sr / sr)`` (:func:`asrlab.audio.resample`).

    Lesson: 11 Speech recognition in the real world.
    """
    from asrlab.audio import resample

    y = np.asarray(check_audio(y, mono=False), dtype=np.float32)
    sr, model_sr = check_sr(sr), check_sr(model_sr, name="model_sr")
    if y.ndim == 2:
        y = y.mean(axis=0)
    if sr == model_sr:
        return y
    return resample(y, orig_sr=sr, target_sr=model_sr)


def robustness(
    snrs: Sequence[float], references: Sequence[str], hypotheses: Sequence[Sequence[str]], max_wer: float
) -> tuple[list[float], float | None]:
    """Corpus WER at each SNR, and the lowest SNR down to which the WER stays acceptable.

    Args:
        snrs: The SNRs in dB, in any order.
        references: The reference transcripts (the same utterances at every SNR).
        hypotheses: ``hypotheses[k]`` are the recogniser's texts at ``snrs[k]``.
        max_wer: The largest acceptable WER (a fraction, e.g. 0.25).

    Returns:
        ``(wers, holds_to)``: ``wers[k]`` the corpus WER (:func:`asrlab.metrics.wer`) at
        ``snrs[k]``; ``holds_to`` the lowest SNR reached walking down from the cleanest one
        while every WER is at most ``max_wer`` (``None`` when even the cleanest is worse).

    Lesson: 11 Speech recognition in the real world.
    """
    from asrlab.metrics import wer

    if len(snrs) != len(hypotheses):
        raise ValueError(f"hypotheses: expected one list per SNR ({len(snrs)}), got {len(hypotheses)}")
    wers = [float(wer(list(references), list(hyps))) for hyps in hypotheses]
    holds_to = None
    for snr, w in sorted(zip(snrs, wers), reverse=True):
        if w > max_wer:
            break
        holds_to = snr
    return wers, holds_to


def trim_to_speech(y: np.ndarray, speech: np.ndarray, hop_length: int) -> np.ndarray:
    """The part of ``y`` from the first to the last speech frame (pauses inside kept).

    Frame ``t`` of a VAD with hop ``hop_length`` stands for samples ``t * hop_length`` to
    ``(t + 1) * hop_length``; the cut keeps ``y[first * hop : (last + 1) * hop]``.

    Args:
        y: Mono signal ``(n,)``.
        speech: Boolean decision per frame (e.g. :func:`asrlab.features.detect_speech`).
        hop_length: Samples between frames.

    Returns:
        A slice of ``y`` (empty when no frame is speech).

    Lesson: 11 Speech recognition in the real world.
    """
    frames = np.flatnonzero(np.asarray(speech, dtype=bool))
    if len(frames) == 0:
        return y[:0]
    return y[frames[0] * hop_length : (frames[-1] + 1) * hop_length]


def front_end(y: np.ndarray, sr: int, *, model_sr: int = 16_000, threshold_db: float = -30.0) -> np.ndarray:
    """Make a messy recording fit for the course's recogniser.

    1. average the channels of ``(channels, n)`` audio (float64 from here);
    2. remove the DC offset (subtract the mean);
    3. resample to ``model_sr`` (:func:`asrlab.audio.resample`) when ``sr`` differs;
    4. divide by the largest absolute sample (when it is not 0), so the threshold is
       relative to the recording's peak;
    5. :func:`asrlab.features.detect_speech` at ``model_sr`` with ``threshold_db`` (other
       settings default) and :func:`trim_to_speech` with its 10 ms hop; when no frame is
       speech the signal is kept whole.

    Returns:
        Float32 samples at ``model_sr``.

    Lesson: 11 Speech recognition in the real world.
    """
    from asrlab.audio import resample
    from asrlab.features import detect_speech

    y = np.asarray(check_audio(y, mono=False), dtype=np.float64)
    sr, model_sr = check_sr(sr), check_sr(model_sr, name="model_sr")
    check_real(threshold_db, name="threshold_db")
    if y.ndim == 2:
        y = y.mean(axis=0)
    y = y - y.mean()
    if sr != model_sr:
        y = resample(y, orig_sr=sr, target_sr=model_sr)
    peak = np.max(np.abs(y))
    if peak > 0:
        y = y / peak
    speech = detect_speech(y, sr=model_sr, threshold_db=threshold_db)
    if speech.any():
        y = trim_to_speech(y, speech, round(10.0 * model_sr / 1000))
    return y.astype(np.float32)


# --------------------------------------------------------------------------------------
# rooms


def room_impulse_response(*, sr: int, rt60: float, seed: int) -> np.ndarray:
    """A synthetic room impulse response: a direct path, then exponentially decaying noise.

    Late reverberation is well modelled by Gaussian noise whose level falls linearly in
    dB; the reverberation time ``rt60`` is the time it takes to fall by 60 dB, so the
    envelope is ``exp(-3 ln(10) t / rt60)`` (amplitude).  The first sample (the sound that
    travels straight to the microphone) is 1, the reflections start 5 ms later (the
    nearest wall), and the response is scaled to unit energy.

    Args:
        sr: Sample rate in Hz.
        rt60: Reverberation time in seconds (0.05 to 5; a living room is about 0.4 s, a
            church several seconds).
        seed: Seed of the noise.

    Returns:
        Float64 ``(round(rt60 * sr),)``.

    Lesson: 11 Speech recognition in the real world.
    """
    sr = check_sr(sr)
    rt60 = check_real(rt60, name="rt60", low=0.05, high=5.0)
    rng = np.random.default_rng(check_nonnegative_int(seed, name="seed"))
    n = round(rt60 * sr)
    t = np.arange(n) / sr
    h = rng.standard_normal(n) * np.exp(-3.0 * np.log(10.0) * t / rt60)
    h[: round(0.005 * sr)] = 0.0
    h[0] = 1.0
    return h / np.sqrt(np.sum(h * h))


def reverberate(y: np.ndarray, *, sr: int, rt60: float, seed: int = 0) -> np.ndarray:
    """``y`` as heard in a room with reverberation time ``rt60`` (same length and dtype).

    The convolution with :func:`room_impulse_response` is cut to ``len(y)`` samples and
    scaled to the peak of ``y``.

    Lesson: 11 Speech recognition in the real world.
    """
    from scipy.signal import fftconvolve

    y = check_audio(y)
    h = room_impulse_response(sr=sr, rt60=rt60, seed=seed)
    wet = fftconvolve(y.astype(np.float64), h)[: len(y)]
    peak = np.max(np.abs(wet))
    if peak > 0:
        wet *= np.max(np.abs(y)) / peak
    return wet.astype(y.dtype)


# --------------------------------------------------------------------------------------
# recognition tools trained on real speech (offline: their models are in their wheels)


@functools.lru_cache(maxsize=4)
def _sphinx(words: tuple[str, ...] | None, repeat: bool = True) -> Any:
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=16_000, loglevel="FATAL")
    if words is not None:
        missing = [w for w in words if decoder.lookup_word(w) is None]
        if missing:
            raise ValueError(f"words: not in pocketsphinx's dictionary: {missing}")
        rule = " | ".join(words)
        plus = "+" if repeat else ""
        decoder.add_jsgf_string("words", f"#JSGF V1.0;\ngrammar words;\npublic <utterance> = ( {rule} ){plus} ;\n")
        decoder.activate_search("words")
    return decoder


def sphinx_transcribe(y: np.ndarray, *, sr: int, words: Sequence[str] | None = None, repeat: bool = True) -> str:
    """Transcribe with pocketsphinx's US English model (shipped in its wheel, offline).

    pocketsphinx is a classic recogniser: Gaussian-mixture hidden Markov models of
    phones, CMUdict's pronunciations and a trigram language model, trained on hundreds of
    hours of real speech.

    Args:
        y: Mono float audio ``(n,)`` (resampled to 16 kHz when ``sr`` differs).
        sr: Its sample rate in Hz.
        words: ``None`` (default): open vocabulary with the English language model;
            or a list of words: a grammar that accepts any sequence of them.
        repeat: With ``words``: accept sequences (default) or exactly one word
            (``False``, for recordings of isolated words).

    Returns:
        The text (lower case, words separated by spaces; ``""`` when nothing was heard).

    Lesson: 11 Speech recognition in the real world.
    """
    from asrlab.audio import resample

    y = np.asarray(check_audio(y), dtype=np.float64)
    sr = check_sr(sr)
    if sr != 16_000:
        y = resample(y, orig_sr=sr, target_sr=16_000)
    if words is not None:
        if isinstance(words, str) or not words or not all(isinstance(w, str) and w for w in words):
            raise ValueError(f"words: expected a non-empty list of words, got {words!r}"[:160])
        words = tuple(sorted(set(words)))
    decoder = _sphinx(words, bool(repeat) if words is not None else True)
    pcm = (np.clip(y, -1.0, 1.0) * 32767).astype(np.int16).tobytes()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return " ".join(hyp.hypstr.split()) if hyp is not None else ""


@functools.lru_cache(maxsize=1)
def _silero() -> Any:
    import warnings

    from silero_vad import load_silero_vad

    with warnings.catch_warnings():
        # silero-vad 6.2 loads its TorchScript file with APIs that torch and importlib now
        # deprecate (importlib.resources.path, torch.jit.load): their concern, not the caller's
        warnings.simplefilter("ignore", DeprecationWarning)
        return load_silero_vad()


def silero_detect_speech(y: np.ndarray, *, sr: int, hop_ms: float = 10.0, threshold: float = 0.5) -> np.ndarray:
    """Speech frames found by silero-vad, a small neural VAD (its weights ship in its wheel).

    The decisions come as frames like :func:`asrlab.features.detect_speech`'s: frame
    ``t`` (every ``hop_ms``) is speech when its time ``t * hop_ms`` lies inside one of the
    speech segments that ``silero_vad.get_speech_timestamps`` returns.

    Args:
        y: Mono float audio ``(n,)`` (resampled to 16 kHz unless it is 8 or 16 kHz).
        sr: Its sample rate in Hz.
        hop_ms: Frame hop of the returned decisions (default 10 ms).
        threshold: silero's speech probability threshold (default 0.5).

    Returns:
        Boolean ``(1 + n_samples // hop_length,)`` array.

    Lesson: 11 Speech recognition in the real world.
    """
    import torch
    from silero_vad import get_speech_timestamps

    from asrlab.audio import resample

    y = np.asarray(check_audio(y), dtype=np.float32)
    sr = check_sr(sr)
    hop = check_positive_int(round(hop_ms * sr / 1000), name="hop_ms * sr / 1000")
    n_frames = 1 + len(y) // hop
    rate = sr if sr in (8_000, 16_000) else 16_000
    x = y if rate == sr else resample(y, orig_sr=sr, target_sr=rate)
    model = _silero()
    model.reset_states()
    segments = get_speech_timestamps(torch.from_numpy(np.ascontiguousarray(x)), model, sampling_rate=rate,
                                     threshold=check_real(threshold, name="threshold", low=0.0, high=1.0))
    times = np.arange(n_frames) * hop / sr
    speech = np.zeros(n_frames, dtype=bool)
    for seg in segments:
        speech |= (times >= seg["start"] / rate) & (times < seg["end"] / rate)
    return speech
