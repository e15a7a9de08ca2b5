"""The explorer page in a real headless Chromium (Debian's), driven by Playwright, against
``detente serve`` holding the bundled examples. Every check reads the page's graph state
(``window.explorer``) and compares it with the REST answer for the same view. The
screenshot is kept for people to see (the README shows it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from detente.analysis.palette import STANCE_COLOURS, STANCE_LINES
from tests.http.pages import local_page
from tests.paths import CHROMIUM, EXAMPLES, ROOT
from tests.servers import detente_server

SCREENSHOTS = ROOT / "tests" / "screenshots"
TOKEN = "explorer-token"

# A browser and a server: outside the quick loop (-m 'not slow').
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
    ),
]

GRAPH_STATE = """() => ({
  nodes: explorer.cy.nodes().map(n => n.id()).sort(),
  edges: explorer.cy.edges().map(e => [e.data('source'), e.data('target'), e.data('stance'),
                                       e.data('colour'), e.data('evidence'),
                                       e.style('line-style'), e.style('target-arrow-shape')]),
  blocs: Object.fromEntries(explorer.cy.nodes().map(n => [n.id(), n.data('bloc')])),
})"""

OVERLAPS = """() => {
  const boxes = explorer.cy.nodes().map(
    n => [n.id(), n.renderedBoundingBox({includeLabels: true})]);
  const found = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, b] = [boxes[i][1], boxes[j][1]];
    if (Math.min(a.x2, b.x2) > Math.max(a.x1, b.x1) && Math.min(a.y2, b.y2) > Math.max(a.y1, b.y1))
      found.push([boxes[i][0], boxes[j][0]]);
  }
  return found;
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    with detente_server(f"oxigraph:{tmp_path_factory.mktemp('explorer')}", TOKEN) as base:
        for path in sorted(EXAMPLES.glob("*.txt")):
            response = httpx.post(
                f"{base}/documents",
                json={"text": path.read_text(), "url": path.name},
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=120,
            )
            assert response.status_code == 201
        yield base


@pytest.fixture
def page(browser, served):
    """A page that may only reach the server: any other request fails the test."""
    with local_page(browser, served) as (page, elsewhere, errors):
        yield page
    assert elsewhere == []  # offline: everything the page loads is served by detente
    assert errors == []


# More than ``drawn`` views drawn, and the latest ready: laid out and fitted in the box it is
# shown in, the controls around the graph (which move that box) already drawn, so nothing
# moves from then on. Functions, not expressions: the page's CSP allows no eval.
DRAWN = """drawn => explorer.loads > drawn
  && document.getElementById('graph').dataset.state === 'ready'"""
SENTENCES = "() => document.querySelectorAll('#sentences li').length > 0"

# A point in the window where the edge is what a pointer finds: on the edge, in the graph's
# box, under no other element of the page, and hit by cytoscape's own test as this edge,
# not a node, a label or another edge drawn over it. The midpoint first, then along the edge.
POINT_ON_EDGE = """id => {
  const edge = explorer.cy.getElementById(id);
  const graph = document.getElementById('graph');
  const box = graph.getBoundingClientRect();
  const m = edge.renderedMidpoint(), s = edge.renderedSourceEndpoint(),
        t = edge.renderedTargetEndpoint();
  const along = [[m.x, m.y]];
  for (let k = 1; k < 10; k++) for (const f of [0.5 - k / 20, 0.5 + k / 20])
    along.push([s.x + f * (t.x - s.x), s.y + f * (t.y - s.y)]);
  for (const [x, y] of along.map(([x, y]) => [box.left + x, box.top + y])) {
    if (x <= box.left || x >= box.right || y <= box.top || y >= box.bottom) continue;
    if (graph.contains(document.elementFromPoint(x, y)) && explorer.at(x, y) === id)
      return [x, y];
  }
  return null;
}"""


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(DRAWN, arg=0)


def _after(page, action) -> None:
    """Do ``action`` and wait until the page has drawn the view it asked for."""
    before = page.evaluate("explorer.loads")
    action()
    page.wait_for_function(DRAWN, arg=before)


