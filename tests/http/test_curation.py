"""Curation: an analyst marks statements wrong or confirmed and hides actors; every answer
follows, taking an act back restores exactly what was, and the verdicts export as labelled
examples (in-process ASGI client on the bundled examples)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from detente.analysis.ledger import Ledger
from detente.analysis.views import relation_graph
from detente.http.app import create_app
from detente.http.settings import ServiceSettings
from detente.live.service import KnowledgeService
from tests.paths import EXAMPLES

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
