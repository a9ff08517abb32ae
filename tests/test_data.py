"""Tests for asrlab.data: espeak-ng synthesis, the synthetic corpus, augmentation,
manifests and the loaders for published corpus layouts."""

from __future__ import annotations

import random
import threading

import librosa
import numpy as np
import pytest

from asrlab import data

# --------------------------------------------------------------------------------------
# synthesize / voices


def _band_fraction(y: np.ndarray, sr: int, lo: float, hi: float) -> float:
    power = np.abs(np.fft.rfft(np.asarray(y, dtype=np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(y), d=1 / sr)
    return float(power[(freqs >= lo) & (freqs <= hi)].sum() / power.sum())


def test_synthesize_returns_float32_mono_in_range():
    y = data.synthesize("turn the light on")
    assert y.dtype == np.float32
    assert y.ndim == 1
    assert 0.4 * 16000 < len(y) < 3 * 16000
    assert np.abs(y).max() <= 1.0
    assert np.abs(y).max() > 0.1  # audible, not a near-silent buffer


def test_synthesize_is_deterministic_even_after_other_calls():
    first = data.synthesize("go left three", voice="en-gb+m3", rate=180, pitch=40)
    data.synthesize("something else entirely", voice="en-us+klatt4")
    data.synthesize("and another", voice="en-us+f3")
    again = data.synthesize("go left three", voice="en-gb+m3", rate=180, pitch=40)
    np.testing.assert_array_equal(first, again)


def test_synthesize_is_deterministic_across_threads():
    texts = ["one", "two three", "stop", "turn the light off"]
    expected = [data.synthesize(t, voice="en-us+m1") for t in texts]
    results: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        results[i] = data.synthesize(texts[i], voice="en-us+m1")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, want in enumerate(expected):
        np.testing.assert_array_equal(results[i], want)


def test_a_kept_engine_speaks_a_reproducible_sequence_beside_fresh_engines():
    calls = [("go left three", "en-gb+m3"), ("two zero heater", "en-us+gen17"), ("stop", "en-us+f3")] * 2
    fresh = [data.synthesize(t, voice=v, rate=180) for t, v in calls]
    runs = []
    for _ in range(2):
        with data.KeptEngine() as engine:
            run = []
            for text, voice in calls:
                run.append(engine.synthesize(text, voice=voice, rate=180))
                # a fresh engine in between (the generated voice's lookups load one too)
                np.testing.assert_array_equal(data.synthesize("yes", voice="en-us"), data.synthesize("yes", voice="en-us"))
            runs.append(run)
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)  # the same sequence, the same samples
    np.testing.assert_array_equal(runs[0][0], fresh[0])  # its first utterance is synthesize's
    assert not np.array_equal(runs[0][3], fresh[3])  # later ones carry the engine's state
    for kept, want in zip(runs[0], fresh):  # ... and are the same speech
        assert abs(len(kept) - len(want)) <= 0.03 * len(want)
        assert np.corrcoef(librosa.feature.rms(y=kept)[0][: len(want) // 512], librosa.feature.rms(y=want)[0][: len(want) // 512])[0, 1] > 0.9


def test_a_kept_engine_checks_arguments_as_synthesize_does_and_releases_its_copy():
    import os

    def open_files() -> int:  # Linux lists them; elsewhere the copy is a temporary file
        return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0

    open_before = open_files()
    with data.KeptEngine() as engine:
        with pytest.raises(ValueError, match="text: expected some words to speak, got an empty string ''"):
            engine.synthesize("")
        with pytest.raises(ValueError, match="voice: expected one of the"):
            engine.synthesize("one", voice="en-xx")
        with pytest.raises(ValueError, match=r"rate: expected a number in \[80, 450\] words per minute, got 40"):
            engine.synthesize("one", rate=40)
        assert len(engine.synthesize("one")) > 0.1 * 16000  # still speaks after the errors
    assert open_files() == open_before


def test_a_synthetic_stream_has_the_indexed_utterances_spoken_by_one_engine():
    speech = data.SyntheticSpeech("train", seed=3, generated_voices=5)
    indexed = speech.take(12, start=4)
    streamed = [u for _, u in zip(range(12), speech.stream(start=4))]
    again = [u for _, u in zip(range(12), speech.stream(start=4))]
    for i, (a, b, c) in enumerate(zip(indexed, streamed, again)):
        assert (b.text, b.voice, b.rate, b.pitch, b.word_gap_ms) == (a.text, a.voice, a.rate, a.pitch, a.word_gap_ms)
        np.testing.assert_array_equal(b.audio, c.audio)
        if i == 0:
            np.testing.assert_array_equal(b.audio, a.audio)
    assert sum(np.array_equal(a.audio, b.audio) for a, b in zip(indexed, streamed)) < 12
    strided = [u for _, u in zip(range(4), speech.stream(start=5, step=3))]
    assert [(u.text, u.voice, u.rate) for u in strided] == [(speech[i].text, speech[i].voice, speech[i].rate) for i in (5, 8, 11, 14)]
    with pytest.raises(ValueError, match="start: expected a non-negative integer, got -1"):
        next(speech.stream(start=-1))
    with pytest.raises(ValueError, match="step: expected a positive integer, got 0"):
        next(speech.stream(step=0))


def test_a_killed_process_leaves_no_copy_of_the_engine_on_disk(tmp_path):
    # Jupyter kernels are often killed rather than shut down; the private copy of the
    # library must not pile up in the temporary folder.
    import os
    import subprocess
    import sys

    code = (
        "import os, signal\n"
        "from asrlab.data import synthesize\n"
        "synthesize('seven')\n"
        "if os.fork() == 0:\n"
        "    synthesize('eight')\n"
        "    os._exit(0)\n"
        "os.wait()\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_duration_grows_with_text_length():
    lengths = [
        len(data.synthesize(text))
        for text in ["one", "one two", "one two three four", "one two three four five six seven"]
    ]
    assert lengths == sorted(lengths)
    assert lengths[-1] > 2.5 * lengths[0]


def test_faster_rate_is_shorter_and_word_gap_is_longer():
    text = "seven eight nine"
    slow = len(data.synthesize(text, rate=100))
    normal = len(data.synthesize(text, rate=160))
    fast = len(data.synthesize(text, rate=300))
    assert slow > normal > fast
    gapped = len(data.synthesize(text, word_gap_ms=200))
    # two gaps of at least 200 ms each (espeak stretches them at slower rates)
    assert 2 * 0.2 * 16000 * 0.9 < gapped - normal < 2 * 0.2 * 16000 * 1.6


def test_energy_is_in_the_speech_band():
    y = data.synthesize("the quick brown fox jumps over the lazy dog", voice="en-us")
    assert _band_fraction(y, 16000, 80, 5000) > 0.9
    assert _band_fraction(y, 16000, 0, 60) < 0.01


def test_higher_pitch_parameter_gives_higher_f0():
    text = "oh, a long vowel"
    f0 = []
    for pitch in (10, 50, 90):
        y = data.synthesize(text, voice="en-us", pitch=pitch)
        track = librosa.yin(y, fmin=60, fmax=500, sr=16000, frame_length=1024)
        f0.append(float(np.median(track)))
    assert f0[0] < f0[1] < f0[2]


def test_sample_rate_changes_length_in_proportion():
    y16 = data.synthesize("stop", sr=16000)
    y8 = data.synthesize("stop", sr=8000)
    y22 = data.synthesize("stop", sr=22050)
    assert len(y8) == pytest.approx(len(y16) / 2, abs=2)
    assert len(y22) == pytest.approx(len(y16) * 22050 / 16000, abs=2)
    assert len(y22) == len(data.synthesize("stop", sr=data.NATIVE_SR))


def test_silence_is_trimmed_to_pad_ms():
    tight = data.synthesize("yes", pad_ms=0)
    padded = data.synthesize("yes", pad_ms=100)
    assert len(padded) - len(tight) == pytest.approx(2 * 0.1 * 16000, abs=2)
    # the padding is quiet, the first 5 ms of the trimmed signal is not silent
    frame = 80
    assert np.sqrt(np.mean(padded[:1000] ** 2)) < 0.02 * np.abs(padded).max()
    assert np.abs(tight[: 4 * frame]).max() > 1e-3


def test_voices_cross_every_accent_with_every_variant():
    names = data.voices()
    bases, variants = data.base_voices(), data.variants()
    assert len(names) == len(set(names)) == len(bases) * (1 + len(variants))
    assert {"en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-us-nyc"} <= set(bases)
    assert {"f3", "m1", "klatt4"} <= set(variants)
    assert len(variants) >= 90
    assert "en-us+f3" in names and "en-gb+m1" in names
    assert not any(n.startswith("en-shaw") for n in names)
    names.append("mutated")
    assert "mutated" not in data.voices()  # a fresh list each call


def test_a_sample_of_voices_all_speak_and_differ():
    rng = random.Random(0)
    chosen = rng.sample(data.voices(), 24)
    outputs = {}
    for name in chosen:
        y = data.synthesize("five", voice=name)
        assert y.dtype == np.float32 and 0.15 * 16000 < len(y) < 2 * 16000, name
        assert np.sqrt(np.mean(y**2)) > 0.01, name
        outputs[name] = y
    distinct = {tuple(np.round(v[:2000], 4)) for v in outputs.values()}
    assert len(distinct) == len(chosen)


def test_voice_names_are_case_insensitive():
    np.testing.assert_array_equal(
        data.synthesize("up", voice="EN-US+F3"), data.synthesize("up", voice="en-us+f3")
    )


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"text": ""}, ValueError, "text: expected some words to speak, got an empty string ''"),
        ({"text": "   \n"}, ValueError, "text: expected some words to speak"),
        ({"text": 42}, TypeError, "text: expected a string to speak, got int 42"),
        ({"text": "...!?"}, ValueError, "produced no speech"),
        ({"text": "hi", "voice": "klingon"}, ValueError, "voice: expected one of the"),
        ({"text": "hi", "voice": "en-us+nosuchvariant"}, ValueError, "got 'en-us+nosuchvariant'"),
        ({"text": "hi", "voice": 3}, TypeError, "voice: expected a voice name"),
        ({"text": "hi", "voice": "en-us+gen10000"}, ValueError, "or a generated speaker (e.g. 'en-us+gen17'), got 'en-us+gen10000'"),
        ({"text": "hi", "voice": "klingon+gen3"}, ValueError, "got 'klingon+gen3'"),
        ({"text": "hi", "rate": 20}, ValueError, "rate: expected a number in [80, 450] words per minute, got 20"),
        ({"text": "hi", "rate": "fast"}, TypeError, "rate: expected a number"),
        ({"text": "hi", "pitch": 101}, ValueError, "pitch: expected a number in [0, 100]"),
        ({"text": "hi", "word_gap_ms": -5}, ValueError, "word_gap_ms: expected a number in [0, 2000] ms, got -5"),
        ({"text": "hi", "sr": 0}, ValueError, "sr: expected a positive sample rate in Hz, got 0"),
        ({"text": "hi", "pad_ms": float("nan")}, ValueError, "pad_ms: expected a number"),
    ],
)
def test_bad_arguments_give_clear_errors(kwargs, exc, message):
    text = kwargs.pop("text")
    with pytest.raises(exc) as info:
        data.synthesize(text, **kwargs)
    assert message in str(info.value)


