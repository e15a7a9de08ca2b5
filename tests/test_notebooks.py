"""The notebooks run top to bottom in a fresh Jupyter kernel, and the numbers behind each
chart are checked: on the data a figure was drawn from and on the figure's own artists, so a
broken chart fails. A probe cell appended to each notebook reads the kernel's state."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from detente.analysis.figures import (
    ALIGNMENT_COLOUR,
    FRUSTRATED_HALO,
    OPPOSITION_COLOUR,
    node_size,
)
from tests.paths import CHROMIUM, NOTEBOOKS

# Starts processes, servers or a cluster: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow


# Reads a figure back: per edge collection its colours and whether it is dashed; per node
# collection the marker areas; per bar container the bar heights.
FIGURE_READER = """
import json
import matplotlib.colors as _mc
from matplotlib.collections import LineCollection as _Lines, PathCollection as _Points


def _read(figure):
    ax = figure.axes[0]
    lines = [
        {
            "colours": [_mc.to_hex(c) for c in coll.get_colors()][: len(coll.get_segments())]
            if len(coll.get_colors()) > 1
            else [_mc.to_hex(coll.get_colors()[0])] * len(coll.get_segments()),
            "dashed": any(dashes is not None for _, dashes in coll.get_linestyles()),
        }
        for coll in ax.collections
        if isinstance(coll, _Lines)
    ]
    points = [list(map(float, c.get_sizes())) for c in ax.collections if isinstance(c, _Points)]
    bars = [[float(p.get_height()) for p in box] for box in ax.containers]
    return {"lines": lines, "points": points, "bars": bars}
"""


def execute(name: str, probe: str, figures: Path, monkeypatch) -> dict:
    """Run the notebook in a new kernel, then ``probe`` in the same kernel; its JSON."""
    monkeypatch.setenv("DETENTE_FIGURES", str(figures))
    monkeypatch.delenv("DETENTE_ENDPOINT", raising=False)
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(FIGURE_READER + probe))
    client = NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    errors = [
        o for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"
    ]
    assert errors == []
    printed = "".join(
        o.text
        for o in notebook.cells[-1].outputs
        if o.output_type == "stream" and o.name == "stdout"
    )
    return json.loads(printed)


def test_committed_notebooks_carry_no_outputs() -> None:
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert len(names) >= 3
    for name in names:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, name


def test_libya_signed_graph(tmp_path: Path, monkeypatch) -> None:
    probe = """
print(json.dumps({
    "libya": libya,
    "backing": backing.to_dict("records"),
    "figure": _read(fig),
    "page": page,
    "saved": sorted(p.name for p in FIGURES.iterdir()),
}))
"""
    state = execute("01-libya-alliances.ipynb", probe, tmp_path, monkeypatch)
    libya = state["libya"]
    bloc = {n["id"]: n["bloc"] for n in libya["nodes"]}
    # The war's two camps, whatever else the corpus adds.
    assert bloc["TUR"] == bloc["LBY-GNA"] == bloc["QAT"]
    assert bloc["LNA"] == bloc["ARE"] == bloc["EGY"]
    assert bloc["LBY-GNA"] != bloc["LNA"]
    sign = {(e["source"], e["target"]): e["sign"] for e in libya["edges"]}
    assert sign[("LBY-GNA", "LNA")] == -1
    assert sign[("LBY-GNA", "TUR")] == 1
    assert libya["frustration"] == sum(e["frustrated"] for e in libya["edges"])
    assert any(
        (r["backer"], r["relation"], r["backed"])
        == ("Turkey", "aids", "Government of National Accord")
        for r in state["backing"]
    )

    # The chart shows exactly that data: one line per edge in its sign's colour, solid for
    # alignment and dashed for opposition (legible without colour), a halo under each edge
    # that contradicts the blocs; one marker per actor, sized by evidence.
    figure = state["figure"]
    halos = [c for line in figure["lines"] for c in line["colours"] if c == FRUSTRATED_HALO]
    assert len(halos) == sum(e["frustrated"] for e in libya["edges"])
    drawn = sorted(
        (c, line["dashed"])
        for line in figure["lines"]
        for c in line["colours"]
        if c != FRUSTRATED_HALO
    )
    expected = sorted(
        (ALIGNMENT_COLOUR, False) if e["sign"] > 0 else (OPPOSITION_COLOUR, True)
        for e in libya["edges"]
    )
    assert drawn == expected
    sizes = sorted(s for points in figure["points"] for s in points)
    assert sizes == pytest.approx(sorted(node_size(n["evidence"]) for n in libya["nodes"]))
    assert {"libya-alliances.png", "libya-alliances.html"} <= set(state["saved"])

    # The interactive page carries its library inline and asks nothing of the network.
    page = state["page"]
    assert "new vis.Network" in page
    assert 'src="http' not in page and 'href="http' not in page
    for node in libya["nodes"]:
        assert json.dumps(node["label"]) in page


def test_russia_turkey_stance(tmp_path: Path, monkeypatch) -> None:
    probe = """
