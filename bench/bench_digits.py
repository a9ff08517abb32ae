"""Benchmark: a recogniser trained only on synthetic speech, tested on real people's digits.

This is the domain-shift story of lessons 10 and 11.  The model is trained for
``ASRLAB_BENCH_MINUTES`` minutes (default 10, as ``asrlab train --telephone``:
:data:`asrlab.train.TELEPHONE_MINUTES`) with the seed ``ASRLAB_BENCH_SEED`` (default
0; ``0-5`` or ``0,2,5`` train one model per seed, one after the other) on the synthetic
stream with the telephone recipe of ``asrlab train --telephone``
(:data:`asrlab.train.TELEPHONE_OPTIONS` and :data:`asrlab.train.TELEPHONE_MODEL`: audio and
mel bands up to 4 kHz, because spoken-digit corpora are recorded at 8 kHz; features floored
60 dB below the peak; silence around the words from 0 ms; 40% of the speech from the banks
of Piper's neural voice ``joe`` and Flite's ``awb``, ``rms`` and ``slt``, and 35% of the
rest from Flite's ``kal``, where the system has Flite, e.g. Debian's ``libflite1``; the
banks are rendered once, before the clock starts).  It is then tested on isolated spoken
digits in the Free Spoken Digit Dataset's layout
(``recordings/<digit>_<speaker>_<index>.wav``):

* ``ASRLAB_FSDD=<folder>``: recordings in the Free Spoken Digit Dataset's naming, in the
  folder or its ``recordings/`` (a checkout of the whole dataset: six speakers, 3,000
  recordings; or a part of it, such as two speakers kept for development);
* otherwise the real recordings of digits that Debian packages install, when present:
  ``saytime`` (``/usr/share/saytime``, one male speaker, 8 kHz mu-law) and
  ``asterisk-core-sounds-en-wav`` (``/usr/share/asterisk/sounds/en/digits``, one female
  speaker, 8 kHz), "zero" to "nine" from each, and ``scid-data`` (``/usr/share/scid/sounds``,
  the chess database's spoken moves: one male speaker, 11 kHz), "one" to "eight".

Rows: recordings and speakers found, then for each seed the share of digits recognised
exactly with greedy decoding and with beam search constrained to the vocabulary of digits
(:func:`asrlab.ctc.vocabulary_lm`), each also by speaker (real speakers differ far more
than seeds do), and the mean
CTC loss of the right transcript (nats per recording: lower is better; it moves with
every recording's probability, not only with those that cross into being right); with
several seeds, their mean, range and how many reached 60% greedy.  With the 28 Debian
recordings one file is 3.6 points and seeds differ by 18 points or more, so judge the
recipe by several seeds, and prefer FSDD's hundreds of recordings.  Run: ``python -m bench digits``, e.g. ``ASRLAB_BENCH_SEED=0-5 python -m bench digits``
(about 10 minutes a seed, an hour in all; ``ASRLAB_BENCH_MINUTES=3`` for a quicker look).
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from bench._timing import training_budget

#: speaker -> (file of digit ``d``, the digits the package speaks)
_DEBIAN_SOURCES = {
    "saytime": ("/usr/share/saytime/{d}.au", range(10)),
    "asterisk": ("/usr/share/asterisk/sounds/en/digits/{d}.wav", range(10)),
    "scid": ("/usr/share/scid/sounds/{d}.wav", range(1, 9)),  # the ranks of a chess board
}


def debian_digits(folder: Path) -> list[str]:
    """Copy the Debian packages' digit recordings into ``folder`` in FSDD layout.

    Returns the speakers found (a package counts only when all its digits are there).
    """
    speakers = []
    rec = folder / "recordings"
    rec.mkdir(parents=True, exist_ok=True)
    for speaker, (pattern, digits) in _DEBIAN_SOURCES.items():
        paths = {d: Path(pattern.format(d=d)) for d in digits}
        if not all(p.is_file() for p in paths.values()):
            continue
        for d, path in paths.items():
            y, sr = sf.read(path, dtype="float32")
            sf.write(rec / f"{d}_{speaker}_0.wav", y, sr, subtype="PCM_16")
        speakers.append(speaker)
    return speakers


def run() -> list[tuple[str, object, object, float | None]]:
    from asrlab.data import DIGITS, load_fsdd
    from asrlab.model import ModelConfig, decode, logits_for, prepare_audio, vocabulary_decoder
    from asrlab.train import TELEPHONE_MINUTES, TELEPHONE_MODEL, TELEPHONE_OPTIONS, train, without_missing_engines

    minutes, threads, seeds = training_budget(TELEPHONE_MINUTES)
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as tmp:
        root = os.environ.get("ASRLAB_FSDD")
        if root:
            source = f"FSDD at {root}"
            entries = load_fsdd(root)
        else:
            speakers = debian_digits(Path(tmp))
            source = f"Debian packages ({', '.join(speakers) or 'none installed'})"
            entries = load_fsdd(tmp) if speakers else []
        if not entries:
            return [(f"real spoken digits: none found ({source})", "skipped", None, None)]
        speaker_of = [Path(e.path).stem.split("_")[1] for e in entries]
        n_speakers = len(set(speaker_of))
        options, notes = without_missing_engines(dict(TELEPHONE_OPTIONS))
        model_config = ModelConfig(**TELEPHONE_MODEL)
        audio = [prepare_audio(e.path, sr=None, target_sr=model_config.sr) for e in entries]
    lm = vocabulary_decoder(list(DIGITS))
    refs = [e.text for e in entries]
    right = lambda hyps: 100 * float(np.mean([h == r for h, r in zip(hyps, refs)]))  # noqa: E731
    rows = [
        (f"real spoken digits: {source}", f"{len(entries)} files, {n_speakers} speaker{'s' * (n_speakers != 1)}", None, None),
        ("training speech from banked voices", f"{options['bank_share']:.0%} ({', '.join(options.get('bank_voices', ()))})",
         None, None),
        ("training speech from Flite's kal, of the rest", f"{options['flite_share']:.0%}", None, None),
        *[(f"left out: {note.removeprefix('--telephone: ')}", "-", None, None) for note in notes],
    ]
    scores = []
    for seed in seeds:  # one model per seed, each tested on the same recordings
        result = train(
            minutes=minutes, progress=False, seed=seed, threads=threads, model_config=model_config, **options,
        )
        log_probs = [
            lp for start in range(0, len(audio), 32) for lp in logits_for(result.model, audio[start : start + 32])
        ]
        hyps = [decode(lp) for lp in log_probs]
        beam_hyps = [decode(lp, beam=8, vocabulary=lm) for lp in log_probs]
        greedy, beam = right(hyps), right(beam_hyps)
        loss = ctc_loss_of(log_probs, refs)
        scores.append((greedy, beam, loss))
        rows += [
            (f"training steps in {minutes:g} min (seed {seed})", f"{result.steps}", None, None),
            (f"digits right, greedy, after {minutes:g} min synthetic", f"{greedy:.1f}%", None, None),
            ("  by speaker, greedy", by_speaker(hyps, refs, speaker_of), None, None),
            ("digits right, beam 8 + digit vocabulary", f"{beam:.1f}%", None, None),
            ("  by speaker, digit vocabulary", by_speaker(beam_hyps, refs, speaker_of), None, None),
            ("CTC loss of the right digit (nats, mean)", f"{loss:.2f}", None, None),
        ]
    if len(seeds) > 1:
        for i, how in enumerate(("greedy", "beam 8 + digit vocabulary")):
            got = [score[i] for score in scores]
            rows.append((
                f"mean of {len(seeds)} seeds, {how}",
                f"{np.mean(got):.1f}% ({min(got):.0f}-{max(got):.0f}%, {sum(g >= 60 for g in got)} >= 60%)", None, None,
            ))
        losses = [score[2] for score in scores]
        rows.append((
            f"mean of {len(seeds)} seeds, CTC loss", f"{np.mean(losses):.2f} ({min(losses):.2f}-{max(losses):.2f})", None, None,
        ))
    return rows


def by_speaker(hyps: list[str], refs: list[str], speakers: list[str]) -> str:
    """How many of each speaker's recordings are right, e.g.
    ``"george 150/500 (30%), jackson 320/500 (64%)"``, speakers in alphabetical order."""
    total = Counter(speakers)
    right = Counter(speaker for hyp, ref, speaker in zip(hyps, refs, speakers) if hyp == ref)
    return ", ".join(
        f"{speaker} {right[speaker]}/{total[speaker]} ({100 * right[speaker] / total[speaker]:.0f}%)"
        for speaker in sorted(total)
    )


def ctc_loss_of(log_probs: list[np.ndarray], refs: list[str]) -> float:
    """Mean over recordings of the CTC loss of the right transcript (nats, summed over a
    recording's frames): ``-log P(transcript | audio)`` under the model."""
    from asrlab.ctc import ctc_loss
    from asrlab.model import encode_text

    return float(np.mean([ctc_loss(lp.astype(np.float64), encode_text(ref)) for lp, ref in zip(log_probs, refs)]))
