"""Exercises of lesson 11, speech recognition in the real world.

References: :mod:`asrlab.realworld` (``add_noise_at_snr``, ``to_model_rate``,
``robustness``, ``trim_to_speech``, ``front_end``), checked in ``tests/test_lesson_11.py``
against independent computations (the measured SNR, ``librosa.resample``, jiwer).  The
mistakes are the classic ones: a power ratio used as an amplitude gain, 20 instead of 10
in a power ratio, the ratio upside down, resampling the wrong way or not at all, keeping
every n-th sample, keeping one channel, averaging per-utterance WERs, walking the SNRs in
the wrong order, frames mistaken for samples, cutting the pauses between words, and a
front end that forgets the DC offset, the rate or the loudness.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from asrlab import realworld
from asrlab.audio import resample
from asrlab.data import synthesize
from asrlab.features import detect_speech
from asrlab.metrics import wer
from asrlab.signals import add_noise, sine
from autograder.exercise import Case, Exercise, Mistake

LESSON = "11-speech-recognition-in-the-real-world"

# ---------------------------------------------------------------------------
# the notebook's inputs (tests/test_lesson_11.py checks that the notebook makes the same)


def word(sr: int = 16_000) -> np.ndarray:
    """The notebook's word for the noise exercise: "seven", float32."""
    return synthesize("seven", sr=sr)


def white_noise(n: int, seed: int = 11) -> np.ndarray:
    """The notebook's noise: ``n`` samples of standard white noise."""
    return np.random.default_rng(seed).standard_normal(n)


def stereo_44k() -> np.ndarray:
    """The notebook's 44.1 kHz stereo recording of "go left three" (right channel softer)."""
    y = synthesize("go left three", sr=44_100)
    return np.stack([y, 0.6 * y])


def messy(text: str, *, voice: str, seed: int, sr: int = 44_100, dc: float = 0.1, snr_db: float = 20.0) -> np.ndarray:
    """A recording the way a laptop makes one: ``text`` spoken at ``sr`` with 0.8 s of room
    before and 1.2 s after, a DC offset ``dc``, and white noise at ``snr_db`` over it all."""
    y = synthesize(text, voice=voice, sr=sr).astype(np.float64)
    y = np.concatenate([np.zeros(round(0.8 * sr)), y, np.zeros(round(1.2 * sr))])
    return add_noise(y, snr_db=snr_db, seed=seed) + dc


#: The robustness exercise: what the course model wrote on four test utterances with
#: white noise at each SNR (tests/test_lesson_11.py recomputes them).
SNRS = [30, 20, 10, 5, 0, -5]
REFERENCES = ["turn off the music", "turn the alarm on", "call four five eight", "left"]
HYPOTHESES = [
    ["trn o the mur", "sttrn the alarm on", "call four five eight", "lhefts"],
    ["sen of the m", "ththreen the alarm o", "folr four fivne eiets", "tweft"],
    ["sxeve offn ee", "thihren th alanem o", "fol foure fivne niees", "mive"],
    ["mveve eonfn ne", "tihn h ln o", "nivl foue fone nie", "ove"],
    ["mv nenn", "nhv nin", "niv voe fone nn", "o"],
    ["non", "on", "nio nnn", "o"],
]
MAX_WER = 0.7


def quiet_sentence() -> tuple[np.ndarray, np.ndarray]:
    """The notebook's trimming input: "stop, go left" with 0.5 s of faint noise around it,
    at 16 kHz, and its energy-VAD decisions."""
    y = synthesize("stop, go left", word_gap_ms=200, sr=16_000).astype(np.float64)
    y = np.concatenate([np.zeros(8000), y, np.zeros(8000)])
    y = y + 0.001 * np.random.default_rng(2).standard_normal(len(y))
    return y, detect_speech(y, sr=16_000)


# ---------------------------------------------------------------------------
# 1. noise at a target SNR


def _power(x: Any) -> float:
    x = np.asarray(x, dtype=np.float64)
    return float(np.mean(x * x))


def _noise_with(y: Any, noise: Any, snr_db: float, *, mistake: str) -> np.ndarray:
    p_s, p_n = _power(y), _power(noise)
    if mistake == "no-sqrt":
        gain = p_s / (p_n * 10 ** (snr_db / 10))
    elif mistake == "over-20":
        gain = np.sqrt(p_s / (p_n * 10 ** (snr_db / 20)))
    elif mistake == "inverted":
        gain = np.sqrt(p_s / p_n * 10 ** (snr_db / 10))
    else:  # rms: the speech's RMS (an amplitude) where its power belongs
        gain = np.sqrt(np.sqrt(p_s) / (p_n * 10 ** (snr_db / 10)))
    return np.asarray(y, dtype=np.float64) + gain * np.asarray(noise, dtype=np.float64)


