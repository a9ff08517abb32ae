// The course's Record button (asrlab.recorder.Recorder): microphone -> MediaRecorder ->
// Web Audio decoding at the widget's sample rate -> mono float32 samples sent to the kernel.

function drawWaveform(canvas, samples) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = "#8884";
  ctx.beginPath();
  ctx.moveTo(0, height / 2);
  ctx.lineTo(width, height / 2);
  ctx.stroke();
  ctx.strokeStyle = "#1f77b4";
  ctx.beginPath();
  const perPixel = Math.max(1, Math.floor(samples.length / width));
  for (let x = 0; x < width; x++) {
    let lo = 0, hi = 0;
    const start = x * perPixel;
    for (let i = start; i < Math.min(start + perPixel, samples.length); i++) {
      lo = Math.min(lo, samples[i]);
      hi = Math.max(hi, samples[i]);
    }
    ctx.moveTo(x + 0.5, (1 - hi) * height / 2);
    ctx.lineTo(x + 0.5, (1 - lo) * height / 2 + 1);
  }
  ctx.stroke();
}

function mixDown(audio) {
  const mono = new Float32Array(audio.length);
  for (let c = 0; c < audio.numberOfChannels; c++) {
    const channel = audio.getChannelData(c);
    for (let i = 0; i < audio.length; i++) mono[i] += channel[i] / audio.numberOfChannels;
  }
  return mono;
}

export default {
  render({ model, el }) {
    el.classList.add("asrlab-recorder");
    const button = document.createElement("button");
    button.className = "asrlab-recorder-button";
    button.textContent = "● Record";
    const status = document.createElement("span");
    status.className = "asrlab-recorder-status";
    const player = document.createElement("audio");
    player.controls = true;
    player.hidden = true;
    const canvas = document.createElement("canvas");
    canvas.className = "asrlab-recorder-waveform";
    canvas.width = 600;
    canvas.height = 80;
    canvas.hidden = true;
    const row = document.createElement("div");
    row.className = "asrlab-recorder-row";
    row.append(button, status);
    el.append(row, player, canvas);

    const showStatus = () => { status.textContent = model.get("status"); };
    const setStatus = (text) => { model.set("status", text); model.save_changes(); };
    model.on("change:status", showStatus);
    showStatus();

    let recorder = null;
    let stream = null;
    let timer = null;

    async function finish(chunks, mimeType) {
      stream.getTracks().forEach((track) => track.stop());
      button.textContent = "● Record";
      button.disabled = false;
      const blob = new Blob(chunks, { type: mimeType });
      if (player.src) URL.revokeObjectURL(player.src);
      player.src = URL.createObjectURL(blob);
      player.hidden = false;
      const rate = model.get("sr");
      const context = new AudioContext({ sampleRate: rate });
      let audio;
      try {
        audio = await context.decodeAudioData(await blob.arrayBuffer());
      } catch (err) {
        setStatus(`The recording could not be decoded (${err.name}: ${err.message}).`);
        return;
      } finally {
        context.close();
      }
      const mono = mixDown(audio);
      canvas.hidden = false;
      drawWaveform(canvas, mono);
      setStatus(`Sending ${(mono.length / audio.sampleRate).toFixed(2)} s to the kernel…`);
      model.send({ type: "take", sr: audio.sampleRate, channels: audio.numberOfChannels }, undefined, [mono.buffer]);
    }

    async function start() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        setStatus("This browser gives no microphone access here (it needs https or localhost).");
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
        });
      } catch (err) {
        setStatus(`No microphone: ${err.name} (${err.message}). Allow the microphone and press Record again.`);
        return;
      }
      const chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", (event) => { if (event.data.size) chunks.push(event.data); });
      recorder.addEventListener("stop", () => finish(chunks, recorder.mimeType));
      recorder.start();
      button.textContent = "■ Stop";
      const limit = model.get("max_seconds");
      setStatus(`Recording… speak now (stops by itself after ${limit} s).`);
      timer = setTimeout(stop, limit * 1000);
    }

    function stop() {
      clearTimeout(timer);
      if (recorder && recorder.state === "recording") {
        button.disabled = true;
        recorder.stop();
      }
    }

    button.addEventListener("click", () => {
      if (recorder && recorder.state === "recording") stop();
      else start();
    });
    return () => {
      stop();
      if (player.src) URL.revokeObjectURL(player.src);
    };
  },
};
