// Cuecard practice page: set up a round, hear each question (the browser's speech synthesis,
// text shown too), answer aloud through the same WebRTC path as a live interview (role
// candidate), see the scorecard, follow progress over rounds.
//
// Decisions:
// - The microphone is opened afresh for every answer and swapped into the connection's sender
//   (replaceTrack, no renegotiation), and muted between answers: nothing is heard while the
//   question is read out or while the candidate reads the scorecard.
// - An answer ends with the button or after 3 s of silence measured here (the microphone's
//   level, once speech was heard); the server then takes the transcript lines of the answer
//   window, so the score needs no extra audio round trip.
// - "Score shown" time (end of answer → scorecard drawn) is measured in the page
//   (window.cuecardPractice.timings) so the page test can report it.
"use strict";

const SILENCE_END_MS = 3000;
const LEVEL_SPEECH = 0.02;      // RMS of a voice near the microphone; background noise is lower
const MAX_ANSWER_MS = 4 * 60_000;
const TARGETS = { behavioral: [60, 120], situational: [60, 120], technical: [30, 90], cultural: [30, 90] };

const $ = (id) => document.getElementById(id);
const Auth = window.CuecardAuth;
const Chart = window.CuecardChart;

const state = {
  practice: null, index: 0, pc: null, pcId: null, sender: null, dc: null, liveSessionId: null,
  track: null, answering: false, answerStart: 0, heard: false, lastVoice: 0, timer: null, meter: null,
  audioCtx: null, lines: new Map(), pendingCandidates: [], candidateTimer: null, ending: false,
};
const test = { timings: [], state: "idle" };
window.cuecardPractice = test;

// --------------------------------------------------------------------------- small helpers

function notice(text, level = "warn") {
  const box = $("notice");
  box.hidden = !text;
  box.className = `notice ${level === "error" ? "error" : ""}`;
  box.textContent = text || "";
}

function status(kind, text) {
  $("conn-state").className = `pill ${kind}`;
  $("conn-state").textContent = kind === "live" ? "live" : kind === "connecting" ? "connecting" : kind;
  if (text) $("status-text").textContent = text;
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
  const r = await Auth.authFetch(path, options, { required: true });
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) {
    const err = new Error(data?.error?.message || `HTTP ${r.status}`);
    err.status = r.status; err.code = data?.error?.code;
    throw err;
  }
  return data;
}

function clock(ms) {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function currentQuestion() { return state.practice.questions[state.index]; }

function show(id, visible) { $(id).hidden = !visible; }

// --------------------------------------------------------------------------- set-up form

async function loadChoices() {
  try {
    const jobs = await api("GET", "/api/jobs?limit=100");
    const select = $("job-select");
    for (const job of jobs.items) {
      const option = new Option(job.title ? `${job.title}${job.company ? " — " + job.company : ""}` : "Saved job", job.id);
      select.insertBefore(option, select.options[1]);
    }
    if (jobs.items.length) select.value = jobs.items[jobs.items.length - 1].id;
    const banks = await api("GET", "/api/banks?limit=100");
    for (const bank of banks.items) $("bank-select").append(new Option(bank.name || "Question bank", bank.id));
  } catch (err) {
    if (err.status === 401) return;
    notice(`Could not load your jobs and banks: ${err.message}`, "error");
  }
}

function setupBody() {
  const job = $("job-select").value;
  const body = {
    n: Number($("n-questions").value) || 3,
    difficulty: $("difficulty").value,
    types: [...document.querySelectorAll("input[name=types]:checked")].map((i) => i.value),
    allow_repeats: $("allow-repeats").checked,
    keep_audio: $("keep-audio").checked,
  };
  if ($("bank-select").value) body.bank_id = $("bank-select").value;
  if (job === "__paste") body.job_text = $("job-text").value.trim();
  else if (job) body.job_id = job;
  return body;
}

async function startRound(event) {
  event.preventDefault();
  notice("");
  $("start").disabled = true;
  try {
    status("connecting", "Making your questions…");
    state.practice = await api("POST", "/api/practice/sessions", setupBody());
    test.practiceId = state.practice.id;
    await connect();
    show("setup", false);
    show("round", true);
    show("scorecard", false);
    state.index = nextPending(0);
    await ask();
  } catch (err) {
    status("idle", "Not started.");
    notice(err.status === 401 ? "Sign in on the account page to practise: rounds are saved to your account."
      : `Could not start the round: ${err.message}`, "error");
  } finally {
    $("start").disabled = false;
  }
}

// --------------------------------------------------------------------------- WebRTC

async function openMicrophone() {
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
  } catch (err) {
    const blocked = err.name === "NotAllowedError" || err.name === "SecurityError";
    throw new Error(blocked
      ? "microphone access is blocked. Click the icon left of the address bar → Site settings → Microphone → Allow"
      : `could not open the microphone (${err.name})`);
  }
}

