// Dashboard: how a candidate's sessions went, and (for admins) how the instance is doing.
//
// Data: /api/dashboard/sessions (the user's last sessions with their measured latencies and
// recognition figures), /api/dashboard/sessions/{id} (one session's timeline) and
// /api/dashboard/instance (admins: this server's live metrics). Charts: Chart.js, vendored in
// /static/vendor (no CDN). No inline scripts, styles or handlers: the page runs under a strict
// Content-Security-Policy.
//
// Tests read `window.cuecardDashboard`: `charts` (Chart instances by canvas id) and `state`
// ("loading" | "ready" | "signed-out" | "error"); `document.body.dataset.state` mirrors it.
"use strict";

(() => {
  const Auth = window.CuecardAuth;
  const $ = (id) => document.getElementById(id);
  const charts = {};
  const COLORS = {
    interviewer: "#1769aa", candidate: "#2e8540", question: "#b26b00", draft: "#7b3fa0",
    p50: "#1769aa", p95: "#9cc3e6", line50: "#2e8540", line95: "#a8d5b5", refined: "#b42318",
  };
  const dash = { charts, state: "loading" };
  window.cuecardDashboard = dash;

  function setState(state) {
    dash.state = state;
    document.body.dataset.state = state;
  }

  function say(text, error = false) {
    const m = $("message");
    m.textContent = text;
    m.classList.toggle("error", error);
    m.hidden = !text;
  }

  const secs = (v) => (v === null || v === undefined ? "–" : `${v.toFixed(2)} s`);
  const pct = (v) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)} %`);
  const pair = (p) => (p && p.n ? `${secs(p.p50)} · ${secs(p.p95)}` : "no data yet");
  const when = (t) => new Date(t * 1000).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

  async function api(path) {
    const r = await Auth.authFetch(path, {}, { required: true });
    if (!r.ok) {
      let message = `${r.status}`;
      try { message = (await r.json()).error.message; } catch (_) { /* not JSON */ }
      const err = new Error(message);
      err.status = r.status;
      throw err;
    }
    return r.json();
  }

  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    const base = { responsive: true, maintainAspectRatio: false, animation: false };
    charts[id] = new window.Chart($(id), { ...config, options: { ...base, ...(config.options || {}) } });
    return charts[id];
  }

  // --- the user's sessions ----------------------------------------------------------------------
  function renderOverview(data) {
    $("mine").hidden = false;
    $("tile-draft").textContent = pair(data.draft_latency);
    $("tile-line").textContent = pair(data.transcript_delay);
    $("tile-helpful").textContent = String(data.helpful.length);
    const sessions = [...data.sessions].reverse(); // oldest first, left to right
    const labels = sessions.map((s) => s.title && s.title !== "Replay" ? s.title : when(s.created_at));
    draw("chart-latency", {
      type: "bar",
      data: {
        labels,
        datasets: [
          { label: "Draft p50", data: sessions.map((s) => s.draft_latency.p50), backgroundColor: COLORS.p50 },
          { label: "Draft p95", data: sessions.map((s) => s.draft_latency.p95), backgroundColor: COLORS.p95 },
          { label: "Line p50", data: sessions.map((s) => s.transcript_delay.p50), backgroundColor: COLORS.line50 },
          { label: "Line p95", data: sessions.map((s) => s.transcript_delay.p95), backgroundColor: COLORS.line95 },
        ],
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: "seconds" } } } },
    });
    draw("chart-quality", {
      type: "line",
      data: {
        labels,
        datasets: [
          { label: "Mean confidence", data: sessions.map((s) => s.mean_confidence), borderColor: COLORS.p50, backgroundColor: COLORS.p50 },
          { label: "Words changed by refinement", data: sessions.map((s) => s.refined_share), borderColor: COLORS.refined, backgroundColor: COLORS.refined },
        ],
      },
      options: { scales: { y: { min: 0, max: 1 } } },
    });
    const body = $("session-rows");
    body.replaceChildren();
    for (const s of data.sessions) {
      const tr = document.createElement("tr");
      tr.dataset.id = s.id;
      const name = document.createElement("button");
      name.type = "button";
      name.textContent = `${s.title || "Session"} · ${when(s.created_at)}`;
      name.addEventListener("click", () => openSession(s.id));
      const cells = [name, String(s.questions ?? 0), secs(s.draft_latency.p50), secs(s.transcript_delay.p50),
        pct(s.mean_confidence), pct(s.refined_share), `${s.helpful} / ${s.helpful + s.not_helpful}`];
      for (const c of cells) {
        const td = document.createElement("td");
        if (typeof c === "string") td.textContent = c; else td.append(c);
        tr.append(td);
      }
      body.append(tr);
    }
    const list = $("helpful");
    list.replaceChildren();
    for (const h of data.helpful) {
      const li = document.createElement("li");
      li.textContent = `${h.option} (${h.source || "draft"}): ${h.text}`;
      list.append(li);
    }
    $("helpful-section").hidden = !data.helpful.length;
  }

  // --- one session's timeline ---------------------------------------------------------------------
  function speakerOf(line) { return line.speaker || (line.role === "candidate" ? "You" : "Interviewer"); }

  async function openSession(id) {
    const data = await api(`/api/dashboard/sessions/${encodeURIComponent(id)}`);
    for (const tr of $("session-rows").children) tr.classList.toggle("selected", tr.dataset.id === id);
    $("timeline").hidden = false;
    $("timeline-title").textContent = `Session timeline · ${when(data.session.created_at)}`;
    const speakers = [...new Set(data.lines.map(speakerOf))];
    const rows = [...speakers, "Questions", "Drafts"];
    const speech = data.lines.map((l) => ({ x: [l.start, l.end], y: speakerOf(l), role: l.role, text: l.text }));
    const questions = data.questions.filter((q) => q.start !== null && q.end !== null)
      .map((q) => ({ x: [q.start, q.end], y: "Questions", text: q.text }));
    const drafts = data.questions.filter((q) => q.lasting_at !== null && q.lasting_at !== undefined)
      .map((q) => ({ x: [Math.min(q.end, q.lasting_at), Math.max(q.end, q.lasting_at) + 0.05], y: "Drafts",
        text: `${q.source} draft ${q.delay === null ? "" : secs(q.delay)} after the question` }));
    draw("chart-timeline", {
      type: "bar",
      data: {
        labels: rows,
        datasets: [
          { label: "Speech", data: speech, grouped: false,
            backgroundColor: speech.map((p) => (p.role === "candidate" ? COLORS.candidate : COLORS.interviewer)) },
          { label: "Question", data: questions, grouped: false, backgroundColor: COLORS.question },
          { label: "Draft appeared", data: drafts, grouped: false, backgroundColor: COLORS.draft },
        ],
      },
      options: {
        indexAxis: "y",
        scales: { x: { type: "linear", min: 0, title: { display: true, text: "seconds" } } },
        plugins: { tooltip: { callbacks: { label: (c) => c.raw.text || "" } } },
      },
    });
    const observed = data.observed || {};
    const delays = (observed.transcript_delays || []).map(([end, d]) => ({ x: end, y: d }));
    const confidences = (observed.confidences || []).map(([end, c]) => ({ x: end, y: c }));
    draw("chart-lines", {
      type: "scatter",
      data: {
        datasets: [
          { label: "Final-line delay (s)", data: delays, backgroundColor: COLORS.line50, yAxisID: "y" },
          { label: "Confidence", data: confidences, backgroundColor: COLORS.p50, yAxisID: "y1" },
        ],
      },
      options: {
        scales: {
          x: { type: "linear", min: 0, title: { display: true, text: "seconds" } },
          y: { beginAtZero: true, position: "left", title: { display: true, text: "delay (s)" } },
          y1: { min: 0, max: 1, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "confidence" } },
        },
      },
    });
    const ol = $("questions");
    ol.replaceChildren();
    const helpfulByQ = new Map();
    for (const d of data.drafts) if (d.helpful !== null) helpfulByQ.set(d.question_id, d.helpful);
    for (const q of data.questions) {
      const li = document.createElement("li");
      const type = document.createElement("span");
      type.className = "qtype";
      type.textContent = q.type || "question";
      const text = document.createElement("span");
      const delay = q.delay === null || q.delay === undefined ? "no lasting draft measured"
        : q.delay < 0 ? `draft shown ${secs(-q.delay)} before the question ended (${q.source})`
          : `draft ${secs(q.delay)} after the question ended (${q.source})`;
      text.textContent = ` ${q.text} — ${delay}`;
      li.append(type, text);
      if (helpfulByQ.has(q.question_id)) {
        const mark = document.createElement("span");
        mark.className = "helpful-mark";
        mark.textContent = helpfulByQ.get(q.question_id) ? " · marked helpful" : " · marked not helpful";
        li.append(mark);
      }
      ol.append(li);
    }
    return data;
  }
  dash.openSession = openSession;

  // --- the instance (admins) ----------------------------------------------------------------------
  function renderInstance(data) {
    $("instance").hidden = false;
    $("tile-sessions").textContent = String(data.active_sessions);
    $("tile-bots").textContent = String(data.active_bots);
    const fivexx = (data.http_responses || []).filter((r) => r.labels.status_class === "5xx").reduce((a, r) => a + r.value, 0);
    const all = (data.http_responses || []).reduce((a, r) => a + r.value, 0);
    $("tile-5xx").textContent = all ? `${fivexx} of ${all}` : "0";
    const kinds = [["Draft", data.draft_latency], ["Final line", data.transcript_delay], ["LLM first token", data.llm_first_token]];
    draw("chart-instance", {
      type: "bar",
      data: {
        labels: kinds.map(([k]) => k),
        datasets: [
          { label: "p50", data: kinds.map(([, q]) => q.p50), backgroundColor: COLORS.p50 },
          { label: "p95", data: kinds.map(([, q]) => q.p95), backgroundColor: COLORS.p95 },
        ],
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: "seconds" } } } },
    });
    const bars = [
      ...data.provider_switches.map((s) => [`${s.labels.from} → ${s.labels.to} (${s.labels.reason})`, s.value, COLORS.question]),
      ...data.errors.map((e) => [e.labels.state, e.value, COLORS.refined]),
    ];
    $("errors-empty").hidden = bars.length > 0;
    draw("chart-errors", {
      type: "bar",
      data: {
        labels: bars.map(([l]) => l),
        datasets: [{ label: "count", data: bars.map(([, v]) => v), backgroundColor: bars.map(([, , c]) => c) }],
      },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
    });
  }

  async function load() {
    setState("loading");
    if (!Auth.hasSession()) {
      $("signed-out").hidden = false;
      setState("signed-out");
      return;
    }
    $("who").textContent = Auth.email();
    try {
      const data = await api("/api/dashboard/sessions?last=20");
      renderOverview(data);
      if (data.sessions.length) await openSession(data.sessions[0].id);
      else say("No sessions yet: join one on the live page and it shows up here.");
      if (data.admin) renderInstance(await api("/api/dashboard/instance"));
      setState("ready");
    } catch (e) {
      if (e.status === 401) {
        $("signed-out").hidden = false;
        setState("signed-out");
        return;
      }
      say(`Could not load the dashboard: ${e.message}`, true);
      setState("error");
    }
  }

  Auth.start();
  Auth.onChange?.((s) => { if (!s.signedIn) { $("mine").hidden = true; $("signed-out").hidden = false; } });
  load();
})();
