// The classroom page: pick a scenario, move sliders (each one a --set key), run, watch the
// charts grow day by day, compare with the control, follow one order, print the settings.
// URL parameters: scenario=ID, lang=zh, and for tests: test=1 (run at once, then switch to
// 中文 and write the page's state into #state), move=KEY:VALUE (move that slider first),
// extra=LINES (more changes), reps=N (replications), control=1 (compare with the control),
// story=PLATFORM:DAY (click that platform's regime strip on that day, before the switch),
// scroll=story (then move the story to the top of the page, for a screenshot).
"use strict";

const SPEEDS = [15, 30, 60, 120, 365, 0]; // days a second; 0: at once
const params = new URLSearchParams(location.search);
LANG = params.get("lang") === "zh" ? "zh" : "en";
let SCENARIOS = [];
let current = null; // the scenario picked
let lastRequest = null; // what was run
let lastResult = null; // the finished run
let live = null; // while it goes: each side's days so far, { sides: [{ facts, have, charts, shown, regimes }], log }
let shownDays = 0;
let animation = null;
let forgotten = null; // the scenario whose changes picking another one forgot (shown in a note)
let lastStory = null; // the story of one order: { story, platform, replication, day }
let storyPending = null; // the request for it, while it is under way

const $ = (id) => document.getElementById(id);

// An error from the server carries its message in both languages (error, error_zh); the one
// shown follows the language switch.
let lastError = null;
function showError(err) {
  lastError = err;
  const e = $("error");
  if (!err) { e.hidden = true; e.textContent = ""; return; }
  e.hidden = false;
  const msg = (LANG === "zh" && err.zh) || err.message;
  e.textContent = t("error") + (LANG === "zh" ? "：" : ": ") + msg;
}

function apiError(message, zh) {
  const e = new Error(message);
  e.zh = zh;
  return e;
}

async function api(path, body) {
  const init = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const resp = await fetch(path, init);
  let data;
  try { data = await resp.json(); } catch (e) { throw new Error(resp.status + " " + resp.statusText); }
  if (!resp.ok || data.error) throw apiError(data.error || resp.statusText, data.error_zh);
  return data;
}

// Which table a slider's {of} names.
const CONTROL_KIND = { ctl_attention_of: "leaders", ctl_staff: "departments" };

function controlLabel(c) {
  return t(c.label).replace("{of}", nameOf(current && current.names, CONTROL_KIND[c.label] || "platforms", c.of));
}

// A scenario of the list by its name in the language chosen.
function listName(s) {
  return (s.names && s.names.scenario && s.names.scenario[LANG]) || s.name;
}

function renderControls() {
  const box = $("controls");
  const values = {}, touched = {};
  for (const inp of box.querySelectorAll("input")) {
    values[inp.dataset.key] = inp.type === "checkbox" ? inp.checked : inp.value;
    touched[inp.dataset.key] = inp.dataset.touched;
  }
  box.textContent = "";
  if (!current) return;
  for (const c of current.controls) {
    const div = el("div", { class: "control" });
    const label = el("label", {});
    label.appendChild(document.createTextNode(controlLabel(c) + (c.unit ? " (" + t(c.unit) + ")" : "")));
    div.appendChild(label);
    let inp;
    if (c.kind === "switch") {
      inp = el("input", { type: "checkbox" });
      inp.checked = c.key in values ? values[c.key] : c.value === 1;
      const out = el("output", {}, inp.checked ? t("on") : t("off"));
      inp.addEventListener("change", () => { out.textContent = inp.checked ? t("on") : t("off"); });
      div.appendChild(inp);
      div.appendChild(out);
    } else {
      inp = el("input", { type: "range", min: c.min, max: c.max, step: c.step });
      inp.value = c.key in values ? values[c.key] : c.value;
      const out = el("output", {}, inp.value);
      // A base value between steps shows rounded: only a slider someone moved counts as a change.
      inp.addEventListener("input", () => { out.textContent = inp.value; inp.dataset.touched = "1"; });
      div.appendChild(inp);
      div.appendChild(out);
    }
    if (touched[c.key]) inp.dataset.touched = "1";
    inp.dataset.key = c.key;
    inp.dataset.kind = c.kind;
    inp.dataset.base = c.value;
    div.appendChild(el("div", { class: "key" }, "--set " + c.key));
    box.appendChild(div);
  }
}

