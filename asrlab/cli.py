"""The ``asrlab`` command: make a corpus, train, transcribe, evaluate.

::

    asrlab corpus OUT --n 500 --seed 0            # synthetic FLAC + OUT/manifest.tsv
    asrlab train --minutes 3 --out model.pt        # on the endless synthetic stream
    asrlab train --minutes 3 --out model.pt --data OUT/manifest.tsv
    asrlab train --telephone --out digits.pt       # for 8 kHz recordings; 10 minutes
    asrlab transcribe model.pt a.wav b.flac [--beam 8] [--vocabulary digits]
    asrlab evaluate model.pt --manifest test.tsv   # prints CER and WER (as jiwer)
    asrlab evaluate model.pt --manifest test.tsv --vocabulary course   # only the corpus's words
    asrlab adapt model.pt --data my-voice.tsv --out mine.pt   # fine-tune on a few takes

A bad file or a bad manifest line gets one line on standard error and the others are
still processed; the exit status is 1 when anything failed, 2 for a usage error.

Lesson: 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from asrlab.model import ModelConfig

__all__ = ["main", "build_parser", "train_settings", "vocabulary_words"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _decay(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a decay from 0 (no averaging) to below 1, got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a decay from 0 (no averaging) to below 1, got {text!r}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 1, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 1, got {text!r}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 0.9, got {text!r}") from None
    if not 0 <= value <= 0.9:
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 0.9, got {text!r}")
    return value


_VOCABULARY_OPTION: dict[str, Any] = dict(
    metavar="WORDS", default=None,
    help="only output these words: 'course' (the synthetic corpus's words), 'digits', or a text file of words; "
    "beam search (width --beam, default 8)",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``asrlab`` command (its sub-commands and options).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    parser = argparse.ArgumentParser(
        prog="asrlab",
        description="Speech Recognition from Scratch: make a speech corpus, train the tiny CTC "
        "recogniser, transcribe audio and measure CER/WER.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("corpus", help="synthesise a speech corpus (FLAC + manifest.tsv)")
    p.add_argument("out", metavar="OUT", help="folder to write audio/ and manifest.tsv into")
    p.add_argument("--n", type=_positive_int, required=True, help="number of utterances")
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="seed (default 0)")
    p.add_argument("--split", choices=("train", "validation", "test"), default="train",
                   help="whose voices speak (default train; the splits share no voice)")
    p.add_argument("--sr", type=_positive_int, default=16000, help="sample rate in Hz (default 16000)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("train", help="train the tiny CTC model")
    p.add_argument("--minutes", type=_positive_float, default=None, help="wall-clock budget in minutes (default 3; 10 with --telephone)")
    p.add_argument("--epochs", type=_positive_int, default=None, help="epoch budget (stops at the first budget reached)")
    p.add_argument("--out", required=True, metavar="MODEL.pt", help="checkpoint file to write (the best model)")
    p.add_argument("--data", metavar="MANIFEST", help="training manifest (default: the synthetic stream)")
    p.add_argument("--val", metavar="MANIFEST", help="validation manifest (default: held-out voices or 10%% of --data)")
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="seed (default 0)")
    p.add_argument("--device", default="auto", help="auto (default: CUDA, then MPS, then CPU), cpu, cuda or mps")
    p.add_argument("--batch-size", type=_positive_int, default=None, help="utterances per batch")
    p.add_argument("--lr", type=_positive_float, default=None, help="peak learning rate")
    p.add_argument("--threads", type=_positive_int, default=None, help="CPU threads for torch (default 1)")
    p.add_argument("--workers", type=_nonnegative_int, default=None, help="data worker processes (default 1)")
    p.add_argument("--epoch-size", type=_positive_int, default=None, help="synthetic utterances per epoch")
    p.add_argument("--val-size", type=_positive_int, default=None, help="synthetic validation utterances")
    p.add_argument("--patience", type=_positive_int, default=None, help="early stopping patience in epochs")
    p.add_argument("--ema-decay", type=_decay, default=None, metavar="DECAY",
                   help="keep a moving average of the weights whose decay per step grows to this "
                        "(default 0.998, reached after about 4,500 steps; 0: off)")
    p.add_argument("--fmax", type=_positive_float, default=None, help="highest mel frequency in Hz (4000 for 8 kHz audio)")
    p.add_argument("--n-mels", type=_positive_int, default=None, help="mel bands of the model (default 32)")
    p.add_argument("--lowpass-hz", type=_positive_float, default=None, help="low-pass the synthetic training audio")
    p.add_argument("--spec-augment", action="store_true", help="SpecAugment masks on training features")
    p.add_argument("--top-db", type=_positive_float, default=None,
                   help="floor the features this many dB below the loudest (real recordings: 60)")
    p.add_argument("--pause-share", type=_fraction, default=None, metavar="SHARE",
                   help="share of the synthetic training utterances with pauses between their words "
                   "(default 0.5; the others run their words together, as people speak)")
    p.add_argument("--random-order", type=_fraction, default=None, metavar="SHARE",
                   help="share of the synthetic training transcripts that are course words in random order "
                   "(default 0.7; the others follow the phrase grammar)")
    p.add_argument("--generated-voices", type=_nonnegative_int, default=None,
                   help="generated speakers added to the synthetic training voices (default 100)")
    p.add_argument("--flite-share", type=_share, default=None, metavar="SHARE",
                   help="share of the synthetic training speech spoken by Flite's voices (needs the "
                   "system's Flite library, e.g. apt install libflite1; default 0)")
    p.add_argument("--bank-share", type=_share, default=None, metavar="SHARE",
                   help="share of the synthetic training speech drawn from the banks of the slow voices "
                   "closest to real people (Piper's, Flite's awb, rms and slt; rendered once into a "
                   "cache; default 0)")
    p.add_argument("--telephone", action="store_true",
                   help="a model for 8 kHz recordings such as spoken-digit corpora: the synthetic audio "
                   "and 80 mel bands stop at 4 kHz, features floored 60 dB below the peak, silence "
                   "around the words from 0 ms, 40%% of it from the banks of Piper's joe and "
                   "Flite's awb, rms and slt, 35%% of the rest spoken by Flite's kal voice, and 10 "
                   "minutes of training (each can still be set by its own option).  Piper (the voices "
                   "extra) and Flite (the system's libflite1) are optional: without them it says so "
                   "and trains on the voices there are, which gets fewer real recordings right")
    p.add_argument("--plot", metavar="PNG", help="save the training curves to this image")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("transcribe", help="transcribe audio files")
    p.add_argument("model", metavar="MODEL.pt", help="checkpoint written by 'asrlab train'")
    p.add_argument("files", metavar="FILE", nargs="+", help="audio files (any rate, any channels)")
    p.add_argument("--beam", type=_positive_int, default=None, help="beam width (default: greedy decoding)")
    p.add_argument("--vocabulary", **_VOCABULARY_OPTION)

    p = sub.add_parser("evaluate", help="CER and WER of a model on a manifest")
    p.add_argument("model", metavar="MODEL.pt", help="checkpoint written by 'asrlab train'")
    p.add_argument("--manifest", required=True, metavar="TSV", help="path<TAB>transcript manifest")
    p.add_argument("--beam", type=_positive_int, default=None, help="beam width (default: greedy decoding)")
    p.add_argument("--vocabulary", **_VOCABULARY_OPTION)
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("adapt", help="fine-tune a model on a few recordings of one speaker")
    p.add_argument("model", metavar="MODEL.pt", help="checkpoint written by 'asrlab train'")
    p.add_argument("--data", required=True, metavar="MANIFEST",
                   help="path<TAB>transcript manifest of the speaker's takes (e.g. three of each word)")
    p.add_argument("--out", required=True, metavar="ADAPTED.pt", help="checkpoint file to write")
    p.add_argument("--minutes", type=_positive_float, default=None,
                   help="fine-tuning budget in minutes (default 2)")
    p.add_argument("--steps", type=_positive_int, default=None, help="step budget instead of (or as well as) minutes")
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="seed (default 0)")
    p.add_argument("--threads", type=_positive_int, default=None, help="CPU threads for torch (default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _error(command: str, message: str) -> None:
    print(f"asrlab {command}: {message}", file=sys.stderr)


def _corpus(args: argparse.Namespace) -> int:
    from asrlab.data import write_corpus

    manifest = write_corpus(args.out, n=args.n, seed=args.seed, split=args.split, sr=args.sr, progress=not args.quiet)
    print(f"wrote {args.n} utterances and {manifest}")
    return 0


def train_settings(args: argparse.Namespace) -> tuple[dict[str, Any], ModelConfig]:
    """The :func:`asrlab.train.train` options and the model configuration that the
    ``asrlab train`` arguments ask for (``--telephone`` fills in what the other options
    leave unset).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from asrlab.model import ModelConfig
    from asrlab.train import TELEPHONE_MODEL, TELEPHONE_OPTIONS

    names = (
        "batch_size", "lr", "threads", "workers", "epoch_size", "val_size", "patience", "ema_decay",
        "lowpass_hz", "generated_voices", "pause_share", "random_order", "flite_share", "bank_share",
    )
    options = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    fields = {k: v for k, v in (("fmax", args.fmax), ("top_db", args.top_db), ("n_mels", args.n_mels)) if v is not None}
    if args.telephone:  # the preset fills in only what the other options leave unset
        options = {**TELEPHONE_OPTIONS, **options}
        fields = {**TELEPHONE_MODEL, **fields}
    return options, ModelConfig(**fields)


