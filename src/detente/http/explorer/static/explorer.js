// The explorer: the alliance map of a theatre or an actor, read from /view, with its
// filters in the address (deep links), one edge's evidence from /view/evidence, and
// exports. Everything it loads is served by detente itself: it works offline.
"use strict";

// The palette of every picture detente makes (detente/analysis/palette.py holds the same
// values; a test keeps them equal): Okabe-Ito colours, and no sign told by colour alone.
const STANCE = { alignment: "#0072b2", opposition: "#d55e00", mixed: "#7f7f7f" };
const LINE = { alignment: "solid", opposition: "dashed", mixed: "dotted" };
const BLOC = ["#009e73", "#cc79a7"];
const SHAPE = ["ellipse", "round-rectangle"];
const NO_BLOC = "#b8bdc5";
const SEED = 20240601;  // the same graph draws the same way
const $ = (id) => document.getElementById(id);
// "1 statement", "2 statements": every count the page writes.
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

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
        "shape": "data(shape)", "border-width": 1, "border-color": "#ffffff" } },
    { selector: "node.focus", style: { "border-width": 4, "border-color": "#1d2430" } },
    // Sign by line style and end marks as well as colour: aligned solid (an arrow when one
    // way), opposed dashed ending in a bar, mixed dotted. Deeds cased dark, words pale.
    { selector: "edge", style: {
        "line-color": "data(colour)", "line-style": "data(line)",
        "target-arrow-color": "data(colour)", "target-arrow-shape": "data(arrow)",
        "source-arrow-color": "data(colour)", "source-arrow-shape": "data(tail)",
        "arrow-scale": 0.9, "curve-style": "bezier", "width": "data(width)", "opacity": 0.9 } },
    { selector: "edge.material", style: { "line-outline-width": 1.5, "line-outline-color": "#1d2430" } },
    { selector: "edge.verbal", style: { "opacity": 0.55 } },
    { selector: "edge.frustrated", style: {
        "mid-target-arrow-shape": "diamond", "mid-target-arrow-fill": "hollow",
        "mid-target-arrow-color": "#1d2430", "mid-target-arrow-width": 1.5 } },
    { selector: "edge:selected", style: { "opacity": 1, "underlay-color": "#1a5fd0",
        "underlay-opacity": 0.25, "underlay-padding": 4 } },
  ],
});

const tip = $("tip");
const state = {
  theatre: null, actor: null, since: null, until: null, predicate: [], polarity: null,
  min_documents: null, min_confidence: null, edge: null, undated: false, limit: null,
  all: false,  // on landing: every theatre in one graph instead of one card per theatre
  expand: [],  // actors whose partners are drawn into the view as well
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
  state.all = params.get("all") === "1";
  state.expand = params.getAll("expand");
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
  if (state.all && !state.theatre && !state.actor) extra.all = "1";
  const params = query(extra);
  for (const actor of state.expand) params.append("expand", actor);
  const search = params.toString();
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
  fitView();
}

