"""Tests for asrlab.model: front end, alphabet, shapes and lengths, checkpoints, transcription."""

from __future__ import annotations

import io
import pickle
import warnings

import librosa
import numpy as np
import pytest
import soundfile as sf
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from asrlab import features, model
from asrlab.model import ALPHABET, ModelConfig, TinyCTC


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """One thread: on a small shared CPU, more threads only wait for each other."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def net() -> TinyCTC:
    torch.manual_seed(0)
    return TinyCTC().eval()


def test_the_default_model_has_about_048_million_parameters_and_29_classes(net):
    assert model.count_parameters(net) == 479_037
    assert len(ALPHABET) == 29 and ALPHABET[0] == "_" and ALPHABET[1] == " "
    x, lengths = model.pad_batch([np.zeros(16000, np.float32), np.ones(8000, np.float32) * 0.1])
    log_probs, out_lengths = net(x, lengths)
    assert log_probs.shape == (2, 26, 29)
    assert out_lengths.tolist() == [26, 13]
    torch.testing.assert_close(log_probs.exp().sum(-1), torch.ones(2, 26))


@pytest.mark.parametrize(("frames", "expected"), [(1, 1), (2, 1), (3, 1), (4, 1), (5, 2), (8, 2), (9, 3), (101, 26), (400, 100)])
def test_output_lengths_hand_computed(frames, expected):
    assert model.output_lengths(frames) == expected


def test_output_lengths_on_arrays_and_tensors():
    frames = np.array([1, 5, 101, 1000])
    np.testing.assert_array_equal(model.output_lengths(frames), [1, 2, 26, 250])
    assert model.output_lengths(torch.tensor([101, 9])).tolist() == [26, 3]
    with pytest.raises(TypeError, match="input_lengths: expected frame counts"):
        model.output_lengths(True)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=32000), min_size=1, max_size=3))
def test_output_lengths_equal_the_models_real_output_length(net, n_samples):
    """For every utterance of a padded batch, and for each one alone."""
    rng = np.random.default_rng(len(n_samples))
    waves = [rng.standard_normal(n).astype(np.float32) * 0.1 for n in n_samples]
    batch, lengths = model.pad_batch(waves)
    with torch.no_grad():
        log_probs, out_lengths = net(batch, lengths)
        expected = [model.output_lengths(model.frame_lengths(n)) for n in n_samples]
        assert out_lengths.tolist() == expected
        assert log_probs.shape[1] == max(expected)
        for w, n_out in zip(waves, expected):
            alone, alone_lengths = net(*model.pad_batch([w]))
            assert alone.shape[1] == n_out == int(alone_lengths[0])


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(min_value=200, max_value=24000), min_size=2, max_size=4), st.integers(0, 1000))
def test_padding_never_changes_an_utterances_output(net, n_samples, seed):
    rng = np.random.default_rng(seed)
    waves = [rng.standard_normal(n).astype(np.float32) * 0.1 for n in n_samples]
    with torch.no_grad():
        batch_lp, batch_len = net(*model.pad_batch(waves))
        for i, w in enumerate(waves):
            alone, alone_len = net(*model.pad_batch([w]))
            n = int(alone_len[0])
            assert int(batch_len[i]) == n
            torch.testing.assert_close(batch_lp[i, :n], alone[0], atol=2e-5, rtol=1e-5)


def _packed_reference(bigru: model.BiGRU, layers: int) -> torch.nn.GRU:
    """torch's own bidirectional GRU with ``bigru``'s weights, to run on packed sequences."""
    first = bigru.forward_layers[0]
    ref = torch.nn.GRU(first.input_size, first.hidden_size, num_layers=layers, bidirectional=True, batch_first=True)
    ref = ref.to(first.weight_ih_l0.dtype)
    with torch.no_grad():
        for layer in range(layers):
            for suffix, gru in (("", bigru.forward_layers[layer]), ("_reverse", bigru.backward_layers[layer])):
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    getattr(ref, f"{name}_l{layer}{suffix}").copy_(getattr(gru, f"{name}_l0"))
    return ref


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=5),
    st.integers(1, 3), st.integers(1, 24), st.integers(1, 20), st.integers(0, 1000),
)
def test_bigru_trains_with_the_outputs_and_gradients_of_torchs_packed_bidirectional_gru(lengths, layers, size, hidden, seed):
    """On a CPU with gradients, BiGRU steps both directions through its own recurrence;
    torch.nn.GRU(bidirectional=True) on packed sequences is the reference."""
    torch.manual_seed(seed)
    bigru = model.BiGRU(size, hidden, layers=layers, dropout=0.0).double()
    ref = _packed_reference(bigru, layers)
    lengths_t = torch.tensor(lengths)
    x = torch.randn(len(lengths), max(lengths), size, dtype=torch.double)
    valid = (torch.arange(max(lengths))[None, :] < lengths_t[:, None])[:, :, None].double()
    upstream = torch.randn(len(lengths), max(lengths), 2 * hidden, dtype=torch.double) * valid

    ours_x = x.clone().requires_grad_()
    ours = bigru(ours_x, lengths_t)
    (ours * upstream).sum().backward()

    ref_x = x.clone().requires_grad_()
    packed = torch.nn.utils.rnn.pack_padded_sequence(ref_x, lengths_t, batch_first=True, enforce_sorted=False)
    theirs, _ = torch.nn.utils.rnn.pad_packed_sequence(ref(packed)[0], batch_first=True, total_length=max(lengths))
    (theirs * upstream).sum().backward()

    torch.testing.assert_close(ours * valid, theirs, rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(ours_x.grad, ref_x.grad, rtol=1e-9, atol=1e-12)
    for layer in range(layers):
        for suffix, gru in (("", bigru.forward_layers[layer]), ("_reverse", bigru.backward_layers[layer])):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                torch.testing.assert_close(
                    getattr(gru, f"{name}_l0").grad, getattr(ref, f"{name}_l{layer}{suffix}").grad, rtol=1e-9, atol=1e-12,
                )
    with torch.no_grad():  # the route without gradients (each direction's torch.nn.GRU)
        torch.testing.assert_close(bigru(x, lengths_t), ours.detach(), rtol=1e-9, atol=1e-12)


def test_the_models_gradients_in_float32_match_those_of_torchs_gru_route():
    """The whole model, as it trains: one float32 step's gradients with the CPU recurrence
    and with torch.nn.GRU per direction (the route of other devices) agree."""
    torch.manual_seed(1)
    net = TinyCTC()
    rng = np.random.default_rng(1)
    batch, lengths = model.pad_batch([rng.standard_normal(n).astype(np.float32) * 0.1 for n in (16000, 9000, 4000)])
    targets, target_lengths = torch.tensor([8, 16, 1, 22, 17, 9, 5, 19]), torch.tensor([5, 2, 1])

    def gradients() -> list[torch.Tensor]:
        net.zero_grad()
        log_probs, out_lengths = net(batch, lengths)
        torch.nn.functional.ctc_loss(log_probs.transpose(0, 1), targets, out_lengths, target_lengths).backward()
        return [p.grad.clone() for p in net.parameters()]

    ours = gradients()
    original = model._gru_directions
    try:
        model._gru_directions = lambda inputs, grus: [gru(x)[0] for x, gru in zip(inputs, grus)]
        theirs = gradients()
    finally:
        model._gru_directions = original
    assert len(ours) == len(theirs) == len(list(net.parameters())) == 26
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


@settings(max_examples=10, deadline=None)
@given(
    st.integers(min_value=400, max_value=12000), st.integers(min_value=0, max_value=1000), st.sampled_from([32, 80])
)
def test_mel_front_end_matches_asrlab_features_and_librosa(n, seed, n_mels):
    y = np.random.default_rng(seed).standard_normal(n).astype(np.float32) * 0.3
    ours = model.LogMel(ModelConfig(n_mels=n_mels)).mel(torch.from_numpy(y)[None])[0].numpy()
    reference = features.melspectrogram(y, sr=16000, n_fft=400, hop_length=160, n_mels=n_mels)
    lib = librosa.feature.melspectrogram(y=y, sr=16000, n_fft=400, hop_length=160, n_mels=n_mels, pad_mode="constant")
    assert ours.shape == reference.shape == lib.shape
    np.testing.assert_allclose(ours, reference, rtol=1e-3, atol=1e-5 * reference.max())
    np.testing.assert_allclose(ours, lib, rtol=1e-3, atol=1e-5 * lib.max())


def test_front_end_fmax_limits_the_filterbank():
    cfg = ModelConfig(fmax=4000.0, n_mels=80)
    basis = model.LogMel(cfg).basis.numpy()
    np.testing.assert_allclose(basis, librosa.filters.mel(sr=16000, n_fft=400, n_mels=80, fmax=4000.0), rtol=1e-5, atol=1e-8)
    freqs = np.fft.rfftfreq(400, 1 / 16000)
    assert basis[:, freqs > 4000].max() == 0.0


def test_features_are_normalised_per_band_and_padding_is_zero():
    rng = np.random.default_rng(0)
    long, short = rng.standard_normal(16000).astype(np.float32), rng.standard_normal(6000).astype(np.float32)
    batch, lengths = model.pad_batch([long, short])
    front = model.LogMel(ModelConfig())
    feats, n_frames = front(batch, lengths)
    assert n_frames.tolist() == [101, 38]
    valid = feats[1, :, :38]
    torch.testing.assert_close(valid.mean(-1), torch.zeros(32), atol=1e-4, rtol=0)
    torch.testing.assert_close(valid.std(-1, unbiased=False), torch.ones(32), atol=1e-3, rtol=0)
    assert torch.all(feats[1, :, 38:] == 0)
    alone, _ = front(*model.pad_batch([short]))
    # the last valid frame sees the padding of the batch only through its window: compare the rest
    torch.testing.assert_close(feats[1, :, :36], alone[0, :, :36], atol=1e-4, rtol=1e-4)


def test_features_barely_change_with_the_recording_gain():
    y = np.random.default_rng(1).standard_normal(8000).astype(np.float32) * 0.3
    front = model.LogMel(ModelConfig())
    loud, _ = front(*model.pad_batch([y]))
    quiet, _ = front(*model.pad_batch([y * 0.25]))
    torch.testing.assert_close(loud, quiet, atol=0.02, rtol=0)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.7, 1.4))
def test_warp_frequencies_matches_numpy_interpolation(seed, factor):
    rng = np.random.default_rng(seed)
    power = rng.random((2, 201, 7)).astype(np.float32)
    factors = np.array([factor, 1.0 / factor], dtype=np.float32)
    warped = model.warp_frequencies(torch.from_numpy(power), torch.from_numpy(factors)).numpy()
    bins = np.arange(201)
    for b in range(2):
        for t in range(7):
            src = bins / factors[b]
            expected = np.interp(src, bins, power[b, :, t], right=0.0)
            clear = np.abs(src - 200) > 1e-3  # float32 and float64 may disagree on "past the last bin"
            np.testing.assert_allclose(warped[b, clear, t], expected[clear], rtol=1e-4, atol=1e-5)


def test_warp_frequencies_moves_a_tone_by_the_factor():
    sr, f0 = 16000, 1000.0
    t = np.arange(sr) / sr
    wave = torch.from_numpy(np.sin(2 * np.pi * f0 * t).astype(np.float32))[None]
    spec = torch.stft(wave, n_fft=400, hop_length=160, window=torch.hann_window(400), return_complex=True)
    power = spec.abs() ** 2
    assert model.warp_frequencies(power, torch.tensor([1.0])).equal(power)
    peak = model.warp_frequencies(power, torch.tensor([1.2]))[0, :, 50].argmax().item()
    assert peak * sr / 400 == pytest.approx(1.2 * f0, abs=sr / 400)


def test_top_db_floor_makes_silence_look_alike_at_any_noise_level():
    rng = np.random.default_rng(2)
    speech = rng.standard_normal(8000).astype(np.float32) * 0.3
    silence = np.zeros(4000, np.float32)
    digital = np.concatenate([silence, speech, silence])
    hiss = digital + rng.standard_normal(len(digital)).astype(np.float32) * 1e-3  # 50 dB down
    for top_db, close in ((None, False), (30.0, True)):
        front = model.LogMel(ModelConfig(top_db=top_db))
        a, _ = front(*model.pad_batch([digital]))
        b, _ = front(*model.pad_batch([hiss]))
        assert torch.allclose(a, b, atol=0.05) is close


def test_pad_batch_zero_pads_and_reports_lengths():
    batch, lengths = model.pad_batch([np.ones(3), np.ones(5) * 2, torch.ones(1)], multiple_of=4)
    assert batch.dtype == torch.float32 and batch.shape == (3, 8)
    assert lengths.tolist() == [3, 5, 1]
    assert batch[0].tolist() == [1, 1, 1, 0, 0, 0, 0, 0]
    assert batch[1].tolist() == [2, 2, 2, 2, 2, 0, 0, 0]
    with pytest.raises(ValueError, match="waveforms: expected at least one signal"):
        model.pad_batch([])
    with pytest.raises(ValueError, match=r"waveforms\[1\]: expected a non-empty mono signal of shape \(n,\), got shape \(2, 3\)"):
        model.pad_batch([np.ones(3), np.ones((2, 3))])


def test_text_encoding_round_trip():
    ids = model.encode_text("go up")
    assert ids == [8, 16, 1, 22, 17]
    assert model.decode_ids(ids) == "go up"
    assert model.decode_ids([0, 8, 0, 16]) == "go"
    with pytest.raises(ValueError, match="text: expected only characters of the alphabet"):
        model.encode_text("Go!")


def test_checkpoint_round_trip_with_weights_only(tmp_path, net):
    path = model.save_checkpoint(net, tmp_path / "m.pt", history={"val CER": [0.5, 0.25]}, val_cer=0.25)
    raw = torch.load(path, weights_only=True)
    assert raw["alphabet"] == ALPHABET and raw["config"]["n_mels"] == 32 and raw["val_cer"] == 0.25
    loaded, ckpt = model.load_checkpoint(path)
    assert ckpt["history"] == {"val CER": [0.5, 0.25]}
    assert not loaded.training
    x, lengths = model.pad_batch([np.random.default_rng(2).standard_normal(12000).astype(np.float32)])
    with torch.no_grad():
        torch.testing.assert_close(loaded(x, lengths)[0], net(x, lengths)[0], rtol=0, atol=0)


def test_the_convolutions_run_channels_last_with_the_numbers_of_the_plain_layout(tmp_path, net):
    """The weights are kept in oneDNN's channels-last layout (a faster CPU step); a saved
    and loaded model keeps it, and outputs and gradients equal the plain layout's to rounding."""
    loaded, _ = model.load_checkpoint(model.save_checkpoint(net, tmp_path / "m.pt"))
    for m in (net, loaded):
        assert all(c.weight.is_contiguous(memory_format=torch.channels_last) for c in m.conv)
        assert not m.conv[1].weight.is_contiguous()  # (the first has one input channel: both layouts)
    plain = TinyCTC()
    plain.load_state_dict(net.state_dict())
    plain.conv.to(memory_format=torch.contiguous_format)
    assert all(c.weight.is_contiguous() for c in plain.conv)
    x, lengths = model.pad_batch([np.random.default_rng(s).standard_normal(n).astype(np.float32)
                                  for s, n in ((0, 12000), (1, 7000), (2, 16000))])
    outputs = []
    for m in (net, plain):
        m.zero_grad()
        log_probs, _ = m(x, lengths)
        log_probs[:, :, 3].sum().backward()
        outputs.append((log_probs.detach(), [c.weight.grad.clone() for c in m.conv]))
    (ours, our_grads), (theirs, their_grads) = outputs
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)
    for g, h in zip(our_grads, their_grads):
        torch.testing.assert_close(g, h, rtol=1e-4, atol=1e-5)
    net.zero_grad()


