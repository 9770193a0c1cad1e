// Account page: sign up / log in, sessions and their history, profile review, stories, jobs.
// Sign-in state is auth.js's (shared with the live page): tokens in localStorage, the access
// token refreshed before it expires, so a reload keeps you signed in until you log out or the
// 30-day refresh token expires. A 401 triggers one refresh, then the login form with a message.
// Everything user-provided is written with textContent (never innerHTML).
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const Auth = window.CuecardAuth;
const LIVE_SESSION_KEY = "cuecard.session_id";  // the live page's "previous session"

// --- messages -----------------------------------------------------------------------------------
// Success messages go away after a few seconds; errors stay longer (until read) or until the
// next message.
const MESSAGE_MS = 4000;
const ERROR_MS = 15000;
let messageTimer = null;

function say(text, isError = false) {
  const m = $("#message");
  clearTimeout(messageTimer);
  m.textContent = text;
  m.className = isError ? "error" : "";
  m.hidden = !text;
  if (text) messageTimer = setTimeout(() => { m.hidden = true; m.textContent = ""; }, isError ? ERROR_MS : MESSAGE_MS);
}

// Plain sentences for the errors people meet; never "field: message" for sign-in errors.
const FRIENDLY = {
  invalid_credentials: "Email or password is wrong.",
  email_taken: "An account with this email already exists: log in instead.",
  rate_limited: "Too many attempts. Wait a minute, then try again.",
  token_expired: "Your sign-in expired. Sign in again.",
  token_revoked: "You were signed out. Sign in again.",
};

function sentence(text) {
  const t = text.trim();
  if (!t) return t;
  return t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".");
}

function plainMessage(status, error, path) {
  const e = error || {};
  if (FRIENDLY[e.code]) return FRIENDLY[e.code];
  let message = e.message || `The server answered with an error (HTTP ${status})`;
  if (e.field && message.startsWith(`${e.field}: `)) message = message.slice(e.field.length + 2);
  if (path.startsWith("/api/auth/")) {
    if (e.field === "email") return "Enter a valid email address.";
    if (e.field === "password" && /at least/i.test(message)) return "The password must be at least 8 characters.";
    return sentence(message);
  }
  if (status === 400 && e.field) {
    const name = e.field.replace(/_/g, " ");
    return sentence(`${name[0].toUpperCase()}${name.slice(1)}: ${message}`);
  }
  return sentence(message);
}

class ApiError extends Error {
  constructor(status, body, path) {
    super(plainMessage(status, body && body.error, path));
    this.status = status;
    this.code = body && body.error && body.error.code;
  }
}

async function api(method, path, body, { raw = false } = {}) {
  const headers = {};
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const open = path === "/api/auth/login" || path === "/api/auth/register";
  const r = open ? await fetch(path, { method, headers, body: payload })
    : await Auth.authFetch(path, { method, headers, body: payload });
  if (!r.ok) {
    let data = null;
    try { data = await r.json(); } catch (_) { /* not JSON */ }
    if (r.status === 401 && !open) {
      Auth.clear("expired");  // refresh failed too: the login form says so
      const err = new ApiError(r.status, { error: { code: "token_expired" } }, path);
      err.signedOut = true;
      throw err;
    }
    throw new ApiError(r.status, data, path);
  }
  if (raw) return r;
  return r.status === 204 ? null : r.json();
}

function fail(e) {
  if (e && e.signedOut) return;  // the login form already says why
  say(e && e.message ? e.message : String(e), true);
}

// --- auth -------------------------------------------------------------------------------------

const nextPage = new URLSearchParams(location.search).get("next") === "/" ? "/" : null;
let signedInView = false;

function signedIn() {
  signedInView = true;
  $("#auth").hidden = true;
  $("#nav").hidden = false;
  $("#who").textContent = Auth.email();
  show("sessions");
}

function signedOut(reason) {
  signedInView = false;
  $("#auth").hidden = false;
  $("#nav").hidden = true;
  $$(".panel").forEach(p => (p.hidden = true));
  if (reason === "expired") say("Your sign-in expired. Sign in again.", true);
}

Auth.onChange(({ signedIn: isIn, reason }) => {
  if (reason === "refreshed") return;
  if (isIn && !signedInView) signedIn();
  else if (!isIn && signedInView) signedOut(reason);
});

