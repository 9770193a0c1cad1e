// Cuecard web client: join over WebRTC with the microphone (candidate) and, optionally, the
// shared interview tab's audio (interviewer); render transcript, questions and answer drafts
// from the events the server sends on the data channel.
//
// Hand-written RTCPeerConnection rather than @pipecat-ai/small-webrtc-transport: no build
// step, no CDN, and we need a second audio transceiver the prebuilt client does not add.
// Transceiver layout (the server relies on it, see cuecard/transports/webrtc.py):
//   0 audio mic (sendrecv) · 1 video (inactive) · 2 video (inactive) · 3 audio tab (sendonly)
"use strict";

const SESSION_KEY = "cuecard.session_id";
const LOW_CONFIDENCE = 0.5;
const DISCONNECTED_GRACE_MS = 8000;
// A line without a speaker label is its track's first speaker, named as the server names it:
// the microphone is "You", the shared tab's voices "Interviewer 1", "Interviewer 2", …
const ROLE_LABEL = { interviewer: "Interviewer 1", candidate: "You" };

const $ = (id) => document.getElementById(id);
const ui = {
  connState: $("conn-state"), statusText: $("status-text"), provider: $("provider"),
  mic: $("mic-select"), shareTab: $("share-tab"), join: $("join"), joinAnon: $("join-anon"),
  shareTabNow: $("share-tab-now"), rejoin: $("rejoin"), newSession: $("new-session"), leave: $("leave"),
  notice: $("notice"), transcript: $("transcript"), jump: $("jump-latest"),
  accountState: $("account-state"), accountLink: $("account-link"),
};
const Auth = window.CuecardAuth;
const Consent = window.CuecardConsent;
const Answers = window.CuecardAnswers;

const state = {
  sessionId: localStorage.getItem(SESSION_KEY),
  lastSeq: 0,
  pc: null, dc: null, pcId: null,
  micStream: null, tabStream: null, tabTransceiver: null,
  pendingCandidates: [], candidateTimer: null,
  userLeft: false, connected: false, tabShared: false,
  speakerNames: {},
  lines: new Map(),      // segment_id -> <li>
  autoScroll: true,
  lastQuestionId: null,
  signedIn: false,       // an account's tokens are here (kept fresh by auth.js)
  anonymous: false,      // the current session was joined without an account
};

// ---------------------------------------------------------------------------------- status

function setConnection(kind, text) {
  ui.connState.className = `pill ${kind}`;
  ui.connState.textContent = {
    idle: "not joined", connecting: "connecting", live: "live",
    reconnecting: "reconnecting", dropped: "dropped", left: "left", restored: "previous session",
  }[kind] || kind;
  if (text !== undefined) ui.statusText.textContent = text;
  const joined = ["connecting", "live", "reconnecting"].includes(kind);
  state.connKind = kind;
  ui.join.hidden = joined || kind === "dropped" || kind === "restored" || kind === "left";
  ui.joinAnon.hidden = ui.join.hidden || state.signedIn;
  ui.rejoin.hidden = !["dropped", "restored", "left"].includes(kind);
  ui.newSession.hidden = !["dropped", "restored", "left"].includes(kind);
  ui.leave.hidden = !joined;
  ui.shareTabNow.hidden = !(joined && !state.tabShared);
  ui.mic.disabled = joined;
}

function notice(text, level = "warn") {
  if (!text) { ui.notice.hidden = true; ui.notice.textContent = ""; return; }
  ui.notice.hidden = false;
  ui.notice.className = `notice ${level === "error" ? "error" : ""}`;
  ui.notice.textContent = text;
}

// ------------------------------------------------------------------------------- devices

