"""No request makes the service connect to another host: SERVICE and LOAD are refused unless
their target is on the allow-list, however the query spells them. A local listener counts
every connection attempt; it must see none."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from detente.http.app import create_app
from detente.http.settings import ServiceSettings
from detente.live.service import KnowledgeService
from detente.sparql.engine import SparqlError, check_outbound
from detente.sparql.text import outbound_calls

# Starts processes, servers or a cluster: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

TOKEN = "federation-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Listener:
    """A TCP server on 127.0.0.1 that accepts, records and closes every connection."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    self.requests.append(connection.recv(4096))
                except OSError:
                    self.requests.append(b"")

    def close(self) -> None:
        self._socket.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def evasions(url: str) -> list[str]:
    """Ways to name an outside endpoint in a query, each of which Oxigraph itself calls."""
    return [
        f"SELECT * {{ SERVICE <{url}/plain> {{ ?s ?p ?o }} }}",
        f"select * {{ service silent <{url}/lower> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ {{ SELECT * {{ OPTIONAL {{ SERVICE <{url}/deep> {{ ?s ?p ?o }} }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}/exists> {{ ?s ?p ?o }} }} }}",
        f"SELECT * {{ VALUES ?u {{ <{url}/var> }} SERVICE ?u {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE#comment\n<{url}/comment> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE<{url}/glued>{{?s ?p ?o}} }}",
        f"SELECT * {{ SERVICE <{url}/\\u0065scaped> {{ ?s ?p ?o }} }}",
        f"BASE <{url}/base/> SELECT * {{ SERVICE <relative> {{ ?s ?p ?o }} }}",
        f"PREFIX e: <{url}/> SELECT * {{ SERVICE e:prefixed {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}/> SELECT * {{ SERVICE:nospace {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}/> SELECT * {{ SERVICE SILENT:silent {{ ?s ?p ?o }} }}",
        f"PREFIX s: <{url}/> SELECT * {{ SERVICEs:merged {{ ?s ?p ?o }} }}",
        f"SELECT * {{ ?s ?p true SERVICE <{url}/after-literal> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ ?s ?p trueSERVICE<{url}/after-true> {{ ?s ?p ?o }} }}",
    ]


def test_oxigraph_itself_calls_what_a_query_names(listener: Listener) -> None:
    """Why the guard exists: without it each of these reaches the listener."""
    store = ox.Store()
    for query in evasions(listener.url)[:4]:
        try:
            result = store.query(query, base_iri=f"{listener.url}/endpoint")
            list(result) if not isinstance(result, ox.QueryBoolean) else bool(result)
        except (OSError, RuntimeError):
            pass
    assert len(listener.requests) == 4


@pytest.mark.parametrize("index", range(15))
def test_every_spelling_is_refused_before_evaluation(listener: Listener, index: int) -> None:
    query = evasions(listener.url)[index]
    with pytest.raises(SparqlError) as refused:
        check_outbound(query, base_iri=f"{listener.url}/sparql", allowed=frozenset(), prefixes={})
    assert refused.value.status == 400
    assert "refused" in refused.value.message
    assert listener.requests == []


def test_targets_resolve_as_the_parser_resolves_them() -> None:
    [call] = outbound_calls(
        "BASE <http://a.example/x/> PREFIX p: <http://b.example/> "
        "SELECT * { SERVICE <../y> { ?s ?p ?o } }",
        base_iri="http://endpoint.example/sparql",
    )
    assert call.target == "http://a.example/y"
    [call] = outbound_calls("SELECT * { SERVICE dt:x {} }", prefixes={"dt": "http://d/"})
    assert call.target == "http://d/x"
    [call] = outbound_calls("SELECT * { SERVICE <rel> {} }", base_iri="http://e.example/q/s")
    assert call.target == "http://e.example/q/rel"
    assert outbound_calls('SELECT * { ?s <http://p> "SERVICE <http://x>" } # LOAD <y>') == []
    assert outbound_calls("SELECT ?service ?load { ?service ex:LOAD ?load }") == []


def test_an_allowed_endpoint_may_be_called() -> None:
    allowed = frozenset({"http://wikidata.example/sparql"})
    query = "SELECT * { SERVICE <http://wikidata.example/sparql> { ?s ?p ?o } }"
    check_outbound(query, base_iri=None, allowed=allowed, prefixes={})
    with pytest.raises(SparqlError, match="allow-list"):
        check_outbound(
            query.replace("wikidata", "elsewhere"), base_iri=None, allowed=allowed, prefixes={}
        )


@pytest.fixture(scope="module")
def client(extractor) -> Iterator[TestClient]:
    config = ServiceSettings(store="memory:", token=TOKEN, query_workers=1)
    with TestClient(create_app(config, KnowledgeService(config.store, extractor))) as api:
        yield api


def test_the_endpoint_refuses_service_and_connects_nowhere(client, listener) -> None:
    for query in evasions(listener.url):
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 400, query
        assert "refused" in response.text
    for query in evasions(listener.url)[:3]:
        posted = client.post(
            "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
        )
        assert posted.status_code == 400
    assert listener.requests == []


def test_updates_cannot_call_out_either(client, listener) -> None:
    updates = [
        f"LOAD <{listener.url}/data.ttl>",
        f"LOAD SILENT <{listener.url}/data.ttl> INTO GRAPH <http://g>",
        f"PREFIX s: <{listener.url}/> LOADs:data",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{listener.url}/q> {{ ?s ?p ?o }} }}",
    ]
    for update in updates:
        response = client.post(
            "/sparql/update",
            content=update,
            headers={**AUTH, "Content-Type": "application/sparql-update"},
        )
        assert response.status_code == 400, update
        assert "refused" in response.text
    assert listener.requests == []