$("#auth-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const action = ev.submitter ? ev.submitter.value : "login";
  try {
    const tokens = await api("POST", `/api/auth/${action}`, {
      email: form.email.value.trim(), password: form.password.value,
    });
    form.password.value = "";
    Auth.set(tokens);
    if (!signedInView) signedIn();
    say(action === "register" ? "Account created." : "");
    if (nextPage && !Auth.anonSessions.list().length) location.assign(nextPage);
  } catch (e) { fail(e); }
});

$("#logout").addEventListener("click", async () => {
  await Auth.logout();
  signedOut();
  say("Logged out.");
});

// --- tabs ---------------------------------------------------------------------------------------

const loaders = {};
function show(tab) {
  $$(".panel").forEach(p => (p.hidden = p.id !== tab));
  $$(".tab").forEach(b => b.classList.toggle("active", b.dataset.tab === tab));
  if (loaders[tab]) loaders[tab]().catch(fail);
}
$$(".tab").forEach(b => b.addEventListener("click", () => show(b.dataset.tab)));

const csv = (text) => text.split(",").map(s => s.trim()).filter(Boolean);
const when = (ts) => ts ? new Date(ts * 1000).toLocaleString() : "";
// A list entry that opens something: a button inside the <li> (clickable, and reachable with
// the keyboard, while the list stays a list for screen readers).
function li(content, onClick) {
  const item = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "item";
  if (Array.isArray(content)) button.append(...content);
  else button.textContent = content;
  button.addEventListener("click", () => {
    $$("li", item.parentElement).forEach(x => x.classList.remove("selected"));
    item.classList.add("selected");
    onClick();
  });
  item.append(button);
  return item;
}

// --- sessions -----------------------------------------------------------------------------------

let sessionOffset = 0;
let current = null;
const PAGE = 20;

// What each state means and which actions apply (the server's transitions, see
// cuecard/api/rest_sessions.py; "continue" rejoins on the live page, which makes it active).
const STATE_HELP = {
  pending: "Pending: created here, not started yet.",
  active: "Active: running now, or it was when the live page last reported.",
  paused: "Paused: stopped for a while; resume it or complete it.",
  ended: "Ended: the live page left or lost its connection. Everything said so far is kept; " +
    "continue it on the live page, or keep it as it is.",
  completed: "Completed: finished for good. Read it, export it, or delete it.",
};
const APPLIES = {
  continue: ["active", "paused", "ended"],
  start: ["pending"], pause: ["active"], resume: ["paused"], complete: ["pending", "active", "paused"],
  delete: ["pending", "active", "paused", "ended", "completed"],
};

function sessionItem(s) {
  const title = document.createElement("span");
  title.textContent = s.title || "Untitled";
  const badge = document.createElement("span");
  badge.className = `state state-${s.state}`;
  badge.textContent = s.state;
  const date = document.createElement("span");
  date.className = "muted";
  date.textContent = when(s.created_at);
  return li([title, " ", badge, " ", date], () => openSession(s.id).catch(fail));
}

loaders.sessions = async (append = false) => {
  if (!append) { sessionOffset = 0; $("#session-list").textContent = ""; loadAnonymous().catch(() => {}); }
  const page = await api("GET", `/api/sessions?limit=${PAGE}&offset=${sessionOffset}`);
  for (const s of page.items) $("#session-list").append(sessionItem(s));
  if (!append && !page.items.length) {
    const empty = document.createElement("li");
    empty.className = "muted empty";
    empty.textContent = "No sessions yet. Join one on the live page, or create one here.";
    $("#session-list").append(empty);
  }
  sessionOffset += page.items.length;
  $("#more-sessions").hidden = sessionOffset >= page.total;
  $("#back-live").hidden = !nextPage;
};
$("#more-sessions").addEventListener("click", () => loaders.sessions(true).catch(fail));

$("#new-session").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const s = await api("POST", "/api/sessions", { title: ev.target.title.value.trim() });
    ev.target.title.value = "";
    await loaders.sessions();
    await openSession(s.id);
  } catch (e) { fail(e); }
});

