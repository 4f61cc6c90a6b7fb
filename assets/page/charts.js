// Draws a RunView (src/output/view.rs) as inline SVG: regime strips, band charts, sentences.
// Shared by report.html and the classroom page. No library, nothing fetched.
"use strict";

// Okabe–Ito: safe for the common forms of colour blindness.
const OKABE = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"];
const SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442"];
const REGIME_COLOURS = {
  embedded: "#009E73",
  reengineered: "#0072B2",
  floating: "#E69F00",
  idling: "#F0E442",
  overloaded: "#D55E00",
  transitional: "#56B4E9",
  unclassified: "#BBBBBB",
};
const KIND_COLOURS = {
  documentation: "#56B4E9",
  redo: "#D55E00",
  returns: "#E69F00",
  persuasion: "#CC79A7",
  unreasonable: "#F0E442",
  overtime: "#0072B2",
};
const SVGNS = "http://www.w3.org/2000/svg";

let LANG = "en";
function t(key) {
  const d = I18N[LANG] || I18N.en;
  return key in d ? d[key] : key in I18N.en ? I18N.en[key] : key;
}

function el(tag, attrs, text) {
  const e = tag.startsWith("svg:") ? document.createElementNS(SVGNS, tag.slice(4)) : document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}

// The smallest "round" top of an axis with four equal steps at or above x.
function niceMax(x) {
  if (!(x > 0)) return 1;
  const step = x / 4;
  const p = Math.pow(10, Math.floor(Math.log10(step)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= step) return 4 * m * p;
  return 40 * p;
}

// A round step for day ticks.
function niceStep(x) {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(1, x))));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function fmt(x) {
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en");
  if (Math.abs(x) >= 10) return String(Math.round(x));
  return String(Math.round(x * 100) / 100);
}

// A path through the defined points of ys (days 0..upTo), broken at gaps.
function linePath(ys, x, y, upTo) {
  let d = "", pen = false;
  for (let i = 0; i < Math.min(ys.length, upTo); i++) {
    const v = ys[i];
    if (v === null || v === undefined) { pen = false; continue; }
    d += (pen ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1);
    pen = true;
  }
  return d;
}

// Closed polygons between lo and hi, one per run of defined days.
function bandPath(lo, hi, x, y, upTo) {
  let d = "", i = 0;
  const n = Math.min(lo.length, upTo);
  while (i < n) {
    while (i < n && (lo[i] === null || hi[i] === null)) i++;
    const start = i;
    while (i < n && lo[i] !== null && hi[i] !== null) i++;
    if (i - start < 2) continue;
    let p = "M" + x(start).toFixed(1) + " " + y(hi[start]).toFixed(1);
    for (let k = start + 1; k < i; k++) p += "L" + x(k).toFixed(1) + " " + y(hi[k]).toFixed(1);
    for (let k = i - 1; k >= start; k--) p += "L" + x(k).toFixed(1) + " " + y(lo[k]).toFixed(1);
    d += p + "Z";
  }
  return d;
}

const W = 600, H = 230, M = { l: 58, r: 12, t: 10, b: 40 };

function axes(svg, days, ymax, unitKey) {
  const x = (i) => M.l + (i / Math.max(1, days - 1)) * (W - M.l - M.r);
  const y = (v) => H - M.b - (v / ymax) * (H - M.t - M.b);
  const g = el("svg:g", { class: "axes" });
  for (let k = 0; k <= 4; k++) {
    const v = (ymax * k) / 4;
    g.appendChild(el("svg:line", { x1: M.l, x2: W - M.r, y1: y(v), y2: y(v), class: "grid" }));
    g.appendChild(el("svg:text", { x: M.l - 6, y: y(v) + 4, "text-anchor": "end" }, fmt(v)));
  }
  const step = niceStep(days / 6);
  for (let d = 0; d < days; d += step) {
    g.appendChild(el("svg:line", { x1: x(d), x2: x(d), y1: H - M.b, y2: H - M.b + 4, class: "tick" }));
    g.appendChild(el("svg:text", { x: x(d), y: H - M.b + 16, "text-anchor": "middle" }, String(d)));
  }
  g.appendChild(el("svg:text", { x: (M.l + W - M.r) / 2, y: H - 4, "text-anchor": "middle", class: "axis-label" }, t("day")));
  g.appendChild(el("svg:text", { x: 12, y: (H - M.b + M.t) / 2, transform: `rotate(-90 12 ${(H - M.b + M.t) / 2})`, "text-anchor": "middle", class: "axis-label" }, t(unitKey)));
  svg.appendChild(g);
  return { x, y };
}