function flushCandidates() {
  state.candidateTimer = null;
  if (!state.pcId || state.pendingCandidates.length === 0) return;
  const candidates = state.pendingCandidates.splice(0);
  fetch("/api/offer", {
    method: "PATCH", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ pc_id: state.pcId, candidates }),
  }).catch((e) => console.warn("ICE candidate upload failed", e));
}

function queueCandidate(c) {
  state.pendingCandidates.push(c
    ? { candidate: c.candidate, sdp_mid: c.sdpMid, sdp_mline_index: c.sdpMLineIndex }
    : { candidate: "", sdp_mid: null, sdp_mline_index: 0 });
  if (!state.candidateTimer) state.candidateTimer = setTimeout(flushCandidates, 50);
}

async function iceServers() {
  try {
    const r = await fetch("/api/webrtc/config");
    if (r.ok) return (await r.json()).ice_servers || [];
  } catch (_) { /* none */ }
  return [];
}

// Transceiver layout of the live page (cuecard/transports/webrtc.py): 0 mic · 1, 2 video
// (inactive) · 3 tab audio (unused here).
async function connect() {
  status("connecting", "Opening the microphone…");
  const stream = await openMicrophone();
  state.track = stream.getAudioTracks()[0];
  state.track.enabled = false;
  const { session_id: sessionId } = await api("POST", `/api/practice/sessions/${state.practice.id}/live`);
  state.liveSessionId = sessionId;
  status("connecting", "Connecting…");
  const pc = new RTCPeerConnection({ iceServers: await iceServers() });
  state.pc = pc; state.pendingCandidates = [];
  state.sender = pc.addTransceiver(state.track, { direction: "sendrecv", streams: [stream] }).sender;
  pc.addTransceiver("video", { direction: "inactive" });
  pc.addTransceiver("video", { direction: "inactive" });
  pc.addTransceiver("audio", { direction: "sendonly" });
  const dc = pc.createDataChannel("chat", { ordered: true });
  state.dc = dc;
  const open = new Promise((resolve) => { dc.onopen = resolve; });
  dc.onmessage = (m) => { try { onEvent(JSON.parse(m.data)); } catch (e) { console.warn(e); } };
  dc.onclose = () => { if (state.pc === pc) status("dropped", "The connection closed. End the round and start again."); };
  pc.onicecandidate = (e) => queueCandidate(e.candidate);
  await pc.setLocalDescription(await pc.createOffer());
  const token = await Auth.fresh();
  const r = await fetch("/api/offer", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ sdp: pc.localDescription.sdp, type: "offer", session_id: sessionId, consent: true }),
  });
  const answer = await r.json();
  if (!r.ok) throw new Error(answer?.error?.message || `HTTP ${r.status}`);
  state.pcId = answer.pc_id;
  await pc.setRemoteDescription({ sdp: answer.sdp, type: answer.type });
  flushCandidates();
  await Promise.race([open, new Promise((_, no) => setTimeout(() => no(new Error("the connection did not open")), 20_000))]);
  status("live", "Connected: Cuecard hears you only while you answer.");
}

