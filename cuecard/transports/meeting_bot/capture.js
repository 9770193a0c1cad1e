// Cuecard meeting bot: capture the meeting's incoming audio inside the page.
//
// Injected with page.add_init_script, so it runs before the platform's own scripts and sees
// every RTCPeerConnection the page creates. Each remote audio track is resampled to 16 kHz
// mono by an AudioContext running at 16 kHz, cut into 40 ms chunks of signed 16-bit PCM and
// handed to Python through the exposed binding window.__cuecardAudio(key, base64) — no extra
// network hop. window.__cuecardTrack(info) announces a track (key, mid, stream and track ids)
// and its end, so Python can name the participant.
//
// Mode (window.__cuecardCaptureConfig.mode, set by a tiny init script before this one):
//   "per_track": one key per remote audio track (platforms that send one track per person);
//   "mixed":     every remote track summed into one key "mix" (platforms that send a mix or
//                a few "loudest speaker" slots); Python names it by the active-speaker marker.
(() => {
  if (window.__cuecardCaptureInstalled) return;
  window.__cuecardCaptureInstalled = true;
  const config = Object.assign({ mode: "per_track", chunkMs: 40 }, window.__cuecardCaptureConfig || {});
  const RATE = 16000;
  const CHUNK = Math.round((RATE * config.chunkMs) / 1000);
  const NativePC = window.RTCPeerConnection || window.webkitRTCPeerConnection;
  if (!NativePC) return;

  let context = null;
  let workletReady = null;
  let mixBus = null;
  let nextKey = 1;
  const keepAlive = []; // audio elements and nodes that must not be garbage-collected
  const seenTracks = new Set();

  const WORKLET = `
    class CuecardChunker extends AudioWorkletProcessor {
      constructor(options) { super(); this.size = options.processorOptions.size; this.buf = new Int16Array(this.size); this.n = 0; }
      process(inputs) {
        const input = inputs[0];
        if (input && input.length) {
          const ch = input[0];
          for (let i = 0; i < ch.length; i++) {
            let s = 0;
            for (let c = 0; c < input.length; c++) s += input[c][i];
            s = Math.max(-1, Math.min(1, s / input.length));
            this.buf[this.n++] = Math.round(s < 0 ? s * 32768 : s * 32767);  // Int16Array truncates: round first
            if (this.n === this.size) { this.port.postMessage(this.buf.buffer, [this.buf.buffer]); this.buf = new Int16Array(this.size); this.n = 0; }
          }
        }
        return true;
      }
    }
    registerProcessor("cuecard-chunker", CuecardChunker);`;

  function audioContext() {
    if (!context) {
      context = new AudioContext({ sampleRate: RATE });
      // A Blob-URL worklet can be refused by a page's Content-Security-Policy: then fall back
      // to the (deprecated but universal) ScriptProcessorNode.
      const url = URL.createObjectURL(new Blob([WORKLET], { type: "application/javascript" }));
      workletReady = context.audioWorklet.addModule(url).then(() => true, () => false);
    }
    if (context.state === "suspended") context.resume().catch(() => {});
    return context;
  }

  function toBase64(int16) {
    const bytes = new Uint8Array(int16.buffer, int16.byteOffset, int16.byteLength);
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }

  function send(key, int16) {
    if (window.__cuecardAudio) window.__cuecardAudio(key, toBase64(int16)).catch(() => {});
  }

  async function chunker(key, source) {
    const ctx = audioContext();
    if (await workletReady) {
      const node = new AudioWorkletNode(ctx, "cuecard-chunker", {
        processorOptions: { size: CHUNK }, numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: "explicit",
      });
      node.port.onmessage = (e) => send(key, new Int16Array(e.data));
      source.connect(node);
      node.connect(ctx.destination); // silent output keeps the graph pulling audio
      keepAlive.push(node);
      return node;
    }
    const node = ctx.createScriptProcessor(1024, 1, 1);
    let buf = new Int16Array(CHUNK), n = 0;
    node.onaudioprocess = (e) => {
      const ch = e.inputBuffer.getChannelData(0);
      for (let i = 0; i < ch.length; i++) {
        const s = Math.max(-1, Math.min(1, ch[i]));
        buf[n++] = Math.round(s < 0 ? s * 32768 : s * 32767);
        if (n === CHUNK) { send(key, buf); buf = new Int16Array(CHUNK); n = 0; }
      }
    };
    source.connect(node);
    node.connect(ctx.destination);
    keepAlive.push(node);
    return node;
  }

  function announce(info) {
    if (window.__cuecardTrack) window.__cuecardTrack(info).catch(() => {});
  }

  async function onTrack(event) {
    const track = event.track;
    if (!track || track.kind !== "audio" || seenTracks.has(track.id)) return;
    seenTracks.add(track.id);
    const stream = new MediaStream([track]);
    // Chromium delivers no samples from a remote WebRTC track to Web Audio unless the track
    // also plays in a media element; a muted one is enough.
    const sink = new Audio();
    sink.muted = true;
    sink.srcObject = stream;
    sink.play().catch(() => {});
    keepAlive.push(sink);
    const ctx = audioContext();
    const source = ctx.createMediaStreamSource(stream);
    keepAlive.push(source);
    const info = {
      mid: event.transceiver ? event.transceiver.mid : null,
      stream_ids: (event.streams || []).map((s) => s.id),
      track_id: track.id,
      label: track.label,
    };
    if (config.mode === "mixed") {
      if (!mixBus) {
        mixBus = ctx.createGain();
        keepAlive.push(mixBus);
        await chunker("mix", mixBus);
        announce({ key: "mix", mixed: true });
      }
      source.connect(mixBus);
      announce({ key: "mix", mixed: true, ...info });
      return;
    }
    const key = "t" + nextKey++;
    await chunker(key, source);
    announce({ key, ...info });
    track.addEventListener("ended", () => announce({ key, ended: true, ...info }));
  }

  class CuecardPeerConnection extends NativePC {
    constructor(...args) {
      super(...args);
      this.addEventListener("track", (e) => { onTrack(e).catch((err) => console.warn("cuecard capture", err)); });
    }
  }
  window.RTCPeerConnection = CuecardPeerConnection;
  if (window.webkitRTCPeerConnection) window.webkitRTCPeerConnection = CuecardPeerConnection;
})();