def _formant_scales(text: str) -> list[float]:
    rows = [line.split() for line in text.splitlines() if line.startswith("formant ")]
    return [int(r[2]) / 100 for r in rows if r[1] in ("1", "2", "3")]


def test_generated_variants_are_fixed_by_their_number_and_cover_short_and_long_vocal_tracts():
    texts = [data.generated_variant(k) for k in range(200)]
    assert texts[17] == data.generated_variant(17) and len(set(texts)) == 200
    scales = [np.mean(_formant_scales(t)) for t in texts]
    assert 0.7 <= min(scales) < 0.85 and 1.45 < max(scales) <= 1.65
    # the first three formants also move apart, as in espeak-ng's own variants (Alicia: F2 at
    # 150%, F1 at 130%): the highest of the three is typically a fifth above the lowest
    spread = [max(_formant_scales(t)) / min(_formant_scales(t)) for t in texts]
    assert 1.1 < np.median(spread) < 1.3 and max(spread) > 1.4
    assert sum("klatt" in t for t in texts) > 20 and sum("breath " in t for t in texts) > 80
    assert sum("breathw " in t for t in texts) > 30
    for setting, share in (("consonants ", 0.5), ("echo ", 0.35), ("tone ", 0.3), ("stressAdd ", 0.3)):
        assert abs(sum(setting in t for t in texts) / len(texts) - share) < 0.1, setting
    voicing = [int(line.split()[1]) for t in texts for line in t.splitlines() if line.startswith("voicing ")]
    assert 25 <= min(voicing) < 35 and 110 < max(voicing) <= 120
    with pytest.raises(ValueError, match="number: expected an integer from 0 to 9999, got 10000"):
        data.generated_variant(10000)


