"""The explorer's answers: /view (one signed edge per pair, blocs), /view/evidence, the
view's exports and /suggest, on the bundled examples through the API."""

from __future__ import annotations

import csv
import io

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from detente.analysis.actors import actor_roles
from detente.analysis.layout import MAX_FORCE_LAYOUT, view_positions
from detente.analysis.ledger import PREDICATE_NAMES, SIGN, SYMMETRIC
from detente.ontology import load_gazetteer, predicates
from tests.http.test_api import AUTH, make_client
from tests.paths import EXAMPLES

OPPOSITION = {n for n, s in zip(PREDICATE_NAMES, SIGN, strict=True) if s < 0}
MUTUAL = {n for n, s in zip(PREDICATE_NAMES, SYMMETRIC, strict=True) if s}


@pytest.fixture(scope="module")
def client(rules_extractor) -> TestClient:
    api = make_client(rules_extractor, token="s3cret-token")
    for path in sorted(EXAMPLES.glob("*.txt")):
        response = api.post(
            "/documents", json={"text": path.read_text(), "url": path.name}, headers=AUTH
        )
        assert response.status_code == 201, response.text
    return api


def _view(client: TestClient, **params) -> dict:
    response = client.get("/view", params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.slow
def test_one_signed_edge_per_pair_with_the_analysis_blocs(client: TestClient) -> None:
    view = _view(client, theatre="Libya")
    pairs = [frozenset((e["source"], e["target"])) for e in view["edges"]]
    assert len(pairs) == len(set(pairs)) == view["pairs_total"] >= 5
    # Every statement of the theatre is on exactly one edge (self-relations aside).
    rows = client.get("/relations", params={"theatre": "Libya", "limit": 10000}).json()
    between = [r for r in rows if r["subject"]["id"] != r["object"]["id"]]
    assert sum(e["evidence"] for e in view["edges"]) == sum(r["evidence_count"] for r in between)
    for edge in view["edges"]:
        assert edge["evidence"] == sum(t["count"] for t in edge["predicates"])
        assert (edge["net"] > 0) == (edge["stance"] == "alignment")
    # The blocs are those of /balance for the same statements: the same vote, the same
    # partition.
    balance = client.get("/balance", params={"theatre": "Libya"}).json()
    blocs: dict[int, set[str]] = {}
    for node in view["nodes"]:
        if node["bloc"] is not None:
            blocs.setdefault(node["bloc"], set()).add(node["id"])
    assert sorted(map(sorted, blocs.values())) == sorted(map(sorted, balance["blocs"]))
    assert view["balance"]["frustration"] == balance["frustration"]
    assert sum(e["frustrated"] for e in view["edges"]) == balance["frustration"]
    for node in view["nodes"]:
        assert node["evidence"] == sum(
            e["evidence"] for e in view["edges"] if node["id"] in (e["source"], e["target"])
        )


def test_blocs_are_drawn_within_one_theatre_only(client: TestClient) -> None:
    libya = _view(client, theatre="Libya")
    assert libya["partitioned"] and any(n["bloc"] is not None for n in libya["nodes"])
    # Across theatres (every one, or an actor's), one partition would set actors who never
    # meet on two sides: no blocs, no edge "against the blocs".
    for view in (_view(client), _view(client, actor="TUR")):
        assert not view["partitioned"] and view["edges"]
        assert all(n["bloc"] is None for n in view["nodes"])
        assert not any(e["frustrated"] for e in view["edges"])
        assert view["balance"] == {"balance": None, "triangles": 0, "frustration": 0}


def test_a_directed_edge_runs_the_way_its_statements_do(client: TestClient) -> None:
    view = _view(client)
    directed = [e for e in view["edges"] if e["directed"]]
    assert directed
    for edge in directed:
        one_way = {
            (t["subject"], t["object"]) for t in edge["predicates"] if t["predicate"] not in MUTUAL
        }
        assert one_way <= {(edge["source"], edge["target"])}


def test_filters_and_what_they_can_widen_to(client: TestClient) -> None:
    everything = _view(client, theatre="Libya")
    opposed = _view(client, theatre="Libya", polarity="opposition")
    assert opposed["edges"] and len(opposed["edges"]) < len(everything["edges"])
    for edge in opposed["edges"]:
        assert {t["predicate"] for t in edge["predicates"]} <= OPPOSITION
        assert edge["stance"] == "opposition"
    # The choices offered do not shrink with the filter that uses them.
    assert opposed["predicates"] == everything["predicates"]
    assert opposed["dates"] == everything["dates"]
    first, last = everything["dates"]["first"], everything["dates"]["last"]
    assert first and last and first < last
    later = _view(client, theatre="Libya", since=last)
    assert sum(e["evidence"] for e in later["edges"]) < sum(
        e["evidence"] for e in everything["edges"]
    )
    # The relation counts follow the dates (the filter list says what the period holds),
    # and still count every predicate: the dated view's statements, by predicate.
    assert later["dates"] == everything["dates"]
    counted = {p["predicate"]: p["count"] for p in later["predicates"]}
    drawn: dict[str, int] = {}
    for edge in later["edges"]:
        for tally in edge["predicates"]:
            drawn[tally["predicate"]] = drawn.get(tally["predicate"], 0) + tally["count"]
    assert counted == drawn
    assert sum(counted.values()) < sum(p["count"] for p in everything["predicates"])
    opposed_later = _view(client, theatre="Libya", since=last, polarity="opposition")
    assert opposed_later["predicates"] == later["predicates"]
    backs = _view(client, theatre="Libya", predicate="backs")  # sub-relations included
    names = {t["predicate"] for e in backs["edges"] for t in e["predicates"]}
    assert "aids" in names and names <= {"backs", "aids"}
    one = _view(client, theatre="Libya", limit=1)
    assert len(one["edges"]) == 1 and one["pairs_total"] == everything["pairs_total"]
    assert one["edges"][0]["evidence"] == max(e["evidence"] for e in everything["edges"])


def test_an_actor_view_is_its_neighbourhood(client: TestClient) -> None:
    by_alias = _view(client, actor="Erdogan")
    view = _view(client, actor="TUR")
    assert by_alias == view and view["focus"] == "TUR"
    partners = {
        end for e in view["edges"] for end in (e["source"], e["target"])
        if "TUR" in (e["source"], e["target"])
    }  # fmt: skip
    assert {n["id"] for n in view["nodes"]} == partners
    assert any("TUR" not in (e["source"], e["target"]) for e in view["edges"])
    # Partners by the statements the filters keep: none is drawn for an earlier pair.
    later = _view(client, actor="TUR", since=view["dates"]["last"])
    partners = {
        end for e in later["edges"] for end in (e["source"], e["target"])
        if "TUR" in (e["source"], e["target"])
    }  # fmt: skip
    assert {n["id"] for n in later["nodes"]} == partners
    assert len(partners) < len({n["id"] for n in view["nodes"]})
    assert later["dates"] == view["dates"]  # what the date control can widen to


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"actor": "Atlantis"}, 404),
        ({"since": "2020-01-01", "until": "2019-01-01"}, 422),
        ({"predicate": "loves"}, 422),
        ({"polarity": "neutral"}, 422),
        ({"since": "yesterday"}, 422),
        ({"limit": 0}, 422),
    ],
)
def test_bad_views_get_clear_4xx(client: TestClient, params: dict, status: int) -> None:
    response = client.get("/view", params=params)
    assert response.status_code == status
    assert isinstance(response.json()["detail"], str)