// Demand shocks (view.shocks), shaded from top to bottom of a plot, with their size on top, so
// that a reader sees the cause beside its effect.
function shockMarks(svg, shocks, days, x, top, bottom, labelY, names) {
  shocks = shocks || [];
  // Name the platform when shocks fall on more than one (a chart of all platforms).
  const several = new Set(shocks.map((sh) => sh.platform)).size > 1;
  for (const sh of shocks) {
    const a = Math.max(0, sh.from_day), b = Math.min(days - 1, sh.to_day);
    if (!(b > a)) continue;
    const g = el("svg:g", { class: "shock" });
    const what = t("shock_title").replace("{m}", fmt(sh.multiplier)).replace("{p}", nameOf(names, "platforms", sh.platform))
      .replace("{from}", fmt(sh.from_day)).replace("{to}", fmt(sh.to_day));
    const r = el("svg:rect", { x: x(a), y: top, width: x(b) - x(a), height: bottom - top, fill: "#777", "fill-opacity": "0.13" });
    r.appendChild(el("svg:title", {}, what));
    g.appendChild(r);
    const label = "×" + fmt(sh.multiplier) + (several ? " " + nameOf(names, "platforms", sh.platform) : "");
    g.appendChild(el("svg:text", { x: (x(a) + x(b)) / 2, y: labelY === undefined ? top + 9 : labelY, "text-anchor": "middle", class: "shock-label" }, label));
    svg.appendChild(g);
  }
}

// What to call an entity of table kind ("platforms", "departments", "leaders"): its display
// name in the language chosen (view.names, from `display = { en, zh }` in the scenario), else its id.
function nameOf(names, kind, id) {
  const d = names && names.entities && names.entities[kind + "." + id];
  return (d && d[LANG]) || id;
}

// The scenario's own name and description in the language chosen.
function scenarioName(view) {
  const d = view.names && view.names.scenario;
  return (d && d[LANG]) || view.name;
}
function scenarioDescription(view) {
  return (LANG === "zh" && view.names && view.names.description_zh) || view.description;
}

// Which table a chart's series are named from.
const SERIES_KIND = { leader_inbox: "leaders", dept_queue: "departments", dept_stress: "departments" };

function seriesLabel(s, names, kind) {
  const who = s.name ? nameOf(names, kind || "platforms", s.name) : "";
  return s.what ? (who ? who + " · " : "") + t(s.what) : who;
}

// One chart: lines with min–max bands, or stacked areas of the means.
function chartId(chart) {
  return chart.key + "/" + (chart.of || "");
}

// The highest value of each chart over several views, so that side-by-side charts share a scale.
function sharedMax(views) {
  const m = {};
  for (const v of views)
    for (const c of v.charts) {
      let top = 0;
      for (const s of c.series) for (const x of s.hi) if (x !== null && x > top) top = x;
      m[chartId(c)] = Math.max(m[chartId(c)] || 0, top);
    }
  return m;
}

