"""The public asrlab API is a contract: every function exists, is typed and documented.

Lessons, checks and outside tools rely on these names.  Each must have type hints, a
docstring naming the lesson that teaches it, and keyword-only parameters after the first
one or two (so that call sites read like ``stft(y, n_fft=512, hop_length=160)``).
"""

from __future__ import annotations

import importlib
import inspect

import pytest

CONTRACT = {
    "audio": ["load", "save", "resample", "to_mono", "int_to_float", "float_to_int", "quantize"],
    "signals": ["sine", "add_noise", "snr_db", "frame"],
    "features": [
        "energy", "zero_crossings", "rms", "zero_crossing_rate", "dft_matrix", "dft", "stft",
        "amplitude_to_db", "power_to_db", "hz_to_mel", "mel_to_hz", "mel_filterbank",
        "melspectrogram", "mfcc", "delta", "spectral_centroid", "spectral_bandwidth",
        "spectral_rolloff", "detect_speech",
    ],
    "metrics": ["edit_distance", "edit_table", "align", "format_alignment", "measures", "wer", "cer", "normalize"],
    "ctc": [
        "collapse", "greedy_decode", "beam_search", "ctc_loss", "forward_variables",
        "extend_with_blanks", "count_alignments", "vocabulary_lm", "forced_align",
    ],
    "dtw": ["dtw"],
    "plot": ["waveform", "spectrogram", "filterbank", "alignment", "curves"],
}

FUNCTIONS = [(m, f) for m, names in CONTRACT.items() for f in names]


@pytest.mark.parametrize("module,name", FUNCTIONS, ids=[f"{m}.{f}" for m, f in FUNCTIONS])
def test_contract_function_is_typed_documented_and_keyword_only(module, name):
    fn = getattr(importlib.import_module(f"asrlab.{module}"), name)
    assert callable(fn)
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    assert sig.return_annotation is not inspect.Signature.empty, f"{name}: no return type"
    for p in params:
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            assert p.annotation is not inspect.Parameter.empty, f"{name}: parameter {p.name} has no type"
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) <= 2, f"{name}: parameters after the first two must be keyword-only"
    doc = inspect.getdoc(fn) or ""
    assert len(doc.splitlines()) >= 3, f"{name}: docstring too thin"
    assert "Lesson" in doc, f"{name}: the docstring must name the lesson that teaches it"


def test_asrlab_never_imports_autograder():
    import pathlib

    root = pathlib.Path(importlib.import_module("asrlab").__file__).parent
    offenders = [
        str(p.relative_to(root)) for p in root.rglob("*.py")
        if "import autograder" in p.read_text() or "from autograder" in p.read_text()
    ]
    assert not offenders


def test_submodules_load_lazily_from_the_package():
    import asrlab

    assert asrlab.features.stft is importlib.import_module("asrlab.features").stft
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        asrlab.nonexistent  # noqa: B018