async function listMicrophones() {
  if (!navigator.mediaDevices?.enumerateDevices) return;
  const devices = await navigator.mediaDevices.enumerateDevices();
  const chosen = ui.mic.value;
  ui.mic.replaceChildren(new Option("Default microphone", ""));
  devices.filter((d) => d.kind === "audioinput" && d.deviceId && d.deviceId !== "default")
    .forEach((d, i) => ui.mic.add(new Option(d.label || `Microphone ${i + 1}`, d.deviceId)));
  if ([...ui.mic.options].some((o) => o.value === chosen)) ui.mic.value = chosen;
}

async function openMicrophone() {
  const deviceId = ui.mic.value;
  const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  if (deviceId) audio.deviceId = { exact: deviceId };
  try {
    return await navigator.mediaDevices.getUserMedia({ audio });
  } catch (err) {
    if (err.name === "NotAllowedError" || err.name === "SecurityError") {
      notice("Microphone access is blocked. Click the icon left of the address bar → Site settings → " +
        "Microphone → Allow, then press Join again.", "error");
    } else if (err.name === "NotFoundError" || err.name === "OverconstrainedError") {
      notice("No microphone was found (or the chosen one is unplugged). Connect one, pick it in the list " +
        "and press Join again.", "error");
    } else {
      notice(`Could not open the microphone: ${err.message || err.name}`, "error");
    }
    return null;
  }
}

// Ask for a tab with audio; keep only the audio. Returns null (and says why) when the user
// refuses or the shared surface carries no audio: the session continues microphone-only.
async function openTabAudio() {
  const micOnly = "Continuing with your microphone only: the interviewer will not be transcribed.";
  if (!navigator.mediaDevices?.getDisplayMedia) {
    notice(`This browser cannot share a tab's audio. ${micOnly}`);
    return null;
  }
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({
      audio: true, video: true, preferCurrentTab: false, selfBrowserSurface: "exclude",
      systemAudio: "include",
    });
    stream.getVideoTracks().forEach((t) => t.stop());
    if (stream.getAudioTracks().length === 0) {
      notice(`The shared tab has no audio (tick “Share tab audio” in the picker). ${micOnly} ` +
        "Use “Share tab audio” to try again.");
      return null;
    }
    return new MediaStream(stream.getAudioTracks());
  } catch (err) {
    notice(`Tab sharing was refused or failed (${err.name}). ${micOnly} Use “Share tab audio” to try again.`);
    return null;
  }
}

// ------------------------------------------------------------------------------ WebRTC

async function iceServers() {
  try {
    const r = await fetch("/api/webrtc/config");
    if (r.ok) return (await r.json()).ice_servers || [];
  } catch (_) { /* fall through */ }
  return [];
}

// ------------------------------------------------------------------------------ account
// Signed in on /account? Then sessions belong to that account (history, profile, stories
// and job are used for drafts); otherwise they belong to the anonymous local user. The access
// token is refreshed before it expires (auth.js); joining never falls back to anonymous
// silently: without an account the Join button says so, and anonymous use is its own button.

function showAccount(signedIn, reason) {
  const was = state.signedIn;
  state.signedIn = signedIn;
  ui.accountState.textContent = signedIn ? `Signed in as ${Auth.email()}` : "Not signed in";
  ui.accountLink.textContent = signedIn ? "Account & history" : "Sign in";
  ui.accountLink.href = signedIn ? "/account" : "/account?next=/";
  ui.join.textContent = signedIn ? "Join" : "Sign in to join";
  ui.join.title = signedIn ? `Sessions are saved to ${Auth.email()}` : "Sign in so the session is saved to your account";
  ui.joinAnon.hidden = ui.join.hidden || signedIn;
  if (was && !signedIn && reason === "expired") {
    notice("You were signed out: your sign-in expired. " + (state.connected
      ? "This session goes on, but new feedback is not saved to your account. Sign in again on the account page."
      : "Sign in again to save your next session, or join without an account."), "error");
  } else if (was && !signedIn) {
    notice("You signed out in another tab. Sign in again to save your next session, or join without an account.");
  }
}