def test_checkpoint_keeps_a_non_default_config(tmp_path):
    cfg = ModelConfig(fmax=4000.0, hidden=32, d_model=64, channels=8)
    small = TinyCTC(cfg)
    loaded, _ = model.load_checkpoint(model.save_checkpoint(small, tmp_path / "s.pt"))
    assert loaded.config == cfg
    assert model.count_parameters(loaded) == model.count_parameters(small)


def test_load_checkpoint_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="path: expected an existing checkpoint file"):
        model.load_checkpoint(tmp_path / "missing.pt")
    good = model.save_checkpoint(TinyCTC(ModelConfig(hidden=8, d_model=8, channels=4)), tmp_path / "good.pt").read_bytes()
    unsafe = io.BytesIO()
    torch.save({"config": {}, "state_dict": {}, "extra": np.arange(3)}, unsafe)  # a NumPy array: not weights-only
    pickled = io.BytesIO()
    pickle.dump({"config": {}, "state_dict": {}}, pickled)
    reasons = {
        b"not a checkpoint": "not a zip archive, as PyTorch checkpoints are: its first bytes are b'not '",
        b"RIFF\x24\x00\x00\x00WAVEfmt ": "not a zip archive, as PyTorch checkpoints are: its first bytes are b'RIFF'",
        pickled.getvalue(): f"not a zip archive, as PyTorch checkpoints are: its first bytes are {pickled.getvalue()[:4]!r}",
        b"": "the file is empty",
        good[: len(good) // 2]: "the zip archive is damaged or truncated",
        unsafe.getvalue(): "it holds Python objects other than tensors and plain data, which asrlab never loads",
    }
    bad = tmp_path / "bad.pt"
    for content, reason in reasons.items():
        bad.write_bytes(content)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # and no warning of torch's reaches the learner
            with pytest.raises(ValueError) as err:
                model.load_checkpoint(bad)
        assert str(err.value) == f"path: expected a checkpoint saved by asrlab, got '{bad}' ({reason})"
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, other)
    with pytest.raises(ValueError, match=r"a dict with config and state_dict"):
        model.load_checkpoint(other)