function drawChart(chart, days, upTo, opts) {
  const box = el("figure", { class: "chart", "data-key": chart.key });
  const names = opts && opts.names;
  const kind = SERIES_KIND[chart.key] || "platforms";
  const title = t(chart.key) + (chart.of ? " — " + nameOf(names, "platforms", chart.of) : "");
  box.appendChild(el("figcaption", {}, title));
  const svg = el("svg:svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title });
  let ymax = 0;
  if (chart.stacked) {
    for (let d = 0; d < days; d++) {
      let s = 0;
      for (const se of chart.series) s += se.mean[d] || 0;
      ymax = Math.max(ymax, s);
    }
  } else {
    for (const se of chart.series) for (const v of se.hi) if (v !== null && v > ymax) ymax = v;
  }
  if (opts && opts.ymax) ymax = Math.max(ymax, opts.ymax[chartId(chart)] || 0);
  ymax = chart.unit === "share" || chart.unit === "level" ? Math.min(1, niceMax(ymax)) : niceMax(ymax);
  const { x, y } = axes(svg, days, ymax, chart.unit);
  // A chart about one platform shows its own shocks; a chart of all platforms, every one.
  const shocks = ((opts && opts.shocks) || []).filter((sh) => !chart.of || sh.platform === chart.of);
  shockMarks(svg, shocks, days, x, M.t, H - M.b, undefined, names);
  const legend = el("div", { class: "legend" });
  let points = 0;
  if (chart.stacked) {
    const base = new Array(days).fill(0);
    chart.series.forEach((se) => {
      const colour = KIND_COLOURS[se.what] || "#999";
      const top = base.map((b, d) => b + (se.mean[d] || 0));
      const lo = base.map((b, d) => (se.mean[d] === null ? null : b));
      const hi = top.map((v, d) => (se.mean[d] === null ? null : v));
      svg.appendChild(el("svg:path", { d: bandPath(lo, hi, x, y, upTo), fill: colour, "fill-opacity": "0.85", stroke: "none" }));
      for (let d = 0; d < days; d++) base[d] = top[d];
      points += se.mean.slice(0, upTo).filter((v) => v !== null).length;
      const item = el("span", { class: "item" });
      item.appendChild(el("span", { class: "swatch", style: `background:${colour}` }));
      item.appendChild(document.createTextNode(t(se.what)));
      legend.appendChild(item);
    });
  } else {
    const ids = [...new Set(chart.series.map((s) => s.name))];
    chart.series.forEach((se) => {
      const colour = SERIES_COLOURS[ids.indexOf(se.name) % SERIES_COLOURS.length];
      const same = se.lo.every((v, i) => v === se.hi[i]);
      if (!same) svg.appendChild(el("svg:path", { d: bandPath(se.lo, se.hi, x, y, upTo), fill: colour, "fill-opacity": "0.18", stroke: "none" }));
      const attrs = { d: linePath(se.mean, x, y, upTo), fill: "none", stroke: colour, "stroke-width": "1.8" };
      if (se.dash) attrs["stroke-dasharray"] = "5 3";
      svg.appendChild(el("svg:path", attrs));
      points += se.mean.slice(0, upTo).filter((v) => v !== null).length;
      const item = el("span", { class: "item" });
      item.appendChild(el("span", { class: "swatch" + (se.dash ? " dash" : ""), style: `border-color:${colour}` }));
      item.appendChild(document.createTextNode(seriesLabel(se, names, kind)));
      legend.appendChild(item);
    });
  }
  box.setAttribute("data-points", String(points));
  box.appendChild(svg);
  box.appendChild(legend);
  if (chart.constant && chart.constant.length) {
    const txt = chart.constant.map(([name, what, v]) => seriesLabel({ name, what }, names, kind) + " = " + fmt(v)).join(", ");
    box.appendChild(el("p", { class: "help" }, t("constant") + ": " + txt));
  }
  return box;
}

// The regimes' colours, named, and what each regime means.
function regimeKey(parent, names) {
  const key = el("div", { class: "legend" });
  for (const name of names) {
    const item = el("span", { class: "item" });
    item.appendChild(el("span", { class: "swatch block", style: `background:${REGIME_COLOURS[name]}` }));
    item.appendChild(document.createTextNode(t(name)));
    key.appendChild(item);
  }
  parent.appendChild(key);
  parent.appendChild(el("p", { class: "help" }, t("regime_help")));
}

// One platform's regime strips, one per replication; click → onPick(platform, replication, day).
function drawRegimes(view, upTo, onPick) {
  const wrap = el("div", { class: "regimes" });
  const days = view.days;
  const rowH = 14;
  view.regimes.forEach((strip) => {
    const reps = strip.codes.length;
    const rowsEnd = 18 + reps * (rowH + 2);
    const h = rowsEnd + 24;
    const svg = el("svg:svg", { viewBox: `0 0 ${W} ${h}`, class: "strip", "data-platform": strip.platform });
    const title = nameOf(view.names, "platforms", strip.platform);
    svg.appendChild(el("svg:text", { x: 0, y: 12, class: "strip-title" }, title));
    const x = (i) => M.l + (i / Math.max(1, days - 1)) * (W - M.l - M.r);
    const reached = new Set();
    strip.codes.forEach((codes, r) => {
      const y0 = 18 + r * (rowH + 2);
      let i = 0;
      const n = Math.min(codes.length, upTo);
      while (i < n) {
        const c = codes[i];
        let j = i;
        while (j < n && codes[j] === c) j++;
        const name = c < 0 ? "unclassified" : view.regime_names[c];
        if (c >= 0) reached.add(name);
        const rect = el("svg:rect", { x: x(i), y: y0, width: Math.max(0.5, x(j) - x(i)), height: rowH, fill: c < 0 ? "#EEEEEE" : REGIME_COLOURS[name], "data-regime": c < 0 ? "" : name });
        rect.appendChild(el("svg:title", {}, (c < 0 ? t("before_verdict") : t(name)) + " (" + t("day_n").replace("{n}", i + "–" + (j - 1)) + ")"));
        svg.appendChild(rect);
        i = j;
      }
      svg.appendChild(el("svg:text", { x: M.l - 6, y: y0 + 11, "text-anchor": "end", class: "rep" }, "#" + r));
    });
    // A day axis under the rows, as on the charts, and the shocks over them.
    const axis = el("svg:g", { class: "axes" });
    const step = niceStep(days / 6);
    for (let d = 0; d < days; d += step) {
      axis.appendChild(el("svg:line", { x1: x(d), x2: x(d), y1: rowsEnd, y2: rowsEnd + 4, class: "tick" }));
      axis.appendChild(el("svg:text", { x: x(d), y: rowsEnd + 15, "text-anchor": "middle" }, String(d)));
    }
    axis.appendChild(el("svg:text", { x: M.l - 6, y: rowsEnd + 15, "text-anchor": "end", class: "axis-label" }, t("day")));
    svg.appendChild(axis);
    // This platform's shocks over its rows, labelled beside the title (not over row #0).
    shockMarks(svg, (view.shocks || []).filter((sh) => sh.platform === strip.platform), days, x, 16, rowsEnd, 12, view.names);
    svg.setAttribute("data-reached", [...reached].join(" "));
    if (onPick) {
      svg.style.cursor = "crosshair";
      svg.addEventListener("click", (ev) => {
        const rect = svg.getBoundingClientRect();
        const px = ((ev.clientX - rect.left) / rect.width) * W;
        const py = ((ev.clientY - rect.top) / rect.height) * h;
        if (py > rowsEnd) return; // the day axis, not a replication
        const day = Math.round(((px - M.l) / (W - M.l - M.r)) * (days - 1));
        const rep = Math.max(0, Math.min(reps - 1, Math.floor((py - 18) / (rowH + 2))));
        if (day >= 0 && day < days) onPick(strip.platform, rep, day);
      });
    }
    wrap.appendChild(svg);
    const ch = el("p", { class: "changes" });
    const first = strip.changes[0] || [];
    ch.textContent = title + " — " + t("regime_changes") + " (#0): " +
      (first.length ? first.map(([d, r]) => t("day_n").replace("{n}", d) + " " + t(r)).join(", ") : t("none"));
    wrap.appendChild(ch);
  });
  regimeKey(wrap, view.regime_names);
  return wrap;
}

// The whole view: header facts, regimes, sentences, charts. opts: { upTo, onPick, text }.
function renderRun(view, opts) {
  opts = opts || {};
  const upTo = opts.upTo === undefined ? view.days : opts.upTo;
  const root = el("section", { class: "run" });
  const facts = el("p", { class: "facts" });
  facts.textContent = `${t("scenario")}: ${scenarioName(view)} · ${t("seed")} ${view.seed} · ${t("replications")} ${view.replications} · ` +
    `${view.days} ${t("days")} · ${t("warmup")} ${view.warmup_days} · ${t("version")} `;
  // The version and the changes are what a person types or cites: shown as code.
  facts.appendChild(el("code", {}, view.version));
  root.appendChild(facts);
  const description = scenarioDescription(view);
  if (description) root.appendChild(el("p", { class: "description" }, description));
  const changes = el("p", { class: "facts" }, `${t("changes")}: `);
  if (view.changes.length) changes.appendChild(el("code", {}, view.changes.join(" ")));
  else changes.appendChild(document.createTextNode(t("none")));
  root.appendChild(changes);
  root.appendChild(el("h3", {}, t("regime_timeline")));
  if (view.platforms_total) {
    const note = t("platforms_drawn").replace("{n}", view.regimes.length).replace("{total}", view.platforms_total.toLocaleString("en"));
    root.appendChild(el("p", { class: "help platforms-drawn" }, note));
  }
  root.appendChild(drawRegimes(view, upTo, opts.onPick));
  if (upTo >= view.days) {
    root.appendChild(el("h3", {}, t("decisive")));
    const ul = el("ul", { class: "sentences" });
    for (const s of view.sentences) ul.appendChild(el("li", { "data-regime": s.regime }, LANG === "zh" ? s.zh : s.en));
    root.appendChild(ul);
  }
  root.appendChild(el("h3", {}, t("charts")));
  if (view.no_daily_records) root.appendChild(el("p", { class: "help no-daily" }, t("no_daily_records")));
  root.appendChild(el("p", { class: "help" }, t("band_note")));
  const grid = el("div", { class: "charts" });
  for (const c of view.charts) grid.appendChild(drawChart(c, view.days, upTo, Object.assign({ shocks: view.shocks, names: view.names }, opts)));
  root.appendChild(grid);
  return root;
}

// Applies the language to elements marked data-i18n.
function translateStatic() {
  document.documentElement.lang = LANG === "zh" ? "zh-CN" : "en";
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.getAttribute("data-i18n"));
}