// Sessions this browser started on the live page without an account (auth.js remembers their
// ids): shown with what the anonymous owner can read of them, and offered for claiming.
let anonymousIds = [];
async function loadAnonymous() {
  const list = $("#anon-list");
  anonymousIds = [];
  const items = Auth.anonSessions.list();
  const rows = [];
  for (const item of items) {
    let r;
    const headers = Auth.anonSessions.headers(item.id);  // its capability secret
    try { r = await fetch(`/api/live/${encodeURIComponent(item.id)}/transcript`, { headers }); } catch (_) { continue; }
    if (r.status === 404) { Auth.anonSessions.remove([item.id]); continue; }  // gone, or claimed already
    if (!r.ok) continue;
    const t = await r.json();
    anonymousIds.push(item.id);
    const li = document.createElement("li");
    const n = (t.segments || []).length;
    li.textContent = `Live interview — ${t.state || "unknown"} — started ${when(item.started_at)} — ` +
      `${n} transcript line${n === 1 ? "" : "s"}`;
    rows.push(li);
  }
  list.replaceChildren(...rows);
  $("#anon-box").hidden = anonymousIds.length === 0;
}

$("#claim-sessions").addEventListener("click", async () => {
  if (!anonymousIds.length) return;
  try {
    const result = await api("POST", "/api/sessions/claim",
      { session_ids: anonymousIds, session_secrets: Auth.anonSessions.secrets(anonymousIds) });
    Auth.anonSessions.remove([...result.claimed, ...result.skipped]);
    const n = result.claimed.length;
    say(n ? `Added ${n} session${n === 1 ? "" : "s"} to your account.` : "Nothing to add: those sessions are gone.");
    await loaders.sessions();
  } catch (e) { fail(e); }
});
$("#claim-dismiss").addEventListener("click", () => {
  Auth.anonSessions.remove(anonymousIds);
  anonymousIds = [];
  $("#anon-box").hidden = true;
});

async function allPages(path) {
  const items = [];
  for (let offset = 0; ; ) {
    const page = await api("GET", `${path}?limit=500&offset=${offset}`);
    items.push(...page.items);
    offset += page.items.length;
    if (!page.items.length || offset >= page.total) return items;
  }
}

async function openSession(id) {
  const s = await api("GET", `/api/sessions/${encodeURIComponent(id)}`);
  current = s;
  $("#session-detail").hidden = false;
  $("#session-title").textContent = s.title || "Untitled session";
  $("#session-meta").textContent = `${s.state} · created ${when(s.created_at)} · ${s.id}`;
  $("#session-state-help").textContent = STATE_HELP[s.state] || `State: ${s.state}.`;
  // Only the actions that apply to this state are offered (and enabled).
  $$("#session-actions button").forEach(b => {
    const applies = (APPLIES[b.dataset.action] || []).includes(s.state);
    b.hidden = !applies;
    b.disabled = !applies;
  });
  const base = `/api/sessions/${encodeURIComponent(id)}`;
  const [lines, questions, suggestions] = await Promise.all(
    [`${base}/transcript`, `${base}/questions`, `${base}/suggestions`].map(allPages));
  const ol = $("#transcript");
  ol.textContent = "";
  for (const line of lines) {
    const item = document.createElement("li");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = `${line.speaker || line.role}: `;
    item.append(who, line.text);
    ol.append(item);
  }
  const box = $("#questions");
  box.textContent = "";
  for (const q of questions) {
    const div = document.createElement("div");
    div.className = "question";
    const h = document.createElement("strong");
    h.textContent = q.text;
    div.append(h);
    for (const sug of suggestions.filter(x => x.question_id === q.question_id)) {
      const p = document.createElement("p");
      const fb = sug.feedback ? (sug.feedback.helpful ? " (marked helpful)" : " (marked not helpful)") : "";
      p.textContent = `Option ${sug.option}: ${sug.text || ""}${fb}`;
      div.append(p);
    }
    box.append(div);
  }
  if (!lines.length && !questions.length) box.textContent = "Nothing recorded yet.";
}

$("#session-actions").addEventListener("click", async (ev) => {
  const action = ev.target.dataset.action;
  if (!action || !current) return;
  if (action === "continue") {  // the live page restores it and offers Rejoin
    localStorage.setItem(LIVE_SESSION_KEY, current.id);
    location.assign("/");
    return;
  }
  try {
    if (action === "delete") {
      if (!confirm("Delete this session with its transcript and suggestions?")) return;
      await api("DELETE", `/api/sessions/${encodeURIComponent(current.id)}`);
      $("#session-detail").hidden = true;
      current = null;
    } else {
      await api("POST", `/api/sessions/${encodeURIComponent(current.id)}/${action}`);
      await openSession(current.id);
    }
    await loaders.sessions();
  } catch (e) { fail(e); }
});

