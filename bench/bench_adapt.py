"""Benchmark: speaker adaptation on real people's spoken digits.

Starts from a model trained only on synthetic speech with the telephone recipe (``asrlab
train --telephone``: the checkpoint in ``ASRLAB_ADAPT_MODEL``, or one trained here for
``ASRLAB_BENCH_MINUTES`` minutes, default 10, seed ``ASRLAB_BENCH_SEED``), then, for each
speaker of the Free Spoken Digit Dataset recordings in ``ASRLAB_FSDD`` (a folder of
``<digit>_<speaker>_<take>.wav`` files, directly or under ``recordings/``), fine-tunes a
copy with :func:`asrlab.adapt.adapt` on three takes of every digit (takes 5, 6 and 7:
30 recordings) for ``ASRLAB_ADAPT_MINUTES`` minutes (default
:data:`asrlab.adapt.DEFAULT_MINUTES`) and tests it on all that speaker's other
recordings (never the adaptation takes).

Rows, per speaker: the share of test recordings recognised exactly with greedy decoding
before and after adaptation (and with beam search constrained to the digits after), the
steps and seconds the adaptation took.  Run:
``ASRLAB_FSDD=../shared/data/fsdd-dev python -m bench adapt``.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from pathlib import Path

import torch

from bench._timing import training_budget

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ADAPT_TAKES = (5, 6, 7)
_NAME = re.compile(r"^(\d)_([A-Za-z]+)_(\d+)\.wav$")


def fsdd_recordings(folder: Path) -> dict[str, list[tuple[Path, str, int]]]:
    """speaker -> ``[(path, digit word, take)]`` for every FSDD-named file in ``folder``."""
    found: dict[str, list[tuple[Path, str, int]]] = defaultdict(list)
    root = folder / "recordings" if (folder / "recordings").is_dir() else folder
    for path in sorted(root.glob("*.wav")):
        match = _NAME.match(path.name)
        if match:
            digit, speaker, take = match.groups()
            found[speaker].append((path, DIGIT_WORDS[int(digit)], int(take)))
    return dict(found)


def _accuracy(model, examples, **decoding) -> float:
    from asrlab.train import evaluate

    result = evaluate(model, examples, **decoding)
    right = sum(h == r for h, r in zip(result["hypotheses"], result["references"]))
    return right / len(examples)


def _base_model(minutes: float, threads: int, seed: int):
    from asrlab.model import load_checkpoint
    from asrlab.train import TELEPHONE_MODEL, TELEPHONE_OPTIONS, train

    given = os.environ.get("ASRLAB_ADAPT_MODEL")
    if given:
        return load_checkpoint(given)[0], f"checkpoint {given}"
    from asrlab.train import without_missing_engines

    options, notes = without_missing_engines(dict(TELEPHONE_OPTIONS))
    for note in notes:
        print(f"[bench adapt] {note}")
    from asrlab.model import ModelConfig

    result = train(minutes=minutes, progress=False, seed=seed, threads=threads,
                   model_config=ModelConfig(**TELEPHONE_MODEL), **options)
    return result.model, f"trained here: telephone recipe, {minutes:g} min, seed {seed}, {result.steps} steps"


def run() -> list[tuple[str, object, object, object]]:
    from asrlab.adapt import DEFAULT_MINUTES, adapt
    from asrlab.model import prepare_audio

    folder = os.environ.get("ASRLAB_FSDD")
    if not folder:
        return [("adapt: skipped (set ASRLAB_FSDD to a folder of FSDD recordings)", "-", None, None)]
    speakers = fsdd_recordings(Path(folder))
    if not speakers:
        return [(f"adapt: no <digit>_<speaker>_<take>.wav files in {folder}", "-", None, None)]
    adapt_minutes = float(os.environ.get("ASRLAB_ADAPT_MINUTES", DEFAULT_MINUTES))
    minutes, threads, seeds = training_budget(10.0)
    torch.set_num_threads(threads)
    model, origin = _base_model(minutes, threads, seeds[0])
    sr = model.sample_rate
    rows: list[tuple[str, object, object, object]] = [(f"adapt: base model ({origin})", "-", None, None)]
    for speaker, files in sorted(speakers.items()):
        takes = [(prepare_audio(p, sr=None, target_sr=sr), word) for p, word, take in files if take in ADAPT_TAKES]
        tests = [(prepare_audio(p, sr=None, target_sr=sr), word) for p, word, take in files if take not in ADAPT_TAKES]
        before = _accuracy(model, tests)
        with tempfile.TemporaryDirectory() as tmp:
            result = adapt(model, takes, minutes=adapt_minutes, threads=threads, out=Path(tmp) / "adapted.pt")
        after = _accuracy(result.model, tests)
        after_digits = _accuracy(result.model, tests, vocabulary=list(DIGIT_WORDS))
        rows.append((
            f"adapt {speaker}: {len(takes)} takes, {len(tests)} tests",
            f"greedy {before:.1%} -> {after:.1%} (digits {after_digits:.1%}); "
            f"{result.steps} steps in {result.seconds:.0f} s",
            None, None,
        ))
    return rows
