// Small SVG line charts for the practice progress view (no library: a few dozen lines draw
// what we need, and the page keeps its no-build, no-CDN rule).
//
// CuecardChart.line(svg, { labels: [...], titles: [...], series: [{ name, color, values: [number|null] }],
//                          min, max, format })
// draws axes, horizontal grid lines with their values, one polyline per series, a circle per
// data point (class "point", with a <title> naming the round and value) and a legend.
"use strict";

(() => {
  const NS = "http://www.w3.org/2000/svg";
  const W = 420, H = 200, PAD = { left: 38, right: 12, top: 12, bottom: 40 };

  function el(name, attrs = {}, text) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function niceMax(values, floor) {
    const top = Math.max(floor, ...values);
    const step = top <= 10 ? 1 : top <= 50 ? 10 : top <= 250 ? 50 : 100;
    return Math.ceil(top / step) * step || 1;
  }

  function line(svg, { labels, titles = labels, series, min = 0, max = null, format = (v) => String(v) }) {
    svg.replaceChildren();
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const all = series.flatMap((s) => s.values.filter((v) => v !== null && v !== undefined));
    const top = max ?? niceMax(all, 1);
    const plotW = W - PAD.left - PAD.right, plotH = H - PAD.top - PAD.bottom;
    const x = (i) => PAD.left + (labels.length === 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
    const y = (v) => PAD.top + plotH - ((v - min) / (top - min || 1)) * plotH;

    const ticks = 5;
    for (let t = 0; t <= ticks; t++) {
      const v = min + ((top - min) * t) / ticks;
      svg.append(el("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "grid" }));
      svg.append(el("text", { x: PAD.left - 6, y: y(v) + 4, class: "tick", "text-anchor": "end" },
        format(Math.round(v * 10) / 10)));
    }
    const every = Math.max(1, Math.ceil(labels.length / 8));
    labels.forEach((label, i) => {
      if (i % every === 0 || i === labels.length - 1) {
        const anchor = labels.length > 1 && i === labels.length - 1 ? "end" : i === 0 && labels.length > 1 ? "start" : "middle";
        svg.append(el("text", { x: x(i), y: H - PAD.bottom + 15, class: "tick", "text-anchor": anchor }, label));
      }
    });
    svg.append(el("line", { x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: H - PAD.bottom, class: "axis" }));
    svg.append(el("line", { x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom, class: "axis" }));

    series.forEach((s, k) => {
      const pts = s.values.map((v, i) => (v === null || v === undefined ? null : [x(i), y(v), v, i]))
        .filter(Boolean);
      if (pts.length > 1) {
        svg.append(el("polyline", {
          points: pts.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" "),
          fill: "none", stroke: s.color, "stroke-width": s.width || 2, class: "series",
          "data-series": s.name,
        }));
      }
      for (const [px, py, v, i] of pts) {
        const dot = el("circle", { cx: px.toFixed(1), cy: py.toFixed(1), r: 3.5, fill: s.color, class: "point",
          "data-series": s.name, "data-value": v });
        dot.append(el("title", {}, `${s.name}, ${titles[i]}: ${format(v)}`));
        svg.append(dot);
      }
      const lx = PAD.left + k * 95;
      svg.append(el("rect", { x: lx, y: H - 14, width: 10, height: 10, fill: s.color }));
      svg.append(el("text", { x: lx + 14, y: H - 5, class: "legend" }, s.name));
    });
  }

  window.CuecardChart = { line };
})();
