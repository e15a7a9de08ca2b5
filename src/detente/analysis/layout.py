"""Where to draw each actor of a view when detente itself places them: the thumbnails of
the landing page and the positions written into GraphML (the page lays its own graph out
in the browser, with fcose). Plain functions over a view's nodes and edges, returning
plain data."""

from __future__ import annotations

import math
import random

import networkx as nx

SEED = 20240601  # the page's seed: the same view is placed the same way
MAX_FORCE_LAYOUT = 500  # actors a view is laid out by forces for; more are set on a circle


def view_positions(
    nodes: list[dict], edges: list[dict], *, seed: int = SEED
) -> dict[str, tuple[float, float]]:
    """Positions in the unit square for a view's ``nodes`` (``id``, ``bloc``) joined by its
    ``edges`` (``source``, ``target``, ``evidence``): a force-directed layout
    (Fruchterman & Reingold 1991, networkx's ``spring_layout``) that starts each bloc on its
    own side (bloc 0 left, bloc 1 right, actors in neither between), pulls harder along
    better evidenced edges, and is seeded, so the same view is always drawn the same way.
    O(i n^2) for n actors and i (50) iterations, under :data:`MAX_FORCE_LAYOUT` actors; a
    larger view (up to 1,000 actors, 500 pairs) is set on a circle, blocs together, O(n)."""
    if not nodes:
        return {}
    rng = random.Random(seed)
    graph = nx.Graph()
    start = {}
    for node in sorted(nodes, key=lambda n: n["id"]):
        graph.add_node(node["id"])
        side = {0: -1.0, 1: 1.0}.get(node["bloc"], 0.0)
        start[node["id"]] = (side + rng.uniform(-0.3, 0.3), rng.uniform(-1.0, 1.0))
    for edge in edges:
        graph.add_edge(edge["source"], edge["target"], weight=math.log2(1 + edge["evidence"]))
    if len(graph) == 1:
        return {next(iter(graph)): (0.5, 0.5)}
    if len(graph) >= MAX_FORCE_LAYOUT:
        # networkx's sparse variant loops in Python over the actors (seconds at a thousand):
        # a view this large is drawn on a circle, blocs in arcs of their own, at once.
        bloc = {node["id"]: str(node["bloc"]) for node in nodes}
        placed = nx.circular_layout(sorted(graph, key=lambda n: (bloc[n], n)))
    else:
        placed = nx.spring_layout(graph, pos=start, seed=seed, weight="weight", iterations=50)
    xs = [float(p[0]) for p in placed.values()]
    ys = [float(p[1]) for p in placed.values()]
    width = (max(xs) - min(xs)) or 1.0
    height = (max(ys) - min(ys)) or 1.0
    return {
        actor: (
            round((float(x) - min(xs)) / width, 4),
            round((float(y) - min(ys)) / height, 4),
        )
        for actor, (x, y) in placed.items()
    }
