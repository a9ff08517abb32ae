"""Loaders for published speech corpora, each giving the course's manifest entries.

Each loader reads a corpus already on disk, in the layout it is published in, and
returns :class:`~asrlab.data.manifest.ManifestEntry` items (absolute audio paths,
normalised transcripts); pass ``manifest=`` to also write them as a TSV manifest.
Nothing here downloads unless you call :func:`download` yourself.

=======================  ===================================================  =========
corpus                   layout                                               splits
=======================  ===================================================  =========
Free Spoken Digit (FSDD) ``recordings/<digit>_<speaker>_<index>.wav``        index 0-4 test
Speech Commands          ``<word>/<hash>_nohash_<n>.wav`` + two lists        train/validation/test
LibriSpeech              ``<split>/<spk>/<chapter>/<spk>-<chapter>.trans.txt``  by folder
LJSpeech                 ``metadata.csv`` (``id|text|normalised``) + ``wavs/``  one speaker
=======================  ===================================================  =========

Lessons: 06 Recognising isolated words; 11 Speech recognition in the real world.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import urllib.request
from pathlib import Path

from asrlab._validate import check_choice
from asrlab.data.manifest import ManifestEntry, normalize_transcript, write_manifest

__all__ = ["load_fsdd", "load_speech_commands", "load_librispeech", "load_ljspeech", "download", "sha256sum"]

_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _folder(root: str | os.PathLike[str], *, name: str = "root") -> Path:
    folder = Path(root)
    if not folder.is_dir():
        raise FileNotFoundError(f"{name}: expected an existing corpus folder, got '{folder}'")
    return folder.resolve()


def _finish(entries: list[ManifestEntry], manifest: str | os.PathLike[str] | None, what: str) -> list[ManifestEntry]:
    if not entries:
        raise ValueError(f"root: found no {what}; is this the right folder?")
    entries.sort(key=lambda e: str(e.path))
    if manifest is not None:
        write_manifest(manifest, entries)
    return entries


def load_fsdd(
    root: str | os.PathLike[str],
    *,
    split: str | None = None,
    manifest: str | os.PathLike[str] | None = None,
) -> list[ManifestEntry]:
    """The Free Spoken Digit Dataset: 8 kHz WAV recordings of the digits 0 to 9.

    Args:
        root: The dataset folder, holding ``recordings/`` (or ``recordings/`` itself).
        split: ``None`` (all), ``"train"`` or ``"test"``: the dataset's own split puts
            recordings with index 0 to 4 in test and the rest in train.
        manifest: When given, also write the entries to this TSV.

    Returns:
        Entries whose transcript is the digit's word (``"seven"``), sorted by path.

    Lesson: 06 Recognising isolated words; 11 Speech recognition in the real world.
    """
    if split is not None:
        check_choice(split, name="split", choices=("train", "test"))
    folder = _folder(root)
    recordings = folder / "recordings" if (folder / "recordings").is_dir() else folder
    pattern = re.compile(r"^(\d)_([A-Za-z0-9]+)_(\d+)\.wav$")
    entries = []
    for wav in recordings.glob("*.wav"):
        match = pattern.match(wav.name)
        if not match:
            continue
        digit, _speaker, index = match.groups()
        part = "test" if int(index) < 5 else "train"
        if split is None or split == part:
            entries.append(ManifestEntry(wav, _DIGIT_WORDS[int(digit)]))
    return _finish(entries, manifest, "FSDD recordings named <digit>_<speaker>_<index>.wav")


def load_speech_commands(
    root: str | os.PathLike[str],
    *,
    split: str = "train",
    manifest: str | os.PathLike[str] | None = None,
) -> list[ManifestEntry]:
    """Google Speech Commands: one-second 16 kHz WAV clips of single words.

    Files in ``validation_list.txt`` form the validation split, those in
    ``testing_list.txt`` the test split, and every other clip the training split (the
    published convention).  ``_background_noise_`` is not a word and is skipped.

    Args:
        root: The folder holding the ``<word>/`` folders and the two lists.
        split: ``"train"`` (default), ``"validation"`` or ``"test"``.
        manifest: When given, also write the entries to this TSV.

    Returns:
        Entries whose transcript is the folder's word, sorted by path.

    Lesson: 06 Recognising isolated words.
    """
    check_choice(split, name="split", choices=("train", "validation", "test"))
    folder = _folder(root)
    lists = {}
    for part, name in (("validation", "validation_list.txt"), ("test", "testing_list.txt")):
        file = folder / name
        if not file.is_file():
            raise FileNotFoundError(f"root: expected '{name}' in the Speech Commands folder '{folder}'")
        lists[part] = {line.strip() for line in file.read_text().splitlines() if line.strip()}
    pattern = re.compile(r"^[0-9a-f]+_nohash_\d+\.wav$")
    entries = []
    for wav in folder.glob("*/*.wav"):
        word = wav.parent.name
        if word.startswith("_") or not pattern.match(wav.name):
            continue
        rel = f"{word}/{wav.name}"
        part = "validation" if rel in lists["validation"] else "test" if rel in lists["test"] else "train"
        if part == split:
            entries.append(ManifestEntry(wav, normalize_transcript(word)))
    return _finish(entries, manifest, f"Speech Commands clips <word>/<hash>_nohash_<n>.wav in the {split} split")


def load_librispeech(
    root: str | os.PathLike[str],
    *,
    split: str = "dev-clean",
    manifest: str | os.PathLike[str] | None = None,
) -> list[ManifestEntry]:
    """LibriSpeech: read English audiobooks, 16 kHz FLAC with chapter transcripts.

    Args:
        root: The ``LibriSpeech`` folder that holds the split folders (or its parent).
        split: A split folder name such as ``"dev-clean"`` (default), ``"test-clean"``
            or ``"train-clean-100"``.
        manifest: When given, also write the entries to this TSV.

    Returns:
        Entries with lower-cased transcripts, sorted by path.

    Raises:
        ValueError: a transcript line whose audio file is missing, with file and line.

    Lesson: 11 Speech recognition in the real world.
    """
    folder = _folder(root)
    if not (folder / split).is_dir() and (folder / "LibriSpeech" / split).is_dir():
        folder = folder / "LibriSpeech"
    base = folder / split
    if not base.is_dir():
        raise FileNotFoundError(f"split: expected a folder '{split}' in '{folder}'")
    entries = []
    for trans in base.glob("*/*/*.trans.txt"):
        for number, line in enumerate(trans.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            utt_id, _, text = line.partition(" ")
            audio = trans.parent / f"{utt_id}.flac"
            if not audio.is_file():
                raise ValueError(f"{trans}:{number}: audio file not found: '{audio}'")
            entries.append(ManifestEntry(audio, normalize_transcript(text)))
    return _finish(entries, manifest, f"LibriSpeech transcripts <spk>/<chapter>/<spk>-<chapter>.trans.txt under '{base}'")


def load_ljspeech(
    root: str | os.PathLike[str],
    *,
    manifest: str | os.PathLike[str] | None = None,
) -> list[ManifestEntry]:
    """LJSpeech: one speaker reading non-fiction, 22.05 kHz WAV.

    ``metadata.csv`` has ``id|transcription|normalized transcription`` lines (numbers
    spelled out in the third field, which is the one used); audio is ``wavs/<id>.wav``.

    Args:
        root: The ``LJSpeech-1.1`` folder.
        manifest: When given, also write the entries to this TSV.

    Lesson: 11 Speech recognition in the real world.
    """
    folder = _folder(root)
    meta = folder / "metadata.csv"
    if not meta.is_file():
        raise FileNotFoundError(f"root: expected 'metadata.csv' in the LJSpeech folder '{folder}'")
    entries = []
    for number, line in enumerate(meta.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) < 2:
            raise ValueError(f"{meta}:{number}: expected 'id|transcription|normalized', got {line[:60]!r}")
        text = fields[2] if len(fields) > 2 and fields[2].strip() else fields[1]
        audio = folder / "wavs" / f"{fields[0]}.wav"
        if not audio.is_file():
            raise ValueError(f"{meta}:{number}: audio file not found: '{audio}'")
        entries.append(ManifestEntry(audio, normalize_transcript(text)))
    return _finish(entries, manifest, "LJSpeech entries in metadata.csv")


def sha256sum(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 digest of a file, read in 1 MiB blocks.

    Lesson: 11 Speech recognition in the real world.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(
    url: str,
    dest: str | os.PathLike[str],
    *,
    sha256: str,
    progress: bool = True,
) -> Path:
    """Download ``url`` to ``dest`` and verify its SHA-256; only when you call it.

    The data goes to a temporary file next to ``dest`` first; ``dest`` appears only
    when the checksum matches.  An existing ``dest`` with the right checksum is kept
    without downloading again.

    Args:
        url: Where the archive is published.
        dest: File to create.
        sha256: The expected hex digest (64 characters), from the corpus's publisher.
        progress: Show a tqdm progress bar (default True).

    Raises:
        ValueError: a malformed ``sha256``, or the downloaded bytes do not match it.

    Lesson: 11 Speech recognition in the real world.
    """
    from tqdm.auto import tqdm

    if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise ValueError(f"sha256: expected 64 hexadecimal characters, got {sha256!r}")
    target = Path(dest)
    if target.is_file() and sha256sum(target) == sha256.lower():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url) as response, os.fdopen(fd, "wb") as out:  # noqa: S310
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name, disable=not progress) as bar:
                for block in iter(lambda: response.read(1 << 16), b""):
                    out.write(block)
                    digest.update(block)
                    bar.update(len(block))
        if digest.hexdigest() != sha256.lower():
            raise ValueError(
                f"sha256: expected {sha256.lower()} for '{url}', got {digest.hexdigest()}; the file was not kept"
            )
        shutil.move(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
    return target