// ---- Sweeps (`embedsim sweep --report`): a regime map per platform ----

// Where each value of an axis sits, as [start, end] fractions of the axis: a categorical axis
// gives every value an equal band, in the sweep file's order; a numeric one is drawn to scale
// (bands meet halfway between values; points of a sampled design are dots).
function sweepScale(axis, banded) {
  const n = axis.values.length;
  if (axis.categorical || n === 1) return axis.values.map((_, i) => [i / n, (i + 1) / n]);
  const v = axis.values.map(Number);
  const edges = [v[0] - (v[1] - v[0]) / 2];
  for (let i = 1; i < n; i++) edges.push((v[i - 1] + v[i]) / 2);
  edges.push(v[n - 1] + (v[n - 1] - v[n - 2]) / 2);
  const lo = edges[0], span = edges[n] - edges[0] || 1;
  const f = (x) => (x - lo) / span;
  return v.map((x, i) => (banded ? [f(edges[i]), f(edges[i + 1])] : [f(x), f(x)]));
}

function axisTitle(axis) {
  return (LANG === "zh" ? axis.words_zh : axis.words) + (axis.categorical ? " — " + t("categories") : "");
}

// Labels along an axis, thinned so that they do not overlap.
function sweepTicks(g, axis, pos, horizontal, at, room) {
  const n = axis.values.length;
  const longest = Math.max(...axis.values.map((s) => s.length));
  const each = horizontal ? Math.max(1, Math.ceil((n * Math.max(3, longest) * 6.5) / room)) : Math.max(1, Math.ceil((n * 14) / room));
  axis.values.forEach((value, i) => {
    if (i % each !== 0 && i !== n - 1) return;
    const c = (pos[i][0] + pos[i][1]) / 2;
    const attrs = horizontal ? { x: at(c), y: 0, "text-anchor": "middle" } : { x: 0, y: at(c) + 4, "text-anchor": "end" };
    if (axis.categorical) attrs.class = "category";
    g.appendChild(el("svg:text", attrs, value));
  });
}