function flushCandidates() {
  state.candidateTimer = null;
  if (!state.pcId || state.pendingCandidates.length === 0) return;
  const candidates = state.pendingCandidates.splice(0);
  // The pc_id is bound to its owner: the account's token, or the anonymous session's secret.
  const request = {
    method: "PATCH", headers: { "Content-Type": "application/json", ...Auth.anonSessions.headers(state.sessionId) },
    body: JSON.stringify({ pc_id: state.pcId, candidates }),
  };
  (state.anonymous ? fetch("/api/offer", request) : Auth.authFetch("/api/offer", request))
    .catch((e) => console.warn("ICE candidate upload failed", e));
}

function queueCandidate(c) {
  state.pendingCandidates.push(c
    ? { candidate: c.candidate, sdp_mid: c.sdpMid, sdp_mline_index: c.sdpMLineIndex }
    : { candidate: "", sdp_mid: null, sdp_mline_index: 0 });
  if (!state.candidateTimer) state.candidateTimer = setTimeout(flushCandidates, 50);
}

async function join({ resume = false, anonymous = false, consent = null } = {}) {
  notice("");
  let token = null;
  if (!anonymous && (resume ? !state.anonymous || state.signedIn : true)) {
    try { token = await Auth.fresh(); } catch (_) {
      notice("Could not reach the Cuecard server to renew your sign-in. Check the connection and press Join again.",
        "error");
      return;
    }
    if (!token) {
      if (!resume || !state.anonymous) {
        showAccount(false);
        notice("You are not signed in, so this session would not be saved to your account. " +
          "Sign in first, or choose “Join without an account”.", "error");
        setConnection(resume ? state.connKind : "idle");
        return;
      }
    }
  }
  if (resume && token && state.sessionId && Auth.anonSessions.has(state.sessionId)) {
    await claimSessions([state.sessionId]);  // joined anonymously before signing in: make it the account's
  }
  // Recording consent before anything is captured (consent.js): every new session asks, since
  // who is in the call may differ; a rejoin continues a session that has it already.
  let agreed = consent || (resume ? Consent.current() : null);
  if (!resume && !agreed) {
    try { agreed = await Consent.ask(); } catch (_) {
      notice("Could not reach the Cuecard server to show the consent step. Check the connection and press Join again.",
        "error");
      return;
    }
    if (!agreed) { setConnection("idle", "Not joined: confirm recording consent to start."); return; }
  }
  state.userLeft = false;
  setConnection("connecting", "Opening the microphone…");
  if (!state.micStream || state.micStream.getAudioTracks().every((t) => t.readyState === "ended")) {
    state.micStream = await openMicrophone();
    if (!state.micStream) { setConnection(resume ? "dropped" : "idle", "Microphone needed to join."); return; }
    listMicrophones().catch(() => {});
  }
  if (ui.shareTab.checked && !(state.tabStream && state.tabStream.getAudioTracks()[0]?.readyState === "live")) {
    setConnection("connecting", "Choose the interview tab and tick “Share tab audio”…");
    state.tabStream = await openTabAudio();
  }
  state.tabShared = !!state.tabStream;
  watchTabEnd();

  setConnection("connecting", "Connecting…");
  const pc = new RTCPeerConnection({ iceServers: await iceServers() });
  state.pc = pc; state.pcId = null; state.pendingCandidates = [];
  const mic = state.micStream.getAudioTracks()[0];
  pc.addTransceiver(mic, { direction: "sendrecv", streams: [state.micStream] });
  pc.addTransceiver("video", { direction: "inactive" });
  pc.addTransceiver("video", { direction: "inactive" });
  const tabTrack = state.tabStream?.getAudioTracks()[0];
  state.tabTransceiver = pc.addTransceiver(tabTrack || "audio", { direction: "sendonly" });

  const dc = pc.createDataChannel("chat", { ordered: true });
  state.dc = dc;
  dc.onmessage = (m) => { try { handleEvent(JSON.parse(m.data)); } catch (e) { console.warn(e); } };
  dc.onopen = () => { state.connected = true; setConnection("live", liveMessage()); };
  dc.onclose = () => { if (state.pc === pc) connectionLost(); };
  pc.onicecandidate = (e) => queueCandidate(e.candidate);
  pc.onconnectionstatechange = () => {
    if (state.pc !== pc) return;
    const s = pc.connectionState;
    if (s === "disconnected") {
      // ICE often recovers by itself; if not within a few seconds, offer Rejoin.
      setConnection("reconnecting", "Connection interrupted, trying to recover…");
      setTimeout(() => { if (state.pc === pc && pc.connectionState === "disconnected") connectionLost(); },
        DISCONNECTED_GRACE_MS);
    }
    else if (s === "connected" && state.connected) setConnection("live", liveMessage());
    else if (s === "failed" || s === "closed") connectionLost();
  };

  await pc.setLocalDescription(await pc.createOffer());
  const body = { sdp: pc.localDescription.sdp, type: "offer", ...(agreed || {}) };
  if (resume && state.sessionId) { body.session_id = state.sessionId; body.after = state.lastSeq; }
  let answer;
  try {
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = `Bearer ${(await Auth.fresh()) || token}`;
    else if (resume && state.sessionId) Object.assign(headers, Auth.anonSessions.headers(state.sessionId));
    const r = await fetch("/api/offer", { method: "POST", headers, body: JSON.stringify(body) });
    answer = await r.json();
    if (r.status === 404 && resume) {  // the session is gone: start a new one
      pc.close(); state.sessionId = null; localStorage.removeItem(SESSION_KEY);
      return join({ resume: false, anonymous: !token });
    }
    if (r.status === 403 && answer?.error === "consent_required") {  // none recorded, or a new text
      pc.close(); state.pc = null; Consent.forget();
      const again = await Consent.ask().catch(() => null);
      if (again) return join({ resume, anonymous: !token, consent: again });
      setConnection(resume ? "dropped" : "idle", "Not joined: confirm recording consent to start.");
      return;
    }
    if (r.status === 402 && window.Plan) Plan.refresh();  // quota_exceeded: show what is left
    if (!r.ok) throw new Error(answer?.error?.message || answer?.message || `HTTP ${r.status}`);
  } catch (err) {
    pc.close(); state.pc = null;
    notice(`Could not connect to the Cuecard server: ${err.message}`, "error");
    setConnection(resume ? "dropped" : "idle", "Not connected.");
    return;
  }
  state.pcId = answer.pc_id;
  state.anonymous = !token;  // before any trickled candidate is sent with its credentials
  if (answer.session_id !== state.sessionId) { clearSessionView(); state.lastSeq = 0; }
  state.sessionId = answer.session_id;
  state.anonymous = !token;
  localStorage.setItem(SESSION_KEY, state.sessionId);
  // to be claimed after signing in; the secret comes once, with a new anonymous session
  if (!token) Auth.anonSessions.add(state.sessionId, answer.session_secret);
  await pc.setRemoteDescription({ sdp: answer.sdp, type: answer.type });
  flushCandidates();
}