def test_pick_device(monkeypatch):
    assert model.pick_device("cpu") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    if getattr(torch.backends, "mps", None) is not None:
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert model.pick_device("auto") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert model.pick_device("auto") == torch.device("cuda")
    with pytest.raises(ValueError, match="device: expected one of 'cpu', 'cuda', 'mps', got 'tpu'"):
        model.pick_device("tpu")


def test_transcribe_resamples_and_mixes_down_any_input(tmp_path, net):
    from asrlab.data import synthesize

    y16 = synthesize("go left", sr=16000)
    y44 = synthesize("go left", sr=44100)
    stereo = np.stack([y44, y44])
    path = tmp_path / "stereo44.wav"
    sf.write(path, stereo.T, 44100, subtype="FLOAT")
    from_file = model.prepare_audio(path, sr=None, target_sr=16000)
    from_array = model.prepare_audio(stereo, sr=44100, target_sr=16000)
    np.testing.assert_allclose(from_file, from_array, atol=1e-6)
    n = min(len(from_file), len(y16))
    assert abs(len(from_file) - len(y16)) <= 2
    assert np.corrcoef(from_file[:n], y16[:n])[0, 1] > 0.99
    (lp_file,) = model.logits_for(net, [from_file])
    (lp_16,) = model.logits_for(net, [y16[: len(from_file)]])
    assert lp_file.shape == lp_16.shape
    text = model.transcribe(net, path)
    assert isinstance(text, str) and text == model.transcribe(net, stereo, sr=44100)
    assert set(text) <= set(ALPHABET[1:])
    assert model.transcribe(net, path, beam=1) == model.decode(lp_file, beam=None)
    with pytest.raises(ValueError, match="sr: expected None for a file"):
        model.transcribe(net, path, sr=16000)
    with pytest.raises(ValueError, match="path: expected an existing audio file"):
        model.transcribe(net, tmp_path / "nope.wav")