def _noise_hidden(rng: np.random.Generator) -> list[Case]:
    six = synthesize("six", sr=8_000).astype(np.float64)
    padded = np.concatenate([np.zeros(400), six, np.zeros(401)])
    padded = padded[:-1] if len(padded) % 2 == 0 else padded
    hum = sine(50, sr=8_000, duration=len(padded) / 8_000, amplitude=0.3)[: len(padded)]
    go = synthesize("go", sr=16_000)
    return [
        Case(args=(go, rng.standard_normal(len(go)), 0.0), label="SNR 0 dB (float32 speech)"),
        Case(args=(go, 0.01 * rng.standard_normal(len(go)), -5.0), label="SNR -5 dB, quiet noise"),
        Case(args=(padded, rng.standard_normal(len(padded)), 30.0),
             label=f"SNR 30 dB, speech with exact zeros around it ({len(padded)} samples, odd)"),
        Case(args=(padded, hum, 3.0), label="a 50 Hz hum as the noise, SNR 3 dB"),
        Case(args=(rng.uniform(-1, 1, size=1000), rng.standard_normal(1000), 12.5), label="1000 samples, SNR 12.5 dB"),
    ]


# ---------------------------------------------------------------------------
# 2. the model's rate


def _rate_with(y: Any, sr: int, model_sr: int = 16_000, *, mistake: str) -> np.ndarray:
    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 2:
        y = y[0] if mistake == "left-channel" else y.mean(axis=0)
    if sr == model_sr:
        return y
    if mistake == "swapped":
        return resample(y, orig_sr=model_sr, target_sr=sr)
    if mistake == "not-resampled":
        return y
    if mistake == "decimate":
        return y[:: round(sr / model_sr)]
    return resample(y, orig_sr=sr, target_sr=model_sr)


def _rate_hidden(rng: np.random.Generator) -> list[Case]:
    y11 = synthesize("yes", sr=11_025)
    y8 = synthesize("no", sr=8_000)
    y48 = synthesize("up", sr=48_000)
    y16 = synthesize("down", sr=16_000)
    return [
        Case(args=(y11[:-1] if len(y11) % 2 == 0 else y11, 11_025), label="11,025 Hz, an odd number of samples"),
        Case(args=(y8, 8_000), label="8 kHz telephone audio (the model needs more samples)"),
        Case(args=(np.stack([y48, -0.5 * y48]), 48_000), label="48 kHz stereo, channels in opposite phase"),
        Case(args=(np.stack([y16, 0.2 * y16]), 16_000), label="16 kHz stereo: the rate is right already"),
        Case(args=(np.zeros(2205, dtype=np.float32), 22_050), label="0.1 s of digital silence at 22,050 Hz"),
        Case(args=(y16, 16_000), kwargs={"model_sr": 8_000}, label="a telephone model: 16 kHz down to 8 kHz"),
    ]


# ---------------------------------------------------------------------------
# 3. a robustness measure


def _robustness_with(snrs: Any, references: Any, hypotheses: Any, max_wer: float, *, mistake: str) -> tuple[list[float], Any]:
    if mistake == "mean-of-utterances":
        wers = [float(np.mean([wer(r, h) for r, h in zip(references, hyps)])) for hyps in hypotheses]
    else:
        wers = [float(wer(list(references), list(hyps))) for hyps in hypotheses]
    pairs = {"unsorted": list(zip(snrs, wers)), "ascending": sorted(zip(snrs, wers))}.get(mistake, sorted(zip(snrs, wers), reverse=True))
    holds_to = None
    for snr, w in pairs:
        if (w >= max_wer) if mistake == "strict" else (w > max_wer):
            break
        holds_to = snr
    return wers, holds_to


#: A small hand-made case: three utterances (7 words); ``_HALF`` gets 2 words wrong.
_REFS3 = ["yes", "go left", "call one two three"]
_OK, _HALF, _BAD = list(_REFS3), ["yes", "go", "call one two"], ["no", "", "all"]