function disconnect() {
  if (state.track) state.track.stop();
  if (state.pc) state.pc.close();
  state.pc = null; state.track = null; state.sender = null;
  status("idle", "Round ended.");
}

// Transcript events of the candidate's track, shown while answering.
function onEvent(ev) {
  if (ev.type !== "transcript" || ev.role !== "candidate" || !state.answering) return;
  state.lines.set(ev.segment_id, ev);
  if (!state.heard && ev.text.trim()) { state.heard = true; state.lastVoice = performance.now(); }
  const box = $("live-transcript");
  box.replaceChildren(...[...state.lines.values()].map((line) => {
    const span = document.createElement("span");
    span.className = line.final ? "final" : "interim";
    span.textContent = line.text + " ";
    return span;
  }));
}

// --------------------------------------------------------------------------- the round

function nextPending(from) {
  const qs = state.practice.questions;
  for (let i = from; i < qs.length; i++) if (qs[i].status === "pending") return i;
  return -1;
}

function speak(text) {
  // Resolves when the question has been read out, or after a bound (no voices, headless).
  return new Promise((resolve) => {
    const bound = setTimeout(resolve, Math.min(12_000, 1500 + text.split(/\s+/).length * 400));
    if (!("speechSynthesis" in window)) { clearTimeout(bound); resolve(); return; }
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.rate = 1.0;
    utterance.onend = utterance.onerror = () => { clearTimeout(bound); resolve(); };
    speechSynthesis.cancel();
    speechSynthesis.speak(utterance);
  });
}

async function ask() {
  if (state.index < 0) { finishRound(); return; }
  const q = currentQuestion();
  const total = state.practice.questions.length;
  $("question-count").textContent = `Question ${state.index + 1} of ${total}`;
  $("question-meta").textContent = [q.qtype, q.source === "follow_up" ? "follow-up" : q.topic].filter(Boolean).join(" · ");
  const [lo, hi] = TARGETS[q.qtype] || [30, 120];
  $("target").textContent = `aim for ${clock(lo * 1000)}–${clock(hi * 1000)}`;
  $("timer").textContent = "0:00";
  $("question-text").textContent = q.text;
  $("live-transcript").replaceChildren();
  show("answer-now", true); show("answer-end", false); show("next", false); show("retry", false);
  $("skip").disabled = false;
  $("answer-state").textContent = "Listen to the question…";
  test.state = "asking";
  const asked = state.index;
  await speak(q.text);
  if (state.index === asked && !state.answering && test.state === "asking") await startAnswer();
}

async function startAnswer() {
  if (state.answering) return;
  speechSynthesis?.cancel?.();
  test.state = "starting";
  try {
    await api("POST", `/api/practice/sessions/${state.practice.id}/questions/${state.index}/start`);
    // A fresh microphone track per answer (see the decisions above), swapped in without renegotiating.
    const stream = await openMicrophone();
    const fresh = stream.getAudioTracks()[0];
    await state.sender.replaceTrack(fresh);
    if (state.track && state.track !== fresh) state.track.stop();
    state.track = fresh;
    watchLevel(stream);
    record(stream);
  } catch (err) {
    notice(`Could not start the answer: ${err.message}`, "error");
    test.state = "error";
    return;
  }
  state.answering = true; state.ending = false;
  state.heard = false; state.lines = new Map();
  state.answerStart = performance.now(); state.lastVoice = state.answerStart;
  show("answer-now", false); show("answer-end", true);
  $("answer-state").textContent = "Answering: speak now. The answer ends after 3 s of silence, or press Done.";
  test.state = "answering";
  state.timer = setInterval(tick, 200);
}

