"""Offline English speech from espeak-ng, synthesised in-process.

The course needs real speech without downloads: ``synthesize("turn the light on")``
returns a float32 waveform at 16 kHz, spoken by one of many English voices.  The engine is
the espeak-ng library bundled by the ``espeakng-loader`` package, called through
``ctypes`` (no system package, no subprocess, no network).

Determinism.  espeak-ng keeps hidden state between utterances (a pitch-flutter phase,
a cycle counter, the echo buffer and two random-number generators), so the same call
made twice in one engine does not give identical samples.  Every call therefore loads a
private copy of the library, initialises it, seeds both generators, speaks, and unloads
it again: about 5 ms of overhead, and the same arguments always give the same samples,
in any process, in any order.  A lock serialises the calls because the engine is global
state.  :class:`KeptEngine` keeps one engine loaded for a run of utterances instead,
about twice as fast, for the synthetic training stream, whose utterances need only be
reproducible as a sequence.

Lessons: 01 Sound is a list of numbers (and every later lesson that needs speech).
"""

from __future__ import annotations

import _ctypes
import atexit
import ctypes
import functools
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass

import numpy as np

from asrlab._validate import check_sr

__all__ = ["synthesize", "KeptEngine", "voices", "NATIVE_SR", "base_voices", "variants", "generated_variant"]

#: Sample rate (Hz) at which espeak-ng produces audio; ``synthesize`` resamples from it.
NATIVE_SR = 22050

# espeak_AUDIO_OUTPUT / espeak_PARAMETER / flags / positions (speak_lib.h).
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_RATE, _PITCH, _WORDGAP = 1, 3, 7
_CHARS_UTF8 = 1
_POS_CHARACTER = 1

# English voices whose text rules read Latin script (the Shavian-alphabet voice does not).
_EXCLUDED_BASES = {"en-shaw"}

#: Held by every call that speaks: espeak-ng is global state, and it and Flite's voices
#: (:mod:`asrlab.data.flite`) both seed and draw from the C library's one random-number
#: generator, so that two engines speaking in two threads at once would change each
#: other's samples.
_LOCK = threading.RLock()
_LIB_COPY: dict[str, str] = {}  # "path" -> this process tree's private copy of the library


def _seed_c_rand() -> None:
    """Seed the C library's ``rand()`` (espeak-ng's breath noise and Flite's statistical
    voices draw from it); call with ``_LOCK`` held, just before speaking."""
    _c_library().srand(1)


@functools.lru_cache(maxsize=1)
def _c_library() -> ctypes.CDLL:
    return ctypes.CDLL(None)


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


@functools.lru_cache(maxsize=1)
def _paths() -> tuple[str, str]:
    """(libespeak-ng, its data folder): looked up once per process (a lookup costs
    about as much as resampling an utterance)."""
    try:
        import espeakng_loader
    except ImportError as exc:  # pragma: no cover - a pinned dependency
        raise RuntimeError(
            "speech synthesis needs the 'espeakng-loader' package (pip install espeakng-loader)"
        ) from exc
    return espeakng_loader.get_library_path(), espeakng_loader.get_data_path()


def _remove_copy(folder: str, owner: int) -> None:
    if os.getpid() == owner:  # a forked child that exits must not remove its parent's copy
        shutil.rmtree(folder, ignore_errors=True)


def _loadable(path: str) -> bool:
    """Whether ``path`` can be loaded as a shared library (and is unloaded again)."""
    try:
        probe = ctypes.CDLL(path, mode=ctypes.RTLD_LOCAL)
    except OSError:
        return False
    _ctypes.dlclose(probe._handle)  # back to zero references: the next load is fresh
    return True


def _memory_copy(lib_path: str) -> str | None:
    """An anonymous in-memory copy of the library, as a ``/proc/self/fd`` path.

    It leaves nothing on disk, even when the process is killed; forked children inherit
    the descriptor.  ``None`` where the system has no memfd or forbids running from one.
    """
    if not hasattr(os, "memfd_create"):
        return None
    try:
        fd = os.memfd_create("libespeak-ng-asrlab")
    except OSError:
        return None
    with open(lib_path, "rb") as src:
        data = src.read()
    os.write(fd, data)
    path = f"/proc/self/fd/{fd}"
    if _loadable(path):
        return path
    os.close(fd)
    return None