$("#exports").addEventListener("click", async (ev) => {
  const format = ev.target.dataset.format;
  if (!format || !current) return;
  try {
    const r = await api("GET", `/api/sessions/${encodeURIComponent(current.id)}/export/${format}`, undefined, { raw: true });
    const blob = await r.blob();
    const match = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = match ? match[1] : `cuecard-${current.id}.${format}`;
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  } catch (e) { fail(e); }
});

// --- profile ------------------------------------------------------------------------------------

const ROLE_FIELDS = ["title", "employer", "start", "end", "location"];
const EDU_FIELDS = ["institution", "degree", "start", "end"];

function fieldset(kind, fields, value, extra) {
  const fs = document.createElement("fieldset");
  fs.className = kind;
  for (const name of fields) {
    const label = document.createElement("label");
    label.textContent = name[0].toUpperCase() + name.slice(1) + " ";
    const input = document.createElement("input");
    input.name = name;
    input.value = value[name] || "";
    label.append(input);
    fs.append(label);
  }
  if (extra) extra(fs);
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "danger";
  remove.textContent = "Remove";
  remove.addEventListener("click", () => fs.remove());
  fs.append(remove);
  return fs;
}

function roleSet(role = {}) {
  return fieldset("role", ROLE_FIELDS, role, (fs) => {
    const label = document.createElement("label");
    label.textContent = "Achievements (one per line) ";
    const ta = document.createElement("textarea");
    ta.name = "achievements";
    ta.rows = 3;
    ta.value = (role.achievements || []).join("\n");
    label.append(ta);
    fs.append(label);
  });
}

function fillProfile(p) {
  const f = $("#profile-form");
  for (const name of ["name", "headline", "email", "summary"]) f[name].value = p[name] || "";
  f.skills.value = (p.skills || []).join(", ");
  $("#roles").textContent = "";
  (p.roles || []).forEach(r => $("#roles").append(roleSet(r)));
  $("#education").textContent = "";
  (p.education || []).forEach(e => $("#education").append(fieldset("edu", EDU_FIELDS, e)));
  f.dataset.resume = p.resume_text || "";
}

loaders.profile = async () => fillProfile(await api("GET", "/api/profile"));
$("#add-role").addEventListener("click", () => $("#roles").append(roleSet()));
$("#add-education").addEventListener("click", () => $("#education").append(fieldset("edu", EDU_FIELDS, {})));

$("#profile-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const read = (fs, fields) => Object.fromEntries(fields.map(n => [n, fs.querySelector(`[name=${n}]`).value.trim()]));
  const profile = {
    name: f.name.value.trim(), headline: f.headline.value.trim(), email: f.email.value.trim(),
    summary: f.summary.value.trim(), skills: csv(f.skills.value), resume_text: f.dataset.resume || "",
    roles: $$("#roles fieldset").map(fs => ({
      ...read(fs, ROLE_FIELDS),
      achievements: fs.querySelector("[name=achievements]").value.split("\n").map(s => s.trim()).filter(Boolean),
    })),
    education: $$("#education fieldset").map(fs => read(fs, EDU_FIELDS)),
  };
  try { fillProfile(await api("PUT", "/api/profile", profile)); say("Profile saved."); }
  catch (e) { fail(e); }
});

$("#resume-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const file = ev.target.file.files[0];
  if (!file) return say("Choose a resume file first.", true);
  const data = new FormData();
  data.append("file", file, file.name);
  try {
    const result = await api("POST", `/api/profile/resume?draft_stories=${ev.target.draft.checked}`, data);
    fillProfile(result.profile);
    say(`Resume read. ${result.stories.length} story drafts added — review them under Stories.`);
  } catch (e) { fail(e); }
});

// --- stories and jobs (same shape: list + form) -------------------------------------------------