print(json.dumps({
    "monthly": monthly,
    "yearly": yearly,
    "monthly_figure": _read(monthly_figure),
    "yearly_figure": _read(yearly_figure),
    "months": months.reset_index().to_dict("records"),
}))
"""
    state = execute("02-russia-turkey-over-time.ipynb", probe, tmp_path, monkeypatch)
    monthly = {r["period"]: r for r in state["monthly"]}
    # Shot-down bomber and sanctions, then reconciliation: the swing the notebook is about.
    assert monthly["2015-11"]["stance"] == "conflict"
    assert monthly["2015-12"]["stance"] == "conflict"
    assert monthly["2016-07"]["stance"] == "cooperation"
    assert monthly["2020-03"]["stance"] == "cooperation"
    periods = [r["period"] for r in state["monthly"]]
    assert periods == sorted(periods) and len(periods) == len(set(periods))
    for row in state["monthly"]:
        assert row["net"] == pytest.approx(row["cooperation"] - row["conflict"], abs=1e-3)
        assert (row["stance"] is None) == (not row["statements"])
    yearly = {r["period"]: r for r in state["yearly"]}
    assert yearly["2015"]["stance"] == "conflict" and yearly["2016"]["stance"] == "cooperation"

    # Bars: cooperation up, conflict down, one pair per period, heights = the table.
    for series in ("monthly", "yearly"):
        cooperation, conflict = state[f"{series}_figure"]["bars"]
        assert cooperation == pytest.approx([r["cooperation"] for r in state[series]])
        assert conflict == pytest.approx([-r["conflict"] for r in state[series]])
    assert len(state["months"]) == len(state["monthly"])


def test_sparql_over_http_and_in_process(tmp_path: Path, monkeypatch) -> None:
    probe = """
print(json.dumps({
    "http": over_http.to_dict("records"),
    "wrapper": with_wrapper.to_dict("records"),
    "local": in_process.to_dict("records"),
    "rest": rest.to_dict("records"),
    "same": bool(same),
    "stopped": not server._thread.is_alive(),
}))
"""
    state = execute("03-sparql-to-pandas.ipynb", probe, tmp_path, monkeypatch)
    assert state["same"] and state["http"] == state["local"] == state["wrapper"]
    rows = {(r["backer"], r["backed"]): r["statements"] for r in state["local"]}
    assert rows[("Turkey", "Government of National Accord")] >= 2
    assert rows[("Egypt", "Libyan National Army (Haftar)")] >= 1
    assert all(isinstance(n, int) for n in rows.values())
    # The REST rows are per relation; summed per pair they give the SPARQL counts.
    summed: dict[tuple[str, str], int] = {}
    for r in state["rest"]:
        key = (r["backer"], r["backed"])
        summed[key] = summed.get(key, 0) + r["statements"]
    assert summed == rows
    assert state["stopped"]


def test_interactive_page_draws_offline(tmp_path: Path) -> None:
    """The pyvis page renders in Chromium with every network request refused."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from detente.analysis.interactive import alliance_page

    data = {
        "theatre": "Test",
        "nodes": [
            {"id": "A", "label": "Alpha", "type": "State", "evidence": 3, "bloc": 0},
            {"id": "B", "label": "Beta", "type": "State", "evidence": 1, "bloc": 0},
            {"id": "C", "label": "Gamma", "type": "State", "evidence": 2, "bloc": 1},
        ],
        "edges": [
            {
                "source": "A",
                "target": "B",
                "sign": 1,
                "weight": 1.0,
                "statements": 2,
                "evidence": ["Alpha backs Beta."],
                "frustrated": False,
            },
            {
                "source": "A",
                "target": "C",
                "sign": -1,
                "weight": 1.0,
                "statements": 1,
                "evidence": ["Alpha fights Gamma."],
                "frustrated": False,
            },
        ],
        "balance": None,
        "triangles": 0,
        "frustration": 0,
    }
    path = tmp_path / "page.html"
    path.write_text(alliance_page(data), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        outside: list[str] = []

        def refuse(route) -> None:
            outside.append(route.request.url)
            route.abort()

        page.route("http*://**", refuse)
        page.goto(path.as_uri())
        page.wait_for_function("typeof network !== 'undefined' && network.body !== undefined")
        drawn = page.evaluate("[network.body.data.nodes.length, network.body.data.edges.length]")
        assert drawn == [3, 2]
        assert page.locator("canvas").count() >= 1
        browser.close()
    assert outside == []
