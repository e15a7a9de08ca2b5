"""An interactive alliance graph (pyvis / vis-network) that works offline.

pyvis inlines vis-network into the page (``cdn_resources="in_line"``); its template also
links Bootstrap from a CDN for cosmetics only, which is removed so the page makes no request
off the machine. pyvis is an optional dependency: ``pip install 'detente[notebooks]'``.
"""

from __future__ import annotations

import html
import re

from detente.analysis.figures import (
    ALIGNMENT_COLOUR,
    OPPOSITION_COLOUR,
    bloc_layout,
    node_size,
)
from detente.analysis.palette import BLOC_COLOURS

# <link …bootstrap…> and <script …bootstrap…></script> in pyvis' template.
_REMOTE = re.compile(
    r"<link[^>]*https?://[^>]*>|<script[^>]*\bsrc=\"https?://[^>]*>\s*</script>", re.S
)
_SHOWN_SENTENCES = 3  # per edge tooltip; the rest are counted


def alliance_page(data: dict, *, height: str = "620px") -> str:
    """A self-contained HTML page of :func:`~detente.analysis.figures.alliance_data`: drag,
    zoom, hover an edge for its sentences. Same colours and layout as the static figure."""
    from pyvis.network import Network

    net = Network(height=height, width="100%", cdn_resources="in_line", directed=False)
    net.toggle_physics(False)  # keep the bloc layout of the static figure
    pos = bloc_layout(data)
    for node in data["nodes"]:
        x, y = pos[node["id"]]
        net.add_node(
            node["id"],
            label=node["label"],
            title=f"{node['label']}\nbloc {node['bloc'] + 1}, {node['evidence']} statement(s)",
            color=BLOC_COLOURS[node["bloc"]],
            shape=("dot", "square")[node["bloc"]],  # the blocs differ by shape too
            size=8 + node_size(node["evidence"]) ** 0.5,
            x=x * 320,
            y=-y * 320,
        )
    for edge in data["edges"]:
        shown = edge["evidence"][:_SHOWN_SENTENCES]
        more = len(edge["evidence"]) - len(shown)
        net.add_edge(
            edge["source"],
            edge["target"],
            color=ALIGNMENT_COLOUR if edge["sign"] > 0 else OPPOSITION_COLOUR,
            width=1 + edge["statements"],
            dashes=edge["sign"] < 0,  # opposition dashed, as in every picture detente makes
            title="\n".join(shown + ([f"… and {more} more"] if more else [])),
        )
    return _REMOTE.sub("", net.generate_html())


def embed(page: str, *, height: int = 640) -> str:
    """The page inside an ``<iframe srcdoc>``: notebooks (classic, Lab, VS Code) run its
    scripts in isolation from their own, and the output stays one HTML cell."""
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" width="100%" height="{height}" '
        'style="border:1px solid #ddd"></iframe>'
    )