// Opted in (keep_audio): the answer is recorded here and sent after its score is shown.
function record(stream) {
  state.recording = null;
  if (!state.practice.settings.keep_audio || typeof MediaRecorder === "undefined") return;
  const chunks = [];
  const recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
  const done = new Promise((resolve) => { recorder.onstop = () => resolve(new Blob(chunks, { type: recorder.mimeType })); });
  recorder.start();
  state.recording = { recorder, done };
}

async function keepRecording(recording, index, attempt) {
  if (!recording) return;
  if (recording.recorder.state !== "inactive") recording.recorder.stop();
  const blob = await recording.done;
  const ext = blob.type.includes("ogg") ? "ogg" : "webm";
  const path = `/api/practice/sessions/${state.practice.id}/questions/${index}/attempts/${attempt}/audio?filename=answer.${ext}`;
  const r = await Auth.authFetch(path, { method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: blob },
    { required: true });
  if (!r.ok) notice(`Your answer's audio could not be kept (HTTP ${r.status}).`, "error");
  test.audioKept = (test.audioKept || 0) + (r.ok ? 1 : 0);
}

function watchLevel(stream) {
  state.audioCtx = state.audioCtx || new AudioContext();
  if (state.audioCtx.state === "suspended") state.audioCtx.resume().catch(() => {});
  const source = state.audioCtx.createMediaStreamSource(stream);
  const analyser = state.audioCtx.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  if (state.meter) state.meter.disconnect();
  state.meter = source;
  state.level = () => {
    analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const v of buf) sum += v * v;
    return Math.sqrt(sum / buf.length);
  };
}

function tick() {
  if (!state.answering) return;
  const now = performance.now();
  const level = state.level ? state.level() : 0;
  $("level-bar").style.width = `${Math.min(100, level * 400)}%`;
  if (level > LEVEL_SPEECH) { state.heard = true; state.lastVoice = now; }
  $("timer").textContent = clock(now - state.answerStart);
  if ((state.heard && now - state.lastVoice >= SILENCE_END_MS) || now - state.answerStart > MAX_ANSWER_MS) {
    endAnswer("silence");
  }
}

async function endAnswer(how = "button") {
  if (!state.answering || state.ending) return;
  state.ending = true;
  const endedAt = performance.now();
  clearInterval(state.timer);
  state.answering = false;
  if (state.track) state.track.enabled = false;
  const recording = state.recording;
  if (recording && recording.recorder.state !== "inactive") recording.recorder.stop();
  const answeredIndex = state.index;
  $("level-bar").style.width = "0";
  show("answer-end", false);
  $("skip").disabled = true;
  $("answer-state").textContent = "Scoring your answer…";
  test.state = "scoring";
  let result;
  try {
    result = await api("POST", `/api/practice/sessions/${state.practice.id}/questions/${state.index}/answer`,
      { source: "live" });
  } catch (err) {
    $("skip").disabled = false;
    show("retry", true);
    test.state = "error";
    $("answer-state").textContent = err.code === "empty_answer"
      ? "Nothing was heard in that answer. Check your microphone and try again."
      : `The answer could not be scored: ${err.message}`;
    return;
  }
  applyResult(result);
  renderScorecard(result.scorecard, result.follow_up);
  requestAnimationFrame(() => {
    const shownMs = performance.now() - endedAt;
    test.timings.push({ ended_by: how, shown_ms: Math.round(shownMs), server: result.timing });
    test.state = "scored";
  });
  $("answer-state").textContent = `Answer ${result.attempt > 1 ? `(attempt ${result.attempt}) ` : ""}scored.`;
  $("skip").disabled = false;
  show("retry", true);
  show("next", true);
  $("next").textContent = nextPending(state.index + 1) < 0 ? "See the results" : "Next question";
  loadProgress();
  keepRecording(recording, answeredIndex, result.attempt).catch((e) => console.warn("keeping audio failed", e));
}

