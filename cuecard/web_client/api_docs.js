// The API reference page (/api/docs), rendered from /api/openapi.json; a file, not inline,
// for the Content-Security-Policy (script-src 'self').
"use strict";

(async () => {
  const doc = await (await fetch("/api/openapi.json")).json();
  const root = document.getElementById("ops");
  root.textContent = "";
  const resolve = (s) => (s && s.$ref) ? doc.components.schemas[s.$ref.split("/").pop()] : s;
  const byTag = {};
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops))
      (byTag[op.tags[0]] ||= []).push([method, path, op]);
  for (const [tag, ops] of Object.entries(byTag)) {
    const h = document.createElement("h2"); h.textContent = tag; root.append(h);
    for (const [method, path, op] of ops) {
      const d = document.createElement("details");
      const s = document.createElement("summary");
      s.innerHTML = `<span class="m ${method}">${method.toUpperCase()}</span> <code></code> <span class="muted"></span>` +
        (op.security ? ' <span class="lock">[token]</span>' : "");
      s.querySelector("code").textContent = path;
      s.querySelector(".muted").textContent = "— " + op.summary;
      d.append(s);
      const add = (title, value) => {
        const p = document.createElement("p"); p.textContent = title; d.append(p);
        const pre = document.createElement("pre"); pre.textContent = JSON.stringify(value, null, 2); d.append(pre);
      };
      if (op.parameters.length) add("Parameters", op.parameters.map(p => `${p.in} ${p.name}${p.required ? " (required)" : ""}: ${JSON.stringify(p.schema)}`));
      if (op.requestBody) for (const [type, c] of Object.entries(op.requestBody.content)) add(`Request body (${type})`, resolve(c.schema));
      add("Responses", Object.fromEntries(Object.entries(op.responses).map(([k, v]) => [k, v.description])));
      root.append(d);
    }
  }
  // Event stream: the schemas of the events the WebSocket and the data channel carry.
  const stream = doc["x-event-stream"] || {events: {}};
  document.getElementById("events-intro").textContent = stream.description || "";
  const events = document.getElementById("event-schemas");
  const typeOf = (s) => {
    if (!s) return "";
    if (s.$ref) { const r = resolve(s); return r.enum ? r.enum.join(" | ") : s.$ref.split("/").pop(); }
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.anyOf) return s.anyOf.map(typeOf).join(" | ");
    if (s.type === "array") return typeOf(s.items) + "[]";
    return s.type || "any";
  };
  for (const [type, ref] of Object.entries(stream.events)) {
    const name = ref.$ref.split("/").pop(), schema = resolve(ref);
    const d = document.createElement("details"); d.id = "event-" + type;
    const s = document.createElement("summary");
    s.innerHTML = '<span class="m get"></span> <code></code> <span class="muted"></span>';
    s.querySelector(".m").textContent = type; s.querySelector("code").textContent = name;
    s.querySelector(".muted").textContent = "— " + (schema.description || "");
    d.append(s);
    const table = document.createElement("table");
    table.innerHTML = "<tr><th>key</th><th>type</th><th></th></tr>";
    const required = new Set(schema.required || []);
    for (const [key, prop] of Object.entries(schema.properties)) {
      const tr = document.createElement("tr");
      for (const text of [key, typeOf(prop), (required.has(key) ? "" : "optional. ") + (prop.description || "")]) {
        const td = document.createElement("td"); td.textContent = text; tr.append(td);
      }
      tr.firstChild.innerHTML = `<code>${tr.firstChild.innerHTML}</code>`;
      table.append(tr);
    }
    d.append(table);
    const pre = document.createElement("pre"); pre.textContent = JSON.stringify(schema, null, 2);
    const raw = document.createElement("details"); raw.innerHTML = "<summary>JSON Schema</summary>"; raw.append(pre);
    d.append(raw);
    events.append(d);
  }
})();