def _view(served: str, **params) -> dict:
    response = httpx.get(f"{served}/view", params=params)
    assert response.status_code == 200
    return response.json()


def _expected(view: dict) -> dict:
    return {
        "nodes": sorted(n["id"] for n in view["nodes"]),
        "edges": sorted(
            (e["source"], e["target"], e["stance"], e["evidence"]) for e in view["edges"]
        ),
        "blocs": {n["id"]: n["bloc"] for n in view["nodes"]},
    }


def _drawn(page) -> dict:
    state = page.evaluate(GRAPH_STATE)
    # Each sign in its colour and in its line style; an opposed pair ends in a bar.
    for _, _, stance, colour, _, line, arrow in state["edges"]:
        assert (colour, line) == (STANCE_COLOURS[stance], STANCE_LINES[stance])
        assert (arrow == "tee") == (stance == "opposition")
    state["edges"] = sorted((s, t, stance, n) for s, t, stance, _, n, *_ in state["edges"])
    return state


def test_a_theatre_deep_link_draws_its_view_and_an_edge_click_shows_sentences(page, served) -> None:
    expected = _view(served, theatre="Libya")
    assert len(expected["edges"]) >= 5
    _open(page, f"{served}/?theatre=Libya")
    assert _drawn(page) == _expected(expected)
    # One edge per pair, and the pair's blocs from the same balance the analysis uses.
    pairs = [frozenset((s, t)) for s, t, *_ in _drawn(page)["edges"]]
    assert len(pairs) == len(set(pairs))
    assert page.evaluate(OVERLAPS) == []
    assert "Libya" in page.inner_text("#heading")

    # Click the most evidenced edge, as a user would: where nothing else covers it.
    edge = expected["edges"][0]
    point = page.evaluate(POINT_ON_EDGE, edge["id"])
    assert point is not None, f"no point of {edge['id']} is uncovered"
    page.mouse.move(*point)  # hovering shows the pair's predicates and counts
    page.wait_for_selector("#tip:not([hidden])")
    tip = page.inner_text("#tip")
    assert all(f"{t['predicate']} {t['count']}" in tip for t in edge["predicates"])
    page.mouse.click(*point)
    page.wait_for_function(SENTENCES)
    evidence = httpx.get(
        f"{served}/view/evidence",
        params={"theatre": "Libya", "a": edge["source"], "b": edge["target"]},
    ).json()
    assert sum(s["counted"] for s in evidence["statements"]) == edge["evidence"]
    shown = page.inner_text("#sentences")
    assert all(s["sentence"] in shown for s in evidence["statements"])
    marks = page.eval_on_selector_all("#sentences mark", "ms => ms.map(m => m.textContent)")
    assert set(marks) <= {m for s in evidence["statements"] for m in s["mentions"]} and marks
    # The SPARQL link asks the same question and finds the same statements.
    sparql = page.get_attribute("#edge-sparql", "href")
    assert sparql.startswith("/sparql?query=")
    answer = httpx.get(served + sparql, headers={"Accept": "application/sparql-results+json"})
    found = {b["r"]["value"] for b in answer.json()["results"]["bindings"]}
    assert found == {s["statement"] for s in evidence["statements"]}

    page.mouse.move(5, 890)  # no tooltip over the graph in the picture
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "explorer-libya.png"))


def test_an_actor_deep_link_with_dates_restores_the_view(page, served) -> None:
    expected = _view(served, actor="TUR", since="2019-01-01")
    _open(page, f"{served}/?actor=TUR&since=2019-01-01")
    assert _drawn(page) == _expected(expected)
    assert "TUR" in _drawn(page)["nodes"]
    assert page.input_value("#since") == "2019-01-01"
    assert page.evaluate("explorer.cy.getElementById('TUR').hasClass('focus')")
    # Seeded: the same view draws the same way every time.
    positions = "Object.fromEntries(explorer.cy.nodes().map(n => [n.id(), n.position()]))"
    drawn = page.evaluate(positions)
    _open(page, page.url)  # a new page: its first view
    assert page.evaluate(positions) == drawn
    assert page.evaluate(OVERLAPS) == []
    # Back to the whole range: more or as many statements, and the address follows.
    _after(page, lambda: page.click("#all-dates"))
    assert page.url == f"{served}/?actor=TUR"
    assert _drawn(page) == _expected(_view(served, actor="TUR"))