def test_an_unknown_theatre_is_not_an_empty_view(client: TestClient) -> None:
    # An empty map would read as "no relations there": the name is refused instead.
    response = client.get("/view", params={"theatre": "Atlantis"})
    assert response.status_code == 404
    assert response.json() == {
        "detail": "unknown theatre 'Atlantis': not in the knowledge graph",
        "suggestions": [],
    }


@pytest.mark.slow
def test_edge_evidence_is_the_edge_and_its_sparql_asks_the_same(client: TestClient) -> None:
    view = _view(client, theatre="Libya")
    for edge in view["edges"]:
        params = {"theatre": "Libya", "a": edge["target"], "b": edge["source"]}
        found = client.get("/view/evidence", params=params).json()
        assert sum(s["counted"] for s in found["statements"]) == edge["evidence"]
        for s in found["statements"]:
            assert {s["subject"]["id"], s["object"]["id"]} == {edge["source"], edge["target"]}
            assert all(m in s["sentence"] for m in s["mentions"])
        answer = client.get(
            "/sparql",
            params={"query": found["sparql"]},
            headers={"Accept": "application/sparql-results+json"},
        )
        got = {b["r"]["value"] for b in answer.json()["results"]["bindings"]}
        assert got == {s["statement"] for s in found["statements"]}
    bad = client.get("/view/evidence", params={"a": "TUR", "b": "Atlantis"})
    assert bad.status_code == 404
    same = client.get("/view/evidence", params={"a": "TUR", "b": "Turkey"})
    assert same.status_code == 422 and "same actor" in same.json()["detail"]
    # A theatre the graph does not hold is refused before any query; and a theatre name is
    # text in the evidence query, whatever it holds.
    odd = 'Libya" } DROP ALL ; #\n\\'
    found = client.get("/view/evidence", params={"theatre": odd, "a": "TUR", "b": "LBY-GNA"})
    assert found.status_code == 404
    from detente.analysis.alliance_view import pair_evidence, pair_question
    from detente.domain.filters import StatementFilter

    store = client.app.state.service.store
    question = pair_question(StatementFilter(theatre=odd), "TUR", "LBY-GNA")
    assert pair_evidence(store, question) == []
    assert _view(client, theatre="Libya")["edges"]  # nothing was dropped