function liveMessage() {
  return state.tabShared
    ? "Live: transcribing you and the interviewer."
    : "Live, microphone only: the interviewer is not transcribed.";
}

function watchTabEnd() {
  const track = state.tabStream?.getAudioTracks()[0];
  if (!track) return;
  track.onended = () => {
    state.tabStream = null; state.tabShared = false;
    notice("Tab sharing stopped: continuing with your microphone only. Use “Share tab audio” to share again.");
    if (state.pc && state.connected) setConnection("live", liveMessage());
  };
}

// Share a tab after joining: the tab transceiver already exists, so no renegotiation.
async function shareTabNow() {
  const stream = await openTabAudio();
  if (!stream) return;
  notice("");
  state.tabStream = stream; state.tabShared = true;
  watchTabEnd();
  if (state.tabTransceiver) await state.tabTransceiver.sender.replaceTrack(stream.getAudioTracks()[0]);
  if (state.connected) setConnection("live", liveMessage());
}

function connectionLost() {
  if (state.userLeft || !state.pc) return;
  state.connected = false;
  try { state.pc.close(); } catch (_) { /* already closed */ }
  state.pc = null; state.dc = null;
  setConnection("dropped", "Connection lost. Your transcript is kept — press Rejoin to continue.");
}

function leave() {
  state.userLeft = true; state.connected = false;
  if (state.pc) state.pc.close();
  state.pc = null; state.dc = null;
  for (const s of [state.micStream, state.tabStream]) s?.getTracks().forEach((t) => t.stop());
  state.micStream = null; state.tabStream = null; state.tabShared = false;
  setConnection("left", "You left. The transcript is saved; Rejoin continues the same session.");
}

