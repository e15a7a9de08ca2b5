"""The service under misuse: configuration mistakes, client mistakes, oversized or odd
requests, queries that would take the machine, and many writes in a row."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from importlib.metadata import requires

import pytest
from fastapi.testclient import TestClient

from detente.http.app import create_app
from detente.http.settings import ServiceSettings
from detente.live.service import KnowledgeService
from detente.sparql.snapshots import snapshot_folder
from tests.paths import EXAMPLES

TOKEN = "hardening-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {**AUTH, "Content-Type": "application/sparql-update"}


def make_client(extractor, **settings) -> TestClient:
    config = ServiceSettings(**{"store": "memory:", **settings})
    return TestClient(create_app(config, KnowledgeService(config.store, extractor)))


@pytest.fixture(scope="module")
def client(extractor) -> Iterator[TestClient]:
    with make_client(extractor, token=TOKEN, query_workers=2, max_body_bytes=1_000_000) as api:
        yield api


# ---------------------------------------------------------------------- the write token
@pytest.mark.slow
@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_a_blank_token_disables_writes(extractor, monkeypatch, blank) -> None:
    monkeypatch.setenv("DETENTE_TOKEN", blank)
    assert ServiceSettings().token is None
    with make_client(extractor) as api:
        dropped = api.post(
            "/sparql/update", content="DROP ALL", headers={"Content-Type": UPDATE["Content-Type"]}
        )
        assert dropped.status_code == 403
        assert api.post("/sparql/update", content="DROP ALL", headers=UPDATE).status_code == 403
        assert api.get("/health").json()["writable"] is False
        assert api.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]


# ---------------------------------------------------------------------- memory
@pytest.mark.slow
def test_a_query_past_its_memory_cap_gets_503_and_the_service_goes_on(extractor, caplog) -> None:
    with make_client(extractor, token=TOKEN, query_memory_mb=256, query_workers=1) as api:
        rows = " ".join(f'<http://e/n{i}> <http://e/p> "{"x" * 40}{i}" .' for i in range(3000))
        body = f"INSERT DATA {{ GRAPH <http://e/g> {{ {rows} }} }}"
        assert api.post("/sparql/update", content=body, headers=UPDATE).status_code == 204
        greedy = (
            "SELECT ?x ?y WHERE { ?a <http://e/p> ?x . ?b <http://e/p> ?y } ORDER BY ?y ?x LIMIT 1"
        )
        with caplog.at_level(logging.WARNING, logger="detente"):
            response = api.get("/sparql", params={"query": greedy})
        assert response.status_code == 503
        assert "256 MB of memory" in response.text
        assert "memory cap" in caplog.text
        after = api.get("/sparql", params={"query": "ASK { ?s <http://e/p> ?o }"})
        assert after.status_code == 200 and after.json()["boolean"] is True


# ---------------------------------------------------------------------- many writes
@pytest.mark.slow
def test_queries_stay_right_after_many_writes_and_checkpoints_do_not_pile_up(client) -> None:
    graph = "http://e/many"
    for i in range(120):
        body = f"INSERT DATA {{ GRAPH <{graph}> {{ <http://e/w{i}> <http://e/seq> {i} }} }}"
        assert client.post("/sparql/update", content=body, headers=UPDATE).status_code == 204
        if i % 7 == 0:
            count = client.get(
                "/sparql",
                params={"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
            )
            assert count.json()["results"]["bindings"][0]["n"]["value"] == str(i + 1)
    maximum = "SELECT (MAX(?n) AS ?m) { ?s <http://e/seq> ?n }"
    last = client.get("/sparql", params={"query": maximum})
    assert last.json()["results"]["bindings"][0]["m"]["value"] == "119"
    store = client.app.state.service.store
    kept = list(snapshot_folder(store.location).iterdir())
    assert 1 <= len(kept) <= client.app.state.settings.query_workers + 1


# ---------------------------------------------------------------------- client mistakes
@pytest.mark.slow
@pytest.mark.parametrize(
    "params",
    [
        {"query": "ASK {}", "default-graph-uri": "relative"},
        {"query": "ASK {}", "named-graph-uri": ""},
        {"query": "ASK {}", "named-graph-uri": "not an iri"},
    ],
)
def test_bad_dataset_iris_are_400(client, params) -> None:
    response = client.get("/sparql", params=params)
    assert response.status_code == 400
    assert "not an absolute IRI" in response.text


def test_bad_graph_store_iri_is_400(client) -> None:
    response = client.get("/graph-store", params={"graph": "relative"})
    assert response.status_code == 400 and "not an absolute IRI" in response.text
    assert client.get("/graph-store").status_code == 400  # neither graph nor default


def test_bad_using_iri_is_400(client) -> None:
    response = client.post(
        "/sparql/update",
        params={"using-graph-uri": "relative"},
        content="DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        headers=UPDATE,
    )
    assert response.status_code == 400 and "not an absolute IRI" in response.text


def test_delete_insert_with_using_graph_uri(client) -> None:
    graph = "http://e/using"
    insert = f"INSERT DATA {{ GRAPH <{graph}> {{ <http://e/a> <http://e/p> 1 }} }}"
    assert client.post("/sparql/update", content=insert, headers=UPDATE).status_code == 204
    # A DELETE template with a WHERE clause, its dataset given as a protocol parameter.
    delete = f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    response = client.post(
        "/sparql/update", params={"using-graph-uri": graph}, content=delete, headers=UPDATE
    )
    assert response.status_code == 204, response.text
    left = client.get("/sparql", params={"query": f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"})
    assert left.json()["boolean"] is False


@pytest.mark.slow
def test_a_service_call_to_an_allowed_endpoint_that_is_not_sparql_is_400(extractor) -> None:
    from tests.http.test_federation import Listener

    listener = Listener()
    try:
        with make_client(extractor, federation_allow=[f"{listener.url}/x"]) as api:
            query = f"SELECT * {{ SERVICE <{listener.url}/x> {{ ?s ?p ?o }} }}"
            response = api.get("/sparql", params={"query": query})
        assert response.status_code == 400
        assert listener.requests  # allowed, so it was called
    finally:
        listener.close()


# ---------------------------------------------------------------------- documents
def test_a_chunked_body_over_the_limit_gets_413(client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(3000):
            yield b"Turkey backs the GNA. " * 50  # about 3 MB in all
        yield b'"}'

    response = client.post(
        "/documents", content=chunks(), headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_the_posted_title_is_kept(client) -> None:
    text = "Oman has been mediating between Iran and the United States, officials said."
    posted = client.post(
        "/documents", json={"text": text, "title": "Gulf diplomacy notes"}, headers=AUTH
    )
    assert posted.status_code == 201
    titles = {d["id"]: d["title"] for d in client.get("/documents").json()}
    assert titles[posted.json()["id"]] == "Gulf diplomacy notes"


def test_control_characters_are_not_an_article(client) -> None:
    response = client.post("/documents", json={"text": "\x01\x02\x03" * 50}, headers=AUTH)
    assert response.status_code == 422 and "control characters" in response.text


def test_pages_sharing_a_canonical_link_do_not_replace_each_other(client) -> None:
    page = (
        '<html><head><link rel="canonical" href="https://news.example/"></head>'
        "<body><article><p>{}</p><p>Officials confirmed the move on Monday.</p>"
        "</article></body></html>"
    )
    first = page.format("Kuwait is funding the Government of National Accord in Libya.")
    second = page.format("Jordan is training the Libyan National Army, diplomats said.")
    one = client.post("/documents", json={"text": first, "format": "html"}, headers=AUTH)
    two = client.post("/documents", json={"text": second, "format": "html"}, headers=AUTH)
    assert one.status_code == two.status_code == 201
    assert two.json()["replaced"] == []
    ids = {d["id"] for d in client.get("/documents").json()}
    assert {one.json()["id"], two.json()["id"]} <= ids


# ---------------------------------------------------------------------- what readers see
@pytest.mark.slow  # a service of its own, on disk
def test_health_and_sources_show_no_server_paths(extractor, tmp_path) -> None:
    store = tmp_path / "private-folder" / "store"
    config = ServiceSettings(store=f"oxigraph:{store}", token=TOKEN)
    service = KnowledgeService(config.store, extractor)
    try:
        with TestClient(create_app(config, service)) as api:
            health = api.get("/health")
            assert health.json()["store"] == "oxigraph"
            assert "private-folder" not in health.text
            text = "Egypt backs the Libyan National Army."
            api.post("/documents", json={"text": text}, headers=AUTH)
            sources = [d["source"] for d in api.get("/documents").json()]
            assert sources and all(s.startswith("text:") for s in sources)
    finally:
        service.close()


def test_the_endpoint_knows_the_project_prefixes(client) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?a ?b WHERE { ?a dt:backs ?b }"})
    assert response.status_code == 200
    declared = client.get(
        "/sparql", params={"query": "PREFIX dt: <http://other/> ASK { ?a dt:backs ?b }"}
    )
    assert declared.status_code == 200 and declared.json()["boolean"] is False


def test_the_graph_store_default_graph_is_the_union_sparql_queries(client) -> None:
    insert = "INSERT DATA { GRAPH <http://e/u1> { <http://e/x> <http://e/in> <http://e/y> } }"
    assert client.post("/sparql/update", content=insert, headers=UPDATE).status_code == 204
    union = client.get(
        "/graph-store", params={"default": ""}, headers={"Accept": "application/n-triples"}
    )
    assert union.status_code == 200
    assert "<http://e/x> <http://e/in> <http://e/y> ." in union.text
    ask = client.get("/sparql", params={"query": "ASK { <http://e/x> <http://e/in> ?o }"})
    assert ask.json()["boolean"] is True


def test_head_of_the_explorer_page(client) -> None:
    response = client.head("/")
    assert response.status_code == 200 and response.text == ""


def test_operation_ids_are_unique_and_sparql_parameters_documented(client) -> None:
    document = client.get("/openapi.json").json()
    ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    get = document["paths"]["/sparql"]["get"]
    assert {p["name"] for p in get["parameters"]} >= {"query", "default-graph-uri"}
    post = document["paths"]["/sparql"]["post"]["requestBody"]["content"]
    assert {"application/sparql-query", "application/x-www-form-urlencoded"} <= post.keys()
    turtle = document["paths"]["/sparql"]["get"]["responses"]["200"]["content"]
    assert "text/turtle" in turtle and "application/sparql-results+json" in turtle


# ---------------------------------------------------------------------- packaging
def test_html_cleaning_is_a_declared_dependency() -> None:
    declared = {r.split(";")[0].split(">")[0].split("=")[0].strip() for r in requires("detente")}
    assert "lxml_html_clean" in declared


def test_the_examples_are_installed_with_the_package() -> None:
    from importlib.resources import files

    examples = [p.name for p in files("detente.examples").iterdir() if p.name.endswith(".txt")]
    assert len(examples) == len(list(EXAMPLES.glob("*.txt")))