function drawRegimeMap(view, map) {
  const [ax, ay] = view.axes;
  const banded = view.grid || ax.categorical || (ay && ay.categorical);
  const w = 560, h = ay ? 340 : 120, m = { l: ay ? 78 : 20, r: 10, t: 26, b: 48 };
  const svg = el("svg:svg", { viewBox: `0 0 ${w} ${h}`, class: "regime-map", "data-platform": map.platform });
  svg.appendChild(el("svg:text", { x: 0, y: 14, class: "strip-title" }, nameOf(view.names, "platforms", map.platform)));
  const px = sweepScale(ax, banded), py = ay ? sweepScale(ay, banded) : [[0, 1]];
  const X = (f) => m.l + f * (w - m.l - m.r);
  const Y = (f) => h - m.b - f * (h - m.t - m.b);
  const reached = new Set();
  for (const c of map.cells) {
    const [i, j] = [c.at[0], ay ? c.at[1] : 0];
    reached.add(c.regime);
    const tip = `${ax.key} = ${ax.values[i]}` + (ay ? `, ${ay.key} = ${ay.values[j]}` : "") +
      `: ${t(c.regime)} (${Math.round(100 * c.share)}% ${t("of_replications")})`;
    let shape;
    if (banded) {
      const [x0, x1] = px[i].map(X), [y0, y1] = py[j].map(Y);
      shape = el("svg:rect", { x: x0, y: y1, width: Math.max(1, x1 - x0 - 1), height: Math.max(1, y0 - y1 - 1), fill: REGIME_COLOURS[c.regime] });
    } else {
      shape = el("svg:circle", { cx: X(px[i][0]), cy: Y(ay ? py[j][0] : 0.5), r: 5, fill: REGIME_COLOURS[c.regime] });
    }
    shape.appendChild(el("svg:title", {}, tip));
    svg.appendChild(shape);
  }
  const gx = el("svg:g", { transform: `translate(0 ${h - m.b + 14})`, class: ax.categorical ? "axis-categorical" : "axis-numeric" });
  sweepTicks(gx, ax, px, true, X, w - m.l - m.r);
  svg.appendChild(gx);
  svg.appendChild(el("svg:text", { x: (m.l + w - m.r) / 2, y: h - 8, "text-anchor": "middle", class: "axis-label" }, axisTitle(ax)));
  if (ay) {
    const gy = el("svg:g", { transform: `translate(${m.l - 6} 0)`, class: ay.categorical ? "axis-categorical" : "axis-numeric" });
    sweepTicks(gy, ay, py, false, Y, h - m.t - m.b);
    svg.appendChild(gy);
    const cy = (h - m.b + m.t) / 2;
    svg.appendChild(el("svg:text", { x: 11, y: cy, transform: `rotate(-90 11 ${cy})`, "text-anchor": "middle", class: "axis-label" }, axisTitle(ay)));
  }
  svg.setAttribute("data-reached", [...reached].join(" "));
  return svg;
}