def test_a_generated_speaker_speaks_deterministically_with_its_own_formants(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # anything written would land here
    texts = [data.generated_variant(k) for k in range(200)]
    scales = [np.mean(_formant_scales(t)) for t in texts]
    low, high = int(np.argmin(scales)), int(np.argmax(scales))
    a = data.synthesize("see", voice=f"en-us+gen{high}")
    np.testing.assert_array_equal(a, data.synthesize("see", voice=f"EN-US+gen{high}"))
    b = data.synthesize("see", voice=f"en-us+gen{low}")
    plain = data.synthesize("see", voice="en-us")
    assert not np.array_equal(a, plain) and not np.array_equal(b, plain)
    # "see" is mostly /i/, whose second formant sits near 2.3 kHz: it moves with the scale
    assert _band_fraction(a, 16000, 2800, 4500) > _band_fraction(b, 16000, 2800, 4500)
    assert list(tmp_path.iterdir()) == []  # the voice file lived in memory only


def test_synthetic_training_speech_can_add_generated_speakers():
    speech = data.SyntheticSpeech("train", seed=0, generated_voices=50)
    plain = data.split_voices("train")
    assert speech.voices[: len(plain)] == plain
    assert len(speech.voices) == len(plain) + 50 * len(data.base_voices())
    utts = speech.take(40)
    assert any("+gen" in u.voice for u in utts) and all(u.voice in speech.voices for u in utts)


# --------------------------------------------------------------------------------------
# the synthetic corpus

import string  # noqa: E402

import soundfile as sf  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def test_synthetic_speech_is_a_function_of_seed_split_and_index():
    speech = data.SyntheticSpeech("train", seed=3)
    backwards = [speech[i] for i in (4, 3, 2, 1, 0)][::-1]
    forwards = speech.take(5)
    for a, b in zip(forwards, backwards):
        assert a.text == b.text and a.voice == b.voice
        np.testing.assert_array_equal(a.audio, b.audio)
    other = data.SyntheticSpeech("train", seed=4).take(5)
    assert [u.text for u in other] != [u.text for u in forwards]
    first_two = [u for _, u in zip(range(2), iter(speech))]
    assert [u.text for u in first_two] == [u.text for u in forwards[:2]]


def test_splits_are_disjoint_by_voice_variant():
    variant = lambda name: name.partition("+")[2]  # noqa: E731
    parts = {s: data.split_voices(s) for s in data.SPLITS}
    variants = {s: {variant(v) for v in names} - {""} for s, names in parts.items()}
    assert not variants["train"] & variants["validation"]
    assert not variants["train"] & variants["test"]
    assert not variants["validation"] & variants["test"]
    assert variants["train"] | variants["validation"] | variants["test"] == set(data.variants())
    assert len(variants["validation"]) >= 5 and len(variants["test"]) >= 5
    for split in data.SPLITS:
        utts = data.SyntheticSpeech(split, seed=0).take(6)
        assert all(u.voice in parts[split] for u in utts)


def test_synthetic_utterances_have_silence_and_parameters_in_range():
    speech = data.SyntheticSpeech("validation", seed=1, silence_ms=(100, 200), rate=(150, 160))
    for utt in speech.take(6):
        assert utt.audio.dtype == np.float32 and utt.sr == 16000
        lead = np.flatnonzero(utt.audio)[0]
        tail = len(utt.audio) - 1 - np.flatnonzero(utt.audio)[-1]
        assert 100 * 16 <= lead <= 200 * 16 + 1
        assert 100 * 16 <= tail <= 200 * 16 + 1
        assert 150 <= utt.rate <= 160 and 25 <= utt.pitch <= 75
        assert set(utt.text) <= set(string.ascii_lowercase + " ")


def test_lowpass_option_removes_content_above_the_cutoff():
    plain = data.SyntheticSpeech("train", seed=2)
    low = data.SyntheticSpeech("train", seed=2, lowpass_hz=4000)
    for i in range(3):
        a, b = plain[i].audio, low[i].audio
        assert len(a) == len(b)
        assert _band_fraction(b, 16000, 5000, 8000) < min(1e-7, _band_fraction(a, 16000, 5000, 8000) / 10)
        kept = _band_fraction(b, 16000, 0, 3500) * np.sum(b.astype(np.float64) ** 2)
        assert kept == pytest.approx(_band_fraction(a, 16000, 0, 3500) * np.sum(a.astype(np.float64) ** 2), rel=0.02)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_random_transcripts_use_only_the_vocabulary(seed):
    text = data.random_transcript(np.random.default_rng(seed))
    words = text.split(" ")
    assert 1 <= len(words) <= 6
    assert set(words) <= set(data.vocabulary())


def test_max_words_limits_transcripts_without_changing_the_rest():
    words = data.SyntheticSpeech("train", seed=0, max_words=1).take(12)
    assert all(" " not in u.text for u in words)
    assert all(u.text in data.DIGITS + data.COMMANDS for u in words)
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    assert [data.random_transcript(rng_a) for _ in range(20)] == [
        data.random_transcript(rng_b, max_words=None) for _ in range(20)
    ]
    with pytest.raises(ValueError, match="max_words: expected a positive integer, got 0"):
        data.random_transcript(np.random.default_rng(0), max_words=0)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.one_of(st.none(), st.integers(min_value=1, max_value=8)))
