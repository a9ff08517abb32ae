"""The record widget's kernel side: what a take from the browser becomes, and what a bad
take or a bad setting gets.  The browser side is tested in tests/test_browser_recorder.py."""

from __future__ import annotations

import numpy as np
import pytest

from asrlab.data import synthesize
from asrlab.recorder import MAX_SECONDS, Recorder, recognise_widget


def _browser_message(samples: np.ndarray, sr: int) -> tuple[dict, list[memoryview]]:
    """What the widget's JavaScript sends: a small dict and one float32 buffer."""
    return {"type": "take", "sr": sr, "channels": 1}, [memoryview(np.asarray(samples, "<f4").tobytes())]


def test_a_take_from_the_browser_arrives_as_float32_at_the_widget_rate():
    rec = Recorder(sr=16_000, max_seconds=3)
    y = np.sin(2 * np.pi * 440 * np.arange(8000) / 16_000).astype(np.float32) * 0.5
    rec._receive(rec, *_browser_message(y, 16_000))
    assert rec.n_takes == 1 and len(rec.takes) == 1
    assert rec.samples.dtype == np.float32
    np.testing.assert_array_equal(rec.samples, y)
    assert rec.duration == 0.5
    assert rec.status == "Take 1: 0.50 s at 16000 Hz (peak 0.50)."


def test_a_take_at_another_rate_is_resampled_and_keeps_its_duration():
    rec = Recorder(sr=16_000)
    y48 = synthesize("go", sr=48_000)
    rec._receive(rec, *_browser_message(y48, 48_000))
    assert len(rec.samples) == pytest.approx(len(y48) / 3, abs=2)
    reference = synthesize("go", sr=16_000)
    n = min(len(reference), len(rec.samples))
    # The same word at the same rate: the resampled take matches espeak-ng's 16 kHz output.
    assert np.corrcoef(reference[:n], rec.samples[:n])[0, 1] > 0.95


def test_callbacks_run_in_order_for_every_take_and_see_the_stored_samples():
    seen = []
    rec = Recorder(on_take=lambda y, sr: seen.append(("first", len(y), sr)))
    rec.on_take(lambda y, sr: seen.append(("second", len(y), sr)))
    rec.add_take(np.zeros(1600, np.float32), sr=16_000)
    rec.add_take(np.ones((2, 800), np.float32) * 0.1, sr=8_000)  # stereo at 8 kHz
    assert seen == [("first", 1600, 16_000), ("second", 1600, 16_000), ("first", 1600, 16_000), ("second", 1600, 16_000)]
    assert rec.status.startswith("Take 2: 0.10 s at 16000 Hz")
    silent = Recorder()
    silent.add_take(np.zeros(160, np.float32), sr=16_000)
    assert silent.status == "Take 1: 0.01 s at 16000 Hz (silent: is the microphone muted?)."


def test_integer_pcm_takes_are_scaled_to_floats():
    rec = Recorder()
    rec.add_take(np.array([0, 16384, -32768], dtype=np.int16), sr=16_000)
    np.testing.assert_allclose(rec.samples, [0.0, 0.5, -1.0])


def test_a_callback_that_raises_keeps_the_take_and_says_so():
    def broken(y, sr):
        raise KeyError("oops")

    rec = Recorder(on_take=broken)
    with pytest.raises(KeyError):
        rec.add_take(np.ones(16, np.float32) * 0.1, sr=16_000)
    assert len(rec.takes) == 1
    assert rec.status == "Take 1 recorded, but the callback raised KeyError: 'oops'"


@pytest.mark.parametrize(
    "content,buffers,status",
    [
        ({"type": "take", "sr": 16000}, [], "The browser sent a take this recorder cannot read (expected one buffer and a sample rate)."),
        ({"type": "take", "sr": "fast"}, [b"\0\0\0\0"], "The browser sent a take this recorder cannot read (expected one buffer and a sample rate)."),
        ({"type": "take", "sr": 16000.5}, [b"\0\0\0\0"], "The browser sent a take this recorder cannot read (expected one buffer and a sample rate)."),
        ({"type": "take", "sr": 16000}, [b"\0\0\0"], "The browser sent 3 bytes, not a whole number of float32 samples."),
        ({"type": "take", "sr": 16000}, [b""], "The take was not kept: samples: expected a non-empty signal, got 0 samples"),
        ({"type": "take", "sr": 16000}, [np.array([0.0, np.nan], "<f4").tobytes()], "The take was not kept: samples: "),
        ({"type": "take", "sr": -5}, [b"\0\0\0\0"], "The take was not kept: sr: "),
    ],
)
def test_a_bad_take_gets_a_status_and_loses_nothing(content, buffers, status):
    rec = Recorder()
    rec.add_take(np.full(160, 0.25, np.float32), sr=16_000)
    rec._receive(rec, content, [memoryview(b) for b in buffers])
    assert rec.status.startswith(status), rec.status
    assert len(rec.takes) == 1 and rec.samples[0] == np.float32(0.25)


def test_other_messages_are_ignored():
    rec = Recorder()
    before = rec.status
    rec._receive(rec, {"type": "something else"}, [])
    rec._receive(rec, ["not", "a", "dict"], [])
    assert rec.status == before and rec.takes == []


def test_a_take_longer_than_the_limit_is_refused():
    rec = Recorder()
    with pytest.raises(ValueError, match=f"samples: a take is at most {MAX_SECONDS:g} s, got 62.0 s"):
        rec.add_take(np.zeros(62 * 8000, np.float32), sr=8000)
    assert rec.takes == []


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"max_seconds": 0}, ValueError, "max_seconds: expected more than 0 and at most 60 seconds, got 0"),
        ({"max_seconds": 61}, ValueError, "max_seconds: expected more than 0 and at most 60 seconds, got 61"),
        ({"max_seconds": float("nan")}, TypeError, "max_seconds: expected a number of seconds, got nan"),
        ({"max_seconds": "5"}, TypeError, "max_seconds: expected a number of seconds, got '5'"),
        ({"sr": 0}, ValueError, "sr: "),
        ({"on_take": 3}, TypeError, "callback: expected a function of (samples, sr), got int"),
    ],
)
def test_bad_settings_get_a_precise_error(kwargs, error, message):
    with pytest.raises(error) as info:
        Recorder(**kwargs)
    assert str(info.value).startswith(message), str(info.value)


def test_the_widget_ships_its_browser_code():
    rec = Recorder()
    assert "getUserMedia" in rec._esm and "model.send" in rec._esm
    assert ".asrlab-recorder" in rec._css
    assert repr(rec) == "Recorder(sr=16000, max_seconds=5, takes=0)"


def test_recognise_widget_transcribes_every_take():
    from asrlab.model import load_pretrained

    box = recognise_widget(load_pretrained(), vocabulary=["go", "left", "right", "stop"])
    box.recorder.add_take(synthesize("go left", sr=22_050), sr=22_050)
    assert box.text == "go left"
    assert box.recorder.sr == 16_000