function unquote(s) {
  s = s.trim();
  if (s.length >= 2 && s[0] === "'" && s[s.length - 1] === "'") return s.slice(1, -1);
  return s;
}

// The page's changes, as --set and --unset take them.
function changes() {
  const set = [], unset = [];
  for (const inp of $("controls").querySelectorAll("input")) {
    const key = inp.dataset.key;
    if (inp.dataset.kind === "switch") {
      if (!inp.checked) unset.push(key);
    } else if (inp.dataset.touched && Number(inp.value) !== Number(inp.dataset.base)) {
      set.push(key + "=" + inp.value);
    }
  }
  for (let line of $("extra").value.split("\n")) {
    line = line.trim();
    if (!line) continue;
    if (line.startsWith("--unset")) unset.push(unquote(line.slice(7)));
    else set.push(unquote(line.startsWith("--set") ? line.slice(5) : line));
  }
  return { set, unset };
}

// Picking a scenario redraws every slider from that scenario's file and forgets what was moved
// or typed for the one before (a change made for one lesson must not follow into the next); the
// note says so when something was forgotten.
function pickScenario(id) {
  const before = current;
  const moved = [...$("controls").querySelectorAll("input")].some((x) => x.dataset.touched || (x.type === "checkbox" && x.checked !== (x.dataset.base === "1")));
  const typed = $("extra").value.trim() !== "";
  current = SCENARIOS.find((s) => s.id === id) || SCENARIOS[0];
  $("scenario").value = current.id;
  renderDescription();
  $("seed").value = current.seed;
  $("reps").value = current.replications;
  $("controls").textContent = "";
  $("extra").value = "";
  forgotten = before && before !== current && (moved || typed) ? before : null;
  renderForgotten();
  renderControls();
}

function renderForgotten() {
  const note = $("forgotten");
  note.hidden = !forgotten;
  note.textContent = forgotten ? t("changes_forgotten").replace("{name}", listName(current)).replace("{before}", listName(forgotten)) : "";
}

function renderDescription() {
  $("description").textContent = (LANG === "zh" && current.names && current.names.description_zh) || current.description || "";
}

// The list of scenarios, named in the language chosen.
function renderScenarioList() {
  for (const o of $("scenario").options) {
    const s = SCENARIOS.find((x) => x.id === o.value);
    if (s) o.textContent = listName(s) + " — " + s.file;
  }
}

// Appends the days a poll brought (src/serve/api.rs, Live) to one side of the run.
function appendLive(side, part) {
  if (!side.charts) {
    side.charts = part.charts;
    side.regimes = part.regimes;
  } else {
    part.charts.forEach((c, i) => c.series.forEach((se, j) => {
      const to = side.charts[i].series[j];
      for (const k of ["mean", "lo", "hi"]) for (const v of se[k]) to[k].push(v);
    }));
    part.regimes.forEach((r, i) => {
      r.codes.forEach((codes, rep) => { for (const c of codes) side.regimes[i].codes[rep].push(c); });
      side.regimes[i].changes = r.changes;
    });
  }
  // The names come with the first days only (src/serve/api.rs, Side::live): keep them.
  const names = side.facts && side.facts.names;
  side.facts = part.facts;
  if (names && !Object.keys((part.facts.names && part.facts.names.entities) || {}).length) side.facts.names = names;
  side.shown = part.shown;
  side.have = part.to;
}

