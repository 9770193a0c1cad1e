// The answer pane of the live page: questions with their answer drafts, made to be glanced at.
//
// - The current question (the pinned one, else the newest) stays on top, its best option
//   open in large type as key points: one line per sentence (or line) of the draft.
// - The other options are one click away (tabs; keys 1-3). Earlier questions are collapsed
//   to one line each and open on click. A pin keeps a question on top while newer ones arrive
//   (key P). The teleprompter (key T) shows one option full-height in very large type.
// - Stable text: streamed text is APPENDED as new text nodes and new lines; what is already
//   on the screen is never re-set while the new text starts with the old. A replacement draft
//   (`replaces`) is collected out of sight and swapped in once, when it is done, with a small
//   "updated" marker, instead of clearing and regrowing under the reader.
// - Pressing D puts a "Drafting…" placeholder under the last interviewer line at once; the
//   draft's first point replaces it when it arrives.
//
// Everything user- or server-provided is written with textContent / text nodes (never HTML).
"use strict";

(() => {
  const OPTION_ORDER = ["concise", "story", "deep_dive"];
  const OPTION_LABEL = { concise: "Concise", story: "Story", deep_dive: "Deep dive" };
  const SENTENCE_END = /[.!?…]["'”’)\]]*$/;
  const BULLET = /^(?:[-*•·–—])$/;
  const PLACEHOLDER_TIMEOUT_MS = 30_000;

  let ui = null;      // elements, set by init()
  let hooks = null;   // {postFeedback(questionId, option, helpful) -> Promise<string>}
  let ids = 0;
  const questions = new Map();  // question_id -> Q
  const order = [];             // question ids, oldest first
  let pinnedId = null;
  let currentId = null;
  let draftWait = null;         // {el, segmentId, questionId, timer, requestedAt}

  const BEST = "concise";  // the one to glance at; the others are a click (or 1-3) away
  const label = (name) => OPTION_LABEL[name] || String(name || "draft").replace(/_/g, " ");
  const rank = (name) => { const i = OPTION_ORDER.indexOf(name); return i < 0 ? OPTION_ORDER.length : i; };

  function init(elements, callbacks) {
    ui = elements; hooks = callbacks;
    ui.teleprompterToggle?.addEventListener("click", () => toggleTeleprompter());
  }

  // ------------------------------------------------------------------------ key points

  function newPoint(opt) {
    const li = document.createElement("li");
    opt.points.append(li);
    opt.cur = li; opt.curText = "";
  }

  // Append `delta` to what is shown, as new text nodes / new lines only.
  function appendDelta(opt, delta) {
    if (!delta) return;
    opt.raw += delta;
    let chunk = "";
    const flush = () => { if (chunk) { opt.cur.append(document.createTextNode(chunk)); opt.curText += chunk; chunk = ""; } };
    for (const part of delta.split(/(\s+)/)) {
      if (!part) continue;
      if (/^\s+$/.test(part)) {
        if (!opt.cur) continue;  // leading whitespace
        if (part.includes("\n") || SENTENCE_END.test(opt.curText + chunk)) opt.breakPending = true;
        else opt.spacePending = true;
        continue;
      }
      if (!opt.cur || opt.breakPending) {  // a new sentence or line: a new key point
        flush();
        newPoint(opt);
        opt.breakPending = false; opt.spacePending = false;
        if (BULLET.test(part)) continue;  // "- point": the new line is the bullet
      }
      chunk += (opt.spacePending && (opt.curText || chunk) ? " " : "") + part;
      opt.spacePending = false;
    }
    flush();
  }

  function resetPoints(opt) {
    opt.points.replaceChildren();
    opt.raw = ""; opt.cur = null; opt.curText = "";
    opt.breakPending = false; opt.spacePending = false;
  }

  function showText(opt, text, done) {
    if (text === opt.raw || text.trim() === opt.raw.trim()) return;
    if (text.startsWith(opt.raw)) { appendDelta(opt, text.slice(opt.raw.length)); return; }
    if (!done && opt.raw.startsWith(text)) return;  // an older chunk arriving late
    // Not a continuation (a corrected draft): re-render once, marked quietly.
    resetPoints(opt); appendDelta(opt, text); markUpdated(opt);
  }

  function markUpdated(opt) {
    opt.panel.classList.add("updated");
    opt.tab.classList.add("updated");
    opt.tab.title = "This draft was updated";
  }

  // ------------------------------------------------------------------------ questions

  function makeQuestion(id) {
    const el = ui.questionTemplate.content.firstElementChild.cloneNode(true);
    el.dataset.questionId = id;
    const n = ++ids;
    const q = {
      id, el, n, options: new Map(), active: null, userChose: false, expanded: false, ev: {},
      toggle: el.querySelector(".qtoggle"), pin: el.querySelector(".pin"),
      tabs: el.querySelector(".option-tabs"), panels: el.querySelector(".options"),
    };
    const body = el.querySelector(".qbody");
    body.id = `q${n}-body`;
    q.toggle.setAttribute("aria-controls", body.id);
    q.toggle.addEventListener("click", () => {
      if (q.id === currentId) return;
      q.expanded = !q.expanded; layout();
    });
    q.pin.addEventListener("click", () => setPinned(pinnedId === q.id ? null : q.id));
    q.tabs.addEventListener("keydown", (e) => {
      if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) return;
      const names = sortedNames(q);
      if (!names.length) return;
      let i = names.indexOf(q.active);
      i = e.key === "Home" ? 0 : e.key === "End" ? names.length - 1
        : (i + (e.key === "ArrowRight" ? 1 : -1) + names.length) % names.length;
      choose(q, names[i], true);
      q.options.get(names[i]).tab.focus();
      e.preventDefault();
    });
    questions.set(id, q);
    order.push(id);
    return q;
  }

  function sortedNames(q) {
    return [...q.options.keys()].sort((a, b) => rank(a) - rank(b));
  }

  function question(ev) {
    let q = questions.get(ev.question_id);
    if (ev.status === "withdrawn") {
      if (q) remove(q);
      return;
    }
    const isNew = !q;
    if (!q) q = makeQuestion(ev.question_id);
    q.ev = { ...q.ev, ...ev };
    const el = q.el;
    el.classList.toggle("tentative", ev.status === "tentative");
    el.querySelector(".qtype").textContent = ev.question_type || "question";
    el.querySelector(".qtopic").textContent = ev.topic ? `· ${ev.topic}` : "";
    el.querySelector(".qconf").textContent =
      typeof ev.confidence === "number" ? `· ${Math.round(ev.confidence * 100)}% sure` : "";
    el.querySelector(".qstate").hidden = ev.status !== "tentative";
    const text = el.querySelector(".qtext");
    if (text.textContent !== ev.text) text.textContent = ev.text;
    el.setAttribute("aria-label", `${ev.question_type || "Question"}: ${ev.text}`);
    if (isNew) {
      if (pinnedId && pinnedId !== q.id) el.classList.add("unseen");
      if (ui.live) ui.live.textContent = `New question: ${ev.text}`;
    }
    bindPlaceholder(q, ev);
    layout();
  }

  function remove(q) {
    q.el.remove();
    questions.delete(q.id);
    order.splice(order.indexOf(q.id), 1);
    if (pinnedId === q.id) pinnedId = null;
    layout();
  }

  function suggestion(ev) {
    let q = questions.get(ev.question_id);
    if (!q) {  // suggestions may outrun their question (prepared answers)
      question({ question_id: ev.question_id, text: "…", status: "tentative" });
      q = questions.get(ev.question_id);
    }
    const name = ev.option || "draft";
    let opt = q.options.get(name);
    if (ev.withdrawn) {
      if (opt) { opt.panel.remove(); opt.tab.remove(); q.options.delete(name); }
      if (q.active === name) q.active = sortedNames(q)[0] || null;
      showActive(q);
      return;
    }
    if (!opt) opt = makeOption(q, name);
    if (ev.coverage) q.el.querySelector(".qnotes").hidden = ev.coverage !== "none";
    if (ev.topic) q.el.querySelector(".qtopic").textContent = `· ${ev.topic}`;

    if (!opt.editing) {
      if (ev.replaces && opt.raw.trim()) opt.pending = "";  // collect the new draft out of sight
      const whole = typeof ev.text === "string" && ev.text ? ev.text : null;
      if (opt.pending !== null) {
        opt.pending = whole !== null ? whole : opt.pending + (ev.delta || "");
        if (ev.done) {
          const next = opt.pending; opt.pending = null;
          if (next !== opt.raw) { resetPoints(opt); appendDelta(opt, next); markUpdated(opt); }
        }
      } else if (whole !== null) showText(opt, whole, !!ev.done);
      else if (ev.delta) appendDelta(opt, ev.delta);
    }
    const shown = opt.pending !== null ? opt.raw : (ev.text || opt.raw);
    const words = (ev.done && opt.pending === null && ev.word_count) || shown.trim().split(/\s+/).filter(Boolean).length;
    const secs = ev.speaking_secs && ev.done ? ` · ~${Math.round(ev.speaking_secs)} s to say` : "";
    opt.meta.textContent = `${words} words${secs}`;
    opt.source.textContent = ev.source ? `· ${ev.source}` : "";
    opt.panel.classList.toggle("done", !!ev.done && opt.pending === null);
    opt.panel.classList.toggle("pending-update", opt.pending !== null);
    updatePlaceholder(q);
  }

  function makeOption(q, name) {
    const panel = ui.optionTemplate.content.firstElementChild.cloneNode(true);
    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "option-tab";
    tab.setAttribute("role", "tab");
    tab.textContent = label(name);
    tab.id = `q${q.n}-tab-${name}`;
    panel.id = `q${q.n}-panel-${name}`;
    tab.setAttribute("aria-controls", panel.id);
    panel.setAttribute("aria-labelledby", tab.id);
    panel.dataset.option = name;
    tab.dataset.option = name;
    panel.querySelector(".option-name").textContent = label(name);
    const opt = {
      name, panel, tab, points: panel.querySelector(".points"),
      meta: panel.querySelector(".option-meta"), source: panel.querySelector(".option-source"),
      raw: "", cur: null, curText: "", breakPending: false, spacePending: false,
      pending: null, editing: false,
    };
    tab.addEventListener("click", () => choose(q, name, true));
    wireActions(q, opt);
    // keep the tabs in the usual order whatever order the options arrive in
    const names = sortedNames(q);
    const after = names.find((n) => rank(n) > rank(name));
    q.tabs.insertBefore(tab, after ? q.options.get(after).tab : null);
    q.panels.insertBefore(panel, after ? q.options.get(after).panel : null);
    q.options.set(name, opt);
    if (!q.userChose && (q.active === null || name === BEST)) q.active = name;
    showActive(q);
    return opt;
  }

  function choose(q, name, byUser) {
    if (!q.options.has(name)) return;
    q.active = name;
    if (byUser) q.userChose = true;  // for this question only: the next one opens on the best again
    showActive(q);
  }

  function showActive(q) {
    for (const [name, opt] of q.options) {
      const on = name === q.active;
      opt.panel.hidden = !on;
      opt.tab.setAttribute("aria-selected", String(on));
      opt.tab.tabIndex = on ? 0 : -1;
    }
  }

  function wireActions(q, opt) {
    const feedback = opt.panel.querySelector(".option-feedback");
    opt.panel.querySelector(".copy").addEventListener("click", async () => {
      try { await navigator.clipboard.writeText(opt.raw); feedback.textContent = "Copied."; }
      catch (_) {
        const range = document.createRange(); range.selectNodeContents(opt.points);
        const sel = getSelection(); sel.removeAllRanges(); sel.addRange(range);
        feedback.textContent = "Selected: press Ctrl+C to copy.";
      }
    });
    const edit = opt.panel.querySelector(".edit");
    edit.addEventListener("click", () => {
      opt.editing = !opt.editing;
      opt.points.contentEditable = opt.editing ? "true" : "false";
      edit.textContent = opt.editing ? "Done" : "Edit";
      edit.setAttribute("aria-pressed", String(opt.editing));
      if (opt.editing) opt.points.focus();
      else {  // the edited text is what Copy copies from now on
        opt.raw = [...opt.points.children].map((li) => li.textContent.trim()).filter(Boolean).join("\n");
        opt.cur = opt.points.lastElementChild; opt.curText = opt.cur ? opt.cur.textContent : "";
      }
    });
    for (const [cls, helpful] of [["helpful", true], ["unhelpful", false]]) {
      opt.panel.querySelector(`.${cls}`).addEventListener("click", async () => {
        feedback.className = "option-feedback"; feedback.textContent = "Saving…";
        try {
          feedback.textContent = await hooks.postFeedback(q.id, opt.name, helpful);
          opt.panel.querySelector(".helpful").setAttribute("aria-pressed", String(helpful));
          opt.panel.querySelector(".unhelpful").setAttribute("aria-pressed", String(!helpful));
        } catch (err) {
          feedback.className = "option-feedback error";
          feedback.textContent = `Feedback not saved: ${err.message}`;
        }
      });
    }
  }

  // ------------------------------------------------------------------------ layout

  function layout() {
    const newest = order.length ? order[order.length - 1] : null;
    currentId = pinnedId && questions.has(pinnedId) ? pinnedId : newest;
    ui.empty.hidden = order.length > 0;
    for (const q of questions.values()) {
      const isCurrent = q.id === currentId;
      q.el.classList.toggle("current", isCurrent);
      q.el.classList.toggle("collapsed", !isCurrent && !q.expanded);
      q.el.classList.toggle("pinned", q.id === pinnedId);
      if (isCurrent) q.el.classList.remove("unseen");
      q.toggle.disabled = isCurrent;
      if (isCurrent) q.toggle.removeAttribute("aria-expanded");
      else q.toggle.setAttribute("aria-expanded", String(q.expanded));
      q.pin.setAttribute("aria-pressed", String(q.id === pinnedId));
      q.pin.textContent = q.id === pinnedId ? "Unpin" : "Pin";
      q.pin.title = q.id === pinnedId ? "Let the newest question take the top again (P)" : "Keep this question on top (P)";
    }
    const current = currentId ? questions.get(currentId) : null;
    if (current && current.el.parentElement !== ui.current) ui.current.replaceChildren(current.el);
    if (!current) ui.current.replaceChildren();
    // earlier questions: newest first, each moved only when out of place
    const earlier = order.filter((id) => id !== currentId).reverse();
    earlier.forEach((id, i) => {
      let item = questions.get(id).el.parentElement;
      if (!item || item.parentElement !== ui.earlier) {
        item = document.createElement("li");
        item.append(questions.get(id).el);
      }
      if (ui.earlier.children[i] !== item) ui.earlier.insertBefore(item, ui.earlier.children[i] || null);
    });
    while (ui.earlier.children.length > earlier.length) ui.earlier.lastElementChild.remove();
    ui.earlierTitle.hidden = earlier.length === 0;
  }

  function setPinned(id) {
    pinnedId = id;
    layout();
  }

  function togglePin() {
    if (pinnedId) setPinned(null);
    else if (currentId) setPinned(currentId);
  }

  function chooseOption(index) {
    const q = currentId && questions.get(currentId);
    if (!q) return false;
    const names = sortedNames(q);
    if (index >= names.length) return false;
    choose(q, names[index], true);
    return true;
  }

  function toggleTeleprompter(on) {
    const next = on === undefined ? !document.body.classList.contains("teleprompter") : on;
    document.body.classList.toggle("teleprompter", next);
    ui.teleprompterToggle?.setAttribute("aria-pressed", String(next));
    if (ui.teleprompterToggle) ui.teleprompterToggle.textContent = next ? "Exit teleprompter (T)" : "Teleprompter (T)";
    return next;
  }

  // ------------------------------------------------------------------------ D: drafting placeholder

  function clearPlaceholder() {
    if (!draftWait) return;
    clearTimeout(draftWait.timer);
    draftWait.el.remove();
    draftWait = null;
  }

  function placeholderEl(text) {
    const li = document.createElement("li");
    li.className = "line draft-placeholder";
    li.setAttribute("role", "status");
    const strong = document.createElement("span");
    strong.className = "draft-label";
    strong.textContent = "Drafting…";
    const body = document.createElement("span");
    body.className = "draft-text";
    body.textContent = text;
    li.append(strong, body);
    return li;
  }

  // Show "Drafting…" under the last interviewer line at once (the draft takes seconds).
  function showDraftPlaceholder(transcript) {
    clearPlaceholder();
    const lines = [...transcript.querySelectorAll("li.line.interviewer")];
    const last = lines.length ? lines[lines.length - 1] : null;
    const el = placeholderEl(last ? " an answer to this line" : " an answer to the last thing the interviewer said");
    if (last) {
      el.dataset.start = last.dataset.start || "0";
      last.after(el);
    } else {
      transcript.append(el);
    }
    el.scrollIntoView?.({ block: "nearest" });
    draftWait = {
      el, segmentId: last?.dataset.segmentId || null, questionId: null, requestedAt: Date.now(),
      timer: setTimeout(() => placeholderDone("No draft came back. Press D to try again."), PLACEHOLDER_TIMEOUT_MS),
    };
  }

  function placeholderDone(message) {
    if (!draftWait) return;
    const wait = draftWait;
    clearTimeout(wait.timer);
    wait.el.querySelector(".draft-label").textContent = "";
    wait.el.querySelector(".draft-text").textContent = message;
    wait.el.classList.add("failed");
    wait.timer = setTimeout(() => { if (draftWait === wait) clearPlaceholder(); }, 5000);
  }

  function bindPlaceholder(q, ev) {
    if (!draftWait || draftWait.questionId) return;
    const sameLine = draftWait.segmentId && ev.segment_id === draftWait.segmentId;
    if (sameLine || ev.status !== "tentative") draftWait.questionId = q.id;
  }

  function updatePlaceholder(q) {
    if (!draftWait || draftWait.questionId !== q.id) return;
    const opt = q.options.get(q.active);
    const first = opt?.points.firstElementChild?.textContent.trim();
    if (!first) return;
    clearTimeout(draftWait.timer);
    const el = draftWait.el;
    el.classList.add("ready");
    el.querySelector(".draft-label").textContent = "Draft: ";
    const body = el.querySelector(".draft-text");
    if (body.textContent !== first) body.textContent = first;
    // The first point is complete: the placeholder stays as the draft's first line.
    if (opt.points.children.length > 1 || opt.panel.classList.contains("done")) draftWait = null;
  }

  function draftIgnored(message) {
    placeholderDone(message || "Nothing the interviewer said yet to draft for.");
  }

  function clear() {
    for (const q of questions.values()) q.el.remove();
    questions.clear(); order.length = 0; pinnedId = null; currentId = null;
    ui.earlier.replaceChildren(); ui.current.replaceChildren();
    clearPlaceholder();
    layout();
  }

  window.CuecardAnswers = {
    init, question, suggestion, clear, layout, togglePin, chooseOption, toggleTeleprompter,
    showDraftPlaceholder, draftIgnored, clearPlaceholder,
    currentQuestionId: () => currentId,
    teleprompterOn: () => document.body.classList.contains("teleprompter"),
  };
})();