function editor({ kind, list, form, fields, lists, label, onSelect }) {
  const empty = () => { form.reset(); form.id.value = ""; };
  const load = async () => {
    $(list).textContent = "";
    for (const item of await allPages(`/api/${kind}`))
      $(list).append(li(label(item), () => select(item)));
  };
  const select = (item) => {
    form.id.value = item.id;
    for (const n of fields) form[n].value = item[n] || "";
    for (const n of lists) form[n].value = (item[n] || []).join(", ");
    if (onSelect) onSelect(item);
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = Object.fromEntries(fields.map(n => [n, form[n].value.trim()]));
    for (const n of lists) body[n] = csv(form[n].value);
    if (kind === "stories") body.drafted = false; // saved by the user = reviewed
    try {
      const saved = form.id.value
        ? await api("PATCH", `/api/${kind}/${encodeURIComponent(form.id.value)}`, body)
        : await api("POST", `/api/${kind}`, body);
      select(saved);
      await load();
      say("Saved.");
    } catch (e) { fail(e); }
  });
  return { load, empty, select };
}

// Stories drafted from the resume (drafted=true) are marked "needs your review"; once one is
// opened, its empty parts and a title cut short ("…") are highlighted until filled in.
const STORY_PARTS = ["title", "situation", "task", "action", "result"];

function storyLabel(s) {
  const title = document.createElement("span");
  title.textContent = s.title || "Untitled";
  if (!s.drafted) return [title];
  const badge = document.createElement("span");
  badge.className = "review-badge";
  badge.textContent = "needs your review";
  return [title, " ", badge];
}

function storyGaps(form) {
  const gaps = [];
  for (const name of STORY_PARTS) {
    const value = form[name].value.trim();
    if (!value || (name === "title" && /(…|\.\.\.)$/.test(value))) gaps.push(name);
  }
  return gaps;
}

function markStoryGaps(drafted) {
  const form = $("#story-form");
  const gaps = drafted ? storyGaps(form) : [];
  for (const name of STORY_PARTS) {
    const missing = gaps.includes(name);
    form[name].closest("label").classList.toggle("missing", missing);
    form[name].placeholder = missing
      ? (name === "title" ? "" : "Empty: add this part of the story")
      : "";
  }
  const note = $("#story-review");
  note.hidden = !drafted;
  if (drafted) {
    const names = gaps.map(n => n === "title" ? "the title was cut short" : n[0].toUpperCase() + n.slice(1));
    note.textContent = "Drafted from your resume — needs your review. " +
      (names.length ? `To fill in: ${names.join(", ")}. ` : "") + "Saving marks it reviewed.";
  }
  form.dataset.drafted = drafted ? "true" : "";
}

$("#story-form").addEventListener("input", () => {
  if ($("#story-form").dataset.drafted) markStoryGaps(true);
});

const stories = editor({
  kind: "stories", list: "#story-list", form: $("#story-form"),
  fields: STORY_PARTS, lists: ["skills"],
  label: storyLabel,
  onSelect: (s) => markStoryGaps(!!s.drafted),
});
loaders.stories = stories.load;
$("#story-new").addEventListener("click", () => { stories.empty(); markStoryGaps(false); });
$("#story-delete").addEventListener("click", async () => {
  const id = $("#story-form").id.value;
  if (!id) return;
  try {
    await api("DELETE", `/api/stories/${encodeURIComponent(id)}`);
    stories.empty(); markStoryGaps(false); await stories.load(); say("Story deleted.");
  }
  catch (e) { fail(e); }
});

const jobs = editor({
  kind: "jobs", list: "#job-list", form: $("#job-form"),
  fields: ["text", "title", "company", "seniority"], lists: ["required_skills", "preferred_skills"],
  label: j => `${j.title || "Untitled job"}${j.company ? " — " + j.company : ""}`,
  onSelect: () => { $("#match-result").hidden = true; },
});
loaders.jobs = jobs.load;
$("#job-new").addEventListener("click", jobs.empty);
$("#job-delete").addEventListener("click", async () => {
  const id = $("#job-form").id.value;
  if (!id) return;
  try { await api("DELETE", `/api/jobs/${encodeURIComponent(id)}`); jobs.empty(); await jobs.load(); say("Job deleted."); }
  catch (e) { fail(e); }
});
// The match as a comparison a person reads: required skills shown / missing, and which of
// the candidate's stories fit which requirement (not the raw JSON).
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
const cut = (text, n = 90) => text.length > n ? text.slice(0, n - 1).trimEnd() + "…" : text;