def test_filters_redraw_the_graph_and_the_address(page, served) -> None:
    _open(page, f"{served}/?theatre=Libya")
    _after(page, lambda: page.select_option("#polarity", "opposition"))
    assert page.url.endswith("polarity=opposition")
    opposed = _view(served, theatre="Libya", polarity="opposition")
    assert _drawn(page) == _expected(opposed)
    assert opposed["edges"] and all(e["stance"] != "alignment" for e in opposed["edges"])

    _after(page, lambda: page.select_option("#polarity", ""))
    assert "polarity" not in page.url
    page.click(".relations summary")  # the relations are a menu of the filter row
    _after(page, lambda: page.check("#predicates input[value=fights]"))
    assert page.url.endswith("predicate=fights")
    assert page.text_content("#relations-chosen") == "fights"
    fights = _view(served, theatre="Libya", predicate="fights")
    assert _drawn(page) == _expected(fights)
    assert len(fights["edges"]) < len(_view(served, theatre="Libya")["edges"])

    # The browser's Back button restores the view before.
    _after(page, page.go_back)
    assert "predicate" not in page.url
    assert _drawn(page) == _expected(_view(served, theatre="Libya"))


def test_search_suggests_aliases_and_works_from_the_keyboard(page, served) -> None:
    _open(page, f"{served}/")
    assert len(_drawn(page)["nodes"]) >= 20 and page.evaluate(OVERLAPS) == []  # every theatre
    page.focus("#query")
    page.keyboard.type("Kreml")
    # The list for the whole word: one for a prefix, typed slowly, may show first.
    page.wait_for_selector('#suggestions[data-for="Kreml"] li')
    assert "Russia" in page.inner_text("#suggestions li >> nth=0")
    page.keyboard.press("ArrowDown")
    _after(page, lambda: page.keyboard.press("Enter"))
    assert page.url.endswith("actor=RUS")
    assert _drawn(page) == _expected(_view(served, actor="RUS"))

    # The pairs are a keyboard path to every edge's evidence.
    page.focus("#pairs button >> nth=0")
    page.keyboard.press("Enter")
    page.wait_for_function(SENTENCES)
    assert page.evaluate("document.activeElement.id") == "edge-title"
    for control in ("#query", "#since", "#until", "#polarity"):
        name = page.evaluate(
            "s => { const e = document.querySelector(s);"
            " return e.labels && e.labels.length ? e.labels[0].textContent : ''; }",
            control,
        )
        assert name.strip(), f"{control} has no label"