def test_random_word_transcripts_are_one_to_five_course_words(seed, max_words):
    words = data.random_words(np.random.default_rng(seed), max_words=max_words).split(" ")
    assert 1 <= len(words) <= min(5, max_words or 5)
    assert set(words) <= set(data.vocabulary())


def test_random_word_order_is_not_the_grammars():
    rng = np.random.default_rng(0)
    texts = [data.random_words(rng) for _ in range(400)]
    assert {len(t.split(" ")) for t in texts} == {1, 2, 3, 4, 5}
    assert len(set(texts)) > 350  # hardly a sequence twice
    grammar = {data.random_transcript(np.random.default_rng(i)) for i in range(2000)}
    several = [t for t in texts if " " in t]
    assert len([t for t in several if t in grammar]) < 0.05 * len(several)  # a digit string now and then


def test_connected_speech_has_no_pauses_and_random_word_orders_and_leaves_the_rest_alone():
    plain = data.SyntheticSpeech("test", seed=4).take(8)
    connected = data.SyntheticSpeech("test", seed=4, **data.CONNECTED).take(8)
    grammar = {data.random_transcript(np.random.default_rng(i)) for i in range(2000)}
    assert all(u.word_gap_ms == 0 for u in connected) and any(u.word_gap_ms > 20 for u in plain)
    assert [u.voice for u in connected] == [u.voice for u in plain]  # the same voices, rates and pitches
    assert [(u.rate, u.pitch) for u in connected] == [(u.rate, u.pitch) for u in plain]
    assert sum(u.text not in grammar for u in connected) >= 6
    for u, p in zip(connected, plain):
        if u.text == p.text and p.word_gap_ms > 20 and " " in p.text:  # the same words without the pauses: shorter
            assert len(u.audio) < len(p.audio)
    # a share of each: pause_share 0.5 keeps the pauses of about half; the defaults change nothing
    half = data.SyntheticSpeech("test", seed=4, pause_share=0.5).take(40)
    everything = data.SyntheticSpeech("test", seed=4).take(40)
    kept = [h.word_gap_ms == e.word_gap_ms for h, e in zip(half, everything)]
    assert 10 <= sum(kept) <= 30 and all(h.text == e.text for h, e in zip(half, everything))
    same = data.SyntheticSpeech("test", seed=4, pause_share=1.0, random_order=0.0).take(3)
    assert all(np.array_equal(a.audio, b.audio) for a, b in zip(same, plain))


