// The explorer: the alliance map of a theatre or an actor, read from /view, with its
// filters in the address (deep links), one edge's evidence from /view/evidence, and
// exports. Everything it loads is served by detente itself: it works offline.
"use strict";

const STANCE = { alignment: "#2e7d32", opposition: "#c62828", mixed: "#8d939c" };
const BLOC = ["#2f6db5", "#d9822b"];
const SEED = 20240601;  // the same graph draws the same way
const $ = (id) => document.getElementById(id);

const cy = cytoscape({
  container: $("graph"),
  wheelSensitivity: 0.3,
  minZoom: 0.2,
  maxZoom: 3,
  style: [
    { selector: "node", style: {
        "label": "data(label)", "font-size": 12, "color": "#1d2430",
        "text-valign": "bottom", "text-margin-y": 4, "text-wrap": "wrap", "text-max-width": 130,
        "text-background-color": "#ffffff", "text-background-opacity": 0.85,
        "text-background-padding": 2, "min-zoomed-font-size": 7,
        "background-color": "data(colour)", "width": "data(size)", "height": "data(size)",
        "border-width": 1, "border-color": "#ffffff" } },
    { selector: "node.focus", style: { "border-width": 4, "border-color": "#1d2430" } },
    { selector: "edge", style: {
        "line-color": "data(colour)", "target-arrow-color": "data(colour)",
        "target-arrow-shape": "data(arrow)", "arrow-scale": 0.9, "curve-style": "bezier",
        "width": "data(width)", "opacity": 0.85 } },
    { selector: "edge.frustrated", style: { "line-style": "dashed" } },
    { selector: "edge:selected", style: { "opacity": 1, "underlay-color": "#1a5fd0",
        "underlay-opacity": 0.25, "underlay-padding": 4 } },
  ],
});

const tip = $("tip");
const state = {
  theatre: null, actor: null, since: null, until: null, predicate: [], polarity: null,
  min_documents: null, min_confidence: null, edge: null, undated: false, limit: null,
};
// The landing view (no theatre, no actor) draws this many pairs at first: a readable graph,
// with the theatres listed beside it; "Show more pairs" adds as many again.
const LANDING_PAIRS = 40;
const MORE_PAIRS = 40;
let view = null;
let labels = new Map();  // the view's actor labels by id
let loads = 0;  // views drawn since the page opened: scripts wait on it
let asked = 0;  // the latest request: an older answer arriving late is dropped
let profiled = 0;  // the latest actor profile asked for

// ------------------------------------------------------------------ the address
function fromAddress() {
  const params = new URLSearchParams(location.search);
  state.theatre = params.get("theatre");
  state.actor = params.get("actor");
  state.since = params.get("since");
  state.until = params.get("until");
  state.predicate = params.getAll("predicate");
  state.polarity = params.get("polarity");
  state.min_documents = params.get("min_documents");
  state.min_confidence = params.get("min_confidence");
  state.edge = params.get("edge");  // the selected edge: its evidence opens with the view
  state.undated = params.get("undated") === "true";
  state.limit = params.get("limit");
}

function query(extra = {}) {
  const params = new URLSearchParams();
  for (const key of ["theatre", "actor", "since", "until", "polarity", "min_documents", "min_confidence"]) {
    if (state[key]) params.set(key, state[key]);
  }
  for (const p of state.predicate) params.append("predicate", p);
  if (state.undated && (state.since || state.until)) params.set("undated", "true");
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params;
}

function address() {
  const extra = {};
  if (state.limit) extra.limit = state.limit;
  if (state.edge) extra.edge = state.edge;
  const search = query(extra).toString();
  return search ? `/?${search}` : "/";
}

// The view's own parameters: the filters and how many pairs it draws (fewer on landing).
function viewQuery(extra = {}) {
  const landing = !state.theatre && !state.actor;
  const limit = state.limit || (landing ? String(LANDING_PAIRS) : null);
  return query(limit ? { limit, ...extra } : extra);
}

function navigate() {
  history.pushState(null, "", address());
  load();
}

window.addEventListener("popstate", () => { fromAddress(); load(); });