# --------------------------------------------------------------------------------------
# decoding constrained to a vocabulary


def _frames(*rows: dict[str, float]) -> np.ndarray:
    """Log-probabilities, one frame per dict of symbol -> probability (the rest: blank)."""
    out = np.full((len(rows), len(ALPHABET)), 1e-6)
    for t, row in enumerate(rows):
        for symbol, p in row.items():
            out[t, ALPHABET.index(symbol)] = p
        out[t, 0] = max(1e-6, 1.0 - sum(row.values()))
    out /= out.sum(axis=1, keepdims=True)
    return np.log(out)


def test_a_vocabulary_turns_a_misspelling_into_the_nearest_word():
    # Best path "t h r e _ _" reads "thre"; the second "e" of "three" is only 45% likely.
    lp = _frames({"t": 0.9}, {"h": 0.9}, {"r": 0.9}, {"e": 0.9}, {"e": 0.4}, {"e": 0.45})
    assert model.decode(lp) == "thre"
    assert model.decode(lp, vocabulary=["three", "two", "tree"]) == "three"
    assert model.decode(lp, vocabulary=["tree", "two"]) == "tree"
    assert model.decode(lp, vocabulary=["two"], beam=2) == ""  # nothing is forced on it


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_vocabulary_decoding_returns_the_best_beam_made_of_its_words(seed):
    from asrlab import ctc
    from asrlab.data import DIGITS

    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(int(rng.integers(8, 40)), len(ALPHABET))) * 3
    lp = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    text = model.decode(lp, vocabulary=list(DIGITS), beam=6)
    assert all(word in DIGITS for word in text.split())
    beams = ctc.beam_search(
        lp, alphabet=ALPHABET, blank=0, beam_width=6, lm=ctc.vocabulary_lm(list(DIGITS)), lm_weight=1.0,
        return_beams=True,
    )
    whole = [" ".join(t.split()) for t, _ in beams if all(w in DIGITS for w in t.split())]
    assert text == (whole[0] if whole else "")
    if " ".join(beams[0][0].split()) in whole:  # the unconstrained winner is already made of digits
        assert text == " ".join(beams[0][0].split())