def test_exports_of_the_view(page, served) -> None:
    _open(page, f"{served}/?theatre=Libya&polarity=opposition")
    opposed = _view(served, theatre="Libya", polarity="opposition")
    saved = {}
    for format in ("svg", "png", "pdf"):
        with page.expect_download() as download:
            page.click(f"#export-{format}")
        assert (
            download.value.suggested_filename
            == f"detente-theatre_Libya_polarity_opposition.{format}"
        )
        saved[format] = Path(download.value.path()).read_bytes()
    # A briefing picture: the graph as drawn under a title and the filters, period and
    # "as of", over a legend in words and a sources line; every edge and node in it, each
    # sign in its colour and its line style.
    svg = ET.fromstring(saved["svg"])
    ns = {"s": "http://www.w3.org/2000/svg"}
    title = page.text_content("#heading")
    assert svg.find("s:text[@class='title']", ns).text == title
    filters = " ".join(t.text for t in svg.findall("s:text[@class='filters']", ns))
    assert "opposition only" in filters and "as of " in filters
    legend = [t.text for t in svg.findall("s:text[@class='legend']", ns)]
    assert len(legend) == (5 if opposed["partitioned"] else 4)
    assert any(t.startswith("dashed: opposed") for t in legend)
    assert "CSV" in " ".join(t.text for t in svg.findall("s:text[@class='sources']", ns))
    edges = svg.findall(".//s:g[@class]", ns)
    drawn = [g for g in edges if g.get("class").startswith("edge ")]
    assert sorted((g.get("data-source"), g.get("data-target")) for g in drawn) == sorted(
        (e["source"], e["target"]) for e in opposed["edges"]
    )
    for g in drawn:
        line = g.findall("s:path", ns)[-1]
        assert line.get("stroke") == STANCE_COLOURS["opposition"]
        assert line.get("stroke-dasharray")  # opposition is dashed, in print too
    nodes = [g.get("data-id") for g in edges if g.get("class") == "node"]
    assert sorted(nodes) == sorted(n["id"] for n in opposed["nodes"])
    # The PNG is that picture at twice its size; the PDF that picture as one vector page.
    picture = saved["png"]
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    size = [int.from_bytes(picture[i : i + 4], "big") for i in (16, 20)]
    assert size == [2 * int(svg.get("width")), 2 * int(svg.get("height"))]
    assert saved["pdf"][:5] == b"%PDF-" and saved["pdf"].count(b"/Type /Page\n") == 1
    assert title.encode() in saved["pdf"]
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "explorer-export.png").write_bytes(picture)  # shown in the README
    graphml = httpx.get(served + page.get_attribute("#export-graphml", "href"))
    assert graphml.status_code == 200 and b"<graphml" in graphml.content
    csv = httpx.get(served + page.get_attribute("#export-csv", "href"))
    rows = csv.text.strip().splitlines()
    assert len(rows) - 1 == sum(e["evidence"] for e in opposed["edges"])
    assert all(",opposition," in row for row in rows[1:])


def test_an_analyst_marks_a_statement_wrong_and_takes_it_back(page, served) -> None:
    expected = _view(served, theatre="Libya")
    index, edge = next((i, e) for i, e in enumerate(expected["edges"]) if e["evidence"] >= 2)
    _open(page, f"{served}/?theatre=Libya")
    page.click(f"#pairs li:nth-child({index + 1}) button")
    page.wait_for_function(SENTENCES)
    # Without the write token the page asks for it and writes nothing.
    page.click("#sentences .curation button:has-text('Wrong') >> nth=0")
    assert "write token" in page.inner_text("#status")
    assert page.evaluate("document.getElementById('curate').open")
    assert httpx.get(f"{served}/curation").json() == []

    page.fill("#token", TOKEN)
    page.fill("#curator", "ana")
    _after(page, lambda: page.click("#sentences .curation button:has-text('Wrong') >> nth=0"))
    page.wait_for_selector("#sentences .flag.wrong")
    [act] = httpx.get(f"{served}/curation").json()
    assert (act["verdict"], act["curator"]) == ("wrong", "ana")
    after = next(e for e in _view(served, theatre="Libya")["edges"] if e["id"] == edge["id"])
    assert after["evidence"] == edge["evidence"] - 1
    assert _drawn(page) == _expected(_view(served, theatre="Libya"))  # the page redrew
    assert "marked wrong: not counted (ana)" in page.inner_text("#sentences")

    _after(page, lambda: page.click("#sentences .curation button:has-text('Undo')"))
    page.wait_for_function("() => !document.querySelector('#sentences .flag.wrong')")
    assert _view(served, theatre="Libya") == expected
    assert httpx.get(f"{served}/curation").json()[0]["retracted_by"] == "ana"


