"""Record your own voice in a notebook: a Record button that hands the samples to the kernel.

:class:`Recorder` is an `anywidget <https://anywidget.dev>`_ widget. In the browser it asks
for the microphone (``getUserMedia``), records with ``MediaRecorder`` until you press Stop
or ``max_seconds`` pass, decodes the take with the Web Audio API at the widget's sample
rate, shows a player and the waveform, and sends the mono float32 samples to the kernel.
There they arrive as :attr:`Recorder.samples` (the last take) and :attr:`Recorder.takes`
(all of them), and every callback given to :meth:`Recorder.on_take` runs.

Example (lesson 10)::

    from asrlab.model import load_pretrained
    from asrlab.recorder import recognise_widget

    recognise_widget(load_pretrained())   # press Record, say "go left", see the text

Without a microphone (or outside a browser) :meth:`Recorder.add_take` feeds a take from
an array or a file, and everything downstream works the same.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import anywidget
import numpy as np
import traitlets

from asrlab._validate import check_audio, check_sr

if TYPE_CHECKING:
    import ipywidgets

    from asrlab.model import TinyCTC

__all__ = ["Recorder", "recognise_widget"]

#: The longest take a recorder accepts, in seconds.
MAX_SECONDS = 60.0

_STATIC = Path(__file__).resolve().parent / "static"


def _check_max_seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"max_seconds: expected a number of seconds, got {value!r}")
    if not 0 < value <= MAX_SECONDS:
        raise ValueError(f"max_seconds: expected more than 0 and at most {MAX_SECONDS:g} seconds, got {value!r}")
    return float(value)


class Recorder(anywidget.AnyWidget):
    """A Record/Stop button with a player and a waveform; takes arrive in the kernel.

    Args:
        sr: Sample rate in Hz of the samples handed to the kernel (default 16000, the
            course model's rate); the browser decodes each take at this rate.
        max_seconds: A take stops by itself after this many seconds (default 5, at most 60).
        on_take: Optional callback ``fn(samples, sr)`` run for every new take.

    Attributes:
        takes: Every take so far, as mono float32 arrays at ``sr``.
        status: The line shown next to the button (what happened last).

    Lesson: 10 Train a tiny CTC speech recogniser; 11 Speech recognition in the real world.
    """

    _esm = _STATIC / "recorder.js"
    _css = _STATIC / "recorder.css"

    status = traitlets.Unicode("Press Record and speak.").tag(sync=True)
    max_seconds = traitlets.Float(5.0).tag(sync=True)
    sr = traitlets.Int(16_000).tag(sync=True)
    n_takes = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        *,
        sr: int = 16_000,
        max_seconds: float = 5.0,
        on_take: Callable[[np.ndarray, int], Any] | None = None,
    ) -> None:
        sr = check_sr(sr)
        max_seconds = _check_max_seconds(max_seconds)
        super().__init__(sr=sr, max_seconds=max_seconds)
        self.takes: list[np.ndarray] = []
        self._callbacks: list[Callable[[np.ndarray, int], Any]] = []
        if on_take is not None:
            self.on_take(on_take)
        self.on_msg(self._receive)

    def __repr__(self) -> str:
        return f"Recorder(sr={self.sr}, max_seconds={self.max_seconds:g}, takes={len(self.takes)})"

    @property
    def samples(self) -> np.ndarray:
        """The last take (mono float32 at :attr:`sr`); an empty array before the first."""
        return self.takes[-1] if self.takes else np.zeros(0, dtype=np.float32)

    @property
    def duration(self) -> float:
        """Length of the last take in seconds (0.0 before the first)."""
        return len(self.samples) / self.sr

    def on_take(self, callback: Callable[[np.ndarray, int], Any]) -> None:
        """Run ``callback(samples, sr)`` after every new take (in the order registered)."""
        if not callable(callback):
            raise TypeError(f"callback: expected a function of (samples, sr), got {type(callback).__name__}")
        self._callbacks.append(callback)

    def add_take(self, samples: Any, *, sr: int) -> np.ndarray:
        """Add a take as if it had been recorded: mono or ``(channels, n)`` samples at ``sr``.

        The take is mixed down to mono, resampled to :attr:`sr` and stored as float32;
        then the callbacks run.  A callback that raises does not lose the take: its error
        is shown as the status and raised again.

        Raises:
            ValueError: an empty, non-finite or too long take, or a bad sample rate.

        Returns:
            The stored take.
        """
        from asrlab.audio import resample

        sr = check_sr(sr)
        y = check_audio(samples, name="samples", mono=False, allow_int=True)
        if y.ndim == 2:
            y = y.mean(axis=0)
        if np.issubdtype(y.dtype, np.integer):
            from asrlab.audio import int_to_float

            y = int_to_float(y)
        if len(y) > MAX_SECONDS * sr + sr:
            raise ValueError(f"samples: a take is at most {MAX_SECONDS:g} s, got {len(y) / sr:.1f} s")
        y = np.asarray(y, dtype=np.float32)
        if sr != self.sr:
            y = resample(y, orig_sr=sr, target_sr=self.sr).astype(np.float32)
        self.takes.append(y)
        self.n_takes = len(self.takes)
        peak = float(np.max(np.abs(y))) if y.size else 0.0
        level = "silent: is the microphone muted?" if peak < 1e-4 else f"peak {peak:.2f}"
        self.status = f"Take {len(self.takes)}: {len(y) / self.sr:.2f} s at {self.sr} Hz ({level})."
        for callback in self._callbacks:
            try:
                callback(y, self.sr)
            except Exception as exc:
                self.status = f"Take {len(self.takes)} recorded, but the callback raised {type(exc).__name__}: {exc}"
                raise
        return y

    def _receive(self, _widget: Any, content: Any, buffers: Sequence[Any]) -> None:
        """A message from the browser: ``{"type": "take", "sr": rate}`` with one float32 buffer."""
        if not isinstance(content, dict) or content.get("type") != "take":
            return
        rate = content.get("sr")
        if len(buffers) != 1 or not isinstance(rate, (int, float)) or isinstance(rate, bool) or rate != int(rate):
            self.status = "The browser sent a take this recorder cannot read (expected one buffer and a sample rate)."
            return
        raw = memoryview(buffers[0]).cast("B")
        if raw.nbytes % 4:
            self.status = f"The browser sent {raw.nbytes} bytes, not a whole number of float32 samples."
            return
        try:
            self.add_take(np.frombuffer(raw, dtype="<f4").copy(), sr=int(rate))
        except (TypeError, ValueError) as exc:
            self.status = f"The take was not kept: {exc}"


def recognise_widget(
    model: TinyCTC,
    *,
    beam: int | None = None,
    vocabulary: Sequence[str] | None = None,
    max_seconds: float = 5.0,
) -> ipywidgets.VBox:
    """A recorder whose every take is played back and transcribed by ``model``.

    Args:
        model: A trained :class:`asrlab.model.TinyCTC` (e.g. :func:`asrlab.model.load_pretrained`).
        beam: ``None`` for greedy decoding, or a beam width (see :func:`asrlab.model.decode`).
        vocabulary: Words the text must be made of (beam search constrained to them).
        max_seconds: Longest take in seconds (default 5).

    Returns:
        A ``VBox`` of the :class:`Recorder` (also as ``.recorder``) and an output area
        showing each take's player and text (the last text also as ``.text``).

    Lesson: 10 Train a tiny CTC speech recogniser; 11 Speech recognition in the real world.
    """
    import ipywidgets as widgets
    from IPython.display import Audio, display

    from asrlab.model import transcribe, vocabulary_decoder

    lm = None if vocabulary is None else vocabulary_decoder(vocabulary)
    recorder = Recorder(sr=model.sample_rate, max_seconds=max_seconds)
    out = widgets.Output()
    box = widgets.VBox([recorder, out])
    box.recorder = recorder
    box.text = None

    def show(y: np.ndarray, sr: int) -> None:
        text = transcribe(model, y, sr=sr, beam=beam, vocabulary=lm)
        box.text = text
        out.clear_output(wait=True)
        with out:
            display(Audio(y, rate=sr))
            print(f"heard: {text!r}" if text else "heard: nothing (no words came out)")

    recorder.on_take(show)
    return box