def _file_copy(lib_path: str) -> str | None:
    """A copy in a temporary folder that the creating process removes at exit."""
    try:
        folder = tempfile.mkdtemp(prefix="asrlab-espeak-")
    except OSError:
        return None
    atexit.register(_remove_copy, folder, os.getpid())
    copy = os.path.join(folder, "libespeak-ng-asrlab.so")
    try:
        shutil.copyfile(lib_path, copy)
    except OSError:
        return None
    return copy if _loadable(copy) else None  # fails if the folder is noexec


def _private_library() -> str:
    """Path of a copy of libespeak-ng that only this module loads (fresh state per load).

    One copy per process tree (forked children, such as data-loader workers, reuse their
    parent's): in memory where the system allows it, so that nothing is left behind when
    a kernel is killed; else in a temporary folder removed at exit; else the original.
    """
    if "path" not in _LIB_COPY:
        lib_path, _ = _paths()
        _LIB_COPY["path"] = _memory_copy(lib_path) or _file_copy(lib_path) or lib_path
    return _LIB_COPY["path"]


class _Engine:
    """One freshly loaded, initialised espeak-ng; unloaded on exit (use with ``with``).
    ``path``: the copy of the library to load (default: this process tree's private one)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path

    def __enter__(self) -> "_Engine":
        _, data_path = _paths()
        path = self.path or _private_library()
        lib = ctypes.CDLL(path, mode=ctypes.RTLD_LOCAL)
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetVoiceByFile.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByFile.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_ListVoices.argtypes = [ctypes.POINTER(_Voice)]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        self.lib = lib
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), 0)
        if rate != NATIVE_SR:
            self._close()
            raise RuntimeError(f"espeak-ng failed to initialise (returned {rate}) with data at {data_path}")
        self.chunks: list[bytes] = []

        def collect(wav, n, events):  # noqa: ARG001 - signature fixed by espeak-ng
            if wav and n > 0:
                self.chunks.append(ctypes.string_at(wav, 2 * n))
            return 0

        self._callback = _CALLBACK(collect)  # keep a reference while the engine lives
        lib.espeak_SetSynthCallback(self._callback)
        return self

    def _close(self) -> None:
        handle = self.lib._handle
        del self.lib
        _ctypes.dlclose(handle)

    def __exit__(self, *exc: object) -> None:
        self.lib.espeak_Terminate()
        self._close()

    def list_voices(self, languages: bytes | None) -> list[tuple[str, str]]:
        spec = None
        if languages is not None:
            spec = _Voice()
            spec.languages = languages
            spec = ctypes.byref(spec)
        table = self.lib.espeak_ListVoices(spec)
        out = []
        i = 0
        while table[i]:
            v = table[i].contents
            language = v.languages[1:].split(b"\0")[0].decode()
            out.append((language, v.identifier.decode()))
            i += 1
        return out


@functools.lru_cache(maxsize=1)
def _catalogue() -> tuple[dict[str, str], tuple[str, ...]]:
    """(accent name -> the file name espeak-ng loads it by, variant names)."""
    with _LOCK, _Engine() as engine:
        bases = {
            lang: ident.rsplit("/", 1)[-1]
            for lang, ident in engine.list_voices(None)
            if (lang == "en" or lang.startswith("en-")) and lang not in _EXCLUDED_BASES
        }
        names = sorted(
            (ident.split("/", 1)[1] for _, ident in engine.list_voices(b"variant")),
            key=str.lower,
        )
    return dict(sorted(bases.items())), tuple(names)


def base_voices() -> list[str]:
    """The English accents of espeak-ng, e.g. ``["en-029", "en-gb", ..., "en-us"]``.

    Lesson: 01 Sound is a list of numbers.
    """
    return list(_catalogue()[0])


def variants() -> list[str]:
    """The voice variants (speaker characters) that combine with every accent, e.g. ``"f3"``.

    Lesson: 01 Sound is a list of numbers.
    """
    return list(_catalogue()[1])


def voices() -> list[str]:
    """Every English voice name that ``synthesize`` accepts.

    A name is an accent (``"en-us"``, ``"en-gb"``, ``"en-gb-scotland"``, ...) optionally
    followed by ``+variant`` (``"en-us+f3"``, ``"en-gb+m1"``, ``"en-us+klatt4"``, ...):
    all English accents crossed with all the variants in the bundled data, accents alone
    first.  The Shavian-alphabet voice is left out (it does not read Latin script).

    Returns:
        A new list of names, sorted within each accent.

    Lesson: 01 Sound is a list of numbers.
    """
    bases, names = _catalogue()
    return list(bases) + [f"{b}+{v}" for b in bases for v in names]


def _engine_name(name: str) -> str:
    """``"en-gb+f3"`` -> ``"en+f3"``: the accent part as espeak-ng's voice file is called."""
    base, plus, variant = name.partition("+")
    return _catalogue()[0][base] + plus + variant