// The graph fitted in its box. A large graph fits at a small zoom: labels grow until they
// read at 11.5 px or more, and are kept apart again.
function fitView() {
  cy.fit(undefined, 40);
  for (let round = 0; round < 6 && cy.zoom() * parseFloat(cy.nodes().style("font-size")) < 11.5; round++) {
    cy.nodes().style("font-size", Math.min(11.5 / cy.zoom(), 60));
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
  cy.add(elementsOf(view.nodes, view.edges));
  if (cy.nodes().length) layout();
}

// Cytoscape's elements for a view's nodes and edges.
function elementsOf(nodes, edges) {
  const elements = nodes.map((n) => ({
    data: {
      id: n.id, label: n.label, evidence: n.evidence, bloc: n.bloc,
      colour: n.bloc === null ? NO_BLOC : BLOC[n.bloc],
      shape: n.bloc === null ? SHAPE[0] : SHAPE[n.bloc],
      size: Math.min(22 + 7 * Math.sqrt(n.evidence), 80),
    },
    classes: n.id === view.focus ? "focus" : "",
  }));
  for (const e of edges) {
    elements.push({
      data: {
        id: e.id, source: e.source, target: e.target, stance: e.stance, net: e.net,
        evidence: e.evidence, documents: e.documents, outlets: e.outlets,
        confidence: e.confidence, predicates: e.predicates, directed: e.directed,
        material: e.material, kind: e.kind,
        colour: STANCE[e.stance], line: LINE[e.stance], ...ends(e),
        width: 1.5 + 2 * Math.log2(1 + e.evidence),
      },
      classes: [e.kind, e.frustrated ? "frustrated" : ""].join(" ").trim(),
    });
  }
  return elements;
}

// The end marks of an edge: an arrow where one side backs the other, a bar (⊣) where it
// acts against it (at both ends when both do), none for a mixed pair.
function ends(e) {
  if (e.stance === "opposition") return { arrow: "tee", tail: e.directed ? "none" : "tee" };
  if (e.stance === "alignment" && e.directed) return { arrow: "triangle", tail: "none" };
  return { arrow: "none", tail: "none" };
}

function label(id) {
  return labels.get(id) ?? id;
}

function edgeText(e) {
  const net = (e.net > 0 ? "+" : "") + e.net.toFixed(1);
  const deeds = e.kind === "material" ? "mostly deeds" : "mostly words";
  return `${label(e.source)} – ${label(e.target)}: ${e.stance} (net ${net}, ${deeds}), ` +
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
    `balance ${view.balance.balance}: the share of the ${plural(triangles, "closed triangle")} ` +
    "that the two blocs explain (1: every friend of a friend is a friend)";
  const pairs = shown < view.pairs_total ? `${shown} of ${view.pairs_total} pairs (the most evidenced)` :
    `${plural(shown, "pair")}`;
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
  $("relations-chosen").textContent = state.predicate.length ? state.predicate.join(", ") : "all";
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
  if (!failed) {
    for (const found of await Promise.all(state.expand.map(expansion))) if (found) merge(found);
    if (ticket !== asked) return;
  }
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
  // The text drawn since the fit (the timeline, its caption) may have resized the box.
  const [width, height] = [cy.width(), cy.height()];
  cy.resize();
  if (cy.nodes().length && (cy.width() !== width || cy.height() !== height)) fitView();
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

// The landing view lists the theatres, most recent evidence first: where to look. In
// place of the graph it shows one card per theatre with its small graph, until every
// theatre in one graph is asked for.
async function listTheatres(ticket) {
  const section = $("theatres");
  const landing = !state.theatre && !state.actor;
  const cards = landing && !state.all;
  document.querySelector(".map").classList.toggle("landing", cards);
  $("overview").hidden = !cards;
  if (!landing) { section.hidden = true; return; }
  const [answer, overview] = await Promise.all([
    ask("/theatres?limit=15", ""),
    cards ? ask(`/view/theatres?limit=${CARDS}`, "") : Promise.resolve(null),
  ]);
  if (ticket !== asked) return;
  if (cards) showCards(overview.ok ? overview.body : []);
  const found = answer.ok ? answer.body : [];
  section.hidden = !found.length || cards;  // the cards list them already
  $("theatre-list").replaceChildren(...found.map((t) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    const last = t.last_date ? `, latest ${t.last_date}` : "";
    button.textContent = `${t.theatre}: ${plural(t.statements, "statement")} in ` +
      `${plural(t.documents, "document")}, ${plural(t.actors, "actor")}${last}`;
    button.addEventListener("click", () => openTheatre(t.theatre));
    item.append(button);
    return item;
  }));
}

const CARDS = 12;  // theatres on the landing page, each with its small graph
const CARD = { width: 300, height: 170, pad: 22 };

function openTheatre(name) {
  state.theatre = name;
  state.limit = null;
  state.edge = null;
  state.all = false;
  navigate();
}

function showCards(found) {
  $("theatre-cards").replaceChildren(...found.map((t) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = t.theatre;
    const meta = document.createElement("span");
    meta.className = "meta";
    const last = t.last_date ? `, latest ${t.last_date}` : "";
    const shown = t.edges.length < t.pairs_total ? ` (the ${t.edges.length} most evidenced of ${t.pairs_total} pairs)` : "";
    meta.textContent = `${plural(t.statements, "statement")} in ${plural(t.documents, "document")}${last}${shown}`;
    button.append(name, thumbnail(t), meta);
    button.setAttribute("aria-label", `${t.theatre}: ${meta.textContent}`);
    button.addEventListener("click", () => openTheatre(t.theatre));
    item.append(button);
    return item;
  }));
}