def test_the_selected_edge_and_the_evidence_filters_are_in_the_address(page, served) -> None:
    expected = _view(served, theatre="Libya")
    first, second = expected["edges"][0], expected["edges"][1]
    # A link to an edge opens the view with that edge's sentences.
    _open(page, f"{served}/?theatre=Libya&edge={first['id']}")
    page.wait_for_function(SENTENCES)
    assert page.evaluate("explorer.cy.$('edge:selected').id()") == first["id"]
    assert first["id"] in page.evaluate("decodeURIComponent(location.search)")
    # The edge's evidence strength is said in words.
    summary = page.inner_text("#edge-summary")
    assert f"in {first['documents']} document" in summary and "mean confidence" in summary
    # Choosing another pair puts it in the address instead.
    page.click("#pairs li:nth-child(2) button")
    page.wait_for_function(
        "id => decodeURIComponent(location.search).includes('edge=' + id)", arg=second["id"]
    )
    # A filter on documents redraws only the pairs that reach it, and is in the address.
    _after(page, lambda: page.select_option("#min_documents", "2"))
    assert "min_documents=2" in page.evaluate("location.search")
    assert _drawn(page) == _expected(_view(served, theatre="Libya", min_documents=2))


def test_the_timeline_chooses_dates_and_says_what_is_undated(page, served) -> None:
    found = httpx.get(f"{served}/view/timeline", params={"theatre": "Libya"}).json()
    busy = [b for b in found["bins"] if b["alignment"] + b["opposition"]]
    assert found["dated"] == sum(b["alignment"] + b["opposition"] for b in found["bins"])
    _open(page, f"{served}/?theatre=Libya")
    assert page.locator("#timeline-bars g.bin").count() == len(found["bins"])
    assert f"{found['dated']} dated statements" in page.inner_text("#timeline-caption")
    # A bar chooses its month: the dates and the address follow, and the graph is the API's.
    month = busy[-1]["start"]
    index = [b["start"] for b in found["bins"]].index(month)
    _after(page, lambda: page.locator("#timeline-bars g.bin rect.hit").nth(index).click())
    assert page.input_value("#since") == f"{month}-01"
    assert f"since={month}-01" in page.evaluate("location.search")
    until = page.input_value("#until")
    assert _drawn(page) == _expected(
        _view(served, theatre="Libya", since=f"{month}-01", until=until)
    )
    # The undated are left out by a date range, and kept by an explicit choice that counts them.
    if found["undated"]:
        assert page.is_visible("#undated-choice")
        assert page.inner_text("#undated-count") == str(found["undated"])
        _after(page, lambda: page.check("#undated"))
        assert "undated=true" in page.evaluate("location.search")
        expected = _view(served, theatre="Libya", since=f"{month}-01", until=until, undated="true")
        assert _drawn(page) == _expected(expected)


NODE_POINT = """id => {
  const node = explorer.cy.getElementById(id);
  const box = document.getElementById('graph').getBoundingClientRect();
  const p = node.renderedPosition();
  return [box.left + p.x, box.top + p.y];
}"""


def test_clicking_a_node_opens_its_profile_and_can_centre_the_view_on_it(page, served) -> None:
    profile = httpx.get(f"{served}/actors/TUR").json()
    _open(page, f"{served}/?theatre=Libya")
    page.mouse.click(*page.evaluate(NODE_POINT, "TUR"))
    page.wait_for_selector("#actor:not([hidden])")
    assert page.inner_text("#actor-title") == profile["label"]
    shown = page.inner_text("#actor")
    assert all(name in shown for name in profile["aliases"][:3])
    assert all(p["label"] in shown for p in profile["allies"][:3])
    assert "In office:" in shown and profile["leaders"][0] in shown
    # Roles with dates, in office first, and partners year by year (the latest first).
    roles = page.locator("#actor-roles li").all_inner_texts()
    assert roles[0].startswith(profile["roles"][0]["person"]) and roles[0].endswith("now")
    years = page.locator("#actor-over-time th").all_inner_texts()
    assert years == [p["period"] for p in reversed(profile["over_time"]["periods"])]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "explorer-actor.png"))
    _after(page, lambda: page.click("#actor-centre"))
    assert "actor=TUR" in page.evaluate("location.search")
    assert _drawn(page) == _expected(_view(served, actor="TUR"))


POSITIONS = """() => Object.fromEntries(explorer.cy.nodes().map(n => [n.id(),
  [Math.round(n.position('x')), Math.round(n.position('y'))]]))"""