#: Generated variants are named ``gen0`` to ``gen9999``; see :func:`generated_variant`.
_GENERATED = re.compile(r"^gen(\d{1,4})$")


def generated_variant(number: int) -> str:
    """The espeak-ng variant definition of the generated speaker ``gen<number>``.

    espeak-ng's own variants are a hundred hand-made speakers.  Generated ones add as many
    as wanted, each drawn from a generator seeded by ``number`` alone, over the settings
    that espeak-ng's variants themselves use: formants scaled by 0.85 to 1.45 (a longer or
    shorter vocal tract; the first three each moved by up to 20% more, about as far apart
    as espeak-ng's own variants put them, the others by 10%), their heights and
    bandwidths, the pitch range, how voiced or breathy the voice is (voicing, breath noise
    and its bandwidths, roughness, flutter), and sometimes weaker or stronger
    consonants, an echo, a tilted spectrum (``tone``), another intonation, longer or
    shorter stressed syllables, or the Klatt synthesiser.  Use one as
    ``synthesize(text, voice="en-gb+gen17")``.

    Args:
        number: 0 to 9999.

    Returns:
        The text of a variant file (espeak-ng's ``formant``, ``pitch``, ``voicing``...
        lines); the same number always gives the same text.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """
    if isinstance(number, bool) or not isinstance(number, (int, np.integer)) or not 0 <= number <= 9999:
        raise ValueError(f"number: expected an integer from 0 to 9999, got {number!r}")
    rng = np.random.default_rng([0x617373, int(number)])
    scale = rng.uniform(0.85, 1.45)
    lines = [f"name gen{int(number)}"]
    for k in range(9):
        if k == 0:  # espeak-ng's low "formant 0" is not part of the vocal-tract scale
            freq = rng.uniform(90, 120)
        else:
            freq = 100.0 * scale * rng.uniform(*((0.8, 1.2) if k <= 3 else (0.9, 1.1)))
        lines.append(f"formant {k} {freq:.0f} {rng.uniform(70, 135):.0f} {rng.uniform(60, 160):.0f}")
    low = rng.uniform(60, 230)
    lines.append(f"pitch {low:.0f} {low * rng.uniform(1.2, 1.8):.0f}")
    lines.append(f"voicing {rng.uniform(25, 120):.0f}")  # louder voicing clips espeak-ng's samples
    lines.append(f"roughness {int(rng.integers(0, 6))}")
    lines.append(f"flutter {int(rng.integers(0, 40))}")
    if rng.random() < 0.5:  # unvoiced and voiced consonants, in % of the usual amplitude
        lines.append(f"consonants {rng.uniform(40, 120):.0f} {rng.uniform(20, 120):.0f}")
    if rng.random() < 0.5:  # breath noise in each formant, sometimes with its own bandwidths
        lines.append("breath " + " ".join(str(int(v)) for v in rng.integers(0, 14, size=8)))
        if rng.random() < 0.5:
            lines.append("breathw " + " ".join(f"{v:.0f}" for v in np.sort(rng.uniform(60, 600, size=8))))
    if rng.random() < 0.35:
        lines.append(f"echo {rng.uniform(20, 150):.0f} {rng.uniform(5, 60):.0f}")
    if rng.random() < 0.3:  # three (frequency, amplitude) points of a spectral tilt
        points = zip(np.sort(rng.uniform(100, 4000, size=3)), rng.uniform(40, 255, size=3))
        lines.append("tone " + " ".join(f"{f:.0f} {a:.0f}" for f, a in points))
    if rng.random() < 0.3:
        lines.append(f"intonation {int(rng.integers(1, 5))}")
    if rng.random() < 0.3:  # extra length of each kind of syllable, in ms
        lines.append("stressAdd " + " ".join(str(int(v)) for v in rng.integers(-10, 160, size=8)))
    if rng.random() < 0.2:
        lines.append(f"klatt {int(rng.choice([1, 2, 3, 4, 6]))}")
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=1)
def _accent_files() -> dict[str, str]:
    """Accent name -> path of its voice file in espeak-ng's data."""
    _, data_path = _paths()
    with _LOCK, _Engine() as engine:
        found = {lang: ident for lang, ident in engine.list_voices(None) if lang in _catalogue()[0]}
    return {lang: os.path.join(data_path, "lang", ident) for lang, ident in found.items()}