function send(message) {
  if (state.dc && state.dc.readyState === "open") { state.dc.send(JSON.stringify(message)); return true; }
  return false;
}

// ------------------------------------------------------------------------------ events

function handleEvent(ev) {
  if (typeof ev.seq === "number") state.lastSeq = Math.max(state.lastSeq, ev.seq);
  if (ev.type === "signalling" && ev.message?.type === "peerLeft") {  // the server closed
    connectionLost();
    return;
  }
  switch (ev.type) {
    case "transcript": renderLine(ev); break;
    case "question": renderQuestion(ev); break;
    case "suggestion": renderSuggestion(ev); break;
    case "status": renderStatus(ev); break;
    default: break;  // signalling and future event types
  }
}

function speakerKey(ev) { return ev.speaker || ROLE_LABEL[ev.role] || ev.role; }
function speakerLabel(key) { return state.speakerNames[key] || key; }

function renderLine(ev) {
  if (!ev.segment_id || !ev.text?.trim() && !ev.final) return;
  let li = state.lines.get(ev.segment_id);
  if (!li) {
    li = document.createElement("li");
    li.dataset.segmentId = ev.segment_id;
    const who = document.createElement("button");
    who.type = "button"; who.className = "speaker";
    who.addEventListener("click", () => renameSpeaker(li.dataset.speaker));
    const text = document.createElement("span");
    text.className = "text";
    li.append(who, text);
    insertByStart(li, ev.start ?? 0);
    state.lines.set(ev.segment_id, li);
  }
  if (!ev.final && li.dataset.final === "true") return;  // a late interim never replaces a final
  const role = ev.role === "interviewer" ? "interviewer" : "candidate";
  const key = speakerKey(ev);
  const low = typeof ev.confidence === "number" && ev.confidence < LOW_CONFIDENCE;
  li.className = `line ${role}${ev.final ? "" : " interim"}${low ? " lowconf" : ""}`;
  li.dataset.final = ev.final ? "true" : "false";
  li.dataset.role = role;
  li.dataset.speaker = key;
  li.dataset.start = ev.start ?? 0;
  const who = li.querySelector(".speaker");
  who.textContent = speakerLabel(key);
  who.setAttribute("aria-label", `${speakerLabel(key)} (click to rename)`);
  li.querySelector(".text").textContent = ev.text || "";
  li.querySelector(".unsure")?.remove();
  if (low) {
    const unsure = document.createElement("span");
    unsure.className = "unsure"; unsure.textContent = "(unsure)";
    unsure.title = `Low recognition confidence (${Math.round(ev.confidence * 100)}%)`;
    li.append(unsure);
  }
  afterContentAdded();
}

function insertByStart(li, start) {
  li.dataset.start = start;
  const later = [...ui.transcript.children].find((x) => Number(x.dataset.start) > start);
  ui.transcript.insertBefore(li, later || null);
}