def test_a_node_s_partners_are_added_in_place_and_the_address_keeps_them(page, served) -> None:
    libya = _view(served, theatre="Libya")
    partners = _view(served, actor="TUR", limit=20)
    new = {n["id"] for n in partners["nodes"]} - {n["id"] for n in libya["nodes"]}
    assert new  # Turkey has partners outside Libya
    _open(page, f"{served}/?theatre=Libya")
    before = page.evaluate(POSITIONS)
    page.mouse.click(*page.evaluate(NODE_POINT, "TUR"))
    page.wait_for_selector("#actor:not([hidden])")
    page.click("#actor-expand")
    page.wait_for_function("n => explorer.cy.nodes().length > n", arg=len(before))
    assert "expand=TUR" in page.evaluate("location.search")
    after = page.evaluate(POSITIONS)
    assert set(after) == set(before) | new
    moved = [a for a in before if before[a] != after[a]]
    assert len(moved) <= len(before) // 3  # in place: at most nudged apart, not laid out anew
    assert page.evaluate(OVERLAPS) == []
    drawn = {
        frozenset(p)
        for p in page.evaluate("explorer.cy.edges().map(e => [e.data('source'), e.data('target')])")
    }
    wanted = {frozenset((e["source"], e["target"])) for e in libya["edges"] + partners["edges"]}
    assert drawn == wanted
    # The address draws the same graph.
    _open(page, page.url)
    assert set(page.evaluate(POSITIONS)) == set(after)


def test_the_landing_view_shows_theatres_with_their_small_graphs(page, served):
    cards = httpx.get(f"{served}/view/theatres", params={"limit": 12}).json()
    _open(page, f"{served}/")
    # One card per theatre, most recent evidence first, each with its small graph, in place
    # of every actor at once.
    items = page.locator("#theatre-cards li button")
    assert items.count() == len(cards) >= 3
    assert page.is_hidden("#graph") and page.is_hidden("#theatres")
    for i, card in enumerate(cards):
        item = items.nth(i)
        assert item.locator(".name").inner_text() == card["theatre"]
        assert item.locator("svg line").count() >= len(card["edges"])
        shapes = item.locator("svg circle, svg rect").count()
        assert shapes == len(card["nodes"])
        for size in item.locator("svg text").evaluate_all(
            "texts => texts.map(t => parseFloat(getComputedStyle(t).fontSize))"
        ):
            assert size >= 11
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "explorer-landing.png"))
    # A card opens its theatre's view.
    _after(page, lambda: items.nth(0).click())
    assert f"theatre={cards[0]['theatre']}" in page.evaluate("decodeURIComponent(location.search)")
    assert page.is_hidden("#overview") and page.is_visible("#graph")
    # Every theatre in one graph, when asked for: a readable number of pairs.
    _open(page, f"{served}/")
    _after(page, lambda: page.click("#show-all"))
    assert "all=1" in page.evaluate("location.search")
    assert page.is_visible("#graph") and page.is_visible("#theatres")
    assert 0 < page.evaluate("explorer.cy.edges().length") <= 40
    theatres = httpx.get(f"{served}/theatres", params={"limit": 15}).json()
    assert page.locator("#theatre-list li button").count() == len(theatres)
    # "Show more pairs" when a view draws fewer than it holds.
    libya = _view(served, theatre="Libya")
    _open(page, f"{served}/?theatre=Libya&limit=3")
    assert page.evaluate("explorer.cy.edges().length") == 3
    _after(page, lambda: page.click("#more-pairs"))
    assert "limit=43" in page.evaluate("location.search")
    assert page.evaluate("explorer.cy.edges().length") == len(libya["edges"])
    assert page.is_hidden("#more-pairs")