def _generated_voice(name: str) -> tuple[str, str] | None:
    """``"en-gb+gen17"`` -> (canonical name, voice file text); ``None`` for other names."""
    return _generated_voice_lower(name.lower())


@functools.lru_cache(maxsize=None)
def _generated_voice_lower(name: str) -> tuple[str, str] | None:
    """:func:`_generated_voice` of a lower-case name, read from disk once per voice."""
    base, plus, variant = name.partition("+")
    match = _GENERATED.match(variant) if plus else None
    bases = {b.lower(): b for b in _catalogue()[0]}
    if match is None or base not in bases:
        return None
    accent = bases[base]
    with open(_accent_files()[accent], encoding="utf-8") as f:
        text = f.read()
    number = int(match.group(1))
    return f"{accent}+gen{number}", text + "\n" + generated_variant(number)


def _set_voice_from_text(lib: ctypes.CDLL, text: str) -> int:
    """Load a voice from its file text, through an anonymous in-memory file (nothing on disk)."""
    fd = os.memfd_create("asrlab-voice") if hasattr(os, "memfd_create") else None
    if fd is not None:
        try:
            os.write(fd, text.encode("utf-8"))
            return lib.espeak_SetVoiceByFile(f"/proc/self/fd/{fd}".encode())
        finally:
            os.close(fd)
    with tempfile.NamedTemporaryFile("w", suffix=".voice", delete=False, encoding="utf-8") as f:
        f.write(text)
    try:
        return lib.espeak_SetVoiceByFile(f.name.encode())
    finally:
        os.unlink(f.name)


@functools.lru_cache(maxsize=1)
def _voice_lookup() -> dict[str, str]:
    return {name.lower(): name for name in voices()}


def _check_range(value: object, *, name: str, low: float, high: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number in [{low}, {high}] {unit}, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name}: expected a number in [{low}, {high}] {unit}, got {value!r}")
    return float(value)


def _check_text(text: object) -> str:
    """The text a second engine (Flite, Piper) is asked to speak, checked."""
    if not isinstance(text, str):
        raise TypeError(f"text: expected a string to speak, got {type(text).__name__} {text!r}"[:160])
    if not text.strip() or "\0" in text:
        raise ValueError(f"text: expected some printable words to speak, got {text!r}"[:160])
    return text