function renameSpeaker(key) {
  if (!key) return;
  const name = window.prompt(`Name for “${speakerLabel(key)}”:`, speakerLabel(key));
  if (!name || !name.trim()) return;
  state.speakerNames[key] = name.trim();
  for (const li of state.lines.values()) {
    if (li.dataset.speaker === key) li.querySelector(".speaker").textContent = name.trim();
  }
  if (!send({ type: "rename_speaker", speaker: key, name: name.trim() })) {
    notice("Renamed on this page only: not connected, the server was not told.");
  }
}

// Auto-scroll follows new lines unless the user scrolled up; then "Jump to latest" shows.
function atBottom() {
  const t = ui.transcript;
  return t.scrollHeight - t.scrollTop - t.clientHeight < 40;
}
ui.transcript.addEventListener("scroll", () => {
  state.autoScroll = atBottom();
  if (state.autoScroll) ui.jump.hidden = true;
});
function afterContentAdded() {
  if (state.autoScroll) ui.transcript.scrollTop = ui.transcript.scrollHeight;
  else ui.jump.hidden = false;
}
ui.jump.addEventListener("click", () => {
  state.autoScroll = true; ui.jump.hidden = true;
  ui.transcript.scrollTop = ui.transcript.scrollHeight;
});

function renderQuestion(ev) {
  Answers.question(ev);
  if (ev.status === "withdrawn" && state.lastQuestionId === ev.question_id) state.lastQuestionId = null;
  else if (ev.status !== "tentative" && ev.status !== "withdrawn") state.lastQuestionId = ev.question_id;
}

function renderSuggestion(ev) {
  Answers.suggestion(ev);
}

async function postFeedback(questionId, option, helpful) {
  const path = `/api/sessions/${encodeURIComponent(state.sessionId)}/suggestions/feedback`;
  const request = {
    method: "POST", headers: { "Content-Type": "application/json", ...Auth.anonSessions.headers(state.sessionId) },
    body: JSON.stringify({ question_id: questionId, option, helpful }),
  };
  // a session joined without an account takes feedback without a token (its owner is anonymous)
  const r = state.anonymous ? await fetch(path, request) : await Auth.authFetch(path, request);
  if (!r.ok) {
    let msg = `HTTP ${r.status}`;
    try { msg = (await r.json()).error?.message || msg; } catch (_) { /* not JSON */ }
    if (r.status === 401) msg = "you are signed out — sign in again on the account page";
    throw new Error(msg);
  }
  return helpful ? "Thanks — marked helpful." : "Thanks — marked not helpful.";
}

function renderStatus(ev) {
  if (ev.provider) {
    ui.provider.hidden = false;
    ui.provider.textContent = `Speech-to-text: ${ev.provider}`;
  }
  if (ev.state === "manual_draft_ignored" || ev.state === "drafting_failed") Answers.draftIgnored(ev.message);
  if (ev.message && ["error", "degraded", "llm_fallback", "stt_fallback"].includes(ev.state)) {
    notice(ev.message);
  } else if (ev.message && state.connected) {
    ui.statusText.textContent = ev.message;
  }
}

function clearSessionView() {
  ui.transcript.replaceChildren(); state.lines.clear();
  Answers.clear();
  state.lastQuestionId = null;
}

// ------------------------------------------------------------------- reload / restore