// One side of the run so far, as a view for renderRun: the charts drawn as of its last day.
function liveView(side) {
  const charts = (side.shown || []).map((s) => {
    const c = side.charts[s.chart];
    return { key: c.key, of: c.of, unit: c.unit, stacked: c.stacked, series: s.series.map((j) => c.series[j]), constant: s.constant };
  });
  return Object.assign({}, side.facts, { regimes: side.regimes || [], charts, sentences: [] });
}

// What to draw: the finished run, or the days of the run so far (never beyond them).
function views() {
  if (lastResult) return { a: lastResult.a, b: lastResult.b, compare: lastResult.compare, upA: shownDays, upB: shownDays, done: true };
  if (!live || !live.sides[0].facts) return null;
  const [a, b] = live.sides;
  return {
    a: liveView(a), b: b && b.facts ? liveView(b) : null, compare: [],
    upA: Math.min(shownDays, a.have), upB: b ? Math.min(shownDays, b.have) : 0, done: false,
  };
}

function renderResults() {
  const box = $("results");
  box.textContent = "";
  const v = views();
  if (!v) return;
  const onPick = v.done ? (platform, replication, day) => tell(platform, replication, day) : null;
  box.setAttribute("data-days-drawn", String(Math.max(v.upA, v.b ? v.upB : 0)));
  if (v.b) {
    box.appendChild(el("h2", {}, t("compare_title")));
    if (v.compare.length) {
      const ul = el("ul", { class: "sentences" });
      for (const s of v.compare) ul.appendChild(el("li", {}, LANG === "zh" ? s.zh : s.en));
      box.appendChild(ul);
    }
    const sbs = el("div", { class: "side-by-side" });
    const ymax = sharedMax([v.a, v.b]);
    [[v.b, "side_a", v.upB], [v.a, "side_b", v.upA]].forEach(([view, side, upTo]) => {
      const col = el("div", {});
      col.appendChild(el("h2", {}, t(side)));
      col.appendChild(renderRun(view, { upTo, ymax, onPick: view === v.a ? onPick : null }));
      sbs.appendChild(col);
    });
    box.appendChild(sbs);
  } else {
    box.appendChild(renderRun(v.a, { upTo: v.upA, onPick }));
  }
}

function writeState(extra) {
  const s = $("state");
  const reached = [...document.querySelectorAll("#results svg.strip")].map((x) => x.getAttribute("data-reached")).join(" ");
  const points = [...document.querySelectorAll("#results figure.chart")].map((f) => Number(f.getAttribute("data-points")));
  s.setAttribute("data-lang", LANG);
  s.setAttribute("data-title", document.querySelector("h1[data-i18n]").textContent);
  s.setAttribute("data-run-label", $("run").textContent);
  s.setAttribute("data-regimes", reached);
  s.setAttribute("data-charts", String(points.length));
  s.setAttribute("data-empty-charts", String(points.filter((p) => p === 0).length));
  s.setAttribute("data-days-shown", String(shownDays));
  s.setAttribute("data-days-drawn", $("results").getAttribute("data-days-drawn") || "0");
  // While the run goes: "days drawn:chart points" at each redraw (the charts grow before the end).
  // A frame drawn before the first day has ended (a slow or busy machine) draws nothing: not logged.
  const drawn = $("results").getAttribute("data-days-drawn") || "0";
  if (live && !lastResult && views() && drawn !== "0") {
    const entry = drawn + ":" + points.reduce((a, b) => a + b, 0);
    if (live.log[live.log.length - 1] !== entry && live.log.length < 400) live.log.push(entry);
  }
  if (live) s.setAttribute("data-live", live.log.join(" "));
  s.setAttribute("data-changes", lastRequest ? lastRequest.set.concat(lastRequest.unset.map((u) => "-" + u)).join(" ") : "");
  s.setAttribute("data-error", $("error").hidden ? "" : $("error").textContent);
  for (const k in extra || {}) s.setAttribute("data-" + k, extra[k]);
}

