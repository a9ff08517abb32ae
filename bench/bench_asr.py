"""Benchmark of the tiny CTC recogniser: accuracy after a fixed CPU budget, and speed.

Trains :class:`asrlab.model.TinyCTC` on the synthetic stream for ``ASRLAB_BENCH_MINUTES``
minutes (default 3) with the seed ``ASRLAB_BENCH_SEED`` (default 0; ``0-2`` or ``0,2`` train
and measure one model per seed, one after the other) on the device ``ASRLAB_BENCH_DEVICE``
(default ``cpu``; ``cuda`` or ``auto`` to train on a GPU: the steps row then tells the
speed-up against a CPU run on the same machine); ``ASRLAB_BENCH_EPOCHS=N`` trains for N
epochs of 3,200 utterances (200 steps) instead, so that recipes can be compared on a busy
machine, whose minutes give fewer steps.  Then it measures on held-out voices (the test
split, the same whatever the seed):

* in-grammar speech (200 utterances, the phrases of the training grammar with pauses of
  0-80 ms between the words): CER and WER with greedy decoding (target: CER <= 2% after
  3 minutes on a 2-core CPU), and the CER of the worst test voice variant beside that of
  all the others (one unusual voice can dominate the average);
* connected, out-of-grammar speech (200 utterances, :data:`asrlab.data.CONNECTED`: one
  to five course words in random order, no pause between them, as people speak): CER and
  WER greedy (target: CER <= 3%) and with the course vocabulary;
* the greedy CER of the same utterances with one more second of silence on each side,
  heard as the model hears recordings (its silence cut to ``ModelConfig.pad_ms``) and
  with all the silence kept;
* CER and WER with beam search, plain (50 utterances) and constrained to the corpus's
  vocabulary (:func:`asrlab.data.vocabulary`, all 200), as ``asrlab evaluate --vocabulary
  course`` decodes;
* before training, the speed of the training stream: an utterance spoken by one
  espeak-ng engine kept loaded (:meth:`asrlab.data.SyntheticSpeech.stream`) against a
  fresh engine per utterance (indexing), as a ratio row (target < 0.75);
* the real-time factor of :func:`asrlab.model.transcribe` (seconds of compute per second
  of audio; target < 0.05), reported as a ratio row: ours = transcription time,
  reference = audio duration.

Run: ``python -m bench asr``.  Absolute numbers depend on the machine and on what else
runs on it: the accuracy after a fixed wall-clock budget depends on the number of steps
the CPU could give, so the rows report the steps taken and the CPU load average too.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace

import numpy as np
import torch

from bench._timing import best_of, epoch_budget, training_budget


#: Utterances in each test set.
TEST_SIZE = 200


#: Utterances timed by :func:`synthesis_speed`.
SPEED_SIZE = 160


def run() -> list[tuple[str, object, object, float | None]]:
    minutes, threads, seeds = training_budget()
    epochs = epoch_budget()
    device = os.environ.get("ASRLAB_BENCH_DEVICE", "cpu")
    return synthesis_speed() + [
        row for seed in seeds
        for row in measure(minutes=minutes, epochs=epochs, threads=threads, seed=seed, device=device)
    ]


def synthesis_speed() -> list[tuple[str, object, object, float | None]]:
    """The training stream's speed: seconds per utterance of :meth:`asrlab.data.SyntheticSpeech.stream`
    (one engine kept loaded; ours) against indexing (a fresh engine per utterance; reference),
    the same :data:`SPEED_SIZE` utterances of the default recipe."""
    import itertools

    from asrlab.data import SyntheticSpeech
    from asrlab.train import TrainConfig

    speech = SyntheticSpeech("train", **TrainConfig().stream_settings(16000))
    streamed = best_of(lambda: list(itertools.islice(speech.stream(), SPEED_SIZE)), repeat=3)
    indexed = best_of(lambda: speech.take(SPEED_SIZE), repeat=3)
    return [("training speech: seconds per utterance, stream/indexed", streamed / SPEED_SIZE, indexed / SPEED_SIZE, 0.75)]


def test_sets() -> dict[str, list]:
    """The two test sets of unheard voices: ``"in-grammar"`` and ``"connected"``
    (:class:`asrlab.data.Utterance` lists, the same whatever the training seed)."""
    from asrlab.data import CONNECTED, SyntheticSpeech

    return {
        "in-grammar": SyntheticSpeech("test", seed=1).take(TEST_SIZE),
        "connected": SyntheticSpeech("test", seed=2, **CONNECTED).take(TEST_SIZE),
    }


def measure(
    *, minutes: float, threads: int, seed: int, device: str = "cpu", epochs: int | None = None, **options: object,
) -> list[tuple[str, object, object, float | None]]:
    """The rows of one model, trained with ``seed`` on ``device`` for ``minutes``, or for
    ``epochs`` when given (``options``: other :class:`asrlab.train.TrainConfig` fields, to
    measure a change of recipe)."""
    from asrlab import metrics
    from asrlab.data import vocabulary
    from asrlab.model import TinyCTC, count_parameters, load_checkpoint, transcribe
    from asrlab.train import evaluate, train

    torch.set_num_threads(threads)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "bench.pt")
        result = train(
            minutes=None if epochs else minutes, epochs=epochs, out=out, progress=False, seed=seed, threads=threads,
            device=device, **options,
        )
        model, _ = load_checkpoint(out)
    load_after = os.getloadavg()[0]
    budget = f"{minutes:g} min" if not epochs else f"{epochs} epochs"
    sets = test_sets()
    utterances = sets["in-grammar"]
    test = [(u.audio, u.text) for u in utterances]
    connected = [(u.audio, u.text) for u in sets["connected"]]
    greedy = evaluate(model, test)
    connected_greedy = evaluate(model, connected)
    connected_vocabulary = evaluate(model, connected, beam=8, vocabulary=vocabulary())
    by_variant: dict[str, tuple[list[str], list[str]]] = {}
    for u, ref, hyp in zip(utterances, greedy["references"], greedy["hypotheses"]):
        refs, hyps = by_variant.setdefault(u.voice.partition("+")[2] or "(accent only)", ([], []))
        refs.append(ref)
        hyps.append(hyp)
    variant_cer = {v: metrics.cer(*pair) for v, pair in by_variant.items()}
    worst = max(variant_cer, key=variant_cer.get)
    others = [(r, h) for v, (refs, hyps) in by_variant.items() if v != worst for r, h in zip(refs, hyps)]
    cer_others = metrics.cer([r for r, _ in others], [h for _, h in others])
    second = np.zeros(model.sample_rate, dtype=np.float32)
    long_silence = [(np.concatenate([second, a, second]), t) for a, t in test]
    trimmed = evaluate(model, long_silence)
    kept = TinyCTC(replace(model.config, pad_ms=None))
    kept.load_state_dict(model.state_dict())
    untrimmed = evaluate(kept, long_silence)
    beam = evaluate(model, test[:50], beam=8)
    constrained = evaluate(model, test, beam=8, vocabulary=vocabulary())

    audio = np.concatenate([u for u, _ in test[:3]])
    seconds = best_of(lambda: transcribe(model, audio), repeat=5)
    duration = len(audio) / model.sample_rate
    return [
        ("tiny CTC: parameters", f"{count_parameters(model):,}", None, None),
        (f"tiny CTC: steps in {result.seconds / 60:.1f} min ({_where(device, threads)}, seed {seed})", f"{result.steps}", None, None),
        (f"CPU load average before/after ({os.cpu_count()} cores)", f"{load_before:.1f}/{load_after:.1f}", None, None),
        (f"tiny CTC: test CER greedy after {budget}", f"{100 * greedy['cer']:.2f}%", None, None),
        (f"tiny CTC: test WER greedy after {budget}", f"{100 * greedy['wer']:.2f}%", None, None),
        (f"  worst test voice: {worst} ({len(by_variant[worst][0])} utt.)", f"{100 * variant_cer[worst]:.1f}%", None, None),
        (f"  test CER of the other {len(by_variant) - 1} voices", f"{100 * cer_others:.2f}%", None, None),
        (f"connected out-of-grammar: CER greedy after {budget}", f"{100 * connected_greedy['cer']:.2f}%", None, None),
        (f"connected out-of-grammar: WER greedy after {budget}", f"{100 * connected_greedy['wer']:.2f}%", None, None),
        ("connected: CER beam 8 + corpus vocabulary", f"{100 * connected_vocabulary['cer']:.2f}%", None, None),
        ("connected: WER beam 8 + corpus vocabulary", f"{100 * connected_vocabulary['wer']:.2f}%", None, None),
        ("  test CER greedy, 1 s more silence each side", f"{100 * trimmed['cer']:.2f}%", None, None),
        ("  the same, silence not cut to pad_ms", f"{100 * untrimmed['cer']:.2f}%", None, None),
        ("tiny CTC: test CER beam 8 (50 utt.)", f"{100 * beam['cer']:.2f}%", None, None),
        ("tiny CTC: test CER beam 8 + corpus vocabulary", f"{100 * constrained['cer']:.2f}%", None, None),
        ("tiny CTC: test WER beam 8 + corpus vocabulary", f"{100 * constrained['wer']:.2f}%", None, None),
        ("tiny CTC: val CER of the best epoch", f"{100 * result.best_cer:.2f}%", None, None),
        (f"transcribe RTF ({duration:.1f} s of audio)", seconds, duration, 0.05),
    ]


def _where(device: str, threads: int) -> str:
    """``"1 thread"`` on the CPU, else the device that trained, e.g. ``"cuda: NVIDIA H100"``."""
    from asrlab.model import pick_device

    picked = pick_device(device)
    if picked.type == "cpu":
        return f"{threads} thread{'s' * (threads != 1)}"
    if picked.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(picked)}"
    return picked.type