def test_a_bad_vocabulary_gets_a_clear_error():
    lp = _frames({"a": 0.9})
    with pytest.raises(TypeError, match=r"^vocabulary: expected a list of words, got str 'yes no'"):
        model.decode(lp, vocabulary="yes no")
    with pytest.raises(ValueError, match=r"^vocabulary: expected at least one word, got an empty list$"):
        model.decode(lp, vocabulary=[])
    with pytest.raises(ValueError, match=r"^vocabulary: expected non-empty words \(strings\), got ''$"):
        model.decode(lp, vocabulary=["yes", ""])
    with pytest.raises(ValueError, match=r"^vocabulary: 'Hello!' has '!H', not in the model's alphabet"):
        model.decode(lp, vocabulary=["Hello!"])
    with pytest.raises(ValueError, match=r"^beam: "):
        model.decode(lp, vocabulary=["a"], beam=0)


# --------------------------------------------------------------------------------------
# silence trimmed to what the model was trained with


def test_with_pad_ms_the_model_hears_the_same_however_much_silence_a_recording_has():
    from asrlab import data

    torch.manual_seed(0)
    net = TinyCTC(ModelConfig(channels=8, d_model=32, hidden=16, layers=1, pad_ms=80)).eval()
    plain = TinyCTC(ModelConfig(channels=8, d_model=32, hidden=16, layers=1)).eval()
    plain.load_state_dict(net.state_dict())
    y = data.synthesize("go left three", pad_ms=0)
    silence = np.zeros(16000, np.float32)
    variants = [y, np.concatenate([silence, y]), np.concatenate([y, silence, silence]), np.concatenate([silence, y, silence])]
    lps = model.logits_for(net, variants)
    for lp in lps[1:]:
        np.testing.assert_allclose(lp, lps[0], atol=1e-5)
    (expected,) = model.logits_for(plain, [np.concatenate([np.zeros(1280, np.float32), y, np.zeros(1280, np.float32)])])
    np.testing.assert_allclose(lps[0], expected, atol=1e-5)  # = exactly 80 ms of silence on each side
    assert [len(lp) for lp in model.logits_for(plain, variants)] != [len(lp) for lp in lps]
    (quiet,) = model.logits_for(net, [np.zeros(4000, np.float32)])  # no sound at all: used as it is
    assert quiet.shape == (model.output_lengths(model.frame_lengths(4000)), len(ALPHABET))
    assert model.transcribe(net, np.concatenate([silence, y])) == model.transcribe(net, y)


@pytest.mark.parametrize("bad", [-1, 10001, True, "80"])
def test_pad_ms_must_be_a_number_of_milliseconds(bad):
    with pytest.raises(ValueError, match=r"^pad_ms: expected None or a number of ms from 0 to 10000, got "):
        ModelConfig(pad_ms=bad)