def _word_pauses_ms(u: data.Utterance) -> list[float]:
    """The longest ``words - 1`` pauses of an utterance (its word boundaries), in ms."""
    from asrlab.audio import pauses

    found = sorted((1000 * (b - a) for a, b in pauses(u.audio, sr=u.sr, min_ms=0)), reverse=True)
    n = len(u.text.split()) - 1
    return (found + [0.0] * n)[:n]


@pytest.mark.parametrize("pause_ms", [100, 200, 300])
def test_with_pause_puts_the_requested_near_silence_between_words(pause_ms):
    assert data.PAUSE_RATE == 175
    speech, connected = data.with_pause(pause_ms).take(40), data.with_pause(0).take(40)
    index = [i for i, u in enumerate(speech) if " " in u.text][:12]
    assert len(index) == 12
    for i in index:  # the same utterances at each pause: only the pause changes
        u, c = speech[i], connected[i]
        assert (u.text, u.voice, u.rate, u.pitch, u.word_gap_ms) == (c.text, c.voice, 175, c.pitch, pause_ms)
        assert c.word_gap_ms == 0
    # measured from the samples: each word boundary is a stretch of near-silence (40 dB
    # down) of about the pause asked for; the speech's own closures add up to 60 ms
    measured = np.concatenate([_word_pauses_ms(speech[i]) for i in index])
    assert pause_ms - 5 <= np.median(measured) <= pause_ms + 40
    assert np.mean(measured >= 0.75 * pause_ms) >= 0.8
    assert np.all(measured <= pause_ms + 70)
    # connected speech: only the short silences of the speech itself
    assert np.median(np.concatenate([_word_pauses_ms(connected[i]) for i in index])) <= 40


def test_with_pause_a_plain_voice_pauses_for_the_requested_time():
    from asrlab.audio import pauses

    def longest_ms(y: np.ndarray) -> float:
        return max((1000 * (b - a) for a, b in pauses(y, sr=16000, min_ms=0)), default=0.0)

    # "one nine" joins without a closure (n to n): its only silence is the pause
    for pause_ms in (0, 50, 100, 200, 300):
        y = data.synthesize("one nine", rate=data.PAUSE_RATE, word_gap_ms=pause_ms, pad_ms=0)
        assert longest_ms(y) == pytest.approx(pause_ms, rel=0.06, abs=5)
    # at other rates espeak-ng stretches or shrinks the gap: why with_pause speaks at 175
    assert longest_ms(data.synthesize("one nine", rate=120, word_gap_ms=200, pad_ms=0)) > 300
    assert longest_ms(data.synthesize("one nine", rate=220, word_gap_ms=200, pad_ms=0)) < 150


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"split": "dev"}, ValueError, "split: expected one of 'train', 'validation', 'test', got 'dev'"),
        ({"seed": -1}, ValueError, "seed: expected a non-negative integer, got -1"),
        ({"rate": (300, 200)}, ValueError, "rate: expected 80 <= low <= high <= 450, got (300, 200)"),
        ({"pitch": 50}, TypeError, "pitch: expected a (low, high) pair, got 50"),
        ({"lowpass_hz": 9000}, ValueError, "lowpass_hz: expected a frequency in (0, 8000) Hz, got 9000"),
        ({"split": "test", "generated_voices": 5}, ValueError,
         "generated_voices: only the train split takes generated speakers, got 5 for 'test'"),
        ({"generated_voices": -1}, ValueError, "generated_voices: expected a non-negative integer, got -1"),
        ({"pause_share": 1.5}, ValueError, "pause_share: expected a share from 0 to 1, got 1.5"),
        ({"random_order": "all"}, TypeError, "random_order: expected a share from 0 to 1, got str 'all'"),
    ],
)
def test_synthetic_speech_rejects_bad_arguments(kwargs, exc, message):
    with pytest.raises(exc) as info:
        data.SyntheticSpeech(**kwargs)
    assert message in str(info.value)


# --------------------------------------------------------------------------------------
# augmentation


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=-20, max_value=40), st.integers(min_value=0, max_value=10**6))
def test_add_noise_hits_the_snr_exactly(snr, seed):
    y = np.sin(np.linspace(0, 200, 4000))
    noisy = data.add_noise(y, snr_db=snr, seed=seed)
    noise = noisy - y
    measured = 10 * np.log10(np.mean(y**2) / np.mean(noise**2))
    assert measured == pytest.approx(snr, abs=1e-9)
    np.testing.assert_array_equal(noisy, data.add_noise(y, snr_db=snr, seed=seed))