// ------------------------------------------------------------------ drawing
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function layout() {
  // fcose samples with Math.random: seeded for the run, so a graph always draws alike.
  const random = Math.random;
  Math.random = mulberry32(SEED);
  try {
    cy.layout({
      name: "fcose", quality: "proof", randomize: true, animate: false, fit: false,
      nodeDimensionsIncludeLabels: true, nodeSeparation: 80, packComponents: true,
      idealEdgeLength: () => 120, nodeRepulsion: () => 12000, edgeElasticity: () => 0.3,
      numIter: 4000, tile: true,
    }).run();
  } finally {
    Math.random = random;
  }
  separate();
  cy.fit(undefined, 40);
  // A large graph fits at a small zoom: labels grow until they read at 11px or more,
  // and are kept apart again.
  for (let round = 0; round < 3 && cy.zoom() < 0.9; round++) {
    cy.nodes().style("font-size", Math.min(11 / cy.zoom(), 28));
    separate();
    cy.fit(undefined, 40);
  }
  if (cy.zoom() > 1.4) { cy.zoom(1.4); cy.center(); }
}

function boxOf(node, margin) {
  const b = node.boundingBox({ includeLabels: true, includeOverlays: false });
  return { x1: b.x1 - margin, x2: b.x2 + margin, y1: b.y1 - margin, y2: b.y2 + margin };
}

// Nodes and their labels never overlap: any two boxes that still touch after the layout
// are pushed apart along the axis where they overlap least, until none do.
function separate(margin = 4) {
  const nodes = cy.nodes().toArray();
  for (let round = 0; round < 200; round++) {
    let moved = false;
    const boxes = nodes.map((n) => boxOf(n, margin));
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const dx = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
        const dy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
        if (dx <= 0 || dy <= 0) continue;
        const pi = nodes[i].position(), pj = nodes[j].position();
        const along = dx < dy ? "x" : "y";
        const sign = (pj[along] > pi[along] || (pj[along] === pi[along] && j > i)) ? 1 : -1;
        const push = (Math.min(dx, dy) / 2) + 1;
        nodes[i].position(along, pi[along] - sign * push);
        nodes[j].position(along, pj[along] + sign * push);
        boxes[i] = boxOf(nodes[i], margin);
        boxes[j] = boxOf(nodes[j], margin);
        moved = true;
      }
    }
    if (!moved) return;
  }
}

function draw() {
  cy.elements().remove();
  const elements = view.nodes.map((n) => ({
    data: {
      id: n.id, label: n.label, evidence: n.evidence, bloc: n.bloc,
      colour: n.bloc === null ? STANCE.mixed : BLOC[n.bloc],
      size: Math.min(22 + 7 * Math.sqrt(n.evidence), 80),
    },
    classes: n.id === view.focus ? "focus" : "",
  }));
  for (const e of view.edges) {
    elements.push({
      data: {
        id: e.id, source: e.source, target: e.target, stance: e.stance, net: e.net,
        evidence: e.evidence, documents: e.documents, outlets: e.outlets,
        confidence: e.confidence, predicates: e.predicates, directed: e.directed,
        colour: STANCE[e.stance], arrow: e.directed ? "triangle" : "none",
        width: 1.5 + 2 * Math.log2(1 + e.evidence),
      },
      classes: e.frustrated ? "frustrated" : "",
    });
  }
  cy.add(elements);
  if (cy.nodes().length) layout();
}

function label(id) {
  return labels.get(id) ?? id;
}

