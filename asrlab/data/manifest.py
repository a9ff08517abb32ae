"""The one manifest format of the course: a TSV file of ``path<TAB>transcript`` lines.

Paths are relative to the manifest's folder (absolute paths are allowed); transcripts
are normalised to lower-case letters, apostrophes and single spaces, the characters the
model spells with.  Blank lines and lines starting with ``#`` are ignored.

Lesson: 10 Train a tiny CTC speech recogniser.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from asrlab._validate import check_nonnegative_int, check_positive_int, check_sr

__all__ = [
    "ManifestEntry",
    "Manifest",
    "ManifestError",
    "normalize_transcript",
    "read_manifest",
    "write_manifest",
    "write_corpus",
]

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def normalize_transcript(text: str) -> str:
    """Transcript text in the model's characters: ``a``-``z``, ``'`` and single spaces.

    Lower-cases, folds accents (``"café"`` -> ``"cafe"``), turns the typographic
    apostrophe into ``'``, spells single digits as words (``"7"`` -> ``"seven"``), and
    replaces every other character by a space.

    Args:
        text: Any transcript, e.g. ``"Turn the LIGHT on!"``.

    Returns:
        The normalised transcript, e.g. ``"turn the light on"`` (possibly empty).

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected a string, got {type(text).__name__} {text!r}"[:120])
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"\d", lambda m: f" {_NUMBER_WORDS[int(m.group())]} ", text)
    text = re.sub(r"[^a-z']+", " ", text)
    text = re.sub(r"(?<![a-z])'|'(?![a-z])", " ", text)  # quotes, not apostrophes
    return " ".join(text.split())


@dataclass(frozen=True)
class ManifestEntry:
    """One line of a manifest: the audio file, its transcript and the line number.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    path: Path
    text: str
    line: int = 0


class Manifest(list):
    """The good entries of a manifest (a ``list`` of :class:`ManifestEntry`), with
    ``problems``: one message per bad line, ``"FILE:LINE: what is wrong"``.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    def __init__(self, entries: Iterable[ManifestEntry] = (), problems: Iterable[str] = ()) -> None:
        super().__init__(entries)
        self.problems: list[str] = list(problems)


class ManifestError(ValueError):
    """A manifest with bad lines; ``problems`` lists every one of them.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more bad line(s))" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


def read_manifest(
    path: str | os.PathLike[str], *, skip_bad: bool = False, check_files: bool = True
) -> Manifest:
    """Read a ``path<TAB>transcript`` manifest.

    Args:
        path: The TSV file.
        skip_bad: When False (default) any bad line raises :class:`ManifestError`; when
            True bad lines are left out and described in the result's ``problems``.
        check_files: Report lines whose audio file does not exist (default True).

    Returns:
        A :class:`Manifest`: a list of :class:`ManifestEntry` (absolute paths, normalised
        transcripts) with a ``problems`` list.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ManifestError: a bad line and ``skip_bad`` is False.  A line is bad when it does
            not have exactly two tab-separated fields, the path is empty, the transcript
            is empty after normalisation, or the audio file is missing.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"path: expected an existing manifest file, got '{file}'")
    root = file.resolve().parent
    entries: list[ManifestEntry] = []
    problems: list[str] = []
    with open(file, encoding="utf-8", errors="replace") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = line.split("\t")
            where = f"{file}:{number}"
            if len(fields) != 2:
                problems.append(
                    f"{where}: expected 'path<TAB>transcript' (2 fields), got {len(fields)} field(s): {line[:60]!r}"
                )
                continue
            audio, text = fields[0].strip(), normalize_transcript(fields[1])
            if not audio:
                problems.append(f"{where}: expected an audio path before the tab, got an empty path")
                continue
            if not text:
                problems.append(f"{where}: expected a transcript with letters, got {fields[1][:60]!r}")
                continue
            audio_path = Path(audio) if os.path.isabs(audio) else root / audio
            if check_files and not audio_path.is_file():
                problems.append(f"{where}: audio file not found: '{audio_path}'")
                continue
            entries.append(ManifestEntry(audio_path, text, number))
    if problems and not skip_bad:
        raise ManifestError(problems)
    return Manifest(entries, problems)


def write_manifest(
    path: str | os.PathLike[str], entries: Iterable[ManifestEntry | tuple[str | os.PathLike[str], str]]
) -> Path:
    """Write entries (or ``(path, transcript)`` pairs) as a manifest.

    Paths inside the manifest's folder are written relative to it, so the folder can be
    moved; transcripts are normalised with :func:`normalize_transcript`.

    Returns:
        The manifest path.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    root = file.resolve().parent
    lines = []
    for item in entries:
        audio, text = (item.path, item.text) if isinstance(item, ManifestEntry) else item
        audio = Path(audio).resolve()
        try:
            shown = audio.relative_to(root).as_posix()
        except ValueError:
            shown = str(audio)
        clean = normalize_transcript(text)
        if "\t" in shown or "\n" in shown:
            raise ValueError(f"entries: expected paths without tabs or newlines, got '{shown}'")
        if not clean:
            raise ValueError(f"entries: expected a transcript with letters for '{shown}', got {text!r}")
        lines.append(f"{shown}\t{clean}\n")
    file.write_text("".join(lines), encoding="utf-8")
    return file


def write_corpus(
    out_dir: str | os.PathLike[str],
    *,
    n: int,
    seed: int = 0,
    split: str = "train",
    sr: int = 16000,
    progress: bool = True,
    **speech_options: object,
) -> Path:
    """Synthesise ``n`` utterances to FLAC files plus ``manifest.tsv`` in ``out_dir``.

    The files are ``out_dir/audio/000000.flac`` ... (16-bit FLAC); the manifest lists
    them with their transcripts.  Same arguments, same corpus.

    Args:
        out_dir: Folder to create or fill.
        n: Number of utterances.
        seed: Seed of the synthetic stream (default 0).
        split: Which voices speak: ``"train"`` (default), ``"validation"`` or ``"test"``.
        sr: Sample rate in Hz (default 16000).
        progress: Show a tqdm progress bar (default True).
        **speech_options: Passed to :class:`asrlab.data.SyntheticSpeech` (``rate=``,
            ``pitch=``, ``silence_ms=``, ``lowpass_hz=``...).

    Returns:
        The path of the manifest.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    import soundfile as sf
    from tqdm.auto import tqdm

    from asrlab.data.synthetic import SyntheticSpeech

    n = check_positive_int(n, name="n")
    seed = check_nonnegative_int(seed, name="seed")
    sr = check_sr(sr)
    speech = SyntheticSpeech(split, seed=seed, sr=sr, **speech_options)  # type: ignore[arg-type]
    root = Path(out_dir)
    for folder in (root, root / "audio"):
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(f"out_dir: expected a folder to create or fill, got '{root}' ('{folder}' is a file)")
    (root / "audio").mkdir(parents=True, exist_ok=True)
    width = max(6, len(str(n - 1)))
    rows = []
    for i in tqdm(range(n), desc=f"synthesising {split}", unit="utt", disable=not progress):
        utt = speech[i]
        audio = root / "audio" / f"{i:0{width}d}.flac"
        pcm = np.clip(np.round(utt.audio * 32768.0), -32768, 32767).astype(np.int16)
        sf.write(audio, pcm, sr, format="FLAC", subtype="PCM_16")
        rows.append((audio, utt.text))
    return write_manifest(root / "manifest.tsv", rows)