def test_add_noise_with_a_recording_loops_it_and_hits_the_snr():
    y = data.synthesize("stop")
    babble = data.synthesize("one two three", voice="en-gb+m3")[:3000]
    noisy = data.add_noise(y, snr_db=5.0, seed=0, noise=babble)
    assert noisy.dtype == np.float32 and noisy.shape == y.shape
    noise = noisy.astype(np.float64) - y
    assert 10 * np.log10(np.mean(y.astype(np.float64) ** 2) / np.mean(noise**2)) == pytest.approx(5.0, abs=1e-3)
    with pytest.raises(ValueError, match="y: expected a signal with non-zero power"):
        data.add_noise(np.zeros(100), snr_db=10, seed=0)


@pytest.mark.parametrize("factor", [0.8, 0.9, 1.1, 1.25])
def test_speed_perturb_scales_length_and_frequency(factor):
    sr = 16000
    t = np.arange(sr) / sr
    y = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    out = data.speed_perturb(y, factor=factor)
    assert len(out) == round(sr / factor) and out.dtype == np.float32
    spectrum = np.abs(np.fft.rfft(out[1000:-1000] * np.hanning(len(out) - 2000)))
    peak = np.argmax(spectrum) * sr / (len(out) - 2000)
    assert peak == pytest.approx(440 * factor, rel=0.01)
    with pytest.raises(ValueError, match=r"factor: expected a number in \(0.25, 4\], got 0.0"):
        data.speed_perturb(y, factor=0.0)


@pytest.mark.parametrize("semitones", [-3.0, 2.0, 5.0])
def test_pitch_shift_moves_a_sine_by_the_right_ratio(semitones):
    sr = 16000
    y = np.sin(2 * np.pi * 300 * np.arange(sr) / sr).astype(np.float32)
    out = data.pitch_shift(y, sr=sr, semitones=semitones)
    assert out.shape == y.shape
    spectrum = np.abs(np.fft.rfft(out[2000:-2000] * np.hanning(len(out) - 4000)))
    peak = np.argmax(spectrum) * sr / (len(out) - 4000)
    assert peak == pytest.approx(300 * 2 ** (semitones / 12), rel=0.01)


def _masked_runs(mask: np.ndarray) -> int:
    return int(np.sum(np.diff(np.concatenate([[0], mask.astype(int), [0]])) == 1))


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.integers(17, 80), st.integers(31, 200))
def test_spec_augment_masks_bands_within_the_limits(seed, n_mels, n_frames):
    rng = np.random.default_rng(seed)
    spec = rng.standard_normal((n_mels, n_frames)) + 5.0
    out = data.spec_augment(spec, freq_masks=2, freq_width=8, time_masks=3, time_width=10, seed=seed, value=-100.0)
    assert out.shape == spec.shape and not np.shares_memory(out, spec)
    masked = out == -100.0
    rows, cols = masked.all(axis=1), masked.all(axis=0)
    assert np.array_equal(masked, rows[:, None] | cols[None, :])  # only whole bands
    assert rows.sum() <= 2 * 8 and cols.sum() <= 3 * 10
    assert _masked_runs(rows) <= 2 and _masked_runs(cols) <= 3
    np.testing.assert_array_equal(out[~masked], spec[~masked])


def test_spec_augment_mask_never_exceeds_the_axis():
    spec = np.ones((3, 4))
    out = data.spec_augment(spec, freq_masks=1, freq_width=50, time_masks=0, seed=0, value=0.0)
    assert out.shape == (3, 4)
    masked_rows = (out == 0).all(axis=1)
    np.testing.assert_array_equal(out[~masked_rows], 1.0)


def test_spec_augment_works_on_torch_batches_and_fills_with_the_mean():
    spec = torch.arange(2 * 20 * 50, dtype=torch.float32).reshape(2, 20, 50)
    out = data.spec_augment(spec, freq_masks=1, freq_width=5, time_masks=1, time_width=5, seed=1)
    assert isinstance(out, torch.Tensor) and out.shape == spec.shape
    changed = out != spec
    assert torch.equal(changed[0], changed[1])  # same masks for the whole batch
    assert torch.all(out[changed] == spec.mean())
    assert changed.any()
    same = data.spec_augment(spec, freq_masks=1, freq_width=5, time_masks=1, time_width=5, seed=1)
    assert torch.equal(out, same)
    with pytest.raises(ValueError, match=r"spec: expected shape \(n_mels, n_frames\)"):
        data.spec_augment(np.zeros(5), seed=0)
    with pytest.raises(ValueError, match="freq_masks: expected a non-negative integer, got -1"):
        data.spec_augment(np.zeros((4, 4)), freq_masks=-1, seed=0)


# --------------------------------------------------------------------------------------
# manifests


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Turn the LIGHT on!", "turn the light on"),
        ("It\u2019s 9 o'clock", "it's nine o'clock"),
        ("  'quoted'  words -- here ", "quoted words here"),
        ("Caf\u00e9 na\u00efve", "cafe naive"),
        ("MR. SMITH'S DOG, 2", "mr smith's dog two"),
        ("...", ""),
    ],
)
def test_normalize_transcript(raw, clean):
    assert data.normalize_transcript(raw) == clean