function edgeText(e) {
  const net = (e.net > 0 ? "+" : "") + e.net.toFixed(1);
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${label(e.source)} – ${label(e.target)}: ${e.stance} (net ${net}), ` +
    `${plural(e.evidence, "statement")} in ${plural(e.documents, "document")} ` +
    `from ${plural(e.outlets, "outlet")}, mean confidence ${e.confidence.toFixed(2)}`;
}

// ------------------------------------------------------------------ the view
function describe() {
  const what = state.theatre ? `in ${state.theatre}` :
    state.actor ? `around ${label(state.actor)}` : "across every theatre";
  const when = state.since || state.until ? `, ${state.since || "…"} to ${state.until || "…"}` : "";
  $("heading").textContent = `Alliances ${what}${when}`;
  document.title = `detente: alliances ${what}`;
  const shown = view.edges.length;
  const triangles = view.balance.triangles;
  const balance = !view.partitioned ? "no blocs: sides are drawn within one theatre, choose one" :
    view.balance.balance === null ? "no triangles to weigh the blocs by" :
    `balance ${view.balance.balance}: the share of the ${triangles} closed triangle${triangles === 1 ? "" : "s"} ` +
    "that the two blocs explain (1: every friend of a friend is a friend)";
  const pairs = shown < view.pairs_total ? `${shown} of ${view.pairs_total} pairs (the most evidenced)` :
    `${shown} pair${shown === 1 ? "" : "s"}`;
  $("summary").textContent = `${view.nodes.length} actors, ${pairs}; ${balance}.`;
  $("legend-blocs").hidden = !view.partitioned;
  $("graph").setAttribute("aria-label", `Alliance graph ${what}: ${view.nodes.length} actors, ${shown} pairs`);
}

function showFilters() {
  for (const key of ["since", "until"]) {
    const input = $(key);
    input.value = state[key] || "";
    input.min = view.dates.first || "";
    input.max = view.dates.last || "";
  }
  $("polarity").value = state.polarity || "";
  $("min_documents").value = state.min_documents || "1";
  $("min_confidence").value = state.min_confidence || "0";
  const box = $("predicates");
  box.querySelectorAll("label").forEach((l) => l.remove());
  const chosen = new Set(state.predicate);
  const listed = new Set(view.predicates.map((p) => p.predicate));
  for (const p of state.predicate) {
    if (!listed.has(p)) view.predicates.push({ predicate: p, polarity: "", count: 0 });
  }
  for (const p of view.predicates) {
    const item = document.createElement("label");
    item.className = p.polarity;
    const box_ = document.createElement("input");
    box_.type = "checkbox";
    box_.name = "predicate";
    box_.value = p.predicate;
    box_.checked = chosen.has(p.predicate);
    item.append(box_, ` ${p.predicate} (${p.count})`);
    box.append(item);
  }
  const search = query().toString();
  $("export-graphml").href = `/view/export?${viewQuery({ format: "graphml" })}`;
  $("export-csv").href = `/view/export?${viewQuery({ format: "csv" })}`;
  $("export-png").dataset.name = search || "all";
}

function listPairs() {
  $("pairs").replaceChildren(...view.edges.map((e) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = e.stance;
    button.textContent = edgeText(e);
    button.addEventListener("click", () => select(e.id));
    item.append(button);
    return item;
  }));
}

// One request for JSON: { ok, body, problem }, the problem in words (the server's own
// "detail" when it gives one, else ``failure``) when the answer is not a success.
async function ask(url, failure, init = {}) {
  let response = null;
  let body = {};
  try {
    response = await fetch(url, init);
    body = await response.json().catch(() => ({}));
  } catch {
    response = null;
  }
  const ok = Boolean(response && response.ok);
  const problem = ok ? null : !response ? "The server cannot be reached." :
    typeof body.detail === "string" ? body.detail : failure;
  return { ok, body, problem };
}

async function load() {
  const status = $("status");
  const graph = $("graph");
  const ticket = ++asked;
  status.textContent = "Loading…";
  $("evidence").hidden = true;
  explaining += 1;  // an edge of the view before is no longer asked about
  profiled += 1;  // nor an actor's profile
  graph.setAttribute("aria-busy", "true");
  graph.dataset.state = "loading";
  const answer = await ask(`/view?${viewQuery()}`, "The view could not be read.",
    { headers: { Accept: "application/json" } });
  if (ticket !== asked) return;
  const failed = !answer.ok;
  view = failed ? { nodes: [], edges: [], pairs_total: 0, balance: { balance: null, triangles: 0 },
    dates: { first: null, last: null }, predicates: [], focus: null } : answer.body;
  // The text around the graph first (heading, relations, pairs): it moves and resizes the
  // graph's box. Then the graph is laid out and fitted in the box it will keep.
  labels = new Map(view.nodes.map((n) => [n.id, n.label]));
  describe();
  showFilters();
  listPairs();
  $("more-pairs").hidden = failed || view.edges.length >= view.pairs_total;
  await listTheatres(ticket);
  if (ticket !== asked) return;
  // Cytoscape learns that its container moved or changed size only from a ResizeObserver,
  // debounced by 100 ms; until then it maps the pointer with the box it had before, so a
  // pointer over an edge finds nothing there, and a fit uses the old size. The box is read
  // again now, before the layout and the fit.
  cy.resize();
  draw();
  graph.setAttribute("aria-busy", "false");
  if (failed) {
    status.textContent = answer.problem;
  } else {
    status.textContent = view.edges.length ? "Click an edge, or a pair below, for its sentences." :
      "Nothing matches these filters.";
    $("query").value = state.theatre || (state.actor ? label(state.actor) : "");
  }
  await timeline(ticket);
  if (ticket !== asked) return;  // a newer view was asked for meanwhile
  loads += 1;
  graph.dataset.state = "ready";
  if (state.edge) {
    if (!failed && cy.getElementById(state.edge).nonempty()) {
      select(state.edge);
    } else {  // not in this view (filters changed it): forget it
      state.edge = null;
      history.replaceState(null, "", address());
    }
  }
}

// The landing view lists the theatres, most recent evidence first: where to look.
async function listTheatres(ticket) {
  const section = $("theatres");
  if (state.theatre || state.actor) { section.hidden = true; return; }
  const answer = await ask("/theatres?limit=15", "");
  if (ticket !== asked) return;
  const found = answer.ok ? answer.body : [];
  section.hidden = !found.length;
  $("theatre-list").replaceChildren(...found.map((t) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    const last = t.last_date ? `, latest ${t.last_date}` : "";
    const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    button.textContent = `${t.theatre}: ${plural(t.statements, "statement")} in ` +
      `${plural(t.documents, "document")}, ${plural(t.actors, "actor")}${last}`;
    button.addEventListener("click", () => {
      state.theatre = t.theatre;
      state.limit = null;
      state.edge = null;
      navigate();
    });
    item.append(button);
    return item;
  }));
}

$("more-pairs").addEventListener("click", () => {
  const landing = !state.theatre && !state.actor;
  const now = Number(state.limit || (landing ? LANDING_PAIRS : view.edges.length));
  state.limit = String(Math.min(now + MORE_PAIRS, 500));
  navigate();
});

// ------------------------------------------------------------------ timeline
// The view's statements per month (years for long spans), stacked by polarity, over the
// whole range the view's other filters allow; the chosen dates are drawn darker. A bar
// chooses its month; shift extends the range to it. The undated are counted apart, and
// kept or left out by an explicit choice.
async function timeline(ticket) {
  const svg = $("timeline-bars");
  const params = query();
  for (const key of ["since", "until", "undated"]) params.delete(key);
  const answer = await ask(`/view/timeline?${params}`, "");
  if (ticket !== asked) return;
  const found = answer.ok ? answer.body : null;
  svg.replaceChildren();
  const dated = state.since || state.until;
  $("undated-count").textContent = found ? found.undated : 0;
  $("undated-choice").hidden = !found || !found.undated || !dated;
  $("undated").checked = state.undated;
  if (!found || !found.bins.length) {
    $("timeline-caption").textContent = found && found.undated ?
      `${found.undated} statements, none dated.` : "";
    return;
  }
  const bins = found.bins;
  const width = svg.clientWidth || 600;
  const height = 44;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("height", height);
  const most = Math.max(...bins.map((b) => b.alignment + b.opposition), 1);
  const step = width / bins.length;
  const ns = "http://www.w3.org/2000/svg";
  bins.forEach((b, i) => {
    const [first, last] = binDays(b.start, found.period);
    const chosen = (!state.since || last >= state.since) && (!state.until || first <= state.until);
    const group = document.createElementNS(ns, "g");
    group.setAttribute("class", `bin${dated && chosen ? " chosen" : ""}`);
    group.setAttribute("tabindex", "0");
    group.setAttribute("role", "button");
    const title = document.createElementNS(ns, "title");
    title.textContent = `${b.start}: ${b.alignment} aligned, ${b.opposition} opposed`;
    group.append(title);
    let top = height;
    for (const [kind, n] of [["alignment", b.alignment], ["opposition", b.opposition]]) {
      if (!n) continue;
      const h = Math.max(2, (n / most) * (height - 4));
      top -= h;
      const bar = document.createElementNS(ns, "rect");
      Object.entries({ x: i * step + 0.5, y: top, width: Math.max(step - 1, 1), height: h, class: kind })
        .forEach(([k, v]) => bar.setAttribute(k, v));
      group.append(bar);
    }
    const hit = document.createElementNS(ns, "rect");  // the whole column answers a click
    Object.entries({ x: i * step, y: 0, width: step, height, class: "hit" })
      .forEach(([k, v]) => hit.setAttribute(k, v));
    group.append(hit);
    const choose = (extend) => {
      if (extend && (state.since || state.until)) {
        state.since = state.since && state.since < first ? state.since : first;
        state.until = state.until && state.until > last ? state.until : last;
      } else {
        state.since = first;
        state.until = last;
      }
      navigate();
    };
    group.addEventListener("click", (event) => choose(event.shiftKey));
    group.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(event.shiftKey); }
    });
    svg.append(group);
  });
  const span = `${bins[0].start} to ${bins[bins.length - 1].start}`;
  const undated = found.undated ? `; ${found.undated} undated ${dated ? (state.undated ? "kept" : "left out") : "(not drawn)"}` : "";
  $("timeline-caption").textContent =
    `${found.dated} dated statements per ${found.period}, ${span}${undated}.`;
}

function binDays(start, period) {
  if (period === "year") return [`${start}-01-01`, `${start}-12-31`];
  const [y, m] = start.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();  // day 0 of the next month
  return [`${start}-01`, `${start}-${String(last).padStart(2, "0")}`];
}

// ------------------------------------------------------------------ evidence
function highlighted(sentence, mentions) {
  // Text nodes only, never HTML: sentences come from articles.
  const spans = [];
  for (const m of mentions) {
    if (!m) continue;
    let at = sentence.indexOf(m);
    while (at >= 0) {
      spans.push([at, at + m.length]);
      at = sentence.indexOf(m, at + m.length);
    }
  }
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const parts = [];
  let upto = 0;
  for (const [start, end] of spans) {
    if (start < upto) continue;
    parts.push(document.createTextNode(sentence.slice(upto, start)));
    const mark = document.createElement("mark");
    mark.textContent = sentence.slice(start, end);
    parts.push(mark);
    upto = end;
  }
  parts.push(document.createTextNode(sentence.slice(upto)));
  return parts;
}

function flag(text, kind) {
  const span = document.createElement("span");
  span.className = `flag ${kind}`;
  span.textContent = text;
  return span;
}

// One item per sentence: a sentence may carry several statements (both directions of an
// agreement, or two relations), listed above it.
function sentenceItem(group) {
  const s = group[0];
  const item = document.createElement("li");
  if (group.every((x) => !x.counted)) item.className = "not-counted";
  for (const x of group) {
    const head = document.createElement("span");
    head.className = "meta";
    head.textContent = `${x.subject.label} ${x.predicate} ${x.object.label}`;
    if (x.negated) head.prepend(flag("negated: not counted", "negated"));
    if (x.reported_by) head.prepend(flag(`reported by ${x.reported_by}`, "reported"));
    else if (x.modality === "reported") head.prepend(flag("reported", "reported"));
    head.append(" ", curationControls(x));
    item.append(head);
  }
  const text = document.createElement("q");
  text.append(...highlighted(s.sentence, [...new Set(group.flatMap((x) => x.mentions))]));
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.append(s.date ? `${s.date} · ` : "undated · ");
  const title = s.document.title || s.document.source || s.document.id;
  if (s.document.source && /^https?:\/\//i.test(s.document.source)) {
    const link = document.createElement("a");
    link.href = s.document.source;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    link.textContent = title;
    meta.append(link);
  } else {
    meta.append(title);
  }
  item.append(text, meta);
  return item;
}

// ------------------------------------------------------------------ curation
// An analyst with the server's write token marks a statement wrong (it leaves every
// answer) or confirmed, and takes a verdict back; the token is kept for this tab only.
function curationControls(x) {
  const box = document.createElement("span");
  box.className = "curation";
  const act = (text, run) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", run);
    return b;
  };
  if (x.curation) {
    const said = x.curation.verdict === "wrong" ? "marked wrong: not counted" : "confirmed";
    box.append(flag(`${said} (${x.curation.curator})`, x.curation.verdict),
      act("Undo", () => curate("DELETE", `/curation/${encodeURIComponent(x.curation.act)}`)));
  } else {
    box.append(act("Wrong", () => curate("POST", "/curation", { verdict: "wrong", target: x.statement })),
      act("Confirm", () => curate("POST", "/curation", { verdict: "confirmed", target: x.statement })));
  }
  return box;
}

async function curate(method, path, body = null) {
  const token = $("token").value.trim();
  const curator = $("curator").value.trim() || "analyst";
  sessionStorage.setItem("detente-curator", curator);
  if (!token) {
    $("curate").open = true;
    $("status").textContent = "Marking needs the server's write token: enter it under “Correct what is shown”.";
    $("token").focus();
    return;
  }
  sessionStorage.setItem("detente-token", token);
  const target = method === "DELETE" ? `${path}?${new URLSearchParams({ curator })}` : path;
  const answer = await ask(target, "The verdict could not be written.", {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify({ ...body, curator }) : null,
  });
  if (!answer.ok) {
    $("status").textContent = answer.problem;
    return;
  }
  // The view and the edge's sentences again, as every answer now reads them.
  const edge = cy.$("edge:selected").id();
  await load();
  if (edge && cy.getElementById(edge).nonempty()) await select(edge);
  $("status").textContent = method === "DELETE" ? "Verdict taken back." : `Marked ${answer.body.verdict}.`;
}

$("token").value = sessionStorage.getItem("detente-token") || "";
$("curator").value = sessionStorage.getItem("detente-curator") || "";

function bySentence(statements) {
  const groups = new Map();
  for (const s of statements) {
    const key = `${s.document.id}\u0000${s.sentence}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(s);
  }
  return [...groups.values()];
}

