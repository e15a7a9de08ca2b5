"""Static figures of alliances and stances (matplotlib), for notebooks and reports.

Every figure is drawn from the plain data of a ``*_data`` function (or of
:func:`detente.analysis.timeline.stance_series`), so the numbers behind a chart can be tabulated
and checked without reading pixels. matplotlib is an optional dependency:
``pip install 'detente[notebooks]'``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

import networkx as nx

from detente.analysis.multigraph import actor_pair, signed_graph, structural_balance
from detente.analysis.palette import BLOC_COLOURS, STANCE_COLOURS, STANCE_LINES
from detente.analysis.timeline import period_day
from detente.analysis.views import time_slice

if TYPE_CHECKING:
    from matplotlib.axes import Axes

ALIGNMENT_COLOUR = STANCE_COLOURS["alignment"]
OPPOSITION_COLOUR = STANCE_COLOURS["opposition"]
FRUSTRATED_HALO = "#c8ccd2"  # drawn under an edge that contradicts the blocs


def alliance_data(
    view: nx.MultiDiGraph, *, theatre: str | None = None, as_of: date | None = None
) -> dict:
    """The signed alliance graph of one theatre (or of everything) as plain data.

    * ``nodes``: id, label, type, ``evidence`` (statements the actor takes part in) and
      ``bloc`` (0 or 1, from :func:`~detente.analysis.multigraph.structural_balance`);
    * ``edges``: one per actor pair, ``sign`` (+1 aligned, -1 opposed, by the weighted vote
      of :func:`~detente.analysis.multigraph.signed_graph`), ``weight`` (the vote's size),
      ``statements`` and their ``evidence`` sentences, and ``frustrated`` (the edge
      contradicts the blocs);
    * ``balance`` (share of balanced triangles), ``triangles``, ``frustration``.

    ``as_of`` weighs statements by recency. O(statements + 2^n m) for n ≤ 16 actors (exact
    partition), see :func:`~detente.analysis.multigraph.structural_balance`.
    """
    scope = time_slice(view, theatre=theatre) if theatre else view
    signed = signed_graph(scope, as_of=as_of)
    balance = structural_balance(signed)
    bloc = {node: i for i, members in enumerate(balance["blocs"]) for node in members}
    frustrated = {actor_pair(f["source"], f["target"]) for f in balance["frustrated"]}
    involved: Counter[str] = Counter()
    sentences: dict[tuple[str, str], list[str]] = defaultdict(list)
    for u, v, data in scope.edges(data=True):
        if u == v:
            continue
        involved.update((u, v))
        sentences[actor_pair(u, v)].append(data["evidence"])
    nodes = [
        {
            "id": node,
            "label": signed.nodes[node].get("label", node),
            "type": signed.nodes[node].get("type"),
            "evidence": involved[node],
            "bloc": bloc[node],
        }
        for node in sorted(signed)
    ]
    edges = []
    for u, v, data in signed.edges(data=True):
        pair = actor_pair(u, v)
        edges.append(
            {
                "source": pair[0],
                "target": pair[1],
                "sign": data["sign"],
                "weight": round(data["weight"], 3),
                "statements": len(sentences[pair]),
                "evidence": list(dict.fromkeys(sentences[pair])),
                "frustrated": pair in frustrated,
            }
        )
    edges.sort(key=lambda e: (e["source"], e["target"]))
    return {
        "theatre": theatre,
        "nodes": nodes,
        "edges": edges,
        "balance": balance["balance"],
        "triangles": balance["triangles"],
        "frustration": balance["frustration"],
    }


def bloc_layout(data: dict, *, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions with bloc 0 on the left and bloc 1 on the right, each bloc laid out by a
    seeded spring layout of its own edges (Fruchterman & Reingold 1991), so the same data
    always gives the same picture."""
    pos: dict[str, tuple[float, float]] = {}
    for bloc, offset in ((0, -1.4), (1, 1.4)):
        members = [n["id"] for n in data["nodes"] if n["bloc"] == bloc]
        if not members:
            continue
        inner = nx.Graph()
        inner.add_nodes_from(members)
        inner.add_edges_from(
            (e["source"], e["target"])
            for e in data["edges"]
            if e["source"] in inner and e["target"] in inner
        )
        spread = nx.spring_layout(inner, seed=seed, scale=1.0) if len(members) > 1 else {}
        for node in members:
            x, y = spread.get(node, (0.0, 0.0))
            pos[node] = (offset + 0.9 * float(x), float(y))
    return pos


def node_size(evidence: int) -> float:
    """Marker area in points²: grows with the square root of the evidence, so one very
    visible actor does not swamp the rest."""
    return 250.0 + 420.0 * math.sqrt(evidence)


def draw_alliances(data: dict, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw :func:`alliance_data` in the explorer's palette (:mod:`detente.analysis.palette`):
    solid blue alignment and dashed vermillion opposition edges (width by statements, a grey
    halo under those that contradict the blocs), nodes coloured and shaped by bloc and sized
    by evidence (:func:`node_size`)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if ax is None:
        _, ax = plt.subplots(figsize=(11, 7))
    graph = nx.Graph()
    graph.add_nodes_from(n["id"] for n in data["nodes"])
    pos = bloc_layout(data)

    def width(edge: dict) -> float:
        return 1.2 + 1.3 * math.log2(1 + edge["statements"])

    frustrated = [e for e in data["edges"] if e["frustrated"]]
    if frustrated:
        nx.draw_networkx_edges(
            graph,
            pos,
            ax=ax,
            edgelist=[(e["source"], e["target"]) for e in frustrated],
            edge_color=FRUSTRATED_HALO,
            width=[width(e) + 6 for e in frustrated],
        )
    for stance, sign in (("alignment", 1), ("opposition", -1)):
        edges = [e for e in data["edges"] if e["sign"] == sign]
        if edges:
            nx.draw_networkx_edges(
                graph,
                pos,
                ax=ax,
                edgelist=[(e["source"], e["target"]) for e in edges],
                edge_color=STANCE_COLOURS[stance],
                width=[width(e) for e in edges],
                style=STANCE_LINES[stance],
            )
    for bloc, marker in enumerate("os"):
        nodes = [n for n in data["nodes"] if n["bloc"] == bloc]
        nx.draw_networkx_nodes(
            graph,
            pos,
            ax=ax,
            nodelist=[n["id"] for n in nodes],
            node_size=[node_size(n["evidence"]) for n in nodes],
            node_color=BLOC_COLOURS[bloc],
            node_shape=marker,
            alpha=0.9,
        )
    nodes = data["nodes"]
    nx.draw_networkx_labels(
        graph, pos, ax=ax, labels={n["id"]: n["label"] for n in nodes}, font_size=8
    )
    legend: list[Any] = [
        Line2D([], [], color=ALIGNMENT_COLOUR, lw=2, label="alignment"),
        Line2D([], [], color=OPPOSITION_COLOUR, lw=2, ls="--", label="opposition"),
        Line2D([], [], color=FRUSTRATED_HALO, lw=6, label="contradicts the blocs"),
    ]
    legend += [
        Line2D([], [], ls="", marker=m, ms=9, color=c, label=f"bloc {i + 1}")
        for i, (c, m) in enumerate(zip(BLOC_COLOURS, "os", strict=True))
    ]
    ax.legend(handles=legend, loc="lower center", ncol=5, frameon=False, fontsize=8)
    balance = "n/a" if data["balance"] is None else f"{data['balance']:.2f}"
    ax.set_title(
        title
        or f"{data['theatre'] or 'All theatres'}: balance {balance} over "
        f"{data['triangles']} triangles, {data['frustration']} edge(s) against the blocs"
    )
    ax.axis("off")
    ax.margins(0.12)
    return ax


def draw_stance(series: list[dict], *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw :func:`~detente.analysis.timeline.stance_series`: cooperation as green bars above
    the axis, conflict as red bars below it, the net score as a marker for each period with
    statements, on a time axis."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(11, 4))
    when = [period_day(r["period"]) for r in series]
    monthly = bool(series) and len(series[0]["period"]) == 7
    width = 25 if monthly else 300  # bar width in days
    ax.bar(
        when,  # type: ignore[arg-type]  # matplotlib plots dates
        [r["cooperation"] for r in series],
        width=width,
        color=ALIGNMENT_COLOUR,
        label="cooperation",
    )
    ax.bar(
        when,  # type: ignore[arg-type]  # matplotlib plots dates
        [-r["conflict"] for r in series],
        width=width,
        color=OPPOSITION_COLOUR,
        label="conflict",
    )
    # Net only where there were statements: an empty month is unknown, not neutral.
    stated = [(day, r["net"]) for day, r in zip(when, series, strict=True) if r["stance"]]
    ax.plot(
        [day for day, _ in stated],  # type: ignore[arg-type]  # matplotlib plots dates
        [net for _, net in stated],
        color="black",
        ls="none",
        marker="D",
        ms=4,
        label="net",
    )
    ax.axhline(0, color="grey", lw=0.6)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.set_ylabel("Goldstein score × confidence")
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    if title:
        ax.set_title(title)
    return ax
