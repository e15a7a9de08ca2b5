"""The SPARQL endpoint against the W3C Protocol test suite and clients nobody here wrote,
all over real HTTP to a ``detente serve`` subprocess."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.protocol_runner import run
from tests.servers import SERVERS, detente_server

# Starts processes, servers or a cluster: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

TOKEN = "test-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    store = f"oxigraph:{tmp_path_factory.mktemp('protocol')}"
    limits = {"DETENTE_QUERY_TIMEOUT": "3", "DETENTE_MAX_RESULT_BYTES": "2000000"}
    with detente_server(store, TOKEN, **limits) as base:
        yield base


def test_w3c_protocol_manifest_passes_in_full(server: str, shared: Path) -> None:
    manifest = shared / "conformance" / "protocol" / "manifest.ttl"
    outcomes = run(server, TOKEN, manifest)
    failures = [f"{test.name}: {reason}" for test, reason in outcomes if reason]
    assert len(outcomes) == 34
    assert failures == []


@pytest.fixture(scope="module")
def loaded(server: str) -> str:
    """The server with a small graph in two named graphs."""
    update = """
    PREFIX : <http://example.org/>
    DROP ALL ;
    INSERT DATA { GRAPH :g1 { :TUR :backs :GNA } GRAPH :g2 { :RUS :backs :LNA } }"""
    response = httpx.post(
        f"{server}/sparql/update",
        content=update,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 204
    return server


def test_sparqlwrapper_reads_json_results(loaded: str) -> None:
    client = SPARQLWrapper(f"{loaded}/sparql")
    client.setQuery("SELECT ?who WHERE { ?who <http://example.org/backs> ?whom } ORDER BY ?who")
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [r["who"]["value"] for r in rows] == ["http://example.org/RUS", "http://example.org/TUR"]


def test_rdflib_sparqlstore_queries_the_endpoint(loaded: str) -> None:
    graph = Graph(store=SPARQLStore(f"{loaded}/sparql"))
    backed = {
        str(row.whom)
        for row in graph.query("SELECT ?whom WHERE { ?who <http://example.org/backs> ?whom }")
    }
    assert backed == {"http://example.org/GNA", "http://example.org/LNA"}


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values;q=0.9, text/csv;q=0.1", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_results_are_negotiated(loaded: str, accept: str, media: str) -> None:
    response = httpx.get(
        f"{loaded}/sparql", params={"query": "SELECT * { ?s ?p ?o }"}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)


def test_construct_results_are_negotiated_and_406_when_impossible(loaded: str) -> None:
    query = {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}
    for accept, fmt in [("application/n-triples", "nt"), ("application/ld+json", "json-ld")]:
        response = httpx.get(f"{loaded}/sparql", params=query, headers={"Accept": accept})
        assert response.status_code == 200
        assert len(Graph().parse(data=response.content, format=fmt)) == 2
    refused = httpx.get(f"{loaded}/sparql", params=query, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "text/turtle" in refused.text


def test_syntax_errors_are_400_with_a_message(loaded: str) -> None:
    response = httpx.get(f"{loaded}/sparql", params={"query": "SELECT * WHERE { ?s"})
    assert response.status_code == 400
    assert "malformed SPARQL query" in response.text
    assert "Traceback" not in response.text


def test_updates_never_run_through_the_query_endpoint(loaded: str) -> None:
    for response in (
        httpx.get(f"{loaded}/sparql", params={"update": "DROP ALL"}),
        httpx.post(f"{loaded}/sparql", data={"update": "DROP ALL"}),
        httpx.post(
            f"{loaded}/sparql",
            content="DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
        ),
    ):
        assert response.status_code == 400
    still = httpx.get(f"{loaded}/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()
    assert still["boolean"] is True


def test_updates_need_the_token(loaded: str) -> None:
    body = {"update": "DROP ALL"}
    assert httpx.post(f"{loaded}/sparql/update", data=body).status_code == 401
    wrong = {"Authorization": "Bearer wrong"}
    assert httpx.post(f"{loaded}/sparql/update", data=body, headers=wrong).status_code == 401
    assert httpx.get(f"{loaded}/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]


def test_graph_store_protocol_reads_named_graphs(loaded: str) -> None:
    url = f"{loaded}/graph-store"
    response = httpx.get(url, params={"graph": "http://example.org/g1"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    assert set(graph.subjects()) == {URIRef("http://example.org/TUR")}
    head = httpx.head(url, params={"graph": "http://example.org/g1"})
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(response.content)
    assert httpx.get(url, params={"graph": "http://example.org/none"}).status_code == 404
    assert httpx.get(url).status_code == 400


def test_service_description_on_a_bare_get(loaded: str) -> None:
    response = httpx.get(f"{loaded}/sparql")
    graph = Graph().parse(data=response.content, format="turtle")
    assert (None, None, URIRef("http://www.w3.org/ns/sparql-service-description#Service")) in graph


@pytest.fixture(scope="module")
def numbers(loaded: str) -> str:
    """200 numbered nodes in their own graph: cross joins of them are slow or large."""
    body = " ".join(f"<http://example.org/n{i}> <http://example.org/n> {i} ." for i in range(200))
    response = httpx.post(
        f"{loaded}/sparql/update",
        content=f"INSERT DATA {{ GRAPH <http://example.org/numbers> {{ {body} }} }}",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 204
    return loaded


def test_a_slow_query_times_out_without_holding_up_others(numbers: str) -> None:
    slow = (
        "SELECT * WHERE { ?a <http://example.org/n> ?x . ?b <http://example.org/n> ?y . "
        "?c <http://example.org/n> ?z . ?d <http://example.org/n> ?w "
        "FILTER (?x + ?y + ?z + ?w = -1) }"
    )
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        pending = pool.submit(httpx.get, f"{numbers}/sparql", params={"query": slow}, timeout=60)
        time.sleep(0.5)
        quick = httpx.get(f"{numbers}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        health = httpx.get(f"{numbers}/health", timeout=30)
        answered_while_running = not pending.done()
        response = pending.result()
        slow_seconds = time.monotonic() - started
    assert quick.status_code == 200 and health.status_code == 200
    assert answered_while_running
    assert response.status_code == 503
    assert "time limit" in response.text
    assert slow_seconds < 30  # a 3 s limit; generous for a loaded machine


def _cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and every process it started."""
    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def test_a_runaway_aggregate_is_ended_at_the_deadline(numbers: str) -> None:
    """A count over a huge cross product streams nothing before it finishes, so no sink can
    stop it: its worker process is ended at the deadline and the service is idle again.

    The CPU measured is the service's own (its process and its workers), not the machine's,
    so whatever else runs on the machine does not matter."""
    runaway = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://example.org/n> ?x . "
        "?b <http://example.org/n> ?y . ?c <http://example.org/n> ?z . "
        "?d <http://example.org/n> ?w FILTER (STRLEN(STR(?x + ?y + ?z + ?w)) < 0) }"
    )
    response = httpx.get(f"{numbers}/sparql", params={"query": runaway}, timeout=120)
    assert response.status_code == 503 and "time limit" in response.text
    # Every worker answers again (the replacement has started) before idleness is measured.
    for _ in range(8):
        after = httpx.get(f"{numbers}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        assert after.status_code == 200 and after.json()["boolean"] is True
    pid = SERVERS[numbers]
    # The replacement worker loads its modules (seconds of CPU on a busy machine), then the
    # service goes quiet; a runaway left computing would use a whole core in every window.
    deadline = time.monotonic() + 90
    while True:
        before = _cpu_seconds(pid)
        time.sleep(2.0)
        used = _cpu_seconds(pid) - before
        if used < 0.6:
            break
        assert time.monotonic() < deadline, f"the service kept computing: {used:.2f} s in 2 s"


def test_results_over_the_size_limit_are_refused(numbers: str) -> None:
    big = "SELECT * WHERE { ?a <http://example.org/n> ?x . ?b <http://example.org/n> ?y }"
    response = httpx.get(f"{numbers}/sparql", params={"query": big})
    assert response.status_code == 422
    assert "add LIMIT" in response.text
    small = httpx.get(f"{numbers}/sparql", params={"query": big + " LIMIT 10"})
    assert len(small.json()["results"]["bindings"]) == 10