let explaining = 0;  // the latest edge asked about: a late answer for another is dropped

async function explain(edge) {
  const ticket = ++explaining;
  const panel = $("evidence");
  const e = edge.data();
  $("edge-title").textContent = `${label(e.source)} – ${label(e.target)}`;
  $("edge-summary").textContent = edgeText(e) + ": " +
    e.predicates.map((p) => `${p.predicate} ${p.count} (${label(p.subject)} → ${label(p.object)})`).join("; ");
  $("sentences").replaceChildren();
  $("edge-sparql").removeAttribute("href");
  $("actor").hidden = true;
  panel.hidden = false;
  $("status").textContent = "Reading the sentences…";
  const answer = await ask(`/view/evidence?${query({ a: e.source, b: e.target })}`,
    "The evidence could not be read.");
  if (ticket !== explaining) return;
  if (!answer.ok) {
    $("status").textContent = answer.problem;
    return;
  }
  const body = answer.body;
  $("edge-sparql").href = `/sparql?${new URLSearchParams({ query: body.sparql })}`;
  $("sentences").replaceChildren(...bySentence(body.statements).map(sentenceItem));
  const counted = body.statements.filter((s) => s.counted).length;
  $("status").textContent = `${counted} counted statement${counted === 1 ? "" : "s"} for ${label(e.source)} – ${label(e.target)}.`;
  $("edge-title").focus();
}