// A theatre's small graph as SVG, drawn as the big one is: colour, line style and end
// marks by stance, dark casing for deeds, bloc by colour and shape. Labels (11 px) for the
// best evidenced actors first, each left out where it would overlap one already placed.
function thumbnail(t) {
  const make = briefing.element;
  const svg = make("svg", { viewBox: `0 0 ${CARD.width} ${CARD.height}`, role: "img",
    "aria-label": `${t.theatre}: ${t.nodes.length} actors, ${t.edges.length} pairs` });
  const at = new Map(t.nodes.map((n) => [n.id, { ...n,
    x: CARD.pad + n.x * (CARD.width - 2 * CARD.pad),
    y: CARD.pad * 0.6 + n.y * (CARD.height - 2 * CARD.pad) }]));
  const dash = { solid: "", dashed: "6 4", dotted: "2 3" };
  const evidence = new Map();
  for (const e of t.edges) {
    const [a, b] = [at.get(e.source), at.get(e.target)];
    for (const end of [e.source, e.target]) evidence.set(end, (evidence.get(end) || 0) + e.evidence);
    const width = 1.2 + Math.log2(1 + e.evidence);
    if (e.kind === "material") {
      svg.append(make("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: "#1d2430",
        "stroke-width": width + 2, "stroke-dasharray": dash[LINE[e.stance]] }));
    }
    svg.append(make("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: STANCE[e.stance],
      "stroke-width": width, "stroke-dasharray": dash[LINE[e.stance]],
      opacity: e.kind === "verbal" ? 0.55 : 0.95 }));
  }
  const placed = [];
  const ranked = [...at.values()].sort((m, n) => (evidence.get(n.id) || 0) - (evidence.get(m.id) || 0));
  for (const n of ranked) {
    const fill = n.bloc === null ? NO_BLOC : BLOC[n.bloc];
    svg.append(n.bloc === 1
      ? make("rect", { x: n.x - 6, y: n.y - 6, width: 12, height: 12, rx: 2, fill, stroke: "#fff" })
      : make("circle", { cx: n.x, cy: n.y, r: 6.5, fill, stroke: "#fff" }));
    svg.lastChild.append(make("title", {}, n.label));
    const text = n.label.length > 22 ? `${n.label.slice(0, 21)}…` : n.label;
    const width = text.length * 6.2;
    // Under its node, moved in from the card's edges.
    const x = Math.min(Math.max(n.x, width / 2 + 2), CARD.width - width / 2 - 2);
    const box = { x1: x - width / 2, x2: x + width / 2, y1: n.y + 8, y2: n.y + 21 };
    if (box.y2 > CARD.height || placed.some((p) => p.x1 < box.x2 && box.x1 < p.x2 && p.y1 < box.y2 && box.y1 < p.y2)) continue;
    placed.push(box);
    svg.append(make("text", { x, y: n.y + 18, "text-anchor": "middle" }, text));
  }
  return svg;
}