def _train(args: argparse.Namespace) -> int:
    from asrlab.train import TELEPHONE_MINUTES, TrainConfig, train, without_missing_engines

    minutes = args.minutes
    if minutes is None and args.epochs is None:  # no budget asked for: the recipe's own
        minutes = TELEPHONE_MINUTES if args.telephone else TrainConfig.minutes
    options, model_config = train_settings(args)
    asked = [engine for engine in ("flite", "bank") if getattr(args, f"{engine}_share") is not None]
    options, notes = without_missing_engines(options, asked=asked)
    for note in notes:
        _error("train", note)
    for path, flag in ((args.data, "--data"), (args.val, "--val")):
        if path is not None and not Path(path).is_file():
            _error("train", f"{flag}: no such manifest file: '{path}'")
            return 1
    result = train(
        minutes=minutes, epochs=args.epochs, out=args.out, data=args.data, val_data=args.val,
        model_config=model_config, plot=args.plot, progress=not args.quiet, seed=args.seed,
        device=args.device, spec_augment=args.spec_augment, **options,
    )
    for problem in result.problems:
        _error("train", problem)
    print(
        f"best validation CER {result.best_cer:.4f}, WER {result.best_wer:.4f} at epoch {result.best_epoch} "
        f"({result.steps} steps, {result.seconds:.0f} s); saved {result.checkpoint}"
    )
    return 1 if result.problems else 0