function applyResult(result) {
  const qs = state.practice.questions;
  qs[state.index] = result.question;
  if (result.follow_up) {
    qs.splice(result.follow_up.index, 0, result.follow_up);
    qs.forEach((q, i) => { q.index = i; });
  }
}

async function retry() {
  try {
    state.practice.questions[state.index] = await api("POST",
      `/api/practice/sessions/${state.practice.id}/questions/${state.index}/retry`);
  } catch (err) { notice(`Could not retry: ${err.message}`, "error"); return; }
  show("scorecard", false);
  await ask();
}

async function skip() {
  if (state.answering) { clearInterval(state.timer); state.answering = false; if (state.track) state.track.enabled = false; }
  if (state.recording && state.recording.recorder.state !== "inactive") state.recording.recorder.stop();
  state.recording = null;  // a skipped answer's audio is never kept
  speechSynthesis?.cancel?.();
  try {
    state.practice.questions[state.index] = await api("POST",
      `/api/practice/sessions/${state.practice.id}/questions/${state.index}/skip`);
  } catch (err) { notice(`Could not skip: ${err.message}`, "error"); return; }
  show("scorecard", false);
  state.index = nextPending(state.index + 1);
  await ask();
}

async function next() {
  show("scorecard", false);
  state.index = nextPending(state.index + 1);
  await ask();
}

function finishRound() {
  speechSynthesis?.cancel?.();
  clearInterval(state.timer);
  state.answering = false;
  disconnect();
  show("round", false);
  show("setup", true);
  const answered = state.practice ? state.practice.questions.filter((q) => q.status === "answered").length : 0;
  notice(answered ? `Round saved: ${answered} answer${answered === 1 ? "" : "s"} scored. See your progress below.` : "");
  test.state = "finished";
  loadProgress();
}

// --------------------------------------------------------------------------- scorecard

function renderScorecard(card, followUp) {
  $("overall").textContent = `${card.overall.toFixed(1)} / 5`;
  const m = card.metrics || {};
  const parts = [];
  if (typeof m.wpm === "number") parts.push(`${Math.round(m.wpm)} words/min`);
  if (typeof m.fillers_per_min === "number") parts.push(`${m.fillers_per_min.toFixed(1)} fillers/min`);
  if (typeof m.duration_s === "number") parts.push(`${Math.round(m.duration_s)} s`);
  $("metrics").textContent = parts.join(" · ");
  $("subscores").replaceChildren(...card.subscores.map((s) => {
    const box = document.createElement("article");
    box.className = "subscore";
    box.dataset.name = s.name;
    const head = document.createElement("h3");
    head.textContent = `${s.name[0].toUpperCase()}${s.name.slice(1)} `;
    const score = document.createElement("span");
    score.className = `score s${Math.round(s.score)}`;
    score.textContent = `${s.score}/5`;
    head.append(score);
    const evidence = document.createElement("ul");
    evidence.className = "evidence";
    for (const quote of s.evidence || []) {
      const li = document.createElement("li");
      li.textContent = quote;
      evidence.append(li);
    }
    const tip = document.createElement("p");
    tip.className = "improvement";
    tip.textContent = s.improvement || "";
    box.append(head, evidence, tip);
    return box;
  }));
  show("follow-up-note", !!followUp);
  if (followUp) $("follow-up-note").textContent = `Follow-up added next: “${followUp.text}”`;
  $("model-answer").textContent = card.model_answer || "No model answer for this question.";
  show("scorecard", true);
}

// --------------------------------------------------------------------------- progress

