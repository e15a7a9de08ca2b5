"""The REST API: answers, security defaults and bad input (in-process ASGI client)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time

import pytest
from fastapi.testclient import TestClient

from detente.http.answer_cache import AnswerCache
from detente.http.app import create_app
from detente.http.settings import ServiceSettings
from detente.live.service import KnowledgeService
from tests.paths import EXAMPLES

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def make_client(extractor, **settings) -> TestClient:
    config = ServiceSettings(store="memory:", **settings)
    return TestClient(create_app(config, KnowledgeService(config.store, extractor)))


@pytest.fixture(scope="module")
def client(extractor) -> TestClient:
    """A service holding the bundled example articles, posted through the API."""
    api = make_client(extractor, token=TOKEN, max_body_bytes=200_000)
    for path in sorted(EXAMPLES.glob("*.txt")):
        response = api.post(
            "/documents", json={"text": path.read_text(), "url": path.name}, headers=AUTH
        )
        assert response.status_code == 201, response.text
    return api


def test_who_backs_whom_in_libya(client: TestClient) -> None:
    rows = client.get("/relations", params={"theatre": "Libya", "predicate": "backs"}).json()
    pairs = {(r["subject"]["id"], r["object"]["id"]) for r in rows}
    assert ("TUR", "LBY-GNA") in pairs
    for row in rows:
        assert row["predicate"] in ("backs", "aids")
        assert row["evidence_count"] == len(row["evidence"]) >= 1
        assert all(e["sentence"] and e["document"].startswith("doc-") for e in row["evidence"])
        assert all(
            set(e) == {"document", "title", "url", "sentence", "date"} for e in row["evidence"]
        )
        if row["first_date"]:
            assert row["first_date"] <= row["last_date"]


@pytest.mark.slow  # a service of its own
def test_evidence_cites_its_document_by_title_and_url(extractor) -> None:
    api = make_client(extractor, token=TOKEN)
    text = "Qatar is funding the Government of National Accord in Libya, diplomats said."
    story = {"text": text, "title": "Qatar and Libya", "url": "https://news.test/qatar"}
    assert api.post("/documents", json=story, headers=AUTH).status_code == 201
    pasted = {"text": "Egypt backs the Libyan National Army, diplomats said."}
    assert api.post("/documents", json=pasted, headers=AUTH).status_code == 201
    cited = {
        r["subject"]["id"]: (e["title"], e["url"])
        for r in api.get("/relations").json()
        for e in r["evidence"]
    }
    assert cited["QAT"] == ("Qatar and Libya", "https://news.test/qatar")
    assert cited["EGY"] == (None, None)  # pasted text: no title, no URL


def test_relations_filters(client: TestClient) -> None:
    opposed = client.get("/relations", params={"polarity": "opposition"}).json()
    assert opposed and all(r["polarity"] == "opposition" for r in opposed)
    turkey = client.get("/relations", params={"actor": "Turkey"}).json()
    assert turkey and all("TUR" in (r["subject"]["id"], r["object"]["id"]) for r in turkey)
    assert client.get("/relations", params={"until": "1990-01-01"}).json() == []
    first = client.get("/relations", params={"limit": 1}).json()
    second = client.get("/relations", params={"limit": 1, "offset": 1}).json()
    assert len(first) == len(second) == 1 and first != second


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"predicate": "likes"}, 422, "invalid request"),
        ({"actor": "Atlantis"}, 404, "unknown actor"),
        ({"since": "2024-13-01"}, 422, "invalid request"),
        ({"since": "2024-01-01", "until": "2023-01-01"}, 422, "since is after until"),
        ({"polarity": "neutral"}, 422, "invalid request"),
    ],
)
def test_bad_relation_queries_get_clear_4xx(client, params, status, message) -> None:
    response = client.get("/relations", params=params)
    assert response.status_code == status
    assert message in response.text


@pytest.mark.parametrize(
    ("path", "params", "kind", "meant"),
    [
        ("/relations", {"theatre": "Lybia"}, "theatre", "Libya"),
        ("/view", {"theatre": "lybia"}, "theatre", "Libya"),
        ("/balance", {"theatre": "Lybia"}, "theatre", "Libya"),
        ("/relations", {"actor": "Rusia"}, "actor", "Russia"),
        ("/actors/Turky%20", {}, "actor", "Turkey"),
        ("/paths", {"source": "Egipt", "target": "TUR"}, "actor", "Egypt"),
    ],
)
def test_unknown_names_are_404s_that_suggest_the_nearest(client, path, params, kind, meant):
    # An empty 200 would read as "nothing there"; the answer says the name is not known.
    response = client.get(path, params=params)
    assert response.status_code == 404
    body = response.json()
    assert body["detail"].startswith(f"unknown {kind} ")
    assert body["suggestions"][0] == meant and f"did you mean '{meant}'" in body["detail"]


def test_known_names_in_any_case_are_not_refused(client: TestClient) -> None:
    assert client.get("/relations", params={"theatre": "lIBYA"}).json()
    assert client.get("/view", params={"theatre": " libya "}).status_code == 200


def test_theatres_are_listed_with_counts_and_paged(client: TestClient) -> None:
    response = client.get("/theatres")
    listed = response.json()
    assert int(response.headers["X-Total-Count"]) == len(listed) >= 3
    libya = next(t for t in listed if t["theatre"] == "Libya")
    assert libya["documents"] == 3 and libya["statements"] > libya["undated"] >= 0
    assert libya["first_date"] <= libya["last_date"]
    # Most recent evidence first; theatres with no dated statement last.
    last = [t["last_date"] for t in listed]
    dated = [d for d in last if d]
    assert dated == sorted(dated, reverse=True) and last[: len(dated)] == dated
    first = client.get("/theatres", params={"limit": 2})
    assert [t["theatre"] for t in first.json()] == [t["theatre"] for t in listed[:2]]
    assert 'rel="next"' in first.headers["Link"] and "offset=2" in first.headers["Link"]
    rest = client.get("/theatres", params={"limit": 2, "offset": 2})
    assert 'rel="prev"' in rest.headers["Link"]


def test_documents_are_paged_with_a_total(client: TestClient) -> None:
    everything = client.get("/documents")
    total = int(everything.headers["X-Total-Count"])
    assert total == len(everything.json()) == len(list(EXAMPLES.glob("*.txt")))
    page = client.get("/documents", params={"limit": 1, "offset": 1})
    assert page.json() == everything.json()[1:2]
    assert page.headers["X-Total-Count"] == str(total)


def test_actor_profile(client: TestClient) -> None:
    listed = client.get("/actors", params={"q": "turk"}).json()
    assert listed[0]["id"] == "TUR"
    profile = client.get("/actors/Turkey").json()
    assert profile["id"] == "TUR" and profile["wikidata"].endswith("Q43")
    assert "Ankara" in profile["aliases"]
    # Names for display: the actor's own, and its people in office now, each once.
    assert not {"Erdogan", "President Erdogan", "Ahmet Davutoglu"} & set(profile["aliases"])
    assert len(profile["aliases"]) < profile["names_known"]
    surnames = [name.split()[-1].casefold() for name in profile["leaders"]]
    assert profile["leaders"] and len(surnames) == len(set(surnames))
    assert not any(name.startswith("President ") for name in profile["leaders"])
    assert "LBY-GNA" in {a["id"] for a in profile["allies"]}
    assert client.get("/actors/Atlantis").status_code == 404


@pytest.mark.slow
def test_paths_and_balance(client: TestClient) -> None:
    found = client.get(
        "/paths", params={"source": "TUR", "target": "LBY-GNA", "max_hops": 2}
    ).json()
    assert found[0][0]["source"] == "TUR" and found[0][-1]["target"] == "LBY-GNA"
    assert found[0][0]["evidence"]
    assert client.get("/paths", params={"source": "TUR", "target": "Nowhere"}).status_code == 404
    balance = client.get("/balance", params={"theatre": "Libya"}).json()
    members = {a for bloc in balance["blocs"] for a in bloc}
    assert {"TUR", "LBY-GNA"} <= members
    assert balance["frustration"] == len(balance["frustrated"])


def test_writes_are_disabled_without_a_configured_token(extractor) -> None:
    api = make_client(extractor)
    response = api.post("/documents", json={"text": "Turkey backs the GNA."}, headers=AUTH)
    assert response.status_code == 403
    assert "DETENTE_TOKEN" in response.json()["detail"]
    assert api.delete("/documents/doc-1", headers=AUTH).status_code == 403
    assert api.get("/health").json()["writable"] is False


def test_writes_need_the_right_token(client: TestClient) -> None:
    body = {"text": "Egypt supports the Libyan National Army."}
    assert client.post("/documents", json=body).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post("/documents", json=body, headers=wrong).status_code == 401
    assert client.delete("/documents/doc-x", headers=wrong).status_code == 401


def test_post_is_idempotent_and_delete_retracts(client: TestClient) -> None:
    text = "Kuwait is funding the Government of National Accord in Libya, diplomats said."
    first = client.post("/documents", json={"text": text}, headers=AUTH)
    assert first.status_code == 201
    found = [
        (r["subject"]["id"], r["predicate"], r["object"]["id"]) for r in first.json()["relations"]
    ]
    assert found and found[0][0] == "KWT"
    again = client.post("/documents", json={"text": text}, headers=AUTH)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert again.json()["relations"] == first.json()["relations"]
    doc = first.json()["id"]
    assert doc in {d["id"] for d in client.get("/documents").json()}
    assert client.get("/relations", params={"actor": "KWT"}).json()
    assert client.delete(f"/documents/{doc}", headers=AUTH).status_code == 204
    assert client.get("/relations", params={"actor": "KWT"}).status_code == 404
    assert client.delete(f"/documents/{doc}", headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": "   "}, "empty input"),
        ({"text": ""}, "invalid request"),
        ({"text": "<html><body><script>x()</script></body></html>", "format": "html"}, "no text"),
        ({"text": "ok", "format": "pdf"}, "invalid request"),
        ({"text": "Turkey backs the GNA.", "date": "yesterday"}, "invalid request"),
    ],
)
def test_bad_documents_get_422_and_store_nothing(client, body, message) -> None:
    before = client.get("/documents").json()
    response = client.post("/documents", json=body, headers=AUTH)
    assert response.status_code == 422
    assert message in response.text
    assert "Traceback" not in response.text
    assert client.get("/documents").json() == before


def test_bodies_over_the_limit_get_413(client: TestClient) -> None:
    huge = {"text": "Turkey backs the GNA. " * 20_000}
    response = client.post("/documents", json=huge, headers=AUTH)
    assert response.status_code == 413
    not_json = client.post(
        "/documents", content=b"\x00\xff" * 10, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert not_json.status_code == 422


def test_cors_is_off_unless_configured(extractor, client: TestClient) -> None:
    origin = {"Origin": "https://newsroom.example"}
    assert "access-control-allow-origin" not in client.get("/health", headers=origin).headers
    allowed = make_client(extractor, cors_origins=["https://newsroom.example"])
    response = allowed.get("/health", headers=origin)
    assert response.headers["access-control-allow-origin"] == "https://newsroom.example"


def test_openapi_documents_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for route in (
        "/relations",
        "/actors",
        "/actors/{actor_id}",
        "/paths",
        "/balance",
        "/documents",
        "/documents/{doc_id}",
        "/health",
        "/sparql",
        "/graph-store",
    ):
        assert route in paths


def test_explorer_page_and_its_bundled_library(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "//cdn" not in page.text and "https://" not in page.text
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert [s.rsplit("/", 1)[1] for s in scripts] == [
        "cytoscape.js", "layout-base.js", "cose-base.js", "cytoscape-fcose.js", "briefing.js",
        "explorer.js",
    ]  # fmt: skip
    for script in scripts:
        assert client.get(script).status_code == 200
    assert b"Cytoscape Consortium" in client.get(scripts[0]).content[:400]
    notice = client.get("/static/vendor/NOTICE").text  # each bundled package's licence
    # jsPDF and svg2pdf.js: loaded by the page only to make a PDF.
    for package in ("cytoscape", "layout-base", "cose-base", "cytoscape-fcose", "jspdf", "svg2pdf"):
        assert f"{package} " in notice or f"{package}.js " in notice
        assert client.get(f"/static/vendor/{package}.LICENSE").status_code == 200
        assert client.get(f"/static/vendor/{package}.js").status_code == 200


@pytest.mark.slow  # a service of its own
def test_answers_are_fresh_after_every_write(extractor) -> None:
    """/relations answers are kept as bytes between writes; a write must replace them."""
    api = make_client(extractor, token=TOKEN)
    question = {"predicate": "backs"}
    in_libya = {**question, "theatre": "Libya"}
    assert api.get("/relations", params=question).json() == []
    assert api.get("/relations", params=question).json() == []  # the kept answer
    assert api.get("/relations", params=in_libya).status_code == 404  # no Libya yet
    text = "Qatar is funding the Government of National Accord in Libya, diplomats said."
    posted = api.post("/documents", json={"text": text}, headers=AUTH)
    assert posted.status_code == 201
    for asked in (question, in_libya):
        rows = api.get("/relations", params=asked).json()
        assert [(r["subject"]["id"], r["object"]["id"]) for r in rows] == [("QAT", "LBY-GNA")]
    assert api.delete(f"/documents/{posted.json()['id']}", headers=AUTH).status_code == 204
    assert api.get("/relations", params=question).json() == []
    # Nothing about Libya is left: as unknown as before (and as after a rebuild).
    assert api.get("/relations", params=in_libya).status_code == 404


@pytest.mark.slow
def test_balance_remembers_the_blocs_it_answered(client: TestClient) -> None:
    """The next balance starts from the blocs of the last one: the server reads them from
    the worker's answer alone (the frustrated edges are not parsed), as the answer says."""
    service = client.app.state.service
    service._sides.clear()
    service._advance(wrote=False)  # computed again, not answered from the cache
    answer = client.get("/balance", params={"theatre": "Libya"}).json()
    deadline = time.monotonic() + 10  # remembered on a thread once the answer is sent
    while service.blocs_before("Libya") is None and time.monotonic() < deadline:
        time.sleep(0.01)
    first, second = answer["blocs"]
    assert service.blocs_before("Libya") == {n: 0 for n in first} | {n: 1 for n in second}


