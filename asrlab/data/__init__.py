"""Offline speech data: espeak-ng synthesis, a synthetic command corpus, augmentation,
manifests and loaders for published corpora.

=====================  ==========================================================
``synthesize``         text -> float32 speech at 16 kHz (espeak-ng, in-process)
``KeptEngine``         one espeak-ng engine kept loaded for a run of utterances
``synthesize_flite``   the same with Flite's voices, when the system has Flite
``synthesize_piper``   the same with Piper's neural voices
``voice_bank``         a slow voice's utterances, rendered once into a cache
``voices``             every English voice name (accent, or accent+variant)
``SyntheticSpeech``    endless seeded commands/digits, split by voice
``CONNECTED``          its settings for connected speech in random word order
``with_pause``         the same utterances with a chosen pause between words
``add_noise`` ...      augmentation: noise at an SNR, speed, pitch, SpecAugment
``read_manifest``      ``path<TAB>transcript`` files; ``write_corpus`` makes one
``load_fsdd`` ...      published corpora (FSDD, Speech Commands, LibriSpeech, LJSpeech)
=====================  ==========================================================

Lessons: 01 (speech to look at and listen to), 06 (spoken commands), 10 (training data),
11 (noise and real recordings).
"""

from __future__ import annotations

from asrlab.data.augment import add_noise, pitch_shift, spec_augment, speed_perturb
from asrlab.data.corpora import (
    download,
    load_fsdd,
    load_librispeech,
    load_ljspeech,
    load_speech_commands,
    sha256sum,
)
from asrlab.data.manifest import (
    Manifest,
    ManifestEntry,
    ManifestError,
    normalize_transcript,
    read_manifest,
    write_corpus,
    write_manifest,
)
from asrlab.data.synthetic import (
    COMMANDS,
    CONNECTED,
    DIGITS,
    PAUSE_RATE,
    SPLITS,
    SyntheticSpeech,
    Utterance,
    random_transcript,
    random_words,
    split_voices,
    vocabulary,
    with_pause,
)
from asrlab.data.flite import flite_voices, synthesize_flite
from asrlab.data.piper import piper_voices, synthesize_piper
from asrlab.data.bank import VoiceBank, banked_voices, voice_bank
from asrlab.data.tts import NATIVE_SR, KeptEngine, base_voices, generated_variant, synthesize, variants, voices

__all__ = [
    "COMMANDS", "CONNECTED", "DIGITS", "NATIVE_SR", "PAUSE_RATE", "SPLITS",
    "KeptEngine", "Manifest", "ManifestEntry", "ManifestError", "SyntheticSpeech", "Utterance",
    "add_noise", "base_voices", "download", "flite_voices", "generated_variant", "load_fsdd", "load_librispeech",
    "load_ljspeech", "load_speech_commands", "normalize_transcript", "piper_voices", "pitch_shift",
    "random_transcript", "random_words", "VoiceBank", "banked_voices", "voice_bank",
    "read_manifest", "sha256sum", "spec_augment", "speed_perturb", "split_voices",
    "synthesize", "synthesize_flite", "synthesize_piper", "variants", "vocabulary", "voices", "with_pause", "write_corpus", "write_manifest",
]