async function loadProgress() {
  let data, rounds;
  try {
    [data, rounds] = await Promise.all([api("GET", "/api/practice/progress"), api("GET", "/api/practice/sessions?limit=20")]);
  } catch (err) {
    if (err.status !== 401) notice(`Could not load your progress: ${err.message}`, "error");
    return;
  }
  const points = data.sessions;
  show("progress-empty", points.length === 0);
  // x axis: rounds in order ("#1", "#2"…); the date and time are in each point's tooltip.
  const labels = points.map((_, i) => `#${i + 1}`);
  const titles = points.map((p, i) => `round ${i + 1} (${new Date(p.created_at * 1000).toLocaleString()})`);
  const pick = (key) => points.map((p) => (p[key] === null ? null : p[key]));
  if (points.length) {
    Chart.line($("chart-scores"), { labels, titles, min: 0, max: 5, series: [
      { name: "Overall", color: "#1d2330", values: pick("overall"), width: 3 },
      { name: "Delivery", color: "#1f5fbf", values: pick("delivery") },
      { name: "Content", color: "#1d7a4d", values: pick("content") },
      { name: "Relevance", color: "#9a5b00", values: pick("relevance") },
    ] });
    Chart.line($("chart-wpm"), { labels, titles, min: 0, series: [{ name: "Words/min", color: "#1f5fbf", values: pick("wpm") }] });
    Chart.line($("chart-fillers"), { labels, titles, min: 0, series: [{ name: "Fillers/min", color: "#b3261e", values: pick("fillers_per_min") }] });
  }
  renderHistory(rounds.items);
}

function renderHistory(items) {
  $("history").replaceChildren(...items.map((p) => {
    const li = document.createElement("li");
    const when = new Date(p.created_at * 1000).toLocaleString();
    const s = p.summary;
    const text = document.createElement("span");
    text.textContent = `${p.title || "Practice"} — ${when} — ${s.answered}/${p.questions.length} answered` +
      (s.overall === null ? "" : `, overall ${s.overall}`);
    const json = document.createElement("button");
    json.type = "button"; json.className = "small"; json.textContent = "Export JSON";
    json.onclick = () => download(p.id, "json");
    const md = document.createElement("button");
    md.type = "button"; md.className = "small"; md.textContent = "Export Markdown";
    md.onclick = () => download(p.id, "markdown");
    const del = document.createElement("button");
    del.type = "button"; del.className = "small"; del.textContent = "Delete";
    del.onclick = async () => {
      try { await api("DELETE", `/api/practice/sessions/${p.id}`); loadProgress(); } catch (err) { notice(err.message, "error"); }
    };
    li.append(text, json, md, del);
    return li;
  }));
}

async function download(id, format) {
  const r = await Auth.authFetch(`/api/practice/sessions/${id}/export/${format}`, {}, { required: true });
  if (!r.ok) { notice(`Export failed (HTTP ${r.status})`, "error"); return; }
  const blob = await r.blob();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `cuecard-practice-${id}.${format === "json" ? "json" : "md"}`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// --------------------------------------------------------------------------- start-up

function showAccount() {
  const signedIn = Auth.hasSession();
  $("account-state").textContent = signedIn ? `Signed in as ${Auth.email()}` : "Not signed in";
  $("account-link").textContent = signedIn ? "Account & history" : "Sign in";
  $("account-link").href = "/account";
  $("start").disabled = !signedIn;
  if (!signedIn) notice("Sign in to practise: your rounds, scores and progress are saved to your account.");
  return signedIn;
}

$("job-select").addEventListener("change", () => { show("job-text-field", $("job-select").value === "__paste"); });
$("setup-form").addEventListener("submit", startRound);
$("answer-now").addEventListener("click", () => { test.state = "starting"; startAnswer(); });
$("answer-end").addEventListener("click", () => endAnswer("button"));
$("repeat-question").addEventListener("click", () => { if (state.practice) speak(currentQuestion().text); });
$("retry").addEventListener("click", retry);
$("skip").addEventListener("click", skip);
$("next").addEventListener("click", next);
$("finish").addEventListener("click", finishRound);

Auth.start();
Auth.onChange(() => { if (showAccount()) { loadChoices(); loadProgress(); } });
if (showAccount()) { loadChoices(); loadProgress(); }
