// Account page: sign up / log in, sessions and their history, profile review, stories, jobs.
// Tokens live in localStorage; a 401 triggers one refresh attempt, then the login form.
// Everything user-provided is written with textContent (never innerHTML).
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const store = {
  get access() { return localStorage.getItem("cuecard.access"); },
  get refresh() { return localStorage.getItem("cuecard.refresh"); },
  set(tokens) {
    localStorage.setItem("cuecard.access", tokens.access_token);
    localStorage.setItem("cuecard.refresh", tokens.refresh_token);
    localStorage.setItem("cuecard.email", tokens.user.email);
  },
  clear() { ["access", "refresh", "email"].forEach(k => localStorage.removeItem("cuecard." + k)); },
};

function say(text, isError = false) {
  const m = $("#message");
  m.textContent = text;
  m.className = isError ? "error" : "";
  m.hidden = !text;
}

class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message ? (e.field ? `${e.field}: ${e.message}` : e.message) : `HTTP ${status}`);
    this.status = status;
  }
}

async function refreshTokens() {
  if (!store.refresh) return false;
  const r = await fetch("/api/auth/refresh", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: store.refresh }),
  });
  if (!r.ok) return false;
  store.set(await r.json());
  return true;
}

async function api(method, path, body, { raw = false, retry = true } = {}) {
  const headers = {};
  if (store.access) headers.Authorization = "Bearer " + store.access;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const r = await fetch(path, { method, headers, body: payload });
  if (r.status === 401 && retry && store.refresh && !path.startsWith("/api/auth/")) {
    if (await refreshTokens()) return api(method, path, body, { raw, retry: false });
    signedOut();
  }
  if (!r.ok) {
    let data = null;
    try { data = await r.json(); } catch (_) { /* not JSON */ }
    throw new ApiError(r.status, data);
  }
  if (raw) return r;
  return r.status === 204 ? null : r.json();
}

// --- auth -------------------------------------------------------------------------------------

function signedIn() {
  $("#auth").hidden = true;
  $("#nav").hidden = false;
  $("#who").textContent = localStorage.getItem("cuecard.email") || "";
  show("sessions");
}

function signedOut() {
  store.clear();
  $("#auth").hidden = false;
  $("#nav").hidden = true;
  $$(".panel").forEach(p => (p.hidden = true));
}

$("#auth-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const action = ev.submitter ? ev.submitter.value : "login";
  try {
    const tokens = await api("POST", `/api/auth/${action}`, {
      email: form.email.value.trim(), password: form.password.value,
    });
    store.set(tokens);
    form.password.value = "";
    say(action === "register" ? "Account created." : "");
    signedIn();
  } catch (e) { say(e.message, true); }
});

$("#logout").addEventListener("click", async () => {
  try { await api("POST", "/api/auth/logout", { refresh_token: store.refresh }); } catch (_) { /* already gone */ }
  signedOut();
  say("Logged out.");
});

// --- tabs ---------------------------------------------------------------------------------------

const loaders = {};
function show(tab) {
  $$(".panel").forEach(p => (p.hidden = p.id !== tab));
  $$(".tab").forEach(b => b.classList.toggle("active", b.dataset.tab === tab));
  if (loaders[tab]) loaders[tab]().catch(e => say(e.message, true));
}
$$(".tab").forEach(b => b.addEventListener("click", () => show(b.dataset.tab)));

const csv = (text) => text.split(",").map(s => s.trim()).filter(Boolean);
const when = (ts) => ts ? new Date(ts * 1000).toLocaleString() : "";
function li(text, onClick) {
  const item = document.createElement("li");
  item.textContent = text;
  item.addEventListener("click", () => {
    $$("li", item.parentElement).forEach(x => x.classList.remove("selected"));
    item.classList.add("selected");
    onClick();
  });
  return item;
}

// --- sessions -----------------------------------------------------------------------------------

let sessionOffset = 0;
let current = null;
const PAGE = 20;

loaders.sessions = async (append = false) => {
  if (!append) { sessionOffset = 0; $("#session-list").textContent = ""; }
  const page = await api("GET", `/api/sessions?limit=${PAGE}&offset=${sessionOffset}`);
  for (const s of page.items)
    $("#session-list").append(li(`${s.title || "Untitled"} — ${s.state} — ${when(s.created_at)}`, () => openSession(s.id)));
  sessionOffset += page.items.length;
  $("#more-sessions").hidden = sessionOffset >= page.total;
};
$("#more-sessions").addEventListener("click", () => loaders.sessions(true).catch(e => say(e.message, true)));

$("#new-session").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const s = await api("POST", "/api/sessions", { title: ev.target.title.value.trim() });
    ev.target.title.value = "";
    await loaders.sessions();
    await openSession(s.id);
  } catch (e) { say(e.message, true); }
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
  const allowed = { start: ["pending"], pause: ["active"], resume: ["paused"], complete: ["pending", "active", "paused"] };
  $$("#session-actions button").forEach(b => {
    b.disabled = b.dataset.action !== "delete" && !allowed[b.dataset.action].includes(s.state);
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
  } catch (e) { say(e.message, true); }
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
  } catch (e) { say(e.message, true); }
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
  catch (e) { say(e.message, true); }
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
  } catch (e) { say(e.message, true); }
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
    } catch (e) { say(e.message, true); }
  });
  return { load, empty, select };
}

const stories = editor({
  kind: "stories", list: "#story-list", form: $("#story-form"),
  fields: ["title", "situation", "task", "action", "result"], lists: ["skills"],
  label: s => `${s.title || "Untitled"}${s.drafted ? " (draft — review me)" : ""}`,
});
loaders.stories = stories.load;
$("#story-new").addEventListener("click", stories.empty);
$("#story-delete").addEventListener("click", async () => {
  const id = $("#story-form").id.value;
  if (!id) return;
  try { await api("DELETE", `/api/stories/${encodeURIComponent(id)}`); stories.empty(); await stories.load(); }
  catch (e) { say(e.message, true); }
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
  try { await api("DELETE", `/api/jobs/${encodeURIComponent(id)}`); jobs.empty(); await jobs.load(); }
  catch (e) { say(e.message, true); }
});
$("#job-match").addEventListener("click", async () => {
  const id = $("#job-form").id.value;
  if (!id) return say("Save or pick a job first.", true);
  try {
    const m = await api("GET", `/api/jobs/${encodeURIComponent(id)}/match`);
    const out = $("#match-result");
    out.hidden = false;
    out.textContent = m.available ? JSON.stringify(m.result, null, 2) : "Matching is not available on this server.";
  } catch (e) { say(e.message, true); }
});

// --- start ----------------------------------------------------------------------------------------

(async () => {
  if (!store.access) return signedOut();
  try { await api("GET", "/api/auth/me"); signedIn(); }
  catch (_) { signedOut(); }
})();