def test_askers_of_a_question_share_its_computation_across_a_write() -> None:
    """Who asks while an answer is computed gets that answer, also when a write came
    meanwhile (then it is not kept), rather than computing it again; if it fails, each
    computes its own."""
    service = KnowledgeService("memory:")
    cache = AnswerCache(service)
    calls: list[str] = []

    async def scenario(fail: bool) -> list:
        release = asyncio.Event()

        async def answer() -> bytes:
            calls.append("computed")
            if len(calls) == 1:
                await release.wait()
                if fail:
                    raise LookupError("failed")
            return b"answer"

        first = asyncio.create_task(cache.response_async(("question", fail), answer))
        await asyncio.sleep(0)  # the first asker is computing
        second = asyncio.create_task(cache.response_async(("question", fail), answer))
        await asyncio.sleep(0)  # the second waits for it
        service._advance(wrote=False)  # a write meanwhile: the answer is not kept
        release.set()
        return await asyncio.gather(first, second, return_exceptions=True)

    try:
        assert asyncio.run(scenario(fail=False)) == [b"answer", b"answer"]
        assert calls == ["computed"] and cache._computing_async == {}
        calls.clear()
        failed, second = asyncio.run(scenario(fail=True))
        assert isinstance(failed, LookupError) and second == b"answer"
        assert calls == ["computed", "computed"] and cache._computing_async == {}
    finally:
        service.close()


@pytest.mark.slow
def test_query_workers_freeze_what_they_imported() -> None:
    """A worker's warm-up leaves the objects of its imports out of the collector's reach:
    the first large balance in each worker no longer sets off a full collection of them."""
    check = (
        "import gc; from detente.sparql.worker import _warm_balance; "
        "_warm_balance(); assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()"
    )
    subprocess.run([sys.executable, "-c", check], check=True, timeout=120)