async function restorePreviousSession() {
  if (!state.sessionId) return;
  try {
    const path = `/api/live/${encodeURIComponent(state.sessionId)}/transcript`;
    state.anonymous = Auth.anonSessions.has(state.sessionId);
    let r;
    const secret = Auth.anonSessions.headers(state.sessionId);
    if (state.anonymous) {  // started without an account on this browser
      r = await fetch(path, { headers: secret });
      if (r.status === 404 && Auth.hasSession()) {  // claimed by the account since
        r = await Auth.authFetch(path);
        if (r.ok) { state.anonymous = false; Auth.anonSessions.remove([state.sessionId]); }
      }
    } else {
      r = await Auth.authFetch(path);
      if (r.status === 404 && Auth.hasSession()) { r = await fetch(path, { headers: secret }); state.anonymous = r.ok; }
    }
    if (r.status === 404) { localStorage.removeItem(SESSION_KEY); state.sessionId = null; return; }
    if (!r.ok) return;
    const body = await r.json();
    for (const seg of body.segments || []) renderLine({ ...seg, final: true });
    // Rejoining after a reload asks for the whole history (after=0): lines are replaced in
    // place by segment_id, so nothing is shown twice, and questions/drafts come back too.
    state.lastSeq = 0;
    // "interrupted": the server stopped mid-session (crash, restart); Rejoin goes on with it.
    const why = body.state === "interrupted" ? "The server stopped during your session; it is " : "Previous session ";
    setConnection("restored", `${why}restored (${(body.segments || []).length} lines). ` +
      "Rejoin to continue it, or start a new session.");
  } catch (_) { /* server unreachable: stay idle */ }
}

// ---------------------------------------------------------------------------- wiring

async function claimSessions(ids) {
  try {
    const r = await Auth.authFetch("/api/sessions/claim", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session_ids: ids, session_secrets: Auth.anonSessions.secrets(ids) }),
    }, { required: true });
    if (!r.ok) return;
    const body = await r.json();
    Auth.anonSessions.remove([...body.claimed, ...body.skipped]);
  } catch (_) { /* not signed in or offline: the account page offers it again */ }
}

ui.join.addEventListener("click", () => {
  if (!state.signedIn) { window.location.href = "/account?next=/"; return; }
  join({ resume: false });
});
ui.joinAnon.addEventListener("click", () => join({ resume: false, anonymous: true }));
ui.rejoin.addEventListener("click", () => join({ resume: true }));
ui.newSession.addEventListener("click", () => {
  localStorage.removeItem(SESSION_KEY); state.sessionId = null; state.lastSeq = 0;
  clearSessionView(); notice("");
  if (state.signedIn) join({ resume: false });
  else setConnection("idle", "Sign in to join, or join without an account.");
});
ui.leave.addEventListener("click", leave);
ui.shareTabNow.addEventListener("click", shareTabNow);
navigator.mediaDevices?.addEventListener?.("devicechange", () => listMicrophones().catch(() => {}));

// Keyboard shortcuts (listed in the page's footer): D draft now, 1-3 options, P pin, T/Esc
// teleprompter.
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)) return;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (key === "d") {
    if (send({ type: "request_draft", question_id: state.lastQuestionId })) {
      Answers.showDraftPlaceholder(ui.transcript);
    } else {
      notice("Not connected: cannot request a draft.");
    }
  } else if (key === "t") {
    Answers.toggleTeleprompter();
  } else if (key === "Escape" && Answers.teleprompterOn()) {
    Answers.toggleTeleprompter(false);
  } else if (key === "p") {
    Answers.togglePin();
  } else if (["1", "2", "3"].includes(key)) {
    if (!Answers.chooseOption(Number(key) - 1)) return;
  } else {
    return;
  }
  e.preventDefault();
});

Answers.init({
  questionTemplate: $("question-template"), optionTemplate: $("option-template"),
  current: $("current-question"), earlier: $("earlier-questions"), earlierTitle: $("earlier-title"),
  empty: $("no-questions"), live: $("answers-live"), teleprompterToggle: $("teleprompter-toggle"),
}, { postFeedback });
Auth.onChange(({ signedIn, reason }) => { if (reason !== "refreshed") showAccount(signedIn, reason); });
Auth.start();

// Test hook: the browser tests hand events to the page as the data channel would.
window.cuecardTest = { handleEvent, state };

listMicrophones().catch(() => {});
setConnection("idle");
showAccount(Auth.hasSession());
(async () => {
  if (Auth.hasSession()) {
    try { showAccount(!!(await Auth.fresh())); } catch (_) { /* offline: keep the tokens, try later */ }
  }
  await restorePreviousSession();
})();