// Draws the run as its days come, paced by the speed control: the days shown grow at the speed
// chosen but never beyond the days the run has done; once it has finished, on to its last day.
function animate(done) {
  if (animation) clearTimeout(animation);
  shownDays = 0;
  const tick = () => {
    const speed = SPEEDS[Number($("speed").value)];
    const days = lastResult ? lastResult.a.days : live ? Math.max(...live.sides.map((s) => s.have || 0)) : 0;
    shownDays = speed === 0 ? days : Math.min(days, shownDays + Math.max(1, Math.round(speed / 20)));
    renderResults();
    writeState();
    if (lastResult && shownDays >= lastResult.a.days) { animation = null; done && done(); return; }
    if (!lastResult && !live) { animation = null; return; } // the run failed
    animation = setTimeout(tick, 50);
  };
  animation = setTimeout(tick, 0);
}

async function run(done) {
  showError(null);
  const { set, unset } = changes();
  const req = {
    scenario: current.id, set, unset,
    seed: Number($("seed").value), replications: Number($("reps").value), control: $("control").checked,
  };
  $("run").disabled = true;
  $("run").textContent = t("running");
  try {
    const { job } = await api("/api/run", req);
    lastRequest = req;
    lastResult = null;
    live = { sides: req.control ? [{ have: 0 }, { have: 0 }] : [{ have: 0 }], log: [] };
    $("trace").textContent = "";
    lastStory = null;
    animate(done);
    let state;
    for (;;) {
      state = await api(`/api/job/${job}?from=${live.sides.map((s) => s.have).join(",")}`);
      if (state.state !== "running") break;
      state.live.forEach((part, i) => appendLive(live.sides[i], part));
      $("bar").style.width = (100 * state.done / Math.max(1, state.total)).toFixed(1) + "%";
      $("progress").textContent = `${state.done} / ${state.total} ${t("progress")}`;
      // More days ready than one answer holds: ask again at once.
      if (!state.live.some((p) => p.to < p.ready)) await new Promise((r) => setTimeout(r, 100));
    }
    if (state.state === "error") throw apiError(state.error, state.error_zh);
    $("bar").style.width = "100%";
    $("progress").textContent = "";
    lastResult = state.result;
    $("command").textContent = lastResult.settings.command;
    $("toml").textContent = lastResult.settings.toml;
    $("table").textContent = lastResult.table;
  } catch (e) {
    live = null;
    if (animation) { clearTimeout(animation); animation = null; }
    showError(e);
    writeState();
    done && done();
  } finally {
    $("run").disabled = false;
    $("run").textContent = t("run");
  }
}

// The story of one order, in the language switched on (the server tells it in both).
function renderStory() {
  const box = $("trace");
  box.textContent = "";
  if (!lastStory) return;
  const { story, platform, replication, day } = lastStory;
  const zh = LANG === "zh";
  const names = lastResult && lastResult.a.names;
  box.appendChild(el("p", { class: "facts" }, `${nameOf(names, "platforms", platform)} · ${t("trace_of")} #${story.order} · ${t("replication")} ${replication} · ${t("day_n").replace("{n}", day)}`));
  const ol = el("ol", { class: "trace" });
  for (const l of story.lines) {
    const li = el("li", {});
    li.appendChild(el("span", { class: "when" }, `${zh ? l.at_zh : l.at} (+${l.elapsed_hours.toFixed(1)} ${t("hours_short")})`));
    li.appendChild(document.createTextNode(zh ? l.what_zh : l.what));
    ol.appendChild(li);
  }
  if (story.still_open) ol.appendChild(el("li", { class: "open" }, t("still_open")));
  box.appendChild(ol);
  box.appendChild(el("pre", {}, story.command));
}

async function tell(platform, replication, day) {
  const box = $("trace");
  box.textContent = "…";
  lastStory = null;
  storyPending = (async () => {
    try {
      const story = await api("/api/trace", { run: lastRequest, replication, platform, day });
      lastStory = { story, platform, replication, day };
      renderStory();
      if (params.get("test") !== "1") $("trace-box").scrollIntoView({ behavior: "smooth" });
    } catch (e) {
      box.textContent = "";
      showError(e);
    }
  })();
  return storyPending;
}