def _robustness_hidden(rng: np.random.Generator) -> list[Case]:
    refs, ok, half, bad = _REFS3, _OK, _HALF, _BAD
    return [
        Case(args=([30, 20, 10, 0], refs, [ok, ok, half, bad], 0.0), label="SNRs from clean to noisy, no error allowed"),
        Case(args=([0, 30, 10, 20], refs, [bad, ok, half, ok], 0.5), label="SNRs in no order"),
        Case(args=([-10, -5, 0], refs, [bad, bad, bad], 0.5), label="the cleanest SNR is already too bad (None)"),
        Case(args=([-3, 3, 9], refs, [bad, half, ok], 2 / 7),
             label="a WER exactly at the limit (2 of 7 words wrong, limit 2/7)"),
        Case(args=([-6, 0, 6, 12], refs, [half, bad, half, ok], 0.4), label="a curve that comes back at the noisiest SNR"),
        Case(args=(SNRS, REFERENCES, HYPOTHESES, 0.25), label="the notebook's hypotheses, limit 0.25"),
    ]


# ---------------------------------------------------------------------------
# 4. trim to the speech


def _trim_with(y: Any, speech: Any, hop_length: int, *, mistake: str) -> np.ndarray:
    y = np.asarray(y)
    frames = np.flatnonzero(speech)
    if mistake == "speech-frames-only":
        return y[np.repeat(np.asarray(speech, dtype=bool), hop_length)[: len(y)]]
    if len(frames) == 0:
        return y if mistake == "keep-all-when-silent" else y[:0]
    if mistake == "frames-as-samples":
        return y[frames[0] : frames[-1] + 1]
    if mistake == "drops-last-frame":
        return y[frames[0] * hop_length : frames[-1] * hop_length]
    return y[frames[0] * hop_length : (frames[-1] + 1) * hop_length]


_TRIM_CODE = '''def trim_to_speech(y, speech, hop_length):
    return y[np.repeat(speech, hop_length)[:len(y)]]
'''