$("show-all").addEventListener("click", () => { state.all = true; navigate(); });

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
  const make = briefing.element;
  bins.forEach((b, i) => {
    const [first, last] = binDays(b.start, found.period);
    const chosen = (!state.since || last >= state.since) && (!state.until || first <= state.until);
    const group = make("g", { class: `bin${dated && chosen ? " chosen" : ""}`, tabindex: 0, role: "button" });
    group.append(make("title", {}, `${b.start}: ${b.alignment} aligned, ${b.opposition} opposed`));
    let top = height;
    for (const [kind, n] of [["alignment", b.alignment], ["opposition", b.opposition]]) {
      if (!n) continue;
      const h = Math.max(2, (n / most) * (height - 4));
      top -= h;
      group.append(make("rect", { x: i * step + 0.5, y: top, width: Math.max(step - 1, 1), height: h, class: kind }));
    }
    group.append(make("rect", { x: i * step, y: 0, width: step, height, class: "hit" }));  // the whole column answers a click
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
    head.append(" ", statementNotes(x));
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
  $("status").textContent = `${plural(counted, "counted statement")} for ${label(e.source)} – ${label(e.target)}.`;
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
  const country = body.country && body.country.id !== body.id ? ` of ${body.country.label}` : "";
  $("actor-kind").textContent = `${body.type}${country} · ${plural(body.statements, "statement")} in the graph` +
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
  showRoles(body.roles || []);
  showOverTime(body.over_time);
  for (const [list, partners] of [["actor-allies", body.allies], ["actor-adversaries", body.adversaries]]) {
    $(list).replaceChildren(...partners.slice(0, 12).map((p) => {
      const item = document.createElement("li");
      item.textContent = `${p.label} — ${plural(p.evidence_count, "statement")} (${p.predicates.join(", ")})`;
      return item;
    }));
    if (!partners.length) $(list).replaceChildren(Object.assign(document.createElement("li"), { textContent: "none in the graph" }));
  }
  $("status").textContent = `${body.label}: its names and partners.`;
  showActorCuration(body.id);
  $("actor-title").focus();
}

const ROLES_SHOWN = 8;

// Roles with dates: who stood for the actor and when (in office first), or, for a
// person, what it stood for.
function showRoles(roles) {
  const when = (r) => `${r.since ? r.since.slice(0, 4) : "…"}–${r.until ? r.until.slice(0, 4) : "now"}`;
  $("actor-roles").replaceChildren(...roles.slice(0, ROLES_SHOWN).map((r) => {
    const item = document.createElement("li");
    item.textContent = r.person ? `${r.person}, ${when(r)}` : `for ${r.for.label}, ${when(r)}`;
    return item;
  }));
  const more = roles.length - ROLES_SHOWN;
  $("actor-roles-more").textContent = more > 0 ? `and ${more} more in the gazetteer` : "";
  $("actor-roles-title").hidden = !roles.length;
}

// Partners by stance, year by year (the latest first): how alignments shifted.
function showOverTime(found) {
  const periods = found ? [...found.periods].reverse() : [];
  const names = (partners) => partners.slice(0, 6).map((p) => p.label).join(", ") || "none";
  $("actor-over-time").replaceChildren(...periods.map((p) => {
    const row = document.createElement("tr");
    const year = document.createElement("th");
    year.scope = "row";
    year.textContent = p.period;
    const allies = document.createElement("td");
    allies.textContent = names(p.allies);
    const adversaries = document.createElement("td");
    adversaries.textContent = names(p.adversaries);
    row.append(year, allies, adversaries);
    return row;
  }));
  $("actor-over-time-block").hidden = !periods.length;
  $("actor-undated").textContent = found && found.undated ?
    `${found.undated} of its statements have no date and are in no year.` : "";
}

// ------------------------------------------------------------------ expanding a node
// "Add its partners to this graph" draws an actor's partners (and the pairs among them,
// across theatres, under the view's other filters) into the graph shown, around the actor,
// without laying the rest out again. The address keeps the actors expanded (&expand=),
// so a link draws them too.
const EXPAND_PAIRS = 20;

async function expansion(actor) {
  const params = query();
  params.delete("theatre");
  params.set("actor", actor);
  params.set("limit", String(EXPAND_PAIRS));
  const answer = await ask(`/view?${params}`, "");
  return answer.ok ? answer.body : null;
}

// Adds to the view what `found` has and it lacks (partners drawn without a bloc: the
// blocs are the view's own); returns what it added.
function merge(found) {
  const pair = (e) => [e.source, e.target].sort().join("|");
  const nodes = new Set(view.nodes.map((n) => n.id));
  const pairs = new Set(view.edges.map(pair));
  const added = {
    nodes: found.nodes.filter((n) => !nodes.has(n.id)).map((n) => ({ ...n, bloc: null })),
    edges: found.edges.filter((e) => !pairs.has(pair(e))).map((e) => ({ ...e, frustrated: false })),
  };
  view.nodes.push(...added.nodes);
  view.edges.push(...added.edges);
  for (const n of added.nodes) labels.set(n.id, n.label);
  return added;
}

async function expand(actor) {
  const found = await expansion(actor);
  if (!found) { $("status").textContent = "The actor's partners could not be read."; return; }
  if (!state.expand.includes(actor)) state.expand.push(actor);
  history.pushState(null, "", address());
  const added = merge(found);
  const centre = cy.getElementById(actor).position();
  cy.add(elementsOf(added.nodes, added.edges));
  added.nodes.forEach((n, i) => {
    const angle = (2 * Math.PI * i) / added.nodes.length;
    cy.getElementById(n.id).position({ x: centre.x + 180 * Math.cos(angle), y: centre.y + 180 * Math.sin(angle) });
  });
  separate();
  fitView();
  listPairs();
  describe();
  $("status").textContent = `${label(actor)}: ${plural(added.nodes.length, "partner")} and ` +
    `${plural(added.edges.length, "pair")} added to the graph.`;
}

$("actor-expand").addEventListener("click", () => expand($("actor").dataset.actor));

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

// ------------------------------------------------------------------ merges and notes
// An analyst with the write token merges the actor shown into another (one actor written
// two ways: its statements become the other's) or attaches a note to it or to a
// statement; the profile lists the actors it absorbed and its notes, each with Undo.
async function showActorCuration(id) {
  const answer = await ask(`/actors/${encodeURIComponent(id)}/curation`,
    "What analysts said of the actor could not be read.");
  if (!answer.ok || $("actor").dataset.actor !== answer.body.id) return;
  const body = answer.body;
  $("actor-absorbed").textContent = body.absorbed.length ? "Absorbed: " + body.absorbed.map((a) => {
    const names = a.names.filter((n) => n !== a.label).slice(0, 4);
    return names.length ? `${a.label} (${names.join(", ")})` : a.label;
  }).join("; ") : "";
  $("actor-notes").replaceChildren(...body.notes.map((note) => noteItem(note, "li", curateActor)));
}

function noteItem(note, tag, run) {
  const item = document.createElement(tag);
  item.className = "note";
  item.append(flag("note", "note"), `${note.text} (${note.curator}, ${note.at.slice(0, 10)}) `);
  const undo = document.createElement("button");
  undo.type = "button";
  undo.textContent = "Undo";
  undo.addEventListener("click", () => run("DELETE", `/curation/${encodeURIComponent(note.act)}`));
  item.append(undo);
  return item;
}

// An act on the actor shown, then its profile again: a merged actor's id leads to the
// actor it became. The status says how the act went.
async function curateActor(method, path, body = null) {
  const id = $("actor").dataset.actor;
  await curate(method, path, body);
  const said = $("status").textContent;
  if (!$("token").value.trim()) return;  // nothing was written: the page asks for the token
  await showActor(id);
  $("status").textContent = said;
}

$("actor-merge").addEventListener("click", () => {
  const into = $("actor-merge-into").value.trim();
  if (!into) { $("actor-merge-into").focus(); return; }
  $("actor-merge-into").value = "";
  curateActor("POST", "/curation", { verdict: "merged", target: $("actor").dataset.actor, into });
});
$("actor-merge-into").addEventListener("input", async () => {
  const typed = $("actor-merge-into").value.trim();
  if (typed.length < 2) return;
  const answer = await ask(`/suggest?${new URLSearchParams({ q: typed, limit: 8 })}`, "");
  if (!answer.ok || typed !== $("actor-merge-into").value.trim()) return;
  $("actor-merge-options").replaceChildren(...answer.body.filter((s) => s.kind === "actor"
    && s.id !== $("actor").dataset.actor).map((s) => Object.assign(document.createElement("option"),
    { value: s.id, label: s.label })));
});
$("actor-note").addEventListener("click", () => {
  const why = $("actor-note-text").value.trim();
  if (!why) { $("actor-note-text").focus(); return; }
  $("actor-note-text").value = "";
  curateActor("POST", "/curation", { verdict: "noted", target: $("actor").dataset.actor, why });
});

// A statement's notes, and a Note button that asks for one in place.
function statementNotes(x) {
  const box = document.createElement("span");
  box.className = "curation";
  box.append(...(x.notes || []).map((note) => noteItem(note, "span", curate)));
  const add = document.createElement("button");
  add.type = "button";
  add.textContent = "Note";
  add.addEventListener("click", () => {
    const input = Object.assign(document.createElement("input"),
      { type: "text", maxLength: 2000, className: "note-text" });
    input.setAttribute("aria-label", "Note on this statement");
    const save = document.createElement("button");
    save.type = "button";
    save.textContent = "Add note";
    save.addEventListener("click", () => {
      const why = input.value.trim();
      if (why) curate("POST", "/curation", { verdict: "noted", target: x.statement, why });
    });
    add.replaceWith(input, save);
    input.focus();
  });
  box.append(add);
  return box;
}

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

// Briefing exports: one SVG of the graph as drawn, with its title, filters, legend and
// sources (briefing.js), saved as SVG, as PNG or as a vector PDF.
for (const format of ["png", "svg", "pdf"]) {
  $(`export-${format}`).addEventListener("click", async () => {
    if (!cy.nodes().length) { $("status").textContent = "Nothing to export: the view is empty."; return; }
    const picture = briefing.svg(cy, briefingLines());
    const made = format === "svg"
      ? new Blob([briefing.text(picture)], { type: "image/svg+xml" })
      : format === "png" ? await briefing.png(picture) : await briefing.pdf(picture);
    const name = $("export-png").dataset.name.replace(/[^A-Za-z0-9_-]+/g, "_");
    briefing.save(made, `detente-${name}.${format}`);
  });
}

function briefingLines() {
  const filters = [];
  if (state.since || state.until) filters.push(`${state.since || "…"} to ${state.until || "…"}${state.undated ? " (and undated)" : " (dated statements)"}`);
  else filters.push(view.dates.first ? `${view.dates.first} to ${view.dates.last}, and undated` : "all dates");
  if (state.polarity) filters.push(`${state.polarity} only`);
  if (state.predicate.length) filters.push(`relations: ${state.predicate.join(", ")}`);
  if (state.min_documents) filters.push(`pairs in at least ${state.min_documents} documents`);
  if (state.min_confidence) filters.push(`mean confidence at least ${state.min_confidence}`);
  const asOf = new Date().toISOString().slice(0, 10);
  const statements = view.edges.reduce((n, e) => n + e.evidence, 0);
  // In Latin-1 words only: a PDF's standard fonts have no arrows or geometric signs.
  const legend = [
    [STANCE.alignment, [], "solid: aligned, the pair's statements net to support (an arrow: one backs the other)"],
    [STANCE.opposition, [16, 10], "dashed: opposed, they net to hostility (a bar at the end: against whom)"],
    [STANCE.mixed, [4, 8], "dotted: mixed, they cancel out, or only mediation"],
    ["#1d2430", [], "dark-cased: mostly deeds (aid, sanctions, fighting); pale: mostly words, which weigh half"],
  ];
  if (view.partitioned) legend.push([BLOC[0], [], "circles and squares: the two blocs of this theatre; a hollow diamond on a line: a pair against them"]);
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