// A sweep's report: facts, sentences, a regime map per platform, the sweep file.
function renderSweep(view) {
  const root = el("section", { class: "sweep" });
  root.appendChild(el("p", { class: "facts" },
    `${t("sweep")}: ${view.name} · ${t("scenario")}: ${view.base} · ${t("seed")} ${view.seed} · ` +
    `${t("replications")} ${view.replications} · ${view.points} ${t("points")} · ${view.runs} ${t("runs")} · ${t("version")} ${view.version}`));
  if (view.description) root.appendChild(el("p", { class: "description" }, view.description));
  root.appendChild(el("p", { class: "facts" }, `${t("swept")}: ` +
    view.axes.map((a) => `${a.key} (${a.values.length}${a.categorical ? ", " + t("categories") : ""})`).join(" × ") +
    (view.fixed.length ? ` · ${t("fixed")}: ` + view.fixed.map(([k, v]) => `${k} = ${v}`).join(", ") : "")));
  root.appendChild(el("h3", {}, t("decisive_sweep")));
  const ul = el("ul", { class: "sentences" });
  for (const s of view.sentences) ul.appendChild(el("li", {}, LANG === "zh" ? s.zh : s.en));
  root.appendChild(ul);
  root.appendChild(el("h3", {}, t("sweep_maps")));
  if (view.axes.length === 0 || view.axes.length > 2) {
    root.appendChild(el("p", { class: "help" }, t("sweep_no_map")));
  } else {
    root.appendChild(el("p", { class: "help" }, t("sweep_map_help")));
    const maps = el("div", { class: "maps" });
    for (const m of view.maps) maps.appendChild(drawRegimeMap(view, m));
    root.appendChild(maps);
    regimeKey(root, view.regime_names);
  }
  const det = el("details", {});
  det.appendChild(el("summary", {}, t("sweep_file") + " — " + view.origin));
  det.appendChild(el("pre", {}, view.text));
  root.appendChild(det);
  return root;
}