def _trim_hidden(rng: np.random.Generator) -> list[Case]:
    y8 = synthesize("turn it up", word_gap_ms=300, sr=8_000).astype(np.float64)
    y8 = np.concatenate([np.zeros(1601), y8, np.zeros(2000)])
    s8 = detect_speech(y8, sr=8_000)
    x = np.arange(1001.0)
    one = np.zeros(1 + 1001 // 100, dtype=bool)
    one[4] = True
    edges = np.zeros(1 + 1001 // 100, dtype=bool)
    edges[[0, -1]] = True
    return [
        Case(args=(y8, s8, 80), label=f"8 kHz speech with a pause inside ({len(y8)} samples, hop 80)"),
        Case(args=(x, one, 100), label="a single speech frame"),
        Case(args=(x, edges, 100), label="speech in the first and the last frame (1001 samples)"),
        Case(args=(np.zeros(1600), np.zeros(11, dtype=bool), 160), label="silence: no speech frame"),
        Case(args=(x[:1000], np.ones(1 + 1000 // 64, dtype=bool), 64), label="speech everywhere (1000 samples, hop 64)"),
    ]


# ---------------------------------------------------------------------------
# 5. mini-challenge: a front end


_FRONT_CODE = '''def front_end(y, sr, *, model_sr=16_000, threshold_db=-30.0):
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 2:
        y = y.mean(axis=0)
    {dc}
    if sr != model_sr:
        {resample}
    peak = np.max(np.abs(y))
    if peak > 0:
        {normalise}
    speech = asrlab.features.detect_speech(y, sr=model_sr, threshold_db=threshold_db)
    frames = np.flatnonzero(speech)
    if len(frames) > 0:
        hop = {hop}
        y = y[frames[0] * hop : (frames[-1] + 1) * hop]
    return y.astype(np.float32)
'''


def _front_code(**override: str) -> str:
    parts = {
        "dc": "y = y - y.mean()",
        "resample": "y = asrlab.audio.resample(y, orig_sr=sr, target_sr=model_sr)",
        "normalise": "y = y / peak",
        "hop": "round(10 * model_sr / 1000)",
    }
    parts.update(override)
    return _FRONT_CODE.format(**parts)


def _front_with(y: Any, sr: int, *, model_sr: int = 16_000, threshold_db: float = -30.0, mistake: str) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 2:
        y = y.mean(axis=0)
    if mistake != "no-dc":
        y = y - y.mean()
    if sr != model_sr and mistake != "no-resample":
        y = resample(y, orig_sr=sr, target_sr=model_sr)
    peak = np.max(np.abs(y))
    if peak > 0 and mistake != "no-normalise":
        y = y / peak
    speech = detect_speech(y, sr=model_sr, threshold_db=threshold_db)
    frames = np.flatnonzero(speech)
    if len(frames) > 0:
        hop = 10 if mistake == "ms-as-samples" else round(10 * model_sr / 1000)
        y = y[frames[0] * hop : (frames[-1] + 1) * hop]
    return y.astype(np.float32)


def _front_hidden(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(0, 2**31))
    m11 = messy("seven", voice="en-us+m3", seed=seed, sr=11_025, dc=-0.05, snr_db=25.0)
    m11 = m11[:-1] if len(m11) % 2 == 0 else m11
    quiet = 0.05 * messy("go right", voice="en-gb+f3", seed=seed + 1, sr=16_000, dc=0.0, snr_db=30.0)
    clean = synthesize("stop", sr=16_000)
    m48 = messy("call four", voice="en-us", seed=seed + 2, sr=48_000, dc=0.02, snr_db=20.0)
    return [
        Case(args=(m11, 11_025), label=f"11,025 Hz, a negative DC offset ({len(m11)} samples, odd)"),
        Case(args=(quiet.astype(np.float32), 16_000), label="a quiet 16 kHz recording (float32, at 1/20 of the level)"),
        Case(args=(clean, 16_000), label="a clean 16 kHz word without any room around it"),
        Case(args=(np.stack([m48, 0.3 * m48]), 48_000), label="48 kHz stereo"),
        Case(args=(m48, 48_000), kwargs={"threshold_db": -20.0}, label="48 kHz, threshold -20 dB"),
        Case(args=(np.zeros(4410), 44_100), label="digital silence (kept whole)"),
    ]


# ---------------------------------------------------------------------------


_WORD = word()
_NOISE = white_noise(len(_WORD))
_STEREO = stereo_44k()
_QUIET, _QUIET_SPEECH = quiet_sentence()
_MESSY = messy("turn the light on", voice="en-us+m3", seed=7)

EXERCISES = [
    Exercise(
        id="l11-add-noise",
        lesson=LESSON,
        title="noise at a target SNR",
        points=1,
        kind="function",
        target="add_noise_at_snr",
        reference=realworld.add_noise_at_snr,
        public=[Case(args=(_WORD, _NOISE, 10.0), label="the word 'seven' and white noise, SNR 10 dB")],
        hidden=_noise_hidden,
        hint="The SNR is a ratio of powers (mean squares) in dB. Find the power the noise must have, "
        "then the factor that brings the noise's power there: a gain on the samples changes the power "
        "by the gain squared (section 1).",
        rtol=1e-5,
        atol=1e-8,
        mistakes=[
            Mistake(
                "no-sqrt",
                "Your gain is a ratio of powers, but it multiplies samples (amplitudes): scaling the "
                "samples by g scales the power by g squared.",
                fn=lambda y, noise, snr_db: _noise_with(y, noise, snr_db, mistake="no-sqrt"),
                fills=("np.mean(y ** 2)", "p_signal / (p_noise * 10 ** (snr_db / 10))"),
            ),
            Mistake(
                "over-20",
                "You divided the SNR by 20 inside a ratio of *powers*. 20 log10 is for amplitude ratios; "
                "powers use 10 log10.",
                fn=lambda y, noise, snr_db: _noise_with(y, noise, snr_db, mistake="over-20"),
                fills=("np.mean(y ** 2)", "np.sqrt(p_signal / (p_noise * 10 ** (snr_db / 20)))"),
            ),
            Mistake(
                "inverted",
                "Your noise gets louder as the SNR goes up: the ratio is upside down. A higher SNR means "
                "less noise.",
                fn=lambda y, noise, snr_db: _noise_with(y, noise, snr_db, mistake="inverted"),
                fills=("np.mean(y ** 2)", "np.sqrt(p_signal / p_noise * 10 ** (snr_db / 10))"),
            ),
            Mistake(
                "rms-not-power",
                "p_signal is the RMS (an amplitude), while the SNR formula wants a power: the mean "
                "of the squares, without the root.",
                fn=lambda y, noise, snr_db: _noise_with(y, noise, snr_db, mistake="rms"),
                fills=("np.sqrt(np.mean(y ** 2))", "np.sqrt(p_signal / (p_noise * 10 ** (snr_db / 10)))"),
            ),
        ],
    ),
    Exercise(
        id="l11-model-rate",
        lesson=LESSON,
        title="feed the model its own sample rate",
        points=1,
        kind="function",
        target="to_model_rate",
        reference=realworld.to_model_rate,
        public=[Case(args=(_STEREO, 44_100), label="the 44.1 kHz stereo recording")],
        hidden=_rate_hidden,
        hint="Two steps: one mono signal from all channels, then a change of rate from the recording's "
        "rate to the model's with asrlab.audio.resample (section 3).",
        rtol=1e-5,
        atol=1e-7,
        mistakes=[
            Mistake(
                "swapped",
                "You resampled from the model's rate to the recording's: orig_sr is the rate the "
                "samples have now, target_sr the one they need.",
                fn=lambda y, sr, model_sr=16_000: _rate_with(y, sr, model_sr, mistake="swapped"),
                fills=("y.mean(axis=0)", "asrlab.audio.resample(y, orig_sr=model_sr, target_sr=sr)"),
            ),
            Mistake(
                "not-resampled",
                "The samples come back at the recording's rate: the model would read them as 16 kHz and "
                "hear slowed-down speech at the wrong pitch.",
                fn=lambda y, sr, model_sr=16_000: _rate_with(y, sr, model_sr, mistake="not-resampled"),
                fills=("y.mean(axis=0)", "y"),
            ),
            Mistake(
                "decimate",
                "Keeping every n-th sample only works for whole-number ratios, and without a low-pass "
                "filter first it aliases everything above the new Nyquist frequency.",
                fn=lambda y, sr, model_sr=16_000: _rate_with(y, sr, model_sr, mistake="decimate"),
                fills=("y.mean(axis=0)", "y[:: round(sr / model_sr)]"),
            ),
            Mistake(
                "left-channel",
                "You kept only the first channel; the other channel's sound is lost. Mix the channels "
                "into one.",
                fn=lambda y, sr, model_sr=16_000: _rate_with(y, sr, model_sr, mistake="left-channel"),
                fills=("y[0]", "asrlab.audio.resample(y, orig_sr=sr, target_sr=model_sr)"),
            ),
        ],
    ),
    Exercise(
        id="l11-robustness",
        lesson=LESSON,
        title="a robustness measure: WER by SNR",
        points=2,
        kind="function",
        target="robustness",
        reference=realworld.robustness,
        public=[
            Case(args=(SNRS, REFERENCES, HYPOTHESES, MAX_WER), label="the notebook's four utterances at six SNRs"),
            Case(args=([5, 25, 15], _REFS3, [_HALF, _OK, _HALF], 2 / 7),
                 label="three SNRs in no order, a WER exactly at the limit 2/7"),
        ],
        hidden=_robustness_hidden,
        hint="The WER at one SNR is the corpus WER of all utterances at that SNR. Then start at the "
        "cleanest SNR and go down while the WER stays acceptable; remember the last SNR that was "
        "(section 2).",
        mistakes=[
            Mistake(
                "mean-of-utterances",
                "You averaged the per-utterance WERs: a one-word utterance then weighs as much as a "
                "four-word one. A corpus WER divides all the errors by all the reference words.",
                fn=lambda s, r, h, m: _robustness_with(s, r, h, m, mistake="mean-of-utterances"),
                fills=("np.mean([asrlab.metrics.wer(r, h) for r, h in zip(references, hyps)])",
                       "sorted(zip(snrs, wers), reverse=True)", "w > max_wer"),
            ),
            Mistake(
                "unsorted",
                "You walked the SNRs in the order they were given. Start at the cleanest (highest) SNR.",
                fn=lambda s, r, h, m: _robustness_with(s, r, h, m, mistake="unsorted"),
                fills=("asrlab.metrics.wer(references, hyps)", "zip(snrs, wers)", "w > max_wer"),
            ),
            Mistake(
                "strict",
                "A WER exactly equal to max_wer is still acceptable ('at most'); you stopped there.",
                fn=lambda s, r, h, m: _robustness_with(s, r, h, m, mistake="strict"),
                fills=("asrlab.metrics.wer(references, hyps)", "sorted(zip(snrs, wers), reverse=True)", "w >= max_wer"),
            ),
            Mistake(
                "ascending",
                "You walked from the noisiest SNR up: a WER curve need not be monotonic, and the walk must "
                "start where the recogniser works best, at the highest SNR.",
                fn=lambda s, r, h, m: _robustness_with(s, r, h, m, mistake="ascending"),
                fills=("asrlab.metrics.wer(references, hyps)", "sorted(zip(snrs, wers))", "w > max_wer"),
            ),
        ],
    ),
    Exercise(
        id="l11-trim",
        lesson=LESSON,
        title="trim a recording to its speech",
        points=1,
        kind="function",
        target="trim_to_speech",
        reference=realworld.trim_to_speech,
        public=[
            Case(args=(_QUIET, _QUIET_SPEECH, 160), label="the notebook's sentence in faint noise, hop 160"),
            Case(args=(np.zeros(800), np.zeros(6, dtype=bool), 160), label="silence: no speech frame"),
        ],
        hidden=_trim_hidden,
        hint="Keep everything from the first speech frame to the last one, pauses included. Each "
        "frame stands for the samples from where its hop starts to where the next hop starts "
        "(section 4).",
        mistakes=[
            Mistake(
                "frames-as-samples",
                "You cut at frame numbers, but y is indexed in samples: a frame is hop_length samples.",
                fn=lambda y, s, h: _trim_with(y, s, h, mistake="frames-as-samples"),
                fills=("y[:0]", "frames[0]", "frames[-1] + 1"),
            ),
            Mistake(
                "drops-last-frame",
                "Your cut ends where the last speech frame *starts*, so that frame's samples are lost.",
                fn=lambda y, s, h: _trim_with(y, s, h, mistake="drops-last-frame"),
                fills=("y[:0]", "frames[0] * hop_length", "frames[-1] * hop_length"),
            ),
            Mistake(
                "keep-all-when-silent",
                "With no speech frame you returned the whole recording, so the recogniser would decode "
                "pure noise. Nothing is speech: return an empty piece of y.",
                fn=lambda y, s, h: _trim_with(y, s, h, mistake="keep-all-when-silent"),
                fills=("y", "frames[0] * hop_length", "(frames[-1] + 1) * hop_length"),
            ),
            Mistake(
                "speech-frames-only",
                "You kept only the speech frames and cut the pauses between the words: the words run "
                "into each other. Cut only before the first and after the last speech frame.",
                fn=lambda y, s, h: _trim_with(y, s, h, mistake="speech-frames-only"),
                code=_TRIM_CODE,
            ),
        ],
    ),
    Exercise(
        id="l11-front-end",
        lesson=LESSON,
        title="mini-challenge: a front end for messy recordings",
        points=3,
        kind="function",
        target="front_end",
        reference=realworld.front_end,
        public=[
            Case(args=(_MESSY, 44_100), label="the messy 44.1 kHz recording, defaults"),
            Case(args=(np.stack([_MESSY, 0.5 * _MESSY]), 44_100), kwargs={"threshold_db": -25.0},
                 label="the same in stereo, threshold -25 dB"),
        ],
        hidden=_front_hidden,
        hint="Follow the five steps in order: mono, DC offset out, the model's rate, peak to 1, then "
        "the energy VAD (10 ms hop) and the trim from the first to the last speech frame; keep the "
        "signal whole when no frame is speech.",
        rtol=1e-4,
        atol=1e-6,
        mistakes=[
            Mistake(
                "no-dc",
                "The DC offset is still there: every frame looks loud to the VAD, and the model sees a "
                "constant in its lowest band. Subtract the mean first.",
                fn=lambda y, sr, **kw: _front_with(y, sr, mistake="no-dc", **kw),
                code=_front_code(dc="pass"),
            ),
            Mistake(
                "no-resample",
                "Your output is still at the recording's rate; the model needs model_sr.",
                fn=lambda y, sr, **kw: _front_with(y, sr, mistake="no-resample", **kw),
                code=_front_code(resample="pass"),
            ),
            Mistake(
                "no-normalise",
                "Without dividing by the peak, threshold_db is measured against full scale, so a quiet "
                "recording has no speech at all for the VAD.",
                fn=lambda y, sr, **kw: _front_with(y, sr, mistake="no-normalise", **kw),
                code=_front_code(normalise="pass"),
            ),
            Mistake(
                "ms-as-samples",
                "Your cut uses a hop of 10 samples: the VAD's hop is 10 *ms*, which is 160 samples at 16 kHz.",
                fn=lambda y, sr, **kw: _front_with(y, sr, mistake="ms-as-samples", **kw),
                code=_front_code(hop="10"),
            ),
        ],
    ),
]