function select(id) {
  const edge = cy.getElementById(id);
  cy.elements().unselect();
  edge.select();
  if (state.edge !== id) {  // the selected edge is in the address: a link opens it
    state.edge = id;
    history.replaceState(null, "", address());
  }
  return explain(edge);
}

cy.on("tap", "edge", (event) => { tip.hidden = true; select(event.target.id()); });
cy.on("tap", "node", (event) => { tip.hidden = true; showActor(event.target.id()); });

// ------------------------------------------------------------------ an actor
// Clicking a node opens its profile: names for display, its people in office, partners
// by stance with their evidence, and ways to centre the view on it or hide it.
async function showActor(id) {
  const ticket = ++profiled;
  const answer = await ask(`/actors/${encodeURIComponent(id)}`, "The actor could not be read.");
  if (ticket !== profiled) return;
  if (!answer.ok) {
    $("status").textContent = answer.problem;
    return;
  }
  const body = answer.body;
  $("evidence").hidden = true;
  $("actor").hidden = false;
  $("actor").dataset.actor = body.id;
  $("actor-title").textContent = body.label;
  $("actor-kind").textContent = `${body.type} · ${body.statements} statement${body.statements === 1 ? "" : "s"} in the graph` +
    (body.wikidata ? " · " : "");
  if (body.wikidata) {
    const link = document.createElement("a");
    link.href = body.wikidata;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    link.textContent = "Wikidata";
    $("actor-kind").append(link);
  }
  const shown = body.aliases.filter((a) => a !== body.label).slice(0, 8);
  const more = body.names_known - shown.length;
  $("actor-names").textContent = shown.length ?
    `Also: ${shown.join(", ")}${more > 0 ? ` (and ${more} more names the extractor reads)` : ""}` : "";
  $("actor-leaders").textContent = body.leaders.length ? `In office: ${body.leaders.join(", ")}` : "";
  for (const [list, partners] of [["actor-allies", body.allies], ["actor-adversaries", body.adversaries]]) {
    $(list).replaceChildren(...partners.slice(0, 12).map((p) => {
      const item = document.createElement("li");
      item.textContent = `${p.label} — ${p.evidence_count} statement${p.evidence_count === 1 ? "" : "s"} (${p.predicates.join(", ")})`;
      return item;
    }));
    if (!partners.length) $(list).replaceChildren(Object.assign(document.createElement("li"), { textContent: "none in the graph" }));
  }
  $("status").textContent = `${body.label}: its names and partners.`;
  $("actor-title").focus();
}