@pytest.mark.slow  # a service of its own
def test_negated_and_reported_statements_are_flagged(extractor) -> None:
    api = make_client(extractor, token="s3cret-token")
    text = (
        "Cairo has not sent weapons to the Libyan National Army, the foreign ministry said on"
        " Monday. Egypt backs the Libyan National Army, according to diplomats."
    )
    response = api.post(
        "/documents", json={"text": text, "url": "https://example.org/a", "date": "2020-03-02"},
        headers=AUTH,
    )  # fmt: skip
    assert response.status_code == 201
    [edge] = _view(api)["edges"]
    assert edge["evidence"] == 1 and edge["stance"] == "alignment"
    found = api.get("/view/evidence", params={"a": "EGY", "b": "LNA"}).json()["statements"]
    negated = [s for s in found if s["negated"]]
    assert len(found) == 2 and len(negated) == 1 and not negated[0]["counted"]
    assert {s["reported_by"] for s in found} == {"the foreign ministry", "diplomats"}
    assert {s["document"]["source"] for s in found} == {"https://example.org/a"}
    assert "Cairo" in negated[0]["mentions"]
    # The CSV cites the document a reader can open: its URL and publication date.
    table = api.get("/view/export", params={"format": "csv"}).text
    [row] = list(csv.DictReader(io.StringIO(table)))
    assert (row["document_url"], row["published"]) == ("https://example.org/a", "2020-03-02")