function matchColumn(title, items, emptyText) {
  const col = el("div", undefined, "match-col");
  col.append(el("h3", title));
  if (!items.length) { col.append(el("p", emptyText, "muted")); return col; }
  const ul = el("ul");
  for (const [main, detail, full] of items) {
    const item = el("li");
    item.append(el("strong", main));
    if (detail) {
      const d = el("span", ` — ${cut(detail)}`, "muted");
      if (full && full !== detail) d.title = full;
      else if (detail.length > 90) d.title = detail;
      item.append(d);
    }
    ul.append(item);
  }
  col.append(ul);
  return col;
}

function renderMatch(m, job) {
  const out = $("#match-result");
  out.replaceChildren();
  out.hidden = false;
  out.append(el("h2", `How your profile matches${job ? ` ${job}` : " this job"}`));
  if (!m.available || !m.result) { out.append(el("p", "Matching is not available on this server.")); return; }
  const r = m.result;
  out.append(el("p", r.coverage === null || r.coverage === undefined
    ? "The job lists no required skills, so there is nothing to cover."
    : `You show ${r.required_shown} of the ${r.required_total} required skills (${Math.round(r.coverage * 100)}%).`,
  "match-summary"));
  const sourceName = { skills: "skills list", role: "experience", story: "story" };
  const matched = (r.skills || []).filter(s => s.shown).map(s => {
    const ev = (s.evidence || [])[0];
    const where = ev ? `${sourceName[ev.source] || ev.source}: ${ev.text}` : "";
    return [`${s.skill}${s.required ? "" : " (nice to have)"}`, where];
  });
  const missing = [
    ...(r.gaps || []).map(g => [g, "required"]),
    ...(r.preferred_gaps || []).map(g => [g, "nice to have"]),
  ];
  // one entry per story, with the requirements it fits (best fit first)
  const byStory = new Map();
  for (const req of r.requirements || []) {
    for (const fit of (req.stories || []).slice(0, 1)) {
      const entry = byStory.get(fit.story_id) || { title: fit.title || "Untitled story", reqs: [], best: 0 };
      entry.reqs.push(req.requirement);
      entry.best = Math.max(entry.best, fit.score);
      byStory.set(fit.story_id, entry);
    }
  }
  const stories = [...byStory.values()].sort((a, b) => b.best - a.best).slice(0, 8).map(e => {
    const reqs = e.reqs.map(x => `“${x}”`).join(", ");
    return [e.title, `for ${reqs} (best fit ${Math.round(e.best * 100)}%)`, `for ${reqs}`];
  });
  const grid = el("div", undefined, "match-grid");
  grid.append(
    matchColumn("Matched skills", matched, "None of the listed skills shows in your profile or stories yet."),
    matchColumn("Missing skills", missing, "Nothing missing: every listed skill shows."),
    matchColumn("Suggested stories", stories, "No story fits these requirements yet: add stories under Stories."),
  );
  out.append(grid);
  if (r.semantic_ranking === false) {
    out.append(el("p", "Stories were ranked by shared skills only (the text model could not be loaded).", "muted"));
  }
  out.scrollIntoView({ block: "start" });
}

$("#job-match").addEventListener("click", async () => {
  const form = $("#job-form");
  const id = form.id.value;
  if (!id) return say("Save or pick a job first.", true);
  try {
    const m = await api("GET", `/api/jobs/${encodeURIComponent(id)}/match`);
    const name = [form.title.value.trim(), form.company.value.trim()].filter(Boolean).join(" at ");
    renderMatch(m, name);
  } catch (e) { fail(e); }
});

// --- start ----------------------------------------------------------------------------------------

(async () => {
  Auth.start();
  if (!Auth.hasSession()) return signedOut(localStorage.getItem("cuecard.access") ? "expired" : undefined);
  try {
    if (!(await Auth.fresh())) return signedOut("expired");
    await api("GET", "/api/auth/me");
    if (!signedInView) signedIn();
  } catch (e) {
    if (e.signedOut || e.status === 401) return;  // the login form is shown, with the reason
    // Offline or the server is down: keep the tokens (the sign-in is still good) and say so.
    say("Could not reach the Cuecard server. Reload the page to try again.", true);
  }
})();
