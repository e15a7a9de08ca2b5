"""Curation: an analyst marks statements wrong or confirmed, hides actors, merges one actor
into another and attaches notes; every answer follows, taking an act back restores exactly
what was, and the verdicts export as labelled examples (in-process ASGI client on the
bundled examples)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from detente.analysis.ledger import Ledger
from detente.analysis.views import relation_graph
from detente.domain.curation import resolve_merges
from detente.http.app import create_app
from detente.http.settings import ServiceSettings
from detente.live.service import KnowledgeService
from tests.paths import EXAMPLES, ROOT

TOKEN = "curator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def served(rules_extractor) -> TestClient:
    """One service with the bundled examples for the module."""
    config = ServiceSettings(store="memory:", token=TOKEN)
    client = TestClient(create_app(config, KnowledgeService(config.store, rules_extractor)))
    for path in sorted(EXAMPLES.glob("*.txt")):
        body = {"text": path.read_text(), "url": path.name}
        posted = client.post("/documents", json=body, headers=AUTH)
        assert posted.status_code == 201, posted.text
    return client


@pytest.fixture
def api(served: TestClient) -> Iterator[TestClient]:
    """The module's service, each test starting with no act in force: what a test did is
    taken back after it (the history keeps it, as it should)."""
    before = _pairs(served)
    yield served
    for act in served.get("/curation", params={"in_force": True, "limit": 10_000}).json():
        assert served.delete(f"/curation/{act['id']}", headers=AUTH).status_code == 200
    assert _pairs(served) == before


def _history(api: TestClient) -> list[dict]:
    return api.get("/curation", params={"limit": 10_000}).json()


def _pairs(api: TestClient, **params) -> dict[tuple[str, str, str], int]:
    rows = api.get("/relations", params={"limit": 1000, **params}).json()
    return {
        (r["subject"]["id"], r["predicate"], r["object"]["id"]): r["evidence_count"] for r in rows
    }


def _statement(api: TestClient, a: str, b: str) -> dict:
    found = api.get("/view/evidence", params={"a": a, "b": b}).json()["statements"]
    return next(s for s in found if s["counted"])


def _same_as_a_rebuild(api: TestClient) -> None:
    """The ledger the acts left equals one read afresh from the store."""
    service = api.app.state.service
    assert service.ledger().canonical() == Ledger.from_store(service.store).canonical()


def test_a_wrong_statement_leaves_every_answer_and_comes_back_when_taken_back(api):
    before = _pairs(api)
    view_before = api.get("/view", params={"theatre": "Libya"}).json()
    statement = _statement(api, "TUR", "LBY-GNA")
    key = (statement["subject"]["id"], statement["predicate"], statement["object"]["id"])
    act = api.post(
        "/curation",
        json={
            "verdict": "wrong",
            "target": statement["statement"],
            "curator": "ana",
            "why": "misread",
        },
        headers=AUTH,
    )
    assert act.status_code == 201, act.text
    made = act.json()
    assert (made["verdict"], made["curator"], made["why"]) == ("wrong", "ana", "misread")
    after = _pairs(api)
    assert after.get(key, 0) == before[key] - 1
    assert {k: v for k, v in after.items() if k != key} == {
        k: v for k, v in before.items() if k != key
    }
    # The notebooks' networkx view reads the same curation.
    graph = relation_graph(api.app.state.service.store)
    assert not any(
        d["document"] and d["evidence"] == statement["sentence"] and (u, d["predicate"], v) == key
        for u, v, d in graph.edges(data=True)
    )
    _same_as_a_rebuild(api)

    undone = api.delete(f"/curation/{made['id']}", params={"curator": "ben"}, headers=AUTH)
    assert undone.status_code == 200 and undone.json()["retracted_by"] == "ben"
    assert _pairs(api) == before
    assert api.get("/view", params={"theatre": "Libya"}).json() == view_before
    _same_as_a_rebuild(api)
    again = api.delete(f"/curation/{made['id']}", headers=AUTH)
    assert again.status_code == 409 and "taken back already" in again.json()["detail"]


def test_a_hidden_actor_leaves_every_answer_with_its_statements(api):
    assert any(a["id"] == "WAGNER" for a in api.get("/actors").json())
    before = _pairs(api)
    act = api.post("/curation", json={"verdict": "hidden", "target": "Wagner Group"}, headers=AUTH)
    assert act.status_code == 201 and act.json()["target"].endswith("/actor/WAGNER")
    assert all(a["id"] != "WAGNER" for a in api.get("/actors").json())
    assert all("WAGNER" not in (k[0], k[2]) for k in _pairs(api))
    view = api.get("/view", params={"theatre": "Libya"}).json()
    assert "WAGNER" not in {n["id"] for n in view["nodes"]}
    assert api.get("/actors/WAGNER").status_code == 404
    _same_as_a_rebuild(api)
    assert api.delete(f"/curation/{act.json()['id']}", headers=AUTH).status_code == 200
    assert _pairs(api) == before


def test_the_history_keeps_every_act_with_who_when_and_why(api):
    statement = _statement(api, "EGY", "LNA")
    first = api.post(
        "/curation", json={"verdict": "confirmed", "target": statement["statement"]}, headers=AUTH
    ).json()
    second = api.post(
        "/curation", json={"verdict": "hidden", "target": "Wagner"}, headers=AUTH
    ).json()
    api.delete(f"/curation/{second['id']}", headers=AUTH)
    history = api.get("/curation", params={"limit": 10_000})
    assert history.headers["X-Total-Count"] == str(len(history.json()))
    latest = history.json()[-2:]
    assert [a["id"] for a in latest] == [first["id"], second["id"]]
    assert latest[1]["retracted_at"] and latest[0]["retracted_at"] is None
    in_force = api.get("/curation", params={"in_force": True}).json()
    assert [a["id"] for a in in_force] == [first["id"]]
    assert latest[0]["at"].endswith("Z") and latest[0]["curator"] == "analyst"


def test_verdicts_export_as_labelled_examples_in_the_corpus_format(api):
    opposed = _statement(api, "LNA", "LBY-GNA")
    backing = _statement(api, "EGY", "LNA")
    for verdict, statement in (("wrong", opposed), ("confirmed", backing)):
        body = {
            "verdict": verdict,
            "target": statement["statement"],
            "curator": "ana",
            "why": "read it",
        }
        assert api.post("/curation", json=body, headers=AUTH).status_code == 201
    exported = api.get("/curation/examples")
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    rows = [__import__("json").loads(line) for line in exported.text.splitlines()]
    by_statement = {r["relation"]["statement"]: r for r in rows}
    wrong, right = by_statement[opposed["statement"]], by_statement[backing["statement"]]
    assert (wrong["label"], wrong["status"]) == ("none", "")
    assert right["label"] in ("a_backs_b", "mutual") and right["status"] in ("asserted", "reported")
    for row, statement in ((wrong, opposed), (right, backing)):
        assert row["window"] == statement["sentence"] and row["annotator"] == "ana"
        assert row["source"] == "curation" and row["note"] == "read it"
        a = row["a"]
        assert row["window"][a["start"] : a["end"]] == a["text"]
        assert a["actor"] == statement["subject"]["id"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "says"),
    [
        (
            {"verdict": "wrong", "target": "https://w3id.org/detente/relation/nope"},
            AUTH,
            404,
            "unknown statement",
        ),
        (
            {"verdict": "wrong", "target": "https://w3id.org/detente/relation/ x<y>"},
            AUTH,
            404,
            "unknown statement",
        ),
        ({"verdict": "wrong", "target": "not an iri at all"}, AUTH, 404, "unknown statement"),
        ({"verdict": "hidden", "target": "Egipt"}, AUTH, 404, "did you mean 'Egypt'"),
        ({"verdict": "liked", "target": "Egypt"}, AUTH, 422, "invalid request"),
        ({"verdict": "hidden", "target": "Egypt", "why": "x" * 5000}, AUTH, 422, "invalid request"),
        ({"verdict": "hidden", "target": "Egypt"}, {}, 401, "bearer token"),
    ],
)
def test_bad_acts_are_refused_with_a_clear_4xx_and_nothing_written(
    api, body, headers, status, says
):
    before = _history(api)
    response = api.post("/curation", json=body, headers=headers)
    assert response.status_code == status and says in response.text
    assert _history(api) == before


def test_taking_back_an_unknown_act_is_a_404(api):
    assert api.delete("/curation/act-00ff", headers=AUTH).status_code == 404
    assert api.delete("/curation/DROP%20ALL", headers=AUTH).status_code == 422


def test_the_evidence_panel_flags_a_verdict_and_the_latest_one_decides(api):
    statement = _statement(api, "TUR", "LBY-GNA")
    target = statement["statement"]
    key = (statement["subject"]["id"], statement["predicate"], statement["object"]["id"])
    before = _pairs(api)[key]
    wrong = api.post("/curation", json={"verdict": "wrong", "target": target}, headers=AUTH)
    shown = {
        s["statement"]: s
        for s in api.get("/view/evidence", params={"a": "TUR", "b": "LBY-GNA"}).json()["statements"]
    }
    assert shown[target]["counted"] is False
    assert shown[target]["curation"] == {
        "act": wrong.json()["id"],
        "verdict": "wrong",
        "curator": "analyst",
    }
    assert _pairs(api).get(key, 0) == before - 1
    # Confirmed after wrong: the later verdict decides, in the ledger as in the panel.
    api.post("/curation", json={"verdict": "confirmed", "target": target}, headers=AUTH)
    assert _pairs(api)[key] == before
    shown = {
        s["statement"]: s
        for s in api.get("/view/evidence", params={"a": "TUR", "b": "LBY-GNA"}).json()["statements"]
    }
    assert shown[target]["counted"] is True and shown[target]["curation"]["verdict"] == "confirmed"
    _same_as_a_rebuild(api)


# ---------------------------------------------------------------------- merges and notes
def _merge(api: TestClient, target: str, into: str, **extra) -> dict:
    body = {"verdict": "merged", "target": target, "into": into, **extra}
    made = api.post("/curation", json=body, headers=AUTH)
    assert made.status_code == 201, made.text
    return made.json()


def _undo(api: TestClient, act: dict) -> None:
    assert api.delete(f"/curation/{act['id']}", headers=AUTH).status_code == 200


def _edges(api: TestClient, **params) -> dict[frozenset, int]:
    view = api.get("/view", params={"limit": 500, **params}).json()
    return {frozenset((e["source"], e["target"])): e["evidence"] for e in view["edges"]}


def _moved(before: dict, merged: str, into: str) -> dict:
    """``before`` with ``merged`` read as ``into`` (a pair of the two leaves)."""
    out: dict = {}
    for key, count in before.items():
        key = tuple(into if part == merged else part for part in key)
        if key[0] != key[-1]:
            out[key] = out.get(key, 0) + count
    return out


def test_a_merged_actor_s_statements_become_the_survivor_s_and_undo_restores_them(api):
    before, edges_before = _pairs(api), _edges(api, theatre="Libya")
    view_before = api.get("/view", params={"theatre": "Libya"}).json()
    assert ("WAGNER", "backs", "LNA") in before
    act = _merge(api, "Wagner Group", "Russia", curator="ana", why="one actor here")
    assert act["target"].endswith("/actor/WAGNER") and act["into"].endswith("/actor/RUS")
    assert (act["verdict"], act["curator"], act["why"]) == ("merged", "ana", "one actor here")

    assert _pairs(api) == _moved(before, "WAGNER", "RUS")
    # The notebooks' networkx view reads the merge alike.
    graph = relation_graph(api.app.state.service.store)
    assert "WAGNER" not in graph and graph.has_edge("RUS", "LNA")
    assert graph.nodes["RUS"]["label"] == "Russia"
    edges = _edges(api, theatre="Libya")
    moved: dict[frozenset, int] = {}
    for pair, count in edges_before.items():
        pair = frozenset("RUS" if a == "WAGNER" else a for a in pair)
        if len(pair) == 2:
            moved[pair] = moved.get(pair, 0) + count
    assert edges == moved
    assert edges[frozenset(("RUS", "LNA"))] > edges_before[frozenset(("RUS", "LNA"))]
    assert all(a["id"] != "WAGNER" for a in api.get("/actors").json())
    # The merged actor's id and names lead to the survivor, whose profile says so.
    profile = api.get("/actors/WAGNER").json()
    assert profile["id"] == "RUS" and [a["id"] for a in profile["absorbed"]] == ["WAGNER"]
    assert "Wagner Group" in profile["aliases"]  # its names are the survivor's now
    said = api.get("/actors/Wagner Group/curation").json()
    assert said["id"] == "RUS" and [a["id"] for a in said["absorbed"]] == ["WAGNER"]
    assert {"Wagner Group", "Wagner"} <= set(said["absorbed"][0]["names"])
    [first] = [
        s for s in api.get("/suggest", params={"q": "Wagner"}).json() if s["kind"] == "actor"
    ]
    assert (first["id"], first["via"]) == ("RUS", "merged")
    # The edge's evidence holds the merged actor's statements (as extracted).
    found = api.get("/view/evidence", params={"a": "Russia", "b": "LNA"}).json()
    assert {s["subject"]["id"] for s in found["statements"]} >= {"WAGNER", "RUS"}
    assert sum(s["counted"] for s in found["statements"]) == edges[frozenset(("RUS", "LNA"))]
    _same_as_a_rebuild(api)

    _undo(api, act)
    assert _pairs(api) == before
    assert "WAGNER" in relation_graph(api.app.state.service.store)
    assert api.get("/view", params={"theatre": "Libya"}).json() == view_before
    assert api.get("/actors/WAGNER").json()["id"] == "WAGNER"
    assert api.get("/actors/RUS/curation").json() == {"id": "RUS", "absorbed": [], "notes": []}
    restored = api.get("/actors/RUS").json()
    assert restored["absorbed"] == [] and "Wagner Group" not in restored["aliases"]
    _same_as_a_rebuild(api)


def test_a_merged_actor_whose_documents_are_gone_leaves_the_ledger_readable(api):
    text = "Turkey is arming the Zorblan Liberation Front in the north, officials said."
    posted = api.post("/documents", json={"text": text}, headers=AUTH)
    assert posted.status_code == 201, posted.text
    [zorblan] = [a["id"] for a in api.get("/actors", params={"q": "Zorblan"}).json()]
    _merge(api, zorblan, "Russia")
    deleted = api.delete(f"/documents/{posted.json()['id']}", headers=AUTH)
    assert deleted.status_code == 204, deleted.text
    # Read afresh (a restart), the store holds a merge of an actor no statement names.
    _same_as_a_rebuild(api)
    assert api.get("/actors/RUS").status_code == 200


def test_a_chain_of_merges_resolves_to_its_end_and_a_pair_of_the_merged_leaves(api):
    before = _pairs(api)
    first = _merge(api, "WAGNER", "LNA")  # Wagner backs the LNA: that pair is now one actor
    assert _pairs(api) == _moved(before, "WAGNER", "LNA")
    assert not any(k[0] == k[2] for k in _pairs(api))
    second = _merge(api, "LNA", "Russia")  # and the LNA into Russia: Wagner is Russia too
    assert _pairs(api) == _moved(_moved(before, "WAGNER", "LNA"), "LNA", "RUS")
    assert api.get("/actors/WAGNER").json()["id"] == "RUS"
    assert {a["id"] for a in api.get("/actors/RUS/curation").json()["absorbed"]} == {
        "WAGNER",
        "LNA",
    }
    _same_as_a_rebuild(api)
    _undo(api, second)  # Wagner is the LNA's again, not Russia's
    assert _pairs(api) == _moved(before, "WAGNER", "LNA")
    assert api.get("/actors/WAGNER").json()["id"] == "LNA"
    _same_as_a_rebuild(api)
    _undo(api, first)
    assert _pairs(api) == before


def test_a_merge_applies_to_documents_that_arrive_later_and_to_a_hidden_survivor(api):
    before = _pairs(api)
    act = _merge(api, "Wagner", "Russia")
    libya = EXAMPLES / "libya-2020.txt"
    assert api.delete("/documents/libya-2020.txt", headers=AUTH).status_code == 204
    body = {"text": libya.read_text(), "url": libya.name}
    assert api.post("/documents", json=body, headers=AUTH).status_code == 201
    assert _pairs(api) == _moved(before, "WAGNER", "RUS")  # the new rows merged too
    _same_as_a_rebuild(api)
    hidden = api.post("/curation", json={"verdict": "hidden", "target": "RUS"}, headers=AUTH)
    assert all("RUS" not in (k[0], k[2]) and "WAGNER" not in (k[0], k[2]) for k in _pairs(api))
    _same_as_a_rebuild(api)
    _undo(api, hidden.json())  # Russia back, with what it absorbed
    assert _pairs(api) == _moved(before, "WAGNER", "RUS")
    _same_as_a_rebuild(api)
    _undo(api, act)
    assert _pairs(api) == before


def test_the_documented_sparql_reads_merges_as_the_ledger_does(api):
    text = (ROOT / "docs" / "knowledge-graph.md").read_text()
    query = text.split("## Curation", 1)[1].split("```sparql", 1)[1].split("```", 1)[0]
    store = api.app.state.service.store
    act = _merge(api, "Wagner", "Russia")
    rows = store.values(query)
    assert rows and all(
        not s.endswith("/WAGNER") and not o.endswith("/WAGNER") for _, s, _, o in rows
    )
    assert any(
        s.endswith("/RUS") and o.endswith("/LNA") and p.endswith("#backs") for _, s, p, o in rows
    )
    _undo(api, act)
    assert any(s.endswith("/WAGNER") for _, s, _, _ in store.values(query))


@pytest.mark.parametrize(
    ("first", "body", "status", "says"),
    [
        (None, {"target": "Russia", "into": "Russia"}, 409, "into itself"),
        (None, {"target": "Russia", "into": "Kremlin"}, 409, "into itself"),
        (("Wagner", "Russia"), {"target": "Russia", "into": "Wagner"}, 409, "cycle"),
        (("Wagner", "Russia"), {"target": "WAGNER", "into": "Egypt"}, 409, "already"),
        (None, {"target": "Russia", "into": "Narnia"}, 404, "unknown actor 'Narnia'"),
        (None, {"target": "Narnia", "into": "Russia"}, 404, "unknown actor 'Narnia'"),
        (None, {"target": "Russia"}, 422, "into is required"),
        (("Wagner", "Russia"), {"verdict": "hidden", "target": "Wagner"}, 409, "hide that actor"),
        (None, {"target": "Russia", "into": ""}, 422, "invalid request"),
    ],
)
def test_bad_merges_are_refused_with_a_clear_4xx_and_nothing_written(
    api, first, body, status, says
):
    if first:
        _merge(api, *first)
    before = _history(api)
    response = api.post("/curation", json={"verdict": "merged", **body}, headers=AUTH)
    assert response.status_code == status and says in response.text, response.text
    assert _history(api) == before


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"verdict": "noted", "target": "Egypt"}, "a note needs its text"),
        ({"verdict": "noted", "target": "Egypt", "why": "  "}, "a note needs its text"),
        ({"verdict": "hidden", "target": "Egypt", "into": "Russia"}, "only for a merge"),
    ],
)
def test_bad_notes_are_refused_with_a_422(api, body, says):
    before = _history(api)
    response = api.post("/curation", json=body, headers=AUTH)
    assert response.status_code == 422 and says in response.text, response.text
    assert _history(api) == before


def test_notes_on_an_actor_and_a_statement_are_shown_with_them_and_change_no_count(api):
    before = _pairs(api)
    statement = _statement(api, "EGY", "LNA")
    on_actor = api.post(
        "/curation",
        json={"verdict": "noted", "target": "Egypt", "why": "Sisi's government", "curator": "ana"},
        headers=AUTH,
    ).json()
    on_statement = api.post(
        "/curation",
        json={"verdict": "noted", "target": statement["statement"], "why": "check the date"},
        headers=AUTH,
    ).json()
    assert (
        on_actor["target"].endswith("/actor/EGY")
        and on_statement["target"] == (statement["statement"])
    )
    assert _pairs(api) == before
    [note] = api.get("/actors/EGY/curation").json()["notes"]
    assert (note["act"], note["text"], note["curator"], note["about"]) == (
        on_actor["id"],
        "Sisi's government",
        "ana",
        "EGY",
    )
    shown = {
        s["statement"]: s
        for s in api.get("/view/evidence", params={"a": "EGY", "b": "LNA"}).json()["statements"]
    }
    assert [n["text"] for n in shown[statement["statement"]]["notes"]] == ["check the date"]
    assert all(not s["notes"] for k, s in shown.items() if k != statement["statement"])
    assert api.get("/curation/examples").text == ""  # a note is no labelled example
    # Merged, the actor's notes follow it into the survivor's profile.
    merged = _merge(api, "Egypt", "LNA")
    assert [n["about"] for n in api.get("/actors/LNA/curation").json()["notes"]] == ["EGY"]
    _undo(api, merged)
    _undo(api, on_actor)
    _undo(api, on_statement)
    assert api.get("/actors/EGY/curation").json()["notes"] == []
    shown = api.get("/view/evidence", params={"a": "EGY", "b": "LNA"}).json()["statements"]
    assert all(not s["notes"] for s in shown)
    _same_as_a_rebuild(api)


def test_chains_resolve_to_their_end_and_cycles_and_second_merges_are_ignored():
    assert resolve_merges([("A", "B"), ("B", "C")]) == {"A": "C", "B": "C"}
    assert resolve_merges([("B", "C"), ("A", "B")]) == {"A": "C", "B": "C"}
    assert resolve_merges([("A", "B"), ("B", "A")]) == {"A": "B"}
    assert resolve_merges([("A", "B"), ("A", "C"), ("C", "C")]) == {"A": "B"}