def test_exports_hold_the_view(client: TestClient) -> None:
    params = {"theatre": "Libya", "polarity": "opposition"}
    view = _view(client, **params)
    graphml = client.get("/view/export", params={**params, "format": "graphml"})
    assert graphml.status_code == 200
    assert "detente-Libya.graphml" in graphml.headers["content-disposition"]
    graph = nx.read_graphml(io.BytesIO(graphml.content))
    assert graph.is_directed()  # each edge from its source to its target
    assert set(graph) == {n["id"] for n in view["nodes"]}
    assert graph.number_of_edges() == len(view["edges"])
    for edge in view["edges"]:
        data = graph.edges[edge["source"], edge["target"]]
        assert (data["stance"], data["evidence"]) == (edge["stance"], edge["evidence"])
        assert data["directed"] == edge["directed"]
        assert (data["documents"], data["outlets"]) == (edge["documents"], edge["outlets"])
        assert data["sign"] == {"alignment": 1, "opposition": -1}.get(edge["stance"], 0)
        assert data["colour"].startswith("#")
    everything = client.get("/view/export", params={"format": "graphml"}).content
    assert everything.count(b'attr.name="bloc"') <= 1  # one type, whichever nodes have it
    table = client.get("/view/export", params={**params, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert len(rows) == sum(e["evidence"] for e in view["edges"])
    assert {r["predicate"] for r in rows} <= OPPOSITION
    assert {r["theatre"] for r in rows} == {"Libya"}
    assert {"document_title", "document_url", "published", "sentence"} <= set(rows[0])
    assert client.get("/view/export", params={"format": "pdf"}).status_code == 422


def test_an_export_too_large_to_serve_is_refused(client: TestClient, monkeypatch) -> None:
    from detente.http import explorer_routes

    monkeypatch.setattr(explorer_routes, "MAX_EXPORT_STATEMENTS", 3)
    refused = client.get("/view/export", params={"theatre": "Libya", "format": "csv"})
    assert refused.status_code == 422 and "detente export" in refused.json()["detail"]
    # The map itself is one edge per pair, whatever the statements behind it.
    graphml = client.get("/view/export", params={"theatre": "Libya", "format": "graphml"})
    assert graphml.status_code == 200


@pytest.mark.parametrize(
    ("typed", "first"),
    [("Kreml", ("actor", "RUS")), ("erdo", ("actor", "TUR")), ("Liby", ("theatre", "Libya")),
     ("Tur", ("actor", "TUR")), ("wagner", ("actor", "WAGNER"))],
)  # fmt: skip
def test_suggestions_find_actors_by_any_name(client: TestClient, typed: str, first) -> None:
    found = client.get("/suggest", params={"q": typed}).json()
    assert (found[0]["kind"], found[0]["id"]) == first
    assert len({(s["kind"], s["id"]) for s in found}) == len(found)


def test_suggestions_offer_only_what_the_graph_holds(client: TestClient) -> None:
    assert client.get("/suggest", params={"q": "Atlantis"}).json() == []
    # One letter offers only names with a word starting with it, never one containing it.
    for s in client.get("/suggest", params={"q": "x"}).json():
        assert any(w.casefold().startswith("x") for w in s["matched"].replace("-", " ").split())
    assert client.get("/suggest", params={"q": ""}).status_code == 422
    assert client.get("/suggest", params={"q": "a" * 500}).status_code == 422
    # Paraguay is in the gazetteer but in no example.
    assert all(s["id"] != "PRY" for s in client.get("/suggest", params={"q": "Para"}).json())


@pytest.mark.parametrize(
    ("typed", "first"),
    [("Rusia", ("actor", "RUS")), ("Lybia", ("theatre", "Libya")), ("Egipt", ("actor", "EGY")),
     ("Turkye", ("actor", "TUR"))],
)  # fmt: skip
def test_a_misspelt_name_is_offered_what_it_likely_means(client: TestClient, typed, first):
    found = client.get("/suggest", params={"q": typed}).json()
    assert (found[0]["kind"], found[0]["id"]) == first


def test_misspellings_need_a_name_long_enough_to_tell() -> None:
    from detente.analysis.suggestions import SuggestionIndex, _entry, suggest

    names = [_entry(n, "actor", n.upper(), n, "label", 1) for n in ("USA", "Iran", "Libya")]
    index = SuggestionIndex(names, {})
    assert suggest(index, "Rusia") == []  # two edits from "usa", too short to say so
    assert [s["id"] for s in suggest(index, "Irn")] == []  # three letters: no guessing
    assert [s["id"] for s in suggest(index, "Iram")] == ["IRAN"]  # four letters: one edit
    assert [s["id"] for s in suggest(index, "Lbiya")] == ["LIBYA"]  # five: two edits


def test_a_typed_word_start_is_found_after_an_earlier_match_inside_a_word() -> None:
    from detente.analysis.suggestions import SuggestionIndex, _entry, suggest

    index = SuggestionIndex([_entry("Haxa Xaxu", "actor", "HX", "Haxa Xaxu", "label", 1)], {})
    assert [s["id"] for s in suggest(index, "xa")] == ["HX"]
    assert suggest(index, "ax") == []  # inside words only, and too short for that


def test_csv_cells_from_articles_are_never_formulas() -> None:
    from detente.analysis.export import _cell

    assert [_cell(x) for x in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "Turkey", "")] == [
        "'=HYPERLINK(1)", "'+1", "'-2", "'@SUM(A1)", "Turkey", ""
    ]  # fmt: skip


@pytest.mark.slow  # a service of its own; test_timeline pins the rule in the quick loop
def test_a_mediator_is_on_neither_side(rules_extractor) -> None:
    api = make_client(rules_extractor, token="s3cret-token")
    text = (
        "Norway is mediating between the Colombian government and the ELN rebels, officials "
        "said on Monday. The Colombian army has been fighting the ELN in Arauca since 2021."
    )
    posted = api.post("/documents", json={"text": text}, headers=AUTH)
    assert posted.status_code == 201, posted.text
    everywhere = api.get("/view").json()
    edges = {frozenset((e["source"], e["target"])): e for e in everywhere["edges"]}
    for party in ("COL", "ELN"):
        mediation = edges[frozenset(("NOR", party))]
        assert (mediation["stance"], mediation["net"]) == ("mixed", 0.0)
    assert edges[frozenset(("COL", "ELN"))]["stance"] == "opposition"
    colombia = api.get("/view", params={"theatre": "Colombia"}).json()
    blocs = {n["id"]: n["bloc"] for n in colombia["nodes"]}
    assert blocs.get("NOR") is None and blocs["COL"] != blocs["ELN"]
    balance = api.get("/balance", params={"theatre": "Colombia"}).json()
    assert all("NOR" not in bloc for bloc in balance["blocs"])


def test_edges_say_how_many_documents_and_outlets_and_how_sure(client: TestClient) -> None:
    view = _view(client, theatre="Libya")
    for edge in view["edges"]:
        assert 1 <= edge["outlets"] <= edge["documents"] <= edge["evidence"]
        assert 0.0 < edge["confidence"] <= 1.0
    strong = _view(client, theatre="Libya", min_documents=2)
    assert strong["edges"] and all(e["documents"] >= 2 for e in strong["edges"])
    assert {e["id"] for e in strong["edges"]} == {
        e["id"] for e in view["edges"] if e["documents"] >= 2
    }
    assert strong["pairs_total"] == len(strong["edges"]) < view["pairs_total"]
    sure = _view(client, theatre="Libya", min_confidence=0.8)
    assert {e["id"] for e in sure["edges"]} == {
        e["id"] for e in view["edges"] if e["confidence"] >= 0.8
    }


@pytest.mark.slow  # a service of its own; the quick loop checks outlets on the examples
def test_outlets_are_web_hosts_and_a_document_without_one_is_its_own(rules_extractor) -> None:
    api = make_client(rules_extractor, token="s3cret-token")
    text = "Turkey is sending weapons to the Government of National Accord in Libya, {} said."
    for who, url in (
        ("diplomats", "https://www.example-news.test/a"),
        ("officials", "https://example-news.test/b"),  # the same outlet, without www.
        ("observers", "https://other.test/c"),
        ("analysts", None),  # pasted: an outlet of its own
    ):
        body = {"text": text.format(who), **({"url": url} if url else {})}
        assert api.post("/documents", json=body, headers=AUTH).status_code == 201
    [edge] = [
        e
        for e in api.get("/view").json()["edges"]
        if {e["source"], e["target"]} == {"TUR", "LBY-GNA"}
    ]
    assert (edge["documents"], edge["outlets"]) == (4, 3)


def test_the_timeline_counts_every_statement_of_the_view_once(client: TestClient) -> None:
    view = _view(client, theatre="Libya")
    found = client.get("/view/timeline", params={"theatre": "Libya"}).json()
    total = sum(e["evidence"] for e in view["edges"])
    assert (
        found["dated"] + found["undated"] == total and found["undated"] == view["dates"]["undated"]
    )
    assert found["bins"][0]["start"] == view["dates"]["first"][:7]
    months = [b["start"] for b in found["bins"]]
    assert months == sorted(months) and len(months) == len(set(months))  # every month, once
    opposed = client.get(
        "/view/timeline", params={"theatre": "Libya", "polarity": "opposition"}
    ).json()
    assert sum(b["alignment"] for b in opposed["bins"]) == 0
    assert sum(b["opposition"] for b in opposed["bins"]) == sum(
        b["opposition"] for b in found["bins"]
    )
    years = client.get("/view/timeline", params={"theatre": "Libya", "period": "year"}).json()
    assert years["dated"] == found["dated"] and all(len(b["start"]) == 4 for b in years["bins"])


def test_a_date_range_keeps_the_undated_only_when_asked(client: TestClient) -> None:
    since = {"theatre": "Libya", "since": "2020-01-01"}
    undated = _view(client)["dates"]["undated"]
    dated_only = sum(e["evidence"] for e in _view(client, **since)["edges"])
    kept = sum(e["evidence"] for e in _view(client, **since, undated="true")["edges"])
    libya_undated = _view(client, theatre="Libya")["dates"]["undated"]
    assert undated >= libya_undated > 0 and kept == dated_only + libya_undated
    rows = client.get("/relations", params={**since, "undated": True, "limit": 1000}).json()
    assert sum(r["evidence_count"] for r in rows) >= kept


def test_edges_say_how_much_of_their_stance_is_deeds(client: TestClient) -> None:
    vocabulary = predicates()
    view = _view(client, theatre="Libya")
    kinds = set()
    for edge in view["edges"]:
        assert 0.0 <= edge["material"] <= 1.0
        assert edge["kind"] == ("material" if edge["material"] >= 0.5 else "verbal")
        kinds.add(edge["kind"])
        for tally in edge["predicates"]:
            assert tally["quad_class"] == vocabulary[tally["predicate"]].quad_class
        deeds = {t["predicate"] for t in edge["predicates"]}
        if all(vocabulary[p].quad_class.material for p in deeds):
            assert edge["material"] == 1.0 or edge["net"] == 0.0
    assert kinds == {"material", "verbal"}
    for row in view["predicates"]:
        assert row["quad_class"] == vocabulary[row["predicate"]].quad_class
    graphml = client.get("/view/export", params={"theatre": "Libya", "format": "graphml"})
    graph = nx.parse_graphml(graphml.text)
    assert {d["kind"] for _, _, d in graph.edges(data=True)} == kinds


def test_the_landing_cards_are_the_theatres_each_with_its_small_graph(client: TestClient) -> None:
    cards = client.get("/view/theatres", params={"limit": 5, "pairs": 4})
    assert cards.status_code == 200, cards.text
    found = cards.json()
    theatres = client.get("/theatres", params={"limit": 5}).json()
    assert [c["theatre"] for c in found] == [t["theatre"] for t in theatres]
    for card in found:
        view = _view(client, theatre=card["theatre"], limit=4)
        assert [(e["source"], e["target"], e["stance"], e["kind"]) for e in card["edges"]] == [
            (e["source"], e["target"], e["stance"], e["kind"]) for e in view["edges"]
        ]
        assert card["pairs_total"] == view["pairs_total"]
        assert {n["id"]: n["bloc"] for n in card["nodes"]} == {
            n["id"]: n["bloc"] for n in view["nodes"]
        }
        assert all(0.0 <= n["x"] <= 1.0 and 0.0 <= n["y"] <= 1.0 for n in card["nodes"])
        if len(card["nodes"]) > 1:  # spread out, not piled up
            assert len({(n["x"], n["y"]) for n in card["nodes"]}) == len(card["nodes"])
    assert client.get("/view/theatres", params={"pairs": 0}).status_code == 422


def test_graphml_places_the_actors(client: TestClient) -> None:
    graphml = client.get("/view/export", params={"theatre": "Libya", "format": "graphml"})
    graph = nx.parse_graphml(graphml.text)
    place = {n: (d["x"], d["y"]) for n, d in graph.nodes(data=True)}
    assert all(0.0 <= x <= 1000.0 and 0.0 <= y <= 1000.0 for x, y in place.values())
    assert len(set(place.values())) == len(place)
    shapes = {d["shape"] for _, d in graph.nodes(data=True)}
    assert shapes <= {"ellipse", "round-rectangle"}


def test_an_actor_page_has_roles_with_dates_and_partners_year_by_year(client: TestClient) -> None:
    profile = client.get("/actors/TUR").json()
    assert profile["country"] == {"id": "TUR", "label": "Turkey"}
    assert client.get("/actors/WAGNER").json()["country"]["id"] == "RUS"
    roles = profile["roles"]
    assert roles and all(r["person"] for r in roles)
    in_office = [r for r in roles if r["until"] is None]
    assert in_office and roles[: len(in_office)] == in_office  # in office first
    assert any("Erdo" in r["person"] for r in in_office)
    assert all(r["since"] is None or r["until"] is None or r["since"] <= r["until"] for r in roles)
    over_time = profile["over_time"]
    years = [p["period"] for p in over_time["periods"]]
    assert years == sorted(years) and len(years) >= 2
    counted = sum(
        p["statements"]
        for period in over_time["periods"]
        for side in ("allies", "adversaries")
        for p in period[side]
    )
    between = profile["statements"] - 2 * sum(
        r["evidence_count"]
        for r in client.get("/relations", params={"actor": "TUR"}).json()
        if r["subject"]["id"] == r["object"]["id"] == "TUR"
    )
    # Every dated statement with a partner is in its year, unless the pair's votes cancel.
    assert counted + over_time["undated"] <= between
    by_year = {p["period"]: p for p in over_time["periods"]}
    view = _view(client, actor="TUR", since=f"{years[-1]}-01-01", until=f"{years[-1]}-12-31")
    stance = {
        (e["target"] if e["source"] == "TUR" else e["source"]): e["stance"]
        for e in view["edges"]
        if "TUR" in (e["source"], e["target"])
    }
    for partner in by_year[years[-1]]["allies"]:
        assert stance[partner["id"]] == "alignment"
    for partner in by_year[years[-1]]["adversaries"]:
        assert stance[partner["id"]] == "opposition"


def test_roles_are_one_row_per_term_not_per_surname() -> None:
    roles = actor_roles(load_gazetteer(), "USA")
    clintons = [
        (r["person"], r["since"][:4], r["until"][:4]) for r in roles if "Clinton" in r["person"]
    ]
    assert clintons == [("Hillary Clinton", "2009", "2013"), ("Bill Clinton", "1993", "2001")]
    # One person's spellings in one term are one row.
    russia = [r for r in actor_roles(load_gazetteer(), "RUS") if r["person"].endswith("Putin")]
    assert len(russia) == 1 and russia[0]["until"] is None


@pytest.mark.parametrize("actors", [12, MAX_FORCE_LAYOUT + 100])
def test_a_view_is_placed_the_same_way_every_time(actors: int) -> None:
    nodes = [{"id": f"a{i:04d}", "bloc": (None, 0, 1)[i % 3]} for i in range(actors)]
    edges = [
        {"source": f"a{i:04d}", "target": f"a{(i * 7 + 1) % actors:04d}", "evidence": 1 + i % 4}
        for i in range(actors)
    ]
    place = view_positions(nodes, edges)
    assert set(place) == {n["id"] for n in nodes}
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in place.values())
    assert len(set(place.values())) == actors
    assert view_positions(list(reversed(nodes)), list(reversed(edges))) == place  # seeded