$("actor-centre").addEventListener("click", () => {
  state.actor = $("actor").dataset.actor;
  state.theatre = null;
  state.edge = null;
  $("actor").hidden = true;
  navigate();
});
$("actor-hide").addEventListener("click", async () => {
  const id = $("actor").dataset.actor;
  $("actor").hidden = true;
  await curate("POST", "/curation", { verdict: "hidden", target: id });
});

// Hover: the pair's predicates and counts.
cy.on("mouseover", "edge", (event) => {
  const e = event.target.data();
  const list = document.createElement("ul");
  list.append(...e.predicates.map((p) => {
    const li = document.createElement("li");
    li.textContent = `${p.predicate} ${p.count}: ${label(p.subject)} → ${label(p.object)}`;
    return li;
  }));
  tip.replaceChildren(edgeText(e), list);
  tip.style.left = `${event.renderedPosition.x + 12}px`;
  tip.style.top = `${event.renderedPosition.y + 12}px`;
  tip.hidden = false;
});
cy.on("mouseout", "edge", () => { tip.hidden = true; });
cy.on("viewport", () => { tip.hidden = true; });

// ------------------------------------------------------------------ filters, export
$("filters").addEventListener("change", (event) => {
  const target = event.target;
  if (target.id === "since" || target.id === "until") state[target.id] = target.value || null;
  if (target.id === "polarity") state.polarity = target.value || null;
  if (target.id === "undated") state.undated = target.checked;
  if (target.id === "min_documents") state.min_documents = target.value === "1" ? null : target.value;
  if (target.id === "min_confidence") state.min_confidence = target.value === "0" ? null : target.value;
  if (target.name === "predicate") {
    state.predicate = [...document.querySelectorAll("#predicates input:checked")].map((i) => i.value);
  }
  navigate();
});
$("filters").addEventListener("submit", (event) => event.preventDefault());
$("all-dates").addEventListener("click", () => { state.since = null; state.until = null; navigate(); });