def _load(command: str, path: str):  # noqa: ANN202 - TinyCTC, imported lazily
    from asrlab.model import load_checkpoint

    try:
        return load_checkpoint(path)[0]
    except (OSError, ValueError) as exc:
        _error(command, f"{path}: {exc}")
        return None


def vocabulary_words(spec: str) -> list[str]:
    """The words that ``--vocabulary`` names: ``"course"`` (every word of the synthetic
    corpus, :func:`asrlab.data.vocabulary`), ``"digits"`` (:data:`asrlab.data.DIGITS`), or
    the path of a UTF-8 text file of words separated by white space (lines starting with
    ``#`` are comments).

    Raises:
        ValueError: neither a name nor a readable file, a file without words, or a word
            the model cannot spell.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    from asrlab.data import DIGITS, vocabulary
    from asrlab.model import vocabulary_decoder

    if spec == "course":
        return vocabulary()
    if spec == "digits":
        return list(DIGITS)
    path = Path(spec)
    if not path.is_file():
        raise ValueError(f"--vocabulary: expected 'course', 'digits' or a file of words, got '{spec}' (no such file)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"--vocabulary: {spec}: not a UTF-8 text file of words") from None
    words = list(dict.fromkeys(
        w for line in text.splitlines() if not line.lstrip().startswith("#") for w in line.split()
    ))
    if not words:
        raise ValueError(f"--vocabulary: {spec}: no words in the file")
    try:
        vocabulary_decoder(words)
    except ValueError as exc:
        raise ValueError(f"--vocabulary: {spec}: {str(exc).removeprefix('vocabulary: ')}") from None
    return words


def _transcribe(args: argparse.Namespace) -> int:
    from asrlab.model import transcribe, vocabulary_decoder

    model = _load("transcribe", args.model)
    if model is None:
        return 1
    lm = None if args.vocabulary is None else vocabulary_decoder(vocabulary_words(args.vocabulary))
    failed = 0
    for file in args.files:
        try:
            text = transcribe(model, file, beam=args.beam, vocabulary=lm)
        except (OSError, ValueError) as exc:
            _error("transcribe", f"{file}: {exc}")
            failed += 1
            continue
        print(f"{file}\t{text}", flush=True)
    return 1 if failed else 0


def _evaluate(args: argparse.Namespace) -> int:
    from asrlab.data import read_manifest
    from asrlab.train import evaluate, load_manifest_audio

    model = _load("evaluate", args.model)
    if model is None:
        return 1
    words = None if args.vocabulary is None else vocabulary_words(args.vocabulary)
    try:
        entries = read_manifest(args.manifest, skip_bad=True)
    except (OSError, ValueError) as exc:
        _error("evaluate", str(exc))
        return 1
    problems = list(entries.problems)
    examples, bad = load_manifest_audio(entries, sr=model.sample_rate, progress=not args.quiet)
    problems += bad
    for problem in problems:
        _error("evaluate", problem)
    if not examples:
        _error("evaluate", f"{args.manifest}: no readable utterances to evaluate")
        return 1
    result = evaluate(model, examples, beam=args.beam, vocabulary=words)
    print(f"CER {result['cer']:.6f}")
    print(f"WER {result['wer']:.6f}")
    print(f"utterances {result['n']}")
    return 1 if problems else 0


def _adapt(args: argparse.Namespace) -> int:
    from asrlab.adapt import DEFAULT_MINUTES, adapt
    from asrlab.data import read_manifest
    from asrlab.train import load_manifest_audio

    model = _load("adapt", args.model)
    if model is None:
        return 1
    entries = read_manifest(args.data, skip_bad=True)
    problems = list(entries.problems)
    examples, bad = load_manifest_audio(entries, sr=model.sample_rate, progress=False)
    problems += bad
    for problem in problems:
        _error("adapt", problem)
    if not examples:
        _error("adapt", f"{args.data}: no readable takes to adapt on")
        return 1
    options: dict[str, Any] = {"seed": args.seed}
    if args.steps is not None:
        options["steps"] = args.steps
        options["minutes"] = args.minutes  # None: the steps alone
    else:
        options["minutes"] = DEFAULT_MINUTES if args.minutes is None else args.minutes
    if args.threads is not None:
        options["threads"] = args.threads
    result = adapt(model, examples, out=args.out, progress=not args.quiet, **options)
    print(f"adapted on {len(examples)} takes: {result.steps} steps in {result.seconds:.0f} s; saved {result.path}")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``asrlab`` command with ``argv`` (default ``sys.argv[1:]``); returns the exit status.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    args = build_parser().parse_args(argv)
    handlers = {"corpus": _corpus, "train": _train, "transcribe": _transcribe, "evaluate": _evaluate, "adapt": _adapt}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        _error(args.command, "interrupted")
        return 130
    except (OSError, ValueError, RuntimeError) as exc:
        _error(args.command, str(exc))
        return 1


if __name__ == "__main__":
    sys.exit(main())
