"""The one validator behind every ``asrlab`` function that takes audio or sizes.

Every message names the argument, what was expected and what was given, e.g.
``y: expected mono audio of shape (n,), got shape (2, 16000)``.  Functions call these
helpers first, so a bad input fails before any work is done and with the same words
everywhere in the package.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = [
    "check_audio",
    "check_sr",
    "check_positive_int",
    "check_nonnegative_int",
    "check_finite_array",
    "check_choice",
]


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array of dtype {value.dtype} and shape {value.shape}"
    return f"{type(value).__name__} {value!r}"[:120]


def check_audio(
    y: Any,
    *,
    name: str = "y",
    mono: bool = True,
    allow_int: bool = False,
    min_samples: int = 1,
) -> np.ndarray:
    """Validate an audio signal and return it as a NumPy array (never copied needlessly).

    Args:
        y: The signal. Mono audio has shape ``(n,)``; multichannel ``(channels, n)``.
        name: Argument name used in error messages.
        mono: Require shape ``(n,)`` (default). When False, ``(channels, n)`` is accepted too.
        allow_int: Accept integer PCM arrays (default False: floats only).
        min_samples: Smallest acceptable number of samples (default 1).

    Raises:
        TypeError: not an array of numbers, or integer/boolean samples where float is needed.
        ValueError: wrong number of dimensions, too few samples, NaN or infinity.
    """
    if isinstance(y, (list, tuple)):
        y = np.asarray(y)
    if not isinstance(y, np.ndarray):
        raise TypeError(f"{name}: expected a NumPy array of audio samples, got {_describe(y)}")
    if y.dtype == np.bool_ or not np.issubdtype(y.dtype, np.number):
        raise TypeError(f"{name}: expected numeric audio samples, got dtype {y.dtype}")
    if np.issubdtype(y.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected real-valued audio samples, got dtype {y.dtype}")
    if np.issubdtype(y.dtype, np.integer) and not allow_int:
        raise TypeError(
            f"{name}: expected floating-point audio in [-1, 1], got integer dtype {y.dtype}; "
            "convert it first with asrlab.audio.int_to_float"
        )
    if mono and y.ndim != 1:
        raise ValueError(f"{name}: expected mono audio of shape (n,), got shape {y.shape}")
    if not mono and y.ndim not in (1, 2):
        raise ValueError(
            f"{name}: expected audio of shape (n,) or (channels, n), got shape {y.shape}"
        )
    n = y.shape[-1] if y.ndim else 0
    if n < min_samples:
        if n == 0:
            raise ValueError(f"{name}: expected a non-empty signal, got 0 samples")
        raise ValueError(f"{name}: expected at least {min_samples} samples, got {n}")
    if np.issubdtype(y.dtype, np.floating) and not np.isfinite(y).all():
        bad = "NaN" if np.isnan(y).any() else "infinity"
        raise ValueError(f"{name}: expected finite samples, got {bad} in the signal")
    return y


def check_finite_array(
    x: Any, *, name: str, ndim: int | None = None, min_size: int = 1
) -> np.ndarray:
    """Validate a numeric (real or complex) array: right ``ndim``, non-empty, finite."""
    if isinstance(x, (list, tuple)) or np.isscalar(x):
        x = np.asarray(x)
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name}: expected a NumPy array, got {_describe(x)}")
    if x.dtype == np.bool_ or not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"{name}: expected a numeric array, got dtype {x.dtype}")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array, got shape {x.shape}")
    if x.size < min_size:
        raise ValueError(f"{name}: expected a non-empty array, got shape {x.shape}")
    if np.issubdtype(x.dtype, np.inexact) and not np.isfinite(x).all():
        bad = "NaN" if np.isnan(x).any() else "infinity"
        raise ValueError(f"{name}: expected finite values, got {bad}")
    return x


def check_sr(sr: Any, *, name: str = "sr") -> int:
    """A sample rate: a positive integer number of samples per second (Hz)."""
    if isinstance(sr, bool) or not isinstance(sr, numbers.Real):
        raise TypeError(f"{name}: expected a sample rate in Hz (positive integer), got {_describe(sr)}")
    if not np.isfinite(sr) or sr <= 0:
        raise ValueError(f"{name}: expected a positive sample rate in Hz, got {sr!r}")
    if float(sr) != int(sr):
        raise ValueError(f"{name}: expected a whole number of samples per second, got {sr!r}")
    return int(sr)


def check_positive_int(value: Any, *, name: str) -> int:
    """A strictly positive integer (frame length, hop, FFT size, ...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected a positive integer, got {_describe(value)}")
    if value <= 0:
        raise ValueError(f"{name}: expected a positive integer, got {value}")
    return int(value)


def check_nonnegative_int(value: Any, *, name: str) -> int:
    """An integer >= 0 (an index, a blank id, ...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected a non-negative integer, got {_describe(value)}")
    if value < 0:
        raise ValueError(f"{name}: expected a non-negative integer, got {value}")
    return int(value)


def check_choice(value: Any, *, name: str, choices: tuple[Any, ...]) -> Any:
    """One of a fixed set of options."""
    if value not in choices:
        raise ValueError(f"{name}: expected one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


# Helpers added for asrlab.audio, asrlab.signals and asrlab.features.


def check_real(
    value: Any,
    *,
    name: str,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real number, optionally inside ``[low, high]`` (``low_open``/``high_open``
    exclude the end points).  Returns it as a Python ``float``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {_describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    too_low = low is not None and (value < low or (low_open and value == low))
    too_high = high is not None and (value > high or (high_open and value == high))
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name}: expected a number in {left}{lo}, {hi}{right}, got {value!r}")
    return value


def check_bits(bits: Any, *, name: str = "bits") -> int:
    """A PCM bit depth: an integer from 2 to 32."""
    if isinstance(bits, bool) or not isinstance(bits, numbers.Integral):
        raise TypeError(f"{name}: expected an integer bit depth from 2 to 32, got {_describe(bits)}")
    if not 2 <= bits <= 32:
        raise ValueError(f"{name}: expected a bit depth from 2 to 32, got {bits}")
    return int(bits)


def check_frame_fits(
    n_samples: int,
    frame_length: int,
    *,
    name: str = "frame_length",
    what: str = "signal",
    hint: str = "",
) -> None:
    """A frame of ``frame_length`` samples must fit in a signal of ``n_samples``.

    ``what`` names the signal in the message ("padded signal"); ``hint`` is appended
    inside the parentheses after the sample count."""
    if frame_length > n_samples:
        raise ValueError(
            f"{name}: expected at most the {what} length ({n_samples} samples{hint}), "
            f"got {frame_length}"
        )


__all__ += ["check_real", "check_bits", "check_frame_fits"]