def _finish(y: np.ndarray, *, text: str, native_sr: int, sr: int, pad_ms: float) -> np.ndarray:
    """An engine's raw samples -> the returned speech: trimmed to its sound plus exactly
    ``pad_ms`` (the engine's own quiet samples, zeros where it has none; see
    :func:`asrlab.audio.trim_silence`), resampled from ``native_sr`` to ``sr``, clipped."""
    from asrlab.audio import trim_silence

    y = trim_silence(y, sr=native_sr, pad_ms=pad_ms)
    if y.size == 0:
        raise ValueError(f"text: {text[:60]!r} produced no speech (only punctuation or symbols?)")
    if sr != native_sr:
        import soxr

        y = soxr.resample(y, native_sr, sr, quality="HQ").astype(np.float32, copy=False)
    return np.clip(y, -1.0, 1.0)


def synthesize(
    text: str,
    *,
    voice: str = "en-us",
    rate: int = 160,
    pitch: int = 50,
    word_gap_ms: float = 0,
    sr: int = 16000,
    pad_ms: float = 10.0,
) -> np.ndarray:
    """Speak ``text`` with espeak-ng and return the waveform.

    Args:
        text: English text, e.g. ``"go left three"``; digits are read as words.
        voice: A name from :func:`voices` (default ``"en-us"``), e.g. ``"en-gb+f3"``;
            case does not matter.
        rate: Speaking rate in words per minute, 80 to 450 (default 160).
        pitch: Base pitch on espeak's scale 0 to 100 (default 50).
        word_gap_ms: Extra pause between words in ms, 0 to 2000 (default 0).  espeak
            counts it in steps of 10 ms at its default rate of 175 words per minute and
            stretches it at slower rates, so the real pause is approximate.
        sr: Output sample rate in Hz (default 16000); espeak speaks at 22050 Hz and the
            result is resampled with soxr.
        pad_ms: Silence before the first and after the last sound, in ms (default 10).
            espeak's own leading and trailing silence is trimmed first (a 5 ms frame counts
            as sound when its RMS is within 40 dB of the loudest frame), then exactly
            ``pad_ms`` is kept on each side: the engine's own quiet samples, extended with
            zeros where it produced fewer.

    Returns:
        float32 mono samples in [-1, 1], shape ``(n,)``.  The same arguments always give
        identical samples.

    Raises:
        TypeError: ``text`` is not a string, or a numeric argument is not a number.
        ValueError: empty text, an unknown voice, an argument out of range, or text that
            produces no sound (only punctuation, say).

    Lesson: 01 Sound is a list of numbers.
    """
    request = _Request.checked(text, voice, rate, pitch, word_gap_ms, sr, pad_ms)
    with _LOCK, _Engine() as engine:
        return request.spoken_by(engine)