# Each node's box with its label, in page pixels, its label's rendered size, and the box of
# the graph's element.
GEOMETRY = """() => {
  const at = document.getElementById('graph').getBoundingClientRect();
  return {
    graph: [at.left, at.top, at.right, at.bottom],
    nodes: explorer.cy.nodes().map(n => {
      const b = n.renderedBoundingBox({includeLabels: true});
      return [n.id(), at.left + b.x1, at.top + b.y1, at.left + b.x2, at.top + b.y2,
              parseFloat(n.style('font-size')) * explorer.cy.zoom()];
    }),
  };
}"""


@pytest.mark.parametrize("search", ["?theatre=Libya", "?all=1", "?actor=TUR"])
def test_at_1280_by_720_nothing_is_clipped_and_labels_read(browser, served, search) -> None:
    with local_page(browser, served, viewport=(1280, 720)) as (page, elsewhere, errors):
        _open(page, f"{served}/{search}")
        found = page.evaluate(GEOMETRY)
        left, top, right, bottom = found["graph"]
        assert bottom - top >= 280 and top >= 0 and bottom <= 720 and right <= 1280
        assert found["nodes"]
        for actor, x1, y1, x2, y2, font in found["nodes"]:
            assert left <= x1 and x2 <= right and top <= y1 and y2 <= bottom, actor
            assert font >= 11, actor
        assert page.evaluate(OVERLAPS) == []
        # The filters and the exports stay in one screen's first rows.
        for control in (
            "#since",
            "#polarity",
            "#min_confidence",
            ".relations summary",
            "#export-pdf",
        ):
            box = page.locator(control).bounding_box()
            assert box["y"] + box["height"] <= top and box["x"] + box["width"] <= 1280, control
    assert elsewhere == [] and errors == []


def test_an_analyst_merges_an_actor_notes_it_and_takes_both_back(page, served) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = _view(served, theatre="Libya")
    assert "WAGNER" in {n["id"] for n in before["nodes"]}
    _open(page, f"{served}/?theatre=Libya")
    page.click("#curate summary")
    page.fill("#token", TOKEN)
    page.fill("#curator", "ana")
    try:
        page.mouse.click(*page.evaluate(NODE_POINT, "WAGNER"))
        page.wait_for_selector("#actor:not([hidden])")
        page.fill("#actor-merge-into", "Russia")
        _after(page, lambda: page.click("#actor-merge"))
        page.wait_for_function("() => document.getElementById('actor-absorbed').textContent")
        # The merged actor's profile opens as the survivor's, which says what it absorbed.
        assert page.inner_text("#actor-title") == "Russia"
        assert "Absorbed: Wagner Group" in page.inner_text("#actor-absorbed")
        after = _view(served, theatre="Libya")
        assert "WAGNER" not in {n["id"] for n in after["nodes"]}
        assert _drawn(page) == _expected(after)
        [act] = httpx.get(f"{served}/curation", params={"in_force": True}).json()
        assert (act["verdict"], act["curator"]) == ("merged", "ana")

        page.fill("#actor-note-text", "a state and its mercenaries")
        page.click("#actor-note")
        page.wait_for_selector("#actor-notes .note")
        assert "a state and its mercenaries (ana" in page.inner_text("#actor-notes")
        page.click("#actor-notes .note button:has-text('Undo')")
        page.wait_for_function("() => !document.querySelector('#actor-notes .note')")

        # A statement's note is shown with its evidence.
        statement = httpx.get(f"{served}/view/evidence", params={"a": "RUS", "b": "LNA"}).json()
        target = statement["statements"][0]["statement"]
        body = {"verdict": "noted", "target": target, "why": "check the date"}
        assert httpx.post(f"{served}/curation", json=body, headers=auth).status_code == 201
        edge = next(e for e in after["edges"] if {e["source"], e["target"]} == {"RUS", "LNA"})
        _open(page, f"{served}/?theatre=Libya&edge={edge['id']}")
        page.wait_for_selector("#sentences .note")
        assert "check the date (analyst" in page.inner_text("#sentences")
    finally:
        for act in httpx.get(f"{served}/curation", params={"in_force": True}).json():
            httpx.delete(f"{served}/curation/{act['id']}", headers=auth)
    assert _view(served, theatre="Libya") == before
