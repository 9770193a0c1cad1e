// Account page: upcoming interviews from the user's calendar (issue 16). Loaded after auth.js and
// account.js; talks to /api/calendar/* and /api/interviews with the signed-in user's token.
"use strict";

(() => {
  const list = document.getElementById("interview-list");
  const consentBox = document.getElementById("interview-consent");
  let consentVersion = null;

  async function call(method, path, body, contentType = "application/json") {
    const headers = body === undefined ? {} : { "Content-Type": contentType };
    const payload = body === undefined || contentType !== "application/json" ? body : JSON.stringify(body);
    const r = await Auth.authFetch(path, { method, headers, body: payload }, { required: true });
    const data = r.status === 204 ? null : await r.json().catch(() => null);
    if (!r.ok) {
      const message = (data && (data.error && data.error.message || data.message)) || `HTTP ${r.status}`;
      throw new Error(message);
    }
    return data;
  }

  function note(text, isError = false) {
    const m = document.getElementById("message");
    m.textContent = text;
    m.classList.toggle("error", isError);
    m.hidden = !text;
  }

  function when(seconds) {
    return new Date(seconds * 1000).toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  function row(item) {
    const li = document.createElement("li");
    const head = document.createElement("div");
    const title = [item.company, item.title].filter(Boolean).join(" — ") || item.summary;
    head.textContent = `${when(item.start)} · ${title}`;
    li.append(head);
    if (item.meeting_url) {
      const link = document.createElement("a");
      link.href = item.meeting_url;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      link.textContent = item.platform ? item.platform.replace("_", " ") : "meeting link";
      li.append(" ", link);
    }
    const prep = document.createElement("label");
    const prepBox = document.createElement("input");
    prepBox.type = "checkbox";
    prepBox.checked = !!item.prepare_answers;
    prepBox.addEventListener("change", () => patch(item.id, { prepare_answers: prepBox.checked }));
    prep.append(prepBox, " prepare answers the evening before");
    li.append(prep);
    if (item.meeting_url) {
      const bot = document.createElement("label");
      const minutes = document.createElement("input");
      minutes.type = "number";
      minutes.min = "1";
      minutes.max = "240";
      minutes.placeholder = "off";
      minutes.value = item.send_bot_minutes_before || "";
      minutes.addEventListener("change", () => {
        const n = minutes.value ? Number(minutes.value) : null;
        const body = { send_bot_minutes_before: n };
        if (n && consentBox.checked) Object.assign(body, { consent: true, consent_version: consentVersion });
        patch(item.id, body);
      });
      bot.append("send the bot ", minutes, " minutes before");
      li.append(bot);
    }
    if (item.prepared && item.prepared.length) {
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = `${item.prepared.length} prepared answers`;
      details.append(summary);
      for (const p of item.prepared) {
        const q = document.createElement("p");
        q.textContent = p.question;
        details.append(q);
      }
      li.append(details);
    }
    if (item.bot_error) li.append(` (bot: ${item.bot_error})`);
    return li;
  }

  async function load() {
    const data = await call("GET", "/api/interviews");
    list.replaceChildren(...data.items.map(row));
    if (!data.items.length) list.textContent = "No upcoming interviews found yet.";
  }

  async function patch(id, body) {
    try {
      await call("PATCH", `/api/interviews/${encodeURIComponent(id)}`, body);
      note("Saved.");
    } catch (e) {
      note(e.message, true);
    }
    load().catch((e) => note(e.message, true));
  }

  document.getElementById("ics-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    try {
      const report = await call("POST", "/api/calendar/import", await file.arrayBuffer(), "text/calendar");
      note(`${report.found} interviews found (${report.created} new).`);
      await load();
    } catch (e) {
      note(e.message, true);
    }
    ev.target.value = "";
  });

  document.getElementById("ics-subscribe").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const answer = await call("POST", "/api/calendar/subscribe", { url: ev.target.url.value.trim() });
      ev.target.url.value = "";
      note(`Subscribed: ${answer.report.found} interviews found.`);
      await load();
    } catch (e) {
      note(e.message, true);
    }
  });

  fetch("/api/consent").then((r) => r.json()).then((d) => { consentVersion = d.version; }).catch(() => {});
  document.querySelector('[data-tab="interviews"]').addEventListener("click", () => load().catch((e) => note(e.message, true)));
})();