@dataclass(frozen=True)
class _Request:
    """:func:`synthesize`'s arguments, checked (``gap`` in espeak-ng's 10 ms steps, the
    voice's file text for a generated speaker); :meth:`spoken_by` an engine."""

    text: str
    canonical: str
    voice_text: str | None
    rate: int
    pitch: int
    gap: int
    sr: int
    pad: float

    @classmethod
    def checked(
        cls, text: object, voice: object, rate: object, pitch: object, word_gap_ms: object, sr: object, pad_ms: object,
    ) -> "_Request":
        if not isinstance(text, str):
            raise TypeError(f"text: expected a string to speak, got {type(text).__name__} {text!r}"[:160])
        if not text.strip():
            raise ValueError(f"text: expected some words to speak, got an empty string {text!r}")
        if "\0" in text:
            raise ValueError("text: expected printable text, got a NUL character")
        if not isinstance(voice, str):
            raise TypeError(f"voice: expected a voice name such as 'en-us', got {type(voice).__name__} {voice!r}")
        canonical = _voice_lookup().get(voice.lower())
        voice_text = None
        if canonical is None:
            generated = _generated_voice(voice)
            if generated is None:
                raise ValueError(
                    f"voice: expected one of the {len(_voice_lookup())} names from asrlab.data.voices() "
                    f"(e.g. 'en-us', 'en-gb+f3') or a generated speaker (e.g. 'en-us+gen17'), got {voice!r}"
                )
            canonical, voice_text = generated
        return cls(
            text, canonical, voice_text,
            rate=int(round(_check_range(rate, name="rate", low=80, high=450, unit="words per minute"))),
            pitch=int(round(_check_range(pitch, name="pitch", low=0, high=100, unit="(espeak pitch scale)"))),
            gap=int(round(_check_range(word_gap_ms, name="word_gap_ms", low=0, high=2000, unit="ms") / 10)),
            sr=check_sr(sr),
            pad=_check_range(pad_ms, name="pad_ms", low=0, high=10000, unit="ms"),
        )

    def spoken_by(self, engine: _Engine) -> np.ndarray:
        """The speech, from ``engine`` (call with ``_LOCK`` held)."""
        lib = engine.lib
        if self.voice_text is not None:
            status = _set_voice_from_text(lib, self.voice_text)
        else:
            status = lib.espeak_SetVoiceByName(_engine_name(self.canonical).encode("utf-8"))
        if status != 0:
            raise ValueError(f"voice: espeak-ng could not load {self.canonical!r} (status {status})")
        for param, value in ((_RATE, self.rate), (_PITCH, self.pitch), (_WORDGAP, self.gap)):
            lib.espeak_SetParameter(param, value, 0)
        lib.espeak_ng_SetRandSeed(1)
        _seed_c_rand()
        engine.chunks.clear()
        data = self.text.encode("utf-8") + b"\0"
        status = lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if status != 0:
            raise RuntimeError(f"espeak-ng failed to speak {self.text[:40]!r} (status {status})")
        y = np.frombuffer(b"".join(engine.chunks), dtype="<i2").astype(np.float32) / 32768.0
        return _finish(y, text=self.text, native_sr=NATIVE_SR, sr=self.sr, pad_ms=self.pad)


class KeptEngine:
    """One espeak-ng engine kept loaded for a run of utterances, about twice as fast as
    :func:`synthesize` (whose every call loads, initialises and unloads a fresh engine).

    ``with KeptEngine() as engine: y = engine.synthesize("go left", voice="en-gb+f3")``;
    :meth:`synthesize` takes :func:`synthesize`'s arguments and checks them the same way.

    The engine's hidden state (see the module's docstring) carries over from one
    utterance to the next, so an utterance depends a little on what the engine spoke
    before it: the same sequence of calls in a new ``KeptEngine`` always gives the same
    samples, but not exactly those of :func:`synthesize`.  The synthetic training stream
    uses it (:meth:`asrlab.data.SyntheticSpeech.stream`); test and validation speech come
    from :func:`synthesize`.  It loads its own copy of the library, so :func:`synthesize`
    keeps working beside it; where the system allows no second copy, each call loads a
    fresh engine as :func:`synthesize` does.

    Lesson: 10 Train a tiny CTC speech recogniser.
    """

    def __init__(self) -> None:
        self._engine: _Engine | None = None

    def __enter__(self) -> "KeptEngine":
        lib_path, _ = _paths()
        own = _memory_copy(lib_path) or _file_copy(lib_path)
        if own is not None:
            with _LOCK:
                self._engine = _Engine(own).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        engine, self._engine = self._engine, None
        if engine is None:
            return
        with _LOCK:
            engine.__exit__()
        if engine.path.startswith("/proc/self/fd/"):
            os.close(int(engine.path.rsplit("/", 1)[1]))
        else:
            shutil.rmtree(os.path.dirname(engine.path), ignore_errors=True)

    def synthesize(
        self,
        text: str,
        *,
        voice: str = "en-us",
        rate: int = 160,
        pitch: int = 50,
        word_gap_ms: float = 0,
        sr: int = 16000,
        pad_ms: float = 10.0,
    ) -> np.ndarray:
        """:func:`synthesize`, spoken by this engine (float32 mono samples in [-1, 1])."""
        request = _Request.checked(text, voice, rate, pitch, word_gap_ms, sr, pad_ms)
        if self._engine is None:
            with _LOCK, _Engine() as engine:
                return request.spoken_by(engine)
        with _LOCK:
            return request.spoken_by(self._engine)
