// The alliance graph of one theatre or actor, from the REST API (/relations).
"use strict";

const COLOURS = { alignment: "#2e7d32", opposition: "#c62828" };
const cy = cytoscape({
  container: document.getElementById("graph"),
  style: [
    { selector: "node", style: {
        "label": "data(label)", "font-size": 11, "text-valign": "bottom",
        "background-color": "#455a64", "width": "data(size)", "height": "data(size)" } },
    { selector: "edge", style: {
        "line-color": "data(colour)", "target-arrow-color": "data(colour)",
        "target-arrow-shape": "triangle", "curve-style": "bezier",
        "width": "data(width)", "label": "data(predicate)", "font-size": 9,
        "text-rotation": "autorotate", "color": "#5b6472" } },
    { selector: "edge:selected", style: { "line-style": "dashed", "width": 6 } },
  ],
});

const status = document.getElementById("status");
const title = document.getElementById("edge-title");
const sentences = document.getElementById("sentences");

function show(rows) {
  const sizes = new Map();
  for (const row of rows) {
    for (const end of [row.subject, row.object]) {
      sizes.set(end.id, (sizes.get(end.id) || 0) + row.evidence_count);
    }
  }
  const labels = new Map(rows.flatMap((r) => [[r.subject.id, r.subject.label], [r.object.id, r.object.label]]));
  const elements = [...sizes].map(([id, n]) => ({
    data: { id, label: labels.get(id), size: 18 + 6 * Math.sqrt(n) } }));
  rows.forEach((row, i) => elements.push({ data: {
    id: "e" + i, source: row.subject.id, target: row.object.id, predicate: row.predicate,
    colour: COLOURS[row.polarity], width: 1 + Math.log2(1 + row.evidence_count), row } }));
  cy.elements().remove();
  cy.add(elements);
  cy.layout({ name: "cose", animate: false }).run();
  cy.fit(undefined, 30);
}

function explain(row) {
  title.textContent = `${row.subject.label} ${row.predicate} ${row.object.label}` +
    ` (${row.evidence_count} statement${row.evidence_count === 1 ? "" : "s"})`;
  sentences.replaceChildren(...row.evidence.map((e) => {
    const item = document.createElement("li");
    item.textContent = e.sentence;  // text, never HTML: sentences come from articles
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = [e.date, e.document].filter(Boolean).join(" · ");
    item.append(meta);
    return item;
  }));
}

cy.on("tap", "edge", (event) => explain(event.target.data("row")));

document.getElementById("search").addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = document.getElementById("query").value.trim();
  const scope = document.getElementById("scope").value;
  const url = `/relations?${new URLSearchParams({ [scope]: value, limit: "300" })}`;
  status.textContent = "Loading…";
  title.textContent = "";
  sentences.replaceChildren();
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) {
    status.textContent = typeof body.detail === "string" ? body.detail : "Request failed.";
    cy.elements().remove();
    return;
  }
  status.textContent = body.length
    ? `${body.length} relation${body.length === 1 ? "" : "s"} for ${value}.`
    : `No relations found for ${value}.`;
  show(body);
});