$("export-png").addEventListener("click", async () => {
  if (!cy.nodes().length) { $("status").textContent = "Nothing to export: the view is empty."; return; }
  // A briefing picture: the graph (within every browser's canvas limits, however far it
  // spreads) under a title and the view's filters and period, over the legend in words
  // and a line saying where the evidence is.
  const graph = await createImageBitmap(
    cy.png({ output: "blob", full: true, scale: 2, maxWidth: 3600, maxHeight: 3600, bg: "#ffffff" }));
  const width = Math.max(graph.width, 1400);
  const lines = briefingLines();
  const header = 150;
  const footer = 60 + 40 * lines.legend.length;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = header + graph.height + footer;
  const c = canvas.getContext("2d");
  c.fillStyle = "#ffffff";
  c.fillRect(0, 0, canvas.width, canvas.height);
  c.fillStyle = "#1d2430";
  c.font = "bold 44px sans-serif";
  c.fillText(lines.title, 40, 64);
  c.font = "28px sans-serif";
  c.fillStyle = "#5b6472";
  c.fillText(lines.filters, 40, 112);
  c.drawImage(graph, Math.round((width - graph.width) / 2), header);
  let y = header + graph.height + 40;
  for (const [colour, dash, text] of lines.legend) {
    c.strokeStyle = colour;
    c.lineWidth = 8;
    c.setLineDash(dash);
    c.beginPath();
    c.moveTo(40, y - 10);
    c.lineTo(110, y - 10);
    c.stroke();
    c.setLineDash([]);
    c.fillStyle = "#1d2430";
    c.fillText(text, 130, y);
    y += 40;
  }
  c.fillStyle = "#5b6472";
  c.fillText(lines.sources, 40, y + 10);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `detente-${$("export-png").dataset.name.replace(/[^A-Za-z0-9_-]+/g, "_")}.png`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});