// Clicks platform's regime strip (first replication) on day, as a person would.
function clickStrip(platform, day) {
  const svg = [...document.querySelectorAll("#results svg.strip")].find((s) => s.dataset.platform === platform);
  if (!svg || !lastResult) return Promise.resolve();
  const days = lastResult.a.days, box = svg.viewBox.baseVal, rect = svg.getBoundingClientRect();
  const x = M.l + (day / Math.max(1, days - 1)) * (W - M.l - M.r);
  const y = 18 + 7;
  svg.dispatchEvent(new MouseEvent("click", {
    bubbles: true,
    clientX: rect.left + (x / box.width) * rect.width,
    clientY: rect.top + (y / box.height) * rect.height,
  }));
  return storyPending || Promise.resolve();
}

function setLanguage(lang) {
  LANG = lang;
  translateStatic();
  if (current) { renderForgotten(); renderDescription(); renderScenarioList(); }
  renderControls();
  renderResults();
  renderStory();
  if (lastError) showError(lastError);
  $("speed-out").textContent = SPEEDS[Number($("speed").value)] ? SPEEDS[Number($("speed").value)] + " " + t("speed_unit") : t("instant");
  if (!$("run").disabled) $("run").textContent = t("run");
}

async function main() {
  translateStatic();
  $("lang").addEventListener("click", () => { setLanguage(LANG === "zh" ? "en" : "zh"); writeState(); });
  $("speed").addEventListener("input", () => setLanguage(LANG));
  if (params.get("speed") !== null) $("speed").value = params.get("speed");
  setLanguage(LANG);
  try {
    SCENARIOS = (await api("/api/scenarios")).filter((s) => !s.error);
  } catch (e) {
    showError(e);
    return;
  }
  for (const s of SCENARIOS) $("scenario").appendChild(el("option", { value: s.id }, listName(s) + " — " + s.file));
  $("scenario").addEventListener("change", () => pickScenario($("scenario").value));
  $("reset").addEventListener("click", () => { $("controls").textContent = ""; renderControls(); });
  $("run").addEventListener("click", () => run());
  pickScenario(params.get("scenario") || SCENARIOS[0].id);
  if (params.get("test") === "1") {
    const move = params.get("move");
    if (move) {
      const i = move.lastIndexOf(":");
      const inp = [...$("controls").querySelectorAll("input")].find((x) => x.dataset.key === move.slice(0, i));
      if (inp) { inp.value = move.slice(i + 1); inp.dispatchEvent(new Event("input")); }
    }
    if (params.get("extra")) $("extra").value = params.get("extra");
    // As a person would: move a slider in one scenario, then pick another.
    if (params.get("then_scenario")) {
      $("scenario").value = params.get("then_scenario");
      $("scenario").dispatchEvent(new Event("change"));
    }
    const sliders = [...$("controls").querySelectorAll("input")].map((x) => x.dataset.key + "=" + (x.type === "checkbox" ? (x.checked ? "on" : "off") : x.value));
    writeState({ sliders: sliders.join(" "), forgotten: $("forgotten").hidden ? "" : $("forgotten").textContent });
    if (params.get("reps")) $("reps").value = params.get("reps");
    if (params.get("control") === "1") $("control").checked = true;
    run(async () => {
      const pick = params.get("story");
      if (pick) {
        const i = pick.lastIndexOf(":");
        await clickStrip(pick.slice(0, i), Number(pick.slice(i + 1)));
      }
      const before = [...document.querySelectorAll("#trace li")].map((li) => li.textContent);
      setLanguage(params.get("then") === "en" ? "en" : "zh");
      const after = [...document.querySelectorAll("#trace li")].map((li) => li.textContent);
      writeState({ done: "1", "story-before": before.join("\n"), story: after.join("\n") });
      if (params.get("scroll") === "story") document.body.prepend($("trace-box")); // for a screenshot
    });
  }
}

main();
