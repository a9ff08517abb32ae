"""Lesson 01 (sound is a list of numbers): the exercise references against independent
facts, and the notebook's own inputs against the exercises' first public cases.

The generic ``tests/test_exercises.py`` plays every answer and mistake; this file checks
that what the references call right *is* right: aliases against FFT peaks, PCM sizes
against files that soundfile writes, durations against WAV headers, SNR against the 6 dB per
bit rule.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.compare import compare
from autograder.exercises import l01

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "01-sound-and-sampling.ipynb"
RATES = [8_000, 11_025, 16_000, 22_050]


def _peak_frequency(y: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(y))
    return float(np.fft.rfftfreq(len(y), d=1 / sr)[np.argmax(spectrum)])


@settings(max_examples=40, deadline=None)
@given(f=st.integers(min_value=0, max_value=100_000), fs=st.sampled_from(RATES))
def test_alias_frequency_is_where_the_fft_of_the_sampled_cosine_peaks(f: int, fs: int) -> None:
    # One second of a cosine: 1 Hz bins, so every integer frequency sits on a bin; a cosine
    # (unlike a sine) does not vanish at 0 Hz and at the Nyquist frequency.
    y = np.cos(2 * np.pi * f * np.arange(fs) / fs)
    assert l01.alias_frequency(f, fs) == _peak_frequency(y, fs)
    assert 0 <= l01.alias_frequency(f, fs) <= fs / 2


def test_alias_frequency_hand_computed_cases() -> None:
    assert l01.alias_frequency(13_000, 8_000) == 3_000
    assert l01.alias_frequency(7_000, 8_000) == 1_000
    assert l01.alias_frequency(3_000, 8_000) == 3_000
    assert l01.alias_frequency(44_100, 44_100) == 0


def _wav_duration(n: int, sr: int) -> float:
    """The duration soundfile reports for a WAV file of ``n`` samples at ``sr`` Hz."""
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(n, dtype=np.float32), sr, format="WAV", subtype="PCM_16")
    buffer.seek(0)
    return sf.info(buffer).duration


_RAW_SUBTYPE = {8: "PCM_S8", 16: "PCM_16", 24: "PCM_24", 32: "PCM_32"}


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=3_000),
    sr=st.sampled_from([8_000, 16_000, 44_100, 48_000]),
    bits=st.sampled_from([8, 16, 24, 32]),
    channels=st.integers(min_value=1, max_value=6),
)
def test_recording_facts_bytes_equal_a_raw_pcm_file_written_by_soundfile(n, sr, bits, channels) -> None:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros((n, channels), dtype=np.float32), sr, format="RAW", subtype=_RAW_SUBTYPE[bits])
    facts = l01.recording_facts(n, sr=sr, bits=bits, channels=channels)
    assert facts["n_bytes"] == len(buffer.getvalue())
    assert facts["duration_s"] == pytest.approx(_wav_duration(n, sr))
    assert facts["kbps"] == pytest.approx(facts["n_bytes"] * 8 / facts["duration_s"] / 1000)
    assert facts["nyquist_hz"] == sr / 2


def test_recording_facts_of_a_minute_of_cd_audio() -> None:
    facts = l01.recording_facts(44_100 * 60, sr=44_100, bits=16, channels=1)
    assert facts["n_bytes"] == 5_292_000  # "about 5 MB per channel per minute"
    assert facts["kbps"] == 705.6
    assert l01.recording_facts(1, sr=8_000, bits=16, channels=1)["levels"] == 65_536
    assert l01.recording_facts(1, sr=8_000, bits=24, channels=1)["levels"] == 16_777_216


@pytest.mark.parametrize("n_samples, fs", [(52_920, 22_050), (16_000, 16_000), (12_345, 11_025), (1, 8_000)])
def test_duration_reference_matches_the_duration_of_a_wav_file(n_samples: int, fs: int) -> None:
    duration, window = l01.EXERCISES[0].reference(n_samples=n_samples, fs=fs)
    assert duration == pytest.approx(_wav_duration(n_samples, fs))
    assert window == int(np.floor(0.025 * fs + 0.5))


def test_quantize_reference_lies_on_the_grid_and_gains_6_db_per_bit() -> None:
    y = l01.quant_input(440.0, 0.6, 0.05)
    snrs = []
    for bits in range(4, 17):
        y_q, snr = l01._quant_ref(y=y, bits=bits)
        step = 2.0 ** (1 - bits)
        assert np.allclose(y_q / step, np.round(y_q / step))
        assert np.abs(y_q - y).max() <= step / 2 + 1e-12
        snrs.append(snr)
    slope = np.polyfit(np.arange(4, 17), snrs, 1)[0]
    assert 5.9 < slope < 6.15


def test_int_to_float_reference_maps_full_scale_to_minus_one() -> None:
    out = l01.EXERCISES[1].reference(x=l01.PCM_X)
    assert out[-1] == -1.0 and 0.9999 < out[-2] < 1.0
    assert np.array_equal(out, l01.PCM_X / 32768)


def _code_cells() -> list[dict]:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for c in cells:
        c["source"] = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
    return cells


@pytest.mark.parametrize("ex", [e for e in l01.EXERCISES if e.kind == "cell"], ids=lambda e: e.id)
def test_the_notebooks_inputs_equal_the_first_public_case(ex) -> None:
    cells = _code_cells()
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in cells]
    i = ids.index(ex.id)
    setup = "\n".join(line for line in cells[0]["source"].splitlines() if not line.startswith("%"))
    ns: dict = {}
    exec(setup, ns)
    exec(cells[i - 1]["source"], ns)  # the input cell right above the answer cell
    for name, value in ex.public[0].kwargs.items():
        assert compare(value, ns[name], rtol=0, atol=0), f"{ex.id}: notebook's {name} differs from public[0]"