def test_manifest_round_trip_with_relative_paths(tmp_path):
    for name in ("a.wav", "b.flac"):
        sf.write(tmp_path / name, np.zeros(160, np.int16), 16000)
    path = data.write_manifest(tmp_path / "m.tsv", [(tmp_path / "a.wav", "Go LEFT"), (tmp_path / "b.flac", "stop!")])
    assert path.read_text() == "a.wav\tgo left\nb.flac\tstop\n"
    entries = data.read_manifest(path)
    assert [(e.path, e.text, e.line) for e in entries] == [
        (tmp_path / "a.wav", "go left", 1),
        (tmp_path / "b.flac", "stop", 2),
    ]
    assert entries.problems == []


def test_read_manifest_reports_every_bad_line_with_its_number(tmp_path):
    sf.write(tmp_path / "ok.wav", np.zeros(160, np.int16), 16000)
    text = "\n".join([
        "# a comment",
        "ok.wav\tyes",
        "no tab here",
        "ok.wav\tone\textra",
        "\tmissing path",
        "ok.wav\t!!!",
        "gone.wav\tstop",
        "",
        "ok.wav\tno",
    ])
    path = tmp_path / "bad.tsv"
    path.write_text(text + "\n")
    with pytest.raises(data.ManifestError) as info:
        data.read_manifest(path)
    problems = info.value.problems
    assert len(problems) == 5
    assert problems[0] == f"{path}:3: expected 'path<TAB>transcript' (2 fields), got 1 field(s): 'no tab here'"
    assert problems[1].startswith(f"{path}:4: expected 'path<TAB>transcript' (2 fields), got 3 field(s)")
    assert problems[2] == f"{path}:5: expected an audio path before the tab, got an empty path"
    assert problems[3] == f"{path}:6: expected a transcript with letters, got '!!!'"
    assert problems[4] == f"{path}:7: audio file not found: '{tmp_path / 'gone.wav'}'"
    assert str(info.value).endswith("(and 4 more bad line(s))")
    kept = data.read_manifest(path, skip_bad=True)
    assert [(e.text, e.line) for e in kept] == [("yes", 2), ("no", 9)]
    assert kept.problems == problems
    with pytest.raises(FileNotFoundError, match="path: expected an existing manifest file"):
        data.read_manifest(tmp_path / "nope.tsv")


def test_write_corpus_saves_flac_matching_the_stream(tmp_path):
    manifest = data.write_corpus(tmp_path / "corpus", n=4, seed=5, split="test", progress=False)
    entries = data.read_manifest(manifest)
    stream = data.SyntheticSpeech("test", seed=5)
    assert len(entries) == 4
    for i, entry in enumerate(entries):
        assert entry.path.suffix == ".flac"
        audio, sr = sf.read(entry.path, dtype="float32")
        assert sr == 16000
        utt = stream[i]
        assert entry.text == utt.text
        np.testing.assert_allclose(audio, utt.audio, atol=1 / 32768 + 1e-7)
    again = data.write_corpus(tmp_path / "again", n=4, seed=5, split="test", progress=False)
    assert again.read_text() == manifest.read_text()


def test_write_corpus_into_a_file_is_refused_before_synthesising(tmp_path):
    file = tmp_path / "manifest.tsv"
    file.write_text("keep me\n")
    with pytest.raises(NotADirectoryError) as err:
        data.write_corpus(file, n=2, progress=False)
    assert str(err.value) == f"out_dir: expected a folder to create or fill, got '{file}' ('{file}' is a file)"
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "audio").write_text("")
    with pytest.raises(NotADirectoryError, match=r"\('.*audio' is a file\)"):
        data.write_corpus(tmp_path / "c", n=2, progress=False)
    assert file.read_text() == "keep me\n" and not (tmp_path / "c" / "manifest.tsv").exists()


# --------------------------------------------------------------------------------------
# published corpus layouts (tiny trees built here, never downloaded)


def _wav(path, *, sr=16000, seconds=0.05, subtype="PCM_16"):
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(sr * seconds)) / sr
    sf.write(path, 0.1 * np.sin(2 * np.pi * 220 * t), sr, subtype=subtype)
    return path


def test_load_fsdd_uses_the_published_split(tmp_path):
    for name in ("0_jackson_0.wav", "0_jackson_5.wav", "7_theo_4.wav", "7_theo_49.wav", "3_nicolas_12.wav"):
        _wav(tmp_path / "recordings" / name, sr=8000)
    (tmp_path / "recordings" / "README.txt").write_text("not audio")
    (tmp_path / "recordings" / "notes.wav").write_bytes(b"")  # not in the naming scheme
    every = data.load_fsdd(tmp_path)
    assert [(e.path.name, e.text) for e in every] == [
        ("0_jackson_0.wav", "zero"), ("0_jackson_5.wav", "zero"), ("3_nicolas_12.wav", "three"),
        ("7_theo_4.wav", "seven"), ("7_theo_49.wav", "seven"),
    ]
    assert [e.path.name for e in data.load_fsdd(tmp_path, split="test")] == ["0_jackson_0.wav", "7_theo_4.wav"]
    manifest = tmp_path / "fsdd.tsv"
    train = data.load_fsdd(tmp_path / "recordings", split="train", manifest=manifest)
    assert [e.path.name for e in train] == ["0_jackson_5.wav", "3_nicolas_12.wav", "7_theo_49.wav"]
    assert manifest.read_text().splitlines()[0] == "recordings/0_jackson_5.wav\tzero"
    assert [e.text for e in data.read_manifest(manifest)] == ["zero", "three", "seven"]
    with pytest.raises(FileNotFoundError, match="root: expected an existing corpus folder"):
        data.load_fsdd(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="root: found no FSDD recordings"):
        data.load_fsdd(tmp_path / "empty")