function briefingLines() {
  const filters = [];
  if (state.since || state.until) filters.push(`${state.since || "…"} to ${state.until || "…"}${state.undated ? " (and undated)" : " (dated statements)"}`);
  else filters.push(view.dates.first ? `${view.dates.first} to ${view.dates.last}, and undated` : "all dates");
  if (state.polarity) filters.push(`${state.polarity} only`);
  if (state.predicate.length) filters.push(`relations: ${state.predicate.join(", ")}`);
  if (state.min_documents) filters.push(`pairs in ≥ ${state.min_documents} documents`);
  if (state.min_confidence) filters.push(`mean confidence ≥ ${state.min_confidence}`);
  const asOf = new Date().toISOString().slice(0, 10);
  const statements = view.edges.reduce((n, e) => n + e.evidence, 0);
  const legend = [
    [STANCE.alignment, [], "aligned: the pair's statements net to support"],
    [STANCE.opposition, [], "opposed: they net to hostility"],
    [STANCE.mixed, [], "mixed: they cancel out, or only mediation"],
  ];
  if (view.partitioned) legend.push(["#5b6472", [16, 10], "dashed: against the two blocs (node colours) of this theatre"]);
  return {
    title: $("heading").textContent,
    filters: `${filters.join(" · ")} · as of ${asOf}`,
    legend,
    sources: `Evidence: ${statements} statements on ${view.edges.length} pairs; every sentence, ` +
      `document title and URL in this view's CSV (${location.origin}/view/export?${viewQuery({ format: "csv" })}). detente.`,
  };
}

// ------------------------------------------------------------------ search
const input = $("query");
const listbox = $("suggestions");
let options = [];
let active = -1;
let pending = null;

function closeSuggestions() {
  listbox.hidden = true;
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  active = -1;
}

function showSuggestions(found) {
  options = found;
  active = -1;
  input.removeAttribute("aria-activedescendant");
  listbox.replaceChildren(...found.map((s, i) => {
    const li = document.createElement("li");
    li.id = `suggestion-${i}`;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.append(s.label);
    const kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = s.kind;
    li.append(kind);
    if (s.matched !== s.label && s.via !== "id") {
      const via = document.createElement("span");
      via.className = "via";
      via.textContent = `${s.matched} (${s.via})`;
      li.append(via);
    }
    li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(s); });
    return li;
  }));
  listbox.hidden = found.length === 0;
  input.setAttribute("aria-expanded", String(found.length > 0));
}

function highlight(index) {
  const items = listbox.querySelectorAll("li");
  items.forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
  active = index;
  if (index >= 0) input.setAttribute("aria-activedescendant", items[index].id);
}

async function suggestFor(text) {
  if (!text.trim()) return [];
  const response = await fetch(`/suggest?${new URLSearchParams({ q: text })}`);
  return response.ok ? response.json() : [];
}

function choose(s) {
  closeSuggestions();
  input.value = s.label;
  state.theatre = s.kind === "theatre" ? s.id : null;
  state.actor = s.kind === "actor" ? s.id : null;
  state.since = state.until = null;
  state.predicate = [];
  navigate();
}

input.addEventListener("input", () => {
  clearTimeout(pending);
  const text = input.value;
  pending = setTimeout(async () => {
    const found = await suggestFor(text);
    if (input.value !== text) return;  // typed on since: a later answer will come
    listbox.dataset.for = text;  // what the list suggests for: scripts wait on it
    showSuggestions(found);
  }, 120);
});

input.addEventListener("keydown", (event) => {
  if (listbox.hidden && event.key === "ArrowDown" && options.length) {
    event.preventDefault();
    showSuggestions(options);  // open the list again
    highlight(0);
    return;
  }
  if (listbox.hidden) return;
  if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, options.length - 1)); }
  else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
  else if (event.key === "Escape") { closeSuggestions(); }
});
input.addEventListener("blur", () => setTimeout(closeSuggestions, 100));

$("search").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!listbox.hidden && active >= 0) { choose(options[active]); return; }
  const text = input.value.trim();
  if (!text) return;
  const found = await suggestFor(text);
  if (found.length) choose(found[0]);
  else $("status").textContent = `Nothing called "${text}" in the graph.`;
});

// What a pointer at (x, y) in the window would point at in the graph: the id of the element
// cytoscape's own mouse handling finds there (the same hit test), or null.
function at(x, y) {
  const renderer = cy.renderer();
  const [modelX, modelY] = renderer.projectIntoViewport(x, y);
  const found = renderer.findNearestElement(modelX, modelY, true, false);
  return found ? found.id() : null;
}

// The page's graph state, for scripts and tests. #graph[data-state="ready"] once a view is
// laid out and fitted where it is shown; "loading" while the next one is asked for.
window.explorer = { cy, state, at, get view() { return view; }, get loads() { return loads; } };

fromAddress();
load();
