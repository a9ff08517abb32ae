"""Offline speech data: espeak-ng synthesis, a synthetic command corpus, augmentation,
manifests and loaders for published corpora.

Lessons: 01 (speech to look at and listen to), 06 (spoken commands), 10 (training data),
11 (noise and real recordings).
"""

from __future__ import annotations

from asrlab.data.tts import NATIVE_SR, base_voices, synthesize, variants, voices

__all__ = ["NATIVE_SR", "base_voices", "synthesize", "variants", "voices"]
