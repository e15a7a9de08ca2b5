// Briefing exports: the graph as drawn, as one SVG document under a title and the view's
// filters and period, over the legend in words and a sources line. The PNG is that SVG
// drawn on a canvas and the PDF that SVG converted by svg2pdf.js (vector, loaded only
// when a PDF is asked for): one picture, three formats. No library draws a Cytoscape
// graph as SVG under a licence detente can ship (cytoscape-svg is GPL), so the geometry
// is read from Cytoscape (node positions and sizes, edge end points and control points)
// and written here.
"use strict";

const briefing = (() => {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const INK = "#1d2430";
  const MUTED = "#5b6472";
  const DASH = { solid: null, dashed: "9 6", dotted: "2 5" };
  const MARGIN = 40;
  const ROW = 26;  // a legend row
  const CHAR = 7.2;  // the mean width of a 13-14 px sans-serif character, for wrapping

  function node(name, attributes = {}, text = null) {
    const made = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes)) {
      if (value !== null && value !== undefined) made.setAttribute(key, String(value));
    }
    if (text !== null) made.textContent = text;
    return made;
  }

  // Lines of at most `width` characters, broken at spaces.
  function wrap(text, width) {
    const lines = [];
    let line = "";
    for (const word of text.split(" ")) {
      if (line && line.length + 1 + word.length > width) { lines.push(line); line = word; }
      else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
    return lines;
  }

  // The edge's path as Cytoscape lays it out, and the points its two end marks point
  // along (the point before each end).
  function edgeGeometry(edge) {
    const s = edge.sourceEndpoint();
    const t = edge.targetEndpoint();
    const bends = edge.controlPoints() || [];
    if (bends.length === 1) {
      const c = bends[0];
      return { d: `M ${s.x} ${s.y} Q ${c.x} ${c.y} ${t.x} ${t.y}`, s, t, beforeS: c, beforeT: c };
    }
    const points = [s, ...bends, t];
    const d = points.map((p, i) => `${i ? "L" : "M"} ${p.x} ${p.y}`).join(" ");
    return { d, s, t, beforeS: points[1], beforeT: points[points.length - 2] };
  }

  // An end mark at `tip`, pointing from `from`: a triangle (backs) or a bar (against).
  function endMark(kind, tip, from, colour, width) {
    const length = Math.hypot(tip.x - from.x, tip.y - from.y) || 1;
    const ux = (tip.x - from.x) / length, uy = (tip.y - from.y) / length;
    const nx = -uy, ny = ux;
    const size = 6 + width;
    if (kind === "triangle") {
      const bx = tip.x - ux * size * 1.4, by = tip.y - uy * size * 1.4;
      const points = [[tip.x, tip.y], [bx + nx * size * 0.7, by + ny * size * 0.7],
        [bx - nx * size * 0.7, by - ny * size * 0.7]];
      return node("polygon", { points: points.map((p) => p.join(",")).join(" "), fill: colour });
    }
    if (kind === "tee") {
      const bx = tip.x - ux * 2, by = tip.y - uy * 2;
      return node("line", { x1: bx + nx * size, y1: by + ny * size, x2: bx - nx * size,
        y2: by - ny * size, stroke: colour, "stroke-width": Math.max(3, width * 0.8) });
    }
    return null;
  }

  function drawEdge(group, edge) {
    const colour = edge.data("colour");
    const width = edge.data("width");
    const dash = DASH[edge.data("line")];
    const shape = edgeGeometry(edge);
    const kind = edge.data("kind");
    const g = node("g", { class: `edge ${edge.data("stance")} ${kind}`,
      "data-source": edge.data("source"), "data-target": edge.data("target"),
      opacity: kind === "verbal" ? 0.55 : 0.9 });
    if (kind === "material") {
      g.append(node("path", { d: shape.d, fill: "none", stroke: INK, "stroke-width": width + 3,
        "stroke-dasharray": dash }));
    }
    g.append(node("path", { d: shape.d, fill: "none", stroke: colour, "stroke-width": width,
      "stroke-dasharray": dash }));
    const head = endMark(edge.data("arrow"), shape.t, shape.beforeT, colour, width);
    const tail = endMark(edge.data("tail"), shape.s, shape.beforeS, colour, width);
    for (const mark of [head, tail]) if (mark) g.append(mark);
    if (edge.hasClass("frustrated")) {
      const m = edge.midpoint();
      const r = 7;
      g.append(node("polygon", {
        points: `${m.x},${m.y - r} ${m.x + r},${m.y} ${m.x},${m.y + r} ${m.x - r},${m.y}`,
        fill: "#ffffff", stroke: INK, "stroke-width": 1.5 }));
    }
    group.append(g);
  }

  function drawNode(group, n) {
    const p = n.position();
    const size = n.width();
    const focus = n.hasClass("focus");
    const attributes = { fill: n.data("colour"), stroke: focus ? INK : "#ffffff",
      "stroke-width": focus ? 4 : 1 };
    const g = node("g", { class: "node", "data-id": n.id() });
    g.append(n.data("shape") === "round-rectangle"
      ? node("rect", { x: p.x - size / 2, y: p.y - size / 2, width: size, height: size,
        rx: size * 0.15, ...attributes })
      : node("circle", { cx: p.x, cy: p.y, r: size / 2, ...attributes }));
    const y = p.y + size / 2 + 16;
    // A white halo under the label keeps it legible across lines.
    g.append(node("text", { x: p.x, y, "text-anchor": "middle", "font-size": 12,
      fill: "#ffffff", stroke: "#ffffff", "stroke-width": 4 }, n.data("label")));
    g.append(node("text", { x: p.x, y, "text-anchor": "middle", "font-size": 12, fill: INK },
      n.data("label")));
    group.append(g);
  }

  // The briefing SVG of `cy` with `lines` ({title, filters, legend: [[colour, dash, text]],
  // sources}) around it.
  function svg(cy, lines) {
    const box = cy.elements().boundingBox({ includeLabels: true });
    const width = Math.ceil(Math.max(box.w + 2 * MARGIN, 960));
    const columns = Math.floor((width - 2 * MARGIN) / CHAR);
    const filters = wrap(lines.filters, columns);
    const sources = wrap(lines.sources, columns);
    const header = 60 + 20 * filters.length + 20;
    const graphHeight = Math.ceil(box.h);
    const height = header + graphHeight + 30 + ROW * lines.legend.length + 20 * sources.length + MARGIN;
    const root = node("svg", { xmlns: SVG_NS, width, height, viewBox: `0 0 ${width} ${height}`,
      "font-family": "Helvetica, Arial, sans-serif" });
    root.append(node("title", {}, lines.title));
    root.append(node("rect", { x: 0, y: 0, width, height, fill: "#ffffff" }));
    root.append(node("text", { x: MARGIN, y: 44, "font-size": 24, "font-weight": "bold",
      fill: INK, class: "title" }, lines.title));
    filters.forEach((line, i) => root.append(
      node("text", { x: MARGIN, y: 72 + 20 * i, "font-size": 14, fill: MUTED, class: "filters" }, line)));
    const left = (width - box.w) / 2;
    const graph = node("g", { class: "graph",
      transform: `translate(${left - box.x1} ${header - box.y1})` });
    cy.edges().forEach((edge) => drawEdge(graph, edge));
    cy.nodes().forEach((n) => drawNode(graph, n));
    root.append(graph);
    let y = header + graphHeight + 30;
    for (const [colour, dash, text] of lines.legend) {
      root.append(node("line", { x1: MARGIN, y1: y - 5, x2: MARGIN + 50, y2: y - 5,
        stroke: colour, "stroke-width": 4,
        "stroke-dasharray": dash.length ? dash.map((d) => d / 2).join(" ") : null }));
      root.append(node("text", { x: MARGIN + 62, y, "font-size": 14, fill: INK, class: "legend" }, text));
      y += ROW;
    }
    sources.forEach((line, i) => root.append(
      node("text", { x: MARGIN, y: y + 6 + 20 * i, "font-size": 13, fill: MUTED, class: "sources" }, line)));
    return root;
  }

  function text(root) {
    return new XMLSerializer().serializeToString(root);
  }

  // The SVG drawn on a canvas, twice the size where the browser's canvas limits allow.
  async function png(root) {
    const width = Number(root.getAttribute("width"));
    const height = Number(root.getAttribute("height"));
    const scale = Math.min(2, 16000 / width, 16000 / height);
    // A data: URL: the page's policy allows data: images, not blob: ones.
    const image = new Image();
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text(root))}`;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }

  const loaded = new Map();
  function load(src) {
    if (!loaded.has(src)) {
      loaded.set(src, new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = () => { loaded.delete(src); reject(new Error(`could not load ${src}`)); };
        document.head.append(script);
      }));
    }
    return loaded.get(src);
  }

  // The SVG as a one-page vector PDF of the same size (in points).
  async function pdf(root) {
    await load("/static/vendor/jspdf.js");
    await load("/static/vendor/svg2pdf.js");
    const width = Number(root.getAttribute("width"));
    const height = Number(root.getAttribute("height"));
    const doc = new window.jspdf.jsPDF({
      orientation: width > height ? "landscape" : "portrait", unit: "pt", format: [width, height],
    });
    doc.setProperties({ title: root.querySelector("title").textContent, creator: "detente" });
    // svg2pdf reads the element's layout: it is attached, out of sight, while it converts.
    const holder = document.createElement("div");
    holder.style.position = "absolute";
    holder.style.left = "-100000px";
    holder.append(root);
    document.body.append(holder);
    try {
      await doc.svg(root, { x: 0, y: 0, width, height });
    } finally {
      holder.remove();
    }
    return doc.output("blob");
  }

  function save(blob, name) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  // `node` serves the page's other SVG too (the timeline, the landing cards).
  return { svg, text, png, pdf, save, element: node };
})();