def test_load_speech_commands_follows_the_two_lists(tmp_path):
    clips = ["yes/0a7c2a8d_nohash_0.wav", "yes/0a7c2a8d_nohash_1.wav", "no/1b2c3d4e_nohash_0.wav",
             "left/99aa00bb_nohash_2.wav", "_background_noise_/white_noise.wav"]
    for clip in clips:
        _wav(tmp_path / clip)
    (tmp_path / "validation_list.txt").write_text("no/1b2c3d4e_nohash_0.wav\n")
    (tmp_path / "testing_list.txt").write_text("yes/0a7c2a8d_nohash_1.wav\n\n")
    train = data.load_speech_commands(tmp_path)
    assert [(e.path.parent.name, e.path.name, e.text) for e in train] == [
        ("left", "99aa00bb_nohash_2.wav", "left"), ("yes", "0a7c2a8d_nohash_0.wav", "yes"),
    ]
    assert [e.text for e in data.load_speech_commands(tmp_path, split="validation")] == ["no"]
    assert [e.path.name for e in data.load_speech_commands(tmp_path, split="test")] == ["0a7c2a8d_nohash_1.wav"]
    (tmp_path / "testing_list.txt").unlink()
    with pytest.raises(FileNotFoundError, match="root: expected 'testing_list.txt'"):
        data.load_speech_commands(tmp_path)


def test_load_librispeech_reads_chapter_transcripts(tmp_path):
    root = tmp_path / "LibriSpeech"
    chapter = root / "dev-clean" / "84" / "121123"
    for utt in ("84-121123-0000", "84-121123-0001"):
        _wav(chapter / f"{utt}.flac")
    (chapter / "84-121123.trans.txt").write_text("84-121123-0000 GO DO YOU HEAR\n84-121123-0001 BUT IN LESS THAN FIVE MINUTES\n")
    other = root / "dev-clean" / "174" / "50561"
    _wav(other / "174-50561-0000.flac")
    (other / "174-50561.trans.txt").write_text("174-50561-0000 FORGOTTEN TOO THE NAME OF GILLIAN THE LOVELY CAPTIVE\n")
    entries = data.load_librispeech(tmp_path, manifest=tmp_path / "dev.tsv")
    assert [(e.path.name, e.text) for e in entries] == [
        ("174-50561-0000.flac", "forgotten too the name of gillian the lovely captive"),
        ("84-121123-0000.flac", "go do you hear"),
        ("84-121123-0001.flac", "but in less than five minutes"),
    ]
    assert len(data.read_manifest(tmp_path / "dev.tsv")) == 3
    with pytest.raises(FileNotFoundError, match="split: expected a folder 'test-clean'"):
        data.load_librispeech(root, split="test-clean")
    (chapter / "84-121123-0001.flac").unlink()
    with pytest.raises(ValueError, match=r"84-121123.trans.txt:2: audio file not found"):
        data.load_librispeech(root)


def test_load_ljspeech_uses_the_normalised_column(tmp_path):
    _wav(tmp_path / "wavs" / "LJ001-0001.wav", sr=22050)
    _wav(tmp_path / "wavs" / "LJ001-0002.wav", sr=22050)
    (tmp_path / "metadata.csv").write_text(
        'LJ001-0001|Printing, in 1 sense|Printing, in one sense\n'
        'LJ001-0002|"In being comparatively modern."|"In being comparatively modern."\n'
    )
    entries = data.load_ljspeech(tmp_path)
    assert [e.text for e in entries] == ["printing in one sense", "in being comparatively modern"]
    (tmp_path / "metadata.csv").write_text("LJ001-0003|missing audio|missing audio\n")
    with pytest.raises(ValueError, match=r"metadata.csv:1: audio file not found"):
        data.load_ljspeech(tmp_path)


def test_download_verifies_the_checksum(tmp_path):
    source = tmp_path / "archive.bin"
    source.write_bytes(b"speech corpus bytes" * 100)
    digest = data.sha256sum(source)
    dest = tmp_path / "out" / "archive.bin"
    got = data.download(source.as_uri(), dest, sha256=digest, progress=False)
    assert got == dest and dest.read_bytes() == source.read_bytes()
    bad = tmp_path / "out" / "bad.bin"
    with pytest.raises(ValueError, match="sha256: expected 0000"):
        data.download(source.as_uri(), bad, sha256="0" * 64, progress=False)
    assert not bad.exists() and list((tmp_path / "out").glob("*.part")) == []
    with pytest.raises(ValueError, match="sha256: expected 64 hexadecimal characters, got 'abc'"):
        data.download(source.as_uri(), bad, sha256="abc", progress=False)
