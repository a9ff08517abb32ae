"""Labelled plots for the course: every helper takes ``ax=`` and returns the Axes it drew on.

Axes always carry units (``Time (s)``, ``Frequency (Hz)``, ``Level (dB)``...).  When
``ax`` is ``None`` a new figure is created with ``matplotlib.pyplot.subplots``.

Lessons: all (01 waveforms, 04-05 spectrograms and filterbanks, 06 and 09 alignments,
10 training curves).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from asrlab._validate import _describe, check_audio, check_choice, check_finite_array, check_positive_int, check_sr

__all__ = ["waveform", "spectrogram", "filterbank", "alignment", "curves"]


def _axes(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 3))
    return ax


def waveform(y: np.ndarray, *, sr: int, ax: Any = None, **kw: Any) -> Any:
    """Plot a mono signal against time.

    Args:
        y: Mono audio, float, shape ``(n,)``.
        sr: Sample rate in Hz; sample ``k`` is drawn at ``k / sr`` seconds.
        ax: Axes to draw on (default: a new figure).
        **kw: Passed to ``Axes.plot`` (e.g. ``color``, ``linewidth``, ``label``).

    Returns:
        The Axes, with x label ``Time (s)`` and y label ``Amplitude (full scale)``.

    Lesson: 01 Sound is a list of numbers.
    """
    y = check_audio(y, name="y")
    sr = check_sr(sr)
    ax = _axes(ax)
    kw.setdefault("linewidth", 0.8)
    ax.plot(np.arange(len(y)) / sr, y, **kw)
    ax.set_xlim(0, len(y) / sr)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Amplitude (full scale)")
    return ax


_Y_AXES = ("hz", "mel", "log", "linear")


def spectrogram(
    S_db: np.ndarray,
    *,
    sr: int,
    hop_length: int,
    y_axis: str = "hz",
    ax: Any = None,
    colorbar: bool = True,
    **kw: Any,
) -> Any:
    """Show a spectrogram in dB as an image with time and frequency axes.

    Args:
        S_db: Levels in dB, shape ``(n_bins, n_frames)``: a linear-frequency STFT
            (``n_bins = 1 + n_fft // 2``) or a mel spectrogram (``n_bins = n_mels``).
        sr: Sample rate in Hz.
        hop_length: Samples between frames (frame ``t`` is at ``t * hop_length / sr`` s).
        y_axis: ``"hz"`` or ``"linear"`` (linear frequency), ``"log"`` (log frequency)
            or ``"mel"`` (mel bands, ticks in Hz).  Default ``"hz"``.
        ax: Axes to draw on (default: a new figure).
        colorbar: Add a colour bar labelled ``Level (dB)`` (default True).
        **kw: Passed to ``librosa.display.specshow`` (e.g. ``cmap``, ``fmax`` for mel).

    Returns:
        The Axes, labelled ``Time (s)`` and ``Frequency (Hz)``.

    Lesson: 04 STFT and spectrograms.
    """
    import librosa.display

    S = check_finite_array(S_db, name="S_db", ndim=2)
    sr = check_sr(sr)
    hop_length = check_positive_int(hop_length, name="hop_length")
    check_choice(y_axis, name="y_axis", choices=_Y_AXES)
    ax = _axes(ax)
    img = librosa.display.specshow(
        S, sr=sr, hop_length=hop_length, x_axis="time", y_axis=y_axis, ax=ax, **kw
    )
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Frequency (Hz, mel scale)" if y_axis == "mel" else "Frequency (Hz)")
    if colorbar:
        ax.figure.colorbar(img, ax=ax, format="%+.0f dB", label="Level (dB)")
    return ax


def filterbank(fb: np.ndarray, *, sr: int, n_fft: int, ax: Any = None) -> Any:
    """Plot the filters of a filterbank (one curve per filter) against frequency.

    Args:
        fb: Filter weights, shape ``(n_filters, 1 + n_fft // 2)``, e.g.
            ``librosa.filters.mel(sr=sr, n_fft=n_fft)``.
        sr: Sample rate in Hz.
        n_fft: FFT size in samples; bin ``k`` is at ``k * sr / n_fft`` Hz.
        ax: Axes to draw on (default: a new figure).

    Returns:
        The Axes, labelled ``Frequency (Hz)`` and ``Weight (linear gain)``.

    Lesson: 05 Mel spectrograms and MFCCs.
    """
    fb = check_finite_array(fb, name="fb", ndim=2)
    sr = check_sr(sr)
    n_fft = check_positive_int(n_fft, name="n_fft")
    if fb.shape[1] != 1 + n_fft // 2:
        raise ValueError(
            f"fb: expected {1 + n_fft // 2} columns (1 + n_fft // 2 for n_fft={n_fft}), "
            f"got shape {fb.shape}"
        )
    ax = _axes(ax)
    freqs = np.arange(fb.shape[1]) * sr / n_fft
    ax.plot(freqs, fb.T, linewidth=0.9)
    ax.set_xlim(0, sr / 2)
    ax.set_xlabel("Frequency (Hz)")
    ax.set_ylabel("Weight (linear gain)")
    return ax


def alignment(
    alpha_or_path: np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    background: np.ndarray | None = None,
    ax: Any = None,
    colorbar: bool = True,
) -> Any:
    """Plot an alignment: CTC forward variables, or a DTW warping path.

    Two kinds of input:

    * CTC: the float matrix of :func:`asrlab.ctc.forward_variables`, shape
      ``(T, 2L + 1)``, shown as an image of ``log alpha`` (frames across, states of
      the extended label sequence up the side; ``-inf`` cells left blank).
      ``labels`` names the states, e.g. ``["-", "c", "-", "a", "-", "t", "-"]``.
    * DTW: an integer path of shape ``(k, 2)`` from :func:`asrlab.dtw.dtw`, drawn as a
      line, over ``background`` (e.g. the accumulated cost matrix, shape ``(n, m)``)
      when given.

    Args:
        alpha_or_path: The matrix or the path.
        labels: Names of the CTC states (one per column of alpha), optional.
        background: For a path: a matrix of shape ``(n, m)`` to draw under it.
        ax: Axes to draw on (default: a new figure).
        colorbar: Add a colour bar to an image (default True).

    Returns:
        The Axes.  CTC: ``Time (frames)`` across, ``CTC state (index)`` up; DTW:
        ``Frame of Y (index)`` across, ``Frame of X (index)`` up.

    Lessons: 06 Recognising isolated words; 09 The CTC loss.
    """
    a = np.asarray(alpha_or_path) if isinstance(alpha_or_path, (list, tuple)) else alpha_or_path
    if not isinstance(a, np.ndarray) or a.ndim != 2 or a.size == 0:
        raise ValueError(
            "alpha_or_path: expected a (T, 2L + 1) float matrix of forward variables or a "
            f"(k, 2) integer warping path, got {_describe(a)}"
        )
    ax = _axes(ax)
    if np.issubdtype(a.dtype, np.integer):
        if a.shape[1] != 2:
            raise ValueError(f"alpha_or_path: expected a warping path of shape (k, 2), got shape {a.shape}")
        if background is not None:
            bg = check_finite_array(background, name="background", ndim=2)
            img = ax.imshow(bg, origin="lower", aspect="auto", cmap="gray_r", interpolation="nearest")
            if colorbar:
                ax.figure.colorbar(img, ax=ax, label="Cost (metric units)")
        ax.plot(a[:, 1], a[:, 0], color="tab:red", linewidth=1.5, marker=".", markersize=3)
        ax.set_xlabel("Frame of Y (index)")
        ax.set_ylabel("Frame of X (index)")
        return ax
    if not np.issubdtype(a.dtype, np.floating):
        raise TypeError(f"alpha_or_path: expected float forward variables or an int path, got dtype {a.dtype}")
    if np.isnan(a).any() or np.isposinf(a).any():
        raise ValueError("alpha_or_path: expected log-probabilities (finite or -inf), got NaN or +inf")
    shown = np.ma.masked_invalid(a.T)
    img = ax.imshow(shown, origin="lower", aspect="auto", interpolation="nearest", cmap="viridis")
    if labels is not None:
        if len(labels) != a.shape[1]:
            raise ValueError(f"labels: expected {a.shape[1]} names (one per state), got {len(labels)}")
        ax.set_yticks(np.arange(a.shape[1]), [str(x) for x in labels])
    ax.set_xlabel("Time (frames)")
    ax.set_ylabel("CTC state (index)")
    if colorbar:
        ax.figure.colorbar(img, ax=ax, label="log alpha (nats)")
    return ax


def curves(
    history: Mapping[str, Sequence[float]],
    *,
    ax: Any = None,
    xlabel: str = "Epoch (count)",
    ylabel: str = "Value (loss in nats, rates as fractions)",
) -> Any:
    """Plot training curves: one line per entry of ``history`` against the epoch.

    Args:
        history: Name -> values per epoch, e.g. ``{"train loss": [...], "val CER": [...]}``.
        ax: Axes to draw on (default: a new figure).
        xlabel: x label (default ``"Epoch (count)"``).
        ylabel: y label (default ``"Value (loss in nats, rates as fractions)"``).

    Returns:
        The Axes, with a legend.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    if not isinstance(history, Mapping) or len(history) == 0:
        raise ValueError(f"history: expected a non-empty dict of name -> list of values, got {_describe(history)}")
    ax = _axes(ax)
    for name, values in history.items():
        try:
            v = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"history[{name!r}]: expected a list of numbers, got {_describe(values)}") from None
        if v.ndim != 1:
            raise ValueError(f"history[{name!r}]: expected a 1-D list of values, got shape {v.shape}")
        ax.plot(np.arange(1, len(v) + 1), v, marker="o", markersize=3, label=str(name))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax
